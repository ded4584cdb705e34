//! AWS Bedrock Converse: `POST {endpoint}/model/{modelId}/converse` and
//! `/converse-stream`, signed with SigV4 (service `bedrock`).
//!
//! The streamed answer is in the AWS event-stream binary framing, decoded by
//! `aws-smithy-eventstream`: each frame has a `:message-type` (`event` or
//! `exception`) and an `:event-type` (`messageStart`, `contentBlockStart`,
//! `contentBlockDelta`, `contentBlockStop`, `messageStop`, `metadata`) with a
//! JSON payload. Throttling and service exceptions mid-stream are retryable
//! statuses. The credential chain is ours ([`resolve_aws`]), kept small and
//! explicit so tests can point it at their own files.

mod creds;

use std::time::SystemTime;

use aws_smithy_eventstream::frame::{DecodedFrame, MessageFrameDecoder};
use aws_smithy_types::event_stream::{HeaderValue, Message as Frame};
use bytes::BytesMut;
use futures::future::BoxFuture;
use futures::FutureExt;
use molt_core::usage::Usage;
use molt_core::ProviderKind;
use serde_json::{json, Value};

pub use creds::{resolve_aws, AwsCredentials, AwsSettings};

use crate::env::Env;
use crate::error::{Error, Result};
use crate::http::{Http, Timeouts};
use crate::provider::{EventSink, Provider};
use crate::types::{Assembler, ContentBlock, Request, Response, Role, StopReason, StreamEvent};

const KIND: ProviderKind = ProviderKind::Bedrock;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BedrockConfig {
    /// A model id or inference profile, e.g. `us.anthropic.claude-sonnet-4-5-20250929-v1:0`.
    pub model: String,
    /// `https://bedrock-runtime.{region}.amazonaws.com` unless overridden.
    pub endpoint: String,
    pub aws: AwsSettings,
    pub timeouts: Timeouts,
}

impl BedrockConfig {
    /// Credentials and region from the standard chain; the endpoint from
    /// `base_url` (molt.toml), `AWS_ENDPOINT_URL_BEDROCK_RUNTIME`,
    /// `AWS_ENDPOINT_URL`, or the region.
    pub fn from_env(
        model: &str,
        base_url: Option<&str>,
        region: Option<&str>,
        profile: Option<&str>,
        env: &Env,
    ) -> Result<BedrockConfig> {
        let aws = resolve_aws(env, profile, region)?;
        let endpoint = base_url
            .or(env.get("AWS_ENDPOINT_URL_BEDROCK_RUNTIME"))
            .or(env.get("AWS_ENDPOINT_URL"))
            .map(str::to_owned)
            .unwrap_or_else(|| format!("https://bedrock-runtime.{}.amazonaws.com", aws.region));
        Ok(BedrockConfig { model: model.to_owned(), endpoint, aws, timeouts: Timeouts::default() })
    }
}

#[derive(Debug)]
pub struct BedrockProvider {
    config: BedrockConfig,
    http: Http,
}

impl BedrockProvider {
    pub fn new(config: BedrockConfig) -> Result<BedrockProvider> {
        let http = Http::new(KIND, config.timeouts)?;
        Ok(BedrockProvider { config, http })
    }

    async fn call(&self, request: &Request, sink: EventSink<'_>) -> Result<Response> {
        let op = if request.stream { "converse-stream" } else { "converse" };
        let url = format!(
            "{}/model/{}/{op}",
            self.config.endpoint.trim_end_matches('/'),
            encode_path_segment(&self.config.model)
        );
        let body = serde_json::to_vec(&wire_request(request))
            .map_err(|e| Error::Config(format!("cannot encode the request: {e}")))?;
        let accept = if request.stream { "application/vnd.amazon.eventstream" } else { "application/json" };
        let signed = sign(&self.config.aws, &url, &body, SystemTime::now())?;
        let mut builder =
            self.http.client.post(&url).header("content-type", "application/json").header("accept", accept).body(body);
        for (name, value) in signed {
            builder = builder.header(name, value);
        }
        let mut response = self.http.send(builder).await?;
        if !request.stream {
            return parse_response(&self.http.json(response).await?);
        }
        let mut stream = ConverseStream::new();
        while let Some(chunk) = self.http.chunk(&mut response).await? {
            stream.push(&chunk, sink)?;
        }
        stream.finish(sink)
    }
}

/// Decodes a ConverseStream body, chunk by chunk as it arrives, into stream
/// events and then the whole answer: bytes in, events out, no I/O (public so
/// the fuzz targets reach the same code the provider runs).
#[derive(Debug)]
pub struct ConverseStream {
    decoder: MessageFrameDecoder,
    buffer: BytesMut,
    state: StreamState,
    assembler: Assembler,
}

impl Default for ConverseStream {
    fn default() -> Self {
        ConverseStream::new()
    }
}

impl ConverseStream {
    pub fn new() -> ConverseStream {
        ConverseStream {
            decoder: MessageFrameDecoder::new(),
            buffer: BytesMut::new(),
            state: StreamState::default(),
            assembler: Assembler::new(KIND),
        }
    }

    /// Feeds a chunk; each event it completes goes to `sink`. A malformed
    /// frame or event is an error, never a panic.
    pub fn push(&mut self, chunk: &[u8], sink: &mut (dyn FnMut(&StreamEvent) + Send)) -> Result<()> {
        self.buffer.extend_from_slice(chunk);
        loop {
            let frame = match self.decoder.decode_frame(&mut self.buffer) {
                Ok(DecodedFrame::Complete(frame)) => frame,
                Ok(DecodedFrame::Incomplete) => return Ok(()),
                Err(e) => return Err(Error::malformed(KIND, format!("bad event-stream frame: {e}"))),
            };
            for e in self.state.on_frame(&frame)? {
                self.assembler.push(&e)?;
                sink(&e);
            }
        }
    }

    /// Ends the body: the assembled answer, or why it is incomplete.
    pub fn finish(mut self, sink: &mut (dyn FnMut(&StreamEvent) + Send)) -> Result<Response> {
        if !self.assembler.is_finished() {
            if let Some(e) = self.state.end() {
                self.assembler.push(&e)?;
                sink(&e);
            }
        }
        self.assembler.finish()
    }
}

impl Provider for BedrockProvider {
    fn kind(&self) -> ProviderKind {
        KIND
    }

    fn model(&self) -> &str {
        &self.config.model
    }

    fn send<'a>(&'a self, request: &'a Request, sink: EventSink<'a>) -> BoxFuture<'a, Result<Response>> {
        self.call(request, sink).boxed()
    }
}

/// Percent-encodes a model id for the path (`:` in `...-v1:0`, `/` in ARNs).
fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SigV4 headers (`authorization`, `x-amz-date`, and
/// `x-amz-security-token` with a session token) for a POST of `body` to `url`.
pub(crate) fn sign(aws: &AwsSettings, url: &str, body: &[u8], time: SystemTime) -> Result<Vec<(String, String)>> {
    use aws_sigv4::http_request::{sign as sigv4_sign, SignableBody, SignableRequest, SigningSettings};
    use aws_sigv4::sign::v4;

    let parsed = url::Url::parse(url).map_err(|e| Error::Config(format!("bad Bedrock endpoint {url}: {e}")))?;
    let host = match (parsed.host_str(), parsed.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        (None, _) => return Err(Error::Config(format!("bad Bedrock endpoint {url}: no host"))),
    };
    let identity = aws_credential_types::Credentials::new(
        aws.credentials.access_key_id.clone(),
        aws.credentials.secret_access_key.clone(),
        aws.credentials.session_token.clone(),
        None,
        "molt",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(&aws.region)
        .name("bedrock")
        .time(time)
        .settings(SigningSettings::default())
        .build()
        .map_err(|e| Error::Config(format!("cannot sign the Bedrock request: {e}")))?
        .into();
    let headers = [("host", host.as_str()), ("content-type", "application/json")];
    let signable = SignableRequest::new("POST", url, headers.into_iter(), SignableBody::Bytes(body))
        .map_err(|e| Error::Config(format!("cannot sign the Bedrock request: {e}")))?;
    let (instructions, _signature) = sigv4_sign(signable, &params)
        .map_err(|e| Error::Config(format!("cannot sign the Bedrock request: {e}")))?
        .into_parts();
    Ok(instructions.headers().map(|(k, v)| (k.to_owned(), v.to_owned())).collect())
}

/// The Converse JSON body for `request` (the model id is in the path).
pub(crate) fn wire_request(request: &Request) -> Value {
    let messages: Vec<Value> = request
        .messages
        .iter()
        .map(|m| {
            let content: Vec<Value> = m
                .content
                .iter()
                .map(|b| match b {
                    ContentBlock::Text { text } => json!({"text": text}),
                    ContentBlock::ToolUse { id, name, input } => {
                        json!({"toolUse": {"toolUseId": id, "name": name, "input": input}})
                    }
                    ContentBlock::ToolResult { tool_use_id, content, is_error } => json!({"toolResult": {
                        "toolUseId": tool_use_id,
                        "content": [{"text": content}],
                        "status": if *is_error { "error" } else { "success" },
                    }}),
                })
                .collect();
            let role = match m.role {
                Role::User => "user",
                Role::Assistant => "assistant",
            };
            json!({"role": role, "content": content})
        })
        .collect();
    let mut inference = json!({"maxTokens": request.max_tokens});
    if let Some(t) = request.temperature {
        inference["temperature"] = json!(t);
    }
    if !request.stop.is_empty() {
        inference["stopSequences"] = json!(request.stop);
    }
    let mut body = json!({"messages": messages, "inferenceConfig": inference});
    if !request.system.is_empty() {
        body["system"] = json!([{"text": request.system}]);
    }
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|t| {
                json!({"toolSpec": {"name": t.name, "description": t.description, "inputSchema": {"json": t.input_schema}}})
            })
            .collect();
        body["toolConfig"] = json!({"tools": tools});
    }
    body
}

fn usage(v: &Value) -> Usage {
    let n = |k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    Usage {
        input: n("inputTokens"),
        output: n("outputTokens"),
        cache_read: n("cacheReadInputTokens"),
        cache_write: n("cacheWriteInputTokens"),
    }
}

/// A non-streamed Converse answer.
pub(crate) fn parse_response(v: &Value) -> Result<Response> {
    let blocks = v
        .pointer("/output/message/content")
        .and_then(Value::as_array)
        .ok_or_else(|| Error::malformed(KIND, "the answer has no output.message.content"))?;
    let mut content = Vec::new();
    for b in blocks {
        if let Some(text) = b.get("text").and_then(Value::as_str) {
            if !text.is_empty() {
                content.push(ContentBlock::text(text));
            }
        } else if let Some(t) = b.get("toolUse") {
            content.push(ContentBlock::ToolUse {
                id: t.get("toolUseId").and_then(Value::as_str).unwrap_or_default().to_owned(),
                name: t.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
                input: match t.get("input") {
                    Some(i @ Value::Object(_)) => i.clone(),
                    Some(other) => {
                        return Err(Error::malformed(KIND, format!("toolUse input is not an object: {other}")))
                    }
                    None => json!({}),
                },
            });
        }
    }
    let stop_reason = StopReason::from_wire(v.get("stopReason").and_then(Value::as_str).unwrap_or("end_turn"));
    Ok(Response { content, stop_reason, usage: v.get("usage").map(usage).unwrap_or_default(), cost_usd: None })
}

#[derive(Debug, Default)]
struct StreamState {
    stop: Option<StopReason>,
    finished: bool,
}

fn header<'a>(frame: &'a Frame, name: &str) -> Option<&'a str> {
    frame.headers().iter().find(|h| h.name().as_str() == name).and_then(|h| match h.value() {
        HeaderValue::String(s) => Some(s.as_str()),
        _ => None,
    })
}

impl StreamState {
    fn on_frame(&mut self, frame: &Frame) -> Result<Vec<StreamEvent>> {
        let payload: Value = if frame.payload().is_empty() {
            json!({})
        } else {
            serde_json::from_slice(frame.payload()).map_err(|e| {
                let shown: String = String::from_utf8_lossy(frame.payload()).chars().take(200).collect();
                Error::malformed(KIND, format!("a stream event is not JSON ({e}): {shown}"))
            })?
        };
        match header(frame, ":message-type") {
            Some("event") => {}
            Some("exception") | Some("error") => {
                let kind = header(frame, ":exception-type").or(header(frame, ":error-code")).unwrap_or("exception");
                let message = payload
                    .get("message")
                    .or(payload.get("Message"))
                    .and_then(Value::as_str)
                    .unwrap_or(kind)
                    .to_owned();
                let status = match kind {
                    "throttlingException" => 429,
                    "serviceUnavailableException" => 503,
                    "internalServerException" | "modelStreamErrorException" => 500,
                    _ => return Err(Error::malformed(KIND, format!("the stream reported {kind}: {message}"))),
                };
                return Err(Error::Status { provider: KIND, status, message, retry_after: None });
            }
            other => {
                return Err(Error::malformed(KIND, format!("unknown event-stream message type {other:?}")));
            }
        }
        let index = || payload.get("contentBlockIndex").and_then(Value::as_u64).unwrap_or(0) as usize;
        let mut out = Vec::new();
        match header(frame, ":event-type").unwrap_or_default() {
            "contentBlockStart" => {
                if let Some(t) = payload.pointer("/start/toolUse") {
                    out.push(StreamEvent::ToolCallStart {
                        index: index(),
                        id: t.get("toolUseId").and_then(Value::as_str).unwrap_or_default().to_owned(),
                        name: t.get("name").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    });
                }
            }
            "contentBlockDelta" => {
                let delta = payload.get("delta").unwrap_or(&Value::Null);
                if let Some(text) = delta.get("text").and_then(Value::as_str) {
                    out.push(StreamEvent::TextDelta { index: index(), text: text.to_owned() });
                } else if let Some(input) = delta.pointer("/toolUse/input").and_then(Value::as_str) {
                    out.push(StreamEvent::ToolCallDelta { index: index(), json: input.to_owned() });
                }
            }
            "messageStop" => {
                self.stop = Some(StopReason::from_wire(
                    payload.get("stopReason").and_then(Value::as_str).unwrap_or("end_turn"),
                ));
            }
            "metadata" => {
                if let Some(u) = payload.get("usage") {
                    out.push(StreamEvent::Usage { usage: usage(u) });
                }
                if let Some(stop_reason) = self.stop.take() {
                    self.finished = true;
                    out.push(StreamEvent::Finish { stop_reason });
                }
            }
            // messageStart, contentBlockStop, and event types added later.
            _ => {}
        }
        Ok(out)
    }

    /// At the end of the body: `messageStop` without `metadata` is still a
    /// complete answer (without usage); anything less was cut.
    fn end(&mut self) -> Option<StreamEvent> {
        if self.finished {
            return None;
        }
        self.stop.take().map(|stop_reason| StreamEvent::Finish { stop_reason })
    }
}

#[cfg(test)]
mod tests;
