//! restJson1 error responses: `awsrt::protocol::rest_json::error_metadata` (code from
//! `X-Amzn-Errortype`, the body's `code` or `__type`) and the generated error dispatch of the
//! AppConfig, EKS and MediaStore Data operations (`<crate>::fuzz_entry::error`: modeled errors
//! read from the body and bound headers). Input layout: `common/rest.rs`; the status is forced
//! to a non-2xx one.
//!
//! Invariants: nothing panics; a parsed code is trimmed, non-empty and has neither a namespace
//! (`#`) nor a `:suffix`; the metadata keeps the status.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/rest.rs"]
mod rest;

fuzz_target!(|data: &[u8]| {
    if let Some(mut input) = rest::decode(data) {
        if input.response.is_success() {
            input.response.status += 200;
        }
        let meta = awsrt::protocol::rest_json::error_metadata(&input.response);
        assert_eq!(meta.status, input.response.status);
        if let Some(code) = &meta.code {
            assert!(!code.is_empty() && code.trim() == code, "code {code:?}");
            assert!(!code.contains('#') && !code.contains(':'), "code {code:?}");
        }
        let _ = rest::error(&input);
        let _ = rest::parse(&input);
    }
});
