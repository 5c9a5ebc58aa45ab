//! Server-directed retry delay: the `x-amz-retry-after` response header.

use std::time::Duration;

use crate::http::HttpResponse;

/// The header in which a service asks for a delay before the next attempt, in milliseconds.
pub const RETRY_AFTER_HEADER: &str = "x-amz-retry-after";

/// The delay a retryable response asks for with [`RETRY_AFTER_HEADER`] (a whole number of
/// milliseconds), capped at `cap`. `None` when the header is absent or not a non-negative
/// integer (`-5`, `1.5`, `soon` and an HTTP date are ignored: the computed backoff applies).
pub fn server_retry_delay(resp: &HttpResponse, cap: Duration) -> Option<Duration> {
    let value = resp.header(RETRY_AFTER_HEADER)?.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits: only a value too large for u64 fails, and it is over any cap.
    let millis = value.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_millis(millis).min(cap))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_bounds_and_ignores_garbage() {
        let cap = Duration::from_secs(20);
        let with = |v: &str| HttpResponse::new(503, "").with_header(RETRY_AFTER_HEADER, v);
        assert_eq!(
            server_retry_delay(&with("1500"), cap),
            Some(Duration::from_millis(1500))
        );
        assert_eq!(server_retry_delay(&with(" 0 "), cap), Some(Duration::ZERO));
        assert_eq!(server_retry_delay(&with("600000"), cap), Some(cap));
        assert_eq!(
            server_retry_delay(&with("99999999999999999999999"), cap),
            Some(cap)
        );
        for bad in [
            "-5",
            "1.5",
            "soon",
            "",
            "+3",
            "Wed, 21 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(server_retry_delay(&with(bad), cap), None, "{bad:?}");
        }
        assert_eq!(server_retry_delay(&HttpResponse::new(503, ""), cap), None);
    }
}
