//! One protocol file end to end: generate a crate per suite and a cases crate into a scratch
//! workspace under `target/protocol-tests/<tag>/`, run `cargo test` there once, and map the
//! results back to case ids.

use std::path::Path;

use super::convert::to_smithy;
use super::data::{self, Direction, Suite};
use super::render::render_suite;
use super::skips;
use super::values::{snake, Cx};
use super::workspace::{self, base_dir, workspace_root, CaseCrate, Outcome};

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

/// Generates the crate of one suite and renders its tests.
fn suite_crate(
    root: &Path,
    tag: &str,
    direction: Direction,
    suite: &Suite,
    failed: &mut Vec<(String, String)>,
) -> Option<CaseCrate> {
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
    Some(CaseCrate {
        doc: format!("Suite `{module}`"),
        krate,
        module,
        source: rendered.source,
        tests: rendered.tests,
    })
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
    let root = base_dir().join(&tag);
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
    let what = format!("tests/protocol, {}", summary.name);
    for (id, outcome) in workspace::run_cases(&root, &what, &crates)? {
        match outcome {
            Outcome::Passed => summary.passed.push(id),
            Outcome::Failed(why) => summary.failed.push((id, why)),
        }
    }
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

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
