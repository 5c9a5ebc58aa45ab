//! The JMESPath paths of waiters compiled to Rust (`PathGen`): each typed expression
//! ([`crate::ir::paths`]) becomes a `path_<i>` function over the typed output (and input) that
//! returns the path's value, `None` for null, or the `invalid-type` error of a function given
//! null.

use proc_macro2::{Literal as Lit, TokenStream};
use quote::{format_ident, quote};

use super::common::*;
use super::operation::op_names;
use super::waiters::code_span;
use crate::ir::paths::{Access, EqMode, Literal, StructRef, TExpr, TKind, Ty};
use crate::ir::waiters::PathMatcher;
use crate::ir::{Operation, RType, Service, TypeDef};
use crate::jmespath::Cmp;

/// `path_<i>`: the compiled expression, returning its value (`None` for null) or the
/// `invalid-type` error of a function given null.
pub(super) fn path_fn(svc: &Service, op: &Operation, i: usize, p: &PathMatcher) -> TokenStream {
    let mut g = PathGen { svc, op, next: 0 };
    let f = format_ident!("path_{}", i);
    let n = op_names(op);
    let (module, input, output) = (&n.module, &n.input, &n.output);
    let ret = g.rep(&p.expr.ty);
    let (params, root) = if p.input_output {
        (
            quote!(input: &'a crate::operation::#module::#input, output: &'a crate::operation::#module::#output),
            quote!(let root = Some(());),
        )
    } else {
        (
            quote!(output: &'a crate::operation::#module::#output),
            quote!(let root = Some(output);),
        )
    };
    let root_ident = format_ident!("root");
    let body = g.expr(&p.expr, &root_ident, &root_ty(p));
    let d = doc(&format!("The path {}.", code_span(&p.path)));
    quote! {
        #d
        fn #f<'a>(#params) -> ::std::result::Result<Option<#ret>, ::awsrt::waiter::PathError> {
            #root
            Ok(#body)
        }
    }
}

fn root_ty(p: &PathMatcher) -> Ty {
    if p.input_output {
        Ty::IoRoot
    } else {
        Ty::Struct(StructRef::Output)
    }
}

/// Compiles typed expressions to Rust. Every expression becomes a Rust expression of type
/// `Option<R>` (`None` standing for null), `R` the representation of its type ([`PathGen::rep`]):
/// `&str` for strings and enums, `bool`, `i64`, `f64`, references to structures and unions,
/// `Vec` for lists, `Vec<(&str, _)>` for maps. Nothing is compiled into a closure that could
/// need to return an error: projections are loops.
pub(super) struct PathGen<'a> {
    pub(super) svc: &'a Service,
    pub(super) op: &'a Operation,
    pub(super) next: usize,
}

impl PathGen<'_> {
    fn var(&mut self) -> proc_macro2::Ident {
        self.next += 1;
        format_ident!("v{}", self.next)
    }

    /// The Rust type standing for a non-null value of `ty`.
    fn rep(&self, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Null | Ty::IoRoot => quote!(()),
            Ty::Str => quote!(&'a str),
            Ty::Bool => quote!(bool),
            Ty::Int => quote!(i64),
            Ty::Float => quote!(f64),
            Ty::Struct(r) => {
                let p = self.struct_path(r);
                quote!(&'a #p)
            }
            Ty::Union(n) => {
                let p = type_path(n);
                quote!(&'a #p)
            }
            Ty::List(t, nullable) => {
                let t = self.rep(t);
                if *nullable {
                    quote!(Vec<Option<#t>>)
                } else {
                    quote!(Vec<#t>)
                }
            }
            Ty::Map(t, nullable) => {
                let t = self.rep(t);
                if *nullable {
                    quote!(Vec<(&'a str, Option<#t>)>)
                } else {
                    quote!(Vec<(&'a str, #t)>)
                }
            }
        }
    }

    fn struct_path(&self, r: &StructRef) -> TokenStream {
        let n = op_names(self.op);
        let module = &n.module;
        match r {
            StructRef::Input => {
                let t = &n.input;
                quote!(crate::operation::#module::#t)
            }
            StructRef::Output => {
                let t = &n.output;
                quote!(crate::operation::#module::#t)
            }
            StructRef::Named(name) => type_path(name),
        }
    }

    /// The current value `cur` (an `Option<R>` variable) for one use.
    fn take(cur: &proc_macro2::Ident, ty: &Ty) -> TokenStream {
        if ty.is_copy() {
            quote!(#cur)
        } else {
            quote!(#cur.clone())
        }
    }

    /// The expression `e` evaluated on `cur`, a variable of type `Option<rep(cur_ty)>`.
    fn expr(&mut self, e: &TExpr, cur: &proc_macro2::Ident, cur_ty: &Ty) -> TokenStream {
        match &e.kind {
            TKind::Current => Self::take(cur, cur_ty),
            TKind::Member(access) => self.member(access, cur, cur_ty),
            TKind::Subexpr(l, r) => {
                let v = self.var();
                let left = self.expr(l, cur, cur_ty);
                let right = self.expr(r, &v, &l.ty);
                quote!({ let #v = #left; #right })
            }
            TKind::Index(i) => {
                let Ty::List(_, nullable) = cur_ty else {
                    unreachable!("typed: an index applies to a list")
                };
                let flatten = if *nullable {
                    quote!(.flatten())
                } else {
                    quote!()
                };
                let list = Self::take(cur, cur_ty);
                if *i == 0 {
                    quote!(#list.and_then(|l| l.into_iter().next() #flatten))
                } else if *i > 0 {
                    let i = Lit::usize_unsuffixed(*i as usize);
                    quote!(#list.and_then(|l| l.into_iter().nth(#i) #flatten))
                } else {
                    let back = Lit::usize_unsuffixed(i.unsigned_abs() as usize);
                    quote!(#list.and_then(|l| l.len().checked_sub(#back).and_then(|j| l.into_iter().nth(j)) #flatten))
                }
            }
            TKind::Literal(l) => match l {
                Literal::Null => quote!(None::<()>),
                Literal::Str(s) => quote!(Some(#s)),
                Literal::Bool(b) => quote!(Some(#b)),
                Literal::Int(i) => {
                    let i = Lit::i64_suffixed(*i);
                    quote!(Some(#i))
                }
                Literal::Float(f) => {
                    let f = Lit::f64_suffixed(*f);
                    quote!(Some(#f))
                }
            },
            TKind::Flatten(inner) => {
                let list = self.expr(inner, cur, cur_ty);
                match &inner.ty {
                    Ty::List(t, outer_nullable) if matches!(**t, Ty::List(..)) => {
                        let Ty::List(_, inner_nullable) = &**t else {
                            unreachable!()
                        };
                        let v = self.var();
                        if !outer_nullable {
                            quote!({ let #v = #list; #v.map(|l| l.into_iter().flatten().collect::<Vec<_>>()) })
                        } else {
                            let push = if *inner_nullable {
                                quote!(out.extend(x))
                            } else {
                                quote!(out.extend(x.into_iter().map(Some)))
                            };
                            quote!({
                                let #v = #list;
                                #v.map(|l| {
                                    let mut out = Vec::new();
                                    for x in l {
                                        match x {
                                            Some(x) => #push,
                                            None => out.push(None),
                                        }
                                    }
                                    out
                                })
                            })
                        }
                    }
                    _ => list,
                }
            }
            TKind::Projection { list, rhs } => {
                let Ty::List(elem, nullable) = &list.ty else {
                    unreachable!("typed")
                };
                let base = self.expr(list, cur, cur_ty);
                self.project(base, quote!(item), elem, *nullable, rhs, None)
            }
            TKind::ValueProjection { map, rhs } => {
                let Ty::Map(elem, nullable) = &map.ty else {
                    unreachable!("typed")
                };
                let base = self.expr(map, cur, cur_ty);
                self.project(base, quote!((_, item)), elem, *nullable, rhs, None)
            }
            TKind::Filter {
                list,
                rhs,
                condition,
            } => {
                let Ty::List(elem, nullable) = &list.ty else {
                    unreachable!("typed")
                };
                let base = self.expr(list, cur, cur_ty);
                self.project(base, quote!(item), elem, *nullable, rhs, Some(condition))
            }
            TKind::MultiList(items) => {
                let items: Vec<TokenStream> = items
                    .iter()
                    .map(|i| {
                        if i.ty == Ty::Null {
                            quote!(None)
                        } else {
                            self.expr(i, cur, cur_ty)
                        }
                    })
                    .collect();
                quote!(if #cur.is_none() { None } else { Some(Vec::from([#(#items),*])) })
            }
            TKind::Equality(eq, mode, l, r) => {
                let (a, b) = (self.var(), self.var());
                let left = self.expr(l, cur, cur_ty);
                let right = self.expr(r, cur, cur_ty);
                let test = match (mode, eq) {
                    (EqMode::Same, true) => quote!(#a == #b),
                    (EqMode::Same, false) => quote!(#a != #b),
                    (EqMode::BothNull, true) => quote!(#a.is_none() && #b.is_none()),
                    (EqMode::BothNull, false) => quote!(!(#a.is_none() && #b.is_none())),
                };
                quote!({ let #a = #left; let #b = #right; Some(#test) })
            }
            TKind::Ordering(op, l, r) => {
                let (a, b) = (self.var(), self.var());
                let left = self.expr(l, cur, cur_ty);
                let right = self.expr(r, cur, cur_ty);
                let test = match op {
                    Cmp::Lt => quote!(x < y),
                    Cmp::Le => quote!(x <= y),
                    Cmp::Gt => quote!(x > y),
                    _ => quote!(x >= y),
                };
                quote!({
                    let #a = #left;
                    let #b = #right;
                    match (#a, #b) {
                        (Some(x), Some(y)) => Some(#test),
                        _ => None,
                    }
                })
            }
            TKind::And(l, r) | TKind::Or(l, r) => {
                let a = self.var();
                let left = self.expr(l, cur, cur_ty);
                let right = self.expr(r, cur, cur_ty);
                let truthy = self.truthy(&a, &l.ty);
                if matches!(e.kind, TKind::And(..)) {
                    quote!({ let #a = #left; if #truthy { #right } else { #a } })
                } else {
                    quote!({ let #a = #left; if #truthy { #a } else { #right } })
                }
            }
            TKind::Not(inner) => {
                let a = self.var();
                let value = self.expr(inner, cur, cur_ty);
                let truthy = self.truthy(&a, &inner.ty);
                quote!({ let #a = #value; Some(!#truthy) })
            }
            TKind::ToFloat(inner) => {
                let value = self.expr(inner, cur, cur_ty);
                quote!(#value.map(|x| x as f64))
            }
            TKind::Length(inner) => {
                let a = self.var();
                let value = self.expr(inner, cur, cur_ty);
                let len = match inner.ty {
                    Ty::Str => quote!(x.chars().count() as i64),
                    _ => quote!(x.len() as i64),
                };
                quote!({
                    let #a = #value;
                    match #a {
                        Some(x) => Some(#len),
                        None => return Err(::awsrt::waiter::PathError::null_argument("length")),
                    }
                })
            }
            TKind::ContainsElement(list, search) => {
                let (a, b) = (self.var(), self.var());
                let left = self.expr(list, cur, cur_ty);
                let right = self.expr(search, cur, cur_ty);
                let any = match &list.ty {
                    Ty::List(_, true) => quote!(x.iter().any(|e| e.as_ref() == #b.as_ref())),
                    _ => quote!(x.iter().any(|e| Some(e) == #b.as_ref())),
                };
                quote!({
                    let #a = #left;
                    let #b = #right;
                    match #a {
                        Some(x) => Some(#any),
                        None => return Err(::awsrt::waiter::PathError::null_argument("contains")),
                    }
                })
            }
            TKind::ContainsStr(s, sub) => {
                let (a, b) = (self.var(), self.var());
                let left = self.expr(s, cur, cur_ty);
                let right = self.expr(sub, cur, cur_ty);
                quote!({
                    let #a = #left;
                    let #b = #right;
                    match (#a, #b) {
                        (Some(x), Some(y)) => Some(x.contains(y)),
                        _ => return Err(::awsrt::waiter::PathError::null_argument("contains")),
                    }
                })
            }
        }
    }

    /// A projection (or filter) of `rhs` over the elements of `base` (a list or map value),
    /// bound by `pattern`; nulls are dropped.
    fn project(
        &mut self,
        base: TokenStream,
        pattern: TokenStream,
        elem: &Ty,
        nullable: bool,
        rhs: &TExpr,
        condition: Option<&TExpr>,
    ) -> TokenStream {
        let (b, v) = (self.var(), self.var());
        let bind = if nullable {
            quote!(let #v = item;)
        } else {
            quote!(let #v = Some(item);)
        };
        let value = self.expr(rhs, &v, elem);
        let push = quote!(if let Some(x) = #value { out.push(x); });
        let body = match condition {
            None => push,
            Some(c) => {
                let k = self.var();
                let test = self.expr(c, &v, elem);
                let truthy = self.truthy(&k, &c.ty);
                quote!(let #k = #test; if #truthy { #push })
            }
        };
        quote!({
            let #b = #base;
            match #b {
                Some(items) => {
                    let mut out = Vec::new();
                    for #pattern in items {
                        #bind
                        #body
                    }
                    Some(out)
                }
                None => None,
            }
        })
    }

    /// A member of the current value.
    fn member(&self, access: &Access, cur: &proc_macro2::Ident, cur_ty: &Ty) -> TokenStream {
        match access {
            Access::Field {
                name,
                optional,
                boxed,
                ty: rt,
            } => {
                let f = ident(name);
                if *optional && !*boxed {
                    // Copies and strings read without a closure.
                    match rt {
                        RType::String => return quote!(#cur.and_then(|s| s.#f.as_deref())),
                        RType::Bool | RType::I64 | RType::F64 => {
                            return quote!(#cur.and_then(|s| s.#f))
                        }
                        RType::I8 | RType::I16 | RType::I32 => {
                            return quote!(#cur.and_then(|s| s.#f.map(i64::from)))
                        }
                        RType::F32 => return quote!(#cur.and_then(|s| s.#f.map(f64::from))),
                        _ => {}
                    }
                }
                if *optional {
                    let get = if *boxed {
                        quote!(s.#f.as_deref())
                    } else {
                        quote!(s.#f.as_ref())
                    };
                    match conv(quote!(x), rt, true) {
                        None => quote!(#cur.and_then(|s| #get)),
                        Some(c) => quote!(#cur.and_then(|s| #get.map(|x| #c))),
                    }
                } else {
                    let place = if *boxed {
                        quote!((*s.#f))
                    } else {
                        quote!(s.#f)
                    };
                    match conv(place.clone(), rt, false) {
                        None => quote!(#cur.map(|s| &#place)),
                        Some(c) => quote!(#cur.map(|s| #c)),
                    }
                }
            }
            Access::Variant {
                union,
                variant,
                ty: rt,
            } => {
                let u = type_path(union);
                let v = ident(variant);
                let boxed = self.variant_boxed(union, variant);
                let value = if boxed {
                    conv(quote!((**x)), rt, false).unwrap_or(quote!(&**x))
                } else {
                    conv(quote!(x), rt, true).unwrap_or(quote!(x))
                };
                quote!(#cur.and_then(|u| match u { #u::#v(x) => Some(#value), _ => None }))
            }
            Access::Key(key) => {
                let Ty::Map(_, nullable) = cur_ty else {
                    unreachable!("typed: a key of a map")
                };
                let map = Self::take(cur, cur_ty);
                if *nullable {
                    quote!(#map.and_then(|m| m.into_iter().find(|(k, _)| *k == #key).and_then(|(_, v)| v)))
                } else {
                    quote!(#map.and_then(|m| m.into_iter().find(|(k, _)| *k == #key).map(|(_, v)| v)))
                }
            }
            Access::Io(StructRef::Input) => quote!(#cur.map(|_| input)),
            Access::Io(_) => quote!(#cur.map(|_| output)),
        }
    }

    fn variant_boxed(&self, union: &str, variant: &str) -> bool {
        match self.svc.ty(union) {
            Some(TypeDef::Union(s)) => s.fields.iter().any(|f| f.variant == variant && f.boxed),
            _ => false,
        }
    }

    /// JMESPath truthiness of the variable `v` (an `Option<rep(ty)>`).
    fn truthy(&self, v: &proc_macro2::Ident, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Str => quote!(#v.is_some_and(|s| !s.is_empty())),
            Ty::Bool => quote!(#v.unwrap_or(false)),
            Ty::List(..) | Ty::Map(..) => quote!(#v.as_ref().is_some_and(|l| !l.is_empty())),
            Ty::Struct(r) => {
                // An object is truthy when it has a member: an `Option` set, or any other field.
                let s = match r {
                    StructRef::Input => Some(&self.op.input),
                    StructRef::Output => Some(&self.op.output),
                    StructRef::Named(n) => match self.svc.ty(n) {
                        Some(TypeDef::Struct(s)) => Some(s),
                        _ => None,
                    },
                };
                match s {
                    Some(s) if s.fields.iter().any(|f| !f.optional) => quote!(#v.is_some()),
                    Some(s) if !s.fields.is_empty() => {
                        let set = s.fields.iter().map(|f| {
                            let f = ident(&f.name);
                            quote!(s.#f.is_some())
                        });
                        quote!(#v.is_some_and(|s| #(#set)||*))
                    }
                    _ => quote!(#v.is_some_and(|_| false)),
                }
            }
            Ty::Null | Ty::Int | Ty::Float | Ty::Union(_) | Ty::IoRoot => quote!(#v.is_some()),
        }
    }

    /// A non-null value `v` of type `ty` as a `PathValue`.
    pub(super) fn to_value(&self, v: TokenStream, ty: &Ty) -> TokenStream {
        match ty {
            Ty::Null => quote!({ let _ = #v; ::awsrt::waiter::PathValue::Null }),
            Ty::Str => quote!(::awsrt::waiter::PathValue::String(#v.to_string())),
            Ty::Bool => quote!(::awsrt::waiter::PathValue::Bool(#v)),
            Ty::Int => quote!(::awsrt::waiter::PathValue::Number(#v as f64)),
            Ty::Float => quote!(::awsrt::waiter::PathValue::Number(#v)),
            Ty::Struct(r) => {
                let name = match r {
                    StructRef::Input => self.op.types.input.clone(),
                    StructRef::Output => self.op.types.output.clone(),
                    StructRef::Named(n) => n.clone(),
                };
                quote!({ let _ = #v; ::awsrt::waiter::PathValue::Structure(#name) })
            }
            Ty::Union(n) => quote!({ let _ = #v; ::awsrt::waiter::PathValue::Structure(#n) }),
            Ty::IoRoot => {
                quote!({ let _ = #v; ::awsrt::waiter::PathValue::Structure("{input, output}") })
            }
            Ty::List(t, nullable) => {
                let e = self.nullable_value(quote!(x), t, *nullable);
                quote!(::awsrt::waiter::PathValue::List(#v.into_iter().map(|x| #e).collect()))
            }
            Ty::Map(t, nullable) => {
                let e = self.nullable_value(quote!(x), t, *nullable);
                quote!(::awsrt::waiter::PathValue::Object(#v.into_iter().map(|(k, x)| (k.to_string(), #e)).collect()))
            }
        }
    }

    fn nullable_value(&self, v: TokenStream, ty: &Ty, nullable: bool) -> TokenStream {
        if nullable {
            let inner = self.to_value(quote!(x), ty);
            quote!(match #v { Some(x) => #inner, None => ::awsrt::waiter::PathValue::Null })
        } else {
            self.to_value(v, ty)
        }
    }
}

/// The representation of a model value: `v` is a reference to it (`is_ref`) or a place of it
/// (a field). `None` when the reference itself is the representation (structures, unions).
fn conv(v: TokenStream, rt: &RType, is_ref: bool) -> Option<TokenStream> {
    let copy = if is_ref { quote!(*#v) } else { v.clone() };
    Some(match rt {
        RType::String | RType::Enum(_) => quote!(#v.as_str()),
        RType::SensitiveString => quote!(#v.expose_secret()),
        RType::Bool | RType::I64 | RType::F64 => copy,
        RType::I8 | RType::I16 | RType::I32 => quote!(i64::from(#copy)),
        RType::F32 => quote!(f64::from(#copy)),
        RType::IntEnum(_) => quote!(i64::from(#v.value())),
        RType::Timestamp(_) => quote!(#v.as_secs_f64()),
        RType::Struct(_) | RType::Union(_) => {
            if is_ref {
                return None;
            }
            quote!(&#v)
        }
        RType::List(e, _) if matches!(**e, RType::Bool | RType::I64 | RType::F64) => {
            quote!(#v.iter().copied().collect::<Vec<_>>())
        }
        RType::List(e, sparse) => {
            let item = conv(quote!(x), e, true);
            match (item, sparse) {
                (None, false) => quote!(#v.iter().collect::<Vec<_>>()),
                (None, true) => quote!(#v.iter().map(|x| x.as_ref()).collect::<Vec<_>>()),
                (Some(c), false) => quote!(#v.iter().map(|x| #c).collect::<Vec<_>>()),
                (Some(c), true) => {
                    quote!(#v.iter().map(|x| x.as_ref().map(|x| #c)).collect::<Vec<_>>())
                }
            }
        }
        RType::Map(e, sparse) => {
            let item = conv(quote!(x), e, true).unwrap_or(quote!(x));
            if *sparse {
                quote!(#v.iter().map(|(k, x)| (k.as_str(), x.as_ref().map(|x| #item))).collect::<Vec<_>>())
            } else {
                quote!(#v.iter().map(|(k, x)| (k.as_str(), #item)).collect::<Vec<_>>())
            }
        }
        // The typing pass refuses the others.
        _ => quote!(#v),
    })
}
