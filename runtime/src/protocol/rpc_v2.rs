//! Smithy RPC v2: `smithy.protocols#rpcv2Cbor` and `rpcv2Json`. Every request is a
//! `POST /service/<service shape name>/operation/<operation name>` with
//! `smithy-protocol: rpc-v2-cbor` (or `rpc-v2-json`) and `Accept` set to the body's media type;
//! an operation with no input sends no body and no `Content-Type`. The error code is the body's
//! `__type` (a shape id: the namespace and anything from a `:` on are removed).

use http::{HeaderValue, Method};

use super::{
    json_error_metadata, modeled_error, request_id, sanitize_error_code, CodeMember, Protocol,
};
use crate::cbor::{CborError, CborReader, Kind};
use crate::client::{Reply, Request};
use crate::error::{ErrorMetadata, ResponseError, SdkError};
use crate::http::HttpResponse;

/// `smithy.protocols#rpcv2Cbor`.
pub static RPC_V2_CBOR: Protocol = Protocol {
    name: "rpcv2Cbor",
    error_metadata: cbor_error_metadata,
};

/// `smithy.protocols#rpcv2Json`.
pub static RPC_V2_JSON: Protocol = Protocol {
    name: "rpcv2Json",
    error_metadata: json_error_metadata_v2,
};

const CBOR: &str = "application/cbor";
const JSON: &str = "application/json";

fn request(
    path: &'static str,
    protocol: &'static str,
    media: &'static str,
    body: Option<Vec<u8>>,
) -> Request {
    let mut req = Request::new(Method::POST, path);
    req.headers
        .insert("smithy-protocol", HeaderValue::from_static(protocol));
    req.headers
        .insert(http::header::ACCEPT, HeaderValue::from_static(media));
    if let Some(body) = body {
        req.headers
            .insert(http::header::CONTENT_TYPE, HeaderValue::from_static(media));
        req = req.with_body(body);
    }
    req
}

/// The request of one rpcv2Cbor operation, as generated code builds it: `POST <path>` with
/// `smithy-protocol: rpc-v2-cbor`, `Accept: application/cbor` and, when the operation has an
/// input, `Content-Type: application/cbor` and the CBOR body.
pub fn cbor_request(path: &'static str, body: Option<Vec<u8>>) -> Request {
    request(path, "rpc-v2-cbor", CBOR, body)
}

/// The writer of an rpcv2Json body: big integers and big decimals go as JSON strings, which
/// keeps their precision through parsers that read every number as a double.
pub fn json_writer() -> crate::json::JsonWriter {
    crate::json::JsonWriter::new().with_big_numbers_as_strings()
}

/// The same for rpcv2Json (`rpc-v2-json`, `application/json`).
pub fn json_request(path: &'static str, body: Option<Vec<u8>>) -> Request {
    request(path, "rpc-v2-json", JSON, body)
}

/// The CBOR item of a response body: an empty body reads as an empty map.
pub fn cbor_body(body: &[u8]) -> &[u8] {
    if body.is_empty() {
        &[0xa0]
    } else {
        body
    }
}

/// Turns an rpcv2Cbor reply into an operation's output or error: a 2xx body is read with
/// `output` (and must hold nothing after the item); any other status becomes the modeled error
/// `error` builds. A body that cannot be read is a [`SdkError::Response`].
pub fn cbor_response<O, E>(
    reply: &Reply,
    output: fn(&mut CborReader<'_>) -> Result<O, CborError>,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, CborError>,
) -> Result<O, SdkError<E>> {
    let _timing = crate::observability::client::deserializing(reply);
    let resp = &reply.response;
    if !resp.is_success() {
        return Err(modeled_error(reply, error));
    }
    let mut r = CborReader::new(cbor_body(&resp.body));
    output(&mut r)
        .and_then(|out| r.finish().map(|()| out))
        .map_err(|e| SdkError::Response(ResponseError::from_response(resp, e.to_string())))
}

/// rpcv2Cbor error metadata: the code from the body's `__type` (else `X-Amzn-Errortype`), the
/// message from `message` / `Message` / `errorMessage`. Never panics; an unreadable body yields
/// no code or message.
pub fn cbor_error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    let (type_field, message) = cbor_error_fields(&resp.body).unwrap_or_default();
    let code = type_field
        .as_deref()
        .and_then(sanitize_error_code)
        .or_else(|| {
            resp.header(super::ERROR_TYPE_HEADER)
                .and_then(sanitize_error_code)
        })
        .map(str::to_string);
    ErrorMetadata {
        code,
        message,
        request_id: request_id(resp),
        status: resp.status,
    }
}

/// `__type` and the message of a CBOR error body.
fn cbor_error_fields(body: &[u8]) -> Result<(Option<String>, Option<String>), CborError> {
    let (mut type_field, mut message) = (None, None);
    let mut r = CborReader::new(cbor_body(body));
    r.begin_map()?;
    while let Some(key) = r.next_key()? {
        let slot = match &*key {
            "__type" => &mut type_field,
            k if k.eq_ignore_ascii_case("message") || k.eq_ignore_ascii_case("errormessage") => {
                &mut message
            }
            _ => {
                r.skip_value()?;
                continue;
            }
        };
        if slot.is_none() && r.peek_kind()? == Kind::Text {
            *slot = Some(r.string_owned()?);
        } else {
            r.skip_value()?;
        }
    }
    r.finish()?;
    Ok((type_field, message))
}

/// rpcv2Json error metadata: as awsJson (`X-Amzn-Errortype`, then `__type`, then `code`).
pub fn json_error_metadata_v2(resp: &HttpResponse) -> ErrorMetadata {
    json_error_metadata(resp, CodeMember::TypeFirst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_lose_namespace_and_uri() {
        let mut w = crate::cbor::CborWriter::new();
        w.begin_map();
        w.key("__type");
        w.string("smithy.protocoltests.rpcv2Cbor#InvalidGreeting:http://internal.amazon.com/");
        w.key("Message");
        w.string("Hi");
        w.key("other");
        w.begin_array(1);
        w.null();
        w.end_map();
        let m = cbor_error_metadata(&HttpResponse::new(400, w.finish()));
        assert_eq!(m.code.as_deref(), Some("InvalidGreeting"));
        assert_eq!(m.message.as_deref(), Some("Hi"));
        for body in [
            &b""[..],
            b"\xa1",
            b"\xbf\x66__type\x01\xff",
            b"\x61a",
            b"\xff",
        ] {
            let m = cbor_error_metadata(&HttpResponse::new(500, body.to_vec()));
            assert_eq!(m.code, None, "{body:?}");
            assert_eq!(m.status, 500);
        }
    }

    #[test]
    fn requests_without_input_have_no_body() {
        let r = cbor_request("/service/S/operation/Op", None);
        assert!(r.headers.get("content-type").is_none());
        assert_eq!(r.headers["accept"], "application/cbor");
        assert_eq!(r.headers["smithy-protocol"], "rpc-v2-cbor");
        let r = json_request("/service/S/operation/Op", Some(b"{}".to_vec()));
        assert_eq!(r.headers["content-type"], "application/json");
        assert_eq!(r.headers["smithy-protocol"], "rpc-v2-json");
        assert_eq!(&r.body[..], b"{}");
    }
}
