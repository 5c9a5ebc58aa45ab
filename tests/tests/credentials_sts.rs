//! The credential providers that call STS (`awsconfig`), end to end against moto: assume role
//! from a profile (`source_profile`, `credential_source`, `external_id`, `role_session_name`,
//! `duration_seconds`) and web identity (environment and profile), with the credentials STS
//! returns then used for Secrets Manager and STS calls. moto remembers which role each access
//! key it handed out belongs to, so GetCallerIdentity with those keys names the assumed role:
//! proof that the client signed with them.
//!
//! Every test writes its own shared files into a temporary home directory and hands the loader
//! an explicit environment, so nothing of the machine's own `~/.aws` is read.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use awsrt::credentials::{CredentialsErrorKind, ProvideCredentials};
use awsrt::http::{
    AttemptTimeouts, HttpRequest, HttpResponse, HyperTransport, Transport, TransportError,
};
use awsrt::profile::Env;
use integration_tests::moto::{unique_name, MotoServer};

fn moto() -> &'static MotoServer {
    MotoServer::shared().unwrap_or_else(|e| panic!("moto is required for these tests: {e}"))
}

/// One request as it left the client: its `Authorization` header and body.
#[derive(Clone, Debug)]
struct Sent {
    authorization: Option<String>,
    body: String,
}

/// A transport that records every request, then sends it through the real HTTP stack.
#[derive(Debug, Default)]
struct Recording {
    inner: HyperTransport,
    sent: Mutex<Vec<Sent>>,
}

impl Recording {
    fn sent(&self) -> Vec<Sent> {
        self.sent.lock().unwrap().clone()
    }

    /// The STS requests (awsQuery form bodies) of one action.
    fn sts(&self, action: &str) -> Vec<Sent> {
        let needle = format!("Action={action}&");
        self.sent()
            .into_iter()
            .filter(|s| s.body.starts_with(&needle))
            .collect()
    }
}

impl Transport for Recording {
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> awsrt::credentials::BoxFuture<'static, Result<HttpResponse, TransportError>> {
        self.sent.lock().unwrap().push(Sent {
            authorization: req
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
            body: String::from_utf8_lossy(&req.body).into_owned(),
        });
        self.inner.send(req, timeouts)
    }
}

/// A temporary home with `~/.aws/config` and `~/.aws/credentials`.
struct Home {
    dir: PathBuf,
}

impl Home {
    fn new(config: &str, credentials: &str) -> Home {
        let dir = std::env::temp_dir().join(unique_name("awsconfig-home").replace('/', "_"));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        std::fs::write(dir.join(".aws/config"), config).unwrap();
        std::fs::write(dir.join(".aws/credentials"), credentials).unwrap();
        Home { dir }
    }

    fn file(&self, name: &str, content: &str) -> PathBuf {
        let path = self.dir.join(name);
        std::fs::write(&path, content).unwrap();
        path
    }

    /// An environment with this home, moto as every service's endpoint, and `extra`.
    fn env(&self, extra: &[(&str, &str)]) -> Env {
        let mut pairs: Vec<(String, String)> = vec![
            ("HOME".into(), self.dir.display().to_string()),
            ("AWS_ENDPOINT_URL".into(), moto().endpoint_url()),
            ("AWS_REGION".into(), "us-east-1".into()),
            // Keep instance metadata out of reach, so a missing source fails at once.
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
        ];
        pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_pairs(pairs)
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn load(env: Env, transport: &Arc<Recording>) -> awsconfig::Config {
    let transport: Arc<dyn Transport> = transport.clone();
    awsconfig::from_env()
        .env(env)
        .configure(|b| b.transport(transport))
        .load()
        .await
        .expect("configuration loads")
}

/// The assumed-role ARN GetCallerIdentity reports for `config`'s credentials.
async fn caller_arn(config: &awsconfig::Config) -> String {
    sts::Client::new(config)
        .get_caller_identity()
        .send()
        .await
        .expect("GetCallerIdentity with the provided credentials")
        .arn()
        .expect("an ARN")
        .to_owned()
}

/// Creates and reads back a secret with `config`: the credentials work for Secrets Manager.
async fn use_for_secrets_manager(config: &awsconfig::Config) {
    let client = secretsmanager::Client::new(config);
    let name = unique_name("awsconfig-secret");
    client
        .create_secret()
        .name(&name)
        .secret_string("value-from-an-assumed-role")
        .send()
        .await
        .expect("CreateSecret with the provided credentials");
    let got = client
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .expect("GetSecretValue with the provided credentials");
    assert_eq!(
        got.secret_string().map(|s| s.expose_secret()),
        Some("value-from-an-assumed-role")
    );
}

fn access_key_of(authorization: &str) -> &str {
    let start = authorization
        .find("Credential=")
        .expect("a SigV4 Authorization header")
        + "Credential=".len();
    authorization[start..].split('/').next().unwrap()
}

#[tokio::test]
async fn assume_role_from_a_source_profile_chain() {
    let home = Home::new(
        "[profile app]\nrole_arn = arn:aws:iam::123456789012:role/app-role\nsource_profile = hop\n\
         role_session_name = app-session\nexternal_id = ext-123\nduration_seconds = 1200\n\
         [profile hop]\nrole_arn = arn:aws:iam::123456789012:role/hop-role\nsource_profile = base\n",
        "[base]\naws_access_key_id = AKIDBASEKEY\naws_secret_access_key = base-secret\n",
    );
    let transport = Arc::new(Recording::default());
    let config = load(home.env(&[("AWS_PROFILE", "app")]), &transport).await;

    let arn = caller_arn(&config).await;
    assert_eq!(
        arn, "arn:aws:sts::123456789012:assumed-role/app-role/app-session",
        "GetCallerIdentity must run as the role the profile assumes"
    );
    use_for_secrets_manager(&config).await;

    // Two AssumeRole calls, innermost first: hop-role signed with the base keys, app-role
    // signed with hop-role's keys and carrying the profile's settings.
    let calls = transport.sts("AssumeRole");
    assert_eq!(calls.len(), 2, "{calls:#?}");
    assert!(calls[0]
        .body
        .contains("RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fhop-role"));
    assert_eq!(
        access_key_of(calls[0].authorization.as_deref().unwrap()),
        "AKIDBASEKEY"
    );
    assert!(
        calls[1].body.contains("role%2Fapp-role"),
        "{}",
        calls[1].body
    );
    assert!(calls[1].body.contains("RoleSessionName=app-session"));
    assert!(calls[1].body.contains("ExternalId=ext-123"));
    assert!(calls[1].body.contains("DurationSeconds=1200"));
    let hop_key = access_key_of(calls[1].authorization.as_deref().unwrap()).to_owned();
    assert_ne!(hop_key, "AKIDBASEKEY");

    // The Secrets Manager calls were signed with app-role's keys (neither base nor hop).
    let sm: Vec<Sent> = transport
        .sent()
        .into_iter()
        .filter(|s| s.body.contains("awsconfig-secret"))
        .collect();
    assert_eq!(sm.len(), 2);
    for s in &sm {
        let key = access_key_of(s.authorization.as_deref().unwrap());
        assert!(key != "AKIDBASEKEY" && key != hop_key, "{key}");
    }

    // Cached: more calls do not assume the roles again.
    caller_arn(&config).await;
    assert_eq!(transport.sts("AssumeRole").len(), 2);
}

#[tokio::test]
async fn assume_role_with_credential_source_environment() {
    let home = Home::new(
        "[default]\nrole_arn = arn:aws:iam::123456789012:role/from-env\ncredential_source = Environment\n",
        "",
    );
    let transport = Arc::new(Recording::default());
    // No keys in the environment: the source the profile relies on is missing, which is the
    // profile's configuration error (the chain does not move on to other sources).
    let config = load(home.env(&[]), &transport).await;
    let err = config
        .credentials_provider()
        .unwrap()
        .provide_credentials()
        .await
        .expect_err("credential_source = Environment without keys is a configuration error");
    assert_eq!(
        err.kind(),
        CredentialsErrorKind::InvalidConfiguration,
        "{err}"
    );
    assert!(err.message().contains("credential_source"), "{err}");

    // With keys in the environment the chain's first step would answer with them, so ask the
    // profile provider itself: it assumes the role with those keys.
    let home = Home::new(
        "[profile ci]\nrole_arn = arn:aws:iam::123456789012:role/from-env\ncredential_source = Environment\nrole_session_name = ci\n",
        "",
    );
    let provider = awsconfig::ProfileProvider::new(
        &load(
            home.env(&[
                ("AWS_PROFILE", "ci"),
                ("AWS_ACCESS_KEY_ID", "AKIDFROMENV"),
                ("AWS_SECRET_ACCESS_KEY", "env-secret"),
            ]),
            &transport,
        )
        .await,
    );
    let creds = provider.provide_credentials().await.unwrap();
    assert_ne!(creds.access_key_id(), "AKIDFROMENV");
    assert!(creds.session_token().is_some());
    let call = transport.sts("AssumeRole").pop().unwrap();
    assert_eq!(
        access_key_of(call.authorization.as_deref().unwrap()),
        "AKIDFROMENV"
    );
    let assumed = awsconfig::Config::builder()
        .region("us-east-1")
        .endpoint_url(moto().endpoint_url())
        .credentials(
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token().map(str::to_owned),
        )
        .build();
    assert_eq!(
        caller_arn(&assumed).await,
        "arn:aws:sts::123456789012:assumed-role/from-env/ci"
    );
}

#[tokio::test]
async fn web_identity_from_the_environment_is_unsigned_and_rereads_the_token() {
    let home = Home::new("", "");
    let token = home.file("token", "first-oidc-token\n");
    let token_path = token.display().to_string();
    let transport = Arc::new(Recording::default());
    let config = load(
        home.env(&[
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token_path),
            ("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/irsa"),
            ("AWS_ROLE_SESSION_NAME", "pod-1"),
        ]),
        &transport,
    )
    .await;
    assert_eq!(
        caller_arn(&config).await,
        "arn:aws:sts::123456789012:assumed-role/irsa/pod-1"
    );
    use_for_secrets_manager(&config).await;

    let calls = transport.sts("AssumeRoleWithWebIdentity");
    assert_eq!(calls.len(), 1, "{calls:#?}");
    assert_eq!(calls[0].authorization, None, "the call must be unsigned");
    assert!(
        calls[0].body.contains("WebIdentityToken=first-oidc-token&")
            || calls[0].body.ends_with("WebIdentityToken=first-oidc-token")
    );
    assert!(calls[0].body.contains("RoleSessionName=pod-1"));

    // Each refresh reads the file again (the platform rotates it).
    std::fs::write(&token, "second-oidc-token").unwrap();
    let provider = awsconfig::WebIdentityProvider::from_env(&config);
    provider.provide_credentials().await.unwrap();
    let last = transport.sts("AssumeRoleWithWebIdentity").pop().unwrap();
    assert!(
        last.body.contains("WebIdentityToken=second-oidc-token"),
        "{}",
        last.body
    );
}

#[tokio::test]
async fn web_identity_from_a_profile() {
    let home = Home::new("", "");
    let token = home.file("profile-token", "profile-oidc-token");
    let home_config = format!(
        "[profile k8s]\nrole_arn = arn:aws:iam::123456789012:role/k8s\nweb_identity_token_file = {}\nrole_session_name = k8s-session\n",
        token.display()
    );
    std::fs::write(home.dir.join(".aws/config"), home_config).unwrap();
    let transport = Arc::new(Recording::default());
    let config = load(home.env(&[("AWS_PROFILE", "k8s")]), &transport).await;
    assert_eq!(
        caller_arn(&config).await,
        "arn:aws:sts::123456789012:assumed-role/k8s/k8s-session"
    );
    let calls = transport.sts("AssumeRoleWithWebIdentity");
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].authorization, None);
}

#[tokio::test]
async fn broken_profiles_fail_with_the_reason() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "[profile a]\nrole_arn = arn:aws:iam::123456789012:role/a\nsource_profile = b\n\
             [profile b]\nrole_arn = arn:aws:iam::123456789012:role/b\nsource_profile = a\n",
            "a",
            "source_profile cycle: a -> b -> a",
        ),
        (
            "[profile m]\nrole_arn = arn:aws:iam::123456789012:role/m\nsource_profile = m\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n\
             aws_access_key_id = A\naws_secret_access_key = S\n",
            "m",
            "mfa_serial",
        ),
        (
            "[profile w]\nrole_arn = arn:aws:iam::123456789012:role/w\nweb_identity_token_file = /no/such/token\n",
            "w",
            "/no/such/token",
        ),
        (
            "[profile s]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = r\n",
            "s",
            "[sso-session nope]",
        ),
    ];
    let transport = Arc::new(Recording::default());
    for (config_text, profile, needle) in cases {
        let home = Home::new(config_text, "");
        let config = load(home.env(&[("AWS_PROFILE", profile)]), &transport).await;
        let err = secretsmanager::Client::new(&config)
            .list_secrets()
            .send()
            .await
            .expect_err("credentials cannot be resolved");
        let text = format!("{err}");
        assert!(text.contains(needle), "profile {profile}: {text}");
    }
}
