//! [`RecordedRequest`]: what the code under test sent through a [`super::MockTransport`].

use bytes::Bytes;
use http::HeaderMap;

use crate::http::HttpRequest;
use crate::json::JsonError;
use crate::types::Document;

/// One request received by a [`super::MockTransport`], matched or not.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedRequest {
    pub(super) request: HttpRequest,
    pub(super) operation: String,
    pub(super) input: Document,
    pub(super) matched_rule: Option<usize>,
}

impl Drop for RecordedRequest {
    /// The body may carry a secret: its parsed form is zeroed too (the body itself is the
    /// pipeline's buffer, zeroed after its last reference for operations with sensitive input).
    fn drop(&mut self) {
        wipe_document(std::mem::take(&mut self.input));
    }
}

/// Zeroes every string (keys included) of `doc`.
fn wipe_document(doc: Document) {
    use zeroize::Zeroize;
    match doc {
        Document::String(mut s) => s.zeroize(),
        Document::Array(items) => items.into_iter().for_each(wipe_document),
        Document::Object(map) => {
            for (mut k, v) in map {
                k.zeroize();
                wipe_document(v);
            }
        }
        Document::Null | Document::Bool(_) | Document::Number(_) => {}
    }
}

impl RecordedRequest {
    pub(super) fn new(request: HttpRequest) -> RecordedRequest {
        let operation = operation_of(&request).to_string();
        let input = parse_input(&request.body);
        RecordedRequest {
            request,
            operation,
            input,
            matched_rule: None,
        }
    }

    /// The operation name: the part of the `x-amz-target` header after its last `.`
    /// (`"secretsmanager.GetSecretValue"` → `"GetSecretValue"`); empty when the header is missing.
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The body parsed as JSON: the operation input as sent on the wire (member names as in the
    /// model, e.g. `SecretId`). [`Document::Null`] when the body is empty or not JSON; see
    /// [`RecordedRequest::try_body_json`] to tell those apart.
    pub fn body_json(&self) -> Document {
        self.input.clone()
    }

    /// The body parsed as JSON, borrowed (same value as [`RecordedRequest::body_json`]).
    pub fn input(&self) -> &Document {
        &self.input
    }

    /// The body parsed as JSON, or why it is not JSON.
    pub fn try_body_json(&self) -> Result<Document, JsonError> {
        Document::parse(&self.request.body)
    }

    /// The string member `key` of the JSON body, e.g. `input_str("SecretId")`.
    pub fn input_str(&self, key: &str) -> Option<&str> {
        self.input.get(key).and_then(Document::as_str)
    }

    /// The raw body.
    pub fn body(&self) -> &Bytes {
        &self.request.body
    }

    /// The body as UTF-8 text, if it is valid UTF-8.
    pub fn body_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.request.body).ok()
    }

    /// The value of header `name` (case-insensitive) if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.request.header(name)
    }

    /// All request headers (signed: `authorization`, `x-amz-date`, ... are included).
    pub fn headers(&self) -> &HeaderMap {
        &self.request.headers
    }

    /// The HTTP method (`POST` for awsJson operations).
    pub fn method(&self) -> &http::Method {
        &self.request.method
    }

    /// The absolute request URI (the resolved endpoint).
    pub fn uri(&self) -> &str {
        &self.request.uri
    }

    /// The whole request as the transport received it.
    pub fn http_request(&self) -> &HttpRequest {
        &self.request
    }

    /// Index (in the order rules were added) of the rule that answered the request; `None` when
    /// no rule matched.
    pub fn matched_rule(&self) -> Option<usize> {
        self.matched_rule
    }

    /// `true` when a rule answered the request.
    pub fn is_matched(&self) -> bool {
        self.matched_rule.is_some()
    }
}

/// The suffix of `x-amz-target` after the last `.`.
fn operation_of(req: &HttpRequest) -> &str {
    let target = req.header("x-amz-target").unwrap_or_default().trim();
    match target.rfind('.') {
        Some(i) => &target[i + 1..],
        None => target,
    }
}

fn parse_input(body: &[u8]) -> Document {
    Document::parse(body).unwrap_or(Document::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(target: Option<&str>, body: &str) -> RecordedRequest {
        let mut r = HttpRequest::new(http::Method::POST, "https://x.invalid/", body.to_string());
        if let Some(t) = target {
            r.headers.insert("x-amz-target", t.parse().unwrap());
        }
        RecordedRequest::new(r)
    }

    #[test]
    fn operation_is_target_suffix() {
        assert_eq!(req(Some("svc_2020.GetThing"), "{}").operation(), "GetThing");
        assert_eq!(req(Some("a.b.PutThing"), "{}").operation(), "PutThing");
        assert_eq!(req(Some("NoDot"), "{}").operation(), "NoDot");
        assert_eq!(req(None, "{}").operation(), "");
    }

    #[test]
    fn body_parsing() {
        let r = req(Some("s.Op"), r#"{"SecretId":"db","N":2}"#);
        assert_eq!(r.input_str("SecretId"), Some("db"));
        assert_eq!(r.input_str("N"), None);
        assert_eq!(
            r.body_json()
                .get("N")
                .and_then(|n| n.as_number())
                .and_then(|n| n.to_i64()),
            Some(2)
        );
        assert_eq!(r.body_str(), Some(r#"{"SecretId":"db","N":2}"#));
        let bad = req(Some("s.Op"), "not json");
        assert!(bad.body_json().is_null());
        assert!(bad.try_body_json().is_err());
        assert!(req(Some("s.Op"), "").body_json().is_null());
    }
}
