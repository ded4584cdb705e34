use std::sync::{Arc, Mutex};

use molt_test_support::repo::{git, TempRepo};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use super::*;

const TOKEN: &str = "ghs_test_push_token_0123456789";

/// The commit `rev` names in `dir`.
fn rev_parse(dir: &Path, rev: &str) -> String {
    git(dir, &["rev-parse", rev]).trim().to_owned()
}

/// A repository with a migration branch `molt/port` and `origin` at `url`.
fn migration_repo(url: &str) -> (TempRepo, MigrationRepo) {
    let temp = TempRepo::with_c_project().unwrap();
    let repo = MigrationRepo::open(temp.path(), "port").unwrap();
    repo.ensure_migration_branch().unwrap();
    temp.repo().unwrap().remote("origin", url).unwrap();
    (temp, repo)
}

#[test]
fn userinfo_and_tokens_are_taken_out_of_messages() {
    assert_eq!(strip_userinfo("https://x-access-token:ghs_abc@github.com/o/r.git"), "https://github.com/o/r.git");
    assert_eq!(strip_userinfo("https://github.com/o/r.git"), "https://github.com/o/r.git");
    assert_eq!(strip_userinfo("git@github.com:o/r.git"), "git@github.com:o/r.git");
    assert_eq!(
        redact("fatal: unable to access 'https://u:ghp_1@h/o/r/': ghp_1 refused", Some("ghp_1")),
        "fatal: unable to access 'https://h/o/r/': [token] refused"
    );
}

#[test]
fn pushes_to_a_bare_remote_and_replaces_other_commits_only_with_force() {
    let bare = tempfile::tempdir().unwrap();
    git2::Repository::init_bare(bare.path()).unwrap();
    let (temp, repo) = migration_repo(bare.path().to_str().unwrap());
    let tip = repo.branch_tip("molt/port").unwrap();

    let pushed = push_migration_branch(&repo, "origin", None, false).unwrap();
    assert_eq!(pushed.branch, "molt/port");
    assert_eq!(pushed.commit, tip);
    assert_eq!(rev_parse(bare.path(), "refs/heads/molt/port"), tip);

    // Someone else moves the remote branch to a commit molt does not have.
    git(temp.path(), &["commit", "-q", "--allow-empty", "-m", "a reviewer's fix"]);
    git(temp.path(), &["push", "-q", "origin", "HEAD:refs/heads/molt/port"]);
    let theirs = rev_parse(temp.path(), "HEAD");
    git(temp.path(), &["reset", "-q", "--hard", "HEAD~1"]);

    let err = push_migration_branch(&repo, "origin", None, false).unwrap_err();
    assert!(matches!(err, Error::Push { .. }), "{err}");
    assert!(err.to_string().contains("pass --force to replace it"), "{err}");
    assert_eq!(rev_parse(bare.path(), "refs/heads/molt/port"), theirs, "a refused push changes nothing");

    push_migration_branch(&repo, "origin", None, true).unwrap();
    assert_eq!(rev_parse(bare.path(), "refs/heads/molt/port"), tip);
}

#[test]
fn a_missing_remote_names_the_ones_there_are() {
    let (_temp, repo) = migration_repo("/nowhere/engine.git");
    let err = push_migration_branch(&repo, "upstream", None, false).unwrap_err();
    assert_eq!(err.to_string(), "there is no remote \"upstream\" (the repository has origin)");
    assert_eq!(remote_url(&repo, "origin").unwrap(), "/nowhere/engine.git");
    assert_eq!(current_branch(&repo).unwrap().as_deref(), Some("main"));
}

/// A smart-HTTP git server that wants credentials: 401 without them, 403
/// with them. Keeps each request's Authorization header.
struct WantsAuth(Arc<Mutex<Vec<Option<String>>>>);

impl Respond for WantsAuth {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let auth = request.headers.get("authorization").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        self.0.lock().unwrap().push(auth.clone());
        match auth {
            None => ResponseTemplate::new(401).insert_header("WWW-Authenticate", "Basic realm=\"git\""),
            Some(_) => ResponseTemplate::new(403).set_body_string("denied"),
        }
    }
}

fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// Over http(s) the token reaches `git` through the one-off credential
/// helper (as HTTP basic auth for `x-access-token`), and appears neither in
/// the remote's URL nor in the error.
#[tokio::test(flavor = "multi_thread")]
async fn the_token_reaches_git_as_basic_auth_and_nowhere_else() {
    assert_eq!(base64(b"x-access-token:ab"), "eC1hY2Nlc3MtdG9rZW46YWI=");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let server = MockServer::start().await;
    Mock::given(any()).respond_with(WantsAuth(seen.clone())).mount(&server).await;
    let url = format!("{}/acme/engine.git", server.uri());

    let result = tokio::task::spawn_blocking(move || {
        let (_temp, repo) = migration_repo(&url);
        push_migration_branch(&repo, "origin", Some(TOKEN), false)
    })
    .await
    .unwrap();
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Push { .. }), "{err}");
    assert!(!err.to_string().contains(TOKEN), "{err}");

    let seen = seen.lock().unwrap().clone();
    let basic = format!("Basic {}", base64(format!("x-access-token:{TOKEN}").as_bytes()));
    assert!(seen.contains(&None), "git first asks without credentials: {seen:?}");
    assert!(seen.contains(&Some(basic)), "the helper's token was not sent: {seen:?}");
}
