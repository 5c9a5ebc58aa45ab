//! A minimal `tracing` subscriber that records every span and event as strings (all levels,
//! TRACE included), for tests that inspect what the client logs.
//!
//! Install it on the current thread with [`Capture::set_default`]; with tokio's default
//! current-thread test runtime every task of the test then reports to it.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Level, Metadata, Subscriber};

use super::lock;

/// A span as recorded: its fields include values recorded after creation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpanRecord {
    /// The subscriber-assigned id (never reused).
    pub id: u64,
    /// Span name, e.g. `operation`.
    pub name: &'static str,
    /// Module target.
    pub target: String,
    /// Level.
    pub level: Level,
    /// The parent span's id.
    pub parent: Option<u64>,
    /// `(field, value)` pairs in recording order; a later value overrides an earlier one.
    pub fields: Vec<(String, String)>,
}

impl SpanRecord {
    /// The latest value recorded for `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// An event as recorded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRecord {
    /// Module target.
    pub target: String,
    /// Level.
    pub level: Level,
    /// The span the event belongs to.
    pub span: Option<u64>,
    /// `(field, value)` pairs; the message is the `message` field.
    pub fields: Vec<(String, String)>,
}

impl EventRecord {
    /// The value of field `name`.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Default)]
struct Inner {
    spans: Vec<SpanRecord>,
    events: Vec<EventRecord>,
    /// Entered spans per thread, innermost last.
    stacks: HashMap<ThreadId, Vec<u64>>,
}

/// The capturing subscriber. Clones share the records.
#[derive(Clone, Debug, Default)]
pub struct Capture {
    inner: Arc<Mutex<Inner>>,
    next_id: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        let mut text = value.to_string();
        let mut source = value.source();
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        self.0.push((field.name().to_string(), text));
    }
}

impl Capture {
    /// A subscriber with no records.
    pub fn new() -> Capture {
        Capture::default()
    }

    /// Makes this the current thread's subscriber until the guard drops.
    pub fn set_default(&self) -> tracing::subscriber::DefaultGuard {
        tracing::subscriber::set_default(self.clone())
    }

    /// Every span recorded, in creation order.
    pub fn spans(&self) -> Vec<SpanRecord> {
        lock(&self.inner).spans.clone()
    }

    /// Every event recorded, in order.
    pub fn events(&self) -> Vec<EventRecord> {
        lock(&self.inner).events.clone()
    }

    /// The span with id `id`.
    pub fn span(&self, id: u64) -> Option<SpanRecord> {
        lock(&self.inner).spans.iter().find(|s| s.id == id).cloned()
    }

    /// Every span and event rendered as one line each: level, kind, name or target, then
    /// `field=value` pairs.
    pub fn lines(&self) -> Vec<String> {
        let inner = lock(&self.inner);
        let render = |fields: &[(String, String)]| {
            fields
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        let spans = inner.spans.iter().map(|s| {
            format!(
                "{} span {} ({}) parent={:?} {}",
                s.level,
                s.name,
                s.target,
                s.parent,
                render(&s.fields)
            )
        });
        let events = inner.events.iter().map(|e| {
            format!(
                "{} event {} span={:?} {}",
                e.level,
                e.target,
                e.span,
                render(&e.fields)
            )
        });
        spans.chain(events).collect()
    }

    fn current(&self) -> Option<u64> {
        let inner = lock(&self.inner);
        inner
            .stacks
            .get(&std::thread::current().id())
            .and_then(|s| s.last().copied())
    }
}

impl Subscriber for Capture {
    fn register_callsite(&self, _: &'static Metadata<'static>) -> Interest {
        Interest::always()
    }

    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::TRACE)
    }

    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst) + 1;
        let parent = if let Some(p) = attrs.parent() {
            Some(p.into_u64())
        } else if attrs.is_contextual() {
            self.current()
        } else {
            None
        };
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        let meta = attrs.metadata();
        lock(&self.inner).spans.push(SpanRecord {
            id,
            name: meta.name(),
            target: meta.target().to_string(),
            level: *meta.level(),
            parent,
            fields,
        });
        Id::from_u64(id)
    }

    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut fields = Vec::new();
        values.record(&mut Fields(&mut fields));
        let mut inner = lock(&self.inner);
        if let Some(s) = inner.spans.iter_mut().find(|s| s.id == span.into_u64()) {
            s.fields.extend(fields);
        }
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let span = if let Some(p) = event.parent() {
            Some(p.into_u64())
        } else if event.is_contextual() {
            self.current()
        } else {
            None
        };
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        let meta = event.metadata();
        lock(&self.inner).events.push(EventRecord {
            target: meta.target().to_string(),
            level: *meta.level(),
            span,
            fields,
        });
    }

    fn enter(&self, span: &Id) {
        lock(&self.inner)
            .stacks
            .entry(std::thread::current().id())
            .or_default()
            .push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut inner = lock(&self.inner);
        if let Some(stack) = inner.stacks.get_mut(&std::thread::current().id()) {
            if let Some(pos) = stack.iter().rposition(|s| *s == span.into_u64()) {
                stack.remove(pos);
            }
        }
    }
}
