//! rpcv2Cbor response reading through generated code: the outputs and modeled errors of the
//! generated Garden client (`generated/garden`), as a call reads them
//! (`garden::fuzz_entry::response`), and the protocol's error metadata. Input layout:
//! `common/rpcv2.rs`.
//!
//! Invariant: nothing panics, whatever the response; a response that does not parse is an
//! error value.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common/rpcv2.rs"]
mod rpcv2;

fuzz_target!(|data: &[u8]| {
    if let Some(input) = rpcv2::decode(data) {
        let _ = rpcv2::parse(&input);
        let _ = rpcv2::error(&input);
        let _ = awsrt::protocol::rpc_v2::cbor_error_metadata(&input.response);
    }
});
