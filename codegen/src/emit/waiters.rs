//! Waiters: `src/waiters/<waiter>.rs` for each waiter of the service ([`crate::ir::waiters`]):
//! the client method `wait_until_<waiter>()`, its fluent builder (the operation's input
//! setters, `min_delay`, `max_delay`, `wait`), the acceptors, and each JMESPath path compiled
//! to Rust over the typed output (and input) by [`super::waiter_paths`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use super::operation::op_names;
use super::shapes;
use super::waiter_paths::{path_fn, PathGen};
use crate::ir::paths::Ty;
use crate::ir::waiters::{AcceptorState, Comparator, Matcher, PathMatcher, Waiter};
use crate::ir::{Operation, RType, Service};
use crate::names;

/// Whether the crate has waiters (and so `src/waiters/`).
pub fn has_waiters(svc: &Service) -> bool {
    !svc.waiters.is_empty()
}

/// `src/waiters/mod.rs`.
pub fn waiters_mod(svc: &Service) -> TokenStream {
    let mods = svc.waiters.iter().map(|w| {
        let m = ident(&w.module);
        let d = doc(&format!(
            "The `{}` waiter: [`Client::{}`](crate::Client::{}).",
            w.name, w.fn_name, w.fn_name
        ));
        let gate = super::features::op_cfg(&svc.operations[w.operation]);
        quote!(#d #gate pub mod #m;)
    });
    quote! {
        //! Waiters: `client.wait_until_<waiter>()` polls an operation until the resource is in the
        //! state the waiter's name says, following the acceptors and delays of the service model.
        //!
        //! Each waiter takes the operation's input as its builder does, and `wait(max_wait)`
        //! returns the last output (or [`FinalPoll`] for waiters that can also succeed on an
        //! error), or a [`WaiterError`]: a failure acceptor matched, the maximum wait passed,
        //! or the operation failed with an error no acceptor expects.

        pub use ::awsrt::waiter::{FinalPoll, WaiterError};

        #(#mods)*
    }
}

/// `src/waiters/<waiter>.rs`.
pub fn waiter_file(svc: &Service, w: &Waiter) -> TokenStream {
    let op = &svc.operations[w.operation];
    let n = op_names(op);
    let (module, output, error) = (&n.module, &n.output, &n.error);
    let builder = format_ident!("{}", names::builder_name(&op.types.input));
    let fluent = format_ident!("{}FluentBuilder", w.name);
    let error_alias = format_ident!("WaitUntil{}Error", w.name);
    let poll_alias = format_ident!("WaitUntil{}FinalPoll", w.name);
    let f = ident(&w.fn_name);
    let name = &w.name;
    let op_path = quote!(crate::operation::#module);
    let (ret, finish, ret_doc) = if w.succeeds_with_output() {
        (
            quote!(#op_path::#output),
            quote!(final_poll.output_or_failed(#name)),
            format!("the last [`{output}`](crate::operation::{module}::{output})"),
        )
    } else {
        (
            quote!(#poll_alias),
            quote!(Ok(final_poll)),
            format!(
                "a [`{poll_alias}`]: the last output, or the error a success acceptor expected"
            ),
        )
    };
    let poll_alias_def = if w.succeeds_with_output() {
        TokenStream::new()
    } else {
        let d = doc(&format!(
            "What [`{fluent}::wait`] ends with: the last `{}` output, or the error a success acceptor expected.",
            op.name
        ));
        quote!(#d pub type #poll_alias = ::awsrt::waiter::FinalPoll<#op_path::#output, #op_path::#error>;)
    };
    let method_doc = doc(&method_docs(svc, op, w));
    let dep = if w.deprecated {
        quote!(#[deprecated(note = "this waiter is deprecated in the service model")])
    } else {
        TokenStream::new()
    };
    let setters = op
        .input
        .fields
        .iter()
        .map(|fld| shapes::setters(fld, false));
    let min = w.min_delay;
    let max = w.max_delay;
    let build = if op.input.fallible_build() {
        quote! {
            let input = inner.build().map_err(|e| ::awsrt::waiter::WaiterError::Construction { waiter: #name, error: e })?;
        }
    } else {
        quote!(let input = inner.build();)
    };
    let tokens: Vec<TokenStream> = op
        .input
        .fields
        .iter()
        .filter(|f| f.idempotency_token && !f.optional)
        .filter_map(|f| {
            let fname = ident(&f.name);
            let value = match f.ty {
                RType::String => quote!(::awsrt::types::uuid_v4()),
                RType::SensitiveString => {
                    quote!(::awsrt::types::SensitiveString::new(
                        ::awsrt::types::uuid_v4()
                    ))
                }
                _ => return None,
            };
            Some(quote!(if inner.#fname.is_none() { inner.#fname = Some(#value); }))
        })
        .collect();
    let inner_binding = if tokens.is_empty() {
        quote!(inner)
    } else {
        quote!(mut inner)
    };
    let accept = accept_fn(op, w);
    let paths = w.paths();
    let path_fns = paths
        .iter()
        .enumerate()
        .map(|(i, p)| path_fn(svc, op, i, p));
    let hook = test_hook(svc, op, &paths);
    let builder_doc = doc(&format!(
        "Fluent builder for [`Client::{0}`](crate::Client::{0}): set the members of the `{1}` input, then `wait(max_wait)`.",
        w.fn_name, op.name
    ));
    let error_doc = doc(&format!(
        "Why [`{fluent}::wait`] stopped without the resource reaching the desired state."
    ));
    let wait_doc = doc(&format!(
        "Builds the input and polls `{}` until the waiter succeeds, fails, or `max_wait` has passed \
         (the last call happens at that deadline).\n\nReturns {ret_doc}.\n\n# Errors\n\n\
         [`{error_alias}`]: the input could not be built, a failure acceptor matched, the maximum \
         wait passed, or the operation failed with an error no acceptor expects; each carries \
         what the last call gave.",
        op.name
    ));
    let min_doc = doc(&format!(
        "The minimum delay between calls ({min} s unless set: the waiter's `minDelay` in the model)."
    ));
    let max_doc = doc(&format!(
        "The maximum delay between calls ({max} s unless set: the waiter's `maxDelay` in the model)."
    ));
    let file_doc = format!(
        " The `{}` waiter of `{}`: [`Client::{}`](crate::Client::{}).",
        w.name, op.name, w.fn_name, w.fn_name
    );
    quote! {
        #![doc = #file_doc]
        #![allow(clippy::manual_map, clippy::needless_lifetimes, clippy::unnecessary_lazy_evaluations, clippy::nonminimal_bool)]

        impl crate::Client {
            #method_doc
            #dep
            pub fn #f(&self) -> #fluent {
                #fluent {
                    handle: self.handle().clone(),
                    inner: ::std::default::Default::default(),
                    min_delay: ::std::time::Duration::from_secs(#min),
                    max_delay: ::std::time::Duration::from_secs(#max),
                }
            }
        }

        #error_doc
        pub type #error_alias = ::awsrt::waiter::WaiterError<#op_path::#output, #op_path::#error>;
        #poll_alias_def

        #builder_doc
        #[derive(Clone, ::std::fmt::Debug)]
        pub struct #fluent {
            handle: ::awsrt::client::ClientHandle,
            inner: #op_path::#builder,
            min_delay: ::std::time::Duration,
            max_delay: ::std::time::Duration,
        }

        impl #fluent {
            /// The input built so far.
            pub fn as_input(&self) -> &#op_path::#builder { &self.inner }
            #min_doc
            pub fn min_delay(mut self, delay: ::std::time::Duration) -> Self { self.min_delay = delay; self }
            #max_doc
            pub fn max_delay(mut self, delay: ::std::time::Duration) -> Self { self.max_delay = delay; self }
            #wait_doc
            pub async fn wait(self, max_wait: ::std::time::Duration) -> ::std::result::Result<#ret, #error_alias> {
                let Self { handle, #inner_binding, min_delay, max_delay } = self;
                #(#tokens)*
                #build
                let delays = ::awsrt::waiter::Delays::new(min_delay, max_delay);
                let poll = || {
                    let handle = handle.clone();
                    let input = input.clone();
                    async move { #op_path::send(&handle, input).await }
                };
                let final_poll = ::awsrt::waiter::wait(#name, delays, max_wait, poll, |result| accept(&input, result)).await?;
                #finish
            }
            #(#setters)*
        }

        #accept
        #(#path_fns)*
        #hook
    }
}

/// The acceptors in model order: the state of the first that matches a call's result.
fn accept_fn(op: &Operation, w: &Waiter) -> TokenStream {
    let n = op_names(op);
    let (module, input, output, error) = (&n.module, &n.input, &n.output, &n.error);
    let paths = w.paths();
    let uses_input = paths.iter().any(|p| p.input_output);
    let input_param = if uses_input {
        quote!(input)
    } else {
        quote!(_input)
    };
    let checks = w.acceptors.iter().map(|a| {
        let state = match a.state {
            AcceptorState::Success => quote!(::awsrt::waiter::AcceptorState::Success),
            AcceptorState::Failure => quote!(::awsrt::waiter::AcceptorState::Failure),
            AcceptorState::Retry => quote!(::awsrt::waiter::AcceptorState::Retry),
        };
        let check = match &a.matcher {
            Matcher::Output(p) | Matcher::InputOutput(p) => {
                let i = paths
                    .iter()
                    .position(|q| q.path == p.path && q.input_output == p.input_output)
                    .expect("the waiter's paths include every path matcher");
                let f = format_ident!("path_{}", i);
                let call = if p.input_output {
                    quote!(#f(input, output))
                } else {
                    quote!(#f(output))
                };
                let test = comparator(p, call);
                quote! {
                    if let Ok(output) = result {
                        if #test {
                            return Some(#state);
                        }
                    }
                }
            }
            Matcher::Success(ok) => {
                let test = if *ok {
                    quote!(result.is_ok())
                } else {
                    quote!(result.is_err())
                };
                quote! {
                    if #test {
                        return Some(#state);
                    }
                }
            }
            Matcher::ErrorType { code, variant, .. } => {
                let by_variant = variant.as_ref().map(|v| {
                    let is = format_ident!("{}", names::is_fn(v));
                    quote!(|| err.as_service_error().is_some_and(|e| e.#is()))
                });
                quote! {
                    if let Err(err) = result {
                        if err.code() == Some(#code) #by_variant {
                            return Some(#state);
                        }
                    }
                }
            }
        };
        check
    });
    quote! {
        /// The state of the first acceptor (in model order) that matches the result of a call.
        fn accept(#input_param: &crate::operation::#module::#input, result: &::std::result::Result<crate::operation::#module::#output, ::awsrt::error::SdkError<crate::operation::#module::#error>>) -> Option<::awsrt::waiter::AcceptorState> {
            #(#checks)*
            None
        }
    }
}

/// Whether a path's value (`Result<Option<_>, PathError>`) passes the comparator.
fn comparator(p: &PathMatcher, value: TokenStream) -> TokenStream {
    let expected = &p.expected;
    let elem = if matches!(&p.expr.ty, Ty::List(_, true)) {
        quote!(Some(#expected))
    } else {
        quote!(#expected)
    };
    match p.comparator {
        Comparator::StringEquals => quote!(#value == Ok(Some(#expected))),
        Comparator::BooleanEquals(b) => quote!(#value == Ok(Some(#b))),
        Comparator::AllStringEquals => quote! {
            #value.is_ok_and(|v| v.is_some_and(|v| !v.is_empty() && v.iter().all(|s| *s == #elem)))
        },
        Comparator::AnyStringEquals => {
            quote!(#value.is_ok_and(|v| v.is_some_and(|v| v.contains(&#elem))))
        }
    }
}

/// `evaluate_paths` (feature `test-util`, hidden): each path's value as a
/// [`PathValue`](awsrt::waiter::PathValue), for tests comparing the compiled paths with
/// another JMESPath implementation.
fn test_hook(svc: &Service, op: &Operation, paths: &[&PathMatcher]) -> TokenStream {
    let n = op_names(op);
    let (module, input, output, error) = (&n.module, &n.input, &n.output, &n.error);
    let state = quote! {
        /// The state the waiter's acceptors give `result` of a call with `input`. For tests;
        /// not a stable API.
        #[cfg(feature = "test-util")]
        #[doc(hidden)]
        pub fn acceptor_state(input: &crate::operation::#module::#input, result: &::std::result::Result<crate::operation::#module::#output, ::awsrt::error::SdkError<crate::operation::#module::#error>>) -> Option<::awsrt::waiter::AcceptorState> {
            accept(input, result)
        }
    };
    if paths.is_empty() {
        return state;
    }
    let g = PathGen { svc, op, next: 0 };
    let uses_input = paths.iter().any(|p| p.input_output);
    let input_param = if uses_input {
        quote!(input)
    } else {
        quote!(_input)
    };
    let entries = paths.iter().enumerate().map(|(i, p)| {
        let f = format_ident!("path_{}", i);
        let call = if p.input_output {
            quote!(#f(input, output))
        } else {
            quote!(#f(output))
        };
        let conv = g.to_value(quote!(v), &p.expr.ty);
        let path = &p.path;
        let kind = if p.input_output { "inputOutput" } else { "output" };
        quote!((#kind, #path, #call.map(|v| match v { Some(v) => #conv, None => ::awsrt::waiter::PathValue::Null })))
    });
    quote! {
        #state
        /// Each path of the waiter with its value on `input` and `output`: (matcher kind, path,
        /// value). For tests; not a stable API.
        #[cfg(feature = "test-util")]
        #[doc(hidden)]
        pub fn evaluate_paths(#input_param: &crate::operation::#module::#input, output: &crate::operation::#module::#output) -> ::awsrt::waiter::PathValues {
            Vec::from([#(#entries),*])
        }
    }
}

/// The client method's docs: the model's documentation, the operation, the acceptors in order,
/// the delays, and an example.
fn method_docs(svc: &Service, op: &Operation, w: &Waiter) -> String {
    let mut d = if w.docs.is_empty() {
        format!("Waits until the `{}` waiter of the model succeeds.", w.name)
    } else {
        w.docs.clone()
    };
    if w.deprecated {
        d.push_str("\n\n**Deprecated** in the service model.");
    }
    d.push_str(&format!(
        "\n\nThe `{}` waiter: calls [`{}`](crate::Client::{}) with the input set on the returned \
         builder until one of these acceptors matches (the first that matches decides):\n",
        w.name, op.fn_name, op.fn_name
    ));
    for a in &w.acceptors {
        let state = match a.state {
            AcceptorState::Success => "**success**",
            AcceptorState::Failure => "**failure**",
            AcceptorState::Retry => "**retry**",
        };
        d.push_str(&format!(
            "\n- {state} when {}",
            matcher_text(svc, op, &a.matcher)
        ));
    }
    d.push_str(
        "\n\nA call that fails with an error no acceptor matches stops the waiter with \
         `WaiterError::OperationFailed`; a successful call no acceptor matches is retried.",
    );
    d.push_str(&format!(
        "\n\nBetween calls the waiter sleeps with exponential backoff and jitter, from \
         `min_delay` ({} s) up to `max_delay` ({} s) as the model sets them (both can be \
         changed on the builder), and never past the maximum wait given to `wait`.",
        w.min_delay, w.max_delay
    ));
    let setters: String = op
        .input
        .fields
        .iter()
        .filter(|f| !f.optional && f.default.is_none() && f.ty == RType::String)
        .map(|f| format!(".{}(\"example\")", f.name))
        .collect();
    let c = names::crate_ident(&svc.crate_name);
    let (var, what) = if w.succeeds_with_output() {
        ("output", "the last output")
    } else {
        (
            "final_poll",
            "`final_poll.output()` or `.error()`: what the last call gave",
        )
    };
    d.push_str(&format!(
        "\n\n# Example\n\n```no_run\n# async fn example(client: &{c}::Client) -> Result<(), Box<dyn std::error::Error>> {{\n\
         // {what}\n\
         let {var} = client\n\
         \x20   .{}(){setters}\n\
         \x20   .wait(std::time::Duration::from_secs(300))\n\
         \x20   .await?;\n\
         # let _ = {var};\n\
         # Ok(())\n# }}\n```",
        w.fn_name,
    ));
    d
}

fn matcher_text(svc: &Service, op: &Operation, m: &Matcher) -> String {
    match m {
        Matcher::Output(p) | Matcher::InputOutput(p) => {
            let path = code_span(&p.path);
            let over = if p.input_output {
                " (over `{input, output}`)"
            } else {
                ""
            };
            let e = &p.expected;
            match p.comparator {
                Comparator::StringEquals => format!("{path}{over} is `\"{e}\"`"),
                Comparator::BooleanEquals(b) => format!("{path}{over} is `{b}`"),
                Comparator::AllStringEquals => {
                    format!("{path}{over} is a non-empty list whose every element is `\"{e}\"`")
                }
                Comparator::AnyStringEquals => {
                    format!("{path}{over} is a list with an element `\"{e}\"`")
                }
            }
        }
        Matcher::Success(true) => "the call succeeds".into(),
        Matcher::Success(false) => "the call fails with any error".into(),
        Matcher::ErrorType {
            expected,
            variant,
            code,
        } => match variant {
            Some(v) if svc.error_struct(v).is_some() && op.errors.contains(v) => {
                format!("the call fails with [`{code}`](crate::types::error::{v})")
            }
            _ => format!("the call fails with the error code `{expected}`"),
        },
    }
}

/// `text` as a Markdown code span, whatever backticks it holds.
pub(super) fn code_span(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}
