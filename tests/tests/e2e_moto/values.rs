//! Secret values: string and binary round trips, versions and stages, idempotency tokens, UpdateSecret, ListSecretVersionIds, sending whole input structs.

use super::*;

#[tokio::test]
async fn string_secret_round_trips_and_the_token_is_a_fresh_uuid_v4() {
    let (client, rec) = recording_client();
    let name = unique_name("e2e/string");
    let value =
        "{\"username\":\"admin\",\"password\":\"p@ss\\\"w0rd\\n\u{e9}\u{1F511}\"}\n\ttrailing";
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
    assert!(
        arn.starts_with(&format!(
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-"
        )),
        "{arn}"
    );

    // The token moto used as VersionId is the one the client generated and sent.
    let sent = rec.sent();
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].header("x-amz-target"),
        Some("secretsmanager.CreateSecret")
    );
    let body = Document::parse(&sent[0].body).unwrap();
    assert_eq!(
        body.get("ClientRequestToken").and_then(Document::as_str),
        Some(version.as_str())
    );

    let got = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(got.secret_string().map(|s| s.expose_secret()), Some(value));
    assert!(got.secret_binary().is_none());
    assert_eq!(got.version_id(), Some(version.as_str()));
    assert_eq!(got.version_stages(), ["AWSCURRENT"]);
    assert_eq!(got.arn(), Some(arn));
    assert!(secs_from_now(got.created_date().unwrap()).abs() < 120);
    // The value never shows in Debug output.
    assert!(!format!("{got:?}").contains("p@ss"));

    // A second create gets a different token.
    let other = client
        .create_secret()
        .name(unique_name("e2e/string2"))
        .secret_string("x")
        .send()
        .await
        .unwrap();
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
    bytes.extend_from_slice(&[
        0xff, 0xfe, 0x00, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1, 0xf0, 0x90, 0x28, 0xbc, 0x80,
    ]);
    let name = unique_name("e2e/binary");
    client
        .create_secret()
        .name(&name)
        .secret_binary(bytes.clone())
        .send()
        .await
        .unwrap();
    let got = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.secret_binary().map(|b| b.expose_secret()),
        Some(bytes.as_slice())
    );
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
    let put = client
        .put_secret_value()
        .secret_id(&name)
        .secret_binary(large.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.version_stages(), ["AWSCURRENT"]);
    let got = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.secret_binary().unwrap().expose_secret().len(),
        large.len()
    );
    assert!(
        got.secret_binary().unwrap().expose_secret() == large.as_slice(),
        "large binary secret differs"
    );
    // The earlier version is still readable, unchanged.
    let prev = client
        .get_secret_value()
        .secret_id(&name)
        .version_stage("AWSPREVIOUS")
        .send()
        .await
        .unwrap();
    assert_eq!(
        prev.secret_binary().unwrap().expose_secret(),
        bytes.as_slice()
    );

    // A large string value with multi-byte characters and JSON escapes.
    let big_string: String = (0..8_000)
        .map(|i| ['a', '\u{e9}', '"', '\\', '\n', '\u{1F600}', '<', '\u{0001}'][i % 8])
        .collect();
    let name2 = unique_name("e2e/bigstring");
    create_string(&client, &name2, &big_string).await;
    let got = client
        .get_secret_value()
        .secret_id(&name2)
        .send()
        .await
        .unwrap();
    assert!(
        got.secret_string().unwrap().expose_secret() == big_string,
        "large string secret differs"
    );
    force_delete(&client, &name).await;
    force_delete(&client, &name2).await;
}

#[tokio::test]
async fn put_secret_value_is_idempotent_per_client_request_token() {
    let client = client();
    let name = unique_name("e2e/idem");
    let (_, v1) = create_string(&client, &name, "one").await;
    let token = "e2e00000-0000-4000-8000-000000000002";
    let first = client
        .put_secret_value()
        .secret_id(&name)
        .client_request_token(token)
        .secret_string("two")
        .send()
        .await
        .unwrap();
    assert_eq!(first.version_id(), Some(token));
    assert_eq!(first.version_stages(), ["AWSCURRENT"]);
    assert_eq!(first.name(), Some(name.as_str()));

    // Same token, same data: succeeds and creates nothing new.
    let again = client
        .put_secret_value()
        .secret_id(&name)
        .client_request_token(token)
        .secret_string("two")
        .send()
        .await
        .unwrap();
    assert_eq!(again.version_id(), Some(token));
    assert_eq!(stages_by_version(&client, &name).await.len(), 2);

    // Same token, different data: the typed ResourceExistsException.
    let err = client
        .put_secret_value()
        .secret_id(&name)
        .client_request_token(token)
        .secret_string("changed")
        .send()
        .await
        .unwrap_err();
    let service = err
        .as_service_error()
        .unwrap_or_else(|| panic!("expected a service error, got {err}"));
    assert!(service.is_resource_exists_exception(), "{service:?}");
    assert_eq!(err.code(), Some("ResourceExistsException"));
    assert_eq!(err.status(), Some(400));
    assert!(
        err.message().unwrap().contains(token),
        "{:?}",
        err.message()
    );
    assert!(!err.request_id().unwrap_or_default().is_empty());

    // The stored value did not change; the first version became AWSPREVIOUS.
    let current = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(current.secret_string().unwrap().expose_secret(), "two");
    let stages = stages_by_version(&client, &name).await;
    assert_eq!(stages[&v1], ["AWSPREVIOUS"]);
    assert_eq!(stages[token], ["AWSCURRENT"]);

    // Without a token the client fills a new one each call: two distinct versions.
    let a = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string("three")
        .send()
        .await
        .unwrap();
    let b = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string("three")
        .send()
        .await
        .unwrap();
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
    let pending = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string("v2")
        .version_stages("AWSPENDING")
        .send()
        .await
        .unwrap();
    let v2 = pending.version_id().unwrap().to_string();
    assert_eq!(pending.version_stages(), ["AWSPENDING"]);
    assert_eq!(
        client
            .get_secret_value()
            .secret_id(&name)
            .send()
            .await
            .unwrap()
            .secret_string()
            .unwrap()
            .expose_secret(),
        "v1"
    );
    let by_stage = client
        .get_secret_value()
        .secret_id(&name)
        .version_stage("AWSPENDING")
        .send()
        .await
        .unwrap();
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
    let current = client
        .get_secret_value()
        .secret_id(&name)
        .version_stage("AWSCURRENT")
        .send()
        .await
        .unwrap();
    assert_eq!(current.secret_string().unwrap().expose_secret(), "v2");
    assert_eq!(current.version_id(), Some(v2.as_str()));

    // A custom label attached, then removed.
    client
        .update_secret_version_stage()
        .secret_id(&name)
        .version_stage("BLUE")
        .move_to_version_id(&v1)
        .send()
        .await
        .unwrap();
    let blue = client
        .get_secret_value()
        .secret_id(&name)
        .version_stage("BLUE")
        .send()
        .await
        .unwrap();
    assert_eq!(blue.secret_string().unwrap().expose_secret(), "v1");
    client
        .update_secret_version_stage()
        .secret_id(&name)
        .version_stage("BLUE")
        .remove_from_version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        stages_by_version(&client, &name).await[&v1],
        ["AWSPREVIOUS"]
    );

    // DescribeSecret agrees with ListSecretVersionIds.
    let described = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    let map = described.version_ids_to_stages.as_ref().unwrap();
    assert_eq!(map[&v1], ["AWSPREVIOUS"]);
    assert!(map[&v2].contains(&"AWSCURRENT".to_string()));

    // Moving AWSCURRENT without saying where from is refused (typed).
    let err = client
        .update_secret_version_stage()
        .secret_id(&name)
        .version_stage("AWSCURRENT")
        .move_to_version_id(&v1)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err}"
    );
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn update_secret_changes_value_and_description() {
    let client = client();
    let name = unique_name("e2e/update");
    let (_, v1) = create_string(&client, &name, "original").await;

    // Metadata only: no new version.
    let meta = client
        .update_secret()
        .secret_id(&name)
        .description("now described")
        .send()
        .await
        .unwrap();
    assert_eq!(meta.name(), Some(name.as_str()));
    assert!(
        meta.version_id().is_none(),
        "no value, no version: {:?}",
        meta.version_id()
    );
    assert_eq!(
        client
            .describe_secret()
            .secret_id(&name)
            .send()
            .await
            .unwrap()
            .description(),
        Some("now described")
    );

    // A new value with an explicit token: that token is the new version.
    let token = "e2e00000-0000-4000-8000-0000000000aa";
    let updated = client
        .update_secret()
        .secret_id(&name)
        .secret_binary(vec![1u8, 2, 3])
        .client_request_token(token)
        .send()
        .await
        .unwrap();
    assert_eq!(updated.version_id(), Some(token));
    let cur = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(cur.secret_binary().unwrap().expose_secret(), &[1u8, 2, 3]);
    let prev = client
        .get_secret_value()
        .secret_id(&name)
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    assert_eq!(prev.secret_string().unwrap().expose_secret(), "original");
    assert_eq!(prev.version_stages(), ["AWSPREVIOUS"]);

    // A fresh token is generated when none is given.
    let auto = client
        .update_secret()
        .secret_id(&name)
        .secret_string("third")
        .send()
        .await
        .unwrap();
    assert!(is_uuid_v4(auto.version_id().unwrap()));

    let err = client
        .update_secret()
        .secret_id(unique_name("e2e/missing"))
        .secret_string("x")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err}"
    );
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn list_secret_version_ids_lists_every_version() {
    let client = client();
    let name = unique_name("e2e/versions");
    let (_, v1) = create_string(&client, &name, "1").await;
    let v2 = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string("2")
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_string();
    let v3 = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string("3")
        .send()
        .await
        .unwrap()
        .version_id()
        .unwrap()
        .to_string();
    let out = client
        .list_secret_version_ids()
        .secret_id(&name)
        .include_deprecated(true)
        .max_results(10)
        .send()
        .await
        .unwrap();
    assert_eq!(out.name(), Some(name.as_str()));
    let ids: BTreeSet<_> = out
        .versions()
        .iter()
        .map(|v| v.version_id().unwrap().to_string())
        .collect();
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
async fn whole_input_structs_can_be_sent() {
    use secretsmanager::operation::create_secret::CreateSecretInput;
    use secretsmanager::operation::get_secret_value::GetSecretValueInput;
    let client = client();
    let name = unique_name("e2e/sendwith");
    let created = CreateSecretInput::builder()
        .name(&name)
        .secret_string("via input")
        .build()
        .unwrap()
        .send_with(&client)
        .await
        .unwrap();
    assert!(is_uuid_v4(created.version_id().unwrap()));
    let got = GetSecretValueInput::builder()
        .secret_id(&name)
        .build()
        .unwrap()
        .send_with(&client)
        .await
        .unwrap();
    assert_eq!(got.secret_string().unwrap().expose_secret(), "via input");
    force_delete(&client, &name).await;
}
