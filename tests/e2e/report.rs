//! `molt report` after a rules-only run of mini-gather: gather8 uses an AVX2
//! gather the rules cannot map, so its task fails with unmapped sites and the
//! report must show them. The HTML page is loaded in headless Chromium.

use std::path::PathBuf;
use std::process::Command;

use crate::{fixture_repo, git, molt};

/// mini-gather without its `[model]` table (committed, as a user would), run
/// to the end, then `molt report --json`; returns the repo and the paths the
/// command printed.
fn run_and_report() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = fixture_repo("mini-gather");
    let repo = dir.path();
    let spec = repo.join("molt.toml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let mut spec_value: toml::Table = text.parse().unwrap();
    assert!(spec_value.remove("model").is_some(), "mini-gather's molt.toml has a [model] table");
    std::fs::write(&spec, toml::to_string(&spec_value).unwrap()).unwrap();
    git(repo, &["commit", "-q", "-am", "rules only"]);

    let out = molt(repo, &["run", "--jobs", "2"]);
    assert_eq!(out.status.code(), Some(1), "a run with an unmapped site is incomplete: {out:?}");

    let out = molt(repo, &["report", "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{}", String::from_utf8_lossy(&out.stderr));
    let line: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let paths: Vec<PathBuf> =
        line["report"].as_array().unwrap().iter().map(|p| PathBuf::from(p.as_str().unwrap())).collect();
    (dir, paths)
}

#[test]
fn report_shows_tasks_checks_coverage_and_unmapped_sites() {
    let (dir, paths) = run_and_report();
    let molt_dir = dir.path().join(".molt").canonicalize().unwrap();
    let names: Vec<_> = paths.iter().map(|p| p.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["report.md", "report.json", "report.html"]);
    for p in &paths {
        assert_eq!(p.parent().unwrap().canonicalize().unwrap(), molt_dir, "{}", p.display());
    }

    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&paths[1]).unwrap()).unwrap();
    assert_eq!(json["migration"], "mini-port");
    assert_eq!(json["finished"], true);
    assert_eq!(json["passed"], false);
    assert_eq!(json["states"]["failed"], 1);
    let unmapped = json["unmapped"].as_array().unwrap();
    assert!(!unmapped.is_empty());
    assert!(
        unmapped.iter().all(|u| u["location"].as_str().unwrap().starts_with("src/ops.c:")
            && u["reason"].as_str().unwrap().contains("__builtin_ia32_gathersiv8sf")),
        "{unmapped:?}"
    );
    assert_eq!(json["coverage"]["unmapped"].as_u64().unwrap() as usize, unmapped.len());

    let page = std::fs::read_to_string(&paths[2]).unwrap();
    assert!(page.contains("__builtin_ia32_gathersiv8sf"));
    assert!(!page.contains("<script"));

    let md = std::fs::read_to_string(&paths[0]).unwrap();
    insta::with_settings!({
        filters => vec![
            (r"Generated at: \S+", "Generated at: [time]"),
            (r"`[0-9a-f]{12}`", "`[commit]`"),
        ]
    }, {
        insta::assert_snapshot!(md);
    });

    // A second report of the same run differs only in its time stamp.
    let first = std::fs::read_to_string(&paths[1]).unwrap();
    let out = molt(dir.path(), &["report"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.lines().any(|l| l.starts_with("wrote ") && l.ends_with("report.html")), "{stdout}");
    assert_eq!(without_stamp(&first), without_stamp(&std::fs::read_to_string(&paths[1]).unwrap()));
}

/// `report.json` with its `generated_at` line blanked.
fn without_stamp(json: &str) -> String {
    json.lines().filter(|l| !l.trim_start().starts_with("\"generated_at\"")).collect::<Vec<_>>().join("\n")
}

#[test]
fn report_without_a_run_is_a_usage_error() {
    let dir = fixture_repo("mini-gather");
    let out = molt(dir.path(), &["report"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("molt run"), "{out:?}");
}

/// Loads the page in headless Chromium: no console message (a CSP violation
/// for anything the page tried to load shows up as one), the DOM has the
/// report, and the screenshot is not one flat color.
#[test]
fn report_html_renders_in_headless_chromium() {
    let chromium = chromium()
        .expect("chromium is not installed and could not be installed (apt-get install -y chromium); `cargo xtask test` installs it");
    let (dir, paths) = run_and_report();
    let page = &paths[2];
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let work = tempfile::tempdir().unwrap();
    let png = work.path().join("report.png");
    let base_args = |profile: &str| -> Vec<String> {
        [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", work.path().join(profile).display())])
        .collect()
    };

    let shot = Command::new(&chromium)
        .args(base_args("shot"))
        .args([format!("--screenshot={}", png.display()), "--window-size=1200,900".to_owned(), url.clone()])
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&shot.stderr);
    assert!(shot.status.success(), "chromium --screenshot failed:\n{log}");
    assert_no_console_messages(&log);

    let dom = Command::new(&chromium).args(base_args("dom")).args(["--dump-dom".to_owned(), url]).output().unwrap();
    let log = String::from_utf8_lossy(&dom.stderr);
    assert!(dom.status.success(), "chromium --dump-dom failed:\n{log}");
    assert_no_console_messages(&log);
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(html.contains("molt report: mini-port"), "{html}");
    assert!(html.contains("<svg"), "{html}");

    let decoder = png::Decoder::new(std::fs::File::open(&png).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 900));
    let pixels = &buf[..info.buffer_size()];
    let px = info.color_type.samples() * if info.bit_depth == png::BitDepth::Sixteen { 2 } else { 1 };
    let first = &pixels[..px];
    let differing = pixels.chunks_exact(px).filter(|p| *p != first).count();
    // Text, tables and colored bars: far more than a few stray pixels.
    assert!(differing > 10_000, "the screenshot is (almost) blank: {differing} pixels differ from the first");
    drop(dir);
}

pub(crate) fn assert_no_console_messages(log: &str) {
    let console: Vec<&str> = log.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages while loading the report:\n{}", console.join("\n"));
}

/// Chromium on PATH, installed with apt-get when missing and we are root.
/// Under CI a missing Chromium is a failure, not a skip.
pub(crate) fn chromium() -> Option<PathBuf> {
    if let Some(p) = find_program(&["chromium", "chromium-browser"]) {
        return Some(p);
    }
    let root = Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    if root && find_program(&["apt-get"]).is_some() {
        let _ = Command::new("apt-get").arg("update").env("DEBIAN_FRONTEND", "noninteractive").status();
        let _ = Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "chromium"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status();
    }
    let found = find_program(&["chromium", "chromium-browser"]);
    assert!(
        found.is_some() || std::env::var_os("CI").is_none(),
        "CI is set but chromium is missing and `apt-get install -y chromium` did not provide it"
    );
    found
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).flat_map(|dir| names.iter().map(move |n| dir.join(n))).find(|p| p.is_file())
}
