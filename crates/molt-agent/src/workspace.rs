//! `.molt/`, molt's working folder in a repository, and its one owner; also
//! the recipe and the model a run is set up with (`setup.rs`).
//!
//! Every file molt keeps there is named, read and written here: the plan
//! (`plan.json`), the run's state (`state.json`), the baseline
//! (`baseline.json`), the event log (`events.jsonl`), the coder's
//! transcripts (`transcripts/<task>.jsonl`), the reports (`report.md`,
//! `report.json`, `report.html`), the run lock (`run.lock`) and the folder of
//! slot worktrees (`worktrees/`, which molt-git manages at the path given
//! here).
//!
//! Whole files are written by one writer, [`Workspace::write`]: secrets of a
//! known shape are redacted ([`molt_core::redact`]), then the text goes
//! through a temporary file, an fsync and a rename, so a reader (or a crash)
//! never sees half a file. The two files that grow line by line are appended
//! by their own types, made here and redacting the same way: the event log
//! ([`crate::state::EventLog`], opened by [`Workspace::events`]) and a
//! task's transcript ([`Transcript`], [`Workspace::transcript`]). The slot
//! worktrees under `worktrees/` are git's: molt-git makes and removes them
//! at the folder this type names ([`Workspace::git`]), and nothing else of
//! molt writes in `.molt/`. The other atomic writer in molt is molt-syntax's
//! edit transaction, which writes the repository's *sources*, several files
//! at once with rollback and their permissions kept; it is a different job
//! and stays there. molt-verify and molt-syntax cannot depend on this crate
//! (and molt-core does no I/O), so molt-verify's [`Baseline`] only parses and
//! serializes, and this type puts it on disk.

mod lock;
pub mod setup;
mod transcript;

use std::io::Write;
use std::path::{Path, PathBuf};

use molt_core::Plan;
use molt_verify::Baseline;

pub use lock::RunLock;
pub use setup::{Model, ModelOverride};
pub use transcript::Transcript;

use crate::state::{EventLog, Observer, RunState};
use crate::{Error, Result};

/// The name of molt's folder in a repository.
pub const DIR: &str = ".molt";

/// `.molt/` under one repository root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Workspace {
    root: PathBuf,
    dir: PathBuf,
}

impl Workspace {
    /// The workspace of the repository whose root (main working tree) is
    /// `root`. Nothing is created until something is written.
    pub fn new(root: &Path) -> Self {
        Self { root: root.to_owned(), dir: root.join(DIR) }
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/.molt`.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `.molt/state.json`.
    pub fn state_path(&self) -> PathBuf {
        self.dir.join("state.json")
    }

    /// `.molt/plan.json`.
    pub fn plan_path(&self) -> PathBuf {
        self.dir.join("plan.json")
    }

    /// `.molt/baseline.json`.
    pub fn baseline_path(&self) -> PathBuf {
        self.dir.join("baseline.json")
    }

    /// `.molt/events.jsonl`.
    pub fn events_path(&self) -> PathBuf {
        self.dir.join("events.jsonl")
    }

    /// `.molt/run.lock`.
    pub fn lock_path(&self) -> PathBuf {
        self.dir.join("run.lock")
    }

    /// `.molt/transcripts`.
    pub fn transcripts_dir(&self) -> PathBuf {
        self.dir.join("transcripts")
    }

    /// `.molt/transcripts/<task>.jsonl`, where the coder appends its turns.
    pub fn transcript_path(&self, task: &str) -> PathBuf {
        self.transcripts_dir().join(format!("{task}.jsonl"))
    }

    /// Task `task`'s transcript, the one appender of
    /// `.molt/transcripts/<task>.jsonl` ([`Transcript::append`] redacts).
    pub fn transcript(&self, task: &str) -> Transcript {
        Transcript::new(self.transcript_path(task))
    }

    /// `.molt/worktrees`, the slot worktrees' folder (molt-git's
    /// [`molt_git::MigrationRepo::with_worktrees_dir`]).
    pub fn worktrees_dir(&self) -> PathBuf {
        self.dir.join("worktrees")
    }

    /// `.molt/report.md`, `.molt/report.json` and `.molt/report.html`.
    pub fn report_paths(&self) -> [PathBuf; 3] {
        [self.dir.join("report.md"), self.dir.join("report.json"), self.dir.join("report.html")]
    }

    /// Opens the migration's repository with its slot worktrees here.
    pub fn git(&self, migration: &str) -> Result<molt_git::MigrationRepo> {
        molt_git::MigrationRepo::open(&self.root, migration)
            .map(|g| g.with_worktrees_dir(self.worktrees_dir()))
            .map_err(Error::from_git)
    }

    /// Whether a run has been started here (`.molt/state.json` exists).
    pub fn has_state(&self) -> bool {
        self.state_path().exists()
    }

    /// The run's state; `None` before the first run.
    pub fn load_state(&self) -> Result<Option<RunState>> {
        let path = self.state_path();
        let Some(text) = read_optional(&path)? else { return Ok(None) };
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|source| Error::StateFile { path: path.display().to_string(), source })
    }

    /// Writes the run's state.
    pub fn save_state(&self, state: &RunState) -> Result<()> {
        let text = serde_json::to_string_pretty(state)?;
        self.write(&self.state_path(), &text)
    }

    /// The plan, validated; `None` when there is none yet.
    pub fn load_plan(&self) -> Result<Option<Plan>> {
        let path = self.plan_path();
        match read_optional(&path)? {
            Some(text) => Ok(Some(Plan::parse(".molt/plan.json", &text)?)),
            None => Ok(None),
        }
    }

    /// Writes the plan.
    pub fn save_plan(&self, plan: &Plan) -> Result<()> {
        self.write(&self.plan_path(), &plan.to_json())
    }

    /// The baseline; `None` when there is none yet.
    pub fn load_baseline(&self) -> Result<Option<Baseline>> {
        let path = self.baseline_path();
        match read_optional(&path)? {
            Some(text) => Ok(Some(Baseline::parse(&path, &text)?)),
            None => Ok(None),
        }
    }

    /// Writes the baseline (check output may print a secret: it is redacted
    /// like everything else written here); returns its path.
    pub fn save_baseline(&self, baseline: &Baseline) -> Result<PathBuf> {
        let path = self.baseline_path();
        self.write(&path, &baseline.to_json()?)?;
        Ok(path)
    }

    /// Opens the event log for appending, for run `run`.
    pub fn events(&self, run: &str, observer: Option<Observer>) -> Result<EventLog> {
        std::fs::create_dir_all(&self.dir).map_err(|e| Error::io(&self.dir, e))?;
        EventLog::open(&self.events_path(), run, observer)
    }

    /// Takes the run lock ([`RunLock`]).
    pub fn lock(&self) -> Result<RunLock> {
        RunLock::acquire(self)
    }

    /// The one writer of `.molt/`: `text`, redacted, written to `path`
    /// (which must lie in `.molt/`) through a temporary file and a rename.
    pub fn write(&self, path: &Path, text: &str) -> Result<()> {
        debug_assert!(path.starts_with(&self.dir), "{} is outside {}", path.display(), self.dir.display());
        let dir = path.parent().unwrap_or(&self.dir);
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let bytes = molt_core::redact::redact(text);
        let written = std::fs::File::create(&tmp).and_then(|mut f| {
            f.write_all(bytes.as_bytes())?;
            f.sync_all()
        });
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::io(&tmp, e));
        }
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(path, e)
        })
    }
}

/// A file's text, `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests;
