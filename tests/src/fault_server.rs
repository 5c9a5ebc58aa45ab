//! The project's own fault-injection HTTP/1.1 server on `127.0.0.1:0`.
//!
//! Each request the server receives consumes the next [`Fault`] of a script (a queue), or the
//! default fault once the queue is empty. Every request is recorded ([`RecordedRequest`]:
//! method, path, headers, body, the connection it came on and the fault applied), so tests can
//! assert how many attempts a call made and what each attempt sent (for example the
//! `ClientRequestToken` of each retry). Accepted and still-open connections are counted, to
//! assert connection reuse and that no connection is leaked. Dropping the [`FaultServer`]
//! stops the accept loop and every connection task.
//!
//! The [`capture`] module holds a small `tracing` subscriber that records spans and events as
//! strings, used together with the server by the hygiene and observability tests.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use integration_tests::fault_server::{Fault, FaultServer};
//! let server = FaultServer::start().await?;
//! server.push_all([Fault::ServiceUnavailable, Fault::ok(r#"{"Name":"n"}"#)]);
//! // ... point a client at server.url() ...
//! assert!(server.request_count() <= 2);
//! # Ok(())
//! # }
//! ```

pub mod capture;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

/// Longest a stalled or delayed response holds its connection when the client never gives up.
pub const MAX_HOLD: Duration = Duration::from_secs(30);
/// Largest request head the server reads.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body the server reads.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// The awsJson 1.1 content type.
const JSON_1_1: &str = "application/x-amz-json-1.1";

/// What the server does with one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `200` with this JSON body (keep-alive).
    Ok(String),
    /// As soon as request bytes arrive, reset the connection (RST) without reading them.
    ResetBeforeRead,
    /// Read the whole request, then reset the connection (RST) without answering.
    ResetAfterRead,
    /// `500` with the modeled `InternalServiceError`.
    InternalError,
    /// `503` with an unmodeled `ServiceUnavailable` code.
    ServiceUnavailable,
    /// `400` with `ThrottlingException`.
    Throttling,
    /// An error response: `status`, `__type` code (sent as given, e.g. with a namespace) and message.
    Error {
        /// HTTP status.
        status: u16,
        /// The `__type` member.
        code: String,
        /// The `message` member.
        message: String,
    },
    /// Waits `delay` before sending the response head (and then `200` with `body`, if the
    /// client is still there).
    DelayHeaders {
        /// How long the head is withheld (capped at [`MAX_HOLD`]).
        delay: Duration,
        /// The JSON body sent after the delay.
        body: String,
    },
    /// Sends the head (correct `Content-Length`) and the first half of `body`, then stalls
    /// until the client closes the connection (at most [`MAX_HOLD`]).
    StallBody {
        /// The JSON body, of which only the first half is sent.
        body: String,
    },
    /// Declares a `Content-Length` 100 bytes larger than `body`, sends `body`, then closes.
    TruncatedBody {
        /// The bytes actually sent.
        body: String,
    },
    /// `200` whose body is not valid JSON.
    InvalidJson,
    /// `200` with a valid JSON object of about `bytes` bytes (a `Name` member plus padding).
    HugeBody {
        /// Total body size.
        bytes: usize,
    },
    /// `200` with `Content-Type: text/html` and an HTML page as body.
    WrongContentType,
    /// `400` with an error code no model knows.
    UnknownErrorCode,
    /// These exact bytes (nothing is added); then the connection is closed (FIN) when `close`
    /// is set, else kept open for the next request. For malformed HTTP, chunked bodies, or a
    /// server that closes a kept-alive connection without saying so.
    Raw {
        /// The bytes written.
        bytes: Vec<u8>,
        /// Close the connection after writing.
        close: bool,
    },
    /// Any response: status, extra headers and body (`Content-Length` and a request id are added).
    Custom {
        /// HTTP status.
        status: u16,
        /// Extra headers.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
}

impl Fault {
    /// `200` with `json`.
    pub fn ok(json: impl Into<String>) -> Fault {
        Fault::Ok(json.into())
    }

    /// An error response with `status`, `code` and `message`.
    pub fn error(status: u16, code: impl Into<String>, message: impl Into<String>) -> Fault {
        Fault::Error {
            status,
            code: code.into(),
            message: message.into(),
        }
    }

    /// A short name for the fault, used in records and test reports.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Ok(_) => "Ok",
            Fault::ResetBeforeRead => "ResetBeforeRead",
            Fault::ResetAfterRead => "ResetAfterRead",
            Fault::InternalError => "InternalError500",
            Fault::ServiceUnavailable => "ServiceUnavailable503",
            Fault::Throttling => "Throttling400",
            Fault::Error { .. } => "Error",
            Fault::DelayHeaders { .. } => "DelayHeaders",
            Fault::StallBody { .. } => "StallBody",
            Fault::TruncatedBody { .. } => "TruncatedBody",
            Fault::InvalidJson => "InvalidJson",
            Fault::HugeBody { .. } => "HugeBody",
            Fault::WrongContentType => "WrongContentType",
            Fault::UnknownErrorCode => "UnknownErrorCode",
            Fault::Raw { .. } => "Raw",
            Fault::Custom { .. } => "Custom",
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Position among all requests the server received (0-based).
    pub index: usize,
    /// The accepted connection it arrived on (0-based, in accept order).
    pub connection: usize,
    /// The fault applied to it ([`Fault::name`]).
    pub fault: &'static str,
    /// Whether the request was read. `false` for [`Fault::ResetBeforeRead`]: then method,
    /// path, headers and body are empty.
    pub read: bool,
    /// Request method.
    pub method: String,
    /// Request path (and query).
    pub path: String,
    /// Headers in arrival order, names lower-cased.
    pub headers: Vec<(String, String)>,
    /// Request body.
    pub body: Vec<u8>,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `X-Amz-Target` header, e.g. `secretsmanager.GetSecretValue`.
    pub fn target(&self) -> Option<&str> {
        self.header("x-amz-target")
    }

    /// The operation name from `X-Amz-Target` (after the last `.`).
    pub fn operation(&self) -> Option<&str> {
        self.target().and_then(|t| t.rsplit('.').next())
    }

    /// A top-level string member of the JSON body, e.g. `ClientRequestToken`.
    pub fn json_string(&self, member: &str) -> Option<String> {
        let doc = awsrt::types::Document::parse(&self.body).ok()?;
        doc.get(member)?.as_str().map(str::to_string)
    }
}

#[derive(Debug)]
struct Script {
    queue: VecDeque<Fault>,
    default: Fault,
}

#[derive(Debug)]
struct State {
    script: Mutex<Script>,
    requests: Mutex<Vec<RecordedRequest>>,
    accepted: AtomicUsize,
    open: AtomicUsize,
    next_request: AtomicUsize,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl State {
    fn next_fault(&self) -> Fault {
        let mut s = lock(&self.script);
        match s.queue.pop_front() {
            Some(f) => f,
            None => s.default.clone(),
        }
    }
}

/// Decrements the open-connection count when a connection task ends (or is aborted).
struct OpenGuard(Arc<State>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running fault-injection server. Stops when dropped.
#[derive(Debug)]
pub struct FaultServer {
    addr: SocketAddr,
    state: Arc<State>,
    accept_task: tokio::task::JoinHandle<()>,
}

impl Drop for FaultServer {
    fn drop(&mut self) {
        // Dropping the accept loop drops its JoinSet, which aborts every connection task.
        self.accept_task.abort();
    }
}

impl FaultServer {
    /// Starts a server on `127.0.0.1` with an ephemeral port. The default fault is
    /// `Fault::ok("{}")`. Must be called inside a tokio runtime.
    pub async fn start() -> std::io::Result<FaultServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            script: Mutex::new(Script {
                queue: VecDeque::new(),
                default: Fault::ok("{}"),
            }),
            requests: Mutex::new(Vec::new()),
            accepted: AtomicUsize::new(0),
            open: AtomicUsize::new(0),
            next_request: AtomicUsize::new(0),
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&state)));
        Ok(FaultServer {
            addr,
            state,
            accept_task,
        })
    }

    /// The socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The endpoint URL, `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Appends a fault to the script.
    pub fn push(&self, fault: Fault) {
        lock(&self.state.script).queue.push_back(fault);
    }

    /// Appends faults to the script, in order.
    pub fn push_all(&self, faults: impl IntoIterator<Item = Fault>) {
        lock(&self.state.script).queue.extend(faults);
    }

    /// Sets the fault used once the script is empty.
    pub fn set_default(&self, fault: Fault) {
        lock(&self.state.script).default = fault;
    }

    /// Faults still queued.
    pub fn pending(&self) -> usize {
        lock(&self.state.script).queue.len()
    }

    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.requests).clone()
    }

    /// Removes and returns the recorded requests (counters are kept).
    pub fn take_requests(&self) -> Vec<RecordedRequest> {
        std::mem::take(&mut *lock(&self.state.requests))
    }

    /// Number of requests received (attempts seen by the server), including reset ones.
    pub fn request_count(&self) -> usize {
        self.state.next_request.load(Ordering::SeqCst)
    }

    /// Number of connections accepted so far.
    pub fn accepted_connections(&self) -> usize {
        self.state.accepted.load(Ordering::SeqCst)
    }

    /// Number of connections currently open (accepted and not yet closed by either side).
    pub fn open_connections(&self) -> usize {
        self.state.open.load(Ordering::SeqCst)
    }

    /// Waits until no connection is open; `false` if some still are after `within`.
    pub async fn wait_idle(&self, within: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if self.open_connections() == 0 {
                return true;
            }
            if tokio::time::Instant::now() >= deadline {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn accept_loop(listener: TcpListener, state: Arc<State>) {
    let mut tasks = JoinSet::new();
    loop {
        let sock = match listener.accept().await {
            Ok((sock, _)) => sock,
            Err(_) => {
                // Transient accept errors (e.g. too many open files): back off briefly.
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let connection = state.accepted.fetch_add(1, Ordering::SeqCst);
        state.open.fetch_add(1, Ordering::SeqCst);
        let guard = OpenGuard(Arc::clone(&state));
        tasks.spawn(serve_connection(
            sock,
            connection,
            Arc::clone(&state),
            guard,
        ));
        while tasks.try_join_next().is_some() {}
    }
}

/// A parsed request head and body.
struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// The request line and headers; the body is left empty.
fn parse_head(head: &[u8]) -> Option<Request> {
    let text = std::str::from_utf8(head).ok()?;
    let mut lines = text.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers = lines
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            Some((k.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect();
    Some(Request {
        method,
        path,
        headers,
        body: Vec::new(),
    })
}

/// Reads one request from `sock` (bytes already buffered in `buf` first). `None` on EOF, I/O
/// error or a malformed/oversized request; leftover bytes stay in `buf`.
async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let mut chunk = vec![0u8; 16 * 1024];
    let head_end = loop {
        if let Some(end) = find(buf, b"\r\n\r\n") {
            break end;
        }
        if buf.len() > MAX_HEAD {
            return None;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let mut req = parse_head(&buf[..head_end])?;
    let length = req
        .headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
        .unwrap_or(0);
    if length > MAX_BODY {
        return None;
    }
    let total = head_end + 4 + length;
    while buf.len() < total {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
    req.body = buf[head_end + 4..total].to_vec();
    buf.drain(..total);
    Some(req)
}

/// What the connection does after a response.
enum Next {
    KeepAlive,
    Close,
}

async fn serve_connection(
    mut sock: TcpStream,
    connection: usize,
    state: Arc<State>,
    _guard: OpenGuard,
) {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        if buf.is_empty() {
            // Wait for the first byte of the next request without consuming it.
            let mut probe = [0u8; 1];
            match sock.peek(&mut probe).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
        let fault = state.next_fault();
        let index = state.next_request.fetch_add(1, Ordering::SeqCst);
        let mut record = RecordedRequest {
            index,
            connection,
            fault: fault.name(),
            read: false,
            method: String::new(),
            path: String::new(),
            headers: Vec::new(),
            body: Vec::new(),
        };
        if fault == Fault::ResetBeforeRead {
            lock(&state.requests).push(record);
            reset(sock);
            return;
        }
        let Some(req) = read_request(&mut sock, &mut buf).await else {
            return;
        };
        record.read = true;
        record.method = req.method;
        record.path = req.path;
        record.headers = req.headers;
        record.body = req.body;
        lock(&state.requests).push(record);
        let request_id = format!("fault-req-{index}");
        match respond(&mut sock, fault, &request_id).await {
            Ok(Next::KeepAlive) => continue,
            Ok(Next::Close) | Err(_) => return,
        }
    }
}

/// Closes with a TCP reset.
fn reset(sock: TcpStream) {
    let _ = sock.set_zero_linger();
    drop(sock);
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// A response head with `Content-Length: content_length`.
fn head(
    status: u16,
    request_id: &str,
    content_type: Option<&str>,
    extra: &[(String, String)],
    content_length: usize,
) -> Vec<u8> {
    let mut h = format!("HTTP/1.1 {status} {}\r\n", reason(status));
    h.push_str(&format!("x-amzn-RequestId: {request_id}\r\n"));
    if let Some(ct) = content_type {
        h.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    for (k, v) in extra {
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str(&format!("Content-Length: {content_length}\r\n\r\n"));
    h.into_bytes()
}

fn full(status: u16, request_id: &str, content_type: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out = head(status, request_id, content_type, &[], body.len());
    out.extend_from_slice(body);
    out
}

fn error_body(code: &str, message: &str) -> String {
    let mut w = awsrt::json::JsonWriter::new();
    w.begin_object();
    w.key("__type");
    w.string(code);
    w.key("message");
    w.string(message);
    w.end_object();
    String::from_utf8_lossy(&w.finish()).into_owned()
}

/// `{"Name":"huge","Padding":"xxxx…"}` of `bytes` bytes (at least the fixed part).
fn huge_body(bytes: usize) -> Vec<u8> {
    let prefix = br#"{"Name":"huge","Padding":""#;
    let suffix = br#""}"#;
    let pad = bytes.saturating_sub(prefix.len() + suffix.len());
    let mut out = Vec::with_capacity(prefix.len() + pad + suffix.len());
    out.extend_from_slice(prefix);
    out.resize(prefix.len() + pad, b'x');
    out.extend_from_slice(suffix);
    out
}

/// Holds the connection for `d` (capped at [`MAX_HOLD`]), discarding anything the client
/// sends. `false` when the client closed it first.
async fn hold(sock: &mut TcpStream, d: Duration) -> bool {
    let sleep = tokio::time::sleep(d.min(MAX_HOLD));
    tokio::pin!(sleep);
    let mut scratch = [0u8; 1024];
    loop {
        tokio::select! {
            _ = &mut sleep => return true,
            r = sock.read(&mut scratch) => match r {
                Ok(0) | Err(_) => return false,
                Ok(_) => {}
            },
        }
    }
}

async fn respond(sock: &mut TcpStream, fault: Fault, rid: &str) -> std::io::Result<Next> {
    let json = Some(JSON_1_1);
    let bytes = match fault {
        Fault::Ok(body) => full(200, rid, json, body.as_bytes()),
        Fault::ResetBeforeRead => return Ok(Next::Close),
        Fault::ResetAfterRead => {
            // With linger 0 the close that follows `Next::Close` sends a reset.
            sock.set_zero_linger()?;
            return Ok(Next::Close);
        }
        Fault::InternalError => full(
            500,
            rid,
            json,
            error_body(
                "InternalServiceError",
                "An error occurred on the server side.",
            )
            .as_bytes(),
        ),
        Fault::ServiceUnavailable => full(
            503,
            rid,
            json,
            error_body("ServiceUnavailable", "Service is unavailable, try again.").as_bytes(),
        ),
        Fault::Throttling => full(
            400,
            rid,
            json,
            error_body("ThrottlingException", "Rate exceeded").as_bytes(),
        ),
        Fault::Error {
            status,
            code,
            message,
        } => full(status, rid, json, error_body(&code, &message).as_bytes()),
        Fault::DelayHeaders { delay, body } => {
            if !hold(sock, delay).await {
                return Ok(Next::Close);
            }
            full(200, rid, json, body.as_bytes())
        }
        Fault::StallBody { body } => {
            let body = body.as_bytes();
            let mut out = head(200, rid, json, &[], body.len());
            out.extend_from_slice(&body[..body.len() / 2]);
            sock.write_all(&out).await?;
            sock.flush().await?;
            hold(sock, MAX_HOLD).await;
            return Ok(Next::Close);
        }
        Fault::TruncatedBody { body } => {
            let body = body.as_bytes();
            let mut out = head(200, rid, json, &[], body.len() + 100);
            out.extend_from_slice(body);
            sock.write_all(&out).await?;
            sock.flush().await?;
            let _ = sock.shutdown().await;
            return Ok(Next::Close);
        }
        Fault::InvalidJson => full(
            200,
            rid,
            json,
            br#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:x","Name":tru"#,
        ),
        Fault::HugeBody { bytes } => full(200, rid, json, &huge_body(bytes)),
        Fault::WrongContentType => full(
            200,
            rid,
            Some("text/html; charset=utf-8"),
            b"<html><head><title>Welcome</title></head><body><h1>It works!</h1></body></html>",
        ),
        Fault::UnknownErrorCode => full(
            400,
            rid,
            json,
            error_body(
                "com.amazonaws.secretsmanager#QuantumFluxException",
                "A brand-new error this client does not know.",
            )
            .as_bytes(),
        ),
        Fault::Raw { bytes, close } => {
            sock.write_all(&bytes).await?;
            sock.flush().await?;
            if close {
                let _ = sock.shutdown().await;
                return Ok(Next::Close);
            }
            return Ok(Next::KeepAlive);
        }
        Fault::Custom {
            status,
            headers,
            body,
        } => {
            let mut out = head(status, rid, None, &headers, body.len());
            out.extend_from_slice(&body);
            out
        }
    };
    sock.write_all(&bytes).await?;
    sock.flush().await?;
    Ok(Next::KeepAlive)
}
