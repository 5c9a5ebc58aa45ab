//! The Smithy prelude (`smithy.api#String`, `smithy.api#Unit`, `smithy.api#PrimitiveInteger`, ...).

use std::collections::BTreeMap;

use serde_json::Value;

use crate::model::{Shape, ShapeId, ShapeKind, Traits};

/// Every prelude shape the generator can be asked to resolve.
pub fn shapes() -> BTreeMap<ShapeId, Shape> {
    let simple = [
        ("Blob", ShapeKind::Blob, None),
        ("Boolean", ShapeKind::Boolean, None),
        ("String", ShapeKind::String, None),
        ("Byte", ShapeKind::Byte, None),
        ("Short", ShapeKind::Short, None),
        ("Integer", ShapeKind::Integer, None),
        ("Long", ShapeKind::Long, None),
        ("Float", ShapeKind::Float, None),
        ("Double", ShapeKind::Double, None),
        ("BigInteger", ShapeKind::BigInteger, None),
        ("BigDecimal", ShapeKind::BigDecimal, None),
        ("Timestamp", ShapeKind::Timestamp, None),
        ("Document", ShapeKind::Document, None),
        (
            "PrimitiveBoolean",
            ShapeKind::Boolean,
            Some(Value::Bool(false)),
        ),
        ("PrimitiveByte", ShapeKind::Byte, Some(Value::from(0))),
        ("PrimitiveShort", ShapeKind::Short, Some(Value::from(0))),
        ("PrimitiveInteger", ShapeKind::Integer, Some(Value::from(0))),
        ("PrimitiveLong", ShapeKind::Long, Some(Value::from(0))),
        ("PrimitiveFloat", ShapeKind::Float, Some(Value::from(0))),
        ("PrimitiveDouble", ShapeKind::Double, Some(Value::from(0))),
        ("Unit", ShapeKind::Structure, None),
    ];
    simple
        .into_iter()
        .map(|(name, kind, default)| {
            let id = format!("smithy.api#{name}");
            let mut traits = Traits::default();
            if let Some(d) = default {
                traits.0.insert(crate::model::ids::DEFAULT.to_string(), d);
            }
            if name == "Unit" {
                traits.0.insert(
                    "smithy.api#unitType".to_string(),
                    Value::Object(Default::default()),
                );
            }
            (
                id.clone(),
                Shape {
                    id,
                    kind,
                    members: Vec::new(),
                    mixins: Vec::new(),
                    traits,
                },
            )
        })
        .collect()
}

/// The id of the unit shape.
pub const UNIT: &str = "smithy.api#Unit";
