//! A scripted GitHub REST API on loopback (wiremock) for `molt pr`'s tests.
//!
//! It keeps pull requests in memory and answers the three calls molt makes:
//! `GET /repos/{owner}/{repo}/pulls?head=OWNER:BRANCH&state=open` (filtered
//! like GitHub filters), `POST /repos/{owner}/{repo}/pulls` (422 with GitHub's
//! message when an open pull request for the head exists already) and
//! `PATCH /repos/{owner}/{repo}/pulls/{number}`. Requests without
//! `Authorization: Bearer <the token>` get GitHub's 401. A test can make every
//! call fail with a status and message ([`GitHubServer::fail_with`]). Every
//! request is kept, so tests can assert on endpoints, headers and bodies.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

use crate::model_server::ReceivedRequest;

/// A pull request the server holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Pull {
    pub number: u64,
    pub owner: String,
    pub repo: String,
    pub title: String,
    pub body: String,
    /// `branch` as sent; the head's owner is the repository's.
    pub head: String,
    pub base: String,
    pub state: String,
}

#[derive(Default)]
struct Store {
    pulls: Vec<Pull>,
    received: Vec<ReceivedRequest>,
    failure: Option<(u16, String)>,
}

struct State {
    token: String,
    uri: Mutex<String>,
    store: Mutex<Store>,
}

impl State {
    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Responder(Arc<State>);

fn error(status: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status)
        .set_body_json(json!({ "message": message, "documentation_url": "https://docs.github.com/rest/pulls/pulls" }))
}

impl Respond for Responder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &request.headers {
            headers.insert(name.as_str().to_ascii_lowercase(), String::from_utf8_lossy(value.as_bytes()).into_owned());
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let path = request.url.path().to_owned();
        let received = ReceivedRequest {
            method: request.method.to_string(),
            path: match request.url.query() {
                Some(q) => format!("{path}?{q}"),
                None => path.clone(),
            },
            headers,
            body: body.clone(),
            raw_body: request.body.clone(),
            streaming: false,
        };
        let mut store = self.0.store();
        store.received.push(received.clone());
        if let Some((status, message)) = &store.failure {
            return error(*status, message);
        }
        if received.header("authorization") != Some(format!("Bearer {}", self.0.token).as_str()) {
            return error(401, "Bad credentials");
        }
        let uri = self.0.uri.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let (owner, repo) = match parts.as_slice() {
            ["repos", owner, repo, "pulls", ..] => ((*owner).to_owned(), (*repo).to_owned()),
            _ => return error(404, "Not Found"),
        };
        let render = |p: &Pull| {
            json!({
                "number": p.number,
                "state": p.state,
                "title": p.title,
                "body": p.body,
                "html_url": format!("{uri}/{}/{}/pull/{}", p.owner, p.repo, p.number),
                "url": format!("{uri}/repos/{}/{}/pulls/{}", p.owner, p.repo, p.number),
                "head": { "ref": p.head, "label": format!("{}:{}", p.owner, p.head) },
                "base": { "ref": p.base },
            })
        };
        match (request.method.as_str(), parts.len()) {
            ("GET", 4) => {
                let query: BTreeMap<String, String> = request.url.query_pairs().into_owned().collect();
                let state = query.get("state").map_or("open", String::as_str);
                let found: Vec<Value> = store
                    .pulls
                    .iter()
                    .filter(|p| p.owner == owner && p.repo == repo)
                    .filter(|p| state == "all" || p.state == state)
                    .filter(|p| query.get("head").is_none_or(|h| *h == format!("{}:{}", p.owner, p.head)))
                    .map(render)
                    .collect();
                ResponseTemplate::new(200).set_body_json(Value::Array(found))
            }
            ("POST", 4) => {
                let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
                let (Some(title), Some(head), Some(base)) = (field("title"), field("head"), field("base")) else {
                    return error(422, "Validation Failed: title, head and base are required");
                };
                let head = head.rsplit(':').next().unwrap_or(&head).to_owned();
                if store.pulls.iter().any(|p| p.owner == owner && p.repo == repo && p.head == head && p.state == "open")
                {
                    return error(
                        422,
                        &format!("Validation Failed: A pull request already exists for {owner}:{head}."),
                    );
                }
                let number = store.pulls.len() as u64 + 1;
                let pull = Pull {
                    number,
                    owner,
                    repo,
                    title,
                    body: field("body").unwrap_or_default(),
                    head,
                    base,
                    state: "open".into(),
                };
                let answer = render(&pull);
                store.pulls.push(pull);
                ResponseTemplate::new(201).set_body_json(answer)
            }
            ("PATCH", 5) => {
                let Some(number) = parts[4].parse::<u64>().ok() else { return error(404, "Not Found") };
                let Some(pull) =
                    store.pulls.iter_mut().find(|p| p.owner == owner && p.repo == repo && p.number == number)
                else {
                    return error(404, "Not Found");
                };
                if let Some(t) = body.get("title").and_then(Value::as_str) {
                    pull.title = t.to_owned();
                }
                if let Some(b) = body.get("body").and_then(Value::as_str) {
                    pull.body = b.to_owned();
                }
                if let Some(s) = body.get("state").and_then(Value::as_str) {
                    pull.state = s.to_owned();
                }
                let answer = render(pull);
                ResponseTemplate::new(200).set_body_json(answer)
            }
            _ => error(404, "Not Found"),
        }
    }
}

/// A scripted GitHub API. Dropping it stops the server.
pub struct GitHubServer {
    server: MockServer,
    state: Arc<State>,
    // Declared last so it is dropped after the server it started.
    _runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for GitHubServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHubServer").field("uri", &self.server.uri()).finish()
    }
}

impl GitHubServer {
    /// Starts a server that accepts `token` as a bearer token.
    pub async fn start(token: &str) -> GitHubServer {
        GitHubServer::launch(token, None).await
    }

    /// [`GitHubServer::start`] for code without a tokio runtime (must not be
    /// called from inside one).
    pub fn start_blocking(token: &str) -> GitHubServer {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the scripted GitHub server");
        let server = runtime.block_on(GitHubServer::launch(token, None));
        GitHubServer { _runtime: Some(runtime), ..server }
    }

    async fn launch(token: &str, runtime: Option<tokio::runtime::Runtime>) -> GitHubServer {
        let state =
            Arc::new(State { token: token.to_owned(), uri: Mutex::new(String::new()), store: Mutex::default() });
        let server = MockServer::builder().start().await;
        *state.uri.lock().unwrap_or_else(|e| e.into_inner()) = server.uri();
        Mock::given(any()).respond_with(Responder(state.clone())).mount(&server).await;
        GitHubServer { server, state, _runtime: runtime }
    }

    /// `http://127.0.0.1:PORT`, the API's base URL.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// Every request received so far, in arrival order; `path` includes the
    /// query string.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.state.store().received.clone()
    }

    /// The pull requests the server holds.
    pub fn pulls(&self) -> Vec<Pull> {
        self.state.store().pulls.clone()
    }

    /// Makes every later request fail with `status` and GitHub's JSON error
    /// body carrying `message`.
    pub fn fail_with(&self, status: u16, message: &str) {
        self.state.store().failure = Some((status, message.to_owned()));
    }
}
