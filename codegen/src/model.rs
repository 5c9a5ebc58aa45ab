//! The Smithy 2.0 JSON AST, read into typed Rust values.
//!
//! Nothing in this module knows about Rust code generation: it parses, validates the structure of
//! the document, and gives typed access to the traits the generator understands. Unknown traits
//! are kept as raw JSON. Every failure names the shape and the reason.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::error::{CodegenError, Result};

/// An absolute shape id such as `com.amazonaws.secretsmanager#GetSecretValue`.
pub type ShapeId = String;

/// The kind of a shape, with the kind-specific parts.
#[derive(Debug, Clone, PartialEq)]
pub enum ShapeKind {
    /// `blob`
    Blob,
    /// `boolean`
    Boolean,
    /// `string`
    String,
    /// `byte`
    Byte,
    /// `short`
    Short,
    /// `integer`
    Integer,
    /// `long`
    Long,
    /// `float`
    Float,
    /// `double`
    Double,
    /// `bigInteger`
    BigInteger,
    /// `bigDecimal`
    BigDecimal,
    /// `timestamp`
    Timestamp,
    /// `document`
    Document,
    /// `enum` (members carry `smithy.api#enumValue` strings)
    Enum,
    /// `intEnum` (members carry `smithy.api#enumValue` integers)
    IntEnum,
    /// `list` (one member named `member`)
    List,
    /// `map` (members `key` and `value`)
    Map,
    /// `structure`
    Structure,
    /// `union`
    Union,
    /// `service`
    Service(Service),
    /// `operation`
    Operation(Operation),
    /// `resource`
    Resource(Resource),
}

impl ShapeKind {
    /// The JSON AST name of the kind.
    pub fn name(&self) -> &'static str {
        match self {
            ShapeKind::Blob => "blob",
            ShapeKind::Boolean => "boolean",
            ShapeKind::String => "string",
            ShapeKind::Byte => "byte",
            ShapeKind::Short => "short",
            ShapeKind::Integer => "integer",
            ShapeKind::Long => "long",
            ShapeKind::Float => "float",
            ShapeKind::Double => "double",
            ShapeKind::BigInteger => "bigInteger",
            ShapeKind::BigDecimal => "bigDecimal",
            ShapeKind::Timestamp => "timestamp",
            ShapeKind::Document => "document",
            ShapeKind::Enum => "enum",
            ShapeKind::IntEnum => "intEnum",
            ShapeKind::List => "list",
            ShapeKind::Map => "map",
            ShapeKind::Structure => "structure",
            ShapeKind::Union => "union",
            ShapeKind::Service(_) => "service",
            ShapeKind::Operation(_) => "operation",
            ShapeKind::Resource(_) => "resource",
        }
    }
}

/// A service shape's own properties.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Service {
    /// `version`
    pub version: String,
    /// Operations bound directly to the service.
    pub operations: Vec<ShapeId>,
    /// Resources bound to the service.
    pub resources: Vec<ShapeId>,
    /// Errors every operation of the service can return.
    pub errors: Vec<ShapeId>,
    /// Shape renames in the service closure (`shape id -> new name`).
    pub rename: BTreeMap<ShapeId, String>,
}

/// An operation shape's own properties.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Operation {
    /// Input structure (`smithy.api#Unit` when absent).
    pub input: Option<ShapeId>,
    /// Output structure (`smithy.api#Unit` when absent).
    pub output: Option<ShapeId>,
    /// Modeled errors.
    pub errors: Vec<ShapeId>,
}

/// A resource shape's own properties (only what matters for finding operations).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Resource {
    /// Lifecycle and other operations bound to the resource, in the order the spec lists them.
    pub operations: Vec<ShapeId>,
    /// Child resources.
    pub resources: Vec<ShapeId>,
}

/// A member of a structure, union, list, map, enum or intEnum.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    /// The member name as written in the model.
    pub name: String,
    /// The target shape id.
    pub target: ShapeId,
    /// Traits applied to the member.
    pub traits: Traits,
}

/// One shape of the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Shape {
    /// The shape id.
    pub id: ShapeId,
    /// Kind and kind-specific data.
    pub kind: ShapeKind,
    /// Members in model order (structure, union, enum, intEnum, list `member`, map `key`/`value`).
    pub members: Vec<Member>,
    /// Mixins applied to this shape, in order.
    pub mixins: Vec<ShapeId>,
    /// Traits applied to the shape.
    pub traits: Traits,
}

impl Shape {
    /// The member with the given name.
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The name part of the shape id (after `#`).
    pub fn name(&self) -> &str {
        shape_name(&self.id)
    }
}

/// The name part of a shape id (after `#`, before `$`).
pub fn shape_name(id: &str) -> &str {
    let after = id.rsplit_once('#').map_or(id, |(_, n)| n);
    after.split_once('$').map_or(after, |(n, _)| n)
}

/// The namespace part of a shape id.
pub fn namespace(id: &str) -> &str {
    id.split_once('#').map_or("", |(ns, _)| ns)
}

/// A whole model: metadata and shapes, keyed and iterated in shape id order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Model {
    /// The `smithy` version string.
    pub smithy_version: String,
    /// Model metadata.
    pub metadata: serde_json::Map<String, Value>,
    /// All shapes, the prelude included.
    pub shapes: BTreeMap<ShapeId, Shape>,
}

impl Model {
    /// Parses a JSON AST document. `source` names the file in error messages.
    pub fn from_json(text: &str, source: &str) -> Result<Model> {
        let doc: Value = serde_json::from_str(text).map_err(|e| {
            CodegenError::model(format!(
                "{source}: malformed JSON at line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        Self::from_value(&doc, source)
    }

    /// Builds a model from an already parsed JSON AST document.
    pub fn from_value(doc: &Value, source: &str) -> Result<Model> {
        let root = doc.as_object().ok_or_else(|| {
            CodegenError::model(format!("{source}: the document is not a JSON object"))
        })?;
        let smithy_version = match root.get("smithy") {
            Some(Value::String(v)) => v.clone(),
            Some(_) => {
                return Err(CodegenError::model(format!(
                    "{source}: `smithy` must be a string"
                )))
            }
            None => {
                return Err(CodegenError::model(format!(
                    "{source}: missing the `smithy` version key"
                )))
            }
        };
        if !(smithy_version.starts_with('2') || smithy_version.starts_with("1.")) {
            return Err(CodegenError::model(format!(
                "{source}: unsupported Smithy version {smithy_version:?}"
            )));
        }
        let metadata = match root.get("metadata") {
            None => serde_json::Map::new(),
            Some(Value::Object(m)) => m.clone(),
            Some(_) => {
                return Err(CodegenError::model(format!(
                    "{source}: `metadata` must be an object"
                )))
            }
        };
        let mut model = Model {
            smithy_version,
            metadata,
            shapes: crate::prelude::shapes(),
        };
        let shapes = match root.get("shapes") {
            None => return Ok(model),
            Some(Value::Object(s)) => s,
            Some(_) => {
                return Err(CodegenError::model(format!(
                    "{source}: `shapes` must be an object"
                )))
            }
        };
        let mut applies = Vec::new();
        for (id, value) in shapes {
            if !id.contains('#') {
                return Err(CodegenError::shape(
                    id,
                    "shape ids must be absolute (`namespace#Name`)",
                ));
            }
            let obj = value
                .as_object()
                .ok_or_else(|| CodegenError::shape(id, "a shape must be a JSON object"))?;
            let ty = obj
                .get("type")
                .and_then(Value::as_str)
                .ok_or_else(|| CodegenError::shape(id, "missing string `type`"))?;
            if ty == "apply" {
                applies.push((id.clone(), parse_traits(id, obj.get("traits"))?));
                continue;
            }
            if id.contains('$') {
                return Err(CodegenError::shape(id, "a member id cannot define a shape"));
            }
            let shape = parse_shape(id, ty, obj)?;
            model.shapes.insert(id.clone(), shape);
        }
        for (target, traits) in applies {
            model.apply(&target, traits)?;
        }
        Ok(model)
    }

    /// Applies traits to a shape or member (the JSON AST `apply` statement).
    pub fn apply(&mut self, target: &str, traits: Traits) -> Result<()> {
        let (shape_id, member) = match target.split_once('$') {
            Some((s, m)) => (s, Some(m)),
            None => (target, None),
        };
        let shape = self.shapes.get_mut(shape_id).ok_or_else(|| {
            CodegenError::shape(target, "`apply` targets a shape that does not exist")
        })?;
        let slot = match member {
            None => &mut shape.traits,
            Some(m) => {
                &mut shape
                    .members
                    .iter_mut()
                    .find(|x| x.name == m)
                    .ok_or_else(|| {
                        CodegenError::shape(target, "`apply` targets a member that does not exist")
                    })?
                    .traits
            }
        };
        for (k, v) in traits.0 {
            slot.0.insert(k, v);
        }
        Ok(())
    }

    /// The shape with this id, or an error naming `from` (the referring shape) and the missing target.
    pub fn expect(&self, id: &str, from: &str) -> Result<&Shape> {
        self.shapes.get(id).ok_or_else(|| {
            CodegenError::shape(
                from,
                format!("targets `{id}`, which does not exist in the model"),
            )
        })
    }

    /// The one service shape in the model (or the one named `id`).
    pub fn service(&self, id: Option<&str>) -> Result<&Shape> {
        if let Some(id) = id {
            let s = self.expect(id, id)?;
            return match s.kind {
                ShapeKind::Service(_) => Ok(s),
                _ => Err(CodegenError::shape(id, "is not a service")),
            };
        }
        let mut services = self
            .shapes
            .values()
            .filter(|s| matches!(s.kind, ShapeKind::Service(_)));
        match (services.next(), services.next()) {
            (Some(s), None) => Ok(s),
            (None, _) => Err(CodegenError::model(
                "the model defines no service shape".to_string(),
            )),
            (Some(a), Some(b)) => Err(CodegenError::model(format!(
                "the model defines several services ({}, {}, ...); name one",
                a.id, b.id
            ))),
        }
    }
}

fn parse_shape(id: &str, ty: &str, obj: &serde_json::Map<String, Value>) -> Result<Shape> {
    let kind = match ty {
        "blob" => ShapeKind::Blob,
        "boolean" => ShapeKind::Boolean,
        "string" => ShapeKind::String,
        "byte" => ShapeKind::Byte,
        "short" => ShapeKind::Short,
        "integer" => ShapeKind::Integer,
        "long" => ShapeKind::Long,
        "float" => ShapeKind::Float,
        "double" => ShapeKind::Double,
        "bigInteger" => ShapeKind::BigInteger,
        "bigDecimal" => ShapeKind::BigDecimal,
        "timestamp" => ShapeKind::Timestamp,
        "document" => ShapeKind::Document,
        "enum" => ShapeKind::Enum,
        "intEnum" => ShapeKind::IntEnum,
        "list" | "set" => ShapeKind::List,
        "map" => ShapeKind::Map,
        "structure" => ShapeKind::Structure,
        "union" => ShapeKind::Union,
        "service" => ShapeKind::Service(Service {
            version: opt_str(id, obj, "version")?.unwrap_or_default(),
            operations: refs(id, obj, "operations")?,
            resources: refs(id, obj, "resources")?,
            errors: refs(id, obj, "errors")?,
            rename: match obj.get("rename") {
                None => BTreeMap::new(),
                Some(Value::Object(m)) => m
                    .iter()
                    .map(|(k, v)| {
                        v.as_str()
                            .map(|s| (k.clone(), s.to_string()))
                            .ok_or_else(|| {
                                CodegenError::shape(id, "`rename` values must be strings")
                            })
                    })
                    .collect::<Result<_>>()?,
                Some(_) => return Err(CodegenError::shape(id, "`rename` must be an object")),
            },
        }),
        "operation" => ShapeKind::Operation(Operation {
            input: opt_ref(id, obj, "input")?,
            output: opt_ref(id, obj, "output")?,
            errors: refs(id, obj, "errors")?,
        }),
        "resource" => {
            let mut operations = Vec::new();
            for key in ["create", "put", "read", "update", "delete", "list"] {
                if let Some(r) = opt_ref(id, obj, key)? {
                    operations.push(r);
                }
            }
            operations.extend(refs(id, obj, "operations")?);
            operations.extend(refs(id, obj, "collectionOperations")?);
            ShapeKind::Resource(Resource {
                operations,
                resources: refs(id, obj, "resources")?,
            })
        }
        other => {
            return Err(CodegenError::shape(
                id,
                format!("unknown shape type `{other}`"),
            ))
        }
    };
    let mut members = Vec::new();
    match &kind {
        // A list or map with mixins may take its members from them (filled in when mixins are
        // flattened).
        ShapeKind::List | ShapeKind::Map => {
            let names: &[&str] = if matches!(kind, ShapeKind::List) {
                &["member"]
            } else {
                &["key", "value"]
            };
            let mixed = obj
                .get("mixins")
                .is_some_and(|m| m.as_array().is_some_and(|a| !a.is_empty()));
            for name in names {
                if mixed && obj.get(*name).is_none() {
                    continue;
                }
                members.push(parse_member(id, name, obj.get(*name))?);
            }
        }
        ShapeKind::Structure | ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => {
            match obj.get("members") {
                None => {}
                Some(Value::Object(ms)) => {
                    for (name, m) in ms {
                        members.push(parse_member(id, name, Some(m))?);
                    }
                }
                Some(_) => return Err(CodegenError::shape(id, "`members` must be an object")),
            }
        }
        _ => {}
    }
    let mixins = refs(id, obj, "mixins")?;
    Ok(Shape {
        id: id.to_string(),
        kind,
        members,
        mixins,
        traits: parse_traits(id, obj.get("traits"))?,
    })
}

fn parse_member(shape: &str, name: &str, value: Option<&Value>) -> Result<Member> {
    let mid = format!("{shape}${name}");
    let obj = value
        .and_then(Value::as_object)
        .ok_or_else(|| CodegenError::shape(&mid, "missing or malformed member definition"))?;
    let target = obj
        .get("target")
        .and_then(Value::as_str)
        .ok_or_else(|| CodegenError::shape(&mid, "member has no string `target`"))?;
    Ok(Member {
        name: name.to_string(),
        target: target.to_string(),
        traits: parse_traits(&mid, obj.get("traits"))?,
    })
}

fn parse_traits(id: &str, value: Option<&Value>) -> Result<Traits> {
    match value {
        None => Ok(Traits::default()),
        Some(Value::Object(m)) => Ok(Traits(
            m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        )),
        Some(_) => Err(CodegenError::shape(id, "`traits` must be an object")),
    }
}

fn opt_str(id: &str, obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<String>> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(CodegenError::shape(id, format!("`{key}` must be a string"))),
    }
}

fn target_of(id: &str, key: &str, v: &Value) -> Result<ShapeId> {
    v.get("target")
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| {
            CodegenError::shape(
                id,
                format!("`{key}` must be a reference object with a string `target`"),
            )
        })
}

fn opt_ref(id: &str, obj: &serde_json::Map<String, Value>, key: &str) -> Result<Option<ShapeId>> {
    obj.get(key).map(|v| target_of(id, key, v)).transpose()
}

fn refs(id: &str, obj: &serde_json::Map<String, Value>, key: &str) -> Result<Vec<ShapeId>> {
    match obj.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Array(a)) => a.iter().map(|v| target_of(id, key, v)).collect(),
        Some(_) => Err(CodegenError::shape(id, format!("`{key}` must be an array"))),
    }
}

/// Traits applied to a shape or member: trait shape id → value. Unknown traits are kept.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Traits(pub BTreeMap<String, Value>);

/// Trait ids the generator understands.
pub mod ids {
    #![allow(missing_docs)]
    pub const DOCUMENTATION: &str = "smithy.api#documentation";
    pub const REQUIRED: &str = "smithy.api#required";
    pub const CLIENT_OPTIONAL: &str = "smithy.api#clientOptional";
    pub const DEFAULT: &str = "smithy.api#default";
    pub const ENUM_VALUE: &str = "smithy.api#enumValue";
    pub const ENUM: &str = "smithy.api#enum";
    pub const SENSITIVE: &str = "smithy.api#sensitive";
    pub const ERROR: &str = "smithy.api#error";
    pub const HTTP_ERROR: &str = "smithy.api#httpError";
    pub const RETRYABLE: &str = "smithy.api#retryable";
    pub const IDEMPOTENCY_TOKEN: &str = "smithy.api#idempotencyToken";
    pub const PAGINATED: &str = "smithy.api#paginated";
    pub const LENGTH: &str = "smithy.api#length";
    pub const RANGE: &str = "smithy.api#range";
    pub const PATTERN: &str = "smithy.api#pattern";
    pub const DEPRECATED: &str = "smithy.api#deprecated";
    pub const JSON_NAME: &str = "smithy.api#jsonName";
    pub const MEDIA_TYPE: &str = "smithy.api#mediaType";
    pub const ENDPOINT: &str = "smithy.api#endpoint";
    pub const HOST_LABEL: &str = "smithy.api#hostLabel";
    pub const HTTP: &str = "smithy.api#http";
    pub const HTTP_LABEL: &str = "smithy.api#httpLabel";
    pub const HTTP_QUERY: &str = "smithy.api#httpQuery";
    pub const HTTP_QUERY_PARAMS: &str = "smithy.api#httpQueryParams";
    pub const HTTP_HEADER: &str = "smithy.api#httpHeader";
    pub const HTTP_PREFIX_HEADERS: &str = "smithy.api#httpPrefixHeaders";
    pub const HTTP_PAYLOAD: &str = "smithy.api#httpPayload";
    pub const HTTP_RESPONSE_CODE: &str = "smithy.api#httpResponseCode";
    pub const STREAMING: &str = "smithy.api#streaming";
    pub const EVENT_HEADER: &str = "smithy.api#eventHeader";
    pub const EVENT_PAYLOAD: &str = "smithy.api#eventPayload";
    pub const REST_JSON_1: &str = "aws.protocols#restJson1";
    pub const TIMESTAMP_FORMAT: &str = "smithy.api#timestampFormat";
    pub const SPARSE: &str = "smithy.api#sparse";
    pub const INPUT: &str = "smithy.api#input";
    pub const OUTPUT: &str = "smithy.api#output";
    pub const EXAMPLES: &str = "smithy.api#examples";
    pub const TITLE: &str = "smithy.api#title";
    pub const MIXIN: &str = "smithy.api#mixin";
    pub const AUTH: &str = "smithy.api#auth";
    pub const OPTIONAL_AUTH: &str = "smithy.api#optionalAuth";
    pub const AWS_SERVICE: &str = "aws.api#service";
    pub const SIGV4: &str = "aws.auth#sigv4";
    pub const SIGV4A: &str = "aws.auth#sigv4a";
    pub const HTTP_BASIC_AUTH: &str = "smithy.api#httpBasicAuth";
    pub const HTTP_DIGEST_AUTH: &str = "smithy.api#httpDigestAuth";
    pub const HTTP_BEARER_AUTH: &str = "smithy.api#httpBearerAuth";
    pub const HTTP_API_KEY_AUTH: &str = "smithy.api#httpApiKeyAuth";
    pub const AUTH_DEFINITION: &str = "smithy.api#authDefinition";
    /// Not a trait: the auth scheme id Smithy tools use for "no authentication".
    pub const NO_AUTH: &str = "smithy.api#noAuth";
    pub const AWS_JSON_1_0: &str = "aws.protocols#awsJson1_0";
    pub const AWS_JSON_1_1: &str = "aws.protocols#awsJson1_1";
    pub const AWS_QUERY: &str = "aws.protocols#awsQuery";
    pub const EC2_QUERY: &str = "aws.protocols#ec2Query";
    pub const REST_XML: &str = "aws.protocols#restXml";
    pub const AWS_QUERY_ERROR: &str = "aws.protocols#awsQueryError";
    pub const AWS_QUERY_COMPATIBLE: &str = "aws.protocols#awsQueryCompatible";
    pub const EC2_QUERY_NAME: &str = "aws.protocols#ec2QueryName";
    pub const XML_NAME: &str = "smithy.api#xmlName";
    pub const XML_ATTRIBUTE: &str = "smithy.api#xmlAttribute";
    pub const XML_FLATTENED: &str = "smithy.api#xmlFlattened";
    pub const XML_NAMESPACE: &str = "smithy.api#xmlNamespace";
    pub const S3_UNWRAPPED_XML_OUTPUT: &str = "aws.customizations#s3UnwrappedXmlOutput";
    pub const ENDPOINT_RULE_SET: &str = "smithy.rules#endpointRuleSet";
    pub const ENDPOINT_TESTS: &str = "smithy.rules#endpointTests";
    pub const CONTEXT_PARAM: &str = "smithy.rules#contextParam";
    pub const HTTP_CHECKSUM: &str = "aws.protocols#httpChecksum";
    pub const REQUEST_COMPRESSION: &str = "smithy.api#requestCompression";
    pub const HTTP_CHECKSUM_REQUIRED: &str = "smithy.api#httpChecksumRequired";
    pub const STATIC_CONTEXT_PARAMS: &str = "smithy.rules#staticContextParams";
    pub const SMOKE_TESTS: &str = "smithy.test#smokeTests";
}

/// `smithy.api#paginated` values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Paginated {
    /// Input member holding the continuation token.
    pub input_token: Option<String>,
    /// Output member path holding the next token.
    pub output_token: Option<String>,
    /// Output member path holding the items.
    pub items: Option<String>,
    /// Input member bounding the page size.
    pub page_size: Option<String>,
}

/// `smithy.api#error` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorFault {
    /// `client`
    Client,
    /// `server`
    Server,
}

/// `smithy.api#retryable` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Retryable {
    /// The error is a throttling error.
    pub throttling: bool,
}

/// `smithy.api#timestampFormat` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampFormat {
    /// `epoch-seconds`
    EpochSeconds,
    /// `date-time`
    DateTime,
    /// `http-date`
    HttpDate,
}

/// `smithy.api#deprecated` values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Deprecated {
    /// Why.
    pub message: Option<String>,
    /// Since when.
    pub since: Option<String>,
}

/// `aws.api#service` values the generator uses.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AwsService {
    /// The SDK id, e.g. `Secrets Manager`.
    pub sdk_id: String,
    /// The endpoint prefix.
    pub endpoint_prefix: Option<String>,
}

/// A numeric `smithy.api#range` or `smithy.api#length` constraint.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Bounds {
    /// Lower bound.
    pub min: Option<f64>,
    /// Upper bound.
    pub max: Option<f64>,
}

impl Traits {
    /// Whether a trait is present.
    pub fn has(&self, id: &str) -> bool {
        self.0.contains_key(id)
    }

    /// The raw value of a trait.
    pub fn get(&self, id: &str) -> Option<&Value> {
        self.0.get(id)
    }

    fn string(&self, owner: &str, id: &str) -> Result<Option<&str>> {
        match self.0.get(id) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(wrong_type(owner, id, "a string")),
        }
    }

    fn object(&self, owner: &str, id: &str) -> Result<Option<&serde_json::Map<String, Value>>> {
        match self.0.get(id) {
            None => Ok(None),
            Some(Value::Object(o)) => Ok(Some(o)),
            Some(_) => Err(wrong_type(owner, id, "an object")),
        }
    }

    /// `smithy.api#documentation`.
    pub fn documentation(&self, owner: &str) -> Result<Option<&str>> {
        self.string(owner, ids::DOCUMENTATION)
    }

    /// `smithy.api#title`.
    pub fn title(&self, owner: &str) -> Result<Option<&str>> {
        self.string(owner, ids::TITLE)
    }

    /// `smithy.api#jsonName`.
    pub fn json_name(&self, owner: &str) -> Result<Option<&str>> {
        self.string(owner, ids::JSON_NAME)
    }

    /// `smithy.api#mediaType`.
    pub fn media_type(&self, owner: &str) -> Result<Option<&str>> {
        self.string(owner, ids::MEDIA_TYPE)
    }

    /// `smithy.api#pattern`.
    pub fn pattern(&self, owner: &str) -> Result<Option<&str>> {
        self.string(owner, ids::PATTERN)
    }

    /// `smithy.api#required`.
    pub fn required(&self) -> bool {
        self.has(ids::REQUIRED)
    }

    /// `smithy.api#clientOptional`.
    pub fn client_optional(&self) -> bool {
        self.has(ids::CLIENT_OPTIONAL)
    }

    /// `smithy.api#sensitive`.
    pub fn sensitive(&self) -> bool {
        self.has(ids::SENSITIVE)
    }

    /// `smithy.api#sparse`.
    pub fn sparse(&self) -> bool {
        self.has(ids::SPARSE)
    }

    /// `smithy.api#idempotencyToken`.
    pub fn idempotency_token(&self) -> bool {
        self.has(ids::IDEMPOTENCY_TOKEN)
    }

    /// `smithy.api#input`.
    pub fn input(&self) -> bool {
        self.has(ids::INPUT)
    }

    /// `smithy.api#output`.
    pub fn output(&self) -> bool {
        self.has(ids::OUTPUT)
    }

    /// `smithy.api#default` (raw value; its meaning depends on the target).
    pub fn default_value(&self) -> Option<&Value> {
        self.0.get(ids::DEFAULT)
    }

    /// `smithy.api#enumValue` as a string.
    pub fn enum_value_str(&self, owner: &str) -> Result<Option<&str>> {
        self.string(owner, ids::ENUM_VALUE)
    }

    /// `smithy.api#enumValue` as an integer.
    pub fn enum_value_int(&self, owner: &str) -> Result<Option<i64>> {
        match self.0.get(ids::ENUM_VALUE) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| wrong_type(owner, ids::ENUM_VALUE, "an integer")),
        }
    }

    /// `smithy.api#error`.
    pub fn error(&self, owner: &str) -> Result<Option<ErrorFault>> {
        match self.string(owner, ids::ERROR)? {
            None => Ok(None),
            Some("client") => Ok(Some(ErrorFault::Client)),
            Some("server") => Ok(Some(ErrorFault::Server)),
            Some(_) => Err(wrong_type(owner, ids::ERROR, "\"client\" or \"server\"")),
        }
    }

    /// `smithy.api#httpError`.
    pub fn http_error(&self, owner: &str) -> Result<Option<u16>> {
        match self.0.get(ids::HTTP_ERROR) {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
                .map(Some)
                .ok_or_else(|| wrong_type(owner, ids::HTTP_ERROR, "an HTTP status code")),
        }
    }

    /// `smithy.api#retryable`.
    pub fn retryable(&self, owner: &str) -> Result<Option<Retryable>> {
        match self.object(owner, ids::RETRYABLE)? {
            None => Ok(None),
            Some(o) => match o.get("throttling") {
                None => Ok(Some(Retryable::default())),
                Some(Value::Bool(b)) => Ok(Some(Retryable { throttling: *b })),
                Some(_) => Err(wrong_type(
                    owner,
                    ids::RETRYABLE,
                    "an object with a boolean `throttling`",
                )),
            },
        }
    }

    /// `smithy.api#paginated`.
    pub fn paginated(&self, owner: &str) -> Result<Option<Paginated>> {
        let Some(o) = self.object(owner, ids::PAGINATED)? else {
            return Ok(None);
        };
        let field = |k: &str| -> Result<Option<String>> {
            match o.get(k) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(wrong_type(owner, ids::PAGINATED, "an object of strings")),
            }
        };
        Ok(Some(Paginated {
            input_token: field("inputToken")?,
            output_token: field("outputToken")?,
            items: field("items")?,
            page_size: field("pageSize")?,
        }))
    }

    /// `smithy.api#timestampFormat`.
    pub fn timestamp_format(&self, owner: &str) -> Result<Option<TimestampFormat>> {
        match self.string(owner, ids::TIMESTAMP_FORMAT)? {
            None => Ok(None),
            Some("epoch-seconds") => Ok(Some(TimestampFormat::EpochSeconds)),
            Some("date-time") => Ok(Some(TimestampFormat::DateTime)),
            Some("http-date") => Ok(Some(TimestampFormat::HttpDate)),
            Some(other) => Err(CodegenError::shape(
                owner,
                format!("unknown timestamp format `{other}`"),
            )),
        }
    }

    /// `smithy.api#deprecated`.
    pub fn deprecated(&self, owner: &str) -> Result<Option<Deprecated>> {
        let Some(o) = self.object(owner, ids::DEPRECATED)? else {
            return Ok(None);
        };
        let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
        Ok(Some(Deprecated {
            message: s("message"),
            since: s("since"),
        }))
    }

    /// `smithy.api#length`.
    pub fn length(&self, owner: &str) -> Result<Option<Bounds>> {
        self.bounds(owner, ids::LENGTH)
    }

    /// `smithy.api#range`.
    pub fn range(&self, owner: &str) -> Result<Option<Bounds>> {
        self.bounds(owner, ids::RANGE)
    }

    fn bounds(&self, owner: &str, id: &str) -> Result<Option<Bounds>> {
        let Some(o) = self.object(owner, id)? else {
            return Ok(None);
        };
        let num = |k: &str| -> Result<Option<f64>> {
            match o.get(k) {
                None => Ok(None),
                Some(v) => v
                    .as_f64()
                    .map(Some)
                    .ok_or_else(|| wrong_type(owner, id, "numeric bounds")),
            }
        };
        Ok(Some(Bounds {
            min: num("min")?,
            max: num("max")?,
        }))
    }

    /// `aws.api#service`.
    pub fn aws_service(&self, owner: &str) -> Result<Option<AwsService>> {
        let Some(o) = self.object(owner, ids::AWS_SERVICE)? else {
            return Ok(None);
        };
        let sdk_id = o.get("sdkId").and_then(Value::as_str).ok_or_else(|| {
            wrong_type(owner, ids::AWS_SERVICE, "an object with a string `sdkId`")
        })?;
        Ok(Some(AwsService {
            sdk_id: sdk_id.to_string(),
            endpoint_prefix: o
                .get("endpointPrefix")
                .and_then(Value::as_str)
                .map(str::to_string),
        }))
    }

    /// `aws.auth#sigv4` signing name.
    pub fn sigv4_name(&self, owner: &str) -> Result<Option<&str>> {
        match self.object(owner, ids::SIGV4)? {
            None => Ok(None),
            Some(o) => o
                .get("name")
                .and_then(Value::as_str)
                .map(Some)
                .ok_or_else(|| wrong_type(owner, ids::SIGV4, "an object with a string `name`")),
        }
    }

    /// `smithy.api#auth`: the auth scheme ids in priority order (`Some(vec![])` for `@auth([])`).
    pub fn auth(&self, owner: &str) -> Result<Option<Vec<&str>>> {
        let Some(a) = self.array(owner, ids::AUTH)? else {
            return Ok(None);
        };
        a.iter()
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| wrong_type(owner, ids::AUTH, "a list of shape ids"))
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// `smithy.api#examples` (raw array).
    pub fn examples(&self, owner: &str) -> Result<Option<&Vec<Value>>> {
        self.array(owner, ids::EXAMPLES)
    }

    /// `smithy.test#smokeTests` (raw array).
    pub fn smoke_tests(&self, owner: &str) -> Result<Option<&Vec<Value>>> {
        self.array(owner, ids::SMOKE_TESTS)
    }

    /// `smithy.rules#endpointRuleSet` (raw object).
    pub fn endpoint_rule_set(
        &self,
        owner: &str,
    ) -> Result<Option<&serde_json::Map<String, Value>>> {
        self.object(owner, ids::ENDPOINT_RULE_SET)
    }

    /// `smithy.rules#endpointTests` (raw object).
    pub fn endpoint_tests(&self, owner: &str) -> Result<Option<&serde_json::Map<String, Value>>> {
        self.object(owner, ids::ENDPOINT_TESTS)
    }

    /// `smithy.api#enum` (Smithy 1.0 enum trait on a string): `(value, name, documentation, deprecated)`.
    pub fn legacy_enum(&self, owner: &str) -> Result<Option<Vec<LegacyEnumValue>>> {
        let Some(a) = self.array(owner, ids::ENUM)? else {
            return Ok(None);
        };
        a.iter()
            .map(|v| {
                let value = v.get("value").and_then(Value::as_str).ok_or_else(|| {
                    wrong_type(owner, ids::ENUM, "a list of objects with a string `value`")
                })?;
                Ok(LegacyEnumValue {
                    value: value.to_string(),
                    name: v.get("name").and_then(Value::as_str).map(str::to_string),
                    documentation: v
                        .get("documentation")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                    deprecated: v
                        .get("deprecated")
                        .and_then(Value::as_bool)
                        .unwrap_or(false),
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    fn array(&self, owner: &str, id: &str) -> Result<Option<&Vec<Value>>> {
        match self.0.get(id) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(_) => Err(wrong_type(owner, id, "an array")),
        }
    }
}

/// One value of a Smithy 1.0 `smithy.api#enum` trait.
#[derive(Debug, Clone, PartialEq)]
pub struct LegacyEnumValue {
    /// The wire value.
    pub value: String,
    /// The optional constant name.
    pub name: Option<String>,
    /// Documentation.
    pub documentation: Option<String>,
    /// Deprecated flag.
    pub deprecated: bool,
}

fn wrong_type(owner: &str, id: &str, expected: &str) -> CodegenError {
    CodegenError::shape(owner, format!("trait {id} must be {expected}"))
}
