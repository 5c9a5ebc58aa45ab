//! Unit tests of the IR: the decisions emitters rely on, taken once here.

use super::*;
use crate::model::Model;

/// A one-service awsJson 1.1 model with `shapes` (JSON object members, without braces) added;
/// the service binds the operations listed in `ops`.
fn model(ops: &[&str], shapes: &str) -> Model {
    let ops: Vec<String> = ops
        .iter()
        .map(|o| format!(r#"{{"target": "a#{o}"}}"#))
        .collect();
    let json = format!(
        r#"{{"smithy": "2.0", "shapes": {{
            "a#Svc": {{"type": "service", "version": "1", "operations": [{}],
                       "traits": {{"aws.protocols#awsJson1_1": {{}}}}}},
            {shapes}}}}}"#,
        ops.join(",")
    );
    Model::from_json(&json, "test.json").unwrap_or_else(|e| panic!("{e}\n{json}"))
}

fn ir(ops: &[&str], shapes: &str) -> Result<Service> {
    build(model(ops, shapes), None, "k")
}

fn err(ops: &[&str], shapes: &str) -> String {
    match ir(ops, shapes) {
        Ok(_) => panic!("the model must be refused"),
        Err(e) => e.to_string(),
    }
}

const OP: &str =
    r#""a#Op": {"type": "operation", "input": {"target": "a#In"}, "output": {"target": "a#Out"}}"#;

#[test]
fn operation_names_are_decided_once() {
    let svc = ir(
        &["Op"],
        &format!(
            r#"{OP}, "a#In": {{"type": "structure", "members": {{}}}}, "a#Out": {{"type": "structure", "members": {{}}}}"#
        ),
    )
    .unwrap();
    let op = &svc.operations[0];
    assert_eq!(
        (op.name.as_str(), op.fn_name.as_str(), op.module.as_str()),
        ("Op", "op", "op")
    );
    assert_eq!(op.types.input, "OpInput");
    assert_eq!(op.types.error, "OpError");
    assert_eq!(op.types.fluent, "OpFluentBuilder");
    assert_eq!(op.input.name, "OpInput");
    assert_eq!(op.http, HttpBinding::rpc());
    assert_eq!(svc.shape_name, "Svc");
    assert_eq!(svc.protocol, Protocol::AwsJson11);
}

#[test]
fn aws_json_keeps_member_names_and_epoch_seconds() {
    let svc = ir(
        &["Op"],
        &format!(
            r#"{OP},
            "a#In": {{"type": "structure", "members": {{
                "Named": {{"target": "smithy.api#String", "traits": {{"smithy.api#jsonName": "other"}}}},
                "When": {{"target": "smithy.api#Timestamp"}},
                "Fmt": {{"target": "smithy.api#Timestamp", "traits": {{"smithy.api#timestampFormat": "http-date"}}}},
                "Header": {{"target": "smithy.api#String", "traits": {{"smithy.api#httpHeader": "x-h"}}}}}}}},
            "a#Out": {{"type": "structure", "members": {{}}}}"#
        ),
    )
    .unwrap();
    let f = &svc.operations[0].input.fields;
    assert_eq!(f[0].wire, "Named", "awsJson ignores @jsonName");
    assert_eq!(f[1].ty, RType::Timestamp(TimestampFormat::EpochSeconds));
    assert_eq!(f[2].ty, RType::Timestamp(TimestampFormat::HttpDate));
    assert!(
        f.iter().all(|f| f.location == Location::Body),
        "awsJson puts every member in the body, HTTP binding traits or not"
    );
}

#[test]
fn member_names_avoid_generated_methods() {
    let svc = ir(
        &["Op"],
        &format!(
            r#"{OP},
            "a#In": {{"type": "structure", "members": {{
                "Build": {{"target": "smithy.api#String"}}, "build": {{"target": "smithy.api#String"}},
                "Type": {{"target": "smithy.api#String"}}}}}},
            "a#Out": {{"type": "structure", "members": {{}}}}"#
        ),
    )
    .unwrap();
    let names: Vec<&str> = svc.operations[0]
        .input
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(names, ["build_value", "build_value_2", "r#type"]);
}

#[test]
fn int_enum_values_must_fit_i32() {
    let e = err(
        &["Op"],
        &format!(
            r#"{OP},
            "a#In": {{"type": "structure", "members": {{"E": {{"target": "a#E"}}}}}},
            "a#Out": {{"type": "structure", "members": {{}}}},
            "a#E": {{"type": "intEnum", "members": {{
                "BIG": {{"target": "smithy.api#Unit", "traits": {{"smithy.api#enumValue": 4294967296}}}}}}}}"#
        ),
    );
    assert!(e.contains("a#E$BIG") && e.contains("32-bit"), "{e}");
}

#[test]
fn integer_defaults_must_fit_their_type() {
    for (ty, value, ok) in [
        ("Byte", "127", true),
        ("Byte", "128", false),
        ("Short", "-32769", false),
        ("Integer", "2147483647", true),
        ("Integer", "2147483648", false),
        ("Long", "9223372036854775807", true),
        ("Float", "1e300", false),
        ("Double", "1e300", true),
    ] {
        let result = ir(
            &["Op"],
            &format!(
                r#"{OP},
                "a#In": {{"type": "structure", "members": {{
                    "N": {{"target": "smithy.api#{ty}", "traits": {{"smithy.api#default": {value}}}}}}}}},
                "a#Out": {{"type": "structure", "members": {{}}}}"#
            ),
        );
        match (result, ok) {
            (Ok(_), true) => {}
            (Err(e), false) => {
                let e = e.to_string();
                assert!(e.contains("a#In$N") && e.contains("does not fit"), "{e}");
            }
            (r, _) => panic!("{ty} default {value}: {:?}", r.map(|_| ())),
        }
    }
}

fn host_model(prefix: &str, label_trait: bool, label_type: &str) -> Result<Service> {
    let traits = if label_trait {
        r#", "traits": {"smithy.api#hostLabel": {}, "smithy.api#required": {}}"#
    } else {
        r#", "traits": {"smithy.api#required": {}}"#
    };
    ir(
        &["Op"],
        &format!(
            r#""a#Op": {{"type": "operation", "input": {{"target": "a#In"}},
                "traits": {{"smithy.api#endpoint": {{"hostPrefix": "{prefix}"}}}}}},
            "a#In": {{"type": "structure", "members": {{"Name": {{"target": "smithy.api#{label_type}"{traits}}}}}}}"#
        ),
    )
}

#[test]
fn host_prefixes_are_parsed_and_checked() {
    let svc = host_model("{Name}.data-", true, "String").unwrap();
    assert_eq!(
        svc.operations[0].host_prefix,
        Some(HostPrefix {
            parts: vec![
                HostPart::Label("Name".into()),
                HostPart::Literal(".data-".into())
            ]
        })
    );
    let svc = host_model("fixed.", true, "String").unwrap();
    assert_eq!(
        svc.operations[0].host_prefix.as_ref().unwrap().parts,
        [HostPart::Literal("fixed.".into())]
    );
    for (prefix, label_trait, ty, want) in [
        ("{Nope}.", true, "String", "names no member"),
        ("{Name}.", false, "String", "no @hostLabel"),
        (
            "{Name}.",
            true,
            "Integer",
            "must be a (non-sensitive) string",
        ),
        ("{Name.", true, "String", "unclosed"),
        ("x}.", true, "String", "unmatched"),
    ] {
        let e = host_model(prefix, label_trait, ty).unwrap_err().to_string();
        assert!(e.contains("a#Op") && e.contains(want), "{prefix}: {e}");
    }
}

#[test]
fn uri_templates_parse_labels_and_literal_queries() {
    let t = UriTemplate::parse("a#Op", "/a/{B}/c/{D+}?x=1&flag").unwrap();
    assert_eq!(
        t.path,
        [
            PathSegment::Literal("a".into()),
            PathSegment::Label {
                member: "B".into(),
                greedy: false
            },
            PathSegment::Literal("c".into()),
            PathSegment::Label {
                member: "D".into(),
                greedy: true
            },
        ]
    );
    assert_eq!(
        t.query,
        [("x".into(), Some("1".into())), ("flag".into(), None)]
    );
    assert_eq!(t.path_text(), "/a/{B}/c/{D+}");
    assert_eq!(UriTemplate::parse("a#Op", "/").unwrap().path_text(), "/");
    assert_eq!(
        UriTemplate::parse("a#Op", "/x/").unwrap().path_text(),
        "/x/"
    );
    for (uri, want) in [
        ("nope", "must start with"),
        ("/a{B}", "whole segment"),
        ("/{A+}/{B+}", "more than one greedy"),
        ("/{A}/{A}", "twice"),
        ("/a?x={B}", "not allowed in the query"),
    ] {
        let e = UriTemplate::parse("a#Op", uri).unwrap_err().to_string();
        assert!(e.contains("a#Op") && e.contains(want), "{uri}: {e}");
    }
}

fn paginated(token_type: &str, items_type: &str) -> Service {
    ir(
        &["List"],
        &format!(
            r#""a#List": {{"type": "operation", "input": {{"target": "a#In"}}, "output": {{"target": "a#Out"}},
                "traits": {{"smithy.api#paginated": {{"inputToken": "Next", "outputToken": "Page.Next", "items": "Items", "pageSize": "Max"}}}}}},
            "a#In": {{"type": "structure", "members": {{"Next": {{"target": "smithy.api#{token_type}"}}, "Max": {{"target": "smithy.api#Integer"}}}}}},
            "a#Out": {{"type": "structure", "members": {{"Page": {{"target": "a#Page"}}, "Items": {{"target": "a#{items_type}"}}}}}},
            "a#Page": {{"type": "structure", "members": {{"Next": {{"target": "smithy.api#{token_type}"}}}}}},
            "a#L": {{"type": "list", "member": {{"target": "smithy.api#String"}}}},
            "a#M": {{"type": "map", "key": {{"target": "smithy.api#String"}}, "value": {{"target": "smithy.api#String"}}}}"#
        ),
    )
    .unwrap()
}

#[test]
fn pagination_is_resolved_against_input_and_output() {
    let svc = paginated("String", "L");
    let p = svc.operations[0].pagination.as_ref().expect("pageable");
    assert_eq!(p.input_token.name, "next");
    let path: Vec<&str> = p.output_token.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(path, ["page", "next"]);
    assert_eq!(p.output_token_path, "Page.Next");
    assert_eq!(p.item_type(), Some(&RType::String));
    assert_eq!(p.page_size.as_ref().map(|f| f.name.as_str()), Some("max"));
    assert_eq!(
        svc.quick_start_paginated().map(|o| o.name.as_str()),
        Some("List")
    );
    // Items that are not a list: paging works, item streaming does not.
    let svc = paginated("String", "M");
    let p = svc.operations[0].pagination.as_ref().expect("pageable");
    assert!(p.items.is_none() && p.item_type().is_none());
    // Tokens that are not strings: no paginator.
    assert!(paginated("Integer", "L").operations[0].pagination.is_none());
}

#[test]
fn examples_are_typed_and_bad_ones_reported() {
    let svc = ir(
        &["Op"],
        r#""a#Op": {"type": "operation", "input": {"target": "a#In"}, "output": {"target": "a#In"},
                "traits": {"smithy.api#examples": [
                    {"title": "good", "input": {"S": "x", "N": 3, "L": ["a"], "T": 1.5}, "output": {"S": "y"}},
                    {"title": "too big", "input": {"B": 300}},
                    {"title": "no such member", "input": {"Nope": 1}},
                    {"title": "bad date", "input": {"T": "yesterday"}}]}},
            "a#In": {"type": "structure", "members": {
                "S": {"target": "smithy.api#String"}, "N": {"target": "smithy.api#Integer"},
                "B": {"target": "smithy.api#Byte"}, "T": {"target": "smithy.api#Timestamp"},
                "L": {"target": "a#L"}}},
            "a#L": {"type": "list", "member": {"target": "smithy.api#String"}}"#,
    )
    .unwrap();
    let op = &svc.operations[0];
    assert_eq!(op.examples.len(), 1);
    let ex = &op.examples[0];
    assert_eq!(ex.title, "good");
    assert_eq!(
        ex.input,
        [
            (0, Value::String("x".into())),
            (1, Value::Int(3)),
            (4, Value::List(vec![Value::String("a".into())])),
            (
                3,
                Value::Timestamp {
                    secs: 1,
                    nanos: 500_000_000
                }
            ),
        ]
    );
    assert_eq!(ex.output, Some(vec![(0, Value::String("y".into()))]));
    assert_eq!(svc.notes.len(), 3, "{:?}", svc.notes);
    for (note, want) in svc
        .notes
        .iter()
        .zip(["out of range", "no member named Nope", "RFC 3339"])
    {
        assert!(
            note.starts_with("shape a#Op: example") && note.contains(want),
            "{note}"
        );
    }
}

#[test]
fn service_errors_reach_every_operation_once() {
    let svc = ir(
        &["Op"],
        r#""a#Op": {"type": "operation", "errors": [{"target": "a#Boom"}, {"target": "a#Boom"}]},
           "a#Boom": {"type": "structure", "members": {}, "traits": {"smithy.api#error": "client", "smithy.api#retryable": {"throttling": true}}}"#,
    )
    .unwrap();
    assert_eq!(svc.operations[0].errors, ["Boom"]);
    let boom = svc.error_struct("Boom").expect("an error structure");
    assert_eq!(boom.error.as_ref().map(|e| e.code.as_str()), Some("Boom"));
    assert!(svc.de.contains("Boom"));
    assert!(svc.error_struct("Nope").is_none());
}

/// A one-operation restJson1 model whose operation has `http` and input `members`.
fn rest(http: &str, members: &str) -> Result<Service> {
    let json = format!(
        r#"{{"smithy": "2.0", "shapes": {{
            "a#Svc": {{"type": "service", "version": "1", "operations": [{{"target": "a#Op"}}],
                       "traits": {{"aws.protocols#restJson1": {{}}}}}},
            "a#Op": {{"type": "operation", "input": {{"target": "a#In"}}, "output": {{"target": "a#Out"}},
                      "traits": {{"smithy.api#http": {http}}}}},
            "a#In": {{"type": "structure", "members": {{{members}}}}},
            "a#Out": {{"type": "structure", "members": {{
                "H": {{"target": "smithy.api#Timestamp", "traits": {{"smithy.api#httpHeader": "x-h"}}}},
                "Code": {{"target": "smithy.api#Integer", "traits": {{"smithy.api#httpResponseCode": {{}}}}}},
                "Named": {{"target": "smithy.api#String", "traits": {{"smithy.api#jsonName": "other"}}}}}}}},
            "a#L": {{"type": "list", "member": {{"target": "smithy.api#Blob"}}}}}}}}"#
    );
    build(
        Model::from_json(&json, "rest.json").unwrap_or_else(|e| panic!("{e}\n{json}")),
        None,
        "k",
    )
}

#[test]
fn rest_json_locations_wire_names_and_timestamp_formats() {
    let svc = rest(
        r#"{"method": "GET", "uri": "/things/{Id}?fixed=1", "code": 200}"#,
        r#""Id": {"target": "smithy.api#String", "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}}},
           "Since": {"target": "smithy.api#Timestamp", "traits": {"smithy.api#httpQuery": "since"}},
           "Body": {"target": "smithy.api#Timestamp", "traits": {"smithy.api#jsonName": "body"}}"#,
    )
    .unwrap();
    assert_eq!(svc.protocol, Protocol::RestJson1);
    let op = &svc.operations[0];
    assert_eq!(op.http.method, "GET");
    assert_eq!(op.http.uri.path_text(), "/things/{Id}");
    assert_eq!(op.http.uri.query, [("fixed".into(), Some("1".into()))]);
    let f = &op.input.fields;
    assert_eq!(f[0].location, Location::Label);
    assert_eq!(
        (&f[1].location, &f[1].ty),
        (
            &Location::Query("since".into()),
            &RType::Timestamp(TimestampFormat::DateTime)
        )
    );
    assert_eq!(
        (&f[2].location, f[2].wire.as_str(), &f[2].ty),
        (
            &Location::Body,
            "body",
            &RType::Timestamp(TimestampFormat::EpochSeconds)
        )
    );
    let o = &op.output.fields;
    assert_eq!(o[0].ty, RType::Timestamp(TimestampFormat::HttpDate));
    assert_eq!(o[1].location, Location::ResponseCode);
    assert_eq!(o[2].wire, "other", "restJson1 honours @jsonName");
}

#[test]
fn rest_json_bindings_are_checked() {
    let label = r#""Id": {"target": "smithy.api#String", "traits": {"smithy.api#httpLabel": {}, "smithy.api#required": {}}}"#;
    for (http, members, want) in [
        (
            r#"{"method": "GET", "uri": "/x"}"#,
            label,
            "the operation's @http uri has no such label",
        ),
        (
            r#"{"method": "GET", "uri": "/x/{Nope}"}"#,
            label,
            "names no member",
        ),
        (
            r#"{"method": "BREW", "uri": "/{Id}"}"#,
            label,
            "unsupported method",
        ),
        (
            r#"{"method": "GET", "uri": "/x"}"#,
            r#""L": {"target": "a#L", "traits": {"smithy.api#httpHeader": "x-l"}}"#,
            "cannot bind",
        ),
        (
            r#"{"method": "GET", "uri": "/x"}"#,
            r#""A": {"target": "smithy.api#String", "traits": {"smithy.api#httpPayload": {}}},
               "B": {"target": "smithy.api#String"}"#,
            "other members for the body",
        ),
    ] {
        let e = rest(http, members).unwrap_err().to_string();
        assert!(e.contains("a#Op") || e.contains("a#In"), "{e}");
        assert!(e.contains(want), "{want}: {e}");
    }
    let e = rest(r#"{"method": "GET"}"#, label).unwrap_err().to_string();
    assert!(e.contains("a#Op") && e.contains("`uri`"), "{e}");
}

#[test]
fn big_numbers_keep_their_digits() {
    let shapes = format!(
        r#"{OP}, "a#In": {{"type": "structure", "members": {{
            "I": {{"target": "smithy.api#BigInteger", "traits": {{"smithy.api#default": 12345678901234567890123}}}},
            "D": {{"target": "smithy.api#BigDecimal", "traits": {{"smithy.api#default": 0.100000000000000000000001}}}}}}}},
          "a#Out": {{"type": "structure", "members": {{}}}}"#
    );
    let svc = ir(&["Op"], &shapes).unwrap();
    let f = |n: &str| svc.operations[0].input.field(n).unwrap().clone();
    assert_eq!(f("I").ty, RType::BigInteger);
    assert_eq!(f("D").ty, RType::BigDecimal);
    assert_eq!(
        big_text(&RType::BigInteger, f("I").default.as_ref().unwrap()).as_deref(),
        Some("12345678901234567890123")
    );
    assert_eq!(
        big_text(&RType::BigDecimal, f("D").default.as_ref().unwrap()).as_deref(),
        Some("0.100000000000000000000001")
    );
    // A bigInteger's default must be an integer.
    let bad = shapes.replace("12345678901234567890123", "1.5");
    assert!(
        err(&["Op"], &bad).contains("default"),
        "{}",
        err(&["Op"], &bad)
    );
}

#[test]
fn operation_features_gate_only_the_types_their_operations_reach() {
    use crate::emit::features::{cargo_features, gate_features, type_users};
    let svc = ir(
        &["Alpha", "Beta"],
        r#""a#Alpha": {"type": "operation", "input": {"target": "a#AlphaIn"}, "output": {"target": "a#AlphaOut"},
                       "errors": [{"target": "a#Oops"}]},
           "a#Beta": {"type": "operation", "input": {"target": "a#BetaIn"}, "output": {"target": "a#BetaOut"}},
           "a#AlphaIn": {"type": "structure", "members": {"s": {"target": "a#Inner"}}},
           "a#AlphaOut": {"type": "structure", "members": {}},
           "a#BetaIn": {"type": "structure", "members": {"k": {"target": "a#Kind"}}},
           "a#BetaOut": {"type": "structure", "members": {"l": {"target": "a#Items"}}},
           "a#Items": {"type": "list", "member": {"target": "a#Deep"}},
           "a#Inner": {"type": "structure", "members": {"k": {"target": "a#Kind"}}},
           "a#Deep": {"type": "structure", "members": {"n": {"target": "smithy.api#String"}}},
           "a#Kind": {"type": "enum", "members": {"X": {"target": "smithy.api#Unit"}}},
           "a#Oops": {"type": "structure", "members": {}, "traits": {"smithy.api#error": "client"}}"#,
    )
    .unwrap();
    let users = type_users(&svc);
    let names = |ty: &str| gate_features(&svc, users.get(ty));
    // Reached by one operation: under its feature (through a list, and through an error).
    assert_eq!(names("Inner"), Some(vec!["alpha".to_string()]));
    assert_eq!(names("Deep"), Some(vec!["beta".to_string()]));
    assert_eq!(names("Oops"), Some(vec!["alpha".to_string()]));
    // Reached by every operation: always there.
    assert_eq!(names("Kind"), None);
    // Reached by none: only with `full`.
    assert_eq!(names("Nowhere"), Some(vec!["full".to_string()]));
    let toml = cargo_features(&svc);
    assert!(
        toml.contains("full = [\n    \"alpha\",\n    \"beta\",\n]\n"),
        "{toml}"
    );
    assert!(
        toml.contains("\nalpha = []\n") && toml.contains("\nbeta = []\n"),
        "{toml}"
    );
}

#[test]
fn an_operation_feature_may_not_take_a_crate_feature_name() {
    let e = err(
        &["Serde"],
        r#""a#Serde": {"type": "operation", "input": {"target": "a#In"}, "output": {"target": "a#Out"}},
           "a#In": {"type": "structure", "members": {}}, "a#Out": {"type": "structure", "members": {}}"#,
    );
    assert!(
        e.contains("a#Serde") && e.contains("cargo feature `serde`"),
        "{e}"
    );
}

#[test]
fn gate_items_puts_the_condition_on_every_item() {
    use crate::emit::features::gate_items;
    let items = quote::quote! {
        /// Docs.
        #[derive(Debug)]
        pub struct A { x: u8 }
        pub(crate) static B: S = S { y: 1 };
        use a::{b, c};
        impl A { fn f(&self) {} }
        pub struct T(u8);
    };
    let features = vec!["get_thing".to_owned()];
    let gated = gate_items(items.clone(), Some(&features)).to_string();
    assert_eq!(gated.matches("cfg").count(), 5, "{gated}");
    let gate = "# [cfg (feature = \"get_thing\")]";
    for item in [
        "pub struct A",
        "pub (crate) static B",
        "use a",
        "impl A",
        "pub struct T",
    ] {
        assert!(gated.contains(item), "{item} missing from {gated}");
    }
    assert!(gated.starts_with(gate), "{gated}");
    assert!(gated.contains(&format!("; {gate} use a")), "{gated}");
    assert!(
        gated.contains(&format!("}} {gate} pub struct T")),
        "{gated}"
    );
    // No condition: the items as they were.
    assert_eq!(
        gate_items(items.clone(), None).to_string(),
        items.to_string()
    );
}
