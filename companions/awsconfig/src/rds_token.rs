//! Amazon RDS and Aurora IAM database authentication tokens: the password to send when
//! connecting as a database user that authenticates through IAM.
//!
//! A token is a SigV4 presigned URL without its scheme:
//! `<host>:<port>/?Action=connect&DBUser=<user>&X-Amz-Algorithm=...&X-Amz-Signature=...`,
//! signed for the service `rds-db` in the database's region, method `GET`, path `/`, valid
//! for 15 minutes (`X-Amz-Expires=900`), the same token botocore's
//! `generate_db_auth_token` gives. Nothing is sent: the database checks the signature.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let config = awsconfig::load_from_env().await?;
//! let token = awsconfig::rds::auth_token(
//!     &config,
//!     "mydb.cluster-abc123.eu-west-1.rds.amazonaws.com",
//!     5432,
//!     "app_user",
//! )
//! .await?;
//! // Use it as the password of a TLS connection, e.g. with a Postgres driver:
//! // postgres://app_user:<percent-encoded token>@mydb...:5432/app?sslmode=require
//! let password: &str = token.token();
//! # let _ = password;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::time::{Duration, SystemTime};

use awsrt::config::Config;
use awsrt::error::{BuildError, BuildErrorKind};
use awsrt::sigv4::{presign, SigningParams, SigningSettings};
use awsrt::types::SensitiveString;
use http::header::{HeaderValue, HOST};
use http::HeaderMap;

/// The signing name of IAM database authentication.
pub const SIGNING_NAME: &str = "rds-db";

/// How long a token is valid (`X-Amz-Expires`), as botocore and the official SDKs sign it.
pub const TOKEN_VALIDITY: Duration = Duration::from_secs(900);

/// An RDS IAM authentication token and when it expires. `Debug` does not show the token (it
/// is a password).
#[derive(Clone, PartialEq, Eq)]
pub struct RdsAuthToken {
    token: SensitiveString,
    expiration: SystemTime,
}

impl RdsAuthToken {
    /// The token, `host:port/?Action=connect&DBUser=...&X-Amz-...`: the password to send.
    pub fn token(&self) -> &str {
        self.token.expose_secret()
    }

    /// When the database stops accepting the token: [`TOKEN_VALIDITY`] after it was signed.
    /// A connection made before then stays open.
    pub fn expiration(&self) -> SystemTime {
        self.expiration
    }
}

impl fmt::Debug for RdsAuthToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RdsAuthToken")
            .field("token", &"** redacted **")
            .field("expiration", &self.expiration)
            .finish()
    }
}

/// A token to connect to the database at `hostname:port` as `username`, signed now with the
/// configuration's credentials for its region (the database's region: for another one, use
/// `config.to_builder().region(..).build()`).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let config = awsconfig::from_env().region("us-east-1").load().await?;
/// let token = awsconfig::rds::auth_token(&config, "db.example.com", 3306, "reporting").await?;
/// assert!(token.token().starts_with("db.example.com:3306/?Action=connect&DBUser=reporting&"));
/// # Ok(())
/// # }
/// ```
///
/// # Errors
///
/// No region or credentials, credentials that fail to load, or a host name that cannot be
/// signed (empty, or not a valid `host` header).
pub async fn auth_token(
    config: &Config,
    hostname: &str,
    port: u16,
    username: &str,
) -> Result<RdsAuthToken, BuildError> {
    generate(config, hostname, port, username, SystemTime::now()).await
}

/// [`auth_token`] signed as of `time` instead of now.
///
/// ```
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use std::time::{Duration, UNIX_EPOCH};
/// let config = awsconfig::Config::builder()
///     .region("us-east-1")
///     .credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", None)
///     .build();
/// let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
/// let token = awsconfig::rds::auth_token_at(&config, "db.example.com", 5432, "app", at).await?;
/// // What botocore's `generate_db_auth_token` gives for the same credentials and time.
/// assert_eq!(
///     token.token(),
///     "db.example.com:5432/?Action=connect&DBUser=app\
///      &X-Amz-Algorithm=AWS4-HMAC-SHA256\
///      &X-Amz-Credential=AKIDEXAMPLE%2F20231114%2Fus-east-1%2Frds-db%2Faws4_request\
///      &X-Amz-Date=20231114T221320Z&X-Amz-Expires=900&X-Amz-SignedHeaders=host\
///      &X-Amz-Signature=3268ac27fac2daf9ff5eb3eed52f448e5138791ada46bf1038a2ca98c9393773"
/// );
/// # Ok(())
/// # }
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(run()).unwrap();
/// ```
///
/// # Errors
///
/// As [`auth_token`].
pub async fn auth_token_at(
    config: &Config,
    hostname: &str,
    port: u16,
    username: &str,
    time: SystemTime,
) -> Result<RdsAuthToken, BuildError> {
    generate(config, hostname, port, username, time).await
}

async fn generate(
    config: &Config,
    hostname: &str,
    port: u16,
    username: &str,
    time: SystemTime,
) -> Result<RdsAuthToken, BuildError> {
    let invalid_host = || {
        BuildError::invalid_field(
            "hostname",
            format!("{hostname:?} is not a host name an RDS token can be signed for"),
        )
    };
    if hostname.is_empty() || hostname.contains(['/', '?', '#', '@']) {
        return Err(invalid_host());
    }
    let region = config.region().ok_or_else(|| {
        BuildError::new(
            BuildErrorKind::Endpoint,
            "no region configured: an RDS auth token is signed for the database's region",
        )
    })?;
    let provider = config.credentials_provider().ok_or_else(|| {
        BuildError::new(
            BuildErrorKind::Credentials,
            "no credentials provider configured",
        )
    })?;
    let creds = provider
        .provide_credentials()
        .await
        .map_err(|e| BuildError::new(BuildErrorKind::Credentials, e.to_string()))?;

    const SCHEME: &str = "https://";
    let mut uri = format!("{SCHEME}{hostname}:{port}/?Action=connect&DBUser=");
    percent_encode_into(&mut uri, username);
    // The signed host is lowercase (host names are case-insensitive, and botocore signs
    // them so); the port is left out when it is HTTPS's default, 443.
    let mut host = hostname.to_ascii_lowercase();
    if port != 443 {
        host.push(':');
        host.push_str(&port.to_string());
    }
    let mut headers = HeaderMap::new();
    headers.insert(
        HOST,
        HeaderValue::from_str(&host).map_err(|_| invalid_host())?,
    );
    let params = SigningParams {
        access_key: creds.access_key_id(),
        secret_key: creds.secret_access_key(),
        session_token: creds.session_token(),
        region,
        service: SIGNING_NAME,
        time,
        settings: SigningSettings::default(),
    };
    let out = presign("GET", &uri, &mut headers, b"", &params, TOKEN_VALIDITY).map_err(|e| {
        BuildError::new(
            BuildErrorKind::Other,
            format!("signing an RDS auth token: {e}"),
        )
    })?;
    let token = out
        .presigned_uri
        .strip_prefix(SCHEME)
        .unwrap_or(&out.presigned_uri)
        .to_owned();
    Ok(RdsAuthToken {
        token: SensitiveString::new(token),
        expiration: time + TOKEN_VALIDITY,
    })
}

/// Appends `value` percent-encoded as a query value: every byte but the RFC 3986 unreserved
/// characters (`A-Z a-z 0-9 - _ . ~`) as `%XX`.
fn percent_encode_into(out: &mut String, value: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    fn config() -> Config {
        Config::builder()
            .region("us-east-1")
            .credentials("AKIDEXAMPLE", "secret", Some("token/+=".to_owned()))
            .build()
    }

    #[test]
    fn usernames_are_percent_encoded() {
        let mut out = String::new();
        percent_encode_into(&mut out, "a b+c/d~é");
        assert_eq!(out, "a%20b%2Bc%2Fd~%C3%A9");
    }

    #[tokio::test]
    async fn token_has_no_scheme_and_carries_the_session_token() {
        let at = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let token = auth_token_at(&config(), "db.example.com", 5432, "app", at)
            .await
            .unwrap();
        assert!(
            token
                .token()
                .starts_with("db.example.com:5432/?Action=connect&DBUser=app&X-Amz-Algorithm="),
            "{}",
            token.token()
        );
        assert!(token
            .token()
            .contains("&X-Amz-Security-Token=token%2F%2B%3D&X-Amz-Signature="));
        assert_eq!(token.expiration(), at + Duration::from_secs(900));
        assert!(!format!("{token:?}").contains("db.example.com"));
    }

    #[tokio::test]
    async fn bad_host_and_missing_region_are_errors() {
        let err = auth_token(&config(), "db/x", 5432, "app")
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("hostname"));
        let no_region = Config::builder()
            .credentials("AKIDEXAMPLE", "secret", None)
            .build();
        let err = auth_token(&no_region, "db", 5432, "app").await.unwrap_err();
        assert!(err.to_string().contains("no region"), "{err}");
    }
}
