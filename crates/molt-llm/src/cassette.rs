//! Record and replay of model traffic: JSONL cassettes.
//!
//! One line per call: `{"key", "request", "response"}` for a whole answer or
//! `{"key", "request", "events"}` for a streamed one. `request` is the
//! normalized request: provider, model and our provider-neutral [`Request`],
//! never a wire body, so no header, key or signature can reach a cassette.
//! `key` is the SHA-256 of its canonical JSON (object keys sorted).
//!
//! Replay hands out the recorded answers of a key in recorded order, and the
//! last one again once they run out (an agent that repeats itself replays
//! the same answer). A request with no recorded key is a [`Error::ReplayMiss`]
//! with a line diff against the most similar recorded request.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use molt_core::ProviderKind;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::types::{Request, Response, StreamEvent};

/// Whether a client records, replays, or neither.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum CassetteMode {
    #[default]
    Off,
    Record(PathBuf),
    Replay(PathBuf),
}

/// One line of a cassette.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Entry {
    pub key: String,
    pub request: Value,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Response>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<StreamEvent>>,
}

/// What replay hands back.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Recorded {
    Response(Response),
    Events(Vec<StreamEvent>),
}

#[derive(Debug)]
enum Inner {
    Record { file: std::fs::File },
    Replay { entries: Vec<Entry>, by_key: HashMap<String, Vec<usize>>, used: HashMap<String, usize> },
}

#[derive(Debug)]
pub struct Cassette {
    path: PathBuf,
    inner: Mutex<Inner>,
}

/// The request as a cassette stores it.
pub fn normalize(provider: ProviderKind, model: &str, request: &Request) -> Value {
    json!({"provider": provider.as_str(), "model": model, "request": request})
}

/// The cassette key of a normalized request.
pub fn request_key(normalized: &Value) -> String {
    hex::encode(Sha256::digest(canonical(normalized).as_bytes()))
}

/// JSON with object keys sorted at every level, whatever serde_json's map order.
fn canonical(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let sorted: BTreeMap<&String, &Value> = map.iter().collect();
            let fields: Vec<String> =
                sorted.into_iter().map(|(k, v)| format!("{}:{}", Value::String(k.clone()), canonical(v))).collect();
            format!("{{{}}}", fields.join(","))
        }
        Value::Array(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(",")),
        other => other.to_string(),
    }
}

impl Cassette {
    /// Opens `path` for appending, creating it and its folder.
    pub fn record(path: &Path) -> Result<Cassette> {
        let err = |e: std::io::Error| Error::Cassette { path: path.display().to_string(), message: e.to_string() };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        let file = std::fs::OpenOptions::new().create(true).append(true).open(path).map_err(err)?;
        Ok(Cassette { path: path.to_owned(), inner: Mutex::new(Inner::Record { file }) })
    }

    /// Loads `path` for replay.
    pub fn replay(path: &Path) -> Result<Cassette> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Cassette { path: shown.clone(), message: e.to_string() })?;
        let mut entries = Vec::new();
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let entry: Entry = serde_json::from_str(line)
                .map_err(|e| Error::Cassette { path: format!("{shown}:{}", i + 1), message: e.to_string() })?;
            if entry.response.is_none() && entry.events.is_none() {
                return Err(Error::Cassette {
                    path: format!("{shown}:{}", i + 1),
                    message: "the entry has neither \"response\" nor \"events\"".into(),
                });
            }
            by_key.entry(entry.key.clone()).or_default().push(entries.len());
            entries.push(entry);
        }
        Ok(Cassette {
            path: path.to_owned(),
            inner: Mutex::new(Inner::Replay { entries, by_key, used: HashMap::new() }),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_replay(&self) -> bool {
        matches!(*self.lock(), Inner::Replay { .. })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Appends one call (record mode; a no-op in replay mode).
    pub(crate) fn append(&self, normalized: &Value, outcome: Recorded) -> Result<()> {
        let (response, events) = match outcome {
            Recorded::Response(mut r) => {
                // Cost is computed from usage at replay time, with the price then in force.
                r.cost_usd = None;
                (Some(r), None)
            }
            Recorded::Events(e) => (None, Some(e)),
        };
        let entry = Entry { key: request_key(normalized), request: normalized.clone(), response, events };
        let line = serde_json::to_string(&entry)
            .map_err(|e| Error::Cassette { path: self.path.display().to_string(), message: e.to_string() })?;
        // The request holds the code the agent worked on and the answers what
        // the model wrote: secrets of a known shape are redacted. The key was
        // computed from the request as sent, so a replay still finds it.
        let mut line = molt_core::redact::redact(&line).into_owned();
        line.push('\n');
        let mut inner = self.lock();
        if let Inner::Record { file } = &mut *inner {
            // One write of a whole line, so concurrent agents never interleave.
            file.write_all(line.as_bytes())
                .and_then(|()| file.flush())
                .map_err(|e| Error::Cassette { path: self.path.display().to_string(), message: e.to_string() })?;
        }
        Ok(())
    }

    /// The recorded answer to `normalized`, or a miss with a diff.
    pub(crate) fn take(&self, normalized: &Value) -> Result<Recorded> {
        let key = request_key(normalized);
        let mut inner = self.lock();
        let Inner::Replay { entries, by_key, used } = &mut *inner else {
            return Err(Error::Cassette {
                path: self.path.display().to_string(),
                message: "not opened for replay".into(),
            });
        };
        let Some(positions) = by_key.get(&key) else {
            return Err(Error::ReplayMiss { diff: nearest_diff(entries, normalized) });
        };
        let n = used.entry(key).or_insert(0);
        let at = positions[(*n).min(positions.len() - 1)];
        *n += 1;
        let entry = &entries[at];
        Ok(match (&entry.events, &entry.response) {
            (Some(events), _) => Recorded::Events(events.clone()),
            (None, Some(response)) => Recorded::Response(response.clone()),
            (None, None) => Recorded::Events(Vec::new()),
        })
    }
}

/// A unified diff (recorded → asked) against the most similar recorded request.
fn nearest_diff(entries: &[Entry], normalized: &Value) -> String {
    let asked = pretty(normalized);
    let nearest = entries
        .iter()
        .map(|e| {
            let text = pretty(&e.request);
            let ratio = similar::TextDiff::from_words(&text, &asked).ratio();
            (ratio, text)
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match nearest {
        None => format!("(the cassette is empty)\nrequest:\n{asked}"),
        Some((_, recorded)) => similar::TextDiff::from_lines(&recorded, &asked)
            .unified_diff()
            .context_radius(3)
            .header("recorded", "requested")
            .to_string(),
    }
}

fn pretty(v: &Value) -> String {
    let sorted: Value = serde_json::from_str(&canonical(v)).unwrap_or_else(|_| v.clone());
    let mut s = serde_json::to_string_pretty(&sorted).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests;
