//! JSON AST → Smithy IDL 2.0 text: the reverse of the loader, so that a JSON model (or the
//! loader's own output) can be read and edited as IDL. One file per namespace; loading the files
//! back gives the same model.
//!
//! Shape references are written relative where that resolves to the same shape (the file's own
//! namespace, the prelude when no local shape has the name), absolute otherwise. Documentation
//! becomes `///` comments, member defaults and enum values become `= value` assignments, and
//! `apply` entries become `apply` statements.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::{Map, Value};

use super::standard;

/// An error converting a document: the shape id and the reason.
#[derive(Debug, Clone)]
pub struct WriteError(pub String);

type WResult<T> = Result<T, WriteError>;

/// Writes a JSON AST document as IDL: `(namespace, file text)` per namespace, in name order.
pub fn to_idl(doc: &Value) -> WResult<Vec<(String, String)>> {
    let shapes = doc
        .get("shapes")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut by_ns: BTreeMap<String, Vec<(&String, &Value)>> = BTreeMap::new();
    for (id, s) in &shapes {
        let Some((ns, _)) = id.split_once('#') else {
            return Err(WriteError(format!("shape id `{id}` is not absolute")));
        };
        by_ns.entry(ns.to_owned()).or_default().push((id, s));
    }
    let metadata = doc.get("metadata").and_then(Value::as_object);
    let mut out = Vec::new();
    if by_ns.is_empty() {
        if let Some(meta) = metadata.filter(|m| !m.is_empty()) {
            let mut w = Writer::new("", &shapes);
            w.header(Some(meta))?;
            out.push((String::new(), w.out));
        }
        return Ok(out);
    }
    for (i, (ns, list)) in by_ns.iter().enumerate() {
        let mut w = Writer::new(ns, &shapes);
        w.header(if i == 0 { metadata } else { None })?;
        let _ = writeln!(w.out, "namespace {ns}\n");
        w.uses(list);
        for (id, shape) in list {
            w.shape(id, shape)?;
        }
        out.push((ns.clone(), w.out));
    }
    Ok(out)
}

struct Writer<'a> {
    ns: &'a str,
    shapes: &'a Map<String, Value>,
    /// `use`d trait ids by their short name.
    uses: BTreeMap<String, String>,
    out: String,
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.bytes().all(|c| c == b'_')
}

/// An object key: bare when it is an identifier.
fn key(k: &str) -> String {
    if is_identifier(k) {
        k.to_owned()
    } else {
        quote(k)
    }
}

/// A quoted IDL string.
fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('"');
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\r' => q.push_str("\\r"),
            '\t' => q.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(q, "\\u{:04x}", c as u32);
            }
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

impl<'a> Writer<'a> {
    fn new(ns: &'a str, shapes: &'a Map<String, Value>) -> Self {
        Writer {
            ns,
            shapes,
            uses: BTreeMap::new(),
            out: String::new(),
        }
    }

    /// `use` statements for the traits of other namespaces this file applies, when their short
    /// names are unambiguous here.
    fn uses(&mut self, list: &[(&String, &Value)]) {
        let mut wanted: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut add = |traits: Option<&Value>| {
            for id in traits
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k)
            {
                if let Some((ns, name)) = id.split_once('#') {
                    if ns != self.ns && ns != "smithy.api" {
                        let ids = wanted.entry(name.to_owned()).or_default();
                        if !ids.contains(id) {
                            ids.push(id.clone());
                        }
                    }
                }
            }
        };
        for (_, shape) in list {
            add(shape.get("traits"));
            for m in shape
                .get("members")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                add(m.1.get("traits"));
            }
            for k in ["member", "key", "value"] {
                add(shape.get(k).and_then(|m| m.get("traits")));
            }
        }
        for (name, ids) in wanted {
            let clash = self.shapes.contains_key(&format!("{}#{name}", self.ns))
                || standard::kind(&format!("smithy.api#{name}")).is_some();
            if ids.len() == 1 && !clash {
                let _ = writeln!(self.out, "use {}", ids[0]);
                self.uses.insert(name, ids[0].clone());
            }
        }
        if !self.uses.is_empty() {
            self.out.push('\n');
        }
    }

    fn header(&mut self, metadata: Option<&Map<String, Value>>) -> WResult<()> {
        self.out.push_str("$version: \"2.0\"\n\n");
        if let Some(meta) = metadata {
            for (k, v) in meta {
                let key = if is_identifier(k) {
                    k.clone()
                } else {
                    quote(k)
                };
                let value = self.node(v, 0);
                let _ = writeln!(self.out, "metadata {key} = {value}");
            }
            if !meta.is_empty() {
                self.out.push('\n');
            }
        }
        Ok(())
    }

    /// How a shape id is written in this file.
    fn id(&self, id: &str) -> String {
        let (base, member) = match id.split_once('$') {
            Some((b, m)) => (b, Some(m)),
            None => (id, None),
        };
        let short = match base.split_once('#') {
            Some((_, name)) if self.uses.get(name).is_some_and(|u| u == base) => Some(name),
            Some((ns, name)) if ns == self.ns => Some(name),
            Some(("smithy.api", name))
                if !self.shapes.contains_key(&format!("{}#{name}", self.ns))
                    && (standard::kind(base).is_some() || self.shapes.contains_key(base)) =>
            {
                Some(name)
            }
            _ => None,
        };
        let mut s = short.map_or_else(|| base.to_owned(), str::to_owned);
        if let Some(m) = member {
            s.push('$');
            s.push_str(m);
        }
        s
    }

    fn node(&self, v: &Value, indent: usize) -> String {
        match v {
            Value::Null => "null".into(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => n.to_string(),
            Value::String(s) => quote(s),
            Value::Array(items) if items.is_empty() => "[]".into(),
            Value::Array(items) => {
                let pad = "    ".repeat(indent + 1);
                let mut s = String::from("[\n");
                for i in items {
                    let _ = writeln!(s, "{pad}{}", self.node(i, indent + 1));
                }
                s.push_str(&"    ".repeat(indent));
                s.push(']');
                s
            }
            Value::Object(m) if m.is_empty() => "{}".into(),
            Value::Object(m) => {
                let pad = "    ".repeat(indent + 1);
                let mut s = String::from("{\n");
                for (k, v) in m {
                    let key = if is_identifier(k) {
                        k.clone()
                    } else {
                        quote(k)
                    };
                    let _ = writeln!(s, "{pad}{key}: {}", self.node(v, indent + 1));
                }
                s.push_str(&"    ".repeat(indent));
                s.push('}');
                s
            }
        }
    }

    /// The kind of a trait shape, from the document or the standard definitions.
    fn trait_kind(&self, id: &str) -> Option<&str> {
        self.shapes
            .get(id)
            .and_then(|s| s.get("type"))
            .and_then(Value::as_str)
            .or_else(|| standard::kind(id))
    }

    /// Doc comment and trait lines for a shape or member, `skip` traits left out.
    fn traits(&mut self, traits: Option<&Value>, indent: usize, skip: &[&str]) -> WResult<()> {
        let Some(traits) = traits else { return Ok(()) };
        let Some(traits) = traits.as_object() else {
            return Err(WriteError("`traits` must be an object".into()));
        };
        let pad = "    ".repeat(indent);
        if let Some(Value::String(doc)) = traits.get("smithy.api#documentation") {
            if !doc.is_empty() && !doc.contains('\r') {
                for line in doc.split('\n') {
                    let _ = writeln!(self.out, "{pad}/// {line}");
                }
            }
        }
        for (id, value) in traits {
            if skip.contains(&id.as_str()) {
                continue;
            }
            if id == "smithy.api#documentation"
                && value
                    .as_str()
                    .is_some_and(|d| !d.is_empty() && !d.contains('\r'))
            {
                continue;
            }
            let name = self.id(id);
            let empty = match value {
                Value::Object(m) => {
                    m.is_empty() && matches!(self.trait_kind(id), Some("structure" | "map"))
                }
                Value::Array(a) => {
                    a.is_empty() && matches!(self.trait_kind(id), Some("list" | "set"))
                }
                _ => false,
            };
            let scalar = |v: &Value| !matches!(v, Value::Array(_) | Value::Object(_));
            if empty {
                let _ = writeln!(self.out, "{pad}@{name}");
            } else if let Value::Object(m) = value
                .as_object()
                .filter(|m| !m.is_empty())
                .map_or(&Value::Null, |_| value)
            {
                // A structure value as the trait body: `@t(a: 1, b: "x")`, one line when short.
                if m.len() <= 3 && m.values().all(scalar) {
                    let body: Vec<String> = m
                        .iter()
                        .map(|(k, v)| format!("{}: {}", key(k), self.node(v, indent)))
                        .collect();
                    let _ = writeln!(self.out, "{pad}@{name}({})", body.join(", "));
                } else {
                    let _ = writeln!(self.out, "{pad}@{name}(");
                    for (k, v) in m {
                        let _ = writeln!(
                            self.out,
                            "{pad}    {}: {}",
                            key(k),
                            self.node(v, indent + 1)
                        );
                    }
                    let _ = writeln!(self.out, "{pad})");
                }
            } else {
                let _ = writeln!(self.out, "{pad}@{name}({})", self.node(value, indent));
            }
        }
        Ok(())
    }

    fn target(&self, v: Option<&Value>) -> Option<String> {
        v?.get("target")?.as_str().map(|t| self.id(t))
    }

    fn shape(&mut self, id: &str, shape: &Value) -> WResult<()> {
        let err = |m: &str| WriteError(format!("{id}: {m}"));
        let ty = shape
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| err("missing `type`"))?;
        let name = id.split_once('#').map_or(id, |(_, n)| n);
        if ty != "apply" && !is_identifier(name) {
            return Err(err("the shape name is not a Smithy identifier"));
        }
        if ty == "apply" {
            let traits = shape.get("traits").and_then(Value::as_object);
            let _ = writeln!(self.out, "apply {} {{", self.id(id));
            if let Some(t) = traits {
                let t = Value::Object(t.clone());
                // Documentation in an apply block must stay a trait: doc comments there are ignored.
                self.apply_traits(&t)?;
            }
            self.out.push_str("}\n\n");
            return Ok(());
        }
        let traits = shape.get("traits");
        self.traits(traits, 0, &[])?;
        let mixins = match shape.get("mixins").and_then(Value::as_array) {
            Some(m) if !m.is_empty() => {
                let names: Vec<String> = m.iter().filter_map(|x| self.target(Some(x))).collect();
                format!(" with [{}]", names.join(", "))
            }
            _ => String::new(),
        };
        let _ = write!(self.out, "{ty} {name}{mixins}");
        match ty {
            "list" | "set" | "map" => {
                self.out.push_str(" {\n");
                for key in ["member", "key", "value"] {
                    if let Some(m) = shape.get(key) {
                        self.member(key, m, false)?;
                    }
                }
                self.out.push_str("}\n");
            }
            "structure" | "union" | "enum" | "intEnum" => {
                self.out.push_str(" {\n");
                let is_enum = matches!(ty, "enum" | "intEnum");
                if let Some(ms) = shape.get("members").and_then(Value::as_object) {
                    // Members with traits or docs above them are set apart by blank lines.
                    let value_trait = if is_enum {
                        "smithy.api#enumValue"
                    } else {
                        "smithy.api#default"
                    };
                    let spaced = ms.values().any(|m| {
                        m.get("traits")
                            .and_then(Value::as_object)
                            .is_some_and(|t| t.keys().any(|k| k != value_trait))
                    });
                    for (i, (mname, m)) in ms.iter().enumerate() {
                        if spaced && i > 0 {
                            self.out.push('\n');
                        }
                        self.member(mname, m, is_enum)?;
                    }
                }
                self.out.push_str("}\n");
            }
            "service" | "resource" | "operation" => {
                let mut props = Map::new();
                for (k, v) in shape.as_object().into_iter().flatten() {
                    if !matches!(k.as_str(), "type" | "traits" | "mixins") {
                        props.insert(k.clone(), v.clone());
                    }
                }
                self.out.push_str(" {\n");
                for (k, v) in &props {
                    let value = self.property(k, v);
                    let _ = writeln!(self.out, "    {k}: {value}");
                }
                self.out.push_str("}\n");
            }
            _ => self.out.push('\n'),
        }
        self.out.push('\n');
        Ok(())
    }

    fn apply_traits(&mut self, traits: &Value) -> WResult<()> {
        let Some(t) = traits.as_object() else {
            return Ok(());
        };
        for (id, value) in t {
            let name = self.id(id);
            let _ = writeln!(self.out, "    @{name}({})", self.node(value, 1));
        }
        Ok(())
    }

    /// A service, resource or operation property: shape references written as ids.
    fn property(&self, key: &str, v: &Value) -> String {
        let as_ref = |x: &Value| self.target(Some(x)).unwrap_or_else(|| self.node(x, 1));
        match (key, v) {
            ("rename", Value::Object(m)) => {
                let mut s = String::from("{\n");
                for (k, name) in m {
                    let _ = writeln!(s, "        {}: {}", quote(k), self.node(name, 2));
                }
                s.push_str("    }");
                s
            }
            (_, Value::Array(items)) => {
                if items.is_empty() {
                    return "[]".into();
                }
                let mut s = String::from("[\n");
                for i in items {
                    let _ = writeln!(s, "        {}", as_ref(i));
                }
                s.push_str("    ]");
                s
            }
            ("identifiers" | "properties", Value::Object(m)) => {
                let mut s = String::from("{\n");
                for (k, t) in m {
                    let _ = writeln!(s, "        {k}: {}", as_ref(t));
                }
                s.push_str("    }");
                s
            }
            (_, Value::Object(_)) if v.get("target").is_some() => as_ref(v),
            _ => self.node(v, 1),
        }
    }

    fn member(&mut self, name: &str, m: &Value, is_enum: bool) -> WResult<()> {
        if !is_identifier(name) {
            return Err(WriteError(format!(
                "member name {name:?} is not a Smithy identifier and cannot be written as IDL"
            )));
        }
        let traits = m.get("traits");
        let value_trait = if is_enum {
            "smithy.api#enumValue"
        } else {
            "smithy.api#default"
        };
        let assigned = traits.and_then(|t| t.get(value_trait));
        self.traits(traits, 1, &[value_trait])?;
        let value = assigned.map_or(String::new(), |v| format!(" = {}", self.node(v, 1)));
        if is_enum {
            let _ = writeln!(self.out, "    {name}{value}");
        } else {
            let target = self
                .target(Some(m))
                .ok_or_else(|| WriteError(format!("member {name}: missing target")))?;
            let _ = writeln!(self.out, "    {name}: {target}{value}");
        }
        Ok(())
    }
}
