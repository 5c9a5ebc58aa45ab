//! The event stream decoder (`awsrt::event_stream::MessageDecoder`): byte 0 steers (bit 7
//! rewrites the frames' CRCs so the header parser is reached; the other bits choose the chunk
//! sizes, all clear meaning one byte at a time), the rest is the stream
//! (`awsrt::event_stream::validate_fuzz_input`).
//!
//! Invariants: nothing panics; decoding in chunks gives the same messages and the same error
//! as decoding whole; every decoded message re-encodes to the bytes it came from.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    awsrt::event_stream::validate_fuzz_input(data);
});
