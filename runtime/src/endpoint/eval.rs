//! The interpreter: walks the typed rule tree with a slot-indexed scope.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::ast::{
    Call, Condition, EndpointRule, Expr, Part, PathSeg, Prop, Rule, RuleKind, Template,
};
use super::partitions::PartitionOutput;
use super::stdlib::{self, Arn, Url};
use super::{Endpoint, EndpointError, Params, Partitions, RuleSet, Value};
use crate::types::Document;

/// A value during evaluation. Strings borrow from the parameters, the rule set or the
/// partitions where they can.
#[derive(Debug, Clone)]
enum Val<'a> {
    Str(Cow<'a, str>),
    Bool(bool),
    Int(i64),
    Arr(Cow<'a, [String]>),
    Partition(&'a PartitionOutput),
    Arn(Rc<Arn>),
    Url(Rc<Url>),
}

impl<'a> Val<'a> {
    fn from_param(v: &'a Value) -> Val<'a> {
        match v {
            Value::String(s) => Val::Str(Cow::Borrowed(s)),
            Value::Bool(b) => Val::Bool(*b),
            Value::StringArray(a) => Val::Arr(Cow::Borrowed(a)),
        }
    }
}

pub(crate) fn resolve(
    rules: &RuleSet,
    params: &Params,
    partitions: &Partitions,
) -> Result<Endpoint, EndpointError> {
    let mut slots = Vec::with_capacity(rules.slot_count);
    for p in &rules.params {
        match params.get(&p.name).or(p.default.as_ref()) {
            Some(v) if v.ty() != p.ty => {
                return Err(EndpointError::ParameterType {
                    name: p.name.clone(),
                    expected: p.ty,
                });
            }
            Some(v) => slots.push(Some(Val::from_param(v))),
            None if p.required => return Err(EndpointError::MissingParameter(p.name.clone())),
            None => slots.push(None),
        }
    }
    slots.resize(rules.slot_count, None);
    let mut eval = Eval { slots, partitions };
    eval.rules(&rules.rules)?
        .ok_or(EndpointError::NoRuleMatched)
}

struct Eval<'a> {
    slots: Vec<Option<Val<'a>>>,
    partitions: &'a Partitions,
}

impl<'a> Eval<'a> {
    /// The first matching rule's endpoint, `None` when no rule matched.
    fn rules(&mut self, rules: &'a [Rule]) -> Result<Option<Endpoint>, EndpointError> {
        for rule in rules {
            if !self.conditions(&rule.conditions) {
                continue;
            }
            return match &rule.kind {
                RuleKind::Endpoint(e) => self.endpoint(e).map(Some),
                RuleKind::Error(message) => {
                    Err(EndpointError::Rule(self.string(message, "error message")?))
                }
                // A tree whose conditions held is final: if nothing inside matches, resolution fails.
                RuleKind::Tree(inner) => self
                    .rules(inner)?
                    .map(Some)
                    .ok_or(EndpointError::NoRuleMatched),
            };
        }
        Ok(None)
    }

    /// Evaluates conditions in order; a condition holds unless its value is unset or `false`.
    /// Parse-time scoping guarantees a name is only read after the condition assigning it held
    /// on the current path, so slots never need clearing.
    fn conditions(&mut self, conditions: &'a [Condition]) -> bool {
        for c in conditions {
            let v = self.call(&c.call);
            if matches!(v, None | Some(Val::Bool(false))) {
                return false;
            }
            if let Some(slot) = c.assign {
                self.slots[slot] = v;
            }
        }
        true
    }

    fn endpoint(&mut self, e: &'a EndpointRule) -> Result<Endpoint, EndpointError> {
        let url = self.string(&e.url, "endpoint url")?;
        let mut headers = BTreeMap::new();
        for (name, values) in &e.headers {
            let values = values
                .iter()
                .map(|v| self.string(v, "header value"))
                .collect::<Result<Vec<_>, _>>()?;
            headers.insert(name.clone(), values);
        }
        let mut properties = BTreeMap::new();
        for (name, p) in &e.properties {
            properties.insert(name.clone(), self.prop(p)?);
        }
        Ok(Endpoint {
            url,
            headers,
            properties,
        })
    }

    fn prop(&mut self, p: &'a Prop) -> Result<Document, EndpointError> {
        Ok(match p {
            Prop::Str(t) => Document::String(
                self.template(t)
                    .ok_or_else(|| {
                        EndpointError::Evaluation(
                            "a property template references an unset value".into(),
                        )
                    })?
                    .into_owned(),
            ),
            Prop::Const(d) => d.clone(),
            Prop::Array(items) => Document::Array(
                items
                    .iter()
                    .map(|i| self.prop(i))
                    .collect::<Result<_, _>>()?,
            ),
            Prop::Object(members) => Document::Object(
                members
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.prop(v)?)))
                    .collect::<Result<_, EndpointError>>()?,
            ),
        })
    }

    fn string(&mut self, e: &'a Expr, what: &str) -> Result<String, EndpointError> {
        match self.eval(e) {
            Some(Val::Str(s)) => Ok(s.into_owned()),
            _ => Err(EndpointError::Evaluation(format!(
                "the {what} did not evaluate to a string"
            ))),
        }
    }

    fn eval(&mut self, e: &'a Expr) -> Option<Val<'a>> {
        match e {
            Expr::Template(t) => self.template(t).map(Val::Str),
            Expr::Bool(b) => Some(Val::Bool(*b)),
            Expr::Int(i) => Some(Val::Int(*i)),
            Expr::Ref(slot) => self.slots[*slot].clone(),
            Expr::Call(c) => self.call(c),
        }
    }

    fn str_arg(&mut self, e: &'a Expr) -> Option<Cow<'a, str>> {
        match self.eval(e)? {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }

    fn bool_arg(&mut self, e: &'a Expr) -> Option<bool> {
        match self.eval(e)? {
            Val::Bool(b) => Some(b),
            _ => None,
        }
    }

    fn int_arg(&mut self, e: &'a Expr) -> Option<i64> {
        match self.eval(e)? {
            Val::Int(i) => Some(i),
            _ => None,
        }
    }

    fn template(&self, t: &'a Template) -> Option<Cow<'a, str>> {
        match t.parts.as_slice() {
            [] => Some(Cow::Borrowed("")),
            [Part::Lit(s)] => Some(Cow::Borrowed(s)),
            [one] => self.part(one),
            parts => {
                let mut out = String::with_capacity(64);
                for p in parts {
                    match p {
                        Part::Lit(s) => out.push_str(s),
                        Part::Ref(slot) => match &self.slots[*slot] {
                            Some(Val::Str(s)) => out.push_str(s),
                            _ => return None,
                        },
                        Part::Attr(..) => out.push_str(&self.part(p)?),
                    }
                }
                Some(Cow::Owned(out))
            }
        }
    }

    fn part(&self, p: &'a Part) -> Option<Cow<'a, str>> {
        match p {
            Part::Lit(s) => Some(Cow::Borrowed(s)),
            Part::Ref(slot) => match &self.slots[*slot] {
                Some(Val::Str(s)) => Some(s.clone()),
                _ => None,
            },
            Part::Attr(slot, path) => match get_attr(self.slots[*slot].as_ref()?, path)? {
                Val::Str(s) => Some(s),
                _ => None,
            },
        }
    }

    fn call(&mut self, c: &'a Call) -> Option<Val<'a>> {
        Some(match c {
            Call::IsSet(e) => Val::Bool(self.eval(e).is_some()),
            Call::Not(e) => Val::Bool(!self.bool_arg(e)?),
            Call::GetAttr(e, path) => {
                let v = self.eval(e)?;
                return get_attr(&v, path);
            }
            Call::StringEquals(a, b) => {
                let a = self.str_arg(a)?;
                Val::Bool(a == self.str_arg(b)?)
            }
            Call::BooleanEquals(a, b) => {
                let a = self.bool_arg(a)?;
                Val::Bool(a == self.bool_arg(b)?)
            }
            Call::Substring(input, start, stop, reverse) => {
                let input = self.str_arg(input)?;
                let (start, stop, reverse) = (
                    self.int_arg(start)?,
                    self.int_arg(stop)?,
                    self.bool_arg(reverse)?,
                );
                Val::Str(match input {
                    Cow::Borrowed(s) => Cow::Borrowed(stdlib::substring(s, start, stop, reverse)?),
                    Cow::Owned(s) => {
                        Cow::Owned(stdlib::substring(&s, start, stop, reverse)?.to_owned())
                    }
                })
            }
            Call::IsValidHostLabel(v, sub) => {
                let v = self.str_arg(v)?;
                Val::Bool(stdlib::is_valid_host_label(&v, self.bool_arg(sub)?))
            }
            Call::ParseUrl(v) => Val::Url(Rc::new(stdlib::parse_url(&self.str_arg(v)?)?)),
            Call::UriEncode(v) => Val::Str(Cow::Owned(stdlib::uri_encode(&self.str_arg(v)?))),
            Call::Partition(v) => {
                let partitions = self.partitions;
                Val::Partition(partitions.resolve(&self.str_arg(v)?))
            }
            Call::ParseArn(v) => Val::Arn(Rc::new(stdlib::parse_arn(&self.str_arg(v)?)?)),
            Call::IsVirtualHostableS3Bucket(v, sub) => {
                let v = self.str_arg(v)?;
                Val::Bool(stdlib::is_virtual_hostable_s3_bucket(
                    &v,
                    self.bool_arg(sub)?,
                ))
            }
            Call::Split(v, delimiter, limit) => {
                let v = self.str_arg(v)?;
                let delimiter = self.str_arg(delimiter)?;
                Val::Arr(Cow::Owned(stdlib::split(
                    &v,
                    &delimiter,
                    self.int_arg(limit)?,
                )?))
            }
            Call::Coalesce(args) => return args.iter().find_map(|a| self.eval(a)),
            Call::Ite(cond, then, otherwise) => {
                let branch = if self.bool_arg(cond)? {
                    then
                } else {
                    otherwise
                };
                return self.eval(branch);
            }
        })
    }
}

/// `getAttr(value, path)`.
fn get_attr<'a>(v: &Val<'a>, path: &[PathSeg]) -> Option<Val<'a>> {
    let (first, rest) = path.split_first()?;
    match (v, first) {
        (Val::Partition(p), PathSeg::Field(f)) if rest.is_empty() => partition_attr(p, f),
        (Val::Arn(arn), PathSeg::Field(f)) => {
            let s = match f.as_str() {
                "resourceId" => {
                    return match rest {
                        [] => Some(Val::Arr(Cow::Owned(arn.resource_id.clone()))),
                        [PathSeg::Index(i)] => arn
                            .resource_id
                            .get(*i)
                            .map(|s| Val::Str(Cow::Owned(s.clone()))),
                        _ => None,
                    }
                }
                "partition" => &arn.partition,
                "service" => &arn.service,
                "region" => &arn.region,
                "accountId" => &arn.account_id,
                _ => return None,
            };
            rest.is_empty().then(|| Val::Str(Cow::Owned(s.clone())))
        }
        (Val::Url(url), PathSeg::Field(f)) if rest.is_empty() => Some(match f.as_str() {
            "scheme" => Val::Str(Cow::Owned(url.scheme.clone())),
            "authority" => Val::Str(Cow::Owned(url.authority.clone())),
            "path" => Val::Str(Cow::Owned(url.path.clone())),
            "normalizedPath" => Val::Str(Cow::Owned(url.normalized_path.clone())),
            "isIp" => Val::Bool(url.is_ip),
            _ => return None,
        }),
        (Val::Arr(items), PathSeg::Index(i)) if rest.is_empty() => match items {
            Cow::Borrowed(items) => items.get(*i).map(|s| Val::Str(Cow::Borrowed(s))),
            Cow::Owned(items) => items.get(*i).map(|s| Val::Str(Cow::Owned(s.clone()))),
        },
        _ => None,
    }
}

fn partition_attr<'a>(p: &'a PartitionOutput, field: &str) -> Option<Val<'a>> {
    Some(match field {
        "name" => Val::Str(Cow::Borrowed(&p.name)),
        "dnsSuffix" => Val::Str(Cow::Borrowed(&p.dns_suffix)),
        "dualStackDnsSuffix" => Val::Str(Cow::Borrowed(&p.dual_stack_dns_suffix)),
        "implicitGlobalRegion" => Val::Str(Cow::Borrowed(p.implicit_global_region.as_deref()?)),
        "supportsFIPS" => Val::Bool(p.supports_fips),
        "supportsDualStack" => Val::Bool(p.supports_dual_stack),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{EndpointError, Params, Partitions, RuleSet, Value};

    fn rules(params: &str, rules: &str) -> RuleSet {
        RuleSet::parse(&format!(
            r#"{{"version":"1.3","parameters":{{{params}}},"rules":[{rules}]}}"#
        ))
        .unwrap()
    }

    fn resolve(rs: &RuleSet, params: Params) -> Result<String, EndpointError> {
        rs.resolve(&params, Partitions::builtin()).map(|e| e.url)
    }

    #[test]
    fn exhausted_tree_is_an_error_but_failed_conditions_fall_through() {
        let rs = rules(
            r#""A":{"type":"boolean"}"#,
            r#"{"conditions":[{"fn":"isSet","argv":[{"ref":"A"}]}],"type":"tree","rules":[
                 {"conditions":[{"fn":"booleanEquals","argv":[{"ref":"A"},true]}],"type":"endpoint","endpoint":{"url":"https://a"}}]},
               {"conditions":[],"type":"endpoint","endpoint":{"url":"https://fallback"}}"#,
        );
        assert_eq!(
            resolve(&rs, Params::new().with("A", true)).unwrap(),
            "https://a"
        );
        assert_eq!(resolve(&rs, Params::new()).unwrap(), "https://fallback");
        assert_eq!(
            resolve(&rs, Params::new().with("A", false)),
            Err(EndpointError::NoRuleMatched)
        );
        let empty = rules(
            "",
            r#"{"conditions":[{"fn":"not","argv":[true]}],"type":"error","error":"x"}"#,
        );
        assert_eq!(
            resolve(&empty, Params::new()),
            Err(EndpointError::NoRuleMatched)
        );
    }

    #[test]
    fn split_coalesce_ite_and_string_arrays() {
        let rs = rules(
            r#""S":{"type":"string"},"L":{"type":"stringArray","default":["x","y"]},"F":{"type":"boolean","default":false}"#,
            r#"{"conditions":[
                  {"fn":"split","argv":[{"fn":"coalesce","argv":[{"ref":"S"},"p--q--r"]},"--",2],"assign":"parts"},
                  {"fn":"getAttr","argv":[{"ref":"parts"},"[1]"],"assign":"second"},
                  {"fn":"getAttr","argv":[{"ref":"L"},"[1]"],"assign":"l1"},
                  {"fn":"ite","argv":[{"ref":"F"},"on","off"],"assign":"mode"}],
                "type":"endpoint","endpoint":{"url":"https://{second}.{l1}.{mode}"}}"#,
        );
        assert_eq!(resolve(&rs, Params::new()).unwrap(), "https://q--r.y.off");
        let p = Params::new()
            .with("S", "a--b")
            .with("F", true)
            .with("L", vec!["m".to_owned(), "n".to_owned()]);
        assert_eq!(resolve(&rs, p).unwrap(), "https://b.n.on");
        let short = Params::new().with("L", vec!["only".to_owned()]);
        assert_eq!(resolve(&rs, short), Err(EndpointError::NoRuleMatched));
        let wrong = Params::new().with("F", "yes");
        assert_eq!(
            resolve(&rs, wrong).unwrap_err().to_string(),
            "endpoint parameter F must be a boolean"
        );
    }

    #[test]
    fn headers_properties_and_signing() {
        let rs = rules(
            r#""Region":{"type":"string","required":true}"#,
            r#"{"conditions":[{"fn":"aws.partition","argv":["{Region}"],"assign":"p"}],"type":"endpoint","endpoint":{
                 "url":"https://{Region}.{p#dnsSuffix}",
                 "headers":{"x-r":["{Region}","lit"]},
                 "properties":{"authSchemes":[{"name":"sigv4a","signingName":"a"},{"name":"sigv4","signingName":"s",
                   "signingRegion":"{Region}","disableDoubleEncoding":true,"n":3}],"fips":"{p#supportsFIPS}"}}}"#,
        );
        let err = rs
            .resolve(
                &Params::new().with("Region", "eu-west-3"),
                Partitions::builtin(),
            )
            .unwrap_err();
        assert!(
            matches!(err, EndpointError::Evaluation(_)),
            "a boolean in a template: {err}"
        );

        let rs = rules(
            r#""Region":{"type":"string","required":true}"#,
            r#"{"conditions":[{"fn":"aws.partition","argv":["{Region}"],"assign":"p"}],"type":"endpoint","endpoint":{
                 "url":"https://{Region}.{p#dnsSuffix}",
                 "headers":{"x-r":["{Region}","lit"]},
                 "properties":{"authSchemes":[{"name":"sigv4","signingName":"s","signingRegion":"{Region}",
                   "disableDoubleEncoding":true,"n":3}]}}}"#,
        );
        let ep = rs
            .resolve(
                &Params::new().with("Region", "cn-north-1"),
                Partitions::builtin(),
            )
            .unwrap();
        assert_eq!(ep.url, "https://cn-north-1.amazonaws.com.cn");
        assert_eq!(ep.headers["x-r"], ["cn-north-1", "lit"]);
        assert_eq!(
            ep.properties["authSchemes"].to_json(),
            r#"[{"disableDoubleEncoding":true,"n":3,"name":"sigv4","signingName":"s","signingRegion":"cn-north-1"}]"#
        );
        assert_eq!(
            ep.sigv4_signing(),
            (Some("s".into()), Some("cn-north-1".into()))
        );
    }

    #[test]
    fn builtin_params_map_builtins_to_names() {
        let rs = rules(
            r#""region":{"type":"string","builtIn":"AWS::Region"},"UseFIPS":{"type":"boolean","builtIn":"AWS::UseFIPS"},
               "Other":{"type":"string"}"#,
            r#"{"conditions":[],"type":"endpoint","endpoint":{"url":"https://{region}"}}"#,
        );
        let params = rs.builtin_params(|b| match b {
            "AWS::Region" => Some(Value::from("ap-south-1")),
            _ => None,
        });
        assert_eq!(
            params.iter().collect::<Vec<_>>(),
            [("region", &Value::from("ap-south-1"))]
        );
        assert_eq!(resolve(&rs, params).unwrap(), "https://ap-south-1");
    }

    #[test]
    fn params_map() {
        let mut p = Params::new();
        p.set("A", Value::from("x")).set("B", Value::from(true));
        p.set("A", Value::from("y"));
        assert_eq!(p.len(), 2);
        assert_eq!(p.get("A"), Some(&Value::String("y".into())));
        assert_eq!(p.remove("B"), Some(Value::Bool(true)));
        assert!(p.get("B").is_none());
        assert_eq!(p.iter().map(|(n, _)| n).collect::<Vec<_>>(), ["A"]);
    }
}
