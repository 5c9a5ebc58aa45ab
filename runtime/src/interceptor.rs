//! Interceptors: your code at fixed points of every call's request pipeline.
//!
//! An [`Interceptor`] is a trait object with four hooks, each a no-op unless overridden:
//!
//! | hook | when | may |
//! |---|---|---|
//! | [`modify_before_signing`](Interceptor::modify_before_signing) | every attempt, the request built, before it is signed | add, change or remove headers; fail the call |
//! | [`read_before_transmit`](Interceptor::read_before_transmit) | every attempt, the signed request, just before it is sent | read |
//! | [`read_after_attempt`](Interceptor::read_after_attempt) | every attempt that was sent: its response or failure | read (status, headers, request id, error code, timings, whether it is retried) |
//! | [`read_after_execution`](Interceptor::read_after_execution) | once per call, whatever the outcome | read (final status or error, attempts, total time) |
//!
//! Register one for every client of a configuration with
//! [`ConfigBuilder::interceptor`](crate::config::ConfigBuilder::interceptor), or for a single
//! call with the fluent builder's `customize().interceptor(..)`
//! ([`Customize`](crate::client::Customize)). The configuration's interceptors run first, in
//! the order they were added, then the call's.
//!
//! A header added by `modify_before_signing` is signed with the rest of the request. Every
//! context carries the call's start time and the attempt's, so an interceptor can record
//! latency or write an audit log without keeping state between hooks.
//!
//! # Secrets
//!
//! What a hook is handed never shows a secret in `Debug`: the `Authorization` and
//! `X-Amz-Security-Token` headers of a signed request are marked sensitive (an
//! [`http::HeaderMap`] prints them as `Sensitive`); for an operation with `@sensitive` input
//! (output), the request (response) body is not handed out at all ([`RequestContext::body`]
//! is `None`) and the values of the protocol's headers other than a few standard ones are
//! marked sensitive (they may carry a secret bound to a header, such as S3's SSE-C key). Reading a
//! header value explicitly (`to_str()`) still returns it. The request URI is handed as sent.
//!
//! # Example
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! use awsrt::interceptor::{AttemptContext, BoxError, Interceptor, RequestContext};
//!
//! /// Adds a header to every request and keeps one audit line per attempt.
//! #[derive(Debug, Default)]
//! struct Audit {
//!     lines: Mutex<Vec<String>>,
//! }
//!
//! impl Interceptor for Audit {
//!     fn modify_before_signing(&self, request: &mut RequestContext<'_>) -> Result<(), BoxError> {
//!         request.set_header("x-team", "payments")?;
//!         Ok(())
//!     }
//!
//!     fn read_after_attempt(&self, attempt: &AttemptContext<'_>) {
//!         let line = format!(
//!             "{} attempt {}: status {:?}, request id {:?}, error {:?}, {} ms",
//!             attempt.call().operation(),
//!             attempt.attempt(),
//!             attempt.status(),
//!             attempt.request_id(),
//!             attempt.error().and_then(|e| e.code.as_deref()),
//!             attempt.duration().as_millis(),
//!         );
//!         self.lines.lock().unwrap().push(line);
//!     }
//! }
//!
//! let audit = Arc::new(Audit::default());
//! let config = awsrt::config::Config::builder()
//!     .region("us-east-1")
//!     .interceptor(Arc::clone(&audit)) // every client built from `config` runs it
//!     .build();
//! assert_eq!(config.interceptors().len(), 1);
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http::{HeaderMap, HeaderName, HeaderValue, Method};

use crate::error::{ErrorMetadata, Never, SdkError};
use crate::http::{HttpRequest, HttpResponse};

/// The error an interceptor fails a call with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An interceptor shared by the clients of a configuration (or by calls).
pub type SharedInterceptor = Arc<dyn Interceptor>;

/// Hooks into the request pipeline. Every method has a default that does nothing; implement
/// the ones you need. Hooks run on the task that makes the call, so they should be quick (hand
/// slow work, such as writing to a remote log, to another task).
pub trait Interceptor: Send + Sync + fmt::Debug {
    /// The name used in the error when [`modify_before_signing`](Self::modify_before_signing)
    /// fails (default: the type name).
    fn name(&self) -> &'static str {
        std::any::type_name::<Self>()
    }

    /// Called on every attempt with the request as it will be signed: add, change or remove
    /// headers. An error fails the call at once (not retried) with a construction error
    /// naming the interceptor.
    ///
    /// # Errors
    ///
    /// Whatever the interceptor decides: the call ends with
    /// [`SdkError::Construction`].
    fn modify_before_signing(&self, _request: &mut RequestContext<'_>) -> Result<(), BoxError> {
        Ok(())
    }

    /// Called on every attempt with the signed request, just before it is sent.
    fn read_before_transmit(&self, _request: &RequestContext<'_>) {}

    /// Called after every attempt that was sent, with its response or its failure (connection
    /// error, timeout) and whether the pipeline will retry.
    fn read_after_attempt(&self, _attempt: &AttemptContext<'_>) {}

    /// Called once per call, with what the pipeline returns: the final response (for an error
    /// response, with its code and request id) or the failure. Also called when the call failed
    /// before any attempt (no credentials, no endpoint) or hit the operation timeout.
    fn read_after_execution(&self, _call: &CallContext<'_>) {}
}

impl<T: Interceptor + ?Sized> Interceptor for Arc<T> {
    fn name(&self) -> &'static str {
        (**self).name()
    }

    fn modify_before_signing(&self, request: &mut RequestContext<'_>) -> Result<(), BoxError> {
        (**self).modify_before_signing(request)
    }

    fn read_before_transmit(&self, request: &RequestContext<'_>) {
        (**self).read_before_transmit(request)
    }

    fn read_after_attempt(&self, attempt: &AttemptContext<'_>) {
        (**self).read_after_attempt(attempt)
    }

    fn read_after_execution(&self, call: &CallContext<'_>) {
        (**self).read_after_execution(call)
    }
}

/// A new invocation id: a version 4 UUID from a per-thread generator (splitmix64) seeded once
/// from the system's random source. It only has to be unique, not secret, and this is several
/// times cheaper than a system call per call; written straight into the header value's buffer.
fn invocation_id() -> HeaderValue {
    use std::cell::Cell;
    thread_local! {
        static STATE: Cell<u64> = {
            let seed = crate::types::random_16();
            Cell::new(u64::from_le_bytes([
                seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
            ]))
        };
    }
    let next = || {
        STATE.with(|state| {
            let x = state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
            state.set(x);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        })
    };
    let mut b = [0u8; 16];
    b[..8].copy_from_slice(&next().to_le_bytes());
    b[8..].copy_from_slice(&next().to_le_bytes());
    let text = crate::types::uuid_text(b);
    HeaderValue::from_maybe_shared(bytes::Bytes::from(text.to_vec()))
        .unwrap_or_else(|_| HeaderValue::from_static("00000000-0000-4000-8000-000000000000"))
}

/// What every hook knows about the call it runs in.
#[derive(Clone, Debug)]
pub struct CallInfo {
    service: &'static str,
    operation: &'static str,
    /// The invocation id as the header carries it (also its text: UUID characters only).
    invocation_id: HeaderValue,
    started: Instant,
}

impl CallInfo {
    pub(crate) fn new(service: &'static str, operation: &'static str) -> CallInfo {
        CallInfo {
            service,
            operation,
            invocation_id: invocation_id(),
            started: Instant::now(),
        }
    }

    /// The service's name (its sdkId, e.g. `Secrets Manager`, or the service shape's name).
    pub fn service(&self) -> &'static str {
        self.service
    }

    /// The operation's name, e.g. `GetSecretValue`.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The call's invocation id, sent in `amz-sdk-invocation-id` (the same on every attempt).
    pub fn invocation_id(&self) -> &str {
        self.invocation_id.to_str().unwrap_or_default()
    }

    /// The `amz-sdk-invocation-id` header's value.
    pub(crate) fn invocation_header(&self) -> &HeaderValue {
        &self.invocation_id
    }

    /// When the call started.
    pub fn started(&self) -> Instant {
        self.started
    }

    /// Time since the call started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}

/// One attempt's request, handed to [`Interceptor::modify_before_signing`] (mutable) and
/// [`Interceptor::read_before_transmit`] (signed, read-only).
pub struct RequestContext<'a> {
    call: &'a CallInfo,
    attempt: u32,
    attempt_started: Instant,
    request: &'a mut HttpRequest,
    sensitive_body: bool,
}

impl<'a> RequestContext<'a> {
    pub(crate) fn new(
        call: &'a CallInfo,
        attempt: u32,
        attempt_started: Instant,
        request: &'a mut HttpRequest,
        sensitive_body: bool,
    ) -> RequestContext<'a> {
        RequestContext {
            call,
            attempt,
            attempt_started,
            request,
            sensitive_body,
        }
    }

    /// The call.
    pub fn call(&self) -> &CallInfo {
        self.call
    }

    /// The attempt number, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// When this attempt started.
    pub fn attempt_started(&self) -> Instant {
        self.attempt_started
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.request.method
    }

    /// The absolute URI the request goes to.
    pub fn uri(&self) -> &str {
        &self.request.uri
    }

    /// The headers (sensitive values marked, see the [module docs](self)).
    pub fn headers(&self) -> &HeaderMap {
        &self.request.headers
    }

    /// The value of header `name`, if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request.header(name)
    }

    /// The headers, to change them (before signing).
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        &mut self.request.headers
    }

    /// Sets header `name` to `value`, replacing any value it had.
    ///
    /// # Errors
    ///
    /// `name` is not a valid header name or `value` holds characters a header cannot carry.
    pub fn set_header(&mut self, name: &str, value: &str) -> Result<(), BoxError> {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("{name:?} is not a valid HTTP header name"))?;
        let v = HeaderValue::from_str(value).map_err(|_| {
            format!("the value of header {name} contains characters HTTP headers cannot carry")
        })?;
        self.request.headers.insert(n, v);
        Ok(())
    }

    /// The body, unless the operation's input is `@sensitive` (then `None`).
    pub fn body(&self) -> Option<&[u8]> {
        (!self.sensitive_body).then_some(&self.request.body[..])
    }

    /// The body's length in bytes.
    pub fn body_len(&self) -> usize {
        self.request.body.len()
    }
}

impl fmt::Debug for RequestContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequestContext")
            .field("operation", &self.call.operation)
            .field("attempt", &self.attempt)
            .field("method", &self.request.method)
            .field("uri", &self.request.uri)
            .field("headers", &self.request.headers)
            .field("body_len", &self.request.body.len())
            .finish_non_exhaustive()
    }
}

/// One attempt's outcome, handed to [`Interceptor::read_after_attempt`].
pub struct AttemptContext<'a> {
    pub(crate) call: &'a CallInfo,
    pub(crate) attempt: u32,
    pub(crate) started: Instant,
    pub(crate) finished: Instant,
    pub(crate) response: Option<&'a HttpResponse>,
    pub(crate) sensitive_body: bool,
    pub(crate) error: Option<&'a ErrorMetadata>,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) failure: Option<&'a (dyn std::error::Error + Send + Sync + 'static)>,
    pub(crate) retry_delay: Option<Duration>,
}

impl AttemptContext<'_> {
    /// The call.
    pub fn call(&self) -> &CallInfo {
        self.call
    }

    /// The attempt number, from 1.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// When this attempt started (before it was signed).
    pub fn started(&self) -> Instant {
        self.started
    }

    /// How long the attempt took, from its start to its response head (or failure).
    pub fn duration(&self) -> Duration {
        self.finished.saturating_duration_since(self.started)
    }

    /// The response's status, when one arrived.
    pub fn status(&self) -> Option<u16> {
        self.response.map(|r| r.status)
    }

    /// The response's headers, when one arrived (sensitive values marked, see the
    /// [module docs](self)).
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.response.map(|r| &r.headers)
    }

    /// The request id the service gave the attempt.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id
    }

    /// The error response's code, message and request id (`None` for a 2xx response and for
    /// failures without a response).
    pub fn error(&self) -> Option<&ErrorMetadata> {
        self.error
    }

    /// Why no response arrived: the connection or timeout failure.
    pub fn failure(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.failure
    }

    /// The response body, unless the operation's output is `@sensitive` (then `None`). Empty
    /// for a streamed output, which is read later by the caller.
    pub fn body(&self) -> Option<&[u8]> {
        match self.response {
            Some(r) if !self.sensitive_body => Some(&r.body[..]),
            _ => None,
        }
    }

    /// `Some(delay)` when the pipeline retries after this attempt, waiting `delay` first.
    pub fn retry_delay(&self) -> Option<Duration> {
        self.retry_delay
    }
}

impl fmt::Debug for AttemptContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptContext")
            .field("operation", &self.call.operation)
            .field("attempt", &self.attempt)
            .field("duration", &self.duration())
            .field("status", &self.status())
            .field("headers", &self.headers())
            .field("request_id", &self.request_id)
            .field("error", &self.error)
            .field("failure", &self.failure.map(|e| e.to_string()))
            .field("retry_delay", &self.retry_delay)
            .finish_non_exhaustive()
    }
}

/// A call's outcome, handed to [`Interceptor::read_after_execution`].
pub struct CallContext<'a> {
    pub(crate) call: &'a CallInfo,
    pub(crate) attempts: u32,
    pub(crate) finished: Instant,
    pub(crate) response: Option<&'a HttpResponse>,
    pub(crate) error: Option<&'a ErrorMetadata>,
    pub(crate) request_id: Option<&'a str>,
    pub(crate) failure: Option<&'a SdkError<Never>>,
}

impl CallContext<'_> {
    /// The call.
    pub fn call(&self) -> &CallInfo {
        self.call
    }

    /// How many attempts were sent (0 when the call failed before the first).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// How long the call took, from its start to its final response head (or failure),
    /// retries and backoff included.
    pub fn duration(&self) -> Duration {
        self.finished.saturating_duration_since(self.call.started)
    }

    /// The final response's status, when there is one.
    pub fn status(&self) -> Option<u16> {
        self.response.map(|r| r.status)
    }

    /// The final response's headers (sensitive values marked, see the [module docs](self)).
    pub fn headers(&self) -> Option<&HeaderMap> {
        self.response.map(|r| &r.headers)
    }

    /// The final response's request id.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id
    }

    /// The error response's code, message and request id, when the call ended with one.
    pub fn error(&self) -> Option<&ErrorMetadata> {
        self.error
    }

    /// The failure, when the call ended without a usable response (construction error,
    /// timeout, connection failure).
    pub fn failure(&self) -> Option<&SdkError<Never>> {
        self.failure
    }

    /// Whether the call ended with a 2xx response.
    pub fn is_success(&self) -> bool {
        self.response.is_some_and(HttpResponse::is_success)
    }
}

impl fmt::Debug for CallContext<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallContext")
            .field("operation", &self.call.operation)
            .field("attempts", &self.attempts)
            .field("duration", &self.duration())
            .field("status", &self.status())
            .field("request_id", &self.request_id())
            .field("error", &self.error)
            .field("failure", &self.failure)
            .finish_non_exhaustive()
    }
}

/// The interceptors of one call: the configuration's, then the call's.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Hooks<'a> {
    config: &'a [SharedInterceptor],
    call: &'a [SharedInterceptor],
}

impl<'a> Hooks<'a> {
    pub(crate) fn new(config: &'a [SharedInterceptor], call: &'a [SharedInterceptor]) -> Self {
        Hooks { config, call }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.config.is_empty() && self.call.is_empty()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &'a SharedInterceptor> {
        self.config.iter().chain(self.call.iter())
    }
}

/// Response headers that are never secret: their values stay readable in `Debug` for
/// operations with `@sensitive` output.
const PUBLIC_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "content-encoding",
    "date",
    "connection",
    "x-amzn-requestid",
    "x-amz-request-id",
    "x-amz-id-2",
    "x-amzn-errortype",
    "x-amz-retry-after",
    "x-amz-target",
    "x-amz-date",
    "user-agent",
    "host",
    "amz-sdk-invocation-id",
    "amz-sdk-request",
];

/// Marks every header value sensitive except the [`PUBLIC_HEADERS`] (an operation whose
/// input or output has `@sensitive` members may bind one to a header).
pub(crate) fn mark_sensitive_headers(headers: &mut HeaderMap) {
    for (name, value) in headers.iter_mut() {
        if !PUBLIC_HEADERS.contains(&name.as_str()) {
            value.set_sensitive(true);
        }
    }
}

/// Marks the signature and session token headers sensitive.
pub(crate) fn mark_credential_headers(headers: &mut HeaderMap) {
    for name in [
        http::header::AUTHORIZATION,
        crate::sigv4::X_AMZ_SECURITY_TOKEN_NAME,
    ] {
        if let Some(v) = headers.get_mut(&name) {
            v.set_sensitive(true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Nothing;
    impl Interceptor for Nothing {}

    #[test]
    fn defaults_do_nothing_and_name_the_type() {
        let call = CallInfo::new("Svc", "Op");
        let mut req = HttpRequest::new(Method::POST, "http://h/", "body");
        let mut ctx = RequestContext::new(&call, 1, Instant::now(), &mut req, false);
        assert!(Nothing.modify_before_signing(&mut ctx).is_ok());
        assert!(Nothing.name().ends_with("Nothing"));
        let shared: SharedInterceptor = Arc::new(Nothing);
        assert!(shared.name().ends_with("Nothing"));
        assert_eq!(call.invocation_id().len(), 36);
    }

    #[test]
    fn invocation_ids_are_distinct_version_4_uuids() {
        let ids: std::collections::HashSet<String> = (0..1000)
            .map(|_| CallInfo::new("Svc", "Op").invocation_id().to_owned())
            .collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            let groups: Vec<&str> = id.split('-').collect();
            let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
            assert_eq!(lens, [8, 4, 4, 4, 12], "{id}");
            assert!(id
                .bytes()
                .all(|b| b == b'-' || b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
            assert!(groups[2].starts_with('4'), "version 4: {id}");
            assert!(
                matches!(groups[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'),
                "variant: {id}"
            );
        }
        // Another thread's generator starts elsewhere.
        let other = std::thread::spawn(|| CallInfo::new("Svc", "Op").invocation_id().to_owned())
            .join()
            .unwrap();
        assert!(!ids.contains(&other));
    }

    #[test]
    fn set_header_checks_names_and_values() {
        let call = CallInfo::new("Svc", "Op");
        let mut req = HttpRequest::new(Method::POST, "http://h/", "");
        let mut ctx = RequestContext::new(&call, 1, Instant::now(), &mut req, false);
        ctx.set_header("x-a", "1").unwrap();
        assert!(ctx.set_header("bad name", "1").is_err());
        assert!(ctx.set_header("x-b", "bad\nvalue").is_err());
        assert_eq!(ctx.header("x-a"), Some("1"));
        assert_eq!(ctx.body(), Some(&b""[..]));
    }

    #[test]
    fn debug_never_shows_secrets() {
        let call = CallInfo::new("Svc", "CreateSecret");
        let mut req = HttpRequest::new(
            Method::POST,
            "http://h/",
            r#"{"SecretString":"hunter2-body"}"#,
        );
        req.headers.insert(
            "authorization",
            HeaderValue::from_static("AWS4-HMAC-SHA256 Signature=abcdef0123"),
        );
        req.headers.insert(
            "x-amz-security-token",
            HeaderValue::from_static("session-token-value"),
        );
        req.headers.insert(
            "x-amz-server-side-encryption-customer-key",
            HeaderValue::from_static("sse-c-key-value"),
        );
        req.headers
            .insert("content-type", HeaderValue::from_static("application/json"));
        mark_credential_headers(&mut req.headers);
        mark_sensitive_headers(&mut req.headers);
        let ctx = RequestContext::new(&call, 1, Instant::now(), &mut req, true);
        let text = format!("{ctx:?} {:?}", ctx.headers());
        for secret in [
            "hunter2-body",
            "abcdef0123",
            "session-token-value",
            "sse-c-key-value",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("application/json"), "{text}");
        assert!(ctx.body().is_none());
        assert_eq!(
            ctx.header("x-amz-security-token"),
            Some("session-token-value")
        );

        let resp = HttpResponse::new(200, r#"{"SecretString":"hunter2-out"}"#);
        let attempt = AttemptContext {
            call: &call,
            attempt: 1,
            started: Instant::now(),
            finished: Instant::now(),
            response: Some(&resp),
            sensitive_body: true,
            error: None,
            request_id: Some("rid"),
            failure: None,
            retry_delay: None,
        };
        let text = format!("{attempt:?}");
        assert!(!text.contains("hunter2-out"), "{text}");
        assert!(attempt.body().is_none());
        assert_eq!(attempt.status(), Some(200));
    }
}
