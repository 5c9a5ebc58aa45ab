//! `src/event_stream.rs`: for each event stream (`@streaming` union) the service sends or
//! receives, its error enum, the unmarshaller that turns a received message into an event or a
//! stream error, and the marshaller that turns an event to send into a message. The framing,
//! signing and the sender/receiver types are the runtime's (`awsrt::event_stream`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::{doc, ident, type_path};
use crate::ir::{EventStream, Field, Location, RType, Service, Struct, TypeDef};
use crate::names;
use crate::protocol::rest_json::BodyFormat;
use crate::protocol::Protocol;

/// Whether the crate has an `event_stream` module.
pub fn has_event_streams(svc: &Service) -> bool {
    !svc.event_streams.is_empty()
}

/// The body format of event payloads: the protocol's document format.
fn format(svc: &Service) -> BodyFormat {
    match svc.protocol {
        Protocol::RestXml => BodyFormat::Xml,
        _ => BodyFormat::Json,
    }
}

/// The name of the unmarshaller of union `u`.
pub fn unmarshal_fn(u: &str) -> proc_macro2::Ident {
    format_ident!("unmarshal_{}", names::snake_case(u))
}

/// The name of the marshaller of union `u`.
pub fn marshal_fn(u: &str) -> proc_macro2::Ident {
    format_ident!("marshal_{}", names::snake_case(u))
}

/// The whole module.
pub fn event_stream_mod(svc: &Service) -> TokenStream {
    let mut body = TokenStream::new();
    // The runtime types of the streams, so a user of the crate alone can name them.
    if svc.event_streams.values().any(|es| es.received) {
        body.extend(quote!(
            pub use ::awsrt::event_stream::EventReceiver;
        ));
    }
    if svc.event_streams.values().any(|es| es.sent) {
        body.extend(quote!(
            pub use ::awsrt::event_stream::EventStreamSender;
        ));
    }
    let users = super::features::type_users(svc);
    for es in svc.event_streams.values() {
        let mut items = error_enum(es);
        if es.received {
            items.extend(unmarshaller(svc, es));
        }
        if es.sent {
            items.extend(marshaller(svc, es));
        }
        let gate = super::features::gate_features(svc, users.get(&es.union));
        body.extend(super::features::gate_items(items, gate.as_deref()));
    }
    quote! {
        //! The event streams of the service: each stream's error enum (also in
        //! [`crate::types::error`]), and how its events are read from and written to
        //! `application/vnd.amazon.eventstream` messages.

        #body
    }
}

/// The events of a stream: each variant of its union, the event structure's type name and
/// the structure.
fn events<'a>(
    svc: &'a Service,
    es: &EventStream,
) -> impl Iterator<Item = (&'a Field, &'a String, &'a Struct)> {
    let fields = match svc.ty(&es.union) {
        Some(TypeDef::Union(s)) => &s.fields[..],
        _ => &[],
    };
    fields.iter().filter_map(move |f| match &f.ty {
        RType::Struct(t) => match svc.ty(t) {
            Some(TypeDef::Struct(ev)) => Some((f, t, ev)),
            _ => None,
        },
        _ => None,
    })
}

fn error_enum(es: &EventStream) -> TokenStream {
    let name = format_ident!("{}", es.error_name());
    let d = doc(&format!(
        "The errors a `{}` event stream can carry: one variant per modeled error, plus `Unhandled` (an unmodeled exception or an `error` message, with its code and message).",
        es.union
    ));
    let variants = es.errors.iter().map(|(v, t, _)| {
        let v = ident(v);
        let tp = type_path(t);
        let d = doc(&format!("See [`{t}`](crate::types::error::{t})."));
        quote!(#d #v(#tp),)
    });
    let inner_arms = es.errors.iter().map(|(v, _, _)| {
        let v = ident(v);
        quote!(Self::#v(e) => e,)
    });
    quote! {
        #d
        #[non_exhaustive]
        #[derive(::std::fmt::Debug)]
        pub enum #name {
            #(#variants)*
            /// An exception the model does not describe, or an `error` message.
            Unhandled(::awsrt::error::Unhandled),
        }
        impl #name {
            fn inner(&self) -> &dyn ::awsrt::error::ModeledError {
                match self { #(#inner_arms)* Self::Unhandled(e) => e }
            }
            /// Code and message of the error.
            pub fn meta(&self) -> &::awsrt::error::ErrorMetadata {
                ::awsrt::error::ProvideErrorMetadata::meta(self.inner())
            }
            /// Whether this error is not one the model describes.
            pub fn is_unhandled(&self) -> bool { matches!(self, Self::Unhandled(_)) }
        }
        impl ::awsrt::error::ProvideErrorMetadata for #name {
            fn meta(&self) -> &::awsrt::error::ErrorMetadata { #name::meta(self) }
        }
        impl ::std::convert::From<::awsrt::error::Unhandled> for #name {
            fn from(e: ::awsrt::error::Unhandled) -> Self { Self::Unhandled(e) }
        }
        impl ::std::fmt::Display for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.inner(), f)
            }
        }
        impl ::std::error::Error for #name {
            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                Some(self.inner().as_error())
            }
        }
    }
}

/// `fn unmarshal_<u>(msg) -> Result<Unmarshalled<U, UError>, String>` and the readers of the
/// union's events.
fn unmarshaller(svc: &Service, es: &EventStream) -> TokenStream {
    let fmt = format(svc);
    let err_ty = fmt.error();
    let u = type_path(&es.union);
    let e = format_ident!("{}", es.error_name());
    let f = unmarshal_fn(&es.union);
    let mut readers = TokenStream::new();
    let mut arms = Vec::new();
    for (fld, t, ev) in events(svc, es) {
        let reader = format_ident!(
            "de_{}_{}",
            names::snake_case(&es.union),
            names::snake_case(&fld.variant)
        );
        let tp = type_path(t);
        readers.extend(crate::protocol::rest_json::response::de_event_fn(
            svc,
            ev,
            &reader,
            quote!(#tp),
            fmt,
        ));
        let v = ident(&fld.variant);
        let wire = &fld.member;
        let value = if fld.boxed {
            quote!(Box::new(#reader(&resp, msg)?))
        } else {
            quote!(#reader(&resp, msg)?)
        };
        arms.push(quote!(#wire => ::awsrt::event_stream::Unmarshalled::Event(#u::#v(#value)),));
    }
    let error_arms = es.errors.iter().map(|(v, t, wire)| {
        let variant = ident(v);
        let de = format_ident!("{}", names::de_fn(t));
        let read = match fmt {
            BodyFormat::Json => quote! {{
                let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));
                let mut err = crate::types::#de(&mut r)?;
                r.finish()?;
                err.meta = ::awsrt::event_stream::exception_meta(msg);
                err
            }},
            _ => quote! {{
                let doc = ::awsrt::xml::XmlDoc::parse(&resp.body)?;
                let mut err = crate::types::#de(doc.root())?;
                err.meta = ::awsrt::event_stream::exception_meta(msg);
                err
            }},
        };
        // The `:exception-type` names the union member.
        quote!(#wire => ::awsrt::event_stream::Unmarshalled::Error(#e::#variant(#read)),)
    });
    quote! {
        #[allow(clippy::match_single_binding)]
        pub(crate) fn #f(msg: &::awsrt::event_stream::Message) -> Result<::awsrt::event_stream::Unmarshalled<#u, #e>, #err_ty> {
            let resp = ::awsrt::http::HttpResponse::new(200, msg.payload.clone());
            Ok(match ::awsrt::event_stream::classify(msg)? {
                ::awsrt::event_stream::Incoming::Event(kind) => match kind {
                    #(#arms)*
                    _ => ::awsrt::event_stream::Unmarshalled::Event(#u::Unknown),
                },
                ::awsrt::event_stream::Incoming::Exception(kind) => match kind {
                    #(#error_arms)*
                    _ => ::awsrt::event_stream::Unmarshalled::Error(#e::Unhandled(::awsrt::event_stream::unhandled(msg))),
                },
                ::awsrt::event_stream::Incoming::Error => {
                    ::awsrt::event_stream::Unmarshalled::Error(#e::Unhandled(::awsrt::event_stream::unhandled(msg)))
                }
                ::awsrt::event_stream::Incoming::InitialResponse => ::awsrt::event_stream::Unmarshalled::Skip,
            })
        }
        #readers
    }
}

/// `fn marshal_<u>(event: U) -> Result<Message, BuildError>`.
fn marshaller(svc: &Service, es: &EventStream) -> TokenStream {
    let fmt = format(svc);
    let u = type_path(&es.union);
    let f = marshal_fn(&es.union);
    let es_rt = quote!(::awsrt::event_stream);
    let mut arms = Vec::new();
    for (fld, t, ev) in events(svc, es) {
        let v = ident(&fld.variant);
        let wire = &fld.member;
        let mut stmts = TokenStream::new();
        let mut content_type = None;
        if let Some(p) = ev.fields.iter().find(|x| x.location == Location::Payload) {
            let n = ident(&p.name);
            let value = if p.optional {
                quote!(ev.#n.as_ref())
            } else {
                quote!(Some(&ev.#n))
            };
            let (write, ct) = match &p.ty {
                RType::Blob => (
                    quote!(::awsrt::event_stream::Bytes::copy_from_slice(v.as_ref())),
                    "application/octet-stream",
                ),
                RType::SensitiveBlob => (
                    quote!(::awsrt::event_stream::Bytes::copy_from_slice(
                        v.expose_secret()
                    )),
                    "application/octet-stream",
                ),
                RType::String => (
                    quote!(::awsrt::event_stream::Bytes::copy_from_slice(v.as_bytes())),
                    "text/plain",
                ),
                RType::SensitiveString => (
                    quote!(::awsrt::event_stream::Bytes::copy_from_slice(
                        v.expose_secret().as_bytes()
                    )),
                    "text/plain",
                ),
                RType::Struct(pt) | RType::Union(pt) => {
                    let ser = format_ident!("{}", names::ser_fn(pt));
                    match fmt {
                        BodyFormat::Json => (
                            quote! {{
                                let mut w = ::awsrt::json::JsonWriter::new();
                                crate::types::#ser(&mut w, v);
                                ::awsrt::event_stream::Bytes::from(w.finish())
                            }},
                            "application/json",
                        ),
                        _ => {
                            let root = svc
                                .ty(pt)
                                .map(|d| match d {
                                    TypeDef::Struct(s) | TypeDef::Union(s) => s.xml_name.clone(),
                                    TypeDef::Enum(e) => e.name.clone(),
                                })
                                .unwrap_or_else(|| pt.clone());
                            (
                                quote! {{
                                    let mut w = ::awsrt::xml::XmlWriter::new();
                                    w.start(#root);
                                    crate::types::#ser(&mut w, v);
                                    w.end(#root);
                                    ::awsrt::event_stream::Bytes::from(w.finish())
                                }},
                                "application/xml",
                            )
                        }
                    }
                }
                _ => (
                    quote!({ let _ = v; return Err(#es_rt::marshal_error(#wire, "its payload type cannot be sent")); }),
                    "application/octet-stream",
                ),
            };
            content_type = Some(ct);
            stmts.extend(quote!(let payload = match #value { Some(v) => #write, None => #es_rt::Bytes::new() };));
        } else if ev.body_fields().next().is_some() {
            let ser = format_ident!("{}", names::ser_fn(t));
            match fmt {
                BodyFormat::Json => {
                    stmts.extend(quote! {
                        let mut w = ::awsrt::json::JsonWriter::new();
                        crate::types::#ser(&mut w, ev);
                        let payload = #es_rt::Bytes::from(w.finish());
                    });
                    content_type = Some("application/json");
                }
                _ => {
                    let root = &ev.xml_name;
                    stmts.extend(quote! {
                        let mut w = ::awsrt::xml::XmlWriter::new();
                        w.start(#root);
                        crate::types::#ser(&mut w, ev);
                        w.end(#root);
                        let payload = #es_rt::Bytes::from(w.finish());
                    });
                    content_type = Some("application/xml");
                }
            }
        }
        let ct = content_type.map(|ct| {
                quote!(let msg = msg.with_header(":content-type", #es_rt::HeaderValue::String(#ct.into()));)
            });
        let headers = ev.fields.iter().filter_map(|h| {
                let Location::Header(name) = &h.location else {
                    return None;
                };
                let n = ident(&h.name);
                let value = if h.optional {
                    quote!(ev.#n.as_ref())
                } else {
                    quote!(Some(&ev.#n))
                };
                let conv = match &h.ty {
                    RType::SensitiveString => quote!(#es_rt::HeaderValue::String(v.expose_secret().to_string())),
                    RType::SensitiveBlob => quote!(#es_rt::HeaderValue::ByteArray(#es_rt::Bytes::copy_from_slice(v.expose_secret()))),
                    RType::Enum(_) => quote!(#es_rt::HeaderValue::String(v.as_str().to_string())),
                    RType::IntEnum(_) => quote!(#es_rt::HeaderValue::Int32(v.value())),
                    _ => quote!(#es_rt::ToHeaderValue::to_header_value(v)),
                };
                Some(quote! {
                    let msg = match #value { Some(v) => msg.with_header(#name, #conv), None => msg };
                })
            });
        let ev_bind = if ev.fields.is_empty() {
            quote!(_ev)
        } else {
            quote!(ev)
        };
        let payload_decl = if stmts.is_empty() {
            quote!(let payload = #es_rt::Bytes::new();)
        } else {
            stmts
        };
        arms.push(quote! {
            #u::#v(#ev_bind) => {
                #payload_decl
                let msg = #es_rt::Message::new(payload)
                    .with_header(":message-type", #es_rt::HeaderValue::String("event".into()))
                    .with_header(":event-type", #es_rt::HeaderValue::String(#wire.into()));
                #ct
                #(#headers)*
                Ok(msg)
            }
        });
    }
    quote! {
        #[allow(clippy::match_single_binding)]
        pub(crate) fn #f(event: &#u) -> Result<#es_rt::Message, ::awsrt::error::BuildError> {
            match event {
                #(#arms)*
                #u::Unknown => Err(#es_rt::marshal_error("Unknown", "an unknown event cannot be sent")),
            }
        }
    }
}
