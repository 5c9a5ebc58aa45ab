//! Client configuration: [`Config`], built in code with [`ConfigBuilder`] or loaded from the
//! environment and the shared config files with [`Config::from_env`] / [`Config::loader`].
//!
//! Precedence for every setting: value set in code, then environment variable, then the selected
//! profile. For the endpoint URL the service-specific sources come before the global ones:
//! code > `AWS_ENDPOINT_URL_<SERVICE>` > `AWS_ENDPOINT_URL` > profile `[services]` section
//! `endpoint_url` > profile `endpoint_url`; the service-specific part is resolved per client in
//! [`crate::client::ClientHandle::new`] through [`Config::endpoint_url_for`]. A service without
//! an sdkId (a Smithy service without `aws.api#service`) has no service-specific sources: its
//! endpoint comes from code, `AWS_ENDPOINT_URL` or the profile's `endpoint_url`.

mod loader;
mod network;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::credentials::{
    CachingTokenProvider, EnvTokenProvider, ProvideCredentials, ProvideToken, StaticProvider,
    StaticTokenProvider,
};
use crate::endpoint::Partitions;
use crate::http::Transport;
use crate::profile::{Env, ProfileSet};
use crate::retry::RetryConfig;

pub use loader::{ConfigError, ConfigLoader};

/// Timeouts of the request pipeline. `None` disables a timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TimeoutConfig {
    /// Establishing a connection, TCP and TLS (default 3.1 s).
    pub connect: Option<Duration>,
    /// Longest wait for response data: until the response head, then between body chunks
    /// (default 30 s), so a stalled response fails instead of hanging.
    pub read: Option<Duration>,
    /// One attempt, from sending to the last body byte (default none).
    pub attempt: Option<Duration>,
    /// The whole operation, including every retry and backoff sleep (default none).
    pub operation: Option<Duration>,
}

impl Default for TimeoutConfig {
    fn default() -> Self {
        TimeoutConfig {
            connect: Some(Duration::from_millis(3100)),
            read: Some(Duration::from_secs(30)),
            attempt: None,
            operation: None,
        }
    }
}

impl TimeoutConfig {
    /// No timeouts at all.
    pub fn disabled() -> Self {
        TimeoutConfig {
            connect: None,
            read: None,
            attempt: None,
            operation: None,
        }
    }

    /// Sets the connect timeout.
    pub fn with_connect(mut self, d: Duration) -> Self {
        self.connect = Some(d);
        self
    }

    /// Sets the read (stalled response) timeout.
    pub fn with_read(mut self, d: Duration) -> Self {
        self.read = Some(d);
        self
    }

    /// Sets the per-attempt timeout.
    pub fn with_attempt(mut self, d: Duration) -> Self {
        self.attempt = Some(d);
        self
    }

    /// Sets the whole-operation timeout.
    pub fn with_operation(mut self, d: Duration) -> Self {
        self.operation = Some(d);
        self
    }
}

/// Endpoint URL sources, kept apart so each client can apply the precedence with its own
/// service-specific values.
#[derive(Clone, Debug, Default)]
struct EndpointSources {
    /// Set in code: always wins.
    code: Option<String>,
    /// `AWS_ENDPOINT_URL`.
    env_global: Option<String>,
    /// The selected profile's `endpoint_url`.
    profile_global: Option<String>,
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` / `ignore_configured_endpoint_urls`.
    ignore_configured: bool,
}

struct Inner {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    endpoint: EndpointSources,
    use_fips: bool,
    use_dual_stack: bool,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
    transport: Arc<dyn Transport>,
    network: network::NetworkSettings,
    env: Option<Env>,
    profiles: Option<Arc<ProfileSet>>,
    partitions: Option<Arc<Partitions>>,
    app_name: Option<String>,
    /// The bearer token provider set in code.
    token_provider: Option<Arc<dyn ProvideToken>>,
    /// The bearer token provider asked after the code and the environment (`awsconfig`: the
    /// profile's `sso_session`).
    fallback_token_provider: Option<Arc<dyn ProvideToken>>,
    endpoint_builtins: Vec<(String, crate::endpoint::Value)>,
    request_checksum: crate::checksum::ChecksumWhen,
    response_checksum: crate::checksum::ChecksumWhen,
    disable_request_compression: bool,
    request_min_compression_size: u32,
    /// Endpoint discovery for operations where it is optional: `None` when not set (off).
    endpoint_discovery: Option<bool>,
    interceptors: Vec<crate::interceptor::SharedInterceptor>,
    meter_provider: Option<Arc<dyn crate::observability::MeterProvider>>,
    /// Typed mock rules answering every call (`test_util::typed`).
    #[cfg(feature = "test-util")]
    mock_rules: Option<Arc<crate::test_util::MockRules>>,
}

/// Shared client configuration. Cheap to clone (reference counted).
#[derive(Clone)]
pub struct Config {
    inner: Arc<Inner>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = &self.inner;
        f.debug_struct("Config")
            .field("region", &i.region)
            .field("credentials", &i.credentials.as_ref().map(|_| "<provider>"))
            .field("endpoint_url", &self.endpoint_url())
            .field("use_fips", &i.use_fips)
            .field("use_dual_stack", &i.use_dual_stack)
            .field("retry", &i.retry)
            .field("timeouts", &i.timeouts)
            .field("transport", &i.transport)
            .field("app_name", &i.app_name)
            .finish_non_exhaustive()
    }
}

/// Converts an sdkId to its `AWS_ENDPOINT_URL_<SUFFIX>` suffix: upper snake case
/// (`"Secrets Manager"` → `SECRETS_MANAGER`).
pub fn sdk_id_env_suffix(sdk_id: &str) -> String {
    sdk_id
        .trim()
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Converts an sdkId to its `[services]` section key: lower snake case
/// (`"Secrets Manager"` → `secrets_manager`).
pub fn sdk_id_profile_key(sdk_id: &str) -> String {
    sdk_id_env_suffix(sdk_id).to_ascii_lowercase()
}

impl Config {
    /// An empty builder (nothing is read from the environment).
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::default()
    }

    /// A loader that reads the environment and the shared config files.
    pub fn loader() -> ConfigLoader {
        ConfigLoader::default()
    }

    /// Loads configuration from the process environment and `~/.aws/{config,credentials}`.
    pub async fn from_env() -> Result<Config, ConfigError> {
        Config::loader().load().await
    }

    /// A builder starting from this configuration's values.
    pub fn to_builder(&self) -> ConfigBuilder {
        let i = &self.inner;
        ConfigBuilder {
            region: i.region.clone(),
            credentials: i.credentials.clone(),
            endpoint: i.endpoint.clone(),
            use_fips: Some(i.use_fips),
            use_dual_stack: Some(i.use_dual_stack),
            retry: Some(i.retry.clone()),
            timeouts: Some(i.timeouts),
            transport: Some(Arc::clone(&i.transport)),
            network: i.network.inherited(),
            env: i.env.clone(),
            profiles: i.profiles.clone(),
            partitions: i.partitions.clone(),
            app_name: i.app_name.clone(),
            token_provider: i.token_provider.clone(),
            fallback_token_provider: i.fallback_token_provider.clone(),
            endpoint_builtins: i.endpoint_builtins.clone(),
            request_checksum: Some(i.request_checksum),
            response_checksum: Some(i.response_checksum),
            disable_request_compression: Some(i.disable_request_compression),
            request_min_compression_size: Some(i.request_min_compression_size),
            endpoint_discovery: i.endpoint_discovery,
            interceptors: i.interceptors.clone(),
            meter_provider: i.meter_provider.clone(),
            #[cfg(feature = "test-util")]
            mock_rules: i.mock_rules.clone(),
        }
    }

    /// The region.
    pub fn region(&self) -> Option<&str> {
        self.inner.region.as_deref()
    }

    /// The credentials provider.
    pub fn credentials_provider(&self) -> Option<&Arc<dyn ProvideCredentials>> {
        self.inner.credentials.as_ref()
    }

    /// The endpoint URL that applies to every service: the one set in code, else (unless
    /// configured endpoints are ignored) `AWS_ENDPOINT_URL`, else the profile's `endpoint_url`.
    pub fn endpoint_url(&self) -> Option<&str> {
        let e = &self.inner.endpoint;
        if e.code.is_some() || e.ignore_configured {
            return e.code.as_deref();
        }
        e.env_global.as_deref().or(e.profile_global.as_deref())
    }

    /// The endpoint URL for the service with `sdk_id`, applying code > service env > global
    /// env > service profile section > global profile. An empty `sdk_id` (a service that is not
    /// an AWS service) has no service env variable or profile section: code > global env >
    /// global profile.
    pub fn endpoint_url_for(&self, sdk_id: &str) -> Option<String> {
        let e = &self.inner.endpoint;
        if let Some(url) = &e.code {
            return Some(url.clone());
        }
        if e.ignore_configured {
            return None;
        }
        let has_sdk_id = !sdk_id.trim().is_empty();
        let service_env = self
            .inner
            .env
            .as_ref()
            .filter(|_| has_sdk_id)
            .and_then(|env| env.get(&format!("AWS_ENDPOINT_URL_{}", sdk_id_env_suffix(sdk_id))));
        let service_profile = || {
            self.inner
                .profiles
                .as_ref()
                .filter(|_| has_sdk_id)
                .and_then(|p| {
                    p.service_setting(&sdk_id_profile_key(sdk_id), "endpoint_url")
                        .map(str::to_string)
                })
        };
        service_env
            .or_else(|| e.env_global.clone())
            .or_else(service_profile)
            .or_else(|| e.profile_global.clone())
            .filter(|u| !u.trim().is_empty())
    }

    /// The bearer token provider for the service with `sdk_id` (`smithy.api#httpBearerAuth`):
    /// the one set in code ([`ConfigBuilder::bearer_token`], [`ConfigBuilder::token_provider`]),
    /// else `AWS_BEARER_TOKEN_<SDK_ID>` when it is set (a service with an sdkId only: an
    /// [`EnvTokenProvider`]), else the fallback provider
    /// ([`ConfigBuilder::fallback_token_provider`]). `None` when there is none of them.
    pub fn token_provider_for(&self, sdk_id: &str) -> Option<Arc<dyn ProvideToken>> {
        if let Some(p) = &self.inner.token_provider {
            return Some(Arc::clone(p));
        }
        let env = self
            .inner
            .env
            .as_ref()
            .filter(|_| !sdk_id.trim().is_empty())
            .map(|env| EnvTokenProvider::new(env, sdk_id))
            .filter(EnvTokenProvider::is_set);
        match env {
            Some(p) => Some(Arc::new(p)),
            None => self.inner.fallback_token_provider.clone(),
        }
    }

    /// The bearer token provider set in code, if any.
    pub fn token_provider(&self) -> Option<&Arc<dyn ProvideToken>> {
        self.inner.token_provider.as_ref()
    }

    /// The bearer token provider asked after the code and the environment, if any.
    pub fn fallback_token_provider(&self) -> Option<&Arc<dyn ProvideToken>> {
        self.inner.fallback_token_provider.as_ref()
    }

    /// Whether FIPS endpoints are used.
    pub fn use_fips(&self) -> bool {
        self.inner.use_fips
    }

    /// Whether dual-stack endpoints are used.
    pub fn use_dual_stack(&self) -> bool {
        self.inner.use_dual_stack
    }

    /// Whether `@requestCompression` is turned off.
    pub fn disable_request_compression(&self) -> bool {
        self.inner.disable_request_compression
    }

    /// The smallest request body `@requestCompression` compresses, in bytes.
    pub fn request_min_compression_size(&self) -> u32 {
        self.inner.request_min_compression_size
    }

    /// When request checksums are calculated (`@httpChecksum` operations).
    pub fn request_checksum_calculation(&self) -> crate::checksum::ChecksumWhen {
        self.inner.request_checksum
    }

    /// When response checksums are validated (`@httpChecksum` operations).
    pub fn response_checksum_validation(&self) -> crate::checksum::ChecksumWhen {
        self.inner.response_checksum
    }

    /// The value of endpoint-rule built-in `name` (e.g. `AWS::S3::ForcePathStyle`) set in code,
    /// the environment or the profile; the region, FIPS, dual-stack and endpoint built-ins
    /// have their own accessors.
    pub fn endpoint_builtin(&self, name: &str) -> Option<&crate::endpoint::Value> {
        self.inner
            .endpoint_builtins
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
    }

    /// Whether endpoint discovery was turned on or off for the operations where it is optional
    /// ([`ConfigBuilder::endpoint_discovery_enabled`], `AWS_ENABLE_ENDPOINT_DISCOVERY`, the
    /// profile's `endpoint_discovery_enabled`); `None` when it was not set (off).
    pub fn endpoint_discovery_enabled(&self) -> Option<bool> {
        self.inner.endpoint_discovery
    }

    /// Retry settings.
    pub fn retry_config(&self) -> &RetryConfig {
        &self.inner.retry
    }

    /// Timeout settings.
    pub fn timeout_config(&self) -> &TimeoutConfig {
        &self.inner.timeouts
    }

    /// The transport requests are sent with.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.inner.transport
    }

    /// The environment the configuration was loaded from, if any.
    pub fn env(&self) -> Option<&Env> {
        self.inner.env.as_ref()
    }

    /// The loaded shared config files, if any.
    pub fn profiles(&self) -> Option<&ProfileSet> {
        self.inner.profiles.as_deref()
    }

    /// The partitions used for endpoint resolution (the built-in ones unless overridden).
    pub fn partitions(&self) -> &Partitions {
        match &self.inner.partitions {
            Some(p) => p,
            None => Partitions::builtin(),
        }
    }

    /// The application name added to the User-Agent.
    pub fn app_name(&self) -> Option<&str> {
        self.inner.app_name.as_deref()
    }

    /// The interceptors every call of every client built from this configuration runs, in
    /// order (see [`crate::interceptor`]).
    pub fn interceptors(&self) -> &[crate::interceptor::SharedInterceptor] {
        &self.inner.interceptors
    }

    /// The metrics provider set on this configuration, if any (clients built from a
    /// configuration without one use the global provider: see [`crate::observability`]).
    pub fn meter_provider(&self) -> Option<&Arc<dyn crate::observability::MeterProvider>> {
        self.inner.meter_provider.as_ref()
    }

    /// The typed mock rules answering the calls of clients built from this configuration
    /// (`test_util::typed`, feature `test-util`).
    #[cfg(feature = "test-util")]
    pub(crate) fn mock_rules(&self) -> Option<&Arc<crate::test_util::MockRules>> {
        self.inner.mock_rules.as_ref()
    }
}

/// Builds a [`Config`] from values set in code.
#[derive(Default)]
pub struct ConfigBuilder {
    region: Option<String>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
    endpoint: EndpointSources,
    use_fips: Option<bool>,
    use_dual_stack: Option<bool>,
    retry: Option<RetryConfig>,
    timeouts: Option<TimeoutConfig>,
    transport: Option<Arc<dyn Transport>>,
    network: network::NetworkSettings,
    env: Option<Env>,
    profiles: Option<Arc<ProfileSet>>,
    partitions: Option<Arc<Partitions>>,
    app_name: Option<String>,
    token_provider: Option<Arc<dyn ProvideToken>>,
    fallback_token_provider: Option<Arc<dyn ProvideToken>>,
    pub(crate) endpoint_builtins: Vec<(String, crate::endpoint::Value)>,
    pub(crate) request_checksum: Option<crate::checksum::ChecksumWhen>,
    pub(crate) response_checksum: Option<crate::checksum::ChecksumWhen>,
    pub(crate) disable_request_compression: Option<bool>,
    pub(crate) request_min_compression_size: Option<u32>,
    pub(crate) endpoint_discovery: Option<bool>,
    interceptors: Vec<crate::interceptor::SharedInterceptor>,
    meter_provider: Option<Arc<dyn crate::observability::MeterProvider>>,
    #[cfg(feature = "test-util")]
    pub(crate) mock_rules: Option<Arc<crate::test_util::MockRules>>,
}

impl fmt::Debug for ConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigBuilder")
            .field("region", &self.region)
            .field("endpoint", &self.endpoint.code)
            .finish_non_exhaustive()
    }
}

impl ConfigBuilder {
    /// Sets the region, e.g. `us-east-1`.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Sets the credentials provider.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.credentials = Some(Arc::new(provider));
        self
    }

    /// Sets an already shared credentials provider.
    pub fn shared_credentials_provider(mut self, provider: Arc<dyn ProvideCredentials>) -> Self {
        self.credentials = Some(provider);
        self
    }

    /// Shorthand for fixed credentials.
    pub fn credentials(
        self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> Self {
        self.credentials_provider(StaticProvider::from_keys(
            access_key_id,
            secret_access_key,
            session_token,
        ))
    }

    /// Sets the endpoint URL for every service (overrides all configured ones).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.endpoint.code = Some(url.into());
        self
    }

    /// Uses FIPS endpoints.
    pub fn use_fips(mut self, on: bool) -> Self {
        self.use_fips = Some(on);
        self
    }

    /// Uses dual-stack endpoints.
    pub fn use_dual_stack(mut self, on: bool) -> Self {
        self.use_dual_stack = Some(on);
        self
    }

    /// Sets endpoint-rule built-in `name` (`AWS::S3::ForcePathStyle`, `AWS::S3::Accelerate`,
    /// `AWS::S3::UseArnRegion`, ...) for the services whose rules declare it; a value set here
    /// wins over the environment and profile.
    pub fn endpoint_builtin(
        mut self,
        name: impl Into<String>,
        value: impl Into<crate::endpoint::Value>,
    ) -> Self {
        let name = name.into();
        self.endpoint_builtins.retain(|(n, _)| *n != name);
        self.endpoint_builtins.push((name, value.into()));
        self
    }

    /// Turns endpoint discovery on or off for the operations where it is optional (DynamoDB's;
    /// off unless set here, by `AWS_ENABLE_ENDPOINT_DISCOVERY` or by the profile's
    /// `endpoint_discovery_enabled`). Operations that require it (Timestream's) always use it.
    /// A configured endpoint URL turns it off for both.
    pub fn endpoint_discovery_enabled(mut self, on: bool) -> Self {
        self.endpoint_discovery = Some(on);
        self
    }

    /// Turns request compression off (also `AWS_DISABLE_REQUEST_COMPRESSION` /
    /// `disable_request_compression`).
    pub fn disable_request_compression(mut self, off: bool) -> Self {
        self.disable_request_compression = Some(off);
        self
    }

    /// The smallest request body compressed, 0 to 10485760 bytes (default 10240; also
    /// `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` / `request_min_compression_size_bytes`). Larger
    /// values are clamped.
    pub fn request_min_compression_size(mut self, bytes: u32) -> Self {
        self.request_min_compression_size =
            Some(bytes.min(crate::compression::MAX_MIN_COMPRESSION_SIZE));
        self
    }

    /// When request checksums are calculated: whenever the operation supports one (the
    /// default) or only when it requires one (also `AWS_REQUEST_CHECKSUM_CALCULATION` /
    /// `request_checksum_calculation`).
    pub fn request_checksum_calculation(mut self, when: crate::checksum::ChecksumWhen) -> Self {
        self.request_checksum = Some(when);
        self
    }

    /// When response checksums are validated: whenever the operation supports it (the
    /// default) or only when the caller enables the operation's checksum mode (also
    /// `AWS_RESPONSE_CHECKSUM_VALIDATION` / `response_checksum_validation`).
    pub fn response_checksum_validation(mut self, when: crate::checksum::ChecksumWhen) -> Self {
        self.response_checksum = Some(when);
        self
    }

    /// S3: path-style addressing (`https://s3.<region>.amazonaws.com/<bucket>/<key>`) instead of
    /// virtual-hosted style (`AWS::S3::ForcePathStyle`).
    pub fn force_path_style(self, on: bool) -> Self {
        self.endpoint_builtin("AWS::S3::ForcePathStyle", on)
    }

    /// S3: Transfer Acceleration endpoints (`AWS::S3::Accelerate`).
    pub fn accelerate(self, on: bool) -> Self {
        self.endpoint_builtin("AWS::S3::Accelerate", on)
    }

    /// S3: use the region of an ARN given as the bucket (`AWS::S3::UseArnRegion`; also
    /// `AWS_S3_USE_ARN_REGION` / `s3_use_arn_region`).
    pub fn use_arn_region(self, on: bool) -> Self {
        self.endpoint_builtin("AWS::S3::UseArnRegion", on)
    }

    /// S3: refuse Multi-Region Access Points (`AWS::S3::DisableMultiRegionAccessPoints`; also
    /// `AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS` / `s3_disable_multiregion_access_points`).
    pub fn disable_multi_region_access_points(self, on: bool) -> Self {
        self.endpoint_builtin("AWS::S3::DisableMultiRegionAccessPoints", on)
    }

    /// S3 and STS in `us-east-1`: the legacy global endpoint (`AWS::S3::UseGlobalEndpoint`;
    /// also `AWS_S3_US_EAST_1_REGIONAL_ENDPOINT=legacy` / `s3_us_east_1_regional_endpoint`).
    pub fn use_global_endpoint(self, on: bool) -> Self {
        self.endpoint_builtin("AWS::S3::UseGlobalEndpoint", on)
    }

    /// Sets the retry settings.
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.retry = Some(retry);
        self
    }

    /// Sets the timeouts.
    pub fn timeout_config(mut self, timeouts: TimeoutConfig) -> Self {
        self.timeouts = Some(timeouts);
        self
    }

    /// Sets the transport (default: a new [`HyperTransport`](crate::http::HyperTransport) shared
    /// by clients of this config, with the proxy and CA bundle settings).
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sets the environment consulted for service-specific endpoint URLs (and, with
    /// [`Config::loader`], for everything else).
    pub fn env(mut self, env: Env) -> Self {
        self.env = Some(env);
        self
    }

    /// Sets the shared config files consulted for service-specific endpoint URLs.
    pub fn profiles(mut self, profiles: ProfileSet) -> Self {
        self.profiles = Some(Arc::new(profiles));
        self
    }

    /// Replaces the built-in partitions.
    pub fn partitions(mut self, partitions: Partitions) -> Self {
        self.partitions = Some(Arc::new(partitions));
        self
    }

    /// Sets the token sent as `Authorization: Bearer <token>` by the operations of services
    /// that authenticate with `smithy.api#httpBearerAuth` (redacted in `Debug`, never logged):
    /// a [`StaticTokenProvider`], which wins over `AWS_BEARER_TOKEN_<SDK_ID>` and the profile.
    pub fn bearer_token(mut self, token: impl Into<String>) -> Self {
        self.token_provider = Some(Arc::new(StaticTokenProvider::new(token)));
        self
    }

    /// Sets the source of the bearer tokens of `smithy.api#httpBearerAuth` services (wins over
    /// `AWS_BEARER_TOKEN_<SDK_ID>` and the profile). It is asked through a
    /// [`CachingTokenProvider`]: a token is reused until five minutes before its expiry, and
    /// one caller at a time refreshes it.
    pub fn token_provider(mut self, provider: impl ProvideToken + 'static) -> Self {
        self.token_provider = Some(Arc::new(CachingTokenProvider::new(provider)));
        self
    }

    /// Sets the bearer token provider asked when neither code nor `AWS_BEARER_TOKEN_<SDK_ID>`
    /// gives a token (`awsconfig` installs the token of the profile's `sso_session` here). It
    /// is asked through a [`CachingTokenProvider`], like [`token_provider`](Self::token_provider).
    pub fn fallback_token_provider(mut self, provider: impl ProvideToken + 'static) -> Self {
        self.fallback_token_provider = Some(Arc::new(CachingTokenProvider::new(provider)));
        self
    }

    /// Sets the application name added to the User-Agent (`app/<name>`).
    pub fn app_name(mut self, name: impl Into<String>) -> Self {
        self.app_name = Some(name.into());
        self
    }

    /// Adds an interceptor run by every call of every client built from this configuration,
    /// after the ones added before it (see [`crate::interceptor`]). Pass an `Arc` to keep a
    /// handle on it.
    pub fn interceptor(
        mut self,
        interceptor: impl crate::interceptor::Interceptor + 'static,
    ) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// Records the metrics of every call of every client built from this configuration (and
    /// of its default transport) through `provider`, instead of the global provider (see
    /// [`crate::observability`]; the feature `opentelemetry` has a provider backed by
    /// OpenTelemetry).
    pub fn meter_provider(
        mut self,
        provider: Arc<dyn crate::observability::MeterProvider>,
    ) -> Self {
        crate::observability::note_provider();
        self.meter_provider = Some(provider);
        self
    }

    /// Builds the configuration.
    pub fn build(mut self) -> Config {
        let meter_provider = self
            .meter_provider
            .clone()
            .or_else(crate::observability::global_meter_provider);
        Config {
            inner: Arc::new(Inner {
                region: self.region.filter(|r| !r.trim().is_empty()),
                credentials: self.credentials,
                endpoint: self.endpoint,
                use_fips: self.use_fips.unwrap_or(false),
                use_dual_stack: self.use_dual_stack.unwrap_or(false),
                retry: self.retry.unwrap_or_default(),
                timeouts: self.timeouts.unwrap_or_default(),
                transport: network::transport(self.transport, &mut self.network, meter_provider),
                network: self.network,
                env: self.env,
                profiles: self.profiles,
                partitions: self.partitions,
                app_name: self.app_name,
                token_provider: self.token_provider,
                fallback_token_provider: self.fallback_token_provider,
                endpoint_builtins: self.endpoint_builtins,
                request_checksum: self.request_checksum.unwrap_or_default(),
                response_checksum: self.response_checksum.unwrap_or_default(),
                disable_request_compression: self.disable_request_compression.unwrap_or(false),
                request_min_compression_size: self
                    .request_min_compression_size
                    .unwrap_or(crate::compression::DEFAULT_MIN_COMPRESSION_SIZE),
                endpoint_discovery: self.endpoint_discovery,
                interceptors: self.interceptors,
                meter_provider: self.meter_provider,
                #[cfg(feature = "test-util")]
                mock_rules: self.mock_rules,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdk_id_keys() {
        assert_eq!(sdk_id_env_suffix("Secrets Manager"), "SECRETS_MANAGER");
        assert_eq!(sdk_id_env_suffix("ACM PCA"), "ACM_PCA");
        assert_eq!(
            sdk_id_env_suffix("Route 53 Recovery-Control"),
            "ROUTE_53_RECOVERY_CONTROL"
        );
        assert_eq!(sdk_id_profile_key("Secrets Manager"), "secrets_manager");
    }

    #[test]
    fn builder_defaults() {
        let c = Config::builder().build();
        assert_eq!(c.region(), None);
        assert!(c.credentials_provider().is_none());
        assert_eq!(c.retry_config(), &RetryConfig::standard());
        assert_eq!(
            c.timeout_config().connect,
            Some(Duration::from_millis(3100))
        );
        assert_eq!(c.timeout_config().operation, None);
        assert!(!c.use_fips());
        assert_eq!(c.endpoint_url_for("Secrets Manager"), None);
    }

    #[test]
    fn code_endpoint_wins_over_env() {
        let env = Env::from_pairs([("AWS_ENDPOINT_URL_SECRETS_MANAGER", "http://svc-env")]);
        let c = Config::builder().env(env.clone()).build();
        assert_eq!(
            c.endpoint_url_for("Secrets Manager").as_deref(),
            Some("http://svc-env")
        );
        assert_eq!(c.endpoint_url_for("Other"), None);
        let c = c.to_builder().endpoint_url("http://code").build();
        assert_eq!(
            c.endpoint_url_for("Secrets Manager").as_deref(),
            Some("http://code")
        );
        assert_eq!(c.endpoint_url(), Some("http://code"));
    }

    #[test]
    fn a_service_without_sdk_id_has_no_service_specific_endpoint() {
        // Neither `AWS_ENDPOINT_URL_` (empty suffix) nor any other service variable is read for
        // a service without an sdkId.
        let env = Env::from_pairs([
            ("AWS_ENDPOINT_URL_", "http://empty-suffix"),
            ("AWS_ENDPOINT_URL_WEATHER", "http://weather-env"),
        ]);
        let c = Config::builder().env(env).build();
        assert_eq!(c.endpoint_url_for(""), None);
        assert_eq!(
            c.endpoint_url_for("Weather").as_deref(),
            Some("http://weather-env")
        );
        let c = Config::builder().endpoint_url("http://code").build();
        assert_eq!(c.endpoint_url_for("").as_deref(), Some("http://code"));
    }
}
