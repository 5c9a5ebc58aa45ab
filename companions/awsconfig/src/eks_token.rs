//! Amazon EKS authentication tokens: what `aws eks get-token` and `aws-iam-authenticator token`
//! print, for a Kubernetes client to send as its bearer token.
//!
//! A token is `k8s-aws-v1.` followed by the unpadded URL-safe base64 of a presigned STS
//! `GetCallerIdentity` URL (a `GET`, valid for 60 seconds: `X-Amz-Expires=60`) whose signed
//! headers include `x-k8s-aws-id: <cluster name>`. The cluster's authenticator calls that URL
//! to learn who signed it; no request is made here. The URL is built by the generated STS
//! client's `presigned()`, so the configuration's region, endpoint and credentials apply as
//! for any STS call.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = awsconfig::load_from_env().await?;
//! let token = awsconfig::eks::token(&config, "my-cluster").await?;
//! // An ExecCredential for kubectl, as `aws eks get-token` prints it (whole seconds).
//! let secs = token.expiration().duration_since(std::time::UNIX_EPOCH)?.as_secs();
//! let expires = awsrt::types::DateTime::from_secs(i64::try_from(secs)?);
//! println!(
//!     r#"{{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","spec":{{}},"status":{{"expirationTimestamp":"{expires}","token":"{}"}}}}"#,
//!     token.token(),
//! );
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use awsrt::client::PresigningConfig;
use awsrt::config::Config;
use awsrt::error::{BuildError, BuildErrorKind, SdkError};
use awsrt::types::SensitiveString;

/// What every token starts with.
pub const TOKEN_PREFIX: &str = "k8s-aws-v1.";

/// The signed header naming the cluster the token is for.
pub const CLUSTER_ID_HEADER: &str = "x-k8s-aws-id";

/// The validity of the presigned URL inside a token (`X-Amz-Expires`), as `aws eks get-token`
/// and `aws-iam-authenticator` sign it.
pub const URL_VALIDITY: Duration = Duration::from_secs(60);

/// How long after signing a token is reported to expire: EKS accepts a token for 15 minutes
/// after its `X-Amz-Date`; `aws eks get-token` reports 14, so that clients renew it in time.
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(14 * 60);

/// An EKS bearer token and when to renew it. `Debug` does not show the token (it lets its
/// holder act as the signer's identity on the cluster for a few minutes).
#[derive(Clone, PartialEq, Eq)]
pub struct EksToken {
    token: SensitiveString,
    expiration: SystemTime,
}

impl EksToken {
    /// The token, `k8s-aws-v1.<base64url of the presigned URL>`: the bearer token to send.
    pub fn token(&self) -> &str {
        self.token.expose_secret()
    }

    /// When to stop using the token: [`TOKEN_LIFETIME`] after it was signed (the
    /// `expirationTimestamp` of `aws eks get-token`).
    pub fn expiration(&self) -> SystemTime {
        self.expiration
    }
}

impl fmt::Debug for EksToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EksToken")
            .field("token", &"** redacted **")
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// A token for `cluster` (its name; for a local cluster on AWS Outposts, its id), signed now
/// with the configuration's credentials in its region. Nothing is sent.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = awsconfig::from_env().region("eu-west-1").load().await?;
/// let token = awsconfig::eks::token(&config, "prod").await?;
/// assert!(token.token().starts_with("k8s-aws-v1."));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// No region or credentials, credentials that fail to load, or a cluster name that is not a
/// valid header value.
pub async fn token(config: &Config, cluster: &str) -> Result<EksToken, BuildError> {
    generate(config, cluster, None).await
}

/// [`token`] signed as of `time` instead of now (tests, or a clock known to be off).
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::{Duration, UNIX_EPOCH};
/// let config = awsconfig::Config::builder()
///     .region("us-east-1")
///     .credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)
///     .build();
/// let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let token = awsconfig::eks::token_at(&config, "prod", at).await?;
/// assert_eq!(token.expiration(), at + awsconfig::eks::TOKEN_LIFETIME);
/// assert!(token.token().starts_with("k8s-aws-v1.aHR0cHM6Ly9zdHMu")); // "https://sts."
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
/// ```
///
/// # Errors
///
/// As [`token`].
pub async fn token_at(
    config: &Config,
    cluster: &str,
    time: SystemTime,
) -> Result<EksToken, BuildError> {
    generate(config, cluster, Some(time)).await
}

async fn generate(
    config: &Config,
    cluster: &str,
    time: Option<SystemTime>,
) -> Result<EksToken, BuildError> {
    let mut presigning =
        PresigningConfig::expires_in(URL_VALIDITY)?.header(CLUSTER_ID_HEADER, cluster)?;
    if let Some(time) = time {
        presigning = presigning.start_time(time);
    }
    let signed_at = time.unwrap_or_else(SystemTime::now);
    let presigned = sts::Client::new(config)
        .get_caller_identity()
        .presigned(presigning)
        .await
        .map_err(|e| match e {
            SdkError::Construction(e) => e,
            other => BuildError::new(
                BuildErrorKind::Other,
                format!("presigning GetCallerIdentity for an EKS token: {other}"),
            ),
        })?;
    let mut token = String::with_capacity(TOKEN_PREFIX.len() + presigned.uri().len() * 4 / 3 + 4);
    token.push_str(TOKEN_PREFIX);
    base64url_unpadded_into(&mut token, presigned.uri().as_bytes());
    Ok(EksToken {
        token: SensitiveString::new(token),
        expiration: signed_at + TOKEN_LIFETIME,
    })
}

/// Appends the URL-safe base64 of `data` (RFC 4648 §5) without `=` padding.
fn base64url_unpadded_into(out: &mut String, data: &[u8]) {
    let standard = awsrt::types::base64_encode(data);
    out.extend(standard.chars().filter(|&c| c != '=').map(|c| match c {
        '+' => '-',
        '/' => '_',
        c => c,
    }));
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn base64url_has_no_padding_and_url_safe_letters() {
        for (data, want) in [
            (&b""[..], ""),
            (b"f", "Zg"),
            (b"fo", "Zm8"),
            (b"foo", "Zm9v"),
            (b"\xfb\xff", "-_8"),
        ] {
            let mut out = String::new();
            base64url_unpadded_into(&mut out, data);
            assert_eq!(out, want, "{data:?}");
        }
    }

    #[tokio::test]
    async fn token_wraps_a_presigned_get_caller_identity() {
        let config = Config::builder()
            .region("eu-west-1")
            .credentials("AKIDEXAMPLE", "secret", None)
            .build();
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let token = token_at(&config, "dev", at).await.unwrap();
        assert_eq!(token.expiration(), at + Duration::from_secs(840));
        let debug = format!("{token:?}");
        assert!(!debug.contains("k8s-aws-v1"), "{debug}");
        let body = token.token().strip_prefix(TOKEN_PREFIX).unwrap();
        let padded = format!("{body}{}", "=".repeat((4 - body.len() % 4) % 4));
        let url = awsrt::types::base64_decode(&padded.replace('-', "+").replace('_', "/"))
            .map(String::from_utf8)
            .unwrap()
            .unwrap();
        assert!(
            url.starts_with("https://sts.eu-west-1.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15&X-Amz-Algorithm=AWS4-HMAC-SHA256&"),
            "{url}"
        );
        assert!(url.contains("&X-Amz-Expires=60&X-Amz-SignedHeaders=host%3Bx-k8s-aws-id&"));
    }

    #[tokio::test]
    async fn a_cluster_name_that_is_no_header_value_is_an_error() {
        let config = Config::builder()
            .region("eu-west-1")
            .credentials("AKIDEXAMPLE", "secret", None)
            .build();
        let err = token(&config, "bad\nname").await.unwrap_err();
        assert!(err.to_string().contains("x-k8s-aws-id"), "{err}");
    }
}
