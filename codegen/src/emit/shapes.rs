//! Data types: structures with builders, unions, enums, error structures.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use crate::ir::{Enum, Field, RType, Struct};
use crate::names;

const REDACTED: &str = "*** Sensitive Data Redacted ***";

/// A structure, its accessors, its builder, and (for errors) its error impls.
pub fn structure(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let builder = format_ident!("{}", names::builder_name(&s.name));
    let is_error = s.error.is_some();
    let docs = doc_or(&s.docs, &format!("The `{}` structure.", s.name));
    let dep = deprecated(&s.deprecated);
    let serde = !has_stream(s);
    let fields = s.fields.iter().map(|f| {
        let n = ident(&f.name);
        let t = field_type(f);
        let d = doc_or(&f.docs, &format!("The `{}` member.", f.member));
        let dep = deprecated(&f.deprecated);
        let attr = if serde {
            serde_field_attr(s, f)
        } else {
            TokenStream::new()
        };
        quote! { #d #dep #attr pub #n: #t, }
    });
    let meta_field = if is_error {
        let skip = if serde {
            quote!(#[cfg_attr(feature = "serde", serde(skip))])
        } else {
            TokenStream::new()
        };
        quote! { #skip pub(crate) meta: ::awsrt::error::ErrorMetadata, }
    } else {
        TokenStream::new()
    };
    let (serde_derive, serde_helpers) = if serde {
        (
            quote! {
                #[cfg_attr(feature = "serde", derive(::awsrt::serde::__serde::Serialize, ::awsrt::serde::__serde::Deserialize))]
                #[cfg_attr(feature = "serde", serde(crate = "::awsrt::serde::__serde", default, rename_all = "PascalCase"))]
            },
            sensitive_helpers(s),
        )
    } else {
        (TokenStream::new(), TokenStream::new())
    };
    let accessors = s
        .fields
        .iter()
        .filter(|f| f.name != "builder")
        .map(accessor);
    let derive_default = quote!(Default,);
    let derive_debug = if needs_manual_debug(s) {
        quote!()
    } else {
        quote!(::std::fmt::Debug,)
    };
    // A streamed member can be neither cloned nor compared.
    let derive_eq = if has_stream(s) {
        quote!()
    } else {
        quote!(Clone, PartialEq,)
    };
    let debug_impl = if needs_manual_debug(s) {
        debug_impl(&name, s, is_error)
    } else {
        TokenStream::new()
    };
    let builder_doc = format!("Creates a new builder for [`{}`].", s.name);
    let builder_doc_doc = crate::emit::common::doc(&builder_doc);
    let builder_def = builder_struct(s, &builder);
    let error_impls = if is_error {
        error_impls(s)
    } else {
        TokenStream::new()
    };
    quote! {
        #docs
        #dep
        #[non_exhaustive]
        #[derive(#derive_eq #derive_default #derive_debug)]
        #serde_derive
        pub struct #name {
            #(#fields)*
            #meta_field
        }
        #serde_helpers
        impl #name {
            #(#accessors)*
            #builder_doc_doc
            #[inline]
            pub fn builder() -> #builder {
                <#builder as ::std::default::Default>::default()
            }
        }
        #debug_impl
        #error_impls
        #builder_def
    }
}

/// The serde attributes of a structure member (feature `serde`), when it needs any: the
/// model's member name where the container's `rename_all = "PascalCase"` does not give it, and
/// `@sensitive` members written only inside `awsrt::serde::with_secrets`.
fn serde_field_attr(s: &Struct, f: &Field) -> TokenStream {
    let rename = (serde_pascal(bare(&f.name)) != f.member).then(|| {
        let m = &f.member;
        quote!(rename = #m)
    });
    // An absent secret is left out (writing `null` would go through the refusing helper).
    let secret = (f.sensitive || s.sensitive).then(|| {
        let helper = sensitive_helper_name(s, f).to_string();
        if f.optional {
            quote!(serialize_with = #helper, skip_serializing_if = "Option::is_none")
        } else {
            quote!(serialize_with = #helper)
        }
    });
    let parts: Vec<TokenStream> = rename.into_iter().chain(secret).collect();
    if parts.is_empty() {
        return TokenStream::new();
    }
    quote!(#[cfg_attr(feature = "serde", serde(#(#parts),*))])
}

/// What serde's `rename_all = "PascalCase"` makes of a snake_case field name.
fn serde_pascal(field: &str) -> String {
    field
        .split('_')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(first) => first.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn sensitive_helper_name(s: &Struct, f: &Field) -> proc_macro2::Ident {
    format_ident!(
        "__serde_secret_{}_{}",
        names::snake_case(&s.name),
        bare(&f.name)
    )
}

/// One function per `@sensitive` member for `serialize_with`, naming the member in the error
/// that refuses to write it outside `with_secrets`.
fn sensitive_helpers(s: &Struct) -> TokenStream {
    let fns = s
        .fields
        .iter()
        .filter(|f| f.sensitive || s.sensitive)
        .map(|f| {
            let name = sensitive_helper_name(s, f);
            let member = format!("{}.{}", s.name, f.member);
            quote! {
                #[cfg(feature = "serde")]
                fn #name<T: ::awsrt::serde::__serde::Serialize + ?Sized, S: ::awsrt::serde::__serde::Serializer>(
                    value: &T,
                    serializer: S,
                ) -> Result<S::Ok, S::Error> {
                    ::awsrt::serde::sensitive_member(value, #member, serializer)
                }
            }
        });
    quote!(#(#fns)*)
}

/// Whether the structure has a streamed member (an output's streaming payload).
pub fn has_stream(s: &Struct) -> bool {
    s.fields.iter().any(|f| {
        matches!(
            f.ty,
            RType::Stream | RType::EventInput(_) | RType::EventOutput(_)
        )
    })
}

fn needs_manual_debug(s: &Struct) -> bool {
    s.sensitive
        || s.fields
            .iter()
            .any(|f| f.sensitive && !matches!(f.ty, RType::SensitiveString | RType::SensitiveBlob))
}

fn debug_impl(name: &proc_macro2::Ident, s: &Struct, is_error: bool) -> TokenStream {
    let sname = &s.name;
    if s.sensitive {
        return quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.write_str(#REDACTED)
                }
            }
        };
    }
    let fields = s.fields.iter().map(|fld| {
        let n = ident(&fld.name);
        let label = bare(&fld.name);
        if fld.sensitive {
            quote!(.field(#label, &#REDACTED))
        } else {
            quote!(.field(#label, &self.#n))
        }
    });
    let meta = if is_error {
        quote!(.field("meta", &self.meta))
    } else {
        quote!()
    };
    quote! {
        impl ::std::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct(#sname) #(#fields)* #meta .finish()
            }
        }
    }
}

fn accessor(f: &Field) -> TokenStream {
    let n = ident(&f.name);
    let d = doc_or(
        &crate::docs::first_sentence(&f.docs),
        &format!("The `{}` member.", f.member),
    );
    let dep = deprecated(&f.deprecated);
    let inner = rust_type(&f.ty);
    let (ret, body) = match (&f.ty, f.optional) {
        (RType::String, true) => (quote!(Option<&str>), quote!(self.#n.as_deref())),
        (RType::String, false) => (quote!(&str), quote!(&self.#n)),
        (RType::List(elem, sparse), opt) => {
            let e = rust_type(elem);
            let e = if *sparse { quote!(Option<#e>) } else { e };
            if opt {
                (
                    quote!(&[#e]),
                    quote!(self.#n.as_deref().unwrap_or_default()),
                )
            } else {
                (quote!(&[#e]), quote!(&self.#n))
            }
        }
        (t, true) if t.is_copy() => (quote!(Option<#inner>), quote!(self.#n)),
        (t, false) if t.is_copy() => (quote!(#inner), quote!(self.#n)),
        (_, true) if f.boxed => (quote!(Option<&#inner>), quote!(self.#n.as_deref())),
        (_, true) => (quote!(Option<&#inner>), quote!(self.#n.as_ref())),
        (_, false) => (quote!(&#inner), quote!(&self.#n)),
    };
    quote! {
        #d #dep
        #[inline] pub fn #n(&self) -> #ret { #body }
    }
}

/// The builder struct and its setters.
fn builder_struct(s: &Struct, builder: &proc_macro2::Ident) -> TokenStream {
    let name = ident(&s.name);
    let doc = format!("A builder for [`{}`].", s.name);
    let doc_doc = crate::emit::common::doc(&doc);
    let fields = s.fields.iter().map(|f| {
        let n = ident(&f.name);
        let t = stored_type(f);
        quote!(pub(crate) #n: Option<#t>,)
    });
    let setters = s.fields.iter().map(|f| setters(f, true));
    let build = build_fn(s, &name);
    let derive_debug = if needs_manual_debug(s) || s.fields.iter().any(|f| f.sensitive) {
        quote!()
    } else {
        quote!(::std::fmt::Debug,)
    };
    let debug = if derive_debug.is_empty() {
        let sname = names::builder_name(&s.name);
        let fs = s.fields.iter().map(|fld| {
            let n = ident(&fld.name);
            let label = bare(&fld.name);
            if fld.sensitive || s.sensitive {
                quote!(.field(#label, &#REDACTED))
            } else {
                quote!(.field(#label, &self.#n))
            }
        });
        quote! {
            impl ::std::fmt::Debug for #builder {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    f.debug_struct(#sname) #(#fs)* .finish()
                }
            }
        }
    } else {
        quote!()
    };
    let (derive_clone, derive_eq) = if has_stream(s) {
        (quote!(), quote!())
    } else {
        (quote!(Clone,), quote!(PartialEq,))
    };
    quote! {
        #doc_doc
        #[non_exhaustive]
        #[derive(#derive_clone Default, #derive_eq #derive_debug)]
        pub struct #builder {
            #(#fields)*
        }
        #debug
        impl #builder {
            #(#setters)*
            #build
        }
    }
}

/// Setter, `set_` and `get_` methods for one field. With `own = false` the methods delegate to
/// `self.inner` (fluent builders).
pub fn setters(f: &Field, own: bool) -> TokenStream {
    let n = ident(&f.name);
    let b = bare(&f.name);
    let set = format_ident!("{}", names::prefixed("set", b));
    let get = format_ident!("{}", names::prefixed("get", b));
    let d = doc_or(
        &crate::docs::first_sentence(&f.docs),
        &format!("The `{}` member.", f.member),
    );
    let dep = deprecated(&f.deprecated);
    let stored = stored_type(f);
    let required_note = if !f.optional && f.default.is_none() {
        doc("\nThis member is required.")
    } else {
        quote!()
    };
    let set_doc = format!("Sets or clears the `{}` member.", f.member);
    let set_doc_doc = crate::emit::common::doc(&set_doc);
    let get_doc = format!("The `{}` member as currently set.", f.member);
    let get_doc_doc = crate::emit::common::doc(&get_doc);
    let main = match &f.ty {
        RType::List(elem, sparse) => {
            let e = rust_type(elem);
            let (param, val) = if *sparse {
                (quote!(Option<#e>), quote!(input))
            } else if takes_into(elem) {
                (quote!(impl Into<#e>), quote!(input.into()))
            } else {
                (quote!(#e), quote!(input))
            };
            let d2 = doc(&format!("Appends an item to the `{}` list.", f.member));
            if own {
                quote! { #d2 #d #dep #[inline] pub fn #n(mut self, input: #param) -> Self { self.#n.get_or_insert_with(Vec::new).push(#val); self } }
            } else {
                quote! { #d2 #d #dep #[inline] pub fn #n(mut self, input: #param) -> Self { self.inner = self.inner.#n(input); self } }
            }
        }
        RType::Map(val_t, sparse) => {
            let v = rust_type(val_t);
            let (param, val) = if *sparse {
                (quote!(Option<#v>), quote!(value))
            } else if takes_into(val_t) {
                (quote!(impl Into<#v>), quote!(value.into()))
            } else {
                (quote!(#v), quote!(value))
            };
            let d2 = doc(&format!("Inserts an entry into the `{}` map.", f.member));
            if own {
                quote! { #d2 #d #dep #[inline] pub fn #n(mut self, key: impl Into<String>, value: #param) -> Self {
                self.#n.get_or_insert_with(::std::collections::HashMap::new).insert(key.into(), #val); self } }
            } else {
                quote! { #d2 #d #dep #[inline] pub fn #n(mut self, key: impl Into<String>, value: #param) -> Self {
                self.inner = self.inner.#n(key, value); self } }
            }
        }
        t => {
            let ty = rust_type(t);
            let (param, val) = if takes_into(t) {
                (quote!(impl Into<#ty>), quote!(input.into()))
            } else {
                (quote!(#ty), quote!(input))
            };
            let val = if f.boxed { quote!(Box::new(#val)) } else { val };
            if own {
                quote! { #d #required_note #dep #[inline] pub fn #n(mut self, input: #param) -> Self { self.#n = Some(#val); self } }
            } else {
                quote! { #d #required_note #dep #[inline] pub fn #n(mut self, input: #param) -> Self { self.inner = self.inner.#n(input); self } }
            }
        }
    };
    if own {
        quote! {
            #main
            #set_doc_doc
            #dep
            #[inline] pub fn #set(mut self, input: Option<#stored>) -> Self { self.#n = input; self }
            #get_doc_doc
            #dep
            #[inline] pub fn #get(&self) -> &Option<#stored> { &self.#n }
        }
    } else {
        quote! {
            #main
            #set_doc_doc
            #dep
            #[inline] pub fn #set(mut self, input: Option<#stored>) -> Self { self.inner = self.inner.#set(input); self }
            #get_doc_doc
            #dep
            #[inline] pub fn #get(&self) -> &Option<#stored> { self.inner.#get() }
        }
    }
}

fn build_fn(s: &Struct, name: &proc_macro2::Ident) -> TokenStream {
    let meta = match &s.error {
        Some(info) => error_meta(s, info),
        None => quote!(),
    };
    let assigns = s.fields.iter().map(|f| {
        let n = ident(&f.name);
        if f.optional {
            quote!(#n: self.#n,)
        } else if matches!(f.ty, RType::Stream | RType::EventInput(_) | RType::EventOutput(_)) {
            quote!(#n: self.#n.unwrap_or_default(),)
        } else if let Some(d) = &f.default {
            let e = default_expr(&f.ty, d);
            let e = if f.boxed { quote!(Box::new(#e)) } else { e };
            if matches!(f.ty, RType::Bool | RType::I8 | RType::I16 | RType::I32 | RType::I64 | RType::F32 | RType::F64) && !f.boxed {
                quote!(#n: self.#n.unwrap_or(#e),)
            } else {
                quote!(#n: self.#n.unwrap_or_else(|| #e),)
            }
        } else {
            let field = bare(&f.name);
            let why = format!("`{}` is required when building a `{}`", field, s.name);
            quote!(#n: self.#n.ok_or_else(|| ::awsrt::error::BuildError::missing_field(#field, #why))?,)
        }
    });
    let doc = format!("Builds the [`{}`].", s.name);
    let doc_doc = crate::emit::common::doc(&doc);
    if s.fallible_build() {
        let full = crate::emit::common::doc(&format!(
            "{doc}\n\n# Errors\n\nFails when a required member is not set."
        ));
        quote! {
            #full
            #[inline]
            pub fn build(self) -> Result<#name, ::awsrt::error::BuildError> {
                Ok(#name { #meta #(#assigns)* })
            }
        }
    } else {
        quote! {
            #doc_doc
            #[inline]
            pub fn build(self) -> #name {
                #name { #meta #(#assigns)* }
            }
        }
    }
}

/// The metadata of an error structure built in code: its code, message and the HTTP status
/// the service sends it with, so that `code()` and `message()` answer as for a received error
/// (and a typed mock answering with it looks like the service).
fn error_meta(s: &Struct, info: &crate::ir::ErrorInfo) -> TokenStream {
    let code = &info.code;
    let status = info.http_status.unwrap_or(match info.fault {
        crate::model::ErrorFault::Server => 500,
        _ => 400,
    });
    // The builder holds every member as an `Option`.
    let message = match s
        .fields
        .iter()
        .find(|f| f.member.eq_ignore_ascii_case("message") && matches!(f.ty, RType::String))
    {
        Some(f) => {
            let n = ident(&f.name);
            quote!(self.#n.clone())
        }
        None => quote!(None),
    };
    quote!(meta: ::awsrt::error::ErrorMetadata::modeled(#code, #message, #status),)
}

fn error_impls(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let Some(info) = &s.error else {
        return TokenStream::new();
    };
    let code = &info.code;
    let message_field = s
        .fields
        .iter()
        .find(|f| f.member.eq_ignore_ascii_case("message") && matches!(f.ty, RType::String));
    let message = match message_field {
        Some(f) if f.optional => {
            let n = ident(&f.name);
            quote!(self.#n.as_deref().or(self.meta.message.as_deref()))
        }
        Some(f) => {
            let n = ident(&f.name);
            quote!(Some(self.#n.as_str()))
        }
        None => quote!(self.meta.message.as_deref()),
    };
    let retryable = info.retryable.is_some();
    let throttling = info.retryable.is_some_and(|r| r.throttling);
    let server = matches!(info.fault, crate::model::ErrorFault::Server);
    // A member named `message` of another type (e.g. a sensitive string) already has the
    // accessor; the error then reads its message from the response metadata.
    let has_message_accessor = s.fields.iter().any(|f| f.name == "message");
    let message_fn = if has_message_accessor {
        quote!()
    } else {
        quote! {
            /// The error message, when the service sent one.
            #[inline] pub fn message(&self) -> Option<&str> { #message }
        }
    };
    quote! {
        impl #name {
            /// The error code on the wire.
            pub const CODE: &'static str = #code;
            /// Metadata of the response that carried this error (code, message, request id, status).
            #[inline] pub fn meta(&self) -> &::awsrt::error::ErrorMetadata { &self.meta }
            #message_fn
            /// Whether the model marks this error retryable.
            #[inline] pub fn is_retryable(&self) -> bool { #retryable }
            /// Whether the model marks this error as throttling.
            #[inline] pub fn is_throttling(&self) -> bool { #throttling }
            /// Whether this is a server-side fault (`@error("server")`).
            #[inline] pub fn is_server_fault(&self) -> bool { #server }
            // Unused when the error is only ever a union member (event streams).
            #[allow(dead_code)]
            pub(crate) fn with_meta(mut self, meta: ::awsrt::error::ErrorMetadata) -> Self { self.meta = meta; self }
        }
        impl ::std::fmt::Display for #name {
            #[inline]
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(#code)?;
                if let Some(m) = #message {
                    write!(f, ": {m}")?;
                }
                Ok(())
            }
        }
        impl ::std::error::Error for #name {}
        impl ::awsrt::error::ProvideErrorMetadata for #name {
            #[inline] fn meta(&self) -> &::awsrt::error::ErrorMetadata { &self.meta }
        }
    }
}

/// A union: an enum with one variant per member plus `Unknown`.
pub fn union(s: &Struct) -> TokenStream {
    let name = ident(&s.name);
    let docs = doc_or(&s.docs, &format!("The `{}` union.", s.name));
    let dep = deprecated(&s.deprecated);
    let serde = !has_stream(s);
    let variants = s.fields.iter().map(|f| {
        let v = ident(&f.variant);
        let t = stored_type(f);
        let d = doc_or(&f.docs, &format!("The `{}` variant.", f.member));
        let dep = deprecated(&f.deprecated);
        let attr = if serde {
            let rename = &f.member;
            if f.sensitive || s.sensitive {
                let helper = sensitive_helper_name(s, f).to_string();
                quote!(#[cfg_attr(feature = "serde", serde(rename = #rename, serialize_with = #helper))])
            } else {
                quote!(#[cfg_attr(feature = "serde", serde(rename = #rename))])
            }
        } else {
            TokenStream::new()
        };
        quote!(#d #dep #attr #v(#t),)
    });
    let (serde_derive, serde_helpers, unknown_attr) = if serde {
        (
            quote! {
                #[cfg_attr(feature = "serde", derive(::awsrt::serde::__serde::Serialize, ::awsrt::serde::__serde::Deserialize))]
                #[cfg_attr(feature = "serde", serde(crate = "::awsrt::serde::__serde"))]
            },
            sensitive_helpers(s),
            quote!(#[cfg_attr(feature = "serde", serde(rename = "$unknown"))]),
        )
    } else {
        (TokenStream::new(), TokenStream::new(), TokenStream::new())
    };
    let helpers = s.fields.iter().map(|f| {
        let v = ident(&f.variant);
        let t = stored_type(f);
        let as_fn = format_ident!("{}", names::prefixed("as", &f.name));
        let is_fn = format_ident!("{}", names::prefixed("is", &f.name));
        let d1 = format!("The `{}` value, if this is that variant.", f.member);
        let d1_doc = crate::emit::common::doc(&d1);
        let d2 = format!("Whether this is the `{}` variant.", f.member);
        let d2_doc = crate::emit::common::doc(&d2);
        quote! {
            #d1_doc
            #[inline] pub fn #as_fn(&self) -> Option<&#t> { match self { Self::#v(v) => Some(v), _ => None } }
            #d2_doc
            #[inline] pub fn #is_fn(&self) -> bool { matches!(self, Self::#v(_)) }
        }
    });
    let debug = if s.sensitive || s.fields.iter().any(|f| f.sensitive) {
        let arms = s.fields.iter().map(|f| {
            let v = ident(&f.variant);
            let label = &f.variant;
            if f.sensitive || s.sensitive {
                quote!(Self::#v(_) => f.debug_tuple(#label).field(&#REDACTED).finish(),)
            } else {
                quote!(Self::#v(x) => f.debug_tuple(#label).field(x).finish(),)
            }
        });
        quote! {
            impl ::std::fmt::Debug for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match self { #(#arms)* Self::Unknown => f.write_str("Unknown") }
                }
            }
        }
    } else {
        quote!()
    };
    let derive_debug = if debug.is_empty() {
        quote!(::std::fmt::Debug,)
    } else {
        quote!()
    };
    quote! {
        #docs
        #dep
        #[non_exhaustive]
        #[derive(Clone, PartialEq, #derive_debug)]
        #serde_derive
        pub enum #name {
            #(#variants)*
            /// A variant this version of the client does not know (sent by a newer service).
            #unknown_attr
            Unknown,
        }
        #serde_helpers
        impl #name {
            #(#helpers)*
            /// Whether this is a variant unknown to this client.
            pub fn is_unknown(&self) -> bool { matches!(self, Self::Unknown) }
        }
        impl Default for #name {
            fn default() -> Self { Self::Unknown }
        }
        #debug
    }
}

/// A string or int enum with a variant that keeps unknown values.
pub fn enumeration(e: &Enum) -> TokenStream {
    let name = ident(&e.name);
    let docs = doc_or(&e.docs, &format!("The `{}` enum.", e.name));
    let dep = deprecated(&e.deprecated);
    let variants = e.variants.iter().map(|v| {
        let vn = ident(&v.name);
        let d = if v.docs.trim().is_empty() {
            doc(&format!("`{}`", v.value.replace('`', "'")))
        } else {
            doc(&v.docs)
        };
        let dep = if v.deprecated {
            quote!(#[deprecated])
        } else {
            quote!()
        };
        quote!(#d #dep #vn,)
    });
    let allow_dep = if e.variants.iter().any(|v| v.deprecated) {
        quote!(#[allow(deprecated)])
    } else {
        quote!()
    };
    if e.int {
        let to = e.variants.iter().map(|v| {
            let vn = ident(&v.name);
            let i = proc_macro2::Literal::i32_unsuffixed(v.int_value);
            quote!(Self::#vn => #i,)
        });
        let from = e.variants.iter().map(|v| {
            let vn = ident(&v.name);
            let i = proc_macro2::Literal::i32_unsuffixed(v.int_value);
            quote!(#i => Self::#vn,)
        });
        let values = e
            .variants
            .iter()
            .map(|v| proc_macro2::Literal::i32_unsuffixed(v.int_value));
        return quote! {
            #docs
            #dep
            #[non_exhaustive]
            #[derive(Clone, ::std::marker::Copy, PartialEq, Eq, ::std::hash::Hash, ::std::fmt::Debug)]
            pub enum #name {
                #(#variants)*
                /// A value this version of the client does not know.
                Unknown(i32),
            }
            #allow_dep
            impl #name {
                /// The integer value on the wire.
                pub fn value(&self) -> i32 { match self { #(#to)* Self::Unknown(v) => *v } }
                /// Every value this client knows.
                pub const fn values() -> &'static [i32] { &[#(#values),*] }
            }
            #allow_dep
            impl ::std::convert::From<i32> for #name {
                #[inline] fn from(v: i32) -> Self { match v { #(#from)* other => Self::Unknown(other) } }
            }
            impl Default for #name {
                fn default() -> Self { Self::Unknown(0) }
            }
            #[cfg(feature = "serde")]
            impl ::awsrt::serde::__serde::Serialize for #name {
                fn serialize<S: ::awsrt::serde::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                    s.serialize_i32(self.value())
                }
            }
            #[cfg(feature = "serde")]
            impl<'de> ::awsrt::serde::__serde::Deserialize<'de> for #name {
                fn deserialize<D: ::awsrt::serde::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                    <i32 as ::awsrt::serde::__serde::Deserialize>::deserialize(d).map(Self::from)
                }
            }
        };
    }
    let to = e.variants.iter().map(|v| {
        let vn = ident(&v.name);
        let s = &v.value;
        quote!(Self::#vn => #s,)
    });
    let from = e.variants.iter().map(|v| {
        let vn = ident(&v.name);
        let s = &v.value;
        quote!(#s => Self::#vn,)
    });
    let values = e.variants.iter().map(|v| &v.value);
    quote! {
        #docs
        #dep
        #[non_exhaustive]
        #[derive(Clone, PartialEq, Eq, ::std::hash::Hash, ::std::cmp::PartialOrd, ::std::cmp::Ord, ::std::fmt::Debug)]
        pub enum #name {
            #(#variants)*
            /// A value this version of the client does not know; the string is kept as sent.
            Unknown(String),
        }
        #allow_dep
        impl #name {
            /// The string value on the wire.
            #[inline] pub fn as_str(&self) -> &str { match self { #(#to)* Self::Unknown(v) => v.as_str() } }
            /// Every value this client knows.
            pub const fn values() -> &'static [&'static str] { &[#(#values),*] }
        }
        #allow_dep
        impl ::std::convert::From<&str> for #name {
            #[inline] fn from(v: &str) -> Self { match v { #(#from)* other => Self::Unknown(other.to_owned()) } }
        }
        impl ::std::convert::From<String> for #name {
            #[inline] fn from(v: String) -> Self { Self::from(v.as_str()) }
        }
        impl ::std::str::FromStr for #name {
            type Err = ::std::convert::Infallible;
            #[inline] fn from_str(s: &str) -> Result<Self, Self::Err> { Ok(Self::from(s)) }
        }
        impl ::std::convert::AsRef<str> for #name {
            #[inline] fn as_ref(&self) -> &str { self.as_str() }
        }
        impl ::std::fmt::Display for #name {
            #[inline] fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }
        impl Default for #name {
            fn default() -> Self { Self::Unknown(String::new()) }
        }
        #[cfg(feature = "serde")]
        impl ::awsrt::serde::__serde::Serialize for #name {
            fn serialize<S: ::awsrt::serde::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }
        #[cfg(feature = "serde")]
        impl<'de> ::awsrt::serde::__serde::Deserialize<'de> for #name {
            fn deserialize<D: ::awsrt::serde::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                <String as ::awsrt::serde::__serde::Deserialize>::deserialize(d).map(Self::from)
            }
        }
    }
}
