//! The standard rules-engine test suite: every case of `endpoints/test-cases/*.json` against its
//! rule set in `endpoints/valid-rules/*.json` (test data from `$SMITHY_TESTDATA_DIR`, default
//! `<workspace>/../shared/testdata`).

use std::path::{Path, PathBuf};

use awsrt::endpoint::{Params, Partitions, RuleSet, Value};
use awsrt::types::Document;
use integration_tests::endpoint_cases::{check, params_of};

fn testdata_dir() -> PathBuf {
    let dir = std::env::var_os("SMITHY_TESTDATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"));
    let endpoints = dir.join("endpoints");
    assert!(
        endpoints.join("valid-rules").is_dir() && endpoints.join("test-cases").is_dir(),
        "endpoint test data not found under {}: set SMITHY_TESTDATA_DIR to the shared testdata directory",
        endpoints.display()
    );
    dir
}

fn read_json(path: &Path) -> Document {
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    Document::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files
}

#[test]
fn standard_rules_engine_test_cases() {
    let dir = testdata_dir().join("endpoints");
    let partitions = Partitions::builtin();
    let case_files = json_files(&dir.join("test-cases"));
    assert!(
        !case_files.is_empty(),
        "no test cases in {}",
        dir.join("test-cases").display()
    );
    let (mut total, mut failures) = (0, Vec::new());
    for file in &case_files {
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let rules_path = dir.join("valid-rules").join(&name);
        let rules = RuleSet::from_document(&read_json(&rules_path))
            .unwrap_or_else(|e| panic!("{}: {e}", rules_path.display()));
        let cases = read_json(file);
        let cases = cases
            .get("testCases")
            .and_then(Document::as_array)
            .unwrap_or_default();
        assert!(!cases.is_empty(), "{name}: no testCases");
        for (i, case) in cases.iter().enumerate() {
            total += 1;
            let doc = case
                .get("documentation")
                .and_then(Document::as_str)
                .unwrap_or("");
            let outcome = params_of(case.get("params")).and_then(|params| {
                let expect = case.get("expect").ok_or("no `expect`")?;
                check(expect, rules.resolve(&params, partitions))
            });
            if let Err(e) = outcome {
                failures.push(format!("{name} #{i} ({doc}): {e}"));
            }
        }
    }
    println!(
        "rules-engine test cases: passed {}/{total} over {} files",
        total - failures.len(),
        case_files.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Every valid rule set parses, including those without test cases.
#[test]
fn every_valid_rule_set_parses() {
    let dir = testdata_dir().join("endpoints/valid-rules");
    let files = json_files(&dir);
    assert!(
        files.len() >= 10,
        "expected the valid-rules suite in {}",
        dir.display()
    );
    for file in files {
        let rules = RuleSet::from_document(&read_json(&file))
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(
            !rules.parameters().is_empty(),
            "{}: no parameters",
            file.display()
        );
    }
}

#[test]
fn parameter_metadata() {
    let dir = testdata_dir().join("endpoints/valid-rules");
    let rules = RuleSet::from_document(&read_json(&dir.join("deprecated-param.json"))).unwrap();
    let region = &rules.parameters()[0];
    assert_eq!(region.name, "Region");
    assert_eq!(region.builtin.as_deref(), Some("AWS::Region"));
    assert!(!region.required);
    let note = region.deprecated.as_ref().expect("deprecated");
    assert_eq!(
        note.message.as_deref(),
        Some("use blahdeblah region instead")
    );

    let rules = RuleSet::from_document(&read_json(&dir.join("default-values.json"))).unwrap();
    let use_fips = rules
        .parameters()
        .iter()
        .find(|p| p.name == "UseFips")
        .unwrap();
    assert_eq!(use_fips.default, Some(Value::Bool(true)));
    assert!(use_fips.required);

    // `required` without a default: the error names the parameter.
    let rules = RuleSet::from_document(&read_json(&dir.join("minimal-ruleset.json"))).unwrap();
    let err = rules
        .resolve(&Params::new(), Partitions::builtin())
        .unwrap_err();
    assert_eq!(err.to_string(), "missing required parameter Region");
    let ep = rules
        .resolve(
            &Params::new().with("Region", "us-west-2"),
            Partitions::builtin(),
        )
        .unwrap();
    assert_eq!(
        ep.sigv4_signing(),
        (Some("serviceName".to_owned()), Some("us-west-2".to_owned()))
    );
    let err = rules
        .resolve(&Params::new().with("Region", true), Partitions::builtin())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "endpoint parameter Region must be a string"
    );
}
