//! Streamed response bodies: `HyperTransport::send_streaming` returns at the response head and
//! reads the body as the caller asks for it (a chunk is delivered before the server has sent the
//! next one), gives the connection back to the pool after the last chunk, drops it when the
//! stream is abandoned, and times out a stalled body; `ClientHandle::call_streaming` retries up
//! to the head and reads error responses whole.

mod pipeline_support;

use std::time::Duration;

use awsrt::client::{CallOptions, ClientHandle};
use awsrt::http::{AttemptTimeouts, HttpRequest, HttpResponse, HyperTransport, Transport};
use awsrt::protocol::aws_json::request_for;
use pipeline_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

/// Reads a request head (up to its blank line); `false` when the connection ended first.
async fn read_request_head(sock: &mut tokio::net::TcpStream) -> bool {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while !buf.ends_with(b"\r\n\r\n") {
        if sock.read(&mut byte).await.unwrap_or(0) == 0 {
            return false;
        }
        buf.push(byte[0]);
    }
    true
}

/// A server answering each request on a connection with a chunked body whose chunks come from
/// `chunks` (a `None` ends the body; a closed channel stalls the connection).
async fn chunked_server(mut chunks: mpsc::Receiver<Option<&'static str>>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        loop {
            if !read_request_head(&mut sock).await {
                return;
            }
            let head =
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nx-amzn-RequestId: r1\r\n\r\n";
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            loop {
                match chunks.recv().await {
                    Some(Some(c)) => {
                        let frame = format!("{:x}\r\n{c}\r\n", c.len());
                        if sock.write_all(frame.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                    Some(None) => {
                        if sock.write_all(b"0\r\n\r\n").await.is_err() {
                            return;
                        }
                        break;
                    }
                    None => {
                        // Hold the connection open, sending nothing more.
                        tokio::time::sleep(Duration::from_secs(30)).await;
                        return;
                    }
                }
            }
        }
    });
    format!("http://{addr}/")
}

fn get(url: &str) -> HttpRequest {
    HttpRequest::new(http::Method::GET, url, Vec::new())
}

const T: AttemptTimeouts = AttemptTimeouts {
    connect: Some(Duration::from_secs(5)),
    read: Some(Duration::from_secs(5)),
};

#[tokio::test]
async fn chunks_arrive_before_the_body_is_complete_and_the_connection_is_reused() {
    let (tx, rx) = mpsc::channel(4);
    let url = chunked_server(rx).await;
    let t = HyperTransport::new();
    tx.send(Some("first ")).await.unwrap();
    let (head, mut body) = t.send_streaming(get(&url), &T).await.unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("x-amzn-requestid"), Some("r1"));
    assert!(head.body.is_empty());
    // The server has not sent the second chunk yet: the first one is already here.
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b"first ");
    tx.send(Some("second")).await.unwrap();
    tx.send(None).await.unwrap();
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b"second");
    assert!(body.next().await.is_none());
    assert_eq!(t.idle_connections(), 1, "read to the end: back to the pool");

    // The same connection serves the next streamed response.
    tx.send(Some("again")).await.unwrap();
    tx.send(None).await.unwrap();
    let (_, body) = t.send_streaming(get(&url), &T).await.unwrap();
    assert_eq!(&body.collect().await.unwrap()[..], b"again");
}

#[tokio::test]
async fn an_abandoned_stream_drops_its_connection() {
    let (tx, rx) = mpsc::channel(4);
    let url = chunked_server(rx).await;
    let t = HyperTransport::new();
    tx.send(Some("part")).await.unwrap();
    let (_, mut body) = t.send_streaming(get(&url), &T).await.unwrap();
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b"part");
    drop(body);
    assert_eq!(
        t.idle_connections(),
        0,
        "half-read connections are not reused"
    );
    drop(tx);
}

#[tokio::test]
async fn a_stalled_body_times_out() {
    let (tx, rx) = mpsc::channel(4);
    let url = chunked_server(rx).await;
    let t = HyperTransport::new();
    tx.send(Some("part")).await.unwrap();
    drop(tx); // after this chunk the server stalls
    let short = AttemptTimeouts {
        connect: Some(Duration::from_secs(5)),
        read: Some(Duration::from_millis(200)),
    };
    let (_, mut body) = t.send_streaming(get(&url), &short).await.unwrap();
    assert_eq!(&body.next().await.unwrap().unwrap()[..], b"part");
    let err = body.next().await.unwrap().unwrap_err();
    assert!(err.to_string().contains("stalled"), "{err}");
    assert!(body.next().await.is_none(), "nothing after the error");
}

#[tokio::test]
async fn a_slow_body_that_keeps_coming_does_not_time_out() {
    // Each chunk comes within the read timeout, the whole body well after it: the timeout
    // bounds the wait for the next chunk, never the body.
    let (tx, rx) = mpsc::channel(4);
    let url = chunked_server(rx).await;
    let t = HyperTransport::new();
    // Gaps of a fifth of the timeout: a loaded machine stalling the runtime for a gap or two
    // still leaves the chunk in time.
    let read = Duration::from_millis(500);
    let timeouts = AttemptTimeouts {
        connect: Some(Duration::from_secs(5)),
        read: Some(read),
    };
    tokio::spawn(async move {
        for _ in 0..12 {
            tx.send(Some("part")).await.unwrap();
            tokio::time::sleep(read / 5).await;
        }
        tx.send(None).await.unwrap();
    });
    let started = std::time::Instant::now();
    let (_, body) = t.send_streaming(get(&url), &timeouts).await.unwrap();
    let all = body.collect().await.unwrap();
    assert_eq!(&all[..], "part".repeat(12).as_bytes());
    assert!(
        started.elapsed() > 2 * read,
        "the body took longer than the timeout"
    );
}

#[tokio::test]
async fn call_streaming_retries_up_to_the_head_and_reads_errors_whole() {
    // The mock transport has no streaming of its own: the default implementation streams the
    // whole body from memory.
    let mock = MockTransport::new([
        Reply::Response(HttpResponse::new(503, r#"{"__type":"ServiceUnavailable"}"#)),
        Reply::Response(HttpResponse::new(200, "streamed bytes")),
    ]);
    let config = builder(&mock).retry_config(fast_retry(3)).build();
    let handle = ClientHandle::new(&config, &SERVICE);
    let (reply, body) = handle
        .call_streaming(&OP, request_for(&SERVICE, &OP, b"{}"), CallOptions::new())
        .await
        .unwrap();
    assert_eq!(reply.status, 200);
    assert!(reply.error.is_none());
    assert_eq!(&body.collect().await.unwrap()[..], b"streamed bytes");
    assert_eq!(mock.requests().len(), 2);

    let mock = MockTransport::new([Reply::Response(HttpResponse::new(
        400,
        r#"{"__type":"Bad","message":"no"}"#,
    ))]);
    let config = builder(&mock).retry_config(fast_retry(1)).build();
    let handle = ClientHandle::new(&config, &SERVICE);
    let (reply, body) = handle
        .call_streaming(&OP, request_for(&SERVICE, &OP, b"{}"), CallOptions::new())
        .await
        .unwrap();
    assert_eq!(reply.status, 400);
    assert_eq!(
        reply.error.as_ref().and_then(|e| e.code.as_deref()),
        Some("Bad")
    );
    assert!(!reply.body.is_empty(), "the error body is read whole");
    assert!(body.collect().await.unwrap().is_empty());
}

/// One answer of [`length_server`]: a `Content-Length` body of `length` bytes, of which the
/// server sends `pieces` (each after its pause) and then, if they fall short, nothing more
/// while it holds the connection open.
struct Answer {
    length: usize,
    pieces: Vec<(usize, Duration)>,
}

impl Answer {
    /// The whole body at once.
    fn whole(length: usize) -> Answer {
        Answer {
            length,
            pieces: vec![(length, Duration::ZERO)],
        }
    }
}

/// A server answering the requests of one connection with `answers`, in order; the body bytes
/// count up (`i % 251`), so a lost or repeated piece shows.
async fn length_server(answers: Vec<Answer>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let Ok((mut sock, _)) = listener.accept().await else {
            return;
        };
        for answer in answers {
            if !read_request_head(&mut sock).await {
                return;
            }
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nx-amzn-RequestId: r1\r\n\r\n",
                answer.length
            );
            if sock.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let mut sent = 0;
            for (n, pause) in answer.pieces {
                tokio::time::sleep(pause).await;
                let piece: Vec<u8> = (sent..sent + n).map(|i| (i % 251) as u8).collect();
                if sock.write_all(&piece).await.is_err() {
                    return;
                }
                sent += n;
            }
            if sent < answer.length {
                // Hold the connection open, sending nothing more.
                tokio::time::sleep(Duration::from_secs(30)).await;
                return;
            }
        }
    });
    format!("http://{addr}/")
}

/// The bytes [`length_server`] sends for a body of `n`.
fn counted(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[tokio::test]
async fn a_large_body_arrives_whole_and_its_connection_then_serves_a_small_one() {
    // A large body is read with the socket's receive low-water mark up (Linux): it must be
    // back down before the connection reads the next head, which is smaller than the mark.
    let big = 3 * 1024 * 1024;
    let url = length_server(vec![Answer::whole(big), Answer::whole(5)]).await;
    let t = HyperTransport::new();
    let (_, mut body) = t.send_streaming(get(&url), &T).await.unwrap();
    let mut all = Vec::with_capacity(big);
    while let Some(chunk) = body.next().await {
        all.extend_from_slice(&chunk.unwrap());
    }
    assert!(all == counted(big), "the large body, byte for byte");
    assert_eq!(t.idle_connections(), 1);
    // The server accepts one connection only: this answer comes on the same one.
    let (head, body) = t.send_streaming(get(&url), &T).await.unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(&body.collect().await.unwrap()[..], &counted(5)[..]);
}

#[tokio::test]
async fn a_large_body_slower_than_the_low_water_mark_does_not_time_out() {
    // 16 KiB every 60 ms: a read timeout of 600 ms passes before 256 KiB (the mark, 960 ms)
    // are waiting. The bytes that came are not a stall: the body goes on without the mark.
    // Each gap leaves a loaded machine half a second.
    let length = 640 * 1024;
    let piece = 16 * 1024;
    let pieces = (0..length / piece)
        .map(|_| (piece, Duration::from_millis(60)))
        .collect();
    let url = length_server(vec![Answer { length, pieces }]).await;
    let t = HyperTransport::new();
    let timeouts = AttemptTimeouts {
        connect: Some(Duration::from_secs(5)),
        read: Some(Duration::from_millis(600)),
    };
    let (_, body) = t.send_streaming(get(&url), &timeouts).await.unwrap();
    let all = body.collect().await.unwrap();
    assert!(
        all[..] == counted(length)[..],
        "the whole body, byte for byte"
    );
}

#[tokio::test]
async fn a_large_body_that_stalls_below_the_low_water_mark_times_out_after_its_bytes() {
    // 100 KiB of a 2 MiB body, then nothing: the bytes below the mark are delivered, then the
    // stall is reported.
    let sent = 100 * 1024;
    let url = length_server(vec![Answer {
        length: 2 * 1024 * 1024,
        pieces: vec![(sent, Duration::ZERO)],
    }])
    .await;
    let t = HyperTransport::new();
    let timeouts = AttemptTimeouts {
        connect: Some(Duration::from_secs(5)),
        read: Some(Duration::from_millis(300)),
    };
    let (_, mut body) = t.send_streaming(get(&url), &timeouts).await.unwrap();
    let mut got = Vec::new();
    let err = loop {
        match body.next().await.expect("the body ends with an error") {
            Ok(chunk) => got.extend_from_slice(&chunk),
            Err(e) => break e,
        }
    };
    assert!(err.to_string().contains("stalled"), "{err}");
    assert!(
        got == counted(sent),
        "the bytes that came, before the error"
    );
    assert!(body.next().await.is_none(), "nothing after the error");
}

#[tokio::test]
async fn bytes_below_the_low_water_mark_are_delivered_without_a_read_timeout() {
    // No read timeout: the mark's patience alone must let the 100 KiB that came through, or the
    // reader would wait for bytes the server sends only after the reader has seen these. (The
    // bytes come after the reader has started waiting: bytes already there when the mark goes
    // up are read without a wait.)
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let (seen_tx, seen_rx) = tokio::sync::oneshot::channel::<()>();
    let length = 2 * 1024 * 1024;
    let first = 100 * 1024;
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        assert!(read_request_head(&mut sock).await);
        let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {length}\r\n\r\n");
        sock.write_all(head.as_bytes()).await.unwrap();
        let all = counted(length);
        // After the reader has found nothing and waits (with the mark up).
        tokio::time::sleep(Duration::from_millis(300)).await;
        sock.write_all(&all[..first]).await.unwrap();
        if seen_rx.await.is_ok() {
            let _ = sock.write_all(&all[first..]).await;
        }
    });
    let t = HyperTransport::new();
    let no_read_timeout = AttemptTimeouts {
        connect: Some(Duration::from_secs(5)),
        read: None,
    };
    let (_, mut body) = t.send_streaming(get(&url), &no_read_timeout).await.unwrap();
    let mut got = Vec::new();
    while got.len() < first {
        let chunk = tokio::time::timeout(Duration::from_secs(20), body.next())
            .await
            .expect("the bytes below the mark come without more behind them")
            .expect("a chunk")
            .expect("no error");
        got.extend_from_slice(&chunk);
    }
    assert!(got == counted(first), "the first 100 KiB, byte for byte");
    seen_tx.send(()).unwrap();
    while let Some(chunk) = body.next().await {
        got.extend_from_slice(&chunk.unwrap());
    }
    assert!(got == counted(length), "then the rest");
}
