//! Proxies (issue 14, item 3) through a real proxy server: Debian's tinyproxy, started by
//! `integration_tests::tinyproxy` on 127.0.0.1 with its own config and log. The proof that a
//! request went through the proxy is the proxy's own log (`Request (file descriptor N): ...`);
//! the proof that it did not is a log without such a line.
//!
//! * `http` targets (moto, the project's stub server) are forwarded: the proxy logs
//!   `POST http://127.0.0.1:<port>/ HTTP/1.1` and the server sees tinyproxy's `Via` header.
//! * `https` targets (the local TLS server of `integration_tests::tls_server`) are tunnelled:
//!   the proxy logs `CONNECT 127.0.0.1:<port> HTTP/1.1`, and the TLS server itself completes a
//!   post-quantum handshake with the client and receives the request in origin form.
//! * `NO_PROXY` (an IP, a CIDR, `*`, a list) sends the same calls directly.
//! * Basic auth from the proxy URL (percent-decoded) and from code is accepted by a proxy that
//!   requires it; a missing or wrong password gives an error that never shows the password.
//!
//! Needs `tinyproxy` on PATH (`apt-get install -y tinyproxy`; `.ci/run` installs it): the tests
//! fail, never skip, without it. Run: `cargo test -p integration-tests --test proxy_tinyproxy`.

use std::time::Duration;

use awsrt::error::SdkError;
use awsrt::http::{CaBundle, ProxyConfig, TransportErrorKind};
use awsrt::profile::Env;
use integration_tests::moto::{
    unique_name, MotoServer, DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY,
};
use integration_tests::stub_server::{RecordedRequest, StubResponse, StubServer};
use integration_tests::tinyproxy::Tinyproxy;
use integration_tests::tls_server::{ConnectionRecord, Leaf, TestPki, TlsServer, SECRET_VALUE};
use secretsmanager::operation::get_secret_value::GetSecretValueError;
use secretsmanager::{Client, Config};

const WAIT: Duration = Duration::from_secs(60);
const SECRET_BODY: &str = r#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:plain-AbCdEf","Name":"plain","SecretString":"through-http","VersionId":"v1"}"#;

/// A program's environment: region, dummy credentials and `extra`.
fn env(extra: &[(&str, String)]) -> Env {
    let mut pairs = vec![
        ("AWS_REGION".to_string(), "us-east-1".to_string()),
        ("AWS_ACCESS_KEY_ID".into(), DUMMY_ACCESS_KEY_ID.into()),
        (
            "AWS_SECRET_ACCESS_KEY".into(),
            DUMMY_SECRET_ACCESS_KEY.into(),
        ),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
    Env::from_pairs(pairs)
}

async fn load(env: Env) -> Config {
    Config::loader().env(env).load().await.expect("load config")
}

fn builder(url: &str) -> secretsmanager::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, None)
        .endpoint_url(url)
}

async fn get_secret(config: &Config, id: &str) -> Result<String, SdkError<GetSecretValueError>> {
    let out = tokio::time::timeout(
        WAIT,
        Client::new(config).get_secret_value().secret_id(id).send(),
    )
    .await
    .expect("call hung")?;
    Ok(out
        .secret_string()
        .expect("secret string")
        .expose_secret()
        .to_owned())
}

/// A stub Secrets Manager that answers every GetSecretValue with "through-http".
async fn stub() -> StubServer {
    StubServer::start(|_: &RecordedRequest| StubResponse::json(200, SECRET_BODY))
        .await
        .expect("stub server")
}

fn assert_tunnelled(server: &TlsServer) {
    let records = server.wait_for_records(1);
    assert_eq!(
        records,
        [ConnectionRecord::Tls {
            version: "TLSv1_3".into(),
            group: "X25519MLKEM768".into(),
            requests: vec!["POST / HTTP/1.1".into()],
        }],
        "the TLS server itself shook hands with the client through the tunnel"
    );
}

#[tokio::test]
async fn http_is_forwarded_to_moto_through_http_proxy_from_the_environment() {
    let proxy = Tinyproxy::start(None);
    let moto = MotoServer::shared().unwrap_or_else(|e| panic!("moto is required: {e}"));
    let config = load(env(&[
        ("http_proxy", proxy.url()),
        ("AWS_ENDPOINT_URL", moto.endpoint_url()),
    ]))
    .await;
    let name = unique_name("proxy/http");
    Client::new(&config)
        .create_secret()
        .name(&name)
        .secret_string("forwarded")
        .send()
        .await
        .expect("CreateSecret through the proxy");
    assert_eq!(get_secret(&config, &name).await.unwrap(), "forwarded");

    let line = format!("POST {}/ HTTP/1.1", moto.endpoint_url());
    assert!(proxy.wait_for_log(&line), "log: {}", proxy.log());
    let forwarded = proxy.requests().iter().filter(|r| **r == line).count();
    assert!(
        forwarded >= 2,
        "two calls forwarded: {:?}",
        proxy.requests()
    );
    assert!(
        proxy
            .log()
            .contains(&format!("opening connection to 127.0.0.1:{}", moto.port())),
        "{}",
        proxy.log()
    );
}

#[tokio::test]
async fn http_proxy_in_code_forwards_in_absolute_form() {
    let proxy = Tinyproxy::start(None);
    let server = stub().await;
    let config = builder(&server.endpoint_url())
        .proxy(ProxyConfig::all(&proxy.url()).unwrap())
        .build();
    assert_eq!(get_secret(&config, "plain").await.unwrap(), "through-http");
    let line = format!("POST {}/ HTTP/1.1", server.endpoint_url());
    assert!(proxy.wait_for_log(&line), "log: {}", proxy.log());
    // What reached the server came from tinyproxy, which adds its Via header.
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert!(
        reqs[0]
            .header("via")
            .is_some_and(|v| v.contains("tinyproxy")),
        "{:?}",
        reqs[0].headers
    );
    assert_eq!(reqs[0].path, "/");
}

#[tokio::test]
async fn https_is_tunnelled_with_connect_and_tls_runs_end_to_end() {
    let proxy = Tinyproxy::start(None);
    let pki = TestPki::create();
    let server = TlsServer::start(&pki, Leaf::Good);
    let config = builder(&server.url())
        .proxy(ProxyConfig::all(&proxy.url()).unwrap())
        .ca_bundle(CaBundle::from_pem_file(pki.ca_path()).unwrap())
        .build();
    assert_eq!(get_secret(&config, "tls").await.unwrap(), SECRET_VALUE);
    let line = format!("CONNECT 127.0.0.1:{} HTTP/1.1", server.port());
    assert!(proxy.wait_for_log(&line), "log: {}", proxy.log());
    assert_eq!(proxy.requests(), [line]);
    assert_tunnelled(&server);
}

#[tokio::test]
async fn https_proxy_and_ca_bundle_from_the_environment() {
    let proxy = Tinyproxy::start(None);
    let pki = TestPki::create();
    let server = TlsServer::start(&pki, Leaf::Good);
    let config = load(env(&[
        ("HTTPS_PROXY", proxy.url()),
        ("AWS_CA_BUNDLE", pki.bundle_path().display().to_string()),
        ("AWS_ENDPOINT_URL", server.url()),
    ]))
    .await;
    assert_eq!(get_secret(&config, "tls").await.unwrap(), SECRET_VALUE);
    let line = format!("CONNECT 127.0.0.1:{} HTTP/1.1", server.port());
    assert!(proxy.wait_for_log(&line), "log: {}", proxy.log());
    assert_tunnelled(&server);
}

#[tokio::test]
async fn no_proxy_goes_direct() {
    let proxy = Tinyproxy::start(None);
    let pki = TestPki::create();
    let plain = stub().await;
    for no_proxy in [
        "127.0.0.1",
        "127.0.0.0/8",
        "*",
        "example.com, .internal,127.0.0.1",
    ] {
        for (name, spelling) in [("NO_PROXY", "upper"), ("no_proxy", "lower")] {
            let tls = TlsServer::start(&pki, Leaf::Good);
            let proxies = [
                ("HTTP_PROXY", proxy.url()),
                ("HTTPS_PROXY", proxy.url()),
                ("AWS_CA_BUNDLE", pki.ca_path().display().to_string()),
                (name, no_proxy.to_string()),
            ];
            let mut vars = proxies.to_vec();
            vars.push(("AWS_ENDPOINT_URL", plain.endpoint_url()));
            let config = load(env(&vars)).await;
            assert_eq!(get_secret(&config, "plain").await.unwrap(), "through-http");
            let mut vars = proxies.to_vec();
            vars.push(("AWS_ENDPOINT_URL", tls.url()));
            let config = load(env(&vars)).await;
            assert_eq!(
                get_secret(&config, "tls").await.unwrap(),
                SECRET_VALUE,
                "{spelling} case {no_proxy}"
            );
        }
    }
    // Direct: no Via header at the server, and nothing in the proxy's log.
    let reqs = plain.requests();
    assert_eq!(reqs.len(), 8);
    assert!(reqs.iter().all(|r| r.header("via").is_none()), "{reqs:?}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(proxy.requests(), Vec::<String>::new(), "{}", proxy.log());

    // Control: the same settings with a NO_PROXY that does not match go through the proxy.
    let config = load(env(&[
        ("HTTP_PROXY", proxy.url()),
        ("NO_PROXY", "localhost,10.0.0.0/8,.example.com".into()),
        ("AWS_ENDPOINT_URL", plain.endpoint_url()),
    ]))
    .await;
    assert_eq!(get_secret(&config, "plain").await.unwrap(), "through-http");
    assert!(proxy.wait_for_log(&format!("POST {}/ HTTP/1.1", plain.endpoint_url())));
}

const USER: &str = "alice";
const PASSWORD: &str = "s3cret-pw";

#[tokio::test]
async fn basic_auth_from_the_url_is_sent_percent_decoded() {
    let proxy = Tinyproxy::start(Some((USER, PASSWORD)));
    let pki = TestPki::create();
    let tls = TlsServer::start(&pki, Leaf::Good);
    let plain = stub().await;
    // `%65` is `e`, `%2D` is `-`: the client decodes them before encoding the credentials.
    let url = format!("http://{USER}:s3cr%65t%2Dpw@127.0.0.1:{}", proxy.port());
    let vars = [
        ("HTTPS_PROXY", url.clone()),
        ("HTTP_PROXY", url.clone()),
        ("AWS_CA_BUNDLE", pki.ca_path().display().to_string()),
    ];
    let mut with_tls = vars.to_vec();
    with_tls.push(("AWS_ENDPOINT_URL", tls.url()));
    let config = load(env(&with_tls)).await;
    assert!(!format!("{config:?}").contains("s3cr"), "{config:?}");
    assert_eq!(get_secret(&config, "tls").await.unwrap(), SECRET_VALUE);
    let mut with_plain = vars.to_vec();
    with_plain.push(("AWS_ENDPOINT_URL", plain.endpoint_url()));
    let config = load(env(&with_plain)).await;
    assert_eq!(get_secret(&config, "plain").await.unwrap(), "through-http");

    // tinyproxy connects onwards only after it accepted the credentials.
    for port in [tls.port(), plain.addr().port()] {
        let opened = format!("opening connection to 127.0.0.1:{port}");
        assert!(proxy.wait_for_log(&opened), "log: {}", proxy.log());
    }
    // The credentials went to the proxy, not to the server.
    assert!(plain.requests()[0].header("proxy-authorization").is_none());
}

#[tokio::test]
async fn basic_auth_in_code() {
    let proxy = Tinyproxy::start(Some((USER, PASSWORD)));
    let pki = TestPki::create();
    let tls = TlsServer::start(&pki, Leaf::Good);
    let config = builder(&tls.url())
        .proxy(
            ProxyConfig::all(&proxy.url())
                .unwrap()
                .basic_auth(USER, PASSWORD),
        )
        .ca_bundle(CaBundle::from_pem_file(pki.ca_path()).unwrap())
        .build();
    assert_eq!(get_secret(&config, "tls").await.unwrap(), SECRET_VALUE);
    let opened = format!("opening connection to 127.0.0.1:{}", tls.port());
    assert!(proxy.wait_for_log(&opened), "log: {}", proxy.log());
}

#[tokio::test]
async fn missing_or_wrong_credentials_fail_without_showing_them() {
    let proxy = Tinyproxy::start(Some((USER, PASSWORD)));
    let pki = TestPki::create();
    let tls = TlsServer::start(&pki, Leaf::Good);
    let ca = CaBundle::from_pem_file(pki.ca_path()).unwrap();

    // No credentials: the tunnel is refused with 407, once, and the call fails at once.
    let config = builder(&tls.url())
        .proxy(ProxyConfig::all(&proxy.url()).unwrap())
        .ca_bundle(ca.clone())
        .build();
    let err = get_secret(&config, "tls").await.expect_err("407");
    let SdkError::Dispatch(d) = &err else {
        panic!("expected a dispatch error, got {err:?}")
    };
    assert_eq!(d.kind(), TransportErrorKind::Other, "{d}");
    assert!(!d.transport_error().is_retryable());
    let text = err.to_string();
    assert!(text.contains("proxy requires credentials"), "{text}");
    assert!(text.contains("HTTP 407"), "{text}");

    // A forwarded http request without credentials fails and never reaches the server
    // (tinyproxy answers 407 without reading the request body, then resets the connection,
    // so the client sees the 407 or the reset, whichever comes first).
    let plain = stub().await;
    let config = builder(&plain.endpoint_url())
        .proxy(ProxyConfig::all(&proxy.url()).unwrap())
        .build();
    let err = get_secret(&config, "plain").await.expect_err("407");
    assert!(
        err.status() == Some(407) || matches!(err, SdkError::Dispatch(_)),
        "{err}"
    );
    assert!(plain.requests().is_empty());

    // A wrong password: refused; neither it nor its base64 form appears anywhere.
    let wrong = "hunter2-wrong";
    let url = format!("http://{USER}:{wrong}@127.0.0.1:{}", proxy.port());
    let config = load(env(&[
        ("HTTPS_PROXY", url),
        ("AWS_CA_BUNDLE", pki.ca_path().display().to_string()),
        ("AWS_ENDPOINT_URL", tls.url()),
    ]))
    .await;
    let err = get_secret(&config, "tls").await.expect_err("407");
    let encoded = awsrt::types::base64_encode(format!("{USER}:{wrong}").as_bytes());
    for shown in [
        err.to_string(),
        format!("{err:?}"),
        format!("{config:?}"),
        format!("{:?}", config.transport()),
    ] {
        assert!(
            !shown.contains(wrong) && !shown.contains(&encoded),
            "credentials shown: {shown}"
        );
    }
    assert!(
        err.to_string().contains("proxy rejected the credentials"),
        "{err}"
    );
    tokio::time::sleep(Duration::from_millis(200)).await;
    // Two refused CONNECTs (one per call, no retries), and the TLS server never reached.
    let line = format!("CONNECT 127.0.0.1:{} HTTP/1.1", tls.port());
    assert_eq!(
        proxy.requests().iter().filter(|r| **r == line).count(),
        2,
        "{}",
        proxy.log()
    );
    assert_eq!(tls.records(), []);
}

#[tokio::test]
async fn unusable_proxy_variable_is_a_configuration_error() {
    let e = Config::loader()
        .env(env(&[(
            "ALL_PROXY",
            "socks5://bob:topsecret@127.0.0.1:1080".into(),
        )]))
        .load()
        .await
        .expect_err("socks is not supported");
    let text = e.to_string();
    assert!(text.contains("ALL_PROXY: "), "{text}");
    assert!(!text.contains("topsecret"), "{text}");
}
