//! Every `smithy.rules#endpointTests` case of every model (`secretsmanager.json` and
//! `aws/*.json` under `$SMITHY_MODELS_DIR`, default `<workspace>/../shared/models`) against the
//! model's own `smithy.rules#endpointRuleSet`.

use std::path::{Path, PathBuf};

use awsrt::endpoint::{Params, Partitions, RuleSet, Value};
use awsrt::types::Document;
use integration_tests::endpoint_cases::{check, params_of};

/// Cases that cannot run from their parameters alone: (model file, case documentation, reason).
/// Every case today carries its `params`, including the ones that also give `operationInputs`,
/// so the list is empty; a case added here is counted as skipped in the summary.
const SKIPPED: &[(&str, &str, &str)] = &[];

fn models_dir() -> PathBuf {
    let dir = std::env::var_os("SMITHY_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models"));
    assert!(
        dir.join("secretsmanager.json").is_file() && dir.join("aws").is_dir(),
        "models not found in {} (need secretsmanager.json and aws/*.json): set SMITHY_MODELS_DIR",
        dir.display()
    );
    dir
}

fn model_files() -> Vec<PathBuf> {
    let dir = models_dir();
    // Every protocol family's models (S3's and S3 Control's rules carry the addressing
    // built-ins: ForcePathStyle, Accelerate, UseArnRegion, UseGlobalEndpoint, ...).
    let mut files: Vec<PathBuf> = ["aws", "aws-rest-json", "aws-query", "aws-rest-xml"]
        .iter()
        .flat_map(|sub| std::fs::read_dir(dir.join(sub)).unwrap())
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.insert(0, dir.join("secretsmanager.json"));
    files
}

/// The partitions data the models' endpoint tests were written against: today's
/// `partitions.json` except that the ISO partitions (`aws-iso*`) did not support dual-stack
/// yet, so their `dualStackDnsSuffix` was their `dnsSuffix`. Under today's data those cases
/// resolve to the newer dual-stack endpoints instead; the test checks that this is the only
/// difference.
fn partitions_as_of_model_tests() -> Partitions {
    let dir = std::env::var_os("SMITHY_TESTDATA_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/testdata"));
    let path = dir.join("endpoints/partitions.json");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}): set SMITHY_TESTDATA_DIR",
            path.display()
        )
    });
    let mut doc = Document::parse(&bytes).unwrap();
    let Document::Object(root) = &mut doc else {
        panic!("partitions.json is not an object")
    };
    let Some(Document::Array(list)) = root.get_mut("partitions") else {
        panic!("no partitions")
    };
    let mut patched = 0;
    for p in list {
        let Document::Object(p) = p else { continue };
        if !p
            .get("id")
            .and_then(Document::as_str)
            .is_some_and(|id| id.starts_with("aws-iso"))
        {
            continue;
        }
        let Some(Document::Object(outputs)) = p.get_mut("outputs") else {
            continue;
        };
        let dns = outputs.get("dnsSuffix").cloned().unwrap();
        outputs.insert("dualStackDnsSuffix".into(), dns);
        outputs.insert("supportsDualStack".into(), Document::Bool(false));
        patched += 1;
    }
    assert!(
        patched >= 4,
        "expected the aws-iso* partitions in {}",
        path.display()
    );
    Partitions::from_json(&doc.to_json()).unwrap()
}

/// What the models contributed.
#[derive(Default)]
struct Tally {
    models: usize,
    total: usize,
    passed: usize,
    skipped: usize,
    /// Cases that pass with [`partitions_as_of_model_tests`] but not with today's data.
    iso_dual_stack: usize,
    failures: Vec<String>,
}

fn run_model(path: &Path, legacy: &Partitions, tally: &mut Tally) {
    let file = path.file_name().unwrap().to_string_lossy().into_owned();
    let bytes =
        std::fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let model = Document::parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let shapes = model
        .get("shapes")
        .and_then(Document::as_object)
        .unwrap_or_else(|| panic!("{file}: no shapes"));
    let services: Vec<(&String, &Document)> = shapes
        .iter()
        .filter(|(_, s)| s.get("type").and_then(Document::as_str) == Some("service"))
        .collect();
    assert_eq!(services.len(), 1, "{file}: expected one service shape");
    let (id, service) = services[0];
    let traits = service.get("traits");
    let Some(rule_doc) = traits.and_then(|t| t.get("smithy.rules#endpointRuleSet")) else {
        tally.failures.push(format!(
            "{file}: service {id} has no smithy.rules#endpointRuleSet"
        ));
        return;
    };
    let rules = match RuleSet::from_document(rule_doc) {
        Ok(r) => r,
        Err(e) => {
            tally.failures.push(format!("{file}: {e}"));
            return;
        }
    };
    tally.models += 1;
    let cases = traits
        .and_then(|t| t.get("smithy.rules#endpointTests"))
        .and_then(|t| t.get("testCases"))
        .and_then(Document::as_array)
        .unwrap_or_default();
    for (i, case) in cases.iter().enumerate() {
        tally.total += 1;
        let doc = case
            .get("documentation")
            .and_then(Document::as_str)
            .unwrap_or("");
        if SKIPPED.iter().any(|(f, d, _)| *f == file && *d == doc) {
            tally.skipped += 1;
            continue;
        }
        let params = match params_of(case.get("params")) {
            Ok(p) => p,
            Err(e) => {
                tally.failures.push(format!("{file} #{i} ({doc}): {e}"));
                continue;
            }
        };
        let Some(expect) = case.get("expect") else {
            tally
                .failures
                .push(format!("{file} #{i} ({doc}): no `expect`"));
            continue;
        };
        if let Err(e) = check(expect, rules.resolve(&params, legacy)) {
            tally.failures.push(format!("{file} #{i} ({doc}): {e}"));
            continue;
        }
        tally.passed += 1;
        if check(expect, rules.resolve(&params, Partitions::builtin())).is_err() {
            let partition = match params.get("Region") {
                Some(Value::String(region)) => Partitions::builtin().resolve(region).name.as_str(),
                _ => "",
            };
            if partition.starts_with("aws-iso") {
                tally.iso_dual_stack += 1;
            } else {
                tally.failures.push(format!(
                    "{file} #{i} ({doc}): fails with the built-in partitions outside the ISO partitions"
                ));
            }
        }
    }
}

#[test]
fn endpoint_tests_of_every_model() {
    let files = model_files();
    let legacy = partitions_as_of_model_tests();
    // Parsing ~50 MB of JSON dominates; share it between two threads.
    let halves: Vec<Vec<PathBuf>> = vec![
        files.iter().step_by(2).cloned().collect(),
        files.iter().skip(1).step_by(2).cloned().collect(),
    ];
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = halves
            .iter()
            .map(|half| {
                let legacy = &legacy;
                s.spawn(move || {
                    let mut tally = Tally::default();
                    for path in half {
                        run_model(path, legacy, &mut tally);
                    }
                    tally
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all = Tally::default();
    for t in tallies {
        all.models += t.models;
        all.total += t.total;
        all.passed += t.passed;
        all.skipped += t.skipped;
        all.iso_dual_stack += t.iso_dual_stack;
        all.failures.extend(t.failures);
    }
    let line = format!(
        "endpoint tests: passed {}/{} over {} models ({} skipped)",
        all.passed, all.total, all.models, all.skipped
    );
    println!("{line}");
    integration_tests::report_summary("endpoint_tests", &line);
    println!(
        "  with today's built-in partitions: {} of the passing cases resolve differently, all in aws-iso* \
         partitions (dual-stack support added after the models' tests were written)",
        all.iso_dual_stack
    );
    for (file, doc, reason) in SKIPPED {
        println!("  skipped {file} ({doc}): {reason}");
    }
    assert!(
        all.failures.is_empty(),
        "{} failures:\n{}",
        all.failures.len(),
        all.failures.join("\n")
    );
    assert_eq!(all.models, files.len(), "every model has a rule set");
    assert!(
        all.total > 1000,
        "expected thousands of endpoint test cases, found {}",
        all.total
    );
    assert_eq!(all.passed + all.skipped, all.total);
}

/// Secrets Manager's rule set: parameters and a few resolutions, checked by hand.
#[test]
fn secretsmanager_rule_set() {
    let bytes = std::fs::read(models_dir().join("secretsmanager.json")).unwrap();
    let model = Document::parse(&bytes).unwrap();
    let rule_doc = model
        .get("shapes")
        .and_then(|s| s.get("com.amazonaws.secretsmanager#secretsmanager"))
        .and_then(|s| s.get("traits"))
        .and_then(|t| t.get("smithy.rules#endpointRuleSet"))
        .expect("secretsmanager service rule set");
    let rules = RuleSet::from_document(rule_doc).unwrap();
    let names: Vec<(&str, Option<&str>)> = rules
        .parameters()
        .iter()
        .map(|p| (p.name.as_str(), p.builtin.as_deref()))
        .collect();
    assert_eq!(
        names,
        [
            ("Endpoint", Some("SDK::Endpoint")),
            ("Region", Some("AWS::Region")),
            ("UseDualStack", Some("AWS::UseDualStack")),
            ("UseFIPS", Some("AWS::UseFIPS")),
        ]
    );
    let resolve = |p: Params| rules.resolve(&p, Partitions::builtin());
    let ep = resolve(Params::new().with("Region", "eu-central-1")).unwrap();
    assert_eq!(ep.url, "https://secretsmanager.eu-central-1.amazonaws.com");
    assert_eq!(ep.sigv4_signing(), (None, None));
    let ep = resolve(
        Params::new()
            .with("Region", "cn-north-1")
            .with("UseFIPS", true),
    )
    .unwrap();
    assert_eq!(
        ep.url,
        "https://secretsmanager-fips.cn-north-1.amazonaws.com.cn"
    );
    let ep = resolve(
        Params::new()
            .with("Region", "us-east-1")
            .with("Endpoint", "http://localhost:4566"),
    )
    .unwrap();
    assert_eq!(ep.url, "http://localhost:4566");
    let err = resolve(Params::new()).unwrap_err();
    assert_eq!(err.to_string(), "Invalid Configuration: Missing Region");
}
