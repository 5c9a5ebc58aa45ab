//! Minimal program for `cargo xtask bench` (our side): builds a Secrets Manager client from the
//! environment and calls GetSecretValue N times (N = first argument, default 1).

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let config = match secretsmanager::Config::from_env().await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration failed: {e:?}");
            std::process::exit(1);
        }
    };
    let client = secretsmanager::Client::new(&config);
    for _ in 0..n {
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
}
