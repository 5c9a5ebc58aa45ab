//! Request compression (`smithy.api#requestCompression`): the body of an operation with the
//! trait is gzip-compressed when it is at least the configured minimum size (10240 bytes by
//! default; `AWS_REQUEST_MIN_COMPRESSION_SIZE_BYTES` / `request_min_compression_size_bytes`,
//! 0 to 10485760) and compression is not disabled (`AWS_DISABLE_REQUEST_COMPRESSION` /
//! `disable_request_compression`). `gzip` is appended to any `Content-Encoding` the request
//! already has. The checksum of an `@httpChecksum` operation is computed afterwards, over the
//! compressed body.

#[cfg(feature = "compression")]
use std::io::Write;

#[cfg(feature = "compression")]
use crate::client::Request;
#[cfg(feature = "compression")]
use crate::config::Config;
#[cfg(feature = "compression")]
use crate::error::{BuildError, BuildErrorKind};

/// The smallest body compressed when the configuration says nothing.
pub const DEFAULT_MIN_COMPRESSION_SIZE: u32 = 10_240;

/// The largest minimum size the setting accepts.
pub const MAX_MIN_COMPRESSION_SIZE: u32 = 10_485_760;

/// Compresses `request`'s body with the first of `encodings` the client supports (`gzip`),
/// when the configuration and the body's size allow (feature `compression`).
#[cfg(feature = "compression")]
pub fn request(
    config: &Config,
    request: &mut Request,
    encodings: &[&str],
) -> Result<(), BuildError> {
    if config.disable_request_compression()
        || !encodings.iter().any(|e| e.eq_ignore_ascii_case("gzip"))
        || request.body.len() < config.request_min_compression_size() as usize
    {
        return Ok(());
    }
    let mut enc = flate2::write::GzEncoder::new(
        Vec::with_capacity(request.body.len() / 2),
        flate2::Compression::default(),
    );
    let compressed = enc
        .write_all(&request.body)
        .and_then(|()| enc.finish())
        .map_err(|e| BuildError::new(BuildErrorKind::Other, format!("gzip failed: {e}")))?;
    request.body = compressed.into();
    let encoding = match request.headers.get(http::header::CONTENT_ENCODING) {
        Some(v) => match v.to_str() {
            Ok(existing) if !existing.trim().is_empty() => format!("{existing}, gzip"),
            _ => "gzip".to_string(),
        },
        None => "gzip".to_string(),
    };
    request.set_header("content-encoding", &encoding)
}

#[cfg(all(test, feature = "compression"))]
mod tests {
    use super::*;
    use std::io::Read;

    fn gunzip(data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(data)
            .read_to_end(&mut out)
            .unwrap();
        out
    }

    #[test]
    fn large_bodies_are_gzipped_and_small_ones_are_not() {
        let config = Config::builder().build();
        let body = b"Action=PutMetricData&MetricData.member.1.Value=1".repeat(400);
        let mut r = Request::new(http::Method::POST, "/").with_body(body.clone());
        request(&config, &mut r, &["gzip"]).unwrap();
        assert_eq!(r.headers["content-encoding"], "gzip");
        assert!(r.body.len() < body.len());
        assert_eq!(gunzip(&r.body), body);

        let mut small = Request::new(http::Method::POST, "/").with_body(b"short".to_vec());
        request(&config, &mut small, &["gzip"]).unwrap();
        assert!(small.headers.get("content-encoding").is_none());
        assert_eq!(&small.body[..], b"short");
    }

    #[test]
    fn gzip_is_appended_and_settings_apply() {
        let config = Config::builder().request_min_compression_size(0).build();
        let mut r = Request::new(http::Method::POST, "/").with_body(b"x".to_vec());
        r.set_header("content-encoding", "custom").unwrap();
        request(&config, &mut r, &["gzip"]).unwrap();
        assert_eq!(r.headers["content-encoding"], "custom, gzip");

        let off = Config::builder()
            .request_min_compression_size(0)
            .disable_request_compression(true)
            .build();
        let mut r = Request::new(http::Method::POST, "/").with_body(b"x".to_vec());
        request(&off, &mut r, &["gzip"]).unwrap();
        assert!(r.headers.get("content-encoding").is_none());

        let mut r = Request::new(http::Method::POST, "/").with_body(b"x".to_vec());
        request(&config, &mut r, &["br"]).unwrap();
        assert!(
            r.headers.get("content-encoding").is_none(),
            "only gzip is supported"
        );
    }
}
