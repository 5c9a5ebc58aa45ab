//! Form serializers of the query protocols (awsQuery, ec2Query): every member of the input is
//! one or more `key=value` pairs of the request body, keys built from the member names down
//! the value (`Outer.Inner`, `List.member.1`, `Map.entry.1.key`). The two protocols differ in
//! the names ([`QueryStyle`]): awsQuery uses `@xmlName` (else the member name) and wraps lists
//! and maps unless `@xmlFlattened`; ec2Query uses `@ec2QueryName` (else the capitalized
//! `@xmlName` or member name) and never wraps lists.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use crate::ir::{Field, RType, Service, Struct, TypeDef, XmlItems};
use crate::names;

/// Which query protocol's naming rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryStyle {
    /// awsQuery.
    Aws,
    /// ec2Query.
    Ec2,
}

/// The form serializer names of a data type.
pub fn codec_names(svc: &Service, name: &str, def: &TypeDef) -> Vec<String> {
    if svc.ser.contains(name) && !matches!(def, TypeDef::Enum(_)) {
        vec![names::ser_fn(name)]
    } else {
        Vec::new()
    }
}

/// The form serializer of a data type, when the service needs one.
pub fn codecs(svc: &Service, name: &str, def: &TypeDef, style: QueryStyle) -> TokenStream {
    if !svc.ser.contains(name) {
        return TokenStream::new();
    }
    let f = format_ident!("{}", names::ser_fn(name));
    let t = ident(name);
    match def {
        TypeDef::Struct(s) => ser_struct(s, &f, quote!(#t), quote!(pub(crate)), style),
        TypeDef::Union(s) => ser_union(s, &f, style),
        TypeDef::Enum(_) => TokenStream::new(),
    }
}

/// The key of a member under `style`.
fn key_name(f: &Field, style: QueryStyle) -> &str {
    match style {
        QueryStyle::Aws => &f.xml.name,
        QueryStyle::Ec2 => &f.xml.ec2_name,
    }
}

/// The statements writing value `v` (`&T`) of type `t` under key `key` (a `&str` expression).
fn write_value(
    t: &RType,
    items: Option<&XmlItems>,
    flattened: bool,
    key: TokenStream,
    v: TokenStream,
    style: QueryStyle,
) -> TokenStream {
    match t {
        RType::Struct(n) | RType::Union(n) => {
            let f = format_ident!("{}", names::ser_fn(n));
            quote!(crate::types::#f(w, &format!("{}.", #key), #v);)
        }
        RType::List(inner, sparse) => {
            let default_items = XmlItems::list_default();
            let items = items.unwrap_or(&default_items);
            let item_key = if flattened || style == QueryStyle::Ec2 {
                quote!(&format!("{}.{}", #key, i + 1))
            } else {
                let m = &items.name;
                quote!(&format!("{}.{}.{}", #key, #m, i + 1))
            };
            let one = write_value(
                inner,
                items.inner.as_deref(),
                false,
                item_key,
                quote!(item),
                style,
            );
            let iter = if *sparse {
                quote!(#v.iter().flatten())
            } else {
                quote!(#v.iter())
            };
            let empty = if style == QueryStyle::Aws {
                quote!(if #v.is_empty() { w.pair(#key, ""); })
            } else {
                quote!()
            };
            quote! {
                #empty
                for (i, item) in #iter.enumerate() { #one }
            }
        }
        RType::Map(inner, sparse) => {
            let default_items = XmlItems::map_default();
            let items = items.unwrap_or(&default_items);
            let entry = if flattened {
                quote!(format!("{}.{}", #key, i + 1))
            } else {
                quote!(format!("{}.entry.{}", #key, i + 1))
            };
            let (kname, vname) = (&items.name, &items.value);
            let value = write_value(
                inner,
                items.inner.as_deref(),
                false,
                quote!(&format!("{entry}.{}", #vname)),
                quote!(item),
                style,
            );
            let value = if *sparse {
                quote!(if let Some(item) = item { #value })
            } else {
                value
            };
            quote! {
                let mut entries: Vec<(&String, _)> = #v.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                for (i, (k, item)) in entries.into_iter().enumerate() {
                    let entry = #entry;
                    w.pair(&format!("{entry}.{}", #kname), k);
                    #value
                }
            }
        }
        RType::Unit => quote!(let _ = #v;),
        RType::Document | RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
            quote!(::std::compile_error!("documents and streams are not query values");)
        }
        scalar => {
            let t = super::xml::text(scalar, v);
            quote!(w.pair(#key, #t);)
        }
    }
}

fn write_member(f: &Field, style: QueryStyle) -> TokenStream {
    let n = ident(&f.name);
    let k = key_name(f, style);
    let w = write_value(
        &f.ty,
        f.xml.items.as_deref(),
        f.xml.flattened,
        quote!(&format!("{prefix}{}", #k)),
        quote!(value),
        style,
    );
    let unbox = if f.boxed {
        quote!(let value = &**value;)
    } else {
        quote!()
    };
    if f.optional {
        quote!(if let Some(value) = &v.#n { #unbox #w })
    } else {
        quote!({ let value = &v.#n; #unbox #w })
    }
}

/// A structure's form serializer: `fn(w, prefix, v: &T)`; `prefix` is `""` for the input or
/// ends with `.`.
pub fn ser_struct(
    s: &Struct,
    fn_name: &proc_macro2::Ident,
    ty: TokenStream,
    vis: TokenStream,
    style: QueryStyle,
) -> TokenStream {
    let members: Vec<TokenStream> = s.fields.iter().map(|f| write_member(f, style)).collect();
    let (w, p, v) = if members.is_empty() {
        (quote!(_w), quote!(_prefix), quote!(_v))
    } else {
        (quote!(w), quote!(prefix), quote!(v))
    };
    quote! {
        #[inline] #vis fn #fn_name(#w: &mut ::awsrt::xml::QueryWriter, #p: &str, #v: &#ty) {
            #(#members)*
        }
    }
}

fn ser_union(s: &Struct, f: &proc_macro2::Ident, style: QueryStyle) -> TokenStream {
    let name = ident(&s.name);
    let arms = s.fields.iter().map(|fld| {
        let v = ident(&fld.variant);
        let k = key_name(fld, style);
        let unbox = if fld.boxed {
            quote!(let value = &**value;)
        } else {
            quote!()
        };
        let w = write_value(
            &fld.ty,
            fld.xml.items.as_deref(),
            fld.xml.flattened,
            quote!(&format!("{prefix}{}", #k)),
            quote!(value),
            style,
        );
        quote!(#name::#v(value) => { #unbox #w })
    });
    quote! {
        #[inline] pub(crate) fn #f(w: &mut ::awsrt::xml::QueryWriter, prefix: &str, v: &#name) {
            match v {
                #(#arms)*
                #name::Unknown => { let _ = (w, prefix); }
            }
        }
    }
}
