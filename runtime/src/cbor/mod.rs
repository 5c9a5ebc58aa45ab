//! CBOR (RFC 8949) serialization ([`CborWriter`]) and deserialization ([`CborReader`]) for the
//! code the generator writes for `smithy.protocols#rpcv2Cbor`.
//!
//! The writer writes definite lengths only, integers in their shortest form, `f32` as a single
//! and `f64` as a double, timestamps as tag 1 over a double of epoch seconds. The reader takes
//! what a server may send: definite and indefinite lengths, half, single and double floats,
//! tags it skips where they do not matter (bignums, tag 2/3, read into an `i64` when they fit;
//! decimal fractions, tag 4, into an `f64`), `undefined` as `null`.
//!
//! ```
//! use awsrt::cbor::{CborReader, CborWriter};
//! let mut w = CborWriter::new();
//! w.begin_map();
//! w.key("Name");
//! w.string("x");
//! w.end_map();
//! let bytes = w.finish();
//! assert_eq!(bytes, [0xa1, 0x64, b'N', b'a', b'm', b'e', 0x61, b'x']);
//!
//! let mut r = CborReader::new(&bytes);
//! r.begin_map().unwrap();
//! while let Some(k) = r.next_key().unwrap() {
//!     match &*k {
//!         "Name" => assert_eq!(r.string().unwrap(), "x"),
//!         _ => r.skip_value().unwrap(),
//!     }
//! }
//! r.finish().unwrap();
//! ```
//!
//! Why a codec of our own rather than a CBOR crate: see "rpcv2Cbor" in `docs/ARCHITECTURE.md`.

mod reader;
#[cfg(test)]
mod tests;
mod writer;

use std::fmt;

pub use self::reader::{CborReader, Kind, DEFAULT_MAX_DEPTH};
pub use self::writer::CborWriter;

/// A CBOR syntax or type error, with the byte offset where it was detected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CborError {
    /// Byte offset into the input.
    pub offset: usize,
    /// What went wrong, e.g. `expected a map`.
    pub reason: String,
}

impl CborError {
    /// Creates an error at `offset`.
    pub fn new(offset: usize, reason: impl Into<String>) -> CborError {
        CborError {
            offset,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for CborError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid CBOR at byte {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for CborError {}

/// Reads one complete CBOR item (and nothing after it); for fuzz targets. Never panics.
/// The item is also read as a big integer and a big decimal (bignums, decimal fractions).
pub fn validate_fuzz_input(input: &[u8]) -> Result<(), CborError> {
    let _ = CborReader::new(input).big_integer();
    let _ = CborReader::new(input).big_decimal();
    let mut r = CborReader::new(input);
    r.skip_value()?;
    r.finish()
}
