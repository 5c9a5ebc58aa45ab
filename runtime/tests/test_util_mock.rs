//! `awsrt::test_util::MockTransport` driven through the real request pipeline
//! (`ClientHandle::call`): matching by operation and input, rule order, once/times/repeatedly,
//! unmatched requests, recorded requests, modeled errors and transport errors.
//!
//! Run with `cargo test -p awsrt --features test-util --test test_util_mock`.
#![cfg(feature = "test-util")]

use std::sync::Arc;
use std::time::Duration;

use awsrt::client::{ClientHandle, OperationInfo, ServiceInfo};
use json_call::JsonCall;

#[path = "pipeline_support/json_call.rs"]
mod json_call;
use awsrt::config::TimeoutConfig;
use awsrt::error::{Never, SdkError, TimeoutKind};
use awsrt::http::{HttpResponse, TransportErrorKind};
use awsrt::protocol::parse_error_metadata;
use awsrt::retry::RetryConfig;
use awsrt::test_util::{test_config, MockReply, MockTransport, Rule, TEST_ENDPOINT};
use awsrt::types::Document;

static SERVICE: ServiceInfo = ServiceInfo {
    sdk_id: "Mock Svc",
    signing_name: "mocksvc",
    shape_name: "MockService_20240101",
    protocol: &awsrt::protocol::aws_json::AWS_JSON_1_1,
    crate_name: "mocksvc",
    crate_version: "0.0.1",
    endpoint_rules: "",
};

static GET_THING: OperationInfo = OperationInfo {
    name: "GetThing",
    retryable_errors: &[],
    throttling_errors: &[],
    sensitive_input: false,
    sensitive_output: false,
};

static PUT_THING: OperationInfo = OperationInfo {
    name: "PutThing",
    retryable_errors: &[],
    throttling_errors: &[],
    sensitive_input: false,
    sensitive_output: false,
};

fn client(mock: &MockTransport) -> ClientHandle {
    ClientHandle::new(&test_config(mock), &SERVICE)
}

async fn call(
    c: &ClientHandle,
    op: &'static OperationInfo,
    body: &str,
) -> Result<HttpResponse, SdkError<Never>> {
    c.call_json(op, body.as_bytes()).await.map(|r| r.response)
}

fn body(resp: &HttpResponse) -> &str {
    std::str::from_utf8(&resp.body).unwrap()
}

#[tokio::test]
async fn matches_by_operation_name() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("PutThing").then_output_json(r#"{"put":true}"#))
        .with_rule(Rule::new("GetThing").then_output_json(r#"{"get":true}"#));
    let c = client(&mock);
    assert_eq!(
        body(&call(&c, &GET_THING, "{}").await.unwrap()),
        r#"{"get":true}"#
    );
    assert_eq!(
        body(&call(&c, &PUT_THING, "{}").await.unwrap()),
        r#"{"put":true}"#
    );
    let ops: Vec<String> = mock
        .requests()
        .iter()
        .map(|r| r.operation().to_string())
        .collect();
    assert_eq!(ops, ["GetThing", "PutThing"]);
    assert_eq!(mock.requests()[0].matched_rule(), Some(1));
    assert_eq!(mock.requests()[1].matched_rule(), Some(0));
    assert_eq!(mock.requests_for("PutThing").len(), 1);
    mock.assert_all_used();
}

#[tokio::test]
async fn matches_by_input_subset_and_predicate() {
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("GetThing")
                .input_contains_json(r#"{"Name": "a", "Opts": {"Deep": true}}"#)
                .then_output_json(r#"{"v":"a"}"#)
                .repeatedly(),
        )
        .with_rule(
            Rule::new("GetThing")
                .input_matches(|d: &Document| {
                    d.get("Count")
                        .and_then(|n| n.as_number())
                        .and_then(|n| n.to_i64())
                        > Some(10)
                })
                .then_output_json(r#"{"v":"big"}"#)
                .repeatedly(),
        )
        .with_rule(
            Rule::new("GetThing")
                .then_output_json(r#"{"v":"other"}"#)
                .repeatedly(),
        );
    let c = client(&mock);
    let get = |b: &'static str| {
        let c = c.clone();
        async move { body(&call(&c, &GET_THING, b).await.unwrap()).to_string() }
    };
    assert_eq!(
        get(r#"{"Name":"a","Extra":1,"Opts":{"Deep":true,"X":0}}"#).await,
        r#"{"v":"a"}"#
    );
    // A member with another value, or missing, falls through to the next rules.
    assert_eq!(
        get(r#"{"Name":"a","Opts":{"Deep":false}}"#).await,
        r#"{"v":"other"}"#
    );
    assert_eq!(get(r#"{"Name":"a"}"#).await, r#"{"v":"other"}"#);
    assert_eq!(get(r#"{"Count":11}"#).await, r#"{"v":"big"}"#);
    assert_eq!(get(r#"{"Count":10}"#).await, r#"{"v":"other"}"#);
    assert_eq!(get("").await, r#"{"v":"other"}"#);
    assert_eq!(mock.uses(0), Some(1));
    assert_eq!(mock.uses(1), Some(1));
    assert_eq!(mock.uses(2), Some(4));
    mock.assert_all_used();
}

#[tokio::test]
async fn rules_are_used_in_order_once_each_by_default() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetThing").then_output_json("1"))
        .with_rule(Rule::new("GetThing").then_output_json("2"))
        .with_rule(Rule::any().then_output_json("3"));
    let c = client(&mock);
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(body(&call(&c, &GET_THING, "{}").await.unwrap()).to_string());
    }
    assert_eq!(seen, ["1", "2", "3"]);
    let fourth = call(&c, &GET_THING, "{}").await.unwrap_err();
    assert!(
        fourth.to_string().contains("no mock rule matched GetThing"),
        "{fourth}"
    );
    mock.assert_all_used();
}

#[tokio::test]
async fn reply_sequences_times_and_repeatedly() {
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("GetThing")
                .then_error_with_status(500, "InternalFailure", "boom")
                .then_output_json(r#"{"ok":1}"#)
                .times(3),
        )
        .with_rule(Rule::new("PutThing").then_output_json("{}").repeatedly());
    let c = client(&mock);
    assert_eq!(call(&c, &GET_THING, "{}").await.unwrap().status, 500);
    assert_eq!(
        body(&call(&c, &GET_THING, "{}").await.unwrap()),
        r#"{"ok":1}"#
    );
    // Past the end of the list the last reply repeats, up to `times`.
    assert_eq!(
        body(&call(&c, &GET_THING, "{}").await.unwrap()),
        r#"{"ok":1}"#
    );
    assert!(call(&c, &GET_THING, "{}").await.is_err());
    for _ in 0..25 {
        assert_eq!(call(&c, &PUT_THING, "{}").await.unwrap().status, 200);
    }
    assert_eq!(mock.uses(0), Some(3));
    assert_eq!(mock.uses(1), Some(25));
    mock.assert_all_used();
}

#[tokio::test]
async fn unmatched_request_fails_explicitly_and_is_recorded() {
    let mock = MockTransport::new().with_rule(
        Rule::new("PutThing")
            .label("the put")
            .then_output_json("{}"),
    );
    // Retries on: the failure must not be retried.
    let config = test_config(&mock)
        .to_builder()
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .build();
    let c = ClientHandle::new(&config, &SERVICE);
    let err = call(&c, &GET_THING, r#"{"Name":"zz"}"#).await.unwrap_err();
    let SdkError::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(d.kind(), TransportErrorKind::Other);
    let msg = err.to_string();
    assert!(msg.contains("no mock rule matched GetThing"), "{msg}");
    assert!(msg.contains(r#"(input: {"Name":"zz"})"#), "{msg}");
    assert!(
        msg.contains(r#"#0 "the put": PutThing (used 0 of 1)"#),
        "{msg}"
    );
    assert_eq!(mock.request_count(), 1);
    let unmatched = mock.unmatched_requests();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].input_str("Name"), Some("zz"));
    assert!(!unmatched[0].is_matched());
    let check = mock.check_all_used().unwrap_err();
    assert!(
        check.contains(r#"#0 "the put": PutThing (used 0 of 1)"#),
        "{check}"
    );

    let empty = MockTransport::new();
    let err = call(&client(&empty), &GET_THING, "{}").await.unwrap_err();
    assert!(err.to_string().contains("the mock has no rules"), "{err}");
}

#[tokio::test]
async fn assert_all_used_panics_with_the_unused_rules() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetThing").then_output_json("{}"))
        .with_rule(Rule::new("PutThing").then_output_json("{}").repeatedly());
    call(&client(&mock), &GET_THING, "{}").await.unwrap();
    let m = mock.clone();
    let panic = std::panic::catch_unwind(move || m.assert_all_used()).unwrap_err();
    let text = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(text.contains("#1 PutThing (used 0 of unlimited)"), "{text}");
    assert!(!text.contains("#0"), "{text}");
}

#[tokio::test]
async fn recorded_requests_show_what_was_sent() {
    let mock = MockTransport::new().with_rule(Rule::new("PutThing").then_output_json("{}"));
    let c = client(&mock);
    call(&c, &PUT_THING, r#"{"Name":"n1","Tags":[{"Key":"k"}]}"#)
        .await
        .unwrap();
    let req = mock.last_request().unwrap();
    assert_eq!(req.operation(), "PutThing");
    assert_eq!(req.method(), http::Method::POST);
    assert!(req.uri().starts_with(TEST_ENDPOINT), "{}", req.uri());
    assert_eq!(
        req.header("x-amz-target"),
        Some("MockService_20240101.PutThing")
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    let auth = req.header("authorization").unwrap();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDMOCKTESTKEY/"),
        "{auth}"
    );
    assert!(auth.contains("/us-east-1/mocksvc/aws4_request"), "{auth}");
    let input = req.body_json();
    assert_eq!(input.get("Name").and_then(Document::as_str), Some("n1"));
    let tags = input.get("Tags").and_then(Document::as_array).unwrap();
    assert_eq!(tags[0].get("Key").and_then(Document::as_str), Some("k"));
}

#[tokio::test]
async fn modeled_errors_surface_through_call() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetThing").then_error("ThingNotFoundException", "no thing"))
        .with_rule(Rule::new("GetThing").then_error_with_status(503, "Throttled", "slow down"));
    let c = client(&mock);
    let resp = call(&c, &GET_THING, "{}").await.unwrap();
    assert_eq!(resp.status, 400);
    let meta = parse_error_metadata(&resp);
    assert_eq!(meta.code.as_deref(), Some("ThingNotFoundException"));
    assert_eq!(meta.message.as_deref(), Some("no thing"));
    assert_eq!(meta.request_id.as_deref(), Some("mock-request-1"));
    let resp = call(&c, &GET_THING, "{}").await.unwrap();
    assert_eq!(resp.status, 503);
    let meta = parse_error_metadata(&resp);
    assert_eq!(meta.code.as_deref(), Some("Throttled"));
    assert_eq!(meta.request_id.as_deref(), Some("mock-request-2"));
}

#[tokio::test]
async fn transport_errors_and_raw_responses() {
    let raw = HttpResponse::new(418, "teapot").with_header("x-custom", "1");
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("GetThing").then_transport_error(TransportErrorKind::Connect, "refused"),
        )
        .with_rule(Rule::new("GetThing").then(MockReply::http(raw.clone())));
    let c = client(&mock);
    let err = call(&c, &GET_THING, "{}").await.unwrap_err();
    match &err {
        SdkError::Dispatch(d) => {
            assert!(d.is_connect());
            assert!(d.to_string().contains("refused"), "{d}");
        }
        other => panic!("expected dispatch error, got {other:?}"),
    }
    // Sent exactly as given: no request id added.
    assert_eq!(call(&c, &GET_THING, "{}").await.unwrap(), raw);
}

#[tokio::test]
async fn retryable_transport_errors_are_retried_and_each_attempt_matched() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetThing")
            .then_transport_error(TransportErrorKind::Io, "connection reset")
            .then_output_json(r#"{"after":"retry"}"#),
    );
    let config = test_config(&mock)
        .to_builder()
        .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(1)))
        .build();
    let c = ClientHandle::new(&config, &SERVICE);
    let resp = call(&c, &GET_THING, "{}").await.unwrap();
    assert_eq!(body(&resp), r#"{"after":"retry"}"#);
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].header("amz-sdk-request"), Some("attempt=1; max=3"));
    assert_eq!(sent[1].header("amz-sdk-request"), Some("attempt=2; max=3"));
    mock.assert_all_used();
}

#[tokio::test]
async fn dynamic_replies_see_the_request() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetThing")
            .then_fn(|req| {
                let name = req.input_str("Name").unwrap_or("?").to_string();
                MockReply::output(Document::Object(
                    [("Echo".to_string(), Document::String(name))]
                        .into_iter()
                        .collect(),
                ))
            })
            .repeatedly(),
    );
    let c = client(&mock);
    let resp = call(&c, &GET_THING, r#"{"Name":"x1"}"#).await.unwrap();
    assert_eq!(body(&resp), r#"{"Echo":"x1"}"#);
    let resp = call(&c, &GET_THING, r#"{"Name":"x2"}"#).await.unwrap();
    assert_eq!(body(&resp), r#"{"Echo":"x2"}"#);
}

#[tokio::test]
async fn invalid_input_pattern_is_an_explicit_error() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetThing")
            .input_contains_json("{not json")
            .then_output_json("{}"),
    );
    let err = call(&client(&mock), &GET_THING, "{}").await.unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("mock rule #0 for GetThing is invalid"),
        "{msg}"
    );
    assert!(msg.contains("not valid JSON"), "{msg}");
    assert!(mock.check_all_used().unwrap_err().contains("invalid"));
}

#[tokio::test]
async fn delayed_reply_trips_the_attempt_timeout() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetThing")
            .then_output_json("{}")
            .delay(Duration::from_secs(30)),
    );
    let config = test_config(&mock)
        .to_builder()
        .timeout_config(TimeoutConfig::disabled().with_attempt(Duration::from_millis(50)))
        .build();
    let c = ClientHandle::new(&config, &SERVICE);
    let started = std::time::Instant::now();
    let err = call(&c, &GET_THING, "{}").await.unwrap_err();
    match &err {
        SdkError::Timeout(t) => assert_eq!(t.kind(), TimeoutKind::Attempt),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_requests_share_limits_exactly() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetThing")
            .then_output_json(r#"{"n":1}"#)
            .times(20),
    );
    let c = client(&mock);
    let mut tasks = Vec::new();
    for _ in 0..30 {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            call(&c, &GET_THING, "{}").await.is_ok()
        }));
    }
    let mut ok = 0;
    for t in tasks {
        ok += usize::from(t.await.unwrap());
    }
    assert_eq!(ok, 20);
    assert_eq!(mock.uses(0), Some(20));
    assert_eq!(mock.unmatched_requests().len(), 10);
    assert_eq!(mock.request_count(), 30);
}

#[tokio::test]
async fn rules_added_later_are_seen_by_clones() {
    let mock = MockTransport::new();
    let c = client(&mock);
    assert!(call(&c, &GET_THING, "{}").await.is_err());
    mock.push_rule(Rule::new("GetThing").then_output(Document::Null));
    assert_eq!(body(&call(&c, &GET_THING, "{}").await.unwrap()), "null");
    assert_eq!(
        format!("{mock:?}"),
        "MockTransport { rules: 1, requests: 2 }"
    );
    let _shared: Arc<dyn awsrt::http::Transport> = Arc::new(mock);
}
