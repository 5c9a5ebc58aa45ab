//! `CachingProvider`: reuse, refresh near expiry, single-flight refresh, fallback on failure.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use awsrt::credentials::{
    BoxFuture, CachingProvider, Credentials, CredentialsError, ProvideCredentials,
};

/// Counts fetches; each returns credentials expiring `lifetime` from now, named by the count.
#[derive(Debug)]
struct Counting {
    calls: AtomicUsize,
    lifetime: Option<Duration>,
    delay: Duration,
    fail_from_call: usize,
}

impl Counting {
    fn new(lifetime: Option<Duration>) -> Counting {
        Counting {
            calls: AtomicUsize::new(0),
            lifetime,
            delay: Duration::ZERO,
            fail_from_call: usize::MAX,
        }
    }

    fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl ProvideCredentials for Counting {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(async move {
            let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
            tokio::time::sleep(self.delay).await;
            if n >= self.fail_from_call {
                return Err(CredentialsError::provider_failed(
                    "counting",
                    format!("fetch {n} failed"),
                ));
            }
            let expiry = self.lifetime.map(|l| SystemTime::now() + l);
            Ok(Credentials::new(
                format!("KEY{n}"),
                "S",
                None,
                expiry,
                "counting",
            ))
        })
    }
}

#[tokio::test]
async fn caches_until_near_expiry() {
    let inner = Arc::new(Counting::new(Some(Duration::from_secs(3600))));
    let cache = CachingProvider::from_arc(inner.clone());
    for _ in 0..5 {
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            "KEY1"
        );
    }
    assert_eq!(inner.calls(), 1);
    cache.invalidate();
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "KEY2"
    );
}

#[tokio::test]
async fn refreshes_inside_the_five_minute_window() {
    // Four minutes of life: always inside the default five-minute refresh window.
    let inner = Arc::new(Counting::new(Some(Duration::from_secs(240))));
    let cache = CachingProvider::from_arc(inner.clone());
    for i in 1..=3 {
        assert_eq!(
            cache.provide_credentials().await.unwrap().access_key_id(),
            format!("KEY{i}")
        );
    }
    assert_eq!(inner.calls(), 3);

    // With a smaller window the same credentials are reused.
    let inner = Arc::new(Counting::new(Some(Duration::from_secs(240))));
    let cache =
        CachingProvider::from_arc(inner.clone()).with_refresh_buffer(Duration::from_secs(60));
    cache.provide_credentials().await.unwrap();
    cache.provide_credentials().await.unwrap();
    assert_eq!(inner.calls(), 1);
}

#[tokio::test]
async fn credentials_without_expiry_are_kept() {
    let inner = Arc::new(Counting::new(None));
    let cache = CachingProvider::from_arc(inner.clone());
    for _ in 0..3 {
        cache.provide_credentials().await.unwrap();
    }
    assert_eq!(inner.calls(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_fetch() {
    let inner = Arc::new(Counting {
        delay: Duration::from_millis(200),
        ..Counting::new(Some(Duration::from_secs(3600)))
    });
    let cache = Arc::new(CachingProvider::from_arc(inner.clone()));
    let tasks: Vec<_> = (0..16)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move {
                cache
                    .provide_credentials()
                    .await
                    .map(|c| c.access_key_id().to_owned())
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "KEY1");
    }
    assert_eq!(inner.calls(), 1);
}

#[tokio::test]
async fn failed_refresh_falls_back_to_unexpired_credentials() {
    // Credentials live 200 s (inside the refresh window but not expired); the refresh fails.
    let inner = Arc::new(Counting {
        fail_from_call: 2,
        ..Counting::new(Some(Duration::from_secs(200)))
    });
    let cache = CachingProvider::from_arc(inner.clone());
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "KEY1"
    );
    assert_eq!(
        cache.provide_credentials().await.unwrap().access_key_id(),
        "KEY1"
    );
    assert_eq!(inner.calls(), 2, "a refresh was attempted");

    // Nothing cached and the source fails: the error comes through and is not cached.
    let failing = Arc::new(Counting {
        fail_from_call: 1,
        ..Counting::new(None)
    });
    let cache = CachingProvider::from_arc(failing.clone());
    let err = cache.provide_credentials().await.unwrap_err();
    assert_eq!(err.provider(), "counting");
    cache.provide_credentials().await.unwrap_err();
    assert_eq!(failing.calls(), 2);
}

#[tokio::test]
async fn expired_credentials_are_not_returned_on_failure() {
    let inner = Arc::new(Counting {
        fail_from_call: 2,
        ..Counting::new(Some(Duration::from_millis(50)))
    });
    let cache = CachingProvider::from_arc(inner.clone());
    cache.provide_credentials().await.unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(cache.provide_credentials().await.is_err());
}
