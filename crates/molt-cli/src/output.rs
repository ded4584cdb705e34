//! How commands talk to the user: text for people, JSON lines for machines.
//!
//! Results go to stdout, logs and errors to stderr. With `--json` every result
//! is one JSON object a line and errors become `{"error": ..., "exit": N}` on
//! stdout too, so a bot reading stdout sees why a command failed.
//!
//! CI mode (`molt run --ci`) is `--json` for stdout plus text for people on
//! stderr: a CI log then shows what happened while a bot still reads only
//! JSON from stdout. It never draws progress bars and uses colors only when
//! asked with `--color always`.

use std::io::{IsTerminal, Write};

use serde::Serialize;

use crate::exit::Exit;
use crate::Global;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug)]
pub struct Output {
    pub json: bool,
    pub quiet: bool,
    /// JSON lines on stdout, text for people on stderr, no terminal assumed.
    pub ci: bool,
    color: bool,
}

/// Whether stderr gets colors under this choice (and NO_COLOR).
pub fn stderr_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal(),
    }
}

impl Output {
    pub fn new(global: &Global) -> Self {
        let color = match global.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal(),
        };
        Self { json: global.json, quiet: global.quiet, ci: false, color }
    }

    /// The output of CI mode: JSON lines on stdout whatever `--json` says,
    /// and colors only under `--color always` (a CI log is not a terminal,
    /// whatever the runner pretends).
    pub fn ci(global: &Global) -> Self {
        Self { json: true, quiet: global.quiet, ci: true, color: global.color == ColorChoice::Always }
    }

    /// Text for people on stderr; skipped under `--quiet`. CI mode's
    /// summary goes here, so that stdout stays JSON.
    pub fn note(&self, text: &str) {
        if !self.quiet {
            let _ = writeln!(std::io::stderr().lock(), "{text}");
        }
    }

    /// A line of text for people; skipped under `--json` and `--quiet`.
    pub fn line(&self, text: &str) {
        if !self.json && !self.quiet {
            let _ = writeln!(std::io::stdout().lock(), "{text}");
        }
    }

    /// A result line: JSON under `--json`, otherwise the text.
    pub fn result<T: Serialize>(&self, value: &T, text: &str) -> anyhow::Result<()> {
        let mut stdout = std::io::stdout().lock();
        if self.json {
            writeln!(stdout, "{}", serde_json::to_string(value)?)?;
        } else if !self.quiet {
            writeln!(stdout, "{text}")?;
        }
        Ok(())
    }

    /// Bold green when colors are on, for short status words.
    pub fn good(&self, text: &str) -> String {
        self.paint("1;32", text)
    }

    /// Bold red when colors are on.
    pub fn bad(&self, text: &str) -> String {
        self.paint("1;31", text)
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }

    pub fn error(&self, message: &str, code: Exit) {
        if self.json {
            let line = serde_json::json!({ "error": message, "exit": code as u8 });
            let _ = writeln!(std::io::stdout().lock(), "{line}");
        }
        let prefix = if stderr_color(if self.color { ColorChoice::Always } else { ColorChoice::Never }) {
            "\x1b[1;31merror:\x1b[0m"
        } else {
            "error:"
        };
        let _ = writeln!(std::io::stderr().lock(), "{prefix} {message}");
    }
}
