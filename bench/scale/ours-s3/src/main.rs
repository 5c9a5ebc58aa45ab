//! `cargo xtask bench scale` (our side, S3, restXml): builds a client from the environment with
//! the endpoint URL given as the first argument and calls PutObject, GetObject and
//! ListObjectsV2 once each. `../ours-s3-min` builds this same file with only those three
//! operations enabled.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "http://127.0.0.1:9000".to_owned());
    let config = match s3::Config::loader().endpoint_url(endpoint).load().await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration failed: {e}");
            std::process::exit(1);
        }
    };
    let client = s3::Client::new(&config);
    let put = client
        .put_object()
        .bucket("bench")
        .key("k")
        .body(b"hello".to_vec())
        .send()
        .await;
    match put {
        Ok(out) => println!("PutObject: etag {:?}", out.e_tag()),
        Err(e) => fail("PutObject", e),
    }
    match client.get_object().bucket("bench").key("k").send().await {
        Ok(out) => match out.body.collect().await {
            Ok(b) => println!("GetObject: {} bytes", b.len()),
            Err(e) => fail("GetObject body", e),
        },
        Err(e) => fail("GetObject", e),
    }
    match client.list_objects_v2().bucket("bench").send().await {
        Ok(out) => println!("ListObjectsV2: {} keys", out.contents().len()),
        Err(e) => fail("ListObjectsV2", e),
    }
}

fn fail(what: &str, e: impl std::fmt::Display) -> ! {
    eprintln!("{what} failed: {e}");
    std::process::exit(1)
}
