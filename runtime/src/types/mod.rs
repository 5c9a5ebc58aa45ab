//! Value types shared by generated clients: [`Document`], [`Number`], [`BigInteger`],
//! [`BigDecimal`], [`Blob`], [`ByteStream`],
//! [`DateTime`], [`SensitiveString`], [`SensitiveBlob`], plus base64 and UUID v4 helpers.

mod base64;
mod big_number;
mod byte_stream;
mod datetime;
mod document;
mod sensitive;

pub(crate) use self::base64::encode_into as base64_encode_into;
pub use self::base64::{base64_decode, base64_encode, uuid_v4, Base64DecodeError};
pub(crate) use self::base64::{random_16, uuid_text};
pub(crate) use self::big_number::{cbor_integer, decimal_fraction, fraction_text, integer_text};
pub use self::big_number::{BigDecimal, BigInteger, BigNumberError};
pub use self::byte_stream::{ByteStream, ByteStreamError, ChunkSource};
pub use self::datetime::{DateTime, DateTimeParseError, DateTimeRangeError, TimestampFormat};
pub use self::document::{Document, Number};
pub(crate) use self::sensitive::{wipe_if_unique, wipe_on_drop};
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

impl Blob {
    /// The contents of the file at `path` (a request body from a file). The whole file is read
    /// now: a SigV4 signature covers the payload's hash, and a retry sends the body again.
    pub async fn from_path(path: impl AsRef<std::path::Path>) -> std::io::Result<Blob> {
        let path = path.as_ref().to_path_buf();
        match tokio::task::spawn_blocking(move || std::fs::read(path)).await {
            Ok(r) => r.map(Blob),
            Err(e) => Err(std::io::Error::other(e)),
        }
    }

    /// Exactly `length` bytes of `reader` (a request body from a stream of known length); fewer
    /// is an `UnexpectedEof` error. Read now, for the same reasons as [`Blob::from_path`].
    pub async fn from_reader(
        mut reader: impl tokio::io::AsyncRead + Unpin,
        length: u64,
    ) -> std::io::Result<Blob> {
        use tokio::io::AsyncReadExt;
        let n = usize::try_from(length).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "length too large")
        })?;
        let mut data = vec![0u8; n];
        reader.read_exact(&mut data).await?;
        Ok(Blob(data))
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

    #[tokio::test]
    async fn blobs_from_files_and_readers() {
        let path = std::env::temp_dir().join(format!("awsrt-blob-{}", std::process::id()));
        std::fs::write(&path, b"file body").unwrap();
        assert_eq!(Blob::from_path(&path).await.unwrap().as_ref(), b"file body");
        std::fs::remove_file(&path).unwrap();
        assert!(Blob::from_path(&path).await.is_err());
        let reader = &b"0123456789"[..];
        assert_eq!(
            Blob::from_reader(reader, 4).await.unwrap().as_ref(),
            b"0123"
        );
        let short = &b"01"[..];
        let err = Blob::from_reader(short, 4).await.unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }

    #[test]
    fn blob_roundtrip() {
        let b = Blob::new(vec![1u8, 2, 3]);
        assert_eq!(b.as_ref(), &[1, 2, 3]);
        assert_eq!(b.clone(), Blob::from(&[1u8, 2, 3][..]));
        assert_eq!(b.into_inner(), vec![1, 2, 3]);
        assert_eq!(Blob::default().as_ref(), &[] as &[u8]);
    }
}
