//! The client handle generated clients wrap, and the service/operation descriptions they emit.
//!
//! [`ClientHandle::call`] runs the request pipeline: endpoint resolution (once per handle),
//! request construction, SigV4 signing, sending with per-attempt and per-operation timeouts,
//! and retries (see [`crate::retry`]).

mod endpoint;
mod pipeline;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::config::Config;
use crate::error::{BuildError, Never, SdkError};
use crate::http::HttpResponse;
use crate::retry::{ClientRateLimiter, Jitter, RetryQuota};

use endpoint::ResolvedEndpoint;

/// Description of a service, one `static` per generated crate.
#[derive(Debug)]
pub struct ServiceInfo {
    /// `aws.api#service` sdkId, e.g. `"Secrets Manager"` (→ `AWS_ENDPOINT_URL_SECRETS_MANAGER`).
    pub sdk_id: &'static str,
    /// `aws.auth#sigv4` signing name.
    pub signing_name: &'static str,
    /// `X-Amz-Target` prefix (the service shape name).
    pub target_prefix: &'static str,
    /// awsJson version: `"1.0"` or `"1.1"`.
    pub json_version: &'static str,
    /// Generated crate name, for the User-Agent.
    pub crate_name: &'static str,
    /// Generated crate version, for the User-Agent.
    pub crate_version: &'static str,
    /// The `smithy.rules#endpointRuleSet` JSON, `""` when the model has none.
    pub endpoint_rules: &'static str,
}

/// Description of an operation, one `static` per generated operation.
#[derive(Debug)]
pub struct OperationInfo {
    /// Operation name, e.g. `"GetSecretValue"` (sent in `X-Amz-Target`).
    pub name: &'static str,
    /// Codes of the operation's errors marked `@retryable`.
    pub retryable_errors: &'static [&'static str],
    /// Codes of the operation's errors marked `@retryable(throttling: true)`.
    pub throttling_errors: &'static [&'static str],
}

/// Mutable retry state shared by every call of a handle.
#[derive(Debug)]
struct RetryState {
    quota: RetryQuota,
    limiter: ClientRateLimiter,
    jitter: Jitter,
}

#[derive(Debug)]
struct HandleInner {
    config: Config,
    service: &'static ServiceInfo,
    endpoint_override: Option<String>,
    endpoint: OnceLock<Result<ResolvedEndpoint, BuildError>>,
    user_agent: String,
    retry: Mutex<RetryState>,
    /// Server time minus local time, in milliseconds, learned from clock-skew errors.
    clock_offset_ms: AtomicI64,
    created: Instant,
}

/// The calling mode of a generated fluent builder whose `send()` is `async` (the default). The
/// other mode is `awsrt::blocking::Blocking` (feature `blocking`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Async;

/// A configured connection to one service. Cheap to clone, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct ClientHandle {
    inner: Arc<HandleInner>,
}

fn user_agent(config: &Config, service: &ServiceInfo) -> String {
    let mut ua = format!(
        "{}/{} awsrt/{} os/{} lang/rust",
        service.crate_name,
        service.crate_version,
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    );
    if let Some(app) = config.app_name() {
        let app: String = app
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        if !app.is_empty() {
            ua.push_str(" app/");
            ua.push_str(&app);
        }
    }
    ua
}

impl ClientHandle {
    /// A handle for `service` with `config`. Resolves the service-specific endpoint URL
    /// (`AWS_ENDPOINT_URL_<SDK_ID>`, profile `[services]` section) here; the endpoint itself is
    /// resolved on first use.
    pub fn new(config: &Config, service: &'static ServiceInfo) -> ClientHandle {
        let endpoint_override = config.endpoint_url_for(service.sdk_id);
        let created = Instant::now();
        ClientHandle {
            inner: Arc::new(HandleInner {
                user_agent: user_agent(config, service),
                config: config.clone(),
                service,
                endpoint_override,
                endpoint: OnceLock::new(),
                retry: Mutex::new(RetryState {
                    quota: RetryQuota::default(),
                    limiter: ClientRateLimiter::new(0.0),
                    jitter: Jitter::from_system(),
                }),
                clock_offset_ms: AtomicI64::new(0),
                created,
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The service description.
    pub fn service(&self) -> &'static ServiceInfo {
        self.inner.service
    }

    /// The endpoint URL override in effect for this service (from code, environment or profile).
    pub fn endpoint_override(&self) -> Option<&str> {
        self.inner.endpoint_override.as_deref()
    }

    /// The resolved endpoint URL, or why it cannot be resolved.
    pub fn endpoint_url(&self) -> Result<&str, BuildError> {
        self.inner
            .resolved_endpoint()
            .map(|e| e.url.as_str())
            .map_err(Clone::clone)
    }

    /// The clock correction learned from clock-skew errors (server minus local time), in
    /// milliseconds. Applied to the signing time of every request.
    pub fn clock_offset_millis(&self) -> i64 {
        self.inner.clock_offset_ms.load(Ordering::Relaxed)
    }

    /// Tokens left in the retry quota.
    pub fn retry_tokens(&self) -> u32 {
        self.inner.lock_retry().quota.available()
    }

    /// Runs one operation: endpoint resolution, signing, retries and timeouts. Returns the final
    /// HTTP response (2xx, or an error response that is not retryable or ran out of attempts)
    /// or a failure that produced no usable response.
    pub async fn call(
        &self,
        op: &'static OperationInfo,
        body: Vec<u8>,
    ) -> Result<HttpResponse, SdkError<Never>> {
        pipeline::call(&self.inner, op, body, None).await
    }

    /// [`call`](Self::call) for an operation with a `smithy.api#endpoint` host prefix (already
    /// expanded from the input and checked): the request goes to `<prefix><endpoint host>`.
    pub async fn call_with_host_prefix(
        &self,
        op: &'static OperationInfo,
        body: Vec<u8>,
        host_prefix: &str,
    ) -> Result<HttpResponse, SdkError<Never>> {
        pipeline::call(&self.inner, op, body, Some(host_prefix)).await
    }
}

impl HandleInner {
    fn lock_retry(&self) -> std::sync::MutexGuard<'_, RetryState> {
        self.retry.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn resolved_endpoint(&self) -> Result<&ResolvedEndpoint, &BuildError> {
        self.endpoint
            .get_or_init(|| {
                endpoint::resolve(
                    &self.config,
                    self.service,
                    self.endpoint_override.as_deref(),
                )
            })
            .as_ref()
    }
}
