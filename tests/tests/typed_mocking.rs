//! What a user's unit test of code built on the generated client looks like with typed mock
//! rules (`secretsmanager::test_util`, feature `test-util`): rules written with the operation's
//! own input, output and error types, a client built from them with `mock_client!`, and the
//! inputs each rule was called with. Only the generated crate is named: no runtime crate, no
//! JSON. (`user_mocking.rs` shows the wire-level `MockTransport`.)
//!
//! Run with `cargo test -p integration-tests --test typed_mocking`.

use std::time::Duration;

use secretsmanager::error::{
    DisplayErrorContext, ProvideErrorMetadata, SdkError, TimeoutError, TimeoutKind,
};
use secretsmanager::operation::get_secret_value::{GetSecretValueError, GetSecretValueOutput};
use secretsmanager::operation::list_secrets::{ListSecretsError, ListSecretsOutput};
use secretsmanager::primitives::DateTime;
use secretsmanager::test_util::{mock, mock_client, MockResponse, RuleMode};
use secretsmanager::types::error::{DecryptionFailure, ResourceNotFoundException};
use secretsmanager::types::SecretListEntry;

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
    /// Anything else: the error code (if the service sent one) and the whole story.
    Aws(Option<String>, String),
}

/// Reads a database password stored as a string secret.
async fn fetch_db_password(client: &secretsmanager::Client, name: &str) -> Result<String, MyError> {
    let output = client
        .get_secret_value()
        .secret_id(name)
        .send()
        .await
        .map_err(|err| {
            let story = DisplayErrorContext(&err).to_string();
            // One match covers every outcome: timeouts and the like are `Unhandled`.
            match err.into_service_error() {
                GetSecretValueError::ResourceNotFoundException(_) => {
                    MyError::MissingSecret(name.to_string())
                }
                other => MyError::Aws(other.code().map(str::to_string), story),
            }
        })?;
    output
        .secret_string()
        .map(|s| s.expose_secret().to_string())
        .ok_or_else(|| MyError::NotAString(name.to_string()))
}

/// The names of the secrets starting with `prefix`, across all pages.
async fn secret_names(
    client: &secretsmanager::Client,
    prefix: &str,
) -> Result<Vec<String>, SdkError<ListSecretsError>> {
    let mut names = Vec::new();
    let mut pages = client.list_secrets().into_paginator().send();
    while let Some(page) = pages.next().await {
        for secret in page?.secret_list() {
            match secret.name() {
                Some(n) if n.starts_with(prefix) => names.push(n.to_string()),
                _ => {}
            }
        }
    }
    Ok(names)
}

// ---------------------------------------------------------------------------------------------
// The user's tests.
// ---------------------------------------------------------------------------------------------

fn not_found(message: &str) -> GetSecretValueError {
    GetSecretValueError::ResourceNotFoundException(
        ResourceNotFoundException::builder()
            .message(message)
            .build(),
    )
}

#[tokio::test]
async fn returns_the_password_and_records_the_typed_input() {
    let rule = mock!(secretsmanager::Client::get_secret_value)
        .match_requests(|input| input.secret_id() == "prod/db")
        .then_output(|| {
            GetSecretValueOutput::builder()
                .name("prod/db")
                .secret_string("hunter2")
                .version_stages("AWSCURRENT")
                .created_date(DateTime::from_secs(1_700_000_000))
                .build()
        });
    let client = mock_client!(secretsmanager, [&rule]);

    let password = fetch_db_password(&client, "prod/db").await;

    assert_eq!(password, Ok("hunter2".to_string()));
    assert_eq!(rule.num_calls(), 1);
    let sent = rule.requests();
    assert_eq!(sent[0].secret_id(), "prod/db");
    // Only the secret id was set: no version id or stage.
    assert_eq!(sent[0].version_id(), None);
    assert_eq!(sent[0].version_stage(), None);
    assert!(rule.is_exhausted());
}

#[tokio::test]
async fn a_modeled_error_reaches_the_caller_as_the_service_would_send_it() {
    let rule = mock!(secretsmanager::Client::get_secret_value).then_error(|| not_found("gone"));
    let client = mock_client!(secretsmanager, [&rule]);

    let err = client
        .get_secret_value()
        .secret_id("x")
        .send()
        .await
        .unwrap_err();

    // The service error, with the code, message and status the service would send.
    let service_error = err.as_service_error().expect("a modeled service error");
    assert!(service_error.is_resource_not_found_exception());
    assert_eq!(service_error.code(), Some("ResourceNotFoundException"));
    assert_eq!(service_error.message(), Some("gone"));
    // The same through the trait, on the SdkError itself.
    fn code_of(e: &impl ProvideErrorMetadata) -> Option<&str> {
        e.code()
    }
    assert_eq!(code_of(&err), Some("ResourceNotFoundException"));
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.to_string(),
        "service error: ResourceNotFoundException: gone (HTTP 400)"
    );
    assert!(matches!(
        err.into_service_error(),
        GetSecretValueError::ResourceNotFoundException(e) if e.message() == Some("gone")
    ));
}

#[tokio::test]
async fn missing_secret_timeout_and_other_errors_become_my_errors() {
    let missing = mock!(secretsmanager::Client::get_secret_value)
        .match_requests(|input| input.secret_id() == "staging/db")
        .then_error(|| not_found("Secrets Manager can't find the specified secret."));
    let locked = mock!(secretsmanager::Client::get_secret_value)
        .match_requests(|input| input.secret_id() == "locked")
        .then_error(|| {
            GetSecretValueError::DecryptionFailure(
                DecryptionFailure::builder()
                    .message("KMS key disabled")
                    .build(),
            )
        });
    let slow = mock!(secretsmanager::Client::get_secret_value).then_sdk_error(|| {
        SdkError::Timeout(TimeoutError::new(
            TimeoutKind::Operation,
            Some(Duration::from_secs(5)),
        ))
    });
    let binary = mock!(secretsmanager::Client::get_secret_value).then_output(|| {
        GetSecretValueOutput::builder()
            .name("cert")
            .secret_binary(vec![0u8, 1, 2])
            .build()
    });
    let client = mock_client!(
        secretsmanager,
        RuleMode::MatchAny,
        [&missing, &locked, &binary.clone().label("binary"), &slow]
    );

    assert_eq!(
        fetch_db_password(&client, "staging/db").await,
        Err(MyError::MissingSecret("staging/db".to_string()))
    );
    assert_eq!(
        fetch_db_password(&client, "locked").await,
        Err(MyError::Aws(
            Some("DecryptionFailure".to_string()),
            "service error: DecryptionFailure: KMS key disabled (HTTP 400)".to_string()
        ))
    );
    assert_eq!(
        fetch_db_password(&client, "cert").await,
        Err(MyError::NotAString("cert".to_string()))
    );
    // A timeout is no service error: `into_service_error()` makes it `Unhandled`, without a
    // code, and the story says what happened.
    assert_eq!(
        fetch_db_password(&client, "prod/db").await,
        Err(MyError::Aws(
            None,
            "timeout: operation timed out after 5s".to_string()
        ))
    );
    // Every rule is used up now: the next call fails, naming what it was and the rules.
    match fetch_db_password(&client, "prod/db").await {
        Err(MyError::Aws(None, story)) => {
            assert!(
                story.contains("no mock rule matched GetSecretValue (input: GetSecretValueInput {"),
                "{story}"
            );
            assert!(
                story.contains("\"binary\": GetSecretValue (used 1 of 1)"),
                "{story}"
            );
        }
        other => panic!("expected an unmatched-call failure, got {other:?}"),
    }
    assert_eq!(missing.requests()[0].secret_id(), "staging/db");
    assert_eq!(locked.num_calls(), 1);
    assert_eq!(binary.num_calls(), 1);
    assert_eq!(slow.requests()[0].secret_id(), "prod/db");
}

#[tokio::test]
async fn answers_in_sequence_and_repeatedly() {
    // First a throttling error, then the value, then the value again for every later call.
    let flaky = mock!(secretsmanager::Client::get_secret_value)
        .then_error(|| {
            GetSecretValueError::Unhandled(secretsmanager::error::Unhandled::new(
                secretsmanager::error::ErrorMetadata {
                    code: Some("ThrottlingException".into()),
                    message: Some("Rate exceeded".into()),
                    status: 400,
                    ..Default::default()
                },
            ))
        })
        .then_output(|| GetSecretValueOutput::builder().secret_string("v1").build())
        .repeatedly();
    let client = mock_client!(secretsmanager, [&flaky]);

    match fetch_db_password(&client, "db").await {
        Err(MyError::Aws(Some(code), _)) => assert_eq!(code, "ThrottlingException"),
        other => panic!("expected the throttling error, got {other:?}"),
    }
    for _ in 0..3 {
        assert_eq!(fetch_db_password(&client, "db").await, Ok("v1".to_string()));
    }
    assert_eq!(flaky.num_calls(), 4);
    assert!(!flaky.is_exhausted());
}

#[tokio::test]
async fn sequential_rules_must_be_called_in_order() {
    let list = mock!(secretsmanager::Client::list_secrets)
        .then_output(|| ListSecretsOutput::builder().build());
    let get = mock!(secretsmanager::Client::get_secret_value)
        .then_output(|| GetSecretValueOutput::builder().secret_string("v").build());
    // RuleMode::Sequential is the default: the list must come first.
    let client = mock_client!(secretsmanager, [&list, &get]);

    let err = client
        .get_secret_value()
        .secret_id("db")
        .send()
        .await
        .unwrap_err();
    let story = DisplayErrorContext(&err).to_string();
    assert!(
        story.contains("the next rule (RuleMode::Sequential) is #0 ListSecrets (used 0 of 1)"),
        "{story}"
    );
    assert_eq!(get.num_calls(), 0);

    assert_eq!(
        secret_names(&client, "").await.unwrap(),
        Vec::<String>::new()
    );
    assert_eq!(fetch_db_password(&client, "db").await, Ok("v".to_string()));
}

#[tokio::test]
async fn paginators_page_through_mocked_outputs() {
    let entry = |name: &str| SecretListEntry::builder().name(name).build();
    let pages = mock!(secretsmanager::Client::list_secrets)
        .then_compute(move |input| {
            let page = match input.next_token() {
                None => ListSecretsOutput::builder()
                    .secret_list(entry("app/a"))
                    .secret_list(entry("other/x"))
                    .next_token("page-2"),
                Some("page-2") => ListSecretsOutput::builder().secret_list(entry("app/b")),
                Some(other) => panic!("unexpected token {other}"),
            };
            MockResponse::Output(page.build())
        })
        .times(2);
    let client = mock_client!(secretsmanager, [&pages]);

    let names = secret_names(&client, "app/").await.unwrap();

    assert_eq!(names, ["app/a", "app/b"]);
    let tokens: Vec<Option<String>> = pages
        .requests()
        .iter()
        .map(|input| input.next_token().map(str::to_string))
        .collect();
    assert_eq!(tokens, [None, Some("page-2".to_string())]);
}

#[test]
fn the_blocking_client_uses_the_same_rules() {
    let rule = mock!(secretsmanager::Client::get_secret_value)
        .then_output(|| GetSecretValueOutput::builder().name("db").build());
    let client =
        secretsmanager::blocking::Client::from_async(mock_client!(secretsmanager, [&rule]));

    let out = client.get_secret_value().secret_id("db").send().unwrap();

    assert_eq!(out.name(), Some("db"));
    assert_eq!(rule.last_request().unwrap().secret_id(), "db");
}

#[tokio::test]
async fn the_configuration_can_be_adjusted() {
    let rule = mock!(secretsmanager::Client::describe_secret).then_output(|| {
        secretsmanager::operation::describe_secret::DescribeSecretOutput::builder().build()
    });
    let client = mock_client!(secretsmanager, RuleMode::MatchAny, [&rule], |config| config
        .region("eu-west-1")
        .app_name("inventory"));

    assert_eq!(client.config().region(), Some("eu-west-1"));
    assert_eq!(client.config().app_name(), Some("inventory"));
    client
        .describe_secret()
        .secret_id("db")
        .send()
        .await
        .unwrap();
    // Operations without a rule fail instead of reaching a network.
    let err = client
        .delete_secret()
        .secret_id("db")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("dispatch failure: no mock rule matched DeleteSecret"),
        "{err}"
    );
}
