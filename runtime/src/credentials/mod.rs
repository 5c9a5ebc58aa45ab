//! AWS credentials and the sources they come from.
//!
//! [`DefaultChain`] tries, in order: environment variables ([`EnvProvider`]), web identity
//! (reported as not supported), the shared profile files including `credential_process`
//! ([`ProfileProvider`]), the ECS/EKS container endpoint ([`EcsProvider`]) and EC2 instance
//! metadata ([`ImdsProvider`]). Wrap a provider in [`CachingProvider`] to reuse credentials
//! until shortly before they expire.
//!
//! Bearer tokens (`smithy.api#httpBearerAuth`) have the same seam: [`ProvideToken`],
//! [`CachingTokenProvider`], [`StaticTokenProvider`] and [`EnvTokenProvider`].

mod cache;
mod chain;
mod ecs;
mod env;
mod http;
mod imds;
mod json;
mod process;
mod profile;
mod token;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

pub use cache::CachingProvider;
pub use chain::DefaultChain;
pub use ecs::EcsProvider;
pub use env::EnvProvider;
pub use imds::ImdsProvider;
pub use process::ProcessProvider;
pub use profile::{
    resolve_chain, BaseCredentials, CredentialSource, ProfileChain, ProfileProvider, RoleSettings,
    SsoSettings,
};
pub use token::{
    CachingTokenProvider, EnvTokenProvider, ProvideToken, StaticTokenProvider, Token, TokenError,
};

/// A boxed, `Send` future, the return type of [`ProvideCredentials::provide_credentials`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A source of credentials.
pub trait ProvideCredentials: Send + Sync + fmt::Debug {
    /// Fetches (or returns cached) credentials.
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>>;

    /// Forgets any cached credentials, so the next call fetches new ones. The request pipeline
    /// calls it when a service rejects the credentials as expired (`ExpiredToken`, see
    /// [`crate::retry::EXPIRED_CREDENTIALS_CODES`]). The default does nothing (a provider
    /// without a cache); [`CachingProvider`] drops its cached value.
    fn invalidate(&self) {}
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Arc<T> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials()
    }

    fn invalidate(&self) {
        (**self).invalidate()
    }
}

impl<T: ProvideCredentials + ?Sized> ProvideCredentials for Box<T> {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        (**self).provide_credentials()
    }

    fn invalidate(&self) {
        (**self).invalidate()
    }
}

struct Inner {
    access_key_id: String,
    secret_access_key: Zeroizing<String>,
    session_token: Option<Zeroizing<String>>,
    expiry: Option<SystemTime>,
    provider: &'static str,
}

/// An access key, its secret, an optional session token and expiry. Cheap to clone (shared);
/// the secret and token are wiped from memory when the last clone is dropped and never shown
/// by `Debug`.
#[derive(Clone)]
pub struct Credentials(Arc<Inner>);

impl Credentials {
    /// New credentials; `provider` names their source (`"env"`, `"profile"`, ...).
    pub fn new(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
        expiry: Option<SystemTime>,
        provider: &'static str,
    ) -> Credentials {
        Credentials(Arc::new(Inner {
            access_key_id: access_key_id.into(),
            secret_access_key: Zeroizing::new(secret_access_key.into()),
            session_token: session_token.map(Zeroizing::new),
            expiry,
            provider,
        }))
    }

    /// The access key id.
    pub fn access_key_id(&self) -> &str {
        &self.0.access_key_id
    }

    /// The secret access key.
    pub fn secret_access_key(&self) -> &str {
        &self.0.secret_access_key
    }

    /// The session token of temporary credentials.
    pub fn session_token(&self) -> Option<&str> {
        self.0.session_token.as_deref().map(String::as_str)
    }

    /// When the credentials stop working (`None`: long-term credentials).
    pub fn expiry(&self) -> Option<SystemTime> {
        self.0.expiry
    }

    /// The name of the provider that produced them.
    pub fn provider(&self) -> &'static str {
        self.0.provider
    }

    /// Whether they expire before `now + within` (never, without an expiry).
    pub fn expires_within(&self, now: SystemTime, within: Duration) -> bool {
        match self.0.expiry {
            Some(expiry) => now.checked_add(within).is_none_or(|limit| expiry <= limit),
            None => false,
        }
    }
}

impl PartialEq for Credentials {
    fn eq(&self, other: &Credentials) -> bool {
        self.access_key_id() == other.access_key_id()
            && self.secret_access_key() == other.secret_access_key()
            && self.session_token() == other.session_token()
            && self.expiry() == other.expiry()
            && self.provider() == other.provider()
    }
}

impl Eq for Credentials {}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key_id", &self.access_key_id())
            .field("secret_access_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token().map(|_| "** redacted **"),
            )
            .field(
                "expiry",
                &self.expiry().map(crate::sigv4::time::format_rfc3339),
            )
            .field("provider", &self.provider())
            .finish()
    }
}

/// What went wrong, broadly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CredentialsErrorKind {
    /// The source is not set up here (no variables, no profile keys...): a chain moves on.
    NotConfigured,
    /// The source is set up but its configuration is wrong.
    InvalidConfiguration,
    /// The configuration asks for something this runtime does not implement (SSO, ...).
    Unsupported,
    /// The source was asked and failed (HTTP error, process exit status, bad response).
    ProviderFailed,
    /// The source did not answer in time.
    Timeout,
}

impl fmt::Display for CredentialsErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CredentialsErrorKind::NotConfigured => "not configured",
            CredentialsErrorKind::InvalidConfiguration => "invalid configuration",
            CredentialsErrorKind::Unsupported => "not supported",
            CredentialsErrorKind::ProviderFailed => "failed",
            CredentialsErrorKind::Timeout => "timed out",
        })
    }
}

/// Credentials could not be provided: which source, what kind of failure, why. Never contains
/// secret values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialsError {
    provider: &'static str,
    kind: CredentialsErrorKind,
    message: String,
}

impl CredentialsError {
    /// A new error from `provider`.
    pub fn new(
        provider: &'static str,
        kind: CredentialsErrorKind,
        message: impl Into<String>,
    ) -> CredentialsError {
        CredentialsError {
            provider,
            kind,
            message: message.into(),
        }
    }

    /// Shorthand for [`CredentialsErrorKind::NotConfigured`].
    pub fn not_configured(provider: &'static str, message: impl Into<String>) -> CredentialsError {
        CredentialsError::new(provider, CredentialsErrorKind::NotConfigured, message)
    }

    /// Shorthand for [`CredentialsErrorKind::InvalidConfiguration`].
    pub fn invalid_configuration(
        provider: &'static str,
        message: impl Into<String>,
    ) -> CredentialsError {
        CredentialsError::new(
            provider,
            CredentialsErrorKind::InvalidConfiguration,
            message,
        )
    }

    /// Shorthand for [`CredentialsErrorKind::Unsupported`].
    pub fn unsupported(provider: &'static str, message: impl Into<String>) -> CredentialsError {
        CredentialsError::new(provider, CredentialsErrorKind::Unsupported, message)
    }

    /// Shorthand for [`CredentialsErrorKind::ProviderFailed`].
    pub fn provider_failed(provider: &'static str, message: impl Into<String>) -> CredentialsError {
        CredentialsError::new(provider, CredentialsErrorKind::ProviderFailed, message)
    }

    /// The source that failed (`"env"`, `"profile"`, `"process"`, `"ecs"`, `"imds"`, ...).
    pub fn provider(&self) -> &'static str {
        self.provider
    }

    /// The kind of failure.
    pub fn kind(&self) -> CredentialsErrorKind {
        self.kind
    }

    /// The explanation.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Whether the source simply is not set up (a chain moves on to the next one).
    pub fn is_not_configured(&self) -> bool {
        self.kind == CredentialsErrorKind::NotConfigured
    }
}

impl fmt::Display for CredentialsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} credentials {}: {}",
            self.provider, self.kind, self.message
        )
    }
}

impl std::error::Error for CredentialsError {}

/// Connect and read timeouts of the network sources (ECS, IMDS).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NetworkTimeouts {
    /// TCP connect.
    pub connect: Duration,
    /// From sending the request to the end of the response body.
    pub read: Duration,
}

impl Default for NetworkTimeouts {
    /// One second each, so a missing source never holds a client up for long.
    fn default() -> Self {
        NetworkTimeouts {
            connect: Duration::from_secs(1),
            read: Duration::from_secs(1),
        }
    }
}

/// Fixed credentials.
#[derive(Debug, Clone)]
pub struct StaticProvider {
    credentials: Credentials,
}

impl StaticProvider {
    /// Always returns `credentials`.
    pub fn new(credentials: Credentials) -> StaticProvider {
        StaticProvider { credentials }
    }

    /// Long-term keys, reported as provider `"static"`.
    pub fn from_keys(
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
        session_token: Option<String>,
    ) -> StaticProvider {
        StaticProvider::new(Credentials::new(
            access_key_id,
            secret_access_key,
            session_token,
            None,
            "static",
        ))
    }
}

impl ProvideCredentials for StaticProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let credentials = self.credentials.clone();
        Box::pin(async move { Ok(credentials) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_secrets() {
        let creds = Credentials::new(
            "AKID",
            "SECRETVALUE",
            Some("TOKENVALUE".into()),
            None,
            "static",
        );
        let text = format!("{creds:?}");
        assert!(text.contains("AKID"));
        assert!(
            !text.contains("SECRETVALUE") && !text.contains("TOKENVALUE"),
            "{text}"
        );
        let err = CredentialsError::provider_failed("ecs", "HTTP 500");
        assert_eq!(err.to_string(), "ecs credentials failed: HTTP 500");
    }

    #[test]
    fn expiry_window() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        let creds = Credentials::new("a", "b", None, Some(now + Duration::from_secs(600)), "t");
        assert!(!creds.expires_within(now, Duration::from_secs(300)));
        assert!(creds.expires_within(now, Duration::from_secs(600)));
        let forever = Credentials::new("a", "b", None, None, "t");
        assert!(!forever.expires_within(now, Duration::from_secs(u64::MAX / 4)));
    }
}
