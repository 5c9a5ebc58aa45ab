//! [`CacheMetrics`]: what the cache did, readable at any time and written as a `tracing` event by
//! [`SecretCache::log_metrics`](crate::SecretCache::log_metrics).

/// Counters since the cache was built, and the number of entries now.
///
/// ```
/// # async fn run(cache: secretsmanager_cache::SecretCache) {
/// let m = cache.metrics();
/// println!("hit rate {:.1} %", 100.0 * m.hits as f64 / (m.hits + m.misses).max(1) as f64);
/// # }
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheMetrics {
    /// Gets answered from the cache with a value within its TTL.
    pub hits: u64,
    /// Gets that had to wait for a request (cold or expired key, or after invalidation).
    pub misses: u64,
    /// Of the misses, those that joined a request already under way instead of sending one.
    pub coalesced: u64,
    /// Cached values replaced or renewed by a request (background, after expiry, or
    /// `refresh_now`).
    pub refreshes: u64,
    /// Requests sent to Secrets Manager (GetSecretValue, DescribeSecret, BatchGetSecretValue).
    pub requests: u64,
    /// Requests that failed.
    pub errors: u64,
    /// Gets answered with an expired value because refreshing it failed (stale-if-error).
    pub stale_served: u64,
    /// Entries dropped to stay within the maximum number of entries.
    pub evictions: u64,
    /// Entries held now.
    pub entries: usize,
}

impl CacheMetrics {
    /// Writes the counters as one `tracing` event at INFO (target `secretsmanager_cache`).
    pub(crate) fn emit(&self) {
        tracing::info!(
            target: "secretsmanager_cache",
            hits = self.hits,
            misses = self.misses,
            coalesced = self.coalesced,
            refreshes = self.refreshes,
            requests = self.requests,
            errors = self.errors,
            stale_served = self.stale_served,
            evictions = self.evictions,
            entries = self.entries,
            "secret cache metrics"
        );
    }
}
