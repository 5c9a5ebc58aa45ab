//! Every waiter path expression of the shared models, compiled by the generator and run,
//! against Python's `jmespath` as the oracle.
//!
//! The waitable operations of all 51 models with waiters are gathered into one scratch service
//! (`waiter.oracle#Oracle`, awsJson 1.0): each operation is copied under a name prefixed with
//! its service's (`RdsDescribeDBInstances`), its waiters likewise (`RdsDBInstanceAvailable`),
//! and every structure keeps only the members whose names the service's paths use, so the
//! crate stays small while each path is compiled over the same member types as in its own
//! service. The crate is generated with the real generator under `target/waiter-oracle/`, with
//! a driver program that reads sample outputs (random JSON documents built from the output
//! types, deserialized with serde), and prints each path's value (the generated
//! `evaluate_paths`) and the state the generated acceptors pick. Python evaluates the same paths
//! on the same outputs (as serde writes them back); the values must be equal, and the states
//! must be those an independent reading of the model's acceptors picks from Python's values.
//!
//! Like `plain_service.rs`, the scratch workspace builds in `target/protocol-tests/target`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use codegen::ir::waiters::{AcceptorState, Comparator, Matcher, Waiter};
use codegen::ir::{RType, Service, Struct, TypeDef};
use codegen::jmespath::Ast;
use integration_tests::jmespath_oracle::search_all;
use integration_tests::{workspace_root, Rng};
use serde_json::{json, Map, Value as Json};

/// Sample outputs per waiter.
const SAMPLES: usize = 120;

/// Member traits the pruned shapes keep (the others bind members to HTTP messages, which the
/// scratch service's awsJson protocol has no use for).
const MEMBER_TRAITS: &[&str] = &[
    "smithy.api#required",
    "smithy.api#default",
    "smithy.api#sparse",
    "smithy.api#enumValue",
    "smithy.api#timestampFormat",
    "smithy.api#clientOptional",
];

fn names_in(ast: &Ast, out: &mut BTreeSet<String>) {
    match ast {
        Ast::Field(n) => {
            out.insert(n.clone());
        }
        Ast::Subexpr(a, b)
        | Ast::Projection(a, b)
        | Ast::ValueProjection(a, b)
        | Ast::Compare(_, a, b)
        | Ast::And(a, b)
        | Ast::Or(a, b)
        | Ast::Pipe(a, b) => {
            names_in(a, out);
            names_in(b, out);
        }
        Ast::Flatten(a) | Ast::Not(a) | Ast::ExpRef(a) => names_in(a, out),
        Ast::FilterProjection {
            list,
            rhs,
            condition,
        } => {
            names_in(list, out);
            names_in(rhs, out);
            names_in(condition, out);
        }
        Ast::MultiSelectList(items) | Ast::Function(_, items) => {
            items.iter().for_each(|i| names_in(i, out))
        }
        Ast::MultiSelectHash(pairs) => pairs.iter().for_each(|(k, v)| {
            out.insert(k.clone());
            names_in(v, out)
        }),
        _ => {}
    }
}

fn paths_of(waiter: &Json) -> Vec<String> {
    let mut out = Vec::new();
    for a in waiter["acceptors"].as_array().into_iter().flatten() {
        for kind in ["output", "inputOutput"] {
            if let Some(p) = a["matcher"][kind]["path"].as_str() {
                out.push(p.to_string());
            }
        }
    }
    out
}

/// `rds-2014-10-31.json` → `Rds`; `elastic-load-balancing-v2-2015-12-01.json` →
/// `ElasticLoadBalancingV2`.
fn prefix(file: &Path) -> String {
    let stem = file.file_stem().unwrap().to_string_lossy().to_string();
    let parts: Vec<&str> = stem.split('-').collect();
    let keep = parts.len().saturating_sub(3);
    parts[..keep]
        .iter()
        .flat_map(|p| p.split('_'))
        .map(|p| {
            let mut c = p.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The scratch model, the number of waiters with a path in it, and every distinct path of the
/// shared models. Besides the shared models, the generator's waiter fixture
/// (`tests/fixtures/waiters.json`, prefix `Fixture`) brings `inputOutput` paths and the parts of
/// the grammar the models do not use.
fn oracle_model() -> (Json, usize, BTreeSet<String>) {
    let dir = integration_tests::data_dir("SMITHY_MODELS_DIR", "models");
    let mut shapes = Map::new();
    let mut operations = Vec::new();
    let mut waiter_count = 0;
    let mut all_paths = BTreeSet::new();
    let files = integration_tests::files_with_extension(&dir, "json")
        .into_iter()
        .map(|f| (prefix(&f), f, true))
        .chain([(
            "Fixture".to_string(),
            workspace_root().join("tests/fixtures/waiters.json"),
            false,
        )]);
    for (prefix, file, shared) in files {
        let text = std::fs::read_to_string(&file).unwrap();
        if !text.contains("smithy.waiters#waitable") {
            continue;
        }
        let doc: Json = serde_json::from_str(&text).unwrap();
        let model_shapes = doc["shapes"].as_object().expect("shapes");
        let mut names = BTreeSet::new();
        let mut ops = Vec::new();
        for (id, shape) in model_shapes {
            let Some(w) = shape.pointer("/traits/smithy.waiters#waitable") else {
                continue;
            };
            let mut with_paths = false;
            for waiter in w.as_object().unwrap().values() {
                let paths = paths_of(waiter);
                if !paths.is_empty() {
                    with_paths = true;
                    waiter_count += 1;
                }
                for p in paths {
                    let ast = codegen::jmespath::parse(&p).unwrap_or_else(|e| panic!("{p}: {e}"));
                    names_in(&ast, &mut names);
                    if shared {
                        all_paths.insert(p);
                    }
                }
            }
            if with_paths {
                ops.push(id.clone());
            }
        }
        if ops.is_empty() {
            continue;
        }
        for (id, shape) in model_shapes {
            let kind = shape["type"].as_str().unwrap_or_default();
            if matches!(kind, "service" | "resource" | "operation") {
                continue;
            }
            let mut shape = shape.clone();
            if let Some(members) = shape.get_mut("members").and_then(Json::as_object_mut) {
                if matches!(kind, "structure" | "union") {
                    members.retain(|k, _| names.contains(k));
                }
                for m in members.values_mut() {
                    if let Some(t) = m.get_mut("traits").and_then(Json::as_object_mut) {
                        t.retain(|k, _| MEMBER_TRAITS.contains(&k.as_str()));
                    }
                }
            }
            if let Some(old) = shapes.insert(id.clone(), shape.clone()) {
                assert_eq!(old, shape, "{id} differs between two models");
            }
        }
        for id in ops {
            let op = &model_shapes[&id];
            let (ns, name) = id.split_once('#').unwrap();
            let waiters: Map<String, Json> = op["traits"]["smithy.waiters#waitable"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (format!("{prefix}{k}"), v.clone()))
                .collect();
            let mut copy =
                json!({ "type": "operation", "traits": { "smithy.waiters#waitable": waiters } });
            for k in ["input", "output", "errors"] {
                if let Some(v) = op.get(k) {
                    copy[k] = v.clone();
                }
            }
            let new_id = format!("{ns}#{prefix}{name}");
            operations.push(json!({ "target": new_id }));
            shapes.insert(new_id, copy);
        }
    }
    shapes.insert(
        "waiter.oracle#Oracle".into(),
        json!({
            "type": "service",
            "version": "2024-01-01",
            "operations": operations,
            "traits": { "aws.protocols#awsJson1_0": {} }
        }),
    );
    (
        json!({ "smithy": "2.0", "shapes": shapes }),
        waiter_count,
        all_paths,
    )
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    if std::fs::read(path).is_ok_and(|old| old == text.as_bytes()) {
        return;
    }
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

const DRIVER_HEAD: &str = r#"
use std::io::BufRead;

use awsrt::waiter::{AcceptorState, PathValue};
use serde_json::{json, Value as Json};

type Paths = awsrt::waiter::PathValues;

fn value(v: &PathValue) -> Json {
    match v {
        PathValue::Null => Json::Null,
        PathValue::Bool(b) => json!(b),
        PathValue::Number(n) => json!(n),
        PathValue::String(s) => json!(s),
        PathValue::List(items) => Json::Array(items.iter().map(value).collect()),
        PathValue::Object(entries) => entries.iter().map(|(k, v)| (k.clone(), value(v))).collect::<serde_json::Map<_, _>>().into(),
        PathValue::Structure(n) => json!({ "$structure": n }),
    }
}

fn run<I: serde::de::DeserializeOwned + serde::Serialize, O: serde::de::DeserializeOwned + serde::Serialize, E>(
    input: Json,
    doc: Json,
    paths: fn(&I, &O) -> Paths,
    state: fn(&I, &Result<O, awsrt::error::SdkError<E>>) -> Option<AcceptorState>,
) -> Json {
    let (input, output): (I, O) = match (serde_json::from_value(input), serde_json::from_value(doc)) {
        (Ok(i), Ok(o)) => (i, o),
        (Err(e), _) | (_, Err(e)) => return json!({ "deserialize": e.to_string() }),
    };
    let values: Vec<Json> = paths(&input, &output)
        .into_iter()
        .map(|(kind, path, v)| match v {
            Ok(v) => json!({ "kind": kind, "path": path, "ok": value(&v) }),
            Err(e) => json!({ "kind": kind, "path": path, "error": e.to_string() }),
        })
        .collect();
    let written = awsrt::serde::with_secrets(|| serde_json::to_value(&output)).expect("serialize");
    let written_input = awsrt::serde::with_secrets(|| serde_json::to_value(&input)).expect("serialize");
    let state = match state(&input, &Ok(output)) {
        Some(AcceptorState::Success) => json!("success"),
        Some(AcceptorState::Failure) => json!("failure"),
        Some(AcceptorState::Retry) => json!("retry"),
        None => Json::Null,
    };
    json!({ "input": written_input, "output": written, "paths": values, "state": state })
}
"#;

/// The driver: one JSON line in (`{"waiter": module, "doc": output}`), one out.
fn driver_source(svc: &Service) -> String {
    let mut arms = String::new();
    for w in svc.waiters.iter().filter(|w| !w.paths().is_empty()) {
        let op = &svc.operations[w.operation];
        let m = &op.module;
        arms.push_str(&format!(
            "            {:?} => run::<oracle::operation::{m}::{}, oracle::operation::{m}::{}, _>(input, doc, oracle::waiters::{}::evaluate_paths, oracle::waiters::{}::acceptor_state),\n",
            w.module, op.types.input, op.types.output, w.module, w.module
        ));
    }
    format!(
        "{DRIVER_HEAD}\nfn main() {{\n    for line in std::io::stdin().lock().lines() {{\n        let req: Json = serde_json::from_str(&line.unwrap()).unwrap();\n        let doc = req[\"doc\"].clone();\n        let input = req[\"input\"].clone();\n        let out = match req[\"waiter\"].as_str().unwrap() {{\n{arms}            other => panic!(\"unknown waiter {{other}}\"),\n        }};\n        println!(\"{{out}}\");\n    }}\n}}\n"
    )
}

/// Random JSON documents shaped like a service's types, their strings drawn from a pool.
struct Samples<'a> {
    svc: &'a Service,
    rng: Rng,
    strings: Vec<String>,
}

impl Samples<'_> {
    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.rng.below(items.len())].clone()
    }

    fn structure(&mut self, s: &Struct, depth: usize) -> Json {
        let mut o = Map::new();
        for f in &s.fields {
            let present = !f.optional || (depth < 6 && self.rng.below(5) != 0);
            if present {
                o.insert(f.member.clone(), self.value(&f.ty, depth + 1));
            }
        }
        Json::Object(o)
    }

    fn value(&mut self, t: &RType, depth: usize) -> Json {
        let len = |rng: &mut Rng| if depth > 5 { 0 } else { rng.below(4) };
        match t {
            RType::String | RType::SensitiveString => json!(self.pick(&self.strings.clone())),
            RType::Enum(n) => {
                let mut pool = self.strings.clone();
                if let Some(TypeDef::Enum(e)) = self.svc.ty(n) {
                    pool.extend(e.variants.iter().map(|v| v.value.clone()));
                }
                json!(self.pick(&pool))
            }
            RType::IntEnum(n) => match self.svc.ty(n) {
                Some(TypeDef::Enum(e)) if !e.variants.is_empty() => {
                    let values: Vec<i32> = e.variants.iter().map(|v| v.int_value).collect();
                    json!(self.pick(&values))
                }
                _ => json!(0),
            },
            RType::Bool => json!(self.rng.below(2) == 0),
            RType::I8 | RType::I16 | RType::I32 | RType::I64 => json!(self.rng.below(4)),
            RType::F32 | RType::F64 => json!(self.pick(&[0.5, 1.0, 2.5])),
            RType::Timestamp(_) => json!("2024-05-01T12:00:00Z"),
            RType::Blob | RType::SensitiveBlob => json!("aGk="),
            RType::BigInteger | RType::BigDecimal => json!("12"),
            RType::Document
            | RType::Unit
            | RType::Stream
            | RType::EventInput(_)
            | RType::EventOutput(_) => Json::Null,
            RType::Struct(n) => match self.svc.ty(n) {
                Some(TypeDef::Struct(s)) => self.structure(s, depth),
                _ => json!({}),
            },
            RType::Union(n) => match self.svc.ty(n) {
                Some(TypeDef::Union(u)) if !u.fields.is_empty() => {
                    let f = self.pick(&u.fields);
                    let v = if f.ty == RType::Unit {
                        json!({})
                    } else {
                        self.value(&f.ty, depth + 1)
                    };
                    json!({ f.member: v })
                }
                _ => json!({}),
            },
            RType::List(e, sparse) => {
                let n = len(&mut self.rng);
                Json::Array(
                    (0..n)
                        .map(|_| {
                            if *sparse && self.rng.below(4) == 0 {
                                Json::Null
                            } else {
                                self.value(e, depth + 1)
                            }
                        })
                        .collect(),
                )
            }
            RType::Map(v, sparse) => {
                let n = len(&mut self.rng);
                Json::Object(
                    (0..n)
                        .map(|i| {
                            let value = if *sparse && self.rng.below(4) == 0 {
                                Json::Null
                            } else {
                                self.value(v, depth + 1)
                            };
                            (format!("k{i}"), value)
                        })
                        .collect(),
                )
            }
        }
    }
}

fn string_literals(ast: &Ast, out: &mut BTreeSet<String>) {
    match ast {
        Ast::Literal(Json::String(s)) => {
            out.insert(s.clone());
        }
        Ast::Subexpr(a, b)
        | Ast::Projection(a, b)
        | Ast::ValueProjection(a, b)
        | Ast::Compare(_, a, b)
        | Ast::And(a, b)
        | Ast::Or(a, b)
        | Ast::Pipe(a, b) => {
            string_literals(a, out);
            string_literals(b, out);
        }
        Ast::Flatten(a) | Ast::Not(a) => string_literals(a, out),
        Ast::FilterProjection {
            list,
            rhs,
            condition,
        } => {
            string_literals(list, out);
            string_literals(rhs, out);
            string_literals(condition, out);
        }
        Ast::MultiSelectList(items) | Ast::Function(_, items) => {
            items.iter().for_each(|i| string_literals(i, out))
        }
        _ => {}
    }
}

/// The strings sample outputs of a waiter are made of: the expected values and the path
/// literals, and two others.
fn pool(w: &Waiter) -> Vec<String> {
    let mut s = BTreeSet::new();
    for a in &w.acceptors {
        if let Matcher::Output(p) | Matcher::InputOutput(p) = &a.matcher {
            s.insert(p.expected.clone());
            string_literals(&codegen::jmespath::parse(&p.path).unwrap(), &mut s);
        }
    }
    s.insert(String::new());
    s.insert("other".into());
    s.into_iter().collect()
}

/// The comparator, read from the specification, on a value Python computed.
fn passes(c: Comparator, expected: &str, v: &Json) -> bool {
    match c {
        Comparator::StringEquals => v.as_str() == Some(expected),
        Comparator::BooleanEquals(b) => v.as_bool() == Some(b),
        Comparator::AllStringEquals => v
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|e| e.as_str() == Some(expected))),
        Comparator::AnyStringEquals => v
            .as_array()
            .is_some_and(|a| a.iter().any(|e| e.as_str() == Some(expected))),
    }
}

/// The state the model's acceptors pick for a successful call, from Python's path values.
fn expected_state(w: &Waiter, python: &BTreeMap<String, Result<Json, String>>) -> Json {
    for a in &w.acceptors {
        let matched = match &a.matcher {
            Matcher::Output(p) => python[&p.path]
                .as_ref()
                .is_ok_and(|v| passes(p.comparator, &p.expected, v)),
            Matcher::InputOutput(p) => python[&p.path]
                .as_ref()
                .is_ok_and(|v| passes(p.comparator, &p.expected, v)),
            Matcher::Success(ok) => *ok,
            Matcher::ErrorType { .. } => false,
        };
        if matched {
            return json!(match a.state {
                AcceptorState::Success => "success",
                AcceptorState::Failure => "failure",
                AcceptorState::Retry => "retry",
            });
        }
    }
    Json::Null
}

/// Lists sorted (a map's values come in no particular order).
fn sorted(v: &Json) -> Json {
    match v {
        Json::Array(a) => {
            let mut items: Vec<Json> = a.iter().map(sorted).collect();
            items.sort_by_key(|i| i.to_string());
            Json::Array(items)
        }
        other => other.clone(),
    }
}

fn build_driver(root: &Path) -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let target = workspace_root()
        .join("target")
        .join("protocol-tests")
        .join("target");
    let out = std::process::Command::new(&cargo)
        .args(["build", "--quiet", "--manifest-path"])
        .arg(root.join("Cargo.toml"))
        .args(["-p", "driver", "--color", "never"])
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("CARGO_BUILD_TARGET_DIR")
        // Built from scratch each time the generator changes: incremental caches would only
        // fill the disk.
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cargo}: {e}"));
    assert!(
        out.status.success(),
        "the driver failed to build in {}:\n{}",
        root.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    target.join("debug").join("driver")
}

fn run_driver(bin: &Path, requests: &[Json]) -> Vec<Json> {
    use std::io::Write;
    let mut child = std::process::Command::new(bin)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start the driver");
    let input: String = requests.iter().map(|r| format!("{r}\n")).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("driver output");
    writer.join().unwrap().expect("write to the driver");
    assert!(
        out.status.success(),
        "the driver failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Json> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("driver JSON"))
        .collect();
    assert_eq!(lines.len(), requests.len());
    lines
}

#[test]
fn every_model_path_compiled_agrees_with_python_jmespath() {
    let (model, waiter_count, all_paths) = oracle_model();
    assert_eq!(
        all_paths.len(),
        93,
        "distinct path expressions in the shared models"
    );
    let parsed = codegen::model::Model::from_value(&model, "waiter-oracle").expect("model");
    let svc = codegen::ir::build(parsed, None, "oracle").unwrap_or_else(|e| panic!("{e}"));
    let with_paths: Vec<&Waiter> = svc
        .waiters
        .iter()
        .filter(|w| !w.paths().is_empty())
        .collect();
    assert_eq!(
        with_paths.len(),
        waiter_count,
        "every waiter with a path is in the scratch crate"
    );

    let root = workspace_root().join("target").join("waiter-oracle");
    let runtime = workspace_root().join("runtime").canonicalize().unwrap();
    let opts = codegen::CrateOptions {
        runtime_path: runtime.display().to_string(),
        version: "0.1.0".into(),
    };
    let files = codegen::generate_crate_from_doc(&model, "waiter-oracle", None, "oracle", &opts)
        .unwrap_or_else(|e| panic!("the generator failed: {e}"));
    codegen::write::write_tree(&root.join("oracle"), &files, false).unwrap();
    write(
        &root.join("Cargo.toml"),
        "# Scratch workspace of tests/tests/waiters_oracle.rs (not committed).\n\
         [workspace]\nresolver = \"2\"\nmembers = [\"oracle\", \"driver\"]\n",
    );
    write(
        &root.join("driver/Cargo.toml"),
        &format!(
            "[package]\nname = \"driver\"\nversion = \"0.1.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\noracle = {{ path = \"../oracle\", features = [\"serde\", \"test-util\"] }}\n\
             awsrt = {{ path = {:?}, features = [\"serde\", \"test-util\"] }}\n\
             serde = \"1\"\nserde_json = \"1\"\n",
            runtime.display().to_string()
        ),
    );
    write(&root.join("driver/src/main.rs"), &driver_source(&svc));
    if let Ok(lock) = std::fs::read_to_string(workspace_root().join("Cargo.lock")) {
        write(&root.join("Cargo.lock"), &lock);
    }
    let driver = build_driver(&root);

    // Sample outputs, through the driver (deserialized, evaluated, written back).
    let mut requests = Vec::new();
    let mut owners = Vec::new();
    for (i, w) in with_paths.iter().enumerate() {
        let op = &svc.operations[w.operation];
        let mut samples = Samples {
            svc: &svc,
            rng: Rng::new(0xA11CE + i as u64),
            strings: pool(w),
        };
        for _ in 0..SAMPLES {
            let input = if w.paths().iter().any(|p| p.input_output) {
                samples.structure(&op.input, 0)
            } else {
                json!({})
            };
            let doc = samples.structure(&op.output, 0);
            requests.push(json!({ "waiter": w.module, "input": input, "doc": doc }));
            owners.push(*w);
        }
    }
    let answers = run_driver(&driver, &requests);
    let mut cases = Vec::new();
    for (a, req) in answers.iter().zip(&requests) {
        assert!(a.get("deserialize").is_none(), "{req}: {a}");
        let output = integration_tests::jmespath_oracle::without_null_members(a["output"].clone());
        let input = integration_tests::jmespath_oracle::without_null_members(a["input"].clone());
        for p in a["paths"].as_array().unwrap() {
            let doc = if p["kind"] == "inputOutput" {
                json!({ "input": input, "output": output })
            } else {
                output.clone()
            };
            cases.push((p["path"].as_str().unwrap().to_string(), doc));
        }
    }
    let mut python = search_all(&cases).into_iter();

    let mut per_path: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut states: BTreeMap<String, usize> = BTreeMap::new();
    let mut mismatches = Vec::new();
    for ((a, w), req) in answers.iter().zip(&owners).zip(&requests) {
        let mut theirs = BTreeMap::new();
        for p in a["paths"].as_array().unwrap() {
            let path = p["path"].as_str().unwrap().to_string();
            let py = python.next().expect("one answer per case");
            let ours: Result<Json, String> = match p.get("ok") {
                Some(v) => Ok(v.clone()),
                None => Err(p["error"].as_str().unwrap_or_default().to_string()),
            };
            let unordered = path.contains(".*");
            let same = match (&ours, &py) {
                (Ok(x), Ok(y)) if unordered => {
                    codegen::jmespath::interpret::equal(&sorted(x), &sorted(y))
                }
                (Ok(x), Ok(y)) => codegen::jmespath::interpret::equal(x, y),
                (Err(_), Err(_)) => true,
                _ => false,
            };
            if !same {
                mismatches.push(format!(
                    "{}: {path} on {}: compiled {ours:?}, python {py:?}",
                    w.name, a["output"]
                ));
            }
            let e = per_path.entry(path.clone()).or_default();
            e.0 += 1;
            if py.as_ref().is_ok_and(|v| !v.is_null() && *v != json!([])) {
                e.1 += 1;
            }
            theirs.insert(path, py);
        }
        let want = expected_state(w, &theirs);
        if a["state"] != want {
            mismatches.push(format!(
                "{}: acceptors on {}: compiled {}, expected {want}",
                w.name, req["doc"], a["state"]
            ));
        }
        *states.entry(want.to_string()).or_default() += 1;
    }
    assert!(
        mismatches.is_empty(),
        "{} disagreements, first:\n{}",
        mismatches.len(),
        mismatches[..mismatches.len().min(20)].join("\n")
    );
    assert!(
        all_paths.iter().all(|p| per_path.contains_key(p)),
        "every distinct expression was evaluated"
    );
    let fixture_paths = per_path.keys().filter(|p| !all_paths.contains(*p)).count();
    let unreached: Vec<&String> = per_path
        .iter()
        .filter(|(_, (_, v))| *v == 0)
        .map(|(p, _)| p)
        .collect();
    assert!(
        unreached.is_empty(),
        "no sample gave these paths a value: {unreached:?}"
    );
    let evaluations: usize = per_path.values().map(|(n, _)| n).sum();
    integration_tests::report_summary(
        "waiters_oracle",
        &format!(
            "waiter paths: the {} distinct expressions of the shared models (and {fixture_paths} of the fixture) in {} waiters compiled and run on {} sample outputs: {evaluations} values agree with Python's jmespath; acceptor states agree ({})",
            all_paths.len(),
            with_paths.len(),
            requests.len(),
            states.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
        ),
    );
}
