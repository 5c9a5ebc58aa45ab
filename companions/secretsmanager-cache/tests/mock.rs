//! The cache against `secretsmanager::test_util::MockTransport`: every feature, with the
//! requests the cache sent checked one by one. Time-dependent tests run on tokio's paused clock
//! (the cache reads `tokio::time::Instant`), so they are exact and take no wall time.

use std::future::Future;
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use secretsmanager::test_util::{test_config, MockReply, MockTransport, RecordedRequest, Rule};
use secretsmanager_cache::{CacheError, SecretCache, SecretCacheBuilder, SecretValue, Version};
use tokio::time::advance;

const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

fn output(version: &str, value: &str) -> String {
    format!(
        r#"{{"ARN":"{ARN}","Name":"db","VersionId":"{version}","SecretString":"{value}","VersionStages":["AWSCURRENT"]}}"#
    )
}

fn builder(mock: &MockTransport) -> SecretCacheBuilder {
    SecretCache::builder(secretsmanager::Client::new(&test_config(mock)))
        .ttl(Duration::from_secs(10))
        .ttl_jitter(0.0)
        .refresh_ahead(1.0)
}

fn value(s: &secretsmanager_cache::Secret) -> &str {
    s.secret_string().expect("a string secret").expose_secret()
}

/// Polls `f` once: `Some(output)` when it finished without waiting.
fn poll_once<F: Future>(f: F) -> Option<F::Output> {
    let mut f = pin!(f);
    match f.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

/// Lets spawned tasks run (and the paused clock reach pending timers).
async fn settle() {
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
}

fn ops(mock: &MockTransport) -> Vec<String> {
    mock.requests()
        .iter()
        .map(|r| r.operation().to_owned())
        .collect()
}

/// A reply naming the secret after the id asked for.
fn echo(r: &RecordedRequest) -> MockReply {
    let id = r.input_str("SecretId").unwrap_or("?");
    MockReply::output_json(format!(
        r#"{{"Name":"{id}","VersionId":"v-{id}","SecretString":"value of {id}"}}"#
    ))
}

#[tokio::test(start_paused = true)]
async fn thousand_concurrent_gets_on_a_cold_key_send_one_request() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "hunter2"))
            .delay(Duration::from_millis(50))
            .repeatedly(),
    );
    let cache = builder(&mock).build().unwrap();
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.get("db").await })
        })
        .collect();
    let mut first = None;
    for t in tasks {
        let s = t.await.unwrap().expect("every caller gets the value");
        assert_eq!(value(&s), "hunter2");
        // One fetched copy, shared by all.
        assert!(first.get_or_insert_with(|| s.clone()).ptr_eq(&s));
    }
    assert_eq!(mock.request_count(), 1);
    let m = cache.metrics();
    assert_eq!((m.misses, m.coalesced, m.requests), (1000, 999, 1));

    // The same once the value has expired: 1,000 callers, one more request.
    advance(Duration::from_secs(11)).await;
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let c = cache.clone();
            tokio::spawn(async move { c.get("db").await })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn single_flight_holds_across_threads() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "hunter2"))
            .delay(Duration::from_millis(100))
            .repeatedly(),
    );
    let cache = builder(&mock).build().unwrap();
    let start = Arc::new(tokio::sync::Barrier::new(1000));
    let tasks: Vec<_> = (0..1000)
        .map(|_| {
            let (c, start) = (cache.clone(), start.clone());
            tokio::spawn(async move {
                start.wait().await;
                c.get("db").await
            })
        })
        .collect();
    for t in tasks {
        assert_eq!(value(&t.await.unwrap().unwrap()), "hunter2");
    }
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_rotation_is_visible_within_the_ttl() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "before"))
            .then_output_json(output("v2", "after"))
            .repeatedly(),
    );
    let cache = builder(&mock).build().unwrap();
    assert_eq!(value(&cache.get("db").await.unwrap()), "before");
    // The secret is rotated now; within the TTL the cache answers from memory.
    advance(Duration::from_millis(9_900)).await;
    assert_eq!(value(&cache.get("db").await.unwrap()), "before");
    assert_eq!(mock.request_count(), 1);
    // At the TTL the new version is fetched.
    advance(Duration::from_millis(100)).await;
    let s = cache.get("db").await.unwrap();
    assert_eq!((value(&s), s.version_id()), ("after", Some("v2")));
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn ttl_jitter_spreads_expiry_within_the_fraction() {
    let mock =
        MockTransport::new().with_rule(Rule::new("GetSecretValue").then_fn(echo).repeatedly());
    let cache = builder(&mock)
        .ttl(Duration::from_secs(100))
        .ttl_jitter(0.5)
        .max_entries(100)
        .build()
        .unwrap();
    for i in 0..50 {
        cache.get(&format!("s{i}")).await.unwrap();
    }
    // Before half the TTL nothing has expired; by the full TTL everything has; in between
    // some but not all (the chance of all 50 draws on one side is 2 × 2⁻⁵⁰).
    let refetched = |cache: SecretCache, mock: MockTransport| async move {
        let before = mock.request_count();
        for i in 0..50 {
            cache.get(&format!("s{i}")).await.unwrap();
        }
        mock.request_count() - before
    };
    advance(Duration::from_millis(49_999)).await;
    assert_eq!(refetched(cache.clone(), mock.clone()).await, 0);
    advance(Duration::from_millis(25_000)).await;
    let some = refetched(cache.clone(), mock.clone()).await;
    assert!(
        some > 0 && some < 50,
        "{some} of 50 expired at 75 % of the TTL"
    );
}

#[tokio::test(start_paused = true)]
async fn refresh_ahead_answers_warm_callers_without_waiting() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v1", "before")))
        .with_rule(
            Rule::new("GetSecretValue")
                .then_output_json(output("v2", "after"))
                .delay(Duration::from_secs(3))
                .repeatedly(),
        );
    let cache = builder(&mock).refresh_ahead(0.5).build().unwrap();
    cache.get("db").await.unwrap();
    // Every second for a minute a caller reads the key: none ever waits (each get is answered
    // on its first poll), although every refresh takes 3 s.
    let mut seen_after = None;
    for second in 1..=60 {
        advance(Duration::from_secs(1)).await;
        settle().await;
        let s = poll_once(cache.get("db"))
            .unwrap_or_else(|| panic!("the get at {second} s waited for the network"))
            .unwrap();
        if value(&s) == "after" && seen_after.is_none() {
            seen_after = Some(second);
        }
        // Let a refresh the get started send its request now.
        settle().await;
    }
    // Refresh starts at 5 s (half the TTL) and lands 3 s later.
    assert_eq!(seen_after, Some(8));
    let m = cache.metrics();
    assert_eq!((m.hits, m.misses), (60, 1));
    assert!(m.refreshes >= 5, "{m:?}");
    // About one request per half TTL + refresh time, not one per get.
    assert!(mock.request_count() <= 9, "{}", mock.request_count());
}

#[tokio::test(start_paused = true)]
async fn failing_service_serves_stale_then_fresh_after_recovery() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v1", "before")))
        .with_rule(
            Rule::new("GetSecretValue")
                .then_error_with_status(500, "InternalServiceError", "down")
                .times(4),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .then_output_json(output("v2", "after"))
                .repeatedly(),
        );
    let cache = builder(&mock)
        .stale_if_error(Duration::from_secs(60))
        .error_backoff(Duration::from_secs(1), Duration::from_secs(8))
        .build()
        .unwrap();
    assert_eq!(value(&cache.get("db").await.unwrap()), "before");

    // Expired; the refresh fails (request 2): the stale value is served.
    advance(Duration::from_secs(11)).await;
    assert_eq!(value(&cache.get("db").await.unwrap()), "before");
    assert_eq!(mock.request_count(), 2);
    // During the backoff: stale, without a request and without waiting.
    for _ in 0..100 {
        let s = poll_once(cache.get("db"))
            .expect("stale answers do not wait")
            .unwrap();
        assert_eq!(value(&s), "before");
    }
    assert_eq!(mock.request_count(), 2);
    // Backoff 1 s, 2 s, 4 s: each retry (requests 3, 4, 5) fails and is retried later.
    for (wait, requests) in [(1, 3), (2, 4), (4, 5)] {
        advance(Duration::from_millis(wait * 1000 - 1)).await;
        cache.get("db").await.unwrap();
        settle().await;
        assert_eq!(mock.request_count(), requests - 1, "still backing off");
        advance(Duration::from_millis(1)).await;
        assert_eq!(value(&cache.get("db").await.unwrap()), "before");
        settle().await;
        assert_eq!(mock.request_count(), requests);
    }
    // Recovery: the retry after 8 s succeeds and the fresh value is served from then on.
    advance(Duration::from_secs(8)).await;
    assert_eq!(value(&cache.get("db").await.unwrap()), "before");
    settle().await;
    let s = cache.get("db").await.unwrap();
    assert_eq!((value(&s), s.version_id()), ("after", Some("v2")));
    assert_eq!(mock.request_count(), 6);
    let m = cache.metrics();
    assert_eq!(m.errors, 4);
    assert!(m.stale_served >= 105, "{m:?}");
    mock.assert_all_used();
}

#[tokio::test(start_paused = true)]
async fn stale_values_stop_at_the_end_of_the_grace() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v1", "before")))
        .with_rule(
            Rule::new("GetSecretValue")
                .then_transport_error(
                    secretsmanager::error::TransportErrorKind::Connect,
                    "refused",
                )
                .repeatedly(),
        );
    let cache = builder(&mock)
        .stale_if_error(Duration::from_secs(30))
        .error_backoff(Duration::from_secs(1), Duration::from_secs(1))
        .build()
        .unwrap();
    cache.get("db").await.unwrap();
    advance(Duration::from_secs(11)).await;
    assert_eq!(value(&cache.get("db").await.unwrap()), "before");
    // TTL 10 s + grace 30 s: at 41 s the value is too old to serve.
    advance(Duration::from_secs(30)).await;
    settle().await;
    let err = cache.get("db").await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(err.secret_id(), Some("db"));
}

#[tokio::test(start_paused = true)]
async fn a_permanent_error_drops_the_value_and_backs_off() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v1", "before")))
        .with_rule(
            Rule::new("GetSecretValue")
                .then_error("ResourceNotFoundException", "deleted")
                .repeatedly(),
        );
    let cache = builder(&mock)
        .error_backoff(Duration::from_secs(2), Duration::from_secs(60))
        .build()
        .unwrap();
    cache.get("db").await.unwrap();
    advance(Duration::from_secs(11)).await;
    let err = cache.get("db").await.unwrap_err();
    assert!(err.is_not_found() && !err.is_transient(), "{err}");
    // Not served stale; within the backoff the error comes back without a request.
    match poll_once(cache.get("db")).expect("fails fast").unwrap_err() {
        CacheError::BackingOff { retry_in, last, .. } => {
            assert_eq!(retry_in, Duration::from_secs(2));
            assert!(last.is_not_found());
        }
        other => panic!("expected BackingOff, got {other}"),
    }
    assert_eq!(mock.request_count(), 2);
    advance(Duration::from_secs(2)).await;
    assert!(cache.get("db").await.unwrap_err().is_not_found());
    assert_eq!(mock.request_count(), 3);
    match cache.get("db").await.unwrap_err() {
        CacheError::BackingOff { retry_in, .. } => assert_eq!(retry_in, Duration::from_secs(4)),
        other => panic!("expected BackingOff, got {other}"),
    }
}

#[tokio::test(start_paused = true)]
async fn eviction_order_is_least_recently_used() {
    let mock =
        MockTransport::new().with_rule(Rule::new("GetSecretValue").then_fn(echo).repeatedly());
    let cache = builder(&mock).max_entries(3).build().unwrap();
    for id in ["a", "b", "c"] {
        cache.get(id).await.unwrap();
    }
    cache.get("a").await.unwrap(); // a is now the most recent; b the least
    cache.get("d").await.unwrap(); // evicts b
    let ids = |cache: &SecretCache| -> Vec<String> {
        cache.keys().into_iter().map(|(id, _)| id).collect()
    };
    assert_eq!(ids(&cache), ["d", "a", "c"]);
    cache.get("e").await.unwrap(); // evicts c
    assert_eq!(ids(&cache), ["e", "d", "a"]);
    assert_eq!(cache.metrics().evictions, 2);
    assert_eq!(mock.request_count(), 5);
    // An evicted key is fetched again; a kept one is not.
    cache.get("a").await.unwrap();
    assert_eq!(mock.request_count(), 5);
    assert_eq!(value(&cache.get("b").await.unwrap()), "value of b");
    assert_eq!(mock.request_count(), 6);
    assert_eq!(ids(&cache), ["b", "a", "e"]);
    assert_eq!(cache.len(), 3);
}

#[tokio::test(start_paused = true)]
async fn hits_without_the_lock_count_for_recency_and_evicted_keys_are_fetched_again() {
    let mock =
        MockTransport::new().with_rule(Rule::new("GetSecretValue").then_fn(echo).repeatedly());
    let cache = builder(&mock).max_entries(3).build().unwrap();
    for id in ["a", "a", "b", "c"] {
        cache.get(id).await.unwrap(); // the second get of a: this thread now hits a lock-free
    }
    cache.get("a").await.unwrap(); // a lock-free hit: a is the most recent, b the least
    cache.get("d").await.unwrap(); // evicts b
    let ids = |cache: &SecretCache| -> Vec<String> {
        cache.keys().into_iter().map(|(id, _)| id).collect()
    };
    assert_eq!(ids(&cache), ["d", "a", "c"]);
    assert_eq!(mock.request_count(), 4);
    // Evicting a key this thread reads without the lock: the next get asks again.
    for id in ["c", "d", "e"] {
        cache.get(id).await.unwrap(); // e evicts a
    }
    assert_eq!(ids(&cache), ["e", "d", "c"]);
    assert_eq!(value(&cache.get("a").await.unwrap()), "value of a");
    assert_eq!(mock.request_count(), 6);
    let m = cache.metrics();
    assert_eq!((m.hits, m.misses, m.evictions), (4, 6, 3));
}

/// A task that loops over hits and never yields starves the runtime's timers on its thread: the
/// TTL must hold anyway. Two such tasks on two threads, real clock: no get that starts at or
/// after the value's expiry returns it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loop_that_never_yields_never_gets_a_value_past_its_ttl() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "before"))
            .then_output_json(output("v2", "after"))
            .repeatedly(),
    );
    let ttl = Duration::from_millis(300);
    let cache = builder(&mock).ttl(ttl).build().unwrap();
    cache.get("db").await.unwrap();
    // The value was stored before this instant: it expires at `expiry` at the latest.
    let expiry = tokio::time::Instant::now() + ttl;
    let loops: Vec<_> = (0..2)
        .map(|_| {
            let cache = cache.clone();
            tokio::spawn(async move {
                let mut old = 0u64;
                loop {
                    let started = tokio::time::Instant::now();
                    // A hit completes without yielding; only the miss at expiry waits.
                    let s = cache.get("db").await.unwrap();
                    if value(&s) == "after" {
                        return old;
                    }
                    assert!(
                        started < expiry,
                        "the old value was served {:?} after its TTL (get {old})",
                        started - expiry
                    );
                    old += 1;
                }
            })
        })
        .collect();
    for l in loops {
        l.await.unwrap();
    }
    assert_eq!(mock.request_count(), 2);
}

/// Threads that read a key without the lock see `refresh_now` and `invalidate` as soon as these
/// return, and every get is counted once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_thread_sees_refresh_now_and_invalidation_when_they_return() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "one"))
            .then_output_json(output("v2", "two"))
            .then_output_json(output("v3", "three"))
            .repeatedly(),
    );
    let cache = builder(&mock)
        .ttl(Duration::from_secs(600))
        .build()
        .unwrap();
    const TASKS: usize = 8;
    const GETS: usize = 2000;
    // Every task reads the key GETS times (on both worker threads, so both remember it) and
    // returns the values it saw, deduplicated, and the last secret it got: those are held
    // while the value is replaced, so the threads' own handles on it stay alive.
    let read_all = |cache: SecretCache| async move {
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let cache = cache.clone();
                tokio::spawn(async move {
                    let mut seen: Vec<String> = Vec::new();
                    let mut last = None;
                    for i in 0..GETS {
                        let s = cache.get("db").await.unwrap();
                        if !seen.iter().any(|v| v == value(&s)) {
                            seen.push(value(&s).to_owned());
                        }
                        last = Some(s);
                        if i % 100 == 0 {
                            tokio::task::yield_now().await; // move between the threads
                        }
                    }
                    (seen, last.unwrap())
                })
            })
            .collect();
        let (mut seen, mut held) = (Vec::new(), Vec::new());
        for t in tasks {
            let (s, h) = t.await.unwrap();
            seen.push(s);
            held.push(h);
        }
        (seen, held)
    };
    assert_eq!(value(&cache.get("db").await.unwrap()), "one");
    let (seen, _held) = read_all(cache.clone()).await;
    assert!(seen.iter().all(|s| s == &["one"]), "{seen:?}");
    assert_eq!(
        value(&cache.refresh_now("db", Version::Current).await.unwrap()),
        "two"
    );
    let (seen, _held) = read_all(cache.clone()).await;
    assert!(seen.iter().all(|s| s == &["two"]), "{seen:?}");
    assert_eq!(cache.invalidate("db"), 1);
    let (seen, _held) = read_all(cache.clone()).await;
    assert!(seen.iter().all(|s| s == &["three"]), "{seen:?}");
    assert_eq!(mock.request_count(), 3);
    let m = cache.metrics();
    // The first get and the first gets after the invalidation missed; every other get hit.
    assert_eq!(m.hits + m.misses, 1 + 3 * (TASKS * GETS) as u64, "{m:?}");
    assert!(m.misses >= 2 && m.misses <= 1 + TASKS as u64, "{m:?}");
    assert_eq!(m.misses - m.coalesced, 2, "one request per miss: {m:?}");
}

#[tokio::test(start_paused = true)]
async fn names_arns_version_ids_and_stages_are_selected() {
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"VersionStage":"AWSPREVIOUS"}"#)
                .then_output_json(output("v0", "previous"))
                .repeatedly(),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"VersionId":"v0"}"#)
                .then_output_json(output("v0", "previous"))
                .repeatedly(),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .then_output_json(output("v1", "current"))
                .repeatedly(),
        );
    let cache = builder(&mock).build().unwrap();
    assert_eq!(value(&cache.get("db").await.unwrap()), "current");
    assert_eq!(
        value(&cache.get_stage("db", "AWSPREVIOUS").await.unwrap()),
        "previous"
    );
    assert_eq!(
        value(&cache.get_version("db", "v0").await.unwrap()),
        "previous"
    );
    assert_eq!(value(&cache.get(ARN).await.unwrap()), "current");
    // AWSCURRENT by stage is the plain entry: no request.
    assert_eq!(
        value(&cache.get_stage("db", "AWSCURRENT").await.unwrap()),
        "current"
    );
    let sent = mock.requests();
    assert_eq!(sent.len(), 4);
    assert_eq!(sent[1].input_str("VersionStage"), Some("AWSPREVIOUS"));
    assert_eq!(sent[2].input_str("VersionId"), Some("v0"));
    assert_eq!(sent[3].input_str("SecretId"), Some(ARN));
    assert!(
        sent[0].input_str("VersionStage").is_none() && sent[0].input_str("VersionId").is_none()
    );
    assert_eq!(cache.len(), 4);
    // Invalidating "db" drops its three versions, not the entry read by ARN.
    assert_eq!(cache.invalidate("db"), 3);
    assert_eq!(cache.keys(), [(ARN.to_owned(), None)]);
}

#[tokio::test(start_paused = true)]
async fn refresh_now_and_invalidation() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "one"))
            .then_output_json(output("v2", "two"))
            .then_output_json(output("v3", "three"))
            .repeatedly(),
    );
    let cache = builder(&mock).build().unwrap();
    assert_eq!(value(&cache.get("db").await.unwrap()), "one");
    // refresh_now sends a request although the value is fresh, and caches the answer.
    assert_eq!(
        value(&cache.refresh_now("db", Version::Current).await.unwrap()),
        "two"
    );
    assert_eq!(value(&cache.get("db").await.unwrap()), "two");
    assert_eq!(mock.request_count(), 2);
    assert_eq!(cache.metrics().refreshes, 1);
    // invalidate_version / invalidate: the next get sends a request.
    assert!(cache.invalidate_version("db", Version::Current));
    assert!(!cache.invalidate_version("db", Version::Current));
    assert!(cache.is_empty());
    assert_eq!(value(&cache.get("db").await.unwrap()), "three");
    assert_eq!(mock.request_count(), 3);
    cache.invalidate_all();
    assert!(cache.is_empty());
}

#[tokio::test(start_paused = true)]
async fn invalidation_during_a_request_does_not_cache_its_answer() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "old"))
            .then_output_json(output("v2", "new"))
            .delay(Duration::from_secs(1))
            .repeatedly(),
    );
    let cache = builder(&mock).build().unwrap();
    let waiting = tokio::spawn({
        let c = cache.clone();
        async move { c.get("db").await }
    });
    settle().await;
    assert_eq!(cache.invalidate("db"), 1);
    // The caller that was waiting still gets its answer...
    assert_eq!(value(&waiting.await.unwrap().unwrap()), "old");
    // ...but it was not cached: the next get asks again.
    assert_eq!(value(&cache.get("db").await.unwrap()), "new");
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn describe_check_renews_unchanged_versions_without_fetching() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v1", "one")))
        .with_rule(
            Rule::new("DescribeSecret")
                .then_output_json(r#"{"VersionIdsToStages":{"v1":["AWSCURRENT"]}}"#)
                .then_output_json(
                    r#"{"VersionIdsToStages":{"v1":["AWSPREVIOUS"],"v2":["AWSCURRENT"]}}"#,
                ),
        )
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v2", "two")));
    let cache = builder(&mock).describe_check(true).build().unwrap();
    let first = cache.get("db").await.unwrap();
    // Expired, version unchanged: renewed with DescribeSecret only, same cached copy.
    advance(Duration::from_secs(11)).await;
    let renewed = cache.get("db").await.unwrap();
    assert!(renewed.ptr_eq(&first));
    assert_eq!(ops(&mock), ["GetSecretValue", "DescribeSecret"]);
    // The renewal restarted the TTL.
    advance(Duration::from_secs(9)).await;
    cache.get("db").await.unwrap();
    assert_eq!(mock.request_count(), 2);
    // Expired again, AWSCURRENT moved: DescribeSecret then GetSecretValue.
    advance(Duration::from_secs(2)).await;
    assert_eq!(value(&cache.get("db").await.unwrap()), "two");
    assert_eq!(
        ops(&mock),
        [
            "GetSecretValue",
            "DescribeSecret",
            "DescribeSecret",
            "GetSecretValue"
        ]
    );
    // DescribeSecret was asked about the ARN from the cached value.
    assert_eq!(
        mock.requests_for("DescribeSecret")[0].input_str("SecretId"),
        Some(ARN)
    );
    mock.assert_all_used();
}

#[tokio::test(start_paused = true)]
async fn warming_fetches_many_secrets_twenty_per_batch_call() {
    let batch = |r: &RecordedRequest| {
        let ids: Vec<String> = r
            .input()
            .get("SecretIdList")
            .and_then(|l| l.as_array())
            .unwrap_or_default()
            .iter()
            .filter_map(|d| d.as_str().map(str::to_owned))
            .collect();
        let values: Vec<String> = ids
            .iter()
            .filter(|id| *id != "missing")
            .map(|id| format!(r#"{{"Name":"{id}","VersionId":"v","SecretString":"warm {id}"}}"#))
            .collect();
        let errors = if ids.iter().any(|id| id == "missing") {
            r#"[{"SecretId":"missing","ErrorCode":"ResourceNotFoundException","Message":"no"}]"#
        } else {
            "[]"
        };
        MockReply::output_json(format!(
            r#"{{"SecretValues":[{}],"Errors":{errors}}}"#,
            values.join(",")
        ))
    };
    let mock = MockTransport::new()
        .with_rule(Rule::new("BatchGetSecretValue").then_fn(batch).repeatedly());
    let cache = builder(&mock).max_entries(100).build().unwrap();
    let mut ids: Vec<String> = (0..24).map(|i| format!("s{i}")).collect();
    ids.push("missing".into());
    let report = cache.warm(ids.clone()).await.unwrap();
    assert_eq!(report.requests, 2);
    assert_eq!(report.cached.len(), 24);
    assert_eq!(report.failed.len(), 1);
    assert_eq!(report.failed[0].secret_id, "missing");
    assert_eq!(
        report.failed[0].code.as_deref(),
        Some("ResourceNotFoundException")
    );
    let sizes: Vec<usize> = mock
        .requests()
        .iter()
        .map(|r| {
            r.input()
                .get("SecretIdList")
                .and_then(|l| l.as_array())
                .map_or(0, |l| l.len())
        })
        .collect();
    assert_eq!(sizes, [20, 5]);
    // Every warmed secret is a hit.
    for id in &ids[..24] {
        assert_eq!(value(&cache.get(id).await.unwrap()), format!("warm {id}"));
    }
    assert_eq!(mock.request_count(), 2);
    assert_eq!(cache.metrics().hits, 24);
    // Warming again refreshes them in the same two calls.
    cache.warm(ids).await.unwrap();
    assert_eq!(mock.request_count(), 4);
    assert_eq!(cache.metrics().refreshes, 24);
}

#[tokio::test(start_paused = true)]
async fn transform_runs_once_per_fetch_and_can_refuse() {
    let calls = Arc::new(AtomicUsize::new(0));
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"SecretId":"bad"}"#)
                .then_output_json(r#"{"Name":"bad","SecretString":"not base64!"}"#),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .then_output_json(output("v1", "  padded  "))
                .repeatedly(),
        );
    let counter = calls.clone();
    let cache = builder(&mock)
        .transform(move |id, v| {
            counter.fetch_add(1, Ordering::SeqCst);
            match v {
                SecretValue::String(s) if id == "bad" => {
                    let _ = s;
                    Err("refused".into())
                }
                SecretValue::String(s) => Ok(SecretValue::String(s.expose_secret().trim().into())),
                other => Ok(other),
            }
        })
        .build()
        .unwrap();
    for _ in 0..10 {
        assert_eq!(value(&cache.get("db").await.unwrap()), "padded");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let err = cache.get("bad").await.unwrap_err();
    assert!(matches!(err, CacheError::Transform { .. }), "{err}");
    assert!(err.to_string().contains("refused"));
}

#[tokio::test(start_paused = true)]
async fn metrics_count_what_happened() {
    let mock =
        MockTransport::new().with_rule(Rule::new("GetSecretValue").then_fn(echo).repeatedly());
    let cache = builder(&mock).max_entries(2).build().unwrap();
    for id in ["a", "a", "a", "b", "c"] {
        cache.get(id).await.unwrap();
    }
    let m = cache.metrics();
    assert_eq!(
        (
            m.hits,
            m.misses,
            m.coalesced,
            m.requests,
            m.errors,
            m.evictions,
            m.entries
        ),
        (2, 3, 0, 3, 0, 1, 2)
    );
    assert_eq!((m.refreshes, m.stale_served), (0, 0));
}

#[test]
fn without_a_runtime_a_miss_is_an_error_not_a_hang() {
    let mock = MockTransport::new();
    // Built outside any runtime and given none.
    let cache = SecretCache::new(secretsmanager::Client::new(&test_config(&mock)));
    let err = poll_once(cache.get("db"))
        .expect("answered at once")
        .unwrap_err();
    assert!(matches!(err, CacheError::NoRuntime { .. }), "{err}");
    assert!(err.to_string().contains("runtime"));
    assert_eq!(mock.request_count(), 0);
}

#[tokio::test]
async fn debug_output_never_contains_values() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v1", "hunter2-canary")));
    let cache = builder(&mock).build().unwrap();
    let s = cache.get("db").await.unwrap();
    for text in [
        format!("{s:?}"),
        format!("{s:#?}"),
        format!("{:?}", s.value()),
        format!("{cache:?}"),
        format!("{:?}", cache.metrics()),
    ] {
        assert!(!text.contains("hunter2"), "{text}");
    }
    assert!(format!("{s:?}").contains("v1"));
}
