//! One `#[tokio::test]` body per client case of `smithy.test#eventStreamTests`, through the
//! generated client and the recording mock transport:
//!
//! * events of type `request`: the input stream is built from each event's `params` (a value
//!   of the stream's union), the call is sent, and the messages the client put in the request
//!   body (unwrapped from their signed envelopes) must equal the events' `bytes`, in order;
//!   `initialRequestParams` are set on the input and `initialRequest` is checked (method, URI,
//!   headers);
//! * events of type `response`: the mock answers `initialResponse` (200 by default) with the
//!   events' `bytes` as the body; the output's stream must yield each event's `params`, in
//!   order, then end, and `initialResponseParams` must be the output's other members;
//! * `expectation: failure` (with `errorId` when the error is modeled): the call or the stream
//!   must fail, with that modeled error when one is named.

use std::collections::BTreeMap;

use awsrt::types::Document;
use codegen::ir::{Field, Operation, RType, TypeDef};

use super::cases::Case;
use super::render::{endpoint, placeholders};
use super::values::{lit, pairs, Cx};

fn object(case: &Case, key: &str) -> Result<BTreeMap<String, Document>, String> {
    match case.raw.get(key) {
        Some(Document::Object(o)) => Ok(o.clone()),
        Some(Document::Null) | None => Ok(BTreeMap::new()),
        Some(other) => Err(format!("`{key}` is not an object: {}", other.to_json())),
    }
}

fn events(case: &Case) -> Vec<&Document> {
    match case.raw.get("events") {
        Some(Document::Array(a)) => a.iter().collect(),
        _ => Vec::new(),
    }
}

fn event_type(e: &Document) -> Option<&str> {
    e.get("type").and_then(Document::as_str)
}

/// The expected failure: `None` for success, `Some(None)` for any failure, `Some(Some(id))`
/// for a modeled error (its shape name).
fn failure(case: &Case) -> Option<Option<String>> {
    let f = case.raw.get("expectation")?.get("failure")?;
    Some(
        f.get("errorId")
            .and_then(Document::as_str)
            .map(|id| id.rsplit('#').next().unwrap_or(id).to_owned()),
    )
}

fn stream_field(fields: &[Field], input: bool) -> Option<(&Field, &str)> {
    fields.iter().find_map(|f| match (&f.ty, input) {
        (RType::EventInput(u), true) | (RType::EventOutput(u), false) => Some((f, u.as_str())),
        _ => None,
    })
}

/// The body of an event-stream case's test.
pub fn event_case(cx: &Cx<'_>, op: &Operation, case: &Case) -> Result<String, String> {
    let evs = events(case);
    let requests: Vec<&Document> = evs
        .iter()
        .copied()
        .filter(|e| event_type(e) == Some("request"))
        .collect();
    let responses: Vec<&Document> = evs
        .iter()
        .copied()
        .filter(|e| event_type(e) == Some("response"))
        .collect();
    let fail = failure(case);

    // The response the mock gives: the initial response, then the response events.
    let init = case.raw.get("initialResponse");
    let status = match init.and_then(|r| r.get("code")) {
        Some(Document::Number(n)) => n
            .to_u64()
            .and_then(|n| u16::try_from(n).ok())
            .ok_or("`initialResponse.code` is not an HTTP status")?,
        _ => 200,
    };
    let mut headers = init
        .map(|r| pairs(r.get("headers")))
        .unwrap_or_else(|| "&[]".into());
    if headers == "&[]" && !responses.is_empty() {
        headers = "&[(\"Content-Type\", \"application/vnd.amazon.eventstream\")]".into();
    }
    let body = init
        .and_then(|r| r.get("body"))
        .and_then(Document::as_str)
        .unwrap_or("");
    let frames: Vec<String> = responses
        .iter()
        .map(|e| {
            e.get("bytes")
                .and_then(Document::as_str)
                .map(lit)
                .ok_or_else(|| "a response event without `bytes`".to_owned())
        })
        .collect::<Result<_, _>>()?;
    let mut out = format!(
        "    let mock = ::cases::Mock::with_events({status}, {headers}, {}, &[{}]);\n    \
         let config = ::cases::config({}, &mock);\n    \
         let client = ::{}::Client::new(&config);\n",
        lit(body),
        frames.join(", "),
        lit(&endpoint(case)),
        cx.krate
    );

    // The input: the initial-request members (or placeholders), and the input stream.
    let mut input = placeholders(cx, &op.input.fields, 0)?;
    for (k, v) in object(case, "initialRequestParams")? {
        input.insert(k, v);
    }
    let in_stream = stream_field(&op.input.fields, true);
    let plain: Vec<Field> = op
        .input
        .fields
        .iter()
        .filter(|f| !matches!(f.ty, RType::EventInput(_)))
        .cloned()
        .collect();
    input.retain(|k, _| plain.iter().any(|f| &f.member == k || &f.wire == k));
    let mut calls = cx.setter_calls(&plain, &input)?;
    if let Some((f, u)) = in_stream {
        let values = requests
            .iter()
            .map(|e| {
                let params = e.get("params").ok_or("a request event without `params`")?;
                cx.value(&RType::Union(u.to_owned()), params)
            })
            .collect::<Result<Vec<_>, String>>()?;
        calls.push_str(&format!(
            ".{}(::awsrt::event_stream::EventStreamSender::from(::std::vec![{}]))",
            f.name,
            values.join(", ")
        ));
    } else if !requests.is_empty() {
        return Err("request events for an operation without an input stream".into());
    }
    out.push_str(&format!(
        "    let result = client.{}(){calls}.send().await;\n",
        op.fn_name
    ));

    // What was sent.
    if in_stream.is_some() && (!requests.is_empty() || case.raw.get("initialRequest").is_some()) {
        out.push_str("    let request = mock.single_request();\n");
        let expected: Vec<String> = requests
            .iter()
            .map(|e| {
                e.get("bytes")
                    .and_then(Document::as_str)
                    .map(lit)
                    .ok_or_else(|| "a request event without `bytes`".to_owned())
            })
            .collect::<Result<_, _>>()?;
        out.push_str(&format!(
            "    ::cases::assert_messages(&::cases::event_messages(&request.body), &[{}]);\n",
            expected.join(", ")
        ));
        if let Some(init) = case.raw.get("initialRequest") {
            if let Some(m) = init.get("method").and_then(Document::as_str) {
                out.push_str(&format!(
                    "    assert_eq!(request.method.as_str(), {});\n",
                    lit(m)
                ));
            }
            if let Some(u) = init.get("uri").and_then(Document::as_str) {
                out.push_str(&format!(
                    "    assert_eq!(::cases::split_uri(&request.uri).1, {});\n",
                    lit(u)
                ));
            }
            if let Some(Document::Object(h)) = init.get("headers") {
                for (k, v) in h {
                    if let Some(v) = v.as_str() {
                        out.push_str(&format!(
                            "    assert_eq!(request.header({}), ::std::option::Option::Some({}), \"header {}\");\n",
                            lit(k),
                            lit(v),
                            k
                        ));
                    }
                }
            }
        }
    }

    // What came back.
    let out_stream = stream_field(&op.output.fields, false);
    let error_enum = format!(
        "::{}::operation::{}::{}Error",
        cx.krate,
        op.module,
        codegen::names::type_name(&op.name)
    );
    let send_fails = status >= 300;
    if send_fails {
        let Some(expected) = fail else {
            return Err("an error initial response with no failure expected".into());
        };
        out.push_str(
            "    let err = match result {\n        \
             Ok(out) => panic!(\"expected the call to fail, got {out:?}\"),\n        \
             Err(err) => err,\n    };\n",
        );
        if let Some(id) = expected {
            let ty = error_type(cx, &id)?;
            out.push_str(&format!(
                "    match err.as_service_error() {{\n        \
                 ::std::option::Option::Some({error_enum}::{ty}(_)) => {{}}\n        \
                 other => panic!(\"expected the {ty} error, got {{other:?}} ({{err:?}})\"),\n    }}\n"
            ));
        }
        return Ok(out);
    }
    out.push_str(
        "    let mut out = match result {\n        Ok(out) => out,\n        \
         Err(e) => panic!(\"expected the call to succeed, got {e:?}\"),\n    };\n",
    );
    let init_params = object(case, "initialResponseParams")?;
    if !init_params.is_empty() {
        let plain: Vec<Field> = op
            .output
            .fields
            .iter()
            .filter(|f| !matches!(f.ty, RType::EventOutput(_)))
            .cloned()
            .collect();
        out.push_str(&cx.field_asserts("out", &plain, &init_params, "initial response")?);
    }
    let Some((f, u)) = out_stream else {
        out.push_str("    let _ = &mut out;\n");
        return Ok(out);
    };
    let stream = format!("out.{}", f.name);
    match &fail {
        None => {
            let mut expected_events = Vec::new();
            for e in &responses {
                if let Some(p) = e.get("params") {
                    expected_events.push(cx.value(&RType::Union(u.to_owned()), p)?);
                }
            }
            for (i, v) in expected_events.iter().enumerate() {
                out.push_str(&format!(
                    "    let got = {stream}.recv().await.unwrap_or_else(|e| panic!(\"event {i}: {{e:?}}\"));\n    \
                     assert_eq!(got, ::std::option::Option::Some({v}), \"event {i}\");\n"
                ));
            }
            out.push_str(&format!(
                "    let end = {stream}.recv().await.unwrap_or_else(|e| panic!(\"the end of the stream: {{e:?}}\"));\n    \
                 assert!(end.is_none(), \"no more events, got {{end:?}}\");\n"
            ));
        }
        Some(expected) => {
            out.push_str(&format!(
                "    let mut failed = ::std::option::Option::None;\n    \
                 for _ in 0..{} {{\n        match {stream}.recv().await {{\n            \
                 Ok(::std::option::Option::Some(_)) => continue,\n            \
                 Ok(::std::option::Option::None) => break,\n            \
                 Err(e) => {{ failed = ::std::option::Option::Some(e); break; }}\n        }}\n    }}\n    \
                 let err = failed.expect(\"the stream must fail\");\n",
                responses.len() + 1
            ));
            if let Some(id) = expected {
                let stream_error = format!("::{}::types::error::{u}Error", cx.krate);
                let variant = cx
                    .svc
                    .event_streams
                    .get(u)
                    .and_then(|es| es.errors.iter().find(|(_, t, _)| t == id))
                    .map(|(v, _, _)| v.clone())
                    .ok_or_else(|| format!("stream {u} has no modeled error {id}"))?;
                out.push_str(&format!(
                    "    match err.as_service_error() {{\n        \
                     ::std::option::Option::Some({stream_error}::{variant}(_)) => {{}}\n        \
                     other => panic!(\"expected the {id} stream error, got {{other:?}} ({{err:?}})\"),\n    }}\n"
                ));
            }
        }
    }
    Ok(out)
}

/// The Rust type of the error structure named `id` (a shape name).
fn error_type(cx: &Cx<'_>, id: &str) -> Result<String, String> {
    cx.svc
        .types
        .values()
        .find_map(|t| match t {
            TypeDef::Struct(s) if s.error.is_some() && s.shape.rsplit('#').next() == Some(id) => {
                Some(s.name.clone())
            }
            _ => None,
        })
        .ok_or_else(|| format!("the generated crate has no error type {id}"))
}
