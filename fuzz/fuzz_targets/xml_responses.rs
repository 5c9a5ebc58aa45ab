//! awsQuery and restXml response reading through generated code: the output or error of the
//! generated STS, IAM, SNS and S3 operations as a call reads them (status, headers, XML body;
//! `<crate>::fuzz_entry::response`), then the error dispatch on the same response
//! (`<crate>::fuzz_entry::error`). Input layout: `common/xml.rs`.
//!
//! Invariant: nothing panics, whatever the response; a response that does not parse is an
//! error value.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/xml.rs"]
mod xml;

fuzz_target!(|data: &[u8]| {
    if let Some(input) = xml::decode(data) {
        let _ = xml::parse(&input);
        let _ = xml::error(&input);
    }
});
