//! The scratch workspace both protocol harnesses build and run their cases in: generated client
//! crates under `<root>/suites/`, a `cases` crate whose support library is [`super::support`] and
//! whose one test file holds a module of tests per client crate, built and run with one
//! `cargo test`; libtest's output is mapped back to case labels.
//!
//! Every harness shares `target/protocol-tests/target` as the cargo target directory, so the
//! runtime and its dependencies are built once for all of them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The source of the cases crate's support library.
const SUPPORT: &str = include_str!("support.rs");

/// A generated client crate and the tests rendered against it.
#[derive(Debug)]
pub struct CaseCrate {
    /// The generated crate's name (its directory under `suites/`).
    pub krate: String,
    /// The module of the cases crate holding its tests.
    pub module: String,
    /// A line of docs for the module.
    pub doc: String,
    /// The module body: one `#[tokio::test]` per case.
    pub source: String,
    /// `(test function, case label)`.
    pub tests: Vec<(String, String)>,
}

/// How one rendered case ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The test passed.
    Passed,
    /// The test failed (its captured output) or did not run.
    Failed(String),
}

/// The project workspace (parent of the `tests` package).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// `target/protocol-tests`: the scratch workspaces and their shared target directory.
pub fn base_dir() -> PathBuf {
    workspace_root().join("target").join("protocol-tests")
}

/// Writes `text` to `path` unless it already holds exactly that (keeps cargo's fingerprints).
pub fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The name of the test package of the scratch workspace at `root`: its own in every workspace.
/// The workspaces share one target directory, where cargo names a path package's artifacts by
/// its name and its path within its workspace; two workspaces' test packages of one name would
/// overwrite each other's test binary when their suites run at the same time.
fn cases_package(root: &Path) -> String {
    let dir = root
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let dir: String = dir
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("cases_{dir}")
}

fn cases_manifest(package: &str, crates: &[CaseCrate]) -> String {
    let runtime = workspace_root().join("runtime");
    let mut s = format!(
        "[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
         # The rendered tests call the support library as `::cases`.\n[lib]\nname = \"cases\"\n\n\
         [dependencies]\nawsrt = {{ path = {:?} }}\n\
         tokio = {{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"time\", \"io-util\"] }}\n",
        runtime.display().to_string()
    );
    for c in crates {
        s.push_str(&format!(
            "{} = {{ path = \"../suites/{}\" }}\n",
            c.krate, c.krate
        ));
    }
    s
}

/// Test outcomes from libtest's pretty output: name → passed, and the captured output of
/// failed tests.
fn parse_results(stdout: &str) -> (BTreeMap<String, bool>, BTreeMap<String, String>) {
    let mut results = BTreeMap::new();
    for line in stdout.lines() {
        let Some(rest) = line.strip_prefix("test ") else {
            continue;
        };
        if let Some(name) = rest.strip_suffix(" ... ok") {
            results.insert(name.to_owned(), true);
        } else if let Some(name) = rest.strip_suffix(" ... FAILED") {
            results.insert(name.to_owned(), false);
        }
    }
    let mut output = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in stdout.lines() {
        if let Some(name) = line
            .strip_prefix("---- ")
            .and_then(|l| l.strip_suffix(" stdout ----"))
        {
            if let Some((n, o)) = current.take() {
                output.insert(n, o);
            }
            current = Some((name.to_owned(), String::new()));
        } else if line == "failures:" || line.starts_with("test result:") {
            if let Some((n, o)) = current.take() {
                output.insert(n, o);
            }
        } else if let Some((_, o)) = current.as_mut() {
            if line.starts_with("note: run with `RUST_BACKTRACE") {
                continue;
            }
            o.push_str(line);
            o.push('\n');
        }
    }
    if let Some((n, o)) = current.take() {
        output.insert(n, o);
    }
    (results, output)
}

/// Writes the scratch workspace at `root` (the crates' generated sources must already be in
/// `root/suites/<krate>`), runs its tests once and returns each case label's outcome, in the
/// order of `crates` and their tests. `what` names the suite in messages and in the generated
/// file's header. An error means nothing ran (typically: the generated code does not compile).
pub fn run_cases(
    root: &Path,
    what: &str,
    crates: &[CaseCrate],
) -> Result<Vec<(String, Outcome)>, String> {
    let mut tests = format!(
        "//! Generated by the protocol-compliance harness ({what}): one test per case.\n\
         #![allow(unused_imports, unused_variables, clippy::all)]\n\n"
    );
    let mut expected: Vec<(String, String)> = Vec::new();
    for c in crates {
        tests.push_str(&format!(
            "/// {} (crate `{}`).\nmod {} {{\n{}}}\n\n",
            c.doc, c.krate, c.module, c.source
        ));
        for (f, label) in &c.tests {
            expected.push((format!("{}::{f}", c.module), label.clone()));
        }
    }
    let package = cases_package(root);
    let members: Vec<String> = std::iter::once("\"cases\"".to_owned())
        .chain(crates.iter().map(|c| format!("\"suites/{}\"", c.krate)))
        .collect();
    write(
        &root.join("Cargo.toml"),
        &format!(
            "# Scratch workspace of the protocol-compliance harness (not committed).\n\
             [workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )?;
    write(
        &root.join("cases").join("Cargo.toml"),
        &cases_manifest(&package, crates),
    )?;
    write(&root.join("cases").join("src").join("lib.rs"), SUPPORT)?;
    write(&root.join("cases").join("tests").join("cases.rs"), &tests)?;
    // The project's lock file pins the same dependency versions (no registry access needed).
    if let Ok(lock) = std::fs::read_to_string(workspace_root().join("Cargo.lock")) {
        write(&root.join("Cargo.lock"), &lock)?;
    }

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(&cargo)
        .args(["test", "--quiet", "--no-fail-fast", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["-p", &package, "--test", "cases", "--color", "never"])
        .args(["--", "--format", "pretty", "--color", "never"])
        .env("CARGO_TARGET_DIR", base_dir().join("target"))
        .env_remove("CARGO_BUILD_TARGET_DIR")
        .env("RUST_BACKTRACE", "0")
        .output()
        .map_err(|e| format!("cannot run {cargo}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let (results, output) = parse_results(&stdout);
    if results.is_empty() && !expected.is_empty() {
        let tail: Vec<&str> = stderr.lines().rev().take(80).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "{what}: cargo test in {} ran no test (exit {:?}); the generated code probably does \
             not compile:\n{}",
            root.display(),
            out.status.code(),
            tail.join("\n")
        ));
    }
    Ok(expected
        .into_iter()
        .map(|(test, label)| {
            let outcome = match results.get(&test) {
                Some(true) => Outcome::Passed,
                Some(false) => Outcome::Failed(
                    output
                        .get(&test)
                        .cloned()
                        .unwrap_or_else(|| "failed (no output captured)".to_owned()),
                ),
                None => Outcome::Failed(format!("test {test} did not run")),
            };
            (label, outcome)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn libtest_output_is_parsed() {
        let out = "\nrunning 3 tests\ntest a::x ... ok\ntest a::y ... FAILED\ntest b::z ... ignored\n\n\
                   failures:\n\n---- a::y stdout ----\nthread 'a::y' panicked at x.rs:1:1:\nboom\n\n\n\
                   failures:\n    a::y\n\ntest result: FAILED. 1 passed; 1 failed\n";
        let (results, output) = parse_results(out);
        assert_eq!(results.get("a::x"), Some(&true));
        assert_eq!(results.get("a::y"), Some(&false));
        assert_eq!(results.get("b::z"), None);
        assert!(output["a::y"].contains("boom"), "{output:?}");
    }

    #[test]
    fn test_packages_are_named_after_their_workspace() {
        assert_eq!(
            cases_package(Path::new("/t/protocol-tests/smithy_restJson1_events")),
            "cases_smithy_restjson1_events"
        );
        assert_ne!(
            cases_package(Path::new("/t/smithy_restJson1")),
            cases_package(Path::new("/t/smithy_restJson1_events"))
        );
    }

    #[test]
    fn manifest_names_every_crate() {
        let c = CaseCrate {
            krate: "pt_x".into(),
            module: "m".into(),
            doc: "d".into(),
            source: String::new(),
            tests: Vec::new(),
        };
        let m = cases_manifest("cases_x", &[c]);
        assert!(m.contains("name = \"cases_x\""), "{m}");
        assert!(m.contains("pt_x = { path = \"../suites/pt_x\" }"), "{m}");
        assert!(m.contains("awsrt = { path = "), "{m}");
    }
}
