//! Python's `jmespath` package (the reference implementation behind the AWS CLI, installed in
//! the moto virtualenv) as an independent JMESPath oracle for the generated waiters.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value as Json;

/// The Python of the moto virtualenv (`python` beside `moto_server`): the one with `jmespath`.
pub fn python() -> PathBuf {
    let bin = crate::moto::moto_server_bin()
        .unwrap_or_else(|e| panic!("Python's jmespath comes with moto, which is missing: {e}"));
    let python = bin.with_file_name("python");
    assert!(
        python.is_file(),
        "no {} beside {}: the moto virtualenv is incomplete",
        python.display(),
        bin.display()
    );
    python
}

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

/// Evaluates each `(expression, document)` with Python's `jmespath.search`: the value, or the
/// exception's type and message.
pub fn search_all(cases: &[(String, Json)]) -> Vec<Result<Json, String>> {
    let mut child = Command::new(python())
        .args(["-c", SCRIPT])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start python");
    let mut input = String::new();
    for (e, d) in cases {
        input.push_str(&serde_json::json!({ "e": e, "d": d }).to_string());
        input.push('\n');
    }
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().expect("python output");
    writer
        .join()
        .expect("writer thread")
        .expect("write to python");
    assert!(out.status.success(), "python failed");
    let results: Vec<Result<Json, String>> = String::from_utf8(out.stdout)
        .expect("utf-8")
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

/// A JSON document without its `null` members (a structure's unset members are absent on the
/// wire; serde writes them as `null`). Nulls inside lists stay.
pub fn without_null_members(v: Json) -> Json {
    match v {
        Json::Object(o) => Json::Object(
            o.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, without_null_members(v)))
                .collect(),
        ),
        Json::Array(a) => Json::Array(a.into_iter().map(without_null_members).collect()),
        other => other,
    }
}

/// A waiter path's value as JSON.
pub fn path_value_json(v: &awsrt::waiter::PathValue) -> Json {
    use awsrt::waiter::PathValue;
    match v {
        PathValue::Null => Json::Null,
        PathValue::Bool(b) => Json::Bool(*b),
        PathValue::Number(n) => serde_json::Number::from_f64(*n).map_or(Json::Null, Json::Number),
        PathValue::String(s) => Json::String(s.clone()),
        PathValue::List(items) => Json::Array(items.iter().map(path_value_json).collect()),
        PathValue::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), path_value_json(v)))
                .collect(),
        ),
        PathValue::Structure(name) => panic!("a path gave the structure {name}, not a JSON value"),
    }
}
