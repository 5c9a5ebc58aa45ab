//! restJson1 requests: the body of each operation's `ser_request` (path, query, headers, body).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{hb, BodyFormat};
use crate::emit::common::{ident, ts_format};
use crate::ir::{Field, Location, Operation, PathSegment, RType, Service, TypeDef};
use crate::names;
use crate::protocol::host_prefix;

/// The text of a scalar `v` (an expression of type `&T`) in a label, query or header: an
/// expression of type `String` or `&str`.
fn text(f: &Field, ty: &RType, v: TokenStream) -> TokenStream {
    let hb = hb();
    match ty {
        RType::String if f.media_type.is_some() && matches!(f.location, Location::Header(_)) => {
            quote!(#hb::media_type_text(#v))
        }
        RType::String | RType::Enum(_) => quote!(#v.as_str()),
        RType::SensitiveString => quote!(#v.expose_secret()),
        RType::Bool | RType::I8 | RType::I16 | RType::I32 | RType::I64 => quote!(#v.to_string()),
        RType::F32 => quote!(#hb::f32_text(*#v)),
        RType::F64 => quote!(#hb::f64_text(*#v)),
        RType::BigInteger | RType::BigDecimal => quote!(#v.to_string()),
        RType::Timestamp(fmt) => {
            let fmt = ts_format(*fmt);
            quote!(#hb::timestamp_text(#v, #fmt))
        }
        RType::IntEnum(_) => quote!(#v.value().to_string()),
        _ => quote!(::std::compile_error!("not a scalar binding")),
    }
}

/// [`text`] as an argument of type `&str`: the string itself, or a borrow of the formatted one.
fn text_ref(f: &Field, ty: &RType, v: TokenStream) -> TokenStream {
    let t = text(f, ty, v);
    let borrowed = matches!(ty, RType::String | RType::Enum(_) | RType::SensitiveString)
        && !(f.media_type.is_some() && matches!(f.location, Location::Header(_)));
    if borrowed {
        t
    } else {
        quote!(&#t)
    }
}

/// `body` run with `v` bound to each present value of field `f` (`&T`): once for a set
/// scalar, once per item of a list. `on_none` runs when a scalar is unset.
fn each_value(
    f: &Field,
    body: impl Fn(TokenStream) -> TokenStream,
    on_none: TokenStream,
) -> TokenStream {
    let n = ident(&f.name);
    let one = body(quote!(v));
    match (&f.ty, f.optional) {
        (RType::List(_, sparse), optional) => {
            let items = if optional {
                quote!(input.#n.iter().flatten())
            } else {
                quote!(input.#n.iter())
            };
            let items = if *sparse {
                quote!(#items.flatten())
            } else {
                items
            };
            quote!(for v in #items { #one })
        }
        (_, true) if on_none.is_empty() => quote!(if let Some(v) = &input.#n { #one }),
        (_, true) => quote! {
            match &input.#n {
                Some(v) => { #one }
                None => { #on_none }
            }
        },
        (_, false) => quote!({ let v = &input.#n; #one }),
    }
}

/// `body` run with `m` bound to the map of field `f` when it is set.
fn with_map(f: &Field, body: TokenStream) -> TokenStream {
    let n = ident(&f.name);
    if f.optional {
        quote!(if let Some(m) = &input.#n { #body })
    } else {
        quote!({ let m = &input.#n; #body })
    }
}

/// `uri.push_str(lit)` (`push` for one character).
fn push_literal(lit: &str) -> TokenStream {
    let mut chars = lit.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => quote!(uri.push(#c);),
        _ => quote!(uri.push_str(#lit);),
    }
}

/// The body of `ser_request`.
pub(crate) fn request_fn(svc: &Service, op: &Operation, fmt: BodyFormat) -> TokenStream {
    let hb = hb();
    let input = &op.input;
    let mut stmts = TokenStream::new();
    // Path.
    let mut lit = String::new();
    for seg in &op.http.uri.path {
        lit.push('/');
        match seg {
            PathSegment::Literal(l) => lit.push_str(l),
            PathSegment::Label { member, greedy } => {
                if !lit.is_empty() {
                    stmts.extend(push_literal(&lit));
                    lit.clear();
                }
                let Some(f) = input.field(member) else {
                    continue;
                };
                let push = |v: TokenStream| {
                    let t = text_ref(f, &f.ty, v);
                    quote!(#hb::push_label(&mut uri, #member, #t, #greedy)?;)
                };
                stmts.extend(each_value(
                    f,
                    push,
                    quote!(return Err(#hb::missing(#member));),
                ));
            }
        }
    }
    if !lit.is_empty() {
        stmts.extend(push_literal(&lit));
    }
    // Literal query, then bound query parameters, then the query-params map.
    for (k, v) in &op.http.uri.query {
        let text = match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        };
        stmts.extend(quote!(#hb::push_literal_query(&mut uri, #text);));
    }
    let mut bound_names: Vec<String> = op.http.uri.query.iter().map(|(k, _)| k.clone()).collect();
    for f in &input.fields {
        let Location::Query(name) = &f.location else {
            continue;
        };
        bound_names.push(name.clone());
        let inner = match &f.ty {
            RType::List(inner, _) => (**inner).clone(),
            t => t.clone(),
        };
        stmts.extend(each_value(
            f,
            |v| {
                let t = text_ref(f, &inner, v);
                quote!(#hb::push_query(&mut uri, #name, Some(#t));)
            },
            quote!(),
        ));
    }
    for f in input
        .fields
        .iter()
        .filter(|f| f.location == Location::QueryParams)
    {
        let sparse_values = matches!(&f.ty, RType::Map(_, true));
        let is_list = matches!(&f.ty, RType::Map(v, _) if matches!(**v, RType::List(..)));
        let value = if sparse_values {
            quote!(let Some(value) = value else { continue };)
        } else {
            quote!()
        };
        let push = if is_list {
            quote!(for item in value.iter() { #hb::push_query(&mut uri, key, Some(item.as_str())); })
        } else {
            quote!(#hb::push_query(&mut uri, key, Some(value.as_str()));)
        };
        stmts.extend(with_map(
            f,
            quote! {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for key in keys {
                    if BOUND_QUERY.contains(&key.as_str()) {
                        continue;
                    }
                    let value = &m[key];
                    #value
                    #push
                }
            },
        ));
    }
    let method = format_ident!("{}", op.http.method);
    let bound_decl = if input
        .fields
        .iter()
        .any(|f| f.location == Location::QueryParams)
    {
        quote!(const BOUND_QUERY: &[&str] = &[#(#bound_names),*];)
    } else {
        quote!()
    };
    let mut after = TokenStream::new();
    // The body first (a payload member, else the body members as JSON, else nothing): a
    // content type bound to a member by name wins over the default one.
    if let Some(f) = input.payload() {
        after.extend(payload_request(svc, f, fmt));
    } else if input.body_fields().next().is_some() {
        after.extend(match fmt {
            BodyFormat::Json => quote! {
                let mut w = ::awsrt::json::JsonWriter::new();
                ser_input_body(&mut w, input);
                request.body = w.finish().into();
                request.set_static_header("content-type", "application/json");
            },
            BodyFormat::Xml | BodyFormat::XmlUnwrapped => {
                let root = &input.xml_name;
                let ns = crate::emit::xml::namespace(
                    input.xml_namespace.as_ref().or(svc.xml_namespace.as_ref()),
                );
                quote! {
                    let mut w = ::awsrt::xml::XmlWriter::new();
                    w.start(#root);
                    #ns
                    ser_input_body(&mut w, input);
                    w.end(#root);
                    request.body = w.finish().into();
                    request.set_static_header("content-type", "application/xml");
                }
            }
        });
    }
    // Prefix headers first: a header bound by name wins over a map entry of the same name.
    for f in input.fields.iter() {
        let Location::PrefixHeaders(prefix) = &f.location else {
            continue;
        };
        let value = match &f.ty {
            RType::Map(v, _) if **v == RType::SensitiveString => quote!(m[key].expose_secret()),
            _ => quote!(m[key].as_str()),
        };
        after.extend(with_map(
            f,
            quote! {
                let mut keys: Vec<&String> = m.keys().collect();
                keys.sort();
                for key in keys {
                    request.append_header(&format!("{}{}", #prefix, key), #value)?;
                }
            },
        ));
    }
    for f in input.fields.iter() {
        let Location::Header(name) = &f.location else {
            continue;
        };
        let n = ident(&f.name);
        let set = match &f.ty {
            RType::List(inner, sparse) => {
                let item = match &**inner {
                    RType::String | RType::Enum(_) => quote!(#hb::header_list_item(v.as_str())),
                    RType::SensitiveString => quote!(#hb::header_list_item(v.expose_secret())),
                    other => {
                        let t = text(f, other, quote!(v));
                        quote!(::std::borrow::Cow::Owned(#t))
                    }
                };
                let iter = if *sparse {
                    quote!(list.iter().flatten())
                } else {
                    quote!(list.iter())
                };
                quote!(request.set_header(#name, &#hb::join_header_list(#iter.map(|v| #item)))?;)
            }
            t => {
                let t = text_ref(f, t, quote!(value));
                quote!(request.set_header(#name, #t)?;)
            }
        };
        let bound = if matches!(f.ty, RType::List(..)) {
            quote!(list)
        } else {
            quote!(value)
        };
        after.extend(if f.optional {
            quote!(if let Some(#bound) = &input.#n { #set })
        } else {
            quote!({ let #bound = &input.#n; #set })
        });
    }
    let (prefix_checks, with_prefix) = host_prefix(op);
    let mut_request = if after.is_empty() && with_prefix.is_empty() {
        quote!(let request)
    } else {
        quote!(let mut request)
    };
    // Every member is written somewhere (a label, the query, a header, the body).
    let input_used = !input.fields.is_empty() || !prefix_checks.is_empty();
    let unused = if input_used {
        quote!()
    } else {
        quote!(let _ = input;)
    };
    let prefix_set = if with_prefix.is_empty() {
        quote!()
    } else {
        quote!(request = request #with_prefix;)
    };
    quote! {
        #unused
        #prefix_checks
        #bound_decl
        let mut uri = String::new();
        #stmts
        #mut_request = ::awsrt::client::Request::new(::awsrt::client::Method::#method, uri);
        #after
        #prefix_set
        Ok(request)
    }
}

/// The statements writing a structure or union payload as an XML document: the root element
/// is named by the member's `@xmlName`, else the target's.
fn xml_payload(svc: &Service, f: &Field, t: &str) -> TokenStream {
    let target = match svc.ty(t) {
        Some(TypeDef::Struct(s) | TypeDef::Union(s)) => Some(s),
        _ => None,
    };
    let root = if f.xml.name != f.member {
        f.xml.name.clone()
    } else {
        target.map_or_else(|| t.to_string(), |s| s.xml_name.clone())
    };
    let ns = crate::emit::xml::namespace(
        target
            .and_then(|s| s.xml_namespace.as_ref())
            .or(f.xml.namespace.as_ref())
            .or(svc.xml_namespace.as_ref()),
    );
    let ser = format_ident!("{}", names::ser_fn(t));
    quote! {
        let mut w = ::awsrt::xml::XmlWriter::new();
        w.start(#root);
        #ns
        crate::types::#ser(&mut w, v);
        w.end(#root);
        request.body = w.finish().into();
    }
}

/// The statements writing a payload member as the request body, with its content type.
fn payload_request(svc: &Service, f: &Field, fmt: BodyFormat) -> TokenStream {
    let n = ident(&f.name);
    let media = f.media_type.clone();
    let (write, content_type) = match &f.ty {
        RType::Struct(t) | RType::Union(t) if fmt != BodyFormat::Json => {
            (xml_payload(svc, f, t), "application/xml".to_string())
        }
        RType::Struct(t) | RType::Union(t) => {
            let ser = format_ident!("{}", names::ser_fn(t));
            (
                quote! {
                    let mut w = ::awsrt::json::JsonWriter::new();
                    crate::types::#ser(&mut w, v);
                    request.body = w.finish().into();
                },
                "application/json".to_string(),
            )
        }
        RType::Document => (
            quote! {
                let mut w = ::awsrt::json::JsonWriter::new();
                w.document(v);
                request.body = w.finish().into();
            },
            "application/json".to_string(),
        ),
        RType::Blob => (
            quote!(request.body = ::std::convert::AsRef::<[u8]>::as_ref(v).to_vec().into();),
            media.unwrap_or_else(|| "application/octet-stream".to_string()),
        ),
        RType::SensitiveBlob => (
            quote!(request.body = v.expose_secret().to_vec().into();),
            media.unwrap_or_else(|| "application/octet-stream".to_string()),
        ),
        RType::String => (
            quote!(request.body = v.clone().into_bytes().into();),
            media.unwrap_or_else(|| "text/plain".to_string()),
        ),
        RType::SensitiveString => (
            quote!(request.body = v.expose_secret().as_bytes().to_vec().into();),
            media.unwrap_or_else(|| "text/plain".to_string()),
        ),
        RType::Enum(_) => (
            quote!(request.body = v.as_str().as_bytes().to_vec().into();),
            media.unwrap_or_else(|| "text/plain".to_string()),
        ),
        RType::EventInput(_) => (
            quote!(let _ = v;),
            "application/vnd.amazon.eventstream".to_string(),
        ),
        _ => (quote!(), String::new()),
    };
    // A content type the model names must be a valid header value.
    let set_type = if content_type.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        quote!(request.set_header("content-type", #content_type)?;)
    } else {
        quote!()
    };
    let unbox = if f.boxed {
        quote!(let v = &**v;)
    } else {
        quote!()
    };
    let body = quote! {
        #unbox
        #write
        #set_type
    };
    let unset = match &f.ty {
        // An unset structure payload is an empty object; an unset union, document, blob or
        // string sends no body.
        RType::Struct(_) if fmt == BodyFormat::Json => quote! {
            else {
                request.body = ::awsrt::client::Request::EMPTY_JSON_OBJECT.into();
                request.set_header("content-type", "application/json")?;
            }
        },
        _ => quote!(),
    };
    if f.optional {
        quote!(if let Some(v) = &input.#n { #body } #unset)
    } else {
        quote!({ let v = &input.#n; #body })
    }
}
