//! The form writer of the query protocols (awsQuery, ec2Query).

use crate::protocol::http_binding::push_encoded;

/// Writes `Action=<op>&Version=<v>&Key=value...` with keys and values percent-encoded (RFC 3986
/// unreserved characters kept), for an `application/x-www-form-urlencoded` body.
#[derive(Debug)]
pub struct QueryWriter {
    out: String,
}

impl QueryWriter {
    /// A body starting with the operation name and the service version.
    pub fn new(action: &str, version: &str) -> QueryWriter {
        let mut w = QueryWriter {
            out: String::with_capacity(64),
        };
        w.pair("Action", action);
        w.pair("Version", version);
        w
    }

    /// One `key=value` pair.
    pub fn pair(&mut self, key: &str, value: &str) {
        if !self.out.is_empty() {
            self.out.push('&');
        }
        push_encoded(&mut self.out, key, false);
        self.out.push('=');
        push_encoded(&mut self.out, value, false);
    }

    /// The body's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}
