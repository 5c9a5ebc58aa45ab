//! [`CacheError`]: why the cache could not return a secret, and [`ConfigError`]: why a
//! configuration was refused.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use secretsmanager::operation::batch_get_secret_value::BatchGetSecretValueError;
use secretsmanager::operation::describe_secret::DescribeSecretError;
use secretsmanager::operation::get_secret_value::GetSecretValueError;
use secretsmanager::SdkError;

/// Why the cache could not return a secret.
///
/// Cheap to clone (the service errors are shared): when many callers wait for one request, each
/// gets the same error. `Display` names the secret and what failed; it never contains a secret
/// value. A service error's `Display` includes the service's own message, which the cache never
/// logs (its `tracing` events carry the error code only).
///
/// ```
/// # async fn run(cache: secretsmanager_cache::SecretCache) {
/// match cache.get("prod/db").await {
///     Ok(secret) => println!("version {:?}", secret.version_id()),
///     Err(e) if e.is_not_found() => println!("no such secret"),
///     Err(e) if e.is_transient() => println!("Secrets Manager unreachable: {e}"),
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum CacheError {
    /// GetSecretValue failed.
    GetSecretValue {
        /// The secret id asked for.
        secret_id: String,
        /// The client's error.
        source: Arc<SdkError<GetSecretValueError>>,
    },
    /// DescribeSecret (the optional freshness check) failed.
    DescribeSecret {
        /// The secret id asked for.
        secret_id: String,
        /// The client's error.
        source: Arc<SdkError<DescribeSecretError>>,
    },
    /// BatchGetSecretValue (warming) failed as a whole.
    BatchGetSecretValue {
        /// The client's error.
        source: Arc<SdkError<BatchGetSecretValueError>>,
    },
    /// An earlier request for this secret failed and the cache is waiting before the next
    /// attempt (exponential backoff); there was no value it could serve meanwhile.
    BackingOff {
        /// The secret id asked for.
        secret_id: String,
        /// Time left before the next attempt.
        retry_in: Duration,
        /// The failure that started the backoff.
        last: Arc<CacheError>,
    },
    /// The transform hook refused the value.
    Transform {
        /// The secret id asked for.
        secret_id: String,
        /// The hook's error.
        source: Arc<dyn StdError + Send + Sync>,
    },
    /// No tokio runtime to run the request on (call from inside a runtime, give the builder
    /// one with [`SecretCacheBuilder::runtime`](crate::SecretCacheBuilder::runtime), or use the
    /// `blocking` facade).
    NoRuntime {
        /// The secret id asked for.
        secret_id: String,
    },
    /// The secret holds bytes (or nothing) where a string was needed.
    NotAString {
        /// The secret id asked for.
        secret_id: String,
    },
    /// The secret string is not the JSON the caller's type expects (feature `serde`). Only the
    /// position and the kind of problem are kept: never the text, which is the secret.
    #[cfg(feature = "serde")]
    Json {
        /// The secret's name (or ARN).
        secret_id: String,
        /// Line of the problem (from 1).
        line: usize,
        /// Column of the problem (from 1).
        column: usize,
        /// `"syntax"`, `"data"` (valid JSON of another shape) or `"eof"`.
        category: &'static str,
    },
}

impl CacheError {
    /// The secret this error is about (`None` for a failed batch).
    pub fn secret_id(&self) -> Option<&str> {
        match self {
            CacheError::GetSecretValue { secret_id, .. }
            | CacheError::DescribeSecret { secret_id, .. }
            | CacheError::BackingOff { secret_id, .. }
            | CacheError::Transform { secret_id, .. }
            | CacheError::NoRuntime { secret_id }
            | CacheError::NotAString { secret_id } => Some(secret_id),
            #[cfg(feature = "serde")]
            CacheError::Json { secret_id, .. } => Some(secret_id),
            CacheError::BatchGetSecretValue { .. } => None,
        }
    }

    /// The service's error code (`ResourceNotFoundException`, `ThrottlingException`, ...), when
    /// the service answered with an error.
    pub fn code(&self) -> Option<&str> {
        match self {
            CacheError::GetSecretValue { source, .. } => source.code(),
            CacheError::DescribeSecret { source, .. } => source.code(),
            CacheError::BatchGetSecretValue { source } => source.code(),
            CacheError::BackingOff { last, .. } => last.code(),
            _ => None,
        }
    }

    /// Whether the secret does not exist (`ResourceNotFoundException`).
    pub fn is_not_found(&self) -> bool {
        self.code() == Some("ResourceNotFoundException")
    }

    /// Whether the failure is the service's or the network's and may pass: a timeout, a
    /// connection failure, an unreadable response, throttling or a 5xx error. Only these let
    /// the cache serve a stale value (see
    /// [`SecretCacheBuilder::stale_if_error`](crate::SecretCacheBuilder::stale_if_error)); an
    /// answer such as "not found" or "access denied" drops the cached value instead.
    pub fn is_transient(&self) -> bool {
        match self {
            CacheError::GetSecretValue { source, .. } => transient(source),
            CacheError::DescribeSecret { source, .. } => transient(source),
            CacheError::BatchGetSecretValue { source } => transient(source),
            CacheError::BackingOff { last, .. } => last.is_transient(),
            _ => false,
        }
    }

    pub(crate) fn get(secret_id: &str, e: SdkError<GetSecretValueError>) -> CacheError {
        CacheError::GetSecretValue {
            secret_id: secret_id.to_owned(),
            source: Arc::new(e),
        }
    }

    pub(crate) fn describe(secret_id: &str, e: SdkError<DescribeSecretError>) -> CacheError {
        CacheError::DescribeSecret {
            secret_id: secret_id.to_owned(),
            source: Arc::new(e),
        }
    }
}

/// Timeouts, dispatch failures, unreadable responses, throttling and 5xx.
fn transient<E>(e: &SdkError<E>) -> bool {
    match e {
        SdkError::Timeout(_) | SdkError::Dispatch(_) | SdkError::Response(_) => true,
        SdkError::Service(s) => {
            let code = s.meta().code.as_deref().unwrap_or("");
            s.status() >= 500
                || s.status() == 429
                || awsrt::retry::THROTTLING_CODES.contains(&code)
                || awsrt::retry::TRANSIENT_CODES.contains(&code)
                || code == "InternalServiceError"
        }
        SdkError::Construction(_) => false,
    }
}

impl fmt::Display for CacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CacheError::GetSecretValue { secret_id, source } => {
                write!(f, "GetSecretValue for secret {secret_id:?} failed: {source}")
            }
            CacheError::DescribeSecret { secret_id, source } => {
                write!(f, "DescribeSecret for secret {secret_id:?} failed: {source}")
            }
            CacheError::BatchGetSecretValue { source } => {
                write!(f, "BatchGetSecretValue failed: {source}")
            }
            CacheError::BackingOff {
                secret_id,
                retry_in,
                last,
            } => write!(
                f,
                "secret {secret_id:?}: backing off for {} ms after a failure: {last}",
                retry_in.as_millis()
            ),
            CacheError::Transform { secret_id, source } => {
                write!(f, "the transform hook refused secret {secret_id:?}: {source}")
            }
            CacheError::NoRuntime { secret_id } => write!(
                f,
                "secret {secret_id:?}: no tokio runtime to send the request on (call from async \
                 code, set SecretCacheBuilder::runtime, or use the blocking facade)"
            ),
            CacheError::NotAString { secret_id } => {
                write!(f, "secret {secret_id:?} holds no string value")
            }
            #[cfg(feature = "serde")]
            CacheError::Json {
                secret_id,
                line,
                column,
                category,
            } => write!(
                f,
                "secret {secret_id:?} is not the expected JSON ({category} error at line {line}, column {column})"
            ),
        }
    }
}

impl StdError for CacheError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        match self {
            CacheError::GetSecretValue { source, .. } => Some(source.as_ref()),
            CacheError::DescribeSecret { source, .. } => Some(source.as_ref()),
            CacheError::BatchGetSecretValue { source } => Some(source.as_ref()),
            CacheError::BackingOff { last, .. } => Some(last.as_ref()),
            CacheError::Transform { source, .. } => {
                Some(source.as_ref() as &(dyn StdError + 'static))
            }
            _ => None,
        }
    }
}

/// Why [`SecretCacheBuilder::build`](crate::SecretCacheBuilder::build) refused a setting.
///
/// ```
/// let client = secretsmanager::Client::new(&secretsmanager::Config::builder().build());
/// let err = secretsmanager_cache::SecretCache::builder(client).max_entries(0).build().unwrap_err();
/// assert_eq!(err.setting(), "max_entries");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    setting: &'static str,
    reason: String,
}

impl ConfigError {
    pub(crate) fn new(setting: &'static str, reason: impl Into<String>) -> ConfigError {
        ConfigError {
            setting,
            reason: reason.into(),
        }
    }

    /// The builder method whose value was refused.
    pub fn setting(&self) -> &'static str {
        self.setting
    }

    /// Why.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid cache setting {}: {}", self.setting, self.reason)
    }
}

impl StdError for ConfigError {}

#[cfg(test)]
mod tests {
    use super::*;
    use awsrt::error::{ErrorMetadata, TimeoutError, TimeoutKind};

    fn service(status: u16, code: &str) -> CacheError {
        let meta = ErrorMetadata {
            code: Some(code.into()),
            status,
            ..Default::default()
        };
        let err = GetSecretValueError::Unhandled(awsrt::error::Unhandled::new(meta.clone()));
        CacheError::get("db", SdkError::service(err, meta))
    }

    #[test]
    fn transient_or_not() {
        assert!(service(500, "InternalServiceError").is_transient());
        assert!(service(400, "ThrottlingException").is_transient());
        assert!(service(429, "Whatever").is_transient());
        assert!(!service(400, "ResourceNotFoundException").is_transient());
        assert!(service(400, "ResourceNotFoundException").is_not_found());
        assert!(!service(400, "AccessDeniedException").is_transient());
        let timeout = CacheError::get(
            "db",
            SdkError::Timeout(TimeoutError::new(TimeoutKind::Operation, None)),
        );
        assert!(timeout.is_transient());
        let backoff = CacheError::BackingOff {
            secret_id: "db".into(),
            retry_in: Duration::from_millis(1500),
            last: Arc::new(timeout),
        };
        assert!(backoff.is_transient());
        assert_eq!(backoff.secret_id(), Some("db"));
        let text = backoff.to_string();
        assert!(
            text.contains("1500 ms") && text.contains("\"db\""),
            "{text}"
        );
        assert!(backoff.source().is_some());
        assert!(!CacheError::NotAString {
            secret_id: "x".into()
        }
        .is_transient());
    }
}
