//! The CBOR reader (`awsrt::cbor`): one item read whole and skipped, read as a document, and
//! walked as a structure would be (keys, then each value with the typed readers in turn).
//!
//! Invariant: nothing panics and nothing allocates without bound, whatever the bytes; a
//! malformed item is an error value.
#![no_main]

use awsrt::cbor::{CborReader, Kind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = awsrt::cbor::validate_fuzz_input(data);
    let _ = CborReader::new(data).document();
    let mut r = CborReader::new(data);
    if r.begin_map().is_ok() {
        let mut n = 0usize;
        while let Ok(Some(_key)) = r.next_key() {
            let ok = match (n % 6, r.peek_kind()) {
                (_, Ok(Kind::Map)) => r.map(|r| r.f64()).map(drop),
                (_, Ok(Kind::Array)) => r.sparse_list(|r| r.string_owned()).map(drop),
                (0, _) => r.timestamp().map(drop),
                (1, _) => r.i32().map(drop),
                (2, _) => r.f32().map(drop),
                (3, _) => r.blob().map(drop),
                (4, _) => r.bool().map(drop),
                _ => r.skip_value(),
            };
            if ok.is_err() {
                break;
            }
            n += 1;
        }
    }
});
