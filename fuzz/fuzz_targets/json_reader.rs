//! The runtime's JSON reader: `awsrt::json::validate_fuzz_input` parses the input as a
//! document, checks that serializing and re-parsing it round-trips, and walks it with the typed
//! reader methods. It panics only when the round-trip invariant breaks.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    awsrt::json::validate_fuzz_input(data);
});
