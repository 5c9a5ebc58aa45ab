//! `awsrt::blocking`: one shared runtime, many concurrent callers, calls from inside async
//! runtimes, and real HTTP through the default transport.
//!
//! Run with `cargo test -p awsrt --features blocking,test-util --test blocking_threads`.
//! Every test runs under a watchdog, so a hang fails the test instead of stalling the run.
#![cfg(feature = "blocking")]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use awsrt::blocking::{block_on, runtime_handle, DRIVER_THREAD_NAME};
use awsrt::client::{ClientHandle, OperationInfo, ServiceInfo};
use json_call::JsonCall;

#[path = "pipeline_support/json_call.rs"]
mod json_call;
use awsrt::config::Config;
use awsrt::retry::RetryConfig;

static SERVICE: ServiceInfo = ServiceInfo {
    sdk_id: "Blocking Svc",
    signing_name: "blocksvc",
    shape_name: "BlockService",
    protocol: &awsrt::protocol::aws_json::AWS_JSON_1_0,
    crate_name: "blocksvc",
    crate_version: "0.0.1",
    endpoint_rules: "",
};

static ECHO: OperationInfo = OperationInfo {
    name: "Echo",
    retryable_errors: &[],
    throttling_errors: &[],
    sensitive_input: false,
    sensitive_output: false,
};

/// Runs `f` on its own thread and fails the test if it takes longer than `secs`.
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(secs)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("hung for more than {secs} s"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("the test body panicked"),
    }
}

/// The name of the thread a spawned task runs on.
async fn spawned_task_thread() -> String {
    tokio::spawn(async { thread::current().name().unwrap_or_default().to_string() })
        .await
        .unwrap()
}

#[test]
fn many_threads_at_once_share_one_runtime() {
    within(60, || {
        let threads = 16;
        let rounds = 20;
        let barrier = Arc::new(std::sync::Barrier::new(threads));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (barrier, in_flight, peak) = (barrier.clone(), in_flight.clone(), peak.clone());
                thread::spawn(move || {
                    barrier.wait();
                    (0..rounds)
                        .map(|r| {
                            block_on(async {
                                let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                                peak.fetch_max(now, Ordering::SeqCst);
                                tokio::time::sleep(Duration::from_millis(2)).await;
                                let driver = spawned_task_thread().await;
                                in_flight.fetch_sub(1, Ordering::SeqCst);
                                (t * 1000 + r, driver)
                            })
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for (t, h) in handles.into_iter().enumerate() {
            let results = h.join().unwrap();
            assert_eq!(results.len(), rounds);
            for (r, (value, driver)) in results.into_iter().enumerate() {
                assert_eq!(value, t * 1000 + r);
                assert_eq!(driver, DRIVER_THREAD_NAME);
            }
        }
        // The sleeps overlapped: callers did not wait for each other.
        assert!(peak.load(Ordering::SeqCst) > 1, "calls were serialized");
    });
}

#[test]
fn concurrent_sleeps_run_in_parallel() {
    within(60, || {
        let started = Instant::now();
        let handles: Vec<_> = (0..16)
            .map(|_| {
                // In an async block: a `Sleep` made outside `block_on` would have no runtime.
                thread::spawn(|| {
                    block_on(async { tokio::time::sleep(Duration::from_millis(500)).await })
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        // Serialized they would take 8 s; half of that leaves a loaded machine room.
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{:?}",
            started.elapsed()
        );
    });
}

#[test]
fn futures_need_not_be_send() {
    let v = within(30, || {
        block_on(async {
            let shared = Rc::new(20);
            tokio::time::sleep(Duration::from_millis(1)).await;
            *shared + 1
        })
    });
    assert_eq!(v, 21);
}

#[test]
fn inside_a_current_thread_runtime_does_not_panic_or_hang() {
    let (inner, after) = within(30, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let inner = block_on(async {
                tokio::time::sleep(Duration::from_millis(5)).await;
                spawned_task_thread().await
            });
            // The surrounding runtime still works afterwards.
            tokio::time::sleep(Duration::from_millis(1)).await;
            let after = tokio::spawn(async { 5 }).await.unwrap();
            (inner, after)
        })
    });
    assert_eq!(inner, DRIVER_THREAD_NAME);
    assert_eq!(after, 5);
}

#[test]
fn inside_multi_thread_runtime_tasks_does_not_panic_or_hang() {
    let sums = within(30, || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let tasks: Vec<_> = (0..6u64)
                .map(|i| {
                    tokio::spawn(async move {
                        block_on(async move {
                            tokio::time::sleep(Duration::from_millis(3)).await;
                            i * 2
                        })
                    })
                })
                .collect();
            let mut out = Vec::new();
            for t in tasks {
                out.push(t.await.unwrap());
            }
            out
        })
    });
    assert_eq!(sums, [0, 2, 4, 6, 8, 10]);
}

/// Inside a tokio task, the task's cooperative budget (128 operations) would run out while
/// `block_on` loops, and every tokio resource would then stay `Pending`: this must not livelock.
#[test]
fn inside_a_task_the_coop_budget_does_not_starve_the_future() {
    let n = within(30, || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            tokio::spawn(async {
                block_on(async {
                    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
                    for i in 0..5000u32 {
                        tx.send(i).unwrap();
                    }
                    drop(tx);
                    let mut count = 0u32;
                    while rx.recv().await.is_some() {
                        count += 1;
                    }
                    count
                })
            })
            .await
            .unwrap()
        })
    });
    assert_eq!(n, 5000);
}

#[test]
fn runtime_handle_is_the_shared_runtime() {
    let name = within(30, || {
        let handle = runtime_handle().unwrap();
        block_on(handle.spawn(async { thread::current().name().unwrap_or_default().to_string() }))
            .unwrap()
    });
    assert_eq!(name, DRIVER_THREAD_NAME);
}

#[test]
fn panics_of_the_future_propagate_and_the_runtime_survives() {
    within(30, || {
        let caught = std::panic::catch_unwind(|| block_on(async { panic!("inner failure") }));
        assert!(caught.is_err());
        assert_eq!(block_on(async { 3 }), 3);
    });
}

/// A minimal HTTP/1.1 server: answers every request with its own body, keeping connections
/// alive. Returns its address and a counter of accepted connections.
fn echo_server() -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = format!("http://{}", listener.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            counter.fetch_add(1, Ordering::SeqCst);
            thread::spawn(move || serve(stream));
        }
    });
    (addr, connections)
}

fn serve(stream: TcpStream) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut content_length = 0usize;
        let mut line = String::new();
        let mut first = true;
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end();
            if l.is_empty() && !first {
                break;
            }
            first = false;
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    content_length = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; content_length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return;
        }
    }
}

#[test]
fn real_http_calls_from_many_threads() {
    let (addr, connections) = echo_server();
    let config = Config::builder()
        .region("us-east-1")
        .credentials("AKIDBLOCKING", "secret", None)
        .endpoint_url(addr)
        .retry_config(RetryConfig::disabled())
        .build();
    let client = ClientHandle::new(&config, &SERVICE);
    within(60, move || {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let client = client.clone();
                thread::spawn(move || {
                    for r in 0..5 {
                        let sent = format!(r#"{{"t":{t},"r":{r}}}"#);
                        let resp =
                            block_on(client.call_json(&ECHO, sent.clone().into_bytes())).unwrap();
                        assert_eq!(resp.status, 200);
                        assert_eq!(std::str::from_utf8(&resp.body).unwrap(), sent);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    // Connections were kept alive and reused between calls (40 calls, at most 8 in flight).
    let opened = connections.load(Ordering::SeqCst);
    assert!(
        (1..=8).contains(&opened),
        "{opened} connections for 40 calls"
    );
}

#[cfg(feature = "test-util")]
#[test]
fn mocked_client_calls_from_many_threads() {
    use awsrt::test_util::{test_config, MockTransport, Rule};

    let mock = MockTransport::new().with_rule(
        Rule::new("Echo")
            .then_fn(|req| awsrt::test_util::MockReply::output_json(req.body_str().unwrap_or("")))
            .repeatedly(),
    );
    let client = ClientHandle::new(&test_config(&mock), &SERVICE);
    within(60, move || {
        let handles: Vec<_> = (0..8)
            .map(|t| {
                let client = client.clone();
                thread::spawn(move || {
                    let sent = format!(r#"{{"t":{t}}}"#);
                    let resp =
                        block_on(client.call_json(&ECHO, sent.clone().into_bytes())).unwrap();
                    assert_eq!(std::str::from_utf8(&resp.body).unwrap(), sent);
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    assert_eq!(mock.requests_for("Echo").len(), 8);
}
