//! The chained SigV4 signature of the messages a client sends.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use ring::{digest, hmac};
use zeroize::Zeroizing;

use super::frame::{Header, HeaderValue, Message, MAX_MESSAGE_LEN, MIN_MESSAGE_LEN};
use super::{FrameError, FrameErrorKind};
use crate::sigv4::{hex_into, key, time};
use crate::types::DateTime;

/// The first line of every event string to sign.
const ALGORITHM: &str = "AWS4-HMAC-SHA256-PAYLOAD";
/// Bytes the signing envelope adds around the inner message: the frame's 16, the `:date`
/// header (1 + 5 + 1 + 8) and the `:chunk-signature` header (1 + 16 + 1 + 2 + 32).
const ENVELOPE_LEN: usize = MIN_MESSAGE_LEN + 15 + 52;
/// 9999-12-31T23:59:59Z, the last second an AWS date can write.
const MAX_SECS: u64 = 253_402_300_799;

/// Signs the messages of one event stream, each with the signature of the one before it.
///
/// Only the secret key enters the signatures; the access key and session token were sent
/// with the HTTP request that opened the stream. `Debug` shows neither the secret key nor the
/// token.
pub struct MessageSigner {
    access_key: String,
    secret_key: Zeroizing<String>,
    has_session_token: bool,
    region: String,
    service: String,
    prior: String,
}

impl fmt::Debug for MessageSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageSigner")
            .field("access_key", &self.access_key)
            .field("secret_key", &"** redacted **")
            .field(
                "session_token",
                &self.has_session_token.then_some("** redacted **"),
            )
            .field("region", &self.region)
            .field("service", &self.service)
            .field("prior_signature", &self.prior)
            .finish()
    }
}

impl MessageSigner {
    /// A signer for the stream opened by a request signed with these credentials for
    /// `region` and `service`; `seed_signature` is that request's hex signature (the
    /// `Signature=` of its `Authorization` header).
    pub fn new(
        access_key: &str,
        secret_key: &str,
        session_token: Option<&str>,
        region: &str,
        service: &str,
        seed_signature: &str,
    ) -> MessageSigner {
        MessageSigner {
            access_key: access_key.to_owned(),
            secret_key: Zeroizing::new(secret_key.to_owned()),
            has_session_token: session_token.is_some(),
            region: region.to_owned(),
            service: service.to_owned(),
            prior: seed_signature.to_owned(),
        }
    }

    /// The hex signature the next message will be chained to: the seed, then the signature
    /// of the last message signed.
    pub fn prior_signature(&self) -> &str {
        &self.prior
    }

    /// `message`, encoded, as the payload of a new message with the headers `:date` (`time`
    /// truncated to whole seconds) and `:chunk-signature` (32 bytes); the signature becomes
    /// the prior one. Fails, leaving the chain as it was, when `message` cannot be encoded,
    /// when the signed message would exceed [`MAX_MESSAGE_LEN`] (kind
    /// [`FrameErrorKind::TooLarge`]) or when `time` is before 1970 or after 9999 (kind
    /// [`FrameErrorKind::InvalidTime`]).
    pub fn sign(&mut self, message: &Message, time: SystemTime) -> Result<Message, FrameError> {
        let secs = signing_secs(time).ok_or_else(|| {
            FrameError::new(
                FrameErrorKind::InvalidTime,
                "cannot sign: signing time outside years 1970-9999",
            )
        })?;
        let inner = message.encode()?;
        if inner.len() > MAX_MESSAGE_LEN - ENVELOPE_LEN {
            return Err(FrameError::new(
                FrameErrorKind::TooLarge,
                format!(
                    "cannot sign: a message of {} bytes, once signed, exceeds {MAX_MESSAGE_LEN}",
                    inner.len()
                ),
            ));
        }
        Ok(self.sign_payload(inner, secs))
    }

    /// The closing message: an empty payload, signed like [`sign`](Self::sign). A `time`
    /// outside 1970-9999 is clamped to that range (the service will refuse the signature).
    pub fn sign_end(&mut self, time: SystemTime) -> Message {
        let secs = signing_secs(time).unwrap_or(if time < UNIX_EPOCH { 0 } else { MAX_SECS });
        self.sign_payload(Bytes::new(), secs)
    }

    /// Signs `payload` at `secs` (within `0..=MAX_SECS`) and chains the signature.
    fn sign_payload(&mut self, payload: Bytes, secs: u64) -> Message {
        let amz_date =
            time::amz_date(UNIX_EPOCH + Duration::from_secs(secs)).unwrap_or(*b"19700101T000000Z");
        let mut day = [0u8; 8];
        day.copy_from_slice(&amz_date[..8]);
        let date = Header::new(
            ":date",
            HeaderValue::Timestamp(DateTime::from_secs(secs as i64)),
        );
        let mut date_bytes = Vec::with_capacity(15);
        date.write(&mut date_bytes);
        let key = key::signing_key(&self.secret_key, &day, &self.region, &self.service);
        let sts = string_to_sign(
            &amz_date,
            &self.region,
            &self.service,
            &self.prior,
            &date_bytes,
            &payload,
        );
        let signature = hmac::sign(&key, sts.as_bytes());
        self.prior.clear();
        hex_into(&mut self.prior, signature.as_ref());
        Message {
            headers: vec![
                date,
                Header::new(
                    ":chunk-signature",
                    HeaderValue::ByteArray(Bytes::copy_from_slice(signature.as_ref())),
                ),
            ],
            payload,
        }
    }
}

/// The whole seconds of `time` when an AWS date can write them.
fn signing_secs(time: SystemTime) -> Option<u64> {
    let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
    (secs <= MAX_SECS).then_some(secs)
}

/// The event string to sign (see the module docs).
pub(super) fn string_to_sign(
    amz_date: &[u8; 16],
    region: &str,
    service: &str,
    prior: &str,
    date_header: &[u8],
    payload: &[u8],
) -> String {
    let mut sts = String::with_capacity(
        ALGORITHM.len() + 17 + 9 + region.len() + service.len() + 14 + prior.len() + 131,
    );
    sts.push_str(ALGORITHM);
    sts.push('\n');
    for &b in amz_date {
        sts.push(char::from(b));
    }
    sts.push('\n');
    for &b in &amz_date[..8] {
        sts.push(char::from(b));
    }
    sts.push('/');
    sts.push_str(region);
    sts.push('/');
    sts.push_str(service);
    sts.push_str("/aws4_request\n");
    sts.push_str(prior);
    sts.push('\n');
    hex_into(
        &mut sts,
        digest::digest(&digest::SHA256, date_header).as_ref(),
    );
    sts.push('\n');
    hex_into(&mut sts, digest::digest(&digest::SHA256, payload).as_ref());
    sts
}
