//! # secretsmanager-cache
//!
//! An in-process cache of AWS Secrets Manager secrets, hand-written on top of the generated
//! [`secretsmanager`] client (a companion crate: not generator output). AWS recommends caching
//! secret values in the process instead of calling GetSecretValue on every use; this crate does
//! that, and goes further than the official caching libraries:
//!
//! * **Bounded**: at most [`max_entries`](SecretCacheBuilder::max_entries) entries, least
//!   recently used dropped first (exactly up to 31 entries; the order for larger caches is
//!   spelled out on [`max_entries`](SecretCacheBuilder::max_entries)).
//! * **TTL with jitter**: each value is served for at most the [`ttl`](SecretCacheBuilder::ttl),
//!   shortened at random by up to [`ttl_jitter`](SecretCacheBuilder::ttl_jitter) so entries
//!   fetched together expire apart. A rotation is visible within the TTL.
//! * **Any version**: by name or ARN, by version id ([`SecretCache::get_version`]) or staging
//!   label ([`SecretCache::get_stage`]); each is its own entry.
//! * **Single-flight**: any number of concurrent callers of a cold or expired key cause one
//!   request, and all of them get its answer.
//! * **Refresh ahead**: a hit late in the TTL ([`refresh_ahead`](SecretCacheBuilder::refresh_ahead))
//!   is answered at once and refreshes the value in the background, so callers of a key in use
//!   never wait for the network.
//! * **Stale-if-error**: when Secrets Manager cannot be reached (timeouts, throttling, 5xx), the
//!   expired value is served for up to a [grace period](SecretCacheBuilder::stale_if_error)
//!   while requests are retried with [exponential backoff](SecretCacheBuilder::error_backoff);
//!   the fresh value is served as soon as the service answers again.
//! * [`refresh_now`](SecretCache::refresh_now) and [invalidation](SecretCache::invalidate).
//! * An optional **DescribeSecret check** ([`describe_check`](SecretCacheBuilder::describe_check))
//!   that renews an entry without fetching the value when its version is unchanged.
//! * **Warming** many secrets with BatchGetSecretValue, 20 per call ([`SecretCache::warm`]).
//! * **Typed JSON** secrets (feature `serde`: `Secret::json`, `json::DatabaseCredentials`).
//! * A **transform hook** run once per fetched value ([`SecretCacheBuilder::transform`]).
//! * **Metrics** through the API ([`SecretCache::metrics`]) and as `tracing` events
//!   ([`SecretCache::log_metrics`]; every miss, request, failure, stale answer and eviction is
//!   an event of target `secretsmanager_cache`).
//! * **Hygiene**: values are held as [`SensitiveString`](secretsmanager::primitives::SensitiveString) /
//!   [`SensitiveBlob`](secretsmanager::primitives::SensitiveBlob): redacted in `Debug`, zeroed on drop, shared
//!   (never copied) between callers, and never written to a log or an error message.
//! * A **blocking** facade (feature `blocking`: `blocking::SecretCache`).
//!
//! ## Quick start
//!
//! ```no_run
//! use std::time::Duration;
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = secretsmanager::Config::from_env().await?;
//! let client = secretsmanager::Client::new(&config);
//! let cache = secretsmanager_cache::SecretCache::builder(client)
//!     .ttl(Duration::from_secs(300))
//!     .build()?;
//!
//! let secret = cache.get("prod/db").await?;               // a request the first time only
//! let password = secret.secret_string().ok_or("binary secret")?;
//! connect(password.expose_secret());
//! # Ok(()) }
//! # fn connect(_: &str) {}
//! ```
//!
//! ## How requests are made
//!
//! Lookups never wait on a lock held across I/O. A hit on a key the calling thread has read
//! before takes no lock at all and writes nothing that another thread writes, so any number of
//! threads reading the same secret do not slow each other down: the thread looks the key up in
//! its own small table, checks that the value has not been replaced, evicted or invalidated
//! since, reads the clock and compares it with the value's deadline, and returns its own handle
//! on the shared value (one reference count that only this thread increments). The clock is
//! read on every hit, so a value is never served after its TTL, however long a task loops
//! without yielding; from the refresh-ahead point on, and for a thread's first hit on a key,
//! the get goes through the cache's lock as every miss does. Each value keeps handles for up to
//! 16 threads; gets from further threads are answered under the lock. Every request runs as a
//! task on the tokio runtime of the caller (or the one given with
//! [`SecretCacheBuilder::runtime`]), so a caller that gives up waiting does not cancel the
//! request for the others. Each entry records its failures: after a failure the next attempt
//! waits `initial × 2^(failures − 1)` (at most `max`); a permanent failure (not found, access
//! denied) drops the cached value instead of serving it stale.
//!
//! ## Testing code that uses the cache
//!
//! Build the client with `secretsmanager::test_util::MockTransport` (feature `test-util` of
//! `secretsmanager`), as in the examples on [`SecretCache`].

#![deny(missing_docs)]

mod cache;
mod config;
mod error;
mod flight;
mod local;
mod lru;
mod metrics;
mod secret;
mod store;

#[cfg(feature = "blocking")]
pub mod blocking;
#[cfg(feature = "serde")]
pub mod json;

pub use cache::{SecretCache, WarmFailure, WarmReport};
pub use config::{
    SecretCacheBuilder, DEFAULT_BACKOFF_INITIAL, DEFAULT_BACKOFF_MAX, DEFAULT_MAX_ENTRIES,
    DEFAULT_REFRESH_AHEAD, DEFAULT_STALE_GRACE, DEFAULT_TTL, DEFAULT_TTL_JITTER,
};
pub use error::{CacheError, ConfigError};
pub use metrics::CacheMetrics;
pub use secret::{Secret, SecretValue};
pub use store::Version;
