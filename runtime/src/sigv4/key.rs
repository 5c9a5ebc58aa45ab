//! Signing-key derivation (`kSecret → kDate → kRegion → kService → kSigning`) and a small
//! process-wide cache so the four HMACs run once per (secret, day, region, service).

use std::sync::{Arc, Mutex};

use ring::hmac;
use zeroize::Zeroizing;

/// Entries kept; a process rarely signs for more than a few (credential, region, service) sets.
const CAPACITY: usize = 8;

struct Entry {
    secret: Zeroizing<String>,
    date: [u8; 8],
    region: String,
    service: String,
    key: hmac::Key,
    /// `date/region/service/aws4_request`, made once with the key, and whether it can go in
    /// a header value (visible ASCII), checked once.
    scope: Arc<str>,
    scope_is_text: bool,
    last_used: u64,
}

struct Cache {
    entries: Vec<Entry>,
    tick: u64,
}

static CACHE: Mutex<Cache> = Mutex::new(Cache {
    entries: Vec::new(),
    tick: 0,
});

/// Derives the SigV4 signing key without caching.
pub(crate) fn derive(secret: &str, date: &[u8], region: &str, service: &str) -> hmac::Key {
    hmac::Key::new(
        hmac::HMAC_SHA256,
        derive_bytes(secret, date, region, service).as_ref(),
    )
}

fn derive_bytes(secret: &str, date: &[u8], region: &str, service: &str) -> hmac::Tag {
    let mut seed = Zeroizing::new(Vec::with_capacity(4 + secret.len()));
    seed.extend_from_slice(b"AWS4");
    seed.extend_from_slice(secret.as_bytes());
    let k_date = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &seed), date);
    let k_region = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, k_date.as_ref()),
        region.as_bytes(),
    );
    let k_service = hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, k_region.as_ref()),
        service.as_bytes(),
    );
    hmac::sign(
        &hmac::Key::new(hmac::HMAC_SHA256, k_service.as_ref()),
        b"aws4_request",
    )
}

/// The signing key for these inputs, from the cache when possible. A hit costs one lock and a
/// few string comparisons; no allocation.
pub(crate) fn signing_key(secret: &str, date: &[u8; 8], region: &str, service: &str) -> hmac::Key {
    signing_key_and_scope(secret, date, region, service).0
}

/// [`signing_key`], the credential scope (`date/region/service/aws4_request`) cached with it,
/// and whether the scope is visible ASCII (can be part of a header value).
pub(crate) fn signing_key_and_scope(
    secret: &str,
    date: &[u8; 8],
    region: &str,
    service: &str,
) -> (hmac::Key, Arc<str>, bool) {
    let mut cache = match CACHE.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    cache.tick += 1;
    let tick = cache.tick;
    if let Some(entry) = cache.entries.iter_mut().find(|e| {
        e.date == *date && e.region == region && e.service == service && e.secret.as_str() == secret
    }) {
        entry.last_used = tick;
        return (
            entry.key.clone(),
            Arc::clone(&entry.scope),
            entry.scope_is_text,
        );
    }
    let key = derive(secret, date, region, service);
    let scope: Arc<str> = format!(
        "{}/{region}/{service}/aws4_request",
        std::str::from_utf8(date).unwrap_or_default()
    )
    .into();
    let scope_is_text = super::is_visible_ascii(&scope);
    let entry = Entry {
        secret: Zeroizing::new(secret.to_owned()),
        date: *date,
        region: region.to_owned(),
        service: service.to_owned(),
        key: key.clone(),
        scope: Arc::clone(&scope),
        scope_is_text,
        last_used: tick,
    };
    if cache.entries.len() < CAPACITY {
        cache.entries.push(entry);
    } else if let Some(oldest) = cache.entries.iter_mut().min_by_key(|e| e.last_used) {
        *oldest = entry;
    }
    (key, scope, scope_is_text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_key_equals_fresh_derivation() {
        let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
        let fresh = derive(secret, b"20150830", "us-east-1", "iam");
        let cached = signing_key(secret, b"20150830", "us-east-1", "iam");
        let again = signing_key(secret, b"20150830", "us-east-1", "iam");
        let msg = b"message";
        assert_eq!(
            hmac::sign(&fresh, msg).as_ref(),
            hmac::sign(&cached, msg).as_ref()
        );
        assert_eq!(
            hmac::sign(&fresh, msg).as_ref(),
            hmac::sign(&again, msg).as_ref()
        );
        let other = signing_key(secret, b"20150831", "us-east-1", "iam");
        assert_ne!(
            hmac::sign(&fresh, msg).as_ref(),
            hmac::sign(&other, msg).as_ref()
        );
    }

    #[test]
    fn cache_evicts_beyond_capacity() {
        for i in 0..(CAPACITY * 2) {
            let region = format!("region-{i}");
            let a = signing_key("secret-evict", b"20200101", &region, "svc");
            let b = derive("secret-evict", b"20200101", &region, "svc");
            assert_eq!(hmac::sign(&a, b"x").as_ref(), hmac::sign(&b, b"x").as_ref());
        }
        let len = CACHE.lock().map(|c| c.entries.len()).unwrap_or(0);
        assert!(len <= CAPACITY);
    }

    #[test]
    fn known_signing_key() {
        // From the AWS documentation example (iam, us-east-1, 20150830).
        let key = derive_bytes(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            b"20150830",
            "us-east-1",
            "iam",
        );
        let hex: String = key.as_ref().iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9"
        );
    }
}
