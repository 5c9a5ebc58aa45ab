//! End-to-end tests of the generated Secrets Manager client against a real server: moto
//! (`moto[server]==5.2.5`) started on 127.0.0.1 with port 0 by `integration_tests::moto`.
//!
//! All tests of this binary share one moto process (started on first use, killed when the
//! process exits) and keep apart through unique secret names. Every one of the 21 operations
//! moto implements is called here; the other two (`StopReplicationToReplica`,
//! `ValidateResourcePolicy`) are covered by `e2e_stub.rs`. The tests are grouped in the modules
//! under `e2e_moto/`; this file holds the shared helpers.
//!
//! Where moto differs from AWS, the assertion follows moto and says so.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use integration_tests::moto::{unique_name, MotoServer};
use secretsmanager::config::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, HyperTransport, Transport,
    TransportError,
};
use secretsmanager::config::Env;
use secretsmanager::error::SdkError;
use secretsmanager::primitives::{DateTime, Document};
use secretsmanager::types::{
    Filter, FilterNameStringType, ReplicaRegionType, RotationRulesType, StatusType, Tag,
};
use secretsmanager::{Client, Config};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

fn client() -> Client {
    moto().client()
}

fn client_in(region: &str) -> Client {
    Client::new(&moto().config_in(region))
}

/// A transport that forwards to the real one and keeps every request it sends.
#[derive(Clone, Debug, Default)]
struct Recording(Arc<RecordingInner>);

#[derive(Debug, Default)]
struct RecordingInner {
    inner: HyperTransport,
    sent: Mutex<Vec<HttpRequest>>,
}

impl Transport for Recording {
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        if let Ok(mut sent) = self.0.sent.lock() {
            sent.push(req.clone());
        }
        self.0.inner.send(req, timeouts)
    }
}

impl Recording {
    fn sent(&self) -> Vec<HttpRequest> {
        self.0.sent.lock().unwrap().clone()
    }
}

fn recording_client() -> (Client, Recording) {
    let rec = Recording::default();
    let config = moto()
        .config()
        .to_builder()
        .transport(Arc::new(rec.clone()))
        .build();
    (Client::new(&config), rec)
}

/// Lowercase hyphenated UUID with version nibble 4 and RFC 4122 variant.
fn is_uuid_v4(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_digit() || ('a'..='f').contains(&c),
        })
        && b[14] == b'4'
        && matches!(b[19], b'8' | b'9' | b'a' | b'b')
}

/// Seconds between `t` and now (positive when `t` is in the future).
fn secs_from_now(t: DateTime) -> i64 {
    t.secs() - DateTime::now().secs()
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build()
}

fn filter(key: FilterNameStringType, value: &str) -> Filter {
    Filter::builder().key(key).values(value).build()
}

/// Creates a string secret and returns (arn, version id).
async fn create_string(client: &Client, name: &str, value: &str) -> (String, String) {
    let out = client
        .create_secret()
        .name(name)
        .secret_string(value)
        .send()
        .await
        .unwrap();
    (
        out.arn().unwrap().to_string(),
        out.version_id().unwrap().to_string(),
    )
}

async fn force_delete(client: &Client, name: &str) {
    client
        .delete_secret()
        .secret_id(name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
}

/// Stages of every version, from ListSecretVersionIds, as (version id -> sorted stages).
async fn stages_by_version(
    client: &Client,
    name: &str,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let out = client
        .list_secret_version_ids()
        .secret_id(name)
        .send()
        .await
        .unwrap();
    out.versions()
        .iter()
        .map(|v| {
            let mut stages = v.version_stages().to_vec();
            stages.sort();
            (v.version_id().unwrap().to_string(), stages)
        })
        .collect()
}

#[path = "e2e_moto/catalog.rs"]
mod catalog;
#[path = "e2e_moto/config.rs"]
mod config;
#[path = "e2e_moto/features.rs"]
mod features;
#[path = "e2e_moto/values.rs"]
mod values;
