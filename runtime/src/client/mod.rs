//! The client handle generated clients wrap, and the service/operation descriptions they emit.
//!
//! [`ClientHandle::call`] runs the request pipeline: endpoint resolution (once per handle),
//! request construction, signing (SigV4, or none: see [`AuthScheme`]), sending with per-attempt
//! and per-operation timeouts, and retries (see [`crate::retry`]), running the
//! [interceptors](crate::interceptor) of the configuration and of the call. A fluent builder's
//! `customize()` ([`Customize`]) gives one call its own retry and timeout settings and
//! interceptors.
//!
//! Nothing here assumes an AWS service: a [`ServiceInfo`] without an sdkId, signing name or
//! endpoint rules describes a plain Smithy service whose endpoint comes from the user and whose
//! requests are unsigned.

mod bearer;
mod customize;
mod discovery;
mod endpoint;
mod endpoint_cache;
mod pipeline;
mod presign;
mod request;
mod telemetry;

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use crate::config::Config;
use crate::error::{BuildError, Never, SdkError};
use crate::protocol::Protocol;
use crate::retry::{ClientRateLimiter, Jitter, RetryQuota};
use crate::types::ByteStream;

use customize::CallOverrides;
pub(crate) use endpoint_cache::KeyHash;

/// The future of [`ClientHandle::call`] and its variants: the pipeline's state on the heap.
pub type CallFuture<'a, T> =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<T, SdkError<Never>>> + Send + 'a>>;
pub use customize::Customize;
pub use discovery::{
    discovery_failed, DiscoverFn, DiscoveredEndpoint, DiscoveryMode, DiscoveryRequest,
    EndpointDiscovery, EndpointDiscoveryInfo,
};
use endpoint::ResolvedEndpoint;
pub use http::Method;
pub use presign::{PresignedRequest, PresigningConfig, MAX_PRESIGNED_VALIDITY};
pub use request::{Reply, Request};

/// Description of a service, one `static` per generated crate.
///
/// The empty string means "absent" for `sdk_id`, `signing_name` and `endpoint_rules`, so one
/// struct describes AWS services and plain Smithy services alike.
#[derive(Debug)]
pub struct ServiceInfo {
    /// `aws.api#service` sdkId, e.g. `"Secrets Manager"` (→ `AWS_ENDPOINT_URL_SECRETS_MANAGER`
    /// and the profile's `[services]` key `secrets_manager`). `""` when the model has no
    /// `aws.api#service` trait: the service then has no service-specific endpoint variable or
    /// profile section, and [`name`](Self::name) falls back to `shape_name`.
    pub sdk_id: &'static str,
    /// `aws.auth#sigv4` signing name. `""` when the service has no SigV4 auth: its operations
    /// are sent unsigned (see [`auth`](Self::auth)) and need neither credentials nor a region.
    pub signing_name: &'static str,
    /// The service shape's name (`secretsmanager`, `Weather`).
    pub shape_name: &'static str,
    /// The wire protocol: the pipeline reads error responses with its
    /// [`error_metadata`](Protocol::error_metadata).
    pub protocol: &'static Protocol,
    /// Generated crate name, for the User-Agent.
    pub crate_name: &'static str,
    /// Generated crate version, for the User-Agent.
    pub crate_version: &'static str,
    /// The `smithy.rules#endpointRuleSet` JSON, `""` when the model has none.
    pub endpoint_rules: &'static str,
}

impl ServiceInfo {
    /// The name used in logs and error messages: the sdkId, else the service shape name.
    pub fn name(&self) -> &'static str {
        if self.sdk_id.trim().is_empty() {
            self.shape_name
        } else {
            self.sdk_id
        }
    }

    /// How operations are authenticated unless a call says otherwise
    /// ([`CallOptions::auth`]): SigV4 when the service has a signing name, else unsigned.
    pub fn auth(&self) -> AuthScheme {
        if self.signing_name.trim().is_empty() {
            AuthScheme::None
        } else {
            AuthScheme::SigV4
        }
    }
}

/// How the requests of an operation are authenticated (the generator picks it from the model's
/// `aws.auth#sigv4`, `smithy.api#auth` and `smithy.api#optionalAuth` traits).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AuthScheme {
    /// Signed with SigV4; the call fails with a construction error when no credentials can be
    /// loaded.
    SigV4,
    /// Signed with SigV4 when the configured credentials provider yields credentials, sent
    /// unsigned otherwise (`@optionalAuth`).
    OptionalSigV4,
    /// Sent unsigned: no credentials provider is consulted (a service without auth traits,
    /// `@auth([])`).
    None,
    /// `Authorization: Bearer <token>` (`smithy.api#httpBearerAuth`) with the token of the
    /// provider [`Config::token_provider_for`] names; the call fails with a construction error
    /// without one, or when it cannot give a token.
    Bearer,
}

/// Per-call settings of [`ClientHandle::call_with`]. The default is the service's auth, which
/// is what [`ClientHandle::call`] uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CallOptions {
    auth: Option<AuthScheme>,
    http2: bool,
}

impl CallOptions {
    /// The defaults: the service's auth.
    pub fn new() -> Self {
        CallOptions::default()
    }

    /// Authenticates this operation with `auth` instead of the service's default.
    pub fn auth(mut self, auth: AuthScheme) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Streams the exchange over HTTP/2 (an event stream of a service that requires it; the
    /// transport's [`send_http2`](crate::http::Transport::send_http2)).
    pub fn http2(mut self) -> Self {
        self.http2 = true;
        self
    }
}

/// Description of an operation, one `static` per generated operation.
#[derive(Debug)]
pub struct OperationInfo {
    /// Operation name, e.g. `"GetSecretValue"` (logs; awsJson also sends it in `X-Amz-Target`).
    pub name: &'static str,
    /// Codes of the operation's errors marked `@retryable`.
    pub retryable_errors: &'static [&'static str],
    /// Codes of the operation's errors marked `@retryable(throttling: true)`.
    pub throttling_errors: &'static [&'static str],
    /// The input has `@sensitive` members (at any depth): the request body is zeroed when the
    /// last copy of it is dropped.
    pub sensitive_input: bool,
    /// The output or an error has `@sensitive` members (at any depth): each response body is
    /// zeroed when the last copy of it is dropped.
    pub sensitive_output: bool,
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
    /// The parsed rule set, for operations whose requests carry endpoint parameters.
    rules: OnceLock<Result<Option<crate::endpoint::RuleSet>, BuildError>>,
    /// Endpoints of requests with operation endpoint parameters, per parameter set.
    endpoint_cache: endpoint_cache::EndpointCache,
    user_agent: String,
    /// `user_agent` as a header value, checked once (`None` when it is not a valid one).
    user_agent_value: Option<http::HeaderValue>,
    retry: Mutex<RetryState>,
    /// Server time minus local time, in milliseconds, learned from clock-skew errors.
    clock_offset_ms: AtomicI64,
    created: Instant,
    /// `rpc.service` of metrics and spans (`SecretsManager`).
    rpc_service: Arc<str>,
    /// The call instruments, when a meter provider is installed.
    metrics: Option<Arc<crate::observability::client::ClientMetrics>>,
    /// Endpoints found by endpoint discovery ([`EndpointDiscovery`]).
    discovery: discovery::Cache,
}

/// The calling mode of a generated fluent builder whose `send()` is `async` (the default). The
/// other mode is `awsrt::blocking::Blocking` (feature `blocking`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Async;

/// A configured connection to one service. Cheap to clone, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct ClientHandle {
    inner: Arc<HandleInner>,
    /// Per-call settings ([`Customize`]); `None` for a client's own handle.
    overrides: Option<Arc<CallOverrides>>,
    /// The endpoint discovery of the operation this handle calls
    /// ([`with_endpoint_discovery`](Self::with_endpoint_discovery)); `None` for a client's own
    /// handle.
    discovery: Option<Arc<EndpointDiscovery>>,
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
    /// A handle for `service` with `config`. Resolves the endpoint URL override here (code,
    /// then for a service with an sdkId `AWS_ENDPOINT_URL_<SDK_ID>`, then `AWS_ENDPOINT_URL`,
    /// then the profile: see [`Config::endpoint_url_for`]); the endpoint itself is resolved on
    /// first use, and a service without endpoint rules and without an override fails every call
    /// with a construction error naming the settings to use.
    pub fn new(config: &Config, service: &'static ServiceInfo) -> ClientHandle {
        let endpoint_override = config.endpoint_url_for(service.sdk_id);
        let created = Instant::now();
        let rpc_service = crate::observability::client::rpc_service(service);
        let metrics = config
            .meter_provider()
            .cloned()
            .or_else(crate::observability::global_meter_provider)
            .map(|p| {
                Arc::new(crate::observability::client::ClientMetrics::new(
                    &*p,
                    service,
                    Arc::clone(&rpc_service),
                ))
            });
        let user_agent = user_agent(config, service);
        ClientHandle {
            inner: Arc::new(HandleInner {
                user_agent_value: http::HeaderValue::from_str(&user_agent).ok(),
                user_agent,
                config: config.clone(),
                service,
                endpoint_override,
                endpoint: OnceLock::new(),
                rules: OnceLock::new(),
                endpoint_cache: endpoint_cache::EndpointCache::default(),
                retry: Mutex::new(RetryState {
                    quota: RetryQuota::default(),
                    limiter: ClientRateLimiter::new(0.0),
                    jitter: Jitter::from_system(),
                }),
                clock_offset_ms: AtomicI64::new(0),
                created,
                rpc_service,
                metrics,
                discovery: discovery::Cache::default(),
            }),
            overrides: None,
            discovery: None,
        }
    }

    /// This handle for a call of an operation whose endpoint is discovered
    /// (`aws.api#clientDiscoveredEndpoint`): its calls go to the endpoint the service's
    /// discovery operation names, cached per credentials, region and discovery identifiers (see
    /// [`EndpointDiscovery`]), when discovery applies. For generated code.
    pub fn with_endpoint_discovery(&self, discovery: EndpointDiscovery) -> ClientHandle {
        ClientHandle {
            inner: Arc::clone(&self.inner),
            overrides: self.overrides.clone(),
            discovery: Some(Arc::new(discovery)),
        }
    }

    /// The client's own handle: same connection and caches, no per-call settings, no
    /// discovery (what the discovery operation itself is called with).
    fn without_discovery(&self) -> ClientHandle {
        ClientHandle {
            inner: Arc::clone(&self.inner),
            overrides: None,
            discovery: None,
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
        self.inner.resolved_endpoint().map(|e| e.url.as_str())
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

    /// Runs one operation: endpoint resolution, signing, retries and timeouts. `request` is
    /// the whole request as the operation's protocol serializer built it. Returns the final
    /// response (2xx, or an error response that is not retryable or ran out of attempts, with
    /// its error metadata) or a failure that produced no usable response.
    ///
    /// The future is boxed here, once: what the caller's future holds is a pointer, not the
    /// pipeline's state (about 4 KiB, moved with every future that contains it), and its code
    /// is compiled into this crate instead of into every generated crate that awaits it.
    pub fn call(&self, op: &'static OperationInfo, request: Request) -> CallFuture<'_, Reply> {
        self.call_with(op, request, CallOptions::new())
    }

    /// Runs `serialize` (the operation's request serializer) and records how long it took in
    /// `smithy.client.call.serialization_duration` when the client has a meter provider; without
    /// one it only runs `serialize`. For generated code: `send` can wrap its `ser_request` call
    /// in it (the generator does not emit it yet).
    pub fn serialize<T>(&self, op: &'static OperationInfo, serialize: impl FnOnce() -> T) -> T {
        let Some(metrics) = &self.inner.metrics else {
            return serialize();
        };
        let started = Instant::now();
        let out = serialize();
        metrics.call(op.name).serialization(started.elapsed());
        out
    }

    /// [`call`](Self::call) for an operation whose output payload is a stream: a 2xx response
    /// comes back as soon as its head arrives, with the body as a [`ByteStream`] read while the
    /// caller consumes it. Retries and the attempt and operation timeouts cover the exchange up
    /// to the response head; an error response is read whole and carries its metadata as with
    /// `call`.
    pub fn call_streaming(
        &self,
        op: &'static OperationInfo,
        request: Request,
        options: CallOptions,
    ) -> CallFuture<'_, (Reply, ByteStream)> {
        Box::pin(async move {
            let auth = options.auth.unwrap_or_else(|| self.inner.service.auth());
            let (request, discovered) = discovery::prepare(self, request).await?;
            let result = pipeline::call_streaming(
                &self.inner,
                self.overrides.as_deref(),
                op,
                request,
                auth,
                options.http2,
            )
            .await;
            if let Ok((reply, _)) = &result {
                discovery::after_call(self, discovered, reply.error.as_ref());
            }
            result
        })
    }

    /// [`call_streaming`](Self::call_streaming) whose request body is an input event stream:
    /// its messages are signed (chained from the request's SigV4 signature), framed and sent
    /// while the response is read. The call is not retried once the stream has been sent.
    pub fn call_event_stream(
        &self,
        op: &'static OperationInfo,
        request: Request,
        events: crate::event_stream::EventBody,
        options: CallOptions,
    ) -> CallFuture<'_, (Reply, ByteStream)> {
        let auth = options.auth.unwrap_or_else(|| self.inner.service.auth());
        Box::pin(pipeline::call_event_stream(
            &self.inner,
            self.overrides.as_deref(),
            op,
            request,
            auth,
            events,
            options.http2,
        ))
    }

    /// [`call`](Self::call) with per-call settings: an operation whose auth differs from the
    /// service's (an unsigned operation of a SigV4 service).
    pub fn call_with(
        &self,
        op: &'static OperationInfo,
        request: Request,
        options: CallOptions,
    ) -> CallFuture<'_, Reply> {
        Box::pin(async move {
            let auth = options.auth.unwrap_or_else(|| self.inner.service.auth());
            let (request, discovered) = discovery::prepare(self, request).await?;
            let result =
                pipeline::call(&self.inner, self.overrides.as_deref(), op, request, auth).await;
            if let Ok(reply) = &result {
                discovery::after_call(self, discovered, reply.error.as_ref());
            }
            result
        })
    }
}

impl HandleInner {
    fn lock_retry(&self) -> std::sync::MutexGuard<'_, RetryState> {
        self.retry.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn rules(&self) -> Result<Option<&crate::endpoint::RuleSet>, BuildError> {
        match self.rules.get_or_init(|| endpoint::rules(self.service)) {
            Ok(r) => Ok(r.as_ref()),
            Err(e) => Err(e.clone()),
        }
    }

    fn resolved_endpoint(&self) -> Result<&ResolvedEndpoint, BuildError> {
        self.endpoint
            .get_or_init(|| {
                endpoint::resolve(
                    &self.config,
                    self.service,
                    self.rules()?,
                    self.endpoint_override.as_deref(),
                    &[],
                )
            })
            .as_ref()
            .map_err(Clone::clone)
    }

    /// The endpoint of one request: the handle's, unless the request carries endpoint
    /// parameters of its operation (then resolved for it).
    fn request_endpoint(
        &self,
        request: &Request,
    ) -> Result<endpoint_cache::EndpointRef<'_>, BuildError> {
        use endpoint_cache::EndpointRef;
        let endpoint = if request.endpoint_params.is_empty() {
            EndpointRef::Borrowed(self.resolved_endpoint()?)
        } else {
            // Everything else the rules read is this handle's configuration, fixed for its
            // life: the operation parameters key the remembered endpoints.
            let rules = self.rules()?;
            EndpointRef::Shared(self.endpoint_cache.get_or_resolve(
                rules,
                &request.endpoint_params,
                || {
                    endpoint::resolve(
                        &self.config,
                        self.service,
                        rules,
                        self.endpoint_override.as_deref(),
                        &request.endpoint_params,
                    )
                },
            )?)
        };
        // Endpoint discovery replaces the URL; the signing scope stays the rules'.
        Ok(match &request.discovered_endpoint {
            Some(url) => EndpointRef::Owned(discovery::at(endpoint.into_owned(), url)),
            None => endpoint,
        })
    }
}
