//! TLS for the default transport: the rustls crypto provider (the *ring* crate for certificates,
//! ciphers and classical key exchange, plus the hybrid post-quantum group of [`super::pq`]),
//! root certificates and the client configuration.

use std::sync::Arc;

use rustls::crypto::ring as ring_provider;
use rustls::crypto::{
    CryptoProvider, GetRandomFailed, KeyProvider, SecureRandom, SupportedKxGroup,
    WebPkiSupportedAlgorithms,
};
use rustls::pki_types::PrivateKeyDer;
use rustls::sign::SigningKey;
use rustls::SignatureScheme;
use webpki::ring as alg;

use super::pq::X25519_MLKEM768;

/// Key-exchange groups with post-quantum on, most preferred first. rustls sends a key share for
/// the first and, because the hybrid exposes its X25519 half, one for X25519 beside it.
static POST_QUANTUM_GROUPS: &[&dyn SupportedKxGroup] = &[
    X25519_MLKEM768,
    ring_provider::kx_group::X25519,
    ring_provider::kx_group::SECP256R1,
    ring_provider::kx_group::SECP384R1,
];

/// Key-exchange groups with post-quantum turned off.
static CLASSICAL_GROUPS: &[&dyn SupportedKxGroup] = &[
    ring_provider::kx_group::X25519,
    ring_provider::kx_group::SECP256R1,
    ring_provider::kx_group::SECP384R1,
];

/// The cipher suites offered, most preferred first: *ring*'s defaults without
/// ChaCha20-Poly1305. Every AWS endpoint negotiates AES-GCM (their TLS policies offer it first,
/// FIPS endpoints offer nothing else), and every CPU that runs a client has AES instructions,
/// where AES-GCM is also the faster; the ChaCha20 and Poly1305 code the other suites would
/// link is about 60 KB of every program. A server that offers only ChaCha20 needs a
/// [`rustls::ClientConfig`] of the caller's own
/// ([`HyperTransportBuilder::tls_config`](super::HyperTransportBuilder::tls_config)).
pub static CIPHER_SUITES: &[rustls::SupportedCipherSuite] = &[
    ring_provider::cipher_suite::TLS13_AES_256_GCM_SHA384,
    ring_provider::cipher_suite::TLS13_AES_128_GCM_SHA256,
    ring_provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ring_provider::cipher_suite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    ring_provider::cipher_suite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    ring_provider::cipher_suite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
];

/// Certificate and handshake signature algorithms: which verification algorithms each TLS
/// signature scheme may use (RFC 8446 section 4.2.3; the ECDSA schemes accept either curve, as
/// TLS 1.2 allows).
static SIGNATURE_ALGORITHMS: WebPkiSupportedAlgorithms = WebPkiSupportedAlgorithms {
    all: &[
        alg::ECDSA_P256_SHA256,
        alg::ECDSA_P256_SHA384,
        alg::ECDSA_P384_SHA256,
        alg::ECDSA_P384_SHA384,
        alg::ED25519,
        alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
        alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
        alg::RSA_PKCS1_2048_8192_SHA256,
        alg::RSA_PKCS1_2048_8192_SHA384,
        alg::RSA_PKCS1_2048_8192_SHA512,
        alg::RSA_PKCS1_3072_8192_SHA384,
    ],
    mapping: &[
        (
            SignatureScheme::ECDSA_NISTP384_SHA384,
            &[alg::ECDSA_P384_SHA384, alg::ECDSA_P256_SHA384],
        ),
        (
            SignatureScheme::ECDSA_NISTP256_SHA256,
            &[alg::ECDSA_P256_SHA256, alg::ECDSA_P384_SHA256],
        ),
        (SignatureScheme::ED25519, &[alg::ED25519]),
        (
            SignatureScheme::RSA_PSS_SHA512,
            &[alg::RSA_PSS_2048_8192_SHA512_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA384,
            &[alg::RSA_PSS_2048_8192_SHA384_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PSS_SHA256,
            &[alg::RSA_PSS_2048_8192_SHA256_LEGACY_KEY],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA512,
            &[alg::RSA_PKCS1_2048_8192_SHA512],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA384,
            &[alg::RSA_PKCS1_2048_8192_SHA384],
        ),
        (
            SignatureScheme::RSA_PKCS1_SHA256,
            &[alg::RSA_PKCS1_2048_8192_SHA256],
        ),
    ],
};

/// Randomness and private-key loading from *ring*.
#[derive(Debug)]
struct Ring;

impl SecureRandom for Ring {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        use ring::rand::SecureRandom as _;
        ring::rand::SystemRandom::new()
            .fill(buf)
            .map_err(|_| GetRandomFailed)
    }
}

impl KeyProvider for Ring {
    fn load_private_key(
        &self,
        key_der: PrivateKeyDer<'static>,
    ) -> Result<Arc<dyn SigningKey>, rustls::Error> {
        ring_provider::sign::any_supported_type(&key_der)
    }
}

/// The rustls crypto provider the default transport uses.
///
/// With `post_quantum` (the default of [`HyperTransportBuilder`](super::HyperTransportBuilder))
/// the key-exchange groups are, in order, X25519MLKEM768 (hybrid: ML-KEM-768 and X25519),
/// X25519, secp256r1 and secp384r1, and a ClientHello carries key shares for X25519MLKEM768 and
/// X25519. Without it, the same list without the hybrid (one X25519 key share). Cipher suites
/// (the AES-GCM suites of TLS 1.3 and 1.2, see [`CIPHER_SUITES`]), signature verification and
/// randomness come from the *ring* crate; ML-KEM from RustCrypto's `ml-kem` crate.
///
/// Use it for a [`rustls::ClientConfig`] you build yourself
/// ([`HyperTransportBuilder::tls_config`](super::HyperTransportBuilder::tls_config)) to keep
/// the same key exchange:
///
/// ```
/// use std::sync::Arc;
/// let roots = awsrt::http::rustls::RootCertStore::empty(); // add your roots
/// let config = awsrt::http::rustls::ClientConfig::builder_with_provider(Arc::new(
///     awsrt::http::crypto_provider(true),
/// ))
/// .with_safe_default_protocol_versions()
/// .unwrap()
/// .with_root_certificates(roots)
/// .with_no_client_auth();
/// let transport = awsrt::http::HyperTransport::builder().tls_config(Arc::new(config)).build();
/// # drop(transport);
/// ```
pub fn crypto_provider(post_quantum: bool) -> CryptoProvider {
    CryptoProvider {
        cipher_suites: CIPHER_SUITES.to_vec(),
        kx_groups: if post_quantum {
            POST_QUANTUM_GROUPS
        } else {
            CLASSICAL_GROUPS
        }
        .to_vec(),
        signature_verification_algorithms: SIGNATURE_ALGORITHMS,
        secure_random: &Ring,
        key_provider: &Ring,
    }
}

/// Where the trusted root certificates come from.
#[derive(Clone, Debug)]
pub(crate) enum Roots {
    /// The platform's store (`rustls-native-certs`), loaded on first use.
    Platform,
    /// Only these DER certificates.
    Only(Vec<rustls::pki_types::CertificateDer<'static>>),
}

/// The client configuration of a transport: `post_quantum` as for [`crypto_provider`].
pub(crate) fn client_config(
    roots: &Roots,
    post_quantum: bool,
) -> Result<Arc<rustls::ClientConfig>, String> {
    let mut store = rustls::RootCertStore::empty();
    match roots {
        Roots::Platform => {
            let loaded = rustls_native_certs::load_native_certs();
            let (added, _ignored) = store.add_parsable_certificates(loaded.certs);
            if added == 0 {
                let detail = loaded
                    .errors
                    .first()
                    .map(|e| format!(": {e}"))
                    .unwrap_or_default();
                return Err(format!(
                    "no trusted root certificates found on this system{detail}"
                ));
            }
        }
        Roots::Only(certs) => {
            for cert in certs {
                store
                    .add(cert.clone())
                    .map_err(|e| format!("invalid root certificate: {e}"))?;
            }
        }
    }
    let mut config =
        rustls::ClientConfig::builder_with_provider(Arc::new(crypto_provider(post_quantum)))
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup failed: {e}"))?
            .with_root_certificates(store)
            .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Logs, at debug level, what a new TLS connection negotiated (never a secret).
pub(crate) fn log_connection(conn: &rustls::ClientConnection, host: &str, port: u16) {
    let version = conn
        .protocol_version()
        .and_then(|v| v.as_str())
        .unwrap_or("unknown");
    let group = conn
        .negotiated_key_exchange_group()
        .map(|g| g.name())
        .and_then(|g| g.as_str())
        .unwrap_or("unknown");
    let suite = conn
        .negotiated_cipher_suite()
        .and_then(|s| s.suite().as_str())
        .unwrap_or("unknown");
    let handshake = match conn.handshake_kind() {
        Some(rustls::HandshakeKind::Full) => "full",
        Some(rustls::HandshakeKind::FullWithHelloRetryRequest) => "full with HelloRetryRequest",
        Some(rustls::HandshakeKind::Resumed) => "resumed",
        None => "unknown",
    };
    tracing::debug!(
        host,
        port,
        tls_version = version,
        key_exchange = group,
        cipher_suite = suite,
        handshake,
        "TLS connection established"
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustls::NamedGroup;

    fn names(p: &CryptoProvider) -> Vec<NamedGroup> {
        p.kx_groups.iter().map(|g| g.name()).collect()
    }

    #[test]
    fn post_quantum_first_then_classical() {
        assert_eq!(
            names(&crypto_provider(true)),
            [
                NamedGroup::X25519MLKEM768,
                NamedGroup::X25519,
                NamedGroup::secp256r1,
                NamedGroup::secp384r1
            ]
        );
        assert_eq!(
            names(&crypto_provider(false)),
            [
                NamedGroup::X25519,
                NamedGroup::secp256r1,
                NamedGroup::secp384r1
            ]
        );
    }

    #[test]
    fn provider_is_consistent() {
        for pq in [true, false] {
            let p = crypto_provider(pq);
            assert!(
                rustls::ClientConfig::builder_with_provider(Arc::new(p.clone()))
                    .with_safe_default_protocol_versions()
                    .is_ok()
            );
            let mut buf = [0u8; 32];
            p.secure_random.fill(&mut buf).unwrap();
            assert_ne!(buf, [0u8; 32]);
            // AES-GCM only, for both protocol versions, in the order of ring's defaults.
            let suites: Vec<_> = p.cipher_suites.iter().map(|s| s.suite()).collect();
            let defaults: Vec<_> = ring_provider::DEFAULT_CIPHER_SUITES
                .iter()
                .map(|s| s.suite())
                .filter(|s| !format!("{s:?}").contains("CHACHA20"))
                .collect();
            assert_eq!(suites, defaults);
            assert!(p
                .cipher_suites
                .iter()
                .any(|s| s.version() == &rustls::version::TLS13));
            assert!(p
                .cipher_suites
                .iter()
                .any(|s| s.version() == &rustls::version::TLS12));
        }
    }
}
