//! Fault-injection matrix (issue 5): every fault of the fault server against GetSecretValue,
//! PutSecretValue and ListSecrets through the generated client over real HTTP, plus retry
//! limits, the retry quota, timeouts, idempotency tokens and connection hygiene.
//!
//! Every case asserts the outcome (success or the typed `SdkError` variant), the number of
//! attempts the server saw, the number of connections it accepted, a generous upper bound on
//! the elapsed time, and that no connection is left open once the client is dropped. Each test
//! body runs under `tokio::time::timeout` so a hang fails instead of blocking the run.
//!
//! Run: `cargo test -p integration-tests --test faults` (add `-- --nocapture` for the matrix
//! table).

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use awsrt::error::TimeoutKind;
use awsrt::http::{HyperTransport, TransportErrorKind};
use integration_tests::fault_server::{Fault, FaultServer, RecordedRequest};
use secretsmanager::config::{RetryConfig, RetryMode, TimeoutConfig};
use secretsmanager::error::SdkError;
use secretsmanager::{Client, Config};

/// Safety net around every test body.
const TEST_LIMIT: Duration = Duration::from_secs(90);
/// Read timeout used by the matrix (delayed headers and stalled bodies exceed it).
const READ_TIMEOUT: Duration = Duration::from_millis(400);
/// How long the server withholds delayed headers.
const LONG_DELAY: Duration = Duration::from_secs(5);
/// Generous bound for one matrix case (3 attempts, tiny backoff).
const CASE_LIMIT: Duration = Duration::from_secs(20);

async fn guarded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(TEST_LIMIT, body)
        .await
        .expect("test hung: did not finish within the safety timeout");
}

fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(40))
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::default()
        .with_connect(Duration::from_secs(2))
        .with_read(READ_TIMEOUT)
}

fn config(server: &FaultServer, retry: RetryConfig, timeouts: TimeoutConfig) -> Config {
    Config::builder()
        .region("us-east-1")
        .credentials("AKIDFAULTTEST", "fault-test-secret-key", None)
        .endpoint_url(server.url())
        .retry_config(retry)
        .timeout_config(timeouts)
        .build()
}

/// The operations of the matrix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Get,
    Put,
    List,
}

const OPS: [Op; 3] = [Op::Get, Op::Put, Op::List];

/// What a call ended in, independent of the operation's error type.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// The call succeeded; the name from the output.
    Success(Option<String>),
    Timeout(TimeoutKind),
    Dispatch(TransportErrorKind),
    /// Unparseable response with this status.
    Response(u16),
    /// Service error: error-enum variant, code, status.
    Service(&'static str, Option<String>, u16),
    Construction,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Get => "GetSecretValue",
            Op::Put => "PutSecretValue",
            Op::List => "ListSecrets",
        }
    }

    /// A realistic success body naming `name`.
    fn ok_body(self, name: &str) -> String {
        let arn = format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf");
        match self {
            Op::Get => format!(
                r#"{{"ARN":"{arn}","Name":"{name}","VersionId":"v-1","SecretString":"s3cr3t","VersionStages":["AWSCURRENT"],"CreatedDate":1.7e9}}"#
            ),
            Op::Put => format!(
                r#"{{"ARN":"{arn}","Name":"{name}","VersionId":"v-2","VersionStages":["AWSCURRENT"]}}"#
            ),
            Op::List => format!(
                r#"{{"SecretList":[{{"ARN":"{arn}","Name":"{name}","LastChangedDate":1.7e9,"Tags":[]}}]}}"#
            ),
        }
    }

    async fn call(self, client: &Client) -> Outcome {
        fn map<E>(e: SdkError<E>, variant: impl Fn(&E) -> &'static str) -> Outcome {
            match e {
                SdkError::Construction(_) => Outcome::Construction,
                SdkError::Timeout(t) => Outcome::Timeout(t.kind()),
                SdkError::Dispatch(d) => Outcome::Dispatch(d.kind()),
                SdkError::Response(r) => Outcome::Response(r.status()),
                SdkError::Service(s) => {
                    Outcome::Service(variant(s.err()), s.meta().code.clone(), s.status())
                }
            }
        }
        match self {
            Op::Get => match client.get_secret_value().secret_id("db").send().await {
                Ok(out) => Outcome::Success(out.name().map(str::to_string)),
                Err(e) => map(e, |e| {
                    if e.is_internal_service_error() {
                        "InternalServiceError"
                    } else if e.is_resource_not_found_exception() {
                        "ResourceNotFoundException"
                    } else if e.is_unhandled() {
                        "Unhandled"
                    } else {
                        "other"
                    }
                }),
            },
            Op::Put => match client
                .put_secret_value()
                .secret_id("db")
                .secret_string("new-value")
                .send()
                .await
            {
                Ok(out) => Outcome::Success(out.name().map(str::to_string)),
                Err(e) => map(e, |e| {
                    if e.is_internal_service_error() {
                        "InternalServiceError"
                    } else if e.is_resource_not_found_exception() {
                        "ResourceNotFoundException"
                    } else if e.is_unhandled() {
                        "Unhandled"
                    } else {
                        "other"
                    }
                }),
            },
            Op::List => match client.list_secrets().send().await {
                Ok(out) => Outcome::Success(
                    out.secret_list()
                        .first()
                        .and_then(|s| s.name())
                        .map(str::to_string),
                ),
                Err(e) => map(e, |e| {
                    if e.is_internal_service_error() {
                        "InternalServiceError"
                    } else if e.is_unhandled() {
                        "Unhandled"
                    } else {
                        "other"
                    }
                }),
            },
        }
    }
}

/// How many connections a case may open.
#[derive(Clone, Copy, Debug)]
enum Conns {
    /// The fault breaks the connection: one new connection per attempt.
    PerAttempt,
    /// The connection survives the fault and is reused: exactly one.
    Reused,
}

/// One run of one operation against one server script.
struct Case {
    op: Op,
    outcome: Outcome,
    attempts: usize,
    connections: usize,
    elapsed: Duration,
    requests: Vec<RecordedRequest>,
}

/// Runs `op` once against a fresh server whose script is `script` then `default`, with the
/// given client settings; checks that every connection is closed after the client is dropped.
async fn run_case(
    op: Op,
    script: Vec<Fault>,
    default: Fault,
    retry: RetryConfig,
    timeouts: TimeoutConfig,
) -> Case {
    let server = FaultServer::start().await.expect("start fault server");
    server.push_all(script);
    server.set_default(default);
    let config = config(&server, retry, timeouts);
    let client = Client::new(&config);
    let started = Instant::now();
    let outcome = op.call(&client).await;
    let elapsed = started.elapsed();
    drop(client);
    drop(config);
    assert!(
        server.wait_idle(Duration::from_secs(5)).await,
        "{}: {} connection(s) still open after the client was dropped",
        op.name(),
        server.open_connections()
    );
    let requests = server.requests();
    for r in requests.iter().filter(|r| r.read) {
        assert_eq!(r.operation(), Some(op.name()), "X-Amz-Target of {r:?}");
    }
    Case {
        op,
        outcome,
        attempts: server.request_count(),
        connections: server.accepted_connections(),
        elapsed,
        requests,
    }
}

/// What a fault must lead to for each operation.
struct Expect {
    /// Whether the client retries after this fault.
    retried: bool,
    /// The outcome once every attempt met the fault.
    exhausted: fn(Op) -> Outcome,
    conns: Conns,
}

fn check(case: &Case, label: &str, outcome: &Outcome, attempts: usize, conns: Conns) {
    let name = case.op.name();
    println!(
        "| {label:<34} | {name:<15} | {:>8} | {:>11} | {:>8.2?} | {:?}",
        case.attempts, case.connections, case.elapsed, case.outcome
    );
    assert_eq!(&case.outcome, outcome, "{label} / {name}: outcome");
    assert_eq!(case.attempts, attempts, "{label} / {name}: attempts");
    let want_conns = match conns {
        Conns::PerAttempt => attempts,
        Conns::Reused => 1,
    };
    assert_eq!(
        case.connections, want_conns,
        "{label} / {name}: accepted connections ({conns:?})"
    );
    assert!(
        case.elapsed < CASE_LIMIT,
        "{label} / {name}: took {:?}",
        case.elapsed
    );
    // The retries of one call carry one invocation id and numbered attempt headers.
    let read: Vec<_> = case.requests.iter().filter(|r| r.read).collect();
    if let Some(first) = read.first() {
        let id = first.header("amz-sdk-invocation-id");
        assert!(id.is_some_and(|v| !v.is_empty()), "invocation id missing");
        for r in &read {
            assert_eq!(
                r.header("amz-sdk-invocation-id"),
                id,
                "invocation id changed"
            );
            let want = format!("attempt={}; max=3", r.index + 1);
            assert_eq!(r.header("amz-sdk-request"), Some(want.as_str()));
        }
    }
}

/// Runs the matrix row for `fault`: for each operation, (a) the fault on every attempt and
/// (b) the fault twice, then success.
async fn matrix_row(fault: Fault, expect: Expect) {
    let label = fault.name();
    let mut set = tokio::task::JoinSet::new();
    for op in OPS {
        for transient in [false, true] {
            let script = if transient {
                vec![
                    fault.clone(),
                    fault.clone(),
                    Fault::ok(op.ok_body("recovered")),
                ]
            } else {
                Vec::new()
            };
            let fault = fault.clone();
            set.spawn(async move {
                let case = run_case(op, script, fault, fast_retry(3), timeouts()).await;
                (transient, case)
            });
        }
    }
    let mut cases = Vec::new();
    while let Some(joined) = set.join_next().await {
        cases.push(joined.expect("case task panicked"));
    }
    cases.sort_by_key(|(t, c)| (*t, c.op.name()));
    for (transient, case) in &cases {
        let exhausted = (expect.exhausted)(case.op);
        if !transient {
            let attempts = if expect.retried { 3 } else { 1 };
            check(case, label, &exhausted, attempts, expect.conns);
        } else if expect.retried {
            let ok = Outcome::Success(Some("recovered".into()));
            check(case, &format!("{label} x2 then Ok"), &ok, 3, expect.conns);
        } else {
            // Not retried: the first fault is final and the rest of the script is never used.
            check(
                case,
                &format!("{label} x2 then Ok"),
                &exhausted,
                1,
                expect.conns,
            );
        }
    }
}

fn internal(op: Op) -> Outcome {
    let _ = op;
    Outcome::Service(
        "InternalServiceError",
        Some("InternalServiceError".into()),
        500,
    )
}

#[tokio::test]
async fn reset_before_read() {
    guarded(matrix_row(
        Fault::ResetBeforeRead,
        Expect {
            retried: true,
            exhausted: |_| Outcome::Dispatch(TransportErrorKind::Io),
            conns: Conns::PerAttempt,
        },
    ))
    .await;
}

#[tokio::test]
async fn reset_after_read() {
    guarded(matrix_row(
        Fault::ResetAfterRead,
        Expect {
            retried: true,
            exhausted: |_| Outcome::Dispatch(TransportErrorKind::Io),
            conns: Conns::PerAttempt,
        },
    ))
    .await;
}

#[tokio::test]
async fn status_500_internal_service_error() {
    guarded(matrix_row(
        Fault::InternalError,
        Expect {
            retried: true,
            exhausted: internal,
            conns: Conns::Reused,
        },
    ))
    .await;
}

#[tokio::test]
async fn status_503_service_unavailable() {
    guarded(matrix_row(
        Fault::ServiceUnavailable,
        Expect {
            retried: true,
            exhausted: |_| Outcome::Service("Unhandled", Some("ServiceUnavailable".into()), 503),
            conns: Conns::Reused,
        },
    ))
    .await;
}

#[tokio::test]
async fn throttling_400() {
    guarded(matrix_row(
        Fault::Throttling,
        Expect {
            retried: true,
            exhausted: |_| Outcome::Service("Unhandled", Some("ThrottlingException".into()), 400),
            conns: Conns::Reused,
        },
    ))
    .await;
}

#[tokio::test]
async fn headers_delayed_past_read_timeout() {
    guarded(matrix_row(
        Fault::DelayHeaders {
            delay: LONG_DELAY,
            body: "{}".into(),
        },
        Expect {
            retried: true,
            exhausted: |_| Outcome::Timeout(TimeoutKind::Read),
            conns: Conns::PerAttempt,
        },
    ))
    .await;
}

#[tokio::test]
async fn body_stalls_mid_way() {
    guarded(matrix_row(
        Fault::StallBody {
            body: Op::Get.ok_body("stalled"),
        },
        Expect {
            retried: true,
            exhausted: |_| Outcome::Timeout(TimeoutKind::Read),
            conns: Conns::PerAttempt,
        },
    ))
    .await;
}

#[tokio::test]
async fn truncated_body() {
    guarded(matrix_row(
        Fault::TruncatedBody {
            body: Op::Get.ok_body("truncated"),
        },
        Expect {
            retried: true,
            exhausted: |_| Outcome::Dispatch(TransportErrorKind::Io),
            conns: Conns::PerAttempt,
        },
    ))
    .await;
}

#[tokio::test]
async fn invalid_json_is_a_response_error_not_retried() {
    guarded(matrix_row(
        Fault::InvalidJson,
        Expect {
            retried: false,
            exhausted: |_| Outcome::Response(200),
            conns: Conns::Reused,
        },
    ))
    .await;
}

#[tokio::test]
async fn ten_megabyte_body_is_read() {
    guarded(matrix_row(
        Fault::HugeBody {
            bytes: 10 * 1024 * 1024,
        },
        Expect {
            retried: false,
            // Get and Put outputs have `Name`; ListSecrets has no secret list.
            exhausted: |op| match op {
                Op::List => Outcome::Success(None),
                _ => Outcome::Success(Some("huge".into())),
            },
            conns: Conns::Reused,
        },
    ))
    .await;
}

#[tokio::test]
async fn wrong_content_type_html_is_a_response_error() {
    guarded(matrix_row(
        Fault::WrongContentType,
        Expect {
            retried: false,
            exhausted: |_| Outcome::Response(200),
            conns: Conns::Reused,
        },
    ))
    .await;
}

#[tokio::test]
async fn unknown_error_code_is_unhandled_not_retried() {
    guarded(matrix_row(
        Fault::UnknownErrorCode,
        Expect {
            retried: false,
            exhausted: |_| Outcome::Service("Unhandled", Some("QuantumFluxException".into()), 400),
            conns: Conns::Reused,
        },
    ))
    .await;
}

#[tokio::test]
async fn resource_not_found_is_not_retried() {
    guarded(matrix_row(
        Fault::error(
            400,
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
        ),
        Expect {
            retried: false,
            // ListSecrets does not model ResourceNotFoundException.
            exhausted: |op| match op {
                Op::List => {
                    Outcome::Service("Unhandled", Some("ResourceNotFoundException".into()), 400)
                }
                _ => Outcome::Service(
                    "ResourceNotFoundException",
                    Some("ResourceNotFoundException".into()),
                    400,
                ),
            },
            conns: Conns::Reused,
        },
    ))
    .await;
}

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
async fn connection_refused_is_retried_then_dispatch_error() {
    guarded(async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let config = Config::builder()
            .region("us-east-1")
            .credentials("AKIDFAULTTEST", "fault-test-secret-key", None)
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .retry_config(fast_retry(3))
            .timeout_config(timeouts())
            .build();
        let client = Client::new(&config);
        for op in OPS {
            let started = Instant::now();
            assert_eq!(
                op.call(&client).await,
                Outcome::Dispatch(TransportErrorKind::Connect)
            );
            assert!(started.elapsed() < Duration::from_secs(10));
        }
    })
    .await;
}

#[tokio::test]
async fn connections_are_reused_and_broken_ones_replaced() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let config = config(&server, fast_retry(3), timeouts());
        let client = Client::new(&config);
        for i in 0..5 {
            let op = OPS[i % 3];
            server.push(Fault::ok(op.ok_body("ok")));
            assert_eq!(op.call(&client).await, Outcome::Success(Some("ok".into())));
        }
        assert_eq!(server.accepted_connections(), 1, "keep-alive reuse");
        assert_eq!(server.open_connections(), 1, "one idle pooled connection");
        // A stalled body poisons its connection: the retry and later calls use a new one and
        // the stalled connection is closed by the client.
        server.push_all([
            Fault::StallBody {
                body: Op::Get.ok_body("x"),
            },
            Fault::ok(Op::Get.ok_body("after")),
            Fault::ok(Op::Get.ok_body("later")),
        ]);
        assert_eq!(
            Op::Get.call(&client).await,
            Outcome::Success(Some("after".into()))
        );
        assert_eq!(
            Op::Get.call(&client).await,
            Outcome::Success(Some("later".into()))
        );
        assert_eq!(server.accepted_connections(), 2);
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.open_connections() > 1 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            server.open_connections(),
            1,
            "the stalled connection was closed"
        );
        drop((client, config));
        assert!(server.wait_idle(Duration::from_secs(5)).await);
    })
    .await;
}

#[tokio::test]
async fn body_over_the_transport_limit_fails_without_retry() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        server.set_default(Fault::HugeBody {
            bytes: 10 * 1024 * 1024,
        });
        let transport = HyperTransport::builder().max_body_size(1024 * 1024).build();
        let config = config(&server, fast_retry(3), timeouts())
            .to_builder()
            .transport(Arc::new(transport))
            .build();
        let client = Client::new(&config);
        for op in OPS {
            assert_eq!(
                op.call(&client).await,
                Outcome::Dispatch(TransportErrorKind::Other),
                "{op:?}"
            );
        }
        assert_eq!(server.request_count(), 3, "one attempt per call");
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

/// A `200` with `body`, framed by `Content-Length`, plus `extra` header lines.
fn raw_ok(body: &str, extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: raw\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn server_closing_an_idle_connection_is_not_a_failure() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        // Retries off: a stale pooled connection would surface as an error.
        let config = config(&server, RetryConfig::disabled(), timeouts());
        let client = Client::new(&config);
        for i in 0..3 {
            // The server answers, then closes the kept-alive connection without announcing it.
            server.push(Fault::Raw {
                bytes: raw_ok(&Op::Get.ok_body("closed"), ""),
                close: true,
            });
            assert_eq!(
                Op::Get.call(&client).await,
                Outcome::Success(Some("closed".into())),
                "call {i}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(server.request_count(), 3);
        assert_eq!(server.accepted_connections(), 3);
        drop((client, config));
        assert!(server.wait_idle(Duration::from_secs(5)).await);
    })
    .await;
}

#[tokio::test]
async fn connection_close_header_is_honoured() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let config = config(&server, fast_retry(3), timeouts());
        let client = Client::new(&config);
        for _ in 0..2 {
            server.push(Fault::Custom {
                status: 200,
                headers: vec![("Connection".into(), "close".into())],
                body: Op::List.ok_body("bye").into_bytes(),
            });
            assert_eq!(
                Op::List.call(&client).await,
                Outcome::Success(Some("bye".into()))
            );
            // The client closes the connection itself (it is not pooled), client still alive.
            assert!(server.wait_idle(Duration::from_secs(5)).await);
        }
        assert_eq!(server.accepted_connections(), 2);
    })
    .await;
}

#[tokio::test]
async fn chunked_and_close_delimited_bodies() {
    guarded(async {
        let body = Op::Get.ok_body("chunked");
        let (a, b) = body.split_at(body.len() / 2);
        let chunked = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
            a.len(),
            b.len()
        );
        let case = run_case(
            Op::Get,
            vec![Fault::Raw {
                bytes: chunked.into_bytes(),
                close: false,
            }],
            Fault::InternalError,
            fast_retry(3),
            timeouts(),
        )
        .await;
        assert_eq!(case.outcome, Outcome::Success(Some("chunked".into())));
        assert_eq!(case.attempts, 1);

        // No length at all: the body ends when the server closes.
        let eof = format!(
            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{}",
            Op::Get.ok_body("eof")
        );
        let case = run_case(
            Op::Get,
            vec![Fault::Raw {
                bytes: eof.into_bytes(),
                close: true,
            }],
            Fault::InternalError,
            fast_retry(3),
            timeouts(),
        )
        .await;
        assert_eq!(case.outcome, Outcome::Success(Some("eof".into())));
        assert_eq!(case.attempts, 1);

        // A chunked body cut off before its last chunk: retried, then a dispatch error.
        let cut = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n", a.len() + 10);
        let case = run_case(
            Op::Get,
            Vec::new(),
            Fault::Raw {
                bytes: cut.into_bytes(),
                close: true,
            },
            fast_retry(3),
            timeouts(),
        )
        .await;
        assert_eq!(case.outcome, Outcome::Dispatch(TransportErrorKind::Io));
        assert_eq!(case.attempts, 3);
    })
    .await;
}

#[tokio::test]
async fn garbage_instead_of_http_is_not_retried() {
    guarded(async {
        for op in OPS {
            let case = run_case(
                op,
                Vec::new(),
                Fault::Raw {
                    bytes: b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec(),
                    close: true,
                },
                fast_retry(3),
                timeouts(),
            )
            .await;
            assert_eq!(
                case.outcome,
                Outcome::Dispatch(TransportErrorKind::Other),
                "{op:?}"
            );
            assert_eq!(case.attempts, 1);
        }
    })
    .await;
}

#[tokio::test]
async fn connect_timeout_when_the_accept_queue_is_full() {
    guarded(async {
        // A listener that never accepts, with its accept queue filled: further SYNs are dropped,
        // so connecting hangs until the connect timeout.
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.1:0".parse().expect("addr"))
            .expect("bind");
        let listener = socket.listen(0).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let mut fillers = Vec::new();
        for _ in 0..4 {
            if let Ok(Ok(s)) = tokio::time::timeout(
                Duration::from_millis(200),
                tokio::net::TcpStream::connect(addr),
            )
            .await
            {
                fillers.push(s);
            }
        }
        let config = Config::builder()
            .region("us-east-1")
            .credentials("AKIDFAULTTEST", "fault-test-secret-key", None)
            .endpoint_url(format!("http://{addr}"))
            .retry_config(fast_retry(3))
            .timeout_config(TimeoutConfig::default().with_connect(Duration::from_millis(300)))
            .build();
        let client = Client::new(&config);
        let started = Instant::now();
        let outcome = Op::Get.call(&client).await;
        let elapsed = started.elapsed();
        assert_eq!(
            outcome,
            Outcome::Timeout(TimeoutKind::Connect),
            "after {elapsed:?}"
        );
        // Three attempts of 300 ms plus a little backoff.
        assert!(elapsed >= Duration::from_millis(800), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        drop(fillers);
        drop(listener);
    })
    .await;
}
