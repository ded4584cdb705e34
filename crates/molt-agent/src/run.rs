//! The scheduler: runs a plan's tasks, `jobs` at a time, each in its own
//! worktree, and merges every green task into the migration branch in DAG
//! order before its dependants start.
//!
//! Workers are plain threads: every step of a task (rewrites, checks, git) is
//! blocking work, and a thread per running task keeps each task's failure
//! contained. Only the coordinating thread touches the state file, the plan
//! and the migration branch, so there is exactly one writer of each.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, RwLock};
use std::time::Instant;

use molt_core::{EventKind, Plan, Spec, Task, TaskId, TaskState};
use molt_recipes::Recipe;
use molt_verify::{Baseline, Outcome, RunOptions as CheckOptions, Verdict};

use crate::planner::{self, SourceFile};
use crate::rules;
use crate::state::{molt_dir, CheckSummary, EventLog, Observer, RunState, TaskRecord};
use crate::{Error, Result};

/// How to run a migration.
#[derive(Clone)]
pub struct RunConfig {
    /// The repository root (where molt.toml lives unless `spec` says otherwise).
    pub repo: PathBuf,
    /// The spec file.
    pub spec: PathBuf,
    /// Tasks at once.
    pub jobs: usize,
    /// Start even when included paths have uncommitted changes.
    pub allow_dirty: bool,
    /// Overrides every bench check's run count.
    pub bench_runs: Option<u32>,
    /// Receives every event as it is logged.
    pub observer: Option<Observer>,
    /// Model settings from the command line, over the spec's `[model]`.
    pub model_override: ModelOverride,
    /// Record model traffic to, or replay it from, a cassette.
    pub cassette: molt_llm::CassetteMode,
    /// The environment providers read their keys and base URLs from.
    pub env: molt_llm::Env,
}

/// `--provider` and `--model`.
#[derive(Debug, Clone, Default)]
pub struct ModelOverride {
    pub provider: Option<molt_core::ProviderKind>,
    pub model: Option<String>,
}

/// The spec's `[model]` with the command line's overrides; `None` without a model.
pub fn model_config(spec: &Spec, o: &ModelOverride) -> Result<Option<molt_core::ModelConfig>> {
    match (&spec.model, &o.provider, &o.model) {
        (None, None, None) => Ok(None),
        (None, Some(provider), Some(model)) => Ok(Some(molt_core::ModelConfig::new(*provider, model.clone()))),
        (None, _, _) => {
            Err(Error::Plan("--provider and --model go together when molt.toml has no [model] table".to_owned()))
        }
        (Some(m), p, name) => {
            let mut m = m.clone();
            if let Some(p) = p {
                m.provider = *p;
            }
            if let Some(name) = name {
                m.model = name.clone();
            }
            Ok(Some(m))
        }
    }
}

impl std::fmt::Debug for RunConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunConfig").field("repo", &self.repo).field("jobs", &self.jobs).finish_non_exhaustive()
    }
}

/// What a run ended with.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunSummary {
    pub migration: String,
    pub branch: String,
    pub committed: usize,
    pub failed: usize,
    pub blocked: usize,
    pub pending: usize,
    pub baseline: Vec<CheckSummary>,
    pub final_checks: Vec<CheckSummary>,
    pub coverage: Coverage,
    /// Every task committed and every final check passing (or fixed).
    pub passed: bool,
    /// Why the run stopped early (the budget), and what to do about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    /// The reports written at the end of the run.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reports: Vec<PathBuf>,
}

/// How the sites of a migration were handled.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Coverage {
    pub total: usize,
    pub rules: usize,
    pub model: usize,
    /// Sites no agent could migrate (the rules have no mapping and no model
    /// took them).
    pub unmapped: usize,
    /// Sites of tasks that failed for another reason (checks, conflicts).
    #[serde(skip_serializing_if = "is_zero")]
    pub failed: usize,
    /// Sites of tasks blocked behind a failed one.
    #[serde(skip_serializing_if = "is_zero")]
    pub blocked: usize,
    /// Sites of tasks not run yet (a stopped run).
    #[serde(skip_serializing_if = "is_zero")]
    pub pending: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Coverage {
    /// One line that says where every site went: the figures add up to the
    /// total.
    pub fn line(&self) -> String {
        let mut line = format!(
            "{} of {} sites migrated (rules: {}, model: {}, unmapped: {})",
            self.rules + self.model,
            self.total,
            self.rules,
            self.model,
            self.unmapped
        );
        let elsewhere: Vec<String> = [
            (self.failed, "in failed tasks"),
            (self.blocked, "in blocked tasks"),
            (self.pending, "in tasks not run yet"),
        ]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
        if !elsewhere.is_empty() {
            line.push_str(&format!("; not migrated: {}", elsewhere.join(", ")));
        }
        line
    }
}

/// Loads and validates the spec.
pub fn load_spec(path: &Path) -> Result<Spec> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    Ok(Spec::parse(&name, &text)?)
}

/// The recipe a spec names: a built-in by name, a recipe file or folder
/// relative to `base` (the folder of molt.toml), or `git+URL@COMMIT[#SUBDIR]`,
/// fetched once into the recipe cache (`~/.cache/molt/recipes`).
pub fn recipe_of(spec: &Spec, base: &Path) -> Result<&'static dyn Recipe> {
    match &spec.migration.recipe {
        Some(name) if name.starts_with(molt_git::PINNED_PREFIX) => {
            let pin = molt_git::PinnedRef::parse(name).map_err(|e| Error::Recipe(format!("migration.recipe: {e}")))?;
            let cache = molt_git::recipe_cache_dir().ok_or_else(|| {
                Error::RecipeFetch("neither XDG_CACHE_HOME nor HOME is set, so there is no recipe cache".to_owned())
            })?;
            let folder = molt_git::fetch_pinned(&pin, &cache).map_err(|e| Error::RecipeFetch(e.to_string()))?;
            molt_recipes::resolve(&folder.to_string_lossy(), base).map_err(|e| Error::Recipe(e.to_string()))
        }
        Some(name) => molt_recipes::resolve(name, base).map_err(|e| Error::Recipe(e.to_string())),
        None => Ok(&GoalOnly),
    }
}

/// The "recipe" of a spec that names none: it finds nothing and rewrites
/// nothing, so the planner agent plans from the goal and coder agents do the
/// work.
struct GoalOnly;

impl Recipe for GoalOnly {
    fn name(&self) -> &str {
        "none"
    }

    fn find_sites(&self, _path: &str, _text: &str) -> Vec<molt_core::Site> {
        Vec::new()
    }

    fn rewrite(
        &self,
        _path: &str,
        text: &str,
        _targets: &[molt_core::Site],
    ) -> molt_recipes::Result<molt_recipes::Rewrite> {
        Ok(molt_recipes::Rewrite { text: text.to_owned(), ..molt_recipes::Rewrite::default() })
    }

    fn instruction(&self, _kind: &str) -> String {
        String::new()
    }
}

/// The paths a task's commit takes: those of the worktree's `diff` that the
/// agents wrote (build outputs the checks left behind never reach a commit).
/// The commit step is the second line of defence: whatever wrote them, each
/// must be one the policy lets an agent write, or the task is refused with
/// the reasons.
fn commit_paths(
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

/// The spec's path policy: where agents may write.
pub fn path_policy(spec: &Spec) -> Result<molt_core::PathPolicy> {
    molt_core::PathPolicy::new(&spec.migration.include, &spec.migration.protected, SPEC_FILE)
        .map_err(|e| Error::Plan(e.to_string()))
}

/// The spec's file name, which no agent may read or write.
const SPEC_FILE: &str = "molt.toml";

/// The files a migration may look at, read from `root` (a worktree at the
/// base commit), filtered by the spec's include globs.
pub fn source_files(root: &Path, spec: &Spec) -> Result<Vec<SourceFile>> {
    let include = molt_core::policy::glob_set(&spec.migration.include, false, "include")
        .map_err(|e| Error::Plan(e.to_string()))?;
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> =
            std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries.into_iter().rev() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = entry.path();
            let Ok(ft) = entry.file_type() else { continue };
            if ft.is_dir() {
                if !name.starts_with('.') && name != "target" && name != "node_modules" {
                    stack.push(path);
                }
                continue;
            }
            if !ft.is_file() {
                continue;
            }
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if !include.is_match(&rel) {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.len() > 4 * 1024 * 1024 {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&path) {
                out.push(SourceFile { path: rel, text });
            }
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// The plan of a run: `.molt/plan.json` as the user left it, or a new one.
pub fn plan_path(repo: &Path) -> PathBuf {
    molt_dir(repo).join("plan.json")
}

pub fn load_plan(repo: &Path) -> Result<Option<Plan>> {
    let path = plan_path(repo);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(Plan::parse(".molt/plan.json", &text)?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(&path, e)),
    }
}

/// A plan just made, with what the user should know about how.
#[derive(Debug)]
pub struct Planned {
    pub plan: Plan,
    /// Warnings, one sentence each: a planner agent that gave no valid plan
    /// (the rules' plan stands).
    pub notes: Vec<String>,
}

/// Builds the plan from the tree at HEAD and writes `.molt/plan.json`.
pub fn make_plan(
    repo_root: &Path,
    spec: &Spec,
    model: Option<(&tokio::runtime::Handle, &molt_llm::Client)>,
) -> Result<Planned> {
    let mut notes = Vec::new();
    let recipe = recipe_of(spec, repo_root)?;
    let git = molt_git::MigrationRepo::open(repo_root, &spec.migration.name).map_err(Error::from_git)?;
    let base = git.ensure_migration_branch().map_err(Error::from_git)?;
    let wt = git.add_task_worktree("plan", &base).map_err(Error::from_git)?;
    let files = source_files(&wt.path, spec);
    let _ = git.remove_task_worktree(&wt);
    let _ = git.delete_task_branch("plan");
    let files = files?;
    let mut plan = planner::rules_plan(spec, recipe, &files);
    if let Some((rt, client)) = model {
        // The planner agent refines the rules' plan; when it gives no valid
        // plan the rules' plan stands (and without a recipe there is none).
        let refined = crate::planner_agent::refine(rt, client, spec, &files, &plan);
        if refined.accepted {
            plan = refined.plan;
        } else if plan.tasks.is_empty() {
            return Err(Error::Plan(format!(
                "the planner agent gave no valid plan: {}",
                refined.rejections.join("; ")
            )));
        } else {
            let why: String = refined.rejections.join("; ").chars().take(400).collect();
            notes.push(format!(
                "the model is configured but its planner gave no valid plan ({why}); the recipe's own plan is used"
            ));
        }
    } else if spec.migration.recipe.is_none() {
        return Err(Error::Plan(
            "the spec names no recipe and no [model]: set `recipe = \"x86-to-neon\"` in [migration], or add a \
             [model] table so a planner agent can plan from the goal"
                .to_owned(),
        ));
    }
    plan.validate()?;
    crate::state::write_atomic_redacted(&plan_path(repo_root), &plan.to_json())?;
    Ok(Planned { plan, notes })
}

/// The model of a run: the spec's `[model]` with the command line's overrides,
/// its client, and the runtime its calls run on.
pub fn model_client(
    spec: &Spec,
    model_override: &ModelOverride,
    cassette: &molt_llm::CassetteMode,
    env: &molt_llm::Env,
    runtime: &tokio::runtime::Runtime,
) -> Result<Option<(molt_core::ModelConfig, molt_llm::Client, tokio::runtime::Handle)>> {
    let Some(m) = model_config(spec, model_override)? else { return Ok(None) };
    let mut options = molt_llm::ClientOptions::from_config(&m);
    options.cassette = cassette.clone();
    let client = molt_llm::Client::from_config_with(&m, env, options).map_err(|e| Error::Model(e.to_string()))?;
    Ok(Some((m, client, runtime.handle().clone())))
}

/// A runtime for model calls: small, shared by every worker thread.
pub fn model_runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::Model(format!("starting the async runtime: {e}")))
}

fn summarize(verdicts: &[Verdict]) -> Vec<CheckSummary> {
    verdicts
        .iter()
        .map(|v| CheckSummary {
            name: v.check.clone(),
            outcome: v.outcome.as_str().to_owned(),
            blocking: v.blocking,
            detail: v.detail(),
            duration_ms: v.result.duration_ms,
        })
        .collect()
}

fn baseline_summary(b: &Baseline, spec: &Spec) -> Vec<CheckSummary> {
    spec.checks
        .iter()
        .filter_map(|c| b.get(&c.name))
        .map(|r| CheckSummary {
            name: r.name.clone(),
            outcome: if r.passed { "pass".to_owned() } else { "fail".to_owned() },
            blocking: false,
            detail: r
                .counts
                .map(|c| format!("{} passed, {} failed", c.passed, c.failed))
                .unwrap_or_else(|| r.status.as_str().to_owned()),
            duration_ms: r.duration_ms,
        })
        .collect()
}

/// A finished worker's report.
enum Done {
    Committed {
        id: TaskId,
        commit: String,
        record: TaskRecord,
    },
    Failed {
        id: TaskId,
        record: TaskRecord,
    },
    /// The budget ran out mid-task: the task goes back to pending.
    Budget {
        id: TaskId,
        record: TaskRecord,
    },
}

/// How one task ended in its worker.
enum TaskEnd {
    Committed(String),
    Failed,
    Budget,
}

/// How one attempt at a task ended.
enum AttemptEnd {
    Committed(String),
    Failed { retry: bool },
    Budget,
}

/// A model and the runtime its calls run on.
#[derive(Clone)]
struct ModelCtx {
    client: molt_llm::Client,
    rt: tokio::runtime::Handle,
    agent: String,
    max_turns: u32,
}

/// Runs (or resumes) the migration.
pub fn run(cfg: &RunConfig) -> Result<RunSummary> {
    let spec = load_spec(&cfg.spec)?;
    let recipe = recipe_of(&spec, cfg.spec.parent().unwrap_or(&cfg.repo))?;
    let root = cfg.repo.clone();
    let git = molt_git::MigrationRepo::open(&root, &spec.migration.name).map_err(Error::from_git)?;
    git.preflight(&spec.migration.include, cfg.allow_dirty).map_err(Error::from_git)?;
    // One molt at a time in a repository. Holding the run lock, molt knows
    // that no other molt holds a git lock here, so the lock files a killed
    // one left in molt's own refs and worktrees can go: otherwise the first
    // task that touches such a ref fails on resume.
    let _run_lock = crate::state::RunLock::acquire(&root)?;
    let locks = git.clear_stale_locks().map_err(Error::from_git)?;

    let branch = spec.branch();
    let mut tip = git.ensure_migration_branch().map_err(Error::from_git)?;

    // The model, when the spec (or the command line) names one. Its calls run on
    // one runtime shared by every worker thread, so connections and the rate
    // limiter are shared too.
    let runtime = model_runtime()?;
    let model = model_client(&spec, &cfg.model_override, &cfg.cassette, &cfg.env, &runtime)?.map(|(m, client, rt)| {
        ModelCtx { client, rt, agent: format!("{}/{}", m.provider, m.model), max_turns: m.max_turns.unwrap_or(30) }
    });
    let (plan, plan_notes) = match load_plan(&root)? {
        Some(p) => (p, Vec::new()),
        None => {
            let planned = make_plan(&root, &spec, model.as_ref().map(|m| (&m.rt, &m.client)))?;
            (planned.plan, planned.notes)
        }
    };
    let mut state = match RunState::load(&root)? {
        Some(s) if s.migration == spec.migration.name => s,
        _ => RunState {
            version: 1,
            run: format!("run-{}", chrono::Utc::now().format("%Y%m%dT%H%M%SZ")),
            migration: spec.migration.name.clone(),
            branch: branch.clone(),
            base: tip.clone(),
            tasks: BTreeMap::new(),
            final_checks: Vec::new(),
            finished: false,
            spent: None,
        },
    };
    // Tasks added to the plan by hand since the last run start pending;
    // tasks that were in flight when molt died start again.
    for t in &plan.tasks {
        let rec = state.tasks.entry(t.id.clone()).or_insert_with(TaskRecord::pending);
        if rec.state == TaskState::Running {
            rec.state = TaskState::Pending;
        }
    }
    state.tasks.retain(|id, _| plan.task(id).is_some());
    // The migration branch is the truth: a task whose commit is on it is done.
    for c in git.commits_on_branch(&branch).map_err(Error::from_git)? {
        if let Some(id) = c.trailer("Molt-Task") {
            if let Some(rec) = state.tasks.get_mut(&TaskId::new(id)) {
                if rec.state != TaskState::Committed {
                    rec.state = TaskState::Committed;
                    rec.commit = Some(c.oid.clone());
                }
            }
        }
    }
    // Failed tasks get another chance on a resumed run; blocked ones follow.
    for rec in state.tasks.values_mut() {
        if matches!(rec.state, TaskState::Failed | TaskState::Blocked) {
            rec.state = TaskState::Pending;
            rec.error = None;
        }
    }
    state.finished = false;
    state.save(&root)?;

    let log = EventLog::open(&root, &state.run, cfg.observer.clone())?;
    log.emit(EventKind::RunStarted {
        migration: spec.migration.name.clone(),
        branch: branch.clone(),
        tasks: plan.tasks.len(),
        jobs: cfg.jobs,
    });
    for message in plan_notes {
        log.emit(EventKind::Warning { message });
    }
    if !locks.removed.is_empty() {
        log.emit(EventKind::StaleLocksRemoved {
            paths: locks.removed.iter().map(|p| p.display().to_string()).collect(),
        });
    }
    for lock in &locks.foreign {
        log.emit(EventKind::Warning {
            message: format!(
                "{} exists: a git process (yours, an editor's or an IDE's) may be at work in this repository; molt leaves it alone, and waits for it if a step of its own needs it",
                lock.display()
            ),
        });
    }

    let check_opts = CheckOptions { bench_runs: cfg.bench_runs, ..CheckOptions::default() };

    if let (Some(m), Some(spent)) = (&model, &state.spent) {
        m.client.restore_spent(spent.run, spent.tasks.clone());
    }

    // The job slots' worktrees are made while the baseline runs: each is a
    // checkout of the whole tree, one at a time, which otherwise the first
    // round of tasks would queue for. Slots a killed run left go first.
    let _ = git.remove_task_worktrees(SLOT_PREFIX);
    let unfinished = state.tasks.values().filter(|r| r.state != TaskState::Committed).count();
    let mut slot_maker = Some(make_slots(&root, &spec.migration.name, &state.base, cfg.jobs.min(unfinished)));

    // Baseline: the checks on the untouched base commit.
    let baseline = match Baseline::load(&root).map_err(|e| Error::Verify(e.to_string()))? {
        Some(b) => b,
        None => {
            let wt = add_worktree(&git, "baseline", &state.base)?;
            let mut results = Vec::new();
            for check in &spec.checks {
                if check.kind == molt_core::CheckKind::Bench {
                    // A benchmark is timed with nothing beside it.
                    slot_maker = slot_maker.take().map(|m| SlotMaker::Done(m.join()));
                }
                let r = molt_verify::run_check(check, &wt.path, &check_opts);
                log.emit(EventKind::CheckFinished {
                    task: None,
                    check: format!("baseline/{}", check.name),
                    passed: r.passed,
                    duration_ms: r.duration_ms,
                    detail: None,
                });
                results.push(r);
            }
            remove_worktree(&git, &wt);
            let _ = git.delete_task_branch(&wt.task);
            let b = Baseline::from_results(results, Some(state.base.clone()));
            b.save(&root).map_err(|e| Error::Verify(e.to_string()))?;
            b
        }
    };
    let policy = path_policy(&spec)?;

    // The scheduling loop.
    let bench_base = if spec.checks.iter().any(|c| c.kind == molt_core::CheckKind::Bench) {
        Some(add_worktree(&git, "bench-base", &state.base)?)
    } else {
        None
    };
    let (tx, rx) = mpsc::channel::<(Done, Slot)>();
    let bench_lock = Arc::new(RwLock::new(()));
    let mut running = 0usize;
    // Reusable worktrees, at most one per job.
    let mut idle: Vec<Slot> = slot_maker.map(SlotMaker::join).unwrap_or_default();
    let mut slots = idle.len();
    let mut merged_branches: Vec<TaskId> = Vec::new();
    // Set when the budget runs out: no new task starts, running ones finish.
    let mut stopping: Option<String> = None;
    loop {
        for id in plan.blocked_by_failures(&state.states()) {
            if let Some(rec) = state.tasks.get_mut(&id) {
                if rec.state == TaskState::Pending {
                    rec.state = TaskState::Blocked;
                    let by = plan
                        .task(&id)
                        .and_then(|t| {
                            t.depends_on
                                .iter()
                                .find(|d| matches!(state_of(&state, d), TaskState::Failed | TaskState::Blocked))
                        })
                        .cloned()
                        .unwrap_or_else(|| id.clone());
                    log.emit(EventKind::TaskBlocked { task: id.clone(), by });
                }
            }
        }
        let ready = if stopping.is_some() { Vec::new() } else { plan.ready(&state.states()) };
        let mut starting = Vec::new();
        for id in ready.into_iter().take(cfg.jobs.saturating_sub(running)) {
            let Some(task) = plan.task(&id).cloned() else { continue };
            let rec = state.tasks.entry(id.clone()).or_insert_with(TaskRecord::pending);
            rec.state = TaskState::Running;
            rec.attempts += 1;
            starting.push((task, rec.attempts));
        }
        // One write for everything since the last: the task that finished
        // and the tasks that start (each write waits for the disk).
        state.save(&root)?;
        for (task, attempt) in starting {
            let id = task.id.clone();
            log.emit(EventKind::TaskStarted { task: id.clone(), attempt });
            let ctx = Worker {
                root: root.clone(),
                spec: spec.clone(),
                recipe,
                baseline: baseline.clone(),
                base: tip.clone(),
                policy: policy.clone(),
                check_opts: check_opts.clone(),
                log: log.clone(),
                bench_lock: bench_lock.clone(),
                model: model.clone(),
                bench_base: bench_base.as_ref().map(|w| w.path.clone()),
                first_attempt: attempt,
            };
            let mut slot = idle.pop().unwrap_or_else(|| {
                slots += 1;
                Slot { name: format!("{SLOT_PREFIX}{}", slots - 1), worktree: None }
            });
            let tx = tx.clone();
            running += 1;
            std::thread::spawn(move || {
                let done = ctx.do_task(&task, &mut slot);
                let _ = tx.send((done, slot));
            });
        }
        for id in merged_branches.drain(..) {
            let _ = git.delete_task_branch(id.as_str());
        }
        if running == 0 {
            break;
        }
        let Ok((done, slot)) = rx.recv() else { break };
        running -= 1;
        idle.push(slot);
        match done {
            Done::Committed { id, commit, mut record } => {
                // The worker counts its own retries; the spawn count is the floor.
                record.attempts = record.attempts.max(state.tasks.get(&id).map_or(1, |r| r.attempts));
                // Merging happens here, one at a time, in the order tasks finish;
                // a task only starts once its dependencies are merged, so this
                // order respects the DAG.
                match git.merge_task(id.as_str()) {
                    Ok(merged) => {
                        tip = merged.oid;
                        record.state = TaskState::Committed;
                        record.commit = Some(commit.clone());
                        log.emit(EventKind::TaskCommitted { task: id.clone(), commit });
                    }
                    Err(e) => {
                        record.state = TaskState::Failed;
                        record.error = Some(format!("merge into {branch} failed: {e}"));
                        record.environment = e.is_environment();
                        log.emit(EventKind::TaskFailed {
                            task: id.clone(),
                            attempt: record.attempts,
                            reason: record.error.clone().unwrap_or_default(),
                            environment: record.environment,
                        });
                    }
                }
                // Deleted once the next tasks are on their way: the merge is
                // what they wait for, the branch's deletion is not.
                merged_branches.push(id.clone());
                state.tasks.insert(id, record);
            }
            Done::Budget { id, mut record } => {
                // The worker counts its own retries; the spawn count is the floor.
                record.attempts = record.attempts.max(state.tasks.get(&id).map_or(1, |r| r.attempts));
                record.state = TaskState::Pending;
                let reason = record.error.clone().unwrap_or_else(|| "the budget ran out".to_owned());
                log.emit(EventKind::TaskFailed {
                    task: id.clone(),
                    attempt: record.attempts,
                    reason: reason.clone(),
                    environment: false,
                });
                stopping = Some(reason);
                state.tasks.insert(id, record);
            }
            Done::Failed { id, mut record } => {
                // The worker counts its own retries; the spawn count is the floor.
                record.attempts = record.attempts.max(state.tasks.get(&id).map_or(1, |r| r.attempts));
                log.emit(EventKind::TaskFailed {
                    task: id.clone(),
                    attempt: record.attempts,
                    reason: record.error.clone().unwrap_or_default(),
                    environment: record.environment,
                });
                state.tasks.insert(id, record);
            }
        }
        if let Some(m) = &model {
            let (run, tasks) = m.client.spent();
            state.spent = Some(crate::state::ModelSpent { run, tasks });
        }
    }
    let _ = git.remove_task_worktrees(SLOT_PREFIX);
    if let Some(m) = &model {
        if m.client.spent().0.calls == 0 {
            log.emit(EventKind::Warning {
                message: format!(
                    "a model ({}) is configured, but nothing in this migration called it: the rules did every task",
                    m.agent
                ),
            });
        }
    }

    if let Some(reason) = stopping {
        if let Some(b) = &bench_base {
            let _ = git.remove_task_worktree(b);
            let _ = git.delete_task_branch(&b.task);
        }
        // A clean stop: everything committed stays, the rest waits for
        // `molt resume` with a larger budget. No final checks on half a run.
        state.save(&root)?;
        let mut summary = summary_of(&spec, &plan, &state, &baseline);
        summary.stopped = Some(format!(
            "{reason}; the run stopped cleanly with {} task(s) committed. Raise the budget in molt.toml and run `molt resume`",
            summary.committed
        ));
        log.emit(EventKind::RunFinished {
            committed: summary.committed,
            failed: summary.failed,
            blocked: summary.blocked,
            pending: summary.pending,
            passed: false,
        });
        return Ok(summary);
    }

    // Final checks on the migration branch.
    let wt = git.add_task_worktree("final", &tip).map_err(Error::from_git)?;
    let mut verdicts = Vec::new();
    for check in &spec.checks {
        let r = molt_verify::run_check(check, &wt.path, &check_opts);
        let mut v = molt_verify::judge(&baseline, &r, check);
        if let (molt_core::CheckKind::Bench, Outcome::Fail, Some(base)) = (check.kind, v.outcome, &bench_base) {
            v = confirm_bench(check, &wt.path, &base.path, &check_opts);
        }
        log.emit(EventKind::CheckFinished {
            task: None,
            check: format!("final/{}", check.name),
            passed: matches!(v.outcome, Outcome::Pass | Outcome::Fixed),
            duration_ms: r.duration_ms,
            detail: Some(v.detail()),
        });
        verdicts.push(v);
    }
    let _ = git.remove_task_worktree(&wt);
    let _ = git.delete_task_branch(&wt.task);
    if let Some(b) = &bench_base {
        let _ = git.remove_task_worktree(b);
        let _ = git.delete_task_branch(&b.task);
    }
    state.final_checks = summarize(&verdicts);
    state.finished = true;
    state.save(&root)?;

    let mut summary = summary_of(&spec, &plan, &state, &baseline);
    // The reports are a view of .molt/; failing to write them loses nothing.
    summary.reports = crate::report::write_reports(&root, &spec).unwrap_or_default();
    log.emit(EventKind::RunFinished {
        committed: summary.committed,
        failed: summary.failed,
        blocked: summary.blocked,
        pending: summary.pending,
        passed: summary.passed,
    });
    Ok(summary)
}

fn state_of(state: &RunState, id: &TaskId) -> TaskState {
    state.tasks.get(id).map_or(TaskState::Pending, |r| r.state)
}

/// The summary of a run from its state, for `molt run` and `molt status`.
pub fn summary_of(spec: &Spec, plan: &Plan, state: &RunState, baseline: &Baseline) -> RunSummary {
    let total: usize = plan.tasks.iter().map(|t| t.sites.len()).sum();
    let mut cov = Coverage { total, ..Coverage::default() };
    for (id, rec) in &state.tasks {
        let sites = plan.task(id).map_or(0, |t| t.sites.len());
        if rec.state == TaskState::Committed {
            cov.rules += rec.sites_rules;
            cov.model += rec.sites_model;
            // Sites whose task committed but which no agent claimed were
            // already migrated (e.g. by an earlier task's rewrite).
            cov.rules += sites.saturating_sub(rec.sites_rules + rec.sites_model + rec.unmapped.len());
        }
        cov.unmapped += rec.unmapped.len();
        let rest = sites.saturating_sub(rec.unmapped.len());
        match rec.state {
            TaskState::Committed => {}
            TaskState::Failed => cov.failed += rest,
            TaskState::Blocked => cov.blocked += rest,
            TaskState::Pending | TaskState::Running => cov.pending += rest,
        }
    }
    let final_ok = !state.final_checks.is_empty()
        && state.final_checks.iter().all(|c| matches!(c.outcome.as_str(), "pass" | "fixed"));
    let committed = state.count(TaskState::Committed);
    RunSummary {
        migration: spec.migration.name.clone(),
        branch: spec.branch(),
        committed,
        failed: state.count(TaskState::Failed),
        blocked: state.count(TaskState::Blocked),
        pending: state.count(TaskState::Pending) + state.count(TaskState::Running),
        baseline: baseline_summary(baseline, spec),
        final_checks: state.final_checks.clone(),
        coverage: cov,
        passed: committed == plan.tasks.len() && (final_ok || spec.checks.is_empty()),
        stopped: None,
        reports: Vec::new(),
    }
}

/// What a worker thread needs; everything owned so the thread is `'static`.
struct Worker {
    root: PathBuf,
    spec: Spec,
    recipe: &'static dyn Recipe,
    baseline: Baseline,
    base: String,
    /// Where agents may write (the same policy for the rules, the coder's
    /// tools and the commit step).
    policy: molt_core::PathPolicy,
    check_opts: CheckOptions,
    log: EventLog,
    /// Bench checks take it exclusively, every other check shares it: a
    /// benchmark never runs beside another task's build or tests, which would
    /// make its timings noise.
    bench_lock: Arc<RwLock<()>>,
    model: Option<ModelCtx>,
    /// A worktree at the base commit, for re-measuring the baseline beside a
    /// candidate that looks slower.
    bench_base: Option<PathBuf>,
    /// The number of this worker's first attempt: attempts are counted
    /// across the worker's retries and across resumed runs.
    first_attempt: u32,
}

/// A benchmark that looks slower than the stored baseline is measured again,
/// right after the base commit is measured again, so both see the same
/// machine. Timings on a shared machine drift over minutes; a regression that
/// is real survives this, one that is load does not.
fn confirm_bench(check: &molt_core::Check, candidate: &Path, base: &Path, opts: &CheckOptions) -> Verdict {
    let base_result = molt_verify::run_check(check, base, opts);
    let cand_result = molt_verify::run_check(check, candidate, opts);
    let fresh = Baseline::from_results(vec![base_result], None);
    let mut v = molt_verify::judge(&fresh, &cand_result, check);
    v.reasons.push("re-measured beside the base commit after a first reading looked slower".to_owned());
    v
}

/// Held while a worker adds or removes a worktree. libgit2 (1.9) decides
/// whether a branch is checked out by listing the linked worktrees and then
/// opening each; when one vanishes in between (another thread pruning its
/// own), an operator-precedence slip in `git_repository_foreach_worktree`
/// reports every branch as "already checked out", and the task fails for
/// nothing. Any run with `--jobs` above one can hit it; a resumed run hits it
/// most, as all its workers start by pruning the worktrees a killed run left.
static WORKTREES: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The names of the reusable task worktrees start with this.
const SLOT_PREFIX: &str = "_slot-";

/// A reusable worktree, one per job. A task resets its slot to the task's
/// base ([`molt_git::MigrationRepo::reuse_task_worktree`]) instead of adding
/// a worktree (a checkout of the whole tree, one at a time, see [`WORKTREES`])
/// and removing it afterwards: only the files that differ are written, and
/// workers no longer queue behind each other's checkouts.
struct Slot {
    /// `_slot-N`: the worktree's folder under `.molt/worktrees`.
    name: String,
    /// Made while the baseline runs, or by the first task that uses the slot.
    worktree: Option<molt_git::TaskWorktree>,
}

impl Slot {
    /// The slot set to task `task` at `base`, made first when it is new. A
    /// slot that cannot be reset is replaced by a new worktree.
    fn checkout(&mut self, git: &molt_git::MigrationRepo, task: &str, base: &str) -> Result<molt_git::TaskWorktree> {
        if let Some(slot) = &self.worktree {
            match git.reuse_task_worktree(slot, task, base) {
                Ok(wt) => return Ok(wt),
                Err(_) => {
                    remove_worktree(git, slot);
                    self.worktree = None;
                }
            }
        }
        let slot = add_worktree(git, &self.name, base)?;
        let wt = git.reuse_task_worktree(&slot, task, base).map_err(Error::from_git);
        self.worktree = Some(slot);
        wt
    }

    /// Lets go of the task's branch after an attempt, so the coordinator can
    /// merge and delete it; a slot that cannot let go is not used again.
    fn release(&mut self, git: &molt_git::MigrationRepo, wt: &molt_git::TaskWorktree) {
        if git.detach_task_worktree(wt).is_err() {
            if let Some(slot) = self.worktree.take() {
                remove_worktree(git, &slot);
            }
        }
    }
}

/// Slots being made on a thread of their own, or made.
enum SlotMaker {
    Making(std::thread::JoinHandle<Vec<Slot>>),
    Done(Vec<Slot>),
}

impl SlotMaker {
    fn join(self) -> Vec<Slot> {
        match self {
            SlotMaker::Making(handle) => handle.join().unwrap_or_default(),
            SlotMaker::Done(slots) => slots,
        }
    }
}

/// Makes `n` slots' worktrees at `base` on a thread of its own. A slot that
/// cannot be made is left out; its first task makes it (and reports why).
fn make_slots(root: &Path, migration: &str, base: &str, n: usize) -> SlotMaker {
    let (root, migration, base) = (root.to_path_buf(), migration.to_owned(), base.to_owned());
    SlotMaker::Making(std::thread::spawn(move || {
        let Ok(git) = molt_git::MigrationRepo::open(&root, &migration) else { return Vec::new() };
        (0..n)
            .map_while(|i| {
                let name = format!("{SLOT_PREFIX}{i}");
                let worktree = add_worktree(&git, &name, &base).ok()?;
                Some(Slot { name, worktree: Some(worktree) })
            })
            .collect()
    }))
}

fn add_worktree(git: &molt_git::MigrationRepo, task: &str, base: &str) -> Result<molt_git::TaskWorktree> {
    let _one_at_a_time = WORKTREES.lock().unwrap_or_else(|e| e.into_inner());
    git.add_task_worktree(task, base).map_err(Error::from_git)
}

fn remove_worktree(git: &molt_git::MigrationRepo, wt: &molt_git::TaskWorktree) {
    let _one_at_a_time = WORKTREES.lock().unwrap_or_else(|e| e.into_inner());
    let _ = git.remove_task_worktree(wt);
}

impl Worker {
    fn do_task(&self, task: &Task, slot: &mut Slot) -> Done {
        let mut record = TaskRecord::pending();
        record.state = TaskState::Running;
        match self.try_task(task, &mut record, slot) {
            Ok(TaskEnd::Committed(commit)) => Done::Committed { id: task.id.clone(), commit, record },
            Ok(TaskEnd::Budget) => Done::Budget { id: task.id.clone(), record },
            Ok(TaskEnd::Failed) => {
                record.state = TaskState::Failed;
                Done::Failed { id: task.id.clone(), record }
            }
            Err(e) => {
                record.state = TaskState::Failed;
                record.error = Some(e.to_string());
                record.environment = e.is_environment();
                Done::Failed { id: task.id.clone(), record }
            }
        }
    }

    /// Runs the task's attempts, each from a clean worktree. Rules are
    /// deterministic, so only attempts that involve a model are retried.
    fn try_task(&self, task: &Task, record: &mut TaskRecord, slot: &mut Slot) -> Result<TaskEnd> {
        let git = molt_git::MigrationRepo::open(&self.root, &self.spec.migration.name).map_err(Error::from_git)?;
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
                Ok(AttemptEnd::Committed(c)) => return Ok(TaskEnd::Committed(c)),
                Ok(AttemptEnd::Budget) => {
                    let _ = git.delete_task_branch(task.id.as_str());
                    return Ok(TaskEnd::Budget);
                }
                Ok(AttemptEnd::Failed { retry }) => {
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
        Ok(TaskEnd::Failed)
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
                passed: matches!(v.outcome, Outcome::Pass | Outcome::Fixed),
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
    ) -> Result<AttemptEnd> {
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
                return Ok(AttemptEnd::Failed { retry: false });
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
                    return Ok(AttemptEnd::Budget);
                }
                other => {
                    record.tokens += end.tokens;
                    record.cost_usd += end.cost_usd;
                    record.error = Some(other.describe());
                    return Ok(AttemptEnd::Failed { retry: true });
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
                return Ok(AttemptEnd::Failed { retry: self.model.is_some() });
            }
        };
        if changed.is_empty() {
            record.error = Some("nothing changed; the sites may already be migrated".to_owned());
            return Ok(AttemptEnd::Failed { retry: false });
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
            return Ok(AttemptEnd::Failed { retry: record.agent.as_deref() != Some("rules") });
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
            .trailer("Molt-Task", task.id.to_string())
            .trailer("Molt-Recipe", self.recipe.name())
            .trailer("Molt-Agent", record.agent.clone().unwrap_or_else(|| "rules".to_owned()))
            .trailer("Molt-Checks", checks_trailer.join(", "));
        // Exactly the files the agents changed: build outputs the checks left
        // behind never reach a commit.
        match git.commit_task(wt, &message, Some(&changed)).map_err(Error::from_git)? {
            Some(commit) => Ok(AttemptEnd::Committed(commit)),
            None => {
                record.error = Some("nothing to commit after the edits".to_owned());
                Ok(AttemptEnd::Failed { retry: false })
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
            limits: crate::coder::CoderLimits { max_turns: model.max_turns, ..crate::coder::CoderLimits::default() },
            transcript: Some(molt_dir(&self.root).join("transcripts").join(format!("{}.jsonl", task.id))),
            log: &self.log,
            agent: model.agent.clone(),
            run_checks,
        })
    }
}

/// `path:line: reason` lines grouped by reason, so an item the rules left
/// whole reads as one line with its lines, not one line per site.
fn dedupe_reasons(unmapped: &[String]) -> Vec<String> {
    let mut groups: Vec<(String, String, Vec<String>)> = Vec::new();
    for u in unmapped {
        let (loc, reason) = u.split_once(": ").unwrap_or((u.as_str(), ""));
        let (path, line) = loc.rsplit_once(':').unwrap_or((loc, ""));
        match groups.iter_mut().find(|g| g.0 == path && g.1 == reason) {
            Some(g) => {
                if !g.2.iter().any(|l| l == line) {
                    g.2.push(line.to_owned());
                }
            }
            None => groups.push((path.to_owned(), reason.to_owned(), vec![line.to_owned()])),
        }
    }
    groups.into_iter().map(|(path, reason, lines)| format!("{path}:{}: {reason}", line_runs(&lines))).collect()
}

/// Unmapped sites (`path:line: reason`) as each reason once, with how often
/// it came and where first: `` `_mm256_i32gather_ps` has no mapping (17
/// sites, first at src/k.c:255) ``.
fn unmapped_reasons(unmapped: &[String]) -> String {
    let mut reasons: Vec<(&str, usize, &str)> = Vec::new();
    for u in unmapped {
        let (loc, reason) = u.split_once(": ").unwrap_or((u.as_str(), ""));
        match reasons.iter_mut().find(|r| r.0 == reason) {
            Some(r) => r.1 += 1,
            None => reasons.push((reason, 1, loc)),
        }
    }
    reasons
        .into_iter()
        .map(|(reason, n, first)| match n {
            1 => format!("{reason} (at {first})"),
            n => format!("{reason} ({n} sites, first at {first})"),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `255, 256, 257, 260` as `255-257, 260`: consecutive lines as one run.
fn line_runs(lines: &[String]) -> String {
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut other: Vec<&str> = Vec::new();
    let mut numbers: Vec<usize> = Vec::new();
    for l in lines {
        match l.parse() {
            Ok(n) => numbers.push(n),
            Err(_) => other.push(l),
        }
    }
    numbers.sort_unstable();
    for n in numbers {
        match runs.last_mut() {
            Some((_, end)) if n == *end + 1 => *end = n,
            _ => runs.push((n, n)),
        }
    }
    let mut parts: Vec<String> =
        runs.into_iter().map(|(a, b)| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    parts.extend(other.into_iter().map(str::to_owned));
    parts.join(",")
}

/// A verdict as the model reads it.
fn report_of(v: &Verdict) -> crate::prompts::CheckReport {
    crate::prompts::CheckReport {
        name: v.check.clone(),
        outcome: v.outcome.as_str().to_owned(),
        detail: v.detail(),
        failing: v.result.failing.clone(),
        output: if v.outcome == Outcome::Fail { v.result.output.clone() } else { String::new() },
    }
}

/// The items the task's sites sit in, as the first message shows them, and
/// the index of each file read for them (the tool box starts with those).
fn symbols_of(task: &Task, worktree: &std::path::Path) -> (Vec<crate::prompts::SymbolText>, crate::tools::FileIndexes) {
    let mut out: Vec<crate::prompts::SymbolText> = Vec::new();
    let mut indexes = crate::tools::FileIndexes::new();
    for site in &task.sites {
        let Some(symbol) = &site.symbol else { continue };
        if out.iter().any(|s| &s.path == symbol) {
            continue;
        }
        if !indexes.contains_key(&site.path) {
            let Ok(text) = std::fs::read_to_string(worktree.join(&site.path)) else { continue };
            let Ok(index) = molt_syntax::index_file(&site.path, text.as_bytes()) else { continue };
            indexes.insert(site.path.clone(), (text, index));
        }
        let Some((text, index)) = indexes.get(&site.path) else { continue };
        if let Some(item) = index.items.iter().find(|i| &i.path == symbol) {
            // The form read_symbol answers with, so the tool box can tell
            // when a read would only repeat it.
            out.push(crate::prompts::SymbolText {
                path: symbol.clone(),
                start_line: item.span.start_line,
                end_line: item.span.end_line,
                text: molt_syntax::item_text(text, item),
            });
        }
    }
    (out, indexes)
}

#[cfg(test)]
mod tests;
