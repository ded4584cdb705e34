//! The budget governor: caps on dollars and tokens, for a run and per task.
//!
//! A call is admitted only if its worst case fits: before a model call the
//! caller [`Budget::reserve`]s the most the call can cost (its input estimate
//! at the dearest input rate plus `max_tokens` of output), and after it
//! [`Budget::settle`]s the reservation with what the call really used, or
//! [`Budget::release`]s it when the call failed without usage. Reservations
//! count against the caps while they are open, so sixteen agents calling at
//! once cannot together overshoot a cap that each alone would respect.
//!
//! A refusal is a [`BudgetError`] that names the cap, what was spent, and what
//! to change. The governor is plain data: the spent totals ([`Spent`]) are
//! serializable so a run can stop, be given a larger cap, and resume where it
//! was ([`Budget::with_spent`]).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::spec::ModelConfig;

/// The caps. `None` means no cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    pub max_usd: Option<f64>,
    pub max_tokens: Option<u64>,
    pub max_usd_per_task: Option<f64>,
    pub max_tokens_per_task: Option<u64>,
}

impl Limits {
    /// The caps `[model]` in `molt.toml` sets.
    pub fn from_model(model: &ModelConfig) -> Limits {
        Limits {
            max_usd: model.max_usd,
            max_tokens: model.max_tokens,
            max_usd_per_task: model.max_usd_per_task,
            max_tokens_per_task: model.max_tokens_per_task,
        }
    }

    /// Whether any dollar cap is set (and so a price is needed to enforce it).
    pub fn caps_dollars(&self) -> bool {
        self.max_usd.is_some() || self.max_usd_per_task.is_some()
    }
}

/// Dollars and tokens spent (or reserved), and how many calls.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Spent {
    pub usd: f64,
    pub tokens: u64,
    #[serde(default)]
    pub calls: u64,
}

impl Spent {
    fn add(&mut self, usd: f64, tokens: u64, calls: u64) {
        self.usd += usd;
        self.tokens = self.tokens.saturating_add(tokens);
        self.calls = self.calls.saturating_add(calls);
    }

    fn sub(&mut self, usd: f64, tokens: u64, calls: u64) {
        // Floating sums drift; never let an open amount go below zero.
        self.usd = (self.usd - usd).max(0.0);
        self.tokens = self.tokens.saturating_sub(tokens);
        self.calls = self.calls.saturating_sub(calls);
    }
}

/// An admitted call's worst case, held against the caps until it is settled
/// or released. Deliberately not `Clone`: each reservation is closed once.
#[derive(Debug, PartialEq)]
#[must_use = "a reservation holds budget until it is settled or released"]
pub struct Reservation {
    task: Option<String>,
    usd: f64,
    tokens: u64,
}

impl Reservation {
    pub fn task(&self) -> Option<&str> {
        self.task.as_deref()
    }

    /// The worst-case dollars held.
    pub fn usd(&self) -> f64 {
        self.usd
    }

    /// The worst-case tokens held.
    pub fn tokens(&self) -> u64 {
        self.tokens
    }
}

/// Whose cap a refusal is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    Run,
    Task(String),
}

/// Which cap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cap {
    Usd,
    Tokens,
}

/// A call the budget refused.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetError {
    pub scope: Scope,
    pub cap: Cap,
    /// The cap (dollars or tokens).
    pub max: f64,
    /// Settled so far in that scope.
    pub spent: f64,
    /// Held by calls still in flight in that scope.
    pub in_flight: f64,
    /// The worst case of the refused call.
    pub needed: f64,
}

impl BudgetError {
    /// The `molt.toml` key that sets the cap.
    pub fn key(&self) -> &'static str {
        match (&self.scope, self.cap) {
            (Scope::Run, Cap::Usd) => "max_usd",
            (Scope::Run, Cap::Tokens) => "max_tokens",
            (Scope::Task(_), Cap::Usd) => "max_usd_per_task",
            (Scope::Task(_), Cap::Tokens) => "max_tokens_per_task",
        }
    }
}

impl fmt::Display for BudgetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let who = match &self.scope {
            Scope::Run => "the run".to_owned(),
            Scope::Task(t) => format!("task {t}"),
        };
        let key = self.key();
        match self.cap {
            Cap::Usd => write!(
                f,
                "budget exhausted: {who} would exceed {key} = ${:.2} (${:.4} spent, ${:.4} in flight, \
                 this call may cost up to ${:.4})",
                self.max, self.spent, self.in_flight, self.needed
            )?,
            Cap::Tokens => write!(
                f,
                "budget exhausted: {who} would exceed {key} = {} tokens ({} spent, {} in flight, \
                 this call may use up to {})",
                self.max, self.spent, self.in_flight, self.needed
            )?,
        }
        write!(f, "; raise {key} in the [model] table of molt.toml and run `molt resume`")
    }
}

impl std::error::Error for BudgetError {}

/// Settled and reserved spending against [`Limits`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Budget {
    limits: Limits,
    run: Spent,
    tasks: BTreeMap<String, Spent>,
    run_open: Spent,
    tasks_open: BTreeMap<String, Spent>,
}

impl Budget {
    pub fn new(limits: Limits) -> Budget {
        Budget { limits, ..Budget::default() }
    }

    /// A budget that continues from what an earlier run already spent.
    pub fn with_spent(limits: Limits, run: Spent, tasks: BTreeMap<String, Spent>) -> Budget {
        Budget { limits, run, tasks, ..Budget::default() }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Raises (or lowers) the caps, keeping what was spent.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// Settled spending of the whole run.
    pub fn spent(&self) -> Spent {
        self.run
    }

    /// Settled spending of one task.
    pub fn task_spent(&self, task: &str) -> Spent {
        self.tasks.get(task).copied().unwrap_or_default()
    }

    /// Settled spending per task.
    pub fn tasks(&self) -> &BTreeMap<String, Spent> {
        &self.tasks
    }

    /// Dollars and tokens held by open reservations.
    pub fn in_flight(&self) -> Spent {
        self.run_open
    }

    /// Admits a call whose worst case is `usd` dollars and `tokens` tokens, or
    /// says which cap it would break. `task` is `None` for calls that belong to
    /// the run as a whole (the planner).
    pub fn reserve(&mut self, task: Option<&str>, usd: f64, tokens: u64) -> Result<Reservation, BudgetError> {
        let usd = if usd.is_finite() { usd.max(0.0) } else { f64::MAX };
        check(Scope::Run, Cap::Usd, self.limits.max_usd, self.run.usd, self.run_open.usd, usd)?;
        check(
            Scope::Run,
            Cap::Tokens,
            self.limits.max_tokens.map(|t| t as f64),
            self.run.tokens as f64,
            self.run_open.tokens as f64,
            tokens as f64,
        )?;
        if let Some(t) = task {
            let spent = self.task_spent(t);
            let open = self.tasks_open.get(t).copied().unwrap_or_default();
            let scope = || Scope::Task(t.to_owned());
            check(scope(), Cap::Usd, self.limits.max_usd_per_task, spent.usd, open.usd, usd)?;
            check(
                scope(),
                Cap::Tokens,
                self.limits.max_tokens_per_task.map(|m| m as f64),
                spent.tokens as f64,
                open.tokens as f64,
                tokens as f64,
            )?;
            self.tasks_open.entry(t.to_owned()).or_default().add(usd, tokens, 1);
        }
        self.run_open.add(usd, tokens, 1);
        Ok(Reservation { task: task.map(str::to_owned), usd, tokens })
    }

    /// Closes a reservation with what the call really cost. The real cost may
    /// exceed the reservation (an estimate was low); it is recorded as it is.
    pub fn settle(&mut self, reservation: Reservation, usd: f64, tokens: u64) {
        let usd = if usd.is_finite() { usd.max(0.0) } else { 0.0 };
        self.close(&reservation);
        self.run.add(usd, tokens, 1);
        if let Some(t) = &reservation.task {
            self.tasks.entry(t.clone()).or_default().add(usd, tokens, 1);
        }
    }

    /// Closes a reservation for a call that consumed nothing.
    pub fn release(&mut self, reservation: Reservation) {
        self.close(&reservation);
    }

    fn close(&mut self, r: &Reservation) {
        self.run_open.sub(r.usd, r.tokens, 1);
        if let Some(t) = &r.task {
            if let Some(open) = self.tasks_open.get_mut(t) {
                open.sub(r.usd, r.tokens, 1);
                if open.calls == 0 {
                    self.tasks_open.remove(t);
                }
            }
        }
    }
}

fn check(scope: Scope, cap: Cap, max: Option<f64>, spent: f64, in_flight: f64, needed: f64) -> Result<(), BudgetError> {
    match max {
        Some(max) if spent + in_flight + needed > max || spent >= max => {
            Err(BudgetError { scope, cap, max, spent, in_flight, needed })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests;
