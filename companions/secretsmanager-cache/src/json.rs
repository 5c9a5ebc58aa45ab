//! Typed access to JSON secrets (feature `serde`): [`Secret::json`](crate::Secret::json) reads a
//! secret string into any `serde` type; this module has the common shapes and [`Sensitive`],
//! a field type that keeps a value redacted and zeroed like the cache does.
//!
//! ```
//! use secretsmanager_cache::json::DatabaseCredentials;
//! use secretsmanager_cache::Secret;
//!
//! // The shape of an RDS-managed or console-created database secret.
//! let s = Secret::from_string("prod/db", r#"{"engine":"postgres","host":"db.internal","port":5432,
//!     "username":"app","password":"hunter2","dbname":"orders"}"#);
//! let db: DatabaseCredentials = s.json().unwrap();
//! assert_eq!((db.host.as_deref(), db.port), (Some("db.internal"), Some(5432)));
//! assert_eq!(db.password.expose_secret(), "hunter2");
//! assert!(!format!("{db:?}").contains("hunter2"));
//! ```

use std::fmt;

use awsrt::types::SensitiveString;
use serde::{Deserialize, Deserializer};

/// A string read from a secret that stays secret: redacted in `Debug`, no `Display`, zeroed on
/// drop (a [`SensitiveString`] that `serde` can fill).
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Sensitive(SensitiveString);

impl Sensitive {
    /// The value.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }

    /// The wrapped [`SensitiveString`].
    pub fn into_inner(self) -> SensitiveString {
        self.0
    }
}

impl fmt::Debug for Sensitive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de> Deserialize<'de> for Sensitive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(|s| Sensitive(SensitiveString::new(s)))
    }
}

/// `{"username": "...", "password": "..."}`, the simplest credentials secret.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct UsernamePassword {
    /// `username`.
    pub username: String,
    /// `password`.
    pub password: Sensitive,
}

/// The JSON of a database secret as Secrets Manager's console and RDS write it; every field
/// but `username` and `password` is optional, and unknown fields are ignored.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseCredentials {
    /// `username`.
    pub username: String,
    /// `password`.
    pub password: Sensitive,
    /// `engine` (`postgres`, `mysql`, ...).
    #[serde(default)]
    pub engine: Option<String>,
    /// `host`.
    #[serde(default)]
    pub host: Option<String>,
    /// `port`, written as a number or a string.
    #[serde(default, deserialize_with = "port")]
    pub port: Option<u16>,
    /// `dbname`.
    #[serde(default)]
    pub dbname: Option<String>,
    /// `dbClusterIdentifier` or `dbInstanceIdentifier`.
    #[serde(default, alias = "dbClusterIdentifier", alias = "dbInstanceIdentifier")]
    pub identifier: Option<String>,
}

fn port<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u16>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        N(u16),
        S(String),
    }
    match Option::<Port>::deserialize(d)? {
        None => Ok(None),
        Some(Port::N(n)) => Ok(Some(n)),
        Some(Port::S(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| serde::de::Error::custom("port is not a number")),
    }
}

/// `serde_json`'s error category, without its message (which may quote the secret).
pub(crate) fn category(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Io => "io",
        serde_json::error::Category::Syntax => "syntax",
        serde_json::error::Category::Data => "data",
        serde_json::error::Category::Eof => "eof",
    }
}
