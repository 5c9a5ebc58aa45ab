//! Test doubles for code that calls a generated client (feature `test-util`).
//!
//! Two levels:
//!
//! * **Typed rules** ([`typed`]): `mock!(Client::get_secret_value)` rules matched on the
//!   operation's typed input, answering with its typed output or error;
//!   `mock_client!(crate, [&rule, ...])` builds a client answered by them. Nothing is
//!   serialized or sent. The way to test code that *uses* a client.
//! * **Wire rules** ([`MockTransport`], below): HTTP responses per operation name and JSON
//!   input, with the whole request pipeline running. For testing retries, timeouts,
//!   interceptors, signing and response parsing.
//!
//! [`MockTransport`] stands in for the network: plug it into a [`Config`] with
//! [`ConfigBuilder::transport`](crate::config::ConfigBuilder::transport) (or use
//! [`test_config`]), add [`Rule`]s saying which operations (and optionally which inputs) get which
//! canned output, modeled error or transport failure, run the code under test, then look at
//! [`MockTransport::requests`] and call [`MockTransport::assert_all_used`].
//!
//! Everything above the transport runs for real: serialization, endpoint resolution, signing,
//! retries (off in [`test_config`]), response parsing and error mapping. A request no rule
//! matches fails with a non-retryable [`TransportError`] (surfacing as
//! [`SdkError::Dispatch`](crate::error::SdkError::Dispatch)) whose message starts with
//! `no mock rule matched <Operation>` and lists the rules; it is recorded as well.
//!
//! With a generated client (here `secretsmanager`), a user test reads:
//!
//! ```ignore
//! let mock = MockTransport::new().with_rule(
//!     Rule::new("GetSecretValue")
//!         .input_contains_json(r#"{"SecretId": "prod/db"}"#)
//!         .then_output_json(r#"{"SecretString": "hunter2"}"#),
//! );
//! let client = secretsmanager::Client::new(&test_config(&mock));
//! assert_eq!(fetch_db_password(&client, "prod/db").await?, "hunter2");
//! assert_eq!(mock.requests()[0].input_str("SecretId"), Some("prod/db"));
//! mock.assert_all_used();
//! ```
//!
//! The same against the runtime alone:
//!
//! ```
//! use awsrt::client::{ClientHandle, OperationInfo, ServiceInfo};
//! use awsrt::protocol::aws_json::request_for;
//! use awsrt::protocol::parse_error_metadata;
//! use awsrt::test_util::{test_config, MockTransport, Rule};
//!
//! static SERVICE: ServiceInfo = ServiceInfo {
//!     sdk_id: "Example",
//!     signing_name: "example",
//!     shape_name: "Example_20240101",
//!     protocol: &awsrt::protocol::aws_json::AWS_JSON_1_1,
//!     crate_name: "example",
//!     crate_version: "0.1.0",
//!     endpoint_rules: "",
//! };
//! static GET_THING: OperationInfo = OperationInfo {
//!     name: "GetThing",
//!     retryable_errors: &[],
//!     throttling_errors: &[],
//!     sensitive_input: false,
//!     sensitive_output: false,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! let mock = MockTransport::new()
//!     .with_rule(
//!         Rule::new("GetThing")
//!             .input_contains_json(r#"{"Name": "a"}"#)
//!             .then_output_json(r#"{"Value": 1}"#),
//!     )
//!     .with_rule(Rule::new("GetThing").then_error("ThingNotFound", "no such thing"));
//! let client = ClientHandle::new(&test_config(&mock), &SERVICE);
//!
//! let ok = client.call(&GET_THING, request_for(&SERVICE, &GET_THING, br#"{"Name":"a"}"#)).await.unwrap();
//! assert_eq!(&ok.body[..], br#"{"Value": 1}"#);
//!
//! let err = client.call(&GET_THING, request_for(&SERVICE, &GET_THING, br#"{"Name":"b"}"#)).await.unwrap();
//! assert_eq!(err.status, 400);
//! assert_eq!(parse_error_metadata(&err).code.as_deref(), Some("ThingNotFound"));
//!
//! // Nothing is left for a third call: it fails instead of reaching a network.
//! let unmatched = client.call(&GET_THING, request_for(&SERVICE, &GET_THING, b"{}")).await.unwrap_err();
//! assert!(unmatched.to_string().contains("no mock rule matched GetThing"));
//!
//! let sent = mock.requests();
//! assert_eq!(sent.len(), 3);
//! assert_eq!(sent[1].operation(), "GetThing");
//! assert_eq!(sent[1].input_str("Name"), Some("b"));
//! assert!(!sent[2].is_matched());
//! mock.assert_all_used();
//! # }
//! ```

mod json_match;
mod recorded;
mod rule;
pub mod typed;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::config::Config;
use crate::http::{
    AttemptTimeouts, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
    TransportErrorKind,
};
use crate::retry::RetryConfig;

/// [`mock!`](crate::mock) and [`mock_client!`](crate::mock_client), reachable here too.
pub use crate::{mock, mock_client};
pub use json_match::json_contains;
pub use recorded::RecordedRequest;
pub use rule::{MockReply, Rule};
pub use typed::{
    answer_from_mocks, mock_config, mock_config_with, AnyMockRule, IntoMockRule, MockOperation,
    MockResponse, MockResult, MockRule, MockRuleBuilder, MockRules, RuleMode,
};

use rule::{truncate, Reply};

/// Region of [`test_config`].
pub const TEST_REGION: &str = "us-east-1";
/// Endpoint of [`test_config`]; `.invalid` never resolves, so nothing can leak to a network.
pub const TEST_ENDPOINT: &str = "https://mock.invalid";
/// Access key id of [`test_config`]'s static credentials.
pub const TEST_ACCESS_KEY_ID: &str = "AKIDMOCKTESTKEY";
/// Secret key of [`test_config`]'s static credentials.
pub const TEST_SECRET_ACCESS_KEY: &str = "mock/secret/access/key";

/// Most rules listed in the message of an unmatched request.
const MAX_RULES_IN_MESSAGE: usize = 10;

/// A configuration for tests: region [`TEST_REGION`], static test credentials, endpoint
/// [`TEST_ENDPOINT`], retries off, and `mock` as the transport. Nothing is read from the
/// environment. Adjust it with [`Config::to_builder`].
pub fn test_config(mock: &MockTransport) -> Config {
    Config::builder()
        .region(TEST_REGION)
        .credentials(TEST_ACCESS_KEY_ID, TEST_SECRET_ACCESS_KEY, None)
        .endpoint_url(TEST_ENDPOINT)
        .retry_config(RetryConfig::disabled())
        .transport(Arc::new(mock.clone()))
        .build()
}

/// A [`Transport`] that answers from [`Rule`]s and records every request.
///
/// Clones share rules and recorded requests, so keep one clone for assertions and give another
/// to the configuration. Safe to use from concurrent requests: picking a rule and counting its
/// use happen atomically.
#[derive(Clone, Default)]
pub struct MockTransport {
    state: Arc<Mutex<State>>,
}

#[derive(Default)]
struct State {
    rules: Vec<Slot>,
    requests: Vec<RecordedRequest>,
}

struct Slot {
    rule: Rule,
    uses: usize,
}

/// What [`MockTransport::dispatch`] decided for one request.
struct Decision {
    reply: Option<Reply>,
    delay: Option<std::time::Duration>,
    seq: usize,
    request: RecordedRequest,
}

impl fmt::Debug for MockTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("MockTransport")
            .field("rules", &state.rules.len())
            .field("requests", &state.requests.len())
            .finish()
    }
}

impl MockTransport {
    /// A mock without rules: every request fails as unmatched until rules are added.
    pub fn new() -> MockTransport {
        MockTransport::default()
    }

    /// Adds a rule after the existing ones (builder style).
    pub fn with_rule(self, rule: Rule) -> MockTransport {
        self.push_rule(rule);
        self
    }

    /// Adds a rule after the existing ones; visible to every clone, also while in use.
    pub fn push_rule(&self, rule: Rule) {
        self.lock().rules.push(Slot { rule, uses: 0 });
    }

    /// Every request received so far, in order, matched or not.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.lock().requests.clone()
    }

    /// The requests for `operation`, in order.
    pub fn requests_for(&self, operation: &str) -> Vec<RecordedRequest> {
        self.lock()
            .requests
            .iter()
            .filter(|r| r.operation() == operation)
            .cloned()
            .collect()
    }

    /// The requests no rule answered.
    pub fn unmatched_requests(&self) -> Vec<RecordedRequest> {
        self.lock()
            .requests
            .iter()
            .filter(|r| !r.is_matched())
            .cloned()
            .collect()
    }

    /// The most recent request.
    pub fn last_request(&self) -> Option<RecordedRequest> {
        self.lock().requests.last().cloned()
    }

    /// How many requests were received.
    pub fn request_count(&self) -> usize {
        self.lock().requests.len()
    }

    /// How many requests rule number `index` (in the order added) has answered.
    pub fn uses(&self, index: usize) -> Option<usize> {
        self.lock().rules.get(index).map(|s| s.uses)
    }

    /// `Ok` when every rule is used up: rules with a limit answered that many requests, rules
    /// added with [`Rule::repeatedly`] at least one. Otherwise a message listing the others.
    pub fn check_all_used(&self) -> Result<(), String> {
        let state = self.lock();
        let unused: Vec<String> = state
            .rules
            .iter()
            .enumerate()
            .filter(|(_, s)| match s.rule.limit() {
                Some(n) => s.uses < n,
                None => s.uses == 0,
            })
            .map(|(i, s)| format!("#{i} {}", describe_slot(s)))
            .collect();
        if unused.is_empty() {
            Ok(())
        } else {
            Err(format!("mock rules not used up: {}", unused.join("; ")))
        }
    }

    /// Panics, listing them, when some rules are not used up (see
    /// [`MockTransport::check_all_used`]). For the end of a test.
    #[track_caller]
    pub fn assert_all_used(&self) {
        if let Err(message) = self.check_all_used() {
            panic!("{message}");
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking user predicate must not make every later assertion panic too.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Picks the rule, counts its use and records the request, atomically.
    fn dispatch(&self, req: HttpRequest) -> Result<Decision, TransportError> {
        let mut request = RecordedRequest::new(req);
        let mut state = self.lock();
        let seq = state.requests.len() + 1;
        let mut chosen = None;
        for (i, slot) in state.rules.iter().enumerate() {
            if !slot.rule.available(slot.uses) || !slot.rule.matches_operation(request.operation())
            {
                continue;
            }
            if let Some(why) = &slot.rule.invalid {
                let msg = format!("mock rule #{i} for {} is invalid: {why}", op_name(&request));
                state.requests.push(request);
                return Err(TransportError::new(TransportErrorKind::Other, msg));
            }
            if slot.rule.matches_input(request.input()) {
                chosen = Some(i);
                break;
            }
        }
        let Some(index) = chosen else {
            let msg = unmatched_message(&state.rules, &request);
            state.requests.push(request);
            return Err(TransportError::new(TransportErrorKind::Other, msg));
        };
        let slot = &mut state.rules[index];
        let reply = slot.rule.reply_for(slot.uses).cloned();
        let delay = slot.rule.delay;
        slot.uses += 1;
        request.matched_rule = Some(index);
        state.requests.push(request.clone());
        Ok(Decision {
            reply,
            delay,
            seq,
            request,
        })
    }
}

impl Transport for MockTransport {
    fn send(
        &self,
        req: HttpRequest,
        _timeouts: &AttemptTimeouts,
    ) -> BoxFuture<'static, Result<HttpResponse, TransportError>> {
        let decision = self.dispatch(req);
        Box::pin(async move {
            let d = decision?;
            let reply = match d.reply {
                Some(Reply::Fixed(r)) => r,
                // Called outside the lock: the function may look at the mock itself.
                Some(Reply::Dynamic(f)) => f(&d.request),
                None => MockReply::output_json("{}"),
            };
            if let Some(delay) = d.delay {
                tokio::time::sleep(delay).await;
            }
            reply.into_result(d.seq)
        })
    }
}

fn op_name(req: &RecordedRequest) -> &str {
    match req.operation() {
        "" => "a request without x-amz-target",
        op => op,
    }
}

fn describe_slot(slot: &Slot) -> String {
    let limit = match slot.rule.limit() {
        Some(n) => n.to_string(),
        None => "unlimited".to_string(),
    };
    format!(
        "{} (used {} of {limit})",
        slot.rule.description(),
        slot.uses
    )
}

fn unmatched_message(rules: &[Slot], req: &RecordedRequest) -> String {
    let input = req
        .body_str()
        .map(truncate)
        .unwrap_or_else(|| format!("<{} bytes, not UTF-8>", req.body().len()));
    let mut msg = format!("no mock rule matched {} (input: {input}); ", op_name(req));
    if rules.is_empty() {
        msg.push_str("the mock has no rules");
        return msg;
    }
    msg.push_str("rules: ");
    let listed: Vec<String> = rules
        .iter()
        .take(MAX_RULES_IN_MESSAGE)
        .enumerate()
        .map(|(i, s)| format!("#{i} {}", describe_slot(s)))
        .collect();
    msg.push_str(&listed.join("; "));
    if rules.len() > MAX_RULES_IN_MESSAGE {
        msg.push_str(&format!(
            "; and {} more",
            rules.len() - MAX_RULES_IN_MESSAGE
        ));
    }
    msg
}
