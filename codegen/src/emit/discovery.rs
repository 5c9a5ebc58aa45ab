//! Endpoint discovery ([`crate::ir::discovery`]): the discovery operation's module gets the
//! service's `ENDPOINT_DISCOVERY` (what the runtime needs: the operation, the invalidating error
//! and a function calling the operation through the client), and the `send()` of each operation
//! with `aws.api#clientDiscoveredEndpoint` hands its call an `awsrt::client::EndpointDiscovery`.
//! The runtime (`awsrt::client::ClientHandle::with_endpoint_discovery`) does the rest: when it
//! applies, the cache, the single discovery call for concurrent callers, the background refresh.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::common::{bare, ident};
use crate::ir::discovery::FieldRef;
use crate::ir::{Operation, Service};

/// The discovery operation's items (in its module): `ENDPOINT_DISCOVERY` and the function that
/// calls the operation. Empty for every other operation.
pub fn discovery_items(svc: &Service, op: &Operation) -> TokenStream {
    let Some(d) = &svc.endpoint_discovery else {
        return TokenStream::new();
    };
    // Without an operation that uses it there is nothing to discover for (and the items would
    // be dead code).
    if d.operation != op.name
        || !svc
            .operations
            .iter()
            .any(|o| o.endpoint_discovery.is_some())
    {
        return TokenStream::new();
    }
    let name = &d.operation;
    let error_code = &d.error_code;
    let input = ident(&op.types.input);
    let setter = |f: &FieldRef| format_ident!("{}", crate::names::prefixed("set", bare(&f.name)));
    let mut uses_request = false;
    let mut sets = Vec::new();
    if let Some(f) = &d.operation_input {
        uses_request = true;
        let s = setter(f);
        sets.push(quote!(.#s(Some(request.operation().to_string()))));
    }
    if let Some(f) = &d.identifiers_input {
        uses_request = true;
        let s = setter(f);
        sets.push(quote!(.#s(Some(request.identifier_map()))));
    }
    let build = if op.input.fallible_build() {
        quote!(.build().map_err(::awsrt::error::SdkError::Construction)?)
    } else {
        quote!(.build())
    };
    let request_param = if uses_request {
        quote!(request)
    } else {
        quote!(_request)
    };
    let endpoints = ident(&d.endpoints.name);
    let endpoints = if d.endpoints.optional {
        quote!(output.#endpoints.unwrap_or_default())
    } else {
        quote!(output.#endpoints)
    };
    let address = ident(&d.address.name);
    let address = if d.address.optional {
        quote!(e.#address.unwrap_or_default())
    } else {
        quote!(e.#address)
    };
    let period = ident(&d.cache_period.name);
    let period = if d.cache_period.optional {
        quote!(e.#period.unwrap_or_default())
    } else {
        quote!(e.#period)
    };
    quote! {
        /// The service's endpoint discovery: this operation names the endpoint of the operations
        /// marked `aws.api#clientDiscoveredEndpoint`; their calls hand it to the runtime.
        pub(crate) static ENDPOINT_DISCOVERY: ::awsrt::client::EndpointDiscoveryInfo = ::awsrt::client::EndpointDiscoveryInfo {
            operation: #name,
            invalid_endpoint_error: #error_code,
            discover: discover_endpoints,
        };

        /// Calls this operation (on the endpoint the rules resolve) and answers with the
        /// endpoints of its output.
        fn discover_endpoints(
            handle: ::awsrt::client::ClientHandle,
            #request_param: ::awsrt::client::DiscoveryRequest,
        ) -> ::awsrt::http::BoxFuture<'static, Result<::std::vec::Vec<::awsrt::client::DiscoveredEndpoint>, ::awsrt::error::SdkError<::awsrt::error::Never>>> {
            ::std::boxed::Box::pin(async move {
                let input = #input::builder() #(#sets)* #build;
                let output = send(&handle, input)
                    .await
                    .map_err(|e| ::awsrt::client::discovery_failed(#name, e))?;
                Ok(#endpoints
                    .into_iter()
                    .map(|e| ::awsrt::client::DiscoveredEndpoint {
                        address: #address,
                        cache_period_in_minutes: #period,
                    })
                    .collect())
            })
        }
    }
}

/// The statements of `send()` that give the call its endpoint discovery (none for an operation
/// without `aws.api#clientDiscoveredEndpoint`). They shadow `handle`, and read the discovery
/// identifiers from `input`.
pub fn send_hook(svc: &Service, op: &Operation) -> TokenStream {
    let (Some(d), Some(sd)) = (&op.endpoint_discovery, &svc.endpoint_discovery) else {
        return TokenStream::new();
    };
    let module = ident(&sd.module);
    let name = &op.name;
    let mode = if d.required {
        quote!(::awsrt::client::DiscoveryMode::Required)
    } else {
        quote!(::awsrt::client::DiscoveryMode::Optional)
    };
    let ids = d.identifiers.iter().map(|(member, f)| {
        let n = ident(&f.name);
        if f.optional {
            quote! {
                if let Some(v) = &input.#n {
                    discovery = discovery.identifier(#member, v.as_str());
                }
            }
        } else {
            quote!(discovery = discovery.identifier(#member, input.#n.as_str());)
        }
    });
    let binding = if d.identifiers.is_empty() {
        quote!(let discovery)
    } else {
        quote!(let mut discovery)
    };
    quote! {
        #binding = ::awsrt::client::EndpointDiscovery::new(
            &crate::operation::#module::ENDPOINT_DISCOVERY,
            #name,
            #mode,
        );
        #(#ids)*
        let handle = &handle.with_endpoint_discovery(discovery);
    }
}

/// The paragraph of an operation's docs that says it uses endpoint discovery and how to turn it
/// on or off (empty for an operation without it).
pub fn doc_note(svc: &Service, op: &Operation) -> String {
    let (Some(d), Some(sd)) = (&op.endpoint_discovery, &svc.endpoint_discovery) else {
        return String::new();
    };
    let scope = if d.identifiers.is_empty() {
        "credentials and region".to_string()
    } else {
        let names: Vec<String> = d
            .identifiers
            .iter()
            .map(|(m, _)| format!("`{m}`"))
            .collect();
        format!("credentials, region and {}", names.join(", "))
    };
    let off = "An endpoint URL set in code, by `AWS_ENDPOINT_URL` (or the service's \
               `AWS_ENDPOINT_URL_...`) or in the profile turns discovery off.";
    if d.required {
        format!(
            "\n\n**Endpoint discovery (required):** the request goes to the endpoint the service's \
             `{op}` operation names, called before the first request and cached per {scope} for as long as the service says (refreshed in the background before \
             it expires, dropped when the service answers `{err}`). It is always on. {off}",
            op = sd.operation,
            err = sd.error_code,
        )
    } else {
        format!(
            "\n\n**Endpoint discovery (optional, off by default):** when turned on \
             (`ConfigBuilder::endpoint_discovery_enabled(true)`, `AWS_ENABLE_ENDPOINT_DISCOVERY=true`, \
             or `endpoint_discovery_enabled = true` in the profile) the request goes to the \
             endpoint the service's `{op}` operation names, cached per {scope} \
             for as long as the service says (refreshed in the background before it expires, \
             dropped when the service answers `{err}`); if discovery fails, to the usual endpoint. \
             {off}",
            op = sd.operation,
            err = sd.error_code,
        )
    }
}
