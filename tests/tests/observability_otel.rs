//! Metrics and traces of generated clients as OpenTelemetry users receive them (issue 25):
//! the runtime's `opentelemetry` bridge (`awsrt::observability::otel::OtelMeterProvider`)
//! recording into the official SDK's in-memory metric exporter, and the runtime's `tracing`
//! spans exported by `tracing-opentelemetry` into the SDK's in-memory span exporter, for calls
//! against the project's fault server (a success, a modeled error, a throttled-then-successful
//! call, a timeout, a refused connection) and against moto.
//!
//! Each test installs its own providers and a thread-local `tracing` subscriber, so the tests
//! of this binary run in parallel without seeing each other's data (current-thread runtimes:
//! the subscriber is the test thread's).
//!
//! Run: `cargo test -p integration-tests --test observability_otel` (the moto test needs
//! `MOTO_SERVER_BIN` or `target/moto-venv`).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awsrt::config::ConfigBuilder;
use awsrt::interceptor::{AttemptContext, Interceptor};
use awsrt::observability::otel::OtelMeterProvider;
use integration_tests::fault_server::{Fault, FaultServer};
use opentelemetry::trace::{SpanId, SpanKind, Status, TracerProvider as _};
use opentelemetry::{KeyValue, Value};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use secretsmanager::config::{RetryConfig, TimeoutConfig};
use secretsmanager::{Client, Config};
use tracing_subscriber::layer::SubscriberExt;

async fn guarded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(Duration::from_secs(60), body)
        .await
        .expect("test hung");
}

/// One exported data point, flattened: counters as `value`, histograms as `count` and `sum`.
#[derive(Clone, Debug)]
struct Point {
    scope: String,
    name: String,
    unit: String,
    monotonic_sum: bool,
    histogram: bool,
    value: f64,
    count: u64,
    attributes: BTreeMap<String, String>,
}

impl Point {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

fn text(v: &Value) -> String {
    v.as_str().into_owned()
}

fn attributes<'a>(kvs: impl Iterator<Item = &'a KeyValue>) -> BTreeMap<String, String> {
    kvs.map(|kv| (kv.key.as_str().to_string(), text(&kv.value)))
        .collect()
}

/// The OpenTelemetry SDK set up as a program would, with in-memory exporters.
struct Telemetry {
    metrics: InMemoryMetricExporter,
    meter_provider: SdkMeterProvider,
    spans: InMemorySpanExporter,
    _tracer_provider: SdkTracerProvider,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Telemetry {
    fn install() -> Telemetry {
        let metrics = InMemoryMetricExporter::default();
        let meter_provider = SdkMeterProvider::builder()
            .with_reader(PeriodicReader::builder(metrics.clone()).build())
            .build();
        let spans = InMemorySpanExporter::default();
        let tracer_provider = SdkTracerProvider::builder()
            .with_simple_exporter(spans.clone())
            .build();
        let tracer = tracer_provider.tracer("observability-test");
        let subscriber =
            tracing_subscriber::registry().with(tracing_opentelemetry::layer().with_tracer(tracer));
        let guard = tracing::subscriber::set_default(subscriber);
        Telemetry {
            metrics,
            meter_provider,
            spans,
            _tracer_provider: tracer_provider,
            _guard: guard,
        }
    }

    fn provider(&self) -> Arc<OtelMeterProvider> {
        Arc::new(OtelMeterProvider::new(self.meter_provider.clone()))
    }

    /// The cumulative data points of every instrument, as of now.
    fn points(&self) -> Vec<Point> {
        self.metrics.reset();
        self.meter_provider.force_flush().expect("flush");
        let exported = self.metrics.get_finished_metrics().expect("metrics");
        let mut out = Vec::new();
        for rm in &exported {
            for sm in rm.scope_metrics() {
                for m in sm.metrics() {
                    let base = Point {
                        scope: sm.scope().name().to_string(),
                        name: m.name().to_string(),
                        unit: m.unit().to_string(),
                        monotonic_sum: false,
                        histogram: false,
                        value: 0.0,
                        count: 0,
                        attributes: BTreeMap::new(),
                    };
                    match m.data() {
                        AggregatedMetrics::U64(MetricData::Sum(s)) => {
                            for p in s.data_points() {
                                out.push(Point {
                                    monotonic_sum: s.is_monotonic(),
                                    value: p.value() as f64,
                                    attributes: attributes(p.attributes()),
                                    ..base.clone()
                                });
                            }
                        }
                        AggregatedMetrics::I64(MetricData::Sum(s)) => {
                            for p in s.data_points() {
                                out.push(Point {
                                    value: p.value() as f64,
                                    attributes: attributes(p.attributes()),
                                    ..base.clone()
                                });
                            }
                        }
                        AggregatedMetrics::F64(MetricData::Histogram(h)) => {
                            for p in h.data_points() {
                                out.push(Point {
                                    histogram: true,
                                    value: p.sum(),
                                    count: p.count(),
                                    attributes: attributes(p.attributes()),
                                    ..base.clone()
                                });
                            }
                        }
                        other => panic!("{}: unexpected data {other:?}", m.name()),
                    }
                }
            }
        }
        out
    }

    fn spans(&self) -> Vec<SpanData> {
        self.spans.get_finished_spans().expect("spans")
    }
}

fn points_named<'a>(points: &'a [Point], name: &str) -> Vec<&'a Point> {
    points.iter().filter(|p| p.name == name).collect()
}

/// The one data point of `name`; panics when there are none or several.
fn one<'a>(points: &'a [Point], name: &str) -> &'a Point {
    let found = points_named(points, name);
    assert_eq!(found.len(), 1, "{name}: {found:#?}");
    found[0]
}

fn span_attr(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| text(&kv.value))
}

/// The call spans named `name` and, for each, its attempt spans in order.
fn call_tree(spans: &[SpanData], name: &str) -> Vec<(SpanData, Vec<SpanData>)> {
    let mut calls: Vec<(SpanData, Vec<SpanData>)> = spans
        .iter()
        .filter(|s| s.name == name)
        .map(|s| (s.clone(), Vec::new()))
        .collect();
    for (call, attempts) in &mut calls {
        let id = call.span_context.span_id();
        let mut mine: Vec<SpanData> = spans
            .iter()
            .filter(|s| s.parent_span_id == id && s.name == "attempt")
            .cloned()
            .collect();
        mine.sort_by_key(|s| span_attr(s, "attempt").and_then(|a| a.parse::<u32>().ok()));
        *attempts = mine;
    }
    calls
}

fn base_config(server_url: &str) -> ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials("AKIDOBSERVE", "observability-secret-key", None)
        .endpoint_url(server_url)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(20)),
        )
        .timeout_config(TimeoutConfig::default().with_read(Duration::from_secs(5)))
}

const CALL_INSTRUMENTS: [(&str, &str); 7] = [
    ("smithy.client.call.duration", "s"),
    ("smithy.client.call.attempt_duration", "s"),
    ("smithy.client.call.resolve_endpoint_duration", "s"),
    ("smithy.client.call.auth.resolve_identity_duration", "s"),
    ("smithy.client.call.auth.signing_duration", "s"),
    ("smithy.client.call.deserialization_duration", "s"),
    ("smithy.client.call.attempts", "{attempt}"),
];

#[tokio::test]
async fn a_successful_call_records_every_call_instrument_and_one_span_per_attempt() {
    guarded(async {
        let t = Telemetry::install();
        let server = FaultServer::start().await.expect("start");
        let client = Client::new(
            &base_config(&server.url())
                .meter_provider(t.provider())
                .build(),
        );
        server.push(Fault::ok(r#"{"Name":"db","SecretString":"x"}"#));
        client
            .get_secret_value()
            .secret_id("db")
            .send()
            .await
            .expect("succeeds");

        let points = t.points();
        for (name, unit) in CALL_INSTRUMENTS {
            let p = one(&points, name);
            assert_eq!(p.unit, unit, "{name}");
            assert_eq!(
                p.scope, "secretsmanager",
                "{name}: the generated crate's meter"
            );
            assert_eq!(p.attr("rpc.service"), Some("SecretsManager"), "{name}");
            assert_eq!(p.attr("rpc.method"), Some("GetSecretValue"), "{name}");
            if p.histogram {
                assert_eq!(p.count, 1, "{name}: one measurement");
                assert!(p.value >= 0.0 && p.value < 30.0, "{name}: {} s", p.value);
            }
        }
        let attempts = one(&points, "smithy.client.call.attempts");
        assert!(attempts.monotonic_sum);
        assert_eq!(attempts.value, 1.0);
        for name in [
            "smithy.client.call.auth.resolve_identity_duration",
            "smithy.client.call.auth.signing_duration",
        ] {
            assert_eq!(
                one(&points, name).attr("auth.scheme_id"),
                Some("aws.auth#sigv4")
            );
        }
        assert!(points_named(&points, "smithy.client.call.errors").is_empty());
        // The call's duration covers its attempt.
        let call = one(&points, "smithy.client.call.duration").value;
        let attempt = one(&points, "smithy.client.call.attempt_duration").value;
        assert!(call >= attempt, "call {call} s < attempt {attempt} s");

        let spans = t.spans();
        let calls = call_tree(&spans, "SecretsManager.GetSecretValue");
        assert_eq!(calls.len(), 1, "{spans:#?}");
        let (call, attempts) = &calls[0];
        assert_eq!(call.span_kind, SpanKind::Client);
        assert_eq!(call.parent_span_id, SpanId::INVALID, "a root span");
        assert_ne!(call.status, Status::error(""));
        for (key, value) in [
            ("rpc.system", "aws-api"),
            ("rpc.service", "SecretsManager"),
            ("rpc.method", "GetSecretValue"),
            ("cloud.region", "us-east-1"),
            ("server.address", "127.0.0.1"),
            ("aws.request_id", "fault-req-0"),
            ("http.response.status_code", "200"),
        ] {
            assert_eq!(
                span_attr(call, key).as_deref(),
                Some(value),
                "call span {key}"
            );
        }
        let port = server.addr().port().to_string();
        assert_eq!(span_attr(call, "server.port"), Some(port));
        assert_eq!(span_attr(call, "error.type"), None);
        assert_eq!(attempts.len(), 1);
        let a = &attempts[0];
        assert_eq!(span_attr(a, "attempt").as_deref(), Some("1"));
        assert_eq!(
            span_attr(a, "http.response.status_code").as_deref(),
            Some("200")
        );
        assert_eq!(
            span_attr(a, "aws.request_id").as_deref(),
            Some("fault-req-0")
        );
        assert_eq!(span_attr(a, "http.request.resend_count"), None);
    })
    .await;
}

#[tokio::test]
async fn the_default_transport_reports_its_connections_and_bytes() {
    guarded(async {
        let t = Telemetry::install();
        let server = FaultServer::start().await.expect("start");
        let client = Client::new(
            &base_config(&server.url())
                .meter_provider(t.provider())
                .build(),
        );
        let bodies = [
            r#"{"SecretList":[]}"#,
            r#"{"Name":"db","SecretString":"x"}"#,
        ];
        server.push_all(bodies.map(Fault::ok));
        client.list_secrets().send().await.expect("first");
        client
            .get_secret_value()
            .secret_id("db")
            .send()
            .await
            .expect("second, on the same connection");
        assert_eq!(server.accepted_connections(), 1);
        let sent: usize = server.requests().iter().map(|r| r.body.len()).sum();
        let received: usize = bodies.iter().map(|b| b.len()).sum();

        let points = t.points();
        let acquire = one(&points, "smithy.client.http.connections.acquire_duration");
        assert_eq!(
            (acquire.unit.as_str(), acquire.count),
            ("s", 2),
            "one per request"
        );
        assert_eq!(acquire.scope, "awsrt");
        let bytes_sent = one(&points, "smithy.client.http.bytes_sent");
        assert_eq!(bytes_sent.unit, "By");
        assert_eq!(bytes_sent.value, sent as f64);
        assert_eq!(bytes_sent.attr("server.address"), Some("127.0.0.1"));
        let bytes_received = one(&points, "smithy.client.http.bytes_received");
        assert_eq!(bytes_received.value, received as f64);
        assert_eq!(bytes_received.attr("server.address"), Some("127.0.0.1"));
        let usage = points_named(&points, "smithy.client.http.connections.usage");
        let state = |s: &str| {
            usage
                .iter()
                .find(|p| p.attr("state") == Some(s))
                .map(|p| (p.unit.clone(), p.value))
        };
        assert_eq!(
            state("idle"),
            Some(("{connection}".into(), 1.0)),
            "{usage:#?}"
        );
        assert_eq!(state("acquired"), Some(("{connection}".into(), 0.0)));
        assert!(points_named(&points, "smithy.client.http.connections.uptime").is_empty());

        // Dropping the client drops its transport and closes the pooled connection.
        drop(client);
        let points = t.points();
        let uptime = one(&points, "smithy.client.http.connections.uptime");
        assert_eq!((uptime.unit.as_str(), uptime.count), ("s", 1));
    })
    .await;
}

#[tokio::test]
async fn a_modeled_error_is_counted_with_its_code() {
    guarded(async {
        let t = Telemetry::install();
        let server = FaultServer::start().await.expect("start");
        let client = Client::new(
            &base_config(&server.url())
                .meter_provider(t.provider())
                .build(),
        );
        server.push(Fault::error(
            400,
            "ResourceNotFoundException",
            "no such secret",
        ));
        let err = client
            .describe_secret()
            .secret_id("gone")
            .send()
            .await
            .expect_err("not found");
        assert!(err
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()));

        let points = t.points();
        let errors = one(&points, "smithy.client.call.errors");
        assert_eq!(errors.unit, "{error}");
        assert!(errors.monotonic_sum);
        assert_eq!(errors.value, 1.0);
        assert_eq!(
            errors.attr("exception.type"),
            Some("ResourceNotFoundException")
        );
        assert_eq!(errors.attr("rpc.service"), Some("SecretsManager"));
        assert_eq!(errors.attr("rpc.method"), Some("DescribeSecret"));
        assert_eq!(one(&points, "smithy.client.call.attempts").value, 1.0);
        // The error response was read into the modeled error: that is deserialization too.
        assert_eq!(
            one(&points, "smithy.client.call.deserialization_duration").count,
            1
        );

        let spans = t.spans();
        let calls = call_tree(&spans, "SecretsManager.DescribeSecret");
        assert_eq!(calls.len(), 1);
        let (call, attempts) = &calls[0];
        assert_eq!(call.status, Status::error(""));
        assert_eq!(
            span_attr(call, "error.type").as_deref(),
            Some("ResourceNotFoundException")
        );
        assert_eq!(
            span_attr(call, "http.response.status_code").as_deref(),
            Some("400")
        );
        assert_eq!(
            span_attr(call, "aws.request_id").as_deref(),
            Some("fault-req-0")
        );
        assert_eq!(attempts.len(), 1);
        assert_eq!(
            span_attr(&attempts[0], "error.type").as_deref(),
            Some("ResourceNotFoundException")
        );
    })
    .await;
}

#[tokio::test]
async fn a_throttled_then_successful_call_shows_two_attempts_and_no_error() {
    guarded(async {
        let t = Telemetry::install();
        let server = FaultServer::start().await.expect("start");
        let client = Client::new(
            &base_config(&server.url())
                .meter_provider(t.provider())
                .build(),
        );
        server.push_all([Fault::Throttling, Fault::ok(r#"{"SecretList":[]}"#)]);
        client
            .list_secrets()
            .send()
            .await
            .expect("second attempt succeeds");

        let points = t.points();
        assert_eq!(one(&points, "smithy.client.call.attempts").value, 2.0);
        assert_eq!(one(&points, "smithy.client.call.attempt_duration").count, 2);
        assert_eq!(
            one(&points, "smithy.client.call.auth.signing_duration").count,
            2
        );
        assert_eq!(one(&points, "smithy.client.call.duration").count, 1);
        assert!(points_named(&points, "smithy.client.call.errors").is_empty());

        let spans = t.spans();
        let calls = call_tree(&spans, "SecretsManager.ListSecrets");
        assert_eq!(calls.len(), 1);
        let (call, attempts) = &calls[0];
        assert_ne!(call.status, Status::error(""));
        assert_eq!(
            span_attr(call, "aws.request_id").as_deref(),
            Some("fault-req-1")
        );
        assert_eq!(attempts.len(), 2, "one child span per attempt");
        let (first, second) = (&attempts[0], &attempts[1]);
        assert_eq!(
            span_attr(first, "http.response.status_code").as_deref(),
            Some("400")
        );
        assert_eq!(
            span_attr(first, "error.type").as_deref(),
            Some("ThrottlingException")
        );
        assert_eq!(
            span_attr(first, "aws.request_id").as_deref(),
            Some("fault-req-0")
        );
        assert_eq!(span_attr(second, "attempt").as_deref(), Some("2"));
        assert_eq!(
            span_attr(second, "http.request.resend_count").as_deref(),
            Some("1")
        );
        assert_eq!(
            span_attr(second, "http.response.status_code").as_deref(),
            Some("200")
        );
        assert_eq!(span_attr(second, "error.type"), None);
    })
    .await;
}

#[tokio::test]
async fn a_timeout_is_counted_as_a_timeout_error() {
    guarded(async {
        let t = Telemetry::install();
        let server = FaultServer::start().await.expect("start");
        let config = base_config(&server.url())
            .retry_config(RetryConfig::disabled())
            .timeout_config(TimeoutConfig::default().with_attempt(Duration::from_millis(200)))
            .meter_provider(t.provider())
            .build();
        let client = Client::new(&config);
        server.push(Fault::DelayHeaders {
            delay: Duration::from_secs(3),
            body: "{}".into(),
        });
        let err = client
            .get_secret_value()
            .secret_id("slow")
            .send()
            .await
            .expect_err("times out");
        assert!(
            matches!(err, secretsmanager::error::SdkError::Timeout(_)),
            "{err}"
        );

        let points = t.points();
        let errors = one(&points, "smithy.client.call.errors");
        assert_eq!(errors.attr("exception.type"), Some("TimeoutError"));
        assert_eq!(errors.value, 1.0);
        assert_eq!(one(&points, "smithy.client.call.attempts").value, 1.0);
        let attempt = one(&points, "smithy.client.call.attempt_duration");
        assert!(
            attempt.value >= 0.15,
            "the attempt lasted until the timeout: {}",
            attempt.value
        );
        assert!(points_named(&points, "smithy.client.call.deserialization_duration").is_empty());

        let spans = t.spans();
        let calls = call_tree(&spans, "SecretsManager.GetSecretValue");
        let (call, attempts) = &calls[0];
        assert_eq!(call.status, Status::error(""));
        assert_eq!(
            span_attr(call, "error.type").as_deref(),
            Some("TimeoutError")
        );
        assert_eq!(span_attr(call, "http.response.status_code"), None);
        assert_eq!(attempts.len(), 1);
        assert_eq!(
            span_attr(&attempts[0], "error.type").as_deref(),
            Some("TimeoutError")
        );
        assert_eq!(span_attr(&attempts[0], "http.response.status_code"), None);
    })
    .await;
}

#[tokio::test]
async fn a_refused_connection_is_a_dispatch_error_after_every_attempt() {
    guarded(async {
        let t = Telemetry::install();
        // A port nothing listens on: bound, then closed.
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let config = base_config(&format!("http://127.0.0.1:{port}"))
            .meter_provider(t.provider())
            .build();
        let client = Client::new(&config);
        let err = client
            .list_secrets()
            .send()
            .await
            .expect_err("connection refused");
        assert!(
            matches!(err, secretsmanager::error::SdkError::Dispatch(_)),
            "{err}"
        );

        let points = t.points();
        assert_eq!(
            one(&points, "smithy.client.call.attempts").value,
            3.0,
            "retried"
        );
        let errors = one(&points, "smithy.client.call.errors");
        assert_eq!(errors.attr("exception.type"), Some("DispatchError"));
        assert_eq!(errors.value, 1.0, "one failed call");

        let spans = t.spans();
        let calls = call_tree(&spans, "SecretsManager.ListSecrets");
        let (call, attempts) = &calls[0];
        assert_eq!(
            span_attr(call, "error.type").as_deref(),
            Some("DispatchError")
        );
        assert_eq!(span_attr(call, "server.port"), Some(port.to_string()));
        assert_eq!(attempts.len(), 3);
        for a in attempts {
            assert_eq!(span_attr(a, "error.type").as_deref(), Some("DispatchError"));
        }
    })
    .await;
}

#[tokio::test]
async fn no_recorded_attribute_or_event_holds_a_secret() {
    guarded(async {
        const CANARY: &str = "CANARY-7f3e9a-observability-secret";
        let t = Telemetry::install();
        let server = FaultServer::start().await.expect("start");
        let config = Config::builder()
            .region("us-east-1")
            .credentials("AKIDCANARY", CANARY, Some(format!("{CANARY}-token")))
            .endpoint_url(server.url())
            .retry_config(RetryConfig::standard().with_initial_backoff(Duration::from_millis(5)))
            .meter_provider(t.provider())
            .build();
        let client = Client::new(&config);
        let body = format!(r#"{{"Name":"db","SecretString":"{CANARY}"}}"#);
        server.push_all([
            Fault::ok(body.clone()),
            Fault::error(400, "InvalidRequestException", CANARY),
            Fault::Throttling,
            Fault::ok(r#"{"ARN":"a","Name":"db","VersionId":"v"}"#),
        ]);
        let out = client
            .get_secret_value()
            .secret_id("db")
            .send()
            .await
            .expect("get");
        assert_eq!(out.secret_string().map(|s| s.expose_secret()), Some(CANARY));
        let _ = client
            .create_secret()
            .name("db")
            .secret_string(CANARY)
            .send()
            .await
            .expect_err("invalid");
        client
            .put_secret_value()
            .secret_id("db")
            .secret_string(CANARY)
            .client_request_token("00000000-0000-4000-8000-000000000000")
            .send()
            .await
            .expect("put after a throttle");

        let mut seen = Vec::new();
        for s in t.spans() {
            seen.push(s.name.to_string());
            for kv in &s.attributes {
                seen.push(format!("{}={}", kv.key, text(&kv.value)));
            }
            for e in s.events.iter() {
                seen.push(e.name.to_string());
                for kv in &e.attributes {
                    seen.push(format!("{}={}", kv.key, text(&kv.value)));
                }
            }
        }
        for p in t.points() {
            seen.push(p.name.clone());
            for (k, v) in &p.attributes {
                seen.push(format!("{k}={v}"));
            }
        }
        assert!(seen.len() > 50, "something was recorded: {seen:?}");
        let leaks: Vec<_> = seen.iter().filter(|s| s.contains("CANARY")).collect();
        assert!(leaks.is_empty(), "secret in telemetry: {leaks:?}");
    })
    .await;
}

/// Remembers the request id of every attempt.
#[derive(Debug, Default)]
struct RequestIds(Mutex<Vec<Option<String>>>);

impl Interceptor for RequestIds {
    fn read_after_attempt(&self, ctx: &AttemptContext<'_>) {
        self.0
            .lock()
            .unwrap()
            .push(ctx.request_id().map(str::to_string));
    }
}

#[test]
fn against_moto_the_span_holds_the_request_id_moto_returned() {
    let moto = integration_tests::moto::MotoServer::shared()
        .unwrap_or_else(|e| panic!("moto is required for this test: {e}"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(guarded(async {
        let t = Telemetry::install();
        let ids = Arc::new(RequestIds::default());
        let config = moto
            .config()
            .to_builder()
            .meter_provider(t.provider())
            .interceptor(Arc::clone(&ids))
            .build();
        let client = Client::new(&config);
        let name = integration_tests::moto::unique_name("otel");
        client
            .create_secret()
            .name(&name)
            .secret_string("v")
            .send()
            .await
            .expect("create");
        let err = client
            .describe_secret()
            .secret_id(format!("{name}-missing"))
            .send()
            .await
            .expect_err("no such secret");
        let missing_id = err
            .request_id()
            .expect("moto sends a request id")
            .to_string();

        let spans = t.spans();
        let create = call_tree(&spans, "SecretsManager.CreateSecret");
        assert_eq!(create.len(), 1);
        let seen = ids.0.lock().unwrap().clone();
        let create_id = seen[0].clone().expect("moto's request id of CreateSecret");
        assert_eq!(
            span_attr(&create[0].0, "aws.request_id"),
            Some(create_id.clone())
        );
        assert_eq!(
            span_attr(&create[0].1[0], "aws.request_id"),
            Some(create_id)
        );
        assert_eq!(
            span_attr(&create[0].0, "server.address").as_deref(),
            Some("127.0.0.1")
        );

        let describe = call_tree(&spans, "SecretsManager.DescribeSecret");
        assert_eq!(
            span_attr(&describe[0].0, "aws.request_id"),
            Some(missing_id)
        );
        assert_eq!(
            span_attr(&describe[0].0, "error.type").as_deref(),
            Some("ResourceNotFoundException")
        );
        let points = t.points();
        let errors = one(&points, "smithy.client.call.errors");
        assert_eq!(errors.attr("rpc.method"), Some("DescribeSecret"));
        assert_eq!(
            errors.attr("exception.type"),
            Some("ResourceNotFoundException")
        );
        let calls = points_named(&points, "smithy.client.call.duration");
        assert_eq!(calls.len(), 2, "one series per operation");
    }));
}

#[test]
fn the_global_provider_serves_clients_built_after_it_is_set() {
    use awsrt::observability::testing::RecordingMeterProvider;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(guarded(async {
        let server = FaultServer::start().await.expect("start");
        let before = Client::new(&base_config(&server.url()).build());
        let recorder = RecordingMeterProvider::new();
        awsrt::observability::set_global_meter_provider(Arc::new(recorder.clone()));
        let after = Client::new(&base_config(&server.url()).build());
        awsrt::observability::clear_global_meter_provider();
        // An operation no other test here calls: a client another test builds while the global
        // provider is set records into it too, and only this operation's attempts are counted.
        server.push_all([
            Fault::ok(r#"{"RandomPassword":"p"}"#),
            Fault::ok(r#"{"RandomPassword":"p"}"#),
        ]);
        before.get_random_password().send().await.expect("before");
        after.get_random_password().send().await.expect("after");
        let attempts: Vec<_> = recorder
            .measurements("smithy.client.call.attempts")
            .into_iter()
            .filter(|m| m.attribute("rpc.method") == Some("GetRandomPassword"))
            .collect();
        assert_eq!(
            attempts.len(),
            1,
            "only the client built with the global provider"
        );
        assert_eq!(attempts[0].scope, "secretsmanager");
    }));
}

#[tokio::test]
async fn inside_lambda_requests_carry_the_trace_id() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let trace = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        let lambda = awsrt::profile::Env::from_pairs([
            ("AWS_LAMBDA_FUNCTION_NAME", "my-function"),
            ("_X_AMZN_TRACE_ID", &format!("{trace}\n")),
        ]);
        let client = Client::new(&base_config(&server.url()).env(lambda).build());
        let outside = Client::new(&base_config(&server.url()).build());
        server.push_all([
            Fault::ok(r#"{"SecretList":[]}"#),
            Fault::ok(r#"{"SecretList":[]}"#),
        ]);
        client.list_secrets().send().await.expect("in lambda");
        outside.list_secrets().send().await.expect("outside");
        let requests = server.requests();
        let expected = format!("{trace}%0A");
        assert_eq!(
            requests[0].header("x-amzn-trace-id"),
            Some(expected.as_str())
        );
        // Sent, but not signed: SigV4 leaves `x-amzn-trace-id` out of the signed headers, as
        // X-Ray may rewrite it on the way.
        let auth = requests[0].header("authorization").expect("signed");
        assert!(!auth.contains("x-amzn-trace-id"), "{auth}");
        assert_eq!(requests[1].header("x-amzn-trace-id"), None);
    })
    .await;
}
