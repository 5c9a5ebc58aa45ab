//! AWS Signature Version 4 request signing (header-based and query-string presigning).
//!
//! ```
//! use awsrt::sigv4::{sign, SigningParams, SigningSettings};
//! let mut headers = http::HeaderMap::new();
//! let params = SigningParams {
//!     access_key: "AKIDEXAMPLE",
//!     secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
//!     session_token: None,
//!     region: "us-east-1",
//!     service: "service",
//!     time: std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_440_938_160),
//!     settings: SigningSettings::default(),
//! };
//! let out = sign("GET", "https://example.amazonaws.com/", &mut headers, b"", &params).unwrap();
//! assert_eq!(out.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
//! assert!(headers.contains_key("authorization"));
//! ```

mod canonical;
pub(crate) mod key;
pub(crate) mod time;

use std::fmt;
use std::time::{Duration, SystemTime};

use http::header::{HeaderName, HeaderValue, AUTHORIZATION, HOST};
use http::HeaderMap;
use ring::{digest, hmac};

/// The algorithm name that starts every string to sign and `Authorization` header.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// `x-amz-date`, the signing time header.
pub const X_AMZ_DATE: &str = "x-amz-date";
/// `x-amz-security-token`, the session token header.
pub const X_AMZ_SECURITY_TOKEN: &str = "x-amz-security-token";
/// The payload hash of a presigned S3 request.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// `x-amz-content-sha256`, the payload hash header.
pub const X_AMZ_CONTENT_SHA256: &str = "x-amz-content-sha256";

/// [`X_AMZ_DATE`] as a header name (made at compile time: no parsing per request).
pub(crate) const X_AMZ_DATE_NAME: HeaderName = HeaderName::from_static(X_AMZ_DATE);
/// [`X_AMZ_SECURITY_TOKEN`] as a header name.
pub(crate) const X_AMZ_SECURITY_TOKEN_NAME: HeaderName =
    HeaderName::from_static(X_AMZ_SECURITY_TOKEN);
/// [`X_AMZ_CONTENT_SHA256`] as a header name.
pub(crate) const X_AMZ_CONTENT_SHA256_NAME: HeaderName =
    HeaderName::from_static(X_AMZ_CONTENT_SHA256);

/// Knobs that differ between services.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SigningSettings {
    /// Remove `.`/`..` and empty segments from the path before signing (every service but S3).
    pub uri_path_normalization: bool,
    /// Percent-encode the (already encoded) path once more (every service but S3). When false,
    /// existing `%XX` escapes are kept and only other reserved characters are encoded.
    pub double_uri_encode: bool,
    /// Sign without the session token and add `x-amz-security-token` afterwards (a few
    /// services, e.g. IoT, want it outside the signature).
    pub omit_session_token: bool,
    /// Add a signed `x-amz-content-sha256` header carrying the payload hash (S3 style).
    pub content_sha256_header: bool,
}

impl Default for SigningSettings {
    fn default() -> Self {
        SigningSettings {
            uri_path_normalization: true,
            double_uri_encode: true,
            omit_session_token: false,
            content_sha256_header: false,
        }
    }
}

/// Everything needed to sign one request.
#[derive(Clone, Copy)]
pub struct SigningParams<'a> {
    /// Access key id.
    pub access_key: &'a str,
    /// Secret access key (never logged).
    pub secret_key: &'a str,
    /// Session token of temporary credentials.
    pub session_token: Option<&'a str>,
    /// Signing region, e.g. `us-east-1`.
    pub region: &'a str,
    /// Signing name of the service (`aws.auth#sigv4` `name`).
    pub service: &'a str,
    /// Signing time (`x-amz-date`).
    pub time: SystemTime,
    /// Service-specific settings.
    pub settings: SigningSettings,
}

impl fmt::Debug for SigningParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningParams")
            .field("access_key", &self.access_key)
            .field("secret_key", &"** redacted **")
            .field(
                "session_token",
                &self.session_token.map(|_| "** redacted **"),
            )
            .field("region", &self.region)
            .field("service", &self.service)
            .field("time", &self.time)
            .field("settings", &self.settings)
            .finish()
    }
}

/// What a signature was computed from; returned for tests and debugging.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SigningOutput {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// Lowercase hex signature.
    pub signature: String,
    /// `host;x-amz-date;...`.
    pub signed_headers: String,
    /// Presigning only: the request URI with the `X-Amz-*` parameters appended (empty for
    /// header signing).
    pub presigned_uri: String,
}

/// Why a request could not be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SigningError {
    /// Neither a `host` header nor an absolute URI gave the host to sign.
    MissingHost,
    /// The URI could not be split into authority, path and query.
    InvalidUri(String),
    /// A value (access key, token, host) is not a valid HTTP header value.
    InvalidHeaderValue(&'static str),
    /// The signing time is before 1970 or after 9999.
    TimeOutOfRange,
}

impl fmt::Display for SigningError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SigningError::MissingHost => {
                f.write_str("cannot sign: no host header and the URI is not absolute")
            }
            SigningError::InvalidUri(reason) => write!(f, "cannot sign: invalid URI: {reason}"),
            SigningError::InvalidHeaderValue(what) => {
                write!(f, "cannot sign: {what} is not a valid header value")
            }
            SigningError::TimeOutOfRange => {
                f.write_str("cannot sign: signing time outside years 1970-9999")
            }
        }
    }
}

impl std::error::Error for SigningError {}

/// A URI split into its parts, borrowing the input.
struct UriParts<'u> {
    authority: Option<&'u str>,
    default_port: Option<&'u str>,
    path: &'u str,
    query: &'u str,
}

/// Splits `uri` (absolute, or a path) into authority, path and query; a fragment is dropped.
/// Runs for every signed request: one pass over the bytes, no `char` searching (every delimiter
/// is ASCII, so each index found is a `char` boundary).
fn split_uri(uri: &str) -> Result<UriParts<'_>, SigningError> {
    let uri = match uri.bytes().position(|b| b == b'#') {
        Some(end) => &uri[..end],
        None => uri,
    };
    let bytes = uri.as_bytes();
    // The first `://` with no `/` or `?` before it ends the scheme.
    let mut scheme_end = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'/' | b'?' => break,
            b':' if bytes[i + 1..].starts_with(b"//") => {
                scheme_end = Some(i);
                break;
            }
            _ => {}
        }
    }
    let (authority, default_port, rest) = match scheme_end {
        Some(i) => {
            let scheme = &uri[..i];
            let rest = &uri[i + 3..];
            let default_port = if scheme.eq_ignore_ascii_case("https") {
                Some("443")
            } else if scheme.eq_ignore_ascii_case("http") {
                Some("80")
            } else {
                None
            };
            // The authority ends at the first `/` or `?`; user information ends at its last `@`.
            let (mut end, mut host_from) = (rest.len(), 0);
            for (j, &b) in rest.as_bytes().iter().enumerate() {
                match b {
                    b'/' | b'?' => {
                        end = j;
                        break;
                    }
                    b'@' => host_from = j + 1,
                    _ => {}
                }
            }
            let authority = &rest[host_from..end];
            if authority.is_empty() {
                return Err(SigningError::InvalidUri("empty authority".to_owned()));
            }
            (Some(authority), default_port, &rest[end..])
        }
        None => (None, None, uri),
    };
    let (path, query) = match rest.bytes().position(|b| b == b'?') {
        Some(q) => (&rest[..q], &rest[q + 1..]),
        None => (rest, ""),
    };
    Ok(UriParts {
        authority,
        default_port,
        path,
        query,
    })
}

fn host_value<'u>(parts: &UriParts<'u>) -> Option<&'u str> {
    let authority = parts.authority?;
    match (authority.rsplit_once(':'), parts.default_port) {
        (Some((host, port)), Some(default)) if port == default && !host.ends_with(':') => {
            Some(host)
        }
        _ => Some(authority),
    }
}

fn ensure_host(headers: &mut HeaderMap, parts: &UriParts<'_>) -> Result<(), SigningError> {
    if headers.contains_key(HOST) {
        return Ok(());
    }
    let host = host_value(parts).ok_or(SigningError::MissingHost)?;
    let value =
        HeaderValue::from_str(host).map_err(|_| SigningError::InvalidHeaderValue("host"))?;
    headers.insert(HOST, value);
    Ok(())
}

/// Appends the lowercase hex of `bytes` to `out`.
pub(crate) fn hex_into(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        let [hi, lo] = HEX_PAIRS[usize::from(b)];
        out.push(char::from(hi));
        out.push(char::from(lo));
    }
}

fn sha256_hex(data: &[u8]) -> String {
    let mut out = String::with_capacity(64);
    hex_into(&mut out, digest::digest(&digest::SHA256, data).as_ref());
    out
}

/// The two lowercase hex digits of every byte value: one load per byte instead of two shifts,
/// two masks and two loads (three digests are written out per signature).
pub(crate) static HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut pairs = [[0u8; 2]; 256];
    let mut i = 0;
    while i < 256 {
        pairs[i] = [HEX[i >> 4], HEX[i & 15]];
        i += 1;
    }
    pairs
};

/// Lowercase hex of a 32-byte digest or signature, on the stack.
fn hex32(bytes: &[u8]) -> [u8; 64] {
    let mut out = [0u8; 64];
    for (pair, &b) in out.chunks_exact_mut(2).zip(bytes) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
    }
    out
}

/// What `HeaderValue::from_str` accepts: visible ASCII, space and tab.
fn is_visible_ascii(s: &str) -> bool {
    s.bytes().all(|b| (32..127).contains(&b) || b == b'\t')
}

fn into_string(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Signing date, credential scope and the (cached) signing key.
struct Scope {
    amz_date: [u8; 16],
    scope: std::sync::Arc<str>,
    /// `scope` is visible ASCII (checked once, when it was made).
    scope_is_text: bool,
    key: hmac::Key,
}

impl Scope {
    fn new(params: &SigningParams<'_>) -> Result<Scope, SigningError> {
        let amz_date = time::amz_date(params.time).ok_or(SigningError::TimeOutOfRange)?;
        let date: [u8; 8] = [
            amz_date[0],
            amz_date[1],
            amz_date[2],
            amz_date[3],
            amz_date[4],
            amz_date[5],
            amz_date[6],
            amz_date[7],
        ];
        let (key, scope, scope_is_text) =
            key::signing_key_and_scope(params.secret_key, &date, params.region, params.service);
        Ok(Scope {
            amz_date,
            scope,
            scope_is_text,
            key,
        })
    }

    fn date_str(&self) -> &str {
        std::str::from_utf8(&self.amz_date).unwrap_or_default()
    }

    /// Appends the string to sign of a canonical request whose SHA-256 is `creq_hash` to `out`.
    fn push_string_to_sign(&self, out: &mut Vec<u8>, creq_hash: &[u8]) {
        out.extend_from_slice(ALGORITHM.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(&self.amz_date);
        out.push(b'\n');
        out.extend_from_slice(self.scope.as_bytes());
        out.push(b'\n');
        out.extend_from_slice(&hex32(creq_hash));
    }

    /// Returns (string to sign, hex signature) for a canonical request.
    fn finish(&self, canonical_request: &[u8]) -> (String, String) {
        let mut sts = String::with_capacity(ALGORITHM.len() + self.scope.len() + 16 + 67);
        sts.push_str(ALGORITHM);
        sts.push('\n');
        sts.push_str(self.date_str());
        sts.push('\n');
        sts.push_str(&self.scope);
        sts.push('\n');
        hex_into(
            &mut sts,
            digest::digest(&digest::SHA256, canonical_request).as_ref(),
        );
        let mut signature = String::with_capacity(64);
        hex_into(
            &mut signature,
            hmac::sign(&self.key, sts.as_bytes()).as_ref(),
        );
        (sts, signature)
    }
}

/// Signs a request in place: sets `host` (from an absolute `uri` when missing), `x-amz-date`,
/// `x-amz-security-token` (when a token is given), optionally `x-amz-content-sha256`, and
/// `authorization`. Any previous values of those headers are replaced, so a retried request
/// can be signed again.
///
/// `uri` is either absolute (`https://host/path?query`) or a path with optional query; it is
/// used exactly as it will be sent (already percent-encoded).
pub fn sign(
    method: &str,
    uri: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
) -> Result<SigningOutput, SigningError> {
    let mut output = SigningOutput {
        canonical_request: String::new(),
        string_to_sign: String::new(),
        signature: String::new(),
        signed_headers: String::new(),
        presigned_uri: String::new(),
    };
    sign_into(method, uri, headers, body, params, Some(&mut output))?;
    Ok(output)
}

/// [`sign`] for a request about to be sent: the same headers, without building the
/// [`SigningOutput`] nobody reads.
pub(crate) fn sign_headers(
    method: &str,
    uri: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
) -> Result<(), SigningError> {
    sign_into(method, uri, headers, body, params, None)
}

/// Signs the request in place (see [`sign`]) and, when `output` is `Some`, fills it in.
fn sign_into(
    method: &str,
    uri: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
    output: Option<&mut SigningOutput>,
) -> Result<(), SigningError> {
    let parts = split_uri(uri)?;
    let settings = params.settings;
    let scope = Scope::new(params)?;
    ensure_host(headers, &parts)?;
    // (`authorization` is never signed, and the one inserted below replaces any there is.)
    if params.session_token.is_none() || settings.omit_session_token {
        headers.remove(X_AMZ_SECURITY_TOKEN_NAME);
    }
    headers.insert(
        X_AMZ_DATE_NAME,
        HeaderValue::from_bytes(&scope.amz_date).map_err(|_| SigningError::TimeOutOfRange)?,
    );
    // The token and the signature are credentials: kept out of `Debug` (interceptors, a
    // transport of the user's).
    let token_value = match params.session_token {
        Some(token) => {
            let mut value = HeaderValue::from_str(token)
                .map_err(|_| SigningError::InvalidHeaderValue("session token"))?;
            value.set_sensitive(true);
            Some(value)
        }
        None => None,
    };
    if let (Some(value), false) = (&token_value, settings.omit_session_token) {
        headers.insert(X_AMZ_SECURITY_TOKEN_NAME, value.clone());
    }
    // A payload hash the request already names (an event stream's
    // `STREAMING-AWS4-HMAC-SHA256-EVENTS`, `UNSIGNED-PAYLOAD`) is signed as it is.
    let preset = headers
        .get(X_AMZ_CONTENT_SHA256_NAME)
        .and_then(|v| v.to_str().ok())
        .filter(|v| v.starts_with("STREAMING-") || *v == UNSIGNED_PAYLOAD)
        .map(|v| v.as_bytes().to_vec());
    let computed;
    let payload_hash: &[u8] = match &preset {
        Some(p) => p,
        None => {
            computed = hex32(digest::digest(&digest::SHA256, body).as_ref());
            &computed
        }
    };
    if settings.content_sha256_header {
        let value = HeaderValue::from_bytes(payload_hash)
            .map_err(|_| SigningError::InvalidHeaderValue("payload hash"))?;
        headers.insert(X_AMZ_CONTENT_SHA256_NAME, value);
    }

    let signed = canonical::signed_headers(headers, &[]);
    // Room for the canonical request and, after it, the string to sign.
    let mut creq = Vec::with_capacity(1024 + parts.path.len() + 2 * parts.query.len());
    creq.extend_from_slice(method.as_bytes());
    creq.push(b'\n');
    canonical::push_path(
        &mut creq,
        parts.path,
        settings.uri_path_normalization,
        settings.double_uri_encode,
    );
    creq.push(b'\n');
    canonical::push_query(&mut creq, parts.query, &[]);
    creq.push(b'\n');
    canonical::push_headers(&mut creq, &signed);
    creq.push(b'\n');
    let signed_from = creq.len();
    canonical::push_signed_header_list(&mut creq, &signed);
    let signed_to = creq.len();
    drop(signed);
    creq.push(b'\n');
    creq.extend_from_slice(payload_hash);

    let creq_hash = digest::digest(&digest::SHA256, &creq);
    // The string to sign goes after the canonical request, in the same buffer.
    let sts_from = creq.len();
    scope.push_string_to_sign(&mut creq, creq_hash.as_ref());
    let signature = hex32(hmac::sign(&scope.key, &creq[sts_from..]).as_ref());

    // As `HeaderValue::from_str` would check the whole value: the other parts are header names
    // and hex.
    if !is_visible_ascii(params.access_key) || !scope.scope_is_text {
        return Err(SigningError::InvalidHeaderValue("access key"));
    }
    let signed_list = &creq[signed_from..signed_to];
    // Exactly the length written: `Bytes::from` then takes the buffer without another
    // allocation.
    let mut auth = Vec::with_capacity(
        ALGORITHM.len()
            + " Credential=".len()
            + params.access_key.len()
            + 1
            + scope.scope.len()
            + ", SignedHeaders=".len()
            + signed_list.len()
            + ", Signature=".len()
            + signature.len(),
    );
    auth.extend_from_slice(ALGORITHM.as_bytes());
    auth.extend_from_slice(b" Credential=");
    auth.extend_from_slice(params.access_key.as_bytes());
    auth.push(b'/');
    auth.extend_from_slice(scope.scope.as_bytes());
    auth.extend_from_slice(b", SignedHeaders=");
    auth.extend_from_slice(signed_list);
    auth.extend_from_slice(b", Signature=");
    auth.extend_from_slice(&signature);
    let mut auth = HeaderValue::from_maybe_shared(bytes::Bytes::from(auth))
        .map_err(|_| SigningError::InvalidHeaderValue("access key"))?;
    auth.set_sensitive(true);
    headers.insert(AUTHORIZATION, auth);
    if let (Some(value), true) = (token_value, settings.omit_session_token) {
        headers.insert(X_AMZ_SECURITY_TOKEN_NAME, value);
    }
    if let Some(out) = output {
        out.signed_headers = into_string(signed_list.to_vec());
        out.string_to_sign = into_string(creq[sts_from..].to_vec());
        out.signature = into_string(signature.to_vec());
        creq.truncate(sts_from);
        out.canonical_request = into_string(creq);
    }
    Ok(())
}

/// Presigns a request: the signature and credentials travel in the query string
/// (`X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`,
/// `X-Amz-SignedHeaders`, `X-Amz-Security-Token`, `X-Amz-Signature`) and
/// [`SigningOutput::presigned_uri`] is `uri` with them appended. Every header in `headers` is
/// signed (a `host` header is added from an absolute `uri` when missing) and must be sent
/// unchanged. The payload hash is the SHA-256 of `body`.
pub fn presign(
    method: &str,
    uri: &str,
    headers: &mut HeaderMap,
    body: &[u8],
    params: &SigningParams<'_>,
    expires_in: Duration,
) -> Result<SigningOutput, SigningError> {
    let parts = split_uri(uri)?;
    let settings = params.settings;
    let scope = Scope::new(params)?;
    ensure_host(headers, &parts)?;
    let signed = canonical::signed_headers(headers, &[X_AMZ_DATE, X_AMZ_SECURITY_TOKEN]);
    let mut signed_list = Vec::with_capacity(signed.len() * 16);
    canonical::push_signed_header_list(&mut signed_list, &signed);
    let signed_headers = into_string(signed_list);
    let mut credential = String::with_capacity(params.access_key.len() + 1 + scope.scope.len());
    credential.push_str(params.access_key);
    credential.push('/');
    credential.push_str(&scope.scope);
    let expires = expires_in.as_secs().to_string();

    let mut amz_params: Vec<(&str, &str)> = vec![
        ("X-Amz-Algorithm", ALGORITHM),
        ("X-Amz-Credential", &credential),
        ("X-Amz-Date", scope.date_str()),
        // Expires before SignedHeaders, as botocore and the official SDKs write them (the
        // order is not signed: the canonical query string is sorted).
        ("X-Amz-Expires", &expires),
        ("X-Amz-SignedHeaders", &signed_headers),
    ];
    if let (Some(token), false) = (params.session_token, settings.omit_session_token) {
        amz_params.push(("X-Amz-Security-Token", token));
    }
    let mut creq = Vec::with_capacity(512 + parts.path.len() + parts.query.len());
    creq.extend_from_slice(method.as_bytes());
    creq.push(b'\n');
    canonical::push_path(
        &mut creq,
        parts.path,
        settings.uri_path_normalization,
        settings.double_uri_encode,
    );
    creq.push(b'\n');
    canonical::push_query(&mut creq, parts.query, &amz_params);
    creq.push(b'\n');
    canonical::push_headers(&mut creq, &signed);
    drop(signed);
    creq.push(b'\n');
    creq.extend_from_slice(signed_headers.as_bytes());
    creq.push(b'\n');
    // S3-style signing presigns with an unsigned payload (the URL's holder chooses the body).
    if settings.content_sha256_header {
        creq.extend_from_slice(UNSIGNED_PAYLOAD.as_bytes());
    } else {
        creq.extend_from_slice(sha256_hex(body).as_bytes());
    }
    let (string_to_sign, signature) = scope.finish(&creq);

    if let (Some(token), true) = (params.session_token, settings.omit_session_token) {
        amz_params.push(("X-Amz-Security-Token", token));
    }
    amz_params.push(("X-Amz-Signature", &signature));
    let base = uri.split('#').next().unwrap_or(uri);
    let mut presigned = Vec::with_capacity(base.len() + 512);
    presigned.extend_from_slice(base.as_bytes());
    let mut separator = if parts.query.is_empty() {
        if base.ends_with('?') {
            None
        } else {
            Some(b'?')
        }
    } else if base.ends_with('&') {
        None
    } else {
        Some(b'&')
    };
    for (name, value) in &amz_params {
        if let Some(sep) = separator {
            presigned.push(sep);
        }
        separator = Some(b'&');
        canonical::push_encoded(&mut presigned, name.as_bytes(), false, false);
        presigned.push(b'=');
        canonical::push_encoded(&mut presigned, value.as_bytes(), false, false);
    }
    Ok(SigningOutput {
        canonical_request: into_string(creq),
        string_to_sign,
        signature,
        signed_headers,
        presigned_uri: into_string(presigned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The former `split_uri` (`char` searches), kept as the oracle of the byte scanner.
    fn split_uri_reference(uri: &str) -> Option<(Option<&str>, Option<&str>, &str, &str)> {
        let uri = uri.find('#').map_or(uri, |end| &uri[..end]);
        let scheme_end = uri.as_bytes().windows(3).position(|w| w == b"://");
        let (authority, default_port, rest) = match scheme_end {
            Some(i) if !uri[..i].contains(['/', '?']) => {
                let scheme = &uri[..i];
                let rest = &uri[i + 3..];
                let default_port = if scheme.eq_ignore_ascii_case("https") {
                    Some("443")
                } else if scheme.eq_ignore_ascii_case("http") {
                    Some("80")
                } else {
                    None
                };
                let end = rest.find(['/', '?']).unwrap_or(rest.len());
                let authority = &rest[..end];
                let authority = authority
                    .rfind('@')
                    .map_or(authority, |at| &authority[at + 1..]);
                if authority.is_empty() {
                    return None;
                }
                (Some(authority), default_port, &rest[end..])
            }
            _ => (None, None, uri),
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        Some((authority, default_port, path, query))
    }

    #[test]
    fn split_uri_matches_the_char_search_it_replaced() {
        let mut uris: Vec<String> = [
            "https://secretsmanager.us-east-1.amazonaws.com/",
            "http://127.0.0.1:8080/a/b?x=1&y",
            "https://user:pw@h:443/p?q#frag",
            "https://a@b@h/p",
            "http://h",
            "http://h?x",
            "http://h#f",
            "HTTPS://H:443/",
            "ftp://h/x",
            "/path/only?q=1",
            "/a://b",
            "?q://x",
            "a:b://h/p",
            "a/b://h/p",
            "http://",
            "http://@/p",
            "http:///p",
            "://h/p",
            "http://[::1]:8443/x?y=%20",
            "https://h/\u{e9}t\u{e9}?\u{fc}=1",
            "",
            "#",
            "http:/h/p",
            "http:h//p",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Every prefix of the tricky ones too.
        for base in ["https://u@h:1/p?q#f", "a:b://h/p?x", "http://[::1]/?a"] {
            for (i, _) in base.char_indices() {
                uris.push(base[..i].to_string());
            }
        }
        for uri in &uris {
            let got = split_uri(uri)
                .ok()
                .map(|p| (p.authority, p.default_port, p.path, p.query));
            assert_eq!(got, split_uri_reference(uri), "{uri:?}");
        }
    }
    use std::time::UNIX_EPOCH;

    fn params<'a>(token: Option<&'a str>) -> SigningParams<'a> {
        SigningParams {
            access_key: "AKIDEXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            session_token: token,
            region: "us-east-1",
            service: "service",
            time: UNIX_EPOCH + Duration::from_secs(1_440_938_160),
            settings: SigningSettings::default(),
        }
    }

    #[test]
    fn host_from_absolute_uri_drops_default_port() {
        let mut headers = HeaderMap::new();
        sign(
            "GET",
            "https://example.amazonaws.com:443/",
            &mut headers,
            b"",
            &params(None),
        )
        .unwrap();
        assert_eq!(headers["host"], "example.amazonaws.com");
        let mut headers = HeaderMap::new();
        sign(
            "GET",
            "http://127.0.0.1:8080/x?a=b",
            &mut headers,
            b"",
            &params(None),
        )
        .unwrap();
        assert_eq!(headers["host"], "127.0.0.1:8080");
    }

    #[test]
    fn sign_headers_sets_what_sign_sets() {
        let uris = [
            "https://example.amazonaws.com/",
            "HTTPS://example.amazonaws.com:443/a/./b/../c?z=1&a=2#frag",
            "http://user@127.0.0.1:8080/x%2Fy?a=b",
            "/path?q=1",
        ];
        for uri in uris {
            for (token, omit, s3) in [
                (None, false, false),
                (Some("tok"), false, true),
                (Some("tok"), true, false),
            ] {
                let mut p = params(token);
                p.settings.omit_session_token = omit;
                p.settings.content_sha256_header = s3;
                p.settings.uri_path_normalization = !s3;
                p.settings.double_uri_encode = !s3;
                let mut base = HeaderMap::new();
                base.insert("host", HeaderValue::from_static("h.example"));
                base.append("x-amz-meta", HeaderValue::from_static("  a   b "));
                base.append("x-amz-meta", HeaderValue::from_static("c"));
                base.insert("user-agent", HeaderValue::from_static("ua"));
                let mut a = base.clone();
                let mut b = base.clone();
                let out = sign("PUT", uri, &mut a, b"body", &p).unwrap();
                sign_headers("PUT", uri, &mut b, b"body", &p).unwrap();
                assert_eq!(a, b, "{uri}");
                let auth = a["authorization"].to_str().unwrap();
                assert!(auth.ends_with(&format!("Signature={}", out.signature)));
                assert!(auth.contains(&format!("SignedHeaders={},", out.signed_headers)));
                assert!(out.canonical_request.contains("x-amz-meta:a b,c\n"));
                assert!(out
                    .string_to_sign
                    .starts_with("AWS4-HMAC-SHA256\n20150830T123600Z\n"));
                assert_eq!(
                    out.string_to_sign.rsplit('\n').next().unwrap(),
                    sha256_hex(out.canonical_request.as_bytes())
                );
            }
        }
    }

    #[test]
    fn non_ascii_access_key_is_rejected_as_before() {
        let mut headers = HeaderMap::new();
        let mut p = params(None);
        p.access_key = "AKID\u{e9}";
        assert_eq!(
            sign_headers("GET", "https://h/", &mut headers, b"", &p),
            Err(SigningError::InvalidHeaderValue("access key"))
        );
    }

    #[test]
    fn relative_uri_without_host_is_an_error() {
        let mut headers = HeaderMap::new();
        assert_eq!(
            sign("GET", "/", &mut headers, b"", &params(None)),
            Err(SigningError::MissingHost)
        );
    }

    #[test]
    fn resigning_replaces_previous_signature() {
        let mut headers = HeaderMap::new();
        let first = sign(
            "GET",
            "https://example.amazonaws.com/",
            &mut headers,
            b"",
            &params(Some("tok")),
        )
        .unwrap();
        let second = sign(
            "GET",
            "https://example.amazonaws.com/",
            &mut headers,
            b"",
            &params(Some("tok")),
        )
        .unwrap();
        assert_eq!(first, second);
        assert_eq!(headers.get_all("authorization").iter().count(), 1);
        assert_eq!(headers.get_all(X_AMZ_SECURITY_TOKEN).iter().count(), 1);
    }

    #[test]
    fn user_agent_is_not_signed() {
        let mut headers = HeaderMap::new();
        headers.insert("user-agent", HeaderValue::from_static("x"));
        let out = sign(
            "GET",
            "https://example.amazonaws.com/",
            &mut headers,
            b"",
            &params(None),
        )
        .unwrap();
        assert_eq!(out.signed_headers, "host;x-amz-date");
        assert_eq!(
            out.signature,
            "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"
        );
    }

    #[test]
    fn the_signature_and_the_token_are_sensitive_headers() {
        let mut headers = HeaderMap::new();
        sign(
            "GET",
            "https://example.amazonaws.com/",
            &mut headers,
            b"",
            &params(Some("the-session-token")),
        )
        .unwrap();
        assert!(headers["authorization"].is_sensitive());
        assert!(headers[X_AMZ_SECURITY_TOKEN].is_sensitive());
        assert!(!headers["x-amz-date"].is_sensitive());
        let text = format!("{headers:?}");
        assert!(
            !text.contains("Signature=") && !text.contains("the-session-token"),
            "{text}"
        );
    }

    #[test]
    fn debug_redacts_secret() {
        let text = format!("{:?}", params(Some("tok")));
        assert!(!text.contains("wJalr") && !text.contains("tok\""), "{text}");
    }

    #[test]
    fn time_out_of_range_is_an_error() {
        let mut p = params(None);
        p.time = UNIX_EPOCH - Duration::from_secs(1);
        let mut headers = HeaderMap::new();
        assert_eq!(
            sign("GET", "https://h/", &mut headers, b"", &p),
            Err(SigningError::TimeOutOfRange)
        );
    }
}
