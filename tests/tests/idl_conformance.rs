//! The IDL loader against the reference loader's own fixtures
//! (`$SMITHY_TESTDATA_DIR/smithy/idl-loader/`):
//!
//! - `valid/**/X.smithy` with `X.json` beside it: loaded with `valid/__shared.json`, the model is
//!   the one `X.json` gives with `valid/__shared.json` (shapes, members and their order, traits
//!   and their values);
//! - `valid/mixins/X.smithy` with `X.flattened.smithy`: once mixins are flattened, the same model;
//! - `invalid/**/*.smithy`: rejected with a one-line error naming the file, line and column, on
//!   the line the fixture's expected message names (when it names one).
//!
//! Prints `idl conformance: valid N/62, flattened F/13, invalid M/181`.

use std::path::{Path, PathBuf};

use codegen::idl::{self, Source};
use integration_tests::files_with_extension;
use integration_tests::model_compare::{first_diff, model_view};
use serde_json::Value;

/// Fixtures this loader does not meet, each with the reason. Empty: every fixture passes.
const SKIPS: &[(&str, &str)] = &[];

fn idl_dir() -> PathBuf {
    let dir = integration_tests::data_dir("SMITHY_TESTDATA_DIR", "testdata")
        .join("smithy")
        .join("idl-loader");
    assert!(
        dir.is_dir(),
        "test data missing: {} (the Smithy IDL loader fixtures of ../shared/testdata/smithy)",
        dir.display()
    );
    dir
}

fn source(path: &Path) -> Source {
    Source {
        name: path.display().to_string(),
        text: std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    }
}

fn load(paths: &[&Path]) -> Result<Value, String> {
    let sources: Vec<Source> = paths.iter().map(|p| source(p)).collect();
    idl::load_sources(&sources).map_err(|e| e.to_string())
}

fn skip_reason(rel: &str) -> Option<&'static str> {
    SKIPS.iter().find(|(f, _)| *f == rel).map(|(_, r)| *r)
}

/// The line an invalid fixture's expected message names (`... at line N, column M ...`).
fn expected_line(text: &str) -> Option<u32> {
    let first = text.lines().next()?;
    let at = first.find("line ")?;
    let digits: String = first[at + 5..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

/// The `file:line:col:` our error names, when it names the fixture.
fn error_line(err: &str, file: &str) -> Option<u32> {
    let at = err.find(file)?;
    let rest = err[at + file.len()..].strip_prefix(':')?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

#[test]
fn idl_loader_conformance() {
    let root = idl_dir();
    let valid_dir = root.join("valid");
    let shared = valid_dir.join("__shared.json");
    let all = files_with_extension(&valid_dir, "smithy");
    let mut failures = Vec::new();
    let mut skipped = Vec::new();

    // Valid fixtures with a JSON twin.
    let (mut valid_total, mut valid_ok) = (0, 0);
    for smithy in all
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "smithy"))
    {
        let json = smithy.with_extension("json");
        if !json.is_file() || smithy.to_string_lossy().ends_with(".flattened.smithy") {
            continue;
        }
        valid_total += 1;
        let rel = smithy.strip_prefix(&root).unwrap().display().to_string();
        if let Some(why) = skip_reason(&rel) {
            skipped.push(format!("{rel}: {why}"));
            continue;
        }
        let ours = load(&[smithy, &shared]);
        let theirs = load(&[&json, &shared]);
        match (ours, theirs) {
            (Ok(a), Ok(b)) => match first_diff(&model_view(&a), &model_view(&b), "") {
                None => valid_ok += 1,
                Some(d) => failures.push(format!("valid {rel}: differs at {d}")),
            },
            (Err(e), _) => failures.push(format!("valid {rel}: {e}")),
            (_, Err(e)) => failures.push(format!("valid {rel}: the JSON twin did not load: {e}")),
        }
    }

    // Mixin fixtures with a flattened twin.
    let (mut flat_total, mut flat_ok) = (0, 0);
    for flat in all
        .iter()
        .filter(|p| p.to_string_lossy().ends_with(".flattened.smithy"))
    {
        flat_total += 1;
        let name = flat
            .to_string_lossy()
            .replace(".flattened.smithy", ".smithy");
        let smithy = PathBuf::from(name);
        let rel = smithy.strip_prefix(&root).unwrap().display().to_string();
        if let Some(why) = skip_reason(&format!("{rel} (flattened)")) {
            skipped.push(format!("{rel} (flattened): {why}"));
            continue;
        }
        let flatten = |p: &Path| -> Result<codegen::model::Model, String> {
            let doc = load(&[p])?;
            let model = codegen::model::Model::from_value(&doc, &p.display().to_string())
                .map_err(|e| e.to_string())?;
            let mut model = codegen::transform::flatten_mixins(model).map_err(|e| e.to_string())?;
            // An operation's absent input or output means `smithy.api#Unit`.
            for shape in model.shapes.values_mut() {
                if let codegen::model::ShapeKind::Operation(op) = &mut shape.kind {
                    for io in [&mut op.input, &mut op.output] {
                        if io.as_deref() == Some("smithy.api#Unit") {
                            *io = None;
                        }
                    }
                }
            }
            Ok(model)
        };
        match (flatten(&smithy), flatten(flat)) {
            (Ok(a), Ok(b)) if a.shapes == b.shapes => flat_ok += 1,
            (Ok(a), Ok(b)) => {
                let diff = a
                    .shapes
                    .iter()
                    .find(|(k, v)| b.shapes.get(*k) != Some(*v))
                    .map(|(k, v)| format!("{k}: {v:?} / {:?}", b.shapes.get(k)))
                    .or_else(|| {
                        b.shapes
                            .keys()
                            .find(|k| !a.shapes.contains_key(*k))
                            .map(|k| format!("{k} only in the flattened twin"))
                    })
                    .unwrap_or_default();
                failures.push(format!("flattened {rel}: {diff}"));
            }
            (Err(e), _) | (_, Err(e)) => failures.push(format!("flattened {rel}: {e}")),
        }
    }

    // Smithy 1.0 models upgraded as the reference loader upgrades them: `upgrade/<case>/`
    // (every file but `upgraded.smithy`, against it) and `upgrade-box/1-to-2/*.smithy` (whose
    // first line says whether each member is nullable in 2.0).
    let (mut upgrade_total, mut upgrade_ok) = (0, 0);
    for case in ["all-1.0", "does-not-introduce-conflict", "mixed-versions"] {
        upgrade_total += 1;
        let dir = root.join("upgrade").join(case);
        let files = files_with_extension(&dir, "smithy");
        let inputs: Vec<&Path> = files
            .iter()
            .filter(|p| !p.ends_with("upgraded.smithy"))
            .map(PathBuf::as_path)
            .collect();
        match (load(&inputs), load(&[&dir.join("upgraded.smithy")])) {
            (Ok(a), Ok(b)) => match first_diff(&model_view(&a), &model_view(&b), "") {
                None => upgrade_ok += 1,
                Some(d) => failures.push(format!("upgrade {case}: differs at {d}")),
            },
            (Err(e), _) | (_, Err(e)) => failures.push(format!("upgrade {case}: {e}")),
        }
    }
    let boxes = files_with_extension(&root.join("upgrade-box/1-to-2"), "smithy");
    for f in &boxes {
        upgrade_total += 1;
        let rel = f.strip_prefix(&root).unwrap().display().to_string();
        let text = std::fs::read_to_string(f).unwrap();
        let expect_nullable = text.lines().next().unwrap_or("").contains("\"v2\": true");
        let doc = match load(&[f]) {
            Ok(d) => d,
            Err(e) => {
                failures.push(format!("upgrade {rel}: {e}"));
                continue;
            }
        };
        let members = doc["shapes"]["smithy.example#Foo"]["members"]
            .as_object()
            .cloned()
            .unwrap_or_default();
        let wrong: Vec<String> = members
            .iter()
            .filter(|(_, m)| {
                let traits = &m["traits"];
                let non_null = traits.get("smithy.api#required").is_some()
                    || traits
                        .get("smithy.api#default")
                        .is_some_and(|d| !d.is_null());
                non_null == expect_nullable
            })
            .map(|(k, m)| format!("{k} {m}"))
            .collect();
        if members.is_empty() || !wrong.is_empty() {
            failures.push(format!(
                "upgrade {rel}: expected nullable={expect_nullable}, got {wrong:?}"
            ));
        } else {
            upgrade_ok += 1;
        }
    }

    // Invalid fixtures.
    let invalid = files_with_extension(&root.join("invalid"), "smithy");
    let (mut invalid_total, mut invalid_ok) = (0, 0);
    for bad in invalid
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "smithy"))
    {
        invalid_total += 1;
        let rel = bad.strip_prefix(&root).unwrap().display().to_string();
        if let Some(why) = skip_reason(&rel) {
            skipped.push(format!("{rel}: {why}"));
            continue;
        }
        let text = std::fs::read_to_string(bad).unwrap();
        match load(&[bad]) {
            Ok(_) => failures.push(format!(
                "invalid {rel}: accepted; expected {}",
                text.lines().next().unwrap_or("")
            )),
            Err(e) => {
                let name = bad.display().to_string();
                let line = error_line(&e, &name);
                if e.contains('\n') {
                    failures.push(format!("invalid {rel}: the error is not one line: {e:?}"));
                } else if line.is_none() {
                    failures.push(format!(
                        "invalid {rel}: the error names no file:line:col: {e}"
                    ));
                } else if expected_line(&text).is_some_and(|l| Some(l) != line) {
                    failures.push(format!(
                        "invalid {rel}: wrong line: {e} (expected {})",
                        text.lines().next().unwrap_or("")
                    ));
                } else {
                    invalid_ok += 1;
                }
            }
        }
    }

    integration_tests::report_summary(
        "idl_conformance",
        &format!(
            "idl conformance: valid {valid_ok}/{valid_total}, flattened {flat_ok}/{flat_total}, invalid {invalid_ok}/{invalid_total}{}",
            if skipped.is_empty() { String::new() } else { format!(" (skipped {})", skipped.len()) }
        ),
    );
    integration_tests::report_summary(
        "idl_upgrade",
        &format!("idl 1.0 upgrade: {upgrade_ok}/{upgrade_total}"),
    );
    for s in &skipped {
        println!("  skipped {s}");
    }
    assert!(
        valid_total == 62 && flat_total == 13 && invalid_total == 181,
        "the fixture set changed: valid {valid_total}, flattened {flat_total}, invalid {invalid_total}"
    );
    assert!(
        failures.is_empty(),
        "{} fixtures failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
