//! Services that are not AWS services, and operations whose auth differs from their service's:
//! unsigned requests need neither credentials nor a region, a service without an sdkId reads no
//! service-specific endpoint variable, and a service without endpoint rules and without an
//! endpoint fails every call with a construction error before anything is sent.

mod pipeline_support;

use std::sync::Arc;

use awsrt::client::{AuthScheme, CallOptions, ClientHandle, OperationInfo, ServiceInfo};
use awsrt::config::Config;
use awsrt::error::{BuildErrorKind, SdkError};
use awsrt::profile::Env;
use pipeline_support::*;

/// A plain Smithy service: no sdkId, no signing name, no endpoint rules.
static PLAIN: ServiceInfo = ServiceInfo {
    sdk_id: "",
    signing_name: "",
    shape_name: "Weather",
    protocol: &awsrt::protocol::aws_json::AWS_JSON_1_1,
    crate_name: "weather",
    crate_version: "0.1.0",
    endpoint_rules: "",
};

static GET_FORECAST: OperationInfo = OperationInfo {
    name: "GetForecast",
    retryable_errors: &[],
    throttling_errors: &[],
    sensitive_input: false,
    sensitive_output: false,
};

/// Mock transport and fast retries only: no region, no credentials.
fn bare(mock: &Arc<MockTransport>) -> awsrt::config::ConfigBuilder {
    Config::builder()
        .retry_config(fast_retry(1))
        .transport(mock.clone())
}

/// A loaded configuration from exactly these variables (no shared config files).
async fn loaded(pairs: &[(&str, &str)], mock: &Arc<MockTransport>) -> Config {
    let none = std::env::temp_dir().join("awsrt-pipeline-auth-no-such-file");
    let mut env: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push(("AWS_CONFIG_FILE".into(), none.display().to_string()));
    env.push((
        "AWS_SHARED_CREDENTIALS_FILE".into(),
        none.display().to_string(),
    ));
    Config::loader()
        .env(Env::from_pairs(env))
        .transport(mock.clone())
        .load()
        .await
        .unwrap()
}

#[test]
fn service_info_defaults_follow_the_model_traits() {
    assert_eq!(PLAIN.name(), "Weather");
    assert_eq!(PLAIN.auth(), AuthScheme::None);
    assert_eq!(SERVICE.name(), "Test Svc");
    assert_eq!(SERVICE.auth(), AuthScheme::SigV4);
}

#[tokio::test]
async fn a_plain_service_sends_unsigned_requests_to_the_users_endpoint() {
    let mock = MockTransport::new([Reply::status(200)]);
    let config = bare(&mock).endpoint_url("http://127.0.0.1:9/base").build();
    assert!(config.region().is_none() && config.credentials_provider().is_none());
    let handle = ClientHandle::new(&config, &PLAIN);
    let resp = handle
        .call_json(&GET_FORECAST, br#"{"City":"Oslo"}"#.to_vec())
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.uri, "http://127.0.0.1:9/base/");
    assert_eq!(r.header("x-amz-target"), Some("Weather.GetForecast"));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("x-amz-date"), None);
    assert_eq!(r.header("x-amz-security-token"), None);
    let ua = r.header("user-agent").unwrap();
    assert!(ua.starts_with("weather/0.1.0 awsrt/"), "{ua}");
}

#[tokio::test]
async fn a_plain_service_without_an_endpoint_fails_before_sending() {
    let mock = MockTransport::new([]);
    let handle = ClientHandle::new(&bare(&mock).build(), &PLAIN);
    assert!(handle.endpoint_url().is_err());
    let err = handle
        .call_json(&GET_FORECAST, b"{}".to_vec())
        .await
        .unwrap_err();
    let SdkError::Construction(e) = &err else {
        panic!("expected a construction error, got {err:?}");
    };
    assert_eq!(e.kind(), BuildErrorKind::Endpoint);
    let msg = err.to_string();
    assert!(
        msg.contains("\"Weather\"")
            && msg.contains("endpoint_url")
            && msg.contains("AWS_ENDPOINT_URL"),
        "{msg}"
    );
    // No service-specific variable is suggested for a service without an sdkId.
    assert!(!msg.contains("AWS_ENDPOINT_URL_"), "{msg}");
    assert_eq!(mock.count(), 0, "nothing is sent");
}

#[tokio::test]
async fn a_plain_service_reads_the_global_endpoint_variable_only() {
    let mock = MockTransport::new([]);
    // A variable named after the service shape is not a source: the service has no sdkId.
    let config = loaded(
        &[("AWS_ENDPOINT_URL_WEATHER", "http://shape-name:1")],
        &mock,
    )
    .await;
    let handle = ClientHandle::new(&config, &PLAIN);
    assert_eq!(handle.endpoint_override(), None);
    let err = handle
        .call_json(&GET_FORECAST, b"{}".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::Construction(_)), "{err:?}");

    let config = loaded(
        &[
            ("AWS_ENDPOINT_URL", "http://global:2"),
            ("AWS_ENDPOINT_URL_WEATHER", "http://shape-name:1"),
        ],
        &mock,
    )
    .await;
    // The loader installs the default credentials chain; an unsigned service never asks it.
    assert!(config.credentials_provider().is_some());
    let handle = ClientHandle::new(&config, &PLAIN);
    handle
        .call_json(&GET_FORECAST, b"{}".to_vec())
        .await
        .unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].uri, "http://global:2/");
    assert_eq!(reqs[0].header("authorization"), None);
}

#[tokio::test]
async fn an_unsigned_operation_of_a_sigv4_service_needs_no_credentials() {
    let mock = MockTransport::new([]);
    let config = bare(&mock).region("us-east-1").build();
    let handle = ClientHandle::new(&config, &SERVICE);
    // The service's default still needs credentials...
    let err = handle.call_json(&OP, b"{}".to_vec()).await.unwrap_err();
    match &err {
        SdkError::Construction(e) => assert_eq!(e.kind(), BuildErrorKind::Credentials),
        other => panic!("expected a credentials error, got {other:?}"),
    }
    assert_eq!(mock.count(), 0);
    // ...an operation marked unsigned does not.
    handle
        .call_json_with(
            &OP,
            b"{}".to_vec(),
            CallOptions::new().auth(AuthScheme::None),
        )
        .await
        .unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.uri, "https://testsvc.us-east-1.amazonaws.com/");
    assert_eq!(r.header("authorization"), None);
    assert_eq!(r.header("x-test-endpoint"), Some("yes"));
}

#[tokio::test]
async fn optional_auth_signs_when_it_can() {
    let mock = MockTransport::new([]);
    let optional = CallOptions::new().auth(AuthScheme::OptionalSigV4);
    let with_creds = builder(&mock).build();
    ClientHandle::new(&with_creds, &SERVICE)
        .call_json_with(&OP, b"{}".to_vec(), optional)
        .await
        .unwrap();
    let without = bare(&mock).region("us-east-1").build();
    ClientHandle::new(&without, &SERVICE)
        .call_json_with(&OP, b"{}".to_vec(), optional)
        .await
        .unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs.len(), 2);
    let auth = reqs[0].header("authorization").unwrap_or_default();
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/"),
        "{auth}"
    );
    assert_eq!(reqs[1].header("authorization"), None);
}

#[tokio::test]
async fn a_sigv4_operation_without_a_signing_name_is_refused() {
    // A service without SigV4 whose operation asks for it (only hand-written code can do
    // this): a construction error, not a request signed for service "".
    let mock = MockTransport::new([]);
    let config = builder(&mock).endpoint_url("http://127.0.0.1:9").build();
    let err = ClientHandle::new(&config, &PLAIN)
        .call_json_with(
            &GET_FORECAST,
            b"{}".to_vec(),
            CallOptions::new().auth(AuthScheme::SigV4),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no signing name"), "{err}");
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn a_sigv4_service_still_needs_a_region() {
    let mock = MockTransport::new([]);
    let config = Config::builder()
        .credentials("AKIDTEST", "secret", None)
        .endpoint_url("http://127.0.0.1:9")
        .transport(mock.clone())
        .build();
    let err = ClientHandle::new(&config, &NO_RULES_SERVICE)
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("no region configured"), "{err}");
    assert_eq!(mock.count(), 0);
}

/// A service whose operations authenticate with a bearer token (`smithy.api#httpBearerAuth`).
static BEARER: ServiceInfo = ServiceInfo {
    sdk_id: "Code Catalyst",
    signing_name: "",
    shape_name: "CodeCatalyst",
    protocol: &awsrt::protocol::rest_json::REST_JSON_1,
    crate_name: "codecatalyst",
    crate_version: "0.1.0",
    endpoint_rules: "",
};

#[tokio::test]
async fn bearer_operations_send_the_configured_token_and_never_show_it() {
    let bearer = CallOptions::new().auth(AuthScheme::Bearer);
    // No token: a construction error naming the settings, nothing sent.
    let mock = MockTransport::new([Reply::status(200)]);
    let config = bare(&mock).endpoint_url("http://127.0.0.1:9").build();
    let handle = ClientHandle::new(&config, &BEARER);
    let err = handle
        .call_json_with(&GET_FORECAST, b"{}".to_vec(), bearer)
        .await
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        matches!(&err, SdkError::Construction(b) if b.kind() == BuildErrorKind::Credentials)
            && msg.contains("AWS_BEARER_TOKEN_CODE_CATALYST"),
        "{msg}"
    );
    assert!(mock.requests().is_empty());

    // A token in code.
    let mock = MockTransport::new([Reply::status(200)]);
    let config = bare(&mock)
        .endpoint_url("http://127.0.0.1:9")
        .bearer_token("tok-secret-123")
        .build();
    assert!(!format!("{config:?}").contains("tok-secret-123"));
    let handle = ClientHandle::new(&config, &BEARER);
    handle
        .call_json_with(&GET_FORECAST, b"{}".to_vec(), bearer)
        .await
        .unwrap();
    let sent = mock.requests();
    assert_eq!(
        sent[0].header("authorization"),
        Some("Bearer tok-secret-123")
    );
    assert!(sent[0].headers.get("authorization").unwrap().is_sensitive());

    // From the service's variable.
    let mock = MockTransport::new([Reply::status(200)]);
    let config = loaded(
        &[
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
            ("AWS_BEARER_TOKEN_CODE_CATALYST", "tok-env"),
        ],
        &mock,
    )
    .await;
    ClientHandle::new(&config, &BEARER)
        .call_json_with(&GET_FORECAST, b"{}".to_vec(), bearer)
        .await
        .unwrap();
    assert_eq!(
        mock.requests()[0].header("authorization"),
        Some("Bearer tok-env")
    );
}
