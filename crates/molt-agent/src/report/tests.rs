use std::collections::BTreeMap;

use molt_core::{CheckKind, Plan, Site, Spec, Task, TaskId, TaskState};
use molt_verify::{Baseline, BenchMetric, BenchResult, CheckResult, Status, TestCounts, TestFormat};

use super::svg::{bar_chart, Bar};
use super::*;
use crate::state::{CheckSummary, ModelSpent, RunState, TaskRecord};

const SPEC: &str = r#"
[migration]
name = "mini-port"
goal = "Port the <AVX2> kernels to NEON & keep x86 \"fast\"."
recipe = "x86-to-neon"

[[check]]
name = "x86-test"
run = "make test"
kind = "test"

[[check]]
name = "arm64-test"
run = "make test CC=aarch64-linux-gnu-gcc"
kind = "test"

[[check]]
name = "bench"
run = "make bench"
kind = "bench"
max_regression = 0.05
"#;

fn site(path: &str, line: usize) -> Site {
    Site {
        kind: "x86-intrinsic".to_owned(),
        path: path.to_owned(),
        symbol: None,
        line,
        start: 0,
        end: 1,
        text: "_mm256_add_ps".to_owned(),
    }
}

fn task(id: &str, title: &str, sites: Vec<Site>, deps: &[&str]) -> Task {
    Task {
        id: TaskId::new(id),
        title: title.to_owned(),
        instruction: String::new(),
        files: Vec::new(),
        sites,
        depends_on: deps.iter().map(|d| TaskId::new(*d)).collect(),
        checks: Vec::new(),
        estimate_tokens: 0,
    }
}

fn summary(name: &str, outcome: &str, detail: &str) -> CheckSummary {
    CheckSummary {
        name: name.to_owned(),
        outcome: outcome.to_owned(),
        blocking: outcome == "fail",
        detail: detail.to_owned(),
        duration_ms: 10,
    }
}

fn result(name: &str, kind: CheckKind, passed: bool) -> CheckResult {
    CheckResult::builder(name, kind)
        .exit_code(Some(if passed { 0 } else { 2 }))
        .status(if passed { Status::Pass } else { Status::Fail })
        .duration_ms(100)
        .network_isolated(true)
        .build()
}

fn metric(name: &str, unit: &str, median: f64, spread: f64, higher_is_better: bool) -> BenchMetric {
    BenchMetric {
        name: name.to_owned(),
        unit: unit.to_owned(),
        values: vec![median],
        median,
        min: median,
        max: median,
        spread,
        higher_is_better,
    }
}

/// A finished run: two tasks committed (rules, model), one failed with an
/// unmapped site, one blocked behind it.
fn fixture() -> (Spec, Plan, RunState, Baseline) {
    let spec = Spec::parse("molt.toml", SPEC).unwrap();
    let plan = Plan {
        version: 1,
        migration: "mini-port".to_owned(),
        tasks: vec![
            task("header", "Add the NEON header", vec![site("src/ops.h", 3)], &[]),
            task("sum8", "Port sum8", vec![site("src/ops.c", 10), site("src/ops.c", 11)], &["header"]),
            task("gather8", "Port gather8", vec![site("src/ops.c", 20)], &["header"]),
            task("glue", "Wire <it> up", Vec::new(), &["gather8"]),
        ],
    };
    let mut tasks = BTreeMap::new();
    tasks.insert(
        TaskId::new("header"),
        TaskRecord {
            state: TaskState::Committed,
            attempts: 1,
            agent: Some("rules".to_owned()),
            commit: Some("0123456789abcdef0123456789abcdef01234567".to_owned()),
            checks: vec![summary("x86-test", "pass", "3 passed, 0 failed")],
            sites_rules: 1,
            ..TaskRecord::pending()
        },
    );
    tasks.insert(
        TaskId::new("sum8"),
        TaskRecord {
            state: TaskState::Committed,
            attempts: 2,
            agent: Some("model".to_owned()),
            commit: Some("89abcdef0123456789abcdef0123456789abcdef".to_owned()),
            checks: vec![summary("x86-test", "pass", "3 passed, 0 failed"), summary("arm64-test", "fixed", "")],
            tokens: 12_345,
            cost_usd: 0.0421,
            sites_rules: 1,
            sites_model: 1,
            ..TaskRecord::pending()
        },
    );
    tasks.insert(
        TaskId::new("gather8"),
        TaskRecord {
            state: TaskState::Failed,
            attempts: 1,
            agent: Some("rules".to_owned()),
            unmapped: vec!["src/ops.c:20: _mm256_i32gather_ps has no <NEON> mapping".to_owned()],
            error: Some("1 site(s) the rules cannot map | and no model".to_owned()),
            ..TaskRecord::pending()
        },
    );
    tasks.insert(TaskId::new("glue"), TaskRecord { state: TaskState::Blocked, ..TaskRecord::pending() });
    let state = RunState {
        version: 1,
        run: "run-1".to_owned(),
        migration: "mini-port".to_owned(),
        branch: "molt/mini-port".to_owned(),
        base: "fedcba9876543210fedcba9876543210fedcba98".to_owned(),
        tasks,
        final_checks: vec![
            summary("x86-test", "pass", "3 passed, 0 failed (baseline ran 3)"),
            summary("arm64-test", "fixed", "3 passed, 0 failed"),
            summary(
                "bench",
                "pass",
                "kernel 102 ms ±1.0% vs 100 ms ±0.5%: 2.0% worse (max 5.0%); \
                 throughput 1100.5 op/s ±2.5% vs 1000 op/s ±1.5%: 10.0% better (max 5.0%)",
            ),
        ],
        finished: true,
        spent: Some(ModelSpent {
            run: molt_core::budget::Spent { usd: 0.05, tokens: 15_000, calls: 4 },
            tasks: BTreeMap::new(),
        }),
    };
    let mut x86 = result("x86-test", CheckKind::Test, true);
    x86.counts = Some(TestCounts { format: TestFormat::Plain, passed: 3, failed: 0, skipped: 0 });
    let arm = result("arm64-test", CheckKind::Test, false);
    let mut bench = result("bench", CheckKind::Bench, true);
    bench.bench = Some(BenchResult {
        runs: 3,
        metrics: vec![metric("kernel", "ms", 100.0, 0.005, false), metric("throughput", "op/s", 1000.0, 0.015, true)],
    });
    let baseline = Baseline::from_results([x86, arm, bench], Some(state.base.clone()));
    (spec, plan, state, baseline)
}

fn report() -> Report {
    let (spec, plan, state, baseline) = fixture();
    build(&spec, &plan, &state, &baseline, "2024-01-02T03:04:05Z")
}

#[test]
fn markdown_shows_goal_tasks_checks_benchmarks_and_unmapped_sites() {
    insta::assert_snapshot!(markdown(&report()));
}

#[test]
fn json_report_is_plain_data() {
    insta::assert_json_snapshot!(report());
}

#[test]
fn build_counts_states_and_compares_benchmarks() {
    let r = report();
    assert_eq!(r.states, StateCounts { committed: 2, failed: 1, blocked: 1, running: 0, pending: 0 });
    assert!(!r.passed);
    assert_eq!(r.tasks.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(), ["header", "sum8", "gather8", "glue"]);
    assert_eq!(r.spent, Spent { tokens: 15_000, cost_usd: 0.05, calls: 4 });
    assert_eq!(r.coverage.unmapped, 1);
    assert_eq!(
        r.unmapped,
        [UnmappedSite {
            task: "gather8".to_owned(),
            location: "src/ops.c:20".to_owned(),
            reason: "_mm256_i32gather_ps has no <NEON> mapping".to_owned(),
        }]
    );
    let kernel = &r.benchmarks[0];
    assert_eq!(kernel.after, Some(Measure { median: 102.0, spread: 0.01 }));
    assert!((kernel.change.unwrap() - 0.02).abs() < 1e-9);
    assert_eq!(kernel.regressed, Some(false));
    let tp = &r.benchmarks[1];
    assert!((tp.change.unwrap() + 0.1005).abs() < 1e-9, "{:?}", tp.change);
    assert!(r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn an_unfinished_run_says_there_are_no_final_checks() {
    let (spec, plan, mut state, baseline) = fixture();
    state.finished = false;
    state.final_checks.clear();
    state.spent = None;
    let r = build(&spec, &plan, &state, &baseline, "t");
    assert_eq!(r.notes, ["The run has not finished: there are no final checks yet."]);
    assert!(r.benchmarks.iter().all(|b| b.after.is_none() && b.change.is_none()));
    assert_eq!(r.checks[0].after, None);
    // Without the state's spending, the tasks' sums stand in.
    assert_eq!(r.spent.tokens, 12_345);
    assert!(markdown(&r).contains("| bench | kernel | 100 ms ±0.5% | - | - | 5.0% |"));
}

#[test]
fn a_final_bench_without_metrics_is_noted() {
    let (spec, plan, mut state, baseline) = fixture();
    state.final_checks[2].detail = "exit code 2".to_owned();
    state.final_checks[2].outcome = "fail".to_owned();
    let r = build(&spec, &plan, &state, &baseline, "t");
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
    assert!(r.notes[0].contains("\"kernel\" has no final measurement"), "{:?}", r.notes);
}

#[test]
fn checks_that_ran_with_the_network_are_named() {
    let (mut spec, plan, state, mut baseline) = fixture();
    for (name, result) in baseline.checks.iter_mut() {
        result.network_isolated = name != "x86-test" && name != "arm64-test";
    }
    spec.checks.iter_mut().filter(|c| c.name == "arm64-test").for_each(|c| c.sandbox.network = true);
    let r = build(&spec, &plan, &state, &baseline, "t");
    assert_eq!(
        r.notes,
        [
            "Checks ran WITHOUT network isolation (this machine could not give them a network namespace): \"x86-test\".",
            "Checks with network access, as the spec allows (sandbox.network): \"arm64-test\".",
        ]
    );
    assert!(markdown(&r).contains("WITHOUT network isolation"), "{}", markdown(&r));
}

fn check_measure(detail: &str, name: &str, unit: &str, expect: Option<(f64, f64)>) {
    let got = parse_measure(detail, name, unit).map(|m| (m.median, (m.spread * 1e6).round() / 1e6));
    assert_eq!(got, expect, "{detail:?} {name:?} {unit:?}");
}

#[test]
fn parse_measure_reads_what_verdicts_write() {
    check_measure("kernel 120 ms ±1.0% vs 100 ms ±0.5%: 20.0% worse (max 5.0%)", "kernel", "ms", Some((120.0, 0.01)));
    check_measure("kernel 120 ms ±1.0%", "kernel", "ms", Some((120.0, 0.01)));
    check_measure("tok/s 31.25 ±0.2% vs 30 ±0.1%: 4.2% better (max 5.0%)", "tok/s", "", Some((31.25, 0.002)));
    check_measure("3 passed, 0 failed; a b 1.5 ns ±3.0%", "a b", "ns", Some((1.5, 0.03)));
    check_measure("kernel 120 ms ±1.0%", "kern", "ms", None);
    check_measure("kernel 120 us ±1.0%", "kernel", "ms", None);
    check_measure("kernel regressed", "kernel", "ms", None);
    check_measure("kernel x ms ±1.0%", "kernel", "ms", None);
    check_measure("", "kernel", "ms", None);
}

#[test]
fn html_is_self_contained_and_escapes_every_string() {
    let page = html(&report());
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("default-src 'none'"));
    for bad in ["<script", "src=", "<img", "@import", "url(", "https://", "<AVX2>", "<NEON>", "<it>"] {
        assert!(!page.contains(bad), "{bad} in the page");
    }
    // The only URL is the SVG namespace, which nothing loads.
    assert_eq!(page.matches("http://").count(), page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count());
    assert!(page.contains("Port the &lt;AVX2&gt; kernels to NEON &amp; keep x86 &quot;fast&quot;."));
    assert!(page.contains("_mm256_i32gather_ps has no &lt;NEON&gt; mapping"));
    assert!(page.contains("Wire &lt;it&gt; up"));
    // One chart each for states, sites, tokens, cost, and per bench metric.
    assert_eq!(page.matches("<svg ").count(), 6);
    assert!(page.contains("bench / kernel (ms)"));
    assert!(page.contains("Generated by molt at 2024-01-02T03:04:05Z."));
}

#[test]
fn markdown_escapes_what_would_become_markup() {
    let md = markdown(&report());
    assert!(md.contains("Port the \\<AVX2\\> kernels"), "{md}");
    assert!(md.contains("1 site(s) the rules cannot map \\| and no model"), "{md}");
    assert!(md.contains("| `src/ops.c:20` | gather8 | \\_mm256\\_i32gather\\_ps has no \\<NEON\\> mapping |"), "{md}");
}

#[test]
fn html_escape() {
    assert_eq!(html::esc(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
    assert_eq!(html::esc("plain ±1.0%"), "plain ±1.0%");
}

#[test]
fn bar_widths_are_proportional_to_values() {
    let svg = bar_chart(
        "T",
        &[Bar::new("a", 2.0, "2", "#000"), Bar::new("b", 1.0, "1", "#000"), Bar::new("c", 0.0, "0", "#000")],
    );
    assert!(svg.contains(r#"width="320.0""#), "{svg}");
    assert!(svg.contains(r#"width="160.0""#), "{svg}");
    assert!(svg.contains(r#"width="0.0""#), "{svg}");
    assert_eq!(svg.matches("<rect ").count(), 3);
}

#[test]
fn a_whisker_widens_the_scale_and_long_labels_are_cut() {
    let mut bar = Bar::new("a label that is far too long to fit beside a bar", 100.0, "100 ms ±25%", "#000");
    bar.whisker = Some((75.0, 125.0));
    let svg = bar_chart("T", &[bar]);
    assert!(svg.contains(r#"width="256.0""#), "{svg}");
    assert!(svg.contains("a label that is far too lon…</text>"), "{svg}");
    assert!(svg.contains("<title>a label that is far too long to fit beside a bar: 100 ms ±25%</title>"), "{svg}");
}

#[test]
fn an_empty_chart_says_so() {
    let svg = bar_chart("Tokens per task", &[]);
    assert!(svg.contains("nothing to show"));
    assert!(!svg.contains("<rect"));
}

#[test]
fn write_reports_writes_three_files_under_dot_molt() {
    let (spec, plan, state, baseline) = fixture();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".molt")).unwrap();
    std::fs::write(dir.path().join(".molt/plan.json"), plan.to_json()).unwrap();
    let ws = Workspace::new(dir.path());
    ws.save_state(&state).unwrap();
    ws.save_baseline(&baseline).unwrap();
    let paths = write_reports(&ws, &spec).unwrap();
    let names: Vec<_> = paths.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["report.md", "report.json", "report.html"]);
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&paths[1]).unwrap()).unwrap();
    assert_eq!(json["migration"], "mini-port");
    assert_eq!(json["benchmarks"].as_array().unwrap().len(), 2);
    assert!(std::fs::read_to_string(&paths[0]).unwrap().starts_with("# molt report: mini-port"));
}

#[test]
fn write_reports_without_a_run_is_an_error() {
    let (spec, plan, _, _) = fixture();
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    assert!(write_reports(&ws, &spec).unwrap_err().to_string().contains("no plan"));
    std::fs::create_dir_all(dir.path().join(".molt")).unwrap();
    std::fs::write(dir.path().join(".molt/plan.json"), plan.to_json()).unwrap();
    assert!(write_reports(&ws, &spec).unwrap_err().to_string().contains("no run"));
}

#[test]
fn the_pull_request_carries_the_report_under_molts_marker() {
    let r = report();
    let pr = pull_request(&r);
    assert_eq!(pr.title, "molt: mini-port (incomplete)");
    assert!(pr.body.starts_with(PULL_REQUEST_MARKER), "{}", pr.body);
    // The report's own heading is the title's job.
    assert!(!pr.body.contains("# molt report:"), "{}", pr.body);
    for section in ["## Tasks", "## Checks", "## Benchmarks", "## Unmapped sites"] {
        assert!(pr.body.contains(section), "{section} missing:\n{}", pr.body);
    }
    assert!(pr.body.contains(&markdown(&r).lines().skip(2).collect::<Vec<_>>().join("\n")));
    insta::assert_snapshot!(pr.body);

    let mut done = r.clone();
    done.passed = true;
    assert_eq!(pull_request(&done).title, "molt: mini-port");
    let mut running = r;
    running.finished = false;
    assert_eq!(pull_request(&running).title, "molt: mini-port (not finished)");
}

#[test]
fn the_pull_request_redacts_secrets_the_run_printed() {
    let token = format!("ghp_{}", "A1b2C3d4".repeat(5));
    let mut r = report();
    r.tasks[2].error = Some(format!("the test printed GITHUB_TOKEN={token}"));
    r.goal = format!("port; key {token}");
    let pr = pull_request(&r);
    // Not even escaped for markdown (`ghp\_...`).
    assert!(!pr.body.contains(&"A1b2C3d4".repeat(5)), "{}", pr.body);
    assert!(pr.body.contains("[REDACTED"), "{}", pr.body);
}
