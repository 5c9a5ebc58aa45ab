//! The blocking facade (feature `blocking`): the same operations, synchronous, each `send()` running
//! the async client's code on the runtime's shared executor (`awsrt::blocking`).

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use super::operation::op_names;
use super::shapes;
use crate::ir::Service;

/// `src/blocking/mod.rs` and one `src/blocking/<op>.rs` per operation: `(module, file)` pairs,
/// the `mod.rs` first (module name empty).
pub fn blocking_files(svc: &Service) -> Vec<(String, TokenStream)> {
    let mut files = Vec::new();
    let mut methods = Vec::new();
    let mut mods = Vec::new();
    for op in &svc.operations {
        let n = op_names(op);
        let (module, output, error, fluent) = (&n.module, &n.output, &n.error, &n.fluent);
        let f = ident(&op.fn_name);
        let d = doc(&format!(
            "Calls `{}` and waits for the answer. See [`crate::Client::{}`].",
            op.name, op.fn_name
        ));
        let dep = deprecated(&op.deprecated);
        methods.push(quote! {
            #d
            #dep
            pub fn #f(&self) -> #module::#fluent {
                #module::#fluent { inner: self.inner.#f() }
            }
        });
        let mdoc = format!("Blocking fluent builder for `{}`.", op.name);
        mods.push(quote!(#[doc = #mdoc] pub mod #module;));
        let setters = op.input.fields.iter().map(|f| shapes::setters(f, false));
        let fdoc = doc(&format!(
            "Blocking fluent builder for `{}`: set members, then call `send()`.",
            op.name
        ));
        let paginated = !super::paginator::paginator(svc, op).is_empty();
        let pages = if paginated {
            let name = crate::names::type_name(&op.name);
            let pages_t = format_ident!("{}Pages", name);
            let pdoc = doc(&format!(
                "Pages of `{}`, fetched as the iterator advances.",
                op.name
            ));
            quote! {
                impl #fluent {
                    /// Pages through the results: an iterator over whole pages.
                    pub fn into_pages(self) -> #pages_t {
                        #pages_t { inner: self.inner.into_paginator().send() }
                    }
                }
                #pdoc
                #[derive(Debug)]
                pub struct #pages_t {
                    inner: ::awsrt::paginator::PageStream<crate::operation::#module::#output, crate::operation::#module::#error>,
                }
                impl Iterator for #pages_t {
                    type Item = Result<crate::operation::#module::#output, ::awsrt::error::SdkError<crate::operation::#module::#error>>;
                    fn next(&mut self) -> Option<Self::Item> {
                        match ::awsrt::blocking::try_block_on(self.inner.next()) {
                            Ok(item) => item,
                            Err(e) => Some(Err(super::blocking_error(e))),
                        }
                    }
                }
            }
        } else {
            TokenStream::new()
        };
        files.push((op.module.clone(), quote! {
            #fdoc
            #[derive(Clone, Debug)]
            pub struct #fluent {
                pub(super) inner: crate::operation::#module::#fluent,
            }
            impl #fluent {
                /// Builds the input, sends the request and waits for the answer.
                ///
                /// # Errors
                ///
                /// The same [`SdkError`](::awsrt::error::SdkError) as the async `send()`.
                pub fn send(self) -> Result<crate::operation::#module::#output, ::awsrt::error::SdkError<crate::operation::#module::#error>> {
                    ::awsrt::blocking::try_block_on(self.inner.send()).unwrap_or_else(|e| Err(super::blocking_error(e)))
                }
                #(#setters)*
            }
            #pages
        }));
    }
    let doc_client = format!(
        "Synchronous client for {}: the async [`Client`](crate::Client)'s operations, each waiting for its answer. Cheap to clone.",
        svc.title
    );
    let root = quote! {
        //! A synchronous facade over the async client, for command-line tools and scripts that do
        //! not run tokio (feature `blocking`). Every call runs the async client's code on one shared
        //! background executor, so connection pooling, retries and timeouts behave the same.

        #[doc = #doc_client]
        #[derive(Clone, Debug)]
        pub struct Client {
            inner: crate::Client,
        }

        impl Client {
            /// A client from a loaded configuration.
            pub fn new(config: &crate::Config) -> Self {
                Self { inner: crate::Client::new(config) }
            }
            /// A client configured from the environment and `~/.aws` files, like
            /// [`Config::from_env`](crate::Config::from_env).
            ///
            /// # Errors
            ///
            /// When the configuration cannot be loaded.
            pub fn from_env() -> Result<Self, crate::config::ConfigError> {
                ::awsrt::blocking::config_from_env().map(|c| Self::new(&c))
            }
            /// Wraps an async client (sharing its connections and credentials cache).
            pub fn from_async(client: crate::Client) -> Self {
                Self { inner: client }
            }
            /// The async client underneath.
            pub fn as_async(&self) -> &crate::Client {
                &self.inner
            }
            #(#methods)*
        }

        fn blocking_error<E>(e: ::awsrt::blocking::BlockingError) -> ::awsrt::error::SdkError<E> {
            ::awsrt::error::SdkError::Construction(::awsrt::error::BuildError::new(::awsrt::error::BuildErrorKind::Other, e.to_string()))
        }

        #(#mods)*
    };
    files.insert(0, (String::new(), root));
    files
}
