//! Client-side CPU of a full TLS 1.3 handshake with the runtime's crypto provider, post-quantum
//! on and off: `cargo run --release -p awsrt --example tls_handshake -- [N [pq|classical]]`
//! (N handshakes, default 200, with both settings unless one is named).
//!
//! Client and server run in this one thread and exchange bytes in memory (no sockets, no
//! kernel time). Every client-side step runs inside `client_side`, so
//! `valgrind --tool=callgrind --toggle-collect='*client_side*'` counts only the client's
//! instructions (`cargo xtask handshake` does that); the program itself prints the median time
//! of the client's steps per handshake. The server uses the same provider (so it can choose
//! X25519MLKEM768), a 2048-bit RSA certificate from a test CA (as AWS endpoints present RSA
//! certificates), and sends no session tickets, so every handshake is a full one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use awsrt::http::crypto_provider;
use awsrt::http::rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use awsrt::http::rustls::{
    ClientConfig, ClientConnection, RootCertStore, ServerConfig, ServerConnection,
};

const CA: &[u8] = include_bytes!("tls_handshake/ca.der");
const LEAF: &[u8] = include_bytes!("tls_handshake/leaf.der");
const LEAF_KEY: &[u8] = include_bytes!("tls_handshake/leaf.key.der");
const HOST: &str = "secretsmanager.us-east-1.amazonaws.com";

/// Runs `f` as client-side work, adding its duration to `spent`.
#[inline(never)]
fn client_side<T>(spent: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = std::hint::black_box(f());
    *spent += start.elapsed();
    out
}

fn configs(post_quantum: bool) -> (Arc<ClientConfig>, Arc<ServerConfig>) {
    let mut roots = RootCertStore::empty();
    roots.add(CertificateDer::from(CA)).expect("test CA");
    let client = ClientConfig::builder_with_provider(Arc::new(crypto_provider(post_quantum)))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    let key = PrivateKeyDer::try_from(LEAF_KEY.to_vec()).expect("test key");
    let mut server = ServerConfig::builder_with_provider(Arc::new(crypto_provider(true)))
        .with_safe_default_protocol_versions()
        .expect("protocol versions")
        .with_no_client_auth()
        .with_single_cert(
            vec![CertificateDer::from(LEAF), CertificateDer::from(CA)],
            key,
        )
        .expect("test certificate");
    server.send_tls13_tickets = 0;
    (Arc::new(client), Arc::new(server))
}

/// One full handshake; returns the client's time and the negotiated group's name.
fn handshake(client_cfg: &Arc<ClientConfig>, server_cfg: &Arc<ServerConfig>) -> (Duration, String) {
    let mut spent = Duration::ZERO;
    let name = ServerName::try_from(HOST).expect("host name");
    let mut client = client_side(&mut spent, || {
        ClientConnection::new(Arc::clone(client_cfg), name).expect("client")
    });
    let mut server = ServerConnection::new(Arc::clone(server_cfg)).expect("server");
    let mut wire = Vec::new();
    while client.is_handshaking() || server.is_handshaking() {
        wire.clear();
        client_side(&mut spent, || {
            while client.wants_write() {
                client.write_tls(&mut wire).expect("client write");
            }
        });
        let mut rd = &wire[..];
        while !rd.is_empty() {
            server.read_tls(&mut rd).expect("server read");
            server.process_new_packets().expect("server handshake");
        }
        wire.clear();
        while server.wants_write() {
            server.write_tls(&mut wire).expect("server write");
        }
        client_side(&mut spent, || {
            let mut rd = &wire[..];
            while !rd.is_empty() {
                client.read_tls(&mut rd).expect("client read");
                client.process_new_packets().expect("client handshake");
            }
        });
    }
    let group = client
        .negotiated_key_exchange_group()
        .and_then(|g| g.name().as_str())
        .unwrap_or("none")
        .to_owned();
    (spent, group)
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(200);
    let modes: &[bool] = match std::env::args().nth(2).as_deref() {
        Some("pq") => &[true],
        Some("classical") => &[false],
        _ => &[true, false],
    };
    for &post_quantum in modes {
        let (client, server) = configs(post_quantum);
        let mut times = Vec::with_capacity(n);
        let mut group = String::new();
        for _ in 0..n {
            let (t, g) = handshake(&client, &server);
            times.push(t);
            group = g;
        }
        times.sort();
        println!(
            "post_quantum={post_quantum}: {n} handshakes, group {group}, client median {:.1} µs",
            times[n / 2].as_secs_f64() * 1e6
        );
    }
}
