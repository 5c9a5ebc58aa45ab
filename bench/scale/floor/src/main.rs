//! `cargo xtask bench scale`, the floor row: what any program on our generated crates compiles
//! before a line of AWS code. It loads the system's root certificates, makes an ML-KEM-768 key
//! pair and round trip (the post-quantum half of the runtime's key exchange), and sends one
//! HTTPS GET to the URL given as the first argument through tokio-rustls on ring, reading the
//! response head with httparse. Only its build is measured.

use std::sync::Arc;

use ml_kem::kem::{Decapsulate, KeyExport};
use ml_kem::ml_kem_768::DecapsulationKey;
use ring::rand::{SecureRandom, SystemRandom};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zeroize::Zeroizing;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let url = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "https://127.0.0.1:8443/".to_owned());
    if let Err(e) = run(&url).await {
        eprintln!("GET {url} failed: {e}");
        std::process::exit(1);
    }
}

async fn run(url: &str) -> Result<(), String> {
    let uri: http::Uri = url.parse().map_err(|e| format!("bad URL: {e}"))?;
    let host = uri.host().ok_or("URL without a host")?.to_owned();
    let port = uri.port_u16().unwrap_or(443);

    let rng = SystemRandom::new();
    let mut seed = Zeroizing::new([0u8; 64]);
    let mut m = [0u8; 32];
    rng.fill(&mut seed[..]).map_err(|_| "no randomness")?;
    rng.fill(&mut m).map_err(|_| "no randomness")?;
    let dk = DecapsulationKey::from_seed((*seed).into());
    let ek = dk.encapsulation_key();
    let (ct, ss) = ek.encapsulate_deterministic(&m.into());
    let back: [u8; 32] = dk
        .decapsulate_slice(&ct)
        .map_err(|_| "ML-KEM ciphertext refused")?
        .into();
    let ss: [u8; 32] = ss.into();
    tracing::debug!(
        ek_len = ek.to_bytes().len(),
        agree = back == ss,
        "ML-KEM-768 round trip"
    );

    let mut roots = rustls::RootCertStore::empty();
    let found = rustls_native_certs::load_native_certs();
    for cert in found.certs {
        let _ = roots.add(cert);
    }
    tracing::debug!(
        roots = roots.len(),
        algorithms = webpki::ring::ECDSA_P256_SHA256.public_key_alg_id().as_ref().len(),
        "trust store"
    );
    let config = rustls::ClientConfig::builder()
        .with_root_certificates(roots)
        .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let name = rustls::pki_types::ServerName::try_from(host.clone())
        .map_err(|e| format!("bad host name: {e}"))?;

    let tcp = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        tokio::net::TcpStream::connect((host.as_str(), port)),
    )
    .await
    .map_err(|_| "connect timed out")?
    .map_err(|e| format!("connect: {e}"))?;
    let mut tls = connector
        .connect(name, tcp)
        .await
        .map_err(|e| format!("TLS: {e}"))?;

    let req = http::Request::get(uri.path())
        .header(http::header::HOST, host.as_str())
        .body(())
        .map_err(|e| e.to_string())?;
    let mut head = bytes::BytesMut::new();
    head.extend_from_slice(format!("GET {} HTTP/1.1\r\n", req.uri()).as_bytes());
    for (k, v) in req.headers() {
        head.extend_from_slice(k.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(v.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"connection: close\r\n\r\n");
    tls.write_all(&head).await.map_err(|e| e.to_string())?;

    let mut buf = Vec::new();
    tls.read_to_end(&mut buf).await.map_err(|e| e.to_string())?;
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut resp = httparse::Response::new(&mut headers);
    resp.parse(&buf).map_err(|e| e.to_string())?;
    println!("GET {url}: {:?}, {} bytes", resp.code, buf.len());
    Ok(())
}
