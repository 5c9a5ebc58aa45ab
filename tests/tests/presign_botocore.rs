//! Presigned requests proven against an independent signer and used against moto (issue 23,
//! items 4-5).
//!
//! Every presigned URL here is compared byte for byte (method, URL, signed headers) with the
//! one botocore gives for the same credentials, signing time and request:
//! `tests/scripts/presign_reference.py`, run with the Python of the moto venv (botocore comes
//! with moto; `MOTO_SERVER_BIN` names its `moto_server`, the interpreter is beside it). The
//! cases: S3 GetObject, PutObject, HeadObject, DeleteObject and ListObjectsV2, virtual-hosted
//! and path-style, with and without a session token, in a regional and in the legacy global
//! `us-east-1` endpoint; STS (the query protocol, presigned as a `GET`); Secrets Manager
//! (awsJson, see [`json_protocol_matches_botocores_signer`] for what botocore does with a JSON
//! body); validity up to seven days; the EKS token of `aws eks get-token` and the RDS IAM auth
//! token of botocore's `generate_db_auth_token`.
//!
//! Against moto, presigned S3 PUT, GET, HEAD, ListObjectsV2 and DELETE are sent by a plain
//! HTTP/1.1 client over a `TcpStream`, without credentials.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use awsrt::client::{PresignedRequest, PresigningConfig, MAX_PRESIGNED_VALIDITY};
use awsrt::config::Config;
use integration_tests::moto::{moto_server_bin, unique_name, MotoServer};
use serde_json::{json, Value};

const ACCESS_KEY: &str = "AKIDEXAMPLE";
const SECRET_KEY: &str = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
/// A session token with the characters that need encoding in a query string.
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJH+Session/Token==";
/// 2023-11-14T22:13:20Z.
const TIME: u64 = 1_700_000_000;
/// 2024-02-29T23:59:59Z: the last second of a leap day (credential scope date 20240229).
const LEAP_TIME: u64 = 1_709_251_199;

fn at(secs: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(secs)
}

/// The Python of the moto venv, which has botocore.
fn python() -> PathBuf {
    let bin = moto_server_bin().unwrap_or_else(|e| {
        panic!("botocore (from the moto venv) is required for these tests: {e}")
    });
    let python = bin.with_file_name("python");
    assert!(
        python.is_file(),
        "no python beside {} to run botocore",
        bin.display()
    );
    python
}

/// botocore's answers for `cases`, in order.
fn botocore(cases: &[Value]) -> Vec<Value> {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/presign_reference.py");
    let mut child = Command::new(python())
        .arg(&script)
        // Only what a case gives: no credentials, region or profile from the environment.
        .env_clear()
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the botocore reference script");
    let input = serde_json::to_vec(cases).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("run the botocore script");
    writer.join().unwrap().expect("write the cases");
    assert!(
        out.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON from the script");
    assert_eq!(answers.len(), cases.len());
    answers
}

/// The fields every reference case has.
fn reference(name: &str, time: u64, token: Option<&str>, expires: Duration) -> Value {
    let mut case = json!({
        "name": name,
        "access_key": ACCESS_KEY,
        "secret_key": SECRET_KEY,
        "time": time,
        "expires": expires.as_secs(),
    });
    if let Some(token) = token {
        case["token"] = json!(token);
    }
    case
}

fn config(region: &str, token: Option<&str>) -> awsrt::config::ConfigBuilder {
    Config::builder()
        .region(region)
        .credentials(ACCESS_KEY, SECRET_KEY, token.map(str::to_owned))
}

fn presigning(expires: Duration, time: u64) -> PresigningConfig {
    PresigningConfig::expires_in(expires)
        .unwrap()
        .start_time(at(time))
}

/// What we presigned, in the shape of the script's answers.
#[derive(Debug, PartialEq, Eq)]
struct Signed {
    method: String,
    url: String,
    headers: BTreeMap<String, String>,
}

impl Signed {
    fn of(p: &PresignedRequest) -> Signed {
        let mut headers = BTreeMap::new();
        for name in p.headers().keys() {
            let values: Vec<&str> = p
                .headers()
                .get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect();
            headers.insert(name.as_str().to_owned(), values.join(","));
        }
        Signed {
            method: p.method().to_string(),
            url: p.uri().to_owned(),
            headers,
        }
    }

    fn from_botocore(v: &Value) -> Signed {
        Signed {
            method: v["method"].as_str().unwrap().to_owned(),
            url: v["url"].as_str().unwrap().to_owned(),
            headers: v["headers"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect(),
        }
    }
}

/// Our request and botocore's input for the same one.
struct Case {
    ours: Signed,
    reference: Value,
}

/// Compares every case with botocore and reports all differences at once.
fn assert_same_as_botocore(cases: &[Case]) {
    let inputs: Vec<Value> = cases.iter().map(|c| c.reference.clone()).collect();
    let answers = botocore(&inputs);
    let mut failures = Vec::new();
    for (case, answer) in cases.iter().zip(&answers) {
        let theirs = Signed::from_botocore(answer);
        if case.ours != theirs {
            failures.push(format!(
                "{}:\n  ours:     {:?}\n  botocore: {:?}",
                case.reference["name"], case.ours, theirs
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} presigned requests differ from botocore's:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

const BUCKET: &str = "examplebucket";
/// A key with a space, a tilde, a `+`, a slash and non-ASCII: S3 encodes it once, keeps `/`.
const KEY: &str = "reports/2023 Q4+final~v2/résumé.txt";

/// The S3 cases of one client configuration.
async fn s3_cases(region: &str, path_style: bool, global: bool, token: Option<&str>) -> Vec<Case> {
    let conf = config(region, token)
        .force_path_style(path_style)
        .use_global_endpoint(global)
        .build();
    let client = s3::Client::new(&conf);
    let addressing = if path_style { "path" } else { "virtual" };
    let tag = format!(
        "{region}{}/{addressing}/{}",
        if global { "-global" } else { "" },
        if token.is_some() { "token" } else { "keys" }
    );
    let expires = Duration::from_secs(900);
    let p = || presigning(expires, TIME);
    let case =
        |op: &str, python_op: &str, x_id: Option<&str>, params: Value, ours: &PresignedRequest| {
            let mut reference = reference(&format!("s3 {op} {tag}"), TIME, token, expires);
            reference["kind"] = json!("client");
            reference["service"] = json!("s3");
            reference["region"] = json!(region);
            reference["addressing"] = json!(addressing);
            reference["operation"] = json!(python_op);
            reference["params"] = params;
            if let Some(x_id) = x_id {
                reference["literal_query"] = json!(format!("x-id={x_id}"));
            }
            // Path-style, an operation on the bucket is `/bucket/?...` here (the endpoint
            // rules' `/bucket` joined with the operation's `/`, as the official Rust SDK sends
            // it) and `/bucket?...` in botocore; S3 reads both alike. botocore signs our path.
            let path = ours.uri().split_once("amazonaws.com").unwrap().1;
            if path.starts_with(&format!("/{BUCKET}/?")) {
                reference["url_path"] = json!(format!("/{BUCKET}/"));
            }
            Case {
                ours: Signed::of(ours),
                reference,
            }
        };
    let mut cases = Vec::new();

    let get = client
        .get_object()
        .bucket(BUCKET)
        .key(KEY)
        .presigned(p())
        .await
        .unwrap();
    cases.push(case(
        "GetObject",
        "get_object",
        Some("GetObject"),
        json!({"Bucket": BUCKET, "Key": KEY}),
        &get,
    ));
    // Query members (response overrides, encoded) and a signed header member.
    let get = client
        .get_object()
        .bucket(BUCKET)
        .key(KEY)
        .response_content_disposition("attachment; filename=\"a b.txt\"")
        .response_content_type("text/plain")
        .version_id("3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo")
        .request_payer(s3::types::RequestPayer::Requester)
        .presigned(p())
        .await
        .unwrap();
    cases.push(case(
        "GetObject+query+header",
        "get_object",
        Some("GetObject"),
        // botocore writes query members in the order given; ours follow the model's order.
        json!({
            "Bucket": BUCKET,
            "Key": KEY,
            "ResponseContentDisposition": "attachment; filename=\"a b.txt\"",
            "ResponseContentType": "text/plain",
            "VersionId": "3/L4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY+MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo",
            "RequestPayer": "requester",
        }),
        &get,
    ));
    let put = client
        .put_object()
        .bucket(BUCKET)
        .key(KEY)
        .presigned(p())
        .await
        .unwrap();
    cases.push(case(
        "PutObject",
        "put_object",
        Some("PutObject"),
        json!({"Bucket": BUCKET, "Key": KEY}),
        &put,
    ));
    // A content type and metadata the caller chose are signed: the uploader must send them.
    let put = client
        .put_object()
        .bucket(BUCKET)
        .key(KEY)
        .content_type("text/csv")
        .metadata("origin", "nightly export")
        .presigned(p())
        .await
        .unwrap();
    cases.push(case(
        "PutObject+content-type+metadata",
        "put_object",
        Some("PutObject"),
        json!({
            "Bucket": BUCKET,
            "Key": KEY,
            "ContentType": "text/csv",
            "Metadata": {"origin": "nightly export"},
        }),
        &put,
    ));
    let head = client
        .head_object()
        .bucket(BUCKET)
        .key(KEY)
        .presigned(p())
        .await
        .unwrap();
    cases.push(case(
        "HeadObject",
        "head_object",
        None,
        json!({"Bucket": BUCKET, "Key": KEY}),
        &head,
    ));
    let delete = client
        .delete_object()
        .bucket(BUCKET)
        .key(KEY)
        .presigned(p())
        .await
        .unwrap();
    cases.push(case(
        "DeleteObject",
        "delete_object",
        Some("DeleteObject"),
        json!({"Bucket": BUCKET, "Key": KEY}),
        &delete,
    ));
    // botocore asks for `encoding-type=url` on its own when not given; give it on both sides.
    let list = client
        .list_objects_v2()
        .bucket(BUCKET)
        .delimiter("/")
        .encoding_type(s3::types::EncodingType::Url)
        .max_keys(50)
        .prefix("reports/2023 Q4/")
        .start_after("reports/2023 Q4/a")
        .presigned(p())
        .await
        .unwrap();
    cases.push(case(
        "ListObjectsV2",
        "list_objects_v2",
        None,
        json!({
            "Bucket": BUCKET,
            "Delimiter": "/",
            "EncodingType": "url",
            "MaxKeys": 50,
            "Prefix": "reports/2023 Q4/",
            "StartAfter": "reports/2023 Q4/a",
        }),
        &list,
    ));
    cases
}

#[tokio::test]
async fn s3_presigned_urls_match_botocore() {
    let mut cases = Vec::new();
    for (region, global) in [("eu-west-1", false), ("us-east-1", true)] {
        for path_style in [false, true] {
            for token in [None, Some(SESSION_TOKEN)] {
                cases.extend(s3_cases(region, path_style, global, token).await);
            }
        }
    }
    // What the cases cover, checked on our side so a silent change shows.
    let urls: Vec<&str> = cases.iter().map(|c| c.ours.url.as_str()).collect();
    assert!(urls.iter().any(|u| u.starts_with(
        "https://examplebucket.s3.eu-west-1.amazonaws.com/reports/2023%20Q4%2Bfinal~v2/r%C3%A9sum%C3%A9.txt?x-id=GetObject&X-Amz-Algorithm=AWS4-HMAC-SHA256&"
    )));
    assert!(urls
        .iter()
        .any(|u| u.starts_with("https://s3.amazonaws.com/examplebucket/reports/")));
    assert!(urls.iter().any(|u| u.contains("&X-Amz-Security-Token=")));
    for case in &cases {
        // S3 presigns the payload as UNSIGNED-PAYLOAD: nothing about a body is signed.
        assert!(
            !case.ours.headers.contains_key("content-type")
                || case.ours.headers["content-type"] == "text/csv",
            "{:?}",
            case.ours
        );
    }
    assert_same_as_botocore(&cases);
}

/// STS (awsQuery): the parameters go in the query string and the request is a `GET`, as with
/// botocore's `generate_presigned_url(..., HttpMethod='GET')`.
#[tokio::test]
async fn query_protocol_matches_botocore() {
    let mut cases = Vec::new();
    for (region, time, token) in [
        ("us-east-1", TIME, None),
        ("eu-west-1", LEAP_TIME, Some(SESSION_TOKEN)),
        ("ap-southeast-2", TIME, Some(SESSION_TOKEN)),
    ] {
        let client = sts::Client::new(&config(region, token).build());
        let expires = Duration::from_secs(3600);
        let base = |op: &str| {
            let mut r = reference(&format!("sts {op} {region}"), time, token, expires);
            r["kind"] = json!("client");
            r["service"] = json!("sts");
            r["region"] = json!(region);
            r["http_method"] = json!("GET");
            r
        };
        let who = client
            .get_caller_identity()
            .presigned(presigning(expires, time))
            .await
            .unwrap();
        assert_eq!(who.method().as_str(), "GET");
        assert!(who.body().is_empty());
        let mut r = base("GetCallerIdentity");
        r["operation"] = json!("get_caller_identity");
        cases.push(Case {
            ours: Signed::of(&who),
            reference: r,
        });
        // Members in the model's order (botocore keeps the order it is given).
        let assume = client
            .assume_role()
            .role_arn("arn:aws:iam::123456789012:role/demo role")
            .role_session_name("session@example.com")
            .duration_seconds(900)
            .external_id("ext+id/=")
            .presigned(presigning(expires, time))
            .await
            .unwrap();
        let mut r = base("AssumeRole");
        r["operation"] = json!("assume_role");
        r["params"] = json!({
            "RoleArn": "arn:aws:iam::123456789012:role/demo role",
            "RoleSessionName": "session@example.com",
            "DurationSeconds": 900,
            "ExternalId": "ext+id/=",
        });
        cases.push(Case {
            ours: Signed::of(&assume),
            reference: r,
        });
    }
    assert!(cases[0].ours.url.starts_with(
        "https://sts.us-east-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm="
    ));
    assert_same_as_botocore(&cases);
}

/// Secrets Manager (awsJson 1.1): a `POST` whose JSON body is signed by its SHA-256 and must be
/// sent with the URL, with the signed `content-type` and `x-amz-target` headers.
///
/// botocore's presigner moves any body into the query string (`?SecretId=...`, an empty body
/// signed): right for the query protocol, but a JSON service reads its input from the body,
/// so that URL does not call GetSecretValue. We keep the body. The comparison therefore runs
/// botocore's `SigV4QueryAuth` on our request (method, URL, headers, body) with the body left
/// in place; the canonical request, key derivation, signature and URL are botocore's. That
/// botocore's own client signs the same endpoint and headers is checked too.
#[tokio::test]
async fn json_protocol_matches_botocores_signer() {
    let mut cases = Vec::new();
    let mut client_cases = Vec::new();
    for (region, token) in [("us-east-1", None), ("eu-central-1", Some(SESSION_TOKEN))] {
        let client = secretsmanager::Client::new(&config(region, token).build());
        let expires = Duration::from_secs(300);
        let p = client
            .get_secret_value()
            .secret_id("prod/db/password")
            .version_stage("AWSCURRENT")
            .presigned(presigning(expires, TIME))
            .await
            .unwrap();
        assert_eq!(p.method().as_str(), "POST");
        assert_eq!(
            p.body(),
            br#"{"SecretId":"prod/db/password","VersionStage":"AWSCURRENT"}"#
        );
        let (endpoint, _) = p.uri().split_once('?').unwrap();
        let mut r = reference(
            &format!("secretsmanager GetSecretValue {region}"),
            TIME,
            token,
            expires,
        );
        r["kind"] = json!("request");
        r["signing_name"] = json!("secretsmanager");
        r["region"] = json!(region);
        r["method"] = json!("POST");
        r["url"] = json!(endpoint);
        r["keep_body"] = json!(true);
        r["body"] = json!(std::str::from_utf8(p.body()).unwrap());
        r["headers"] = p
            .headers()
            .iter()
            .filter(|(k, _)| k.as_str() != "host")
            .map(|(k, v)| (k.as_str().to_owned(), json!(v.to_str().unwrap())))
            .collect::<serde_json::Map<_, _>>()
            .into();
        cases.push(Case {
            ours: Signed::of(&p),
            reference: r,
        });

        let mut r = reference(&format!("botocore's own {region}"), TIME, token, expires);
        r["kind"] = json!("client");
        r["service"] = json!("secretsmanager");
        r["region"] = json!(region);
        r["operation"] = json!("get_secret_value");
        r["params"] = json!({"SecretId": "prod/db/password", "VersionStage": "AWSCURRENT"});
        client_cases.push((Signed::of(&p), r));
    }
    assert_same_as_botocore(&cases);

    let inputs: Vec<Value> = client_cases.iter().map(|(_, r)| r.clone()).collect();
    for ((ours, _), answer) in client_cases.iter().zip(botocore(&inputs)) {
        let theirs = Signed::from_botocore(&answer);
        let (their_endpoint, their_query) = theirs.url.split_once('?').unwrap();
        assert_eq!(ours.url.split_once('?').unwrap().0, their_endpoint);
        assert_eq!(ours.headers, theirs.headers);
        assert_eq!(ours.method, theirs.method);
        // The difference explained above.
        assert!(
            their_query.starts_with("SecretId=prod%2Fdb%2Fpassword&VersionStage=AWSCURRENT&"),
            "{their_query}"
        );
    }
}

/// Seven days is accepted (and signed as botocore signs it); a second more is refused with an
/// error that says why. botocore itself does not check the limit.
#[tokio::test]
async fn seven_days_is_the_longest_validity() {
    assert_eq!(MAX_PRESIGNED_VALIDITY, Duration::from_secs(604_800));
    let err = PresigningConfig::expires_in(MAX_PRESIGNED_VALIDITY + Duration::from_secs(1))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "a presigned request is valid for 1 s to 7 days (604800 s), not 604801 s"
    );
    assert!(PresigningConfig::expires_in(Duration::ZERO).is_err());

    let client = s3::Client::new(&config("eu-west-1", None).build());
    let week = client
        .get_object()
        .bucket(BUCKET)
        .key("week")
        .presigned(presigning(MAX_PRESIGNED_VALIDITY, TIME))
        .await
        .unwrap();
    assert!(
        week.uri().contains("&X-Amz-Expires=604800&"),
        "{}",
        week.uri()
    );
    let mut r = reference("s3 GetObject 7 days", TIME, None, MAX_PRESIGNED_VALIDITY);
    r["kind"] = json!("client");
    r["service"] = json!("s3");
    r["region"] = json!("eu-west-1");
    r["addressing"] = json!("virtual");
    r["operation"] = json!("get_object");
    r["params"] = json!({"Bucket": BUCKET, "Key": "week"});
    r["literal_query"] = json!("x-id=GetObject");
    assert_same_as_botocore(&[Case {
        ours: Signed::of(&week),
        reference: r,
    }]);
}

/// `awsconfig::eks::token_at` against `aws eks get-token`'s recipe run with botocore: a
/// presigned `GET` GetCallerIdentity, 60 s, header `x-k8s-aws-id` added before signing, the
/// URL in unpadded URL-safe base64 after `k8s-aws-v1.`.
#[tokio::test]
async fn eks_tokens_match_aws_eks_get_token() {
    let mut ours = Vec::new();
    let mut inputs = Vec::new();
    for (region, cluster, time, token) in [
        ("us-east-1", "my-cluster", TIME, None),
        (
            "eu-west-1",
            "prod_cluster.2",
            LEAP_TIME,
            Some(SESSION_TOKEN),
        ),
        ("us-west-2", "a", TIME, Some("short")),
    ] {
        let eks = awsconfig::eks::token_at(&config(region, token).build(), cluster, at(time))
            .await
            .unwrap();
        assert_eq!(eks.expiration(), at(time) + Duration::from_secs(14 * 60));
        ours.push(eks);
        let mut r = reference(
            &format!("eks {region} {cluster}"),
            time,
            token,
            awsconfig::eks::URL_VALIDITY,
        );
        r["kind"] = json!("client");
        r["service"] = json!("sts");
        r["region"] = json!(region);
        r["operation"] = json!("get_caller_identity");
        r["http_method"] = json!("GET");
        r["headers"] = json!({"x-k8s-aws-id": cluster});
        r["eks_token"] = json!(true);
        inputs.push(r);
    }
    for (eks, answer) in ours.iter().zip(botocore(&inputs)) {
        assert_eq!(
            eks.token(),
            answer["token"].as_str().unwrap(),
            "{}",
            answer["url"]
        );
        assert!(answer["url"]
            .as_str()
            .unwrap()
            .contains("&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"));
    }
    assert!(!format!("{:?}", ours[0]).contains("k8s-aws-v1"));
}

/// `awsconfig::rds::auth_token_at` against botocore's `generate_db_auth_token`.
#[tokio::test]
async fn rds_auth_tokens_match_botocore() {
    let mut ours = Vec::new();
    let mut inputs = Vec::new();
    for (region, host, port, user, time, token) in [
        (
            "us-east-1",
            "mydb.cluster-c1xample.us-east-1.rds.amazonaws.com",
            5432,
            "app_user",
            TIME,
            None,
        ),
        (
            "eu-west-1",
            "db.example.internal",
            3306,
            "reporting user+1/é",
            LEAP_TIME,
            Some(SESSION_TOKEN),
        ),
        // A mixed-case host name (signed lowercase, kept as given) on HTTPS's default port.
        (
            "ap-northeast-1",
            "MyDB.Example.COM",
            443,
            "admin",
            TIME,
            Some("short"),
        ),
        ("us-west-2", "10.0.12.34", 1433, "sa", TIME, None),
    ] {
        let rds = awsconfig::rds::auth_token_at(
            &config(region, token).build(),
            host,
            port,
            user,
            at(time),
        )
        .await
        .unwrap();
        assert_eq!(rds.expiration(), at(time) + Duration::from_secs(900));
        ours.push(rds);
        let mut r = reference(
            &format!("rds {host}:{port}"),
            time,
            token,
            awsconfig::rds::TOKEN_VALIDITY,
        );
        r["kind"] = json!("rds");
        r["region"] = json!(region);
        r["hostname"] = json!(host);
        r["port"] = json!(port);
        r["user"] = json!(user);
        inputs.push(r);
    }
    for (rds, answer) in ours.iter().zip(botocore(&inputs)) {
        assert_eq!(rds.token(), answer["url"].as_str().unwrap());
    }
    assert!(ours[0].token().starts_with(
        "mydb.cluster-c1xample.us-east-1.rds.amazonaws.com:5432/?Action=connect&DBUser=app_user&X-Amz-Algorithm="
    ));
    assert!(!format!("{:?}", ours[0]).contains("mydb"));
}

// --- Against moto, through a plain HTTP client ------------------------------------------

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

/// One HTTP/1.1 request over a fresh connection: status, headers (lowercase names), body.
fn plain_http(p: &PresignedRequest, body: &[u8]) -> (u16, BTreeMap<String, String>, Vec<u8>) {
    let rest = p.uri().strip_prefix("http://").expect("moto is plain HTTP");
    let (authority, target) = rest.split_at(rest.find('/').unwrap());
    let mut stream = std::net::TcpStream::connect(authority).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut head = format!("{} {target} HTTP/1.1\r\n", p.method());
    if !p.headers().contains_key("host") {
        head.push_str(&format!("host: {authority}\r\n"));
    }
    // Exactly the signed headers, and nothing that carries credentials.
    for (name, value) in p.headers() {
        head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
    }
    if !body.is_empty() || p.method() == "PUT" {
        head.push_str(&format!("content-length: {}\r\n", body.len()));
    }
    head.push_str("connection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: BTreeMap<String, String> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if p.method() == "HEAD" {
        body.clear();
    } else if headers
        .get("transfer-encoding")
        .is_some_and(|v| v.contains("chunked"))
    {
        let mut out = Vec::new();
        let mut rest = &body[..];
        loop {
            let line_end = rest.windows(2).position(|w| w == b"\r\n").unwrap();
            let size =
                usize::from_str_radix(std::str::from_utf8(&rest[..line_end]).unwrap().trim(), 16)
                    .unwrap();
            if size == 0 {
                break;
            }
            out.extend_from_slice(&rest[line_end + 2..line_end + 2 + size]);
            rest = &rest[line_end + 4 + size..];
        }
        body = out;
    }
    (status, headers, body)
}

async fn send_plain(p: PresignedRequest, body: &[u8]) -> (u16, BTreeMap<String, String>, Vec<u8>) {
    let body = body.to_vec();
    tokio::task::spawn_blocking(move || plain_http(&p, &body))
        .await
        .unwrap()
}

#[tokio::test]
async fn presigned_s3_requests_work_through_a_plain_http_client() {
    let client = s3::Client::new(&moto().config());
    let bucket = unique_name("presign")
        .to_ascii_lowercase()
        .replace('_', "-");
    client.create_bucket().bucket(&bucket).send().await.unwrap();
    let key = "uploads/2024 report+final.csv";
    let data = b"id,name\n1,caf\xc3\xa9\n".to_vec();
    let config = || PresigningConfig::expires_in(Duration::from_secs(600)).unwrap();

    // PUT: the holder of the URL brings the body.
    let put = client
        .put_object()
        .bucket(&bucket)
        .key(key)
        .presigned(config())
        .await
        .unwrap();
    assert_eq!(put.method().as_str(), "PUT");
    assert!(
        put.uri().contains("X-Amz-SignedHeaders=host&"),
        "{}",
        put.uri()
    );
    let (status, _, body) = send_plain(put, &data).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));

    // GET returns what was put.
    let get = client
        .get_object()
        .bucket(&bucket)
        .key(key)
        .presigned(config())
        .await
        .unwrap();
    let (status, _, body) = send_plain(get, b"").await;
    assert_eq!((status, body.as_slice()), (200, data.as_slice()));

    // HEAD: the length, no body.
    let head = client
        .head_object()
        .bucket(&bucket)
        .key(key)
        .presigned(config())
        .await
        .unwrap();
    assert_eq!(head.method().as_str(), "HEAD");
    let (status, headers, _) = send_plain(head, b"").await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-length"], data.len().to_string());

    // ListObjectsV2 finds the key.
    let list = client
        .list_objects_v2()
        .bucket(&bucket)
        .prefix("uploads/")
        .presigned(config())
        .await
        .unwrap();
    assert!(
        list.uri().contains("?list-type=2&prefix=uploads%2F&X-Amz-"),
        "{}",
        list.uri()
    );
    let (status, _, body) = send_plain(list, b"").await;
    let xml = String::from_utf8_lossy(&body).to_string();
    assert_eq!(status, 200, "{xml}");
    assert!(
        xml.contains("<Key>uploads/2024 report+final.csv</Key>"),
        "{xml}"
    );
    assert!(xml.contains("<KeyCount>1</KeyCount>"), "{xml}");

    // DELETE removes it: the client no longer finds it.
    let delete = client
        .delete_object()
        .bucket(&bucket)
        .key(key)
        .presigned(config())
        .await
        .unwrap();
    assert_eq!(delete.method().as_str(), "DELETE");
    let (status, _, _) = send_plain(delete, b"").await;
    assert_eq!(status, 204);
    let gone = client.head_object().bucket(&bucket).key(key).send().await;
    assert!(gone.is_err(), "{gone:?}");
}
