//! JSON serialization ([`JsonWriter`]) and deserialization ([`JsonReader`]) for generated code.
//!
//! ```
//! use awsrt::json::{JsonReader, JsonWriter};
//! let mut w = JsonWriter::new();
//! w.begin_object();
//! w.key("Name");
//! w.string("x");
//! w.end_object();
//! let bytes = w.finish();
//!
//! let mut r = JsonReader::new(&bytes);
//! r.begin_object().unwrap();
//! while let Some(k) = r.next_key().unwrap() {
//!     match &*k {
//!         "Name" => assert_eq!(r.string().unwrap(), "x"),
//!         _ => r.skip_value().unwrap(),
//!     }
//! }
//! r.finish().unwrap();
//! ```

#[cfg(test)]
mod fuzz_tests;
mod reader;
mod writer;

use std::fmt;

pub use self::reader::{JsonReader, ValueKind, DEFAULT_MAX_DEPTH};
pub(crate) use self::writer::format_u64;
pub use self::writer::JsonWriter;

/// A JSON syntax or type error, with the byte offset where it was detected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// Byte offset into the input.
    pub offset: usize,
    /// What went wrong, e.g. `expected ':'`.
    pub reason: String,
}

impl JsonError {
    /// Creates an error at `offset`.
    pub fn new(offset: usize, reason: impl Into<String>) -> JsonError {
        JsonError {
            offset,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid JSON at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for JsonError {}

/// Fuzzing entry point: feed it arbitrary bytes (e.g. from a `cargo fuzz` target).
///
/// Parses `data` as a [`Document`](crate::types::Document) with the reader; if that succeeds,
/// serializes it with [`to_json`](crate::types::Document::to_json), parses the output again
/// and asserts that both documents are equal. It also walks the input with the typed reader
/// methods (`i64`, `f64`, `blob`, `timestamp`, ...) to exercise them.
///
/// The reader itself never panics; this function panics only when the round-trip invariant is
/// violated, which is exactly what a fuzzer should report.
pub fn validate_fuzz_input(data: &[u8]) {
    if let Ok(doc) = crate::types::Document::parse(data) {
        let json = doc.to_json();
        match crate::types::Document::parse(json.as_bytes()) {
            Ok(again) => assert_eq!(again, doc, "round-trip changed the document: {json}"),
            Err(e) => panic!("to_json produced unparseable output {json:?}: {e}"),
        }
    }
    let mut reader = JsonReader::new(data);
    if reader::walk_typed(&mut reader).is_ok() {
        let _ = reader.finish();
    }
}
