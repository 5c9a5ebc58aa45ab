//! The attempt loop behind [`super::ClientHandle::call`]: endpoint, signing, retries, timeouts
//! and tracing. Nothing here knows a protocol: the request arrives whole, and error responses
//! are read with the service's [`Protocol`](crate::protocol::Protocol).

use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime};

use http::{HeaderName, HeaderValue};
use tracing::Instrument;

use super::endpoint::{no_region, ResolvedEndpoint};
use super::request::join_url;
use super::{AuthScheme, HandleInner, OperationInfo, Reply, Request};
use crate::credentials::Credentials;
use crate::error::{
    BuildError, BuildErrorKind, ErrorMetadata, Never, SdkError, TimeoutError, TimeoutKind,
};
use crate::http::{AttemptTimeouts, HttpRequest, HttpResponse, TransportError};
use crate::retry::{classify_response, classify_transport, RetryClass, RetryMode, RetryQuota};
use crate::sigv4::{sign, SigningParams, SigningSettings};
use crate::types::{uuid_v4, wipe_on_drop, ByteStream, DateTime, TimestampFormat};

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

pub(super) async fn call(
    inner: &HandleInner,
    op: &'static OperationInfo,
    request: Request,
    auth: AuthScheme,
) -> Result<Reply, SdkError<Never>> {
    run(inner, op, request, auth, false)
        .await
        .map(|(reply, _)| reply)
}

/// [`call`] whose successful response body is streamed: the reply (head only for a 2xx) and the
/// body. Retries and timeouts cover the exchange up to the response head; an error response is
/// read whole, as [`call`] reads it.
pub(super) async fn call_streaming(
    inner: &HandleInner,
    op: &'static OperationInfo,
    request: Request,
    auth: AuthScheme,
) -> Result<(Reply, ByteStream), SdkError<Never>> {
    run(inner, op, request, auth, true)
        .await
        .map(|(reply, body)| (reply, body.unwrap_or_default()))
}

async fn run(
    inner: &HandleInner,
    op: &'static OperationInfo,
    request: Request,
    auth: AuthScheme,
    streaming: bool,
) -> Result<(Reply, Option<ByteStream>), SdkError<Never>> {
    let span = tracing::debug_span!(
        "operation",
        service = inner.service.name(),
        operation = op.name
    );
    let endpoint = inner
        .request_endpoint(&request)
        .map_err(SdkError::Construction)?;
    let endpoint = &*endpoint;
    let prefixed;
    let endpoint = match request.host_prefix.as_deref() {
        Some(p) if !p.is_empty() => {
            prefixed = ResolvedEndpoint {
                url: super::endpoint::with_host_prefix(&endpoint.url, p),
                ..endpoint.clone()
            };
            &prefixed
        }
        _ => endpoint,
    };
    let mut request = request;
    if op.sensitive_input {
        // Every attempt sends a reference to this one buffer; it is zeroed after the last.
        request.body = wipe_on_drop(std::mem::take(&mut request.body));
    }
    let run = attempts(inner, op, endpoint, &request, auth, streaming).instrument(span);
    match inner.config.timeout_config().operation {
        Some(limit) => tokio::time::timeout(limit, run).await.unwrap_or_else(|_| {
            Err(SdkError::Timeout(TimeoutError::new(
                TimeoutKind::Operation,
                Some(limit),
            )))
        }),
        None => run.await,
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

/// The `Authorization` header of a bearer-token operation, or the construction error saying how
/// to configure a token.
fn bearer_header(inner: &HandleInner) -> Result<HeaderValue, SdkError<Never>> {
    let service = inner.service;
    let token = inner.config.bearer_token_for(service.sdk_id).ok_or_else(|| {
        SdkError::Construction(BuildError::new(
            BuildErrorKind::Credentials,
            if service.sdk_id.trim().is_empty() {
                format!(
                    "service {:?} authenticates with a bearer token; set one with ConfigBuilder::bearer_token",
                    service.name()
                )
            } else {
                format!(
                    "service {:?} authenticates with a bearer token; set one with ConfigBuilder::bearer_token or AWS_BEARER_TOKEN_{}",
                    service.name(),
                    crate::config::sdk_id_env_suffix(service.sdk_id)
                )
            },
        ))
    })?;
    let mut v =
        HeaderValue::from_str(&format!("Bearer {}", token.expose_secret())).map_err(|_| {
            SdkError::Construction(BuildError::new(
                BuildErrorKind::Credentials,
                "the bearer token contains characters HTTP headers cannot carry",
            ))
        })?;
    v.set_sensitive(true);
    Ok(v)
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

fn header(name: &'static str, value: &str) -> Result<(HeaderName, HeaderValue), SdkError<Never>> {
    HeaderValue::from_str(value)
        .map(|v| (HeaderName::from_static(name), v))
        .map_err(|_| {
            SdkError::Construction(BuildError::new(
                BuildErrorKind::Other,
                format!("invalid value for header {name}"),
            ))
        })
}

/// Builds the request of one attempt, signed with SigV4 when `creds` is given.
#[allow(clippy::too_many_arguments)]
fn build_request(
    inner: &HandleInner,
    op: &OperationInfo,
    endpoint: &ResolvedEndpoint,
    request: &Request,
    creds: Option<&Credentials>,
    invocation_id: &str,
    attempt: u32,
    max_attempts: u32,
) -> Result<HttpRequest, SdkError<Never>> {
    let service = inner.service;
    let mut req = HttpRequest::new(
        request.method.clone(),
        join_url(&endpoint.url, &request.path_and_query),
        request.body.clone(),
    );
    // Room for the pipeline's and the signature's headers: no regrowth while signing.
    let mut headers = http::HeaderMap::with_capacity(request.headers.len() + 8);
    for (k, v) in &request.headers {
        headers.append(k.clone(), v.clone());
    }
    req.headers = headers;
    let attempt_header = format!("attempt={attempt}; max={max_attempts}");
    for (k, v) in [
        header("user-agent", &inner.user_agent)?,
        header("amz-sdk-invocation-id", invocation_id)?,
        header("amz-sdk-request", &attempt_header)?,
    ] {
        req.headers.insert(k, v);
    }
    for (k, v) in &endpoint.headers {
        req.headers.append(k.clone(), v.clone());
    }
    let Some(creds) = creds else {
        return Ok(req);
    };
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
    let method = req.method.clone();
    sign(
        method.as_str(),
        &req.uri,
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
    Ok(req)
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
    req: HttpRequest,
    span: &tracing::Span,
    streaming: bool,
) -> (Outcome, Option<ByteStream>) {
    let timeouts = inner.config.timeout_config();
    let t = AttemptTimeouts {
        connect: timeouts.connect,
        read: timeouts.read,
    };
    let transport = inner.config.transport();
    let exchange = async {
        if !streaming {
            return transport.send(req, &t).await.map(|r| (r, None));
        }
        let (mut head, body) = transport.send_streaming(req, &t).await?;
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
    inner: &HandleInner,
    op: &'static OperationInfo,
    endpoint: &ResolvedEndpoint,
    request: &Request,
    auth: AuthScheme,
    streaming: bool,
) -> Result<(Reply, Option<ByteStream>), SdkError<Never>> {
    let retry = inner.config.retry_config().clone();
    let adaptive = retry.mode == RetryMode::Adaptive;
    let max_attempts = retry.effective_max_attempts();
    let invocation_id = uuid_v4();
    let bearer = match auth {
        AuthScheme::Bearer => Some(bearer_header(inner)?),
        _ => None,
    };
    let mut last_retry_cost: Option<u32> = None;
    let mut attempt: u32 = 1;
    loop {
        if adaptive {
            let delay = inner.lock_retry().limiter.acquire(1.0, now_secs(inner));
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
        }
        let creds = attempt_credentials(inner, auth).await?;
        let req = build_request(
            inner,
            op,
            endpoint,
            request,
            creds.as_ref(),
            &invocation_id,
            attempt,
            max_attempts,
        )?;
        let mut req = req;
        if let Some(b) = &bearer {
            req.headers.insert(http::header::AUTHORIZATION, b.clone());
        }
        let span = tracing::debug_span!(
            "attempt",
            attempt,
            status = tracing::field::Empty,
            request_id = tracing::field::Empty
        );
        let (mut outcome, live) = send_once(inner, req, &span, streaming).await;
        if op.sensitive_output {
            if let Outcome::Response(resp) = &mut outcome {
                resp.body = wipe_on_drop(std::mem::take(&mut resp.body));
            }
        }

        let mut meta = None;
        let class = match &outcome {
            Outcome::Response(resp) => {
                span.record("status", resp.status);
                meta = (!resp.is_success()).then(|| (inner.service.protocol.error_metadata)(resp));
                let request_id = match &meta {
                    Some(m) => m.request_id.clone(),
                    None => crate::protocol::request_id(resp),
                };
                if let Some(id) = &request_id {
                    span.record("request_id", id.as_str());
                }
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
                tracing::debug!(parent: &span, error = %e, "transport failure");
                classify_transport(e)
            }
            Outcome::Timeout(d) => {
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

        let Some(class) = class else {
            if matches!(&outcome, Outcome::Response(r) if r.is_success()) {
                inner.lock_retry().quota.on_success(last_retry_cost);
            }
            return outcome.into_result(meta).map(|r| (r, live));
        };
        if class == RetryClass::ClockSkew {
            if let Outcome::Response(resp) = &outcome {
                if !adjust_clock(inner, resp) {
                    return outcome.into_result(meta).map(|r| (r, live));
                }
            }
        }
        if attempt >= max_attempts {
            tracing::debug!(attempt, "no attempts left");
            return outcome.into_result(meta).map(|r| (r, live));
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
            return outcome.into_result(meta).map(|r| (r, live));
        };
        last_retry_cost = Some(cost);
        let delay = match class {
            RetryClass::ClockSkew => Duration::ZERO,
            _ => retry.backoff(attempt - 1, random),
        };
        tracing::debug!(attempt, ?class, delay = ?delay, "retrying");
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        attempt += 1;
    }
}
