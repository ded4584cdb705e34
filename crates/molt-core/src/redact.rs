//! Known secret shapes, found and replaced in text molt is about to write.
//!
//! # The rule
//!
//! molt redacts secrets from everything it writes outside the repository's
//! own tree: events (`.molt/events.jsonl` and `--json` output), transcripts,
//! cassettes, `state.json`, `baseline.json`, `plan.json` (a planner model can
//! repeat what it read into a task's instruction), reports and commit
//! messages. It does not redact what it sends to a provider (the code an agent
//! works on goes to the model as it is, or the model could not edit it) nor
//! the files of the migration branch (a secret already committed in the
//! repository stays where the user put it; molt neither hides nor spreads it).
//!
//! Secrets from molt's environment (API keys, AWS credentials) are kept out by
//! construction (they only ever go into request headers and signatures, and
//! never into a check's environment); this redactor is the second line, for
//! the secrets that arrive as data: a key in a source comment, a token a test
//! prints, a credential a model repeats.
//!
//! Shapes rather than values, because molt-core holds no state: a key of a
//! known shape is found wherever it came from. The shapes are conservative so
//! that a commit id, a hash or a base64 blob is never mistaken for a secret
//! (an AWS secret access key has no shape of its own, so it is only taken when
//! a name says what it is).

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::{Captures, Regex};

/// What replaces a secret: `[REDACTED:<kind>]`. No quote or backslash, so
/// redacting inside a JSON string keeps the JSON valid.
pub const MARK: &str = "[REDACTED";

struct Shape {
    kind: &'static str,
    pattern: Regex,
    /// The capture group holding the secret (0: the whole match), so a name
    /// before a value survives.
    group: usize,
}

static SHAPES: LazyLock<Vec<Shape>> = LazyLock::new(|| {
    let shape = |kind, pattern: &str, group| Shape {
        kind,
        pattern: Regex::new(pattern).unwrap_or_else(|e| panic!("bad built-in secret pattern {pattern}: {e}")),
        group,
    };
    vec![
        // Anthropic before OpenAI, which would also match it.
        shape("anthropic-key", r"\bsk-ant-[A-Za-z0-9_-]{16,}", 0),
        // OpenAI: sk-..., sk-proj-..., sk-svcacct-...
        shape("openai-key", r"\bsk-[A-Za-z0-9][A-Za-z0-9_-]{19,}", 0),
        shape("aws-access-key-id", r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", 0),
        shape(
            "aws-secret-access-key",
            r#"(?i)(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret)[\\"']*\s*[:=]\s*[\\"']*([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#,
            1,
        ),
        shape("github-token", r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", 0),
        shape("github-token", r"\bgithub_pat_[A-Za-z0-9_]{22,}", 0),
        shape("slack-token", r"\bxox[abprs]-[A-Za-z0-9-]{10,}", 0),
        shape("private-key", r"-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----", 0),
    ]
});

/// `text` with every secret of a known shape replaced by `[REDACTED:<kind>]`;
/// borrowed when there was none (the common case costs one scan per shape).
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    for shape in SHAPES.iter() {
        if !shape.pattern.is_match(&out) {
            continue;
        }
        let replaced = shape
            .pattern
            .replace_all(&out, |caps: &Captures<'_>| {
                let whole = caps.get(0).map_or("", |m| m.as_str());
                match caps.get(shape.group) {
                    Some(secret) if shape.group > 0 => {
                        let start = secret.start() - caps.get(0).map_or(0, |m| m.start());
                        let end = start + secret.len();
                        format!("{}{MARK}:{}]{}", &whole[..start], shape.kind, &whole[end..])
                    }
                    _ => format!("{MARK}:{}]", shape.kind),
                }
            })
            .into_owned();
        out = Cow::Owned(replaced);
    }
    out
}

/// Whether `text` holds a secret of a known shape.
pub fn has_secret(text: &str) -> bool {
    SHAPES.iter().any(|s| s.pattern.is_match(text))
}

#[cfg(test)]
mod tests;
