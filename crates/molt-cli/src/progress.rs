//! Progress for `molt run` on a terminal: an overall bar and a spinner per
//! running task, with each finished task printed above them. Off a terminal
//! (CI, pipes) the run prints one plain line per step instead.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use molt_core::{Event, EventKind};

pub struct Progress {
    multi: MultiProgress,
    overall: ProgressBar,
    tasks: Mutex<HashMap<String, ProgressBar>>,
}

impl Progress {
    pub fn new() -> Self {
        let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
        let overall = multi.add(ProgressBar::new(0));
        overall.set_style(
            ProgressStyle::with_template(
                "{prefix:.bold} [{bar:30.green/dim}] {pos}/{len} tasks {elapsed_precise} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        overall.set_prefix("molt");
        Self { multi, overall, tasks: Mutex::new(HashMap::new()) }
    }

    fn spinner(&self, task: &str) -> ProgressBar {
        let bar = self.multi.add(ProgressBar::new_spinner());
        bar.set_style(
            ProgressStyle::with_template("  {spinner} {prefix:28} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_prefix(task.to_owned());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    fn set(&self, task: &str, msg: String) {
        if let Ok(tasks) = self.tasks.lock() {
            if let Some(bar) = tasks.get(task) {
                bar.set_message(msg);
            }
        }
    }

    fn done(&self, task: &str, line: String) {
        if let Ok(mut tasks) = self.tasks.lock() {
            if let Some(bar) = tasks.remove(task) {
                bar.finish_and_clear();
                self.multi.remove(&bar);
            }
        }
        self.overall.inc(1);
        let _ = self.multi.println(line);
    }

    pub fn on(&self, event: &Event) {
        match &event.kind {
            EventKind::RunStarted { migration, branch, tasks, jobs } => {
                self.overall.set_length(*tasks as u64);
                let _ =
                    self.multi.println(format!("molt: {migration}: {tasks} tasks, {jobs} at a time, onto {branch}"));
            }
            EventKind::TaskStarted { task, attempt } => {
                let bar = self.spinner(task.as_str());
                bar.set_message(if *attempt > 1 { format!("attempt {attempt}") } else { "rules".to_owned() });
                if let Ok(mut tasks) = self.tasks.lock() {
                    if let Some(old) = tasks.insert(task.to_string(), bar) {
                        old.finish_and_clear();
                    }
                }
            }
            EventKind::EditApplied { task, agent, files } => {
                self.set(task.as_str(), format!("{agent} edited {}", files.join(", ")));
            }
            EventKind::ModelCall { task, input_tokens, output_tokens, .. } => {
                self.set(task.as_str(), format!("model: {input_tokens} in, {output_tokens} out"));
            }
            EventKind::ModelRetry { task: Some(task), attempt, reason, wait_ms } => {
                self.set(task.as_str(), format!("model retry {attempt} in {:.1}s: {reason}", *wait_ms as f64 / 1000.0));
            }
            EventKind::CheckFinished { task: Some(task), check, passed, .. } => {
                self.set(task.as_str(), format!("check {check}: {}", if *passed { "ok" } else { "fail" }));
            }
            EventKind::CheckFinished { task: None, check, passed, duration_ms, .. } => {
                let _ = self.multi.println(format!(
                    "  check   {check}: {} in {:.1}s",
                    if *passed { "pass" } else { "fail" },
                    *duration_ms as f64 / 1000.0
                ));
            }
            EventKind::TaskCommitted { task, commit } => {
                self.done(task.as_str(), format!("  commit  {task} {}", commit.get(..10).unwrap_or(commit)));
            }
            EventKind::TaskFailed { task, reason, .. } => {
                // A failed attempt that will be retried keeps its spinner.
                let retrying = self.tasks.lock().map(|t| t.contains_key(task.as_str())).unwrap_or(false);
                if retrying {
                    let _ = self.multi.println(format!("  FAILED  {task}: {reason}"));
                    if let Ok(mut tasks) = self.tasks.lock() {
                        if let Some(bar) = tasks.remove(task.as_str()) {
                            bar.finish_and_clear();
                            self.multi.remove(&bar);
                        }
                    }
                }
            }
            EventKind::TaskBlocked { task, by } => {
                self.overall.inc(1);
                let _ = self.multi.println(format!("  blocked {task} (needs {by})"));
            }
            EventKind::StaleLocksRemoved { paths } => {
                let _ = self.multi.println(format!("  removed the git locks a killed molt left: {}", paths.join(", ")));
            }
            EventKind::Warning { message } => {
                let _ = self.multi.println(format!("  warning: {message}"));
            }
            EventKind::RunFinished { .. } => {
                self.overall.finish_and_clear();
            }
            _ => {}
        }
    }
}
