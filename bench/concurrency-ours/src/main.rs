//! `cargo xtask bench concurrency`, our side: GetSecretValue from many tasks on one generated
//! client, against the canned server (endpoint and credentials from the environment).
//!
//! Arguments: `<tasks> <total calls> <bound>`: the client keeps at most `bound` connections
//! open to the server (`ConfigBuilder::max_connections_per_host`; 0: no bound). Prints one
//! line `result calls=N secs=S calls_per_sec=X`.

use std::time::Instant;

/// One call; a failure ends the program.
async fn call(client: &secretsmanager::Client) {
    match client.get_secret_value().secret_id("bench").send().await {
        Ok(out) => {
            std::hint::black_box(out.secret_string().map(|s| s.expose_secret().len()));
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
            eprintln!("usage: bench-concurrency-ours <tasks> <total calls> <bound>");
            std::process::exit(2);
        }
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let line = rt.block_on(async {
        let config = match secretsmanager::Config::from_env().await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("configuration failed: {e:?}");
                std::process::exit(1);
            }
        };
        let bound = if bound == 0 { usize::MAX } else { bound };
        let config = config.to_builder().max_connections_per_host(bound).build();
        let client = secretsmanager::Client::new(&config);
        // Warm-up: configuration, credentials, the first connection.
        call(&client).await;
        let start = Instant::now();
        let mut handles = Vec::with_capacity(tasks as usize);
        for t in 0..tasks {
            let n = total / tasks + u64::from(t < total % tasks);
            let client = client.clone();
            handles.push(tokio::spawn(async move {
                for _ in 0..n {
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
