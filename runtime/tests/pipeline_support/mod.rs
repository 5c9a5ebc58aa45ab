//! Shared helpers for the `pipeline_*` integration tests: a recording mock transport, a test
//! service description and config shortcuts.
#![allow(dead_code)]

mod json_call;
#[allow(unused_imports)]
pub use json_call::JsonCall;

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use awsrt::client::{OperationInfo, ServiceInfo};
use awsrt::config::{Config, ConfigBuilder, TimeoutConfig};
use awsrt::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
    TransportErrorKind,
};
use awsrt::retry::RetryConfig;

/// A minimal rule set: `SDK::Endpoint` wins; else a regional URL (FIPS variant too) whose
/// authSchemes set the signing name; no region is an error.
pub const RULES: &str = r#"{
  "version": "1.0",
  "parameters": {
    "Region": {"builtIn": "AWS::Region", "required": false, "documentation": "region", "type": "String"},
    "UseFIPS": {"builtIn": "AWS::UseFIPS", "required": true, "default": false, "documentation": "fips", "type": "Boolean"},
    "Endpoint": {"builtIn": "SDK::Endpoint", "required": false, "documentation": "endpoint", "type": "String"}
  },
  "rules": [
    {"conditions": [{"fn": "isSet", "argv": [{"ref": "Endpoint"}]}],
     "endpoint": {"url": {"ref": "Endpoint"}, "properties": {}, "headers": {}}, "type": "endpoint"},
    {"conditions": [{"fn": "isSet", "argv": [{"ref": "Region"}]}], "type": "tree", "rules": [
      {"conditions": [{"fn": "booleanEquals", "argv": [{"ref": "UseFIPS"}, true]}],
       "endpoint": {"url": "https://testsvc-fips.{Region}.amazonaws.com", "properties": {}, "headers": {}}, "type": "endpoint"},
      {"conditions": [],
       "endpoint": {"url": "https://testsvc.{Region}.amazonaws.com",
                    "properties": {"authSchemes": [{"name": "sigv4", "signingName": "testsvc-signing", "signingRegion": "{Region}"}]},
                    "headers": {"x-test-endpoint": ["yes"]}}, "type": "endpoint"}
    ]},
    {"conditions": [], "error": "Invalid Configuration: Missing Region", "type": "error"}
  ]
}"#;

pub static SERVICE: ServiceInfo = ServiceInfo {
    sdk_id: "Test Svc",
    signing_name: "testsvc",
    shape_name: "TestService_20240101",
    protocol: &awsrt::protocol::aws_json::AWS_JSON_1_1,
    crate_name: "testsvc",
    crate_version: "1.2.3",
    endpoint_rules: RULES,
};

pub static NO_RULES_SERVICE: ServiceInfo = ServiceInfo {
    sdk_id: "No Rules",
    signing_name: "norules",
    shape_name: "NoRules",
    protocol: &awsrt::protocol::aws_json::AWS_JSON_1_0,
    crate_name: "norules",
    crate_version: "0.1.0",
    endpoint_rules: "",
};

pub static OP: OperationInfo = OperationInfo {
    name: "DoThing",
    retryable_errors: &["ModeledRetryableError"],
    throttling_errors: &["ModeledThrottle"],
    sensitive_input: false,
    sensitive_output: false,
};

/// One scripted outcome.
#[derive(Clone, Debug)]
pub enum Reply {
    Response(HttpResponse),
    Error(TransportErrorKind, &'static str),
    /// Wait, then the inner reply.
    Delayed(Duration, Box<Reply>),
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Response(HttpResponse::new(status, "{}"))
    }

    pub fn error(status: u16, code: &str) -> Reply {
        Reply::Response(
            HttpResponse::new(status, format!(r#"{{"__type":"{code}","message":"m"}}"#))
                .with_header("x-amzn-requestid", "req-1"),
        )
    }
}

/// Records requests and answers from a script (repeating the last reply when it runs out).
#[derive(Debug, Default)]
pub struct MockTransport {
    script: Mutex<VecDeque<Reply>>,
    last: Mutex<Option<Reply>>,
    requests: Mutex<Vec<HttpRequest>>,
    timeouts: Mutex<Vec<AttemptTimeouts>>,
}

impl MockTransport {
    pub fn new(replies: impl IntoIterator<Item = Reply>) -> Arc<MockTransport> {
        Arc::new(MockTransport {
            script: Mutex::new(replies.into_iter().collect()),
            ..Default::default()
        })
    }

    pub fn requests(&self) -> Vec<HttpRequest> {
        self.requests.lock().unwrap().clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }

    pub fn timeouts(&self) -> Vec<AttemptTimeouts> {
        self.timeouts.lock().unwrap().clone()
    }
}

fn play(reply: Reply) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
    Box::pin(async move {
        match reply {
            Reply::Response(r) => Ok(r),
            Reply::Error(kind, msg) => Err(TransportError::new(kind, msg)),
            Reply::Delayed(d, inner) => {
                tokio::time::sleep(d).await;
                play(*inner).await
            }
        }
    })
}

impl Transport for MockTransport {
    fn send(
        &self,
        req: HttpRequest,
        timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        self.requests.lock().unwrap().push(req);
        self.timeouts.lock().unwrap().push(*timeouts);
        let next = self.script.lock().unwrap().pop_front();
        let reply = match next {
            Some(r) => {
                *self.last.lock().unwrap() = Some(r.clone());
                r
            }
            None => self
                .last
                .lock()
                .unwrap()
                .clone()
                .unwrap_or_else(|| Reply::status(200)),
        };
        play(reply)
    }
}

/// Fast retries: no real backoff.
pub fn fast_retry(max_attempts: u32) -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(max_attempts)
        .with_initial_backoff(Duration::from_millis(1))
        .with_max_backoff(Duration::from_millis(5))
}

/// Region, static credentials, fast retries and the mock transport.
pub fn builder(transport: &Arc<MockTransport>) -> ConfigBuilder {
    Config::builder()
        .region("us-east-1")
        .credentials("AKIDTEST", "secret", None)
        .retry_config(fast_retry(3))
        .timeout_config(TimeoutConfig::default())
        .transport(transport.clone())
}
