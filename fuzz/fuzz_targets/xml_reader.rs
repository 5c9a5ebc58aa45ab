//! The XML reader (`awsrt::xml::XmlDoc`): any bytes are parsed, every element walked and every
//! value read every way (`awsrt::xml::validate_fuzz_input`).
//!
//! Invariant: nothing panics; a document that cannot be read is an error value.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    awsrt::xml::validate_fuzz_input(data);
});
