//! [`Rule`]: which requests a [`super::MockTransport`] answers and how; [`MockReply`]: one answer.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::http::{HttpResponse, TransportError, TransportErrorKind};
use crate::types::Document;

use super::json_match::json_contains;
use super::recorded::RecordedRequest;

/// Longest input pattern quoted in rule descriptions.
const MAX_PATTERN_CHARS: usize = 120;

type InputPredicate = Arc<dyn Fn(&Document) -> bool + Send + Sync>;
type ReplyFn = Arc<dyn Fn(&RecordedRequest) -> MockReply + Send + Sync>;

/// One canned answer of a [`Rule`]: a response (output or error) or a transport failure.
///
/// Responses made by [`MockReply::output_json`], [`MockReply::output`] and the `error`
/// constructors carry `content-type: application/x-amz-json-1.1` and an
/// `x-amzn-requestid: mock-request-<n>` header (`n` counts requests from 1), so request ids show
/// up in errors as they would with a real service. [`MockReply::http`] is sent exactly as given.
#[derive(Clone, Debug)]
pub struct MockReply(pub(super) ReplyKind);

#[derive(Clone, Debug)]
pub(super) enum ReplyKind {
    Response {
        response: HttpResponse,
        add_request_id: bool,
    },
    Transport {
        kind: TransportErrorKind,
        message: String,
    },
}

impl MockReply {
    /// A `200` response whose body is `json`, the operation output as the service would send it
    /// (member names as in the model: `{"SecretString": "..."}`). The text is not validated, so
    /// malformed output can be simulated too.
    pub fn output_json(json: impl Into<String>) -> MockReply {
        MockReply::json_response(200, json.into())
    }

    /// A `200` response whose body is `output` serialized as JSON.
    pub fn output(output: impl Into<Document>) -> MockReply {
        MockReply::output_json(output.into().to_json())
    }

    /// A `400` response for the modeled error `code`: body
    /// `{"__type": code, "Message": message}`, the way awsJson services report errors.
    pub fn error(code: impl Into<String>, message: impl Into<String>) -> MockReply {
        MockReply::error_with_status(400, code, message)
    }

    /// Like [`MockReply::error`] with another status (`500` for a server fault, `429`, ...).
    pub fn error_with_status(
        status: u16,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> MockReply {
        let body = Document::Object(
            [
                ("__type".to_string(), Document::String(code.into())),
                ("Message".to_string(), Document::String(message.into())),
            ]
            .into_iter()
            .collect(),
        );
        MockReply::json_response(status, body.to_json())
    }

    /// Exactly this HTTP response (no headers added).
    pub fn http(response: HttpResponse) -> MockReply {
        MockReply(ReplyKind::Response {
            response,
            add_request_id: false,
        })
    }

    /// A transport failure of `kind` (connection refused, reset, timeout...). Retryable kinds
    /// are retried by the pipeline when retries are on, and each retry is matched again.
    pub fn transport_error(kind: TransportErrorKind, message: impl Into<String>) -> MockReply {
        MockReply(ReplyKind::Transport {
            kind,
            message: message.into(),
        })
    }

    fn json_response(status: u16, body: String) -> MockReply {
        MockReply(ReplyKind::Response {
            response: HttpResponse::new(status, body)
                .with_header("content-type", "application/x-amz-json-1.1"),
            add_request_id: true,
        })
    }

    /// Turns the reply into what [`crate::http::Transport::send`] returns for request number
    /// `seq` (from 1).
    pub(super) fn into_result(self, seq: usize) -> Result<HttpResponse, TransportError> {
        match self.0 {
            ReplyKind::Response {
                mut response,
                add_request_id,
            } => {
                if add_request_id && response.header("x-amzn-requestid").is_none() {
                    response =
                        response.with_header("x-amzn-requestid", &format!("mock-request-{seq}"));
                }
                Ok(response)
            }
            ReplyKind::Transport { kind, message } => {
                Err(TransportError::new(kind, message).with_target("mock transport"))
            }
        }
    }
}

#[derive(Clone)]
pub(super) enum Reply {
    Fixed(MockReply),
    Dynamic(ReplyFn),
}

#[derive(Clone)]
struct Matcher {
    description: String,
    predicate: InputPredicate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Limit {
    /// As many uses as there are replies (at least one).
    Replies,
    Times(usize),
    Unlimited,
}

/// Which requests to answer and with what: an operation name, optional conditions on the input,
/// the replies and how often the rule may be used.
///
/// A request is answered by the first rule, in the order rules were added, whose operation and
/// input conditions match and that is not used up. Replies are given in order; once the list
/// runs out the last one repeats. By default a rule is used as many times as it has replies
/// (once when it has one or none; with none it answers `200 {}`); [`Rule::times`] and
/// [`Rule::repeatedly`] change that.
///
/// ```
/// use awsrt::test_util::{MockReply, Rule};
/// use awsrt::types::Document;
///
/// // Two GetSecretValue calls for "db": the first fails, the second succeeds.
/// let rule = Rule::new("GetSecretValue")
///     .input_contains_json(r#"{"SecretId": "db"}"#)
///     .then_error("InternalServiceError", "try again")
///     .then_output_json(r#"{"SecretString": "hunter2"}"#);
/// // Any ListSecrets call, as often as it comes.
/// let list = Rule::new("ListSecrets").then_output_json(r#"{"SecretList": []}"#).repeatedly();
/// // A custom condition on the input.
/// let big = Rule::new("GetRandomPassword")
///     .input_matches(|input: &Document| {
///         input.get("PasswordLength").and_then(|n| n.as_number()).and_then(|n| n.to_i64())
///             > Some(64)
///     })
///     .then(MockReply::error("InvalidParameterException", "too long"));
/// # let _ = (rule, list, big);
/// ```
#[derive(Clone)]
pub struct Rule {
    operation: Option<String>,
    matchers: Vec<Matcher>,
    pub(super) replies: Vec<Reply>,
    limit: Limit,
    pub(super) delay: Option<Duration>,
    label: Option<String>,
    /// Why the rule cannot be used (an input pattern that is not JSON).
    pub(super) invalid: Option<String>,
}

impl fmt::Debug for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description())
    }
}

impl Rule {
    /// A rule for requests to `operation` (the name in the model, e.g. `"GetSecretValue"`,
    /// compared with the `x-amz-target` header's part after the last `.`).
    pub fn new(operation: impl Into<String>) -> Rule {
        Rule::with_operation(Some(operation.into()))
    }

    /// A rule for requests to any operation.
    pub fn any() -> Rule {
        Rule::with_operation(None)
    }

    fn with_operation(operation: Option<String>) -> Rule {
        Rule {
            operation,
            matchers: Vec::new(),
            replies: Vec::new(),
            limit: Limit::Replies,
            delay: None,
            label: None,
            invalid: None,
        }
    }

    /// Names the rule in messages (unmatched requests, [`super::MockTransport::assert_all_used`]).
    pub fn label(mut self, label: impl Into<String>) -> Rule {
        self.label = Some(label.into());
        self
    }

    /// Adds a condition on the request input (the JSON body as a [`Document`]; `Null` when the
    /// body is not JSON). All conditions of a rule must hold.
    pub fn input_matches(
        mut self,
        predicate: impl Fn(&Document) -> bool + Send + Sync + 'static,
    ) -> Rule {
        self.matchers.push(Matcher {
            description: "input matches a predicate".to_string(),
            predicate: Arc::new(predicate),
        });
        self
    }

    /// Adds a condition: the input contains `pattern` in the sense of
    /// [`json_contains`](super::json_contains) (every member the pattern names, recursively).
    pub fn input_contains(mut self, pattern: impl Into<Document>) -> Rule {
        let pattern = pattern.into();
        let description = format!("input contains {}", truncate(&pattern.to_json()));
        self.matchers.push(Matcher {
            description,
            predicate: Arc::new(move |input| json_contains(input, &pattern)),
        });
        self
    }

    /// Like [`Rule::input_contains`] with the pattern written as JSON text. A pattern that is not
    /// valid JSON makes the rule unusable: a request it would be consulted for fails with a
    /// transport error saying so (and [`super::MockTransport::assert_all_used`] reports it).
    pub fn input_contains_json(self, pattern: &str) -> Rule {
        match Document::parse(pattern.as_bytes()) {
            Ok(doc) => self.input_contains(doc),
            Err(e) => {
                let mut rule = self;
                rule.invalid = Some(format!(
                    "input pattern {} is not valid JSON: {e}",
                    truncate(pattern)
                ));
                rule
            }
        }
    }

    /// Appends a reply.
    pub fn then(mut self, reply: MockReply) -> Rule {
        self.replies.push(Reply::Fixed(reply));
        self
    }

    /// Appends a reply computed from the request, e.g. to echo part of the input back.
    pub fn then_fn(
        mut self,
        reply: impl Fn(&RecordedRequest) -> MockReply + Send + Sync + 'static,
    ) -> Rule {
        self.replies.push(Reply::Dynamic(Arc::new(reply)));
        self
    }

    /// Appends [`MockReply::output_json`].
    pub fn then_output_json(self, json: impl Into<String>) -> Rule {
        self.then(MockReply::output_json(json))
    }

    /// Appends [`MockReply::output`].
    pub fn then_output(self, output: impl Into<Document>) -> Rule {
        self.then(MockReply::output(output))
    }

    /// Appends [`MockReply::error`] (status 400).
    pub fn then_error(self, code: impl Into<String>, message: impl Into<String>) -> Rule {
        self.then(MockReply::error(code, message))
    }

    /// Appends [`MockReply::error_with_status`].
    pub fn then_error_with_status(
        self,
        status: u16,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Rule {
        self.then(MockReply::error_with_status(status, code, message))
    }

    /// Appends [`MockReply::http`].
    pub fn then_http(self, response: HttpResponse) -> Rule {
        self.then(MockReply::http(response))
    }

    /// Appends [`MockReply::transport_error`].
    pub fn then_transport_error(
        self,
        kind: TransportErrorKind,
        message: impl Into<String>,
    ) -> Rule {
        self.then(MockReply::transport_error(kind, message))
    }

    /// The rule answers one request per reply (the default; one request when it has at most
    /// one reply).
    pub fn once(mut self) -> Rule {
        self.limit = Limit::Replies;
        self
    }

    /// The rule answers `n` requests; past the end of its replies the last one repeats.
    pub fn times(mut self, n: usize) -> Rule {
        self.limit = Limit::Times(n);
        self
    }

    /// The rule answers any number of requests; past the end of its replies the last one
    /// repeats.
    pub fn repeatedly(mut self) -> Rule {
        self.limit = Limit::Unlimited;
        self
    }

    /// Waits `delay` before answering (on the tokio timer), e.g. to trigger timeouts.
    pub fn delay(mut self, delay: Duration) -> Rule {
        self.delay = Some(delay);
        self
    }

    /// How many requests the rule answers; `None` for [`Rule::repeatedly`].
    pub fn limit(&self) -> Option<usize> {
        match self.limit {
            Limit::Replies => Some(self.replies.len().max(1)),
            Limit::Times(n) => Some(n),
            Limit::Unlimited => None,
        }
    }

    /// A one-line description: label, operation and input conditions.
    pub fn description(&self) -> String {
        let mut s = match &self.label {
            Some(l) => format!("{l:?}: "),
            None => String::new(),
        };
        s.push_str(self.operation.as_deref().unwrap_or("any operation"));
        for (i, m) in self.matchers.iter().enumerate() {
            s.push_str(if i == 0 { " where " } else { " and " });
            s.push_str(&m.description);
        }
        if let Some(why) = &self.invalid {
            s.push_str(" [invalid: ");
            s.push_str(why);
            s.push(']');
        }
        s
    }

    pub(super) fn matches_operation(&self, operation: &str) -> bool {
        self.operation.as_deref().is_none_or(|op| op == operation)
    }

    pub(super) fn matches_input(&self, input: &Document) -> bool {
        self.matchers.iter().all(|m| (m.predicate)(input))
    }

    /// `true` while the rule may answer another request after `uses` answers.
    pub(super) fn available(&self, uses: usize) -> bool {
        self.limit().is_none_or(|n| uses < n)
    }

    /// The reply for the answer number `use_index` (from 0); `None` means the default `200 {}`.
    pub(super) fn reply_for(&self, use_index: usize) -> Option<&Reply> {
        self.replies.get(use_index).or_else(|| self.replies.last())
    }
}

/// Shortens `s` to [`MAX_PATTERN_CHARS`] characters for messages.
pub(super) fn truncate(s: &str) -> String {
    match s.char_indices().nth(MAX_PATTERN_CHARS) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits() {
        assert_eq!(Rule::new("A").limit(), Some(1));
        assert_eq!(Rule::new("A").then_output_json("{}").limit(), Some(1));
        let two = Rule::new("A").then_output_json("{}").then_error("E", "m");
        assert_eq!(two.limit(), Some(2));
        assert_eq!(two.clone().times(5).limit(), Some(5));
        assert_eq!(two.clone().repeatedly().limit(), None);
        assert_eq!(two.repeatedly().once().limit(), Some(2));
    }

    #[test]
    fn replies_repeat_the_last() {
        let r = Rule::new("A")
            .then_output_json("1")
            .then_output_json("2")
            .times(4);
        let body = |i| match r.reply_for(i) {
            Some(Reply::Fixed(MockReply(ReplyKind::Response { response, .. }))) => {
                response.body.clone()
            }
            _ => panic!("unexpected reply"),
        };
        assert_eq!(body(0), "1");
        assert_eq!(body(1), "2");
        assert_eq!(body(3), "2");
        assert!(Rule::new("A").reply_for(0).is_none());
        assert!(r.available(3));
        assert!(!r.available(4));
    }

    #[test]
    fn descriptions() {
        let r = Rule::new("GetThing")
            .label("first")
            .input_contains_json(r#"{"Name": "a"}"#)
            .input_matches(|_| true);
        assert_eq!(
            r.description(),
            r#""first": GetThing where input contains {"Name":"a"} and input matches a predicate"#
        );
        let bad = Rule::any().input_contains_json("{nope");
        assert!(bad.invalid.is_some());
        assert!(bad
            .description()
            .starts_with("any operation [invalid: input pattern {nope"));
        let long = "x".repeat(500);
        assert_eq!(truncate(&long).chars().count(), MAX_PATTERN_CHARS + 3);
    }

    #[test]
    fn error_body_shape() {
        let MockReply(ReplyKind::Response { response, .. }) =
            MockReply::error_with_status(503, "ServiceUnavailable", "busy")
        else {
            panic!("expected a response");
        };
        assert_eq!(response.status, 503);
        let body = Document::parse(&response.body).unwrap();
        assert_eq!(
            body.get("__type").and_then(Document::as_str),
            Some("ServiceUnavailable")
        );
        assert_eq!(body.get("Message").and_then(Document::as_str), Some("busy"));
    }
}
