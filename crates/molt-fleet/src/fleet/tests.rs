use super::*;

fn parse(text: &str) -> Result<Fleet> {
    Fleet::parse(Path::new("/fleets/fleet.toml"), text)
}

/// The error `text` gets, as the user reads it.
fn check_error(text: &str, expect: &str) {
    match parse(text) {
        Ok(f) => panic!("accepted:\n{text}\n{f:?}"),
        Err(e) => assert_eq!(e.to_string(), expect, "for:\n{text}"),
    }
}

#[test]
fn a_full_fleet_file_loads() {
    let fleet = parse(
        r#"
[fleet]
name = "graviton"
spec = "specs/neon.toml"
pull_requests = true
jobs = 2

[budget]
max_usd_per_repo = 5.0
max_usd = 12.0

[[repo]]
url = "https://github.com/acme/engine.git"
branch = "main"
labels = ["infra", "c"]

[[repo]]
url = "git@github.com:acme/kernels.git"
rev = "v1.2"
name = "kern"
spec = "port/molt.toml"
github = "acme/kernels"
max_usd = 1.5

[[repo]]
url = "file:///srv/git/tools"
"#,
    )
    .unwrap();
    assert_eq!(fleet.name, "graviton");
    assert_eq!(fleet.spec, Some(PathBuf::from("/fleets/specs/neon.toml")));
    assert!(fleet.pull_requests);
    assert_eq!(fleet.jobs, Some(2));
    let names: Vec<&str> = fleet.repos.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["engine", "kern", "tools"]);
    assert_eq!(fleet.repos[0].rev.as_deref(), Some("main"));
    assert!(fleet.repos[0].rev_is_branch);
    assert_eq!(fleet.repos[1].rev.as_deref(), Some("v1.2"));
    assert!(!fleet.repos[1].rev_is_branch);
    assert_eq!(fleet.repos[1].spec.as_deref(), Some("port/molt.toml"));
    assert_eq!(fleet.repos[0].labels, ["infra", "c"]);
    // The lowest cap holds: its own, the per-repository one, a third of the total.
    assert_eq!(fleet.cap_usd(&fleet.repos[0]), Some(4.0));
    assert_eq!(fleet.cap_usd(&fleet.repos[1]), Some(1.5));
    assert_eq!(fleet.repo(2).unwrap().url, "file:///srv/git/tools");
    assert_eq!(
        fleet.repo(3).unwrap_err().to_string(),
        "index 3 is out of range: the fleet has 3 repositories (0 to 2)"
    );
}

#[test]
fn without_a_budget_or_a_fleet_table_there_is_no_cap() {
    let fleet = parse("[[repo]]\nurl = \"https://example.com/a.git\"\n").unwrap();
    assert_eq!(fleet.name, "fleet");
    assert_eq!(fleet.spec, None);
    assert_eq!(fleet.cap_usd(&fleet.repos[0]), None);
}

#[test]
fn malformed_fleet_files_name_the_line_and_the_field() {
    check_error(
        "[fleet]\nname = \"x\"\n",
        "fleet.toml:3: the fleet has no repositories; add a [[repo]] table with a url",
    );
    check_error(
        "[[repo]]\nurl = \"a\"\nbranch = \"main\"\nrev = \"v1\"\n",
        "fleet.toml:2: repo a: give rev or branch, not both",
    );
    check_error("[[repo]]\nurl = \"\"\n", "fleet.toml:2: repo.url: must not be empty");
    check_error("[[repo]]\nurl = \"x\"\ncolour = 1\n", "fleet.toml:3: unknown field `colour`, expected one of `url`, `name`, `rev`, `branch`, `spec`, `github`, `labels`, `max_usd`");
    check_error("[[repo]]\nbranch = \"main\"\n", "fleet.toml:1: missing field `url`");
    check_error(
        "[budget]\nmax_usd = -3.0\n[[repo]]\nurl = \"x\"\n",
        "fleet.toml:2: budget.max_usd: must be a positive number of dollars, not -3",
    );
    check_error("[fleet]\njobs = 0\n[[repo]]\nurl = \"x\"\n", "fleet.toml:2: fleet.jobs: must be at least 1");
    check_error(
        "[[repo]]\nurl = \"https://a/x.git\"\n\n[[repo]]\nurl = \"https://b/x\"\n",
        "fleet.toml:5: repo https://b/x: the name \"x\" is taken by the repository on line 2; give one of them name = \"...\"",
    );
    check_error(
        "[[repo]]\nurl = \"x\"\nname = \"a b\"\n",
        "fleet.toml:3: repo.name: \"a b\" must be letters, digits, '.', '_' and '-'",
    );
    check_error(
        "[[repo]]\nurl = \"x\"\nspec = \"../molt.toml\"\n",
        "fleet.toml:2: repo x: spec \"../molt.toml\" must be a path inside the repository",
    );
    check_error(
        "[[repo]]\nurl = \"x\"\ngithub = \"acme\"\n",
        "fleet.toml:2: repo x: github \"acme\" must be OWNER/NAME",
    );
    check_error("[[repo]\nurl = \"x\"\n", "fleet.toml:1: invalid table header\nexpected `.`, `]]`");
}

#[test]
fn names_and_revisions_come_from_urls() {
    assert_eq!(name_from_url("https://github.com/acme/engine.git"), "engine");
    assert_eq!(name_from_url("git@github.com:acme/engine"), "engine");
    assert_eq!(name_from_url("file:///srv/git/a b/"), "a-b");
    assert_eq!(split_rev("https://github.com/acme/engine@v1.2"), ("https://github.com/acme/engine", Some("v1.2")));
    assert_eq!(split_rev("git@github.com:acme/engine.git"), ("git@github.com:acme/engine.git", None));
    assert_eq!(split_rev("git@github.com:acme/engine.git@main"), ("git@github.com:acme/engine.git", Some("main")));
    assert_eq!(split_rev("https://user@host.example/repo"), ("https://user@host.example/repo", None));
    assert_eq!(split_rev("file:///tmp/r@0123abc"), ("file:///tmp/r", Some("0123abc")));
}
