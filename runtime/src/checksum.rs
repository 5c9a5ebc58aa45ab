//! Flexible checksums (`aws.protocols#httpChecksum`): CRC32, CRC32C, CRC64/NVME, SHA-1 and
//! SHA-256 of a body, sent in `x-amz-checksum-<algorithm>` and checked on responses.
//!
//! * Requests ([`request`]): the algorithm the caller chose (the operation's request-algorithm
//!   member), else CRC32 when the operation requires a checksum or supports one and the
//!   configuration says `when_supported` (the default, as in the official SDKs since 2025;
//!   `AWS_REQUEST_CHECKSUM_CALCULATION` / `request_checksum_calculation`). A checksum header the
//!   caller set is kept.
//! * Responses ([`validate`], [`validate_stream`]): when the caller enabled the operation's
//!   validation mode, or the configuration says `when_supported` (the default;
//!   `AWS_RESPONSE_CHECKSUM_VALIDATION` / `response_checksum_validation`), the first checksum
//!   header of the operation's algorithms that the response carries is checked against the body
//!   (a streamed body at its end). Composite checksums of multipart objects (`...-N`) cannot be
//!   checked against the whole body and are skipped.
//!
//! The CRCs are table-driven implementations of their published polynomials (reflected);
//! SHA-1 and SHA-256 come from `ring`.

use bytes::Bytes;

use crate::client::Request;
use crate::error::{BuildError, BuildErrorKind};
use crate::http::HttpResponse;
use crate::types::{base64_encode, ByteStream, ByteStreamError};

/// When checksums are calculated (requests) or validated (responses).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ChecksumWhen {
    /// Whenever the operation supports one (the default).
    #[default]
    WhenSupported,
    /// Only when the operation requires one (requests) or the caller asked (responses).
    WhenRequired,
}

impl std::str::FromStr for ChecksumWhen {
    type Err = String;

    fn from_str(s: &str) -> Result<ChecksumWhen, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "when_supported" => Ok(ChecksumWhen::WhenSupported),
            "when_required" => Ok(ChecksumWhen::WhenRequired),
            other => Err(format!(
                "{other:?} is not a checksum setting (when_supported or when_required)"
            )),
        }
    }
}

/// A checksum algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// CRC-32 (ISO-HDLC, the one of zlib and Ethernet).
    Crc32,
    /// CRC-32C (Castagnoli).
    Crc32c,
    /// CRC-64/NVME.
    Crc64Nvme,
    /// SHA-1.
    Sha1,
    /// SHA-256.
    Sha256,
}

impl Algorithm {
    /// The algorithm named `name` as the models spell it (`CRC32`, `crc32c`, `SHA256`, ...).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Some(match name.trim().to_ascii_uppercase().as_str() {
            "CRC32" => Algorithm::Crc32,
            "CRC32C" => Algorithm::Crc32c,
            "CRC64NVME" => Algorithm::Crc64Nvme,
            "SHA1" => Algorithm::Sha1,
            "SHA256" => Algorithm::Sha256,
            _ => return None,
        })
    }

    /// The header carrying it.
    pub fn header(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "x-amz-checksum-crc32",
            Algorithm::Crc32c => "x-amz-checksum-crc32c",
            Algorithm::Crc64Nvme => "x-amz-checksum-crc64nvme",
            Algorithm::Sha1 => "x-amz-checksum-sha1",
            Algorithm::Sha256 => "x-amz-checksum-sha256",
        }
    }

    /// The model's name of the algorithm.
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Crc32 => "CRC32",
            Algorithm::Crc32c => "CRC32C",
            Algorithm::Crc64Nvme => "CRC64NVME",
            Algorithm::Sha1 => "SHA1",
            Algorithm::Sha256 => "SHA256",
        }
    }

    /// A hasher for it.
    pub fn hasher(self) -> Hasher {
        match self {
            Algorithm::Crc32 => Hasher::Crc32(!0),
            Algorithm::Crc32c => Hasher::Crc32c(!0),
            Algorithm::Crc64Nvme => Hasher::Crc64(!0),
            Algorithm::Sha1 => Hasher::Digest(Box::new(ring::digest::Context::new(
                &ring::digest::SHA1_FOR_LEGACY_USE_ONLY,
            ))),
            Algorithm::Sha256 => {
                Hasher::Digest(Box::new(ring::digest::Context::new(&ring::digest::SHA256)))
            }
        }
    }

    /// The checksum of `data`, base64 as the header carries it.
    pub fn checksum(self, data: &[u8]) -> String {
        let mut h = self.hasher();
        h.update(data);
        h.finish()
    }
}

const fn crc32_table(poly: u32) -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

const fn crc64_table(poly: u64) -> [u64; 256] {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u64;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { (c >> 1) ^ poly } else { c >> 1 };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

/// CRC-32 (reflected 0x04C11DB7).
static CRC32: [u32; 256] = crc32_table(0xEDB8_8320);

/// CRC-32 (the IEEE / zlib one) of `data`, as a number; the event stream framing
/// (`crate::event_stream`) writes it big-endian.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in data {
        c = CRC32[usize::from((c as u8) ^ b)] ^ (c >> 8);
    }
    !c
}

/// CRC-32C (reflected 0x1EDC6F41).
static CRC32C: [u32; 256] = crc32_table(0x82F6_3B78);
/// CRC-64/NVME (reflected 0xAD93D23594C93659).
static CRC64_NVME: [u64; 256] = crc64_table(0x9A6C_9329_AC4B_C9B5);

/// An incremental checksum.
pub enum Hasher {
    /// CRC-32 state (inverted).
    Crc32(u32),
    /// CRC-32C state (inverted).
    Crc32c(u32),
    /// CRC-64/NVME state (inverted).
    Crc64(u64),
    /// A `ring` digest (boxed: its state is far larger than a CRC's).
    Digest(Box<ring::digest::Context>),
}

impl std::fmt::Debug for Hasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Hasher")
    }
}

impl Hasher {
    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
        match self {
            Hasher::Crc32(c) => {
                for &b in data {
                    *c = CRC32[usize::from((*c as u8) ^ b)] ^ (*c >> 8);
                }
            }
            Hasher::Crc32c(c) => {
                for &b in data {
                    *c = CRC32C[usize::from((*c as u8) ^ b)] ^ (*c >> 8);
                }
            }
            Hasher::Crc64(c) => {
                for &b in data {
                    *c = CRC64_NVME[usize::from((*c as u8) ^ b)] ^ (*c >> 8);
                }
            }
            Hasher::Digest(d) => d.update(data),
        }
    }

    /// The checksum, base64 of its big-endian bytes.
    pub fn finish(self) -> String {
        match self {
            Hasher::Crc32(c) | Hasher::Crc32c(c) => base64_encode(&(!c).to_be_bytes()),
            Hasher::Crc64(c) => base64_encode(&(!c).to_be_bytes()),
            Hasher::Digest(d) => base64_encode(d.finish().as_ref()),
        }
    }
}

/// Adds the request checksum of an operation with `@httpChecksum`: with the algorithm the
/// caller chose (`chosen`, the request-algorithm member's value), else CRC32 when `required` or
/// when `calculation` is `when_supported` and the operation has a request-algorithm member
/// (`algorithm_header`, whose header then names CRC32). Nothing is added when the request
/// already carries an `x-amz-checksum-*` header.
pub fn request(
    calculation: ChecksumWhen,
    request: &mut Request,
    chosen: Option<&str>,
    algorithm_header: Option<&'static str>,
    required: bool,
) -> Result<(), BuildError> {
    if request
        .headers
        .keys()
        .any(|k| k.as_str().starts_with("x-amz-checksum-") && k.as_str() != "x-amz-checksum-mode")
    {
        return Ok(());
    }
    let algorithm = match chosen {
        Some(name) => Algorithm::from_name(name).ok_or_else(|| {
            BuildError::new(
                BuildErrorKind::InvalidField,
                format!("checksum algorithm {name:?} is not supported (CRC32, CRC32C, CRC64NVME, SHA1, SHA256)"),
            )
        })?,
        None if required => Algorithm::Crc32,
        None if calculation == ChecksumWhen::WhenSupported && algorithm_header.is_some() => {
            Algorithm::Crc32
        }
        None => return Ok(()),
    };
    if chosen.is_none() {
        if let Some(h) = algorithm_header {
            request.set_header(h, algorithm.name())?;
        }
    }
    let value = algorithm.checksum(&request.body);
    request.set_header(algorithm.header(), &value)
}

/// The first of `algorithms` (the operation's response algorithms, in the order of preference
/// the SDKs use: CRC32C, CRC32, CRC64/NVME, SHA-1, SHA-256) whose header the response carries,
/// with the expected value; `None` when there is none or it is a composite checksum.
pub fn response_checksum(resp: &HttpResponse, algorithms: &[&str]) -> Option<(Algorithm, String)> {
    // Most responses carry no checksum: one pass over the stored (lower-case) names answers
    // that without a header lookup per algorithm.
    if !resp
        .headers
        .keys()
        .any(|n| n.as_str().starts_with("x-amz-checksum-"))
    {
        return None;
    }
    let mut algs: Vec<Algorithm> = algorithms
        .iter()
        .filter_map(|a| Algorithm::from_name(a))
        .collect();
    algs.sort_by_key(|a| match a {
        Algorithm::Crc32c => 0,
        Algorithm::Crc32 => 1,
        Algorithm::Crc64Nvme => 2,
        Algorithm::Sha1 => 3,
        Algorithm::Sha256 => 4,
    });
    algs.into_iter().find_map(|a| {
        let v = resp.header(a.header())?.trim();
        // `<base64>-<parts>`: a checksum of part checksums, not of this body.
        if v.contains('-') || v.is_empty() {
            return None;
        }
        Some((a, v.to_string()))
    })
}

fn mismatch(a: Algorithm, expected: &str, got: &str) -> String {
    format!(
        "the response body's {} checksum is {got}, the response says {expected}: the body was corrupted in transit",
        a.name()
    )
}

/// Checks a whole response body against its checksum header (see [`response_checksum`]).
pub fn validate(resp: &HttpResponse, algorithms: &[&str]) -> Result<(), String> {
    let Some((a, expected)) = response_checksum(resp, algorithms) else {
        return Ok(());
    };
    let got = a.checksum(&resp.body);
    if got == expected {
        Ok(())
    } else {
        Err(mismatch(a, &expected, &got))
    }
}

/// A streamed body checked against the response's checksum header as it is read: the last
/// chunk is followed by an error instead of the end when the checksum does not match.
pub fn validate_stream(head: &HttpResponse, body: ByteStream, algorithms: &[&str]) -> ByteStream {
    let Some((a, expected)) = response_checksum(head, algorithms) else {
        return body;
    };
    let length = body.content_length();
    ByteStream::from_source(
        Validating {
            inner: body,
            hasher: Some(a.hasher()),
            algorithm: a,
            expected,
        },
        length,
    )
}

struct Validating {
    inner: ByteStream,
    hasher: Option<Hasher>,
    algorithm: Algorithm,
    expected: String,
}

impl crate::types::ChunkSource for Validating {
    fn poll_chunk(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<Bytes, ByteStreamError>>> {
        use std::task::Poll;
        let this = self.get_mut();
        match this.inner.poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(Some(Ok(chunk))) => {
                if let Some(h) = this.hasher.as_mut() {
                    h.update(&chunk);
                }
                Poll::Ready(Some(Ok(chunk)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Ready(None) => {
                let Some(h) = this.hasher.take() else {
                    return Poll::Ready(None);
                };
                let got = h.finish();
                if got == this.expected {
                    Poll::Ready(None)
                } else {
                    Poll::Ready(Some(Err(ByteStreamError::new(
                        mismatch(this.algorithm, &this.expected, &got),
                        None,
                    ))))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex_of_b64(b64: &str) -> String {
        crate::types::base64_decode(b64)
            .unwrap()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    #[test]
    fn check_values_of_the_published_parameters() {
        // The standard check input "123456789".
        let d = b"123456789";
        assert_eq!(hex_of_b64(&Algorithm::Crc32.checksum(d)), "cbf43926");
        assert_eq!(hex_of_b64(&Algorithm::Crc32c.checksum(d)), "e3069283");
        assert_eq!(
            hex_of_b64(&Algorithm::Crc64Nvme.checksum(d)),
            "ae8b14860a799888"
        );
        assert_eq!(
            hex_of_b64(&Algorithm::Sha1.checksum(d)),
            "f7c3bc1d808e04732adf679965ccc34ca7ae3441"
        );
        assert_eq!(
            hex_of_b64(&Algorithm::Sha256.checksum(d)),
            "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"
        );
        // The empty body, as S3 reports it.
        assert_eq!(Algorithm::Crc32.checksum(b""), "AAAAAA==");
    }

    #[test]
    fn incremental_equals_whole() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for a in [
            Algorithm::Crc32,
            Algorithm::Crc32c,
            Algorithm::Crc64Nvme,
            Algorithm::Sha1,
            Algorithm::Sha256,
        ] {
            let mut h = a.hasher();
            for c in data.chunks(333) {
                h.update(c);
            }
            assert_eq!(h.finish(), a.checksum(&data), "{a:?}");
        }
    }

    #[test]
    fn request_checksums() {
        let mut r = Request::new(http::Method::PUT, "/k").with_body(b"hello".to_vec());
        request(
            ChecksumWhen::WhenSupported,
            &mut r,
            None,
            Some("x-amz-sdk-checksum-algorithm"),
            false,
        )
        .unwrap();
        assert_eq!(r.headers["x-amz-sdk-checksum-algorithm"], "CRC32");
        assert_eq!(
            r.headers["x-amz-checksum-crc32"],
            Algorithm::Crc32.checksum(b"hello").as_str()
        );

        let mut r = Request::new(http::Method::PUT, "/k").with_body(b"hello".to_vec());
        request(
            ChecksumWhen::WhenRequired,
            &mut r,
            None,
            Some("x-amz-sdk-checksum-algorithm"),
            false,
        )
        .unwrap();
        assert!(r.headers.is_empty(), "not required, not asked: no checksum");

        let mut r = Request::new(http::Method::POST, "/d").with_body(b"<Delete/>".to_vec());
        request(ChecksumWhen::WhenRequired, &mut r, None, None, true).unwrap();
        assert!(r.headers.contains_key("x-amz-checksum-crc32"));

        let mut r = Request::new(http::Method::PUT, "/k").with_body(b"hello".to_vec());
        request(
            ChecksumWhen::WhenRequired,
            &mut r,
            Some("sha256"),
            None,
            false,
        )
        .unwrap();
        assert_eq!(
            r.headers["x-amz-checksum-sha256"],
            Algorithm::Sha256.checksum(b"hello").as_str()
        );
        assert!(
            request(
                ChecksumWhen::WhenRequired,
                &mut r.clone(),
                Some("MD5"),
                None,
                false
            )
            .is_ok(),
            "a request that already has a checksum header is left alone"
        );
        let mut fresh = Request::new(http::Method::PUT, "/k");
        assert!(request(
            ChecksumWhen::WhenRequired,
            &mut fresh,
            Some("MD5"),
            None,
            false
        )
        .is_err());
    }

    #[tokio::test]
    async fn responses_are_validated_whole_and_streamed() {
        let body = b"some object bytes".to_vec();
        let good = Algorithm::Crc32c.checksum(&body);
        let resp = HttpResponse::new(200, body.clone()).with_header("x-amz-checksum-crc32c", &good);
        assert!(validate(&resp, &["CRC32", "CRC32C"]).is_ok());
        let bad =
            HttpResponse::new(200, body.clone()).with_header("x-amz-checksum-crc32c", "AAAAAA==");
        assert!(validate(&bad, &["CRC32C"]).unwrap_err().contains("CRC32C"));
        let composite =
            HttpResponse::new(200, body.clone()).with_header("x-amz-checksum-crc32", "AAAAAA==-3");
        assert!(
            validate(&composite, &["CRC32"]).is_ok(),
            "composite checksums are skipped"
        );

        let head = HttpResponse::new(200, Vec::new()).with_header("x-amz-checksum-crc32c", &good);
        let s = validate_stream(&head, ByteStream::new(body.clone()), &["CRC32C"]);
        assert_eq!(s.collect().await.unwrap(), body);
        let head =
            HttpResponse::new(200, Vec::new()).with_header("x-amz-checksum-crc32c", "AAAAAA==");
        let s = validate_stream(&head, ByteStream::new(body.clone()), &["CRC32C"]);
        assert!(s.collect().await.is_err());
    }
}
