//! End-to-end tests of the generated Secrets Manager client against a real server: moto
//! (`moto[server]==5.2.5`) started on 127.0.0.1 with port 0 by `integration_tests::moto`.
//!
//! All tests of this binary share one moto process (started on first use, killed when the
//! process exits) and keep apart through unique secret names. Every one of the 21 operations
//! moto implements is called here; the other two (`StopReplicationToReplica`,
//! `ValidateResourcePolicy`) are covered by `e2e_stub.rs`. The last tests load the configuration
//! from an environment map and profile files instead of code.
//!
//! Where moto differs from AWS, the assertion follows moto and says so.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use awsrt::http::{AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, HyperTransport, Transport, TransportError};
use awsrt::types::{DateTime, Document};
use integration_tests::moto::{unique_name, MotoServer};
use secretsmanager::error::SdkError;
use secretsmanager::types::{Filter, FilterNameStringType, ReplicaRegionType, RotationRulesType, StatusType, Tag};
use secretsmanager::{Client, Config};
use awsrt::profile::Env;

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
    fn send(&self, req: HttpRequest, timeouts: &AttemptTimeouts) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
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
    let config = moto().config().to_builder().transport(Arc::new(rec.clone())).build();
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
    let out = client.create_secret().name(name).secret_string(value).send().await.unwrap();
    (out.arn().unwrap().to_string(), out.version_id().unwrap().to_string())
}

async fn force_delete(client: &Client, name: &str) {
    client.delete_secret().secret_id(name).force_delete_without_recovery(true).send().await.unwrap();
}

/// Stages of every version, from ListSecretVersionIds, as (version id -> sorted stages).
async fn stages_by_version(client: &Client, name: &str) -> std::collections::BTreeMap<String, Vec<String>> {
    let out = client.list_secret_version_ids().secret_id(name).send().await.unwrap();
    out.versions()
        .iter()
        .map(|v| {
            let mut stages = v.version_stages().to_vec();
            stages.sort();
            (v.version_id().unwrap().to_string(), stages)
        })
        .collect()
}

#[tokio::test]
async fn string_secret_round_trips_and_the_token_is_a_fresh_uuid_v4() {
    let (client, rec) = recording_client();
    let name = unique_name("e2e/string");
    let value = "{\"username\":\"admin\",\"password\":\"p@ss\\\"w0rd\\n\u{e9}\u{1F511}\"}\n\ttrailing";
    let created = client
        .create_secret()
        .name(&name)
        .description("database credentials")
        .secret_string(value)
        .tags(tag("env", "test"))
        .send()
        .await
        .unwrap();
    let version = created.version_id().unwrap().to_string();
    assert!(is_uuid_v4(&version), "VersionId {version} is not a UUID v4");
    assert_eq!(created.name(), Some(name.as_str()));
    let arn = created.arn().unwrap();
    assert!(arn.starts_with(&format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-")), "{arn}");

    // The token moto used as VersionId is the one the client generated and sent.
    let sent = rec.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].header("x-amz-target"), Some("secretsmanager.CreateSecret"));
    let body = Document::parse(&sent[0].body).unwrap();
    assert_eq!(body.get("ClientRequestToken").and_then(Document::as_str), Some(version.as_str()));

    let got = client.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(got.secret_string().map(|s| s.expose_secret()), Some(value));
    assert!(got.secret_binary().is_none());
    assert_eq!(got.version_id(), Some(version.as_str()));
    assert_eq!(got.version_stages(), ["AWSCURRENT"]);
    assert_eq!(got.arn(), Some(arn));
    assert!(secs_from_now(got.created_date().unwrap()).abs() < 120);
    // The value never shows in Debug output.
    assert!(!format!("{got:?}").contains("p@ss"));

    // A second create gets a different token.
    let other = client.create_secret().name(unique_name("e2e/string2")).secret_string("x").send().await.unwrap();
    assert!(is_uuid_v4(other.version_id().unwrap()));
    assert_ne!(other.version_id(), Some(version.as_str()));
    force_delete(&client, &name).await;
    force_delete(&client, other.name().unwrap()).await;
}

#[tokio::test]
async fn binary_secrets_round_trip_byte_for_byte() {
    let client = client();
    // Every byte value, invalid UTF-8 sequences, NULs.
    let mut bytes: Vec<u8> = (0..=255u8).collect();
    bytes.extend_from_slice(&[0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0x80]);
    let name = unique_name("e2e/binary");
    client.create_secret().name(&name).secret_binary(bytes.clone()).send().await.unwrap();
    let got = client.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(got.secret_binary().map(|b| b.expose_secret()), Some(bytes.as_slice()));
    assert!(got.secret_string().is_none());

    // A large value (the service's limit is 64 KiB), pseudo-random so every base64 position varies.
    let mut large = Vec::with_capacity(65_536);
    let mut x: u32 = 0x1234_5678;
    while large.len() < 65_536 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        large.extend_from_slice(&x.to_le_bytes());
    }
    let put = client.put_secret_value().secret_id(&name).secret_binary(large.clone()).send().await.unwrap();
    assert_eq!(put.version_stages(), ["AWSCURRENT"]);
    let got = client.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(got.secret_binary().unwrap().expose_secret().len(), large.len());
    assert!(got.secret_binary().unwrap().expose_secret() == large.as_slice(), "large binary secret differs");
    // The earlier version is still readable, unchanged.
    let prev = client.get_secret_value().secret_id(&name).version_stage("AWSPREVIOUS").send().await.unwrap();
    assert_eq!(prev.secret_binary().unwrap().expose_secret(), bytes.as_slice());

    // A large string value with multi-byte characters and JSON escapes.
    let big_string: String = (0..8_000).map(|i| ['a', '\u{e9}', '"', '\\', '\n', '\u{1F600}', '<', '\u{0001}'][i % 8]).collect();
    let name2 = unique_name("e2e/bigstring");
    create_string(&client, &name2, &big_string).await;
    let got = client.get_secret_value().secret_id(&name2).send().await.unwrap();
    assert!(got.secret_string().unwrap().expose_secret() == big_string, "large string secret differs");
    force_delete(&client, &name).await;
    force_delete(&client, &name2).await;
}

#[tokio::test]
async fn put_secret_value_is_idempotent_per_client_request_token() {
    let client = client();
    let name = unique_name("e2e/idem");
    let (_, v1) = create_string(&client, &name, "one").await;
    let token = "e2e00000-0000-4000-8000-000000000002";
    let first = client.put_secret_value().secret_id(&name).client_request_token(token).secret_string("two").send().await.unwrap();
    assert_eq!(first.version_id(), Some(token));
    assert_eq!(first.version_stages(), ["AWSCURRENT"]);
    assert_eq!(first.name(), Some(name.as_str()));

    // Same token, same data: succeeds and creates nothing new.
    let again = client.put_secret_value().secret_id(&name).client_request_token(token).secret_string("two").send().await.unwrap();
    assert_eq!(again.version_id(), Some(token));
    assert_eq!(stages_by_version(&client, &name).await.len(), 2);

    // Same token, different data: the typed ResourceExistsException.
    let err = client.put_secret_value().secret_id(&name).client_request_token(token).secret_string("changed").send().await.unwrap_err();
    let service = err.as_service_error().unwrap_or_else(|| panic!("expected a service error, got {err}"));
    assert!(service.is_resource_exists_exception(), "{service:?}");
    assert_eq!(err.code(), Some("ResourceExistsException"));
    assert_eq!(err.status(), Some(400));
    assert!(err.message().unwrap().contains(token), "{:?}", err.message());
    assert!(!err.request_id().unwrap_or_default().is_empty());

    // The stored value did not change; the first version became AWSPREVIOUS.
    let current = client.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(current.secret_string().unwrap().expose_secret(), "two");
    let stages = stages_by_version(&client, &name).await;
    assert_eq!(stages[&v1], ["AWSPREVIOUS"]);
    assert_eq!(stages[token], ["AWSCURRENT"]);

    // Without a token the client fills a new one each call: two distinct versions.
    let a = client.put_secret_value().secret_id(&name).secret_string("three").send().await.unwrap();
    let b = client.put_secret_value().secret_id(&name).secret_string("three").send().await.unwrap();
    assert!(is_uuid_v4(a.version_id().unwrap()) && is_uuid_v4(b.version_id().unwrap()));
    assert_ne!(a.version_id(), b.version_id());
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn version_stages_move_with_update_secret_version_stage() {
    let client = client();
    let name = unique_name("e2e/stages");
    let (_, v1) = create_string(&client, &name, "v1").await;
    // A pending version that is not current yet.
    let pending = client.put_secret_value().secret_id(&name).secret_string("v2").version_stages("AWSPENDING").send().await.unwrap();
    let v2 = pending.version_id().unwrap().to_string();
    assert_eq!(pending.version_stages(), ["AWSPENDING"]);
    assert_eq!(client.get_secret_value().secret_id(&name).send().await.unwrap().secret_string().unwrap().expose_secret(), "v1");
    let by_stage = client.get_secret_value().secret_id(&name).version_stage("AWSPENDING").send().await.unwrap();
    assert_eq!(by_stage.secret_string().unwrap().expose_secret(), "v2");
    assert_eq!(by_stage.version_id(), Some(v2.as_str()));

    // Promote v2: AWSCURRENT moves, v1 gets AWSPREVIOUS.
    let out = client
        .update_secret_version_stage()
        .secret_id(&name)
        .version_stage("AWSCURRENT")
        .remove_from_version_id(&v1)
        .move_to_version_id(&v2)
        .send()
        .await
        .unwrap();
    assert_eq!(out.name(), Some(name.as_str()));
    let stages = stages_by_version(&client, &name).await;
    assert_eq!(stages[&v1], ["AWSPREVIOUS"]);
    assert_eq!(stages[&v2], ["AWSCURRENT", "AWSPENDING"]);
    // Read by label: moto's label-less read keeps following its own "default version", which
    // UpdateSecretVersionStage does not move (AWS resolves AWSCURRENT).
    let current = client.get_secret_value().secret_id(&name).version_stage("AWSCURRENT").send().await.unwrap();
    assert_eq!(current.secret_string().unwrap().expose_secret(), "v2");
    assert_eq!(current.version_id(), Some(v2.as_str()));

    // A custom label attached, then removed.
    client.update_secret_version_stage().secret_id(&name).version_stage("BLUE").move_to_version_id(&v1).send().await.unwrap();
    let blue = client.get_secret_value().secret_id(&name).version_stage("BLUE").send().await.unwrap();
    assert_eq!(blue.secret_string().unwrap().expose_secret(), "v1");
    client.update_secret_version_stage().secret_id(&name).version_stage("BLUE").remove_from_version_id(&v1).send().await.unwrap();
    assert_eq!(stages_by_version(&client, &name).await[&v1], ["AWSPREVIOUS"]);

    // DescribeSecret agrees with ListSecretVersionIds.
    let described = client.describe_secret().secret_id(&name).send().await.unwrap();
    let map = described.version_ids_to_stages.as_ref().unwrap();
    assert_eq!(map[&v1], ["AWSPREVIOUS"]);
    assert!(map[&v2].contains(&"AWSCURRENT".to_string()));

    // Moving AWSCURRENT without saying where from is refused (typed).
    let err = client.update_secret_version_stage().secret_id(&name).version_stage("AWSCURRENT").move_to_version_id(&v1).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_parameter_exception()), "{err}");
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn list_secrets_filters_and_pages() {
    let client = client();
    let prefix = unique_name("e2e/list");
    let mut names = Vec::new();
    for i in 0..7 {
        let name = format!("{prefix}/item{i}");
        let colour = if i % 3 == 0 { "red" } else { "blue" };
        client
            .create_secret()
            .name(&name)
            .description(format!("item {colour} number {i}"))
            .secret_string(format!("value-{i}"))
            .tags(tag("colour", colour))
            .tags(tag(&format!("only{i}"), "x"))
            .send()
            .await
            .unwrap();
        names.push(name);
    }

    // MaxResults 3 over 7 matches: pages of 3, 3, 1 linked by NextToken.
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_secrets()
            .filters(filter(FilterNameStringType::Name, &prefix))
            .max_results(3)
            .set_next_token(token.clone())
            .send()
            .await
            .unwrap();
        sizes.push(page.secret_list().len());
        for s in page.secret_list() {
            seen.push(s.name().unwrap().to_string());
            assert!(s.arn().unwrap().contains(":secret:"));
            assert!(s.secret_versions_to_stages.as_ref().is_some_and(|m| m.len() == 1));
            assert_eq!(s.tags().len(), 2);
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
        assert!(sizes.len() < 10, "paging does not end");
    }
    assert_eq!(sizes, [3, 3, 1]);
    seen.sort();
    assert_eq!(seen, names);

    let names_for = |filters: Vec<Filter>| {
        let client = client.clone();
        async move {
            let out = client.list_secrets().set_filters(Some(filters)).send().await.unwrap();
            out.secret_list().iter().map(|s| s.name().unwrap().to_string()).collect::<BTreeSet<_>>()
        }
    };
    // Tag value "red" within our prefix: items 0, 3, 6.
    let red = names_for(vec![filter(FilterNameStringType::Name, &prefix), filter(FilterNameStringType::TagValue, "red")]).await;
    assert_eq!(red, [0, 3, 6].iter().map(|i| names[*i].clone()).collect());
    // A tag key only one secret has.
    let only4 = names_for(vec![filter(FilterNameStringType::Name, &prefix), filter(FilterNameStringType::TagKey, "only4")]).await;
    assert_eq!(only4, BTreeSet::from([names[4].clone()]));
    // Description words.
    let number5 = names_for(vec![filter(FilterNameStringType::Name, &prefix), filter(FilterNameStringType::Description, "5")]).await;
    assert_eq!(number5, BTreeSet::from([names[5].clone()]));

    // A secret scheduled for deletion is hidden unless IncludePlannedDeletion.
    client.delete_secret().secret_id(&names[1]).recovery_window_in_days(7).send().await.unwrap();
    let visible = names_for(vec![filter(FilterNameStringType::Name, &prefix)]).await;
    assert_eq!(visible.len(), 6);
    assert!(!visible.contains(&names[1]));
    let all = client.list_secrets().filters(filter(FilterNameStringType::Name, &prefix)).include_planned_deletion(true).send().await.unwrap();
    let deleted = all.secret_list().iter().find(|s| s.name() == Some(names[1].as_str())).unwrap();
    assert!(secs_from_now(deleted.deleted_date().unwrap()) > 6 * 86_400);
    assert_eq!(all.secret_list().len(), 7);
    for name in &names {
        force_delete(&client, name).await;
    }
}

#[tokio::test]
async fn describe_secret_reports_metadata() {
    let client = client();
    let name = unique_name("e2e/describe");
    let created = client
        .create_secret()
        .name(&name)
        .description("metadata check")
        .kms_key_id("alias/e2e-key")
        .secret_string("v")
        .tags(tag("owner", "platform"))
        .send()
        .await
        .unwrap();
    let d = client.describe_secret().secret_id(created.arn().unwrap()).send().await.unwrap();
    assert_eq!(d.name(), Some(name.as_str()));
    assert_eq!(d.arn(), created.arn());
    assert_eq!(d.description(), Some("metadata check"));
    assert_eq!(d.kms_key_id(), Some("alias/e2e-key"));
    assert_eq!(d.tags(), [tag("owner", "platform")]);
    assert_eq!(d.version_ids_to_stages.as_ref().unwrap()[created.version_id().unwrap()], ["AWSCURRENT"]);
    assert!(secs_from_now(d.created_date().unwrap()).abs() < 120);
    assert!(secs_from_now(d.last_changed_date().unwrap()).abs() < 120);
    assert!(d.deleted_date().is_none());
    assert!(d.rotation_enabled().is_none(), "moto reports rotation only once requested");
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn delete_with_recovery_window_then_restore_then_force_delete() {
    let client = client();
    let name = unique_name("e2e/delete");
    let (arn, _) = create_string(&client, &name, "keep me").await;

    let deleted = client.delete_secret().secret_id(&name).recovery_window_in_days(7).send().await.unwrap();
    assert_eq!(deleted.arn(), Some(arn.as_str()));
    assert_eq!(deleted.name(), Some(name.as_str()));
    let in_days = secs_from_now(deleted.deletion_date().unwrap()) as f64 / 86_400.0;
    assert!((6.9..7.1).contains(&in_days), "deletion in {in_days} days");

    // While scheduled for deletion the value cannot be read.
    let err = client.get_secret_value().secret_id(&name).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_request_exception()), "{err}");
    let d = client.describe_secret().secret_id(&name).send().await.unwrap();
    assert!(d.deleted_date().is_some());

    let restored = client.restore_secret().secret_id(&name).send().await.unwrap();
    assert_eq!(restored.arn(), Some(arn.as_str()));
    assert_eq!(restored.name(), Some(name.as_str()));
    let got = client.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(got.secret_string().unwrap().expose_secret(), "keep me");
    assert!(client.describe_secret().secret_id(&name).send().await.unwrap().deleted_date().is_none());

    // Force delete: gone at once.
    let forced = client.delete_secret().secret_id(&name).force_delete_without_recovery(true).send().await.unwrap();
    assert!(secs_from_now(forced.deletion_date().unwrap()).abs() < 120);
    let err = client.describe_secret().secret_id(&name).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err}");
    let err = client.restore_secret().secret_id(&name).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err}");

    // Invalid windows are typed InvalidParameterException.
    let name2 = unique_name("e2e/delete2");
    create_string(&client, &name2, "x").await;
    let err = client.delete_secret().secret_id(&name2).recovery_window_in_days(3).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_parameter_exception()), "{err}");
    let err = client.delete_secret().secret_id(&name2).recovery_window_in_days(7).force_delete_without_recovery(true).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_parameter_exception()), "{err}");
    force_delete(&client, &name2).await;
}

#[tokio::test]
async fn tags_are_added_replaced_and_removed() {
    let client = client();
    let name = unique_name("e2e/tags");
    let (arn, _) = create_string(&client, &name, "x").await;
    let tags_of = |id: String| {
        let client = client.clone();
        async move {
            let d = client.describe_secret().secret_id(id).send().await.unwrap();
            d.tags().iter().map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string())).collect::<BTreeSet<_>>()
        }
    };
    assert!(tags_of(name.clone()).await.is_empty());
    client.tag_resource().secret_id(&arn).tags(tag("team", "a")).tags(tag("cost-centre", "42")).send().await.unwrap();
    assert_eq!(tags_of(name.clone()).await, BTreeSet::from([("cost-centre".into(), "42".into()), ("team".into(), "a".into())]));
    // Re-tagging a key replaces its value.
    client.tag_resource().secret_id(&name).tags(tag("team", "b")).send().await.unwrap();
    client.untag_resource().secret_id(&name).tag_keys("cost-centre").tag_keys("not-there").send().await.unwrap();
    assert_eq!(tags_of(arn.clone()).await, BTreeSet::from([("team".into(), "b".into())]));

    let err = client.tag_resource().secret_id(unique_name("e2e/missing")).tags(tag("k", "v")).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err}");
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn resource_policies_are_put_read_and_deleted() {
    let client = client();
    let name = unique_name("e2e/policy");
    let (arn, _) = create_string(&client, &name, "x").await;
    let policy = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"arn:aws:iam::123456789012:role/reader\"}},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"{arn}\"}}]}}"
    );
    let empty = client.get_resource_policy().secret_id(&name).send().await.unwrap();
    assert!(empty.resource_policy().is_none());
    let put = client.put_resource_policy().secret_id(&name).resource_policy(&policy).block_public_policy(true).send().await.unwrap();
    assert_eq!(put.arn(), Some(arn.as_str()));
    assert_eq!(put.name(), Some(name.as_str()));
    let got = client.get_resource_policy().secret_id(&name).send().await.unwrap();
    assert_eq!(got.resource_policy(), Some(policy.as_str()));
    assert_eq!(got.arn(), Some(arn.as_str()));
    let del = client.delete_resource_policy().secret_id(&name).send().await.unwrap();
    assert_eq!(del.name(), Some(name.as_str()));
    assert!(client.get_resource_policy().secret_id(&name).send().await.unwrap().resource_policy().is_none());
    let err = client.delete_resource_policy().secret_id(unique_name("e2e/missing")).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err}");
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn random_passwords_honour_length_and_exclusions() {
    let client = client();
    let out = client
        .get_random_password()
        .password_length(50)
        .exclude_characters("aeiouAEIOU01")
        .exclude_punctuation(true)
        .send()
        .await
        .unwrap();
    let pw = out.random_password().unwrap().expose_secret().to_string();
    assert_eq!(pw.chars().count(), 50);
    assert!(pw.chars().all(|c| c.is_ascii_alphanumeric() && !"aeiouAEIOU01".contains(c)), "{pw}");
    // RequireEachIncludedType (moto's default is true too): lower, upper and digit all present.
    assert!(pw.chars().any(|c| c.is_ascii_lowercase()) && pw.chars().any(|c| c.is_ascii_uppercase()) && pw.chars().any(|c| c.is_ascii_digit()), "{pw}");

    let digits = client
        .get_random_password()
        .password_length(12)
        .exclude_lowercase(true)
        .exclude_uppercase(true)
        .exclude_punctuation(true)
        .require_each_included_type(true)
        .send()
        .await
        .unwrap();
    let d = digits.random_password().unwrap().expose_secret().to_string();
    assert_eq!(d.len(), 12);
    assert!(d.chars().all(|c| c.is_ascii_digit()), "{d}");

    let spaced = client.get_random_password().password_length(4096).include_space(true).send().await.unwrap();
    let s = spaced.random_password().unwrap().expose_secret().to_string();
    assert_eq!(s.len(), 4096);
    assert!(s.contains(' ') && s.chars().any(|c| c.is_ascii_punctuation()));

    // Not in Debug output.
    assert!(!format!("{spaced:?}").contains(&s[..32]));

    let err = client.get_random_password().password_length(3).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_parameter_exception()), "{err}");
}

#[tokio::test]
async fn secrets_replicate_to_regions_and_back() {
    let client = client();
    let name = unique_name("e2e/replica");
    // CreateSecret can add a replica right away.
    let created = client
        .create_secret()
        .name(&name)
        .secret_string("replicated")
        .add_replica_regions(ReplicaRegionType::builder().region("eu-west-1").build())
        .send()
        .await
        .unwrap();
    let status = created.replication_status();
    assert_eq!(status.len(), 1);
    assert_eq!(status[0].region(), Some("eu-west-1"));
    assert_eq!(status[0].status(), Some(&StatusType::InSync));

    let out = client
        .replicate_secret_to_regions()
        .secret_id(&name)
        .add_replica_regions(ReplicaRegionType::builder().region("ap-southeast-2").kms_key_id("alias/replica-key").build())
        .force_overwrite_replica_secret(true)
        .send()
        .await
        .unwrap();
    let regions: BTreeSet<_> = out.replication_status().iter().map(|r| r.region().unwrap().to_string()).collect();
    assert_eq!(regions, BTreeSet::from(["ap-southeast-2".to_string(), "eu-west-1".to_string()]));
    assert!(out.replication_status().iter().all(|r| r.status() == Some(&StatusType::InSync) && r.status_message().is_some()));

    // The replica is visible in its own region (a client signing for eu-west-1), with the primary region.
    let eu = client_in("eu-west-1");
    let listed = eu.list_secrets().filters(filter(FilterNameStringType::Name, &name)).send().await.unwrap();
    assert_eq!(listed.secret_list().len(), 1);
    let replica = &listed.secret_list()[0];
    assert_eq!(replica.primary_region(), Some("us-east-1"));
    assert!(replica.arn().unwrap().contains(":eu-west-1:"), "{:?}", replica.arn());
    let described = client.describe_secret().secret_id(&name).send().await.unwrap();
    assert_eq!(described.replication_status().len(), 2);

    // Replicating to the primary's own region is refused.
    let err = client
        .replicate_secret_to_regions()
        .secret_id(&name)
        .add_replica_regions(ReplicaRegionType::builder().region("us-east-1").build())
        .send()
        .await
        .unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_parameter_exception()), "{err}");

    let removed = client.remove_regions_from_replication().secret_id(&name).remove_replica_regions("eu-west-1").send().await.unwrap();
    assert_eq!(removed.replication_status().len(), 1);
    assert_eq!(removed.replication_status()[0].region(), Some("ap-southeast-2"));
    let gone = eu.list_secrets().filters(filter(FilterNameStringType::Name, &name)).send().await.unwrap();
    assert!(gone.secret_list().is_empty());

    // A secret with replicas cannot be deleted; without them it can.
    let err = client.delete_secret().secret_id(&name).force_delete_without_recovery(true).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_parameter_exception()), "{err}");
    let removed = client.remove_regions_from_replication().secret_id(&name).remove_replica_regions("ap-southeast-2").send().await.unwrap();
    assert!(removed.replication_status().is_empty());
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn rotation_is_scheduled_and_cancelled() {
    let (client, rec) = recording_client();
    let name = unique_name("e2e/rotate");
    let (_, v1) = create_string(&client, &name, "before rotation").await;

    // Rotation rules without a Lambda: moto accepts this and starts a new version right away.
    let rotated = client
        .rotate_secret()
        .secret_id(&name)
        .rotation_rules(RotationRulesType::builder().automatically_after_days(30).build())
        .send()
        .await
        .unwrap();
    let new_version = rotated.version_id().unwrap().to_string();
    assert!(is_uuid_v4(&new_version));
    assert_ne!(new_version, v1);
    let sent = rec.sent();
    let body = Document::parse(&sent.last().unwrap().body).unwrap();
    assert_eq!(body.get("ClientRequestToken").and_then(Document::as_str), Some(new_version.as_str()), "auto-filled token");
    assert_eq!(body.get("RotationRules").and_then(|r| r.get("AutomaticallyAfterDays")).and_then(|n| n.as_number()).and_then(|n| n.to_i64()), Some(30));

    let d = client.describe_secret().secret_id(&name).send().await.unwrap();
    assert_eq!(d.rotation_enabled(), Some(true));
    assert_eq!(d.rotation_rules().and_then(|r| r.automatically_after_days()), Some(30));
    let next_in_days = secs_from_now(d.next_rotation_date().unwrap()) / 86_400;
    assert!((29..=30).contains(&next_in_days), "{next_in_days}");
    assert!(secs_from_now(d.last_rotated_date().unwrap()).abs() < 120);
    let stages = stages_by_version(&client, &name).await;
    assert_eq!(stages[&v1], ["AWSPREVIOUS"]);
    assert_eq!(stages[&new_version], ["AWSCURRENT"]);

    // moto refuses to cancel a rotation that has no Lambda (as AWS documents).
    let err = client.cancel_rotate_secret().secret_id(&name).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_request_exception()), "{err}");

    // With a Lambda ARN moto records it, then looks the function up; there is none (moto would
    // need Docker to run one), so the typed ResourceNotFoundException comes back.
    let lambda = "arn:aws:lambda:us-east-1:123456789012:function:e2e-rotator";
    let err = client.rotate_secret().secret_id(&name).rotation_lambda_arn(lambda).rotate_immediately(false).send().await.unwrap_err();
    let e = err.as_service_error().unwrap_or_else(|| panic!("{err}"));
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    assert!(e.message().unwrap_or_default().contains(lambda));

    // Now that a rotation Lambda is configured, cancelling works and turns rotation off.
    let cancelled = client.cancel_rotate_secret().secret_id(&name).send().await.unwrap();
    assert_eq!(cancelled.name(), Some(name.as_str()));
    assert!(cancelled.arn().unwrap().contains(&name));
    let d = client.describe_secret().secret_id(&name).send().await.unwrap();
    assert_eq!(d.rotation_enabled(), Some(false));
    assert_eq!(d.rotation_lambda_arn(), Some(lambda));
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn batch_get_secret_value_by_ids_and_by_filter() {
    let client = client();
    let prefix = unique_name("e2e/batch");
    let mut names = Vec::new();
    for i in 0..5 {
        let name = format!("{prefix}/s{i}");
        if i == 4 {
            client.create_secret().name(&name).secret_binary(vec![0u8, 0xff, i]).send().await.unwrap();
        } else {
            create_string(&client, &name, &format!("secret-{i}")).await;
        }
        names.push(name);
    }
    let missing = format!("{prefix}/missing");
    let out = client
        .batch_get_secret_value()
        .secret_id_list(&names[0])
        .secret_id_list(&names[4])
        .secret_id_list(&missing)
        .send()
        .await
        .unwrap();
    let values = out.secret_values();
    assert_eq!(values.len(), 2);
    assert_eq!(values[0].name(), Some(names[0].as_str()));
    assert_eq!(values[0].secret_string().unwrap().expose_secret(), "secret-0");
    assert_eq!(values[0].version_stages(), ["AWSCURRENT"]);
    assert_eq!(values[1].secret_binary().unwrap().expose_secret(), &[0u8, 0xff, 4]);
    let errors = out.errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].secret_id(), Some(missing.as_str()));
    assert_eq!(errors[0].error_code(), Some("ResourceNotFoundException"));
    assert!(out.next_token().is_none());

    // By filter, two per page.
    let mut seen = BTreeSet::new();
    let mut token = None;
    let mut pages = 0;
    loop {
        let page = client
            .batch_get_secret_value()
            .filters(filter(FilterNameStringType::Name, &prefix))
            .max_results(2)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        pages += 1;
        assert!(page.secret_values().len() <= 2);
        for v in page.secret_values() {
            let value = match (v.secret_string(), v.secret_binary()) {
                (Some(s), None) => s.expose_secret().to_string(),
                (None, Some(b)) => format!("{:?}", b.expose_secret()),
                other => panic!("unexpected value shape {other:?}"),
            };
            seen.insert((v.name().unwrap().to_string(), value));
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() || pages > 5 {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5);
    assert!(seen.contains(&(names[2].clone(), "secret-2".to_string())));

    // SecretIdList and Filters together are refused.
    let err = client.batch_get_secret_value().secret_id_list(&names[0]).filters(filter(FilterNameStringType::Name, &prefix)).send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_invalid_parameter_exception()), "{err}");
    for name in &names {
        force_delete(&client, name).await;
    }
}

#[tokio::test]
async fn update_secret_changes_value_and_description() {
    let client = client();
    let name = unique_name("e2e/update");
    let (_, v1) = create_string(&client, &name, "original").await;

    // Metadata only: no new version.
    let meta = client.update_secret().secret_id(&name).description("now described").send().await.unwrap();
    assert_eq!(meta.name(), Some(name.as_str()));
    assert!(meta.version_id().is_none(), "no value, no version: {:?}", meta.version_id());
    assert_eq!(client.describe_secret().secret_id(&name).send().await.unwrap().description(), Some("now described"));

    // A new value with an explicit token: that token is the new version.
    let token = "e2e00000-0000-4000-8000-0000000000aa";
    let updated = client.update_secret().secret_id(&name).secret_binary(vec![1u8, 2, 3]).client_request_token(token).send().await.unwrap();
    assert_eq!(updated.version_id(), Some(token));
    let cur = client.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(cur.secret_binary().unwrap().expose_secret(), &[1u8, 2, 3]);
    let prev = client.get_secret_value().secret_id(&name).version_id(&v1).send().await.unwrap();
    assert_eq!(prev.secret_string().unwrap().expose_secret(), "original");
    assert_eq!(prev.version_stages(), ["AWSPREVIOUS"]);

    // A fresh token is generated when none is given.
    let auto = client.update_secret().secret_id(&name).secret_string("third").send().await.unwrap();
    assert!(is_uuid_v4(auto.version_id().unwrap()));

    let err = client.update_secret().secret_id(unique_name("e2e/missing")).secret_string("x").send().await.unwrap_err();
    assert!(err.as_service_error().is_some_and(|e| e.is_resource_not_found_exception()), "{err}");
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn list_secret_version_ids_lists_every_version() {
    let client = client();
    let name = unique_name("e2e/versions");
    let (_, v1) = create_string(&client, &name, "1").await;
    let v2 = client.put_secret_value().secret_id(&name).secret_string("2").send().await.unwrap().version_id().unwrap().to_string();
    let v3 = client.put_secret_value().secret_id(&name).secret_string("3").send().await.unwrap().version_id().unwrap().to_string();
    let out = client.list_secret_version_ids().secret_id(&name).include_deprecated(true).max_results(10).send().await.unwrap();
    assert_eq!(out.name(), Some(name.as_str()));
    let ids: BTreeSet<_> = out.versions().iter().map(|v| v.version_id().unwrap().to_string()).collect();
    assert!(ids.contains(&v2) && ids.contains(&v3));
    let stages = stages_by_version(&client, &name).await;
    assert_eq!(stages[&v3], ["AWSCURRENT"]);
    assert_eq!(stages[&v2], ["AWSPREVIOUS"]);
    // AWS keeps a version without labels as deprecated; moto keeps it with no stages.
    assert!(stages.get(&v1).is_none_or(|s| s.is_empty()), "{stages:?}");
    assert!(out.versions().iter().all(|v| v.created_date().is_some()));
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn missing_secrets_give_typed_resource_not_found() {
    let client = client();
    let name = unique_name("e2e/absent");
    let err = client.get_secret_value().secret_id(&name).send().await.unwrap_err();
    match &err {
        SdkError::Service(service) => {
            assert!(service.err().is_resource_not_found_exception(), "{:?}", service.err());
            // moto answers 404 here; AWS answers 400. The status is reported as received.
            assert_eq!(service.status(), 404);
        }
        other => panic!("expected a service error, got {other:?}"),
    }
    let e = err.as_service_error().unwrap();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(e.message(), Some("Secrets Manager can't find the specified secret."));
    let request_id = e.request_id().unwrap().to_string();
    assert!(request_id.len() >= 16, "{request_id}");
    assert_eq!(err.request_id(), Some(request_id.as_str()));
    let shown = err.to_string();
    assert!(shown.contains("ResourceNotFoundException"), "Display says what happened: {shown}");
    // Request ids are per request.
    let again = client.describe_secret().secret_id(&name).send().await.unwrap_err();
    assert!(again.as_service_error().unwrap().is_resource_not_found_exception());
    assert_ne!(again.request_id(), Some(request_id.as_str()));
    assert!(client.list_secret_version_ids().secret_id(&name).send().await.is_err());
    let err = client.put_secret_value().secret_id(&name).secret_string("x").send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_resource_not_found_exception());
}

#[tokio::test]
async fn duplicate_names_give_typed_resource_exists() {
    let client = client();
    let name = unique_name("e2e/dup");
    create_string(&client, &name, "first").await;
    let err = client.create_secret().name(&name).secret_string("second").send().await.unwrap_err();
    let e = err.as_service_error().unwrap_or_else(|| panic!("{err}"));
    assert!(e.is_resource_exists_exception(), "{e:?}");
    assert_eq!(err.status(), Some(400));
    assert!(!e.request_id().unwrap_or_default().is_empty());
    assert!(e.to_string().contains("ResourceExistsException"));
    let got = client.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(got.secret_string().unwrap().expose_secret(), "first");
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn missing_required_member_fails_before_sending() {
    let (client, rec) = recording_client();
    let err = client.get_secret_value().send().await.unwrap_err();
    match &err {
        SdkError::Construction(b) => assert_eq!(b.field(), Some("secret_id")),
        other => panic!("expected a construction error, got {other:?}"),
    }
    assert!(err.to_string().contains("secret_id"));
    assert!(rec.sent().is_empty(), "nothing may be sent");
}

#[tokio::test]
async fn whole_input_structs_can_be_sent() {
    use secretsmanager::operation::create_secret::CreateSecretInput;
    use secretsmanager::operation::get_secret_value::GetSecretValueInput;
    let client = client();
    let name = unique_name("e2e/sendwith");
    let created = CreateSecretInput::builder().name(&name).secret_string("via input").build().unwrap().send_with(&client).await.unwrap();
    assert!(is_uuid_v4(created.version_id().unwrap()));
    let got = GetSecretValueInput::builder().secret_id(&name).build().unwrap().send_with(&client).await.unwrap();
    assert_eq!(got.secret_string().unwrap().expose_secret(), "via input");
    force_delete(&client, &name).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_serves_concurrent_tasks() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>(_: &T) {}
    let client = client();
    assert_send_sync(&client);
    let prefix = unique_name("e2e/concurrent");
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let client = client.clone();
            let name = format!("{prefix}/{i}");
            tokio::spawn(async move {
                client.create_secret().name(&name).secret_string(format!("v{i}")).send().await.unwrap();
                let got = client.get_secret_value().secret_id(&name).send().await.unwrap();
                assert_eq!(got.secret_string().unwrap().expose_secret(), format!("v{i}"));
                client.delete_secret().secret_id(&name).force_delete_without_recovery(true).send().await.unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}

/// A temporary home directory with optional `.aws/config` and `.aws/credentials`; removed on drop.
struct TempHome(std::path::PathBuf);

impl TempHome {
    fn new(config: Option<&str>, credentials: Option<&str>) -> TempHome {
        let dir = std::env::temp_dir().join(unique_name("e2e-home").replace('/', "_"));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        if let Some(text) = config {
            std::fs::write(dir.join(".aws").join("config"), text).unwrap();
        }
        if let Some(text) = credentials {
            std::fs::write(dir.join(".aws").join("credentials"), text).unwrap();
        }
        TempHome(dir)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Creates a secret through `client`, then reads it back through an explicitly configured moto
/// client in `region`: proof the first client talked to moto, in that region.
async fn assert_reaches_moto(client: &Client, region: &str) {
    let name = unique_name("e2e/env");
    let created = client.create_secret().name(&name).secret_string("configured from the environment").send().await.unwrap();
    let arn = created.arn().unwrap();
    assert!(arn.starts_with(&format!("arn:aws:secretsmanager:{region}:")), "{arn}");
    let direct = client_in(region);
    let got = direct.get_secret_value().secret_id(&name).send().await.unwrap();
    assert_eq!(got.secret_string().unwrap().expose_secret(), "configured from the environment");
    force_delete(&direct, &name).await;
}

#[tokio::test]
async fn env_service_specific_endpoint_variable_reaches_moto() {
    let home = TempHome::new(None, None);
    let env = Env::from_pairs([
        ("HOME", home.path()),
        ("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "secret-from-environment".to_string()),
        ("AWS_REGION", "eu-north-1".to_string()),
        ("AWS_MAX_ATTEMPTS", "1".to_string()),
        // The global variable points at a closed port: the service-specific one must win.
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1".to_string()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto().endpoint_url()),
    ]);
    let config = Config::loader().env(env).load().await.unwrap();
    assert_eq!(config.region(), Some("eu-north-1"));
    assert_eq!(config.endpoint_url_for("Secrets Manager").as_deref(), Some(moto().endpoint_url().as_str()));
    assert_reaches_moto(&Client::new(&config), "eu-north-1").await;
}

#[tokio::test]
async fn profile_endpoint_url_and_credentials_reach_moto() {
    let config_file = format!(
        "[default]\nregion = us-west-1\nendpoint_url = http://127.0.0.1:1\n\n[profile e2e]\nregion = ap-northeast-1\nendpoint_url = {}\n",
        moto().endpoint_url()
    );
    let credentials = "[e2e]\naws_access_key_id = AKIDFROMPROFILE00001\naws_secret_access_key = secret-from-profile\n";
    let home = TempHome::new(Some(&config_file), Some(credentials));
    let env = Env::from_pairs([("HOME", home.path()), ("AWS_PROFILE", "e2e".to_string()), ("AWS_MAX_ATTEMPTS", "1".to_string())]);
    let config = Config::loader().env(env).load().await.unwrap();
    assert_eq!(config.region(), Some("ap-northeast-1"));
    assert_eq!(config.endpoint_url(), Some(moto().endpoint_url().as_str()));
    assert_reaches_moto(&Client::new(&config), "ap-northeast-1").await;
}

#[tokio::test]
async fn profile_services_section_endpoint_wins_over_the_global_one() {
    let config_file = format!(
        "[default]\nregion = ca-central-1\nendpoint_url = http://127.0.0.1:1\nservices = local-moto\n\n[services local-moto]\nsecrets_manager =\n  endpoint_url = {}\n",
        moto().endpoint_url()
    );
    let home = TempHome::new(Some(&config_file), None);
    let env = Env::from_pairs([
        ("HOME", home.path()),
        ("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT2".to_string()),
        ("AWS_SECRET_ACCESS_KEY", "secret-from-environment".to_string()),
        ("AWS_MAX_ATTEMPTS", "1".to_string()),
    ]);
    let config = Config::loader().env(env).load().await.unwrap();
    assert_eq!(config.region(), Some("ca-central-1"));
    assert_reaches_moto(&Client::new(&config), "ca-central-1").await;
}
