//! A worker: one task in its slot's worktree, attempt by attempt. The
//! recipe's rules first, then (for what they left, with a model) the coder
//! agent; the task's checks judged against the baseline; a commit on the
//! task branch when no check got worse.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Instant;

use molt_core::{EventKind, Spec, Task, TaskId, TaskState};
use molt_recipes::Recipe;
use molt_verify::{Baseline, Outcome, RunOptions as CheckOptions, Verdict};

use super::coder_input::{dedupe_reasons, report_of, symbols_of, unmapped_reasons};
use super::slots::Slot;
use crate::rules;
use crate::state::{EventLog, TaskRecord};
use crate::summary::summarize;
use crate::workspace::Workspace;
use crate::{Error, Result};

/// How an attempt at a task ended, and so how the task ended (as its last
/// attempt did) and what its worker reports: one type for the three. Only
/// an attempt's failure may ask for another try (`retry`); a task that ends
/// failed has none left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum End {
    Committed(String),
    Failed {
        retry: bool,
    },
    /// The budget ran out mid-task: the task goes back to pending.
    Budget,
}

/// A finished worker's report: its task, what happened to it, and how it
/// ended.
pub(super) struct Done {
    pub(super) id: TaskId,
    pub(super) record: TaskRecord,
    pub(super) end: End,
}

/// A model and the runtime its calls run on.
#[derive(Clone)]
pub(super) struct ModelCtx {
    pub(super) client: molt_llm::Client,
    pub(super) rt: tokio::runtime::Handle,
    pub(super) agent: String,
    pub(super) max_turns: u32,
    /// `[model] max_output_tokens`, or [`crate::coder::DEFAULT_MAX_OUTPUT_TOKENS`].
    pub(super) max_output_tokens: u32,
}

/// What a worker thread needs; everything owned so the thread is `'static`.
pub(super) struct Worker {
    pub(super) root: PathBuf,
    pub(super) spec: Spec,
    pub(super) recipe: &'static dyn Recipe,
    pub(super) baseline: Baseline,
    pub(super) base: String,
    /// Where agents may write (the same policy for the rules, the coder's
    /// tools and the commit step).
    pub(super) policy: molt_core::PathPolicy,
    pub(super) check_opts: CheckOptions,
    pub(super) log: EventLog,
    /// Bench checks take it exclusively, every other check shares it: a
    /// benchmark never runs beside another task's build or tests, which would
    /// make its timings noise.
    pub(super) bench_lock: Arc<RwLock<()>>,
    pub(super) model: Option<ModelCtx>,
    /// A worktree at the base commit, for re-measuring the baseline beside a
    /// candidate that looks slower.
    pub(super) bench_base: Option<PathBuf>,
    /// The number of this worker's first attempt: attempts are counted
    /// across the worker's retries and across resumed runs.
    pub(super) first_attempt: u32,
}

/// A benchmark that looks slower than the stored baseline is measured again,
/// right after the base commit is measured again, so both see the same
/// machine. Timings on a shared machine drift over minutes; a regression that
/// is real survives this, one that is load does not.
pub(super) fn confirm_bench(check: &molt_core::Check, candidate: &Path, base: &Path, opts: &CheckOptions) -> Verdict {
    let base_result = molt_verify::run_check(check, base, opts);
    let cand_result = molt_verify::run_check(check, candidate, opts);
    let fresh = Baseline::from_results(vec![base_result], None);
    let mut v = molt_verify::judge(&fresh, &cand_result, check);
    v.reasons.push("re-measured beside the base commit after a first reading looked slower".to_owned());
    v
}

/// The paths a task's commit takes: those of the worktree's `diff` that the
/// agents wrote (build outputs the checks left behind never reach a commit).
/// The commit step is the second line of defence: whatever wrote them, each
/// must be one the policy lets an agent write, or the task is refused with
/// the reasons.
pub(super) fn commit_paths(
    diff: Vec<String>,
    agent_paths: &std::collections::BTreeSet<String>,
    policy: &molt_core::PathPolicy,
) -> std::result::Result<Vec<String>, Vec<String>> {
    let changed: Vec<String> = diff.into_iter().filter(|p| agent_paths.contains(p)).collect();
    let refused: Vec<String> = changed.iter().filter_map(|p| policy.writable(p).err().map(|r| r.to_string())).collect();
    if refused.is_empty() {
        Ok(changed)
    } else {
        Err(refused)
    }
}

impl Worker {
    pub(super) fn do_task(&self, task: &Task, slot: &mut Slot) -> Done {
        let mut record = TaskRecord::pending();
        record.state = TaskState::Running;
        let end = match self.try_task(task, &mut record, slot) {
            Ok(end) => end,
            Err(e) => {
                record.error = Some(e.to_string());
                record.environment = e.is_environment();
                End::Failed { retry: false }
            }
        };
        if matches!(end, End::Failed { .. }) {
            record.state = TaskState::Failed;
        }
        Done { id: task.id.clone(), record, end }
    }

    /// Runs the task's attempts, each from a clean worktree. Rules are
    /// deterministic, so only attempts that involve a model are retried.
    fn try_task(&self, task: &Task, record: &mut TaskRecord, slot: &mut Slot) -> Result<End> {
        let git = Workspace::new(&self.root).git(&self.spec.migration.name)?;
        let attempts = if self.model.is_some() { self.spec.migration.attempts.max(1) } else { 1 };
        let mut history: Vec<String> = Vec::new();
        for attempt in 1..=attempts {
            let number = self.first_attempt.max(1) + attempt - 1;
            record.attempts = number;
            if attempt > 1 {
                self.log.emit(EventKind::TaskFailed {
                    task: task.id.clone(),
                    attempt: number - 1,
                    reason: record.error.clone().unwrap_or_default(),
                    environment: record.environment,
                });
                self.log.emit(EventKind::TaskStarted { task: task.id.clone(), attempt: number });
            }
            record.error = None;
            record.environment = false;
            let wt = slot.checkout(&git, task.id.as_str(), &self.base)?;
            let end = self.attempt(&git, &wt, task, record, &history);
            slot.release(&git, &wt);
            match end {
                Ok(End::Committed(c)) => return Ok(End::Committed(c)),
                Ok(End::Budget) => {
                    let _ = git.delete_task_branch(task.id.as_str());
                    return Ok(End::Budget);
                }
                Ok(End::Failed { retry }) => {
                    let _ = git.delete_task_branch(task.id.as_str());
                    history.push(record.error.clone().unwrap_or_default());
                    if !retry {
                        break;
                    }
                }
                Err(e) => {
                    let _ = git.delete_task_branch(task.id.as_str());
                    return Err(e);
                }
            }
        }
        Ok(End::Failed { retry: false })
    }

    /// The task's checks in the worktree, judged against the baseline.
    fn checks(&self, task: &Task, wt: &std::path::Path) -> Vec<Verdict> {
        let checks: Vec<&molt_core::Check> = if task.checks.is_empty() {
            self.spec.checks.iter().collect()
        } else {
            self.spec.checks.iter().filter(|c| task.checks.contains(&c.name)).collect()
        };
        let mut verdicts = Vec::new();
        for check in checks {
            let r = if check.kind == molt_core::CheckKind::Bench {
                let _alone = self.bench_lock.write().unwrap_or_else(|e| e.into_inner());
                molt_verify::run_check(check, wt, &self.check_opts)
            } else {
                let _shared = self.bench_lock.read().unwrap_or_else(|e| e.into_inner());
                molt_verify::run_check(check, wt, &self.check_opts)
            };
            let mut v = molt_verify::judge(&self.baseline, &r, check);
            if check.kind == molt_core::CheckKind::Bench && v.outcome == Outcome::Fail {
                if let Some(base) = &self.bench_base {
                    let _alone = self.bench_lock.write().unwrap_or_else(|e| e.into_inner());
                    v = confirm_bench(check, wt, base, &self.check_opts);
                }
            }
            self.log.emit(EventKind::CheckFinished {
                task: Some(task.id.clone()),
                check: check.name.clone(),
                passed: v.outcome.passed(),
                duration_ms: r.duration_ms,
                detail: Some(v.detail()),
            });
            verdicts.push(v);
        }
        verdicts
    }

    fn attempt(
        &self,
        git: &molt_git::MigrationRepo,
        wt: &molt_git::TaskWorktree,
        task: &Task,
        record: &mut TaskRecord,
        history: &[String],
    ) -> Result<End> {
        let started = Instant::now();
        let outcome = rules::apply(self.recipe, task, &wt.path, &self.policy)?;
        record.agent = Some("rules".to_owned());
        record.sites_rules = outcome.mapped.len();
        record.sites_model = 0;
        record.unmapped = outcome.unmapped.iter().map(|(s, why)| format!("{}: {why}", s.location())).collect();
        if !outcome.changed.is_empty() {
            self.log.emit(EventKind::EditApplied {
                task: task.id.clone(),
                agent: "rules".to_owned(),
                files: outcome.changed.clone(),
            });
        }
        let mut agent_paths: std::collections::BTreeSet<String> = outcome.changed.iter().cloned().collect();
        let mut verdicts: Option<Vec<Verdict>> = None;
        let mut summary_line = format!("{} site(s) migrated by rules", outcome.mapped.len());
        if !outcome.unmapped.is_empty() || task.sites.is_empty() {
            let Some(model) = &self.model else {
                record.error = Some(if task.sites.is_empty() {
                    "the task has no sites for the rules and no model is configured to do it".to_owned()
                } else {
                    format!(
                        "{} site(s) the rules cannot map and no model is configured to take: {}",
                        outcome.unmapped.len(),
                        unmapped_reasons(&record.unmapped)
                    )
                });
                return Ok(End::Failed { retry: false });
            };
            let mut last: Option<Vec<Verdict>> = None;
            let end = {
                let mut run_checks = || {
                    let v = self.checks(task, &wt.path);
                    let ok = !v.iter().any(|v| v.blocking && v.outcome == Outcome::Fail);
                    let reports = v.iter().map(report_of).collect();
                    last = Some(v);
                    (ok, reports)
                };
                let coder = self.coder(model, task, wt, record, history, &mut run_checks)?;
                coder.run()
            };
            agent_paths.extend(end.changed.iter().cloned());
            match &end.end {
                crate::coder::CoderEnd::Finished(summary) => {
                    record.agent = Some(model.agent.clone());
                    record.sites_model = record.unmapped.len();
                    record.unmapped.clear();
                    summary_line = format!("{summary_line}; {} by {}: {summary}", record.sites_model, model.agent);
                    verdicts = last;
                }
                crate::coder::CoderEnd::Budget(e) => {
                    record.tokens += end.tokens;
                    record.cost_usd += end.cost_usd;
                    record.error = Some(e.clone());
                    return Ok(End::Budget);
                }
                other => {
                    record.tokens += end.tokens;
                    record.cost_usd += end.cost_usd;
                    record.error = Some(other.describe());
                    return Ok(End::Failed { retry: true });
                }
            }
            record.tokens += end.tokens;
            record.cost_usd += end.cost_usd;
        }
        let diff = git.changed_paths(wt).map_err(Error::from_git)?;
        let changed = match commit_paths(diff, &agent_paths, &self.policy) {
            Ok(changed) => changed,
            Err(refused) => {
                record.error =
                    Some(format!("the task's diff touches paths no agent may write: {}", refused.join("; ")));
                return Ok(End::Failed { retry: self.model.is_some() });
            }
        };
        if changed.is_empty() {
            record.error = Some("nothing changed; the sites may already be migrated".to_owned());
            return Ok(End::Failed { retry: false });
        }
        let verdicts = match verdicts {
            Some(v) => v,
            None => self.checks(task, &wt.path),
        };
        record.checks = summarize(&verdicts);
        let failing: Vec<&Verdict> = verdicts.iter().filter(|v| v.blocking && v.outcome == Outcome::Fail).collect();
        if !failing.is_empty() {
            // A check that the machine failed (its process killed from
            // outside, the disk full) says nothing about the edit.
            record.environment = failing.iter().any(|v| v.result.environment_fault().is_some());
            record.error = Some(format!(
                "checks failed: {}",
                failing.iter().map(|v| format!("{} ({})", v.check, v.detail())).collect::<Vec<_>>().join("; ")
            ));
            return Ok(End::Failed { retry: record.agent.as_deref() != Some("rules") });
        }
        let checks_trailer = verdicts
            .iter()
            .map(|v| format!("{}={}", v.check, v.outcome.as_str().replace(' ', "-")))
            .collect::<Vec<_>>();
        let body = format!(
            "{}\n\n{summary_line}, in {:.1}s.",
            task.instruction.lines().next().unwrap_or(""),
            started.elapsed().as_secs_f64()
        );
        let message = molt_git::CommitMessage::new(task.title.clone())
            .body(body)
            .trailer(molt_git::TASK_TRAILER, task.id.to_string())
            .trailer("Molt-Recipe", self.recipe.name())
            .trailer("Molt-Agent", record.agent.clone().unwrap_or_else(|| "rules".to_owned()))
            .trailer("Molt-Checks", checks_trailer.join(", "));
        // Exactly the files the agents changed: build outputs the checks left
        // behind never reach a commit.
        match git.commit_task(wt, &message, Some(&changed)).map_err(Error::from_git)? {
            Some(commit) => Ok(End::Committed(commit)),
            None => {
                record.error = Some("nothing to commit after the edits".to_owned());
                Ok(End::Failed { retry: false })
            }
        }
    }

    /// A coder agent for this attempt, with its prompts rendered.
    fn coder<'a>(
        &'a self,
        model: &'a ModelCtx,
        task: &'a Task,
        wt: &molt_git::TaskWorktree,
        record: &TaskRecord,
        history: &[String],
        run_checks: &'a mut dyn FnMut() -> (bool, Vec<crate::prompts::CheckReport>),
    ) -> Result<crate::coder::CoderRun<'a>> {
        let system = crate::prompts::coder_system(&crate::prompts::CoderSystem {
            goal: &self.spec.migration.goal,
            recipe: Some(self.recipe.name()),
            protected: &self.spec.migration.protected,
            checks: self.spec.checks.iter().map(|c| c.name.as_str()).collect(),
        })?;
        let (symbols, indexes) = symbols_of(task, &wt.path);
        let shown: Vec<(String, String)> = symbols.iter().map(|s| (s.path.clone(), s.text.clone())).collect();
        let first = crate::prompts::coder_task(&crate::prompts::CoderTask {
            task,
            unmapped: &dedupe_reasons(&record.unmapped),
            symbols,
            history,
        })?;
        let mut toolbox = crate::tools::ToolBox::new(
            &wt.path,
            crate::tools::ToolBoxOptions {
                include: self.spec.migration.include.clone(),
                protected: self.spec.migration.protected.clone(),
                task_files: task.files.clone(),
                ..crate::tools::ToolBoxOptions::default()
            },
        );
        for (symbol, text) in &shown {
            toolbox.mark_shown(symbol, text);
        }
        toolbox.remember_indexes(indexes);
        Ok(crate::coder::CoderRun {
            rt: &model.rt,
            client: &model.client,
            task,
            system,
            first_message: first,
            toolbox,
            limits: crate::coder::CoderLimits {
                max_turns: model.max_turns,
                max_output_tokens: model.max_output_tokens,
                ..crate::coder::CoderLimits::default()
            },
            transcript: Some(Workspace::new(&self.root).transcript(task.id.as_str())),
            log: &self.log,
            agent: model.agent.clone(),
            run_checks,
        })
    }
}
