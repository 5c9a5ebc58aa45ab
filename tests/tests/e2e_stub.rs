//! End-to-end tests of the two operations moto lacks, `StopReplicationToReplica` and
//! `ValidateResourcePolicy`, against the project's own stub server
//! (`integration_tests::stub_server`), which records every request so the wire format can be
//! checked too: target, content type, JSON body, SigV4 signature (recomputed), user agent.

use integration_tests::stub_server::{
    verify_sigv4, RecordedRequest, SecretsManagerStub, StubServer, BROAD_ACCESS_CHECK,
};
use secretsmanager::error::SdkError;
use secretsmanager::primitives::Document;
use secretsmanager::{Client, Config};

const ACCESS_KEY: &str = "AKIDSTUBEXAMPLE00001";
const SECRET_KEY: &str = "stub/secret/key/EXAMPLEKEY0000000000000";
const REGION: &str = "us-west-2";

async fn stub() -> StubServer {
    let stub = SecretsManagerStub::new()
        .with_secret("prod/db", REGION)
        .with_replica("prod/replicated", REGION);
    StubServer::secrets_manager(stub).await.unwrap()
}

fn config(server: &StubServer, session_token: Option<&str>) -> Config {
    Config::builder()
        .region(REGION)
        .credentials(ACCESS_KEY, SECRET_KEY, session_token.map(str::to_string))
        .endpoint_url(server.endpoint_url())
        .build()
}

fn client(server: &StubServer) -> Client {
    Client::new(&config(server, None))
}

/// The checks every request the client sends must pass.
fn assert_wire_format(req: &RecordedRequest, operation: &str) {
    assert_eq!(req.method, "POST");
    assert_eq!(req.path, "/");
    assert_eq!(
        req.target(),
        Some(format!("secretsmanager.{operation}").as_str())
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-amz-json-1.1")
    );
    let auth = req.header("authorization").unwrap();
    assert!(
        auth.starts_with(&format!("AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/")),
        "{auth}"
    );
    let parsed = verify_sigv4(req, SECRET_KEY)
        .unwrap_or_else(|e| panic!("bad signature on {operation}: {e}"));
    assert_eq!(
        (parsed.region.as_str(), parsed.service.as_str()),
        (REGION, "secretsmanager")
    );
    for needed in ["host", "x-amz-date", "x-amz-target", "content-type"] {
        assert!(
            parsed.signed_headers.iter().any(|h| h == needed),
            "{needed} not signed: {:?}",
            parsed.signed_headers
        );
    }
    assert_eq!(parsed.date, req.header("x-amz-date").unwrap()[..8]);
    let ua = req.header("user-agent").unwrap();
    assert!(ua.starts_with("secretsmanager/"), "{ua}");
    assert!(
        req.json().is_ok_and(|d| d.as_object().is_some()),
        "body is a JSON object"
    );
}

const PRIVATE_POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/app"},"Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#;

#[tokio::test]
async fn validate_resource_policy_passes_a_narrow_policy() {
    let server = stub().await;
    let out = client(&server)
        .validate_resource_policy()
        .secret_id("prod/db")
        .resource_policy(PRIVATE_POLICY)
        .send()
        .await
        .unwrap();
    assert!(out.policy_validation_passed());
    assert!(out.validation_errors().is_empty());

    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    assert_wire_format(&reqs[0], "ValidateResourcePolicy");
    let body = reqs[0].json().unwrap();
    assert_eq!(
        body.get("ResourcePolicy").and_then(Document::as_str),
        Some(PRIVATE_POLICY)
    );
    assert_eq!(
        body.get("SecretId").and_then(Document::as_str),
        Some("prod/db")
    );
    assert_eq!(
        body.as_object().unwrap().len(),
        2,
        "only the members that were set: {body:?}"
    );
}

#[tokio::test]
async fn validate_resource_policy_reports_failed_checks() {
    let server = stub().await;
    let public = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*"},{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue"}]}"#;
    // SecretId is optional.
    let out = client(&server)
        .validate_resource_policy()
        .resource_policy(public)
        .send()
        .await
        .unwrap();
    assert!(!out.policy_validation_passed());
    let errors = out.validation_errors();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].check_name(), Some(BROAD_ACCESS_CHECK));
    assert!(errors[0].error_message().unwrap().contains("Statement 1"));
    let body = server.requests()[0].json().unwrap();
    assert!(body.get("SecretId").is_none(), "unset members are omitted");
}

#[tokio::test]
async fn malformed_policy_is_a_typed_error_with_request_id() {
    let server = stub().await;
    let err = client(&server)
        .validate_resource_policy()
        .resource_policy("{\"Statement\": [")
        .send()
        .await
        .unwrap_err();
    let SdkError::Service(service) = &err else {
        panic!("expected a service error, got {err:?}")
    };
    assert!(
        service.err().is_malformed_policy_document_exception(),
        "{:?}",
        service.err()
    );
    assert_eq!(service.status(), 400);
    let e = service.err();
    assert_eq!(e.code(), Some("MalformedPolicyDocumentException"));
    assert!(
        e.message()
            .unwrap()
            .starts_with("This resource policy contains a syntax error"),
        "{:?}",
        e.message()
    );
    // The request id is the one the server sent for this very request.
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "a modeled client error is not retried");
    assert_eq!(e.request_id(), Some(reqs[0].request_id.as_str()));
    assert!(
        err.to_string().contains("MalformedPolicyDocumentException"),
        "{err}"
    );
    assert!(e.to_string().contains("syntax error"), "{e}");
}

#[tokio::test]
async fn validate_resource_policy_for_an_unknown_secret_is_resource_not_found() {
    let server = stub().await;
    let err = client(&server)
        .validate_resource_policy()
        .secret_id("nope")
        .resource_policy(PRIVATE_POLICY)
        .send()
        .await
        .unwrap_err();
    let e = err.as_service_error().unwrap_or_else(|| panic!("{err}"));
    assert!(e.is_resource_not_found_exception(), "{e:?}");
    assert_eq!(err.status(), Some(400));
    assert_eq!(
        err.request_id(),
        Some(server.requests()[0].request_id.as_str())
    );
}

#[tokio::test]
async fn stop_replication_promotes_a_replica_once() {
    let server = stub().await;
    let client = client(&server);
    let out = client
        .stop_replication_to_replica()
        .secret_id("prod/replicated")
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.arn(),
        Some(SecretsManagerStub::arn_for("prod/replicated", REGION).as_str())
    );

    // Now standalone: a second call is refused with the typed InvalidRequestException.
    let err = client
        .stop_replication_to_replica()
        .secret_id("prod/replicated")
        .send()
        .await
        .unwrap_err();
    let e = err.as_service_error().unwrap_or_else(|| panic!("{err}"));
    assert!(e.is_invalid_request_exception(), "{e:?}");
    assert!(e.message().unwrap().contains("not a replica"));

    // A primary secret, addressed by ARN, is no replica either.
    let arn = SecretsManagerStub::arn_for("prod/db", REGION);
    let err = client
        .stop_replication_to_replica()
        .secret_id(&arn)
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_invalid_request_exception()),
        "{err}"
    );

    let err = client
        .stop_replication_to_replica()
        .secret_id("missing")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.as_service_error()
            .is_some_and(|e| e.is_resource_not_found_exception()),
        "{err}"
    );
    assert_eq!(err.code(), Some("ResourceNotFoundException"));

    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    for r in &reqs {
        assert_wire_format(r, "StopReplicationToReplica");
    }
    assert_eq!(
        reqs[2]
            .json()
            .unwrap()
            .get("SecretId")
            .and_then(Document::as_str),
        Some(arn.as_str())
    );
    // Distinct request ids, and the client reported each one.
    let ids: std::collections::BTreeSet<_> = reqs.iter().map(|r| r.request_id.clone()).collect();
    assert_eq!(ids.len(), 4);
    assert_eq!(err.request_id(), Some(reqs[3].request_id.as_str()));
}

#[tokio::test]
async fn session_tokens_are_sent_and_signed() {
    let server = stub().await;
    let client = Client::new(&config(
        &server,
        Some("FQoGZXIvYXdzEXAMPLE//token+with/slashes="),
    ));
    client
        .stop_replication_to_replica()
        .secret_id("prod/replicated")
        .send()
        .await
        .unwrap();
    let req = &server.requests()[0];
    assert_eq!(
        req.header("x-amz-security-token"),
        Some("FQoGZXIvYXdzEXAMPLE//token+with/slashes=")
    );
    let auth = verify_sigv4(req, SECRET_KEY).unwrap();
    assert!(
        auth.signed_headers
            .iter()
            .any(|h| h == "x-amz-security-token"),
        "{:?}",
        auth.signed_headers
    );
}

#[tokio::test]
async fn a_wrong_secret_key_is_detected_by_the_verifier() {
    // Guards the signature check above: it does fail on a signature made with another key.
    let server = stub().await;
    client(&server)
        .stop_replication_to_replica()
        .secret_id("prod/replicated")
        .send()
        .await
        .unwrap();
    let req = &server.requests()[0];
    assert!(verify_sigv4(req, "another-secret-key").is_err());
    let mut tampered = req.clone();
    tampered.body.push(b' ');
    assert!(
        verify_sigv4(&tampered, SECRET_KEY).is_err(),
        "a changed body must break the signature"
    );
}

#[tokio::test]
async fn missing_required_members_fail_before_sending() {
    let server = stub().await;
    let client = client(&server);
    let err = client
        .validate_resource_policy()
        .secret_id("prod/db")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SdkError::Construction(b) if b.field() == Some("resource_policy")),
        "{err:?}"
    );
    let err = client
        .stop_replication_to_replica()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, SdkError::Construction(b) if b.field() == Some("secret_id")),
        "{err:?}"
    );
    assert!(server.requests().is_empty());
    assert_eq!(server.connection_count(), 0);
}

#[tokio::test]
async fn sequential_calls_reuse_one_connection() {
    let server = stub().await;
    let client = client(&server);
    for _ in 0..5 {
        client
            .validate_resource_policy()
            .resource_policy(PRIVATE_POLICY)
            .send()
            .await
            .unwrap();
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 5);
    assert_eq!(
        server.connection_count(),
        1,
        "keep-alive: every call on the first connection"
    );
    assert!(reqs.iter().all(|r| r.connection == 0));
}

#[tokio::test]
async fn the_stub_answers_like_the_service_to_bad_requests() {
    // The stub's own guard rails, exercised through the generic handler with raw requests.
    use integration_tests::stub_server::Handler;
    let stub = SecretsManagerStub::new();
    let base = RecordedRequest {
        method: "POST".into(),
        path: "/".into(),
        headers: vec![
            ("authorization".into(), "AWS4-HMAC-SHA256 Credential=AK/20240101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00".into()),
            ("content-type".into(), "application/x-amz-json-1.1".into()),
            ("x-amz-target".into(), "secretsmanager.GetSecretValue".into()),
        ],
        body: b"{}".to_vec(),
        request_id: String::new(),
        connection: 0,
    };
    let code = |req: &RecordedRequest| {
        let resp = stub.handle(req);
        let doc = Document::parse(&resp.body).unwrap();
        (
            resp.status,
            doc.get("__type")
                .and_then(Document::as_str)
                .unwrap_or_default()
                .to_string(),
        )
    };
    assert_eq!(code(&base), (400, "UnknownOperationException".into()));
    let mut unsigned = base.clone();
    unsigned.headers.remove(0);
    assert_eq!(
        code(&unsigned),
        (400, "MissingAuthenticationTokenException".into())
    );
    let mut not_json = base.clone();
    not_json.body = b"[1,2".to_vec();
    assert_eq!(code(&not_json), (400, "SerializationException".into()));
}
