//! What a user's unit test of code built on the generated client looks like with the
//! wire-level `secretsmanager::test_util::MockTransport` (feature `test-util`): no network, no
//! credentials, canned HTTP answers per operation and JSON input, the whole request pipeline
//! running, and assertions on what was sent. (`typed_mocking.rs` shows the typed rules, written
//! with the operation's own input, output and error types.)
//!
//! Run with `cargo test -p integration-tests --test user_mocking`.

use secretsmanager::error::ProvideErrorMetadata;
use secretsmanager::test_util::{test_config, MockTransport, Rule};

// ---------------------------------------------------------------------------------------------
// "Application code": what a user of the generated crate writes.
// ---------------------------------------------------------------------------------------------

/// The application's own error type.
#[derive(Debug, PartialEq, Eq)]
enum MyError {
    /// No secret with that name.
    MissingSecret(String),
    /// The secret exists but holds binary data.
    NotAString(String),
    /// Anything else went wrong talking to AWS.
    Aws(String),
}

/// Reads a database password stored as a string secret.
async fn fetch_db_password(client: &secretsmanager::Client, name: &str) -> Result<String, MyError> {
    let output = client
        .get_secret_value()
        .secret_id(name)
        .send()
        .await
        .map_err(|err| match err.as_service_error() {
            Some(e) if e.is_resource_not_found_exception() => {
                MyError::MissingSecret(name.to_string())
            }
            _ => MyError::Aws(err.to_string()),
        })?;
    output
        .secret_string()
        .map(|s| s.expose_secret().to_string())
        .ok_or_else(|| MyError::NotAString(name.to_string()))
}

// ---------------------------------------------------------------------------------------------
// The user's tests.
// ---------------------------------------------------------------------------------------------

fn client(mock: &MockTransport) -> secretsmanager::Client {
    secretsmanager::Client::new(&test_config(mock))
}

#[tokio::test]
async fn returns_the_password() {
    let mock = MockTransport::new().with_rule(
        Rule::new("GetSecretValue")
            .input_contains_json(r#"{"SecretId": "prod/db"}"#)
            .then_output_json(
                r#"{"ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
                    "Name": "prod/db", "SecretString": "hunter2", "VersionStages": ["AWSCURRENT"]}"#,
            ),
    );

    let password = fetch_db_password(&client(&mock), "prod/db").await;

    assert_eq!(password, Ok("hunter2".to_string()));
    let sent = mock.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].operation(), "GetSecretValue");
    assert_eq!(sent[0].input_str("SecretId"), Some("prod/db"));
    // Only the secret id was sent: no version id or stage.
    assert_eq!(sent[0].body_json().as_object().map(|o| o.len()), Some(1));
    assert_eq!(
        sent[0].header("x-amz-target"),
        Some("secretsmanager.GetSecretValue")
    );
    mock.assert_all_used();
}

#[tokio::test]
async fn missing_secret_becomes_my_error() {
    let mock = MockTransport::new().with_rule(Rule::new("GetSecretValue").then_error(
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
    ));

    let result = fetch_db_password(&client(&mock), "staging/db").await;

    assert_eq!(
        result,
        Err(MyError::MissingSecret("staging/db".to_string()))
    );
    assert_eq!(mock.requests()[0].input_str("SecretId"), Some("staging/db"));
    mock.assert_all_used();
}

#[tokio::test]
async fn binary_secret_and_other_failures() {
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"SecretId": "cert"}"#)
                .then_output_json(r#"{"Name": "cert", "SecretBinary": "AAEC"}"#),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"SecretId": "locked"}"#)
                .then_error("DecryptionFailure", "KMS key disabled"),
        );
    let client = client(&mock);

    assert_eq!(
        fetch_db_password(&client, "cert").await,
        Err(MyError::NotAString("cert".to_string()))
    );
    match fetch_db_password(&client, "locked").await {
        Err(MyError::Aws(msg)) => assert!(msg.contains("DecryptionFailure"), "{msg}"),
        other => panic!("expected an AWS error, got {other:?}"),
    }
    // A name no rule expects is not sent anywhere: it fails, and the test can see it.
    match fetch_db_password(&client, "unexpected").await {
        Err(MyError::Aws(msg)) => {
            assert!(msg.contains("no mock rule matched GetSecretValue"), "{msg}")
        }
        other => panic!("expected an unmatched-request failure, got {other:?}"),
    }
    let unmatched = mock.unmatched_requests();
    assert_eq!(unmatched.len(), 1);
    assert_eq!(unmatched[0].input_str("SecretId"), Some("unexpected"));
    mock.assert_all_used();
}

#[tokio::test]
async fn modeled_error_details_reach_the_caller() {
    let mock = MockTransport::new()
        .with_rule(Rule::new("GetSecretValue").then_error("ResourceNotFoundException", "gone"));
    let err = client(&mock)
        .get_secret_value()
        .secret_id("x")
        .send()
        .await
        .unwrap_err();
    let service_error = err.as_service_error().expect("a modeled service error");
    assert!(service_error.is_resource_not_found_exception());
    assert_eq!(service_error.message(), Some("gone"));
    assert_eq!(err.request_id(), Some("mock-request-1"));
    assert_eq!(err.status(), Some(400));
    // The metadata trait answers the same on the SdkError, on the operation's error enum
    // (`into_service_error`) and on the modeled error structure.
    fn parts(e: &impl ProvideErrorMetadata) -> (Option<&str>, Option<&str>, Option<&str>) {
        (e.code(), e.message(), e.request_id())
    }
    let want = (
        Some("ResourceNotFoundException"),
        Some("gone"),
        Some("mock-request-1"),
    );
    assert_eq!(parts(&err), want);
    let service_error = err.into_service_error();
    assert_eq!(parts(&service_error), want);
    match &service_error {
        secretsmanager::operation::get_secret_value::GetSecretValueError::ResourceNotFoundException(e) => {
            assert_eq!(parts(e), want)
        }
        other => panic!("expected ResourceNotFoundException, got {other:?}"),
    }
}
