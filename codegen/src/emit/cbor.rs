//! CBOR serializers and deserializers (rpcv2Cbor): straight-line code over the runtime's
//! `CborWriter` and pull-parsing `CborReader`, one function per shape that needs it, in the
//! manner of [`super::json`] (whose locals and structure literals it shares). Members are keyed
//! by their wire names; timestamps are always tag 1 epoch seconds (`@timestampFormat` does not
//! apply), blobs byte strings, `null` members are absent, unknown members skipped.
//!
//! Defaults: a member of a nested structure is always written (the reader of the other side
//! needs no default of its own); a top-level input member at its `@default` is left out.

use proc_macro2::TokenStream;
use quote::quote;

use super::common::*;
use super::json::{de_construct, de_fn, de_locals, local, not_default, ser_fn};
use crate::ir::{Field, Location, RType, Service, Struct, TypeDef};
use crate::names;

/// Whether a type gets a serializer and a deserializer function (enums are inline).
fn has_codecs(svc: &Service, name: &str, def: &TypeDef) -> (bool, bool) {
    let codec = !matches!(def, TypeDef::Enum(_));
    (
        codec && svc.ser.contains(name),
        codec && svc.de.contains(name),
    )
}

/// The CBOR codec functions of a data type (for `types/mod.rs` to re-export).
pub fn codec_names(svc: &Service, name: &str, def: &TypeDef) -> Vec<String> {
    let (ser, de) = has_codecs(svc, name, def);
    let mut out = Vec::new();
    if ser {
        out.push(names::ser_fn(name));
    }
    if de {
        out.push(names::de_fn(name));
    }
    out
}

/// The CBOR serializer and deserializer of a data type, when the service needs them.
pub fn codecs(svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
    let mut body = TokenStream::new();
    let t = ident(name);
    let (ser, de) = has_codecs(svc, name, def);
    match def {
        TypeDef::Struct(s) => {
            if ser {
                body.extend(ser_struct(
                    s,
                    &ser_fn(name),
                    quote!(#t),
                    quote!(pub(crate)),
                    false,
                ));
            }
            if de {
                body.extend(de_struct(s, &de_fn(name), quote!(#t), quote!(pub(crate))));
            }
        }
        TypeDef::Union(s) => {
            if ser {
                body.extend(ser_union(s));
            }
            if de {
                body.extend(de_union(s));
            }
        }
        TypeDef::Enum(_) => {}
    }
    body
}

fn ser_path(type_name: &str) -> TokenStream {
    let f = ser_fn(type_name);
    quote!(crate::types::#f)
}

fn de_path(type_name: &str) -> TokenStream {
    let f = de_fn(type_name);
    quote!(crate::types::#f)
}

/// Writes the value `v` (an expression of type `&T`) of IR type `t`.
pub fn write_value(t: &RType, v: TokenStream) -> TokenStream {
    match t {
        RType::String => quote!(w.string(#v);),
        RType::SensitiveString => quote!(w.string(#v.expose_secret());),
        RType::Bool => quote!(w.bool(*#v);),
        RType::I8 | RType::I16 | RType::I32 => quote!(w.i64(i64::from(*#v));),
        RType::I64 => quote!(w.i64(*#v);),
        RType::F32 => quote!(w.f32(*#v);),
        RType::F64 => quote!(w.f64(*#v);),
        RType::BigInteger => quote!(w.big_integer(#v);),
        RType::BigDecimal => quote!(w.big_decimal(#v);),
        RType::Blob => quote!(w.blob(#v.as_ref());),
        RType::SensitiveBlob => quote!(w.blob(#v.expose_secret());),
        RType::Timestamp(_) => quote!(w.timestamp(#v);),
        RType::Document => quote!(w.document(#v);),
        RType::Unit => quote! { let _ = #v; w.begin_map(); w.end_map(); },
        RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
            quote!(::std::compile_error!("a stream is never in a CBOR body");)
        }
        RType::Enum(_) => quote!(w.string(#v.as_str());),
        RType::IntEnum(_) => quote!(w.i64(i64::from(#v.value()));),
        RType::Struct(n) | RType::Union(n) => {
            let p = ser_path(n);
            quote!(#p(w, #v);)
        }
        RType::List(inner, sparse) => {
            let body = write_value(inner, quote!(item));
            let body = if *sparse {
                quote!(match item { Some(item) => { #body } None => w.null(), })
            } else {
                body
            };
            quote! {
                w.begin_array(#v.len());
                for item in #v.iter() { #body }
            }
        }
        RType::Map(inner, sparse) => {
            let body = write_value(inner, quote!(item));
            let body = if *sparse {
                quote!(match item { Some(item) => { #body } None => w.null(), })
            } else {
                body
            };
            quote! {
                w.begin_map();
                for (key, item) in #v.iter() { w.key(key); #body }
                w.end_map();
            }
        }
    }
}

/// Reads a value of IR type `t` (the next value is known not to be `null`).
pub fn read_value(t: &RType) -> TokenStream {
    match t {
        RType::String => quote!(r.string_owned()?),
        RType::SensitiveString => quote!(::awsrt::types::SensitiveString::new(r.string_owned()?)),
        RType::Bool => quote!(r.bool()?),
        RType::I8 => quote!(r.i8()?),
        RType::I16 => quote!(r.i16()?),
        RType::I32 => quote!(r.i32()?),
        RType::I64 => quote!(r.i64()?),
        RType::F32 => quote!(r.f32()?),
        RType::F64 => quote!(r.f64()?),
        RType::BigInteger => quote!(r.big_integer()?),
        RType::BigDecimal => quote!(r.big_decimal()?),
        RType::Blob => quote!(::awsrt::types::Blob::new(r.blob()?)),
        RType::SensitiveBlob => quote!(::awsrt::types::SensitiveBlob::new(r.blob()?)),
        RType::Timestamp(_) => quote!(r.timestamp()?),
        RType::Document => quote!(r.document()?),
        RType::Unit => quote!(r.skip_value()?),
        RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
            quote!(::std::compile_error!("a stream is never in a CBOR body"))
        }
        RType::Enum(n) => {
            let p = type_path(n);
            quote!(#p::from(&*r.string()?))
        }
        RType::IntEnum(n) => {
            let p = type_path(n);
            quote!(#p::from(r.i32()?))
        }
        RType::Struct(n) | RType::Union(n) => {
            let p = de_path(n);
            quote!(#p(r)?)
        }
        RType::List(..) | RType::Map(..) => {
            let c = read_closure(t);
            quote!((#c)(r)?)
        }
    }
}

/// A closure (or function path) reading a value of IR type `t`, for `CborReader::optional`.
pub fn read_closure(t: &RType) -> TokenStream {
    match t {
        RType::String => quote!(|r| r.string_owned()),
        RType::Bool => quote!(|r| r.bool()),
        RType::I8 => quote!(|r| r.i8()),
        RType::I16 => quote!(|r| r.i16()),
        RType::I32 => quote!(|r| r.i32()),
        RType::I64 => quote!(|r| r.i64()),
        RType::F32 => quote!(|r| r.f32()),
        RType::F64 => quote!(|r| r.f64()),
        RType::BigInteger => quote!(|r| r.big_integer()),
        RType::BigDecimal => quote!(|r| r.big_decimal()),
        RType::Document => quote!(|r| r.document()),
        RType::Unit => quote!(|r| r.skip_value()),
        RType::Timestamp(_) => quote!(|r| r.timestamp()),
        RType::Struct(n) | RType::Union(n) => de_path(n),
        RType::List(inner, sparse) => {
            let item = read_closure(inner);
            if *sparse {
                quote!(|r: &mut ::awsrt::cbor::CborReader<'_>| r.sparse_list(#item))
            } else {
                quote!(|r: &mut ::awsrt::cbor::CborReader<'_>| r.list(#item))
            }
        }
        RType::Map(inner, sparse) => {
            let item = read_closure(inner);
            if *sparse {
                quote!(|r: &mut ::awsrt::cbor::CborReader<'_>| r.sparse_map(#item))
            } else {
                quote!(|r: &mut ::awsrt::cbor::CborReader<'_>| r.map(#item))
            }
        }
        other => {
            let read = read_value(other);
            quote!(|r| Ok(#read))
        }
    }
}

/// The statements that write one structure member of `v`; `top_level`: an operation input,
/// whose members at their `@default` are left out.
fn write_member(f: &Field, top_level: bool) -> TokenStream {
    let n = ident(&f.name);
    let key = &f.wire;
    let w = write_value(&f.ty, quote!(value));
    if f.optional {
        return quote! { if let Some(value) = &v.#n { w.key(#key); #w } };
    }
    match not_default(f).filter(|_| top_level) {
        Some(cond) => quote! { { let value = &v.#n; if #cond { w.key(#key); #w } } },
        None => quote! { { let value = &v.#n; w.key(#key); #w } },
    }
}

/// A structure serializer: `fn(w, v: &T)` writing its body members as a map.
pub fn ser_struct(
    s: &Struct,
    fn_name: &proc_macro2::Ident,
    ty: TokenStream,
    vis: TokenStream,
    top_level: bool,
) -> TokenStream {
    let members: Vec<TokenStream> = s
        .body_fields()
        .map(|f| write_member(f, top_level))
        .collect();
    let v = if members.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    quote! {
        #[inline] #vis fn #fn_name(w: &mut ::awsrt::cbor::CborWriter, #v: &#ty) {
            w.begin_map();
            #(#members)*
            w.end_map();
        }
    }
}

/// A union serializer: a map of one member.
pub fn ser_union(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = ser_fn(&s.name);
    let arms = s.fields.iter().map(|fld| {
        let v = ident(&fld.variant);
        let key = &fld.wire;
        let w = write_value(&fld.ty, quote!(value));
        quote!(#name::#v(value) => { w.key(#key); #w })
    });
    quote! {
        #[inline] pub(crate) fn #f(w: &mut ::awsrt::cbor::CborWriter, v: &#name) {
            w.begin_map();
            match v {
                #(#arms)*
                #name::Unknown => {}
            }
            w.end_map();
        }
    }
}

/// Reads the map at `r` into the locals of the body fields of `s`; unknown members and `null`
/// values are skipped.
pub fn de_body(s: &Struct) -> TokenStream {
    let arms = s.body_fields().map(|f| {
        let l = local(f);
        let key = &f.wire;
        let read_fn = if f.boxed {
            let read = read_value(&f.ty);
            quote!(|r| Ok(Box::new(#read)))
        } else {
            read_closure(&f.ty)
        };
        quote!(#key => #l = r.optional(#read_fn)?,)
    });
    let loop_body = if s.body_fields().next().is_none() {
        quote!(while r.next_key()?.is_some() {
            r.skip_value()?;
        })
    } else {
        quote! {
            while let Some(key) = r.next_key()? {
                match &*key {
                    #(#arms)*
                    _ => r.skip_value()?,
                }
            }
        }
    };
    quote! {
        r.begin_map()?;
        #loop_body
    }
}

/// A structure deserializer: `fn(r) -> Result<T, CborError>` over the body members. Required
/// members the response leaves out get their default or zero value (client error correction).
pub fn de_struct(
    s: &Struct,
    fn_name: &proc_macro2::Ident,
    ty: TokenStream,
    vis: TokenStream,
) -> TokenStream {
    let locals = de_locals(s, |f| f.location == Location::Body);
    let body = de_body(s);
    let construct = de_construct(s, &ty);
    quote! {
        #[inline] #vis fn #fn_name(r: &mut ::awsrt::cbor::CborReader<'_>) -> Result<#ty, ::awsrt::cbor::CborError> {
            #locals
            #body
            Ok(#construct)
        }
    }
}

/// A union deserializer: the first non-null member decides the variant; an unknown member gives
/// `Unknown`; `__type` is skipped.
pub fn de_union(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = de_fn(&s.name);
    let arms = s.fields.iter().map(|fld| {
        let v = ident(&fld.variant);
        let key = &fld.wire;
        let read = read_value(&fld.ty);
        let read = if fld.boxed {
            quote!(Box::new(#read))
        } else {
            read
        };
        quote!(#key => #name::#v(#read),)
    });
    quote! {
        #[inline] pub(crate) fn #f(r: &mut ::awsrt::cbor::CborReader<'_>) -> Result<#name, ::awsrt::cbor::CborError> {
            let mut out = #name::Unknown;
            r.begin_map()?;
            while let Some(key) = r.next_key()? {
                if &*key == "__type" || r.take_null()? {
                    if &*key == "__type" { r.skip_value()?; }
                    continue;
                }
                out = match &*key {
                    #(#arms)*
                    _ => { r.skip_value()?; #name::Unknown }
                };
            }
            Ok(out)
        }
    }
}
