//! The typed rule tree that [`super::parse`] builds and [`super::eval`] walks.
//!
//! Every name (parameter or `assign`ed variable) is resolved at parse time to a slot index;
//! parameters take slots `0..params.len()` in declaration order.

use crate::types::Document;

/// An index into the evaluation scope.
pub(crate) type Slot = usize;

/// One rule: conditions that must all hold, then what the rule does.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub(crate) conditions: Vec<Condition>,
    pub(crate) kind: RuleKind,
}

/// What a rule yields when its conditions hold.
#[derive(Debug, Clone)]
pub(crate) enum RuleKind {
    Endpoint(Box<EndpointRule>),
    /// The error message expression.
    Error(Expr),
    Tree(Vec<Rule>),
}

/// The endpoint an endpoint rule builds.
#[derive(Debug, Clone)]
pub(crate) struct EndpointRule {
    pub(crate) url: Expr,
    pub(crate) headers: Vec<(String, Vec<Expr>)>,
    pub(crate) properties: Vec<(String, Prop)>,
}

/// A function call used as a condition; its result is stored in `assign` when set.
#[derive(Debug, Clone)]
pub(crate) struct Condition {
    pub(crate) call: Call,
    pub(crate) assign: Option<Slot>,
}

/// An expression.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    /// A string literal; `{name}` / `{name#path}` parts are substituted.
    Template(Template),
    Bool(bool),
    Int(i64),
    Ref(Slot),
    Call(Box<Call>),
}

/// A string template split into its parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Template {
    pub(crate) parts: Vec<Part>,
}

/// A piece of a [`Template`].
#[derive(Debug, Clone)]
pub(crate) enum Part {
    Lit(String),
    Ref(Slot),
    Attr(Slot, Vec<PathSeg>),
}

/// A step of a `getAttr` path such as `resourceId[2]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathSeg {
    Field(String),
    Index(usize),
}

/// A call of a standard-library function, with its arguments.
#[derive(Debug, Clone)]
pub(crate) enum Call {
    IsSet(Expr),
    Not(Expr),
    GetAttr(Expr, Vec<PathSeg>),
    StringEquals(Expr, Expr),
    BooleanEquals(Expr, Expr),
    /// input, start, stop, reverse
    Substring(Expr, Expr, Expr, Expr),
    IsValidHostLabel(Expr, Expr),
    ParseUrl(Expr),
    UriEncode(Expr),
    Partition(Expr),
    ParseArn(Expr),
    IsVirtualHostableS3Bucket(Expr, Expr),
    /// input, delimiter, limit
    Split(Expr, Expr, Expr),
    Coalesce(Vec<Expr>),
    /// condition, then, else
    Ite(Expr, Expr, Expr),
}

/// An endpoint property value: JSON whose strings are templates.
#[derive(Debug, Clone)]
pub(crate) enum Prop {
    Str(Template),
    /// `null`, booleans and numbers, copied as they are.
    Const(Document),
    Array(Vec<Prop>),
    Object(Vec<(String, Prop)>),
}
