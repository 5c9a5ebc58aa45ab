//! `HyperTransport` against a tiny HTTP/1.1 server on 127.0.0.1: keep-alive reuse, timeouts,
//! truncation, size limits, connection errors, and a full `ClientHandle` round trip.

mod pipeline_support;
use pipeline_support::JsonCall;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsrt::client::ClientHandle;
use awsrt::config::{Config, TimeoutConfig};
use awsrt::error::SdkError;
use awsrt::http::{
    AttemptTimeouts, HttpRequest, HyperTransport, Transport, TransportErrorKind, TransportTimeout,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    }
}

/// What the server does with a request.
enum Action {
    /// Write these bytes and keep serving the connection.
    Reply(Vec<u8>),
    /// Write these bytes, then close the connection.
    ReplyAndClose(Vec<u8>),
    /// Write these bytes, then hold the connection open without sending anything.
    ReplyAndStall(Vec<u8>),
    /// Wait, then write the bytes and keep serving.
    DelayedReply(Duration, Vec<u8>),
}

type Handler = Arc<dyn Fn(usize, &Seen) -> Action + Send + Sync>;

struct Server {
    addr: SocketAddr,
    accepts: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    fn accepts(&self) -> usize {
        self.accepts.load(Ordering::SeqCst)
    }
}

fn ok(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nx-amzn-RequestId: rid\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads one request (head + content-length body); `None` on EOF.
async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Seen> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let mut seen = Seen {
                head,
                body: Vec::new(),
            };
            let len: usize = seen
                .header("content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let start = end + 4;
            while buf.len() < start + len {
                let mut chunk = [0u8; 4096];
                let n = sock.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            seen.body = buf[start..start + len].to_vec();
            buf.drain(..start + len);
            return Some(seen);
        }
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn serve(handler: impl Fn(usize, &Seen) -> Action + Send + Sync + 'static) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let accepts = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(Mutex::new(Vec::new()));
    let counter = Arc::new(AtomicUsize::new(0));
    let handler: Handler = Arc::new(handler);
    let (a, s) = (accepts.clone(), seen.clone());
    tokio::spawn(async move {
        loop {
            let Ok((mut sock, _)) = listener.accept().await else {
                return;
            };
            a.fetch_add(1, Ordering::SeqCst);
            let (handler, seen, counter) = (handler.clone(), s.clone(), counter.clone());
            tokio::spawn(async move {
                let mut buf = Vec::new();
                while let Some(req) = read_request(&mut sock, &mut buf).await {
                    let idx = counter.fetch_add(1, Ordering::SeqCst);
                    seen.lock().unwrap().push(req.clone());
                    match handler(idx, &req) {
                        Action::Reply(bytes) => {
                            if sock.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Action::DelayedReply(d, bytes) => {
                            tokio::time::sleep(d).await;
                            if sock.write_all(&bytes).await.is_err() {
                                return;
                            }
                        }
                        Action::ReplyAndClose(bytes) => {
                            let _ = sock.write_all(&bytes).await;
                            let _ = sock.shutdown().await;
                            return;
                        }
                        Action::ReplyAndStall(bytes) => {
                            let _ = sock.write_all(&bytes).await;
                            tokio::time::sleep(Duration::from_secs(30)).await;
                            return;
                        }
                    }
                }
            });
        }
    });
    Server {
        addr,
        accepts,
        seen,
    }
}

fn get(url: &str) -> HttpRequest {
    HttpRequest::new(http::Method::POST, url, &b"{}"[..])
}

const T: AttemptTimeouts = AttemptTimeouts {
    connect: Some(Duration::from_secs(2)),
    read: Some(Duration::from_secs(5)),
};

#[tokio::test]
async fn keep_alive_reuses_one_connection() {
    let server = serve(|i, _| Action::Reply(ok(&format!("r{i}")))).await;
    let t = HyperTransport::new();
    for i in 0..3 {
        let resp = t.send(get(&server.url()), &T).await.unwrap();
        assert_eq!(resp.status, 200);
        assert_eq!(&resp.body[..], format!("r{i}").as_bytes());
        assert_eq!(resp.header("x-amzn-requestid"), Some("rid"));
    }
    assert_eq!(server.accepts(), 1);
    assert_eq!(t.idle_connections(), 1);
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen[0].header("host"), Some(server.addr.to_string()));
    assert_eq!(seen[0].header("content-length").as_deref(), Some("2"));
    assert_eq!(seen[0].body, b"{}");
    assert!(
        seen[0].head.starts_with("POST / HTTP/1.1"),
        "{}",
        seen[0].head
    );
}

#[tokio::test]
async fn concurrent_requests_use_separate_connections_then_pool_them() {
    let server = serve(|_, _| Action::DelayedReply(Duration::from_millis(150), ok("x"))).await;
    let t = HyperTransport::new();
    let (a, b) = tokio::join!(
        t.send(get(&server.url()), &T),
        t.send(get(&server.url()), &T)
    );
    assert_eq!(a.unwrap().status, 200);
    assert_eq!(b.unwrap().status, 200);
    assert_eq!(server.accepts(), 2);
    assert_eq!(t.idle_connections(), 2);
    t.send(get(&server.url()), &T).await.unwrap();
    assert_eq!(server.accepts(), 2, "a pooled connection was reused");
}

#[tokio::test]
async fn stalled_body_hits_the_read_timeout() {
    let server = serve(|_, _| {
        let mut bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
        bytes.extend_from_slice(&[b'a'; 10]);
        Action::ReplyAndStall(bytes)
    })
    .await;
    let t = HyperTransport::new();
    let timeouts = AttemptTimeouts {
        connect: Some(Duration::from_secs(2)),
        read: Some(Duration::from_millis(300)),
    };
    let start = Instant::now();
    let err = t.send(get(&server.url()), &timeouts).await.unwrap_err();
    assert_eq!(
        err.kind(),
        TransportErrorKind::Timeout(TransportTimeout::Read),
        "{err}"
    );
    assert!(err.is_retryable());
    assert!(start.elapsed() < Duration::from_secs(3));
    assert_eq!(t.idle_connections(), 0, "a failed connection is not pooled");
}

#[tokio::test]
async fn missing_response_hits_the_read_timeout() {
    let server = serve(|_, _| Action::ReplyAndStall(Vec::new())).await;
    let timeouts = AttemptTimeouts {
        connect: None,
        read: Some(Duration::from_millis(200)),
    };
    let err = HyperTransport::new()
        .send(get(&server.url()), &timeouts)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        TransportErrorKind::Timeout(TransportTimeout::Read)
    );
    assert!(err.to_string().contains(&server.addr.to_string()), "{err}");
}

#[tokio::test]
async fn truncated_body_is_a_retryable_io_error() {
    let server = serve(|_, _| {
        let mut bytes = b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n".to_vec();
        bytes.extend_from_slice(&[b'a'; 10]);
        Action::ReplyAndClose(bytes)
    })
    .await;
    let t = HyperTransport::new();
    let err = t.send(get(&server.url()), &T).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Io, "{err}");
    assert!(err.is_retryable());
    assert_eq!(t.idle_connections(), 0);
}

#[tokio::test]
async fn garbage_response_is_not_retryable() {
    let server = serve(|_, _| Action::ReplyAndClose(b"SMTP ready\r\n\r\n".to_vec())).await;
    let err = HyperTransport::new()
        .send(get(&server.url()), &T)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Other, "{err}");
}

#[tokio::test]
async fn body_size_limit() {
    let server = serve(|i, _| {
        if i == 0 {
            Action::Reply(ok(&"x".repeat(100)))
        } else {
            // Chunked, no length: the limit applies while streaming.
            let mut b = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
            for _ in 0..5 {
                b.extend_from_slice(b"a\r\n0123456789\r\n");
            }
            b.extend_from_slice(b"0\r\n\r\n");
            Action::Reply(b)
        }
    })
    .await;
    let t = HyperTransport::builder().max_body_size(16).build();
    let err = t.send(get(&server.url()), &T).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Other);
    assert!(
        err.to_string().contains("exceeds the limit of 16 bytes"),
        "{err}"
    );
    let err = t.send(get(&server.url()), &T).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Other);

    // The same chunked body within the limit is assembled from its chunks.
    let t = HyperTransport::builder().max_body_size(50).build();
    let resp = t.send(get(&server.url()), &T).await.unwrap();
    assert_eq!(&resp.body[..], "0123456789".repeat(5).as_bytes());
}

#[tokio::test]
async fn connection_close_and_silent_close_are_not_reused() {
    let server = serve(|i, _| match i {
        0 => Action::Reply(
            b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\na".to_vec(),
        ),
        1 => Action::ReplyAndClose(ok("b")),
        _ => Action::Reply(ok("c")),
    })
    .await;
    let t = HyperTransport::new();
    assert_eq!(
        &t.send(get(&server.url()), &T).await.unwrap().body[..],
        b"a"
    );
    assert_eq!(t.idle_connections(), 0);
    assert_eq!(
        &t.send(get(&server.url()), &T).await.unwrap().body[..],
        b"b"
    );
    // The server closed without saying so; give the client a moment to notice.
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        &t.send(get(&server.url()), &T).await.unwrap().body[..],
        b"c"
    );
    assert_eq!(server.accepts(), 3);
}

#[tokio::test]
async fn connection_refused() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let url = format!("http://{addr}/");
    let err = HyperTransport::new().send(get(&url), &T).await.unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Connect);
    assert!(err.is_retryable());

    let config = Config::builder()
        .region("us-east-1")
        .credentials("AKID", "secret", None)
        .endpoint_url(format!("http://{addr}"))
        .retry_config(pipeline_support::fast_retry(1))
        .build();
    let err = ClientHandle::new(&config, &pipeline_support::SERVICE)
        .call_json(&pipeline_support::OP, b"{}".to_vec())
        .await
        .unwrap_err();
    match &err {
        SdkError::Dispatch(d) => assert!(d.is_connect()),
        other => panic!("expected a dispatch failure, got {other:?}"),
    }
    assert_eq!(
        err.to_string(),
        format!("dispatch failure: connection refused (http://{addr})")
    );
}

#[tokio::test]
async fn https_to_a_plain_server_is_a_tls_error() {
    let server = serve(|_, _| Action::ReplyAndClose(ok("x"))).await;
    // The client's ClientHello is not an HTTP request; answer it with plain HTTP.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        if let Ok((mut sock, _)) = listener.accept().await {
            let mut buf = [0u8; 1024];
            let _ = sock.read(&mut buf).await;
            let _ = sock.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
        }
    });
    let err = HyperTransport::new()
        .send(get(&format!("https://{addr}/")), &T)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), TransportErrorKind::Tls, "{err}");
    assert!(!err.is_retryable());
    drop(server);
}

#[tokio::test]
async fn client_handle_round_trip_with_retry_on_one_connection() {
    let server = serve(|i, _| {
        if i == 0 {
            Action::Reply(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 2\r\n\r\n{}".to_vec(),
            )
        } else {
            Action::Reply(ok(r#"{"Name":"n"}"#))
        }
    })
    .await;
    let config = Config::builder()
        .region("us-east-1")
        .credentials("AKID", "secret", None)
        .endpoint_url(format!("http://{}", server.addr))
        .retry_config(pipeline_support::fast_retry(3))
        .timeout_config(TimeoutConfig::default().with_operation(Duration::from_secs(10)))
        .build();
    let handle = ClientHandle::new(&config, &pipeline_support::SERVICE);
    let resp = handle
        .call_json(&pipeline_support::OP, br#"{"SecretId":"s"}"#.to_vec())
        .await
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(&resp.body[..], br#"{"Name":"n"}"#);
    assert_eq!(
        server.accepts(),
        1,
        "the 503 connection was kept alive for the retry"
    );
    let seen = server.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for s in &seen {
        assert_eq!(
            s.header("x-amz-target").as_deref(),
            Some("TestService_20240101.DoThing")
        );
        assert_eq!(
            s.header("content-type").as_deref(),
            Some("application/x-amz-json-1.1")
        );
        assert!(s
            .header("authorization")
            .unwrap()
            .starts_with("AWS4-HMAC-SHA256 "));
        assert_eq!(s.header("host"), Some(server.addr.to_string()));
        assert_eq!(s.body, br#"{"SecretId":"s"}"#);
    }
    assert_eq!(
        seen[1].header("amz-sdk-request").as_deref(),
        Some("attempt=2; max=3")
    );
}

#[tokio::test]
async fn idle_connections_are_evicted_and_reuse_can_be_disabled() {
    let server = serve(|_, _| Action::Reply(ok("x"))).await;
    let t = HyperTransport::builder()
        .pool_idle_timeout(Duration::from_millis(500))
        .build();
    t.send(get(&server.url()), &T).await.unwrap();
    assert_eq!(t.idle_connections(), 1);
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(t.idle_connections(), 0, "expired connections are dropped");
    t.send(get(&server.url()), &T).await.unwrap();
    assert_eq!(server.accepts(), 2);

    let t = HyperTransport::builder().max_idle_per_host(0).build();
    t.send(get(&server.url()), &T).await.unwrap();
    t.send(get(&server.url()), &T).await.unwrap();
    assert_eq!(t.idle_connections(), 0);
    assert_eq!(server.accepts(), 4);
}

/// Every call reuses the endpoint's parsed origin and appends its own path: REST paths go after
/// the endpoint's path, escaped and with their query as written, the `Host` header names the
/// endpoint (signed and unsigned), and every call goes on the one connection.
#[tokio::test]
async fn rest_paths_join_the_endpoint_path_on_the_wire() {
    use awsrt::client::{AuthScheme, CallOptions, Request};
    let server = serve(|_, _| Action::Reply(ok("{}"))).await;
    let config = Config::builder()
        .region("us-east-1")
        .credentials("AKID", "secret", None)
        .endpoint_url(format!("http://{}/base", server.addr))
        .build();
    let handle = ClientHandle::new(&config, &pipeline_support::SERVICE);
    let paths = [
        "/clusters/a%20b?x=1&y",
        "/",
        "/k%2Fey/%E2%82%AC",
        "/clusters/c",
    ];
    for (i, path) in paths.into_iter().enumerate() {
        let request = Request::new(http::Method::GET, path);
        let options = if i % 2 == 0 {
            CallOptions::new()
        } else {
            CallOptions::new().auth(AuthScheme::None)
        };
        let reply = handle
            .call_with(&pipeline_support::OP, request, options)
            .await
            .unwrap();
        assert_eq!(reply.status, 200);
    }
    let seen = server.seen.lock().unwrap().clone();
    let lines: Vec<&str> = seen
        .iter()
        .map(|s| s.head.lines().next().unwrap_or(""))
        .collect();
    assert_eq!(
        lines,
        [
            "GET /base/clusters/a%20b?x=1&y HTTP/1.1",
            "GET /base/ HTTP/1.1",
            "GET /base/k%2Fey/%E2%82%AC HTTP/1.1",
            "GET /base/clusters/c HTTP/1.1",
        ]
    );
    for (i, s) in seen.iter().enumerate() {
        assert_eq!(s.header("host"), Some(server.addr.to_string()), "{i}");
        assert_eq!(s.header("authorization").is_some(), i % 2 == 0, "{i}");
    }
    assert_eq!(server.accepts(), 1);
}

/// A transport that points each request at another server before `HyperTransport` sends it.
#[derive(Debug)]
struct Redirect {
    from: String,
    to: String,
    inner: HyperTransport,
}

impl Transport for Redirect {
    fn send(
        &self,
        mut req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> awsrt::http::BoxFuture<
        'static,
        Result<awsrt::http::HttpResponse, awsrt::http::TransportError>,
    > {
        req.uri = req.uri.replacen(&self.from, &self.to, 1);
        self.inner.send(req, timeouts)
    }
}

/// A request whose URI a transport changed after the pipeline built it on the endpoint goes
/// where its URI now says, not to the endpoint.
#[tokio::test]
async fn a_rewritten_uri_goes_where_it_says() {
    let a = serve(|_, _| Action::Reply(ok("a"))).await;
    let b = serve(|_, _| Action::Reply(ok("b"))).await;
    let redirect = Redirect {
        from: format!("http://{}/", a.addr),
        to: format!("http://{}/other/", b.addr),
        inner: HyperTransport::new(),
    };
    let config = Config::builder()
        .region("us-east-1")
        .credentials("AKID", "secret", None)
        .endpoint_url(a.url())
        .transport(Arc::new(redirect))
        .build();
    let handle = ClientHandle::new(&config, &pipeline_support::SERVICE);
    let reply = handle
        .call(
            &pipeline_support::OP,
            awsrt::client::Request::new(http::Method::GET, "/p?q=1"),
        )
        .await
        .unwrap();
    assert_eq!(&reply.body[..], b"b");
    assert_eq!(a.accepts(), 0);
    let seen = b.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].head.lines().next(),
        Some("GET /other/p?q=1 HTTP/1.1")
    );
}
