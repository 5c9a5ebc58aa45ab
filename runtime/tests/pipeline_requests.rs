//! Request construction: headers, signing, endpoint resolution and configuration precedence,
//! observed through a recording mock transport.

mod pipeline_support;

use std::path::PathBuf;

use awsrt::client::ClientHandle;
use awsrt::config::Config;
use awsrt::error::{BuildErrorKind, SdkError};
use awsrt::profile::Env;
use awsrt::retry::RetryMode;
use pipeline_support::*;

#[tokio::test]
async fn request_headers_and_signature() {
    let mock = MockTransport::new([Reply::status(200)]);
    let config = builder(&mock).app_name("my app").build();
    let handle = ClientHandle::new(&config, &SERVICE);
    let resp = handle.call_json(&OP, br#"{"A":1}"#.to_vec()).await.unwrap();
    assert_eq!(resp.status, 200);

    let reqs = mock.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, http::Method::POST);
    assert_eq!(r.uri, "https://testsvc.us-east-1.amazonaws.com/");
    assert_eq!(&r.body[..], br#"{"A":1}"#);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert_eq!(
        r.header("x-amz-target"),
        Some("TestService_20240101.DoThing")
    );
    assert_eq!(
        r.header("x-test-endpoint"),
        Some("yes"),
        "endpoint headers are sent"
    );
    assert_eq!(r.header("host"), Some("testsvc.us-east-1.amazonaws.com"));
    assert_eq!(r.header("amz-sdk-request"), Some("attempt=1; max=3"));
    let ua = r.header("user-agent").unwrap();
    assert!(ua.starts_with("testsvc/1.2.3 awsrt/"), "{ua}");
    assert!(ua.contains(" lang/rust"), "{ua}");
    assert!(
        ua.contains(&format!(" os/{}", std::env::consts::OS)),
        "{ua}"
    );
    assert!(ua.ends_with(" app/my_app"), "{ua}");
    let id = r.header("amz-sdk-invocation-id").unwrap();
    assert_eq!(id.len(), 36);
    assert!(r.header("x-amz-date").is_some());
    let auth = r.header("authorization").unwrap();
    // Signing name and region come from the endpoint's authSchemes.
    assert!(
        auth.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTEST/")
            && auth.contains("/us-east-1/testsvc-signing/aws4_request"),
        "{auth}"
    );
    assert!(
        auth.contains("SignedHeaders=") && auth.contains("x-amz-target"),
        "{auth}"
    );
    assert!(r.header("x-amz-security-token").is_none());
}

#[tokio::test]
async fn the_signature_is_the_one_of_the_whole_request() {
    // The pipeline signs with the endpoint's parsed origin (its `Host`, then only the path and
    // query); signing the request as sent, whole URI and all, gives the same signature.
    let mock = MockTransport::new([Reply::status(200), Reply::status(200)]);
    let config = builder(&mock).build();
    let handle = ClientHandle::new(&config, &SERVICE);
    for body in [&br#"{"A":1}"#[..], br#"{"B":[1,2]}"#] {
        handle.call_json(&OP, body.to_vec()).await.unwrap();
    }
    for r in mock.requests() {
        let date = r.header("x-amz-date").unwrap();
        let iso = format!(
            "{}-{}-{}T{}:{}:{}Z",
            &date[0..4],
            &date[4..6],
            &date[6..8],
            &date[9..11],
            &date[11..13],
            &date[13..15]
        );
        let secs = awsrt::types::DateTime::parse(&iso, awsrt::types::TimestampFormat::DateTime)
            .unwrap()
            .secs();
        let mut headers = r.headers.clone();
        headers.remove("authorization");
        let params = awsrt::sigv4::SigningParams {
            access_key: "AKIDTEST",
            secret_key: "secret",
            session_token: None,
            region: "us-east-1",
            service: "testsvc-signing",
            time: std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs as u64),
            settings: awsrt::sigv4::SigningSettings::default(),
        };
        let out =
            awsrt::sigv4::sign(r.method.as_str(), &r.uri, &mut headers, &r.body, &params).unwrap();
        let auth = r.header("authorization").unwrap();
        assert!(
            auth.ends_with(&format!("Signature={}", out.signature)),
            "{auth}\n{}",
            out.canonical_request
        );
        assert!(out
            .canonical_request
            .contains("\nhost:testsvc.us-east-1.amazonaws.com\n"));
    }
}

#[tokio::test]
async fn session_token_is_sent_and_invocation_ids_differ_per_call() {
    let mock = MockTransport::new([]);
    let config = builder(&mock)
        .credentials("AKIDTEST", "secret", Some("TOKEN123".into()))
        .build();
    let handle = ClientHandle::new(&config, &SERVICE);
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    let reqs = mock.requests();
    assert_eq!(reqs[0].header("x-amz-security-token"), Some("TOKEN123"));
    assert_ne!(
        reqs[0].header("amz-sdk-invocation-id"),
        reqs[1].header("amz-sdk-invocation-id")
    );
}

#[tokio::test]
async fn endpoint_override_uses_config_region_and_service_signing_name() {
    let mock = MockTransport::new([]);
    let config = builder(&mock)
        .region("eu-west-2")
        .endpoint_url("http://localhost:4566")
        .build();
    let handle = ClientHandle::new(&config, &SERVICE);
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.uri, "http://localhost:4566/");
    assert_eq!(r.header("host"), Some("localhost:4566"));
    let auth = r.header("authorization").unwrap();
    assert!(auth.contains("/eu-west-2/testsvc/aws4_request"), "{auth}");
    assert!(r.header("x-test-endpoint").is_none());
}

#[tokio::test]
async fn fips_flag_reaches_the_rules() {
    let mock = MockTransport::new([]);
    let config = builder(&mock).use_fips(true).build();
    let handle = ClientHandle::new(&config, &SERVICE);
    assert_eq!(
        handle.endpoint_url().unwrap(),
        "https://testsvc-fips.us-east-1.amazonaws.com/"
    );
}

#[tokio::test]
async fn missing_region_fails_before_any_io_with_the_rule_message() {
    let mock = MockTransport::new([]);
    let config = Config::builder()
        .credentials("AKID", "secret", None)
        .transport(mock.clone())
        .build();
    let handle = ClientHandle::new(&config, &SERVICE);
    let err = handle.call_json(&OP, b"{}".to_vec()).await.unwrap_err();
    match &err {
        SdkError::Construction(b) => {
            assert_eq!(b.kind(), BuildErrorKind::Endpoint);
            assert!(
                b.details()
                    .contains("Invalid Configuration: Missing Region"),
                "{b}"
            );
        }
        other => panic!("expected construction error, got {other:?}"),
    }
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn override_without_region_cannot_sign() {
    let mock = MockTransport::new([]);
    let config = Config::builder()
        .credentials("AKID", "secret", None)
        .endpoint_url("http://localhost:1")
        .transport(mock.clone())
        .build();
    let handle = ClientHandle::new(&config, &SERVICE);
    let err = handle.call_json(&OP, b"{}".to_vec()).await.unwrap_err();
    assert!(err.to_string().contains("no region configured"), "{err}");
    assert_eq!(mock.count(), 0);
}

#[tokio::test]
async fn service_without_rules_needs_an_override() {
    let mock = MockTransport::new([]);
    let handle = ClientHandle::new(&builder(&mock).build(), &NO_RULES_SERVICE);
    let err = handle.call_json(&OP, b"{}".to_vec()).await.unwrap_err();
    assert!(
        err.to_string().contains("AWS_ENDPOINT_URL_NO_RULES"),
        "names the variable: {err}"
    );
    let config = builder(&mock).endpoint_url("http://127.0.0.1:9000").build();
    let handle = ClientHandle::new(&config, &NO_RULES_SERVICE);
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    let r = &mock.requests()[0];
    assert_eq!(r.uri, "http://127.0.0.1:9000/");
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    assert_eq!(r.header("x-amz-target"), Some("NoRules.DoThing"));
}

#[tokio::test]
async fn missing_credentials_is_a_construction_error() {
    let mock = MockTransport::new([]);
    let config = Config::builder()
        .region("us-east-1")
        .transport(mock.clone())
        .build();
    let err = ClientHandle::new(&config, &SERVICE)
        .call_json(&OP, b"{}".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(&err, SdkError::Construction(b) if b.kind() == BuildErrorKind::Credentials));
    assert_eq!(mock.count(), 0);
}

/// A private directory with a shared config file.
fn config_file(name: &str, contents: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "awsrt-pipeline-{}-{}-{}",
        name,
        std::process::id(),
        awsrt::types::uuid_v4()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("config");
    std::fs::write(&path, contents).unwrap();
    path
}

const PROFILE: &str = "[default]\nregion = ap-south-1\nendpoint_url = http://profile-global\nservices = local\nmax_attempts = 7\nretry_mode = adaptive\n\n[services local]\ntest_svc =\n  endpoint_url = http://profile-service\n";

async fn endpoint_with(pairs: &[(&str, &str)], profile: &str) -> (Option<String>, Config) {
    let path = config_file("ep", profile);
    let mut env: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    env.push(("AWS_CONFIG_FILE".into(), path.display().to_string()));
    env.push((
        "AWS_SHARED_CREDENTIALS_FILE".into(),
        path.with_file_name("none").display().to_string(),
    ));
    let config = Config::loader()
        .env(Env::from_pairs(env))
        .load()
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
    (config.endpoint_url_for(SERVICE.sdk_id), config)
}

#[tokio::test]
async fn endpoint_precedence_env_and_profile() {
    let all = [
        ("AWS_ENDPOINT_URL", "http://env-global"),
        ("AWS_ENDPOINT_URL_TEST_SVC", "http://env-service"),
    ];
    let (url, _) = endpoint_with(&all, PROFILE).await;
    assert_eq!(url.as_deref(), Some("http://env-service"));
    let (url, _) = endpoint_with(&all[..1], PROFILE).await;
    assert_eq!(url.as_deref(), Some("http://env-global"));
    let (url, _) = endpoint_with(&[], PROFILE).await;
    assert_eq!(url.as_deref(), Some("http://profile-service"));
    let no_service_section = PROFILE.replace("services = local\n", "");
    let (url, config) = endpoint_with(&[], &no_service_section).await;
    assert_eq!(url.as_deref(), Some("http://profile-global"));
    assert_eq!(config.endpoint_url(), Some("http://profile-global"));
    // Another service only sees the global values.
    assert_eq!(
        config.endpoint_url_for("Other Service").as_deref(),
        Some("http://profile-global")
    );
    let (url, _) = endpoint_with(&[], "[default]\nregion = us-east-1\n").await;
    assert_eq!(url, None);
}

#[tokio::test]
async fn ignore_configured_endpoints_and_code_wins() {
    let (url, _) = endpoint_with(
        &[
            ("AWS_ENDPOINT_URL", "http://env-global"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ],
        PROFILE,
    )
    .await;
    assert_eq!(url, None);
    let ignoring = PROFILE.replace(
        "[default]\n",
        "[default]\nignore_configured_endpoint_urls = true\n",
    );
    let (url, _) = endpoint_with(&[], &ignoring).await;
    assert_eq!(url, None);

    let (_, config) = endpoint_with(
        &[("AWS_ENDPOINT_URL_TEST_SVC", "http://env-service")],
        PROFILE,
    )
    .await;
    let config = config.to_builder().endpoint_url("http://code").build();
    assert_eq!(
        config.endpoint_url_for(SERVICE.sdk_id).as_deref(),
        Some("http://code")
    );
}

#[tokio::test]
async fn handle_sends_to_the_service_specific_env_endpoint() {
    let mock = MockTransport::new([]);
    let config = builder(&mock)
        .env(Env::from_pairs([
            ("AWS_ENDPOINT_URL", "http://global:1"),
            ("AWS_ENDPOINT_URL_TEST_SVC", "http://service:2"),
        ]))
        .build();
    let handle = ClientHandle::new(&config, &SERVICE);
    assert_eq!(handle.endpoint_override(), Some("http://service:2"));
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    assert_eq!(mock.requests()[0].uri, "http://service:2/");
}

#[tokio::test]
async fn loader_reads_region_retry_and_flags() {
    let (_, config) = endpoint_with(&[], PROFILE).await;
    assert_eq!(config.region(), Some("ap-south-1"));
    assert_eq!(config.retry_config().max_attempts, 7);
    assert_eq!(config.retry_config().mode, RetryMode::Adaptive);
    assert!(config.credentials_provider().is_some());
    assert!(!config.use_fips());

    let (_, config) = endpoint_with(
        &[
            ("AWS_REGION", "us-west-2"),
            ("AWS_DEFAULT_REGION", "us-east-2"),
            ("AWS_MAX_ATTEMPTS", "2"),
            ("AWS_RETRY_MODE", "standard"),
            ("AWS_USE_FIPS_ENDPOINT", "TRUE"),
            ("AWS_USE_DUALSTACK_ENDPOINT", "false"),
            ("AWS_SDK_UA_APP_ID", "tool"),
        ],
        PROFILE,
    )
    .await;
    assert_eq!(config.region(), Some("us-west-2"));
    assert_eq!(config.retry_config().max_attempts, 2);
    assert_eq!(config.retry_config().mode, RetryMode::Standard);
    assert!(config.use_fips());
    assert!(!config.use_dual_stack());
    assert_eq!(config.app_name(), Some("tool"));

    let (_, config) = endpoint_with(&[("AWS_DEFAULT_REGION", "us-east-2")], "").await;
    assert_eq!(config.region(), Some("us-east-2"));
}

#[tokio::test]
async fn loader_rejects_invalid_values() {
    for (k, v) in [
        ("AWS_MAX_ATTEMPTS", "zero"),
        ("AWS_MAX_ATTEMPTS", "0"),
        ("AWS_RETRY_MODE", "turbo"),
        ("AWS_USE_FIPS_ENDPOINT", "yes"),
    ] {
        let err = Config::loader()
            .env(Env::from_pairs([(k, v)]))
            .load()
            .await
            .unwrap_err();
        assert!(err.to_string().contains(k), "{k}={v}: {err}");
    }
}

#[tokio::test]
async fn loader_settings_in_code_win() {
    let mock = MockTransport::new([]);
    let config = Config::loader()
        .env(Env::from_pairs([
            ("AWS_REGION", "us-west-2"),
            ("AWS_MAX_ATTEMPTS", "9"),
        ]))
        .region("eu-central-1")
        .retry_config(fast_retry(2))
        .transport(mock.clone())
        .credentials_provider(awsrt::credentials::StaticProvider::from_keys(
            "AKIDX", "s", None,
        ))
        .load()
        .await
        .unwrap();
    assert_eq!(config.region(), Some("eu-central-1"));
    assert_eq!(config.retry_config().max_attempts, 2);
    let handle = ClientHandle::new(&config, &SERVICE);
    handle.call_json(&OP, b"{}".to_vec()).await.unwrap();
    let auth = mock.requests()[0]
        .header("authorization")
        .unwrap()
        .to_string();
    assert!(
        auth.contains("AKIDX/") && auth.contains("/eu-central-1/"),
        "{auth}"
    );
}
