//! Credentials from the selected profile of the shared files.

use std::time::Duration;

use super::{BoxFuture, Credentials, CredentialsError, ProcessProvider, ProvideCredentials};
use crate::profile::{Env, Profile, ProfileSet};

const NAME: &str = "profile";
/// Longest `source_profile` chain followed.
const MAX_CHAIN: usize = 16;

/// Credentials of the selected profile (`AWS_PROFILE`, default `default`), read from the
/// shared files each time it is asked:
///
/// 1. `role_arn` (assume role, with or without `web_identity_token_file`) and SSO settings
///    (`sso_session`, `sso_start_url`): a [`CredentialsErrorKind::Unsupported`] error;
/// 2. `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`);
/// 3. `credential_process`, run through [`ProcessProvider`];
/// 4. `source_profile`: the same steps on the named profile (cycles are an error).
///
/// A profile with none of these is "not configured", so a chain moves on.
///
/// [`CredentialsErrorKind::Unsupported`]: super::CredentialsErrorKind::Unsupported
#[derive(Debug, Clone)]
pub struct ProfileProvider {
    env: Env,
    profiles: Option<ProfileSet>,
    process_timeout: Duration,
}

impl ProfileProvider {
    /// A provider loading the files named by `env` on every call.
    pub fn new(env: &Env) -> ProfileProvider {
        ProfileProvider {
            env: env.clone(),
            profiles: None,
            process_timeout: ProcessProvider::DEFAULT_TIMEOUT,
        }
    }

    /// A provider over already-loaded profiles.
    pub fn from_profiles(profiles: ProfileSet) -> ProfileProvider {
        ProfileProvider {
            env: Env::from_pairs::<_, String, String>([]),
            profiles: Some(profiles),
            process_timeout: ProcessProvider::DEFAULT_TIMEOUT,
        }
    }

    /// Time limit for `credential_process`.
    pub fn with_process_timeout(mut self, timeout: Duration) -> ProfileProvider {
        self.process_timeout = timeout;
        self
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let loaded;
        let profiles = match &self.profiles {
            Some(p) => p,
            None => {
                loaded = ProfileSet::load(&self.env)
                    .map_err(|e| CredentialsError::invalid_configuration(NAME, e.to_string()))?;
                &loaded
            }
        };
        match resolve(profiles)? {
            Source::Static(credentials) => Ok(credentials),
            Source::Process(command) => {
                ProcessProvider::new(command)
                    .with_timeout(self.process_timeout)
                    .run()
                    .await
            }
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

enum Source {
    Static(Credentials),
    Process(String),
}

fn resolve(profiles: &ProfileSet) -> Result<Source, CredentialsError> {
    let first = profiles.selected_name();
    let mut name = first.to_owned();
    let mut visited: Vec<String> = Vec::new();
    loop {
        let profile = match profiles.profile(&name) {
            Some(p) => p,
            None if visited.is_empty() && !profiles.is_explicitly_selected() => {
                return Err(CredentialsError::not_configured(
                    NAME,
                    format!("no profile named `{name}`"),
                ));
            }
            None if visited.is_empty() => {
                return Err(CredentialsError::invalid_configuration(
                    NAME,
                    format!(
                        "AWS_PROFILE names profile `{name}`, which the shared files do not define"
                    ),
                ));
            }
            None => {
                return Err(CredentialsError::invalid_configuration(
                    NAME,
                    format!(
                        "profile `{}` has source_profile `{name}`, which is not defined",
                        visited[visited.len() - 1]
                    ),
                ));
            }
        };
        visited.push(name.clone());
        if let Some(source) = static_or_process(profile)? {
            return Ok(source);
        }
        match profile.get("source_profile") {
            Some(next) if visited.iter().any(|v| v == next) => {
                return Err(CredentialsError::invalid_configuration(
                    NAME,
                    format!("source_profile cycle: {} -> {next}", visited.join(" -> ")),
                ));
            }
            Some(_) if visited.len() >= MAX_CHAIN => {
                return Err(CredentialsError::invalid_configuration(
                    NAME,
                    "source_profile chain too long",
                ));
            }
            Some(next) => name = next.to_owned(),
            None if visited.len() == 1 => {
                return Err(CredentialsError::not_configured(
                    NAME,
                    format!("profile `{name}` has no credentials"),
                ));
            }
            None => {
                return Err(CredentialsError::invalid_configuration(
                    NAME,
                    format!("source_profile `{name}` (from profile `{first}`) has no credentials"),
                ));
            }
        }
    }
}

fn static_or_process(profile: &Profile) -> Result<Option<Source>, CredentialsError> {
    let name = profile.name();
    if profile.get("role_arn").is_some() {
        let what = if profile.get("web_identity_token_file").is_some() {
            "web identity federation (role_arn + web_identity_token_file)"
        } else {
            "assuming a role (role_arn) through STS"
        };
        return Err(CredentialsError::unsupported(
            NAME,
            format!("profile `{name}` uses {what}, which awsrt does not implement"),
        ));
    }
    if ["sso_session", "sso_start_url", "sso_account_id"]
        .iter()
        .any(|k| profile.get(k).is_some())
    {
        return Err(CredentialsError::unsupported(
            NAME,
            format!(
                "profile `{name}` uses IAM Identity Center (SSO), which awsrt does not implement"
            ),
        ));
    }
    match (
        profile.get("aws_access_key_id"),
        profile.get("aws_secret_access_key"),
    ) {
        (Some(key), Some(secret)) => {
            let token = profile.get("aws_session_token").map(str::to_owned);
            return Ok(Some(Source::Static(Credentials::new(
                key, secret, token, None, NAME,
            ))));
        }
        (Some(_), None) => {
            return Err(CredentialsError::invalid_configuration(
                NAME,
                format!("profile `{name}` has aws_access_key_id but no aws_secret_access_key"),
            ));
        }
        _ => {}
    }
    Ok(profile
        .get("credential_process")
        .map(|c| Source::Process(c.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;

    fn resolve_text(
        config: &str,
        credentials: &str,
        profile: Option<&str>,
    ) -> Result<Source, CredentialsError> {
        resolve(&ProfileSet::parse(config, credentials, profile).unwrap())
    }

    fn static_keys(result: Result<Source, CredentialsError>) -> (String, String, Option<String>) {
        match result {
            Ok(Source::Static(c)) => (
                c.access_key_id().to_owned(),
                c.secret_access_key().to_owned(),
                c.session_token().map(str::to_owned),
            ),
            Ok(Source::Process(c)) => panic!("expected static keys, got process {c}"),
            Err(e) => panic!("expected static keys, got {e}"),
        }
    }

    #[test]
    fn static_keys_from_selected_profile() {
        let creds = "[default]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\n[dev]\naws_access_key_id = B\naws_secret_access_key = S2\n";
        assert_eq!(
            static_keys(resolve_text("", creds, None)),
            ("A".into(), "S".into(), Some("T".into()))
        );
        assert_eq!(
            static_keys(resolve_text("", creds, Some("dev"))),
            ("B".into(), "S2".into(), None)
        );
    }

    #[test]
    fn source_profile_chain() {
        let config = "[profile a]\nsource_profile = b\n[profile b]\nsource_profile = c\n[profile c]\nregion = x\n";
        let creds = "[c]\naws_access_key_id = C\naws_secret_access_key = SC\n";
        assert_eq!(static_keys(resolve_text(config, creds, Some("a"))).0, "C");
        let cycle = "[profile a]\nsource_profile = b\n[profile b]\nsource_profile = a\n";
        let err = resolve_text(cycle, "", Some("a")).err().unwrap();
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.message().contains("cycle"), "{err}");
        let dangling = resolve_text("[profile a]\nsource_profile = zz\n", "", Some("a"))
            .err()
            .unwrap();
        assert!(dangling.message().contains("`zz`"), "{dangling}");
    }

    #[test]
    fn keys_win_over_process_and_process_is_found() {
        let config = "[default]\ncredential_process = echo hi\n";
        assert!(matches!(resolve_text(config, "", None), Ok(Source::Process(c)) if c == "echo hi"));
        let creds = "[default]\naws_access_key_id = A\naws_secret_access_key = S\n";
        assert_eq!(static_keys(resolve_text(config, creds, None)).0, "A");
    }

    #[test]
    fn unsupported_and_unconfigured() {
        let cases = [
            (
                "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n",
                "STS",
            ),
            (
                "[default]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n",
                "web identity",
            ),
            ("[default]\nsso_session = s\n", "SSO"),
        ];
        for (config, needle) in cases {
            let err = resolve_text(config, "", None).err().unwrap();
            assert_eq!(err.kind(), CredentialsErrorKind::Unsupported, "{err}");
            assert!(err.message().contains(needle), "{err}");
        }
        assert!(resolve_text("[default]\nregion = x\n", "", None)
            .err()
            .unwrap()
            .is_not_configured());
        assert!(resolve_text("", "", None)
            .err()
            .unwrap()
            .is_not_configured());
        let missing = resolve_text("", "", Some("nope")).err().unwrap();
        assert_eq!(missing.kind(), CredentialsErrorKind::InvalidConfiguration);
        let half = resolve_text("[default]\naws_access_key_id = A\n", "", None)
            .err()
            .unwrap();
        assert_eq!(half.kind(), CredentialsErrorKind::InvalidConfiguration);
    }
}
