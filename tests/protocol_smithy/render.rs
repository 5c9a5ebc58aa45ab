//! One `#[tokio::test]` body per Smithy case, through the generated client and a recording mock
//! transport:
//!
//! * request cases: the input built from `params`, the one request the client sends checked for
//!   `method`, `uri`, `queryParams`/`forbidQueryParams`/`requireQueryParams`, `headers`,
//!   `forbidHeaders`, `requireHeaders` (on the wire), `resolvedHost` and `body` (compared as
//!   JSON, form or bytes according to `bodyMediaType`), with the client's endpoint at `host`;
//! * response cases: the mock answers `code`, `headers` and `body`; the output (or, for a case
//!   on an error structure, the modeled error of that type) must equal `params` member by
//!   member, and for `vendorParamsShape: ErrorCodeParams` the error code the client exposes
//!   must be `vendorParams.code`.

use std::collections::BTreeMap;

use awsrt::types::Document;
use codegen::ir::{Field, Operation, RType, TypeDef};

use super::cases::{Case, Kind};
use super::values::{lit, pairs, str_list, Cx};

/// The endpoint a case's client is configured with: `https://<host>` (`example.com` when the
/// case sets no `host`).
pub fn endpoint(case: &Case) -> String {
    format!("https://{}", case.str("host").unwrap_or("example.com"))
}

fn lit_list(items: &[&str]) -> String {
    let v: Vec<String> = items.iter().map(|s| lit(s)).collect();
    format!("&[{}]", v.join(", "))
}

/// The body check for a request case.
fn body_check(case: &Case) -> Result<String, String> {
    let Some(body) = case.str("body") else {
        return Ok("::cases::Body::Any".to_owned());
    };
    let media = case.str("bodyMediaType").unwrap_or("");
    let kind = match media {
        m if m == "application/json" || m.ends_with("+json") => "Json",
        "application/x-www-form-urlencoded" => "Form",
        "application/cbor" => "Cbor",
        m if m.ends_with("/xml") || m.ends_with("+xml") => "Xml",
        _ => "Exact",
    };
    Ok(format!("::cases::Body::{kind}({})", lit(body)))
}

fn client_setup(cx: &Cx<'_>, case: &Case, status: u16, headers: &str, body: &str) -> String {
    // A response case's CBOR body is written in base64.
    let cbor = case.str("bodyMediaType") == Some("application/cbor");
    let mock = if case.kind == Kind::Response && cbor {
        "from_base64"
    } else {
        "new"
    };
    format!(
        "    let mock = ::cases::Mock::{mock}({status}, {headers}, {});\n    \
         let config = ::cases::config({}, &mock);\n    \
         let client = ::{}::Client::new(&config);\n",
        lit(body),
        lit(&endpoint(case)),
        cx.krate
    )
}

fn params(case: &Case) -> Result<BTreeMap<String, Document>, String> {
    match case.raw.get("params") {
        Some(Document::Object(o)) => Ok(o.clone()),
        Some(Document::Null) | None => Ok(BTreeMap::new()),
        Some(other) => Err(format!("`params` is not an object: {}", other.to_json())),
    }
}

/// The body of a request case's test.
pub fn request_case(cx: &Cx<'_>, op: &Operation, case: &Case) -> Result<String, String> {
    debug_assert_eq!(case.kind, Kind::Request);
    let calls = cx.setter_calls(&op.input.fields, &params(case)?)?;
    let content_type = match cx.svc.protocol.json_version() {
        Some(v) => format!("application/x-amz-json-{v}"),
        None => "application/json".to_owned(),
    };
    let mut out = client_setup(
        cx,
        case,
        200,
        &format!("&[(\"Content-Type\", {})]", lit(&content_type)),
        "{}",
    );
    out.push_str(&format!(
        "    let result = client.{}(){calls}.send().await;\n",
        op.fn_name
    ));
    out.push_str(
        "    let requests = mock.requests();\n    \
         assert_eq!(requests.len(), 1, \"expected one request; result: {:?}\", result.as_ref().err());\n",
    );
    let host = match case.str("resolvedHost") {
        Some(h) => format!("::std::option::Option::Some({})", lit(h)),
        None => "::std::option::Option::None".to_owned(),
    };
    let required = str_list(case.raw.get("requireHeaders"));
    out.push_str(&format!(
        "    ::cases::assert_request(&requests[0], &::cases::ExpectedRequest {{\n        \
         method: {},\n        uri: {},\n        host: {host},\n        headers: {},\n        \
         require_headers: {},\n        forbid_headers: {},\n        query_params: {},\n        \
         forbid_query_params: {},\n        require_query_params: {},\n        query_exact: ::std::option::Option::None,\n        body: {},\n    }});\n",
        lit(case.str("method").ok_or("the case has no `method`")?),
        lit(case.str("uri").ok_or("the case has no `uri`")?),
        pairs(case.raw.get("headers")),
        lit_list(&required),
        lit_list(&str_list(case.raw.get("forbidHeaders"))),
        lit_list(&str_list(case.raw.get("queryParams"))),
        lit_list(&str_list(case.raw.get("forbidQueryParams"))),
        lit_list(&str_list(case.raw.get("requireQueryParams"))),
        body_check(case)?,
    ));
    if !required.is_empty() {
        out.push_str(&format!(
            "    ::cases::check_required_headers(&requests[0], {}).await;\n",
            lit_list(&required)
        ));
    }
    Ok(out)
}

/// The body of a response case's test. `error` is the error structure's Rust type when the case
/// is on an error shape (`op` is then an operation that can return it).
pub fn response_case(
    cx: &Cx<'_>,
    op: &Operation,
    case: &Case,
    error: Option<&str>,
) -> Result<String, String> {
    debug_assert_eq!(case.kind, Kind::Response);
    let status = match case.raw.get("code") {
        Some(Document::Number(n)) => n
            .to_u64()
            .and_then(|n| u16::try_from(n).ok())
            .ok_or("`code` is not an HTTP status")?,
        None => 200,
        Some(other) => return Err(format!("`code` is not a number: {}", other.to_json())),
    };
    let mut out = client_setup(
        cx,
        case,
        status,
        &pairs(case.raw.get("headers")),
        case.str("body").unwrap_or(""),
    );
    let input = placeholders(cx, &op.input.fields, 0)?;
    let calls = cx.setter_calls(&op.input.fields, &input)?;
    out.push_str(&format!(
        "    let result = client.{}(){calls}.send().await;\n",
        op.fn_name
    ));
    let expected = params(case)?;
    let Some(ty) = error else {
        let asserts = cx.field_asserts("out", &op.output.fields, &expected, "output")?;
        out.push_str(&format!(
            "    let out = match result {{\n        Ok(out) => out,\n        \
             Err(e) => panic!(\"expected a successful output, got {{e:?}}\"),\n    }};\n{asserts}"
        ));
        if asserts.is_empty() {
            out.push_str("    let _ = out;\n");
        }
        return Ok(out);
    };
    let Some(TypeDef::Struct(st)) = cx.svc.ty(ty) else {
        return Err(format!("the generated crate has no error structure {ty}"));
    };
    let asserts = cx.field_asserts("e", &st.fields, &expected, ty)?;
    let enum_path = format!(
        "::{}::operation::{}::{}Error",
        cx.krate,
        op.module,
        codegen::names::type_name(&op.name)
    );
    out.push_str(&format!(
        "    let err = match result {{\n        \
         Ok(out) => panic!(\"expected the {ty} error, got {{out:?}}\"),\n        \
         Err(err) => err,\n    }};\n    \
         let service_error = match err.as_service_error() {{\n        \
         Some(e) => e,\n        None => panic!(\"expected a service error, got {{err:?}}\"),\n    }};\n"
    ));
    if case
        .str("vendorParamsShape")
        .is_some_and(|s| s.ends_with("#ErrorCodeParams"))
    {
        let code = case
            .raw
            .get("vendorParams")
            .and_then(|v| v.get("code"))
            .and_then(Document::as_str)
            .ok_or("ErrorCodeParams without a `code`")?;
        out.push_str(&format!(
            "    assert_eq!(service_error.code(), Some({}), \"the error code (vendorParams.code)\");\n",
            lit(code)
        ));
    }
    out.push_str(&format!(
        "    let e = match service_error {{\n        {enum_path}::{ty}(e) => e,\n        \
         other => panic!(\"expected the {ty} variant, got {{other:?}}\"),\n    }};\n{asserts}"
    ));
    Ok(out)
}

/// Members `build()` needs (required, no default) with arbitrary valid values, as parameters
/// for [`Cx::setter_calls`]: a response case has to send a request that builds. Strings are
/// `"a"` (a valid host label), enums their first value.
pub fn placeholders(
    cx: &Cx<'_>,
    fields: &[Field],
    depth: usize,
) -> Result<BTreeMap<String, Document>, String> {
    if depth > 16 {
        return Err("required members nest more than 16 levels deep".to_owned());
    }
    let mut out = BTreeMap::new();
    // Event streams are empty unless set.
    let needed = |f: &&Field| {
        !f.optional
            && f.default.is_none()
            && !matches!(f.ty, RType::EventInput(_) | RType::EventOutput(_))
    };
    for f in fields.iter().filter(needed) {
        out.insert(f.member.clone(), placeholder(cx, &f.ty, depth)?);
    }
    Ok(out)
}

fn placeholder(cx: &Cx<'_>, ty: &RType, depth: usize) -> Result<Document, String> {
    Ok(match ty {
        RType::String | RType::SensitiveString => Document::from("a"),
        RType::Bool => Document::Bool(false),
        RType::I8
        | RType::I16
        | RType::I32
        | RType::I64
        | RType::F32
        | RType::F64
        | RType::BigInteger
        | RType::BigDecimal
        | RType::Timestamp(_) => Document::from(0u64),
        RType::Blob | RType::SensitiveBlob => Document::from(""),
        RType::Document => Document::Null,
        RType::Unit => Document::Object(BTreeMap::new()),
        RType::Stream => Document::from(""),
        RType::EventInput(_) | RType::EventOutput(_) => {
            return Err("an event stream has no placeholder value".to_owned())
        }
        RType::List(..) => Document::Array(Vec::new()),
        RType::Map(..) => Document::Object(BTreeMap::new()),
        RType::Enum(n) | RType::IntEnum(n) => match cx.svc.ty(n) {
            Some(TypeDef::Enum(e)) => match (e.variants.first(), e.int) {
                (Some(v), true) => Document::from(i64::from(v.int_value)),
                (Some(v), false) => Document::from(v.value.as_str()),
                (None, _) => return Err(format!("enum {n} has no values")),
            },
            _ => return Err(format!("unknown enum {n}")),
        },
        RType::Struct(n) => match cx.svc.ty(n) {
            Some(TypeDef::Struct(s)) => Document::Object(placeholders(cx, &s.fields, depth + 1)?),
            _ => return Err(format!("unknown structure {n}")),
        },
        RType::Union(n) => match cx.svc.ty(n) {
            Some(TypeDef::Union(u)) => {
                let f = u
                    .fields
                    .first()
                    .ok_or_else(|| format!("union {n} has no members"))?;
                let v = placeholder(cx, &f.ty, depth + 1)?;
                Document::Object(BTreeMap::from([(f.member.clone(), v)]))
            }
            _ => return Err(format!("unknown union {n}")),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(kind: Kind, json: &str) -> Case {
        let raw = Document::parse(json.as_bytes()).unwrap();
        Case {
            id: raw.get("id").and_then(Document::as_str).unwrap().to_owned(),
            kind,
            shape: "a#Op".to_owned(),
            raw,
        }
    }

    fn service() -> codegen::ir::Service {
        let model = r#"{"smithy": "2.0", "shapes": {
            "a#S": {"type": "service", "version": "1", "operations": [{"target": "a#Op"}],
                    "traits": {"aws.protocols#awsJson1_1": {}, "aws.api#service": {"sdkId": "S"},
                               "aws.auth#sigv4": {"name": "s"}}},
            "a#Op": {"type": "operation", "input": {"target": "a#In"}, "output": {"target": "a#In"},
                     "errors": [{"target": "a#Boom"}]},
            "a#In": {"type": "structure", "members": {
                "Name": {"target": "smithy.api#String", "traits": {"smithy.api#required": {}}},
                "Kind": {"target": "a#E", "traits": {"smithy.api#required": {}}},
                "Nest": {"target": "a#Nest", "traits": {"smithy.api#required": {}}},
                "Opt": {"target": "smithy.api#Integer"}}},
            "a#Nest": {"type": "structure", "members": {
                "L": {"target": "a#L", "traits": {"smithy.api#required": {}}}}},
            "a#L": {"type": "list", "member": {"target": "smithy.api#String"}},
            "a#E": {"type": "enum", "members": {"X": {"target": "smithy.api#Unit",
                    "traits": {"smithy.api#enumValue": "x"}}}},
            "a#Boom": {"type": "structure", "members": {"Message": {"target": "smithy.api#String"}},
                      "traits": {"smithy.api#error": "client"}}}}"#;
        let model = codegen::model::Model::from_json(model, "t").unwrap();
        codegen::ir::build(model, None, "k").unwrap()
    }

    #[test]
    fn bodies_follow_the_media_type() {
        let c = |media: &str| {
            case(
                Kind::Request,
                &format!(r#"{{"id": "c", "body": "{{}}", "bodyMediaType": "{media}"}}"#),
            )
        };
        assert_eq!(
            body_check(&c("application/json")).unwrap(),
            r#"::cases::Body::Json("{}")"#
        );
        assert_eq!(
            body_check(&c("application/x-www-form-urlencoded")).unwrap(),
            r#"::cases::Body::Form("{}")"#
        );
        assert_eq!(
            body_check(&c("text/plain")).unwrap(),
            r#"::cases::Body::Exact("{}")"#
        );
        assert_eq!(
            body_check(&c("application/xml")).unwrap(),
            "::cases::Body::Xml(\"{}\")"
        );
        assert_eq!(
            body_check(&case(Kind::Request, r#"{"id": "c"}"#)).unwrap(),
            "::cases::Body::Any"
        );
        assert_eq!(
            endpoint(&case(Kind::Request, r#"{"id": "c", "host": "h.com/p"}"#)),
            "https://h.com/p"
        );
    }

    #[test]
    fn placeholders_fill_what_build_needs() {
        let svc = service();
        let cx = Cx {
            svc: &svc,
            krate: "k",
        };
        let op = &svc.operations[0];
        let p = placeholders(&cx, &op.input.fields, 0).unwrap();
        assert_eq!(
            Document::Object(p).to_json(),
            r#"{"Kind":"x","Name":"a","Nest":{"L":[]}}"#
        );
    }

    #[test]
    fn request_and_response_bodies() {
        let svc = service();
        let cx = Cx {
            svc: &svc,
            krate: "k",
        };
        let op = &svc.operations[0];
        let req = case(
            Kind::Request,
            r#"{"id": "r", "method": "POST", "uri": "/", "resolvedHost": "foo.example.com",
                "headers": {"X-Amz-Target": "S.Op"}, "requireHeaders": ["Content-Length"],
                "params": {"Name": "n", "Kind": "x", "Nest": {"L": []}},
                "body": "{\"Name\": \"n\"}", "bodyMediaType": "application/json"}"#,
        );
        let body = request_case(&cx, op, &req).unwrap();
        for want in [
            r#"host: ::std::option::Option::Some("foo.example.com")"#,
            r#"headers: &[("X-Amz-Target", "S.Op")]"#,
            r#"::cases::check_required_headers(&requests[0], &["Content-Length"])"#,
            r#".name(::std::string::String::from("n"))"#,
        ] {
            assert!(body.contains(want), "missing {want} in\n{body}");
        }
        let resp = case(
            Kind::Response,
            r#"{"id": "e", "code": 400, "params": {"Message": "m"},
                "vendorParamsShape": "aws.protocoltests.config#ErrorCodeParams",
                "vendorParams": {"code": "Custom"}}"#,
        );
        let body = response_case(&cx, op, &resp, Some("Boom")).unwrap();
        for want in [
            "::cases::Mock::new(400,",
            r#"assert_eq!(service_error.code(), Some("Custom")"#,
            "::k::operation::op::OpError::Boom(e) => e",
            r#"assert_eq!(e.message, ::std::option::Option::Some(::std::string::String::from("m"))"#,
        ] {
            assert!(body.contains(want), "missing {want} in\n{body}");
        }
        let bad = case(Kind::Response, r#"{"id": "x", "params": {"Nope": 1}}"#);
        assert!(response_case(&cx, op, &bad, None).is_err());
    }
}
