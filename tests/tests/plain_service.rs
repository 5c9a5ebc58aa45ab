//! A Smithy service that is not an AWS service, end to end: `tests/fixtures/plain_service.json`
//! (awsJson 1.1, but no `aws.api#service`, no `aws.auth#sigv4`, no endpoint rules, and a `rename`
//! map) is generated with the real generator into a scratch workspace under
//! `target/plain-service/`, a small program using the generated crate is built there and run
//! against the project's stub server, and the requests the server recorded are checked.
//!
//! What it proves: the crate is named after the service shape (`weather`); its requests go to
//! the endpoint the user gave (in code, or `AWS_ENDPOINT_URL`; a variable named after the shape
//! is not read) and carry no `Authorization`; with no endpoint every call fails with a
//! construction error and nothing is sent; the renamed shapes exist under their new names (the
//! program would not compile otherwise) and the old names do not.
//!
//! The scratch workspace builds in the protocol-compliance harness's target directory
//! (`target/protocol-tests/target`), so the runtime's dependencies are compiled once for both.

use std::path::{Path, PathBuf};

use integration_tests::stub_server::{RecordedRequest, StubResponse, StubServer};
use integration_tests::workspace_root;

/// The program run against the stub server. It prints one `key=value` line per check; the test
/// reads them back. Every value it prints comes from the generated crate.
const PROBE: &str = r#"
use awsrt::error::BuildErrorKind;
use awsrt::profile::Env;
use weather::error::SdkError;
use weather::types::{DailyForecast, SkyCondition};
use weather::{Client, Config};

/// A loaded configuration from exactly these variables (no shared config files).
async fn loaded(pairs: &[(&str, String)]) -> Config {
    let none = std::env::temp_dir().join("plain-service-probe-no-such-file");
    let mut env: Vec<(String, String)> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    env.push(("AWS_CONFIG_FILE".into(), none.display().to_string()));
    env.push(("AWS_SHARED_CREDENTIALS_FILE".into(), none.display().to_string()));
    Config::loader().env(Env::from_pairs(env)).load().await.expect("config loads")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::var("PLAIN_ENDPOINT").expect("PLAIN_ENDPOINT is set");

    // 1. The endpoint given in code; no region, no credentials.
    let client = Client::new(&Config::builder().endpoint_url(&url).build());
    let out = client.get_forecast().city("Oslo").send().await.expect("GetForecast succeeds");
    let forecast: &DailyForecast = out.forecast().expect("a forecast");
    println!("forecast_city={}", forecast.city());
    println!("forecast_temperature={:?}", forecast.temperature_c());
    println!("forecast_sunny={}", forecast.sky() == Some(&SkyCondition::Sunny));

    // 2. A modeled error.
    let err = client.get_forecast().city("Atlantis").send().await.expect_err("no such city");
    let service = err.as_service_error().expect("a service error");
    println!("error_city_not_found={}", service.is_city_not_found());
    println!("error_message={}", service.message().unwrap_or_default());

    // 3. No endpoint anywhere: a construction error naming what to set, nothing sent.
    let err = Client::new(&Config::builder().build())
        .get_forecast()
        .city("Oslo")
        .send()
        .await
        .expect_err("no endpoint");
    let endpoint_kind = matches!(&err, SdkError::Construction(e) if e.kind() == BuildErrorKind::Endpoint);
    println!("no_endpoint_construction={endpoint_kind}");
    println!("no_endpoint_message={err}");

    // 4. A variable named after the service shape is not an endpoint source...
    let config = loaded(&[("AWS_ENDPOINT_URL_WEATHER", format!("{url}/by-shape-name"))]).await;
    let err = Client::new(&config).get_forecast().city("Oslo").send().await.expect_err("no endpoint");
    println!("shape_variable_construction={}", matches!(err, SdkError::Construction(_)));

    // 5. ...the global one is (and the default credentials chain is never asked).
    let config = loaded(&[
        ("AWS_ENDPOINT_URL", format!("{url}/global")),
        ("AWS_ENDPOINT_URL_WEATHER", format!("{url}/by-shape-name")),
    ])
    .await;
    let out = Client::new(&config).get_forecast().city("Bergen").send().await.expect("GetForecast via AWS_ENDPOINT_URL");
    println!("global_city={}", out.forecast().map(|f| f.city()).unwrap_or_default());
    println!("done=true");
}
"#;

/// The stub's answer: a forecast for any city but Atlantis, `CityNotFound` for Atlantis.
fn weather_stub(req: &RecordedRequest) -> StubResponse {
    if req.target() != Some("Weather.GetForecast") {
        return StubResponse::aws_error(400, "UnknownOperationException", "unknown target");
    }
    let city = req
        .json()
        .ok()
        .and_then(|d| d.as_object()?.get("City")?.as_str().map(str::to_string))
        .unwrap_or_default();
    if city == "Atlantis" {
        return StubResponse::aws_error(404, "CityNotFound", "no such city: Atlantis");
    }
    StubResponse::json(
        200,
        format!(r#"{{"Forecast":{{"City":"{city}","TemperatureC":21,"Sky":"sunny"}}}}"#),
    )
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Generates the fixture's crate into `root/<crate>` and lays out the scratch workspace.
/// Returns the crate name and the generated files.
fn scratch_workspace(root: &Path) -> (String, std::collections::BTreeMap<String, String>) {
    let fixture = workspace_root().join("tests/fixtures/plain_service.json");
    let json = std::fs::read_to_string(&fixture).unwrap();
    let model = codegen::model::Model::from_json(&json, "plain_service.json").unwrap();
    let krate = codegen::ir::default_crate_name(&model, None).unwrap();
    let runtime = workspace_root().join("runtime").canonicalize().unwrap();
    let opts = codegen::CrateOptions {
        runtime_path: runtime.display().to_string(),
        version: "0.1.0".into(),
    };
    let files = codegen::generate_crate(&json, "plain_service.json", None, &krate, &opts)
        .unwrap_or_else(|e| panic!("the generator failed: {e}"));
    codegen::write::write_tree(&root.join(&krate), &files, false).unwrap();
    write(
        &root.join("Cargo.toml"),
        &format!(
            "# Scratch workspace of tests/tests/plain_service.rs (not committed).\n\
             [workspace]\nresolver = \"2\"\nmembers = [\"{krate}\", \"probe\"]\n"
        ),
    );
    write(
        &root.join("probe/Cargo.toml"),
        &format!(
            "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\n{krate} = {{ path = \"../{krate}\" }}\nawsrt = {{ path = {:?} }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"time\", \"io-util\"] }}\n",
            runtime.display().to_string()
        ),
    );
    write(&root.join("probe/src/main.rs"), PROBE);
    // The project's lock file pins the same dependency versions.
    if let Ok(lock) = std::fs::read_to_string(workspace_root().join("Cargo.lock")) {
        write(&root.join("Cargo.lock"), &lock);
    }
    (krate, files)
}

/// The `key=value` lines of the probe's output.
fn values(stdout: &str) -> std::collections::BTreeMap<&str, &str> {
    stdout.lines().filter_map(|l| l.split_once('=')).collect()
}

fn assert_unsigned_forecast_request(req: &RecordedRequest, path: &str, city: &str) {
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, path, "the endpoint the user gave");
    assert_eq!(req.target(), Some("Weather.GetForecast"));
    assert_eq!(
        req.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    for header in ["authorization", "x-amz-date", "x-amz-security-token"] {
        assert_eq!(req.header(header), None, "{header} must not be sent");
    }
    let ua = req.header("user-agent").unwrap_or_default();
    assert!(ua.starts_with("weather/0.1.0 awsrt/"), "{ua}");
    let body = req.json().expect("a JSON body");
    let sent = body
        .as_object()
        .and_then(|o| o.get("City"))
        .and_then(|c| c.as_str());
    assert_eq!(sent, Some(city));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_smithy_service_gets_a_working_unsigned_client() {
    let root = workspace_root().join("target").join("plain-service");
    let (krate, files) = scratch_workspace(&root);
    assert_eq!(
        krate, "weather",
        "the crate is named after the service shape"
    );

    // The renamed shapes have their new names only.
    let daily = &files["src/types/_daily_forecast.rs"];
    assert!(daily.contains("pub struct DailyForecast {"), "{daily}");
    assert!(files["src/types/_sky_condition.rs"].contains("pub enum SkyCondition {"));
    for (path, body) in &files {
        assert!(
            !body.contains("pub struct Forecast ") && !body.contains("pub enum Condition "),
            "{path} still defines a shape under its old name"
        );
    }

    let server = StubServer::start(weather_stub).await.unwrap();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target: PathBuf = workspace_root()
        .join("target")
        .join("protocol-tests")
        .join("target");
    let out = tokio::process::Command::new(&cargo)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["-p", "probe", "--color", "never"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env("PLAIN_ENDPOINT", server.endpoint_url())
        .env("RUST_BACKTRACE", "0")
        .output()
        .await
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the probe failed to build or run (exit {:?}) in {}:\n{stdout}\n{stderr}",
        out.status.code(),
        root.display()
    );
    let v = values(&stdout);
    let expect = |key: &str, value: &str| {
        assert_eq!(v.get(key).copied(), Some(value), "{key} in:\n{stdout}");
    };
    expect("forecast_city", "Oslo");
    expect("forecast_temperature", "Some(21)");
    expect("forecast_sunny", "true");
    expect("error_city_not_found", "true");
    expect("error_message", "no such city: Atlantis");
    expect("no_endpoint_construction", "true");
    expect("shape_variable_construction", "true");
    expect("global_city", "Bergen");
    expect("done", "true");
    let msg = v.get("no_endpoint_message").copied().unwrap_or_default();
    assert!(
        msg.contains("\"Weather\"")
            && msg.contains("endpoint_url")
            && msg.contains("AWS_ENDPOINT_URL"),
        "{msg}"
    );
    assert!(
        !msg.contains("AWS_ENDPOINT_URL_"),
        "no per-service variable without an sdkId: {msg}"
    );

    // Exactly the three calls that had an endpoint reached the server, all unsigned.
    let reqs = server.requests();
    assert_eq!(
        reqs.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(),
        ["/", "/", "/global/"],
        "{reqs:#?}"
    );
    assert_unsigned_forecast_request(&reqs[0], "/", "Oslo");
    assert_unsigned_forecast_request(&reqs[1], "/", "Atlantis");
    assert_unsigned_forecast_request(&reqs[2], "/global/", "Bergen");
}
