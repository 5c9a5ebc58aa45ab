//! The adaptive-mode client-side rate limiter: a token bucket whose fill rate follows a CUBIC
//! curve. A throttling response cuts the rate to `BETA` times the rate at which it happened; after
//! that the rate grows back along `SCALE * (t - K)^3 + W_max`, never above twice the measured send
//! rate. The bucket stays disabled (no waiting) until the first throttling response.
//!
//! Time is passed in explicitly (seconds from any fixed origin) so the logic is testable with a
//! fake clock; the caller sleeps for the delay [`ClientRateLimiter::acquire`] returns.

use std::time::Duration;

/// Weight of the newest sample in the smoothed send rate.
const SMOOTH: f64 = 0.8;
/// Multiplicative decrease on throttling.
const BETA: f64 = 0.7;
/// CUBIC scaling constant.
const SCALE_CONSTANT: f64 = 0.4;
/// Lowest fill rate, tokens per second.
const MIN_FILL_RATE: f64 = 0.5;
/// Lowest bucket capacity.
const MIN_CAPACITY: f64 = 1.0;

/// CUBIC-based client rate limiter (AWS adaptive retry mode).
#[derive(Clone, Debug)]
pub struct ClientRateLimiter {
    fill_rate: f64,
    max_capacity: f64,
    current_capacity: f64,
    last_timestamp: Option<f64>,
    enabled: bool,
    measured_tx_rate: f64,
    last_tx_rate_bucket: f64,
    request_count: u64,
    last_max_rate: f64,
    last_throttle_time: f64,
    time_window: f64,
}

impl ClientRateLimiter {
    /// A limiter created at time `now` (seconds).
    pub fn new(now: f64) -> Self {
        ClientRateLimiter {
            fill_rate: 0.0,
            max_capacity: 0.0,
            current_capacity: 0.0,
            last_timestamp: None,
            enabled: false,
            measured_tx_rate: 0.0,
            last_tx_rate_bucket: now.floor(),
            request_count: 0,
            last_max_rate: 0.0,
            last_throttle_time: now,
            time_window: 0.0,
        }
    }

    /// `true` once a throttling response has been seen.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Current fill rate (requests per second).
    pub fn fill_rate(&self) -> f64 {
        self.fill_rate
    }

    /// Smoothed measured send rate (requests per second).
    pub fn measured_rate(&self) -> f64 {
        self.measured_tx_rate
    }

    /// Takes `amount` tokens at time `now` and returns how long to wait before sending.
    /// The tokens are reserved even when the caller must wait, so concurrent callers queue up.
    pub fn acquire(&mut self, amount: f64, now: f64) -> Duration {
        if !self.enabled {
            return Duration::ZERO;
        }
        self.refill(now);
        let wait = if amount <= self.current_capacity || self.fill_rate <= 0.0 {
            0.0
        } else {
            (amount - self.current_capacity) / self.fill_rate
        };
        self.current_capacity -= amount;
        if wait.is_finite() && wait > 0.0 {
            Duration::from_secs_f64(wait.min(3600.0))
        } else {
            Duration::ZERO
        }
    }

    /// Records the outcome of a response received at `now`.
    pub fn update(&mut self, throttled: bool, now: f64) {
        self.update_measured_rate(now);
        let calculated = if throttled {
            let rate_to_use = if self.enabled {
                self.measured_tx_rate.min(self.fill_rate)
            } else {
                self.measured_tx_rate
            };
            self.last_max_rate = rate_to_use;
            self.calculate_time_window();
            self.last_throttle_time = now;
            self.enabled = true;
            rate_to_use * BETA
        } else {
            self.calculate_time_window();
            self.cubic_success(now)
        };
        let new_rate = calculated.min(2.0 * self.measured_tx_rate);
        self.update_bucket_rate(new_rate, now);
    }

    fn refill(&mut self, now: f64) {
        if let Some(last) = self.last_timestamp {
            let fill = (now - last).max(0.0) * self.fill_rate;
            self.current_capacity = (self.current_capacity + fill).min(self.max_capacity);
        }
        self.last_timestamp = Some(now);
    }

    fn update_bucket_rate(&mut self, new_rps: f64, now: f64) {
        self.refill(now);
        self.fill_rate = new_rps.max(MIN_FILL_RATE);
        self.max_capacity = new_rps.max(MIN_CAPACITY);
        self.current_capacity = self.current_capacity.min(self.max_capacity);
    }

    fn update_measured_rate(&mut self, now: f64) {
        let bucket = (now * 2.0).floor() / 2.0;
        self.request_count += 1;
        if bucket > self.last_tx_rate_bucket {
            let current = self.request_count as f64 / (bucket - self.last_tx_rate_bucket);
            self.measured_tx_rate = current * SMOOTH + self.measured_tx_rate * (1.0 - SMOOTH);
            self.request_count = 0;
            self.last_tx_rate_bucket = bucket;
        }
    }

    fn calculate_time_window(&mut self) {
        self.time_window = (self.last_max_rate * (1.0 - BETA) / SCALE_CONSTANT).cbrt();
    }

    fn cubic_success(&self, now: f64) -> f64 {
        let dt = now - self.last_throttle_time;
        SCALE_CONSTANT * (dt - self.time_window).powi(3) + self.last_max_rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-6
    }

    #[test]
    fn disabled_until_throttled() {
        let mut l = ClientRateLimiter::new(0.0);
        for i in 0..20 {
            assert_eq!(l.acquire(1.0, i as f64 * 0.1), Duration::ZERO);
            l.update(false, i as f64 * 0.1);
        }
        assert!(!l.enabled());
    }

    #[test]
    fn cubic_curve_after_throttle() {
        // W_max = 10 at t = 5: K = cbrt(10 * 0.3 / 0.4) = cbrt(7.5).
        let mut l = ClientRateLimiter::new(0.0);
        l.last_max_rate = 10.0;
        l.last_throttle_time = 5.0;
        l.calculate_time_window();
        assert!(close(l.time_window, 7.5f64.cbrt()));
        assert!(close(l.cubic_success(5.0), 7.0)); // 0.4 * (-K)^3 + 10 = 10 - 3
        let k = 7.5f64.cbrt();
        assert!(close(l.cubic_success(6.0), 0.4 * (1.0 - k).powi(3) + 10.0));
        assert!(
            close(l.cubic_success(5.0 + k), 10.0),
            "back at W_max after K seconds"
        );
        assert!(l.cubic_success(9.0) > 10.0, "probes above W_max afterwards");
    }

    #[test]
    fn throttle_reduces_rate_and_bucket_delays() {
        let mut l = ClientRateLimiter::new(0.0);
        // 10 requests per second for 3 seconds.
        let mut t = 0.0;
        while t < 3.0 {
            l.update(false, t);
            t += 0.1;
        }
        let measured = l.measured_rate();
        assert!(measured > 8.0 && measured < 12.0, "{measured}");
        l.update(true, 3.0);
        assert!(l.enabled());
        let rate = l.fill_rate();
        assert!(
            close(rate, l.measured_rate() * BETA) || rate <= l.measured_rate(),
            "{rate}"
        );
        assert!(rate < measured);
        // The bucket holds at most `rate` tokens: drain it, then each acquire waits 1/rate longer.
        let mut drained = 0;
        while l.acquire(1.0, 3.0) == Duration::ZERO {
            drained += 1;
            assert!(
                drained <= rate.ceil() as usize + 1,
                "bucket larger than its rate"
            );
        }
        let d1 = l.acquire(1.0, 3.0);
        let d2 = l.acquire(1.0, 3.0);
        assert!(d1 > Duration::ZERO);
        assert!(d2 > d1, "reservations queue up: {d1:?} then {d2:?}");
        let expected = 1.0 / rate;
        assert!((d2.as_secs_f64() - d1.as_secs_f64() - expected).abs() < 1e-6);
        // Time passing refills the bucket at the fill rate.
        assert_eq!(
            l.acquire(0.0, 3.0 + d2.as_secs_f64() + expected),
            Duration::ZERO
        );
        // A second throttle cuts again, never below the minimum.
        for i in 0..50 {
            l.update(true, 3.0 + i as f64);
        }
        assert!(l.fill_rate() >= MIN_FILL_RATE);
        assert!(l.fill_rate() < rate);
    }

    #[test]
    fn rate_recovers_after_successes() {
        let mut l = ClientRateLimiter::new(0.0);
        let mut t = 0.0;
        while t < 2.0 {
            l.update(false, t);
            t += 0.05;
        }
        l.update(true, 2.0);
        let after_throttle = l.fill_rate();
        let mut t = 2.0;
        while t < 8.0 {
            t += 0.05;
            l.update(false, t);
        }
        assert!(
            l.fill_rate() > after_throttle,
            "{} <= {after_throttle}",
            l.fill_rate()
        );
    }
}
