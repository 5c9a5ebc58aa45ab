//! The map the cache keeps its entries in: at most a fixed number of entries, the least
//! recently used evicted first.
//!
//! Recency is not a linked list that every hit relinks under a lock: each entry carries a
//! [`Recency`] stamp, a value of the cache-wide counter in [`Recorder`], which a hit on any
//! thread re-stamps with relaxed atomics and without the map's lock (see [`Recorder::touch`]
//! for when). The map is a `HashMap` from key to a slot in a vector of nodes; a `BTreeMap`
//! orders the slots by the stamp each had when last placed, and eviction takes its first entry
//! after moving any that were stamped since (lazily, so a hit never pays for ordering). A
//! lookup allocates nothing: the map is searched with a borrowed [`KeyRef`].

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::store::{AsKeyRef, Key, KeyRef, SeededHash};

/// An entry's place in the recency order: the value of [`Recorder`]'s counter at its last
/// recorded use. Read by every hit and rarely written, so it needs no cache line of its own.
#[derive(Debug, Default)]
pub(crate) struct Recency(AtomicU64);

impl Recency {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The cache-wide recency counter. It advances by one at every insertion and at every recorded
/// use, so stamps are unique and their order is the order of those events.
#[derive(Debug)]
#[repr(align(64))]
pub(crate) struct Recorder {
    counter: AtomicU64,
    /// A use is recorded only when at least this many steps were taken since the entry's last.
    window: u64,
}

impl Recorder {
    /// The window for a map of `max_entries`: `max(1, max_entries / 16)` steps, so an order of
    /// up to 31 entries is exact, and a larger one is exact up to that window (a hit on one of
    /// the most recently recorded entries writes nothing).
    pub fn new(max_entries: usize) -> Recorder {
        Recorder {
            counter: AtomicU64::new(0),
            window: (max_entries as u64 / 16).max(1),
        }
    }

    /// The step a new entry gets.
    fn next(&self) -> u64 {
        self.counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Records a use of the entry stamped `r`: a new step when at least `window` steps were
    /// taken since its stamp, else nothing. A hit on the most recent entry (the common case of
    /// one hot key) therefore only reads; two threads stamping at once keep the later step.
    #[inline]
    pub fn touch(&self, r: &Recency) {
        let stamp = r.0.load(Ordering::Relaxed);
        if self.counter.load(Ordering::Relaxed).saturating_sub(stamp) >= self.window {
            r.0.fetch_max(self.next(), Ordering::Relaxed);
        }
    }

    #[cfg(test)]
    pub fn window(&self) -> u64 {
        self.window
    }
}

/// A value the [`Lru`] can order: it carries its recency stamp.
pub(crate) trait Stamped {
    fn recency(&self) -> &Recency;
}

#[cfg(test)]
impl Stamped for Arc<Recency> {
    fn recency(&self) -> &Recency {
        self
    }
}

struct Node<V> {
    key: Key,
    value: V,
    /// The stamp under which `order` holds this node (at most its current stamp).
    placed: u64,
}

/// A map with a maximum number of entries that evicts the least recently used one, as recorded
/// by the entries' [`Recency`] stamps.
pub(crate) struct Lru<V> {
    map: HashMap<Key, usize, SeededHash>,
    nodes: Vec<Option<Node<V>>>,
    free: Vec<usize>,
    /// Slots by the stamp each had when placed.
    order: BTreeMap<u64, usize>,
    capacity: usize,
    recorder: Arc<Recorder>,
}

impl<V: Stamped> Lru<V> {
    /// An empty map holding at most `capacity` (≥ 1) entries, stamping with `recorder`.
    pub fn new(capacity: usize, seed: u64, recorder: Arc<Recorder>) -> Lru<V> {
        let capacity = capacity.max(1);
        Lru {
            map: HashMap::with_capacity_and_hasher(capacity.min(4096), SeededHash(seed)),
            nodes: Vec::new(),
            free: Vec::new(),
            order: BTreeMap::new(),
            capacity,
            recorder,
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
        self.nodes[i].as_ref().expect("mapped slot is occupied")
    }

    fn node_mut(&mut self, i: usize) -> &mut Node<V> {
        self.nodes[i].as_mut().expect("mapped slot is occupied")
    }

    fn index(&self, key: KeyRef<'_>) -> Option<usize> {
        self.map.get(&key as &dyn AsKeyRef).copied()
    }

    /// The entry for `key`, its use recorded ([`Recorder::touch`]).
    pub fn get_mut(&mut self, key: KeyRef<'_>) -> Option<&mut V> {
        let i = self.index(key)?;
        let node = self.nodes[i].as_mut().expect("mapped slot is occupied");
        self.recorder.touch(node.value.recency());
        Some(&mut node.value)
    }

    /// The entry for `key`, recency unchanged.
    pub fn peek_mut(&mut self, key: KeyRef<'_>) -> Option<&mut V> {
        let i = self.index(key)?;
        Some(&mut self.node_mut(i).value)
    }

    /// Gives slot `i` a new stamp (the most recent) and places it under that stamp.
    fn stamp_new(&mut self, i: usize) {
        let stamp = self.recorder.next();
        let node = self.nodes[i].as_mut().expect("mapped slot is occupied");
        node.value.recency().0.store(stamp, Ordering::Relaxed);
        let old = std::mem::replace(&mut node.placed, stamp);
        self.order.remove(&old);
        self.order.insert(stamp, i);
    }

    /// Inserts (or replaces) `key` as most recently used; returns the entry evicted to make room.
    pub fn insert(&mut self, key: Key, value: V) -> Option<(Key, V)> {
        if let Some(i) = self.index(key.as_ref()) {
            self.node_mut(i).value = value;
            self.stamp_new(i);
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
            placed: 0,
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
        self.stamp_new(i);
        evicted
    }

    fn take(&mut self, i: usize) -> (Key, V) {
        let node = self.nodes[i].take().expect("mapped slot is occupied");
        self.order.remove(&node.placed);
        self.map.remove(&node.key as &dyn AsKeyRef);
        self.free.push(i);
        (node.key, node.value)
    }

    /// Removes and returns the least recently used entry: the one with the oldest stamp. Slots
    /// at the front of `order` that were stamped since they were placed move to their stamp
    /// first; the first slot found in place holds the oldest stamp of all, since every other
    /// slot's stamp is at least the one it is placed under.
    pub fn pop_lru(&mut self) -> Option<(Key, V)> {
        loop {
            let (&placed, &i) = self.order.first_key_value()?;
            let stamp = self.node(i).value.recency().get();
            if stamp <= placed {
                return Some(self.take(i));
            }
            self.order.remove(&placed);
            self.order.insert(stamp, i);
            self.node_mut(i).placed = stamp;
        }
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

    /// Keys from most to least recently used (newest stamp first): the reverse of the order in
    /// which [`Lru::pop_lru`] would evict them.
    pub fn keys_by_recency(&self) -> Vec<KeyRef<'_>> {
        let mut nodes: Vec<&Node<V>> = self.nodes.iter().flatten().collect();
        nodes.sort_unstable_by_key(|n| std::cmp::Reverse(n.value.recency().get()));
        nodes.into_iter().map(|n| n.key.as_ref()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Version, AWSCURRENT};

    /// A value with a stamp, as the map holds entries.
    #[derive(Debug, Default)]
    struct V(u32, Recency);

    impl PartialEq for V {
        fn eq(&self, other: &V) -> bool {
            self.0 == other.0
        }
    }

    impl Stamped for V {
        fn recency(&self) -> &Recency {
            &self.1
        }
    }

    fn v(n: u32) -> V {
        V(n, Recency::default())
    }

    fn k(id: &str) -> Key {
        KeyRef::new(id, Version::Current).to_owned()
    }

    fn cur(id: &str) -> KeyRef<'_> {
        KeyRef::new(id, Version::Current)
    }

    fn lru(capacity: usize, seed: u64) -> Lru<V> {
        Lru::new(capacity, seed, Arc::new(Recorder::new(capacity)))
    }

    fn ids(lru: &Lru<V>) -> Vec<String> {
        lru.keys_by_recency()
            .iter()
            .map(|k| k.id.to_string())
            .collect()
    }

    #[test]
    fn evicts_the_least_recently_used() {
        let mut lru = lru(3, 1);
        for (i, id) in ["a", "b", "c"].iter().enumerate() {
            assert!(lru.insert(k(id), v(i as u32)).is_none());
        }
        assert_eq!(ids(&lru), ["c", "b", "a"]);
        // Touch "a": now "b" is the oldest.
        assert_eq!(lru.get_mut(cur("a")).map(|v| v.0), Some(0));
        let (key, val) = lru.insert(k("d"), v(3)).expect("full");
        assert_eq!((key.as_ref().id, val.0), ("b", 1));
        assert_eq!(ids(&lru), ["d", "a", "c"]);
        // Peeking does not change the order.
        assert!(lru.peek_mut(cur("c")).is_some());
        assert_eq!(lru.pop_lru().map(|(k, _)| k), Some(k("c")));
        assert_eq!(lru.len(), 2);
    }

    #[test]
    fn stamps_written_without_the_map_decide_the_order() {
        // What a thread's lock-free hit does: touch the entry's stamp, not the map.
        let recorder = Arc::new(Recorder::new(4));
        let mut lru: Lru<Arc<Recency>> = Lru::new(4, 5, recorder.clone());
        let stamps: Vec<Arc<Recency>> = (0..4).map(|_| Arc::default()).collect();
        for (i, s) in stamps.iter().enumerate() {
            lru.insert(k(&format!("k{i}")), s.clone());
        }
        for i in [2, 0, 3, 0, 1] {
            recorder.touch(&stamps[i]);
        }
        // Least to most recent: 2, 3, 0, 1; the same order whatever `order` held.
        let evicted: Vec<String> = std::iter::from_fn(|| lru.pop_lru())
            .map(|(k, _)| k.as_ref().id.to_owned())
            .collect();
        assert_eq!(evicted, ["k2", "k3", "k0", "k1"]);
    }

    /// A stamp as an insertion gives it.
    fn inserted(recorder: &Recorder) -> Recency {
        Recency(AtomicU64::new(recorder.next()))
    }

    #[test]
    fn a_hit_on_the_most_recent_entry_writes_nothing() {
        let recorder = Recorder::new(3);
        let a = inserted(&recorder);
        let b = inserted(&recorder);
        recorder.touch(&a);
        let stamp = a.get();
        for _ in 0..100 {
            recorder.touch(&a);
        }
        assert_eq!(
            (a.get(), recorder.counter.load(Ordering::Relaxed)),
            (stamp, stamp)
        );
        recorder.touch(&b);
        assert!(b.get() > a.get());
        recorder.touch(&a);
        assert!(a.get() > b.get());
    }

    #[test]
    fn large_maps_record_uses_with_a_window() {
        // 320 entries: a window of 20 steps. A use within 20 steps of the entry's own stamp is
        // not recorded; an older one is.
        let recorder = Recorder::new(320);
        assert_eq!(recorder.window(), 20);
        assert_eq!(Recorder::new(31).window(), 1);
        let hot = inserted(&recorder);
        let first = hot.get();
        let others: Vec<Recency> = (0..19).map(|_| inserted(&recorder)).collect();
        recorder.touch(&hot);
        assert_eq!(hot.get(), first, "19 steps later: not recorded");
        recorder.touch(&others[0]);
        assert_eq!(others[0].get(), 2, "its own stamp is within the window too");
        let _twentieth = inserted(&recorder);
        recorder.touch(&hot);
        assert!(hot.get() > first, "20 steps later: recorded");
        assert_eq!(hot.get(), recorder.counter.load(Ordering::Relaxed));
    }

    #[test]
    fn replacing_reuses_the_entry_and_slots_are_recycled() {
        let mut lru = lru(2, 2);
        lru.insert(k("a"), v(1));
        lru.insert(k("a"), v(2));
        assert_eq!(lru.len(), 1);
        assert_eq!(lru.remove(cur("a")), Some(v(2)));
        assert_eq!(lru.remove(cur("a")), None);
        for i in 0..100 {
            lru.insert(k(&format!("x{i}")), v(i));
        }
        assert_eq!(lru.len(), 2);
        assert!(
            lru.nodes.len() <= 3,
            "slots are reused: {}",
            lru.nodes.len()
        );
        assert_eq!(lru.order.len(), 2);
        assert_eq!(ids(&lru), ["x99", "x98"]);
    }

    #[test]
    fn versions_are_distinct_keys_and_awscurrent_is_current() {
        let mut lru = lru(10, 3);
        lru.insert(KeyRef::new("s", Version::Current).to_owned(), v(1));
        lru.insert(
            KeyRef::new("s", Version::Stage("AWSPREVIOUS")).to_owned(),
            v(2),
        );
        lru.insert(KeyRef::new("s", Version::Id("v1")).to_owned(), v(3));
        // "AWSCURRENT" as a stage names the same entry as Current.
        lru.insert(
            KeyRef::new("s", Version::Stage(AWSCURRENT)).to_owned(),
            v(4),
        );
        assert_eq!(lru.len(), 3);
        assert_eq!(lru.peek_mut(cur("s")).map(|v| v.0), Some(4));
        // A stage and a version id with the same text are different keys.
        assert!(lru
            .peek_mut(KeyRef::new("s", Version::Stage("v1")))
            .is_none());
        let removed = lru.remove_where(|k| k.id == "s" && k.version != Version::Current);
        assert_eq!(removed.len(), 2);
        assert_eq!(lru.len(), 1);
        assert_eq!(lru.order.len(), 1);
    }

    #[test]
    fn capacity_is_at_least_one() {
        let mut lru = lru(0, 4);
        assert_eq!(lru.capacity(), 1);
        lru.insert(k("a"), v(1));
        assert!(lru.insert(k("b"), v(2)).is_some());
        assert_eq!(lru.len(), 1);
    }
}
