//! Which parameters a rule set actually reads: a parameter that no condition, template,
//! header or property refers to cannot change the endpoint (S3 declares `Key`, `Prefix` and
//! `CopySource` "not to be used in endpoint evaluation"). The endpoint cache of a client leaves
//! such parameters' values out of its key.

use super::ast::{Call, Condition, EndpointRule, Expr, Part, Prop, Rule, RuleKind, Template};
use super::RuleSet;

impl RuleSet {
    /// The names of the declared parameters whose value some rule reads.
    pub(crate) fn read_parameters(&self) -> Vec<String> {
        let mut read = vec![false; self.slot_count];
        rules(&self.rules, &mut read);
        self.params
            .iter()
            .enumerate()
            .filter(|(i, _)| read.get(*i).copied().unwrap_or(true))
            .map(|(_, p)| p.name.clone())
            .collect()
    }
}

fn rules(list: &[Rule], read: &mut [bool]) {
    for r in list {
        for Condition { call: c, .. } in &r.conditions {
            call(c, read);
        }
        match &r.kind {
            RuleKind::Endpoint(e) => endpoint(e, read),
            RuleKind::Error(e) => expr(e, read),
            RuleKind::Tree(t) => rules(t, read),
        }
    }
}

fn endpoint(e: &EndpointRule, read: &mut [bool]) {
    expr(&e.url, read);
    for (_, values) in &e.headers {
        for v in values {
            expr(v, read);
        }
    }
    for (_, p) in &e.properties {
        prop(p, read);
    }
}

fn prop(p: &Prop, read: &mut [bool]) {
    match p {
        Prop::Str(t) => template(t, read),
        Prop::Const(_) => {}
        Prop::Array(items) => items.iter().for_each(|i| prop(i, read)),
        Prop::Object(fields) => fields.iter().for_each(|(_, f)| prop(f, read)),
    }
}

fn mark(slot: usize, read: &mut [bool]) {
    if let Some(r) = read.get_mut(slot) {
        *r = true;
    }
}

fn template(t: &Template, read: &mut [bool]) {
    for part in &t.parts {
        match part {
            Part::Lit(_) => {}
            Part::Ref(s) | Part::Attr(s, _) => mark(*s, read),
        }
    }
}

fn expr(e: &Expr, read: &mut [bool]) {
    match e {
        Expr::Template(t) => template(t, read),
        Expr::Bool(_) | Expr::Int(_) => {}
        Expr::Ref(s) => mark(*s, read),
        Expr::Call(c) => call(c, read),
    }
}

fn call(c: &Call, read: &mut [bool]) {
    match c {
        Call::IsSet(a)
        | Call::Not(a)
        | Call::GetAttr(a, _)
        | Call::ParseUrl(a)
        | Call::UriEncode(a)
        | Call::Partition(a)
        | Call::ParseArn(a) => expr(a, read),
        Call::StringEquals(a, b)
        | Call::BooleanEquals(a, b)
        | Call::IsValidHostLabel(a, b)
        | Call::IsVirtualHostableS3Bucket(a, b) => {
            expr(a, read);
            expr(b, read);
        }
        Call::Split(a, b, c) | Call::Ite(a, b, c) => {
            expr(a, read);
            expr(b, read);
            expr(c, read);
        }
        Call::Substring(a, b, c, d) => {
            expr(a, read);
            expr(b, read);
            expr(c, read);
            expr(d, read);
        }
        Call::Coalesce(items) => items.iter().for_each(|i| expr(i, read)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreferenced_parameters_are_not_read() {
        let set = RuleSet::parse(
            r#"{"version":"1.0","parameters":{
                "Region":{"type":"String","builtIn":"AWS::Region"},
                "Bucket":{"type":"String"},
                "Key":{"type":"String"},
                "Flag":{"type":"Boolean"}},
              "rules":[
                {"conditions":[{"fn":"isSet","argv":[{"ref":"Flag"}]}],
                 "error":"flag set","type":"error"},
                {"conditions":[],"endpoint":{"url":"https://{Bucket}.s3.{Region}.amazonaws.com"},
                 "type":"endpoint"}]}"#,
        )
        .unwrap();
        let mut read = set.read_parameters();
        read.sort();
        assert_eq!(read, ["Bucket", "Flag", "Region"]);
    }
}
