//! The one trait every wire format implements.

use futures::future::BoxFuture;
use molt_core::ProviderKind;

use crate::error::Result;
use crate::types::{Request, Response, StreamEvent};

/// Where a provider delivers stream events as they arrive.
pub type EventSink<'a> = &'a mut (dyn FnMut(&StreamEvent) + Send);

/// A model server speaking one wire format. One call is one HTTP exchange:
/// no retries, no budget, no rate limiting (that is [`crate::Client`]'s job).
/// Errors say whether a retry may help ([`crate::Error::is_retryable`]).
pub trait Provider: Send + Sync + std::fmt::Debug {
    fn kind(&self) -> ProviderKind;

    /// The model this provider calls.
    fn model(&self) -> &str;

    /// Sends `request`. When `request.stream` is set, events reach `sink` as
    /// they arrive; otherwise the sink gets nothing and the answer comes whole.
    fn send<'a>(&'a self, request: &'a Request, sink: EventSink<'a>) -> BoxFuture<'a, Result<Response>>;
}
