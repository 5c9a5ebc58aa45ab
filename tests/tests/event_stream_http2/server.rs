//! The test's own Lex Runtime V2 `StartConversation` server: HTTP/1.1 and HTTP/2 (hyper's
//! automatic builder: HTTP/2 with prior knowledge or through ALPN `h2`, else HTTP/1.1), plain or
//! TLS, on 127.0.0.1. It checks every request with code that is not the project's:
//!
//! * the request's SigV4 signature, recomputed with the official signer (`aws-sigv4`) from the
//!   headers the request names as signed and the payload hash
//!   `STREAMING-AWS4-HMAC-SHA256-EVENTS`; its signature is the seed of the event chain;
//! * every received envelope, framed and decoded with the official codec
//!   (`aws-smithy-eventstream`), its `:chunk-signature` recomputed with the official
//!   event-stream signer (`aws_sigv4::event_stream`) for the envelope's own `:date`, chained
//!   from the seed, the closing empty envelope included.
//!
//! Each verified event is answered at once with an output event (a real duplex exchange: the
//! client sends the next event only after reading the answer); a signature that does not verify
//! is answered with an `AccessDeniedException` message, and the response ends. What the server
//! saw is kept as a [`Report`] per request. Sessions named `tamper-payload` and `tamper-date`
//! have their second envelope altered "in flight" (the inner event's payload, with its CRCs
//! recomputed; or the `:date`), so that the verification must fail.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, SignableBody, SignableRequest, SigningSettings,
};
use aws_sigv4::sign::v4;
use aws_smithy_eventstream::frame::{read_message_from, write_message_to};
use aws_smithy_runtime_api::client::identity::Identity;
use aws_smithy_types::event_stream::{Header, HeaderValue, Message};
use awsrt::event_stream::Bytes;
use awsrt::http::rustls;
use http_body_util::BodyExt;
use hyper::body::{Frame, Incoming};
use hyper::{Request, Response, StatusCode, Version};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// The access key the probe signs with.
pub const ACCESS_KEY: &str = "AKIDEVENTSTREAMTEST";
/// Its secret key.
pub const SECRET_KEY: &str = "event-stream-test-secret/K7MDENG";
/// Signing region and name (`aws.auth#sigv4` of Lex Runtime V2).
pub const REGION: &str = "us-east-1";
/// The signing name of Lex Runtime V2.
pub const SERVICE: &str = "lex";
/// The payload hash of an event-stream request.
pub const STREAMING_EVENTS: &str = "STREAMING-AWS4-HMAC-SHA256-EVENTS";
/// The path of the conversation the probe opens, up to the session id.
pub const PATH_PREFIX: &str = "/bots/BOT1/botAliases/ALIAS1/botLocales/en_US/sessions/";

/// One verified (or refused) envelope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The inner event's `:event-type`; `None` for the closing empty envelope.
    pub event_type: Option<String>,
    /// The inner event's JSON payload (empty for the closing envelope).
    pub json: String,
    /// Whether its `:chunk-signature` is the one the official signer computes.
    pub signature_ok: bool,
}

/// What the server saw of one request.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The HTTP version of the request.
    pub version: Option<Version>,
    /// The ALPN protocol of its TLS connection (`None` over plain TCP or without ALPN).
    pub alpn: Option<String>,
    /// The session id in the path.
    pub session: String,
    /// Request headers (lowercase name, value).
    pub headers: Vec<(String, String)>,
    /// `Ok(seed)` when the request's signature is the official signer's, else why not.
    pub request_signature: Option<Result<String, String>>,
    /// Envelopes in arrival order.
    pub envelopes: Vec<Envelope>,
    /// `in:<event type>` / `out:<event type>` / `end` in the order they happened.
    pub timeline: Vec<String>,
    /// Problems found besides signatures (headers, framing, event content).
    pub problems: Vec<String>,
    /// The stream ended with a verified signed empty envelope.
    pub closed: bool,
}

impl Report {
    /// The value of request header `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The server; stopped by [`EventServer::stop`] (or when dropped).
pub struct EventServer {
    addr: SocketAddr,
    tls: bool,
    reports: Arc<Mutex<Vec<Report>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl EventServer {
    /// Listens on 127.0.0.1 (a port the system picks); TLS with `tls` (its ALPN protocols
    /// decide what HTTP/2 clients may negotiate).
    pub async fn start(tls: Option<Arc<rustls::ServerConfig>>) -> EventServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local address");
        let reports = Arc::new(Mutex::new(Vec::new()));
        let (shutdown, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let is_tls = tls.is_some();
        let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
        let shared = Arc::clone(&reports);
        let task = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            loop {
                let (tcp, _) = tokio::select! {
                    _ = &mut stopped => break,
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(_) => continue,
                    },
                };
                let reports = Arc::clone(&shared);
                let acceptor = acceptor.clone();
                connections.spawn(async move {
                    match acceptor {
                        Some(acceptor) => {
                            let Ok(tls) = acceptor.accept(tcp).await else {
                                return;
                            };
                            let alpn = tls
                                .get_ref()
                                .1
                                .alpn_protocol()
                                .map(|p| String::from_utf8_lossy(p).into_owned());
                            serve(tls, alpn, reports).await;
                        }
                        None => serve(tcp, None, reports).await,
                    }
                });
            }
            connections.abort_all();
        });
        EventServer {
            addr,
            tls: is_tls,
            reports,
            shutdown: Some(shutdown),
            task,
        }
    }

    /// `http://127.0.0.1:<port>` or `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The reports of the requests whose exchange has finished, waiting up to `wait` for `n`
    /// of them.
    pub async fn reports(&self, n: usize, wait: Duration) -> Vec<Report> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let got = self.reports.lock().unwrap().clone();
            if got.len() >= n || tokio::time::Instant::now() >= deadline {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Stops listening, closes every connection and waits for the server task.
    pub async fn stop(mut self) {
        if let Some(s) = self.shutdown.take() {
            let _ = s.send(());
        }
        let _ = (&mut self.task).await;
    }
}

impl Drop for EventServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves one connection, HTTP/1.1 or HTTP/2 (the automatic builder reads the preface).
async fn serve<IO>(io: IO, alpn: Option<String>, reports: Arc<Mutex<Vec<Report>>>)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let reports = Arc::clone(&reports);
        let alpn = alpn.clone();
        async move { Ok::<_, Infallible>(handle(req, alpn, reports)) }
    });
    let builder =
        hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new());
    let _ = builder
        .serve_connection(hyper_util::rt::TokioIo::new(io), service)
        .await;
}

/// A response body whose chunks the exchange's task sends as it goes; it ends when the task
/// drops the sender.
pub struct ChannelBody(mpsc::Receiver<Bytes>);

impl ChannelBody {
    /// A body of `bytes` only.
    fn whole(bytes: impl Into<Bytes>) -> ChannelBody {
        let (tx, rx) = mpsc::channel(1);
        let _ = tx.try_send(bytes.into());
        ChannelBody(rx)
    }
}

impl hyper::body::Body for ChannelBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        self.0.poll_recv(cx).map(|o| o.map(|b| Ok(Frame::data(b))))
    }
}

/// A restJson1 error response.
fn error_response(status: StatusCode, code: &str, message: &str) -> Response<ChannelBody> {
    let body = serde_json::json!({ "message": message }).to_string();
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-amzn-errortype", code)
        .body(ChannelBody::whole(body))
        .expect("a valid response")
}

/// Checks the request head, answers with the head of the event stream and starts the task that
/// reads, verifies and answers the events.
fn handle(
    req: Request<Incoming>,
    alpn: Option<String>,
    reports: Arc<Mutex<Vec<Report>>>,
) -> Response<ChannelBody> {
    let (parts, body) = req.into_parts();
    let mut report = Report {
        version: Some(parts.version),
        alpn,
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        ..Report::default()
    };
    let path = parts.uri.path().to_owned();
    match path
        .strip_prefix(PATH_PREFIX)
        .and_then(|rest| rest.strip_suffix("/conversation"))
    {
        Some(session) if parts.method == hyper::Method::POST => {
            report.session = session.to_owned();
        }
        _ => {
            report
                .problems
                .push(format!("unexpected request {} {path}", parts.method));
            reports.lock().unwrap().push(report);
            return error_response(
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                "no route",
            );
        }
    }
    for (name, want) in [
        ("x-amz-content-sha256", STREAMING_EVENTS),
        ("content-type", "application/vnd.amazon.eventstream"),
        ("x-amz-lex-conversation-mode", "TEXT"),
    ] {
        let got = report.header(name).map(str::to_owned);
        if got.as_deref() != Some(want) {
            report
                .problems
                .push(format!("header {name}: {got:?}, expected {want:?}"));
        }
    }
    let verified = verify_request(&parts);
    report.request_signature = Some(verified.clone());
    let seed = match verified {
        Ok(seed) => seed,
        Err(why) => {
            reports.lock().unwrap().push(report);
            return error_response(
                StatusCode::FORBIDDEN,
                "AccessDeniedException",
                &format!("request signature: {why}"),
            );
        }
    };
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(exchange(body, seed, report, tx, reports));
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/vnd.amazon.eventstream")
        .header("x-amzn-requestid", "event-stream-test-request")
        .body(ChannelBody(rx))
        .expect("a valid response")
}

/// What the server alters in one session, to prove the verification can fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// Nothing.
    None,
    /// The second envelope's inner event gets another JSON payload (CRCs recomputed).
    Payload,
    /// The second envelope is verified one second later than its `:date`.
    Date,
}

/// Reads the request's envelopes, verifies each and answers it; ends the response after the
/// closing envelope or the first failure, then files the report.
async fn exchange(
    mut body: Incoming,
    seed: String,
    mut report: Report,
    tx: mpsc::Sender<Bytes>,
    reports: Arc<Mutex<Vec<Report>>>,
) {
    let tamper = match report.session.as_str() {
        "tamper-payload" => Tamper::Payload,
        "tamper-date" => Tamper::Date,
        _ => Tamper::None,
    };
    let mut prior = seed;
    let mut buf: Vec<u8> = Vec::new();
    let mut index = 0usize;
    'read: loop {
        // Every complete frame in the buffer first.
        while let Some(frame) = take_frame(&mut buf) {
            let envelope = match frame {
                Ok(m) => m,
                Err(e) => {
                    report.problems.push(format!("unreadable envelope: {e}"));
                    break 'read;
                }
            };
            let tampering = if index == 1 { tamper } else { Tamper::None };
            index += 1;
            let checked = check_envelope(&envelope, &prior, tampering);
            let answer = match checked {
                Ok(Checked::Event {
                    signature,
                    event_type,
                    json,
                }) => {
                    prior = signature;
                    report.timeline.push(format!("in:{event_type}"));
                    let answer = answer_event(&event_type, &json, &mut report);
                    report.envelopes.push(Envelope {
                        event_type: Some(event_type),
                        json,
                        signature_ok: true,
                    });
                    answer
                }
                Ok(Checked::End { .. }) => {
                    report.envelopes.push(Envelope {
                        event_type: None,
                        json: String::new(),
                        signature_ok: true,
                    });
                    report.timeline.push("end".into());
                    report.closed = true;
                    break 'read;
                }
                Err(failure) => {
                    report.envelopes.push(Envelope {
                        event_type: failure.event_type.clone(),
                        json: String::new(),
                        signature_ok: false,
                    });
                    report
                        .problems
                        .push(format!("envelope {index}: {}", failure.why));
                    let message = format!("envelope {index}: {}", failure.why);
                    let _ = tx.send(exception("AccessDeniedException", &message)).await;
                    report.timeline.push("out:AccessDeniedException".into());
                    break 'read;
                }
            };
            if let Some((event_type, bytes)) = answer {
                report.timeline.push(format!("out:{event_type}"));
                if tx.send(bytes).await.is_err() {
                    report.problems.push("the client stopped reading".into());
                    break 'read;
                }
            }
        }
        match tokio::time::timeout(Duration::from_secs(30), body.frame()).await {
            Ok(Some(Ok(frame))) => {
                if let Ok(data) = frame.into_data() {
                    buf.extend_from_slice(&data);
                }
            }
            Ok(Some(Err(e))) => {
                report
                    .problems
                    .push(format!("the request body broke off: {e}"));
                break;
            }
            Ok(None) => {
                if !buf.is_empty() {
                    report
                        .problems
                        .push(format!("{} bytes after the last envelope", buf.len()));
                }
                report
                    .problems
                    .push("the request body ended without the signed empty envelope".into());
                break;
            }
            Err(_) => {
                report.problems.push("no envelope for 30 s".into());
                break;
            }
        }
    }
    // Filed before the response ends, so the client's end of stream comes after it.
    reports.lock().unwrap().push(report);
    drop(tx);
}

/// The next complete frame of `buf` (removed from it), decoded with the official codec.
fn take_frame(buf: &mut Vec<u8>) -> Option<Result<Message, String>> {
    if buf.len() < 4 {
        return None;
    }
    let total = u32::from_be_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if total < 16 {
        return Some(Err(format!("a frame of {total} bytes")));
    }
    if buf.len() < total {
        return None;
    }
    let frame: Vec<u8> = buf.drain(..total).collect();
    Some(read_message_from(&frame[..]).map_err(|e| e.to_string()))
}

/// A verified envelope.
#[derive(Debug)]
pub enum Checked {
    /// An event: the envelope's signature (the next prior one), and the inner event.
    Event {
        /// The envelope's signature, hex.
        signature: String,
        /// The inner message's `:event-type`.
        event_type: String,
        /// The inner message's payload.
        json: String,
    },
    /// The closing empty envelope.
    End {
        /// Its signature, hex.
        signature: String,
    },
}

/// An envelope that does not verify.
#[derive(Debug)]
pub struct Failure {
    /// The inner event's type, when it could be read.
    pub event_type: Option<String>,
    /// Why it failed.
    pub why: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn string_header<'m>(msg: &'m Message, name: &str) -> Option<&'m str> {
    msg.headers()
        .iter()
        .find(|h| h.name().as_str() == name)
        .and_then(|h| h.value().as_string().ok())
        .map(|s| s.as_str())
}

/// The event-stream signing parameters of the official signer at `time`.
fn event_params<'a>(
    identity: &'a Identity,
    time: SystemTime,
) -> aws_sigv4::event_stream::SigningParams<'a> {
    v4::SigningParams::builder()
        .identity(identity)
        .region(REGION)
        .name(SERVICE)
        .time(time)
        .settings(())
        .build()
        .expect("complete signing parameters")
}

/// The probe's credentials as the official signer's identity.
fn identity() -> Identity {
    Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "event-stream-test").into()
}

/// Verifies one envelope against the official signer, chained to `prior`; `tamper` alters it
/// first, as a corruption in flight would.
pub fn check_envelope(envelope: &Message, prior: &str, tamper: Tamper) -> Result<Checked, Failure> {
    let fail = |event_type: &Option<String>, why: String| Failure {
        event_type: event_type.clone(),
        why,
    };
    let mut date = None;
    let mut signature = None;
    for h in envelope.headers() {
        match (h.name().as_str(), h.value()) {
            (":date", HeaderValue::Timestamp(t)) => date = Some(*t),
            (":chunk-signature", HeaderValue::ByteArray(b)) => signature = Some(b.clone()),
            (name, value) => {
                return Err(fail(
                    &None,
                    format!("unexpected envelope header {name} = {value:?}"),
                ))
            }
        }
    }
    let (Some(date), Some(signature)) = (date, signature) else {
        return Err(fail(
            &None,
            "the envelope lacks :date or :chunk-signature".into(),
        ));
    };
    let mut time =
        SystemTime::try_from(date).map_err(|e| fail(&None, format!(":date is not a time: {e}")))?;
    if tamper == Tamper::Date {
        time += Duration::from_secs(1);
    }
    let identity = identity();
    let params = event_params(&identity, time);
    let payload = envelope.payload().clone();
    if payload.is_empty() {
        let (official, expected) = aws_sigv4::event_stream::sign_empty_message(prior, &params)
            .map_err(|e| fail(&None, format!("the official signer failed: {e}")))?
            .into_parts();
        compare(&None, envelope, &official, &signature, &expected, tamper)?;
        return Ok(Checked::End {
            signature: expected,
        });
    }
    let mut inner = read_message_from(&payload[..])
        .map_err(|e| fail(&None, format!("the inner message does not decode: {e}")))?;
    let event_type = string_header(&inner, ":event-type").map(str::to_owned);
    let mut received = Message::new_from_parts(envelope.headers().to_vec(), payload);
    if tamper == Tamper::Payload {
        // Another payload with valid CRCs: only the signature can tell.
        let mut json = inner.payload().to_vec();
        let at = json.len() / 2;
        json[at] ^= 0x01;
        inner = Message::new_from_parts(inner.headers().to_vec(), json);
        let mut bytes = Vec::new();
        write_message_to(&inner, &mut bytes)
            .map_err(|e| fail(&event_type, format!("cannot re-encode: {e}")))?;
        received = Message::new_from_parts(envelope.headers().to_vec(), bytes);
    }
    let (official, expected) = aws_sigv4::event_stream::sign_message(&inner, prior, &params)
        .map_err(|e| fail(&event_type, format!("the official signer failed: {e}")))?
        .into_parts();
    compare(
        &event_type,
        &received,
        &official,
        &signature,
        &expected,
        tamper,
    )?;
    for (name, want) in [
        (":message-type", "event"),
        (":content-type", "application/json"),
    ] {
        let got = string_header(&inner, name);
        if got != Some(want) {
            return Err(fail(
                &event_type,
                format!("inner header {name}: {got:?}, expected {want:?}"),
            ));
        }
    }
    let Some(event_type) = event_type else {
        return Err(fail(&None, "the inner message has no :event-type".into()));
    };
    let json = String::from_utf8(inner.payload().to_vec())
        .map_err(|_| fail(&Some(event_type.clone()), "the payload is not UTF-8".into()))?;
    Ok(Checked::Event {
        signature: expected,
        event_type,
        json,
    })
}

/// The received signature against the official one, then the whole envelope against the one
/// the official signer builds (the same payload bytes, the same `:date`; header order aside).
fn compare(
    event_type: &Option<String>,
    received: &Message,
    official: &Message,
    signature: &Bytes,
    expected: &str,
    tamper: Tamper,
) -> Result<(), Failure> {
    let got = hex(signature);
    if got != expected {
        return Err(Failure {
            event_type: event_type.clone(),
            why: format!(
                "signature mismatch: received {got}, the official signer computes {expected}"
            ),
        });
    }
    let sorted = |m: &Message| {
        let mut h: Vec<Header> = m.headers().to_vec();
        h.sort_by(|a, b| a.name().as_str().cmp(b.name().as_str()));
        h
    };
    if tamper == Tamper::None
        && (sorted(received) != sorted(official) || received.payload() != official.payload())
    {
        return Err(Failure {
            event_type: event_type.clone(),
            why: "the envelope differs from the official signer's".into(),
        });
    }
    Ok(())
}

/// `YYYYMMDDTHHMMSSZ` as a time.
fn amz_date_time(v: &str) -> Option<SystemTime> {
    let b = v.as_bytes();
    if b.len() != 16 || b[8] != b'T' || b[15] != b'Z' {
        return None;
    }
    let rfc3339 = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &v[0..4],
        &v[4..6],
        &v[6..8],
        &v[9..11],
        &v[11..13],
        &v[13..15]
    );
    let t = aws_smithy_types::DateTime::from_str(
        &rfc3339,
        aws_smithy_types::date_time::Format::DateTime,
    )
    .ok()?;
    SystemTime::try_from(t).ok()
}

/// Recomputes the request's signature with the official signer from the headers its
/// `Authorization` names and the streaming payload hash; returns it (the seed of the events'
/// chain) when the whole `Authorization` value is the official one.
pub fn verify_request(parts: &hyper::http::request::Parts) -> Result<String, String> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let auth = header("authorization").ok_or("no Authorization header")?;
    let fields = auth
        .strip_prefix("AWS4-HMAC-SHA256 ")
        .ok_or("Authorization is not AWS4-HMAC-SHA256")?;
    let mut credential = None;
    let mut signed_headers = None;
    for field in fields.split(", ") {
        match field.split_once('=') {
            Some(("Credential", v)) => credential = Some(v),
            Some(("SignedHeaders", v)) => signed_headers = Some(v),
            Some(("Signature", _)) => {}
            _ => return Err(format!("unexpected Authorization field {field:?}")),
        }
    }
    let credential = credential.ok_or("no Credential")?;
    let signed_headers = signed_headers.ok_or("no SignedHeaders")?;
    let amz_date = header("x-amz-date").ok_or("no x-amz-date")?;
    let want = format!(
        "{ACCESS_KEY}/{}/{REGION}/{SERVICE}/aws4_request",
        amz_date.get(..8).unwrap_or_default()
    );
    if credential != want {
        return Err(format!("Credential {credential}, expected {want}"));
    }
    let time = amz_date_time(&amz_date).ok_or("x-amz-date is not YYYYMMDDTHHMMSSZ")?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for name in signed_headers.split(';') {
        let value = match name {
            // HTTP/2 carries the host as the :authority pseudo-header.
            "host" => header("host").or_else(|| parts.uri.authority().map(|a| a.to_string())),
            _ => header(name),
        };
        let value = value.ok_or_else(|| format!("signed header {name} was not received"))?;
        headers.push((name.to_owned(), value));
    }
    let content_sha = header("x-amz-content-sha256").ok_or("no x-amz-content-sha256")?;
    let identity = identity();
    let mut settings = SigningSettings::default();
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params: aws_sigv4::http_request::SigningParams<'_> = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name(SERVICE)
        .time(time)
        .settings(settings)
        .build()
        .map_err(|e| format!("signing parameters: {e}"))?
        .into();
    let uri = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let signable = SignableRequest::new(
        parts.method.as_str(),
        uri,
        headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
        SignableBody::Precomputed(content_sha),
    )
    .map_err(|e| format!("not signable: {e}"))?;
    let (instructions, signature) = aws_sigv4::http_request::sign(signable, &params)
        .map_err(|e| format!("the official signer failed: {e}"))?
        .into_parts();
    let official = instructions
        .headers()
        .find(|(n, _)| n.eq_ignore_ascii_case("authorization"))
        .map(|(_, v)| v.to_owned())
        .ok_or("the official signer gave no Authorization")?;
    if official != auth {
        return Err(format!(
            "Authorization differs from the official signer's: received {auth:?}, official {official:?}"
        ));
    }
    Ok(signature)
}

/// An output event of the stream, encoded.
fn event(event_type: &str, json: serde_json::Value) -> Bytes {
    let msg = Message::new(json.to_string())
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("event".into()),
        ))
        .add_header(Header::new(
            ":event-type",
            HeaderValue::String(event_type.to_owned().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ));
    let mut out = Vec::new();
    write_message_to(&msg, &mut out).expect("an output event encodes");
    out.into()
}

/// A modeled exception of the output stream, encoded.
fn exception(code: &str, message: &str) -> Bytes {
    let msg = Message::new(serde_json::json!({ "message": message }).to_string())
        .add_header(Header::new(
            ":message-type",
            HeaderValue::String("exception".into()),
        ))
        .add_header(Header::new(
            ":exception-type",
            HeaderValue::String(code.to_owned().into()),
        ))
        .add_header(Header::new(
            ":content-type",
            HeaderValue::String("application/json".into()),
        ));
    let mut out = Vec::new();
    write_message_to(&msg, &mut out).expect("an exception encodes");
    out.into()
}

/// The answer to a verified input event: a configuration gets a heartbeat, a text a text
/// response quoting it, a disconnection a transcript. Anything unexpected is a problem.
fn answer_event(event_type: &str, json: &str, report: &mut Report) -> Option<(String, Bytes)> {
    let doc: serde_json::Value = match serde_json::from_str(json) {
        Ok(d) => d,
        Err(e) => {
            report
                .problems
                .push(format!("{event_type}: payload is not JSON: {e}"));
            return None;
        }
    };
    let id = format!("srv-{}", report.envelopes.len() + 1);
    let field = |name: &str| doc.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    let (out_type, body) = match event_type {
        "ConfigurationEvent" => match field("responseContentType") {
            Some(_) => ("HeartbeatEvent", serde_json::json!({ "eventId": id })),
            None => {
                report
                    .problems
                    .push("ConfigurationEvent without responseContentType".into());
                return None;
            }
        },
        "TextInputEvent" => match field("text") {
            Some(text) => (
                "TextResponseEvent",
                serde_json::json!({
                    "eventId": id,
                    "messages": [{ "content": format!("you said: {text}"), "contentType": "PlainText" }],
                }),
            ),
            None => {
                report.problems.push("TextInputEvent without text".into());
                return None;
            }
        },
        "DisconnectionEvent" => (
            "TranscriptEvent",
            serde_json::json!({ "eventId": id, "transcript": "goodbye" }),
        ),
        other => {
            report.problems.push(format!("unexpected event {other}"));
            return None;
        }
    };
    Some((out_type.to_owned(), event(out_type, body)))
}
