//! The project's own small HTTP/1.1 test server on 127.0.0.1.
//!
//! Two layers, both reusable:
//!
//! * [`StubServer`]: accepts connections (with keep-alive), reads each request
//!   ([`read_request`]), records it as a [`RecordedRequest`], asks a [`Handler`] for the
//!   [`StubResponse`] and writes it ([`encode_response`]). Every response carries a fresh
//!   `x-amzn-RequestId`, also stored in the recorded request so tests can match errors to
//!   requests. The server stops when dropped.
//! * [`SecretsManagerStub`]: a [`Handler`] answering the two Secrets Manager operations moto
//!   does not implement, `StopReplicationToReplica` and `ValidateResourcePolicy`, over awsJson 1.1
//!   the way the real service does, modeled errors included.
//!
//! [`verify_sigv4`] recomputes a recorded request's SigV4 signature, so tests can prove that what
//! reached the server (after the HTTP stack) still carries a valid signature.

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use awsrt::json::JsonWriter;
use awsrt::types::{DateTime, Document, TimestampFormat};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// Largest request head (request line + headers) accepted.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body accepted.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// One request as the server received it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedRequest {
    /// Method, e.g. `POST`.
    pub method: String,
    /// Request target as sent, e.g. `/`.
    pub path: String,
    /// Headers in arrival order; names lowercased.
    pub headers: Vec<(String, String)>,
    /// The body (chunked bodies are decoded).
    pub body: Vec<u8>,
    /// The `x-amzn-RequestId` the server answered with (empty until answered).
    pub request_id: String,
    /// Which connection (0, 1, ...) of this server carried the request.
    pub connection: usize,
}

impl RecordedRequest {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The `X-Amz-Target` header.
    pub fn target(&self) -> Option<&str> {
        self.header("x-amz-target")
    }

    /// The operation name: the part of `X-Amz-Target` after the last `.`.
    pub fn operation(&self) -> Option<&str> {
        self.target().map(|t| t.rsplit('.').next().unwrap_or(t))
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Result<Document, awsrt::json::JsonError> {
        Document::parse(&self.body)
    }
}

/// A response to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StubResponse {
    /// HTTP status code.
    pub status: u16,
    /// Headers to send besides `content-length`, `x-amzn-requestid` and `connection`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl StubResponse {
    /// A response with no headers.
    pub fn new(status: u16, body: impl Into<Vec<u8>>) -> StubResponse {
        StubResponse {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// An awsJson 1.1 response (`content-type: application/x-amz-json-1.1`).
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> StubResponse {
        StubResponse::new(status, body).with_header("content-type", "application/x-amz-json-1.1")
    }

    /// An awsJson error: `{"__type": code, "message": message}` with the given status.
    pub fn aws_error(status: u16, code: &str, message: &str) -> StubResponse {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.key("__type");
        w.string(code);
        w.key("message");
        w.string(message);
        w.end_object();
        StubResponse::json(status, w.finish())
    }

    /// Adds a header (builder style).
    pub fn with_header(mut self, name: &str, value: &str) -> StubResponse {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// Answers requests for a [`StubServer`].
pub trait Handler: Send + Sync + 'static {
    /// The response to `req`.
    fn handle(&self, req: &RecordedRequest) -> StubResponse;
}

impl<F> Handler for F
where
    F: Fn(&RecordedRequest) -> StubResponse + Send + Sync + 'static,
{
    fn handle(&self, req: &RecordedRequest) -> StubResponse {
        self(req)
    }
}

fn invalid(msg: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, msg.into())
}

/// Reads one line ending in `\n` (at most `budget` bytes); `None` at a clean end of stream.
async fn read_line<R: AsyncBufRead + Unpin>(
    r: &mut R,
    budget: &mut usize,
) -> io::Result<Option<String>> {
    let mut line = Vec::new();
    let n = (&mut *r)
        .take(*budget as u64 + 1)
        .read_until(b'\n', &mut line)
        .await?;
    if n == 0 {
        return Ok(None);
    }
    if n > *budget || !line.ends_with(b"\n") {
        return Err(invalid("request head too long or truncated"));
    }
    *budget -= n;
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    String::from_utf8(line)
        .map(Some)
        .map_err(|_| invalid("request head is not UTF-8"))
}

/// Reads one HTTP/1.1 request (head and body, `content-length` or chunked). `Ok(None)` when the
/// peer closed the connection before sending anything. `request_id` and `connection` of the
/// result are left empty / 0 for the caller to fill in.
pub async fn read_request<R: AsyncBufRead + Unpin>(
    r: &mut R,
) -> io::Result<Option<RecordedRequest>> {
    let mut budget = MAX_HEAD;
    let Some(request_line) = read_line(r, &mut budget).await? else {
        return Ok(None);
    };
    let mut parts = request_line.split(' ');
    let (Some(method), Some(path), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid(format!("bad request line {request_line:?}")));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(invalid(format!("unsupported version {version:?}")));
    }
    let mut headers = Vec::new();
    loop {
        let line = read_line(r, &mut budget)
            .await?
            .ok_or_else(|| invalid("connection closed inside the request head"))?;
        if line.is_empty() {
            break;
        }
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| invalid(format!("bad header line {line:?}")))?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut req = RecordedRequest {
        method: method.to_string(),
        path: path.to_string(),
        headers,
        body: Vec::new(),
        request_id: String::new(),
        connection: 0,
    };
    let chunked = req
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    if chunked {
        req.body = read_chunked(r).await?;
    } else if let Some(len) = req.header("content-length") {
        let len: usize = len
            .parse()
            .map_err(|_| invalid(format!("bad content-length {len:?}")))?;
        if len > MAX_BODY {
            return Err(invalid("request body too large"));
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).await?;
        req.body = body;
    }
    Ok(Some(req))
}

async fn read_chunked<R: AsyncBufRead + Unpin>(r: &mut R) -> io::Result<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut budget = 1024;
        let line = read_line(r, &mut budget)
            .await?
            .ok_or_else(|| invalid("connection closed inside a chunked body"))?;
        let size_text = line.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size_text, 16)
            .map_err(|_| invalid(format!("bad chunk size {size_text:?}")))?;
        if body.len() + size > MAX_BODY {
            return Err(invalid("request body too large"));
        }
        if size == 0 {
            // Trailers, up to the empty line.
            let mut budget = MAX_HEAD;
            while let Some(l) = read_line(r, &mut budget).await? {
                if l.is_empty() {
                    break;
                }
            }
            return Ok(body);
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..]).await?;
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf).await?;
        if &crlf != b"\r\n" {
            return Err(invalid("chunk not followed by CRLF"));
        }
    }
}

/// The standard reason phrase for the statuses the stubs use.
fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

/// Serializes `resp` as an HTTP/1.1 response with `content-length`, `x-amzn-requestid:
/// request_id` and, when `close`, `connection: close`.
pub fn encode_response(resp: &StubResponse, request_id: &str, close: bool) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {} {}\r\n", resp.status, reason(resp.status));
    for (name, value) in &resp.headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str(&format!("x-amzn-RequestId: {request_id}\r\n"));
    out.push_str(&format!("content-length: {}\r\n", resp.body.len()));
    if close {
        out.push_str("connection: close\r\n");
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&resp.body);
    bytes
}

/// A running stub server. Dropping it stops accepting and closes every connection.
pub struct StubServer {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
    connections: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl fmt::Debug for StubServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StubServer")
            .field("addr", &self.addr)
            .finish()
    }
}

struct Shared {
    handler: Box<dyn Handler>,
    requests: Arc<Mutex<Vec<RecordedRequest>>>,
}

async fn serve_connection(stream: tokio::net::TcpStream, id: usize, shared: Arc<Shared>) {
    let (read_half, mut write_half) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    loop {
        let mut req = match read_request(&mut reader).await {
            Ok(Some(req)) => req,
            Ok(None) => return,
            Err(e) => {
                let resp = StubResponse::new(400, e.to_string());
                let _ = write_half
                    .write_all(&encode_response(&resp, &awsrt::types::uuid_v4(), true))
                    .await;
                return;
            }
        };
        req.request_id = awsrt::types::uuid_v4();
        req.connection = id;
        let close = req
            .header("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let resp = shared.handler.handle(&req);
        let bytes = encode_response(&resp, &req.request_id, close);
        if let Ok(mut log) = shared.requests.lock() {
            log.push(req);
        }
        if write_half.write_all(&bytes).await.is_err() || close {
            return;
        }
    }
}

impl StubServer {
    /// Binds 127.0.0.1 on a free port and serves `handler` on the current tokio runtime.
    pub async fn start(handler: impl Handler) -> io::Result<StubServer> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let requests: Arc<Mutex<Vec<RecordedRequest>>> = Arc::default();
        let connections = Arc::new(AtomicUsize::new(0));
        let shared = Arc::new(Shared {
            handler: Box::new(handler),
            requests: Arc::clone(&requests),
        });
        let counter = Arc::clone(&connections);
        let task = tokio::spawn(async move {
            // Dropping the set (when this task is aborted) aborts every connection task.
            let mut conns = tokio::task::JoinSet::new();
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let id = counter.fetch_add(1, Ordering::SeqCst);
                conns.spawn(serve_connection(stream, id, Arc::clone(&shared)));
                while conns.try_join_next().is_some() {}
            }
        });
        Ok(StubServer {
            addr,
            requests,
            connections,
            task,
        })
    }

    /// Shorthand for `StubServer::start(stub)` with a [`SecretsManagerStub`].
    pub async fn secrets_manager(stub: SecretsManagerStub) -> io::Result<StubServer> {
        StubServer::start(stub).await
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request answered so far, in order.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// How many connections were accepted.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

impl Drop for StubServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Account id in the ARNs the stub makes up.
pub const STUB_ACCOUNT_ID: &str = "123456789012";

/// Check name the stub reports for a policy granting access to every principal.
pub const BROAD_ACCESS_CHECK: &str = "BROAD_ACCESS_TO_SECRET";

#[derive(Clone, Debug)]
struct StubSecret {
    name: String,
    arn: String,
    replica: bool,
}

/// Handler for `StopReplicationToReplica` and `ValidateResourcePolicy` over a small set of
/// secrets declared up front.
///
/// * Requests must be `POST /` with `content-type: application/x-amz-json-1.1`, an
///   `X-Amz-Target` of `secretsmanager.<Operation>`, a SigV4 `authorization` header and a JSON
///   object body; anything else gets the error the service would send
///   (`UnknownOperationException`, `MissingAuthenticationTokenException`,
///   `SerializationException`).
/// * `StopReplicationToReplica`: a replica is promoted to a standalone secret and its ARN
///   returned; an unknown id gives `ResourceNotFoundException`; a secret that is not (or no
///   longer) a replica gives `InvalidRequestException`.
/// * `ValidateResourcePolicy`: a `ResourcePolicy` that is not a JSON object with a `Statement`
///   whose entries carry an `Effect` gives `MalformedPolicyDocumentException`; an unknown
///   `SecretId` gives `ResourceNotFoundException`; a statement allowing principal `*` fails the
///   check [`BROAD_ACCESS_CHECK`] (`PolicyValidationPassed: false`); otherwise it passes.
#[derive(Debug, Default)]
pub struct SecretsManagerStub {
    secrets: Mutex<Vec<StubSecret>>,
}

impl SecretsManagerStub {
    /// A stub knowing no secrets.
    pub fn new() -> SecretsManagerStub {
        SecretsManagerStub::default()
    }

    /// The ARN the stub gives secret `name` in `region`.
    pub fn arn_for(name: &str, region: &str) -> String {
        format!("arn:aws:secretsmanager:{region}:{STUB_ACCOUNT_ID}:secret:{name}-AbCdEf")
    }

    fn add(self, name: &str, region: &str, replica: bool) -> SecretsManagerStub {
        if let Ok(mut s) = self.secrets.lock() {
            s.push(StubSecret {
                name: name.to_string(),
                arn: SecretsManagerStub::arn_for(name, region),
                replica,
            });
        }
        self
    }

    /// Declares a primary secret.
    pub fn with_secret(self, name: &str, region: &str) -> SecretsManagerStub {
        self.add(name, region, false)
    }

    /// Declares a replica secret (living in `region`).
    pub fn with_replica(self, name: &str, region: &str) -> SecretsManagerStub {
        self.add(name, region, true)
    }

    fn find(&self, id: &str) -> Option<StubSecret> {
        let secrets = self.secrets.lock().ok()?;
        secrets
            .iter()
            .find(|s| s.name == id || s.arn == id)
            .cloned()
    }

    fn stop_replication(&self, body: &Document) -> StubResponse {
        let Some(id) = body.get("SecretId").and_then(Document::as_str) else {
            return StubResponse::aws_error(
                400,
                "InvalidParameterException",
                "SecretId is required.",
            );
        };
        let Ok(mut secrets) = self.secrets.lock() else {
            return StubResponse::aws_error(500, "InternalServiceError", "state lock poisoned");
        };
        let Some(secret) = secrets.iter_mut().find(|s| s.name == id || s.arn == id) else {
            return not_found();
        };
        if !secret.replica {
            return StubResponse::aws_error(
                400,
                "InvalidRequestException",
                &format!("Secret {} is not a replica secret.", secret.name),
            );
        }
        secret.replica = false;
        let mut w = JsonWriter::new();
        w.begin_object();
        w.key("ARN");
        w.string(&secret.arn);
        w.end_object();
        StubResponse::json(200, w.finish())
    }

    fn validate_policy(&self, body: &Document) -> StubResponse {
        let Some(policy_text) = body.get("ResourcePolicy").and_then(Document::as_str) else {
            return StubResponse::aws_error(
                400,
                "InvalidParameterException",
                "ResourcePolicy is required.",
            );
        };
        if let Some(id) = body.get("SecretId") {
            match id.as_str() {
                Some(id) if self.find(id).is_some() => {}
                Some(_) => return not_found(),
                None => {
                    return StubResponse::aws_error(
                        400,
                        "InvalidParameterException",
                        "SecretId must be a string.",
                    )
                }
            }
        }
        let statements = match policy_statements(policy_text) {
            Ok(s) => s,
            Err(why) => {
                return StubResponse::aws_error(
                    400,
                    "MalformedPolicyDocumentException",
                    &format!("This resource policy contains a syntax error: {why}"),
                )
            }
        };
        let mut w = JsonWriter::new();
        w.begin_object();
        let broad: Vec<usize> = statements
            .iter()
            .enumerate()
            .filter(|(_, s)| allows_everyone(s))
            .map(|(i, _)| i)
            .collect();
        w.key("PolicyValidationPassed");
        w.bool(broad.is_empty());
        w.key("ValidationErrors");
        w.begin_array();
        for i in broad {
            w.begin_object();
            w.key("CheckName");
            w.string(BROAD_ACCESS_CHECK);
            w.key("ErrorMessage");
            w.string(&format!(
                "Statement {i} grants access to every principal (\"*\")."
            ));
            w.end_object();
        }
        w.end_array();
        w.end_object();
        StubResponse::json(200, w.finish())
    }
}

fn not_found() -> StubResponse {
    StubResponse::aws_error(
        400,
        "ResourceNotFoundException",
        "Secrets Manager can't find the specified secret.",
    )
}

/// The statements of a policy document, or why it is malformed.
fn policy_statements(text: &str) -> Result<Vec<Document>, String> {
    let doc = Document::parse(text.as_bytes()).map_err(|e| format!("not JSON ({e})"))?;
    if doc.as_object().is_none() {
        return Err("the policy is not a JSON object".into());
    }
    let statements = match doc.get("Statement") {
        Some(Document::Array(items)) => items.clone(),
        Some(one @ Document::Object(_)) => vec![one.clone()],
        Some(_) => return Err("Statement must be an object or an array".into()),
        None => return Err("missing Statement".into()),
    };
    for (i, s) in statements.iter().enumerate() {
        match s.get("Effect").and_then(Document::as_str) {
            Some("Allow" | "Deny") => {}
            _ => return Err(format!("statement {i} has no valid Effect")),
        }
    }
    Ok(statements)
}

/// `Effect: Allow` with `Principal: "*"` or `{"AWS": "*"}` (or a list containing `*`).
fn allows_everyone(statement: &Document) -> bool {
    fn star(d: &Document) -> bool {
        match d {
            Document::String(s) => s == "*",
            Document::Array(items) => items.iter().any(star),
            Document::Object(map) => map.values().any(star),
            _ => false,
        }
    }
    statement.get("Effect").and_then(Document::as_str) == Some("Allow")
        && statement.get("Principal").is_some_and(star)
}

impl Handler for SecretsManagerStub {
    fn handle(&self, req: &RecordedRequest) -> StubResponse {
        if req.method != "POST" || req.path != "/" {
            return StubResponse::aws_error(
                404,
                "UnknownOperationException",
                "Only POST / is served.",
            );
        }
        let auth = req.header("authorization").unwrap_or_default();
        if !auth.starts_with("AWS4-HMAC-SHA256 Credential=") {
            return StubResponse::aws_error(
                400,
                "MissingAuthenticationTokenException",
                "Missing Authentication Token",
            );
        }
        if req.header("content-type") != Some("application/x-amz-json-1.1") {
            return StubResponse::aws_error(
                400,
                "SerializationException",
                "Expected content-type application/x-amz-json-1.1.",
            );
        }
        let body = match req.json() {
            Ok(doc @ Document::Object(_)) => doc,
            _ => {
                return StubResponse::aws_error(
                    400,
                    "SerializationException",
                    "Body is not a JSON object.",
                )
            }
        };
        match req.target() {
            Some("secretsmanager.StopReplicationToReplica") => self.stop_replication(&body),
            Some("secretsmanager.ValidateResourcePolicy") => self.validate_policy(&body),
            other => StubResponse::aws_error(
                400,
                "UnknownOperationException",
                &format!("The stub does not implement {other:?}."),
            ),
        }
    }
}

/// The parts of a SigV4 `authorization` header.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigV4Authorization {
    /// Access key id.
    pub access_key: String,
    /// `yyyymmdd`.
    pub date: String,
    /// Signing region.
    pub region: String,
    /// Signing name.
    pub service: String,
    /// Signed header names, in order.
    pub signed_headers: Vec<String>,
    /// Hex signature.
    pub signature: String,
}

/// Parses `AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/svc/aws4_request,
/// SignedHeaders=a;b, Signature=hex`.
pub fn parse_authorization(value: &str) -> Result<SigV4Authorization, String> {
    let rest = value
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or_else(|| format!("not a SigV4 authorization header: {value:?}"))?;
    let mut fields = BTreeMap::new();
    for part in rest.split(',') {
        let (k, v) = part
            .trim()
            .split_once('=')
            .ok_or_else(|| format!("bad authorization component {part:?}"))?;
        fields.insert(k, v);
    }
    let get = |k: &str| {
        fields
            .get(k)
            .copied()
            .ok_or_else(|| format!("authorization header lacks {k}"))
    };
    let scope: Vec<&str> = get("Credential")?.split('/').collect();
    let [access_key, date, region, service, terminator] = scope[..] else {
        return Err(format!("bad credential scope {scope:?}"));
    };
    if terminator != "aws4_request" {
        return Err(format!("credential scope ends in {terminator:?}"));
    }
    Ok(SigV4Authorization {
        access_key: access_key.to_string(),
        date: date.to_string(),
        region: region.to_string(),
        service: service.to_string(),
        signed_headers: get("SignedHeaders")?
            .split(';')
            .map(str::to_string)
            .collect(),
        signature: get("Signature")?.to_string(),
    })
}

/// `20240102T030405Z` → the instant.
fn parse_amz_date(value: &str) -> Result<SystemTime, String> {
    let b = value.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return Err(format!("bad x-amz-date {value:?}"));
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &value[0..4],
        &value[4..6],
        &value[6..8],
        &value[9..11],
        &value[11..13],
        &value[13..15]
    );
    let t = DateTime::parse(&rfc3339, TimestampFormat::DateTime)
        .map_err(|e| format!("bad x-amz-date {value:?}: {e}"))?;
    u64::try_from(t.secs())
        .map(|s| SystemTime::UNIX_EPOCH + Duration::from_secs(s))
        .map_err(|_| format!("x-amz-date {value:?} is before 1970"))
}

/// Recomputes the SigV4 signature of `req` from its signed headers, body and `x-amz-date`
/// with `secret_key`, and checks it equals the one in its `authorization` header.
pub fn verify_sigv4(req: &RecordedRequest, secret_key: &str) -> Result<SigV4Authorization, String> {
    let auth = parse_authorization(
        req.header("authorization")
            .ok_or("no authorization header")?,
    )?;
    let time = parse_amz_date(req.header("x-amz-date").ok_or("no x-amz-date header")?)?;
    // Build a header map holding exactly the signed headers, as received.
    let mut carrier = awsrt::http::HttpResponse::new(200, Vec::new());
    for name in &auth.signed_headers {
        let values: Vec<&str> = req
            .headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect();
        if values.is_empty() {
            return Err(format!("signed header {name} was not received"));
        }
        for v in values {
            carrier = carrier.with_header(name, v);
        }
    }
    let mut headers = carrier.headers;
    let token = req.header("x-amz-security-token");
    let params = awsrt::sigv4::SigningParams {
        access_key: &auth.access_key,
        secret_key,
        session_token: token,
        region: &auth.region,
        service: &auth.service,
        time,
        settings: awsrt::sigv4::SigningSettings::default(),
    };
    let out = awsrt::sigv4::sign(&req.method, &req.path, &mut headers, &req.body, &params)
        .map_err(|e| format!("cannot re-sign: {e:?}"))?;
    if out.signed_headers != auth.signed_headers.join(";") {
        return Err(format!(
            "re-signing covers {:?}, the request signed {:?}",
            out.signed_headers,
            auth.signed_headers.join(";")
        ));
    }
    if out.signature != auth.signature {
        return Err(format!(
            "signature mismatch: expected {}, got {}; canonical request:\n{}",
            out.signature, auth.signature, out.canonical_request
        ));
    }
    Ok(auth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_header_is_parsed() {
        let a = parse_authorization(
            "AWS4-HMAC-SHA256 Credential=AKID/20240102/us-west-2/secretsmanager/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc123",
        )
        .unwrap();
        assert_eq!(a.access_key, "AKID");
        assert_eq!(a.date, "20240102");
        assert_eq!(a.region, "us-west-2");
        assert_eq!(a.service, "secretsmanager");
        assert_eq!(a.signed_headers, ["host", "x-amz-date"]);
        assert_eq!(a.signature, "abc123");
        assert!(parse_authorization("Basic abc").is_err());
    }

    #[test]
    fn amz_date_is_parsed() {
        let t = parse_amz_date("19700102T000001Z").unwrap();
        assert_eq!(t, SystemTime::UNIX_EPOCH + Duration::from_secs(86_401));
        assert!(parse_amz_date("1970-01-02").is_err());
    }

    #[test]
    fn policies_are_checked() {
        assert!(policy_statements("not json").is_err());
        assert!(policy_statements("[]").is_err());
        assert!(policy_statements(r#"{"Version":"2012-10-17"}"#).is_err());
        assert!(policy_statements(r#"{"Statement":[{"Action":"x"}]}"#).is_err());
        let s = policy_statements(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"}},{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"}}]}"#,
        )
        .unwrap();
        assert!(allows_everyone(&s[0]));
        assert!(!allows_everyone(&s[1]));
    }

    #[tokio::test]
    async fn chunked_and_sized_bodies_are_read() {
        let raw: &[u8] = b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\n\r\nGET /b HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi";
        let mut r = BufReader::new(raw);
        let a = read_request(&mut r).await.unwrap().unwrap();
        assert_eq!(a.body, b"abcde");
        assert_eq!(a.header("HOST"), Some("x"));
        let b = read_request(&mut r).await.unwrap().unwrap();
        assert_eq!(
            (b.method.as_str(), b.path.as_str(), b.body.as_slice()),
            ("GET", "/b", &b"hi"[..])
        );
        assert!(read_request(&mut r).await.unwrap().is_none());
        let mut bad = BufReader::new(&b"GARBAGE\r\n\r\n"[..]);
        assert!(read_request(&mut bad).await.is_err());
    }
}
