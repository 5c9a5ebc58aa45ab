//! Rust expressions for model values (examples, smoke tests): JSON in the model's shape → the
//! builder calls a user would write.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::common::*;
use crate::ir::{Field, RType, Service, TypeDef};

/// Why a value could not be rendered (the example is then left out, and the reason reported).
pub type Unrenderable = String;

/// An expression of type `ty` for `v`. Fallible struct builds use `?` (the caller's context must
/// return a `Result` whose error accepts `BuildError`).
pub fn value_expr(svc: &Service, ty: &RType, v: &Value) -> Result<TokenStream, Unrenderable> {
    Ok(match (ty, v) {
        (RType::String, Value::String(s)) => quote!(#s),
        (RType::SensitiveString, Value::String(s)) => quote!(#s),
        (RType::Bool, Value::Bool(b)) => quote!(#b),
        (RType::I8 | RType::I16 | RType::I32 | RType::I64, Value::Number(n)) if n.is_i64() => {
            let l = Literal::i64_unsuffixed(n.as_i64().unwrap_or_default());
            quote!(#l)
        }
        (RType::F32 | RType::F64, Value::Number(n)) => {
            let f = n.as_f64().unwrap_or_default();
            let l = if matches!(ty, RType::F32) {
                Literal::f32_suffixed(f as f32)
            } else {
                Literal::f64_suffixed(f)
            };
            quote!(#l)
        }
        (RType::Blob | RType::SensitiveBlob, Value::String(s)) => {
            let t = rust_type(ty);
            let b = Literal::byte_string(s.as_bytes());
            quote!(#t::new(#b.to_vec()))
        }
        (RType::Timestamp(_), Value::Number(n)) => {
            // Exact decimal seconds: the float would round the fraction.
            let text = n.to_string();
            let (whole, frac) = text.split_once('.').unwrap_or((&text, ""));
            let secs: i64 = whole
                .parse()
                .map_err(|_| format!("timestamp {text} out of range"))?;
            let mut digits: String = frac.chars().take(9).collect();
            while digits.len() < 9 {
                digits.push('0');
            }
            let nanos: u32 = digits
                .parse()
                .map_err(|_| format!("timestamp {text} has an unusual fraction"))?;
            if secs < 0 && nanos > 0 {
                return Err(format!("negative fractional timestamp {text}"));
            }
            let (s, ns) = (
                Literal::i64_unsuffixed(secs),
                Literal::u32_unsuffixed(nanos),
            );
            quote!(::awsrt::types::DateTime::from_secs_and_nanos(#s, #ns))
        }
        (RType::Timestamp(_), Value::String(s)) => {
            let d = String::from(s.as_str());
            quote!(::awsrt::types::DateTime::parse(#d, ::awsrt::types::TimestampFormat::DateTime)?)
        }
        (RType::Document, v) => {
            let json = v.to_string();
            quote!(::awsrt::types::Document::parse(#json.as_bytes())?)
        }
        (RType::Enum(n), Value::String(s)) => {
            let p = type_path(n);
            quote!(#p::from(#s))
        }
        (RType::IntEnum(n), Value::Number(x)) => {
            let p = type_path(n);
            let l = Literal::i64_unsuffixed(x.as_i64().unwrap_or_default());
            quote!(#p::from(#l))
        }
        (RType::Struct(n), Value::Object(o)) => {
            let Some(TypeDef::Struct(s)) = svc.ty(n) else {
                return Err(format!("unknown structure {n}"));
            };
            let p = type_path(n);
            let calls = setter_calls(svc, &s.fields, o, |f| ident(&f.name))?;
            let q = if s.fallible_build() {
                quote!(?)
            } else {
                quote!()
            };
            quote!(#p::builder() #calls .build() #q)
        }
        (RType::Union(n), Value::Object(o)) => {
            let Some(TypeDef::Union(s)) = svc.ty(n) else {
                return Err(format!("unknown union {n}"));
            };
            let (k, val) = o
                .iter()
                .next()
                .ok_or_else(|| format!("empty union value for {n}"))?;
            let f = s
                .fields
                .iter()
                .find(|f| &f.wire == k)
                .ok_or_else(|| format!("union {n} has no member {k}"))?;
            let p = type_path(n);
            let var = ident(&f.variant);
            let inner = value_expr(svc, &f.ty, val)?;
            let inner = into_stored(f, &f.ty, inner);
            quote!(#p::#var(#inner))
        }
        (RType::List(inner, _), Value::Array(items)) => {
            let items = items
                .iter()
                .map(|i| value_expr(svc, inner, i).map(|e| into_owned(inner, e)))
                .collect::<Result<Vec<_>, _>>()?;
            quote!(vec![#(#items),*])
        }
        (RType::Map(inner, _), Value::Object(o)) => {
            let entries = o
                .iter()
                .map(|(k, v)| {
                    value_expr(svc, inner, v).map(|e| {
                        let e = into_owned(inner, e);
                        quote!((String::from(#k), #e))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            quote!(::std::collections::HashMap::from([#(#entries),*]))
        }
        (t, v) => return Err(format!("cannot render {v} as {t:?}")),
    })
}

/// Converts a rendered literal to the owned type (for collections, where `Into` is not applied).
fn into_owned(t: &RType, e: TokenStream) -> TokenStream {
    match t {
        RType::String => quote!(String::from(#e)),
        RType::SensitiveString => quote!(::awsrt::types::SensitiveString::from(#e)),
        _ => e,
    }
}

fn into_stored(f: &Field, t: &RType, e: TokenStream) -> TokenStream {
    let e = into_owned(t, e);
    if f.boxed {
        quote!(Box::new(#e))
    } else {
        e
    }
}

/// `.member(value)` calls for every key of `o`, as a user writes them with a builder (lists
/// append one item per call, maps insert one entry per call).
pub fn setter_calls(
    svc: &Service,
    fields: &[Field],
    o: &serde_json::Map<String, Value>,
    name: impl Fn(&Field) -> proc_macro2::Ident,
) -> Result<TokenStream, Unrenderable> {
    let mut calls = TokenStream::new();
    for (k, v) in o {
        let f = fields
            .iter()
            .find(|f| &f.wire == k || &f.member == k)
            .ok_or_else(|| format!("no member named {k}"))?;
        let n = name(f);
        match (&f.ty, v) {
            (RType::List(inner, sparse), Value::Array(items)) if !*sparse && !items.is_empty() => {
                for i in items {
                    let e = value_expr(svc, inner, i)?;
                    calls.extend(quote!(.#n(#e)));
                }
            }
            (RType::Map(inner, sparse), Value::Object(m)) if !*sparse && !m.is_empty() => {
                for (mk, mv) in m {
                    let e = value_expr(svc, inner, mv)?;
                    calls.extend(quote!(.#n(#mk, #e)));
                }
            }
            (t, v) => {
                let e = value_expr(svc, t, v)?;
                let e = if matches!(t, RType::List(..) | RType::Map(..)) {
                    let set = format_ident!("set_{}", bare(&f.name));
                    calls.extend(quote!(.#set(Some(#e))));
                    continue;
                } else {
                    e
                };
                calls.extend(quote!(.#n(#e)));
            }
        }
    }
    Ok(calls)
}
