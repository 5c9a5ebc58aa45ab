//! [`Secret`]: one cached version of a secret, shared by every caller that reads it.

use std::fmt;
use std::sync::{Arc, Weak};

use awsrt::types::{DateTime, SensitiveBlob, SensitiveString};
use secretsmanager::operation::get_secret_value::GetSecretValueOutput;
use secretsmanager::types::SecretValueEntry;

/// The payload of a secret version: a string (most secrets, often JSON) or bytes.
///
/// Both forms are redacted in `Debug`, have no `Display` and are zeroed when dropped.
///
/// ```
/// use secretsmanager_cache::SecretValue;
/// let v = SecretValue::String("hunter2".into());
/// assert_eq!(format!("{v:?}"), "String(*** Sensitive Data Redacted ***)");
/// assert_eq!(v.as_string().map(|s| s.expose_secret()), Some("hunter2"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SecretValue {
    /// `SecretString`.
    String(SensitiveString),
    /// `SecretBinary`.
    Binary(SensitiveBlob),
    /// Neither (a version without a value).
    Empty,
}

impl SecretValue {
    /// The string, when the secret is a string.
    pub fn as_string(&self) -> Option<&SensitiveString> {
        match self {
            SecretValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bytes, when the secret is binary.
    pub fn as_binary(&self) -> Option<&SensitiveBlob> {
        match self {
            SecretValue::Binary(b) => Some(b),
            _ => None,
        }
    }

    fn from_parts(string: Option<SensitiveString>, binary: Option<SensitiveBlob>) -> SecretValue {
        match (string, binary) {
            (Some(s), _) => SecretValue::String(s),
            (None, Some(b)) => SecretValue::Binary(b),
            (None, None) => SecretValue::Empty,
        }
    }
}

struct Data {
    name: Option<String>,
    arn: Option<String>,
    version_id: Option<String>,
    version_stages: Vec<String>,
    created_date: Option<DateTime>,
    value: SecretValue,
}

/// One handle on a fetched value. The cache gives each thread that reads a key its own
/// handle onto the one shared [`Data`], so the reference count a hit increments is written by
/// that thread alone; aligned to a cache line so that two threads' counts never share one.
#[repr(align(64))]
struct Handle(Arc<Data>);

/// One version of a secret as the cache holds it: the value and what GetSecretValue said about
/// it. Cloning is cheap (one reference count); every caller of a cached key shares one copy of
/// the value, which is wiped when the last handle on it is dropped. (The cache gives each
/// thread its own handle on that copy, so that threads reading one secret do not share a
/// reference count; [`Secret::ptr_eq`] compares the copy, not the handle.)
///
/// `Debug` shows the name, ARN, version id and stages, never the value.
///
/// ```
/// use secretsmanager_cache::Secret;
/// let s = Secret::from_string("prod/db", "hunter2");
/// assert_eq!(s.name(), Some("prod/db"));
/// assert_eq!(s.secret_string().map(|v| v.expose_secret()), Some("hunter2"));
/// assert!(!format!("{s:?}").contains("hunter2"));
/// ```
#[derive(Clone)]
pub struct Secret(Arc<Handle>);

/// A [`Secret`] handle that does not keep the value alive (what a thread's fast path holds).
pub(crate) struct WeakSecret(Weak<Handle>);

impl WeakSecret {
    /// The secret, while some handle (the cache's entry, a caller) still holds it.
    #[inline]
    pub fn upgrade(&self) -> Option<Secret> {
        self.0.upgrade().map(Secret)
    }
}

impl Secret {
    /// A secret named `name` holding the string `value` (for tests and examples; the cache
    /// builds its secrets from the service's answers).
    pub fn from_string(name: impl Into<String>, value: impl Into<SensitiveString>) -> Secret {
        Secret::new(
            Some(name.into()),
            None,
            None,
            Vec::new(),
            None,
            SecretValue::String(value.into()),
        )
    }

    fn new(
        name: Option<String>,
        arn: Option<String>,
        version_id: Option<String>,
        version_stages: Vec<String>,
        created_date: Option<DateTime>,
        value: SecretValue,
    ) -> Secret {
        Secret(Arc::new(Handle(Arc::new(Data {
            name,
            arn,
            version_id,
            version_stages,
            created_date,
            value,
        }))))
    }

    fn data(&self) -> &Data {
        &(self.0).0
    }

    /// A new handle onto the same value (not a copy of the value): [`Secret::ptr_eq`] holds
    /// between the two, but their reference counts are separate.
    pub(crate) fn new_handle(&self) -> Secret {
        Secret(Arc::new(Handle((self.0).0.clone())))
    }

    /// A handle that does not keep the value alive.
    pub(crate) fn downgrade(&self) -> WeakSecret {
        WeakSecret(Arc::downgrade(&self.0))
    }

    /// Takes the output apart (the value is moved, not copied).
    pub(crate) fn from_output(out: GetSecretValueOutput) -> Secret {
        let mut out = out;
        let value = SecretValue::from_parts(out.secret_string.take(), out.secret_binary.take());
        Secret::new(
            out.name.take(),
            out.arn.take(),
            out.version_id.take(),
            out.version_stages.take().unwrap_or_default(),
            out.created_date,
            value,
        )
    }

    /// The same from a BatchGetSecretValue entry.
    pub(crate) fn from_entry(entry: SecretValueEntry) -> Secret {
        let mut e = entry;
        let value = SecretValue::from_parts(e.secret_string.take(), e.secret_binary.take());
        Secret::new(
            e.name.take(),
            e.arn.take(),
            e.version_id.take(),
            e.version_stages.take().unwrap_or_default(),
            e.created_date,
            value,
        )
    }

    /// The same metadata with another value (after the transform hook).
    pub(crate) fn with_value(&self, value: SecretValue) -> Secret {
        let i = self.data();
        Secret::new(
            i.name.clone(),
            i.arn.clone(),
            i.version_id.clone(),
            i.version_stages.clone(),
            i.created_date,
            value,
        )
    }

    /// Runs `f` on the value; moves it out when this is the only handle (a fresh fetch).
    pub(crate) fn try_map_value<E>(
        mut self,
        f: impl FnOnce(SecretValue) -> Result<SecretValue, E>,
    ) -> Result<Secret, E> {
        match Arc::get_mut(&mut self.0).and_then(|h| Arc::get_mut(&mut h.0)) {
            Some(data) => {
                let value = std::mem::replace(&mut data.value, SecretValue::Empty);
                data.value = f(value)?;
                Ok(self)
            }
            None => {
                let value = f(self.data().value.clone())?;
                Ok(self.with_value(value))
            }
        }
    }

    /// The value.
    pub fn value(&self) -> &SecretValue {
        &self.data().value
    }

    /// `SecretString`, when the secret is a string.
    pub fn secret_string(&self) -> Option<&SensitiveString> {
        self.data().value.as_string()
    }

    /// `SecretBinary`, when the secret is binary.
    pub fn secret_binary(&self) -> Option<&SensitiveBlob> {
        self.data().value.as_binary()
    }

    /// The secret's friendly name.
    pub fn name(&self) -> Option<&str> {
        self.data().name.as_deref()
    }

    /// The secret's ARN.
    pub fn arn(&self) -> Option<&str> {
        self.data().arn.as_deref()
    }

    /// The id of this version.
    pub fn version_id(&self) -> Option<&str> {
        self.data().version_id.as_deref()
    }

    /// The staging labels this version had when it was fetched (`AWSCURRENT`, ...).
    pub fn version_stages(&self) -> &[String] {
        &self.data().version_stages
    }

    /// When this version was created.
    pub fn created_date(&self) -> Option<DateTime> {
        self.data().created_date
    }

    /// Whether two handles share one cached copy (the same fetch).
    pub fn ptr_eq(&self, other: &Secret) -> bool {
        Arc::ptr_eq(&(self.0).0, &(other.0).0)
    }

    /// Parses the string value as JSON into `T` (feature `serde`).
    ///
    /// The error never quotes the secret: it says where the JSON went wrong (line, column)
    /// and how, not what it contained. `T` holds plain copies of what it reads; keep
    /// passwords in a [`crate::json::Sensitive`] field to have them redacted and zeroed too.
    ///
    /// ```
    /// # #[cfg(feature = "serde")] {
    /// use secretsmanager_cache::{json::UsernamePassword, Secret};
    /// let s = Secret::from_string("db", r#"{"username":"app","password":"hunter2"}"#);
    /// let creds: UsernamePassword = s.json().unwrap();
    /// assert_eq!(creds.username, "app");
    /// assert_eq!(creds.password.expose_secret(), "hunter2");
    /// # }
    /// ```
    #[cfg(feature = "serde")]
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, crate::CacheError> {
        let id = || self.name().or(self.arn()).unwrap_or_default().to_owned();
        let Some(s) = self.secret_string() else {
            return Err(crate::CacheError::NotAString { secret_id: id() });
        };
        serde_json::from_str(s.expose_secret()).map_err(|e| crate::CacheError::Json {
            secret_id: id(),
            line: e.line(),
            column: e.column(),
            category: crate::json::category(&e),
        })
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Secret")
            .field("name", &self.data().name)
            .field("arn", &self.data().arn)
            .field("version_id", &self.data().version_id)
            .field("version_stages", &self.data().version_stages)
            .field("value", &self.data().value)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_taken_apart_without_copying_the_value() {
        let out = GetSecretValueOutput::builder()
            .name("db")
            .arn("arn:x")
            .version_id("v1")
            .version_stages("AWSCURRENT")
            .secret_string("hunter2")
            .build();
        let ptr = out.secret_string().unwrap().expose_secret().as_ptr();
        let s = Secret::from_output(out);
        assert_eq!(s.secret_string().unwrap().expose_secret().as_ptr(), ptr);
        assert_eq!(s.version_stages(), ["AWSCURRENT"]);
        assert_eq!(
            (s.name(), s.arn(), s.version_id()),
            (Some("db"), Some("arn:x"), Some("v1"))
        );
        let debug = format!("{s:?}");
        assert!(
            !debug.contains("hunter2") && debug.contains("v1"),
            "{debug}"
        );
        let other = s.with_value(SecretValue::Binary(SensitiveBlob::new(vec![1, 2])));
        assert_eq!(other.secret_binary().unwrap().expose_secret(), [1, 2]);
        assert_eq!(other.version_id(), Some("v1"));
        assert!(!other.ptr_eq(&s) && s.clone().ptr_eq(&s));
    }

    #[test]
    fn string_wins_over_binary_and_empty_is_empty() {
        assert_eq!(
            SecretValue::from_parts(None, Some(SensitiveBlob::new(vec![7]))),
            SecretValue::Binary(SensitiveBlob::new(vec![7]))
        );
        assert_eq!(SecretValue::from_parts(None, None), SecretValue::Empty);
        assert!(SecretValue::Empty.as_string().is_none());
    }
}
