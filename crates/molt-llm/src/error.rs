//! The one error type of molt-llm. Its variants are what an agent acts on:
//! stop ([`Error::Budget`], [`Error::Auth`], [`Error::BadRequest`]), tell the
//! model ([`Error::Malformed`]), or give up on the task ([`Error::Transport`]).

use std::time::Duration;

use molt_core::budget::BudgetError;
use molt_core::ProviderKind;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The budget governor refused the call; the run should stop cleanly.
    #[error(transparent)]
    Budget(#[from] BudgetError),
    /// 401 or 403: the credentials are wrong. Never retried.
    #[error("{status} from {provider}: {hint}")]
    Auth { provider: ProviderKind, status: u16, hint: String },
    /// The server refused the request as such (400, 404, 413, 422...). Never retried.
    #[error("{status} from {provider}: {message}")]
    BadRequest { provider: ProviderKind, status: u16, message: String },
    /// The answer arrived but cannot be used: a malformed event, or tool-call
    /// arguments that are not JSON. Retry the call or tell the model.
    #[error("malformed answer from {provider}: {detail}")]
    Malformed { provider: ProviderKind, detail: String },
    /// Retries are exhausted (or the deadline passed) on errors that are
    /// usually transient: 429, 5xx, resets, timeouts, cut streams.
    #[error("{provider} failed after {attempts} attempt(s): {last}")]
    Transport { provider: ProviderKind, attempts: u32, last: String },
    /// A transient HTTP status, before retries are exhausted. [`crate::Client`]
    /// retries these and turns the last into [`Error::Transport`].
    #[error("{status} from {provider}: {message}")]
    Status { provider: ProviderKind, status: u16, message: String, retry_after: Option<Duration> },
    /// A connection reset, a timeout or a stream cut mid-answer, before
    /// retries are exhausted.
    #[error("connection to {provider}: {detail}")]
    Connection { provider: ProviderKind, detail: String },
    /// Replay found no recorded answer for this request.
    #[error("no recorded answer in the cassette matches this request; nearest recorded request:\n{diff}")]
    ReplayMiss { diff: String },
    /// A cassette could not be read or written.
    #[error("cassette {path}: {message}")]
    Cassette { path: String, message: String },
    /// The model configuration or environment is incomplete.
    #[error("{0}")]
    Config(String),
}

impl Error {
    /// Whether trying the same request again may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, Error::Status { .. } | Error::Connection { .. })
    }

    /// How long the server asked us to wait, if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    pub(crate) fn malformed(provider: ProviderKind, detail: impl Into<String>) -> Error {
        Error::Malformed { provider, detail: detail.into() }
    }

    pub(crate) fn connection(provider: ProviderKind, detail: impl Into<String>) -> Error {
        Error::Connection { provider, detail: detail.into() }
    }
}
