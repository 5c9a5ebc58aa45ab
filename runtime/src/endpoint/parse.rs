//! JSON rule set → typed tree ([`super::ast`]), checking names, scopes and function arities.

use std::collections::BTreeMap;

use super::ast::{
    Call, Condition, EndpointRule, Expr, Part, PathSeg, Prop, Rule, RuleKind, Slot, Template,
};
use super::{Deprecated, ParamType, Parameter, RuleSet, Value};
use crate::types::Document;

/// Builds a [`RuleSet`] from its JSON document. Errors name the offending rule.
pub(crate) fn rule_set(doc: &Document) -> Result<RuleSet, String> {
    let obj = doc.as_object().ok_or("the rule set is not a JSON object")?;
    let params_doc = match obj.get("parameters") {
        Some(p) => p.as_object().ok_or("`parameters` is not an object")?,
        None => return Err("missing `parameters`".into()),
    };
    let params = params_doc
        .iter()
        .map(|(name, p)| parameter(name, p).map_err(|e| format!("parameter {name}: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    let mut scope = Scope {
        slot_names: params.iter().map(|p| p.name.clone()).collect(),
        visible: (0..params.len()).collect(),
    };
    let rules_doc = obj.get("rules").ok_or("missing `rules`")?;
    let rules = rules(rules_doc, &mut scope, "rules")?;
    Ok(RuleSet {
        slot_count: scope.slot_names.len(),
        params,
        rules,
    })
}

fn parameter(name: &str, doc: &Document) -> Result<Parameter, String> {
    let ty = match doc.get("type").and_then(Document::as_str) {
        Some(t) if t.eq_ignore_ascii_case("string") => ParamType::String,
        Some(t) if t.eq_ignore_ascii_case("boolean") => ParamType::Boolean,
        Some(t) if t.eq_ignore_ascii_case("stringArray") => ParamType::StringArray,
        Some(t) => return Err(format!("unsupported type `{t}`")),
        None => return Err("missing `type`".into()),
    };
    let default = match doc.get("default") {
        None | Some(Document::Null) => None,
        Some(d) => Some(value_of_type(d, ty).ok_or_else(|| format!("default is not a {ty}"))?),
    };
    let deprecated = doc.get("deprecated").map(|d| Deprecated {
        message: d
            .get("message")
            .and_then(Document::as_str)
            .map(str::to_owned),
        since: d.get("since").and_then(Document::as_str).map(str::to_owned),
    });
    Ok(Parameter {
        name: name.to_owned(),
        builtin: doc
            .get("builtIn")
            .and_then(Document::as_str)
            .map(str::to_owned),
        required: doc
            .get("required")
            .and_then(Document::as_bool)
            .unwrap_or(false),
        default,
        ty,
        deprecated,
        documentation: doc
            .get("documentation")
            .and_then(Document::as_str)
            .map(str::to_owned),
    })
}

/// Converts a JSON value to a parameter [`Value`] of type `ty`, if it has that type.
pub(crate) fn value_of_type(doc: &Document, ty: ParamType) -> Option<Value> {
    match (ty, doc) {
        (ParamType::String, Document::String(s)) => Some(Value::String(s.clone())),
        (ParamType::Boolean, Document::Bool(b)) => Some(Value::Bool(*b)),
        (ParamType::StringArray, Document::Array(items)) => items
            .iter()
            .map(|i| i.as_str().map(str::to_owned))
            .collect::<Option<Vec<_>>>()
            .map(Value::StringArray),
        _ => None,
    }
}

/// Names in scope while parsing: parameters and `assign`ed variables.
struct Scope {
    /// Slot index → name. An `assign` name used in several branches shares one slot.
    slot_names: Vec<String>,
    /// Slots visible at the current point, innermost last.
    visible: Vec<Slot>,
}

impl Scope {
    fn lookup(&self, name: &str) -> Result<Slot, String> {
        self.visible
            .iter()
            .rev()
            .copied()
            .find(|&s| self.slot_names[s] == name)
            .ok_or_else(|| format!("reference to undefined name `{name}`"))
    }

    fn assign(&mut self, name: &str) -> Result<Slot, String> {
        if self.lookup(name).is_ok() {
            return Err(format!(
                "`assign` of `{name}` shadows a name already in scope"
            ));
        }
        let slot = match self.slot_names.iter().position(|n| n == name) {
            Some(slot) => slot,
            None => {
                self.slot_names.push(name.to_owned());
                self.slot_names.len() - 1
            }
        };
        self.visible.push(slot);
        Ok(slot)
    }
}

fn rules(doc: &Document, scope: &mut Scope, path: &str) -> Result<Vec<Rule>, String> {
    let list = doc
        .as_array()
        .ok_or_else(|| format!("{path}: not an array"))?;
    list.iter()
        .enumerate()
        .map(|(i, r)| {
            let here = format!("{path}[{i}]");
            rule(r, scope, &here).map_err(|e| {
                if e.starts_with(&here) {
                    e
                } else {
                    format!("{here}: {e}")
                }
            })
        })
        .collect()
}

fn rule(doc: &Document, scope: &mut Scope, path: &str) -> Result<Rule, String> {
    let mark = scope.visible.len();
    let result = rule_in_scope(doc, scope, path);
    scope.visible.truncate(mark);
    result
}

fn rule_in_scope(doc: &Document, scope: &mut Scope, path: &str) -> Result<Rule, String> {
    let conds = match doc.get("conditions") {
        Some(c) => c.as_array().ok_or("`conditions` is not an array")?,
        None => &[],
    };
    let mut conditions = Vec::with_capacity(conds.len());
    for (i, c) in conds.iter().enumerate() {
        let call = call(c, scope).map_err(|e| format!("conditions[{i}]: {e}"))?;
        let assign = match c.get("assign") {
            Some(a) => {
                let name = a
                    .as_str()
                    .ok_or_else(|| format!("conditions[{i}]: `assign` is not a string"))?;
                Some(
                    scope
                        .assign(name)
                        .map_err(|e| format!("conditions[{i}]: {e}"))?,
                )
            }
            None => None,
        };
        conditions.push(Condition { call, assign });
    }
    let field = |key: &str| doc.get(key).ok_or_else(|| format!("missing `{key}`"));
    let kind = match doc.get("type").and_then(Document::as_str) {
        Some("endpoint") => RuleKind::Endpoint(Box::new(endpoint(field("endpoint")?, scope)?)),
        Some("error") => {
            RuleKind::Error(expr(field("error")?, scope).map_err(|e| format!("error: {e}"))?)
        }
        Some("tree") => RuleKind::Tree(rules(field("rules")?, scope, &format!("{path}.rules"))?),
        Some(other) => return Err(format!("unknown rule type `{other}`")),
        None => return Err("missing `type`".into()),
    };
    Ok(Rule { conditions, kind })
}

fn endpoint(doc: &Document, scope: &Scope) -> Result<EndpointRule, String> {
    let url = expr(doc.get("url").ok_or("endpoint: missing `url`")?, scope)
        .map_err(|e| format!("url: {e}"))?;
    let mut headers = Vec::new();
    if let Some(h) = doc.get("headers") {
        let h = h
            .as_object()
            .ok_or("endpoint: `headers` is not an object")?;
        for (name, values) in h {
            let values = values
                .as_array()
                .ok_or_else(|| format!("header {name}: not an array"))?;
            let values = values
                .iter()
                .map(|v| expr(v, scope))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("header {name}: {e}"))?;
            headers.push((name.clone(), values));
        }
    }
    let properties = match doc.get("properties") {
        Some(p) => prop_object(
            p.as_object()
                .ok_or("endpoint: `properties` is not an object")?,
            scope,
        )?,
        None => Vec::new(),
    };
    Ok(EndpointRule {
        url,
        headers,
        properties,
    })
}

fn prop_object(
    members: &BTreeMap<String, Document>,
    scope: &Scope,
) -> Result<Vec<(String, Prop)>, String> {
    members
        .iter()
        .map(|(k, v)| {
            Ok((
                k.clone(),
                prop(v, scope).map_err(|e| format!("property {k}: {e}"))?,
            ))
        })
        .collect()
}

fn prop(doc: &Document, scope: &Scope) -> Result<Prop, String> {
    Ok(match doc {
        Document::String(s) => Prop::Str(template(s, scope)?),
        Document::Array(items) => Prop::Array(
            items
                .iter()
                .map(|i| prop(i, scope))
                .collect::<Result<_, _>>()?,
        ),
        Document::Object(members) => Prop::Object(prop_object(members, scope)?),
        other => Prop::Const(other.clone()),
    })
}

fn expr(doc: &Document, scope: &Scope) -> Result<Expr, String> {
    match doc {
        Document::String(s) => Ok(Expr::Template(template(s, scope)?)),
        Document::Bool(b) => Ok(Expr::Bool(*b)),
        Document::Number(n) => n
            .to_i64()
            .map(Expr::Int)
            .ok_or_else(|| "a number that is not an integer".into()),
        Document::Object(o) if o.contains_key("ref") => {
            let name = o
                .get("ref")
                .and_then(Document::as_str)
                .ok_or("`ref` is not a string")?;
            Ok(Expr::Ref(scope.lookup(name)?))
        }
        Document::Object(o) if o.contains_key("fn") => Ok(Expr::Call(Box::new(call(doc, scope)?))),
        _ => Err("expected a string, boolean, integer, `ref` or `fn`".into()),
    }
}

fn call(doc: &Document, scope: &Scope) -> Result<Call, String> {
    let name = doc
        .get("fn")
        .and_then(Document::as_str)
        .ok_or("expected a function call (`fn`)")?;
    let argv = doc
        .get("argv")
        .and_then(Document::as_array)
        .ok_or_else(|| format!("{name}: missing `argv`"))?;
    let want = |n: usize| {
        if argv.len() == n {
            Ok(())
        } else {
            Err(format!(
                "{name}: expected {n} arguments, got {}",
                argv.len()
            ))
        }
    };
    let arg = |i: usize| expr(&argv[i], scope).map_err(|e| format!("{name}: argument {i}: {e}"));
    Ok(match name {
        "isSet" => {
            want(1)?;
            Call::IsSet(arg(0)?)
        }
        "not" => {
            want(1)?;
            Call::Not(arg(0)?)
        }
        "getAttr" => {
            want(2)?;
            let path = argv[1]
                .as_str()
                .ok_or("getAttr: the path is not a string literal")?;
            Call::GetAttr(arg(0)?, attr_path(path)?)
        }
        "stringEquals" => {
            want(2)?;
            Call::StringEquals(arg(0)?, arg(1)?)
        }
        "booleanEquals" => {
            want(2)?;
            Call::BooleanEquals(arg(0)?, arg(1)?)
        }
        "substring" => {
            want(4)?;
            Call::Substring(arg(0)?, arg(1)?, arg(2)?, arg(3)?)
        }
        "isValidHostLabel" => {
            want(2)?;
            Call::IsValidHostLabel(arg(0)?, arg(1)?)
        }
        "parseURL" => {
            want(1)?;
            Call::ParseUrl(arg(0)?)
        }
        "uriEncode" => {
            want(1)?;
            Call::UriEncode(arg(0)?)
        }
        "aws.partition" => {
            want(1)?;
            Call::Partition(arg(0)?)
        }
        "aws.parseArn" => {
            want(1)?;
            Call::ParseArn(arg(0)?)
        }
        "aws.isVirtualHostableS3Bucket" => {
            want(2)?;
            Call::IsVirtualHostableS3Bucket(arg(0)?, arg(1)?)
        }
        "split" => {
            want(3)?;
            Call::Split(arg(0)?, arg(1)?, arg(2)?)
        }
        "coalesce" => {
            if argv.is_empty() {
                return Err("coalesce: expected at least 1 argument".into());
            }
            Call::Coalesce((0..argv.len()).map(arg).collect::<Result<_, _>>()?)
        }
        "ite" => {
            want(3)?;
            Call::Ite(arg(0)?, arg(1)?, arg(2)?)
        }
        other => return Err(format!("unknown function `{other}`")),
    })
}

/// Splits a string template into literal and `{name}` / `{name#path}` parts. `{{` and `}}`
/// stand for literal braces.
fn template(s: &str, scope: &Scope) -> Result<Template, String> {
    let mut parts = Vec::new();
    let mut lit = String::new();
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b @ (b'{' | b'}') if bytes.get(i + 1) == Some(&b) => {
                lit.push_str(&s[start..=i]);
                i += 2;
                start = i;
            }
            b'{' => {
                lit.push_str(&s[start..i]);
                let close = s[i + 1..]
                    .find('}')
                    .map(|p| p + i + 1)
                    .ok_or_else(|| format!("unclosed `{{` in template `{s}`"))?;
                if !lit.is_empty() {
                    parts.push(Part::Lit(std::mem::take(&mut lit)));
                }
                parts.push(
                    template_var(&s[i + 1..close], scope)
                        .map_err(|e| format!("template `{s}`: {e}"))?,
                );
                i = close + 1;
                start = i;
            }
            _ => i += 1,
        }
    }
    lit.push_str(&s[start..]);
    if !lit.is_empty() {
        parts.push(Part::Lit(lit));
    }
    Ok(Template { parts })
}

fn template_var(inner: &str, scope: &Scope) -> Result<Part, String> {
    match inner.split_once('#') {
        Some((name, path)) => Ok(Part::Attr(scope.lookup(name)?, attr_path(path)?)),
        None => Ok(Part::Ref(scope.lookup(inner)?)),
    }
}

/// Parses a `getAttr` path: `.`-separated names, each optionally followed by `[index]`s;
/// a path may start with an index (`[0]`).
pub(crate) fn attr_path(path: &str) -> Result<Vec<PathSeg>, String> {
    let bad = || format!("invalid getAttr path `{path}`");
    let mut segs = Vec::new();
    for (n, piece) in path.split('.').enumerate() {
        let (name, mut rest) = match piece.find('[') {
            Some(p) => piece.split_at(p),
            None => (piece, ""),
        };
        if !name.is_empty() {
            segs.push(PathSeg::Field(name.to_owned()));
        } else if n > 0 || rest.is_empty() {
            return Err(bad());
        }
        while !rest.is_empty() {
            let close = rest.find(']').ok_or_else(bad)?;
            let index = rest[1..close].parse::<usize>().map_err(|_| bad())?;
            segs.push(PathSeg::Index(index));
            rest = &rest[close + 1..];
            if !rest.is_empty() && !rest.starts_with('[') {
                return Err(bad());
            }
        }
    }
    Ok(segs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope() -> Scope {
        Scope {
            slot_names: vec!["Region".into(), "arn".into()],
            visible: vec![0, 1],
        }
    }

    #[test]
    fn paths() {
        use PathSeg::*;
        assert_eq!(attr_path("a").unwrap(), vec![Field("a".into())]);
        assert_eq!(
            attr_path("a.b[0]").unwrap(),
            vec![Field("a".into()), Field("b".into()), Index(0)]
        );
        assert_eq!(attr_path("[2]").unwrap(), vec![Index(2)]);
        assert_eq!(
            attr_path("r[1][3]").unwrap(),
            vec![Field("r".into()), Index(1), Index(3)]
        );
        for bad in ["", "a.", "a[", "a[x]", "a[1]b", "a.[1]", "a[-1]"] {
            assert!(attr_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn templates() {
        let t = template("https://{Region}.x{{y}}/{arn#resourceId[1]}", &scope()).unwrap();
        let shape: Vec<String> = t
            .parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => format!("L:{s}"),
                Part::Ref(s) => format!("R:{s}"),
                Part::Attr(s, path) => format!("A:{s}:{}", path.len()),
            })
            .collect();
        assert_eq!(shape, ["L:https://", "R:0", "L:.x{y}/", "A:1:2"]);
        assert!(template("{Nope}", &scope()).is_err());
        assert!(template("x{Region", &scope()).is_err());
        assert!(template("", &scope()).unwrap().parts.is_empty());
    }

    #[test]
    fn scoping_errors() {
        let parse = |s: &str| rule_set(&Document::parse(s.as_bytes()).unwrap());
        let err =
            parse(r#"{"parameters":{},"rules":[{"conditions":[],"type":"error","error":"{x}"}]}"#)
                .unwrap_err();
        assert!(
            err.contains("rules[0]") && err.contains("undefined name `x`"),
            "{err}"
        );
        let err = parse(
            r#"{"parameters":{"R":{"type":"string"}},"rules":[{"conditions":[
                {"fn":"isSet","argv":[{"ref":"R"}],"assign":"R"}],"type":"error","error":"e"}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("shadows"), "{err}");
        let err = parse(r#"{"parameters":{},"rules":[{"conditions":[{"fn":"nope","argv":[]}],"type":"error","error":"e"}]}"#)
            .unwrap_err();
        assert!(err.contains("unknown function `nope`"), "{err}");
        let err = parse(r#"{"parameters":{"A":{"type":"boolean","default":"x"}},"rules":[]}"#)
            .unwrap_err();
        assert!(
            err.contains("parameter A") && err.contains("default"),
            "{err}"
        );
        // A name assigned in one branch is not visible in a sibling.
        let err = parse(
            r#"{"parameters":{"R":{"type":"string"}},"rules":[
                {"conditions":[{"fn":"isSet","argv":[{"ref":"R"}],"assign":"x"}],"type":"error","error":"{x}"},
                {"conditions":[],"type":"error","error":"{x}"}]}"#,
        )
        .unwrap_err();
        assert!(err.contains("rules[1]"), "{err}");
    }
}
