//! Runtime shared by every client that `cargo xtask codegen` generates.
//!
//! Names no service: everything service-specific arrives through [`client::ServiceInfo`] and
//! [`client::OperationInfo`] statics emitted by the generator. See `docs/ARCHITECTURE.md`.

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod client;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod json;
pub mod paginator;
pub mod profile;
pub mod protocol;
pub mod retry;
pub mod sigv4;
#[cfg(feature = "test-util")]
pub mod test_util;
pub mod types;
