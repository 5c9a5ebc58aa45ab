use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::*;
use crate::http::pool::{Grant, Pool, PoolKey};

fn head_of(lines: &[&str]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for l in lines {
        let (n, v) = l.split_once(':').unwrap();
        h.append(
            HeaderName::from_bytes(n.trim().as_bytes()).unwrap(),
            HeaderValue::from_str(v.trim()).unwrap(),
        );
    }
    h
}

#[test]
fn chunk_sizes() {
    assert_eq!(chunk_size(b"0").unwrap(), 0);
    assert_eq!(chunk_size(b"1a").unwrap(), 26);
    assert_eq!(chunk_size(b"FF ; name=value").unwrap(), 255);
    assert_eq!(chunk_size(b"ffffffffffffff").unwrap(), 0xff_ffff_ffff_ffff);
    for bad in [
        &b""[..],
        b";x",
        b"g",
        b"-1",
        b"0x10",
        b"1 2",
        b"1000000000000000",
    ] {
        let e = chunk_size(bad).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Other, "{bad:?}");
    }
}

/// (status, HTTP/1.0, response to HEAD, header fields, framing, keep-alive)
type FramingCase = (u16, bool, bool, &'static [&'static str], Framing, bool);

#[test]
fn framing_follows_rfc_9112() {
    let cases: &[FramingCase] = &[
        (
            200,
            false,
            false,
            &["content-length: 12"],
            Framing::Length(12),
            true,
        ),
        // No body for HEAD, 204 and 304, whatever the length says.
        (
            200,
            false,
            true,
            &["content-length: 12"],
            Framing::Length(0),
            true,
        ),
        (204, false, false, &[], Framing::Length(0), true),
        (
            304,
            false,
            false,
            &["content-length: 5"],
            Framing::Length(0),
            true,
        ),
        // Chunked wins over a length; a final encoding other than chunked runs to the close.
        (
            200,
            false,
            false,
            &["transfer-encoding: gzip, Chunked", "content-length: 3"],
            Framing::Chunked(Chunk::Size),
            true,
        ),
        (
            200,
            false,
            false,
            &["transfer-encoding: chunked, gzip"],
            Framing::Close,
            false,
        ),
        // Without a length the body runs to the close, and the connection is not reused.
        (200, false, false, &[], Framing::Close, false),
        // Repeated equal lengths are one length.
        (
            200,
            false,
            false,
            &["content-length: 3, 3", "content-length: 3"],
            Framing::Length(3),
            true,
        ),
        // Keep-alive: HTTP/1.1 unless close; HTTP/1.0 only with keep-alive.
        (
            200,
            false,
            false,
            &["connection: keep-alive, Close", "content-length: 0"],
            Framing::Length(0),
            false,
        ),
        (
            200,
            true,
            false,
            &["content-length: 0"],
            Framing::Length(0),
            false,
        ),
        (
            200,
            true,
            false,
            &["connection: Keep-Alive", "content-length: 0"],
            Framing::Length(0),
            true,
        ),
    ];
    for &(status, http10, head, fields, expected, keep_alive) in cases {
        assert_eq!(
            framing(status, http10, head, &head_of(fields)).unwrap(),
            (expected, keep_alive),
            "{status} {fields:?}"
        );
    }
    // Different lengths, or lengths that are not decimal digits, are errors.
    for bad in [
        "content-length: 3, 4",
        "content-length: -1",
        "content-length: 1e3",
    ] {
        let e = framing(200, false, false, &head_of(&[bad])).unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Other, "{bad}");
    }
}

#[test]
fn request_heads() {
    let mut req = http::Request::new(Bytes::from_static(b"{}"));
    *req.method_mut() = http::Method::POST;
    *req.uri_mut() = "/a%20b?x=1&y".parse().unwrap();
    req.headers_mut()
        .insert("host", HeaderValue::from_static("h.example:8443"));
    req.headers_mut()
        .append("x-multi", HeaderValue::from_static("1"));
    req.headers_mut()
        .append("x-multi", HeaderValue::from_static("2"));
    assert_eq!(
        String::from_utf8(encode_head(&req, None)).unwrap(),
        "POST /a%20b?x=1&y HTTP/1.1\r\nhost: h.example:8443\r\nx-multi: 1\r\nx-multi: 2\r\n\r\n"
    );
    // A proxy gets the absolute form.
    *req.uri_mut() = "http://h.example:8080/p?q".parse().unwrap();
    *req.method_mut() = http::Method::GET;
    req.headers_mut().clear();
    assert_eq!(
        String::from_utf8(encode_head(&req, None)).unwrap(),
        "GET http://h.example:8080/p?q HTTP/1.1\r\n\r\n"
    );
    // The body's length, when the request has no field of its own for it.
    for (n, want) in [(0, "0"), (7, "7"), (1_048_576, "1048576")] {
        assert_eq!(
            String::from_utf8(encode_head(&req, Some(n))).unwrap(),
            format!("GET http://h.example:8080/p?q HTTP/1.1\r\ncontent-length: {want}\r\n\r\n")
        );
    }
}

/// A connection to a server that reads one request head and then writes `pieces`, each its
/// own write a moment after the last, then closes (or holds the connection open with
/// `hold`).
async fn conn_to(pieces: Vec<Vec<u8>>, hold: bool) -> (Conn, Pool) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let (mut sock, _) = listener.accept().await.unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 1024];
        while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => seen.extend_from_slice(&buf[..n]),
            }
        }
        let _ = sock.set_nodelay(true);
        for p in pieces {
            if sock.write_all(&p).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        if hold {
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });
    let pool = Pool::new(Duration::from_secs(45), 4, 4);
    let Grant::Connect(slot) = pool
        .acquire(&PoolKey::new(false, "127.0.0.1", addr.port()))
        .await
    else {
        panic!("a new pool hands out a slot");
    };
    let tcp = TcpStream::connect(addr).await.unwrap();
    (Conn::new(Stream::Tcp(tcp), slot, None), pool)
}

fn get() -> Vec<u8> {
    b"GET / HTTP/1.1\r\nhost: x\r\n\r\n".to_vec()
}

/// Splits `bytes` at every `step`-th byte.
fn split(bytes: &[u8], step: usize) -> Vec<Vec<u8>> {
    bytes.chunks(step).map(<[u8]>::to_vec).collect()
}

async fn exchange_whole(pieces: Vec<Vec<u8>>) -> Result<(Head, Bytes), TransportError> {
    let (mut conn, _pool) = conn_to(pieces, true).await;
    let mut head = conn.exchange(get(), &Bytes::new(), false).await?;
    let body = conn.read_body(&mut head.framing, 1 << 20, None).await?;
    assert_eq!(head.framing, Framing::Done);
    Ok((head, body))
}

#[tokio::test]
async fn chunked_bodies_with_interim_responses_and_trailers_in_any_split() {
    let wire = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-Amzn-RequestId: r1\r\n\r\n5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nx-trailer: t\r\n\r\n";
    for step in [wire.len(), 1, 3, 7, 16] {
        let (head, body) = exchange_whole(split(wire, step)).await.unwrap();
        assert_eq!(head.status, 200, "step {step}");
        assert!(head.keep_alive);
        assert_eq!(head.headers["x-amzn-requestid"], "r1");
        assert_eq!(&body[..], b"hello 0123456789", "step {step}");
    }
}

#[tokio::test]
async fn length_bodies_longer_than_the_buffer_are_read_whole() {
    let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
    let mut wire =
        format!("HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n", body.len()).into_bytes();
    wire.extend_from_slice(&body);
    let (head, got) = exchange_whole(split(&wire, 70_000)).await.unwrap();
    assert_eq!(head.framing, Framing::Done);
    assert_eq!(got.len(), body.len());
    assert!(got[..] == body[..]);
}

#[tokio::test]
async fn close_delimited_bodies_end_at_the_close() {
    let wire = b"HTTP/1.1 200 OK\r\n\r\nall of it".to_vec();
    let (mut conn, _pool) = conn_to(split(&wire, 4), false).await;
    let mut head = conn.exchange(get(), &Bytes::new(), false).await.unwrap();
    assert!(!head.keep_alive);
    assert_eq!(head.framing, Framing::Close);
    let body = conn.read_body(&mut head.framing, 1024, None).await.unwrap();
    assert_eq!(&body[..], b"all of it");
}

#[tokio::test]
async fn broken_responses_are_typed_errors() {
    let cases: Vec<(&[u8], TransportErrorKind)> = vec![
        // Truncated: head, length body, chunked body, chunk-size line.
        (b"HTTP/1.1 200 OK\r\ncontent-le", TransportErrorKind::Io),
        (
            b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc",
            TransportErrorKind::Io,
        ),
        (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nab",
            TransportErrorKind::Io,
        ),
        (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5",
            TransportErrorKind::Io,
        ),
        (b"", TransportErrorKind::Io),
        // Malformed.
        (b"NOT HTTP\r\n\r\n", TransportErrorKind::Other),
        (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n",
            TransportErrorKind::Other,
        ),
        (
            b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n2\r\nabXY0\r\n\r\n",
            TransportErrorKind::Other,
        ),
        (
            b"HTTP/1.1 200 OK\r\ncontent-length: 1\r\ncontent-length: 2\r\n\r\nab",
            TransportErrorKind::Other,
        ),
        (
            b"HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
            TransportErrorKind::Other,
        ),
    ];
    for (wire, kind) in cases {
        let (mut conn, _pool) = conn_to(vec![wire.to_vec()], false).await;
        let result = async {
            let mut head = conn.exchange(get(), &Bytes::new(), false).await?;
            conn.read_body(&mut head.framing, 1024, None).await
        }
        .await;
        let e = result.expect_err(&String::from_utf8_lossy(wire));
        assert_eq!(e.kind(), kind, "{}: {e}", String::from_utf8_lossy(wire));
    }
}

#[tokio::test]
async fn oversized_heads_and_lines_are_refused() {
    let mut wire = b"HTTP/1.1 200 OK\r\n".to_vec();
    while wire.len() <= MAX_HEAD {
        wire.extend_from_slice(b"x-filler: 0123456789012345678901234567890123456789\r\n");
    }
    let e = exchange_whole(vec![wire]).await.unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Other, "{e}");
    let mut wire = b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1;".to_vec();
    wire.extend(std::iter::repeat_n(b'e', MAX_LINE * 2));
    let e = exchange_whole(vec![wire]).await.unwrap_err();
    assert_eq!(e.kind(), TransportErrorKind::Other, "{e}");
    // A body over the caller's limit, declared or chunked.
    for wire in [
        &b"HTTP/1.1 200 OK\r\ncontent-length: 11\r\n\r\n0123456789a"[..],
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n6\r\n012345\r\n5\r\n6789a\r\n0\r\n\r\n",
    ] {
        let (mut conn, _pool) = conn_to(vec![wire.to_vec()], true).await;
        let mut head = conn.exchange(get(), &Bytes::new(), false).await.unwrap();
        let e = conn.read_body(&mut head.framing, 10, None).await.unwrap_err();
        assert_eq!(e.kind(), TransportErrorKind::Other, "{e}");
        assert!(e.message().contains("limit of 10 bytes"), "{e}");
    }
}

#[tokio::test]
async fn streamed_pieces_respect_the_framing() {
    let wire = b"HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nabcdefEXTRA".to_vec();
    let (mut conn, _pool) = conn_to(split(&wire, 5), true).await;
    let mut head = conn.exchange(get(), &Bytes::new(), false).await.unwrap();
    let mut got = Vec::new();
    while let Some(piece) = std::future::poll_fn(|cx| conn.poll_body(cx, &mut head.framing))
        .await
        .unwrap()
    {
        assert!(!piece.is_empty());
        got.extend_from_slice(&piece);
    }
    assert_eq!(got, b"abcdef");
    // Bytes past the response make the connection unusable.
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(conn.is_closed());
}

#[tokio::test]
async fn idle_connections_closed_by_the_server_are_noticed() {
    // (the server holds the connection open after its response, the connection is then closed)
    for (hold, closed) in [(false, true), (true, false)] {
        let (mut conn, _pool) = conn_to(
            vec![b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".to_vec()],
            hold,
        )
        .await;
        let mut head = conn.exchange(get(), &Bytes::new(), false).await.unwrap();
        let body = conn.read_body(&mut head.framing, 0, None).await.unwrap();
        assert!(body.is_empty());
        // A server that does not hold the connection closes it after its last write.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            conn.is_closed(),
            closed,
            "server holds the connection: {hold}"
        );
    }
}

#[tokio::test]
async fn vectored_writes_send_every_part_in_order_through_partial_writes() {
    for cap in [1, 3, 7, 64] {
        let (mut w, mut r) = tokio::io::duplex(cap);
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            r.read_to_end(&mut got).await.unwrap();
            got
        });
        write_all_of(&mut w, [&b"HEAD "[..], &b""[..], &b"body bytes"[..]])
            .await
            .unwrap();
        write_all_of(&mut w, [&b""[..], &b"x"[..], &b""[..]])
            .await
            .unwrap();
        write_all_of(&mut w, [&b""[..], &b""[..], &b""[..]])
            .await
            .unwrap();
        drop(w);
        assert_eq!(reader.await.unwrap(), b"HEAD body bytesx", "capacity {cap}");
    }
}

/// A future that is ready once the (paused) clock has passed `at`.
async fn until(at: tokio::time::Instant) -> &'static str {
    tokio::time::sleep_until(at).await;
    "done"
}

#[tokio::test(start_paused = true)]
async fn a_read_timer_arms_no_timer_for_a_wait_that_ends_at_once() {
    let mut timer = ReadTimer::default();
    let out = timer
        .within(Some(Duration::from_secs(1)), async { 7 })
        .await
        .unwrap();
    assert_eq!(out, 7);
    assert!(timer.0.is_none(), "no timer for a wait that never waited");
    let out = timer.within(None, async { 8 }).await.unwrap();
    assert_eq!(out, 8);
}

#[tokio::test(start_paused = true)]
async fn a_read_timer_times_out_a_wait_longer_than_its_limit() {
    let mut timer = ReadTimer::default();
    let start = tokio::time::Instant::now();
    let err = timer
        .within(
            Some(Duration::from_secs(2)),
            until(start + Duration::from_secs(5)),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        TransportErrorKind::Timeout(super::super::TransportTimeout::Read)
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(2),
        "at the limit, not later"
    );
}

#[tokio::test(start_paused = true)]
async fn a_kept_read_timer_follows_each_wait_s_own_deadline() {
    let mut timer = ReadTimer::default();
    let limit = Some(Duration::from_secs(10));
    // The first wait leaves the timer at its deadline, t = 10 s.
    let start = tokio::time::Instant::now();
    let first = timer
        .within(limit, until(start + Duration::from_secs(1)))
        .await
        .unwrap();
    assert_eq!(first, "done");
    assert!(timer.0.is_some(), "the timer stays for the next wait");
    // The next wait starts at t = 8 s: its deadline is 18 s. The timer fires at 10 s and moves
    // to 18 s instead of failing a wait that is within its limit.
    tokio::time::sleep(Duration::from_secs(7)).await;
    let second = timer
        .within(limit, until(start + Duration::from_secs(15)))
        .await
        .unwrap();
    assert_eq!(second, "done");
    // A stall after that fails at its own deadline (t = 15 + 10 s).
    let err = timer
        .within(limit, until(start + Duration::from_secs(100)))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read timeout"), "{err}");
    assert_eq!(start.elapsed(), Duration::from_secs(25));
}

#[tokio::test(start_paused = true)]
async fn a_shorter_read_timeout_moves_the_kept_timer_back() {
    let mut timer = ReadTimer::default();
    let start = tokio::time::Instant::now();
    timer
        .within(
            Some(Duration::from_secs(60)),
            until(start + Duration::from_secs(1)),
        )
        .await
        .unwrap();
    // The timer is at t = 60 s; this wait's limit ends at 1 + 2 = 3 s.
    let err = timer
        .within(
            Some(Duration::from_secs(2)),
            until(start + Duration::from_secs(30)),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("read timeout"), "{err}");
    assert_eq!(start.elapsed(), Duration::from_secs(3));
}
