//! Finding and managing secrets: ListSecrets filters and paging, DescribeSecret, delete and restore, tags, resource policies, BatchGetSecretValue.

use super::*;

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
            assert!(s
                .secret_versions_to_stages
                .as_ref()
                .is_some_and(|m| m.len() == 1));
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
            let out = client
                .list_secrets()
                .set_filters(Some(filters))
                .send()
                .await
                .unwrap();
            out.secret_list()
                .iter()
                .map(|s| s.name().unwrap().to_string())
                .collect::<BTreeSet<_>>()
        }
    };
    // Tag value "red" within our prefix: items 0, 3, 6.
    let red = names_for(vec![
        filter(FilterNameStringType::Name, &prefix),
        filter(FilterNameStringType::TagValue, "red"),
    ])
    .await;
    assert_eq!(red, [0, 3, 6].iter().map(|i| names[*i].clone()).collect());
    // A tag key only one secret has.
    let only4 = names_for(vec![
        filter(FilterNameStringType::Name, &prefix),
        filter(FilterNameStringType::TagKey, "only4"),
    ])
    .await;
    assert_eq!(only4, BTreeSet::from([names[4].clone()]));
    // Description words.
    let number5 = names_for(vec![
        filter(FilterNameStringType::Name, &prefix),
        filter(FilterNameStringType::Description, "5"),
    ])
    .await;
    assert_eq!(number5, BTreeSet::from([names[5].clone()]));

    // A secret scheduled for deletion is hidden unless IncludePlannedDeletion.
    client
        .delete_secret()
        .secret_id(&names[1])
        .recovery_window_in_days(7)
        .send()
        .await
        .unwrap();
    let visible = names_for(vec![filter(FilterNameStringType::Name, &prefix)]).await;
    assert_eq!(visible.len(), 6);
    assert!(!visible.contains(&names[1]));
    let all = client
        .list_secrets()
        .filters(filter(FilterNameStringType::Name, &prefix))
        .include_planned_deletion(true)
        .send()
        .await
        .unwrap();
    let deleted = all
        .secret_list()
        .iter()
        .find(|s| s.name() == Some(names[1].as_str()))
        .unwrap();
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
    let d = client
        .describe_secret()
        .secret_id(created.arn().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(d.name(), Some(name.as_str()));
    assert_eq!(d.arn(), created.arn());
    assert_eq!(d.description(), Some("metadata check"));
    assert_eq!(d.kms_key_id(), Some("alias/e2e-key"));
    assert_eq!(d.tags(), [tag("owner", "platform")]);
    assert_eq!(
        d.version_ids_to_stages.as_ref().unwrap()[created.version_id().unwrap()],
        ["AWSCURRENT"]
    );
    assert!(secs_from_now(d.created_date().unwrap()).abs() < 120);
    assert!(secs_from_now(d.last_changed_date().unwrap()).abs() < 120);
    assert!(d.deleted_date().is_none());
    assert!(
        d.rotation_enabled().is_none(),
        "moto reports rotation only once requested"
    );
    force_delete(&client, &name).await;
}

#[tokio::test]
async fn delete_with_recovery_window_then_restore_then_force_delete() {
    let client = client();
    let name = unique_name("e2e/delete");
    let (arn, _) = create_string(&client, &name, "keep me").await;

    let deleted = client
        .delete_secret()
        .secret_id(&name)
        .recovery_window_in_days(7)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.arn(), Some(arn.as_str()));
    assert_eq!(deleted.name(), Some(name.as_str()));
    let in_days = secs_from_now(deleted.deletion_date().unwrap()) as f64 / 86_400.0;
    assert!((6.9..7.1).contains(&in_days), "deletion in {in_days} days");

    // While scheduled for deletion the value cannot be read.
    let err = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_request_exception()),
        "{err}"
    );
    let d = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert!(d.deleted_date().is_some());

    let restored = client
        .restore_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(restored.arn(), Some(arn.as_str()));
    assert_eq!(restored.name(), Some(name.as_str()));
    let got = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(got.secret_string().unwrap().expose_secret(), "keep me");
    assert!(client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap()
        .deleted_date()
        .is_none());

    // Force delete: gone at once.
    let forced = client
        .delete_secret()
        .secret_id(&name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap();
    assert!(secs_from_now(forced.deletion_date().unwrap()).abs() < 120);
    let err = client
        .describe_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err}"
    );
    let err = client
        .restore_secret()
        .secret_id(&name)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err}"
    );

    // Invalid windows are typed InvalidParameterException.
    let name2 = unique_name("e2e/delete2");
    create_string(&client, &name2, "x").await;
    let err = client
        .delete_secret()
        .secret_id(&name2)
        .recovery_window_in_days(3)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err}"
    );
    let err = client
        .delete_secret()
        .secret_id(&name2)
        .recovery_window_in_days(7)
        .force_delete_without_recovery(true)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err}"
    );
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
            d.tags()
                .iter()
                .map(|t| (t.key().unwrap().to_string(), t.value().unwrap().to_string()))
                .collect::<BTreeSet<_>>()
        }
    };
    assert!(tags_of(name.clone()).await.is_empty());
    client
        .tag_resource()
        .secret_id(&arn)
        .tags(tag("team", "a"))
        .tags(tag("cost-centre", "42"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags_of(name.clone()).await,
        BTreeSet::from([
            ("cost-centre".into(), "42".into()),
            ("team".into(), "a".into())
        ])
    );
    // Re-tagging a key replaces its value.
    client
        .tag_resource()
        .secret_id(&name)
        .tags(tag("team", "b"))
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .secret_id(&name)
        .tag_keys("cost-centre")
        .tag_keys("not-there")
        .send()
        .await
        .unwrap();
    assert_eq!(
        tags_of(arn.clone()).await,
        BTreeSet::from([("team".into(), "b".into())])
    );

    let err = client
        .tag_resource()
        .secret_id(unique_name("e2e/missing"))
        .tags(tag("k", "v"))
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
async fn resource_policies_are_put_read_and_deleted() {
    let client = client();
    let name = unique_name("e2e/policy");
    let (arn, _) = create_string(&client, &name, "x").await;
    let policy = format!(
        "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Principal\":{{\"AWS\":\"arn:aws:iam::123456789012:role/reader\"}},\"Action\":\"secretsmanager:GetSecretValue\",\"Resource\":\"{arn}\"}}]}}"
    );
    let empty = client
        .get_resource_policy()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert!(empty.resource_policy().is_none());
    let put = client
        .put_resource_policy()
        .secret_id(&name)
        .resource_policy(&policy)
        .block_public_policy(true)
        .send()
        .await
        .unwrap();
    assert_eq!(put.arn(), Some(arn.as_str()));
    assert_eq!(put.name(), Some(name.as_str()));
    let got = client
        .get_resource_policy()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(got.resource_policy(), Some(policy.as_str()));
    assert_eq!(got.arn(), Some(arn.as_str()));
    let del = client
        .delete_resource_policy()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(del.name(), Some(name.as_str()));
    assert!(client
        .get_resource_policy()
        .secret_id(&name)
        .send()
        .await
        .unwrap()
        .resource_policy()
        .is_none());
    let err = client
        .delete_resource_policy()
        .secret_id(unique_name("e2e/missing"))
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
async fn batch_get_secret_value_by_ids_and_by_filter() {
    let client = client();
    let prefix = unique_name("e2e/batch");
    let mut names = Vec::new();
    for i in 0..5 {
        let name = format!("{prefix}/s{i}");
        if i == 4 {
            client
                .create_secret()
                .name(&name)
                .secret_binary(vec![0u8, 0xff, i])
                .send()
                .await
                .unwrap();
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
    assert_eq!(
        values[0].secret_string().unwrap().expose_secret(),
        "secret-0"
    );
    assert_eq!(values[0].version_stages(), ["AWSCURRENT"]);
    assert_eq!(
        values[1].secret_binary().unwrap().expose_secret(),
        &[0u8, 0xff, 4]
    );
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
    let err = client
        .batch_get_secret_value()
        .secret_id_list(&names[0])
        .filters(filter(FilterNameStringType::Name, &prefix))
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_parameter_exception()),
        "{err}"
    );
    for name in &names {
        force_delete(&client, name).await;
    }
}
