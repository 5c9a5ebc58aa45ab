//! A broken or unsupported model fails with one line naming the shape and the reason; never a panic.

fn gen(json: &str) -> String {
    match codegen::generate_crate(json, "bad.json", None, "bad", &Default::default()) {
        Ok(_) => panic!("the model must be refused"),
        Err(e) => {
            let s = e.to_string();
            assert!(!s.contains('\n'), "one line: {s}");
            s
        }
    }
}

const SERVICE: &str = r#""a#Svc":{"type":"service","version":"1","operations":[{"target":"a#Op"}],"traits":{"aws.protocols#awsJson1_1":{}}},"a#Op":{"type":"operation","input":{"target":"a#In"}}"#;

#[test]
fn malformed_json_reports_line_and_column() {
    let e = gen("{\n  \"smithy\": \"2.0\",\n  \"shapes\": {,}\n}");
    assert!(
        e.contains("bad.json") && e.contains("line 3") && e.contains("column"),
        "{e}"
    );
}

#[test]
fn missing_target_names_both_shapes() {
    let e = gen(&format!(
        r#"{{"smithy":"2.0","shapes":{{{SERVICE},"a#In":{{"type":"structure","members":{{"x":{{"target":"a#Nope"}}}}}}}}}}"#
    ));
    assert!(e.contains("a#In$x") && e.contains("a#Nope"), "{e}");
}

#[test]
fn service_without_supported_protocol() {
    let e = gen(
        r#"{"smithy":"2.0","shapes":{"a#Svc":{"type":"service","version":"1","traits":{"aws.protocols#httpBinaryRpc":{}}}}}"#,
    );
    assert!(
        e.contains("a#Svc") && e.contains("no supported protocol") && e.contains("httpBinaryRpc"),
        "{e}"
    );
}

#[test]
fn trait_value_of_the_wrong_type() {
    let e = gen(&format!(
        r#"{{"smithy":"2.0","shapes":{{{SERVICE},"a#In":{{"type":"structure","members":{{"x":{{"target":"smithy.api#String","traits":{{"smithy.api#documentation":42}}}}}}}}}}}}"#
    ));
    assert!(
        e.contains("a#In$x") && e.contains("smithy.api#documentation") && e.contains("string"),
        "{e}"
    );
    let e = gen(&format!(
        r#"{{"smithy":"2.0","shapes":{{{SERVICE},"a#In":{{"type":"structure","traits":{{"smithy.api#error":"maybe"}}}}}}}}"#
    ));
    assert!(e.contains("a#In") && e.contains("smithy.api#error"), "{e}");
}

#[test]
fn unknown_shape_type_and_non_object_shapes() {
    let e = gen(r#"{"smithy":"2.0","shapes":{"a#X":{"type":"widget"}}}"#);
    assert!(e.contains("a#X") && e.contains("widget"), "{e}");
    let e = gen(r#"{"smithy":"2.0","shapes":{"a#X":[]}}"#);
    assert!(e.contains("a#X"), "{e}");
    let e = gen(r#"{"shapes":{}}"#);
    assert!(e.contains("smithy"), "{e}");
}

#[test]
fn unknown_traits_are_kept_not_fatal() {
    let json = format!(
        r#"{{"smithy":"2.0","shapes":{{{SERVICE},"a#In":{{"type":"structure","traits":{{"vendor.x#custom":{{"any":[1,2]}}}},"members":{{"x":{{"target":"smithy.api#String"}}}}}}}}}}"#
    );
    let files = codegen::generate_crate(&json, "ok.json", None, "ok", &Default::default())
        .expect("unknown traits are fine");
    assert!(files.contains_key("src/operation/op.rs"));
    let m = codegen::model::Model::from_json(&json, "ok.json").unwrap();
    assert!(m.shapes["a#In"].traits.has("vendor.x#custom"));
}

#[test]
fn apply_statements_reach_shapes_and_members() {
    let json = r#"{"smithy":"2.0","shapes":{
        "a#S":{"type":"structure","members":{"x":{"target":"smithy.api#String"}}},
        "a#S$x":{"type":"apply","traits":{"smithy.api#documentation":"applied"}},
        "a#S2":{"type":"apply","traits":{}}}}"#;
    let e = codegen::model::Model::from_json(json, "m.json")
        .unwrap_err()
        .to_string();
    assert!(e.contains("a#S2"), "{e}");
    let json = json.replace(",\n        \"a#S2\":{\"type\":\"apply\",\"traits\":{}}", "");
    let m = codegen::model::Model::from_json(&json, "m.json").unwrap();
    assert_eq!(
        m.shapes["a#S"].members[0]
            .traits
            .documentation("x")
            .unwrap(),
        Some("applied")
    );
}
