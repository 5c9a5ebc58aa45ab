//! Output deserializer of every Secrets Manager operation.
//!
//! Input layout: byte 0 picks the operation (`OPERATIONS[b % len]`), the rest is the response
//! body. The deserializer must return `Ok` or `Err` for any body, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use secretsmanager::fuzz_entry::{output, OPERATIONS};

fuzz_target!(|data: &[u8]| {
    if let Some((&pick, body)) = data.split_first() {
        let op = OPERATIONS[usize::from(pick) % OPERATIONS.len()];
        let _ = output(op, body);
    }
});
