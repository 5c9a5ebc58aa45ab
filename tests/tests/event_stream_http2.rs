//! Event streams over the network, both directions, against a local server that checks every
//! signature with the official SigV4 signer (`event_stream_http2/server.rs`).
//!
//! The client is the generated Lex Runtime V2 crate (its model says `eventStreamHttp: ["h2"]`,
//! so `StartConversation` is called with `CallOptions::http2()` and the crate turns on
//! `awsrt/http2`). It is not a workspace crate: the real generator writes it into a scratch
//! workspace (`target/event-stream-http2/`, built in `target/protocol-tests/target` with the
//! other scratch crates, see `integration_tests::scratch`) beside a probe program. The probe
//! opens a conversation with static credentials in us-east-1 at the server's endpoint and runs
//! a real interleaved duplex exchange through `EventStreamSender::channel`: it sends a
//! `ConfigurationEvent`, reads the server's answer with `recv().await`, sends a
//! `TextInputEvent`, reads its answer, sends a `DisconnectionEvent`, reads its answer, drops
//! the sender (the runtime then sends the signed empty envelope) and reads the end of the
//! stream. It prints what it received; the server reports what it verified.
//!
//! Covered, each against the same server:
//! * HTTP/2 with prior knowledge over plain TCP (`http://127.0.0.1:<port>`);
//! * HTTP/2 over TLS negotiated with ALPN `h2`, the server's certificate from a test CA
//!   (`integration_tests::tls_server::TestPki`);
//! * HTTP/1.1 with a chunked request body (`HyperTransport::send_duplex`), plain and over TLS:
//!   the probe installs a transport that answers the client's HTTP/2 request with
//!   `send_duplex`, so the same generated code, pipeline and signer run over HTTP/1.1;
//! * a second envelope altered in flight (its event's payload, CRCs recomputed; or its
//!   `:date`): the server's verification fails, it answers with an `AccessDeniedException`
//!   message and the client's `recv` returns that modeled error;
//! * without the network: the verifier accepts the runtime's `MessageSigner` and request
//!   signer output and refuses a flipped byte, a wrong prior signature, another date, a changed
//!   header.
//!
//! Run: `cargo test -p integration-tests --test event_stream_http2` (the first run builds the
//! scratch crate; its build time is printed and recorded in the test summaries).

#[path = "event_stream_http2/server.rs"]
mod server;

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime};

use awsrt::http::rustls;
use integration_tests::scratch::{key_values, ScratchWorkspace};
use integration_tests::tls_server::{Leaf, TestPki};
use server::{EventServer, Report, Tamper};

/// The probe: one conversation against `ES_ENDPOINT` with session id `ES_SESSION`, over
/// HTTP/2 unless `ES_HTTP1` is set; `ES_CA_FILE` is the CA to trust for `https`, `ES_SECRET`
/// another secret key than the server's. Prints `key=value` lines.
const PROBE: &str = r#"
use std::sync::Arc;
use std::time::Duration;

use awsrt::event_stream::EventStreamSender;
use awsrt::http::{
    AttemptTimeouts, BodyChannel, BoxFuture, CaBundle, HttpRequest, HttpResponse,
    HyperTransport, Transport, TransportError,
};
use awsrt::types::ByteStream;
use lexruntimev2::types::{
    ConfigurationEvent, ConversationMode, DisconnectionEvent,
    StartConversationRequestEventStream as In, StartConversationResponseEventStream as Out,
    TextInputEvent,
};
use lexruntimev2::{Client, Config};

/// The default transport, but an HTTP/2 exchange goes out as an HTTP/1.1 duplex one
/// (`HyperTransport::send_duplex`: chunked request body, response read as it comes).
#[derive(Debug)]
struct Http1Duplex(HyperTransport);

impl Transport for Http1Duplex {
    fn send(&self, req: HttpRequest, t: &AttemptTimeouts) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        self.0.send(req, t)
    }
    fn send_streaming(&self, req: HttpRequest, t: &AttemptTimeouts) -> BoxFuture<'static, Result<(HttpResponse, ByteStream), TransportError>> {
        self.0.send_streaming(req, t)
    }
    fn send_duplex<'a>(&'a self, req: HttpRequest, body: BodyChannel, t: &AttemptTimeouts) -> BoxFuture<'a, Result<(HttpResponse, ByteStream), TransportError>> {
        self.0.send_duplex(req, body, t)
    }
    fn send_http2<'a>(&'a self, req: HttpRequest, body: Option<BodyChannel>, t: &AttemptTimeouts) -> BoxFuture<'a, Result<(HttpResponse, ByteStream), TransportError>> {
        println!("transport=send_duplex");
        match body {
            Some(body) => self.0.send_duplex(req, body, t),
            None => self.0.send_streaming(req, t),
        }
    }
}

fn describe(ev: &Out) -> String {
    match ev {
        Out::HeartbeatEvent(h) => format!("HeartbeatEvent:{}", h.event_id().unwrap_or("-")),
        Out::TextResponseEvent(t) => {
            let texts: Vec<&str> = t.messages().iter().filter_map(|m| m.content()).map(|c| c.expose_secret()).collect();
            format!("TextResponseEvent:{}:{}", t.event_id().unwrap_or("-"), texts.join("|"))
        }
        Out::TranscriptEvent(t) => format!("TranscriptEvent:{}:{}", t.event_id().unwrap_or("-"), t.transcript().unwrap_or("-")),
        other => format!("other:{other:?}"),
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let url = std::env::var("ES_ENDPOINT").expect("ES_ENDPOINT is set");
    let session = std::env::var("ES_SESSION").expect("ES_SESSION is set");
    let http1 = std::env::var_os("ES_HTTP1").is_some();
    let secret = std::env::var("ES_SECRET").unwrap_or_else(|_| "event-stream-test-secret/K7MDENG".into());
    let ca = std::env::var("ES_CA_FILE").ok().map(|p| CaBundle::from_pem_file(p).expect("the CA file"));
    let mut builder = Config::builder()
        .region("us-east-1")
        .credentials("AKIDEVENTSTREAMTEST", secret, None)
        .endpoint_url(&url);
    if http1 {
        let mut transport = HyperTransport::builder();
        if let Some(ca) = ca {
            transport = transport.ca_bundle(ca);
        }
        builder = builder.transport(Arc::new(Http1Duplex(transport.build())));
    } else if let Some(ca) = ca {
        builder = builder.ca_bundle(ca);
    }
    let client = Client::new(&builder.build());

    let events = vec![
        In::ConfigurationEvent(
            ConfigurationEvent::builder()
                .response_content_type("text/plain; charset=utf-8")
                .event_id("cli-1")
                .build()
                .expect("a configuration event"),
        ),
        In::TextInputEvent(
            TextInputEvent::builder()
                .text("hello lex")
                .event_id("cli-2")
                .build()
                .expect("a text event"),
        ),
        In::DisconnectionEvent(DisconnectionEvent::builder().event_id("cli-3").build()),
    ];
    let (stream, tx) = EventStreamSender::channel(1);
    let started = client
        .start_conversation()
        .bot_id("BOT1")
        .bot_alias_id("ALIAS1")
        .locale_id("en_US")
        .session_id(&session)
        .conversation_mode(ConversationMode::Text)
        .request_event_stream(stream)
        .send()
        .await;
    let mut out = match started {
        Ok(out) => out,
        Err(e) => {
            println!("start=error {e}");
            return;
        }
    };
    println!("start=ok");
    let wait = Duration::from_secs(20);
    for (i, ev) in events.into_iter().enumerate() {
        let n = i + 1;
        if tx.send(ev).await.is_err() {
            println!("send{n}=closed");
            return;
        }
        println!("send{n}=ok");
        match tokio::time::timeout(wait, out.response_event_stream.recv()).await {
            Err(_) => {
                println!("recv{n}=timeout");
                return;
            }
            Ok(Ok(Some(ev))) => println!("recv{n}={}", describe(&ev)),
            Ok(Ok(None)) => {
                println!("recv{n}=end");
                return;
            }
            Ok(Err(e)) => {
                match e.as_service_error() {
                    Some(s) => println!(
                        "recv{n}=error {}: {}",
                        s.meta().code.as_deref().unwrap_or("-"),
                        s.meta().message.as_deref().unwrap_or("-")
                    ),
                    None => println!("recv{n}=error {e}"),
                }
                return;
            }
        }
    }
    // The end of the input stream: the runtime sends the signed empty envelope and the
    // server ends the response.
    drop(tx);
    match tokio::time::timeout(wait, out.response_event_stream.recv()).await {
        Ok(Ok(None)) => println!("end=ok"),
        Ok(Ok(Some(ev))) => println!("end=another event {}", describe(&ev)),
        Ok(Err(e)) => println!("end=error {e}"),
        Err(_) => println!("end=timeout"),
    }
    println!("done=true");
}
"#;

/// The scratch workspace, generated and built once for all the tests of this file.
fn probe() -> &'static ScratchWorkspace {
    static PROBE_WS: OnceLock<ScratchWorkspace> = OnceLock::new();
    PROBE_WS.get_or_init(|| {
        let models = integration_tests::data_dir("SMITHY_MODELS_DIR", "models");
        let file = models.join("aws-rest-json/lex-runtime-v2-2020-08-07.json");
        let json = std::fs::read_to_string(&file).unwrap_or_else(|e| {
            panic!("the Lex Runtime V2 model is needed: {}: {e}", file.display())
        });
        let mut ws = ScratchWorkspace::new("event-stream-http2");
        let files = ws.generate(&json, "lex-runtime-v2-2020-08-07.json", "lexruntimev2");
        // The generator's side of HTTP/2, which the rest of this file depends on.
        let op = &files["src/operation/start_conversation.rs"];
        assert!(op.contains("CallOptions::new().http2()"), "{op}");
        assert!(
            files["Cargo.toml"].contains("features = [\"http2\"]"),
            "{}",
            files["Cargo.toml"]
        );
        ws.write_probe(
            "event_stream_probe",
            &[("lexruntimev2", &[])],
            "tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\", \"time\", \"io-util\"] }\n",
            PROBE,
        );
        let took = ws.build_probe();
        integration_tests::report_summary(
            "event_stream_http2",
            &format!(
                "event_stream_http2: scratch Lex Runtime V2 crate and probe built in {:.1} s",
                took.as_secs_f64()
            ),
        );
        ws
    })
}

/// How the probe connects.
#[derive(Clone, Copy)]
enum Over {
    Http2,
    Http1,
}

/// Runs the probe's conversation `session` against `server` and returns its output.
async fn converse(server: &EventServer, session: &str, over: Over, ca: Option<&Path>) -> String {
    converse_with(server, session, over, ca, &[]).await
}

/// [`converse`] with more variables for the probe.
async fn converse_with(
    server: &EventServer,
    session: &str,
    over: Over,
    ca: Option<&Path>,
    extra: &[(&'static str, &str)],
) -> String {
    let ws = probe();
    let mut env = vec![
        ("ES_ENDPOINT", server.url()),
        ("ES_SESSION", session.to_owned()),
    ];
    env.extend(extra.iter().map(|(k, v)| (*k, v.to_string())));
    if let Over::Http1 = over {
        env.push(("ES_HTTP1", "1".to_owned()));
    }
    if let Some(ca) = ca {
        env.push(("ES_CA_FILE", ca.display().to_string()));
    }
    let out = ws.run_probe(&env, Duration::from_secs(90)).await;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the probe failed (exit {:?}):\n{stdout}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The probe's side of a conversation in which every event was verified and answered.
fn assert_full_conversation(stdout: &str) {
    let v = key_values(stdout);
    let expect = [
        ("start", "ok"),
        ("send1", "ok"),
        ("recv1", "HeartbeatEvent:srv-1"),
        ("send2", "ok"),
        ("recv2", "TextResponseEvent:srv-2:you said: hello lex"),
        ("send3", "ok"),
        ("recv3", "TranscriptEvent:srv-3:goodbye"),
        ("end", "ok"),
        ("done", "true"),
    ];
    for (key, value) in expect {
        assert_eq!(v.get(key).copied(), Some(value), "{key} in:\n{stdout}");
    }
}

/// The server's side of the same: the request and each envelope verified by the official
/// signer, the events in order, each answered before the next arrived, the stream closed with
/// the signed empty envelope.
fn assert_verified(report: &Report) {
    assert!(report.problems.is_empty(), "{report:#?}");
    let seed = match &report.request_signature {
        Some(Ok(seed)) => seed,
        other => panic!("request signature: {other:?}\n{report:#?}"),
    };
    assert_eq!(seed.len(), 64, "{seed}");
    let types: Vec<Option<&str>> = report
        .envelopes
        .iter()
        .map(|e| e.event_type.as_deref())
        .collect();
    assert_eq!(
        types,
        [
            Some("ConfigurationEvent"),
            Some("TextInputEvent"),
            Some("DisconnectionEvent"),
            None
        ],
        "{report:#?}"
    );
    assert!(
        report.envelopes.iter().all(|e| e.signature_ok),
        "{report:#?}"
    );
    assert!(report.closed, "{report:#?}");
    assert_eq!(
        report.timeline,
        [
            "in:ConfigurationEvent",
            "out:HeartbeatEvent",
            "in:TextInputEvent",
            "out:TextResponseEvent",
            "in:DisconnectionEvent",
            "out:TranscriptEvent",
            "end"
        ],
        "a duplex exchange: each event answered before the next arrived"
    );
    let text: serde_json::Value =
        serde_json::from_str(&report.envelopes[1].json).expect("JSON payload");
    assert_eq!(text["text"], "hello lex", "{report:#?}");
    assert_eq!(text["eventId"], "cli-2", "{report:#?}");
    let config: serde_json::Value =
        serde_json::from_str(&report.envelopes[0].json).expect("JSON payload");
    assert_eq!(
        config["responseContentType"], "text/plain; charset=utf-8",
        "{report:#?}"
    );
}

/// The one report of `server`, after the conversation.
async fn only_report(server: &EventServer) -> Report {
    let reports = server.reports(1, Duration::from_secs(10)).await;
    assert_eq!(reports.len(), 1, "one request: {reports:#?}");
    reports.into_iter().next().unwrap()
}

/// The test CA's server settings, offering `alpn` (most preferred first).
fn tls_config(pki: &TestPki, alpn: &[&[u8]]) -> Arc<rustls::ServerConfig> {
    let mut config = (*pki.server_config(Leaf::Good)).clone();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    Arc::new(config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_prior_knowledge_duplex_with_every_signature_verified() {
    let server = EventServer::start(None).await;
    let stdout = converse(&server, "plain-h2", Over::Http2, None).await;
    assert_full_conversation(&stdout);
    let report = only_report(&server).await;
    server.stop().await;
    assert_eq!(report.version, Some(hyper::Version::HTTP_2), "{report:#?}");
    assert_eq!(report.session, "plain-h2");
    assert_verified(&report);
    // No connection-specific headers on HTTP/2; the host travels as :authority.
    for h in ["host", "content-length", "transfer-encoding", "connection"] {
        assert_eq!(report.header(h), None, "{h}: {report:#?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http2_over_tls_is_negotiated_with_alpn() {
    let pki = TestPki::create();
    let server = EventServer::start(Some(tls_config(&pki, &[b"h2", b"http/1.1"]))).await;
    let stdout = converse(&server, "tls-h2", Over::Http2, Some(&pki.ca_path())).await;
    assert_full_conversation(&stdout);
    let report = only_report(&server).await;
    server.stop().await;
    assert_eq!(report.alpn.as_deref(), Some("h2"), "{report:#?}");
    assert_eq!(report.version, Some(hyper::Version::HTTP_2), "{report:#?}");
    assert_verified(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tls_server_that_does_not_agree_to_h2_gets_no_request() {
    let pki = TestPki::create();
    // A server offering only HTTP/1.1 ends the handshake (no protocol in common)...
    let server = EventServer::start(Some(tls_config(&pki, &[b"http/1.1"]))).await;
    let stdout = converse(&server, "no-h2", Over::Http2, Some(&pki.ca_path())).await;
    let start = key_values(&stdout)
        .get("start")
        .copied()
        .unwrap_or_default()
        .to_owned();
    assert!(
        start.starts_with("error")
            && start
                .to_ascii_lowercase()
                .replace('_', "")
                .contains("noapplicationprotocol"),
        "the handshake is refused:\n{stdout}"
    );
    let reports = server.reports(1, Duration::from_millis(500)).await;
    server.stop().await;
    assert!(
        reports.is_empty(),
        "no request reached the server: {reports:#?}"
    );

    // ...one ignoring ALPN completes it, and the client refuses to go on without HTTP/2.
    let server = EventServer::start(Some(tls_config(&pki, &[]))).await;
    let stdout = converse(&server, "no-alpn", Over::Http2, Some(&pki.ca_path())).await;
    let start = key_values(&stdout)
        .get("start")
        .copied()
        .unwrap_or_default()
        .to_owned();
    assert!(
        start.starts_with("error") && start.contains("did not agree to HTTP/2"),
        "the call fails saying HTTP/2 was not agreed:\n{stdout}"
    );
    let reports = server.reports(1, Duration::from_millis(500)).await;
    server.stop().await;
    assert!(
        reports.is_empty(),
        "no request reached the server: {reports:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http1_chunked_duplex_plain_and_over_tls() {
    let server = EventServer::start(None).await;
    let stdout = converse(&server, "plain-h1", Over::Http1, None).await;
    assert!(stdout.contains("transport=send_duplex"), "{stdout}");
    assert_full_conversation(&stdout);
    let report = only_report(&server).await;
    server.stop().await;
    assert_eq!(report.version, Some(hyper::Version::HTTP_11), "{report:#?}");
    assert_eq!(
        report.header("transfer-encoding"),
        Some("chunked"),
        "{report:#?}"
    );
    assert_eq!(report.header("content-length"), None, "{report:#?}");
    assert_verified(&report);

    let pki = TestPki::create();
    let server = EventServer::start(Some(tls_config(&pki, &[b"h2", b"http/1.1"]))).await;
    let stdout = converse(&server, "tls-h1", Over::Http1, Some(&pki.ca_path())).await;
    assert_full_conversation(&stdout);
    let report = only_report(&server).await;
    server.stop().await;
    // The HTTP/1.1 transport offers only `http/1.1` with ALPN.
    assert_eq!(report.alpn.as_deref(), Some("http/1.1"), "{report:#?}");
    assert_eq!(report.version, Some(hyper::Version::HTTP_11), "{report:#?}");
    assert_verified(&report);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_signed_with_another_secret_is_refused_by_the_official_signer() {
    let server = EventServer::start(None).await;
    let stdout = converse_with(
        &server,
        "wrong-secret",
        Over::Http2,
        None,
        &[("ES_SECRET", "not-the-secret-the-server-knows")],
    )
    .await;
    let start = key_values(&stdout)
        .get("start")
        .copied()
        .unwrap_or_default()
        .to_owned();
    assert!(
        start.starts_with("error") && start.contains("AccessDeniedException"),
        "the call fails with the server's error:\n{stdout}"
    );
    let report = only_report(&server).await;
    server.stop().await;
    match &report.request_signature {
        Some(Err(why)) => assert!(why.contains("differs from the official signer"), "{why}"),
        other => panic!("the request signature must not verify: {other:?}"),
    }
    assert!(report.envelopes.is_empty(), "{report:#?}");
}

/// A conversation whose second envelope the server alters: the first verifies, the second
/// does not, the client gets the `AccessDeniedException` the server answers with.
async fn assert_tamper_detected(session: &str, over: Over) {
    let server = EventServer::start(None).await;
    let stdout = converse(&server, session, over, None).await;
    let report = only_report(&server).await;
    server.stop().await;
    let v = key_values(&stdout);
    assert_eq!(
        v.get("recv1").copied(),
        Some("HeartbeatEvent:srv-1"),
        "{stdout}"
    );
    let recv2 = v.get("recv2").copied().unwrap_or_default();
    assert!(
        recv2.starts_with("error AccessDeniedException: envelope 2: signature mismatch"),
        "the modeled exception reaches recv():\n{stdout}"
    );
    assert_eq!(v.get("done"), None, "{stdout}");
    let oks: Vec<bool> = report.envelopes.iter().map(|e| e.signature_ok).collect();
    assert_eq!(oks, [true, false], "{report:#?}");
    assert_eq!(
        report.envelopes[1].event_type.as_deref(),
        Some("TextInputEvent")
    );
    assert!(!report.closed, "{report:#?}");
    assert_eq!(
        report.timeline,
        [
            "in:ConfigurationEvent",
            "out:HeartbeatEvent",
            "out:AccessDeniedException"
        ]
    );
    assert!(
        report.problems.len() == 1 && report.problems[0].contains("signature mismatch"),
        "{report:#?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_payload_altered_in_flight_fails_verification() {
    assert_tamper_detected("tamper-payload", Over::Http2).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_date_altered_in_flight_fails_verification() {
    assert_tamper_detected("tamper-date", Over::Http1).await;
}

/// The runtime's signed envelope, decoded by the official codec.
fn official(msg: &awsrt::event_stream::Message) -> aws_smithy_types::event_stream::Message {
    let bytes = msg.encode().expect("encodes");
    aws_smithy_eventstream::frame::read_message_from(&bytes[..])
        .expect("the official codec reads it")
}

#[test]
fn the_verifier_accepts_the_runtime_signer_and_refuses_any_change() {
    use awsrt::event_stream::{HeaderValue, Message, MessageSigner};
    let seed = "e1d8e8c8815e60969f2a34765c9a15945ffc0badbaa4b7e3b163ea19131e949b";
    let time = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
    let event = Message::new(&br#"{"text":"hello lex"}"#[..])
        .with_header(":message-type", HeaderValue::String("event".into()))
        .with_header(":event-type", HeaderValue::String("TextInputEvent".into()))
        .with_header(
            ":content-type",
            HeaderValue::String("application/json".into()),
        );
    let mut signer = MessageSigner::new(
        server::ACCESS_KEY,
        server::SECRET_KEY,
        None,
        server::REGION,
        server::SERVICE,
        seed,
    );
    let first = official(&signer.sign(&event, time).expect("signs"));
    let after_first = signer.prior_signature().to_owned();
    let second = official(
        &signer
            .sign(&event, time + Duration::from_secs(1))
            .expect("signs"),
    );
    let end = official(&signer.sign_end(time + Duration::from_secs(2)));

    // The chain verifies: seed -> first -> second -> end.
    let sig = match server::check_envelope(&first, seed, Tamper::None) {
        Ok(server::Checked::Event {
            signature,
            event_type,
            json,
        }) => {
            assert_eq!(event_type, "TextInputEvent");
            assert_eq!(json, r#"{"text":"hello lex"}"#);
            signature
        }
        other => panic!("{other:?}"),
    };
    assert_eq!(sig, after_first);
    let sig2 = match server::check_envelope(&second, &sig, Tamper::None) {
        Ok(server::Checked::Event { signature, .. }) => signature,
        other => panic!("{other:?}"),
    };
    match server::check_envelope(&end, &sig2, Tamper::None) {
        Ok(server::Checked::End { signature }) => {
            assert_eq!(signature, signer.prior_signature())
        }
        other => panic!("{other:?}"),
    }

    // Out of order, or chained to the wrong prior signature: refused.
    for (envelope, prior) in [
        (&second, seed),
        (&first, after_first.as_str()),
        (&end, seed),
    ] {
        let err = server::check_envelope(envelope, prior, Tamper::None).expect_err("refused");
        assert!(err.why.contains("signature mismatch"), "{err:?}");
    }
    // Altered payload or date: refused.
    for tamper in [Tamper::Payload, Tamper::Date] {
        let err = server::check_envelope(&first, seed, tamper).expect_err("refused");
        assert!(err.why.contains("signature mismatch"), "{err:?}");
    }
    // A flipped byte of the encoded inner event, CRC recomputed by hand: refused.
    let mut payload = first.payload().to_vec();
    let at = payload.len() - 8;
    payload[at] ^= 0x20;
    let n = payload.len();
    let crc = crc32(&payload[..n - 4]);
    payload[n - 4..].copy_from_slice(&crc.to_be_bytes());
    let flipped =
        aws_smithy_types::event_stream::Message::new_from_parts(first.headers().to_vec(), payload);
    let err = server::check_envelope(&flipped, seed, Tamper::None).expect_err("refused");
    assert!(err.why.contains("signature mismatch"), "{err:?}");
}

/// CRC-32 (IEEE), bit by bit: the frame checksum, without the runtime's implementation.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn the_request_verifier_accepts_the_runtime_signer_and_refuses_a_changed_request() {
    use awsrt::sigv4::{SigningParams, SigningSettings};
    let path = format!("{}s-1/conversation", server::PATH_PREFIX);
    let sign = || {
        let mut headers = hyper::HeaderMap::new();
        headers.insert(
            "content-type",
            "application/vnd.amazon.eventstream".parse().unwrap(),
        );
        headers.insert("x-amz-lex-conversation-mode", "TEXT".parse().unwrap());
        headers.insert(
            "x-amz-content-sha256",
            server::STREAMING_EVENTS.parse().unwrap(),
        );
        let params = SigningParams {
            access_key: server::ACCESS_KEY,
            secret_key: server::SECRET_KEY,
            session_token: None,
            region: server::REGION,
            service: server::SERVICE,
            time: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            settings: SigningSettings::default(),
        };
        let uri = format!("http://127.0.0.1:8443{path}");
        let out = awsrt::sigv4::sign("POST", &uri, &mut headers, b"", &params).expect("signs");
        (headers, out.signature)
    };
    let parts = |headers: &hyper::HeaderMap, method: &str, p: &str| {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(format!("http://127.0.0.1:8443{p}"))
            .version(hyper::Version::HTTP_2)
            .body(())
            .unwrap();
        *req.headers_mut() = headers.clone();
        // On HTTP/2 the host is the :authority.
        req.headers_mut().remove("host");
        req.into_parts().0
    };
    let (headers, signature) = sign();
    assert_eq!(
        server::verify_request(&parts(&headers, "POST", &path)),
        Ok(signature)
    );
    assert!(server::verify_request(&parts(&headers, "PUT", &path)).is_err());
    assert!(server::verify_request(&parts(&headers, "POST", &format!("{path}x"))).is_err());
    let mut changed = headers.clone();
    changed.insert("x-amz-lex-conversation-mode", "AUDIO".parse().unwrap());
    let err = server::verify_request(&parts(&changed, "POST", &path)).expect_err("refused");
    assert!(err.contains("differs from the official signer"), "{err}");
    let mut missing = headers.clone();
    missing.remove("content-type");
    let err = server::verify_request(&parts(&missing, "POST", &path)).expect_err("refused");
    assert!(err.contains("content-type was not received"), "{err}");
}
