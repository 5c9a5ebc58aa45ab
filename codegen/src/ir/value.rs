//! Model values (`smithy.api#examples`, `smithy.test#smokeTests` parameters) typed against the
//! IR: JSON in the model's shape becomes a [`Value`] whose every part fits its Rust type, so
//! emitters render it without failing. A value that does not fit is refused here, with the
//! reason.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::{Field, RType, TypeDef};

/// A value of some [`RType`], checked to fit it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A string (also sensitive strings).
    String(String),
    /// A boolean.
    Bool(bool),
    /// An integer within its type's range.
    Int(i64),
    /// A float.
    Float(f64),
    /// A big integer or big decimal, as its decimal text (checked by [`big_text`]).
    Big(String),
    /// A blob, as the example writes it (its text).
    Blob(String),
    /// A timestamp in epoch seconds, exact to the nanosecond.
    Timestamp {
        /// Whole seconds.
        secs: i64,
        /// Nanoseconds (non-negative timestamps only have a fraction).
        nanos: u32,
    },
    /// A timestamp written as an RFC 3339 date-time string.
    DateTime(String),
    /// A document (any JSON).
    Document(Json),
    /// A string enum value (known or not).
    Enum(String),
    /// An int enum value.
    IntEnum(i32),
    /// A structure: field index → value.
    Struct(ValueFields),
    /// A union: the variant's field index and its value.
    Union(usize, Box<Value>),
    /// A list.
    List(Vec<Value>),
    /// A map.
    Map(Vec<(String, Value)>),
    /// The unit value of a union member targeting `smithy.api#Unit`.
    Unit,
}

/// The set members of a structure value: `(field index, value)` in the order the model gives
/// them.
pub type ValueFields = Vec<(usize, Value)>;

/// Types a value against `ty`.
pub fn typed(types: &BTreeMap<String, TypeDef>, ty: &RType, v: &Json) -> Result<Value, String> {
    let bad = || format!("cannot read {v} as {}", describe(ty));
    Ok(match (ty, v) {
        (RType::String | RType::SensitiveString, Json::String(s)) => Value::String(s.clone()),
        (RType::Bool, Json::Bool(b)) => Value::Bool(*b),
        (RType::I8 | RType::I16 | RType::I32 | RType::I64, Json::Number(n)) => {
            let i = n.as_i64().ok_or_else(bad)?;
            let (lo, hi) = match ty {
                RType::I8 => (i64::from(i8::MIN), i64::from(i8::MAX)),
                RType::I16 => (i64::from(i16::MIN), i64::from(i16::MAX)),
                RType::I32 => (i64::from(i32::MIN), i64::from(i32::MAX)),
                _ => (i64::MIN, i64::MAX),
            };
            if i < lo || i > hi {
                return Err(format!("{i} is out of range for {}", describe(ty)));
            }
            Value::Int(i)
        }
        (RType::F32 | RType::F64, Json::Number(n)) => Value::Float(n.as_f64().ok_or_else(bad)?),
        (RType::BigInteger | RType::BigDecimal, v) => Value::Big(big_text(ty, v).ok_or_else(bad)?),
        (RType::Blob | RType::SensitiveBlob | RType::Stream, Json::String(s)) => {
            Value::Blob(s.clone())
        }
        (RType::Timestamp(_), Json::Number(n)) => {
            // Exact decimal seconds: the float would round the fraction.
            let text = n.to_string();
            let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
            let secs: i64 = whole
                .parse()
                .map_err(|_| format!("timestamp {text} is out of range"))?;
            if frac.chars().any(|c| !c.is_ascii_digit()) {
                return Err(format!("timestamp {text} is not plain decimal seconds"));
            }
            let mut digits: String = frac.chars().take(9).collect();
            while digits.len() < 9 {
                digits.push('0');
            }
            let nanos: u32 = digits
                .parse()
                .map_err(|_| format!("timestamp {text} has an unusual fraction"))?;
            if (secs < 0 || text.starts_with('-')) && nanos > 0 {
                return Err(format!("negative fractional timestamp {text}"));
            }
            Value::Timestamp { secs, nanos }
        }
        (RType::Timestamp(_), Json::String(s)) => {
            if !looks_like_date_time(s) {
                return Err(format!("timestamp {s:?} is not an RFC 3339 date-time"));
            }
            Value::DateTime(s.clone())
        }
        (RType::Document, v) => Value::Document(v.clone()),
        (RType::Unit, Json::Object(o)) if o.is_empty() => Value::Unit,
        (RType::Enum(_), Json::String(s)) => Value::Enum(s.clone()),
        (RType::IntEnum(_), Json::Number(n)) => Value::IntEnum(
            n.as_i64()
                .and_then(|i| i32::try_from(i).ok())
                .ok_or_else(|| format!("int enum value {n} does not fit an i32"))?,
        ),
        (RType::Struct(n), Json::Object(o)) => {
            let Some(TypeDef::Struct(s)) = types.get(n) else {
                return Err(format!("unknown structure {n}"));
            };
            Value::Struct(typed_fields(types, &s.fields, o)?)
        }
        (RType::Union(n), Json::Object(o)) => {
            let Some(TypeDef::Union(s)) = types.get(n) else {
                return Err(format!("unknown union {n}"));
            };
            let mut set = o.iter();
            let (Some((k, val)), None) = (set.next(), set.next()) else {
                return Err(format!("a {n} value must set exactly one member"));
            };
            let i =
                find_field(&s.fields, k).ok_or_else(|| format!("union {n} has no member {k}"))?;
            Value::Union(i, Box::new(typed(types, &s.fields[i].ty, val)?))
        }
        (RType::List(inner, sparse), Json::Array(items)) => {
            if *sparse && items.iter().any(Json::is_null) {
                return Err("null items in a sparse list are not rendered".to_string());
            }
            Value::List(
                items
                    .iter()
                    .map(|i| typed(types, inner, i))
                    .collect::<Result<_, _>>()?,
            )
        }
        (RType::Map(inner, sparse), Json::Object(o)) => {
            if *sparse && o.values().any(Json::is_null) {
                return Err("null values in a sparse map are not rendered".to_string());
            }
            Value::Map(
                o.iter()
                    .map(|(k, v)| typed(types, inner, v).map(|v| (k.clone(), v)))
                    .collect::<Result<_, _>>()?,
            )
        }
        _ => return Err(bad()),
    })
}

/// Types the members of a structure value (keys are member names, or wire names).
pub fn typed_fields(
    types: &BTreeMap<String, TypeDef>,
    fields: &[Field],
    o: &serde_json::Map<String, Json>,
) -> Result<ValueFields, String> {
    let mut out = Vec::new();
    for (k, v) in o {
        let i = find_field(fields, k).ok_or_else(|| format!("no member named {k}"))?;
        out.push((i, typed(types, &fields[i].ty, v)?));
    }
    Ok(out)
}

fn find_field(fields: &[Field], key: &str) -> Option<usize> {
    fields
        .iter()
        .position(|f| f.member == key)
        .or_else(|| fields.iter().position(|f| f.wire == key))
}

/// `YYYY-MM-DDTHH:MM:SS` followed by an optional fraction and `Z` or an offset.
fn looks_like_date_time(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    b.len() >= 20
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b't')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19)
}

fn describe(ty: &RType) -> String {
    match ty {
        RType::String | RType::SensitiveString => "a string".into(),
        RType::Bool => "a boolean".into(),
        RType::I8 => "a byte".into(),
        RType::I16 => "a short".into(),
        RType::I32 => "an integer".into(),
        RType::I64 => "a long".into(),
        RType::F32 | RType::F64 => "a number".into(),
        RType::BigInteger => "an integer".into(),
        RType::BigDecimal => "a number".into(),
        RType::Blob | RType::SensitiveBlob => "a blob".into(),
        RType::Timestamp(_) => "a timestamp".into(),
        RType::Document => "a document".into(),
        RType::Enum(n) | RType::IntEnum(n) => format!("enum {n}"),
        RType::Struct(n) => format!("structure {n}"),
        RType::Union(n) => format!("union {n}"),
        RType::List(..) => "a list".into(),
        RType::Map(..) => "a map".into(),
        RType::Unit => "the unit value {}".into(),
        RType::Stream => "a byte stream".into(),
        RType::EventInput(n) | RType::EventOutput(n) => format!("event stream {n}"),
    }
}

/// The decimal text of a JSON number for a `bigInteger` or `bigDecimal` (the model's digits
/// as written: the model is read with arbitrary precision); `None` when it is not a number or,
/// for a `bigInteger`, not an integer.
pub fn big_text(ty: &RType, v: &Json) -> Option<String> {
    let Json::Number(n) = v else { return None };
    let text = n.to_string();
    let digits = text.strip_prefix('-').unwrap_or(&text);
    let ok = match ty {
        RType::BigInteger => !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()),
        RType::BigDecimal => digits.bytes().any(|b| b.is_ascii_digit()),
        _ => false,
    };
    ok.then_some(text)
}
