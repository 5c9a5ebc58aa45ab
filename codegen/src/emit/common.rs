//! Pieces every emitter uses: identifiers, Rust type paths, doc attributes.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::{Field, RType};
use crate::model::{Deprecated, TimestampFormat};

/// An identifier from a name produced by [`crate::names`] (which may carry `r#`).
pub fn ident(name: &str) -> Ident {
    match name.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(name, Span::call_site()),
    }
}

/// The bare name without a raw prefix (for building other identifiers from it).
pub fn bare(name: &str) -> &str {
    crate::names::bare(name)
}

/// `#[doc = " line"]` attributes, one per line, so the output reads as `///` comments.
pub fn doc(text: &str) -> TokenStream {
    let text = text.trim();
    if text.is_empty() {
        return TokenStream::new();
    }
    let lines = text.lines().map(|l| {
        if l.is_empty() {
            String::new()
        } else {
            format!(" {l}")
        }
    });
    quote! { #( #[doc = #lines] )* }
}

/// Docs, or a fallback sentence when the model has none.
pub fn doc_or(text: &str, fallback: &str) -> TokenStream {
    if text.trim().is_empty() {
        doc(fallback)
    } else {
        doc(text)
    }
}

/// `#[deprecated]` from the model's trait.
pub fn deprecated(d: &Option<Deprecated>) -> TokenStream {
    match d {
        None => TokenStream::new(),
        Some(d) => {
            let note = match (&d.message, &d.since) {
                (Some(m), Some(s)) => format!("{m} (since {s})"),
                (Some(m), None) => m.clone(),
                (None, Some(s)) => format!("deprecated since {s}"),
                (None, None) => String::new(),
            };
            if note.is_empty() {
                quote!(#[deprecated])
            } else {
                quote!(#[deprecated(note = #note)])
            }
        }
    }
}

/// The path of a generated type from anywhere in the crate.
pub fn type_path(name: &str) -> TokenStream {
    let id = ident(name);
    quote!(crate::types::#id)
}

/// The Rust type of an IR type (no `Option`).
pub fn rust_type(t: &RType) -> TokenStream {
    match t {
        RType::String => quote!(String),
        RType::SensitiveString => quote!(::awsrt::types::SensitiveString),
        RType::Bool => quote!(bool),
        RType::I8 => quote!(i8),
        RType::I16 => quote!(i16),
        RType::I32 => quote!(i32),
        RType::I64 => quote!(i64),
        RType::F32 => quote!(f32),
        RType::F64 => quote!(f64),
        RType::BigInteger => quote!(::awsrt::types::BigInteger),
        RType::BigDecimal => quote!(::awsrt::types::BigDecimal),
        RType::Blob => quote!(::awsrt::types::Blob),
        RType::SensitiveBlob => quote!(::awsrt::types::SensitiveBlob),
        RType::Timestamp(_) => quote!(::awsrt::types::DateTime),
        RType::Unit => quote!(()),
        RType::Stream => quote!(::awsrt::types::ByteStream),
        RType::EventInput(n) => {
            let u = type_path(n);
            quote!(::awsrt::event_stream::EventStreamSender<#u>)
        }
        RType::EventOutput(n) => {
            let u = type_path(n);
            let e = quote::format_ident!("{}Error", n);
            quote!(::awsrt::event_stream::EventReceiver<#u, crate::event_stream::#e>)
        }
        RType::Document => quote!(::awsrt::types::Document),
        RType::Enum(n) | RType::IntEnum(n) | RType::Struct(n) | RType::Union(n) => type_path(n),
        RType::List(inner, sparse) => {
            let i = rust_type(inner);
            if *sparse {
                quote!(Vec<Option<#i>>)
            } else {
                quote!(Vec<#i>)
            }
        }
        RType::Map(inner, sparse) => {
            let i = rust_type(inner);
            if *sparse {
                quote!(::std::collections::HashMap<String, Option<#i>>)
            } else {
                quote!(::std::collections::HashMap<String, #i>)
            }
        }
    }
}

/// The type of a field as stored (with `Box` and `Option` applied).
pub fn field_type(f: &Field) -> TokenStream {
    let t = stored_type(f);
    if f.optional {
        quote!(Option<#t>)
    } else {
        t
    }
}

/// The type of a field without `Option` (boxed when recursive).
pub fn stored_type(f: &Field) -> TokenStream {
    let t = rust_type(&f.ty);
    if f.boxed {
        quote!(Box<#t>)
    } else {
        t
    }
}

/// The runtime's timestamp format constant.
pub fn ts_format(f: TimestampFormat) -> TokenStream {
    match f {
        TimestampFormat::EpochSeconds => quote!(::awsrt::types::TimestampFormat::EpochSeconds),
        TimestampFormat::DateTime => quote!(::awsrt::types::TimestampFormat::DateTime),
        TimestampFormat::HttpDate => quote!(::awsrt::types::TimestampFormat::HttpDate),
    }
}

/// Whether setters take `impl Into<T>` for this type.
pub fn takes_into(t: &RType) -> bool {
    matches!(
        t,
        RType::String
            | RType::SensitiveString
            | RType::Enum(_)
            | RType::Blob
            | RType::SensitiveBlob
            | RType::Stream
            | RType::BigInteger
            | RType::BigDecimal
    )
}

/// A short description of a type for generated docs.
pub fn describe(t: &RType) -> String {
    match t {
        RType::List(..) => "list".into(),
        RType::Map(..) => "map".into(),
        _ => "value".into(),
    }
}

/// The literal for a `@default` value of the given type.
pub fn default_expr(t: &RType, v: &serde_json::Value) -> TokenStream {
    use proc_macro2::Literal;
    match t {
        RType::Bool => {
            let b = v.as_bool().unwrap_or(false);
            quote!(#b)
        }
        RType::I8 => {
            let n =
                Literal::i8_unsuffixed(v.as_i64().and_then(|n| i8::try_from(n).ok()).unwrap_or(0));
            quote!(#n)
        }
        RType::I16 => {
            let n = Literal::i16_unsuffixed(
                v.as_i64().and_then(|n| i16::try_from(n).ok()).unwrap_or(0),
            );
            quote!(#n)
        }
        RType::I32 => {
            let n = Literal::i32_unsuffixed(
                v.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or(0),
            );
            quote!(#n)
        }
        RType::I64 => {
            let n = Literal::i64_unsuffixed(v.as_i64().unwrap_or(0));
            quote!(#n)
        }
        RType::F32 => {
            let n = Literal::f32_suffixed(v.as_f64().unwrap_or(0.0) as f32);
            quote!(#n)
        }
        RType::F64 => {
            let n = Literal::f64_suffixed(v.as_f64().unwrap_or(0.0));
            quote!(#n)
        }
        RType::BigInteger | RType::BigDecimal => {
            let text = crate::ir::big_text(t, v).unwrap_or_else(|| "0".to_owned());
            let ty = rust_type(t);
            quote!(#text.parse::<#ty>().unwrap_or_default())
        }
        RType::String => {
            let s = v.as_str().unwrap_or("");
            quote!(String::from(#s))
        }
        RType::SensitiveString => {
            let s = v.as_str().unwrap_or("");
            quote!(::awsrt::types::SensitiveString::from(#s))
        }
        RType::Enum(n) => {
            let p = type_path(n);
            let s = v.as_str().unwrap_or("");
            quote!(#p::from(#s))
        }
        RType::IntEnum(n) => {
            let p = type_path(n);
            let i = Literal::i32_unsuffixed(
                v.as_i64().and_then(|n| i32::try_from(n).ok()).unwrap_or(0),
            );
            quote!(#p::from(#i))
        }
        RType::Blob | RType::SensitiveBlob => {
            let s = v.as_str().unwrap_or("");
            let ty = rust_type(t);
            quote!(#ty::from(::awsrt::types::base64_decode(#s).unwrap_or_default()))
        }
        RType::Timestamp(_) => match v {
            serde_json::Value::String(s) => {
                quote!(::awsrt::types::DateTime::parse(#s, ::awsrt::types::TimestampFormat::DateTime).unwrap_or(::awsrt::types::DateTime::from_secs(0)))
            }
            _ => {
                let n = Literal::f64_suffixed(v.as_f64().unwrap_or(0.0));
                quote!(::awsrt::types::DateTime::from_secs_f64(#n))
            }
        },
        RType::List(..) => quote!(Vec::new()),
        RType::Map(..) => quote!(::std::collections::HashMap::new()),
        RType::Document => {
            let json = v.to_string();
            quote!(::awsrt::types::Document::parse(#json.as_bytes()).unwrap_or(::awsrt::types::Document::Null))
        }
        RType::Struct(_) | RType::Union(_) => quote!(Default::default()),
        RType::Unit => quote!(()),
        RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => quote!(Default::default()),
    }
}
