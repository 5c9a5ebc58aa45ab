//! Error-response parsing: `awsrt::protocol::parse_error_metadata` plus the operation's error
//! deserializer (`secretsmanager::fuzz_entry::error`).
//!
//! Input layout (the same decoder is in `tests/tests/fuzz_smoke.rs`):
//! * byte 0: operation, `OPERATIONS[b % len]`;
//! * byte 1: HTTP status: `b < 0x80` picks from a table of common statuses, otherwise
//!   `100 + (b - 0x80) * 4` (100..=608);
//! * byte 2: `x-amzn-errortype` header: 0 = none, 1..=KNOWN_CODES.len() = that known code,
//!   otherwise the next `(b - KNOWN_CODES.len() - 1) % 64` bytes are the raw header value;
//! * the rest: the body.
//!
//! Invariants: nothing panics; a parsed error code is trimmed, non-empty and has neither a
//! namespace (`#`) nor a `:suffix`; the metadata keeps the status.
#![no_main]

use awsrt::http::HttpResponse;
use libfuzzer_sys::fuzz_target;
use secretsmanager::fuzz_entry::{error, OPERATIONS};

const STATUSES: &[u16] = &[200, 400, 403, 404, 409, 413, 429, 500, 502, 503, 504];
const KNOWN_CODES: &[&str] = &[
    "ResourceNotFoundException",
    "com.amazonaws.secretsmanager#InvalidRequestException",
    "InvalidParameterException:http://internal.amazon.com/coral/com.amazonaws.secretsmanager/",
    "DecryptionFailure",
    "EncryptionFailure",
    "InternalServiceError",
    "InvalidNextTokenException",
    "LimitExceededException",
    "MalformedPolicyDocumentException",
    "PreconditionNotMetException",
    "PublicPolicyException",
    "ResourceExistsException",
    "ThrottlingException",
];

fn decode(data: &[u8]) -> Option<(&'static str, HttpResponse)> {
    let (&op, rest) = data.split_first()?;
    let (&status, rest) = rest.split_first()?;
    let (&header, mut body) = rest.split_first()?;
    let op = OPERATIONS[usize::from(op) % OPERATIONS.len()];
    let status = if status < 0x80 {
        STATUSES[usize::from(status) % STATUSES.len()]
    } else {
        100 + u16::from(status - 0x80) * 4
    };
    let mut header_value: Option<String> = None;
    match usize::from(header) {
        0 => {}
        n if n <= KNOWN_CODES.len() => header_value = Some(KNOWN_CODES[n - 1].to_string()),
        n => {
            let len = ((n - KNOWN_CODES.len() - 1) % 64).min(body.len());
            header_value = Some(String::from_utf8_lossy(&body[..len]).into_owned());
            body = &body[len..];
        }
    }
    let mut resp = HttpResponse::new(status, body.to_vec());
    if let Some(v) = header_value {
        resp = resp.with_header("x-amzn-errortype", &v);
    }
    resp = resp.with_header("x-amzn-requestid", "fuzz-request");
    Some((op, resp))
}

fuzz_target!(|data: &[u8]| {
    if let Some((op, resp)) = decode(data) {
        let meta = awsrt::protocol::parse_error_metadata(&resp);
        assert_eq!(meta.status, resp.status);
        if let Some(code) = &meta.code {
            assert!(!code.is_empty() && code.trim() == code, "code {code:?}");
            assert!(!code.contains('#') && !code.contains(':'), "code {code:?}");
        }
        let _ = error(op, &resp);
    }
});
