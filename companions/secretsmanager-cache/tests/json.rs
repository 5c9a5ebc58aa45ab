//! Typed JSON secrets (feature `serde`).

use secretsmanager::test_util::{test_config, MockTransport, Rule};
use secretsmanager_cache::json::{DatabaseCredentials, UsernamePassword};
use secretsmanager_cache::{CacheError, SecretCache};

const CANARY: &str = "pw-canary-8fK2";

fn cache(mock: &MockTransport) -> SecretCache {
    SecretCache::new(secretsmanager::Client::new(&test_config(mock)))
}

#[tokio::test]
async fn json_secrets_read_into_types() {
    let body = format!(
        r#"{{"Name":"db","SecretString":"{{\"engine\":\"mysql\",\"host\":\"h\",\"port\":\"3306\",\"username\":\"app\",\"password\":\"{CANARY}\",\"dbClusterIdentifier\":\"c1\",\"extra\":1}}"}}"#
    );
    let mock = MockTransport::new().with_rule(Rule::new("GetSecretValue").then_output_json(body));
    let cache = cache(&mock);
    let db: DatabaseCredentials = cache.get_json("db").await.unwrap();
    assert_eq!(db.port, Some(3306), "a port written as a string");
    assert_eq!(db.identifier.as_deref(), Some("c1"));
    assert_eq!(db.password.expose_secret(), CANARY);
    assert!(!format!("{db:?}").contains(CANARY));
    // The same cached value, read as another type: no second request.
    let up: UsernamePassword = cache.get_json("db").await.unwrap();
    assert_eq!(up.username, "app");
    // A user type.
    #[derive(serde::Deserialize)]
    struct Mine {
        host: String,
    }
    let mine: Mine = cache.get_json("db").await.unwrap();
    assert_eq!(mine.host, "h");
    assert_eq!(mock.request_count(), 1);
}

#[tokio::test]
async fn json_errors_never_quote_the_secret() {
    let mock = MockTransport::new()
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"SecretId":"wrong-type"}"#)
                .then_output_json(format!(
                    r#"{{"Name":"wrong-type","SecretString":"{{\"username\":\"{CANARY}\",\"password\":7}}"}}"#
                )),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"SecretId":"not-json"}"#)
                .then_output_json(format!(r#"{{"Name":"not-json","SecretString":"{CANARY}"}}"#)),
        )
        .with_rule(
            Rule::new("GetSecretValue")
                .input_contains_json(r#"{"SecretId":"binary"}"#)
                .then_output_json(r#"{"Name":"binary","SecretBinary":"AAEC"}"#),
        );
    let cache = cache(&mock);
    for (id, category) in [("wrong-type", "data"), ("not-json", "syntax")] {
        let err = cache.get_json::<UsernamePassword>(id).await.unwrap_err();
        match &err {
            CacheError::Json {
                category: c, line, ..
            } => {
                assert_eq!((*c, *line), (category, 1), "{err}")
            }
            other => panic!("expected a JSON error, got {other}"),
        }
        for text in [err.to_string(), format!("{err:?}")] {
            assert!(!text.contains(CANARY), "{text}");
            assert!(text.contains(id), "{text}");
        }
    }
    let err = cache
        .get_json::<UsernamePassword>("binary")
        .await
        .unwrap_err();
    assert!(matches!(err, CacheError::NotAString { .. }), "{err}");
}
