//! The default [`Transport`]: HTTP/1.1 connections of the runtime's own ([`super::h1`]) over
//! tokio TCP, TLS through rustls (the crypto provider of [`super::tls`]: post-quantum hybrid key
//! exchange first, platform root certificates), with a keep-alive pool. HTTP/2 (feature
//! `http2`, for the event streams that need it) goes through hyper.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
#[cfg(feature = "http2")]
use hyper::body::{Body, Incoming};
#[cfg(feature = "http2")]
use hyper_util::rt::TokioIo;
use tokio::io::AsyncWriteExt;

use super::h1::{self, Conn, Framing, Head, Stream};
use super::pool::{Grant, Pool, PoolKey, Slot};
use super::tls::{self, Roots};
use super::{
    AttemptTimeouts, BoxFuture, CaBundle, HttpRequest, HttpResponse, ProxyConfig, Target,
    Transport, TransportError, TransportErrorKind, TransportTimeout,
};
use crate::observability::http::HttpMetrics;
use crate::observability::MeterProvider;
use crate::types::{ByteStream, ByteStreamError, ChunkSource};

/// Default limit for a response body: 64 MiB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 64 * 1024 * 1024;
const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(45);
const DEFAULT_MAX_IDLE_PER_HOST: usize = 32;
/// Default bound on the connections open to one origin (the figure the AWS SDKs for Java 2.x
/// and JavaScript 3.x use).
const DEFAULT_MAX_CONNECTIONS_PER_HOST: usize = 50;

/// The default transport: HTTP/1.1 of the runtime's own with a connection pool (HTTP/2 for the
/// event streams that need it through hyper, feature `http2`; the name is from when hyper carried
/// HTTP/1.1 too). Cheap to clone (clones share the pool).
///
/// `https` uses rustls with the platform's root certificates (loaded on first use) and offers the
/// hybrid post-quantum key exchange X25519MLKEM768 first ([`crypto_provider`](super::crypto_provider));
/// plain `http` is supported for explicit endpoints such as local test servers.
#[derive(Clone)]
pub struct HyperTransport {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    max_body_size: usize,
    tls: OnceLock<Result<Arc<rustls::ClientConfig>, String>>,
    roots: Roots,
    post_quantum: bool,
    proxy: ProxyConfig,
    /// The HTTP instruments, when built with a meter provider.
    metrics: Option<Arc<HttpMetrics>>,
    /// The TLS settings with ALPN `h2`, made on the first HTTP/2 exchange.
    #[cfg(feature = "http2")]
    tls_h2: OnceLock<Result<Arc<rustls::ClientConfig>, String>>,
}

impl fmt::Debug for HyperTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HyperTransport")
            .field("max_body_size", &self.inner.max_body_size)
            .field(
                "max_connections_per_host",
                &self.inner.pool.max_open_per_host(),
            )
            .field("proxy", &self.inner.proxy)
            .finish_non_exhaustive()
    }
}

impl Default for HyperTransport {
    fn default() -> Self {
        HyperTransport::new()
    }
}

/// Settings for a [`HyperTransport`].
#[derive(Clone, Debug)]
pub struct HyperTransportBuilder {
    max_body_size: usize,
    idle_timeout: Duration,
    max_idle_per_host: usize,
    max_connections_per_host: usize,
    tls: Option<Arc<rustls::ClientConfig>>,
    roots: Roots,
    post_quantum: bool,
    proxy: ProxyConfig,
    meter_provider: Option<Arc<dyn MeterProvider>>,
}

impl Default for HyperTransportBuilder {
    fn default() -> Self {
        HyperTransportBuilder {
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            max_idle_per_host: DEFAULT_MAX_IDLE_PER_HOST,
            max_connections_per_host: DEFAULT_MAX_CONNECTIONS_PER_HOST,
            tls: None,
            roots: Roots::Platform,
            post_quantum: true,
            proxy: ProxyConfig::disabled(),
            meter_provider: None,
        }
    }
}

impl HyperTransportBuilder {
    /// Largest accepted response body in bytes (default 64 MiB); larger bodies fail with
    /// [`TransportErrorKind::Other`].
    pub fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// How long an unused connection stays in the pool (default 45 s).
    pub fn pool_idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// Most idle connections kept per origin (default 32; 0 disables reuse).
    pub fn max_idle_per_host(mut self, n: usize) -> Self {
        self.max_idle_per_host = n;
        self
    }

    /// Most connections open at once to one origin (scheme, host and port), in use or idle
    /// (default 50, as in the AWS SDKs for Java 2.x and JavaScript 3.x; `0` is taken as 1,
    /// `usize::MAX` lifts the bound).
    ///
    /// A request that finds every connection busy waits until one comes back from another
    /// request or one closes, in the order the requests arrived; nothing polls while it waits.
    /// The wait counts against the call's attempt and operation timeouts, not the connect
    /// timeout. A connection that fails or is closed by the server frees its place. Event
    /// streams (`send_duplex`, `send_http2`) open connections of their own outside the bound.
    pub fn max_connections_per_host(mut self, n: usize) -> Self {
        self.max_connections_per_host = n;
        self
    }

    /// Offers the hybrid post-quantum key exchange X25519MLKEM768 first (default `true`).
    ///
    /// `false` offers only the classical groups (X25519, secp256r1, secp384r1): for a peer or
    /// middlebox that cannot handle the larger ClientHello, or a policy that forbids ML-KEM.
    /// Servers without post-quantum support connect either way (they pick X25519, whose key
    /// share is sent beside the hybrid one). Ignored when [`tls_config`](Self::tls_config) is set.
    pub fn post_quantum(mut self, on: bool) -> Self {
        self.post_quantum = on;
        self
    }

    /// Trusts only these root certificates (DER), instead of the platform's: for a private CA or
    /// a local test server. Ignored when [`tls_config`](Self::tls_config) is set.
    pub fn root_certificates<I, C>(mut self, certs: I) -> Self
    where
        I: IntoIterator<Item = C>,
        C: Into<Vec<u8>>,
    {
        self.roots = Roots::Only(
            certs
                .into_iter()
                .map(|c| rustls::pki_types::CertificateDer::from(c.into()))
                .collect(),
        );
        self
    }

    /// Trusts only the certificate authorities of `bundle` (a PEM file such as `AWS_CA_BUNDLE`
    /// names), instead of the platform's. Ignored when [`tls_config`](Self::tls_config) is set.
    pub fn ca_bundle(mut self, bundle: CaBundle) -> Self {
        self.roots = Roots::Only(bundle.into_certs());
        self
    }

    /// Sends requests through the proxies of `proxy` (default: none; the transport reads no
    /// environment variable itself, [`ProxyConfig::from_env`] does): `https` through a
    /// `CONNECT` tunnel with TLS end to end inside it, `http` forwarded in absolute form.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = proxy;
        self
    }

    /// Uses this rustls configuration as it is, instead of one built from the settings above.
    /// Build it with [`crypto_provider`](super::crypto_provider) to keep the post-quantum key
    /// exchange.
    pub fn tls_config(mut self, config: Arc<rustls::ClientConfig>) -> Self {
        self.tls = Some(config);
        self
    }

    /// Records the HTTP instruments (connection acquisition, connections by state, connection
    /// lifetime, bytes sent and received: see [`crate::observability::conventions`]) through
    /// `provider`. The default transport of a configuration gets the configuration's provider
    /// (or the global one) when the configuration is built.
    pub fn meter_provider(mut self, provider: Arc<dyn MeterProvider>) -> Self {
        self.meter_provider = Some(provider);
        self
    }

    /// Builds the transport.
    pub fn build(self) -> HyperTransport {
        let tls = OnceLock::new();
        if let Some(cfg) = self.tls {
            let _ = tls.set(Ok(cfg));
        }
        let metrics = self
            .meter_provider
            .as_deref()
            .map(|p| Arc::new(HttpMetrics::new(p)));
        let inner = Arc::new(Inner {
            pool: Pool::new(
                self.idle_timeout,
                self.max_idle_per_host,
                self.max_connections_per_host,
            ),
            max_body_size: self.max_body_size,
            tls,
            roots: self.roots,
            post_quantum: self.post_quantum,
            proxy: self.proxy,
            metrics,
            #[cfg(feature = "http2")]
            tls_h2: OnceLock::new(),
        });
        if let Some(m) = &inner.metrics {
            let transport = Arc::downgrade(&inner);
            m.observe_usage(move || transport.upgrade().map(|i| i.pool.idle_count()));
        }
        HyperTransport { inner }
    }
}

impl HyperTransport {
    /// A transport with default settings.
    pub fn new() -> Self {
        HyperTransportBuilder::default().build()
    }

    /// Settings for a transport.
    pub fn builder() -> HyperTransportBuilder {
        HyperTransportBuilder::default()
    }

    /// Number of idle pooled connections (for diagnostics and tests).
    pub fn idle_connections(&self) -> usize {
        self.inner.pool.idle_count()
    }
}

impl Transport for HyperTransport {
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let inner = Arc::clone(&self.inner);
        let timeouts = *timeouts;
        Box::pin(to_target(req, move |req, target| async move {
            inner.send(req, target, timeouts).await
        }))
    }

    fn send_streaming(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<(HttpResponse, ByteStream), TransportError>> {
        let inner = Arc::clone(&self.inner);
        let timeouts = *timeouts;
        Box::pin(to_target(req, move |req, target| async move {
            Inner::send_streaming(inner, req, target, timeouts).await
        }))
    }

    fn send_duplex<'a>(
        &'a self,
        req: HttpRequest,
        body: super::BodyChannel,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'a, Result<(HttpResponse, ByteStream), TransportError>> {
        let inner = Arc::clone(&self.inner);
        let timeouts = *timeouts;
        Box::pin(to_target(req, move |req, target| async move {
            Inner::send_duplex(inner, req, body, target, timeouts).await
        }))
    }

    #[cfg(feature = "http2")]
    fn send_http2<'a>(
        &'a self,
        req: HttpRequest,
        body: Option<super::BodyChannel>,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'a, Result<(HttpResponse, ByteStream), TransportError>> {
        let inner = Arc::clone(&self.inner);
        let timeouts = *timeouts;
        Box::pin(to_target(req, move |req, target| async move {
            Inner::send_h2(inner, req, body, target, timeouts).await
        }))
    }
}

/// A request body sent as its chunks arrive on a channel (an input event stream), with
/// chunked transfer encoding.
#[cfg(feature = "http2")]
struct ChannelBody(super::BodyChannel);

#[cfg(feature = "http2")]
impl Body for ChannelBody {
    type Data = Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<hyper::body::Frame<Bytes>, Self::Error>>> {
        self.0
            .poll_recv(cx)
            .map(|chunk| chunk.map(|b| Ok(hyper::body::Frame::data(b))))
    }
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The response body of an HTTP/1.1 duplex exchange, read from a connection of its own (closed,
/// and the request body's writer stopped, when the body is dropped).
struct DuplexBody {
    conn: h1::Conn<tokio::io::ReadHalf<Stream>>,
    framing: Framing,
    _writer: AbortOnDrop,
}

impl ChunkSource for DuplexBody {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        let this = &mut *self;
        match this.conn.poll_body(cx, &mut this.framing) {
            Poll::Ready(Ok(piece)) => Poll::Ready(piece.map(Ok)),
            Poll::Ready(Err(e)) => {
                this.framing = Framing::Done;
                Poll::Ready(Some(Err(ByteStreamError::new(
                    "the response stream broke off",
                    Some(Box::new(e)),
                ))))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

/// The response body of an HTTP/2 exchange, on a connection of its own (closed when the body
/// is dropped or has ended).
#[cfg(feature = "http2")]
struct H2Body {
    body: Incoming,
    /// The connection's request sender, kept while the response is read.
    _sender: Box<dyn std::any::Any + Send + Sync>,
    /// The task driving the connection, stopped with the body.
    _connection: AbortOnDrop,
}

#[cfg(feature = "http2")]
impl ChunkSource for H2Body {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        loop {
            match Pin::new(&mut self.body).poll_frame(cx) {
                Poll::Ready(Some(Ok(frame))) => match frame.into_data() {
                    Ok(data) if !data.is_empty() => return Poll::Ready(Some(Ok(data))),
                    _ => continue,
                },
                Poll::Ready(Some(Err(e))) => {
                    return Poll::Ready(Some(Err(ByteStreamError::new(
                        "the response stream broke off",
                        Some(Box::new(map_hyper_error(e))),
                    ))))
                }
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}

/// Drives an HTTP/2 connection on its own task (aborted when its response body is dropped).
#[cfg(feature = "http2")]
fn spawn_connection<F>(connection: F) -> tokio::task::JoinHandle<()>
where
    F: Future<Output = Result<(), hyper::Error>> + Send + 'static,
{
    tokio::spawn(async move {
        if let Err(e) = connection.await {
            tracing::debug!(error = %e, "event stream connection closed with error");
        }
    })
}

/// The head of a duplex response and its body as a stream that keeps the connection (its
/// request sender and driving task) alive.
#[cfg(feature = "http2")]
fn duplex_reply(
    resp: http::Response<Incoming>,
    sender: Box<dyn std::any::Any + Send + Sync>,
    task: tokio::task::JoinHandle<()>,
) -> (HttpResponse, ByteStream) {
    let (parts, body) = resp.into_parts();
    let live = H2Body {
        body,
        _sender: sender,
        _connection: AbortOnDrop(task.abort_handle()),
    };
    (
        HttpResponse {
            status: parts.status.as_u16(),
            headers: parts.headers,
            body: Bytes::new(),
        },
        ByteStream::from_source(live, None),
    )
}

/// A response body read from its connection as the caller asks for chunks; the connection goes
/// back to the pool after the last chunk (and is closed if the stream is dropped early).
struct LiveBody {
    inner: Arc<Inner>,
    conn: Option<(Conn, PoolKey)>,
    framing: Framing,
    read: Option<Duration>,
    /// The timer of the read timeout and of the low-water mark's patience
    /// ([`super::low_water::PATIENCE`]), armed at the first wait and kept for the rest of the
    /// body: when it fires after data has come, it is moved to the next deadline counted from
    /// `last_data` instead of failing. (A timer per chunk cost an allocation and a timer-wheel
    /// insert and removal for each of the ~100 reads of an 8 MiB body.)
    timer: Option<Pin<Box<tokio::time::Sleep>>>,
    /// When the last chunk arrived (or the timer was armed).
    last_data: Instant,
    keep_alive: bool,
    /// Where received bytes are counted, and the host they came from.
    metrics: Option<(Arc<HttpMetrics>, String)>,
}

impl ChunkSource for LiveBody {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        let this = &mut *self;
        let Some((conn, _)) = this.conn.as_mut() else {
            return Poll::Ready(None);
        };
        match conn.poll_body(cx, &mut this.framing) {
            Poll::Ready(Ok(Some(data))) => {
                if this.timer.is_some() {
                    this.last_data = Instant::now();
                }
                if let Some((m, host)) = &this.metrics {
                    m.bytes_received(host, data.len());
                }
                Poll::Ready(Some(Ok(data)))
            }
            Poll::Ready(Ok(None)) => {
                if let Some((conn, key)) = this.conn.take() {
                    if this.keep_alive {
                        this.inner.pool.checkin(key, conn);
                    }
                }
                Poll::Ready(None)
            }
            Poll::Ready(Err(e)) => {
                this.conn = None;
                Poll::Ready(Some(Err(ByteStreamError::new(
                    "the response body broke off",
                    Some(Box::new(e)),
                ))))
            }
            Poll::Pending => {
                if this.read.is_none() && !conn.low_water_up() {
                    return Poll::Pending;
                }
                let timer = match &mut this.timer {
                    Some(timer) => timer,
                    None => {
                        this.last_data = Instant::now();
                        let first = next_deadline(
                            this.last_data,
                            this.last_data,
                            this.read,
                            conn.low_water_up(),
                        )
                        .unwrap_or(this.last_data);
                        this.timer
                            .insert(Box::pin(tokio::time::sleep_until(first.into())))
                    }
                };
                loop {
                    if timer.as_mut().poll(cx).is_pending() {
                        return Poll::Pending;
                    }
                    let now = Instant::now();
                    let quiet = now.saturating_duration_since(this.last_data);
                    // Bytes waiting below the socket's low-water mark after a quiet while: the
                    // body comes slower than the mark, which is dropped (the socket reports
                    // them at once); not a stall.
                    let marked_quiet = conn.low_water_up()
                        && quiet
                            >= super::low_water::PATIENCE.min(this.read.unwrap_or(Duration::MAX));
                    if marked_quiet && conn.relax() {
                        this.last_data = now;
                    } else if let Some(limit) = this.read.filter(|limit| quiet >= *limit) {
                        this.conn = None;
                        return Poll::Ready(Some(Err(ByteStreamError::new(
                            "the response body stalled",
                            Some(Box::new(read_timeout_error(limit))),
                        ))));
                    }
                    // The patience starts again from now when it ran out with nothing
                    // waiting: every deadline set here is in the future.
                    let since = if quiet >= super::low_water::PATIENCE {
                        now
                    } else {
                        this.last_data
                    };
                    match next_deadline(this.last_data, since, this.read, conn.low_water_up()) {
                        Some(deadline) => timer.as_mut().reset(deadline.into()),
                        None => {
                            this.timer = None;
                            return Poll::Pending;
                        }
                    }
                }
            }
        }
    }
}

/// The next deadline of a streamed body's timer: the read timeout counted from `last_data`,
/// and while the low-water mark is up its patience counted from `patience_from`; `None` when
/// there is neither.
fn next_deadline(
    last_data: Instant,
    patience_from: Instant,
    read: Option<Duration>,
    marked: bool,
) -> Option<Instant> {
    let read = read.map(|limit| last_data + limit);
    let patience = marked.then(|| patience_from + super::low_water::PATIENCE);
    match (read, patience) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

pub(super) fn read_timeout_error(d: Duration) -> TransportError {
    TransportError::new(
        TransportErrorKind::Timeout(TransportTimeout::Read),
        format!("no data from server for {d:?} (read timeout)"),
    )
}

/// Awaits `fut`, bounded by the read timeout when there is one.
pub(super) async fn with_read_timeout<F: std::future::Future>(
    read: Option<Duration>,
    fut: F,
) -> Result<F::Output, TransportError> {
    match read {
        Some(d) => tokio::time::timeout(d, fut)
            .await
            .map_err(|_| read_timeout_error(d)),
        None => Ok(fut.await),
    }
}

/// Sends `req` with `send` to its target ([`Target::of`]); an error names the target's origin.
async fn to_target<T, F, Fut>(req: HttpRequest, send: F) -> Result<T, TransportError>
where
    F: FnOnce(HttpRequest, Target) -> Fut,
    Fut: Future<Output = Result<T, TransportError>>,
{
    let target = Target::of(&req)?;
    let origin = Arc::clone(&target.origin);
    send(req, target)
        .await
        .map_err(|e| e.with_target(origin.display()))
}

/// The request as it goes on the wire: origin-form target, `Host` added when missing
/// (`Content-Length` is the head's: [`h1::encode_head`]).
fn build_request(
    req: HttpRequest,
    target: &Target,
) -> Result<http::Request<Bytes>, TransportError> {
    let HttpRequest {
        method,
        headers,
        body,
        ..
    } = req;
    let mut out = http::Request::new(body);
    *out.method_mut() = method;
    *out.uri_mut() = target.request_uri();
    *out.headers_mut() = headers;
    let h = out.headers_mut();
    if !h.contains_key(http::header::HOST) {
        h.insert(http::header::HOST, target.host_header()?);
    }
    Ok(out)
}

/// Classifies a hyper error from sending a request or reading a body.
#[cfg(feature = "http2")]
fn map_hyper_error(e: hyper::Error) -> TransportError {
    let (kind, msg) = if e.is_parse() || e.is_parse_status() {
        (TransportErrorKind::Other, "invalid HTTP response")
    } else if e.is_user() {
        (TransportErrorKind::Other, "invalid request")
    } else if e.is_incomplete_message() || e.is_closed() || e.is_canceled() {
        (
            TransportErrorKind::Io,
            "connection closed before the response was complete",
        )
    } else {
        (TransportErrorKind::Io, "connection error")
    };
    TransportError::new(kind, msg).with_source(e)
}

pub(super) fn connect_error(e: std::io::Error) -> TransportError {
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        // The message says it all; the OS text would only repeat it.
        return TransportError::new(TransportErrorKind::Connect, "connection refused");
    }
    TransportError::new(TransportErrorKind::Connect, "connection failed").with_source(e)
}

/// A failed handshake: [`TransportErrorKind::Tls`] with the [`rustls::Error`] as source when
/// TLS refused (bad certificate, no common parameters, alert), else an I/O failure.
fn tls_handshake_error(e: std::io::Error) -> TransportError {
    let is_tls = e
        .get_ref()
        .map(|inner| inner.is::<rustls::Error>())
        .unwrap_or(false);
    if is_tls {
        let err = TransportError::new(TransportErrorKind::Tls, "TLS handshake failed");
        match e
            .into_inner()
            .map(|inner| inner.downcast::<rustls::Error>())
        {
            Some(Ok(tls)) => err.with_source(*tls),
            Some(Err(other)) => err.with_source(other),
            None => err,
        }
    } else {
        TransportError::new(
            TransportErrorKind::Io,
            "connection failed during TLS handshake",
        )
        .with_source(e)
    }
}

impl Inner {
    fn tls_config(&self) -> Result<Arc<rustls::ClientConfig>, TransportError> {
        self.tls
            .get_or_init(|| tls::client_config(&self.roots, self.post_quantum))
            .clone()
            .map_err(|m| TransportError::new(TransportErrorKind::Tls, m))
    }

    /// A new pooled connection for `target`, holding `slot`, within the connect timeout.
    async fn connect(
        &self,
        target: &Target,
        timeout: Option<Duration>,
        slot: Slot,
    ) -> Result<Conn, TransportError> {
        let stream = self.open_stream(target, false, timeout).await?;
        Ok(Conn::new(stream, slot, self.metrics.as_ref()))
    }

    /// A pooled connection to `key`, else a new one within the bound (waiting for either when
    /// the bound is reached).
    async fn conn_for(
        &self,
        key: &PoolKey,
        target: &Target,
        timeouts: &AttemptTimeouts,
    ) -> Result<Conn, TransportError> {
        match self.pool.acquire(key).await {
            Grant::Idle(conn) => Ok(conn),
            // Boxed: the handshake's state (about 1.5 KiB) would otherwise be part of every
            // request's future, copied with it, though most requests reuse a connection.
            Grant::Connect(slot) => Box::pin(self.connect(target, timeouts.connect, slot)).await,
        }
    }

    /// Writes `req` on a connection for `target` and reads the response head (bounded by the
    /// read timeout): the connection, the head, and the number of body bytes sent.
    async fn exchange(
        &self,
        req: HttpRequest,
        target: &Target,
        timeouts: &AttemptTimeouts,
    ) -> Result<(Conn, Head, usize), TransportError> {
        let mut acquiring = self.metrics.as_ref().map(|_| Instant::now());
        let head_request = req.method == http::Method::HEAD;
        let mut request = build_request(req, target)?;
        self.proxy.prepare_forward(target, &mut request)?;
        // `Content-Length` is written into the head, not made a header value (an allocation).
        let length = (!request.headers().contains_key(http::header::CONTENT_LENGTH))
            .then_some(request.body().len());
        let head = h1::encode_head(&request, length);
        let body = request.into_body();
        let mut conn = self.conn_for(&target.origin.key, target, timeouts).await?;
        self.acquired(&mut acquiring);
        let head = conn
            .exchange_within(head, &body, head_request, timeouts.read)
            .await?;
        Ok((conn, head, body.len()))
    }

    async fn send(
        &self,
        req: HttpRequest,
        target: Target,
        timeouts: AttemptTimeouts,
    ) -> Result<HttpResponse, TransportError> {
        let (mut conn, mut head, sent) = self.exchange(req, &target, &timeouts).await?;
        let body = conn
            .read_body(&mut head.framing, self.max_body_size, timeouts.read)
            .await?;
        if head.keep_alive {
            self.pool.checkin(target.origin.key.clone(), conn);
        }
        if let Some(m) = &self.metrics {
            m.bytes_sent(&target.origin.host, sent);
            m.bytes_received(&target.origin.host, body.len());
        }
        Ok(HttpResponse {
            status: head.status,
            headers: head.headers,
            body,
        })
    }

    /// Records the acquisition of a connection started at `started` (once per request).
    fn acquired(&self, started: &mut Option<Instant>) {
        if let (Some(m), Some(t)) = (&self.metrics, started.take()) {
            m.acquired(t);
        }
    }

    /// Like [`Inner::send`], returning at the response head with the body as a [`LiveBody`].
    async fn send_streaming(
        this: Arc<Inner>,
        req: HttpRequest,
        target: Target,
        timeouts: AttemptTimeouts,
    ) -> Result<(HttpResponse, ByteStream), TransportError> {
        let (conn, head, sent) = this.exchange(req, &target, &timeouts).await?;
        let length = match head.framing {
            Framing::Length(n) => Some(n),
            _ => None,
        };
        let live = LiveBody {
            inner: Arc::clone(&this),
            conn: Some((conn, target.origin.key.clone())),
            framing: head.framing,
            read: timeouts.read,
            timer: None,
            last_data: Instant::now(),
            keep_alive: head.keep_alive,
            metrics: this.metrics.as_ref().map(|m| {
                m.bytes_sent(&target.origin.host, sent);
                (Arc::clone(m), target.origin.host.clone())
            }),
        };
        Ok((
            HttpResponse {
                status: head.status,
                headers: head.headers,
                body: Bytes::new(),
            },
            ByteStream::from_source(live, length),
        ))
    }

    /// Opens a byte stream to `target` (TCP or TLS; direct, to the proxy, or through a proxy's
    /// `CONNECT` tunnel), within the connect timeout. With `h2`, TLS offers only `h2` with ALPN
    /// and the server must agree to it.
    async fn open_stream(
        &self,
        target: &Target,
        h2: bool,
        timeout: Option<Duration>,
    ) -> Result<Stream, TransportError> {
        let open = async {
            let tcp = self.proxy.open(target).await?;
            let _ = tcp.set_nodelay(true);
            if !target.origin.https {
                return Ok::<Stream, TransportError>(Stream::Tcp(tcp));
            }
            let config = self.tls_config_for(h2)?;
            let name = rustls::pki_types::ServerName::try_from(target.origin.host.clone())
                .map_err(|e| {
                    TransportError::new(TransportErrorKind::Tls, "invalid TLS server name")
                        .with_source(e)
                })?;
            let tls = tokio_rustls::TlsConnector::from(config)
                .connect(name, tcp)
                .await
                .map_err(tls_handshake_error)?;
            if h2 && tls.get_ref().1.alpn_protocol() != Some(b"h2") {
                return Err(TransportError::new(
                    TransportErrorKind::Other,
                    "the server did not agree to HTTP/2 (ALPN h2), which this operation needs",
                ));
            }
            tls::log_connection(tls.get_ref().1, &target.origin.host, target.origin.port);
            Ok(Stream::Tls(Box::new(tls)))
        };
        match timeout {
            Some(d) => tokio::time::timeout(d, open).await.map_err(|_| {
                TransportError::new(
                    TransportErrorKind::Timeout(TransportTimeout::Connect),
                    format!("connect timed out after {d:?}"),
                )
            })?,
            None => open.await,
        }
    }

    /// The TLS settings of a connection: the usual ones, or with ALPN `h2` only.
    fn tls_config_for(&self, h2: bool) -> Result<Arc<rustls::ClientConfig>, TransportError> {
        #[cfg(feature = "http2")]
        if h2 {
            return self.tls_config_h2();
        }
        let _ = h2;
        self.tls_config()
    }

    /// Sends `req` with `body` streamed as its body (chunked), on a connection of its own, and
    /// returns at the response head with the body as a stream. The body is written by a task
    /// of its own while the response is read (aborted when the response stream is dropped).
    async fn send_duplex(
        this: Arc<Inner>,
        req: HttpRequest,
        body: super::BodyChannel,
        target: Target,
        timeouts: AttemptTimeouts,
    ) -> Result<(HttpResponse, ByteStream), TransportError> {
        let stream = this.open_stream(&target, false, timeouts.connect).await?;
        let mut request = http::Request::new(());
        *request.method_mut() = req.method;
        *request.uri_mut() = target.request_uri();
        *request.headers_mut() = req.headers;
        let h = request.headers_mut();
        h.remove(http::header::CONTENT_LENGTH);
        if !h.contains_key(http::header::HOST) {
            h.insert(http::header::HOST, target.host_header()?);
        }
        h.insert(
            http::header::TRANSFER_ENCODING,
            http::HeaderValue::from_static("chunked"),
        );
        this.proxy.prepare_forward(&target, &mut request)?;
        let head = h1::encode_head(&request, None);
        let (read, mut write) = tokio::io::split(stream);
        let mut body = body;
        let writer = tokio::spawn(async move {
            let sent = async {
                write.write_all(&head).await?;
                h1::write_chunked(&mut write, &mut body).await
            };
            if let Err(e) = sent.await {
                tracing::debug!(error = %e, "event stream request body broke off");
            }
            // The writing half stays open (the response may still be coming) until the
            // response stream ends and aborts this task.
            std::future::pending::<()>().await;
        });
        let aborter = AbortOnDrop(writer.abort_handle());
        let mut conn = h1::Conn::unpooled(read);
        let head = with_read_timeout(timeouts.read, conn.read_head(false)).await??;
        let live = DuplexBody {
            conn,
            framing: head.framing,
            _writer: aborter,
        };
        Ok((
            HttpResponse {
                status: head.status,
                headers: head.headers,
                body: Bytes::new(),
            },
            ByteStream::from_source(live, None),
        ))
    }

    /// The TLS settings offering only `h2` with ALPN.
    #[cfg(feature = "http2")]
    fn tls_config_h2(&self) -> Result<Arc<rustls::ClientConfig>, TransportError> {
        self.tls_h2
            .get_or_init(|| {
                let base = tls::client_config(&self.roots, self.post_quantum)?;
                let mut config = (*base).clone();
                config.alpn_protocols = vec![b"h2".to_vec()];
                Ok(Arc::new(config))
            })
            .clone()
            .map_err(|m| TransportError::new(TransportErrorKind::Tls, m))
    }

    /// Sends `req` over an HTTP/2 connection of its own (ALPN `h2` over TLS; prior knowledge
    /// over plain `http://`), its body the chunks of `body` (or `req.body`), and returns at the
    /// response head with the body as a stream.
    #[cfg(feature = "http2")]
    async fn send_h2(
        this: Arc<Inner>,
        req: HttpRequest,
        body: Option<super::BodyChannel>,
        target: Target,
        timeouts: AttemptTimeouts,
    ) -> Result<(HttpResponse, ByteStream), TransportError> {
        let io = this.open_stream(&target, true, timeouts.connect).await?;
        let (mut sender, connection) =
            hyper::client::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
                .handshake::<_, ChannelBody>(TokioIo::new(io))
                .await
                .map_err(map_hyper_error)?;
        let task = spawn_connection(connection);
        let body = match body {
            Some(b) => b,
            None => {
                let (tx, rx) = tokio::sync::mpsc::channel(1);
                if !req.body.is_empty() {
                    let _ = tx.try_send(req.body.clone());
                }
                rx
            }
        };
        let mut request = http::Request::new(ChannelBody(body));
        *request.method_mut() = req.method;
        *request.version_mut() = http::Version::HTTP_2;
        *request.uri_mut() = req
            .uri
            .parse()
            .map_err(|_| TransportError::new(TransportErrorKind::Other, "invalid request URI"))?;
        *request.headers_mut() = req.headers;
        let h = request.headers_mut();
        // Connection-specific headers are not HTTP/2 headers; the authority comes from the URI.
        for name in [
            http::header::CONNECTION,
            http::header::HOST,
            http::header::TRANSFER_ENCODING,
            http::header::CONTENT_LENGTH,
        ] {
            h.remove(name);
        }
        let resp = with_read_timeout(timeouts.read, sender.send_request(request))
            .await?
            .map_err(map_hyper_error)?;
        Ok(duplex_reply(resp, Box::new(sender), task))
    }
}
