//! Compile only what you call: one cargo feature per operation, named like the operation's
//! module and client method (`get_object`), and `full` for all of them (the default).
//!
//! An operation's feature turns on its module (input, output, error enum, fluent builder,
//! paginator), its client and blocking methods and its waiters. A data type exists when any
//! operation that reaches it (through its input, output, errors or event streams) is on; the
//! items of `types/` carry that condition as a `#[cfg(any(feature = ...))]`. A type every
//! operation reaches carries none, and a type no operation reaches exists with `full` only.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::quote;

use crate::ir::{Field, Operation, RType, Service, TypeDef};

/// The crate's own features: an operation's feature may not take one of these names.
const RESERVED: &[&str] = &[
    "default",
    "full",
    "test-util",
    "blocking",
    "fuzzing",
    "serde",
    "opentelemetry",
];

/// The feature that turns `op` on.
pub fn op_feature(op: &Operation) -> &str {
    &op.module
}

/// An operation whose feature would take the name of one of the crate's own features, as
/// `(shape id, reason)`.
pub fn name_clash(svc: &Service) -> Option<(String, String)> {
    svc.operations
        .iter()
        .find(|op| RESERVED.contains(&op_feature(op)))
        .map(|op| {
            (
                op.shape.to_string(),
                format!(
                    "the operation's cargo feature `{}` would take the name of one of the crate's own features ({})",
                    op_feature(op),
                    RESERVED.join(", ")
                ),
            )
        })
}

/// For each data type, the indices (in `svc.operations`) of the operations that reach it.
/// Types no operation reaches are absent.
pub fn type_users(svc: &Service) -> BTreeMap<String, BTreeSet<usize>> {
    let mut users: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for (i, op) in svc.operations.iter().enumerate() {
        let mut stack: Vec<&str> = Vec::new();
        push_fields(&op.input.fields, &mut stack);
        push_fields(&op.output.fields, &mut stack);
        stack.extend(op.errors.iter().map(String::as_str));
        stack.extend(op.status_errors.iter().map(|(_, e)| e.as_str()));
        while let Some(name) = stack.pop() {
            let seen = users.entry(name.to_owned()).or_default();
            if !seen.insert(i) {
                continue;
            }
            match svc.types.get(name) {
                Some(TypeDef::Struct(s) | TypeDef::Union(s)) => push_fields(&s.fields, &mut stack),
                Some(TypeDef::Enum(_)) | None => {}
            }
            if let Some(es) = svc.event_streams.get(name) {
                stack.extend(es.errors.iter().map(|(_, ty, _)| ty.as_str()));
            }
        }
    }
    users
}

/// Pushes the generated types the fields' types name.
fn push_fields<'a>(fields: &'a [Field], stack: &mut Vec<&'a str>) {
    for f in fields {
        named(&f.ty, stack);
    }
}

/// Pushes the generated types `ty` names.
fn named<'a>(ty: &'a RType, out: &mut Vec<&'a str>) {
    match ty {
        RType::Enum(n)
        | RType::IntEnum(n)
        | RType::Struct(n)
        | RType::Union(n)
        | RType::EventInput(n)
        | RType::EventOutput(n) => out.push(n),
        RType::List(inner, _) | RType::Map(inner, _) => named(inner, out),
        _ => {}
    }
}

/// The features under which an item used by `users` exists: `None` when it always exists.
pub fn gate_features(svc: &Service, users: Option<&BTreeSet<usize>>) -> Option<Vec<String>> {
    match users {
        None => Some(vec!["full".to_owned()]),
        Some(u) if u.len() == svc.operations.len() => None,
        Some(u) => Some(
            u.iter()
                .map(|&i| op_feature(&svc.operations[i]).to_owned())
                .collect(),
        ),
    }
}

/// `#[cfg(...)]` for an item that exists when any of `features` is on (nothing for `None`).
pub fn cfg_any(features: Option<&[String]>) -> TokenStream {
    match features {
        None => TokenStream::new(),
        Some([one]) => quote!(#[cfg(feature = #one)]),
        Some(many) => quote!(#[cfg(any(#(feature = #many),*))]),
    }
}

/// `#[cfg(feature = "<op>")]`.
pub fn op_cfg(op: &Operation) -> TokenStream {
    let f = op_feature(op);
    quote!(#[cfg(feature = #f)])
}

/// The `[features]` entries of the operations: `full`, then one per operation (with the
/// operations it calls itself: the endpoint-discovery operation).
pub fn cargo_features(svc: &Service) -> String {
    let discovery = svc
        .endpoint_discovery
        .as_ref()
        .map(|d| d.module.as_str())
        .filter(|m| svc.operations.iter().any(|o| o.module == *m));
    let mut s = String::from(
        "# Every operation (see \"Compile only what you call\" in the crate docs). Turn the\n\
         # default features off and list the operations you call to build only those, and the\n\
         # types they use.\n\
         full = [\n",
    );
    for op in &svc.operations {
        s.push_str(&format!("    \"{}\",\n", op_feature(op)));
    }
    s.push_str("]\n");
    for op in &svc.operations {
        let deps = match discovery {
            Some(d) if op.endpoint_discovery.is_some() && d != op.module => format!("\"{d}\""),
            _ => String::new(),
        };
        s.push_str(&format!("{} = [{deps}]\n", op_feature(op)));
    }
    s
}

/// `items` with `#[cfg(...)]` on each (unchanged for `None`). Items are told apart by their
/// tokens: one ends at a top-level `;`, or at a `{ ... }` not followed by `;` (which a
/// `static X: T = T { .. };` or `use a::{b};` still needs).
pub fn gate_items(items: TokenStream, features: Option<&[String]>) -> TokenStream {
    if features.is_none() {
        return items;
    }
    let gate = cfg_any(features);
    let mut out = TokenStream::new();
    let mut item = TokenStream::new();
    let mut tokens = items.into_iter().peekable();
    while let Some(tt) = tokens.next() {
        let ends = match &tt {
            TokenTree::Punct(p) => p.as_char() == ';',
            TokenTree::Group(g) => {
                g.delimiter() == Delimiter::Brace
                    && !matches!(tokens.peek(), Some(TokenTree::Punct(p)) if p.as_char() == ';')
            }
            _ => false,
        };
        item.extend([tt]);
        if ends {
            out.extend(gate.clone());
            out.extend(std::mem::take(&mut item));
        }
    }
    if !item.is_empty() {
        out.extend(gate);
        out.extend(item);
    }
    out
}
