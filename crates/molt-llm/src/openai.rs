//! OpenAI-compatible Chat Completions: `POST {base}/chat/completions`.
//!
//! The same client serves OpenAI, vLLM, Ollama, LM Studio and OpenRouter, so
//! it sticks to the widely implemented subset: `max_tokens` (not
//! `max_completion_tokens`), function tools, `stream_options.include_usage`.
//! Streamed tool calls arrive as deltas keyed by `index`, the id and name in
//! the first one; their arguments concatenate. A stream ends with
//! `data: [DONE]`; one that ends without it and without a `finish_reason` was
//! cut. Usage: `prompt_tokens` includes cached tokens, which are split out.

use futures::future::BoxFuture;
use futures::FutureExt;
use molt_core::usage::Usage;
use molt_core::ProviderKind;
use serde_json::{json, Value};

use crate::env::Env;
use crate::error::{Error, Result};
use crate::http::{error_message, Http, Timeouts};
use crate::provider::{EventSink, Provider};
use crate::sse::SseParser;
use crate::types::{parse_tool_input, Assembler, ContentBlock, Request, Response, Role, StopReason, StreamEvent};

const KIND: ProviderKind = ProviderKind::Openai;
pub const DEFAULT_BASE: &str = "https://api.openai.com/v1";

#[derive(Clone, PartialEq, Eq)]
pub struct OpenAiConfig {
    pub model: String,
    /// Without the `/chat/completions` suffix, e.g. `http://localhost:11434/v1`.
    pub base_url: String,
    /// Optional for local servers that need no key.
    pub api_key: Option<String>,
    pub timeouts: Timeouts,
}

impl std::fmt::Debug for OpenAiConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenAiConfig")
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl OpenAiConfig {
    /// From `OPENAI_API_KEY` and `OPENAI_BASE_URL`; `base_url` (from molt.toml) wins.
    pub fn from_env(model: &str, base_url: Option<&str>, env: &Env) -> Result<OpenAiConfig> {
        let base = base_url.or(env.get("OPENAI_BASE_URL")).unwrap_or(DEFAULT_BASE);
        let api_key = env.get("OPENAI_API_KEY").map(str::to_owned);
        if api_key.is_none() && base.trim_end_matches('/') == DEFAULT_BASE {
            return Err(Error::Config(
                "provider openai needs OPENAI_API_KEY (or OPENAI_BASE_URL / base_url pointing at a local server)"
                    .into(),
            ));
        }
        Ok(OpenAiConfig { model: model.to_owned(), base_url: base.to_owned(), api_key, timeouts: Timeouts::default() })
    }
}

#[derive(Debug)]
pub struct OpenAiProvider {
    config: OpenAiConfig,
    http: Http,
}

impl OpenAiProvider {
    pub fn new(config: OpenAiConfig) -> Result<OpenAiProvider> {
        let http = Http::new(KIND, config.timeouts)?;
        Ok(OpenAiProvider { config, http })
    }

    async fn call(&self, request: &Request, sink: EventSink<'_>) -> Result<Response> {
        let url = format!("{}/chat/completions", self.config.base_url.trim_end_matches('/'));
        let mut builder = self.http.client.post(url).json(&wire_request(&self.config.model, request));
        if let Some(key) = &self.config.api_key {
            builder = builder.bearer_auth(key);
        }
        let mut response = self.http.send(builder).await?;
        if !request.stream {
            return parse_response(&self.http.json(response).await?);
        }
        let mut stream = StreamState::default();
        let mut parser = SseParser::new();
        let mut assembler = Assembler::new(KIND);
        while let Some(chunk) = self.http.chunk(&mut response).await? {
            for event in parser.push(&chunk) {
                for e in stream.on_data(&event.data)? {
                    assembler.push(&e)?;
                    sink(&e);
                }
            }
        }
        if let Some(event) = parser.finish() {
            for e in stream.on_data(&event.data)? {
                assembler.push(&e)?;
                sink(&e);
            }
        }
        if !assembler.is_finished() {
            if let Some(e) = stream.end() {
                assembler.push(&e)?;
                sink(&e);
            }
        }
        assembler.finish()
    }
}

impl Provider for OpenAiProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn model(&self) -> &str {
        &self.config.model
    }

    fn send<'a>(&'a self, request: &'a Request, sink: EventSink<'a>) -> BoxFuture<'a, Result<Response>> {
        self.call(request, sink).boxed()
    }
}

/// The JSON body for `request`.
pub(crate) fn wire_request(model: &str, request: &Request) -> Value {
    let mut messages = Vec::new();
    if !request.system.is_empty() {
        messages.push(json!({"role": "system", "content": request.system}));
    }
    for m in &request.messages {
        let text: String = m
            .content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n");
        match m.role {
            Role::User => {
                // Tool results are messages of their own and must directly follow
                // the assistant message that made the calls.
                for b in &m.content {
                    if let ContentBlock::ToolResult { tool_use_id, content, is_error } = b {
                        let content = if *is_error { format!("ERROR: {content}") } else { content.clone() };
                        messages.push(json!({"role": "tool", "tool_call_id": tool_use_id, "content": content}));
                    }
                }
                if !text.is_empty() {
                    messages.push(json!({"role": "user", "content": text}));
                }
            }
            Role::Assistant => {
                let calls: Vec<Value> = m
                    .content
                    .iter()
                    .filter_map(|b| match b {
                        ContentBlock::ToolUse { id, name, input } => Some(json!({
                            "id": id,
                            "type": "function",
                            "function": {"name": name, "arguments": input.to_string()},
                        })),
                        _ => None,
                    })
                    .collect();
                let mut msg = json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { Value::String(text) }});
                if !calls.is_empty() {
                    msg["tool_calls"] = Value::Array(calls);
                }
                messages.push(msg);
            }
        }
    }
    let mut body = json!({"model": model, "messages": messages, "max_tokens": request.max_tokens});
    if !request.tools.is_empty() {
        body["tools"] = request
            .tools
            .iter()
            .map(|t| {
                json!({"type": "function", "function": {
                    "name": t.name, "description": t.description, "parameters": t.input_schema,
                }})
            })
            .collect();
    }
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    if !request.stop.is_empty() {
        body["stop"] = json!(request.stop);
    }
    if request.stream {
        body["stream"] = json!(true);
        body["stream_options"] = json!({"include_usage": true});
    }
    body
}

fn usage(v: &Value) -> Usage {
    let n = |p: &str| v.pointer(p).and_then(Value::as_u64).unwrap_or(0);
    let cached = n("/prompt_tokens_details/cached_tokens");
    Usage {
        input: n("/prompt_tokens").saturating_sub(cached),
        output: n("/completion_tokens"),
        cache_read: cached,
        cache_write: 0,
    }
}

/// A non-streamed answer.
pub(crate) fn parse_response(v: &Value) -> Result<Response> {
    if let Some(err) = v.get("error") {
        return Err(Error::malformed(
            KIND,
            format!("the server answered with an error: {}", error_message(&json!({"error": err}).to_string())),
        ));
    }
    let choice = v.pointer("/choices/0").ok_or_else(|| Error::malformed(KIND, "the answer has no choices"))?;
    let message = choice.get("message").ok_or_else(|| Error::malformed(KIND, "the choice has no message"))?;
    let mut content = Vec::new();
    if let Some(text) = message.get("content").and_then(Value::as_str).filter(|t| !t.is_empty()) {
        content.push(ContentBlock::text(text));
    }
    for call in message.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
        let name = call.pointer("/function/name").and_then(Value::as_str).unwrap_or_default().to_owned();
        let id = call.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let args = match call.pointer("/function/arguments") {
            Some(Value::String(s)) => parse_tool_input(KIND, &name, s)?,
            Some(other) if other.is_object() => other.clone(),
            _ => json!({}),
        };
        content.push(ContentBlock::ToolUse { id, name, input: args });
    }
    let stop_reason = StopReason::from_wire(choice.get("finish_reason").and_then(Value::as_str).unwrap_or("stop"));
    Ok(Response { content, stop_reason, usage: v.get("usage").map(usage).unwrap_or_default(), cost_usd: None })
}

/// What a stream has told us so far.
#[derive(Debug, Default)]
struct StreamState {
    started: Vec<bool>,
    finish: Option<StopReason>,
    done: bool,
}

impl StreamState {
    /// The events one `data:` payload carries.
    fn on_data(&mut self, data: &str) -> Result<Vec<StreamEvent>> {
        let data = data.trim();
        if data.is_empty() || self.done {
            return Ok(Vec::new());
        }
        if data == "[DONE]" {
            self.done = true;
            return Ok(vec![StreamEvent::Finish { stop_reason: self.finish.unwrap_or(StopReason::EndTurn) }]);
        }
        let v: Value = serde_json::from_str(data).map_err(|e| {
            let shown: String = data.chars().take(200).collect();
            Error::malformed(KIND, format!("a stream event is not JSON ({e}): {shown}"))
        })?;
        if let Some(err) = v.get("error") {
            // OpenRouter and vLLM report failures mid-stream this way.
            let status = err.get("code").and_then(Value::as_u64).and_then(|c| u16::try_from(c).ok()).unwrap_or(500);
            let message = error_message(&json!({"error": err}).to_string());
            return Err(Error::Status { provider: KIND, status, message, retry_after: None });
        }
        let mut out = Vec::new();
        for choice in v.get("choices").and_then(Value::as_array).into_iter().flatten() {
            let delta = choice.get("delta").unwrap_or(&Value::Null);
            if let Some(text) = delta.get("content").and_then(Value::as_str).filter(|t| !t.is_empty()) {
                out.push(StreamEvent::TextDelta { index: 0, text: text.to_owned() });
            }
            for call in delta.get("tool_calls").and_then(Value::as_array).into_iter().flatten() {
                let i = call.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
                if i > 1024 {
                    return Err(Error::malformed(KIND, format!("tool call index {i} is out of range")));
                }
                if self.started.len() <= i {
                    self.started.resize(i + 1, false);
                }
                if !self.started[i] {
                    self.started[i] = true;
                    let id = call.get("id").and_then(Value::as_str).map_or_else(|| format!("call_{i}"), str::to_owned);
                    let name = call.pointer("/function/name").and_then(Value::as_str).unwrap_or_default().to_owned();
                    out.push(StreamEvent::ToolCallStart { index: i + 1, id, name });
                }
                if let Some(args) =
                    call.pointer("/function/arguments").and_then(Value::as_str).filter(|a| !a.is_empty())
                {
                    out.push(StreamEvent::ToolCallDelta { index: i + 1, json: args.to_owned() });
                }
            }
            if let Some(reason) = choice.get("finish_reason").and_then(Value::as_str) {
                self.finish = Some(StopReason::from_wire(reason));
            }
        }
        if let Some(u) = v.get("usage").filter(|u| u.is_object()) {
            out.push(StreamEvent::Usage { usage: usage(u) });
        }
        Ok(out)
    }

    /// At the end of the body: a stream that gave a finish reason but no
    /// `[DONE]` is complete (some servers omit it); otherwise it was cut.
    fn end(&mut self) -> Option<StreamEvent> {
        self.finish.take().map(|stop_reason| StreamEvent::Finish { stop_reason })
    }
}

#[cfg(test)]
pub(crate) mod tests;
