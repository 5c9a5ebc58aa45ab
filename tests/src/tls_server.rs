//! A test certificate authority made with the `openssl` command-line tool, and a small HTTPS
//! server (rustls, the runtime's own crypto provider) that counts what reaches it.
//!
//! * [`TestPki::create`] makes, in a temporary folder, a CA and server certificates for
//!   127.0.0.1: one the CA signed ([`Leaf::Good`]), an expired one ([`Leaf::Expired`]), one for
//!   another host name ([`Leaf::WrongHost`]) and one from a second CA that is never trusted
//!   ([`Leaf::UnknownCa`]), plus a bundle file holding an unrelated CA and the test CA
//!   ([`TestPki::bundle_path`]).
//! * [`TlsServer::start`] serves one of them on 127.0.0.1 (port chosen by the system) in plain
//!   threads, answering every request with a fixed Secrets Manager `GetSecretValue` reply. It
//!   records each connection: whether it began with a TLS handshake record or with anything
//!   else (plain HTTP), and whether the handshake completed, so tests can prove a refused
//!   certificate cost exactly one handshake and never led to a plain-HTTP retry.

use std::io::{self, BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use awsrt::http::rustls;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The `SecretString` every answer of a [`TlsServer`] carries.
pub const SECRET_VALUE: &str = "through-tls";

const BODY: &str = concat!(
    r#"{"ARN":"arn:aws:secretsmanager:us-east-1:123456789012:secret:tls-AbCdEf","#,
    r#""Name":"tls","SecretString":"through-tls","VersionId":"v1"}"#
);

/// A folder removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new empty folder under cargo's target tmp dir, named after `prefix`.
    pub fn new(prefix: &str) -> TempDir {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = crate::workspace_root()
            .join("target")
            .join("tmp")
            .join(format!(
                "{prefix}-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::SeqCst)
            ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Which server certificate a [`TlsServer`] presents.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// Signed by the test CA, for `127.0.0.1` and `localhost`, valid now.
    Good,
    /// Signed by the test CA, for `127.0.0.1`, expired in 2020.
    Expired,
    /// Signed by the test CA, valid now, but only for `other.example`.
    WrongHost,
    /// For `127.0.0.1`, valid now, but signed by a CA that is in no bundle.
    UnknownCa,
}

impl Leaf {
    fn name(self) -> &'static str {
        match self {
            Leaf::Good => "good",
            Leaf::Expired => "expired",
            Leaf::WrongHost => "wrong-host",
            Leaf::UnknownCa => "unknown-ca",
        }
    }
}

/// The test CA and its server certificates (PEM files in a temporary folder).
#[derive(Debug)]
pub struct TestPki {
    dir: TempDir,
}

const REQ_CONFIG: &str = "\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ v3_ca ]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
";

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("cannot run `openssl` (install the OpenSSL command-line tool): {e}")
        });
    assert!(
        out.status.success(),
        "`openssl {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

impl TestPki {
    /// Makes the CAs and certificates with the `openssl` command-line tool (EC P-256 keys).
    pub fn create() -> TestPki {
        let dir = TempDir::new("test-pki");
        let d = dir.path();
        std::fs::write(d.join("req.cnf"), REQ_CONFIG).expect("write req.cnf");
        for ca in ["ca", "other-ca", "unrelated-ca"] {
            openssl(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    &format!("{ca}.key"),
                ],
            );
            openssl(
                d,
                &[
                    "req",
                    "-x509",
                    "-new",
                    "-config",
                    "req.cnf",
                    "-extensions",
                    "v3_ca",
                    "-key",
                    &format!("{ca}.key"),
                    "-subj",
                    &format!("/CN=awsrt {ca}"),
                    "-days",
                    "30",
                    "-out",
                    &format!("{ca}.pem"),
                ],
            );
        }
        for (leaf, ca, san) in [
            (Leaf::Good, "ca", "IP:127.0.0.1,DNS:localhost"),
            (Leaf::Expired, "ca", "IP:127.0.0.1,DNS:localhost"),
            (Leaf::WrongHost, "ca", "DNS:other.example"),
            (Leaf::UnknownCa, "other-ca", "IP:127.0.0.1,DNS:localhost"),
        ] {
            let name = leaf.name();
            std::fs::write(
                d.join(format!("{name}.ext")),
                format!(
                    "basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n\
                     extendedKeyUsage = serverAuth\nsubjectAltName = {san}\n"
                ),
            )
            .expect("write extensions");
            openssl(
                d,
                &[
                    "genpkey",
                    "-algorithm",
                    "EC",
                    "-pkeyopt",
                    "ec_paramgen_curve:P-256",
                    "-out",
                    &format!("{name}.key"),
                ],
            );
            openssl(
                d,
                &[
                    "req",
                    "-new",
                    "-config",
                    "req.cnf",
                    "-key",
                    &format!("{name}.key"),
                    "-subj",
                    "/CN=awsrt test server",
                    "-out",
                    &format!("{name}.csr"),
                ],
            );
            if leaf == Leaf::Expired {
                // `openssl x509` cannot date a certificate in the past; `openssl ca` can.
                Self::sign_in_the_past(d, name);
            } else {
                openssl(
                    d,
                    &[
                        "x509",
                        "-req",
                        "-in",
                        &format!("{name}.csr"),
                        "-CA",
                        &format!("{ca}.pem"),
                        "-CAkey",
                        &format!("{ca}.key"),
                        "-set_serial",
                        &format!("{}", 1000 + leaf as u32),
                        "-days",
                        "30",
                        "-sha256",
                        "-extfile",
                        &format!("{name}.ext"),
                        "-out",
                        &format!("{name}.pem"),
                    ],
                );
            }
        }
        // A bundle of several certificates: an unrelated CA first, then the test CA.
        let mut bundle = std::fs::read(d.join("unrelated-ca.pem")).expect("unrelated CA");
        bundle.extend(std::fs::read(d.join("ca.pem")).expect("CA"));
        std::fs::write(d.join("bundle.pem"), bundle).expect("write bundle");
        TestPki { dir }
    }

    fn sign_in_the_past(d: &Path, name: &str) {
        let db = d.join("ca-db");
        std::fs::create_dir_all(db.join("new")).expect("ca db");
        std::fs::write(db.join("index.txt"), "").expect("index");
        std::fs::write(db.join("serial"), "2000\n").expect("serial");
        let config = format!(
            "[ ca ]\ndefault_ca = test_ca\n[ test_ca ]\ndatabase = {db}/index.txt\n\
             new_certs_dir = {db}/new\nserial = {db}/serial\ndefault_md = sha256\n\
             policy = any\nunique_subject = no\n[ any ]\ncommonName = supplied\n",
            db = db.display()
        );
        std::fs::write(d.join("ca.cnf"), config).expect("ca.cnf");
        openssl(
            d,
            &[
                "ca",
                "-batch",
                "-notext",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-startdate",
                "20200101000000Z",
                "-enddate",
                "20200201000000Z",
                "-extfile",
                &format!("{name}.ext"),
                "-in",
                &format!("{name}.csr"),
                "-out",
                &format!("{name}.pem"),
            ],
        );
    }

    /// The test CA certificate (PEM file).
    pub fn ca_path(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A PEM file with two CA certificates: an unrelated one, then the test CA.
    pub fn bundle_path(&self) -> PathBuf {
        self.dir.path().join("bundle.pem")
    }

    /// The CA that signed [`Leaf::UnknownCa`] (PEM file); trusting it makes that leaf good.
    pub fn other_ca_path(&self) -> PathBuf {
        self.dir.path().join("other-ca.pem")
    }

    /// The temporary folder (for config files of a test).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The rustls settings of a server presenting `leaf` (the runtime's crypto provider, no
    /// ALPN), for tests that run a server of their own.
    pub fn server_config(&self, leaf: Leaf) -> Arc<rustls::ServerConfig> {
        let name = leaf.name();
        let chain: Vec<CertificateDer<'static>> =
            CertificateDer::pem_file_iter(self.dir.path().join(format!("{name}.pem")))
                .expect("server certificate")
                .collect::<Result<_, _>>()
                .expect("server certificate PEM");
        let key = PrivateKeyDer::from_pem_file(self.dir.path().join(format!("{name}.key")))
            .expect("server key");
        let config = rustls::ServerConfig::builder_with_provider(Arc::new(
            awsrt::http::crypto_provider(true),
        ))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("server certificate and key");
        Arc::new(config)
    }
}

/// What one connection to a [`TlsServer`] was (recorded as soon as it is known: a completed
/// handshake before the first request, each request line before it is answered).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConnectionRecord {
    /// The handshake completed: TLS version and key-exchange group, as the server saw them,
    /// and the request lines it answered.
    Tls {
        /// E.g. `TLSv1_3`.
        version: String,
        /// E.g. `X25519MLKEM768`.
        group: String,
        /// The request lines, e.g. `POST / HTTP/1.1`.
        requests: Vec<String>,
    },
    /// A TLS handshake was started and failed (the client refused the certificate).
    HandshakeFailed(String),
    /// The first bytes were not a TLS handshake record (e.g. plain HTTP).
    NotTls(Vec<u8>),
    /// Closed before sending anything.
    Empty,
}

/// An HTTPS server on 127.0.0.1 presenting one [`Leaf`]. Stops on drop.
pub struct TlsServer {
    port: u16,
    records: Arc<Mutex<Vec<ConnectionRecord>>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

impl TlsServer {
    /// Serves `leaf` of `pki`.
    pub fn start(pki: &TestPki, leaf: Leaf) -> TlsServer {
        let config = pki.server_config(leaf);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let records: Arc<Mutex<Vec<ConnectionRecord>>> = Arc::default();
        let stop = Arc::new(AtomicBool::new(false));
        let (r, s) = (Arc::clone(&records), Arc::clone(&stop));
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    return;
                }
                let Ok(stream) = stream else { continue };
                let (config, r) = (Arc::clone(&config), Arc::clone(&r));
                std::thread::spawn(move || serve(stream, config, &r));
            }
        });
        TlsServer {
            port,
            records,
            stop,
            accept: Some(accept),
        }
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    /// Every connection so far.
    pub fn records(&self) -> Vec<ConnectionRecord> {
        self.records.lock().unwrap().clone()
    }

    /// Waits (up to 10 s) until `n` connections are recorded, then returns them all.
    pub fn wait_for_records(&self, n: usize) -> Vec<ConnectionRecord> {
        let start = std::time::Instant::now();
        while self.records.lock().unwrap().len() < n && start.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        self.records()
    }
}

impl Drop for TlsServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(t) = self.accept.take() {
            let _ = t.join();
        }
    }
}

fn serve(
    stream: TcpStream,
    config: Arc<rustls::ServerConfig>,
    records: &Mutex<Vec<ConnectionRecord>>,
) {
    let record = |r| records.lock().unwrap().push(r);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(20)));
    let mut first = [0u8; 8];
    let n = match stream.peek(&mut first) {
        Ok(n) => n,
        Err(_) => return record(ConnectionRecord::Empty),
    };
    if n == 0 {
        return record(ConnectionRecord::Empty);
    }
    // A TLS handshake record starts with content type 22.
    if first[0] != 22 {
        let _ = stream.shutdown(Shutdown::Both);
        return record(ConnectionRecord::NotTls(first[..n].to_vec()));
    }
    let conn = rustls::ServerConnection::new(config).expect("server connection");
    let mut tls = rustls::StreamOwned::new(conn, stream);
    while tls.conn.is_handshaking() {
        if let Err(e) = tls.conn.complete_io(&mut tls.sock) {
            return record(ConnectionRecord::HandshakeFailed(e.to_string()));
        }
    }
    let version = format!("{:?}", tls.conn.protocol_version().expect("version"));
    let group = tls
        .conn
        .negotiated_key_exchange_group()
        .map(|g| format!("{:?}", g.name()))
        .unwrap_or_default();
    let index = {
        let mut all = records.lock().unwrap();
        all.push(ConnectionRecord::Tls {
            version,
            group,
            requests: Vec::new(),
        });
        all.len() - 1
    };
    let mut reader = BufReader::new(tls);
    while let Ok(Some(line)) = read_request(&mut reader) {
        if let ConnectionRecord::Tls { requests, .. } = &mut records.lock().unwrap()[index] {
            requests.push(line);
        }
        let resp = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
             x-amzn-requestid: tls-test\r\ncontent-length: {}\r\n\r\n{BODY}",
            BODY.len()
        );
        let s = reader.get_mut();
        if s.write_all(resp.as_bytes())
            .and_then(|()| s.flush())
            .is_err()
        {
            break;
        }
    }
}

/// Reads one request (head and `content-length` body); returns its request line, `None` at
/// the end of the stream.
fn read_request(r: &mut impl BufRead) -> io::Result<Option<String>> {
    let mut line = String::new();
    if r.read_line(&mut line)? == 0 {
        return Ok(None);
    }
    let request_line = line.trim_end().to_string();
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        if r.read_line(&mut h)? == 0 {
            return Ok(None);
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((name, value)) = h.split_once(':') {
            if name.trim().eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut body = vec![0u8; length];
    r.read_exact(&mut body)?;
    Ok(Some(request_line))
}
