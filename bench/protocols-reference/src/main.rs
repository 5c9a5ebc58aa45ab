//! Reference program for `cargo xtask bench protocols`: the official AWS SDK for Rust.
//!
//! `protocols-reference <operation> [N] [endpoint]` builds one client from the environment
//! (static credentials, region, `AWS_ENDPOINT_URL` unless `endpoint` is given) and makes N
//! sequential calls of one operation:
//! `eks` (EKS DescribeCluster, restJson1), `sts` (STS GetCallerIdentity, awsQuery),
//! `s3-get-small` / `s3-get-large` (S3 GetObject, the body read chunk by chunk and counted),
//! `s3-list` (S3 ListObjectsV2). S3 uses path-style addressing.

use std::hint::black_box;
use std::process::exit;

fn fail(what: &str, e: impl std::fmt::Debug) -> ! {
    eprintln!("{what} failed: {e:?}");
    exit(1)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let op = args.get(1).map(String::as_str).unwrap_or("");
    let n: u64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(1);
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(url) = args.get(3) {
        loader = loader.endpoint_url(url);
    }
    let config = loader.load().await;
    match op {
        "eks" => {
            let client = aws_sdk_eks::Client::new(&config);
            for _ in 0..n {
                match client.describe_cluster().name("bench-cluster").send().await {
                    Ok(out) => {
                        black_box(out.cluster().and_then(|c| c.endpoint()).map(str::len));
                    }
                    Err(e) => fail("DescribeCluster", e),
                }
            }
        }
        "sts" => {
            let client = aws_sdk_sts::Client::new(&config);
            for _ in 0..n {
                match client.get_caller_identity().send().await {
                    Ok(out) => {
                        black_box(out.arn().map(str::len));
                    }
                    Err(e) => fail("GetCallerIdentity", e),
                }
            }
        }
        "s3-get-small" | "s3-get-large" | "s3-list" => {
            let s3_config = aws_sdk_s3::config::Builder::from(&config)
                .force_path_style(true)
                .build();
            let client = aws_sdk_s3::Client::from_conf(s3_config);
            let key = if op == "s3-get-small" {
                "small.bin"
            } else {
                "large.bin"
            };
            for _ in 0..n {
                if op == "s3-list" {
                    match client.list_objects_v2().bucket("bench-bucket").send().await {
                        Ok(out) => {
                            black_box(out.contents().len());
                        }
                        Err(e) => fail("ListObjectsV2", e),
                    }
                    continue;
                }
                let out = match client
                    .get_object()
                    .bucket("bench-bucket")
                    .key(key)
                    .send()
                    .await
                {
                    Ok(out) => out,
                    Err(e) => fail("GetObject", e),
                };
                let mut body = out.body;
                let mut total = 0usize;
                loop {
                    match body.next().await {
                        Some(Ok(chunk)) => total += black_box(chunk.len()),
                        Some(Err(e)) => fail("GetObject body", e),
                        None => break,
                    }
                }
                black_box(total);
            }
        }
        other => {
            eprintln!("unknown operation {other:?}: expected eks, sts, s3-get-small, s3-get-large or s3-list");
            exit(2)
        }
    }
}
