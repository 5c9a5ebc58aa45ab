//! What a generated crate re-exports from the runtime, grouped as the official AWS SDK groups
//! it, so that a user who depends on the generated crate alone can name every type its API
//! hands out or asks for: `primitives` (timestamps, blobs, secrets, documents, streams, big
//! numbers), `config` (configuration, credentials, retries, timeouts, transport, proxy, CA
//! bundle, interceptors, metrics), `error` (the error types and their kinds), `pagination`;
//! and the crate-level documentation of every configuration knob.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::Service;

/// `src/primitives.rs`.
pub fn primitives_rs() -> TokenStream {
    quote! {
        //! The primitive types of the API: timestamps, binary data, `@sensitive` values,
        //! documents, streamed bodies and arbitrary-precision numbers.

        pub use ::awsrt::types::{
            BigDecimal, BigInteger, Blob, ByteStream, DateTime, Document, Number, SensitiveBlob,
            SensitiveString, TimestampFormat,
        };
        pub use ::awsrt::types::{
            BigNumberError, ByteStreamError, DateTimeParseError, DateTimeRangeError,
        };
    }
}

/// The re-exports at the top of `src/config.rs`.
pub fn config_items() -> TokenStream {
    quote! {
        pub use ::awsrt::config::{Config, ConfigBuilder, ConfigError, ConfigLoader, TimeoutConfig};
        pub use ::awsrt::retry::{RetryConfig, RetryMode};
        pub use ::awsrt::credentials::{Credentials, ProvideCredentials};
        pub use ::awsrt::checksum::ChecksumWhen;
        pub use ::awsrt::profile::{Env, ProfileSet};
        /// Credentials providers: the default chain, environment, profile, process, ECS and
        /// EC2 instance metadata, static keys, and the cache around them.
        pub use ::awsrt::credentials;
        /// The HTTP layer: the default [`HyperTransport`](http::HyperTransport) and its builder,
        /// the [`Transport`](http::Transport) trait for your own, [`ProxyConfig`](http::ProxyConfig),
        /// [`CaBundle`](http::CaBundle), and the transport errors.
        pub use ::awsrt::http;
        /// Hooks into every call: implement [`Interceptor`](interceptor::Interceptor), register it with [`ConfigBuilder::interceptor`] or per call with `customize()`.
        pub use ::awsrt::interceptor;
        /// Endpoint resolution: [`Value`](endpoint::Value) for
        /// [`ConfigBuilder::endpoint_builtin`], [`Partitions`](endpoint::Partitions) for
        /// [`ConfigBuilder::partitions`].
        pub use ::awsrt::endpoint;
        /// Metrics of calls and connections: [`ConfigBuilder::meter_provider`] takes a
        /// [`MeterProvider`](observability::MeterProvider).
        pub use ::awsrt::observability;
    }
}

/// The re-exports of `src/error.rs`.
pub fn error_items() -> TokenStream {
    quote! {
        pub use ::awsrt::error::{
            BuildError, BuildErrorKind, DispatchError, DisplayErrorContext, ErrorMetadata,
            ProvideErrorMetadata, ResponseError, SdkError, ServiceError, TimeoutError, TimeoutKind,
            Unhandled,
        };
        pub use ::awsrt::http::{TlsErrorKind, TransportError, TransportErrorKind, TransportTimeout};
    }
}

/// The `pagination` module of `src/lib.rs`.
pub fn pagination_mod() -> TokenStream {
    quote! {
        /// Paginated results: the fluent builder of a paginated operation has `into_paginator()`,
        /// whose `send()` returns a [`PageStream`](pagination::PageStream) of pages
        /// (`next().await`, `collect().await`), and whose `items()` streams the items.
        pub mod pagination {
            pub use ::awsrt::paginator::PageStream;
        }
    }
}

/// The crate-level "Configuration" section: every knob, linked, with a one-line example each
/// in one example that compiles (`no_run`).
pub fn config_docs(svc: &Service, c: &str) -> String {
    let endpoint_env = match svc.env_suffix() {
        Some(suffix) => format!("`AWS_ENDPOINT_URL_{suffix}`, `AWS_ENDPOINT_URL`"),
        None => "`AWS_ENDPOINT_URL`".to_string(),
    };
    let endpoint_note = if svc.endpoint_rules.is_empty() {
        "required: the service has no endpoint rules"
    } else {
        "instead of the one the endpoint rules give"
    };
    format!(
        "## Configuration\n\n\
         [`Config::from_env`](crate::Config::from_env) reads the standard AWS environment variables and\n\
         `~/.aws` files; [`Config::loader`](crate::Config::loader) does the same with settings of your own on top,\n\
         and [`Config::builder`](crate::Config::builder) reads nothing. Each setting below is a method of\n\
         [`ConfigBuilder`] (most also of [`ConfigLoader`](crate::config::ConfigLoader)):\n\n\
         | Setting | Method | Environment |\n\
         |---|---|---|\n\
         | Region | [`region`](crate::config::ConfigBuilder::region) | `AWS_REGION` |\n\
         | Credentials | [`credentials`](crate::config::ConfigBuilder::credentials), [`credentials_provider`](crate::config::ConfigBuilder::credentials_provider) ([providers](crate::config::credentials)) | `AWS_ACCESS_KEY_ID`, `AWS_PROFILE`, ... |\n\
         | Endpoint ({endpoint_note}) | [`endpoint_url`](crate::config::ConfigBuilder::endpoint_url) | {endpoint_env} |\n\
         | Retries | [`retry_config`](crate::config::ConfigBuilder::retry_config) ([`RetryConfig`](crate::config::RetryConfig)) | `AWS_MAX_ATTEMPTS`, `AWS_RETRY_MODE` |\n\
         | Timeouts | [`timeout_config`](crate::config::ConfigBuilder::timeout_config) ([`TimeoutConfig`](crate::config::TimeoutConfig)) | |\n\
         | Proxy | [`proxy`](crate::config::ConfigBuilder::proxy) ([`ProxyConfig`](crate::config::http::ProxyConfig)) | `HTTPS_PROXY`, `NO_PROXY` |\n\
         | CA bundle | [`ca_bundle`](crate::config::ConfigBuilder::ca_bundle) ([`CaBundle`](crate::config::http::CaBundle)) | `AWS_CA_BUNDLE` |\n\
         | Transport | [`transport`](crate::config::ConfigBuilder::transport) ([`HyperTransport`](crate::config::http::HyperTransport), or your [`Transport`](crate::config::http::Transport)) | |\n\
         | Interceptors | [`interceptor`](crate::config::ConfigBuilder::interceptor) ([`Interceptor`](crate::config::interceptor::Interceptor)) | |\n\
         | FIPS, dual-stack | [`use_fips`](crate::config::ConfigBuilder::use_fips), [`use_dual_stack`](crate::config::ConfigBuilder::use_dual_stack) | `AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT` |\n\
         | Application name (User-Agent) | [`app_name`](crate::config::ConfigBuilder::app_name) | `AWS_SDK_UA_APP_ID` |\n\
         | Metrics | [`meter_provider`](crate::config::ConfigBuilder::meter_provider) ([`observability`](crate::config::observability)) | |\n\n\
         ```no_run\n\
         # async fn example() -> Result<(), Box<dyn std::error::Error>> {{\n\
         use std::sync::Arc;\n\
         use std::time::Duration;\n\
         use {c}::config::http::{{CaBundle, HyperTransport, ProxyConfig}};\n\
         use {c}::config::{{Config, RetryConfig, TimeoutConfig}};\n\
         \n\
         /// Sees every call (all hooks default to doing nothing).\n\
         #[derive(Debug)]\n\
         struct Audit;\n\
         impl {c}::config::interceptor::Interceptor for Audit {{}}\n\
         \n\
         let config = Config::loader()\n\
         \x20   .region(\"eu-west-1\")                                              // region\n\
         \x20   .load()\n\
         \x20   .await?\n\
         \x20   .to_builder()\n\
         \x20   .credentials(\"AKIDEXAMPLE\", \"wJalrXUtnFEMI/EXAMPLEKEY\", None)   // static credentials\n\
         \x20   .endpoint_url(\"http://localhost:4566\")                           // endpoint\n\
         \x20   .retry_config(RetryConfig::standard().with_max_attempts(5))       // retries\n\
         \x20   .timeout_config(\n\
         \x20       TimeoutConfig::default()\n\
         \x20           .with_connect(Duration::from_secs(3))                       // connect timeout\n\
         \x20           .with_operation(Duration::from_secs(30)),                   // whole call, retries included\n\
         \x20   )\n\
         \x20   .proxy(ProxyConfig::all(\"http://proxy.example.com:3128\")?)       // proxy\n\
         \x20   .ca_bundle(CaBundle::from_pem_file(\"/etc/ssl/corp-ca.pem\")?)     // CA bundle\n\
         \x20   .interceptor(Audit)                                               // interceptor\n\
         \x20   .app_name(\"inventory\")                                           // User-Agent\n\
         \x20   .build();\n\
         let client = {c}::Client::new(&config);\n\
         \n\
         // A transport of your own (here: the default one without post-quantum key exchange);\n\
         // proxy and CA bundle are then set on it.\n\
         let transport = HyperTransport::builder().post_quantum(false).build();\n\
         let config = config.to_builder().transport(Arc::new(transport)).build();\n\
         # let _ = (client, config);\n\
         # Ok(())\n\
         # }}\n\
         ```\n\n\
         A call of its own: `client.<operation>().customize()` sets retries, timeouts and\n\
         interceptors for that call only.\n\n\
         ## Testing code that uses this client\n\n\
         With the feature `test-util`, `test_util::mock!({c}::Client::<operation>)` makes a rule\n\
         matched on the operation's typed input (`.match_requests(|input| ...)`) that answers with\n\
         its typed output or error (`.then_output(|| ...)`, `.then_error(|| ...)`), and\n\
         `test_util::mock_client!({c}, [&rule, ...])` a client answered by such rules; each rule\n\
         records the inputs it was called with (`rule.requests()`). `test_util::MockTransport`\n\
         answers at the HTTP level instead, for tests of retries, timeouts and interceptors."
    )
}
