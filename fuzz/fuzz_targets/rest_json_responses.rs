//! restJson1 response reading through generated code: status, headers (typed members, lists,
//! timestamps, media-type strings, prefix headers) and body (JSON documents and payloads) of
//! the generated AppConfig, EKS and MediaStore Data operations, as a call reads them
//! (`<crate>::fuzz_entry::response`). Input layout: `common/rest.rs`.
//!
//! Invariant: nothing panics, whatever the response; a response that does not parse is an
//! error value.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/rest.rs"]
mod rest;

fuzz_target!(|data: &[u8]| {
    if let Some(input) = rest::decode(data) {
        let _ = rest::parse(&input);
    }
});
