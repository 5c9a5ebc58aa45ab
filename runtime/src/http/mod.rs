//! HTTP request/response types, the [`Transport`] trait and the default transport (HTTP/1.1 of
//! the runtime's own over rustls, [`HyperTransport`]).
//!
//! The request pipeline ([`crate::client::ClientHandle::call`]) builds an [`HttpRequest`], hands it
//! to a [`Transport`] together with the per-attempt [`AttemptTimeouts`] and gets back a fully read
//! [`HttpResponse`] or a classified [`TransportError`].

mod ca_bundle;
pub(crate) mod h1;
mod hyper_transport;
mod low_water;
mod mlkem;
mod pool;
mod pq;
mod proxy;
mod target;
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
pub(crate) use target::{Origin, Target};
pub use tls::{crypto_provider, CIPHER_SUITES};
pub use tls_error::TlsErrorKind;

/// A boxed, sendable future (the runtime does not depend on the `futures` crate).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An outgoing request: method, absolute URI, headers and a fully buffered body.
#[derive(Clone)]
pub struct HttpRequest {
    /// The HTTP method.
    pub method: http::Method,
    /// Absolute URI (`https://host[:port]/path?query`).
    pub uri: String,
    /// Request headers. A transport adds `host` and `content-length` when they are missing.
    pub headers: HeaderMap,
    /// The request body.
    pub body: Bytes,
    /// The parsed origin of the endpoint `uri` was built on (the client's, parsed once), so
    /// that [`HyperTransport`] parses only the path. Used only while `uri` still starts with
    /// it; not part of the request's identity (equality, `Debug`).
    pub(crate) origin: Option<std::sync::Arc<Origin>>,
}

impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpRequest")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("headers", &self.headers)
            .field("body", &self.body)
            .finish()
    }
}

impl PartialEq for HttpRequest {
    fn eq(&self, other: &HttpRequest) -> bool {
        self.method == other.method
            && self.uri == other.uri
            && self.headers == other.headers
            && self.body == other.body
    }
}

impl Eq for HttpRequest {}

impl HttpRequest {
    /// A request with no headers.
    pub fn new(method: http::Method, uri: impl Into<String>, body: impl Into<Bytes>) -> Self {
        HttpRequest {
            method,
            uri: uri.into(),
            headers: HeaderMap::new(),
            body: body.into(),
            origin: None,
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

#[cfg(test)]
mod tests {
    use super::*;

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
