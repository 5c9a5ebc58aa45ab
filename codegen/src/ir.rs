//! The resolved picture the emitters need: Rust names, Rust types, which shapes need serializers
//! and deserializers. Built once from a normalised [`Model`]; emitters never look at the model again.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::auth::{self, Auth};
use crate::docs::html_to_markdown;
use crate::error::{CodegenError, Result};
use crate::model::{
    self, ids, Deprecated, Model, Paginated, Shape, ShapeId, ShapeKind, TimestampFormat,
};
use crate::names;
use crate::transform;

/// The wire protocol of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// `aws.protocols#awsJson1_0`
    AwsJson10,
    /// `aws.protocols#awsJson1_1`
    AwsJson11,
}

impl Protocol {
    /// The JSON version in `application/x-amz-json-<v>`.
    pub fn json_version(self) -> &'static str {
        match self {
            Protocol::AwsJson10 => "1.0",
            Protocol::AwsJson11 => "1.1",
        }
    }
}

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
    /// `awsrt::types::Blob`
    Blob,
    /// `awsrt::types::SensitiveBlob`
    SensitiveBlob,
    /// `awsrt::types::DateTime`, with its wire format.
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
}

impl RType {
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
        )
    }
}

/// One field of a generated structure (or one variant of a union).
#[derive(Debug, Clone)]
pub struct Field {
    /// The member name in the model.
    pub member: String,
    /// The key on the wire.
    pub wire: String,
    /// The Rust field / method name (a valid identifier, possibly `r#`-prefixed).
    pub name: String,
    /// Variant name (unions only).
    pub variant: String,
    /// Markdown docs.
    pub docs: String,
    /// The Rust type (without `Option`/`Box`).
    pub ty: RType,
    /// Whether the field is an `Option`.
    pub optional: bool,
    /// `@required` in the model.
    pub required: bool,
    /// The `@default` value, when it applies.
    pub default: Option<Value>,
    /// Boxed to break recursion.
    pub boxed: bool,
    /// Redacted in `Debug`.
    pub sensitive: bool,
    /// `@idempotencyToken`.
    pub idempotency_token: bool,
    /// `@deprecated`.
    pub deprecated: Option<Deprecated>,
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
}

impl Struct {
    /// Whether `build()` can fail (a required member without a default).
    pub fn fallible_build(&self) -> bool {
        self.fields
            .iter()
            .any(|f| !f.optional && f.default.is_none())
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
    /// `(variant name, wire value, docs, deprecated)`; values are strings or integers.
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
    /// Wire value (int enums).
    pub int_value: i64,
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
    /// Markdown docs.
    pub docs: String,
    /// Input structure, renamed `<Op>Input`.
    pub input: Struct,
    /// Output structure, renamed `<Op>Output`.
    pub output: Struct,
    /// Errors, as type names of error structures.
    pub errors: Vec<String>,
    /// `@paginated`, merged with the service defaults.
    pub paginated: Option<Paginated>,
    /// `smithy.api#examples` (raw).
    pub examples: Vec<Value>,
    /// `@deprecated`.
    pub deprecated: Option<Deprecated>,
    /// The operation does not require authentication (`@optionalAuth` or `@auth([])`).
    pub optional_auth: bool,
    /// How the operation's requests are authenticated (see [`crate::auth`]).
    pub auth: Auth,
    /// `smithy.api#endpoint` host prefix template (e.g. `{Bucket}.data-`), labels named by input members.
    pub host_prefix: Option<String>,
}

/// Everything the emitters need for one service.
#[derive(Debug, Clone)]
pub struct Service {
    /// The service shape id.
    pub shape: ShapeId,
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
    /// The `X-Amz-Target` prefix (the service shape name).
    pub target_prefix: String,
    /// Protocol.
    pub protocol: Protocol,
    /// The endpoint rule set, serialized as JSON (empty when absent).
    pub endpoint_rules: String,
    /// `smithy.rules#endpointTests` test cases (raw).
    pub endpoint_tests: Vec<Value>,
    /// `smithy.test#smokeTests` of all operations: `(operation fn name, case)`.
    pub smoke_tests: Vec<(String, Value)>,
    /// Operations in shape id order.
    pub operations: Vec<Operation>,
    /// Data types by Rust name (structures, unions, enums, errors).
    pub types: BTreeMap<String, TypeDef>,
    /// Type names that need a JSON serializer.
    pub ser: BTreeSet<String>,
    /// Type names that need a JSON deserializer.
    pub de: BTreeSet<String>,
}

impl Service {
    /// Looks up a type definition by Rust name.
    pub fn ty(&self, name: &str) -> Option<&TypeDef> {
        self.types.get(name)
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
    let model = transform::normalize(model, &sid)?;
    Builder::new(&model, &sid)?.service(crate_name)
}

struct Builder<'m> {
    model: &'m Model,
    sid: ShapeId,
    /// Shape id → Rust type name, for every aggregate/enum shape in the closure.
    names: BTreeMap<ShapeId, String>,
    boxed: BTreeSet<(ShapeId, String)>,
}

impl<'m> Builder<'m> {
    fn new(model: &'m Model, sid: &str) -> Result<Self> {
        let closure = transform::closure(model, sid)?;
        let renames = transform::check_renames(model, sid)?;
        // Operation inputs and outputs become `<Op>Input`/`<Op>Output`; they get a type of their
        // own only when some member also targets them.
        let mut io = BTreeSet::new();
        for op in transform::operations(model, sid)? {
            if let ShapeKind::Operation(o) = &model.expect(&op, sid)?.kind {
                io.extend(o.input.iter().cloned());
                io.extend(o.output.iter().cloned());
            }
        }
        let member_targets: BTreeSet<&ShapeId> = closure
            .iter()
            .filter_map(|id| model.shapes.get(id))
            .flat_map(|s| s.members.iter().map(|m| &m.target))
            .collect();
        let mut names = BTreeMap::new();
        let mut taken: BTreeMap<String, ShapeId> = BTreeMap::new();
        for id in &closure {
            let shape = model.expect(id, sid)?;
            if !needs_type(shape) || (io.contains(id) && !member_targets.contains(id)) {
                continue;
            }
            let base = renames
                .get(id)
                .cloned()
                .unwrap_or_else(|| shape.name().to_string());
            let mut name = names::type_name(&base);
            if let Some(other) = taken.get(&name) {
                if renames.contains_key(id) || renames.contains_key(other) {
                    // A rename exists to settle a name; it must not be settled again.
                    return Err(CodegenError::shape(
                        sid,
                        format!(
                            "invalid `rename`: `{id}` and `{other}` both get the Rust type name `{name}`"
                        ),
                    ));
                }
                if other != id {
                    name = names::type_name(&format!(
                        "{}{}",
                        names::pascal_case(model::namespace(id).rsplit('.').next().unwrap_or("")),
                        base
                    ));
                }
            }
            taken.insert(name.clone(), id.clone());
            names.insert(id.clone(), name);
        }
        Ok(Builder {
            model,
            sid: sid.to_string(),
            names,
            boxed: transform::boxed_members(model),
        })
    }

    fn service(self, crate_name: &str) -> Result<Service> {
        let m = self.model;
        let svc_shape = m.expect(&self.sid, &self.sid)?;
        let sid = &self.sid;
        let ShapeKind::Service(svc) = &svc_shape.kind else {
            return Err(CodegenError::shape(sid, "is not a service"));
        };
        let t = &svc_shape.traits;
        let protocol = if t.has(ids::AWS_JSON_1_1) {
            Protocol::AwsJson11
        } else if t.has(ids::AWS_JSON_1_0) {
            Protocol::AwsJson10
        } else {
            let found: Vec<&str> = t
                .0
                .keys()
                .filter(|k| k.starts_with("aws.protocols#") || k.starts_with("smithy.protocols#"))
                .map(String::as_str)
                .collect();
            return Err(CodegenError::shape(
                sid,
                format!(
                    "no supported protocol: the generator handles aws.protocols#awsJson1_0 and awsJson1_1, the service has {}",
                    if found.is_empty() { "none".to_string() } else { found.join(", ") }
                ),
            ));
        };
        let sdk_id = t.aws_service(sid)?.map(|a| a.sdk_id);
        let title = t
            .title(sid)?
            .map(str::to_string)
            .or_else(|| sdk_id.clone())
            .unwrap_or_else(|| svc_shape.name().to_string());
        let service_schemes = auth::service_schemes(m, svc_shape)?;
        let service_auth = auth::choose(sid, &service_schemes, false)?;
        let endpoint_rules = match t.endpoint_rule_set(sid)? {
            Some(r) => serde_json::to_string(r)
                .map_err(|e| CodegenError::shape(sid, format!("endpoint rule set: {e}")))?,
            None => String::new(),
        };
        let endpoint_tests = match t.endpoint_tests(sid)? {
            Some(o) => match o.get("testCases") {
                Some(Value::Array(a)) => a.clone(),
                None => Vec::new(),
                Some(_) => {
                    return Err(CodegenError::shape(
                        sid,
                        "trait smithy.rules#endpointTests must have a `testCases` array",
                    ))
                }
            },
            None => Vec::new(),
        };
        let service_paginated = t.paginated(sid)?;

        let mut types = BTreeMap::new();
        for (id, name) in &self.names {
            let shape = m.expect(id, sid)?;
            let def = match &shape.kind {
                ShapeKind::Structure => TypeDef::Struct(self.structure(shape, name.clone())?),
                ShapeKind::Union => TypeDef::Union(self.structure(shape, name.clone())?),
                ShapeKind::Enum | ShapeKind::IntEnum | ShapeKind::String => {
                    TypeDef::Enum(self.enumeration(shape, name.clone())?)
                }
                _ => continue,
            };
            types.insert(name.clone(), def);
        }

        let mut operations = Vec::new();
        let mut ser_roots = Vec::new();
        let mut de_roots = Vec::new();
        let mut smoke_tests = Vec::new();
        let mut op_names = BTreeSet::new();
        for op_id in transform::operations(m, sid)? {
            let shape = m.expect(&op_id, sid)?;
            let ShapeKind::Operation(o) = &shape.kind else {
                continue;
            };
            // Operations cannot be renamed (`transform::check_renames`): the name is also the
            // `X-Amz-Target` suffix.
            let name = shape.name().to_string();
            let fn_name = names::fn_name(&name);
            if !op_names.insert(fn_name.clone()) {
                return Err(CodegenError::shape(
                    &op_id,
                    format!("two operations map to the Rust name `{fn_name}`"),
                ));
            }
            let io = |target: &Option<ShapeId>, suffix: &str| -> Result<Struct> {
                let rust = format!("{}{}", names::type_name(&name), suffix);
                match target {
                    Some(t) if t != crate::prelude::UNIT => {
                        let s = m.expect(t, &op_id)?;
                        if s.kind != ShapeKind::Structure {
                            return Err(CodegenError::shape(
                                &op_id,
                                format!("{} `{t}` is not a structure", suffix.to_lowercase()),
                            ));
                        }
                        let mut st = self.structure(s, rust)?;
                        if st.docs.is_empty() || st.docs.starts_with("The `") {
                            st.docs = format!(
                                "The {} of [`{fn_name}`](crate::Client::{fn_name}).",
                                suffix.to_lowercase()
                            );
                        }
                        Ok(st)
                    }
                    _ => Ok(Struct {
                        shape: crate::prelude::UNIT.to_string(),
                        name: rust,
                        docs: format!(
                            "The (empty) {} of [`{fn_name}`](crate::Client::{fn_name}).",
                            suffix.to_lowercase()
                        ),
                        fields: Vec::new(),
                        sensitive: false,
                        error: None,
                        deprecated: None,
                    }),
                }
            };
            let input = io(&o.input, "Input")?;
            let output = io(&o.output, "Output")?;
            ser_roots.extend(input.fields.iter().map(|f| f.ty.clone()));
            de_roots.extend(output.fields.iter().map(|f| f.ty.clone()));
            let mut errors = Vec::new();
            for e in &o.errors {
                let es = m.expect(e, &op_id)?;
                if es.traits.error(e)?.is_none() {
                    return Err(CodegenError::shape(
                        &op_id,
                        format!("lists `{e}` as an error, but it has no smithy.api#error trait"),
                    ));
                }
                let n = self
                    .names
                    .get(e)
                    .cloned()
                    .ok_or_else(|| CodegenError::shape(e, "error shape is not a structure"))?;
                de_roots.push(RType::Struct(n.clone()));
                if !errors.contains(&n) {
                    errors.push(n);
                }
            }
            let mut paginated = shape.traits.paginated(&op_id)?;
            if let (Some(p), Some(d)) = (&mut paginated, &service_paginated) {
                p.input_token = p.input_token.take().or_else(|| d.input_token.clone());
                p.output_token = p.output_token.take().or_else(|| d.output_token.clone());
                p.items = p.items.take().or_else(|| d.items.clone());
                p.page_size = p.page_size.take().or_else(|| d.page_size.clone());
            }
            if let Some(cases) = shape.traits.smoke_tests(&op_id)? {
                smoke_tests.extend(cases.iter().map(|c| (fn_name.clone(), c.clone())));
            }
            let optional_auth = shape.traits.has(ids::OPTIONAL_AUTH)
                || shape
                    .traits
                    .get(ids::AUTH)
                    .and_then(Value::as_array)
                    .is_some_and(Vec::is_empty);
            let op_schemes = auth::operation_schemes(m, svc_shape, &service_schemes, shape)?;
            let op_auth = auth::choose(&op_id, &op_schemes, shape.traits.has(ids::OPTIONAL_AUTH))?;
            operations.push(Operation {
                shape: op_id.clone(),
                docs: self.docs(shape)?,
                module: names::module_name(&name),
                fn_name,
                name,
                input,
                output,
                errors,
                paginated,
                examples: shape.traits.examples(&op_id)?.cloned().unwrap_or_default(),
                deprecated: shape.traits.deprecated(&op_id)?,
                optional_auth,
                auth: op_auth,
                host_prefix: match shape.traits.get("smithy.api#endpoint") {
                    None => None,
                    Some(v) => Some(
                        v.get("hostPrefix")
                            .and_then(Value::as_str)
                            .ok_or_else(|| {
                                CodegenError::shape(
                                    &op_id,
                                    "trait smithy.api#endpoint must have a string `hostPrefix`",
                                )
                            })?
                            .to_string(),
                    ),
                },
            });
        }
        let ser = reachable(&types, ser_roots);
        let de = reachable(&types, de_roots);
        // The runtime's default auth is SigV4 exactly when the service has a signing name: give
        // it one when the service or any operation signs.
        let signs = service_auth.signs() || operations.iter().any(|o| o.auth.signs());
        let signing_name = match t.sigv4_name(sid)? {
            Some(n) if signs => Some(n.to_string()),
            _ => None,
        };
        let default_auth = if signing_name.is_some() {
            Auth::SigV4
        } else {
            Auth::None
        };
        Ok(Service {
            shape: sid.clone(),
            crate_name: crate_name.to_string(),
            title,
            docs: self.docs(svc_shape)?,
            version: svc.version.clone(),
            sdk_id,
            signing_name,
            auth: default_auth,
            target_prefix: svc_shape.name().to_string(),
            protocol,
            endpoint_rules,
            endpoint_tests,
            smoke_tests,
            operations,
            types,
            ser,
            de,
        })
    }

    fn docs(&self, shape: &Shape) -> Result<String> {
        Ok(shape
            .traits
            .documentation(&shape.id)?
            .map(html_to_markdown)
            .unwrap_or_default())
    }

    fn structure(&self, shape: &Shape, name: String) -> Result<Struct> {
        let id = &shape.id;
        let is_union = shape.kind == ShapeKind::Union;
        let raw_names: Vec<String> = shape
            .members
            .iter()
            .map(|m| names::field_name(&m.name))
            .map(|n| {
                // Names the generated types already use for their own methods or fields.
                if RESERVED_MEMBER_NAMES.contains(&n.as_str()) {
                    format!("{n}_value")
                } else {
                    n
                }
            })
            .collect();
        let field_names = names::dedupe(raw_names);
        let variant_names = names::dedupe(
            shape
                .members
                .iter()
                .map(|m| names::type_name(&m.name))
                .map(|n| {
                    if n == "Unknown" {
                        "UnknownValue".to_string()
                    } else {
                        n
                    }
                }),
        );
        let mut fields = Vec::new();
        for ((m, fname), vname) in shape.members.iter().zip(field_names).zip(variant_names) {
            let mid = format!("{id}${}", m.name);
            let target = self.model.expect(&m.target, &mid)?;
            let ty = self.rtype(&mid, &m.traits, target)?;
            let required = m.traits.required();
            let default = match m
                .traits
                .default_value()
                .or_else(|| target.traits.default_value())
            {
                Some(Value::Null) | None => None,
                Some(v) => Some(v.clone()),
            };
            let default = if default.is_some() && m.traits.default_value().is_none() && !required {
                // A target's default only applies when the member opts in with its own @default.
                None
            } else {
                default
            };
            let client_optional = m.traits.client_optional();
            let optional = is_union || client_optional || !(required || default.is_some());
            let docs = match m.traits.documentation(&mid)? {
                Some(d) => html_to_markdown(d),
                None => target
                    .traits
                    .documentation(&target.id)?
                    .map(html_to_markdown)
                    .unwrap_or_default(),
            };
            // awsJson 1.0/1.1 key members by their name: `@jsonName` is restJson1's and "does
            // not affect serialization" here (the official protocol tests check both ways).
            let wire = m.name.clone();
            if let Some(d) = &default {
                check_default(&mid, &ty, d)?;
            }
            fields.push(Field {
                member: m.name.clone(),
                wire,
                name: fname,
                variant: vname,
                docs,
                optional,
                required,
                default: if optional { None } else { default },
                boxed: self.boxed.contains(&(id.clone(), m.name.clone())),
                sensitive: m.traits.sensitive() || target.traits.sensitive(),
                idempotency_token: m.traits.idempotency_token(),
                deprecated: m.traits.deprecated(&mid)?,
                ty,
            });
        }
        let error = match shape.traits.error(id)? {
            None => None,
            Some(fault) => Some(ErrorInfo {
                code: shape.name().to_string(),
                fault,
                retryable: shape.traits.retryable(id)?,
                http_status: shape.traits.http_error(id)?,
            }),
        };
        Ok(Struct {
            shape: id.clone(),
            name,
            docs: self.docs(shape)?,
            fields,
            sensitive: shape.traits.sensitive(),
            error,
            deprecated: shape.traits.deprecated(id)?,
        })
    }

    fn enumeration(&self, shape: &Shape, name: String) -> Result<Enum> {
        let id = &shape.id;
        let mut variants = Vec::new();
        let int = shape.kind == ShapeKind::IntEnum;
        if shape.kind == ShapeKind::String {
            for v in shape.traits.legacy_enum(id)?.unwrap_or_default() {
                let base = v.name.clone().unwrap_or_else(|| v.value.clone());
                variants.push(EnumVariant {
                    name: base,
                    value: v.value,
                    int_value: 0,
                    docs: v
                        .documentation
                        .as_deref()
                        .map(html_to_markdown)
                        .unwrap_or_default(),
                    deprecated: v.deprecated,
                });
            }
        } else {
            for m in &shape.members {
                let mid = format!("{id}${}", m.name);
                let (value, int_value) = if int {
                    let v = m.traits.enum_value_int(&mid)?.ok_or_else(|| {
                        CodegenError::shape(
                            &mid,
                            "intEnum member without an integer smithy.api#enumValue",
                        )
                    })?;
                    (v.to_string(), v)
                } else {
                    (
                        m.traits
                            .enum_value_str(&mid)?
                            .unwrap_or(&m.name)
                            .to_string(),
                        0,
                    )
                };
                variants.push(EnumVariant {
                    name: m.name.clone(),
                    value,
                    int_value,
                    docs: m
                        .traits
                        .documentation(&mid)?
                        .map(html_to_markdown)
                        .unwrap_or_default(),
                    deprecated: m.traits.has(ids::DEPRECATED),
                });
            }
        }
        let rust_names = names::dedupe(variants.iter().map(|v| names::enum_variant(&v.name)));
        for (v, n) in variants.iter_mut().zip(rust_names) {
            v.name = n;
        }
        Ok(Enum {
            shape: id.clone(),
            name,
            docs: self.docs(shape)?,
            variants,
            int,
            deprecated: shape.traits.deprecated(id)?,
        })
    }

    fn rtype(&self, owner: &str, member_traits: &model::Traits, target: &Shape) -> Result<RType> {
        let sensitive = member_traits.sensitive() || target.traits.sensitive();
        Ok(match &target.kind {
            ShapeKind::String if target.traits.has(ids::ENUM) => {
                RType::Enum(self.name_of(&target.id, owner)?)
            }
            ShapeKind::String if sensitive => RType::SensitiveString,
            ShapeKind::String => RType::String,
            ShapeKind::Blob if sensitive => RType::SensitiveBlob,
            ShapeKind::Blob => RType::Blob,
            ShapeKind::Boolean => RType::Bool,
            ShapeKind::Byte => RType::I8,
            ShapeKind::Short => RType::I16,
            ShapeKind::Integer => RType::I32,
            ShapeKind::Long | ShapeKind::BigInteger => RType::I64,
            ShapeKind::Float => RType::F32,
            ShapeKind::Double | ShapeKind::BigDecimal => RType::F64,
            ShapeKind::Timestamp => RType::Timestamp(
                member_traits
                    .timestamp_format(owner)?
                    .or(target.traits.timestamp_format(&target.id)?)
                    .unwrap_or(TimestampFormat::EpochSeconds),
            ),
            ShapeKind::Document => RType::Document,
            ShapeKind::Enum => RType::Enum(self.name_of(&target.id, owner)?),
            ShapeKind::IntEnum => RType::IntEnum(self.name_of(&target.id, owner)?),
            ShapeKind::Structure => RType::Struct(self.name_of(&target.id, owner)?),
            ShapeKind::Union => RType::Union(self.name_of(&target.id, owner)?),
            ShapeKind::List => {
                let m = target
                    .member("member")
                    .ok_or_else(|| CodegenError::shape(&target.id, "list without a member"))?;
                let mid = format!("{}$member", target.id);
                let t = self.model.expect(&m.target, &mid)?;
                RType::List(
                    Box::new(self.rtype(&mid, &m.traits, t)?),
                    target.traits.sparse(),
                )
            }
            ShapeKind::Map => {
                let k = target
                    .member("key")
                    .ok_or_else(|| CodegenError::shape(&target.id, "map without a key"))?;
                let kt = self
                    .model
                    .expect(&k.target, &format!("{}$key", target.id))?;
                if !matches!(kt.kind, ShapeKind::String | ShapeKind::Enum) {
                    return Err(CodegenError::shape(
                        &target.id,
                        "map keys must target a string or enum shape",
                    ));
                }
                let v = target
                    .member("value")
                    .ok_or_else(|| CodegenError::shape(&target.id, "map without a value"))?;
                let mid = format!("{}$value", target.id);
                let t = self.model.expect(&v.target, &mid)?;
                RType::Map(
                    Box::new(self.rtype(&mid, &v.traits, t)?),
                    target.traits.sparse(),
                )
            }
            ShapeKind::Service(_) | ShapeKind::Operation(_) | ShapeKind::Resource(_) => {
                return Err(CodegenError::shape(
                    owner,
                    format!(
                        "a member cannot target the {} `{}`",
                        target.kind.name(),
                        target.id
                    ),
                ))
            }
        })
    }

    fn name_of(&self, id: &str, owner: &str) -> Result<String> {
        self.names.get(id).cloned().ok_or_else(|| {
            CodegenError::shape(owner, format!("`{id}` is outside the service closure"))
        })
    }
}

/// Member names that would clash with methods or fields the generator adds to structures,
/// builders and fluent builders; such members get a `_value` suffix.
const RESERVED_MEMBER_NAMES: &[&str] = &[
    "build",
    "builder",
    "send",
    "send_with",
    "as_input",
    "into_paginator",
    "into_pages",
    "meta",
    "with_meta",
    "is_retryable",
    "is_throttling",
    "is_server_fault",
    "handle",
    "inner",
    "new",
];

fn needs_type(shape: &Shape) -> bool {
    match shape.kind {
        ShapeKind::Structure => shape.id != crate::prelude::UNIT,
        ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => true,
        ShapeKind::String => shape.traits.has(ids::ENUM),
        _ => false,
    }
}

fn check_default(owner: &str, ty: &RType, v: &Value) -> Result<()> {
    let ok = match ty {
        RType::Bool => v.is_boolean(),
        RType::I8 | RType::I16 | RType::I32 | RType::I64 | RType::IntEnum(_) => {
            v.is_i64() || v.is_u64()
        }
        RType::F32 | RType::F64 => v.is_number(),
        RType::String
        | RType::SensitiveString
        | RType::Enum(_)
        | RType::Blob
        | RType::SensitiveBlob => v.is_string(),
        RType::Timestamp(_) => v.is_number() || v.is_string(),
        RType::List(..) => v.as_array().is_some_and(Vec::is_empty),
        RType::Map(..) => v.as_object().is_some_and(serde_json::Map::is_empty),
        RType::Document => true,
        RType::Struct(_) | RType::Union(_) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(CodegenError::shape(
            owner,
            format!(
                "trait smithy.api#default has a value ({v}) that does not fit the member's type"
            ),
        ))
    }
}

/// Type names reachable from the given roots.
fn reachable(types: &BTreeMap<String, TypeDef>, roots: Vec<RType>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = roots;
    while let Some(t) = stack.pop() {
        match t {
            RType::List(inner, _) | RType::Map(inner, _) => stack.push(*inner),
            RType::Struct(n) | RType::Union(n) | RType::Enum(n) | RType::IntEnum(n)
                if out.insert(n.clone()) =>
            {
                if let Some(TypeDef::Struct(s) | TypeDef::Union(s)) = types.get(&n) {
                    stack.extend(s.fields.iter().map(|f| f.ty.clone()));
                }
            }
            _ => {}
        }
    }
    out
}
