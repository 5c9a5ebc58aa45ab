//! `cargo xtask bench cache`, reference side: the official `aws_secretsmanager_caching` crate on
//! `aws-sdk-secretsmanager`, against the canned server (endpoint and credentials from the
//! environment).

use std::num::NonZeroUsize;
use std::sync::Arc;
use std::time::{Duration, Instant};

use aws_secretsmanager_caching::SecretsManagerCachingClient;

const KEY: &str = "bench";

async fn build(ttl: Duration) -> SecretsManagerCachingClient {
    let config = aws_config::load_from_env().await;
    let builder = aws_sdk_secretsmanager::config::Builder::from(&config);
    SecretsManagerCachingClient::from_builder(builder, NonZeroUsize::new(2048).unwrap(), ttl, false)
        .await
        .expect("cache")
}

/// One get; 1 when it returned the secret. A failure ends the program.
async fn get(cache: &SecretsManagerCachingClient, id: &str) -> usize {
    let result = cache
        .get_secret_value(id, None, None, false)
        .await
        .map_err(|e| e.to_string());
    match result {
        Ok(s) => std::hint::black_box(s.secret_string.as_ref().map_or(0, |v| v.len()).min(1)),
        Err(e) => {
            eprintln!("get {id} failed: {e}");
            std::process::exit(1)
        }
    }
}

/// What `cargo xtask bench cache` asks for: `<mode> [numbers...]`; the answer is one line
/// `result key=value ...` on stdout.
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: u64| -> u64 {
        args.get(i + 1)
            .and_then(|a| a.parse().ok())
            .unwrap_or(default)
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mode = args.first().map(String::as_str).unwrap_or("hit");
    let line = rt.block_on(async {
        match mode {
            // Latency of N sequential hits on one warm key: each call timed (p50/p99), and the
            // mean over an untimed loop of M hits (default N).
            "hit" => {
                let n = num(0, 200_000) as usize;
                let m = num(1, n as u64) as usize;
                let cache = Arc::new(build(Duration::from_secs(3600)).await);
                get(&cache, KEY).await;
                for _ in 0..n / 10 {
                    get(&cache, KEY).await;
                }
                let mut samples = Vec::with_capacity(n);
                for _ in 0..n {
                    let t = Instant::now();
                    std::hint::black_box(get(&cache, KEY).await);
                    samples.push(t.elapsed().as_nanos() as u64);
                }
                samples.sort_unstable();
                let t = Instant::now();
                for _ in 0..m {
                    std::hint::black_box(get(&cache, KEY).await);
                }
                let mean = t.elapsed().as_nanos() as f64 / m as f64;
                format!(
                    "p50_ns={} p99_ns={} mean_ns={mean:.1}",
                    samples[n / 2],
                    samples[n * 99 / 100]
                )
            }
            // Hits from TASKS tasks on the 2-worker runtime, N each: gets per second overall.
            "throughput" => {
                let tasks = num(0, 1) as usize;
                let n = num(1, 200_000);
                let cache = Arc::new(build(Duration::from_secs(3600)).await);
                get(&cache, KEY).await;
                let start = Arc::new(tokio::sync::Barrier::new(tasks + 1));
                let handles: Vec<_> = (0..tasks)
                    .map(|_| {
                        let (cache, start) = (cache.clone(), start.clone());
                        tokio::spawn(async move {
                            start.wait().await;
                            for _ in 0..n {
                                std::hint::black_box(get(&cache, KEY).await);
                            }
                        })
                    })
                    .collect();
                start.wait().await;
                let t = Instant::now();
                for h in handles {
                    h.await.expect("task");
                }
                let secs = t.elapsed().as_secs_f64();
                format!("gets_per_sec={:.0}", (tasks as u64 * n) as f64 / secs)
            }
            // TASKS concurrent gets of one cold key.
            "cold" => {
                let tasks = num(0, 1000) as usize;
                let cache = Arc::new(build(Duration::from_secs(3600)).await);
                let start = Arc::new(tokio::sync::Barrier::new(tasks));
                let handles: Vec<_> = (0..tasks)
                    .map(|_| {
                        let (cache, start) = (cache.clone(), start.clone());
                        tokio::spawn(async move {
                            start.wait().await;
                            get(&cache, KEY).await
                        })
                    })
                    .collect();
                let mut ok = 0;
                for h in handles {
                    ok += h.await.expect("task");
                }
                format!("ok={ok}")
            }
            // N different secrets loaded one after the other, then each read again (hits).
            "rss" => {
                let n = num(0, 1000) as usize;
                let cache = Arc::new(build(Duration::from_secs(3600)).await);
                for i in 0..n {
                    get(&cache, &format!("bench-{i}")).await;
                }
                let mut ok = 0;
                for i in 0..n {
                    ok += get(&cache, &format!("bench-{i}")).await;
                }
                format!("ok={ok}")
            }
            // TASKS tasks read one key for MILLIS ms with a TTL of TTL_MS ms: how many gets,
            // and the slowest one.
            "expiry" => {
                let tasks = num(0, 16) as usize;
                let millis = num(1, 2000);
                let ttl = Duration::from_millis(num(2, 100));
                let cache = Arc::new(build(ttl).await);
                get(&cache, KEY).await;
                let end = Instant::now() + Duration::from_millis(millis);
                let handles: Vec<_> = (0..tasks)
                    .map(|_| {
                        let cache = cache.clone();
                        tokio::spawn(async move {
                            let (mut gets, mut slowest) = (0u64, Duration::ZERO);
                            while Instant::now() < end {
                                let t = Instant::now();
                                get(&cache, KEY).await;
                                slowest = slowest.max(t.elapsed());
                                gets += 1;
                                // Let the other tasks (and the I/O of refreshes) run.
                                tokio::task::yield_now().await;
                            }
                            (gets, slowest)
                        })
                    })
                    .collect();
                let (mut gets, mut slowest) = (0, Duration::ZERO);
                for h in handles {
                    let (g, s) = h.await.expect("task");
                    gets += g;
                    slowest = slowest.max(s);
                }
                // Let a refresh under way finish before the process exits.
                tokio::time::sleep(Duration::from_millis(300)).await;
                format!("gets={gets} slowest_us={}", slowest.as_micros())
            }
            other => {
                eprintln!("unknown mode {other}");
                std::process::exit(2)
            }
        }
    });
    println!("result {line}");
}
