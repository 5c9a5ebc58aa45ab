//! Rendering one `#[tokio::test]` per botocore case: inputs built with the generated builders
//! from the case's `params`, requests checked against `serialized`, canned responses parsed and
//! compared member by member with `result` / `error`. The value expressions come from
//! [`super::values`].

use std::collections::BTreeSet;

use awsrt::types::Document;
use codegen::ir::{Operation, Service, TypeDef};

use super::data::{Case, Direction, Suite};
use super::values::{lit, pairs, snake, str_list, Cx};

/// A rendered suite module.
#[derive(Debug, Default)]
pub struct RenderedSuite {
    /// Rust source of the module body (the caller wraps it in `mod <name> { ... }`).
    pub source: String,
    /// `(test function name, case id)` for each rendered case.
    pub tests: Vec<(String, String)>,
    /// `(case id, reason)` for cases that could not be rendered (counted as failures).
    pub failures: Vec<(String, String)>,
}

fn find_op<'s>(svc: &'s Service, name: &str) -> Result<&'s Operation, String> {
    svc.operations
        .iter()
        .find(|o| o.name == name)
        .ok_or_else(|| format!("the generated crate has no operation {name}"))
}

/// The call `client.<op>()<setters>.send().await` for a case.
fn call(cx: &Cx<'_>, op: &Operation, case: &Case) -> Result<String, String> {
    let calls = match case.raw.get("params") {
        Some(Document::Object(o)) => cx.setter_calls(&op.input.fields, o)?,
        Some(Document::Null) | None => String::new(),
        Some(other) => return Err(format!("`params` is not an object: {}", other.to_json())),
    };
    Ok(format!(
        "    let result = client.{}(){calls}.send().await;\n",
        op.fn_name
    ))
}

fn client_setup(cx: &Cx<'_>, suite: &Suite, status: u16, headers: &str, body: &str) -> String {
    let endpoint = suite
        .client_endpoint
        .as_deref()
        .unwrap_or("https://example.com");
    format!(
        "    let mock = ::cases::Mock::new({status}, {headers}, {});\n    \
         let config = ::cases::config({}, &mock);\n    \
         let client = ::{}::Client::new(&config);\n",
        lit(body),
        lit(endpoint),
        cx.krate
    )
}

/// Whether a request case expects a gzip `Content-Encoding` (request compression).
fn gzip_expected(ser: &Document) -> bool {
    ser.get("headers")
        .and_then(Document::as_object)
        .is_some_and(|h| {
            h.iter().any(|(k, v)| {
                k.eq_ignore_ascii_case("content-encoding")
                    && v.as_str().is_some_and(|v| v.contains("gzip"))
            })
        })
}

/// The body of an input (request) case.
fn input_case(cx: &Cx<'_>, suite: &Suite, case: &Case) -> Result<String, String> {
    let op = find_op(cx.svc, case.operation())?;
    let ser = case
        .raw
        .get("serialized")
        .ok_or("the case has no `serialized` request")?;
    // The canned reply: an empty output in the protocol's format.
    let (ct, reply) = match suite.protocol.as_str() {
        "rest-json" => ("application/json".to_owned(), "{}".to_owned()),
        "rest-xml" => ("application/xml".to_owned(), String::new()),
        "query" | "ec2" => (
            "text/xml".to_owned(),
            format!("<{0}Response></{0}Response>", case.operation()),
        ),
        _ => (
            format!("application/x-amz-json-{}", suite.json_version),
            "{}".to_owned(),
        ),
    };
    let mut out = client_setup(
        cx,
        suite,
        200,
        &format!("&[(\"Content-Type\", {})]", lit(&ct)),
        &reply,
    );
    out.push_str(&call(cx, op, case)?);
    out.push_str(
        "    let requests = mock.requests();\n    \
         assert_eq!(requests.len(), 1, \"expected one request; result: {:?}\", result.as_ref().err());\n",
    );
    let body = match (suite.protocol.as_str(), ser.get("body")) {
        // query, ec2: form bodies compare as parameter sets.
        ("query" | "ec2", Some(Document::String(b))) => {
            format!("::cases::Body::Form({})", lit(b))
        }
        ("query" | "ec2", _) => "::cases::Body::Any".to_owned(),
        // rest-xml: an XML document compares canonically, anything else (payloads) byte for
        // byte.
        ("rest-xml", Some(Document::String(b))) if b.trim_start().starts_with('<') => {
            format!("::cases::Body::Xml({})", lit(b))
        }
        ("rest-xml", Some(Document::String(b))) => format!("::cases::Body::Exact({})", lit(b)),
        ("rest-xml", _) => "::cases::Body::Any".to_owned(),
        // rest-json: a JSON document compares as JSON, anything else (payloads) byte for byte.
        ("rest-json", Some(Document::String(b)))
            if !b.is_empty() && Document::parse(b.as_bytes()).is_ok() =>
        {
            format!("::cases::Body::Json({})", lit(b))
        }
        ("rest-json", Some(Document::String(b))) => format!("::cases::Body::Exact({})", lit(b)),
        ("rest-json", _) => "::cases::Body::Any".to_owned(),
        (_, Some(Document::String(b))) => format!("::cases::Body::Json({})", lit(b)),
        // A compressed body (a case expecting `Content-Encoding: gzip` says nothing of it).
        (_, _) if gzip_expected(ser) => "::cases::Body::Any".to_owned(),
        (_, _) => "::cases::Body::EmptyOrEmptyObject".to_owned(),
    };
    let host = match ser.get("host").and_then(Document::as_str) {
        Some(h) => format!("::std::option::Option::Some({})", lit(h)),
        None => "::std::option::Option::None".to_owned(),
    };
    // rest-json: the query is compared as a set of parameters (their order means nothing).
    let full_uri = ser.get("uri").and_then(Document::as_str).unwrap_or("/");
    let (uri, query) = match full_uri.split_once('?') {
        Some((path, q)) if suite.is_rest() => (path, Some(q)),
        _ => (full_uri, None),
    };
    let query_exact = match query {
        Some(q) => format!(
            "::std::option::Option::Some(&[{}])",
            q.split('&')
                .filter(|p| !p.is_empty())
                .map(lit)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => "::std::option::Option::None".to_owned(),
    };
    let required = str_list(ser.get("requireHeaders"));
    let required_lit = format!(
        "&[{}]",
        required
            .iter()
            .map(|h| lit(h))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let forbidden = str_list(ser.get("forbidHeaders"));
    out.push_str(&format!(
        "    ::cases::assert_request(&requests[0], &::cases::ExpectedRequest {{\n        \
         method: {},\n        uri: {},\n        host: {host},\n        headers: {},\n        \
         require_headers: {required_lit},\n        forbid_headers: &[{}],\n        body: {body},\n        \
         query_exact: {query_exact},\n        \
         ..::std::default::Default::default()\n    }});\n",
        lit(ser.get("method").and_then(Document::as_str).unwrap_or("POST")),
        lit(uri),
        pairs(ser.get("headers")),
        forbidden.iter().map(|h| lit(h)).collect::<Vec<_>>().join(", "),
    ));
    if !required.is_empty() {
        out.push_str(&format!(
            "    ::cases::check_required_headers(&requests[0], {required_lit}).await;\n"
        ));
    }
    out.push_str(
        "    if let Err(e) = &result {\n        panic!(\"the request was right, but the call failed: {e:?}\");\n    }\n",
    );
    Ok(out)
}

/// The body of an output (response) case.
fn output_case(cx: &Cx<'_>, suite: &Suite, case: &Case) -> Result<String, String> {
    let op = find_op(cx.svc, case.operation())?;
    let resp = case
        .raw
        .get("response")
        .ok_or("the case has no `response`")?;
    let status = resp
        .get("status_code")
        .and_then(Document::as_number)
        .and_then(|n| n.to_u64())
        .and_then(|n| u16::try_from(n).ok())
        .ok_or("`response.status_code` is missing")?;
    let body = resp.get("body").and_then(Document::as_str).unwrap_or("");
    let mut out = client_setup(cx, suite, status, &pairs(resp.get("headers")), body);
    out.push_str(&call(cx, op, case)?);
    if let Some(code) = case.raw.get("errorCode").and_then(Document::as_str) {
        let (ty, st) = op
            .errors
            .iter()
            .filter_map(|e| match cx.svc.ty(e) {
                Some(TypeDef::Struct(s)) => Some((e, s)),
                _ => None,
            })
            .find(|(_, s)| s.error.as_ref().is_some_and(|i| i.code == code))
            .ok_or_else(|| format!("{} has no modeled error with code {code}", op.name))?;
        let enum_path = format!(
            "::{}::operation::{}::{}Error",
            cx.krate,
            op.module,
            codegen::names::type_name(&op.name)
        );
        let empty = Document::Object(Default::default());
        let fields = case.raw.get("error").unwrap_or(&empty);
        let fields = fields.as_object().ok_or("`error` is not an object")?;
        let asserts = cx.field_asserts("e", &st.fields, fields, code)?;
        out.push_str(&format!(
            "    let err = match result {{\n        \
             Ok(out) => panic!(\"expected the {code} error, got {{out:?}}\"),\n        \
             Err(err) => err,\n    }};\n    \
             let service_error = match err.as_service_error() {{\n        \
             Some(e) => e,\n        None => panic!(\"expected a service error, got {{err:?}}\"),\n    }};\n    \
             assert_eq!(service_error.code(), Some({}), \"error code\");\n",
            lit(code)
        ));
        if let Some(msg) = case.raw.get("errorMessage").and_then(Document::as_str) {
            out.push_str(&format!(
                "    assert_eq!(service_error.message(), Some({}), \"error message\");\n",
                lit(msg)
            ));
        }
        out.push_str(&format!(
            "    let e = match service_error {{\n        {enum_path}::{ty}(e) => e,\n        \
             other => panic!(\"expected the {ty} variant, got {{other:?}}\"),\n    }};\n{asserts}"
        ));
    } else {
        let empty = Document::Object(Default::default());
        let result = case.raw.get("result").unwrap_or(&empty);
        let result = result.as_object().ok_or("`result` is not an object")?;
        let asserts = cx.field_asserts("out", &op.output.fields, result, "output")?;
        out.push_str(&format!(
            "    let out = match result {{\n        Ok(out) => out,\n        \
             Err(e) => panic!(\"expected a successful output, got {{e:?}}\"),\n    }};\n{asserts}"
        ));
        if asserts.is_empty() {
            out.push_str("    let _ = out;\n");
        }
    }
    Ok(out)
}

/// Renders the test functions of one suite. `skip` names the cases that do not apply (they get
/// no test).
pub fn render_suite(
    cx: &Cx<'_>,
    suite: &Suite,
    direction: Direction,
    skip: impl Fn(&str) -> bool,
) -> RenderedSuite {
    let mut r = RenderedSuite::default();
    let mut used = BTreeSet::new();
    for case in &suite.cases {
        if skip(&case.id) {
            continue;
        }
        let body = match direction {
            Direction::Input => input_case(cx, suite, case),
            Direction::Output => output_case(cx, suite, case),
        };
        let body = match body {
            Ok(b) => b,
            Err(e) => {
                r.failures
                    .push((case.id.clone(), format!("cannot render the test: {e}")));
                continue;
            }
        };
        let base = format!("case_{}", snake(&case.id));
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}_{n}");
            n += 1;
        }
        r.source.push_str(&format!(
            "/// Case `{}`.\n#[tokio::test]\nasync fn {name}() {{\n{body}}}\n\n",
            case.id
        ));
        r.tests.push((name, case.id.clone()));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::convert::to_smithy;
    use crate::protocol::data::parse_suites;

    fn svc(shapes: &str, given: &str) -> (Service, Suite) {
        let text = format!(
            r#"[{{"description": "d", "metadata": {{"targetPrefix": "JsonProtocol", "jsonVersion": "1.1"}},
               "shapes": {shapes}, "cases": [{{"id": "c", "given": {given}, "params": {{}}}}]}}]"#
        );
        let suite = parse_suites(text.as_bytes(), "t").unwrap().remove(0);
        let model = codegen::model::Model::from_json(&to_smithy(&suite).unwrap(), "t").unwrap();
        (codegen::ir::build(model, None, "k").unwrap(), suite)
    }

    const SHAPES: &str = r#"{
        "In": {"type": "structure", "members": {
            "Str": {"shape": "S"}, "L": {"shape": "SL"}, "M": {"shape": "SM"},
            "F": {"shape": "F"}, "T": {"shape": "T"}, "B": {"shape": "Bl"},
            "E": {"shape": "E"}, "Rec": {"shape": "In"}, "U": {"shape": "U"}}},
        "S": {"type": "string"}, "SL": {"type": "list", "member": {"shape": "S"}},
        "SM": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
        "F": {"type": "float"}, "T": {"type": "timestamp"}, "Bl": {"type": "blob"},
        "E": {"type": "string", "enum": ["a"]},
        "U": {"type": "structure", "union": true, "members": {"s": {"shape": "S"}}}}"#;

    #[test]
    fn setter_calls_follow_the_builder_conventions() {
        let (svc, _) = svc(SHAPES, r#"{"name": "Op", "input": {"shape": "In"}}"#);
        let cx = Cx {
            svc: &svc,
            krate: "k",
        };
        let op = &svc.operations[0];
        let params = Document::parse(
            br#"{"Str": "x", "L": ["a", "b"], "M": {}, "F": "NaN", "T": 946845296.123,
                 "B": "hi", "E": "a", "Rec": {"Str": null}, "U": {"s": "v"}}"#,
        )
        .unwrap();
        let calls = cx
            .setter_calls(&op.input.fields, params.as_object().unwrap())
            .unwrap();
        for want in [
            r#".str(::std::string::String::from("x"))"#,
            r#".l(::std::string::String::from("a")).l(::std::string::String::from("b"))"#,
            ".set_m(::std::option::Option::Some(::std::collections::HashMap::from([])))",
            ".f(f32::NAN)",
            ".t(::awsrt::types::DateTime::from_secs_and_nanos(946845296i64, 123000000u32))",
            r#".b(::awsrt::types::Blob::new("hi".as_bytes().to_vec()))"#,
            r#".e(::k::types::E::from("a"))"#,
            ".rec(::k::types::In::builder().set_str(::std::option::Option::None).build())",
            r#".u(::k::types::U::S(::std::string::String::from("v")))"#,
        ] {
            assert!(calls.contains(want), "missing {want} in {calls}");
        }
        let bad = Document::parse(br#"{"Nope": 1}"#).unwrap();
        assert!(cx
            .setter_calls(&op.input.fields, bad.as_object().unwrap())
            .is_err());
    }

    #[test]
    fn output_asserts_cover_every_member() {
        let (svc, _) = svc(SHAPES, r#"{"name": "Op", "output": {"shape": "In"}}"#);
        let cx = Cx {
            svc: &svc,
            krate: "k",
        };
        let op = &svc.operations[0];
        let result = Document::parse(br#"{"F": "Infinity", "Rec": {"Str": "x"}}"#).unwrap();
        let asserts = cx
            .field_asserts(
                "out",
                &op.output.fields,
                result.as_object().unwrap(),
                "output",
            )
            .unwrap();
        assert!(
            asserts.contains("::cases::same_f32(out.f, f32::INFINITY)"),
            "{asserts}"
        );
        assert!(
            asserts.contains("assert_eq!(out.rec, ::std::option::Option::Some(::std::boxed::Box::new(::k::types::In::builder().str("),
            "{asserts}"
        );
        assert!(asserts.contains("assert!(out.str.is_none()"), "{asserts}");
        assert_eq!(asserts.lines().count(), op.output.fields.len());
    }
}
