//! The fleet examples validate with the validators their ecosystems use:
//! actionlint and GitHub's workflow schema (vendored in check-jsonschema)
//! for the workflow, kubernetes-validate's bundled schemas (offline, strict)
//! for the Indexed Job. Each validator is also shown a broken copy, so a
//! validator that passes everything fails the test. The fleet file in the
//! Job's ConfigMap loads with molt's own loader.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::{molt_bin, workspace_root, Run};

fn tool(name: &str) -> PathBuf {
    let python = molt_test_support::test_python();
    let path = python.parent().unwrap().join(name);
    assert!(
        path.is_file(),
        "{} is missing: rerun `cargo xtask test`, which installs xtask/test-env/requirements.txt",
        path.display()
    );
    path
}

fn validate(program: &str, args: &[&str], file: &Path) -> Run {
    let home = tempfile::tempdir().unwrap();
    Run::from(
        Command::new(tool(program))
            .args(args)
            .arg(file)
            // No network and no user cache: kubernetes-validate reads only its bundled schemas.
            .env("HOME", home.path())
            .env("XDG_CACHE_HOME", home.path().join(".cache"))
            .output()
            .unwrap(),
    )
}

/// `file` with `from` replaced by `to`, in a temporary folder.
fn broken(file: &Path, from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.contains(from), "{} has no {from:?}", file.display());
    let copy = dir.path().join(file.file_name().unwrap());
    std::fs::write(&copy, text.replacen(from, to, 1)).unwrap();
    (dir, copy)
}

#[test]
fn the_github_actions_fleet_workflow_validates() {
    let workflow = workspace_root().join("examples/github-actions/molt-fleet.yml");
    let run = validate("actionlint", &["-no-color"], &workflow);
    assert_eq!(run.code, Some(0), "actionlint: {run}");
    let run = validate("check-jsonschema", &["--builtin-schema", "vendor.github-workflows"], &workflow);
    assert_eq!(run.code, Some(0), "check-jsonschema: {run}");

    let (_dir, bad) = broken(&workflow, "needs.matrix.outputs.matrix", "needs.matrix.outputs.nothing");
    let run = validate("actionlint", &["-no-color"], &bad);
    assert_eq!(run.code, Some(1), "actionlint passed a broken workflow: {run}");
    let (_dir, bad) = broken(&workflow, "runs-on: ubuntu-24.04", "runs-onn: ubuntu-24.04");
    let run = validate("check-jsonschema", &["--builtin-schema", "vendor.github-workflows"], &bad);
    assert_eq!(run.code, Some(1), "check-jsonschema passed a broken workflow: {run}");
}

#[test]
fn the_kubernetes_indexed_job_validates_and_its_fleet_file_loads() {
    let job = workspace_root().join("examples/kubernetes/molt-fleet-job.yaml");
    for version in ["1.33.0", "1.37.0"] {
        let run = validate("kubernetes-validate", &["--strict", "-k", version], &job);
        assert_eq!(run.code, Some(0), "kubernetes-validate {version}: {run}");
        assert_eq!(run.stdout.matches(" passed for resource ").count(), 3, "{run}");
    }
    let text = std::fs::read_to_string(&job).unwrap();
    for want in ["completionMode: Indexed", "completions:", "parallelism:", "backoffLimitPerIndex:", "secretKeyRef:"] {
        assert!(text.contains(want), "the Job lacks {want}");
    }
    let (_dir, bad) = broken(&job, "backoffLimitPerIndex: 2", "backoffLimitPerIndexx: 2");
    let run = validate("kubernetes-validate", &["--strict", "-k", "1.37.0"], &bad);
    assert_ne!(run.code, Some(0), "kubernetes-validate passed a broken Job: {run}");

    // The ConfigMap's fleet.toml and molt.toml, as the pod sees them: the
    // matrix molt prints from them has the two repositories.
    let dir = tempfile::tempdir().unwrap();
    for (key, next) in [("  fleet.toml: |\n", "  molt.toml: |\n"), ("  molt.toml: |\n", "---\n")] {
        let start = text.find(key).unwrap() + key.len();
        let end = start + text[start..].find(next).unwrap();
        let body: String =
            text[start..end].lines().map(|l| format!("{}\n", l.strip_prefix("    ").unwrap_or(l))).collect();
        std::fs::write(dir.path().join(key.trim().trim_end_matches(": |")), body).unwrap();
    }
    let out = Command::new(molt_bin())
        .args(["fleet", "matrix", "--fleet"])
        .arg(dir.path().join("fleet.toml"))
        .output()
        .unwrap();
    let run = Run::from(out);
    assert_eq!(run.code, Some(0), "{run}");
    assert_eq!(run.stdout.trim(), r#"{"include":[{"index":0,"name":"engine"},{"index":1,"name":"kernels"}]}"#);
    let completions = text.lines().find_map(|l| l.trim().strip_prefix("completions: ")).unwrap();
    assert_eq!(completions, "2", "completions is the number of repositories");
}

/// Every `molt fleet ...` the examples run is a command line molt accepts
/// (each run again with `--help`, after its arguments, so that nothing runs).
#[test]
fn the_examples_call_molt_fleet_as_it_is() {
    let mut seen = Vec::new();
    let workflow = std::fs::read_to_string(workspace_root().join("examples/github-actions/molt-fleet.yml")).unwrap();
    let mut calls: Vec<Vec<String>> = Vec::new();
    for line in workflow.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let Some(at) = line.find("molt fleet ").or_else(|| line.find("molt\" fleet ")) else { continue };
        let rest = &line[at..];
        let rest = rest[rest.find("fleet ").unwrap()..].split(')').next().unwrap();
        // Each shell variable ($CHUNK, $INDEX) stands for a number.
        let word = |a: &str| {
            let a = a.trim_matches('"');
            match a.find('$') {
                Some(i) => {
                    let end = a[i + 1..]
                        .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                        .map_or(a.len(), |e| i + 1 + e);
                    format!("{}0{}", &a[..i], &a[end..])
                }
                None => a.to_owned(),
            }
        };
        calls.push(rest.split_whitespace().map(word).collect());
    }
    let job = std::fs::read_to_string(workspace_root().join("examples/kubernetes/molt-fleet-job.yaml")).unwrap();
    let command = job.lines().find_map(|l| l.trim().strip_prefix("command: [")).expect("the Job's command");
    let words: Vec<String> =
        command.trim_end_matches(']').split(", ").map(|w| w.trim_matches('"').to_owned()).collect();
    assert_eq!(words[0], "molt");
    calls.push(words[1..].to_vec());
    for mut args in calls {
        seen.push(args[1].clone());
        args.push("--help".to_owned());
        let out = Run::from(Command::new(molt_bin()).args(&args).output().unwrap());
        assert_eq!(out.code, Some(0), "molt {}: {out}", args.join(" "));
    }
    assert_eq!(seen, ["matrix", "run", "report", "run"]);
}
