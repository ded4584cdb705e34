//! molt-llm: the `Provider` trait and its OpenAI-compatible, Anthropic and
//! Bedrock implementations, with streaming tool calls, retries, shared rate
//! limits, usage and cost, budgets, and record/replay cassettes.
//!
//! It must not know about plans, tasks or repositories: it moves requests and
//! answers between molt and a model server. A task appears here only as an
//! opaque name on a [`CallScope`], for the per-task budget.
//!
//! Design in one paragraph: every provider translates one provider-neutral
//! [`Request`] into its wire format and translates its answer back, either a
//! whole JSON body or a stream. Streams of all three formats are turned into
//! the same [`StreamEvent`]s, and one [`Assembler`] builds the final
//! [`Response`] from them, so streaming, non-streaming and cassette replay all
//! end in the same code. Everything around a provider (retries, the shared
//! [`RateLimiter`], the budget governor from `molt-core`, cassettes) lives in
//! [`Client`], which is what agents hold.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod anthropic;
mod bedrock;
mod cassette;
mod client;
mod env;
mod error;
mod http;
mod limiter;
mod openai;
mod provider;
mod retry;
pub mod sse;
mod types;

pub use anthropic::{AnthropicConfig, AnthropicProvider, ANTHROPIC_VERSION};
pub use bedrock::{resolve_aws, AwsCredentials, AwsSettings, BedrockConfig, BedrockProvider, ConverseStream};
pub use cassette::{normalize, request_key, Cassette, CassetteMode};
pub use client::{CallScope, Client, ClientOptions};
pub use env::Env;
pub use error::{Error, Result};
pub use http::Timeouts;
pub use limiter::RateLimiter;
pub use openai::{OpenAiConfig, OpenAiProvider};
pub use provider::{EventSink, Provider};
pub use retry::{retry_after_from_headers, RetryPolicy};
pub use types::{
    Assembler, ContentBlock, Message, Request, Response, Role, StopReason, StreamEvent, ToolCall, ToolSpec,
};

pub use molt_core::budget::{BudgetError, Limits, Spent};
pub use molt_core::usage::{Price, Usage};
pub use molt_core::ProviderKind;
