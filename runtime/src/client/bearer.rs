//! The `Authorization: Bearer <token>` header of `smithy.api#httpBearerAuth` operations, from
//! the token provider the configuration names for the service
//! ([`Config::token_provider_for`](crate::config::Config::token_provider_for)).

use http::HeaderValue;
use zeroize::Zeroizing;

use super::HandleInner;
use crate::error::{BuildError, BuildErrorKind, Never, SdkError};

fn credentials_error(message: String) -> SdkError<Never> {
    SdkError::Construction(BuildError::new(BuildErrorKind::Credentials, message))
}

/// The `Authorization` header of a bearer-token operation (marked sensitive), or the
/// construction error saying how to configure a token, or why the configured source could not
/// give one.
pub(super) async fn bearer_header(inner: &HandleInner) -> Result<HeaderValue, SdkError<Never>> {
    let service = inner.service;
    let provider = inner
        .config
        .token_provider_for(service.sdk_id)
        .ok_or_else(|| {
            credentials_error(if service.sdk_id.trim().is_empty() {
                format!(
                    "service {:?} authenticates with a bearer token; set one with ConfigBuilder::bearer_token",
                    service.name()
                )
            } else {
                format!(
                    "service {:?} authenticates with a bearer token; set one with ConfigBuilder::bearer_token or AWS_BEARER_TOKEN_{}",
                    service.name(),
                    crate::config::sdk_id_env_suffix(service.sdk_id)
                )
            })
        })?;
    let token = provider.provide_token().await.map_err(|e| {
        credentials_error(format!(
            "could not load the bearer token for service {:?}: {e}",
            service.name()
        ))
    })?;
    let value = Zeroizing::new(format!("Bearer {}", token.token()));
    let mut v = HeaderValue::from_str(&value).map_err(|_| {
        credentials_error("the bearer token contains characters HTTP headers cannot carry".into())
    })?;
    v.set_sensitive(true);
    Ok(v)
}
