//! Caching with single-flight refresh, for credentials ([`CachingProvider`]) and bearer tokens
//! ([`CachingTokenProvider`](super::CachingTokenProvider)).

use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use tokio::sync::Mutex;

use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};

/// A cached identity that stops working at some point.
pub(super) trait Expiring: Clone {
    /// Whether it expires before `now + within` (never, without an expiry).
    fn expires_within(&self, now: SystemTime, within: Duration) -> bool;
}

impl Expiring for Credentials {
    fn expires_within(&self, now: SystemTime, within: Duration) -> bool {
        Credentials::expires_within(self, now, within)
    }
}

/// One cached value, refreshed by one caller at a time: the other callers that find it stale
/// wait for that refresh. When a refresh fails while the old value has not yet expired, the
/// old one is returned; errors are not cached.
#[derive(Debug)]
pub(super) struct Slot<T> {
    cached: RwLock<Option<T>>,
    refresh: Mutex<()>,
}

impl<T: Expiring> Slot<T> {
    pub(super) fn new() -> Slot<T> {
        Slot {
            cached: RwLock::new(None),
            refresh: Mutex::new(()),
        }
    }

    /// Forgets the cached value.
    pub(super) fn clear(&self) {
        *self.cached.write().unwrap_or_else(|p| p.into_inner()) = None;
    }

    fn cached_if(&self, usable: impl Fn(&T) -> bool) -> Option<T> {
        let guard = self.cached.read().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().filter(|c| usable(c)).cloned()
    }

    fn fresh(&self, buffer: Duration) -> Option<T> {
        let now = SystemTime::now();
        self.cached_if(|c| !c.expires_within(now, buffer))
    }

    /// The cached value unless it expires within `buffer`, else the result of `fetch` (`what`
    /// names the value in the warning logged when a refresh fails).
    pub(super) async fn load<E, F>(
        &self,
        buffer: Duration,
        fetch: impl FnOnce() -> F,
        what: &'static str,
    ) -> Result<T, E>
    where
        E: fmt::Display,
        F: Future<Output = Result<T, E>>,
    {
        if let Some(value) = self.fresh(buffer) {
            return Ok(value);
        }
        let _refreshing = self.refresh.lock().await;
        if let Some(value) = self.fresh(buffer) {
            return Ok(value);
        }
        match fetch().await {
            Ok(value) => {
                *self.cached.write().unwrap_or_else(|p| p.into_inner()) = Some(value.clone());
                Ok(value)
            }
            Err(e) => {
                let now = SystemTime::now();
                match self.cached_if(|c| !c.expires_within(now, Duration::ZERO)) {
                    Some(old) => {
                        tracing::warn!(error = %e, "{what} refresh failed; using the unexpired cached {what}");
                        Ok(old)
                    }
                    None => Err(e),
                }
            }
        }
    }
}

/// Wraps a provider: returns the cached credentials until `refresh_buffer` (default five
/// minutes) before they expire, then fetches new ones. Concurrent callers that find the cache
/// stale wait for one shared fetch. When a refresh fails while the old credentials have not
/// yet expired, the old ones are returned. Credentials without an expiry are kept forever;
/// errors are not cached.
#[derive(Debug)]
pub struct CachingProvider {
    inner: Arc<dyn ProvideCredentials>,
    refresh_buffer: Duration,
    slot: Slot<Credentials>,
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
            slot: Slot::new(),
        }
    }

    /// Sets how long before expiry credentials are refreshed.
    pub fn with_refresh_buffer(mut self, buffer: Duration) -> CachingProvider {
        self.refresh_buffer = buffer;
        self
    }

    /// Forgets the cached credentials (e.g. after the service rejected them).
    pub fn invalidate(&self) {
        self.slot.clear();
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        self.slot
            .load(
                self.refresh_buffer,
                || self.inner.provide_credentials(),
                "credentials",
            )
            .await
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
