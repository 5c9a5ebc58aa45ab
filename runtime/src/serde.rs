//! Serde support for the generated types (cargo feature `serde` of the runtime and of every
//! generated crate).
//!
//! # Representation
//!
//! One representation for every generated type, whatever the service's wire protocol:
//!
//! * structures are maps keyed by the **model's member names** (`SecretString`, not
//!   `secret_string`); absent optional members are written as `null` (absent `@sensitive` ones
//!   are left out), and `null` or a missing key reads back as absent;
//! * timestamps ([`DateTime`]) are RFC 3339 strings (`2024-05-06T07:08:09.5Z`);
//! * blobs ([`Blob`], [`SensitiveBlob`]) are standard base64 strings;
//! * documents ([`Document`]) are the JSON value they hold;
//! * big numbers ([`BigInteger`], [`BigDecimal`]) are their decimal text, as strings, so no
//!   digit is lost;
//! * enums are their wire value as a string (intEnums as their number), unknown values
//!   included, so a value the client does not know is kept and written back unchanged;
//! * unions are maps with exactly one key, the member's name.
//!
//! # Secrets
//!
//! A `@sensitive` value is written only inside [`with_secrets`]; anywhere else serializing it
//! fails with an error naming the member (`GetSecretValueOutput.SecretString is @sensitive
//! ...`), so a secret is never written by accident and never silently dropped. Deserialized
//! secrets are [`SensitiveString`] / [`SensitiveBlob`] again, wiped on drop.

use std::cell::Cell;
use std::fmt;

use ::serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use ::serde::ser::{self, Serialize, SerializeMap, SerializeSeq, Serializer};

use crate::types::{
    base64_decode, base64_encode, BigDecimal, BigInteger, Blob, DateTime, Document, Number,
    SensitiveBlob, SensitiveString, TimestampFormat,
};

/// The serde crate, for the derives in generated code (`#[serde(crate = "...")]`), so a
/// generated crate needs no serde dependency of its own. Not a public API.
#[doc(hidden)]
pub use ::serde as __serde;

thread_local! {
    static SECRETS_ALLOWED: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f` with the writing of `@sensitive` values allowed on this thread (for example
/// `awsrt::serde::with_secrets(|| serde_json::to_string(&output))`). Outside it, serializing a
/// secret is an error. Nested calls are fine; the previous setting comes back when `f` returns
/// or panics.
pub fn with_secrets<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            SECRETS_ALLOWED.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(SECRETS_ALLOWED.with(|c| c.replace(true)));
    f()
}

/// Whether [`with_secrets`] is in effect on this thread.
pub fn secrets_allowed() -> bool {
    SECRETS_ALLOWED.with(Cell::get)
}

fn refuse<E: ser::Error>(what: &str) -> E {
    E::custom(format_args!(
        "{what} is @sensitive: it is serialized only inside awsrt::serde::with_secrets(..)"
    ))
}

/// Serializes a `@sensitive` member `member` (`Shape.Member`): the value inside
/// [`with_secrets`], an error naming the member outside. Generated code calls this.
pub fn sensitive_member<T: Serialize + ?Sized, S: Serializer>(
    value: &T,
    member: &str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if secrets_allowed() {
        value.serialize(serializer)
    } else {
        Err(refuse(member))
    }
}

impl Serialize for SensitiveString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !secrets_allowed() {
            return Err(refuse("a SensitiveString"));
        }
        serializer.serialize_str(self.expose_secret())
    }
}

impl<'de> Deserialize<'de> for SensitiveString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(SensitiveString::from)
    }
}

impl Serialize for SensitiveBlob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if !secrets_allowed() {
            return Err(refuse("a SensitiveBlob"));
        }
        let text = zeroize::Zeroizing::new(base64_encode(self.expose_secret()));
        serializer.serialize_str(&text)
    }
}

impl<'de> Deserialize<'de> for SensitiveBlob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = zeroize::Zeroizing::new(String::deserialize(deserializer)?);
        base64_decode(&text)
            .map(SensitiveBlob::from)
            .map_err(|e| de::Error::custom(format_args!("invalid base64: {e}")))
    }
}

impl Serialize for Blob {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&base64_encode(self.as_ref()))
    }
}

impl<'de> Deserialize<'de> for Blob {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        base64_decode(&text)
            .map(Blob::from)
            .map_err(|e| de::Error::custom(format_args!("invalid base64: {e}")))
    }
}

impl Serialize for DateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.fmt(TimestampFormat::DateTime))
    }
}

impl<'de> Deserialize<'de> for DateTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        DateTime::parse(&text, TimestampFormat::DateTime)
            .map_err(|e| de::Error::custom(format_args!("invalid RFC 3339 timestamp: {e}")))
    }
}

macro_rules! as_text {
    ($ty:ty, $what:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                text.parse().map_err(|e| {
                    de::Error::custom(format_args!(concat!("invalid ", $what, ": {}"), e))
                })
            }
        }
    };
}

as_text!(BigInteger, "big integer");
as_text!(BigDecimal, "big decimal");

impl Serialize for Document {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Document::Null => serializer.serialize_unit(),
            Document::Bool(b) => serializer.serialize_bool(*b),
            Document::Number(Number::PosInt(n)) => serializer.serialize_u64(*n),
            Document::Number(Number::NegInt(n)) => serializer.serialize_i64(*n),
            Document::Number(Number::Float(f)) => serializer.serialize_f64(*f),
            Document::String(s) => serializer.serialize_str(s),
            Document::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Document::Object(map) => {
                let mut m = serializer.serialize_map(Some(map.len()))?;
                for (k, v) in map {
                    m.serialize_entry(k, v)?;
                }
                m.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for Document {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Document;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_none<E>(self) -> Result<Document, E> {
        Ok(Document::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Document, D::Error> {
        Document::deserialize(d)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Document, E> {
        Ok(Document::Bool(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Document, E> {
        Ok(Document::Number(Number::PosInt(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Document, E> {
        Ok(Document::Number(if v < 0 {
            Number::NegInt(v)
        } else {
            Number::PosInt(v as u64)
        }))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Document, E> {
        Ok(Document::Number(Number::Float(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Document, E> {
        Ok(Document::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Document, E> {
        Ok(Document::String(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Document, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Document::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document, A::Error> {
        let mut out = std::collections::BTreeMap::new();
        while let Some((k, v)) = map.next_entry::<String, Document>()? {
            out.insert(k, v);
        }
        // serde_json with its `arbitrary_precision` feature hands a number to `deserialize_any`
        // as a one-entry map holding the number's text under this key.
        if out.len() == 1 {
            if let Some(Document::String(text)) = out.get("$serde_json::private::Number") {
                return Document::parse(text.as_bytes())
                    .ok()
                    .filter(|d| matches!(d, Document::Number(_)))
                    .ok_or_else(|| de::Error::custom(format_args!("invalid number {text}")));
            }
        }
        Ok(Document::Object(out))
    }
}
