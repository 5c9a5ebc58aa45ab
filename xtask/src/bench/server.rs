//! The canned Secrets Manager server used by the benchmarks: std only, 127.0.0.1 on an
//! ephemeral port, one thread per connection, HTTP/1.1 keep-alive. Every POST is answered with a
//! fixed awsJson 1.1 body chosen by the operation named in `X-Amz-Target`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

/// The request id literal, for [`REQUEST_ID`] and [`JSON_HEADERS`].
macro_rules! request_id {
    () => {
        "5f1b2d7e-0c3a-4b8e-9d21-6a7f0e4c9b13"
    };
}

/// The fixed request id every response carries.
pub const REQUEST_ID: &str = request_id!();
/// The headers of every answer besides Content-Length and Date.
const JSON_HEADERS: &str = concat!(
    "Content-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: ",
    request_id!(),
    "\r\n"
);
/// Largest request head (request line + headers) the server accepts.
const MAX_HEAD: usize = 64 * 1024;
/// Largest request body the server accepts.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Counters of answered requests, by operation.
#[derive(Default)]
pub struct Counts {
    /// GetSecretValue requests answered.
    pub get: AtomicU64,
    /// ListSecrets requests answered.
    pub list: AtomicU64,
    /// CreateSecret requests answered.
    pub create: AtomicU64,
    /// DescribeSecret requests answered (the official cache's freshness check).
    pub describe: AtomicU64,
    /// Requests answered with an error (unknown operation, malformed request).
    pub other: AtomicU64,
    /// Connections accepted.
    pub accepted: AtomicU64,
    /// Connections open now (accepted, not yet ended by either side).
    pub open: AtomicU64,
    /// Most connections open at once since the last [`Counts::reset_peak`].
    pub peak_open: AtomicU64,
}

impl Counts {
    /// Starts a new peak from the connections open now.
    pub fn reset_peak(&self) {
        self.peak_open
            .store(self.open.load(Ordering::SeqCst), Ordering::SeqCst);
    }
}

/// Counts a connection as open until dropped.
struct OpenConn(Arc<Counts>);

impl OpenConn {
    fn new(counts: Arc<Counts>) -> OpenConn {
        counts.accepted.fetch_add(1, Ordering::SeqCst);
        let open = counts.open.fetch_add(1, Ordering::SeqCst) + 1;
        counts.peak_open.fetch_max(open, Ordering::SeqCst);
        OpenConn(counts)
    }
}

impl Drop for OpenConn {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// A running canned server; stops accepting when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    counts: Arc<Counts>,
}

/// The canned response bodies, built once.
struct Bodies {
    get: Vec<u8>,
    list: Vec<u8>,
    create: Vec<u8>,
    describe: Vec<u8>,
}

impl Server {
    /// Binds 127.0.0.1:0 and starts the accept loop on its own thread.
    pub fn start() -> Result<Server, String> {
        let listener =
            TcpListener::bind("127.0.0.1:0").map_err(|e| format!("bind 127.0.0.1:0: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("local_addr: {e}"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let counts = Arc::new(Counts::default());
        let bodies = Arc::new(Bodies {
            get: get_secret_value_body(),
            list: list_secrets_body(),
            create: create_secret_body(),
            describe: describe_secret_body(),
        });
        let (stop2, counts2) = (stop.clone(), counts.clone());
        thread::spawn(move || {
            for conn in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                let (bodies, counts) = (bodies.clone(), counts2.clone());
                let open = OpenConn::new(counts.clone());
                thread::spawn(move || {
                    serve(stream, &bodies, &counts);
                    drop(open);
                });
            }
        });
        Ok(Server { addr, stop, counts })
    }

    /// `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The request counters.
    pub fn counts(&self) -> &Counts {
        &self.counts
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// Serves one connection until the peer closes it or sends something unusable.
fn serve(stream: TcpStream, bodies: &Bodies, counts: &Counts) {
    let _ = stream.set_nodelay(true);
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut out = write_half;
    let mut reader = BufReader::with_capacity(64 * 1024, stream);
    loop {
        let req = match read_request(&mut reader, &mut out) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(_) => {
                counts.other.fetch_add(1, Ordering::Relaxed);
                let _ = respond(
                    &mut out,
                    400,
                    JSON_HEADERS,
                    br#"{"__type":"SerializationException","message":"malformed request"}"#,
                    true,
                );
                return;
            }
        };
        let op = req.amz_target.rsplit('.').next().unwrap_or("");
        let (status, body): (u16, &[u8]) = match (req.method.as_str(), op) {
            ("POST", "GetSecretValue") => {
                counts.get.fetch_add(1, Ordering::Relaxed);
                (200, &bodies.get)
            }
            ("POST", "ListSecrets") => {
                counts.list.fetch_add(1, Ordering::Relaxed);
                (200, &bodies.list)
            }
            ("POST", "CreateSecret") => {
                counts.create.fetch_add(1, Ordering::Relaxed);
                (200, &bodies.create)
            }
            ("POST", "DescribeSecret") => {
                counts.describe.fetch_add(1, Ordering::Relaxed);
                (200, &bodies.describe)
            }
            _ => {
                counts.other.fetch_add(1, Ordering::Relaxed);
                (
                    400,
                    br#"{"__type":"UnknownOperationException","message":"not canned"}"#,
                )
            }
        };
        if respond(&mut out, status, JSON_HEADERS, body, req.close).is_err() || req.close {
            return;
        }
    }
}

/// What the canned servers keep of a request.
pub(super) struct Request {
    /// The method.
    pub method: String,
    /// The request target (path and query), as sent.
    pub target: String,
    /// The `X-Amz-Target` header (awsJson's operation name), empty when absent.
    pub amz_target: String,
    /// The `Content-Type`, lowercased, empty when absent.
    pub content_type: String,
    /// The body (de-chunked).
    pub body: Vec<u8>,
    /// The client asked to close the connection (or spoke HTTP/1.0).
    pub close: bool,
}

/// Reads one request (head and body), answering `Expect: 100-continue`. `Ok(None)` on a clean
/// end of stream.
pub(super) fn read_request(
    reader: &mut BufReader<TcpStream>,
    out: &mut TcpStream,
) -> Result<Option<Request>, String> {
    let mut head_len = 0usize;
    let mut line = String::new();
    // Request line (skip stray empty lines between requests).
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(None);
        }
        head_len += n;
        if !line.trim().is_empty() {
            break;
        }
        if head_len > MAX_HEAD {
            return Err("head too long".into());
        }
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let target = parts.next().unwrap_or("").to_owned();
    let http10 = parts.next() == Some("HTTP/1.0");
    let (mut amz_target, mut content_type) = (String::new(), String::new());
    let (mut length, mut chunked, mut close, mut expect) = (0usize, false, http10, false);
    loop {
        line.clear();
        let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
        head_len += n;
        if n == 0 || head_len > MAX_HEAD {
            return Err("truncated or oversized head".into());
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        let (name, value) = l.split_once(':').ok_or("bad header")?;
        let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "x-amz-target" => amz_target = value.to_owned(),
            "content-type" => content_type = value.to_ascii_lowercase(),
            "content-length" => length = value.parse().map_err(|_| "bad content-length")?,
            "transfer-encoding" => chunked = value.to_ascii_lowercase().contains("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            "expect" => expect = value.eq_ignore_ascii_case("100-continue"),
            _ => {}
        }
    }
    if expect {
        out.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
            .map_err(|e| e.to_string())?;
    }
    let body = if chunked {
        read_chunked(reader)?
    } else {
        if length > MAX_BODY {
            return Err("body too large".into());
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).map_err(|e| e.to_string())?;
        body
    };
    Ok(Some(Request {
        method,
        target,
        amz_target,
        content_type,
        body,
        close,
    }))
}

/// Reads a chunked body.
fn read_chunked(reader: &mut BufReader<TcpStream>) -> Result<Vec<u8>, String> {
    let mut line = String::new();
    let mut body = Vec::new();
    loop {
        line.clear();
        reader.read_line(&mut line).map_err(|e| e.to_string())?;
        let size_hex = line.trim().split(';').next().unwrap_or("");
        let size = usize::from_str_radix(size_hex, 16).map_err(|_| "bad chunk size")?;
        if body.len() + size > MAX_BODY {
            return Err("body too large".into());
        }
        if size == 0 {
            // Trailers until an empty line.
            loop {
                line.clear();
                let n = reader.read_line(&mut line).map_err(|e| e.to_string())?;
                if n == 0 || line.trim().is_empty() {
                    return Ok(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size + 2, 0);
        reader
            .read_exact(&mut body[start..])
            .map_err(|e| e.to_string())?;
        body.truncate(start + size);
    }
}

/// Writes one response: the status line, `headers` (each ending in CRLF), Content-Length and
/// Date, then the body.
pub(super) fn respond(
    out: &mut TcpStream,
    status: u16,
    headers: &str,
    body: &[u8],
    close: bool,
) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        _ => "Bad Request",
    };
    let head = format!(
        "HTTP/1.1 {status} {reason}\r\n{headers}Content-Length: {}\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n{}\r\n",
        body.len(),
        if close { "Connection: close\r\n" } else { "" }
    );
    out.write_all(head.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}

/// The GetSecretValue answer.
fn get_secret_value_body() -> Vec<u8> {
    br#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-a1B2c3","Name":"bench","VersionId":"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1","SecretString":"{\"username\":\"bench\",\"password\":\"EXAMPLE-PASSWORD\"}","VersionStages":["AWSPREVIOUS","AWSCURRENT"],"CreatedDate":1.523477145713E9}"#.to_vec()
}

/// The DescribeSecret answer: the GetSecretValue answer's version is still AWSCURRENT.
fn describe_secret_body() -> Vec<u8> {
    br#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-a1B2c3","Name":"bench","VersionIdsToStages":{"EXAMPLE1-90ab-cdef-fedc-ba987SECRET1":["AWSPREVIOUS","AWSCURRENT"]},"CreatedDate":1.523477145713E9}"#.to_vec()
}

/// The CreateSecret answer (small; the request is the large part).
fn create_secret_body() -> Vec<u8> {
    let mut s = String::from(
        r#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:bench-large-a1B2c3","Name":"bench-large","VersionId":"00000000-0000-4000-8000-000000000000","ReplicationStatus":["#,
    );
    for i in 0..10 {
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            r#"{{"Region":"eu-west-{i}","KmsKeyId":"arn:aws:kms:eu-west-{i}:123456789012:key/key-{i:04}","Status":"InProgress","StatusMessage":"Replication started"}}"#
        ));
    }
    s.push_str("]}");
    s.into_bytes()
}

/// The large ListSecrets page: 100 entries, each with every member set, 10 tags and a
/// version-to-stages map of 3 versions.
pub fn list_secrets_body() -> Vec<u8> {
    let mut s = String::with_capacity(160 * 1024);
    s.push_str(r#"{"SecretList":["#);
    for i in 0..100u32 {
        if i > 0 {
            s.push(',');
        }
        let t = 1_700_000_000 + i * 3600;
        s.push_str(&format!(
            concat!(
                r#"{{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:app/service-{i:03}/db-a1B2c3","#,
                r#""Name":"app/service-{i:03}/db","Description":"Database credentials for service {i} \u00e9\t\"prod\"","#,
                r#""KmsKeyId":"arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab","#,
                r#""RotationEnabled":true,"RotationLambdaARN":"arn:aws:lambda:us-east-1:123456789012:function:rotate-{i:03}","#,
                r#""RotationRules":{{"AutomaticallyAfterDays":30,"Duration":"2h","ScheduleExpression":"rate(10 days)"}},"#,
                r#""LastRotatedDate":{t}.125,"LastChangedDate":{t}.5,"LastAccessedDate":{t},"NextRotationDate":{t}.75,"#,
                r#""CreatedDate":1.523477145713E9,"OwningService":"appflow","PrimaryRegion":"us-east-1","Tags":["#
            ),
            i = i,
            t = t
        ));
        for k in 0..10 {
            if k > 0 {
                s.push(',');
            }
            s.push_str(&format!(
                r#"{{"Key":"tag-{k}","Value":"value {k} of secret {i}"}}"#
            ));
        }
        s.push_str(r#"],"SecretVersionsToStages":{"#);
        for v in 0..3 {
            if v > 0 {
                s.push(',');
            }
            let stages = match v {
                0 => r#"["AWSCURRENT"]"#,
                1 => r#"["AWSPREVIOUS"]"#,
                _ => r#"["AWSPENDING","custom-stage"]"#,
            };
            s.push_str(&format!(
                r#""{i:08x}-{v:04x}-4000-8000-00000000000{v}":{stages}"#
            ));
        }
        s.push_str("}}");
    }
    s.push_str(r#"],"NextToken":"eyJwYWdlIjoyfQ=="}"#);
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roundtrip(stream: &mut TcpStream, target: &str, body: &str) -> (String, Vec<u8>) {
        let req = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: {target}\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(req.as_bytes()).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut head = String::new();
        let mut length = 0;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap();
            }
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).unwrap();
        (head, body)
    }

    #[test]
    fn answers_by_target_on_one_kept_alive_connection() {
        let server = Server::start().unwrap();
        let mut s = TcpStream::connect(server.addr).unwrap();
        let (head, body) = roundtrip(
            &mut s,
            "secretsmanager.GetSecretValue",
            "{\"SecretId\":\"x\"}",
        );
        assert!(head.starts_with("HTTP/1.1 200"), "{head}");
        assert!(head.contains(REQUEST_ID));
        assert!(String::from_utf8(body)
            .unwrap()
            .contains("\"SecretString\""));
        let (_, body) = roundtrip(&mut s, "secretsmanager.ListSecrets", "{}");
        assert_eq!(body, list_secrets_body());
        let (head, _) = roundtrip(&mut s, "secretsmanager.Nope", "{}");
        assert!(head.starts_with("HTTP/1.1 400"), "{head}");
        assert_eq!(server.counts().get.load(Ordering::Relaxed), 1);
        assert_eq!(server.counts().list.load(Ordering::Relaxed), 1);
        assert_eq!(server.counts().other.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn list_body_has_100_entries_and_balanced_json() {
        let body = String::from_utf8(list_secrets_body()).unwrap();
        assert_eq!(body.matches("\"ARN\"").count(), 100);
        assert_eq!(body.matches("\"Key\"").count(), 1000);
        assert_eq!(body.matches('{').count(), body.matches('}').count());
        assert_eq!(body.matches('[').count(), body.matches(']').count());
        assert!(body.len() > 50_000, "{}", body.len());
    }
}
