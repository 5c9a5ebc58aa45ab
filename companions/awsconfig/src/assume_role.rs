//! STS AssumeRole, with credentials from another provider.

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use awsrt::config::Config;
use awsrt::credentials::{
    BoxFuture, Credentials, CredentialsError, ProvideCredentials, StaticProvider,
};

const NAME: &str = "assume-role";

/// Assumes a role through STS AssumeRole, signing the call with the credentials of `source`.
/// Not cached: wrap it in a [`CachingProvider`](awsrt::credentials::CachingProvider) (the
/// configuration loader does).
#[derive(Clone)]
pub struct AssumeRoleProvider {
    role_arn: String,
    session_name: Option<String>,
    external_id: Option<String>,
    duration_seconds: Option<i32>,
    source: Arc<dyn ProvideCredentials>,
    config: Config,
}

impl fmt::Debug for AssumeRoleProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssumeRoleProvider")
            .field("role_arn", &self.role_arn)
            .field("session_name", &self.session_name)
            .field("external_id", &self.external_id.as_ref().map(|_| "<set>"))
            .field("duration_seconds", &self.duration_seconds)
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}

impl AssumeRoleProvider {
    /// Assumes `role_arn` with credentials from `source`; the STS client is built from
    /// `config` (its region, or `us-east-1`; its endpoint settings, transport, retries).
    pub fn new(
        config: &Config,
        role_arn: impl Into<String>,
        source: Arc<dyn ProvideCredentials>,
    ) -> AssumeRoleProvider {
        AssumeRoleProvider {
            role_arn: role_arn.into(),
            session_name: None,
            external_id: None,
            duration_seconds: None,
            source,
            config: config.clone(),
        }
    }

    /// The role session name (default `awsrt-<milliseconds since the epoch>`).
    pub fn session_name(mut self, name: impl Into<String>) -> Self {
        self.session_name = Some(name.into());
        self
    }

    /// The external id the role's trust policy asks for.
    pub fn external_id(mut self, id: impl Into<String>) -> Self {
        self.external_id = Some(id.into());
        self
    }

    /// How long the session lasts, in seconds (STS's default, one hour, when unset).
    pub fn duration_seconds(mut self, seconds: i32) -> Self {
        self.duration_seconds = Some(seconds);
        self
    }

    pub(crate) fn with_settings(mut self, r: &awsrt::credentials::RoleSettings) -> Self {
        self.session_name = r.session_name.clone();
        self.external_id = r.external_id.clone();
        self.duration_seconds = r.duration_seconds;
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        // The source's own failure is reported as it is (its kind tells a configuration
        // mistake from an outage), not as a failed STS call.
        let source = self.source.provide_credentials().await?;
        let config = crate::client_config(
            &self.config,
            None,
            Some(Arc::new(StaticProvider::new(source))),
        );
        let session = self
            .session_name
            .clone()
            .unwrap_or_else(crate::default_session_name);
        let out = sts::Client::new(&config)
            .assume_role()
            .role_arn(&self.role_arn)
            .role_session_name(session)
            .set_external_id(self.external_id.clone())
            .set_duration_seconds(self.duration_seconds)
            .send()
            .await
            .map_err(|e| crate::failed(NAME, &format!("AssumeRole {}", self.role_arn), e))?;
        from_sts(NAME, out.credentials())
    }
}

impl ProvideCredentials for AssumeRoleProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

/// Credentials from an STS answer (AssumeRole, AssumeRoleWithWebIdentity).
pub(crate) fn from_sts(
    provider: &'static str,
    c: Option<&sts::types::Credentials>,
) -> Result<Credentials, CredentialsError> {
    let c = c.ok_or_else(|| {
        CredentialsError::provider_failed(provider, "STS answered without credentials")
    })?;
    let expiry = SystemTime::try_from(c.expiration()).ok();
    Ok(Credentials::new(
        c.access_key_id(),
        c.secret_access_key().expose_secret(),
        Some(c.session_token().to_owned()),
        expiry,
        provider,
    ))
}
