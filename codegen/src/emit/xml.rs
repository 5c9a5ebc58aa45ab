//! XML document serializers and deserializers, shared by the XML protocols (restXml bodies,
//! awsQuery and ec2Query responses): straight-line code over the runtime's `XmlWriter` and the
//! element tree of `XmlDoc`, one function per shape that needs it.
//!
//! A structure's serializer writes its content (attributes, then one element per member): the
//! caller opens and closes the element, so that the element's name and namespace come from
//! where the value sits (a member's `@xmlName`, a list's item name, the document root). A
//! deserializer reads an element's attributes and children by local name; unknown elements are
//! skipped. Lists and maps are wrapped (`<member>`, `<entry><key/><value/></entry>`) unless the
//! member is `@xmlFlattened`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use super::json::{de_construct, local};
use crate::ir::{Field, Location, RType, Service, Struct, TypeDef, XmlItems, XmlNamespace};
use crate::names;

/// Whether a type gets a serializer and a deserializer function (enums are inline).
fn has_codecs(svc: &Service, name: &str, def: &TypeDef) -> (bool, bool) {
    let codec = !matches!(def, TypeDef::Enum(_));
    (
        codec && svc.ser.contains(name),
        codec && svc.de.contains(name),
    )
}

/// The XML codec functions of a data type (for `types/mod.rs` to re-export). `ser` says
/// whether the protocol writes XML (restXml) or forms (the query protocols write their own).
pub fn codec_names(svc: &Service, name: &str, def: &TypeDef, ser: bool) -> Vec<String> {
    let (s, d) = has_codecs(svc, name, def);
    let mut out = Vec::new();
    if s && ser {
        out.push(names::ser_fn(name));
    }
    if d {
        out.push(names::de_fn(name));
    }
    out
}

/// The XML serializer (when `ser`) and deserializer of a data type, when the service needs them.
pub fn codecs(svc: &Service, name: &str, def: &TypeDef, ser: bool) -> TokenStream {
    let mut body = TokenStream::new();
    let t = ident(name);
    let (s, d) = has_codecs(svc, name, def);
    if s && ser {
        let f = format_ident!("{}", names::ser_fn(name));
        match def {
            TypeDef::Struct(st) => body.extend(ser_struct(st, &f, quote!(#t), quote!(pub(crate)))),
            TypeDef::Union(st) => body.extend(ser_union(st, &f)),
            TypeDef::Enum(_) => {}
        }
    }
    if d {
        let f = format_ident!("{}", names::de_fn(name));
        match def {
            TypeDef::Struct(st) => body.extend(de_struct(st, &f, quote!(#t), quote!(pub(crate)))),
            TypeDef::Union(st) => body.extend(de_union(st, &f)),
            TypeDef::Enum(_) => {}
        }
    }
    body
}

/// The statements declaring namespace `ns` on the element just opened.
pub fn namespace(ns: Option<&XmlNamespace>) -> TokenStream {
    match ns {
        None => quote!(),
        Some(XmlNamespace { uri, prefix: None }) => quote!(w.namespace(None, #uri);),
        Some(XmlNamespace {
            uri,
            prefix: Some(p),
        }) => quote!(w.namespace(Some(#p), #uri);),
    }
}

/// The text of a scalar `v` (`&T`): an expression of type `&str` or `String`.
pub fn text(t: &RType, v: TokenStream) -> TokenStream {
    let hb = quote!(::awsrt::protocol::http_binding);
    match t {
        RType::String | RType::Enum(_) => quote!(#v.as_str()),
        RType::SensitiveString => quote!(#v.expose_secret()),
        RType::Bool | RType::I8 | RType::I16 | RType::I32 | RType::I64 => quote!(&#v.to_string()),
        RType::F32 => quote!(&#hb::f32_text(*#v)),
        RType::F64 => quote!(&#hb::f64_text(*#v)),
        RType::BigInteger | RType::BigDecimal => quote!(#v.as_str()),
        RType::Timestamp(fmt) => {
            let f = ts_format(*fmt);
            quote!(&#hb::timestamp_text(#v, #f))
        }
        RType::IntEnum(_) => quote!(&#v.value().to_string()),
        RType::Blob => quote!(&::awsrt::types::base64_encode(#v.as_ref())),
        RType::SensitiveBlob => quote!(&::awsrt::types::base64_encode(#v.expose_secret())),
        _ => quote!(::std::compile_error!("not an XML scalar")),
    }
}

/// Writes value `v` (`&T`) of type `t` as element(s) named `name` with namespace `ns`; lists
/// and maps use `items` for their inner names, and repeat `name` without a wrapper when
/// `flattened`.
pub fn write_element(
    name: &str,
    ns: Option<&XmlNamespace>,
    t: &RType,
    items: Option<&XmlItems>,
    flattened: bool,
    v: TokenStream,
) -> TokenStream {
    let nsd = namespace(ns);
    match t {
        RType::Struct(n) | RType::Union(n) => {
            let f = format_ident!("{}", names::ser_fn(n));
            quote! { w.start(#name); #nsd crate::types::#f(w, #v); w.end(#name); }
        }
        RType::List(inner, sparse) => {
            let default_items;
            let items = match items {
                Some(i) => i,
                None => {
                    default_items = XmlItems::list_default();
                    &default_items
                }
            };
            let item_v = quote!(item);
            let one = if flattened {
                write_element(name, ns, inner, items.inner.as_deref(), false, item_v)
            } else {
                write_element(
                    &items.name,
                    items.namespace.as_ref(),
                    inner,
                    items.inner.as_deref(),
                    false,
                    item_v,
                )
            };
            let iter = if *sparse {
                quote!(#v.iter().flatten())
            } else {
                quote!(#v.iter())
            };
            if flattened {
                quote!(for item in #iter { #one })
            } else {
                quote! { w.start(#name); #nsd for item in #iter { #one } w.end(#name); }
            }
        }
        RType::Map(inner, sparse) => {
            let default_items;
            let items = match items {
                Some(i) => i,
                None => {
                    default_items = XmlItems::map_default();
                    &default_items
                }
            };
            let key = &items.name;
            let key_ns = namespace(items.namespace.as_ref());
            let value = write_element(
                &items.value,
                items.value_namespace.as_ref(),
                inner,
                items.inner.as_deref(),
                false,
                quote!(item),
            );
            let value = if *sparse {
                quote!(if let Some(item) = item { #value })
            } else {
                value
            };
            let entry = quote! {
                w.start(#key); #key_ns w.text(key); w.end(#key);
                #value
            };
            let sorted = quote! {
                let mut entries: Vec<(&String, _)> = #v.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
            };
            if flattened {
                quote! {
                    #sorted
                    for (key, item) in entries { w.start(#name); #nsd #entry w.end(#name); }
                }
            } else {
                quote! {
                    w.start(#name); #nsd
                    #sorted
                    for (key, item) in entries { w.start("entry"); #entry w.end("entry"); }
                    w.end(#name);
                }
            }
        }
        RType::Unit => quote! { let _ = #v; w.start(#name); w.end(#name); },
        RType::Document | RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
            quote!(::std::compile_error!("documents and streams are not XML values");)
        }
        scalar => {
            let t = text(scalar, v);
            quote! { w.start(#name); #nsd w.text(#t); w.end(#name); }
        }
    }
}

/// The statements writing one member of `v` (`&Struct`): an attribute or element(s).
fn write_member(f: &Field, attributes: bool) -> Option<TokenStream> {
    if f.xml.attribute != attributes {
        return None;
    }
    let n = ident(&f.name);
    let name = &f.xml.name;
    let write = if attributes {
        let t = text(&f.ty, quote!(value));
        quote!(w.attr(#name, #t);)
    } else {
        write_element(
            name,
            f.xml.namespace.as_ref(),
            &f.ty,
            f.xml.items.as_deref(),
            f.xml.flattened,
            quote!(value),
        )
    };
    let unbox = if f.boxed {
        quote!(let value = &**value;)
    } else {
        quote!()
    };
    Some(if f.optional {
        quote!(if let Some(value) = &v.#n { #unbox #write })
    } else {
        quote!({ let value = &v.#n; #unbox #write })
    })
}

/// The statements writing the body members of `v` (`&Struct`) as the content of an element
/// already opened: attributes first.
pub fn ser_content(s: &Struct) -> TokenStream {
    let attrs = s.body_fields().filter_map(|f| write_member(f, true));
    let elems = s.body_fields().filter_map(|f| write_member(f, false));
    quote!(#(#attrs)* #(#elems)*)
}

/// A structure serializer: `fn(w, v: &T)` writing the content of the element holding `v`.
pub fn ser_struct(
    s: &Struct,
    fn_name: &proc_macro2::Ident,
    ty: TokenStream,
    vis: TokenStream,
) -> TokenStream {
    let body = ser_content(s);
    let (w, v) = if body.is_empty() {
        (quote!(_w), quote!(_v))
    } else {
        (quote!(w), quote!(v))
    };
    quote! {
        #[inline] #vis fn #fn_name(#w: &mut ::awsrt::xml::XmlWriter, #v: &#ty) {
            #body
        }
    }
}

/// A union serializer: the element of the variant that is set.
fn ser_union(s: &Struct, f: &proc_macro2::Ident) -> TokenStream {
    let name = ident(&s.name);
    let arms = s.fields.iter().map(|fld| {
        let v = ident(&fld.variant);
        let unbox = if fld.boxed {
            quote!(let value = &**value;)
        } else {
            quote!()
        };
        let w = write_element(
            &fld.xml.name,
            fld.xml.namespace.as_ref(),
            &fld.ty,
            fld.xml.items.as_deref(),
            fld.xml.flattened,
            quote!(value),
        );
        quote!(#name::#v(value) => { #unbox #w })
    });
    quote! {
        #[inline] pub(crate) fn #f(w: &mut ::awsrt::xml::XmlWriter, v: &#name) {
            match v {
                #(#arms)*
                #name::Unknown => {}
            }
        }
    }
}

/// An expression reading a value of type `t` from element `c` (a `Node`); `?` on errors.
pub fn read_value(t: &RType, items: Option<&XmlItems>, c: TokenStream) -> TokenStream {
    match t {
        RType::String => quote!(#c.string()),
        RType::SensitiveString => quote!(::awsrt::types::SensitiveString::new(#c.string())),
        RType::Bool => quote!(#c.bool()?),
        RType::I8 => quote!(#c.i8()?),
        RType::I16 => quote!(#c.i16()?),
        RType::I32 => quote!(#c.i32()?),
        RType::I64 => quote!(#c.i64()?),
        RType::F32 => quote!(#c.f32()?),
        RType::F64 => quote!(#c.f64()?),
        RType::BigInteger | RType::BigDecimal => {
            let rt = rust_type(t);
            quote!(#c.parse::<#rt>()?)
        }
        RType::Blob => quote!(::awsrt::types::Blob::new(#c.blob()?)),
        RType::SensitiveBlob => quote!(::awsrt::types::SensitiveBlob::new(#c.blob()?)),
        RType::Timestamp(fmt) => {
            let f = ts_format(*fmt);
            quote!(#c.timestamp(#f)?)
        }
        RType::Enum(n) => {
            let p = type_path(n);
            quote!(#p::from(#c.text()))
        }
        RType::IntEnum(n) => {
            let p = type_path(n);
            quote!(#p::from(#c.i32()?))
        }
        RType::Struct(n) | RType::Union(n) => {
            let f = format_ident!("{}", names::de_fn(n));
            quote!(crate::types::#f(#c)?)
        }
        RType::Unit => quote!(()),
        RType::Document | RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
            quote!(return Err(::awsrt::xml::XmlError::new("documents are not XML values")))
        }
        RType::List(inner, sparse) => {
            let default_items;
            let items = match items {
                Some(i) => i,
                None => {
                    default_items = XmlItems::list_default();
                    &default_items
                }
            };
            let item_name = &items.name;
            let read = read_value(inner, items.inner.as_deref(), quote!(i));
            let read = if *sparse { quote!(Some(#read)) } else { read };
            quote! {{
                let mut list = Vec::new();
                for i in #c.children() {
                    if i.name() == #item_name { list.push(#read); }
                }
                list
            }}
        }
        RType::Map(inner, sparse) => {
            let default_items;
            let items = match items {
                Some(i) => i,
                None => {
                    default_items = XmlItems::map_default();
                    &default_items
                }
            };
            let entry = read_entry(inner, *sparse, items, quote!(e));
            quote! {{
                let mut map = ::std::collections::HashMap::new();
                for e in #c.children() {
                    if e.name() == "entry" { #entry }
                }
                map
            }}
        }
    }
}

/// The statements reading one map entry (element `e` with key and value children) into `map`.
fn read_entry(inner: &RType, sparse: bool, items: &XmlItems, e: TokenStream) -> TokenStream {
    let key = &items.name;
    let value = &items.value;
    let read = read_value(inner, items.inner.as_deref(), quote!(p));
    let read = if sparse { quote!(Some(#read)) } else { read };
    quote! {
        let mut k = None;
        let mut val = None;
        for p in #e.children() {
            match p.name() {
                #key => k = Some(p.string()),
                #value => val = Some(#read),
                _ => {}
            }
        }
        if let (Some(k), Some(val)) = (k, val) {
            map.insert(k, val);
        }
    }
}

/// The statements reading the attributes and child elements of node `n` into the locals of
/// the body fields of `s` (see [`super::json::local`]).
pub fn de_body(s: &Struct) -> TokenStream {
    let mut attrs = TokenStream::new();
    let mut arms: Vec<(&str, TokenStream)> = Vec::new();
    for f in s.body_fields() {
        let l = local(f);
        let name = local_name(&f.xml.name);
        let boxed = |e: TokenStream| if f.boxed { quote!(Box::new(#e)) } else { e };
        if f.xml.attribute {
            let read = attr_read(&f.ty, name);
            let read = boxed(read);
            attrs.extend(quote!(if let Some(a) = n.attr(#name) { #l = Some(#read); }));
            continue;
        }
        let items = f.xml.items.as_deref();
        let arm = match (&f.ty, f.xml.flattened) {
            (RType::List(inner, sparse), true) => {
                let read = read_value(inner, items.and_then(|i| i.inner.as_deref()), quote!(c));
                let read = if *sparse { quote!(Some(#read)) } else { read };
                quote!(#l.get_or_insert_with(Default::default).push(#read);)
            }
            (RType::Map(inner, sparse), true) => {
                let default_items = XmlItems::map_default();
                let items = items.unwrap_or(&default_items);
                let entry = read_entry(inner, *sparse, items, quote!(c));
                quote! {
                    let map = #l.get_or_insert_with(Default::default);
                    #entry
                }
            }
            (t, _) => {
                let read = boxed(read_value(t, items, quote!(c)));
                quote!(#l = Some(#read);)
            }
        };
        arms.push((name, arm));
    }
    let lp = match arms.as_slice() {
        [] => quote!(),
        [(name, body)] => quote! {
            for c in n.children() {
                if c.name() == #name { #body }
            }
        },
        _ => {
            let arms = arms.iter().map(|(name, body)| quote!(#name => { #body }));
            quote! {
                for c in n.children() {
                    match c.name() {
                        #(#arms)*
                        _ => {}
                    }
                }
            }
        }
    };
    quote!(#attrs #lp)
}

/// The local part of an element or attribute name (`xsi:type` → `type`): the reader matches
/// names without their prefixes.
fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// An expression reading attribute text `a` as a value of scalar type `t`.
fn attr_read(t: &RType, name: &str) -> TokenStream {
    match t {
        RType::String => quote!(a.to_string()),
        RType::SensitiveString => quote!(::awsrt::types::SensitiveString::new(a.to_string())),
        RType::Enum(n) => {
            let p = type_path(n);
            quote!(#p::from(a))
        }
        RType::IntEnum(n) => {
            let p = type_path(n);
            quote!(#p::from(::awsrt::xml::parse_text::<i32>(#name, a)?))
        }
        RType::Timestamp(fmt) => {
            let f = ts_format(*fmt);
            quote!(::awsrt::types::DateTime::parse(a.trim(), #f)
                .map_err(|e| ::awsrt::xml::XmlError::new(format!("attribute {}: {e}", #name)))?)
        }
        RType::Bool
        | RType::I8
        | RType::I16
        | RType::I32
        | RType::I64
        | RType::F32
        | RType::F64
        | RType::BigInteger
        | RType::BigDecimal => {
            let rt = rust_type(t);
            quote!(::awsrt::xml::parse_text::<#rt>(#name, a)?)
        }
        _ => quote!(::std::compile_error!("not an XML attribute type")),
    }
}

/// A structure deserializer: `fn(n: Node) -> Result<T, XmlError>` over the body members
/// (members bound elsewhere stay unset).
pub fn de_struct(
    s: &Struct,
    fn_name: &proc_macro2::Ident,
    ty: TokenStream,
    vis: TokenStream,
) -> TokenStream {
    let locals = super::json::de_locals(s, |f| f.location == Location::Body);
    let body = de_body(s);
    let construct = de_construct(s, &ty);
    let n = if body.is_empty() {
        quote!(_n)
    } else {
        quote!(n)
    };
    quote! {
        #[inline] #vis fn #fn_name(#n: ::awsrt::xml::Node<'_, '_>) -> Result<#ty, ::awsrt::xml::XmlError> {
            #locals
            #body
            Ok(#construct)
        }
    }
}

/// A union deserializer: the first child element naming a variant decides it; none gives
/// `Unknown`.
fn de_union(s: &Struct, f: &proc_macro2::Ident) -> TokenStream {
    let name = ident(&s.name);
    let arms = s.fields.iter().map(|fld| {
        let v = ident(&fld.variant);
        let key = local_name(&fld.xml.name);
        let read = match (&fld.ty, fld.xml.flattened) {
            (RType::List(inner, _), true) => {
                let one = read_value(
                    inner,
                    fld.xml.items.as_ref().and_then(|i| i.inner.as_deref()),
                    quote!(c),
                );
                quote!(vec![#one])
            }
            (t, _) => read_value(t, fld.xml.items.as_deref(), quote!(c)),
        };
        let read = if fld.boxed {
            quote!(Box::new(#read))
        } else {
            read
        };
        quote!(#key => return Ok(#name::#v(#read)),)
    });
    quote! {
        #[inline] pub(crate) fn #f(n: ::awsrt::xml::Node<'_, '_>) -> Result<#name, ::awsrt::xml::XmlError> {
            for c in n.children() {
                #[allow(clippy::single_match)]
                match c.name() {
                    #(#arms)*
                    _ => {}
                }
            }
            Ok(#name::Unknown)
        }
    }
}
