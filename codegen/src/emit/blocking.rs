//! The blocking facade (feature `blocking`): the same operations, synchronous, each `send()` running
//! the async client's code on the runtime's shared executor (`awsrt::blocking`).

use proc_macro2::TokenStream;
use quote::quote;

use super::common::*;
use super::operation::op_names;
use crate::ir::Service;

/// `src/blocking.rs`: the blocking client, one method per operation.
pub fn blocking_root(svc: &Service) -> TokenStream {
    let mut methods = Vec::new();
    for op in &svc.operations {
        let n = op_names(op);
        let (module, fluent) = (&n.module, &n.fluent);
        let blocking_fluent =
            quote!(crate::operation::#module::#fluent<::awsrt::blocking::Blocking>);
        let f = ident(&op.fn_name);
        let d = doc(&format!(
            "Calls `{}` and waits for the answer. See [`crate::Client::{}`].",
            op.name, op.fn_name
        ));
        let dep = deprecated(&op.deprecated);
        let gate = super::features::op_cfg(op);
        methods.push(quote! {
            #d
            #dep
            #gate
            pub fn #f(&self) -> #blocking_fluent {
                <#blocking_fluent>::from_async(self.inner.#f())
            }
        });
    }
    let doc_client = format!(
        "Synchronous client for {}: the async [`Client`](crate::Client)'s operations, each waiting for its answer. Cheap to clone.",
        svc.title
    );
    quote! {
        //! A synchronous facade over the async client, for command-line tools and scripts that do
        //! not run tokio (feature `blocking`). Every call runs the async client's code on one shared
        //! background executor, so connection pooling, retries and timeouts behave the same.
        //!
        //! Each method returns the operation's fluent builder in the
        //! [`Blocking`] mode: the same setters, and a `send()` (and,
        //! for paginated operations, an `into_pages()` iterator) that waits for the answer.

        pub use ::awsrt::blocking::{block_on, try_block_on, Blocking, BlockingError, Pages};

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
    }
}
