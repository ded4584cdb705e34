//! When and how long to retry.

use std::time::{Duration, SystemTime};

use rand::Rng;

/// Retries with exponential backoff and jitter, within an overall deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles with each further failure.
    pub base_delay: Duration,
    /// The longest backoff (a server's own `Retry-After` may ask for more).
    pub max_delay: Duration,
    /// No attempt starts, and no wait ends, after this much time from the first attempt.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            deadline: Duration::from_secs(20 * 60),
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt number `attempt` (1-based): the doubled
    /// delay, capped, then "equal jitter": half fixed, half random, so agents
    /// that failed together do not retry together.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let doubled = self.base_delay.saturating_mul(1u32 << attempt.saturating_sub(1).min(20));
        let capped = doubled.min(self.max_delay);
        let half = capped / 2;
        let jitter = rand::thread_rng().gen_range(0.0..=1.0);
        half + half.mul_f64(jitter)
    }
}

/// How long the server asked us to wait, from the headers providers send:
/// `retry-after-ms`, `retry-after` (seconds or an HTTP date), and the rate
/// limit reset headers (OpenAI's `x-ratelimit-reset-*` durations like `6m0s`,
/// Anthropic's `anthropic-ratelimit-*-reset` RFC 3339 times) when no
/// `retry-after` is given. Header names must be lowercase.
pub fn retry_after_from_headers(headers: &[(&str, &str)], now: SystemTime) -> Option<Duration> {
    let get = |name: &str| headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.trim());
    if let Some(ms) = get("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return finite(ms / 1000.0);
    }
    if let Some(v) = get("retry-after") {
        if let Ok(secs) = v.parse::<f64>() {
            return finite(secs);
        }
        if let Ok(at) = httpdate::parse_http_date(v) {
            return Some(at.duration_since(now).unwrap_or(Duration::ZERO));
        }
    }
    let mut longest: Option<Duration> = None;
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        let wait = if name.starts_with("x-ratelimit-reset") {
            go_duration(value)
        } else if name.starts_with("anthropic-ratelimit-") && name.ends_with("-reset") {
            chrono::DateTime::parse_from_rfc3339(value.trim()).ok().map(|at| {
                let at: SystemTime = at.into();
                at.duration_since(now).unwrap_or(Duration::ZERO)
            })
        } else {
            None
        };
        if let Some(w) = wait {
            longest = Some(longest.map_or(w, |l| l.max(w)));
        }
    }
    longest
}

fn finite(secs: f64) -> Option<Duration> {
    (secs.is_finite() && secs >= 0.0).then(|| Duration::from_secs_f64(secs.min(86_400.0)))
}

/// Parses OpenAI's reset durations: `1s`, `20ms`, `6m0s`, `1h2m3.5s`.
fn go_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return finite(secs);
    }
    let mut total = 0.0;
    let mut number = String::new();
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        let value: f64 = number.parse().ok()?;
        number.clear();
        let unit = match c {
            'h' => 3600.0,
            'm' if chars.peek() == Some(&'s') => {
                chars.next();
                0.001
            }
            'm' => 60.0,
            's' => 1.0,
            _ => return None,
        };
        total += value * unit;
        any = true;
    }
    if !number.is_empty() || !any {
        return None;
    }
    finite(total)
}

#[cfg(test)]
mod tests;
