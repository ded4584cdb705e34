//! Anthropic Messages: `POST {base}/v1/messages`.
//!
//! Prompt caching is always on: the system prompt and the last tool carry
//! `cache_control: {"type": "ephemeral"}`, so an agent's long, stable prefix
//! (system prompt and tool schemas) is written once and read on every later
//! turn; so does the last block of the last message, so each turn's whole
//! conversation is written once and the next turn, which repeats it and adds
//! to it, reads it (three of the four breakpoints Anthropic allows). The usage
//! keeps cache reads and writes apart. A stream is a sequence
//! of named SSE events (`message_start` ... `message_stop`); one that ends
//! before `message_stop` was cut, and an `error` event mid-stream is a
//! retryable status when the error type is transient (overloaded, rate limit).

use futures::future::BoxFuture;
use futures::FutureExt;
use molt_core::usage::Usage;
use molt_core::ProviderKind;
use serde_json::{json, Value};

use crate::env::Env;
use crate::error::{Error, Result};
use crate::http::{Http, Timeouts};
use crate::provider::{EventSink, Provider};
use crate::sse::SseParser;
use crate::types::{Assembler, ContentBlock, Request, Response, Role, StopReason, StreamEvent};

const KIND: ProviderKind = ProviderKind::Anthropic;
pub const DEFAULT_BASE: &str = "https://api.anthropic.com";
/// The `anthropic-version` header molt speaks.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

#[derive(Clone, PartialEq, Eq)]
pub struct AnthropicConfig {
    pub model: String,
    /// Without the `/v1/messages` suffix.
    pub base_url: String,
    pub api_key: String,
    pub timeouts: Timeouts,
}

impl std::fmt::Debug for AnthropicConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AnthropicConfig")
            .field("model", &self.model)
            .field("base_url", &self.base_url)
            .field("api_key", &"<redacted>")
            .finish()
    }
}

impl AnthropicConfig {
    /// From `ANTHROPIC_API_KEY` and `ANTHROPIC_BASE_URL`; `base_url` (from molt.toml) wins.
    pub fn from_env(model: &str, base_url: Option<&str>, env: &Env) -> Result<AnthropicConfig> {
        let api_key = env
            .get("ANTHROPIC_API_KEY")
            .ok_or_else(|| Error::Config("provider anthropic needs ANTHROPIC_API_KEY in the environment".into()))?;
        let base = base_url.or(env.get("ANTHROPIC_BASE_URL")).unwrap_or(DEFAULT_BASE);
        Ok(AnthropicConfig {
            model: model.to_owned(),
            base_url: base.to_owned(),
            api_key: api_key.to_owned(),
            timeouts: Timeouts::default(),
        })
    }
}

#[derive(Debug)]
pub struct AnthropicProvider {
    config: AnthropicConfig,
    http: Http,
}

impl AnthropicProvider {
    pub fn new(config: AnthropicConfig) -> Result<AnthropicProvider> {
        let http = Http::new(KIND, config.timeouts)?;
        Ok(AnthropicProvider { config, http })
    }

    async fn call(&self, request: &Request, sink: EventSink<'_>) -> Result<Response> {
        let url = format!("{}/v1/messages", self.config.base_url.trim_end_matches('/'));
        let builder = self
            .http
            .client
            .post(url)
            .header("x-api-key", &self.config.api_key)
            .header("anthropic-version", ANTHROPIC_VERSION)
            .json(&wire_request(&self.config.model, request));
        let mut response = self.http.send(builder).await?;
        if !request.stream {
            return parse_response(&self.http.json(response).await?);
        }
        let mut parser = SseParser::new();
        let mut state = StreamState::default();
        let mut assembler = Assembler::new(KIND);
        let mut handle = |data: &str, assembler: &mut Assembler| -> Result<()> {
            for e in state.on_event(data)? {
                assembler.push(&e)?;
                sink(&e);
            }
            Ok(())
        };
        while let Some(chunk) = self.http.chunk(&mut response).await? {
            for event in parser.push(&chunk) {
                handle(&event.data, &mut assembler)?;
            }
        }
        if let Some(event) = parser.finish() {
            handle(&event.data, &mut assembler)?;
        }
        assembler.finish()
    }
}

impl Provider for AnthropicProvider {
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
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let content: Vec<Value> = m
                .content
                .iter()
                .map(|b| match b {
                    ContentBlock::Text { text } => json!({"type": "text", "text": text}),
                    ContentBlock::ToolUse { id, name, input } => {
                        json!({"type": "tool_use", "id": id, "name": name, "input": input})
                    }
                    ContentBlock::ToolResult { tool_use_id, content, is_error } => json!({
                        "type": "tool_result", "tool_use_id": tool_use_id, "content": content, "is_error": is_error,
                    }),
                })
                .collect();
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            json!({"role": role, "content": content})
        })
        .collect();
    let mut messages = messages;
    if let Some(block) = messages.last_mut().and_then(|m| m["content"].as_array_mut()).and_then(|c| c.last_mut()) {
        block["cache_control"] = json!({"type": "ephemeral"});
    }
    let mut body = json!({"model": model, "max_tokens": request.max_tokens, "messages": messages});
    if !request.system.is_empty() {
        body["system"] = json!([{"type": "text", "text": request.system, "cache_control": {"type": "ephemeral"}}]);
    }
    if !request.tools.is_empty() {
        let last = request.tools.len() - 1;
        body["tools"] = request
            .tools
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let mut tool = json!({"name": t.name, "description": t.description, "input_schema": t.input_schema});
                if i == last {
                    tool["cache_control"] = json!({"type": "ephemeral"});
                }
                tool
            })
            .collect();
    }
    if let Some(t) = request.temperature {
        body["temperature"] = json!(t);
    }
    if !request.stop.is_empty() {
        body["stop_sequences"] = json!(request.stop);
    }
    if request.stream {
        body["stream"] = json!(true);
    }
    body
}

fn usage(v: &Value) -> Usage {
    let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    Usage {
        input: n("input_tokens"),
        output: n("output_tokens"),
        cache_read: n("cache_read_input_tokens"),
        cache_write: n("cache_creation_input_tokens"),
    }
}

/// A non-streamed answer.
pub(crate) fn parse_response(v: &Value) -> Result<Response> {
    let blocks = v
        .get("content")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::malformed(KIND, "the answer has no content array"))?;
    let mut content = Vec::new();
    for b in blocks {
        match b.get("type").and_then(Value::as_str) {
            Some("text") => {
                let text = b.get("text").and_then(Value::as_str).unwrap_or_default();
                if !text.is_empty() {
                    content.push(ContentBlock::text(text));
                }
            }
            Some("tool_use") => content.push(ContentBlock::ToolUse {
                id: b.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
                name: b.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
                input: match b.get("input") {
                    Some(i @ Value::Object(_)) => i.clone(),
                    Some(other) => {
                        return Err(Error::malformed(KIND, format!("tool_use input is not an object: {other}")))
                    }
                    None => json!({}),
                },
            }),
            // Thinking and other block kinds are not part of the answer.
            _ => {}
        }
    }
    let stop_reason = StopReason::from_wire(v.get("stop_reason").and_then(Value::as_str).unwrap_or("end_turn"));
    Ok(Response { content, stop_reason, usage: v.get("usage").map(usage).unwrap_or_default(), cost_usd: None })
}

#[derive(Debug, Default)]
struct StreamState {
    stop: Option<StopReason>,
    done: bool,
}

impl StreamState {
    fn on_event(&mut self, data: &str) -> Result<Vec<StreamEvent>> {
        if self.done || data.trim().is_empty() {
            return Ok(Vec::new());
        }
        let v: Value = serde_json::from_str(data).map_err(|e| {
            let shown: String = data.chars().take(200).collect();
            Error::malformed(KIND, format!("a stream event is not JSON ({e}): {shown}"))
        })?;
        let index = || v.get("index").and_then(Value::as_u64).unwrap_or(0) as usize;
        let mut out = Vec::new();
        match v.get("type").and_then(Value::as_str).unwrap_or_default() {
            "message_start" => {
                if let Some(u) = v.pointer("/message/usage") {
                    out.push(StreamEvent::Usage { usage: usage(u) });
                }
            }
            "content_block_start" => {
                let block = v.get("content_block").unwrap_or(&Value::Null);
                match block.get("type").and_then(Value::as_str) {
                    Some("text") => {
                        let text = block.get("text").and_then(Value::as_str).unwrap_or_default();
                        out.push(StreamEvent::TextDelta { index: index(), text: text.to_owned() });
                    }
                    Some("tool_use") => out.push(StreamEvent::ToolCallStart {
                        index: index(),
                        id: block.get("id").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        name: block.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    }),
                    _ => {}
                }
            }
            "content_block_delta" => {
                let delta = v.get("delta").unwrap_or(&Value::Null);
                match delta.get("type").and_then(Value::as_str) {
                    Some("text_delta") => out.push(StreamEvent::TextDelta {
                        index: index(),
                        text: delta.get("text").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    }),
                    Some("input_json_delta") => out.push(StreamEvent::ToolCallDelta {
                        index: index(),
                        json: delta.get("partial_json").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    }),
                    // thinking_delta, signature_delta, citations: not part of the answer.
                    _ => {}
                }
            }
            "message_delta" => {
                if let Some(reason) = v.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    self.stop = Some(StopReason::from_wire(reason));
                }
                if let Some(u) = v.get("usage") {
                    out.push(StreamEvent::Usage { usage: usage(u) });
                }
            }
            "message_stop" => {
                self.done = true;
                out.push(StreamEvent::Finish { stop_reason: self.stop.unwrap_or(StopReason::EndTurn) });
            }
            "error" => {
                let kind = v.pointer("/error/type").and_then(Value::as_str).unwrap_or("error");
                let message = v.pointer("/error/message").and_then(Value::as_str).unwrap_or(kind).to_owned();
                let status = match kind {
                    "overloaded_error" => 529,
                    "rate_limit_error" => 429,
                    "api_error" => 500,
                    "timeout_error" => 504,
                    _ => {
                        return Err(Error::malformed(KIND, format!("the stream reported {kind}: {message}")));
                    }
                };
                return Err(Error::Status { provider: KIND, status, message, retry_after: None });
            }
            // ping, content_block_stop, and event types added later.
            _ => {}
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests;
