//! restXml: the HTTP bindings of restJson1 ([`super::http_binding`]) with XML bodies. Errors
//! are `<ErrorResponse><Error><Code>...` or, for services with `noErrorWrapping` (S3), a bare
//! `<Error>`; the request id comes from `x-amz-request-id` (or `x-amzn-RequestId`), else the
//! body's `<RequestId>`.

use super::{request_id, Protocol};
use crate::client::Reply;
use crate::error::{ErrorMetadata, ResponseError, SdkError};
use crate::http::HttpResponse;
use crate::xml::{Node, XmlDoc, XmlError};

/// `aws.protocols#restXml`.
pub static REST_XML: Protocol = Protocol {
    name: "restXml",
    error_metadata,
};

/// The `<Error>` element of an error body, wrapped in `<ErrorResponse>` or not.
pub fn error_element<'d, 'a>(doc: &'d XmlDoc<'a>) -> Result<Node<'d, 'a>, XmlError> {
    super::aws_query::error_element(doc)
}

/// The document of an error body; an empty body (a HEAD response, a bare status) reads as an
/// empty `<Error/>`.
pub fn error_document(body: &[u8]) -> Result<XmlDoc<'_>, XmlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        XmlDoc::parse(b"<Error/>")
    } else {
        XmlDoc::parse(body)
    }
}

/// The document of a body, or `None` for an empty one.
pub fn body_document(body: &[u8]) -> Result<Option<XmlDoc<'_>>, XmlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        XmlDoc::parse(body).map(Some)
    }
}

/// Whether a body is an error document (its root element is `<Error>`).
pub fn is_error_document(body: &[u8]) -> bool {
    let text = match std::str::from_utf8(body) {
        Ok(t) => t,
        Err(_) => return false,
    };
    // Cheap before parsing: the first element must open with `<Error`.
    let first = text
        .split('<')
        .skip(1)
        .find(|t| !t.starts_with('?') && !t.starts_with('!'));
    first.is_some_and(|t| t.starts_with("Error"))
        && body_document(body)
            .ok()
            .flatten()
            .is_some_and(|d| d.root().name() == "Error")
}

/// [`http_response`](super::http_response) for the operations that can fail after answering
/// 200 (S3's CopyObject, CompleteMultipartUpload and UploadPartCopy report an error found
/// while the body streams as `<Error>` in a 200 response): such a reply becomes the operation's
/// error, with the code and message of the document and the 200 status.
pub fn http_response_or_error<O, E>(
    reply: &Reply,
    output: fn(&HttpResponse) -> Result<O, XmlError>,
    error: fn(&HttpResponse, ErrorMetadata) -> Result<E, XmlError>,
) -> Result<O, SdkError<E>> {
    let _timing = crate::observability::client::deserializing(reply);
    let resp = &reply.response;
    if resp.is_success() && is_error_document(&resp.body) {
        let meta = error_metadata(resp);
        return Err(match error(resp, meta.clone()) {
            Ok(e) => SdkError::service(e, meta),
            Err(e) => SdkError::Response(ResponseError::from_response(resp, e.to_string())),
        });
    }
    super::http_response(reply, output, error)
}

/// Code and message from `<Error>`, request id from the headers or the body. Never panics.
pub fn error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    let doc = XmlDoc::parse(&resp.body).ok();
    let error = doc.as_ref().and_then(|d| error_element(d).ok());
    let (code, message) = super::aws_query::code_and_message(error);
    let body_id = || {
        let d = doc.as_ref()?;
        let n = d
            .root()
            .child("RequestId")
            .or_else(|| error.and_then(|e| e.child("RequestId")))?;
        Some(n.text().trim().to_string())
    };
    ErrorMetadata {
        code,
        message,
        request_id: request_id(resp).or_else(body_id),
        status: resp.status,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_and_unwrapped_errors() {
        let wrapped = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidGreeting</Code><Message>Hi</Message></Error><RequestId>foo-id</RequestId></ErrorResponse>";
        let m = error_metadata(&HttpResponse::new(400, wrapped));
        assert_eq!(m.code.as_deref(), Some("InvalidGreeting"));
        assert_eq!(m.request_id.as_deref(), Some("foo-id"));
        let bare =
            "<Error><Code>NoSuchKey</Code><Message>gone</Message><RequestId>r1</RequestId></Error>";
        let m = error_metadata(&HttpResponse::new(404, bare));
        assert!(is_error_document(bare.as_bytes()));
        assert!(!is_error_document(
            b"<?xml version=\"1.0\"?><CopyObjectResult/>"
        ));
        assert!(is_error_document(
            b"<?xml version=\"1.0\"?>\n<Error><Code>InternalError</Code></Error>"
        ));
        assert!(!is_error_document(b"<Errors/>") && !is_error_document(b"<Error"));
        assert_eq!(m.code.as_deref(), Some("NoSuchKey"));
        assert_eq!(m.message.as_deref(), Some("gone"));
        assert_eq!(m.request_id.as_deref(), Some("r1"));
    }
}
