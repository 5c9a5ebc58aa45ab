//! [`Document`]: an untyped JSON-like value (Smithy `document`), and [`Number`].

use std::collections::BTreeMap;

use crate::json::{JsonError, JsonReader, JsonWriter};

/// A number inside a [`Document`].
///
/// Parsing puts non-negative integers in `PosInt`, negative integers in `NegInt` and everything
/// else (fractions, exponents, integers beyond 64 bits) in `Float`. Numbers compare by value, as
/// JSON numbers do: `25` (`PosInt`) equals `25.0` (`Float`).
#[derive(Clone, Copy, Debug)]
pub enum Number {
    /// A non-negative integer.
    PosInt(u64),
    /// A negative integer (always `< 0` when produced by the parser).
    NegInt(i64),
    /// A floating-point number.
    Float(f64),
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        use Number::{Float, NegInt, PosInt};
        // 2^64 and -2^63 as f64: integral floats in range convert exactly.
        const U64_END: f64 = 18_446_744_073_709_551_616.0;
        const I64_START: f64 = -9_223_372_036_854_775_808.0;
        match (*self, *other) {
            (PosInt(a), PosInt(b)) => a == b,
            (NegInt(a), NegInt(b)) => a == b,
            (Float(a), Float(b)) => a == b,
            (PosInt(_), NegInt(_)) | (NegInt(_), PosInt(_)) => false,
            (PosInt(i), Float(f)) | (Float(f), PosInt(i)) => {
                f.fract() == 0.0 && (0.0..U64_END).contains(&f) && f as u64 == i
            }
            (NegInt(i), Float(f)) | (Float(f), NegInt(i)) => {
                f.fract() == 0.0 && (I64_START..0.0).contains(&f) && f as i64 == i
            }
        }
    }
}

impl Number {
    /// The value as `f64` (possibly rounded for large integers).
    pub fn as_f64(&self) -> f64 {
        match *self {
            Number::PosInt(v) => v as f64,
            Number::NegInt(v) => v as f64,
            Number::Float(v) => v,
        }
    }

    /// The value as `i64` if it is an integer (or an integral float) in range.
    pub fn to_i64(&self) -> Option<i64> {
        match *self {
            Number::PosInt(v) => i64::try_from(v).ok(),
            Number::NegInt(v) => Some(v),
            Number::Float(v) => {
                // 2^63 is exactly representable; the valid range is [-2^63, 2^63).
                if v.fract() == 0.0 && (i64::MIN as f64..-(i64::MIN as f64)).contains(&v) {
                    Some(v as i64)
                } else {
                    None
                }
            }
        }
    }

    /// The value as `u64` if it is a non-negative integer (or integral float) in range.
    pub fn to_u64(&self) -> Option<u64> {
        match *self {
            Number::PosInt(v) => Some(v),
            Number::NegInt(v) => u64::try_from(v).ok(),
            Number::Float(v) => {
                if v.fract() == 0.0 && (0.0..u64::MAX as f64).contains(&v) {
                    Some(v as u64)
                } else {
                    None
                }
            }
        }
    }

    /// The value as `i32` if it is an integer in range.
    pub fn to_i32(&self) -> Option<i32> {
        self.to_i64().and_then(|v| i32::try_from(v).ok())
    }
}

/// An untyped JSON value (a Smithy `document`).
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Document {
    /// `null`.
    #[default]
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Document>),
    /// An object (keys sorted; on duplicate keys the last one wins).
    Object(BTreeMap<String, Document>),
}

impl Document {
    /// Parses a complete JSON text. Only whitespace may follow the value.
    pub fn parse(input: &[u8]) -> Result<Document, JsonError> {
        let mut reader = JsonReader::new(input);
        let doc = reader.document()?;
        reader.finish()?;
        Ok(doc)
    }

    /// Serializes to compact JSON. Non-finite floats become the strings `"NaN"`, `"Infinity"`,
    /// `"-Infinity"`.
    pub fn to_json(&self) -> String {
        let mut w = JsonWriter::new();
        w.document(self);
        // The writer only emits valid UTF-8 (it copies `str` data and ASCII punctuation).
        String::from_utf8(w.finish()).unwrap_or_default()
    }

    /// True for `Null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Document::Null)
    }

    /// The string, if this is a `String`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Document::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this is a `Bool`.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Document::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, if this is a `Number`.
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Document::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The elements, if this is an `Array`.
    pub fn as_array(&self) -> Option<&[Document]> {
        match self {
            Document::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The members, if this is an `Object`.
    pub fn as_object(&self) -> Option<&BTreeMap<String, Document>> {
        match self {
            Document::Object(o) => Some(o),
            _ => None,
        }
    }

    /// The member `key`, if this is an `Object` that has it.
    pub fn get(&self, key: &str) -> Option<&Document> {
        self.as_object().and_then(|o| o.get(key))
    }
}

impl From<bool> for Document {
    fn from(v: bool) -> Document {
        Document::Bool(v)
    }
}

impl From<&str> for Document {
    fn from(v: &str) -> Document {
        Document::String(v.to_owned())
    }
}

impl From<String> for Document {
    fn from(v: String) -> Document {
        Document::String(v)
    }
}

impl From<i64> for Document {
    fn from(v: i64) -> Document {
        match u64::try_from(v) {
            Ok(u) => Document::Number(Number::PosInt(u)),
            Err(_) => Document::Number(Number::NegInt(v)),
        }
    }
}

impl From<u64> for Document {
    fn from(v: u64) -> Document {
        Document::Number(Number::PosInt(v))
    }
}

impl From<f64> for Document {
    fn from(v: f64) -> Document {
        Document::Number(Number::Float(v))
    }
}

impl From<Number> for Document {
    fn from(v: Number) -> Document {
        Document::Number(v)
    }
}

impl From<Vec<Document>> for Document {
    fn from(v: Vec<Document>) -> Document {
        Document::Array(v)
    }
}

impl From<BTreeMap<String, Document>> for Document {
    fn from(v: BTreeMap<String, Document>) -> Document {
        Document::Object(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_all_kinds() {
        let d = Document::parse(br#" {"a": [1, -2, 3.5, true, false, null, "x\n"], "b": {}} "#)
            .unwrap();
        let a = d.get("a").unwrap().as_array().unwrap();
        assert_eq!(a[0], Document::Number(Number::PosInt(1)));
        assert_eq!(a[1], Document::Number(Number::NegInt(-2)));
        assert_eq!(a[2], Document::Number(Number::Float(3.5)));
        assert_eq!(a[3].as_bool(), Some(true));
        assert_eq!(a[4].as_bool(), Some(false));
        assert!(a[5].is_null());
        assert_eq!(a[6].as_str(), Some("x\n"));
        assert!(d.get("b").unwrap().as_object().unwrap().is_empty());
        assert!(d.get("c").is_none());
    }

    #[test]
    fn number_classification() {
        let n = |s: &str| Document::parse(s.as_bytes()).unwrap().as_number().unwrap();
        assert_eq!(n("18446744073709551615"), Number::PosInt(u64::MAX));
        assert_eq!(
            n("18446744073709551616"),
            Number::Float(18446744073709551616.0)
        );
        assert_eq!(n("-9223372036854775808"), Number::NegInt(i64::MIN));
        assert_eq!(
            n("-9223372036854775809"),
            Number::Float(-9223372036854775809.0)
        );
        assert_eq!(n("-0"), Number::PosInt(0));
        assert_eq!(n("1e2"), Number::Float(100.0));
        assert!(Document::parse(b"1e400").is_err());
    }

    #[test]
    fn number_conversions() {
        assert_eq!(Number::Float(3.0).to_i64(), Some(3));
        assert_eq!(Number::Float(3.5).to_i64(), None);
        assert_eq!(Number::Float(9.3e18).to_i64(), None);
        assert_eq!(Number::PosInt(u64::MAX).to_i64(), None);
        assert_eq!(Number::NegInt(-1).to_u64(), None);
        assert_eq!(Number::PosInt(1 << 40).to_i32(), None);
        assert_eq!(Number::NegInt(-7).to_i32(), Some(-7));
        assert_eq!(Number::NegInt(-7).as_f64(), -7.0);
        assert_eq!(Number::Float(-1.0).to_u64(), None);
    }

    #[test]
    fn to_json_roundtrip() {
        let src = r#"{"k":[1,-2,0.5,1e300,"\u0001é\"",{"z":null}],"t":true}"#;
        let d = Document::parse(src.as_bytes()).unwrap();
        let out = d.to_json();
        assert_eq!(
            out,
            r#"{"k":[1,-2,0.5,1e300,"\u0001é\"",{"z":null}],"t":true}"#
        );
        assert_eq!(Document::parse(out.as_bytes()).unwrap(), d);
        assert_eq!(Document::from(f64::NAN).to_json(), r#""NaN""#);
        assert_eq!(Document::from(-5i64), Document::Number(Number::NegInt(-5)));
        assert_eq!(Document::from(5i64), Document::Number(Number::PosInt(5)));
    }

    #[test]
    fn parse_errors() {
        for bad in [
            &b""[..],
            b"{",
            b"[1,]",
            b"{\"a\":1,}",
            b"nul",
            b"1 2",
            b"\"\\x\"",
            b"01",
            b"[1}",
        ] {
            assert!(
                Document::parse(bad).is_err(),
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn numbers_compare_by_value() {
        assert_eq!(Number::PosInt(25), Number::Float(25.0));
        assert_eq!(Number::Float(-3.0), Number::NegInt(-3));
        assert_ne!(Number::PosInt(25), Number::Float(25.5));
        assert_ne!(Number::PosInt(1), Number::NegInt(-1));
        assert_ne!(
            Number::PosInt(u64::MAX),
            Number::Float(1.8446744073709552e19)
        );
        assert_ne!(Number::Float(f64::NAN), Number::Float(f64::NAN));
        assert_eq!(
            Document::parse(br#"{"a":[1,2.0]}"#).unwrap(),
            Document::parse(br#"{"a":[1.0,2]}"#).unwrap()
        );
    }
}
