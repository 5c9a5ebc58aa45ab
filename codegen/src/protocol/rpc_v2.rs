//! Smithy RPC v2 (`smithy.protocols#rpcv2Cbor`, `smithy.protocols#rpcv2Json`): every member
//! is in the body under its member name (`@jsonName` and `@timestampFormat` do not apply), every
//! request is `POST /service/<service shape name>/operation/<operation name>`, an operation
//! with no input (`smithy.api#Unit`) sends no body, the error code is the body's `__type`.
//! rpcv2Cbor bodies go through [`crate::emit::cbor`], rpcv2Json bodies through the JSON codecs
//! the awsJson and restJson1 protocols share ([`crate::emit::json`]), written by the runtime's
//! `rpc_v2::json_writer` (big numbers as strings).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{host_prefix, ProtocolGenerator, Role};
use crate::emit::common::ident;
use crate::emit::{cbor, json};
use crate::error::{CodegenError, Result};
use crate::ir::{Example, HttpBinding, Location, Operation, RType, Service, Struct, TypeDef};
use crate::model::{Member, Shape, TimestampFormat};
use crate::names;

/// `smithy.protocols#rpcv2Cbor`.
pub const RPC_V2_CBOR: &str = "smithy.protocols#rpcv2Cbor";
/// `smithy.protocols#rpcv2Json`.
pub const RPC_V2_JSON: &str = "smithy.protocols#rpcv2Json";

/// The body format of an RPC v2 protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// rpcv2Cbor.
    Cbor,
    /// rpcv2Json.
    Json,
}

/// The RPC v2 generator.
pub struct RpcV2 {
    /// Its body format.
    pub format: Format,
}

/// Checks what the runtime can honour of the protocol trait of `service`: its `http` list
/// (the HTTP versions the service speaks, offered by ALPN in that order) must include
/// `http/1.1`, the one version the runtime's transport speaks (its ALPN offers only that).
pub fn check_service(service: &Shape, trait_id: &str) -> Result<()> {
    let Some(value) = service.traits.get(trait_id) else {
        return Ok(());
    };
    let Some(list) = value.get("http").and_then(|v| v.as_array()) else {
        return Ok(());
    };
    let versions: Vec<&str> = list.iter().filter_map(|v| v.as_str()).collect();
    if versions.is_empty() || versions.contains(&"http/1.1") {
        return Ok(());
    }
    Err(CodegenError::shape(
        &service.id,
        format!(
            "{trait_id} lists the HTTP versions [{}]: the runtime speaks HTTP/1.1 only (its ALPN offers http/1.1), so this service cannot be called",
            versions.join(", ")
        ),
    ))
}

impl ProtocolGenerator for RpcV2 {
    fn location(&self, _role: Role, _member_id: &str, _member: &Member) -> Result<Location> {
        Ok(Location::Body)
    }

    fn wire_name(&self, _member_id: &str, member: &Member) -> Result<String> {
        Ok(member.name.clone())
    }

    fn default_timestamp_format(&self, _location: &Location) -> TimestampFormat {
        TimestampFormat::EpochSeconds
    }

    fn http(&self, _op: &Shape, _input: &Struct) -> Result<HttpBinding> {
        // `POST`, 200; the path names the service, which `ser_request` writes.
        Ok(HttpBinding::rpc())
    }

    fn runtime_protocol(&self) -> TokenStream {
        match self.format {
            Format::Cbor => quote!(&::awsrt::protocol::rpc_v2::RPC_V2_CBOR),
            Format::Json => quote!(&::awsrt::protocol::rpc_v2::RPC_V2_JSON),
        }
    }

    fn decode_error(&self) -> TokenStream {
        match self.format {
            Format::Cbor => quote!(::awsrt::cbor::CborError),
            Format::Json => quote!(::awsrt::json::JsonError),
        }
    }

    fn operation_items(&self, svc: &Service, op: &Operation) -> TokenStream {
        let input = ident(&op.types.input);
        let output = ident(&op.types.output);
        let error = ident(&op.types.error);
        let path = format!("/service/{}/operation/{}", svc.shape_name, op.name);
        let no_input = op.input.shape == crate::prelude::UNIT;
        let (ser, de, writer, request, response, media) = match self.format {
            Format::Cbor => (
                cbor::ser_struct(
                    &op.input,
                    &format_ident!("ser_input"),
                    quote!(#input),
                    quote!(pub(crate)),
                    true,
                ),
                cbor::de_struct(
                    &op.output,
                    &format_ident!("de_output"),
                    quote!(#output),
                    quote!(pub(crate)),
                ),
                quote!(::awsrt::cbor::CborWriter::new()),
                quote!(::awsrt::protocol::rpc_v2::cbor_request),
                quote!(::awsrt::protocol::rpc_v2::cbor_response),
                "CBOR",
            ),
            Format::Json => (
                json::ser_struct(
                    &json_shape(&op.input, false),
                    &format_ident!("ser_input"),
                    quote!(#input),
                    quote!(pub(crate)),
                ),
                json::de_struct(
                    &json_shape(&op.output, false),
                    &format_ident!("de_output"),
                    quote!(#output),
                    quote!(pub(crate)),
                ),
                quote!(::awsrt::protocol::rpc_v2::json_writer()),
                quote!(::awsrt::protocol::rpc_v2::json_request),
                quote!(::awsrt::protocol::json_response),
                "JSON",
            ),
        };
        let (prefix_checks, with_prefix) = host_prefix(op);
        let allow = super::allow_unused(op);
        let (ser_doc, body, ser) = if no_input {
            (
                format!("The request of `{}`: `POST {path}`, no body.", op.name),
                quote!(let _ = input; let body = None;),
                TokenStream::new(),
            )
        } else {
            (
                format!(
                    "The request of `{}`: `POST {path}`, the input as {media}.",
                    op.name
                ),
                quote! {
                    let mut w = #writer;
                    ser_input(&mut w, input);
                    let body = Some(w.finish());
                },
                ser,
            )
        };
        let ser_doc = crate::emit::common::doc(&ser_doc);
        let parse_doc = crate::emit::common::doc(&format!(
            "Reads the reply: the output from a 2xx {media} body, else the operation's error."
        ));
        quote! {
            #ser_doc
            #allow
            #[inline] pub(crate) fn ser_request(input: &#input) -> Result<::awsrt::client::Request, ::awsrt::error::BuildError> {
                #prefix_checks
                #body
                let request = #request(#path, body);
                Ok(request #with_prefix)
            }
            #parse_doc
            #allow
            #[inline] pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                #response(reply, de_output, #error::from_response)
            }
            #ser
            #de
        }
    }

    fn error_from_response(&self, svc: &Service, op: &Operation) -> TokenStream {
        match self.format {
            Format::Json => super::aws_json::json_error_dispatch(svc, op),
            Format::Cbor => cbor_error_dispatch(op),
        }
    }

    fn type_codec_names(&self, svc: &Service, name: &str, def: &TypeDef) -> Vec<String> {
        match self.format {
            Format::Cbor => cbor::codec_names(svc, name, def),
            Format::Json => json::codec_names(svc, name, def),
        }
    }

    fn type_codecs(&self, svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
        match self.format {
            Format::Cbor => cbor::codecs(svc, name, def),
            Format::Json => json_codecs(svc, name, def),
        }
    }

    fn example_checks(&self, svc: &Service, op: &Operation, ex: &Example) -> TokenStream {
        match self.format {
            Format::Json => {
                // The body holds big numbers as strings: so must the example's input.
                let mut ex = ex.clone();
                ex.input_json = big_numbers_as_strings(svc, &op.input, &ex.input_json);
                super::aws_json::json_example_checks(svc, op, &ex)
            }
            Format::Cbor => cbor_example_checks(op, ex),
        }
    }
}

/// A structure as rpcv2Json writes or reads it: every timestamp epoch seconds (the protocol
/// ignores `@timestampFormat`); when `nested` (a structure inside the body, written), members
/// with a `@default` written whatever their value, as the CBOR codec does (the JSON codec of
/// awsJson and restJson1 leaves them out at their default).
fn json_shape(s: &Struct, nested: bool) -> Struct {
    fn epoch(t: &RType) -> RType {
        match t {
            RType::Timestamp(_) => RType::Timestamp(TimestampFormat::EpochSeconds),
            RType::List(inner, sparse) => RType::List(Box::new(epoch(inner)), *sparse),
            RType::Map(inner, sparse) => RType::Map(Box::new(epoch(inner)), *sparse),
            other => other.clone(),
        }
    }
    let mut s = s.clone();
    for f in &mut s.fields {
        f.ty = epoch(&f.ty);
        if nested && !f.optional {
            f.default = None;
        }
    }
    s
}

/// The rpcv2Json codecs of a data type: the shared JSON codecs over [`json_shape`] (read with
/// the model's defaults, written with every member).
fn json_codecs(svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
    let t = ident(name);
    let mut body = TokenStream::new();
    let (ser, de) = (svc.ser.contains(name), svc.de.contains(name));
    match def {
        TypeDef::Struct(s) => {
            if ser {
                body.extend(json::ser_struct(
                    &json_shape(s, true),
                    &json::ser_fn(name),
                    quote!(#t),
                    quote!(pub(crate)),
                ));
            }
            if de {
                body.extend(json::de_struct(
                    &json_shape(s, false),
                    &json::de_fn(name),
                    quote!(#t),
                    quote!(pub(crate)),
                ));
            }
        }
        TypeDef::Union(s) => {
            if ser {
                body.extend(json::ser_union(&json_shape(s, true)));
            }
            if de {
                body.extend(json::de_union(&json_shape(s, false)));
            }
        }
        TypeDef::Enum(_) => {}
    }
    body
}

/// A structure value as the model writes it (member names), with every big integer and big
/// decimal number turned into the string of its digits, as rpcv2Json sends them.
fn big_numbers_as_strings(svc: &Service, s: &Struct, v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as Json;
    fn value(svc: &Service, ty: &RType, v: &Json) -> Json {
        match (ty, v) {
            (RType::BigInteger | RType::BigDecimal, Json::Number(n)) => Json::String(n.to_string()),
            (RType::Struct(n) | RType::Union(n), Json::Object(_)) => match svc.ty(n) {
                Some(TypeDef::Struct(s) | TypeDef::Union(s)) => big_numbers_as_strings(svc, s, v),
                _ => v.clone(),
            },
            (RType::List(inner, _), Json::Array(items)) => {
                Json::Array(items.iter().map(|i| value(svc, inner, i)).collect())
            }
            (RType::Map(inner, _), Json::Object(o)) => Json::Object(
                o.iter()
                    .map(|(k, i)| (k.clone(), value(svc, inner, i)))
                    .collect(),
            ),
            _ => v.clone(),
        }
    }
    match v {
        Json::Object(o) => Json::Object(
            o.iter()
                .map(|(k, i)| {
                    let i = match s.field(k) {
                        Some(f) => value(svc, &f.ty, i),
                        None => i.clone(),
                    };
                    (k.clone(), i)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The body of `from_response` for rpcv2Cbor: one arm per modeled error code, each reading the
/// error structure from the CBOR body.
fn cbor_error_dispatch(op: &Operation) -> TokenStream {
    let parse_arms = op.errors.iter().map(|e| {
        let v = ident(e);
        let de = format_ident!("{}", names::de_fn(e));
        quote!(#e => Self::#v(crate::types::#de(&mut r)?.with_meta(meta)),)
    });
    let reader = if op.errors.is_empty() {
        quote!(let _ = resp;)
    } else {
        quote!(let mut r = ::awsrt::cbor::CborReader::new(::awsrt::protocol::rpc_v2::cbor_body(&resp.body));)
    };
    quote! {
        #reader
        Ok(match meta.code.as_deref().unwrap_or_default() {
            #(#parse_arms)*
            _ => Self::Unhandled(::awsrt::error::Unhandled::new(meta)),
        })
    }
}

/// Example checks for rpcv2Cbor: the body is one CBOR map whose members are all in the
/// example's input (values are not compared: the example writes blobs and timestamps as JSON
/// does; members at their default are not sent), and no body for an operation without input.
fn cbor_example_checks(op: &Operation, ex: &Example) -> TokenStream {
    if op.input.shape == crate::prelude::UNIT {
        return quote!(assert!(request.body.is_empty()););
    }
    let in_json = ex.input_json.to_string();
    quote! {
        let sent = ::awsrt::cbor::CborReader::new(&request.body).document()?;
        let want = ::awsrt::types::Document::parse(#in_json.as_bytes())?;
        let keys = |d: &::awsrt::types::Document| match d {
            ::awsrt::types::Document::Object(m) => m.keys().cloned().collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        let want = keys(&want);
        for k in keys(&sent) {
            assert!(want.contains(&k), "member {k} is sent but not in the example's input");
        }
    }
}
