//! Caching with single-flight refresh.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::Mutex;

use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};

/// Wraps a provider: returns the cached credentials until `refresh_buffer` (default five
/// minutes) before they expire, then fetches new ones. Concurrent callers that find the cache
/// stale wait for one shared fetch. When a refresh fails while the old credentials have not
/// yet expired, the old ones are returned. Credentials without an expiry are kept forever;
/// errors are not cached.
#[derive(Debug)]
pub struct CachingProvider {
    inner: Arc<dyn ProvideCredentials>,
    refresh_buffer: Duration,
    cached: RwLock<Option<Credentials>>,
    refresh: Mutex<()>,
}

impl CachingProvider {
    /// Default margin before expiry at which credentials are refreshed.
    pub const DEFAULT_REFRESH_BUFFER: Duration = Duration::from_secs(300);

    /// Caches `inner`.
    pub fn new(inner: impl ProvideCredentials + 'static) -> CachingProvider {
        CachingProvider::from_arc(Arc::new(inner))
    }

    /// Caches a shared provider.
    pub fn from_arc(inner: Arc<dyn ProvideCredentials>) -> CachingProvider {
        CachingProvider {
            inner,
            refresh_buffer: Self::DEFAULT_REFRESH_BUFFER,
            cached: RwLock::new(None),
            refresh: Mutex::new(()),
        }
    }

    /// Sets how long before expiry credentials are refreshed.
    pub fn with_refresh_buffer(mut self, buffer: Duration) -> CachingProvider {
        self.refresh_buffer = buffer;
        self
    }

    /// Forgets the cached credentials (e.g. after the service rejected them).
    pub fn invalidate(&self) {
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn cached_if(&self, usable: impl Fn(&Credentials) -> bool) -> Option<Credentials> {
        let guard = self.cached.read().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().filter(|c| usable(c)).cloned()
    }

    fn fresh(&self) -> Option<Credentials> {
        let now = SystemTime::now();
        self.cached_if(|c| !c.expires_within(now, self.refresh_buffer))
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        if let Some(credentials) = self.fresh() {
            return Ok(credentials);
        }
        let _refreshing = self.refresh.lock().await;
        if let Some(credentials) = self.fresh() {
            return Ok(credentials);
        }
        match self.inner.provide_credentials().await {
            Ok(credentials) => {
                *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some(credentials.clone());
                Ok(credentials)
            }
            Err(e) => {
                let now = SystemTime::now();
                match self.cached_if(|c| !c.expires_within(now, Duration::ZERO)) {
                    Some(old) => {
                        tracing::warn!(error = %e, "credentials refresh failed; using the unexpired cached credentials");
                        Ok(old)
                    }
                    None => Err(e),
                }
            }
        }
    }
}

impl ProvideCredentials for CachingProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }

    /// Drops the cached credentials and tells the wrapped provider to drop any it caches.
    fn invalidate(&self) {
        CachingProvider::invalidate(self);
        self.inner.invalidate();
    }
}
