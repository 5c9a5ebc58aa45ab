//! Retry, quota, clock-skew and timeout behaviour of the pipeline, with a scripted mock transport.

mod pipeline_support;

use std::time::{Duration, Instant};

use awsrt::client::ClientHandle;
use awsrt::config::TimeoutConfig;
use awsrt::error::{SdkError, TimeoutKind};
use awsrt::http::{TransportErrorKind, TransportTimeout};
use awsrt::retry::{RetryConfig, RetryMode};
use awsrt::types::{DateTime, TimestampFormat};
use pipeline_support::*;

fn handle_with(mock: &std::sync::Arc<MockTransport>, retry: RetryConfig) -> ClientHandle {
    ClientHandle::new(&builder(mock).retry_config(retry).build(), &SERVICE)
}

#[tokio::test]
async fn server_error_then_success_takes_two_attempts() {
    let mock = MockTransport::new([Reply::status(503), Reply::status(200)]);
    let handle = handle_with(&mock, fast_retry(3));
    let resp = handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    assert_eq!(resp.status, 200);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].header("amz-sdk-request"), Some("attempt=1; max=3"));
    assert_eq!(reqs[1].header("amz-sdk-request"), Some("attempt=2; max=3"));
    assert_eq!(
        reqs[0].header("amz-sdk-invocation-id"),
        reqs[1].header("amz-sdk-invocation-id"),
        "invocation id is stable across retries"
    );
    assert!(
        reqs[1].header("authorization").is_some(),
        "retries are re-signed"
    );
    // The retry cost 5 and the success refunded it.
    assert_eq!(handle.retry_tokens(), 500);
}

#[tokio::test]
async fn throttling_and_modeled_retryable_errors_are_retried() {
    for code in [
        "ThrottlingException",
        "ModeledThrottle",
        "ModeledRetryableError",
        "SlowDown",
    ] {
        let mock = MockTransport::new([Reply::error(400, code), Reply::status(200)]);
        let resp = handle_with(&mock, fast_retry(3))
            .call_json(&OP, b"{}".to_vec())
            .await
            .unwrap();
        assert_eq!(resp.status, 200, "{code}");
        assert_eq!(mock.count(), 2, "{code}");
    }
}

#[tokio::test]
async fn modeled_client_errors_are_not_retried() {
    let mock = MockTransport::new([
        Reply::error(400, "ResourceNotFoundException"),
        Reply::status(200),
    ]);
    let resp = handle_with(&mock, fast_retry(3))
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(
        resp.status, 400,
        "the error response is returned for parsing"
    );
    assert_eq!(mock.count(), 1);
    let meta = awsrt::protocol::parse_error_metadata(&resp);
    assert_eq!(meta.code.as_deref(), Some("ResourceNotFoundException"));
    assert_eq!(meta.request_id.as_deref(), Some("req-1"));
}

#[tokio::test]
async fn attempts_are_bounded() {
    let mock = MockTransport::new([Reply::status(503)]);
    let resp = handle_with(&mock, fast_retry(1))
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(resp.status, 503);
    assert_eq!(mock.count(), 1, "max_attempts = 1 disables retries");

    let mock = MockTransport::new([Reply::status(500)]);
    let resp = handle_with(&mock, fast_retry(4))
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap();
    assert_eq!(resp.status, 500);
    assert_eq!(mock.count(), 4);
    assert_eq!(
        mock.requests()[3].header("amz-sdk-request"),
        Some("attempt=4; max=4")
    );
}

#[tokio::test]
async fn retry_quota_exhaustion_stops_retries() {
    let mock = MockTransport::new([Reply::status(500)]);
    let handle = handle_with(&mock, fast_retry(3).with_initial_backoff(Duration::ZERO));
    // Each failing call makes 2 retries at 5 tokens: 50 calls drain 500 tokens.
    for _ in 0..50 {
        handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    }
    assert_eq!(mock.count(), 150);
    assert_eq!(handle.retry_tokens(), 0);
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    assert_eq!(mock.count(), 151, "no tokens left: a single attempt");
    // Other handles have their own quota.
    let other = handle_with(&mock, fast_retry(3).with_initial_backoff(Duration::ZERO));
    other.call_json(&OP, b"{}".to_vec()).await.unwrap();
    assert_eq!(mock.count(), 154);
}

#[tokio::test]
async fn successes_refill_the_quota() {
    let mock = MockTransport::new([
        Reply::status(500),
        Reply::status(500),
        Reply::status(200),
        Reply::status(200),
    ]);
    let handle = handle_with(&mock, fast_retry(3));
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    // Two retries (10 tokens) then success refunds the last retry's 5.
    assert_eq!(handle.retry_tokens(), 495);
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    assert_eq!(handle.retry_tokens(), 496);
}

#[tokio::test]
async fn transport_errors_retry_by_kind() {
    let mock = MockTransport::new([
        Reply::Error(TransportErrorKind::Connect, "connection refused"),
        Reply::Error(
            TransportErrorKind::Timeout(TransportTimeout::Read),
            "read timed out",
        ),
        Reply::status(200),
    ]);
    let handle = handle_with(&mock, fast_retry(3));
    assert_eq!(
        handle.call_json(&OP, b"{}".to_vec()).await.unwrap().status,
        200
    );
    assert_eq!(mock.count(), 3);
    // 5 for the connect failure, 10 for the timeout, the last (10) refunded.
    assert_eq!(handle.retry_tokens(), 495);

    let mock = MockTransport::new([Reply::Error(TransportErrorKind::Tls, "bad certificate")]);
    let err = handle_with(&mock, fast_retry(3))
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap_err();
    assert_eq!(mock.count(), 1, "TLS failures are not retried");
    assert!(matches!(&err, SdkError::Dispatch(d) if d.kind() == TransportErrorKind::Tls));

    let mock = MockTransport::new([Reply::Error(TransportErrorKind::Io, "connection reset")]);
    let err = handle_with(&mock, fast_retry(2))
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap_err();
    assert_eq!(mock.count(), 2);
    assert!(
        err.to_string()
            .starts_with("dispatch failure: connection reset"),
        "{err}"
    );

    let mock = MockTransport::new([Reply::Error(
        TransportErrorKind::Timeout(TransportTimeout::Connect),
        "connect timed out",
    )]);
    let err = handle_with(&mock, fast_retry(2))
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(&err, SdkError::Timeout(t) if t.kind() == TimeoutKind::Connect));
}

/// `x-amz-date` (`20240101T000000Z`) as seconds since the epoch.
fn amz_date_secs(v: &str) -> i64 {
    let rfc = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &v[0..4],
        &v[4..6],
        &v[6..8],
        &v[9..11],
        &v[11..13],
        &v[13..15]
    );
    DateTime::parse(&rfc, TimestampFormat::DateTime)
        .unwrap()
        .secs()
}

#[tokio::test]
async fn clock_skew_sets_the_offset_and_retries() {
    let server_time = DateTime::from_secs(DateTime::now().secs() + 3600);
    let skewed = awsrt::http::HttpResponse::new(
        400,
        r#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#,
    )
    .with_header("date", &server_time.fmt(TimestampFormat::HttpDate));
    let mock = MockTransport::new([
        Reply::Response(skewed),
        Reply::status(200),
        Reply::status(200),
    ]);
    let handle = handle_with(&mock, fast_retry(3));
    assert_eq!(
        handle.call_json(&OP, b"{}".to_vec()).await.unwrap().status,
        200
    );
    assert_eq!(mock.count(), 2);
    let offset = handle.clock_offset_millis();
    assert!((offset - 3_600_000).abs() < 5_000, "offset {offset}");
    let reqs = mock.requests();
    let first = amz_date_secs(reqs[0].header("x-amz-date").unwrap());
    let second = amz_date_secs(reqs[1].header("x-amz-date").unwrap());
    assert!((second - first - 3600).abs() < 5, "{first} {second}");
    // Later calls keep the corrected clock.
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    let third = amz_date_secs(mock.requests()[2].header("x-amz-date").unwrap());
    assert!((third - first - 3600).abs() < 5);
}

#[tokio::test]
async fn skew_code_with_matching_clock_is_not_retried() {
    let now = DateTime::now();
    let resp = awsrt::http::HttpResponse::new(400, r#"{"__type":"InvalidSignatureException"}"#)
        .with_header("date", &now.fmt(TimestampFormat::HttpDate));
    let mock = MockTransport::new([Reply::Response(resp), Reply::status(200)]);
    let handle = handle_with(&mock, fast_retry(3));
    assert_eq!(
        handle.call_json(&OP, b"{}".to_vec()).await.unwrap().status,
        400
    );
    assert_eq!(
        mock.count(),
        1,
        "a bad signature with a correct clock is final"
    );
    assert_eq!(handle.clock_offset_millis(), 0);
    // Without a Date header there is nothing to correct either.
    let mock = MockTransport::new([
        Reply::error(403, "RequestTimeTooSkewed"),
        Reply::status(200),
    ]);
    assert_eq!(
        handle_with(&mock, fast_retry(3))
            .call_json(&OP, b"{}".to_vec())
            .await
            .unwrap()
            .status,
        403
    );
    assert_eq!(mock.count(), 1);
}

#[tokio::test]
async fn operation_timeout_bounds_a_slow_transport() {
    let mock = MockTransport::new([Reply::Delayed(
        Duration::from_secs(5),
        Box::new(Reply::status(200)),
    )]);
    let config = builder(&mock)
        .timeout_config(TimeoutConfig::default().with_operation(Duration::from_millis(200)))
        .build();
    let start = Instant::now();
    let err = ClientHandle::new(&config, &SERVICE)
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(&err, SdkError::Timeout(t) if t.kind() == TimeoutKind::Operation),
        "{err:?}"
    );
    assert!(
        took >= Duration::from_millis(190) && took < Duration::from_secs(4),
        "{took:?}"
    );
    assert_eq!(err.to_string(), "timeout: operation timed out after 200ms");
}

#[tokio::test]
async fn operation_timeout_includes_backoff() {
    let mock = MockTransport::new([Reply::status(503)]);
    let retry = RetryConfig::standard()
        .with_max_attempts(10)
        .with_initial_backoff(Duration::from_secs(30))
        .with_max_backoff(Duration::from_secs(30));
    let config = builder(&mock)
        .retry_config(retry)
        .timeout_config(TimeoutConfig::default().with_operation(Duration::from_millis(300)))
        .build();
    let start = Instant::now();
    let result = ClientHandle::new(&config, &SERVICE)
        .call_json(&OP, b"{}".to_vec())
        .await;
    let took = start.elapsed();
    assert!(took < Duration::from_secs(10), "{took:?}");
    // Either the backoff sleep was cut by the operation timeout, or (jitter near 0) attempts
    // continued; both must end within the limit and never exceed 10 attempts.
    match result {
        Err(SdkError::Timeout(t)) => assert_eq!(t.kind(), TimeoutKind::Operation),
        Ok(resp) => assert_eq!(resp.status, 503),
        Err(other) => panic!("unexpected {other:?}"),
    }
    assert!(mock.count() <= 10);
}

#[tokio::test]
async fn attempt_timeout_retries_the_slow_attempt() {
    let mock = MockTransport::new([
        Reply::Delayed(Duration::from_secs(5), Box::new(Reply::status(200))),
        Reply::status(200),
    ]);
    let config = builder(&mock)
        .timeout_config(TimeoutConfig::default().with_attempt(Duration::from_millis(100)))
        .build();
    let handle = ClientHandle::new(&config, &SERVICE);
    let start = Instant::now();
    assert_eq!(
        handle.call_json(&OP, b"{}".to_vec()).await.unwrap().status,
        200
    );
    // Under the slow attempt's 5 s.
    assert!(start.elapsed() < Duration::from_secs(4));
    assert_eq!(mock.count(), 2);
    // An attempt timeout costs 10 tokens; the success refunds them.
    assert_eq!(handle.retry_tokens(), 500);

    let mock = MockTransport::new([Reply::Delayed(
        Duration::from_secs(5),
        Box::new(Reply::status(200)),
    )]);
    let config = builder(&mock)
        .retry_config(fast_retry(2))
        .timeout_config(TimeoutConfig::default().with_attempt(Duration::from_millis(50)))
        .build();
    let err = ClientHandle::new(&config, &SERVICE)
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(&err, SdkError::Timeout(t) if t.kind() == TimeoutKind::Attempt));
    assert_eq!(mock.count(), 2);
}

#[tokio::test]
async fn transport_gets_connect_and_read_timeouts() {
    let mock = MockTransport::new([]);
    let config = builder(&mock)
        .timeout_config(
            TimeoutConfig::disabled()
                .with_connect(Duration::from_millis(700))
                .with_read(Duration::from_secs(9)),
        )
        .build();
    ClientHandle::new(&config, &SERVICE)
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap();
    let t = mock.timeouts()[0];
    assert_eq!(t.connect, Some(Duration::from_millis(700)));
    assert_eq!(t.read, Some(Duration::from_secs(9)));
}

#[tokio::test]
async fn adaptive_mode_retries_throttling_and_slows_down() {
    let mock = MockTransport::new([Reply::error(400, "ThrottlingException"), Reply::status(200)]);
    let retry = fast_retry(5).with_mode(RetryMode::Adaptive);
    let handle = handle_with(&mock, retry);
    let start = Instant::now();
    assert_eq!(
        handle.call_json(&OP, b"{}".to_vec()).await.unwrap().status,
        200
    );
    assert_eq!(mock.count(), 2);
    // After a throttle at a near-zero measured rate, the limiter fills at its minimum of
    // 0.5 tokens/s from empty: the retry waits about 2 s (standard mode would wait ~1 ms).
    let took = start.elapsed();
    assert!(
        took >= Duration::from_millis(1500) && took < Duration::from_secs(8),
        "{took:?}"
    );
}
