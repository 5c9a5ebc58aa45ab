//! Request compression end to end (`@requestCompression` on CloudWatch PutMetricData): the
//! generated CloudWatch client (awsQuery; not a workspace crate, so the real generator writes it
//! into a scratch workspace beside a probe program, see `integration_tests::scratch`) sends
//! PutMetricData to moto (`moto[server]==5.2.5`, which inflates gzip request bodies) and reads
//! the metrics back with ListMetrics. The probe's transport records what went on the wire: a
//! body of at least the minimum size goes out gzip-compressed (`Content-Encoding: gzip`, the gzip
//! magic bytes, smaller than the form it holds), a smaller one and one with compression turned
//! off go out plain, and in each case moto stored every metric the call carried.

use std::time::Duration;

use integration_tests::moto::{unique_name, MotoServer};
use integration_tests::scratch::{key_values, ScratchWorkspace};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

/// One PutMetricData of `CW_POINTS` points (5 metric names, one `host` dimension each) in
/// namespace `CW_NAMESPACE`, then ListMetrics of that namespace. `CW_DISABLE` turns compression
/// off. Prints `key=value` lines.
const PROBE: &str = r#"
use std::sync::{Arc, Mutex};

use awsrt::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, HyperTransport, Transport,
    TransportError,
};
use cloudwatch::types::{Dimension, MetricDatum};

/// Forwards to the real transport, keeping the content encoding, length and first two bytes
/// of each request body.
#[derive(Debug, Default)]
struct Recording {
    inner: HyperTransport,
    sent: Mutex<Vec<(String, usize, String)>>,
}

impl Transport for Recording {
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let magic: String = req.body.iter().take(2).map(|b| format!("{b:02x}")).collect();
        self.sent.lock().unwrap().push((
            req.header("content-encoding").unwrap_or("none").to_string(),
            req.body.len(),
            magic,
        ));
        self.inner.send(req, timeouts)
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::var("CW_ENDPOINT").expect("CW_ENDPOINT");
    let namespace = std::env::var("CW_NAMESPACE").expect("CW_NAMESPACE");
    let points: usize = std::env::var("CW_POINTS").expect("CW_POINTS").parse().unwrap();
    let disable = std::env::var("CW_DISABLE").is_ok();
    let rec = Arc::new(Recording::default());
    let transport: Arc<dyn Transport> = rec.clone();
    let config = cloudwatch::Config::builder()
        .region("us-east-1")
        .credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)
        .endpoint_url(endpoint)
        .transport(transport)
        .disable_request_compression(disable)
        .build();
    let client = cloudwatch::Client::new(&config);
    let mut put = client.put_metric_data().namespace(&namespace);
    for i in 0..points {
        put = put.metric_data(
            MetricDatum::builder()
                .metric_name(format!("requests_{}", i % 5))
                .value(i as f64)
                .dimensions(Dimension::builder().name("host").value(format!("host-{i:04}")).build())
                .build(),
        );
    }
    put.send().await.expect("PutMetricData");
    let (encoding, len, magic) = rec.sent.lock().unwrap()[0].clone();
    println!("put_encoding={encoding}");
    println!("put_len={len}");
    println!("put_magic={magic}");
    let listed = client
        .list_metrics()
        .namespace(&namespace)
        .send()
        .await
        .expect("ListMetrics");
    let mut names: Vec<String> = listed
        .metrics()
        .iter()
        .map(|m| m.metric_name().unwrap_or_default().to_string())
        .collect();
    let hosts: std::collections::BTreeSet<String> = listed
        .metrics()
        .iter()
        .flat_map(|m| m.dimensions().iter().map(|d| d.value().unwrap_or_default().to_string()))
        .collect();
    names.sort();
    names.dedup();
    println!("metric_names={}", names.join(","));
    println!("hosts={}", hosts.len());
    println!("list_encoding={}", rec.sent.lock().unwrap()[1].0);
}
"#;

fn workspace() -> &'static ScratchWorkspace {
    static WS: std::sync::OnceLock<ScratchWorkspace> = std::sync::OnceLock::new();
    WS.get_or_init(|| {
        let models = integration_tests::data_dir("SMITHY_MODELS_DIR", "models");
        let file = models.join("aws-query/cloudwatch-2010-08-01.json");
        let json = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("the CloudWatch model is needed: {}: {e}", file.display()));
        let mut ws = ScratchWorkspace::new("request-compression");
        ws.generate(&json, "cloudwatch-2010-08-01.json", "cloudwatch");
        ws.write_probe(
            "compression_probe",
            &[("cloudwatch", &[])],
            "tokio = { version = \"1\", features = [\"macros\", \"rt\"] }\n",
            PROBE,
        );
        let took = ws.build_probe();
        integration_tests::report_summary(
            "e2e_moto_compression",
            &format!("compression probe built in {:.1} s", took.as_secs_f64()),
        );
        ws
    })
}

/// Runs the probe with `points` data points; returns its `key=value` output.
async fn run(points: usize, disable: bool) -> std::collections::BTreeMap<String, String> {
    let ws = workspace();
    let namespace = unique_name("Compression");
    let mut env = vec![
        ("CW_ENDPOINT", moto().endpoint_url()),
        ("CW_NAMESPACE", namespace),
        ("CW_POINTS", points.to_string()),
    ];
    if disable {
        env.push(("CW_DISABLE", "1".to_owned()));
    }
    let out = ws.run_probe(&env, Duration::from_secs(120)).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the probe failed (exit {:?}):\n{stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    key_values(&stdout)
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

const ALL_NAMES: &str = "requests_0,requests_1,requests_2,requests_3,requests_4";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_put_metric_data_is_sent_gzipped_and_stored() {
    // 300 points with a dimension each: a form body of about 40 KB, above the 10 KiB minimum.
    let v = run(300, false).await;
    assert_eq!(v["put_encoding"], "gzip", "{v:?}");
    assert_eq!(v["put_magic"], "1f8b", "the gzip magic bytes: {v:?}");
    let len: usize = v["put_len"].parse().unwrap();
    assert!(
        len < 10_240,
        "the compressed body is smaller than the minimum: {v:?}"
    );
    assert_eq!(v["metric_names"], ALL_NAMES, "{v:?}");
    assert_eq!(
        v["hosts"], "300",
        "every data point's dimension was stored: {v:?}"
    );
    // ListMetrics has no @requestCompression: never compressed.
    assert_eq!(v["list_encoding"], "none", "{v:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_small_body_and_a_disabled_setting_go_out_plain() {
    let small = run(5, false).await;
    assert_eq!(small["put_encoding"], "none", "{small:?}");
    assert_ne!(small["put_magic"], "1f8b", "{small:?}");
    assert_eq!(small["metric_names"], ALL_NAMES, "{small:?}");

    let off = run(300, true).await;
    assert_eq!(off["put_encoding"], "none", "{off:?}");
    let len: usize = off["put_len"].parse().unwrap();
    assert!(len > 10_240, "the plain body is above the minimum: {off:?}");
    assert_eq!(off["hosts"], "300", "{off:?}");
}
