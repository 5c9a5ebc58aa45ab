//! A cache for synchronous programs (feature `blocking`).
//!
//! [`SecretCache`] has the same operations as the async [`crate::SecretCache`] without `.await`.
//! A hit is answered on the calling thread without touching any runtime; a miss waits for the
//! request on the calling thread with [`awsrt::blocking::block_on`], and requests (including
//! background refreshes) run on `awsrt`'s shared blocking runtime, the one the generated
//! `secretsmanager::blocking::Client` uses.
//!
//! ```
//! use secretsmanager::test_util::{test_config, MockTransport, Rule};
//! let mock = MockTransport::new().with_rule(
//!     Rule::new("GetSecretValue").then_output_json(r#"{"Name":"db","SecretString":"hunter2"}"#),
//! );
//! let client = secretsmanager::Client::new(&test_config(&mock));
//! let cache = secretsmanager_cache::blocking::SecretCache::new(client).unwrap();
//! let secret = cache.get("db").unwrap();
//! assert_eq!(secret.secret_string().unwrap().expose_secret(), "hunter2");
//! cache.get("db").unwrap();
//! assert_eq!(mock.request_count(), 1);
//! ```

use crate::cache::Lookup;
use crate::store::KeyRef;
use crate::{
    CacheError, CacheMetrics, ConfigError, Secret, SecretCacheBuilder, Version, WarmReport,
};

/// The synchronous face of [`crate::SecretCache`]; build it with [`SecretCache::new`] or
/// [`SecretCacheBuilder::build_blocking`]. Cheap to clone, `Send + Sync`.
#[derive(Clone, Debug)]
pub struct SecretCache {
    cache: crate::SecretCache,
}

impl SecretCacheBuilder {
    /// Builds a [`blocking::SecretCache`](SecretCache) whose requests run on `awsrt`'s shared
    /// blocking runtime (started on first use).
    pub fn build_blocking(mut self) -> Result<SecretCache, ConfigError> {
        let handle = awsrt::blocking::runtime_handle()
            .map_err(|e| ConfigError::new("runtime", e.to_string()))?;
        self.settings_mut().runtime = Some(handle);
        Ok(SecretCache {
            cache: self.build()?,
        })
    }
}

impl SecretCache {
    /// A cache with the default settings.
    pub fn new(client: secretsmanager::Client) -> Result<SecretCache, ConfigError> {
        crate::SecretCache::builder(client).build_blocking()
    }

    /// A builder (finish it with [`SecretCacheBuilder::build_blocking`]).
    pub fn builder(client: secretsmanager::Client) -> SecretCacheBuilder {
        crate::SecretCache::builder(client)
    }

    /// See [`crate::SecretCache::get`].
    pub fn get(&self, secret_id: &str) -> Result<Secret, CacheError> {
        self.get_with(secret_id, Version::Current)
    }

    /// See [`crate::SecretCache::get_version`].
    pub fn get_version(&self, secret_id: &str, version_id: &str) -> Result<Secret, CacheError> {
        self.get_with(secret_id, Version::Id(version_id))
    }

    /// See [`crate::SecretCache::get_stage`].
    pub fn get_stage(&self, secret_id: &str, stage: &str) -> Result<Secret, CacheError> {
        self.get_with(secret_id, Version::Stage(stage))
    }

    /// See [`crate::SecretCache::get_with`].
    pub fn get_with(&self, secret_id: &str, version: Version<'_>) -> Result<Secret, CacheError> {
        let key = KeyRef::new(secret_id, version);
        let inner = self.cache.inner();
        if let Some(secret) = inner.hit(key) {
            return Ok(secret);
        }
        match inner.lookup(key) {
            Lookup::Ready(r) => r,
            Lookup::Wait(flight) => wait(secret_id, async { inner.wait(key, &flight).await }),
        }
    }

    /// See [`crate::SecretCache::get_json`] (feature `serde`).
    #[cfg(feature = "serde")]
    pub fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        secret_id: &str,
    ) -> Result<T, CacheError> {
        self.get(secret_id)?.json()
    }

    /// See [`crate::SecretCache::refresh_now`].
    pub fn refresh_now(&self, secret_id: &str, version: Version<'_>) -> Result<Secret, CacheError> {
        wait(secret_id, self.cache.refresh_now(secret_id, version))
    }

    /// See [`crate::SecretCache::warm`].
    pub fn warm<I, S>(&self, secret_ids: I) -> Result<WarmReport, CacheError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let ids: Vec<String> = secret_ids.into_iter().map(Into::into).collect();
        wait("", self.cache.warm(ids))
    }

    /// See [`crate::SecretCache::invalidate`].
    pub fn invalidate(&self, secret_id: &str) -> usize {
        self.cache.invalidate(secret_id)
    }

    /// See [`crate::SecretCache::invalidate_version`].
    pub fn invalidate_version(&self, secret_id: &str, version: Version<'_>) -> bool {
        self.cache.invalidate_version(secret_id, version)
    }

    /// See [`crate::SecretCache::invalidate_all`].
    pub fn invalidate_all(&self) {
        self.cache.invalidate_all()
    }

    /// See [`crate::SecretCache::metrics`].
    pub fn metrics(&self) -> CacheMetrics {
        self.cache.metrics()
    }

    /// See [`crate::SecretCache::log_metrics`].
    pub fn log_metrics(&self) {
        self.cache.log_metrics()
    }

    /// See [`crate::SecretCache::len`].
    pub fn len(&self) -> usize {
        self.cache.len()
    }

    /// See [`crate::SecretCache::is_empty`].
    pub fn is_empty(&self) -> bool {
        self.cache.is_empty()
    }

    /// The async cache this one wraps (they share entries).
    pub fn as_async(&self) -> &crate::SecretCache {
        &self.cache
    }
}

/// Waits for `future` on this thread; a call from the blocking runtime's own thread (which
/// would deadlock) is refused as [`CacheError::NoRuntime`].
fn wait<T>(
    secret_id: &str,
    future: impl std::future::Future<Output = Result<T, CacheError>>,
) -> Result<T, CacheError> {
    awsrt::blocking::try_block_on(future).unwrap_or_else(|_| {
        Err(CacheError::NoRuntime {
            secret_id: secret_id.to_owned(),
        })
    })
}
