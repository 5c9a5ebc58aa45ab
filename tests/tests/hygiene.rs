//! Secret hygiene (issue 5.6): a canary secret sent through CreateSecret, GetSecretValue,
//! PutSecretValue, UpdateSecret and BatchGetSecretValue, against the fault server answering
//! with canned JSON that contains the canary, with every `tracing` span and event captured at
//! TRACE. The canary (raw and base64) must appear in no captured line and in no `Debug` /
//! `Display` of inputs, input builders, fluent builders, outputs, output builders, the client,
//! the config or errors; the `Authorization` header, the secret access key and the session
//! token must never be logged; the value is reachable only through `expose_secret()` (or
//! `into_inner()`), and the sensitive wrappers have no `Display`.
//!
//! Decision on error messages: the `message` of a service error is free text written by the
//! service, not a modeled `@sensitive` member, so the client keeps it and shows it in the
//! error's `Display` and `message()` (hiding it would make every error undiagnosable). The
//! runtime must still never *log* it: its logs carry the error code and status only. The test
//! `service_error_message_is_shown_but_never_logged` pins that decision.
//!
//! Run: `cargo test -p integration-tests --test hygiene`.

use std::fmt::{Debug, Display};
use std::future::Future;
use std::marker::PhantomData;
use std::time::Duration;

use awsrt::types::{base64_encode, SensitiveBlob, SensitiveString};
use integration_tests::fault_server::capture::Capture;
use integration_tests::fault_server::{Fault, FaultServer};
use secretsmanager::config::{RetryConfig, TimeoutConfig};
use secretsmanager::operation::create_secret::CreateSecretInput;
use secretsmanager::operation::get_secret_value::GetSecretValueOutput;
use secretsmanager::operation::put_secret_value::PutSecretValueInput;
use secretsmanager::operation::update_secret::UpdateSecretInput;
use secretsmanager::types::SecretValueEntry;
use secretsmanager::{Client, Config};

/// The secret value: unique enough that any occurrence is a leak.
const CANARY: &str = "canary-7f3Qz9-SEKRIT-value-do-not-log";
/// Credentials that must never show up either.
const SECRET_KEY: &str = "canary-secret-access-key-Wq9Lm4Tz";
const SESSION_TOKEN: &str = "canary-session-token-Hn2Vb8Rx";
const ACCESS_KEY: &str = "AKIDHYGIENETEST";
const ARN: &str = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf";

async fn guarded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("test hung");
}

/// Every form of the canary that counts as a leak: raw, base64 (how `SecretBinary` travels)
/// and the credential canaries.
fn forbidden() -> Vec<String> {
    vec![
        CANARY.to_string(),
        base64_encode(CANARY.as_bytes()),
        SECRET_KEY.to_string(),
        SESSION_TOKEN.to_string(),
    ]
}

/// Asserts that no forbidden string occurs in `text`.
fn assert_clean(what: &str, text: &str) {
    for f in forbidden() {
        assert!(!text.contains(&f), "{what} leaks {f:?}:\n{text}");
    }
}

/// Asserts `Debug` (plain and pretty) is clean.
fn debug_clean(what: &str, v: &impl Debug) {
    assert_clean(&format!("{what} (Debug)"), &format!("{v:?}"));
    assert_clean(&format!("{what} (pretty Debug)"), &format!("{v:#?}"));
}

/// Asserts `Debug` and `Display` are clean.
fn all_clean(what: &str, v: &(impl Debug + Display)) {
    debug_clean(what, v);
    assert_clean(&format!("{what} (Display)"), &format!("{v}"));
}

fn client(server: &FaultServer) -> (Config, Client) {
    let config = Config::builder()
        .region("us-east-1")
        .credentials(ACCESS_KEY, SECRET_KEY, Some(SESSION_TOKEN.to_string()))
        .endpoint_url(server.url())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .timeout_config(TimeoutConfig::default().with_read(Duration::from_secs(5)))
        .build();
    let client = Client::new(&config);
    (config, client)
}

fn get_secret_value_json() -> String {
    format!(
        r#"{{"ARN":"{ARN}","Name":"db","VersionId":"v1","SecretString":"{CANARY}","SecretBinary":"{}","VersionStages":["AWSCURRENT"],"CreatedDate":1.7e9}}"#,
        base64_encode(CANARY.as_bytes())
    )
}

fn batch_json() -> String {
    format!(
        r#"{{"SecretValues":[{{"ARN":"{ARN}","Name":"db","VersionId":"v1","SecretString":"{CANARY}","VersionStages":["AWSCURRENT"]}},{{"Name":"bin","SecretBinary":"{}"}}],"Errors":[]}}"#,
        base64_encode(CANARY.as_bytes())
    )
}

fn write_result(name: &str) -> String {
    format!(r#"{{"ARN":"{ARN}","Name":"{name}","VersionId":"v2","VersionStages":["AWSCURRENT"]}}"#)
}

/// Autoref probe: `(&Probe::<T>::new()).has_display()` is `true` exactly when `T: Display`.
struct Probe<T>(PhantomData<T>);

impl<T> Probe<T> {
    fn new() -> Self {
        Probe(PhantomData)
    }
}

trait ViaDisplay {
    fn has_display(&self) -> bool {
        true
    }
}

impl<T: Display> ViaDisplay for Probe<T> {}

trait ViaFallback {
    fn has_display(&self) -> bool {
        false
    }
}

impl<T> ViaFallback for &Probe<T> {}

#[tokio::test]
async fn canary_never_appears_in_logs_or_formatted_values() {
    guarded(async {
        let capture = Capture::new();
        let _guard = capture.set_default();
        tracing::trace!(probe = "capture-is-live", "hygiene test start");

        let server = FaultServer::start().await.expect("start");
        let (config, client) = client(&server);
        debug_clean("Config", &config);
        debug_clean("Client", &client);

        // CreateSecret: string and binary canary in the input; one transient failure first so
        // the retry path logs too.
        server.push_all([Fault::InternalError, Fault::ok(write_result("db"))]);
        let fluent = client
            .create_secret()
            .name("db")
            .secret_string(CANARY)
            .secret_binary(CANARY.as_bytes());
        debug_clean("CreateSecret fluent builder", &fluent);
        debug_clean("CreateSecret input builder", fluent.as_input());
        let input = fluent.as_input().clone().build().expect("input");
        debug_clean("CreateSecretInput", &input);
        let out = fluent.send().await.expect("create");
        debug_clean("CreateSecretOutput", &out);

        // GetSecretValue: the canary comes back in SecretString and SecretBinary.
        server.push(Fault::ok(get_secret_value_json()));
        let fluent = client.get_secret_value().secret_id("db");
        debug_clean("GetSecretValue fluent builder", &fluent);
        let got = fluent.send().await.expect("get");
        debug_clean("GetSecretValueOutput", &got);
        let rebuilt = GetSecretValueOutput::builder()
            .name("db")
            .secret_string(CANARY)
            .secret_binary(CANARY.as_bytes());
        debug_clean("GetSecretValueOutput builder", &rebuilt);
        debug_clean("GetSecretValueOutput (built)", &rebuilt.build());
        // Reachable through the explicit accessors only.
        let s: &SensitiveString = got.secret_string().expect("SecretString");
        assert_eq!(s.expose_secret(), CANARY);
        let b: &SensitiveBlob = got.secret_binary().expect("SecretBinary");
        assert_eq!(b.expose_secret(), CANARY.as_bytes());
        assert_eq!(s.clone().into_inner(), CANARY);

        // PutSecretValue, with a reset and a throttle before success.
        server.push_all([
            Fault::ResetAfterRead,
            Fault::Throttling,
            Fault::ok(write_result("db")),
        ]);
        let fluent = client
            .put_secret_value()
            .secret_id("db")
            .secret_string(CANARY)
            .rotation_token(CANARY);
        debug_clean("PutSecretValue fluent builder", &fluent);
        debug_clean("PutSecretValue input builder", fluent.as_input());
        let out = fluent.send().await.expect("put");
        debug_clean("PutSecretValueOutput", &out);
        let input = PutSecretValueInput::builder()
            .secret_id("db")
            .secret_binary(CANARY.as_bytes())
            .build()
            .expect("input");
        debug_clean("PutSecretValueInput", &input);

        // UpdateSecret.
        server.push(Fault::ok(write_result("db")));
        let fluent = client.update_secret().secret_id("db").secret_string(CANARY);
        debug_clean("UpdateSecret fluent builder", &fluent);
        let out = fluent.send().await.expect("update");
        debug_clean("UpdateSecretOutput", &out);
        let input = UpdateSecretInput::builder()
            .secret_id("db")
            .secret_string(CANARY)
            .build()
            .expect("input");
        debug_clean("UpdateSecretInput", &input);

        // BatchGetSecretValue: canaries in a list of entries.
        server.push(Fault::ok(batch_json()));
        let fluent = client.batch_get_secret_value().secret_id_list("db");
        debug_clean("BatchGetSecretValue fluent builder", &fluent);
        let batch = fluent.send().await.expect("batch");
        debug_clean("BatchGetSecretValueOutput", &batch);
        let entries = batch.secret_values();
        assert_eq!(entries.len(), 2);
        assert_eq!(
            entries[0]
                .secret_string()
                .map(SensitiveString::expose_secret),
            Some(CANARY)
        );
        assert_eq!(
            entries[1].secret_binary().map(SensitiveBlob::expose_secret),
            Some(CANARY.as_bytes())
        );
        let entry = SecretValueEntry::builder().secret_string(CANARY);
        debug_clean("SecretValueEntry builder", &entry);
        debug_clean("SecretValueEntry", &entry.build());
        let create = CreateSecretInput::builder()
            .name("x")
            .secret_string(CANARY)
            .build()
            .expect("input");
        debug_clean("CreateSecretInput (builder)", &create);

        // The canary really travelled: the server saw it in the request bodies, so its absence
        // from the logs is meaningful.
        let requests = server.requests();
        let sent = |op: &str| {
            requests.iter().any(|r| {
                r.operation() == Some(op) && String::from_utf8_lossy(&r.body).contains(CANARY)
            })
        };
        for op in ["CreateSecret", "PutSecretValue", "UpdateSecret"] {
            assert!(sent(op), "{op} did not send the canary");
        }
        let authorizations: Vec<String> = requests
            .iter()
            .filter_map(|r| r.header("authorization").map(str::to_string))
            .collect();
        assert!(authorizations.len() >= 5, "requests were signed");
        let tokens: Vec<&str> = requests
            .iter()
            .filter_map(|r| r.header("x-amz-security-token"))
            .collect();
        assert!(
            tokens.iter().all(|t| *t == SESSION_TOKEN) && !tokens.is_empty(),
            "the session token is sent as x-amz-security-token"
        );

        let lines = capture.lines();
        if std::env::var_os("HYGIENE_SHOW_LOGS").is_some() {
            println!("{}", lines.join("\n"));
        }
        assert!(
            lines.iter().any(|l| l.contains("capture-is-live")),
            "TRACE events are captured"
        );
        assert!(
            lines.iter().any(|l| l.contains("PutSecretValue")),
            "the client's spans are captured: {lines:#?}"
        );
        for line in &lines {
            assert_clean("captured log line", line);
            for auth in &authorizations {
                assert!(
                    !line.contains(auth.as_str()),
                    "Authorization logged: {line}"
                );
                let signature = auth.rsplit("Signature=").next().unwrap_or(auth);
                assert!(!line.contains(signature), "signature logged: {line}");
            }
            assert!(
                !line.to_ascii_lowercase().contains("authorization"),
                "authorization header logged: {line}"
            );
        }
    })
    .await;
}

// The autoref probe needs the explicit `&` even where the compiler would add it.
#[allow(clippy::needless_borrow)]
#[tokio::test]
async fn sensitive_wrappers_have_no_display_and_redact_debug() {
    assert!(!(&Probe::<SensitiveString>::new()).has_display());
    assert!(!(&Probe::<SensitiveBlob>::new()).has_display());
    // The probe itself works: a type with Display is detected.
    assert!((&Probe::<String>::new()).has_display());
    let s = SensitiveString::new(CANARY);
    debug_clean("SensitiveString", &s);
    debug_clean("Option<SensitiveString>", &Some(s.clone()));
    debug_clean("SensitiveBlob", &SensitiveBlob::new(CANARY.as_bytes()));
    assert_eq!(s.expose_secret(), CANARY);
}

#[tokio::test]
async fn errors_never_echo_sensitive_response_fields() {
    guarded(async {
        let capture = Capture::new();
        let _guard = capture.set_default();
        let server = FaultServer::start().await.expect("start");
        let (_config, client) = client(&server);
        // Malformed success bodies that carry the canary in SecretString: the parse error must
        // not quote it.
        let b64 = base64_encode(CANARY.as_bytes());
        let bodies = [
            format!(r#"{{"Name":"db","SecretString":"{CANARY}" "VersionId":"v"}}"#),
            format!(r#"{{"Name":"db","SecretString":"{CANARY}\q"}}"#),
            format!(r#"{{"Name":"db","SecretString":"{CANARY}"#),
            format!(r#"{{"Name":"db","SecretString":"{CANARY}","SecretBinary":"{b64}!!"}}"#),
            format!(r#"{{"Name":"db","SecretString":["{CANARY}"]}}"#),
            format!(r#"{{"Name":"db","SecretString":"{CANARY}"}} trailing"#),
        ];
        for body in &bodies {
            server.push(Fault::ok(body.clone()));
            let err = client
                .get_secret_value()
                .secret_id("db")
                .send()
                .await
                .expect_err("malformed body");
            assert!(
                matches!(err, secretsmanager::SdkError::Response(_)),
                "{err:?}"
            );
            all_clean(&format!("error for {body}"), &err);
        }
        // A BatchGetSecretValue entry with a malformed secret.
        server.push(Fault::ok(format!(
            r#"{{"SecretValues":[{{"SecretString":"{CANARY}","SecretBinary":7}}]}}"#
        )));
        let err = client
            .batch_get_secret_value()
            .secret_id_list("db")
            .send()
            .await
            .expect_err("malformed entry");
        all_clean("BatchGetSecretValue parse error", &err);
        for line in capture.lines() {
            assert_clean("captured log line", &line);
        }
    })
    .await;
}

#[tokio::test]
async fn service_error_message_is_shown_but_never_logged() {
    guarded(async {
        let capture = Capture::new();
        let _guard = capture.set_default();
        let server = FaultServer::start().await.expect("start");
        let (_config, client) = client(&server);
        let message = format!("The value {CANARY} is not valid JSON");
        server.push(Fault::error(
            400,
            "InvalidRequestException",
            message.clone(),
        ));
        let err = client
            .put_secret_value()
            .secret_id("db")
            .secret_string(CANARY)
            .send()
            .await
            .expect_err("service error");
        let service = err.as_service_error().expect("a service error");
        assert!(service.is_invalid_request_exception(), "{service:?}");
        // Decision (see the module docs): the service's message is kept and shown...
        assert_eq!(service.message(), Some(message.as_str()));
        assert!(format!("{err}").contains(CANARY));
        // ...but the client never logs it, nor the request's secret.
        let lines = capture.lines();
        assert!(!lines.is_empty());
        for line in &lines {
            assert_clean("captured log line", line);
            assert!(
                !line.contains("is not valid JSON"),
                "service message logged: {line}"
            );
        }
        // The same holds when the service error is retried (500 echoing the canary).
        server.push_all([
            Fault::error(500, "InternalServiceError", message.clone()),
            Fault::ok(write_result("db")),
        ]);
        client
            .put_secret_value()
            .secret_id("db")
            .secret_string(CANARY)
            .send()
            .await
            .expect("retried");
        for line in capture.lines() {
            assert_clean("captured log line", &line);
        }
    })
    .await;
}

#[test]
fn the_leak_checks_themselves_detect_leaks() {
    let leaky = format!("prefix {CANARY} suffix");
    assert!(std::panic::catch_unwind(|| assert_clean("leaky", &leaky)).is_err());
    let b64 = format!("SecretBinary={}", base64_encode(CANARY.as_bytes()));
    assert!(std::panic::catch_unwind(|| assert_clean("leaky", &b64)).is_err());
    assert!(std::panic::catch_unwind(|| assert_clean("token", SESSION_TOKEN)).is_err());
    assert_clean("clean", "nothing to see");
}

/// Issue 15: the secret cache (`secretsmanager-cache`) holds, shares and reports on the canary
/// through warming, hits, misses, `refresh_now`, typed JSON, stale-if-error and a permanent
/// failure, with every `tracing` event captured (the cache's own at TRACE included): the canary
/// appears in no log line and in no `Debug` of the cache, its values, metrics or reports.
#[tokio::test]
async fn the_secret_cache_never_logs_or_formats_values() {
    use secretsmanager_cache::{CacheError, SecretCache, Version};
    guarded(async {
        let capture = Capture::new();
        let _guard = capture.set_default();
        let server = FaultServer::start().await.expect("start");
        let (_config, client) = client(&server);
        // Long enough that each step below finds the value it expects on a loaded machine.
        let ttl = Duration::from_secs(2);
        let cache = SecretCache::builder(client)
            .ttl(ttl)
            .ttl_jitter(0.0)
            .refresh_ahead(1.0)
            .stale_if_error(Duration::from_secs(60))
            .transform(|_, v| Ok(v))
            .build()
            .expect("cache");

        // Warming: the canary arrives in a batch, as a string and as bytes.
        server.push(Fault::ok(batch_json()));
        let report = cache.warm(["db", "bin"]).await.expect("warm");
        debug_clean("WarmReport", &report);
        let db = cache.get("db").await.expect("hit");
        assert_eq!(
            db.secret_string().map(SensitiveString::expose_secret),
            Some(CANARY)
        );
        let bin = cache.get("bin").await.expect("hit");
        assert_eq!(
            bin.secret_binary().map(SensitiveBlob::expose_secret),
            Some(CANARY.as_bytes())
        );
        debug_clean("Secret", &db);
        debug_clean("Secret (binary)", &bin);
        debug_clean("SecretValue", db.value());
        debug_clean("SecretCache", &cache);

        // A miss and refresh_now fetch it with GetSecretValue.
        cache.invalidate("db");
        server.push(Fault::ok(get_secret_value_json()));
        let fetched = cache.get("db").await.expect("miss");
        debug_clean("Secret (fetched)", &fetched);
        server.push(Fault::ok(get_secret_value_json()));
        cache
            .refresh_now("db", Version::Current)
            .await
            .expect("refresh_now");

        // Typed JSON: the canary is not JSON; the error says where, not what.
        let err = cache
            .get_json::<secretsmanager_cache::json::UsernamePassword>("db")
            .await
            .expect_err("not JSON");
        all_clean("CacheError::Json", &err);

        // Expired, and the service fails with 500s echoing the canary: stale value served.
        tokio::time::sleep(ttl + Duration::from_millis(20)).await;
        let message = format!("The value {CANARY} broke us");
        for _ in 0..3 {
            server.push(Fault::error(500, "InternalServiceError", message.clone()));
        }
        let stale = cache.get("db").await.expect("stale");
        assert!(stale.ptr_eq(&fetched) || stale.secret_string().is_some());
        assert!(cache.metrics().stale_served >= 1);

        // A permanent failure: the error (whose Display shows the service's message, see the
        // module docs) comes back; the cache's logs carry its code only.
        server.push(Fault::error(400, "AccessDeniedException", message.clone()));
        let err = cache
            .refresh_now("db", Version::Current)
            .await
            .expect_err("denied");
        assert_eq!(err.code(), Some("AccessDeniedException"));
        assert!(matches!(err, CacheError::GetSecretValue { .. }));

        cache.log_metrics();
        debug_clean("CacheMetrics", &cache.metrics());

        let lines = capture.lines();
        let cache_lines: Vec<&String> = lines
            .iter()
            .filter(|l| l.contains("secretsmanager_cache"))
            .collect();
        for wanted in [
            "hit",
            "miss",
            "fetched",
            "request failed",
            "secret cache metrics",
            "warmed",
        ] {
            assert!(
                cache_lines.iter().any(|l| l.contains(wanted)),
                "the cache's {wanted:?} event is captured: {cache_lines:#?}"
            );
        }
        for line in &lines {
            assert_clean("captured log line", line);
            assert!(!line.contains("broke us"), "service message logged: {line}");
        }
    })
    .await;
}
