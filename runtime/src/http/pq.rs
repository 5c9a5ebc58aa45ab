//! The hybrid post-quantum key exchange X25519MLKEM768 (TLS named group 0x11EC, from the IETF
//! draft "ECDHE-MLKEM Hybrid Key Exchange for TLS 1.3"), as a rustls key-exchange group.
//!
//! Wire format, TLS 1.3 only:
//! * client key share: ML-KEM-768 encapsulation key (1184 bytes) `||` X25519 public key (32);
//! * server key share: ML-KEM-768 ciphertext (1088 bytes) `||` X25519 public key (32);
//! * shared secret: ML-KEM shared secret (32 bytes) `||` X25519 shared secret (32).
//!
//! The X25519 half is rustls's own (*ring*) X25519 group, and [`ActiveKeyExchange::hybrid_component`]
//! hands its key share to rustls, which sends it as a separate X25519 key share in the same
//! ClientHello: a server without ML-KEM answers with X25519 and no extra round trip, and the
//! X25519 key pair is generated once for both shares.

use rustls::crypto::ring::kx_group::X25519;
use rustls::crypto::{ActiveKeyExchange, CompletedKeyExchange, SharedSecret, SupportedKxGroup};
use rustls::ffdhe_groups::FfdheGroup;
use rustls::{Error, NamedGroup, PeerMisbehaved, ProtocolVersion};
use zeroize::Zeroizing;

use super::mlkem;

/// Length of an X25519 public key.
const X25519_LEN: usize = 32;

/// The X25519MLKEM768 group.
pub(crate) static X25519_MLKEM768: &dyn SupportedKxGroup = &X25519MlKem768;

#[derive(Debug)]
struct X25519MlKem768;

fn random(buf: &mut [u8]) -> Result<(), Error> {
    use ring::rand::SecureRandom;
    ring::rand::SystemRandom::new()
        .fill(buf)
        .map_err(|_| Error::FailedToGetRandomBytes)
}

fn invalid_share() -> Error {
    PeerMisbehaved::InvalidKeyShare.into()
}

impl SupportedKxGroup for X25519MlKem768 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, Error> {
        let x25519 = X25519.start()?;
        let mut seed = Zeroizing::new([0u8; 64]);
        random(&mut seed[..])?;
        let (dk, ek) = mlkem::key_pair(&seed);
        let mut pub_key = Vec::with_capacity(mlkem::EK_LEN + X25519_LEN);
        pub_key.extend_from_slice(&ek);
        pub_key.extend_from_slice(x25519.pub_key());
        Ok(Box::new(Active {
            dk,
            x25519,
            pub_key,
        }))
    }

    /// The server side: encapsulate to the client's ML-KEM key, answer its X25519 share.
    fn start_and_complete(&self, client_share: &[u8]) -> Result<CompletedKeyExchange, Error> {
        if client_share.len() != mlkem::EK_LEN + X25519_LEN {
            return Err(invalid_share());
        }
        let (ek, x25519_share) = client_share.split_at(mlkem::EK_LEN);
        let mut m = Zeroizing::new([0u8; 32]);
        random(&mut m[..])?;
        let (ct, ss) = mlkem::encapsulate(ek, &m).ok_or_else(invalid_share)?;
        let ss = Zeroizing::new(ss);
        let x25519 = X25519.start_and_complete(x25519_share)?;
        let mut pub_key = Vec::with_capacity(mlkem::CT_LEN + X25519_LEN);
        pub_key.extend_from_slice(&ct);
        pub_key.extend_from_slice(&x25519.pub_key);
        Ok(CompletedKeyExchange {
            group: NamedGroup::X25519MLKEM768,
            pub_key,
            secret: combine(&ss, &x25519.secret),
        })
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::X25519MLKEM768
    }

    fn usable_for_version(&self, version: ProtocolVersion) -> bool {
        version == ProtocolVersion::TLSv1_3
    }
}

/// ML-KEM secret first, then X25519's (the order this group defines).
fn combine(mlkem_secret: &[u8; 32], x25519: &SharedSecret) -> SharedSecret {
    let mut secret = Vec::with_capacity(64);
    secret.extend_from_slice(mlkem_secret);
    secret.extend_from_slice(x25519.secret_bytes());
    // `SharedSecret` wipes its bytes on drop.
    SharedSecret::from(secret)
}

/// A client's key exchange in progress.
struct Active {
    dk: mlkem::Dk,
    x25519: Box<dyn ActiveKeyExchange>,
    pub_key: Vec<u8>,
}

impl ActiveKeyExchange for Active {
    fn complete(self: Box<Self>, server_share: &[u8]) -> Result<SharedSecret, Error> {
        if server_share.len() != mlkem::CT_LEN + X25519_LEN {
            return Err(invalid_share());
        }
        let (ct, x25519_share) = server_share.split_at(mlkem::CT_LEN);
        let ss = Zeroizing::new(mlkem::decapsulate(&self.dk, ct).ok_or_else(invalid_share)?);
        let x25519 = self.x25519.complete(x25519_share)?;
        Ok(combine(&ss, &x25519))
    }

    fn hybrid_component(&self) -> Option<(NamedGroup, &[u8])> {
        Some((NamedGroup::X25519, self.x25519.pub_key()))
    }

    fn complete_hybrid_component(
        self: Box<Self>,
        server_share: &[u8],
    ) -> Result<SharedSecret, Error> {
        self.x25519.complete(server_share)
    }

    fn pub_key(&self) -> &[u8] {
        &self.pub_key
    }

    fn ffdhe_group(&self) -> Option<FfdheGroup<'static>> {
        None
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::X25519MLKEM768
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_and_server_agree() {
        let client = X25519_MLKEM768.start().unwrap();
        assert_eq!(client.pub_key().len(), 1216);
        let (group, classical) = client.hybrid_component().unwrap();
        assert_eq!(group, NamedGroup::X25519);
        assert_eq!(classical, &client.pub_key()[1184..]);
        let server = X25519_MLKEM768
            .start_and_complete(client.pub_key())
            .unwrap();
        assert_eq!(server.pub_key.len(), 1120);
        let secret = client.complete(&server.pub_key).unwrap();
        assert_eq!(secret.secret_bytes().len(), 64);
        assert_eq!(secret.secret_bytes(), server.secret.secret_bytes());
    }

    #[test]
    fn classical_half_alone_matches_x25519() {
        let client = X25519_MLKEM768.start().unwrap();
        let classical = client.hybrid_component().unwrap().1.to_vec();
        let server = X25519.start_and_complete(&classical).unwrap();
        let secret = client.complete_hybrid_component(&server.pub_key).unwrap();
        assert_eq!(secret.secret_bytes(), server.secret.secret_bytes());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let client = X25519_MLKEM768.start().unwrap();
        let err = client.complete(&[0u8; 1119]).err().unwrap();
        assert_eq!(err, Error::PeerMisbehaved(PeerMisbehaved::InvalidKeyShare));
        assert!(X25519_MLKEM768.start_and_complete(&[0u8; 1215]).is_err());
        // An encapsulation key with a coefficient >= q fails the FIPS 203 input check.
        let mut bad = vec![0xffu8; 1216];
        bad[1184..].copy_from_slice(&[9u8; 32]);
        assert!(X25519_MLKEM768.start_and_complete(&bad).is_err());
    }

    #[test]
    fn tampered_ciphertext_gives_a_different_secret() {
        let client = X25519_MLKEM768.start().unwrap();
        let mut server = X25519_MLKEM768
            .start_and_complete(client.pub_key())
            .unwrap();
        server.pub_key[10] ^= 1;
        let secret = client.complete(&server.pub_key).unwrap();
        assert_ne!(
            &secret.secret_bytes()[..32],
            &server.secret.secret_bytes()[..32]
        );
        assert_eq!(
            &secret.secret_bytes()[32..],
            &server.secret.secret_bytes()[32..]
        );
    }

    #[test]
    fn tls13_only() {
        assert!(X25519_MLKEM768.usable_for_version(ProtocolVersion::TLSv1_3));
        assert!(!X25519_MLKEM768.usable_for_version(ProtocolVersion::TLSv1_2));
    }
}
