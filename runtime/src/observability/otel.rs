//! The OpenTelemetry bridge (feature `opentelemetry`): [`OtelMeterProvider`] records the
//! runtime's instruments through the `opentelemetry` crate's meters, so any OpenTelemetry
//! metrics SDK and exporter receives them (see the [module docs](super) for stdout and OTLP).
//!
//! Durations (unit `s`) are histograms with the bucket boundaries OpenTelemetry's semantic
//! conventions advise for durations in seconds (5 ms to 10 s), not the SDK's default ones,
//! which are meant for milliseconds.

use std::fmt;
use std::sync::{Arc, Mutex};

use opentelemetry::metrics as otel;
use opentelemetry::{KeyValue, Value};

use super::{
    Attribute, AttributeValue, Counter, Histogram, InstrumentSpec, Meter, MeterProvider, ObserveFn,
    Observer, UpDownCounter,
};

/// Bucket boundaries for durations in seconds (OpenTelemetry's advice for
/// `http.client.request.duration` and the other `s` histograms).
pub const DURATION_BOUNDARIES: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];

type MeterFn = dyn Fn(&'static str) -> otel::Meter + Send + Sync;

/// A [`MeterProvider`] backed by an OpenTelemetry meter provider.
#[derive(Clone)]
pub struct OtelMeterProvider {
    meter: Arc<MeterFn>,
}

impl fmt::Debug for OtelMeterProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtelMeterProvider").finish_non_exhaustive()
    }
}

impl OtelMeterProvider {
    /// Records through `provider` (an `opentelemetry_sdk::metrics::SdkMeterProvider`, say).
    pub fn new<P>(provider: P) -> Self
    where
        P: otel::MeterProvider + Send + Sync + 'static,
    {
        OtelMeterProvider {
            meter: Arc::new(move |scope| provider.meter(scope)),
        }
    }

    /// Records through OpenTelemetry's global meter provider
    /// (`opentelemetry::global::set_meter_provider`), as it is when each client is built.
    pub fn global() -> Self {
        OtelMeterProvider {
            meter: Arc::new(opentelemetry::global::meter),
        }
    }
}

impl MeterProvider for OtelMeterProvider {
    fn meter(&self, scope: &'static str) -> Arc<dyn Meter> {
        Arc::new(OtelMeter {
            meter: (self.meter)(scope),
            observables: Mutex::new(Vec::new()),
        })
    }
}

struct OtelMeter {
    meter: otel::Meter,
    /// Keeps the observable instruments registered.
    observables: Mutex<Vec<otel::ObservableUpDownCounter<i64>>>,
}

impl fmt::Debug for OtelMeter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtelMeter").finish_non_exhaustive()
    }
}

fn key_values(attributes: &[Attribute<'_>]) -> Vec<KeyValue> {
    attributes
        .iter()
        .map(|(k, v)| {
            let value = match *v {
                AttributeValue::Str(s) => Value::from(s.to_owned()),
                AttributeValue::I64(n) => Value::I64(n),
                AttributeValue::Bool(b) => Value::Bool(b),
            };
            KeyValue::new(*k, value)
        })
        .collect()
}

struct OtelCounter(otel::Counter<u64>);
struct OtelUpDown(otel::UpDownCounter<i64>);
struct OtelHistogram(otel::Histogram<f64>);

impl fmt::Debug for OtelCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtelCounter")
    }
}
impl fmt::Debug for OtelUpDown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtelUpDownCounter")
    }
}
impl fmt::Debug for OtelHistogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("OtelHistogram")
    }
}

impl Counter for OtelCounter {
    fn add(&self, value: u64, attributes: &[Attribute<'_>]) {
        self.0.add(value, &key_values(attributes));
    }
}
impl UpDownCounter for OtelUpDown {
    fn add(&self, value: i64, attributes: &[Attribute<'_>]) {
        self.0.add(value, &key_values(attributes));
    }
}
impl Histogram for OtelHistogram {
    fn record(&self, value: f64, attributes: &[Attribute<'_>]) {
        self.0.record(value, &key_values(attributes));
    }
}

struct AsyncObserver<'a>(&'a dyn otel::AsyncInstrument<i64>);

impl Observer for AsyncObserver<'_> {
    fn observe(&mut self, value: i64, attributes: &[Attribute<'_>]) {
        self.0.observe(value, &key_values(attributes));
    }
}

impl Meter for OtelMeter {
    fn counter(&self, spec: &'static InstrumentSpec) -> Arc<dyn Counter> {
        Arc::new(OtelCounter(
            self.meter
                .u64_counter(spec.name)
                .with_unit(spec.unit)
                .with_description(spec.description)
                .build(),
        ))
    }

    fn up_down_counter(&self, spec: &'static InstrumentSpec) -> Arc<dyn UpDownCounter> {
        Arc::new(OtelUpDown(
            self.meter
                .i64_up_down_counter(spec.name)
                .with_unit(spec.unit)
                .with_description(spec.description)
                .build(),
        ))
    }

    fn histogram(&self, spec: &'static InstrumentSpec) -> Arc<dyn Histogram> {
        let mut b = self
            .meter
            .f64_histogram(spec.name)
            .with_unit(spec.unit)
            .with_description(spec.description);
        if spec.unit == "s" {
            b = b.with_boundaries(DURATION_BOUNDARIES.to_vec());
        }
        Arc::new(OtelHistogram(b.build()))
    }

    fn observable_up_down_counter(&self, spec: &'static InstrumentSpec, observe: ObserveFn) {
        let instrument = self
            .meter
            .i64_observable_up_down_counter(spec.name)
            .with_unit(spec.unit)
            .with_description(spec.description)
            .with_callback(move |o| observe(&mut AsyncObserver(o)))
            .build();
        self.observables
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(instrument);
    }
}
