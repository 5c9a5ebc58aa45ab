//! JSON document serializers and deserializers, shared by the JSON protocols (awsJson,
//! restJson1): straight-line code over the runtime's `JsonWriter` and pull-parsing
//! `JsonReader`, one function per shape that needs it. Members are keyed by their wire names
//! (which the protocol chose); only members located in the body are written and read.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use crate::ir::{Field, RType, Service, Struct, TypeDef};
use crate::names;

/// The serializer function name of a type.
pub fn ser_fn(type_name: &str) -> proc_macro2::Ident {
    format_ident!("{}", names::ser_fn(type_name))
}

/// The deserializer function name of a type.
pub fn de_fn(type_name: &str) -> proc_macro2::Ident {
    format_ident!("{}", names::de_fn(type_name))
}

/// Whether a type gets a serializer and a deserializer function (enums are read and written
/// inline, so they get neither).
fn has_codecs(svc: &Service, name: &str, def: &TypeDef) -> (bool, bool) {
    let codec = !matches!(def, TypeDef::Enum(_));
    (
        codec && svc.ser.contains(name),
        codec && svc.de.contains(name),
    )
}

/// The JSON codec functions of a data type (for `types/mod.rs` to re-export).
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

/// The JSON serializer and deserializer of a data type, when the service needs them.
pub fn codecs(svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
    let mut body = TokenStream::new();
    let t = ident(name);
    let (ser, de) = has_codecs(svc, name, def);
    if ser {
        match def {
            TypeDef::Struct(s) => {
                body.extend(ser_struct(s, &ser_fn(name), quote!(#t), quote!(pub(crate))));
            }
            TypeDef::Union(s) => body.extend(ser_union(s)),
            TypeDef::Enum(_) => {}
        }
    }
    if de {
        match def {
            TypeDef::Struct(s) => {
                body.extend(de_struct(s, &de_fn(name), quote!(#t), quote!(pub(crate))));
            }
            TypeDef::Union(s) => body.extend(de_union(s)),
            TypeDef::Enum(_) => {}
        }
    }
    body
}

/// Path to a type's serializer.
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
        RType::SensitiveString => quote!(w.sensitive_string(#v.expose_secret());),
        RType::Bool => quote!(w.bool(*#v);),
        RType::I8 | RType::I16 | RType::I32 => quote!(w.i64(i64::from(*#v));),
        RType::I64 => quote!(w.i64(*#v);),
        RType::F32 => quote!(w.f32(*#v);),
        RType::F64 => quote!(w.f64(*#v);),
        RType::BigInteger | RType::BigDecimal => quote!(w.big_number(#v.as_str());),
        RType::Blob => quote!(w.blob(#v.as_ref());),
        RType::SensitiveBlob => quote!(w.sensitive_blob(#v.expose_secret());),
        RType::Timestamp(fmt) => {
            let f = ts_format(*fmt);
            quote!(w.timestamp(#v, #f);)
        }
        RType::Document => quote!(w.document(#v);),
        RType::Unit => quote! { let _ = #v; w.begin_object(); w.end_object(); },
        RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
            quote!(::std::compile_error!("a stream is never in a JSON document");)
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
                w.begin_array();
                for item in #v.iter() { #body }
                w.end_array();
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
                w.begin_object();
                for (key, item) in #v.iter() { w.key(key); #body }
                w.end_object();
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
        RType::Timestamp(fmt) => {
            let f = ts_format(*fmt);
            quote!(r.timestamp(#f)?)
        }
        RType::Document => quote!(r.document()?),
        RType::Unit => quote!(r.skip_value()?),
        RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => quote!(
            ::std::compile_error!("a stream is never in a JSON document")
        ),
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
        RType::List(inner, sparse) => {
            let item = read_closure(inner);
            if *sparse {
                quote!(r.sparse_list(#item)?)
            } else {
                quote!(r.list(#item)?)
            }
        }
        RType::Map(inner, sparse) => {
            let item = read_closure(inner);
            if *sparse {
                quote!(r.sparse_map(#item)?)
            } else {
                quote!(r.map(#item)?)
            }
        }
    }
}

/// For a non-optional member with a `@default` the service applies too: the condition (over
/// `value: &T`) under which it is written, i.e. differs from the default; `None` when it is
/// always written. Shared by the body codecs (JSON, CBOR).
pub(crate) fn not_default(f: &Field) -> Option<TokenStream> {
    match (&f.default, &f.ty) {
        (Some(d), RType::List(..) | RType::Map(..))
            if d.as_array().is_some_and(Vec::is_empty)
                || d.as_object().is_some_and(serde_json::Map::is_empty) =>
        {
            Some(quote!(!value.is_empty()))
        }
        (Some(d), RType::BigInteger | RType::BigDecimal) if !f.boxed => {
            let text = crate::ir::big_text(&f.ty, d)?;
            Some(quote!(value.as_str() != #text))
        }
        (
            Some(d),
            RType::Bool
            | RType::I8
            | RType::I16
            | RType::I32
            | RType::I64
            | RType::F32
            | RType::F64
            | RType::String
            | RType::Enum(_)
            | RType::IntEnum(_),
        ) if !f.boxed => Some(match (&f.ty, d.as_bool()) {
            (RType::Bool, Some(false)) => quote!(*value),
            (RType::Bool, Some(true)) => quote!(!*value),
            _ => {
                let e = default_expr(&f.ty, d);
                quote!(*value != #e)
            }
        }),
        _ => None,
    }
}

/// The statements that write one structure member of `v` (a `&Struct` expression).
fn write_member(f: &Field) -> TokenStream {
    let n = ident(&f.name);
    let key = &f.wire;
    if f.optional {
        let w = write_value(&f.ty, quote!(value));
        quote! { if let Some(value) = &v.#n { w.key(#key); #w } }
    } else {
        let w = write_value(&f.ty, quote!(value));
        let write_when = not_default(f);
        match write_when {
            Some(not_default) => {
                quote! { { let value = &v.#n; if #not_default { w.key(#key); #w } } }
            }
            None => quote! { { let value = &v.#n; w.key(#key); #w } },
        }
    }
}

/// A structure serializer body: `fn(w, v: &T)`.
pub fn ser_struct(
    s: &Struct,
    fn_name: &proc_macro2::Ident,
    ty: TokenStream,
    vis: TokenStream,
) -> TokenStream {
    let members: Vec<TokenStream> = s.body_fields().map(write_member).collect();
    let v = if members.is_empty() {
        quote!(_v)
    } else {
        quote!(v)
    };
    quote! {
        #[inline] #vis fn #fn_name(w: &mut ::awsrt::json::JsonWriter, #v: &#ty) {
            w.begin_object();
            #(#members)*
            w.end_object();
        }
    }
}

/// A union serializer.
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
        #[inline] pub(crate) fn #f(w: &mut ::awsrt::json::JsonWriter, v: &#name) {
            w.begin_object();
            match v {
                #(#arms)*
                #name::Unknown => {}
            }
            w.end_object();
        }
    }
}

/// The local `f_<field>` holding a field's value while a structure is read.
pub fn local(f: &Field) -> proc_macro2::Ident {
    format_ident!("f_{}", bare(&f.name))
}

/// Declarations of the locals of every field of `s`: mutable for the fields `reads` says are
/// read, immutable (always `None`) for the others.
pub fn de_locals(s: &Struct, reads: impl Fn(&Field) -> bool) -> TokenStream {
    let locals = s.fields.iter().map(|f| {
        let l = local(f);
        let t = stored_type(f);
        if reads(f) {
            quote!(let mut #l: Option<#t> = None;)
        } else {
            quote!(let #l: Option<#t> = None;)
        }
    });
    quote!(#(#locals)*)
}

/// Declarations of mutable locals for `fields` (the fields a body read assigns).
pub fn de_locals_of<'a>(fields: impl Iterator<Item = &'a Field>) -> TokenStream {
    let locals = fields.map(|f| {
        let l = local(f);
        let t = stored_type(f);
        quote!(let mut #l: Option<#t> = None;)
    });
    quote!(#(#locals)*)
}

/// A member name as the byte-string pattern the readers match keys against
/// (`JsonReader::next_key_raw` gives keys as bytes).
fn key_literal(wire: &str) -> proc_macro2::Literal {
    proc_macro2::Literal::byte_string(wire.as_bytes())
}

/// Reads the JSON object at `r` into the locals of the body fields of `s`; unknown members are
/// skipped.
pub fn de_body(s: &Struct) -> TokenStream {
    let arms = s.body_fields().map(|f| {
        let l = local(f);
        let key = key_literal(&f.wire);
        if f.ty == RType::String && !f.boxed {
            return quote!(#key => #l = r.optional_string()?,);
        }
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
            while let Some(key) = r.next_key_raw()? {
                match &*key {
                    #(#arms)*
                    _ => r.skip_value()?,
                }
            }
        }
    };
    quote! {
        r.begin_object()?;
        #loop_body
    }
}

/// The structure literal `T { field: <local>, ... }` built from the locals: required members
/// left out get their default or zero value (client error correction).
pub fn de_construct(s: &Struct, ty: &TokenStream) -> TokenStream {
    de_construct_with(s, ty, |_| None)
}

/// [`de_construct`] where `direct` gives the value of some fields outright (as stored: with
/// `Option` when optional) instead of their locals.
pub fn de_construct_with(
    s: &Struct,
    ty: &TokenStream,
    direct: impl Fn(&Field) -> Option<TokenStream>,
) -> TokenStream {
    let assigns = s.fields.iter().map(|f| {
        let n = ident(&f.name);
        let l = local(f);
        if let Some(v) = direct(f) {
            quote!(#n: #v,)
        } else if f.optional {
            quote!(#n: #l,)
        } else if matches!(f.ty, RType::Stream | RType::EventOutput(_)) {
            quote!(#n: #l.unwrap_or_default(),)
        } else if let Some(d) = &f.default {
            let e = default_expr(&f.ty, d);
            let e = if f.boxed { quote!(Box::new(#e)) } else { e };
            if matches!(
                f.ty,
                RType::Bool
                    | RType::I8
                    | RType::I16
                    | RType::I32
                    | RType::I64
                    | RType::F32
                    | RType::F64
            ) && !f.boxed
            {
                quote!(#n: #l.unwrap_or(#e),)
            } else {
                quote!(#n: #l.unwrap_or_else(|| #e),)
            }
        } else {
            quote!(#n: #l.unwrap_or_default(),)
        }
    });
    let meta = if s.error.is_some() {
        quote!(meta: Default::default(),)
    } else {
        quote!()
    };
    quote!(#ty { #(#assigns)* #meta })
}

/// A structure deserializer: `fn(r) -> Result<T, JsonError>` over the body members (members
/// bound elsewhere stay unset). Required members the response leaves out get their zero value
/// (client error correction); unknown members are skipped.
pub fn de_struct(
    s: &Struct,
    fn_name: &proc_macro2::Ident,
    ty: TokenStream,
    vis: TokenStream,
) -> TokenStream {
    let locals = de_locals(s, |f| f.location == crate::ir::Location::Body);
    let body = de_body(s);
    let construct = de_construct(s, &ty);
    quote! {
        #[inline] #vis fn #fn_name(r: &mut ::awsrt::json::JsonReader<'_>) -> Result<#ty, ::awsrt::json::JsonError> {
            #locals
            #body
            Ok(#construct)
        }
    }
}

/// A union deserializer: the first non-null member decides the variant; an unknown member gives `Unknown`.
pub fn de_union(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let f = de_fn(&s.name);
    let arms = s.fields.iter().map(|fld| {
        let v = ident(&fld.variant);
        let key = key_literal(&fld.wire);
        let read = read_value(&fld.ty);
        let read = if fld.boxed {
            quote!(Box::new(#read))
        } else {
            read
        };
        quote!(#key => #name::#v(#read),)
    });
    quote! {
        #[inline] pub(crate) fn #f(r: &mut ::awsrt::json::JsonReader<'_>) -> Result<#name, ::awsrt::json::JsonError> {
            let mut out = #name::Unknown;
            r.begin_object()?;
            while let Some(key) = r.next_key_raw()? {
                if r.take_null()? || &*key == b"__type" {
                    if &*key == b"__type" { r.skip_value()?; }
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

/// A closure (or function path) reading a value of IR type `t`, for `JsonReader::optional`.
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
        RType::Timestamp(fmt) => {
            let f = ts_format(*fmt);
            quote!(|r| r.timestamp(#f))
        }
        RType::Struct(n) | RType::Union(n) => de_path(n),
        RType::List(inner, sparse) => {
            let item = read_closure(inner);
            if *sparse {
                quote!(|r| r.sparse_list(#item))
            } else {
                quote!(|r| r.list(#item))
            }
        }
        RType::Map(inner, sparse) => {
            let item = read_closure(inner);
            if *sparse {
                quote!(|r| r.sparse_map(#item))
            } else {
                quote!(|r| r.map(#item))
            }
        }
        other => {
            let read = read_value(other);
            quote!(|r| Ok(#read))
        }
    }
}
