//! Provider-neutral requests, answers and stream events.
//!
//! These types are also the cassette format, so they serialize plainly and a
//! change to them is a change to every recorded cassette.

use std::collections::BTreeMap;

use molt_core::usage::Usage;
use molt_core::ProviderKind;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// Who said a message. The system prompt is not a message: it is [`Request::system`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One piece of a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    Text {
        text: String,
    },
    /// A tool call the model made.
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
    /// The answer to a tool call, sent back in a user message.
    ToolResult {
        tool_use_id: String,
        content: String,
        #[serde(default)]
        is_error: bool,
    },
}

impl ContentBlock {
    pub fn text(text: impl Into<String>) -> ContentBlock {
        ContentBlock::Text { text: text.into() }
    }

    pub fn tool_result(tool_use_id: impl Into<String>, content: impl Into<String>, is_error: bool) -> ContentBlock {
        ContentBlock::ToolResult { tool_use_id: tool_use_id.into(), content: content.into(), is_error }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    pub role: Role,
    pub content: Vec<ContentBlock>,
}

impl Message {
    pub fn user(text: impl Into<String>) -> Message {
        Message { role: Role::User, content: vec![ContentBlock::text(text)] }
    }

    pub fn assistant(text: impl Into<String>) -> Message {
        Message { role: Role::Assistant, content: vec![ContentBlock::text(text)] }
    }

    /// A user message that answers tool calls.
    pub fn tool_results(results: Vec<ContentBlock>) -> Message {
        Message { role: Role::User, content: results }
    }
}

/// A tool the model may call, described by a JSON schema of its input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub input_schema: Value,
}

/// One model call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Request {
    #[serde(default)]
    pub system: String,
    pub messages: Vec<Message>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolSpec>,
    pub max_tokens: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
    /// Ask for a streamed answer: deltas reach the event sink as they arrive.
    #[serde(default)]
    pub stream: bool,
}

impl Default for Request {
    fn default() -> Request {
        Request {
            system: String::new(),
            messages: Vec::new(),
            tools: Vec::new(),
            max_tokens: 4096,
            temperature: None,
            stop: Vec::new(),
            stream: false,
        }
    }
}

/// Why the model stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopReason {
    EndTurn,
    ToolUse,
    MaxTokens,
    StopSequence,
    ContentFilter,
    Other,
}

impl StopReason {
    /// Maps the stop reasons of all three wire formats.
    pub(crate) fn from_wire(s: &str) -> StopReason {
        match s {
            "end_turn" | "stop" | "pause_turn" => StopReason::EndTurn,
            "tool_use" | "tool_calls" | "function_call" => StopReason::ToolUse,
            "max_tokens" | "length" | "model_context_window_exceeded" => StopReason::MaxTokens,
            "stop_sequence" => StopReason::StopSequence,
            "content_filter" | "content_filtered" | "guardrail_intervened" | "refusal" => StopReason::ContentFilter,
            _ => StopReason::Other,
        }
    }
}

/// A model's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Text and tool calls, in the order the model gave them.
    pub content: Vec<ContentBlock>,
    pub stop_reason: StopReason,
    pub usage: Usage,
    /// What the call cost, when the model has a price; set by [`crate::Client`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
}

/// A tool call borrowed from a [`Response`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ToolCall<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub input: &'a Value,
}

impl Response {
    /// All text blocks, joined.
    pub fn text(&self) -> String {
        self.content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::Text { text } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    pub fn tool_calls(&self) -> Vec<ToolCall<'_>> {
        self.content
            .iter()
            .filter_map(|b| match b {
                ContentBlock::ToolUse { id, name, input } => Some(ToolCall { id, name, input }),
                _ => None,
            })
            .collect()
    }

    /// The answer as the assistant message to send back on the next turn.
    pub fn to_message(&self) -> Message {
        Message { role: Role::Assistant, content: self.content.clone() }
    }
}

/// What a streamed answer delivers as it arrives, the same for every provider.
/// Block indexes order the blocks of the final answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum StreamEvent {
    TextDelta {
        index: usize,
        text: String,
    },
    ToolCallStart {
        index: usize,
        id: String,
        name: String,
    },
    /// A piece of a tool call's JSON arguments; the pieces concatenate.
    ToolCallDelta {
        index: usize,
        json: String,
    },
    /// Token counts so far; each field is a running total, so later values win.
    Usage {
        usage: Usage,
    },
    /// The answer is complete.
    Finish {
        stop_reason: StopReason,
    },
    /// Sent by [`crate::Client`] only: the attempt failed and will be retried
    /// after `wait_ms`; whatever this call streamed so far is void.
    Retry {
        attempt: u32,
        reason: String,
        wait_ms: u64,
    },
}

#[derive(Debug)]
enum Partial {
    Text(String),
    Tool { id: String, name: String, json: String },
}

/// Builds a [`Response`] from [`StreamEvent`]s.
#[derive(Debug)]
pub struct Assembler {
    provider: ProviderKind,
    blocks: BTreeMap<usize, Partial>,
    usage: Usage,
    stop: Option<StopReason>,
}

impl Assembler {
    pub fn new(provider: ProviderKind) -> Assembler {
        Assembler { provider, blocks: BTreeMap::new(), usage: Usage::default(), stop: None }
    }

    /// Whether a [`StreamEvent::Finish`] arrived.
    pub fn is_finished(&self) -> bool {
        self.stop.is_some()
    }

    pub fn push(&mut self, event: &StreamEvent) -> Result<()> {
        match event {
            StreamEvent::TextDelta { index, text } => {
                match self.blocks.entry(*index).or_insert(Partial::Text(String::new())) {
                    Partial::Text(t) => t.push_str(text),
                    Partial::Tool { .. } => {
                        return Err(Error::malformed(self.provider, format!("text delta for tool-call block {index}")))
                    }
                }
            }
            StreamEvent::ToolCallStart { index, id, name } => {
                self.blocks.insert(*index, Partial::Tool { id: id.clone(), name: name.clone(), json: String::new() });
            }
            StreamEvent::ToolCallDelta { index, json: piece } => match self.blocks.get_mut(index) {
                Some(Partial::Tool { json, .. }) => json.push_str(piece),
                _ => {
                    return Err(Error::malformed(
                        self.provider,
                        format!("tool-call arguments for block {index}, which is not a tool call"),
                    ))
                }
            },
            StreamEvent::Usage { usage } => {
                let u = &mut self.usage;
                u.input = u.input.max(usage.input);
                u.output = u.output.max(usage.output);
                u.cache_read = u.cache_read.max(usage.cache_read);
                u.cache_write = u.cache_write.max(usage.cache_write);
            }
            StreamEvent::Finish { stop_reason } => self.stop = Some(*stop_reason),
            StreamEvent::Retry { .. } => {}
        }
        Ok(())
    }

    /// The whole answer. A stream that ended before [`StreamEvent::Finish`]
    /// was cut: that is a connection error, retried from the start.
    pub fn finish(self) -> Result<Response> {
        let Some(stop_reason) = self.stop else {
            return Err(Error::connection(self.provider, "the stream ended before the answer was complete"));
        };
        let mut content = Vec::with_capacity(self.blocks.len());
        for block in self.blocks.into_values() {
            match block {
                Partial::Text(text) if text.is_empty() => {}
                Partial::Text(text) => content.push(ContentBlock::Text { text }),
                Partial::Tool { id, name, json } => {
                    let input = parse_tool_input(self.provider, &name, &json)?;
                    content.push(ContentBlock::ToolUse { id, name, input });
                }
            }
        }
        Ok(Response { content, stop_reason, usage: self.usage, cost_usd: None })
    }
}

/// Parses tool-call arguments; empty arguments are an empty object.
pub(crate) fn parse_tool_input(provider: ProviderKind, name: &str, json: &str) -> Result<Value> {
    if json.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    serde_json::from_str(json).map_err(|e| {
        let shown: String = json.chars().take(200).collect();
        Error::malformed(provider, format!("the arguments of tool call `{name}` are not valid JSON ({e}): {shown}"))
    })
}

#[cfg(test)]
mod tests;
