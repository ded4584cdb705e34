//! The coder agent: a tool loop with a model, for what the rules could not do.
//!
//! The model sees the task, the code it starts from and the failure history,
//! and works only through the tools of [`crate::tools`]. Every answer is
//! untrusted: a malformed one costs a turn, a bad tool call comes back as a
//! tool error the model can act on. `finish` is not taken at its word: the
//! checks run, and a red result goes back to the model as the tool's answer.
//! The loop ends at `finish` with green checks, the turn limit, the wall-clock
//! limit, the budget, or a model error that retries could not cure.

use std::time::{Duration, Instant};

use molt_core::{EventKind, Task};
use molt_llm::{CallScope, Client, ContentBlock, Message, Request, StreamEvent};
use serde::Serialize;

use crate::prompts::{self, CheckReport};
use crate::state::EventLog;
use crate::tools::{tool_specs, ToolAction, ToolBox};
use crate::workspace::Transcript;

/// When a coder agent gives up.
#[derive(Debug, Clone, Copy)]
pub struct CoderLimits {
    pub max_turns: u32,
    pub wall_clock: Duration,
    pub max_output_tokens: u32,
}

/// The largest answer an agent asks a model for when `[model]
/// max_output_tokens` is not set.
pub const DEFAULT_MAX_OUTPUT_TOKENS: u32 = 8192;

impl Default for CoderLimits {
    fn default() -> Self {
        Self { max_turns: 30, wall_clock: Duration::from_secs(30 * 60), max_output_tokens: DEFAULT_MAX_OUTPUT_TOKENS }
    }
}

/// How a coder agent's attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub enum CoderEnd {
    /// `finish` was called and the checks passed; the summary.
    Finished(String),
    TurnLimit(u32),
    WallClock,
    /// The budget refused the next call: the run must stop, not retry.
    Budget(String),
    /// The model could not be reached or kept failing.
    ModelError(String),
}

impl CoderEnd {
    pub fn describe(&self) -> String {
        match self {
            Self::Finished(s) => format!("finished: {s}"),
            Self::TurnLimit(n) => format!("the model used all {n} turns without finishing"),
            Self::WallClock => "the attempt ran past its wall-clock limit".to_owned(),
            Self::Budget(e) => e.clone(),
            Self::ModelError(e) => format!("model error: {e}"),
        }
    }
}

/// What an attempt cost and did.
#[derive(Debug, Clone)]
pub struct CoderResult {
    pub end: CoderEnd,
    pub turns: u32,
    pub tokens: u64,
    pub cost_usd: f64,
    /// The files the model's edits wrote, repository-relative.
    pub changed: Vec<String>,
}

/// Everything one attempt needs.
pub struct CoderRun<'a> {
    pub rt: &'a tokio::runtime::Handle,
    pub client: &'a Client,
    pub task: &'a Task,
    pub system: String,
    pub first_message: String,
    pub toolbox: ToolBox,
    pub limits: CoderLimits,
    /// `.molt/transcripts/<task>.jsonl` ([`crate::workspace::Workspace::transcript`]).
    pub transcript: Option<Transcript>,
    pub log: &'a EventLog,
    /// The agent's name for events (`openai/gpt-4o`).
    pub agent: String,
    /// Runs the task's checks; `true` when nothing blocks.
    pub run_checks: &'a mut dyn FnMut() -> (bool, Vec<CheckReport>),
}

#[derive(Serialize)]
struct TranscriptLine<'a> {
    turn: u32,
    role: &'a str,
    content: &'a [ContentBlock],
}

impl CoderRun<'_> {
    pub fn run(mut self) -> CoderResult {
        let mut result = self.turns();
        result.changed = self.toolbox.changed_files();
        result
    }

    fn turns(&mut self) -> CoderResult {
        let mut result = CoderResult {
            end: CoderEnd::TurnLimit(self.limits.max_turns),
            turns: 0,
            tokens: 0,
            cost_usd: 0.0,
            changed: Vec::new(),
        };
        let specs = tool_specs();
        let mut messages = vec![Message::user(self.first_message.clone())];
        self.record(0, "user", &messages[0].content);
        let started = Instant::now();
        let task_id = self.task.id.to_string();
        for turn in 1..=self.limits.max_turns {
            if started.elapsed() > self.limits.wall_clock {
                result.end = CoderEnd::WallClock;
                return result;
            }
            result.turns = turn;
            let request = Request {
                system: self.system.clone(),
                messages: messages.clone(),
                tools: specs.clone(),
                max_tokens: self.limits.max_output_tokens,
                temperature: Some(0.0),
                stop: Vec::new(),
                stream: true,
            };
            let mut retries: Vec<(u32, String, u64)> = Vec::new();
            let answer = self.rt.block_on(self.client.call(&CallScope::task(&task_id), &request, |ev| {
                if let StreamEvent::Retry { attempt, reason, wait_ms } = ev {
                    retries.push((*attempt, reason.clone(), *wait_ms));
                }
            }));
            for (attempt, reason, wait_ms) in retries {
                self.log.emit(EventKind::ModelRetry { task: Some(self.task.id.clone()), attempt, reason, wait_ms });
            }
            let response = match answer {
                Ok(r) => r,
                Err(molt_llm::Error::Budget(e)) => {
                    result.end = CoderEnd::Budget(e.to_string());
                    return result;
                }
                Err(molt_llm::Error::Malformed { detail, .. }) => {
                    // A garbled answer is the model's mistake: say so and go on.
                    // The event and the transcript show where the turn went.
                    self.log.emit(EventKind::ModelRetry {
                        task: Some(self.task.id.clone()),
                        attempt: 1,
                        reason: format!("turn {turn}: the answer could not be read ({detail}); asking again"),
                        wait_ms: 0,
                    });
                    let note = format!(
                        "Your last answer could not be read ({detail}). Answer again, calling the tools with valid JSON arguments."
                    );
                    messages.push(Message::user(note));
                    self.record(turn, "user", &messages[messages.len() - 1].content);
                    continue;
                }
                Err(e) => {
                    result.end = CoderEnd::ModelError(e.to_string());
                    return result;
                }
            };
            let tokens = response.usage.total();
            let cost = response.cost_usd.unwrap_or(0.0);
            result.tokens += tokens;
            result.cost_usd += cost;
            self.log.emit(EventKind::ModelCall {
                task: self.task.id.clone(),
                input_tokens: response.usage.total_input(),
                output_tokens: response.usage.output,
                cost_usd: cost,
            });
            self.record(turn, "assistant", &response.content);
            messages.push(response.to_message());

            let calls: Vec<(String, String, serde_json::Value)> =
                response.tool_calls().iter().map(|c| (c.id.to_owned(), c.name.to_owned(), c.input.clone())).collect();
            if calls.is_empty() {
                messages.push(Message::user(
                    "Make the change with the tools, run the checks, and call `finish` when they pass.",
                ));
                continue;
            }
            let asked = messages.len() - 1;
            let mut results = Vec::new();
            let mut finished = None;
            for (id, name, input) in calls {
                let outcome = self.toolbox.call(&name, &input);
                if outcome.is_error {
                    forget_refused_arguments(&mut messages[asked], &id, &outcome.content);
                }
                let (content, is_error) = match outcome.action {
                    ToolAction::RunChecks => {
                        let (ok, reports) = (self.run_checks)();
                        (self.check_text(ok, &reports), !ok)
                    }
                    ToolAction::Finish(summary) => {
                        let (ok, reports) = (self.run_checks)();
                        if ok {
                            finished = Some(summary);
                            ("All checks pass; the task is done.".to_owned(), false)
                        } else {
                            (self.check_text(ok, &reports), true)
                        }
                    }
                    ToolAction::Edited(files) => {
                        self.log.emit(EventKind::EditApplied {
                            task: self.task.id.clone(),
                            agent: self.agent.clone(),
                            files,
                        });
                        (outcome.content, outcome.is_error)
                    }
                    ToolAction::None => (outcome.content, outcome.is_error),
                };
                results.push(ContentBlock::tool_result(id, content, is_error));
            }
            self.record(turn, "tool", &results);
            messages.push(Message::tool_results(results));
            if let Some(summary) = finished {
                result.end = CoderEnd::Finished(summary);
                return result;
            }
        }
        result
    }

    fn check_text(&self, ok: bool, reports: &[CheckReport]) -> String {
        if ok {
            return "All checks pass.".to_owned();
        }
        prompts::check_failure(reports).unwrap_or_else(|e| e.to_string())
    }

    /// Appends to the transcript; losing a transcript line must not fail a task.
    fn record(&self, turn: u32, role: &str, content: &[ContentBlock]) {
        let Some(transcript) = &self.transcript else { return };
        let Ok(line) = serde_json::to_string(&TranscriptLine { turn, role, content }) else { return };
        let _ = transcript.append(&line);
    }
}

/// Refused arguments larger than this are not sent again with later calls.
const KEEP_REFUSED_ARGUMENT_BYTES: usize = 512;

/// Replaces the arguments of refused call `id` in the model's message by a
/// short note, when they are large: everything in the conversation is sent
/// again with every later call, so a refused 20 MB text would make each next
/// request 20 MB larger (and a provider refuses such requests), for nothing.
/// Small arguments stay as the model wrote them, which shows it what it did.
fn forget_refused_arguments(message: &mut Message, id: &str, why: &str) {
    for block in &mut message.content {
        if let ContentBlock::ToolUse { id: call, input, .. } = block {
            if call != id {
                continue;
            }
            let bytes = input.to_string().len();
            if bytes > KEEP_REFUSED_ARGUMENT_BYTES {
                let why: String = why.chars().take(200).collect();
                *input = serde_json::json!({
                    "molt_note": format!("these arguments ({bytes} bytes) were refused and are not kept: {why}")
                });
            }
        }
    }
}
