//! `smithy.waiters#waitable`: each waiter of each operation, its acceptors checked and their
//! JMESPath paths parsed ([`crate::jmespath`]) and typed ([`super::paths`]) against the
//! operation's input and output. A waiter the generator cannot compile is an error naming the
//! operation, the waiter and the reason; none is left out.

use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::paths::{StructRef, TExpr, Ty, Typer};
use super::{Operation, Service};
use crate::error::{CodegenError, Result};
use crate::model::{self, Model};
use crate::names;

/// The trait id.
pub const WAITABLE: &str = "smithy.waiters#waitable";

/// The spec's default `minDelay`, in seconds.
pub const DEFAULT_MIN_DELAY: u64 = 2;
/// The spec's default `maxDelay`, in seconds.
pub const DEFAULT_MAX_DELAY: u64 = 120;

/// One waiter.
#[derive(Debug, Clone)]
pub struct Waiter {
    /// The waiter's name in the model (`TableExists`).
    pub name: String,
    /// The client method (`wait_until_table_exists`).
    pub fn_name: String,
    /// The module under `waiters::` (`table_exists`).
    pub module: String,
    /// The operation it polls: its index in [`Service::operations`].
    pub operation: usize,
    /// `documentation` (CommonMark), possibly empty.
    pub docs: String,
    /// `minDelay` in seconds (default 2).
    pub min_delay: u64,
    /// `maxDelay` in seconds (default 120).
    pub max_delay: u64,
    /// `deprecated`.
    pub deprecated: bool,
    /// The acceptors, in order.
    pub acceptors: Vec<Acceptor>,
}

impl Waiter {
    /// Whether every success acceptor matches a successful response (then the waiter's
    /// result is the operation's output; otherwise it can also be the error that matched).
    pub fn succeeds_with_output(&self) -> bool {
        self.acceptors
            .iter()
            .filter(|a| a.state == AcceptorState::Success)
            .all(|a| a.matcher.on_output())
    }

    /// The distinct paths of the waiter's path matchers, in order of first use.
    pub fn paths(&self) -> Vec<&PathMatcher> {
        let mut out: Vec<&PathMatcher> = Vec::new();
        for a in &self.acceptors {
            if let Matcher::Output(p) | Matcher::InputOutput(p) = &a.matcher {
                if !out
                    .iter()
                    .any(|q| q.path == p.path && q.input_output == p.input_output)
                {
                    out.push(p);
                }
            }
        }
        out
    }
}

/// The state an acceptor moves the waiter to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptorState {
    /// Done: the resource is in the desired state.
    Success,
    /// Done: the resource will not reach the desired state.
    Failure,
    /// Poll again.
    Retry,
}

/// One acceptor.
#[derive(Debug, Clone)]
pub struct Acceptor {
    /// Where it moves the waiter.
    pub state: AcceptorState,
    /// When it matches.
    pub matcher: Matcher,
}

/// When an acceptor matches.
#[derive(Debug, Clone)]
pub enum Matcher {
    /// A path over the output of a successful call.
    Output(PathMatcher),
    /// A path over `{input, output}` of a successful call.
    InputOutput(PathMatcher),
    /// `true`: the call succeeded; `false`: it failed with any error.
    Success(bool),
    /// The call failed with this error.
    ErrorType {
        /// As written in the model (a shape name, an absolute shape id or an error code).
        expected: String,
        /// The name part: compared with the error code of the response.
        code: String,
        /// The variant of the operation's error enum for a modeled error of that name.
        variant: Option<String>,
    },
}

impl Matcher {
    /// Whether it matches only successful responses.
    pub fn on_output(&self) -> bool {
        matches!(
            self,
            Matcher::Output(_) | Matcher::InputOutput(_) | Matcher::Success(true)
        )
    }
}

/// A path matcher: a typed JMESPath expression and what its value must be.
#[derive(Debug, Clone)]
pub struct PathMatcher {
    /// The expression as written.
    pub path: String,
    /// Over `{input, output}` (else over the output).
    pub input_output: bool,
    /// The expression, typed.
    pub expr: TExpr,
    /// How its value is compared.
    pub comparator: Comparator,
    /// The expected value as written.
    pub expected: String,
}

/// A path comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// The value is a string equal to the expected one.
    StringEquals,
    /// The value is the expected boolean.
    BooleanEquals(bool),
    /// The value is a non-empty list whose every element is the expected string.
    AllStringEquals,
    /// The value is a list with an element equal to the expected string.
    AnyStringEquals,
}

impl Comparator {
    /// The comparator's name in the model.
    pub fn name(self) -> &'static str {
        match self {
            Comparator::StringEquals => "stringEquals",
            Comparator::BooleanEquals(_) => "booleanEquals",
            Comparator::AllStringEquals => "allStringEquals",
            Comparator::AnyStringEquals => "anyStringEquals",
        }
    }
}

/// Every waiter of the service's operations, sorted by name.
pub(crate) fn build(model: &Model, svc: &Service) -> Result<Vec<Waiter>> {
    let mut out = Vec::new();
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for (index, op) in svc.operations.iter().enumerate() {
        let Some(shape) = model.shapes.get(&op.shape) else {
            continue;
        };
        let Some(trait_value) = shape.traits.get(WAITABLE) else {
            continue;
        };
        let Json::Object(waiters) = trait_value else {
            return Err(CodegenError::shape(
                &op.shape,
                format!("trait {WAITABLE} must be a map of waiters"),
            ));
        };
        for (name, value) in waiters {
            let w = waiter(svc, op, index, name, value)
                .map_err(|why| CodegenError::shape(&op.shape, format!("waiter {name}: {why}")))?;
            if let Some(other) = seen.insert(name.to_ascii_lowercase(), op.shape.clone()) {
                return Err(CodegenError::shape(
                    &op.shape,
                    format!("waiter {name}: another waiter of the same name (case-insensitively) is on {other}"),
                ));
            }
            out.push(w);
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

fn waiter(
    svc: &Service,
    op: &Operation,
    index: usize,
    name: &str,
    v: &Json,
) -> Result<Waiter, String> {
    if !name.starts_with(|c: char| c.is_ascii_uppercase())
        || !name.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err("a waiter name must be UpperCamelCase letters and digits".into());
    }
    if op.not_callable.is_some() {
        return Err("the operation cannot be called (it has an event stream)".into());
    }
    // The waiter's builder has the input's setters beside its own methods.
    for own in ["as_input", "min_delay", "max_delay", "wait"] {
        if op.input.fields.iter().any(|f| names::bare(&f.name) == own) {
            return Err(format!(
                "the input member that becomes `{own}` would clash with the waiter builder's own `{own}`"
            ));
        }
    }
    let o = v.as_object().ok_or("must be an object")?;
    let delay = |key: &str, default: u64| -> Result<u64, String> {
        match o.get(key) {
            None => Ok(default),
            Some(v) => v
                .as_u64()
                .filter(|d| *d >= 1)
                .ok_or_else(|| format!("`{key}` must be an integer of at least 1")),
        }
    };
    let min_delay = delay("minDelay", DEFAULT_MIN_DELAY)?;
    let max_delay = delay("maxDelay", DEFAULT_MAX_DELAY)?;
    if min_delay > max_delay {
        return Err(format!(
            "minDelay {min_delay} is greater than maxDelay {max_delay}"
        ));
    }
    let acceptors = o
        .get("acceptors")
        .and_then(Json::as_array)
        .ok_or("`acceptors` must be a list")?
        .iter()
        .enumerate()
        .map(|(i, a)| acceptor(svc, op, a).map_err(|why| format!("acceptor {i}: {why}")))
        .collect::<Result<Vec<_>, String>>()?;
    if !acceptors.iter().any(|a| a.state == AcceptorState::Success) {
        return Err("no acceptor has the state `success`".into());
    }
    let snake = names::snake_case(name);
    Ok(Waiter {
        name: name.to_string(),
        fn_name: format!("wait_until_{snake}"),
        module: names::module_name(name),
        operation: index,
        docs: o
            .get("documentation")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .trim()
            .to_string(),
        min_delay,
        max_delay,
        deprecated: o.get("deprecated").and_then(Json::as_bool).unwrap_or(false),
        acceptors,
    })
}

fn acceptor(svc: &Service, op: &Operation, a: &Json) -> Result<Acceptor, String> {
    let state = match a.get("state").and_then(Json::as_str) {
        Some("success") => AcceptorState::Success,
        Some("failure") => AcceptorState::Failure,
        Some("retry") => AcceptorState::Retry,
        other => return Err(format!("unknown state {other:?}")),
    };
    let m = a
        .get("matcher")
        .and_then(Json::as_object)
        .filter(|m| m.len() == 1)
        .ok_or("`matcher` must be an object with exactly one member")?;
    let (kind, value) = m.iter().next().expect("one member");
    let matcher = match kind.as_str() {
        "output" => Matcher::Output(path_matcher(svc, op, value, false)?),
        "inputOutput" => Matcher::InputOutput(path_matcher(svc, op, value, true)?),
        "success" => Matcher::Success(value.as_bool().ok_or("`success` must be a boolean")?),
        "errorType" => {
            let expected = value.as_str().ok_or("`errorType` must be a string")?;
            let code = model::shape_name(expected).to_string();
            let variant = op
                .errors
                .iter()
                .find(|e| {
                    svc.error_struct(e)
                        .is_some_and(|s| model::shape_name(&s.shape) == code)
                })
                .cloned();
            Matcher::ErrorType {
                expected: expected.to_string(),
                code,
                variant,
            }
        }
        other => return Err(format!("unknown matcher `{other}`")),
    };
    Ok(Acceptor { state, matcher })
}

fn path_matcher(
    svc: &Service,
    op: &Operation,
    v: &Json,
    input_output: bool,
) -> Result<PathMatcher, String> {
    let s = |k: &str| {
        v.get(k)
            .and_then(Json::as_str)
            .ok_or_else(|| format!("the path matcher needs a string `{k}`"))
    };
    let (path, expected, comparator) = (s("path")?, s("expected")?, s("comparator")?);
    let comparator = match comparator {
        "stringEquals" => Comparator::StringEquals,
        "booleanEquals" => Comparator::BooleanEquals(match expected {
            "true" => true,
            "false" => false,
            other => {
                return Err(format!(
                    "booleanEquals expects \"true\" or \"false\", not {other:?}"
                ))
            }
        }),
        "allStringEquals" => Comparator::AllStringEquals,
        "anyStringEquals" => Comparator::AnyStringEquals,
        other => return Err(format!("unknown comparator `{other}`")),
    };
    let at = |why: String| format!("path `{path}`: {why}");
    let ast = crate::jmespath::parse(path).map_err(|e| at(e.to_string()))?;
    let root = if input_output {
        Ty::IoRoot
    } else {
        Ty::Struct(StructRef::Output)
    };
    let expr = Typer { svc, op }.check(&ast, &root).map_err(at)?;
    let fits = match comparator {
        Comparator::StringEquals => expr.ty == Ty::Str,
        Comparator::BooleanEquals(_) => expr.ty == Ty::Bool,
        Comparator::AllStringEquals | Comparator::AnyStringEquals => {
            matches!(&expr.ty, Ty::List(t, _) if **t == Ty::Str)
        }
    };
    if !fits {
        return Err(at(format!(
            "its value is {}, which {} can never match",
            expr.ty,
            comparator.name()
        )));
    }
    Ok(PathMatcher {
        path: path.to_string(),
        input_output,
        expr,
        comparator,
        expected: expected.to_string(),
    })
}
