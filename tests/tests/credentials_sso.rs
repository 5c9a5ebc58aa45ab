//! IAM Identity Center credentials (`awsconfig::SsoProvider` through the profile chain) against
//! the project's stub server standing in for SSO and SSO-OIDC: the cached token of
//! `aws sso login` read, refreshed through CreateToken shortly before it expires and written
//! back, GetRoleCredentials sent unsigned with the token, and an expired login reported with
//! the command that fixes it. The stub checks every request it is sent.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use awsrt::credentials::ProvideCredentials;
use awsrt::profile::Env;
use awsrt::types::{DateTime, Document, TimestampFormat};
use integration_tests::moto::unique_name;
use integration_tests::stub_server::{RecordedRequest, StubResponse, StubServer};

const CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Dev\nregion = eu-west-1\n\
[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\
[profile old]\nsso_start_url = https://old.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 444455556666\nsso_role_name = Legacy\n";

/// SSO GetRoleCredentials and SSO-OIDC CreateToken as the services answer them, accepting
/// only what a correct client sends.
fn sso_stub(req: &RecordedRequest) -> StubResponse {
    if req.path.starts_with("/federation/credentials") {
        if req.method != "GET" || req.header("authorization").is_some() {
            return StubResponse::new(400, "GetRoleCredentials must be an unsigned GET");
        }
        let token = req.header("x-amz-sso_bearer_token").unwrap_or("");
        if token != "valid-token" && token != "refreshed-token" {
            return StubResponse::new(401, r#"{"message":"Session token not found or invalid"}"#)
                .with_header("x-amzn-errortype", "UnauthorizedException");
        }
        let query = req.path.split_once('?').map(|(_, q)| q).unwrap_or("");
        let mut params: Vec<&str> = query.split('&').collect();
        params.sort();
        let expected = if token == "valid-token" || req.path.contains("111122223333") {
            vec!["account_id=111122223333", "role_name=Dev"]
        } else {
            vec![]
        };
        if params != expected {
            return StubResponse::new(400, format!("unexpected query {query}"));
        }
        let expiration = (SystemTime::now() + Duration::from_secs(3600))
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let body = format!(
            r#"{{"roleCredentials":{{"accessKeyId":"AKSSO-{token}","secretAccessKey":"sso-secret","sessionToken":"sso-session-token","expiration":{expiration}}}}}"#
        );
        return StubResponse::new(200, body).with_header("content-type", "application/json");
    }
    if req.path == "/token" && req.method == "POST" {
        let Ok(doc) = Document::parse(&req.body) else {
            return StubResponse::new(400, "not JSON");
        };
        let field = |k: &str| {
            doc.get(k)
                .and_then(Document::as_str)
                .unwrap_or("")
                .to_owned()
        };
        if req.header("authorization").is_some() {
            return StubResponse::new(400, "CreateToken must be unsigned");
        }
        if field("grantType") != "refresh_token"
            || field("clientId") != "client-1"
            || field("clientSecret") != "client-secret-1"
        {
            return StubResponse::new(
                400,
                format!(
                    "unexpected CreateToken {}",
                    String::from_utf8_lossy(&req.body)
                ),
            );
        }
        if field("refreshToken") != "refresh-1" {
            return StubResponse::new(
                400,
                r#"{"error":"invalid_grant","error_description":"refresh token revoked"}"#,
            )
            .with_header("x-amzn-errortype", "InvalidGrantException")
            .with_header("content-type", "application/json");
        }
        return StubResponse::new(
            200,
            r#"{"accessToken":"refreshed-token","expiresIn":3600,"refreshToken":"refresh-2","tokenType":"Bearer"}"#,
        )
        .with_header("content-type", "application/json");
    }
    StubResponse::new(404, format!("no route for {} {}", req.method, req.path))
}

struct Home {
    dir: PathBuf,
}

impl Home {
    fn new() -> Home {
        let dir = std::env::temp_dir().join(unique_name("awsconfig-sso").replace('/', "_"));
        std::fs::create_dir_all(dir.join(".aws/sso/cache")).unwrap();
        std::fs::write(dir.join(".aws/config"), CONFIG).unwrap();
        Home { dir }
    }

    /// Writes the token cache file for `key` (session name or start URL) and returns its path.
    fn cache(&self, file: &str, expires_in: i64, refresh_token: &str) -> PathBuf {
        let at = |secs: i64| {
            let t = if secs >= 0 {
                SystemTime::now() + Duration::from_secs(secs as u64)
            } else {
                SystemTime::now() - Duration::from_secs((-secs) as u64)
            };
            DateTime::from(t).fmt(TimestampFormat::DateTime)
        };
        let body = format!(
            r#"{{"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":"valid-token","expiresAt":"{}","clientId":"client-1","clientSecret":"client-secret-1","registrationExpiresAt":"{}","refreshToken":"{refresh_token}"}}"#,
            at(expires_in),
            at(30 * 86400)
        );
        let path = self.dir.join(".aws/sso/cache").join(file);
        std::fs::write(&path, body).unwrap();
        path
    }

    fn env(&self, server: &StubServer, profile: &str) -> Env {
        Env::from_pairs([
            ("HOME", self.dir.display().to_string()),
            ("AWS_PROFILE", profile.to_owned()),
            ("AWS_ENDPOINT_URL_SSO", server.endpoint_url()),
            ("AWS_ENDPOINT_URL_SSO_OIDC", server.endpoint_url()),
            ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ])
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The cache file of the `corp` session, named as the AWS CLI names it: hex SHA-1 of the
/// session name (of the start URL for legacy profiles).
fn corp_file() -> String {
    sha1_hex(b"corp") + ".json"
}

fn old_file() -> String {
    sha1_hex(b"https://old.awsapps.com/start") + ".json"
}

fn sha1_hex(data: &[u8]) -> String {
    // An independent SHA-1 via the system's sha1sum, so the test does not trust the code it
    // checks for the file name.
    use std::io::Write;
    let mut child = std::process::Command::new("sha1sum")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("sha1sum (coreutils) is needed by this test");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap()[..40].to_owned()
}

async fn provider(home: &Home, server: &StubServer, profile: &str) -> awsconfig::ProfileProvider {
    let config = awsconfig::from_env()
        .env(home.env(server, profile))
        .load()
        .await
        .unwrap();
    awsconfig::ProfileProvider::new(&config)
}

#[tokio::test]
async fn a_valid_cached_token_gets_role_credentials_unsigned() {
    let server = StubServer::start(sso_stub).await.unwrap();
    let home = Home::new();
    home.cache(&corp_file(), 3600, "refresh-1");
    let creds = provider(&home, &server, "dev")
        .await
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(creds.access_key_id(), "AKSSO-valid-token");
    assert_eq!(creds.secret_access_key(), "sso-secret");
    assert_eq!(creds.session_token(), Some("sso-session-token"));
    assert!(creds.expiry().is_some_and(|t| t > SystemTime::now()));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1, "no refresh for a fresh token: {reqs:#?}");
    assert!(reqs[0].path.starts_with("/federation/credentials?"));
    assert_eq!(
        reqs[0].header("x-amz-sso_bearer_token"),
        Some("valid-token")
    );
}

#[tokio::test]
async fn a_token_about_to_expire_is_refreshed_and_written_back() {
    let server = StubServer::start(sso_stub).await.unwrap();
    let home = Home::new();
    let path = home.cache(&corp_file(), 120, "refresh-1");
    let creds = provider(&home, &server, "dev")
        .await
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(creds.access_key_id(), "AKSSO-refreshed-token");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "{reqs:#?}");
    assert_eq!(reqs[0].path, "/token");
    assert_eq!(
        reqs[1].header("x-amz-sso_bearer_token"),
        Some("refreshed-token")
    );

    let written = Document::parse(&std::fs::read(&path).unwrap()).unwrap();
    let s = |k: &str| {
        written
            .get(k)
            .and_then(Document::as_str)
            .unwrap()
            .to_owned()
    };
    assert_eq!(s("accessToken"), "refreshed-token");
    assert_eq!(s("refreshToken"), "refresh-2");
    // Fields the client does not change are kept.
    assert_eq!(s("clientId"), "client-1");
    assert_eq!(s("startUrl"), "https://corp.awsapps.com/start");
    let expires = DateTime::parse(&s("expiresAt"), TimestampFormat::DateTime).unwrap();
    let left = expires.secs() - DateTime::now().secs();
    assert!((3000..=3600).contains(&left), "new expiry {left}s from now");

    // The next call uses the written token without refreshing again.
    provider(&home, &server, "dev")
        .await
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        server.requests()[2].path.split('?').next(),
        Some("/federation/credentials")
    );
}

#[tokio::test]
async fn expired_logins_tell_the_user_to_log_in_again() {
    let server = StubServer::start(sso_stub).await.unwrap();
    let home = Home::new();
    // Legacy profile: its token cannot be refreshed.
    home.cache(&old_file(), -60, "refresh-1");
    let err = provider(&home, &server, "old")
        .await
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        err.message().contains("aws sso login --profile old"),
        "{err}"
    );
    assert!(
        server.requests().is_empty(),
        "nothing sent with an expired legacy token"
    );

    // Session profile whose refresh token was revoked.
    home.cache(&corp_file(), -60, "revoked");
    let err = provider(&home, &server, "dev")
        .await
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(
        err.message().contains("aws sso login --sso-session corp"),
        "{err}"
    );
    let reqs = server.requests();
    assert_eq!(
        reqs.len(),
        1,
        "one refresh attempt, no GetRoleCredentials: {reqs:#?}"
    );
    assert_eq!(reqs[0].path, "/token");

    // No cache file at all.
    std::fs::remove_file(home.dir.join(".aws/sso/cache").join(corp_file())).unwrap();
    let err = provider(&home, &server, "dev")
        .await
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.message().contains("aws sso login"), "{err}");
}

#[tokio::test]
async fn region_comes_from_instance_metadata_when_nothing_else_sets_one() {
    let imds = StubServer::start(|req: &RecordedRequest| match req.path.as_str() {
        "/latest/api/token" if req.method == "PUT" => StubResponse::new(200, "imds-token"),
        "/latest/meta-data/placement/region"
            if req.header("x-aws-ec2-metadata-token") == Some("imds-token") =>
        {
            StubResponse::new(200, "ap-southeast-4")
        }
        _ => StubResponse::new(404, ""),
    })
    .await
    .unwrap();
    let home = Home::new();
    let env = |extra: &[(&str, &str)]| {
        let mut pairs = vec![
            ("HOME".to_owned(), home.dir.display().to_string()),
            (
                "AWS_EC2_METADATA_SERVICE_ENDPOINT".to_owned(),
                imds.endpoint_url(),
            ),
        ];
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_pairs(pairs)
    };
    let config = awsconfig::from_env().env(env(&[])).load().await.unwrap();
    assert_eq!(config.region(), Some("ap-southeast-4"));
    // The environment wins, and then instance metadata is not asked.
    let before = imds.requests().len();
    let config = awsconfig::from_env()
        .env(env(&[("AWS_REGION", "eu-north-1")]))
        .load()
        .await
        .unwrap();
    assert_eq!(config.region(), Some("eu-north-1"));
    assert_eq!(imds.requests().len(), before);
    // The profile's region wins too (profile `dev` sets eu-west-1).
    let config = awsconfig::from_env()
        .env(env(&[("AWS_PROFILE", "dev")]))
        .load()
        .await
        .unwrap();
    assert_eq!(config.region(), Some("eu-west-1"));
}
