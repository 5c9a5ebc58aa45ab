//! awsQuery and ec2Query: every request is a `POST /` whose form body names the operation and
//! service version (`Action=...&Version=...`) and carries the input as `key=value` pairs; the
//! response is XML. awsQuery wraps the output as `<OpResponse><OpResult>...` and errors as
//! `<ErrorResponse><Error><Code>`; ec2Query puts the output's members directly under
//! `<OpResponse>` and errors under `<Response><Errors><Error>`, with the request id in
//! `<RequestID>`.

use http::{HeaderValue, Method};

use super::{modeled_error, request_id, Protocol};
use crate::client::{Reply, Request};
use crate::error::{ErrorMetadata, ResponseError, SdkError};
use crate::http::HttpResponse;
use crate::xml::{Node, XmlDoc, XmlError};

/// `aws.protocols#awsQuery`.
pub static AWS_QUERY: Protocol = Protocol {
    name: "awsQuery",
    error_metadata,
};

/// `aws.protocols#ec2Query`.
pub static EC2_QUERY: Protocol = Protocol {
    name: "ec2Query",
    error_metadata: ec2_error_metadata,
};

/// The request of one query operation: `POST /` with the form body.
pub fn request(body: Vec<u8>) -> Request {
    let mut req = Request::new(Method::POST, "/").with_body(body);
    req.headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/x-www-form-urlencoded"),
    );
    req
}

/// An empty element, read as the output of an operation whose response has no body.
const EMPTY: &[u8] = b"<_/>";

fn document(body: &[u8]) -> Result<XmlDoc<'_>, XmlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        XmlDoc::parse(EMPTY)
    } else {
        XmlDoc::parse(body)
    }
}

/// Turns an awsQuery reply into the operation's output or error: a 2xx body's
/// `<OpResponse><{result}>` element goes to `output` (an absent result element reads as
/// empty), any other status becomes the modeled error `error` builds.
pub fn response<O, E>(
    reply: &Reply,
    result: &str,
    output: fn(Node<'_, '_>) -> Result<O, XmlError>,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, XmlError>,
) -> Result<O, SdkError<E>> {
    let _timing = crate::observability::client::deserializing(reply);
    let resp = &reply.response;
    if !resp.is_success() {
        return Err(modeled_error(reply, error));
    }
    let read = || -> Result<O, XmlError> {
        let doc = document(&resp.body)?;
        let root = doc.root();
        match root.child(result) {
            Some(n) => output(n),
            None => {
                let empty = XmlDoc::parse(EMPTY)?;
                output(empty.root())
            }
        }
    };
    read().map_err(|e| SdkError::Response(ResponseError::from_response(resp, e.to_string())))
}

/// Turns an ec2Query reply into the operation's output (the members under the root element)
/// or error.
pub fn ec2_response<O, E>(
    reply: &Reply,
    output: fn(Node<'_, '_>) -> Result<O, XmlError>,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, XmlError>,
) -> Result<O, SdkError<E>> {
    let _timing = crate::observability::client::deserializing(reply);
    let resp = &reply.response;
    if !resp.is_success() {
        return Err(modeled_error(reply, error));
    }
    document(&resp.body)
        .and_then(|doc| output(doc.root()))
        .map_err(|e| SdkError::Response(ResponseError::from_response(resp, e.to_string())))
}

/// The `<Error>` element of an awsQuery error body (`<ErrorResponse><Error>`, or a bare
/// `<Error>`).
pub fn error_element<'d, 'a>(doc: &'d XmlDoc<'a>) -> Result<Node<'d, 'a>, XmlError> {
    let root = doc.root();
    if root.name() == "Error" {
        return Ok(root);
    }
    root.child("Error")
        .ok_or_else(|| XmlError::new("error response without an <Error> element"))
}

/// The `<Error>` element of an ec2Query error body (`<Response><Errors><Error>`).
pub fn ec2_error_element<'d, 'a>(doc: &'d XmlDoc<'a>) -> Result<Node<'d, 'a>, XmlError> {
    doc.root()
        .child("Errors")
        .and_then(|e| e.child("Error"))
        .ok_or_else(|| XmlError::new("error response without an <Errors><Error> element"))
}

/// Code and message of an `<Error>` element.
pub(crate) fn code_and_message(error: Option<Node<'_, '_>>) -> (Option<String>, Option<String>) {
    let Some(e) = error else {
        return (None, None);
    };
    let text = |name: &str| {
        e.child(name)
            .map(|n| n.text().trim().to_string())
            .filter(|t| !t.is_empty())
    };
    (text("Code"), text("Message"))
}

/// awsQuery error metadata: code and message from `<Error>`, request id from the header or the
/// body's `<RequestId>`. Never panics; an unreadable body gives no code.
pub fn error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    let doc = XmlDoc::parse(&resp.body).ok();
    let (code, message) = code_and_message(doc.as_ref().and_then(|d| error_element(d).ok()));
    let body_id = doc.as_ref().and_then(|d| {
        d.root()
            .child("RequestId")
            .map(|n| n.text().trim().to_string())
    });
    ErrorMetadata {
        code,
        message,
        request_id: request_id(resp).or(body_id),
        status: resp.status,
    }
}

/// ec2Query error metadata: code and message from `<Errors><Error>`, request id from the body's
/// `<RequestID>` (or the header).
pub fn ec2_error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    let doc = XmlDoc::parse(&resp.body).ok();
    let (code, message) = code_and_message(doc.as_ref().and_then(|d| ec2_error_element(d).ok()));
    let body_id = doc.as_ref().and_then(|d| {
        d.root()
            .child("RequestID")
            .or_else(|| d.root().child("RequestId"))
            .map(|n| n.text().trim().to_string())
    });
    ErrorMetadata {
        code,
        message,
        request_id: body_id.or_else(|| request_id(resp)),
        status: resp.status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_error_metadata() {
        let body = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidGreeting</Code><Message>Hi</Message></Error><RequestId>foo-id</RequestId></ErrorResponse>";
        let m = error_metadata(&HttpResponse::new(400, body));
        assert_eq!(m.code.as_deref(), Some("InvalidGreeting"));
        assert_eq!(m.message.as_deref(), Some("Hi"));
        assert_eq!(m.request_id.as_deref(), Some("foo-id"));
    }

    #[test]
    fn ec2_error_metadata_reads_request_id() {
        let body = "<Response><Errors><Error><Code>InvalidGreeting</Code><Message>Hi</Message></Error></Errors><RequestID>foo-id</RequestID></Response>";
        let m = ec2_error_metadata(&HttpResponse::new(400, body));
        assert_eq!(m.code.as_deref(), Some("InvalidGreeting"));
        assert_eq!(m.request_id.as_deref(), Some("foo-id"));
    }

    #[test]
    fn malformed_error_bodies_give_no_code() {
        for body in ["", "<a", "<ErrorResponse/>", "{\"__type\":\"X\"}"] {
            let m = error_metadata(&HttpResponse::new(500, body));
            assert_eq!(m.code, None, "{body}");
            assert_eq!(ec2_error_metadata(&HttpResponse::new(500, body)).code, None);
        }
    }
}
