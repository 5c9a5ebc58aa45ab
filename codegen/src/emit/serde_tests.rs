//! `src/serde_tests.rs` (built for `cargo test --features serde`): every structure, union and
//! enum of the crate, and every operation input and output, serialized and read back through
//! `serde_json`, empty and filled in (unicode strings, extreme numbers, nested and recursive
//! shapes to a fixed depth, every union member, unknown enum values), compared with the
//! original. Also checks that a `@sensitive` member is refused outside `with_secrets`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use super::operation::op_names;
use super::shapes::has_stream;
use crate::ir::{Enum, RType, Service, Struct, TypeDef};
use crate::names;

/// Nesting depth of the filled-in values (recursive shapes stop here).
const DEPTH: u32 = 3;

/// Whether the crate gets `src/serde_tests.rs`: always (every crate has operations).
pub fn serde_tests(svc: &Service) -> TokenStream {
    let mut fns = Vec::new();
    let mut checks = Vec::new();
    let mut secret_check = None;
    for (name, def) in &svc.types {
        match def {
            TypeDef::Struct(s) if !has_stream(s) => {
                fns.push(full_fn(svc, s, &type_path(name), &full_name(name)));
                let f = full_name(name);
                let p = type_path(name);
                checks.push(quote! {
                    roundtrip(&#f(0));
                    roundtrip(&<#p as ::std::default::Default>::default());
                });
                if secret_check.is_none() {
                    secret_check = secret_member(svc, s, &p);
                }
            }
            TypeDef::Union(u) if !has_stream(u) => {
                fns.push(all_fn(svc, u, &type_path(name)));
                let a = all_name(name);
                checks.push(quote! {
                    for v in #a(0) { roundtrip(&v); }
                });
            }
            TypeDef::Enum(e) => checks.push(enum_checks(e, &type_path(name))),
            _ => {}
        }
    }
    for op in &svc.operations {
        let n = op_names(op);
        let module = &n.module;
        for (s, ty) in [(&op.input, &n.input), (&op.output, &n.output)] {
            if has_stream(s) {
                continue;
            }
            let path = quote!(crate::operation::#module::#ty);
            let f = format_ident!("full_{}", names::snake_case(&ty.to_string()));
            fns.push(full_fn(svc, s, &path, &f));
            checks.push(quote! {
                roundtrip(&#f(0));
                roundtrip(&<#path as ::std::default::Default>::default());
            });
            if secret_check.is_none() {
                secret_check = secret_member(svc, s, &path);
            }
        }
    }
    let secret_test = secret_check.map(|(value, member)| {
        quote! {
            #[test]
            fn a_secret_is_written_only_inside_with_secrets() {
                let value = #value;
                let err = ::serde_json::to_string(&value).expect_err("a @sensitive member must be refused");
                assert!(err.to_string().contains(#member), "{err}");
                let json = ::awsrt::serde::with_secrets(|| ::serde_json::to_string(&value)).expect("allowed inside with_secrets");
                assert!(!json.is_empty());
            }
        }
    });
    quote! {
        //! Serde round trips of every generated type (feature `serde`).
        #![allow(clippy::all, unused_imports, unused_variables, deprecated)]

        use ::awsrt::types::{Blob, DateTime, Document, SensitiveBlob, SensitiveString};

        /// Writes `v` with secrets allowed, reads it back and compares.
        fn roundtrip<T>(v: &T)
        where
            T: ::awsrt::serde::__serde::Serialize
                + ::awsrt::serde::__serde::de::DeserializeOwned
                + PartialEq,
        {
            let json = ::awsrt::serde::with_secrets(|| ::serde_json::to_string(v))
                .unwrap_or_else(|e| panic!("{} does not serialize: {e}", ::std::any::type_name::<T>()));
            let back: T = ::serde_json::from_str(&json)
                .unwrap_or_else(|e| panic!("{} does not read back: {e}\n{json}", ::std::any::type_name::<T>()));
            let again = ::awsrt::serde::with_secrets(|| ::serde_json::to_string(&back)).unwrap();
            assert!(back == *v, "{} changed in a round trip:\n{json}\n{again}", ::std::any::type_name::<T>());
        }

        #(#fns)*

        #[test]
        fn every_type_round_trips() {
            #(#checks)*
        }

        #secret_test
    }
}

fn full_name(name: &str) -> proc_macro2::Ident {
    format_ident!("full_{}", names::snake_case(name))
}

fn all_name(name: &str) -> proc_macro2::Ident {
    format_ident!("all_{}", names::snake_case(name))
}

/// A value of `s` (at `path`) with only its first `@sensitive` member set, and that member's
/// `Shape.Member` (the earlier members are not secret, so it is the one refused).
fn secret_member(svc: &Service, s: &Struct, path: &TokenStream) -> Option<(TokenStream, String)> {
    let f = s.fields.iter().find(|f| f.sensitive || s.sensitive)?;
    let n = ident(&f.name);
    let v = field_sample(svc, f);
    let value = quote! {{
        let d = 0u32;
        let mut value = <#path as ::std::default::Default>::default();
        value.#n = #v;
        value
    }};
    Some((value, format!("{}.{}", s.name, f.member)))
}

/// `fn full_x(d: u32) -> X`: every member set (none past the depth limit).
fn full_fn(
    svc: &Service,
    s: &Struct,
    path: &TokenStream,
    fn_name: &proc_macro2::Ident,
) -> TokenStream {
    let fields = s.fields.iter().map(|f| {
        let n = ident(&f.name);
        let v = field_sample(svc, f);
        quote!(#n: #v,)
    });
    quote! {
        fn #fn_name(d: u32) -> #path {
            if d > #DEPTH {
                return <#path as ::std::default::Default>::default();
            }
            #path { #(#fields)* ..::std::default::Default::default() }
        }
    }
}

/// `fn all_u(d: u32) -> Vec<U>`: one value per member, and the unknown variant.
fn all_fn(svc: &Service, u: &Struct, path: &TokenStream) -> TokenStream {
    let name = all_name(&u.name);
    let variants = u.fields.iter().map(|f| {
        let v = ident(&f.variant);
        let mut x = sample(svc, &f.ty);
        if f.boxed {
            x = quote!(Box::new(#x));
        }
        quote!(#path::#v(#x),)
    });
    quote! {
        fn #name(d: u32) -> Vec<#path> {
            if d > #DEPTH {
                return vec![#path::Unknown];
            }
            vec![#(#variants)* #path::Unknown]
        }
    }
}

fn enum_checks(e: &Enum, path: &TokenStream) -> TokenStream {
    if e.int {
        let known = e.variants.iter().map(|v| v.int_value);
        quote! {
            for v in [#(#known,)* 2_147_483_000] { roundtrip(&#path::from(v)); }
        }
    } else {
        let known = e.variants.iter().map(|v| &v.value);
        quote! {
            for v in [#(#known,)* "a value from the future ✓"] { roundtrip(&#path::from(v)); }
        }
    }
}

/// A sample for structure member `f` as stored: boxed when recursive, in `Some` when
/// optional.
fn field_sample(svc: &Service, f: &crate::ir::Field) -> TokenStream {
    let mut v = sample(svc, &f.ty);
    if f.boxed {
        v = quote!(Box::new(#v));
    }
    if f.optional {
        v = quote!(Some(#v));
    }
    v
}

/// An expression of type `ty` (the stored type without `Option`/`Box`), with `d` the depth.
fn sample(svc: &Service, ty: &RType) -> TokenStream {
    match ty {
        RType::String => quote!(String::from("ünïcødé ✓ \"quoted\" \\ back\nslash 😀")),
        RType::SensitiveString => quote!(SensitiveString::from("s3cr3t ✓ \"x\"")),
        RType::Bool => quote!(true),
        RType::I8 => quote!(i8::MIN),
        RType::I16 => quote!(i16::MAX),
        RType::I32 => quote!(i32::MIN),
        RType::I64 => quote!(i64::MAX),
        RType::F32 => quote!(-3.4028235e38_f32),
        RType::F64 => quote!(1.7976931348623157e308_f64),
        RType::BigInteger => quote!("-123456789012345678901234567890".parse().unwrap()),
        RType::BigDecimal => quote!("1234567890.12345678901234567890".parse().unwrap()),
        RType::Blob => quote!(Blob::new(vec![0u8, 1, 127, 128, 254, 255])),
        RType::SensitiveBlob => quote!(SensitiveBlob::from(vec![0u8, 255, 42])),
        RType::Timestamp(_) => quote!(DateTime::from_secs_and_nanos(1_700_000_000, 123_000_000)),
        RType::Document => quote!(Document::parse(
            r#"{"a":[1,-2,1.5,null,true,"x ✓"],"b":{}}"#.as_bytes()
        )
        .unwrap()),
        RType::Unit => quote!(()),
        RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
            quote!(::std::default::Default::default())
        }
        RType::Enum(n) => {
            let p = type_path(n);
            let first = match svc.types.get(n) {
                Some(TypeDef::Enum(e)) => e.variants.first().map(|v| v.value.clone()),
                _ => None,
            }
            .unwrap_or_else(|| "unknown".to_string());
            quote!(#p::from(#first))
        }
        RType::IntEnum(n) => {
            let p = type_path(n);
            let first = match svc.types.get(n) {
                Some(TypeDef::Enum(e)) => e.variants.first().map(|v| v.int_value),
                _ => None,
            }
            .unwrap_or(0);
            quote!(#p::from(#first))
        }
        RType::Struct(n) => {
            let f = full_name(n);
            quote!(#f(d + 1))
        }
        RType::Union(n) => {
            let a = all_name(n);
            quote!(#a(d + 1).swap_remove(0))
        }
        RType::List(item, sparse) => {
            let x = sample(svc, item);
            if *sparse {
                quote!(if d > #DEPTH { vec![] } else { vec![Some(#x), None] })
            } else {
                quote!(if d > #DEPTH { vec![] } else { vec![#x] })
            }
        }
        RType::Map(item, sparse) => {
            let x = sample(svc, item);
            if *sparse {
                quote!(if d > #DEPTH { Default::default() } else {
                    [("key ✓".to_string(), Some(#x)), ("none".to_string(), None)].into_iter().collect()
                })
            } else {
                quote!(if d > #DEPTH { Default::default() } else {
                    [("key ✓".to_string(), #x)].into_iter().collect()
                })
            }
        }
    }
}
