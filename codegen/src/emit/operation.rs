//! One module per operation: input and output types, the error enum, the fluent builder, the
//! serializer of the input, the deserializer of the output, and the call itself.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::*;
use super::shapes;
use crate::auth::Auth;
use crate::ir::{Operation, Service, TypeDef};
use crate::names;

/// The identifiers of an operation's generated items.
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

/// The identifiers of an operation's generated items (named in the IR).
pub fn op_names(op: &Operation) -> OpNames {
    OpNames {
        input: ident(&op.types.input),
        output: ident(&op.types.output),
        error: ident(&op.types.error),
        fluent: ident(&op.types.fluent),
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
    if let Some(why) = &op.not_callable {
        d.push_str(&format!(
            "\n\n**Not yet callable:** {why}; `send()` fails with a construction error."
        ));
    }
    d.push_str(&super::discovery::doc_note(svc, op));
    d.push_str(&super::behaviour_docs::op_notes(svc, op));
    let n = op_names(op);
    d.push_str(&format!(
        "\n\n# Errors\n\nReturns [`SdkError`](crate::error::SdkError) with [`{}`](crate::operation::{}::{}) as the service error:",
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
    let proto = svc.protocol.generator();
    let protocol_items = proto.operation_items(svc, op);
    let error_enum = error_enum(svc, op, &n);
    let fluent_def = fluent_builder(op, &n);
    let token_fill = token_fill(op);
    let mut_input = if op
        .input
        .fields
        .iter()
        .any(|f| f.idempotency_token && f.optional && fillable_token(f))
    {
        quote!(mut input)
    } else {
        quote!(input)
    };
    let call = call(svc, op);
    let (checksum_request, validate_stream, validate_whole) = checksum_steps(op);
    let compress = if !uses_compression(op) {
        quote!()
    } else {
        let encodings = &op.compression;
        quote! {
            let mut request = request;
            ::awsrt::compression::request(handle.config(), &mut request, &[#(#encodings),*])
                .map_err(::awsrt::error::SdkError::Construction)?;
        }
    };
    let input_events = op.input.fields.iter().find_map(|f| match &f.ty {
        crate::ir::RType::EventInput(u) => Some((f, u)),
        _ => None,
    });
    let take_events = match input_events {
        Some((f, _)) => {
            let n = ident(&f.name);
            if f.optional {
                quote!(let events = input.#n.take().unwrap_or_default();)
            } else {
                quote!(let events = ::std::mem::take(&mut input.#n);)
            }
        }
        None => quote!(),
    };
    let exchange = if let Some((_, u)) = input_events {
        let options = call_options(svc, op);
        let marshal = super::event_stream::marshal_fn(u);
        let parse = if op.streams_output() {
            quote!(parse_streaming_response(&reply, body))
        } else {
            quote! {
                let reply = ::awsrt::event_stream::collect_reply(reply, body).await?;
                parse_response(&reply)
            }
        };
        quote! {
            let (reply, body) = handle
                .call_event_stream(&OPERATION, request, events.into_body(crate::event_stream::#marshal), #options)
                .await
                .map_err(::awsrt::error::SdkError::cast)?;
            #parse
        }
    } else if op.streams_output() {
        let options = call_options(svc, op);
        quote! {
            let (reply, body) = handle
                .call_streaming(&OPERATION, request, #options)
                .await
                .map_err(::awsrt::error::SdkError::cast)?;
            #validate_stream
            parse_streaming_response(&reply, body)
        }
    } else {
        quote! {
            let reply = #call.await.map_err(::awsrt::error::SdkError::cast)?;
            #validate_whole
            parse_response(&reply)
        }
    };
    // The input is not needed once the request is built: free it before waiting on the
    // network (an input of plain values has nothing to free).
    let drop_input = if op
        .input
        .fields
        .iter()
        .any(|f| f.boxed || needs_drop(svc, &f.ty, 0))
    {
        quote!(drop(input);)
    } else {
        quote!()
    };
    let send_body = match &op.not_callable {
        Some(why) => {
            let msg = format!("{} is not yet callable: {why}", op.name);
            quote! {
                let _ = (handle, input, &OPERATION);
                Err(::awsrt::error::SdkError::Construction(::awsrt::error::BuildError::new(
                    ::awsrt::error::BuildErrorKind::Other,
                    #msg,
                )))
            }
        }
        None => {
            let params = endpoint_params(op);
            let discovery = super::discovery::send_hook(svc, op);
            quote! {
                #(#token_fill)*
                #take_events
                let request = handle
                    .serialize(&OPERATION, || ser_request(&input))
                    .map_err(::awsrt::error::SdkError::Construction)?;
                #params
                #discovery
                #compress
                #checksum_request
                #drop_input
                #exchange
            }
        }
    };
    let mut_input = if op.not_callable.is_some() {
        quote!(input)
    } else {
        mut_input
    };
    let presign_fn = presign_fn(op, &mut_input, input, error);
    let mock_hook = super::mocks::send_hook(op);
    let mock_impl = super::mocks::mock_operation_impl(op);
    // `send` takes the input as is: the mock hook may replace it before it is made mutable
    // (for the idempotency tokens to fill).
    let fills_tokens = op.not_callable.is_none()
        && op
            .input
            .fields
            .iter()
            .any(|f| f.idempotency_token && f.optional && fillable_token(f));
    let rebind_input = if fills_tokens || (op.not_callable.is_none() && input_events.is_some()) {
        quote!(let mut input = input;)
    } else {
        quote!()
    };
    let sensitive_input = svc.sensitive_input(op);
    let sensitive_output = svc.sensitive_output(op);
    let send_doc = format!("Sends this input as a `{name}` request with `client`.");
    let send_doc_doc = crate::emit::common::doc(&send_doc);
    quote! {
        /// What the runtime needs to know about this operation.
        pub(crate) static OPERATION: ::awsrt::client::OperationInfo = ::awsrt::client::OperationInfo {
            name: #name,
            retryable_errors: &[#(#retryable),*],
            throttling_errors: &[#(#throttling),*],
            sensitive_input: #sensitive_input,
            sensitive_output: #sensitive_output,
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

        pub(crate) async fn send(handle: &::awsrt::client::ClientHandle, input: #input) -> Result<#output, ::awsrt::error::SdkError<#error>> {
            #mock_hook
            #rebind_input
            #send_body
        }
        #mock_impl

        #presign_fn

        #protocol_items
        #extra
    }
}

fn error_enum(svc: &Service, op: &Operation, n: &OpNames) -> TokenStream {
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
        let f = format_ident!("{}", names::is_fn(e));
        let d = format!("Whether this is a `{e}`.");
        let d_doc = crate::emit::common::doc(&d);
        quote!(#d_doc #[inline] pub fn #f(&self) -> bool { matches!(self, Self::#v(_)) })
    });
    let inner_arms = op.errors.iter().map(|e| {
        let v = ident(e);
        quote!(Self::#v(e) => e,)
    });
    let from_response = svc.protocol.generator().error_from_response(svc, op);
    let decode_error = svc.protocol.generator().decode_error();
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
            #[inline] pub(crate) fn from_response(resp: &::awsrt::http::HttpResponse, meta: ::awsrt::error::ErrorMetadata) -> Result<Self, #decode_error> {
                #from_response
            }
            #(#is_fns)*
            /// Whether this error is not one the model describes.
            #[inline] pub fn is_unhandled(&self) -> bool { matches!(self, Self::Unhandled(_)) }
            /// Code, message, request id and HTTP status of the error response.
            #[inline] pub fn meta(&self) -> &::awsrt::error::ErrorMetadata {
                ::awsrt::error::ProvideErrorMetadata::meta(self.inner())
            }
            /// The error in the variant.
            #[inline] fn inner(&self) -> &dyn ::awsrt::error::ModeledError {
                match self { #(#inner_arms)* Self::Unhandled(e) => e }
            }
            /// The error code, e.g. `ResourceNotFoundException`.
            #[inline] pub fn code(&self) -> Option<&str> { self.meta().code.as_deref() }
            /// The service's message.
            #[inline] pub fn message(&self) -> Option<&str> { self.meta().message.as_deref() }
            /// The request id of the failed request.
            #[inline] pub fn request_id(&self) -> Option<&str> { self.meta().request_id.as_deref() }
        }
        impl ::awsrt::error::ProvideErrorMetadata for #error {
            #[inline] fn meta(&self) -> &::awsrt::error::ErrorMetadata { #error::meta(self) }
        }
        /// For [`SdkError::into_service_error`](crate::error::SdkError::into_service_error):
        /// failures that are not error responses become `Unhandled`.
        impl ::std::convert::From<::awsrt::error::Unhandled> for #error {
            #[inline] fn from(e: ::awsrt::error::Unhandled) -> Self { Self::Unhandled(e) }
        }
        impl ::std::fmt::Display for #error {
            #[inline] fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt(self.inner(), f)
            }
        }
        impl ::std::error::Error for #error {
            #[inline] fn source(&self) -> Option<&(dyn ::std::error::Error + 'static)> {
                Some(self.inner().as_error())
            }
        }
    }
}

fn fluent_builder(op: &Operation, n: &OpNames) -> TokenStream {
    let OpNames {
        output,
        error,
        fluent,
        ..
    } = n;
    let builder = format_ident!("{}", names::builder_name(&op.types.input));
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
        .filter(|f| f.idempotency_token && !f.optional && fillable_token(f))
        .map(|f| {
            let fname = ident(&f.name);
            let token = token_value(f);
            quote! {
                if inner.#fname.is_none() {
                    inner.#fname = Some(#token);
                }
            }
        })
        .collect::<Vec<_>>();
    let has_required_token = op
        .input
        .fields
        .iter()
        .any(|f| f.idempotency_token && !f.optional && fillable_token(f));
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
    let presigned_method = presigned_method(op, &inner_binding, &required_token, &build, error);
    let blocking_doc = crate::emit::common::doc(&format!(
        "The blocking mode (feature `blocking`), what [`blocking::Client::{0}`](crate::blocking::Client::{0}) returns: `send()` waits for the answer.",
        op.fn_name
    ));
    // An input event stream is not `Clone`: neither is the builder that holds it.
    let derive_clone = if shapes::has_stream(&op.input) {
        quote!()
    } else {
        quote!(Clone,)
    };
    quote! {
        #doc_doc
        ///
        /// `M` is the calling mode: [`Async`](crate::client::Async) (the default), whose `send()`
        /// is `async`, or `Blocking` (feature `blocking`), whose `send()` waits for the answer.
        #[derive(#derive_clone ::std::fmt::Debug)]
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
            /// An [`SdkError`](crate::error::SdkError): the input could not be built, the request timed out or could not be sent,
            /// the response could not be parsed, or the service returned an error.
            pub async fn send(self) -> Result<#output, ::awsrt::error::SdkError<#error>> {
                #inner_binding
                #(#required_token)*
                let input = #build;
                send(&self.handle, input).await
            }
            /// Settings for this call only (retries, timeouts, interceptors): returns a
            /// [`Customize`](crate::client::Customize); finish with its `send()`.
            #[inline] pub fn customize(self) -> ::awsrt::client::Customize<Self, Result<#output, ::awsrt::error::SdkError<#error>>> {
                ::awsrt::client::Customize::new(self, |b| &mut b.handle, |b| ::std::boxed::Box::pin(b.send()))
            }
            #presigned_method
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
            /// The same [`SdkError`](crate::error::SdkError) as the async `send()`.
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

/// The call options of an operation: its auth when it differs from the service's default.
fn call_options(svc: &Service, op: &Operation) -> TokenStream {
    let http2 = if uses_http2(svc, op) {
        quote!(.http2())
    } else {
        quote!()
    };
    if op.auth == svc.auth {
        return quote!(::awsrt::client::CallOptions::new() #http2);
    }
    let auth = auth_scheme(op.auth);
    quote!(::awsrt::client::CallOptions::new().auth(#auth) #http2)
}

/// Whether the operation streams events over HTTP/2 (its service's protocol asks for it).
/// Whether `op` compresses its request body (`@requestCompression`, a body not streamed): its
/// crate turns on the runtime's `compression` feature.
pub fn uses_compression(op: &Operation) -> bool {
    !op.compression.is_empty()
        && !op
            .input
            .fields
            .iter()
            .any(|f| f.ty == crate::ir::RType::Stream)
}

pub fn uses_http2(svc: &Service, op: &Operation) -> bool {
    svc.event_stream_http2
        && op.not_callable.is_none()
        && (op.input_events().is_some() || op.output_events().is_some())
}

fn auth_scheme(auth: Auth) -> TokenStream {
    match auth {
        Auth::SigV4 => quote!(::awsrt::client::AuthScheme::SigV4),
        Auth::OptionalSigV4 => quote!(::awsrt::client::AuthScheme::OptionalSigV4),
        Auth::None => quote!(::awsrt::client::AuthScheme::None),
        Auth::Bearer => quote!(::awsrt::client::AuthScheme::Bearer),
    }
}

/// The runtime call: `call`, or `call_with` the operation's auth when it differs from the
/// service's default.
fn call(svc: &Service, op: &Operation) -> TokenStream {
    if op.auth == svc.auth {
        return quote!(handle.call(&OPERATION, request));
    }
    let auth = auth_scheme(op.auth);
    quote!(handle.call_with(&OPERATION, request, ::awsrt::client::CallOptions::new().auth(#auth)))
}

/// Whether a value of `ty` owns something to free (has drop glue): strings, blobs, collections,
/// and structures or unions holding any of them.
fn needs_drop(svc: &Service, ty: &crate::ir::RType, depth: usize) -> bool {
    use crate::ir::RType;
    match ty {
        RType::Bool
        | RType::I8
        | RType::I16
        | RType::I32
        | RType::I64
        | RType::F32
        | RType::F64
        | RType::Timestamp(_)
        | RType::IntEnum(_)
        | RType::Unit => false,
        RType::Struct(n) | RType::Union(n) if depth < 32 => match svc.ty(n) {
            Some(TypeDef::Struct(s) | TypeDef::Union(s)) => s
                .fields
                .iter()
                .any(|f| f.boxed || needs_drop(svc, &f.ty, depth + 1)),
            _ => true,
        },
        _ => true,
    }
}

/// Whether an `@idempotencyToken` member is filled with a UUID when unset: a string, sensitive
/// or not.
fn fillable_token(f: &crate::ir::Field) -> bool {
    matches!(
        f.ty,
        crate::ir::RType::String | crate::ir::RType::SensitiveString
    )
}

/// A fresh idempotency token of the member's type.
fn token_value(f: &crate::ir::Field) -> TokenStream {
    if f.ty == crate::ir::RType::SensitiveString {
        quote!(::awsrt::types::SensitiveString::new(
            ::awsrt::types::uuid_v4()
        ))
    } else {
        quote!(::awsrt::types::uuid_v4())
    }
}

/// The statements adding the operation's endpoint-rule parameters to `request` (none when it
/// has none).
fn endpoint_params(op: &crate::ir::Operation) -> TokenStream {
    use crate::ir::EndpointParam;
    if op.endpoint_params.is_empty() {
        return TokenStream::new();
    }
    let pushes = op.endpoint_params.iter().filter_map(|p| match p {
        EndpointParam::Static { param, value } => {
            let v = match value {
                serde_json::Value::Bool(b) => quote!(::awsrt::endpoint::Value::Bool(#b)),
                serde_json::Value::String(s) => quote!(::awsrt::endpoint::Value::from(#s)),
                serde_json::Value::Array(items) => {
                    let items = items.iter().filter_map(|i| i.as_str());
                    quote!(::awsrt::endpoint::Value::StringArray(vec![#(#items.to_string()),*]))
                }
                _ => return None,
            };
            Some(quote!(request.endpoint_params.push((#param, #v));))
        }
        EndpointParam::Member {
            param,
            field,
            ty,
            optional,
        } => {
            let n = crate::emit::common::ident(field);
            let value = match ty {
                crate::ir::RType::Bool => quote!(::awsrt::endpoint::Value::Bool(*v)),
                _ => quote!(::awsrt::endpoint::Value::from(v.as_str())),
            };
            Some(if *optional {
                quote!(if let Some(v) = &input.#n { request.endpoint_params.push((#param, #value)); })
            } else {
                quote!({ let v = &input.#n; request.endpoint_params.push((#param, #value)); })
            })
        }
    });
    quote! {
        let mut request = request;
        #(#pushes)*
    }
}

/// Fills each unset `@idempotencyToken` member of `input` (shared by `send` and `presign`, so a
/// presigned request is the one `send` would make).
fn token_fill(op: &Operation) -> Vec<TokenStream> {
    op.input
        .fields
        .iter()
        .filter(|f| f.idempotency_token && f.optional && fillable_token(f))
        .map(|f| {
            let fname = ident(&f.name);
            let token = token_value(f);
            quote!(if input.#fname.is_none() { input.#fname = Some(#token); })
        })
        .collect()
}

/// The operation module's `presign`: the request `send` would make, presigned.
fn presign_fn(
    op: &Operation,
    mut_input: &TokenStream,
    input: &proc_macro2::Ident,
    error: &proc_macro2::Ident,
) -> TokenStream {
    if op.not_callable.is_some() {
        return TokenStream::new();
    }
    let params = endpoint_params(op);
    let token_fill = token_fill(op);
    quote! {
        pub(crate) async fn presign(handle: &::awsrt::client::ClientHandle, #mut_input: #input, config: &::awsrt::client::PresigningConfig) -> Result<::awsrt::client::PresignedRequest, ::awsrt::error::SdkError<#error>> {
            #(#token_fill)*
            let request = ser_request(&input).map_err(::awsrt::error::SdkError::Construction)?;
            #params
            handle.presign(&OPERATION, request, config).await.map_err(::awsrt::error::SdkError::cast)
        }
    }
}

/// The fluent builder's `presigned()`.
fn presigned_method(
    op: &Operation,
    inner_binding: &TokenStream,
    required_token: &[TokenStream],
    build: &TokenStream,
    error: &proc_macro2::Ident,
) -> TokenStream {
    if op.not_callable.is_some() {
        return TokenStream::new();
    }
    quote! {
        /// Builds the input and presigns its request instead of sending it: a URL (with the
        /// signature in its query string) that anyone holding it can call until it expires.
        ///
        /// # Errors
        ///
        /// A construction error: the input could not be built, or there are no credentials,
        /// region or endpoint to sign with.
        pub async fn presigned(self, config: ::awsrt::client::PresigningConfig) -> Result<::awsrt::client::PresignedRequest, ::awsrt::error::SdkError<#error>> {
            #inner_binding
            #(#required_token)*
            let input = #build;
            presign(&self.handle, input, &config).await
        }
    }
}

/// The statements of `send` for an operation with `@httpChecksum`: the request checksum (and
/// `validate`, whether the response is checked) after the request is built; the check of a
/// streamed body (`body`) or of a whole reply before it is parsed.
fn checksum_steps(op: &Operation) -> (TokenStream, TokenStream, TokenStream) {
    let Some(c) = &op.checksum else {
        return (TokenStream::new(), TokenStream::new(), TokenStream::new());
    };
    let chosen = match &c.algorithm_field {
        Some((field, optional, _)) => {
            let n = ident(field);
            if *optional {
                quote!(input.#n.as_ref().map(|a| a.as_str()))
            } else {
                quote!(Some(input.#n.as_str()))
            }
        }
        None => quote!(None),
    };
    let header = match c.algorithm_field.as_ref().and_then(|(_, _, h)| h.as_ref()) {
        Some(h) => quote!(Some(#h)),
        None => quote!(None),
    };
    let required = c.required;
    let algorithms = &c.response_algorithms;
    let validate = if algorithms.is_empty() {
        quote!()
    } else {
        let asked = match &c.validation_field {
            Some((field, optional)) => {
                let n = ident(field);
                if *optional {
                    quote!(input.#n.as_ref().is_some_and(|m| m.as_str() == "ENABLED"))
                } else {
                    quote!(input.#n.as_str() == "ENABLED")
                }
            }
            None => quote!(false),
        };
        quote! {
            let validate = #asked
                || handle.config().response_checksum_validation()
                    == ::awsrt::checksum::ChecksumWhen::WhenSupported;
        }
    };
    let request = quote! {
        let mut request = request;
        ::awsrt::checksum::request(
            handle.config().request_checksum_calculation(),
            &mut request,
            #chosen,
            #header,
            #required,
        )
        .map_err(::awsrt::error::SdkError::Construction)?;
        #validate
    };
    if algorithms.is_empty() {
        return (request, TokenStream::new(), TokenStream::new());
    }
    let stream = quote! {
        let body = if validate && reply.response.is_success() {
            ::awsrt::checksum::validate_stream(&reply.response, body, &[#(#algorithms),*])
        } else {
            body
        };
    };
    let whole = quote! {
        if validate && reply.response.is_success() {
            if let Err(e) = ::awsrt::checksum::validate(&reply.response, &[#(#algorithms),*]) {
                return Err(::awsrt::error::SdkError::Response(
                    ::awsrt::error::ResponseError::from_response(&reply.response, e),
                ));
            }
        }
    };
    (request, stream, whole)
}
