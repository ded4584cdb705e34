use molt_test_support::github_server::GitHubServer;

use super::*;

const TOKEN: &str = "ghp_test_forge_0123456789";

fn draft(body: &str) -> PullRequestDraft {
    PullRequestDraft {
        title: "molt: port".to_owned(),
        body: body.to_owned(),
        head: "molt/port".to_owned(),
        base: "main".to_owned(),
    }
}

fn slug() -> RepoSlug {
    RepoSlug::parse("acme/engine").unwrap()
}

#[test]
fn slugs_from_remote_urls() {
    let check = |url: &str, want: Option<&str>| {
        assert_eq!(RepoSlug::from_remote_url(url).map(|s| s.to_string()).as_deref(), want, "{url}");
    };
    check("https://github.com/acme/engine.git", Some("acme/engine"));
    check("https://github.com/acme/engine", Some("acme/engine"));
    check("https://github.com/acme/engine/", Some("acme/engine"));
    check("https://x-access-token:t@github.com/acme/engine.git", Some("acme/engine"));
    check("https://ghe.corp.example/team-a/my.repo.git", Some("team-a/my.repo"));
    check("ssh://git@github.com/acme/engine.git", Some("acme/engine"));
    check("ssh://git@ghe.corp.example:2222/acme/engine.git", Some("acme/engine"));
    check("git@github.com:acme/engine.git", Some("acme/engine"));
    check("github.com:acme/engine", Some("acme/engine"));
    check("/srv/git/engine.git", None);
    check("./engine.git", None);
    check("file:///srv/git/acme/engine.git", None);
    check("https://github.com/engine.git", None);
}

#[test]
fn web_urls_of_remotes_for_the_credential_helper() {
    assert_eq!(remote_web_url("https://github.com/acme/engine.git").as_deref(), Some("https://github.com"));
    assert_eq!(remote_web_url("https://u:p@ghe.corp:8443/a/b").as_deref(), Some("https://ghe.corp:8443"));
    assert_eq!(remote_web_url("ssh://git@ghe.corp:2222/a/b.git").as_deref(), Some("https://ghe.corp"));
    assert_eq!(remote_web_url("git@github.com:acme/engine.git").as_deref(), Some("https://github.com"));
    assert_eq!(remote_web_url("/srv/git/engine.git"), None);
}

#[test]
fn bad_slugs_are_refused() {
    for bad in ["acme", "acme/", "/engine", "acme/engine/x", "ac me/engine", "../engine"] {
        assert!(RepoSlug::parse(bad).is_err(), "{bad}");
    }
}

#[test]
fn the_token_is_not_in_debug_output() {
    let gh = GitHub::new("https://api.github.com", TOKEN).unwrap();
    assert!(!format!("{gh:?}").contains(TOKEN));
    assert!(matches!(GitHub::new("https://api.github.com", " "), Err(Error::NoToken)));
}

#[tokio::test]
async fn opens_then_updates_the_same_pull_request() {
    let server = GitHubServer::start(TOKEN).await;
    let gh = GitHub::new(&format!("{}/", server.uri()), TOKEN).unwrap();

    let (made, action) = gh.open_or_update(&slug(), &draft("first")).await.unwrap();
    assert_eq!(action, PullAction::Created);
    assert_eq!(made.number, 1);
    assert_eq!(made.html_url, format!("{}/acme/engine/pull/1", server.uri()));

    let (again, action) = gh.open_or_update(&slug(), &draft("second")).await.unwrap();
    assert_eq!(action, PullAction::Updated);
    assert_eq!(again.number, 1);

    let pulls = server.pulls();
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].body, "second");
    assert_eq!((pulls[0].head.as_str(), pulls[0].base.as_str()), ("molt/port", "main"));

    let calls: Vec<String> = server.requests().iter().map(|r| format!("{} {}", r.method, r.path)).collect();
    assert_eq!(
        calls,
        [
            "GET /repos/acme/engine/pulls?head=acme%3Amolt%2Fport&state=open",
            "POST /repos/acme/engine/pulls",
            "GET /repos/acme/engine/pulls?head=acme%3Amolt%2Fport&state=open",
            "PATCH /repos/acme/engine/pulls/1",
        ]
    );
    for r in server.requests() {
        assert_eq!(r.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
        assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
        assert_eq!(r.header("x-github-api-version"), Some(API_VERSION));
        assert!(r.header("user-agent").is_some_and(|ua| ua.starts_with("molt/")));
    }
}

#[tokio::test]
async fn api_errors_carry_githubs_message() {
    let server = GitHubServer::start(TOKEN).await;
    let wrong = GitHub::new(&server.uri(), "ghp_wrong").unwrap();
    let err = wrong.open_or_update(&slug(), &draft("x")).await.unwrap_err();
    assert!(matches!(err, Error::Forge { status: 401, .. }), "{err}");
    let text = err.to_string();
    assert!(text.contains("401") && text.contains("Bad credentials") && text.contains("GITHUB_TOKEN"), "{text}");
    assert!(!text.contains("ghp_wrong"));

    let gh = GitHub::new(&server.uri(), TOKEN).unwrap();
    server.fail_with(403, "Resource not accessible by integration");
    let err = gh.open_or_update(&slug(), &draft("x")).await.unwrap_err().to_string();
    assert!(err.contains("403") && err.contains("Resource not accessible by integration"), "{err}");
    assert!(err.contains("pull-requests: write"), "{err}");

    server.fail_with(422, "Validation Failed");
    let err = gh.create_pull(&slug(), &draft("x")).await.unwrap_err().to_string();
    assert!(err.contains("422") && err.contains("Validation Failed"), "{err}");
}

#[tokio::test]
async fn an_unreachable_api_is_a_request_error() {
    // A port nothing listens on: bind one, then let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let gh = GitHub::new(&format!("http://127.0.0.1:{port}"), TOKEN).unwrap();
    let err = gh.find_open_pull(&slug(), "molt/port").await.unwrap_err();
    assert!(matches!(err, Error::ForgeRequest { .. }), "{err}");
    assert!(!err.to_string().contains(TOKEN));
}

#[test]
fn error_bodies_are_read_like_github_writes_them() {
    assert_eq!(
        error_message(
            r#"{"message":"Validation Failed","errors":[{"resource":"PullRequest","code":"custom","message":"No commits between main and molt/port"}]}"#
        ),
        "Validation Failed: No commits between main and molt/port"
    );
    assert_eq!(error_message(""), "no message");
    assert_eq!(error_message("<html>bad gateway</html>"), "<html>bad gateway</html>");
}
