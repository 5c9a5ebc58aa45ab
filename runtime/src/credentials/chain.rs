//! The default credentials chain.

use super::{
    BoxFuture, Credentials, CredentialsError, CredentialsErrorKind, EcsProvider, EnvProvider,
    ImdsProvider, NetworkTimeouts, ProfileProvider, ProvideCredentials,
};
use crate::profile::Env;

const NAME: &str = "chain";

/// Web identity from the environment (`AWS_WEB_IDENTITY_TOKEN_FILE` + `AWS_ROLE_ARN`), which
/// needs STS (the `awsconfig` crate): reports "not supported" instead of silently falling
/// through to other sources when it is configured.
#[derive(Debug)]
struct WebIdentityFromEnv {
    env: Env,
}

impl ProvideCredentials for WebIdentityFromEnv {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let configured = self.env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_some()
            && self.env.get("AWS_ROLE_ARN").is_some();
        Box::pin(async move {
            Err(if configured {
                CredentialsError::unsupported(
                    "web-identity",
                    "AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are set: web identity federation \
                     (STS AssumeRoleWithWebIdentity) needs the `awsconfig` crate \
                     (awsconfig::load_from_env)",
                )
            } else {
                CredentialsError::not_configured(
                    "web-identity",
                    "AWS_WEB_IDENTITY_TOKEN_FILE is not set",
                )
            })
        })
    }
}

/// The standard lookup order without STS: environment variables, the selected profile
/// (static keys, `source_profile`, `credential_process`; roles and SSO are errors pointing at
/// the `awsconfig` crate), web identity (an error when configured, for the same reason), the
/// container endpoint, instance metadata.
///
/// A source that is not configured passes to the next; any other failure ends the search with
/// that error (a broken profile file is not papered over by instance credentials), except for
/// instance metadata, whose absence is the normal case off EC2. When every source is
/// unavailable the error lists each one's reason. Not cached: wrap it in a
/// [`CachingProvider`](super::CachingProvider).
#[derive(Debug)]
pub struct DefaultChain {
    providers: Vec<Box<dyn ProvideCredentials>>,
}

impl DefaultChain {
    /// The chain over `env`, with one-second network timeouts.
    pub fn new(env: &Env) -> DefaultChain {
        DefaultChain::with_timeouts(env, NetworkTimeouts::default())
    }

    /// The chain over `env` with the given ECS / IMDS timeouts.
    pub fn with_timeouts(env: &Env, timeouts: NetworkTimeouts) -> DefaultChain {
        DefaultChain {
            providers: vec![
                Box::new(EnvProvider::new(env)),
                Box::new(ProfileProvider::new(env)),
                Box::new(WebIdentityFromEnv { env: env.clone() }),
                Box::new(EcsProvider::new(env).with_timeouts(timeouts)),
                Box::new(ImdsProvider::new(env).with_timeouts(timeouts)),
            ],
        }
    }

    /// A chain over any providers, tried in order with the same rules.
    pub fn from_providers(providers: Vec<Box<dyn ProvideCredentials>>) -> DefaultChain {
        DefaultChain { providers }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let mut reasons: Vec<String> = Vec::with_capacity(self.providers.len());
        let last = self.providers.len().saturating_sub(1);
        for (i, provider) in self.providers.iter().enumerate() {
            match provider.provide_credentials().await {
                Ok(credentials) => return Ok(credentials),
                Err(e) if e.is_not_configured() || (i == last && e.provider() == "imds") => {
                    tracing::debug!(
                        provider = e.provider(),
                        reason = e.message(),
                        "credentials source skipped"
                    );
                    reasons.push(format!("{}: {}", e.provider(), e.message()));
                }
                Err(e) => return Err(e),
            }
        }
        Err(CredentialsError::new(
            NAME,
            CredentialsErrorKind::NotConfigured,
            format!("no credentials found ({})", reasons.join("; ")),
        ))
    }
}

impl ProvideCredentials for DefaultChain {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}
