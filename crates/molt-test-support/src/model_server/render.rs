//! Renders a [`Turn`] in one wire format, whole or streamed.

use aws_smithy_eventstream::frame::write_message_to;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use serde_json::{json, Value};
use wiremock::ResponseTemplate;

use super::{Block, ReceivedRequest, Reply, Turn, Wire};

const SSE: &str = "text/event-stream";
const EVENTSTREAM: &str = "application/vnd.amazon.eventstream";

pub(super) fn render(wire: Wire, turn: &Turn, number: usize, request: &ReceivedRequest) -> ResponseTemplate {
    let mut template = match &turn.reply {
        Reply::Status { code, message } => status(wire, *code, message),
        Reply::Raw(body) => {
            let mime = match (wire, request.streaming) {
                (Wire::Bedrock, true) => EVENTSTREAM,
                (_, true) => SSE,
                (_, false) => "application/json",
            };
            ResponseTemplate::new(200).set_body_raw(cut(body.clone(), turn.cut_after), mime)
        }
        Reply::Blocks(blocks) => {
            let model = request.body.get("model").and_then(Value::as_str).unwrap_or("scripted-model").to_owned();
            let answer = Answer { blocks, turn, number, model };
            if request.streaming {
                let events = match wire {
                    Wire::OpenAi => answer.openai_events(request),
                    Wire::Anthropic => answer.anthropic_events(),
                    Wire::Bedrock => answer.bedrock_frames(),
                };
                let n = turn.cut_after.unwrap_or(events.len()).min(events.len());
                let body: Vec<u8> = events[..n].concat();
                ResponseTemplate::new(200).set_body_raw(body, if wire == Wire::Bedrock { EVENTSTREAM } else { SSE })
            } else {
                let body = match wire {
                    Wire::OpenAi => answer.openai_json(),
                    Wire::Anthropic => answer.anthropic_json(),
                    Wire::Bedrock => answer.bedrock_json(),
                };
                ResponseTemplate::new(200)
                    .set_body_raw(cut(body.to_string().into_bytes(), turn.cut_after), "application/json")
            }
        }
    };
    for (name, value) in &turn.headers {
        template = template.insert_header(name.as_str(), value.as_str());
    }
    if let Some(delay) = turn.delay {
        template = template.set_delay(delay);
    }
    template
}

fn cut(mut body: Vec<u8>, at: Option<usize>) -> Vec<u8> {
    if let Some(n) = at {
        body.truncate(n);
    }
    body
}

fn status(wire: Wire, code: u16, message: &str) -> ResponseTemplate {
    let body = match wire {
        Wire::OpenAi => json!({"error": {"message": message, "type": "scripted_error", "code": code}}),
        Wire::Anthropic => {
            let kind = match code {
                401 => "authentication_error",
                403 => "permission_error",
                404 => "not_found_error",
                429 => "rate_limit_error",
                529 => "overloaded_error",
                500..=599 => "api_error",
                _ => "invalid_request_error",
            };
            json!({"type": "error", "error": {"type": kind, "message": message}})
        }
        Wire::Bedrock => json!({"message": message}),
    };
    let mut t = ResponseTemplate::new(code).set_body_raw(body.to_string().into_bytes(), "application/json");
    if wire == Wire::Bedrock {
        let kind = match code {
            403 => "AccessDeniedException",
            429 => "ThrottlingException",
            500 => "InternalServerException",
            503 => "ServiceUnavailableException",
            _ => "ValidationException",
        };
        t = t.insert_header("x-amzn-errortype", kind);
    }
    t
}

/// Splits `s` into pieces of at most `n` characters, as a model streams them.
fn pieces(s: &str, n: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    if chars.is_empty() {
        return vec![String::new()];
    }
    chars.chunks(n).map(|c| c.iter().collect()).collect()
}

fn sse(event: Option<&str>, data: &Value) -> Vec<u8> {
    let mut out = String::new();
    if let Some(e) = event {
        out.push_str(&format!("event: {e}\n"));
    }
    out.push_str(&format!("data: {data}\n\n"));
    out.into_bytes()
}

fn frame(event_type: &str, payload: &Value) -> Vec<u8> {
    let message = Message::new(payload.to_string().into_bytes())
        .add_header(Header::new(":event-type", HeaderValue::String(event_type.to_owned().into())))
        .add_header(Header::new(":content-type", HeaderValue::String("application/json".into())))
        .add_header(Header::new(":message-type", HeaderValue::String("event".into())));
    let mut out = Vec::new();
    write_message_to(&message, &mut out).expect("an event-stream frame");
    out
}

struct Answer<'a> {
    blocks: &'a [Block],
    turn: &'a Turn,
    number: usize,
    model: String,
}

impl Answer<'_> {
    fn has_tools(&self) -> bool {
        self.blocks.iter().any(|b| matches!(b, Block::ToolCall { .. }))
    }

    fn stop(&self, tool: &str, end: &str) -> String {
        self.turn.stop.clone().unwrap_or_else(|| if self.has_tools() { tool } else { end }.to_owned())
    }

    fn id(&self, prefix: &str, i: usize) -> String {
        format!("{prefix}_{}_{i}", self.number)
    }

    fn text(&self) -> String {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Text(t) => Some(t.as_str()),
                Block::ToolCall { .. } => None,
            })
            .collect()
    }

    fn tools(&self) -> impl Iterator<Item = (usize, &str, &str)> {
        self.blocks
            .iter()
            .filter_map(|b| match b {
                Block::ToolCall { name, args } => Some((name.as_str(), args.as_str())),
                Block::Text(_) => None,
            })
            .enumerate()
            .map(|(i, (n, a))| (i, n, a))
    }

    fn object_or_string(args: &str) -> Value {
        serde_json::from_str(args).unwrap_or_else(|_| Value::String(args.to_owned()))
    }

    // OpenAI Chat Completions.

    fn openai_usage(&self) -> Value {
        let [input, output, read, _] = self.turn.usage;
        json!({
            "prompt_tokens": input + read,
            "completion_tokens": output,
            "total_tokens": input + read + output,
            "prompt_tokens_details": {"cached_tokens": read},
        })
    }

    fn openai_json(&self) -> Value {
        let text = self.text();
        let mut message =
            json!({"role": "assistant", "content": if text.is_empty() { Value::Null } else { Value::String(text) }});
        let calls: Vec<Value> = self
            .tools()
            .map(|(i, name, args)| {
                json!({"id": self.id("call", i), "type": "function", "function": {"name": name, "arguments": args}})
            })
            .collect();
        if !calls.is_empty() {
            message["tool_calls"] = Value::Array(calls);
        }
        json!({
            "id": format!("chatcmpl-{}", self.number),
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": self.model,
            "choices": [{"index": 0, "message": message, "finish_reason": self.stop("tool_calls", "stop")}],
            "usage": self.openai_usage(),
        })
    }

    fn openai_events(&self, request: &ReceivedRequest) -> Vec<Vec<u8>> {
        let chunk = |delta: Value, finish: Value| {
            sse(
                None,
                &json!({
                    "id": format!("chatcmpl-{}", self.number),
                    "object": "chat.completion.chunk",
                    "created": 1_700_000_000,
                    "model": self.model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }),
            )
        };
        let mut out = vec![chunk(json!({"role": "assistant", "content": ""}), Value::Null)];
        let text = self.text();
        if !text.is_empty() {
            for p in pieces(&text, 5) {
                out.push(chunk(json!({"content": p}), Value::Null));
            }
        }
        for (i, name, args) in self.tools() {
            out.push(chunk(
                json!({"tool_calls": [{"index": i, "id": self.id("call", i), "type": "function",
                                        "function": {"name": name, "arguments": ""}}]}),
                Value::Null,
            ));
            for p in pieces(args, 8) {
                out.push(chunk(json!({"tool_calls": [{"index": i, "function": {"arguments": p}}]}), Value::Null));
            }
        }
        out.push(chunk(json!({}), json!(self.stop("tool_calls", "stop"))));
        if request.body.pointer("/stream_options/include_usage") == Some(&Value::Bool(true)) {
            out.push(sse(
                None,
                &json!({
                    "id": format!("chatcmpl-{}", self.number),
                    "object": "chat.completion.chunk",
                    "created": 1_700_000_000,
                    "model": self.model,
                    "choices": [],
                    "usage": self.openai_usage(),
                }),
            ));
        }
        out.push(b"data: [DONE]\n\n".to_vec());
        out
    }

    // Anthropic Messages.

    fn anthropic_usage(&self, output: u64) -> Value {
        let [input, _, read, write] = self.turn.usage;
        json!({
            "input_tokens": input,
            "output_tokens": output,
            "cache_read_input_tokens": read,
            "cache_creation_input_tokens": write,
        })
    }

    fn anthropic_json(&self) -> Value {
        let mut tool = 0;
        let content: Vec<Value> = self
            .blocks
            .iter()
            .map(|b| match b {
                Block::Text(t) => json!({"type": "text", "text": t}),
                Block::ToolCall { name, args } => {
                    tool += 1;
                    json!({"type": "tool_use", "id": self.id("toolu", tool - 1), "name": name,
                           "input": Answer::object_or_string(args)})
                }
            })
            .collect();
        json!({
            "id": format!("msg_{}", self.number),
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": content,
            "stop_reason": self.stop("tool_use", "end_turn"),
            "stop_sequence": null,
            "usage": self.anthropic_usage(self.turn.usage[1]),
        })
    }

    fn anthropic_events(&self) -> Vec<Vec<u8>> {
        let mut out = vec![
            sse(
                Some("message_start"),
                &json!({"type": "message_start", "message": {
                    "id": format!("msg_{}", self.number), "type": "message", "role": "assistant",
                    "model": self.model, "content": [], "stop_reason": null, "stop_sequence": null,
                    "usage": self.anthropic_usage(1),
                }}),
            ),
            sse(Some("ping"), &json!({"type": "ping"})),
        ];
        let mut tool = 0;
        for (index, block) in self.blocks.iter().enumerate() {
            match block {
                Block::Text(t) => {
                    out.push(sse(
                        Some("content_block_start"),
                        &json!({"type": "content_block_start", "index": index,
                                "content_block": {"type": "text", "text": ""}}),
                    ));
                    for p in pieces(t, 5) {
                        out.push(sse(
                            Some("content_block_delta"),
                            &json!({"type": "content_block_delta", "index": index,
                                    "delta": {"type": "text_delta", "text": p}}),
                        ));
                    }
                }
                Block::ToolCall { name, args } => {
                    out.push(sse(
                        Some("content_block_start"),
                        &json!({"type": "content_block_start", "index": index,
                                "content_block": {"type": "tool_use", "id": self.id("toolu", tool),
                                                  "name": name, "input": {}}}),
                    ));
                    tool += 1;
                    for p in pieces(args, 8) {
                        out.push(sse(
                            Some("content_block_delta"),
                            &json!({"type": "content_block_delta", "index": index,
                                    "delta": {"type": "input_json_delta", "partial_json": p}}),
                        ));
                    }
                }
            }
            out.push(sse(Some("content_block_stop"), &json!({"type": "content_block_stop", "index": index})));
        }
        out.push(sse(
            Some("message_delta"),
            &json!({"type": "message_delta",
                    "delta": {"stop_reason": self.stop("tool_use", "end_turn"), "stop_sequence": null},
                    "usage": {"output_tokens": self.turn.usage[1]}}),
        ));
        out.push(sse(Some("message_stop"), &json!({"type": "message_stop"})));
        out
    }

    // Bedrock Converse.

    fn bedrock_usage(&self) -> Value {
        let [input, output, read, write] = self.turn.usage;
        json!({
            "inputTokens": input,
            "outputTokens": output,
            "totalTokens": input + output + read + write,
            "cacheReadInputTokens": read,
            "cacheWriteInputTokens": write,
        })
    }

    fn bedrock_json(&self) -> Value {
        let mut tool = 0;
        let content: Vec<Value> = self
            .blocks
            .iter()
            .map(|b| match b {
                Block::Text(t) => json!({"text": t}),
                Block::ToolCall { name, args } => {
                    tool += 1;
                    json!({"toolUse": {"toolUseId": self.id("tooluse", tool - 1), "name": name,
                                       "input": Answer::object_or_string(args)}})
                }
            })
            .collect();
        json!({
            "output": {"message": {"role": "assistant", "content": content}},
            "stopReason": self.stop("tool_use", "end_turn"),
            "usage": self.bedrock_usage(),
            "metrics": {"latencyMs": 1},
        })
    }

    fn bedrock_frames(&self) -> Vec<Vec<u8>> {
        let mut out = vec![frame("messageStart", &json!({"role": "assistant"}))];
        let mut tool = 0;
        for (index, block) in self.blocks.iter().enumerate() {
            match block {
                Block::Text(t) => {
                    for p in pieces(t, 5) {
                        out.push(frame(
                            "contentBlockDelta",
                            &json!({"contentBlockIndex": index, "delta": {"text": p}}),
                        ));
                    }
                }
                Block::ToolCall { name, args } => {
                    out.push(frame(
                        "contentBlockStart",
                        &json!({"contentBlockIndex": index,
                                "start": {"toolUse": {"toolUseId": self.id("tooluse", tool), "name": name}}}),
                    ));
                    tool += 1;
                    for p in pieces(args, 8) {
                        out.push(frame(
                            "contentBlockDelta",
                            &json!({"contentBlockIndex": index, "delta": {"toolUse": {"input": p}}}),
                        ));
                    }
                }
            }
            out.push(frame("contentBlockStop", &json!({"contentBlockIndex": index})));
        }
        out.push(frame("messageStop", &json!({"stopReason": self.stop("tool_use", "end_turn")})));
        out.push(frame("metadata", &json!({"usage": self.bedrock_usage(), "metrics": {"latencyMs": 1}})));
        out
    }
}

#[cfg(test)]
pub(super) fn pieces_for_test(s: &str, n: usize) -> Vec<String> {
    pieces(s, n)
}
