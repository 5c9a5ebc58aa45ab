//! Errors returned by generated clients: [`SdkError`] and its parts.
//!
//! * [`SdkError::Construction`]: the request could not be built (missing field, bad endpoint
//!   configuration, no credentials). Nothing was sent.
//! * [`SdkError::Timeout`]: a connect, read, attempt or operation timeout fired.
//! * [`SdkError::Dispatch`]: the request could not be exchanged with the server (connection refused,
//!   reset, TLS failure).
//! * [`SdkError::Response`]: a response arrived but could not be understood.
//! * [`SdkError::Service`]: the service answered with an error; `E` is the operation's error enum.
//!
//! [`SdkError::into_service_error`] turns any of them into the operation's error enum (the
//! failures that are not service errors become its `Unhandled` variant, carrying the failure as
//! its source), [`ProvideErrorMetadata`] gives `code()`, `message()` and `request_id()` on all
//! of these errors, and [`DisplayErrorContext`] prints an error with its whole source chain on
//! one line.

use std::fmt;
use std::time::Duration;

use crate::http::{TransportError, TransportErrorKind, TransportTimeout};

/// Code, message, request id and HTTP status of an error response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ErrorMetadata {
    /// The error code (shape name without namespace), e.g. `ResourceNotFoundException`.
    pub code: Option<String>,
    /// The human-readable message sent by the service.
    pub message: Option<String>,
    /// The request id (`x-amzn-RequestId`).
    pub request_id: Option<String>,
    /// The HTTP status code.
    pub status: u16,
}

impl ErrorMetadata {
    /// Metadata of a modeled error built in code (not parsed from a response): its `code`,
    /// `message` and the HTTP `status` the service would send it with; no request id.
    pub fn modeled(code: &str, message: Option<String>, status: u16) -> Self {
        ErrorMetadata {
            code: Some(code.to_string()),
            message,
            request_id: None,
            status,
        }
    }
}

/// Metadata of the failures that are not error responses.
static NO_METADATA: ErrorMetadata = ErrorMetadata {
    code: None,
    message: None,
    request_id: None,
    status: 0,
};

impl fmt::Display for ErrorMetadata {
    /// `Code: message (request id X, HTTP 400)`; missing parts are left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.message) {
            (Some(c), Some(m)) => write!(f, "{c}: {m}")?,
            (Some(c), None) => f.write_str(c)?,
            (None, Some(m)) => write!(f, "unknown error: {m}")?,
            (None, None) => f.write_str("unknown error")?,
        }
        match &self.request_id {
            Some(id) => write!(f, " (request id {id}, HTTP {})", self.status),
            None => write!(f, " (HTTP {})", self.status),
        }
    }
}

/// Access to the [`ErrorMetadata`] of an error: implemented by [`SdkError`], by every generated
/// error enum and error structure, and by [`Unhandled`]. Import it to call `code()`,
/// `message()` and `request_id()` on any of them:
///
/// ```
/// use awsrt::error::{ErrorMetadata, ProvideErrorMetadata, SdkError, Unhandled};
///
/// fn log_failure(err: &impl ProvideErrorMetadata) -> String {
///     format!("{} ({})", err.code().unwrap_or("no code"), err.request_id().unwrap_or("no request id"))
/// }
/// let meta = ErrorMetadata { code: Some("Throttling".into()), request_id: Some("r1".into()), ..Default::default() };
/// let err: SdkError<Unhandled> = SdkError::service(Unhandled::new(meta.clone()), meta);
/// assert_eq!(log_failure(&err), "Throttling (r1)");
/// assert_eq!(log_failure(&err.into_service_error()), "Throttling (r1)");
/// ```
pub trait ProvideErrorMetadata {
    /// The metadata of the error response.
    fn meta(&self) -> &ErrorMetadata;
    /// The error code, e.g. `ResourceNotFoundException`.
    fn code(&self) -> Option<&str> {
        self.meta().code.as_deref()
    }
    /// The service's message.
    fn message(&self) -> Option<&str> {
        self.meta().message.as_deref()
    }
    /// The request id.
    fn request_id(&self) -> Option<&str> {
        self.meta().request_id.as_deref()
    }
}

/// A modeled error structure or [`Unhandled`]: what a generated error enum's variants hold, seen
/// through one trait object (its `Display`, `source()` and metadata come from here).
pub trait ModeledError: ProvideErrorMetadata + fmt::Display {
    /// The same error as a `std` error.
    fn as_error(&self) -> &(dyn std::error::Error + 'static);
}

impl<T: std::error::Error + ProvideErrorMetadata + 'static> ModeledError for T {
    fn as_error(&self) -> &(dyn std::error::Error + 'static) {
        self
    }
}

impl ProvideErrorMetadata for ErrorMetadata {
    fn meta(&self) -> &ErrorMetadata {
        self
    }
}

/// An error response whose code is not modeled for the operation (the `Unhandled` variant of
/// generated error enums), or, from [`SdkError::into_service_error`], a failure that is not an
/// error response at all (timeout, dispatch, construction, unparseable response), carried as its
/// [`source`](std::error::Error::source).
#[derive(Clone, Debug)]
pub struct Unhandled {
    meta: ErrorMetadata,
    source: Option<std::sync::Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl Unhandled {
    /// Wraps the metadata of an unmodeled error.
    pub fn new(meta: ErrorMetadata) -> Self {
        Unhandled { meta, source: None }
    }

    /// An error that is not an error response: `source` says what happened; `meta` is what is
    /// known of the response, if any (status and request id of an unparseable one).
    pub fn with_source(
        meta: ErrorMetadata,
        source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>,
    ) -> Self {
        Unhandled {
            meta,
            source: Some(std::sync::Arc::from(source.into())),
        }
    }

    /// The failure this error stands for, when it is not an error response.
    pub fn source_error(&self) -> Option<&(dyn std::error::Error + Send + Sync + 'static)> {
        self.source.as_deref()
    }
}

impl PartialEq for Unhandled {
    /// Equal metadata, and sources that are both absent or say the same.
    fn eq(&self, other: &Self) -> bool {
        self.meta == other.meta
            && match (&self.source, &other.source) {
                (None, None) => true,
                (Some(a), Some(b)) => a.to_string() == b.to_string(),
                _ => false,
            }
    }
}

impl Eq for Unhandled {}

impl ProvideErrorMetadata for Unhandled {
    fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }
}

impl fmt::Display for Unhandled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            // The failure says what happened ("timeout: operation timed out after 1.5s").
            Some(src) if self.meta.code.is_none() => fmt::Display::fmt(src, f),
            _ => fmt::Display::fmt(&self.meta, f),
        }
    }
}

impl std::error::Error for Unhandled {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What kind of [`BuildError`] happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildErrorKind {
    /// A required input member was not set.
    MissingField,
    /// An input member has a value the request cannot carry.
    InvalidField,
    /// Endpoint resolution failed (including a missing region).
    Endpoint,
    /// Credentials could not be loaded.
    Credentials,
    /// A paginator saw the service return the token it was just sent.
    PaginationLoop,
    /// Anything else that prevented building the request.
    Other,
}

/// The request could not be constructed; nothing was sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    kind: BuildErrorKind,
    field: Option<String>,
    details: String,
}

impl BuildError {
    /// A required `field` is missing.
    pub fn missing_field(field: impl Into<String>, details: impl Into<String>) -> Self {
        BuildError {
            kind: BuildErrorKind::MissingField,
            field: Some(field.into()),
            details: details.into(),
        }
    }

    /// `field` has an unusable value.
    pub fn invalid_field(field: impl Into<String>, details: impl Into<String>) -> Self {
        BuildError {
            kind: BuildErrorKind::InvalidField,
            field: Some(field.into()),
            details: details.into(),
        }
    }

    /// A failure of `kind` that is not about one field.
    pub fn new(kind: BuildErrorKind, details: impl Into<String>) -> Self {
        BuildError {
            kind,
            field: None,
            details: details.into(),
        }
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> BuildErrorKind {
        self.kind
    }

    /// The input member concerned, if any.
    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    /// The explanation.
    pub fn details(&self) -> &str {
        &self.details
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &self.details;
        let sep = if d.is_empty() { "" } else { ": " };
        match (self.kind, &self.field) {
            (BuildErrorKind::MissingField, Some(field)) => {
                write!(f, "missing required field `{field}`{sep}{d}")
            }
            (BuildErrorKind::InvalidField, Some(field)) => {
                write!(f, "invalid field `{field}`{sep}{d}")
            }
            (BuildErrorKind::Endpoint, _) => write!(f, "endpoint resolution failed{sep}{d}"),
            (BuildErrorKind::Credentials, _) => write!(f, "failed to load credentials{sep}{d}"),
            (BuildErrorKind::PaginationLoop, _) => write!(f, "pagination stopped{sep}{d}"),
            _ => f.write_str(d),
        }
    }
}

impl std::error::Error for BuildError {}

/// Which timeout fired.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeoutKind {
    /// Establishing the connection.
    Connect,
    /// Waiting for response data.
    Read,
    /// One attempt (request + response) took too long.
    Attempt,
    /// The whole operation, including retries and backoff, took too long.
    Operation,
}

/// A timeout fired.
#[derive(Debug)]
pub struct TimeoutError {
    kind: TimeoutKind,
    after: Option<Duration>,
    source: Option<TransportError>,
}

impl TimeoutError {
    /// A timeout of `kind` after `after`.
    pub fn new(kind: TimeoutKind, after: Option<Duration>) -> Self {
        TimeoutError {
            kind,
            after,
            source: None,
        }
    }

    /// From a transport timeout ([`TransportError::is_timeout`]).
    pub fn from_transport(err: TransportError) -> Self {
        let kind = match err.kind() {
            TransportErrorKind::Timeout(TransportTimeout::Connect) => TimeoutKind::Connect,
            _ => TimeoutKind::Read,
        };
        TimeoutError {
            kind,
            after: None,
            source: Some(err),
        }
    }

    /// Which timeout fired.
    pub fn kind(&self) -> TimeoutKind {
        self.kind
    }

    /// The configured limit, when known.
    pub fn after(&self) -> Option<Duration> {
        self.after
    }
}

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(src) = &self.source {
            return fmt::Display::fmt(src, f);
        }
        let what = match self.kind {
            TimeoutKind::Connect => "connect",
            TimeoutKind::Read => "read",
            TimeoutKind::Attempt => "attempt",
            TimeoutKind::Operation => "operation",
        };
        match self.after {
            Some(d) => write!(f, "{what} timed out after {d:?}"),
            None => write!(f, "{what} timed out"),
        }
    }
}

impl std::error::Error for TimeoutError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// The request could not be exchanged with the server.
#[derive(Debug)]
pub struct DispatchError {
    source: TransportError,
}

impl DispatchError {
    /// Wraps a transport failure.
    pub fn new(source: TransportError) -> Self {
        DispatchError { source }
    }

    /// The transport failure.
    pub fn transport_error(&self) -> &TransportError {
        &self.source
    }

    /// The class of the failure.
    pub fn kind(&self) -> TransportErrorKind {
        self.source.kind()
    }

    /// `true` when the connection could not be established.
    pub fn is_connect(&self) -> bool {
        self.kind() == TransportErrorKind::Connect
    }

    /// `true` when the connection broke mid-exchange.
    pub fn is_io(&self) -> bool {
        self.kind() == TransportErrorKind::Io
    }
}

impl fmt::Display for DispatchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.source, f)
    }
}

impl std::error::Error for DispatchError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// A response arrived but could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResponseError {
    status: u16,
    request_id: Option<String>,
    reason: String,
}

impl ResponseError {
    /// A response with `status` (and `request_id`) could not be parsed because of `reason`.
    pub fn new(status: u16, request_id: Option<String>, reason: impl Into<String>) -> Self {
        ResponseError {
            status,
            request_id,
            reason: reason.into(),
        }
    }

    /// Same as [`ResponseError::new`], taking status and request id from `resp`.
    pub fn from_response(resp: &crate::http::HttpResponse, reason: impl Into<String>) -> Self {
        ResponseError::new(resp.status, crate::protocol::request_id(resp), reason)
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The request id, when the response had one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// Why parsing failed.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ResponseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.reason)?;
        match &self.request_id {
            Some(id) => write!(f, " (request id {id}, HTTP {})", self.status),
            None => write!(f, " (HTTP {})", self.status),
        }
    }
}

impl std::error::Error for ResponseError {}

/// An error response from the service: the operation error `E` plus its metadata.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceError<E> {
    err: E,
    meta: ErrorMetadata,
}

impl<E> ServiceError<E> {
    /// Pairs the parsed error with its metadata.
    pub fn new(err: E, meta: ErrorMetadata) -> Self {
        ServiceError { err, meta }
    }

    /// The operation error.
    pub fn err(&self) -> &E {
        &self.err
    }

    /// Takes the operation error.
    pub fn into_err(self) -> E {
        self.err
    }

    /// Code, message, request id and status.
    pub fn meta(&self) -> &ErrorMetadata {
        &self.meta
    }

    /// The HTTP status of the error response.
    pub fn status(&self) -> u16 {
        self.meta.status
    }
}

/// The error type of every generated operation.
#[derive(Debug)]
pub enum SdkError<E> {
    /// The request could not be built; nothing was sent.
    Construction(BuildError),
    /// A timeout fired.
    Timeout(TimeoutError),
    /// The request could not be exchanged with the server.
    Dispatch(DispatchError),
    /// The response could not be parsed.
    Response(ResponseError),
    /// The service returned an error.
    Service(ServiceError<E>),
}

/// An uninhabited error type: `SdkError<Never>` has no service errors.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Never {}

impl fmt::Display for Never {
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {}
    }
}

impl std::error::Error for Never {}

impl SdkError<Never> {
    /// Converts into an `SdkError` with any service error type (there is no service error to convert).
    pub fn cast<E>(self) -> SdkError<E> {
        match self {
            SdkError::Construction(e) => SdkError::Construction(e),
            SdkError::Timeout(e) => SdkError::Timeout(e),
            SdkError::Dispatch(e) => SdkError::Dispatch(e),
            SdkError::Response(e) => SdkError::Response(e),
            SdkError::Service(s) => match s.err {},
        }
    }
}

impl<E> SdkError<E> {
    /// Builds [`SdkError::Service`].
    pub fn service(err: E, meta: ErrorMetadata) -> Self {
        SdkError::Service(ServiceError::new(err, meta))
    }

    /// The service error, when this is one.
    pub fn as_service_error(&self) -> Option<&E> {
        match self {
            SdkError::Service(s) => Some(&s.err),
            _ => None,
        }
    }

    /// The operation's error enum, whatever happened: the service error itself, or for a
    /// failure that is not an error response (timeout, dispatch, construction, unparseable
    /// response) the enum's `Unhandled` variant, whose `source()` is that failure and whose
    /// `Display` says what it was. So one `match` on the enum handles every outcome:
    ///
    /// ```
    /// use awsrt::error::{SdkError, TimeoutError, TimeoutKind, Unhandled};
    /// use awsrt::error::ProvideErrorMetadata;
    ///
    /// let err: SdkError<Unhandled> = SdkError::Timeout(TimeoutError::new(TimeoutKind::Operation, None));
    /// let unhandled = err.into_service_error();
    /// assert_eq!(unhandled.to_string(), "timeout: operation timed out");
    /// assert_eq!(unhandled.code(), None);
    /// assert!(std::error::Error::source(&unhandled).is_some());
    /// ```
    pub fn into_service_error(self) -> E
    where
        E: From<Unhandled>,
    {
        let (meta, failure) = match self {
            SdkError::Service(s) => return s.err,
            SdkError::Response(r) => {
                let meta = ErrorMetadata {
                    request_id: r.request_id.clone(),
                    status: r.status,
                    ..ErrorMetadata::default()
                };
                (meta, SdkError::<Never>::Response(r))
            }
            SdkError::Construction(e) => (ErrorMetadata::default(), SdkError::Construction(e)),
            SdkError::Timeout(e) => (ErrorMetadata::default(), SdkError::Timeout(e)),
            SdkError::Dispatch(e) => (ErrorMetadata::default(), SdkError::Dispatch(e)),
        };
        E::from(Unhandled::with_source(meta, failure))
    }

    /// The error metadata of a service error.
    pub fn meta(&self) -> Option<&ErrorMetadata> {
        match self {
            SdkError::Service(s) => Some(&s.meta),
            _ => None,
        }
    }

    /// The service's error code.
    pub fn code(&self) -> Option<&str> {
        self.meta().and_then(|m| m.code.as_deref())
    }

    /// The service's error message.
    pub fn message(&self) -> Option<&str> {
        self.meta().and_then(|m| m.message.as_deref())
    }

    /// The request id of the response, for service and response errors.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            SdkError::Service(s) => s.meta.request_id.as_deref(),
            SdkError::Response(r) => r.request_id(),
            _ => None,
        }
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        match self {
            SdkError::Service(s) => Some(s.meta.status),
            SdkError::Response(r) => Some(r.status),
            _ => None,
        }
    }

    /// `true` for [`SdkError::Timeout`].
    pub fn is_timeout(&self) -> bool {
        matches!(self, SdkError::Timeout(_))
    }

    /// Classifies a final transport failure: timeouts become [`SdkError::Timeout`], the rest
    /// [`SdkError::Dispatch`].
    pub fn from_transport(err: TransportError) -> Self {
        if err.is_timeout() {
            SdkError::Timeout(TimeoutError::from_transport(err))
        } else {
            SdkError::Dispatch(DispatchError::new(err))
        }
    }
}

impl<E> fmt::Display for SdkError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SdkError::Construction(e) => write!(f, "failed to construct request: {e}"),
            SdkError::Timeout(e) => write!(f, "timeout: {e}"),
            SdkError::Dispatch(e) => write!(f, "dispatch failure: {e}"),
            SdkError::Response(e) => write!(f, "unparseable response: {e}"),
            SdkError::Service(s) => write!(f, "service error: {}", s.meta),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for SdkError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            SdkError::Construction(e) => Some(e),
            SdkError::Timeout(e) => Some(e),
            SdkError::Dispatch(e) => Some(e),
            SdkError::Response(e) => Some(e),
            SdkError::Service(s) => Some(&s.err),
        }
    }
}

impl<E> ProvideErrorMetadata for SdkError<E> {
    /// The metadata of the error response; empty (no code, message or request id, status 0)
    /// for failures that are not error responses.
    fn meta(&self) -> &ErrorMetadata {
        match self {
            SdkError::Service(s) => &s.meta,
            _ => &NO_METADATA,
        }
    }

    /// The request id of a service error or of an unparseable response.
    fn request_id(&self) -> Option<&str> {
        SdkError::request_id(self)
    }
}

/// Most errors of a source chain [`DisplayErrorContext`] prints (a guard against cycles).
const MAX_CHAIN: usize = 32;

/// Displays an error and its whole [`source`](std::error::Error::source) chain on one line,
/// each part separated by `": "`, leaving out a source whose text the line already holds (many
/// errors repeat their source's message in their own). For logs, where `{}` of an error alone
/// would hide why it happened:
///
/// ```
/// use awsrt::error::{DisplayErrorContext, SdkError, Unhandled};
/// use awsrt::http::{TransportError, TransportErrorKind};
///
/// /// An application error that keeps the SDK error as its source.
/// #[derive(Debug)]
/// struct LoadFailed(SdkError<Unhandled>);
/// impl std::fmt::Display for LoadFailed {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str("cannot load the database password")
///     }
/// }
/// impl std::error::Error for LoadFailed {
///     fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
///         Some(&self.0)
///     }
/// }
///
/// let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "connection refused");
/// let err = LoadFailed(SdkError::from_transport(
///     TransportError::new(TransportErrorKind::Connect, "cannot connect").with_source(refused),
/// ));
/// assert_eq!(err.to_string(), "cannot load the database password");
/// assert_eq!(
///     DisplayErrorContext(&err).to_string(),
///     "cannot load the database password: dispatch failure: cannot connect: connection refused"
/// );
/// ```
#[derive(Clone, Copy, Debug)]
pub struct DisplayErrorContext<E>(pub E);

impl<E: std::error::Error> fmt::Display for DisplayErrorContext<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut line = self.0.to_string();
        let mut next = self.0.source();
        let mut depth = 0;
        while let Some(err) = next {
            depth += 1;
            if depth > MAX_CHAIN {
                line.push_str(": ...");
                break;
            }
            let text = err.to_string();
            if !text.is_empty() && !line.contains(&text) {
                if !line.is_empty() {
                    line.push_str(": ");
                }
                line.push_str(&text);
            }
            next = err.source();
        }
        f.write_str(&line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn meta() -> ErrorMetadata {
        ErrorMetadata {
            code: Some("ResourceNotFoundException".into()),
            message: Some("Secrets Manager can't find the specified secret.".into()),
            request_id: Some("abc".into()),
            status: 400,
        }
    }

    #[test]
    fn service_error_display_and_accessors() {
        let e: SdkError<Unhandled> = SdkError::service(Unhandled::new(meta()), meta());
        assert_eq!(
            e.to_string(),
            "service error: ResourceNotFoundException: Secrets Manager can't find the specified secret. (request id abc, HTTP 400)"
        );
        assert_eq!(e.code(), Some("ResourceNotFoundException"));
        assert_eq!(e.request_id(), Some("abc"));
        assert_eq!(e.status(), Some(400));
        assert!(e.as_service_error().is_some());
        assert!(e.source().is_some());
        assert_eq!(
            e.into_service_error().code(),
            Some("ResourceNotFoundException")
        );
    }

    #[test]
    fn dispatch_display_and_cast() {
        let t = TransportError::new(TransportErrorKind::Connect, "connection refused")
            .with_target("http://127.0.0.1:1");
        let e: SdkError<Never> = SdkError::from_transport(t);
        assert_eq!(
            e.to_string(),
            "dispatch failure: connection refused (http://127.0.0.1:1)"
        );
        let e: SdkError<Unhandled> = e.cast();
        assert!(matches!(&e, SdkError::Dispatch(d) if d.is_connect()));
        assert!(e.source().is_some());
        assert_eq!(e.status(), None);
        assert_eq!(e.code(), None);
    }

    #[test]
    fn transport_timeouts_become_timeout_errors() {
        let t = TransportError::new(
            TransportErrorKind::Timeout(TransportTimeout::Connect),
            "connect timed out",
        );
        let e: SdkError<Never> = SdkError::from_transport(t);
        assert!(matches!(&e, SdkError::Timeout(t) if t.kind() == TimeoutKind::Connect));
        let e: SdkError<Never> = SdkError::Timeout(TimeoutError::new(
            TimeoutKind::Operation,
            Some(Duration::from_millis(1500)),
        ));
        assert_eq!(e.to_string(), "timeout: operation timed out after 1.5s");
    }

    #[test]
    fn build_error_messages() {
        let e = BuildError::missing_field("SecretId", "required by GetSecretValue");
        assert_eq!(
            e.to_string(),
            "missing required field `SecretId`: required by GetSecretValue"
        );
        assert_eq!(e.kind(), BuildErrorKind::MissingField);
        assert_eq!(e.field(), Some("SecretId"));
        let e = BuildError::invalid_field("Limit", "must be >= 1");
        assert_eq!(e.to_string(), "invalid field `Limit`: must be >= 1");
        let e: SdkError<Never> =
            SdkError::Construction(BuildError::new(BuildErrorKind::Endpoint, "no region"));
        assert_eq!(
            e.to_string(),
            "failed to construct request: endpoint resolution failed: no region"
        );
    }

    #[test]
    fn response_error_keeps_status_and_request_id() {
        let e: SdkError<Never> = SdkError::Response(ResponseError::new(
            200,
            Some("r1".into()),
            "expected object",
        ));
        assert_eq!(e.status(), Some(200));
        assert_eq!(e.request_id(), Some("r1"));
        assert_eq!(
            e.to_string(),
            "unparseable response: expected object (request id r1, HTTP 200)"
        );
    }

    #[test]
    fn into_service_error_gives_unhandled_for_other_failures() {
        let e: SdkError<Unhandled> = SdkError::Timeout(TimeoutError::new(
            TimeoutKind::Operation,
            Some(Duration::from_millis(1500)),
        ));
        let u = e.into_service_error();
        assert_eq!(u.to_string(), "timeout: operation timed out after 1.5s");
        assert_eq!(u.code(), None);
        let src = u.source().expect("the failure is the source");
        assert_eq!(src.to_string(), "timeout: operation timed out after 1.5s");
        assert!(src
            .source()
            .and_then(|s| s.downcast_ref::<TimeoutError>())
            .is_some_and(|t| t.kind() == TimeoutKind::Operation));

        let e: SdkError<Unhandled> =
            SdkError::Response(ResponseError::new(502, Some("r9".into()), "not JSON"));
        let u = e.into_service_error();
        assert_eq!(u.request_id(), Some("r9"));
        assert_eq!(u.meta().status, 502);
        assert_eq!(
            u.to_string(),
            "unparseable response: not JSON (request id r9, HTTP 502)"
        );

        let e: SdkError<Unhandled> =
            SdkError::Construction(BuildError::missing_field("SecretId", ""));
        assert_eq!(
            e.into_service_error().to_string(),
            "failed to construct request: missing required field `SecretId`"
        );
        // A service error is returned as it is.
        let e: SdkError<Unhandled> = SdkError::service(Unhandled::new(meta()), meta());
        assert_eq!(e.into_service_error(), Unhandled::new(meta()));
    }

    #[test]
    fn provide_error_metadata_on_sdk_error() {
        fn parts(e: &impl ProvideErrorMetadata) -> (Option<&str>, Option<&str>, Option<&str>) {
            (e.code(), e.message(), e.request_id())
        }
        let e: SdkError<Unhandled> = SdkError::service(Unhandled::new(meta()), meta());
        assert_eq!(
            parts(&e),
            (
                Some("ResourceNotFoundException"),
                Some("Secrets Manager can't find the specified secret."),
                Some("abc")
            )
        );
        let e: SdkError<Unhandled> =
            SdkError::Response(ResponseError::new(200, Some("r1".into()), "bad"));
        assert_eq!(parts(&e), (None, None, Some("r1")));
        let e: SdkError<Unhandled> =
            SdkError::Timeout(TimeoutError::new(TimeoutKind::Connect, None));
        assert_eq!(parts(&e), (None, None, None));
        assert_eq!(ProvideErrorMetadata::meta(&e).status, 0);
    }

    #[test]
    fn display_error_context_prints_the_chain_once() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let t = TransportError::new(TransportErrorKind::Io, "connection lost").with_source(io);
        let e: SdkError<Unhandled> = SdkError::from_transport(t);
        // Every source repeats text the line already has.
        assert_eq!(
            DisplayErrorContext(&e).to_string(),
            "dispatch failure: connection lost: reset by peer"
        );
        // An unhandled error from a timeout shows the failure once, not three times.
        let e: SdkError<Unhandled> =
            SdkError::Timeout(TimeoutError::new(TimeoutKind::Attempt, None));
        assert_eq!(
            DisplayErrorContext(e.into_service_error()).to_string(),
            "timeout: attempt timed out"
        );
        // A service error: the SdkError line has code, message and request id already.
        let e: SdkError<Unhandled> = SdkError::service(Unhandled::new(meta()), meta());
        assert_eq!(DisplayErrorContext(&e).to_string(), e.to_string());
    }

    #[test]
    fn modeled_metadata() {
        let m = ErrorMetadata::modeled("Gone", Some("no such thing".into()), 404);
        assert_eq!(m.to_string(), "Gone: no such thing (HTTP 404)");
    }

    #[test]
    fn metadata_display_without_parts() {
        let m = ErrorMetadata {
            status: 500,
            ..Default::default()
        };
        assert_eq!(m.to_string(), "unknown error (HTTP 500)");
    }
}
