//! Endpoint discovery (`aws.api#clientEndpointDiscovery`): services such as Timestream and
//! DynamoDB name an operation (`DescribeEndpoints`) whose answer is the address to send their
//! other operations to, and how long it may be used.
//!
//! A generated operation marked `aws.api#clientDiscoveredEndpoint` hands its call an
//! [`EndpointDiscovery`] ([`ClientHandle::with_endpoint_discovery`]). Before the request is
//! sent, the handle looks the endpoint up in its cache, keyed by the access key id of the
//! credentials, the region, and (for operations with `aws.api#clientEndpointDiscoveryId`
//! members) the operation and those members' values. On a miss one caller runs the discovery
//! operation (through the service's [`DiscoverFn`], on the endpoint the rules resolve) while the
//! others with the same key wait for its answer. The answer is kept for its
//! `CachePeriodInMinutes`; in the last minute of that period (the second half of a shorter one)
//! the cached endpoint is still served while one background task asks again. An error response
//! with the code the service names (`InvalidEndpointException`) drops the entry, so the next call
//! discovers again.
//!
//! When it applies: always for an operation that requires it, and for one where it is optional
//! only when [`Config::endpoint_discovery_enabled`](crate::config::Config::endpoint_discovery_enabled)
//! is `Some(true)`; never when an endpoint URL is configured (in code, `AWS_ENDPOINT_URL*`, or the
//! profile). A failed discovery fails a call that requires it; a call where it is optional then
//! goes to the resolved endpoint (and discovery is not tried again for a minute).
//!
//! The discovered endpoint replaces only the URL: requests are signed with the signing name and
//! region the rules resolved, as for any other endpoint.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::watch;
use tokio::time::Instant;

use super::endpoint::ResolvedEndpoint;
use super::{ClientHandle, HandleInner, Request};
use crate::error::{
    BuildError, BuildErrorKind, DisplayErrorContext, ErrorMetadata, Never, SdkError,
};
use crate::http::BoxFuture;

/// The shortest time a discovered endpoint is kept: answers of 0 (or less) minutes count as 1.
const MIN_CACHE_PERIOD: Duration = Duration::from_secs(60);
/// The longest time a discovered endpoint is kept, whatever the answer says.
const MAX_CACHE_PERIOD: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long before expiry the background refresh starts (at most half the period).
const REFRESH_BEFORE_EXPIRY: Duration = Duration::from_secs(60);
/// Most keys a handle keeps: past it, expired entries (then any idle ones) are dropped before
/// a new key is added (calls with ever new discovery identifiers cannot grow it without bound).
const MAX_ENTRIES: usize = 1_000;
/// After a failed discovery: no background refresh, and for operations where discovery is
/// optional no new attempt (they use the resolved endpoint), for this long.
const FAILURE_BACKOFF: Duration = Duration::from_secs(60);

/// Whether an operation needs endpoint discovery (`aws.api#clientDiscoveredEndpoint`'s
/// `required`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DiscoveryMode {
    /// The operation works only at a discovered endpoint (Timestream): discovery is always on
    /// unless an endpoint URL is configured, and its failure fails the call.
    Required,
    /// Discovery is off unless turned on in the configuration (DynamoDB); when it fails the call
    /// goes to the resolved endpoint.
    Optional,
}

/// One endpoint of the discovery operation's answer (an entry of `Endpoints`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveredEndpoint {
    /// `Address`: a host (`ingest-cell2.timestream.us-east-1.amazonaws.com`, maybe with a port)
    /// or a URL. A host is reached over `https://`.
    pub address: String,
    /// `CachePeriodInMinutes`: how long the address may be used.
    pub cache_period_in_minutes: i64,
}

/// What the discovery operation is asked for: the operation about to be called and the values
/// of its `aws.api#clientEndpointDiscoveryId` members (for a discovery operation whose input has
/// `Operation` and `Identifiers` members).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DiscoveryRequest {
    operation: &'static str,
    identifiers: Vec<(&'static str, String)>,
}

impl DiscoveryRequest {
    /// The name of the operation that needs the endpoint (`WriteRecords`).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// Its discovery identifiers: member name and value, in the model's member order.
    pub fn identifiers(&self) -> &[(&'static str, String)] {
        &self.identifiers
    }

    /// The identifiers as the map an `Identifiers` member takes.
    pub fn identifier_map(&self) -> HashMap<String, String> {
        self.identifiers
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }
}

/// Calls the service's discovery operation with a handle that does no discovery and answers
/// with the endpoints of its output. Service errors are reported with [`discovery_failed`].
pub type DiscoverFn = fn(
    ClientHandle,
    DiscoveryRequest,
) -> BoxFuture<'static, Result<Vec<DiscoveredEndpoint>, SdkError<Never>>>;

/// A service's endpoint discovery, one `static` per generated crate whose service has the
/// `aws.api#clientEndpointDiscovery` trait.
#[derive(Debug)]
pub struct EndpointDiscoveryInfo {
    /// The discovery operation (`DescribeEndpoints`), for logs and errors.
    pub operation: &'static str,
    /// The code of the error that says a discovered endpoint is no longer valid
    /// (`InvalidEndpointException`): it drops the cached endpoint.
    pub invalid_endpoint_error: &'static str,
    /// Runs the discovery operation.
    pub discover: DiscoverFn,
}

/// One call's endpoint discovery: what a generated `send()` of an operation marked
/// `aws.api#clientDiscoveredEndpoint` hands [`ClientHandle::with_endpoint_discovery`].
#[derive(Clone)]
pub struct EndpointDiscovery {
    info: &'static EndpointDiscoveryInfo,
    operation: &'static str,
    mode: DiscoveryMode,
    identifiers: Vec<(&'static str, String)>,
}

impl fmt::Debug for EndpointDiscovery {
    /// Names the identifiers but not their values (they are the caller's data).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EndpointDiscovery")
            .field("discovery_operation", &self.info.operation)
            .field("operation", &self.operation)
            .field("mode", &self.mode)
            .field(
                "identifiers",
                &self.identifiers.iter().map(|(k, _)| *k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl EndpointDiscovery {
    /// Discovery for a call of `operation` of the service described by `info`.
    pub fn new(
        info: &'static EndpointDiscoveryInfo,
        operation: &'static str,
        mode: DiscoveryMode,
    ) -> EndpointDiscovery {
        EndpointDiscovery {
            info,
            operation,
            mode,
            identifiers: Vec::new(),
        }
    }

    /// Adds the value of the `aws.api#clientEndpointDiscoveryId` member `member` (builder
    /// style): calls with other values get endpoints of their own.
    pub fn identifier(mut self, member: &'static str, value: impl Into<String>) -> Self {
        self.identifiers.push((member, value.into()));
        self
    }

    /// Whether the operation requires discovery.
    pub fn mode(&self) -> DiscoveryMode {
        self.mode
    }
}

/// The failure of a discovery operation as the failure of the call that needed it: a service
/// error becomes a construction error of kind [`BuildErrorKind::Endpoint`] naming its code and
/// message (the call's own request was not sent); other failures keep their kind.
pub fn discovery_failed<E>(operation: &str, err: SdkError<E>) -> SdkError<Never> {
    match err {
        SdkError::Service(s) => SdkError::Construction(BuildError::new(
            BuildErrorKind::Endpoint,
            format!("endpoint discovery with {operation} failed: {}", s.meta()),
        )),
        SdkError::Construction(e) => SdkError::Construction(e),
        SdkError::Timeout(e) => SdkError::Timeout(e),
        SdkError::Dispatch(e) => SdkError::Dispatch(e),
        SdkError::Response(e) => SdkError::Response(e),
    }
}

fn endpoint_error(msg: String) -> SdkError<Never> {
    SdkError::Construction(BuildError::new(BuildErrorKind::Endpoint, msg))
}

/// What the cache is keyed by. Never printed: it holds the access key id.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Key {
    access_key: String,
    region: String,
    /// The operation, when it has discovery identifiers (its endpoints are its own); `""`
    /// otherwise (one endpoint for every operation).
    operation: &'static str,
    identifiers: Vec<(&'static str, String)>,
}

/// The outcome of one discovery, as those who waited for it see it: the URL, or what went
/// wrong.
type FlightResult = Result<Arc<str>, Arc<str>>;

#[derive(Clone)]
struct Cached {
    url: Arc<str>,
    refresh_at: Instant,
    expires: Instant,
}

#[derive(Default)]
struct Slot {
    endpoint: Option<Cached>,
    /// The discovery under way: its id and where its outcome is announced.
    flight: Option<(u64, watch::Receiver<Option<FlightResult>>)>,
    /// Until when a failed discovery is not repeated (see [`FAILURE_BACKOFF`]).
    failed_until: Option<Instant>,
}

/// The discovered endpoints of one client handle (shared by its clones).
#[derive(Default)]
pub(crate) struct Cache {
    slots: Mutex<HashMap<Key, Slot>>,
    next_flight: std::sync::atomic::AtomicU64,
}

impl fmt::Debug for Cache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DiscoveryCache")
            .field("entries", &self.lock().len())
            .finish()
    }
}

impl Cache {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The endpoint a discovered call was sent to, to drop it on the invalid-endpoint error.
pub(super) struct Used {
    key: Key,
    url: Arc<str>,
}

/// A discovery in progress, owned by whoever runs it. Announces the outcome when finished;
/// when dropped unfinished (its caller gave up), clears the slot so the next caller starts
/// another.
struct Flight {
    inner: Arc<HandleInner>,
    key: Key,
    id: u64,
    tx: Option<watch::Sender<Option<FlightResult>>>,
}

impl Flight {
    fn start(inner: &Arc<HandleInner>, key: &Key, slot: &mut Slot) -> Flight {
        let id = inner
            .discovery
            .next_flight
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (tx, rx) = watch::channel(None);
        slot.flight = Some((id, rx));
        Flight {
            inner: Arc::clone(inner),
            key: key.clone(),
            id,
            tx: Some(tx),
        }
    }

    /// Stores the outcome and announces it.
    fn finish(mut self, outcome: Result<(Arc<str>, Duration), Arc<str>>) {
        let now = Instant::now();
        {
            let mut slots = self.inner.discovery.lock();
            let slot = slots.entry(self.key.clone()).or_default();
            if slot.flight.as_ref().is_some_and(|(id, _)| *id == self.id) {
                slot.flight = None;
            }
            match &outcome {
                Ok((url, period)) => {
                    let period = (*period).clamp(MIN_CACHE_PERIOD, MAX_CACHE_PERIOD);
                    let expires = now.checked_add(period).unwrap_or(now);
                    let margin = REFRESH_BEFORE_EXPIRY.min(period / 2);
                    slot.endpoint = Some(Cached {
                        url: Arc::clone(url),
                        refresh_at: expires.checked_sub(margin).unwrap_or(now),
                        expires,
                    });
                    slot.failed_until = None;
                }
                Err(_) => slot.failed_until = now.checked_add(FAILURE_BACKOFF),
            }
        }
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Some(outcome.map(|(url, _)| url)));
        }
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if self.tx.is_none() {
            return;
        }
        let mut slots = self.inner.discovery.lock();
        if let Some(slot) = slots.get_mut(&self.key) {
            if slot.flight.as_ref().is_some_and(|(id, _)| *id == self.id) {
                slot.flight = None;
            }
        }
        // Dropping the sender wakes the waiters, who then start a discovery of their own.
    }
}

/// What [`lookup`] does once the cache lock is released.
enum Step {
    Done(Option<Arc<str>>),
    ServeAndRefresh(Arc<str>, Flight),
    Wait(watch::Receiver<Option<FlightResult>>),
    Discover(Flight),
}

/// Whether discovery applies to a call of `mode` on this handle.
fn enabled(inner: &HandleInner, mode: DiscoveryMode) -> bool {
    if inner.endpoint_override.is_some() {
        return false;
    }
    match mode {
        DiscoveryMode::Required => true,
        DiscoveryMode::Optional => inner.config.endpoint_discovery_enabled() == Some(true),
    }
}

/// For a call of a handle with endpoint discovery: the request with the discovered endpoint
/// set, and that endpoint (`None` when discovery does not apply, or failed for an operation
/// where it is optional). Fails when a required discovery fails.
pub(super) async fn prepare(
    handle: &ClientHandle,
    mut request: Request,
) -> Result<(Request, Option<Used>), SdkError<Never>> {
    let Some(d) = handle.discovery.as_deref() else {
        return Ok((request, None));
    };
    let inner = &handle.inner;
    if !enabled(inner, d.mode) {
        return Ok((request, None));
    }
    // Endpoints are per identity; without credentials the discovery call itself says why.
    let access_key = match super::pipeline::credentials(inner).await {
        Ok(c) => c.access_key_id().to_string(),
        Err(_) => String::new(),
    };
    let key = Key {
        access_key,
        region: inner.config.region().unwrap_or_default().to_string(),
        operation: if d.identifiers.is_empty() {
            ""
        } else {
            d.operation
        },
        identifiers: d.identifiers.clone(),
    };
    let Some(url) = lookup(handle, d, &key).await? else {
        return Ok((request, None));
    };
    request.discovered_endpoint = Some(url.to_string());
    Ok((request, Some(Used { key, url })))
}

/// After a discovered call: drops the endpoint it used when the service said it is not valid.
pub(super) fn after_call(handle: &ClientHandle, used: Option<Used>, error: Option<&ErrorMetadata>) {
    let (Some(used), Some(d), Some(code)) = (
        used,
        handle.discovery.as_deref(),
        error.and_then(|m| m.code.as_deref()),
    ) else {
        return;
    };
    if !same_code(code, d.info.invalid_endpoint_error) {
        return;
    }
    let mut slots = handle.inner.discovery.lock();
    if let Some(slot) = slots.get_mut(&used.key) {
        if slot.endpoint.as_ref().is_some_and(|c| c.url == used.url) {
            slot.endpoint = None;
            tracing::debug!(
                operation = d.operation,
                endpoint = %used.url,
                "the service rejected the discovered endpoint; it will be discovered again"
            );
        }
    }
}

/// Whether error code `code` (maybe with a namespace or a `:`-suffix) is `name`.
fn same_code(code: &str, name: &str) -> bool {
    let code = code.rsplit('#').next().unwrap_or(code);
    let code = code.split(':').next().unwrap_or(code);
    code.trim() == name
}

/// The endpoint for `key`: cached, or discovered now (once for all concurrent callers).
async fn lookup(
    handle: &ClientHandle,
    d: &EndpointDiscovery,
    key: &Key,
) -> Result<Option<Arc<str>>, SdkError<Never>> {
    loop {
        let step = {
            let now = Instant::now();
            let mut slots = handle.inner.discovery.lock();
            if slots.len() >= MAX_ENTRIES && !slots.contains_key(key) {
                prune(&mut slots, now);
            }
            let slot = slots.entry(key.clone()).or_default();
            let backing_off = slot.failed_until.is_some_and(|t| now < t);
            match (&slot.endpoint, &slot.flight) {
                (Some(c), flight) if now < c.expires => {
                    if now >= c.refresh_at && flight.is_none() && !backing_off {
                        let url = Arc::clone(&c.url);
                        Step::ServeAndRefresh(url, Flight::start(&handle.inner, key, slot))
                    } else {
                        Step::Done(Some(Arc::clone(&c.url)))
                    }
                }
                (_, Some((_, rx))) => Step::Wait(rx.clone()),
                _ if backing_off && d.mode == DiscoveryMode::Optional => Step::Done(None),
                _ => Step::Discover(Flight::start(&handle.inner, key, slot)),
            }
        };
        match step {
            Step::Done(url) => return Ok(url),
            Step::ServeAndRefresh(url, flight) => {
                refresh_in_background(handle, d, flight);
                return Ok(Some(url));
            }
            Step::Discover(flight) => return discover(handle, d, flight).await,
            Step::Wait(mut rx) => {
                let outcome = match rx.wait_for(Option::is_some).await {
                    Ok(v) => v.clone(),
                    // The caller running it gave up: run one ourselves.
                    Err(_) => continue,
                };
                return match outcome {
                    Some(Ok(url)) => Ok(Some(url)),
                    Some(Err(_)) if d.mode == DiscoveryMode::Optional => Ok(None),
                    Some(Err(msg)) => Err(endpoint_error(msg.to_string())),
                    None => continue,
                };
            }
        }
    }
}

/// Makes room for a new key: drops the entries that hold no live endpoint and no discovery under
/// way, then, if that is not enough, idle entries until there is room.
fn prune(slots: &mut HashMap<Key, Slot>, now: Instant) {
    slots.retain(|_, s| s.flight.is_some() || s.endpoint.as_ref().is_some_and(|c| now < c.expires));
    if slots.len() < MAX_ENTRIES {
        return;
    }
    let excess = slots.len() + 1 - MAX_ENTRIES;
    let idle: Vec<Key> = slots
        .iter()
        .filter(|(_, s)| s.flight.is_none())
        .map(|(k, _)| k.clone())
        .take(excess)
        .collect();
    for k in idle {
        slots.remove(&k);
    }
}

/// Runs the discovery operation for `flight` and records its outcome.
async fn discover(
    handle: &ClientHandle,
    d: &EndpointDiscovery,
    flight: Flight,
) -> Result<Option<Arc<str>>, SdkError<Never>> {
    let request = DiscoveryRequest {
        operation: d.operation,
        identifiers: d.identifiers.clone(),
    };
    tracing::debug!(
        operation = d.operation,
        discovery_operation = d.info.operation,
        "discovering the endpoint"
    );
    let result = (d.info.discover)(handle.without_discovery(), request)
        .await
        .and_then(|endpoints| choose(d.info.operation, &endpoints).map_err(endpoint_error));
    match result {
        Ok((url, period)) => {
            tracing::debug!(operation = d.operation, endpoint = %url, "endpoint discovered");
            flight.finish(Ok((Arc::clone(&url), period)));
            Ok(Some(url))
        }
        Err(e) => {
            let msg: Arc<str> = format!(
                "endpoint discovery with {} failed: {}",
                d.info.operation,
                DisplayErrorContext(&e)
            )
            .into();
            flight.finish(Err(Arc::clone(&msg)));
            match d.mode {
                DiscoveryMode::Required => Err(e),
                DiscoveryMode::Optional => {
                    tracing::debug!(error = %msg, "using the resolved endpoint instead");
                    Ok(None)
                }
            }
        }
    }
}

/// Refreshes the endpoint of `flight` on a task of its own (the caller goes on with the cached
/// one). Outside a tokio runtime there is nowhere to run it: the entry then expires and the next
/// call discovers again.
fn refresh_in_background(handle: &ClientHandle, d: &EndpointDiscovery, flight: Flight) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let handle = handle.without_discovery();
    let d = d.clone();
    rt.spawn(async move {
        let _ = discover(&handle, &d, flight).await;
    });
}

/// The URL and cache period of the first usable endpoint of an answer.
fn choose(
    operation: &str,
    endpoints: &[DiscoveredEndpoint],
) -> Result<(Arc<str>, Duration), String> {
    let e = endpoints
        .iter()
        .find(|e| !e.address.trim().is_empty())
        .ok_or_else(|| format!("endpoint discovery with {operation} returned no endpoint"))?;
    let url = endpoint_url(&e.address).map_err(|why| {
        format!("endpoint discovery with {operation} returned an unusable address: {why}")
    })?;
    let minutes = u64::try_from(e.cache_period_in_minutes).unwrap_or(0);
    let period = Duration::from_secs(minutes.saturating_mul(60));
    Ok((url.into(), period))
}

/// The URL for a discovered address: `https://<address>/` for a host (with or without a
/// port), the address itself (with `/` as its path when it has none) when it has a scheme.
fn endpoint_url(address: &str) -> Result<String, String> {
    let a = address.trim();
    let url = if a.contains("://") {
        a.to_string()
    } else {
        format!("https://{a}")
    };
    let uri: http::Uri = url
        .parse()
        .map_err(|_| format!("{a:?} is not a host or URL"))?;
    let (Some(scheme @ ("http" | "https")), Some(authority)) = (uri.scheme_str(), uri.authority())
    else {
        return Err(format!("{a:?} is not an http or https host"));
    };
    if authority.host().is_empty() {
        return Err(format!("{a:?} has no host"));
    }
    let path = uri.path();
    let path = if path.ends_with('/') {
        path.to_string()
    } else {
        format!("{path}/")
    };
    Ok(format!("{scheme}://{authority}{path}"))
}

/// `endpoint` (resolved by the rules, with its headers and signing scope) at the discovered
/// `url`.
pub(super) fn at(endpoint: ResolvedEndpoint, url: &str) -> ResolvedEndpoint {
    endpoint.at_url(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_become_urls() {
        assert_eq!(
            endpoint_url("ingest-cell2.timestream.us-east-1.amazonaws.com").unwrap(),
            "https://ingest-cell2.timestream.us-east-1.amazonaws.com/"
        );
        assert_eq!(
            endpoint_url("127.0.0.1:8443").unwrap(),
            "https://127.0.0.1:8443/"
        );
        assert_eq!(
            endpoint_url("http://127.0.0.1:9").unwrap(),
            "http://127.0.0.1:9/"
        );
        assert_eq!(
            endpoint_url(" https://h.example/p ").unwrap(),
            "https://h.example/p/"
        );
        for bad in ["", "ftp://h", "https://", "a b", "http://[::1"] {
            assert!(endpoint_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn the_first_usable_endpoint_is_chosen() {
        let eps = [
            DiscoveredEndpoint {
                address: " ".into(),
                cache_period_in_minutes: 5,
            },
            DiscoveredEndpoint {
                address: "a.example".into(),
                cache_period_in_minutes: 3,
            },
        ];
        let (url, period) = choose("DescribeEndpoints", &eps).unwrap();
        assert_eq!(&*url, "https://a.example/");
        assert_eq!(period, Duration::from_secs(180));
        let err = choose("DescribeEndpoints", &[]).unwrap_err();
        assert!(err.contains("no endpoint"), "{err}");
        let negative = [DiscoveredEndpoint {
            address: "a.example".into(),
            cache_period_in_minutes: -4,
        }];
        assert_eq!(
            choose("DescribeEndpoints", &negative).unwrap().1,
            Duration::ZERO
        );
    }

    #[test]
    fn pruning_keeps_live_entries_and_makes_room() {
        let now = Instant::now();
        let key = |i: usize| Key {
            access_key: String::new(),
            region: String::new(),
            operation: "",
            identifiers: vec![("Id", i.to_string())],
        };
        let live = |url: &str| Slot {
            endpoint: Some(Cached {
                url: url.into(),
                refresh_at: now + Duration::from_secs(30),
                expires: now + Duration::from_secs(60),
            }),
            ..Slot::default()
        };
        let mut slots: HashMap<Key, Slot> = (0..MAX_ENTRIES).map(|i| (key(i), live("u"))).collect();
        slots.insert(key(0), Slot::default());
        prune(&mut slots, now);
        assert_eq!(slots.len(), MAX_ENTRIES - 1, "the empty entry went first");
        assert!(!slots.contains_key(&key(0)));
        slots.insert(key(0), live("u"));
        prune(&mut slots, now);
        assert_eq!(slots.len(), MAX_ENTRIES - 1, "room for one more");
    }

    #[test]
    fn error_codes_match_with_or_without_namespace() {
        assert!(same_code(
            "InvalidEndpointException",
            "InvalidEndpointException"
        ));
        assert!(same_code(
            "com.amazonaws.dynamodb#InvalidEndpointException",
            "InvalidEndpointException"
        ));
        assert!(same_code(
            "InvalidEndpointException:http://internal.amazon.com/",
            "InvalidEndpointException"
        ));
        assert!(!same_code(
            "ThrottlingException",
            "InvalidEndpointException"
        ));
    }

    #[test]
    fn service_errors_of_the_discovery_become_endpoint_errors() {
        let meta = ErrorMetadata {
            code: Some("AccessDeniedException".into()),
            message: Some("no".into()),
            status: 400,
            ..ErrorMetadata::default()
        };
        let err: SdkError<Never> = discovery_failed(
            "DescribeEndpoints",
            SdkError::service(crate::error::Unhandled::new(meta.clone()), meta),
        );
        match err {
            SdkError::Construction(e) => {
                assert_eq!(e.kind(), BuildErrorKind::Endpoint);
                assert!(e.details().contains("DescribeEndpoints"), "{e}");
                assert!(e.details().contains("AccessDeniedException"), "{e}");
            }
            other => panic!("expected a construction error, got {other}"),
        }
    }
}
