//! A large streamed body over TLS (the socket's receive low-water mark under rustls, see
//! `runtime/src/http/low_water.rs`): every byte arrives, and the connection then carries a
//! small answer, which it could not if the mark were still up or had counted on bytes rustls
//! had already taken from the socket. Against a local HTTPS server (tokio-rustls, the test CA
//! of `integration_tests::tls_server`).
//!
//! Run: `cargo test -p integration-tests --test tls_large_body`.

use std::time::Duration;

use awsrt::http::{AttemptTimeouts, CaBundle, HttpRequest, HyperTransport, Transport};
use integration_tests::tls_server::{Leaf, TestPki};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The body bytes count up, so that a lost or repeated piece shows.
fn counted(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// Answers the requests of one TLS connection with `Content-Length` bodies of `lengths`, in
/// order, each written whole.
async fn serve(listener: TcpListener, pki: &TestPki, lengths: Vec<usize>) {
    let acceptor = tokio_rustls::TlsAcceptor::from(pki.server_config(Leaf::Good));
    let (tcp, _) = listener.accept().await.expect("accept");
    let mut tls = acceptor.accept(tcp).await.expect("handshake");
    for length in lengths {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            if tls.read(&mut byte).await.expect("request") == 0 {
                return;
            }
            head.push(byte[0]);
        }
        let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n");
        tls.write_all(answer.as_bytes()).await.expect("head");
        tls.write_all(&counted(length)).await.expect("body");
        tls.flush().await.expect("flush");
    }
}

#[tokio::test]
async fn a_large_body_over_tls_arrives_whole_and_the_connection_serves_a_small_one() {
    let pki = TestPki::create();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "https://127.0.0.1:{}/",
        listener.local_addr().unwrap().port()
    );
    let big = 5 * 1024 * 1024 + 123;
    let server = serve(listener, &pki, vec![big, 7]);
    let client = async {
        let bundle = CaBundle::from_pem_file(pki.bundle_path()).expect("bundle");
        let t = HyperTransport::builder().ca_bundle(bundle).build();
        let timeouts = AttemptTimeouts {
            connect: Some(Duration::from_secs(10)),
            read: Some(Duration::from_secs(10)),
        };
        let get = || HttpRequest::new(awsrt::client::Method::GET, &url, Vec::new());
        let (head, mut body) = t.send_streaming(get(), &timeouts).await.expect("large");
        assert_eq!(head.status, 200);
        let mut all = Vec::with_capacity(big);
        while let Some(chunk) = body.next().await {
            all.extend_from_slice(&chunk.expect("chunk"));
        }
        assert!(all == counted(big), "the large body, byte for byte");
        assert_eq!(t.idle_connections(), 1);
        // The server accepts one connection only: this answer comes on the same one.
        let (head, body) = t.send_streaming(get(), &timeouts).await.expect("small");
        assert_eq!(head.status, 200);
        assert_eq!(
            &body.collect().await.expect("small body")[..],
            &counted(7)[..]
        );
    };
    tokio::join!(server, client);
}
