//! Credentials sources that need no network: static, environment, profile files,
//! `credential_process`, and the default chain's order among them.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, UNIX_EPOCH};

use awsrt::credentials::{
    Credentials, CredentialsErrorKind, DefaultChain, EnvProvider, ProcessProvider, ProfileProvider,
    ProvideCredentials, StaticProvider,
};
use awsrt::profile::{region_from_env_or_profile, Env, ProfileSet};

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!(
            "awsrt-creds-{tag}-{}-{nanos}-{n}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn write(&self, name: &str, contents: &str) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, contents).unwrap();
        path
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn s(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

#[tokio::test]
async fn static_provider_returns_its_credentials() {
    let provider = StaticProvider::from_keys("AKID", "SECRET", Some("TOKEN".to_owned()));
    let creds = provider.provide_credentials().await.unwrap();
    assert_eq!(creds.access_key_id(), "AKID");
    assert_eq!(creds.secret_access_key(), "SECRET");
    assert_eq!(creds.session_token(), Some("TOKEN"));
    assert_eq!(creds.provider(), "static");
    assert_eq!(creds.expiry(), None);
}

#[tokio::test]
async fn env_provider_reads_variables() {
    let env = Env::from_pairs([
        ("AWS_ACCESS_KEY_ID", "AKID"),
        ("AWS_SECRET_ACCESS_KEY", "SECRET"),
        ("AWS_SESSION_TOKEN", "TOKEN"),
        ("AWS_CREDENTIAL_EXPIRATION", "2030-01-01T00:00:00Z"),
    ]);
    let creds = EnvProvider::new(&env).provide_credentials().await.unwrap();
    assert_eq!(
        (
            creds.access_key_id(),
            creds.secret_access_key(),
            creds.session_token()
        ),
        ("AKID", "SECRET", Some("TOKEN"))
    );
    assert_eq!(
        creds.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(1_893_456_000))
    );
    assert_eq!(creds.provider(), "env");

    let none = EnvProvider::new(&Env::from_pairs([("AWS_ACCESS_KEY_ID", "")]))
        .provide_credentials()
        .await;
    assert!(none.unwrap_err().is_not_configured());
    let half = EnvProvider::new(&Env::from_pairs([("AWS_ACCESS_KEY_ID", "AKID")]))
        .provide_credentials()
        .await;
    let err = half.unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.to_string().contains("AWS_SECRET_ACCESS_KEY"), "{err}");
}

#[test]
fn profile_set_loads_overrides_and_selection() {
    let dir = TempDir::new("load");
    let config = dir.write(
        "config",
        "[default]\nregion = us-west-2\n\n[profile dev]\nregion = eu-west-1\naws_access_key_id = CONFIGKEY\n\
         services = dev-services\n[services dev-services]\nsecrets_manager =\n  endpoint_url = http://localhost:4566\n",
    );
    let credentials = dir.write(
        "credentials",
        "[dev]\naws_access_key_id = CREDSKEY\naws_secret_access_key = S\n",
    );
    let env = Env::from_pairs([
        ("AWS_CONFIG_FILE", s(&config)),
        ("AWS_SHARED_CREDENTIALS_FILE", s(&credentials)),
        ("AWS_PROFILE", "dev".to_owned()),
    ]);
    let set = ProfileSet::load(&env).unwrap();
    let dev = set.selected().expect("dev profile");
    assert_eq!(dev.name(), "dev");
    assert_eq!(
        dev.get("aws_access_key_id"),
        Some("CREDSKEY"),
        "credentials file wins"
    );
    assert_eq!(dev.get("region"), Some("eu-west-1"));
    assert_eq!(
        set.service_setting("secrets_manager", "endpoint_url"),
        Some("http://localhost:4566")
    );
    assert_eq!(
        region_from_env_or_profile(&env, &set).as_deref(),
        Some("eu-west-1")
    );

    let default_env = Env::from_pairs([("AWS_CONFIG_FILE", s(&config))]);
    let set = ProfileSet::load(&default_env).unwrap();
    assert_eq!(set.selected_name(), "default");
    assert_eq!(
        set.selected().and_then(|p| p.get("region")),
        Some("us-west-2")
    );
}

#[test]
fn profile_files_found_through_home() {
    let home = TempDir::new("home");
    home.write(".aws/config", "[default]\nregion = ap-south-1\n");
    home.write(
        ".aws/credentials",
        "[default]\naws_access_key_id = HOMEKEY\naws_secret_access_key = S\n",
    );
    let set = ProfileSet::load(&Env::from_pairs([("HOME", s(home.path()))])).unwrap();
    let default = set.selected().unwrap();
    assert_eq!(default.get("region"), Some("ap-south-1"));
    assert_eq!(default.get("aws_access_key_id"), Some("HOMEKEY"));
    let tilde = Env::from_pairs([
        ("HOME", s(home.path())),
        ("AWS_CONFIG_FILE", "~/.aws/config".to_owned()),
    ]);
    assert_eq!(
        ProfileSet::load(&tilde)
            .unwrap()
            .selected()
            .and_then(|p| p.get("region")),
        Some("ap-south-1")
    );
}

#[test]
fn profile_set_missing_unreadable_and_malformed_files() {
    let dir = TempDir::new("errors");
    let missing = Env::from_pairs([
        ("AWS_CONFIG_FILE", s(&dir.path().join("nope"))),
        ("AWS_SHARED_CREDENTIALS_FILE", s(&dir.path().join("nope2"))),
    ]);
    let set = ProfileSet::load(&missing).unwrap();
    assert!(set.selected().is_none());
    assert_eq!(set.profile_names().count(), 0);

    let bad = dir.write("config", "[default]\nregion = x\nthis line is wrong\n");
    let err = ProfileSet::load(&Env::from_pairs([("AWS_CONFIG_FILE", s(&bad))])).unwrap_err();
    assert_eq!(err.path(), bad.as_path());
    assert_eq!(err.line(), Some(3));
    assert!(
        err.to_string().contains(&format!("{}:3:", bad.display())),
        "{err}"
    );

    // A directory where the file should be cannot be read.
    let err = ProfileSet::load(&Env::from_pairs([("AWS_CONFIG_FILE", s(dir.path()))])).unwrap_err();
    assert_eq!(err.path(), dir.path());
    assert!(err.to_string().contains("cannot read"), "{err}");
}

#[tokio::test]
async fn profile_provider_static_keys_and_source_profile() {
    let dir = TempDir::new("profile");
    let config = dir.write(
        "config",
        "[profile app]\nsource_profile = base\nregion = us-east-1\n",
    );
    let creds = dir.write("credentials", "[base]\naws_access_key_id = BASEKEY\naws_secret_access_key = BASESECRET\naws_session_token = T\n");
    let env = |profile: &str| {
        Env::from_pairs([
            ("AWS_CONFIG_FILE", s(&config)),
            ("AWS_SHARED_CREDENTIALS_FILE", s(&creds)),
            ("AWS_PROFILE", profile.to_owned()),
        ])
    };
    let c = ProfileProvider::new(&env("base"))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("BASEKEY", "BASESECRET", Some("T"))
    );
    assert_eq!(c.provider(), "profile");
    let c = ProfileProvider::new(&env("app"))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.access_key_id(), "BASEKEY");
    let err = ProfileProvider::new(&env("missing"))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
    assert!(err.message().contains("missing"), "{err}");
}

#[tokio::test]
async fn profile_provider_reports_unsupported_sources() {
    let set = ProfileSet::parse(
        "[default]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n\
         [sso-session corp]\nsso_region = us-east-1\nsso_start_url = https://x/start\n",
        "",
        None,
    )
    .unwrap();
    assert!(set.sso_session("corp").is_some());
    let err = ProfileProvider::from_profiles(set)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), CredentialsErrorKind::Unsupported);
    assert!(err.to_string().contains("not supported"), "{err}");
    assert!(err.message().contains("awsconfig"), "{err}");
}

const PROCESS_JSON: &str = r#"{"Version": 1, "AccessKeyId": "PROCKEY", "SecretAccessKey": "PROCSECRET", "SessionToken": "PROCTOKEN", "Expiration": "2031-02-03T04:05:06Z"}"#;

#[tokio::test]
async fn credential_process_through_profile() {
    let config = format!("[default]\ncredential_process = echo '{PROCESS_JSON}'\n");
    let set = ProfileSet::parse(&config, "", None).unwrap();
    let c = ProfileProvider::from_profiles(set)
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(
        (c.access_key_id(), c.secret_access_key(), c.session_token()),
        ("PROCKEY", "PROCSECRET", Some("PROCTOKEN"))
    );
    assert_eq!(c.provider(), "process");
    assert_eq!(
        c.expiry(),
        Some(UNIX_EPOCH + Duration::from_secs(1_927_857_906))
    );
}

#[tokio::test]
async fn credential_process_failures() {
    let cases = [
        ("exit 3", CredentialsErrorKind::ProviderFailed, "exit"),
        (
            "echo not-json",
            CredentialsErrorKind::ProviderFailed,
            "not valid JSON",
        ),
        (
            r#"echo '{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "B"}'"#,
            CredentialsErrorKind::ProviderFailed,
            "Version",
        ),
        (
            "/definitely/not/a/command-awsrt",
            CredentialsErrorKind::ProviderFailed,
            "exit",
        ),
    ];
    for (command, kind, needle) in cases {
        let err = ProcessProvider::new(command)
            .provide_credentials()
            .await
            .unwrap_err();
        assert_eq!(err.kind(), kind, "{command}: {err}");
        assert!(err.message().contains(needle), "{command}: {err}");
        assert_eq!(err.provider(), "process");
    }
}

#[tokio::test]
async fn credential_process_timeout_kills_the_command() {
    let started = Instant::now();
    let err = ProcessProvider::new("sleep 10")
        .with_timeout(Duration::from_millis(300))
        .provide_credentials()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert_eq!(err.kind(), CredentialsErrorKind::Timeout, "{err}");
    // Well under the command's 10 s.
    assert!(elapsed < Duration::from_secs(6), "took {elapsed:?}");
}

fn chain_env(dir: &TempDir, extra: &[(&str, &str)]) -> Env {
    let config = dir.write("config", "[default]\nregion = us-east-1\n");
    let creds = dir.write(
        "credentials",
        "[default]\naws_access_key_id = PROFILEKEY\naws_secret_access_key = S\n",
    );
    let mut pairs: Vec<(String, String)> = vec![
        ("AWS_CONFIG_FILE".into(), s(&config)),
        ("AWS_SHARED_CREDENTIALS_FILE".into(), s(&creds)),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
    ];
    pairs.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Env::from_pairs(pairs)
}

#[tokio::test]
async fn chain_env_wins_over_profile() {
    let dir = TempDir::new("chain-env");
    let env = chain_env(
        &dir,
        &[
            ("AWS_ACCESS_KEY_ID", "ENVKEY"),
            ("AWS_SECRET_ACCESS_KEY", "ENVSECRET"),
        ],
    );
    let c = DefaultChain::new(&env).provide_credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.provider()), ("ENVKEY", "env"));

    let env = chain_env(&dir, &[]);
    let c = DefaultChain::new(&env).provide_credentials().await.unwrap();
    assert_eq!((c.access_key_id(), c.provider()), ("PROFILEKEY", "profile"));
}

#[tokio::test]
async fn chain_reports_every_source_when_nothing_is_configured() {
    let dir = TempDir::new("chain-none");
    let env = Env::from_pairs([
        ("AWS_CONFIG_FILE", s(&dir.path().join("none"))),
        ("AWS_SHARED_CREDENTIALS_FILE", s(&dir.path().join("none"))),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    let err = DefaultChain::new(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert!(err.is_not_configured());
    let text = err.to_string();
    for source in ["env:", "web-identity:", "profile:", "ecs:", "imds:"] {
        assert!(text.contains(source), "{text}");
    }
}

#[tokio::test]
async fn chain_stops_at_broken_or_unsupported_configuration() {
    let dir = TempDir::new("chain-broken");
    let bad = dir.write("config", "[default]\nnot a property\n");
    let env = Env::from_pairs([
        ("AWS_CONFIG_FILE", s(&bad)),
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
    ]);
    let err = DefaultChain::new(&env)
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        (err.provider(), err.kind()),
        ("profile", CredentialsErrorKind::InvalidConfiguration)
    );

    // Web identity comes after the profile (the official order); with no profile credentials
    // it is reached, and needs STS, which this crate leaves to `awsconfig`.
    let web_identity = [
        ("AWS_WEB_IDENTITY_TOKEN_FILE", "/tmp/token"),
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/r"),
    ];
    let c = DefaultChain::new(&chain_env(&dir, &web_identity))
        .provide_credentials()
        .await
        .unwrap();
    assert_eq!(c.provider(), "profile");
    let mut pairs: Vec<(String, String)> = vec![
        ("AWS_CONFIG_FILE".into(), s(&dir.path().join("none"))),
        (
            "AWS_SHARED_CREDENTIALS_FILE".into(),
            s(&dir.path().join("none")),
        ),
        ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
    ];
    pairs.extend(
        web_identity
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string())),
    );
    let err = DefaultChain::new(&Env::from_pairs(pairs))
        .provide_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        (err.provider(), err.kind()),
        ("web-identity", CredentialsErrorKind::Unsupported)
    );
    assert!(err.message().contains("awsconfig"), "{err}");
}

#[test]
fn credentials_equality_and_accessors() {
    let a = Credentials::new("A", "B", None, None, "t");
    assert_eq!(a.clone(), a);
    assert_ne!(a, Credentials::new("A", "C", None, None, "t"));
}
