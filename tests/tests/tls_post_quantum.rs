//! Post-quantum TLS (issue 24): the default transport offers the hybrid X25519MLKEM768 first
//! with an X25519 key share beside it, and agrees on it with an independent implementation.
//!
//! The peer is OpenSSL 4 (its own ML-KEM), driven by `tls_post_quantum/openssl_server.py`
//! through pyOpenSSL, which the test installs into a virtualenv under cargo's target tmp dir on
//! first use (pinned versions below; set `TLS_PEER_PYTHON` to use another interpreter that has
//! them). The server reports, from its side, the TLS version and group it negotiated. A raw
//! listener checks the ClientHello itself. Everything listens on 127.0.0.1 and stops with the
//! test.
//!
//! Run: `cargo test -p integration-tests --test tls_post_quantum`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use awsrt::error::SdkError;
use awsrt::http::rustls::{CertificateError, Error as TlsError};
use awsrt::http::{HyperTransport, TransportErrorKind};
use integration_tests::fault_server::capture::Capture;
use secretsmanager::{Client, Config};

/// The peer's Python packages; `cryptography` carries the OpenSSL the server runs on.
const PEER_PACKAGES: &[&str] = &["pyOpenSSL==26.4.0", "cryptography==50.0.2"];
const SERVER_SCRIPT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/tls_post_quantum/openssl_server.py"
);
const WAIT: Duration = Duration::from_secs(60);

/// TLS named group code points (IANA registry).
const X25519MLKEM768: u16 = 0x11ec;
const X25519: u16 = 0x001d;
const SECP256R1: u16 = 0x0017;
const SECP384R1: u16 = 0x0018;

/// A Python with the peer's packages, installed once per target dir.
fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        if let Some(p) = std::env::var_os("TLS_PEER_PYTHON").filter(|p| !p.is_empty()) {
            return PathBuf::from(p);
        }
        let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("tls-peer-venv");
        let bin = venv.join("bin/python");
        let stamp = venv.join(".installed");
        let want = PEER_PACKAGES.join(" ");
        if bin.exists() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == want) {
            return bin;
        }
        let py = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let ok = Command::new(&py)
            .args(["-m", "venv"])
            .arg(&venv)
            .status()
            .unwrap_or_else(|e| panic!("cannot run {py}: {e}"));
        assert!(ok.success(), "`{py} -m venv {}` failed", venv.display());
        let ok = Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet", "--disable-pip-version-check"])
            .args(PEER_PACKAGES)
            .status()
            .expect("run pip");
        assert!(ok.success(), "pip install {want} failed");
        std::fs::write(&stamp, &want).expect("write stamp");
        bin
    })
}

/// The OpenSSL server process; killed on drop.
struct OpensslServer {
    child: Child,
    port: u16,
    ca: Vec<u8>,
    lines: Arc<Mutex<Vec<String>>>,
    _dir: TempDir,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

impl OpensslServer {
    /// `groups`: OpenSSL group list; `cert`: `good`, `expired` or `untrusted`.
    fn start(groups: &str, cert: &str) -> OpensslServer {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "tls-pq-{}-{}",
            std::process::id(),
            N.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let dir = TempDir(dir);
        let ca_path = dir.0.join("ca.der");
        let mut child = Command::new(python())
            .arg(SERVER_SCRIPT)
            .arg(&ca_path)
            .args(["--groups", groups, "--cert", cert])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the OpenSSL server");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let out = child.stdout.take().expect("stdout");
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut server = OpensslServer {
            child,
            port: 0,
            ca: Vec::new(),
            lines,
            _dir: dir,
        };
        let line = server.wait_for(|l| l.starts_with("port ") || l.starts_with("error"));
        server.port = line
            .strip_prefix("port ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("server did not start: {line}"));
        server.ca = std::fs::read(&ca_path).expect("CA certificate");
        server
    }

    /// The first output line matching `pred`, waiting up to a minute.
    fn wait_for(&self, pred: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            if let Some(l) = self.lines.lock().unwrap().iter().find(|l| pred(l)) {
                return l.clone();
            }
            assert!(
                start.elapsed() < WAIT,
                "no such line from the server; it said: {:?}",
                self.lines.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// `(version, group)` of the first completed handshake, as the server saw it.
    fn negotiated(&self) -> (String, String) {
        let line = self.wait_for(|l| l.starts_with("handshake "));
        let field = |k: &str| {
            line.split(' ')
                .find_map(|w| w.strip_prefix(k))
                .unwrap_or_default()
                .to_owned()
        };
        (field("version="), field("group="))
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn client(url: &str, transport: HyperTransport) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .credentials("AKIDPOSTQUANTUM", "post-quantum-test-secret", None)
        .endpoint_url(url)
        .transport(Arc::new(transport))
        .build();
    Client::new(&config)
}

/// The fields of the runtime's "TLS connection established" debug events.
fn tls_log_lines(capture: &Capture) -> Vec<(String, String, String)> {
    capture
        .events()
        .into_iter()
        .filter(|e| e.field("message") == Some("TLS connection established"))
        .map(|e| {
            let f = |k| e.field(k).unwrap_or_default().to_owned();
            (f("tls_version"), f("key_exchange"), f("handshake"))
        })
        .collect()
}

async fn get_secret(client: &Client) -> String {
    let out = tokio::time::timeout(WAIT, client.get_secret_value().secret_id("pq").send())
        .await
        .expect("call hung")
        .expect("GetSecretValue over TLS");
    out.secret_string()
        .expect("secret string")
        .expose_secret()
        .to_owned()
}

#[tokio::test]
async fn negotiates_x25519mlkem768_with_openssl() {
    let capture = Capture::new();
    let _guard = capture.set_default();
    let server = OpensslServer::start("X25519MLKEM768:X25519", "good");
    let transport = HyperTransport::builder()
        .root_certificates([server.ca.clone()])
        .build();
    assert_eq!(
        get_secret(&client(&server.url(), transport)).await,
        "hybrid"
    );

    let (version, group) = server.negotiated();
    assert_eq!(version, "TLSv1.3");
    assert!(
        group.eq_ignore_ascii_case("X25519MLKEM768"),
        "server negotiated {group}"
    );
    // The client's own debug line per connection says the same, and names no secret.
    assert_eq!(
        tls_log_lines(&capture),
        [("TLSv1_3".into(), "X25519MLKEM768".into(), "full".into())]
    );
    // The server prints the line before it answers, but its output reaches us through a reader
    // thread: wait for it rather than racing that thread.
    server.wait_for(|l| l == "request POST / HTTP/1.1");
}

#[tokio::test]
async fn server_with_only_x25519_connects_without_a_retry() {
    let capture = Capture::new();
    let _guard = capture.set_default();
    let server = OpensslServer::start("X25519", "good");
    let transport = HyperTransport::builder()
        .root_certificates([server.ca.clone()])
        .build();
    assert_eq!(
        get_secret(&client(&server.url(), transport)).await,
        "hybrid"
    );

    let (version, group) = server.negotiated();
    assert_eq!(version, "TLSv1.3");
    assert!(
        group.eq_ignore_ascii_case("x25519"),
        "server negotiated {group}"
    );
    // The X25519 share sent beside the hybrid one was taken: no HelloRetryRequest.
    assert_eq!(
        tls_log_lines(&capture),
        [("TLSv1_3".into(), "X25519".into(), "full".into())]
    );
}

#[tokio::test]
async fn post_quantum_off_negotiates_x25519() {
    let capture = Capture::new();
    let _guard = capture.set_default();
    let server = OpensslServer::start("X25519MLKEM768:X25519", "good");
    let transport = HyperTransport::builder()
        .root_certificates([server.ca.clone()])
        .post_quantum(false)
        .build();
    assert_eq!(
        get_secret(&client(&server.url(), transport)).await,
        "hybrid"
    );
    let (_, group) = server.negotiated();
    assert!(
        group.eq_ignore_ascii_case("x25519"),
        "server negotiated {group}"
    );
    assert_eq!(tls_log_lines(&capture)[0].1, "X25519");
}

/// Calls a server whose certificate the client must refuse and returns the TLS error.
async fn refused(cert: &str) -> (TlsError, Vec<String>) {
    let server = OpensslServer::start("X25519MLKEM768:X25519", cert);
    let transport = HyperTransport::builder()
        .root_certificates([server.ca.clone()])
        .build();
    let err = tokio::time::timeout(
        WAIT,
        client(&server.url(), transport)
            .get_secret_value()
            .secret_id("pq")
            .send(),
    )
    .await
    .expect("call hung")
    .expect_err("a bad certificate must be refused");
    let SdkError::Dispatch(dispatch) = err else {
        panic!("expected a dispatch error, got {err:?}");
    };
    assert_eq!(dispatch.kind(), TransportErrorKind::Tls, "{dispatch}");
    let transport_err = dispatch.transport_error();
    assert!(!transport_err.is_retryable());
    let tls = std::error::Error::source(transport_err)
        .and_then(|s| s.downcast_ref::<TlsError>())
        .unwrap_or_else(|| panic!("no rustls error behind {transport_err}"))
        .clone();
    server.wait_for(|l| l.starts_with("handshake-failed"));
    // One attempt, refused, nothing sent: no retry, no fallback to anything weaker.
    std::thread::sleep(Duration::from_millis(200));
    (tls, server.lines())
}

fn attempts(lines: &[String]) -> (usize, usize, usize) {
    let count = |p: &str| lines.iter().filter(|l| l.starts_with(p)).count();
    (
        count("handshake-failed"),
        count("handshake "),
        count("request "),
    )
}

#[tokio::test]
async fn untrusted_certificate_is_refused() {
    let (err, lines) = refused("untrusted").await;
    assert!(
        matches!(
            err,
            TlsError::InvalidCertificate(CertificateError::UnknownIssuer)
        ),
        "{err:?}"
    );
    assert_eq!(attempts(&lines), (1, 0, 0), "{lines:?}");
}

#[tokio::test]
async fn expired_certificate_is_refused() {
    let (err, lines) = refused("expired").await;
    assert!(
        matches!(
            err,
            TlsError::InvalidCertificate(
                CertificateError::Expired | CertificateError::ExpiredContext { .. }
            )
        ),
        "{err:?}"
    );
    assert_eq!(attempts(&lines), (1, 0, 0), "{lines:?}");
}

/// The supported groups and `(group, key share length)` of a ClientHello, and the key shares.
struct Hello {
    groups: Vec<u16>,
    shares: Vec<(u16, Vec<u8>)>,
}

/// Reads one TLS record from `s` and parses the ClientHello in it.
fn read_client_hello(s: &mut impl Read) -> Hello {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).expect("record header");
    assert_eq!(head[0], 22, "not a handshake record");
    let len = u16::from_be_bytes([head[3], head[4]]) as usize;
    let mut rec = vec![0u8; len];
    s.read_exact(&mut rec).expect("record body");
    assert_eq!(rec[0], 1, "not a ClientHello");
    let mut p = Parser(&rec[4..]);
    p.take(2 + 32); // legacy_version, random
    let n = p.u8() as usize;
    p.take(n); // legacy_session_id
    p.vec16(); // cipher_suites
    let n = p.u8() as usize;
    p.take(n); // legacy_compression_methods
    let mut exts = p.vec16();
    let mut hello = Hello {
        groups: Vec::new(),
        shares: Vec::new(),
    };
    while !exts.0.is_empty() {
        let kind = exts.u16();
        let mut body = exts.vec16();
        match kind {
            10 => {
                let mut list = body.vec16();
                while !list.0.is_empty() {
                    hello.groups.push(list.u16());
                }
            }
            51 => {
                let mut list = body.vec16();
                while !list.0.is_empty() {
                    let group = list.u16();
                    let n = list.u16() as usize;
                    hello.shares.push((group, list.take(n).to_vec()));
                }
            }
            _ => {}
        }
    }
    hello
}

struct Parser<'a>(&'a [u8]);

impl<'a> Parser<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        assert!(n <= self.0.len(), "truncated ClientHello");
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        a
    }
    fn u8(&mut self) -> u8 {
        self.take(1)[0]
    }
    fn u16(&mut self) -> u16 {
        let b = self.take(2);
        u16::from_be_bytes([b[0], b[1]])
    }
    /// A vector with a 16-bit length prefix.
    fn vec16(&mut self) -> Parser<'a> {
        let n = self.u16() as usize;
        Parser(self.take(n))
    }
}

/// Sends one request with `transport` to a listener that records the ClientHello and hangs up.
async fn client_hello(transport: HyperTransport) -> Hello {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().unwrap().port();
    let reader = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().expect("accept");
        s.set_read_timeout(Some(WAIT)).unwrap();
        let hello = read_client_hello(&mut s);
        // A handshake_failure alert: the client stops.
        let _ = s.write_all(&[21, 3, 3, 0, 2, 2, 40]);
        hello
    });
    let url = format!("https://127.0.0.1:{port}");
    let err = tokio::time::timeout(
        WAIT,
        client(&url, transport)
            .get_secret_value()
            .secret_id("pq")
            .send(),
    )
    .await
    .expect("call hung")
    .expect_err("the listener speaks no TLS");
    assert!(matches!(err, SdkError::Dispatch(_)), "{err:?}");
    reader.join().expect("listener")
}

#[tokio::test]
async fn client_hello_offers_the_hybrid_first_with_an_x25519_share_beside_it() {
    let hello = client_hello(
        HyperTransport::builder()
            .root_certificates(Vec::<Vec<u8>>::new())
            .build(),
    )
    .await;
    assert_eq!(hello.groups, [X25519MLKEM768, X25519, SECP256R1, SECP384R1]);
    let shares: Vec<(u16, usize)> = hello.shares.iter().map(|(g, k)| (*g, k.len())).collect();
    // ML-KEM-768 encapsulation key (1184) + X25519 (32); then X25519 alone.
    assert_eq!(shares, [(X25519MLKEM768, 1216), (X25519, 32)]);
    // One X25519 key serves both shares.
    assert_eq!(&hello.shares[0].1[1184..], &hello.shares[1].1[..]);
}

#[tokio::test]
async fn client_hello_without_post_quantum_is_classical_only() {
    let hello = client_hello(
        HyperTransport::builder()
            .root_certificates(Vec::<Vec<u8>>::new())
            .post_quantum(false)
            .build(),
    )
    .await;
    assert_eq!(hello.groups, [X25519, SECP256R1, SECP384R1]);
    let shares: Vec<(u16, usize)> = hello.shares.iter().map(|(g, k)| (*g, k.len())).collect();
    assert_eq!(shares, [(X25519, 32)]);
}
