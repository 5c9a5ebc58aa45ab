//! The pipeline's tracing output names the operation, attempts and statuses but never carries
//! credentials, signatures or bodies.

mod pipeline_support;

use std::fmt::Debug;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use awsrt::client::ClientHandle;
use pipeline_support::*;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Records every span name, field and event as text.
#[derive(Clone, Default)]
struct Capture {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<AtomicU64>,
}

struct Text(String);

impl Visit for Text {
    fn record_debug(&mut self, field: &Field, value: &dyn Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut t = Text(format!("span {}", span.metadata().name()));
        span.record(&mut t);
        self.lines.lock().unwrap().push(t.0);
        Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut t = Text("record".into());
        values.record(&mut t);
        self.lines.lock().unwrap().push(t.0);
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut t = Text("event".into());
        event.record(&mut t);
        self.lines.lock().unwrap().push(t.0);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn tracing_shows_progress_but_no_secrets() {
    let capture = Capture::default();
    let dispatch = tracing::Dispatch::new(capture.clone());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    tracing::dispatcher::with_default(&dispatch, || {
        rt.block_on(async {
            let mock = MockTransport::new([
                Reply::Response(
                    awsrt::http::HttpResponse::new(503, "BODY-MARKER-RESPONSE")
                        .with_header("x-amzn-requestid", "rid-42"),
                ),
                Reply::status(200),
            ]);
            let config = builder(&mock)
                .credentials(
                    "AKIDTRACE",
                    "SECRET-KEY-VALUE",
                    Some("SESSION-TOKEN-VALUE".into()),
                )
                .build();
            let handle = ClientHandle::new(&config, &SERVICE);
            handle
                .call_json(&OP, b"BODY-MARKER-REQUEST".to_vec())
                .await
                .unwrap();
            let sig = mock.requests()[0]
                .header("authorization")
                .unwrap()
                .rsplit('=')
                .next()
                .unwrap()
                .to_string();
            let text = capture.lines.lock().unwrap().join("\n");
            assert!(text.contains("operation=\"DoThing\""), "{text}");
            assert!(text.contains("service=\"Test Svc\""), "{text}");
            assert!(text.contains("attempt=2"), "{text}");
            assert!(text.contains("status=503"), "{text}");
            assert!(text.contains("rid-42"), "{text}");
            for secret in [
                "SECRET-KEY-VALUE",
                "SESSION-TOKEN-VALUE",
                "BODY-MARKER",
                sig.as_str(),
            ] {
                assert!(!text.contains(secret), "{secret} leaked:\n{text}");
            }
        })
    });
}
