//! The attempt loop behind [`super::ClientHandle::call`]: endpoint, signing, retries, timeouts,
//! interceptors, tracing and metrics (the spans and instruments: [`super::telemetry`],
//! [`crate::observability`]). Nothing here knows a protocol: the request arrives whole, and error
//! responses are read with the service's [`Protocol`](crate::protocol::Protocol).
//!
//! Per attempt: build the request, run the interceptors' `modify_before_signing`, sign, run
//! `read_before_transmit`, send, classify the outcome, decide whether to retry (backoff, or the
//! server's `x-amz-retry-after`; once more with fresh credentials after an expired-credentials
//! error), run `read_after_attempt`. Per call: `read_after_execution` with the result.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant, SystemTime};

use http::{HeaderName, HeaderValue};
use tracing::Instrument;

use super::customize::CallOverrides;
use super::endpoint::{no_region, ResolvedEndpoint};
use super::request::join_url;
use super::telemetry;
use super::{AuthScheme, HandleInner, OperationInfo, Reply, Request};
use crate::config::TimeoutConfig;
use crate::credentials::Credentials;
use crate::error::{
    BuildError, BuildErrorKind, ErrorMetadata, Never, SdkError, TimeoutError, TimeoutKind,
};
use crate::http::{AttemptTimeouts, HttpRequest, HttpResponse, TransportError};
use crate::interceptor::{
    mark_credential_headers, mark_sensitive_headers, AttemptContext, CallContext, CallInfo, Hooks,
    RequestContext,
};
use crate::observability::client::CallMetrics;
use crate::observability::recursion::add_trace_header;
use crate::retry::{
    classify_response, classify_transport, server_retry_delay, RetryClass, RetryConfig, RetryMode,
    RetryQuota, EXPIRED_CREDENTIALS_CODES,
};
use crate::sigv4::{sign_headers, SigningParams, SigningSettings};
use crate::types::{wipe_on_drop, ByteStream, DateTime, TimestampFormat};

/// A clock-skew error is only acted on when the server's `Date` is this far from our
/// (corrected) clock; smaller differences cannot have caused the rejection.
const MIN_SKEW_CORRECTION_MS: i64 = 60_000;

/// What one attempt produced.
enum Outcome {
    Response(HttpResponse),
    Transport(TransportError),
    Timeout(Duration),
}

impl Outcome {
    fn into_result(self, error: Option<ErrorMetadata>) -> Result<Reply, SdkError<Never>> {
        match self {
            Outcome::Response(response) => Ok(Reply { response, error }),
            Outcome::Transport(e) => Err(SdkError::from_transport(e)),
            Outcome::Timeout(d) => Err(SdkError::Timeout(TimeoutError::new(
                TimeoutKind::Attempt,
                Some(d),
            ))),
        }
    }
}

/// The settings of one call: the configuration's, with the call's overrides on top.
struct Settings<'a> {
    retry: &'a RetryConfig,
    timeouts: &'a TimeoutConfig,
    hooks: Hooks<'a>,
}

impl<'a> Settings<'a> {
    fn new(inner: &'a HandleInner, overrides: Option<&'a CallOverrides>) -> Settings<'a> {
        let config = &inner.config;
        Settings {
            retry: overrides
                .and_then(|o| o.retry.as_ref())
                .unwrap_or(config.retry_config()),
            timeouts: overrides
                .and_then(|o| o.timeouts.as_ref())
                .unwrap_or(config.timeout_config()),
            hooks: Hooks::new(
                config.interceptors(),
                overrides.map_or(&[][..], |o| &o.interceptors[..]),
            ),
        }
    }
}

pub(super) async fn call(
    inner: &HandleInner,
    overrides: Option<&CallOverrides>,
    op: &'static OperationInfo,
    request: Request,
    auth: AuthScheme,
) -> Result<Reply, SdkError<Never>> {
    run(inner, overrides, op, request, auth, Streaming::No, None)
        .await
        .map(|(reply, _)| reply)
}

/// [`call`] whose successful response body is streamed: the reply (head only for a 2xx) and the
/// body. Retries and timeouts cover the exchange up to the response head; an error response is
/// read whole, as [`call`] reads it.
pub(super) async fn call_streaming(
    inner: &HandleInner,
    overrides: Option<&CallOverrides>,
    op: &'static OperationInfo,
    request: Request,
    auth: AuthScheme,
    http2: bool,
) -> Result<(Reply, ByteStream), SdkError<Never>> {
    run(
        inner,
        overrides,
        op,
        request,
        auth,
        Streaming::over(http2),
        None,
    )
    .await
    .map(|(reply, body)| (reply, body.unwrap_or_default()))
}

/// How a call reads its response: whole, or streamed (over HTTP/1.1 or HTTP/2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Streaming {
    No,
    Http1,
    Http2,
}

impl Streaming {
    fn over(http2: bool) -> Streaming {
        if http2 {
            Streaming::Http2
        } else {
            Streaming::Http1
        }
    }
}

/// The input event stream of a call, until the attempt that sends it takes it, and how that
/// attempt starts sending it. `start` is [`start_events`], named only by
/// [`call_event_stream`]: a program without event streams links none of the signing and
/// framing behind it.
struct EventSlot {
    body: std::sync::Mutex<Option<crate::event_stream::EventBody>>,
    start: StartEvents,
}

/// Takes the call's event stream and starts it: see [`start_events`].
type StartEvents = fn(
    &EventSlot,
    &ResolvedEndpoint,
    &HttpRequest,
    Option<&Credentials>,
    i64,
    &tracing::Span,
) -> Option<tokio::sync::mpsc::Receiver<bytes::Bytes>>;

/// The payload hash an event-stream request is signed with (its body is the signed messages).
const STREAMING_EVENTS: &str = "STREAMING-AWS4-HMAC-SHA256-EVENTS";

/// [`call_streaming`] whose request body is an input event stream: the messages are signed
/// (chained from the request's signature), framed and sent while the response is read. Not
/// retried once the stream has started (it cannot be replayed).
pub(super) async fn call_event_stream(
    inner: &HandleInner,
    overrides: Option<&CallOverrides>,
    op: &'static OperationInfo,
    request: Request,
    auth: AuthScheme,
    events: crate::event_stream::EventBody,
    http2: bool,
) -> Result<(Reply, ByteStream), SdkError<Never>> {
    let slot = EventSlot {
        body: std::sync::Mutex::new(Some(events)),
        start: start_events,
    };
    run(
        inner,
        overrides,
        op,
        request,
        auth,
        Streaming::over(http2),
        Some(&slot),
    )
    .await
    .map(|(reply, body)| (reply, body.unwrap_or_default()))
}

/// Takes the call's event stream for the attempt that sends `req` (signed), makes its signer
/// and starts a task (in the attempt's `span`) that signs, frames and forwards its messages to
/// the channel returned, the body of the request.
fn start_events(
    events: &EventSlot,
    endpoint: &ResolvedEndpoint,
    req: &HttpRequest,
    creds: Option<&Credentials>,
    offset_ms: i64,
    span: &tracing::Span,
) -> Option<tokio::sync::mpsc::Receiver<bytes::Bytes>> {
    let body = events
        .body
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .take()?;
    let signer = creds.and_then(|c| {
        let auth = req.header("authorization")?;
        let seed = auth.rsplit("Signature=").next()?.trim();
        Some(crate::event_stream::MessageSigner::new(
            c.access_key_id(),
            c.secret_access_key(),
            c.session_token(),
            endpoint.signing_region.as_deref().unwrap_or_default(),
            &endpoint.signing_name,
            seed,
        ))
    });
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    tokio::spawn(pump_events(body, signer, offset_ms, tx).instrument(span.clone()));
    Some(rx)
}

/// Signs (when `signer` is set), frames and forwards the messages of `body` to `tx`, then the
/// closing signed empty message. Stops when the transport drops the receiving end.
async fn pump_events(
    mut body: crate::event_stream::EventBody,
    mut signer: Option<crate::event_stream::MessageSigner>,
    offset_ms: i64,
    tx: tokio::sync::mpsc::Sender<bytes::Bytes>,
) {
    while let Some(next) = body.next().await {
        let msg = match next {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(error = %e, "an event could not be written; the input stream ends");
                return;
            }
        };
        let framed = match &mut signer {
            Some(s) => s
                .sign(&msg, signing_time(offset_ms))
                .and_then(|m| m.encode()),
            None => msg.encode(),
        };
        match framed {
            Ok(bytes) => {
                if tx.send(bytes).await.is_err() {
                    return;
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "an event could not be framed; the input stream ends");
                return;
            }
        }
    }
    if let Some(s) = &mut signer {
        if let Ok(end) = s.sign_end(signing_time(offset_ms)).encode() {
            let _ = tx.send(end).await;
        }
    }
}

type CallResult = Result<(Reply, Option<ByteStream>), SdkError<Never>>;

async fn run(
    inner: &HandleInner,
    overrides: Option<&CallOverrides>,
    op: &'static OperationInfo,
    request: Request,
    auth: AuthScheme,
    streaming: Streaming,
    events: Option<&EventSlot>,
) -> CallResult {
    let settings = Settings::new(inner, overrides);
    let call = CallInfo::new(inner.service.name(), op.name);
    let sent = AtomicU32::new(0);
    let metrics = inner.metrics.as_ref().map(|m| m.call(op.name));
    let started = metrics.map(|_| Instant::now());
    let span = telemetry::call_span(inner, op);
    let cx = CallCx {
        inner,
        settings: &settings,
        call: &call,
        sent: &sent,
        op,
        metrics,
        span: &span,
    };
    let result = execute(&cx, request, auth, streaming, events).await;
    if !settings.hooks.is_empty() {
        after_execution(&cx, &result);
    }
    telemetry::finish_call(cx.metrics, cx.span, started, &result);
    result
}

/// What every step of one call reads.
struct CallCx<'a> {
    inner: &'a HandleInner,
    settings: &'a Settings<'a>,
    call: &'a CallInfo,
    /// Attempts sent so far (read after the operation timeout dropped the attempt loop).
    sent: &'a AtomicU32,
    op: &'static OperationInfo,
    /// The call's instruments, when the client has a meter provider.
    metrics: Option<CallMetrics<'a>>,
    /// The call's span (`operation`).
    span: &'a tracing::Span,
}

impl CallCx<'_> {
    /// The time now when the call records metrics: the start of a measured step.
    fn clock(&self) -> Option<Instant> {
        self.metrics.map(|_| Instant::now())
    }
}

/// Runs the interceptors' `read_after_execution` with the call's result.
fn after_execution(cx: &CallCx<'_>, result: &CallResult) {
    let (response, error, failure) = match result {
        Ok((reply, _)) => (Some(&reply.response), reply.error.as_ref(), None),
        Err(e) => (None, None, Some(e)),
    };
    let request_id = match (error, response) {
        (Some(m), _) => m.request_id.clone(),
        (None, Some(r)) => crate::protocol::request_id(r),
        (None, None) => None,
    };
    let ctx = CallContext {
        call: cx.call,
        attempts: cx.sent.load(Ordering::Relaxed),
        finished: Instant::now(),
        response,
        error,
        request_id: request_id.as_deref(),
        failure,
    };
    for hook in cx.settings.hooks.iter() {
        hook.read_after_execution(&ctx);
    }
}

async fn execute(
    cx: &CallCx<'_>,
    request: Request,
    auth: AuthScheme,
    streaming: Streaming,
    events: Option<&EventSlot>,
) -> CallResult {
    let inner = cx.inner;
    let resolving = cx.clock();
    let endpoint = inner
        .request_endpoint(&request)
        .map_err(SdkError::Construction);
    if let (Some(m), Some(t)) = (cx.metrics, resolving) {
        m.resolve_endpoint(t.elapsed());
    }
    let endpoint = endpoint?;
    let endpoint = &*endpoint;
    let prefixed;
    let endpoint = match request.host_prefix.as_deref() {
        Some(p) if !p.is_empty() => {
            prefixed = endpoint
                .clone()
                .at_url(super::endpoint::with_host_prefix(&endpoint.url, p));
            &prefixed
        }
        _ => endpoint,
    };
    let mut request = request;
    if cx.op.sensitive_input {
        // Every attempt sends a reference to this one buffer; it is zeroed after the last.
        request.body = wipe_on_drop(std::mem::take(&mut request.body));
    }
    telemetry::record_endpoint(cx.span, &endpoint.url);
    // Each arm makes its own future where it awaits it: one binding for both would be moved
    // (copied, some 2 KiB) once more on the way.
    match cx.settings.timeouts.operation {
        Some(limit) => tokio::time::timeout(
            limit,
            attempts(cx, endpoint, &request, auth, streaming, events).instrument(cx.span.clone()),
        )
        .await
        .unwrap_or_else(|_| {
            Err(SdkError::Timeout(TimeoutError::new(
                TimeoutKind::Operation,
                Some(limit),
            )))
        }),
        None => {
            attempts(cx, endpoint, &request, auth, streaming, events)
                .instrument(cx.span.clone())
                .await
        }
    }
}

/// The credentials one attempt signs with: `None` for an unsigned request.
async fn attempt_credentials(
    inner: &HandleInner,
    auth: AuthScheme,
) -> Result<Option<Credentials>, SdkError<Never>> {
    match auth {
        AuthScheme::SigV4 => credentials(inner).await.map(Some),
        AuthScheme::OptionalSigV4 => match credentials(inner).await {
            Ok(c) => Ok(Some(c)),
            Err(e) => {
                tracing::debug!(error = %e, "no credentials for an optional-auth operation; sending it unsigned");
                Ok(None)
            }
        },
        AuthScheme::None | AuthScheme::Bearer => Ok(None),
    }
}

pub(super) async fn credentials(inner: &HandleInner) -> Result<Credentials, SdkError<Never>> {
    let provider = inner.config.credentials_provider().ok_or_else(|| {
        SdkError::Construction(BuildError::new(
            BuildErrorKind::Credentials,
            "no credentials provider configured",
        ))
    })?;
    provider.provide_credentials().await.map_err(|e| {
        SdkError::Construction(BuildError::new(BuildErrorKind::Credentials, e.to_string()))
    })
}

/// The SigV4 settings for signing name `service`: S3's exceptions (no path normalization, the
/// path encoded once, a signed `x-amz-content-sha256` header) for the S3 signing names, the
/// defaults for every other service, as the SigV4 specification has it.
pub(super) fn signing_settings(service: &str) -> SigningSettings {
    if matches!(
        service,
        "s3" | "s3-object-lambda" | "s3-outposts" | "s3express"
    ) {
        SigningSettings {
            uri_path_normalization: false,
            double_uri_encode: false,
            omit_session_token: false,
            content_sha256_header: true,
        }
    } else {
        SigningSettings::default()
    }
}

pub(super) fn signing_time(offset_ms: i64) -> SystemTime {
    let now = SystemTime::now();
    let delta = Duration::from_millis(offset_ms.unsigned_abs());
    if offset_ms >= 0 {
        now.checked_add(delta).unwrap_or(now)
    } else {
        now.checked_sub(delta).unwrap_or(now)
    }
}

fn header(name: HeaderName, value: &str) -> Result<(HeaderName, HeaderValue), SdkError<Never>> {
    HeaderValue::from_str(value)
        .map(|v| (name.clone(), v))
        .map_err(|_| {
            SdkError::Construction(BuildError::new(
                BuildErrorKind::Other,
                format!("invalid value for header {name}"),
            ))
        })
}

/// `amz-sdk-request: attempt=N; max=M`.
fn attempt_header(attempt: u32, max_attempts: u32) -> (HeaderName, HeaderValue) {
    let mut value = Vec::with_capacity(32);
    value.extend_from_slice(b"attempt=");
    push_decimal(&mut value, attempt);
    value.extend_from_slice(b"; max=");
    push_decimal(&mut value, max_attempts);
    // Digits and ASCII text only: always a valid header value.
    let value = HeaderValue::from_bytes(&value).unwrap_or_else(|_| HeaderValue::from_static(""));
    (AMZ_SDK_REQUEST, value)
}

const AMZ_SDK_INVOCATION_ID: HeaderName = HeaderName::from_static("amz-sdk-invocation-id");
const AMZ_SDK_REQUEST: HeaderName = HeaderName::from_static("amz-sdk-request");

/// Appends the decimal digits of `n`.
fn push_decimal(out: &mut Vec<u8>, n: u32) {
    out.extend_from_slice(crate::json::format_u64(u64::from(n), &mut [0; 20]));
}

/// Builds the request of one attempt, not yet signed.
fn build_request(
    cx: &CallCx<'_>,
    endpoint: &ResolvedEndpoint,
    request: &Request,
    attempt: u32,
    max_attempts: u32,
) -> Result<HttpRequest, SdkError<Never>> {
    let inner = cx.inner;
    let mut req = HttpRequest::new(
        request.method.clone(),
        join_url(&endpoint.url, &request.path_and_query),
        request.body.clone(),
    );
    // The transport reuses the endpoint's parsed origin while the URI starts with it.
    req.origin = endpoint.origin.clone();
    // Room for the pipeline's and the signature's headers: no regrowth while signing.
    let mut headers = http::HeaderMap::with_capacity(request.headers.len() + 8);
    for (k, v) in &request.headers {
        headers.append(k.clone(), v.clone());
    }
    if cx.op.sensitive_input {
        // A header may carry a sensitive member: keep it out of `Debug` (interceptors).
        mark_sensitive_headers(&mut headers);
    }
    req.headers = headers;
    let user_agent = match &inner.user_agent_value {
        Some(v) => (http::header::USER_AGENT, v.clone()),
        None => header(http::header::USER_AGENT, &inner.user_agent)?,
    };
    for (k, v) in [
        user_agent,
        (AMZ_SDK_INVOCATION_ID, cx.call.invocation_header().clone()),
        attempt_header(attempt, max_attempts),
    ] {
        req.headers.insert(k, v);
    }
    for (k, v) in &endpoint.headers {
        req.headers.append(k.clone(), v.clone());
    }
    match inner.config.env() {
        Some(env) => add_trace_header(&mut req.headers, env),
        None => add_trace_header(&mut req.headers, &crate::profile::Env::real()),
    }
    Ok(req)
}

/// Signs the request of one attempt with SigV4.
fn sign_request(
    cx: &CallCx<'_>,
    endpoint: &ResolvedEndpoint,
    req: &mut HttpRequest,
    creds: &Credentials,
) -> Result<(), SdkError<Never>> {
    let (inner, op, service) = (cx.inner, cx.op, cx.inner.service);
    let region = endpoint
        .signing_region
        .as_deref()
        .ok_or_else(|| SdkError::Construction(no_region()))?;
    if endpoint.signing_name.is_empty() {
        return Err(SdkError::Construction(BuildError::new(
            BuildErrorKind::Other,
            format!(
                "operation {} is signed with SigV4, but service {:?} has no signing name",
                op.name,
                service.name()
            ),
        )));
    }
    let params = SigningParams {
        access_key: creds.access_key_id(),
        secret_key: creds.secret_access_key(),
        session_token: creds.session_token(),
        region,
        service: &endpoint.signing_name,
        time: signing_time(inner.clock_offset_ms.load(Ordering::Relaxed)),
        settings: signing_settings(&endpoint.signing_name),
    };
    // The signer needs `Host` and the path and query. While the URI starts with the endpoint's
    // parsed origin, `Host` is the origin's (made when it was parsed) and the signer is given
    // only the path and query, so it parses no authority.
    let mut signed_uri = req.uri.as_str();
    if let Some((origin, path)) = req
        .origin
        .as_ref()
        .and_then(|o| o.path_of(&req.uri).map(|p| (o, p)))
    {
        let has_host = match req.headers.entry(http::header::HOST) {
            http::header::Entry::Occupied(_) => true,
            http::header::Entry::Vacant(slot) => match origin.host_header() {
                Ok(host) => {
                    slot.insert(host);
                    true
                }
                Err(_) => false,
            },
        };
        if has_host {
            signed_uri = path;
        }
    }
    sign_headers(
        req.method.as_str(),
        signed_uri,
        &mut req.headers,
        &req.body,
        &params,
    )
    .map_err(|e| {
        SdkError::Construction(BuildError::new(
            BuildErrorKind::Other,
            format!("failed to sign the request: {e}"),
        ))
    })?;
    Ok(())
}

/// Learns the clock offset from a clock-skew error's `Date` header. Returns `true` when the
/// correction changed enough that a retry can succeed.
fn adjust_clock(inner: &HandleInner, resp: &HttpResponse) -> bool {
    let Some(date) = resp.header("date") else {
        return false;
    };
    let Ok(server) = DateTime::parse(date.trim(), TimestampFormat::HttpDate) else {
        return false;
    };
    let local_ms = DateTime::now().secs().saturating_mul(1000);
    let server_ms = server.secs().saturating_mul(1000);
    let new_offset = server_ms.saturating_sub(local_ms);
    let old_offset = inner.clock_offset_ms.load(Ordering::Relaxed);
    if new_offset.saturating_sub(old_offset).abs() < MIN_SKEW_CORRECTION_MS {
        return false;
    }
    inner.clock_offset_ms.store(new_offset, Ordering::Relaxed);
    tracing::debug!(
        offset_ms = new_offset,
        "clock skew detected; adjusted signing time"
    );
    true
}

/// One attempt. With `streaming`, a 2xx response's body comes back as a live stream beside the
/// outcome; any other response is read whole (its body is needed to classify it).
async fn send_once(
    inner: &HandleInner,
    timeouts: &TimeoutConfig,
    req: HttpRequest,
    span: &tracing::Span,
    streaming: Streaming,
    frames: Option<tokio::sync::mpsc::Receiver<bytes::Bytes>>,
) -> (Outcome, Option<ByteStream>) {
    let t = AttemptTimeouts {
        connect: timeouts.connect,
        read: timeouts.read,
    };
    let transport = inner.config.transport();
    let exchange = async {
        if streaming == Streaming::No {
            return transport.send(req, &t).await.map(|r| (r, None));
        }
        let (mut head, body) = match (frames, streaming) {
            (frames, Streaming::Http2) => transport.send_http2(req, frames, &t).await?,
            (Some(rx), _) => transport.send_duplex(req, rx, &t).await?,
            (None, _) => transport.send_streaming(req, &t).await?,
        };
        if head.is_success() {
            return Ok((head, Some(body)));
        }
        head.body = body.collect().await.map_err(|e| {
            TransportError::new(
                crate::http::TransportErrorKind::Io,
                "the error response body broke off",
            )
            .with_source(e)
        })?;
        Ok((head, None))
    }
    .instrument(span.clone());
    let result = match timeouts.attempt {
        Some(limit) => match tokio::time::timeout(limit, exchange).await {
            Ok(r) => r,
            Err(_) => return (Outcome::Timeout(limit), None),
        },
        None => exchange.await,
    };
    match result {
        Ok((resp, live)) => (Outcome::Response(resp), live),
        Err(e) => (Outcome::Transport(e), None),
    }
}

fn now_secs(inner: &HandleInner) -> f64 {
    inner.created.elapsed().as_secs_f64()
}

async fn attempts(
    cx: &CallCx<'_>,
    endpoint: &ResolvedEndpoint,
    request: &Request,
    auth: AuthScheme,
    streaming: Streaming,
    events: Option<&EventSlot>,
) -> CallResult {
    let (inner, op, hooks) = (cx.inner, cx.op, cx.settings.hooks);
    let retry = cx.settings.retry;
    let adaptive = retry.mode == RetryMode::Adaptive;
    let bearer = match auth {
        AuthScheme::Bearer => {
            let resolving = cx.clock();
            let header = super::bearer::bearer_header(inner).await;
            if let (Some(m), Some(t)) = (cx.metrics, resolving) {
                m.resolve_identity(t.elapsed(), telemetry::BEARER_SCHEME);
            }
            Some(header?)
        }
        _ => None,
    };
    let mut last_retry_cost: Option<u32> = None;
    // Credentials fetched after the service rejected the previous ones as expired; that
    // attempt is one more than `max_attempts` allows.
    let mut fresh_credentials: Option<Credentials> = None;
    let mut refreshed = false;
    let mut attempt: u32 = 1;
    loop {
        let max_attempts = retry.effective_max_attempts() + u32::from(refreshed);
        if adaptive {
            let delay = inner.lock_retry().limiter.acquire(1.0, now_secs(inner));
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
        }
        let started = Instant::now();
        let creds = match fresh_credentials.take() {
            Some(c) => Some(c),
            None => {
                let resolving = cx.clock();
                let creds = attempt_credentials(inner, auth).await;
                if let (Some(m), Some(t)) = (cx.metrics, resolving) {
                    if matches!(auth, AuthScheme::SigV4 | AuthScheme::OptionalSigV4) {
                        m.resolve_identity(t.elapsed(), telemetry::SIGV4_SCHEME);
                    }
                }
                creds?
            }
        };
        let mut req = build_request(cx, endpoint, request, attempt, max_attempts)?;
        for hook in hooks.iter() {
            let mut ctx =
                RequestContext::new(cx.call, attempt, started, &mut req, op.sensitive_input);
            hook.modify_before_signing(&mut ctx).map_err(|e| {
                SdkError::Construction(BuildError::new(
                    BuildErrorKind::Other,
                    format!("interceptor {} failed the request: {e}", hook.name()),
                ))
            })?;
        }
        if events.is_some() && creds.is_some() {
            req.headers.insert(
                HeaderName::from_static(crate::sigv4::X_AMZ_CONTENT_SHA256),
                HeaderValue::from_static(STREAMING_EVENTS),
            );
        }
        if let Some(creds) = &creds {
            let signing = cx.clock();
            sign_request(cx, endpoint, &mut req, creds)?;
            if let (Some(m), Some(t)) = (cx.metrics, signing) {
                m.signing(t.elapsed(), telemetry::SIGV4_SCHEME);
            }
        }
        if let Some(b) = &bearer {
            req.headers.insert(http::header::AUTHORIZATION, b.clone());
        }
        if creds.is_none() {
            // SigV4 marked the headers it set sensitive itself (and left no others of those
            // names).
            mark_credential_headers(&mut req.headers);
        }
        if !hooks.is_empty() {
            let ctx = RequestContext::new(cx.call, attempt, started, &mut req, op.sensitive_input);
            for hook in hooks.iter() {
                hook.read_before_transmit(&ctx);
            }
        }
        cx.sent.store(attempt, Ordering::Relaxed);
        if let Some(m) = cx.metrics {
            m.attempt();
        }
        let span = telemetry::attempt_span(attempt);
        let sending = cx.clock();
        let frames = events.and_then(|e| {
            let offset = inner.clock_offset_ms.load(Ordering::Relaxed);
            (e.start)(e, endpoint, &req, creds.as_ref(), offset, &span)
        });
        let (mut outcome, live) =
            send_once(inner, cx.settings.timeouts, req, &span, streaming, frames).await;
        let finished = Instant::now();
        if let (Some(m), Some(t)) = (cx.metrics, sending) {
            m.attempt_duration(finished.saturating_duration_since(t));
        }
        if op.sensitive_output {
            if let Outcome::Response(resp) = &mut outcome {
                resp.body = wipe_on_drop(std::mem::take(&mut resp.body));
                mark_sensitive_headers(&mut resp.headers);
            }
        }

        let mut meta = None;
        let mut request_id = None;
        let class = match &outcome {
            Outcome::Response(resp) => {
                meta = (!resp.is_success()).then(|| (inner.service.protocol.error_metadata)(resp));
                // Read only by the span and the interceptors.
                request_id = match &meta {
                    Some(m) => m.request_id.clone(),
                    None if !span.is_disabled() || !hooks.is_empty() => {
                        crate::protocol::request_id(resp)
                    }
                    None => None,
                };
                telemetry::record_response(
                    &span,
                    resp.status,
                    request_id.as_deref(),
                    meta.as_ref(),
                );
                let class = meta.as_ref().and_then(|m| {
                    classify_response(resp, m, op.retryable_errors, op.throttling_errors)
                });
                tracing::debug!(
                    parent: &span,
                    status = resp.status,
                    code = meta.as_ref().and_then(|m| m.code.as_deref()),
                    "response received"
                );
                class
            }
            Outcome::Transport(e) => {
                telemetry::record_failure(
                    &span,
                    if e.is_timeout() {
                        "TimeoutError"
                    } else {
                        "DispatchError"
                    },
                );
                tracing::debug!(parent: &span, error = %e, "transport failure");
                classify_transport(e)
            }
            Outcome::Timeout(d) => {
                telemetry::record_failure(&span, "TimeoutError");
                tracing::debug!(parent: &span, timeout = ?d, "attempt timed out");
                Some(RetryClass::Timeout)
            }
        };

        if adaptive {
            let throttled = class == Some(RetryClass::Throttling);
            inner
                .lock_retry()
                .limiter
                .update(throttled, now_secs(inner));
        }

        let mut next = retry_delay(
            inner,
            retry,
            &outcome,
            class,
            (attempt, max_attempts),
            &mut last_retry_cost,
        );
        if events.is_some() {
            // The input stream went with this attempt: it cannot be sent again.
            next = None;
        }
        if next.is_none() && !refreshed && events.is_none() {
            if let (Some(old), Some(m)) = (&creds, &meta) {
                if expired_credentials(m) {
                    fresh_credentials = refreshed_credentials(inner, old).await;
                    if fresh_credentials.is_some() {
                        refreshed = true;
                        next = Some(Duration::ZERO);
                    }
                }
            }
        }

        if !hooks.is_empty() {
            let timeout;
            let failure: Option<&(dyn std::error::Error + Send + Sync + 'static)> = match &outcome {
                Outcome::Response(_) => None,
                Outcome::Transport(e) => Some(e),
                Outcome::Timeout(d) => {
                    timeout = TimeoutError::new(TimeoutKind::Attempt, Some(*d));
                    Some(&timeout)
                }
            };
            let ctx = AttemptContext {
                call: cx.call,
                attempt,
                started,
                finished,
                response: match &outcome {
                    Outcome::Response(r) => Some(r),
                    _ => None,
                },
                sensitive_body: op.sensitive_output,
                error: meta.as_ref(),
                request_id: request_id.as_deref(),
                failure,
                retry_delay: next,
            };
            for hook in hooks.iter() {
                hook.read_after_attempt(&ctx);
            }
        }

        let Some(delay) = next else {
            return outcome.into_result(meta).map(|r| (r, live));
        };
        tracing::debug!(attempt, ?class, delay = ?delay, "retrying");
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        attempt += 1;
    }
}

/// Whether to retry after an attempt, and after what delay: `None` when the outcome is final
/// (success, an error that is not retryable, no attempts or retry quota left). The delay is the
/// backoff, or what the server asked for in `x-amz-retry-after` (capped at `max_backoff`).
fn retry_delay(
    inner: &HandleInner,
    retry: &RetryConfig,
    outcome: &Outcome,
    class: Option<RetryClass>,
    (attempt, max_attempts): (u32, u32),
    last_retry_cost: &mut Option<u32>,
) -> Option<Duration> {
    let Some(class) = class else {
        if matches!(outcome, Outcome::Response(r) if r.is_success()) {
            inner.lock_retry().quota.on_success(*last_retry_cost);
        }
        return None;
    };
    if class == RetryClass::ClockSkew {
        if let Outcome::Response(resp) = outcome {
            if !adjust_clock(inner, resp) {
                return None;
            }
        }
    }
    if attempt >= max_attempts {
        tracing::debug!(attempt, "no attempts left");
        return None;
    }
    let (cost, random) = {
        let mut state = inner.lock_retry();
        (state.quota.try_acquire(class), state.jitter.next_f64())
    };
    let Some(cost) = cost else {
        tracing::debug!(
            needed = RetryQuota::cost(class),
            "retry quota exhausted; not retrying"
        );
        return None;
    };
    *last_retry_cost = Some(cost);
    let server = match outcome {
        Outcome::Response(resp) => server_retry_delay(resp, retry.max_backoff),
        _ => None,
    };
    Some(match (server, class) {
        (Some(delay), _) => {
            tracing::debug!(delay = ?delay, "the server asked for this delay (x-amz-retry-after)");
            delay
        }
        (None, RetryClass::ClockSkew) => Duration::ZERO,
        (None, _) => retry.backoff(attempt - 1, random),
    })
}

/// Whether an error response says the request's credentials have expired.
fn expired_credentials(meta: &ErrorMetadata) -> bool {
    meta.code
        .as_deref()
        .is_some_and(|c| EXPIRED_CREDENTIALS_CODES.contains(&c))
}

/// After the service rejected `old` as expired: drops the provider's cached credentials and
/// fetches new ones. `None` when the provider fails or returns the same credentials again
/// (sending them once more cannot help).
async fn refreshed_credentials(inner: &HandleInner, old: &Credentials) -> Option<Credentials> {
    let provider = inner.config.credentials_provider()?;
    provider.invalidate();
    match provider.provide_credentials().await {
        Ok(fresh) if fresh != *old => {
            tracing::debug!("credentials rejected as expired; retrying once with fresh ones");
            Some(fresh)
        }
        Ok(_) => {
            tracing::debug!(
                "credentials rejected as expired; the provider has no others, not retrying"
            );
            None
        }
        Err(e) => {
            tracing::debug!(error = %e, "credentials rejected as expired; refreshing them failed");
            None
        }
    }
}

#[cfg(test)]
mod hot_path_tests {
    use super::*;

    #[test]
    fn attempt_header_spells_attempt_and_max() {
        for (attempt, max, want) in [
            (1, 3, "attempt=1; max=3"),
            (10, 10, "attempt=10; max=10"),
            (0, u32::MAX, "attempt=0; max=4294967295"),
        ] {
            let (name, value) = attempt_header(attempt, max);
            assert_eq!(name.as_str(), "amz-sdk-request");
            assert_eq!(value.to_str().unwrap(), want);
        }
    }
}
