//! `cargo xtask bench scale` (reference side, Connect, restJson1): builds a client from the
//! environment with the endpoint URL given as the first argument and calls DescribeInstance
//! once.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8080".to_owned());
    let config = aws_config::from_env().endpoint_url(endpoint).load().await;
    let client = aws_sdk_connect::Client::new(&config);
    match client.describe_instance().instance_id("bench").send().await {
        Ok(out) => println!(
            "DescribeInstance: {:?}",
            out.instance().and_then(|i| i.arn())
        ),
        Err(e) => {
            eprintln!("DescribeInstance failed: {e}");
            std::process::exit(1);
        }
    }
}
