//! Endpoint resolution: an interpreter for Smithy rules-engine rule sets
//! (`smithy.rules#endpointRuleSet`), the rules standard library and AWS partitions.
//!
//! A generated crate embeds its rule set as a JSON string; [`RuleSet::parse`] turns it once into
//! a typed tree (conditions, function calls, references resolved to slots, templates split into
//! literal and reference parts), so [`RuleSet::resolve`] does no JSON work:
//!
//! ```
//! use awsrt::endpoint::{Params, Partitions, RuleSet, Value};
//!
//! let rules = RuleSet::parse(r#"{
//!   "version": "1.0",
//!   "parameters": { "Region": { "type": "String", "builtIn": "AWS::Region", "required": true } },
//!   "rules": [
//!     { "conditions": [ { "fn": "aws.partition", "argv": [ { "ref": "Region" } ], "assign": "p" } ],
//!       "endpoint": { "url": "https://svc.{Region}.{p#dnsSuffix}" }, "type": "endpoint" }
//!   ]
//! }"#).unwrap();
//! let mut params = Params::new();
//! params.set("Region", Value::from("eu-west-1"));
//! let endpoint = rules.resolve(&params, Partitions::builtin()).unwrap();
//! assert_eq!(endpoint.url, "https://svc.eu-west-1.amazonaws.com");
//! ```

mod ast;
mod eval;
mod parse;
mod partitions;
#[rustfmt::skip]
mod partitions_data;
mod reads;
mod stdlib;

use std::collections::BTreeMap;
use std::fmt;

use crate::types::Document;

pub use self::partitions::{PartitionOutput, Partitions};

/// A value of an endpoint parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A `string` parameter.
    String(String),
    /// A `boolean` parameter.
    Bool(bool),
    /// A `stringArray` parameter.
    StringArray(Vec<String>),
}

impl Value {
    /// The type of this value.
    pub fn ty(&self) -> ParamType {
        match self {
            Value::String(_) => ParamType::String,
            Value::Bool(_) => ParamType::Boolean,
            Value::StringArray(_) => ParamType::StringArray,
        }
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::String(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::String(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<Vec<String>> for Value {
    fn from(v: Vec<String>) -> Value {
        Value::StringArray(v)
    }
}

/// The declared type of an endpoint parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamType {
    /// `string` (the model may spell it `String`).
    String,
    /// `boolean` (or `Boolean`).
    Boolean,
    /// `stringArray`.
    StringArray,
}

impl fmt::Display for ParamType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParamType::String => "string",
            ParamType::Boolean => "boolean",
            ParamType::StringArray => "stringArray",
        })
    }
}

/// The deprecation note of a parameter.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Deprecated {
    /// Why, and what to use instead.
    pub message: Option<String>,
    /// Since when.
    pub since: Option<String>,
}

/// A parameter declared by a rule set.
#[derive(Clone, Debug, PartialEq)]
pub struct Parameter {
    /// The parameter name, e.g. `Region`.
    pub name: String,
    /// The built-in that supplies it, e.g. `AWS::Region`, `SDK::Endpoint`.
    pub builtin: Option<String>,
    /// Whether resolution fails when neither the caller nor `default` gives a value.
    pub required: bool,
    /// The value used when the caller gives none.
    pub default: Option<Value>,
    /// The declared type.
    pub ty: ParamType,
    /// Set when the parameter is deprecated.
    pub deprecated: Option<Deprecated>,
    /// The parameter's documentation, if any.
    pub documentation: Option<String>,
}

/// Parameter values given to [`RuleSet::resolve`]: a small name → value map.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Params {
    entries: Vec<(String, Value)>,
}

impl Params {
    /// An empty set.
    pub fn new() -> Params {
        Params::default()
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub fn set(&mut self, name: &str, value: Value) -> &mut Params {
        match self.entries.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value,
            None => self.entries.push((name.to_owned(), value)),
        }
        self
    }

    /// Builder form of [`Params::set`].
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Params {
        self.set(name, value.into());
        self
    }

    /// The value of `name`, if set.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.entries.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// Removes `name`, returning its value.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let pos = self.entries.iter().position(|(n, _)| n == name)?;
        Some(self.entries.remove(pos).1)
    }

    /// The number of values set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no value is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The values in the order they were first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v))
    }
}

/// A resolved endpoint.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Endpoint {
    /// The URL requests go to, e.g. `https://secretsmanager.us-east-1.amazonaws.com`.
    pub url: String,
    /// Headers to add to every request sent to this endpoint.
    pub headers: BTreeMap<String, Vec<String>>,
    /// Endpoint properties, e.g. `authSchemes`.
    pub properties: BTreeMap<String, Document>,
}

impl Endpoint {
    /// The SigV4 signing name and region overrides from the first `sigv4` or `sigv4a` entry of
    /// `properties.authSchemes` (each `None` when the entry, or the whole list, does not set it).
    pub fn sigv4_signing(&self) -> (Option<String>, Option<String>) {
        let scheme = self
            .properties
            .get("authSchemes")
            .and_then(Document::as_array)
            .and_then(|schemes| {
                schemes.iter().find(|s| {
                    matches!(
                        s.get("name").and_then(Document::as_str),
                        Some("sigv4" | "sigv4a")
                    )
                })
            });
        match scheme {
            Some(s) => (
                s.get("signingName")
                    .and_then(Document::as_str)
                    .map(str::to_owned),
                s.get("signingRegion")
                    .and_then(Document::as_str)
                    .map(str::to_owned),
            ),
            None => (None, None),
        }
    }
}

/// Why endpoint resolution (or loading a rule set or partitions) failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EndpointError {
    /// An error rule matched; `Display` is exactly its (templated) message.
    Rule(String),
    /// A `required` parameter had neither a value nor a default.
    MissingParameter(String),
    /// A parameter value has the wrong type.
    ParameterType {
        /// The parameter.
        name: String,
        /// Its declared type.
        expected: ParamType,
    },
    /// No rule matched (the rule set, or a tree rule whose conditions held, was exhausted).
    NoRuleMatched,
    /// A matched rule could not be evaluated (e.g. a template referenced an unset value).
    Evaluation(String),
    /// The rule set is not valid.
    InvalidRuleSet(String),
    /// The partitions data is not valid.
    InvalidPartitions(String),
}

impl fmt::Display for EndpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EndpointError::Rule(message) => f.write_str(message),
            EndpointError::MissingParameter(name) => write!(f, "missing required parameter {name}"),
            EndpointError::ParameterType { name, expected } => {
                write!(f, "endpoint parameter {name} must be a {expected}")
            }
            EndpointError::NoRuleMatched => f.write_str("no endpoint rule matched the parameters"),
            EndpointError::Evaluation(reason) => {
                write!(f, "endpoint rule evaluation failed: {reason}")
            }
            EndpointError::InvalidRuleSet(reason) => {
                write!(f, "invalid endpoint rule set: {reason}")
            }
            EndpointError::InvalidPartitions(reason) => {
                write!(f, "invalid partitions data: {reason}")
            }
        }
    }
}

impl std::error::Error for EndpointError {}

/// A parsed rule set, ready to resolve endpoints.
#[derive(Debug, Clone)]
pub struct RuleSet {
    params: Vec<Parameter>,
    rules: Vec<ast::Rule>,
    slot_count: usize,
}

impl RuleSet {
    /// Parses a `smithy.rules#endpointRuleSet` JSON document.
    pub fn parse(json: &str) -> Result<RuleSet, EndpointError> {
        let doc = Document::parse(json.as_bytes())
            .map_err(|e| EndpointError::InvalidRuleSet(e.to_string()))?;
        RuleSet::from_document(&doc)
    }

    /// Builds a rule set from an already parsed JSON document.
    pub fn from_document(doc: &Document) -> Result<RuleSet, EndpointError> {
        parse::rule_set(doc).map_err(EndpointError::InvalidRuleSet)
    }

    /// The parameters the rule set declares, in name order.
    pub fn parameters(&self) -> &[Parameter] {
        &self.params
    }

    /// Parameters supplied by built-ins: for each parameter declaring a `builtIn` (e.g.
    /// `AWS::Region`, `AWS::UseFIPS`, `SDK::Endpoint`), `value_of(builtin)` if it gives a value.
    /// Parameter names differ between rule sets (`Region`, `region`); built-in names do not.
    pub fn builtin_params(&self, mut value_of: impl FnMut(&str) -> Option<Value>) -> Params {
        let mut params = Params::new();
        for p in &self.params {
            if let Some(v) = p.builtin.as_deref().and_then(&mut value_of) {
                params.set(&p.name, v);
            }
        }
        params
    }

    /// Resolves an endpoint: applies defaults, checks `required` and types, then evaluates the
    /// rules in order.
    pub fn resolve(
        &self,
        params: &Params,
        partitions: &Partitions,
    ) -> Result<Endpoint, EndpointError> {
        eval::resolve(self, params, partitions)
    }
}
