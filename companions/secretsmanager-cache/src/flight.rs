//! Single-flight: one request per key at a time, its result handed to every caller waiting for
//! it.

use std::pin::pin;
use std::sync::OnceLock;

use tokio::sync::Notify;

use crate::error::CacheError;
use crate::secret::Secret;

/// One request under way. Completed exactly once; any number of callers wait for it.
#[derive(Default)]
pub(crate) struct Flight {
    result: OnceLock<Result<Secret, CacheError>>,
    done: Notify,
}

impl Flight {
    /// Publishes the result and wakes every waiter. Later calls are ignored.
    pub fn complete(&self, result: Result<Secret, CacheError>) {
        if self.result.set(result).is_ok() {
            self.done.notify_waiters();
        }
    }

    /// The result, once there is one.
    pub async fn wait(&self) -> Result<Secret, CacheError> {
        loop {
            let mut notified = pin!(self.done.notified());
            // Registered before the check, so a completion in between is not missed.
            notified.as_mut().enable();
            if let Some(r) = self.result.get() {
                return r.clone();
            }
            notified.await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[tokio::test]
    async fn every_waiter_gets_the_one_result() {
        let flight = Arc::new(Flight::default());
        let waiters: Vec<_> = (0..50)
            .map(|_| {
                let f = flight.clone();
                tokio::spawn(async move { f.wait().await })
            })
            .collect();
        tokio::task::yield_now().await;
        flight.complete(Ok(Secret::from_string("n", "v1")));
        flight.complete(Ok(Secret::from_string("n", "ignored")));
        for w in waiters {
            let s = w.await.unwrap().unwrap();
            assert_eq!(s.secret_string().unwrap().expose_secret(), "v1");
        }
        // A late waiter sees the result at once.
        assert!(flight.wait().await.is_ok());
    }
}
