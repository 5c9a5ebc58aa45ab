//! Presigned requests: an operation's request signed with SigV4 in its query string, so that
//! whoever holds the URL (a browser, `curl`, another service) can make that one call without
//! credentials until it expires.

use std::fmt;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, Method};

use super::{pipeline, ClientHandle, OperationInfo, Request};
use crate::error::{BuildError, BuildErrorKind, Never, SdkError};
use crate::sigv4::{presign, SigningParams};

/// The longest validity SigV4 allows for a presigned request: seven days.
pub const MAX_PRESIGNED_VALIDITY: Duration = Duration::from_secs(7 * 24 * 3600);

/// How long a presigned request stays valid, from when, and any headers of the caller's own to
/// sign into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PresigningConfig {
    expires_in: Duration,
    start_time: Option<SystemTime>,
    headers: HeaderMap,
}

impl PresigningConfig {
    /// Valid for `expires_in` from the signing time: at least one second, at most seven days
    /// ([`MAX_PRESIGNED_VALIDITY`]); anything else is a construction error.
    pub fn expires_in(expires_in: Duration) -> Result<PresigningConfig, BuildError> {
        if expires_in < Duration::from_secs(1) || expires_in > MAX_PRESIGNED_VALIDITY {
            return Err(BuildError::new(
                BuildErrorKind::Other,
                format!(
                    "a presigned request is valid for 1 s to 7 days ({} s), not {} s",
                    MAX_PRESIGNED_VALIDITY.as_secs(),
                    expires_in.as_secs()
                ),
            ));
        }
        Ok(PresigningConfig {
            expires_in,
            start_time: None,
            headers: HeaderMap::new(),
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

    /// Adds a header of the caller's own to the request before it is signed: it is signed
    /// (listed in `X-Amz-SignedHeaders`) and whoever uses the URL must send it with this value.
    /// It replaces a header of the same name the operation would send. An EKS token, for
    /// example, is a presigned STS `GetCallerIdentity` carrying `x-k8s-aws-id: <cluster>`.
    ///
    /// # Errors
    ///
    /// `name` is not a valid header name or `value` not a valid header value.
    pub fn header(mut self, name: &str, value: &str) -> Result<PresigningConfig, BuildError> {
        let invalid = |what: &str| {
            BuildError::new(
                BuildErrorKind::Other,
                format!("presigning header {name:?}: invalid {what}"),
            )
        };
        let name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| invalid("name"))?;
        let value = HeaderValue::from_str(value).map_err(|_| invalid("value"))?;
        self.headers.insert(name, value);
        Ok(self)
    }
}

/// A presigned request: send `method` to `uri` with `headers` (they are signed) and, for an
/// operation with a body, the same [`body`](Self::body).
///
/// `Debug` shows the body's length only, and for an operation with `@sensitive` input
/// neither the URL nor the body (a query-protocol URL carries the input).
#[derive(Clone, PartialEq, Eq)]
pub struct PresignedRequest {
    method: Method,
    uri: String,
    headers: HeaderMap,
    body: Bytes,
    sensitive: bool,
}

impl fmt::Debug for PresignedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let uri: &dyn fmt::Debug = if self.sensitive {
            &"** redacted **"
        } else {
            &self.uri
        };
        f.debug_struct("PresignedRequest")
            .field("method", &self.method)
            .field("uri", uri)
            .field("headers", &self.headers)
            .field("body_len", &self.body.len())
            .finish()
    }
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

    /// The body the input serialized to: empty for the query protocols (their parameters are
    /// in the URL); for S3 whatever body the input had, though any body may be sent (S3
    /// presigns `UNSIGNED-PAYLOAD`); for the other protocols the JSON or XML body whose
    /// SHA-256 was signed, which must be sent byte for byte.
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

/// The query protocols (awsQuery, ec2Query) send their parameters as a form body; a presigned
/// request carries them in the query string instead, as a `GET` without body or content type,
/// so that the URL alone is the whole request (what botocore does with `HttpMethod='GET'`, and
/// what `aws eks get-token` signs).
fn form_body_into_query(request: &mut Request) {
    let is_form = request.method == Method::POST
        && request
            .headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                v.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
    if !is_form {
        return;
    }
    let body = std::mem::take(&mut request.body);
    if !body.is_empty() {
        let pq = &mut request.path_and_query;
        if !pq.contains('?') {
            pq.push('?');
        } else if !pq.ends_with('?') && !pq.ends_with('&') {
            pq.push('&');
        }
        pq.push_str(&String::from_utf8_lossy(&body));
    }
    request.headers.remove(CONTENT_TYPE);
    request.headers.remove(CONTENT_LENGTH);
    request.method = Method::GET;
}

/// A blob payload's serializer sends `content-type: application/octet-stream` whatever the
/// body; a presigned request without a body (an S3 PUT URL, whose holder brings the body) does
/// not sign that default, so the holder may send any content type, as with botocore's
/// presigned PUT. A content type the input sets to another value is signed.
fn drop_default_content_type(request: &mut Request) {
    if request.body.is_empty()
        && request
            .headers
            .get(CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes() == b"application/octet-stream")
    {
        request.headers.remove(CONTENT_TYPE);
    }
}

impl ClientHandle {
    /// Presigns the request of operation `op` with the configured credentials, endpoint and
    /// region: nothing is sent. A query-protocol request becomes a `GET` with its parameters
    /// in the query string, a bodiless request does not sign the default
    /// `application/octet-stream` content type, and the [`PresigningConfig`]'s headers are
    /// added and signed.
    pub async fn presign(
        &self,
        op: &'static OperationInfo,
        mut request: Request,
        config: &PresigningConfig,
    ) -> Result<PresignedRequest, SdkError<Never>> {
        form_body_into_query(&mut request);
        drop_default_content_type(&mut request);
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
        for (k, v) in &config.headers {
            headers.insert(k.clone(), v.clone());
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
        let body = if op.sensitive_input {
            crate::types::wipe_on_drop(request.body)
        } else {
            request.body
        };
        Ok(PresignedRequest {
            method: request.method,
            uri: out.presigned_uri,
            headers,
            body,
            sensitive: op.sensitive_input,
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
        assert!(PresigningConfig::expires_in(MAX_PRESIGNED_VALIDITY).is_ok());
        let err = PresigningConfig::expires_in(MAX_PRESIGNED_VALIDITY + Duration::from_secs(1))
            .unwrap_err()
            .to_string();
        assert!(err.contains("7 days") && err.contains("604801"), "{err}");
    }

    #[test]
    fn caller_headers_are_checked() {
        let c = PresigningConfig::expires_in(Duration::from_secs(60)).unwrap();
        let c = c.header("X-K8s-Aws-Id", "my-cluster").unwrap();
        assert_eq!(c.headers["x-k8s-aws-id"], "my-cluster");
        assert!(c.clone().header("bad name", "v").is_err());
        assert!(c.header("x-ok", "line\nbreak").is_err());
    }

    #[test]
    fn debug_shows_no_body_and_no_sensitive_url() {
        let mut p = PresignedRequest {
            method: Method::POST,
            uri: "https://h/?SecretString=hunter2".to_owned(),
            headers: HeaderMap::new(),
            body: Bytes::from_static(b"{\"SecretString\":\"hunter2\"}"),
            sensitive: true,
        };
        let text = format!("{p:?}");
        assert!(
            !text.contains("hunter2") && text.contains("body_len: 26"),
            "{text}"
        );
        p.sensitive = false;
        let text = format!("{p:?}");
        assert!(
            text.contains("SecretString=hunter2") && !text.contains("\"}"),
            "{text}"
        );
    }

    #[test]
    fn form_body_moves_into_the_query() {
        let mut req = crate::protocol::aws_query::request(
            b"Action=GetCallerIdentity&Version=2011-06-15".to_vec(),
        );
        form_body_into_query(&mut req);
        assert_eq!(req.method, Method::GET);
        assert_eq!(
            req.path_and_query,
            "/?Action=GetCallerIdentity&Version=2011-06-15"
        );
        assert!(req.body.is_empty() && req.headers.get(CONTENT_TYPE).is_none());
        // Any other body stays.
        let mut req = Request::new(Method::POST, "/x?a=b").with_body(b"{}".to_vec());
        form_body_into_query(&mut req);
        assert_eq!(
            (req.method, req.path_and_query.as_str()),
            (Method::POST, "/x?a=b")
        );
        assert_eq!(&req.body[..], b"{}");
    }

    #[test]
    fn default_content_type_of_an_empty_body_is_not_signed() {
        let mut req = Request::new(Method::PUT, "/k");
        req.set_header("content-type", "application/octet-stream")
            .unwrap();
        drop_default_content_type(&mut req);
        assert!(req.headers.get(CONTENT_TYPE).is_none());
        for (ct, body) in [("text/csv", &b""[..]), ("application/octet-stream", b"x")] {
            let mut req = Request::new(Method::PUT, "/k").with_body(body.to_vec());
            req.set_header("content-type", ct).unwrap();
            drop_default_content_type(&mut req);
            assert_eq!(req.headers[CONTENT_TYPE], ct);
        }
    }
}
