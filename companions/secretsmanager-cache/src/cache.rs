//! [`SecretCache`]: lookups, single-flight requests, refresh ahead, stale-if-error, warming.
//!
//! Everything the cache knows sits in one [`State`] behind a `std` mutex that is never held
//! across an `.await`. A hit on a key the thread has read before does not take it: it is
//! answered by the thread's own map ([`crate::local`]) with no write to memory another thread
//! writes. Everything else (a thread's first hit on a key, hits from the refresh-ahead point
//! on, misses, stale answers) is decided under the lock. Every request runs as its own task on
//! the runtime (the caller's, else the one given to the builder), so a caller that stops
//! waiting never strands the others, and the result is published to all waiters through the
//! key's [`Flight`].

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::time::Instant;

use crate::config::{SecretCacheBuilder, Settings};
use crate::error::CacheError;
use crate::flight::Flight;
use crate::local::{self, ThreadHits};
use crate::lru::{Lru, Recorder};
use crate::metrics::CacheMetrics;
use crate::secret::Secret;
use crate::store::{Entry, Key, KeyRef, Version, AWSCURRENT};

/// Target of every `tracing` event the cache writes.
const TARGET: &str = "secretsmanager_cache";
/// Most secret ids BatchGetSecretValue takes in one call.
const BATCH_MAX_IDS: usize = 20;

/// Numbers caches, so that a thread's maps tell them apart.
static NEXT_CACHE: AtomicU64 = AtomicU64::new(1);

/// An in-process cache of Secrets Manager secrets on top of a [`secretsmanager::Client`].
///
/// Cheap to clone (clones share the cache), `Send + Sync`. See the [crate docs](crate) for what
/// it does and [`SecretCacheBuilder`] for the settings.
///
/// ```
/// use secretsmanager::test_util::{test_config, MockTransport, Rule};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let mock = MockTransport::new().with_rule(
///     Rule::new("GetSecretValue").then_output_json(r#"{"Name":"db","VersionId":"v1","SecretString":"hunter2"}"#),
/// );
/// let client = secretsmanager::Client::new(&test_config(&mock));
/// let cache = secretsmanager_cache::SecretCache::new(client);
///
/// let first = cache.get("db").await?;                  // one GetSecretValue
/// let again = cache.get("db").await?;                  // from memory
/// assert_eq!(again.secret_string().unwrap().expose_secret(), "hunter2");
/// assert!(first.ptr_eq(&again));
/// assert_eq!(mock.request_count(), 1);
/// assert_eq!((cache.metrics().hits, cache.metrics().misses), (1, 1));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SecretCache {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for SecretCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretCache")
            .field("settings", &self.inner.settings)
            .field("entries", &self.len())
            .finish()
    }
}

pub(crate) struct Inner {
    /// Read by every hit; never written after construction.
    id: u64,
    seed: u64,
    /// The recency counter (on a cache line of its own).
    recorder: Arc<Recorder>,
    client: secretsmanager::Client,
    settings: Settings,
    state: Mutex<State>,
    rng: AtomicU64,
}

/// The entries and the counters, under one lock.
struct State {
    lru: Lru<Entry>,
    /// Hits counted under the lock, and those of threads that have exited.
    counts: CacheMetrics,
    /// Each live thread's count of lock-free hits.
    threads: Vec<Arc<ThreadHits>>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        local::forget_cache(self.id);
    }
}

/// What a lookup found.
pub(crate) enum Lookup {
    /// An answer now (a hit, a stale value, or a failure while backing off).
    Ready(Result<Secret, CacheError>),
    /// A request is under way: wait for it.
    Wait(Arc<Flight>),
}

/// Why a request is sent (for the `tracing` events).
#[derive(Clone, Copy, Debug)]
enum Reason {
    Miss,
    Expired,
    RefreshAhead,
    Retry,
    RefreshNow,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Miss => "miss",
            Reason::Expired => "expired",
            Reason::RefreshAhead => "refresh-ahead",
            Reason::Retry => "retry after failure",
            Reason::RefreshNow => "refresh_now",
        }
    }
}

/// What [`SecretCache::warm`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WarmReport {
    /// The ids now cached (as the caller wrote them).
    pub cached: Vec<String>,
    /// The ids Secrets Manager returned an error for.
    pub failed: Vec<WarmFailure>,
    /// BatchGetSecretValue calls made.
    pub requests: u64,
}

/// One secret [`SecretCache::warm`] could not fetch.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct WarmFailure {
    /// The secret id.
    pub secret_id: String,
    /// The service's error code (`ResourceNotFoundException`, ...), or `Transform` when the
    /// transform hook refused the value.
    pub code: Option<String>,
}

fn add(t: Instant, d: Duration) -> Instant {
    t.checked_add(d)
        .unwrap_or(t + Duration::from_secs(86400 * 365 * 30))
}

impl SecretCache {
    /// A builder for a cache on top of `client`.
    pub fn builder(client: secretsmanager::Client) -> SecretCacheBuilder {
        SecretCacheBuilder::new(client)
    }

    /// A cache with the default settings (see [`SecretCacheBuilder`]).
    pub fn new(client: secretsmanager::Client) -> SecretCache {
        SecretCacheBuilder::new(client)
            .build()
            .expect("the default settings are valid")
    }

    pub(crate) fn from_parts(client: secretsmanager::Client, settings: Settings) -> SecretCache {
        let seed = {
            let mut h = RandomState::new().build_hasher();
            h.write_u64(std::process::id().into());
            h.finish()
        };
        let recorder = Arc::new(Recorder::new(settings.max_entries));
        SecretCache {
            inner: Arc::new(Inner {
                id: NEXT_CACHE.fetch_add(1, Ordering::Relaxed),
                seed: seed.rotate_left(17),
                client,
                state: Mutex::new(State {
                    lru: Lru::new(settings.max_entries, seed.rotate_left(17), recorder.clone()),
                    counts: CacheMetrics::default(),
                    threads: Vec::new(),
                }),
                recorder,
                settings,
                rng: AtomicU64::new(seed),
            }),
        }
    }

    /// The `AWSCURRENT` version of the secret named (or with the ARN) `secret_id`.
    ///
    /// Within the TTL this answers from memory without waiting; the first caller of a cold or
    /// expired key sends one GetSecretValue and every concurrent caller of that key waits for
    /// the same answer.
    pub async fn get(&self, secret_id: &str) -> Result<Secret, CacheError> {
        let key = KeyRef::current(secret_id);
        match self.inner.hit(key) {
            Some(secret) => Ok(secret),
            None => self.inner.get_locked(key).await,
        }
    }

    /// The version of `secret_id` whose id is `version_id`.
    pub async fn get_version(
        &self,
        secret_id: &str,
        version_id: &str,
    ) -> Result<Secret, CacheError> {
        self.get_with(secret_id, Version::Id(version_id)).await
    }

    /// The version of `secret_id` carrying the staging label `stage` (`AWSPREVIOUS`, ...).
    pub async fn get_stage(&self, secret_id: &str, stage: &str) -> Result<Secret, CacheError> {
        self.get_with(secret_id, Version::Stage(stage)).await
    }

    /// The version `version` of `secret_id`; each (id, version) pair is its own entry.
    pub async fn get_with(
        &self,
        secret_id: &str,
        version: Version<'_>,
    ) -> Result<Secret, CacheError> {
        let key = KeyRef::new(secret_id, version);
        match self.inner.hit(key) {
            Some(secret) => Ok(secret),
            None => self.inner.get_locked(key).await,
        }
    }

    /// The `AWSCURRENT` value of `secret_id` parsed as JSON into `T` (feature `serde`); see
    /// [`Secret::json`].
    #[cfg(feature = "serde")]
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        secret_id: &str,
    ) -> Result<T, CacheError> {
        self.get(secret_id).await?.json()
    }

    /// Fetches `version` of `secret_id` now, whatever the cache holds (no DescribeSecret check,
    /// no backoff), caches and returns it. Callers of the key that arrive meanwhile wait for
    /// this request. On failure the cached value, if any, stays (for a transient failure).
    pub async fn refresh_now(
        &self,
        secret_id: &str,
        version: Version<'_>,
    ) -> Result<Secret, CacheError> {
        let key = KeyRef::new(secret_id, version);
        let flight = Arc::new(Flight::default());
        let evicted = {
            let mut st = self.inner.lock();
            match st.lru.get_mut(key) {
                Some(e) => {
                    e.flight = Some(flight.clone());
                    None
                }
                None => {
                    let ev = st.lru.insert(
                        key.to_owned(),
                        Entry::pending(flight.clone(), Instant::now()),
                    );
                    st.counts.evictions += u64::from(ev.is_some());
                    ev
                }
            }
        };
        log_eviction(evicted);
        self.inner
            .spawn_fetch(key.to_owned(), flight.clone(), Reason::RefreshNow);
        flight.wait().await
    }

    /// Drops every cached version of `secret_id`; returns how many entries that was. The next
    /// get sends a request. A request under way is answered to its waiters but not cached.
    pub fn invalidate(&self, secret_id: &str) -> usize {
        let removed = self.inner.lock().lru.remove_where(|k| k.id == secret_id);
        tracing::debug!(target: TARGET, secret_id, entries = removed.len(), "invalidated");
        removed.len()
    }

    /// Drops the entry for one version of `secret_id`; returns whether there was one.
    pub fn invalidate_version(&self, secret_id: &str, version: Version<'_>) -> bool {
        let removed = self
            .inner
            .lock()
            .lru
            .remove(KeyRef::new(secret_id, version));
        removed.is_some()
    }

    /// Drops every entry.
    pub fn invalidate_all(&self) {
        let removed = self.inner.lock().lru.remove_where(|_| true);
        tracing::debug!(target: TARGET, entries = removed.len(), "invalidated all");
    }

    /// Fetches the `AWSCURRENT` value of many secrets with BatchGetSecretValue (20 ids per
    /// call) and caches each under the id as given, with a fresh TTL: to warm the cache at
    /// start-up, or to refresh many entries in a few calls.
    ///
    /// Secrets the service reports errors for are listed in [`WarmReport::failed`]; a call that
    /// fails as a whole returns its error (secrets cached by earlier calls stay cached).
    ///
    /// ```
    /// use secretsmanager::test_util::{test_config, MockTransport, Rule};
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let mock = MockTransport::new().with_rule(Rule::new("BatchGetSecretValue").then_output_json(
    ///     r#"{"SecretValues":[{"Name":"a","SecretString":"1"},{"Name":"b","SecretString":"2"}],
    ///         "Errors":[{"SecretId":"c","ErrorCode":"ResourceNotFoundException"}]}"#,
    /// ));
    /// let cache = secretsmanager_cache::SecretCache::new(secretsmanager::Client::new(&test_config(&mock)));
    /// let report = cache.warm(["a", "b", "c"]).await?;
    /// assert_eq!(report.cached, ["a", "b"]);
    /// assert_eq!(report.failed[0].secret_id, "c");
    /// cache.get("a").await?;                      // no further request
    /// assert_eq!(mock.request_count(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn warm<I, S>(&self, secret_ids: I) -> Result<WarmReport, CacheError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut ids: Vec<String> = Vec::new();
        for id in secret_ids {
            let id = id.into();
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut report = WarmReport::default();
        for chunk in ids.chunks(BATCH_MAX_IDS) {
            self.inner.warm_chunk(chunk, &mut report).await?;
        }
        tracing::info!(
            target: TARGET,
            requested = ids.len(),
            cached = report.cached.len(),
            failed = report.failed.len(),
            requests = report.requests,
            "warmed"
        );
        Ok(report)
    }

    /// The counters so far and the number of entries.
    pub fn metrics(&self) -> CacheMetrics {
        let st = self.inner.lock();
        let thread_hits: u64 = st.threads.iter().map(|t| t.get()).sum();
        CacheMetrics {
            entries: st.lru.len(),
            hits: st.counts.hits + thread_hits,
            ..st.counts
        }
    }

    /// Writes [`SecretCache::metrics`] as one `tracing` event at INFO (target
    /// `secretsmanager_cache`, message `secret cache metrics`, one field per counter).
    pub fn log_metrics(&self) {
        self.metrics().emit()
    }

    /// Number of entries (one per secret id and version asked for).
    pub fn len(&self) -> usize {
        self.inner.lock().lru.len()
    }

    /// Whether the cache holds no entry.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cached (id, version) pairs from most to least recently used, as
    /// `(secret_id, version_id_or_stage)` (`None` for `AWSCURRENT`): the reverse of the
    /// order in which they would be evicted (see [`SecretCacheBuilder::max_entries`] for how
    /// recency is recorded).
    pub fn keys(&self) -> Vec<(String, Option<String>)> {
        self.inner
            .lock()
            .lru
            .keys_by_recency()
            .into_iter()
            .map(|k| {
                let v = match k.version {
                    Version::Current => None,
                    Version::Id(v) | Version::Stage(v) => Some(v.to_owned()),
                };
                (k.id.to_owned(), v)
            })
            .collect()
    }

    /// The client the cache sends its requests with.
    pub fn client(&self) -> &secretsmanager::Client {
        &self.inner.client
    }

    #[cfg(any(test, feature = "blocking"))]
    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }
}

fn log_eviction(evicted: Option<(Key, Entry)>) {
    if let Some((key, _)) = evicted {
        let k = key.as_ref();
        tracing::debug!(target: TARGET, secret_id = k.id, version = ?k.version, "evicted (max entries)");
    }
}

impl Inner {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing panics while holding the lock; a poisoned lock still holds consistent data.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    pub(crate) fn seed(&self) -> u64 {
        self.seed
    }

    pub(crate) fn max_entries(&self) -> usize {
        self.settings.max_entries
    }

    /// A hit counter for a thread starting to use the lock-free path.
    pub(crate) fn register_thread(&self) -> Arc<ThreadHits> {
        let hits = Arc::new(ThreadHits::default());
        self.lock().threads.push(hits.clone());
        hits
    }

    /// A thread has exited: its hits join the cache's own count.
    pub(crate) fn retire_thread(&self, hits: &Arc<ThreadHits>) {
        let mut st = self.lock();
        if let Some(i) = st.threads.iter().position(|t| Arc::ptr_eq(t, hits)) {
            st.threads.swap_remove(i);
            st.counts.hits += hits.get();
        }
    }

    /// A uniform draw from [0, 1) (splitmix64), for TTL jitter.
    fn random(&self) -> f64 {
        let mut z = self
            .rng
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
            .wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }

    /// The lock-free hit ([`local::hit`]), when this thread may serve `key` without the lock.
    #[inline]
    pub(crate) fn hit(&self, key: KeyRef<'_>) -> Option<Secret> {
        let secret = local::hit(self.id, key, &self.recorder)?;
        tracing::trace!(target: TARGET, secret_id = key.id, "hit");
        Some(secret)
    }

    /// A get that [`Inner::hit`] could not answer.
    async fn get_locked(self: &Arc<Self>, key: KeyRef<'_>) -> Result<Secret, CacheError> {
        match self.lookup(key) {
            Lookup::Ready(r) => r,
            Lookup::Wait(flight) => self.wait(key, &flight).await,
        }
    }

    /// Answers under the lock, or says which request to wait for (starting it if needed).
    /// Never waits itself, so a hit is answered synchronously.
    pub(crate) fn lookup(self: &Arc<Self>, key: KeyRef<'_>) -> Lookup {
        let thread = local::thread_number();
        let now = Instant::now();
        let mut start = None;
        let mut evicted = None;
        let mut remember = None;
        let out = {
            let mut guard = self.lock();
            let State { lru, counts, .. } = &mut *guard;
            match lru.get_mut(key) {
                Some(e) => {
                    let out = self.decide(e, counts, now, &mut start, key);
                    // A hit before the refresh point: this thread's next hits skip the lock.
                    if matches!(out, Lookup::Ready(Ok(_))) && now < e.refresh_at {
                        remember = thread.and_then(|t| e.handle_for(t));
                    }
                    out
                }
                None => {
                    counts.misses += 1;
                    let flight = Arc::new(Flight::default());
                    evicted = lru.insert(key.to_owned(), Entry::pending(flight.clone(), now));
                    counts.evictions += u64::from(evicted.is_some());
                    start = Some((flight.clone(), Reason::Miss));
                    Lookup::Wait(flight)
                }
            }
        };
        log_eviction(evicted);
        let out = match remember {
            Some((handle, tag)) => {
                local::remember(self, key, &handle, tag);
                Lookup::Ready(Ok(handle))
            }
            None => {
                local::forget_retired(self.id, key);
                out
            }
        };
        match &out {
            Lookup::Ready(Ok(_)) => {
                tracing::trace!(target: TARGET, secret_id = key.id, "hit")
            }
            Lookup::Ready(Err(e)) => {
                tracing::debug!(target: TARGET, secret_id = key.id, code = e.code(), "failing fast while backing off")
            }
            Lookup::Wait(_) => {
                tracing::debug!(target: TARGET, secret_id = key.id, version = ?key.version, "miss")
            }
        }
        if let Some((flight, reason)) = start {
            self.spawn_fetch(key.to_owned(), flight, reason);
        }
        out
    }

    /// The decision for a key with an entry (under the lock).
    fn decide(
        &self,
        e: &mut Entry,
        counts: &mut CacheMetrics,
        now: Instant,
        start: &mut Option<(Arc<Flight>, Reason)>,
        key: KeyRef<'_>,
    ) -> Lookup {
        let mut begin = |e: &mut Entry, reason| {
            let flight = Arc::new(Flight::default());
            e.flight = Some(flight.clone());
            *start = Some((flight.clone(), reason));
            flight
        };
        if let Some(value) = &e.value {
            if now < e.fresh_until {
                counts.hits += 1;
                let value = value.clone();
                if now >= e.refresh_at && e.flight.is_none() && !e.backing_off(now) {
                    begin(e, Reason::RefreshAhead);
                }
                return Lookup::Ready(Ok(value));
            }
            if e.failures > 0 && now < add(e.fresh_until, self.settings.stale_grace) {
                // The last refresh failed transiently: serve stale, retry after the backoff.
                counts.stale_served += 1;
                let value = value.clone();
                if e.flight.is_none() && !e.backing_off(now) {
                    begin(e, Reason::Retry);
                }
                tracing::debug!(target: TARGET, secret_id = key.id, failures = e.failures, "serving stale value");
                return Lookup::Ready(Ok(value));
            }
            counts.misses += 1;
            if let Some(f) = &e.flight {
                counts.coalesced += 1;
                return Lookup::Wait(f.clone());
            }
            return Lookup::Wait(begin(e, Reason::Expired));
        }
        counts.misses += 1;
        if let Some(f) = &e.flight {
            counts.coalesced += 1;
            return Lookup::Wait(f.clone());
        }
        if let (Some(retry_at), Some(last)) = (e.retry_at, &e.last_error) {
            if now < retry_at {
                return Lookup::Ready(Err(CacheError::BackingOff {
                    secret_id: key.id.to_owned(),
                    retry_in: retry_at - now,
                    last: Arc::new(last.clone()),
                }));
            }
        }
        Lookup::Wait(begin(e, Reason::Miss))
    }

    /// Waits for `flight`; a transient failure falls back to a stale value within the grace.
    pub(crate) async fn wait(
        &self,
        key: KeyRef<'_>,
        flight: &Flight,
    ) -> Result<Secret, CacheError> {
        match flight.wait().await {
            Err(e) if e.is_transient() && !self.settings.stale_grace.is_zero() => {
                let now = Instant::now();
                let mut guard = self.lock();
                let State { lru, counts, .. } = &mut *guard;
                match lru.peek_mut(key) {
                    Some(entry) if now < add(entry.fresh_until, self.settings.stale_grace) => {
                        match &entry.value {
                            Some(v) => {
                                counts.stale_served += 1;
                                Ok(v.clone())
                            }
                            None => Err(e),
                        }
                    }
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    /// Runs the request for `key` as a task on the caller's runtime, else the configured one.
    fn spawn_fetch(self: &Arc<Self>, key: Key, flight: Arc<Flight>, reason: Reason) {
        let handle = Handle::try_current()
            .ok()
            .or_else(|| self.settings.runtime.clone());
        match handle {
            Some(h) => {
                let inner = self.clone();
                h.spawn(async move { inner.fetch(key, flight, reason).await });
            }
            None => {
                let err = CacheError::NoRuntime {
                    secret_id: key.as_ref().id.to_owned(),
                };
                self.complete(key.as_ref(), &flight, Err(err), 0, reason);
            }
        }
    }

    /// One request (with the optional DescribeSecret check first), then [`Inner::complete`].
    async fn fetch(self: Arc<Self>, key: Key, flight: Arc<Flight>, reason: Reason) {
        let k = key.as_ref();
        tracing::debug!(target: TARGET, secret_id = k.id, version = ?k.version, reason = reason.as_str(), "requesting");
        let check = self.settings.describe_check && !matches!(reason, Reason::RefreshNow);
        let previous = if check {
            self.lock().lru.peek_mut(k).and_then(|e| e.value.clone())
        } else {
            None
        };
        let mut requests = 0;
        if let Some(prev) = previous {
            requests += 1;
            match self.still_current(k, &prev).await {
                // Unchanged: renew the entry without fetching the value.
                Ok(true) => return self.complete(k, &flight, Ok(prev), requests, reason),
                Ok(false) => {}
                Err(e) => return self.complete(k, &flight, Err(e), requests, reason),
            }
        }
        requests += 1;
        let result = self.fetch_value(k).await;
        self.complete(k, &flight, result, requests, reason);
    }

    /// GetSecretValue, then the transform hook.
    async fn fetch_value(&self, k: KeyRef<'_>) -> Result<Secret, CacheError> {
        let (version_id, stage) = k.version.request_parts();
        let out = self
            .client
            .get_secret_value()
            .secret_id(k.id)
            .set_version_id(version_id.map(str::to_owned))
            .set_version_stage(stage.map(str::to_owned))
            .send()
            .await
            .map_err(|e| CacheError::get(k.id, e))?;
        self.transformed(k.id, Secret::from_output(out))
    }

    fn transformed(&self, secret_id: &str, secret: Secret) -> Result<Secret, CacheError> {
        match &self.settings.transform {
            None => Ok(secret),
            Some(hook) => {
                secret
                    .try_map_value(|v| hook(secret_id, v))
                    .map_err(|e| CacheError::Transform {
                        secret_id: secret_id.to_owned(),
                        source: Arc::from(e),
                    })
            }
        }
    }

    /// DescribeSecret: does the cached version still answer this key?
    async fn still_current(&self, k: KeyRef<'_>, prev: &Secret) -> Result<bool, CacheError> {
        let Some(version_id) = prev.version_id() else {
            return Ok(false);
        };
        let out = self
            .client
            .describe_secret()
            .secret_id(prev.arn().unwrap_or(k.id))
            .send()
            .await
            .map_err(|e| CacheError::describe(k.id, e))?;
        let Some(map) = out.version_ids_to_stages() else {
            return Ok(false);
        };
        let has = |stage: &str| {
            map.get(version_id)
                .is_some_and(|s| s.iter().any(|x| x == stage))
        };
        Ok(match k.version {
            Version::Current => has(AWSCURRENT),
            Version::Stage(stage) => has(stage),
            Version::Id(id) => id == version_id && map.contains_key(id),
        })
    }

    /// Records the outcome of `flight` in the entry (when the entry still belongs to it) and
    /// hands the result to its waiters.
    fn complete(
        &self,
        k: KeyRef<'_>,
        flight: &Flight,
        result: Result<Secret, CacheError>,
        requests: u64,
        reason: Reason,
    ) {
        let now = Instant::now();
        let mut dropped = None;
        let mut failure = None;
        {
            let mut guard = self.lock();
            let State { lru, counts, .. } = &mut *guard;
            counts.requests += requests;
            counts.errors += u64::from(result.is_err());
            let entry = lru
                .peek_mut(k)
                .filter(|e| e.flight.as_deref().is_some_and(|f| std::ptr::eq(f, flight)));
            if let Some(e) = entry {
                e.flight = None;
                match &result {
                    Ok(secret) => {
                        let (fresh_until, refresh_at) = self.deadlines(now);
                        counts.refreshes += u64::from(e.value.is_some());
                        dropped = e.publish(secret.clone(), fresh_until, refresh_at);
                    }
                    Err(err) => {
                        e.failures = e.failures.saturating_add(1);
                        let delay = self.settings.backoff(e.failures);
                        e.retry_at = Some(add(now, delay));
                        e.last_error = Some(err.clone());
                        if !err.is_transient() {
                            dropped = e.take_value();
                        }
                        failure = Some((e.failures, delay));
                    }
                }
            }
        }
        match &result {
            Ok(s) => tracing::debug!(
                target: TARGET,
                secret_id = k.id,
                version_id = s.version_id(),
                reason = reason.as_str(),
                requests,
                "fetched"
            ),
            Err(e) => tracing::warn!(
                target: TARGET,
                secret_id = k.id,
                code = e.code(),
                transient = e.is_transient(),
                failures = failure.map(|f| f.0),
                retry_in_ms = failure.map(|f| f.1.as_millis() as u64),
                reason = reason.as_str(),
                "request failed"
            ),
        }
        flight.complete(result);
        drop(dropped);
    }

    /// `(fresh_until, refresh_at)` of a value fetched at `now` (the TTL jittered).
    fn deadlines(&self, now: Instant) -> (Instant, Instant) {
        let ttl = self.settings.jittered_ttl(self.random());
        let fresh_until = add(now, ttl);
        let refresh_at = match self.settings.refresh_ahead {
            Some(f) => add(now, ttl.mul_f64(f)),
            None => fresh_until,
        };
        (fresh_until, refresh_at)
    }

    /// Puts a value fetched by a batch in the cache as if fetched now.
    fn install(&self, secret_id: &str, secret: Secret) {
        let key = KeyRef::new(secret_id, Version::Current);
        let (fresh_until, refresh_at) = self.deadlines(Instant::now());
        let (dropped, evicted) = {
            let mut guard = self.lock();
            let State { lru, counts, .. } = &mut *guard;
            match lru.get_mut(key) {
                Some(e) => {
                    counts.refreshes += u64::from(e.value.is_some());
                    (e.publish(secret, fresh_until, refresh_at), None)
                }
                None => {
                    let entry = Entry::with_value(secret, fresh_until, refresh_at);
                    let ev = lru.insert(key.to_owned(), entry);
                    counts.evictions += u64::from(ev.is_some());
                    (None, ev)
                }
            }
        };
        drop(dropped);
        log_eviction(evicted);
    }

    /// One BatchGetSecretValue chunk (≤ 20 ids), following `NextToken`.
    async fn warm_chunk(&self, ids: &[String], report: &mut WarmReport) -> Result<(), CacheError> {
        let mut token = None;
        loop {
            let sent = self
                .client
                .batch_get_secret_value()
                .set_secret_id_list(Some(ids.to_vec()))
                .set_next_token(token.take())
                .send()
                .await;
            report.requests += 1;
            {
                let mut st = self.lock();
                st.counts.requests += 1;
                st.counts.errors += u64::from(sent.is_err());
            }
            let mut out = sent.map_err(|e| CacheError::BatchGetSecretValue {
                source: Arc::new(e),
            })?;
            for err in out.errors() {
                report.failed.push(WarmFailure {
                    secret_id: err.secret_id().unwrap_or_default().to_owned(),
                    code: err.error_code().map(str::to_owned),
                });
            }
            token = out.next_token.take();
            for entry in out.secret_values.take().unwrap_or_default() {
                let secret = Secret::from_entry(entry);
                let Some(id) = requested_id(ids, &secret) else {
                    continue;
                };
                match self.transformed(id, secret) {
                    Ok(s) => {
                        self.install(id, s);
                        report.cached.push(id.to_owned());
                    }
                    Err(_) => report.failed.push(WarmFailure {
                        secret_id: id.to_owned(),
                        code: Some("Transform".to_owned()),
                    }),
                }
            }
            if token.is_none() {
                return Ok(());
            }
        }
    }
}

/// Which of the requested ids a returned secret answers: its name, its ARN, or its ARN
/// without the six-character suffix Secrets Manager appends (a partial ARN).
fn requested_id<'a>(ids: &'a [String], secret: &Secret) -> Option<&'a str> {
    let name = secret.name();
    let arn = secret.arn();
    ids.iter().map(String::as_str).find(|id| {
        Some(*id) == name
            || Some(*id) == arn
            || arn.is_some_and(|a| {
                a.strip_prefix(*id)
                    .is_some_and(|rest| rest.len() == 7 && rest.starts_with('-'))
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_entries_map_back_to_the_ids_asked_for() {
        let ids = vec![
            "plain".to_string(),
            "arn:aws:secretsmanager:us-east-1:1:secret:partial".to_string(),
        ];
        let by_name = Secret::from_entry(
            secretsmanager::types::SecretValueEntry::builder()
                .name("plain")
                .arn("arn:aws:secretsmanager:us-east-1:1:secret:plain-AbCdEf")
                .build(),
        );
        assert_eq!(requested_id(&ids, &by_name), Some("plain"));
        let by_partial_arn = Secret::from_entry(
            secretsmanager::types::SecretValueEntry::builder()
                .name("partial")
                .arn("arn:aws:secretsmanager:us-east-1:1:secret:partial-XyZ123")
                .build(),
        );
        assert_eq!(requested_id(&ids, &by_partial_arn), Some(ids[1].as_str()));
        let stranger = Secret::from_string("other", "x");
        assert_eq!(requested_id(&ids, &stranger), None);
    }

    #[test]
    fn random_draws_are_in_the_unit_interval_and_vary() {
        let cache = SecretCache::new(secretsmanager::Client::new(
            &secretsmanager::Config::builder().build(),
        ));
        let draws: Vec<f64> = (0..1000).map(|_| cache.inner.random()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / 1000.0;
        assert!((0.4..0.6).contains(&mean), "{mean}");
    }
}
