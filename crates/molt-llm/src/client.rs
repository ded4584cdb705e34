//! [`Client`]: what agents hold. It wraps a [`Provider`] with the budget
//! governor, the shared rate limiter, retries, and cassettes, in that order:
//! a call first reserves its worst case (so a refused call costs nothing),
//! then waits for the limiter, then tries the provider until it answers, a
//! non-retryable error comes back, attempts run out or the deadline passes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use molt_core::budget::{Budget, Limits, Spent};
use molt_core::usage::{price_for, Price};
use molt_core::{ModelConfig, ProviderKind};
use tokio::time::Instant;

use crate::anthropic::{AnthropicConfig, AnthropicProvider};
use crate::bedrock::{BedrockConfig, BedrockProvider};
use crate::cassette::{normalize, Cassette, CassetteMode, Recorded};
use crate::env::Env;
use crate::error::{Error, Result};
use crate::http::Timeouts;
use crate::limiter::RateLimiter;
use crate::openai::{OpenAiConfig, OpenAiProvider};
use crate::provider::Provider;
use crate::retry::RetryPolicy;
use crate::types::{Assembler, Request, Response, StreamEvent};

/// Who a call is for; the task, if any, has its own budget.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallScope<'a> {
    pub task: Option<&'a str>,
}

impl<'a> CallScope<'a> {
    pub fn run() -> CallScope<'static> {
        CallScope { task: None }
    }

    pub fn task(task: &'a str) -> CallScope<'a> {
        CallScope { task: Some(task) }
    }
}

/// The knobs of a [`Client`].
#[derive(Debug, Clone, Default)]
pub struct ClientOptions {
    pub retry: RetryPolicy,
    pub timeouts: Timeouts,
    pub limits: Limits,
    /// The price of the model; `None` when unknown (cost is then not computed).
    pub price: Option<Price>,
    /// Share one limiter between clients to share the caps.
    pub limiter: RateLimiter,
    pub cassette: CassetteMode,
}

impl ClientOptions {
    /// Caps, price and rate limits from `[model]`.
    pub fn from_config(config: &ModelConfig) -> ClientOptions {
        let defaults = ClientOptions::default();
        let secs = |value: Option<u64>, default: Duration| value.map_or(default, |s| Duration::from_secs(s.max(1)));
        ClientOptions {
            retry: RetryPolicy {
                max_attempts: config.call_attempts.map_or(defaults.retry.max_attempts, |n| n.max(1)),
                ..defaults.retry
            },
            timeouts: Timeouts {
                response: secs(config.response_timeout_secs, defaults.timeouts.response),
                idle: secs(config.idle_timeout_secs, defaults.timeouts.idle),
                answer: secs(config.answer_timeout_secs, defaults.timeouts.answer),
            },
            limits: Limits::from_model(config),
            price: price_for(&config.model, config.price.as_ref()),
            limiter: RateLimiter::new(config.requests_per_minute, config.tokens_per_minute),
            ..ClientOptions::default()
        }
    }
}

/// A model client: cheap to clone (clones share budget, limiter and
/// cassette), `Send + Sync`, usable from many tasks at once.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    kind: ProviderKind,
    model: String,
    /// `None` when replaying: no server is needed, or reachable.
    provider: Option<Arc<dyn Provider>>,
    retry: RetryPolicy,
    /// Longest time one attempt may take (see [`Timeouts::answer`]).
    answer_timeout: Duration,
    price: Option<Price>,
    limiter: RateLimiter,
    budget: Mutex<Budget>,
    cassette: Option<Cassette>,
}

impl Client {
    /// A client around `provider`.
    pub fn new(provider: Arc<dyn Provider>, options: ClientOptions) -> Result<Client> {
        let (kind, model) = (provider.kind(), provider.model().to_owned());
        Client::build(kind, model, Some(provider), options)
    }

    /// The provider `[model]` names, configured from `env`.
    pub fn from_config(config: &ModelConfig, env: &Env) -> Result<Client> {
        Client::from_config_with(config, env, ClientOptions::from_config(config))
    }

    /// Like [`Client::from_config`] with explicit options (start from
    /// [`ClientOptions::from_config`]). In replay mode no provider is built, so
    /// no credentials are needed.
    pub fn from_config_with(config: &ModelConfig, env: &Env, options: ClientOptions) -> Result<Client> {
        if matches!(options.cassette, CassetteMode::Replay(_)) {
            return Client::build(config.provider, config.model.clone(), None, options);
        }
        let base = config.base_url.as_deref();
        let provider: Arc<dyn Provider> = match config.provider {
            ProviderKind::Openai => {
                let mut c = OpenAiConfig::from_env(&config.model, base, env)?;
                c.timeouts = options.timeouts;
                Arc::new(OpenAiProvider::new(c)?)
            }
            ProviderKind::Anthropic => {
                let mut c = AnthropicConfig::from_env(&config.model, base, env)?;
                c.timeouts = options.timeouts;
                Arc::new(AnthropicProvider::new(c)?)
            }
            ProviderKind::Bedrock => {
                let mut c = BedrockConfig::from_env(
                    &config.model,
                    base,
                    config.region.as_deref(),
                    config.profile.as_deref(),
                    env,
                )?;
                c.timeouts = options.timeouts;
                Arc::new(BedrockProvider::new(c)?)
            }
        };
        Client::build(config.provider, config.model.clone(), Some(provider), options)
    }

    fn build(
        kind: ProviderKind,
        model: String,
        provider: Option<Arc<dyn Provider>>,
        options: ClientOptions,
    ) -> Result<Client> {
        if options.limits.caps_dollars() && options.price.is_none() {
            return Err(Error::Config(format!(
                "molt has no price for model \"{model}\", so max_usd cannot be enforced; add \
                 [model.price] (input and output, US dollars per million tokens) to molt.toml"
            )));
        }
        let cassette = match &options.cassette {
            CassetteMode::Off => None,
            CassetteMode::Record(path) => Some(Cassette::record(path)?),
            CassetteMode::Replay(path) => Some(Cassette::replay(path)?),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                kind,
                model,
                provider,
                retry: options.retry,
                answer_timeout: options.timeouts.answer,
                price: options.price,
                limiter: options.limiter,
                budget: Mutex::new(Budget::new(options.limits)),
                cassette,
            }),
        })
    }

    pub fn kind(&self) -> ProviderKind {
        self.inner.kind
    }

    pub fn model(&self) -> &str {
        &self.inner.model
    }

    pub fn price(&self) -> Option<Price> {
        self.inner.price
    }

    fn budget(&self) -> std::sync::MutexGuard<'_, Budget> {
        self.inner.budget.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Settled spending: the run's, and each task's.
    pub fn spent(&self) -> (Spent, BTreeMap<String, Spent>) {
        let b = self.budget();
        (b.spent(), b.tasks().clone())
    }

    /// Continues from what an earlier run spent (on `molt resume`).
    pub fn restore_spent(&self, run: Spent, tasks: BTreeMap<String, Spent>) {
        let mut b = self.budget();
        let limits = *b.limits();
        *b = Budget::with_spent(limits, run, tasks);
    }

    /// Changes the caps, keeping what was spent.
    pub fn set_limits(&self, limits: Limits) {
        self.budget().set_limits(limits);
    }

    /// One model call. Stream events (and [`StreamEvent::Retry`] notices)
    /// reach `on_event` as they happen.
    pub async fn call(
        &self,
        scope: &CallScope<'_>,
        request: &Request,
        mut on_event: impl FnMut(&StreamEvent) + Send,
    ) -> Result<Response> {
        let inner = &self.inner;
        let estimate = estimate_input_tokens(request);
        let worst_tokens = estimate.saturating_add(u64::from(request.max_tokens));
        let worst_usd = inner.price.map_or(0.0, |p| {
            (estimate as f64 * p.worst_input() + f64::from(request.max_tokens) * p.output) / 1_000_000.0
        });
        let reservation = self.budget().reserve(scope.task, worst_usd, worst_tokens)?;

        let normalized = inner.cassette.as_ref().map(|_| normalize(inner.kind, &inner.model, request));
        let outcome = match (&inner.cassette, &normalized) {
            (Some(c), Some(n)) if c.is_replay() => replay(inner.kind, c.take(n), &mut on_event),
            _ => self.attempts(request, estimate, &mut on_event).await,
        };
        match outcome {
            Ok((mut response, events)) => {
                let cost = inner.price.map(|p| response.usage.cost(&p));
                response.cost_usd = cost;
                self.budget().settle(reservation, cost.unwrap_or(0.0), response.usage.total());
                if let (Some(c), Some(n)) = (&inner.cassette, &normalized) {
                    if !c.is_replay() {
                        let recorded = match events {
                            Some(events) => Recorded::Events(events),
                            None => Recorded::Response(response.clone()),
                        };
                        c.append(n, recorded)?;
                    }
                }
                Ok(response)
            }
            Err(e) => {
                self.budget().release(reservation);
                Err(e)
            }
        }
    }

    /// Tries the provider under the retry policy. Returns the answer and,
    /// for a streamed request, the events of the attempt that succeeded.
    async fn attempts(
        &self,
        request: &Request,
        estimate: u64,
        on_event: &mut (dyn FnMut(&StreamEvent) + Send),
    ) -> Result<(Response, Option<Vec<StreamEvent>>)> {
        let inner = &self.inner;
        let Some(provider) = &inner.provider else {
            return Err(Error::Config("this client only replays a cassette".into()));
        };
        let policy = inner.retry;
        let started = Instant::now();
        let deadline = started + policy.deadline;
        let tokens = estimate.saturating_add(u64::from(request.max_tokens));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let transport = |last: String| Error::Transport { provider: inner.kind, attempts: attempt, last };
            inner.limiter.acquire(tokens).await;
            let mut events = Vec::new();
            let mut forward = |e: &StreamEvent| {
                events.push(e.clone());
                on_event(e);
            };
            // The attempt ends at the retry deadline or its own answer limit,
            // whichever comes first; only the latter is worth another try.
            let cut_at = (Instant::now() + inner.answer_timeout).min(deadline);
            let result = tokio::time::timeout_at(cut_at, provider.send(request, &mut forward)).await;
            let error = match result {
                Err(_) if cut_at >= deadline => {
                    return Err(transport(format!("the deadline of {}s passed", policy.deadline.as_secs_f64())));
                }
                Err(_) => Error::Connection {
                    provider: inner.kind,
                    detail: format!(
                        "the answer was still coming after {}s, the limit for one answer",
                        inner.answer_timeout.as_secs_f64()
                    ),
                },
                Ok(Ok(response)) => {
                    inner.limiter.settle(tokens, response.usage.total());
                    return Ok((response, request.stream.then_some(events)));
                }
                Ok(Err(e)) => e,
            };
            if !error.is_retryable() {
                return Err(error);
            }
            if attempt >= policy.max_attempts {
                return Err(transport(error.to_string()));
            }
            let asked = error.retry_after();
            let wait = asked.unwrap_or_else(|| policy.backoff(attempt));
            if Instant::now() + wait > deadline {
                return Err(transport(format!(
                    "{error}; the next attempt would start after the deadline of {}s",
                    policy.deadline.as_secs_f64()
                )));
            }
            if asked.is_some() {
                // The server said when: every agent sharing the limiter waits too.
                inner.limiter.pause_until(Instant::now() + wait);
            }
            tracing::debug!(attempt, ?wait, %error, "retrying model call");
            on_event(&StreamEvent::Retry { attempt, reason: error.to_string(), wait_ms: millis(wait) });
            tokio::time::sleep(wait).await;
        }
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Replays a recorded answer: events go to the sink and are assembled
/// exactly as a live stream would be.
fn replay(
    kind: ProviderKind,
    recorded: Result<Recorded>,
    on_event: &mut (dyn FnMut(&StreamEvent) + Send),
) -> Result<(Response, Option<Vec<StreamEvent>>)> {
    match recorded? {
        Recorded::Response(r) => Ok((r, None)),
        Recorded::Events(events) => {
            let mut assembler = Assembler::new(kind);
            for e in &events {
                assembler.push(e)?;
                on_event(e);
            }
            Ok((assembler.finish()?, Some(events)))
        }
    }
}

/// A deliberately high estimate of a request's input tokens: one token per
/// two bytes of its JSON (real tokenizers average three to four bytes per
/// token on code and prose), so reservations err on the safe side.
pub(crate) fn estimate_input_tokens(request: &Request) -> u64 {
    let bytes = serde_json::to_vec(request).map_or(0, |v| v.len());
    (bytes as u64).div_ceil(2)
}

#[cfg(test)]
mod tests;
