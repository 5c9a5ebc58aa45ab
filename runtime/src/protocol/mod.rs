//! Protocols: what the request pipeline needs to know about one ([`Protocol`]: how error
//! responses are read), and what the serializers and deserializers the generator writes share.
//!
//! A protocol has a module here ([`aws_json`], ...) holding its [`Protocol`] static and the helpers
//! its generated code calls. Generated code builds each request whole
//! ([`Request`](crate::client::Request): method, path and query, headers, body, host prefix)
//! and reads the [`Reply`] the pipeline returns; the pipeline itself only
//! resolves the endpoint, signs, sends, retries and times out. For the retry decision and for the
//! error enums it reads the error metadata of a non-2xx response once, with the service's
//! [`Protocol::error_metadata`].
//!
//! Error codes come from the `X-Amzn-Errortype` header or the body (which member first depends
//! on the protocol); a namespace prefix (`aws.example#`) and a suffix starting at `:` are removed.
//! The HTTP status is never used to guess the error.

pub mod aws_json;
pub mod aws_query;
pub mod http_binding;
pub mod rest_json;
pub mod rest_xml;
pub mod rpc_v2;

use crate::client::Reply;
use crate::error::{ErrorMetadata, ResponseError, SdkError};
use crate::http::HttpResponse;
use crate::json::{JsonError, JsonReader};

/// A wire protocol as the request pipeline sees it. One `static` per protocol
/// ([`aws_json::AWS_JSON_1_0`], ...); a generated crate names its protocol's in its
/// [`ServiceInfo`](crate::client::ServiceInfo).
#[derive(Debug)]
pub struct Protocol {
    /// The protocol's Smithy trait name, e.g. `awsJson1_1` (logs, error messages).
    pub name: &'static str,
    /// Error code, message, request id and status of a non-2xx response. Must never panic,
    /// whatever the response holds.
    pub error_metadata: fn(&HttpResponse) -> ErrorMetadata,
}

/// The JSON document of a response body: an empty (or all-whitespace) body reads as `{}`.
pub fn json_body(body: &[u8]) -> &[u8] {
    if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    }
}

/// The error metadata of a reply: the one the pipeline read, else (a reply built by hand) the
/// status and request id alone.
pub fn reply_error(reply: &Reply) -> ErrorMetadata {
    reply.error.clone().unwrap_or_else(|| ErrorMetadata {
        code: None,
        message: None,
        request_id: request_id(&reply.response),
        status: reply.response.status,
    })
}

/// Turns a reply whose output is one JSON document (awsJson) into an operation's output or
/// error. A 2xx body is read with `output` (and must hold nothing after the document); any other
/// status becomes the modeled error `error` builds from the response and the reply's
/// [`ErrorMetadata`]. A body that cannot be read is a [`SdkError::Response`] carrying the status
/// and request id.
pub fn json_response<O, E>(
    reply: &Reply,
    output: fn(&mut JsonReader<'_>) -> Result<O, JsonError>,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, JsonError>,
) -> Result<O, SdkError<E>> {
    let _timing = crate::observability::client::deserializing(reply);
    let resp = &reply.response;
    let unreadable =
        |e: JsonError| SdkError::Response(ResponseError::from_response(resp, e.to_string()));
    if resp.is_success() {
        let mut r = JsonReader::new(json_body(&resp.body));
        let out = output(&mut r).map_err(unreadable)?;
        r.finish().map_err(unreadable)?;
        Ok(out)
    } else {
        Err(modeled_error(reply, error))
    }
}

/// Like [`json_response`] for protocols whose output is read from the whole response (status,
/// headers and body: the HTTP-binding protocols): a 2xx response goes to `output`.
///
/// `D` is the body format's decode error (JSON, XML, ...).
pub fn http_response<O, E, D: std::fmt::Display>(
    reply: &Reply,
    output: fn(&HttpResponse) -> Result<O, D>,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, D>,
) -> Result<O, SdkError<E>> {
    let _timing = crate::observability::client::deserializing(reply);
    let resp = &reply.response;
    let unreadable = |e: D| SdkError::Response(ResponseError::from_response(resp, e.to_string()));
    if resp.is_success() {
        output(resp).map_err(unreadable)
    } else {
        Err(modeled_error(reply, error))
    }
}

/// Like [`http_response`] for an operation whose output payload is streamed: a 2xx reply (its
/// head) and the body stream go to `output`; any other reply (read whole) becomes the modeled
/// error.
pub fn streaming_response<O, E, D: std::fmt::Display>(
    reply: &Reply,
    body: crate::types::ByteStream,
    output: fn(&HttpResponse, crate::types::ByteStream) -> Result<O, D>,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, D>,
) -> Result<O, SdkError<E>> {
    let _timing = crate::observability::client::deserializing(reply);
    let resp = &reply.response;
    let unreadable = |e: D| SdkError::Response(ResponseError::from_response(resp, e.to_string()));
    if resp.is_success() {
        output(resp, body).map_err(unreadable)
    } else {
        Err(modeled_error(reply, error))
    }
}

/// A non-2xx reply as the operation's modeled error, or as an unreadable response when its body
/// does not parse (`D`: the body format's decode error). For protocol modules.
pub fn modeled_error<E, D: std::fmt::Display>(
    reply: &Reply,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, D>,
) -> SdkError<E> {
    let resp = &reply.response;
    let meta = reply_error(reply);
    match error(resp, meta.clone()) {
        Ok(err) => SdkError::service(err, meta),
        Err(e) => SdkError::Response(ResponseError::from_response(resp, e.to_string())),
    }
}

/// Header carrying the error code.
pub const ERROR_TYPE_HEADER: &str = "x-amzn-errortype";

/// The awsJson error metadata parser ([`aws_json::error_metadata`]), kept under its old name.
pub fn parse_error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    aws_json::error_metadata(resp)
}

/// Which body member names the error code first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CodeMember {
    /// `__type`, then `code` (awsJson).
    TypeFirst,
    /// `code`, then `__type` (restJson1).
    CodeFirst,
}

/// Error metadata of a JSON error response: the code from `X-Amzn-Errortype`, else the body
/// members in `order`; the message from `message` / `Message` / `errorMessage`. Never panics;
/// a malformed body yields no code or message from the body.
pub(crate) fn json_error_metadata(resp: &HttpResponse, order: CodeMember) -> ErrorMetadata {
    let body = parse_body(&resp.body).unwrap_or_default();
    let (first, second) = match order {
        CodeMember::TypeFirst => (&body.type_field, &body.code),
        CodeMember::CodeFirst => (&body.code, &body.type_field),
    };
    let code = resp
        .header(ERROR_TYPE_HEADER)
        .and_then(sanitize_error_code)
        .or_else(|| first.as_deref().and_then(sanitize_error_code))
        .or_else(|| second.as_deref().and_then(sanitize_error_code))
        .map(str::to_string);
    ErrorMetadata {
        code,
        message: body.message,
        request_id: request_id(resp),
        status: resp.status,
    }
}

/// The `message` (`Message`, `errorMessage`) member of a JSON error body, as
/// [`json_error_metadata`] reads it.
pub(crate) fn json_error_message(body: &[u8]) -> Option<String> {
    parse_body(body).ok().and_then(|b| b.message)
}

/// The request id from `x-amzn-RequestId`, else `x-amz-request-id`.
pub fn request_id(resp: &HttpResponse) -> Option<String> {
    ["x-amzn-requestid", "x-amz-request-id"]
        .iter()
        .filter_map(|h| resp.header(h))
        .map(str::trim)
        .find(|v| !v.is_empty())
        .map(str::to_string)
}

/// Strips everything up to and including the last `#` and everything from the first `:`
/// (after that), then surrounding whitespace. `None` when nothing is left.
pub fn sanitize_error_code(raw: &str) -> Option<&str> {
    let s = match raw.rfind('#') {
        Some(i) => &raw[i + 1..],
        None => raw,
    };
    let s = match s.find(':') {
        Some(i) => &s[..i],
        None => s,
    };
    let s = s.trim();
    (!s.is_empty()).then_some(s)
}

#[derive(Default)]
struct BodyFields {
    type_field: Option<String>,
    code: Option<String>,
    message: Option<String>,
}

/// Reads the top-level members that matter; any JSON error discards everything.
fn parse_body(body: &[u8]) -> Result<BodyFields, JsonError> {
    let mut out = BodyFields::default();
    let mut r = JsonReader::new(json_body(body));
    r.begin_object()?;
    while let Some(key) = r.next_key()? {
        let slot = match &*key {
            "__type" => &mut out.type_field,
            "code" | "Code" => &mut out.code,
            k if k.eq_ignore_ascii_case("message") || k.eq_ignore_ascii_case("errormessage") => {
                &mut out.message
            }
            _ => {
                r.skip_value()?;
                continue;
            }
        };
        if r.take_null()? {
            continue;
        }
        if slot.is_some() {
            r.skip_value()?;
            continue;
        }
        match r.peek_kind()? {
            crate::json::ValueKind::String => *slot = Some(r.string_owned()?),
            _ => r.skip_value()?,
        }
    }
    r.finish()?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_table() {
        let cases = [
            ("FooError", Some("FooError")),
            ("aws.protocoltests.restjson#FooError", Some("FooError")),
            (
                "aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/",
                Some("FooError"),
            ),
            ("FooError:http://internal.amazon.com/", Some("FooError")),
            ("  FooError ", Some("FooError")),
            ("", None),
            ("#", None),
            (":x", None),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_error_code(raw), want, "{raw:?}");
        }
    }

    #[test]
    fn malformed_bodies_do_not_panic() {
        for body in [
            &b"{"[..],
            b"{\"__type\":",
            b"[1,2]",
            b"\"str\"",
            b"{\"__type\": 5}",
            b"\xff\xfe",
            b"{\"__type\":\"A\"} trailing",
        ] {
            let m = parse_error_metadata(&HttpResponse::new(400, body.to_vec()));
            assert_eq!(m.code, None, "{body:?}");
            assert_eq!(m.status, 400);
        }
    }
}

/// Checks a `@hostLabel` input value before it goes into a host prefix: 1 to 63 ASCII letters,
/// digits and `-`, starting with a letter or digit.
pub fn check_host_label(member: &str, value: &str) -> Result<(), crate::error::BuildError> {
    let ok = !value.is_empty()
        && value.len() <= 63
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && value.as_bytes()[0].is_ascii_alphanumeric();
    if ok {
        Ok(())
    } else {
        Err(crate::error::BuildError::invalid_field(
            member,
            format!("`{member}` is used in the endpoint host and must be a valid host label (letters, digits, `-`; at most 63)"),
        ))
    }
}

#[cfg(test)]
mod host_label_tests {
    use super::check_host_label;

    #[test]
    fn host_labels() {
        for ok in ["bar", "a-1", "0x", "x".repeat(63).as_str()] {
            assert!(check_host_label("m", ok).is_ok(), "{ok}");
        }
        for bad in ["", "-a", "a.b", "a b", "x".repeat(64).as_str()] {
            assert!(check_host_label("m", bad).is_err(), "{bad}");
        }
    }
}
