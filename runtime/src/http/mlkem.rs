//! ML-KEM-768 (FIPS 203) for the hybrid key exchange in [`super::pq`], from RustCrypto's
//! `ml-kem` crate. The three calls the hybrid needs, on byte arrays, so the rest of the TLS code
//! does not depend on the crate's types.

use ml_kem::kem::{Decapsulate, KeyExport};
use ml_kem::ml_kem_768::{DecapsulationKey, EncapsulationKey};

/// Length of an encapsulation (public) key.
pub(super) const EK_LEN: usize = 1184;
/// Length of a ciphertext.
pub(super) const CT_LEN: usize = 1088;

/// A decapsulation (private) key; wiped on drop by the crate.
pub(super) struct Dk(DecapsulationKey);

/// The key pair for a 64-byte seed (`d || z`, FIPS 203 `ML-KEM.KeyGen_internal`): the private
/// key and the encoded public key.
pub(super) fn key_pair(seed: &[u8; 64]) -> (Dk, [u8; EK_LEN]) {
    let dk = DecapsulationKey::from_seed((*seed).into());
    let ek: [u8; EK_LEN] = dk.encapsulation_key().to_bytes().into();
    (Dk(dk), ek)
}

/// The shared secret for a ciphertext of [`CT_LEN`] bytes (implicit rejection: a wrong
/// ciphertext gives an unrelated secret, never an error); `None` for a wrong length.
pub(super) fn decapsulate(dk: &Dk, ct: &[u8]) -> Option<[u8; 32]> {
    dk.0.decapsulate_slice(ct).ok().map(Into::into)
}

/// Ciphertext and shared secret for a peer's encoded public key and 32 random bytes `m`
/// (`ML-KEM.Encaps_internal`); `None` when the key is malformed (wrong length, or a coefficient
/// not reduced modulo q: the FIPS 203 input check).
pub(super) fn encapsulate(ek: &[u8], m: &[u8; 32]) -> Option<([u8; CT_LEN], [u8; 32])> {
    let bytes: [u8; EK_LEN] = ek.try_into().ok()?;
    let ek = EncapsulationKey::new(&bytes.into()).ok()?;
    let (ct, ss) = ek.encapsulate_deterministic(&(*m).into());
    Some((ct.into(), ss.into()))
}
