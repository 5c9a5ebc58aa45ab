//! Normalisation passes over a [`Model`], each `Model -> Model` (or a query over one) with its own tests.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::{CodegenError, Result};
use crate::model::{ids, Model, Shape, ShapeId, ShapeKind};

/// Runs every pass the emitters rely on, for the service `service_id`.
pub fn normalize(mut model: Model, service_id: &str) -> Result<Model> {
    model = flatten_mixins(model)?;
    check_targets(&model)?;
    model = copy_service_errors(model, service_id)?;
    Ok(model)
}

/// Copies the members and traits of mixins into the shapes that use them and drops mixin shapes.
pub fn flatten_mixins(mut model: Model) -> Result<Model> {
    let ids: Vec<ShapeId> = model
        .shapes
        .iter()
        .filter(|(_, s)| !s.mixins.is_empty())
        .map(|(k, _)| k.clone())
        .collect();
    let mut done = BTreeSet::new();
    for id in &ids {
        flatten_one(&mut model, id, &mut done, &mut Vec::new())?;
    }
    model.shapes.retain(|_, s| !s.traits.has(ids::MIXIN));
    Ok(model)
}

/// What a service, operation or resource takes from a mixin of its own type: lists are merged
/// (the mixin's entries first), unset scalars are filled.
fn inherit_properties(kind: &mut crate::model::ShapeKind, mixin: &crate::model::ShapeKind) {
    use crate::model::ShapeKind as K;
    fn merge(into: &mut Vec<ShapeId>, from: &[ShapeId]) {
        let mut out: Vec<ShapeId> = from.to_vec();
        for x in into.drain(..) {
            if !out.contains(&x) {
                out.push(x);
            }
        }
        *into = out;
    }
    match (kind, mixin) {
        (K::Service(s), K::Service(m)) => {
            if s.version.is_empty() {
                s.version.clone_from(&m.version);
            }
            merge(&mut s.operations, &m.operations);
            merge(&mut s.resources, &m.resources);
            merge(&mut s.errors, &m.errors);
            for (k, v) in &m.rename {
                s.rename.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        (K::Operation(o), K::Operation(m)) => {
            if o.input.is_none() {
                o.input.clone_from(&m.input);
            }
            if o.output.is_none() {
                o.output.clone_from(&m.output);
            }
            merge(&mut o.errors, &m.errors);
        }
        (K::Resource(r), K::Resource(m)) => {
            merge(&mut r.operations, &m.operations);
            merge(&mut r.resources, &m.resources);
        }
        _ => {}
    }
}

fn flatten_one(
    model: &mut Model,
    id: &str,
    done: &mut BTreeSet<ShapeId>,
    stack: &mut Vec<ShapeId>,
) -> Result<()> {
    if done.contains(id) {
        return Ok(());
    }
    if stack.iter().any(|s| s == id) {
        return Err(CodegenError::shape(id, "mixin cycle"));
    }
    let mixins = model.expect(id, id)?.mixins.clone();
    stack.push(id.to_string());
    for m in &mixins {
        model.expect(m, id)?;
        flatten_one(model, m, done, stack)?;
    }
    stack.pop();
    let mut kind = model.expect(id, id)?.kind.clone();
    let mut members = Vec::new();
    let mut traits = BTreeMap::new();
    for m in &mixins {
        let mixin = model.expect(m, id)?;
        if !mixin.traits.has(ids::MIXIN) {
            return Err(CodegenError::shape(
                id,
                format!("uses `{m}` as a mixin, but it has no smithy.api#mixin trait"),
            ));
        }
        for mem in &mixin.members {
            match members
                .iter_mut()
                .find(|x: &&mut crate::model::Member| x.name == mem.name)
            {
                // The same member from a later mixin: its traits win over earlier ones.
                Some(existing) => {
                    for (k, v) in &mem.traits.0 {
                        existing.traits.0.insert(k.clone(), v.clone());
                    }
                }
                None => members.push(mem.clone()),
            }
        }
        inherit_properties(&mut kind, &mixin.kind);
        let local_only: Vec<String> = mixin
            .traits
            .get(ids::MIXIN)
            .and_then(|v| v.get("localTraits"))
            .and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        for (k, v) in &mixin.traits.0 {
            if k != ids::MIXIN && !local_only.contains(k) {
                traits.insert(k.clone(), v.clone());
            }
        }
    }
    let Some(shape) = model.shapes.get_mut(id) else {
        return Err(CodegenError::shape(id, "vanished while flattening mixins"));
    };
    for own in std::mem::take(&mut shape.members) {
        if let Some(existing) = members.iter_mut().find(|x| x.name == own.name) {
            // A redeclared mixin member only adds traits.
            for (k, v) in own.traits.0 {
                existing.traits.0.insert(k, v);
            }
        } else {
            members.push(own);
        }
    }
    shape.members = members;
    shape.kind = kind;
    for (k, v) in std::mem::take(&mut shape.traits.0) {
        traits.insert(k, v);
    }
    shape.traits.0 = traits;
    shape.mixins.clear();
    done.insert(id.to_string());
    Ok(())
}

/// Checks that every member, operation and resource reference points at a shape that exists.
pub fn check_targets(model: &Model) -> Result<()> {
    for shape in model.shapes.values() {
        for m in &shape.members {
            let mid = format!("{}${}", shape.id, m.name);
            model.expect(&m.target, &mid)?;
        }
        let refs: Vec<&ShapeId> = match &shape.kind {
            ShapeKind::Service(s) => s
                .operations
                .iter()
                .chain(&s.resources)
                .chain(&s.errors)
                .collect(),
            ShapeKind::Operation(o) => o.input.iter().chain(&o.output).chain(&o.errors).collect(),
            ShapeKind::Resource(r) => r.operations.iter().chain(&r.resources).collect(),
            _ => Vec::new(),
        };
        for r in refs {
            model.expect(r, &shape.id)?;
        }
    }
    Ok(())
}

/// Every operation of the service, including those bound through resources, in shape id order.
pub fn operations(model: &Model, service_id: &str) -> Result<Vec<ShapeId>> {
    let service = model.expect(service_id, service_id)?;
    let ShapeKind::Service(svc) = &service.kind else {
        return Err(CodegenError::shape(service_id, "is not a service"));
    };
    let mut ops = BTreeSet::new();
    let mut stack: Vec<ShapeId> = svc.resources.clone();
    let mut seen = BTreeSet::new();
    ops.extend(svc.operations.iter().cloned());
    while let Some(r) = stack.pop() {
        if !seen.insert(r.clone()) {
            continue;
        }
        let res = model.expect(&r, service_id)?;
        let ShapeKind::Resource(res) = &res.kind else {
            return Err(CodegenError::shape(
                &r,
                "is bound as a resource but is not one",
            ));
        };
        ops.extend(res.operations.iter().cloned());
        stack.extend(res.resources.iter().cloned());
    }
    for op in &ops {
        if !matches!(model.expect(op, service_id)?.kind, ShapeKind::Operation(_)) {
            return Err(CodegenError::shape(
                op,
                "is bound as an operation but is not one",
            ));
        }
    }
    Ok(ops.into_iter().collect())
}

/// Adds the service's common errors to each of its operations (after their own errors, no duplicates).
pub fn copy_service_errors(mut model: Model, service_id: &str) -> Result<Model> {
    let errors = match &model.expect(service_id, service_id)?.kind {
        ShapeKind::Service(s) => s.errors.clone(),
        _ => return Err(CodegenError::shape(service_id, "is not a service")),
    };
    if errors.is_empty() {
        return Ok(model);
    }
    for op in operations(&model, service_id)? {
        if let Some(Shape {
            kind: ShapeKind::Operation(o),
            ..
        }) = model.shapes.get_mut(&op)
        {
            for e in &errors {
                if !o.errors.contains(e) {
                    o.errors.push(e.clone());
                }
            }
        }
    }
    Ok(model)
}

/// Every shape reachable from the service's operations (inputs, outputs, errors, members), in id order.
pub fn closure(model: &Model, service_id: &str) -> Result<BTreeSet<ShapeId>> {
    let mut out = BTreeSet::new();
    let mut stack = Vec::new();
    for op in operations(model, service_id)? {
        if let ShapeKind::Operation(o) = &model.expect(&op, service_id)?.kind {
            stack.extend(o.input.iter().cloned());
            stack.extend(o.output.iter().cloned());
            stack.extend(o.errors.iter().cloned());
        }
    }
    if let ShapeKind::Service(s) = &model.expect(service_id, service_id)?.kind {
        stack.extend(s.errors.iter().cloned());
    }
    while let Some(id) = stack.pop() {
        if !out.insert(id.clone()) {
            continue;
        }
        let shape = model.expect(&id, service_id)?;
        stack.extend(shape.members.iter().map(|m| m.target.clone()));
    }
    Ok(out)
}

/// The service's `rename` map, checked against the Smithy rules: each key is a shape of the
/// service closure that is not an operation, resource or member; each value is a Smithy
/// identifier different from the shape's own name. (Collisions between the resulting Rust names
/// are checked where the names are given out, in [`crate::ir`].)
pub fn check_renames(model: &Model, service_id: &str) -> Result<BTreeMap<ShapeId, String>> {
    let ShapeKind::Service(svc) = &model.expect(service_id, service_id)?.kind else {
        return Err(CodegenError::shape(service_id, "is not a service"));
    };
    if svc.rename.is_empty() {
        return Ok(BTreeMap::new());
    }
    let closure = closure(model, service_id)?;
    for (id, new_name) in &svc.rename {
        let reason = match model.shapes.get(id) {
            _ if id.contains('$') => Some("a member cannot be renamed".to_string()),
            Some(s) if matches!(s.kind, ShapeKind::Operation(_) | ShapeKind::Resource(_)) => {
                Some(format!(
                    "the {} `{id}` cannot be renamed (Smithy allows renaming data shapes only)",
                    s.kind.name()
                ))
            }
            Some(_) if !closure.contains(id) => {
                Some(format!("`{id}` is not in the service closure"))
            }
            None => Some(format!("`{id}` does not exist in the model")),
            Some(_) if !crate::names::is_smithy_identifier(new_name) => Some(format!(
                "the new name {new_name:?} of `{id}` is not a Smithy identifier"
            )),
            Some(s) if s.name() == new_name => {
                Some(format!("`{id}` is renamed to its own name {new_name:?}"))
            }
            Some(_) => None,
        };
        if let Some(reason) = reason {
            return Err(CodegenError::shape(
                service_id,
                format!("invalid `rename`: {reason}"),
            ));
        }
    }
    Ok(svc.rename.clone())
}

/// Members `(shape id, member name)` that must be boxed: they target a structure or union from
/// which the containing shape can be reached again through structure/union members only
/// (lists and maps already give indirection).
pub fn boxed_members(model: &Model) -> BTreeSet<(ShapeId, String)> {
    let aggregate = |id: &str| {
        model
            .shapes
            .get(id)
            .is_some_and(|s| matches!(s.kind, ShapeKind::Structure | ShapeKind::Union))
    };
    let mut out = BTreeSet::new();
    for shape in model.shapes.values().filter(|s| aggregate(&s.id)) {
        for m in &shape.members {
            if aggregate(&m.target) && reaches(model, &m.target, &shape.id, &aggregate) {
                out.insert((shape.id.clone(), m.name.clone()));
            }
        }
    }
    out
}

fn reaches(model: &Model, from: &str, to: &str, aggregate: &dyn Fn(&str) -> bool) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_string()];
    while let Some(id) = stack.pop() {
        if id == to {
            return true;
        }
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(s) = model.shapes.get(&id) {
            stack.extend(
                s.members
                    .iter()
                    .filter(|m| aggregate(&m.target))
                    .map(|m| m.target.clone()),
            );
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(json: &str) -> Model {
        Model::from_json(json, "test.json").expect("model parses")
    }

    #[test]
    fn mixins_are_flattened_in_order_and_removed() {
        let m = model(
            r#"{"smithy":"2.0","shapes":{
            "a#M":{"type":"structure","traits":{"smithy.api#mixin":{},"smithy.api#documentation":"d"},"members":{"x":{"target":"smithy.api#String"}}},
            "a#S":{"type":"structure","mixins":[{"target":"a#M"}],"members":{"y":{"target":"smithy.api#Integer"},"x":{"target":"smithy.api#String","traits":{"smithy.api#required":{}}}}}}}"#,
        );
        let m = flatten_mixins(m).unwrap();
        assert!(!m.shapes.contains_key("a#M"));
        let s = &m.shapes["a#S"];
        let names: Vec<_> = s.members.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["x", "y"]);
        assert!(s.members[0].traits.required());
        assert_eq!(s.traits.documentation("a#S").unwrap(), Some("d"));
    }

    #[test]
    fn operations_include_resources() {
        let m = model(
            r#"{"smithy":"2.0","shapes":{
            "a#Svc":{"type":"service","version":"1","operations":[{"target":"a#Op1"}],"resources":[{"target":"a#R"}]},
            "a#R":{"type":"resource","read":{"target":"a#Op2"},"resources":[{"target":"a#R2"}]},
            "a#R2":{"type":"resource","operations":[{"target":"a#Op3"}]},
            "a#Op1":{"type":"operation"},"a#Op2":{"type":"operation"},"a#Op3":{"type":"operation"}}}"#,
        );
        assert_eq!(
            operations(&m, "a#Svc").unwrap(),
            ["a#Op1", "a#Op2", "a#Op3"]
        );
    }

    #[test]
    fn missing_target_names_both_shapes() {
        let m = model(
            r#"{"smithy":"2.0","shapes":{"a#S":{"type":"structure","members":{"x":{"target":"a#Nope"}}}}}"#,
        );
        let e = check_targets(&m).unwrap_err().to_string();
        assert!(e.contains("a#S$x") && e.contains("a#Nope"), "{e}");
    }

    #[test]
    fn recursive_members_are_boxed_but_lists_are_not() {
        let m = model(
            r#"{"smithy":"2.0","shapes":{
            "a#Node":{"type":"structure","members":{"next":{"target":"a#Node"},"kids":{"target":"a#Nodes"},"v":{"target":"smithy.api#String"}}},
            "a#Nodes":{"type":"list","member":{"target":"a#Node"}}}}"#,
        );
        let b = boxed_members(&m);
        assert!(b.contains(&("a#Node".to_string(), "next".to_string())));
        assert_eq!(b.len(), 1);
    }

    #[test]
    fn renames_are_checked() {
        let json = |rename: &str| {
            format!(
                r#"{{"smithy":"2.0","shapes":{{
                "a#Svc":{{"type":"service","version":"1","operations":[{{"target":"a#Op"}}],"resources":[{{"target":"a#R"}}],"rename":{rename}}},
                "a#R":{{"type":"resource"}},
                "a#Op":{{"type":"operation","input":{{"target":"a#In"}}}},
                "a#In":{{"type":"structure","members":{{"w":{{"target":"b#Widget"}}}}}},
                "b#Widget":{{"type":"structure"}},
                "b#Unused":{{"type":"structure"}}}}}}"#
            )
        };
        let ok = check_renames(&model(&json(r#"{"b#Widget":"BWidget"}"#)), "a#Svc").unwrap();
        assert_eq!(ok.get("b#Widget").map(String::as_str), Some("BWidget"));
        for (rename, expected) in [
            (r#"{"a#Op":"Run"}"#, "operation `a#Op` cannot be renamed"),
            (r#"{"a#R":"Res"}"#, "resource `a#R` cannot be renamed"),
            (r#"{"a#In$w":"W"}"#, "member cannot be renamed"),
            (r#"{"b#Unused":"U"}"#, "not in the service closure"),
            (r#"{"b#Nope":"U"}"#, "does not exist"),
            (r#"{"b#Widget":"2Widget"}"#, "not a Smithy identifier"),
            (r#"{"b#Widget":"Widget"}"#, "its own name"),
        ] {
            let e = check_renames(&model(&json(rename)), "a#Svc")
                .unwrap_err()
                .to_string();
            assert!(e.contains("a#Svc") && e.contains(expected), "{rename}: {e}");
        }
    }

    #[test]
    fn service_errors_are_copied_once() {
        let m = model(
            r#"{"smithy":"2.0","shapes":{
            "a#Svc":{"type":"service","version":"1","operations":[{"target":"a#Op"}],"errors":[{"target":"a#E"}]},
            "a#Op":{"type":"operation","errors":[{"target":"a#E"}]},
            "a#E":{"type":"structure","traits":{"smithy.api#error":"client"}}}}"#,
        );
        let m = copy_service_errors(m, "a#Svc").unwrap();
        let ShapeKind::Operation(o) = &m.shapes["a#Op"].kind else {
            panic!()
        };
        assert_eq!(o.errors, ["a#E"]);
    }
}
