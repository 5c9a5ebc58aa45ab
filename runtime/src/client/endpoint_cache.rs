//! The endpoints of a handle's requests that carry operation parameters (S3's `Bucket`, …),
//! remembered per parameter set.
//!
//! A handle resolves the endpoint of an operation without parameters once (a `OnceLock` in the
//! handle). With parameters the rules are evaluated for each distinct set: everything else they
//! read (region, FIPS / dual-stack flags, endpoint override, other built-ins) is the handle's
//! configuration, fixed for its life, so the operation parameters alone key the result. The
//! value of a parameter no rule reads (S3's `Key`) is left out of the key; its presence and type
//! are kept, since resolution checks those. Failed resolutions are not remembered.
//!
//! Bounded: at most [`CAPACITY`] endpoints; when full, one entry is dropped to make room. The
//! lock is held only to look up or insert, never while the rules run.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

use super::endpoint::ResolvedEndpoint;
use crate::endpoint::{RuleSet, Value};

/// The most endpoints one handle keeps.
pub(crate) const CAPACITY: usize = 128;

type Key = Vec<(&'static str, Value)>;

#[derive(Debug, Default)]
pub(crate) struct EndpointCache {
    /// Names of the parameters the rules read (filled on first use).
    read: OnceLock<Vec<String>>,
    /// Key hash → the key and its endpoint. A hash collision replaces the older entry (so a
    /// crafted collision costs a re-resolution, never a long probe: the hash need not be keyed).
    entries: Mutex<Entries>,
}

type Entries = HashMap<u64, (Key, Arc<ResolvedEndpoint>), BuildHasherDefault<KeyHash>>;

/// FNV-1a, 64-bit, over what is written as bytes: the key hash, and (`write_u64` takes its
/// value as the hash: the identity on that `u64`) the map's hasher. The connection pool's map
/// hashes its keys with it too; their fields (`bool`, `str`, `u16`) are written as bytes.
#[derive(Clone, Copy)]
pub(crate) struct KeyHash(u64);

impl Default for KeyHash {
    fn default() -> Self {
        KeyHash(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for KeyHash {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // The map hashes only the key hash itself: take it as it is.
        self.0 = n;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A value of the same type that carries no data: how an unread parameter enters the key.
fn type_only(v: &Value) -> Value {
    match v {
        Value::String(_) => Value::String(String::new()),
        Value::Bool(_) => Value::Bool(false),
        Value::StringArray(_) => Value::StringArray(Vec::new()),
    }
}

/// Adds `s` and its length (so that concatenations differ).
fn hash_str(s: &str, h: &mut KeyHash) {
    h.write(s.as_bytes());
    h.write(&(s.len() as u64).to_le_bytes());
}

fn hash_value(v: &Value, h: &mut KeyHash) {
    match v {
        Value::String(s) => {
            h.write(&[0]);
            hash_str(s, h);
        }
        Value::Bool(b) => h.write(&[1, u8::from(*b)]),
        Value::StringArray(items) => {
            h.write(&[2]);
            h.write(&(items.len() as u64).to_le_bytes());
            for i in items {
                hash_str(i, h);
            }
        }
    }
}

impl EndpointCache {
    fn read<'a>(&'a self, rules: Option<&RuleSet>) -> &'a [String] {
        self.read
            .get_or_init(|| rules.map(RuleSet::read_parameters).unwrap_or_default())
    }

    /// Whether `key` (as stored: unread values already type-only) equals `params`.
    fn matches(key: &Key, params: &[(&'static str, Value)], read: &[String]) -> bool {
        key.len() == params.len()
            && key.iter().zip(params).all(|((kn, kv), (pn, pv))| {
                kn == pn
                    && if read.iter().any(|r| r == pn) {
                        kv == pv
                    } else {
                        kv.ty() == pv.ty()
                    }
            })
    }

    fn hash(params: &[(&'static str, Value)], read: &[String]) -> u64 {
        let mut h = KeyHash::default();
        h.write(&(params.len() as u64).to_le_bytes());
        for (name, value) in params {
            hash_str(name, &mut h);
            if read.iter().any(|r| r == name) {
                hash_value(value, &mut h);
            } else {
                hash_value(&type_only(value), &mut h);
            }
        }
        h.finish()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The endpoint for `params`: remembered, or `resolve()`d now (and remembered when it
    /// succeeds).
    pub(crate) fn get_or_resolve<E>(
        &self,
        rules: Option<&RuleSet>,
        params: &[(&'static str, Value)],
        resolve: impl FnOnce() -> Result<ResolvedEndpoint, E>,
    ) -> Result<Arc<ResolvedEndpoint>, E> {
        let read = self.read(rules);
        let hash = Self::hash(params, read);
        if let Some((key, endpoint)) = self.lock().get(&hash) {
            if Self::matches(key, params, read) {
                return Ok(Arc::clone(endpoint));
            }
        }
        let endpoint = Arc::new(resolve()?);
        let key: Key = params
            .iter()
            .map(|(n, v)| {
                let v = if read.iter().any(|r| r == n) {
                    v.clone()
                } else {
                    type_only(v)
                };
                (*n, v)
            })
            .collect();
        let mut entries = self.lock();
        if entries.len() >= CAPACITY && !entries.contains_key(&hash) {
            if let Some(&victim) = entries.keys().next() {
                entries.remove(&victim);
            }
        }
        entries.insert(hash, (key, Arc::clone(&endpoint)));
        Ok(endpoint)
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len()
    }
}

/// The endpoint of one request: the handle's own, a remembered one, or one made for it.
#[derive(Debug)]
pub(crate) enum EndpointRef<'a> {
    /// The handle's endpoint (an operation without endpoint parameters).
    Borrowed(&'a ResolvedEndpoint),
    /// From the [`EndpointCache`].
    Shared(Arc<ResolvedEndpoint>),
    /// Made for this request (endpoint discovery).
    Owned(ResolvedEndpoint),
}

impl EndpointRef<'_> {
    /// The endpoint, owned (cloned unless it is already).
    pub(crate) fn into_owned(self) -> ResolvedEndpoint {
        match self {
            EndpointRef::Borrowed(e) => e.clone(),
            EndpointRef::Shared(e) => Arc::unwrap_or_clone(e),
            EndpointRef::Owned(e) => e,
        }
    }
}

impl std::ops::Deref for EndpointRef<'_> {
    type Target = ResolvedEndpoint;

    fn deref(&self) -> &ResolvedEndpoint {
        match self {
            EndpointRef::Borrowed(e) => e,
            EndpointRef::Shared(e) => e,
            EndpointRef::Owned(e) => e,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    const RULES: &str = r#"{"version":"1.0","parameters":{
        "Bucket":{"type":"String"},"Key":{"type":"String"},"Flag":{"type":"Boolean"}},
      "rules":[{"conditions":[],"endpoint":{"url":"https://{Bucket}.example.com"},
                "type":"endpoint"}]}"#;

    fn endpoint(url: &str) -> ResolvedEndpoint {
        ResolvedEndpoint {
            url: url.to_string(),
            origin: super::super::endpoint::parse_origin(url),
            headers: Vec::new(),
            signing_name: "s3".to_string(),
            signing_region: Some("us-east-1".to_string()),
        }
    }

    #[test]
    fn same_parameters_resolve_once_and_unread_values_share_an_entry() {
        let rules = RuleSet::parse(RULES).unwrap();
        let cache = EndpointCache::default();
        let calls = Cell::new(0);
        let get = |bucket: &str, key: &str| {
            let params = [("Bucket", Value::from(bucket)), ("Key", Value::from(key))];
            cache
                .get_or_resolve::<()>(Some(&rules), &params, || {
                    calls.set(calls.get() + 1);
                    Ok(endpoint(&format!("https://{bucket}.example.com/")))
                })
                .unwrap()
        };
        assert_eq!(get("a", "k1").url, "https://a.example.com/");
        assert_eq!(get("a", "k2").url, "https://a.example.com/");
        assert_eq!(calls.get(), 1, "Key is not read by the rules");
        assert_eq!(get("b", "k1").url, "https://b.example.com/");
        assert_eq!(calls.get(), 2, "Bucket is read by the rules");
        // Same names, another type for the unread parameter: a separate entry.
        let params = [("Bucket", Value::from("a")), ("Key", Value::Bool(true))];
        cache
            .get_or_resolve::<()>(Some(&rules), &params, || {
                calls.set(calls.get() + 1);
                Ok(endpoint("https://x/"))
            })
            .unwrap();
        assert_eq!(calls.get(), 3);
    }

    #[test]
    fn errors_are_not_remembered_and_the_cache_is_bounded() {
        let rules = RuleSet::parse(RULES).unwrap();
        let cache = EndpointCache::default();
        let params = [("Bucket", Value::from("a"))];
        assert!(cache
            .get_or_resolve(Some(&rules), &params, || Err("no"))
            .is_err());
        assert_eq!(cache.len(), 0);
        for i in 0..(CAPACITY + 40) {
            let params = [("Bucket", Value::from(format!("b{i}").as_str()))];
            let got = cache
                .get_or_resolve::<()>(Some(&rules), &params, || {
                    Ok(endpoint(&format!("https://b{i}.example.com/")))
                })
                .unwrap();
            assert_eq!(got.url, format!("https://b{i}.example.com/"));
            assert!(cache.len() <= CAPACITY);
        }
        assert_eq!(cache.len(), CAPACITY);
    }
}
