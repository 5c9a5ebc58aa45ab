//! Retry policy: configuration, error classification, backoff with jitter, the retry quota
//! (token bucket) and the adaptive client-side rate limiter.
//!
//! Follows the AWS "standard" retry behaviour: at most `max_attempts` attempts, exponential
//! backoff `min(b * 2^i, max_backoff)` with `b` uniform in `[0, initial_backoff)`, and a shared quota
//! of 500 tokens (5 per retry, 10 per retry after a timeout, refunded on success).
//!
//! A retryable response with an `x-amz-retry-after` header (milliseconds) is retried after that
//! delay instead of the computed backoff, capped at `max_backoff` (see [`server_retry_delay`]).

mod adaptive;
mod quota;
mod server_delay;

use std::time::Duration;

pub use adaptive::ClientRateLimiter;
pub use quota::{
    RetryQuota, INITIAL_RETRY_TOKENS, NO_RETRY_INCREMENT, RETRY_COST, RETRY_TIMEOUT_COST,
};
pub use server_delay::{server_retry_delay, RETRY_AFTER_HEADER};

use crate::error::ErrorMetadata;
use crate::http::{HttpResponse, TransportError};

/// Which retry strategy to use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RetryMode {
    /// Exponential backoff with jitter and a retry quota.
    #[default]
    Standard,
    /// Standard plus a client-side rate limiter that slows down after throttling responses.
    Adaptive,
}

impl std::str::FromStr for RetryMode {
    type Err = String;

    /// Parses `standard`, `adaptive` or `legacy` (treated as standard), case-insensitively.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "standard" | "legacy" => Ok(RetryMode::Standard),
            "adaptive" => Ok(RetryMode::Adaptive),
            other => Err(format!(
                "invalid retry mode {other:?}: expected \"standard\" or \"adaptive\""
            )),
        }
    }
}

/// Retry settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryConfig {
    /// Standard or adaptive.
    pub mode: RetryMode,
    /// Attempts in total, including the first (default 3; 1 disables retries; 0 is treated as 1).
    pub max_attempts: u32,
    /// Backoff base `b` (default 1 s): the delay before retry `i` (from 0) is uniform in
    /// `[0, b * 2^i)`, capped at `max_backoff`.
    pub initial_backoff: Duration,
    /// Longest delay between attempts (default 20 s).
    pub max_backoff: Duration,
}

impl Default for RetryConfig {
    fn default() -> Self {
        RetryConfig::standard()
    }
}

impl RetryConfig {
    /// Standard mode, 3 attempts, 1 s base, 20 s cap.
    pub fn standard() -> Self {
        RetryConfig {
            mode: RetryMode::Standard,
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(20),
        }
    }

    /// Adaptive mode with the standard defaults.
    pub fn adaptive() -> Self {
        RetryConfig {
            mode: RetryMode::Adaptive,
            ..RetryConfig::standard()
        }
    }

    /// A single attempt, no retries.
    pub fn disabled() -> Self {
        RetryConfig {
            max_attempts: 1,
            ..RetryConfig::standard()
        }
    }

    /// Sets the total number of attempts.
    pub fn with_max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// Sets the backoff base.
    pub fn with_initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the backoff cap.
    pub fn with_max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Sets the mode.
    pub fn with_mode(mut self, mode: RetryMode) -> Self {
        self.mode = mode;
        self
    }

    /// `max_attempts`, at least 1.
    pub fn effective_max_attempts(&self) -> u32 {
        self.max_attempts.max(1)
    }

    /// Delay before retry number `retry` (0 for the first retry), given a uniform `random` in `[0, 1)`.
    pub fn backoff(&self, retry: u32, random: f64) -> Duration {
        let factor = 2f64.powi(retry.min(62) as i32);
        let secs = random.clamp(0.0, 1.0) * self.initial_backoff.as_secs_f64() * factor;
        let cap = self.max_backoff.as_secs_f64();
        Duration::from_secs_f64(if secs.is_finite() { secs.min(cap) } else { cap })
    }
}

/// Why a failed attempt may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryClass {
    /// The service asked the client to slow down.
    Throttling,
    /// A transient failure: 500/502/503/504, a retryable modeled error, a broken connection.
    Transient,
    /// A transport timeout (costs more quota).
    Timeout,
    /// The request was rejected because the client clock is off; retried after adjusting it.
    ClockSkew,
}

/// Error codes that mean "throttled".
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// Error codes that mean the request's signing time was too far from the server's clock.
pub const CLOCK_SKEW_CODES: &[&str] = &[
    "RequestTimeTooSkewed",
    "RequestExpired",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "AuthFailure",
    "RequestInTheFuture",
];

/// Error codes that mean the request's credentials have expired (the codes the AWS SDK for Go
/// refreshes credentials on): the pipeline drops the cached credentials and sends the call
/// once more, signed with fresh ones. `RequestExpired` is also a clock-skew code; it leads to
/// fresh credentials only when correcting the clock does not apply.
pub const EXPIRED_CREDENTIALS_CODES: &[&str] =
    &["ExpiredToken", "ExpiredTokenException", "RequestExpired"];

/// Error codes that are transient whatever the status.
pub const TRANSIENT_CODES: &[&str] = &["RequestTimeout", "RequestTimeoutException"];

/// HTTP statuses that are transient.
pub const TRANSIENT_STATUSES: &[u16] = &[500, 502, 503, 504];

/// Classifies an error response. `retryable`/`throttling` are the operation's modeled
/// `@retryable` error codes. `None` means "do not retry".
pub fn classify_response(
    resp: &HttpResponse,
    meta: &ErrorMetadata,
    retryable: &[&str],
    throttling: &[&str],
) -> Option<RetryClass> {
    if resp.is_success() {
        return None;
    }
    if let Some(code) = meta.code.as_deref() {
        if THROTTLING_CODES.contains(&code) || throttling.contains(&code) {
            return Some(RetryClass::Throttling);
        }
        if retryable.contains(&code) || TRANSIENT_CODES.contains(&code) {
            return Some(RetryClass::Transient);
        }
        if CLOCK_SKEW_CODES.contains(&code) {
            return Some(RetryClass::ClockSkew);
        }
    }
    if resp.status == 429 && meta.code.is_none() {
        return Some(RetryClass::Throttling);
    }
    if TRANSIENT_STATUSES.contains(&resp.status) {
        return Some(RetryClass::Transient);
    }
    None
}

/// Classifies a transport failure.
pub fn classify_transport(err: &TransportError) -> Option<RetryClass> {
    if err.is_timeout() {
        Some(RetryClass::Timeout)
    } else if err.is_retryable() {
        Some(RetryClass::Transient)
    } else {
        None
    }
}

/// Small xorshift64* generator for backoff jitter, seeded from the system RNG.
#[derive(Debug)]
pub(crate) struct Jitter(u64);

impl Jitter {
    pub(crate) fn from_system() -> Jitter {
        use ring::rand::SecureRandom;
        let mut seed = [0u8; 8];
        let s = if ring::rand::SystemRandom::new().fill(&mut seed).is_ok() {
            u64::from_le_bytes(seed)
        } else {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(0x9E37_79B9_7F4A_7C15)
        };
        Jitter::with_seed(s)
    }

    pub(crate) fn with_seed(seed: u64) -> Jitter {
        Jitter(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// Uniform in `[0, 1)`.
    pub(crate) fn next_f64(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        let v = x.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (v >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(code: Option<&str>, status: u16) -> (HttpResponse, ErrorMetadata) {
        (
            HttpResponse::new(status, ""),
            ErrorMetadata {
                code: code.map(String::from),
                status,
                ..Default::default()
            },
        )
    }

    #[test]
    fn classification_table() {
        let cases: &[(Option<&str>, u16, Option<RetryClass>)] = &[
            (
                Some("ThrottlingException"),
                400,
                Some(RetryClass::Throttling),
            ),
            (Some("SlowDown"), 503, Some(RetryClass::Throttling)),
            (Some("MyThrottle"), 400, Some(RetryClass::Throttling)),
            (Some("MyRetryable"), 400, Some(RetryClass::Transient)),
            (
                Some("RequestTimeTooSkewed"),
                403,
                Some(RetryClass::ClockSkew),
            ),
            (
                Some("InternalServiceError"),
                500,
                Some(RetryClass::Transient),
            ),
            (None, 503, Some(RetryClass::Transient)),
            (None, 429, Some(RetryClass::Throttling)),
            (Some("ResourceNotFoundException"), 400, None),
            (Some("AccessDeniedException"), 403, None),
            (None, 400, None),
            (None, 501, None),
            (None, 200, None),
        ];
        for (code, status, want) in cases {
            let (r, m) = meta(*code, *status);
            assert_eq!(
                classify_response(&r, &m, &["MyRetryable"], &["MyThrottle"]),
                *want,
                "{code:?} {status}"
            );
        }
    }

    #[test]
    fn backoff_is_capped_and_scaled() {
        let c = RetryConfig::standard();
        assert_eq!(c.backoff(0, 0.5), Duration::from_millis(500));
        assert_eq!(c.backoff(2, 0.5), Duration::from_secs(2));
        assert_eq!(c.backoff(10, 0.9), Duration::from_secs(20));
        assert_eq!(c.backoff(u32::MAX, 0.9), Duration::from_secs(20));
        assert_eq!(c.backoff(3, 0.0), Duration::ZERO);
    }

    #[test]
    fn jitter_is_uniform_ish_and_in_range() {
        let mut j = Jitter::with_seed(42);
        let mut sum = 0.0;
        for _ in 0..10_000 {
            let v = j.next_f64();
            assert!((0.0..1.0).contains(&v));
            sum += v;
        }
        let mean = sum / 10_000.0;
        assert!((0.45..0.55).contains(&mean), "{mean}");
        let mut a = Jitter::from_system();
        let mut b = Jitter::from_system();
        assert_ne!(a.next_f64().to_bits(), b.next_f64().to_bits());
    }

    #[test]
    fn retry_mode_parses() {
        assert_eq!("Adaptive".parse::<RetryMode>(), Ok(RetryMode::Adaptive));
        assert_eq!("legacy".parse::<RetryMode>(), Ok(RetryMode::Standard));
        assert!("fast".parse::<RetryMode>().is_err());
    }
}
