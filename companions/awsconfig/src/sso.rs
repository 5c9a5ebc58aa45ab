//! IAM Identity Center (SSO): the token `aws sso login` cached, refreshed through SSO-OIDC
//! when it is about to expire, exchanged for role credentials through SSO GetRoleCredentials.
//! Reading and refreshing the cached token ([`TokenOwner::token`]) is shared with
//! [`SsoTokenProvider`](crate::SsoTokenProvider), which hands the token itself to bearer-token
//! services.

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use awsrt::config::Config;
use awsrt::credentials::{
    BoxFuture, Credentials, CredentialsError, ProvideCredentials, SsoSettings,
};
use awsrt::profile::Env;
use awsrt::types::{DateTime, Document, SensitiveString, TimestampFormat};

const NAME: &str = "sso";
/// A cached token this close to its expiry is refreshed first (when it can be).
const REFRESH_WINDOW: Duration = Duration::from_secs(5 * 60);

/// Role credentials from IAM Identity Center for one profile's account and role.
///
/// Reads the access token `aws sso login` left in `~/.aws/sso/cache/<sha1>.json` (the SHA-1 of
/// the `sso_session` name, or of the start URL for legacy profiles). Within five minutes of
/// its expiry, a token of an `sso_session` profile is refreshed through SSO-OIDC CreateToken
/// with the cached refresh token and client registration, and the file is written back; a
/// legacy token cannot be refreshed. Then SSO GetRoleCredentials (unsigned: the token is the
/// proof) gives the credentials. An expired login is an error telling the user to run
/// `aws sso login`.
#[derive(Debug, Clone)]
pub struct SsoProvider {
    settings: SsoSettings,
    config: Config,
    env: Env,
}

impl SsoProvider {
    /// A provider for these settings (see
    /// [`resolve_chain`](awsrt::credentials::resolve_chain)); the SSO and SSO-OIDC clients are
    /// built from `config` in the settings' `sso_region`.
    pub fn new(config: &Config, settings: SsoSettings) -> SsoProvider {
        SsoProvider {
            settings,
            config: config.clone(),
            env: config.env().cloned().unwrap_or_else(Env::real),
        }
    }

    /// The cache file of this profile's token.
    pub fn cache_file(&self) -> Result<PathBuf, CredentialsError> {
        self.owner().cache_file(&self.env)
    }

    fn owner(&self) -> TokenOwner<'_> {
        TokenOwner {
            who: format!("profile `{}`", self.settings.profile),
            profile: Some(&self.settings.profile),
            session_name: self.settings.session_name.as_deref(),
            start_url: &self.settings.start_url,
            region: &self.settings.region,
        }
    }

    async fn load(&self) -> Result<Credentials, CredentialsError> {
        let (token, _) = self.owner().token(&self.config, &self.env).await?;
        let config = crate::client_config(&self.config, Some(&self.settings.region), None);
        let out = sso::Client::new(&config)
            .get_role_credentials()
            .role_name(&self.settings.role_name)
            .account_id(&self.settings.account_id)
            .access_token(token)
            .send()
            .await
            .map_err(|e| {
                crate::failed(
                    NAME,
                    &format!(
                        "GetRoleCredentials for account {} role {}",
                        self.settings.account_id, self.settings.role_name
                    ),
                    e,
                )
            })?;
        let c = out.role_credentials().ok_or_else(|| {
            CredentialsError::provider_failed(
                NAME,
                "GetRoleCredentials answered without credentials",
            )
        })?;
        let (Some(key), Some(secret)) = (c.access_key_id(), c.secret_access_key()) else {
            return Err(CredentialsError::provider_failed(
                NAME,
                "GetRoleCredentials answered without an access key",
            ));
        };
        let expiry = SystemTime::try_from(DateTime::from_millis(c.expiration())).ok();
        Ok(Credentials::new(
            key,
            secret.expose_secret(),
            c.session_token().map(|t| t.expose_secret().to_owned()),
            expiry,
            NAME,
        ))
    }
}

impl ProvideCredentials for SsoProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.load())
    }
}

/// Whose SSO token: where `aws sso login` cached it, where it is refreshed, and how to tell the
/// user to log in again. Shared by [`SsoProvider`] (credentials) and
/// [`SsoTokenProvider`](crate::SsoTokenProvider) (the token itself, for bearer-token services).
pub(crate) struct TokenOwner<'a> {
    /// Who uses the token, for messages: "profile `dev`".
    pub(crate) who: String,
    /// The profile, for the login hint of a legacy profile.
    pub(crate) profile: Option<&'a str>,
    /// The `sso_session` name: the cache key, and the only kind of token that can be refreshed.
    pub(crate) session_name: Option<&'a str>,
    /// `sso_start_url`: the cache key of a legacy profile.
    pub(crate) start_url: &'a str,
    /// `sso_region`: where SSO-OIDC refreshes the token.
    pub(crate) region: &'a str,
}

impl TokenOwner<'_> {
    /// `~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json`.
    pub(crate) fn cache_file(&self, env: &Env) -> Result<PathBuf, CredentialsError> {
        let home = env.home_dir().ok_or_else(|| {
            CredentialsError::invalid_configuration(NAME, "no home directory for ~/.aws/sso/cache")
        })?;
        let key = self.session_name.unwrap_or(self.start_url);
        Ok(home
            .join(".aws")
            .join("sso")
            .join("cache")
            .join(format!("{}.json", sha1_hex(key.as_bytes()))))
    }

    fn login_hint(&self) -> String {
        match (self.session_name, self.profile) {
            (Some(s), _) => format!("run `aws sso login --sso-session {s}`"),
            (None, Some(p)) => format!("run `aws sso login --profile {p}`"),
            (None, None) => "run `aws sso login`".to_owned(),
        }
    }

    /// The cached access token and its expiry. Within five minutes of its expiry, a token of an
    /// `sso_session` is refreshed through SSO-OIDC CreateToken (a client built from `config`)
    /// and the file is written back; a failed refresh keeps a token that has not expired yet.
    pub(crate) async fn token(
        &self,
        config: &Config,
        env: &Env,
    ) -> Result<(SensitiveString, SystemTime), CredentialsError> {
        let path = self.cache_file(env)?;
        let text = std::fs::read(&path).map_err(|e| {
            CredentialsError::provider_failed(
                NAME,
                format!(
                    "{}: no cached SSO token ({}: {e}); {}",
                    self.who,
                    path.display(),
                    self.login_hint()
                ),
            )
        })?;
        let mut cached = CachedToken::parse(&text).map_err(|reason| {
            CredentialsError::provider_failed(
                NAME,
                format!(
                    "the SSO token cache {} is not usable ({reason}); {}",
                    path.display(),
                    self.login_hint()
                ),
            )
        })?;
        let now = SystemTime::now();
        if cached.expires_at > now + REFRESH_WINDOW {
            return Ok((cached.access_token(), cached.expires_at));
        }
        if self.session_name.is_some() && cached.can_refresh(now) {
            match self.refresh(config, &mut cached, now).await {
                Ok(()) => {
                    if let Err(e) = write_atomically(&path, cached.doc.to_json().as_bytes()) {
                        tracing::warn!(path = %path.display(), error = %e, "could not write the refreshed SSO token back");
                    }
                    return Ok((cached.access_token(), cached.expires_at));
                }
                Err(e) if cached.expires_at > now => {
                    tracing::warn!(error = %e, "SSO token refresh failed; using the cached token until it expires");
                    return Ok((cached.access_token(), cached.expires_at));
                }
                Err(e) => {
                    return Err(CredentialsError::provider_failed(
                        NAME,
                        format!(
                            "the SSO session of {} has expired and could not be refreshed ({e}); {}",
                            self.who,
                            self.login_hint()
                        ),
                    ));
                }
            }
        }
        if cached.expires_at > now {
            return Ok((cached.access_token(), cached.expires_at));
        }
        Err(CredentialsError::provider_failed(
            NAME,
            format!(
                "the SSO session of {} has expired; {}",
                self.who,
                self.login_hint()
            ),
        ))
    }

    async fn refresh(
        &self,
        config: &Config,
        cached: &mut CachedToken,
        now: SystemTime,
    ) -> Result<(), String> {
        let config = crate::client_config(config, Some(self.region), None);
        let field = |k: &str| cached.string(k).unwrap_or_default();
        let out = ssooidc::Client::new(&config)
            .create_token()
            .client_id(field("clientId"))
            .client_secret(field("clientSecret"))
            .grant_type("refresh_token")
            .refresh_token(field("refreshToken"))
            .send()
            .await
            .map_err(|e| format!("SSO-OIDC CreateToken: {e}"))?;
        let token = out
            .access_token()
            .ok_or("SSO-OIDC CreateToken answered without an access token")?;
        let expires_at = now + Duration::from_secs(out.expires_in().max(0) as u64);
        cached.set("accessToken", token.expose_secret());
        cached.set(
            "expiresAt",
            &DateTime::from(expires_at).fmt(TimestampFormat::DateTime),
        );
        if let Some(r) = out.refresh_token() {
            cached.set("refreshToken", r.expose_secret());
        }
        cached.expires_at = expires_at;
        Ok(())
    }
}

/// The cache file's JSON, kept whole so that fields this client does not read are written
/// back unchanged.
struct CachedToken {
    doc: Document,
    expires_at: SystemTime,
}

impl CachedToken {
    fn parse(bytes: &[u8]) -> Result<CachedToken, String> {
        let doc = Document::parse(bytes).map_err(|e| format!("not JSON: {e}"))?;
        if doc.as_object().is_none() {
            return Err("not a JSON object".into());
        }
        let token = CachedToken {
            expires_at: SystemTime::UNIX_EPOCH,
            doc,
        };
        if token.string("accessToken").is_none() {
            return Err("no accessToken".into());
        }
        let expires_at = token.timestamp("expiresAt").ok_or("no valid expiresAt")?;
        Ok(CachedToken {
            expires_at,
            ..token
        })
    }

    fn string(&self, key: &str) -> Option<String> {
        self.doc.get(key)?.as_str().map(str::to_owned)
    }

    fn timestamp(&self, key: &str) -> Option<SystemTime> {
        let text = self.doc.get(key)?.as_str()?;
        let t = DateTime::parse(text, TimestampFormat::DateTime).ok()?;
        SystemTime::try_from(t).ok()
    }

    fn access_token(&self) -> SensitiveString {
        SensitiveString::new(self.string("accessToken").unwrap_or_default())
    }

    /// A refresh token and a client registration that has not expired.
    fn can_refresh(&self, now: SystemTime) -> bool {
        ["refreshToken", "clientId", "clientSecret"]
            .iter()
            .all(|k| self.string(k).is_some_and(|v| !v.is_empty()))
            && self
                .timestamp("registrationExpiresAt")
                .is_none_or(|t| t > now)
    }

    fn set(&mut self, key: &str, value: &str) {
        if let Document::Object(map) = &mut self.doc {
            map.insert(key.to_owned(), Document::String(value.to_owned()));
        }
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it over `path`, so a reader
/// never sees half a file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

fn sha1_hex(data: &[u8]) -> String {
    let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, data);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_file_names_are_the_sha1_of_the_session_or_start_url() {
        // The file names the AWS CLI uses (its documented examples).
        assert_eq!(
            sha1_hex(b"admin"),
            "d033e22ae348aeb5660fc2140aec35850c4da997"
        );
        assert_eq!(
            sha1_hex(b"https://d-abc123.awsapps.com/start"),
            sha1_hex("https://d-abc123.awsapps.com/start".as_bytes())
        );
    }

    #[test]
    fn cached_tokens_need_a_token_and_an_expiry() {
        assert!(CachedToken::parse(b"{}").is_err());
        assert!(CachedToken::parse(br#"{"accessToken":"a"}"#).is_err());
        assert!(CachedToken::parse(br#"{"accessToken":"a","expiresAt":"soon"}"#).is_err());
        let t = CachedToken::parse(
            br#"{"accessToken":"a","expiresAt":"2030-01-02T03:04:05Z","refreshToken":"r","clientId":"c","clientSecret":"s","registrationExpiresAt":"2029-01-01T00:00:00Z","extra":1}"#,
        )
        .unwrap();
        assert_eq!(t.access_token().expose_secret(), "a");
        let jan_2029 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_861_920_000);
        assert!(t.can_refresh(jan_2029 - Duration::from_secs(1)));
        assert!(!t.can_refresh(jan_2029 + Duration::from_secs(1)));
    }
}
