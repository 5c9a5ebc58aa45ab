//! Value types shared by generated clients: [`Document`], [`Number`], [`Blob`], [`DateTime`],
//! [`SensitiveString`], [`SensitiveBlob`], plus base64 and UUID v4 helpers.

mod base64;
mod datetime;
mod document;
mod sensitive;

pub(crate) use self::base64::encode_into as base64_encode_into;
pub use self::base64::{base64_decode, base64_encode, uuid_v4, Base64DecodeError};
pub use self::datetime::{DateTime, DateTimeParseError, DateTimeRangeError, TimestampFormat};
pub use self::document::{Document, Number};
pub use self::sensitive::{SensitiveBlob, SensitiveString};

/// Binary data (a Smithy `blob`), serialized as base64 in JSON.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Blob(Vec<u8>);

impl Blob {
    /// Wraps the given bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Blob {
        Blob(bytes.into())
    }

    /// Returns the bytes, consuming the blob.
    pub fn into_inner(self) -> Vec<u8> {
        self.0
    }
}

impl AsRef<[u8]> for Blob {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Blob {
    fn from(bytes: Vec<u8>) -> Blob {
        Blob(bytes)
    }
}

impl From<&[u8]> for Blob {
    fn from(bytes: &[u8]) -> Blob {
        Blob(bytes.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_roundtrip() {
        let b = Blob::new(vec![1u8, 2, 3]);
        assert_eq!(b.as_ref(), &[1, 2, 3]);
        assert_eq!(b.clone(), Blob::from(&[1u8, 2, 3][..]));
        assert_eq!(b.into_inner(), vec![1, 2, 3]);
        assert_eq!(Blob::default().as_ref(), &[] as &[u8]);
    }
}
