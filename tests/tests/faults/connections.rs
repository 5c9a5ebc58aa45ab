//! Connection-level behaviour: refused and timed-out connects, keep-alive reuse, replacing
//! broken connections, body size limits, idle and `Connection: close` closes, chunked and
//! EOF-delimited bodies, and garbage instead of HTTP.

use std::sync::Arc;

use awsrt::http::HyperTransport;

use super::*;

#[tokio::test]
async fn connection_refused_is_retried_then_dispatch_error() {
    guarded(async {
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let config = Config::builder()
            .region("us-east-1")
            .credentials("AKIDFAULTTEST", "fault-test-secret-key", None)
            .endpoint_url(format!("http://127.0.0.1:{port}"))
            .retry_config(fast_retry(3))
            .timeout_config(timeouts())
            .build();
        let client = Client::new(&config);
        for op in OPS {
            let started = Instant::now();
            assert_eq!(
                op.call(&client).await,
                Outcome::Dispatch(TransportErrorKind::Connect)
            );
            assert!(started.elapsed() < Duration::from_secs(10));
        }
    })
    .await;
}

#[tokio::test]
async fn connections_are_reused_and_broken_ones_replaced() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let config = config(&server, fast_retry(3), timeouts());
        let client = Client::new(&config);
        for i in 0..5 {
            let op = OPS[i % 3];
            server.push(Fault::ok(op.ok_body("ok")));
            assert_eq!(op.call(&client).await, Outcome::Success(Some("ok".into())));
        }
        assert_eq!(server.accepted_connections(), 1, "keep-alive reuse");
        assert_eq!(server.open_connections(), 1, "one idle pooled connection");
        // A stalled body poisons its connection: the retry and later calls use a new one and
        // the stalled connection is closed by the client.
        server.push_all([
            Fault::StallBody {
                body: Op::Get.ok_body("x"),
            },
            Fault::ok(Op::Get.ok_body("after")),
            Fault::ok(Op::Get.ok_body("later")),
        ]);
        assert_eq!(
            Op::Get.call(&client).await,
            Outcome::Success(Some("after".into()))
        );
        assert_eq!(
            Op::Get.call(&client).await,
            Outcome::Success(Some("later".into()))
        );
        assert_eq!(server.accepted_connections(), 2);
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.open_connections() > 1 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        assert_eq!(
            server.open_connections(),
            1,
            "the stalled connection was closed"
        );
        drop((client, config));
        assert!(server.wait_idle(Duration::from_secs(5)).await);
    })
    .await;
}

#[tokio::test]
async fn body_over_the_transport_limit_fails_without_retry() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        server.set_default(Fault::HugeBody {
            bytes: 10 * 1024 * 1024,
        });
        let transport = HyperTransport::builder().max_body_size(1024 * 1024).build();
        let config = config(&server, fast_retry(3), timeouts())
            .to_builder()
            .transport(Arc::new(transport))
            .build();
        let client = Client::new(&config);
        for op in OPS {
            assert_eq!(
                op.call(&client).await,
                Outcome::Dispatch(TransportErrorKind::Other),
                "{op:?}"
            );
        }
        assert_eq!(server.request_count(), 3, "one attempt per call");
        drop((client, config));
        assert!(server.wait_idle(Duration::from_secs(5)).await);
    })
    .await;
}

/// A `200` with `body`, framed by `Content-Length`, plus `extra` header lines.
fn raw_ok(body: &str, extra: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: raw\r\n{extra}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

#[tokio::test]
async fn server_closing_an_idle_connection_is_not_a_failure() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        // Retries off: a stale pooled connection would surface as an error.
        let config = config(&server, RetryConfig::disabled(), timeouts());
        let client = Client::new(&config);
        for i in 0..3 {
            // The server answers, then closes the kept-alive connection without announcing it.
            server.push(Fault::Raw {
                bytes: raw_ok(&Op::Get.ok_body("closed"), ""),
                close: true,
            });
            assert_eq!(
                Op::Get.call(&client).await,
                Outcome::Success(Some("closed".into())),
                "call {i}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(server.request_count(), 3);
        assert_eq!(server.accepted_connections(), 3);
        drop((client, config));
        assert!(server.wait_idle(Duration::from_secs(5)).await);
    })
    .await;
}

#[tokio::test]
async fn connection_close_header_is_honoured() {
    guarded(async {
        let server = FaultServer::start().await.expect("start");
        let config = config(&server, fast_retry(3), timeouts());
        let client = Client::new(&config);
        for _ in 0..2 {
            server.push(Fault::Custom {
                status: 200,
                headers: vec![("Connection".into(), "close".into())],
                body: Op::List.ok_body("bye").into_bytes(),
            });
            assert_eq!(
                Op::List.call(&client).await,
                Outcome::Success(Some("bye".into()))
            );
            // The client closes the connection itself (it is not pooled), client still alive.
            assert!(server.wait_idle(Duration::from_secs(5)).await);
        }
        assert_eq!(server.accepted_connections(), 2);
    })
    .await;
}

#[tokio::test]
async fn chunked_and_close_delimited_bodies() {
    guarded(async {
        let body = Op::Get.ok_body("chunked");
        let (a, b) = body.split_at(body.len() / 2);
        let chunked = format!(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
            a.len(),
            b.len()
        );
        let case = run_case(
            Op::Get,
            vec![Fault::Raw {
                bytes: chunked.into_bytes(),
                close: false,
            }],
            Fault::InternalError,
            fast_retry(3),
            timeouts(),
        )
        .await;
        assert_eq!(case.outcome, Outcome::Success(Some("chunked".into())));
        assert_eq!(case.attempts, 1);

        // No length at all: the body ends when the server closes.
        let eof = format!(
            "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{}",
            Op::Get.ok_body("eof")
        );
        let case = run_case(
            Op::Get,
            vec![Fault::Raw {
                bytes: eof.into_bytes(),
                close: true,
            }],
            Fault::InternalError,
            fast_retry(3),
            timeouts(),
        )
        .await;
        assert_eq!(case.outcome, Outcome::Success(Some("eof".into())));
        assert_eq!(case.attempts, 1);

        // A chunked body cut off before its last chunk: retried, then a dispatch error.
        let cut = format!("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n", a.len() + 10);
        let case = run_case(
            Op::Get,
            Vec::new(),
            Fault::Raw {
                bytes: cut.into_bytes(),
                close: true,
            },
            fast_retry(3),
            timeouts(),
        )
        .await;
        assert_eq!(case.outcome, Outcome::Dispatch(TransportErrorKind::Io));
        assert_eq!(case.attempts, 3);
    })
    .await;
}

#[tokio::test]
async fn garbage_instead_of_http_is_not_retried() {
    guarded(async {
        for op in OPS {
            let case = run_case(
                op,
                Vec::new(),
                Fault::Raw {
                    bytes: b"SSH-2.0-OpenSSH_9.6\r\n\r\n".to_vec(),
                    close: true,
                },
                fast_retry(3),
                timeouts(),
            )
            .await;
            assert_eq!(
                case.outcome,
                Outcome::Dispatch(TransportErrorKind::Other),
                "{op:?}"
            );
            assert_eq!(case.attempts, 1);
        }
    })
    .await;
}

#[tokio::test]
async fn connect_timeout_when_the_accept_queue_is_full() {
    guarded(async {
        // A listener that never accepts, with its accept queue filled: further SYNs are dropped,
        // so connecting hangs until the connect timeout.
        let socket = tokio::net::TcpSocket::new_v4().expect("socket");
        socket
            .bind("127.0.0.1:0".parse().expect("addr"))
            .expect("bind");
        let listener = socket.listen(0).expect("listen");
        let addr = listener.local_addr().expect("addr");
        let mut fillers = Vec::new();
        for _ in 0..4 {
            if let Ok(Ok(s)) = tokio::time::timeout(
                Duration::from_millis(200),
                tokio::net::TcpStream::connect(addr),
            )
            .await
            {
                fillers.push(s);
            }
        }
        let config = Config::builder()
            .region("us-east-1")
            .credentials("AKIDFAULTTEST", "fault-test-secret-key", None)
            .endpoint_url(format!("http://{addr}"))
            .retry_config(fast_retry(3))
            .timeout_config(TimeoutConfig::default().with_connect(Duration::from_millis(300)))
            .build();
        let client = Client::new(&config);
        let started = Instant::now();
        let outcome = Op::Get.call(&client).await;
        let elapsed = started.elapsed();
        assert_eq!(
            outcome,
            Outcome::Timeout(TimeoutKind::Connect),
            "after {elapsed:?}"
        );
        // Three attempts of 300 ms plus a little backoff.
        assert!(elapsed >= Duration::from_millis(800), "{elapsed:?}");
        assert!(elapsed < Duration::from_secs(10), "{elapsed:?}");
        drop(fillers);
        drop(listener);
    })
    .await;
}
