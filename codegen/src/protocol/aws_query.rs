//! awsQuery and ec2Query: every member is a form field of a `POST /` body
//! (`Action=<operation>&Version=<service version>&...`, see [`crate::emit::query`]), the
//! response is XML (see [`crate::emit::xml`]); timestamps default to date-time everywhere.
//! awsQuery reads the output from `<OpResponse><OpResult>` and error codes from
//! `<ErrorResponse><Error><Code>` (an `@awsQueryError` code when the error has one); ec2Query
//! reads the output's members directly under the root and errors from
//! `<Response><Errors><Error>`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{host_prefix, ProtocolGenerator, Role};
use crate::emit::common::ident;
use crate::emit::query::{self, QueryStyle};
use crate::emit::xml;
use crate::error::Result;
use crate::ir::{Example, HttpBinding, Location, Operation, Service, Struct, TypeDef};
use crate::model::{Member, Shape, TimestampFormat};
use crate::names;

/// The query generator; `ec2` selects ec2Query's rules.
pub struct AwsQuery {
    /// ec2Query rather than awsQuery.
    pub ec2: bool,
}

impl AwsQuery {
    fn style(&self) -> QueryStyle {
        if self.ec2 {
            QueryStyle::Ec2
        } else {
            QueryStyle::Aws
        }
    }
}

impl ProtocolGenerator for AwsQuery {
    fn location(&self, _role: Role, _member_id: &str, _member: &Member) -> Result<Location> {
        Ok(Location::Body)
    }

    fn wire_name(&self, _member_id: &str, member: &Member) -> Result<String> {
        Ok(member.name.clone())
    }

    fn default_timestamp_format(&self, _location: &Location) -> TimestampFormat {
        TimestampFormat::DateTime
    }

    fn http(&self, _op: &Shape, _input: &Struct) -> Result<HttpBinding> {
        Ok(HttpBinding::rpc())
    }

    fn runtime_protocol(&self) -> TokenStream {
        if self.ec2 {
            quote!(&::awsrt::protocol::aws_query::EC2_QUERY)
        } else {
            quote!(&::awsrt::protocol::aws_query::AWS_QUERY)
        }
    }

    fn decode_error(&self) -> TokenStream {
        quote!(::awsrt::xml::XmlError)
    }

    fn operation_items(&self, svc: &Service, op: &Operation) -> TokenStream {
        let input = ident(&op.types.input);
        let output = ident(&op.types.output);
        let error = ident(&op.types.error);
        let action = &op.name;
        let version = &svc.version;
        let ser = query::ser_struct(
            &op.input,
            &format_ident!("ser_input"),
            quote!(#input),
            quote!(pub(crate)),
            self.style(),
        );
        let de = xml::de_struct(
            &op.output,
            &format_ident!("de_output"),
            quote!(#output),
            quote!(pub(crate)),
        );
        let (prefix_checks, with_prefix) = host_prefix(op);
        let allow = super::allow_unused(op);
        let ser_doc = crate::emit::common::doc(&format!(
            "The request of `{}`: `POST /` with the form body `Action={action}&Version={version}&...`.",
            op.name
        ));
        let parse = if self.ec2 {
            quote!(::awsrt::protocol::aws_query::ec2_response(reply, de_output, #error::from_response))
        } else {
            let result = format!("{}Result", op.name);
            quote!(::awsrt::protocol::aws_query::response(reply, #result, de_output, #error::from_response))
        };
        quote! {
            #ser_doc
            #allow
            #[inline] pub(crate) fn ser_request(input: &#input) -> Result<::awsrt::client::Request, ::awsrt::error::BuildError> {
                #prefix_checks
                let mut w = ::awsrt::xml::QueryWriter::new(#action, #version);
                ser_input(&mut w, "", input);
                let request = ::awsrt::protocol::aws_query::request(w.finish());
                Ok(request #with_prefix)
            }
            /// Reads the reply: the output from a 2xx XML body, else the operation's error.
            #allow
            #[inline] pub(crate) fn parse_response(reply: &::awsrt::client::Reply) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                #parse
            }
            #ser
            #de
        }
    }

    fn error_from_response(&self, svc: &Service, op: &Operation) -> TokenStream {
        let element = if self.ec2 {
            quote!(::awsrt::protocol::aws_query::ec2_error_element)
        } else {
            quote!(::awsrt::protocol::aws_query::error_element)
        };
        xml_error_dispatch(svc, op, element)
    }

    fn type_codec_names(&self, svc: &Service, name: &str, def: &TypeDef) -> Vec<String> {
        let mut out = query::codec_names(svc, name, def);
        out.extend(xml::codec_names(svc, name, def, false));
        out
    }

    fn type_codecs(&self, svc: &Service, name: &str, def: &TypeDef) -> TokenStream {
        let mut out = query::codecs(svc, name, def, self.style());
        out.extend(xml::codecs(svc, name, def, false));
        out
    }

    fn example_checks(&self, _svc: &Service, _op: &Operation, _ex: &Example) -> TokenStream {
        // The example's input builds a request (checked by the caller); its values are not
        // compared field by field in the form body.
        quote!(let _ = &request;)
    }
}

/// The body of `from_response` for an XML protocol whose error members are all in the body:
/// the `<Error>` element found by `element`, one arm per modeled error code.
pub(crate) fn xml_error_dispatch(
    svc: &Service,
    op: &Operation,
    element: TokenStream,
) -> TokenStream {
    let arms = op.errors.iter().map(|e| {
        let v = ident(e);
        let de = format_ident!("{}", names::de_fn(e));
        let code = svc
            .error_struct(e)
            .and_then(|s| s.error.as_ref())
            .map(|i| i.code.clone())
            .unwrap_or_else(|| e.clone());
        quote!(#code => Self::#v(crate::types::#de(n)?.with_meta(meta)),)
    });
    if op.errors.is_empty() {
        return quote! {
            let _ = resp;
            Ok(Self::Unhandled(::awsrt::error::Unhandled::new(meta)))
        };
    }
    quote! {
        let doc = ::awsrt::xml::XmlDoc::parse(&resp.body)?;
        let n = #element(&doc)?;
        Ok(match meta.code.as_deref().unwrap_or_default() {
            #(#arms)*
            _ => Self::Unhandled(::awsrt::error::Unhandled::new(meta)),
        })
    }
}
