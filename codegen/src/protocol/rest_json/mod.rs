//! restJson1: HTTP bindings put input members in the path (`@httpLabel`), query (`@httpQuery`,
//! `@httpQueryParams`) and headers (`@httpHeader`, `@httpPrefixHeaders`); one member may be
//! the whole body (`@httpPayload`), else the remaining members form a JSON object keyed by
//! `@jsonName` (or the member name). Responses are read the same way back, plus
//! `@httpResponseCode`. Timestamps default to epoch seconds in the body, http-date in headers,
//! date-time in labels and the query. The error code comes from `X-Amzn-Errortype`, else the
//! body's `code`, else its `__type` (the runtime's `rest_json::REST_JSON_1`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value as Json;

pub(crate) mod request;
pub(crate) mod response;

use request::request_fn;
use response::{de_error_response_fn, de_response_fn};

/// The document format of bodies in an HTTP-binding protocol: restJson1's JSON or restXml's
/// XML. The bindings (path, query, headers, status) are the same for both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyFormat {
    /// JSON bodies (restJson1).
    Json,
    /// XML bodies (restXml).
    Xml,
    /// A restXml response whose one body member is the whole document
    /// (`@s3UnwrappedXmlOutput`).
    XmlUnwrapped,
}

impl BodyFormat {
    /// The error type of the body readers.
    pub(crate) fn error(self) -> TokenStream {
        match self {
            BodyFormat::Json => quote!(::awsrt::json::JsonError),
            BodyFormat::Xml | BodyFormat::XmlUnwrapped => quote!(::awsrt::xml::XmlError),
        }
    }
}

use super::{ProtocolGenerator, Role};
use crate::emit::common::ident;
use crate::emit::json;
use crate::error::{CodegenError, Result};
use crate::ir::{
    Example, Field, HttpBinding, Location, Operation, RType, Service, Struct, TypeDef, UriTemplate,
};
use crate::model::{ids, Member, Shape, TimestampFormat};
use crate::names;

/// The restJson1 generator.
pub struct RestJson;

const BINDING: &str = "::awsrt::protocol::http_binding";

fn hb() -> TokenStream {
    BINDING.parse().unwrap_or_default()
}

impl ProtocolGenerator for RestJson {
    fn event_streams(&self, _input: bool) -> bool {
        true
    }

    fn location(&self, role: Role, member_id: &str, member: &Member) -> Result<Location> {
        let t = &member.traits;
        let string_arg = |id: &str| -> Result<String> {
            t.get(id)
                .and_then(Json::as_str)
                .map(str::to_string)
                .ok_or_else(|| {
                    CodegenError::shape(member_id, format!("trait {id} must be a string"))
                })
        };
        Ok(match role {
            Role::Nested => Location::Body,
            Role::Input => {
                if t.has(ids::HTTP_LABEL) {
                    Location::Label
                } else if t.has(ids::HTTP_QUERY) {
                    Location::Query(string_arg(ids::HTTP_QUERY)?)
                } else if t.has(ids::HTTP_QUERY_PARAMS) {
                    Location::QueryParams
                } else if t.has(ids::HTTP_HEADER) {
                    Location::Header(string_arg(ids::HTTP_HEADER)?)
                } else if t.has(ids::HTTP_PREFIX_HEADERS) {
                    Location::PrefixHeaders(string_arg(ids::HTTP_PREFIX_HEADERS)?)
                } else if t.has(ids::HTTP_PAYLOAD) {
                    Location::Payload
                } else {
                    Location::Body
                }
            }
            Role::Output | Role::Error => {
                if t.has(ids::HTTP_HEADER) {
                    Location::Header(string_arg(ids::HTTP_HEADER)?)
                } else if t.has(ids::HTTP_PREFIX_HEADERS) {
                    Location::PrefixHeaders(string_arg(ids::HTTP_PREFIX_HEADERS)?)
                } else if t.has(ids::HTTP_PAYLOAD) {
                    Location::Payload
                } else if t.has(ids::HTTP_RESPONSE_CODE) && role == Role::Output {
                    Location::ResponseCode
                } else {
                    Location::Body
                }
            }
        })
    }

    fn wire_name(&self, member_id: &str, member: &Member) -> Result<String> {
        Ok(member
            .traits
            .json_name(member_id)?
            .unwrap_or(&member.name)
            .to_string())
    }

    fn default_timestamp_format(&self, location: &Location) -> TimestampFormat {
        match location {
            Location::Header(_) | Location::PrefixHeaders(_) => TimestampFormat::HttpDate,
            Location::Label | Location::Query(_) | Location::QueryParams => {
                TimestampFormat::DateTime
            }
            _ => TimestampFormat::EpochSeconds,
        }
    }

    fn http(&self, op: &Shape, input: &Struct) -> Result<HttpBinding> {
        let v = op.traits.get(ids::HTTP).ok_or_else(|| {
            CodegenError::shape(
                &op.id,
                "restJson1 needs a smithy.api#http trait on every operation",
            )
        })?;
        let method = v.get("method").and_then(Json::as_str).ok_or_else(|| {
            CodegenError::shape(&op.id, "trait smithy.api#http must have a string `method`")
        })?;
        if !matches!(
            method,
            "GET" | "PUT" | "POST" | "DELETE" | "PATCH" | "HEAD" | "OPTIONS"
        ) {
            return Err(CodegenError::shape(
                &op.id,
                format!("trait smithy.api#http: unsupported method {method:?}"),
            ));
        }
        let uri = v.get("uri").and_then(Json::as_str).ok_or_else(|| {
            CodegenError::shape(&op.id, "trait smithy.api#http must have a string `uri`")
        })?;
        let code = match v.get("code") {
            None => 200,
            Some(c) => c
                .as_u64()
                .and_then(|c| u16::try_from(c).ok())
                .ok_or_else(|| {
                    CodegenError::shape(&op.id, "trait smithy.api#http: `code` is not a status")
                })?,
        };
        let template = UriTemplate::parse(&op.id, uri)?;
        template.check(&op.id, input)?;
        check_bindings(&op.id, input)?;
        Ok(HttpBinding {
            method: method.to_string(),
            uri: template,
            code,
        })
    }

    fn check_response(&self, owner: &str, s: &Struct) -> Result<()> {
        check_bindings(owner, s)
    }

    fn runtime_protocol(&self) -> TokenStream {
        quote!(&::awsrt::protocol::rest_json::REST_JSON_1)
    }

    fn operation_items(&self, svc: &Service, op: &Operation) -> TokenStream {
        let input = ident(&op.types.input);
        let output = ident(&op.types.output);
        let error = ident(&op.types.error);
        let allow = super::allow_unused(op);
        let body_ser = if op.input.body_fields().next().is_some() && op.input.payload().is_none() {
            json::ser_struct(
                &op.input,
                &format_ident!("ser_input_body"),
                quote!(#input),
                quote!(),
            )
        } else {
            TokenStream::new()
        };
        let request = request_fn(svc, op, BodyFormat::Json);
        let de = de_response_fn(
            svc,
            &op.output,
            &format_ident!("de_response"),
            quote!(#output),
            BodyFormat::Json,
        );
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
                    ::awsrt::protocol::http_response(reply, de_response, #error::from_response)
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
        let mut needs_reader = false;
        let arms: Vec<TokenStream> = op
            .errors
            .iter()
            .map(|e| {
                let v = ident(e);
                let bound = svc.error_struct(e).is_some_and(|s| !s.all_in_body());
                if bound {
                    let de = format_ident!("{}", de_response_fn_name(e));
                    quote!(#e => Self::#v(crate::types::#de(resp)?.with_meta(meta)),)
                } else {
                    needs_reader = true;
                    let de = format_ident!("{}", names::de_fn(e));
                    quote!(#e => Self::#v(crate::types::#de(&mut r)?.with_meta(meta)),)
                }
            })
            .collect();
        let reader = if needs_reader {
            quote!(let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));)
        } else {
            quote!(let _ = resp;)
        };
        quote! {
            #reader
            Ok(match meta.code.as_deref().unwrap_or_default() {
                #(#arms)*
                _ => Self::Unhandled(::awsrt::error::Unhandled::new(meta)),
            })
        }
    }

    fn type_codec_names(&self, svc: &Service, name: &str, def: &TypeDef) -> Vec<String> {
        let mut out = json::codec_names(svc, name, def);
        if bound_error(svc, name, def).is_some() {
            // The error enums call the whole-response reader; the body deserializer is
            // needed outside the type's file only when another type has the error as a member.
            if !is_member_type(svc, name) {
                let de = names::de_fn(name);
                out.retain(|f| *f != de);
            }
            out.push(de_response_fn_name(name));
        }
        out
    }

    fn type_codecs(&self, svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
        let mut out = json::codecs(svc, name, def);
        if let Some(s) = bound_error(svc, name, def) {
            let f = format_ident!("{}", de_response_fn_name(name));
            out.extend(de_error_response_fn(svc, s, &f, BodyFormat::Json));
        }
        out
    }

    fn example_checks(&self, svc: &Service, op: &Operation, ex: &Example) -> TokenStream {
        let method = &op.http.method;
        let mut out = quote! {
            assert_eq!(request.method.as_str(), #method);
        };
        let body_fields: Vec<&Field> = op.input.body_fields().collect();
        if op.input.payload().is_none() && !body_fields.is_empty() {
            if let Some(expected) = body_json(svc, &op.input, &ex.input_json) {
                let text = expected.to_string();
                out.extend(quote! {
                    let sent = ::awsrt::types::Document::parse(&request.body)?;
                    assert_eq!(sent, ::awsrt::types::Document::parse(#text.as_bytes())?);
                });
            }
        }
        if let (Some(fields), Some(out_json)) = (&ex.output, &ex.output_json) {
            if op.output.all_in_body() {
                if let Some(body) = body_json(svc, &op.output, out_json) {
                    let text = body.to_string();
                    let output_t = ident(&op.types.output);
                    let calls =
                        crate::emit::literal::setter_calls(&svc.types, &op.output.fields, fields);
                    let build = if op.output.fallible_build() {
                        quote!(.build()?)
                    } else {
                        quote!(.build())
                    };
                    out.extend(quote! {
                        let parsed = super::de_response(&::awsrt::http::HttpResponse::new(200, #text))?;
                        let expected = #output_t::builder() #calls #build;
                        assert_eq!(parsed, expected);
                    });
                }
            }
        }
        out
    }
}

/// The name of the function reading a whole response into type `name` (errors with bound
/// members).
pub(crate) fn de_response_fn_name(name: &str) -> String {
    names::de_response_fn(name)
}

/// The error structure `name`, when it has members bound outside the body.
pub(crate) fn bound_error<'a>(svc: &Service, name: &str, def: &'a TypeDef) -> Option<&'a Struct> {
    match def {
        TypeDef::Struct(s) if s.error.is_some() && !s.all_in_body() && svc.de.contains(name) => {
            Some(s)
        }
        _ => None,
    }
}

/// Whether some structure or union of the service has a member of type `name`.
pub(crate) fn is_member_type(svc: &Service, name: &str) -> bool {
    fn mentions(t: &RType, name: &str) -> bool {
        match t {
            RType::Struct(n) | RType::Union(n) => n == name,
            RType::List(inner, _) | RType::Map(inner, _) => mentions(inner, name),
            _ => false,
        }
    }
    svc.types.values().any(|t| match t {
        TypeDef::Struct(s) | TypeDef::Union(s) => s.fields.iter().any(|f| mentions(&f.ty, name)),
        TypeDef::Enum(_) => false,
    })
}

/// Checks the types of bound members: what each location can carry.
pub(crate) fn check_bindings(owner: &str, s: &Struct) -> Result<()> {
    let scalar = RType::is_scalar;
    let mut payloads = 0;
    for f in &s.fields {
        let ok = match &f.location {
            Location::Body | Location::Label => true,
            Location::Query(_) | Location::Header(_) => match &f.ty {
                RType::List(inner, _) => scalar(inner),
                t => scalar(t),
            },
            Location::QueryParams => match &f.ty {
                RType::Map(v, _) => match &**v {
                    RType::List(inner, _) => matches!(**inner, RType::String | RType::Enum(_)),
                    t => matches!(t, RType::String | RType::Enum(_)),
                },
                _ => false,
            },
            Location::PrefixHeaders(_) => {
                matches!(&f.ty, RType::Map(v, _) if matches!(**v, RType::String | RType::SensitiveString))
            }
            Location::Payload => {
                payloads += 1;
                matches!(
                    f.ty,
                    RType::Stream
                        | RType::EventInput(_)
                        | RType::EventOutput(_)
                        | RType::Struct(_)
                        | RType::Union(_)
                        | RType::Document
                        | RType::Blob
                        | RType::SensitiveBlob
                        | RType::String
                        | RType::SensitiveString
                        | RType::Enum(_)
                )
            }
            Location::ResponseCode => f.ty == RType::I32,
        };
        if !ok {
            return Err(CodegenError::shape(
                format!("{}${}", s.shape, f.member),
                format!(
                    "an HTTP-binding protocol cannot bind a {:?} to {:?}",
                    f.ty, f.location
                ),
            ));
        }
    }
    if payloads > 1 {
        return Err(CodegenError::shape(
            owner,
            format!("{} has more than one @httpPayload member", s.shape),
        ));
    }
    if payloads == 1 && s.body_fields().next().is_some() {
        return Err(CodegenError::shape(
            owner,
            format!(
                "{} has an @httpPayload member and other members for the body",
                s.shape
            ),
        ));
    }
    Ok(())
}

/// The body JSON an example's members give (body members only, keyed by wire names), when it
/// can be written at generation time: `None` when a value's JSON form differs from the model's
/// (blobs, timestamps) so that comparing would be meaningless.
fn body_json(svc: &Service, s: &Struct, value: &Json) -> Option<Json> {
    let o = value.as_object()?;
    let mut out = serde_json::Map::new();
    for (k, v) in o {
        let f = s
            .field(k)
            .or_else(|| s.fields.iter().find(|f| &f.wire == k))?;
        if f.location != Location::Body {
            continue;
        }
        out.insert(f.wire.clone(), value_json(svc, &f.ty, v)?);
    }
    Some(Json::Object(out))
}

fn value_json(svc: &Service, ty: &RType, v: &Json) -> Option<Json> {
    Some(match (ty, v) {
        (RType::Blob | RType::SensitiveBlob | RType::Timestamp(_), _) => return None,
        (RType::Struct(n), Json::Object(_)) => match svc.ty(n)? {
            TypeDef::Struct(s) => body_json(svc, s, v)?,
            _ => return None,
        },
        (RType::Union(n), Json::Object(o)) => match svc.ty(n)? {
            TypeDef::Union(s) => {
                let mut out = serde_json::Map::new();
                for (k, v) in o {
                    let f = s
                        .field(k)
                        .or_else(|| s.fields.iter().find(|f| &f.wire == k))?;
                    out.insert(f.wire.clone(), value_json(svc, &f.ty, v)?);
                }
                Json::Object(out)
            }
            _ => return None,
        },
        (RType::List(inner, _), Json::Array(items)) => Json::Array(
            items
                .iter()
                .map(|i| value_json(svc, inner, i))
                .collect::<Option<_>>()?,
        ),
        (RType::Map(inner, _), Json::Object(o)) => Json::Object(
            o.iter()
                .map(|(k, v)| value_json(svc, inner, v).map(|v| (k.clone(), v)))
                .collect::<Option<_>>()?,
        ),
        (_, v) => v.clone(),
    })
}
