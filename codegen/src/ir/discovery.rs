//! Endpoint discovery in the IR: the service's `aws.api#clientEndpointDiscovery` (which
//! operation discovers endpoints, which error says one is no longer valid), each operation's
//! `aws.api#clientDiscoveredEndpoint` and its input members marked
//! `aws.api#clientEndpointDiscoveryId`. Everything is checked here, against the IR of the
//! discovery operation, so the emitters ([`crate::emit::discovery`]) only read decisions.

use serde_json::Value as Json;

use super::{Operation, RType, Service, Struct, TypeDef};
use crate::error::{CodegenError, Result};
use crate::model::{shape_name, Model, ShapeKind};

/// `aws.api#clientEndpointDiscovery` on the service.
pub const CLIENT_ENDPOINT_DISCOVERY: &str = "aws.api#clientEndpointDiscovery";
/// `aws.api#clientDiscoveredEndpoint` on an operation.
pub const CLIENT_DISCOVERED_ENDPOINT: &str = "aws.api#clientDiscoveredEndpoint";
/// `aws.api#clientEndpointDiscoveryId` on an input member.
pub const CLIENT_ENDPOINT_DISCOVERY_ID: &str = "aws.api#clientEndpointDiscoveryId";

/// A field of a generated structure the discovery code reads or sets: its Rust name and
/// whether it is an `Option`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRef {
    /// The Rust field name.
    pub name: String,
    /// Whether the field is an `Option`.
    pub optional: bool,
}

/// The service's endpoint discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceDiscovery {
    /// The discovery operation's name (`DescribeEndpoints`).
    pub operation: String,
    /// Its module under `operation::`.
    pub module: String,
    /// The code of the error that invalidates a discovered endpoint (`InvalidEndpointException`).
    pub error_code: String,
    /// The output's `Endpoints` list.
    pub endpoints: FieldRef,
    /// `Address` of an endpoint.
    pub address: FieldRef,
    /// `CachePeriodInMinutes` of an endpoint.
    pub cache_period: FieldRef,
    /// The input's `Operation` member, when it has one (set to the calling operation's name).
    pub operation_input: Option<FieldRef>,
    /// The input's `Identifiers` member, when it has one (set to the discovery identifiers).
    pub identifiers_input: Option<FieldRef>,
}

/// An operation's endpoint discovery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationDiscovery {
    /// `required: true`: the operation works only at a discovered endpoint.
    pub required: bool,
    /// Input members marked `aws.api#clientEndpointDiscoveryId`: member name and field.
    pub identifiers: Vec<(String, FieldRef)>,
}

/// Fills [`Service::endpoint_discovery`] and each [`Operation::endpoint_discovery`] from the
/// traits of the (normalized) model.
pub fn apply(model: &Model, svc: &mut Service) -> Result<()> {
    let svc_shape = model.expect(&svc.shape, &svc.shape)?;
    let service_trait = svc_shape.traits.get(CLIENT_ENDPOINT_DISCOVERY);
    for i in 0..svc.operations.len() {
        let op_id = svc.operations[i].shape.clone();
        let shape = model.expect(&op_id, &svc.shape)?;
        let Some(t) = shape.traits.get(CLIENT_DISCOVERED_ENDPOINT) else {
            continue;
        };
        if service_trait.is_none() {
            return Err(CodegenError::shape(
                &op_id,
                format!("has {CLIENT_DISCOVERED_ENDPOINT}, but its service has no {CLIENT_ENDPOINT_DISCOVERY}"),
            ));
        }
        let required = t.get("required").and_then(Json::as_bool).unwrap_or(false);
        let identifiers = identifiers(model, &op_id, &svc.operations[i])?;
        svc.operations[i].endpoint_discovery = Some(OperationDiscovery {
            required,
            identifiers,
        });
    }
    let Some(t) = service_trait else {
        return Ok(());
    };
    let sid = svc.shape.clone();
    let op_id = t.get("operation").and_then(Json::as_str).ok_or_else(|| {
        CodegenError::shape(
            &sid,
            format!("{CLIENT_ENDPOINT_DISCOVERY} must name its `operation`"),
        )
    })?;
    let error_id = t.get("error").and_then(Json::as_str).ok_or_else(|| {
        CodegenError::shape(
            &sid,
            format!("{CLIENT_ENDPOINT_DISCOVERY} must name its `error`"),
        )
    })?;
    model.expect(error_id, &sid)?;
    let op = svc.operations.iter().find(|o| o.shape == op_id).ok_or_else(|| {
        CodegenError::shape(
            &sid,
            format!("{CLIENT_ENDPOINT_DISCOVERY} names `{op_id}`, which is not an operation of the service"),
        )
    })?;
    let discovery = service_discovery(svc, op, shape_name(error_id))?;
    // The discovery operation goes to the resolved endpoint, never to a discovered one.
    let discovery_op = op.shape.clone();
    for o in &mut svc.operations {
        if o.shape == discovery_op {
            o.endpoint_discovery = None;
        }
    }
    svc.endpoint_discovery = Some(discovery);
    Ok(())
}

/// The `aws.api#clientEndpointDiscoveryId` members of an operation's input, each a string.
fn identifiers(model: &Model, op_id: &str, op: &Operation) -> Result<Vec<(String, FieldRef)>> {
    let shape = model.expect(op_id, op_id)?;
    let ShapeKind::Operation(o) = &shape.kind else {
        return Ok(Vec::new());
    };
    let Some(input_id) = o.input.as_deref() else {
        return Ok(Vec::new());
    };
    let Ok(input) = model.expect(input_id, op_id) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for m in &input.members {
        if !m.traits.has(CLIENT_ENDPOINT_DISCOVERY_ID) {
            continue;
        }
        let field = op
            .input
            .fields
            .iter()
            .find(|f| f.member == m.name)
            .ok_or_else(|| {
                CodegenError::shape(
                    input_id,
                    format!("member `{}` is not in the generated input", m.name),
                )
            })?;
        if field.ty != RType::String {
            return Err(CodegenError::shape(
                input_id,
                format!(
                    "member `{}` has {CLIENT_ENDPOINT_DISCOVERY_ID} but is not a string",
                    m.name
                ),
            ));
        }
        out.push((
            m.name.clone(),
            FieldRef {
                name: field.name.clone(),
                optional: field.optional,
            },
        ));
    }
    Ok(out)
}

/// The field of `s` for member `member` with a type `ok` accepts.
fn field(s: &Struct, member: &str, ok: impl Fn(&RType) -> bool) -> Option<FieldRef> {
    s.fields
        .iter()
        .find(|f| f.member == member && !f.boxed && ok(&f.ty))
        .map(|f| FieldRef {
            name: f.name.clone(),
            optional: f.optional,
        })
}

/// Checks the discovery operation's input and output against what endpoint discovery needs.
fn service_discovery(svc: &Service, op: &Operation, error_code: &str) -> Result<ServiceDiscovery> {
    let bad =
        |why: &str| CodegenError::shape(&op.shape, format!("endpoint discovery operation: {why}"));
    let is_string = |t: &RType| *t == RType::String;
    let endpoints = field(
        &op.output,
        "Endpoints",
        |t| matches!(t, RType::List(item, false) if matches!(**item, RType::Struct(_))),
    )
    .ok_or_else(|| bad("its output needs an `Endpoints` list of structures"))?;
    let item = op
        .output
        .fields
        .iter()
        .find_map(|f| match &f.ty {
            RType::List(item, false) if f.member == "Endpoints" => match &**item {
                RType::Struct(n) => Some(n.clone()),
                _ => None,
            },
            _ => None,
        })
        .ok_or_else(|| bad("its output needs an `Endpoints` list of structures"))?;
    let Some(TypeDef::Struct(endpoint)) = svc.ty(&item) else {
        return Err(bad(&format!("`{item}` is not a structure")));
    };
    let address = field(endpoint, "Address", is_string)
        .ok_or_else(|| bad(&format!("`{item}` needs a string `Address`")))?;
    let cache_period = field(endpoint, "CachePeriodInMinutes", |t| *t == RType::I64)
        .ok_or_else(|| bad(&format!("`{item}` needs a long `CachePeriodInMinutes`")))?;
    let operation_input = field(&op.input, "Operation", is_string);
    let identifiers_input = field(
        &op.input,
        "Identifiers",
        |t| matches!(t, RType::Map(v, false) if **v == RType::String),
    );
    for f in &op.input.fields {
        let known = (f.member == "Operation" && operation_input.is_some())
            || (f.member == "Identifiers" && identifiers_input.is_some());
        if !known && !f.optional && f.default.is_none() {
            return Err(bad(&format!(
                "its input member `{}` is required, and endpoint discovery cannot fill it",
                f.member
            )));
        }
    }
    Ok(ServiceDiscovery {
        operation: op.name.clone(),
        module: op.module.clone(),
        error_code: error_code.to_string(),
        endpoints,
        address,
        cache_period,
        operation_input,
        identifiers_input,
    })
}
