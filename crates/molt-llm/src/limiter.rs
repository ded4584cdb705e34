//! One rate limiter shared by every agent of a run.
//!
//! It keeps a one-minute sliding window of admitted requests and their token
//! estimates, for `requests_per_minute` and `tokens_per_minute`, and a shared
//! pause: when any agent gets a 429 with a `Retry-After`, every agent waits it
//! out instead of each one hitting the server again.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
struct State {
    admitted: VecDeque<(Instant, u64)>,
    paused_until: Option<Instant>,
}

/// Cheap to clone; clones share one window.
#[derive(Debug, Clone, Default)]
pub struct RateLimiter {
    requests_per_minute: Option<u32>,
    tokens_per_minute: Option<u64>,
    state: Arc<Mutex<State>>,
}

impl RateLimiter {
    pub fn new(requests_per_minute: Option<u32>, tokens_per_minute: Option<u64>) -> RateLimiter {
        RateLimiter {
            requests_per_minute: requests_per_minute.filter(|&r| r > 0),
            tokens_per_minute: tokens_per_minute.filter(|&t| t > 0),
            state: Arc::default(),
        }
    }

    /// No caps; only the shared pause applies.
    pub fn unlimited() -> RateLimiter {
        RateLimiter::default()
    }

    /// Waits until a request estimated at `tokens` fits, then counts it.
    pub async fn acquire(&self, tokens: u64) {
        loop {
            let wait = self.try_acquire(tokens, Instant::now());
            match wait {
                None => return,
                Some(w) => tokio::time::sleep(w).await,
            }
        }
    }

    /// Makes every caller wait until `until`.
    pub fn pause_until(&self, until: Instant) {
        let mut state = self.lock();
        if state.paused_until.is_none_or(|p| p < until) {
            state.paused_until = Some(until);
        }
    }

    /// Replaces the estimate of the most recent admission matching `estimate`
    /// with what the call really used, so the token window tracks real usage.
    pub fn settle(&self, estimate: u64, actual: u64) {
        let mut state = self.lock();
        if let Some(entry) = state.admitted.iter_mut().rev().find(|(_, t)| *t == estimate) {
            entry.1 = actual;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A poisoned lock only means another agent panicked mid-update of
        // plain counters; the data is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Admits and returns `None`, or returns how long to wait before asking again.
    fn try_acquire(&self, tokens: u64, now: Instant) -> Option<Duration> {
        let mut state = self.lock();
        while state.admitted.front().is_some_and(|(t, _)| now.duration_since(*t) >= WINDOW) {
            state.admitted.pop_front();
        }
        let mut wait = Duration::ZERO;
        if let Some(p) = state.paused_until {
            if p > now {
                wait = p - now;
            } else {
                state.paused_until = None;
            }
        }
        if let Some(rpm) = self.requests_per_minute {
            if state.admitted.len() >= rpm as usize {
                let oldest = state.admitted[state.admitted.len() - rpm as usize].0;
                wait = wait.max((oldest + WINDOW).saturating_duration_since(now));
            }
        }
        if let Some(tpm) = self.tokens_per_minute {
            let used: u64 = state.admitted.iter().map(|(_, t)| *t).sum();
            // A request bigger than the whole budget goes alone, in an empty window.
            let need = tokens.min(tpm);
            if used.saturating_add(need) > tpm {
                let mut freed = 0u64;
                for (at, t) in &state.admitted {
                    freed += t;
                    if used - freed + need <= tpm {
                        wait = wait.max((*at + WINDOW).saturating_duration_since(now));
                        break;
                    }
                }
            }
        }
        if wait.is_zero() {
            state.admitted.push_back((now, tokens));
            None
        } else {
            Some(wait.max(Duration::from_millis(1)))
        }
    }
}

#[cfg(test)]
mod tests;
