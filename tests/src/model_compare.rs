//! Comparing two JSON AST documents as models: shapes, members and their order, traits and
//! their values. Numbers compare by value (`2E+308` and `2e308` agree), empty collections equal
//! absent ones, and an operation's `smithy.api#Unit` input or output equals none (as Smithy says).

use serde_json::{Map, Value};

/// A number's value as comparable text (`2E+308` and `2e308` agree, so do `1.0` and `1.00`).
fn number_key(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    if let Some(f) = n.as_f64() {
        return format!("{f:e}");
    }
    n.to_string().to_ascii_lowercase().replace("e+", "e")
}

/// A JSON value with members kept in order (objects become `[[key, value], ...]` only where order
/// matters: a shape's `members`), numbers compared by value, empty collections dropped.
pub fn canon(v: &Value, ordered_keys: bool) -> Value {
    match v {
        Value::Number(n) => Value::String(format!("#{}", number_key(n))),
        Value::Array(items) => Value::Array(items.iter().map(|i| canon(i, false)).collect()),
        Value::Object(m) => {
            if ordered_keys {
                return Value::Array(
                    m.iter()
                        .map(|(k, v)| Value::Array(vec![Value::from(k.as_str()), canon(v, false)]))
                        .collect(),
                );
            }
            let mut out = Map::new();
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            for k in keys {
                let v = &m[k];
                let empty = matches!(v, Value::Object(o) if o.is_empty())
                    && matches!(
                        k.as_str(),
                        "members" | "traits" | "identifiers" | "properties" | "rename"
                    )
                    || matches!(v, Value::Array(a) if a.is_empty())
                        && matches!(
                            k.as_str(),
                            "mixins"
                                | "errors"
                                | "operations"
                                | "resources"
                                | "collectionOperations"
                        );
                // An operation's absent input or output means `smithy.api#Unit`.
                let unit = matches!(k.as_str(), "input" | "output")
                    && v.get("target").and_then(Value::as_str) == Some("smithy.api#Unit");
                if empty || unit {
                    continue;
                }
                out.insert(k.clone(), canon(v, k == "members"));
            }
            Value::Object(out)
        }
        other => other.clone(),
    }
}

/// Shapes (not the `smithy` version) and metadata, canonical.
pub fn model_view(doc: &Value) -> Value {
    let mut out = Map::new();
    out.insert(
        "metadata".into(),
        canon(doc.get("metadata").unwrap_or(&Value::Null), false),
    );
    let shapes = doc
        .get("shapes")
        .cloned()
        .unwrap_or(Value::Object(Map::new()));
    out.insert("shapes".into(), canon(&shapes, false));
    Value::Object(out)
}

/// The first difference between two canonical values, as a path and both sides.
pub fn first_diff(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys()) {
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => {
                        if let Some(d) = first_diff(p, q, &format!("{path}/{k}")) {
                            return Some(d);
                        }
                    }
                    (p, q) => {
                        return Some(format!(
                            "{path}/{k}: left {} / right {}",
                            p.map_or("missing".into(), |v| v.to_string()),
                            q.map_or("missing".into(), |v| v.to_string())
                        ))
                    }
                }
            }
            None
        }
        _ if a == b => None,
        _ => Some(format!("{path}: left {a} / right {b}")),
    }
}
