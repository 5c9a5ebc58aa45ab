//! Retry behaviour end to end: which failures are retried, `max_attempts`, the retry quota,
//! operation and attempt timeouts, idempotency tokens across attempts, adaptive mode and
//! clock-skew correction.

use super::*;
use secretsmanager::config::RetryMode;

#[tokio::test]
async fn bad_gateway_and_gateway_timeout_are_retried() {
    guarded(async {
        for status in [502u16, 504] {
            let fault = Fault::Custom {
                status,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body: b"<html><body>upstream failure</body></html>".to_vec(),
            };
            for op in OPS {
                let case = run_case(op, Vec::new(), fault.clone(), fast_retry(3), timeouts()).await;
                // An HTML error page has no code: the error is unhandled, with its status.
                let want = Outcome::Service("Unhandled", None, status);
                check(&case, &format!("HTML {status}"), &want, 3, Conns::Reused);
            }
        }
    })
    .await;
}

#[tokio::test]
async fn max_attempts_one_disables_retries() {
    guarded(async {
        for (fault, want) in [
            (
                Fault::ServiceUnavailable,
                Outcome::Service("Unhandled", Some("ServiceUnavailable".into()), 503),
            ),
            (
                Fault::ResetAfterRead,
                Outcome::Dispatch(TransportErrorKind::Io),
            ),
            (
                Fault::Throttling,
                Outcome::Service("Unhandled", Some("ThrottlingException".into()), 400),
            ),
        ] {
            for op in OPS {
                let case = run_case(
                    op,
                    Vec::new(),
                    fault.clone(),
                    RetryConfig::disabled(),
                    timeouts(),
                )
                .await;
                assert_eq!(case.outcome, want, "{} / {}", fault.name(), op.name());
                assert_eq!(case.attempts, 1, "{} / {}", fault.name(), op.name());
                assert_eq!(case.connections, 1);
                let r = &case.requests[0];
                assert_eq!(r.header("amz-sdk-request"), Some("attempt=1; max=1"));
            }
        }
        // max_attempts = 0 behaves as 1.
        let case = run_case(
            Op::Get,
            Vec::new(),
            Fault::InternalError,
            fast_retry(0),
            timeouts(),
        )
        .await;
        assert_eq!(case.attempts, 1);
    })
    .await;
}

#[tokio::test]
async fn retry_quota_exhaustion_stops_retrying() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        server.set_default(Fault::ServiceUnavailable);
        let retry = RetryConfig::standard()
            .with_max_attempts(1000)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(1));
        let config = config(&server, retry, timeouts());
        let client = Client::new(&config);
        let started = Instant::now();
        let first = Op::Get.call(&client).await;
        assert_eq!(
            first,
            Outcome::Service("Unhandled", Some("ServiceUnavailable".into()), 503)
        );
        // 500 tokens, 5 per retry of a transient error: 100 retries, then the quota is empty.
        assert_eq!(
            server.request_count(),
            101,
            "first call: 1 attempt + 100 retries"
        );
        // The quota is per client: the next failing call gets no retry at all.
        let second = Op::Put.call(&client).await;
        assert!(matches!(second, Outcome::Service(_, _, 503)), "{second:?}");
        assert_eq!(server.request_count(), 102, "second call: no retry");
        // A success refunds a token, which is still less than a retry costs.
        server.push(Fault::ok(Op::List.ok_body("ok")));
        assert_eq!(
            Op::List.call(&client).await,
            Outcome::Success(Some("ok".into()))
        );
        let third = Op::List.call(&client).await;
        assert!(matches!(third, Outcome::Service(_, _, 503)), "{third:?}");
        assert_eq!(server.request_count(), 104, "third failing call: no retry");
        // A fresh client has a fresh quota.
        let fresh = Client::new(&config);
        server.push_all([Fault::ServiceUnavailable, Fault::ok(Op::Get.ok_body("ok"))]);
        assert_eq!(
            Op::Get.call(&fresh).await,
            Outcome::Success(Some("ok".into()))
        );
        assert_eq!(server.request_count(), 106);
        assert!(started.elapsed() < Duration::from_secs(30));
        assert_eq!(
            server.accepted_connections(),
            1,
            "all on one kept-alive connection"
        );
        drop((client, fresh, config));
        assert!(server.wait_idle(Duration::from_secs(5)).await);
    })
    .await;
}

#[tokio::test]
async fn operation_timeout_bounds_retries_and_backoff() {
    guarded(async {
        let limit = Duration::from_millis(1000);
        // Fast failures with long backoff: the backoff sleeps are cut by the operation timeout.
        let retry = RetryConfig::standard()
            .with_max_attempts(50)
            .with_initial_backoff(Duration::from_millis(300))
            .with_max_backoff(Duration::from_millis(300));
        for op in OPS {
            let case = run_case(
                op,
                Vec::new(),
                Fault::ServiceUnavailable,
                retry.clone(),
                timeouts().with_operation(limit),
            )
            .await;
            assert_eq!(
                case.outcome,
                Outcome::Timeout(TimeoutKind::Operation),
                "{op:?}"
            );
            assert!(
                (1..50).contains(&case.attempts),
                "{op:?}: {} attempts",
                case.attempts
            );
            assert!(
                case.elapsed < limit + Duration::from_secs(2),
                "{:?}",
                case.elapsed
            );
        }
        // One attempt that never answers, no read timeout: the operation timeout ends it.
        for op in OPS {
            let case = run_case(
                op,
                Vec::new(),
                Fault::DelayHeaders {
                    delay: Duration::from_secs(20),
                    body: "{}".into(),
                },
                fast_retry(3),
                TimeoutConfig::disabled().with_operation(Duration::from_millis(800)),
            )
            .await;
            assert_eq!(case.outcome, Outcome::Timeout(TimeoutKind::Operation));
            assert_eq!(case.attempts, 1);
            assert!(case.elapsed < Duration::from_secs(3), "{:?}", case.elapsed);
        }
    })
    .await;
}

#[tokio::test]
async fn attempt_timeout_is_retried_then_reported() {
    guarded(async {
        for op in OPS {
            let slow = Fault::DelayHeaders {
                delay: LONG_DELAY,
                body: "{}".into(),
            };
            let t = TimeoutConfig::disabled().with_attempt(Duration::from_millis(300));
            let case = run_case(op, Vec::new(), slow.clone(), fast_retry(3), t).await;
            assert_eq!(case.outcome, Outcome::Timeout(TimeoutKind::Attempt));
            assert_eq!(case.attempts, 3);
            assert_eq!(
                case.connections, 3,
                "a timed-out connection is never reused"
            );
            assert!(case.elapsed < Duration::from_secs(10));
            // Slow, but within the limits: succeeds on the first attempt.
            let quick = Fault::DelayHeaders {
                delay: Duration::from_millis(100),
                body: op.ok_body("slow"),
            };
            let t = TimeoutConfig::default().with_attempt(Duration::from_secs(5));
            let case = run_case(op, Vec::new(), quick, fast_retry(3), t).await;
            assert_eq!(case.outcome, Outcome::Success(Some("slow".into())));
            assert_eq!(case.attempts, 1);
        }
    })
    .await;
}

/// `ClientRequestToken`s the server saw, one per attempt that was read.
fn tokens(requests: &[RecordedRequest]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.read)
        .map(|r| r.json_string("ClientRequestToken").unwrap_or_default())
        .collect()
}

fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && [8, 13, 18, 23].iter().all(|&i| b[i] == b'-')
        && b[14] == b'4'
        && s.chars()
            .filter(|c| *c != '-')
            .all(|c| c.is_ascii_hexdigit())
}

#[tokio::test]
async fn client_request_token_is_identical_across_attempts() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let config = config(&server, fast_retry(6), timeouts());
        let client = Client::new(&config);
        let faults = [
            Fault::InternalError,
            Fault::ResetAfterRead,
            Fault::ServiceUnavailable,
            Fault::Throttling,
            Fault::StallBody {
                body: Op::Put.ok_body("x"),
            },
            Fault::ok(Op::Put.ok_body("stored")),
        ];
        server.push_all(faults.clone());
        let out = client
            .put_secret_value()
            .secret_id("db")
            .secret_string("v1")
            .send()
            .await
            .expect("succeeds on the sixth attempt");
        assert_eq!(out.name(), Some("stored"));
        let first = server.take_requests();
        assert_eq!(first.len(), 6);
        let seen = tokens(&first);
        assert!(is_uuid_v4(&seen[0]), "auto-filled token {:?}", seen[0]);
        assert!(
            seen.iter().all(|t| *t == seen[0]),
            "token changed between attempts: {seen:?}"
        );

        // A second call chooses a new token, again kept across its retries.
        server.push_all([Fault::InternalError, Fault::ok(Op::Put.ok_body("again"))]);
        client
            .put_secret_value()
            .secret_id("db")
            .secret_string("v2")
            .send()
            .await
            .expect("second call");
        let second = tokens(&server.take_requests());
        assert_eq!(second.len(), 2);
        assert_eq!(second[0], second[1]);
        assert_ne!(second[0], seen[0], "each call has its own token");

        // A caller-chosen token is sent unchanged on every attempt.
        server.push_all([Fault::ResetAfterRead, Fault::ok(Op::Put.ok_body("mine"))]);
        client
            .put_secret_value()
            .secret_id("db")
            .secret_string("v3")
            .client_request_token("EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE")
            .send()
            .await
            .expect("third call");
        assert_eq!(
            tokens(&server.take_requests()),
            vec!["EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE"; 2]
        );

        // CreateSecret auto-fills its token the same way.
        server.push_all([Fault::ServiceUnavailable, Fault::ok(r#"{"Name":"db"}"#)]);
        client
            .create_secret()
            .name("db")
            .secret_string("v0")
            .send()
            .await
            .expect("create");
        let created = tokens(&server.take_requests());
        assert_eq!(created.len(), 2);
        assert!(is_uuid_v4(&created[0]), "{created:?}");
        assert_eq!(created[0], created[1]);
        drop((client, config));
        assert!(server.wait_idle(Duration::from_secs(5)).await);
    })
    .await;
}

#[tokio::test]
async fn adaptive_mode_recovers_from_throttling() {
    guarded(async {
        for op in OPS {
            let script = vec![
                Fault::Throttling,
                Fault::Throttling,
                Fault::ok(op.ok_body("adaptive")),
            ];
            let retry = fast_retry(3).with_mode(RetryMode::Adaptive);
            let case = run_case(op, script, Fault::Throttling, retry, timeouts()).await;
            check(
                &case,
                "adaptive: Throttling x2 then Ok",
                &Outcome::Success(Some("adaptive".into())),
                3,
                Conns::Reused,
            );
        }
    })
    .await;
}

/// `20260520T101010Z` → seconds since the epoch.
fn amz_date_secs(v: &str) -> i64 {
    let b = v.as_bytes();
    assert_eq!(b.len(), 16, "x-amz-date {v:?}");
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &v[0..4],
        &v[4..6],
        &v[6..8],
        &v[9..11],
        &v[11..13],
        &v[13..15]
    );
    awsrt::types::DateTime::parse(&rfc3339, awsrt::types::TimestampFormat::DateTime)
        .expect("x-amz-date parses")
        .secs()
}

#[tokio::test]
async fn clock_skew_error_corrects_the_signing_time_and_retries() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let ahead = awsrt::types::DateTime::from_secs(awsrt::types::DateTime::now().secs() + 3600);
        server.push_all([
            Fault::Custom {
                status: 400,
                headers: vec![
                    (
                        "Date".into(),
                        ahead.fmt(awsrt::types::TimestampFormat::HttpDate),
                    ),
                    ("Content-Type".into(), "application/x-amz-json-1.1".into()),
                ],
                body: br#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#
                    .to_vec(),
            },
            Fault::ok(Op::Get.ok_body("skewed")),
        ]);
        let config = config(&server, fast_retry(3), timeouts());
        let client = Client::new(&config);
        assert_eq!(
            Op::Get.call(&client).await,
            Outcome::Success(Some("skewed".into()))
        );
        let reqs = server.requests();
        assert_eq!(reqs.len(), 2);
        let t0 = amz_date_secs(reqs[0].header("x-amz-date").expect("date 0"));
        let t1 = amz_date_secs(reqs[1].header("x-amz-date").expect("date 1"));
        let shift = t1 - t0;
        assert!(
            (3500..3700).contains(&shift),
            "signing time moved by {shift}s, expected about an hour"
        );
    })
    .await;
}
