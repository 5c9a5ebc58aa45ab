//! One protocol file end to end: generate a crate per suite and a cases crate into a scratch
//! workspace under `target/protocol-tests/<tag>/`, run `cargo test` there once, and map the
//! results back to case ids.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use super::convert::to_smithy;
use super::data::{self, Direction, Suite};
use super::render::{render_suite, snake, Cx};
use super::skips;

/// The source of the cases crate's support library.
const SUPPORT: &str = include_str!("support.rs");

/// What happened to the cases of one file.
#[derive(Debug, Default)]
pub struct Summary {
    /// `input/json.json` etc.
    pub name: String,
    /// Every case in the file.
    pub total: usize,
    /// Case ids that passed.
    pub passed: Vec<String>,
    /// `(case id, reason)` of cases that did not apply.
    pub not_applicable: Vec<(String, String)>,
    /// `(case id, what went wrong)`.
    pub failed: Vec<(String, String)>,
}

impl Summary {
    /// `protocol <file>: passed N/M, not applicable K` plus one line per failure.
    pub fn report(&self) -> String {
        let ran = self.total - self.not_applicable.len();
        let mut s = format!(
            "protocol {}: passed {}/{ran}, not applicable {}",
            self.name,
            self.passed.len(),
            self.not_applicable.len()
        );
        for (id, why) in &self.not_applicable {
            s.push_str(&format!("\n  not applicable {id}: {why}"));
        }
        for (id, why) in &self.failed {
            s.push_str(&format!(
                "\n  FAILED {id}: {}",
                why.trim_end().replace('\n', "\n    ")
            ));
        }
        s
    }
}

/// The project workspace (parent of the `tests` package).
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// A generated suite: its crate and its rendered tests.
struct SuiteCrate {
    krate: String,
    module: String,
    source: String,
    /// test function → case id.
    tests: Vec<(String, String)>,
}

/// Generates the crate of one suite and renders its tests.
fn suite_crate(
    root: &Path,
    tag: &str,
    direction: Direction,
    suite: &Suite,
    failed: &mut Vec<(String, String)>,
) -> Option<SuiteCrate> {
    let krate = format!("pt_{tag}_{:02}", suite.index);
    let op = suite
        .cases
        .first()
        .map(|c| c.operation())
        .unwrap_or("suite");
    let module = format!("s{:02}_{}", suite.index, snake(op));
    let runtime = workspace_root().join("runtime");
    let generated = (|| {
        let model = to_smithy(suite).map_err(|e| format!("converting the suite: {e}"))?;
        let source = format!("{tag} suite #{} ({})", suite.index, suite.description);
        let opts = codegen::CrateOptions {
            runtime_path: runtime.display().to_string(),
            version: "0.1.0".into(),
        };
        let files = codegen::generate_crate(&model, &source, None, &krate, &opts)
            .map_err(|e| format!("the generator failed: {e}"))?;
        codegen::write::write_tree(&root.join("suites").join(&krate), &files, false)
            .map_err(|e| format!("writing the generated crate: {e}"))?;
        let parsed =
            codegen::model::Model::from_json(&model, &source).map_err(|e| e.to_string())?;
        codegen::ir::build(parsed, None, &krate).map_err(|e| e.to_string())
    })();
    let svc = match generated {
        Ok(svc) => svc,
        Err(e) => {
            for c in &suite.cases {
                if skips::reason(&c.id).is_none() {
                    failed.push((c.id.clone(), e.clone()));
                }
            }
            return None;
        }
    };
    let cx = Cx {
        svc: &svc,
        krate: &krate,
    };
    let rendered = render_suite(&cx, suite, direction, |id| skips::reason(id).is_some());
    failed.extend(rendered.failures);
    Some(SuiteCrate {
        krate,
        module,
        source: rendered.source,
        tests: rendered.tests,
    })
}

fn cases_manifest(crates: &[SuiteCrate]) -> String {
    let runtime = workspace_root().join("runtime");
    let mut s = format!(
        "[package]\nname = \"cases\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
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

/// Converts, generates, renders, builds and runs every case of one protocol file.
pub fn run_file(direction: Direction, file: &str) -> Result<Summary, String> {
    let dir = data::testdata_dir()?;
    let suites = data::load(&dir, direction, file)?;
    let name = format!("{}/{file}", direction.dir());
    let tag = format!(
        "{}_{}",
        direction.dir(),
        file.trim_end_matches(".json").replace(['.', '-'], "_")
    );
    let base = workspace_root().join("target").join("protocol-tests");
    let root = base.join(&tag);
    let mut summary = Summary {
        name,
        total: suites.iter().map(|s| s.cases.len()).sum(),
        ..Summary::default()
    };
    for s in &suites {
        for c in &s.cases {
            if let Some(why) = skips::reason(&c.id) {
                summary.not_applicable.push((c.id.clone(), why.to_owned()));
            }
        }
    }
    let mut crates = Vec::new();
    for suite in &suites {
        if let Some(c) = suite_crate(&root, &tag, direction, suite, &mut summary.failed) {
            crates.push(c);
        }
    }
    let mut tests = String::from(
        "//! Generated by the protocol-compliance harness (tests/protocol): one test per case.\n\
         #![allow(unused_imports, unused_variables, clippy::all)]\n\n",
    );
    let mut expected: BTreeMap<String, String> = BTreeMap::new();
    for c in &crates {
        tests.push_str(&format!(
            "/// Suite `{}` (crate `{}`).\nmod {} {{\n{}}}\n\n",
            c.module, c.krate, c.module, c.source
        ));
        for (f, id) in &c.tests {
            expected.insert(format!("{}::{f}", c.module), id.clone());
        }
    }
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
        &cases_manifest(&crates),
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
        .args(["-p", "cases", "--test", "cases", "--color", "never"])
        .args(["--", "--format", "pretty", "--color", "never"])
        .env("CARGO_TARGET_DIR", base.join("target"))
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
            "{}: cargo test in {} ran no test (exit {:?}); the generated code probably does not \
             compile:\n{}",
            summary.name,
            root.display(),
            out.status.code(),
            tail.join("\n")
        ));
    }
    for (test, id) in &expected {
        match results.get(test) {
            Some(true) => summary.passed.push(id.clone()),
            Some(false) => summary.failed.push((
                id.clone(),
                output
                    .get(test)
                    .cloned()
                    .unwrap_or_else(|| "failed (no output captured)".to_owned()),
            )),
            None => summary
                .failed
                .push((id.clone(), format!("test {test} did not run"))),
        }
    }
    Ok(summary)
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
    fn report_lists_failures_and_skips() {
        let s = Summary {
            name: "input/x.json".into(),
            total: 4,
            passed: vec!["a".into(), "b".into()],
            not_applicable: vec![("c".into(), "why".into())],
            failed: vec![("d".into(), "broke".into())],
        };
        let r = s.report();
        assert!(
            r.starts_with("protocol input/x.json: passed 2/3, not applicable 1"),
            "{r}"
        );
        assert!(
            r.contains("FAILED d: broke") && r.contains("not applicable c: why"),
            "{r}"
        );
    }
}
