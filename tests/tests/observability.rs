//! Observability (issue 5.7): `tracing` spans per operation and per attempt carrying the
//! operation name, attempt number, HTTP status and request id, checked with the capture
//! subscriber of `integration_tests::fault_server::capture` against the fault server.
//!
//! The runtime's field names (`runtime/src/client/pipeline.rs`): span `operation` with
//! `service` and `operation`; child span `attempt` with `attempt`, `status` and `request_id`
//! (the last two recorded once a response arrives); events `response received` (`status`,
//! `code`), `transport failure` (`error`), `attempt timed out`, `retrying` (`attempt`,
//! `class`, `delay`).
//! The OpenTelemetry fields the same spans carry beside these (`otel.name`, `rpc.*`,
//! `aws.request_id`, `error.type`, ...) and the metrics are checked in `observability_otel.rs`.
//!
//! Run: `cargo test -p integration-tests --test observability`.

use std::future::Future;
use std::time::Duration;

use integration_tests::fault_server::capture::{Capture, SpanRecord};
use integration_tests::fault_server::{Fault, FaultServer};
use secretsmanager::config::{RetryConfig, TimeoutConfig};
use secretsmanager::{Client, Config};

async fn guarded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("test hung");
}

fn client(server: &FaultServer, read_timeout: Duration) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .credentials("AKIDOBSERVE", "observability-secret", None)
        .endpoint_url(server.url())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .timeout_config(TimeoutConfig::default().with_read(read_timeout))
        .build();
    Client::new(&config)
}

/// The `operation` spans for `name`.
fn operation_spans(capture: &Capture, name: &str) -> Vec<SpanRecord> {
    capture
        .spans()
        .into_iter()
        .filter(|s| s.name == "operation" && s.field("operation") == Some(name))
        .collect()
}

/// The `attempt` spans whose parent is `parent`, in creation order.
fn attempts_of(capture: &Capture, parent: &SpanRecord) -> Vec<SpanRecord> {
    capture
        .spans()
        .into_iter()
        .filter(|s| s.name == "attempt" && s.parent == Some(parent.id))
        .collect()
}

#[tokio::test]
async fn operation_and_attempt_spans_carry_name_attempt_status_and_request_id() {
    guarded(async {
        let capture = Capture::new();
        let _guard = capture.set_default();
        let server = FaultServer::start().await.expect("start");
        let client = client(&server, Duration::from_secs(5));
        server.push_all([
            Fault::ServiceUnavailable,
            Fault::InternalError,
            Fault::ok(r#"{"Name":"db","SecretString":"x"}"#),
        ]);
        client
            .get_secret_value()
            .secret_id("db")
            .send()
            .await
            .expect("succeeds on the third attempt");

        let ops = operation_spans(&capture, "GetSecretValue");
        assert_eq!(ops.len(), 1, "one span per operation call");
        let op = &ops[0];
        assert_eq!(op.field("service"), Some("Secrets Manager"));
        assert_eq!(op.parent, None);
        let attempts = attempts_of(&capture, op);
        assert_eq!(attempts.len(), 3, "one span per attempt");
        // The server numbers its responses' request ids fault-req-0, -1, -2.
        for (i, (a, status)) in attempts.iter().zip(["503", "500", "200"]).enumerate() {
            assert_eq!(a.field("attempt"), Some((i + 1).to_string().as_str()));
            assert_eq!(a.field("status"), Some(status), "attempt {}", i + 1);
            let rid = format!("fault-req-{i}");
            assert_eq!(a.field("request_id"), Some(rid.as_str()));
        }
        // Events: a `response received` inside each attempt, a `retrying` between them.
        let events = capture.events();
        for a in &attempts {
            assert!(
                events.iter().any(|e| e.span == Some(a.id)
                    && e.field("message") == Some("response received")
                    && e.field("status") == a.field("status")),
                "no response event for attempt {:?}",
                a.field("attempt")
            );
        }
        let retries = events
            .iter()
            .filter(|e| e.span == Some(op.id) && e.field("message") == Some("retrying"))
            .count();
        assert_eq!(retries, 2);
        let codes: Vec<_> = events.iter().filter_map(|e| e.field("code")).collect();
        assert_eq!(codes, ["ServiceUnavailable", "InternalServiceError"]);
    })
    .await;
}

#[tokio::test]
async fn failed_attempts_without_a_response_have_no_status() {
    guarded(async {
        let capture = Capture::new();
        let _guard = capture.set_default();
        let server = FaultServer::start().await.expect("start");
        let client = client(&server, Duration::from_millis(300));
        server.push_all([
            Fault::ResetAfterRead,
            Fault::DelayHeaders {
                delay: Duration::from_secs(5),
                body: "{}".into(),
            },
            Fault::ok(r#"{"ARN":"a","Name":"db","VersionId":"v"}"#),
        ]);
        client
            .put_secret_value()
            .secret_id("db")
            .secret_string("x")
            .send()
            .await
            .expect("succeeds on the third attempt");
        let ops = operation_spans(&capture, "PutSecretValue");
        assert_eq!(ops.len(), 1);
        let attempts = attempts_of(&capture, &ops[0]);
        assert_eq!(attempts.len(), 3);
        for a in &attempts[..2] {
            assert_eq!(a.field("status"), None, "no response, no status");
            assert_eq!(a.field("request_id"), None);
        }
        assert_eq!(attempts[2].field("status"), Some("200"));
        assert_eq!(attempts[2].field("request_id"), Some("fault-req-2"));
        let events = capture.events();
        let failure = |a: &SpanRecord| {
            events
                .iter()
                .find(|e| e.span == Some(a.id) && e.field("message") == Some("transport failure"))
                .and_then(|e| e.field("error"))
                .map(str::to_string)
        };
        assert!(failure(&attempts[0]).is_some(), "reset is reported");
        let timeout = failure(&attempts[1]).expect("read timeout is reported");
        assert!(timeout.contains("timeout"), "{timeout}");
    })
    .await;
}

#[tokio::test]
async fn each_call_gets_its_own_operation_span() {
    guarded(async {
        let capture = Capture::new();
        let _guard = capture.set_default();
        let server = FaultServer::start().await.expect("start");
        let client = client(&server, Duration::from_secs(5));
        server.push_all([
            Fault::ok(r#"{"SecretList":[]}"#),
            Fault::Throttling,
            Fault::ok(r#"{"SecretList":[]}"#),
            Fault::error(400, "ResourceNotFoundException", "not found"),
        ]);
        client.list_secrets().send().await.expect("first list");
        client.list_secrets().send().await.expect("second list");
        let err = client
            .describe_secret()
            .secret_id("gone")
            .send()
            .await
            .expect_err("not found");
        assert_eq!(err.request_id(), Some("fault-req-3"));

        let lists = operation_spans(&capture, "ListSecrets");
        assert_eq!(lists.len(), 2);
        assert_ne!(lists[0].id, lists[1].id);
        assert_eq!(attempts_of(&capture, &lists[0]).len(), 1);
        let second = attempts_of(&capture, &lists[1]);
        assert_eq!(second.len(), 2);
        assert_eq!(second[0].field("status"), Some("400"));
        assert_eq!(second[1].field("attempt"), Some("2"));

        let describe = operation_spans(&capture, "DescribeSecret");
        assert_eq!(describe.len(), 1);
        let attempts = attempts_of(&capture, &describe[0]);
        assert_eq!(attempts.len(), 1, "not retried");
        assert_eq!(attempts[0].field("status"), Some("400"));
        assert_eq!(attempts[0].field("request_id"), Some("fault-req-3"));
        // Every attempt span belongs to some operation span.
        let spans = capture.spans();
        for a in spans.iter().filter(|s| s.name == "attempt") {
            let parent = a.parent.and_then(|p| capture.span(p));
            assert_eq!(parent.map(|p| p.name), Some("operation"), "{a:?}");
        }
    })
    .await;
}
