//! Smithy RPC v2 CBOR end to end (issue 21): `model/garden.smithy`, a service that is not an
//! AWS service, is read by the IDL loader and generated with the real generator into a scratch
//! workspace under `target/rpcv2-e2e/`; a small program using the generated crate is built there
//! and run against `rpcv2_e2e/server.py`, whose CBOR is Python's `cbor2` (an independent
//! implementation, pinned below and installed into a virtualenv under cargo's target tmp dir on
//! first use; set `RPCV2_PEER_PYTHON` to use another interpreter that has it).
//!
//! Both directions are checked against the other implementation: what the server decoded from
//! each request (nested structures, lists, a sparse list, maps, timestamps with fractions, a
//! blob, a union; no body at all for the operation without input), and what the client read
//! from the server's canonical CBOR (half floats, integer and fractional tag-1 timestamps, an
//! indefinite-length map, sparse values, a member it does not know, a modeled error from
//! `__type`).
//!
//! The scratch workspace builds in the protocol-compliance harness's target directory
//! (`target/protocol-tests/target`), so the runtime's dependencies are compiled once for both.
//!
//! Run: `cargo test -p integration-tests --test rpcv2_e2e`.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use integration_tests::workspace_root;

/// The peer's Python package.
const PEER_PACKAGES: &[&str] = &["cbor2==6.2.1"];
const SERVER_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/rpcv2_e2e/server.py");
const MODEL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../model/garden.smithy");
const WAIT: Duration = Duration::from_secs(60);

/// The program run against the server: one `key=value` line per value it read.
const PROBE: &str = r#"
use awsrt::types::{Blob, DateTime};
use garden::types::{Bed, Care, Dimensions, Plant, Schedule};
use garden::{Client, Config};

fn ts(t: Option<DateTime>) -> String {
    t.map(|t| format!("{}.{:09}", t.secs(), t.subsec_nanos())).unwrap_or_default()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::var("GARDEN_ENDPOINT").expect("GARDEN_ENDPOINT is set");
    let client = Client::new(&Config::builder().endpoint_url(&url).build());

    // 1. PlantBed: everything the model has, in the request; the server echoes the bed.
    let bed = Bed::builder()
        .name("north")
        .plants(
            Plant::builder()
                .species("Daucus carota")
                .count(3)
                .sowed_at(DateTime::from_secs_and_nanos(1_714_521_600, 500_000_000))
                .perennial(false)
                .build()
                .unwrap(),
        )
        .plants(Plant::builder().species("Rheum rhabarbarum").count(1).build().unwrap())
        .soil("ph", 6.8)
        .size_cm(Dimensions::builder().width(100).length(200).build())
        .heights_mm(Some(5))
        .heights_mm(None)
        .build()
        .unwrap();
    let care = Care::Schedule(Schedule::builder().days("sat").days("sun").note("weekend").build());
    let out = client
        .plant_bed()
        .bed(bed.clone())
        .planted_at(DateTime::from_secs_and_nanos(1_717_245_015, 250_000_000))
        .photo(Blob::new(vec![0u8, 1, 2, 255]))
        .care(care.clone())
        .send()
        .await
        .expect("PlantBed succeeds");
    println!("plant_bed_id={}", out.bed_id().unwrap_or_default());
    println!("plant_count={:?}", out.plant_count());
    println!("plant_received_at={}", ts(out.received_at()));
    println!("plant_echo_equal={}", out.echo() == Some(&bed));
    println!("plant_care_equal={}", out.care() == Some(&care));

    // 2. GetBed: the server's canonical CBOR in an indefinite-length map.
    let out = client.get_bed().bed_id("south").send().await.expect("GetBed succeeds");
    let got = out.bed().expect("a bed");
    println!("get_name={}", got.name());
    let plants: Vec<String> = got
        .plants()
        .iter()
        .map(|p| format!("{}:{:?}:{:?}:{}", p.species(), p.count(), p.perennial(), ts(p.sowed_at())))
        .collect();
    println!("get_plants={}", plants.join("|"));
    let mut soil: Vec<String> = got.soil().into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    soil.sort();
    println!("get_soil={}", soil.join(","));
    let size = got.size_cm().expect("a size");
    println!("get_size={:?}x{:?}", size.width(), size.length());
    println!("get_heights={:?}", got.heights_mm());
    println!("get_last_watered={}", ts(out.last_watered()));
    let mut tags: Vec<String> = out.tags().into_iter().flatten().map(|(k, v)| format!("{k}={v}")).collect();
    tags.sort();
    println!("get_tags={}", tags.join(","));
    match out.care() {
        Some(Care::Schedule(s)) => println!("get_care=schedule:{}:{}", s.days().join("+"), s.note().unwrap_or_default()),
        other => println!("get_care={other:?}"),
    }
    println!("get_photo={:02x?}", out.photo().map(|b| b.as_ref().to_vec()).unwrap_or_default());
    println!("get_ratio={:?}", out.ratio());
    let mut weights: Vec<String> = out.weights().into_iter().flatten().map(|(k, v)| format!("{k}={v:?}")).collect();
    weights.sort();
    println!("get_weights={}", weights.join(","));

    // 3. A modeled error, named by `__type` with its namespace.
    let err = client.get_bed().bed_id("missing").send().await.expect_err("no such bed");
    let service = err.as_service_error().expect("a service error");
    println!("error_is_no_such_bed={}", service.is_no_such_bed());
    println!("error_code={}", service.code().unwrap_or_default());
    println!("error_message={}", service.message().unwrap_or_default());
    if let garden::operation::get_bed::GetBedError::NoSuchBed(e) = service {
        println!("error_bed_id={}", e.bed_id().unwrap_or_default());
    }

    // 4. No input: no body.
    let out = client.list_beds().send().await.expect("ListBeds succeeds");
    println!("list={}", out.bed_ids().join(","));
    println!("done=true");
}
"#;

/// A Python with the peer's packages, installed once per target dir.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(p) = std::env::var_os("RPCV2_PEER_PYTHON").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cbor2-venv");
        let bin = venv.join("bin/python");
        let stamp = venv.join(".installed");
        let want = PEER_PACKAGES.join(" ");
        if bin.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == want) {
            return bin;
        }
        let py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let ok = Command::new(&py)
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {py}: {e}"));
        assert!(ok.success(), "`{py} -m venv {}` failed", venv.display());
        let ok = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PEER_PACKAGES)
            .status()
            .expect("run pip");
        assert!(ok.success(), "pip install {want} failed");
        std::fs::write(&stamp, &want).expect("write stamp");
        bin
    })
}

/// The cbor2 server process; killed on drop.
struct Server {
    child: Child,
    port: u16,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(python())
            .arg(SERVER_SCRIPT)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the cbor2 server");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout");
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut server = Server {
            child,
            port: 0,
            lines,
        };
        let start = Instant::now();
        server.port = loop {
            let port = server
                .lines()
                .iter()
                .find_map(|l| l.strip_prefix("port ").and_then(|p| p.parse().ok()));
            if let Some(p) = port {
                break p;
            }
            assert!(start.elapsed() < WAIT, "the server did not start");
            std::thread::sleep(Duration::from_millis(20));
        };
        server
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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

/// Generates the model's crate into `root/garden` and lays out the scratch workspace.
fn scratch_workspace(root: &Path) {
    let doc = codegen::idl::load_paths(&[PathBuf::from(MODEL)])
        .unwrap_or_else(|e| panic!("the IDL loader failed: {e}"));
    let runtime = workspace_root().join("runtime").canonicalize().unwrap();
    let opts = codegen::CrateOptions {
        runtime_path: runtime.display().to_string(),
        version: "0.1.0".into(),
    };
    let files = codegen::generate_crate_from_doc(&doc, "garden.smithy", None, "garden", &opts)
        .unwrap_or_else(|e| panic!("the generator failed: {e}"));
    codegen::write::write_tree(&root.join("garden"), &files, false).unwrap();
    write(
        &root.join("Cargo.toml"),
        "# Scratch workspace of tests/tests/rpcv2_e2e.rs (not committed).\n\
         [workspace]\nresolver = \"2\"\nmembers = [\"garden\", \"probe\"]\n",
    );
    write(
        &root.join("probe/Cargo.toml"),
        &format!(
            "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\ngarden = {{ path = \"../garden\" }}\nawsrt = {{ path = {:?} }}\n\
             tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"time\", \"io-util\"] }}\n",
            runtime.display().to_string()
        ),
    );
    write(&root.join("probe/src/main.rs"), PROBE);
    if let Ok(lock) = std::fs::read_to_string(workspace_root().join("Cargo.lock")) {
        write(&root.join("Cargo.lock"), &lock);
    }
}

/// What the server decoded from the request to `op` (the JSON after `request <op> `).
fn decoded<'a>(lines: &'a [String], op: &str) -> Vec<&'a str> {
    let prefix = format!("request {op} ");
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix.as_str()))
        .collect()
}

#[test]
fn rpcv2_cbor_client_against_cbor2() {
    let root = workspace_root().join("target").join("rpcv2-e2e");
    scratch_workspace(&root);
    let server = Server::start();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target = workspace_root()
        .join("target")
        .join("protocol-tests")
        .join("target");
    let out = Command::new(&cargo)
        .args(["run", "--quiet", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["-p", "probe", "--color", "never"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env(
            "GARDEN_ENDPOINT",
            format!("http://127.0.0.1:{}", server.port),
        )
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines = server.lines();
    assert!(
        out.status.success(),
        "the probe failed to build or run (exit {:?}) in {}:\n{stdout}\n{stderr}\nserver: {lines:#?}",
        out.status.code(),
        root.display()
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("error")),
        "the server refused a request: {lines:#?}"
    );

    // What cbor2 decoded from the client's requests.
    let plant = decoded(&lines, "PlantBed");
    assert_eq!(plant.len(), 1, "{lines:#?}");
    let plant = serde_json::from_str::<serde_json::Value>(plant[0]).unwrap();
    let want = serde_json::json!({
        "bed": {
            "name": "north",
            "plants": [
                {"species": "Daucus carota", "count": 3, "perennial": false, "sowedAt": "ts:1714521600.5"},
                {"species": "Rheum rhabarbarum", "count": 1}
            ],
            "soil": {"ph": 6.8},
            "sizeCm": {"width": 100, "length": 200},
            "heightsMm": [5, null]
        },
        "plantedAt": "ts:1717245015.25",
        "photo": "hex:000102ff",
        "care": {"schedule": {"days": ["sat", "sun"], "note": "weekend"}}
    });
    assert_eq!(plant, want, "PlantBed as cbor2 decoded it");
    let get: Vec<serde_json::Value> = decoded(&lines, "GetBed")
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        get,
        [
            serde_json::json!({"bedId": "south"}),
            serde_json::json!({"bedId": "missing"})
        ]
    );
    assert_eq!(
        decoded(&lines, "ListBeds"),
        ["null"],
        "ListBeds sends no body"
    );

    // What the client read from cbor2's responses.
    let v: BTreeMap<&str, &str> = stdout.lines().filter_map(|l| l.split_once('=')).collect();
    let expect = |key: &str, value: &str| {
        assert_eq!(v.get(key).copied(), Some(value), "{key} in:\n{stdout}");
    };
    expect("plant_bed_id", "bed-north");
    expect("plant_count", "Some(4)");
    expect("plant_received_at", "1717245015.250000000");
    expect("plant_echo_equal", "true");
    expect("plant_care_equal", "true");
    expect("get_name", "south");
    expect(
        "get_plants",
        "Allium cepa:Some(40):Some(false):1709251200.000000000|Rheum rhabarbarum:Some(2):Some(true):",
    );
    expect("get_soil", "nitrogen=0.1,ph=6.5");
    expect("get_size", "Some(120)xSome(5000000000)");
    expect("get_heights", "[Some(10), None, Some(30)]");
    expect("get_last_watered", "1717245015.250000000");
    expect("get_tags", "sun=full,water=drip");
    expect("get_care", "schedule:mon+thu:mornings");
    expect("get_photo", "[89, 50, 4e, 47, 0d, 0a, 1a, 0a, 00, ff]");
    expect("get_ratio", "Some(0.1)");
    expect("get_weights", "a=Some(1.5),b=None");
    expect("error_is_no_such_bed", "true");
    expect("error_code", "NoSuchBed");
    expect("error_message", "no bed missing");
    expect("error_bed_id", "missing");
    expect("list", "bed-north,bed-south");
    expect("done", "true");
}
