//! Recursion detection, as the AWS SDKs do it: inside AWS Lambda (both `AWS_LAMBDA_FUNCTION_NAME`
//! and `_X_AMZN_TRACE_ID` set) every request carries the invocation's trace id in
//! `X-Amzn-Trace-Id`, unless the request already has one (an interceptor's, say), so that
//! Lambda can tell a function that calls itself through another service.
//!
//! The value is the variable's, with every byte outside printable ASCII (control characters,
//! DEL, the bytes of non-ASCII characters) percent-encoded as `%XX`, upper-case hex.
//!
//! Whether the process runs in Lambda is read from the process environment once (Lambda sets
//! `AWS_LAMBDA_FUNCTION_NAME` before the function starts); the trace id, which changes with
//! every invocation, is read for every request inside Lambda. A configuration with its own
//! fixed [`Env`] is asked every time.

use std::sync::OnceLock;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::profile::Env;

/// The header.
pub const TRACE_ID_HEADER: &str = "x-amzn-trace-id";
/// Set inside AWS Lambda.
pub const ENV_FUNCTION_NAME: &str = "AWS_LAMBDA_FUNCTION_NAME";
/// The invocation's X-Ray trace id, set by Lambda.
pub const ENV_TRACE_ID: &str = "_X_AMZN_TRACE_ID";

/// Adds `X-Amzn-Trace-Id` to `headers` when running in Lambda (`env` says so) and there is none
/// yet. Reads two variables; outside Lambda nothing else happens.
pub fn add_trace_header(headers: &mut HeaderMap, env: &Env) {
    if !in_lambda(env) || headers.contains_key(TRACE_ID_HEADER) {
        return;
    }
    let Some(trace_id) = env.get(ENV_TRACE_ID) else {
        return;
    };
    if let Ok(v) = HeaderValue::from_str(&encode(&trace_id)) {
        headers.insert(HeaderName::from_static(TRACE_ID_HEADER), v);
    }
}

fn in_lambda(env: &Env) -> bool {
    static PROCESS: OnceLock<bool> = OnceLock::new();
    if env.is_process() {
        *PROCESS.get_or_init(|| env.get(ENV_FUNCTION_NAME).is_some())
    } else {
        env.get(ENV_FUNCTION_NAME).is_some()
    }
}

/// `value` with every byte outside `0x20..=0x7e` percent-encoded.
pub fn encode(value: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = String::with_capacity(value.len());
    for &b in value.as_bytes() {
        if (0x20..0x7f).contains(&b) {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(HEX[usize::from(b >> 4)] as char);
            out.push(HEX[usize::from(b & 0xf)] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lambda(trace: &str) -> Env {
        Env::from_pairs([(ENV_FUNCTION_NAME, "some-function"), (ENV_TRACE_ID, trace)])
    }

    #[test]
    fn sent_in_lambda_only() {
        let mut h = HeaderMap::new();
        add_trace_header(
            &mut h,
            &Env::from_pairs([(ENV_TRACE_ID, "Root=1-5759e988")]),
        );
        assert!(h.is_empty(), "not in Lambda without the function name");
        add_trace_header(&mut h, &Env::from_pairs([(ENV_FUNCTION_NAME, "f")]));
        assert!(h.is_empty(), "no trace id, no header");
        let id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
        add_trace_header(&mut h, &lambda(id));
        assert_eq!(h[TRACE_ID_HEADER], id);
    }

    #[test]
    fn an_existing_header_is_kept() {
        let mut h = HeaderMap::new();
        h.insert(TRACE_ID_HEADER, HeaderValue::from_static("from-the-caller"));
        add_trace_header(&mut h, &lambda("Root=1-00000000"));
        assert_eq!(h[TRACE_ID_HEADER], "from-the-caller");
        assert_eq!(h.get_all(TRACE_ID_HEADER).iter().count(), 1);
    }

    #[test]
    fn control_and_non_ascii_characters_are_percent_encoded() {
        // The recursion-detection test cases of the SDKs: printable ASCII passes as it is
        // (`"`, `'`, `,`, `[]{}` included), a newline or tab and UTF-8 bytes are encoded.
        assert_eq!(
            encode("123e4567-e89b-12d3-a456-426614174000"),
            "123e4567-e89b-12d3-a456-426614174000"
        );
        assert_eq!(encode("abc-=;:+&[]{}\"',"), "abc-=;:+&[]{}\"',");
        assert_eq!(encode("first\nsecond\tthird"), "first%0Asecond%09third");
        assert_eq!(encode("測試"), "%E6%B8%AC%E8%A9%A6");
        assert_eq!(encode("a\u{7f}b"), "a%7Fb");
        let mut h = HeaderMap::new();
        add_trace_header(&mut h, &lambda("Root=1\n2"));
        assert_eq!(h[TRACE_ID_HEADER], "Root=1%0A2");
    }
}
