//! Runs the user-facing example binary `secrets_demo` (package `secretsmanager-examples`) against
//! moto, configured only through the standard environment variables, and checks what it prints,
//! its exit status and what it left in moto.
//!
//! The binary is built once per test process with `cargo build -p secretsmanager-examples`
//! (cargo's JSON messages give its path).

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use integration_tests::moto::{
    unique_name, MotoServer, DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY,
};
use secretsmanager::primitives::Document;
use secretsmanager::types::{Filter, FilterNameStringType};
use secretsmanager::Client;

/// Builds the example and returns the executable's path.
fn demo_binary() -> &'static PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = Command::new(cargo)
            .args([
                "build",
                "-p",
                "secretsmanager-examples",
                "--bin",
                "secrets_demo",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(integration_tests::workspace_root())
            .output()
            .expect("cargo runs");
        assert!(
            out.status.success(),
            "building the example failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|line| Document::parse(line.as_bytes()).ok())
            .filter(|msg| msg.get("reason").and_then(Document::as_str) == Some("compiler-artifact"))
            .filter(|msg| {
                msg.get("target")
                    .and_then(|t| t.get("name"))
                    .and_then(Document::as_str)
                    == Some("secrets_demo")
            })
            .find_map(|msg| {
                msg.get("executable")
                    .and_then(Document::as_str)
                    .map(PathBuf::from)
            })
            .expect("cargo reported the secrets_demo executable")
    })
}

/// A temporary, empty home directory (so no real `~/.aws` files are read); removed on drop.
struct EmptyHome(PathBuf);

impl EmptyHome {
    fn new() -> EmptyHome {
        let dir = std::env::temp_dir().join(unique_name("e2e-demo-home").replace('/', "_"));
        std::fs::create_dir_all(&dir).unwrap();
        EmptyHome(dir)
    }
}

impl Drop for EmptyHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs the demo with a clean environment: only `PATH`, `HOME` and `vars`.
fn run_demo(args: &[&str], vars: &[(&str, &str)]) -> (Output, String, String) {
    run_demo_with_config(args, vars, None)
}

/// [`run_demo`] with `~/.aws/config` holding `aws_config`.
fn run_demo_with_config(
    args: &[&str],
    vars: &[(&str, &str)],
    aws_config: Option<&str>,
) -> (Output, String, String) {
    let home = EmptyHome::new();
    if let Some(text) = aws_config {
        std::fs::create_dir_all(home.0.join(".aws")).unwrap();
        std::fs::write(home.0.join(".aws/config"), text).unwrap();
    }
    let mut cmd = Command::new(demo_binary());
    cmd.args(args).env_clear().env("HOME", &home.0);
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the demo runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// The standard variables pointing at `moto` in `region`.
fn moto_env(moto: &MotoServer, region: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ACCESS_KEY_ID", DUMMY_ACCESS_KEY_ID.to_string()),
        ("AWS_SECRET_ACCESS_KEY", DUMMY_SECRET_ACCESS_KEY.to_string()),
        ("AWS_REGION", region.to_string()),
        ("AWS_ENDPOINT_URL", moto.endpoint_url()),
    ]
}

fn as_refs<'a>(vars: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    vars.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

fn is_running(pid: u32) -> bool {
    Command::new("sh")
        .arg("-c")
        .arg(format!("kill -0 {pid} 2>/dev/null"))
        .status()
        .is_ok_and(|s| s.success())
}

#[tokio::test]
async fn demo_lists_creates_reads_and_deletes_against_its_own_moto() {
    // A dedicated server for this test: also proves a dropped MotoServer is gone.
    let moto = MotoServer::start().unwrap_or_else(|e| panic!("{e}"));
    let pid = moto.pid();
    let region = "us-east-1";
    let client = Client::new(&moto.config_in(region));
    for name in ["existing/one", "existing/two"] {
        client
            .create_secret()
            .name(name)
            .secret_string("pre-existing")
            .send()
            .await
            .unwrap();
    }
    let canary = "CANARY-value-7f3a-must-never-be-printed";
    let mut vars = moto_env(&moto, region);
    vars.push(("SECRETS_DEMO_VALUE", canary.to_string()));
    let (out, stdout, stderr) = run_demo(&["--name", "demo/created"], &as_refs(&vars));
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );

    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "secrets_demo: region {region}, endpoint {}",
            moto.endpoint_url()
        )
    );
    assert_eq!(lines[1], "listed 2 secret(s)");
    assert!(
        lines.contains(&"  - existing/one") && lines.contains(&"  - existing/two"),
        "{stdout}"
    );
    let created = lines
        .iter()
        .find(|l| l.starts_with("created secret demo/created (version "))
        .unwrap_or_else(|| panic!("{stdout}"));
    let version = created
        .trim_start_matches("created secret demo/created (version ")
        .trim_end_matches(')');
    assert_eq!(version.len(), 36, "a UUID version id: {created}");
    assert!(stdout.contains(&format!("read secret demo/created: version {version}, stages [AWSCURRENT], {} characters, matches what was stored (value not shown)", canary.len())), "{stdout}");
    assert!(
        stdout.contains("deleted secret demo/created (without recovery)"),
        "{stdout}"
    );
    assert_eq!(lines.last(), Some(&"done"));
    assert!(
        !stdout.contains("generated a random"),
        "the value came from SECRETS_DEMO_VALUE"
    );
    assert!(
        !stdout.contains(canary) && !stderr.contains(canary),
        "the secret value was printed"
    );

    // In moto: the demo's secret is gone, the others untouched.
    let err = client
        .describe_secret()
        .secret_id("demo/created")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err}"
    );
    assert_eq!(
        client
            .list_secrets()
            .send()
            .await
            .unwrap()
            .secret_list()
            .len(),
        2
    );

    drop(moto);
    assert!(!is_running(pid), "moto (pid {pid}) still runs after drop");
}

#[tokio::test]
async fn demo_runs_as_a_role_its_profile_assumes() {
    // The only credentials are a profile that assumes a role with another profile's keys: the
    // demo (through `awsconfig`) must call STS AssumeRole before Secrets Manager, or fail.
    let moto = MotoServer::shared().unwrap_or_else(|e| panic!("{e}"));
    let name = unique_name("demo/assumed");
    let vars = [
        ("AWS_REGION", "us-east-1".to_string()),
        ("AWS_ENDPOINT_URL", moto.endpoint_url()),
        ("AWS_PROFILE", "runner".to_string()),
        ("AWS_EC2_METADATA_DISABLED", "true".to_string()),
    ];
    let (out, stdout, stderr) = run_demo_with_config(
        &["--name", &name],
        &as_refs(&vars),
        Some(&format!(
            "[profile runner]\nrole_arn = arn:aws:iam::123456789012:role/demo-runner\n\
             source_profile = base\nrole_session_name = demo\n\
             [profile base]\naws_access_key_id = {DUMMY_ACCESS_KEY_ID}\n\
             aws_secret_access_key = {DUMMY_SECRET_ACCESS_KEY}\n"
        )),
    );
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status.code()
    );
    assert!(stdout.contains(&name), "{stdout}");

    // Without the source profile's keys the same run fails and says why.
    let (out, stdout, stderr) = run_demo_with_config(
        &["--name", &name],
        &as_refs(&vars),
        Some("[profile runner]\nrole_arn = arn:aws:iam::123456789012:role/demo-runner\nsource_profile = base\n[profile base]\nregion = us-east-1\n"),
    );
    assert!(!out.status.success(), "stdout:\n{stdout}");
    assert!(stderr.contains("source_profile `base`"), "{stderr}");
}

#[tokio::test]
async fn demo_generates_a_value_and_can_schedule_deletion() {
    let moto = MotoServer::shared().unwrap_or_else(|e| panic!("{e}"));
    // A region of its own on the shared server, so the listing is predictable.
    let region = "eu-west-3";
    let name = unique_name("demo/scheduled");
    let vars = moto_env(moto, region);
    let (out, stdout, stderr) =
        run_demo(&["--name", &name, "--recovery-days", "7"], &as_refs(&vars));
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("generated a random 32-character value"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("scheduled secret {name} for deletion in 7 days")),
        "{stdout}"
    );
    assert!(stdout.contains(", 32 characters, matches"), "{stdout}");

    let client = Client::new(&moto.config_in(region));
    let listed = client
        .list_secrets()
        .include_planned_deletion(true)
        .filters(
            Filter::builder()
                .key(FilterNameStringType::Name)
                .values(&name)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(listed.secret_list().len(), 1);
    assert!(
        listed.secret_list()[0].deleted_date().is_some(),
        "scheduled, not removed"
    );
    client
        .delete_secret()
        .secret_id(&name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn demo_reports_a_service_error_with_its_request_id() {
    let moto = MotoServer::shared().unwrap_or_else(|e| panic!("{e}"));
    let region = "eu-south-1";
    let name = unique_name("demo/taken");
    let client = Client::new(&moto.config_in(region));
    client
        .create_secret()
        .name(&name)
        .secret_string("already here")
        .send()
        .await
        .unwrap();
    let vars = moto_env(moto, region);
    let (out, stdout, stderr) = run_demo(&["--name", &name], &as_refs(&vars));
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.starts_with("secrets_demo: CreateSecret failed: "),
        "{stderr}"
    );
    assert!(stderr.contains("ResourceExistsException"), "{stderr}");
    assert!(stderr.contains("request id "), "{stderr}");
    assert!(!stdout.contains("created secret"));
    // The existing secret was not touched.
    let got = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(got.secret_string().unwrap().expose_secret(), "already here");
    client
        .delete_secret()
        .secret_id(&name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
}

#[test]
fn demo_reports_an_unreachable_endpoint() {
    let (out, stdout, stderr) = run_demo(
        &[],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIDUNREACHABLE00001"),
            ("AWS_SECRET_ACCESS_KEY", "secret"),
            ("AWS_REGION", "us-east-1"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            ("AWS_MAX_ATTEMPTS", "1"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stdout.starts_with("secrets_demo: region us-east-1, endpoint http://127.0.0.1:1"),
        "{stdout}"
    );
    assert!(
        stderr.starts_with("secrets_demo: ListSecrets failed: dispatch failure"),
        "{stderr}"
    );
}

#[test]
fn demo_rejects_bad_arguments_and_explains_usage() {
    let (out, _, stderr) = run_demo(&["--recovery-days", "3"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("--recovery-days must be between 7 and 30"),
        "{stderr}"
    );
    assert!(stderr.contains("usage: secrets_demo"), "{stderr}");
    let (out, _, stderr) = run_demo(&["--bogus"], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("unknown argument \"--bogus\""), "{stderr}");
    let (out, stdout, _) = run_demo(&["--help"], &[]);
    assert!(out.status.success());
    assert!(stdout.contains("never printed"), "{stdout}");
}
