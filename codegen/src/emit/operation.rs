//! One module per operation: input and output types, the error enum, the fluent builder, the
//! serializer of the input, the deserializer of the output, and the call itself.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use super::{json, shapes};
use crate::auth::Auth;
use crate::ir::{Operation, Service, TypeDef};
use crate::names;

/// Names used for one operation.
pub struct OpNames {
    /// `GetSecretValueInput`
    pub input: proc_macro2::Ident,
    /// `GetSecretValueOutput`
    pub output: proc_macro2::Ident,
    /// `GetSecretValueError`
    pub error: proc_macro2::Ident,
    /// `GetSecretValueFluentBuilder`
    pub fluent: proc_macro2::Ident,
    /// `get_secret_value` module
    pub module: proc_macro2::Ident,
}

/// The names of an operation's generated items.
pub fn op_names(op: &Operation) -> OpNames {
    let base = names::type_name(&op.name);
    OpNames {
        input: format_ident!("{}Input", base),
        output: format_ident!("{}Output", base),
        error: format_ident!("{}Error", base),
        fluent: format_ident!("{}FluentBuilder", base),
        module: ident(&op.module),
    }
}

/// The operation's docs followed by a list of its errors.
pub fn op_docs(svc: &Service, op: &Operation) -> String {
    let mut d = if op.docs.trim().is_empty() {
        format!("Calls the `{}` operation.", op.name)
    } else {
        op.docs.clone()
    };
    let n = op_names(op);
    d.push_str(&format!(
        "\n\n# Errors\n\nReturns [`SdkError`](::awsrt::error::SdkError) with [`{}`](crate::operation::{}::{}) as the service error:",
        n.error, op.module, n.error
    ));
    for e in &op.errors {
        let summary = match svc.ty(e) {
            Some(TypeDef::Struct(s)) => crate::docs::first_sentence(&s.docs),
            _ => String::new(),
        };
        d.push_str(&format!("\n- [`{e}`](crate::types::error::{e})"));
        if !summary.is_empty() {
            d.push_str(&format!(": {summary}"));
        }
    }
    d
}

/// The whole `operation/<op>.rs` file.
pub fn operation_file(svc: &Service, op: &Operation, extra: TokenStream) -> TokenStream {
    let n = op_names(op);
    let OpNames {
        input,
        output,
        error,
        ..
    } = &n;
    let name = &op.name;
    let retryable: Vec<&String> = op
        .errors
        .iter()
        .filter(|e| matches!(svc.ty(e), Some(TypeDef::Struct(s)) if s.error.as_ref().is_some_and(|i| i.retryable.is_some())))
        .collect();
    let throttling: Vec<&String> = op
        .errors
        .iter()
        .filter(|e| matches!(svc.ty(e), Some(TypeDef::Struct(s)) if s.error.as_ref().is_some_and(|i| i.retryable.is_some_and(|r| r.throttling))))
        .collect();
    let mut input_struct = op.input.clone();
    input_struct.name = input.to_string();
    let mut output_struct = op.output.clone();
    output_struct.name = output.to_string();
    let input_def = shapes::structure(&input_struct);
    let output_def = shapes::structure(&output_struct);
    let ser = json::ser_struct(
        &input_struct,
        &format_ident!("ser_input"),
        quote!(#input),
        quote!(pub(crate)),
    );
    let de = json::de_struct(
        &output_struct,
        &format_ident!("de_output"),
        quote!(#output),
        quote!(pub(crate)),
    );
    let error_enum = error_enum(op, &n);
    let fluent_def = fluent_builder(svc, op, &n);
    let token_fill = op
        .input
        .fields
        .iter()
        .filter(|f| f.idempotency_token && f.optional && f.ty == crate::ir::RType::String)
        .map(|f| {
            let fname = ident(&f.name);
            quote! {
                if input.#fname.is_none() {
                    input.#fname = Some(::awsrt::types::uuid_v4());
                }
            }
        });
    let mut_input = if op
        .input
        .fields
        .iter()
        .any(|f| f.idempotency_token && f.optional && f.ty == crate::ir::RType::String)
    {
        quote!(mut input)
    } else {
        quote!(input)
    };
    let (host_prefix, call) = host_prefix(op);
    let call = call_with_auth(svc, op, call);
    let send_doc = format!("Sends this input as a `{name}` request with `client`.");
    let send_doc_doc = crate::emit::common::doc(&send_doc);
    quote! {
        /// What the runtime needs to know about this operation.
        pub(crate) static OPERATION: ::awsrt::client::OperationInfo = ::awsrt::client::OperationInfo {
            name: #name,
            retryable_errors: &[#(#retryable),*],
            throttling_errors: &[#(#throttling),*],
        };

        #input_def

        impl #input {
            #send_doc_doc
            pub async fn send_with(self, client: &crate::Client) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                send(client.handle(), self).await
            }
        }

        #output_def
        #error_enum
        #fluent_def

        pub(crate) async fn send(handle: &::awsrt::client::ClientHandle, #mut_input: #input) -> Result<#output, ::awsrt::error::SdkError<#error>> {
            #(#token_fill)*
            #host_prefix
            let mut w = ::awsrt::json::JsonWriter::new();
            ser_input(&mut w, &input);
            drop(input);
            let resp = #call.await.map_err(::awsrt::error::SdkError::cast)?;
            ::awsrt::protocol::json_response(&resp, de_output, #error::from_response)
        }

        #ser
        #de
        #extra
    }
}

fn error_enum(op: &Operation, n: &OpNames) -> TokenStream {
    let error = &n.error;
    let doc = format!(
        "The errors `{}` can return: one variant per modeled error, plus `Unhandled`.",
        op.name
    );
    let doc_doc = crate::emit::common::doc(&doc);
    let variants = op.errors.iter().map(|e| {
        let v = ident(e);
        let d = format!("See [`{e}`](crate::types::error::{e}).");
        let d_doc = crate::emit::common::doc(&d);
        quote!(#d_doc #v(crate::types::error::#v),)
    });
    let is_fns = op.errors.iter().map(|e| {
        let v = ident(e);
        let f = format_ident!("is_{}", bare(&names::snake_case(e)));
        let d = format!("Whether this is a `{e}`.");
        let d_doc = crate::emit::common::doc(&d);
        quote!(#d_doc pub fn #f(&self) -> bool { matches!(self, Self::#v(_)) })
    });
    let inner_arms = op.errors.iter().map(|e| {
        let v = ident(e);
        quote!(Self::#v(e) => e,)
    });
    let parse_arms = op.errors.iter().map(|e| {
        let v = ident(e);
        let de = json::de_fn(e);
        quote!(#e => Self::#v(crate::types::#de(&mut r)?.with_meta(meta)),)
    });
    let reader = if op.errors.is_empty() {
        quote!()
    } else {
        quote!(let mut r = ::awsrt::json::JsonReader::new(::awsrt::protocol::json_body(&resp.body));)
    };
    let resp_arg = if op.errors.is_empty() {
        quote!(_resp)
    } else {
        quote!(resp)
    };
    quote! {
        #doc_doc
        #[non_exhaustive]
        #[derive(::std::fmt::Debug)]
        pub enum #error {
            #(#variants)*
            /// An error the model does not describe (or one this client version does not know); code and message are kept.
            Unhandled(::awsrt::error::Unhandled),
        }
        impl #error {
            pub(crate) fn from_response(#resp_arg: &::awsrt::http::HttpResponse, meta: ::awsrt::error::ErrorMetadata) -> Result<Self, ::awsrt::json::JsonError> {
                #reader
                Ok(match meta.code.as_deref().unwrap_or_default() {
                    #(#parse_arms)*
                    _ => Self::Unhandled(::awsrt::error::Unhandled::new(meta)),
                })
            }
            #(#is_fns)*
            /// Whether this error is not one the model describes.
            pub fn is_unhandled(&self) -> bool { matches!(self, Self::Unhandled(_)) }
            /// Code, message, request id and HTTP status of the error response.
            pub fn meta(&self) -> &::awsrt::error::ErrorMetadata {
                ::awsrt::error::ProvideErrorMetadata::meta(self.inner())
            }
            /// The error in the variant.
            fn inner(&self) -> &dyn ::awsrt::error::ModeledError {
                match self { #(#inner_arms)* Self::Unhandled(e) => e }
            }
            /// The error code, e.g. `ResourceNotFoundException`.
            pub fn code(&self) -> Option<&str> { self.meta().code.as_deref() }
            /// The service's message.
            pub fn message(&self) -> Option<&str> { self.meta().message.as_deref() }
            /// The request id of the failed request.
            pub fn request_id(&self) -> Option<&str> { self.meta().request_id.as_deref() }
        }
        impl ::awsrt::error::ProvideErrorMetadata for #error {
            fn meta(&self) -> &::awsrt::error::ErrorMetadata { #error::meta(self) }
        }
        impl ::std::fmt::Display for #error {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.inner(), f)
            }
        }
        impl ::std::error::Error for #error {
            fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                Some(self.inner().as_error())
            }
        }
    }
}

fn fluent_builder(svc: &Service, op: &Operation, n: &OpNames) -> TokenStream {
    let OpNames {
        input,
        output,
        error,
        fluent,
        ..
    } = n;
    let builder = format_ident!("{}Builder", input);
    let doc = format!(
        "Fluent builder for [`Client::{0}`](crate::Client::{0}): set members, then call `send()`.",
        op.fn_name
    );
    let doc_doc = crate::emit::common::doc(&doc);
    let setters = op.input.fields.iter().map(|f| shapes::setters(f, false));
    let required_token = op
        .input
        .fields
        .iter()
        .filter(|f| f.idempotency_token && !f.optional && f.ty == crate::ir::RType::String)
        .map(|f| {
            let fname = ident(&f.name);
            quote! {
                if inner.#fname.is_none() {
                    inner.#fname = Some(::awsrt::types::uuid_v4());
                }
            }
        });
    let has_required_token = op
        .input
        .fields
        .iter()
        .any(|f| f.idempotency_token && !f.optional);
    let inner_binding = if has_required_token {
        quote!(let mut inner = self.inner;)
    } else {
        quote!(let inner = self.inner;)
    };
    let build = if op.input.fallible_build() {
        quote!(inner
            .build()
            .map_err(::awsrt::error::SdkError::Construction)?)
    } else {
        quote!(inner.build())
    };
    let _ = svc;
    let blocking_doc = crate::emit::common::doc(&format!(
        "The blocking mode (feature `blocking`), what [`blocking::Client::{0}`](crate::blocking::Client::{0}) returns: `send()` waits for the answer.",
        op.fn_name
    ));
    quote! {
        #doc_doc
        ///
        /// `M` is the calling mode: [`Async`](::awsrt::client::Async) (the default), whose `send()`
        /// is `async`, or `Blocking` (feature `blocking`), whose `send()` waits for the answer.
        #[derive(Clone, ::std::fmt::Debug)]
        pub struct #fluent<M = ::awsrt::client::Async> {
            handle: ::awsrt::client::ClientHandle,
            inner: #builder,
            mode: ::std::marker::PhantomData<M>,
        }
        impl #fluent {
            pub(crate) fn new(handle: ::awsrt::client::ClientHandle) -> Self {
                Self { handle, inner: Default::default(), mode: ::std::marker::PhantomData }
            }
            /// Builds the input and sends the request.
            ///
            /// # Errors
            ///
            /// An [`SdkError`](::awsrt::error::SdkError): the input could not be built, the request timed out or could not be sent,
            /// the response could not be parsed, or the service returned an error.
            pub async fn send(self) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                #inner_binding
                #(#required_token)*
                let input = #build;
                send(&self.handle, input).await
            }
        }
        #blocking_doc
        #[cfg(feature = "blocking")]
        impl #fluent<::awsrt::blocking::Blocking> {
            pub(crate) fn from_async(f: #fluent) -> Self {
                Self { handle: f.handle, inner: f.inner, mode: ::std::marker::PhantomData }
            }
            fn into_async(self) -> #fluent {
                #fluent { handle: self.handle, inner: self.inner, mode: ::std::marker::PhantomData }
            }
            /// Builds the input, sends the request and waits for the answer.
            ///
            /// # Errors
            ///
            /// The same [`SdkError`](::awsrt::error::SdkError) as the async `send()`.
            pub fn send(self) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                ::awsrt::blocking::wait(self.into_async().send())
            }
        }
        impl<M> #fluent<M> {
            /// The input built so far.
            pub fn as_input(&self) -> &#builder { &self.inner }
            #(#setters)*
        }
    }
}

/// The call of an operation whose auth differs from the service's default goes through
/// `call_with` with the operation's auth (and host prefix); any other call is left as it is.
fn call_with_auth(svc: &Service, op: &Operation, call: TokenStream) -> TokenStream {
    if op.auth == svc.auth {
        return call;
    }
    let auth = match op.auth {
        Auth::SigV4 => quote!(::awsrt::client::AuthScheme::SigV4),
        Auth::OptionalSigV4 => quote!(::awsrt::client::AuthScheme::OptionalSigV4),
        Auth::None => quote!(::awsrt::client::AuthScheme::None),
    };
    let prefix = if op.host_prefix.is_some() {
        quote!(.host_prefix(&host_prefix))
    } else {
        quote!()
    };
    quote!(handle.call_with(&OPERATION, w.finish(), ::awsrt::client::CallOptions::new().auth(#auth) #prefix))
}

/// The statements computing the host prefix of an operation with `smithy.api#endpoint`, and the
/// runtime call to make.
fn host_prefix(op: &Operation) -> (TokenStream, TokenStream) {
    let Some(template) = &op.host_prefix else {
        return (
            TokenStream::new(),
            quote!(handle.call(&OPERATION, w.finish())),
        );
    };
    let mut checks = TokenStream::new();
    let mut fmt = String::new();
    let mut args = Vec::new();
    let mut rest = template.as_str();
    while let Some(start) = rest.find('{') {
        fmt.push_str(&rest[..start].replace('}', "}}"));
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        let label = &rest[start + 1..start + end];
        if let Some(f) = op.input.fields.iter().find(|f| f.member == label) {
            let n = ident(&f.name);
            let member = &f.member;
            let value = if f.optional {
                quote!(input.#n.as_deref().unwrap_or_default())
            } else {
                quote!(input.#n.as_str())
            };
            let var = format_ident!("label_{}", args.len());
            checks.extend(quote! {
                let #var = #value;
                ::awsrt::protocol::check_host_label(#member, #var).map_err(::awsrt::error::SdkError::Construction)?;
            });
            args.push(var);
        }
        fmt.push_str("{}");
        rest = &rest[start + end + 1..];
    }
    fmt.push_str(&rest.replace('{', "{{").replace('}', "}}"));
    (
        quote! {
            #checks
            let host_prefix = format!(#fmt #(, #args)*);
        },
        quote!(handle.call_with_host_prefix(&OPERATION, w.finish(), &host_prefix)),
    )
}
