//! An in-memory [`MeterProvider`] that keeps every measurement, for tests (feature
//! `test-util`): what was recorded, under which name, unit and attributes.
//!
//! ```
//! use std::sync::Arc;
//! use awsrt::observability::testing::RecordingMeterProvider;
//!
//! let recorder = RecordingMeterProvider::new();
//! let config = awsrt::config::Config::builder()
//!     .meter_provider(Arc::new(recorder.clone()))
//!     .build();
//! // ... calls with a client built from `config` ...
//! assert!(recorder.measurements("smithy.client.call.attempts").is_empty());
//! ```

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{
    Attribute, Counter, Histogram, InstrumentKind, InstrumentSpec, Meter, MeterProvider, ObserveFn,
    Observer, UpDownCounter,
};

/// One recorded value.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// The meter's scope (`secretsmanager`, `awsrt`).
    pub scope: &'static str,
    /// The instrument.
    pub spec: &'static InstrumentSpec,
    /// The value (counters as whole numbers).
    pub value: f64,
    /// The attributes, by name, values as text.
    pub attributes: BTreeMap<String, String>,
}

impl Measurement {
    /// The value of attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

#[derive(Default)]
struct State {
    measurements: Vec<Measurement>,
    observers: Vec<(&'static str, &'static InstrumentSpec, ObserveFn)>,
}

/// Keeps every measurement in memory. Cheap to clone (clones share the record).
#[derive(Clone, Default)]
pub struct RecordingMeterProvider {
    state: Arc<Mutex<State>>,
}

impl std::fmt::Debug for RecordingMeterProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecordingMeterProvider")
            .finish_non_exhaustive()
    }
}

impl RecordingMeterProvider {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Every measurement so far, in order.
    pub fn all(&self) -> Vec<Measurement> {
        self.lock().measurements.clone()
    }

    /// The measurements of instrument `name`, in order.
    pub fn measurements(&self, name: &str) -> Vec<Measurement> {
        self.lock()
            .measurements
            .iter()
            .filter(|m| m.spec.name == name)
            .cloned()
            .collect()
    }

    /// The sum of instrument `name`'s values.
    pub fn sum(&self, name: &str) -> f64 {
        self.measurements(name).iter().map(|m| m.value).sum()
    }

    /// Runs the callbacks of the observable instruments and returns what they report.
    pub fn observe(&self) -> Vec<Measurement> {
        let state = self.lock();
        let mut out = Vec::new();
        for (scope, spec, observe) in &state.observers {
            let mut sink = Sink {
                scope,
                spec,
                out: &mut out,
            };
            observe(&mut sink);
        }
        out
    }

    /// Forgets every measurement.
    pub fn clear(&self) {
        self.lock().measurements.clear();
    }

    fn push(
        &self,
        scope: &'static str,
        spec: &'static InstrumentSpec,
        value: f64,
        attributes: &[Attribute<'_>],
    ) {
        self.lock()
            .measurements
            .push(measurement(scope, spec, value, attributes));
    }
}

fn measurement(
    scope: &'static str,
    spec: &'static InstrumentSpec,
    value: f64,
    attributes: &[Attribute<'_>],
) -> Measurement {
    Measurement {
        scope,
        spec,
        value,
        attributes: attributes
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.to_string()))
            .collect(),
    }
}

struct Sink<'a> {
    scope: &'static str,
    spec: &'static InstrumentSpec,
    out: &'a mut Vec<Measurement>,
}

impl Observer for Sink<'_> {
    fn observe(&mut self, value: i64, attributes: &[Attribute<'_>]) {
        self.out
            .push(measurement(self.scope, self.spec, value as f64, attributes));
    }
}

#[derive(Debug)]
struct Recorder {
    provider: RecordingMeterProvider,
    scope: &'static str,
    spec: &'static InstrumentSpec,
}

impl Counter for Recorder {
    fn add(&self, value: u64, attributes: &[Attribute<'_>]) {
        self.provider
            .push(self.scope, self.spec, value as f64, attributes);
    }
}
impl UpDownCounter for Recorder {
    fn add(&self, value: i64, attributes: &[Attribute<'_>]) {
        self.provider
            .push(self.scope, self.spec, value as f64, attributes);
    }
}
impl Histogram for Recorder {
    fn record(&self, value: f64, attributes: &[Attribute<'_>]) {
        self.provider.push(self.scope, self.spec, value, attributes);
    }
}

#[derive(Debug)]
struct RecordingMeter {
    provider: RecordingMeterProvider,
    scope: &'static str,
}

impl RecordingMeter {
    fn recorder(&self, spec: &'static InstrumentSpec, kind: InstrumentKind) -> Arc<Recorder> {
        debug_assert_eq!(spec.kind, kind, "{} created as the wrong kind", spec.name);
        Arc::new(Recorder {
            provider: self.provider.clone(),
            scope: self.scope,
            spec,
        })
    }
}

impl Meter for RecordingMeter {
    fn counter(&self, spec: &'static InstrumentSpec) -> Arc<dyn Counter> {
        self.recorder(spec, InstrumentKind::Counter)
    }
    fn up_down_counter(&self, spec: &'static InstrumentSpec) -> Arc<dyn UpDownCounter> {
        self.recorder(spec, InstrumentKind::UpDownCounter)
    }
    fn histogram(&self, spec: &'static InstrumentSpec) -> Arc<dyn Histogram> {
        self.recorder(spec, InstrumentKind::Histogram)
    }
    fn observable_up_down_counter(&self, spec: &'static InstrumentSpec, observe: ObserveFn) {
        self.provider
            .lock()
            .observers
            .push((self.scope, spec, observe));
    }
}

impl MeterProvider for RecordingMeterProvider {
    fn meter(&self, scope: &'static str) -> Arc<dyn Meter> {
        Arc::new(RecordingMeter {
            provider: self.clone(),
            scope,
        })
    }
}
