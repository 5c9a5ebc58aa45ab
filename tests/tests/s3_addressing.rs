//! S3 addressing as users set it: the generated S3 client resolves each request's endpoint from
//! S3's endpoint rules with the `Bucket` context parameter and the `AWS::S3::*` built-ins set in
//! code, in the environment or in the profile. A capturing transport answers 200 and keeps the
//! URL, so nothing leaves the process.

use std::sync::{Arc, Mutex};

use awsrt::config::Config;
use awsrt::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};
use awsrt::profile::Env;

/// Keeps the URI of every request and answers 200 with an empty body.
#[derive(Clone, Debug, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

impl Transport for Capture {
    fn send(
        &self,
        req: HttpRequest,
        _timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        if let Ok(mut uris) = self.0.lock() {
            uris.push(req.uri.clone());
        }
        Box::pin(async { Ok(HttpResponse::new(200, Vec::new())) })
    }
}

/// The URL a HeadObject of `bucket`/`key` goes to under `config` (its transport replaced).
async fn url_of(config: Config, bucket: &str, key: &str) -> String {
    let capture = Capture::default();
    let config = config
        .to_builder()
        .transport(Arc::new(capture.clone()))
        .build();
    s3::Client::new(&config)
        .head_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .unwrap();
    let uris = capture.0.lock().unwrap().clone();
    assert_eq!(uris.len(), 1, "{uris:?}");
    uris[0].clone()
}

fn base(region: &str) -> awsrt::config::ConfigBuilder {
    Config::builder()
        .region(region)
        .credentials(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            None,
        )
        .env(Env::from_pairs([("HOME", "/nonexistent")]))
}

#[tokio::test]
async fn built_ins_in_code_choose_the_addressing_style() {
    assert_eq!(
        url_of(base("us-west-2").build(), "mybucket", "a b.txt").await,
        "https://mybucket.s3.us-west-2.amazonaws.com/a%20b.txt",
        "virtual-hosted style by default"
    );
    assert_eq!(
        url_of(
            base("us-west-2").force_path_style(true).build(),
            "mybucket",
            "k"
        )
        .await,
        "https://s3.us-west-2.amazonaws.com/mybucket/k"
    );
    assert_eq!(
        url_of(base("us-west-2").accelerate(true).build(), "mybucket", "k").await,
        "https://mybucket.s3-accelerate.amazonaws.com/k"
    );
    assert_eq!(
        url_of(
            base("us-west-2").use_dual_stack(true).build(),
            "mybucket",
            "k"
        )
        .await,
        "https://mybucket.s3.dualstack.us-west-2.amazonaws.com/k"
    );
    assert_eq!(
        url_of(base("us-west-2").use_fips(true).build(), "mybucket", "k").await,
        "https://mybucket.s3-fips.us-west-2.amazonaws.com/k"
    );
    // A bucket name with dots cannot be a TLS host label: path style.
    assert_eq!(
        url_of(base("us-west-2").build(), "my.bucket", "k").await,
        "https://s3.us-west-2.amazonaws.com/my.bucket/k"
    );
    // A custom endpoint: the bucket joins its host, or its path when forced.
    assert_eq!(
        url_of(
            base("us-east-1")
                .endpoint_url("https://storage.example.test")
                .build(),
            "mybucket",
            "k"
        )
        .await,
        "https://mybucket.storage.example.test/k"
    );
    assert_eq!(
        url_of(
            base("us-east-1")
                .endpoint_url("https://storage.example.test")
                .force_path_style(true)
                .build(),
            "mybucket",
            "k"
        )
        .await,
        "https://storage.example.test/mybucket/k"
    );
}

#[tokio::test]
async fn built_ins_from_the_environment_and_the_profile() {
    // us-east-1: the regional endpoint, unless the legacy global one is asked for.
    async fn load(pairs: Vec<(&'static str, String)>) -> Config {
        Config::loader()
            .env(Env::from_pairs(pairs))
            .configure(|b| b.credentials("AKIDEXAMPLE", "secret", None))
            .load()
            .await
            .unwrap()
    }
    let regional = load(vec![
        ("HOME", "/nonexistent".into()),
        ("AWS_REGION", "us-east-1".into()),
    ])
    .await;
    assert_eq!(
        url_of(regional, "mybucket", "k").await,
        "https://mybucket.s3.us-east-1.amazonaws.com/k"
    );
    let legacy = load(vec![
        ("HOME", "/nonexistent".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_S3_US_EAST_1_REGIONAL_ENDPOINT", "legacy".into()),
    ])
    .await;
    assert_eq!(
        url_of(legacy, "mybucket", "k").await,
        "https://mybucket.s3.amazonaws.com/k"
    );

    // The same from the profile.
    let dir = std::env::temp_dir().join(integration_tests::moto::unique_name("s3-profile"));
    std::fs::create_dir_all(&dir).unwrap();
    let config_file = dir.join("config");
    std::fs::write(
        &config_file,
        "[default]\nregion = us-east-1\ns3_us_east_1_regional_endpoint = legacy\ns3_use_arn_region = true\n",
    )
    .unwrap();
    let profile = load(vec![
        ("HOME", dir.display().to_string()),
        ("AWS_CONFIG_FILE", config_file.display().to_string()),
    ])
    .await;
    assert_eq!(
        profile.endpoint_builtin("AWS::S3::UseArnRegion"),
        Some(&awsrt::endpoint::Value::Bool(true))
    );
    assert_eq!(
        url_of(profile, "mybucket", "k").await,
        "https://mybucket.s3.amazonaws.com/k"
    );
    std::fs::remove_dir_all(&dir).unwrap();

    // A malformed value is a configuration error naming where it came from.
    let err = Config::loader()
        .env(Env::from_pairs([
            ("HOME", "/nonexistent"),
            ("AWS_S3_USE_ARN_REGION", "sometimes"),
        ]))
        .load()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("AWS_S3_USE_ARN_REGION"), "{err}");
}

/// One client remembers the endpoint per parameter set: every request still goes where the
/// rules send its own bucket, whatever came before (same bucket with other keys, other buckets,
/// a bucket the rules address path-style, more buckets than the client keeps).
#[tokio::test]
async fn one_client_resolves_each_bucket_to_its_own_endpoint() {
    let capture = Capture::default();
    let config = base("us-west-2")
        .transport(Arc::new(capture.clone()))
        .build();
    let client = s3::Client::new(&config);
    let mut want = Vec::new();
    let mut calls: Vec<(String, String)> = Vec::new();
    for round in 0..2 {
        for (bucket, key) in [
            ("alpha", "k1"),
            ("alpha", "k2"),
            ("beta", "k1"),
            ("alpha", "k3"),
        ] {
            calls.push((bucket.to_string(), format!("{key}-{round}")));
            want.push(format!(
                "https://{bucket}.s3.us-west-2.amazonaws.com/{key}-{round}"
            ));
        }
        // Dots in a bucket name rule out virtual-hosted style over https.
        calls.push(("my.dotted.bucket".to_string(), format!("k-{round}")));
        want.push(format!(
            "https://s3.us-west-2.amazonaws.com/my.dotted.bucket/k-{round}"
        ));
    }
    // More distinct buckets than the client keeps, then the first ones again.
    for i in (0..300).chain(0..3) {
        calls.push((format!("bucket-{i}"), "k".to_string()));
        want.push(format!("https://bucket-{i}.s3.us-west-2.amazonaws.com/k"));
    }
    for (bucket, key) in &calls {
        client
            .head_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .unwrap();
    }
    assert_eq!(*capture.0.lock().unwrap(), want);
}
