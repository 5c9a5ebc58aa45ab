//! HTTP/1.1 client connections of the runtime's own: the pooled request/response exchanges of
//! [`HyperTransport`](super::HyperTransport), its duplex event streams and the credential
//! endpoints' requests.
//!
//! The caller's task does the I/O itself: it writes the request, reads the response head and
//! then the body straight from the socket, with no connection task, channel or wake-up in
//! between. A connection carries one exchange at a time (no pipelining) and goes back to the
//! pool only after its response was read to the end.
//!
//! What it speaks: requests with a buffered body and `Content-Length`, or a chunked body sent as
//! it comes ([`write_chunked`]); responses framed by
//! `Content-Length`, by `Transfer-Encoding: chunked` (extensions and trailers skipped) or by the
//! end of the connection; `1xx` interim responses skipped; no body for `HEAD`, `204` and `304`;
//! keep-alive unless `Connection: close` (or HTTP/1.0 without `keep-alive`).

use std::future::Future;
use std::io;
use std::mem::MaybeUninit;
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll};

use bytes::{Buf, BufMut, Bytes, BytesMut};
use http::{HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::low_water;
use super::pool::Slot;
use super::{TransportError, TransportErrorKind};
use crate::observability::http::{ConnMetrics, HttpMetrics};

/// The most header fields a response may have.
const MAX_HEADERS: usize = 100;
/// The longest response head (status line and header fields) accepted.
const MAX_HEAD: usize = 400 * 1024;
/// Room made in the read buffer before reading a response head.
const HEAD_READ: usize = 8 * 1024;
/// The most a single read of a streamed body asks for: more than the socket holds when a large
/// body's low-water mark wakes the reader ([`super::low_water::BULK`]), so that one read
/// usually takes it all.
const BODY_READ: usize = 1024 * 1024;
/// The least room a read of body is given (see [`Conn::poll_fill`]): a large body's low-water
/// mark.
const MIN_ROOM: usize = low_water::BULK as usize;
/// The longest chunk-size line or trailer field accepted in a chunked body.
const MAX_LINE: usize = 8 * 1024;

/// A connection's byte stream: TCP, or TLS over TCP.
pub(crate) enum Stream {
    Tcp(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

/// What a [`Conn`] reads from.
pub(crate) trait Source: AsyncRead + Unpin {
    /// The TCP socket under the stream, for its receive low-water mark
    /// ([`super::low_water`]); `None`: the mark is left alone.
    fn socket(&self) -> Option<&TcpStream> {
        None
    }
}

impl Source for TcpStream {}

impl Source for tokio::io::ReadHalf<Stream> {}

impl Source for Stream {
    fn socket(&self) -> Option<&TcpStream> {
        Some(match self {
            Stream::Tcp(s) => s,
            Stream::Tls(s) => s.get_ref().0,
        })
    }
}

impl AsyncRead for Stream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_read(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_write(cx, buf),
            Stream::Tls(s) => Pin::new(&mut **s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_flush(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Stream::Tcp(s) => Pin::new(s).poll_shutdown(cx),
            Stream::Tls(s) => Pin::new(&mut **s).poll_shutdown(cx),
        }
    }
}

/// How the body of a response ends, and how much of it is left.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Framing {
    /// This many bytes are left (`Content-Length`, or no body at all when 0).
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked(Chunk),
    /// The body runs to the end of the connection.
    Close,
    /// The body has been read.
    Done,
}

/// Where a chunked body's reader stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Chunk {
    /// At a chunk-size line.
    Size,
    /// Inside a chunk, this many bytes left.
    Data(u64),
    /// After a chunk's data, at its CRLF.
    DataEnd,
    /// After the last chunk, in the trailer section.
    Trailers,
}

/// A response head.
#[derive(Debug)]
pub(crate) struct Head {
    pub(crate) status: u16,
    pub(crate) headers: HeaderMap,
    pub(crate) framing: Framing,
    /// The connection may carry another exchange once the body has been read.
    pub(crate) keep_alive: bool,
}

/// A live connection (`S`: its byte stream, or the reading half of one). Dropping it closes the
/// socket, then frees its [`Slot`] in the pool when it has one.
pub(crate) struct Conn<S = Stream> {
    // Fields drop in order: the socket before the slot.
    io: S,
    /// Bytes read and not yet consumed.
    buf: BytesMut,
    _slot: Option<Slot>,
    /// Reports the connection's lifetime when it closes (with a meter provider).
    _metrics: Option<ConnMetrics>,
    /// The socket's receive low-water mark now (1: the default).
    low_water: u32,
    /// The body being read may set the mark (cleared by [`Conn::relax`] until the next head).
    bulk: bool,
    /// The read timeout's timer, kept from one exchange to the next.
    read_timer: ReadTimer,
}

impl<S> Drop for Conn<S> {
    fn drop(&mut self) {
        // What is left unread (a response cut off by a failure, say) may hold a secret.
        zeroize::Zeroize::zeroize(self.buf.as_mut());
    }
}

impl Conn {
    /// A pooled connection, holding `slot`.
    pub(crate) fn new(
        io: Stream,
        slot: Slot,
        metrics: Option<&std::sync::Arc<HttpMetrics>>,
    ) -> Conn {
        Conn {
            io,
            buf: BytesMut::new(),
            _slot: Some(slot),
            _metrics: metrics.map(ConnMetrics::new),
            low_water: 1,
            bulk: true,
            read_timer: ReadTimer::default(),
        }
    }
}

impl<S: Source> Conn<S> {
    /// A connection of its own, outside the pool: a duplex exchange reads its response with
    /// it, a credentials request its answer.
    pub(crate) fn unpooled(io: S) -> Conn<S> {
        Conn {
            io,
            buf: BytesMut::new(),
            _slot: None,
            _metrics: None,
            low_water: 1,
            bulk: true,
            read_timer: ReadTimer::default(),
        }
    }

    /// `true` when an idle connection can no longer carry a request: the server closed it, reset
    /// it, or sent something unasked. Never waits.
    pub(crate) fn is_closed(&mut self) -> bool {
        if !self.buf.is_empty() {
            return true;
        }
        let mut cx = Context::from_waker(std::task::Waker::noop());
        let mut probe = [0u8; 1];
        let mut probe = ReadBuf::new(&mut probe);
        // Pending: nothing to read, the connection is open and quiet.
        !matches!(
            Pin::new(&mut self.io).poll_read(&mut cx, &mut probe),
            Poll::Pending
        )
    }

    /// Reads the next final response head (skipping `1xx` interim responses).
    /// `head_request`: the request was a `HEAD`, so the response has no body.
    pub(crate) async fn read_head(&mut self, head_request: bool) -> Result<Head, TransportError> {
        self.bulk = true;
        loop {
            if let Some(head) = parse_head(&mut self.buf, head_request)? {
                return Ok(head);
            }
            if self.buf.len() >= MAX_HEAD {
                return Err(invalid("the response head is too large"));
            }
            self.buf.reserve(HEAD_READ);
            let n = self.io.read_buf(&mut self.buf).await.map_err(io_error)?;
            if n == 0 {
                return Err(closed_early());
            }
        }
    }

    /// Reads up to `want` more bytes into the buffer; `Ok(0)` at the end of the stream.
    ///
    /// The buffer is given room for `want` when it has less than [`MIN_ROOM`] (or `want`, if
    /// less) left: a large body's read then has room for at least what its low-water mark
    /// lets in, not the remains of the last read's allocation, while a body that trickles in
    /// uses each allocation for many pieces.
    fn poll_fill(&mut self, cx: &mut Context<'_>, want: usize) -> Poll<io::Result<usize>> {
        if self.buf.capacity() - self.buf.len() < want.min(MIN_ROOM) {
            self.buf.reserve(want);
        }
        let mut room = (&mut self.buf).limit(want);
        let read = pin!(self.io.read_buf(&mut room));
        read.poll(cx)
    }

    /// The next piece of the body framed by `framing` (updated as it is read), `None` at its
    /// end. A failure leaves the connection unusable.
    pub(crate) fn poll_body(
        &mut self,
        cx: &mut Context<'_>,
        framing: &mut Framing,
    ) -> Poll<Result<Option<Bytes>, TransportError>> {
        loop {
            match *framing {
                Framing::Done | Framing::Length(0) => {
                    *framing = Framing::Done;
                    return Poll::Ready(Ok(None));
                }
                Framing::Length(left) => {
                    if low_water::ENABLED {
                        let from_socket = left.saturating_sub(self.buf.len() as u64);
                        let bulk = self.bulk && from_socket >= 2 * u64::from(low_water::BULK);
                        self.set_low_water(if bulk { low_water::BULK } else { 1 });
                    }
                    let Some(piece) = ready!(self.poll_piece(cx, left))? else {
                        return Poll::Ready(Err(closed_early()));
                    };
                    *framing = Framing::Length(left - piece.len() as u64);
                    return Poll::Ready(Ok(Some(piece)));
                }
                Framing::Close => match ready!(self.poll_piece(cx, u64::MAX))? {
                    Some(piece) => return Poll::Ready(Ok(Some(piece))),
                    None => *framing = Framing::Done,
                },
                Framing::Chunked(Chunk::Data(left)) => {
                    let Some(piece) = ready!(self.poll_piece(cx, left))? else {
                        return Poll::Ready(Err(closed_early()));
                    };
                    let left = left - piece.len() as u64;
                    *framing = Framing::Chunked(if left == 0 {
                        Chunk::DataEnd
                    } else {
                        Chunk::Data(left)
                    });
                    return Poll::Ready(Ok(Some(piece)));
                }
                Framing::Chunked(Chunk::DataEnd) => {
                    if self.buf.len() < 2 {
                        ready!(self.poll_more(cx))?;
                        continue;
                    }
                    if &self.buf[..2] != b"\r\n" {
                        return Poll::Ready(Err(invalid("a chunk does not end with CRLF")));
                    }
                    self.buf.advance(2);
                    *framing = Framing::Chunked(Chunk::Size);
                }
                Framing::Chunked(Chunk::Size) => {
                    let Some(line) = self.take_line()? else {
                        ready!(self.poll_more(cx))?;
                        continue;
                    };
                    let size = chunk_size(&line)?;
                    *framing = Framing::Chunked(if size == 0 {
                        Chunk::Trailers
                    } else {
                        Chunk::Data(size)
                    });
                }
                Framing::Chunked(Chunk::Trailers) => {
                    let Some(line) = self.take_line()? else {
                        ready!(self.poll_more(cx))?;
                        continue;
                    };
                    if line.is_empty() {
                        *framing = Framing::Done;
                    }
                }
            }
        }
    }

    /// Sets the socket's receive low-water mark to `bytes` unless it is there already.
    fn set_low_water(&mut self, bytes: u32) {
        if self.low_water != bytes {
            if let Some(tcp) = self.io.socket() {
                low_water::set(tcp, bytes);
                self.low_water = bytes;
            }
        }
    }

    /// `true` while the socket's receive low-water mark is up (see [`super::low_water`]).
    pub(crate) fn low_water_up(&self) -> bool {
        self.low_water > 1
    }

    /// When the socket's low-water mark is up and bytes are waiting below it, drops the mark
    /// for the rest of the body and says so: the body comes slower than the mark, and the
    /// bytes are reported at once (see [`super::low_water`]).
    pub(crate) fn relax(&mut self) -> bool {
        if !self.low_water_up() || !self.io.socket().is_some_and(low_water::waiting) {
            return false;
        }
        self.bulk = false;
        self.set_low_water(1);
        true
    }

    /// Up to `left` bytes of body: what the buffer holds, else one read's worth; `None` at the
    /// end of the stream.
    fn poll_piece(
        &mut self,
        cx: &mut Context<'_>,
        left: u64,
    ) -> Poll<Result<Option<Bytes>, TransportError>> {
        if self.buf.is_empty() {
            let want = usize::try_from(left).unwrap_or(usize::MAX).min(BODY_READ);
            if ready!(self.poll_fill(cx, want)).map_err(io_error)? == 0 {
                return Poll::Ready(Ok(None));
            }
        }
        let n = usize::try_from(left)
            .unwrap_or(usize::MAX)
            .min(self.buf.len());
        Poll::Ready(Ok(Some(self.buf.split_to(n).freeze())))
    }

    /// Reads more into the buffer inside a chunked body's framing; the end of the stream there
    /// is an error.
    fn poll_more(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), TransportError>> {
        if self.buf.len() > MAX_LINE {
            return Poll::Ready(Err(invalid("a chunk-size line or trailer is too long")));
        }
        match ready!(self.poll_fill(cx, HEAD_READ)).map_err(io_error)? {
            0 => Poll::Ready(Err(closed_early())),
            _ => Poll::Ready(Ok(())),
        }
    }

    /// The next CRLF-terminated line of the buffer, consumed (without its CRLF), when it has
    /// one.
    fn take_line(&mut self) -> Result<Option<Bytes>, TransportError> {
        let Some(end) = self.buf.windows(2).position(|w| w == b"\r\n") else {
            return Ok(None);
        };
        if end > MAX_LINE {
            return Err(invalid("a chunk-size line or trailer is too long"));
        }
        let line = self.buf.split_to(end).freeze();
        self.buf.advance(2);
        Ok(Some(line))
    }

    /// Gives up the read buffer's allocation when everything in it has been consumed, so that
    /// the pieces of body cut from it own it alone (the next read starts a new one).
    fn let_go(&mut self) {
        if self.buf.is_empty() {
            self.buf = BytesMut::new();
        }
    }

    /// Reads the whole body framed by `framing`, at most `max` bytes, each wait bounded by
    /// `read`. A `Content-Length` body longer than what was buffered is read straight into a
    /// buffer of its own size.
    pub(crate) async fn read_body(
        &mut self,
        framing: &mut Framing,
        max: usize,
        read: Option<std::time::Duration>,
    ) -> Result<Bytes, TransportError> {
        let too_large = || {
            TransportError::new(
                TransportErrorKind::Other,
                format!("response body exceeds the limit of {max} bytes"),
            )
        };
        if let Framing::Length(n) = *framing {
            if n > max as u64 {
                return Err(too_large());
            }
            let n = n as usize;
            if self.buf.len() >= n {
                *framing = Framing::Done;
                let body = self.buf.split_to(n).freeze();
                self.let_go();
                return Ok(body);
            }
            let mut body = BytesMut::with_capacity(n);
            body.extend_from_slice(&self.buf);
            // Body bytes (a secret, maybe) do not stay behind in the read buffer.
            zeroize::Zeroize::zeroize(self.buf.as_mut());
            self.buf.clear();
            while body.len() < n {
                let left = n - body.len();
                let got = self
                    .read_timer
                    .within(read, self.io.read_buf(&mut (&mut body).limit(left)))
                    .await?
                    .map_err(io_error)?;
                if got == 0 {
                    return Err(closed_early());
                }
            }
            *framing = Framing::Done;
            return Ok(body.freeze());
        }
        let mut chunks: Vec<Bytes> = Vec::new();
        let mut total = 0usize;
        // (Out of `self` while `poll_body` borrows it; put back once the body is read.)
        let mut timer = std::mem::take(&mut self.read_timer);
        loop {
            let next = std::future::poll_fn(|cx| self.poll_body(cx, framing));
            let Some(piece) = timer.within(read, next).await?? else {
                break;
            };
            total = total.saturating_add(piece.len());
            if total > max {
                return Err(too_large());
            }
            chunks.push(piece);
        }
        self.read_timer = timer;
        self.let_go();
        Ok(match chunks.len() {
            0 => Bytes::new(),
            1 => chunks.swap_remove(0),
            _ => {
                let mut all = Vec::with_capacity(total);
                for c in &chunks {
                    all.extend_from_slice(c);
                }
                // The pieces may hold a secret: a piece no one else shares is zeroed.
                for c in chunks {
                    crate::types::wipe_if_unique(c);
                }
                Bytes::from(all)
            }
        })
    }
}

impl<S: Source + AsyncWrite> Conn<S> {
    /// Writes `head` (see [`encode_head`]) and `body`, then reads up to the end of the final
    /// response head. `head_request`: the request was a `HEAD`, so the response has no body.
    pub(crate) async fn exchange(
        &mut self,
        head: Vec<u8>,
        body: &Bytes,
        head_request: bool,
    ) -> Result<Head, TransportError> {
        write_all_of(&mut self.io, [&head, body, &[]])
            .await
            .map_err(io_error)?;
        self.io.flush().await.map_err(io_error)?;
        self.read_head(head_request).await
    }

    /// [`exchange`](Self::exchange) within the read timeout `read` (when there is one).
    pub(crate) async fn exchange_within(
        &mut self,
        head: Vec<u8>,
        body: &Bytes,
        head_request: bool,
        read: Option<std::time::Duration>,
    ) -> Result<Head, TransportError> {
        let mut timer = std::mem::take(&mut self.read_timer);
        let head = timer
            .within(read, self.exchange(head, body, head_request))
            .await??;
        self.read_timer = timer;
        Ok(head)
    }
}

/// A read timeout whose timer is kept with its connection from one wait to the next.
///
/// `tokio::time::timeout` puts a timer into the runtime's timer wheel for every wait that does
/// not end at once, and takes it out again when the wait ends: about 1.2 k instructions of
/// every call, nearly all of them for a timer that never fires. This timer is set once, at the
/// first wait's deadline, and left in the wheel: a later wait (whose deadline is later) only
/// compares deadlines, and when the timer fires before the wait's own deadline it is moved to
/// that deadline. A wait whose deadline is earlier than the timer's (a call with a shorter
/// timeout) moves the timer back.
#[derive(Default)]
pub(crate) struct ReadTimer(Option<Pin<Box<tokio::time::Sleep>>>);

impl ReadTimer {
    /// Awaits `fut`, failing with a read timeout when it takes longer than `limit`.
    pub(crate) async fn within<F: Future>(
        &mut self,
        limit: Option<std::time::Duration>,
        fut: F,
    ) -> Result<F::Output, TransportError> {
        let Some(limit) = limit else {
            return Ok(fut.await);
        };
        let mut fut = pin!(fut);
        let mut deadline = None;
        std::future::poll_fn(|cx| {
            if let Poll::Ready(out) = fut.as_mut().poll(cx) {
                return Poll::Ready(Ok(out));
            }
            // The clock is read at the first wait only: a wait that ends at once needs none.
            let deadline = *deadline.get_or_insert_with(|| tokio::time::Instant::now() + limit);
            let timer = self
                .0
                .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
            if timer.deadline() > deadline {
                timer.as_mut().reset(deadline);
            }
            loop {
                if timer.as_mut().poll(cx).is_pending() {
                    return Poll::Pending;
                }
                if tokio::time::Instant::now() >= deadline {
                    return Poll::Ready(Err(super::hyper_transport::read_timeout_error(limit)));
                }
                timer.as_mut().reset(deadline);
            }
        })
        .await
    }
}

/// Writes all of `parts`, in order, with vectored writes: no copy of a body (which may hold a
/// secret) into another buffer, and one system call for head and body when the stream takes
/// them at once.
async fn write_all_of<W: AsyncWrite + Unpin>(io: &mut W, parts: [&[u8]; 3]) -> io::Result<()> {
    let mut rest = parts;
    let mut first = 0;
    loop {
        while rest[first].is_empty() {
            first += 1;
            if first == rest.len() {
                return Ok(());
            }
        }
        let slices = rest.map(io::IoSlice::new);
        let mut n = io.write_vectored(&slices[first..]).await?;
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        while n > 0 {
            let taken = n.min(rest[first].len());
            rest[first] = &rest[first][taken..];
            n -= taken;
            if rest[first].is_empty() && first + 1 < rest.len() {
                first += 1;
            }
        }
    }
}

/// Writes `body`'s chunks to `io` with chunked transfer coding as they arrive, then the last
/// chunk once every sender is gone (the request body of a duplex exchange).
pub(crate) async fn write_chunked<W: AsyncWrite + Unpin>(
    io: &mut W,
    body: &mut super::BodyChannel,
) -> io::Result<()> {
    while let Some(chunk) = body.recv().await {
        if chunk.is_empty() {
            continue;
        }
        let size = format!("{:x}\r\n", chunk.len());
        write_all_of(io, [size.as_bytes(), &chunk, b"\r\n"]).await?;
        io.flush().await?;
    }
    io.write_all(b"0\r\n\r\n").await?;
    io.flush().await
}

/// The request line and header fields of `request`, ending with the empty line. The request
/// target is the URI as it is: origin form (`/path?query`), or absolute form for a proxy. With
/// `content_length`, a `content-length` field with it follows the request's own fields.
pub(crate) fn encode_head<B>(request: &http::Request<B>, content_length: Option<usize>) -> Vec<u8> {
    let uri = request.uri();
    let target: std::borrow::Cow<'_, str> = match (uri.scheme(), uri.path_and_query()) {
        (None, Some(pq)) => pq.as_str().into(),
        (None, None) => "/".into(),
        (Some(_), _) => uri.to_string().into(),
    };
    let fields: usize = request
        .headers()
        .iter()
        .map(|(n, v)| n.as_str().len() + v.len() + 4)
        .sum();
    // 14: the request line's spaces, version and CRLFs and the final CRLF; 38: a
    // `content-length` field of up to 20 digits.
    let mut out =
        Vec::with_capacity(request.method().as_str().len() + target.len() + fields + 14 + 38);
    out.extend_from_slice(request.method().as_str().as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in request.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if let Some(n) = content_length {
        out.extend_from_slice(b"content-length: ");
        out.extend_from_slice(crate::json::format_u64(n as u64, &mut [0; 20]));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out
}

/// The response head at the start of `buf`, consumed, when it is complete. (Not a method of
/// [`Conn`]: it does not read, and one copy serves every kind of stream.)
fn parse_head(buf: &mut BytesMut, head_request: bool) -> Result<Option<Head>, TransportError> {
    loop {
        if buf.is_empty() {
            return Ok(None);
        }
        let mut slots = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
        let mut resp = httparse::Response::new(&mut []);
        let base = buf.as_ptr() as usize;
        let parsed = httparse::ParserConfig::default()
            .parse_response_with_uninit_headers(&mut resp, buf, &mut slots);
        let len = match parsed {
            Ok(httparse::Status::Complete(len)) => len,
            Ok(httparse::Status::Partial) => return Ok(None),
            Err(httparse::Error::TooManyHeaders) => return Err(invalid("too many header fields")),
            Err(e) => return Err(invalid(&e.to_string())),
        };
        let status = resp.code.unwrap_or(0);
        let http10 = resp.version == Some(0);
        // Where each name and value lies in the buffer (offsets fit: the head is at most
        // `MAX_HEAD`), to slice them out of the head without copying once it is split off.
        let mut fields = [(0u32, 0u32, 0u32, 0u32); MAX_HEADERS];
        let count = resp.headers.len();
        for (h, field) in resp.headers.iter().zip(fields.iter_mut()) {
            let name = h.name.as_ptr() as usize - base;
            let value = h.value.as_ptr() as usize - base;
            *field = (
                name as u32,
                (name + h.name.len()) as u32,
                value as u32,
                (value + h.value.len()) as u32,
            );
        }
        // The head gets an allocation of its own: the header values slice it, and the read
        // buffer's allocation stays with the body, so that a body holding a secret is the last
        // owner of its bytes and wipes them (`types::wipe_on_drop`).
        let head = Bytes::copy_from_slice(&buf[..len]);
        buf.advance(len);
        if (100..200).contains(&status) && status != 101 {
            // An interim response (100 Continue, 103 Early Hints): the final one follows.
            continue;
        }
        let mut headers = HeaderMap::with_capacity(count);
        for &(name_from, name_to, value_from, value_to) in &fields[..count] {
            let name = header_name(&head[name_from as usize..name_to as usize])?;
            let value =
                HeaderValue::from_maybe_shared(head.slice(value_from as usize..value_to as usize))
                    .map_err(|_| invalid("invalid header value"))?;
            headers.append(name, value);
        }
        let (framing, keep_alive) = framing(status, http10, head_request, &headers)?;
        return Ok(Some(Head {
            status,
            headers,
            framing,
            keep_alive,
        }));
    }
}

/// The request id headers of AWS responses, made at compile time: `HeaderName::from_bytes`
/// knows the standard names, but gives any other name an allocation of its own.
const AWS_NAMES: [HeaderName; 3] = [
    HeaderName::from_static("x-amzn-requestid"),
    HeaderName::from_static("x-amz-request-id"),
    HeaderName::from_static("x-amz-id-2"),
];

/// A response header's name, in any case.
fn header_name(name: &[u8]) -> Result<HeaderName, TransportError> {
    if let Some(known) = AWS_NAMES
        .iter()
        .find(|k| k.as_str().as_bytes().eq_ignore_ascii_case(name))
    {
        return Ok(known.clone());
    }
    HeaderName::from_bytes(name).map_err(|_| invalid("invalid header name"))
}

/// How a response's body is framed and whether its connection can be reused (RFC 9112 §6.3).
fn framing(
    status: u16,
    http10: bool,
    head_request: bool,
    headers: &HeaderMap,
) -> Result<(Framing, bool), TransportError> {
    let mut close = false;
    let mut keep_alive_token = false;
    for v in headers.get_all(http::header::CONNECTION) {
        for token in v.as_bytes().split(|b| *b == b',') {
            let token = token.trim_ascii();
            close |= token.eq_ignore_ascii_case(b"close");
            keep_alive_token |= token.eq_ignore_ascii_case(b"keep-alive");
        }
    }
    let keep_alive = !close && (!http10 || keep_alive_token);
    if head_request || status == 204 || status == 304 {
        return Ok((Framing::Length(0), keep_alive));
    }
    let mut encodings = headers
        .get_all(http::header::TRANSFER_ENCODING)
        .iter()
        .peekable();
    if encodings.peek().is_some() {
        let last = encodings
            .last()
            .and_then(|v| v.as_bytes().rsplit(|b| *b == b',').next())
            .map(|t| t.trim_ascii().eq_ignore_ascii_case(b"chunked"))
            .unwrap_or(false);
        return Ok(if last && !http10 {
            (Framing::Chunked(Chunk::Size), keep_alive)
        } else {
            (Framing::Close, false)
        });
    }
    let mut length: Option<u64> = None;
    for v in headers.get_all(http::header::CONTENT_LENGTH) {
        for part in v.as_bytes().split(|b| *b == b',') {
            let part = part.trim_ascii();
            if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
                return Err(invalid("invalid Content-Length"));
            }
            let n = std::str::from_utf8(part)
                .ok()
                .and_then(|s| s.parse::<u64>().ok())
                .ok_or_else(|| invalid("invalid Content-Length"))?;
            if length.is_some_and(|l| l != n) {
                return Err(invalid("conflicting Content-Length values"));
            }
            length = Some(n);
        }
    }
    Ok(match length {
        Some(n) => (Framing::Length(n), keep_alive),
        None => (Framing::Close, false),
    })
}

/// The size of a chunk from its chunk-size line (hexadecimal, extensions after `;` ignored).
fn chunk_size(line: &[u8]) -> Result<u64, TransportError> {
    let digits = line
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    if digits.is_empty() || digits.len() > 15 {
        return Err(invalid("invalid chunk size"));
    }
    let mut size = 0u64;
    for &d in digits {
        let v = match d {
            b'0'..=b'9' => d - b'0',
            b'a'..=b'f' => d - b'a' + 10,
            b'A'..=b'F' => d - b'A' + 10,
            _ => return Err(invalid("invalid chunk size")),
        };
        size = size * 16 + u64::from(v);
    }
    Ok(size)
}

fn invalid(why: &str) -> TransportError {
    TransportError::new(TransportErrorKind::Other, "invalid HTTP response")
        .with_source(why.to_string())
}

fn closed_early() -> TransportError {
    TransportError::new(
        TransportErrorKind::Io,
        "connection closed before the response was complete",
    )
}

fn io_error(e: io::Error) -> TransportError {
    TransportError::new(TransportErrorKind::Io, "connection error").with_source(e)
}

#[cfg(test)]
#[path = "h1_tests.rs"]
mod tests;
