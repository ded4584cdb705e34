use super::*;
use crate::result::*;

fn result(index: usize, name: &str, outcome: Outcome, reason: Option<&str>) -> UnitResult {
    let migrated = outcome == Outcome::Migrated;
    UnitResult {
        version: crate::result::VERSION,
        molt_version: "0.1.0".into(),
        repository: Repository { url: format!("file:///git/{name}"), name: name.into(), labels: vec!["c".into()] },
        index: Some(index),
        revision: Revision { requested: None, commit: Some("0123456789abcdef".into()) },
        migration: Some(Migration { name: "libnew".into(), spec_from: "fleet".into(), spec: "molt.toml".into() }),
        outcome,
        reason: reason.map(str::to_owned),
        coverage: (outcome != Outcome::Error).then(|| Coverage {
            total: 4,
            rules: if migrated { 4 } else { 1 },
            ..Coverage::default()
        }),
        tasks: None,
        checks: Checks::default(),
        branch: migrated.then(|| Branch {
            name: "molt/libnew".into(),
            base: "b".into(),
            tip: "t".into(),
            commits: vec!["c1".into(), "c2".into()],
            push: PushAction::Created,
        }),
        pull_request: migrated.then(|| PullRequest {
            repo: format!("acme/{name}"),
            number: index as u64 + 1,
            url: format!("http://gh/acme/{name}/pull/{}", index + 1),
            action: PullAction::Created,
        }),
        up_to_date: false,
        tokens: 100,
        cost_usd: 0.25,
        budget_usd: None,
        started_at: "2026-01-01T00:00:00Z".into(),
        duration_ms: 1500 * (index as u64 + 1),
        error: (outcome == Outcome::Error)
            .then(|| UnitError { stage: Stage::Clone, message: "could not clone <x>: no such repo".into() }),
    }
}

fn fleet() -> Vec<UnitResult> {
    vec![
        result(0, "alpha", Outcome::Migrated, None),
        result(1, "beta", Outcome::ChecksFailed, Some("checks failed")),
        result(2, "gamma", Outcome::Error, Some("clone failed")),
        result(3, "delta", Outcome::ChecksFailed, Some("checks failed")),
        result(4, "eps|ilon", Outcome::Migrated, None),
    ]
}

#[test]
fn counts_outcomes_totals_and_groups_failures() {
    let r = build("demo", &fleet(), "now");
    assert_eq!(r.repositories, 5);
    let counts: Vec<(String, usize)> = r.outcomes.iter().map(|(o, n)| (o.to_string(), *n)).collect();
    assert_eq!(
        counts,
        [
            ("migrated".to_owned(), 2),
            ("checks_failed".to_owned(), 2),
            ("incomplete".to_owned(), 0),
            ("error".to_owned(), 1)
        ]
    );
    assert_eq!(r.failures.len(), 2);
    assert_eq!(r.failures[0].reason, "checks failed");
    assert_eq!(r.failures[0].repositories, ["beta", "delta"]);
    assert_eq!(r.failures[1].reason, "clone failed");
    assert_eq!(r.totals.sites, 16);
    assert_eq!(r.totals.sites_migrated, 10);
    assert_eq!(r.totals.commits, 4);
    assert_eq!(r.totals.tokens, 500);
    assert!((r.totals.cost_usd - 1.25).abs() < 1e-9);
    assert_eq!(r.totals.duration_ms, 1500 * 15);
    assert_eq!(r.pull_requests.open, 2);
    assert_eq!(r.pull_requests.created, 2);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["outcomes"]["checks_failed"], 2);
}

#[test]
fn a_retried_index_counts_once_with_its_later_result() {
    let mut results = fleet();
    let mut retry = result(1, "beta", Outcome::Migrated, None);
    retry.started_at = "2026-01-01T00:05:00Z".into();
    results.insert(0, retry);
    let r = build("demo", &results, "now");
    assert_eq!(r.repositories, 5);
    assert_eq!(r.superseded, 1);
    assert_eq!(r.outcomes[&Outcome::Migrated], 3);
    assert_eq!(r.failures[0].repositories, ["delta"]);
}

#[test]
fn markdown_and_html_show_every_repository_and_escape_what_they_show() {
    let r = build("demo <fleet>", &fleet(), "now");
    let md = markdown(&r);
    assert!(md.starts_with("# molt fleet report: demo \\<fleet\\>\n"), "{md}");
    assert!(md.contains("2 of 5 repositories migrated (40%)."), "{md}");
    assert!(md.contains("| checks failed (2) | beta, delta |"), "{md}");
    assert!(md.contains("| 4 | eps\\|ilon | migrated | 4 of 4 | 2 | http://gh/acme/eps\\|ilon/pull/5 |"), "{md}");
    assert!(md.contains("error: could not clone \\<x\\>: no such repo"), "{md}");
    let page = html(&r);
    assert!(page.contains("<title>molt fleet report: demo &lt;fleet&gt;</title>"));
    assert!(page.contains("could not clone &lt;x&gt;"));
    assert!(!page.contains("<x>") && !page.contains("<script"));
    assert_eq!(page.matches("<svg").count(), 2);
    assert!(page.contains("Content-Security-Policy"));
}

#[test]
fn load_reads_result_files_to_any_depth_and_refuses_others() {
    let dir = tempfile::tempdir().unwrap();
    let results = fleet();
    results[0].write(&dir.path().join("result-0.json")).unwrap();
    results[1].write(&dir.path().join("result-1/result.json")).unwrap();
    std::fs::write(dir.path().join("fleet-report.json"), "{}").unwrap();
    let loaded = load(dir.path()).unwrap();
    assert_eq!(loaded, results[..2]);

    std::fs::write(dir.path().join("other.json"), "{\"version\": 9}").unwrap();
    let err = load(dir.path()).unwrap_err().to_string();
    assert!(err.ends_with("other.json: result format version 9; this molt reads version 1"), "{err}");
    std::fs::write(dir.path().join("other.json"), "not json").unwrap();
    assert!(load(dir.path()).unwrap_err().to_string().contains("other.json: not a molt result file"));

    let empty = tempfile::tempdir().unwrap();
    assert!(load(empty.path()).unwrap_err().to_string().ends_with("no result files (*.json) in this folder"));
}
