//! Random passwords, replication, rotation, typed errors, request construction errors and concurrent use of one client.

use super::*;

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
    assert!(
        pw.chars()
            .all(|c| c.is_ascii_alphanumeric() && !"aeiouAEIOU01".contains(c)),
        "{pw}"
    );
    // RequireEachIncludedType (moto's default is true too): lower, upper and digit all present.
    assert!(
        pw.chars().any(|c| c.is_ascii_lowercase())
            && pw.chars().any(|c| c.is_ascii_uppercase())
            && pw.chars().any(|c| c.is_ascii_digit()),
        "{pw}"
    );

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
    let d = digits
        .random_password()
        .unwrap()
        .expose_secret()
        .to_string();
    assert_eq!(d.len(), 12);
    assert!(d.chars().all(|c| c.is_ascii_digit()), "{d}");

    let spaced = client
        .get_random_password()
        .password_length(4096)
        .include_space(true)
        .send()
        .await
        .unwrap();
    let s = spaced
        .random_password()
        .unwrap()
        .expose_secret()
        .to_string();
    assert_eq!(s.len(), 4096);
    assert!(s.contains(' ') && s.chars().any(|c| c.is_ascii_punctuation()));

    // Not in Debug output.
    assert!(!format!("{spaced:?}").contains(&s[..32]));

    let err = client
        .get_random_password()
        .password_length(3)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err}"
    );
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
        .add_replica_regions(
            ReplicaRegionType::builder()
                .region("ap-southeast-2")
                .kms_key_id("alias/replica-key")
                .build(),
        )
        .force_overwrite_replica_secret(true)
        .send()
        .await
        .unwrap();
    let regions: BTreeSet<_> = out
        .replication_status()
        .iter()
        .map(|r| r.region().unwrap().to_string())
        .collect();
    assert_eq!(
        regions,
        BTreeSet::from(["ap-southeast-2".to_string(), "eu-west-1".to_string()])
    );
    assert!(out
        .replication_status()
        .iter()
        .all(|r| r.status() == Some(&StatusType::InSync) && r.status_message().is_some()));

    // The replica is visible in its own region (a client signing for eu-west-1), with the primary region.
    let eu = client_in("eu-west-1");
    let listed = eu
        .list_secrets()
        .filters(filter(FilterNameStringType::Name, &name))
        .send()
        .await
        .unwrap();
    assert_eq!(listed.secret_list().len(), 1);
    let replica = &listed.secret_list()[0];
    assert_eq!(replica.primary_region(), Some("us-east-1"));
    assert!(
        replica.arn().unwrap().contains(":eu-west-1:"),
        "{:?}",
        replica.arn()
    );
    let described = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(described.replication_status().len(), 2);

    // Replicating to the primary's own region is refused.
    let err = client
        .replicate_secret_to_regions()
        .secret_id(&name)
        .add_replica_regions(ReplicaRegionType::builder().region("us-east-1").build())
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err}"
    );

    let removed = client
        .remove_regions_from_replication()
        .secret_id(&name)
        .remove_replica_regions("eu-west-1")
        .send()
        .await
        .unwrap();
    assert_eq!(removed.replication_status().len(), 1);
    assert_eq!(
        removed.replication_status()[0].region(),
        Some("ap-southeast-2")
    );
    let gone = eu
        .list_secrets()
        .filters(filter(FilterNameStringType::Name, &name))
        .send()
        .await
        .unwrap();
    assert!(gone.secret_list().is_empty());

    // A secret with replicas cannot be deleted; without them it can.
    let err = client
        .delete_secret()
        .secret_id(&name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err}"
    );
    let removed = client
        .remove_regions_from_replication()
        .secret_id(&name)
        .remove_replica_regions("ap-southeast-2")
        .send()
        .await
        .unwrap();
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
        .rotation_rules(
            RotationRulesType::builder()
                .automatically_after_days(30)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let new_version = rotated.version_id().unwrap().to_string();
    assert!(is_uuid_v4(&new_version));
    assert_ne!(new_version, v1);
    let sent = rec.sent();
    let body = Document::parse(&sent.last().unwrap().body).unwrap();
    assert_eq!(
        body.get("ClientRequestToken").and_then(Document::as_str),
        Some(new_version.as_str()),
        "auto-filled token"
    );
    assert_eq!(
        body.get("RotationRules")
            .and_then(|r| r.get("AutomaticallyAfterDays"))
            .and_then(|n| n.as_number())
            .and_then(|n| n.to_i64()),
        Some(30)
    );

    let d = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(d.rotation_enabled(), Some(true));
    assert_eq!(
        d.rotation_rules()
            .and_then(|r| r.automatically_after_days()),
        Some(30)
    );
    let next_in_days = secs_from_now(d.next_rotation_date().unwrap()) / 86_400;
    assert!((29..=30).contains(&next_in_days), "{next_in_days}");
    assert!(secs_from_now(d.last_rotated_date().unwrap()).abs() < 120);
    let stages = stages_by_version(&client, &name).await;
    assert_eq!(stages[&v1], ["AWSPREVIOUS"]);
    assert_eq!(stages[&new_version], ["AWSCURRENT"]);

    // moto refuses to cancel a rotation that has no Lambda (as AWS documents).
    let err = client
        .cancel_rotate_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_request_exception()),
        "{err}"
    );

    // With a Lambda ARN moto records it, then looks the function up; there is none (moto would
    // need Docker to run one), so the typed ResourceNotFoundException comes back.
    let lambda = "arn:aws:lambda:us-east-1:123456789012:function:e2e-rotator";
    let err = client
        .rotate_secret()
        .secret_id(&name)
        .rotation_lambda_arn(lambda)
        .rotate_immediately(false)
        .send()
        .await
        .unwrap_err();
    let e = err.as_service_error().unwrap_or_else(|| panic!("{err}"));
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    assert!(e.message().unwrap_or_default().contains(lambda));

    // Now that a rotation Lambda is configured, cancelling works and turns rotation off.
    let cancelled = client
        .cancel_rotate_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(cancelled.name(), Some(name.as_str()));
    assert!(cancelled.arn().unwrap().contains(&name));
    let d = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(d.rotation_enabled(), Some(false));
    assert_eq!(d.rotation_lambda_arn(), Some(lambda));
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn missing_secrets_give_typed_resource_not_found() {
    let client = client();
    let name = unique_name("e2e/absent");
    let err = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap_err();
    match &err {
        SdkError::Service(service) => {
            assert!(
                service.err().is_resource_not_found_exception(),
                "{:?}",
                service.err()
            );
            // moto answers 404 here; AWS answers 400. The status is reported as received.
            assert_eq!(service.status(), 404);
        }
        other => panic!("expected a service error, got {other:?}"),
    }
    let e = err.as_service_error().unwrap();
    assert_eq!(e.code(), Some("ResourceNotFoundException"));
    assert_eq!(
        e.message(),
        Some("Secrets Manager can't find the specified secret.")
    );
    let request_id = e.request_id().unwrap().to_string();
    assert!(request_id.len() >= 16, "{request_id}");
    assert_eq!(err.request_id(), Some(request_id.as_str()));
    let shown = err.to_string();
    assert!(
        shown.contains("ResourceNotFoundException"),
        "Display says what happened: {shown}"
    );
    // Request ids are per request.
    let again = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap_err();
    assert!(again
        .as_service_error()
        .unwrap()
        .is_resource_not_found_exception());
    assert_ne!(again.request_id(), Some(request_id.as_str()));
    assert!(client
        .list_secret_version_ids()
        .secret_id(&name)
        .send()
        .await
        .is_err());
    let err = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string("x")
        .send()
        .await
        .unwrap_err();
    assert!(err
        .as_service_error()
        .unwrap()
        .is_resource_not_found_exception());
}

#[tokio::test]
async fn duplicate_names_give_typed_resource_exists() {
    let client = client();
    let name = unique_name("e2e/dup");
    create_string(&client, &name, "first").await;
    let err = client
        .create_secret()
        .name(&name)
        .secret_string("second")
        .send()
        .await
        .unwrap_err();
    let e = err.as_service_error().unwrap_or_else(|| panic!("{err}"));
    assert!(e.is_resource_exists_exception(), "{e:?}");
    assert_eq!(err.status(), Some(400));
    assert!(!e.request_id().unwrap_or_default().is_empty());
    assert!(e.to_string().contains("ResourceExistsException"));
    let got = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
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
                client
                    .create_secret()
                    .name(&name)
                    .secret_string(format!("v{i}"))
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
                    got.secret_string().unwrap().expose_secret(),
                    format!("v{i}")
                );
                client
                    .delete_secret()
                    .secret_id(&name)
                    .force_delete_without_recovery(true)
                    .send()
                    .await
                    .unwrap();
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
}
