//! Load AWS configuration once and build clients of any generated service from it.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! // Region, credentials, endpoints, retries and timeouts from the environment and ~/.aws.
//! let config = awsconfig::load_from_env().await?;
//! // Every generated crate's `Client::new` takes the same configuration.
//! let sts = sts::Client::new(&config);
//! let who = sts.get_caller_identity().send().await?;
//! println!("{:?}", who.arn());
//! # Ok(())
//! # }
//! ```
//!
//! This is the runtime's [`Config::loader`](awsrt::config::Config::loader) with a fuller
//! credentials chain: the providers that call AWS services to get credentials, through the
//! generated STS, SSO and SSO-OIDC clients. The runtime cannot hold them (those crates depend
//! on it); this crate sits above all of them. Without this crate, the runtime's own chain
//! reports the profiles and variables that need it as "not supported".
//!
//! # The credentials chain
//!
//! Tried in this order, as in the official SDKs; the first source that is configured answers
//! (a source that is configured but fails ends the search with its error):
//!
//! 1. environment variables: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
//! 2. the selected profile (`AWS_PROFILE`, default `default`) of `~/.aws/config` and
//!    `~/.aws/credentials`, following `source_profile` ([`ProfileProvider`]):
//!    static keys, `credential_process`, `role_arn` with `source_profile` or
//!    `credential_source` (STS AssumeRole; `external_id`, `role_session_name`,
//!    `duration_seconds`), `role_arn` with `web_identity_token_file`, and IAM Identity Center
//!    (`sso_session` with an `[sso-session]` section, or the legacy `sso_start_url` keys);
//! 3. web identity from the environment: `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`,
//!    `AWS_ROLE_SESSION_NAME` ([`WebIdentityProvider`]);
//! 4. the container credentials endpoint (ECS, EKS Pod Identity);
//! 5. EC2 instance metadata.
//!
//! The chain's credentials are cached and refreshed shortly before they expire.
//!
//! # Bearer tokens
//!
//! Services that authenticate with `smithy.api#httpBearerAuth` (Amazon CodeCatalyst) send
//! `Authorization: Bearer <token>` with the first token of: the one set in code
//! (`ConfigBuilder::bearer_token`, `ConfigBuilder::token_provider`), the environment variable
//! `AWS_BEARER_TOKEN_<SDK_ID>` (`AWS_BEARER_TOKEN_CODECATALYST`), and the token of the selected
//! profile's `sso_session` ([`SsoTokenProvider`]: the token of `aws sso login`, refreshed
//! through SSO-OIDC shortly before it expires), which [`ConfigLoader::load`] installs when the
//! profile has an `sso_session`.

#![warn(missing_docs)]

mod assume_role;
mod profile;
mod sso;
mod sso_token;
mod web_identity;

#[path = "eks_token.rs"]
pub mod eks;
#[path = "rds_token.rs"]
pub mod rds;

use std::sync::Arc;

use awsrt::credentials::{
    CachingProvider, DefaultChain, EcsProvider, EnvProvider, ImdsProvider, ProvideCredentials,
};
use awsrt::profile::Env;

pub use assume_role::AssumeRoleProvider;
pub use awsrt::config::{Config, ConfigBuilder, ConfigError};
pub use profile::ProfileProvider;
pub use sso::SsoProvider;
pub use sso_token::SsoTokenProvider;
pub use web_identity::WebIdentityProvider;

/// Loads configuration from the process environment and the shared files, with the full
/// credentials chain. Short for `awsconfig::from_env().load().await`.
pub async fn load_from_env() -> Result<Config, ConfigError> {
    from_env().load().await
}

/// A loader to adjust before [`ConfigLoader::load`].
pub fn from_env() -> ConfigLoader {
    ConfigLoader::default()
}

/// Loads a [`Config`]: values set here win over the environment, which wins over the selected
/// profile. Everything the runtime's loader reads is read (see
/// [`awsrt::config::ConfigLoader`]); when no credentials provider is set, the chain described
/// in the [crate docs](crate) is used.
#[derive(Debug, Default)]
pub struct ConfigLoader {
    inner: awsrt::config::ConfigLoader,
}

impl ConfigLoader {
    /// Reads this environment instead of the process environment (tests, or a program that
    /// keeps its own).
    pub fn env(mut self, env: Env) -> Self {
        self.inner = self.inner.env(env);
        self
    }

    /// Sets the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.inner = self.inner.region(region);
        self
    }

    /// Sets the credentials provider instead of the chain.
    pub fn credentials_provider(mut self, provider: impl ProvideCredentials + 'static) -> Self {
        self.inner = self.inner.credentials_provider(provider);
        self
    }

    /// Sets the source of bearer tokens (instead of `AWS_BEARER_TOKEN_<SDK_ID>` and the
    /// profile's `sso_session`): see [`ConfigBuilder::token_provider`].
    pub fn token_provider(
        mut self,
        provider: impl awsrt::credentials::ProvideToken + 'static,
    ) -> Self {
        self.inner = self.inner.configure(|b| b.token_provider(provider));
        self
    }

    /// Sets the endpoint URL for every service.
    pub fn endpoint_url(mut self, url: impl Into<String>) -> Self {
        self.inner = self.inner.endpoint_url(url);
        self
    }

    /// Applies any other setting of the runtime's [`ConfigBuilder`].
    pub fn configure(mut self, f: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Self {
        self.inner = self.inner.configure(f);
        self
    }

    /// Reads the environment and files and builds the configuration. When neither code, the
    /// environment nor the profile sets a region, the instance metadata service is asked for
    /// one (one short attempt; skipped with `AWS_EC2_METADATA_DISABLED=true`). When the
    /// selected profile has an `sso_session` and no token provider was set in code, its
    /// [`SsoTokenProvider`] becomes the fallback token provider (see
    /// [Bearer tokens](crate#bearer-tokens)).
    pub async fn load(self) -> Result<Config, ConfigError> {
        let config = self
            .inner
            .default_credentials_from(|config| {
                Arc::new(CachingProvider::new(default_chain(config)))
            })
            .load()
            .await?;
        if config.region().is_some() {
            return Ok(with_sso_token(config));
        }
        let env = config.env().cloned().unwrap_or_else(Env::real);
        let config = match ImdsProvider::new(&env).region().await {
            Ok(region) => config.to_builder().region(region).build(),
            Err(e) => {
                tracing::debug!(error = %e, "no region from instance metadata");
                config
            }
        };
        Ok(with_sso_token(config))
    }
}

/// `config` with the token of its profile's `sso_session` as the fallback token provider,
/// unless a token provider is set in code. The provider keeps `config` as it is here (its
/// SSO-OIDC client is built from it), so the configuration does not hold itself.
fn with_sso_token(config: Config) -> Config {
    if config.token_provider().is_some() || config.fallback_token_provider().is_some() {
        return config;
    }
    match SsoTokenProvider::from_profile(&config) {
        Some(provider) => config
            .to_builder()
            .fallback_token_provider(provider)
            .build(),
        None => config,
    }
}

/// The chain of the [crate docs](crate) over `config`'s environment; the STS and SSO clients it
/// needs are built from `config` (region, endpoints, transport, timeouts, retries).
pub fn default_chain(config: &Config) -> DefaultChain {
    let env = config.env().cloned().unwrap_or_else(Env::real);
    DefaultChain::from_providers(vec![
        Box::new(EnvProvider::new(&env)),
        Box::new(ProfileProvider::new(config)),
        Box::new(WebIdentityProvider::from_env(config)),
        // https container endpoints go through the configured transport (its CA bundle and
        // proxy settings).
        Box::new(EcsProvider::new(&env).with_transport(Arc::clone(config.transport()))),
        Box::new(ImdsProvider::new(&env)),
    ])
}

/// The configuration of a client that a provider uses: `base` with `region`, or `base`'s
/// region, or `us-east-1` (STS answers in every region; a global default keeps a profile
/// without a region working).
fn client_config(
    base: &Config,
    region: Option<&str>,
    credentials: Option<Arc<dyn ProvideCredentials>>,
) -> Config {
    let mut b = base.to_builder();
    let region = region.or(base.region()).unwrap_or("us-east-1").to_owned();
    b = b.region(region);
    if let Some(c) = credentials {
        b = b.shared_credentials_provider(c);
    }
    b.build()
}

/// A session name for a role session nobody named: `awsrt-<milliseconds since the epoch>`.
fn default_session_name() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    format!("awsrt-{millis}")
}

/// Converts an operation failure into a credentials error of `provider`, keeping the service's
/// message (never a secret: inputs carrying secrets are redacted by the generated types).
fn failed<E: std::fmt::Display>(
    provider: &'static str,
    what: &str,
    e: E,
) -> awsrt::credentials::CredentialsError {
    awsrt::credentials::CredentialsError::provider_failed(provider, format!("{what}: {e}"))
}
