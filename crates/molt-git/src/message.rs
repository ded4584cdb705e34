//! Commit messages with trailers: `subject`, a blank line, the body, a blank
//! line, then `Key: value` lines (`Molt-Task: t3`). The trailers are how a
//! resumed run knows which tasks already reached a branch.

use serde::{Deserialize, Serialize};

/// The trailer naming the task a commit belongs to.
pub const TASK_TRAILER: &str = "Molt-Task";
/// The trailer naming the task a merge commit brought in.
pub const MERGE_TRAILER: &str = "Molt-Merge";

/// A commit message in parts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitMessage {
    pub subject: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub trailers: Vec<(String, String)>,
}

impl CommitMessage {
    pub fn new(subject: impl Into<String>) -> Self {
        Self { subject: subject.into(), ..Self::default() }
    }

    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.body = body.into();
        self
    }

    pub fn trailer(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.trailers.push((key.into(), value.into()));
        self
    }

    /// The value of the first trailer `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.trailers.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v.as_str())
    }

    /// The text git stores. Newlines in the subject and in trailer values are
    /// folded to spaces, so neither can forge a trailer or a second paragraph.
    pub fn render(&self) -> String {
        let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut out = one_line(&self.subject);
        out.push('\n');
        let body = self.body.trim();
        if !body.is_empty() {
            out.push('\n');
            out.push_str(body);
            out.push('\n');
        }
        if !self.trailers.is_empty() {
            out.push('\n');
            for (k, v) in &self.trailers {
                out.push_str(&format!("{}: {}\n", one_line(k).replace(':', ""), one_line(v)));
            }
        }
        // A model's summary is the body: a secret it repeated (from a source
        // comment, say) must not become history. See molt_core::redact.
        molt_core::redact::redact(&out).into_owned()
    }

    /// Splits a stored message into subject, body and trailers (the last
    /// paragraph, when every line of it is `Key: value`).
    pub fn parse(text: &str) -> Self {
        let text = text.trim();
        let (subject, rest) = text.split_once('\n').unwrap_or((text, ""));
        let paragraphs: Vec<&str> = rest.trim().split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
        let mut trailers = Vec::new();
        let mut body_paragraphs = paragraphs.as_slice();
        if let Some((last, before)) = paragraphs.split_last() {
            let parsed: Option<Vec<(String, String)>> = last.lines().map(parse_trailer).collect();
            if let Some(parsed) = parsed {
                trailers = parsed;
                body_paragraphs = before;
            }
        }
        CommitMessage { subject: subject.trim().to_owned(), body: body_paragraphs.join("\n\n"), trailers }
    }
}

fn parse_trailer(line: &str) -> Option<(String, String)> {
    let (key, value) = line.split_once(": ")?;
    let valid = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    valid.then(|| (key.to_owned(), value.trim().to_owned()))
}

#[cfg(test)]
mod tests;
