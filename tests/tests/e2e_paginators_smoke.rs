//! Paginators against moto (more items than one page) and against a scripted stub that repeats a
//! token; the model's smoke tests (`smithy.test#smokeTests`, generated into
//! `secretsmanager::smoke_tests`) run against moto.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use integration_tests::moto::{unique_name, MotoServer};
use integration_tests::stub_server::{StubResponse, StubServer};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn list_secrets_paginator_walks_every_page() {
    let client = moto().client();
    let prefix = unique_name("pag");
    let mut want = Vec::new();
    for i in 0..7 {
        let name = format!("{prefix}/{i}");
        client
            .create_secret()
            .name(&name)
            .secret_string("v")
            .send()
            .await
            .expect("create");
        want.push(name);
    }
    let filter = secretsmanager::types::Filter::builder()
        .key(secretsmanager::types::FilterNameStringType::Name)
        .values(prefix.clone())
        .build();
    let pages = client
        .list_secrets()
        .filters(filter)
        .into_paginator()
        .page_size(3)
        .send()
        .collect()
        .await
        .expect("all pages");
    assert!(
        pages.len() >= 3,
        "7 items in pages of 3 take at least 3 pages, got {}",
        pages.len()
    );
    assert!(pages.iter().all(|p| p.secret_list().len() <= 3));
    let mut got: Vec<String> = pages
        .iter()
        .flat_map(|p| p.secret_list())
        .filter_map(|s| s.name().map(str::to_string))
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
}

#[tokio::test]
async fn list_secret_version_ids_paginator_stops_on_empty_token() {
    // moto answers the last page with `NextToken: ""`: the stream must end there.
    let client = moto().client();
    let name = unique_name("pag-versions");
    client
        .create_secret()
        .name(&name)
        .secret_string("v1")
        .send()
        .await
        .expect("create");
    for v in ["v2", "v3"] {
        client
            .put_secret_value()
            .secret_id(&name)
            .secret_string(v)
            .send()
            .await
            .expect("put");
    }
    let mut pages = client
        .list_secret_version_ids()
        .secret_id(&name)
        .into_paginator()
        .page_size(1)
        .send();
    let mut versions = 0;
    let mut n = 0;
    while let Some(page) = pages.next().await {
        versions += page.expect("page").versions().len();
        n += 1;
        assert!(n < 20, "the paginator must stop");
    }
    assert!(versions >= 2, "saw {versions} versions");
}

#[tokio::test]
async fn repeated_token_is_an_error_not_an_endless_loop() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let server = StubServer::start(
        move |_req: &integration_tests::stub_server::RecordedRequest| {
            counter.fetch_add(1, Ordering::SeqCst);
            StubResponse::json(200, r#"{"SecretList":[{"Name":"a"}],"NextToken":"same"}"#)
        },
    )
    .await
    .expect("stub starts");
    let config = secretsmanager::Config::builder()
        .region("us-east-1")
        .credentials("AKID", "secret", None)
        .endpoint_url(server.endpoint_url())
        .build();
    let client = secretsmanager::Client::new(&config);
    let mut pages = client.list_secrets().into_paginator().send();
    let first = pages
        .next()
        .await
        .expect("a first page")
        .expect("first page ok");
    assert_eq!(first.next_token(), Some("same"));
    let second = pages
        .next()
        .await
        .expect("a second page")
        .expect("second page ok");
    assert_eq!(second.next_token(), Some("same"));
    let err = pages
        .next()
        .await
        .expect("an error after the repeat")
        .expect_err("repeated token");
    assert!(
        err.to_string().contains("same") || err.to_string().to_lowercase().contains("token"),
        "{err}"
    );
    assert!(
        pages.next().await.is_none(),
        "the stream ends after the error"
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "no request after the repeated token"
    );
}

#[tokio::test]
async fn model_smoke_tests_pass_against_moto() {
    // The model runs its smoke tests in us-west-2 (vendorParams.region).
    let client = secretsmanager::Client::new(&moto().config_in("us-west-2"));
    assert!(secretsmanager::smoke_tests::CASES
        .iter()
        .all(|(_, region)| *region == "us-west-2"));
    assert_eq!(
        secretsmanager::smoke_tests::CASES
            .iter()
            .map(|(id, _)| *id)
            .collect::<Vec<_>>(),
        ["DescribeSecretFailure", "ListSecretsSuccess"]
    );
    secretsmanager::smoke_tests::list_secrets_success(&client)
        .await
        .expect("ListSecretsSuccess");
    secretsmanager::smoke_tests::describe_secret_failure(&client)
        .await
        .expect("DescribeSecretFailure");
}
