//! The HTTP instruments of [`HyperTransport`](crate::http::HyperTransport): connection
//! acquisition, the pool's connections by state, connection lifetime, bytes sent and received
//! (see the table in [`conventions`](super::conventions)).

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::conventions::{self as conv, attr};
use super::{AttributeValue, Counter, Histogram, Meter, MeterProvider, ObserveFn};

/// The instruments of one transport, created when it is built with a provider.
#[derive(Debug)]
pub(crate) struct HttpMetrics {
    acquire: Arc<dyn Histogram>,
    uptime: Arc<dyn Histogram>,
    sent: Arc<dyn Counter>,
    received: Arc<dyn Counter>,
    /// Connections open now (idle or in use).
    open: AtomicI64,
    meter: Arc<dyn Meter>,
}

impl HttpMetrics {
    pub(crate) fn new(provider: &dyn MeterProvider) -> HttpMetrics {
        let meter = provider.meter(conv::HTTP_SCOPE);
        HttpMetrics {
            acquire: meter.histogram(&conv::CONNECTION_ACQUIRE_DURATION),
            uptime: meter.histogram(&conv::CONNECTION_UPTIME),
            sent: meter.counter(&conv::BYTES_SENT),
            received: meter.counter(&conv::BYTES_RECEIVED),
            open: AtomicI64::new(0),
            meter,
        }
    }

    /// Registers `smithy.client.http.connections.usage`, whose callback reads the open
    /// connections here and the idle ones from `idle` (`None` once the transport is gone).
    pub(crate) fn observe_usage(
        self: &Arc<Self>,
        idle: impl Fn() -> Option<usize> + Send + Sync + 'static,
    ) {
        let me = Arc::downgrade(self);
        let observe: ObserveFn = Box::new(move |o| {
            let (Some(m), Some(idle)) = (me.upgrade(), idle()) else {
                return;
            };
            let idle = i64::try_from(idle).unwrap_or(i64::MAX);
            let open = m.open.load(Ordering::Relaxed);
            o.observe(idle, &[(attr::STATE, AttributeValue::Str("idle"))]);
            o.observe(
                open.saturating_sub(idle).max(0),
                &[(attr::STATE, AttributeValue::Str("acquired"))],
            );
        });
        self.meter
            .observable_up_down_counter(&conv::CONNECTION_USAGE, observe);
    }

    /// A request got its connection (pooled or new) `since` after it asked for one.
    pub(crate) fn acquired(&self, since: Instant) {
        self.acquire.record(since.elapsed().as_secs_f64(), &[]);
    }

    /// A connection was opened.
    pub(crate) fn opened(&self) {
        self.open.fetch_add(1, Ordering::Relaxed);
    }

    /// A connection opened `lived` ago was closed.
    pub(crate) fn closed(&self, lived: Duration) {
        self.open.fetch_sub(1, Ordering::Relaxed);
        self.uptime.record(lived.as_secs_f64(), &[]);
    }

    /// `bytes` of request body were sent to `host`.
    pub(crate) fn bytes_sent(&self, host: &str, bytes: usize) {
        self.sent.add(
            bytes as u64,
            &[(attr::SERVER_ADDRESS, AttributeValue::Str(host))],
        );
    }

    /// `bytes` of response body were received from `host`.
    pub(crate) fn bytes_received(&self, host: &str, bytes: usize) {
        if bytes > 0 {
            self.received.add(
                bytes as u64,
                &[(attr::SERVER_ADDRESS, AttributeValue::Str(host))],
            );
        }
    }
}

/// What a connection carries to report its lifetime when it closes.
#[derive(Debug)]
pub(crate) struct ConnMetrics {
    metrics: Arc<HttpMetrics>,
    opened: Instant,
}

impl ConnMetrics {
    pub(crate) fn new(metrics: &Arc<HttpMetrics>) -> ConnMetrics {
        metrics.opened();
        ConnMetrics {
            metrics: Arc::clone(metrics),
            opened: Instant::now(),
        }
    }
}

impl Drop for ConnMetrics {
    fn drop(&mut self) {
        self.metrics.closed(self.opened.elapsed());
    }
}
