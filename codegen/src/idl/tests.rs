//! Unit tests of the IDL loader. The reference loader's own fixtures run in
//! `tests/tests/idl_conformance.rs`.

use serde_json::{json, Value};

use super::{load_sources, Source};

fn load(files: &[(&str, &str)]) -> crate::Result<Value> {
    let sources: Vec<Source> = files
        .iter()
        .map(|(name, text)| Source {
            name: (*name).to_owned(),
            text: (*text).to_owned(),
        })
        .collect();
    load_sources(&sources)
}

fn shape(doc: &Value, id: &str) -> Value {
    doc["shapes"][id].clone()
}

#[test]
fn forward_references_prelude_and_use_resolve() {
    let doc = load(&[(
        "a.smithy",
        r#"$version: "2"
namespace ex.a
use ex.b#Other

structure S {
    later: Later
    text: String
    other: Other
}
string Later
"#,
    )])
    .unwrap();
    let members = &shape(&doc, "ex.a#S")["members"];
    assert_eq!(members["later"]["target"], "ex.a#Later");
    assert_eq!(members["text"]["target"], "smithy.api#String");
    assert_eq!(members["other"]["target"], "ex.b#Other");
    let names: Vec<&String> = members.as_object().unwrap().keys().collect();
    assert_eq!(names, ["later", "text", "other"], "member order is kept");
}

#[test]
fn annotation_traits_take_their_definitions_empty_value() {
    let doc = load(&[(
        "a.smithy",
        "$version: \"2\"\nnamespace ex\n@sensitive @tags\nstring S\n",
    )])
    .unwrap();
    assert_eq!(
        shape(&doc, "ex#S")["traits"]["smithy.api#sensitive"],
        json!({})
    );
    assert_eq!(shape(&doc, "ex#S")["traits"]["smithy.api#tags"], json!([]));
}

#[test]
fn inline_io_doc_comments_defaults_and_big_numbers() {
    let doc = load(&[(
        "a.smithy",
        r#"$version: "2.0"
namespace ex
/// Gets
/// things.
operation Get {
    input := {
        @required
        count: Integer = 3
    }
}
@trait
bigInteger big
@big(123456789012345678901234567890)
string N
"#,
    )])
    .unwrap();
    let op = shape(&doc, "ex#Get");
    assert_eq!(op["input"]["target"], "ex#GetInput");
    assert_eq!(op["traits"]["smithy.api#documentation"], "Gets\nthings.");
    let input = shape(&doc, "ex#GetInput");
    assert_eq!(input["traits"]["smithy.api#input"], json!({}));
    assert_eq!(
        input["members"]["count"]["traits"]["smithy.api#default"],
        json!(3)
    );
    assert_eq!(
        shape(&doc, "ex#N")["traits"]["ex#big"].to_string(),
        "123456789012345678901234567890"
    );
}

#[test]
fn text_blocks_lose_incidental_indentation() {
    let doc = load(&[(
        "a.smithy",
        "$version: \"2\"\nnamespace ex\n@documentation(\"\"\"\n    a\n      b\n    \"\"\")\nstring S\n",
    )])
    .unwrap();
    assert_eq!(
        shape(&doc, "ex#S")["traits"]["smithy.api#documentation"],
        "a\n  b\n"
    );
}

#[test]
fn idl_and_json_files_mix_and_apply_crosses_files() {
    let doc = load(&[
        (
            "a.json",
            r#"{"smithy":"2.0","shapes":{"ex#J":{"type":"string"}}}"#,
        ),
        (
            "b.smithy",
            "$version: \"2\"\nnamespace ex\napply J @sensitive\nlist L { member: J }\n",
        ),
    ])
    .unwrap();
    assert_eq!(
        shape(&doc, "ex#J")["traits"]["smithy.api#sensitive"],
        json!({})
    );
    assert_eq!(shape(&doc, "ex#L")["member"]["target"], "ex#J");
}

#[test]
fn errors_name_file_line_and_column() {
    let err = load(&[(
        "bad.smithy",
        "$version: \"2\"\nnamespace ex\n\nstructure S {\n  a: String\n",
    )])
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("bad.smithy:6:1: Expected RBRACE"), "{err}");
    let err = load(&[(
        "t.smithy",
        "$version: \"2\"\nnamespace ex\n@nope\nstring S\n",
    )])
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with("t.smithy:3:2:") && err.contains("ex#nope"),
        "{err}"
    );
}

#[test]
fn hostile_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!(
        "$version: \"2\"\nnamespace ex\n@tags({}{})\nstring S\n",
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = load(&[("deep.smithy", &deep)]).unwrap_err().to_string();
    assert!(err.contains("nest deeper"), "{err}");
}
