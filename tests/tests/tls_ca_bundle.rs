//! Custom CA bundles and refused certificates (issue 14, item 4), against a local HTTPS server
//! (`integration_tests::tls_server`: rustls, certificates made by the `openssl` command-line
//! tool in a temporary folder).
//!
//! * A certificate from the test CA is accepted when the CA comes from code
//!   (`ConfigBuilder::ca_bundle`), `AWS_CA_BUNDLE` or the profile's `ca_bundle` (a bundle of
//!   two certificates, the test CA second), with the post-quantum key exchange kept.
//! * An unknown CA, an expired certificate and a wrong host name each fail the call at once
//!   with a dispatch error of kind `Tls` and the matching `TlsErrorKind`: the server saw exactly
//!   one connection, a TLS handshake that failed, and nothing else: no retry, no plain HTTP.
//!
//! Run: `cargo test -p integration-tests --test tls_ca_bundle`.

use std::path::Path;
use std::time::Duration;

use awsrt::error::SdkError;
use awsrt::http::{CaBundle, TlsErrorKind, TransportErrorKind};
use awsrt::profile::Env;
use integration_tests::tls_server::{ConnectionRecord, Leaf, TestPki, TlsServer, SECRET_VALUE};
use secretsmanager::{Client, Config};

const WAIT: Duration = Duration::from_secs(60);

fn builder(url: &str) -> secretsmanager::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials("AKIDCABUNDLE", "ca-bundle-test-secret", None)
        .endpoint_url(url)
}

/// The environment of a program run with `extra` set and a Secrets Manager endpoint.
fn env(url: &str, extra: &[(&str, &str)]) -> Env {
    let mut pairs = vec![
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID".into(), "AKIDCABUNDLE".into()),
        (
            "AWS_SECRET_ACCESS_KEY".into(),
            "ca-bundle-test-secret".into(),
        ),
        ("AWS_ENDPOINT_URL".into(), url.to_string()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_pairs(pairs)
}

async fn get_secret(
    config: &Config,
) -> Result<String, SdkError<secretsmanager::operation::get_secret_value::GetSecretValueError>> {
    let out = tokio::time::timeout(
        WAIT,
        Client::new(config)
            .get_secret_value()
            .secret_id("tls")
            .send(),
    )
    .await
    .expect("call hung")?;
    Ok(out
        .secret_string()
        .expect("secret string")
        .expose_secret()
        .to_owned())
}

/// One connection, a completed post-quantum handshake, one request in origin form.
fn assert_one_good_connection(server: &TlsServer) {
    let records = server.wait_for_records(1);
    assert_eq!(
        records,
        [ConnectionRecord::Tls {
            version: "TLSv1_3".into(),
            group: "X25519MLKEM768".into(),
            requests: vec!["POST / HTTP/1.1".into()],
        }]
    );
}

#[tokio::test]
async fn ca_bundle_from_code_trusts_the_test_ca() {
    let pki = TestPki::create();
    let bundle = CaBundle::from_pem_file(pki.bundle_path()).expect("bundle");
    assert_eq!(bundle.len(), 2, "{bundle:?}");
    let server = TlsServer::start(&pki, Leaf::Good);
    let config = builder(&server.url()).ca_bundle(bundle).build();
    assert_eq!(get_secret(&config).await.expect("trusted"), SECRET_VALUE);
    assert_one_good_connection(&server);
}

#[tokio::test]
async fn aws_ca_bundle_variable() {
    let pki = TestPki::create();
    let server = TlsServer::start(&pki, Leaf::Good);
    let path = pki.bundle_path();
    let config = Config::loader()
        .env(env(
            &server.url(),
            &[("AWS_CA_BUNDLE", path.to_str().unwrap())],
        ))
        .load()
        .await
        .expect("load");
    assert_eq!(get_secret(&config).await.expect("trusted"), SECRET_VALUE);
    assert_one_good_connection(&server);
}

fn write_config(dir: &Path, text: &str) -> String {
    let path = dir.join("aws-config");
    std::fs::write(&path, text).expect("write config");
    path.to_str().unwrap().to_string()
}

#[tokio::test]
async fn profile_ca_bundle_and_the_variable_wins_over_it() {
    let pki = TestPki::create();
    let server = TlsServer::start(&pki, Leaf::Good);
    let config_file = write_config(
        pki.dir(),
        &format!(
            "[profile tls]\nca_bundle = {}\n",
            pki.bundle_path().display()
        ),
    );
    let from_profile = [
        ("AWS_CONFIG_FILE", config_file.as_str()),
        ("AWS_PROFILE", "tls"),
    ];
    let config = Config::loader()
        .env(env(&server.url(), &from_profile))
        .load()
        .await
        .expect("load");
    assert_eq!(get_secret(&config).await.expect("trusted"), SECRET_VALUE);
    assert_one_good_connection(&server);

    // AWS_CA_BUNDLE comes first: naming a CA that did not sign the server's certificate, the
    // profile's bundle is not consulted and the server is refused.
    let other = pki.other_ca_path();
    let mut both = from_profile.to_vec();
    both.push(("AWS_CA_BUNDLE", other.to_str().unwrap()));
    let config = Config::loader()
        .env(env(&server.url(), &both))
        .load()
        .await
        .expect("load");
    let err = get_secret(&config).await.expect_err("refused");
    let SdkError::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}")
    };
    assert_eq!(d.tls_error_kind(), Some(TlsErrorKind::UnknownIssuer), "{d}");
}

#[tokio::test]
async fn unreadable_bundle_is_a_configuration_error_naming_its_source() {
    let e = Config::loader()
        .env(env(
            "https://127.0.0.1:9",
            &[("AWS_CA_BUNDLE", "/nonexistent/ca-bundle.pem")],
        ))
        .load()
        .await
        .expect_err("missing bundle");
    assert!(
        e.message()
            .starts_with("AWS_CA_BUNDLE: /nonexistent/ca-bundle.pem: cannot read"),
        "{e}"
    );
    let pki = TestPki::create();
    let not_pem = pki.dir().join("req.cnf");
    let e = Config::loader()
        .env(env(
            "https://127.0.0.1:9",
            &[("AWS_CA_BUNDLE", not_pem.to_str().unwrap())],
        ))
        .load()
        .await
        .expect_err("no certificate");
    assert!(e.message().ends_with("no certificate found"), "{e}");
}

/// Calls a server presenting `leaf` with the test CA trusted; checks the failure is a TLS
/// dispatch error, returned after one handshake with nothing else reaching the server.
async fn refused(leaf: Leaf) -> TlsErrorKind {
    let pki = TestPki::create();
    let server = TlsServer::start(&pki, leaf);
    let config = builder(&server.url())
        .ca_bundle(CaBundle::from_pem_file(pki.bundle_path()).expect("bundle"))
        .build();
    let started = std::time::Instant::now();
    let err = get_secret(&config).await.expect_err("must be refused");
    let elapsed = started.elapsed();
    let SdkError::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}")
    };
    assert_eq!(d.kind(), TransportErrorKind::Tls, "{d}");
    assert!(d.is_tls());
    assert!(!d.transport_error().is_retryable());
    assert!(err.to_string().contains("TLS handshake failed"), "{err}");
    // Let anything the client might still send arrive before counting.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let records = server.wait_for_records(1);
    assert_eq!(records.len(), 1, "exactly one connection: {records:?}");
    assert!(
        matches!(&records[0], ConnectionRecord::HandshakeFailed(_)),
        "one failed handshake, no request, no plain HTTP: {records:?}"
    );
    // At once: no backoff sleeps (a retry waits at least tens of milliseconds, usually more).
    assert!(elapsed < Duration::from_secs(5), "took {elapsed:?}");
    d.tls_error_kind().expect("a TLS error kind")
}

#[tokio::test]
async fn unknown_ca_is_refused_once() {
    assert_eq!(refused(Leaf::UnknownCa).await, TlsErrorKind::UnknownIssuer);
}

#[tokio::test]
async fn expired_certificate_is_refused_once() {
    assert_eq!(refused(Leaf::Expired).await, TlsErrorKind::Expired);
}

#[tokio::test]
async fn wrong_host_name_is_refused_once() {
    assert_eq!(refused(Leaf::WrongHost).await, TlsErrorKind::WrongHostName);
}

#[tokio::test]
async fn trusting_the_other_ca_accepts_its_certificate() {
    // The same server certificate that was refused as from an unknown CA is accepted once
    // its CA is in the bundle: the refusal above was about trust, not the certificate.
    let pki = TestPki::create();
    let server = TlsServer::start(&pki, Leaf::UnknownCa);
    let config = builder(&server.url())
        .ca_bundle(CaBundle::from_pem_file(pki.other_ca_path()).expect("bundle"))
        .build();
    assert_eq!(get_secret(&config).await.expect("trusted"), SECRET_VALUE);
}
