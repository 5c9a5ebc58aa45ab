//! `cargo xtask bench decode`: decode CPU of the same realistic response in rpcv2Cbor and in
//! awsJson 1.1, each through generated code (issue 21).
//!
//! The shape is the serde benchmark's large ListSecrets page (100 entries with every member
//! set, 10 tags and a 3-version stage map each: [`super::server::list_secrets_body`]). The
//! awsJson side is `generated/secretsmanager`; the rpcv2Cbor side is the same Secrets Manager
//! model with its protocol trait swapped for `smithy.protocols#rpcv2Cbor`, generated into
//! `bench-work/decode/sm_cbor`. A probe (`bench-work/decode/probe`, release build) converts the
//! JSON page to CBOR (the same document; `*Date` members as tag-1 timestamps), checks that each
//! side's generated `parse_response` reads its body (`fuzz_entry::output`), and decodes it N
//! times. Figures: instructions per decode (callgrind, N decodes minus 1) and wall time per
//! decode (median of 5 in-process rounds).

use std::fs;
use std::path::Path;
use std::time::Duration;

use super::proc::{self, Cmd};

/// Decodes per callgrind run (compared with a 1-decode run).
const CALLGRIND_DECODES: u64 = 200;
/// Decodes per timed round.
const TIMED_DECODES: u64 = 2000;

const PROBE: &str = r#"
use std::hint::black_box;
use std::time::Instant;

use awsrt::cbor::CborWriter;
use awsrt::types::{DateTime, Document, Number};

/// The JSON document as CBOR: numbers of `*Date` members become tag-1 timestamps.
fn to_cbor(w: &mut CborWriter, key: &str, d: &Document) {
    match d {
        Document::Number(n) if key.ends_with("Date") => {
            let secs = match *n {
                Number::PosInt(u) => u as f64,
                Number::NegInt(i) => i as f64,
                Number::Float(f) => f,
            };
            w.timestamp(&DateTime::from_secs_f64(secs));
        }
        Document::Object(m) => {
            w.begin_map();
            for (k, v) in m {
                w.key(k);
                to_cbor(w, k, v);
            }
            w.end_map();
        }
        Document::Array(items) => {
            w.begin_array(items.len());
            for v in items {
                to_cbor(w, key, v);
            }
        }
        other => w.document(other),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let what = args.next().unwrap_or_default();
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let json = std::fs::read(std::env::var("DECODE_BODY").expect("DECODE_BODY")).expect("body");
    let doc = Document::parse(&json).expect("the page is JSON");
    let mut w = CborWriter::new();
    to_cbor(&mut w, "", &doc);
    let cbor = w.finish();
    assert!(secretsmanager::fuzz_entry::output("ListSecrets", &json), "awsJson page parses");
    assert!(sm_cbor::fuzz_entry::output("ListSecrets", &cbor), "rpcv2Cbor page parses");
    let json_once = || secretsmanager::fuzz_entry::output("ListSecrets", black_box(&json));
    let cbor_once = || sm_cbor::fuzz_entry::output("ListSecrets", black_box(&cbor));
    match what.as_str() {
        "sizes" => println!("sizes json={} cbor={}", json.len(), cbor.len()),
        "json" => (0..n).for_each(|_| assert!(black_box(json_once()))),
        "cbor" => (0..n).for_each(|_| assert!(black_box(cbor_once()))),
        "time" => {
            let median = |f: &dyn Fn() -> bool| {
                let mut v: Vec<f64> = (0..5)
                    .map(|_| {
                        let t = Instant::now();
                        (0..n).for_each(|_| assert!(black_box(f())));
                        t.elapsed().as_secs_f64() * 1e9 / n as f64
                    })
                    .collect();
                v.sort_by(f64::total_cmp);
                v[2]
            };
            println!("time json={:.0} cbor={:.0}", median(&json_once), median(&cbor_once));
        }
        other => panic!("unknown mode {other}"),
    }
}
"#;

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    if fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    fs::write(path, text).map_err(|e| format!("write {}: {e}", path.display()))
}

/// The Secrets Manager model with rpcv2Cbor in place of awsJson 1.1.
fn cbor_model(root: &Path) -> Result<serde_json::Value, String> {
    let manifest = codegen::manifest::Manifest::load(&root.join("model/manifest.json"))?;
    let entry = manifest
        .services
        .iter()
        .find(|e| e.crate_name == "secretsmanager")
        .ok_or("model/manifest.json has no secretsmanager entry")?;
    let lookup = codegen::manifest::Lookup {
        local_dir: root.join("model"),
        models_dir: std::env::var_os("SMITHY_MODELS_DIR")
            .filter(|v| !v.is_empty())
            .map(Into::into),
        url_template: std::env::var("SMITHY_MODELS_URL")
            .unwrap_or_else(|_| codegen::manifest::DEFAULT_URL.to_string()),
        allow_download: true,
    };
    let (bytes, _) = codegen::manifest::locate(entry, &lookup)?;
    let mut doc: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| format!("secretsmanager model: {e}"))?;
    let shapes = doc
        .get_mut("shapes")
        .and_then(|s| s.as_object_mut())
        .ok_or("secretsmanager model has no shapes")?;
    let mut swapped = 0;
    for shape in shapes.values_mut() {
        let Some(traits) = shape.get_mut("traits").and_then(|t| t.as_object_mut()) else {
            continue;
        };
        if traits.remove("aws.protocols#awsJson1_1").is_some() {
            traits.insert("smithy.protocols#rpcv2Cbor".into(), serde_json::json!({}));
            swapped += 1;
        }
    }
    if swapped != 1 {
        return Err(format!("expected one awsJson1_1 service, found {swapped}"));
    }
    Ok(doc)
}

/// Generates, builds and runs the probe; prints the table.
pub fn run(root: &Path, work: &Path) -> Result<(), String> {
    let dir = work.join("decode");
    let runtime = root.join("runtime");
    let opts = codegen::CrateOptions {
        runtime_path: runtime.display().to_string(),
        version: "0.1.0".into(),
    };
    let doc = cbor_model(root)?;
    let files = codegen::generate_crate_from_doc(
        &doc,
        "secretsmanager (rpcv2Cbor)",
        None,
        "sm_cbor",
        &opts,
    )
    .map_err(|e| format!("generating the rpcv2Cbor Secrets Manager: {e}"))?;
    codegen::write::write_tree(&dir.join("sm_cbor"), &files, false)
        .map_err(|e| format!("writing sm_cbor: {e}"))?;
    write(
        &dir.join("Cargo.toml"),
        "# Scratch workspace of `cargo xtask bench decode` (not committed).\n\
         [workspace]\nresolver = \"2\"\nmembers = [\"sm_cbor\", \"probe\"]\n\n\
         [profile.release]\ndebug = 1\n",
    )?;
    write(
        &dir.join("probe/Cargo.toml"),
        &format!(
            "[package]\nname = \"probe\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nawsrt = {{ path = {:?} }}\n\
             secretsmanager = {{ path = {:?}, features = [\"fuzzing\"] }}\n\
             sm_cbor = {{ path = \"../sm_cbor\", features = [\"fuzzing\"] }}\n",
            runtime.display().to_string(),
            root.join("generated/secretsmanager").display().to_string()
        ),
    )?;
    write(&dir.join("probe/src/main.rs"), PROBE)?;
    if let Ok(lock) = fs::read_to_string(root.join("Cargo.lock")) {
        write(&dir.join("Cargo.lock"), &lock)?;
    }
    let body = dir.join("list_secrets.json");
    fs::write(&body, super::server::list_secrets_body()).map_err(|e| e.to_string())?;
    let target = work.join("target-decode");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let log = dir.join("build.log");
    eprintln!("bench decode: building the probe (release)");
    let build = Cmd::new(&cargo)
        .args([
            "build",
            "--release",
            "--quiet",
            "-p",
            "probe",
            "--manifest-path",
        ])
        .args([dir.join("Cargo.toml").display().to_string()])
        .env("CARGO_TARGET_DIR", target.display().to_string());
    proc::run(&build, &log, Duration::from_secs(3600), false)
        .map_err(|e| format!("{e}\n{}", proc::tail(&log, 30)))?;
    let exe = target.join("release/probe").display().to_string();
    let probe = |args: &[&str]| {
        Cmd::new(&exe)
            .args(args.iter().copied())
            .env("DECODE_BODY", body.display().to_string())
    };
    let stdout = |args: &[&str]| -> Result<String, String> {
        let out = std::process::Command::new(&exe)
            .args(args)
            .env("DECODE_BODY", &body)
            .output()
            .map_err(|e| format!("{exe}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "{exe} {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    };
    let field = |text: &str, key: &str| -> f64 {
        text.split_whitespace()
            .find_map(|w| w.strip_prefix(key)?.strip_prefix('=')?.parse().ok())
            .unwrap_or(f64::NAN)
    };
    let sizes = stdout(&["sizes"])?;
    let times = stdout(&["time", &TIMED_DECODES.to_string()])?;
    let mut instructions = Vec::new();
    for side in ["cbor", "json"] {
        let mut counts = Vec::new();
        for n in [1, CALLGRIND_DECODES + 1] {
            let tag = format!("decode-{side}-{n}");
            let out = dir.join(format!("callgrind.out.{tag}"));
            let log = dir.join(format!("callgrind-{tag}.log"));
            let cmd = probe(&[side, &n.to_string()]);
            counts.push(proc::callgrind(
                &cmd,
                &out,
                &log,
                Duration::from_secs(1800),
            )?);
        }
        instructions.push(counts[1].saturating_sub(counts[0]) / CALLGRIND_DECODES);
    }
    let md = format!(
        "| large ListSecrets page (100 entries), through generated code | rpcv2Cbor | awsJson 1.1 |\n\
         |---|---:|---:|\n\
         | body size | {} B | {} B |\n\
         | CPU per decode (instructions, callgrind) | {} | {} |\n\
         | wall time per decode (median of 5 rounds of {TIMED_DECODES}) | {:.1} µs | {:.1} µs |\n\n\
         Decode = `fuzz_entry::output(\"ListSecrets\", body)`: the generated `parse_response` of a 200 \
         reply (the body copied into the response, then read into `ListSecretsOutput`). \
         Instructions: {CALLGRIND_DECODES} decodes minus 1 decode under callgrind, divided by \
         {CALLGRIND_DECODES}.\n",
        field(&sizes, "cbor"),
        field(&sizes, "json"),
        instructions[0],
        instructions[1],
        field(&times, "cbor") / 1000.0,
        field(&times, "json") / 1000.0,
    );
    println!("{md}");
    write(&work.join("decode.md"), &md)?;
    eprintln!(
        "bench decode: table in {}",
        work.join("decode.md").display()
    );
    Ok(())
}
