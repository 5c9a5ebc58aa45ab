//! STS AssumeRoleWithWebIdentity: an OIDC token file (EKS IRSA, GitHub Actions, ...) exchanged
//! for role credentials.

use std::path::PathBuf;

use awsrt::config::Config;
use awsrt::credentials::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
use awsrt::profile::Env;

const NAME: &str = "web-identity";

/// Exchanges the token in a file for role credentials through STS AssumeRoleWithWebIdentity.
/// The call is unsigned (the token is the proof); the file is read again on every refresh, as
/// the platforms that write it rotate it. Not cached by itself.
#[derive(Debug, Clone)]
pub struct WebIdentityProvider {
    source: Source,
    config: Config,
}

#[derive(Debug, Clone)]
enum Source {
    /// `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN`, `AWS_ROLE_SESSION_NAME`, read per call.
    Env(Env),
    Fixed(Settings),
}

#[derive(Debug, Clone)]
struct Settings {
    token_file: PathBuf,
    role_arn: String,
    session_name: Option<String>,
}

impl WebIdentityProvider {
    /// Settings from `AWS_WEB_IDENTITY_TOKEN_FILE`, `AWS_ROLE_ARN` and `AWS_ROLE_SESSION_NAME`
    /// of `config`'s environment, read on every call; "not configured" when the first two are
    /// not both set.
    pub fn from_env(config: &Config) -> WebIdentityProvider {
        WebIdentityProvider {
            source: Source::Env(config.env().cloned().unwrap_or_else(Env::real)),
            config: config.clone(),
        }
    }

    /// A provider for this token file and role.
    pub fn new(
        config: &Config,
        token_file: impl Into<PathBuf>,
        role_arn: impl Into<String>,
        session_name: Option<String>,
    ) -> WebIdentityProvider {
        WebIdentityProvider {
            source: Source::Fixed(Settings {
                token_file: token_file.into(),
                role_arn: role_arn.into(),
                session_name,
            }),
            config: config.clone(),
        }
    }

    fn settings(&self) -> Result<Settings, CredentialsError> {
        match &self.source {
            Source::Fixed(s) => Ok(s.clone()),
            Source::Env(env) => {
                let file = env
                    .get("AWS_WEB_IDENTITY_TOKEN_FILE")
                    .filter(|v| !v.is_empty());
                let role = env.get("AWS_ROLE_ARN").filter(|v| !v.is_empty());
                match (file, role) {
                    (Some(file), Some(role_arn)) => Ok(Settings {
                        token_file: env.expand_home(&file),
                        role_arn,
                        session_name: env.get("AWS_ROLE_SESSION_NAME").filter(|v| !v.is_empty()),
                    }),
                    (Some(_), None) => Err(CredentialsError::invalid_configuration(
                        NAME,
                        "AWS_WEB_IDENTITY_TOKEN_FILE is set but AWS_ROLE_ARN is not",
                    )),
                    (None, _) => Err(CredentialsError::not_configured(
                        NAME,
                        "AWS_WEB_IDENTITY_TOKEN_FILE is not set",
                    )),
                }
            }
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let s = self.settings()?;
        let token = std::fs::read_to_string(&s.token_file).map_err(|e| {
            CredentialsError::invalid_configuration(
                NAME,
                format!(
                    "cannot read the web identity token file {}: {e}",
                    s.token_file.display()
                ),
            )
        })?;
        let token = token.trim();
        if token.is_empty() {
            return Err(CredentialsError::invalid_configuration(
                NAME,
                format!(
                    "the web identity token file {} is empty",
                    s.token_file.display()
                ),
            ));
        }
        let config = crate::client_config(&self.config, None, None);
        let out = sts::Client::new(&config)
            .assume_role_with_web_identity()
            .role_arn(&s.role_arn)
            .role_session_name(s.session_name.unwrap_or_else(crate::default_session_name))
            .web_identity_token(token)
            .send()
            .await
            .map_err(|e| {
                crate::failed(
                    NAME,
                    &format!("AssumeRoleWithWebIdentity {}", s.role_arn),
                    e,
                )
            })?;
        crate::assume_role::from_sts(NAME, out.credentials())
    }
}

impl ProvideCredentials for WebIdentityProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}
