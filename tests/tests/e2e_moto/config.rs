//! Configuration loaded from an environment map and profile files (service-specific endpoint variable, profile `endpoint_url`, `[services]` section) reaching moto.

use super::*;

/// A temporary home directory with optional `.aws/config` and `.aws/credentials`; removed on drop.
struct TempHome(std::path::PathBuf);

impl TempHome {
    fn new(config: Option<&str>, credentials: Option<&str>) -> TempHome {
        let dir = std::env::temp_dir().join(unique_name("e2e-home").replace('/', "_"));
        std::fs::create_dir_all(dir.join(".aws")).unwrap();
        if let Some(text) = config {
            std::fs::write(dir.join(".aws").join("config"), text).unwrap();
        }
        if let Some(text) = credentials {
            std::fs::write(dir.join(".aws").join("credentials"), text).unwrap();
        }
        TempHome(dir)
    }

    fn path(&self) -> String {
        self.0.display().to_string()
    }
}

impl Drop for TempHome {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Creates a secret through `client`, then reads it back through an explicitly configured moto
/// client in `region`: proof the first client talked to moto, in that region.
async fn assert_reaches_moto(client: &Client, region: &str) {
    let name = unique_name("e2e/env");
    let created = client
        .create_secret()
        .name(&name)
        .secret_string("configured from the environment")
        .send()
        .await
        .unwrap();
    let arn = created.arn().unwrap();
    assert!(
        arn.starts_with(&format!("arn:aws:secretsmanager:{region}:")),
        "{arn}"
    );
    let direct = client_in(region);
    let got = direct
        .get_secret_value()
        .secret_id(&name)
        .send()
        .await
        .unwrap();
    assert_eq!(
        got.secret_string().unwrap().expose_secret(),
        "configured from the environment"
    );
    force_delete(&direct, &name).await;
}

#[tokio::test]
async fn env_service_specific_endpoint_variable_reaches_moto() {
    let home = TempHome::new(None, None);
    let env = Env::from_pairs([
        ("HOME", home.path()),
        ("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT1".to_string()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "secret-from-environment".to_string(),
        ),
        ("AWS_REGION", "eu-north-1".to_string()),
        ("AWS_MAX_ATTEMPTS", "1".to_string()),
        // The global variable points at a closed port: the service-specific one must win.
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1".to_string()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto().endpoint_url()),
    ]);
    let config = Config::loader().env(env).load().await.unwrap();
    assert_eq!(config.region(), Some("eu-north-1"));
    assert_eq!(
        config.endpoint_url_for("Secrets Manager").as_deref(),
        Some(moto().endpoint_url().as_str())
    );
    assert_reaches_moto(&Client::new(&config), "eu-north-1").await;
}

#[tokio::test]
async fn profile_endpoint_url_and_credentials_reach_moto() {
    let config_file = format!(
        "[default]\nregion = us-west-1\nendpoint_url = http://127.0.0.1:1\n\n[profile e2e]\nregion = ap-northeast-1\nendpoint_url = {}\n",
        moto().endpoint_url()
    );
    let credentials = "[e2e]\naws_access_key_id = AKIDFROMPROFILE00001\naws_secret_access_key = secret-from-profile\n";
    let home = TempHome::new(Some(&config_file), Some(credentials));
    let env = Env::from_pairs([
        ("HOME", home.path()),
        ("AWS_PROFILE", "e2e".to_string()),
        ("AWS_MAX_ATTEMPTS", "1".to_string()),
    ]);
    let config = Config::loader().env(env).load().await.unwrap();
    assert_eq!(config.region(), Some("ap-northeast-1"));
    assert_eq!(config.endpoint_url(), Some(moto().endpoint_url().as_str()));
    assert_reaches_moto(&Client::new(&config), "ap-northeast-1").await;
}

#[tokio::test]
async fn profile_services_section_endpoint_wins_over_the_global_one() {
    let config_file = format!(
        "[default]\nregion = ca-central-1\nendpoint_url = http://127.0.0.1:1\nservices = local-moto\n\n[services local-moto]\nsecrets_manager =\n  endpoint_url = {}\n",
        moto().endpoint_url()
    );
    let home = TempHome::new(Some(&config_file), None);
    let env = Env::from_pairs([
        ("HOME", home.path()),
        ("AWS_ACCESS_KEY_ID", "AKIDFROMENVIRONMENT2".to_string()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "secret-from-environment".to_string(),
        ),
        ("AWS_MAX_ATTEMPTS", "1".to_string()),
    ]);
    let config = Config::loader().env(env).load().await.unwrap();
    assert_eq!(config.region(), Some("ca-central-1"));
    assert_reaches_moto(&Client::new(&config), "ca-central-1").await;
}
