//! Paginators for `@paginated` operations: `into_paginator()` on the fluent builder, a page
//! stream (`send()`), and an item stream (`items()`) when the model names the items member.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use super::operation::op_names;
use crate::ir::{Field, Operation, Service};
use crate::names;

/// An expression reading the (optional) value at the end of `fields` from `root` (a reference).
fn read_path(fields: &[Field], root: TokenStream, clone: bool) -> TokenStream {
    let mut expr = quote!(Some(#root));
    for f in fields {
        let n = ident(&f.name);
        expr = if f.optional {
            quote!(#expr.and_then(|v| v.#n.as_ref()))
        } else {
            quote!(#expr.map(|v| &v.#n))
        };
    }
    if clone {
        quote!(#expr.cloned())
    } else {
        expr
    }
}

/// The paginator items of one operation, or nothing when the operation has no pagination the
/// client can drive ([`crate::ir::Pagination`]).
pub fn paginator(svc: &Service, op: &Operation) -> TokenStream {
    let _ = svc;
    let Some(p) = &op.pagination else {
        return TokenStream::new();
    };
    let in_field = &p.input_token;
    let in_tok = &in_field.member;
    let out_tok = &p.output_token_path;
    let n = op_names(op);
    let (output, error, fluent) = (&n.output, &n.error, &n.fluent);
    let builder = format_ident!("{}", names::builder_name(&op.types.input));
    let paginator = format_ident!("{}", op.types.paginator);
    let items_t = format_ident!("{}", op.types.items);
    let set_token = format_ident!("{}", names::prefixed("set", &in_field.name));
    let token_field = ident(&in_field.name);
    let next_token = read_path(&p.output_token, quote!(&out), true);
    let build = if op.input.fallible_build() {
        quote!(builder
            .build()
            .map_err(::awsrt::error::SdkError::Construction)?)
    } else {
        quote!(builder.build())
    };
    let page_size = p.page_size.as_ref().map(|f| {
        let setter = ident(&f.name);
        let t = rust_type(&f.ty);
        let d = doc(&format!("Sets the page size (the `{}` member).", f.member));
        quote! { #d #[inline] pub fn page_size(mut self, size: #t) -> Self { self.inner = self.inner.#setter(size); self } }
    });
    let items: TokenStream = p.items.as_ref().and_then(|fields| {
        let last = fields.last()?;
        let elem_t = rust_type(p.item_type()?);
        // Take the items out of the page (the page is owned here).
        let first = fields.first()?;
        let take = if fields.len() == 1 {
            let f = ident(&first.name);
            if first.optional {
                quote!(page.#f.unwrap_or_default())
            } else {
                quote!(page.#f)
            }
        } else {
            let read = read_path(fields, quote!(&page), true);
            quote!(#read.unwrap_or_default())
        };
        let item_doc = doc(&format!("Every item of every page (the `{}` member), in order.", last.member));
        let items_doc = doc(&format!("The items of [`{paginator}`], one at a time, fetching pages as needed."));
        Some(quote! {
            impl #paginator {
                #item_doc
                #[inline]
                pub fn items(self) -> #items_t {
                    #items_t { pages: self.send(), buffer: ::std::collections::VecDeque::new() }
                }
            }
            #items_doc
            #[derive(Debug)]
            pub struct #items_t {
                pages: ::awsrt::paginator::PageStream<#output, #error>,
                buffer: ::std::collections::VecDeque<#elem_t>,
            }
            impl #items_t {
                /// The next item, `None` after the last one.
                #[inline]
                pub async fn next(&mut self) -> Option<Result<#elem_t, ::awsrt::error::SdkError<#error>>> {
                    loop {
                        if let Some(item) = self.buffer.pop_front() {
                            return Some(Ok(item));
                        }
                        match self.pages.next().await? {
                            Ok(page) => self.buffer.extend(#take),
                            Err(e) => return Some(Err(e)),
                        }
                    }
                }
                /// Every remaining item; stops at the first error.
                #[inline]
                pub async fn collect(mut self) -> Result<Vec<#elem_t>, ::awsrt::error::SdkError<#error>> {
                    let mut all = Vec::new();
                    while let Some(item) = self.next().await {
                        all.push(item?);
                    }
                    Ok(all)
                }
            }
        })
    }).unwrap_or_default();
    let into_doc = doc(&format!(
        "Pages through the results: `into_paginator().send()` yields each [`{output}`]; the `{in_tok}` of each request comes from the previous page's `{out_tok}`."
    ));
    let pag_doc = doc(&format!(
        "Paginator for [`Client::{0}`](crate::Client::{0}). Stops when the service returns no token (or an empty one) and fails if it returns the same token twice.",
        op.fn_name
    ));
    quote! {
        impl #fluent {
            #into_doc
            #[inline]
            pub fn into_paginator(self) -> #paginator {
                #paginator { handle: self.handle, inner: self.inner }
            }
        }
        #[cfg(feature = "blocking")]
        impl #fluent<::awsrt::blocking::Blocking> {
            /// Pages through the results: an iterator over whole pages, each fetched as the
            /// iterator advances.
            #[inline]
            pub fn into_pages(self) -> ::awsrt::blocking::Pages<#output, #error> {
                ::awsrt::blocking::Pages::new(self.into_async().into_paginator().send())
            }
        }
        #pag_doc
        #[derive(Clone, Debug)]
        pub struct #paginator {
            handle: ::awsrt::client::ClientHandle,
            inner: #builder,
        }
        impl #paginator {
            #page_size
            /// Starts paging: a stream of whole pages (`next().await`, `collect().await`).
            #[inline]
            pub fn send(self) -> ::awsrt::paginator::PageStream<#output, #error> {
                let Self { handle, inner } = self;
                let first = inner.#token_field.clone();
                ::awsrt::paginator::PageStream::starting_at(first, move |token: Option<String>| {
                    let handle = handle.clone();
                    let builder = inner.clone().#set_token(token);
                    Box::pin(async move {
                        let input = #build;
                        let out = send(&handle, input).await?;
                        let next = #next_token;
                        Ok((out, next))
                    })
                })
            }
        }
        #items
    }
}
