//! HTTP request/response types, the [`Transport`] trait and the default hyper + rustls transport.
//!
//! The request pipeline ([`crate::client::ClientHandle::call`]) builds an [`HttpRequest`], hands it
//! to a [`Transport`] together with the per-attempt [`AttemptTimeouts`] and gets back a fully read
//! [`HttpResponse`] or a classified [`TransportError`].

mod ca_bundle;
mod hyper_transport;
mod mlkem;
mod pool;
mod pq;
mod proxy;
mod tls;
mod tls_error;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use bytes::Bytes;
use http::HeaderMap;

pub use ca_bundle::{CaBundle, CaBundleError};
pub use hyper_transport::{HyperTransport, HyperTransportBuilder};
pub use proxy::{ProxyConfig, ProxyError};
/// The rustls crate this runtime uses (for [`HyperTransportBuilder::tls_config`] and for
/// inspecting the [`rustls::Error`] behind a [`TransportErrorKind::Tls`] failure).
pub use rustls;
pub use tls::crypto_provider;
pub use tls_error::TlsErrorKind;

/// A boxed, sendable future (the runtime does not depend on the `futures` crate).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An outgoing request: method, absolute URI, headers and a fully buffered body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: http::Method,
    /// Absolute URI (`https://host[:port]/path?query`).
    pub uri: String,
    /// Request headers. A transport adds `host` and `content-length` when they are missing.
    pub headers: HeaderMap,
    /// The request body.
    pub body: Bytes,
}

impl HttpRequest {
    /// A request with no headers.
    pub fn new(method: http::Method, uri: impl Into<String>, body: impl Into<Bytes>) -> Self {
        HttpRequest {
            method,
            uri: uri.into(),
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// The value of header `name` if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A response whose body has been read completely.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Response headers.
    pub headers: HeaderMap,
    /// The complete response body.
    pub body: Bytes,
}

impl HttpResponse {
    /// A response with the given status and body and no headers.
    pub fn new(status: u16, body: impl Into<Bytes>) -> Self {
        HttpResponse {
            status,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    /// Adds a header (builder style). Invalid names or values are ignored.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(value),
        ) {
            self.headers.append(n, v);
        }
        self
    }

    /// `true` for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The value of header `name` (case-insensitive) if present and valid UTF-8.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// Timeouts a transport applies within one attempt.
///
/// The attempt and operation timeouts are enforced by the pipeline around [`Transport::send`];
/// these are the ones only the transport can see.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AttemptTimeouts {
    /// Limit for establishing a connection (TCP connect plus TLS handshake).
    pub connect: Option<Duration>,
    /// Limit for each wait on the server while reading the response: until the response head
    /// arrives and then between body chunks, so a body that stalls midway times out.
    pub read: Option<Duration>,
}

/// Sends requests. Implemented by [`HyperTransport`] and by test doubles.
pub trait Transport: Send + Sync + fmt::Debug + 'static {
    /// Sends `req` and reads the whole response, honouring `timeouts`.
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>>;

    /// Sends `req` and returns as soon as the response head has arrived: the head (its `body`
    /// empty) and the body as a stream read while the caller consumes it (each wait bounded by
    /// `timeouts.read`). The default reads the whole response with [`send`](Self::send) and
    /// streams it from memory; [`HyperTransport`] streams from the connection.
    fn send_streaming(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<(HttpResponse, crate::types::ByteStream), TransportError>> {
        let whole = self.send(req, timeouts);
        Box::pin(async move {
            let mut resp = whole.await?;
            let body = std::mem::take(&mut resp.body);
            Ok((resp, crate::types::ByteStream::new(body)))
        })
    }

    /// Sends `req` (its `body` ignored) with the chunks of `body` as the request body, sent as
    /// they come, and returns at the response head like [`send_streaming`](Self::send_streaming)
    /// (event streams). The default waits for the whole body (the channel closing) and then
    /// calls [`send_streaming`](Self::send_streaming): right for test transports and for
    /// streams that end on their own; [`HyperTransport`] sends each chunk at once.
    fn send_duplex<'a>(
        &'a self,
        req: HttpRequest,
        body: BodyChannel,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'a, Result<(HttpResponse, crate::types::ByteStream), TransportError>> {
        let mut req = req;
        let mut body = body;
        let timeouts = *timeouts;
        Box::pin(async move {
            let mut all = Vec::new();
            while let Some(chunk) = body.recv().await {
                all.extend_from_slice(&chunk);
            }
            req.body = all.into();
            self.send_streaming(req, &timeouts).await
        })
    }

    /// Sends `req` over HTTP/2, its body the chunks of `body` as they come (or `req.body` when
    /// `body` is `None`), and returns at the response head (event streams of services that
    /// require HTTP/2). The default uses [`send_duplex`](Self::send_duplex) or
    /// [`send_streaming`](Self::send_streaming) (HTTP/1.1); [`HyperTransport`] speaks HTTP/2
    /// when the runtime is built with its `http2` feature.
    fn send_http2<'a>(
        &'a self,
        req: HttpRequest,
        body: Option<BodyChannel>,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'a, Result<(HttpResponse, crate::types::ByteStream), TransportError>> {
        match body {
            Some(body) => self.send_duplex(req, body, timeouts),
            None => self.send_streaming(req, timeouts),
        }
    }
}

/// The body of a request sent while its response is read: chunks, in order, until every
/// sender is dropped.
pub type BodyChannel = tokio::sync::mpsc::Receiver<Bytes>;

/// Which phase of a request timed out inside the transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportTimeout {
    /// Connecting (TCP + TLS) took longer than [`AttemptTimeouts::connect`].
    Connect,
    /// The server sent nothing for [`AttemptTimeouts::read`].
    Read,
}

/// The class of a [`TransportError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportErrorKind {
    /// Could not connect (refused, unreachable, DNS failure). Retryable.
    Connect,
    /// TLS failure (bad certificate, handshake rejected). Not retryable.
    Tls,
    /// The connection broke during the exchange: reset, closed early, truncated response. Retryable.
    Io,
    /// A transport timeout. Retryable.
    Timeout(TransportTimeout),
    /// Anything else: malformed response, body too large, invalid request. Not retryable.
    Other,
}

/// A failure to exchange a request and response with the server.
#[derive(Debug)]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    target: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl TransportError {
    /// A new error of `kind` with a short lowercase description such as "connection refused".
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> Self {
        TransportError {
            kind,
            message: message.into(),
            target: None,
            source: None,
        }
    }

    /// Attaches the underlying cause.
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        self.source = Some(source.into());
        self
    }

    /// Attaches the target (`scheme://host:port`) shown in the message.
    pub fn with_target(mut self, target: impl Into<String>) -> Self {
        self.target = Some(target.into());
        self
    }

    /// The class of the error.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The short description, without target.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The target the request went to, when known.
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }

    /// `true` when retrying the request may succeed (connect, I/O and timeout failures).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind,
            TransportErrorKind::Connect | TransportErrorKind::Io | TransportErrorKind::Timeout(_)
        )
    }

    /// `true` for [`TransportErrorKind::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self.kind, TransportErrorKind::Timeout(_))
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(source) = &self.source {
            let s = source.to_string();
            if !s.is_empty() && s != self.message {
                write!(f, ": {s}")?;
            }
        }
        if let Some(t) = &self.target {
            write!(f, " ({t})")?;
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Splits an absolute `http`/`https` URI into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Target {
    pub https: bool,
    pub host: String,
    pub port: u16,
    /// `/path?query`, never empty.
    pub path_and_query: String,
}

thread_local! {
    /// The last URI without path or query [`Target::parse`] parsed on this thread and its
    /// result: a client sends request after request to one endpoint, and parsing is a pure
    /// function of the URI.
    static LAST_TARGET: std::cell::RefCell<Option<(String, Target)>> =
        const { std::cell::RefCell::new(None) };
}

impl Target {
    /// Parses an absolute `http`/`https` URI (from the last parse on this thread when `uri` is
    /// the same).
    pub(crate) fn parse(uri: &str) -> Result<Target, TransportError> {
        let cached = LAST_TARGET.with(|last| match &*last.borrow() {
            Some((u, t)) if u == uri => Some(t.clone()),
            _ => None,
        });
        if let Some(target) = cached {
            return Ok(target);
        }
        let target = Target::parse_uncached(uri)?;
        // Only a URI without path or query (every RPC-style request of an endpoint): a REST
        // request's path changes from call to call, and no request data is kept.
        if target.path_and_query == "/" {
            LAST_TARGET.with(|last| *last.borrow_mut() = Some((uri.to_owned(), target.clone())));
        }
        Ok(target)
    }

    fn parse_uncached(uri: &str) -> Result<Target, TransportError> {
        let bad = |why: &str| {
            TransportError::new(
                TransportErrorKind::Other,
                format!("invalid request URI {uri:?}: {why}"),
            )
        };
        let parsed: http::Uri = uri.parse().map_err(|_| bad("not a URI"))?;
        let https = match parsed.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            _ => return Err(bad("scheme must be http or https")),
        };
        let host = parsed.host().ok_or_else(|| bad("no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        if host.is_empty() {
            return Err(bad("empty host"));
        }
        let port = parsed.port_u16().unwrap_or(if https { 443 } else { 80 });
        let path_and_query = parsed
            .path_and_query()
            .map(|p| p.as_str())
            .filter(|p| !p.is_empty())
            .unwrap_or("/");
        let path_and_query = if path_and_query.starts_with('/') {
            path_and_query.to_string()
        } else {
            format!("/{path_and_query}")
        };
        Ok(Target {
            https,
            host,
            port,
            path_and_query,
        })
    }

    /// `scheme://host:port`, used in messages and as the pool key display.
    pub(crate) fn origin(&self) -> String {
        let scheme = if self.https { "https://" } else { "http://" };
        let mut out = String::with_capacity(scheme.len() + self.host.len() + 8);
        out.push_str(scheme);
        self.push_host(&mut out);
        out.push(':');
        push_port(&mut out, self.port);
        out
    }

    /// The host, in brackets when it is an IPv6 address.
    fn host_for_header(&self) -> String {
        let mut out = String::with_capacity(self.host.len() + 2);
        self.push_host(&mut out);
        out
    }

    /// Appends the host, in brackets when it is an IPv6 address.
    fn push_host(&self, out: &mut String) {
        if self.host.contains(':') {
            out.push('[');
            out.push_str(&self.host);
            out.push(']');
        } else {
            out.push_str(&self.host);
        }
    }

    /// The `Host` header value: the port is left out when it is the scheme's default.
    pub(crate) fn host_header(&self) -> String {
        let default = if self.https { 443 } else { 80 };
        let mut out = String::with_capacity(self.host.len() + 8);
        self.push_host(&mut out);
        if self.port != default {
            out.push(':');
            push_port(&mut out, self.port);
        }
        out
    }
}

/// Appends the decimal digits of `port`.
fn push_port(out: &mut String, port: u16) {
    let mut digits = [0u8; 5];
    let mut i = digits.len();
    let mut n = port;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_parses_defaults_and_ports() {
        let t = Target::parse("https://example.com").unwrap();
        assert!(t.https);
        assert_eq!(t.port, 443);
        assert_eq!(t.path_and_query, "/");
        assert_eq!(t.host_header(), "example.com");
        let t = Target::parse("http://127.0.0.1:8080/a/b?x=1").unwrap();
        assert!(!t.https);
        assert_eq!(t.port, 8080);
        assert_eq!(t.path_and_query, "/a/b?x=1");
        assert_eq!(t.host_header(), "127.0.0.1:8080");
        assert_eq!(t.origin(), "http://127.0.0.1:8080");
        let t = Target::parse("http://[::1]:9/").unwrap();
        assert_eq!(t.host, "::1");
        assert_eq!(t.host_header(), "[::1]:9");
    }

    #[test]
    fn repeated_parse_matches_a_fresh_one() {
        for uri in [
            "http://127.0.0.1:8080",
            "http://127.0.0.1:8080",
            "https://[::1]/",
            "https://[::1]/",
            "https://example.com:443/",
            "http://127.0.0.1:8080",
            "http://127.0.0.1:0/",
            "https://h:65535/a?b",
            "https://h:65535/a?b",
        ] {
            let t = Target::parse(uri).unwrap();
            assert_eq!(t, Target::parse_uncached(uri).unwrap(), "{uri}");
            assert_eq!(t, Target::parse(uri).unwrap(), "{uri}");
        }
        let t = Target::parse("https://example.com:443/").unwrap();
        assert_eq!(t.origin(), "https://example.com:443");
        assert_eq!(t.host_header(), "example.com");
        let t = Target::parse("http://127.0.0.1:0/").unwrap();
        assert_eq!(t.origin(), "http://127.0.0.1:0");
        assert_eq!(t.host_header(), "127.0.0.1:0");
        let t = Target::parse("https://[::1]/").unwrap();
        assert_eq!(t.origin(), "https://[::1]:443");
        assert_eq!(t.host_for_header(), "[::1]");
        // A bad URI after a cached good one still fails.
        assert!(Target::parse("ftp://127.0.0.1:8080").is_err());
    }

    #[test]
    fn target_rejects_bad_uris() {
        for bad in ["ftp://x/", "/relative", "", "http://"] {
            let e = Target::parse(bad).unwrap_err();
            assert_eq!(e.kind(), TransportErrorKind::Other, "{bad}");
            assert!(!e.is_retryable());
        }
    }

    #[test]
    fn retryability_by_kind() {
        let k = |kind| TransportError::new(kind, "x").is_retryable();
        assert!(k(TransportErrorKind::Connect));
        assert!(k(TransportErrorKind::Io));
        assert!(k(TransportErrorKind::Timeout(TransportTimeout::Read)));
        assert!(!k(TransportErrorKind::Tls));
        assert!(!k(TransportErrorKind::Other));
    }

    #[test]
    fn display_includes_target() {
        let e = TransportError::new(TransportErrorKind::Connect, "connection refused")
            .with_target("http://127.0.0.1:1");
        assert_eq!(e.to_string(), "connection refused (http://127.0.0.1:1)");
    }

    #[test]
    fn response_helpers() {
        let r = HttpResponse::new(204, "").with_header("X-Amzn-RequestId", "abc");
        assert!(r.is_success());
        assert_eq!(r.header("x-amzn-requestid"), Some("abc"));
        assert!(!HttpResponse::new(400, "").is_success());
    }
}
