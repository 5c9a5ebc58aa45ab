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
use std::time::{Duration, Instant};

use awsrt::error::TimeoutKind;
use awsrt::http::TransportErrorKind;
use integration_tests::fault_server::{Fault, FaultServer, RecordedRequest};
use secretsmanager::config::{RetryConfig, TimeoutConfig};
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

#[path = "faults/connections.rs"]
mod connections;
#[path = "faults/retries.rs"]
mod retries;
