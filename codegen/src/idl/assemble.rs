//! Parsed IDL files and JSON AST documents → one JSON AST document.
//!
//! Resolution needs every file at once: a relative shape id means a `use`d shape, else a shape of
//! the file's namespace defined in any file (forward references included), else a prelude shape.
//! Elided members look through mixins and bound resources that may be defined anywhere, and
//! `apply` may target shapes of any file. So the files are parsed first, then assembled here.
//!
//! The result is canonical in two ways the JSON AST leaves open: traits applied to a member that
//! a shape inherits from a mixin become a local redeclaration of that member (target and traits),
//! and a redeclaration that adds nothing is dropped. Both forms mean the same model.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Map, Value};

use super::standard;
use super::syntax::{
    ApplyDef, Body, IdlFile, IoRef, MemberDef, Node, Pos, RawId, ShapeDef, TraitApp,
};

/// One input file, parsed.
pub enum Parsed {
    /// An IDL file.
    Idl {
        /// File name for errors.
        name: String,
        /// The syntax tree.
        file: IdlFile,
    },
    /// A JSON AST document.
    Json {
        /// File name for errors.
        name: String,
        /// The document.
        doc: Value,
    },
}

/// An assembly error: the file, the position when known, the message.
#[derive(Debug)]
pub struct AssembleError(pub String);

type AResult<T> = Result<T, AssembleError>;

fn fail<T>(file: &str, pos: Pos, msg: impl std::fmt::Display) -> AResult<T> {
    Err(AssembleError(format!(
        "{file}:{}:{}: {msg}",
        pos.line, pos.col
    )))
}

fn fail_file<T>(file: &str, msg: impl std::fmt::Display) -> AResult<T> {
    Err(AssembleError(format!("{file}: {msg}")))
}

/// Where a shape came from, for errors.
#[derive(Clone)]
struct Origin {
    file: String,
    pos: Pos,
}

/// Name resolution context of one IDL file.
struct Ctx<'a> {
    file: &'a str,
    namespace: &'a str,
    uses: HashMap<String, String>,
    version2: bool,
}

/// Everything being assembled.
struct Assembly {
    /// Shapes by id, JSON AST form, in definition order.
    shapes: Map<String, Value>,
    origins: HashMap<String, Origin>,
    /// Every shape id defined by the inputs.
    defined: HashSet<String>,
    /// The shape type of every defined shape (for trait coercion).
    kinds: HashMap<String, String>,
    metadata: Map<String, Value>,
    /// Pending `apply`s: (target, traits, origin).
    applies: Vec<(String, Map<String, Value>, Origin)>,
    /// Elided members to resolve once every shape is in.
    elided: Vec<Elided>,
    /// Shapes defined in Smithy 1.0 files (IDL or JSON), upgraded once every shape is in.
    v1: HashSet<String>,
}

struct Elided {
    shape: String,
    member: String,
    traits: Map<String, Value>,
    origin: Origin,
    resource: Option<String>,
    /// Members written after this one, to keep the written order.
    after: Vec<String>,
}

/// Assembles parsed files into one JSON AST document (`smithy`, `metadata`, `shapes`).
pub fn assemble(files: &[Parsed]) -> Result<Value, AssembleError> {
    let mut a = Assembly {
        shapes: Map::new(),
        origins: HashMap::new(),
        defined: HashSet::new(),
        kinds: HashMap::new(),
        metadata: Map::new(),
        applies: Vec::new(),
        elided: Vec::new(),
        v1: HashSet::new(),
    };
    // Pass 1: every shape id any file defines, with its type.
    for f in files {
        match f {
            Parsed::Idl { file, .. } => {
                let Some(ns) = &file.namespace else { continue };
                for s in &file.shapes {
                    let id = format!("{ns}#{}", s.name);
                    a.defined.insert(id.clone());
                    a.kinds.insert(id, s.kind.clone());
                    if let Body::Operation { input, output, .. } = &s.body {
                        for io in [input, output].into_iter().flatten() {
                            if let IoRef::Inline(d) = io {
                                let id = format!("{ns}#{}", d.name);
                                a.defined.insert(id.clone());
                                a.kinds.insert(id, "structure".into());
                            }
                        }
                    }
                }
            }
            Parsed::Json { name, doc } => {
                let Some(shapes) = doc.get("shapes").and_then(Value::as_object) else {
                    continue;
                };
                for (id, s) in shapes {
                    let ty = s.get("type").and_then(Value::as_str).unwrap_or("");
                    if ty != "apply" {
                        if !id.contains('#') {
                            return fail_file(name, format!("shape id `{id}` is not absolute"));
                        }
                        a.defined.insert(id.clone());
                        a.kinds.insert(id.clone(), ty.to_owned());
                    }
                }
            }
        }
    }
    // Pass 2: shapes, metadata and applies of each file.
    for f in files {
        match f {
            Parsed::Idl { name, file } => a.idl_file(name, file)?,
            Parsed::Json { name, doc } => a.json_file(name, doc)?,
        }
    }
    a.resolve_elided()?;
    a.check_mixins()?;
    a.enum_defaults()?;
    let applies = std::mem::take(&mut a.applies);
    for (target, traits, origin) in applies {
        a.apply(&target, traits, &origin)?;
    }
    a.upgrade_v1();
    a.canonical_mixin_members();
    let mut root = Map::new();
    root.insert("smithy".into(), Value::from("2.0"));
    if !a.metadata.is_empty() {
        root.insert("metadata".into(), Value::Object(a.metadata));
    }
    root.insert("shapes".into(), Value::Object(a.shapes));
    Ok(Value::Object(root))
}

impl Assembly {
    // ---- resolution ---------------------------------------------------------------------------

    /// The absolute id a shape id written in `cx` means.
    fn resolve(&self, cx: &Ctx<'_>, text: &str) -> String {
        if text.contains('#') {
            return text.to_owned();
        }
        let (name, member) = match text.split_once('$') {
            Some((n, m)) => (n, Some(m)),
            None => (text, None),
        };
        let base = if let Some(abs) = cx.uses.get(name) {
            abs.clone()
        } else {
            let local = format!("{}#{name}", cx.namespace);
            let prelude = format!("smithy.api#{name}");
            if self.defined.contains(&local) {
                local
            } else if self.defined.contains(&prelude) || standard::kind(&prelude).is_some() {
                prelude
            } else {
                local
            }
        };
        match member {
            Some(m) => format!("{base}${m}"),
            None => base,
        }
    }

    fn exists(&self, id: &str) -> bool {
        let base = id.split_once('$').map_or(id, |(s, _)| s);
        self.defined.contains(base) || standard::kind(base).is_some()
    }

    /// The shape type of a (trait) shape, from the inputs or the standard definitions.
    fn kind_of(&self, id: &str) -> Option<&str> {
        self.kinds
            .get(id)
            .map(String::as_str)
            .or_else(|| standard::kind(id))
    }

    fn node(&self, cx: &Ctx<'_>, node: &Node) -> AResult<Value> {
        Ok(match node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => number(n)
                .ok_or_else(|| AssembleError(format!("{}: invalid number `{n}`", cx.file)))?,
            Node::Str(s) => Value::String(s.clone()),
            Node::ShapeId(id) => {
                let abs = self.resolve(cx, &id.text);
                if !self.exists(&abs) {
                    let shown = if id.text.contains('#') {
                        abs.clone()
                    } else {
                        format!("smithy.api#{}", id.text)
                    };
                    return fail(
                        cx.file,
                        id.pos,
                        format!(
                            "Syntactic shape ID `{}` does not resolve to a valid shape ID: `{shown}`",
                            id.text
                        ),
                    );
                }
                Value::String(abs)
            }
            Node::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|n| self.node(cx, n))
                    .collect::<AResult<_>>()?,
            ),
            Node::Object(kvs) => {
                let mut m = Map::new();
                for (k, v) in kvs {
                    m.insert(k.clone(), self.node(cx, v)?);
                }
                Value::Object(m)
            }
        })
    }

    /// A list of trait applications → the JSON AST `traits` object.
    fn traits(
        &self,
        cx: &Ctx<'_>,
        owner: &str,
        docs: Option<&String>,
        apps: &[TraitApp],
    ) -> AResult<Map<String, Value>> {
        let mut out = Map::new();
        for t in apps {
            let id = self.resolve(cx, &t.id.text);
            if id.contains('$') {
                return fail(
                    cx.file,
                    t.id.pos,
                    format!("Trait ids cannot name members: `{}`", t.id.text),
                );
            }
            let kind = self.kind_of(&id);
            if kind.is_none() {
                return fail(
                    cx.file,
                    t.id.pos,
                    format!(
                        "Unable to resolve trait `{id}` applied to `{owner}`: no such trait shape"
                    ),
                );
            }
            let value = match &t.value {
                Some(v) => self.node(cx, v)?,
                None => empty_trait_value(kind.unwrap_or("structure")),
            };
            if id == "smithy.api#mixin" && !cx.version2 {
                return fail(cx.file, t.id.pos, format!("Mixins can only be used in Smithy 2.0 or later. Attempted to apply a @mixin trait to `{owner}` in a model file using version `1.0`."));
            }
            merge_trait(&mut out, &id, value).map_err(|m| {
                AssembleError(format!(
                    "{}:{}:{}: {owner}: {m}",
                    cx.file, t.id.pos.line, t.id.pos.col
                ))
            })?;
        }
        if let Some(d) = docs {
            if !out.contains_key("smithy.api#documentation") {
                out.insert("smithy.api#documentation".into(), Value::String(d.clone()));
            }
        }
        Ok(out)
    }

    // ---- IDL files ----------------------------------------------------------------------------

    fn idl_file(&mut self, name: &str, file: &IdlFile) -> AResult<()> {
        let namespace = file.namespace.as_deref().unwrap_or("smithy.api");
        let mut cx = Ctx {
            file: name,
            namespace,
            uses: HashMap::new(),
            version2: !file.version.starts_with('1'),
        };
        for (id, pos) in &file.uses {
            let short = id
                .rsplit_once('#')
                .map_or(id.as_str(), |(_, n)| n)
                .to_owned();
            if let Some(prev) = cx.uses.get(&short) {
                if prev != id {
                    return fail(
                        name,
                        *pos,
                        format!("Cannot use name `{id}` because it conflicts with `{prev}`"),
                    );
                }
            }
            cx.uses.insert(short, id.clone());
        }
        // `use smithy.api#String` and a local `String` collide; so do two uses of one name.
        for s in &file.shapes {
            if let Some(used) = cx.uses.get(&s.name) {
                return fail(
                    name,
                    s.pos,
                    format!(
                        "Shape name `{}` conflicts with imported shape `{used}`",
                        s.name
                    ),
                );
            }
        }
        for (key, node, pos) in &file.metadata {
            let value = self.node(&cx, node)?;
            merge_metadata(&mut self.metadata, key, value).or_else(|m| fail(name, *pos, m))?;
        }
        for s in &file.shapes {
            self.idl_shape(&cx, s)?;
            if !cx.version2 {
                self.v1.insert(format!("{namespace}#{}", s.name));
            }
        }
        for ApplyDef { target, traits } in &file.applies {
            let id = self.resolve(&cx, &target.text);
            let traits = self.traits(&cx, &id, None, traits)?;
            self.applies.push((
                id,
                traits,
                Origin {
                    file: name.into(),
                    pos: target.pos,
                },
            ));
        }
        cx.uses.clear();
        Ok(())
    }

    fn target(&self, cx: &Ctx<'_>, id: &RawId) -> Value {
        let mut m = Map::new();
        m.insert("target".into(), Value::String(self.resolve(cx, &id.text)));
        Value::Object(m)
    }

    fn insert_shape(&mut self, id: String, shape: Value, origin: Origin) -> AResult<()> {
        if let Some(old) = self.shapes.get(&id) {
            if *old != shape {
                let first = &self.origins[&id];
                return fail(
                    &origin.file,
                    origin.pos,
                    format!(
                        "Conflicting shape definition for `{id}` (first defined at {}:{}:{})",
                        first.file, first.pos.line, first.pos.col
                    ),
                );
            }
            return Ok(());
        }
        self.origins.insert(id.clone(), origin);
        self.shapes.insert(id, shape);
        Ok(())
    }

    fn idl_shape(&mut self, cx: &Ctx<'_>, s: &ShapeDef) -> AResult<()> {
        let id = format!("{}#{}", cx.namespace, s.name);
        let origin = Origin {
            file: cx.file.into(),
            pos: s.pos,
        };
        let mut out = Map::new();
        out.insert("type".into(), Value::from(s.kind.as_str()));
        if !s.mixins.is_empty() {
            out.insert(
                "mixins".into(),
                Value::Array(s.mixins.iter().map(|m| self.target(cx, m)).collect()),
            );
        }
        let for_resource = match &s.for_resource {
            Some(r) => {
                let rid = self.resolve(cx, &r.text);
                match self.kind_of(&rid) {
                    Some("resource") => Some(rid),
                    Some(other) => {
                        return fail(cx.file, r.pos, format!("The target of the `for` production must be a resource shape, but found a {other} shape: {rid}"))
                    }
                    None => {
                        return fail(cx.file, r.pos, format!("The target of the `for` production must be a resource shape, but `{rid}` does not exist"))
                    }
                }
            }
            None => None,
        };
        match &s.body {
            Body::None => {}
            Body::Members(members) => {
                self.members(cx, &id, s, members, for_resource.as_deref(), &mut out)?;
            }
            Body::Entity(props) => self.entity(cx, &id, &s.kind, props, &mut out)?,
            Body::Operation {
                input,
                output,
                errors,
            } => {
                for (key, io, trait_id) in [
                    ("input", input, "smithy.api#input"),
                    ("output", output, "smithy.api#output"),
                ] {
                    match io {
                        None => {}
                        Some(IoRef::Ref(r)) => {
                            out.insert(key.into(), self.target(cx, r));
                        }
                        Some(IoRef::Inline(def)) => {
                            let mut def = (**def).clone();
                            def.traits.push(TraitApp {
                                id: RawId {
                                    text: trait_id.into(),
                                    pos: def.pos,
                                },
                                value: None,
                            });
                            self.idl_shape(cx, &def)?;
                            let mut m = Map::new();
                            m.insert(
                                "target".into(),
                                Value::String(format!("{}#{}", cx.namespace, def.name)),
                            );
                            out.insert(key.into(), Value::Object(m));
                        }
                    }
                }
                if let Some(errors) = errors {
                    out.insert(
                        "errors".into(),
                        Value::Array(errors.iter().map(|e| self.target(cx, e)).collect()),
                    );
                }
            }
        }
        let traits = self.traits(cx, &id, s.docs.as_ref(), &s.traits)?;
        if traits.contains_key("smithy.api#mixin") {
            let not_unit = |k: &str| {
                out.get(k)
                    .and_then(|v| v.get("target"))
                    .is_some_and(|t| t != "smithy.api#Unit")
            };
            if s.kind == "operation" && (not_unit("input") || not_unit("output")) {
                return fail(cx.file, s.pos, format!("Operation shapes with the mixin trait MUST target `smithy.api#Unit` for their input and output. Operation mixin shape `{id}` defines input or output"));
            }
            if s.kind == "resource"
                && (out.contains_key("properties") || out.contains_key("identifiers"))
            {
                return fail(cx.file, s.pos, format!("Resource shapes with the mixin trait may not define any properties. Resource mixin shape `{id}` defines one or more properties"));
            }
        }
        if !traits.is_empty() {
            out.insert("traits".into(), Value::Object(traits));
        }
        self.insert_shape(id, Value::Object(out), origin)
    }

    fn members(
        &mut self,
        cx: &Ctx<'_>,
        id: &str,
        s: &ShapeDef,
        members: &[MemberDef],
        resource: Option<&str>,
        out: &mut Map<String, Value>,
    ) -> AResult<()> {
        let is_enum = matches!(s.kind.as_str(), "enum" | "intEnum");
        let allowed: &[&str] = match s.kind.as_str() {
            "list" | "set" => &["member"],
            "map" => &["key", "value"],
            _ => &[],
        };
        let mut local = Map::new();
        for (index, m) in members.iter().enumerate() {
            let mid = format!("{id}${}", m.name);
            if !allowed.is_empty() && !allowed.contains(&m.name.as_str()) {
                return fail(
                    cx.file,
                    m.pos,
                    format!(
                        "{mid}: `{}` shapes cannot have a member named `{}`",
                        s.kind, m.name
                    ),
                );
            }
            let mut traits = self.traits(cx, &mid, m.docs.as_ref(), &m.traits)?;
            if let Some(v) = &m.value {
                let value = self.node(cx, v)?;
                if is_enum {
                    check_enum_value(&s.kind, &value)
                        .or_else(|msg| fail(cx.file, m.pos, format!("{mid}: {msg}")))?;
                    merge_trait(&mut traits, "smithy.api#enumValue", value)
                        .or_else(|msg| fail(cx.file, m.pos, format!("{mid}: {msg}")))?;
                } else {
                    merge_trait(&mut traits, "smithy.api#default", value)
                        .or_else(|msg| fail(cx.file, m.pos, format!("{mid}: {msg}")))?;
                }
            }
            if is_enum {
                match traits.get("smithy.api#enumValue") {
                    Some(v) => {
                        let v = v.clone();
                        check_enum_value(&s.kind, &v)
                            .or_else(|msg| fail(cx.file, m.pos, format!("{mid}: {msg}")))?;
                    }
                    // A member of an enum with mixins may redeclare an inherited one: settled
                    // once every shape is in (`enum_defaults`).
                    None if !s.mixins.is_empty() => {}
                    None if s.kind == "enum" => {
                        traits.insert("smithy.api#enumValue".into(), Value::String(m.name.clone()));
                    }
                    None => {
                        return fail(
                            cx.file,
                            m.pos,
                            format!(
                                "{mid}: intEnum members require integer values, but found none"
                            ),
                        );
                    }
                }
                let mut mv = Map::new();
                mv.insert("target".into(), Value::from("smithy.api#Unit"));
                mv.insert("traits".into(), Value::Object(traits));
                local.insert(m.name.clone(), Value::Object(mv));
                continue;
            }
            if m.elided {
                self.elided.push(Elided {
                    shape: id.to_owned(),
                    member: m.name.clone(),
                    traits,
                    origin: Origin {
                        file: cx.file.into(),
                        pos: m.pos,
                    },
                    resource: resource.map(str::to_owned),
                    after: members[index + 1..]
                        .iter()
                        .map(|m| m.name.clone())
                        .collect(),
                });
                continue;
            }
            let Some(target) = &m.target else { continue };
            let mut mv = Map::new();
            mv.insert(
                "target".into(),
                Value::String(self.resolve(cx, &target.text)),
            );
            if !traits.is_empty() {
                mv.insert("traits".into(), Value::Object(traits));
            }
            local.insert(m.name.clone(), Value::Object(mv));
        }
        if is_enum && members.is_empty() && s.mixins.is_empty() {
            let what = if s.kind == "enum" {
                "enum must have at least one entry"
            } else {
                "intEnum shapes must have at least one member"
            };
            return fail(cx.file, s.pos, format!("{id}: {what}"));
        }
        if s.mixins.is_empty() && !members.iter().any(|m| m.elided) {
            match s.kind.as_str() {
                "list" | "set" if !local.contains_key("member") => {
                    return fail(
                        cx.file,
                        s.pos,
                        format!("Missing required member of shape `{id}`: member"),
                    );
                }
                "map" => {
                    let missing: Vec<&str> = ["key", "value"]
                        .into_iter()
                        .filter(|k| !local.contains_key(*k))
                        .collect();
                    if !missing.is_empty() {
                        let s_ = if missing.len() > 1 { "s" } else { "" };
                        return fail(
                            cx.file,
                            s.pos,
                            format!(
                                "Missing required member{s_} of shape `{id}`: {}",
                                missing.join(", ")
                            ),
                        );
                    }
                }
                _ => {}
            }
        }
        match s.kind.as_str() {
            "list" | "set" | "map" => {
                for (k, v) in local {
                    out.insert(k, v);
                }
            }
            _ => {
                out.insert("members".into(), Value::Object(local));
            }
        }
        Ok(())
    }

    /// Service and resource properties.
    fn entity(
        &mut self,
        cx: &Ctx<'_>,
        id: &str,
        kind: &str,
        props: &[(String, Node, Pos)],
        out: &mut Map<String, Value>,
    ) -> AResult<()> {
        let as_id = |this: &Self, node: &Node, pos: Pos, key: &str| -> AResult<Value> {
            match node {
                Node::ShapeId(r) => Ok(this.target(cx, r)),
                Node::Str(s) => Ok(this.target(
                    cx,
                    &RawId {
                        text: s.clone(),
                        pos,
                    },
                )),
                _ => fail(cx.file, pos, format!("{id}: `{key}` must be a shape id")),
            }
        };
        let id_list = |this: &Self, node: &Node, pos: Pos, key: &str| -> AResult<Value> {
            let Node::Array(items) = node else {
                return fail(
                    cx.file,
                    pos,
                    format!("{id}: `{key}` must be a list of shape ids"),
                );
            };
            Ok(Value::Array(
                items
                    .iter()
                    .map(|n| as_id(this, n, pos, key))
                    .collect::<AResult<_>>()?,
            ))
        };
        let id_map = |this: &Self, node: &Node, pos: Pos, key: &str| -> AResult<Value> {
            let Node::Object(kvs) = node else {
                return fail(
                    cx.file,
                    pos,
                    format!("{id}: `{key}` must be an object of shape ids"),
                );
            };
            let mut m = Map::new();
            for (k, v) in kvs {
                m.insert(k.clone(), as_id(this, v, pos, key)?);
            }
            Ok(Value::Object(m))
        };
        for (key, node, pos) in props {
            let pos = *pos;
            let value = match (kind, key.as_str()) {
                ("service", "version") => match node {
                    Node::Str(s) => Value::String(s.clone()),
                    _ => return fail(cx.file, pos, format!("{id}: `version` must be a string")),
                },
                ("service", "operations" | "resources" | "errors")
                | ("resource", "operations" | "collectionOperations" | "resources") => {
                    id_list(self, node, pos, key)?
                }
                ("service", "rename") => {
                    let Node::Object(kvs) = node else {
                        return fail(cx.file, pos, format!("{id}: `rename` must be an object"));
                    };
                    let mut m = Map::new();
                    for (k, v) in kvs {
                        let Node::Str(name) = v else {
                            return fail(
                                cx.file,
                                pos,
                                format!("{id}: `rename` values must be strings"),
                            );
                        };
                        m.insert(self.resolve(cx, k), Value::String(name.clone()));
                    }
                    Value::Object(m)
                }
                ("resource", "identifiers" | "properties") => {
                    if key == "properties" && !cx.version2 {
                        return fail(
                            cx.file,
                            pos,
                            "Resource properties can only be used with Smithy version 2 or later.",
                        );
                    }
                    id_map(self, node, pos, key)?
                }
                ("resource", "create" | "put" | "read" | "update" | "delete" | "list") => {
                    as_id(self, node, pos, key)?
                }
                _ => {
                    return fail(cx.file, pos, format!("Unknown property {key} for {id}"));
                }
            };
            out.insert(key.clone(), value);
        }
        Ok(())
    }

    // ---- JSON AST files -----------------------------------------------------------------------

    fn json_file(&mut self, name: &str, doc: &Value) -> AResult<()> {
        let Some(root) = doc.as_object() else {
            return fail_file(name, "a JSON AST document must be an object");
        };
        let v1 = match root.get("smithy") {
            Some(Value::String(v)) if v.starts_with('1') || v.starts_with('2') => {
                v.starts_with('1')
            }
            Some(v) => return fail_file(name, format!("unsupported Smithy version {v}")),
            None => return fail_file(name, "missing the `smithy` version key"),
        };
        if let Some(meta) = root.get("metadata") {
            let Some(meta) = meta.as_object() else {
                return fail_file(name, "`metadata` must be an object");
            };
            for (k, v) in meta {
                merge_metadata(&mut self.metadata, k, v.clone()).or_else(|m| fail_file(name, m))?;
            }
        }
        let Some(shapes) = root.get("shapes") else {
            return Ok(());
        };
        let Some(shapes) = shapes.as_object() else {
            return fail_file(name, "`shapes` must be an object");
        };
        let origin = Origin {
            file: name.into(),
            pos: Pos::default(),
        };
        for (id, shape) in shapes {
            let Some(obj) = shape.as_object() else {
                return fail_file(name, format!("{id}: a shape must be an object"));
            };
            if obj.get("type").and_then(Value::as_str) == Some("apply") {
                let traits = match obj.get("traits") {
                    Some(Value::Object(t)) => t.clone(),
                    None => Map::new(),
                    Some(_) => return fail_file(name, format!("{id}: `traits` must be an object")),
                };
                self.applies.push((id.clone(), traits, origin.clone()));
                continue;
            }
            self.insert_shape(id.clone(), shape.clone(), origin.clone())?;
            if v1 {
                self.v1.insert(id.clone());
            }
        }
        Ok(())
    }

    // ---- after every file ---------------------------------------------------------------------

    /// The target of member `name` that `shape` inherits from its mixins, and the mixin member
    /// that defines it.
    fn inherited(&self, shape: &str, name: &str, depth: usize) -> Option<(String, String)> {
        if depth > 64 {
            return None;
        }
        let s = self.shapes.get(shape)?;
        for m in s
            .get("mixins")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let Some(mid) = m.get("target").and_then(Value::as_str) else {
                continue;
            };
            if let Some(t) = self.local_member_target(mid, name) {
                return Some((t, format!("{mid}${name}")));
            }
            if let Some(found) = self.inherited(mid, name, depth + 1) {
                return Some(found);
            }
        }
        None
    }

    fn local_member_target(&self, shape: &str, name: &str) -> Option<String> {
        let s = self.shapes.get(shape)?;
        let member = match s.get("members") {
            Some(Value::Object(ms)) => ms.get(name),
            _ => s
                .get(name)
                .filter(|_| matches!(name, "member" | "key" | "value")),
        }?;
        member
            .get("target")
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    fn resolve_elided(&mut self) -> AResult<()> {
        // Mixins may themselves elide members: resolve until nothing changes.
        let mut pending = std::mem::take(&mut self.elided);
        while !pending.is_empty() {
            let before = pending.len();
            let mut next = Vec::new();
            for e in pending {
                let from_mixin = self.inherited(&e.shape, &e.member, 0);
                let from_resource = e.resource.as_deref().and_then(|r| {
                    let res = self.shapes.get(r)?;
                    ["identifiers", "properties"].iter().find_map(|k| {
                        res.get(*k)?
                            .get(&e.member)?
                            .get("target")?
                            .as_str()
                            .map(str::to_owned)
                    })
                });
                match (from_mixin, from_resource) {
                    (Some((t, mixin_member)), Some(rt)) if t != rt => {
                        return fail(&e.origin.file, e.origin.pos, format!("{}${}: Member conflicts with an inherited mixin member: `{mixin_member}`", e.shape, e.member));
                    }
                    (Some(_), _) => {
                        if !e.traits.is_empty() {
                            self.applies.push((
                                format!("{}${}", e.shape, e.member),
                                e.traits,
                                e.origin,
                            ));
                        }
                    }
                    (None, Some(target)) => self.insert_member(&e, target),
                    (None, None) => next.push(e),
                }
            }
            if next.len() == before {
                let e = &next[0];
                return fail(&e.origin.file, e.origin.pos, format!("{}${}: Member target was elided, but no bound resource or mixin contained a matching identifier or member name.", e.shape, e.member));
            }
            pending = next;
        }
        Ok(())
    }

    /// Puts a resolved elided member into its shape at its written position.
    fn insert_member(&mut self, e: &Elided, target: String) {
        let Some(shape) = self.shapes.get_mut(&e.shape).and_then(Value::as_object_mut) else {
            return;
        };
        let mut mv = Map::new();
        mv.insert("target".into(), Value::String(target));
        if !e.traits.is_empty() {
            mv.insert("traits".into(), Value::Object(e.traits.clone()));
        }
        if let Some(Value::Object(members)) = shape.get_mut("members") {
            let mut rebuilt = Map::new();
            let mut mv = Some(Value::Object(mv));
            for (k, v) in std::mem::take(members) {
                if e.after.contains(&k) {
                    if let Some(mv) = mv.take() {
                        rebuilt.insert(e.member.clone(), mv);
                    }
                }
                rebuilt.insert(k, v);
            }
            if let Some(mv) = mv {
                rebuilt.insert(e.member.clone(), mv);
            }
            *members = rebuilt;
        } else {
            shape.insert(e.member.clone(), Value::Object(mv));
        }
    }

    /// Mixins exist, are mixins of the same type, and do not disagree on member targets.
    fn check_mixins(&self) -> AResult<()> {
        for (id, shape) in &self.shapes {
            let Some(mixins) = shape.get("mixins").and_then(Value::as_array) else {
                continue;
            };
            let origin = &self.origins[id];
            let ty = shape.get("type").and_then(Value::as_str).unwrap_or("");
            let mut wrong = Vec::new();
            let mut seen: BTreeMap<String, (String, String)> = BTreeMap::new();
            for m in mixins {
                let Some(mid) = m.get("target").and_then(Value::as_str) else {
                    continue;
                };
                let Some(mixin) = self.shapes.get(mid) else {
                    return fail(
                        &origin.file,
                        origin.pos,
                        format!("{id}: mixin `{mid}` does not exist"),
                    );
                };
                if mixin.get("type").and_then(Value::as_str) != Some(ty) {
                    wrong.push(mid.to_owned());
                }
                for (name, target) in self.all_members(mid, 0) {
                    if let Some((t, owner)) = seen.get(&name) {
                        if *t != target {
                            return fail(&origin.file, origin.pos, format!("{id}${name}: Member conflicts with an inherited mixin member: `{owner}${name}`"));
                        }
                    }
                    seen.insert(name, (target, mid.to_owned()));
                }
            }
            if !wrong.is_empty() {
                return fail(&origin.file, origin.pos, format!("Mixins may only be mixed into shapes of the same type. The following mixins were applied to the {ty} shape `{id}` which are not {ty} shapes: [{}]", wrong.join(", ")));
            }
            for (name, target) in self.local_members(id) {
                if let Some((t, owner)) = seen.get(&name) {
                    if *t != target {
                        return fail(&origin.file, origin.pos, format!("{id}${name}: Member conflicts with an inherited mixin member: `{owner}${name}`"));
                    }
                }
            }
        }
        Ok(())
    }

    /// Enum members of enums with mixins that carry no value: an inherited member keeps its
    /// value; a new `enum` member gets its name; a new `intEnum` member is an error.
    fn enum_defaults(&mut self) -> AResult<()> {
        let ids: Vec<String> = self
            .shapes
            .iter()
            .filter(|(_, s)| {
                matches!(
                    s.get("type").and_then(Value::as_str),
                    Some("enum" | "intEnum")
                ) && s.get("mixins").is_some()
            })
            .map(|(k, _)| k.clone())
            .collect();
        for id in ids {
            let names: Vec<String> = self
                .local_members(&id)
                .into_iter()
                .map(|(n, _)| n)
                .collect();
            for name in names {
                let inherited = self.inherited(&id, &name, 0).is_some();
                let origin = self.origins[&id].clone();
                let shape = &mut self.shapes[&id];
                let is_enum = shape.get("type").and_then(Value::as_str) == Some("enum");
                let Some(member) = shape
                    .get_mut("members")
                    .and_then(|m| m.get_mut(&name))
                    .and_then(Value::as_object_mut)
                else {
                    continue;
                };
                let traits = member
                    .entry("traits")
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(traits) = traits.as_object_mut() else {
                    continue;
                };
                if inherited || traits.contains_key("smithy.api#enumValue") {
                    continue;
                }
                if !is_enum {
                    return fail(
                        &origin.file,
                        origin.pos,
                        format!(
                            "{id}${name}: intEnum members require integer values, but found none"
                        ),
                    );
                }
                traits.insert("smithy.api#enumValue".into(), Value::String(name.clone()));
            }
        }
        Ok(())
    }

    fn local_members(&self, id: &str) -> Vec<(String, String)> {
        let Some(s) = self.shapes.get(id) else {
            return Vec::new();
        };
        let target = |v: &Value| v.get("target").and_then(Value::as_str).map(str::to_owned);
        match s.get("members") {
            Some(Value::Object(ms)) => ms
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), target(v)?)))
                .collect(),
            _ => ["member", "key", "value"]
                .iter()
                .filter_map(|k| Some((k.to_string(), target(s.get(*k)?)?)))
                .collect(),
        }
    }

    /// Members of a shape, its mixins' first.
    fn all_members(&self, id: &str, depth: usize) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = Vec::new();
        if depth > 64 {
            return out;
        }
        if let Some(mixins) = self
            .shapes
            .get(id)
            .and_then(|s| s.get("mixins"))
            .and_then(Value::as_array)
        {
            for m in mixins {
                if let Some(mid) = m.get("target").and_then(Value::as_str) {
                    for (n, t) in self.all_members(mid, depth + 1) {
                        if !out.iter().any(|(x, _)| *x == n) {
                            out.push((n, t));
                        }
                    }
                }
            }
        }
        for (n, t) in self.local_members(id) {
            if !out.iter().any(|(x, _)| *x == n) {
                out.push((n, t));
            }
        }
        out
    }

    fn apply(&mut self, target: &str, traits: Map<String, Value>, origin: &Origin) -> AResult<()> {
        let (shape_id, member) = match target.split_once('$') {
            Some((s, m)) => (s, Some(m)),
            None => (target, None),
        };
        if !self.shapes.contains_key(shape_id) {
            return fail(
                &origin.file,
                origin.pos,
                format!("Trait applied to a shape that does not exist: `{target}`"),
            );
        }
        let inherited = member.and_then(|m| {
            if self.local_member_target(shape_id, m).is_some() {
                None
            } else {
                self.inherited(shape_id, m, 0).map(|(t, _)| t)
            }
        });
        let shape = self
            .shapes
            .get_mut(shape_id)
            .and_then(Value::as_object_mut)
            .expect("checked above");
        let slot = match member {
            None => shape,
            Some(m) => {
                let is_collection =
                    matches!(m, "member" | "key" | "value") && !shape.contains_key("members");
                let members = if is_collection {
                    shape
                } else {
                    shape
                        .entry("members")
                        .or_insert_with(|| Value::Object(Map::new()))
                        .as_object_mut()
                        .expect("members is an object")
                };
                if !members.contains_key(m) {
                    let Some(t) = inherited else {
                        return fail(
                            &origin.file,
                            origin.pos,
                            format!("Trait applied to a member that does not exist: `{target}`"),
                        );
                    };
                    let mut mv = Map::new();
                    mv.insert("target".into(), Value::String(t));
                    members.insert(m.to_owned(), Value::Object(mv));
                }
                members
                    .get_mut(m)
                    .and_then(Value::as_object_mut)
                    .expect("member inserted above")
            }
        };
        let slot = slot
            .entry("traits")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(slot) = slot.as_object_mut() else {
            return fail(
                &origin.file,
                origin.pos,
                format!("{target}: `traits` must be an object"),
            );
        };
        for (k, v) in traits {
            merge_trait(slot, &k, v)
                .or_else(|m| fail(&origin.file, origin.pos, format!("{target}: {m}")))?;
        }
        Ok(())
    }

    /// Smithy 1.0 shapes, upgraded as the reference loader does: a number or boolean shape
    /// without `@box` gets a zero `@default`; a structure member targeting such a shape (or a
    /// `Primitive*` prelude shape) gets `@default` of zero, a `@box`ed member `@default(null)`, a
    /// member targeting a `@streaming` blob `@default("")`; `@box` itself goes away.
    fn upgrade_v1(&mut self) {
        if self.v1.is_empty() {
            return;
        }
        const NUMERIC: [&str; 7] = [
            "byte", "short", "integer", "long", "float", "double", "boolean",
        ];
        let zero = |ty: &str| {
            if ty == "boolean" {
                Value::Bool(false)
            } else {
                Value::from(0)
            }
        };
        let has_trait = |s: &Value, t: &str| s.get("traits").and_then(|x| x.get(t)).is_some();
        // The zero value of a member's target when 1.0 made it non-nullable, before `@box` goes.
        let mut non_null: HashMap<String, Value> = HashMap::new();
        for name in [
            "Boolean", "Byte", "Short", "Integer", "Long", "Float", "Double",
        ] {
            let ty = if name == "Boolean" {
                "boolean"
            } else {
                "integer"
            };
            non_null.insert(format!("smithy.api#Primitive{name}"), zero(ty));
        }
        let mut streaming: HashSet<String> = HashSet::new();
        for (id, shape) in &self.shapes {
            let ty = shape.get("type").and_then(Value::as_str).unwrap_or("");
            if self.v1.contains(id) && NUMERIC.contains(&ty) && !has_trait(shape, "smithy.api#box")
            {
                non_null.insert(id.clone(), zero(ty));
            }
            if ty == "blob" && has_trait(shape, "smithy.api#streaming") {
                streaming.insert(id.clone());
            }
        }
        let ids: Vec<String> = self.v1.iter().cloned().collect();
        for id in ids {
            let Some(shape) = self.shapes.get_mut(&id).and_then(Value::as_object_mut) else {
                continue;
            };
            let ty = shape
                .get("type")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_owned();
            if let Some(Value::Object(traits)) = shape.get_mut("traits") {
                let boxed = traits.shift_remove("smithy.api#box").is_some();
                if !boxed
                    && NUMERIC.contains(&ty.as_str())
                    && !traits.contains_key("smithy.api#default")
                {
                    traits.insert("smithy.api#default".into(), zero(&ty));
                }
                if traits.is_empty() {
                    shape.shift_remove("traits");
                }
            } else if NUMERIC.contains(&ty.as_str()) {
                let mut t = Map::new();
                t.insert("smithy.api#default".into(), zero(&ty));
                shape.insert("traits".into(), Value::Object(t));
            }
            if ty != "structure" {
                continue;
            }
            let Some(Value::Object(members)) = shape.get_mut("members") else {
                continue;
            };
            for member in members.values_mut() {
                let Some(member) = member.as_object_mut() else {
                    continue;
                };
                let target = member
                    .get("target")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned();
                let traits = member
                    .entry("traits")
                    .or_insert_with(|| Value::Object(Map::new()));
                let Some(traits) = traits.as_object_mut() else {
                    continue;
                };
                let boxed = traits.shift_remove("smithy.api#box").is_some();
                if !traits.contains_key("smithy.api#default") {
                    if boxed {
                        if non_null.contains_key(&target) {
                            traits.insert("smithy.api#default".into(), Value::Null);
                        }
                    } else if let Some(z) = non_null.get(&target) {
                        traits.insert("smithy.api#default".into(), z.clone());
                    } else if streaming.contains(&target)
                        && !traits.contains_key("smithy.api#required")
                    {
                        traits.insert("smithy.api#default".into(), Value::from(""));
                    }
                }
                if traits.is_empty() {
                    member.shift_remove("traits");
                }
            }
        }
    }

    /// Drops local redeclarations of inherited mixin members that add no traits.
    fn canonical_mixin_members(&mut self) {
        let ids: Vec<String> = self
            .shapes
            .iter()
            .filter(|(_, s)| s.get("mixins").is_some())
            .map(|(k, _)| k.clone())
            .collect();
        for id in ids {
            let redundant: Vec<String> = self
                .local_members(&id)
                .into_iter()
                .filter(|(name, target)| {
                    self.inherited(&id, name, 0)
                        .is_some_and(|(t, _)| t == *target)
                        && self.member_traits_empty(&id, name)
                })
                .map(|(n, _)| n)
                .collect();
            let Some(shape) = self.shapes.get_mut(&id).and_then(Value::as_object_mut) else {
                continue;
            };
            for name in redundant {
                match shape.get_mut("members") {
                    Some(Value::Object(ms)) => {
                        ms.shift_remove(&name);
                    }
                    _ => {
                        shape.shift_remove(&name);
                    }
                }
            }
        }
    }

    fn member_traits_empty(&self, id: &str, name: &str) -> bool {
        let Some(s) = self.shapes.get(id) else {
            return true;
        };
        let m = match s.get("members") {
            Some(Value::Object(ms)) => ms.get(name),
            _ => s.get(name),
        };
        m.and_then(|m| m.get("traits"))
            .and_then(Value::as_object)
            .is_none_or(Map::is_empty)
    }
}

/// The value an annotation trait (`@foo`) gets, by the trait shape's type.
fn empty_trait_value(kind: &str) -> Value {
    match kind {
        "list" | "set" => Value::Array(Vec::new()),
        "boolean" => Value::Bool(true),
        _ => Value::Object(Map::new()),
    }
}

/// Adds a trait value; the same trait twice is fine when the values agree, and list values
/// concatenate.
fn merge_trait(traits: &mut Map<String, Value>, id: &str, value: Value) -> Result<(), String> {
    match traits.get_mut(id) {
        None => {
            traits.insert(id.to_owned(), value);
            Ok(())
        }
        Some(old) if *old == value => Ok(()),
        Some(Value::Array(old)) => match value {
            Value::Array(new) => {
                old.extend(new);
                Ok(())
            }
            _ => Err(format!("Conflicting `{id}` trait values")),
        },
        Some(_) => Err(format!("Conflicting `{id}` trait values")),
    }
}

/// Merges one metadata key: lists concatenate, equal values agree, anything else conflicts.
fn merge_metadata(meta: &mut Map<String, Value>, key: &str, value: Value) -> Result<(), String> {
    match meta.get_mut(key) {
        None => {
            meta.insert(key.to_owned(), value);
            Ok(())
        }
        Some(Value::Array(old)) => match value {
            Value::Array(new) => {
                old.extend(new);
                Ok(())
            }
            _ => Err(format!("Metadata conflict for key `{key}`")),
        },
        Some(old) if *old == value => Ok(()),
        Some(_) => Err(format!("Metadata conflict for key `{key}`")),
    }
}

fn check_enum_value(kind: &str, value: &Value) -> Result<(), String> {
    if kind == "enum" {
        return match value {
            Value::String(_) => Ok(()),
            other => Err(format!(
                "enum members can only be assigned string values, but found: {other}"
            )),
        };
    }
    match value {
        Value::Number(n) => {
            let text = n.to_string();
            if text.contains(['.', 'e', 'E']) {
                return Err("intEnum members do not support floating point values".into());
            }
            match n.as_i64() {
                Some(v) if i32::try_from(v).is_ok() => Ok(()),
                _ => Err(format!(
                    "intEnum members must fit within an integer, but found: {text}"
                )),
            }
        }
        other => Err(format!(
            "intEnum members require integer values, but found: {other}"
        )),
    }
}

/// A JSON number from its IDL text (kept exactly, so big values survive).
pub fn number(text: &str) -> Option<Value> {
    serde_json::from_str::<serde_json::Number>(text)
        .ok()
        .map(Value::Number)
}
