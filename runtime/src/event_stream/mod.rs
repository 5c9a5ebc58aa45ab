//! `application/vnd.amazon.eventstream`: the binary message framing of event streams
//! (`@streaming` unions), and the chained SigV4 signature of the messages a client sends.
//!
//! # Framing ([`Message`], [`MessageDecoder`], [`MessageStream`])
//!
//! A message is, big-endian throughout:
//!
//! ```text
//! total length (4) | headers length (4) | CRC32 of those 8 bytes (4)
//! headers (headers length bytes) | payload | CRC32 of everything before it (4)
//! ```
//!
//! and each header is `name length (1) | name | type (1) | value`, the value of a byte array or
//! a string being preceded by its 2-byte length ([`HeaderValue`] lists the ten types). The
//! CRCs are CRC-32 (IEEE, the one of gzip). A message is refused, with a typed [`FrameError`],
//! before anything is allocated for it when its total length exceeds [`MAX_MESSAGE_LEN`]
//! (16 MiB), its headers exceed [`MAX_HEADERS_LEN`] (128 KiB), or its length is below the
//! [`MIN_MESSAGE_LEN`] of 16 bytes. An error ends the stream: the framing cannot be found
//! again after it, and the decoder returns the same error from then on.
//!
//! ```
//! use awsrt::event_stream::{HeaderValue, Message, MessageDecoder};
//! let msg = Message::new(&b"{\"a\":1}"[..])
//!     .with_header(":message-type", HeaderValue::String("event".into()))
//!     .with_header(":event-type", HeaderValue::String("Chunk".into()));
//! let bytes = msg.encode().unwrap();
//! let mut decoder = MessageDecoder::new();
//! decoder.push(&bytes[..5]);
//! assert_eq!(decoder.next_message().unwrap(), None); // needs more bytes
//! decoder.push(&bytes[5..]);
//! let back = decoder.next_message().unwrap().unwrap();
//! assert_eq!(back.string_header(":event-type"), Some("Chunk"));
//! assert_eq!(back, msg);
//! decoder.finish().unwrap();
//! ```
//!
//! # Signing ([`MessageSigner`])
//!
//! Each message a client sends is wrapped, encoded, as the payload of an outer message whose
//! headers are `:date` (the signing time, whole seconds) and `:chunk-signature` (32 bytes):
//! HMAC-SHA256 with the day's SigV4 signing key of
//!
//! ```text
//! AWS4-HMAC-SHA256-PAYLOAD
//! <YYYYMMDDTHHMMSSZ>
//! <YYYYMMDD>/<region>/<service>/aws4_request
//! <previous signature, hex>
//! <hex SHA-256 of the encoded :date header>
//! <hex SHA-256 of the payload (the encoded inner message)>
//! ```
//!
//! The first previous signature is the seed: the signature of the HTTP request that opened the
//! stream. The stream ends with a message signed the same way around an empty payload.

mod channel;
mod frame;
mod sign;

#[cfg(test)]
mod smithy_vectors;
#[cfg(test)]
mod tests;

use std::fmt;

pub use channel::{
    classify, collect_reply, exception_meta, header, marshal_error, unhandled, Bytes, EventBody,
    EventReceiver, EventStreamSender, FromHeaderValue, Incoming, ToHeaderValue, Unmarshalled,
};
pub use frame::{
    Header, HeaderValue, Message, MessageDecoder, MAX_HEADERS_LEN, MAX_MESSAGE_LEN, MIN_MESSAGE_LEN,
};
pub use sign::MessageSigner;

use crate::types::ByteStream;

/// What was wrong with a message (see [`FrameError::kind`]).
#[non_exhaustive]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameErrorKind {
    /// The stream ended inside a message.
    Truncated,
    /// The CRC of the prelude (the two lengths) does not match.
    PreludeChecksum,
    /// The CRC of the whole message does not match.
    MessageChecksum,
    /// The message exceeds [`MAX_MESSAGE_LEN`] or its headers exceed [`MAX_HEADERS_LEN`]
    /// (decoding, encoding or signing), or a header value exceeds its 2-byte length.
    TooLarge,
    /// A header is malformed: an unknown value type, a name or string that is not UTF-8, a
    /// value running past the headers section; or cannot be written: a name longer than 255
    /// bytes, a timestamp beyond 64-bit milliseconds.
    InvalidHeader,
    /// The body the messages are read from broke off ([`MessageStream`]).
    Io,
    /// The lengths of the prelude contradict each other: a total length below
    /// [`MIN_MESSAGE_LEN`], or headers longer than the message holds.
    InvalidLength,
    /// The signing time cannot be written as an AWS date (before 1970 or after 9999).
    InvalidTime,
}

/// A message that cannot be decoded, encoded or signed. `Display` says what was wrong; it
/// never shows header values or payloads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameError {
    kind: FrameErrorKind,
    message: String,
}

impl FrameError {
    pub(crate) fn new(kind: FrameErrorKind, message: impl Into<String>) -> FrameError {
        FrameError {
            kind,
            message: message.into(),
        }
    }

    /// What kind of problem it is.
    pub fn kind(&self) -> FrameErrorKind {
        self.kind
    }

    /// The description `Display` shows.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "event stream: {}", self.message)
    }
}

impl std::error::Error for FrameError {}

/// Reads messages from a response body as its chunks arrive.
#[derive(Debug)]
pub struct MessageStream {
    body: ByteStream,
    decoder: MessageDecoder,
    ended: bool,
}

impl MessageStream {
    /// A stream of the messages of `body`.
    pub fn new(body: ByteStream) -> MessageStream {
        MessageStream {
            body,
            decoder: MessageDecoder::new(),
            ended: false,
        }
    }

    /// The next message; `Ok(None)` once the body has ended cleanly (and from then on). A body
    /// that broke off is an error of kind [`FrameErrorKind::Io`], a body ending inside a
    /// message one of kind [`FrameErrorKind::Truncated`]; after an error every call returns
    /// it again.
    pub async fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        loop {
            if let Some(message) = self.decoder.next_message()? {
                return Ok(Some(message));
            }
            if self.ended {
                self.decoder.finish()?;
                return Ok(None);
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.decoder.push(&chunk),
                Some(Err(e)) => {
                    let err =
                        FrameError::new(FrameErrorKind::Io, format!("the body broke off: {e}"));
                    self.decoder.fail(err.clone());
                    return Err(err);
                }
                None => self.ended = true,
            }
        }
    }
}

/// Fuzzing entry point (`fuzz/fuzz_targets/event_stream_frames.rs`): byte 0 steers, the rest
/// is a byte stream fed to a [`MessageDecoder`]. Bit 7 of byte 0 first rewrites the CRCs of
/// the frames the input's lengths describe (so the header parser is reached), the other
/// bits choose the sizes of the chunks the input is pushed in (bits 0-6 all clear: one byte
/// at a time).
///
/// Checks, and panics when one fails: decoding in those chunks gives the same messages and
/// the same error as decoding the input whole, and the messages decoded re-encode to exactly
/// the bytes they came from.
pub fn validate_fuzz_input(data: &[u8]) {
    check_fuzz_input(data);
}

/// [`validate_fuzz_input`], returning how many messages were decoded and the error that
/// ended the stream, if any (for the in-crate mutation test's statistics).
pub(crate) fn check_fuzz_input(data: &[u8]) -> (usize, Option<FrameErrorKind>) {
    let Some((&control, rest)) = data.split_first() else {
        return (0, None);
    };
    let mut input = rest.to_vec();
    if control & 0x80 != 0 {
        fix_crcs(&mut input);
    }
    let whole = decode_chunks(std::iter::once(&input[..]));
    let max_chunk = 1 + usize::from(control & 0x7f) * 2;
    let mut state = u64::from(control).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let mut chunks = Vec::new();
    let mut at = 0;
    while at < input.len() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let n = if control & 0x7f == 0 {
            1
        } else {
            1 + (state % max_chunk as u64) as usize
        };
        let end = (at + n).min(input.len());
        chunks.push(&input[at..end]);
        at = end;
    }
    let split = decode_chunks(chunks.into_iter());
    assert_eq!(whole, split, "chunked decoding differs from whole decoding");
    let mut again = Vec::new();
    for m in &whole.0 {
        if let Err(e) = m.encode_into(&mut again) {
            panic!("a decoded message does not re-encode: {e}");
        }
    }
    assert!(
        input.starts_with(&again),
        "decoded messages re-encode to other bytes"
    );
    (whole.0.len(), whole.1.err().map(|e| e.kind()))
}

/// Every message of `chunks` pushed in turn, and how the stream ended.
fn decode_chunks<'a>(
    chunks: impl Iterator<Item = &'a [u8]>,
) -> (Vec<Message>, Result<(), FrameError>) {
    let mut decoder = MessageDecoder::new();
    let mut out = Vec::new();
    for chunk in chunks {
        decoder.push(chunk);
        loop {
            match decoder.next_message() {
                Ok(Some(m)) => out.push(m),
                Ok(None) => break,
                Err(e) => return (out, Err(e)),
            }
        }
    }
    let end = decoder.finish();
    (out, end)
}

/// Rewrites the prelude and message CRCs of the frames whose lengths `buf` holds, as far as
/// those lengths stay inside `buf`.
pub(crate) fn fix_crcs(buf: &mut [u8]) {
    let mut at = 0;
    while buf.len() - at >= 12 {
        let prelude = crate::checksum::crc32(&buf[at..at + 8]);
        buf[at + 8..at + 12].copy_from_slice(&prelude.to_be_bytes());
        let total = u32::from_be_bytes([buf[at], buf[at + 1], buf[at + 2], buf[at + 3]]) as usize;
        if total < MIN_MESSAGE_LEN || total > buf.len() - at {
            return;
        }
        let end = at + total;
        let crc = crate::checksum::crc32(&buf[at..end - 4]);
        buf[end - 4..end].copy_from_slice(&crc.to_be_bytes());
        at = end;
    }
}
