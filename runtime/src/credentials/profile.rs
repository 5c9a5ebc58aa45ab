//! Credentials from the selected profile of the shared files, and [`resolve_chain`]: what a
//! profile's credentials come from once `source_profile` links are followed.

use std::path::PathBuf;
use std::time::Duration;

use super::{BoxFuture, Credentials, CredentialsError, ProcessProvider, ProvideCredentials};
use crate::profile::{Env, Profile, ProfileSet};

const NAME: &str = "profile";
/// Longest `source_profile` chain followed.
const MAX_CHAIN: usize = 16;

/// Credentials of the selected profile (`AWS_PROFILE`, default `default`), read from the
/// shared files each time it is asked: static keys (`aws_access_key_id`,
/// `aws_secret_access_key`, `aws_session_token`) or `credential_process`, directly or through
/// `source_profile` links.
///
/// Profiles that need STS or IAM Identity Center (`role_arn`, `web_identity_token_file`,
/// `sso_session`, `sso_start_url`) give a [`CredentialsErrorKind::Unsupported`] error here:
/// the `awsconfig` crate, which sits above the generated STS and SSO clients, resolves them
/// (from the same [`resolve_chain`]).
///
/// A profile with no credentials settings is "not configured", so a chain moves on.
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
        let chain = resolve_chain(profiles, &self.env)?;
        if let Some(role) = chain.roles.first() {
            return Err(CredentialsError::unsupported(
                NAME,
                format!(
                    "profile `{}` assumes role {} through STS; load the configuration with the \
                     `awsconfig` crate (awsconfig::load_from_env), which calls STS",
                    role.profile, role.role_arn
                ),
            ));
        }
        match chain.base {
            BaseCredentials::Static(credentials) => Ok(credentials),
            BaseCredentials::Process { command, .. } => {
                ProcessProvider::new(command)
                    .with_timeout(self.process_timeout)
                    .run()
                    .await
            }
            other => Err(CredentialsError::unsupported(
                NAME,
                format!(
                    "profile `{}` uses {}; load the configuration with the `awsconfig` crate \
                     (awsconfig::load_from_env), which calls STS and IAM Identity Center",
                    other.profile(),
                    other.describe()
                ),
            )),
        }
    }
}

impl ProvideCredentials for ProfileProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

/// What a profile's credentials come from: a base source, then roles assumed one after the
/// other (`roles[0]` with the base credentials, each next one with the credentials of the one
/// before).
#[derive(Debug, Clone)]
pub struct ProfileChain {
    /// Where the first credentials come from.
    pub base: BaseCredentials,
    /// Roles to assume in order, starting from the base credentials.
    pub roles: Vec<RoleSettings>,
}

/// The first link of a [`ProfileChain`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum BaseCredentials {
    /// Static keys of a profile.
    Static(Credentials),
    /// `credential_process`: a command printing credentials.
    Process {
        /// The profile that names the command.
        profile: String,
        /// The command line.
        command: String,
    },
    /// `role_arn` + `web_identity_token_file`: STS AssumeRoleWithWebIdentity.
    WebIdentity {
        /// The profile holding the settings.
        profile: String,
        /// The role to assume.
        role_arn: String,
        /// File holding the OIDC token (read again on every refresh).
        token_file: PathBuf,
        /// `role_session_name`, if set.
        session_name: Option<String>,
    },
    /// IAM Identity Center: `sso_session` or the legacy `sso_start_url` keys.
    Sso(SsoSettings),
    /// `credential_source`: credentials of the environment the program runs in.
    CredentialSource {
        /// The profile naming the source.
        profile: String,
        /// Which source.
        source: CredentialSource,
    },
}

impl BaseCredentials {
    /// The profile these settings come from.
    pub fn profile(&self) -> &str {
        match self {
            BaseCredentials::Static(_) => "(static keys)",
            BaseCredentials::Process { profile, .. }
            | BaseCredentials::WebIdentity { profile, .. }
            | BaseCredentials::CredentialSource { profile, .. } => profile,
            BaseCredentials::Sso(s) => &s.profile,
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            BaseCredentials::Static(_) => "static keys",
            BaseCredentials::Process { .. } => "credential_process",
            BaseCredentials::WebIdentity { .. } => {
                "web identity federation (role_arn + web_identity_token_file)"
            }
            BaseCredentials::Sso(_) => "IAM Identity Center (SSO)",
            BaseCredentials::CredentialSource { .. } => "credential_source",
        }
    }
}

/// The values of `credential_source`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialSource {
    /// `Environment`: `AWS_ACCESS_KEY_ID` and friends.
    Environment,
    /// `Ec2InstanceMetadata`: the instance's role, through IMDS.
    Ec2InstanceMetadata,
    /// `EcsContainer`: the container credentials endpoint.
    EcsContainer,
}

/// An IAM Identity Center profile, with its `sso-session` section applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSettings {
    /// The profile.
    pub profile: String,
    /// The `sso_session` name; `None` for a legacy profile (`sso_start_url` in the profile),
    /// whose token cannot be refreshed.
    pub session_name: Option<String>,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`: where the SSO and SSO-OIDC services are called.
    pub region: String,
    /// `sso_account_id`.
    pub account_id: String,
    /// `sso_role_name`.
    pub role_name: String,
}

/// One `role_arn` profile of a chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleSettings {
    /// The profile.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `role_session_name`.
    pub session_name: Option<String>,
    /// `duration_seconds`.
    pub duration_seconds: Option<i32>,
}

fn invalid(message: String) -> CredentialsError {
    CredentialsError::invalid_configuration(NAME, message)
}

/// Follows the selected profile's `source_profile` links and says where its credentials come
/// from. Reads `role_arn`, `source_profile`, `credential_source`, `external_id`,
/// `role_session_name`, `duration_seconds`, `mfa_serial` (an error: there is no one to ask for
/// the code), `web_identity_token_file`, the SSO keys, static keys and `credential_process`.
///
/// Static keys in a source profile end the chain even when that profile also has a `role_arn`
/// (a profile may name itself as `source_profile` for that), as in the official SDKs. A
/// profile without `role_arn` and without credentials of its own takes them from its
/// `source_profile`. Cycles are errors naming the profiles; a selected profile without
/// credentials settings is "not configured".
pub fn resolve_chain(profiles: &ProfileSet, env: &Env) -> Result<ProfileChain, CredentialsError> {
    let first = profiles.selected_name();
    let mut name = first.to_owned();
    let mut visited: Vec<String> = Vec::new();
    let mut roles: Vec<RoleSettings> = Vec::new();
    let base = loop {
        let profile = match profiles.profile(&name) {
            Some(p) => p,
            None if visited.is_empty() && !profiles.is_explicitly_selected() => {
                return Err(CredentialsError::not_configured(
                    NAME,
                    format!("no profile named `{name}`"),
                ));
            }
            None if visited.is_empty() => {
                return Err(invalid(format!(
                    "AWS_PROFILE names profile `{name}`, which the shared files do not define"
                )));
            }
            None => {
                return Err(invalid(format!(
                    "profile `{}` has source_profile `{name}`, which is not defined",
                    visited[visited.len() - 1]
                )));
            }
        };
        visited.push(name.clone());
        if visited.len() > 1 {
            if let Some(keys) = static_keys(profile)? {
                break keys;
            }
        }
        let Some(role_arn) = profile.get("role_arn") else {
            match base_of(profile, profiles)? {
                Some(base) => break base,
                // Without role_arn, `source_profile` still names where the keys are (an
                // alias profile, e.g. one that only adds a region).
                None => {
                    if let Some(next) = profile.get("source_profile") {
                        name = follow(&visited, next)?;
                        continue;
                    }
                }
            }
            if visited.len() == 1 {
                return Err(CredentialsError::not_configured(
                    NAME,
                    format!("profile `{name}` has no credentials"),
                ));
            }
            return Err(invalid(format!(
                "source_profile `{name}` (from profile `{first}`) has no credentials"
            )));
        };
        if profile.get("mfa_serial").is_some() {
            return Err(invalid(format!(
                "profile `{name}` sets mfa_serial: assuming a role that needs an MFA code is not \
                 supported (there is no one to ask for the code); get session credentials with \
                 the code first (for example `aws sts get-session-token`) and use those"
            )));
        }
        if let Some(file) = profile.get("web_identity_token_file") {
            break BaseCredentials::WebIdentity {
                profile: name.clone(),
                role_arn: role_arn.to_owned(),
                token_file: env.expand_home(file),
                session_name: profile.get("role_session_name").map(str::to_owned),
            };
        }
        roles.push(role_settings(profile, role_arn)?);
        match (
            profile.get("source_profile"),
            profile.get("credential_source"),
        ) {
            (Some(_), Some(_)) => {
                return Err(invalid(format!(
                    "profile `{name}` sets both source_profile and credential_source; keep one"
                )));
            }
            (None, None) => {
                return Err(invalid(format!(
                    "profile `{name}` has role_arn but neither source_profile nor credential_source"
                )));
            }
            (None, Some(source)) => {
                let source = match source.trim() {
                    "Environment" => CredentialSource::Environment,
                    "Ec2InstanceMetadata" => CredentialSource::Ec2InstanceMetadata,
                    "EcsContainer" => CredentialSource::EcsContainer,
                    other => {
                        return Err(invalid(format!(
                            "profile `{name}`: credential_source `{other}` is not one of \
                             Environment, Ec2InstanceMetadata, EcsContainer"
                        )));
                    }
                };
                break BaseCredentials::CredentialSource {
                    profile: name.clone(),
                    source,
                };
            }
            (Some(next), None) if next == name => match static_keys(profile)? {
                Some(keys) => break keys,
                None => {
                    return Err(invalid(format!(
                        "profile `{name}` names itself as source_profile but has no static keys"
                    )));
                }
            },
            (Some(next), None) => name = follow(&visited, next)?,
        }
    };
    roles.reverse();
    Ok(ProfileChain { base, roles })
}

/// The next profile of a `source_profile` chain, unless it closes a cycle or the chain is too
/// long.
fn follow(visited: &[String], next: &str) -> Result<String, CredentialsError> {
    if visited.iter().any(|v| v == next) {
        return Err(invalid(format!(
            "source_profile cycle: {} -> {next}",
            visited.join(" -> ")
        )));
    }
    if visited.len() >= MAX_CHAIN {
        return Err(invalid(format!(
            "source_profile chain longer than {MAX_CHAIN}: {}",
            visited.join(" -> ")
        )));
    }
    Ok(next.to_owned())
}

fn role_settings(profile: &Profile, role_arn: &str) -> Result<RoleSettings, CredentialsError> {
    let duration_seconds = match profile.get("duration_seconds") {
        None => None,
        Some(v) => Some(
            v.trim()
                .parse::<i32>()
                .ok()
                .filter(|d| *d > 0)
                .ok_or_else(|| {
                    invalid(format!(
                        "profile `{}`: duration_seconds `{v}` is not a positive number of seconds",
                        profile.name()
                    ))
                })?,
        ),
    };
    Ok(RoleSettings {
        profile: profile.name().to_owned(),
        role_arn: role_arn.to_owned(),
        external_id: profile.get("external_id").map(str::to_owned),
        session_name: profile.get("role_session_name").map(str::to_owned),
        duration_seconds,
    })
}

fn static_keys(profile: &Profile) -> Result<Option<BaseCredentials>, CredentialsError> {
    match (
        profile.get("aws_access_key_id"),
        profile.get("aws_secret_access_key"),
    ) {
        (Some(key), Some(secret)) => {
            let token = profile.get("aws_session_token").map(str::to_owned);
            Ok(Some(BaseCredentials::Static(Credentials::new(
                key, secret, token, None, NAME,
            ))))
        }
        (Some(_), None) => Err(invalid(format!(
            "profile `{}` has aws_access_key_id but no aws_secret_access_key",
            profile.name()
        ))),
        _ => Ok(None),
    }
}

/// The base of a profile without `role_arn`: SSO, static keys or `credential_process`.
fn base_of(
    profile: &Profile,
    profiles: &ProfileSet,
) -> Result<Option<BaseCredentials>, CredentialsError> {
    if let Some(sso) = sso_settings(profile, profiles)? {
        return Ok(Some(BaseCredentials::Sso(sso)));
    }
    if let Some(keys) = static_keys(profile)? {
        return Ok(Some(keys));
    }
    Ok(profile
        .get("credential_process")
        .map(|c| BaseCredentials::Process {
            profile: profile.name().to_owned(),
            command: c.to_owned(),
        }))
}

fn sso_settings(
    profile: &Profile,
    profiles: &ProfileSet,
) -> Result<Option<SsoSettings>, CredentialsError> {
    let name = profile.name();
    let session_name = profile.get("sso_session");
    if session_name.is_none()
        && !["sso_start_url", "sso_account_id", "sso_role_name"]
            .iter()
            .any(|k| profile.get(k).is_some())
    {
        return Ok(None);
    }
    let required = |section: &Profile, key: &str, what: &str| {
        section
            .get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid(format!("{what} is missing `{key}`")))
    };
    let what = format!("SSO profile `{name}`");
    let (start_url, region) = match session_name {
        Some(session) => {
            let section = profiles.sso_session(session).ok_or_else(|| {
                invalid(format!(
                    "profile `{name}` names sso_session `{session}`, which has no \
                     [sso-session {session}] section"
                ))
            })?;
            let where_ = format!("[sso-session {session}]");
            let start_url = required(section, "sso_start_url", &where_)?;
            let region = required(section, "sso_region", &where_)?;
            for (key, value) in [("sso_start_url", &start_url), ("sso_region", &region)] {
                if let Some(own) = profile.get(key) {
                    if own.trim() != value {
                        return Err(invalid(format!(
                            "profile `{name}` sets {key} `{own}`, but its sso_session `{session}` \
                             says `{value}`"
                        )));
                    }
                }
            }
            (start_url, region)
        }
        None => (
            required(profile, "sso_start_url", &what)?,
            required(profile, "sso_region", &what)?,
        ),
    };
    Ok(Some(SsoSettings {
        profile: name.to_owned(),
        session_name: session_name.map(str::to_owned),
        start_url,
        region,
        account_id: required(profile, "sso_account_id", &what)?,
        role_name: required(profile, "sso_role_name", &what)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credentials::CredentialsErrorKind;

    fn chain(
        config: &str,
        credentials: &str,
        profile: Option<&str>,
    ) -> Result<ProfileChain, CredentialsError> {
        let env = Env::from_pairs([("HOME", "/home/u")]);
        resolve_chain(
            &ProfileSet::parse(config, credentials, profile).unwrap(),
            &env,
        )
    }

    fn static_key(result: Result<ProfileChain, CredentialsError>) -> (String, Vec<String>) {
        match result {
            Ok(ProfileChain {
                base: BaseCredentials::Static(c),
                roles,
            }) => (
                c.access_key_id().to_owned(),
                roles.into_iter().map(|r| r.role_arn).collect(),
            ),
            Ok(other) => panic!("expected static keys, got {other:?}"),
            Err(e) => panic!("expected static keys, got {e}"),
        }
    }

    fn error(result: Result<ProfileChain, CredentialsError>) -> CredentialsError {
        match result {
            Ok(c) => panic!("expected an error, got {c:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn static_keys_from_selected_profile() {
        let creds = "[default]\naws_access_key_id = A\naws_secret_access_key = S\naws_session_token = T\n[dev]\naws_access_key_id = B\naws_secret_access_key = S2\n";
        assert_eq!(static_key(chain("", creds, None)), ("A".into(), vec![]));
        assert_eq!(static_key(chain("", creds, Some("dev"))).0, "B");
    }

    #[test]
    fn source_profile_chains_collect_roles_innermost_first() {
        let config = "[profile a]\nrole_arn = arn:a\nsource_profile = b\nexternal_id = X\nrole_session_name = s\nduration_seconds = 900\n\
                      [profile b]\nrole_arn = arn:b\nsource_profile = c\n[profile c]\nregion = x\n";
        let creds = "[c]\naws_access_key_id = C\naws_secret_access_key = SC\n";
        assert_eq!(
            static_key(chain(config, creds, Some("a"))),
            ("C".into(), vec!["arn:b".to_owned(), "arn:a".to_owned()])
        );
        let roles = chain(config, creds, Some("a")).unwrap().roles;
        assert_eq!(roles[1].external_id.as_deref(), Some("X"));
        assert_eq!(roles[1].session_name.as_deref(), Some("s"));
        assert_eq!(roles[1].duration_seconds, Some(900));
        assert_eq!(roles[0].external_id, None);
    }

    #[test]
    fn static_keys_in_a_source_profile_win_over_its_role() {
        let config = "[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = b\n";
        let creds = "[b]\naws_access_key_id = B\naws_secret_access_key = SB\n";
        assert_eq!(
            static_key(chain(config, creds, Some("a"))),
            ("B".into(), vec!["arn:a".to_owned()])
        );
        // A profile naming itself: its keys are the base of its own role.
        assert_eq!(
            static_key(chain(config, creds, Some("b"))),
            ("B".into(), vec!["arn:b".to_owned()])
        );
    }

    #[test]
    fn cycles_and_dangling_links_are_named() {
        let cycle = "[profile a]\nrole_arn = arn:a\nsource_profile = b\n[profile b]\nrole_arn = arn:b\nsource_profile = a\n";
        let err = error(chain(cycle, "", Some("a")));
        assert_eq!(err.kind(), CredentialsErrorKind::InvalidConfiguration);
        assert!(err.message().contains("cycle: a -> b -> a"), "{err}");
        let dangling = error(chain(
            "[profile a]\nrole_arn = r\nsource_profile = zz\n",
            "",
            Some("a"),
        ));
        assert!(dangling.message().contains("`zz`"), "{dangling}");
    }

    #[test]
    fn credential_source_web_identity_and_sso() {
        let c = chain(
            "[default]\nrole_arn = arn:r\ncredential_source = Ec2InstanceMetadata\n",
            "",
            None,
        )
        .unwrap();
        assert!(matches!(
            c.base,
            BaseCredentials::CredentialSource {
                source: CredentialSource::Ec2InstanceMetadata,
                ..
            }
        ));
        assert_eq!(c.roles.len(), 1);
        let bad = error(chain(
            "[default]\nrole_arn = arn:r\ncredential_source = Laptop\n",
            "",
            None,
        ));
        assert!(bad.message().contains("Laptop"), "{bad}");

        let w = chain(
            "[default]\nrole_arn = arn:w\nweb_identity_token_file = ~/token\nrole_session_name = me\n",
            "",
            None,
        )
        .unwrap();
        match w.base {
            BaseCredentials::WebIdentity {
                role_arn,
                token_file,
                session_name,
                ..
            } => {
                assert_eq!(role_arn, "arn:w");
                assert_eq!(token_file, PathBuf::from("/home/u/token"));
                assert_eq!(session_name.as_deref(), Some("me"));
            }
            other => panic!("{other:?}"),
        }
        assert!(w.roles.is_empty());

        let config = "[profile dev]\nsso_session = corp\nsso_account_id = 111\nsso_role_name = Dev\n\
                      [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n\
                      [profile old]\nsso_start_url = https://old/start\nsso_region = us-east-1\nsso_account_id = 222\nsso_role_name = R\n\
                      [profile broken]\nsso_session = nope\nsso_account_id = 1\nsso_role_name = R\n\
                      [profile half]\nsso_start_url = https://x\nsso_region = us-east-1\nsso_role_name = R\n";
        let BaseCredentials::Sso(s) = chain(config, "", Some("dev")).unwrap().base else {
            panic!("dev is an SSO profile")
        };
        assert_eq!(s.session_name.as_deref(), Some("corp"));
        assert_eq!(s.start_url, "https://corp.awsapps.com/start");
        assert_eq!(
            (s.region.as_str(), s.account_id.as_str()),
            ("eu-west-1", "111")
        );
        let BaseCredentials::Sso(s) = chain(config, "", Some("old")).unwrap().base else {
            panic!("old is a legacy SSO profile")
        };
        assert_eq!((s.session_name, s.role_name.as_str()), (None, "R"));
        assert!(error(chain(config, "", Some("broken")))
            .message()
            .contains("[sso-session nope]"));
        assert!(error(chain(config, "", Some("half")))
            .message()
            .contains("sso_account_id"));
    }

    #[test]
    fn mfa_and_incomplete_roles_are_errors() {
        let mfa = error(chain(
            "[default]\nrole_arn = r\nsource_profile = default\nmfa_serial = arn:mfa\naws_access_key_id = A\naws_secret_access_key = S\n",
            "",
            None,
        ));
        assert!(mfa.message().contains("mfa_serial"), "{mfa}");
        let lonely = error(chain("[default]\nrole_arn = r\n", "", None));
        assert!(
            lonely.message().contains("neither source_profile"),
            "{lonely}"
        );
        let both = error(chain(
            "[default]\nrole_arn = r\nsource_profile = x\ncredential_source = Environment\n",
            "",
            None,
        ));
        assert!(both.message().contains("both"), "{both}");
        let duration = error(chain(
            "[default]\nrole_arn = r\ncredential_source = Environment\nduration_seconds = soon\n",
            "",
            None,
        ));
        assert!(duration.message().contains("soon"), "{duration}");
    }

    #[test]
    fn keys_win_over_process_and_process_is_found() {
        let config = "[default]\ncredential_process = echo hi\n";
        assert!(matches!(
            chain(config, "", None).unwrap().base,
            BaseCredentials::Process { command, .. } if command == "echo hi"
        ));
        let creds = "[default]\naws_access_key_id = A\naws_secret_access_key = S\n";
        assert_eq!(static_key(chain(config, creds, None)).0, "A");
    }

    #[test]
    fn unconfigured_and_invalid() {
        assert!(error(chain("[default]\nregion = x\n", "", None)).is_not_configured());
        assert!(error(chain("", "", None)).is_not_configured());
        let missing = error(chain("", "", Some("nope")));
        assert_eq!(missing.kind(), CredentialsErrorKind::InvalidConfiguration);
        let half = error(chain("[default]\naws_access_key_id = A\n", "", None));
        assert_eq!(half.kind(), CredentialsErrorKind::InvalidConfiguration);
    }

    #[tokio::test]
    async fn the_runtime_provider_points_at_awsconfig_for_sts_and_sso() {
        for config in [
            "[default]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n[profile x]\naws_access_key_id = A\naws_secret_access_key = S\n",
            "[default]\nrole_arn = arn:aws:iam::1:role/r\nweb_identity_token_file = /t\n",
            "[default]\nsso_start_url = u\nsso_region = r\nsso_account_id = 1\nsso_role_name = n\n",
        ] {
            let p = ProfileProvider::from_profiles(ProfileSet::parse(config, "", None).unwrap());
            let err = p.provide_credentials().await.err().unwrap();
            assert_eq!(err.kind(), CredentialsErrorKind::Unsupported, "{err}");
            assert!(err.message().contains("awsconfig"), "{err}");
        }
    }
}
