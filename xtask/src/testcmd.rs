//! `cargo xtask test`: the whole test suite, as CI runs it.
//!
//! Sets `SMITHY_MODELS_DIR` / `SMITHY_TESTDATA_DIR` to `../shared/...` when unset, installs the moto
//! server into a virtualenv under `target/` (once), checks that `generated/` is fresh, runs every
//! workspace test with `INSTA_UPDATE=no`, then the generality sweep (all models generated, a few
//! type-checked), whose last lines are its figures: `generated N/M, compiled K/L` and
//! `behaviours: waiters H/A, ...` (what the generated crates handle of what the models ask for).

use std::path::Path;
use std::process::Command;

use crate::root;

/// The pinned moto release the end-to-end tests run against.
pub const MOTO: &str = "moto[server]==5.2.5";

/// The models CI type-checks after generating all of them: awsJson (DynamoDB, KMS, SSM, Glue),
/// restJson1 (Lambda-like HTTP bindings in IoT Data, event streams in Lex Runtime V2,
/// bearer-token auth in CodeCatalyst, greedy labels and blob payloads in MediaStore Data),
/// awsQuery (CloudWatch with request compression, Elastic Load Balancing v2) and restXml
/// (CloudFront, S3 Control with its host-prefix customization). S3, STS, IAM, SNS and SQS are
/// in the workspace and built by the tests.
pub const SWEEP_COMPILE: &str =
    "dynamodb,kms,ssm,glue,iot-data-plane,lex-runtime-v2,codecatalyst,mediastore-data,cloudwatch,elastic-load-balancing-v2,cloudfront,s3-control";

/// Generated crates whose serde round trips run beside the workspace tests: awsJson
/// (Secrets Manager, DynamoDB), restJson1 (EKS, SSO), awsQuery (STS, IAM), restXml (S3),
/// Smithy RPC v2 (garden). The sweep runs them for any model with `--serde`.
const SERDE_CRATES: &[&str] = &[
    "secretsmanager",
    "dynamodb",
    "eks",
    "sso",
    "sts",
    "iam",
    "s3",
    "garden",
];

/// The crates CI builds with only a few operations on, so the feature wiring cannot rot.
const MINIMAL_CRATES: &[&str] = &["s3", "dynamodb"];
/// Their operations (DynamoDB's need the endpoint-discovery operation, turned on by them).
const MINIMAL_FEATURES: &str = "s3/get_object,s3/put_object,s3/list_objects_v2,\
                                dynamodb/get_item,dynamodb/put_item,dynamodb/query";

/// Runs the suite.
pub fn run(args: &[String]) -> Result<(), String> {
    let quick = args.iter().any(|a| a == "--no-sweep");
    let root = root();
    for (var, sub) in [
        ("SMITHY_MODELS_DIR", "models"),
        ("SMITHY_TESTDATA_DIR", "testdata"),
    ] {
        if std::env::var_os(var).is_none_or(|v| v.is_empty()) {
            let default = root.join("..").join("shared").join(sub);
            if !default.is_dir() {
                return Err(format!("{var} is not set and {} does not exist: point {var} at the shared {sub} folder", default.display()));
            }
            // SAFETY-free: single-threaded at this point; children inherit it.
            unsafe_set_env(var, &default);
        }
    }
    let moto = ensure_moto(&root)?;
    unsafe_set_env("MOTO_SERVER_BIN", &moto);

    step(
        "codegen --check",
        &root,
        Command::new(exe()?).args(["codegen", "--check"]),
    )?;
    let summaries = root.join("target/test-summaries");
    let _ = std::fs::remove_dir_all(&summaries);
    step(
        "cargo test --workspace",
        &root,
        Command::new(cargo())
            .args(["test", "--workspace", "--all-targets"])
            .env("INSTA_UPDATE", "no"),
    )?;
    print_summaries(&summaries);
    step(
        "serde round trips (a few crates of each protocol)",
        &root,
        Command::new(cargo())
            .args(["test", "--features", "serde", "--lib"])
            .args(SERDE_CRATES.iter().flat_map(|c| ["-p", c]))
            .arg("serde_tests")
            .env("INSTA_UPDATE", "no"),
    )?;
    step(
        "cargo test --doc",
        &root,
        Command::new(cargo())
            .args(["test", "--workspace", "--doc"])
            .env("INSTA_UPDATE", "no"),
    )?;
    step(
        "only some operations (per-operation features: lints, then a build)",
        &root,
        Command::new(cargo())
            .args(["clippy", "--all-targets", "--no-default-features"])
            .args(["--features", MINIMAL_FEATURES])
            .args(MINIMAL_CRATES.iter().flat_map(|c| ["-p", c]))
            .args(["--", "-D", "warnings"]),
    )?;
    step(
        "only some operations, build",
        &root,
        Command::new(cargo())
            .args(["build", "--no-default-features"])
            .args(["--features", MINIMAL_FEATURES])
            .args(MINIMAL_CRATES.iter().flat_map(|c| ["-p", c])),
    )?;
    if !quick {
        step(
            "sweep",
            &root,
            Command::new(exe()?).args(["sweep", "--compile", SWEEP_COMPILE]),
        )?;
    }
    eprintln!("all tests passed");
    Ok(())
}

/// Prints the one-line summaries the tests left (conformance counts, protocol suites).
fn print_summaries(dir: &Path) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<_> = rd.flatten().map(|e| e.path()).collect();
    files.sort();
    eprintln!("==> test summaries");
    for f in files {
        if let Ok(text) = std::fs::read_to_string(&f) {
            for line in text.lines() {
                eprintln!("{line}");
            }
        }
    }
}

fn unsafe_set_env(var: &str, value: &Path) {
    // Only called before any thread is spawned.
    unsafe { std::env::set_var(var, value) };
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// This xtask binary. `cargo test --workspace` relinks `target/debug/xtask` while the suite
/// runs, after which Linux reports the running image as `<path> (deleted)`; the rebuilt binary at
/// the same path is the one to run.
fn exe() -> Result<std::path::PathBuf, String> {
    let path = std::env::current_exe().map_err(|e| format!("cannot find the xtask binary: {e}"))?;
    let text = path.to_string_lossy();
    Ok(match text.strip_suffix(" (deleted)") {
        Some(live) => std::path::PathBuf::from(live),
        None => path,
    })
}

fn step(name: &str, root: &Path, cmd: &mut Command) -> Result<(), String> {
    eprintln!("==> {name}");
    let status = cmd
        .current_dir(root)
        .status()
        .map_err(|e| format!("{name}: cannot start: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{name} failed ({status})"))
    }
}

/// Installs moto into `target/moto-venv` unless it is already there; returns the server binary.
fn ensure_moto(root: &Path) -> Result<std::path::PathBuf, String> {
    let venv = root.join("target/moto-venv");
    let bin = venv.join("bin/moto_server");
    let stamp = venv.join(".installed");
    if bin.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s.trim() == MOTO) {
        return Ok(bin);
    }
    eprintln!("==> installing {MOTO} into {}", venv.display());
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
    let ok = Command::new(&python)
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !ok.success() {
        return Err(format!("`{python} -m venv {}` failed", venv.display()));
    }
    let ok = Command::new(venv.join("bin/pip"))
        .args(["install", "--quiet", "--disable-pip-version-check", MOTO])
        .status()
        .map_err(|e| format!("cannot run pip: {e}"))?;
    if !ok.success() || !bin.exists() {
        return Err(format!("pip install '{MOTO}' failed"));
    }
    std::fs::write(&stamp, MOTO).map_err(|e| e.to_string())?;
    Ok(bin)
}
