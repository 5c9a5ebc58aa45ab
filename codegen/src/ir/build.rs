//! Building the IR from a normalised model: names first ([`Builder::new`]), then the service
//! description, the data types, and each operation, one concern per method.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value as Json;

use super::http::{HostPrefix, HttpBinding};
use super::value::typed_fields;
use super::*;
use crate::auth::{self, Auth};
use crate::docs::html_to_markdown;
use crate::error::{CodegenError, Result};
use crate::model::{self, ids, Model, Paginated, Shape, ShapeId, ShapeKind, TimestampFormat};
use crate::names;
use crate::protocol::{Protocol, ProtocolGenerator, Role};
use crate::transform;

pub(super) struct Builder<'m> {
    model: &'m Model,
    sid: ShapeId,
    /// Shape id → Rust type name, for every aggregate/enum shape in the closure.
    names: BTreeMap<ShapeId, String>,
    boxed: BTreeSet<(ShapeId, String)>,
    protocol: Protocol,
    proto: &'static dyn ProtocolGenerator,
}

/// The service-level facts every operation needs.
struct ServiceMeta {
    title: String,
    sdk_id: Option<String>,
    service_schemes: Vec<String>,
    service_auth: Auth,
    endpoint_rules: String,
    endpoint_tests: Vec<Json>,
    paginated: Option<Paginated>,
}

/// What building the operations gathers besides the operations.
#[derive(Default)]
struct OperationsOut {
    operations: Vec<Operation>,
    ser_roots: Vec<RType>,
    de_roots: Vec<RType>,
    smoke_tests: Vec<SmokeTest>,
    notes: Vec<String>,
}

impl<'m> Builder<'m> {
    /// Gives every type of the service closure its Rust name (renames applied, collisions
    /// settled by the namespace), and picks the protocol.
    pub(super) fn new(model: &'m Model, sid: &str) -> Result<Self> {
        let protocol = Protocol::of_service(model.expect(sid, sid)?)?;
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
                    name = names::qualified_type_name(model::namespace(id), &base);
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
            protocol,
            proto: protocol.generator(),
        })
    }

    /// The whole service.
    pub(super) fn service(self, crate_name: &str) -> Result<Service> {
        let svc_shape = self.model.expect(&self.sid, &self.sid)?;
        let ShapeKind::Service(svc) = &svc_shape.kind else {
            return Err(CodegenError::shape(&self.sid, "is not a service"));
        };
        let meta = self.service_meta(svc_shape)?;
        let (types, mut event_streams) = self.types()?;
        let mut out = OperationsOut::default();
        let mut fn_names = BTreeSet::new();
        for op_id in transform::operations(self.model, &self.sid)? {
            self.operation(&op_id, &meta, &types, &mut fn_names, &mut out)?;
        }
        for op in &out.operations {
            if let Some(u) = op.input_events() {
                if let Some(e) = event_streams.get_mut(u) {
                    e.sent = true;
                }
            }
            if let Some(u) = op.output_events() {
                if let Some(e) = event_streams.get_mut(u) {
                    e.received = true;
                }
            }
        }
        event_streams.retain(|_, e| e.sent || e.received);
        let ser = reachable(&types, &event_streams, out.ser_roots, true);
        let de = reachable(&types, &event_streams, out.de_roots, false);
        // The runtime's default auth is SigV4 exactly when the service has a signing name: give
        // it one when the service or any operation signs.
        let signs = meta.service_auth.signs() || out.operations.iter().any(|o| o.auth.signs());
        let signing_name = match svc_shape.traits.sigv4_name(&self.sid)? {
            Some(n) if signs => Some(n.to_string()),
            _ => None,
        };
        let default_auth = if signing_name.is_some() {
            Auth::SigV4
        } else {
            Auth::None
        };
        Ok(Service {
            shape: self.sid.clone(),
            shape_name: svc_shape.name().to_string(),
            crate_name: crate_name.to_string(),
            title: meta.title,
            docs: self.docs(svc_shape)?,
            version: svc.version.clone(),
            sdk_id: meta.sdk_id,
            signing_name,
            auth: default_auth,
            protocol: self.protocol,
            endpoint_rules: meta.endpoint_rules,
            endpoint_tests: meta.endpoint_tests,
            smoke_tests: out.smoke_tests,
            operations: out.operations,
            types,
            ser,
            de,
            notes: out.notes,
            xml_namespace: xml_namespace(&self.sid, &svc_shape.traits)?,
            query_compatible: svc_shape.traits.has(ids::AWS_QUERY_COMPATIBLE)
                && matches!(self.protocol, Protocol::AwsJson10 | Protocol::AwsJson11),
            event_stream_http2: event_stream_http2(svc_shape, self.protocol),
            waiters: Vec::new(),
            endpoint_discovery: None,
            event_streams,
        })
    }

    /// Title, sdkId, auth, endpoint rules and tests, default pagination of the service.
    fn service_meta(&self, svc_shape: &Shape) -> Result<ServiceMeta> {
        let sid = &self.sid;
        let t = &svc_shape.traits;
        let sdk_id = t.aws_service(sid)?.map(|a| a.sdk_id);
        let title = t
            .title(sid)?
            .map(str::to_string)
            .or_else(|| sdk_id.clone())
            .unwrap_or_else(|| svc_shape.name().to_string());
        let service_schemes = auth::service_schemes(self.model, svc_shape)?;
        let service_auth = auth::choose(sid, &service_schemes, false)?;
        let endpoint_rules = match t.endpoint_rule_set(sid)? {
            Some(r) => serde_json::to_string(r)
                .map_err(|e| CodegenError::shape(sid, format!("endpoint rule set: {e}")))?,
            None => String::new(),
        };
        let endpoint_tests = match t.endpoint_tests(sid)? {
            Some(o) => match o.get("testCases") {
                Some(Json::Array(a)) => a.clone(),
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
        Ok(ServiceMeta {
            title,
            sdk_id,
            service_schemes,
            service_auth,
            endpoint_rules,
            endpoint_tests,
            paginated: t.paginated(sid)?,
        })
    }

    /// Every named data type: structures, unions, enums, errors; and the event streams (whose
    /// unions keep only their events: the error members go to the [`EventStream`]).
    fn types(&self) -> Result<(BTreeMap<String, TypeDef>, BTreeMap<String, EventStream>)> {
        let mut types = BTreeMap::new();
        let mut streams = BTreeMap::new();
        for (id, name) in &self.names {
            let shape = self.model.expect(id, &self.sid)?;
            let def = match &shape.kind {
                ShapeKind::Structure => {
                    let role = if shape.traits.error(id)?.is_some() {
                        Role::Error
                    } else {
                        Role::Nested
                    };
                    let mut s = self.structure(shape, name.clone(), role)?;
                    if role == Role::Error {
                        self.proto.check_response(id, &s)?;
                    }
                    event_locations(shape, &mut s)?;
                    TypeDef::Struct(s)
                }
                ShapeKind::Union if shape.traits.has(ids::STREAMING) => {
                    let mut s = self.structure(shape, name.clone(), Role::Nested)?;
                    let mut errors = Vec::new();
                    let mut events = Vec::new();
                    for (f, m) in s.fields.drain(..).zip(&shape.members) {
                        let target = self.model.expect(&m.target, id)?;
                        match &f.ty {
                            RType::Struct(n) if target.traits.error(&target.id)?.is_some() => {
                                errors.push((f.variant.clone(), n.clone(), f.member.clone()));
                            }
                            RType::Struct(_) => events.push(f),
                            _ => {
                                return Err(CodegenError::shape(
                                    format!("{id}${}", m.name),
                                    "an event stream's members must target structures",
                                ))
                            }
                        }
                    }
                    s.fields = events;
                    streams.insert(
                        name.clone(),
                        EventStream {
                            union: name.clone(),
                            errors,
                            sent: false,
                            received: false,
                        },
                    );
                    TypeDef::Union(s)
                }
                ShapeKind::Union => {
                    TypeDef::Union(self.structure(shape, name.clone(), Role::Nested)?)
                }
                ShapeKind::Enum | ShapeKind::IntEnum | ShapeKind::String => {
                    TypeDef::Enum(self.enumeration(shape, name.clone())?)
                }
                _ => continue,
            };
            types.insert(name.clone(), def);
        }
        Ok((types, streams))
    }

    /// One operation, added to `out` with what it roots and contributes.
    fn operation(
        &self,
        op_id: &str,
        meta: &ServiceMeta,
        types: &BTreeMap<String, TypeDef>,
        fn_names: &mut BTreeSet<String>,
        out: &mut OperationsOut,
    ) -> Result<()> {
        let m = self.model;
        let shape = m.expect(op_id, &self.sid)?;
        let ShapeKind::Operation(o) = &shape.kind else {
            return Ok(());
        };
        // Operations cannot be renamed (`transform::check_renames`): the name is also the
        // `X-Amz-Target` suffix.
        let name = shape.name().to_string();
        let fn_name = names::fn_name(&name);
        if !fn_names.insert(fn_name.clone()) {
            return Err(CodegenError::shape(
                op_id,
                format!("two operations map to the Rust name `{fn_name}`"),
            ));
        }
        let type_names = names::op_type_names(&name);
        let input = self.io(
            op_id,
            &o.input,
            &type_names.input,
            "input",
            &fn_name,
            Role::Input,
        )?;
        let output = self.io(
            op_id,
            &o.output,
            &type_names.output,
            "output",
            &fn_name,
            Role::Output,
        )?;
        self.proto.check_response(op_id, &output)?;
        out.ser_roots
            .extend(input.fields.iter().map(|f| f.ty.clone()));
        out.de_roots
            .extend(output.fields.iter().map(|f| f.ty.clone()));
        let errors = self.errors(op_id, &o.errors)?;
        out.de_roots
            .extend(errors.iter().map(|e| RType::Struct(e.clone())));
        let pagination = self.pagination(op_id, shape, meta, &input, &output, types)?;
        let mut examples = Vec::new();
        for ex in shape.traits.examples(op_id)?.into_iter().flatten() {
            match example(types, &input, &output, ex) {
                Ok(e) => examples.push(e),
                Err(why) => out.notes.push(format!(
                    "shape {op_id}: example {:?} left out: {why}",
                    ex.get("title").and_then(Json::as_str).unwrap_or("")
                )),
            }
        }
        for case in shape.traits.smoke_tests(op_id)?.into_iter().flatten() {
            match smoke_test(types, &input, &fn_name, case) {
                Ok(t) => out.smoke_tests.push(t),
                Err(why) => out.notes.push(format!(
                    "shape {op_id}: smoke test {:?} left out: {why}",
                    case.get("id").and_then(Json::as_str).unwrap_or("")
                )),
            }
        }
        let optional_auth = shape.traits.has(ids::OPTIONAL_AUTH)
            || shape
                .traits
                .get(ids::AUTH)
                .and_then(Json::as_array)
                .is_some_and(Vec::is_empty);
        let svc_shape = m.expect(&self.sid, &self.sid)?;
        let op_schemes = auth::operation_schemes(m, svc_shape, &meta.service_schemes, shape)?;
        let op_auth = auth::choose(op_id, &op_schemes, shape.traits.has(ids::OPTIONAL_AUTH))?;
        let host_prefix = self.host_prefix(op_id, shape, o.input.as_deref(), &input)?;
        let http: HttpBinding = self.proto.http(shape, &input)?;
        let not_callable = self
            .event_stream(o.input.as_deref())
            .filter(|_| !self.proto.event_streams(true))
            .or_else(|| {
                self.event_stream(o.output.as_deref())
                    .filter(|_| !self.proto.event_streams(false))
            })
            .map(|m| {
                format!(
                    "its member `{m}` is an event stream, which this client does not support yet \
                     over {}",
                    self.protocol.trait_id()
                )
            });
        let endpoint_params = endpoint_params(op_id, shape, o.input.as_deref(), m, &input)?;
        let checksum = http_checksum(op_id, shape, &input)?;
        let compression = match shape.traits.get(ids::REQUEST_COMPRESSION) {
            None => Vec::new(),
            Some(v) => v
                .get("encodings")
                .and_then(Json::as_array)
                .ok_or_else(|| {
                    CodegenError::shape(op_id, "requestCompression must list its `encodings`")
                })?
                .iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect(),
        };
        out.operations.push(Operation {
            endpoint_discovery: None,
            status_errors: Vec::new(),
            compression,
            error_in_success: false,
            checksum,
            unwrapped_output: shape.traits.has(ids::S3_UNWRAPPED_XML_OUTPUT),
            endpoint_params,
            shape: op_id.to_string(),
            docs: self.docs(shape)?,
            module: names::module_name(&name),
            types: type_names,
            fn_name,
            name,
            input,
            output,
            errors,
            pagination,
            examples,
            deprecated: shape.traits.deprecated(op_id)?,
            optional_auth,
            auth: op_auth,
            host_prefix,
            http,
            not_callable,
        });
        Ok(())
    }

    /// An operation's input or output structure (an empty one for `smithy.api#Unit`).
    fn io(
        &self,
        op_id: &str,
        target: &Option<ShapeId>,
        rust: &str,
        what: &str,
        fn_name: &str,
        role: Role,
    ) -> Result<Struct> {
        match target {
            Some(t) if t != crate::prelude::UNIT => {
                let s = self.model.expect(t, op_id)?;
                if s.kind != ShapeKind::Structure {
                    return Err(CodegenError::shape(
                        op_id,
                        format!("{what} `{t}` is not a structure"),
                    ));
                }
                let mut st = self.structure(s, rust.to_string(), role)?;
                if st.docs.is_empty() || st.docs.starts_with("The `") {
                    st.docs = format!("The {what} of [`{fn_name}`](crate::Client::{fn_name}).");
                }
                Ok(st)
            }
            _ => Ok(Struct {
                shape: crate::prelude::UNIT.to_string(),
                name: rust.to_string(),
                docs: format!("The (empty) {what} of [`{fn_name}`](crate::Client::{fn_name})."),
                fields: Vec::new(),
                sensitive: false,
                error: None,
                deprecated: None,
                xml_name: rust.to_string(),
                xml_namespace: None,
            }),
        }
    }

    /// The error type names of an operation, each checked to be an error structure.
    fn errors(&self, op_id: &str, errors: &[ShapeId]) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for e in errors {
            let es = self.model.expect(e, op_id)?;
            if es.traits.error(e)?.is_none() {
                return Err(CodegenError::shape(
                    op_id,
                    format!("lists `{e}` as an error, but it has no smithy.api#error trait"),
                ));
            }
            let n = self
                .names
                .get(e)
                .cloned()
                .ok_or_else(|| CodegenError::shape(e, "error shape is not a structure"))?;
            if !out.contains(&n) {
                out.push(n);
            }
        }
        Ok(out)
    }

    /// `@paginated` merged with the service's defaults, resolved against the input and output.
    /// Pagination the client cannot drive (tokens that are not strings, a token path that
    /// leads nowhere) gives none: the operation is still callable page by page by hand.
    fn pagination(
        &self,
        op_id: &str,
        shape: &Shape,
        meta: &ServiceMeta,
        input: &Struct,
        output: &Struct,
        types: &BTreeMap<String, TypeDef>,
    ) -> Result<Option<Pagination>> {
        let Some(mut p) = shape.traits.paginated(op_id)? else {
            return Ok(None);
        };
        if let Some(d) = &meta.paginated {
            p.input_token = p.input_token.take().or_else(|| d.input_token.clone());
            p.output_token = p.output_token.take().or_else(|| d.output_token.clone());
            p.items = p.items.take().or_else(|| d.items.clone());
            p.page_size = p.page_size.take().or_else(|| d.page_size.clone());
        }
        let (Some(in_tok), Some(out_tok)) = (&p.input_token, &p.output_token) else {
            return Ok(None);
        };
        let Some(input_token) = input.field(in_tok) else {
            return Ok(None);
        };
        let Some(output_token) = field_path(types, output, out_tok) else {
            return Ok(None);
        };
        if input_token.ty != RType::String
            || output_token.last().is_none_or(|f| f.ty != RType::String)
        {
            return Ok(None);
        }
        let items = p
            .items
            .as_ref()
            .and_then(|i| field_path(types, output, i))
            .filter(|path| matches!(path.last().map(|f| &f.ty), Some(RType::List(_, false))));
        Ok(Some(Pagination {
            input_token: input_token.clone(),
            output_token,
            output_token_path: out_tok.clone(),
            items,
            page_size: p.page_size.as_ref().and_then(|ps| input.field(ps)).cloned(),
        }))
    }

    /// The parsed `smithy.api#endpoint` host prefix of an operation.
    fn host_prefix(
        &self,
        op_id: &str,
        shape: &Shape,
        input_id: Option<&str>,
        input: &Struct,
    ) -> Result<Option<HostPrefix>> {
        let Some(v) = shape.traits.get(ids::ENDPOINT) else {
            return Ok(None);
        };
        let template = v.get("hostPrefix").and_then(Json::as_str).ok_or_else(|| {
            CodegenError::shape(
                op_id,
                "trait smithy.api#endpoint must have a string `hostPrefix`",
            )
        })?;
        let host_labels: Vec<String> = input_id
            .and_then(|id| self.model.shapes.get(id))
            .map(|s| {
                s.members
                    .iter()
                    .filter(|m| m.traits.has(ids::HOST_LABEL))
                    .map(|m| m.name.clone())
                    .collect()
            })
            .unwrap_or_default();
        HostPrefix::parse(op_id, template, input, &host_labels).map(Some)
    }

    /// The member of structure `id` that is an event stream (targets a `@streaming` union).
    fn event_stream(&self, id: Option<&str>) -> Option<String> {
        let s = self.model.shapes.get(id?)?;
        s.members
            .iter()
            .find(|m| {
                self.model
                    .shapes
                    .get(&m.target)
                    .is_some_and(|t| t.kind == ShapeKind::Union && t.traits.has(ids::STREAMING))
            })
            .map(|m| m.name.clone())
    }

    fn docs(&self, shape: &Shape) -> Result<String> {
        Ok(shape
            .traits
            .documentation(&shape.id)?
            .map(html_to_markdown)
            .unwrap_or_default())
    }

    /// A structure (or union) in `role`: its fields with their Rust names and types, their
    /// locations and wire names as the protocol decides.
    fn structure(&self, shape: &Shape, name: String, role: Role) -> Result<Struct> {
        let id = &shape.id;
        let is_union = shape.kind == ShapeKind::Union;
        let role = if is_union { Role::Nested } else { role };
        let member_names: Vec<&str> = shape.members.iter().map(|m| m.name.as_str()).collect();
        let field_names = names::member_fields(member_names.iter().copied());
        let variant_names = names::union_variants(member_names.iter().copied());
        let mut fields = Vec::new();
        for ((m, fname), vname) in shape.members.iter().zip(field_names).zip(variant_names) {
            let mid = format!("{id}${}", m.name);
            let target = self.model.expect(&m.target, &mid)?;
            let location = self.proto.location(role, &mid, m)?;
            let ts_default = self.proto.default_timestamp_format(&location);
            let streaming_payload = role == Role::Output
                && location == Location::Payload
                && target.kind == ShapeKind::Blob
                && target.traits.has(ids::STREAMING);
            let event_stream = target.kind == ShapeKind::Union && target.traits.has(ids::STREAMING);
            let ty = if streaming_payload {
                RType::Stream
            } else if event_stream && matches!(role, Role::Input | Role::Output) {
                let n = self.name_of(&target.id, &mid)?;
                if role == Role::Input {
                    RType::EventInput(n)
                } else {
                    RType::EventOutput(n)
                }
            } else {
                self.rtype(&mid, &m.traits, target, ts_default)?
            };
            let required = m.traits.required();
            let default = match m
                .traits
                .default_value()
                .or_else(|| target.traits.default_value())
            {
                Some(Json::Null) | None => None,
                Some(v) => Some(v.clone()),
            };
            let default = if default.is_some() && m.traits.default_value().is_none() && !required {
                // A target's default only applies when the member opts in with its own @default.
                None
            } else {
                default
            };
            // A streamed payload is always there (empty when the response has no body).
            let default = if ty == RType::Stream {
                Some(Json::String(String::new()))
            } else {
                default
            };
            // Streams are always there: empty when the response (or the caller) has none.
            let always = matches!(
                ty,
                RType::Stream | RType::EventInput(_) | RType::EventOutput(_)
            );
            let client_optional = m.traits.client_optional() && !always;
            let optional =
                !always && (is_union || client_optional || !(required || default.is_some()));
            let docs = match m.traits.documentation(&mid)? {
                Some(d) => html_to_markdown(d),
                None => target
                    .traits
                    .documentation(&target.id)?
                    .map(html_to_markdown)
                    .unwrap_or_default(),
            };
            if let Some(d) = &default {
                check_default(&mid, &ty, d)?;
            }
            fields.push(Field {
                member: m.name.clone(),
                wire: self.proto.wire_name(&mid, m)?,
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
                media_type: target.traits.media_type(&target.id)?.map(str::to_string),
                location,
                ty,
                xml: self.xml_info(&mid, m, target)?,
            });
        }
        let error = match shape.traits.error(id)? {
            None => None,
            Some(fault) => Some(ErrorInfo {
                code: self.error_code(shape)?,
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
            xml_name: xml_name(id, &shape.traits)?
                .unwrap_or(shape.name())
                .to_string(),
            xml_namespace: xml_namespace(id, &shape.traits)?,
        })
    }

    /// The wire code of an error structure: the shape name, or for awsQuery the code of its
    /// `@awsQueryError`.
    fn error_code(&self, shape: &Shape) -> Result<String> {
        if self.protocol == Protocol::AwsQuery {
            if let Some(v) = shape.traits.get(ids::AWS_QUERY_ERROR) {
                return v
                    .get("code")
                    .and_then(Json::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| {
                        CodegenError::shape(&shape.id, "awsQueryError must have a string `code`")
                    });
            }
        }
        Ok(shape.name().to_string())
    }

    /// The XML and query names of member `m` (id `mid`) targeting `target`.
    fn xml_info(&self, mid: &str, m: &model::Member, target: &Shape) -> Result<XmlInfo> {
        let name = xml_name(mid, &m.traits)?.unwrap_or(&m.name).to_string();
        let ec2_name = match m.traits.get(ids::EC2_QUERY_NAME) {
            Some(v) => v
                .as_str()
                .ok_or_else(|| CodegenError::shape(mid, "ec2QueryName must be a string"))?
                .to_string(),
            None => {
                let mut c = name.chars();
                c.next()
                    .map(|f| f.to_uppercase().chain(c).collect())
                    .unwrap_or_default()
            }
        };
        Ok(XmlInfo {
            name,
            ec2_name,
            attribute: m.traits.has(ids::XML_ATTRIBUTE),
            flattened: m.traits.has(ids::XML_FLATTENED),
            namespace: xml_namespace(mid, &m.traits)?,
            items: self.xml_items(target)?,
        })
    }

    /// The element names inside a list or map shape.
    fn xml_items(&self, target: &Shape) -> Result<Option<Box<XmlItems>>> {
        let member = |name: &str| -> Result<(String, Option<XmlNamespace>, Option<Box<XmlItems>>)> {
            let Some(m) = target.member(name) else {
                return Ok((name.to_string(), None, None));
            };
            let mid = format!("{}${name}", target.id);
            let t = self.model.expect(&m.target, &mid)?;
            Ok((
                xml_name(&mid, &m.traits)?.unwrap_or(name).to_string(),
                xml_namespace(&mid, &m.traits)?,
                self.xml_items(t)?,
            ))
        };
        Ok(match target.kind {
            ShapeKind::List => {
                let (name, namespace, inner) = member("member")?;
                Some(Box::new(XmlItems {
                    name,
                    namespace,
                    value: String::new(),
                    value_namespace: None,
                    inner,
                }))
            }
            ShapeKind::Map => {
                let (name, namespace, _) = member("key")?;
                let (value, value_namespace, inner) = member("value")?;
                Some(Box::new(XmlItems {
                    name,
                    namespace,
                    value,
                    value_namespace,
                    inner,
                }))
            }
            _ => None,
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
                    let v = i32::try_from(v).map_err(|_| {
                        CodegenError::shape(
                            &mid,
                            format!("intEnum value {v} does not fit a 32-bit integer"),
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

    /// The Rust type of a member targeting `target`; timestamps without a format take
    /// `ts_default` (the format of the member's location), also inside lists and maps.
    fn rtype(
        &self,
        owner: &str,
        member_traits: &model::Traits,
        target: &Shape,
        ts_default: TimestampFormat,
    ) -> Result<RType> {
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
            ShapeKind::Long => RType::I64,
            ShapeKind::BigInteger => RType::BigInteger,
            ShapeKind::Float => RType::F32,
            ShapeKind::Double => RType::F64,
            ShapeKind::BigDecimal => RType::BigDecimal,
            ShapeKind::Timestamp => RType::Timestamp(
                member_traits
                    .timestamp_format(owner)?
                    .or(target.traits.timestamp_format(&target.id)?)
                    .unwrap_or(ts_default),
            ),
            ShapeKind::Document => RType::Document,
            ShapeKind::Enum => RType::Enum(self.name_of(&target.id, owner)?),
            ShapeKind::IntEnum => RType::IntEnum(self.name_of(&target.id, owner)?),
            ShapeKind::Structure if target.id == crate::prelude::UNIT => RType::Unit,
            ShapeKind::Structure => RType::Struct(self.name_of(&target.id, owner)?),
            ShapeKind::Union => RType::Union(self.name_of(&target.id, owner)?),
            ShapeKind::List => {
                let m = target
                    .member("member")
                    .ok_or_else(|| CodegenError::shape(&target.id, "list without a member"))?;
                let mid = format!("{}$member", target.id);
                let t = self.model.expect(&m.target, &mid)?;
                RType::List(
                    Box::new(self.rtype(&mid, &m.traits, t, ts_default)?),
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
                    Box::new(self.rtype(&mid, &v.traits, t, ts_default)?),
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

/// One example typed against the operation's input and output.
fn example(
    types: &BTreeMap<String, TypeDef>,
    input: &Struct,
    output: &Struct,
    ex: &Json,
) -> std::result::Result<Example, String> {
    let input_json = ex
        .get("input")
        .cloned()
        .unwrap_or_else(|| Json::Object(Default::default()));
    let input_obj = input_json
        .as_object()
        .ok_or("the example input is not an object")?;
    let typed_input =
        typed_fields(types, &input.fields, input_obj).map_err(|e| format!("input: {e}"))?;
    let (output_vals, output_json) = match ex.get("output") {
        Some(Json::Object(o)) => (
            Some(typed_fields(types, &output.fields, o).map_err(|e| format!("output: {e}"))?),
            Some(Json::Object(o.clone())),
        ),
        _ => (None, None),
    };
    Ok(Example {
        title: ex
            .get("title")
            .and_then(Json::as_str)
            .unwrap_or("Example")
            .to_string(),
        docs: ex
            .get("documentation")
            .and_then(Json::as_str)
            .map(html_to_markdown)
            .unwrap_or_default(),
        input: typed_input,
        input_json,
        output: output_vals,
        output_json,
    })
}

/// One smoke test typed against the operation's input.
fn smoke_test(
    types: &BTreeMap<String, TypeDef>,
    input: &Struct,
    fn_name: &str,
    case: &Json,
) -> std::result::Result<SmokeTest, String> {
    let params = match case.get("params") {
        Some(Json::Object(o)) => typed_fields(types, &input.fields, o)?,
        None => Vec::new(),
        Some(_) => return Err("`params` is not an object".to_string()),
    };
    Ok(SmokeTest {
        id: case
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or("smoke")
            .to_string(),
        fn_name: fn_name.to_string(),
        params,
        expect_success: case
            .get("expect")
            .is_some_and(|e| e.get("success").is_some()),
        region: case
            .get("vendorParams")
            .and_then(|v| v.get("region"))
            .and_then(Json::as_str)
            .unwrap_or("us-east-1")
            .to_string(),
    })
}

/// The fields along a `a.b.c` member path from `root` (every step but the last a structure).
fn field_path(types: &BTreeMap<String, TypeDef>, root: &Struct, path: &str) -> Option<Vec<Field>> {
    let mut out = Vec::new();
    let mut current = root;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let f = current.field(part)?;
        out.push(f.clone());
        if i + 1 < parts.len() {
            let RType::Struct(n) = &f.ty else { return None };
            let Some(TypeDef::Struct(s)) = types.get(n) else {
                return None;
            };
            current = s;
        }
    }
    Some(out)
}

/// Whether the protocol trait of the service asks for HTTP/2 on event streams: its
/// `eventStreamHttp` list (else its `http` list) names `h2` and not `http/1.1`.
fn event_stream_http2(service: &Shape, protocol: Protocol) -> bool {
    let Some(t) = service.traits.get(protocol.trait_id()) else {
        return false;
    };
    let list = |key: &str| {
        t.get(key).and_then(Json::as_array).map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
    };
    let versions = list("eventStreamHttp")
        .or_else(|| list("http"))
        .unwrap_or_default();
    versions.iter().any(|v| v == "h2") && !versions.iter().any(|v| v == "http/1.1")
}

/// An event structure's members bound to the event's headers (`@eventHeader`) and payload
/// (`@eventPayload`) get those locations; the others form the implicit payload.
fn event_locations(shape: &Shape, s: &mut Struct) -> Result<()> {
    for (f, m) in s.fields.iter_mut().zip(&shape.members) {
        if m.traits.has(ids::EVENT_HEADER) {
            f.location = Location::Header(m.name.clone());
        } else if m.traits.has(ids::EVENT_PAYLOAD) {
            f.location = Location::Payload;
        }
    }
    let payloads = s
        .fields
        .iter()
        .filter(|f| f.location == Location::Payload)
        .count();
    let implicit = s.fields.iter().any(|f| f.location == Location::Body);
    if payloads > 1 || (payloads == 1 && implicit) {
        return Err(CodegenError::shape(
            &shape.id,
            "an event with an @eventPayload member can have no other members than @eventHeader ones",
        ));
    }
    Ok(())
}

fn needs_type(shape: &Shape) -> bool {
    match shape.kind {
        ShapeKind::Structure => shape.id != crate::prelude::UNIT,
        ShapeKind::Union | ShapeKind::Enum | ShapeKind::IntEnum => true,
        ShapeKind::String => shape.traits.has(ids::ENUM),
        _ => false,
    }
}

/// Checks that a `@default` value fits the member's type: integers within their type's range,
/// empty lists and maps, ...
pub(super) fn check_default(owner: &str, ty: &RType, v: &Json) -> Result<()> {
    let int_range = |lo: i64, hi: i64| v.as_i64().is_some_and(|i| (lo..=hi).contains(&i));
    let ok = match ty {
        RType::Bool => v.is_boolean(),
        RType::I8 => int_range(i8::MIN.into(), i8::MAX.into()),
        RType::I16 => int_range(i16::MIN.into(), i16::MAX.into()),
        RType::I32 | RType::IntEnum(_) => int_range(i32::MIN.into(), i32::MAX.into()),
        RType::I64 => v.is_i64(),
        RType::F32 => v.as_f64().is_some_and(|f| f.abs() <= f64::from(f32::MAX)),
        RType::F64 => v.is_number(),
        RType::BigInteger | RType::BigDecimal => super::value::big_text(ty, v).is_some(),
        RType::String
        | RType::SensitiveString
        | RType::Enum(_)
        | RType::Blob
        | RType::SensitiveBlob => v.is_string(),
        RType::Timestamp(_) => v.is_number() || v.is_string(),
        RType::List(..) => v.as_array().is_some_and(Vec::is_empty),
        RType::Map(..) => v.as_object().is_some_and(serde_json::Map::is_empty),
        RType::Document => true,
        RType::Struct(_) | RType::Union(_) | RType::Unit => false,
        RType::Stream => v.as_str() == Some(""),
        RType::EventInput(_) | RType::EventOutput(_) => false,
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
fn reachable(
    types: &BTreeMap<String, TypeDef>,
    streams: &BTreeMap<String, EventStream>,
    roots: Vec<RType>,
    ser: bool,
) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = roots;
    while let Some(t) = stack.pop() {
        match t {
            // The events are read and written member by member (the event stream module);
            // only a written implicit payload uses the event structure's serializer.
            RType::EventInput(n) | RType::EventOutput(n) => {
                if let Some(s) = streams.get(&n) {
                    stack.extend(s.errors.iter().map(|(_, e, _)| RType::Struct(e.clone())));
                }
                let Some(TypeDef::Union(u)) = types.get(&n) else {
                    continue;
                };
                for f in &u.fields {
                    let RType::Struct(e) = &f.ty else { continue };
                    let Some(TypeDef::Struct(ev)) = types.get(e) else {
                        continue;
                    };
                    if ser && ev.body_fields().next().is_some() {
                        stack.push(f.ty.clone());
                    } else {
                        stack.extend(ev.fields.iter().map(|x| x.ty.clone()));
                    }
                }
            }
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

/// `@xmlName` of a shape or member.
fn xml_name<'a>(id: &str, traits: &'a model::Traits) -> Result<Option<&'a str>> {
    match traits.get(ids::XML_NAME) {
        None => Ok(None),
        Some(v) => v
            .as_str()
            .map(Some)
            .ok_or_else(|| CodegenError::shape(id, "xmlName must be a string")),
    }
}

/// `@xmlNamespace` of a shape or member.
fn xml_namespace(id: &str, traits: &model::Traits) -> Result<Option<XmlNamespace>> {
    let Some(v) = traits.get(ids::XML_NAMESPACE) else {
        return Ok(None);
    };
    let uri = v
        .get("uri")
        .and_then(Json::as_str)
        .ok_or_else(|| CodegenError::shape(id, "xmlNamespace must have a string `uri`"))?;
    Ok(Some(XmlNamespace {
        uri: uri.to_string(),
        prefix: v.get("prefix").and_then(Json::as_str).map(str::to_string),
    }))
}

/// The endpoint-rule parameters operation `op` sets: `@staticContextParams` on it and
/// `@contextParam` on members of its input (strings, enums and booleans; others are refused).
fn endpoint_params(
    op_id: &str,
    op: &Shape,
    input_id: Option<&str>,
    model: &Model,
    input: &Struct,
) -> Result<Vec<EndpointParam>> {
    let mut out = Vec::new();
    if let Some(v) = op.traits.get(ids::STATIC_CONTEXT_PARAMS) {
        let o = v
            .as_object()
            .ok_or_else(|| CodegenError::shape(op_id, "staticContextParams must be an object"))?;
        for (param, def) in o {
            let value = def.get("value").cloned().ok_or_else(|| {
                CodegenError::shape(op_id, format!("staticContextParams.{param} has no value"))
            })?;
            out.push(EndpointParam::Static {
                param: param.clone(),
                value,
            });
        }
    }
    let Some(shape) = input_id.and_then(|id| model.shapes.get(id)) else {
        return Ok(out);
    };
    for m in &shape.members {
        let Some(v) = m.traits.get(ids::CONTEXT_PARAM) else {
            continue;
        };
        let mid = format!("{}${}", shape.id, m.name);
        let param = v
            .get("name")
            .and_then(Json::as_str)
            .ok_or_else(|| CodegenError::shape(&mid, "contextParam must have a string `name`"))?;
        let Some(f) = input.field(&m.name) else {
            continue;
        };
        if !matches!(f.ty, RType::String | RType::Enum(_) | RType::Bool) {
            return Err(CodegenError::shape(
                &mid,
                format!("contextParam on a {:?} member is not supported", f.ty),
            ));
        }
        out.push(EndpointParam::Member {
            param: param.to_string(),
            field: f.name.clone(),
            ty: f.ty.clone(),
            optional: f.optional,
        });
    }
    Ok(out)
}

/// The `@httpChecksum` (or `@httpChecksumRequired`) of operation `op`, with its members
/// resolved to input fields.
fn http_checksum(op_id: &str, op: &Shape, input: &Struct) -> Result<Option<HttpChecksum>> {
    let required_trait = op.traits.has(ids::HTTP_CHECKSUM_REQUIRED);
    let Some(v) = op.traits.get(ids::HTTP_CHECKSUM) else {
        return Ok(required_trait.then(|| HttpChecksum {
            algorithm_field: None,
            required: true,
            validation_field: None,
            response_algorithms: Vec::new(),
        }));
    };
    let field = |key: &str| -> Result<Option<&Field>> {
        let Some(name) = v.get(key) else {
            return Ok(None);
        };
        let name = name.as_str().ok_or_else(|| {
            CodegenError::shape(op_id, format!("httpChecksum `{key}` must be a string"))
        })?;
        let f = input.field(name).ok_or_else(|| {
            CodegenError::shape(
                op_id,
                format!("httpChecksum `{key}` names no input member `{name}`"),
            )
        })?;
        if !matches!(f.ty, RType::Enum(_) | RType::String) {
            return Err(CodegenError::shape(
                op_id,
                format!("httpChecksum `{key}` member `{name}` must be a string or enum"),
            ));
        }
        Ok(Some(f))
    };
    let algorithm_field = field("requestAlgorithmMember")?.map(|f| {
        let header = match &f.location {
            Location::Header(h) => Some(h.clone()),
            _ => None,
        };
        (f.name.clone(), f.optional, header)
    });
    let validation_field =
        field("requestValidationModeMember")?.map(|f| (f.name.clone(), f.optional));
    let response_algorithms = v
        .get("responseAlgorithms")
        .and_then(Json::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Json::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    Ok(Some(HttpChecksum {
        algorithm_field,
        required: required_trait
            || v.get("requestChecksumRequired").and_then(Json::as_bool) == Some(true),
        validation_field,
        response_algorithms,
    }))
}
