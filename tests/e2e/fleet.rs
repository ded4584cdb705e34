//! A fleet of 12 local repositories (bare remotes behind `file://` URLs) run
//! the way a Kubernetes Indexed Job runs it: every index its own `molt fleet
//! run` process, four at once, the index from `JOB_COMPLETION_INDEX`, one
//! result file per index. Eight repositories migrate (libold to libnew with
//! the c-api-rename recipe file, seven with the fleet-wide spec and one with
//! its own), three have a libnew whose `new_api` is wrong so their checks
//! fail after the rename, and one's clone fails. One process is killed and
//! its index retried; a second pass shows that nothing is pushed or opened
//! twice; `molt fleet report` counts the outcomes, and its page loads in
//! headless Chromium. Pull requests go to the scripted GitHub API.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use molt_test_support::github_server::GitHubServer;
use serde_json::Value;

use crate::recipe_file::{copy_recipe, libold_repo};
use crate::{git, molt_bin, workspace_root, Run};

const TOKEN: &str = "ghs_fleet_e2e_token_0123456789";
const MIGRATING: usize = 8;
const CHECKS_FAIL: usize = 3;

struct Fleet {
    _dirs: Vec<tempfile::TempDir>,
    fleet_file: PathBuf,
    results: PathBuf,
    scratch: PathBuf,
    home: PathBuf,
    remotes: Vec<PathBuf>,
}

/// A bare remote holding `make` applied to a fresh repository.
fn remote(root: &Path, name: &str, make: impl Fn(&Path)) -> PathBuf {
    let work = root.join("work").join(name);
    std::fs::create_dir_all(&work).unwrap();
    make(&work);
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "-A"]);
    git(&work, &["-c", "user.name=T", "-c", "user.email=t@x", "commit", "-q", "-m", "libold"]);
    let bare = root.join("git").join(format!("{name}.git"));
    std::fs::create_dir_all(bare.parent().unwrap()).unwrap();
    git(root, &["clone", "-q", "--bare", work.to_str().unwrap(), bare.to_str().unwrap()]);
    bare
}

fn make_fleet() -> Fleet {
    let root = tempfile::tempdir().unwrap();
    let home = tempfile::tempdir().unwrap();
    let r = root.path();
    let fleet_dir = r.join("fleet");
    std::fs::create_dir_all(fleet_dir.join("recipes")).unwrap();
    copy_recipe(&fleet_dir.join("recipes"));
    std::fs::write(
        fleet_dir.join("molt.toml"),
        "[migration]\nname = \"libnew\"\ngoal = \"Move from libold to libnew.\"\nrecipe = \"recipes/c-api-rename\"\ninclude = [\"main.c\"]\n\n[[check]]\nname = \"test\"\nrun = \"make -s test\"\nkind = \"test\"\n",
    )
    .unwrap();

    let mut toml = String::from(
        "[fleet]\nname = \"libnew-fleet\"\nspec = \"molt.toml\"\npull_requests = true\njobs = 1\n\n[budget]\nmax_usd_per_repo = 1.0\nmax_usd = 6.0\n",
    );
    let mut remotes = Vec::new();
    for i in 0..MIGRATING {
        let name = format!("good{i}");
        let own_spec = i == MIGRATING - 1;
        let bare = remote(r, &name, |dir| {
            libold_repo(dir, "recipes/c-api-rename");
            if own_spec {
                copy_recipe(&dir.join("recipes"));
            } else {
                std::fs::remove_file(dir.join("molt.toml")).unwrap();
            }
        });
        let spec = if own_spec { "spec = \"molt.toml\"\n" } else { "" };
        let branch = if i % 2 == 0 { "branch = \"main\"\n" } else { "" };
        toml.push_str(&format!(
            "\n[[repo]]\nurl = \"file://{}\"\ngithub = \"acme/{name}\"\nlabels = [\"c\", \"team-{}\"]\n{branch}{spec}",
            bare.display(),
            i % 3
        ));
        remotes.push(bare);
    }
    for i in 0..CHECKS_FAIL {
        let name = format!("wrong{i}");
        let bare = remote(r, &name, |dir| {
            libold_repo(dir, "recipes/c-api-rename");
            std::fs::remove_file(dir.join("molt.toml")).unwrap();
            // libnew's new_api computes something else: the renamed call fails the test.
            let lib = std::fs::read_to_string(dir.join("lib.c")).unwrap();
            let wrong = lib.replace(
                "int new_api(int f, int h) { return h * 10 + f; }",
                "int new_api(int f, int h) { return h * 10 + f + 1; }",
            );
            assert_ne!(lib, wrong);
            std::fs::write(dir.join("lib.c"), wrong).unwrap();
        });
        toml.push_str(&format!("\n[[repo]]\nurl = \"file://{}\"\ngithub = \"acme/{name}\"\n", bare.display()));
        remotes.push(bare);
    }
    toml.push_str(&format!(
        "\n[[repo]]\nurl = \"file://{}/git/gone.git\"\ngithub = \"acme/gone\"\nrev = \"v1\"\n",
        r.display()
    ));
    let fleet_file = fleet_dir.join("fleet.toml");
    std::fs::write(&fleet_file, toml).unwrap();
    let results = r.join("results");
    let scratch = r.join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let home_path = home.path().to_owned();
    Fleet { _dirs: vec![root, home], fleet_file, results, scratch, home: home_path, remotes }
}

const REPOS: usize = MIGRATING + CHECKS_FAIL + 1;

/// `molt fleet run` for one index, as a pod of an Indexed Job starts it.
fn start(f: &Fleet, api: &str, index: usize) -> Child {
    let mut cmd = Command::new(molt_bin());
    cmd.args(["fleet", "run", "--json", "--fleet"])
        .arg(&f.fleet_file)
        .arg("--out-dir")
        .arg(&f.results)
        .env("JOB_COMPLETION_INDEX", index.to_string())
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_API_URL", api)
        .env("TMPDIR", &f.scratch)
        .env("HOME", &f.home)
        .env("XDG_CONFIG_HOME", f.home.join(".config"))
        .env("XDG_CACHE_HOME", f.home.join(".cache"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env_remove("GH_TOKEN")
        .env_remove("MOLT_JOBS")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd.spawn().expect("starting molt fleet run")
}

/// Runs `indices`, `at_once` processes at a time; returns each one's run.
fn pass(f: &Fleet, api: &str, indices: &[usize], at_once: usize) -> Vec<(usize, Run)> {
    let mut done = Vec::new();
    for chunk in indices.chunks(at_once) {
        let children: Vec<(usize, Child)> = chunk.iter().map(|i| (*i, start(f, api, *i))).collect();
        for (i, child) in children {
            done.push((i, Run::from(child.wait_with_output().unwrap())));
        }
    }
    done
}

fn result(f: &Fleet, index: usize) -> Value {
    let path = f.results.join(format!("result-{index}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))).unwrap()
}

fn expected(index: usize) -> (&'static str, i32) {
    if index < MIGRATING {
        ("migrated", 0)
    } else if index < MIGRATING + CHECKS_FAIL {
        ("checks_failed", 1)
    } else {
        ("error", 3)
    }
}

#[test]
fn a_fleet_runs_index_by_index_retries_one_and_opens_no_pull_request_twice() {
    let started = std::time::Instant::now();
    let f = make_fleet();
    let server = GitHubServer::start_blocking(TOKEN);
    let api = server.uri();
    let python = molt_test_support::test_python();
    let bin = python.parent().unwrap();

    // The matrix for GitHub Actions holds every index, in one chunk.
    let matrix = Command::new(molt_bin()).args(["fleet", "matrix", "--fleet"]).arg(&f.fleet_file).output().unwrap();
    let matrix = Run::from(matrix);
    assert_eq!(matrix.code, Some(0), "{matrix}");
    let chunk: Value = serde_json::from_str(matrix.stdout.trim()).unwrap();
    assert_eq!(chunk["include"].as_array().unwrap().len(), REPOS);
    assert_eq!(chunk["include"][8], serde_json::json!({"index": 8, "name": "wrong0"}));

    // Index 3 is killed mid-run, when its first task starts (its events
    // are JSON lines on stdout): it leaves no result file.
    const KILLED: usize = 3;
    let mut victim = start(&f, &api, KILLED);
    let events = std::io::BufReader::new(victim.stdout.take().unwrap());
    let mut seen = Vec::new();
    for line in std::io::BufRead::lines(events) {
        let line = line.unwrap();
        let started = line.contains("\"task_started\"");
        seen.push(line);
        if started {
            break;
        }
    }
    victim.kill().unwrap();
    let status = victim.wait().unwrap();
    assert_eq!(std::os::unix::process::ExitStatusExt::signal(&status), Some(9), "{seen:?}");
    assert!(!f.results.join(format!("result-{KILLED}.json")).exists(), "a killed unit left a result file");

    // Every other index, four processes at a time.
    let others: Vec<usize> = (0..REPOS).filter(|i| *i != KILLED).collect();
    for (i, run) in pass(&f, &api, &others, 4) {
        let (outcome, code) = expected(i);
        assert_eq!(run.code, Some(code), "index {i}: {run}");
        assert_eq!(result(&f, i)["outcome"], outcome, "index {i}: {run}");
    }
    // The retry of the killed index re-runs only that index.
    let stamps: Vec<std::time::SystemTime> = others
        .iter()
        .map(|i| std::fs::metadata(f.results.join(format!("result-{i}.json"))).unwrap().modified().unwrap())
        .collect();
    let retried = pass(&f, &api, &[KILLED], 1);
    assert_eq!(retried[0].1.code, Some(0), "{}", retried[0].1);
    for (i, stamp) in others.iter().zip(&stamps) {
        let now = std::fs::metadata(f.results.join(format!("result-{i}.json"))).unwrap().modified().unwrap();
        assert_eq!(now, *stamp, "index {i} ran again");
    }

    // What the first pass left: one pull request per migrated repository,
    // its branch on the remote, results as the schema says.
    assert_eq!(server.pulls().len(), MIGRATING);
    for i in 0..REPOS {
        let r = result(&f, i);
        assert_eq!(r["index"], i);
        assert_eq!(r["version"], 1);
        if i < MIGRATING {
            // The killed unit may have pushed, or even opened its pull
            // request, before it died; its retry found them.
            if i != KILLED {
                assert_eq!(r["pull_request"]["action"], "created", "{r}");
                assert_eq!(r["branch"]["push"], "created", "{r}");
            }
            assert_eq!(r["coverage"]["rules"], r["coverage"]["total"], "{r}");
            let tip = r["branch"]["tip"].as_str().unwrap();
            assert_eq!(git(&f.remotes[i], &["rev-parse", "refs/heads/molt/libnew"]).trim(), tip);
            assert_eq!(r["budget_usd"], 0.5, "the total's share is the lower cap: {r}");
            let from = if i == MIGRATING - 1 { "repository" } else { "fleet" };
            assert_eq!(r["migration"]["spec_from"], from);
        } else if i < MIGRATING + CHECKS_FAIL {
            assert_eq!(r["reason"], "checks failed", "{r}");
            assert_eq!(r["pull_request"], Value::Null, "{r}");
            assert_eq!(r["checks"]["before"][0]["outcome"], "pass", "{r}");
            assert_eq!(git(&f.remotes[i], &["for-each-ref", "refs/heads/molt"]), "", "nothing pushed for {i}");
        } else {
            assert_eq!(r["error"]["stage"], "clone", "{r}");
            assert_eq!(r["reason"], "clone failed", "{r}");
            assert!(r["error"]["message"].as_str().unwrap().starts_with("could not clone file://"), "{r}");
        }
    }
    // The token went to GitHub and to no file and no output.
    for i in 0..REPOS {
        let text = std::fs::read_to_string(f.results.join(format!("result-{i}.json"))).unwrap();
        assert!(!text.contains(TOKEN), "result-{i}.json holds the token");
    }
    let schema = workspace_root().join("docs/schemas/fleet-result.schema.json");
    let files: Vec<PathBuf> = (0..REPOS).map(|i| f.results.join(format!("result-{i}.json"))).collect();
    let check =
        Command::new(bin.join("check-jsonschema")).arg("--schemafile").arg(&schema).args(&files).output().unwrap();
    assert!(check.status.success(), "check-jsonschema: {}", Run::from(check));

    // The second pass changes nothing: no push, no new or edited pull request.
    let requests_before = server.requests().len();
    let all: Vec<usize> = (0..REPOS).collect();
    for (i, run) in pass(&f, &api, &all, 4) {
        assert_eq!(run.code, Some(expected(i).1), "index {i}: {run}");
        assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN), "index {i} printed the token");
        if i < MIGRATING {
            let r = result(&f, i);
            assert_eq!(r["up_to_date"], true, "{r}");
            assert_eq!(r["branch"]["push"], "up_to_date", "{r}");
            assert_eq!(r["pull_request"]["action"], "unchanged", "{r}");
        }
    }
    let pulls = server.pulls();
    assert_eq!(pulls.len(), MIGRATING, "duplicate pull requests after the second pass");
    let writes: Vec<String> = server.requests()[requests_before..]
        .iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(writes.is_empty(), "the second pass wrote to GitHub: {writes:?}");
    let left = std::fs::read_dir(&f.scratch).unwrap().count();
    assert!(left <= 1, "{left} scratch folders left: only the killed unit's may be");

    // The aggregate report.
    let report = Command::new(molt_bin()).args(["fleet", "report", "--json"]).arg(&f.results).output().unwrap();
    let report = Run::from(report);
    assert_eq!(report.code, Some(0), "{report}");
    let line: Value = serde_json::from_str(report.stdout.trim()).unwrap();
    let r = &line["fleet_report"];
    assert_eq!(r["title"], "libnew");
    assert_eq!(r["repositories"], REPOS);
    assert_eq!(r["outcomes"], serde_json::json!({"migrated": 8, "checks_failed": 3, "incomplete": 0, "error": 1}));
    assert_eq!(r["up_to_date"], MIGRATING);
    assert_eq!(r["pull_requests"]["open"], MIGRATING);
    assert_eq!(r["pull_requests"]["unchanged"], MIGRATING);
    assert_eq!(r["failures"][0]["reason"], "checks failed");
    assert_eq!(r["failures"][0]["repositories"], serde_json::json!(["wrong0", "wrong1", "wrong2"]));
    assert_eq!(r["failures"][1]["reason"], "clone failed");
    let md = std::fs::read_to_string(f.results.join("fleet-report.md")).unwrap();
    assert!(md.contains("8 of 12 repositories migrated (67%); 8 were already up to date."), "{md}");
    assert!(md.contains("| checks failed (3) | wrong0, wrong1, wrong2 |"), "{md}");

    // The page, in headless Chromium: no console message, the table and the charts.
    let chromium = crate::report::chromium().expect("chromium is missing; `cargo xtask test` installs it");
    let page = f.results.join("fleet-report.html");
    let profile = tempfile::tempdir().unwrap();
    let dom = Command::new(chromium)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        .args(["--enable-logging=stderr", "--v=0"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    assert!(dom.status.success(), "{}", String::from_utf8_lossy(&dom.stderr));
    crate::report::assert_no_console_messages(&String::from_utf8_lossy(&dom.stderr));
    let html = String::from_utf8_lossy(&dom.stdout);
    assert!(html.contains("molt fleet report: libnew"), "{html}");
    assert_eq!(html.matches("<svg").count(), 2, "{html}");
    assert_eq!(html.matches("<tr><td class=\"n\">").count(), REPOS, "{html}");
    eprintln!(
        "fleet e2e: {REPOS} repositories, 1 killed and retried, {} pull requests after two passes, {:.1}s",
        pulls.len(),
        started.elapsed().as_secs_f64()
    );
}

/// `molt run --repo URL@REV --out FILE`: the unit without a fleet file, with
/// the repository's own spec or a spec given with --spec; a second run is
/// idempotent without publishing too (nothing to push, nothing pushed). A
/// malformed fleet file is a usage error that names its line.
#[test]
fn run_repo_migrates_a_fresh_clone_and_writes_its_result() {
    let root = tempfile::tempdir().unwrap();
    let bare = remote(root.path(), "solo", |dir| {
        libold_repo(dir, "recipes/c-api-rename");
        copy_recipe(&dir.join("recipes"));
    });
    let url = format!("file://{}@main", bare.display());
    let out = root.path().join("out/result.json");
    let scratch = root.path().join("scratch");
    std::fs::create_dir_all(&scratch).unwrap();
    let molt = |args: &[&str]| {
        Run::from(
            Command::new(molt_bin())
                .args(args)
                .current_dir(root.path())
                .env("TMPDIR", &scratch)
                .env("NO_COLOR", "1")
                .env_remove("RUST_LOG")
                .output()
                .unwrap(),
        )
    };
    let run = molt(&["run", "--repo", &url, "--out", out.to_str().unwrap(), "--jobs", "1"]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("solo: migrated\n2 of 2 sites migrated"), "{run}");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(r["revision"]["requested"], "main");
    assert_eq!(r["migration"]["spec_from"], "repository");
    assert_eq!(r["branch"]["push"], "not_pushed");
    assert_eq!(r["branch"]["commits"].as_array().unwrap().len(), 2, "{r}");
    assert_eq!(r["index"], Value::Null);
    assert_eq!(git(&bare, &["for-each-ref", "refs/heads/molt"]), "", "nothing is pushed without --pr");
    assert_eq!(std::fs::read_dir(&scratch).unwrap().count(), 0, "the scratch folder is removed");

    // A spec of one's own that names a recipe the repository lacks: a spec error, exit 2.
    let spec = root.path().join("other.toml");
    std::fs::write(
        &spec,
        "[migration]\nname = \"x\"\ngoal = \"g\"\nrecipe = \"nowhere/recipe\"\ninclude = [\"main.c\"]\n",
    )
    .unwrap();
    let run = molt(&["run", "--repo", &url, "--out", out.to_str().unwrap(), "--spec", spec.to_str().unwrap()]);
    assert_eq!(run.code, Some(2), "{run}");
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(r["error"]["stage"], "spec", "{r}");
    assert_eq!(r["migration"]["spec_from"], "fleet", "{r}");

    // --repo needs --out; a malformed fleet file names its line.
    let run = molt(&["run", "--repo", &url]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("--out <FILE>"), "{run}");
    std::fs::write(root.path().join("fleet.toml"), "[[repo]]\nurl = \"x\"\nbranch = \"a\"\nrev = \"b\"\n").unwrap();
    let run = molt(&["fleet", "run", "--index", "0", "--out", "r.json"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("fleet.toml:2: repo x: give rev or branch, not both"), "{run}");
    let run = molt(&["fleet", "matrix", "--fleet", "missing.toml"]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("missing.toml: no such fleet file"), "{run}");
}
