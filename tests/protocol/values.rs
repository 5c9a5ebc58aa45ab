//! Rust expressions for test-case values, shared by the botocore harness ([`super::render`])
//! and the Smithy one (`tests/protocol_smithy/`): inputs built with the generated builders from a
//! case's parameters (typed Rust literals), and member-by-member assertions on parsed outputs and
//! errors.
//!
//! Names come from the generator's IR ([`codegen::ir::Service`]), so the test code calls exactly
//! the methods and types the generated crate has. Parameter conventions are the same in both
//! sources: blobs as their raw text, timestamps as epoch seconds, floats as numbers or
//! `"NaN"`/`"Infinity"`/`"-Infinity"`.

use std::collections::BTreeMap;

use awsrt::types::{Document, Number};
use codegen::ir::{Field, RType, Service, TypeDef};

/// A Rust string literal for `s`.
pub fn lit(s: &str) -> String {
    format!("{s:?}")
}

/// `snake_case` for test function and module names: any non-alphanumeric becomes `_`, a word
/// boundary (lower/digit → upper, or an acronym's last capital before a lowercase) gets `_`.
pub fn snake(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && i > 0 {
                let prev = chars[i - 1];
                let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
                if prev.is_ascii_lowercase()
                    || prev.is_ascii_digit()
                    || (prev.is_ascii_uppercase() && next_lower)
                {
                    out.push('_');
                }
            }
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_owned()
}

/// Context for rendering expressions of one generated crate.
pub struct Cx<'a> {
    /// The IR of the generated crate.
    pub svc: &'a Service,
    /// The generated crate's name (its path root in the cases crate).
    pub krate: &'a str,
}

impl Cx<'_> {
    fn type_path(&self, name: &str) -> String {
        format!("::{}::types::{name}", self.krate)
    }

    /// An owned expression of type `ty` for the JSON value `v` (botocore's `params`/`result`
    /// conventions: blobs as their raw text, timestamps as epoch seconds).
    pub fn value(&self, ty: &RType, v: &Document) -> Result<String, String> {
        let bad = || format!("cannot render {} as {ty:?}", v.to_json());
        Ok(match (ty, v) {
            (RType::String, Document::String(s)) => {
                format!("::std::string::String::from({})", lit(s))
            }
            (RType::SensitiveString, Document::String(s)) => {
                format!("::awsrt::types::SensitiveString::from({})", lit(s))
            }
            (RType::Bool, Document::Bool(b)) => b.to_string(),
            (RType::I8 | RType::I16 | RType::I32 | RType::I64, Document::Number(n)) => {
                int_literal(ty, *n).ok_or_else(bad)?
            }
            (RType::F32 | RType::F64, v) => float_literal(ty, v).ok_or_else(bad)?,
            (RType::BigInteger | RType::BigDecimal, v) => big_literal(ty, v).ok_or_else(bad)?,
            (RType::Blob, Document::String(s)) => {
                format!("::awsrt::types::Blob::new({}.as_bytes().to_vec())", lit(s))
            }
            (RType::SensitiveBlob, Document::String(s)) => format!(
                "::awsrt::types::SensitiveBlob::new({}.as_bytes().to_vec())",
                lit(s)
            ),
            (RType::Timestamp(_), Document::Number(n)) => timestamp_literal(*n).ok_or_else(bad)?,
            // RFC 3339 text (the event-stream cases write timestamps so).
            (RType::Timestamp(_), Document::String(t)) => {
                awsrt::types::DateTime::parse(t, awsrt::types::TimestampFormat::DateTime)
                    .map_err(|_| bad())?;
                format!(
                    "::awsrt::types::DateTime::parse({}, ::awsrt::types::TimestampFormat::DateTime).expect(\"an RFC 3339 timestamp\")",
                    lit(t)
                )
            }
            (RType::Document, v) => format!("::cases::doc({})", lit(&v.to_json())),
            (RType::Unit, Document::Object(o)) if o.is_empty() => "()".to_owned(),
            (RType::Enum(n), Document::String(s)) => {
                format!("{}::from({})", self.type_path(n), lit(s))
            }
            (RType::IntEnum(n), Document::Number(x)) => format!(
                "{}::from({})",
                self.type_path(n),
                int_literal(&RType::I32, *x).ok_or_else(bad)?
            ),
            (RType::Struct(n), Document::Object(o)) => {
                let Some(TypeDef::Struct(s)) = self.svc.ty(n) else {
                    return Err(format!("unknown structure {n}"));
                };
                let calls = self.setter_calls(&s.fields, o)?;
                let build = if s.fallible_build() {
                    format!(".build().expect({})", lit(&format!("build {n}")))
                } else {
                    ".build()".to_owned()
                };
                format!("{}::builder(){calls}{build}", self.type_path(n))
            }
            (RType::Union(n), Document::Object(o)) => {
                let Some(TypeDef::Union(s)) = self.svc.ty(n) else {
                    return Err(format!("unknown union {n}"));
                };
                let set: Vec<_> = o.iter().filter(|(_, v)| !v.is_null()).collect();
                let [(k, val)] = set.as_slice() else {
                    return Err(format!(
                        "a {n} value must set exactly one member: {}",
                        v.to_json()
                    ));
                };
                let f = find_field(&s.fields, k)
                    .ok_or_else(|| format!("union {n} has no member {k}"))?;
                let inner = self.value(&f.ty, val)?;
                let inner = if f.boxed {
                    format!("::std::boxed::Box::new({inner})")
                } else {
                    inner
                };
                format!("{}::{}({inner})", self.type_path(n), f.variant)
            }
            (RType::List(inner, sparse), Document::Array(items)) => {
                let items = items
                    .iter()
                    .map(|i| self.maybe(inner, *sparse, i))
                    .collect::<Result<Vec<_>, _>>()?;
                format!("::std::vec![{}]", items.join(", "))
            }
            (RType::Map(inner, sparse), Document::Object(o)) => {
                let entries = o
                    .iter()
                    .map(|(k, v)| {
                        self.maybe(inner, *sparse, v)
                            .map(|e| format!("(::std::string::String::from({}), {e})", lit(k)))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                format!(
                    "::std::collections::HashMap::from([{}])",
                    entries.join(", ")
                )
            }
            _ => return Err(bad()),
        })
    }

    /// An element of a collection: `Option`-wrapped when the collection is sparse.
    fn maybe(&self, ty: &RType, sparse: bool, v: &Document) -> Result<String, String> {
        match (sparse, v) {
            (true, Document::Null) => Ok("::std::option::Option::None".to_owned()),
            (true, v) => Ok(format!(
                "::std::option::Option::Some({})",
                self.value(ty, v)?
            )),
            (false, Document::Null) => Err("null in a non-sparse collection".to_owned()),
            (false, v) => self.value(ty, v),
        }
    }

    /// Builder calls for the members in `o`, as a user writes them: `.member(value)`, one call
    /// per list item or map entry, `.set_member(..)` for null (unset), empty and sparse
    /// collections.
    pub fn setter_calls(
        &self,
        fields: &[Field],
        o: &BTreeMap<String, Document>,
    ) -> Result<String, String> {
        let mut calls = String::new();
        for (k, v) in o {
            let f = find_field(fields, k).ok_or_else(|| format!("no member named {k}"))?;
            let n = &f.name;
            let set = format!("set_{}", f.name.trim_start_matches("r#"));
            match (&f.ty, v) {
                (_, Document::Null) => {
                    calls.push_str(&format!(".{set}(::std::option::Option::None)"))
                }
                (RType::List(inner, false), Document::Array(items)) if !items.is_empty() => {
                    for i in items {
                        calls.push_str(&format!(".{n}({})", self.value(inner, i)?));
                    }
                }
                (RType::Map(inner, false), Document::Object(m)) if !m.is_empty() => {
                    for (mk, mv) in m {
                        calls.push_str(&format!(
                            ".{n}(::std::string::String::from({}), {})",
                            lit(mk),
                            self.value(inner, mv)?
                        ));
                    }
                }
                (RType::List(..) | RType::Map(..), _) => calls.push_str(&format!(
                    ".{set}(::std::option::Option::Some({}))",
                    self.value(&f.ty, v)?
                )),
                (ty, v) => calls.push_str(&format!(".{n}({})", self.value(ty, v)?)),
            }
        }
        Ok(calls)
    }

    /// Assertions that `<expr>.<field>` equals the expected members in `o` (absent members must
    /// be unset); `what` names the value in messages.
    pub fn field_asserts(
        &self,
        expr: &str,
        fields: &[Field],
        o: &BTreeMap<String, Document>,
        what: &str,
    ) -> Result<String, String> {
        for k in o.keys() {
            if find_field(fields, k).is_none() {
                return Err(format!("{what} has no member {k}"));
            }
        }
        let mut out = String::new();
        for f in fields {
            let got = format!("{expr}.{}", f.name);
            let want = o
                .get(&f.member)
                .or_else(|| o.get(&f.wire))
                .filter(|v| !v.is_null());
            let msg = lit(&format!("{what} member {}", f.member));
            match want {
                None if f.optional => out.push_str(&format!(
                    "    assert!({got}.is_none(), \"{{}}: expected none, got {{:?}}\", {msg}, {got});\n"
                )),
                None => {}
                // A stream is read to its end and compared with the expected bytes (moving
                // the stream out of the output).
                Some(Document::String(bytes)) if f.ty == RType::Stream => out.push_str(&format!(
                    "    assert_eq!(&{got}.collect().await.expect(\"the body stream\")[..], {}.as_bytes(), \"{{}}\", {msg});\n",
                    lit(bytes)
                )),
                Some(v) if f.optional && matches!(f.ty, RType::F32 | RType::F64) => {
                    let helper = if f.ty == RType::F32 { "same_f32" } else { "same_f64" };
                    out.push_str(&format!(
                        "    assert!(::cases::{helper}({got}, {}), \"{{}}: got {{:?}}\", {msg}, {got});\n",
                        self.value(&f.ty, v)?
                    ));
                }
                // `vec![]` alone gives `assert_eq!` no element type to infer.
                Some(Document::Array(items))
                    if items.is_empty() && !f.optional && matches!(f.ty, RType::List(..)) =>
                {
                    out.push_str(&format!(
                        "    assert!({got}.is_empty(), \"{{}}: expected empty, got {{:?}}\", {msg}, {got});\n"
                    ))
                }
                Some(v) => {
                    let mut e = self.value(&f.ty, v)?;
                    if f.boxed {
                        e = format!("::std::boxed::Box::new({e})");
                    }
                    if f.optional {
                        e = format!("::std::option::Option::Some({e})");
                    }
                    out.push_str(&format!("    assert_eq!({got}, {e}, \"{{}}\", {msg});\n"));
                }
            }
        }
        Ok(out)
    }
}

/// The field of `fields` for a member name (or, failing that, its wire name).
pub fn find_field<'f>(fields: &'f [Field], key: &str) -> Option<&'f Field> {
    fields
        .iter()
        .find(|f| f.member == key)
        .or_else(|| fields.iter().find(|f| f.wire == key))
}

fn int_literal(ty: &RType, n: Number) -> Option<String> {
    let i = n.to_i64()?;
    Some(match ty {
        RType::I8 => format!("{}i8", i8::try_from(i).ok()?),
        RType::I16 => format!("{}i16", i16::try_from(i).ok()?),
        RType::I32 => format!("{}i32", i32::try_from(i).ok()?),
        RType::I64 => format!("{i}i64"),
        _ => return None,
    })
}

fn float_literal(ty: &RType, v: &Document) -> Option<String> {
    let t = if *ty == RType::F32 { "f32" } else { "f64" };
    Some(match v {
        Document::String(s) if s == "NaN" => format!("{t}::NAN"),
        Document::String(s) if s == "Infinity" => format!("{t}::INFINITY"),
        Document::String(s) if s == "-Infinity" => format!("{t}::NEG_INFINITY"),
        Document::Number(n) if *ty == RType::F32 => format!("{:?}f32", n.as_f64() as f32),
        Document::Number(n) => format!("{:?}f64", n.as_f64()),
        // Digits a `Number` cannot hold exactly (see `protocol_smithy::cases::to_document`).
        Document::String(s) if *ty == RType::F32 => format!("{:?}f32", s.parse::<f32>().ok()?),
        Document::String(s) => format!("{:?}f64", s.parse::<f64>().ok()?),
        _ => return None,
    })
}

/// A big integer or big decimal from its digits: a number, or a string holding digits a
/// `Number` cannot hold exactly.
fn big_literal(ty: &RType, v: &Document) -> Option<String> {
    let (text, t) = match (ty, v) {
        (_, Document::String(s)) => (s.clone(), ty),
        (_, Document::Number(Number::PosInt(u))) => (u.to_string(), ty),
        (_, Document::Number(Number::NegInt(i))) => (i.to_string(), ty),
        (RType::BigDecimal, Document::Number(Number::Float(f))) => (format!("{f:?}"), ty),
        _ => return None,
    };
    let t = if *t == RType::BigInteger {
        text.parse::<awsrt::types::BigInteger>().ok()?;
        "BigInteger"
    } else {
        text.parse::<awsrt::types::BigDecimal>().ok()?;
        "BigDecimal"
    };
    Some(format!(
        "{}.parse::<::awsrt::types::{t}>().expect(\"a big number\")",
        lit(&text)
    ))
}

/// Epoch seconds (possibly fractional, at most microsecond precision in the data) → an exact
/// `DateTime`.
pub fn timestamp_literal(n: Number) -> Option<String> {
    if let Some(secs) = n.to_i64() {
        return Some(format!("::awsrt::types::DateTime::from_secs({secs}i64)"));
    }
    let f = n.as_f64();
    if !f.is_finite() {
        return None;
    }
    let secs = f.floor();
    let micros = ((f - secs) * 1e6).round() as u32;
    let (secs, micros) = if micros >= 1_000_000 {
        (secs as i64 + 1, 0)
    } else {
        (secs as i64, micros)
    };
    Some(format!(
        "::awsrt::types::DateTime::from_secs_and_nanos({secs}i64, {}u32)",
        micros * 1000
    ))
}

/// The strings of a JSON array (other elements and a missing array give nothing).
pub fn str_list(doc: Option<&Document>) -> Vec<&str> {
    doc.and_then(Document::as_array)
        .unwrap_or_default()
        .iter()
        .filter_map(Document::as_str)
        .collect()
}

/// `&[("k", "v"), ...]` for the string members of a JSON object.
pub fn pairs(doc: Option<&Document>) -> String {
    let items: Vec<String> = doc
        .and_then(Document::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(k, v)| v.as_str().map(|v| format!("({}, {})", lit(k), lit(v))))
        .collect();
    format!("&[{}]", items.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_names() {
        assert_eq!(snake("AwsJson11Enums"), "aws_json11_enums");
        assert_eq!(
            snake("parses_iso8601_timestamps"),
            "parses_iso8601_timestamps"
        );
        assert_eq!(
            snake("SDKAppliedContentEncoding_awsJson1_1"),
            "sdk_applied_content_encoding_aws_json1_1"
        );
    }

    #[test]
    fn timestamps_are_exact() {
        let t = |s: &[u8]| match Document::parse(s).unwrap() {
            Document::Number(n) => timestamp_literal(n).unwrap(),
            _ => unreachable!(),
        };
        assert_eq!(
            t(b"1398796238"),
            "::awsrt::types::DateTime::from_secs(1398796238i64)"
        );
        assert_eq!(
            t(b"946845296.123"),
            "::awsrt::types::DateTime::from_secs_and_nanos(946845296i64, 123000000u32)"
        );
    }

    #[test]
    fn pairs_and_string_lists() {
        let d = Document::parse(br#"{"a": "1", "b": 2, "l": ["x", 3, "y"]}"#).unwrap();
        assert_eq!(pairs(Some(&d)), r#"&[("a", "1")]"#);
        assert_eq!(pairs(None), "&[]");
        assert_eq!(str_list(d.get("l")), vec!["x", "y"]);
    }
}
