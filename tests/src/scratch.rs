//! Scratch workspaces for tests that need a generated crate the workspace does not hold: a
//! model is generated with the real generator into `target/<name>/<crate>`, a small program
//! (the "probe") that uses it is written beside it, and the probe is built and run with cargo.
//!
//! Every scratch workspace builds in the protocol harnesses' target directory
//! (`target/protocol-tests/target`), so the runtime and its dependencies are compiled once for
//! all of them, and copies the project's `Cargo.lock`, so the same dependency versions are used
//! and no registry is needed. Give each probe a package name of its own: probes of different
//! workspaces share the target directory.

use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

use crate::workspace_root;

/// `target/protocol-tests/target`: the cargo target directory every scratch workspace shares.
pub fn shared_target_dir() -> PathBuf {
    workspace_root()
        .join("target")
        .join("protocol-tests")
        .join("target")
}

/// Writes `text` to `path` unless it already holds exactly that (keeps cargo's fingerprints),
/// creating the folders. Panics naming the file when it cannot be written.
pub fn write_if_changed(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", parent.display()));
    }
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

/// A scratch workspace under `target/<name>`: generated crates plus one probe program.
#[derive(Debug)]
pub struct ScratchWorkspace {
    root: PathBuf,
    crates: Vec<String>,
    probe: Option<String>,
}

impl ScratchWorkspace {
    /// The workspace `target/<name>` (created as files are written).
    pub fn new(name: &str) -> ScratchWorkspace {
        ScratchWorkspace {
            root: workspace_root().join("target").join(name),
            crates: Vec::new(),
            probe: None,
        }
    }

    /// Its folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Generates the model `json` (named `file_name` in messages) as crate `krate` into
    /// `<root>/<krate>`, with the runtime of this checkout, and returns the generated files
    /// (path inside the crate, text). Panics with the generator's error.
    pub fn generate(
        &mut self,
        json: &str,
        file_name: &str,
        krate: &str,
    ) -> std::collections::BTreeMap<String, String> {
        let runtime = workspace_root()
            .join("runtime")
            .canonicalize()
            .expect("the runtime folder");
        let opts = codegen::CrateOptions {
            runtime_path: runtime.display().to_string(),
            version: "0.1.0".into(),
        };
        let files = codegen::generate_crate(json, file_name, None, krate, &opts)
            .unwrap_or_else(|e| panic!("the generator failed on {file_name}: {e}"));
        codegen::write::write_tree(&self.root.join(krate), &files, false)
            .unwrap_or_else(|e| panic!("cannot write the generated {krate}: {e}"));
        if !self.crates.iter().any(|c| c == krate) {
            self.crates.push(krate.to_owned());
        }
        files
    }

    /// Writes the probe: package `package` (unique across scratch workspaces), a binary whose
    /// `main.rs` is `main_rs`, depending on the runtime, on generated crates (by path, each
    /// with the features given: `&[("lex", &["serde"])]`) and on the `extra` dependency lines
    /// (TOML). Then writes the workspace manifest and the lock file.
    pub fn write_probe(
        &mut self,
        package: &str,
        crates: &[(&str, &[&str])],
        extra: &str,
        main_rs: &str,
    ) {
        let runtime = workspace_root()
            .join("runtime")
            .canonicalize()
            .expect("the runtime folder");
        let mut manifest = format!(
            "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\
             publish = false\n\n[dependencies]\nawsrt = {{ path = {:?} }}\n",
            runtime.display().to_string()
        );
        for (krate, features) in crates {
            assert!(
                self.crates.iter().any(|c| c == krate),
                "{krate} was not generated into {}",
                self.root.display()
            );
            let features: Vec<String> = features.iter().map(|f| format!("{f:?}")).collect();
            manifest.push_str(&format!(
                "{krate} = {{ path = \"../{krate}\", features = [{}] }}\n",
                features.join(", ")
            ));
        }
        manifest.push_str(extra);
        if !extra.ends_with('\n') {
            manifest.push('\n');
        }
        write_if_changed(&self.root.join("probe/Cargo.toml"), &manifest);
        write_if_changed(&self.root.join("probe/src/main.rs"), main_rs);
        let members: Vec<String> = self
            .crates
            .iter()
            .map(|c| format!("\"{c}\""))
            .chain(std::iter::once("\"probe\"".to_owned()))
            .collect();
        write_if_changed(
            &self.root.join("Cargo.toml"),
            &format!(
                "# Scratch workspace of an integration test (not committed).\n\
                 [workspace]\nresolver = \"2\"\nmembers = [{}]\n",
                members.join(", ")
            ),
        );
        // The project's lock file pins the same dependency versions.
        if let Ok(lock) = std::fs::read_to_string(workspace_root().join("Cargo.lock")) {
            write_if_changed(&self.root.join("Cargo.lock"), &lock);
        }
        self.probe = Some(package.to_owned());
    }

    /// Builds the probe (`cargo build`) and returns how long cargo took. Panics with cargo's output when
    /// the build fails.
    pub fn build_probe(&self) -> Duration {
        let package = self.probe.as_deref().expect("write_probe first");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let started = Instant::now();
        let out = std::process::Command::new(&cargo)
            .args(["build", "--quiet", "--manifest-path"])
            .arg(self.root.join("Cargo.toml"))
            .args(["-p", package, "--color", "never"])
            .env("CARGO_TARGET_DIR", shared_target_dir())
            .env_remove("CARGO_BUILD_TARGET_DIR")
            .output()
            .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
        let took = started.elapsed();
        assert!(
            out.status.success(),
            "the probe does not build (exit {:?}) in {}:\n{}\n{}",
            out.status.code(),
            self.root.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        took
    }

    /// The built probe program.
    pub fn probe_binary(&self) -> PathBuf {
        let package = self.probe.as_deref().expect("write_probe first");
        shared_target_dir()
            .join("debug")
            .join(format!("{package}{}", std::env::consts::EXE_SUFFIX))
    }

    /// Runs the built probe with `env` added to this process's environment and waits for it
    /// (at most `limit`: a probe still running then is killed and the call panics).
    pub async fn run_probe(&self, env: &[(&str, String)], limit: Duration) -> Output {
        let binary = self.probe_binary();
        let mut cmd = tokio::process::Command::new(&binary);
        cmd.envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .env("RUST_BACKTRACE", "0")
            .kill_on_drop(true);
        match tokio::time::timeout(limit, cmd.output()).await {
            Ok(out) => out.unwrap_or_else(|e| panic!("cannot run {}: {e}", binary.display())),
            Err(_) => panic!("the probe {} ran longer than {limit:?}", binary.display()),
        }
    }
}

/// The `key=value` lines of a probe's output (later keys win).
pub fn key_values(stdout: &str) -> std::collections::BTreeMap<&str, &str> {
    stdout.lines().filter_map(|l| l.split_once('=')).collect()
}
