//! The ECS / EKS container credentials endpoint.

use std::net::IpAddr;

use http::Method;

use super::http::{parse_url, send};
use super::{
    json, BoxFuture, Credentials, CredentialsError, CredentialsErrorKind, NetworkTimeouts,
    ProvideCredentials,
};
use crate::profile::Env;

const NAME: &str = "ecs";
const ECS_HOST: &str = "http://169.254.170.2";

/// Fetches credentials from `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (appended to
/// `http://169.254.170.2`) or `AWS_CONTAINER_CREDENTIALS_FULL_URI`, sending
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`'s content (preferred) or
/// `AWS_CONTAINER_AUTHORIZATION_TOKEN` as the `Authorization` header.
///
/// An `http://` full URI must point at a loopback address, the ECS address 169.254.170.2 or
/// the EKS Pod Identity addresses 169.254.170.23 / `fd00:ec2::23` (a host name must resolve
/// only to loopback addresses); an `https://` full URI may name any host, and is fetched
/// through the runtime's HTTPS transport (certificates verified against the system's roots,
/// or the transport given to [`EcsProvider::with_transport`]).
#[derive(Debug, Clone)]
pub struct EcsProvider {
    env: Env,
    timeouts: NetworkTimeouts,
    transport: Option<std::sync::Arc<dyn crate::http::Transport>>,
}

impl EcsProvider {
    /// A provider reading its settings from `env` on every call.
    pub fn new(env: &Env) -> EcsProvider {
        EcsProvider {
            env: env.clone(),
            timeouts: NetworkTimeouts::default(),
            transport: None,
        }
    }

    /// The transport for `https://` full URIs (default: a new [`HyperTransport`] when one is
    /// needed).
    ///
    /// [`HyperTransport`]: crate::http::HyperTransport
    pub fn with_transport(mut self, transport: std::sync::Arc<dyn crate::http::Transport>) -> Self {
        self.transport = Some(transport);
        self
    }

    /// Sets the connect and read timeouts (default one second each).
    pub fn with_timeouts(mut self, timeouts: NetworkTimeouts) -> EcsProvider {
        self.timeouts = timeouts;
        self
    }

    /// Whether the environment configures this source.
    pub fn is_configured(&self) -> bool {
        self.env
            .get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
            .is_some()
            || self.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").is_some()
    }

    async fn url(&self) -> Result<String, CredentialsError> {
        if let Some(relative) = self.env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") {
            let sep = if relative.starts_with('/') { "" } else { "/" };
            return Ok(format!("{ECS_HOST}{sep}{relative}"));
        }
        let full = self.env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI").ok_or_else(|| {
            CredentialsError::not_configured(
                NAME,
                "neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor AWS_CONTAINER_CREDENTIALS_FULL_URI is set",
            )
        })?;
        if full.to_ascii_lowercase().starts_with("https://") {
            full.parse::<http::Uri>()
                .ok()
                .filter(|u| u.host().is_some_and(|h| !h.is_empty()))
                .ok_or_else(|| {
                    CredentialsError::invalid_configuration(
                        NAME,
                        format!("AWS_CONTAINER_CREDENTIALS_FULL_URI `{full}` is not a valid URL"),
                    )
                })?;
            return Ok(full);
        }
        let target = parse_url(&full).map_err(|e| {
            CredentialsError::invalid_configuration(
                NAME,
                format!("AWS_CONTAINER_CREDENTIALS_FULL_URI: {e}"),
            )
        })?;
        if !self.host_allowed(&target.host, target.port).await {
            return Err(CredentialsError::invalid_configuration(
                NAME,
                format!(
                    "AWS_CONTAINER_CREDENTIALS_FULL_URI host `{}` is not allowed for http (loopback, 169.254.170.2, \
                     169.254.170.23 or fd00:ec2::23 only)",
                    target.host
                ),
            ));
        }
        Ok(full)
    }

    async fn host_allowed(&self, host: &str, port: u16) -> bool {
        if let Ok(ip) = host.parse::<IpAddr>() {
            return ip_allowed(ip);
        }
        let lookup =
            tokio::time::timeout(self.timeouts.connect, tokio::net::lookup_host((host, port)))
                .await;
        match lookup {
            Ok(Ok(addrs)) => {
                let addrs: Vec<_> = addrs.collect();
                !addrs.is_empty() && addrs.iter().all(|a| a.ip().is_loopback())
            }
            _ => false,
        }
    }

    fn authorization(&self) -> Result<Option<String>, CredentialsError> {
        let token = match self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
            Some(path) => {
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    CredentialsError::invalid_configuration(
                        NAME,
                        format!("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE {path}: {e}"),
                    )
                })?;
                Some(text.trim_end_matches(['\r', '\n']).to_owned())
            }
            None => self.env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
        };
        if token.as_deref().is_some_and(|t| t.contains(['\r', '\n'])) {
            return Err(CredentialsError::invalid_configuration(
                NAME,
                "the authorization token contains a line break",
            ));
        }
        Ok(token)
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let url = self.url().await?;
        let token = self.authorization()?;
        let mut headers = vec![("accept", "application/json")];
        if let Some(token) = token.as_deref() {
            headers.push(("authorization", token));
        }
        let (status, body) = if url
            .get(..8)
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
        {
            self.get_https(&url, &headers).await?
        } else {
            let response = send(Method::GET, &url, &headers, self.timeouts)
                .await
                .map_err(|e| {
                    let kind = if e.is_timeout() {
                        CredentialsErrorKind::Timeout
                    } else {
                        CredentialsErrorKind::ProviderFailed
                    };
                    CredentialsError::new(NAME, kind, format!("{url}: {e}"))
                })?;
            (response.status, response.body)
        };
        if status != 200 {
            return Err(CredentialsError::provider_failed(
                NAME,
                format!("{url}: HTTP status {status}"),
            ));
        }
        json::parse(NAME, &body, &json::CONTAINER, false)
    }

    /// Status and body of a GET to an `https://` full URI, through the transport.
    async fn get_https(
        &self,
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<(u16, bytes::Bytes), CredentialsError> {
        let transport = match &self.transport {
            Some(t) => std::sync::Arc::clone(t),
            None => std::sync::Arc::new(crate::http::HyperTransport::default()),
        };
        let mut req = crate::http::HttpRequest::new(Method::GET, url, bytes::Bytes::new());
        for (name, value) in headers {
            let value = http::HeaderValue::from_str(value).map_err(|_| {
                CredentialsError::invalid_configuration(
                    NAME,
                    format!("invalid {name} header value"),
                )
            })?;
            let name = http::HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                CredentialsError::invalid_configuration(NAME, format!("invalid header name {name}"))
            })?;
            req.headers.insert(name, value);
        }
        let timeouts = crate::http::AttemptTimeouts {
            connect: Some(self.timeouts.connect),
            read: Some(self.timeouts.read),
        };
        let response = transport.send(req, &timeouts).await.map_err(|e| {
            let kind = if matches!(e.kind(), crate::http::TransportErrorKind::Timeout(_)) {
                CredentialsErrorKind::Timeout
            } else {
                CredentialsErrorKind::ProviderFailed
            };
            CredentialsError::new(NAME, kind, format!("{url}: {e}"))
        })?;
        Ok((response.status, response.body))
    }
}

fn ip_allowed(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.octets() == [169, 254, 170, 2]
                || v4.octets() == [169, 254, 170, 23]
        }
        IpAddr::V6(v6) => {
            v6.is_loopback()
                || v6.segments() == [0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x23]
                || v6
                    .to_ipv4_mapped()
                    .is_some_and(|v4| ip_allowed(IpAddr::V4(v4)))
        }
    }
}

impl ProvideCredentials for EcsProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_addresses() {
        for ok in [
            "127.0.0.1",
            "127.1.2.3",
            "::1",
            "169.254.170.2",
            "169.254.170.23",
            "fd00:ec2::23",
            "::ffff:127.0.0.1",
        ] {
            assert!(ip_allowed(ok.parse().unwrap()), "{ok}");
        }
        for bad in [
            "10.0.0.1",
            "169.254.169.254",
            "169.254.170.3",
            "8.8.8.8",
            "fd00:ec2::254",
        ] {
            assert!(!ip_allowed(bad.parse().unwrap()), "{bad}");
        }
    }

    #[tokio::test]
    async fn url_selection_and_validation() {
        let rel = EcsProvider::new(&Env::from_pairs([(
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
            "/v2/creds",
        )]));
        assert_eq!(rel.url().await.unwrap(), "http://169.254.170.2/v2/creds");
        let full = EcsProvider::new(&Env::from_pairs([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://127.0.0.1:9/x",
        )]));
        assert_eq!(full.url().await.unwrap(), "http://127.0.0.1:9/x");
        let localhost = EcsProvider::new(&Env::from_pairs([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://localhost:9/x",
        )]));
        assert!(localhost.url().await.is_ok());
        let remote = EcsProvider::new(&Env::from_pairs([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "http://10.1.2.3/x",
        )]));
        assert_eq!(
            remote.url().await.unwrap_err().kind(),
            CredentialsErrorKind::InvalidConfiguration
        );
        // https may name any host: the certificate is the proof of who answers.
        let https = EcsProvider::new(&Env::from_pairs([(
            "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "https://creds.example.com/x",
        )]));
        assert_eq!(https.url().await.unwrap(), "https://creds.example.com/x");
        let none = EcsProvider::new(&Env::from_pairs([("X", "y")]));
        assert!(none.url().await.unwrap_err().is_not_configured());
        assert!(!none.is_configured());
    }
}
