//! Serialization/deserialization probe for `cargo xtask bench serde` (reference side).
//!
//! `serde <get|list|create> [N]` calls the operation N times (default 1) against
//! `AWS_ENDPOINT_URL`. The canned server answers ListSecrets with a large page (100 entries with
//! tags and version maps); CreateSecret sends a large request (50 tags, 10 replica regions and a
//! 4 KiB secret string). The harness subtracts the per-call cost of `get` to isolate (de)serialization.

use aws_sdk_secretsmanager::types::{ReplicaRegionType, Tag};

/// Builds the large CreateSecret input once; the same values are used by the other side.
fn tags() -> Vec<Tag> {
    (0..50)
        .map(|i| {
            Tag::builder()
                .key(format!("tag-key-{i:03}"))
                .value(format!("tag value {i} with \"quotes\" and \\ backslash"))
                .build()
        })
        .collect()
}

fn regions() -> Vec<ReplicaRegionType> {
    (0..10)
        .map(|i| {
            ReplicaRegionType::builder()
                .region(format!("eu-west-{i}"))
                .kms_key_id(format!("arn:aws:kms:eu-west-{i}:123456789012:key/key-{i:04}"))
                .build()
        })
        .collect()
}

fn secret_string() -> String {
    let mut s = String::with_capacity(4096);
    while s.len() < 4096 {
        s.push_str("{\"user\":\"admin\",\"pass\":\"p@ss\\word\u{e9}\"}\n");
    }
    s
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let op = args.next().unwrap_or_else(|| "get".to_owned());
    let n: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let config = aws_config::load_from_env().await;
    let client = aws_sdk_secretsmanager::Client::new(&config);
    let (tags, regions, secret) = (tags(), regions(), secret_string());
    for _ in 0..n {
        let ok = match op.as_str() {
            "get" => client
                .get_secret_value()
                .secret_id("bench")
                .send()
                .await
                .map(|o| std::hint::black_box(o.secret_string().map(str::len)).is_some())
                .map_err(|e| format!("{e:?}")),
            "list" => client
                .list_secrets()
                .max_results(100)
                .send()
                .await
                .map(|o| std::hint::black_box(o.secret_list().len()) == 100)
                .map_err(|e| format!("{e:?}")),
            "create" => client
                .create_secret()
                .name("bench-large")
                .client_request_token("00000000-0000-4000-8000-000000000000")
                .description("large CreateSecret request for the benchmark")
                .kms_key_id("alias/bench")
                .secret_string(secret.clone())
                .set_tags(Some(tags.clone()))
                .set_add_replica_regions(Some(regions.clone()))
                .force_overwrite_replica_secret(true)
                .send()
                .await
                .map(|o| std::hint::black_box(o.arn()).is_some())
                .map_err(|e| format!("{e:?}")),
            other => Err(format!("unknown operation {other:?} (expected get, list or create)")),
        };
        match ok {
            Ok(true) => {}
            Ok(false) => {
                eprintln!("{op}: unexpected response content");
                std::process::exit(1);
            }
            Err(e) => {
                eprintln!("{op} failed: {e}");
                std::process::exit(1);
            }
        }
    }
}
