//! The `tracing` spans of a call and its attempts, with the OpenTelemetry attributes of an AWS
//! SDK call (see [`crate::observability`]), and what the pipeline records when a call ends.
//!
//! Span `operation` (one per call) and span `attempt` (one per attempt, its child) keep the
//! fields they always had (`service`, `operation`; `attempt`, `status`, `request_id`) and carry
//! the semantic-convention fields beside them. Every value is computed only when a subscriber
//! wants the span: without one, creating a span is a check of a static flag.

use std::time::Instant;

use tracing::field::Empty;
use tracing::Span;

use super::{HandleInner, OperationInfo, Reply};
use crate::error::{ErrorMetadata, Never, SdkError};
use crate::observability::client::{error_type, host_port, CallMetrics};
use crate::types::ByteStream;

/// `auth.scheme_id` of SigV4.
pub(super) const SIGV4_SCHEME: &str = "aws.auth#sigv4";
/// `auth.scheme_id` of a bearer token.
pub(super) const BEARER_SCHEME: &str = "smithy.api#httpBearerAuth";

/// The span of one call: `otel.name` is `Service.Operation` (`SecretsManager.GetSecretValue`).
pub(super) fn call_span(inner: &HandleInner, op: &OperationInfo) -> Span {
    let aws = !inner.service.sdk_id.trim().is_empty();
    tracing::info_span!(
        "operation",
        service = inner.service.name(),
        operation = op.name,
        otel.name = %format_args!("{}.{}", inner.rpc_service, op.name),
        otel.kind = "client",
        otel.status_code = Empty,
        rpc.system = aws.then_some("aws-api"),
        rpc.service = &*inner.rpc_service,
        rpc.method = op.name,
        cloud.region = inner.config.region(),
        server.address = Empty,
        server.port = Empty,
        aws.request_id = Empty,
        http.response.status_code = Empty,
        error.type = Empty,
    )
}

/// The span of attempt `attempt` (1, 2, ...), a child of the call's.
pub(super) fn attempt_span(attempt: u32) -> Span {
    tracing::info_span!(
        "attempt",
        attempt,
        status = Empty,
        request_id = Empty,
        http.response.status_code = Empty,
        aws.request_id = Empty,
        error.type = Empty,
        http.request.resend_count = (attempt > 1).then(|| attempt - 1),
    )
}

/// Records the endpoint's host and port on the call's span.
pub(super) fn record_endpoint(span: &Span, url: &str) {
    if span.is_disabled() {
        return;
    }
    let (host, port) = host_port(url);
    span.record("server.address", host);
    if let Some(port) = port {
        span.record("server.port", port);
    }
}

/// Records an attempt's response on its span: status, request id and, for an error response,
/// its code.
pub(super) fn record_response(
    span: &Span,
    status: u16,
    request_id: Option<&str>,
    error: Option<&ErrorMetadata>,
) {
    if span.is_disabled() {
        return;
    }
    span.record("status", status);
    span.record("http.response.status_code", status);
    if let Some(id) = request_id {
        span.record("request_id", id);
        span.record("aws.request_id", id);
    }
    if let Some(m) = error {
        span.record("error.type", m.code.as_deref().unwrap_or("UnknownError"));
    }
}

/// Records an attempt that got no response.
pub(super) fn record_failure(span: &Span, error_type: &str) {
    span.record("error.type", error_type);
}

/// At the end of a call: its duration, its error (metrics and span) and the hand-over of the
/// reply to the deserialization timer.
pub(super) fn finish_call(
    metrics: Option<CallMetrics<'_>>,
    span: &Span,
    started: Option<Instant>,
    result: &Result<(Reply, Option<ByteStream>), SdkError<Never>>,
) {
    let reply = result.as_ref().ok().map(|(r, _)| r);
    let error = error_type(result, reply);
    if let Some(m) = metrics {
        if let Some(t) = started {
            m.call_duration(t.elapsed());
        }
        if let Some(e) = error {
            m.error(e);
        }
        if let Some(r) = reply {
            m.hand_over(r);
        }
    }
    if span.is_disabled() {
        return;
    }
    if let Some(r) = reply {
        span.record("http.response.status_code", r.response.status);
        let id = match &r.error {
            Some(m) => m.request_id.clone(),
            None => crate::protocol::request_id(&r.response),
        };
        if let Some(id) = id {
            span.record("aws.request_id", id.as_str());
        }
    }
    if let Some(e) = error {
        span.record("error.type", e);
        span.record("otel.status_code", "error");
    }
}
