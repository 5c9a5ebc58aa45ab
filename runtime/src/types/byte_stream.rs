//! [`ByteStream`]: a streamed body (a `@streaming` blob payload of an operation's output),
//! read chunk by chunk as it arrives instead of being held whole in memory.

use std::fmt;
use std::future::poll_fn;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};

/// A source of body chunks (implemented by the transport for a live response body).
pub trait ChunkSource: Send + Sync {
    /// The next chunk, `None` at the end. Called again after `None` it keeps returning `None`.
    fn poll_chunk(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ByteStreamError>>>;
}

enum Inner {
    /// Data already in memory (taken on the first read).
    Whole(Option<Bytes>),
    /// A live source.
    Live(Pin<Box<dyn ChunkSource>>),
}

/// A body delivered as a stream of chunks. Read it with [`next`](Self::next) or gather it with
/// [`collect`](Self::collect); `Debug` never shows its content.
///
/// A streamed output owns the connection until it has been read to the end (the connection then
/// goes back to the pool) or dropped (the connection is closed). The transport's read timeout
/// applies to every wait for a chunk.
pub struct ByteStream {
    inner: Inner,
    length: Option<u64>,
}

impl ByteStream {
    /// A stream of `data`, already in memory.
    pub fn new(data: impl Into<Bytes>) -> ByteStream {
        let data = data.into();
        ByteStream {
            length: Some(data.len() as u64),
            inner: Inner::Whole(Some(data)),
        }
    }

    /// A stream reading `source`; `length` is the announced total (`Content-Length`), if any.
    pub fn from_source(source: impl ChunkSource + 'static, length: Option<u64>) -> ByteStream {
        ByteStream {
            inner: Inner::Live(Box::pin(source)),
            length,
        }
    }

    /// The announced total length, when known.
    pub fn content_length(&self) -> Option<u64> {
        self.length
    }

    /// The next chunk, `None` at the end; an error if the body broke off (connection reset, read
    /// timeout, fewer bytes than announced).
    pub async fn next(&mut self) -> Option<Result<Bytes, ByteStreamError>> {
        match &mut self.inner {
            Inner::Whole(data) => data.take().filter(|d| !d.is_empty()).map(Ok),
            Inner::Live(source) => poll_fn(|cx| source.as_mut().poll_chunk(cx)).await,
        }
    }

    /// [`next`](Self::next) as a poll, for sources built on another stream.
    pub fn poll_next(
        &mut self,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        match &mut self.inner {
            Inner::Whole(data) => Poll::Ready(data.take().filter(|d| !d.is_empty()).map(Ok)),
            Inner::Live(source) => source.as_mut().poll_chunk(cx),
        }
    }

    /// Every remaining chunk, gathered in memory.
    pub async fn collect(mut self) -> Result<Bytes, ByteStreamError> {
        if let Inner::Whole(data) = &mut self.inner {
            return Ok(data.take().unwrap_or_default());
        }
        let mut out = BytesMut::new();
        while let Some(chunk) = self.next().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out.freeze())
    }
}

impl Default for ByteStream {
    /// An empty stream.
    fn default() -> ByteStream {
        ByteStream::new(Bytes::new())
    }
}

impl From<Vec<u8>> for ByteStream {
    fn from(v: Vec<u8>) -> ByteStream {
        ByteStream::new(v)
    }
}

impl From<Bytes> for ByteStream {
    fn from(v: Bytes) -> ByteStream {
        ByteStream::new(v)
    }
}

impl fmt::Debug for ByteStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match &self.inner {
            Inner::Whole(_) => "in memory",
            Inner::Live(_) => "streaming",
        };
        f.debug_struct("ByteStream")
            .field("kind", &kind)
            .field("content_length", &self.length)
            .finish()
    }
}

/// A streamed body broke off before its end.
#[derive(Debug)]
pub struct ByteStreamError {
    message: String,
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

impl ByteStreamError {
    /// An error saying `message`, caused by `source` when given.
    pub fn new(
        message: impl Into<String>,
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> ByteStreamError {
        ByteStreamError {
            message: message.into(),
            source,
        }
    }
}

impl fmt::Display for ByteStreamError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(s) = &self.source {
            write!(f, ": {s}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ByteStreamError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    struct Chunks(VecDeque<Result<Bytes, ByteStreamError>>);

    impl ChunkSource for Chunks {
        fn poll_chunk(
            mut self: Pin<&mut Self>,
            _cx: &mut Context<'_>,
        ) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
            Poll::Ready(self.0.pop_front())
        }
    }

    #[tokio::test]
    async fn whole_and_live_streams() {
        let mut s = ByteStream::new(&b"abc"[..]);
        assert_eq!(s.content_length(), Some(3));
        assert_eq!(s.next().await.unwrap().unwrap(), &b"abc"[..]);
        assert!(s.next().await.is_none());
        assert_eq!(ByteStream::default().collect().await.unwrap(), &b""[..]);
        assert!(ByteStream::default().next().await.is_none());

        let live = Chunks(VecDeque::from([
            Ok(Bytes::from("ab")),
            Ok(Bytes::from("cd")),
        ]));
        let s = ByteStream::from_source(live, Some(4));
        assert!(format!("{s:?}").contains("streaming"));
        assert_eq!(s.collect().await.unwrap(), &b"abcd"[..]);

        let broken = Chunks(VecDeque::from([
            Ok(Bytes::from("ab")),
            Err(ByteStreamError::new("connection reset", None)),
        ]));
        let err = ByteStream::from_source(broken, None)
            .collect()
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "connection reset");
    }
}
