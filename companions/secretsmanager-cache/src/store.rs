//! The cache's storage: keys (secret id + version selector) and their hashing, and what the
//! cache remembers about each key ([`Entry`]), including the [`Tag`] that threads' lock-free
//! hit paths check. The map that holds the entries is in [`crate::lru`].

use std::borrow::Borrow;
use std::hash::{BuildHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use tokio::time::Instant;

use crate::error::CacheError;
use crate::flight::Flight;
use crate::lru::{Recency, Stamped};
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

    /// `AWSCURRENT` of `id`.
    #[inline]
    pub fn current(id: &'a str) -> KeyRef<'a> {
        KeyRef {
            id,
            version: Version::Current,
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
    /// Whether this is `k` (inline comparisons: keys are short).
    #[inline]
    pub fn matches(&self, k: KeyRef<'_>) -> bool {
        same_bytes(&self.id, k.id)
            && match (&self.version, k.version) {
                (OwnedVersion::Current, Version::Current) => true,
                (OwnedVersion::Id(a), Version::Id(b))
                | (OwnedVersion::Stage(a), Version::Stage(b)) => same_bytes(a, b),
                _ => false,
            }
    }

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

/// `a == b` without a call to `memcmp`: eight bytes at a time, a shorter tail as overlapping
/// reads (as in [`FxHasher::write`]).
#[inline]
fn same_bytes(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        let word =
            |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().expect("8 bytes"));
        let mut i = 0;
        while i + 8 < n {
            if word(a, i) != word(b, i) {
                return false;
            }
            i += 8;
        }
        word(a, n - 8) == word(b, n - 8)
    } else if n >= 4 {
        let half =
            |s: &[u8], i: usize| u32::from_le_bytes(s[i..i + 4].try_into().expect("4 bytes"));
        half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4)
    } else {
        a == b
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

/// How many threads' handles one published value has at most (see [`Entry::handle_for`]);
/// threads beyond that are answered under the lock.
pub(crate) const MAX_HANDLES: usize = 16;

/// What the lock-free hit path of a thread knows about one published value: until when it may
/// be served without the lock, and whether it has been replaced or dropped since.
#[derive(Debug)]
pub(crate) struct Tag {
    /// Hits strictly before this instant are answered without the lock: the entry's
    /// `refresh_at` (at most its `fresh_until`) when the value was published.
    pub fast_until: Instant,
    retired: AtomicBool,
    /// The entry's recency stamp.
    pub recency: Arc<Recency>,
}

impl Tag {
    /// Whether the value was replaced, renewed or dropped since this tag was published.
    #[inline]
    pub fn is_retired(&self) -> bool {
        self.retired.load(Ordering::Acquire)
    }

    fn retire(&self) {
        self.retired.store(true, Ordering::Release);
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
    /// Place in the recency order.
    recency: Arc<Recency>,
    /// The value's tag for the lock-free hit path, while there is a value.
    tag: Option<Arc<Tag>>,
    /// Per-thread handles on the value (thread number, handle), at most [`MAX_HANDLES`].
    handles: Vec<(u64, Secret)>,
}

impl Entry {
    /// An entry without a value whose first request is `flight`.
    pub fn pending(flight: Arc<Flight>, now: Instant) -> Entry {
        let mut e = Entry::empty(now);
        e.flight = Some(flight);
        e
    }

    fn empty(now: Instant) -> Entry {
        Entry {
            value: None,
            fresh_until: now,
            refresh_at: now,
            flight: None,
            failures: 0,
            retry_at: None,
            last_error: None,
            recency: Arc::default(),
            tag: None,
            handles: Vec::new(),
        }
    }

    /// An entry holding `value`, fresh until `fresh_until`.
    pub fn with_value(value: Secret, fresh_until: Instant, refresh_at: Instant) -> Entry {
        let mut e = Entry::empty(fresh_until);
        e.publish(value, fresh_until, refresh_at);
        e
    }

    /// Whether the backoff after a failure is still running.
    pub fn backing_off(&self, now: Instant) -> bool {
        self.retry_at.is_some_and(|t| now < t)
    }

    /// Installs `value` with new deadlines and clears the failure state; returns the value it
    /// replaces. Every thread's hit path stops serving the old value (or the old deadlines)
    /// before this returns.
    pub fn publish(
        &mut self,
        value: Secret,
        fresh_until: Instant,
        refresh_at: Instant,
    ) -> Option<Secret> {
        self.retire();
        self.fresh_until = fresh_until;
        self.refresh_at = refresh_at;
        self.failures = 0;
        self.retry_at = None;
        self.last_error = None;
        self.tag = Some(Arc::new(Tag {
            fast_until: refresh_at,
            retired: AtomicBool::new(false),
            recency: self.recency.clone(),
        }));
        self.value.replace(value)
    }

    /// Drops the value (a permanent failure); every thread's hit path stops serving it first.
    pub fn take_value(&mut self) -> Option<Secret> {
        self.retire();
        self.value.take()
    }

    /// Ends the hit path's use of the current value: retires its tag and drops the per-thread
    /// handles (a handle a caller still holds stays valid for that caller).
    fn retire(&mut self) {
        if let Some(tag) = self.tag.take() {
            tag.retire();
        }
        self.handles.clear();
    }

    /// The handle of thread `thread` on the current value and the value's tag, for that
    /// thread's hit path: its existing handle, else the entry's own for the first thread that
    /// asks, else a new one while there are fewer than [`MAX_HANDLES`]. `None` without a value
    /// or when full.
    pub fn handle_for(&mut self, thread: u64) -> Option<(Secret, Arc<Tag>)> {
        let tag = self.tag.as_ref()?;
        if let Some((_, h)) = self.handles.iter().find(|(t, _)| *t == thread) {
            return Some((h.clone(), tag.clone()));
        }
        if self.handles.len() >= MAX_HANDLES {
            return None;
        }
        let value = self.value.as_ref()?;
        let h = if self.handles.is_empty() {
            value.clone()
        } else {
            value.new_handle()
        };
        if self.handles.is_empty() {
            // Most values are read by one or two threads: no room for four.
            self.handles.reserve_exact(1);
        }
        self.handles.push((thread, h.clone()));
        Some((h, tag.clone()))
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        // Evicted, invalidated or dropped with the cache: no thread serves it any more.
        self.retire();
    }
}

impl Stamped for Entry {
    fn recency(&self) -> &Recency {
        &self.recency
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
    /// Eight bytes at a time; a tail of 4 to 7 bytes as two overlapping 4-byte reads, of 1 to
    /// 3 as its first, middle and last byte (no copy into a buffer); then the length.
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut rest = bytes;
        while let Some((word, tail)) = rest.split_first_chunk::<8>() {
            self.add(u64::from_le_bytes(*word));
            rest = tail;
        }
        let n = rest.len();
        if n >= 4 {
            let lo = u32::from_le_bytes(rest[..4].try_into().expect("4 bytes"));
            let hi = u32::from_le_bytes(rest[n - 4..].try_into().expect("4 bytes"));
            self.add(u64::from(lo) | u64::from(hi) << 32);
        } else if n > 0 {
            let b = |i: usize| u64::from(rest[i]);
            self.add(b(0) | b(n / 2) << 8 | b(n - 1) << 16);
        }
        self.add(bytes.len() as u64);
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    /// The last multiplication leaves its entropy in the high bits; the rotation brings some
    /// to the low bits, which pick the bucket.
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

/// The hash of a key under `seed` (what a thread's map is indexed by).
#[inline]
pub(crate) fn hash_key(seed: u64, key: KeyRef<'_>) -> u64 {
    let mut h = FxHasher(seed);
    h.write(key.id.as_bytes());
    match key.version {
        Version::Current => h.add(0),
        Version::Id(v) => {
            h.add(1);
            h.write(v.as_bytes());
        }
        Version::Stage(v) => {
            h.add(2);
            h.write(v.as_bytes());
        }
    }
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(id: &str) -> Key {
        KeyRef::new(id, Version::Current).to_owned()
    }

    fn cur(id: &str) -> KeyRef<'_> {
        KeyRef::new(id, Version::Current)
    }

    #[test]
    fn keys_compare_and_hash_every_byte() {
        let text = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf";
        for n in 0..text.len() {
            let a = &text[..n];
            let owned = k(a);
            assert!(owned.matches(cur(a)), "{a:?}");
            assert_eq!(hash_key(7, cur(a)), hash_key(7, owned.as_ref()));
            // One byte changed, wherever it is, or one byte more or less: another key.
            for i in 0..n {
                let mut b = a.as_bytes().to_vec();
                b[i] ^= 0x20;
                let b = String::from_utf8(b).unwrap();
                assert!(!owned.matches(cur(&b)), "{a:?} vs {b:?}");
                assert_ne!(hash_key(7, cur(a)), hash_key(7, cur(&b)), "{a:?} vs {b:?}");
            }
            let longer = &text[..n + 1];
            assert!(!owned.matches(cur(longer)));
            assert_ne!(hash_key(7, cur(a)), hash_key(7, cur(longer)));
        }
        let id = KeyRef::new("s", Version::Id("v"));
        let stage = KeyRef::new("s", Version::Stage("v"));
        assert!(!id.to_owned().matches(stage) && !stage.to_owned().matches(id));
        assert!(stage
            .to_owned()
            .matches(KeyRef::new("s", Version::Stage("v"))));
        assert_ne!(hash_key(7, id), hash_key(7, stage));
        assert_ne!(hash_key(7, id), hash_key(8, id), "seeded");
    }

    #[test]
    fn publishing_retires_the_previous_tag_and_handles() {
        let now = Instant::now();
        let later = now + std::time::Duration::from_secs(10);
        let mut e = Entry::with_value(Secret::from_string("s", "one"), later, later);
        let (h1, tag1) = e.handle_for(1).expect("a value");
        let (again, _) = e.handle_for(1).expect("a value");
        assert!(again.downgrade().upgrade().is_some());
        assert!(h1.ptr_eq(&again) && h1.ptr_eq(e.value.as_ref().unwrap()));
        assert!(!tag1.is_retired() && tag1.fast_until == later);
        let weak = h1.downgrade();
        drop((h1, again));
        // Still held by the entry.
        assert!(weak.upgrade().is_some());
        e.publish(Secret::from_string("s", "two"), later, now);
        assert!(tag1.is_retired());
        assert!(
            weak.upgrade().is_none(),
            "the entry let go of the old handles"
        );
        let (_, tag2) = e.handle_for(1).unwrap();
        assert_eq!(tag2.fast_until, now);
        // One handle per thread, at most MAX_HANDLES.
        for t in 2..=MAX_HANDLES as u64 {
            assert!(e.handle_for(t).is_some());
        }
        assert!(e.handle_for(1000).is_none());
        assert!(e.handle_for(1).is_some());
        e.take_value();
        assert!(tag2.is_retired() && e.handle_for(1).is_none());
        let (_, tag3) = {
            e.publish(Secret::from_string("s", "three"), later, later);
            e.handle_for(1).unwrap()
        };
        drop(e);
        assert!(tag3.is_retired(), "dropping an entry retires its tag");
    }
}
