//! The resolved picture the emitters need: Rust names, Rust types, where each member goes on the
//! wire, which shapes need serializers and deserializers, model examples as typed values.
//! Built once from a normalised [`Model`] ([`build`]); emitters never look at the model again
//! and never re-take a decision made here.
//!
//! What depends on the protocol (member locations, wire names, timestamp formats by location,
//! the request line) is decided by the service's [`Protocol`] generator
//! ([`crate::protocol::ProtocolGenerator`]) while the IR is built.

mod build;
pub mod discovery;
mod http;
pub mod paths;
mod sensitive;
mod value;
pub mod waiters;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use crate::auth::Auth;
use crate::error::Result;
use crate::model::{self, Deprecated, Model, ShapeId, TimestampFormat};
use crate::names;

pub use crate::names::OpTypeNames;
pub use crate::protocol::Protocol;
pub use http::{HostPart, HostPrefix, HttpBinding, PathSegment, UriTemplate};
pub use value::{big_text, Value, ValueFields};

/// A Rust type a member can have.
#[derive(Debug, Clone, PartialEq)]
pub enum RType {
    /// `String`
    String,
    /// `awsrt::types::SensitiveString`
    SensitiveString,
    /// `bool`
    Bool,
    /// `i8`
    I8,
    /// `i16`
    I16,
    /// `i32`
    I32,
    /// `i64`
    I64,
    /// `f32`
    F32,
    /// `f64`
    F64,
    /// `awsrt::types::BigInteger` (a `bigInteger`: decimal text, any size)
    BigInteger,
    /// `awsrt::types::BigDecimal` (a `bigDecimal`: decimal text, any size and precision)
    BigDecimal,
    /// `awsrt::types::Blob`
    Blob,
    /// `awsrt::types::SensitiveBlob`
    SensitiveBlob,
    /// `awsrt::types::DateTime`, with its wire format (decided by the member's location when
    /// the model gives none).
    Timestamp(TimestampFormat),
    /// `awsrt::types::Document`
    Document,
    /// A generated string enum.
    Enum(String),
    /// A generated int enum.
    IntEnum(String),
    /// A generated structure.
    Struct(String),
    /// A generated union.
    Union(String),
    /// `Vec<T>` (`Vec<Option<T>>` when sparse).
    List(Box<RType>, bool),
    /// `HashMap<String, T>` (`Option<T>` values when sparse).
    Map(Box<RType>, bool),
    /// `()`: a union member targeting `smithy.api#Unit` (`{}` on the wire).
    Unit,
    /// `awsrt::types::ByteStream`: an output's `@streaming` blob payload, handed to the user
    /// as it arrives.
    Stream,
    /// An input event stream (a member targeting a `@streaming` union, in an operation's
    /// input): `awsrt::event_stream::EventStreamSender<U>`, where `U` is the named union.
    EventInput(String),
    /// An output event stream: `awsrt::event_stream::EventReceiver<U, UError>`.
    EventOutput(String),
}

impl RType {
    /// Whether the type is a scalar an HTTP binding can carry as text: strings, booleans,
    /// numbers, timestamps and enums.
    pub fn is_scalar(&self) -> bool {
        matches!(
            self,
            RType::String
                | RType::SensitiveString
                | RType::Bool
                | RType::I8
                | RType::I16
                | RType::I32
                | RType::I64
                | RType::F32
                | RType::F64
                | RType::BigInteger
                | RType::BigDecimal
                | RType::Timestamp(_)
                | RType::Enum(_)
                | RType::IntEnum(_)
        )
    }

    /// Whether values are `Copy` (accessors return them by value).
    pub fn is_copy(&self) -> bool {
        matches!(
            self,
            RType::Bool
                | RType::I8
                | RType::I16
                | RType::I32
                | RType::I64
                | RType::F32
                | RType::F64
                | RType::Timestamp(_)
                | RType::Unit
        )
    }
}

/// Where a member of an operation's input, output or error goes on the wire (members of nested
/// structures are always [`Location::Body`]). awsJson puts everything in the body; the
/// HTTP-binding protocols follow the member's binding trait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A member of the body document.
    Body,
    /// A path label (`@httpLabel`); greedy or not is the URI template's business.
    Label,
    /// A query parameter (`@httpQuery("name")`).
    Query(String),
    /// Every entry of a map as a query parameter (`@httpQueryParams`).
    QueryParams,
    /// A header (`@httpHeader("name")`).
    Header(String),
    /// Every entry of a map as a header `<prefix><key>` (`@httpPrefixHeaders("prefix")`).
    PrefixHeaders(String),
    /// The whole body (`@httpPayload`).
    Payload,
    /// The HTTP status code of a response (`@httpResponseCode`).
    ResponseCode,
}

/// One field of a generated structure (or one variant of a union).
#[derive(Debug, Clone)]
pub struct Field {
    /// The member name in the model.
    pub member: String,
    /// The key in a JSON body (the protocol decides: awsJson uses the member name, restJson1
    /// `@jsonName` when present).
    pub wire: String,
    /// The Rust field / method name (a valid identifier, possibly `r#`-prefixed).
    pub name: String,
    /// Variant name (unions only).
    pub variant: String,
    /// Markdown docs.
    pub docs: String,
    /// The Rust type (without `Option`/`Box`).
    pub ty: RType,
    /// Where the member goes on the wire.
    pub location: Location,
    /// `@mediaType` of the member's target (headers carry such strings base64-encoded; a
    /// payload's content type).
    pub media_type: Option<String>,
    /// Whether the field is an `Option`.
    pub optional: bool,
    /// `@required` in the model.
    pub required: bool,
    /// The `@default` value, when it applies.
    pub default: Option<Json>,
    /// Boxed to break recursion.
    pub boxed: bool,
    /// Redacted in `Debug`.
    pub sensitive: bool,
    /// `@idempotencyToken`.
    pub idempotency_token: bool,
    /// `@deprecated`.
    pub deprecated: Option<Deprecated>,
    /// XML and query names (the XML protocols).
    pub xml: XmlInfo,
}

/// An XML namespace (`@xmlNamespace`): `xmlns="uri"` or `xmlns:prefix="uri"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlNamespace {
    /// The namespace URI.
    pub uri: String,
    /// The prefix it is declared with, if any.
    pub prefix: Option<String>,
}

/// How a member is named in XML documents and query forms (awsQuery, ec2Query, restXml).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct XmlInfo {
    /// The element (or attribute, or awsQuery key) name: `@xmlName`, else the member name.
    pub name: String,
    /// The ec2Query key: `@ec2QueryName`, else `@xmlName` or the member name with its first
    /// letter upper-cased.
    pub ec2_name: String,
    /// `@xmlAttribute`: an attribute of the enclosing element.
    pub attribute: bool,
    /// `@xmlFlattened`: list items (map entries) repeat the member's element without a wrapper.
    pub flattened: bool,
    /// `@xmlNamespace` on the member.
    pub namespace: Option<XmlNamespace>,
    /// The names inside a list or map value (`None` for other types).
    pub items: Option<Box<XmlItems>>,
}

/// The element names inside a list (`member`) or map (`entry` / `key` / `value`) value, from
/// `@xmlName` and `@xmlNamespace` on the collection's members.
#[derive(Debug, Clone, PartialEq)]
pub struct XmlItems {
    /// A list's item element, or a map's key element.
    pub name: String,
    /// Its namespace.
    pub namespace: Option<XmlNamespace>,
    /// A map's value element (empty for a list).
    pub value: String,
    /// Its namespace.
    pub value_namespace: Option<XmlNamespace>,
    /// The names inside a list item or map value that is itself a list or map.
    pub inner: Option<Box<XmlItems>>,
}

impl XmlItems {
    /// A list's names without `@xmlName`: `<member>`.
    pub fn list_default() -> XmlItems {
        XmlItems {
            name: "member".into(),
            namespace: None,
            value: String::new(),
            value_namespace: None,
            inner: None,
        }
    }

    /// A map's names without `@xmlName`: `<key>`, `<value>`.
    pub fn map_default() -> XmlItems {
        XmlItems {
            name: "key".into(),
            namespace: None,
            value: "value".into(),
            value_namespace: None,
            inner: None,
        }
    }
}

/// A generated structure (also used for operation inputs/outputs and errors).
#[derive(Debug, Clone)]
pub struct Struct {
    /// The shape id it comes from.
    pub shape: ShapeId,
    /// The Rust type name.
    pub name: String,
    /// Markdown docs.
    pub docs: String,
    /// Fields in model order.
    pub fields: Vec<Field>,
    /// The whole structure is `@sensitive`.
    pub sensitive: bool,
    /// `@error` information.
    pub error: Option<ErrorInfo>,
    /// `@deprecated`.
    pub deprecated: Option<Deprecated>,
    /// The structure's element name in an XML document: `@xmlName`, else the shape name.
    pub xml_name: String,
    /// `@xmlNamespace` on the structure.
    pub xml_namespace: Option<XmlNamespace>,
}

impl Struct {
    /// Whether `build()` can fail (a required member without a default).
    pub fn fallible_build(&self) -> bool {
        self.fields.iter().any(|f| {
            !f.optional
                && f.default.is_none()
                && !matches!(f.ty, RType::EventInput(_) | RType::EventOutput(_))
        })
    }

    /// The fields in the body document.
    pub fn body_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.location == Location::Body)
    }

    /// The `@httpPayload` field, if any.
    pub fn payload(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.location == Location::Payload)
    }

    /// Whether every field is in the body document (always so with awsJson).
    pub fn all_in_body(&self) -> bool {
        self.fields.iter().all(|f| f.location == Location::Body)
    }

    /// The field for the model member `member`.
    pub fn field(&self, member: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.member == member)
    }
}

/// What `@error` and friends say about an error structure.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// The error code on the wire (the shape name).
    pub code: String,
    /// `client` or `server`.
    pub fault: model::ErrorFault,
    /// `@retryable`.
    pub retryable: Option<model::Retryable>,
    /// `@httpError`.
    pub http_status: Option<u16>,
}

/// A generated enum (string or int).
#[derive(Debug, Clone)]
pub struct Enum {
    /// The shape id.
    pub shape: ShapeId,
    /// The Rust type name.
    pub name: String,
    /// Markdown docs.
    pub docs: String,
    /// The variants in model order.
    pub variants: Vec<EnumVariant>,
    /// An intEnum.
    pub int: bool,
    /// `@deprecated`.
    pub deprecated: Option<Deprecated>,
}

/// One enum variant.
#[derive(Debug, Clone)]
pub struct EnumVariant {
    /// Rust variant name.
    pub name: String,
    /// Wire value (string enums).
    pub value: String,
    /// Wire value (int enums), checked to fit an `i32`.
    pub int_value: i32,
    /// Markdown docs.
    pub docs: String,
    /// Deprecated.
    pub deprecated: bool,
}

/// A generated data type.
#[derive(Debug, Clone)]
pub enum TypeDef {
    /// A structure (errors included).
    Struct(Struct),
    /// A union: fields are its variants.
    Union(Struct),
    /// An enum.
    Enum(Enum),
}

impl TypeDef {
    /// The Rust name.
    pub fn name(&self) -> &str {
        match self {
            TypeDef::Struct(s) | TypeDef::Union(s) => &s.name,
            TypeDef::Enum(e) => &e.name,
        }
    }
}

/// `@paginated`, merged with the service's defaults and checked: the tokens are strings, the
/// items (when named) a list. Operations whose pagination cannot be driven get none.
#[derive(Debug, Clone)]
pub struct Pagination {
    /// The input field taking the continuation token.
    pub input_token: Field,
    /// The output fields leading to the next token (a path; the last one is the token).
    pub output_token: Vec<Field>,
    /// `outputToken` as written in the model (`NextToken`, `Page.Next`).
    pub output_token_path: String,
    /// The output fields leading to the items (a non-sparse list), when the model names them.
    pub items: Option<Vec<Field>>,
    /// The input field bounding the page size.
    pub page_size: Option<Field>,
}

impl Pagination {
    /// The element type of the items list, when there is one.
    pub fn item_type(&self) -> Option<&RType> {
        match &self.items.as_ref()?.last()?.ty {
            RType::List(elem, false) => Some(elem),
            _ => None,
        }
    }
}

/// One `smithy.api#examples` entry, its values typed against the input and output.
#[derive(Debug, Clone)]
pub struct Example {
    /// `title`.
    pub title: String,
    /// `documentation`, as Markdown.
    pub docs: String,
    /// The input members.
    pub input: ValueFields,
    /// The input as the model writes it (member names; what an awsJson body must equal).
    pub input_json: Json,
    /// The output members, when the example gives an output.
    pub output: Option<ValueFields>,
    /// The output as the model writes it.
    pub output_json: Option<Json>,
}

/// One `smithy.test#smokeTests` case.
#[derive(Debug, Clone)]
pub struct SmokeTest {
    /// `id`.
    pub id: String,
    /// The operation's client method.
    pub fn_name: String,
    /// The input members (`params`).
    pub params: ValueFields,
    /// `expect.success` (else a service error is expected).
    pub expect_success: bool,
    /// `vendorParams.region`, else `us-east-1`.
    pub region: String,
}

impl Operation {
    /// Whether the output's payload is a stream (the call then streams the response body).
    pub fn streams_output(&self) -> bool {
        self.output
            .fields
            .iter()
            .any(|f| matches!(f.ty, RType::Stream | RType::EventOutput(_)))
    }

    /// The union of the output's event stream, when the output is one.
    pub fn output_events(&self) -> Option<&str> {
        self.output.fields.iter().find_map(|f| match &f.ty {
            RType::EventOutput(u) => Some(u.as_str()),
            _ => None,
        })
    }

    /// The union of the input's event stream, when the input sends one.
    pub fn input_events(&self) -> Option<&str> {
        self.input.fields.iter().find_map(|f| match &f.ty {
            RType::EventInput(u) => Some(u.as_str()),
            _ => None,
        })
    }
}

/// One operation.
#[derive(Debug, Clone)]
pub struct Operation {
    /// The shape id.
    pub shape: ShapeId,
    /// The operation name (`GetSecretValue`), also the `X-Amz-Target` suffix.
    pub name: String,
    /// The client method name (`get_secret_value`).
    pub fn_name: String,
    /// The module under `operation::`.
    pub module: String,
    /// The names of its generated types.
    pub types: OpTypeNames,
    /// Markdown docs.
    pub docs: String,
    /// Input structure, named `<Op>Input`.
    pub input: Struct,
    /// Output structure, named `<Op>Output`.
    pub output: Struct,
    /// Errors, as type names of error structures.
    pub errors: Vec<String>,
    /// How to page through the operation's results.
    pub pagination: Option<Pagination>,
    /// `smithy.api#examples` that could be typed (the others are in [`Service::notes`]).
    pub examples: Vec<Example>,
    /// `@deprecated`.
    pub deprecated: Option<Deprecated>,
    /// The operation does not require authentication (`@optionalAuth` or `@auth([])`).
    pub optional_auth: bool,
    /// How the operation's requests are authenticated (see [`crate::auth`]).
    pub auth: Auth,
    /// `smithy.api#endpoint` host prefix, parsed and checked against the input.
    pub host_prefix: Option<HostPrefix>,
    /// The request line (method, URI template) and success status.
    pub http: HttpBinding,
    /// Why the operation cannot be called yet (event streams), when it cannot: it still
    /// generates and compiles, its docs say so and `send()` fails with a construction error.
    pub not_callable: Option<String>,
    /// Endpoint-rule parameters the operation sets (`@contextParam`, `@staticContextParams`).
    pub endpoint_params: Vec<EndpointParam>,
    /// `@s3UnwrappedXmlOutput`: the output's one body member is the whole XML document.
    pub unwrapped_output: bool,
    /// `@httpChecksum` (or `@httpChecksumRequired`): request checksums and response validation.
    pub checksum: Option<HttpChecksum>,
    /// A 2xx response may carry an error document instead of the output (set by a service
    /// customization, [`crate::customize`]).
    pub error_in_success: bool,
    /// `@requestCompression` encodings, in the model's order of preference (empty without it).
    pub compression: Vec<String>,
    /// Error codes a body-less error response of this operation has by its status (a service
    /// customization, [`crate::customize`]); besides, a HEAD operation's modeled errors with a
    /// unique `@httpError` are found by status.
    pub status_errors: Vec<(u16, String)>,
    /// `aws.api#clientDiscoveredEndpoint`: the operation's requests go to an endpoint the
    /// service's discovery operation names ([`Service::endpoint_discovery`]).
    pub endpoint_discovery: Option<discovery::OperationDiscovery>,
}

/// What an operation's `@httpChecksum` asks of the client.
#[derive(Debug, Clone, PartialEq)]
pub struct HttpChecksum {
    /// The input field naming the request algorithm (`requestAlgorithmMember`), whether it is
    /// an `Option`, and the header it is bound to.
    pub algorithm_field: Option<(String, bool, Option<String>)>,
    /// `requestChecksumRequired` (or `@httpChecksumRequired`).
    pub required: bool,
    /// The input field enabling response validation (`requestValidationModeMember`) and
    /// whether it is an `Option`.
    pub validation_field: Option<(String, bool)>,
    /// `responseAlgorithms`.
    pub response_algorithms: Vec<String>,
}

/// An endpoint-rule parameter set by an operation.
#[derive(Debug, Clone, PartialEq)]
pub enum EndpointParam {
    /// `@contextParam(name)` on an input member: the member's value (a string or boolean).
    Member {
        /// The rule-set parameter.
        param: String,
        /// The input field (its Rust name).
        field: String,
        /// Its type.
        ty: RType,
        /// Whether the field is an `Option`.
        optional: bool,
    },
    /// `@staticContextParams` on the operation: a fixed value.
    Static {
        /// The rule-set parameter.
        param: String,
        /// The value (a string, boolean or list of strings).
        value: Json,
    },
}

/// A `@streaming` union: its events are the union's variants (the [`TypeDef::Union`] of the
/// same name keeps only those); its modeled errors (members targeting `@error` structures)
/// become the variants of the stream's error enum `<Union>Error`.
#[derive(Debug, Clone)]
pub struct EventStream {
    /// The union's type name.
    pub union: String,
    /// The error members: variant name, error structure type name and member name (the
    /// `:exception-type` on the wire).
    pub errors: Vec<(String, String, String)>,
    /// Sent by an operation's input.
    pub sent: bool,
    /// Received in an operation's output.
    pub received: bool,
}

impl EventStream {
    /// The name of the stream's error enum.
    pub fn error_name(&self) -> String {
        format!("{}Error", self.union)
    }
}

/// Everything the emitters need for one service.
#[derive(Debug, Clone)]
pub struct Service {
    /// The service shape id.
    pub shape: ShapeId,
    /// The service shape's name (`secretsmanager`): the awsJson `X-Amz-Target` prefix.
    pub shape_name: String,
    /// The crate name.
    pub crate_name: String,
    /// The service name used in docs (`smithy.api#title` or the shape name).
    pub title: String,
    /// Markdown docs.
    pub docs: String,
    /// API version.
    pub version: String,
    /// `aws.api#service` sdkId; `None` for a service that is not an AWS service (it then has no
    /// service-specific endpoint variable).
    pub sdk_id: Option<String>,
    /// The `aws.auth#sigv4` signing name, when some operation signs with SigV4.
    pub signing_name: Option<String>,
    /// How operations are authenticated unless they say otherwise: SigV4 when there is a
    /// signing name, else unsigned (what the runtime's `ServiceInfo::auth` gives). An operation
    /// whose [`Operation::auth`] differs passes its own to the runtime.
    pub auth: Auth,
    /// Protocol.
    pub protocol: Protocol,
    /// The endpoint rule set, serialized as JSON (empty when absent).
    pub endpoint_rules: String,
    /// `smithy.rules#endpointTests` test cases (raw).
    pub endpoint_tests: Vec<Json>,
    /// `smithy.test#smokeTests` of all operations that could be typed.
    pub smoke_tests: Vec<SmokeTest>,
    /// Operations in shape id order.
    pub operations: Vec<Operation>,
    /// Data types by Rust name (structures, unions, enums, errors).
    pub types: BTreeMap<String, TypeDef>,
    /// Type names that need a serializer.
    pub ser: BTreeSet<String>,
    /// Type names that need a deserializer.
    pub de: BTreeSet<String>,
    /// What the generator left out, one line each naming the shape and the reason (examples
    /// or smoke tests whose values do not fit the model). Printed by `cargo xtask codegen`.
    pub notes: Vec<String>,
    /// `@xmlNamespace` of the service (the root element of restXml request bodies).
    pub xml_namespace: Option<XmlNamespace>,
    /// `@awsQueryCompatible`: an awsJson service that used to speak awsQuery (its requests say
    /// `x-amzn-query-mode: true`; error codes come from `x-amzn-query-error`).
    pub query_compatible: bool,
    /// The protocol trait's `eventStreamHttp` (else `http`) lists only `h2`: event streams go
    /// over HTTP/2.
    pub event_stream_http2: bool,
    /// The waiters of its operations (`smithy.waiters#waitable`), sorted by name.
    pub waiters: Vec<waiters::Waiter>,
    /// `aws.api#clientEndpointDiscovery`: how the service's endpoints are discovered.
    pub endpoint_discovery: Option<discovery::ServiceDiscovery>,
    /// The event streams (`@streaming` unions) the operations send or receive, by union type
    /// name.
    pub event_streams: BTreeMap<String, EventStream>,
}

impl Service {
    /// The service's sdkId as the suffix of its environment variables (`Secrets Manager` →
    /// `SECRETS_MANAGER`), when it has one.
    pub fn env_suffix(&self) -> Option<String> {
        let id = self
            .sdk_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())?;
        Some(
            id.chars()
                .map(|ch| match ch {
                    ' ' | '-' => '_',
                    ch => ch.to_ascii_uppercase(),
                })
                .collect(),
        )
    }

    /// Looks up a type definition by Rust name.
    pub fn ty(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
    }

    /// The error structure named `name`.
    pub fn error_struct(&self, name: &str) -> Option<&Struct> {
        match self.types.get(name) {
            Some(TypeDef::Struct(s)) if s.error.is_some() => Some(s),
            _ => None,
        }
    }

    /// The paginated operation the quick start shows: one that needs no input, a `List...`
    /// one first.
    pub fn quick_start_paginated(&self) -> Option<&Operation> {
        self.operations
            .iter()
            .filter(|o| !o.input.fallible_build() && o.pagination.is_some())
            .min_by_key(|o| !o.name.starts_with("List"))
    }
}

/// The default crate name for the service `service_id` (or the model's only service): from
/// its sdkId, else from its shape name ([`names::crate_name`]).
pub fn default_crate_name(model: &Model, service_id: Option<&str>) -> Result<String> {
    let svc = model.service(service_id)?;
    let sdk_id = svc.traits.aws_service(&svc.id)?.map(|a| a.sdk_id);
    Ok(names::crate_name(sdk_id.as_deref(), svc.name()))
}

/// Builds the IR for the service `service_id` (or the model's only service).
pub fn build(model: Model, service_id: Option<&str>, crate_name: &str) -> Result<Service> {
    let sid = model.service(service_id)?.id.clone();
    let model = crate::transform::normalize(model, &sid)?;
    let mut svc = build::Builder::new(&model, &sid)?.service(crate_name)?;
    crate::customize::apply(&mut svc);
    svc.waiters = waiters::build(&model, &svc)?;
    discovery::apply(&model, &mut svc)?;
    if let Some((shape, reason)) = crate::emit::features::name_clash(&svc) {
        return Err(crate::error::CodegenError::shape(shape, reason));
    }
    Ok(svc)
}
