//! Rust expressions for typed model values ([`crate::ir::Value`]: examples, smoke tests): the
//! builder calls a user would write. The values were checked against their types when the IR
//! was built, so rendering cannot fail.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::common::*;
use crate::ir::{Field, RType, TypeDef, Value};
use crate::names;

/// The types a value may name (structures and unions for nested values).
pub type Types = std::collections::BTreeMap<String, TypeDef>;

/// An expression of type `ty` for `v`. Fallible struct builds use `?` (the caller's context must
/// return a `Result` whose error accepts `BuildError`).
pub fn value_expr(types: &Types, ty: &RType, v: &Value) -> TokenStream {
    match (ty, v) {
        (_, Value::String(s)) => quote!(#s),
        (_, Value::Bool(b)) => quote!(#b),
        (_, Value::Int(i)) => {
            let l = Literal::i64_unsuffixed(*i);
            quote!(#l)
        }
        (RType::F32, Value::Float(f)) => {
            let l = Literal::f32_suffixed(*f as f32);
            quote!(#l)
        }
        (_, Value::Float(f)) => {
            let l = Literal::f64_suffixed(*f);
            quote!(#l)
        }
        (_, Value::Big(text)) => {
            let t = rust_type(ty);
            quote!(#text.parse::<#t>()?)
        }
        (_, Value::Blob(s)) => {
            let t = rust_type(ty);
            let b = Literal::byte_string(s.as_bytes());
            quote!(#t::new(#b.to_vec()))
        }
        (_, Value::Timestamp { secs, nanos }) => {
            let (s, ns) = (
                Literal::i64_unsuffixed(*secs),
                Literal::u32_unsuffixed(*nanos),
            );
            quote!(::awsrt::types::DateTime::from_secs_and_nanos(#s, #ns))
        }
        (_, Value::DateTime(s)) => {
            quote!(::awsrt::types::DateTime::parse(#s, ::awsrt::types::TimestampFormat::DateTime)?)
        }
        (_, Value::Document(d)) => {
            let json = d.to_string();
            quote!(::awsrt::types::Document::parse(#json.as_bytes())?)
        }
        (RType::Enum(n), Value::Enum(s)) => {
            let p = type_path(n);
            quote!(#p::from(#s))
        }
        (RType::IntEnum(n), Value::IntEnum(i)) => {
            let p = type_path(n);
            let l = Literal::i32_unsuffixed(*i);
            quote!(#p::from(#l))
        }
        (RType::Struct(n), Value::Struct(fields)) => {
            let Some(TypeDef::Struct(s)) = types.get(n) else {
                return quote!(::std::compile_error!("unknown structure"));
            };
            let p = type_path(n);
            let calls = setter_calls(types, &s.fields, fields);
            let q = if s.fallible_build() {
                quote!(?)
            } else {
                quote!()
            };
            quote!(#p::builder() #calls .build() #q)
        }
        (RType::Union(n), Value::Union(i, inner)) => {
            let Some(TypeDef::Union(s)) = types.get(n) else {
                return quote!(::std::compile_error!("unknown union"));
            };
            let f = &s.fields[*i];
            let p = type_path(n);
            let var = ident(&f.variant);
            let inner = value_expr(types, &f.ty, inner);
            let inner = into_stored(f, &f.ty, inner);
            quote!(#p::#var(#inner))
        }
        (RType::List(inner, sparse), Value::List(items)) => {
            let items = items
                .iter()
                .map(|i| element(into_owned(inner, value_expr(types, inner, i)), *sparse));
            quote!(vec![#(#items),*])
        }
        (RType::Map(inner, sparse), Value::Map(entries)) => {
            let entries = entries.iter().map(|(k, v)| {
                let e = element(into_owned(inner, value_expr(types, inner, v)), *sparse);
                quote!((String::from(#k), #e))
            });
            quote!(::std::collections::HashMap::from([#(#entries),*]))
        }
        (_, Value::Unit) => quote!(()),
        _ => quote!(::std::compile_error!("a value of the wrong type")),
    }
}

fn element(e: TokenStream, sparse: bool) -> TokenStream {
    if sparse {
        quote!(Some(#e))
    } else {
        e
    }
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

/// `.member(value)` calls for the members set in `values`, as a user writes them with a
/// builder (lists append one item per call, maps insert one entry per call). `types` are the
/// service's types, for nested structures and unions.
pub fn setter_calls(types: &Types, fields: &[Field], values: &[(usize, Value)]) -> TokenStream {
    let mut calls = TokenStream::new();
    for (i, v) in values {
        let f = &fields[*i];
        let n = ident(&f.name);
        match (&f.ty, v) {
            (RType::List(inner, false), Value::List(items)) if !items.is_empty() => {
                for item in items {
                    let e = value_expr(types, inner, item);
                    calls.extend(quote!(.#n(#e)));
                }
            }
            (RType::Map(inner, false), Value::Map(m)) if !m.is_empty() => {
                for (mk, mv) in m {
                    let e = value_expr(types, inner, mv);
                    calls.extend(quote!(.#n(#mk, #e)));
                }
            }
            (t @ (RType::List(..) | RType::Map(..)), v) => {
                let e = value_expr(types, t, v);
                let set = format_ident!("{}", names::prefixed("set", &f.name));
                calls.extend(quote!(.#set(Some(#e))));
            }
            (t, v) => {
                let e = value_expr(types, t, v);
                calls.extend(quote!(.#n(#e)));
            }
        }
    }
    calls
}
