//! The hit path that writes nothing shared: each thread keeps, per cache, a small map from key to
//! its own handle on the cached value and that value's [`Tag`].
//!
//! A hit on a thread that has read the key before is: a thread-local map lookup, a load of the
//! tag's `retired` flag, one clock read against the tag's deadline, an increment of the thread's
//! own handle's reference count, a read (rarely a write) of the entry's recency stamp and an
//! increment of the thread's own hit counter. No lock, and no cache line that another thread
//! writes: with several threads reading one key, nothing bounces between cores.
//!
//! Correctness rests on the cache, not on this map:
//! * a thread's map holds its handle *weakly*: the entry owns it ([`Entry::handle_for`]), so
//!   when a value is replaced, renewed, evicted, invalidated or dropped with the cache, the
//!   entry retires the tag (first) and lets go of the handles, and no thread serves it again
//!   (a handle a caller still holds stays valid for that caller, as any returned `Secret`);
//! * the clock is read on every hit and compared with the tag's `fast_until` (the entry's
//!   `refresh_at`, never later than its `fresh_until`): a value is never served from here at or
//!   after its TTL, however long a thread loops without yielding. Everything else (refresh
//!   ahead, stale-if-error, backoff, misses) goes through the lock.
//!
//! [`Entry::handle_for`]: crate::store::Entry::handle_for

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use tokio::time::Instant;

use crate::cache::Inner;
use crate::lru::Recorder;
use crate::secret::{Secret, WeakSecret};
use crate::store::{hash_key, Key, KeyRef, Tag};

/// Slots of a thread's table per cache: twice the cache's maximum entries rounded up to a power
/// of two, at most this many.
const MAX_SLOTS: usize = 256;

/// A thread's hit count for one cache: written by that thread only, read by
/// [`SecretCache::metrics`](crate::SecretCache::metrics); on a cache line of its own.
#[derive(Debug, Default)]
#[repr(align(64))]
pub(crate) struct ThreadHits(AtomicU64);

impl ThreadHits {
    /// One more hit. A load and a store, not a read-modify-write: this thread is the only
    /// writer.
    #[inline]
    fn bump(&self) {
        self.0
            .store(self.0.load(Ordering::Relaxed) + 1, Ordering::Relaxed);
    }

    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

struct LocalEntry {
    hash: u64,
    key: Key,
    handle: WeakSecret,
    tag: Arc<Tag>,
}

/// One thread's view of one cache.
struct LocalCache {
    cache: u64,
    seed: u64,
    owner: Weak<Inner>,
    hits: Arc<ThreadHits>,
    /// A direct-mapped table by [`hash_key`]: a key whose slot is taken replaces the key there
    /// (which then goes through the lock until it takes the slot back). A power of two long.
    slots: Box<[Option<Box<LocalEntry>>]>,
}

impl LocalCache {
    #[inline]
    fn slot(&self, hash: u64) -> usize {
        hash as usize & (self.slots.len() - 1)
    }

    #[inline]
    fn get(&self, key: KeyRef<'_>) -> Option<&LocalEntry> {
        let hash = hash_key(self.seed, key);
        let e = self.slots[self.slot(hash)].as_deref()?;
        (e.hash == hash && e.key.matches(key)).then_some(e)
    }
}

impl Drop for LocalCache {
    fn drop(&mut self) {
        // The thread exits: its hits move into the cache's own count.
        if let Some(inner) = self.owner.upgrade() {
            inner.retire_thread(&self.hits);
        }
    }
}

struct LocalThread {
    /// This thread's number (0 until first asked for).
    number: Cell<u64>,
    caches: RefCell<Vec<LocalCache>>,
}

thread_local! {
    static LOCAL: LocalThread = const {
        LocalThread {
            number: Cell::new(0),
            caches: RefCell::new(Vec::new()),
        }
    };
}

static NEXT_THREAD: AtomicU64 = AtomicU64::new(1);

/// A number for this thread, unique in the process (entries keep one handle per number).
pub(crate) fn thread_number() -> Option<u64> {
    LOCAL
        .try_with(|t| {
            if t.number.get() == 0 {
                t.number.set(NEXT_THREAD.fetch_add(1, Ordering::Relaxed));
            }
            t.number.get()
        })
        .ok()
}

/// The hit path: `key`'s value from this thread's handle when the value is current and its
/// deadline not reached; `None` sends the caller to the lock.
#[inline]
pub(crate) fn hit(cache: u64, key: KeyRef<'_>, recorder: &Recorder) -> Option<Secret> {
    LOCAL
        .try_with(|t| {
            let caches = t.caches.try_borrow().ok()?;
            let c = caches.iter().find(|c| c.cache == cache)?;
            let e = c.get(key)?;
            // The flag is read before the clock: the value was current when the flag was
            // read, and the time then was at most the clock's reading, before `fast_until`.
            // Serving it is a hit at that instant.
            if e.tag.is_retired() || Instant::now() >= e.tag.fast_until {
                return None;
            }
            let secret = e.handle.upgrade()?;
            recorder.touch(&e.tag.recency);
            c.hits.bump();
            Some(secret)
        })
        .ok()
        .flatten()
}

/// Remembers this thread's `handle` on `key`'s value (from [`Entry::handle_for`]), so that the
/// next hits take [`hit`].
///
/// [`Entry::handle_for`]: crate::store::Entry::handle_for
pub(crate) fn remember(inner: &Arc<Inner>, key: KeyRef<'_>, handle: &Secret, tag: Arc<Tag>) {
    let _ = LOCAL.try_with(|t| {
        let Ok(mut caches) = t.caches.try_borrow_mut() else {
            return;
        };
        let i = match caches.iter().position(|c| c.cache == inner.id()) {
            Some(i) => i,
            None => {
                // Caches dropped since this thread last used one leave their tables behind.
                caches.retain(|c| c.owner.strong_count() > 0);
                let slots = inner
                    .max_entries()
                    .saturating_mul(2)
                    .clamp(2, MAX_SLOTS)
                    .next_power_of_two();
                caches.push(LocalCache {
                    cache: inner.id(),
                    seed: inner.seed(),
                    owner: Arc::downgrade(inner),
                    hits: inner.register_thread(),
                    slots: (0..slots).map(|_| None).collect(),
                });
                caches.len() - 1
            }
        };
        let c = &mut caches[i];
        let hash = hash_key(c.seed, key);
        let slot = c.slot(hash);
        c.slots[slot] = Some(Box::new(LocalEntry {
            hash,
            key: key.to_owned(),
            handle: handle.downgrade(),
            tag,
        }));
    });
}

/// Forgets this thread's entry for `key` when its value was retired (the lock's path found
/// nothing this thread may serve without it).
pub(crate) fn forget_retired(cache: u64, key: KeyRef<'_>) {
    let _ = LOCAL.try_with(|t| {
        if let Ok(mut caches) = t.caches.try_borrow_mut() {
            if let Some(c) = caches.iter_mut().find(|c| c.cache == cache) {
                if c.get(key).is_some_and(|e| e.tag.is_retired()) {
                    let slot = c.slot(hash_key(c.seed, key));
                    c.slots[slot] = None;
                }
            }
        }
    });
}

/// Drops this thread's map for a cache being dropped (other threads drop theirs when they next
/// remember a key of any cache, or exit; their maps hold no value, only weak handles).
pub(crate) fn forget_cache(cache: u64) {
    let _ = LOCAL.try_with(|t| {
        if let Ok(mut caches) = t.caches.try_borrow_mut() {
            caches.retain(|c| c.cache != cache);
        }
    });
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use awsrt::test_util::{test_config, MockTransport, Rule};
    use tokio::time::advance;

    use super::*;
    use crate::SecretCache;

    /// Keys this thread remembers for a cache.
    fn remembered(cache: u64) -> usize {
        LOCAL.with(|t| {
            t.caches
                .borrow()
                .iter()
                .find(|c| c.cache == cache)
                .map_or(0, |c| c.slots.iter().flatten().count())
        })
    }

    fn cache(mock: &MockTransport, refresh_ahead: f64) -> SecretCache {
        SecretCache::builder(secretsmanager::Client::new(&test_config(mock)))
            .ttl(Duration::from_secs(10))
            .ttl_jitter(0.0)
            .refresh_ahead(refresh_ahead)
            .build()
            .unwrap()
    }

    fn repeating() -> MockTransport {
        MockTransport::new().with_rule(
            Rule::new("GetSecretValue")
                .then_output_json(r#"{"Name":"db","VersionId":"v1","SecretString":"x"}"#)
                .repeatedly(),
        )
    }

    const NS: Duration = Duration::from_nanos(1);

    /// The lock-free path answers strictly before the value's deadline and never at it: at the
    /// TTL (no refresh ahead), or at the refresh point, where the lock decides.
    #[tokio::test(start_paused = true)]
    async fn the_lock_free_path_ends_exactly_at_the_deadline() {
        for (refresh_ahead, deadline) in [(1.0, 10), (0.5, 5)] {
            let mock = repeating();
            let cache = cache(&mock, refresh_ahead);
            let key = KeyRef::current("db");
            cache.get("db").await.unwrap(); // a miss
            assert!(
                cache.inner().hit(key).is_none(),
                "not read on this thread yet"
            );
            cache.get("db").await.unwrap(); // a hit under the lock: remembered
            assert!(cache.inner().hit(key).is_some());
            advance(Duration::from_secs(deadline) - NS).await;
            assert!(cache.inner().hit(key).is_some());
            advance(NS).await;
            assert!(cache.inner().hit(key).is_none(), "at {deadline} s");
            assert_eq!(mock.request_count(), 1);
            // The get goes through the lock: refreshes ahead, or fetches after the TTL.
            cache.get("db").await.unwrap();
            tokio::task::yield_now().await;
            assert_eq!(mock.request_count(), 2);
        }
    }

    /// A thread's table holds its handle weakly: dropped with the entry (once the callers have
    /// dropped theirs), and the table goes with the cache.
    #[tokio::test(start_paused = true)]
    async fn a_threads_handle_lives_no_longer_than_the_entry() {
        let mock = repeating();
        let cache = cache(&mock, 1.0);
        let first = cache.get("db").await.unwrap();
        let mine = cache.get("db").await.unwrap();
        assert!(mine.ptr_eq(&first) && remembered(cache.inner().id()) == 1);
        let weak = mine.downgrade();
        drop((first, mine));
        assert!(weak.upgrade().is_some(), "held by the entry");
        assert!(cache.inner().hit(KeyRef::current("db")).is_some());
        cache.invalidate("db");
        assert!(
            weak.upgrade().is_none(),
            "neither the entry nor this thread holds it"
        );
        assert!(cache.inner().hit(KeyRef::current("db")).is_none());
        // The next get misses (a second request) and clears this thread's stale slot.
        cache.get("db").await.unwrap();
        assert_eq!(mock.request_count(), 2);
        assert_eq!(remembered(cache.inner().id()), 0);
        cache.get("db").await.unwrap();
        assert_eq!(remembered(cache.inner().id()), 1);
        let id = cache.inner().id();
        drop(cache);
        assert_eq!(remembered(id), 0, "the cache's table went with it");
    }
}
