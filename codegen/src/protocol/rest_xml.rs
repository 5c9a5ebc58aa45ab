//! restXml: restJson1's HTTP bindings (path, query, headers, status; see
//! [`super::rest_json`]) with XML bodies: the members left for the body form one element named
//! after the input structure (`@xmlName`), with the service's `@xmlNamespace`; a structure
//! payload is a document of its own. Timestamps default to date-time in the body and in the
//! query and labels, http-date in headers. Error bodies are `<ErrorResponse><Error>` or a bare
//! `<Error>` (the runtime's `rest_xml::REST_XML` reads either).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::rest_json::request::request_fn;
use super::rest_json::response::{de_error_response_fn, de_response_fn};
use super::rest_json::{bound_error, de_response_fn_name, is_member_type, BodyFormat, RestJson};
use super::{ProtocolGenerator, Role};
use crate::emit::common::ident;
use crate::emit::xml;
use crate::error::Result;
use crate::ir::{Example, HttpBinding, Location, Operation, Service, Struct, TypeDef};
use crate::model::{Member, Shape, TimestampFormat};
use crate::names;

/// The restXml generator.
pub struct RestXml;

impl ProtocolGenerator for RestXml {
    fn event_streams(&self, input: bool) -> bool {
        !input
    }

    fn location(&self, role: Role, member_id: &str, member: &Member) -> Result<Location> {
        RestJson.location(role, member_id, member)
    }

    fn wire_name(&self, _member_id: &str, member: &Member) -> Result<String> {
        Ok(member.name.clone())
    }

    fn default_timestamp_format(&self, location: &Location) -> TimestampFormat {
        match location {
            Location::Header(_) | Location::PrefixHeaders(_) => TimestampFormat::HttpDate,
            _ => TimestampFormat::DateTime,
        }
    }

    fn http(&self, op: &Shape, input: &Struct) -> Result<HttpBinding> {
        RestJson.http(op, input)
    }

    fn check_response(&self, owner: &str, s: &Struct) -> Result<()> {
        RestJson.check_response(owner, s)
    }

    fn runtime_protocol(&self) -> TokenStream {
        quote!(&::awsrt::protocol::rest_xml::REST_XML)
    }

    fn decode_error(&self) -> TokenStream {
        quote!(::awsrt::xml::XmlError)
    }

    fn operation_items(&self, svc: &Service, op: &Operation) -> TokenStream {
        let input = ident(&op.types.input);
        let output = ident(&op.types.output);
        let error = ident(&op.types.error);
        let allow = super::allow_unused(op);
        let body_ser = if op.input.body_fields().next().is_some() && op.input.payload().is_none() {
            xml::ser_struct(
                &op.input,
                &format_ident!("ser_input_body"),
                quote!(#input),
                quote!(),
            )
        } else {
            TokenStream::new()
        };
        let request = request_fn(svc, op, BodyFormat::Xml);
        let out_fmt = if op.unwrapped_output {
            BodyFormat::XmlUnwrapped
        } else {
            BodyFormat::Xml
        };
        let de = de_response_fn(
            svc,
            &op.output,
            &format_ident!("de_response"),
            quote!(#output),
            out_fmt,
        );
        let reader = if op.error_in_success {
            quote!(::awsrt::protocol::rest_xml::http_response_or_error)
        } else {
            quote!(::awsrt::protocol::http_response)
        };
        let parse = if op.streams_output() {
            quote! {
                /// Reads a reply whose body was read whole (the fuzz entry points) as a streaming call reads it.
                #[cfg(feature = "fuzzing")]
                #[inline] pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                    parse_streaming_response(reply, ::awsrt::types::ByteStream::new(reply.body.clone()))
                }
                /// Reads the reply of a streaming call: the output's members from the response head,
                /// its payload the body stream; else the operation's error.
                #allow
                pub(crate) fn parse_streaming_response(reply: &::awsrt::client::Reply, body: ::awsrt::types::ByteStream) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                    ::awsrt::protocol::streaming_response(reply, body, de_response, #error::from_response)
                }
            }
        } else {
            quote! {
                /// Reads the reply: the output from a 2xx response (status, headers and body), else the operation's error.
                #allow
                #[inline] pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                    #reader(reply, de_response, #error::from_response)
                }
            }
        };
        let doc = crate::emit::common::doc(&format!(
            "The request of `{}`: `{} {}`.",
            op.name,
            op.http.method,
            op.http.uri.path_text()
        ));
        quote! {
            #doc
            #allow
            #[inline] pub(crate) fn ser_request(input: &#input) -> Result<::awsrt::client::Request, ::awsrt::error::BuildError> {
                #request
            }
            #parse
            #body_ser
            #de
        }
    }

    fn error_from_response(&self, svc: &Service, op: &Operation) -> TokenStream {
        let mut needs_node = false;
        let arms: Vec<TokenStream> = op
            .errors
            .iter()
            .map(|e| {
                let v = ident(e);
                let code = svc
                    .error_struct(e)
                    .and_then(|s| s.error.as_ref())
                    .map(|i| i.code.clone())
                    .unwrap_or_else(|| e.clone());
                let bound = svc.error_struct(e).is_some_and(|s| !s.all_in_body());
                if bound {
                    let de = format_ident!("{}", de_response_fn_name(e));
                    quote!(#code => Self::#v(crate::types::#de(resp)?.with_meta(meta)),)
                } else {
                    needs_node = true;
                    let de = format_ident!("{}", names::de_fn(e));
                    quote!(#code => Self::#v(crate::types::#de(n)?.with_meta(meta)),)
                }
            })
            .collect();
        let reader = if needs_node {
            quote! {
                let doc = ::awsrt::protocol::rest_xml::error_document(&resp.body)?;
                let n = ::awsrt::protocol::rest_xml::error_element(&doc)?;
            }
        } else {
            quote!(let _ = resp;)
        };
        // A HEAD response has no body to name its error: an error without a code is the
        // modeled error whose @httpError is the status, when exactly one has it (or the one a
        // customization names for the status).
        let by_status = if op.http.method == "HEAD" || !op.status_errors.is_empty() {
            let mut statuses: Vec<(u16, String)> = Vec::new();
            if op.http.method == "HEAD" {
                for e in &op.errors {
                    let Some(info) = svc.error_struct(e).and_then(|s| s.error.as_ref()) else {
                        continue;
                    };
                    if let Some(st) = info.http_status {
                        statuses.push((st, info.code.clone()));
                    }
                }
            }
            let mut unique: Vec<(u16, String)> = statuses
                .iter()
                .filter(|(st, _)| statuses.iter().filter(|(o, _)| o == st).count() == 1)
                .cloned()
                .collect();
            for (st, code) in &op.status_errors {
                if !unique.iter().any(|(u, _)| u == st) {
                    unique.push((*st, code.clone()));
                }
            }
            if unique.is_empty() {
                quote!()
            } else {
                let arms = unique
                    .iter()
                    .map(|(st, code)| quote!(#st => Some(#code.to_string()),));
                quote! {
                    let mut meta = meta;
                    if meta.code.is_none() {
                        meta.code = match meta.status {
                            #(#arms)*
                            _ => None,
                        };
                    }
                }
            }
        } else {
            quote!()
        };
        quote! {
            #by_status
            #reader
            Ok(match meta.code.as_deref().unwrap_or_default() {
                #(#arms)*
                _ => Self::Unhandled(::awsrt::error::Unhandled::new(meta)),
            })
        }
    }

    fn type_codec_names(&self, svc: &Service, name: &str, def: &TypeDef) -> Vec<String> {
        let mut out = xml::codec_names(svc, name, def, true);
        if bound_error(svc, name, def).is_some() {
            if !is_member_type(svc, name) {
                let de = names::de_fn(name);
                out.retain(|f| *f != de);
            }
            out.push(de_response_fn_name(name));
        }
        out
    }

    fn type_codecs(&self, svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
        let mut out = xml::codecs(svc, name, def, true);
        if let Some(s) = bound_error(svc, name, def) {
            let f = format_ident!("{}", de_response_fn_name(name));
            out.extend(de_error_response_fn(svc, s, &f, BodyFormat::Xml));
        }
        out
    }

    fn example_checks(&self, _svc: &Service, op: &Operation, _ex: &Example) -> TokenStream {
        let method = &op.http.method;
        quote! {
            assert_eq!(request.method.as_str(), #method);
        }
    }
}
