//! End-to-end tests of generated restJson1 clients against moto (`moto[server]==5.2.5`, started
//! on 127.0.0.1 with port 0 by `integration_tests::moto`, stopped when the process exits), called
//! the way users call them: EKS (path labels, query parameters, JSON bodies, pagination, typed
//! errors with their HTTP status), AppConfig (headers both ways, a blob payload both ways, path
//! labels, query parameters, typed errors) and MediaStore Data (a greedy path label, headers,
//! a streamed payload both ways).
//!
//! All tests of this binary share one moto process and keep apart through unique names. Where
//! moto differs from AWS, the assertion follows moto and says so.

use std::sync::{Arc, Mutex};

use awsrt::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, HyperTransport, Transport,
    TransportError,
};
use integration_tests::moto::{unique_name, MotoServer};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
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
        self.0.sent.lock().map(|s| s.clone()).unwrap_or_default()
    }
}

/// moto's configuration with a recording transport.
fn recorded_config() -> (awsrt::config::Config, Recording) {
    recorded_config_in("us-east-1")
}

/// Like [`recorded_config`] in another region (moto keeps one backend per region).
fn recorded_config_in(region: &str) -> (awsrt::config::Config, Recording) {
    let rec = Recording::default();
    let config = moto()
        .config_in(region)
        .to_builder()
        .transport(Arc::new(rec.clone()))
        .build();
    (config, rec)
}

/// The path and query of a sent request.
fn path_and_query(req: &HttpRequest) -> &str {
    let rest = req
        .uri
        .split_once("://")
        .map_or(req.uri.as_str(), |(_, r)| r);
    rest.find('/').map_or("", |i| &rest[i..])
}

mod eks_tests {
    use super::*;
    use eks::types::VpcConfigRequest;

    async fn create(client: &eks::Client, name: &str) -> eks::types::Cluster {
        client
            .create_cluster()
            .name(name)
            .role_arn("arn:aws:iam::123456789012:role/eks-role")
            .resources_vpc_config(
                VpcConfigRequest::builder()
                    .subnet_ids("subnet-1234")
                    .subnet_ids("subnet-5678")
                    .build(),
            )
            .tags("team", "storage")
            .send()
            .await
            .unwrap_or_else(|e| panic!("create_cluster {name}: {e:?}"))
            .cluster()
            .cloned()
            .expect("create_cluster returns the cluster")
    }

    #[tokio::test]
    async fn clusters_round_trip_through_labels_bodies_and_the_query() {
        let (config, rec) = recorded_config();
        let client = eks::Client::new(&config);
        let name = unique_name("eks-a");
        let created = create(&client, &name).await;
        assert_eq!(created.name(), Some(name.as_str()));
        let arn = created.arn().expect("an ARN").to_owned();
        assert!(arn.contains(&name), "{arn}");
        assert_eq!(
            created.role_arn(),
            Some("arn:aws:iam::123456789012:role/eks-role")
        );

        // The name goes in the path.
        let described = client.describe_cluster().name(&name).send().await.unwrap();
        let cluster = described.cluster().expect("the cluster");
        assert_eq!(cluster.arn(), Some(arn.as_str()));
        let subnets = cluster
            .resources_vpc_config()
            .map(|v| v.subnet_ids().to_vec())
            .unwrap_or_default();
        assert_eq!(subnets, ["subnet-1234", "subnet-5678"]);
        assert_eq!(
            cluster
                .tags()
                .and_then(|t| t.get("team"))
                .map(String::as_str),
            Some("storage")
        );

        let sent = rec.sent();
        let create_req = &sent[0];
        assert_eq!(create_req.method, "POST");
        assert_eq!(path_and_query(create_req), "/clusters");
        assert_eq!(create_req.header("content-type"), Some("application/json"));
        let body: awsrt::types::Document =
            awsrt::types::Document::parse(&create_req.body).expect("a JSON body");
        assert_eq!(
            body.get("name").and_then(|n| n.as_str()),
            Some(name.as_str())
        );
        assert!(
            body.get("clientRequestToken").is_some(),
            "the idempotency token is filled"
        );
        assert_eq!(sent[1].method, "GET");
        assert_eq!(path_and_query(&sent[1]), format!("/clusters/{name}"));
    }

    #[tokio::test]
    async fn list_clusters_pages_through_the_query() {
        // A region of its own: moto answers a page token naming a cluster that another test
        // deleted meanwhile with a 500, and this listing walks every cluster in the region.
        let (config, rec) = recorded_config_in("ap-southeast-2");
        let client = eks::Client::new(&config);
        let prefix = unique_name("eks-p");
        let names: Vec<String> = (0..3).map(|i| format!("{prefix}-{i}")).collect();
        for n in &names {
            create(&client, n).await;
        }
        let before = rec.sent().len();
        let all = client
            .list_clusters()
            .into_paginator()
            .page_size(1)
            .items()
            .collect()
            .await
            .expect("every page");
        for n in &names {
            assert!(all.contains(n), "{n} missing from {all:?}");
        }
        let pages = &rec.sent()[before..];
        assert!(
            pages.len() >= 3,
            "one request per cluster at most one per page"
        );
        assert!(
            pages
                .iter()
                .all(|r| path_and_query(r).starts_with("/clusters?maxResults=1")),
            "{:?}",
            pages.iter().map(path_and_query).collect::<Vec<_>>()
        );
        assert!(
            pages[1..]
                .iter()
                .all(|r| path_and_query(r).contains("&nextToken=")),
            "later pages send the token"
        );
    }

    #[tokio::test]
    async fn tags_use_an_arn_in_the_path() {
        let client = eks::Client::new(&moto().config());
        let name = unique_name("eks-t");
        let arn = create(&client, &name)
            .await
            .arn()
            .expect("an ARN")
            .to_owned();
        // The ARN has `:` and `/`: percent-encoded into one path segment.
        client
            .tag_resource()
            .resource_arn(&arn)
            .tags("env", "test")
            .send()
            .await
            .unwrap();
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        let tags = tags.tags().cloned().unwrap_or_default();
        assert_eq!(tags.get("env").map(String::as_str), Some("test"));
        assert_eq!(tags.get("team").map(String::as_str), Some("storage"));
        client
            .untag_resource()
            .resource_arn(&arn)
            .tag_keys("env")
            .send()
            .await
            .unwrap();
        let tags = client
            .list_tags_for_resource()
            .resource_arn(&arn)
            .send()
            .await
            .unwrap();
        assert!(!tags.tags().is_some_and(|t| t.contains_key("env")));
    }

    #[tokio::test]
    async fn a_missing_cluster_is_a_typed_error() {
        let client = eks::Client::new(&moto().config());
        let name = unique_name("eks-missing");
        let err = client
            .describe_cluster()
            .name(&name)
            .send()
            .await
            .expect_err("no such cluster");
        let service = err.as_service_error().expect("a service error");
        assert!(service.is_resource_not_found_exception(), "{service:?}");
        assert_eq!(service.meta().status, 404);
        assert!(
            service.message().is_some_and(|m| m.contains(&name)),
            "{service:?}"
        );
        assert!(
            err.to_string().contains("ResourceNotFoundException"),
            "{err}"
        );

        // Deleting it is the same error; deleting a real one works once.
        let err = client
            .delete_cluster()
            .name(&name)
            .send()
            .await
            .unwrap_err();
        assert!(err
            .as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()));
        let real = unique_name("eks-d");
        create(&client, &real).await;
        let deleted = client.delete_cluster().name(&real).send().await.unwrap();
        assert_eq!(
            deleted.cluster().and_then(|c| c.name()),
            Some(real.as_str())
        );
    }
}

mod appconfig_tests {
    use super::*;
    use awsrt::types::SensitiveBlob;

    async fn app(client: &appconfig::Client, name: &str) -> String {
        client
            .create_application()
            .name(name)
            .description("made by e2e_moto_rest")
            .send()
            .await
            .unwrap_or_else(|e| panic!("create_application: {e:?}"))
            .id()
            .expect("an application id")
            .to_owned()
    }

    #[tokio::test]
    async fn applications_and_profiles_use_labels_and_the_query() {
        let (config, rec) = recorded_config();
        let client = appconfig::Client::new(&config);
        let name = unique_name("app");
        let id = app(&client, &name).await;
        let got = client
            .get_application()
            .application_id(&id)
            .send()
            .await
            .unwrap();
        assert_eq!(got.name(), Some(name.as_str()));
        assert_eq!(got.description(), Some("made by e2e_moto_rest"));
        for profile in ["alpha", "beta"] {
            client
                .create_configuration_profile()
                .application_id(&id)
                .name(profile)
                .location_uri("hosted")
                .send()
                .await
                .unwrap();
        }
        // (moto implements no ListApplications; ListConfigurationProfiles has a query.)
        let listed = client
            .list_configuration_profiles()
            .application_id(&id)
            .max_results(50)
            .send()
            .await
            .unwrap();
        let mut names: Vec<&str> = listed.items().iter().filter_map(|p| p.name()).collect();
        names.sort_unstable();
        assert_eq!(names, ["alpha", "beta"]);
        let sent = rec.sent();
        assert_eq!(path_and_query(&sent[1]), format!("/applications/{id}"));
        assert_eq!(
            path_and_query(sent.last().expect("a request")),
            format!("/applications/{id}/configurationprofiles?max_results=50")
        );
    }

    #[tokio::test]
    async fn hosted_configurations_send_headers_and_a_payload_both_ways() {
        let (config, rec) = recorded_config();
        let client = appconfig::Client::new(&config);
        let id = app(&client, &unique_name("app-h")).await;
        let profile = client
            .create_configuration_profile()
            .application_id(&id)
            .name("settings")
            .location_uri("hosted")
            .send()
            .await
            .unwrap();
        let profile_id = profile.id().expect("a profile id").to_owned();
        let content = br#"{"feature": true}"#;
        let created = client
            .create_hosted_configuration_version()
            .application_id(&id)
            .configuration_profile_id(&profile_id)
            .content(SensitiveBlob::new(content.to_vec()))
            .content_type("application/json")
            .description("first version")
            .version_label("v1")
            .send()
            .await
            .unwrap();
        // Output members from response headers and the payload.
        assert_eq!(created.application_id(), Some(id.as_str()));
        assert_eq!(
            created.configuration_profile_id(),
            Some(profile_id.as_str())
        );
        assert_eq!(created.version_number(), 1);
        assert_eq!(created.content_type(), Some("application/json"));
        assert_eq!(created.description(), Some("first version"));
        assert_eq!(
            created.content().map(|c| c.expose_secret().to_vec()),
            Some(content.to_vec())
        );
        // The request: the payload is the body, the members are headers.
        let req = rec.sent().last().cloned().expect("a request");
        assert_eq!(req.method, "POST");
        assert_eq!(
            path_and_query(&req),
            format!(
                "/applications/{id}/configurationprofiles/{profile_id}/hostedconfigurationversions"
            )
        );
        assert_eq!(&req.body[..], content);
        assert_eq!(req.header("content-type"), Some("application/json"));
        assert_eq!(req.header("description"), Some("first version"));
        assert_eq!(req.header("versionlabel"), Some("v1"));

        let got = client
            .get_hosted_configuration_version()
            .application_id(&id)
            .configuration_profile_id(&profile_id)
            .version_number(1)
            .send()
            .await
            .unwrap();
        assert_eq!(got.version_number(), 1);
        assert_eq!(
            got.content().map(|c| c.expose_secret().to_vec()),
            Some(content.to_vec())
        );
        // The sensitive payload never shows in Debug.
        assert!(!format!("{got:?}").contains("feature"), "{got:?}");
    }

    #[tokio::test]
    async fn a_missing_application_is_a_typed_error() {
        let client = appconfig::Client::new(&moto().config());
        let err = client
            .get_application()
            .application_id("nosuchapp")
            .send()
            .await
            .expect_err("no such application");
        let service = err.as_service_error().expect("a service error");
        assert!(service.is_resource_not_found_exception(), "{service:?}");
        // AWS answers 404; moto answers 400 (the code, not the status, picks the variant).
        assert_eq!(service.meta().status, 400);
        // An empty label cannot make a path: refused before sending.
        let err = client
            .get_application()
            .application_id("")
            .send()
            .await
            .expect_err("empty label");
        assert!(
            matches!(err, appconfig::SdkError::Construction(_)),
            "{err:?}"
        );
    }
}

mod mediastore_tests {
    use super::*;
    use awsrt::types::Blob;

    #[tokio::test]
    async fn objects_go_through_a_greedy_label_and_a_blob_payload() {
        let (config, rec) = recorded_config();
        let client = mediastoredata::Client::new(&config);
        let path = unique_name("clip").replace(['-', '.', '/'], "");
        // moto keeps bodies as text: binary content would make it fail (500).
        let content = "frame data ✓ 0123456789".as_bytes().to_vec();
        let put = client
            .put_object()
            .path(&path)
            .body(Blob::new(content.clone()))
            .content_type("video/mp4")
            .cache_control("max-age=60")
            .send()
            .await
            .unwrap();
        // moto answers a fixed ETag and the default storage class.
        assert_eq!(put.e_tag(), Some("etag"));
        assert_eq!(put.storage_class().map(|s| s.as_str()), Some("TEMPORAL"));
        let sent = rec.sent();
        let req = sent.last().expect("a request");
        assert_eq!(req.method, "PUT");
        assert_eq!(path_and_query(req), format!("/{path}"));
        assert_eq!(
            &req.body[..],
            &content[..],
            "the payload is the body, byte for byte"
        );
        assert_eq!(req.header("content-type"), Some("video/mp4"));
        assert_eq!(req.header("cache-control"), Some("max-age=60"));

        let got = client.get_object().path(&path).send().await.unwrap();
        assert_eq!(got.status_code(), 200, "@httpResponseCode");
        // The body is a stream read as it arrives.
        let body = got.body.collect().await.expect("the whole body");
        assert_eq!(&body[..], &content[..]);

        let items = client.list_items().send().await.unwrap();
        assert!(
            items
                .items()
                .iter()
                .any(|i| i.name() == Some(path.as_str())),
            "{items:?}"
        );

        client.delete_object().path(&path).send().await.unwrap();
        let err = client
            .get_object()
            .path(&path)
            .send()
            .await
            .expect_err("deleted");
        let service = err.as_service_error().expect("a service error");
        assert!(service.is_object_not_found_exception(), "{service:?}");
        assert!(
            service.message().is_some_and(|m| m.contains(&path)),
            "{service:?}"
        );
    }
}
