//! One module per wire protocol, each owning everything protocol-specific the generator does:
//!
//! * while the IR is built ([`crate::ir`]): where each member goes on the wire
//!   ([`ProtocolGenerator::location`]), its wire name, the timestamp format of each location,
//!   the request line;
//! * while code is emitted ([`crate::emit`]): the request each operation builds
//!   (`ser_request`), how its reply is read (`parse_response`), how its errors are dispatched,
//!   the codecs of the data types, and the example tests' request checks.
//!
//! Everything else (types, builders, fluent builders, paginators, the blocking facade, docs) is
//! the same for every protocol. To add a protocol: a variant of [`Protocol`] chosen from the
//! service's trait in [`Protocol::of_service`], a module implementing [`ProtocolGenerator`], and a
//! `awsrt::protocol::<name>` module in the runtime with its `Protocol` static (error metadata)
//! and the helpers its generated code calls. See `docs/ARCHITECTURE.md`.

pub mod aws_json;
pub mod aws_query;
pub mod rest_json;
pub mod rest_xml;
pub mod rpc_v2;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::emit::common::ident;

use crate::error::{CodegenError, Result};
use crate::ir::{Example, HttpBinding, Location, Operation, Service, Struct, TypeDef};
use crate::model::{ids, Member, Shape, TimestampFormat};

/// The wire protocol of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `aws.protocols#awsJson1_0`
    AwsJson10,
    /// `aws.protocols#awsJson1_1`
    AwsJson11,
    /// `aws.protocols#restJson1`
    RestJson1,
    /// `aws.protocols#restXml`
    RestXml,
    /// `aws.protocols#awsQuery`
    AwsQuery,
    /// `aws.protocols#ec2Query`
    Ec2Query,
    /// `smithy.protocols#rpcv2Cbor`
    RpcV2Cbor,
    /// `smithy.protocols#rpcv2Json`
    RpcV2Json,
}

impl Protocol {
    /// The protocol of a service shape: the first supported protocol trait it carries
    /// (restJson1, awsJson 1.1, then 1.0); a service with none is refused, naming the protocols
    /// it has.
    pub fn of_service(service: &Shape) -> Result<Protocol> {
        let t = &service.traits;
        if t.has(ids::REST_JSON_1) {
            return Ok(Protocol::RestJson1);
        }
        if t.has(ids::AWS_JSON_1_1) {
            return Ok(Protocol::AwsJson11);
        }
        if t.has(ids::AWS_JSON_1_0) {
            return Ok(Protocol::AwsJson10);
        }
        if t.has(ids::REST_XML) {
            return Ok(Protocol::RestXml);
        }
        if t.has(ids::AWS_QUERY) {
            return Ok(Protocol::AwsQuery);
        }
        if t.has(ids::EC2_QUERY) {
            return Ok(Protocol::Ec2Query);
        }
        if t.has(rpc_v2::RPC_V2_CBOR) {
            rpc_v2::check_service(service, rpc_v2::RPC_V2_CBOR)?;
            return Ok(Protocol::RpcV2Cbor);
        }
        if t.has(rpc_v2::RPC_V2_JSON) {
            rpc_v2::check_service(service, rpc_v2::RPC_V2_JSON)?;
            return Ok(Protocol::RpcV2Json);
        }
        let found: Vec<&str> =
            t.0.keys()
                .filter(|k| k.starts_with("aws.protocols#") || k.starts_with("smithy.protocols#"))
                .map(String::as_str)
                .collect();
        Err(CodegenError::shape(
            &service.id,
            format!(
                "no supported protocol: the generator handles aws.protocols#restJson1, awsJson1_0, awsJson1_1, restXml, awsQuery and ec2Query, the service has {}",
                if found.is_empty() {
                    "none".to_string()
                } else {
                    found.join(", ")
                }
            ),
        ))
    }

    /// The protocol's trait id.
    pub fn trait_id(self) -> &'static str {
        match self {
            Protocol::AwsJson10 => ids::AWS_JSON_1_0,
            Protocol::AwsJson11 => ids::AWS_JSON_1_1,
            Protocol::RestJson1 => ids::REST_JSON_1,
            Protocol::RestXml => ids::REST_XML,
            Protocol::AwsQuery => ids::AWS_QUERY,
            Protocol::Ec2Query => ids::EC2_QUERY,
            Protocol::RpcV2Cbor => rpc_v2::RPC_V2_CBOR,
            Protocol::RpcV2Json => rpc_v2::RPC_V2_JSON,
        }
    }

    /// The JSON version in awsJson's `application/x-amz-json-<v>` (`None` for other protocols).
    pub fn json_version(self) -> Option<&'static str> {
        match self {
            Protocol::AwsJson10 => Some("1.0"),
            Protocol::AwsJson11 => Some("1.1"),
            _ => None,
        }
    }

    /// The protocol's generator.
    pub fn generator(self) -> &'static dyn ProtocolGenerator {
        match self {
            Protocol::AwsJson10 => &aws_json::AwsJson { version: "1.0" },
            Protocol::AwsJson11 => &aws_json::AwsJson { version: "1.1" },
            Protocol::RestJson1 => &rest_json::RestJson,
            Protocol::RestXml => &rest_xml::RestXml,
            Protocol::AwsQuery => &aws_query::AwsQuery { ec2: false },
            Protocol::Ec2Query => &aws_query::AwsQuery { ec2: true },
            Protocol::RpcV2Cbor => &rpc_v2::RpcV2 {
                format: rpc_v2::Format::Cbor,
            },
            Protocol::RpcV2Json => &rpc_v2::RpcV2 {
                format: rpc_v2::Format::Json,
            },
        }
    }
}

/// What a structure is to the operation that uses it: the HTTP bindings of its members apply
/// to operation inputs, outputs and errors only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An operation's input.
    Input,
    /// An operation's output.
    Output,
    /// An error structure.
    Error,
    /// Any other structure, a union, a list or map member: always in the body.
    Nested,
}

/// The protocol-specific half of the generator. One implementation per protocol.
pub trait ProtocolGenerator: Sync {
    // Decisions, taken while the IR is built.

    /// Where member `member` (id `member_id`) of a structure in role `role` goes.
    fn location(&self, role: Role, member_id: &str, member: &Member) -> Result<Location>;

    /// The key of a member in a JSON (or other) body.
    fn wire_name(&self, member_id: &str, member: &Member) -> Result<String>;

    /// The timestamp format of a member at `location` whose model gives none.
    fn default_timestamp_format(&self, location: &Location) -> TimestampFormat;

    /// The request line of operation `op` whose input is `input`, checked against it.
    fn http(&self, op: &Shape, input: &Struct) -> Result<HttpBinding>;

    /// Checks what the protocol cannot carry in an operation's output or in an error
    /// structure (e.g. two payload members).
    fn check_response(&self, _owner: &str, _s: &Struct) -> Result<()> {
        Ok(())
    }

    // Emission.

    /// The runtime's `Protocol` static for `ServiceInfo::protocol`.
    fn runtime_protocol(&self) -> TokenStream;

    /// The runtime's `Protocol` static for service `svc` (a variant of the protocol the
    /// service's traits ask for, e.g. awsJson with `@awsQueryCompatible`).
    fn runtime_protocol_for(&self, _svc: &Service) -> TokenStream {
        self.runtime_protocol()
    }

    /// The error type of the protocol's body readers (`from_response` returns it).
    fn decode_error(&self) -> TokenStream {
        quote!(::awsrt::json::JsonError)
    }

    /// Items of an operation module: `ser_request(&Input) -> Result<Request, BuildError>`,
    /// `parse_response(&Reply) -> Result<Output, SdkError<Error>>` and whatever they need.
    fn operation_items(&self, svc: &Service, op: &Operation) -> TokenStream;

    /// Whether operations can send (`input`) or receive event streams over this protocol
    /// (else they are generated but not callable).
    fn event_streams(&self, _input: bool) -> bool {
        false
    }

    /// The body of `Error::from_response(resp, meta) -> Result<Error, JsonError>` of the
    /// operation's error enum, which builds the modeled error named by `meta.code` (the error
    /// enum's variants are named after the error types).
    fn error_from_response(&self, svc: &Service, op: &Operation) -> TokenStream;

    /// The names of the codec functions of a data type (re-exported by `types/mod.rs`).
    fn type_codec_names(&self, svc: &Service, name: &str, def: &TypeDef) -> Vec<String>;

    /// The codec functions of a data type, emitted in its file.
    fn type_codecs(&self, svc: &Service, name: &str, def: &TypeDef) -> TokenStream;

    /// Statements of an example test checking the request `request` built from the example's
    /// input and, when the example has an output, reading it (`?` on errors).
    fn example_checks(&self, svc: &Service, op: &Operation, ex: &Example) -> TokenStream;
}

/// `#[allow(dead_code)]` for the request and response functions of an operation that is not
/// callable (its `send()` does not use them).
pub(crate) fn allow_unused(op: &Operation) -> TokenStream {
    if op.not_callable.is_some() {
        quote!(#[allow(dead_code)])
    } else {
        TokenStream::new()
    }
}

/// The statements checking the host labels of an operation with a host prefix, and the
/// `.with_host_prefix(..)` call that sets it.
pub(crate) fn host_prefix(op: &Operation) -> (TokenStream, TokenStream) {
    let Some(prefix) = &op.host_prefix else {
        return (TokenStream::new(), TokenStream::new());
    };
    let mut checks = TokenStream::new();
    let mut fmt = String::new();
    let mut args = Vec::new();
    for part in &prefix.parts {
        match part {
            crate::ir::HostPart::Literal(l) => {
                fmt.push_str(&l.replace('{', "{{").replace('}', "}}"))
            }
            crate::ir::HostPart::Label(member) => {
                let Some(f) = op.input.field(member) else {
                    continue;
                };
                let n = ident(&f.name);
                let value = if f.optional {
                    quote!(input.#n.as_deref().unwrap_or_default())
                } else {
                    quote!(input.#n.as_str())
                };
                let var = format_ident!("label_{}", args.len());
                checks.extend(quote! {
                    let #var = #value;
                    ::awsrt::protocol::check_host_label(#member, #var)?;
                });
                args.push(var);
                fmt.push_str("{}");
            }
        }
    }
    (checks, quote!(.with_host_prefix(format!(#fmt #(, #args)*))))
}
