//! Memory is bounded by the maximum number of entries: a counting allocator measures the bytes
//! live while 3,000 different 4 KiB secrets pass through a cache of 100 entries. The transport
//! here answers without recording anything, so every byte that stays is the cache's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};
use std::sync::Arc;

use secretsmanager::config::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};
use secretsmanager_cache::SecretCache;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const SECRET_BYTES: usize = 4096;
const MAX_ENTRIES: usize = 100;

/// Answers every GetSecretValue with a 4 KiB secret named after the id asked for.
#[derive(Debug)]
struct Echo;

impl Transport for Echo {
    fn send(
        &self,
        req: HttpRequest,
        _: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let id = body
            .split("\"SecretId\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("?")
            .to_owned();
        let value = "x".repeat(SECRET_BYTES);
        Box::pin(async move {
            Ok(HttpResponse::new(
                200,
                format!(r#"{{"Name":"{id}","VersionId":"v-{id}","SecretString":"{value}"}}"#),
            ))
        })
    }
}

fn live() -> isize {
    LIVE.load(Ordering::SeqCst)
}

#[tokio::test(flavor = "current_thread")]
async fn live_memory_stays_bounded_by_max_entries() {
    let config = secretsmanager::Config::builder()
        .region("us-east-1")
        .credentials("AKID", "secret", None)
        .endpoint_url("https://mock.invalid")
        .transport(Arc::new(Echo))
        .build();
    let client = secretsmanager::Client::new(&config);
    // Warm the client's own one-time state (endpoint rules, signing key) first.
    client
        .get_secret_value()
        .secret_id("warm-up")
        .send()
        .await
        .unwrap();
    let baseline = live();
    let cache = SecretCache::builder(client)
        .max_entries(MAX_ENTRIES)
        .build()
        .unwrap();
    let mut after = Vec::new();
    for round in 0..3 {
        for i in 0..1000 {
            let s = cache.get(&format!("secret-{round}-{i}")).await.unwrap();
            assert_eq!(
                s.secret_string().unwrap().expose_secret().len(),
                SECRET_BYTES
            );
        }
        after.push(live() - baseline);
    }
    assert_eq!(cache.len(), MAX_ENTRIES);
    assert_eq!(cache.metrics().evictions, 3000 - MAX_ENTRIES as u64);
    // What 100 entries may hold: the value and its metadata, plus the map, generously.
    let bound = (MAX_ENTRIES * (SECRET_BYTES + 2048) + 256 * 1024) as isize;
    assert!(
        after.iter().all(|&b| b < bound),
        "live bytes {after:?} over {bound}"
    );
    // No growth from round to round: 2,000 more secrets, the same footprint.
    assert!((after[2] - after[0]).abs() < 64 * 1024, "{after:?}");
    // Everything is given back when the cache goes.
    drop(cache);
    assert!(
        live() - baseline < 64 * 1024,
        "{} bytes left",
        live() - baseline
    );
}
