//! The demo migration, end to end: tiny-infer's AVX2/FMA kernels ported to
//! aarch64 NEON by the rules agent, checked natively, under qemu, against the
//! x86 output, and against the x86 benchmark.

use crate::{fixture_repo, git, molt, workspace_root};

#[test]
fn demo_migration_ports_tiny_infer_and_leaves_the_user_branch_alone() {
    let dir = fixture_repo("tiny-infer");
    let repo = dir.path();
    // The suite runs tests side by side on a small machine, where benchmark
    // timings are noise; the gate itself is tested in molt-verify. Widen it
    // here (and commit the change, as a user would) so this test checks the
    // migration, not the machine's load.
    let spec = repo.join("molt.toml");
    let text = std::fs::read_to_string(&spec).unwrap().replace("max_regression = 0.10", "max_regression = 100.0");
    std::fs::write(&spec, text).unwrap();
    git(repo, &["commit", "-q", "-am", "widen the bench gate for a loaded test machine"]);
    let head_before = git(repo, &["rev-parse", "HEAD"]);

    // One bench run per check keeps the suite quick; the gate still applies.
    let out = molt(repo, &["run", "--json", "--jobs", "2", "--bench-runs", "1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));

    let events: Vec<serde_json::Value> =
        stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    let kinds = |k: &str| events.iter().filter(|e| e["event"] == k).count();
    let summary = events.iter().find(|e| e.get("summary").is_some()).expect("summary line")["summary"].clone();
    let tasks = summary["committed"].as_u64().unwrap() as usize;
    assert!(tasks >= 10, "{summary}");
    assert_eq!(kinds("task_committed"), tasks);
    assert_eq!(kinds("task_failed"), 0);
    assert_eq!(summary["coverage"]["unmapped"], 0);
    assert_eq!(summary["coverage"]["rules"], summary["coverage"]["total"]);
    let finals: Vec<(String, String)> = summary["final_checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_owned(), c["outcome"].as_str().unwrap().to_owned()))
        .collect();
    assert_eq!(
        finals,
        [
            ("x86-test".to_owned(), "pass".to_owned()),
            ("arm64-test".to_owned(), "fixed".to_owned()),
            ("arm64-vs-x86".to_owned(), "fixed".to_owned()),
            ("x86-bench".to_owned(), "pass".to_owned()),
        ]
    );

    // Every commit names its task and the checks that passed.
    let log = git(
        repo,
        &[
            "log",
            "--format=%(trailers:key=Molt-Task,valueonly)%(trailers:key=Molt-Agent,valueonly)",
            "main..molt/graviton-port",
        ],
    );
    assert_eq!(log.lines().filter(|l| l.trim() == "rules").count(), tasks, "{log}");

    // The user's branch, index and working tree are as they were.
    assert_eq!(git(repo, &["rev-parse", "HEAD"]), head_before);
    assert_eq!(git(repo, &["status", "--porcelain"]), "");

    // The wrapper headers arrive as shipped, each with the part both share
    // (molt_simd_derived.h) written in; the rest of the diff is reviewed as a snapshot.
    let data = workspace_root().join("crates/molt-recipes/data/x86-to-neon");
    let derived = std::fs::read_to_string(data.join("molt_simd_derived.h")).unwrap();
    for h in ["molt_simd_neon.h", "molt_simd_scalar.h"] {
        let source = std::fs::read_to_string(data.join(h)).unwrap();
        let shipped: String = source
            .split_inclusive('\n')
            .map(|l| if l.starts_with("#include \"molt_simd_derived.h\"") { derived.as_str() } else { l })
            .collect();
        assert!(source.contains("#include \"molt_simd_derived.h\"") && !shipped.contains("molt_simd_derived.h\""));
        assert_eq!(git(repo, &["show", &format!("molt/graviton-port:src/{h}")]), shipped);
    }
    let diff = git(
        repo,
        &[
            "diff",
            "main...molt/graviton-port",
            "--",
            ".",
            ":(exclude)src/molt_simd_neon.h",
            ":(exclude)src/molt_simd_scalar.h",
        ],
    );
    let diff: String = diff.lines().filter(|l| !l.starts_with("index ")).collect::<Vec<_>>().join("\n");
    insta::assert_snapshot!("demo_diff", diff);
}
