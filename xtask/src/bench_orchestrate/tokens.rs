//! Tokens each task sent, counted per call on the requests the scripted
//! server received, against its whole files sent with every call.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Result};
use molt_test_support::model_server::ReceivedRequest;
use serde_json::Value;

use super::script::task_of;

/// Tokens one task sent, per call, next to its whole files.
#[derive(Debug, Clone, Default, PartialEq)]
pub(super) struct TaskTokens {
    /// The messages' text of each call, in order.
    pub(super) calls: Vec<usize>,
    /// Of `calls`: the system prompt and the task's first message, summed
    /// over the calls (both are sent again with every call).
    pub(super) system: usize,
    pub(super) first: usize,
    /// The tool schemas, sent with every call.
    pub(super) tools: usize,
    /// The task's files, whole, once.
    pub(super) files: usize,
}

impl TaskTokens {
    pub(super) fn sent(&self) -> usize {
        self.calls.iter().sum()
    }

    pub(super) fn whole(&self) -> usize {
        self.files * self.calls.len()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(super) struct TokenTable {
    pub(super) tasks: BTreeMap<String, TaskTokens>,
}

/// The text of a request's messages: every content string and tool call.
pub(super) fn message_text(body: &Value) -> String {
    let mut s = String::new();
    for m in body["messages"].as_array().into_iter().flatten() {
        match &m["content"] {
            Value::String(t) => s.push_str(t),
            Value::Array(parts) => {
                for p in parts {
                    if let Some(t) = p["text"].as_str() {
                        s.push_str(t);
                    }
                }
            }
            _ => {}
        }
        for call in m["tool_calls"].as_array().into_iter().flatten() {
            s.push_str(call["function"]["name"].as_str().unwrap_or(""));
            s.push_str(call["function"]["arguments"].as_str().unwrap_or(""));
        }
        s.push('\n');
    }
    s
}

pub(super) fn token_table(
    requests: &[ReceivedRequest],
    files: &BTreeMap<String, Vec<String>>,
    repo: &Path,
    count: &dyn Fn(&str) -> usize,
) -> Result<TokenTable> {
    let mut tasks: BTreeMap<String, TaskTokens> = BTreeMap::new();
    let mut file_tokens: BTreeMap<String, usize> = BTreeMap::new();
    for r in requests {
        let Some((id, _)) = task_of(r) else { bail!("a request to {} names no task", r.path) };
        let entry = tasks.entry(id.clone()).or_default();
        entry.calls.push(count(&message_text(&r.body)));
        let messages = r.body["messages"].as_array().map(Vec::as_slice).unwrap_or_default();
        let text_of = |role: &str| {
            messages.iter().find(|m| m["role"] == role).and_then(|m| m["content"].as_str()).unwrap_or_default()
        };
        entry.system += count(text_of("system"));
        entry.first += count(text_of("user"));
        entry.tools = count(&r.body["tools"].to_string());
        if entry.files == 0 {
            // The files as they were before the run: only the existing ones
            // (the task may list files it would create).
            for f in files.get(&id).into_iter().flatten() {
                let n = match file_tokens.get(f) {
                    Some(n) => *n,
                    None => {
                        let n = std::fs::read_to_string(repo.join(f)).map(|t| count(&t)).unwrap_or(0);
                        file_tokens.insert(f.clone(), n);
                        n
                    }
                };
                entry.files += n;
            }
        }
    }
    Ok(TokenTable { tasks })
}

impl TokenTable {
    pub(super) fn render(&self) -> String {
        let mut s = String::from("tokens (o200k_base, GPT-4o's tokenizer), per task\n");
        s.push_str(
            "  (messages: all text molt sent in the task's calls, system prompt and tool calls and results \
             included; whole files: the files the task touches, as they were, sent with every one of its calls, \
             as a chat agent keeping them in its conversation would, and nothing else; tool schemas apart, below)\n",
        );
        if self.tasks.is_empty() {
            s.push_str("  no model calls were made\n");
            return s;
        }
        let n = self.tasks.len() as f64;
        let mean = |f: &dyn Fn(&TaskTokens) -> usize| self.tasks.values().map(f).sum::<usize>() as f64 / n;
        let max_calls = self.tasks.values().map(|t| t.calls.len()).max().unwrap_or(0);
        s.push_str("                         messages sent   whole files   ratio\n");
        for c in 0..max_calls {
            let with: Vec<&TaskTokens> = self.tasks.values().filter(|t| t.calls.len() > c).collect();
            let sent = with.iter().map(|t| t.calls[c]).sum::<usize>() as f64 / with.len() as f64;
            let whole = with.iter().map(|t| t.files).sum::<usize>() as f64 / with.len() as f64;
            s.push_str(&format!(
                "  call {:<2} (mean)        {sent:>13.0}   {whole:>11.0}   {:>5.2}\n",
                c + 1,
                sent / whole
            ));
        }
        let (sent, whole) = (mean(&|t| t.sent()), mean(&|t| t.whole()));
        let ratio = sent / whole;
        s.push_str(&format!("  task (mean)            {sent:>13.0}   {whole:>11.0}   {ratio:>5.2}\n"));
        let ratios: Vec<f64> = self.tasks.values().map(|t| t.sent() as f64 / t.whole().max(1) as f64).collect();
        let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().copied().fold(0.0, f64::max);
        s.push_str(&format!("  task ratio range        {lo:.2} to {hi:.2} over {} tasks\n", self.tasks.len()));
        let (system, first) = (mean(&|t| t.system), mean(&|t| t.first));
        s.push_str(&format!(
            "  of a task's messages: system prompt {system:.0} ({:.0}%), first task message {first:.0} ({:.0}%), \
             the rest of the conversation {:.0} ({:.0}%)\n",
            100.0 * system / sent,
            100.0 * first / sent,
            sent - system - first,
            100.0 * (sent - system - first) / sent
        ));
        let tools = mean(&|t| t.tools * t.calls.len());
        s.push_str(&format!(
            "  tool schemas, sent with every call: {:.0} a task ({:.2} of whole files with them counted)\n",
            tools,
            (sent + tools) / whole
        ));
        s.push_str(&format!(
            "  target at most 0.3 of whole files: {}\n",
            if ratio <= 0.3 {
                "met".to_owned()
            } else {
                format!("missed ({ratio:.2}, {:.1}x the target)", ratio / 0.3)
            }
        ));
        s
    }
}
