use super::coder_input::{dedupe_reasons, unmapped_reasons};
use super::worker::commit_paths;
use super::Coverage;

#[test]
fn unmapped_sites_group_by_file_and_reason_with_runs_of_lines() {
    let unmapped: Vec<String> = [
        "src/k.c:255: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:256: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:257: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:257: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:260: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:12: inline assembly",
        "src/j.c:255: `_mm256_i32gather_ps` has no mapping",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    assert_eq!(
        dedupe_reasons(&unmapped),
        [
            "src/k.c:255-257,260: `_mm256_i32gather_ps` has no mapping",
            "src/k.c:12: inline assembly",
            "src/j.c:255: `_mm256_i32gather_ps` has no mapping",
        ]
    );
}

/// The commit step's own check, the second line of defence behind the
/// writers: a forbidden path an agent wrote refuses the task, and what the
/// checks left behind (build outputs) is not committed at all.
#[test]
fn the_commit_takes_the_agents_paths_and_refuses_a_forbidden_one() {
    let policy = molt_core::PathPolicy::new(
        &["src/**".to_owned(), "Makefile".to_owned()],
        &["tests/**".to_owned()],
        "molt.toml",
    )
    .unwrap();
    let diff = || ["GNUmakefile", "Makefile", "build/cc/test", "src/a.c", "tests/t.c"].map(String::from).to_vec();
    let agents = |paths: &[&str]| paths.iter().map(|p| (*p).to_owned()).collect::<std::collections::BTreeSet<_>>();
    assert_eq!(
        commit_paths(diff(), &agents(&["src/a.c", "Makefile"]), &policy),
        Ok(vec!["Makefile".into(), "src/a.c".into()])
    );
    let refused = commit_paths(diff(), &agents(&["src/a.c", "GNUmakefile", "tests/t.c"]), &policy).unwrap_err();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].starts_with("`GNUmakefile` is outside the migration"), "{refused:?}");
    assert!(refused[1].starts_with("`tests/t.c` is protected"), "{refused:?}");
    // A path the agents wrote back unchanged is not in the diff: nothing to commit.
    assert_eq!(commit_paths(diff(), &agents(&["src/b.c"]), &policy), Ok(vec![]));
}

/// Regression: a failed task's reason repeated the same four intrinsic names
/// 17 times; each reason now comes once, with its count and first place.
#[test]
fn unmapped_reasons_name_each_reason_once_with_its_count_and_first_place() {
    let unmapped: Vec<String> = [
        "src/k.c:255: `_mm256_i32gather_ps` has no mapping",
        "src/k.c:12: inline assembly",
        "src/k.c:256: `_mm256_i32gather_ps` has no mapping",
        "src/j.c:3: `_mm256_i32gather_ps` has no mapping",
    ]
    .map(String::from)
    .to_vec();
    assert_eq!(
        unmapped_reasons(&unmapped),
        "`_mm256_i32gather_ps` has no mapping (3 sites, first at src/k.c:255); inline assembly (at src/k.c:12)"
    );
}

#[test]
fn the_coverage_line_says_where_every_site_went() {
    let c = Coverage { total: 183, rules: 2, model: 0, unmapped: 28, failed: 120, blocked: 30, pending: 3 };
    assert_eq!(
        c.line(),
        "2 of 183 sites migrated (rules: 2, model: 0, unmapped: 28); not migrated: 120 in failed tasks, 30 in blocked tasks, 3 in tasks not run yet"
    );
    assert_eq!(c.rules + c.model + c.unmapped + c.failed + c.blocked + c.pending, c.total);
    let done = Coverage { total: 214, rules: 214, ..Coverage::default() };
    assert_eq!(done.line(), "214 of 214 sites migrated (rules: 214, model: 0, unmapped: 0)");
}

/// A fleet's budget for one repository caps the spec's `max_usd`: the lower
/// of the two holds, and it applies to a model named only on the command line.
#[test]
fn a_fleets_cap_lowers_the_specs_budget_and_never_raises_it() {
    use crate::workspace::setup::{model_config, ModelOverride};
    let spec = |max: &str| {
        molt_core::Spec::parse(
            "molt.toml",
            &format!("[migration]\nname = \"p\"\ngoal = \"g\"\n\n[model]\nprovider = \"openai\"\nmodel = \"m\"\n{max}"),
        )
        .unwrap()
    };
    let capped = |spec: &molt_core::Spec, cap: Option<f64>| {
        let o = ModelOverride { max_usd: cap, ..ModelOverride::default() };
        model_config(spec, &o).unwrap().unwrap().max_usd
    };
    assert_eq!(capped(&spec("max_usd = 5.0\n"), Some(2.0)), Some(2.0));
    assert_eq!(capped(&spec("max_usd = 1.0\n"), Some(2.0)), Some(1.0));
    assert_eq!(capped(&spec(""), Some(2.0)), Some(2.0));
    assert_eq!(capped(&spec("max_usd = 5.0\n"), None), Some(5.0));
    let no_model = molt_core::Spec::parse("molt.toml", "[migration]\nname = \"p\"\ngoal = \"g\"\n").unwrap();
    let o =
        ModelOverride { provider: Some(molt_core::ProviderKind::Openai), model: Some("m".into()), max_usd: Some(3.0) };
    assert_eq!(model_config(&no_model, &o).unwrap().unwrap().max_usd, Some(3.0));
}
