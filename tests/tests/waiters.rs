//! Generated waiters (`client.wait_until_<waiter>()`) of the workspace crates, without AWS:
//!
//! * the compiled JMESPath paths of every DynamoDB and EKS waiter, evaluated on sample outputs
//!   (deserialized with serde from documents built along each path), give what Python's
//!   `jmespath` gives on the same outputs, and the generated acceptors pick the state an
//!   independent reading of the model's acceptors picks from Python's values;
//! * the waiter loop on a paused tokio clock (the mock transport, no sleeping): retry then
//!   success, a failure acceptor, an error no acceptor expects, the maximum wait, success on an
//!   error (`TableNotExists`), the model's delays and overridden ones, construction errors;
//! * the same paths over HTTP against the project's stub server, with real (short) delays.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awsrt::test_util::{test_config, MockReply, MockTransport, Rule};
use awsrt::waiter::{AcceptorState, WaiterError};
use codegen::ir::waiters::{AcceptorState as ModelState, Comparator, Matcher, Waiter};
use integration_tests::jmespath_oracle::{path_value_json, search_all, without_null_members};
use integration_tests::stub_server::{StubResponse, StubServer};
use serde_json::{json, Value as Json};

/// What the generated test hooks of one waiter say about one sample output.
struct Sample {
    /// The output as serde writes it, without null members: what Python evaluates.
    json: Json,
    /// (path, value) of each path matcher of the waiter.
    paths: Vec<(String, Result<Json, String>)>,
    /// The state the generated acceptors pick for a call that returned the output.
    state: Option<AcceptorState>,
}

type Run = fn(&Json) -> Sample;

macro_rules! hooks {
    ($krate:ident :: $waiter:ident, $op:ident :: $input:ident, $output:ident) => {
        (stringify!($waiter), {
            fn run(doc: &Json) -> Sample {
                let output: $krate::operation::$op::$output = serde_json::from_value(doc.clone())
                    .unwrap_or_else(|e| panic!("{doc} does not deserialize: {e}"));
                let input = <$krate::operation::$op::$input as Default>::default();
                let paths = $krate::waiters::$waiter::evaluate_paths(&input, &output)
                    .into_iter()
                    .map(|(_, path, v)| {
                        (
                            path.to_string(),
                            v.map(|v| path_value_json(&v)).map_err(|e| e.to_string()),
                        )
                    })
                    .collect();
                Sample {
                    json: without_null_members(serde_json::to_value(&output).expect("serialize")),
                    paths,
                    state: $krate::waiters::$waiter::acceptor_state(&input, &Ok(output)),
                }
            }
            run as Run
        })
    };
}

fn model_waiters(file: &str) -> Vec<Waiter> {
    let path = integration_tests::data_dir("SMITHY_MODELS_DIR", "models").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let model = codegen::model::Model::from_json(&text, file).expect("model");
    codegen::ir::build(model, None, "x").expect("IR").waiters
}

/// The member names of a path made only of member accesses (`a.b.c`).
fn field_chain(path: &str) -> Vec<String> {
    use codegen::jmespath::Ast;
    fn walk(ast: &Ast, out: &mut Vec<String>) -> bool {
        match ast {
            Ast::Field(n) => {
                out.push(n.clone());
                true
            }
            Ast::Subexpr(a, b) => walk(a, out) && walk(b, out),
            _ => false,
        }
    }
    let mut out = Vec::new();
    let ast = codegen::jmespath::parse(path).expect("path parses");
    assert!(
        walk(&ast, &mut out),
        "{path}: the workspace's paths are member chains; a new kind needs sample documents here"
    );
    out
}

/// Documents along `chain`: absent, null and empty at every level, and every candidate value
/// at the end.
fn documents(chain: &[String], leaves: &[String]) -> Vec<Json> {
    fn nest(chain: &[String], leaf: Json) -> Json {
        chain
            .iter()
            .rev()
            .fold(leaf, |inner, name| json!({ name.clone(): inner }))
    }
    let mut docs = vec![json!({})];
    for k in 1..=chain.len() {
        docs.push(nest(&chain[..k], Json::Null));
        if k < chain.len() {
            docs.push(nest(&chain[..k], json!({})));
        }
    }
    docs.extend(leaves.iter().map(|l| nest(chain, Json::String(l.clone()))));
    docs
}

/// The comparator, read from the specification, on a value Python computed.
fn passes(c: Comparator, expected: &str, v: &Json) -> bool {
    match c {
        Comparator::StringEquals => v.as_str() == Some(expected),
        Comparator::BooleanEquals(b) => v.as_bool() == Some(b),
        Comparator::AllStringEquals => v
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|e| e.as_str() == Some(expected))),
        Comparator::AnyStringEquals => v
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e.as_str() == Some(expected))),
    }
}

/// The state the model's acceptors pick for a successful call, given Python's path values.
fn expected_state(
    w: &Waiter,
    python: &dyn Fn(&str) -> Result<Json, String>,
) -> Option<AcceptorState> {
    for a in &w.acceptors {
        let matched = match &a.matcher {
            Matcher::Output(p) => {
                python(&p.path).is_ok_and(|v| passes(p.comparator, &p.expected, &v))
            }
            Matcher::InputOutput(_) => {
                panic!("{}: no inputOutput matcher in the workspace", w.name)
            }
            Matcher::Success(ok) => *ok,
            Matcher::ErrorType { .. } => false,
        };
        if matched {
            return Some(match a.state {
                ModelState::Success => AcceptorState::Success,
                ModelState::Failure => AcceptorState::Failure,
                ModelState::Retry => AcceptorState::Retry,
            });
        }
    }
    None
}

#[test]
fn compiled_paths_and_acceptors_agree_with_python_jmespath() {
    let crates: [(&str, Vec<(&str, Run)>); 2] = [
        (
            "aws/dynamodb-2012-08-10.json",
            vec![hooks!(
                dynamodb::table_exists,
                describe_table::DescribeTableInput,
                DescribeTableOutput
            )],
        ),
        (
            "aws-rest-json/eks-2017-11-01.json",
            vec![
                hooks!(
                    eks::addon_active,
                    describe_addon::DescribeAddonInput,
                    DescribeAddonOutput
                ),
                hooks!(
                    eks::addon_deleted,
                    describe_addon::DescribeAddonInput,
                    DescribeAddonOutput
                ),
                hooks!(
                    eks::cluster_active,
                    describe_cluster::DescribeClusterInput,
                    DescribeClusterOutput
                ),
                hooks!(
                    eks::cluster_deleted,
                    describe_cluster::DescribeClusterInput,
                    DescribeClusterOutput
                ),
                hooks!(
                    eks::fargate_profile_active,
                    describe_fargate_profile::DescribeFargateProfileInput,
                    DescribeFargateProfileOutput
                ),
                hooks!(
                    eks::fargate_profile_deleted,
                    describe_fargate_profile::DescribeFargateProfileInput,
                    DescribeFargateProfileOutput
                ),
                hooks!(
                    eks::nodegroup_active,
                    describe_nodegroup::DescribeNodegroupInput,
                    DescribeNodegroupOutput
                ),
                hooks!(
                    eks::nodegroup_deleted,
                    describe_nodegroup::DescribeNodegroupInput,
                    DescribeNodegroupOutput
                ),
            ],
        ),
    ];
    let mut expressions = std::collections::BTreeSet::new();
    let mut evaluations = 0;
    for (file, hooks) in crates {
        let waiters = model_waiters(file);
        let with_paths: Vec<&Waiter> = waiters.iter().filter(|w| !w.paths().is_empty()).collect();
        let covered: Vec<&str> = hooks.iter().map(|(m, _)| *m).collect();
        let wanted: Vec<&str> = with_paths.iter().map(|w| w.module.as_str()).collect();
        assert_eq!(
            covered, wanted,
            "{file}: every waiter with a path is checked"
        );
        for (w, (_, run)) in with_paths.iter().zip(&hooks) {
            let mut leaves: Vec<String> = w.paths().iter().map(|p| p.expected.clone()).collect();
            for a in &w.acceptors {
                if let Matcher::Output(p) = &a.matcher {
                    leaves.push(p.expected.clone());
                }
            }
            leaves.push("SOMETHING_ELSE".into());
            leaves.sort();
            leaves.dedup();
            let mut docs = Vec::new();
            for p in w.paths() {
                docs.extend(documents(&field_chain(&p.path), &leaves));
                expressions.insert(p.path.clone());
            }
            let samples: Vec<Sample> = docs.iter().map(run).collect();
            let cases: Vec<(String, Json)> = samples
                .iter()
                .flat_map(|s| s.paths.iter().map(|(p, _)| (p.clone(), s.json.clone())))
                .collect();
            let mut python = search_all(&cases).into_iter();
            for s in &samples {
                let mut by_path = Vec::new();
                for (path, ours) in &s.paths {
                    let theirs = python.next().expect("one answer per case");
                    match (ours, &theirs) {
                        (Ok(a), Ok(b)) => assert!(
                            codegen::jmespath::interpret::equal(a, b),
                            "{}: {path} on {}: compiled {a}, python {b}",
                            w.name,
                            s.json
                        ),
                        (Err(_), Err(_)) => {}
                        _ => panic!(
                            "{}: {path} on {}: compiled {ours:?}, python {theirs:?}",
                            w.name, s.json
                        ),
                    }
                    evaluations += 1;
                    by_path.push((path.clone(), theirs));
                }
                let lookup = |p: &str| {
                    by_path
                        .iter()
                        .find(|(q, _)| q == p)
                        .map(|(_, v)| v.clone())
                        .expect("every path evaluated")
                };
                assert_eq!(
                    s.state,
                    expected_state(w, &lookup),
                    "{}: acceptors on {}",
                    w.name,
                    s.json
                );
            }
        }
    }
    println!(
        "waiter paths of the workspace crates: {} expressions, {evaluations} evaluations agree with Python's jmespath",
        expressions.len()
    );
    assert_eq!(expressions.len(), 5);
}

/// A DynamoDB or EKS client whose requests get `replies` in turn (the last one repeating),
/// and the (paused-clock) instants of the requests. `operation` names the awsJson operation
/// the rule is for (`None` for restJson1, whose requests carry no `X-Amz-Target`).
fn scripted<T>(
    make: impl FnOnce(&awsrt::config::Config) -> T,
    operation: Option<&str>,
    replies: Vec<MockReply>,
) -> (T, MockTransport, Arc<Mutex<Vec<tokio::time::Instant>>>) {
    let times = Arc::new(Mutex::new(Vec::new()));
    let queue = Arc::new(Mutex::new(VecDeque::from(replies)));
    let t = Arc::clone(&times);
    let rule = operation
        .map_or_else(Rule::any, Rule::new)
        .then_fn(move |_| {
            t.lock().unwrap().push(tokio::time::Instant::now());
            let mut q = queue.lock().unwrap();
            if q.len() > 1 {
                q.pop_front().unwrap()
            } else {
                q.front().cloned().expect("a reply")
            }
        })
        .repeatedly();
    let mock = MockTransport::new().with_rule(rule);
    (make(&test_config(&mock)), mock, times)
}

fn gaps(times: &Mutex<Vec<tokio::time::Instant>>) -> Vec<Duration> {
    let t = times.lock().unwrap();
    t.windows(2).map(|w| w[1] - w[0]).collect()
}

fn table(status: &str) -> MockReply {
    MockReply::output_json(
        json!({ "Table": { "TableName": "t", "TableStatus": status } }).to_string(),
    )
}

fn cluster(status: &str) -> MockReply {
    MockReply::output_json(json!({ "cluster": { "name": "c", "status": status } }).to_string())
}

#[tokio::test(start_paused = true)]
async fn table_exists_retries_on_not_found_and_creating_then_returns_the_output() {
    let (client, mock, times) = scripted(
        dynamodb::Client::new,
        Some("DescribeTable"),
        vec![
            MockReply::error("ResourceNotFoundException", "no table yet"),
            table("CREATING"),
            table("ACTIVE"),
        ],
    );
    let start = tokio::time::Instant::now();
    let out = client
        .wait_until_table_exists()
        .table_name("t")
        .wait(Duration::from_secs(600))
        .await
        .expect("the table becomes active");
    assert_eq!(
        out.table()
            .and_then(|t| t.table_status())
            .map(|s| s.as_str()),
        Some("ACTIVE")
    );
    assert_eq!(mock.request_count(), 3);
    assert_eq!(mock.requests()[0].input_str("TableName"), Some("t"));
    // The model's minDelay is 20 s: retry 1 waits [20, 20] s, retry 2 [20, 40] s.
    let g = gaps(&times);
    assert_eq!(g[0], Duration::from_secs(20), "{g:?}");
    assert!(
        g[1] >= Duration::from_secs(20) && g[1] <= Duration::from_secs(40),
        "{g:?}"
    );
    assert!(start.elapsed() < Duration::from_secs(61));
}

#[tokio::test(start_paused = true)]
async fn table_not_exists_succeeds_with_the_error_it_expects() {
    let (client, _mock, _) = scripted(
        dynamodb::Client::new,
        Some("DescribeTable"),
        vec![
            table("DELETING"),
            MockReply::error("ResourceNotFoundException", "gone"),
        ],
    );
    let last = client
        .wait_until_table_not_exists()
        .table_name("t")
        .wait(Duration::from_secs(600))
        .await
        .expect("the table goes away");
    let err = last
        .error()
        .expect("the waiter ended on the error it waited for");
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_resource_not_found_exception()));
    assert_eq!(last.attempts(), 2);
    assert!(last.output().is_none());
}

#[tokio::test(start_paused = true)]
async fn a_failure_acceptor_stops_with_the_last_output() {
    let (client, mock, _) = scripted(
        eks::Client::new,
        None,
        vec![cluster("CREATING"), cluster("FAILED")],
    );
    let err = client
        .wait_until_cluster_active()
        .name("c")
        .wait(Duration::from_secs(3600))
        .await
        .expect_err("FAILED is a failure state");
    assert!(err.is_failure_state(), "{err}");
    assert_eq!(err.waiter(), "ClusterActive");
    assert_eq!(err.attempts(), 2);
    let last = err
        .last_output()
        .and_then(|o| o.cluster())
        .and_then(|c| c.status());
    assert_eq!(last.map(|s| s.as_str()), Some("FAILED"));
    assert_eq!(
        err.to_string(),
        "waiter ClusterActive: the resource reached a failure state (attempt 2)"
    );
    assert_eq!(mock.request_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_error_no_acceptor_expects_stops_at_once() {
    let (client, mock, _) = scripted(
        eks::Client::new,
        None,
        vec![MockReply::error_with_status(
            403,
            "AccessDeniedException",
            "not yours",
        )],
    );
    let err = client
        .wait_until_cluster_active()
        .name("c")
        .wait(Duration::from_secs(3600))
        .await
        .expect_err("an unexpected error");
    match &err {
        WaiterError::OperationFailed {
            attempts, error, ..
        } => {
            assert_eq!(*attempts, 1);
            assert_eq!(error.code(), Some("AccessDeniedException"));
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("no acceptor expects"), "{err}");
    assert!(std::error::Error::source(&err).is_some());
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_maximum_wait_ends_with_one_last_call_at_the_deadline() {
    let (client, mock, times) = scripted(
        dynamodb::Client::new,
        Some("DescribeTable"),
        vec![table("CREATING")],
    );
    let start = tokio::time::Instant::now();
    let err = client
        .wait_until_table_exists()
        .table_name("t")
        .wait(Duration::from_secs(300))
        .await
        .expect_err("never active");
    assert!(err.is_max_wait_exceeded(), "{err}");
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(300),
        "not a moment past the maximum wait"
    );
    let calls = mock.request_count();
    assert_eq!(err.attempts() as usize, calls);
    assert_eq!(
        *times.lock().unwrap().last().unwrap() - start,
        Duration::from_secs(300),
        "the last call is at the deadline"
    );
    assert!(
        (4..=15).contains(&calls),
        "{calls} calls in 300 s with delays of 20 to 120 s"
    );
    // At most maxDelay, except the last wait, which takes what is left when that is at most
    // minDelay more than the delay drawn.
    for g in gaps(&times) {
        assert!(g <= Duration::from_secs(140), "{g:?}");
    }
    let last = err
        .last_output()
        .and_then(|o| o.table())
        .and_then(|t| t.table_status());
    assert_eq!(last.map(|s| s.as_str()), Some("CREATING"));
    assert!(err.to_string().contains("maximum wait of 300s"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn delays_can_be_overridden() {
    let (client, _mock, times) = scripted(
        dynamodb::Client::new,
        Some("DescribeTable"),
        vec![
            table("CREATING"),
            table("UPDATING"),
            table("CREATING"),
            table("ACTIVE"),
        ],
    );
    client
        .wait_until_table_exists()
        .table_name("t")
        .min_delay(Duration::from_secs(3))
        .max_delay(Duration::from_secs(3))
        .wait(Duration::from_secs(600))
        .await
        .expect("active");
    assert_eq!(
        gaps(&times),
        vec![Duration::from_secs(3); 3],
        "equal delays: linear backoff"
    );
}

#[tokio::test(start_paused = true)]
async fn construction_errors_send_nothing() {
    let (client, mock, _) = scripted(
        dynamodb::Client::new,
        Some("DescribeTable"),
        vec![table("ACTIVE")],
    );
    let err = client
        .wait_until_table_exists()
        .wait(Duration::from_secs(60))
        .await
        .expect_err("TableName is required");
    assert!(matches!(err, WaiterError::Construction { .. }), "{err}");
    assert!(
        err.to_string().contains("TableName") || err.to_string().contains("table_name"),
        "{err}"
    );
    let err = client
        .wait_until_table_exists()
        .table_name("t")
        .min_delay(Duration::from_secs(30))
        .max_delay(Duration::from_secs(10))
        .wait(Duration::from_secs(60))
        .await
        .expect_err("minimum above maximum");
    assert!(matches!(err, WaiterError::Construction { .. }), "{err}");
    assert_eq!(mock.request_count(), 0);
}

/// A stub server answering each request with the next of `replies` (the last repeating).
async fn stub(replies: Vec<StubResponse>) -> StubServer {
    let queue = Mutex::new(VecDeque::from(replies));
    StubServer::start(move |_: &integration_tests::stub_server::RecordedRequest| {
        let mut q = queue.lock().unwrap();
        if q.len() > 1 {
            q.pop_front().unwrap()
        } else {
            q.front().cloned().expect("a reply")
        }
    })
    .await
    .expect("stub server")
}

fn stub_config(server: &StubServer) -> awsrt::config::Config {
    awsrt::config::Config::builder()
        .region("us-east-1")
        .credentials("AKIDSTUB", "stub/secret", None)
        .endpoint_url(server.endpoint_url())
        .retry_config(awsrt::retry::RetryConfig::disabled())
        .build()
}

fn json_ok(body: Json) -> StubResponse {
    StubResponse::new(200, body.to_string()).with_header("content-type", "application/json")
}

fn json_error(status: u16, code: &str) -> StubResponse {
    StubResponse::new(
        status,
        json!({ "__type": code, "message": "stub" }).to_string(),
    )
    .with_header("content-type", "application/json")
    .with_header("x-amzn-errortype", code)
}

#[tokio::test]
async fn over_http_retry_then_success_with_short_delays() {
    let server = stub(vec![
        json_error(400, "ResourceNotFoundException"),
        json_ok(json!({ "Table": { "TableStatus": "CREATING" } })),
        json_ok(json!({ "Table": { "TableStatus": "ACTIVE" } })),
    ])
    .await;
    let client = dynamodb::Client::new(&stub_config(&server));
    let started = std::time::Instant::now();
    let out = client
        .wait_until_table_exists()
        .table_name("t")
        .min_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(40))
        .wait(Duration::from_secs(30))
        .await
        .expect("active");
    assert_eq!(
        out.table()
            .and_then(|t| t.table_status())
            .map(|s| s.as_str()),
        Some("ACTIVE")
    );
    let sent = server.requests();
    assert_eq!(sent.len(), 3);
    assert!(sent
        .iter()
        .all(|r| r.target() == Some("DynamoDB_20120810.DescribeTable")));
    // Two sleeps of at least 20 ms each (loosely: no upper bound on a loaded machine).
    assert!(
        started.elapsed() >= Duration::from_millis(40),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn over_http_failure_unexpected_error_and_maximum_wait() {
    // A failure acceptor.
    let server = stub(vec![
        json_ok(json!({ "nodegroup": { "status": "CREATING" } })),
        json_ok(json!({ "nodegroup": { "status": "CREATE_FAILED" } })),
    ])
    .await;
    let client = eks::Client::new(&stub_config(&server));
    let err = client
        .wait_until_nodegroup_active()
        .cluster_name("c")
        .nodegroup_name("n")
        .min_delay(Duration::from_millis(10))
        .max_delay(Duration::from_millis(20))
        .wait(Duration::from_secs(30))
        .await
        .expect_err("CREATE_FAILED");
    assert!(err.is_failure_state(), "{err}");
    assert_eq!(err.attempts(), 2);
    assert_eq!(server.requests()[0].path, "/clusters/c/node-groups/n");

    // An error no acceptor expects.
    let server = stub(vec![json_error(400, "InvalidParameterException")]).await;
    let client = eks::Client::new(&stub_config(&server));
    let err = client
        .wait_until_nodegroup_active()
        .cluster_name("c")
        .nodegroup_name("n")
        .wait(Duration::from_secs(30))
        .await
        .expect_err("unexpected error");
    assert!(err.is_operation_failed(), "{err}");
    assert!(err
        .last_error()
        .and_then(|e| e.as_service_error())
        .is_some_and(|e| e.is_invalid_parameter_exception()));
    assert_eq!(server.requests().len(), 1);

    // The maximum wait: a few calls, then the error with the last output.
    let server = stub(vec![json_ok(
        json!({ "nodegroup": { "status": "CREATING" } }),
    )])
    .await;
    let client = eks::Client::new(&stub_config(&server));
    let started = std::time::Instant::now();
    let err = client
        .wait_until_nodegroup_active()
        .cluster_name("c")
        .nodegroup_name("n")
        .min_delay(Duration::from_millis(20))
        .max_delay(Duration::from_millis(50))
        .wait(Duration::from_secs(1))
        .await
        .expect_err("never active");
    assert!(err.is_max_wait_exceeded(), "{err}");
    assert!(started.elapsed() >= Duration::from_secs(1));
    assert!(err.attempts() >= 3, "{}", err.attempts());
    assert_eq!(err.attempts() as usize, server.requests().len());
    assert_eq!(
        err.last_output()
            .and_then(|o| o.nodegroup())
            .and_then(|n| n.status())
            .map(|s| s.as_str()),
        Some("CREATING")
    );
}
