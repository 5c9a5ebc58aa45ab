//! `cargo xtask bench scale` (reference side, DynamoDB, awsJson 1.0): builds a client from the
//! environment with the endpoint URL given as the first argument and calls GetItem once.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:8000".to_owned());
    let config = aws_config::from_env().endpoint_url(endpoint).load().await;
    let client = aws_sdk_dynamodb::Client::new(&config);
    let got = client
        .get_item()
        .table_name("bench")
        .key("id", aws_sdk_dynamodb::types::AttributeValue::S("1".to_owned()))
        .send()
        .await;
    match got {
        Ok(out) => println!("GetItem: {} attributes", out.item().map_or(0, |i| i.len())),
        Err(e) => {
            eprintln!("GetItem failed: {e}");
            std::process::exit(1);
        }
    }
}
