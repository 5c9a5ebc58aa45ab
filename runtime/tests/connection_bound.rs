//! The bound on connections per host (`ConfigBuilder::max_connections_per_host`) against a
//! local HTTP/1.1 server of the test's own on 127.0.0.1 that counts the connections it
//! accepted, the ones open now and at most, and the ones that reached end of stream.

mod pipeline_support;
use pipeline_support::JsonCall;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use awsrt::client::ClientHandle;
use awsrt::config::{Config, TimeoutConfig};
use awsrt::error::SdkError;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// What the server does after each response.
#[derive(Clone, Copy)]
enum Mode {
    /// Keep the connection for the next request.
    KeepAlive,
    /// Send `Connection: close` and close.
    CloseEach,
    /// Keep the connection, but close it once it has been idle this long (a server's
    /// keep-alive timeout).
    IdleClose(Duration),
}

#[derive(Default)]
struct Counts {
    accepted: AtomicUsize,
    open: AtomicUsize,
    peak: AtomicUsize,
    /// Connections whose client side ended (end of stream or a reset).
    eof: AtomicUsize,
    requests: AtomicUsize,
    /// The body of each request, in the order the server read them.
    order: Mutex<Vec<String>>,
}

struct Server {
    addr: SocketAddr,
    counts: Arc<Counts>,
    accept: JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.accept.abort();
    }
}

impl Server {
    fn peak(&self) -> usize {
        self.counts.peak.load(Ordering::SeqCst)
    }
    fn accepted(&self) -> usize {
        self.counts.accepted.load(Ordering::SeqCst)
    }
    fn open(&self) -> usize {
        self.counts.open.load(Ordering::SeqCst)
    }
    fn eof(&self) -> usize {
        self.counts.eof.load(Ordering::SeqCst)
    }
}

/// Counts a connection open until dropped.
struct OpenGuard(Arc<Counts>);

impl Drop for OpenGuard {
    fn drop(&mut self) {
        self.0.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Starts the server: every request is answered with `{}` after `delay`.
async fn serve(mode: Mode, delay: Duration) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let counts = Arc::new(Counts::default());
    let c = counts.clone();
    let accept = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                continue;
            };
            c.accepted.fetch_add(1, Ordering::SeqCst);
            let open = c.open.fetch_add(1, Ordering::SeqCst) + 1;
            c.peak.fetch_max(open, Ordering::SeqCst);
            let guard = OpenGuard(c.clone());
            // Connection tasks live in the set, so they end with the accept task.
            conns.spawn(connection(sock, c.clone(), guard, mode, delay));
        }
    });
    Server {
        addr,
        counts,
        accept,
    }
}

async fn connection(
    mut sock: TcpStream,
    counts: Arc<Counts>,
    _guard: OpenGuard,
    mode: Mode,
    delay: Duration,
) {
    let mut buf = Vec::new();
    loop {
        let head = match mode {
            Mode::IdleClose(idle) => {
                match tokio::time::timeout(idle, read_request(&mut sock, &mut buf)).await {
                    Ok(h) => h,
                    // Idle too long: the server closes (the client did not end it).
                    Err(_) => return,
                }
            }
            _ => read_request(&mut sock, &mut buf).await,
        };
        let Some(body) = head else {
            counts.eof.fetch_add(1, Ordering::SeqCst);
            return;
        };
        counts.requests.fetch_add(1, Ordering::SeqCst);
        counts.order.lock().unwrap().push(body);
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let close = matches!(mode, Mode::CloseEach);
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 2\r\nx-amzn-RequestId: rid\r\n{}\r\n{{}}",
            if close { "Connection: close\r\n" } else { "" }
        );
        if sock.write_all(reply.as_bytes()).await.is_err() || close {
            return;
        }
    }
}

fn header(head: &str, name: &str) -> Option<String> {
    head.lines().skip(1).find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().to_string())
    })
}

/// Reads one request (head + content-length body) and returns its body; `None` at end of
/// stream or on an error.
async fn read_request(sock: &mut TcpStream, buf: &mut Vec<u8>) -> Option<String> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_string();
            let len: usize = header(&head, "content-length")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + len {
                let mut chunk = [0u8; 4096];
                match sock.read(&mut chunk).await {
                    Ok(0) | Err(_) => return None,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
            let body = String::from_utf8_lossy(&buf[end + 4..end + 4 + len]).to_string();
            buf.drain(..end + 4 + len);
            return Some(body);
        }
        let mut chunk = [0u8; 4096];
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn config(server: &Server, bound: usize) -> Config {
    Config::builder()
        .region("us-east-1")
        .credentials("AKID", "secret", None)
        .endpoint_url(format!("http://{}", server.addr))
        .retry_config(pipeline_support::fast_retry(3))
        .timeout_config(TimeoutConfig::default().with_operation(Duration::from_secs(30)))
        .max_connections_per_host(bound)
        .build()
}

/// Waits until `f` holds, up to `limit`.
async fn eventually(limit: Duration, f: impl Fn() -> bool) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        if f() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    f()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_calls_never_open_more_than_the_bound() {
    let server = serve(Mode::KeepAlive, Duration::from_millis(2)).await;
    let client = ClientHandle::new(&config(&server, 8), &pipeline_support::SERVICE);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..256 {
        let c = client.clone();
        tasks.spawn(async move { c.call_json(&pipeline_support::OP, b"{}".to_vec()).await });
    }
    let mut ok = 0;
    while let Some(r) = tasks.join_next().await {
        let reply = r.unwrap().expect("every call succeeds");
        assert_eq!(reply.status, 200);
        ok += 1;
    }
    assert_eq!(ok, 256);
    assert_eq!(server.counts.requests.load(Ordering::SeqCst), 256);
    assert!(server.peak() <= 8, "peak {} connections", server.peak());
    // 256 callers at once fill the bound, and no connection was replaced.
    assert_eq!(server.accepted(), 8, "connections accepted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_every_clone_of_the_client_closes_every_connection() {
    let server = serve(Mode::KeepAlive, Duration::from_millis(2)).await;
    let config = config(&server, 8);
    let client = ClientHandle::new(&config, &pipeline_support::SERVICE);
    let clones: Vec<ClientHandle> = (0..4).map(|_| client.clone()).collect();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..64 {
        let c = clones[i % clones.len()].clone();
        tasks.spawn(async move { c.call_json(&pipeline_support::OP, b"{}".to_vec()).await });
    }
    while let Some(r) = tasks.join_next().await {
        r.unwrap().expect("call succeeds");
    }
    let accepted = server.accepted();
    assert!((2..=8).contains(&accepted), "{accepted} connections");
    assert_eq!(server.open(), accepted, "idle connections stay open");
    assert_eq!(server.eof(), 0);
    drop(clones);
    drop(client);
    // The configuration holds the transport too: a client is gone when both are.
    drop(config);
    let closed = eventually(Duration::from_secs(2), || server.eof() == accepted).await;
    assert!(
        closed,
        "{} of {accepted} connections saw end of stream; {} still open",
        server.eof(),
        server.open()
    );
    assert_eq!(server.open(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_the_server_closes_free_their_slots() {
    // Every response closes its connection.
    let server = serve(Mode::CloseEach, Duration::ZERO).await;
    let client = ClientHandle::new(&config(&server, 2), &pipeline_support::SERVICE);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..40 {
        let c = client.clone();
        tasks.spawn(async move { c.call_json(&pipeline_support::OP, b"{}".to_vec()).await });
    }
    let calls = tokio::time::timeout(Duration::from_secs(10), async {
        while let Some(r) = tasks.join_next().await {
            r.unwrap().expect("call succeeds");
        }
    })
    .await;
    assert!(
        calls.is_ok(),
        "calls stalled: a closed connection kept its slot"
    );
    assert_eq!(server.accepted(), 40, "one connection per call");
    assert_eq!(server.counts.requests.load(Ordering::SeqCst), 40);

    // Idle connections the server closes on its own (keep-alive timeout) free theirs too.
    let server = serve(Mode::IdleClose(Duration::from_millis(30)), Duration::ZERO).await;
    let client = ClientHandle::new(&config(&server, 2), &pipeline_support::SERVICE);
    for round in 0..5 {
        let mut tasks = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let c = client.clone();
            tasks.spawn(async move { c.call_json(&pipeline_support::OP, b"{}".to_vec()).await });
        }
        let calls = tokio::time::timeout(Duration::from_secs(10), async {
            while let Some(r) = tasks.join_next().await {
                r.unwrap().expect("call succeeds");
            }
        })
        .await;
        assert!(calls.is_ok(), "round {round} stalled");
        // Past the server's idle timeout: both connections are closed before the next round.
        let idle_closed = eventually(Duration::from_secs(2), || server.open() == 0).await;
        assert!(idle_closed, "the server did not close the idle connections");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(server.peak() <= 2, "peak {}", server.peak());
    assert!(
        server.accepted() >= 6,
        "closed connections were replaced: {} accepted",
        server.accepted()
    );
}

#[tokio::test]
async fn waiting_callers_are_served_in_arrival_order() {
    let server = serve(Mode::KeepAlive, Duration::from_millis(20)).await;
    let client = ClientHandle::new(&config(&server, 1), &pipeline_support::SERVICE);
    let mut tasks = Vec::new();
    for i in 0..6 {
        let c = client.clone();
        tasks.push(tokio::spawn(async move {
            c.call_json(&pipeline_support::OP, format!("{{\"seq\":{i}}}"))
                .await
        }));
        // Each caller is queued before the next one arrives.
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
    for t in tasks {
        t.await.unwrap().expect("call succeeds");
    }
    let order = server.counts.order.lock().unwrap().clone();
    let expected: Vec<String> = (0..6).map(|i| format!("{{\"seq\":{i}}}")).collect();
    assert_eq!(order, expected);
    assert_eq!(server.accepted(), 1);
}

#[tokio::test]
async fn a_caller_giving_up_while_queued_loses_no_connection() {
    let server = serve(Mode::KeepAlive, Duration::from_millis(150)).await;
    let config = config(&server, 1);
    let client = ClientHandle::new(&config, &pipeline_support::SERVICE);
    let first = {
        let c = client.clone();
        tokio::spawn(async move { c.call_json(&pipeline_support::OP, b"{}".to_vec()).await })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    // Queued behind the first call, then out of time (a client sharing the transport).
    let hasty = config
        .to_builder()
        .timeout_config(TimeoutConfig::default().with_operation(Duration::from_millis(40)))
        .build();
    assert!(Arc::ptr_eq(hasty.transport(), config.transport()));
    let err = ClientHandle::new(&hasty, &pipeline_support::SERVICE)
        .call_json(&pipeline_support::OP, b"{}".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, SdkError::Timeout(_)), "{err:?}");
    first.await.unwrap().expect("first call succeeds");
    // The connection went back to the pool, not to the caller that left.
    client
        .call_json(&pipeline_support::OP, b"{}".to_vec())
        .await
        .expect("third call succeeds");
    assert_eq!(server.accepted(), 1);
    assert_eq!(server.counts.requests.load(Ordering::SeqCst), 2);
}
