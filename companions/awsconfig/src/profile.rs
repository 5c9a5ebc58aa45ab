//! Credentials of the selected profile, including the links that call STS and SSO.

use std::sync::Arc;

use awsrt::config::Config;
use awsrt::credentials::{
    resolve_chain, BaseCredentials, BoxFuture, CredentialSource, Credentials, CredentialsError,
    CredentialsErrorKind, EcsProvider, EnvProvider, ImdsProvider, ProcessProvider,
    ProvideCredentials, StaticProvider,
};
use awsrt::profile::{Env, ProfileSet};

use crate::{AssumeRoleProvider, SsoProvider, WebIdentityProvider};

const NAME: &str = "profile";

/// Credentials of the selected profile (`AWS_PROFILE`, default `default`), the shared files
/// read again on every call: the chain [`resolve_chain`] describes (static keys,
/// `credential_process`, `credential_source`, web identity or IAM Identity Center as its base),
/// then each `role_arn` of the `source_profile` links assumed in turn through STS, innermost
/// first. STS and SSO clients are built from the configuration given to [`ProfileProvider::new`].
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    config: Config,
    env: Env,
}

impl ProfileProvider {
    /// A provider over `config`'s environment (its `AWS_PROFILE`, `AWS_CONFIG_FILE`,
    /// `AWS_SHARED_CREDENTIALS_FILE`, home directory).
    pub fn new(config: &Config) -> ProfileProvider {
        ProfileProvider {
            config: config.clone(),
            env: config.env().cloned().unwrap_or_else(Env::real),
        }
    }

    /// The provider the profile's chain comes down to (exposed for tests and tools that want
    /// to show the chain).
    fn chain(&self) -> Result<Arc<dyn ProvideCredentials>, CredentialsError> {
        let profiles = ProfileSet::load(&self.env)
            .map_err(|e| CredentialsError::invalid_configuration(NAME, e.to_string()))?;
        let chain = resolve_chain(&profiles, &self.env)?;
        let mut current: Arc<dyn ProvideCredentials> = match chain.base {
            BaseCredentials::Static(c) => Arc::new(StaticProvider::new(c)),
            BaseCredentials::Process { command, .. } => Arc::new(ProcessProvider::new(command)),
            BaseCredentials::WebIdentity {
                role_arn,
                token_file,
                session_name,
                ..
            } => Arc::new(WebIdentityProvider::new(
                &self.config,
                token_file,
                role_arn,
                session_name,
            )),
            BaseCredentials::Sso(settings) => Arc::new(SsoProvider::new(&self.config, settings)),
            BaseCredentials::CredentialSource { profile, source } => Arc::new(Required {
                profile,
                source,
                inner: match source {
                    CredentialSource::Environment => Box::new(EnvProvider::new(&self.env)),
                    CredentialSource::Ec2InstanceMetadata => Box::new(ImdsProvider::new(&self.env)),
                    CredentialSource::EcsContainer => Box::new(
                        EcsProvider::new(&self.env)
                            .with_transport(Arc::clone(self.config.transport())),
                    ),
                },
            }),
            other => {
                return Err(CredentialsError::unsupported(
                    NAME,
                    format!("profile `{}`: unknown credentials source", other.profile()),
                ))
            }
        };
        for role in &chain.roles {
            current = Arc::new(
                AssumeRoleProvider::new(&self.config, &role.role_arn, current).with_settings(role),
            );
        }
        Ok(current)
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        self.chain()?.provide_credentials().await
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

/// A `credential_source` the profile relies on: its absence is a configuration error of the
/// profile, not a reason for the chain to move on.
#[derive(Debug)]
struct Required {
    profile: String,
    source: CredentialSource,
    inner: Box<dyn ProvideCredentials>,
}

impl ProvideCredentials for Required {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            self.inner.provide_credentials().await.map_err(|e| {
                let kind = match e.kind() {
                    CredentialsErrorKind::NotConfigured => {
                        CredentialsErrorKind::InvalidConfiguration
                    }
                    k => k,
                };
                CredentialsError::new(
                    NAME,
                    kind,
                    format!(
                        "profile `{}` has credential_source = {:?}: {e}",
                        self.profile, self.source
                    ),
                )
            })
        })
    }
}
