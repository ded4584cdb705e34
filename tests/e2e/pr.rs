//! `molt pr` after a rules-only run of mini-gather (gather8's task fails with
//! an unmapped site, the others commit): the migration branch goes to a bare
//! repository standing in for GitHub's git side (`origin`, a file path), and
//! the pull request to a scripted GitHub REST API on loopback. Because the
//! remote is a path, the repository on GitHub is given with `--repo`.

use std::path::Path;
use std::process::Command;

use molt_test_support::github_server::GitHubServer;
use serde_json::Value;

use crate::{git, molt_bin, rules_only_repo, Run};

const TOKEN: &str = "ghp_test_molt_pr_0123456789abcdef";
const BRANCH: &str = "molt/mini-port";

/// Runs molt with a home of its own (no global git config, so no credential
/// helper of the machine's) and only the GitHub variables given.
fn molt_pr(repo: &Path, home: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(molt_bin());
    cmd.args(args).current_dir(repo).env("NO_COLOR", "1").env_remove("RUST_LOG");
    cmd.env("HOME", home).env("XDG_CONFIG_HOME", home.join(".config")).env("GIT_CONFIG_NOSYSTEM", "1");
    for var in ["GITHUB_TOKEN", "GH_TOKEN", "GITHUB_REPOSITORY", "GITHUB_API_URL", "MOLT_PR_BASE", "MOLT_PR_REMOTE"] {
        cmd.env_remove(var);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    Run::from(cmd.output().expect("running molt"))
}

/// mini-gather without its [model], run to the end (incomplete: gather8
/// cannot be mapped by the rules).
fn ran_repo() -> tempfile::TempDir {
    let dir = rules_only_repo("mini-gather");
    let repo = dir.path();
    let out = crate::molt(repo, &["run", "--jobs", "2"]);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    dir
}

/// A bare repository added to `repo` as `origin` by its path.
fn bare_origin(repo: &Path) -> tempfile::TempDir {
    let bare = tempfile::tempdir().unwrap();
    git(bare.path(), &["init", "-q", "--bare"]);
    git(repo, &["remote", "add", "origin", bare.path().to_str().unwrap()]);
    bare
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files_under(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn pr_pushes_the_branch_opens_a_pull_request_and_updates_it_when_run_again() {
    let dir = ran_repo();
    let repo = dir.path();
    let home = tempfile::tempdir().unwrap();
    let bare = bare_origin(repo);
    let server = GitHubServer::start_blocking(TOKEN);
    let api = server.uri();
    let args = ["pr", "--json", "--repo", "acme/mini", "--api-url", api.as_str()];

    let run = molt_pr(repo, home.path(), &args, &[("GITHUB_TOKEN", TOKEN)]);
    assert_eq!(run.code, Some(0), "{run}");
    let line: Value = serde_json::from_str(run.stdout.trim()).unwrap_or_else(|e| panic!("{e}: {run}"));
    assert_eq!(line["pull_request"]["action"], "created", "{run}");
    assert_eq!(line["pull_request"]["number"], 1, "{run}");
    assert_eq!(line["pull_request"]["url"], format!("{api}/acme/mini/pull/1"), "{run}");
    assert_eq!(line["pull_request"]["base"], "main", "the branch checked out is the base: {run}");

    // The branch arrived, at the migration branch's tip.
    let tip = git(repo, &["rev-parse", BRANCH]);
    assert_eq!(git(bare.path(), &["rev-parse", &format!("refs/heads/{BRANCH}")]), tip);
    assert_eq!(line["pushed"]["commit"], tip.trim(), "{run}");

    let requests = server.requests();
    let calls: Vec<String> = requests.iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        calls,
        ["GET /repos/acme/mini/pulls?head=acme%3Amolt%2Fmini-port&state=open", "POST /repos/acme/mini/pulls"]
    );
    for r in &requests {
        assert_eq!(r.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
        assert!(r.header("user-agent").is_some_and(|ua| ua.starts_with("molt/")), "{:?}", r.headers);
    }
    let post = &requests[1].body;
    assert_eq!(post["title"], "molt: mini-port (incomplete)");
    assert_eq!(post["head"], BRANCH);
    assert_eq!(post["base"], "main");
    let body = post["body"].as_str().unwrap();
    for want in [
        "<!-- molt:",
        "Port the AVX2 kernels to aarch64 NEON; keep the x86 path.",
        "## Tasks",
        "| t02-gather8 | failed | rules |",
        "| t01-ops-x86-header | committed | rules |",
        "## Checks",
        "| x86-test | test | pass",
        "Coverage: ",
        "## Unmapped sites",
        "\\_\\_builtin\\_ia32\\_gathersiv8sf",
    ] {
        assert!(body.contains(want), "the body lacks {want:?}:\n{body}");
    }

    // Again: the same pull request is updated, not a second one opened.
    // Text output this time, and the token from GH_TOKEN.
    let run = molt_pr(repo, home.path(), &["pr", "--repo", "acme/mini", "--api-url", &api], &[("GH_TOKEN", TOKEN)]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("updated pull request #1 on acme/mini (molt/mini-port into main)"), "{run}");
    let requests = server.requests();
    let calls: Vec<String> = requests[2..].iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        calls,
        ["GET /repos/acme/mini/pulls?head=acme%3Amolt%2Fmini-port&state=open", "PATCH /repos/acme/mini/pulls/1"]
    );
    assert_eq!(requests[3].body["title"], "molt: mini-port (incomplete)");
    assert!(requests[3].body["body"].as_str().unwrap().contains("## Unmapped sites"));
    assert_eq!(server.pulls().len(), 1);

    // The token is printed nowhere and written nowhere.
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(TOKEN));
    }

    // No variable, but git's credential helper knows a token for the API's
    // host (the remote is a path, so the host comes from --api-url).
    let helper = format!("!f() {{ echo username=x-access-token; echo password={TOKEN}; }}; f");
    std::fs::write(home.path().join(".gitconfig"), format!("[credential]\n\thelper = \"{helper}\"\n")).unwrap();
    let run = molt_pr(repo, home.path(), &["pr", "--repo", "acme/mini", "--api-url", &api], &[]);
    assert_eq!(run.code, Some(0), "{run}");
    assert!(run.stdout.contains("updated pull request #1"), "{run}");
    assert_eq!(server.requests().last().unwrap().header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    std::fs::remove_file(home.path().join(".gitconfig")).unwrap();
    for file in files_under(&repo.join(".molt")).into_iter().chain(files_under(&repo.join(".git"))) {
        if file.components().any(|c| c.as_os_str() == "objects") {
            continue;
        }
        let bytes = std::fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN), "{} holds the token", file.display());
    }
}

#[test]
fn pr_errors_say_what_is_missing_and_push_nothing() {
    let dir = ran_repo();
    let repo = dir.path();
    let home = tempfile::tempdir().unwrap();
    let server = GitHubServer::start_blocking(TOKEN);
    let api = server.uri();
    let args = ["pr", "--repo", "acme/mini", "--api-url", api.as_str()];

    // No remote yet.
    let run = molt_pr(repo, home.path(), &args, &[("GITHUB_TOKEN", TOKEN)]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("there is no remote \"origin\""), "{run}");

    // No token, and no credential helper to ask.
    let bare = bare_origin(repo);
    let run = molt_pr(repo, home.path(), &args, &[]);
    assert_eq!(run.code, Some(3), "{run}");
    assert!(run.stderr.contains("no GitHub token; set GITHUB_TOKEN (or GH_TOKEN)"), "{run}");
    assert!(server.requests().is_empty());
    assert_eq!(git(bare.path(), &["for-each-ref"]), "", "nothing is pushed without a token");

    // A token GitHub refuses: its message, exit 3, nothing pushed.
    let run = molt_pr(repo, home.path(), &args, &[("GITHUB_TOKEN", "ghp_wrong_token")]);
    assert_eq!(run.code, Some(3), "{run}");
    assert!(run.stderr.contains("GitHub answered 401") && run.stderr.contains("Bad credentials"), "{run}");
    assert!(!run.stderr.contains("ghp_wrong_token"), "{run}");
    assert_eq!(git(bare.path(), &["for-each-ref"]), "");

    // A path remote names no GitHub repository: --repo is needed.
    let run = molt_pr(repo, home.path(), &["pr", "--api-url", api.as_str()], &[("GITHUB_TOKEN", TOKEN)]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("pass --repo OWNER/NAME"), "{run}");

    // Another migration: no branch to push.
    let spec = repo.join("molt.toml");
    let text = std::fs::read_to_string(&spec).unwrap().replace("name = \"mini-port\"", "name = \"other-port\"");
    std::fs::write(&spec, text).unwrap();
    let run = molt_pr(repo, home.path(), &args, &[("GITHUB_TOKEN", TOKEN)]);
    assert_eq!(run.code, Some(2), "{run}");
    assert!(run.stderr.contains("there is no migration branch molt/other-port; run `molt run` first"), "{run}");
}
