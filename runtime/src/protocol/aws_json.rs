//! awsJson 1.0 and 1.1: every request is a `POST /` whose body is the input as one JSON
//! document, named by `X-Amz-Target: <service shape>.<operation>`; the error code is the body's
//! `__type` (or the `X-Amzn-Errortype` header, or the body's `code`).

use http::{HeaderValue, Method};

use super::{json_error_metadata, CodeMember, Protocol};
use crate::client::{OperationInfo, Request, ServiceInfo};
use crate::error::ErrorMetadata;
use crate::http::HttpResponse;

/// `aws.protocols#awsJson1_0`.
pub static AWS_JSON_1_0: Protocol = Protocol {
    name: "awsJson1_0",
    error_metadata,
};

/// `aws.protocols#awsJson1_1`.
pub static AWS_JSON_1_1: Protocol = Protocol {
    name: "awsJson1_1",
    error_metadata,
};

/// Error code (header, then `__type`, then `code`), message, request id and status.
pub fn error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    json_error_metadata(resp, CodeMember::TypeFirst)
}

/// The request of one awsJson operation, as generated code builds it: `POST /` with
/// `content-type` (`application/x-amz-json-1.0` or `-1.1`), `x-amz-target` and the JSON body.
pub fn request(content_type: &'static str, target: &'static str, body: Vec<u8>) -> Request {
    let mut req = Request::new(Method::POST, "/").with_body(body);
    req.headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static(content_type),
    );
    req.headers
        .insert("x-amz-target", HeaderValue::from_static(target));
    req
}

/// The same request built at run time from the service and operation descriptions (for callers
/// of the runtime without generated code): the target is `<service shape name>.<operation>`,
/// the content type follows the service's protocol (`awsJson1_0` → `1.0`, else `1.1`).
/// Names that are not valid header values are left out.
pub fn request_for(service: &ServiceInfo, op: &OperationInfo, body: impl Into<Vec<u8>>) -> Request {
    let version = if std::ptr::eq(service.protocol, &AWS_JSON_1_0) {
        "1.0"
    } else {
        "1.1"
    };
    let mut req = Request::new(Method::POST, "/").with_body(body.into());
    if let Ok(v) = HeaderValue::from_str(&format!("application/x-amz-json-{version}")) {
        req.headers.insert(http::header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("{}.{}", service.shape_name, op.name)) {
        req.headers.insert("x-amz-target", v);
    }
    req
}
