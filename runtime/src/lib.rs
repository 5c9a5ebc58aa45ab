//! Runtime shared by every client that `cargo xtask codegen` generates.
//!
//! Names no service: everything service-specific arrives through [`client::ServiceInfo`] and
//! [`client::OperationInfo`] statics emitted by the generator. See `docs/ARCHITECTURE.md`.

pub mod json;
pub mod types;
pub mod sigv4;
pub mod credentials;
pub mod profile;
pub mod endpoint;
pub mod http;
pub mod config;
pub mod retry;
pub mod error;
pub mod client;
pub mod protocol;
pub mod paginator;
#[cfg(feature = "test-util")]
pub mod test_util;
#[cfg(feature = "blocking")]
pub mod blocking;
