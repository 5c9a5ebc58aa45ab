//! The retry quota: a token bucket shared by all operations of a client, so that a failing
//! service does not get a flood of retries.

use super::RetryClass;

/// Tokens in a fresh bucket.
pub const INITIAL_RETRY_TOKENS: u32 = 500;
/// Cost of a retry.
pub const RETRY_COST: u32 = 5;
/// Cost of a retry after a timeout.
pub const RETRY_TIMEOUT_COST: u32 = 10;
/// Tokens returned by a request that succeeded on its first attempt.
pub const NO_RETRY_INCREMENT: u32 = 1;

/// Token bucket limiting retries (AWS standard retry quota).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryQuota {
    capacity: u32,
    available: u32,
}

impl Default for RetryQuota {
    fn default() -> Self {
        RetryQuota::new(INITIAL_RETRY_TOKENS)
    }
}

impl RetryQuota {
    /// A full bucket of `capacity` tokens.
    pub fn new(capacity: u32) -> Self {
        RetryQuota {
            capacity,
            available: capacity,
        }
    }

    /// Tokens left.
    pub fn available(&self) -> u32 {
        self.available
    }

    /// The cost of retrying after a failure of `class`.
    pub fn cost(class: RetryClass) -> u32 {
        match class {
            RetryClass::Timeout => RETRY_TIMEOUT_COST,
            _ => RETRY_COST,
        }
    }

    /// Takes the tokens for a retry; `None` (and nothing taken) when the bucket is too low.
    pub fn try_acquire(&mut self, class: RetryClass) -> Option<u32> {
        let cost = Self::cost(class);
        if self.available < cost {
            return None;
        }
        self.available -= cost;
        Some(cost)
    }

    /// Called when a request succeeded: refunds what its last retry took (`Some(cost)`), or adds
    /// [`NO_RETRY_INCREMENT`] when it succeeded without retrying (`None`). Never exceeds capacity.
    pub fn on_success(&mut self, last_retry_cost: Option<u32>) {
        let add = last_retry_cost.unwrap_or(NO_RETRY_INCREMENT);
        self.available = self.available.saturating_add(add).min(self.capacity);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drains_and_refills() {
        let mut q = RetryQuota::new(12);
        assert_eq!(q.try_acquire(RetryClass::Transient), Some(5));
        assert_eq!(q.try_acquire(RetryClass::Throttling), Some(5));
        assert_eq!(q.available(), 2);
        assert_eq!(q.try_acquire(RetryClass::Transient), None);
        assert_eq!(q.available(), 2, "a refused acquire takes nothing");
        q.on_success(Some(5));
        assert_eq!(q.available(), 7);
        q.on_success(None);
        assert_eq!(q.available(), 8);
        assert_eq!(q.try_acquire(RetryClass::Timeout), None);
        q.on_success(Some(10));
        q.on_success(Some(10));
        assert_eq!(q.available(), 12, "capped at capacity");
        assert_eq!(q.try_acquire(RetryClass::Timeout), Some(10));
    }

    #[test]
    fn default_is_500_tokens() {
        let mut q = RetryQuota::default();
        let mut retries = 0;
        while q.try_acquire(RetryClass::Transient).is_some() {
            retries += 1;
        }
        assert_eq!(retries, 100);
    }
}
