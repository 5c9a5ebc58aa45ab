//! [`SensitiveString`] and [`SensitiveBlob`]: secrets that are redacted in `Debug` output and
//! wiped from memory when dropped.

use std::fmt;

use bytes::{Bytes, BytesMut};
use zeroize::Zeroize;

const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// Compares without an early exit, so timing does not reveal the common prefix length.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A secret string (a Smithy `@sensitive` string). `Debug` prints a redaction marker, there
/// is no `Display`, and the memory is zeroed on drop.
#[derive(Clone, Default)]
pub struct SensitiveString(String);

impl SensitiveString {
    /// Wraps `value` (moved, not copied).
    pub fn new(value: impl Into<String>) -> SensitiveString {
        SensitiveString(value.into())
    }

    /// The secret itself.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Takes the secret out without leaving a copy behind (the `String` is moved).
    pub fn into_inner(mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

impl Drop for SensitiveString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SensitiveString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SensitiveString {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.0.as_bytes(), other.0.as_bytes())
    }
}

impl Eq for SensitiveString {}

impl From<String> for SensitiveString {
    fn from(value: String) -> Self {
        SensitiveString(value)
    }
}

impl From<&str> for SensitiveString {
    fn from(value: &str) -> Self {
        SensitiveString(value.to_owned())
    }
}

/// Secret bytes (a Smithy `@sensitive` blob). `Debug` prints a redaction marker, there is no
/// `Display`, and the memory is zeroed on drop.
#[derive(Clone, Default)]
pub struct SensitiveBlob(Vec<u8>);

impl SensitiveBlob {
    /// Wraps `value` (moved, not copied).
    pub fn new(value: impl Into<Vec<u8>>) -> SensitiveBlob {
        SensitiveBlob(value.into())
    }

    /// The secret bytes.
    pub fn expose_secret(&self) -> &[u8] {
        &self.0
    }

    /// Takes the bytes out without leaving a copy behind (the `Vec` is moved).
    pub fn into_inner(mut self) -> Vec<u8> {
        std::mem::take(&mut self.0)
    }
}

impl Drop for SensitiveBlob {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl fmt::Debug for SensitiveBlob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl PartialEq for SensitiveBlob {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(&self.0, &other.0)
    }
}

impl Eq for SensitiveBlob {}

impl From<Vec<u8>> for SensitiveBlob {
    fn from(value: Vec<u8>) -> Self {
        SensitiveBlob(value)
    }
}

impl From<&[u8]> for SensitiveBlob {
    fn from(value: &[u8]) -> Self {
        SensitiveBlob(value.to_vec())
    }
}

/// A buffer whose bytes are zeroed before it is freed: the owner behind the `Bytes` of
/// [`wipe_on_drop`]. Only the bytes in view: the client's own buffers never write past their
/// length (the JSON writer zeroes a buffer it outgrows; joined bodies are appended), and the
/// spare capacity of a connection read buffer taken over holds what the connection read there
/// before, which is not the body's (zeroing it cost more than the rest of the wiping: up to the
/// whole read buffer per call).
struct WipeOnDrop(BytesMut);

impl AsRef<[u8]> for WipeOnDrop {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for WipeOnDrop {
    fn drop(&mut self) {
        self.0.as_mut().zeroize();
    }
}

/// A `Bytes` that is still shared with its producer (a connection's read buffer): wiped on drop
/// if by then it is the last reference to its buffer, else left to the producer.
struct WipeIfLast(Bytes);

impl AsRef<[u8]> for WipeIfLast {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl Drop for WipeIfLast {
    fn drop(&mut self) {
        wipe_if_unique(std::mem::take(&mut self.0));
    }
}

/// The same bytes, zeroed when the last clone is dropped (request bodies of operations with
/// sensitive input members, response bodies of operations with sensitive output members). No
/// copy: a buffer nothing else shares is taken over as it is; one still shared (a slice of the
/// connection's read buffer) is wiped at the end if the other owners let go of it first.
pub(crate) fn wipe_on_drop(bytes: Bytes) -> Bytes {
    if bytes.is_empty() {
        return bytes;
    }
    match bytes.try_into_mut() {
        Ok(unique) => Bytes::from_owner(WipeOnDrop(unique)),
        Err(shared) => Bytes::from_owner(WipeIfLast(shared)),
    }
}

/// Zeroes `bytes` when this is the last reference to its buffer; otherwise only drops the
/// reference.
pub(crate) fn wipe_if_unique(bytes: Bytes) {
    if let Ok(unique) = bytes.try_into_mut() {
        drop(WipeOnDrop(unique));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_redacted_and_accessible() {
        let s = SensitiveString::from("hunter2");
        assert_eq!(format!("{s:?}"), "*** Sensitive Data Redacted ***");
        assert_eq!(
            format!("{:?}", Some(s.clone())),
            "Some(*** Sensitive Data Redacted ***)"
        );
        assert_eq!(s.expose_secret(), "hunter2");
        assert_eq!(s, SensitiveString::from(String::from("hunter2")));
        assert_ne!(s, SensitiveString::from("hunter3"));
        assert_ne!(s, SensitiveString::from("hunter"));
        let ptr = s.expose_secret().as_ptr();
        let inner = s.into_inner();
        assert_eq!(inner, "hunter2");
        // Moved, not copied.
        assert_eq!(inner.as_ptr(), ptr);
    }

    #[test]
    fn blob_redacted_and_accessible() {
        let b = SensitiveBlob::from(&b"\x00key"[..]);
        assert_eq!(format!("{b:?}"), "*** Sensitive Data Redacted ***");
        assert_eq!(b.expose_secret(), b"\x00key");
        assert_eq!(b, SensitiveBlob::new(b"\x00key".to_vec()));
        assert_ne!(b, SensitiveBlob::default());
        assert_eq!(b.into_inner(), b"\x00key".to_vec());
    }

    #[test]
    fn zeroize_clears_contents() {
        // What Drop does, observed on a value we still own.
        let mut s = String::from("secret");
        s.zeroize();
        assert!(s.is_empty());
        let mut v = vec![1u8, 2, 3];
        v.zeroize();
        assert!(v.is_empty());
    }

    #[test]
    fn wiped_bytes_keep_their_contents_and_buffer() {
        let v = b"secret body".to_vec();
        let ptr = v.as_ptr();
        let b = wipe_on_drop(Bytes::from(v));
        assert_eq!(&b[..], b"secret body");
        // Taken over, not copied.
        assert_eq!(b.as_ptr(), ptr);
        let clone = b.clone();
        drop(b);
        assert_eq!(&clone[..], b"secret body");
        let shared = Bytes::from_static(b"static");
        assert_eq!(&wipe_on_drop(shared)[..], b"static");
    }
}
