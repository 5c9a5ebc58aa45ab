//! End-to-end tests of generated awsQuery clients against moto (`moto[server]==5.2.5`, started
//! on 127.0.0.1 with port 0 by `integration_tests::moto`, stopped when the process exits), called
//! the way users call them: STS (GetCallerIdentity, AssumeRole with its sensitive secret key),
//! IAM (a user, a policy, paging through users with `Marker`/`MaxItems`, a typed error whose
//! wire code comes from `@awsQueryError`) and SNS (a topic, a subscription, a publish with
//! message attributes, a typed error).
//!
//! All tests of this binary share one moto process and keep apart through unique names.

use integration_tests::moto::{unique_name, MotoServer};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

mod sts_tests {
    use super::*;

    #[tokio::test]
    async fn get_caller_identity_reads_the_wrapped_result() {
        let client = sts::Client::new(&moto().config());
        let out = client.get_caller_identity().send().await.unwrap();
        // moto's default account.
        assert_eq!(out.account(), Some("123456789012"));
        let arn = out.arn().unwrap();
        assert!(arn.starts_with("arn:aws:"), "{arn}");
        assert!(out.user_id().is_some_and(|u| !u.is_empty()));
    }

    #[tokio::test]
    async fn assume_role_returns_credentials_with_a_redacted_secret() {
        let client = sts::Client::new(&moto().config());
        let session = unique_name("session");
        let out = client
            .assume_role()
            .role_arn("arn:aws:iam::123456789012:role/e2e-role")
            .role_session_name(&session)
            .duration_seconds(900)
            .send()
            .await
            .unwrap();
        let creds = out.credentials().expect("AssumeRole returns credentials");
        assert!(!creds.access_key_id().is_empty());
        assert!(!creds.session_token().is_empty());
        let secret = creds.secret_access_key().expose_secret().to_string();
        assert!(!secret.is_empty());
        let debug = format!("{out:?}");
        assert!(
            !debug.contains(&secret),
            "the secret key must not appear in Debug: {debug}"
        );
        // The expiration was read as a date-time, in the future.
        assert!(creds.expiration().secs() > awsrt::types::DateTime::now().secs());
        let user = out.assumed_role_user().unwrap();
        assert!(user.arn().ends_with(&session), "{}", user.arn());
    }
}

mod iam_tests {
    use super::*;

    #[tokio::test]
    async fn users_policies_paging_and_a_typed_error() {
        let client = iam::Client::new(&moto().config());
        let prefix = unique_name("e2e");
        let path = format!("/{prefix}/");
        for i in 0..5 {
            let out = client
                .create_user()
                .user_name(format!("{prefix}-user-{i}"))
                .path(&path)
                .tags(
                    iam::types::Tag::builder()
                        .key("team")
                        .value("sdk")
                        .build()
                        .unwrap(),
                )
                .send()
                .await
                .unwrap();
            let user = out.user().unwrap();
            assert_eq!(user.user_name(), format!("{prefix}-user-{i}"));
            assert_eq!(user.path(), path);
        }

        // Every user under the path, through the paginator (moto answers ListUsers in one page).
        let mut pages = client
            .list_users()
            .path_prefix(&path)
            .into_paginator()
            .send();
        let mut names = Vec::new();
        while let Some(page) = pages.next().await {
            names.extend(
                page.unwrap()
                    .users()
                    .iter()
                    .map(|u| u.user_name().to_string()),
            );
        }
        names.sort();
        let want: Vec<String> = (0..5).map(|i| format!("{prefix}-user-{i}")).collect();
        assert_eq!(names, want);

        // Paging with Marker/MaxItems = 2 over five roles: three pages of 2, 2 and 1.
        let trust = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
        for i in 0..5 {
            client
                .create_role()
                .role_name(format!("{prefix}-role-{i}"))
                .path(&path)
                .assume_role_policy_document(trust)
                .send()
                .await
                .unwrap();
        }
        let mut pages = client
            .list_roles()
            .path_prefix(&path)
            .max_items(2)
            .into_paginator()
            .send();
        let mut roles = Vec::new();
        let mut sizes = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.unwrap();
            sizes.push(page.roles().len());
            roles.extend(page.roles().iter().map(|r| r.role_name().to_string()));
        }
        roles.sort();
        let want: Vec<String> = (0..5).map(|i| format!("{prefix}-role-{i}")).collect();
        assert_eq!(roles, want);
        assert_eq!(sizes, [2, 2, 1], "MaxItems=2 over 5 roles");

        let policy = client
            .create_policy()
            .policy_name(format!("{prefix}-policy"))
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            )
            .description("e2e <policy> & more")
            .send()
            .await
            .unwrap();
        let policy_arn = policy.policy().unwrap().arn().unwrap().to_string();
        client
            .attach_user_policy()
            .user_name(format!("{prefix}-user-0"))
            .policy_arn(&policy_arn)
            .send()
            .await
            .unwrap();
        let attached = client
            .list_attached_user_policies()
            .user_name(format!("{prefix}-user-0"))
            .send()
            .await
            .unwrap();
        let arns: Vec<&str> = attached
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn())
            .collect();
        assert_eq!(arns, [policy_arn.as_str()]);

        // NoSuchEntityException's wire code is `NoSuchEntity` (@awsQueryError).
        let err = client
            .get_user()
            .user_name(format!("{prefix}-missing"))
            .send()
            .await
            .unwrap_err();
        let service = err.as_service_error().expect("a service error");
        assert!(service.is_no_such_entity_exception(), "{err}");
        assert_eq!(service.code(), Some("NoSuchEntity"));
        assert_eq!(service.meta().status, 404);
    }
}

mod sns_tests {
    use super::*;

    #[tokio::test]
    async fn topic_subscribe_publish_and_a_typed_error() {
        let client = sns::Client::new(&moto().config());
        let name = unique_name("topic");
        let topic = client
            .create_topic()
            .name(&name)
            .attributes("DisplayName", "e2e & <topic>")
            .send()
            .await
            .unwrap();
        let topic_arn = topic.topic_arn().unwrap().to_string();
        assert!(topic_arn.ends_with(&name), "{topic_arn}");

        let attrs = client
            .get_topic_attributes()
            .topic_arn(&topic_arn)
            .send()
            .await
            .unwrap();
        let attrs = attrs.attributes().unwrap();
        assert_eq!(
            attrs.get("DisplayName").map(String::as_str),
            Some("e2e & <topic>")
        );

        let sub = client
            .subscribe()
            .topic_arn(&topic_arn)
            .protocol("email")
            .endpoint("e2e@example.com")
            .send()
            .await
            .unwrap();
        assert!(sub.subscription_arn().is_some());
        let subs = client
            .list_subscriptions_by_topic()
            .topic_arn(&topic_arn)
            .send()
            .await
            .unwrap();
        let endpoints: Vec<&str> = subs
            .subscriptions()
            .iter()
            .filter_map(|s| s.endpoint())
            .collect();
        assert_eq!(endpoints, ["e2e@example.com"]);

        let published = client
            .publish()
            .topic_arn(&topic_arn)
            .message("hello from the awsQuery client")
            .subject("e2e")
            .message_attributes(
                "kind",
                sns::types::MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("greeting")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert!(published.message_id().is_some_and(|m| !m.is_empty()));

        let err = client
            .get_topic_attributes()
            .topic_arn(format!("{topic_arn}-missing"))
            .send()
            .await
            .unwrap_err();
        let service = err.as_service_error().expect("a service error");
        assert!(service.is_not_found_exception(), "{err}");
        assert_eq!(service.code(), Some("NotFound"));
    }
}

/// SQS speaks awsJson 1.0 with `@awsQueryCompatible`: error codes are the awsQuery ones, from
/// `x-amzn-query-error`, while the error type comes from the JSON `__type`.
mod sqs_tests {
    use super::*;

    #[tokio::test]
    async fn send_receive_delete_and_a_query_compatible_error() {
        let client = sqs::Client::new(&moto().config());
        let name = unique_name("queue");
        let queue_url = client
            .create_queue()
            .queue_name(&name)
            .attributes("VisibilityTimeout", "30")
            .send()
            .await
            .unwrap()
            .queue_url()
            .unwrap()
            .to_string();
        assert!(queue_url.ends_with(&name), "{queue_url}");
        let sent = client
            .send_message()
            .queue_url(&queue_url)
            .message_body("hello & <queue>")
            .message_attributes(
                "kind",
                sqs::types::MessageAttributeValue::builder()
                    .data_type("String")
                    .string_value("greeting")
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
        assert!(sent.message_id().is_some_and(|m| !m.is_empty()));
        let received = client
            .receive_message()
            .queue_url(&queue_url)
            .max_number_of_messages(10)
            .message_attribute_names("All")
            .send()
            .await
            .unwrap();
        let messages = received.messages();
        assert_eq!(messages.len(), 1);
        let m = &messages[0];
        assert_eq!(m.body(), Some("hello & <queue>"));
        assert_eq!(
            m.message_attributes()
                .and_then(|a| a.get("kind"))
                .and_then(|v| v.string_value()),
            Some("greeting")
        );
        client
            .delete_message()
            .queue_url(&queue_url)
            .receipt_handle(m.receipt_handle().unwrap())
            .send()
            .await
            .unwrap();
        let again = client
            .receive_message()
            .queue_url(&queue_url)
            .send()
            .await
            .unwrap();
        assert!(again.messages().is_empty());

        let err = client
            .get_queue_url()
            .queue_name(format!("{name}-missing"))
            .send()
            .await
            .unwrap_err();
        let service = err.as_service_error().expect("a service error");
        assert!(service.is_queue_does_not_exist(), "{err}");
        assert_eq!(
            service.code(),
            Some("AWS.SimpleQueueService.NonExistentQueue"),
            "the awsQuery code, from x-amzn-query-error"
        );
    }
}
