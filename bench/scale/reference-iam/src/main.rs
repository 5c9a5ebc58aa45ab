//! `cargo xtask bench scale` (reference side, IAM, awsQuery): builds a client from the
//! environment with the endpoint URL given as the first argument and calls GetUser once.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:5000".to_owned());
    let config = aws_config::from_env().endpoint_url(endpoint).load().await;
    let client = aws_sdk_iam::Client::new(&config);
    match client.get_user().user_name("bench").send().await {
        Ok(out) => println!("GetUser: {:?}", out.user()),
        Err(e) => {
            eprintln!("GetUser failed: {e}");
            std::process::exit(1);
        }
    }
}
