//! restXml: the HTTP bindings of restJson1 ([`super::http_binding`]) with XML bodies. Errors
//! are `<ErrorResponse><Error><Code>...` or, for services with `noErrorWrapping` (S3), a bare
//! `<Error>`; the request id comes from `x-amz-request-id` (or `x-amzn-RequestId`), else the
//! body's `<RequestId>`.

use super::{request_id, Protocol};
use crate::error::ErrorMetadata;
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

/// The document of a body, or `None` for an empty one.
pub fn body_document(body: &[u8]) -> Result<Option<XmlDoc<'_>>, XmlError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        Ok(None)
    } else {
        XmlDoc::parse(body).map(Some)
    }
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
        assert_eq!(m.code.as_deref(), Some("NoSuchKey"));
        assert_eq!(m.message.as_deref(), Some("gone"));
        assert_eq!(m.request_id.as_deref(), Some("r1"));
    }
}
