//! EC2 instance metadata (IMDSv2) credentials.

use std::time::{Duration, Instant};

use http::Method;
use tokio::sync::Mutex;

use super::http::{send, HttpError, Response};
use super::{
    json, BoxFuture, Credentials, CredentialsError, CredentialsErrorKind, NetworkTimeouts,
    ProvideCredentials,
};
use crate::profile::Env;

const NAME: &str = "imds";
const DEFAULT_ENDPOINT: &str = "http://169.254.169.254";
const DEFAULT_ENDPOINT_V6: &str = "http://[fd00:ec2::254]";
const TOKEN_PATH: &str = "/latest/api/token";
const ROLE_PATH: &str = "/latest/meta-data/iam/security-credentials/";
const TOKEN_TTL_SECS: u64 = 21_600;
const TOKEN_TTL_HEADER: &str = "x-aws-ec2-metadata-token-ttl-seconds";
const TOKEN_HEADER: &str = "x-aws-ec2-metadata-token";

/// Fetches the instance role's credentials from the EC2 instance metadata service with the
/// IMDSv2 session flow: `PUT /latest/api/token` (token reused until shortly before its TTL),
/// then `GET /latest/meta-data/iam/security-credentials/` for the role name and
/// `GET .../<role>` for the credentials.
///
/// `AWS_EC2_METADATA_DISABLED=true` turns it off; `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// replaces the endpoint, `AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6` selects the IPv6 one.
///
/// Static stability: when IMDS cannot be reached or fails after it has answered once, the last
/// credentials it gave are served again with their expiry moved to
/// [`STALE_EXTENSION`](ImdsProvider::STALE_EXTENSION) plus up
/// to five minutes of jitter from now, so that a cache in front asks again only after several
/// minutes instead of failing every call while IMDS is down (the instance's credentials stay
/// valid on the AWS side well past the expiry IMDS announced).
#[derive(Debug)]
pub struct ImdsProvider {
    env: Env,
    timeouts: NetworkTimeouts,
    token: Mutex<Option<(String, Instant)>>,
    last: std::sync::Mutex<Option<Credentials>>,
}

impl ImdsProvider {
    /// How far from now the expiry of credentials served again during an IMDS outage is
    /// moved (before jitter): past the caching provider's five-minute refresh buffer, so the
    /// next attempt comes five to ten minutes later.
    pub const STALE_EXTENSION: Duration = Duration::from_secs(600);

    /// A provider reading its settings from `env` on every call.
    pub fn new(env: &Env) -> ImdsProvider {
        ImdsProvider {
            env: env.clone(),
            timeouts: NetworkTimeouts::default(),
            token: Mutex::new(None),
            last: std::sync::Mutex::new(None),
        }
    }

    /// Sets the connect and read timeouts (default one second each).
    pub fn with_timeouts(mut self, timeouts: NetworkTimeouts) -> ImdsProvider {
        self.timeouts = timeouts;
        self
    }

    fn endpoint(&self) -> Result<String, CredentialsError> {
        if self
            .env
            .get("AWS_EC2_METADATA_DISABLED")
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
        {
            return Err(CredentialsError::not_configured(
                NAME,
                "disabled by AWS_EC2_METADATA_DISABLED",
            ));
        }
        let endpoint = match self.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") {
            Some(endpoint) => endpoint,
            None => match self.env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE") {
                Some(mode) if mode.eq_ignore_ascii_case("ipv6") => DEFAULT_ENDPOINT_V6.to_owned(),
                Some(mode) if mode.eq_ignore_ascii_case("ipv4") => DEFAULT_ENDPOINT.to_owned(),
                Some(_) => {
                    return Err(CredentialsError::invalid_configuration(
                        NAME,
                        "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE must be IPv4 or IPv6",
                    ));
                }
                None => DEFAULT_ENDPOINT.to_owned(),
            },
        };
        Ok(endpoint.trim_end_matches('/').to_owned())
    }

    fn error(&self, what: &str, e: HttpError) -> CredentialsError {
        let kind = if e.is_timeout() {
            CredentialsErrorKind::Timeout
        } else {
            CredentialsErrorKind::ProviderFailed
        };
        CredentialsError::new(NAME, kind, format!("{what}: {e}"))
    }

    async fn session_token(&self, endpoint: &str) -> Result<String, CredentialsError> {
        let mut cached = self.token.lock().await;
        if let Some((token, valid_until)) = cached.as_ref() {
            if Instant::now() < *valid_until {
                return Ok(token.clone());
            }
        }
        let ttl = TOKEN_TTL_SECS.to_string();
        let url = format!("{endpoint}{TOKEN_PATH}");
        let response = send(
            Method::PUT,
            &url,
            &[(TOKEN_TTL_HEADER, &ttl)],
            self.timeouts,
        )
        .await
        .map_err(|e| self.error("session token request", e))?;
        if response.status != 200 {
            return Err(CredentialsError::provider_failed(
                NAME,
                format!("session token request: HTTP status {}", response.status),
            ));
        }
        let token = String::from_utf8(response.body.to_vec())
            .map_err(|_| CredentialsError::provider_failed(NAME, "session token is not UTF-8"))?;
        let token = token.trim().to_owned();
        if token.is_empty() || token.contains(['\r', '\n']) {
            return Err(CredentialsError::provider_failed(
                NAME,
                "session token response is malformed",
            ));
        }
        *cached = Some((
            token.clone(),
            Instant::now() + Duration::from_secs(TOKEN_TTL_SECS - 60),
        ));
        Ok(token)
    }

    async fn get(
        &self,
        endpoint: &str,
        path: &str,
        what: &str,
    ) -> Result<Response, CredentialsError> {
        // One retry with a fresh session token when the cached one is refused.
        for attempt in 0..2 {
            let token = self.session_token(endpoint).await?;
            let url = format!("{endpoint}{path}");
            let response = send(Method::GET, &url, &[(TOKEN_HEADER, &token)], self.timeouts)
                .await
                .map_err(|e| self.error(what, e))?;
            if response.status == 401 && attempt == 0 {
                *self.token.lock().await = None;
                continue;
            }
            return Ok(response);
        }
        Err(CredentialsError::provider_failed(
            NAME,
            format!("{what}: session token refused"),
        ))
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let result = self.fetch().await;
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        match result {
            Ok(credentials) => {
                *last = Some(credentials.clone());
                let now = std::time::SystemTime::now();
                if credentials.expires_within(now, Duration::ZERO) {
                    // IMDS itself serves expired credentials during an AWS-side outage.
                    return Ok(extended(&credentials));
                }
                Ok(credentials)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    CredentialsErrorKind::ProviderFailed | CredentialsErrorKind::Timeout
                ) =>
            {
                match last.as_ref() {
                    Some(previous) => {
                        tracing::warn!(error = %e, "instance metadata unavailable; serving the last credentials it gave");
                        Ok(extended(previous))
                    }
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// The instance's region (`/latest/meta-data/placement/region`), for configuration that
    /// sets no region otherwise.
    pub async fn region(&self) -> Result<String, CredentialsError> {
        let endpoint = self.endpoint()?;
        let response = self
            .get(
                &endpoint,
                "/latest/meta-data/placement/region",
                "region request",
            )
            .await?;
        let region = String::from_utf8_lossy(&response.body).trim().to_owned();
        let valid = !region.is_empty()
            && region
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if response.status != 200 || !valid {
            return Err(CredentialsError::provider_failed(
                NAME,
                format!("region request: HTTP status {}", response.status),
            ));
        }
        Ok(region)
    }

    async fn fetch(&self) -> Result<Credentials, CredentialsError> {
        let endpoint = self.endpoint()?;
        let roles = self.get(&endpoint, ROLE_PATH, "role name request").await?;
        if roles.status == 404 {
            return Err(CredentialsError::not_configured(
                NAME,
                "no IAM role is attached to this instance",
            ));
        }
        if roles.status != 200 {
            return Err(CredentialsError::provider_failed(
                NAME,
                format!("role name request: HTTP status {}", roles.status),
            ));
        }
        let roles = String::from_utf8_lossy(&roles.body).into_owned();
        let role = roles
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .ok_or_else(|| {
                CredentialsError::not_configured(NAME, "no IAM role is attached to this instance")
            })?;
        if role.contains(['/', '?', '#']) {
            return Err(CredentialsError::provider_failed(
                NAME,
                "role name contains URL delimiters",
            ));
        }
        let path = format!("{ROLE_PATH}{role}");
        let response = self.get(&endpoint, &path, "credentials request").await?;
        if response.status != 200 {
            return Err(CredentialsError::provider_failed(
                NAME,
                format!(
                    "credentials request for role {role}: HTTP status {}",
                    response.status
                ),
            ));
        }
        json::parse(NAME, &response.body, &json::CONTAINER, false)
    }
}

/// `c` with its expiry moved to [`ImdsProvider::STALE_EXTENSION`] plus jitter from now.
fn extended(c: &Credentials) -> Credentials {
    let now = std::time::SystemTime::now();
    let jitter = now
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::from(d.subsec_nanos()) % 300)
        .unwrap_or(0);
    Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        c.session_token().map(str::to_owned),
        Some(now + ImdsProvider::STALE_EXTENSION + Duration::from_secs(jitter)),
        NAME,
    )
}

impl ProvideCredentials for ImdsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_selection() {
        let endpoint = |pairs: &[(&str, &str)]| {
            ImdsProvider::new(&Env::from_pairs(pairs.iter().copied())).endpoint()
        };
        assert_eq!(endpoint(&[]).unwrap(), "http://169.254.169.254");
        assert_eq!(
            endpoint(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:5/")]).unwrap(),
            "http://127.0.0.1:5"
        );
        assert_eq!(
            endpoint(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6")]).unwrap(),
            "http://[fd00:ec2::254]"
        );
        assert!(endpoint(&[("AWS_EC2_METADATA_DISABLED", "TRUE")])
            .unwrap_err()
            .is_not_configured());
        assert!(endpoint(&[("AWS_EC2_METADATA_DISABLED", "false")]).is_ok());
        assert_eq!(
            endpoint(&[("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "x")])
                .unwrap_err()
                .kind(),
            CredentialsErrorKind::InvalidConfiguration
        );
    }
}
