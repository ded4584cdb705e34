use molt_core::{Site, Task, TaskId};

use super::*;

fn task() -> Task {
    Task {
        id: TaskId::new("t03-gather8"),
        title: "Port gather8 in src/ops.c (x86-to-neon)".to_owned(),
        instruction: "This item uses x86 intrinsics or types the mapping table lacks.".to_owned(),
        files: vec!["src/ops.c".to_owned()],
        sites: vec![Site {
            kind: "x86-intrinsic".to_owned(),
            path: "src/ops.c".to_owned(),
            symbol: Some("src/ops.c::gather8".to_owned()),
            line: 12,
            start: 300,
            end: 340,
            text: "_mm256_i32gather_ps(table, vi, 4)".to_owned(),
        }],
        depends_on: vec![TaskId::new("t01-ops-x86-header")],
        checks: vec![],
        estimate_tokens: 1800,
    }
}

#[test]
fn coder_system_prompt() {
    let protected = vec!["tests/**".to_owned(), "molt.toml".to_owned()];
    let text = coder_system(&CoderSystem {
        goal: "Port the AVX2 kernels to NEON; keep x86.",
        recipe: Some("x86-to-neon"),
        protected: &protected,
        checks: vec!["x86-test", "arm64-test"],
    })
    .unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn coder_task_prompt_with_history() {
    let t = task();
    let unmapped = vec!["src/ops.c:12: `_mm256_i32gather_ps` has no mapping".to_owned()];
    let history = vec!["checks failed: x86-test (1 passed, 1 failed)".to_owned()];
    let text = coder_task(&CoderTask {
        task: &t,
        unmapped: &unmapped,
        symbols: vec![SymbolText {
            path: "src/ops.c::gather8".to_owned(),
            start_line: 10,
            end_line: 15,
            text: "void gather8(const float *table, const int *idx, float *out)\n{\n}".to_owned(),
        }],
        history: &history,
    })
    .unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn check_failure_prompt() {
    let text = check_failure(&[
        CheckReport {
            name: "x86-test".to_owned(),
            outcome: "fail".to_owned(),
            detail: "1 passed, 1 failed".to_owned(),
            failing: vec!["gather8".to_owned()],
            output: "FAIL - gather8: lane 3 is 4, want 3\n1 passed, 1 failed".to_owned(),
        },
        CheckReport {
            name: "arm64-test".to_owned(),
            outcome: "still failing".to_owned(),
            detail: "exit code 2".to_owned(),
            failing: vec![],
            output: String::new(),
        },
    ])
    .unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn planner_prompts() {
    let system =
        planner_system(&PlannerSystem { checks: vec!["x86-test (test)".to_owned(), "bench (bench)".to_owned()] })
            .unwrap();
    insta::assert_snapshot!("planner_system", system);
    let t = task();
    let request = PlannerRequest {
        goal: "Port the AVX2 kernels to NEON; keep x86.",
        map: "src/ops.c (26 lines)\n  gather8: void gather8(const float *table, const int *idx, float *out) -> _mm256_i32gather_ps\n",
        sites: vec![PlannerSite {
            location: "src/ops.c:12".to_owned(),
            kind: "x86-intrinsic".to_owned(),
            text: "_mm256_i32gather_ps(table, vi, 4)".to_owned(),
        }],
        tasks: vec![PlannerTask {
            id: t.id.to_string(),
            title: t.title.clone(),
            files: t.files.clone(),
            sites: vec![0],
            after: vec!["t01-ops-x86-header".to_owned()],
        }],
    };
    insta::assert_snapshot!("planner_task", planner_task(&request).unwrap());
}
