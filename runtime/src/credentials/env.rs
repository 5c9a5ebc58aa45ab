//! Credentials from `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.

use super::{BoxFuture, Credentials, CredentialsError, ProvideCredentials};
use crate::profile::Env;

const NAME: &str = "env";

/// Reads `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, optional `AWS_SESSION_TOKEN` and
/// optional `AWS_CREDENTIAL_EXPIRATION` (RFC 3339) each time it is asked.
#[derive(Debug, Clone)]
pub struct EnvProvider {
    env: Env,
}

impl EnvProvider {
    /// A provider reading `env`.
    pub fn new(env: &Env) -> EnvProvider {
        EnvProvider { env: env.clone() }
    }

    fn load(&self) -> Result<Credentials, CredentialsError> {
        let access_key = self.env.get("AWS_ACCESS_KEY_ID");
        let secret = self.env.get("AWS_SECRET_ACCESS_KEY");
        let (access_key, secret) = match (access_key, secret) {
            (Some(a), Some(s)) => (a, s),
            (None, None) => {
                return Err(CredentialsError::not_configured(
                    NAME,
                    "AWS_ACCESS_KEY_ID is not set",
                ));
            }
            (Some(_), None) => {
                return Err(CredentialsError::invalid_configuration(
                    NAME,
                    "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not",
                ));
            }
            (None, Some(_)) => {
                return Err(CredentialsError::invalid_configuration(
                    NAME,
                    "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not",
                ));
            }
        };
        let expiry = match self.env.get("AWS_CREDENTIAL_EXPIRATION") {
            Some(text) => Some(crate::sigv4::time::parse_rfc3339(&text).ok_or_else(|| {
                CredentialsError::invalid_configuration(
                    NAME,
                    "AWS_CREDENTIAL_EXPIRATION is not an RFC 3339 timestamp",
                )
            })?),
            None => None,
        };
        Ok(Credentials::new(
            access_key,
            secret,
            self.env.get("AWS_SESSION_TOKEN"),
            expiry,
            NAME,
        ))
    }
}

impl ProvideCredentials for EnvProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        let result = self.load();
        Box::pin(async move { result })
    }
}
