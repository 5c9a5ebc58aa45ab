//! [`ConfigLoader`]: fills a [`ConfigBuilder`] from the environment and the shared config files.

use std::fmt;
use std::sync::Arc;

use super::{Config, ConfigBuilder, EndpointSources, TimeoutConfig};
use crate::credentials::{CachingProvider, DefaultChain, ProvideCredentials};
use crate::http::Transport;
use crate::profile::{region_from_env_or_profile, Env, Profile, ProfileSet};
use crate::retry::{RetryConfig, RetryMode};

/// The environment or a config file holds an invalid value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    message: String,
}

impl ConfigError {
    fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }

    /// What is wrong, naming the variable or profile key.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid configuration: {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

/// Loads a [`Config`]: values set on the loader win, then environment variables, then the
/// selected profile of the shared config files.
///
/// Reads `AWS_REGION`/`AWS_DEFAULT_REGION`/`region`, `AWS_ENDPOINT_URL`/`endpoint_url`,
/// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS`/`ignore_configured_endpoint_urls`,
/// `AWS_USE_FIPS_ENDPOINT`/`use_fips_endpoint`, `AWS_USE_DUALSTACK_ENDPOINT`/`use_dualstack_endpoint`,
/// `AWS_MAX_ATTEMPTS`/`max_attempts`, `AWS_RETRY_MODE`/`retry_mode`,
/// `AWS_SDK_UA_APP_ID`/`sdk_ua_app_id`, `AWS_ENABLE_ENDPOINT_DISCOVERY`/`endpoint_discovery_enabled`.
/// Credentials come from the default chain, cached.
/// Unless a transport is set in code, the default transport gets the proxies of
/// `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` ([`ProxyConfig::from_env`](crate::http::ProxyConfig::from_env))
/// and the CA bundle of `AWS_CA_BUNDLE`/`ca_bundle` ([`CaBundle`](crate::http::CaBundle)).
#[derive(Debug, Default)]
pub struct ConfigLoader {
    builder: ConfigBuilder,
    default_credentials: Option<DefaultCredentials>,
}

/// Builds the credentials provider used when none is set, from the loaded configuration.
type DefaultCredentialsFn = Box<dyn FnOnce(&Config) -> Arc<dyn ProvideCredentials> + Send>;

/// A [`DefaultCredentialsFn`] (a named type so the loader stays `Debug`).
struct DefaultCredentials(DefaultCredentialsFn);

impl fmt::Debug for DefaultCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("DefaultCredentials(..)")
    }
}

fn parse_bool(v: &str, name: &str) -> Result<bool, ConfigError> {
    match v.trim().to_ascii_lowercase().as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(ConfigError::new(format!(
            "{name} must be \"true\" or \"false\", got {v:?}"
        ))),
    }
}

/// Looks up a setting: environment variable first, then the profile key.
struct Sources<'a> {
    env: &'a Env,
    profile: Option<&'a Profile>,
    profile_name: &'a str,
}

impl Sources<'_> {
    /// The raw value and a description of where it came from.
    fn get(&self, env_var: &str, profile_key: &str) -> Option<(String, String)> {
        if let Some(v) = self.env.get(env_var) {
            return Some((v, env_var.to_string()));
        }
        let v = self.profile?.get(profile_key)?.trim();
        (!v.is_empty()).then(|| {
            (
                v.to_string(),
                format!("`{profile_key}` of profile {}", self.profile_name),
            )
        })
    }

    fn bool(&self, env_var: &str, profile_key: &str) -> Result<Option<bool>, ConfigError> {
        self.get(env_var, profile_key)
            .map(|(v, from)| parse_bool(&v, &from))
            .transpose()
    }
}

impl ConfigLoader {
    /// Reads this environment instead of the process environment.
    pub fn env(mut self, env: Env) -> Self {
        self.builder = self.builder.env(env);
        self
    }

    /// Sets the region (wins over the environment).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.builder = self.builder.region(region);
        self
    }

    /// Adds an interceptor run by every call of the clients built from the loaded
    /// configuration ([`ConfigBuilder::interceptor`]).
    pub fn interceptor(
        mut self,
        interceptor: impl crate::interceptor::Interceptor + 'static,
    ) -> Self {
        self.builder = self.builder.interceptor(interceptor);
        self
    }

    /// Sets the credentials provider (instead of the default chain).
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.builder = self.builder.credentials_provider(provider);
        self
    }

    /// Replaces the default credentials chain (used when no provider is set): `f` receives the
    /// loaded configuration, without credentials, and returns the provider to use. The
    /// `awsconfig` crate uses this to add the providers that call STS and IAM Identity Center
    /// with clients built from the same configuration.
    pub fn default_credentials_from(
        mut self,
        f: impl FnOnce(&Config) -> Arc<dyn ProvideCredentials> + Send + 'static,
    ) -> Self {
        self.default_credentials = Some(DefaultCredentials(Box::new(f)));
        self
    }

    /// Sets the endpoint URL (wins over every configured one).
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.builder = self.builder.endpoint_url(url);
        self
    }

    /// Sets the retry settings (wins over the environment).
    pub fn retry_config(mut self, retry: RetryConfig) -> Self {
        self.builder = self.builder.retry_config(retry);
        self
    }

    /// Sets the timeouts.
    pub fn timeout_config(mut self, timeouts: TimeoutConfig) -> Self {
        self.builder = self.builder.timeout_config(timeouts);
        self
    }

    /// Sets the transport.
    pub fn transport(mut self, transport: Arc<dyn Transport>) -> Self {
        self.builder = self.builder.transport(transport);
        self
    }

    /// Applies any other builder setting (values set here win over the environment).
    pub fn configure(mut self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        self.builder = f(self.builder);
        self
    }

    /// Reads the environment and files and builds the configuration.
    pub async fn load(self) -> Result<Config, ConfigError> {
        self.load_now()
    }

    /// The body of [`load`](Self::load), which waits for nothing. Out of line, so that it is
    /// compiled once, here, and not into the future of every program that awaits `load`.
    #[inline(never)]
    fn load_now(self) -> Result<Config, ConfigError> {
        let mut b = self.builder;
        let env = b.env.clone().unwrap_or_else(Env::real);
        let profiles = match b.profiles.clone() {
            Some(p) => p,
            None => Arc::new(ProfileSet::load(&env).map_err(|e| ConfigError::new(e.to_string()))?),
        };
        let src = Sources {
            env: &env,
            profile: profiles.selected(),
            profile_name: profiles.selected_name(),
        };

        if b.region.is_none() {
            b.region = region_from_env_or_profile(&env, &profiles);
        }
        if b.credentials.is_none() && self.default_credentials.is_none() {
            b.credentials = Some(Arc::new(CachingProvider::new(DefaultChain::new(&env))));
        }

        let ignore = src
            .bool(
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                "ignore_configured_endpoint_urls",
            )?
            .unwrap_or(false);
        b.endpoint = EndpointSources {
            code: b.endpoint.code.take(),
            env_global: env.get("AWS_ENDPOINT_URL"),
            profile_global: src
                .profile
                .and_then(|p| p.get("endpoint_url"))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
            ignore_configured: ignore,
        };

        if b.use_fips.is_none() {
            b.use_fips = src.bool("AWS_USE_FIPS_ENDPOINT", "use_fips_endpoint")?;
        }
        if b.use_dual_stack.is_none() {
            b.use_dual_stack = src.bool("AWS_USE_DUALSTACK_ENDPOINT", "use_dualstack_endpoint")?;
        }
        for (slot, env, key) in [
            (
                &mut b.request_checksum,
                "AWS_REQUEST_CHECKSUM_CALCULATION",
                "request_checksum_calculation",
            ),
            (
                &mut b.response_checksum,
                "AWS_RESPONSE_CHECKSUM_VALIDATION",
                "response_checksum_validation",
            ),
        ] {
            if slot.is_none() {
                if let Some((v, from)) = src.get(env, key) {
                    *slot = Some(
                        v.parse()
                            .map_err(|e: String| ConfigError::new(format!("{from}: {e}")))?,
                    );
                }
            }
        }
        if b.disable_request_compression.is_none() {
            b.disable_request_compression = src.bool(
                "AWS_DISABLE_REQUEST_COMPRESSION",
                "disable_request_compression",
            )?;
        }
        if b.endpoint_discovery.is_none() {
            b.endpoint_discovery = src.bool(
                "AWS_ENABLE_ENDPOINT_DISCOVERY",
                "endpoint_discovery_enabled",
            )?;
        }
        if b.request_min_compression_size.is_none() {
            if let Some((v, from)) = src.get(
                "AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES",
                "request_min_compression_size_bytes",
            ) {
                let n: u32 = v
                    .trim()
                    .parse()
                    .ok()
                    .filter(|n| *n <= crate::compression::MAX_MIN_COMPRESSION_SIZE)
                    .ok_or_else(|| {
                        ConfigError::new(format!(
                            "{from}: {v:?} is not a size from 0 to 10485760 bytes"
                        ))
                    })?;
                b.request_min_compression_size = Some(n);
            }
        }
        // Endpoint-rule built-ins of S3 and S3 Control that the environment and profile set.
        for (builtin, env, key) in [
            (
                "AWS::S3::UseArnRegion",
                "AWS_S3_USE_ARN_REGION",
                "s3_use_arn_region",
            ),
            (
                "AWS::S3Control::UseArnRegion",
                "AWS_S3_USE_ARN_REGION",
                "s3_use_arn_region",
            ),
            (
                "AWS::S3::DisableMultiRegionAccessPoints",
                "AWS_S3_DISABLE_MULTIREGION_ACCESS_POINTS",
                "s3_disable_multiregion_access_points",
            ),
        ] {
            if b.endpoint_builtins.iter().any(|(n, _)| n == builtin) {
                continue;
            }
            if let Some(v) = src.bool(env, key)? {
                b.endpoint_builtins.push((builtin.to_string(), v.into()));
            }
        }
        if !b
            .endpoint_builtins
            .iter()
            .any(|(n, _)| n == "AWS::S3::UseGlobalEndpoint")
        {
            if let Some((v, _)) = src.get(
                "AWS_S3_US_EAST_1_REGIONAL_ENDPOINT",
                "s3_us_east_1_regional_endpoint",
            ) {
                let legacy = v.trim().eq_ignore_ascii_case("legacy");
                b.endpoint_builtins
                    .push(("AWS::S3::UseGlobalEndpoint".to_string(), legacy.into()));
            }
        }
        if b.retry.is_none() {
            let mut retry = RetryConfig::standard();
            if let Some((v, from)) = src.get("AWS_RETRY_MODE", "retry_mode") {
                retry.mode = v
                    .parse::<RetryMode>()
                    .map_err(|e| ConfigError::new(format!("{from}: {e}")))?;
            }
            if let Some((v, from)) = src.get("AWS_MAX_ATTEMPTS", "max_attempts") {
                retry.max_attempts = match v.trim().parse::<u32>() {
                    Ok(n) if n >= 1 => n,
                    _ => {
                        return Err(ConfigError::new(format!(
                            "{from} must be a whole number >= 1, got {v:?}"
                        )))
                    }
                };
            }
            b.retry = Some(retry);
        }
        if b.app_name.is_none() {
            b.app_name = src
                .get("AWS_SDK_UA_APP_ID", "sdk_ua_app_id")
                .map(|(v, _)| v);
        }
        if b.transport.is_none() {
            // Proxy and CA bundle of the default transport (a transport set in code is kept).
            super::network::load(&mut b.network, &env, src.profile, src.profile_name)
                .map_err(ConfigError::new)?;
        }
        b.env = Some(env);
        b.profiles = Some(profiles);
        let config = b.build();
        match self.default_credentials {
            Some(DefaultCredentials(f)) if config.credentials_provider().is_none() => {
                let provider = f(&config);
                Ok(config
                    .to_builder()
                    .shared_credentials_provider(provider)
                    .build())
            }
            _ => Ok(config),
        }
    }
}
