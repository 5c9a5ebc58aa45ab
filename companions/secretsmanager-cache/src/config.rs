//! [`SecretCacheBuilder`]: every setting of a [`SecretCache`], with its default.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tokio::runtime::Handle;

use crate::cache::SecretCache;
use crate::error::ConfigError;
use crate::secret::SecretValue;

/// Default [`SecretCacheBuilder::max_entries`].
pub const DEFAULT_MAX_ENTRIES: usize = 1024;
/// Default [`SecretCacheBuilder::ttl`]: one hour, as the official caching libraries.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);
/// Default [`SecretCacheBuilder::ttl_jitter`].
pub const DEFAULT_TTL_JITTER: f64 = 0.1;
/// Default [`SecretCacheBuilder::refresh_ahead`].
pub const DEFAULT_REFRESH_AHEAD: f64 = 0.8;
/// Default [`SecretCacheBuilder::stale_if_error`].
pub const DEFAULT_STALE_GRACE: Duration = Duration::from_secs(15 * 60);
/// Default first delay of [`SecretCacheBuilder::error_backoff`].
pub const DEFAULT_BACKOFF_INITIAL: Duration = Duration::from_secs(1);
/// Default longest delay of [`SecretCacheBuilder::error_backoff`].
pub const DEFAULT_BACKOFF_MAX: Duration = Duration::from_secs(300);

/// The transform hook: secret id and fetched value in, the value to cache out.
pub(crate) type TransformFn =
    dyn Fn(&str, SecretValue) -> Result<SecretValue, Box<dyn StdError + Send + Sync>> + Send + Sync;

/// The settings a built cache runs with.
#[derive(Clone)]
pub(crate) struct Settings {
    pub max_entries: usize,
    pub ttl: Duration,
    pub ttl_jitter: f64,
    pub refresh_ahead: Option<f64>,
    pub stale_grace: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    pub describe_check: bool,
    pub transform: Option<Arc<TransformFn>>,
    pub runtime: Option<Handle>,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("max_entries", &self.max_entries)
            .field("ttl", &self.ttl)
            .field("ttl_jitter", &self.ttl_jitter)
            .field("refresh_ahead", &self.refresh_ahead)
            .field("stale_grace", &self.stale_grace)
            .field("backoff_initial", &self.backoff_initial)
            .field("backoff_max", &self.backoff_max)
            .field("describe_check", &self.describe_check)
            .field("transform", &self.transform.is_some())
            .finish()
    }
}

impl Settings {
    /// The delay before attempt `failures + 1`: initial × 2^(failures − 1), at most the maximum.
    pub fn backoff(&self, failures: u32) -> Duration {
        let doublings = failures.saturating_sub(1).min(30);
        self.backoff_initial
            .saturating_mul(1u32 << doublings)
            .min(self.backoff_max)
    }

    /// The TTL of one fetched value: `ttl` shortened by up to `ttl_jitter` of itself, `unit`
    /// being a uniform draw from [0, 1).
    pub fn jittered_ttl(&self, unit: f64) -> Duration {
        self.ttl
            .mul_f64(1.0 - self.ttl_jitter * unit.clamp(0.0, 1.0))
    }
}

/// Configures a [`SecretCache`]; start with [`SecretCache::builder`].
///
/// ```
/// use std::time::Duration;
/// # fn example(client: secretsmanager::Client) -> Result<(), secretsmanager_cache::ConfigError> {
/// let cache = secretsmanager_cache::SecretCache::builder(client)
///     .max_entries(500)                          // LRU beyond that
///     .ttl(Duration::from_secs(300))             // each value served at most 5 minutes...
///     .ttl_jitter(0.2)                           // ...minus up to 20 %, so entries expire apart
///     .refresh_ahead(0.75)                       // hits after 75 % of the TTL refresh in the background
///     .stale_if_error(Duration::from_secs(600))  // service down: keep serving up to 10 more minutes
///     .error_backoff(Duration::from_millis(500), Duration::from_secs(60))
///     .describe_check(true)                      // renew unchanged versions with DescribeSecret
///     .build()?;
/// # let _ = cache; Ok(()) }
/// ```
#[derive(Debug)]
pub struct SecretCacheBuilder {
    client: secretsmanager::Client,
    settings: Settings,
}

impl SecretCacheBuilder {
    pub(crate) fn new(client: secretsmanager::Client) -> SecretCacheBuilder {
        SecretCacheBuilder {
            client,
            settings: Settings {
                max_entries: DEFAULT_MAX_ENTRIES,
                ttl: DEFAULT_TTL,
                ttl_jitter: DEFAULT_TTL_JITTER,
                refresh_ahead: Some(DEFAULT_REFRESH_AHEAD),
                stale_grace: DEFAULT_STALE_GRACE,
                backoff_initial: DEFAULT_BACKOFF_INITIAL,
                backoff_max: DEFAULT_BACKOFF_MAX,
                describe_check: false,
                transform: None,
                runtime: None,
            },
        }
    }

    /// At most this many entries (one per secret id and version asked for); beyond it the least
    /// recently used entry is dropped. Default [`DEFAULT_MAX_ENTRIES`]; must be at least 1.
    ///
    /// The order, precisely: a cache-wide counter advances by one at every insertion and at every
    /// recorded use, and each entry keeps the counter's value at its own last one; the entry
    /// with the oldest value is evicted. Every get of an entry (a hit, with or without the lock,
    /// an expired or failed entry asked for again, [`refresh_now`](crate::SecretCache::refresh_now),
    /// a [`warm`](crate::SecretCache::warm)ing) is a use, but it is *recorded* only when at least
    /// `w = max(1, n / 16)` steps have passed since the entry's last recorded use (so a hit on
    /// the entry used last, or on any of the most recent few, writes nothing shared). With
    /// `n ≤ 31`, `w = 1`: exact least-recently-used order. With more entries the order can
    /// differ from exact LRU only between entries whose last uses are fewer than `w` steps
    /// apart. [`SecretCache::keys`](crate::SecretCache::keys) lists the entries in this order,
    /// most recent first.
    pub fn max_entries(mut self, n: usize) -> Self {
        self.settings.max_entries = n;
        self
    }

    /// How long a fetched value is served without asking Secrets Manager again (before jitter).
    /// A rotation becomes visible within this time. Default [`DEFAULT_TTL`]; must not be zero.
    pub fn ttl(mut self, ttl: Duration) -> Self {
        self.settings.ttl = ttl;
        self
    }

    /// Each value's TTL is shortened by a random fraction of the TTL between 0 and `fraction`,
    /// so entries fetched together do not all expire together. 0 turns jitter off; must be in
    /// [0, 1). Default [`DEFAULT_TTL_JITTER`].
    pub fn ttl_jitter(mut self, fraction: f64) -> Self {
        self.settings.ttl_jitter = fraction;
        self
    }

    /// A hit after this fraction of the value's TTL starts a refresh in the background and is
    /// answered from the cache at once, so callers of a key in use never wait for the network.
    /// Must be in (0, 1]; 1 turns it off (the first caller after expiry waits). Default
    /// [`DEFAULT_REFRESH_AHEAD`].
    pub fn refresh_ahead(mut self, fraction: f64) -> Self {
        self.settings.refresh_ahead = Some(fraction);
        self
    }

    /// When refreshing fails for a transient reason (timeout, connection failure, throttling,
    /// 5xx; see [`CacheError::is_transient`](crate::CacheError::is_transient)), keep serving
    /// the expired value for up to `grace` after its TTL, retrying with
    /// [`error_backoff`](Self::error_backoff) until the service answers again.
    /// `Duration::ZERO` turns it off. Default [`DEFAULT_STALE_GRACE`].
    pub fn stale_if_error(mut self, grace: Duration) -> Self {
        self.settings.stale_grace = grace;
        self
    }

    /// After a failed request for a key, wait `initial` before the next one, doubling after each
    /// further failure up to `max`. Meanwhile callers get the stale value (within the grace) or
    /// [`CacheError::BackingOff`](crate::CacheError::BackingOff) without a request. Defaults
    /// [`DEFAULT_BACKOFF_INITIAL`] and [`DEFAULT_BACKOFF_MAX`]; `initial` must not exceed `max`.
    pub fn error_backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.settings.backoff_initial = initial;
        self.settings.backoff_max = max;
        self
    }

    /// When a value is due for refresh, first ask DescribeSecret whether the cached version
    /// still has the stage asked for (or, for a version id, still exists); if so, renew the
    /// entry without fetching the value again. Off by default: it trades a GetSecretValue for a
    /// DescribeSecret, and a second request when the version did change.
    pub fn describe_check(mut self, on: bool) -> Self {
        self.settings.describe_check = on;
        self
    }

    /// Runs `hook` on every value fetched, before it is cached (so hits cost nothing): decode,
    /// decrypt, normalise. An error fails that fetch with
    /// [`CacheError::Transform`](crate::CacheError::Transform).
    ///
    /// ```
    /// use secretsmanager_cache::SecretValue;
    /// # fn example(client: secretsmanager::Client) {
    /// let cache = secretsmanager_cache::SecretCache::builder(client)
    ///     .transform(|_id, value| match value {
    ///         SecretValue::String(s) => Ok(SecretValue::String(s.expose_secret().trim().into())),
    ///         other => Ok(other),
    ///     })
    ///     .build()
    ///     .unwrap();
    /// # let _ = cache; }
    /// ```
    pub fn transform(
        mut self,
        hook: impl Fn(&str, SecretValue) -> Result<SecretValue, Box<dyn StdError + Send + Sync>>
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.settings.transform = Some(Arc::new(hook));
        self
    }

    /// The runtime that runs requests and background refreshes when the cache is called from
    /// outside any tokio runtime. Inside a runtime, the caller's runtime is used.
    pub fn runtime(mut self, handle: Handle) -> Self {
        self.settings.runtime = Some(handle);
        self
    }

    /// Checks the settings and builds the cache.
    pub fn build(self) -> Result<SecretCache, ConfigError> {
        let s = &self.settings;
        if s.max_entries == 0 {
            return Err(ConfigError::new("max_entries", "must be at least 1"));
        }
        if s.ttl.is_zero() {
            return Err(ConfigError::new("ttl", "must not be zero"));
        }
        if !(0.0..1.0).contains(&s.ttl_jitter) {
            return Err(ConfigError::new("ttl_jitter", "must be in [0, 1)"));
        }
        if let Some(f) = s.refresh_ahead {
            if !(f > 0.0 && f <= 1.0) {
                return Err(ConfigError::new("refresh_ahead", "must be in (0, 1]"));
            }
        }
        if s.backoff_initial > s.backoff_max || s.backoff_initial.is_zero() {
            return Err(ConfigError::new(
                "error_backoff",
                "initial must be positive and at most max",
            ));
        }
        let mut settings = self.settings;
        if settings.refresh_ahead == Some(1.0) {
            settings.refresh_ahead = None;
        }
        if settings.runtime.is_none() {
            settings.runtime = Handle::try_current().ok();
        }
        Ok(SecretCache::from_parts(self.client, settings))
    }

    #[cfg(feature = "blocking")]
    pub(crate) fn settings_mut(&mut self) -> &mut Settings {
        &mut self.settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn builder() -> SecretCacheBuilder {
        SecretCacheBuilder::new(secretsmanager::Client::new(
            &secretsmanager::Config::builder().build(),
        ))
    }

    #[test]
    fn refuses_bad_settings_naming_them() {
        let bad = [
            (builder().max_entries(0), "max_entries"),
            (builder().ttl(Duration::ZERO), "ttl"),
            (builder().ttl_jitter(1.0), "ttl_jitter"),
            (builder().ttl_jitter(-0.1), "ttl_jitter"),
            (builder().refresh_ahead(0.0), "refresh_ahead"),
            (builder().refresh_ahead(1.5), "refresh_ahead"),
            (
                builder().error_backoff(Duration::from_secs(2), Duration::from_secs(1)),
                "error_backoff",
            ),
        ];
        for (b, setting) in bad {
            let err = b.build().unwrap_err();
            assert_eq!(err.setting(), setting);
            assert!(err.to_string().contains(setting));
        }
        assert!(builder().refresh_ahead(1.0).build().is_ok());
    }

    #[test]
    fn backoff_doubles_up_to_the_maximum() {
        let mut s = builder().settings;
        s.backoff_initial = Duration::from_secs(1);
        s.backoff_max = Duration::from_secs(10);
        let got: Vec<u64> = (1..=6).map(|n| s.backoff(n).as_secs()).collect();
        assert_eq!(got, [1, 2, 4, 8, 10, 10]);
        assert_eq!(s.backoff(u32::MAX), Duration::from_secs(10));
    }

    #[test]
    fn jitter_shortens_within_the_fraction() {
        let mut s = builder().settings;
        s.ttl = Duration::from_secs(100);
        s.ttl_jitter = 0.2;
        assert_eq!(s.jittered_ttl(0.0), Duration::from_secs(100));
        assert_eq!(s.jittered_ttl(0.5), Duration::from_secs(90));
        assert!(s.jittered_ttl(0.999_999) > Duration::from_secs(80));
        s.ttl_jitter = 0.0;
        assert_eq!(s.jittered_ttl(0.7), Duration::from_secs(100));
    }
}
