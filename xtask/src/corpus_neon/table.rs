//! The corpus tables `cargo xtask corpus` prints: one row per project with
//! the columns the README explains, then the details (the compiles of every
//! file before and after, and what the rules did not reach).

use super::Row;

/// The top reasons sites were left for a model, with their counts.
fn top_reasons(r: &Row, n: usize) -> String {
    let mut reasons: Vec<(&String, &usize)> = r.port.reasons.iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    reasons.iter().take(n).map(|(why, n)| format!("{n}: {why}")).collect::<Vec<_>>().join("; ")
}

pub(super) fn print(rows: &[Row]) {
    println!();
    println!(
        "| project | sites | migrated by rules | left for a model (top reasons) | aarch64 build | tests passed under qemu | ported kernels chosen on aarch64 | NEON vector instructions in the aarch64 objects |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in rows {
        let (build, tests, chosen) = match &r.own {
            Some(o) => (o.arm_build(), o.arm_tests(), o.arm_dispatch()),
            None => ("no own build".to_owned(), "no own tests".to_owned(), "no check".to_owned()),
        };
        println!(
            "| {} | {} | {} ({:.1}%) | {} ({}) | {} | {} | {} | {} |",
            r.name,
            r.port.sites,
            r.port.migrated,
            100.0 * r.port.migrated as f64 / r.port.sites.max(1) as f64,
            r.port.unmapped + r.port.failed + r.port.blocked,
            top_reasons(r, 3),
            build,
            tests,
            chosen,
            r.after.arm.vector,
        );
    }
    println!();
    println!(
        "| project | C/C++ files | tasks, ported whole | unmapped / failed / blocked sites | aarch64 objects before → after | vector instructions before → after | aarch64 with feature macros forced: objects, vector instructions, before → after | x86 objects before → after | own tests, x86-64 |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for r in rows {
        println!(
            "| {} | {} | {}, {} | {} / {} / {} | {} → {} of {} | {} → {} | {} → {}, {} → {} | {} → {} of {} | {} |",
            r.name,
            r.port.files,
            r.port.tasks,
            r.port.committed_tasks,
            r.port.unmapped,
            r.port.failed,
            r.port.blocked,
            r.before.arm.ok,
            r.after.arm.ok,
            r.after.files,
            r.before.arm.vector,
            r.after.arm.vector,
            r.before.forced.ok,
            r.after.forced.ok,
            r.before.forced.vector,
            r.after.forced.vector,
            r.before.x86_ok,
            r.after.x86_ok,
            r.after.files,
            r.own.as_ref().map_or_else(|| "none".to_owned(), |o| o.x86_tests()),
        );
    }
    println!();
    for r in rows {
        match r.port.residue.len() {
            0 => println!("{}: every site ported by rules", r.name),
            n => println!("{}: left by the rules ({n} items):", r.name),
        }
        for line in &r.port.residue {
            println!("  {line}");
        }
        if let Some(k) = &r.kernels {
            println!("  ported kernels against the project's portable code, aarch64 under qemu: {k}");
        }
        if let Some(o) = &r.own {
            for c in o.results.iter().filter(|c| !c.passed) {
                let tail: Vec<&str> = c.output.lines().rev().take(4).collect();
                println!(
                    "  own check {} failed ({}): {}",
                    c.name,
                    c.message.as_deref().unwrap_or(""),
                    tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
                );
            }
        }
        for e in &r.after.arm.errors {
            println!("  aarch64 error after the port: {e}");
        }
        for e in &r.after.forced.errors {
            println!("  aarch64 (feature macros forced) error after the port: {e}");
        }
        for e in &r.after.x86_errors {
            println!("  x86-64 error after the port: {e}");
        }
    }
}
