//! The generated blocking client (`secretsmanager::blocking`, feature `blocking`): the same
//! operations as the async client, run through `secretsmanager::blocking::block_on`, tested
//! against `secretsmanager::test_util::MockTransport` from plain threads and from inside a tokio
//! runtime.
//!
//! Run with `cargo test -p integration-tests --test blocking_client`.

use std::thread;

use secretsmanager::error::SdkError;
use secretsmanager::operation::get_secret_value::{GetSecretValueError, GetSecretValueOutput};
use secretsmanager::test_util::{test_config, MockTransport, Rule};

fn mock_with_db_secret() -> MockTransport {
    MockTransport::new()
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"SecretId": "db"}"#)
                .then_output_json(r#"{"Name": "db", "SecretString": "hunter2"}"#)
                .repeatedly(),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .then_error("ResourceNotFoundException", "no such secret")
                .repeatedly(),
        )
}

/// The async client's result type: the blocking `send()` results below are annotated with it, so
/// the file compiles only if both return exactly the same type.
type AsyncResult = Result<GetSecretValueOutput, SdkError<GetSecretValueError>>;

#[test]
fn blocking_send_without_any_runtime() {
    let mock = mock_with_db_secret();
    let client = secretsmanager::blocking::Client::new(&test_config(&mock));

    let result: AsyncResult = client.get_secret_value().secret_id("db").send();
    let out = result.unwrap();
    assert_eq!(out.name(), Some("db"));
    assert_eq!(
        out.secret_string().map(|s| s.expose_secret()),
        Some("hunter2")
    );

    let result: AsyncResult = client.get_secret_value().secret_id("nope").send();
    let err = result.unwrap_err();
    assert!(err
        .as_service_error()
        .is_some_and(|e| e.is_resource_not_found_exception()));
    assert_eq!(err.request_id(), Some("mock-request-2"));

    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].input_str("SecretId"), Some("db"));
    assert_eq!(sent[1].input_str("SecretId"), Some("nope"));
}

#[test]
fn missing_required_input_fails_before_sending() {
    let mock = mock_with_db_secret();
    let client = secretsmanager::blocking::Client::new(&test_config(&mock));
    let err = client.get_secret_value().send().unwrap_err();
    assert!(matches!(err, SdkError::Construction(_)), "{err:?}");
    assert_eq!(mock.request_count(), 0);
}

#[test]
fn one_client_from_many_threads() {
    let mock = mock_with_db_secret();
    let client = secretsmanager::blocking::Client::new(&test_config(&mock));
    let handles: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            thread::spawn(move || {
                let id = if i % 2 == 0 { "db" } else { "other" };
                let r = client.get_secret_value().secret_id(id).send();
                (id, r.is_ok())
            })
        })
        .collect();
    for h in handles {
        let (id, ok) = h.join().unwrap();
        assert_eq!(ok, id == "db", "{id}");
    }
    assert_eq!(mock.request_count(), 8);
    assert_eq!(mock.uses(0), Some(4));
    assert_eq!(mock.uses(1), Some(4));
}

#[tokio::test]
async fn inside_an_async_runtime_it_does_not_panic() {
    let mock = mock_with_db_secret();
    let client = secretsmanager::blocking::Client::new(&test_config(&mock));
    let out = client.get_secret_value().secret_id("db").send().unwrap();
    assert_eq!(
        out.secret_string().map(|s| s.expose_secret()),
        Some("hunter2")
    );
    // The surrounding runtime keeps working.
    tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    assert_eq!(mock.request_count(), 1);
}

#[test]
fn pages_iterate_synchronously() {
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("ListSecrets")
                .input_contains_json(r#"{"NextToken": "t1"}"#)
                .then_output_json(r#"{"SecretList": [{"Name": "c"}]}"#),
        )
        .with_rule(Rule::new("ListSecrets").then_output_json(
            r#"{"SecretList": [{"Name": "a"}, {"Name": "b"}], "NextToken": "t1"}"#,
        ));
    let client = secretsmanager::blocking::Client::new(&test_config(&mock));
    let names: Vec<String> = client
        .list_secrets()
        .max_results(2)
        .into_pages()
        .map(|page| page.unwrap())
        .flat_map(|page| {
            page.secret_list()
                .iter()
                .filter_map(|s| s.name().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(names, ["a", "b", "c"]);
    let sent = mock.requests();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0].input_str("NextToken"), None);
    assert_eq!(sent[1].input_str("NextToken"), Some("t1"));
    assert!(sent.iter().all(|r| r
        .body_json()
        .get("MaxResults")
        .and_then(|n| n.as_number())
        .and_then(|n| n.to_i64())
        == Some(2)));
    mock.assert_all_used();
}

#[test]
fn shares_the_async_client() {
    let mock = mock_with_db_secret();
    let async_client = secretsmanager::Client::new(&test_config(&mock));
    let client = secretsmanager::blocking::Client::from_async(async_client);
    let out = client.get_secret_value().secret_id("db").send().unwrap();
    assert_eq!(out.name(), Some("db"));
    let again = secretsmanager::blocking::block_on(
        client.as_async().get_secret_value().secret_id("db").send(),
    );
    assert_eq!(again.unwrap().name(), Some("db"));
    assert_eq!(mock.request_count(), 2);
}
