//! What generated clients hand to users: [`EventReceiver`] (an output stream, read with
//! `recv().await`) and [`EventStreamSender`] (an input stream the user fills), plus the helpers
//! the generated marshallers and unmarshallers call.

use std::fmt;
use std::task::{Context, Poll};

pub use bytes::Bytes;

use super::{FrameError, HeaderValue, Message, MessageStream};
use crate::error::{BuildError, BuildErrorKind, ErrorMetadata, ResponseError, SdkError, Unhandled};
use crate::json::JsonError;
use crate::types::{Blob, ByteStream, DateTime};

/// What one received message is, for a generated unmarshaller.
#[derive(Debug)]
pub enum Unmarshalled<T, E> {
    /// An event of the stream.
    Event(T),
    /// A modeled exception or an error message: the stream ends with it.
    Error(E),
    /// A message that carries no event (an RPC protocol's `initial-response`).
    Skip,
}

/// The kind of a received message, from its `:message-type` header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Incoming<'a> {
    /// `event`, with its `:event-type`.
    Event(&'a str),
    /// `exception`, with its `:exception-type`.
    Exception(&'a str),
    /// `error` (`:error-code`, `:error-message`).
    Error,
    /// The `initial-response` event of the RPC protocols.
    InitialResponse,
}

/// Reads the kind of `msg`: a message without a string `:message-type`, an event without a
/// string `:event-type` or an exception without a string `:exception-type` is refused.
pub fn classify(msg: &Message) -> Result<Incoming<'_>, JsonError> {
    let bad = |why: &str| JsonError::new(0, format!("event stream message {why}"));
    match msg.header(":message-type") {
        Some(HeaderValue::String(t)) => match t.as_str() {
            "event" => match msg.header(":event-type") {
                Some(HeaderValue::String(e)) if e == "initial-response" => {
                    Ok(Incoming::InitialResponse)
                }
                Some(HeaderValue::String(e)) => Ok(Incoming::Event(e)),
                Some(_) => Err(bad("has an :event-type header that is not a string")),
                None => Err(bad("has no :event-type header")),
            },
            "exception" => match msg.header(":exception-type") {
                Some(HeaderValue::String(e)) => Ok(Incoming::Exception(e)),
                Some(_) => Err(bad("has an :exception-type header that is not a string")),
                None => Err(bad("has no :exception-type header")),
            },
            "error" => Ok(Incoming::Error),
            other => Err(bad(&format!("has an unknown :message-type {other:?}"))),
        },
        Some(_) => Err(bad("has a :message-type header that is not a string")),
        None => Err(bad("has no :message-type header")),
    }
}

/// The metadata of a modeled exception: its `:exception-type` as the code and, from a JSON
/// payload, the message the JSON error responses give (`message`, `Message`, `errorMessage`).
pub fn exception_meta(msg: &Message) -> ErrorMetadata {
    ErrorMetadata {
        code: msg.string_header(":exception-type").map(str::to_string),
        message: crate::protocol::json_error_message(&msg.payload),
        request_id: None,
        status: 200,
    }
}

/// An exception the stream's error enum does not model, or an `error` message
/// (`:error-code`, `:error-message`).
pub fn unhandled(msg: &Message) -> Unhandled {
    Unhandled::new(error_meta(msg))
}

fn error_meta(msg: &Message) -> ErrorMetadata {
    if msg.string_header(":message-type") == Some("error") {
        ErrorMetadata {
            code: msg.string_header(":error-code").map(str::to_string),
            message: msg.string_header(":error-message").map(str::to_string),
            request_id: None,
            status: 200,
        }
    } else {
        exception_meta(msg)
    }
}

/// The error of an event that cannot be written as a message.
pub fn marshal_error(event: &str, why: &str) -> BuildError {
    BuildError::new(
        BuildErrorKind::Other,
        format!("event {event:?} cannot be sent: {why}"),
    )
}

/// A type an event header can be read as.
pub trait FromHeaderValue: Sized {
    /// The value, or `None` when the header has another type.
    fn from_header_value(v: &HeaderValue) -> Option<Self>;
}

/// A type an event header can be written from.
pub trait ToHeaderValue {
    /// The header value.
    fn to_header_value(&self) -> HeaderValue;
}

macro_rules! header_types {
    ($($t:ty => $variant:ident),*) => {$(
        impl FromHeaderValue for $t {
            fn from_header_value(v: &HeaderValue) -> Option<Self> {
                match v { HeaderValue::$variant(x) => Some(x.clone()), _ => None }
            }
        }
        impl ToHeaderValue for $t {
            fn to_header_value(&self) -> HeaderValue { HeaderValue::$variant(self.clone()) }
        }
    )*};
}

header_types!(bool => Bool, i8 => Byte, i16 => Int16, i32 => Int32, i64 => Int64, String => String, DateTime => Timestamp);

impl FromHeaderValue for Blob {
    fn from_header_value(v: &HeaderValue) -> Option<Self> {
        match v {
            HeaderValue::ByteArray(b) => Some(Blob::new(b.to_vec())),
            _ => None,
        }
    }
}

impl ToHeaderValue for Blob {
    fn to_header_value(&self) -> HeaderValue {
        HeaderValue::ByteArray(Bytes::copy_from_slice(self.as_ref()))
    }
}

/// Header `name` of `msg` as a `T`: `None` when absent, an error when it has another type.
pub fn header<T: FromHeaderValue>(msg: &Message, name: &str) -> Result<Option<T>, JsonError> {
    match msg.header(name) {
        None => Ok(None),
        Some(v) => T::from_header_value(v).map(Some).ok_or_else(|| {
            JsonError::new(
                0,
                format!("event header {name:?} does not have the type the model gives it"),
            )
        }),
    }
}

type Unmarshal<T, E> = Box<dyn Fn(&Message) -> Result<Unmarshalled<T, E>, String> + Send + Sync>;

/// An output event stream: the events of the response, read one at a time with
/// [`recv`](Self::recv). `E` is the stream's error enum (its modeled exceptions plus
/// `Unhandled`).
pub struct EventReceiver<T, E> {
    messages: MessageStream,
    unmarshal: Option<Unmarshal<T, E>>,
    done: bool,
}

impl<T, E> EventReceiver<T, E> {
    /// Reads the events of `body` with a generated unmarshaller.
    pub fn new<D: fmt::Display + 'static>(
        body: ByteStream,
        unmarshal: fn(&Message) -> Result<Unmarshalled<T, E>, D>,
    ) -> Self
    where
        T: 'static,
        E: 'static,
    {
        EventReceiver {
            messages: MessageStream::new(body),
            unmarshal: Some(Box::new(move |m| unmarshal(m).map_err(|e| e.to_string()))),
            done: false,
        }
    }

    /// The next event; `Ok(None)` when the stream has ended. A modeled exception is
    /// [`SdkError::Service`]; a broken, truncated or corrupt message, or one that does not
    /// match the model, is [`SdkError::Response`]. After an error the stream is over.
    pub async fn recv(&mut self) -> Result<Option<T>, SdkError<E>> {
        if self.done {
            return Ok(None);
        }
        loop {
            let msg = match self.messages.next_message().await {
                Ok(Some(m)) => m,
                Ok(None) => {
                    self.done = true;
                    return Ok(None);
                }
                Err(e) => return Err(self.fail_frame(e)),
            };
            let Some(unmarshal) = &self.unmarshal else {
                self.done = true;
                return Ok(None);
            };
            match unmarshal(&msg) {
                Ok(Unmarshalled::Event(t)) => return Ok(Some(t)),
                Ok(Unmarshalled::Skip) => continue,
                Ok(Unmarshalled::Error(e)) => {
                    self.done = true;
                    return Err(SdkError::service(e, error_meta(&msg)));
                }
                Err(why) => {
                    self.done = true;
                    return Err(SdkError::Response(ResponseError::new(
                        200,
                        None,
                        format!("event stream: unreadable message: {why}"),
                    )));
                }
            }
        }
    }

    fn fail_frame(&mut self, e: FrameError) -> SdkError<E> {
        self.done = true;
        SdkError::Response(ResponseError::new(200, None, e.to_string()))
    }
}

impl<T, E> Default for EventReceiver<T, E> {
    /// A stream with no events.
    fn default() -> Self {
        EventReceiver {
            messages: MessageStream::new(ByteStream::default()),
            unmarshal: None,
            done: true,
        }
    }
}

impl<T, E> fmt::Debug for EventReceiver<T, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventReceiver")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

enum Source<T> {
    Items(std::vec::IntoIter<T>),
    Channel(tokio::sync::mpsc::Receiver<T>),
}

/// An input event stream: the events a call sends, from a list or from a channel the caller
/// keeps writing to while the call runs (the stream ends when every `Sender` is dropped).
///
/// ```
/// # use awsrt::event_stream::EventStreamSender;
/// let (stream, tx) = EventStreamSender::<String>::channel(8);
/// # drop((stream, tx));
/// let fixed: EventStreamSender<String> = vec!["a".to_string(), "b".to_string()].into();
/// # drop(fixed);
/// ```
pub struct EventStreamSender<T> {
    source: Source<T>,
}

impl<T> EventStreamSender<T> {
    /// A stream fed through the returned channel; drop the sender to end it.
    pub fn channel(capacity: usize) -> (Self, tokio::sync::mpsc::Sender<T>) {
        let (tx, rx) = tokio::sync::mpsc::channel(capacity.max(1));
        (Self::from_receiver(rx), tx)
    }

    /// A stream of the events received on `rx`.
    pub fn from_receiver(rx: tokio::sync::mpsc::Receiver<T>) -> Self {
        EventStreamSender {
            source: Source::Channel(rx),
        }
    }

    /// A stream of the given events.
    pub fn from_events(events: impl IntoIterator<Item = T>) -> Self {
        EventStreamSender {
            source: Source::Items(events.into_iter().collect::<Vec<_>>().into_iter()),
        }
    }

    /// The messages of the stream, each written by a generated marshaller (for the call).
    #[doc(hidden)]
    pub fn into_body(self, marshal: fn(&T) -> Result<Message, BuildError>) -> EventBody
    where
        T: Send + 'static,
    {
        let mut source = self.source;
        EventBody {
            next: Box::new(move |cx| {
                let item = match &mut source {
                    Source::Items(it) => Poll::Ready(it.next()),
                    Source::Channel(rx) => rx.poll_recv(cx),
                };
                item.map(|o| o.map(|t| marshal(&t)))
            }),
        }
    }
}

impl<T> Default for EventStreamSender<T> {
    /// A stream with no events.
    fn default() -> Self {
        EventStreamSender {
            source: Source::Items(Vec::new().into_iter()),
        }
    }
}

impl<T> From<Vec<T>> for EventStreamSender<T> {
    fn from(events: Vec<T>) -> Self {
        EventStreamSender {
            source: Source::Items(events.into_iter()),
        }
    }
}

impl<T> fmt::Debug for EventStreamSender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.source {
            Source::Items(_) => "events",
            Source::Channel(_) => "channel",
        };
        f.debug_struct("EventStreamSender")
            .field("source", &kind)
            .finish()
    }
}

type NextMessage =
    Box<dyn FnMut(&mut Context<'_>) -> Poll<Option<Result<Message, BuildError>>> + Send>;

/// The unsigned messages of an input stream, in order (built by
/// [`EventStreamSender::into_body`]; the pipeline signs and frames them).
pub struct EventBody {
    next: NextMessage,
}

impl EventBody {
    /// The next message, `None` at the end of the stream.
    pub fn poll_next(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<Message, BuildError>>> {
        (self.next)(cx)
    }

    /// [`poll_next`](Self::poll_next) as a future.
    pub async fn next(&mut self) -> Option<Result<Message, BuildError>> {
        std::future::poll_fn(|cx| self.poll_next(cx)).await
    }
}

impl fmt::Debug for EventBody {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventBody").finish_non_exhaustive()
    }
}

/// The reply of an event-stream call whose output is not a stream: the body read whole.
pub async fn collect_reply<E>(
    mut reply: crate::client::Reply,
    body: ByteStream,
) -> Result<crate::client::Reply, SdkError<E>> {
    if reply.response.body.is_empty() {
        reply.response.body = body.collect().await.map_err(|e| {
            SdkError::Response(ResponseError::new(
                reply.response.status,
                None,
                format!("the response body broke off: {e}"),
            ))
        })?;
    }
    Ok(reply)
}
