//! Runtime shared by every client that `cargo xtask codegen` generates.
//!
//! Names no service: everything service-specific arrives through [`client::ServiceInfo`] and
//! [`client::OperationInfo`] statics emitted by the generator. See `docs/ARCHITECTURE.md`.
//!
//! # Security
//!
//! * **TLS** ([`http::HyperTransport`], every HTTPS connection the runtime opens): TLS 1.3 and
//!   1.2 through rustls, certificates checked against the platform's root store, or only
//!   against a CA bundle when one is configured (`AWS_CA_BUNDLE`, the profile's `ca_bundle`,
//!   `ConfigBuilder::ca_bundle`). The key
//!   exchange is post-quantum by default: the ClientHello offers the hybrid **X25519MLKEM768**
//!   (ML-KEM-768 with X25519) first, then X25519, secp256r1 and secp384r1, and carries key shares
//!   for X25519MLKEM768 and X25519, so a server without ML-KEM answers with X25519 in the same
//!   round trip. Traffic recorded today stays secret even if X25519 is broken later, as long as
//!   ML-KEM holds. AWS endpoints accept the hybrid.
//! * **Turning post-quantum off** (a middlebox that drops large ClientHellos, a policy that
//!   forbids ML-KEM): there is no environment variable or profile key for it (the AWS SDKs
//!   define none); set it in code,
//!   `HyperTransport::builder().post_quantum(false).build()`, and give that transport to
//!   `ConfigBuilder::transport`. Nothing turns it off silently: a transport built with
//!   [`http::HyperTransportBuilder::tls_config`] uses exactly the rustls configuration given
//!   (build it with [`http::crypto_provider`] to keep the hybrid).
//! * **Seeing what was negotiated**: each new TLS connection logs one `tracing` event at debug
//!   level, `TLS connection established`, with `host`, `port`, `tls_version`, `key_exchange`
//!   (e.g. `X25519MLKEM768`), `cipher_suite` and `handshake` (`full`, `full with
//!   HelloRetryRequest`, `resumed`); never key material.
//! * A certificate that is expired, not yet valid, for another name or from an untrusted issuer
//!   fails the call with [`error::SdkError::Dispatch`] of kind
//!   [`http::TransportErrorKind::Tls`] (not retried), whose source is the
//!   [`rustls::Error`]; `tls_error_kind()` says which of those it was.
//! * Secrets (`@sensitive` members, credentials) are redacted in `Debug`, wiped on drop and
//!   never logged.

#[cfg(feature = "blocking")]
pub mod blocking;
pub mod cbor;
pub mod checksum;
pub mod client;
pub mod compression;
pub mod config;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod event_stream;
pub mod http;
pub mod interceptor;
pub mod json;
pub mod observability;
pub mod paginator;
pub mod profile;
pub mod protocol;
pub mod retry;
#[cfg(feature = "serde")]
pub mod serde;
pub mod sigv4;
#[cfg(feature = "test-util")]
pub mod test_util;
pub mod types;
pub mod waiter;
pub mod xml;
