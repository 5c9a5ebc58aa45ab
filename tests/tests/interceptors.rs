//! Interceptors, per-call overrides (`customize()`), the server-directed retry delay
//! (`x-amz-retry-after`) and the retry with fresh credentials after an expired-credentials error
//! (issue 14, items 5, 6 and 2), end to end through generated clients against the fault server.
//!
//! Timing is asserted loosely: a delay the server asked for is checked as a lower bound on the
//! gap between attempts (taken from the interceptor's timestamps) and as the exact delay the
//! pipeline reports it will wait; no test depends on an upper bound tighter than seconds.
//!
//! Run: `cargo test -p integration-tests --test interceptors`.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsrt::credentials::{
    BoxFuture, CachingProvider, Credentials, CredentialsError, ProvideCredentials,
};
use awsrt::error::TimeoutKind;
use integration_tests::fault_server::{Fault, FaultServer};
use secretsmanager::config::interceptor::{
    AttemptContext, BoxError, CallContext, Interceptor, RequestContext,
};
use secretsmanager::config::{RetryConfig, TimeoutConfig};
use secretsmanager::error::SdkError;
use secretsmanager::{Client, Config};

/// Safety net around every test body.
const TEST_LIMIT: Duration = Duration::from_secs(90);

async fn guarded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(TEST_LIMIT, body)
        .await
        .expect("test hung: did not finish within the safety timeout");
}

fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(10))
        .with_max_backoff(Duration::from_millis(40))
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::default()
        .with_connect(Duration::from_secs(2))
        .with_read(Duration::from_secs(10))
}

fn builder(server: &FaultServer, retry: RetryConfig) -> secretsmanager::ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials("AKIDINTERCEPT", "intercept-test-secret-key", None)
        .endpoint_url(server.url())
        .retry_config(retry)
        .timeout_config(timeouts())
}

/// Adds `name: value` to every request before signing and counts its calls.
#[derive(Debug)]
struct AddHeader {
    name: &'static str,
    value: &'static str,
    calls: AtomicUsize,
}

impl AddHeader {
    fn new(name: &'static str, value: &'static str) -> Arc<AddHeader> {
        Arc::new(AddHeader {
            name,
            value,
            calls: AtomicUsize::new(0),
        })
    }
}

impl Interceptor for AddHeader {
    fn modify_before_signing(&self, request: &mut RequestContext<'_>) -> Result<(), BoxError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        request.set_header(self.name, self.value)
    }
}

/// What one attempt looked like to `read_after_attempt`.
#[derive(Clone, Debug)]
struct SeenAttempt {
    attempt: u32,
    started: Instant,
    finished: Instant,
    status: Option<u16>,
    request_id: Option<String>,
    code: Option<String>,
    failed: bool,
    retry_delay: Option<Duration>,
}

/// What the call looked like to `read_after_execution`.
#[derive(Clone, Debug)]
struct SeenCall {
    operation: String,
    attempts: u32,
    status: Option<u16>,
    request_id: Option<String>,
    code: Option<String>,
    failure: Option<String>,
    success: bool,
    duration: Duration,
}

/// Records every hook: what it saw and the `Debug` text of every context it was handed.
#[derive(Debug, Default)]
struct Recorder {
    attempts: Mutex<Vec<SeenAttempt>>,
    calls: Mutex<Vec<SeenCall>>,
    debug_text: Mutex<Vec<String>>,
    /// `authorization` as read explicitly, and whether `Debug` of the headers showed it.
    authorization: Mutex<Vec<(String, bool)>>,
}

impl Recorder {
    fn attempts(&self) -> Vec<SeenAttempt> {
        self.attempts.lock().unwrap().clone()
    }

    fn calls(&self) -> Vec<SeenCall> {
        self.calls.lock().unwrap().clone()
    }

    fn clear(&self) {
        self.attempts.lock().unwrap().clear();
        self.calls.lock().unwrap().clear();
    }
}

impl Interceptor for Recorder {
    fn modify_before_signing(&self, request: &mut RequestContext<'_>) -> Result<(), BoxError> {
        self.debug_text.lock().unwrap().push(format!(
            "{request:?} {:?} {:?}",
            request.headers(),
            request.body()
        ));
        Ok(())
    }

    fn read_before_transmit(&self, request: &RequestContext<'_>) {
        let auth = request
            .header("authorization")
            .unwrap_or_default()
            .to_string();
        let shown = format!("{:?}", request.headers()).contains("Signature=");
        self.authorization.lock().unwrap().push((auth, shown));
        self.debug_text.lock().unwrap().push(format!(
            "{request:?} {:?} {:?}",
            request.headers(),
            request.body()
        ));
    }

    fn read_after_attempt(&self, attempt: &AttemptContext<'_>) {
        self.debug_text.lock().unwrap().push(format!(
            "{attempt:?} {:?} {:?}",
            attempt.headers(),
            attempt.body()
        ));
        self.attempts.lock().unwrap().push(SeenAttempt {
            attempt: attempt.attempt(),
            started: attempt.started(),
            finished: attempt.started() + attempt.duration(),
            status: attempt.status(),
            request_id: attempt.request_id().map(str::to_string),
            code: attempt.error().and_then(|e| e.code.clone()),
            failed: attempt.failure().is_some(),
            retry_delay: attempt.retry_delay(),
        });
    }

    fn read_after_execution(&self, call: &CallContext<'_>) {
        self.debug_text.lock().unwrap().push(format!("{call:?}"));
        self.calls.lock().unwrap().push(SeenCall {
            operation: call.call().operation().to_string(),
            attempts: call.attempts(),
            status: call.status(),
            request_id: call.request_id().map(str::to_string),
            code: call.error().and_then(|e| e.code.clone()),
            failure: call.failure().map(|e| e.to_string()),
            success: call.is_success(),
            duration: call.duration(),
        });
    }
}

/// The access key id a recorded request was signed with.
fn signed_key(r: &integration_tests::fault_server::RecordedRequest) -> String {
    let auth = r.header("authorization").expect("signed request");
    let start = auth.find("Credential=").expect("Credential=") + "Credential=".len();
    auth[start..]
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn config_interceptor_adds_a_signed_header_on_every_client() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let audit = AddHeader::new("x-audit-team", "payments");
        // One configuration, two clients of different services.
        let config = builder(&server, fast_retry(1))
            .interceptor(Arc::clone(&audit))
            .build();
        let secrets = Client::new(&config);
        let queues = sqs::Client::new(&config);

        secrets
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect("get");
        queues.list_queues().send().await.expect("list queues");

        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        for r in &requests {
            assert_eq!(r.header("x-audit-team"), Some("payments"), "{r:?}");
            let auth = r.header("authorization").expect("signed");
            assert!(
                auth.contains("x-audit-team"),
                "the added header is signed: {auth}"
            );
        }
        assert_eq!(requests[1].operation(), Some("ListQueues"));
        assert_eq!(audit.calls.load(Ordering::SeqCst), 2);
    })
    .await;
}

#[tokio::test]
async fn call_interceptor_affects_only_that_call() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let config = builder(&server, fast_retry(3)).build();
        let client = Client::new(&config);
        let once = AddHeader::new("x-only-this-call", "1");

        client
            .get_secret_value()
            .secret_id("a")
            .customize()
            .interceptor(Arc::clone(&once))
            .send()
            .await
            .expect("customized call");
        client
            .get_secret_value()
            .secret_id("b")
            .send()
            .await
            .expect("plain call");

        let requests = server.requests();
        assert_eq!(requests.len(), 2);
        assert_eq!(requests[0].header("x-only-this-call"), Some("1"));
        assert_eq!(requests[1].header("x-only-this-call"), None);
        assert_eq!(once.calls.load(Ordering::SeqCst), 1);
        assert!(client.config().interceptors().is_empty());
    })
    .await;
}

#[tokio::test]
async fn config_interceptors_run_before_call_interceptors() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        // Both set the same header: the call's interceptor runs last, so its value is sent.
        let config = builder(&server, fast_retry(1))
            .interceptor(AddHeader::new("x-order", "config"))
            .build();
        let client = Client::new(&config);
        client
            .get_secret_value()
            .secret_id("a")
            .customize()
            .interceptor(AddHeader::new("x-order", "call"))
            .send()
            .await
            .expect("call");
        assert_eq!(server.requests()[0].header("x-order"), Some("call"));
    })
    .await;
}

#[tokio::test]
async fn response_and_error_hooks_see_status_request_id_and_timings() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let rec = Arc::new(Recorder::default());
        let config = builder(&server, fast_retry(3))
            .interceptor(Arc::clone(&rec))
            .build();
        let client = Client::new(&config);

        // A retried 503, then success.
        server.push_all([Fault::ServiceUnavailable, Fault::ok(r#"{"Name":"a"}"#)]);
        let out = client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect("get");
        assert_eq!(out.name(), Some("a"));
        let attempts = rec.attempts();
        assert_eq!(attempts.len(), 2, "{attempts:?}");
        assert_eq!(attempts[0].attempt, 1);
        assert_eq!(attempts[0].status, Some(503));
        assert_eq!(attempts[0].request_id.as_deref(), Some("fault-req-0"));
        assert_eq!(attempts[0].code.as_deref(), Some("ServiceUnavailable"));
        assert!(attempts[0].retry_delay.is_some());
        assert_eq!(attempts[1].attempt, 2);
        assert_eq!(attempts[1].status, Some(200));
        assert_eq!(attempts[1].request_id.as_deref(), Some("fault-req-1"));
        assert_eq!(attempts[1].code, None);
        assert_eq!(attempts[1].retry_delay, None);
        assert!(attempts[1].started >= attempts[0].finished);
        let calls = rec.calls();
        assert_eq!(calls.len(), 1);
        let call = &calls[0];
        assert_eq!(call.operation, "GetSecretValue");
        assert_eq!(call.attempts, 2);
        assert_eq!(call.status, Some(200));
        assert_eq!(call.request_id.as_deref(), Some("fault-req-1"));
        assert!(call.success && call.failure.is_none() && call.code.is_none());
        assert!(call.duration >= attempts[1].finished - attempts[0].started);

        // A modeled error that is not retried: the final hook sees its code and request id.
        rec.clear();
        server.push(Fault::error(
            400,
            "ResourceNotFoundException",
            "Secrets Manager can't find the specified secret.",
        ));
        let err = client
            .get_secret_value()
            .secret_id("missing")
            .send()
            .await
            .expect_err("not found");
        assert!(err
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()));
        let calls = rec.calls();
        assert_eq!(calls[0].attempts, 1);
        assert_eq!(calls[0].status, Some(400));
        assert_eq!(calls[0].code.as_deref(), Some("ResourceNotFoundException"));
        assert_eq!(calls[0].request_id.as_deref(), Some("fault-req-2"));
        assert!(!calls[0].success);
        assert_eq!(rec.attempts()[0].retry_delay, None);

        // A broken connection: no status, a failure, on every attempt and at the end.
        rec.clear();
        server.push(Fault::ResetAfterRead);
        let err = client
            .get_secret_value()
            .secret_id("a")
            .customize()
            .retry_config(RetryConfig::disabled())
            .send()
            .await
            .expect_err("reset");
        assert!(matches!(err, SdkError::Dispatch(_)), "{err:?}");
        let attempts = rec.attempts();
        assert_eq!(attempts.len(), 1);
        assert!(attempts[0].failed && attempts[0].status.is_none());
        let calls = rec.calls();
        assert_eq!(calls[0].attempts, 1);
        assert!(calls[0].failure.is_some() && calls[0].status.is_none());
    })
    .await;
}

#[tokio::test]
async fn hooks_never_see_secrets_in_debug() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let rec = Arc::new(Recorder::default());
        let config = Config::builder()
            .region("us-east-1")
            .credentials(
                "AKIDINTERCEPT",
                "intercept-test-secret-key",
                Some("canary-session-token".into()),
            )
            .endpoint_url(server.url())
            .retry_config(fast_retry(1))
            .interceptor(Arc::clone(&rec))
            .build();
        let client = Client::new(&config);
        server.push(Fault::ok(r#"{"ARN":"arn","Name":"db"}"#));
        client
            .create_secret()
            .name("db")
            .secret_string("canary-secret-in")
            .send()
            .await
            .expect("create");
        server.push(Fault::ok(
            r#"{"Name":"db","SecretString":"canary-secret-out"}"#,
        ));
        let out = client
            .get_secret_value()
            .secret_id("db")
            .send()
            .await
            .expect("get");
        assert_eq!(
            out.secret_string().map(|s| s.expose_secret()),
            Some("canary-secret-out")
        );

        let text = rec.debug_text.lock().unwrap().join("\n");
        assert!(text.contains("CreateSecret") && text.contains("GetSecretValue"));
        for secret in [
            "canary-secret-in",
            "canary-secret-out",
            "canary-session-token",
            "intercept-test-secret-key",
            "Signature=",
        ] {
            assert!(!text.contains(secret), "{secret} shown in Debug:\n{text}");
        }
        // Read explicitly, the signature is there; `Debug` of the headers hides it.
        let auth = rec.authorization.lock().unwrap().clone();
        assert_eq!(auth.len(), 2);
        for (value, shown) in auth {
            assert!(value.contains("Signature="), "{value}");
            assert!(!shown);
        }
    })
    .await;
}

#[tokio::test]
async fn an_interceptor_error_fails_the_call_before_sending() {
    #[derive(Debug)]
    struct Deny;
    impl Interceptor for Deny {
        fn name(&self) -> &'static str {
            "deny-all"
        }
        fn modify_before_signing(&self, _: &mut RequestContext<'_>) -> Result<(), BoxError> {
            Err("policy forbids this call".into())
        }
    }
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let rec = Arc::new(Recorder::default());
        let config = builder(&server, fast_retry(3))
            .interceptor(Arc::clone(&rec))
            .build();
        let client = Client::new(&config);
        let err = client
            .get_secret_value()
            .secret_id("a")
            .customize()
            .interceptor(Deny)
            .send()
            .await
            .expect_err("denied");
        let SdkError::Construction(e) = &err else {
            panic!("{err:?}");
        };
        assert!(e.to_string().contains("deny-all"), "{e}");
        assert!(e.to_string().contains("policy forbids this call"), "{e}");
        assert_eq!(server.request_count(), 0);
        let calls = rec.calls();
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].attempts, 0);
        assert!(calls[0].failure.as_deref().unwrap().contains("deny-all"));
    })
    .await;
}

#[tokio::test]
async fn customize_retry_config_changes_the_attempt_count() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        server.set_default(Fault::ServiceUnavailable);
        let client = Client::new(&builder(&server, fast_retry(3)).build());

        let err = client
            .get_secret_value()
            .secret_id("a")
            .customize()
            .retry_config(RetryConfig::disabled())
            .send()
            .await
            .expect_err("503");
        assert_eq!(err.status(), Some(503));
        let requests = server.take_requests();
        assert_eq!(requests.len(), 1, "max attempts 1 for this call");
        assert_eq!(
            requests[0].header("amz-sdk-request"),
            Some("attempt=1; max=1")
        );

        // More attempts than the configuration allows.
        client
            .get_secret_value()
            .secret_id("a")
            .customize()
            .retry_config(fast_retry(5))
            .send()
            .await
            .expect_err("503");
        let requests = server.take_requests();
        assert_eq!(requests.len(), 5);
        assert_eq!(
            requests[4].header("amz-sdk-request"),
            Some("attempt=5; max=5")
        );

        // The next call uses the configuration again.
        client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect_err("503");
        assert_eq!(server.take_requests().len(), 3);
    })
    .await;
}

#[tokio::test]
async fn customize_timeout_config_fires_for_that_call_only() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let client = Client::new(&builder(&server, fast_retry(1)).build());
        server.push(Fault::DelayHeaders {
            delay: Duration::from_secs(10),
            body: r#"{"Name":"late"}"#.into(),
        });
        let started = Instant::now();
        let err = client
            .get_secret_value()
            .secret_id("a")
            .customize()
            .timeout_config(timeouts().with_operation(Duration::from_millis(300)))
            .send()
            .await
            .expect_err("timed out");
        let SdkError::Timeout(t) = &err else {
            panic!("{err:?}");
        };
        assert_eq!(t.kind(), TimeoutKind::Operation);
        assert_eq!(t.after(), Some(Duration::from_millis(300)));
        assert!(
            started.elapsed() < Duration::from_secs(8),
            "the override fired"
        );

        // The client's own timeouts (read 10 s) let a 500 ms delay through.
        server.push(Fault::DelayHeaders {
            delay: Duration::from_millis(500),
            body: r#"{"Name":"late"}"#.into(),
        });
        let out = client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect("no override");
        assert_eq!(out.name(), Some("late"));
    })
    .await;
}

/// A retryable error asking for `retry_after` before the next attempt: a 503, or a 429
/// throttling error.
fn slow_down(status: u16, retry_after: &str) -> Fault {
    let code = if status == 429 {
        "TooManyRequestsException"
    } else {
        "ServiceUnavailable"
    };
    Fault::Custom {
        status,
        headers: vec![
            ("Content-Type".into(), "application/x-amz-json-1.1".into()),
            ("x-amz-retry-after".into(), retry_after.into()),
        ],
        body: format!(r#"{{"__type":"{code}","message":"slow down"}}"#).into_bytes(),
    }
}

#[tokio::test]
async fn x_amz_retry_after_is_honoured() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let rec = Arc::new(Recorder::default());
        // A computed backoff of at most 1 ms, a cap of 5 s: a longer wait is the server's.
        let retry = RetryConfig::standard()
            .with_max_attempts(3)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_secs(5));
        let client = Client::new(
            &builder(&server, retry)
                .interceptor(Arc::clone(&rec))
                .build(),
        );
        for status in [503u16, 429] {
            rec.clear();
            server.push_all([slow_down(status, "700"), Fault::ok(r#"{"Name":"a"}"#)]);
            client
                .get_secret_value()
                .secret_id("a")
                .send()
                .await
                .expect("second attempt succeeds");
            let a = rec.attempts();
            assert_eq!(a.len(), 2, "{status}: {a:?}");
            assert_eq!(a[0].status, Some(status));
            assert_eq!(
                a[0].retry_delay,
                Some(Duration::from_millis(700)),
                "{status}"
            );
            let gap = a[1].started.duration_since(a[0].finished);
            assert!(
                gap >= Duration::from_millis(700),
                "{status}: the second attempt started {gap:?} after the first ended"
            );
        }
    })
    .await;
}

#[tokio::test]
async fn x_amz_retry_after_is_capped_and_garbage_is_ignored() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let rec = Arc::new(Recorder::default());
        let retry = RetryConfig::standard()
            .with_max_attempts(2)
            .with_initial_backoff(Duration::from_millis(1))
            .with_max_backoff(Duration::from_millis(200));
        let client = Client::new(
            &builder(&server, retry)
                .interceptor(Arc::clone(&rec))
                .build(),
        );
        // An hour is capped at max_backoff (200 ms).
        server.push_all([slow_down(503, "3600000"), Fault::ok("{}")]);
        let started = Instant::now();
        client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect("retried");
        assert_eq!(
            rec.attempts()[0].retry_delay,
            Some(Duration::from_millis(200))
        );
        assert!(started.elapsed() < Duration::from_secs(30));

        // Negative, fractional, non-numeric and date values: the computed backoff (≤ 1 ms).
        for garbage in ["-5", "1.5", "soon", "Wed, 21 Oct 2015 07:28:00 GMT"] {
            rec.clear();
            server.push_all([slow_down(503, garbage), Fault::ok("{}")]);
            client
                .get_secret_value()
                .secret_id("a")
                .send()
                .await
                .expect("retried");
            let delay = rec.attempts()[0].retry_delay.expect("retried");
            assert!(delay <= Duration::from_millis(1), "{garbage:?}: {delay:?}");
        }

        // A response that is not retryable is not retried, whatever it asks.
        rec.clear();
        server.push(Fault::Custom {
            status: 400,
            headers: vec![("x-amz-retry-after".into(), "10".into())],
            body: br#"{"__type":"ResourceNotFoundException","message":"no"}"#.to_vec(),
        });
        client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect_err("not retried");
        assert_eq!(rec.attempts().len(), 1);
        assert_eq!(rec.attempts()[0].retry_delay, None);
    })
    .await;
}

/// Hands out `AKIDROTATE1`, `AKIDROTATE2`, ... : a new key on every call.
#[derive(Debug, Default)]
struct Rotating {
    calls: AtomicUsize,
}

impl ProvideCredentials for Rotating {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let n = self.calls.fetch_add(1, Ordering::SeqCst) + 1;
        Box::pin(async move {
            Ok(Credentials::new(
                format!("AKIDROTATE{n}"),
                format!("secret-{n}"),
                Some(format!("token-{n}")),
                None,
                "rotating",
            ))
        })
    }
}

#[tokio::test]
async fn expired_credentials_are_dropped_and_the_call_retried_once_with_fresh_ones() {
    guarded(async {
        for code in ["ExpiredTokenException", "ExpiredToken", "RequestExpired"] {
            let server = FaultServer::start().await.expect("start");
            let rotating = Arc::new(Rotating::default());
            let config = builder(&server, fast_retry(3))
                .credentials_provider(CachingProvider::from_arc(rotating.clone()))
                .build();
            let client = Client::new(&config);

            server.push_all([
                Fault::error(
                    400,
                    code,
                    "The security token included in the request is expired",
                ),
                Fault::ok(r#"{"Name":"a"}"#),
            ]);
            let out = client
                .get_secret_value()
                .secret_id("a")
                .send()
                .await
                .unwrap_or_else(|e| panic!("{code}: {e}"));
            assert_eq!(out.name(), Some("a"));
            let requests = server.take_requests();
            assert_eq!(requests.len(), 2, "{code}");
            assert_eq!(signed_key(&requests[0]), "AKIDROTATE1", "{code}");
            assert_eq!(signed_key(&requests[1]), "AKIDROTATE2", "{code}");
            assert_eq!(requests[1].header("x-amz-security-token"), Some("token-2"));
            // One attempt more than max_attempts allows, announced as such.
            assert_eq!(
                requests[1].header("amz-sdk-request"),
                Some("attempt=2; max=4"),
                "{code}"
            );

            // The fresh credentials are cached: the next call signs with them, no new fetch.
            client
                .get_secret_value()
                .secret_id("a")
                .send()
                .await
                .expect("cached");
            assert_eq!(signed_key(&server.take_requests()[0]), "AKIDROTATE2");
            assert_eq!(rotating.calls.load(Ordering::SeqCst), 2, "{code}");
        }
    })
    .await;
}

#[tokio::test]
async fn expired_credentials_are_refreshed_once_per_call_and_only_when_new() {
    guarded(async {
        // Expired twice in a row: one refresh, then the error is returned.
        let server = FaultServer::start().await.expect("start");
        server.set_default(Fault::error(400, "ExpiredTokenException", "expired"));
        let rotating = Arc::new(Rotating::default());
        let client = Client::new(
            &builder(&server, fast_retry(3))
                .credentials_provider(CachingProvider::from_arc(rotating.clone()))
                .build(),
        );
        let err = client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect_err("still expired");
        assert_eq!(err.code(), Some("ExpiredTokenException"));
        let keys: Vec<String> = server.take_requests().iter().map(signed_key).collect();
        assert_eq!(keys, ["AKIDROTATE1", "AKIDROTATE2"]);

        // A provider that has nothing new (fixed keys): not sent again.
        let server = FaultServer::start().await.expect("start");
        server.set_default(Fault::error(400, "ExpiredTokenException", "expired"));
        let client = Client::new(&builder(&server, fast_retry(3)).build());
        client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect_err("expired");
        assert_eq!(server.request_count(), 1);

        // Other authentication errors are not expired credentials.
        let server = FaultServer::start().await.expect("start");
        server.set_default(Fault::error(
            400,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        ));
        let rotating = Arc::new(Rotating::default());
        let client = Client::new(
            &builder(&server, fast_retry(3))
                .credentials_provider(CachingProvider::from_arc(rotating.clone()))
                .build(),
        );
        client
            .get_secret_value()
            .secret_id("a")
            .send()
            .await
            .expect_err("invalid");
        assert_eq!(server.request_count(), 1);
        assert_eq!(rotating.calls.load(Ordering::SeqCst), 1);
    })
    .await;
}
