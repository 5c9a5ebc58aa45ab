//! [`TlsErrorKind`]: why a TLS handshake failed, in the runtime's own terms, so callers can
//! tell an untrusted certificate from an expired one or one for another host without matching
//! on rustls types.

use super::{TransportError, TransportErrorKind};
use crate::error::DispatchError;
use rustls::CertificateError;

/// Why the TLS handshake of a [`TransportErrorKind::Tls`] failure failed.
///
/// Every TLS failure is final: the call fails at once, without retries, and nothing falls back
/// to plain HTTP or to a weaker setting.
///
/// ```
/// use awsrt::error::SdkError;
/// use awsrt::http::TlsErrorKind;
///
/// fn advice<E>(err: &SdkError<E>) -> Option<&'static str> {
///     let SdkError::Dispatch(e) = err else { return None };
///     Some(match e.tls_error_kind()? {
///         TlsErrorKind::UnknownIssuer => "not signed by a trusted CA: set AWS_CA_BUNDLE?",
///         TlsErrorKind::Expired => "the server's certificate has expired",
///         TlsErrorKind::WrongHostName => "the certificate is for another host name",
///         _ => "TLS handshake failed",
///     })
/// }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TlsErrorKind {
    /// The certificate chain does not end at a trusted root (self-signed, private CA not in
    /// the CA bundle).
    UnknownIssuer,
    /// The certificate has expired.
    Expired,
    /// The certificate is not valid yet.
    NotYetValid,
    /// The certificate is valid, but for other host names.
    WrongHostName,
    /// The certificate was revoked.
    Revoked,
    /// Another certificate problem (bad encoding, wrong usage, unsupported signature).
    BadCertificate,
    /// The handshake failed for another reason: the server sent an alert, no common protocol
    /// version or cipher suite, a malformed message, or the TLS setup itself (no root
    /// certificates) failed.
    Handshake,
}

impl TlsErrorKind {
    /// The kind of a rustls error.
    pub fn from_rustls(err: &rustls::Error) -> TlsErrorKind {
        match err {
            rustls::Error::InvalidCertificate(c) => match c {
                CertificateError::UnknownIssuer => TlsErrorKind::UnknownIssuer,
                CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                    TlsErrorKind::Expired
                }
                CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                    TlsErrorKind::NotYetValid
                }
                CertificateError::NotValidForName
                | CertificateError::NotValidForNameContext { .. } => TlsErrorKind::WrongHostName,
                CertificateError::Revoked => TlsErrorKind::Revoked,
                _ => TlsErrorKind::BadCertificate,
            },
            _ => TlsErrorKind::Handshake,
        }
    }
}

impl TransportError {
    /// For a [`TransportErrorKind::Tls`] failure, why the handshake failed; `None` for other
    /// kinds.
    pub fn tls_error_kind(&self) -> Option<TlsErrorKind> {
        if self.kind() != TransportErrorKind::Tls {
            return None;
        }
        let rustls =
            std::error::Error::source(self).and_then(|s| s.downcast_ref::<rustls::Error>());
        Some(rustls.map_or(TlsErrorKind::Handshake, TlsErrorKind::from_rustls))
    }
}

impl DispatchError {
    /// For a TLS failure, why the handshake failed ([`TransportError::tls_error_kind`]).
    pub fn tls_error_kind(&self) -> Option<TlsErrorKind> {
        self.transport_error().tls_error_kind()
    }

    /// `true` for a TLS failure (bad certificate, handshake rejected).
    pub fn is_tls(&self) -> bool {
        self.kind() == TransportErrorKind::Tls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_rustls_errors() {
        let k = |c| TlsErrorKind::from_rustls(&rustls::Error::InvalidCertificate(c));
        assert_eq!(
            k(CertificateError::UnknownIssuer),
            TlsErrorKind::UnknownIssuer
        );
        assert_eq!(k(CertificateError::Expired), TlsErrorKind::Expired);
        assert_eq!(
            k(CertificateError::NotValidForName),
            TlsErrorKind::WrongHostName
        );
        assert_eq!(
            k(CertificateError::BadEncoding),
            TlsErrorKind::BadCertificate
        );
        assert_eq!(
            TlsErrorKind::from_rustls(&rustls::Error::DecryptError),
            TlsErrorKind::Handshake
        );
        let e = TransportError::new(TransportErrorKind::Tls, "TLS handshake failed")
            .with_source(rustls::Error::InvalidCertificate(CertificateError::Revoked));
        assert_eq!(e.tls_error_kind(), Some(TlsErrorKind::Revoked));
        assert_eq!(
            DispatchError::new(e).tls_error_kind(),
            Some(TlsErrorKind::Revoked)
        );
        let e = TransportError::new(TransportErrorKind::Connect, "refused");
        assert_eq!(e.tls_error_kind(), None);
    }
}
