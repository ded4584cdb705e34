//! The time figures of one run, read from molt's event log: wall time, the
//! two ideals, the overheads and molt's own time by phase.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Context, Result};
use molt_core::{Event, EventKind};

pub(super) fn ms(d: Duration) -> u128 {
    d.as_millis()
}

/// The time figures of one run, from its events.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Timing {
    pub(super) tasks: usize,
    pub(super) committed: usize,
    pub(super) jobs: usize,
    pub(super) calls: usize,
    pub(super) latency: Duration,
    /// First `task_started` to last `task_committed`.
    pub(super) wall: Duration,
    /// Sum of the tasks' check durations.
    pub(super) checks: Duration,
    pub(super) checks_run: usize,
    /// The baseline check's duration: every kernel, with nothing beside it.
    pub(super) baseline_check: Option<Duration>,
    /// Sum over the committed tasks of started to committed.
    pub(super) busy: Duration,
    /// molt's own time in the committed tasks, summed: before the first
    /// model answer, between answers, after the last one (less the model's
    /// latency and the checks).
    pub(super) phases: [Duration; 3],
    /// Each task's model latency (its calls x latency) plus its checks, in
    /// the order the tasks first started.
    pub(super) task_work: Vec<Duration>,
}

/// Each task's own work in the order tasks first started: the model's
/// latency for each of its calls plus its checks' durations, over all its
/// attempts.
fn task_work(events: &[Event], latency: Duration) -> Vec<Duration> {
    let mut order: Vec<String> = Vec::new();
    let mut work: BTreeMap<String, Duration> = BTreeMap::new();
    for e in events {
        match &e.kind {
            EventKind::TaskStarted { task, .. } if !work.contains_key(task.as_str()) => {
                order.push(task.to_string());
                work.insert(task.to_string(), Duration::ZERO);
            }
            EventKind::ModelCall { task, .. } => *work.entry(task.to_string()).or_default() += latency,
            EventKind::CheckFinished { task: Some(task), duration_ms, .. } => {
                *work.entry(task.to_string()).or_default() += Duration::from_millis(*duration_ms);
            }
            _ => {}
        }
    }
    order.iter().map(|t| work.get(t).copied().unwrap_or_default()).collect()
}

/// Splits molt's own time inside each committed task into the three
/// [`Timing::phases`], from the order of its events.
fn phases(events: &[Event], latency: Duration) -> [Duration; 3] {
    let mut by_task: BTreeMap<String, Vec<&Event>> = BTreeMap::new();
    for e in events {
        let task = match &e.kind {
            EventKind::TaskStarted { task, .. }
            | EventKind::ModelCall { task, .. }
            | EventKind::CheckFinished { task: Some(task), .. }
            | EventKind::TaskCommitted { task, .. } => task,
            _ => continue,
        };
        by_task.entry(task.to_string()).or_default().push(e);
    }
    let mut sums = [Duration::ZERO; 3];
    for events in by_task.values() {
        if !events.iter().any(|e| matches!(e.kind, EventKind::TaskCommitted { .. })) {
            continue;
        }
        // The last attempt only: an earlier one restarts the clock.
        let start = events.iter().rposition(|e| matches!(e.kind, EventKind::TaskStarted { .. })).unwrap_or(0);
        let events = &events[start..];
        let mut phase = 0;
        let mut since = events[0].ts;
        let mut checks = Duration::ZERO;
        for e in &events[1..] {
            let spent = (e.ts - since).to_std().unwrap_or_default();
            match &e.kind {
                EventKind::CheckFinished { duration_ms, .. } => {
                    checks += Duration::from_millis(*duration_ms);
                    continue;
                }
                EventKind::ModelCall { .. } => {
                    sums[phase] += spent.saturating_sub(latency).saturating_sub(checks);
                    phase = 1;
                }
                EventKind::TaskCommitted { .. } => {
                    sums[if phase == 0 { 0 } else { 2 }] += spent.saturating_sub(checks);
                }
                _ => continue,
            }
            since = e.ts;
            checks = Duration::ZERO;
        }
    }
    sums
}

impl Timing {
    pub(super) fn of(events: &[Event], jobs: usize, latency: Duration) -> Result<Timing> {
        let mut started = BTreeMap::new();
        let mut last_commit = None;
        let (mut committed, mut calls, mut checks_run, mut checks_ms) = (0, 0, 0, 0u64);
        let mut baseline_check = None;
        let mut busy = Duration::ZERO;
        for e in events {
            match &e.kind {
                EventKind::TaskStarted { task, .. } => {
                    started.entry(task.to_string()).or_insert(e.ts);
                }
                EventKind::TaskCommitted { task, .. } => {
                    committed += 1;
                    if let Some(start) = started.get(task.as_str()) {
                        busy += (e.ts - *start).to_std().unwrap_or_default();
                    }
                    last_commit = Some(match last_commit {
                        Some(t) if t > e.ts => t,
                        _ => e.ts,
                    });
                }
                EventKind::ModelCall { .. } => calls += 1,
                EventKind::CheckFinished { task: Some(_), duration_ms, .. } => {
                    checks_run += 1;
                    checks_ms += duration_ms;
                }
                EventKind::CheckFinished { task: None, check, duration_ms, .. } if check.starts_with("baseline/") => {
                    baseline_check = Some(Duration::from_millis(*duration_ms));
                }
                _ => {}
            }
        }
        let phases = phases(events, latency);
        let task_work = task_work(events, latency);
        let first = started.values().min().copied().context("no task started")?;
        let last = last_commit.context("no task was committed")?;
        let wall = (last - first).to_std().unwrap_or_default();
        Ok(Timing {
            tasks: started.len(),
            committed,
            jobs,
            calls,
            latency,
            wall,
            checks: Duration::from_millis(checks_ms),
            checks_run,
            baseline_check,
            busy,
            phases,
            task_work,
        })
    }

    /// The same tasks with no overhead at all: each task's work (its calls
    /// x latency plus its checks) handed, in the order molt started them, to
    /// the job that frees first; the time the last one ends.
    pub(super) fn scheduled_ideal(&self) -> Duration {
        let mut free = vec![Duration::ZERO; self.jobs.max(1)];
        for work in &self.task_work {
            if let Some(slot) = free.iter_mut().min() {
                *slot += *work;
            }
        }
        free.into_iter().max().unwrap_or_default()
    }

    pub(super) fn scheduled_overhead(&self) -> f64 {
        let ideal = self.scheduled_ideal().as_secs_f64();
        if ideal == 0.0 {
            return 0.0;
        }
        (self.wall.as_secs_f64() - ideal) / ideal
    }

    /// What molt itself spent inside the committed tasks, on average: their
    /// time less the model's latency and their checks.
    pub(super) fn in_task(&self) -> Duration {
        let model = self.latency.mul_f64(self.calls as f64);
        (self.busy.saturating_sub(model).saturating_sub(self.checks)) / self.committed.max(1) as u32
    }

    /// Job slots left empty between the first start and the last commit
    /// (waiting to be merged, or no task handed out yet), over the jobs.
    pub(super) fn idle(&self) -> Duration {
        (self.wall * self.jobs as u32).saturating_sub(self.busy) / self.jobs.max(1) as u32
    }

    pub(super) fn calls_per_task(&self) -> f64 {
        self.calls as f64 / self.tasks.max(1) as f64
    }

    /// Rounds of `jobs` tasks, times the model's time per task, plus the
    /// checks spread over the jobs.
    pub(super) fn ideal(&self) -> Duration {
        let rounds = self.tasks.div_ceil(self.jobs.max(1)) as f64;
        let model = rounds * self.calls_per_task() * self.latency.as_secs_f64();
        Duration::from_secs_f64(model) + self.checks / self.jobs.max(1) as u32
    }

    pub(super) fn overhead(&self) -> f64 {
        let ideal = self.ideal().as_secs_f64();
        if ideal == 0.0 {
            return 0.0;
        }
        (self.wall.as_secs_f64() - ideal) / ideal
    }

    pub(super) fn render(&self) -> String {
        let rounds = self.tasks.div_ceil(self.jobs.max(1));
        let model = self.ideal() - self.checks / self.jobs.max(1) as u32;
        let mut s = String::new();
        s.push_str(&format!(
            "time ({} tasks started, {} committed, {} model calls, {:.2} a task)\n",
            self.tasks,
            self.committed,
            self.calls,
            self.calls_per_task()
        ));
        s.push_str(&format!("  wall (first task_started to last task_committed) {:>8.2}s\n", self.wall.as_secs_f64()));
        s.push_str(&format!(
            "  ideal                                             {:>8.2}s\n",
            self.ideal().as_secs_f64()
        ));
        s.push_str(&format!(
            "    model: {rounds} rounds x {:.2} calls x {} ms      {:>8.2}s\n",
            self.calls_per_task(),
            ms(self.latency),
            model.as_secs_f64()
        ));
        s.push_str(&format!(
            "    checks: {} runs, {:.2}s in all / {} jobs     {:>8.2}s\n",
            self.checks_run,
            self.checks.as_secs_f64(),
            self.jobs,
            (self.checks / self.jobs.max(1) as u32).as_secs_f64()
        ));
        if let Some(b) = self.baseline_check {
            s.push_str(&format!(
                "    (a task's check builds and runs its own kernel: {1:.2}s on average inside the run; the baseline check, \
                 every kernel on the clean tree with nothing beside it: {0:.2}s)\n",
                b.as_secs_f64(),
                self.checks.as_secs_f64() / self.checks_run.max(1) as f64
            ));
        }
        let per_task = |d: Duration| d.as_secs_f64() / self.committed.max(1) as f64;
        s.push_str(&format!(
            "  where the rest goes: molt's own work {:.3}s a task (before the first answer: worktree, rules, \
             prompt {:.3}s; between answers: tools {:.3}s; after the last: commit and merge {:.3}s), \
             job slots idle {:.2}s a job\n",
            self.in_task().as_secs_f64(),
            per_task(self.phases[0]),
            per_task(self.phases[1]),
            per_task(self.phases[2]),
            self.idle().as_secs_f64()
        ));
        let overhead = self.overhead();
        s.push_str(&format!("  overhead (wall - ideal) / ideal                   {:>7.1}%\n", overhead * 100.0));
        s.push_str(&format!(
            "  target under 5%: {}\n",
            if overhead < 0.05 {
                "met".to_owned()
            } else {
                format!("missed by {:.1} points ({:.2}s over)", (overhead - 0.05) * 100.0, self.excess().as_secs_f64())
            }
        ));
        let scheduled = self.scheduled_overhead();
        s.push_str(&format!(
            "  ideal with whole tasks (each task's calls x latency plus its own checks, handed in start order to \
             the first free job, with no overhead at all; the ideal above splits the checks evenly, as if tasks \
             could be cut)   {:.2}s\n",
            self.scheduled_ideal().as_secs_f64()
        ));
        s.push_str(&format!(
            "  overhead against it: {:.1}%, target under 5%: {}\n",
            scheduled * 100.0,
            if scheduled < 0.05 { "met" } else { "missed" }
        ));
        s
    }

    /// How far the wall time is past 5% over the ideal.
    pub(super) fn excess(&self) -> Duration {
        Duration::from_secs_f64((self.wall.as_secs_f64() - self.ideal().as_secs_f64() * 1.05).max(0.0))
    }
}
