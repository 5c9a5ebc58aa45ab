//! Base64 (RFC 4648 standard alphabet, padded, strict) and UUID v4.

use std::fmt;

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Maps a byte to its 6-bit value, or 0xFF if it is not in the alphabet.
static DECODE: [u8; 256] = {
    let mut t = [0xFFu8; 256];
    let mut i = 0;
    while i < 64 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Encodes `data` as padded standard base64.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = Vec::with_capacity(data.len().div_ceil(3) * 4);
    encode_into(data, &mut out);
    // Only alphabet characters were written.
    String::from_utf8(out).unwrap_or_default()
}

/// Appends the base64 encoding of `data` to `out`.
pub(crate) fn encode_into(data: &[u8], out: &mut Vec<u8>) {
    out.reserve(data.len().div_ceil(3) * 4);
    let mut chunks = data.chunks_exact(3);
    for c in &mut chunks {
        let n = u32::from(c[0]) << 16 | u32::from(c[1]) << 8 | u32::from(c[2]);
        out.extend_from_slice(&[
            ALPHABET[(n >> 18) as usize & 63],
            ALPHABET[(n >> 12) as usize & 63],
            ALPHABET[(n >> 6) as usize & 63],
            ALPHABET[n as usize & 63],
        ]);
    }
    match *chunks.remainder() {
        [a] => {
            let n = u32::from(a) << 16;
            out.extend_from_slice(&[
                ALPHABET[(n >> 18) as usize & 63],
                ALPHABET[(n >> 12) as usize & 63],
                b'=',
                b'=',
            ]);
        }
        [a, b] => {
            let n = u32::from(a) << 16 | u32::from(b) << 8;
            out.extend_from_slice(&[
                ALPHABET[(n >> 18) as usize & 63],
                ALPHABET[(n >> 12) as usize & 63],
                ALPHABET[(n >> 6) as usize & 63],
                b'=',
            ]);
        }
        _ => {}
    }
}

/// Why [`base64_decode`] rejected its input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Base64DecodeError {
    /// Offset of the offending character (or the input length for a length error).
    pub offset: usize,
    /// Description.
    pub reason: &'static str,
}

impl fmt::Display for Base64DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at offset {}", self.reason, self.offset)
    }
}

impl std::error::Error for Base64DecodeError {}

/// Decodes padded standard base64. Strict: the length must be a multiple of 4, `=` may only
/// appear as final padding, no whitespace, and unused trailing bits must be zero.
pub fn base64_decode(input: &str) -> Result<Vec<u8>, Base64DecodeError> {
    let bytes = input.as_bytes();
    if bytes.len() & 3 != 0 {
        return Err(Base64DecodeError {
            offset: bytes.len(),
            reason: "length is not a multiple of 4",
        });
    }
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    let last = bytes.len() / 4;
    for (q, quad) in bytes.chunks_exact(4).enumerate() {
        let base = q * 4;
        let pad = if q + 1 == last {
            quad.iter().rev().take_while(|&&b| b == b'=').count()
        } else {
            0
        };
        if pad > 2 {
            return Err(Base64DecodeError {
                offset: base + 4 - pad,
                reason: "too much padding",
            });
        }
        let mut n = 0u32;
        for (k, &b) in quad[..4 - pad].iter().enumerate() {
            let v = DECODE[b as usize];
            if v == 0xFF {
                return Err(Base64DecodeError {
                    offset: base + k,
                    reason: "invalid base64 character",
                });
            }
            n = n << 6 | u32::from(v);
        }
        n <<= 6 * pad as u32;
        let [_, a, b, c] = n.to_be_bytes();
        match pad {
            0 => out.extend_from_slice(&[a, b, c]),
            1 if c == 0 => out.extend_from_slice(&[a, b]),
            2 if b == 0 && c == 0 => out.push(a),
            _ => {
                return Err(Base64DecodeError {
                    offset: base + 3 - pad,
                    reason: "non-zero trailing bits",
                })
            }
        }
    }
    Ok(out)
}

/// A random (version 4) UUID in lowercase hyphenated form, e.g.
/// `1b4e28ba-2fa1-41d2-883f-0016d3cca427`. Randomness comes from `ring::rand::SystemRandom`.
pub fn uuid_v4() -> String {
    let text = uuid_text(random_16());
    // Hex digits and hyphens only.
    std::str::from_utf8(&text).unwrap_or_default().to_owned()
}

/// 16 bytes from `ring::rand::SystemRandom` (or, if the OS source fails, [`fallback_random`]).
pub(crate) fn random_16() -> [u8; 16] {
    use ring::rand::SecureRandom;
    let mut b = [0u8; 16];
    if ring::rand::SystemRandom::new().fill(&mut b).is_err() {
        fallback_random(&mut b);
    }
    b
}

/// `b` as a version 4 UUID (its version and variant bits set), lowercase and hyphenated.
pub(crate) fn uuid_text(mut b: [u8; 16]) -> [u8; 36] {
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    // Where each byte's two digits go in `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    const AT: [usize; 16] = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34];
    let mut text = [b'-'; 36];
    for (&at, &byte) in AT.iter().zip(&b) {
        text[at..at + 2].copy_from_slice(&crate::sigv4::HEX_PAIRS[usize::from(byte)]);
    }
    text
}

/// Used only if the OS random source fails: mixes the clock, a counter and an address.
fn fallback_random(out: &mut [u8; 16]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x =
        nanos ^ COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ (out.as_ptr() as u64);
    for chunk in out.chunks_mut(8) {
        // splitmix64
        x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = x;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4648_vectors() {
        let v = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, enc) in v {
            assert_eq!(base64_encode(plain.as_bytes()), enc);
            assert_eq!(base64_decode(enc).unwrap(), plain.as_bytes());
        }
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(base64_decode(&base64_encode(&all)).unwrap(), all);
        assert_eq!(base64_encode(&[0xfb, 0xff]), "+/8=");
    }

    #[test]
    fn strict_rejections() {
        for bad in [
            "Zg",
            "Zg=",
            "Z===",
            "Zm9v\n",
            "Zg==Zg==",
            "Zh==",
            "Zm9=",
            "Zm9v Zg==",
            "====",
            "Zm=v",
            "é123",
        ] {
            assert!(base64_decode(bad).is_err(), "{bad}");
        }
        assert_eq!(base64_decode("Zm9v!A==").unwrap_err().offset, 4);
    }

    #[test]
    fn uuid_shape() {
        let a = uuid_v4();
        let b = uuid_v4();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'));
        assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'));
        assert!(a
            .bytes()
            .all(|c| c == b'-' || c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        let mut f = [0u8; 16];
        fallback_random(&mut f);
        assert_ne!(f, [0u8; 16]);
    }
}
