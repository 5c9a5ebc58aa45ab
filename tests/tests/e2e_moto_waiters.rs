//! Generated waiters against moto (`moto[server]==5.2.5`), called the way users call them:
//! DynamoDB `TableExists` / `TableNotExists`, S3 `BucketExists` / `ObjectExists` /
//! `ObjectNotExists` / `BucketNotExists`, IAM `UserExists` / `RoleExists`, EKS `ClusterActive` /
//! `NodegroupActive` / `ClusterDeleted`. moto creates resources in their final state at once, so
//! the "exists" waiters are also driven through a retry: the waiter starts before the resource
//! exists, and the resource is created while it polls (delays shortened on the builder).
//!
//! All tests of this binary share one moto process and keep apart through unique names.

use std::time::Duration;

use integration_tests::moto::{unique_name, MotoServer};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

const MAX_WAIT: Duration = Duration::from_secs(30);
const FAST: Duration = Duration::from_millis(100);

#[tokio::test]
async fn dynamodb_table_exists_and_not_exists() {
    use dynamodb::types::{
        AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType,
    };
    let client = dynamodb::Client::new(&moto().config());
    let name = unique_name("waiter-table");

    // Polled before the table exists: ResourceNotFoundException is a retry.
    let waiter = client
        .wait_until_table_exists()
        .table_name(&name)
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(MAX_WAIT);
    let create = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        client
            .create_table()
            .table_name(&name)
            .attribute_definitions(
                AttributeDefinition::builder()
                    .attribute_name("pk")
                    .attribute_type(ScalarAttributeType::S)
                    .build()
                    .expect("attribute definition"),
            )
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name("pk")
                    .key_type(KeyType::Hash)
                    .build()
                    .expect("key schema"),
            )
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await
            .expect("create_table")
    };
    let (waited, _) = tokio::join!(waiter, create);
    let table = waited.expect("the table exists");
    assert_eq!(
        table
            .table()
            .and_then(|t| t.table_status())
            .map(|s| s.as_str()),
        Some("ACTIVE")
    );
    assert_eq!(
        table.table().and_then(|t| t.table_name()),
        Some(name.as_str())
    );

    // With the model's delays (minDelay 20 s): the first call already matches.
    let again = client
        .wait_until_table_exists()
        .table_name(&name)
        .wait(MAX_WAIT)
        .await
        .expect("still there");
    assert!(again.table().is_some());

    client
        .delete_table()
        .table_name(&name)
        .send()
        .await
        .expect("delete_table");
    let gone = client
        .wait_until_table_not_exists()
        .table_name(&name)
        .wait(MAX_WAIT)
        .await
        .expect("the table is gone");
    let err = gone
        .error()
        .expect("TableNotExists ends on the error it waits for");
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err}"
    );
}

#[tokio::test]
async fn s3_bucket_and_object_waiters() {
    let client = s3::Client::new(&moto().config());
    let bucket = unique_name("waiter-bucket")
        .to_lowercase()
        .replace('_', "-");
    client
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("create_bucket");
    client
        .wait_until_bucket_exists()
        .bucket(&bucket)
        .wait(MAX_WAIT)
        .await
        .expect("the bucket exists");

    // HeadObject's 404 (`NotFound`) is a retry until the object is written.
    let waiter = client
        .wait_until_object_exists()
        .bucket(&bucket)
        .key("later.txt")
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(MAX_WAIT);
    let put = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        client
            .put_object()
            .bucket(&bucket)
            .key("later.txt")
            .body(b"hello".to_vec())
            .send()
            .await
            .expect("put_object")
    };
    let (waited, _) = tokio::join!(waiter, put);
    let head = waited.expect("the object exists");
    assert_eq!(head.content_length(), Some(5));

    let missing = client
        .wait_until_object_not_exists()
        .bucket(&bucket)
        .key("never.txt")
        .wait(MAX_WAIT)
        .await
        .expect("the object does not exist");
    assert_eq!(missing.error().and_then(|e| e.status()), Some(404));

    client
        .delete_object()
        .bucket(&bucket)
        .key("later.txt")
        .send()
        .await
        .expect("delete_object");
    client
        .delete_bucket()
        .bucket(&bucket)
        .send()
        .await
        .expect("delete_bucket");
    let gone = client
        .wait_until_bucket_not_exists()
        .bucket(&bucket)
        .wait(MAX_WAIT)
        .await
        .expect("the bucket is gone");
    assert!(gone.error().is_some());
}

#[tokio::test]
async fn iam_user_and_role_exist() {
    let client = iam::Client::new(&moto().config());
    let user = unique_name("waiter-user");
    // `NoSuchEntity` is a retry until the user is created.
    let waiter = client
        .wait_until_user_exists()
        .user_name(&user)
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(MAX_WAIT);
    let create = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        client
            .create_user()
            .user_name(&user)
            .send()
            .await
            .expect("create_user")
    };
    let (waited, _) = tokio::join!(waiter, create);
    let out = waited.expect("the user exists");
    assert_eq!(out.user().user_name(), user.as_str());

    let role = unique_name("waiter-role");
    client
        .create_role()
        .role_name(&role)
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .expect("create_role");
    let out = client
        .wait_until_role_exists()
        .role_name(&role)
        .wait(MAX_WAIT)
        .await
        .expect("the role exists");
    assert_eq!(out.role().role_name(), role.as_str());

    // A user that never appears: the maximum wait passes.
    let err = client
        .wait_until_user_exists()
        .user_name(unique_name("waiter-nobody"))
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(Duration::from_secs(2))
        .await
        .expect_err("no such user");
    assert!(err.is_max_wait_exceeded(), "{err}");
    assert!(err.attempts() >= 2, "{}", err.attempts());
    assert_eq!(
        err.last_error().and_then(|e| e.code()),
        Some("NoSuchEntity")
    );
}

#[tokio::test]
async fn eks_cluster_and_nodegroup_waiters() {
    use eks::types::VpcConfigRequest;
    let client = eks::Client::new(&moto().config());
    let name = unique_name("waiter-eks");
    client
        .create_cluster()
        .name(&name)
        .role_arn("arn:aws:iam::123456789012:role/eks-role")
        .resources_vpc_config(
            VpcConfigRequest::builder()
                .subnet_ids("subnet-1234")
                .build(),
        )
        .send()
        .await
        .expect("create_cluster");
    let out = client
        .wait_until_cluster_active()
        .name(&name)
        .wait(MAX_WAIT)
        .await
        .expect("the cluster is active");
    assert_eq!(
        out.cluster().and_then(|c| c.status()).map(|s| s.as_str()),
        Some("ACTIVE")
    );

    client
        .create_nodegroup()
        .cluster_name(&name)
        .nodegroup_name("ng")
        .node_role("arn:aws:iam::123456789012:role/node-role")
        .subnets("subnet-1234")
        .send()
        .await
        .expect("create_nodegroup");
    let out = client
        .wait_until_nodegroup_active()
        .cluster_name(&name)
        .nodegroup_name("ng")
        .wait(MAX_WAIT)
        .await
        .expect("the node group is active");
    assert_eq!(
        out.nodegroup().and_then(|n| n.status()).map(|s| s.as_str()),
        Some("ACTIVE")
    );
    client
        .delete_nodegroup()
        .cluster_name(&name)
        .nodegroup_name("ng")
        .send()
        .await
        .expect("delete_nodegroup");
    client
        .wait_until_nodegroup_deleted()
        .cluster_name(&name)
        .nodegroup_name("ng")
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(MAX_WAIT)
        .await
        .expect("the node group is gone");

    client
        .delete_cluster()
        .name(&name)
        .send()
        .await
        .expect("delete_cluster");
    let gone = client
        .wait_until_cluster_deleted()
        .name(&name)
        .min_delay(FAST)
        .max_delay(FAST)
        .wait(MAX_WAIT)
        .await
        .expect("the cluster is gone");
    assert!(gone
        .error()
        .and_then(|e| e.as_service_error())
        .is_some_and(|e| e.is_resource_not_found_exception()));
}
