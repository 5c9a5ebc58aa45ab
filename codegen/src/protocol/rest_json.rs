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

use super::{host_prefix, ProtocolGenerator, Role};
use crate::emit::common::{ident, rust_type, stored_type, ts_format};
use crate::emit::json;
use crate::error::{CodegenError, Result};
use crate::ir::{
    Example, Field, HttpBinding, Location, Operation, PathSegment, RType, Service, Struct, TypeDef,
    UriTemplate,
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
        let request = request_fn(op);
        let de = de_response_fn(
            svc,
            &op.output,
            &format_ident!("de_response"),
            quote!(#output),
        );
        let parse = if op.streams_output() {
            quote! {
                /// Reads a reply whose body was read whole (fuzzing, tests) as a streaming call reads it.
                #allow
                pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
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
                pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
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
            pub(crate) fn ser_request(input: &#input) -> Result<::awsrt::client::Request, ::awsrt::error::BuildError> {
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
            out.extend(de_error_response_fn(svc, s, &f));
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

/// The name of the function reading a whole response into type `name` (for outputs and
/// errors with bound members).
fn de_response_fn_name(name: &str) -> String {
    format!("{}_response", names::de_fn(name))
}

/// The error structure `name`, when it has members bound outside the body.
fn bound_error<'a>(svc: &Service, name: &str, def: &'a TypeDef) -> Option<&'a Struct> {
    match def {
        TypeDef::Struct(s) if s.error.is_some() && !s.all_in_body() && svc.de.contains(name) => {
            Some(s)
        }
        _ => None,
    }
}

/// Whether some structure or union of the service has a member of type `name`.
fn is_member_type(svc: &Service, name: &str) -> bool {
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
fn check_bindings(owner: &str, s: &Struct) -> Result<()> {
    let scalar = |t: &RType| {
        matches!(
            t,
            RType::String
                | RType::SensitiveString
                | RType::Bool
                | RType::I8
                | RType::I16
                | RType::I32
                | RType::I64
                | RType::F32
                | RType::F64
                | RType::Timestamp(_)
                | RType::Enum(_)
                | RType::IntEnum(_)
        )
    };
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
                format!("restJson1 cannot bind a {:?} to {:?}", f.ty, f.location),
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
fn request_fn(op: &Operation) -> TokenStream {
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
        after.extend(payload_request(f));
    } else if input.body_fields().next().is_some() {
        after.extend(quote! {
            let mut w = ::awsrt::json::JsonWriter::new();
            ser_input_body(&mut w, input);
            request.body = w.finish().into();
            request.set_static_header("content-type", "application/json");
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

/// The statements writing a payload member as the request body, with its content type.
fn payload_request(f: &Field) -> TokenStream {
    let n = ident(&f.name);
    let media = f.media_type.clone();
    let (write, content_type) = match &f.ty {
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
        RType::Struct(_) => quote! {
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

/// A function reading a whole response (status, headers, body) into the structure `s`.
fn de_response_fn(
    _svc: &Service,
    s: &Struct,
    name: &proc_macro2::Ident,
    ty: TokenStream,
) -> TokenStream {
    let body_locals = json::de_locals_of(s.body_fields());
    let mut stmts = TokenStream::new();
    if s.body_fields().next().is_some() {
        let body = json::de_body(s);
        stmts.extend(quote! {
            let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));
            #body
            r.finish()?;
        });
    }
    for f in &s.fields {
        if f.location == Location::ResponseCode || f.ty == RType::Stream {
            continue;
        }
        let Some(read) = bound_read(f) else {
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
        (f.location == Location::ResponseCode).then(|| {
            if f.optional {
                quote!(Some(i32::from(resp.status)))
            } else {
                quote!(i32::from(resp.status))
            }
        })
    });
    let stream_arg = if s.fields.iter().any(|f| f.ty == RType::Stream) {
        quote!(, payload_stream: ::awsrt::types::ByteStream)
    } else {
        quote!()
    };

    let resp_arg = if stmts.is_empty() && !has_code {
        quote!(_resp)
    } else {
        quote!(resp)
    };
    quote! {
        pub(crate) fn #name(#resp_arg: &::awsrt::http::HttpResponse #stream_arg) -> Result<#ty, ::awsrt::json::JsonError> {
            #body_locals
            #stmts
            Ok(#construct)
        }
    }
}

/// An expression reading a member bound outside the body from the response (`Option<T>`,
/// boxed when the field is), or `None` for a body member.
fn bound_read(f: &Field) -> Option<TokenStream> {
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
        Location::Payload => payload_read(f),
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
fn de_error_response_fn(svc: &Service, s: &Struct, name: &proc_macro2::Ident) -> TokenStream {
    let t = ident(&s.name);
    let de = format_ident!("{}", names::de_fn(&s.name));
    if s.payload().is_some() {
        let f = de_response_fn(svc, s, name, quote!(#t));
        // The body-only deserializer stays for other uses (and must be used).
        return quote! {
            #f
            const _: fn(&mut ::awsrt::json::JsonReader<'_>) -> Result<#t, ::awsrt::json::JsonError> = #de;
        };
    }
    let sets = s.fields.iter().filter_map(|f| {
        let read = bound_read(f)?;
        let n = ident(&f.name);
        Some(if f.optional {
            quote!(v.#n = #read;)
        } else {
            quote!(if let Some(x) = #read { v.#n = x; })
        })
    });
    quote! {
        pub(crate) fn #name(resp: &::awsrt::http::HttpResponse) -> Result<#t, ::awsrt::json::JsonError> {
            let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));
            let mut v = #de(&mut r)?;
            r.finish()?;
            #(#sets)*
            Ok(v)
        }
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
            | RType::F64 => {
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
fn payload_read(f: &Field) -> TokenStream {
    let hb = hb();
    let empty = quote!(resp.body.iter().all(u8::is_ascii_whitespace));
    match &f.ty {
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
