//! What the three providers share on the HTTP side: timeouts, reading bodies
//! chunk by chunk, and turning error statuses into errors that say what to do.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use molt_core::ProviderKind;
use reqwest::header::HeaderMap;

use crate::error::{Error, Result};
use crate::retry::retry_after_from_headers;

/// How long to wait on a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// From sending the request to the response headers. Non-streamed answers
    /// arrive whole, so this includes the model's whole generation time.
    pub response: Duration,
    /// Longest silence between two chunks of a body.
    pub idle: Duration,
    /// Longest time one answer may take, request to last byte: a server that
    /// streams forever is cut here and the call retried.
    pub answer: Duration,
}

impl Default for Timeouts {
    fn default() -> Timeouts {
        Timeouts {
            response: Duration::from_secs(600),
            idle: Duration::from_secs(120),
            answer: Duration::from_secs(900),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Http {
    pub(crate) client: reqwest::Client,
    pub(crate) timeouts: Timeouts,
    pub(crate) provider: ProviderKind,
}

impl Http {
    pub(crate) fn new(provider: ProviderKind, timeouts: Timeouts) -> Result<Http> {
        let client = reqwest::Client::builder()
            .connect_timeout(timeouts.response.min(Duration::from_secs(30)))
            .build()
            .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Http { client, timeouts, provider })
    }

    /// Sends a request and returns the response if its status is a success.
    pub(crate) async fn send(&self, request: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let response = match tokio::time::timeout(self.timeouts.response, request.send()).await {
            Err(_) => {
                return Err(Error::connection(
                    self.provider,
                    format!("no response within {}s", self.timeouts.response.as_secs_f64()),
                ))
            }
            Ok(Err(e)) => return Err(Error::connection(self.provider, describe(&e))),
            Ok(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(response);
        }
        let headers = response.headers().clone();
        let body = self.body(response).await.unwrap_or_default();
        Err(status_error(self.provider, status, &headers, &String::from_utf8_lossy(&body)))
    }

    /// The next chunk of a body, `None` at its end.
    pub(crate) async fn chunk(&self, response: &mut reqwest::Response) -> Result<Option<Bytes>> {
        match tokio::time::timeout(self.timeouts.idle, response.chunk()).await {
            Err(_) => Err(Error::connection(
                self.provider,
                format!("the server went silent for {}s mid-answer", self.timeouts.idle.as_secs_f64()),
            )),
            Ok(Err(e)) => Err(Error::connection(self.provider, format!("the answer was cut: {}", describe(&e)))),
            Ok(Ok(chunk)) => Ok(chunk),
        }
    }

    /// A whole body.
    pub(crate) async fn body(&self, mut response: reqwest::Response) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        while let Some(chunk) = self.chunk(&mut response).await? {
            out.extend_from_slice(&chunk);
        }
        Ok(out)
    }

    /// A whole body parsed as JSON.
    pub(crate) async fn json(&self, response: reqwest::Response) -> Result<serde_json::Value> {
        let body = self.body(response).await?;
        serde_json::from_slice(&body).map_err(|e| {
            let shown: String = String::from_utf8_lossy(&body).chars().take(200).collect();
            Error::malformed(self.provider, format!("the answer is not JSON ({e}): {shown}"))
        })
    }
}

/// reqwest's error with its causes, which hold the useful part ("connection reset").
fn describe(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

/// What to tell a user who got `status` from `provider`.
pub(crate) fn status_error(provider: ProviderKind, status: u16, headers: &HeaderMap, body: &str) -> Error {
    let message = error_message(body);
    match status {
        401 | 403 => {
            Error::Auth { provider, status, hint: format!("{}; the server said: {message}", auth_hint(provider)) }
        }
        408 | 409 | 425 | 429 | 500..=504 | 529 => {
            // Rate-limit reset headers ride on every answer; they only say when
            // to retry when the answer is a 429 (a token window may reset in
            // minutes, which is no reason to wait that long after a 500).
            let pairs: Vec<(&str, &str)> = headers
                .iter()
                .filter(|(k, _)| status == 429 || !k.as_str().contains("ratelimit"))
                .filter_map(|(k, v)| Some((k.as_str(), v.to_str().ok()?)))
                .collect();
            Error::Status {
                provider,
                status,
                message,
                retry_after: retry_after_from_headers(&pairs, SystemTime::now()),
            }
        }
        404 => Error::BadRequest {
            provider,
            status,
            message: format!("{message} (check the model name and the base URL)"),
        },
        _ => Error::BadRequest { provider, status, message },
    }
}

fn auth_hint(provider: ProviderKind) -> &'static str {
    match provider {
        ProviderKind::Openai => "check OPENAI_API_KEY (and OPENAI_BASE_URL)",
        ProviderKind::Anthropic => "check ANTHROPIC_API_KEY",
        ProviderKind::Bedrock => {
            "check the AWS credentials (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE), \
             the region, and that the model is enabled for this account"
        }
    }
}

/// The human part of an error body: `error.message`, `message`, or the text.
pub(crate) fn error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let found = parsed.as_ref().and_then(|v| {
        v.pointer("/error/message")
            .or_else(|| v.get("message"))
            .or_else(|| v.get("Message"))
            .or_else(|| v.get("error").filter(|e| e.is_string()))
            .and_then(|m| m.as_str())
            .map(str::to_owned)
    });
    let text = found.unwrap_or_else(|| body.trim().to_owned());
    if text.is_empty() {
        "(no message)".to_owned()
    } else {
        text.chars().take(500).collect()
    }
}
