//! restJson1 responses: reading status, headers and body back into outputs and errors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{hb, BodyFormat};
use crate::emit::common::{ident, rust_type, stored_type, ts_format};
use crate::emit::json;
use crate::ir::{Field, Location, RType, Service, Struct};
use crate::names;

/// A function reading a whole response (status, headers, body) into the structure `s`.
pub(crate) fn de_response_fn(
    svc: &Service,
    s: &Struct,
    name: &proc_macro2::Ident,
    ty: TokenStream,
    fmt: BodyFormat,
) -> TokenStream {
    de_fn(svc, s, name, ty, fmt, false)
}

/// A function reading an event (`resp`: its payload as the body; `msg`: the message, whose
/// typed headers carry the `@eventHeader` members) into the event structure `s`.
pub(crate) fn de_event_fn(
    svc: &Service,
    s: &Struct,
    name: &proc_macro2::Ident,
    ty: TokenStream,
    fmt: BodyFormat,
) -> TokenStream {
    de_fn(svc, s, name, ty, fmt, true)
}

fn de_fn(
    _svc: &Service,
    s: &Struct,
    name: &proc_macro2::Ident,
    ty: TokenStream,
    fmt: BodyFormat,
    event: bool,
) -> TokenStream {
    let body_locals = json::de_locals_of(s.body_fields());
    let mut stmts = TokenStream::new();
    if s.body_fields().next().is_some() {
        stmts.extend(match fmt {
            BodyFormat::Json => {
                let body = json::de_body(s);
                quote! {
                    let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));
                    #body
                    r.finish()?;
                }
            }
            BodyFormat::XmlUnwrapped => {
                let sets = s.body_fields().map(|f| {
                    let l = json::local(f);
                    let read = crate::emit::xml::read_value(&f.ty, f.xml.items.as_deref(), quote!(n));
                    let read = if f.boxed { quote!(Box::new(#read)) } else { read };
                    quote!(#l = Some(#read);)
                });
                quote! {
                    if let Some(doc) = ::awsrt::protocol::rest_xml::body_document(&resp.body)? {
                        let n = doc.root();
                        #(#sets)*
                    }
                }
            }
            BodyFormat::Xml => {
                let body = crate::emit::xml::de_body(s);
                quote! {
                    if let Some(doc) = ::awsrt::protocol::rest_xml::body_document(&resp.body)? {
                        let n = doc.root();
                        #body
                    }
                }
            }
        });
    }
    for f in &s.fields {
        if f.location == Location::ResponseCode
            || matches!(f.ty, RType::Stream | RType::EventOutput(_))
        {
            continue;
        }
        let read = match (&f.location, event) {
            (Location::Header(name), true) => {
                let read = event_header_read(f, name);
                Some(if f.boxed {
                    quote!((#read).map(Box::new))
                } else {
                    read
                })
            }
            _ => bound_read(f, fmt),
        };
        let Some(read) = read else {
            continue;
        };
        let l = json::local(f);
        let t = stored_type(f);
        stmts.extend(quote!(let #l: Option<#t> = #read;));
    }
    let has_code = s
        .fields
        .iter()
        .any(|f| f.location == Location::ResponseCode);
    let construct = json::de_construct_with(s, &ty, |f| {
        if f.ty == RType::Stream {
            return Some(quote!(payload_stream));
        }
        if let RType::EventOutput(u) = &f.ty {
            let unmarshal = format_ident!("unmarshal_{}", names::snake_case(u));
            let receiver = quote!(::awsrt::event_stream::EventReceiver::new(payload_stream, crate::event_stream::#unmarshal));
            return Some(if f.optional {
                quote!(Some(#receiver))
            } else {
                receiver
            });
        }
        (f.location == Location::ResponseCode).then(|| {
            if f.optional {
                quote!(Some(i32::from(resp.status)))
            } else {
                quote!(i32::from(resp.status))
            }
        })
    });
    let stream_arg = if s
        .fields
        .iter()
        .any(|f| matches!(f.ty, RType::Stream | RType::EventOutput(_)))
    {
        quote!(, payload_stream: ::awsrt::types::ByteStream)
    } else {
        quote!()
    };

    let err = fmt.error();
    let resp_arg = if stmts.is_empty() && !has_code {
        quote!(_resp)
    } else {
        quote!(resp)
    };
    if event {
        let msg_arg = if s
            .fields
            .iter()
            .any(|f| matches!(f.location, Location::Header(_)))
        {
            quote!(msg)
        } else {
            quote!(_msg)
        };
        return quote! {
            #[inline] pub(crate) fn #name(#resp_arg: &::awsrt::http::HttpResponse, #msg_arg: &::awsrt::event_stream::Message) -> Result<#ty, #err> {
                #body_locals
                #stmts
                Ok(#construct)
            }
        };
    }
    quote! {
        #[inline] pub(crate) fn #name(#resp_arg: &::awsrt::http::HttpResponse #stream_arg) -> Result<#ty, #err> {
            #body_locals
            #stmts
            Ok(#construct)
        }
    }
}

/// An expression reading a member bound outside the body from the response (`Option<T>`,
/// boxed when the field is), or `None` for a body member.
fn bound_read(f: &Field, fmt: BodyFormat) -> Option<TokenStream> {
    let hb = hb();
    let read = match &f.location {
        Location::Body | Location::Label | Location::Query(_) | Location::QueryParams => {
            return None
        }
        Location::ResponseCode => quote!(Some(i32::from(resp.status))),
        Location::Header(name) => header_read(f, name),
        Location::PrefixHeaders(prefix) => match &f.ty {
            RType::Map(v, _) if **v == RType::SensitiveString => quote! {
                #hb::prefix_headers(resp, #prefix)?.map(|m| m.into_iter().map(|(k, v)| (k, ::awsrt::types::SensitiveString::new(v))).collect())
            },
            _ => quote!(#hb::prefix_headers(resp, #prefix)?),
        },
        Location::Payload => payload_read(f, fmt),
    };
    Some(if f.boxed {
        quote!((#read).map(Box::new))
    } else {
        read
    })
}

/// The whole-response reader of an error structure with bound members: its JSON body through
/// the type's own deserializer, then the bound members. (An error whose body is a payload
/// member reads everything itself.)
pub(crate) fn de_error_response_fn(
    svc: &Service,
    s: &Struct,
    name: &proc_macro2::Ident,
    fmt: BodyFormat,
) -> TokenStream {
    let t = ident(&s.name);
    let de = format_ident!("{}", names::de_fn(&s.name));
    if s.payload().is_some() {
        let f = de_response_fn(svc, s, name, quote!(#t), fmt);
        // The body-only deserializer stays for other uses (and must be used).
        let reader = match fmt {
            BodyFormat::Json => quote!(&mut ::awsrt::json::JsonReader<'_>),
            _ => quote!(::awsrt::xml::Node<'_, '_>),
        };
        let err = fmt.error();
        return quote! {
            #f
            const _: fn(#reader) -> Result<#t, #err> = #de;
        };
    }
    let sets = s.fields.iter().filter_map(|f| {
        let read = bound_read(f, fmt)?;
        let n = ident(&f.name);
        Some(if f.optional {
            quote!(v.#n = #read;)
        } else {
            quote!(if let Some(x) = #read { v.#n = x; })
        })
    });
    match fmt {
        BodyFormat::Json => quote! {
            #[inline] pub(crate) fn #name(resp: &::awsrt::http::HttpResponse) -> Result<#t, ::awsrt::json::JsonError> {
                let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));
                let mut v = #de(&mut r)?;
                r.finish()?;
                #(#sets)*
                Ok(v)
            }
        },
        _ => quote! {
            #[inline] pub(crate) fn #name(resp: &::awsrt::http::HttpResponse) -> Result<#t, ::awsrt::xml::XmlError> {
                let doc = ::awsrt::xml::XmlDoc::parse(&resp.body)?;
                let mut v = #de(::awsrt::protocol::rest_xml::error_element(&doc)?)?;
                #(#sets)*
                Ok(v)
            }
        },
    }
}

/// An expression reading the typed event header `name` of `msg` into field `f`'s type:
/// `Option<T>`.
fn event_header_read(f: &Field, name: &str) -> TokenStream {
    let es = quote!(::awsrt::event_stream);
    match &f.ty {
        RType::Bool
        | RType::I8
        | RType::I16
        | RType::I32
        | RType::I64
        | RType::Blob
        | RType::String => {
            let rt = rust_type(&f.ty);
            quote!(#es::header::<#rt>(msg, #name)?)
        }
        RType::Timestamp(_) => quote!(#es::header::<::awsrt::types::DateTime>(msg, #name)?),
        RType::SensitiveString => {
            quote!(#es::header::<String>(msg, #name)?.map(::awsrt::types::SensitiveString::new))
        }
        RType::SensitiveBlob => {
            quote!(#es::header::<::awsrt::types::Blob>(msg, #name)?.map(|b| ::awsrt::types::SensitiveBlob::new(b.into_inner())))
        }
        RType::Enum(_) => {
            let rt = rust_type(&f.ty);
            quote!(#es::header::<String>(msg, #name)?.map(|s| #rt::from(s.as_str())))
        }
        RType::IntEnum(_) => {
            let rt = rust_type(&f.ty);
            quote!(#es::header::<i32>(msg, #name)?.map(#rt::from))
        }
        _ => quote!(::std::compile_error!("not an event header type")),
    }
}

/// An expression reading header `name` into field `f`'s type: `Option<T>`.
fn header_read(f: &Field, name: &str) -> TokenStream {
    let hb = hb();
    let scalar = |t: &RType| -> TokenStream {
        match t {
            RType::String if f.media_type.is_some() => quote!(#hb::header_media_type(resp, #name)?),
            RType::String
            | RType::Bool
            | RType::I8
            | RType::I16
            | RType::I32
            | RType::I64
            | RType::F32
            | RType::F64
            | RType::BigInteger
            | RType::BigDecimal => {
                let rt = rust_type(t);
                quote!(#hb::header::<#rt>(resp, #name)?)
            }
            RType::SensitiveString => {
                quote!(#hb::header::<String>(resp, #name)?.map(::awsrt::types::SensitiveString::new))
            }
            RType::Timestamp(fmt) => {
                let fmt = ts_format(*fmt);
                quote!(#hb::header_timestamp(resp, #name, #fmt)?)
            }
            RType::Enum(_) => {
                let rt = rust_type(t);
                quote!(#hb::header::<String>(resp, #name)?.map(|s| #rt::from(s.as_str())))
            }
            RType::IntEnum(_) => {
                let rt = rust_type(t);
                quote!(#hb::header::<i32>(resp, #name)?.map(#rt::from))
            }
            _ => quote!(::std::compile_error!("not a header type")),
        }
    };
    match &f.ty {
        RType::List(inner, sparse) => {
            let items = match &**inner {
                RType::Timestamp(fmt) => {
                    let fmt = ts_format(*fmt);
                    quote!(#hb::header_timestamp_list(resp, #name, #fmt)?)
                }
                RType::Enum(_) => {
                    let rt = rust_type(inner);
                    quote!(#hb::header_list::<String>(resp, #name)?.map(|l| l.iter().map(|s| #rt::from(s.as_str())).collect::<Vec<_>>()))
                }
                RType::IntEnum(_) => {
                    let rt = rust_type(inner);
                    quote!(#hb::header_list::<i32>(resp, #name)?.map(|l| l.into_iter().map(#rt::from).collect::<Vec<_>>()))
                }
                RType::SensitiveString => {
                    quote!(#hb::header_list::<String>(resp, #name)?.map(|l| l.into_iter().map(::awsrt::types::SensitiveString::new).collect::<Vec<_>>()))
                }
                other => {
                    let rt = rust_type(other);
                    quote!(#hb::header_list::<#rt>(resp, #name)?)
                }
            };
            if *sparse {
                quote!(#items.map(|l| l.into_iter().map(Some).collect::<Vec<_>>()))
            } else {
                items
            }
        }
        t => scalar(t),
    }
}

/// An expression reading the payload member `f` from the body: `Option<T>` (`None` for an
/// empty body).
fn payload_read(f: &Field, fmt: BodyFormat) -> TokenStream {
    let hb = hb();
    let empty = quote!(resp.body.iter().all(u8::is_ascii_whitespace));
    match &f.ty {
        RType::Struct(t) | RType::Union(t) if fmt != BodyFormat::Json => {
            let de = format_ident!("{}", names::de_fn(t));
            quote! {
                match ::awsrt::protocol::rest_xml::body_document(&resp.body)? {
                    Some(doc) => Some(crate::types::#de(doc.root())?),
                    None => None,
                }
            }
        }
        RType::Struct(t) | RType::Union(t) => {
            let de = format_ident!("{}", names::de_fn(t));
            quote! {
                if #empty { None } else {
                    let mut r = ::awsrt::json::JsonReader::new(&resp.body);
                    let v = crate::types::#de(&mut r)?;
                    r.finish()?;
                    Some(v)
                }
            }
        }
        RType::Document => quote! {
            if #empty { None } else {
                let mut r = ::awsrt::json::JsonReader::new(&resp.body);
                let v = r.document()?;
                r.finish()?;
                Some(v)
            }
        },
        RType::Blob => {
            quote!((!resp.body.is_empty()).then(|| ::awsrt::types::Blob::new(resp.body.to_vec())))
        }
        RType::SensitiveBlob => {
            quote!((!resp.body.is_empty())
                .then(|| ::awsrt::types::SensitiveBlob::new(resp.body.to_vec())))
        }
        RType::String => {
            quote!(if resp.body.is_empty() { None } else { Some(#hb::body_text(resp)?) })
        }
        RType::SensitiveString => {
            quote!(if resp.body.is_empty() { None } else { Some(::awsrt::types::SensitiveString::new(#hb::body_text(resp)?)) })
        }
        RType::Enum(_) => {
            let rt = rust_type(&f.ty);
            quote!(if resp.body.is_empty() { None } else { Some(#rt::from(#hb::body_text(resp)?.as_str())) })
        }
        _ => {
            let t = stored_type(f);
            quote!(None::<#t>)
        }
    }
}
