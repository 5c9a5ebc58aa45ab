//! Minimal program for `cargo xtask bench` (reference side): builds a Secrets Manager client
//! from the environment and calls GetSecretValue N times (N = first argument, default 1).

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1);
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_secretsmanager::Client::new(&config);
    for _ in 0..n {
        match client.get_secret_value().secret_id("bench").send().await {
            Ok(out) => {
                std::hint::black_box(out.secret_string());
            }
            Err(e) => {
                eprintln!("GetSecretValue failed: {e:?}");
                std::process::exit(1);
            }
        }
    }
}
