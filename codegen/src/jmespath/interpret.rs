//! An interpreter of [`Ast`] over JSON values, following the JMESPath specification (and, where
//! the specification is silent, the reference implementation: ordering comparisons also compare
//! two strings). The generator does not use it to generate code: tests evaluate model
//! expressions with it beside an independent implementation, and beside the generated code.

use std::cmp::Ordering;

use serde_json::{Map, Value as Json};

use super::{Ast, Cmp};

/// Why an expression cannot be evaluated on a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvalError {
    /// A function was given an argument of the wrong type (`invalid-type` in the
    /// specification), or the wrong number of arguments.
    InvalidType(String),
    /// A function this interpreter does not have.
    UnknownFunction(String),
    /// An expression reference outside a function argument, or a construct it does not
    /// evaluate.
    Unsupported(String),
}

/// Evaluates `ast` on `value`.
pub fn search(ast: &Ast, value: &Json) -> Result<Json, EvalError> {
    Ok(match ast {
        Ast::Identity => value.clone(),
        Ast::Field(name) => match value {
            Json::Object(o) => o.get(name).cloned().unwrap_or(Json::Null),
            _ => Json::Null,
        },
        Ast::Subexpr(left, right) | Ast::Pipe(left, right) => {
            let l = search(left, value)?;
            search(right, &l)?
        }
        Ast::Index(i) => match value {
            Json::Array(a) => index(a, *i).cloned().unwrap_or(Json::Null),
            _ => Json::Null,
        },
        Ast::Slice(start, stop, step) => match value {
            Json::Array(a) => Json::Array(slice(a, *start, *stop, *step)),
            _ => Json::Null,
        },
        Ast::Literal(v) => v.clone(),
        Ast::Flatten(inner) => match search(inner, value)? {
            Json::Array(a) => {
                let mut out = Vec::new();
                for e in a {
                    match e {
                        Json::Array(inner) => out.extend(inner),
                        other => out.push(other),
                    }
                }
                Json::Array(out)
            }
            _ => Json::Null,
        },
        Ast::Projection(list, rhs) => match search(list, value)? {
            Json::Array(a) => project(a.iter(), rhs)?,
            _ => Json::Null,
        },
        Ast::ValueProjection(obj, rhs) => match search(obj, value)? {
            Json::Object(o) => project(o.values(), rhs)?,
            _ => Json::Null,
        },
        Ast::FilterProjection {
            list,
            rhs,
            condition,
        } => match search(list, value)? {
            Json::Array(a) => {
                let mut kept = Vec::new();
                for e in a {
                    if truthy(&search(condition, &e)?) {
                        kept.push(e);
                    }
                }
                project(kept.iter(), rhs)?
            }
            _ => Json::Null,
        },
        Ast::MultiSelectList(items) => {
            if value.is_null() {
                Json::Null
            } else {
                Json::Array(
                    items
                        .iter()
                        .map(|i| search(i, value))
                        .collect::<Result<_, _>>()?,
                )
            }
        }
        Ast::MultiSelectHash(pairs) => {
            if value.is_null() {
                Json::Null
            } else {
                let mut o = Map::new();
                for (k, v) in pairs {
                    o.insert(k.clone(), search(v, value)?);
                }
                Json::Object(o)
            }
        }
        Ast::Compare(op, l, r) => compare(*op, &search(l, value)?, &search(r, value)?),
        Ast::And(l, r) => {
            let left = search(l, value)?;
            if truthy(&left) {
                search(r, value)?
            } else {
                left
            }
        }
        Ast::Or(l, r) => {
            let left = search(l, value)?;
            if truthy(&left) {
                left
            } else {
                search(r, value)?
            }
        }
        Ast::Not(inner) => Json::Bool(!truthy(&search(inner, value)?)),
        Ast::Function(name, args) => {
            let args = args
                .iter()
                .map(|a| search(a, value))
                .collect::<Result<Vec<_>, _>>()?;
            function(name, &args)?
        }
        Ast::ExpRef(_) => {
            return Err(EvalError::Unsupported(
                "an expression reference outside a function".into(),
            ))
        }
    })
}

fn project<'a>(items: impl Iterator<Item = &'a Json>, rhs: &Ast) -> Result<Json, EvalError> {
    let mut out = Vec::new();
    for e in items {
        let v = search(rhs, e)?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(Json::Array(out))
}

fn index(a: &[Json], i: i64) -> Option<&Json> {
    let len = a.len() as i64;
    let i = if i < 0 { len + i } else { i };
    if (0..len).contains(&i) {
        a.get(i as usize)
    } else {
        None
    }
}

fn slice(a: &[Json], start: Option<i64>, stop: Option<i64>, step: Option<i64>) -> Vec<Json> {
    let len = a.len() as i64;
    let step = step.unwrap_or(1);
    let clamp = |v: i64, forward: bool| -> i64 {
        let v = if v < 0 { v + len } else { v };
        if v < 0 {
            if forward {
                0
            } else {
                -1
            }
        } else if v >= len {
            if forward {
                len
            } else {
                len - 1
            }
        } else {
            v
        }
    };
    let forward = step > 0;
    let start = match start {
        Some(s) => clamp(s, forward),
        None if forward => 0,
        None => len - 1,
    };
    let stop = match stop {
        Some(s) => clamp(s, forward),
        None if forward => len,
        None => -1,
    };
    let mut out = Vec::new();
    let mut i = start;
    while (forward && i < stop) || (!forward && i > stop) {
        out.push(a[i as usize].clone());
        i += step;
    }
    out
}

/// JMESPath truthiness: `false`, `null`, `""`, `[]` and `{}` are false; numbers are true.
pub fn truthy(v: &Json) -> bool {
    match v {
        Json::Null => false,
        Json::Bool(b) => *b,
        Json::String(s) => !s.is_empty(),
        Json::Array(a) => !a.is_empty(),
        Json::Object(o) => !o.is_empty(),
        Json::Number(_) => true,
    }
}

/// Deep equality, numbers compared by value (`1 == 1.0`).
pub fn equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| equal(x, y))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w)))
        }
        _ => a == b,
    }
}

fn compare(op: Cmp, l: &Json, r: &Json) -> Json {
    let ordering = match (l, r) {
        (Json::Number(x), Json::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()),
        (Json::String(x), Json::String(y)) => Some(x.cmp(y)),
        _ => None,
    };
    match op {
        Cmp::Eq => Json::Bool(equal(l, r)),
        Cmp::Ne => Json::Bool(!equal(l, r)),
        _ => match ordering {
            None => Json::Null,
            Some(o) => Json::Bool(match op {
                Cmp::Lt => o == Ordering::Less,
                Cmp::Le => o != Ordering::Greater,
                Cmp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }),
        },
    }
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn function(name: &str, args: &[Json]) -> Result<Json, EvalError> {
    let arity = |n: usize| {
        if args.len() == n {
            Ok(())
        } else {
            Err(EvalError::InvalidType(format!(
                "{name}() takes {n} argument(s), got {}",
                args.len()
            )))
        }
    };
    let bad = |v: &Json| EvalError::InvalidType(format!("{name}() of {}", type_name(v)));
    match name {
        "length" => {
            arity(1)?;
            let n = match &args[0] {
                Json::String(s) => s.chars().count(),
                Json::Array(a) => a.len(),
                Json::Object(o) => o.len(),
                other => return Err(bad(other)),
            };
            Ok(Json::from(n as u64))
        }
        "contains" => {
            arity(2)?;
            match (&args[0], &args[1]) {
                (Json::Array(a), search) => Ok(Json::Bool(a.iter().any(|e| equal(e, search)))),
                (Json::String(s), Json::String(search)) => {
                    Ok(Json::Bool(s.contains(search.as_str())))
                }
                (Json::String(_), other) => Err(bad(other)),
                (other, _) => Err(bad(other)),
            }
        }
        other => Err(EvalError::UnknownFunction(other.to_string())),
    }
}
