//! restJson1: HTTP bindings (`@http`, `@httpLabel`, `@httpQuery`, `@httpHeader`, ...) place
//! input members in the method, path, query and headers; the rest go in a JSON body (or one
//! `@httpPayload` member is the body). The error code comes from `X-Amzn-Errortype`, else the
//! body's `code`, else its `__type`.

use super::{json_error_metadata, CodeMember, Protocol};
use crate::error::ErrorMetadata;
use crate::http::HttpResponse;

/// `aws.protocols#restJson1`.
pub static REST_JSON_1: Protocol = Protocol {
    name: "restJson1",
    error_metadata,
};

/// Error code (header, then `code`, then `__type`), message, request id and status.
pub fn error_metadata(resp: &HttpResponse) -> ErrorMetadata {
    json_error_metadata(resp, CodeMember::CodeFirst)
}
