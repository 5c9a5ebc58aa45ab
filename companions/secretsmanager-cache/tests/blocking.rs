//! The blocking facade (feature `blocking`): plain threads, no runtime of the caller's.

use std::sync::{Arc, Barrier};
use std::time::Duration;

use secretsmanager::test_util::{test_config, MockTransport, Rule};
use secretsmanager_cache::blocking::SecretCache;
use secretsmanager_cache::{CacheError, Version};

fn output(version: &str, value: &str) -> String {
    format!(r#"{{"Name":"db","VersionId":"{version}","SecretString":"{value}"}}"#)
}

fn client(mock: &MockTransport) -> secretsmanager::Client {
    secretsmanager::Client::new(&test_config(mock))
}

#[test]
fn threads_share_one_request_and_then_hit() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .then_output_json(output("v1", "hunter2"))
            .delay(Duration::from_millis(200))
            .repeatedly(),
    );
    let cache = SecretCache::new(client(&mock)).unwrap();
    let start = Arc::new(Barrier::new(32));
    let threads: Vec<_> = (0..32)
        .map(|_| {
            let (cache, start) = (cache.clone(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                let s = cache.get("db").unwrap();
                s.secret_string().unwrap().expose_secret().to_owned()
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), "hunter2");
    }
    assert_eq!(mock.request_count(), 1);
    for _ in 0..100 {
        cache.get("db").unwrap();
    }
    let m = cache.metrics();
    // A thread that reaches the cache after the answer hits instead of joining the request,
    // so how the 32 split depends on scheduling; one request, and only one uncoalesced miss,
    // do not.
    assert_eq!(
        (m.misses + m.hits, m.misses - m.coalesced, m.requests),
        (132, 1, 1),
        "{m:?}"
    );
    assert!(m.hits >= 100, "{m:?}");
    assert_eq!(cache.len(), 1);
}

#[test]
fn refresh_now_warm_versions_and_invalidation() {
    let mock =
        MockTransport::new()
            .with_rule(
                Rule::new("GetSecretValue")
                    .input_contains_json(r#"{"VersionStage":"AWSPREVIOUS"}"#)
                    .then_output_json(output("v0", "old")),
            )
            .with_rule(
                Rule::new("GetSecretValue")
                    .then_output_json(output("v1", "one"))
                    .then_output_json(output("v2", "two")),
            )
            .with_rule(Rule::new("BatchGetSecretValue").then_output_json(
                r#"{"SecretValues":[{"Name":"a","SecretString":"A"}],"Errors":[]}"#,
            ));
    let cache = SecretCache::builder(client(&mock))
        .ttl(Duration::from_secs(600))
        .build_blocking()
        .unwrap();
    let value =
        |s: secretsmanager_cache::Secret| s.secret_string().unwrap().expose_secret().to_owned();
    assert_eq!(value(cache.get("db").unwrap()), "one");
    assert_eq!(
        value(cache.refresh_now("db", Version::Current).unwrap()),
        "two"
    );
    assert_eq!(value(cache.get("db").unwrap()), "two");
    assert_eq!(value(cache.get_stage("db", "AWSPREVIOUS").unwrap()), "old");
    assert_eq!(cache.warm(["a"]).unwrap().cached, ["a"]);
    assert_eq!(value(cache.get("a").unwrap()), "A");
    assert_eq!(cache.invalidate("db"), 2);
    assert!(cache.invalidate_version("a", Version::Current));
    assert!(cache.is_empty());
    // With the rules used up, a miss fails (and is an error, not a hang).
    assert!(matches!(
        cache.get("db"),
        Err(CacheError::GetSecretValue { .. })
    ));
    mock.assert_all_used();
}

#[test]
fn hits_of_threads_that_have_exited_are_still_counted() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_output_json(output("v1", "hunter2")));
    let cache = SecretCache::new(client(&mock)).unwrap();
    cache.get("db").unwrap();
    for round in 1..=3 {
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let cache = cache.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        cache.get("db").unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let m = cache.metrics();
        assert_eq!((m.hits, m.misses), (round * 4000, 1));
    }
    assert_eq!(mock.request_count(), 1);
}
