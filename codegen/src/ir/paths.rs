//! JMESPath expressions typed against an operation's input and output: the decisions the
//! waiter emitter ([`crate::emit::waiters`]) only reads. Each node gets its [`Ty`], the JMESPath
//! type of its value given the model; member names are resolved to Rust fields; mixed integer
//! and float operands get an explicit conversion. An expression whose value could never be
//! what its comparator needs, reads a member that does not exist, or uses what the compiled
//! code does not have (slices, multi-select hashes, functions other than `length` and
//! `contains`, blobs and documents), is an error naming the place.

use std::fmt;

use serde_json::Value as Json;

use super::{Operation, RType, Service, Struct, TypeDef};
use crate::jmespath::{Ast, Cmp};

/// A structure an expression can reach.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StructRef {
    /// The operation's input.
    Input,
    /// The operation's output.
    Output,
    /// A structure type of the service, by Rust name.
    Named(String),
}

/// The type of a value in a typed expression (its JMESPath type, refined by the model). A
/// value of any type may also be null.
#[derive(Debug, Clone, PartialEq)]
pub enum Ty {
    /// Always null (the literal `null`).
    Null,
    /// A string, string enum or (`@sensitive`) string member.
    Str,
    /// A boolean.
    Bool,
    /// An integer (byte to long, intEnum).
    Int,
    /// A float, double, or timestamp (epoch seconds).
    Float,
    /// A structure.
    Struct(StructRef),
    /// A union, by Rust name.
    Union(String),
    /// A list; whether its elements may be null.
    List(Box<Ty>, bool),
    /// A map with string keys; whether its values may be null.
    Map(Box<Ty>, bool),
    /// The `{input, output}` object `inputOutput` matchers start from.
    IoRoot,
}

impl Ty {
    /// Whether the Rust value standing for it is `Copy` (otherwise it is cloned where it is
    /// used twice).
    pub fn is_copy(&self) -> bool {
        !matches!(self, Ty::List(..) | Ty::Map(..))
    }

    fn is_number(&self) -> bool {
        matches!(self, Ty::Int | Ty::Float)
    }

    /// Whether `==` can compare two values of this type in Rust as JMESPath does.
    fn comparable(&self) -> bool {
        match self {
            Ty::Null | Ty::Str | Ty::Bool | Ty::Int | Ty::Float => true,
            Ty::List(t, _) => t.comparable(),
            _ => false,
        }
    }
}

impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ty::Null => f.write_str("null"),
            Ty::Str => f.write_str("a string"),
            Ty::Bool => f.write_str("a boolean"),
            Ty::Int | Ty::Float => f.write_str("a number"),
            Ty::Struct(StructRef::Input) => f.write_str("the input structure"),
            Ty::Struct(StructRef::Output) => f.write_str("the output structure"),
            Ty::Struct(StructRef::Named(n)) => write!(f, "structure `{n}`"),
            Ty::Union(n) => write!(f, "union `{n}`"),
            Ty::List(t, _) => write!(f, "a list of {t}"),
            Ty::Map(t, _) => write!(f, "a map of {t}"),
            Ty::IoRoot => f.write_str("the {input, output} object"),
        }
    }
}

/// How a member is read from the current value.
#[derive(Debug, Clone, PartialEq)]
pub enum Access {
    /// A structure field.
    Field {
        /// The Rust field name.
        name: String,
        /// Whether the field is an `Option`.
        optional: bool,
        /// Whether the field is boxed.
        boxed: bool,
        /// The field's model type (converted to the value of [`TExpr::ty`]).
        ty: RType,
    },
    /// A union member.
    Variant {
        /// The union's Rust name.
        union: String,
        /// The variant.
        variant: String,
        /// The member's model type.
        ty: RType,
    },
    /// A map entry by key.
    Key(String),
    /// `input` or `output` of the `{input, output}` object.
    Io(StructRef),
}

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// A string.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// Any other number.
    Float(f64),
}

/// How `==`/`!=` compares its operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EqMode {
    /// Values of the same type: compared as values (null equals only null).
    Same,
    /// Different types: equal only when both are null.
    BothNull,
}

/// What an expression node does. The current value (`@`) is the one the enclosing node
/// evaluates it on.
#[derive(Debug, Clone, PartialEq)]
pub enum TKind {
    /// `@`.
    Current,
    /// A member of the current value.
    Member(Access),
    /// The left side, then the right side on its value (also `|`).
    Subexpr(Box<TExpr>, Box<TExpr>),
    /// An element of the current list.
    Index(i64),
    /// A literal.
    Literal(Literal),
    /// The list, with the lists in it merged in.
    Flatten(Box<TExpr>),
    /// `rhs` on each element of `list`, nulls dropped.
    Projection {
        /// A list.
        list: Box<TExpr>,
        /// Evaluated on each element.
        rhs: Box<TExpr>,
    },
    /// `rhs` on each value of the map `map`, nulls dropped.
    ValueProjection {
        /// A map.
        map: Box<TExpr>,
        /// Evaluated on each value.
        rhs: Box<TExpr>,
    },
    /// `rhs` on each element of `list` for which `condition` is truthy, nulls dropped.
    Filter {
        /// A list.
        list: Box<TExpr>,
        /// Evaluated on each element kept.
        rhs: Box<TExpr>,
        /// Evaluated on each element.
        condition: Box<TExpr>,
    },
    /// `[a, b]` on the current value: a list of possibly null values.
    MultiList(Vec<TExpr>),
    /// `==` or `!=`.
    Equality(bool, EqMode, Box<TExpr>, Box<TExpr>),
    /// `<`, `<=`, `>`, `>=` of two numbers or two strings (null otherwise).
    Ordering(Cmp, Box<TExpr>, Box<TExpr>),
    /// `a && b`.
    And(Box<TExpr>, Box<TExpr>),
    /// `a || b`.
    Or(Box<TExpr>, Box<TExpr>),
    /// `!a`.
    Not(Box<TExpr>),
    /// An integer converted to a float (a mixed comparison).
    ToFloat(Box<TExpr>),
    /// `length(a)` of a string, list or map; an `invalid-type` error when null.
    Length(Box<TExpr>),
    /// `contains(list, value)`: whether an element equals the value (null equals null).
    ContainsElement(Box<TExpr>, Box<TExpr>),
    /// `contains(string, string)`: a substring.
    ContainsStr(Box<TExpr>, Box<TExpr>),
}

/// A typed expression node.
#[derive(Debug, Clone, PartialEq)]
pub struct TExpr {
    /// The type of its value.
    pub ty: Ty,
    /// What it does.
    pub kind: TKind,
}

impl TExpr {
    fn new(ty: Ty, kind: TKind) -> TExpr {
        TExpr { ty, kind }
    }
}

/// Types expressions against one operation of a service.
pub(crate) struct Typer<'a> {
    pub(crate) svc: &'a Service,
    pub(crate) op: &'a Operation,
}

type R<T> = Result<T, String>;

impl Typer<'_> {
    /// Types `ast` evaluated on a value of type `cur`.
    pub(crate) fn check(&self, ast: &Ast, cur: &Ty) -> R<TExpr> {
        match ast {
            Ast::Identity => Ok(TExpr::new(cur.clone(), TKind::Current)),
            Ast::Field(name) => self.member(name, cur),
            Ast::Subexpr(l, r) | Ast::Pipe(l, r) => {
                let l = self.check(l, cur)?;
                let r = self.check(r, &l.ty)?;
                Ok(TExpr::new(
                    r.ty.clone(),
                    TKind::Subexpr(Box::new(l), Box::new(r)),
                ))
            }
            Ast::Index(i) => match cur {
                Ty::List(t, _) => Ok(TExpr::new((**t).clone(), TKind::Index(*i))),
                other => Err(format!("an index of {other} is always null")),
            },
            Ast::Slice(..) => Err("slices are not supported in waiter paths".into()),
            Ast::Literal(v) => literal(v),
            Ast::Flatten(inner) => {
                let inner = self.check(inner, cur)?;
                let ty = match &inner.ty {
                    Ty::List(t, n) => match &**t {
                        Ty::List(u, m) => Ty::List(u.clone(), *m || *n),
                        _ => inner.ty.clone(),
                    },
                    other => return Err(format!("flattening {other} is always null")),
                };
                Ok(TExpr::new(ty, TKind::Flatten(Box::new(inner))))
            }
            Ast::Projection(list, rhs) => {
                let list = self.check(list, cur)?;
                let Ty::List(elem, _) = &list.ty else {
                    return Err(format!("projecting {} is always null", list.ty));
                };
                let rhs = self.check(rhs, elem)?;
                Ok(TExpr::new(
                    Ty::List(Box::new(rhs.ty.clone()), false),
                    TKind::Projection {
                        list: Box::new(list),
                        rhs: Box::new(rhs),
                    },
                ))
            }
            Ast::ValueProjection(map, rhs) => {
                let map = self.check(map, cur)?;
                let Ty::Map(elem, _) = &map.ty else {
                    return Err(format!(
                        "`*` over {} is not supported (only over maps)",
                        map.ty
                    ));
                };
                let rhs = self.check(rhs, elem)?;
                Ok(TExpr::new(
                    Ty::List(Box::new(rhs.ty.clone()), false),
                    TKind::ValueProjection {
                        map: Box::new(map),
                        rhs: Box::new(rhs),
                    },
                ))
            }
            Ast::FilterProjection {
                list,
                rhs,
                condition,
            } => {
                let list = self.check(list, cur)?;
                let Ty::List(elem, _) = &list.ty else {
                    return Err(format!("filtering {} is always null", list.ty));
                };
                let condition = self.check(condition, elem)?;
                let rhs = self.check(rhs, elem)?;
                Ok(TExpr::new(
                    Ty::List(Box::new(rhs.ty.clone()), false),
                    TKind::Filter {
                        list: Box::new(list),
                        rhs: Box::new(rhs),
                        condition: Box::new(condition),
                    },
                ))
            }
            Ast::MultiSelectList(items) => {
                let items = items
                    .iter()
                    .map(|i| self.check(i, cur))
                    .collect::<R<Vec<_>>>()?;
                let (ty, items) = unify(items)?;
                Ok(TExpr::new(
                    Ty::List(Box::new(ty), true),
                    TKind::MultiList(items),
                ))
            }
            Ast::MultiSelectHash(_) => {
                Err("multi-select hashes are not supported in waiter paths".into())
            }
            Ast::Compare(op, l, r) => self.compare(*op, l, r, cur),
            Ast::And(l, r) | Ast::Or(l, r) => {
                let l = self.check(l, cur)?;
                let r = self.check(r, cur)?;
                if l.ty != r.ty {
                    return Err(format!(
                        "the operands of `{}` are {} and {}; they must have the same type",
                        if matches!(ast, Ast::And(..)) {
                            "&&"
                        } else {
                            "||"
                        },
                        l.ty,
                        r.ty
                    ));
                }
                let ty = l.ty.clone();
                let kind = if matches!(ast, Ast::And(..)) {
                    TKind::And(Box::new(l), Box::new(r))
                } else {
                    TKind::Or(Box::new(l), Box::new(r))
                };
                Ok(TExpr::new(ty, kind))
            }
            Ast::Not(inner) => {
                let inner = self.check(inner, cur)?;
                Ok(TExpr::new(Ty::Bool, TKind::Not(Box::new(inner))))
            }
            Ast::Function(name, args) => self.function(name, args, cur),
            Ast::ExpRef(_) => Err("expression references (`&`) are not supported".into()),
        }
    }

    fn member(&self, name: &str, cur: &Ty) -> R<TExpr> {
        match cur {
            Ty::Struct(r) => {
                let s = self.structure(r)?;
                let f = s
                    .field(name)
                    .ok_or_else(|| format!("`{name}` is not a member of {cur} (`{}`)", s.shape))?;
                let ty = self
                    .ty_of(&f.ty)
                    .map_err(|why| format!("member `{name}`: {why}"))?;
                Ok(TExpr::new(
                    ty,
                    TKind::Member(Access::Field {
                        name: f.name.clone(),
                        optional: f.optional,
                        boxed: f.boxed,
                        ty: f.ty.clone(),
                    }),
                ))
            }
            Ty::Union(u) => {
                let Some(TypeDef::Union(s)) = self.svc.ty(u) else {
                    return Err(format!("union `{u}` is not in the service"));
                };
                let f = s
                    .field(name)
                    .ok_or_else(|| format!("`{name}` is not a member of {cur}"))?;
                let ty = self
                    .ty_of(&f.ty)
                    .map_err(|why| format!("member `{name}`: {why}"))?;
                Ok(TExpr::new(
                    ty,
                    TKind::Member(Access::Variant {
                        union: u.clone(),
                        variant: f.variant.clone(),
                        ty: f.ty.clone(),
                    }),
                ))
            }
            Ty::Map(t, _) => Ok(TExpr::new(
                (**t).clone(),
                TKind::Member(Access::Key(name.to_string())),
            )),
            Ty::IoRoot => {
                let r = match name {
                    "input" => StructRef::Input,
                    "output" => StructRef::Output,
                    other => {
                        return Err(format!(
                            "`{other}` is not `input` or `output` (an inputOutput path starts with one of them)"
                        ))
                    }
                };
                Ok(TExpr::new(
                    Ty::Struct(r.clone()),
                    TKind::Member(Access::Io(r)),
                ))
            }
            other => Err(format!("`{name}` of {other} is always null")),
        }
    }

    fn compare(&self, op: Cmp, l: &Ast, r: &Ast, cur: &Ty) -> R<TExpr> {
        let l = self.check(l, cur)?;
        let r = self.check(r, cur)?;
        let (l, r) = numeric_pair(l, r);
        if matches!(op, Cmp::Eq | Cmp::Ne) {
            let mode = if l.ty == r.ty {
                if !l.ty.comparable() {
                    return Err(format!(
                        "comparing {} with `{}` is not supported",
                        l.ty,
                        op.as_str()
                    ));
                }
                EqMode::Same
            } else {
                for t in [&l.ty, &r.ty] {
                    if !t.comparable() {
                        return Err(format!(
                            "comparing {t} with `{}` is not supported",
                            op.as_str()
                        ));
                    }
                }
                EqMode::BothNull
            };
            return Ok(TExpr::new(
                Ty::Bool,
                TKind::Equality(op == Cmp::Eq, mode, Box::new(l), Box::new(r)),
            ));
        }
        let ok = (l.ty.is_number() && l.ty == r.ty) || (l.ty == Ty::Str && r.ty == Ty::Str);
        if !ok {
            return Err(format!(
                "`{}` between {} and {} is always null",
                op.as_str(),
                l.ty,
                r.ty
            ));
        }
        Ok(TExpr::new(
            Ty::Bool,
            TKind::Ordering(op, Box::new(l), Box::new(r)),
        ))
    }

    fn function(&self, name: &str, args: &[Ast], cur: &Ty) -> R<TExpr> {
        let args = args
            .iter()
            .map(|a| self.check(a, cur))
            .collect::<R<Vec<_>>>()?;
        let arity = |n: usize| {
            if args.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "{name}() takes {n} argument(s), not {}",
                    args.len()
                ))
            }
        };
        match name {
            "length" => {
                arity(1)?;
                let a = args.into_iter().next().expect("one argument");
                match &a.ty {
                    Ty::Str | Ty::List(..) | Ty::Map(..) => {
                        Ok(TExpr::new(Ty::Int, TKind::Length(Box::new(a))))
                    }
                    other => Err(format!("length() of {other} is not supported")),
                }
            }
            "contains" => {
                arity(2)?;
                let mut it = args.into_iter();
                let (subject, search) = (it.next().expect("two"), it.next().expect("two"));
                match &subject.ty {
                    Ty::Str if search.ty == Ty::Str => Ok(TExpr::new(
                        Ty::Bool,
                        TKind::ContainsStr(Box::new(subject), Box::new(search)),
                    )),
                    Ty::List(elem, _) => {
                        let search = match (&**elem, &search.ty) {
                            (Ty::Float, Ty::Int) => {
                                TExpr::new(Ty::Float, TKind::ToFloat(Box::new(search)))
                            }
                            (e, s) if e == s && e.comparable() => search,
                            (_, Ty::Null) => search,
                            (e, s) => {
                                return Err(format!(
                                    "contains() of {s} in a list of {e} is not supported"
                                ))
                            }
                        };
                        Ok(TExpr::new(
                            Ty::Bool,
                            TKind::ContainsElement(Box::new(subject), Box::new(search)),
                        ))
                    }
                    other => Err(format!(
                        "contains() of {} in {other} is not supported",
                        search.ty
                    )),
                }
            }
            other => Err(format!(
                "function `{other}` is not supported in waiter paths (only length and contains)"
            )),
        }
    }

    /// The structure `r` stands for.
    pub(crate) fn structure(&self, r: &StructRef) -> R<&Struct> {
        match r {
            StructRef::Input => Ok(&self.op.input),
            StructRef::Output => Ok(&self.op.output),
            StructRef::Named(n) => match self.svc.ty(n) {
                Some(TypeDef::Struct(s)) => Ok(s),
                _ => Err(format!("structure `{n}` is not in the service")),
            },
        }
    }

    /// The type of a value of model type `t`.
    fn ty_of(&self, t: &RType) -> R<Ty> {
        Ok(match t {
            RType::String | RType::SensitiveString | RType::Enum(_) => Ty::Str,
            RType::Bool => Ty::Bool,
            RType::I8 | RType::I16 | RType::I32 | RType::I64 | RType::IntEnum(_) => Ty::Int,
            RType::F32 | RType::F64 | RType::Timestamp(_) => Ty::Float,
            RType::Struct(n) => Ty::Struct(StructRef::Named(n.clone())),
            RType::Union(n) => Ty::Union(n.clone()),
            RType::List(e, sparse) => Ty::List(Box::new(self.ty_of(e)?), *sparse),
            RType::Map(v, sparse) => Ty::Map(Box::new(self.ty_of(v)?), *sparse),
            RType::Blob | RType::SensitiveBlob => return Err("blobs are not supported".into()),
            RType::Document => return Err("documents are not supported".into()),
            RType::BigInteger | RType::BigDecimal => {
                return Err("big numbers are not supported".into())
            }
            RType::Unit => return Err("a unit member has no value to read".into()),
            RType::Stream | RType::EventInput(_) | RType::EventOutput(_) => {
                return Err("a stream cannot be read by a waiter".into())
            }
        })
    }
}

fn literal(v: &Json) -> R<TExpr> {
    let (ty, lit) = match v {
        Json::Null => (Ty::Null, Literal::Null),
        Json::Bool(b) => (Ty::Bool, Literal::Bool(*b)),
        Json::String(s) => (Ty::Str, Literal::Str(s.clone())),
        Json::Number(n) => match n.as_i64() {
            Some(i) => (Ty::Int, Literal::Int(i)),
            None => (
                Ty::Float,
                Literal::Float(n.as_f64().ok_or("a number out of range")?),
            ),
        },
        Json::Array(_) | Json::Object(_) => {
            return Err("array and object literals are not supported".into())
        }
    };
    Ok(TExpr::new(ty, TKind::Literal(lit)))
}

/// An integer beside a float becomes a float.
fn numeric_pair(l: TExpr, r: TExpr) -> (TExpr, TExpr) {
    match (&l.ty, &r.ty) {
        (Ty::Int, Ty::Float) => (TExpr::new(Ty::Float, TKind::ToFloat(Box::new(l))), r),
        (Ty::Float, Ty::Int) => (l, TExpr::new(Ty::Float, TKind::ToFloat(Box::new(r)))),
        _ => (l, r),
    }
}

/// The common type of the items of a multi-select list (null items allowed, integers beside
/// floats converted).
fn unify(items: Vec<TExpr>) -> R<(Ty, Vec<TExpr>)> {
    let mut ty: Option<Ty> = None;
    for i in &items {
        ty = match (ty, &i.ty) {
            (t, Ty::Null) => t,
            (None, t) => Some(t.clone()),
            (Some(Ty::Int), Ty::Float) | (Some(Ty::Float), Ty::Int) => Some(Ty::Float),
            (Some(t), u) if t == *u => Some(t),
            (Some(t), u) => {
                return Err(format!(
                    "a multi-select list of {t} and {u} is not supported (its items must have one type)"
                ))
            }
        };
    }
    let ty = ty.ok_or("a multi-select list of nulls is not supported")?;
    let items = items
        .into_iter()
        .map(|i| {
            if ty == Ty::Float && i.ty == Ty::Int {
                TExpr::new(Ty::Float, TKind::ToFloat(Box::new(i)))
            } else {
                i
            }
        })
        .collect();
    Ok((ty, items))
}
