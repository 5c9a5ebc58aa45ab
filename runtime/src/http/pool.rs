//! A small keep-alive connection pool keyed by (scheme, host, port).
//!
//! Connections enter the pool only after a response was read completely; anything that failed is
//! dropped, which aborts its background task and closes the socket.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use tokio::task::AbortHandle;

use super::Target;

/// The request-sending half of an HTTP/1 connection.
pub(crate) type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

/// How long a checkout waits for a pooled connection to become ready before dropping it.
const READY_WAIT: Duration = Duration::from_secs(1);

/// A live connection: the sender plus the task driving the socket. Dropping it closes the socket.
pub(crate) struct Conn {
    pub(crate) sender: Sender,
    task: AbortHandle,
    /// Reports the connection's lifetime when it closes (with a meter provider).
    metrics: Option<crate::observability::http::ConnMetrics>,
}

impl Conn {
    pub(crate) fn new(sender: Sender, task: AbortHandle) -> Conn {
        Conn {
            sender,
            task,
            metrics: None,
        }
    }

    /// Counts this connection among the open ones of `metrics` until it is dropped.
    pub(crate) fn instrumented(
        mut self,
        metrics: Option<&std::sync::Arc<crate::observability::http::HttpMetrics>>,
    ) -> Conn {
        self.metrics = metrics.map(crate::observability::http::ConnMetrics::new);
        self
    }
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Pool key: connections are only shared between requests to the same origin.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub(crate) struct PoolKey {
    https: bool,
    host: String,
    port: u16,
}

impl PoolKey {
    pub(crate) fn new(t: &Target) -> PoolKey {
        PoolKey {
            https: t.https,
            host: t.host.to_ascii_lowercase(),
            port: t.port,
        }
    }
}

struct Idle {
    conn: Conn,
    since: Instant,
}

/// Idle connections per origin, most recently used last.
pub(crate) struct Pool {
    idle: Mutex<HashMap<PoolKey, Vec<Idle>>>,
    idle_timeout: Duration,
    max_idle_per_host: usize,
}

impl Pool {
    pub(crate) fn new(idle_timeout: Duration, max_idle_per_host: usize) -> Pool {
        Pool {
            idle: Mutex::new(HashMap::new()),
            idle_timeout,
            max_idle_per_host,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PoolKey, Vec<Idle>>> {
        self.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Drops connections that are closed or idle for longer than the idle timeout.
    fn evict(&self, map: &mut HashMap<PoolKey, Vec<Idle>>, now: Instant) {
        let limit = self.idle_timeout;
        map.retain(|_, list| {
            list.retain(|i| !i.conn.sender.is_closed() && now.duration_since(i.since) < limit);
            !list.is_empty()
        });
    }

    fn pop(&self, key: &PoolKey) -> Option<Conn> {
        let mut map = self.lock();
        self.evict(&mut map, Instant::now());
        let list = map.get_mut(key)?;
        let idle = list.pop()?;
        if list.is_empty() {
            map.remove(key);
        }
        Some(idle.conn)
    }

    /// A ready idle connection to `key`, if any.
    pub(crate) async fn checkout(&self, key: &PoolKey) -> Option<Conn> {
        while let Some(mut conn) = self.pop(key) {
            match tokio::time::timeout(READY_WAIT, conn.sender.ready()).await {
                Ok(Ok(())) => return Some(conn),
                // Closed or stuck: drop it (aborting its task) and try the next one.
                _ => continue,
            }
        }
        None
    }

    /// Returns a connection after a complete exchange.
    pub(crate) fn checkin(&self, key: PoolKey, conn: Conn) {
        if conn.sender.is_closed() || self.max_idle_per_host == 0 {
            return;
        }
        let now = Instant::now();
        let mut map = self.lock();
        self.evict(&mut map, now);
        let list = map.entry(key).or_default();
        if list.len() >= self.max_idle_per_host {
            // Keep the freshest connections.
            list.remove(0);
        }
        list.push(Idle { conn, since: now });
    }

    /// Number of idle connections across all origins (evicting stale ones first).
    pub(crate) fn idle_count(&self) -> usize {
        let mut map = self.lock();
        self.evict(&mut map, Instant::now());
        map.values().map(Vec::len).sum()
    }
}
