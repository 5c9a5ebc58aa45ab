//! Waiters over the shared models: every `smithy.waiters#waitable` waiter of every model gets
//! through the generator (none dropped, none an error), and every distinct JMESPath expression
//! of the models evaluates, with the generator's own interpreter of its parser's trees, to what
//! an independent implementation (Python's `jmespath`) gives on many random documents.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value as Json;

fn models_dir() -> PathBuf {
    std::env::var_os("SMITHY_MODELS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/models"))
}

/// Every JSON model of the shared set with at least one waiter, with its text.
fn models_with_waiters() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let dir = models_dir();
    let mut dirs = vec![dir.clone()];
    for e in std::fs::read_dir(&dir).expect("models dir").flatten() {
        if e.path().is_dir() {
            dirs.push(e.path());
        }
    }
    for d in dirs {
        for e in std::fs::read_dir(&d).expect("models dir").flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "json") {
                let text = std::fs::read_to_string(&p).expect("read model");
                if text.contains("smithy.waiters#waitable") {
                    out.push((p, text));
                }
            }
        }
    }
    out.sort();
    out
}

/// (waiter count, path expressions) as the model's JSON says, without the generator.
fn raw_waiters(doc: &Json) -> (usize, BTreeSet<String>) {
    let mut n = 0;
    let mut paths = BTreeSet::new();
    for shape in doc["shapes"].as_object().expect("shapes").values() {
        let Some(w) = shape.pointer("/traits/smithy.waiters#waitable") else {
            continue;
        };
        for waiter in w.as_object().expect("waiters").values() {
            n += 1;
            for a in waiter["acceptors"].as_array().expect("acceptors") {
                for kind in ["output", "inputOutput"] {
                    if let Some(p) = a["matcher"][kind]["path"].as_str() {
                        paths.insert(p.to_string());
                    }
                }
            }
        }
    }
    (n, paths)
}

#[test]
fn every_waiter_of_every_model_is_built() {
    let models = models_with_waiters();
    assert!(
        !models.is_empty(),
        "no models with waiters in {}",
        models_dir().display()
    );
    let (mut raw_total, mut built_total) = (0, 0);
    let mut exprs = BTreeSet::new();
    for (path, text) in &models {
        let doc: Json = serde_json::from_str(text).expect("model JSON");
        let (n, paths) = raw_waiters(&doc);
        let model =
            codegen::model::Model::from_value(&doc, &path.display().to_string()).expect("model");
        let svc = codegen::ir::build(model, None, "x")
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(svc.waiters.len(), n, "{}", path.display());
        let built: BTreeSet<String> = svc
            .waiters
            .iter()
            .flat_map(|w| w.paths().into_iter().map(|p| p.path.clone()))
            .collect();
        assert_eq!(built, paths, "{}", path.display());
        raw_total += n;
        built_total += svc.waiters.len();
        exprs.extend(paths);
    }
    eprintln!(
        "waiters: {built_total}/{raw_total} in {} models, {} distinct expressions",
        models.len(),
        exprs.len()
    );
    assert_eq!(built_total, raw_total);
}

/// Every distinct path expression of the shared models.
fn model_expressions() -> BTreeSet<String> {
    let mut exprs = BTreeSet::new();
    for (_, text) in models_with_waiters() {
        let doc: Json = serde_json::from_str(&text).expect("model JSON");
        exprs.extend(raw_waiters(&doc).1);
    }
    exprs
}

/// Expressions beyond the models', for the parts of the grammar the models do not use.
const GRAMMAR: &[&str] = &[
    "a.b.c",
    "a[0]",
    "a[-1].b",
    "a[1:3]",
    "a[::-1].b",
    "a[*].b",
    "a[].b[]",
    "*.b",
    "a.*",
    "a | [0]",
    "a[?b == 'x'].c",
    "a[?b > `2`] | length(@)",
    "[a, b]",
    "{x: a, y: b.c}",
    "a || b",
    "a && b",
    "!a",
    "a < b",
    "a <= b",
    "b >= `3`",
    "@",
    "\"a\".b",
    "'it\\'s' == a",
    "`[2, 3]` == a",
    "`{\"k\": \"x\"}` == a",
    "length(a) > length(b)",
    "contains(a, 'x')",
    "contains(a[].b, c)",
    "a[?!b]",
    "a[?b][]",
    "a[].[b, c][]",
    "(a || b).c",
    "a.b[?c != `null`].d",
    "a[*][*].b",
    "a[][]",
    "b.*.c[]",
];

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The names and string literals of an expression: what random documents are made of.
fn vocabulary(
    ast: &codegen::jmespath::Ast,
    names: &mut BTreeSet<String>,
    strings: &mut BTreeSet<String>,
) {
    use codegen::jmespath::Ast::*;
    match ast {
        Field(n) => {
            names.insert(n.clone());
        }
        Literal(Json::String(s)) => {
            strings.insert(s.clone());
        }
        Subexpr(a, b)
        | Projection(a, b)
        | ValueProjection(a, b)
        | Compare(_, a, b)
        | And(a, b)
        | Or(a, b)
        | Pipe(a, b) => {
            vocabulary(a, names, strings);
            vocabulary(b, names, strings);
        }
        Flatten(a) | Not(a) | ExpRef(a) => vocabulary(a, names, strings),
        FilterProjection {
            list,
            rhs,
            condition,
        } => {
            vocabulary(list, names, strings);
            vocabulary(rhs, names, strings);
            vocabulary(condition, names, strings);
        }
        MultiSelectList(items) | Function(_, items) => {
            for i in items {
                vocabulary(i, names, strings);
            }
        }
        MultiSelectHash(pairs) => {
            for (_, v) in pairs {
                vocabulary(v, names, strings);
            }
        }
        _ => {}
    }
}

/// A random JSON value over the vocabulary, mostly objects of its names near the top. Numbers
/// avoid 0 and 1, which Python's `in` (behind `contains`) takes for `false` and `true`.
fn random_value(rng: &mut Rng, names: &[String], strings: &[String], depth: usize) -> Json {
    let pick = if depth == 0 {
        10
    } else {
        rng.below(if depth > 4 { 6 } else { 12 })
    };
    match pick {
        0 => Json::Null,
        1 => Json::Bool(rng.below(2) == 0),
        2 => [
            serde_json::json!(2),
            serde_json::json!(3),
            serde_json::json!(5),
            serde_json::json!(-4),
            serde_json::json!(2.5),
            serde_json::json!(3.0),
        ][rng.below(6)]
        .clone(),
        3 | 4 => {
            let n = rng.below(strings.len() + 2);
            Json::String(
                strings
                    .get(n)
                    .cloned()
                    .unwrap_or_else(|| ["", "other"][n - strings.len()].to_string()),
            )
        }
        5..=7 => Json::Array(
            (0..rng.below(4))
                .map(|_| random_value(rng, names, strings, depth + 1))
                .collect(),
        ),
        _ => {
            let mut o = serde_json::Map::new();
            for n in names {
                if rng.below(4) != 0 {
                    o.insert(n.clone(), random_value(rng, names, strings, depth + 1));
                }
            }
            Json::Object(o)
        }
    }
}

fn python() -> PathBuf {
    let venv_python = |bin: PathBuf| bin.parent().map(|d| d.join("python"));
    let candidates = std::env::var_os("MOTO_SERVER_BIN")
        .map(PathBuf::from)
        .and_then(venv_python)
        .into_iter()
        .chain([PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/moto-venv/bin/python")]);
    for c in candidates {
        if c.is_file() {
            return c;
        }
    }
    panic!(
        "no Python with the jmespath package: `cargo xtask test` installs moto (and jmespath) into \
         target/moto-venv, or set MOTO_SERVER_BIN to a moto_server in a virtualenv that has it"
    );
}

/// Evaluates each (expression, document) with Python's jmespath: `Ok(value)` or `Err(message)`.
fn python_search(cases: &[(String, Json)]) -> Vec<Result<Json, String>> {
    use std::io::Write;
    const SCRIPT: &str = r#"
import json, sys, jmespath
for line in sys.stdin:
    req = json.loads(line)
    try:
        out = {"ok": jmespath.search(req["e"], req["d"])}
    except Exception as e:
        out = {"error": type(e).__name__ + ": " + str(e)}
    sys.stdout.write(json.dumps(out) + "\n")
"#;
    let mut child = std::process::Command::new(python())
        .args(["-c", SCRIPT])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("start python");
    let mut input = String::new();
    for (e, d) in cases {
        input.push_str(&serde_json::json!({"e": e, "d": d}).to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python output");
    writer.join().expect("writer").expect("write to python");
    assert!(out.status.success(), "python failed");
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let results: Vec<Result<Json, String>> = text
        .lines()
        .map(|l| {
            let v: Json = serde_json::from_str(l).expect("python JSON");
            match v.get("ok") {
                Some(ok) => Ok(ok.clone()),
                None => Err(v["error"].as_str().unwrap_or_default().to_string()),
            }
        })
        .collect();
    assert_eq!(results.len(), cases.len(), "python answered every case");
    results
}

#[test]
fn the_interpreter_agrees_with_python_jmespath_on_random_documents() {
    use codegen::jmespath::{interpret, parse};
    let models = model_expressions();
    assert_eq!(
        models.len(),
        93,
        "the shared models have 93 distinct path expressions"
    );
    let exprs: Vec<String> = models
        .iter()
        .cloned()
        .chain(GRAMMAR.iter().map(|s| s.to_string()))
        .collect();
    const DOCS: usize = 300;
    let mut rng = Rng(0x5EED_CAFE_F00D);
    let mut cases = Vec::new();
    let mut asts = Vec::new();
    for e in &exprs {
        let ast = parse(e).unwrap_or_else(|err| panic!("{e}: {err}"));
        let (mut names, mut strings) = (BTreeSet::new(), BTreeSet::new());
        vocabulary(&ast, &mut names, &mut strings);
        let names: Vec<String> = names.into_iter().collect();
        let strings: Vec<String> = strings.into_iter().collect();
        for _ in 0..DOCS {
            cases.push((e.clone(), random_value(&mut rng, &names, &strings, 0)));
        }
        asts.push(ast);
    }
    let expected = python_search(&cases);
    let mut mismatches = Vec::new();
    let (mut values, mut errors, mut python_type_errors) = (0, 0, 0);
    for (i, ((e, doc), want)) in cases.iter().zip(&expected).enumerate() {
        let got = interpret::search(&asts[i / DOCS], doc);
        let same = match (&got, want) {
            (Ok(g), Ok(w)) => interpret::equal(g, w),
            (Err(_), Err(_)) => true,
            // Python's jmespath lets `<` compare a string with a number and fails with a
            // TypeError; the specification says null. Not a disagreement about our code.
            (Ok(_), Err(w))
                if w.starts_with("TypeError: '")
                    && w.contains("not supported between instances of") =>
            {
                python_type_errors += 1;
                true
            }
            _ => false,
        };
        if want.is_ok() {
            values += 1;
        } else {
            errors += 1;
        }
        if !same {
            mismatches.push(format!("{e} on {doc}: ours {got:?}, python {want:?}"));
        }
    }
    eprintln!(
        "{} expressions ({} from the models) x {DOCS} documents: {values} values and {errors} errors agree \
         ({python_type_errors} of the errors are Python's TypeError for an ordering of a string and a number, null in the specification)",
        exprs.len(),
        models.len()
    );
    assert!(
        mismatches.is_empty(),
        "{} mismatches, first: {}",
        mismatches.len(),
        mismatches[..mismatches.len().min(30)].join("\n")
    );
    // Each model expression gave a non-null value on some documents (the documents reach it).
    for (k, e) in models.iter().enumerate() {
        let non_null = (0..DOCS).filter(|j| matches!(&expected[k * DOCS + j], Ok(v) if !v.is_null() && *v != Json::Array(vec![]))).count();
        assert!(non_null > 0, "{e}: no document gave a non-null value");
    }
}
