//! The request line of an operation (`@http`: method, URI template, success code) and its
//! `smithy.api#endpoint` host prefix, parsed and checked once against the input structure.

use crate::error::{CodegenError, Result};
use crate::ir::{Location, RType, Struct};

/// The request line of an operation and the status code of its success response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpBinding {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The URI template.
    pub uri: UriTemplate,
    /// The success status (`@http(code)`, default 200).
    pub code: u16,
}

impl HttpBinding {
    /// `POST /` answering 200: the request line of the RPC protocols (awsJson).
    pub fn rpc() -> HttpBinding {
        HttpBinding {
            method: "POST".to_string(),
            uri: UriTemplate {
                path: vec![PathSegment::Literal(String::new())],
                query: Vec::new(),
            },
            code: 200,
        }
    }
}

/// A parsed `@http` URI: path segments (split at `/`) and the literal query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UriTemplate {
    /// The segments after the leading `/` (`/a/{b}/` → `a`, `{b}`, ``).
    pub path: Vec<PathSegment>,
    /// Literal query parameters (`?type=x&flag` → `("type", Some("x"))`, `("flag", None)`).
    pub query: Vec<(String, Option<String>)>,
}

/// One path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathSegment {
    /// Literal text, sent as written (the model's text is already a valid path).
    Literal(String),
    /// A label bound to the input member `member`; a greedy label (`{Key+}`) spans segments.
    Label {
        /// The input member (with `@httpLabel`).
        member: String,
        /// `{member+}`.
        greedy: bool,
    },
}

impl UriTemplate {
    /// Parses `uri` (`/path/{Label}/{Greedy+}?literal=query`); `owner` names the operation in
    /// errors. Labels must be whole segments, at most one greedy.
    pub fn parse(owner: &str, uri: &str) -> Result<UriTemplate> {
        let bad = |why: String| CodegenError::shape(owner, format!("@http uri {uri:?}: {why}"));
        let Some(rest) = uri.strip_prefix('/') else {
            return Err(bad("must start with `/`".into()));
        };
        let (path, query) = match rest.split_once('?') {
            Some((p, q)) => (p, q),
            None => (rest, ""),
        };
        let mut segments = Vec::new();
        let mut greedy_seen = false;
        let mut labels = Vec::new();
        for seg in path.split('/') {
            let has_brace = seg.contains('{') || seg.contains('}');
            if !has_brace {
                segments.push(PathSegment::Literal(seg.to_string()));
                continue;
            }
            let inner = seg
                .strip_prefix('{')
                .and_then(|s| s.strip_suffix('}'))
                .filter(|s| !s.contains(['{', '}']))
                .ok_or_else(|| bad(format!("segment {seg:?}: a label must be a whole segment")))?;
            let (member, greedy) = match inner.strip_suffix('+') {
                Some(m) => (m, true),
                None => (inner, false),
            };
            if !crate::names::is_smithy_identifier(member) {
                return Err(bad(format!("label {inner:?} is not a member name")));
            }
            if greedy {
                if greedy_seen {
                    return Err(bad("more than one greedy label".into()));
                }
                greedy_seen = true;
            }
            if labels.contains(&member) {
                return Err(bad(format!("label {member} appears twice")));
            }
            labels.push(member);
            segments.push(PathSegment::Label {
                member: member.to_string(),
                greedy,
            });
        }
        let mut literal_query = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            if pair.contains(['{', '}']) {
                return Err(bad(format!(
                    "query {pair:?}: labels are not allowed in the query"
                )));
            }
            match pair.split_once('=') {
                Some((k, v)) => literal_query.push((k.to_string(), Some(v.to_string()))),
                None => literal_query.push((pair.to_string(), None)),
            }
        }
        Ok(UriTemplate {
            path: segments,
            query: literal_query,
        })
    }

    /// The labels in the path.
    pub fn labels(&self) -> impl Iterator<Item = (&str, bool)> {
        self.path.iter().filter_map(|s| match s {
            PathSegment::Label { member, greedy } => Some((member.as_str(), *greedy)),
            PathSegment::Literal(_) => None,
        })
    }

    /// Whether the path has no labels (then it is one literal string).
    pub fn is_literal(&self) -> bool {
        self.labels().next().is_none()
    }

    /// The path as written, `{Label}` placeholders included (docs, literal paths).
    pub fn path_text(&self) -> String {
        let mut out = String::new();
        for s in &self.path {
            out.push('/');
            match s {
                PathSegment::Literal(l) => out.push_str(l),
                PathSegment::Label { member, greedy } => {
                    out.push('{');
                    out.push_str(member);
                    if *greedy {
                        out.push('+');
                    }
                    out.push('}');
                }
            }
        }
        if out.is_empty() {
            out.push('/');
        }
        out
    }

    /// Checks the template against the input: every label names an input member bound with
    /// `@httpLabel`, every such member has a label, greedy labels are strings, labels are
    /// strings, numbers, booleans, timestamps or enums.
    pub fn check(&self, owner: &str, input: &Struct) -> Result<()> {
        for (label, greedy) in self.labels() {
            let f = input.field(label).ok_or_else(|| {
                CodegenError::shape(
                    owner,
                    format!("@http uri label {{{label}}} names no member of the input"),
                )
            })?;
            if f.location != Location::Label {
                return Err(CodegenError::shape(
                    owner,
                    format!("@http uri label {{{label}}}: member {label} has no @httpLabel trait"),
                ));
            }
            let ok = match &f.ty {
                RType::String | RType::SensitiveString => true,
                ty => !greedy && ty.is_scalar(),
            };
            if !ok {
                return Err(CodegenError::shape(
                    owner,
                    format!(
                        "@http uri label {{{label}}}: a {} label cannot have type {:?}",
                        if greedy { "greedy" } else { "path" },
                        f.ty
                    ),
                ));
            }
        }
        for f in &input.fields {
            if f.location == Location::Label && !self.labels().any(|(l, _)| l == f.member) {
                return Err(CodegenError::shape(
                    format!("{}${}", input.shape, f.member),
                    "has @httpLabel, but the operation's @http uri has no such label",
                ));
            }
        }
        Ok(())
    }
}

/// A parsed `smithy.api#endpoint` host prefix (`{Bucket}.data-`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPrefix {
    /// Literal text and labels, in order.
    pub parts: Vec<HostPart>,
}

/// One part of a host prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostPart {
    /// Literal text.
    Literal(String),
    /// The value of a `@hostLabel` string member of the input.
    Label(String),
}

impl HostPrefix {
    /// Parses `template`; each `{Label}` must name a string member of `input` listed in
    /// `host_labels` (the members with `@hostLabel`). `owner` names the operation in errors.
    pub fn parse(
        owner: &str,
        template: &str,
        input: &Struct,
        host_labels: &[String],
    ) -> Result<HostPrefix> {
        let bad = |why: String| {
            CodegenError::shape(
                owner,
                format!("smithy.api#endpoint hostPrefix {template:?}: {why}"),
            )
        };
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(start) = rest.find(['{', '}']) {
            if rest.as_bytes()[start] == b'}' {
                return Err(bad("unmatched `}`".into()));
            }
            if start > 0 {
                parts.push(HostPart::Literal(rest[..start].to_string()));
            }
            let end = rest[start..]
                .find('}')
                .ok_or_else(|| bad("unclosed `{`".into()))?;
            let label = &rest[start + 1..start + end];
            let f = input
                .field(label)
                .ok_or_else(|| bad(format!("label {{{label}}} names no member of the input")))?;
            if !host_labels.iter().any(|h| h == label) {
                return Err(bad(format!(
                    "label {{{label}}}: member {label} has no @hostLabel trait"
                )));
            }
            if f.ty != RType::String {
                return Err(bad(format!(
                    "label {{{label}}}: member {label} must be a (non-sensitive) string"
                )));
            }
            parts.push(HostPart::Label(label.to_string()));
            rest = &rest[start + end + 1..];
        }
        if !rest.is_empty() {
            parts.push(HostPart::Literal(rest.to_string()));
        }
        Ok(HostPrefix { parts })
    }
}
