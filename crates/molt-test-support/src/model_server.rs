//! Scripted model servers: a real HTTP server on loopback (wiremock) that
//! answers in one provider's exact wire format with turns a test scripts.
//!
//! A test lists [`Turn`]s, or gives a closure that picks the turn from the
//! request it received (so an agent test can react to tool results). Each
//! turn is rendered for the server's [`Wire`]: a streamed answer (SSE, or the
//! AWS event-stream framing for Bedrock) when the request asked for one, one
//! JSON body otherwise. Every request is kept ([`ModelServer::requests`]) so
//! tests can assert on paths, headers and bodies.
//!
//! Failure turns: [`Turn::status`] (with [`Turn::retry_after`]),
//! [`Turn::raw`] bodies, [`Turn::cut_stream_after`] (the body ends early, as
//! when a proxy drops a stream), [`Turn::hang`] (the answer comes only after a
//! delay, for timeout tests). A request that finds the script exhausted gets a
//! 400 that says so, which clients do not retry.
//!
//! The server runs on its own thread (wiremock's design) and serves any number
//! of concurrent clients. [`ModelServer::start`] is for `#[tokio::test]`;
//! [`ModelServer::start_blocking`] is for plain `#[test]`s that run the `molt`
//! binary as a child process and only need the URL.

mod render;

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Respond, ResponseTemplate};

/// Which provider's format the server speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wire {
    /// OpenAI-compatible Chat Completions: `POST /v1/chat/completions`.
    OpenAi,
    /// Anthropic Messages: `POST /v1/messages`.
    Anthropic,
    /// Bedrock Converse: `POST /model/{id}/converse` and `/converse-stream`.
    Bedrock,
}

/// One piece of a scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Text(String),
    /// A tool call; `args` is sent as is, so it may be invalid JSON.
    ToolCall {
        name: String,
        args: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Reply {
    Blocks(Vec<Block>),
    Status { code: u16, message: String },
    Raw(Vec<u8>),
}

/// One scripted answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Turn {
    pub(crate) reply: Reply,
    pub(crate) usage: [u64; 4],
    pub(crate) stop: Option<String>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) cut_after: Option<usize>,
    pub(crate) delay: Option<Duration>,
}

impl Turn {
    fn with(reply: Reply) -> Turn {
        Turn { reply, usage: [100, 20, 0, 0], stop: None, headers: Vec::new(), cut_after: None, delay: None }
    }

    /// A plain text answer.
    pub fn text(text: impl Into<String>) -> Turn {
        Turn::with(Reply::Blocks(vec![Block::Text(text.into())]))
    }

    /// An answer that calls one tool.
    pub fn tool_call(name: impl Into<String>, args: Value) -> Turn {
        Turn::with(Reply::Blocks(Vec::new())).and_tool_call(name, args)
    }

    /// A tool call whose arguments are sent verbatim (e.g. not JSON).
    pub fn tool_call_raw(name: impl Into<String>, args: impl Into<String>) -> Turn {
        Turn::with(Reply::Blocks(Vec::new())).and_tool_call_raw(name, args)
    }

    /// Adds a text block.
    pub fn and_text(mut self, text: impl Into<String>) -> Turn {
        if let Reply::Blocks(b) = &mut self.reply {
            b.push(Block::Text(text.into()));
        }
        self
    }

    /// Adds a tool call (several make a parallel tool call).
    pub fn and_tool_call(self, name: impl Into<String>, args: Value) -> Turn {
        self.and_tool_call_raw(name, args.to_string())
    }

    pub fn and_tool_call_raw(mut self, name: impl Into<String>, args: impl Into<String>) -> Turn {
        if let Reply::Blocks(b) = &mut self.reply {
            b.push(Block::ToolCall { name: name.into(), args: args.into() });
        }
        self
    }

    /// An error status with a body in the provider's error format.
    pub fn status(code: u16) -> Turn {
        let message = match code {
            401 => "invalid x-api-key",
            403 => "forbidden",
            429 => "rate limited, slow down",
            529 => "overloaded",
            500..=599 => "internal server error",
            _ => "bad request",
        };
        Turn::with(Reply::Status { code, message: message.to_owned() })
    }

    /// A 200 whose body is exactly `body` (for malformed answers).
    pub fn raw(body: impl Into<Vec<u8>>) -> Turn {
        Turn::with(Reply::Raw(body.into()))
    }

    /// A text answer that arrives only after `delay`.
    pub fn hang(delay: Duration) -> Turn {
        Turn::text("too late").delayed(delay)
    }

    /// Sends `retry-after: secs`.
    pub fn retry_after(self, secs: u64) -> Turn {
        self.header("retry-after", secs.to_string())
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Turn {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Ends the body after `n` stream events (frames for Bedrock), or after
    /// `n` bytes when the answer is not streamed.
    pub fn cut_stream_after(mut self, n: usize) -> Turn {
        self.cut_after = Some(n);
        self
    }

    /// Delays the whole answer.
    pub fn delayed(mut self, delay: Duration) -> Turn {
        self.delay = Some(delay);
        self
    }

    /// Token counts reported for this turn (default 100 in, 20 out).
    pub fn usage(mut self, input: u64, output: u64) -> Turn {
        self.usage[0] = input;
        self.usage[1] = output;
        self
    }

    /// Cache read and write tokens reported for this turn.
    pub fn cache(mut self, read: u64, write: u64) -> Turn {
        self.usage[2] = read;
        self.usage[3] = write;
        self
    }

    /// Overrides the wire stop reason (e.g. `"max_tokens"`, or `"length"` for OpenAI).
    pub fn stop_reason(mut self, reason: impl Into<String>) -> Turn {
        self.stop = Some(reason.into());
        self
    }
}

/// A request the server received.
#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedRequest {
    pub method: String,
    pub path: String,
    /// Lowercase names; repeated headers are joined with `, `.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON (`Null` when it is not JSON).
    pub body: Value,
    pub raw_body: Vec<u8>,
    /// Whether the request asked for a streamed answer.
    pub streaming: bool,
}

impl ReceivedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }
}

type Chooser = Box<dyn Fn(&ReceivedRequest) -> Turn + Send + Sync>;

enum Script {
    Turns(VecDeque<Turn>),
    Chooser(Chooser),
}

struct State {
    wire: Wire,
    script: Mutex<Script>,
    received: Mutex<Vec<ReceivedRequest>>,
}

impl State {
    fn lock_received(&self) -> std::sync::MutexGuard<'_, Vec<ReceivedRequest>> {
        self.received.lock().unwrap_or_else(|e| e.into_inner())
    }
}

struct Responder(Arc<State>);

impl Respond for Responder {
    fn respond(&self, request: &wiremock::Request) -> ResponseTemplate {
        let state = &self.0;
        let mut headers: BTreeMap<String, String> = BTreeMap::new();
        for (name, value) in &request.headers {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            headers
                .entry(name.as_str().to_ascii_lowercase())
                .and_modify(|v| {
                    v.push_str(", ");
                    v.push_str(&value);
                })
                .or_insert(value);
        }
        let body: Value = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        let path = request.url.path().to_owned();
        let streaming = match state.wire {
            Wire::Bedrock => path.ends_with("/converse-stream"),
            Wire::OpenAi | Wire::Anthropic => body.get("stream") == Some(&Value::Bool(true)),
        };
        let received = ReceivedRequest {
            method: request.method.to_string(),
            path,
            headers,
            body,
            raw_body: request.body.clone(),
            streaming,
        };
        let number = {
            let mut all = state.lock_received();
            all.push(received.clone());
            all.len()
        };
        let turn = {
            let mut script = state.script.lock().unwrap_or_else(|e| e.into_inner());
            match &mut *script {
                Script::Turns(turns) => turns.pop_front(),
                Script::Chooser(choose) => Some(choose(&received)),
            }
        };
        match turn {
            Some(turn) => render::render(state.wire, &turn, number, &received),
            None => ResponseTemplate::new(400)
                .set_body_string(format!("scripted server: no turn left for request #{number} to {}", received.path)),
        }
    }
}

/// A scripted model server. Dropping it stops the server.
pub struct ModelServer {
    server: MockServer,
    state: Arc<State>,
    // Declared last so it is dropped after the server it started.
    _runtime: Option<tokio::runtime::Runtime>,
}

impl std::fmt::Debug for ModelServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelServer").field("wire", &self.state.wire).field("uri", &self.server.uri()).finish()
    }
}

impl ModelServer {
    /// Starts a server that answers with `turns`, in order.
    pub async fn start(wire: Wire, turns: Vec<Turn>) -> ModelServer {
        ModelServer::launch(wire, Script::Turns(turns.into()), None).await
    }

    /// Starts a server whose every answer `choose` picks from the request.
    pub async fn start_with(
        wire: Wire,
        choose: impl Fn(&ReceivedRequest) -> Turn + Send + Sync + 'static,
    ) -> ModelServer {
        ModelServer::launch(wire, Script::Chooser(Box::new(choose)), None).await
    }

    /// [`ModelServer::start`] for code without a tokio runtime (must not be
    /// called from inside one).
    pub fn start_blocking(wire: Wire, turns: Vec<Turn>) -> ModelServer {
        ModelServer::blocking(wire, Script::Turns(turns.into()))
    }

    /// [`ModelServer::start_with`] for code without a tokio runtime.
    pub fn start_blocking_with(
        wire: Wire,
        choose: impl Fn(&ReceivedRequest) -> Turn + Send + Sync + 'static,
    ) -> ModelServer {
        ModelServer::blocking(wire, Script::Chooser(Box::new(choose)))
    }

    fn blocking(wire: Wire, script: Script) -> ModelServer {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime for the scripted model server");
        let server = runtime.block_on(ModelServer::launch(wire, script, None));
        ModelServer { _runtime: Some(runtime), ..server }
    }

    async fn launch(wire: Wire, script: Script, runtime: Option<tokio::runtime::Runtime>) -> ModelServer {
        let state = Arc::new(State { wire, script: Mutex::new(script), received: Mutex::new(Vec::new()) });
        let server = MockServer::builder().start().await;
        Mock::given(any()).respond_with(Responder(state.clone())).mount(&server).await;
        ModelServer { server, state, _runtime: runtime }
    }

    pub fn wire(&self) -> Wire {
        self.state.wire
    }

    /// `http://127.0.0.1:PORT`.
    pub fn uri(&self) -> String {
        self.server.uri()
    }

    /// The base URL a client of this wire is configured with: `{uri}/v1` for
    /// OpenAI (whose clients append `/chat/completions`), `{uri}` otherwise.
    pub fn base_url(&self) -> String {
        match self.state.wire {
            Wire::OpenAi => format!("{}/v1", self.server.uri()),
            Wire::Anthropic | Wire::Bedrock => self.server.uri(),
        }
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        self.state.lock_received().clone()
    }

    /// Scripted turns not yet served (0 for a closure script).
    pub fn remaining(&self) -> usize {
        match &*self.state.script.lock().unwrap_or_else(|e| e.into_inner()) {
            Script::Turns(t) => t.len(),
            Script::Chooser(_) => 0,
        }
    }
}

#[cfg(test)]
mod tests;
