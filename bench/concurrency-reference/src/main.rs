//! `cargo xtask bench concurrency`, reference side: GetSecretValue from many tasks on one
//! official `aws-sdk-secretsmanager` client, against the canned server (endpoint and
//! credentials from the environment).
//!
//! Arguments: `<tasks> <total calls> <bound>`. The official client has no setting that bounds
//! the connections per host (hyper-util's pool bounds only the idle ones), so the program bounds
//! the calls in flight with a semaphore of `bound` permits instead (0: no bound); the server
//! reports how many connections were open at most. Prints one line
//! `result calls=N secs=S calls_per_sec=X`.

use std::sync::Arc;
use std::time::Instant;

use tokio::sync::Semaphore;

/// One call; a failure ends the program.
async fn call(client: &aws_sdk_secretsmanager::Client) {
    match client.get_secret_value().secret_id("bench").send().await {
        Ok(out) => {
            std::hint::black_box(out.secret_string().map(str::len));
        }
        Err(e) => {
            eprintln!("GetSecretValue failed: {e:?}");
            std::process::exit(1);
        }
    }
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| {
            a.parse()
                .expect("numeric arguments: <tasks> <total calls> <bound>")
        })
        .collect();
    let (tasks, total, bound) = match args[..] {
        [t, n, b] if t > 0 && n >= t => (t, n, b as usize),
        _ => {
            eprintln!("usage: bench-concurrency-reference <tasks> <total calls> <bound>");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let line = rt.block_on(async {
        let config = aws_config::load_from_env().await;
        let client = aws_sdk_secretsmanager::Client::new(&config);
        let limit = (bound > 0).then(|| Arc::new(Semaphore::new(bound)));
        // Warm-up: configuration, credentials, the first connection.
        call(&client).await;
        let start = Instant::now();
        let mut handles = Vec::with_capacity(tasks as usize);
        for t in 0..tasks {
            let n = total / tasks + u64::from(t < total % tasks);
            let (client, limit) = (client.clone(), limit.clone());
            handles.push(tokio::spawn(async move {
                for _ in 0..n {
                    let _permit = match &limit {
                        Some(s) => Some(s.acquire().await.expect("semaphore")),
                        None => None,
                    };
                    call(&client).await;
                }
            }));
        }
        for h in handles {
            h.await.expect("task");
        }
        let secs = start.elapsed().as_secs_f64();
        format!(
            "calls={total} secs={secs:.6} calls_per_sec={:.1}",
            total as f64 / secs
        )
    });
    println!("result {line}");
}
