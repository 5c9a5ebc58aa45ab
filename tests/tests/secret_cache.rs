//! `secretsmanager-cache` end to end against moto 5.2.5 (issue 15): a rotation becomes visible
//! within the TTL, 1,000 concurrent gets of a cold key send one request, DescribeSecret renews
//! an unchanged version, BatchGetSecretValue warms, and a dead endpoint is answered from the
//! stale value. Requests are counted by a transport wrapped around the real HTTP transport, so
//! the counts are what went over the wire.
//!
//! Run: `cargo test -p integration-tests --test secret_cache` (moto from `cargo xtask test`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use integration_tests::eventually;
use integration_tests::moto::{unique_name, MotoServer};
use secretsmanager::config::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, HyperTransport, Transport,
    TransportError,
};
use secretsmanager_cache::SecretCache;

/// The real transport, counting requests per operation. With a gate, each request waits for
/// a permit before it goes out, so a test can hold it in flight.
#[derive(Debug, Default)]
struct Counting {
    inner: HyperTransport,
    counts: Mutex<HashMap<String, usize>>,
    gate: Option<Arc<tokio::sync::Semaphore>>,
}

impl Transport for Counting {
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let op = req
            .header("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("")
            .to_owned();
        *self.counts.lock().unwrap().entry(op).or_default() += 1;
        let sent = self.inner.send(req, timeouts);
        match self.gate.clone() {
            None => sent,
            Some(gate) => Box::pin(async move {
                gate.acquire()
                    .await
                    .expect("the gate is never closed")
                    .forget();
                sent.await
            }),
        }
    }
}

impl Counting {
    fn count(&self, op: &str) -> usize {
        self.counts.lock().unwrap().get(op).copied().unwrap_or(0)
    }
}

/// A client whose requests are counted, and the counter.
fn counted_client(server: &MotoServer) -> (secretsmanager::Client, Arc<Counting>) {
    client_over(server, Counting::default())
}

/// A client sending through `counting`, and the counter.
fn client_over(server: &MotoServer, counting: Counting) -> (secretsmanager::Client, Arc<Counting>) {
    let counting = Arc::new(counting);
    let config = server
        .config()
        .to_builder()
        .transport(counting.clone() as Arc<dyn Transport>)
        .build();
    (secretsmanager::Client::new(&config), counting)
}

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required: {e}"))
}

async fn create(client: &secretsmanager::Client, name: &str, value: &str) -> String {
    client
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .expect("CreateSecret")
        .version_id()
        .expect("a version id")
        .to_owned()
}

async fn rotate(client: &secretsmanager::Client, name: &str, value: &str) -> String {
    client
        .put_secret_value()
        .secret_id(name)
        .secret_string(value)
        .send()
        .await
        .expect("PutSecretValue")
        .version_id()
        .expect("a version id")
        .to_owned()
}

fn text(s: &secretsmanager_cache::Secret) -> String {
    s.secret_string()
        .expect("string")
        .expose_secret()
        .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_becomes_visible_within_the_ttl() {
    let server = moto();
    let admin = server.client();
    let name = unique_name("cache-rotation");
    let v1 = create(&admin, &name, "first").await;
    // Long enough that the rotation's own request ends well within it, on a loaded machine too;
    // no refresh ahead of expiry, so the first value stays until the TTL has passed.
    let ttl = Duration::from_secs(5);
    let (client, counting) = counted_client(server);
    let cache = SecretCache::builder(client)
        .ttl(ttl)
        .ttl_jitter(0.0)
        .refresh_ahead(1.0)
        .build()
        .unwrap();
    assert_eq!(text(&cache.get(&name).await.unwrap()), "first");

    let v2 = rotate(&admin, &name, "second").await;
    let rotated = Instant::now();
    // Right after the rotation the cache still answers from memory.
    assert_eq!(text(&cache.get(&name).await.unwrap()), "first");
    assert_eq!(counting.count("GetSecretValue"), 1);
    // The new AWSCURRENT shows up within the TTL (plus a request's time).
    let seen = loop {
        let s = cache.get(&name).await.unwrap();
        if text(&s) == "second" {
            assert_eq!(s.version_id(), Some(v2.as_str()));
            break rotated.elapsed();
        }
        assert!(
            rotated.elapsed() < ttl + Duration::from_secs(2),
            "still the old value {:?} after the rotation",
            rotated.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    };
    assert!(seen <= ttl + Duration::from_secs(2), "{seen:?}");
    // Stages and version ids select the other versions.
    let previous = cache.get_stage(&name, "AWSPREVIOUS").await.unwrap();
    assert_eq!(
        (text(&previous), previous.version_id()),
        ("first".to_owned(), Some(v1.as_str()))
    );
    assert_eq!(text(&cache.get_version(&name, &v1).await.unwrap()), "first");
    // And by ARN.
    let arn = previous.arn().expect("moto returns the ARN").to_owned();
    assert_eq!(text(&cache.get(&arn).await.unwrap()), "second");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousand_concurrent_gets_of_a_cold_key_send_one_request() {
    let server = moto();
    let name = unique_name("cache-cold");
    create(&server.client(), &name, "cold value").await;
    // The request is held until every get has joined it: without the gate, a fast answer lets
    // the last tasks to run hit the fresh value instead, and the counts below would vary.
    let gate = Arc::new(tokio::sync::Semaphore::new(0));
    let (client, counting) = client_over(
        server,
        Counting {
            gate: Some(gate.clone()),
            ..Counting::default()
        },
    );
    let cache = SecretCache::new(client);
    let start = Arc::new(tokio::sync::Barrier::new(1000));
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (cache, start, name) = (cache.clone(), start.clone(), name.clone());
            tokio::spawn(async move {
                start.wait().await;
                cache.get(&name).await
            })
        })
        .collect();
    eventually(
        "every get to miss and the one request to reach the transport",
        || cache.metrics().misses >= 1000 && counting.count("GetSecretValue") > 0,
    )
    .await;
    assert_eq!(counting.count("GetSecretValue"), 1, "one request in flight");
    gate.add_permits(1000);
    for t in tasks {
        assert_eq!(text(&t.await.unwrap().unwrap()), "cold value");
    }
    assert_eq!(counting.count("GetSecretValue"), 1);
    let m = cache.metrics();
    assert_eq!((m.misses, m.coalesced, m.requests), (1000, 999, 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_check_renews_an_unchanged_version_without_fetching_it() {
    let server = moto();
    let admin = server.client();
    let name = unique_name("cache-describe");
    create(&admin, &name, "one").await;
    let (client, counting) = counted_client(server);
    let ttl = Duration::from_millis(300);
    let cache = SecretCache::builder(client)
        .ttl(ttl)
        .ttl_jitter(0.0)
        .refresh_ahead(1.0)
        .describe_check(true)
        .build()
        .unwrap();
    let first = cache.get(&name).await.unwrap();
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    let renewed = cache.get(&name).await.unwrap();
    assert!(renewed.ptr_eq(&first), "renewed, not fetched again");
    assert_eq!(
        (
            counting.count("GetSecretValue"),
            counting.count("DescribeSecret")
        ),
        (1, 1)
    );
    rotate(&admin, &name, "two").await;
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    assert_eq!(text(&cache.get(&name).await.unwrap()), "two");
    assert_eq!(
        (
            counting.count("GetSecretValue"),
            counting.count("DescribeSecret")
        ),
        (2, 2)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn warming_with_batch_get_secret_value() {
    let server = moto();
    let admin = server.client();
    let names: Vec<String> = (0..25)
        .map(|i| unique_name(&format!("cache-warm-{i}")))
        .collect();
    for (i, n) in names.iter().enumerate() {
        create(&admin, n, &format!("value {i}")).await;
    }
    let (client, counting) = counted_client(server);
    let cache = SecretCache::builder(client)
        .max_entries(100)
        .build()
        .unwrap();
    let report = cache.warm(names.clone()).await.unwrap();
    assert_eq!(report.cached.len(), 25, "{report:?}");
    assert!(report.failed.is_empty(), "{report:?}");
    assert_eq!(counting.count("BatchGetSecretValue"), 2);
    for (i, n) in names.iter().enumerate() {
        assert_eq!(text(&cache.get(n).await.unwrap()), format!("value {i}"));
    }
    assert_eq!(counting.count("GetSecretValue"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_endpoint_is_answered_from_the_stale_value() {
    // A server of its own, stopped halfway.
    let mut server = MotoServer::start().expect("moto");
    let name = unique_name("cache-stale");
    create(&server.client(), &name, "kept").await;
    let ttl = Duration::from_millis(300);
    let config = server
        .config()
        .to_builder()
        .retry_config(secretsmanager::config::RetryConfig::disabled())
        .build();
    let cache = SecretCache::builder(secretsmanager::Client::new(&config))
        .ttl(ttl)
        .ttl_jitter(0.0)
        .stale_if_error(Duration::from_secs(60))
        .build()
        .unwrap();
    cache.get(&name).await.unwrap();
    server.stop();
    tokio::time::sleep(ttl + Duration::from_millis(50)).await;
    // Connection refused: the expired value is served, and again without waiting.
    assert_eq!(text(&cache.get(&name).await.unwrap()), "kept");
    assert_eq!(text(&cache.get(&name).await.unwrap()), "kept");
    let m = cache.metrics();
    assert!(m.stale_served >= 2 && m.errors >= 1, "{m:?}");
    // A key never fetched has nothing to fall back on.
    let err = cache.get("never-fetched").await.unwrap_err();
    assert!(err.is_transient(), "{err}");
}
