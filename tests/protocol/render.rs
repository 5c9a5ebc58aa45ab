//! Rendering one `#[tokio::test]` per case: inputs built with the generated builders from the
//! case's `params` (typed Rust literals), requests checked against `serialized`, canned
//! responses parsed and compared member by member with `result` / `error`.
//!
//! Names come from the generator's IR ([`codegen::ir::Service`]), so the test code calls exactly
//! the methods and types the generated crate has.

use std::collections::BTreeSet;

use awsrt::types::{Document, Number};
use codegen::ir::{Field, Operation, RType, Service, TypeDef};

use super::data::{Case, Direction, Suite};

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

/// A Rust string literal for `s`.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// `snake_case` for test function and module names: any non-alphanumeric becomes `_`, a word
/// boundary (lower/digit → upper, or an acronym's last capital before a lowercase) gets `_`.
pub fn snake(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && i > 0 {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower)
                {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// Context for rendering expressions of one generated crate.
pub struct Cx<'a> {
    /// The IR of the generated crate.
    pub svc: &'a Service,
    /// The generated crate's name (its path root in the cases crate).
    pub krate: &'a str,
}

impl Cx<'_> {
    fn type_path(&self, name: &str) -> String {
        format!("::{}::types::{name}", self.krate)
    }

    /// An owned expression of type `ty` for the JSON value `v` (botocore's `params`/`result`
    /// conventions: blobs as their raw text, timestamps as epoch seconds).
    pub fn value(&self, ty: &RType, v: &Document) -> Result<String, String> {
        let bad = || format!("cannot render {} as {ty:?}", v.to_json());
        Ok(match (ty, v) {
            (RType::String, Document::String(s)) => {
                format!("::std::string::String::from({})", lit(s))
            }
            (RType::SensitiveString, Document::String(s)) => {
                format!("::awsrt::types::SensitiveString::from({})", lit(s))
            }
            (RType::Bool, Document::Bool(b)) => b.to_string(),
            (RType::I8 | RType::I16 | RType::I32 | RType::I64, Document::Number(n)) => {
                int_literal(ty, *n).ok_or_else(bad)?
            }
            (RType::F32 | RType::F64, v) => float_literal(ty, v).ok_or_else(bad)?,
            (RType::Blob, Document::String(s)) => {
                format!("::awsrt::types::Blob::new({}.as_bytes().to_vec())", lit(s))
            }
            (RType::SensitiveBlob, Document::String(s)) => format!(
                "::awsrt::types::SensitiveBlob::new({}.as_bytes().to_vec())",
                lit(s)
            ),
            (RType::Timestamp(_), Document::Number(n)) => timestamp_literal(*n).ok_or_else(bad)?,
            (RType::Document, v) => format!("::cases::doc({})", lit(&v.to_json())),
            (RType::Enum(n), Document::String(s)) => {
                format!("{}::from({})", self.type_path(n), lit(s))
            }
            (RType::IntEnum(n), Document::Number(x)) => format!(
                "{}::from({})",
                self.type_path(n),
                int_literal(&RType::I32, *x).ok_or_else(bad)?
            ),
            (RType::Struct(n), Document::Object(o)) => {
                let Some(TypeDef::Struct(s)) = self.svc.ty(n) else {
                    return Err(format!("unknown structure {n}"));
                };
                let calls = self.setter_calls(&s.fields, o)?;
                let build = if s.fallible_build() {
                    format!(".build().expect({})", lit(&format!("build {n}")))
                } else {
                    ".build()".to_owned()
                };
                format!("{}::builder(){calls}{build}", self.type_path(n))
            }
            (RType::Union(n), Document::Object(o)) => {
                let Some(TypeDef::Union(s)) = self.svc.ty(n) else {
                    return Err(format!("unknown union {n}"));
                };
                let set: Vec<_> = o.iter().filter(|(_, v)| !v.is_null()).collect();
                let [(k, val)] = set.as_slice() else {
                    return Err(format!(
                        "a {n} value must set exactly one member: {}",
                        v.to_json()
                    ));
                };
                let f = find_field(&s.fields, k)
                    .ok_or_else(|| format!("union {n} has no member {k}"))?;
                let inner = self.value(&f.ty, val)?;
                let inner = if f.boxed {
                    format!("::std::boxed::Box::new({inner})")
                } else {
                    inner
                };
                format!("{}::{}({inner})", self.type_path(n), f.variant)
            }
            (RType::List(inner, sparse), Document::Array(items)) => {
                let items = items
                    .iter()
                    .map(|i| self.maybe(inner, *sparse, i))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("::std::vec![{}]", items.join(", "))
            }
            (RType::Map(inner, sparse), Document::Object(o)) => {
                let entries = o
                    .iter()
                    .map(|(k, v)| {
                        self.maybe(inner, *sparse, v)
                            .map(|e| format!("(::std::string::String::from({}), {e})", lit(k)))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                format!(
                    "::std::collections::HashMap::from([{}])",
                    entries.join(", ")
                )
            }
            _ => return Err(bad()),
        })
    }

    /// An element of a collection: `Option`-wrapped when the collection is sparse.
    fn maybe(&self, ty: &RType, sparse: bool, v: &Document) -> Result<String, String> {
        match (sparse, v) {
            (true, Document::Null) => Ok("::std::option::Option::None".to_owned()),
            (true, v) => Ok(format!(
                "::std::option::Option::Some({})",
                self.value(ty, v)?
            )),
            (false, Document::Null) => Err("null in a non-sparse collection".to_owned()),
            (false, v) => self.value(ty, v),
        }
    }

    /// Builder calls for the members in `o`, as a user writes them: `.member(value)`, one call
    /// per list item or map entry, `.set_member(..)` for null (unset), empty and sparse
    /// collections.
    pub fn setter_calls(
        &self,
        fields: &[Field],
        o: &std::collections::BTreeMap<String, Document>,
    ) -> Result<String, String> {
        let mut calls = String::new();
        for (k, v) in o {
            let f = find_field(fields, k).ok_or_else(|| format!("no member named {k}"))?;
            let n = &f.name;
            let set = format!("set_{}", f.name.trim_start_matches("r#"));
            match (&f.ty, v) {
                (_, Document::Null) => {
                    calls.push_str(&format!(".{set}(::std::option::Option::None)"))
                }
                (RType::List(inner, false), Document::Array(items)) if !items.is_empty() => {
                    for i in items {
                        calls.push_str(&format!(".{n}({})", self.value(inner, i)?));
                    }
                }
                (RType::Map(inner, false), Document::Object(m)) if !m.is_empty() => {
                    for (mk, mv) in m {
                        calls.push_str(&format!(
                            ".{n}(::std::string::String::from({}), {})",
                            lit(mk),
                            self.value(inner, mv)?
                        ));
                    }
                }
                (RType::List(..) | RType::Map(..), _) => calls.push_str(&format!(
                    ".{set}(::std::option::Option::Some({}))",
                    self.value(&f.ty, v)?
                )),
                (ty, v) => calls.push_str(&format!(".{n}({})", self.value(ty, v)?)),
            }
        }
        Ok(calls)
    }

    /// Assertions that `<expr>.<field>` equals the expected members in `o` (absent members must
    /// be unset); `what` names the value in messages.
    pub fn field_asserts(
        &self,
        expr: &str,
        fields: &[Field],
        o: &std::collections::BTreeMap<String, Document>,
        what: &str,
    ) -> Result<String, String> {
        for k in o.keys() {
            if find_field(fields, k).is_none() {
                return Err(format!("{what} has no member {k}"));
            }
        }
        let mut out = String::new();
        for f in fields {
            let got = format!("{expr}.{}", f.name);
            let want = o
                .get(&f.member)
                .or_else(|| o.get(&f.wire))
                .filter(|v| !v.is_null());
            let msg = lit(&format!("{what} member {}", f.member));
            match want {
                None if f.optional => out.push_str(&format!(
                    "    assert!({got}.is_none(), \"{{}}: expected none, got {{:?}}\", {msg}, {got});\n"
                )),
                None => {}
                Some(v) if f.optional && matches!(f.ty, RType::F32 | RType::F64) => {
                    let helper = if f.ty == RType::F32 { "same_f32" } else { "same_f64" };
                    out.push_str(&format!(
                        "    assert!(::cases::{helper}({got}, {}), \"{{}}: got {{:?}}\", {msg}, {got});\n",
                        self.value(&f.ty, v)?
                    ));
                }
                Some(v) => {
                    let mut e = self.value(&f.ty, v)?;
                    if f.boxed {
                        e = format!("::std::boxed::Box::new({e})");
                    }
                    if f.optional {
                        e = format!("::std::option::Option::Some({e})");
                    }
                    out.push_str(&format!("    assert_eq!({got}, {e}, \"{{}}\", {msg});\n"));
                }
            }
        }
        Ok(out)
    }
}

fn find_field<'f>(fields: &'f [Field], key: &str) -> Option<&'f Field> {
    fields
        .iter()
        .find(|f| f.member == key)
        .or_else(|| fields.iter().find(|f| f.wire == key))
}

fn int_literal(ty: &RType, n: Number) -> Option<String> {
    let i = n.to_i64()?;
    Some(match ty {
        RType::I8 => format!("{}i8", i8::try_from(i).ok()?),
        RType::I16 => format!("{}i16", i16::try_from(i).ok()?),
        RType::I32 => format!("{}i32", i32::try_from(i).ok()?),
        RType::I64 => format!("{i}i64"),
        _ => return None,
    })
}

fn float_literal(ty: &RType, v: &Document) -> Option<String> {
    let t = if *ty == RType::F32 { "f32" } else { "f64" };
    Some(match v {
        Document::String(s) if s == "NaN" => format!("{t}::NAN"),
        Document::String(s) if s == "Infinity" => format!("{t}::INFINITY"),
        Document::String(s) if s == "-Infinity" => format!("{t}::NEG_INFINITY"),
        Document::Number(n) if *ty == RType::F32 => format!("{:?}f32", n.as_f64() as f32),
        Document::Number(n) => format!("{:?}f64", n.as_f64()),
        _ => return None,
    })
}

/// Epoch seconds (possibly fractional, at most microsecond precision in the data) → an exact
/// `DateTime`.
fn timestamp_literal(n: Number) -> Option<String> {
    if let Some(secs) = n.to_i64() {
        return Some(format!("::awsrt::types::DateTime::from_secs({secs}i64)"));
    }
    let f = n.as_f64();
    if !f.is_finite() {
        return None;
    }
    let secs = f.floor();
    let micros = ((f - secs) * 1e6).round() as u32;
    let (secs, micros) = if micros >= 1_000_000 {
        (secs as i64 + 1, 0)
    } else {
        (secs as i64, micros)
    };
    Some(format!(
        "::awsrt::types::DateTime::from_secs_and_nanos({secs}i64, {}u32)",
        micros * 1000
    ))
}

fn str_list(doc: Option<&Document>) -> Vec<&str> {
    doc.and_then(Document::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Document::as_str)
        .collect()
}

fn pairs(doc: Option<&Document>) -> String {
    let items: Vec<String> = doc
        .and_then(Document::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| format!("({}, {})", lit(k), lit(v))))
        .collect();
    format!("&[{}]", items.join(", "))
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

/// The body of an input (request) case.
fn input_case(cx: &Cx<'_>, suite: &Suite, case: &Case) -> Result<String, String> {
    let op = find_op(cx.svc, case.operation())?;
    let ser = case
        .raw
        .get("serialized")
        .ok_or("the case has no `serialized` request")?;
    let ct = format!("application/x-amz-json-{}", suite.json_version);
    let mut out = client_setup(
        cx,
        suite,
        200,
        &format!("&[(\"Content-Type\", {})]", lit(&ct)),
        "{}",
    );
    out.push_str(&call(cx, op, case)?);
    out.push_str(
        "    let requests = mock.requests();\n    \
         assert_eq!(requests.len(), 1, \"expected one request; result: {:?}\", result.as_ref().err());\n",
    );
    let body = match ser.get("body") {
        Some(Document::String(b)) => format!("::std::option::Option::Some({})", lit(b)),
        _ => "::std::option::Option::None".to_owned(),
    };
    let host = match ser.get("host").and_then(Document::as_str) {
        Some(h) => format!("::std::option::Option::Some({})", lit(h)),
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
         require_headers: {required_lit},\n        forbid_headers: &[{}],\n        body: {body},\n    }});\n",
        lit(ser.get("method").and_then(Document::as_str).unwrap_or("POST")),
        lit(ser.get("uri").and_then(Document::as_str).unwrap_or("/")),
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
    fn snake_names() {
        assert_eq!(snake("AwsJson11Enums"), "aws_json11_enums");
        assert_eq!(
            snake("parses_iso8601_timestamps"),
            "parses_iso8601_timestamps"
        );
        assert_eq!(
            snake("SDKAppliedContentEncoding_awsJson1_1"),
            "sdk_applied_content_encoding_aws_json1_1"
        );
    }

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

    #[test]
    fn timestamps_are_exact() {
        let t = |s: &[u8]| match Document::parse(s).unwrap() {
            Document::Number(n) => timestamp_literal(n).unwrap(),
            _ => unreachable!(),
        };
        assert_eq!(
            t(b"1398796238"),
            "::awsrt::types::DateTime::from_secs(1398796238i64)"
        );
        assert_eq!(
            t(b"946845296.123"),
            "::awsrt::types::DateTime::from_secs_and_nanos(946845296i64, 123000000u32)"
        );
    }
}
