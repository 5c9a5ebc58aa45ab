//! Messages, their encoding, and the incremental decoder.

use std::fmt;

use bytes::{Bytes, BytesMut};

use super::{FrameError, FrameErrorKind};
use crate::checksum::crc32;
use crate::types::DateTime;

/// The prelude: total length, headers length, their CRC.
const PRELUDE_LEN: usize = 12;
/// The smallest message: prelude and message CRC, no headers, no payload.
pub const MIN_MESSAGE_LEN: usize = 16;
/// The largest message accepted or written (16 MiB, the limit of the AWS services).
pub const MAX_MESSAGE_LEN: usize = 16 * 1024 * 1024;
/// The largest headers section accepted or written (128 KiB).
pub const MAX_HEADERS_LEN: usize = 128 * 1024;

/// A header value; the encoding's type ids are given with each variant.
#[derive(Clone, Debug, PartialEq)]
pub enum HeaderValue {
    /// 0 (true) or 1 (false), no value bytes.
    Bool(bool),
    /// 2: one signed byte.
    Byte(i8),
    /// 3: a 2-byte integer.
    Int16(i16),
    /// 4: a 4-byte integer.
    Int32(i32),
    /// 5: an 8-byte integer.
    Int64(i64),
    /// 6: bytes, at most 65,535 of them.
    ByteArray(Bytes),
    /// 7: UTF-8 text, at most 65,535 bytes of it.
    String(String),
    /// 8: milliseconds since the epoch, 8 bytes; written truncated to whole milliseconds.
    Timestamp(DateTime),
    /// 9: 16 bytes.
    Uuid([u8; 16]),
}

impl HeaderValue {
    /// The type id and the length of the value bytes after it, or why it cannot be written.
    fn wire_len(&self) -> Result<usize, FrameError> {
        Ok(match self {
            HeaderValue::Bool(_) => 0,
            HeaderValue::Byte(_) => 1,
            HeaderValue::Int16(_) => 2,
            HeaderValue::Int32(_) => 4,
            HeaderValue::Int64(_) => 8,
            HeaderValue::ByteArray(b) => 2 + value_len(b.len())?,
            HeaderValue::String(s) => 2 + value_len(s.len())?,
            HeaderValue::Timestamp(t) => {
                timestamp_millis(t).ok_or_else(|| {
                    FrameError::new(
                        FrameErrorKind::InvalidHeader,
                        "a timestamp header is outside the range of 64-bit milliseconds",
                    )
                })?;
                8
            }
            HeaderValue::Uuid(_) => 16,
        })
    }
}

fn value_len(len: usize) -> Result<usize, FrameError> {
    if len > usize::from(u16::MAX) {
        return Err(FrameError::new(
            FrameErrorKind::TooLarge,
            format!("a header value of {len} bytes exceeds 65535"),
        ));
    }
    Ok(len)
}

/// `t` in whole milliseconds since the epoch (rounded down), if that fits 64 bits.
fn timestamp_millis(t: &DateTime) -> Option<i64> {
    let millis = i128::from(t.secs()) * 1000 + i128::from(t.subsec_nanos() / 1_000_000);
    i64::try_from(millis).ok()
}

/// A header: a name (at most 255 bytes) and a value.
#[derive(Clone, Debug, PartialEq)]
pub struct Header {
    /// The name.
    pub name: String,
    /// The value.
    pub value: HeaderValue,
}

impl Header {
    /// A header `name` with `value`.
    pub fn new(name: impl Into<String>, value: HeaderValue) -> Header {
        Header {
            name: name.into(),
            value,
        }
    }

    /// Its encoded length, or why it cannot be written.
    fn wire_len(&self) -> Result<usize, FrameError> {
        if self.name.len() > usize::from(u8::MAX) {
            return Err(FrameError::new(
                FrameErrorKind::InvalidHeader,
                format!("a header name of {} bytes exceeds 255", self.name.len()),
            ));
        }
        Ok(2 + self.name.len() + self.value.wire_len()?)
    }

    /// Appends the encoded header; [`Header::wire_len`] must have accepted it.
    pub(super) fn write(&self, out: &mut Vec<u8>) {
        out.push(self.name.len() as u8);
        out.extend_from_slice(self.name.as_bytes());
        match &self.value {
            HeaderValue::Bool(true) => out.push(0),
            HeaderValue::Bool(false) => out.push(1),
            HeaderValue::Byte(v) => {
                out.push(2);
                out.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Int16(v) => {
                out.push(3);
                out.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Int32(v) => {
                out.push(4);
                out.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::Int64(v) => {
                out.push(5);
                out.extend_from_slice(&v.to_be_bytes());
            }
            HeaderValue::ByteArray(b) => {
                out.push(6);
                out.extend_from_slice(&(b.len() as u16).to_be_bytes());
                out.extend_from_slice(b);
            }
            HeaderValue::String(s) => {
                out.push(7);
                out.extend_from_slice(&(s.len() as u16).to_be_bytes());
                out.extend_from_slice(s.as_bytes());
            }
            HeaderValue::Timestamp(t) => {
                out.push(8);
                out.extend_from_slice(&timestamp_millis(t).unwrap_or_default().to_be_bytes());
            }
            HeaderValue::Uuid(u) => {
                out.push(9);
                out.extend_from_slice(u);
            }
        }
    }
}

/// One message: headers (in order; a name may repeat) and a payload.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Message {
    /// The headers, in wire order.
    pub headers: Vec<Header>,
    /// The payload.
    pub payload: Bytes,
}

impl Message {
    /// A message carrying `payload` and no headers.
    pub fn new(payload: impl Into<Bytes>) -> Message {
        Message {
            headers: Vec::new(),
            payload: payload.into(),
        }
    }

    /// The message with header `name` added after the others.
    pub fn with_header(mut self, name: impl Into<String>, value: HeaderValue) -> Message {
        self.headers.push(Header::new(name, value));
        self
    }

    /// The value of the first header called `name`.
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|h| h.name == name)
            .map(|h| &h.value)
    }

    /// The value of the first header called `name` when it is a string.
    pub fn string_header(&self, name: &str) -> Option<&str> {
        match self.header(name)? {
            HeaderValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The encoded message.
    pub fn encode(&self) -> Result<Bytes, FrameError> {
        let mut out = Vec::new();
        self.encode_into(&mut out)?;
        Ok(Bytes::from(out))
    }

    /// Appends the encoded message to `out`; on error `out` is left as it was. Fails when a
    /// header cannot be written ([`FrameErrorKind::InvalidHeader`]) or the message or its
    /// headers exceed the limits ([`FrameErrorKind::TooLarge`]).
    pub fn encode_into(&self, out: &mut Vec<u8>) -> Result<(), FrameError> {
        let mut headers_len = 0usize;
        for h in &self.headers {
            headers_len += h.wire_len()?;
            if headers_len > MAX_HEADERS_LEN {
                return Err(FrameError::new(
                    FrameErrorKind::TooLarge,
                    format!("the headers exceed {MAX_HEADERS_LEN} bytes"),
                ));
            }
        }
        let total = MIN_MESSAGE_LEN + headers_len + self.payload.len();
        if total > MAX_MESSAGE_LEN {
            return Err(FrameError::new(
                FrameErrorKind::TooLarge,
                format!("a message of {total} bytes exceeds {MAX_MESSAGE_LEN}"),
            ));
        }
        out.reserve(total);
        let start = out.len();
        out.extend_from_slice(&(total as u32).to_be_bytes());
        out.extend_from_slice(&(headers_len as u32).to_be_bytes());
        let prelude_crc = crc32(&out[start..]);
        out.extend_from_slice(&prelude_crc.to_be_bytes());
        for h in &self.headers {
            h.write(out);
        }
        out.extend_from_slice(&self.payload);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
        debug_assert_eq!(out.len() - start, total);
        Ok(())
    }
}

/// Incremental decoder: bytes in ([`push`](Self::push)), whole messages out
/// ([`next_message`](Self::next_message)). Buffers at most one message (plus what was pushed
/// beyond it); payloads and byte-array headers share the buffer instead of being copied.
#[derive(Default)]
pub struct MessageDecoder {
    buf: BytesMut,
    failed: Option<FrameError>,
}

impl fmt::Debug for MessageDecoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageDecoder")
            .field("buffered", &self.buf.len())
            .field("failed", &self.failed)
            .finish()
    }
}

impl MessageDecoder {
    /// An empty decoder.
    pub fn new() -> MessageDecoder {
        MessageDecoder::default()
    }

    /// Adds the next bytes of the stream (ignored once decoding has failed).
    pub fn push(&mut self, chunk: &[u8]) {
        if self.failed.is_none() {
            self.buf.extend_from_slice(chunk);
        }
    }

    /// The next whole message, `Ok(None)` when more bytes are needed. After an error every
    /// call returns that error.
    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.decode_next();
        if let Err(e) = &result {
            self.fail(e.clone());
        }
        result
    }

    /// At the end of the stream, once [`next_message`](Self::next_message) has returned
    /// `Ok(None)`: `Err` of kind [`FrameErrorKind::Truncated`] when bytes of an incomplete
    /// message are left over, the earlier error if decoding failed, else `Ok`.
    pub fn finish(&self) -> Result<(), FrameError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        if self.buf.is_empty() {
            return Ok(());
        }
        let have = self.buf.len();
        let message = match self.prelude() {
            Ok(Some((total, _))) if have < total => {
                format!("the stream ended {have} bytes into a message of {total} bytes")
            }
            Ok(Some(_)) => format!("the stream ended with {have} bytes not yet decoded"),
            _ => format!("the stream ended {have} bytes into a message's 12-byte prelude"),
        };
        Err(FrameError::new(FrameErrorKind::Truncated, message))
    }

    /// Ends decoding with `error` (a body that broke off).
    pub(super) fn fail(&mut self, error: FrameError) {
        self.failed = Some(error);
        self.buf = BytesMut::new();
    }

    /// The checked (total length, headers length) of the buffered prelude, `None` while fewer
    /// than 12 bytes are buffered.
    fn prelude(&self) -> Result<Option<(usize, usize)>, FrameError> {
        let Some(p) = self.buf.get(..PRELUDE_LEN) else {
            return Ok(None);
        };
        let total = u32::from_be_bytes([p[0], p[1], p[2], p[3]]);
        let headers = u32::from_be_bytes([p[4], p[5], p[6], p[7]]);
        let declared = u32::from_be_bytes([p[8], p[9], p[10], p[11]]);
        let computed = crc32(&p[..8]);
        if declared != computed {
            return Err(FrameError::new(
                FrameErrorKind::PreludeChecksum,
                format!(
                    "prelude checksum mismatch (message says {declared:#010x}, computed {computed:#010x})"
                ),
            ));
        }
        let (total, headers) = (total as usize, headers as usize);
        if total > MAX_MESSAGE_LEN {
            return Err(FrameError::new(
                FrameErrorKind::TooLarge,
                format!("a message of {total} bytes exceeds {MAX_MESSAGE_LEN}"),
            ));
        }
        if headers > MAX_HEADERS_LEN {
            return Err(FrameError::new(
                FrameErrorKind::TooLarge,
                format!("headers of {headers} bytes exceed {MAX_HEADERS_LEN}"),
            ));
        }
        if total < MIN_MESSAGE_LEN {
            return Err(FrameError::new(
                FrameErrorKind::InvalidLength,
                format!("a message length of {total} is below the minimum {MIN_MESSAGE_LEN}"),
            ));
        }
        if headers > total - MIN_MESSAGE_LEN {
            return Err(FrameError::new(
                FrameErrorKind::InvalidLength,
                format!("headers of {headers} bytes do not fit a message of {total} bytes"),
            ));
        }
        Ok(Some((total, headers)))
    }

    fn decode_next(&mut self) -> Result<Option<Message>, FrameError> {
        let Some((total, headers_len)) = self.prelude()? else {
            return Ok(None);
        };
        if self.buf.len() < total {
            // Lengths are checked: at most MAX_MESSAGE_LEN, reserved once.
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        let frame = self.buf.split_to(total).freeze();
        let declared = u32::from_be_bytes([
            frame[total - 4],
            frame[total - 3],
            frame[total - 2],
            frame[total - 1],
        ]);
        let computed = crc32(&frame[..total - 4]);
        if declared != computed {
            return Err(FrameError::new(
                FrameErrorKind::MessageChecksum,
                format!(
                    "message checksum mismatch (message says {declared:#010x}, computed {computed:#010x})"
                ),
            ));
        }
        let headers_end = PRELUDE_LEN + headers_len;
        let headers = decode_headers(&frame, headers_end)?;
        Ok(Some(Message {
            headers,
            payload: frame.slice(headers_end..total - 4),
        }))
    }
}

/// A read position in a frame's headers section.
struct Cursor<'a> {
    frame: &'a Bytes,
    at: usize,
    end: usize,
}

impl<'a> Cursor<'a> {
    /// The next `n` bytes' range.
    fn take(&mut self, n: usize) -> Result<std::ops::Range<usize>, FrameError> {
        if self.end - self.at < n {
            return Err(FrameError::new(
                FrameErrorKind::InvalidHeader,
                "a header runs past the end of the headers section",
            ));
        }
        self.at += n;
        Ok(self.at - n..self.at)
    }

    /// The next `n` bytes.
    fn bytes(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        let frame: &'a Bytes = self.frame;
        Ok(&frame[self.take(n)?])
    }

    /// The next `N` bytes as an array.
    fn array<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.bytes(N)?);
        Ok(out)
    }

    /// The next UTF-8 text of `n` bytes; `what` names it in the error.
    fn text(&mut self, n: usize, what: impl FnOnce() -> String) -> Result<String, FrameError> {
        match std::str::from_utf8(self.bytes(n)?) {
            Ok(s) => Ok(s.to_owned()),
            Err(_) => Err(FrameError::new(
                FrameErrorKind::InvalidHeader,
                format!("{} is not UTF-8", what()),
            )),
        }
    }
}

/// The headers of `frame`, from the end of the prelude to `end`.
fn decode_headers(frame: &Bytes, end: usize) -> Result<Vec<Header>, FrameError> {
    let mut c = Cursor {
        frame,
        at: PRELUDE_LEN,
        end,
    };
    let mut headers = Vec::new();
    while c.at < c.end {
        let [name_len] = c.array()?;
        let name = c.text(usize::from(name_len), || "a header name".to_owned())?;
        let [ty] = c.array()?;
        let value = match ty {
            0 => HeaderValue::Bool(true),
            1 => HeaderValue::Bool(false),
            2 => HeaderValue::Byte(i8::from_be_bytes(c.array()?)),
            3 => HeaderValue::Int16(i16::from_be_bytes(c.array()?)),
            4 => HeaderValue::Int32(i32::from_be_bytes(c.array()?)),
            5 => HeaderValue::Int64(i64::from_be_bytes(c.array()?)),
            6 => {
                let len = u16::from_be_bytes(c.array()?);
                HeaderValue::ByteArray(frame.slice(c.take(usize::from(len))?))
            }
            7 => {
                let len = u16::from_be_bytes(c.array()?);
                HeaderValue::String(
                    c.text(usize::from(len), || format!("the value of header {name:?}"))?,
                )
            }
            8 => HeaderValue::Timestamp(DateTime::from_millis(i64::from_be_bytes(c.array()?))),
            9 => HeaderValue::Uuid(c.array()?),
            other => {
                return Err(FrameError::new(
                    FrameErrorKind::InvalidHeader,
                    format!("header {name:?} has unknown value type {other}"),
                ))
            }
        };
        headers.push(Header { name, value });
    }
    Ok(headers)
}
