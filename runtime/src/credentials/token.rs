//! Bearer tokens (`smithy.api#httpBearerAuth`, e.g. Amazon CodeCatalyst) and the sources they
//! come from: the seam beside [`ProvideCredentials`](super::ProvideCredentials).
//!
//! A client of a bearer-token service asks, in order: the provider set in code
//! ([`ConfigBuilder::bearer_token`](crate::config::ConfigBuilder::bearer_token) — a
//! [`StaticTokenProvider`] — or
//! [`ConfigBuilder::token_provider`](crate::config::ConfigBuilder::token_provider)), then
//! `AWS_BEARER_TOKEN_<SDK_ID>` ([`EnvTokenProvider`]), then the fallback provider of the
//! configuration ([`ConfigBuilder::fallback_token_provider`](crate::config::ConfigBuilder::fallback_token_provider);
//! the `awsconfig` crate installs the token of the profile's `sso_session` there). See
//! [`Config::token_provider_for`](crate::config::Config::token_provider_for).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use zeroize::Zeroizing;

use super::cache::{Expiring, Slot};
use super::{BoxFuture, CredentialsError, CredentialsErrorKind};
use crate::profile::Env;

/// A source of bearer tokens.
pub trait ProvideToken: Send + Sync + fmt::Debug {
    /// Fetches (or returns a cached) token.
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>>;

    /// Forgets any cached token, so the next call fetches a new one. The default does nothing
    /// (a provider without a cache); [`CachingTokenProvider`] drops its cached token.
    fn invalidate(&self) {}
}

impl<T: ProvideToken + ?Sized> ProvideToken for Arc<T> {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        (**self).provide_token()
    }

    fn invalidate(&self) {
        (**self).invalidate()
    }
}

impl<T: ProvideToken + ?Sized> ProvideToken for Box<T> {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        (**self).provide_token()
    }

    fn invalidate(&self) {
        (**self).invalidate()
    }
}

struct TokenInner {
    value: Zeroizing<String>,
    expiry: Option<SystemTime>,
}

/// A bearer token and when it expires. Cheap to clone (shared); the value is wiped from memory
/// when the last clone is dropped and never shown by `Debug`.
#[derive(Clone)]
pub struct Token(Arc<TokenInner>);

impl Token {
    /// A token that stops working at `expiry` (`None`: never, as far as the client knows).
    pub fn new(value: impl Into<String>, expiry: Option<SystemTime>) -> Token {
        Token(Arc::new(TokenInner {
            value: Zeroizing::new(value.into()),
            expiry,
        }))
    }

    /// The token itself, as sent after `Authorization: Bearer `.
    pub fn token(&self) -> &str {
        &self.0.value
    }

    /// When the token stops working.
    pub fn expiry(&self) -> Option<SystemTime> {
        self.0.expiry
    }

    /// Whether it expires before `now + within` (never, without an expiry).
    pub fn expires_within(&self, now: SystemTime, within: Duration) -> bool {
        match self.0.expiry {
            Some(expiry) => now.checked_add(within).is_none_or(|limit| expiry <= limit),
            None => false,
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Token")
            .field("token", &"** redacted **")
            .field(
                "expiry",
                &self.expiry().map(crate::sigv4::time::format_rfc3339),
            )
            .finish()
    }
}

impl Expiring for Token {
    fn expires_within(&self, now: SystemTime, within: Duration) -> bool {
        Token::expires_within(self, now, within)
    }
}

/// A token could not be provided: which source, what kind of failure, why. Never contains the
/// token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenError {
    provider: &'static str,
    kind: CredentialsErrorKind,
    message: String,
}

impl TokenError {
    /// A new error from `provider`.
    pub fn new(
        provider: &'static str,
        kind: CredentialsErrorKind,
        message: impl Into<String>,
    ) -> TokenError {
        TokenError {
            provider,
            kind,
            message: message.into(),
        }
    }

    /// Shorthand for [`CredentialsErrorKind::NotConfigured`].
    pub fn not_configured(provider: &'static str, message: impl Into<String>) -> TokenError {
        TokenError::new(provider, CredentialsErrorKind::NotConfigured, message)
    }

    /// Shorthand for [`CredentialsErrorKind::InvalidConfiguration`].
    pub fn invalid_configuration(provider: &'static str, message: impl Into<String>) -> TokenError {
        TokenError::new(
            provider,
            CredentialsErrorKind::InvalidConfiguration,
            message,
        )
    }

    /// Shorthand for [`CredentialsErrorKind::ProviderFailed`].
    pub fn provider_failed(provider: &'static str, message: impl Into<String>) -> TokenError {
        TokenError::new(provider, CredentialsErrorKind::ProviderFailed, message)
    }

    /// The source that failed (`"static"`, `"env"`, `"sso"`, ...).
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
}

impl fmt::Display for TokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} token {}: {}", self.provider, self.kind, self.message)
    }
}

impl std::error::Error for TokenError {}

impl From<CredentialsError> for TokenError {
    /// The same source, kind and message (a provider that shares its loading code with a
    /// credentials provider, as the SSO token does).
    fn from(e: CredentialsError) -> TokenError {
        TokenError::new(e.provider(), e.kind(), e.message())
    }
}

/// A fixed token ([`ConfigBuilder::bearer_token`](crate::config::ConfigBuilder::bearer_token)).
#[derive(Debug, Clone)]
pub struct StaticTokenProvider {
    token: Token,
}

impl StaticTokenProvider {
    /// Always returns `token`, which never expires.
    pub fn new(token: impl Into<String>) -> StaticTokenProvider {
        StaticTokenProvider {
            token: Token::new(token, None),
        }
    }
}

impl ProvideToken for StaticTokenProvider {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        let token = self.token.clone();
        Box::pin(async move { Ok(token) })
    }
}

/// The token of `AWS_BEARER_TOKEN_<SDK_ID>` (the sdkId in upper snake case:
/// `AWS_BEARER_TOKEN_CODECATALYST`), read on every call.
#[derive(Clone)]
pub struct EnvTokenProvider {
    env: Env,
    variable: String,
}

impl EnvTokenProvider {
    /// The token variable of the service with `sdk_id`, read from `env`.
    pub fn new(env: &Env, sdk_id: &str) -> EnvTokenProvider {
        EnvTokenProvider {
            env: env.clone(),
            variable: format!(
                "AWS_BEARER_TOKEN_{}",
                crate::config::sdk_id_env_suffix(sdk_id)
            ),
        }
    }

    /// The variable's name.
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// Whether the variable holds a token (set and not blank).
    pub fn is_set(&self) -> bool {
        self.value().is_some()
    }

    fn value(&self) -> Option<Zeroizing<String>> {
        self.env
            .get(&self.variable)
            .map(Zeroizing::new)
            .filter(|t| !t.trim().is_empty())
    }
}

impl fmt::Debug for EnvTokenProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnvTokenProvider")
            .field("variable", &self.variable)
            .finish()
    }
}

impl ProvideToken for EnvTokenProvider {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        let result = match self.value() {
            Some(mut value) => Ok(Token::new(std::mem::take(&mut *value), None)),
            None => Err(TokenError::not_configured(
                "env",
                format!("{} is not set", self.variable),
            )),
        };
        Box::pin(async move { result })
    }
}

/// Wraps a token provider: returns the cached token until `refresh_buffer` (default five
/// minutes) before it expires, then fetches a new one. Concurrent callers that find the cache
/// stale wait for one shared fetch. When a refresh fails while the old token has not yet
/// expired, the old one is returned. A token without an expiry is kept forever; errors are not
/// cached.
#[derive(Debug)]
pub struct CachingTokenProvider {
    inner: Arc<dyn ProvideToken>,
    refresh_buffer: Duration,
    slot: Slot<Token>,
}

impl CachingTokenProvider {
    /// Default margin before expiry at which tokens are refreshed.
    pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(300);

    /// Caches `inner`.
    pub fn new(inner: impl ProvideToken + 'static) -> CachingTokenProvider {
        CachingTokenProvider::from_arc(Arc::new(inner))
    }

    /// Caches a shared provider.
    pub fn from_arc(inner: Arc<dyn ProvideToken>) -> CachingTokenProvider {
        CachingTokenProvider {
            inner,
            refresh_buffer: Self::DEFAULT_REFRESH_BUFFER,
            slot: Slot::new(),
        }
    }

    /// Sets how long before expiry tokens are refreshed.
    pub fn with_refresh_buffer(mut self, buffer: Duration) -> CachingTokenProvider {
        self.refresh_buffer = buffer;
        self
    }

    async fn load(&self) -> Result<Token, TokenError> {
        self.slot
            .load(self.refresh_buffer, || self.inner.provide_token(), "token")
            .await
    }
}

impl ProvideToken for CachingTokenProvider {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        Box::pin(self.load())
    }

    /// Drops the cached token and tells the wrapped provider to drop any it caches.
    fn invalidate(&self) {
        self.slot.clear();
        self.inner.invalidate();
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[test]
    fn debug_and_errors_never_show_the_token() {
        let token = Token::new("TOKENVALUE", None);
        assert!(!format!("{token:?}").contains("TOKENVALUE"));
        let provider = StaticTokenProvider::new("TOKENVALUE");
        assert!(!format!("{provider:?}").contains("TOKENVALUE"));
        let env = Env::from_pairs([("AWS_BEARER_TOKEN_CODECATALYST", "TOKENVALUE")]);
        let provider = EnvTokenProvider::new(&env, "CodeCatalyst");
        let text = format!("{provider:?}");
        assert!(
            text.contains("AWS_BEARER_TOKEN_CODECATALYST") && !text.contains("TOKENVALUE"),
            "{text}"
        );
        let err = TokenError::provider_failed("sso", "the session has expired");
        assert_eq!(err.to_string(), "sso token failed: the session has expired");
        let from = TokenError::from(CredentialsError::invalid_configuration("sso", "no region"));
        assert_eq!(
            from.to_string(),
            "sso token invalid configuration: no region"
        );
    }

    #[tokio::test]
    async fn the_env_provider_reads_its_variable() {
        let env = Env::from_pairs([("AWS_BEARER_TOKEN_SECRETS_MANAGER", "abc")]);
        let p = EnvTokenProvider::new(&env, "Secrets Manager");
        assert_eq!(p.variable(), "AWS_BEARER_TOKEN_SECRETS_MANAGER");
        assert!(p.is_set());
        let t = p.provide_token().await.unwrap();
        assert_eq!((t.token(), t.expiry()), ("abc", None));
        let blank = Env::from_pairs([("AWS_BEARER_TOKEN_SECRETS_MANAGER", "  ")]);
        let p = EnvTokenProvider::new(&blank, "Secrets Manager");
        assert!(!p.is_set());
        let e = p.provide_token().await.unwrap_err();
        assert_eq!(e.kind(), CredentialsErrorKind::NotConfigured);
        assert_eq!(
            e.to_string(),
            "env token not configured: AWS_BEARER_TOKEN_SECRETS_MANAGER is not set"
        );
    }

    /// Hands out `t1`, `t2`, ... expiring `lifetime` from now, or fails when `fail` is set.
    #[derive(Debug, Default)]
    struct Counting {
        calls: AtomicU32,
        lifetime: Duration,
        fail: std::sync::atomic::AtomicBool,
    }

    impl ProvideToken for Counting {
        fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            let fail = self.fail.load(Ordering::SeqCst);
            let expiry = SystemTime::now() + self.lifetime;
            Box::pin(async move {
                if fail {
                    return Err(TokenError::provider_failed("test", "down"));
                }
                // Let concurrent callers pile up on the refresh lock.
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(Token::new(format!("t{n}"), Some(expiry)))
            })
        }
    }

    #[tokio::test]
    async fn the_cache_refreshes_within_five_minutes_of_expiry_one_fetch_at_a_time() {
        // Valid for an hour: fetched once, however many callers ask at the same time.
        let inner = Arc::new(Counting {
            lifetime: Duration::from_secs(3600),
            ..Counting::default()
        });
        let cache = Arc::new(CachingTokenProvider::from_arc(inner.clone()));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let cache = Arc::clone(&cache);
                tokio::spawn(async move { cache.provide_token().await.unwrap() })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap().token(), "t1");
        }
        assert_eq!(inner.calls.load(Ordering::SeqCst), 1);
        cache.invalidate();
        assert_eq!(cache.provide_token().await.unwrap().token(), "t2");

        // Valid for four minutes: inside the five-minute window, so every call refreshes.
        let inner = Arc::new(Counting {
            lifetime: Duration::from_secs(240),
            ..Counting::default()
        });
        let cache = CachingTokenProvider::from_arc(inner.clone());
        assert_eq!(cache.provide_token().await.unwrap().token(), "t1");
        assert_eq!(cache.provide_token().await.unwrap().token(), "t2");
        // A failed refresh keeps the token that has not expired yet...
        inner.fail.store(true, Ordering::SeqCst);
        assert_eq!(cache.provide_token().await.unwrap().token(), "t2");
        // ...but an error with nothing usable cached is the caller's.
        let cold = CachingTokenProvider::from_arc(inner.clone());
        assert_eq!(
            cold.provide_token().await.unwrap_err().to_string(),
            "test token failed: down"
        );
    }
}
