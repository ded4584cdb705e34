//! `cargo xtask bench port`: the speed of the x86-to-neon port, estimated.
//!
//! For corpus projects that ship hand-written NEON upstream, the kernels the
//! rules ported from x86 are set beside upstream's NEON kernels that do the
//! same job on the same data. Both are compiled for aarch64 with the same
//! compiler and flags (`aarch64-linux-gnu-gcc -O2 -S`), the function's hot
//! loop is cut out of the assembly, and `llvm-mca` estimates its cycles per
//! iteration on a Neoverse V1 (Graviton3's core). The figure is divided by
//! the data one iteration handles, where the two loops handle different
//! amounts, so that the ratio compares equal work.
//!
//! Why LLVM 19's llvm-mca and not Debian's default `llvm` (14): LLVM 14 has
//! no Neoverse V1 scheduling model and silently uses Cortex-A57's (a 3-wide
//! core from 2012) for `-mcpu=neoverse-v1`; LLVM 17 and later model the V1.
//!
//! The hot loop is the loop with the most vector instructions of its own
//! (not counting loops inside it); llvm-mca reads its instructions as one
//! straight block, so an inner loop inside it counts once. A kernel with no
//! loop is measured whole, per call. These are static estimates, printed
//! and never asserted: a benchmark measures, a test checks.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use crate::corpus_neon::{self, Project, FORCED_FEATURES, PROJECTS};
use crate::corpus_syntax;
use crate::system;

/// The analyser and the core it models.
const MCA: &str = "llvm-mca-19";
const MCPU: &str = "neoverse-v1";
const ITERATIONS: &str = "100";
/// Flags for both sides, beside each project's own.
const CFLAGS: &[&str] = &["-S", "-O2", "-std=gnu11", "-w"];

/// One side of a pair: a function in a file of the project (relative to its
/// folder) and how many units of data one iteration of its hot loop (or one
/// call, if it has no loop) handles.
struct Side {
    file: &'static str,
    function: &'static str,
    units: u32,
}

/// Upstream's NEON kernel and the ported x86 kernel that does the same job.
struct Pair {
    project: &'static str,
    kernel: &'static str,
    /// The unit of data the figures are given per.
    unit: &'static str,
    upstream: Side,
    ported: Side,
}

const PAIRS: &[Pair] = &[
    // The 4-way compression of blake3: upstream's blake3_hash4_neon against
    // the SSE4.1 blake3_hash4_sse41, which gcc inlines into
    // blake3_hash_many_sse41. Each iteration of the loop compresses one
    // 64-byte block of each of the 4 inputs (7 rounds, message transposed).
    Pair {
        project: "blake3",
        kernel: "hash4 from SSE4.1 (4-way compression)",
        unit: "block of 4 inputs (4 × 64 bytes)",
        upstream: Side { file: "blake3_neon.c", function: "blake3_hash4_neon", units: 1 },
        ported: Side { file: "blake3_sse41.c", function: "blake3_hash_many_sse41", units: 1 },
    },
    // The same job from blake3's SSE2 kernel (no byte shuffle, so the
    // rotations are shifts and ors) and its AVX2 one, 8 inputs an
    // iteration in 256-bit vectors that the port splits into two halves.
    Pair {
        project: "blake3",
        kernel: "hash4 from SSE2",
        unit: "block of 4 inputs (4 × 64 bytes)",
        upstream: Side { file: "blake3_neon.c", function: "blake3_hash4_neon", units: 1 },
        ported: Side { file: "blake3_sse2.c", function: "blake3_hash_many_sse2", units: 1 },
    },
    Pair {
        project: "blake3",
        kernel: "hash8 from AVX2, against NEON's hash4",
        unit: "block of 4 inputs (4 × 64 bytes)",
        upstream: Side { file: "blake3_neon.c", function: "blake3_hash4_neon", units: 1 },
        ported: Side { file: "blake3_avx2.c", function: "blake3_hash8_avx2", units: 2 },
    },
    // Sum of squared errors over a 16×16 block: NEON does one row per
    // iteration, SSE2 two.
    Pair {
        project: "libwebp",
        kernel: "SSE16x16 (encoder distortion)",
        unit: "row of 16 pixels",
        upstream: Side { file: "src/dsp/enc_neon.c", function: "SSE16x16_NEON", units: 1 },
        ported: Side { file: "src/dsp/enc_sse2.c", function: "SSE16x16_SSE2", units: 2 },
    },
    // NEON one row of 8 per iteration, SSE2 two.
    Pair {
        project: "libwebp",
        kernel: "SSE8x8 (encoder distortion)",
        unit: "row of 8 pixels",
        upstream: Side { file: "src/dsp/enc_neon.c", function: "SSE8x8_NEON", units: 1 },
        ported: Side { file: "src/dsp/enc_sse2.c", function: "SSE8x8_SSE2", units: 2 },
    },
    // Loop-free in both: one 4×4 block per call.
    Pair {
        project: "libwebp",
        kernel: "SSE4x4 (encoder distortion)",
        unit: "call (4×4 block)",
        upstream: Side { file: "src/dsp/enc_neon.c", function: "SSE4x4_NEON", units: 1 },
        ported: Side { file: "src/dsp/enc_sse2.c", function: "SSE4x4_SSE2", units: 1 },
    },
    // Loop-free in both: the simple loop filter across one 16-pixel edge.
    Pair {
        project: "libwebp",
        kernel: "SimpleVFilter16 (decoder loop filter)",
        unit: "call (16-pixel edge)",
        upstream: Side { file: "src/dsp/dec_neon.c", function: "SimpleVFilter16_NEON", units: 1 },
        ported: Side { file: "src/dsp/dec_sse2.c", function: "SimpleVFilter16_SSE2", units: 1 },
    },
    // Loop-free in both: 4×4 intra predictions, one block per call.
    Pair {
        project: "libwebp",
        kernel: "LD4 (decoder intra prediction)",
        unit: "call (4×4 block)",
        upstream: Side { file: "src/dsp/dec_neon.c", function: "LD4_NEON", units: 1 },
        ported: Side { file: "src/dsp/dec_sse2.c", function: "LD4_SSE2", units: 1 },
    },
    Pair {
        project: "libwebp",
        kernel: "RD4 (decoder intra prediction)",
        unit: "call (4×4 block)",
        upstream: Side { file: "src/dsp/dec_neon.c", function: "RD4_NEON", units: 1 },
        ported: Side { file: "src/dsp/dec_sse2.c", function: "RD4_SSE2", units: 1 },
    },
    // Lossless transforms, encoder and decoder: 4 pixels per iteration in both.
    Pair {
        project: "libwebp",
        kernel: "SubtractGreenFromBlueAndRed (lossless)",
        unit: "4 pixels",
        upstream: Side { file: "src/dsp/lossless_enc_neon.c", function: "SubtractGreenFromBlueAndRed_NEON", units: 1 },
        ported: Side { file: "src/dsp/lossless_enc_sse2.c", function: "SubtractGreenFromBlueAndRed_SSE2", units: 1 },
    },
    Pair {
        project: "libwebp",
        kernel: "TransformColor (lossless)",
        unit: "4 pixels",
        upstream: Side { file: "src/dsp/lossless_enc_neon.c", function: "TransformColor_NEON", units: 1 },
        ported: Side { file: "src/dsp/lossless_enc_sse2.c", function: "TransformColor_SSE2", units: 1 },
    },
    Pair {
        project: "libwebp",
        kernel: "AddGreenToBlueAndRed (lossless)",
        unit: "4 pixels",
        upstream: Side { file: "src/dsp/lossless_neon.c", function: "AddGreenToBlueAndRed_NEON", units: 1 },
        ported: Side { file: "src/dsp/lossless_sse2.c", function: "AddGreenToBlueAndRed_SSE2", units: 1 },
    },
    Pair {
        project: "libwebp",
        kernel: "TransformColorInverse (lossless)",
        unit: "4 pixels",
        upstream: Side { file: "src/dsp/lossless_neon.c", function: "TransformColorInverse_NEON", units: 1 },
        ported: Side { file: "src/dsp/lossless_sse2.c", function: "TransformColorInverse_SSE2", units: 1 },
    },
];

pub fn bench(args: &[String]) -> Result<()> {
    if let Some(arg) = args.first() {
        bail!("bench port takes no arguments (got `{arg}`)");
    }
    system::ensure(&[(MCA, "llvm-19"), ("aarch64-linux-gnu-gcc", "gcc-aarch64-linux-gnu")])?;
    let recipe = molt_recipes::load("x86-to-neon").map_err(|e| anyhow::anyhow!("{e}"))?;
    let scratch = crate::project_root().join("target/bench-port");
    let mut rows = Vec::new();
    let mut projects: Vec<&str> = PAIRS.iter().map(|p| p.project).collect();
    projects.dedup();
    for name in projects {
        let p = PROJECTS.iter().find(|p| p.member.name == name).context("a corpus member of that name")?;
        eprintln!("{name}: fetching and porting");
        let upstream = corpus_syntax::fetch(&p.member)?.join(p.dir);
        let work = scratch.join(name);
        if work.exists() {
            std::fs::remove_dir_all(&work).with_context(|| format!("removing {}", work.display()))?;
        }
        corpus_neon::copy_without(&upstream, &work, p.remove)?;
        corpus_neon::port(recipe, &work)?;
        let asm = scratch.join(format!("{name}-asm"));
        std::fs::create_dir_all(&asm)?;
        for pair in PAIRS.iter().filter(|k| k.project == name) {
            let up = measure(p, &upstream, &pair.upstream, &[], &asm.join("upstream"))
                .with_context(|| format!("upstream {}", pair.upstream.function))?;
            let ported = measure(p, &work, &pair.ported, FORCED_FEATURES, &asm.join("ported"))
                .with_context(|| format!("ported {}", pair.ported.function))?;
            rows.push((pair, up, ported));
        }
    }
    print_table(&rows);
    println!("the listings and the blocks llvm-mca read: {}/<project>-asm/", scratch.display());
    Ok(())
}

/// One side's estimate.
struct Estimate {
    /// Cycles per unit of data (per iteration ÷ units per iteration).
    cycles: f64,
    /// "loop of N instructions" or "whole function, N instructions".
    over: String,
}

fn measure(p: &Project, dir: &Path, side: &Side, extra: &[&str], out: &Path) -> Result<Estimate> {
    std::fs::create_dir_all(out)?;
    let stem = Path::new(side.file).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let listing = out.join(format!("{stem}.s"));
    let cc = Command::new("aarch64-linux-gnu-gcc")
        .args(CFLAGS)
        .args(extra)
        .args(p.flags)
        .arg(side.file)
        .arg("-o")
        .arg(&listing)
        .current_dir(dir)
        .output()
        .context("running aarch64-linux-gnu-gcc")?;
    if !cc.status.success() {
        bail!("{} does not compile for aarch64: {}", side.file, String::from_utf8_lossy(&cc.stderr));
    }
    let asm = std::fs::read_to_string(&listing)?;
    let body = function_body(&asm, side.function)
        .with_context(|| format!("no function {} in {}", side.function, listing.display()))?;
    let (block, over) = match hot_loop(&body) {
        Some(lp) => (lp.to_vec(), format!("loop of {} instructions", lp.len())),
        None => {
            let all: Vec<&str> = body.iter().filter_map(Line::instruction).collect();
            let n = all.len();
            (all, format!("whole function, {n} instructions"))
        }
    };
    let block_path = out.join(format!("{}.s", side.function));
    let block: Vec<String> = block.iter().map(|i| for_llvm(i)).collect();
    std::fs::write(&block_path, block.join("\n") + "\n")?;
    let mca = Command::new(MCA)
        .args(["-mtriple=aarch64", &format!("-mcpu={MCPU}"), &format!("-iterations={ITERATIONS}")])
        .arg(&block_path)
        .output()
        .with_context(|| format!("running {MCA}"))?;
    if !mca.status.success() {
        bail!("{MCA} failed on {}: {}", block_path.display(), String::from_utf8_lossy(&mca.stderr));
    }
    let per_iteration = cycles_per_iteration(&String::from_utf8_lossy(&mca.stdout))
        .with_context(|| format!("reading {MCA}'s summary for {}", block_path.display()))?;
    let over = if side.units > 1 {
        format!("{over}, {} units an iteration (cycles ÷ {})", side.units, side.units)
    } else {
        over
    };
    Ok(Estimate { cycles: per_iteration / f64::from(side.units), over })
}

/// A line of a function's assembly that matters here.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Line<'a> {
    Label(&'a str),
    Instruction(&'a str),
}

impl<'a> Line<'a> {
    fn instruction(&self) -> Option<&'a str> {
        match *self {
            Line::Instruction(i) => Some(i),
            Line::Label(_) => None,
        }
    }
}

/// The labels and instructions of `function` in gcc's assembly listing,
/// from its label to its `.size` directive. A static function that gcc
/// specialised (`name.constprop.0`, `name.isra.0`) is found by its prefix.
fn function_body<'a>(asm: &'a str, function: &str) -> Option<Vec<Line<'a>>> {
    let is_start = |l: &str| {
        l.strip_suffix(':').is_some_and(|name| {
            name == function || name.strip_prefix(function).is_some_and(|rest| rest.starts_with('.'))
        })
    };
    let mut lines = asm.lines().skip_while(|l| !is_start(l));
    let label = lines.next()?.trim_end_matches(':');
    let end = format!(".size\t{label},");
    let mut body = Vec::new();
    for line in lines {
        let t = line.trim();
        if t.starts_with(&end) {
            return Some(body);
        }
        if t.is_empty() || t.starts_with("//") {
            continue;
        }
        if !line.starts_with(char::is_whitespace) && t.ends_with(':') {
            body.push(Line::Label(t.trim_end_matches(':')));
        } else if !t.starts_with('.') {
            body.push(Line::Instruction(t));
        }
    }
    None
}

/// The loop with the most vector instructions of its own (outside the loops
/// nested in it): the instructions from a label to the last branch back to
/// it. None where the function has no loop.
fn hot_loop<'a>(body: &[Line<'a>]) -> Option<Vec<&'a str>> {
    let mut labels = std::collections::HashMap::new();
    let mut ins: Vec<&str> = Vec::new();
    for line in body {
        match *line {
            Line::Label(l) => {
                labels.insert(l, ins.len());
            }
            Line::Instruction(i) => ins.push(i),
        }
    }
    // (first, last) instruction of each loop, by its backward branches.
    let mut loops: Vec<(usize, usize)> = Vec::new();
    for (at, i) in ins.iter().enumerate() {
        let mnemonic = i.split_whitespace().next().unwrap_or("");
        if !["b", "cb", "tb"].iter().any(|p| mnemonic.starts_with(p)) {
            continue;
        }
        let target = i.rsplit([',', ' ', '\t']).next().unwrap_or("");
        if let Some(&start) = labels.get(target) {
            if start <= at {
                loops.retain(|&(s, _)| s != start);
                loops.push((start, at));
            }
        }
    }
    let own_vector = |&(s, e): &(usize, usize)| {
        (s..=e)
            .filter(|&k| {
                !loops.iter().any(|&(s2, e2)| (s2, e2) != (s, e) && s <= s2 && e2 <= e && (s2..=e2).contains(&k))
            })
            .filter(|&k| is_vector(ins[k]))
            .count()
    };
    let best = loops.iter().max_by_key(|lp| (own_vector(lp), lp.1 - lp.0))?;
    Some(ins[best.0..=best.1].to_vec())
}

/// Has a vector register operand (`v3.4s`, `q1`).
fn is_vector(instruction: &str) -> bool {
    let operands = instruction.split_once(char::is_whitespace).map_or("", |(_, o)| o);
    operands.split([',', ' ', '{', '}', '[', ']']).any(|op| {
        (op.starts_with('v') || op.starts_with('q')) && op[1..].chars().next().is_some_and(|c| c.is_ascii_digit())
    })
}

/// gcc's spelling of an instruction in the one form LLVM's assembler reads
/// differently: a byte `movi` whose immediate gcc writes sign-extended
/// (`movi v6.16b, 0xffffffffffffff80`), where LLVM wants the byte (`0x80`).
fn for_llvm(instruction: &str) -> String {
    let byte_movi =
        instruction.starts_with("movi\t") && (instruction.contains(".16b,") || instruction.contains(".8b,"));
    if let (true, Some((head, imm))) = (byte_movi, instruction.rsplit_once(", ")) {
        if let Some(value) = imm.strip_prefix("0x").and_then(|h| u64::from_str_radix(h, 16).ok()) {
            return format!("{head}, {:#x}", value & 0xff);
        }
    }
    instruction.to_owned()
}

/// Total Cycles / Iterations from llvm-mca's summary.
fn cycles_per_iteration(summary: &str) -> Option<f64> {
    let field = |name: &str| -> Option<f64> {
        summary.lines().find_map(|l| l.trim().strip_prefix(name)?.trim().parse::<f64>().ok())
    };
    let iterations = field("Iterations:")?;
    let cycles = field("Total Cycles:")?;
    (iterations > 0.0).then(|| cycles / iterations)
}

fn tool_version(program: &str, arg: &str) -> String {
    Command::new(program)
        .arg(arg)
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find(|l| l.contains("version") || l.contains(") "))
                .map(str::trim)
                .map(str::to_owned)
        })
        .unwrap_or_else(|| "unknown version".to_owned())
}

fn print_table(rows: &[(&Pair, Estimate, Estimate)]) {
    println!();
    println!(
        "{MCA} -mtriple=aarch64 -mcpu={MCPU} -iterations={ITERATIONS} ({}); both sides compiled with \
         aarch64-linux-gnu-gcc {} ({}); the ported side with the x86 feature macros the port provides",
        tool_version(MCA, "--version"),
        CFLAGS[1..].join(" "),
        tool_version("aarch64-linux-gnu-gcc", "--version"),
    );
    println!();
    println!(
        "| project | kernel | per | upstream NEON: function, measured over | ported x86: function, measured over | upstream cycles | ported cycles | ported / upstream (goal ≤ 1.25) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let mut log_sum = 0.0;
    for (pair, up, ported) in rows {
        let ratio = ported.cycles / up.cycles;
        log_sum += ratio.ln();
        println!(
            "| {} | {} | {} | `{}`, {} | `{}`, {} | {:.1} | {:.1} | {:.2} {} |",
            pair.project,
            pair.kernel,
            pair.unit,
            pair.upstream.function,
            up.over,
            pair.ported.function,
            ported.over,
            up.cycles,
            ported.cycles,
            ratio,
            if ratio <= 1.25 { "(met)" } else { "(missed)" },
        );
    }
    if !rows.is_empty() {
        println!();
        println!("geometric mean of ported / upstream: {:.2}", (log_sum / rows.len() as f64).exp());
    }
    println!(
        "cycles are per unit of data (the loop's cycles per iteration ÷ the units one iteration handles); \
         inner loops inside a measured loop count once"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// gcc's listing of a function with an inner prefetch loop inside its
    /// main loop, as blake3_hash_many_sse41 has: the main loop, the one with
    /// the vector work, is chosen, not the inner loop and not the outer one.
    const LISTING: &str = "\t.type\tkernel, %function
kernel:
.LFB1:
\t.cfi_startproc
\tmov\tx2, 0
.L3:
\tldr\tq0, [x0]
.L2:
\tprfm\tPLDL1KEEP, [x1, x2]
\tadd\tx2, x2, 1
\tcmp\tx2, 4
\tbne\t.L2
\tadd\tv0.4s, v0.4s, v0.4s
\teor\tv1.16b, v0.16b, v1.16b
\tstr\tq1, [x0], 16
\tsubs\tx3, x3, #1
\tbne\t.L3
\tret
\t.cfi_endproc
\t.size\tkernel, .-kernel
\t.type\tother, %function
other:
\tret
\t.size\tother, .-other
";

    #[test]
    fn the_loop_with_the_vector_work_is_cut_out() {
        let body = function_body(LISTING, "kernel").unwrap();
        assert_eq!(body.iter().filter_map(Line::instruction).count(), 12);
        let lp = hot_loop(&body).unwrap();
        assert_eq!(lp.first(), Some(&"ldr\tq0, [x0]"));
        assert_eq!(lp.last(), Some(&"bne\t.L3"));
        assert_eq!(lp.len(), 10);
        let other = function_body(LISTING, "other").unwrap();
        assert_eq!(other, vec![Line::Instruction("ret")]);
        assert_eq!(hot_loop(&other), None);
        assert!(function_body(LISTING, "missing").is_none());
        // A specialised static function is found by its name.
        let specialised = LISTING.replace("kernel", "kernel.constprop.0");
        assert!(function_body(&specialised, "kernel").is_some());
    }

    #[test]
    fn byte_immediates_are_written_as_llvm_reads_them() {
        assert_eq!(for_llvm("movi\tv6.16b, 0xffffffffffffff80"), "movi\tv6.16b, 0x80");
        assert_eq!(for_llvm("movi\tv6.4s, 0x40"), "movi\tv6.4s, 0x40");
        assert_eq!(for_llvm("add\tx0, x0, 1"), "add\tx0, x0, 1");
    }

    #[test]
    fn cycles_per_iteration_come_from_the_summary() {
        let summary = "Iterations:        100\nInstructions:      103300\nTotal Cycles:      45021\n\
                       Total uOps:        110500\n\nDispatch Width:    15\n";
        assert_eq!(cycles_per_iteration(summary), Some(450.21));
        assert_eq!(cycles_per_iteration("Iterations: 0\nTotal Cycles: 5\n"), None);
        assert_eq!(cycles_per_iteration("nothing"), None);
    }
}
