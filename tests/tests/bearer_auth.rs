//! Bearer-token auth (`smithy.api#httpBearerAuth`) end to end, with the generated CodeCatalyst
//! client against the project's stub server standing in for CodeCatalyst and SSO-OIDC.
//!
//! The stub accepts a CodeCatalyst call only with `Authorization: Bearer <token>` and without any
//! SigV4 header; the tests then check which token each request carried. Covered: the token set
//! in code, `AWS_BEARER_TOKEN_CODECATALYST`, a custom [`ProvideToken`] whose token nears its
//! expiry (refreshed through the configuration's cache), a provider error (a construction error
//! saying the token could not be loaded, nothing sent), the token of the profile's
//! `sso_session` that `awsconfig` installs (read from the SSO cache, refreshed through a stub
//! SSO-OIDC CreateToken and written back), the precedence code > environment > profile, the
//! identity-resolution metric, and that no token reaches `Debug` output or the logs.
//!
//! An operation with `@auth([])` in a bearer service sends no `Authorization`: CodeCatalyst has
//! none, so its model with `@auth([])` added to `VerifySession` is generated into a scratch
//! workspace (`target/bearer-auth/`, built in `target/protocol-tests/target` like
//! `plain_service.rs`) and a probe program is run against the stub.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use awsrt::credentials::{BoxFuture, ProvideToken, Token, TokenError};
use awsrt::error::BuildErrorKind;
use awsrt::observability::testing::RecordingMeterProvider;
use awsrt::profile::Env;
use awsrt::types::{DateTime, Document, TimestampFormat};
use codecatalyst::error::SdkError;
use codecatalyst::{Client, Config};
use integration_tests::fault_server::capture::Capture;
use integration_tests::moto::unique_name;
use integration_tests::scratch::{key_values, ScratchWorkspace};
use integration_tests::stub_server::{RecordedRequest, StubResponse, StubServer};

/// Headers a SigV4-signed request carries; a bearer request carries none of them.
const SIGV4_HEADERS: &[&str] = &["x-amz-date", "x-amz-security-token", "x-amz-content-sha256"];

fn rest_json(status: u16, body: &str) -> StubResponse {
    StubResponse::new(status, body).with_header("content-type", "application/json")
}

fn rest_error(status: u16, code: &str, message: &str) -> StubResponse {
    rest_json(status, &format!(r#"{{"message":"{message}"}}"#))
        .with_header("x-amzn-errortype", code)
}

/// Why a CodeCatalyst request is not a well-formed bearer request, if it is not.
fn bearer_problem(req: &RecordedRequest) -> Option<String> {
    for h in SIGV4_HEADERS {
        if req.header(h).is_some() {
            return Some(format!("a SigV4 header was sent: {h}"));
        }
    }
    match req.header("authorization") {
        None => Some("no Authorization header".into()),
        Some(v) if v.starts_with("AWS4-") => Some("a SigV4 Authorization header".into()),
        Some(v) => match v.strip_prefix("Bearer ") {
            Some(t) if !t.is_empty() && !t.contains(' ') => None,
            _ => Some("Authorization is not `Bearer <token>`".into()),
        },
    }
}

/// CodeCatalyst `VerifySession` and `GetUserDetails` (bearer requests only), and SSO-OIDC
/// `CreateToken` (unsigned, refresh-token grant of the cached client registration).
fn stub(req: &RecordedRequest) -> StubResponse {
    let path = req.path.split('?').next().unwrap_or("");
    match (req.method.as_str(), path) {
        ("GET", "/session") | ("GET", "/userDetails") => {
            if let Some(problem) = bearer_problem(req) {
                return rest_error(401, "AccessDeniedException", &problem);
            }
            if path == "/session" {
                rest_json(200, r#"{"identity":"user-1"}"#)
            } else {
                rest_json(200, r#"{"userId":"u-1","userName":"dev"}"#)
            }
        }
        ("POST", "/token") => create_token(req),
        _ => rest_error(
            404,
            "ResourceNotFoundException",
            &format!("no route for {} {}", req.method, req.path),
        ),
    }
}

fn create_token(req: &RecordedRequest) -> StubResponse {
    let Ok(doc) = Document::parse(&req.body) else {
        return rest_error(400, "InvalidRequestException", "not JSON");
    };
    let field = |k: &str| {
        doc.get(k)
            .and_then(Document::as_str)
            .unwrap_or("")
            .to_owned()
    };
    if req.header("authorization").is_some() || req.header("x-amz-date").is_some() {
        return rest_error(
            400,
            "InvalidRequestException",
            "CreateToken must be unsigned",
        );
    }
    if field("grantType") != "refresh_token"
        || field("clientId") != "client-1"
        || field("clientSecret") != "client-secret-1"
    {
        return rest_error(400, "InvalidRequestException", "unexpected CreateToken");
    }
    if field("refreshToken") != "refresh-1" {
        return rest_error(400, "InvalidGrantException", "refresh token revoked");
    }
    rest_json(
        200,
        r#"{"accessToken":"refreshed-sso-token","expiresIn":3600,"refreshToken":"refresh-2","tokenType":"Bearer"}"#,
    )
}

/// The bearer token of a recorded request.
fn bearer(req: &RecordedRequest) -> Option<&str> {
    req.header("authorization")?.strip_prefix("Bearer ")
}

/// The tokens the CodeCatalyst requests carried, in order (every one checked well-formed).
fn sent_tokens(server: &StubServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| !r.path.starts_with("/token"))
        .map(|r| {
            assert_eq!(bearer_problem(r), None, "{r:#?}");
            bearer(r).unwrap_or_default().to_owned()
        })
        .collect()
}

fn client(config: &Config) -> Client {
    Client::new(config)
}

/// A configuration in code pointing at `server`, with credentials too: a bearer operation must
/// not sign with them.
fn builder(server: &StubServer) -> codecatalyst::ConfigBuilder {
    Config::builder()
        .endpoint_url(server.endpoint_url())
        .credentials("AKIDEXAMPLE", "SIGV4-SECRET-NOT-SENT", None)
}

#[tokio::test]
async fn a_static_token_from_config_is_sent_as_bearer_and_nothing_is_signed() {
    let server = StubServer::start(stub).await.unwrap();
    let client = client(&builder(&server).bearer_token("static-token-1").build());
    let out = client.verify_session().send().await.expect("VerifySession");
    assert_eq!(out.identity(), Some("user-1"));
    let out = client
        .get_user_details()
        .id("u-1")
        .send()
        .await
        .expect("GetUserDetails");
    assert_eq!(out.user_id(), Some("u-1"));
    assert_eq!(sent_tokens(&server), ["static-token-1", "static-token-1"]);
    for r in server.requests() {
        assert!(
            !r.headers.iter().any(|(_, v)| v.contains("AKIDEXAMPLE")),
            "the access key must not be sent: {r:#?}"
        );
    }
}

#[tokio::test]
async fn the_env_variable_gives_the_token_and_code_wins_over_it() {
    let server = StubServer::start(stub).await.unwrap();
    let env = Env::from_pairs([("AWS_BEARER_TOKEN_CODECATALYST", "env-token-1")]);
    let from_env = builder(&server).env(env.clone()).build();
    client(&from_env).verify_session().send().await.unwrap();
    let from_code = builder(&server)
        .env(env)
        .bearer_token("code-token-1")
        .build();
    client(&from_code).verify_session().send().await.unwrap();
    assert_eq!(sent_tokens(&server), ["env-token-1", "code-token-1"]);
}

#[tokio::test]
async fn without_a_token_the_call_fails_before_sending_and_says_how_to_set_one() {
    let server = StubServer::start(stub).await.unwrap();
    // The variable of another service does not count.
    let env = Env::from_pairs([("AWS_BEARER_TOKEN_BEDROCK", "other-service-token")]);
    let err = client(&builder(&server).env(env).build())
        .verify_session()
        .send()
        .await
        .expect_err("no token");
    let SdkError::Construction(e) = &err else {
        panic!("a construction error: {err:?}");
    };
    assert_eq!(e.kind(), BuildErrorKind::Credentials);
    assert_eq!(
        err.to_string(),
        "failed to construct request: failed to load credentials: service \"CodeCatalyst\" \
         authenticates with a bearer token; set one with ConfigBuilder::bearer_token or \
         AWS_BEARER_TOKEN_CODECATALYST"
    );
    assert!(server.requests().is_empty());
}

/// Hands out `t1`, `t2`, ...: the first expires in ten seconds (inside the five-minute refresh
/// window), the others in an hour. Each call takes `delay`.
#[derive(Debug, Default)]
struct Rotating {
    calls: AtomicU32,
    delay: Duration,
}

impl ProvideToken for Rotating {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        let lifetime = if n == 1 { 10 } else { 3600 };
        let expiry = SystemTime::now() + Duration::from_secs(lifetime);
        let delay = self.delay;
        Box::pin(async move {
            tokio::time::sleep(delay).await;
            Ok(Token::new(format!("rotating-token-{n}"), Some(expiry)))
        })
    }
}

#[tokio::test]
async fn a_custom_provider_is_cached_and_refreshed_near_expiry() {
    let server = StubServer::start(stub).await.unwrap();
    let provider = Arc::new(Rotating::default());
    let client = client(&builder(&server).token_provider(provider.clone()).build());
    for _ in 0..4 {
        client.verify_session().send().await.unwrap();
    }
    // The first token is already within five minutes of its expiry: the second call refreshes
    // it; the second token is reused.
    assert_eq!(
        sent_tokens(&server),
        [
            "rotating-token-1",
            "rotating-token-2",
            "rotating-token-2",
            "rotating-token-2"
        ]
    );
    assert_eq!(provider.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn resolving_the_token_is_timed_as_the_bearer_scheme() {
    let server = StubServer::start(stub).await.unwrap();
    let meters = RecordingMeterProvider::new();
    let provider = Rotating {
        delay: Duration::from_millis(60),
        ..Rotating::default()
    };
    let config = builder(&server)
        .token_provider(provider)
        .meter_provider(Arc::new(meters.clone()))
        .build();
    client(&config).verify_session().send().await.unwrap();
    let m = meters.measurements("smithy.client.call.auth.resolve_identity_duration");
    assert_eq!(m.len(), 1, "{m:#?}");
    assert_eq!(
        m[0].attribute("auth.scheme_id"),
        Some("smithy.api#httpBearerAuth")
    );
    assert_eq!(m[0].attribute("rpc.method"), Some("VerifySession"));
    assert!(
        m[0].value >= 0.05,
        "the provider's 60 ms are in the measurement: {}",
        m[0].value
    );
    assert!(meters
        .measurements("smithy.client.call.auth.signing_duration")
        .is_empty());
}

#[derive(Debug)]
struct Sealed;

impl ProvideToken for Sealed {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        Box::pin(async { Err(TokenError::provider_failed("vault", "the vault is sealed")) })
    }
}

#[tokio::test]
async fn a_provider_error_is_a_construction_error_saying_the_token_could_not_be_loaded() {
    let server = StubServer::start(stub).await.unwrap();
    let err = client(&builder(&server).token_provider(Sealed).build())
        .verify_session()
        .send()
        .await
        .expect_err("the provider fails");
    let SdkError::Construction(e) = &err else {
        panic!("a construction error: {err:?}");
    };
    assert_eq!(e.kind(), BuildErrorKind::Credentials);
    assert_eq!(
        err.to_string(),
        "failed to construct request: failed to load credentials: could not load the bearer \
         token for service \"CodeCatalyst\": vault token failed: the vault is sealed"
    );
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn a_token_headers_cannot_carry_is_refused_without_showing_it() {
    let server = StubServer::start(stub).await.unwrap();
    let err = client(
        &builder(&server)
            .bearer_token("bad\ntoken-TOPSECRET")
            .build(),
    )
    .verify_session()
    .send()
    .await
    .expect_err("not a header value");
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(text.contains("HTTP headers cannot carry"), "{text}");
        assert!(!text.contains("TOPSECRET"), "{text}");
    }
    assert!(server.requests().is_empty());
}

const SSO_CONFIG: &str = "[profile dev]\nsso_session = corp\nregion = eu-west-1\n\
[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
sso_registration_scopes = codecatalyst:read_write\n\
[profile plain]\nregion = eu-west-1\n\
[profile broken]\nsso_session = nope\n";

/// A home directory with `~/.aws/config` and an SSO token cache, removed when dropped.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = std::env::temp_dir().join(unique_name("bearer-auth").replace('/', "_"));
        std::fs::create_dir_all(dir.join(".aws/sso/cache")).unwrap();
        std::fs::write(dir.join(".aws/config"), SSO_CONFIG).unwrap();
        Home { dir }
    }

    /// The cache file of session `corp`: `~/.aws/sso/cache/<sha1("corp")>.json`, the SHA-1
    /// computed by the system's `sha1sum`, not by the code under test.
    fn corp_cache(&self) -> PathBuf {
        use std::io::Write;
        let mut child = std::process::Command::new("sha1sum")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("sha1sum (coreutils) is needed by this test");
        child.stdin.take().unwrap().write_all(b"corp").unwrap();
        let out = child.wait_with_output().unwrap();
        let hex = &String::from_utf8(out.stdout).unwrap()[..40];
        self.dir.join(".aws/sso/cache").join(format!("{hex}.json"))
    }

    /// Writes the `corp` token cache: `token`, expiring `expires_in` seconds from now.
    fn cache(&self, token: &str, expires_in: i64, refresh_token: &str) -> PathBuf {
        let at = |secs: i64| {
            let now = SystemTime::now();
            let t = if secs >= 0 {
                now + Duration::from_secs(secs as u64)
            } else {
                now - Duration::from_secs(secs.unsigned_abs())
            };
            DateTime::from(t).fmt(TimestampFormat::DateTime)
        };
        let body = format!(
            r#"{{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"{token}","expiresAt":"{}","clientId":"client-1","clientSecret":"client-secret-1","registrationExpiresAt":"{}","refreshToken":"{refresh_token}"}}"#,
            at(expires_in),
            at(30 * 86400)
        );
        let path = self.corp_cache();
        std::fs::write(&path, body).unwrap();
        path
    }

    fn env(&self, server: &StubServer, profile: &str, extra: &[(&str, &str)]) -> Env {
        let mut pairs = vec![
            ("HOME".to_owned(), self.dir.display().to_string()),
            ("AWS_PROFILE".to_owned(), profile.to_owned()),
            (
                "AWS_ENDPOINT_URL_CODECATALYST".to_owned(),
                server.endpoint_url(),
            ),
            (
                "AWS_ENDPOINT_URL_SSO_OIDC".to_owned(),
                server.endpoint_url(),
            ),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ];
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_pairs(pairs)
    }

    async fn config(&self, server: &StubServer, profile: &str, extra: &[(&str, &str)]) -> Config {
        awsconfig::from_env()
            .env(self.env(server, profile, extra))
            .load()
            .await
            .expect("the configuration loads")
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[tokio::test]
async fn the_sso_session_token_of_the_profile_is_sent() {
    let server = StubServer::start(stub).await.unwrap();
    let home = Home::new();
    home.cache("sso-access-token", 3600, "refresh-1");
    let config = home.config(&server, "dev", &[]).await;
    assert!(config.fallback_token_provider().is_some());
    let client = client(&config);
    client.verify_session().send().await.unwrap();
    client.verify_session().send().await.unwrap();
    assert_eq!(
        sent_tokens(&server),
        ["sso-access-token", "sso-access-token"]
    );
    assert!(
        !server
            .requests()
            .iter()
            .any(|r| r.path.starts_with("/token")),
        "a fresh token is not refreshed"
    );

    // The public provider reads the same file.
    let provider = awsconfig::SsoTokenProvider::from_profile(&config).expect("profile dev");
    assert_eq!(provider.session_name(), "corp");
    assert_eq!(provider.cache_file().unwrap(), home.corp_cache());
    let token = provider.provide_token().await.unwrap();
    assert_eq!(token.token(), "sso-access-token");
    assert!(token
        .expiry()
        .is_some_and(|t| t > SystemTime::now() + Duration::from_secs(3500)));

    // A profile without sso_session gets no token provider from awsconfig.
    let plain = home.config(&server, "plain", &[]).await;
    assert!(plain.fallback_token_provider().is_none());
    assert!(awsconfig::SsoTokenProvider::from_profile(&plain).is_none());
}

#[tokio::test]
async fn an_sso_token_near_expiry_is_refreshed_through_sso_oidc_and_written_back() {
    let server = StubServer::start(stub).await.unwrap();
    let home = Home::new();
    let path = home.cache("sso-access-token", 60, "refresh-1");
    let client = client(&home.config(&server, "dev", &[]).await);
    client.verify_session().send().await.unwrap();
    client.verify_session().send().await.unwrap();
    assert_eq!(
        sent_tokens(&server),
        ["refreshed-sso-token", "refreshed-sso-token"]
    );
    let refreshes: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/token"))
        .collect();
    assert_eq!(refreshes.len(), 1, "one CreateToken, then the cached token");

    // The cache file now holds the new token, its expiry and the rotated refresh token; the
    // client registration is kept.
    let doc = Document::parse(&std::fs::read(&path).unwrap()).unwrap();
    let field = |k: &str| doc.get(k).and_then(Document::as_str).map(str::to_owned);
    assert_eq!(field("accessToken").as_deref(), Some("refreshed-sso-token"));
    assert_eq!(field("refreshToken").as_deref(), Some("refresh-2"));
    assert_eq!(field("clientId").as_deref(), Some("client-1"));
    let expires = DateTime::parse(&field("expiresAt").unwrap(), TimestampFormat::DateTime).unwrap();
    let expires = SystemTime::try_from(expires).unwrap();
    assert!(expires > SystemTime::now() + Duration::from_secs(3000));
}

#[tokio::test]
async fn code_and_the_env_variable_win_over_the_profile_token() {
    let server = StubServer::start(stub).await.unwrap();
    let home = Home::new();
    home.cache("sso-access-token", 3600, "refresh-1");
    let env_config = home
        .config(
            &server,
            "dev",
            &[("AWS_BEARER_TOKEN_CODECATALYST", "env-token-2")],
        )
        .await;
    client(&env_config).verify_session().send().await.unwrap();
    let code_config = awsconfig::from_env()
        .env(home.env(
            &server,
            "dev",
            &[("AWS_BEARER_TOKEN_CODECATALYST", "env-token-2")],
        ))
        .configure(|b| b.bearer_token("code-token-2"))
        .load()
        .await
        .unwrap();
    assert!(
        code_config.fallback_token_provider().is_none(),
        "no SSO token provider next to a token set in code"
    );
    client(&code_config).verify_session().send().await.unwrap();
    let provider_config = awsconfig::from_env()
        .env(home.env(&server, "dev", &[]))
        .token_provider(Rotating::default())
        .load()
        .await
        .unwrap();
    assert!(provider_config.fallback_token_provider().is_none());
    client(&provider_config)
        .verify_session()
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent_tokens(&server),
        ["env-token-2", "code-token-2", "rotating-token-1"]
    );
}

#[tokio::test]
async fn an_expired_sso_session_or_a_missing_section_is_a_clear_error() {
    let server = StubServer::start(stub).await.unwrap();
    let home = Home::new();
    // Expired a minute ago, and SSO-OIDC refuses the refresh token.
    home.cache("sso-access-token", -60, "revoked-refresh");
    let err = client(&home.config(&server, "dev", &[]).await)
        .verify_session()
        .send()
        .await
        .expect_err("expired");
    assert!(
        matches!(err, SdkError::Construction(ref e) if e.kind() == BuildErrorKind::Credentials)
    );
    let text = err.to_string();
    for part in [
        "could not load the bearer token for service \"CodeCatalyst\"",
        "the SSO session of profile `dev` has expired and could not be refreshed",
        "InvalidGrantException",
        "run `aws sso login --sso-session corp`",
    ] {
        assert!(text.contains(part), "{part:?} in {text}");
    }
    // The profile names a session without a section.
    let err = client(&home.config(&server, "broken", &[]).await)
        .verify_session()
        .send()
        .await
        .expect_err("no section");
    let text = err.to_string();
    assert!(
        text.contains(
            "profile `broken` names sso_session `nope`, which has no [sso-session nope] section"
        ),
        "{text}"
    );
    // No CodeCatalyst request went out; only the refused CreateToken.
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/token"]);
}

/// Every token, refresh token and client secret the tests below hand out.
const SECRETS: &[&str] = &[
    "hygiene-static-TOKEN",
    "rotating-token-",
    "sso-access-token",
    "refreshed-sso-token",
    "refresh-1",
    "refresh-2",
    "client-secret-1",
];

fn assert_clean(what: &str, text: &str) {
    for s in SECRETS {
        assert!(!text.contains(s), "{what} shows {s:?}: {text}");
    }
}

#[tokio::test]
async fn tokens_never_appear_in_debug_output_errors_or_logs() {
    let capture = Capture::new();
    let _guard = capture.set_default();
    tracing::trace!(probe = "capture-is-live", "bearer hygiene start");
    let server = StubServer::start(stub).await.unwrap();

    // A static token.
    let config = builder(&server)
        .bearer_token("hygiene-static-TOKEN")
        .build();
    let static_client = client(&config);
    static_client.verify_session().send().await.unwrap();
    assert_clean("Config", &format!("{config:?}"));
    assert_clean("Client", &format!("{static_client:?}"));
    let fluent = static_client.verify_session();
    assert_clean("fluent builder", &format!("{fluent:?}"));
    for p in [config.token_provider().unwrap()] {
        assert_clean("static provider", &format!("{p:?}"));
        assert_clean(
            "static token",
            &format!("{:?}", p.provide_token().await.unwrap()),
        );
    }

    // A custom provider, through the cache (a refresh included).
    let config = builder(&server).token_provider(Rotating::default()).build();
    let rotating = client(&config);
    rotating.verify_session().send().await.unwrap();
    rotating.verify_session().send().await.unwrap();
    assert_clean("Config", &format!("{config:?}"));
    assert_clean(
        "caching provider",
        &format!("{:?}", config.token_provider().unwrap()),
    );

    // The SSO session token, refreshed through SSO-OIDC and written back.
    let home = Home::new();
    home.cache("sso-access-token", 60, "refresh-1");
    let config = home.config(&server, "dev", &[]).await;
    let sso = client(&config);
    let out = sso.verify_session().send().await.unwrap();
    assert_clean("output", &format!("{out:?}"));
    assert_clean("Config", &format!("{config:?}"));
    assert_clean("Client", &format!("{sso:?}"));
    let provider = config.fallback_token_provider().unwrap();
    assert_clean("SSO provider", &format!("{provider:?}"));
    let direct = awsconfig::SsoTokenProvider::from_profile(&config).unwrap();
    assert_clean("SsoTokenProvider", &format!("{direct:?}"));

    // Errors: an expired session whose refresh is refused, and a provider error.
    home.cache("sso-access-token", -60, "revoked-refresh");
    let expired = client(&home.config(&server, "dev", &[]).await)
        .verify_session()
        .send()
        .await
        .unwrap_err();
    assert_clean("error", &expired.to_string());
    assert_clean("error Debug", &format!("{expired:?}"));
    let sealed = client(&builder(&server).token_provider(Sealed).build())
        .verify_session()
        .send()
        .await
        .unwrap_err();
    assert_clean("error Debug", &format!("{sealed:?}"));

    let lines = capture.lines();
    assert!(
        lines.iter().any(|l| l.contains("capture-is-live")),
        "the capture is live"
    );
    assert!(
        lines.iter().any(|l| l.contains("VerifySession")),
        "the client's spans are captured: {lines:#?}"
    );
    for line in &lines {
        assert_clean("captured log line", line);
    }
    // The requests really carried the tokens the logs must not show.
    let tokens = sent_tokens(&server);
    assert!(
        tokens.contains(&"hygiene-static-TOKEN".to_owned()),
        "{tokens:?}"
    );
    assert!(
        tokens.contains(&"refreshed-sso-token".to_owned()),
        "{tokens:?}"
    );
}

/// The probe run against the stub with the scratch crate: CodeCatalyst with `@auth([])` on
/// `VerifySession`. Prints `key=value` lines.
const PROBE: &str = r#"
use codecatalyst::{Client, Config};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::var("BEARER_ENDPOINT").expect("BEARER_ENDPOINT is set");

    // No token anywhere: the @auth([]) operation goes out; the bearer one fails unsent.
    let bare = Client::new(&Config::builder().endpoint_url(&url).build());
    match bare.verify_session().send().await {
        Ok(out) => println!("bare_verify_session={}", out.identity().unwrap_or_default()),
        Err(e) => println!("bare_verify_session=error {e}"),
    }
    match bare.get_user_details().id("u-1").send().await {
        Ok(_) => println!("bare_get_user_details=sent"),
        Err(e) => println!("bare_get_user_details=error {e}"),
    }

    // A token (and credentials): still nothing on the @auth([]) operation, Bearer on the other.
    let config = Config::builder()
        .endpoint_url(&url)
        .bearer_token("probe-token")
        .credentials("AKIDPROBE", "probe-secret", None)
        .build();
    let client = Client::new(&config);
    match client.verify_session().send().await {
        Ok(out) => println!("token_verify_session={}", out.identity().unwrap_or_default()),
        Err(e) => println!("token_verify_session=error {e}"),
    }
    match client.get_user_details().id("u-1").send().await {
        Ok(out) => println!("token_get_user_details={}", out.user_id().unwrap_or_default()),
        Err(e) => println!("token_get_user_details=error {e}"),
    }
    println!("done=true");
}
"#;

/// The no-auth `VerifySession` of the scratch crate: answered only without `Authorization`.
fn no_auth_stub(req: &RecordedRequest) -> StubResponse {
    if req.path == "/session" {
        if req.header("authorization").is_some()
            || SIGV4_HEADERS.iter().any(|h| req.header(h).is_some())
        {
            return rest_error(
                400,
                "ValidationException",
                "an @auth([]) operation must be unsigned",
            );
        }
        return rest_json(200, r#"{"identity":"anonymous"}"#);
    }
    stub(req)
}

/// CodeCatalyst's model with `@auth([])` on `VerifySession`, generated into a scratch
/// workspace beside the probe. Returns the workspace and the generated `verify_session.rs`.
fn scratch_workspace() -> (ScratchWorkspace, String) {
    let models = integration_tests::data_dir("SMITHY_MODELS_DIR", "models");
    let file = models.join("aws-rest-json/codecatalyst-2022-09-28.json");
    let text = std::fs::read_to_string(&file)
        .unwrap_or_else(|e| panic!("the CodeCatalyst model is needed: {}: {e}", file.display()));
    let mut doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let traits = doc
        .pointer_mut("/shapes/com.amazonaws.codecatalyst#VerifySession/traits")
        .and_then(serde_json::Value::as_object_mut)
        .expect("VerifySession has traits");
    assert!(
        !traits.contains_key("smithy.api#auth"),
        "the model already has @auth"
    );
    traits.insert("smithy.api#auth".into(), serde_json::json!([]));
    let json = serde_json::to_string(&doc).unwrap();
    let mut ws = ScratchWorkspace::new("bearer-auth");
    let files = ws.generate(&json, "codecatalyst-noauth.json", "codecatalyst");
    ws.write_probe(
        "bearer_auth_probe",
        &[("codecatalyst", &[])],
        "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"time\", \"io-util\"] }\n",
        PROBE,
    );
    let verify_session = files["src/operation/verify_session.rs"].clone();
    (ws, verify_session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_operation_with_empty_auth_sends_no_authorization() {
    let (ws, verify_session) = scratch_workspace();
    assert!(
        !verify_session.contains("AuthScheme::Bearer"),
        "the @auth([]) operation is not a bearer operation"
    );

    let server = StubServer::start(no_auth_stub).await.unwrap();
    ws.build_probe();
    let out = ws
        .run_probe(
            &[("BEARER_ENDPOINT", server.endpoint_url())],
            Duration::from_secs(120),
        )
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the probe failed (exit {:?}) in {}:\n{stdout}\n{stderr}",
        out.status.code(),
        ws.root().display()
    );
    let v = key_values(&stdout);
    let get = |k: &str| {
        v.get(k)
            .copied()
            .unwrap_or_else(|| panic!("{k} in:\n{stdout}"))
    };
    assert_eq!(get("bare_verify_session"), "anonymous");
    assert!(
        get("bare_get_user_details").contains("AWS_BEARER_TOKEN_CODECATALYST"),
        "{stdout}"
    );
    assert_eq!(get("token_verify_session"), "anonymous");
    assert_eq!(get("token_get_user_details"), "u-1");
    assert_eq!(get("done"), "true");

    // Sent: the two VerifySession calls without Authorization, then GetUserDetails with the
    // token.
    let reqs = server.requests();
    let seen: Vec<(&str, Option<&str>)> = reqs
        .iter()
        .map(|r| {
            (
                r.path.split('?').next().unwrap_or(""),
                r.header("authorization"),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            ("/session", None),
            ("/session", None),
            ("/userDetails", Some("Bearer probe-token")),
        ],
        "{reqs:#?}"
    );
}
