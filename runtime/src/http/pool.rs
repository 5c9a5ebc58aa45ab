//! A small keep-alive connection pool keyed by (scheme, host, port), bounding the connections
//! open to each origin.
//!
//! Connections enter the pool only after a response was read completely; anything that failed is
//! dropped, which closes its socket.
//!
//! Every pooled connection holds a [`Slot`] of its origin, counted until the connection is
//! dropped: after a failure, when it is found closed by the server (checked, without waiting,
//! before an idle connection is handed out and whenever idle connections are looked over), or
//! when it has been idle too long. A caller finding no idle connection gets a new slot while
//! fewer than the bound are open, else queues: the waiters are served first come, first served,
//! either with a connection returned after a complete exchange or with the slot of a connection
//! that closed. Nothing polls: a waiter sleeps on a oneshot channel until it is handed something.
//!
//! The pool's state is owned by the transport alone (slots and waiters only point back to it
//! weakly), so dropping the last clone of the transport drops the idle connections, which
//! closes their sockets.

use std::collections::{HashMap, VecDeque};
use std::hash::BuildHasherDefault;
use std::sync::{Arc, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

pub(crate) use super::h1::Conn;

/// Pool key: connections are only shared between requests to the same origin.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct PoolKey {
    https: bool,
    /// In lower case; shared, so that a request's copy of its origin's key costs no allocation.
    host: Arc<str>,
    port: u16,
}

impl PoolKey {
    /// The key of `scheme://host:port` (`https` for the scheme).
    pub(crate) fn new(https: bool, host: &str, port: u16) -> PoolKey {
        PoolKey {
            https,
            host: host.to_ascii_lowercase().into(),
            port,
        }
    }
}

/// The map is looked up twice per request (taking a connection and putting it back), and its
/// keys are origins the program itself chose, so it hashes with the endpoint cache's FNV-1a
/// (`PoolKey`'s fields hash as bytes) instead of the standard map's keyed SipHash, built
/// against hostile keys (about 600 instructions per request).
type Hosts = HashMap<PoolKey, Host, BuildHasherDefault<crate::client::KeyHash>>;

struct Idle {
    conn: Conn,
    since: Instant,
}

/// What a caller gets from [`Pool::acquire`].
pub(crate) enum Grant {
    /// A ready connection (it already holds its slot).
    Idle(Conn),
    /// Leave to open one connection: the slot goes into it ([`Conn::new`]).
    Connect(Slot),
}

/// One of the open connections an origin may have. Released (to the first waiter, or back to
/// the count) when dropped.
pub(crate) struct Slot {
    shared: Weak<Shared>,
    key: PoolKey,
    /// Cleared when the slot was passed on by hand, so dropping it releases nothing.
    armed: bool,
}

impl Slot {
    fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Some(shared) = self.shared.upgrade() {
            shared.release(&self.key);
        }
    }
}

/// The pool's state for one origin.
#[derive(Default)]
struct Host {
    /// Connections holding a slot: in use, idle, or closed and not yet released.
    open: usize,
    /// Idle connections, most recently used last.
    idle: Vec<Idle>,
    /// Callers waiting for a connection or a slot, first come first.
    waiters: VecDeque<oneshot::Sender<Grant>>,
}

impl Host {
    fn is_unused(&self) -> bool {
        self.open == 0 && self.idle.is_empty() && self.waiters.is_empty()
    }
}

struct Shared {
    hosts: Mutex<Hosts>,
    idle_timeout: Duration,
    max_idle_per_host: usize,
    max_open_per_host: usize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Hosts> {
        self.hosts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Moves idle connections that are closed or idle for longer than the idle timeout into
    /// `out` (dropped by the caller once the lock is released).
    fn evict(&self, host: &mut Host, now: Instant, out: &mut Vec<Conn>) {
        let limit = self.idle_timeout;
        let mut i = 0;
        while i < host.idle.len() {
            let idle = &mut host.idle[i];
            if now.duration_since(idle.since) >= limit || idle.conn.is_closed() {
                out.push(host.idle.remove(i).conn);
            } else {
                i += 1;
            }
        }
    }

    /// A slot of `key` was freed: hands it to the first waiter still waiting, else uncounts it.
    fn release(self: Arc<Self>, key: &PoolKey) {
        let mut hosts = self.lock();
        let Some(host) = hosts.get_mut(key) else {
            return;
        };
        while let Some(waiter) = host.waiters.pop_front() {
            let slot = Slot {
                shared: Arc::downgrade(&self),
                key: key.clone(),
                armed: true,
            };
            match waiter.send(Grant::Connect(slot)) {
                Ok(()) => return,
                // That waiter gave up: the slot goes to the next one (dropping it here, under
                // the lock, must not release it again).
                Err(grant) => {
                    if let Grant::Connect(slot) = grant {
                        slot.disarm();
                    }
                }
            }
        }
        host.open = host.open.saturating_sub(1);
        if host.is_unused() {
            hosts.remove(key);
        }
    }

    /// Hands `conn` to the first waiter still waiting, else keeps it idle. Connections dropped
    /// on the way are returned to be dropped outside the lock.
    fn checkin(&self, key: PoolKey, conn: Conn, now: Instant) -> Vec<Conn> {
        let mut dropped = Vec::new();
        let mut hosts = self.lock();
        let host = hosts.entry(key).or_default();
        let mut conn = conn;
        while let Some(waiter) = host.waiters.pop_front() {
            match waiter.send(Grant::Idle(conn)) {
                Ok(()) => return dropped,
                Err(Grant::Idle(back)) => conn = back,
                Err(Grant::Connect(slot)) => {
                    // Not what was sent; keep the books straight anyway.
                    slot.disarm();
                    return dropped;
                }
            }
        }
        self.evict(host, now, &mut dropped);
        if self.max_idle_per_host == 0 {
            dropped.push(conn);
            return dropped;
        }
        if host.idle.len() >= self.max_idle_per_host {
            // Keep the freshest connections.
            dropped.push(host.idle.remove(0).conn);
        }
        host.idle.push(Idle { conn, since: now });
        dropped
    }
}

/// A caller queued for a connection of `key`. If it stops waiting after something was handed
/// to it, that goes back to the pool (a connection) or to the next waiter (a slot).
struct Waiting {
    rx: oneshot::Receiver<Grant>,
    shared: Weak<Shared>,
    key: PoolKey,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        self.rx.close();
        match self.rx.try_recv() {
            Ok(Grant::Idle(conn)) => {
                if let Some(shared) = self.shared.upgrade() {
                    let key = self.key.clone();
                    drop(shared.checkin(key, conn, Instant::now()));
                }
            }
            // Dropping the slot hands it on.
            Ok(Grant::Connect(slot)) => drop(slot),
            Err(_) => {}
        }
    }
}

/// Connections per origin: the idle ones, and a bound on all open ones.
pub(crate) struct Pool {
    shared: Arc<Shared>,
}

impl Pool {
    /// A pool keeping up to `max_idle_per_host` idle connections per origin for `idle_timeout`,
    /// with at most `max_open_per_host` open (at least 1).
    pub(crate) fn new(
        idle_timeout: Duration,
        max_idle_per_host: usize,
        max_open_per_host: usize,
    ) -> Pool {
        Pool {
            shared: Arc::new(Shared {
                hosts: Mutex::new(Hosts::default()),
                idle_timeout,
                max_idle_per_host,
                max_open_per_host: max_open_per_host.max(1),
            }),
        }
    }

    /// An idle connection, a slot for a new one, or a place in the queue, in that order of
    /// preference. Connections evicted on the way are moved into `dropped`.
    fn try_acquire(&self, key: &PoolKey, dropped: &mut Vec<Conn>) -> Result<Grant, Waiting> {
        let shared = &self.shared;
        let mut hosts = shared.lock();
        let now = Instant::now();
        hosts.retain(|_, host| {
            shared.evict(host, now, dropped);
            !host.is_unused()
        });
        let slot = || Slot {
            shared: Arc::downgrade(shared),
            key: key.clone(),
            armed: true,
        };
        // (The key is cloned only for a new origin, a new connection or a queued caller.)
        if let Some(host) = hosts.get_mut(key) {
            if let Some(idle) = host.idle.pop() {
                return Ok(Grant::Idle(idle.conn));
            }
            if host.open < shared.max_open_per_host {
                host.open += 1;
                return Ok(Grant::Connect(slot()));
            }
            let (tx, rx) = oneshot::channel();
            host.waiters.push_back(tx);
            return Err(Waiting {
                rx,
                shared: Arc::downgrade(shared),
                key: key.clone(),
            });
        }
        let host = Host {
            open: 1,
            ..Host::default()
        };
        hosts.insert(key.clone(), host);
        Ok(Grant::Connect(slot()))
    }

    /// A ready idle connection to `key`, or a slot to open a new one: waits (in turn with the
    /// other callers) while the origin has its bound of connections open and none is idle.
    pub(crate) async fn acquire(&self, key: &PoolKey) -> Grant {
        loop {
            let mut dropped = Vec::new();
            let found = self.try_acquire(key, &mut dropped);
            drop(dropped);
            let grant = match found {
                // An idle connection from `try_acquire` was just looked over (`evict`).
                Ok(grant) => return grant,
                Err(mut waiting) => match (&mut waiting.rx).await {
                    Ok(grant) => grant,
                    // The pool dropped its waiters (it is going away): ask again.
                    Err(_) => continue,
                },
            };
            match grant {
                Grant::Idle(mut conn) => {
                    if conn.is_closed() {
                        // Dropping it frees its slot; ask again.
                        continue;
                    }
                    return Grant::Idle(conn);
                }
                slot @ Grant::Connect(_) => return slot,
            }
        }
    }

    /// Returns a connection after a complete exchange (to a waiting caller first).
    pub(crate) fn checkin(&self, key: PoolKey, conn: Conn) {
        let dropped = self.shared.checkin(key, conn, Instant::now());
        drop(dropped);
    }

    /// The bound on the connections open to one origin.
    pub(crate) fn max_open_per_host(&self) -> usize {
        self.shared.max_open_per_host
    }

    /// Number of idle connections across all origins (evicting stale ones first).
    pub(crate) fn idle_count(&self) -> usize {
        let mut dropped = Vec::new();
        let now = Instant::now();
        let mut hosts = self.shared.lock();
        let mut n = 0;
        for host in hosts.values_mut() {
            self.shared.evict(host, now, &mut dropped);
            n += host.idle.len();
        }
        drop(hosts);
        n
    }

    /// Number of open connections to `key`'s origin, idle or in use (for tests).
    #[cfg(test)]
    pub(crate) fn open_count(&self, key: &PoolKey) -> usize {
        self.shared.lock().get(key).map_or(0, |h| h.open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> PoolKey {
        PoolKey {
            https: false,
            host: "127.0.0.1".into(),
            port: 1,
        }
    }

    fn slot(grant: Result<Grant, Waiting>) -> Slot {
        match grant {
            Ok(Grant::Connect(s)) => s,
            _ => panic!("expected a slot"),
        }
    }

    #[test]
    fn every_field_of_a_key_reaches_its_hash() {
        use std::hash::BuildHasher;
        let hash =
            |k: &PoolKey| BuildHasherDefault::<crate::client::KeyHash>::default().hash_one(k);
        let base = key();
        let others = [
            PoolKey {
                https: true,
                ..key()
            },
            PoolKey { port: 2, ..key() },
            PoolKey {
                host: "127.0.0.2".into(),
                ..key()
            },
        ];
        for other in &others {
            assert_ne!(hash(&base), hash(other), "{other:?}");
        }
    }

    #[test]
    fn slots_are_bounded_and_handed_to_waiters_in_order() {
        let pool = Pool::new(Duration::from_secs(45), 4, 2);
        let mut dropped = Vec::new();
        let a = slot(pool.try_acquire(&key(), &mut dropped));
        let b = slot(pool.try_acquire(&key(), &mut dropped));
        assert_eq!(pool.open_count(&key()), 2);
        let Err(mut first) = pool.try_acquire(&key(), &mut dropped) else {
            panic!("a third caller must wait");
        };
        let Err(second) = pool.try_acquire(&key(), &mut dropped) else {
            panic!("a fourth caller must wait");
        };
        assert!(first.rx.try_recv().is_err(), "nothing handed yet");
        // A freed slot goes to the first waiter; the count stays at the bound.
        drop(a);
        let c = match first.rx.try_recv() {
            Ok(Grant::Connect(s)) => s,
            _ => panic!("the first waiter gets the slot"),
        };
        assert_eq!(pool.open_count(&key()), 2);
        // A waiter that gave up passes what it was handed on.
        drop(b);
        assert_eq!(pool.open_count(&key()), 2);
        drop(second);
        assert_eq!(pool.open_count(&key()), 1);
        drop(c);
        assert_eq!(pool.open_count(&key()), 0);
        assert!(
            pool.shared.lock().is_empty(),
            "an unused origin is forgotten"
        );
        // A bound of 0 is taken as 1.
        let pool = Pool::new(Duration::from_secs(45), 4, 0);
        let _only = slot(pool.try_acquire(&key(), &mut dropped));
        assert!(pool.try_acquire(&key(), &mut dropped).is_err());
    }

    #[test]
    fn a_slot_outliving_its_pool_releases_nothing() {
        let pool = Pool::new(Duration::from_secs(45), 4, 1);
        let s = slot(pool.try_acquire(&key(), &mut Vec::new()));
        let weak = Arc::downgrade(&pool.shared);
        drop(pool);
        assert!(weak.upgrade().is_none(), "slots do not keep the pool alive");
        drop(s);
    }
}
