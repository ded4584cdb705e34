//! A coder's transcript, `.molt/transcripts/<task>.jsonl`: appended, one
//! turn's message a line, redacted like everything else written in `.molt/`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The appender of one task's transcript ([`super::Workspace::transcript`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    path: PathBuf,
}

impl Transcript {
    pub(super) fn new(path: PathBuf) -> Self {
        Self { path }
    }

    /// `.molt/transcripts/<task>.jsonl`.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `line` (one JSON value, no newline) with secrets of a known
    /// shape redacted: tool results hold the code and check output. The
    /// line is written with one `write` on a file opened for appending, so
    /// a crash leaves at most the last line short. A transcript is a record
    /// for people, not state: the error is returned for the caller to
    /// decide, and the coder goes on without it.
    pub fn append(&self, line: &str) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut line = molt_core::redact::redact(line).into_owned();
        line.push('\n');
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&self.path)?;
        file.write_all(line.as_bytes())
    }
}
