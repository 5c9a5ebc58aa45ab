//! Metrics and traces of every call, in the form metrics backends and trace viewers read.
//!
//! **Metrics.** The pipeline records the client-call instruments of Smithy's client
//! observability conventions ([`conventions`]: `smithy.client.call.duration`,
//! `smithy.client.call.attempts`, `smithy.client.call.errors`, ...) through a [`MeterProvider`],
//! the seam between the runtime and a metrics library. None is installed by default: every
//! recording point is then one branch on an empty `Option`, with no clock read and no
//! allocation. Install one per configuration ([`ConfigBuilder::meter_provider`]) or once for
//! the process ([`set_global_meter_provider`], read when a client is built). The feature
//! `opentelemetry` adds [`otel::OtelMeterProvider`], a bridge to the `opentelemetry` crate's
//! meters (and through them to any OpenTelemetry exporter: stdout, OTLP, Prometheus); without the
//! feature no OpenTelemetry crate is built.
//!
//! **Traces.** Every call is an ordinary `tracing` span (`operation`, at `INFO`) with one child
//! span per attempt (`attempt`), both carrying the OpenTelemetry semantic-convention attributes
//! for AWS SDK calls as fields ([`conventions::span`]): `otel.name` (`Service.Operation`),
//! `otel.kind`, `rpc.system`, `rpc.service`, `rpc.method`, `cloud.region`, `server.address`,
//! `aws.request_id`, `http.response.status_code`, `error.type` and the attempt number. A program
//! that exports `tracing` spans with `tracing-opentelemetry` gets them as OpenTelemetry spans
//! named `SecretsManager.GetSecretValue` with no code of its own. No value of an input, output or
//! credential ever becomes a field.
//!
//! **Recursion detection.** Inside AWS Lambda every request carries the function's trace id in
//! `X-Amzn-Trace-Id` ([`recursion`]).
//!
//! [`ConfigBuilder::meter_provider`]: crate::config::ConfigBuilder::meter_provider
//!
//! Exporting the metrics to stdout with the OpenTelemetry SDK (feature `opentelemetry`; the
//! program depends on `opentelemetry_sdk` and `opentelemetry-stdout`):
//!
//! ```ignore
//! use std::sync::Arc;
//! use opentelemetry_sdk::metrics::{PeriodicReader, SdkMeterProvider};
//!
//! let otel = SdkMeterProvider::builder()
//!     .with_reader(PeriodicReader::builder(opentelemetry_stdout::MetricExporter::default()).build())
//!     .build();
//! awsrt::observability::set_global_meter_provider(Arc::new(
//!     awsrt::observability::otel::OtelMeterProvider::new(otel.clone()),
//! ));
//! let client = secretsmanager::Client::new(&secretsmanager::Config::from_env().await?);
//! client.list_secrets().send().await?;
//! otel.shutdown()?; // flushes the last measurements
//! ```
//!
//! To an OTLP endpoint (`opentelemetry-otlp`, which reads `OTEL_EXPORTER_OTLP_ENDPOINT`), for one
//! configuration only:
//!
//! ```ignore
//! let exporter = opentelemetry_otlp::MetricExporter::builder().with_http().build()?;
//! let otel = SdkMeterProvider::builder()
//!     .with_reader(PeriodicReader::builder(exporter).build())
//!     .build();
//! let config = secretsmanager::Config::builder()
//!     .meter_provider(Arc::new(awsrt::observability::otel::OtelMeterProvider::new(otel)))
//!     // region, credentials, ...
//!     .build();
//! ```

pub(crate) mod client;
pub mod conventions;
pub(crate) mod http;
#[cfg(feature = "opentelemetry")]
pub mod otel;
pub mod recursion;
#[cfg(any(test, feature = "test-util"))]
pub mod testing;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

/// The value of a measurement attribute.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AttributeValue<'a> {
    /// A string, borrowed for the duration of the recording.
    Str(&'a str),
    /// An integer.
    I64(i64),
    /// A boolean.
    Bool(bool),
}

impl fmt::Display for AttributeValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttributeValue::Str(s) => f.write_str(s),
            AttributeValue::I64(n) => write!(f, "{n}"),
            AttributeValue::Bool(b) => write!(f, "{b}"),
        }
    }
}

/// One attribute of a measurement: a name from [`conventions::attr`] and its value.
pub type Attribute<'a> = (&'static str, AttributeValue<'a>);

/// What kind of instrument a [`InstrumentSpec`] describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InstrumentKind {
    /// A monotonic counter ([`Counter`]).
    Counter,
    /// A histogram of `f64` values ([`Histogram`]).
    Histogram,
    /// A counter that goes up and down ([`UpDownCounter`]).
    UpDownCounter,
    /// An up-down counter whose value is read by a callback when the exporter collects
    /// ([`Meter::observable_up_down_counter`]).
    ObservableUpDownCounter,
}

/// Name, unit, description and kind of one instrument, as the conventions give them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct InstrumentSpec {
    /// `smithy.client.call.duration`, ...
    pub name: &'static str,
    /// UCUM unit: `s`, `By`, `{attempt}`, ...
    pub unit: &'static str,
    /// One line saying what is measured.
    pub description: &'static str,
    /// Counter, histogram, ...
    pub kind: InstrumentKind,
}

/// A monotonic counter.
pub trait Counter: Send + Sync + fmt::Debug {
    /// Adds `value` for the series named by `attributes`.
    fn add(&self, value: u64, attributes: &[Attribute<'_>]);
}

/// A counter that can go down.
pub trait UpDownCounter: Send + Sync + fmt::Debug {
    /// Adds `value` (negative to subtract) for the series named by `attributes`.
    fn add(&self, value: i64, attributes: &[Attribute<'_>]);
}

/// A distribution of values (durations in seconds, sizes).
pub trait Histogram: Send + Sync + fmt::Debug {
    /// Records `value` for the series named by `attributes`.
    fn record(&self, value: f64, attributes: &[Attribute<'_>]);
}

/// What an observable instrument's callback reports values to.
pub trait Observer {
    /// Reports `value` for the series named by `attributes`.
    fn observe(&mut self, value: i64, attributes: &[Attribute<'_>]);
}

/// The callback of an observable instrument: called whenever the metrics library collects.
pub type ObserveFn = Box<dyn Fn(&mut dyn Observer) + Send + Sync>;

/// Creates the instruments of one instrumentation scope.
pub trait Meter: Send + Sync + fmt::Debug {
    /// A monotonic counter.
    fn counter(&self, spec: &'static InstrumentSpec) -> Arc<dyn Counter>;
    /// An up-down counter.
    fn up_down_counter(&self, spec: &'static InstrumentSpec) -> Arc<dyn UpDownCounter>;
    /// A histogram.
    fn histogram(&self, spec: &'static InstrumentSpec) -> Arc<dyn Histogram>;
    /// An up-down counter whose values `observe` reports when the library collects. The
    /// callback stays registered as long as the meter provider lives.
    fn observable_up_down_counter(&self, spec: &'static InstrumentSpec, observe: ObserveFn);
}

/// The seam between the runtime and a metrics library: hands out a [`Meter`] per
/// instrumentation scope (the generated crate's name for the call instruments, `awsrt` for the
/// HTTP ones). The runtime asks for its instruments once per client, never per call.
pub trait MeterProvider: Send + Sync + fmt::Debug {
    /// The meter of `scope`.
    fn meter(&self, scope: &'static str) -> Arc<dyn Meter>;
}

/// A provider that records nothing: what a configuration without a provider behaves like,
/// for code that wants to pass one explicitly.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoopMeterProvider;

#[derive(Debug)]
struct Noop;

impl Counter for Noop {
    fn add(&self, _: u64, _: &[Attribute<'_>]) {}
}
impl UpDownCounter for Noop {
    fn add(&self, _: i64, _: &[Attribute<'_>]) {}
}
impl Histogram for Noop {
    fn record(&self, _: f64, _: &[Attribute<'_>]) {}
}
impl Meter for Noop {
    fn counter(&self, _: &'static InstrumentSpec) -> Arc<dyn Counter> {
        Arc::new(Noop)
    }
    fn up_down_counter(&self, _: &'static InstrumentSpec) -> Arc<dyn UpDownCounter> {
        Arc::new(Noop)
    }
    fn histogram(&self, _: &'static InstrumentSpec) -> Arc<dyn Histogram> {
        Arc::new(Noop)
    }
    fn observable_up_down_counter(&self, _: &'static InstrumentSpec, _: ObserveFn) {}
}

impl MeterProvider for NoopMeterProvider {
    fn meter(&self, _: &'static str) -> Arc<dyn Meter> {
        Arc::new(Noop)
    }
}

static GLOBAL: RwLock<Option<Arc<dyn MeterProvider>>> = RwLock::new(None);
/// Whether a provider was ever installed anywhere (global or a configuration): until then the
/// hooks outside the pipeline (deserialization timing) skip even their thread-local check.
static ANY_PROVIDER: AtomicBool = AtomicBool::new(false);

/// Installs `provider` for every client built after this call whose configuration has none of
/// its own (set it once, early, as with the OpenTelemetry global providers). Replaces the
/// previous global provider for clients built later.
pub fn set_global_meter_provider(provider: Arc<dyn MeterProvider>) {
    note_provider();
    *GLOBAL.write().unwrap_or_else(|e| e.into_inner()) = Some(provider);
}

/// Removes the global provider: clients built afterwards record nothing (unless their
/// configuration has a provider).
pub fn clear_global_meter_provider() {
    *GLOBAL.write().unwrap_or_else(|e| e.into_inner()) = None;
}

/// The global provider, if one is installed.
pub fn global_meter_provider() -> Option<Arc<dyn MeterProvider>> {
    GLOBAL.read().unwrap_or_else(|e| e.into_inner()).clone()
}

pub(crate) fn note_provider() {
    ANY_PROVIDER.store(true, Ordering::Relaxed);
}

pub(crate) fn any_provider() -> bool {
    ANY_PROVIDER.load(Ordering::Relaxed)
}
