//! awsJson 1.0 / 1.1: every member is in the JSON body under its member name (`@jsonName` is
//! restJson1's and "does not affect serialization" here, as the official protocol tests
//! check), timestamps default to epoch seconds, every request is `POST /` with
//! `X-Amz-Target: <service shape>.<operation>`, the error code is the body's `__type`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{host_prefix, ProtocolGenerator, Role};
use crate::emit::common::ident;
use crate::emit::json;
use crate::error::Result;
use crate::ir::{Example, HttpBinding, Location, Operation, RType, Service, Struct, TypeDef};
use crate::model::{Member, Shape, TimestampFormat};
use crate::names;

/// The awsJson generator; `version` is `1.0` or `1.1`.
pub struct AwsJson {
    /// The JSON version in `application/x-amz-json-<version>`.
    pub version: &'static str,
}

impl ProtocolGenerator for AwsJson {
    fn event_streams(&self, input: bool) -> bool {
        !input
    }

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
        Ok(HttpBinding::rpc())
    }

    fn runtime_protocol(&self) -> TokenStream {
        if self.version == "1.0" {
            quote!(&::awsrt::protocol::aws_json::AWS_JSON_1_0)
        } else {
            quote!(&::awsrt::protocol::aws_json::AWS_JSON_1_1)
        }
    }

    fn runtime_protocol_for(&self, svc: &Service) -> TokenStream {
        match (svc.query_compatible, self.version) {
            (true, "1.0") => quote!(&::awsrt::protocol::aws_json::AWS_JSON_1_0_QUERY_COMPATIBLE),
            (true, _) => quote!(&::awsrt::protocol::aws_json::AWS_JSON_1_1_QUERY_COMPATIBLE),
            (false, _) => self.runtime_protocol(),
        }
    }

    fn operation_items(&self, svc: &Service, op: &Operation) -> TokenStream {
        let input = ident(&op.types.input);
        let output = ident(&op.types.output);
        let error = ident(&op.types.error);
        let content_type = format!("application/x-amz-json-{}", self.version);
        let target = format!("{}.{}", svc.shape_name, op.name);
        let ser = json::ser_struct(
            &op.input,
            &format_ident!("ser_input"),
            quote!(#input),
            quote!(pub(crate)),
        );
        let allow = super::allow_unused(op);
        let (de, parse) = match op.output_events() {
            None => (
                json::de_struct(
                    &op.output,
                    &format_ident!("de_output"),
                    quote!(#output),
                    quote!(pub(crate)),
                ),
                quote! {
                    /// Reads the reply: the output from a 2xx JSON body, else the operation's error.
                    #allow
                    #[inline] pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                        ::awsrt::protocol::json_response(reply, de_output, #error::from_response)
                    }
                },
            ),
            Some(u) => {
                // The body is the event stream; an `initial-response` event (the other
                // members) is skipped by the receiver.
                let unmarshal = crate::emit::event_stream::unmarshal_fn(u);
                let locals = json::de_locals_of(
                    op.output
                        .fields
                        .iter()
                        .filter(|f| !matches!(f.ty, RType::EventOutput(_))),
                );
                let construct = json::de_construct_with(&op.output, &quote!(#output), |f| {
                    matches!(f.ty, RType::EventOutput(_)).then(|| {
                        let r = quote!(::awsrt::event_stream::EventReceiver::new(body, crate::event_stream::#unmarshal));
                        if f.optional { quote!(Some(#r)) } else { r }
                    })
                });
                (
                    quote! {
                        #[allow(unused_mut)]
                        fn de_streaming_output(_resp: &::awsrt::http::HttpResponse, body: ::awsrt::types::ByteStream) -> Result<#output, ::awsrt::json::JsonError> {
                            #locals
                            Ok(#construct)
                        }
                    },
                    quote! {
                        /// Reads a reply whose body was read whole (the fuzz entry points) as a streaming call reads it.
                        #[cfg(feature = "fuzzing")]
                        #[inline] pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                            parse_streaming_response(reply, ::awsrt::types::ByteStream::new(reply.body.clone()))
                        }
                        /// Reads the reply of an event-stream call: the output's stream is the body; else the operation's error.
                        pub(crate) fn parse_streaming_response(reply: &::awsrt::client::Reply, body: ::awsrt::types::ByteStream) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                            ::awsrt::protocol::streaming_response(reply, body, de_streaming_output, #error::from_response)
                        }
                    },
                )
            }
        };
        let (prefix_checks, with_prefix) = host_prefix(op);
        let query_mode = if svc.query_compatible {
            quote!(let mut request = request; request.set_static_header("x-amzn-query-mode", "true");)
        } else {
            quote!()
        };
        let ser_doc = crate::emit::common::doc(&format!(
            "The request of `{}`: `POST /`, `X-Amz-Target: {target}`, the input as JSON.",
            op.name
        ));
        quote! {
            #ser_doc
            #allow
            #[inline] pub(crate) fn ser_request(input: &#input) -> Result<::awsrt::client::Request, ::awsrt::error::BuildError> {
                #prefix_checks
                let mut w = ::awsrt::json::JsonWriter::new();
                ser_input(&mut w, input);
                let request = ::awsrt::protocol::aws_json::request(#content_type, #target, w.finish());
                #query_mode
                Ok(request #with_prefix)
            }
            #parse
            #ser
            #de
        }
    }

    fn error_from_response(&self, svc: &Service, op: &Operation) -> TokenStream {
        json_error_dispatch(svc, op)
    }

    fn type_codec_names(&self, svc: &Service, name: &str, def: &TypeDef) -> Vec<String> {
        json::codec_names(svc, name, def)
    }

    fn type_codecs(&self, svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
        json::codecs(svc, name, def)
    }

    fn example_checks(&self, svc: &Service, op: &Operation, ex: &Example) -> TokenStream {
        json_example_checks(svc, op, ex)
    }
}

/// The body of `from_response` for a JSON protocol whose errors are read from the body alone:
/// one arm per modeled error code. A query-compatible service dispatches on the JSON code
/// (`__type`), not on the metadata's code (which comes from `x-amzn-query-error`).
pub(crate) fn json_error_dispatch(svc: &Service, op: &Operation) -> TokenStream {
    let parse_arms = op.errors.iter().map(|e| {
        let v = ident(e);
        let de = format_ident!("{}", names::de_fn(e));
        quote!(#e => Self::#v(crate::types::#de(&mut r)?.with_meta(meta)),)
    });
    let reader = if op.errors.is_empty() {
        quote!(let _ = resp;)
    } else {
        quote!(let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));)
    };
    if svc.query_compatible && !op.errors.is_empty() {
        return quote! {
            #reader
            let code = ::awsrt::protocol::aws_json::json_error_code(resp);
            Ok(match code.as_deref().unwrap_or_default() {
                #(#parse_arms)*
                _ => Self::Unhandled(::awsrt::error::Unhandled::new(meta)),
            })
        };
    }
    quote! {
        #reader
        Ok(match meta.code.as_deref().unwrap_or_default() {
            #(#parse_arms)*
            _ => Self::Unhandled(::awsrt::error::Unhandled::new(meta)),
        })
    }
}

/// Example checks of a protocol whose request body is the whole input as JSON: the body equals
/// the example's input; the example's output parses into the expected output.
pub(crate) fn json_example_checks(svc: &Service, op: &Operation, ex: &Example) -> TokenStream {
    let in_json = ex.input_json.to_string();
    let output_t = ident(&op.types.output);
    let output_check = match (&ex.output, &ex.output_json) {
        (Some(fields), Some(out_json)) => {
            let out_calls =
                crate::emit::literal::setter_calls(&svc.types, &op.output.fields, fields);
            let out_build = if op.output.fallible_build() {
                quote!(.build()?)
            } else {
                quote!(.build())
            };
            let out_json = out_json.to_string();
            quote! {
                let mut r = ::awsrt::json::JsonReader::new(#out_json.as_bytes());
                let parsed = super::de_output(&mut r)?;
                let expected = #output_t::builder() #out_calls #out_build;
                assert_eq!(parsed, expected);
            }
        }
        _ => quote!(),
    };
    quote! {
        let sent = ::awsrt::types::Document::parse(&request.body)?;
        assert_eq!(sent, ::awsrt::types::Document::parse(#in_json.as_bytes())?);
        #output_check
    }
}
