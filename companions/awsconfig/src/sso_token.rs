//! The bearer token of an IAM Identity Center session (`sso_session`), for the services that
//! authenticate with `smithy.api#httpBearerAuth` (Amazon CodeCatalyst), as the official SDKs
//! provide it.

use std::path::PathBuf;

use awsrt::config::Config;
use awsrt::credentials::{BoxFuture, ProvideToken, Token, TokenError};
use awsrt::profile::Env;

use crate::sso::TokenOwner;

const NAME: &str = "sso";

/// The access token of an `[sso-session <name>]`: the one `aws sso login --sso-session <name>`
/// cached in `~/.aws/sso/cache/<sha1 of the session name>.json`.
///
/// Within five minutes of its expiry the token is refreshed through SSO-OIDC CreateToken (in
/// the session's `sso_region`, with the cached refresh token and client registration) and the
/// file is written back, exactly as [`SsoProvider`](crate::SsoProvider) does before it asks
/// for role credentials (the two share that code). An expired session that cannot be
/// refreshed is an error telling the user to run `aws sso login`.
///
/// [`load_from_env`](crate::load_from_env) installs one, as the configuration's
/// [fallback token provider](awsrt::config::ConfigBuilder::fallback_token_provider), when the
/// selected profile has an `sso_session`: a token set in code or in
/// `AWS_BEARER_TOKEN_<SDK_ID>` wins over it.
#[derive(Debug, Clone)]
pub struct SsoTokenProvider {
    session_name: String,
    /// Who uses the token, for messages: "profile `dev`" or "[sso-session corp]".
    who: String,
    config: Config,
    env: Env,
}

impl SsoTokenProvider {
    /// The token of the `[sso-session <session_name>]` section of `config`'s shared config
    /// files; the SSO-OIDC client that refreshes it is built from `config`. The section is
    /// read when a token is asked for: a missing section or `sso_region` is reported then.
    pub fn new(config: &Config, session_name: impl Into<String>) -> SsoTokenProvider {
        let session_name = session_name.into();
        SsoTokenProvider {
            who: format!("[sso-session {session_name}]"),
            session_name,
            config: config.clone(),
            env: config.env().cloned().unwrap_or_else(Env::real),
        }
    }

    /// The token of the `sso_session` of `config`'s selected profile; `None` when the profile
    /// has none (or no shared config files were loaded).
    pub fn from_profile(config: &Config) -> Option<SsoTokenProvider> {
        let profiles = config.profiles()?;
        let profile = profiles.selected()?;
        let session = profile.get("sso_session")?.trim();
        if session.is_empty() {
            return None;
        }
        let mut provider = SsoTokenProvider::new(config, session);
        provider.who = format!("profile `{}`", profile.name());
        Some(provider)
    }

    /// The `sso_session` name.
    pub fn session_name(&self) -> &str {
        &self.session_name
    }

    /// The cache file of the session's token.
    pub fn cache_file(&self) -> Result<PathBuf, TokenError> {
        // The cache key of a session is its name: the start URL and region play no part.
        Ok(self.owner("", "").cache_file(&self.env)?)
    }

    fn owner<'a>(&'a self, start_url: &'a str, region: &'a str) -> TokenOwner<'a> {
        TokenOwner {
            who: self.who.clone(),
            profile: None,
            session_name: Some(&self.session_name),
            start_url,
            region,
        }
    }

    /// `sso_start_url` and `sso_region` of the session's section.
    fn section(&self) -> Result<(String, String), TokenError> {
        let name = &self.session_name;
        let profiles = self.config.profiles().ok_or_else(|| {
            TokenError::invalid_configuration(
                NAME,
                format!("no shared config files were loaded to find [sso-session {name}] in"),
            )
        })?;
        let section = profiles.sso_session(name).ok_or_else(|| {
            TokenError::invalid_configuration(
                NAME,
                format!(
                    "{} names sso_session `{name}`, which has no [sso-session {name}] section",
                    self.who
                ),
            )
        })?;
        let required = |key: &str| {
            section
                .get(key)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
                .ok_or_else(|| {
                    TokenError::invalid_configuration(
                        NAME,
                        format!("[sso-session {name}] is missing `{key}`"),
                    )
                })
        };
        Ok((required("sso_start_url")?, required("sso_region")?))
    }

    async fn load(&self) -> Result<Token, TokenError> {
        let (start_url, region) = self.section()?;
        let (token, expires_at) = self
            .owner(&start_url, &region)
            .token(&self.config, &self.env)
            .await?;
        Ok(Token::new(token.into_inner(), Some(expires_at)))
    }
}

impl ProvideToken for SsoTokenProvider {
    fn provide_token(&self) -> BoxFuture<'_, Result<Token, TokenError>> {
        Box::pin(self.load())
    }
}
