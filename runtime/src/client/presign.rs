//! Presigned requests: an operation's request signed with SigV4 in its query string, so that
//! whoever holds the URL (a browser, `curl`, another service) can make that one call without
//! credentials until it expires.

use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method};

use super::{pipeline, ClientHandle, OperationInfo, Request};
use crate::error::{BuildError, BuildErrorKind, Never, SdkError};
use crate::sigv4::{presign, SigningParams};

/// The longest validity SigV4 allows for a presigned request: seven days.
pub const MAX_PRESIGNED_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);

/// How long a presigned request stays valid, and from when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresigningConfig {
    expires_in: Duration,
    start_time: Option<SystemTime>,
}

impl PresigningConfig {
    /// Valid for `expires_in` from the signing time: at least one second, at most seven days
    /// ([`MAX_PRESIGNED_VALIDITY`]); anything else is a construction error.
    pub fn expires_in(expires_in: Duration) -> Result<PresigningConfig, BuildError> {
        if expires_in < Duration::from_secs(1) || expires_in > MAX_PRESIGNED_VALIDITY {
            return Err(BuildError::new(
                BuildErrorKind::Other,
                format!(
                    "a presigned request is valid for 1 s to 7 days, not {} s",
                    expires_in.as_secs()
                ),
            ));
        }
        Ok(PresigningConfig {
            expires_in,
            start_time: None,
        })
    }

    /// Signs as of `time` instead of now.
    pub fn start_time(mut self, time: SystemTime) -> PresigningConfig {
        self.start_time = Some(time);
        self
    }

    /// The validity.
    pub fn validity(&self) -> Duration {
        self.expires_in
    }
}

/// A presigned request: send `method` to `uri` with `headers` (they are signed) and, for an
/// operation with a body, the same body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresignedRequest {
    method: Method,
    uri: String,
    headers: HeaderMap,
}

impl PresignedRequest {
    /// The HTTP method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The URL, with the signature in its query string.
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The headers that were signed and must be sent (`host` and the protocol's own headers).
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }
}

impl ClientHandle {
    /// Presigns the request of operation `op` with the configured credentials, endpoint and
    /// region: nothing is sent.
    pub async fn presign(
        &self,
        op: &'static OperationInfo,
        request: Request,
        config: &PresigningConfig,
    ) -> Result<PresignedRequest, SdkError<Never>> {
        let inner = &self.inner;
        let endpoint = inner
            .request_endpoint(&request)
            .map_err(SdkError::Construction)?;
        let url = match request.host_prefix.as_deref() {
            Some(p) if !p.is_empty() => super::endpoint::with_host_prefix(&endpoint.url, p),
            _ => endpoint.url.clone(),
        };
        let uri = super::request::join_url(&url, &request.path_and_query);
        let mut headers = request.headers.clone();
        for (k, v) in &endpoint.headers {
            headers.append(k.clone(), v.clone());
        }
        let creds = pipeline::credentials(inner).await?;
        let region = endpoint
            .signing_region
            .as_deref()
            .ok_or_else(|| SdkError::Construction(super::endpoint::no_region()))?;
        let params = SigningParams {
            access_key: creds.access_key_id(),
            secret_key: creds.secret_access_key(),
            session_token: creds.session_token(),
            region,
            service: &endpoint.signing_name,
            time: config.start_time.unwrap_or_else(|| {
                pipeline::signing_time(
                    inner
                        .clock_offset_ms
                        .load(std::sync::atomic::Ordering::Relaxed),
                )
            }),
            settings: pipeline::signing_settings(&endpoint.signing_name),
        };
        let out = presign(
            request.method.as_str(),
            &uri,
            &mut headers,
            &request.body,
            &params,
            config.expires_in,
        )
        .map_err(|e| {
            SdkError::Construction(BuildError::new(
                BuildErrorKind::Other,
                format!("failed to presign {}: {e}", op.name),
            ))
        })?;
        Ok(PresignedRequest {
            method: request.method,
            uri: out.presigned_uri,
            headers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_is_bounded() {
        assert!(PresigningConfig::expires_in(Duration::from_secs(0)).is_err());
        assert!(
            PresigningConfig::expires_in(MAX_PRESIGNED_VALIDITY + Duration::from_secs(1)).is_err()
        );
        let c = PresigningConfig::expires_in(Duration::from_secs(900)).unwrap();
        assert_eq!(c.validity(), Duration::from_secs(900));
    }
}
