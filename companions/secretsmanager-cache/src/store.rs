//! The cache's storage: keys (secret id + version selector), a least-recently-used map with a
//! fixed maximum number of entries, and what each entry remembers.
//!
//! The map is a `HashMap` from key to a slot in a vector of nodes linked in recency order
//! (most recent at `head`), so a lookup, a touch, an insertion and an eviction are all O(1)
//! and a lookup allocates nothing: the map is searched with a borrowed [`KeyRef`].

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::Arc;

use tokio::time::Instant;

use crate::error::CacheError;
use crate::flight::Flight;
use crate::secret::Secret;

/// The stage GetSecretValue reads when neither a version id nor a stage is given.
pub const AWSCURRENT: &str = "AWSCURRENT";

/// Which version of a secret to read.
///
/// `Version::Stage("AWSCURRENT")` and [`Version::Current`] are the same cache entry.
///
/// ```
/// use secretsmanager_cache::Version;
/// let previous = Version::Stage("AWSPREVIOUS");
/// assert_ne!(previous, Version::Current);
/// assert_eq!(Version::Stage("AWSCURRENT").normalized(), Version::Current);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Version<'a> {
    /// The version labelled `AWSCURRENT` (what GetSecretValue returns by default).
    #[default]
    Current,
    /// A version by its id (`VersionId`, a UUID). Its value never changes.
    Id(&'a str),
    /// The version carrying a staging label (`VersionStage`), e.g. `AWSPREVIOUS`.
    Stage(&'a str),
}

impl<'a> Version<'a> {
    /// The same selection with `Stage("AWSCURRENT")` written as [`Version::Current`].
    pub fn normalized(self) -> Version<'a> {
        match self {
            Version::Stage(AWSCURRENT) => Version::Current,
            v => v,
        }
    }

    /// `(VersionId, VersionStage)` as GetSecretValue takes them.
    pub(crate) fn request_parts(self) -> (Option<&'a str>, Option<&'a str>) {
        match self {
            Version::Current => (None, None),
            Version::Id(id) => (Some(id), None),
            Version::Stage(stage) => (None, Some(stage)),
        }
    }
}

/// A borrowed cache key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct KeyRef<'a> {
    pub id: &'a str,
    pub version: Version<'a>,
}

impl<'a> KeyRef<'a> {
    pub fn new(id: &'a str, version: Version<'a>) -> KeyRef<'a> {
        KeyRef {
            id,
            version: version.normalized(),
        }
    }

    pub fn to_owned(self) -> Key {
        Key {
            id: self.id.into(),
            version: match self.version {
                Version::Current => OwnedVersion::Current,
                Version::Id(v) => OwnedVersion::Id(v.into()),
                Version::Stage(s) => OwnedVersion::Stage(s.into()),
            },
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum OwnedVersion {
    Current,
    Id(Box<str>),
    Stage(Box<str>),
}

/// An owned cache key: secret id (name or ARN, as the caller wrote it) and version selector.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Key {
    id: Box<str>,
    version: OwnedVersion,
}

impl Key {
    pub fn as_ref(&self) -> KeyRef<'_> {
        KeyRef {
            id: &self.id,
            version: match &self.version {
                OwnedVersion::Current => Version::Current,
                OwnedVersion::Id(v) => Version::Id(v),
                OwnedVersion::Stage(s) => Version::Stage(s),
            },
        }
    }
}

/// What both key forms can be seen as, so the map can be searched with a [`KeyRef`].
pub(crate) trait AsKeyRef {
    fn key_ref(&self) -> KeyRef<'_>;
}

impl AsKeyRef for Key {
    fn key_ref(&self) -> KeyRef<'_> {
        self.as_ref()
    }
}

impl AsKeyRef for KeyRef<'_> {
    fn key_ref(&self) -> KeyRef<'_> {
        *self
    }
}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state)
    }
}

impl Hash for dyn AsKeyRef + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.key_ref().hash(state)
    }
}

impl PartialEq for dyn AsKeyRef + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.key_ref() == other.key_ref()
    }
}

impl Eq for dyn AsKeyRef + '_ {}

impl<'a> Borrow<dyn AsKeyRef + 'a> for Key {
    fn borrow(&self) -> &(dyn AsKeyRef + 'a) {
        self
    }
}

/// What the cache knows about one key.
pub(crate) struct Entry {
    /// The value, when one was fetched (and not dropped after a permanent error).
    pub value: Option<Secret>,
    /// Until when the value is served without a request (the jittered TTL).
    pub fresh_until: Instant,
    /// From when a hit starts a background refresh.
    pub refresh_at: Instant,
    /// The request under way for this key, if any.
    pub flight: Option<Arc<Flight>>,
    /// Failed attempts since the last success.
    pub failures: u32,
    /// No new attempt before this instant (exponential backoff after failures).
    pub retry_at: Option<Instant>,
    /// The last failure, returned while backing off without a value to serve.
    pub last_error: Option<CacheError>,
}

impl Entry {
    /// An entry without a value whose first request is `flight`.
    pub fn pending(flight: Arc<Flight>, now: Instant) -> Entry {
        Entry {
            value: None,
            fresh_until: now,
            refresh_at: now,
            flight: Some(flight),
            failures: 0,
            retry_at: None,
            last_error: None,
        }
    }

    /// Whether the backoff after a failure is still running.
    pub fn backing_off(&self, now: Instant) -> bool {
        self.retry_at.is_some_and(|t| now < t)
    }
}

/// A small multiply-rotate hasher (the one rustc uses for its own maps), seeded per cache.
/// Secret ids come from the application and the number of entries is bounded, so SipHash's
/// collision resistance buys little here, while it costs about a sixth of a hit.
#[derive(Clone, Copy)]
pub(crate) struct SeededHash(pub u64);

impl BuildHasher for SeededHash {
    type Hasher = FxHasher;
    fn build_hasher(&self) -> FxHasher {
        FxHasher(self.0)
    }
}

pub(crate) struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

const NIL: usize = usize::MAX;

struct Node<V> {
    key: Key,
    value: V,
    prev: usize,
    next: usize,
}

/// A map with a maximum number of entries that evicts the least recently used one.
pub(crate) struct Lru<V> {
    map: HashMap<Key, usize, SeededHash>,
    nodes: Vec<Option<Node<V>>>,
    free: Vec<usize>,
    head: usize,
    tail: usize,
    capacity: usize,
}

impl<V> Lru<V> {
    /// An empty map holding at most `capacity` (≥ 1) entries.
    pub fn new(capacity: usize, seed: u64) -> Lru<V> {
        let capacity = capacity.max(1);
        Lru {
            map: HashMap::with_capacity_and_hasher(capacity.min(4096), SeededHash(seed)),
            nodes: Vec::new(),
            free: Vec::new(),
            head: NIL,
            tail: NIL,
            capacity,
        }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// The maximum number of entries.
    #[cfg(test)]
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    fn node(&self, i: usize) -> &Node<V> {
        self.nodes[i].as_ref().expect("linked slot is occupied")
    }

    fn node_mut(&mut self, i: usize) -> &mut Node<V> {
        self.nodes[i].as_mut().expect("linked slot is occupied")
    }

    fn unlink(&mut self, i: usize) {
        let (prev, next) = {
            let n = self.node(i);
            (n.prev, n.next)
        };
        if prev == NIL {
            self.head = next;
        } else {
            self.node_mut(prev).next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.node_mut(next).prev = prev;
        }
    }

    fn push_front(&mut self, i: usize) {
        let old = self.head;
        {
            let n = self.node_mut(i);
            n.prev = NIL;
            n.next = old;
        }
        if old == NIL {
            self.tail = i;
        } else {
            self.node_mut(old).prev = i;
        }
        self.head = i;
    }

    fn index(&self, key: KeyRef<'_>) -> Option<usize> {
        self.map.get(&key as &dyn AsKeyRef).copied()
    }

    /// The entry for `key`, marked most recently used.
    pub fn get_mut(&mut self, key: KeyRef<'_>) -> Option<&mut V> {
        let i = self.index(key)?;
        if self.head != i {
            self.unlink(i);
            self.push_front(i);
        }
        Some(&mut self.node_mut(i).value)
    }

    /// The entry for `key`, recency unchanged.
    pub fn peek_mut(&mut self, key: KeyRef<'_>) -> Option<&mut V> {
        let i = self.index(key)?;
        Some(&mut self.node_mut(i).value)
    }

    /// Inserts (or replaces) `key` as most recently used; returns the entry evicted to make room.
    pub fn insert(&mut self, key: Key, value: V) -> Option<(Key, V)> {
        if let Some(i) = self.index(key.as_ref()) {
            self.node_mut(i).value = value;
            self.unlink(i);
            self.push_front(i);
            return None;
        }
        let evicted = if self.map.len() >= self.capacity {
            self.pop_lru()
        } else {
            None
        };
        let node = Node {
            key: key.clone(),
            value,
            prev: NIL,
            next: NIL,
        };
        let i = match self.free.pop() {
            Some(i) => {
                self.nodes[i] = Some(node);
                i
            }
            None => {
                self.nodes.push(Some(node));
                self.nodes.len() - 1
            }
        };
        self.map.insert(key, i);
        self.push_front(i);
        evicted
    }

    fn take(&mut self, i: usize) -> (Key, V) {
        self.unlink(i);
        let node = self.nodes[i].take().expect("linked slot is occupied");
        self.map.remove(&node.key as &dyn AsKeyRef);
        self.free.push(i);
        (node.key, node.value)
    }

    /// Removes and returns the least recently used entry.
    pub fn pop_lru(&mut self) -> Option<(Key, V)> {
        (self.tail != NIL).then(|| self.take(self.tail))
    }

    /// Removes `key`.
    pub fn remove(&mut self, key: KeyRef<'_>) -> Option<V> {
        let i = self.index(key)?;
        Some(self.take(i).1)
    }

    /// Removes every entry for which `drop_it` is true; returns them.
    pub fn remove_where(&mut self, mut drop_it: impl FnMut(KeyRef<'_>) -> bool) -> Vec<(Key, V)> {
        let doomed: Vec<usize> = self
            .map
            .iter()
            .filter(|(k, _)| drop_it(k.as_ref()))
            .map(|(_, &i)| i)
            .collect();
        doomed.into_iter().map(|i| self.take(i)).collect()
    }

    /// Keys from most to least recently used.
    pub fn keys_by_recency(&self) -> Vec<KeyRef<'_>> {
        let mut out = Vec::with_capacity(self.len());
        let mut i = self.head;
        while i != NIL {
            let n = self.node(i);
            out.push(n.key.as_ref());
            i = n.next;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(id: &str) -> Key {
        KeyRef::new(id, Version::Current).to_owned()
    }

    fn ids(lru: &Lru<u32>) -> Vec<String> {
        lru.keys_by_recency()
            .iter()
            .map(|k| k.id.to_string())
            .collect()
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let mut lru = Lru::new(3, 1);
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            assert!(lru.insert(k(id), i as u32).is_none());
        }
        assert_eq!(ids(&lru), ["c", "b", "a"]);
        // Touch "a": now "b" is the oldest.
        assert_eq!(
            lru.get_mut(KeyRef::new("a", Version::Current)),
            Some(&mut 0)
        );
        let (key, v) = lru.insert(k("d"), 3).expect("full");
        assert_eq!((key.as_ref().id, v), ("b", 1));
        assert_eq!(ids(&lru), ["d", "a", "c"]);
        // Peeking does not change the order.
        assert!(lru.peek_mut(KeyRef::new("c", Version::Current)).is_some());
        assert_eq!(lru.pop_lru().map(|(k, _)| k), Some(k("c")));
        assert_eq!(lru.len(), 2);
    }

    #[test]
    fn replacing_reuses_the_entry_and_slots_are_recycled() {
        let mut lru = Lru::new(2, 2);
        lru.insert(k("a"), 1);
        lru.insert(k("a"), 2);
        assert_eq!(lru.len(), 1);
        assert_eq!(lru.remove(KeyRef::new("a", Version::Current)), Some(2));
        assert_eq!(lru.remove(KeyRef::new("a", Version::Current)), None);
        for i in 0..100 {
            lru.insert(k(&format!("x{i}")), i);
        }
        assert_eq!(lru.len(), 2);
        assert!(
            lru.nodes.len() <= 3,
            "slots are reused: {}",
            lru.nodes.len()
        );
        assert_eq!(ids(&lru), ["x99", "x98"]);
    }

    #[test]
    fn versions_are_distinct_keys_and_awscurrent_is_current() {
        let mut lru = Lru::new(10, 3);
        lru.insert(KeyRef::new("s", Version::Current).to_owned(), 1);
        lru.insert(
            KeyRef::new("s", Version::Stage("AWSPREVIOUS")).to_owned(),
            2,
        );
        lru.insert(KeyRef::new("s", Version::Id("v1")).to_owned(), 3);
        // "AWSCURRENT" as a stage names the same entry as Current.
        lru.insert(KeyRef::new("s", Version::Stage(AWSCURRENT)).to_owned(), 4);
        assert_eq!(lru.len(), 3);
        assert_eq!(
            lru.peek_mut(KeyRef::new("s", Version::Current)),
            Some(&mut 4)
        );
        // A stage and a version id with the same text are different keys.
        assert_eq!(lru.peek_mut(KeyRef::new("s", Version::Stage("v1"))), None);
        let removed = lru.remove_where(|k| k.id == "s" && k.version != Version::Current);
        assert_eq!(removed.len(), 2);
        assert_eq!(lru.len(), 1);
    }

    #[test]
    fn capacity_is_at_least_one() {
        let mut lru = Lru::new(0, 4);
        assert_eq!(lru.capacity(), 1);
        lru.insert(k("a"), 1);
        assert!(lru.insert(k("b"), 2).is_some());
        assert_eq!(lru.len(), 1);
    }
}
