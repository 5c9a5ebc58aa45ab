//! [`CaBundle`]: the certificate authorities a transport trusts instead of the platform's, read
//! from a PEM file (`AWS_CA_BUNDLE`, the profile's `ca_bundle`) or given in code.

use std::fmt;
use std::path::Path;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;

/// Trusted root certificates for HTTPS, replacing the platform's store: for a private CA, a
/// TLS-inspecting corporate proxy, or a local test server.
///
/// Read from PEM (one or more `-----BEGIN CERTIFICATE-----` blocks; other blocks, such as keys,
/// are skipped) or given as DER. Every certificate is checked to be usable as a trust anchor
/// when the bundle is made, so a broken bundle fails at configuration time, naming the file.
/// Given to [`HyperTransportBuilder::ca_bundle`](super::HyperTransportBuilder::ca_bundle) or
/// [`ConfigBuilder::ca_bundle`](crate::config::ConfigBuilder::ca_bundle);
/// [`Config::loader`](crate::config::Config::loader) reads `AWS_CA_BUNDLE`, else the profile's
/// `ca_bundle`.
///
/// As with the AWS CLI, the bundle replaces the platform's roots: a server whose chain does not
/// end at one of its certificates is refused.
#[derive(Clone)]
pub struct CaBundle {
    certs: Vec<CertificateDer<'static>>,
    source: Option<String>,
}

impl fmt::Debug for CaBundle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaBundle")
            .field("certificates", &self.certs.len())
            .field("source", &self.source)
            .finish()
    }
}

/// A CA bundle could not be read or holds no usable certificate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaBundleError {
    message: String,
}

impl CaBundleError {
    fn new(message: impl Into<String>) -> CaBundleError {
        CaBundleError {
            message: message.into(),
        }
    }

    /// What is wrong, naming the file when there is one.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for CaBundleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid CA bundle: {}", self.message)
    }
}

impl std::error::Error for CaBundleError {}

impl CaBundle {
    /// The certificates of a PEM document. Fails when a `CERTIFICATE` block is malformed or
    /// not a usable CA certificate, or when there is none.
    pub fn from_pem(pem: &[u8]) -> Result<CaBundle, CaBundleError> {
        let mut certs = Vec::new();
        for (i, cert) in CertificateDer::pem_slice_iter(pem).enumerate() {
            let cert = cert.map_err(|e| {
                CaBundleError::new(format!("certificate {} is not valid PEM: {e}", i + 1))
            })?;
            certs.push(cert);
        }
        CaBundle::from_certs(certs, None)
    }

    /// The certificates of the PEM file at `path`; errors name the file.
    pub fn from_pem_file(path: impl AsRef<Path>) -> Result<CaBundle, CaBundleError> {
        let path = path.as_ref();
        let named = |m: String| CaBundleError::new(format!("{}: {m}", path.display()));
        let pem = std::fs::read(path).map_err(|e| named(format!("cannot read: {e}")))?;
        let mut bundle = CaBundle::from_pem(&pem).map_err(|e| named(e.message))?;
        bundle.source = Some(path.display().to_string());
        Ok(bundle)
    }

    /// Certificates in DER form.
    pub fn from_der<I, C>(certs: I) -> Result<CaBundle, CaBundleError>
    where
        I: IntoIterator<Item = C>,
        C: Into<Vec<u8>>,
    {
        let certs = certs
            .into_iter()
            .map(|c| CertificateDer::from(c.into()))
            .collect();
        CaBundle::from_certs(certs, None)
    }

    fn from_certs(
        certs: Vec<CertificateDer<'static>>,
        source: Option<String>,
    ) -> Result<CaBundle, CaBundleError> {
        if certs.is_empty() {
            return Err(CaBundleError::new("no certificate found"));
        }
        let mut store = rustls::RootCertStore::empty();
        for (i, cert) in certs.iter().enumerate() {
            store.add(cert.clone()).map_err(|e| {
                CaBundleError::new(format!(
                    "certificate {} cannot be a trusted root: {e}",
                    i + 1
                ))
            })?;
        }
        Ok(CaBundle { certs, source })
    }

    /// How many certificates the bundle holds (at least one).
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    /// Always `false`: a bundle holds at least one certificate.
    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    /// The file the bundle was read from, if any.
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }

    pub(crate) fn into_certs(self) -> Vec<CertificateDer<'static>> {
        self.certs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_empty_and_malformed_bundles() {
        let e = CaBundle::from_pem(b"").unwrap_err();
        assert_eq!(e.message(), "no certificate found");
        let e =
            CaBundle::from_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .unwrap_err();
        assert_eq!(e.message(), "no certificate found");
        let e =
            CaBundle::from_pem(b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
                .unwrap_err();
        assert!(e.message().starts_with("certificate 1 "), "{e}");
        let e = CaBundle::from_pem_file("/nonexistent/ca.pem").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid CA bundle: /nonexistent/ca.pem: cannot read"),
            "{e}"
        );
    }
}
