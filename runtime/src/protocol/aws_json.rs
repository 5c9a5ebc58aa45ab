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

/// `aws.protocols#awsJson1_0` with `@awsQueryCompatible` (SQS): error codes as the service's
/// awsQuery API had them, from `x-amzn-query-error`.
pub static AWS_JSON_1_0_QUERY_COMPATIBLE: Protocol = Protocol {
    name: "awsJson1_0",
    error_metadata: query_compatible_error_metadata,
};

/// `aws.protocols#awsJson1_1` with `@awsQueryCompatible`.
pub static AWS_JSON_1_1_QUERY_COMPATIBLE: Protocol = Protocol {
    name: "awsJson1_1",
    error_metadata: query_compatible_error_metadata,
};

/// Error code (header, then `__type`, then `code`), message, request id and status.
pub fn error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    json_error_metadata(resp, CodeMember::TypeFirst)
}

/// The JSON error code alone (header, then `__type`, then `code`): what a query-compatible
/// service's error dispatch matches on.
pub fn json_error_code(resp: &HttpResponse) -> Option<String> {
    error_metadata(resp).code
}

/// [`error_metadata`], with the code from `x-amzn-query-error: <code>;<Sender|Receiver>` when
/// the response has it (the awsQuery code users of the service know, e.g.
/// `AWS.SimpleQueueService.NonExistentQueue`).
pub fn query_compatible_error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    let mut meta = error_metadata(resp);
    if let Some(code) = resp
        .header("x-amzn-query-error")
        .and_then(|v| v.split(';').next())
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        meta.code = Some(code.to_string());
    }
    meta
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
        .insert(X_AMZ_TARGET, HeaderValue::from_static(target));
    req
}

/// `x-amz-target`, made at compile time (no name parsing per request).
const X_AMZ_TARGET: http::HeaderName = http::HeaderName::from_static("x-amz-target");

/// The same request built at run time from the service and operation descriptions (for callers
/// of the runtime without generated code): the target is `<service shape name>.<operation>`,
/// the content type follows the service's protocol (`awsJson1_0` → `1.0`, else `1.1`).
/// Names that are not valid header values are left out.
pub fn request_for(service: &ServiceInfo, op: &OperationInfo, body: impl Into<Vec<u8>>) -> Request {
    let version = if std::ptr::eq(service.protocol, &AWS_JSON_1_0)
        || std::ptr::eq(service.protocol, &AWS_JSON_1_0_QUERY_COMPATIBLE)
    {
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

#[cfg(test)]
mod query_compatible_tests {
    use super::*;

    #[test]
    fn the_query_error_header_gives_the_code() {
        let resp = HttpResponse::new(
            400,
            r#"{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"m"}"#,
        )
        .with_header(
            "x-amzn-query-error",
            "AWS.SimpleQueueService.NonExistentQueue;Sender",
        );
        let meta = query_compatible_error_metadata(&resp);
        assert_eq!(
            meta.code.as_deref(),
            Some("AWS.SimpleQueueService.NonExistentQueue")
        );
        assert_eq!(meta.message.as_deref(), Some("m"));
        assert_eq!(json_error_code(&resp).as_deref(), Some("QueueDoesNotExist"));
        let plain = HttpResponse::new(400, r#"{"__type":"X"}"#);
        assert_eq!(
            query_compatible_error_metadata(&plain).code.as_deref(),
            Some("X")
        );
    }
}
