//! Typed mock rules: answer a generated client's calls with outputs and errors built from the
//! operation's own types, matched on its typed input, without any wire format.
//!
//! With a generated client (here `secretsmanager`, whose crate re-exports all of this as
//! `secretsmanager::test_util`), a user test reads:
//!
//! ```text
//! use secretsmanager::operation::get_secret_value::{GetSecretValueError, GetSecretValueOutput};
//! use secretsmanager::test_util::{mock, mock_client};
//! use secretsmanager::types::error::ResourceNotFoundException;
//!
//! let found = mock!(secretsmanager::Client::get_secret_value)
//!     .match_requests(|input| input.secret_id() == "prod/db")
//!     .then_output(|| GetSecretValueOutput::builder().secret_string("hunter2").build());
//! let missing = mock!(secretsmanager::Client::get_secret_value).then_error(|| {
//!     GetSecretValueError::ResourceNotFoundException(
//!         ResourceNotFoundException::builder().message("no such secret").build(),
//!     )
//! });
//! let client = mock_client!(secretsmanager, [&found, &missing]);
//! // ... run the code under test with `client` ...
//! assert_eq!(found.num_calls(), 1);
//! assert_eq!(found.requests()[0].secret_id(), "prod/db");
//! ```
//!
//! The same against the runtime alone, with by hand what the generator emits for an operation:
//!
//! ```
//! use std::ops::ControlFlow;
//! use awsrt::client::{ClientHandle, ServiceInfo};
//! use awsrt::error::Unhandled;
//! use awsrt::test_util::{answer_from_mocks, mock, mock_config, MockOperation, MockRules, RuleMode};
//!
//! // The generated client, its method and the fluent builder the method returns ...
//! struct Client;
//! struct GetThingFluentBuilder;
//! impl Client {
//!     fn get_thing(&self) -> GetThingFluentBuilder { GetThingFluentBuilder }
//! }
//! #[derive(Clone, Debug)]
//! struct GetThingInput { name: String }
//! // ... which names the operation's types for the mocks.
//! impl MockOperation for GetThingFluentBuilder {
//!     const NAME: &'static str = "GetThing";
//!     type Input = GetThingInput;
//!     type Output = String;
//!     type Error = Unhandled;
//! }
//! static SERVICE: ServiceInfo = ServiceInfo {
//!     sdk_id: "Example",
//!     signing_name: "example",
//!     shape_name: "Example",
//!     protocol: &awsrt::protocol::aws_json::AWS_JSON_1_1,
//!     crate_name: "example",
//!     crate_version: "0.1.0",
//!     endpoint_rules: "",
//! };
//!
//! let rule = mock!(Client::get_thing)
//!     .match_requests(|input| input.name == "a")
//!     .then_output(|| "found a".to_string());
//! let config = mock_config(MockRules::new(RuleMode::Sequential).with_rule(&rule)).build();
//! let handle = ClientHandle::new(&config, &SERVICE);
//!
//! // What the generated `send` does first:
//! let answer = answer_from_mocks::<GetThingFluentBuilder>(&handle, GetThingInput { name: "a".into() });
//! assert!(matches!(answer, ControlFlow::Break(Ok(ref out)) if out == "found a"));
//! assert_eq!(rule.num_calls(), 1);
//! assert_eq!(rule.requests()[0].name, "a");
//! ```
//!
//! A misspelt operation does not compile:
//!
//! ```compile_fail
//! # use awsrt::error::Unhandled;
//! # use awsrt::test_util::{mock, MockOperation};
//! # struct Client;
//! # struct GetThingFluentBuilder;
//! # impl Client { fn get_thing(&self) -> GetThingFluentBuilder { GetThingFluentBuilder } }
//! # #[derive(Clone, Debug)] struct GetThingInput;
//! # impl MockOperation for GetThingFluentBuilder {
//! #     const NAME: &'static str = "GetThing";
//! #     type Input = GetThingInput;
//! #     type Output = String;
//! #     type Error = Unhandled;
//! # }
//! let rule = mock!(Client::get_thingg).then_output(|| "x".to_string());
//! ```
//!
//! How it works: [`mock!`](crate::mock) names the operation through its client method, so a
//! typo is a compile error; the method's fluent builder type implements [`MockOperation`]
//! (emitted by the generator under the generated crate's `test-util` feature), which gives
//! the input, output and error types. [`mock_client!`](crate::mock_client) builds a client
//! whose configuration carries the rules ([`ConfigBuilder::mock_rules`]); every call of that
//! client is answered by them before anything is serialized, signed or sent. So interceptors,
//! retries and the transport do not run for these calls: to test those, use the wire-level
//! [`MockTransport`](super::MockTransport), which answers with HTTP responses.
//!
//! Rules answer one call per response by default ([`MockRule::times`] and
//! [`MockRule::repeatedly`] change that; past the last response the last one repeats). With
//! [`RuleMode::Sequential`] (the default of `mock_client!`) the rules must be used in the order
//! given, each until it is used up; with [`RuleMode::MatchAny`] each call takes the first rule
//! (in the order given) for its operation whose conditions hold and that is not used up. A
//! call no rule answers fails with [`SdkError::Dispatch`] whose message starts with
//! `no mock rule matched <Operation>` and lists the rules.

use std::any::{Any, TypeId};
use std::fmt;
use std::marker::PhantomData;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex, MutexGuard};

use crate::client::ClientHandle;
use crate::config::{Config, ConfigBuilder};
use crate::error::{DispatchError, ProvideErrorMetadata, SdkError};
use crate::http::{TransportError, TransportErrorKind};

use super::rule::truncate;

/// An operation of a generated client, seen by the typed mocks. Implemented by the generator
/// for each operation's fluent builder (the type its client method returns), under the
/// generated crate's `test-util` feature; not meant to be implemented by hand.
pub trait MockOperation: 'static {
    /// The operation name, e.g. `GetSecretValue`.
    const NAME: &'static str;
    /// The operation's input structure.
    type Input: Clone + fmt::Debug + Send + Sync + 'static;
    /// The operation's output structure.
    type Output: 'static;
    /// The operation's error enum.
    type Error: ProvideErrorMetadata + 'static;
}

/// What a [`MockRule`] answers one call with.
pub enum MockResponse<O, E> {
    /// The operation succeeds with this output.
    Output(O),
    /// The service answers with this modeled (or `Unhandled`) error: the call returns
    /// [`SdkError::Service`] with the error's own metadata (a modeled error built with its
    /// builder has its code, message and HTTP status).
    Error(E),
    /// The call fails this way (a timeout, a dispatch failure, ...).
    SdkError(SdkError<E>),
}

impl<O, E> fmt::Debug for MockResponse<O, E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MockResponse::Output(_) => "MockResponse::Output(..)",
            MockResponse::Error(_) => "MockResponse::Error(..)",
            MockResponse::SdkError(_) => "MockResponse::SdkError(..)",
        })
    }
}

/// How the rules given to [`mock_client!`](crate::mock_client) are picked.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RuleMode {
    /// The rules are used in the order given, each until it is used up; a call that is not
    /// for the current rule's operation, or that its conditions reject, fails.
    #[default]
    Sequential,
    /// Each call takes the first rule for its operation whose conditions hold and that is not
    /// used up.
    MatchAny,
}

type Matcher<I> = Arc<dyn Fn(&I) -> bool + Send + Sync>;
type Responder<O> = Arc<
    dyn Fn(
            &<O as MockOperation>::Input,
        ) -> MockResponse<<O as MockOperation>::Output, <O as MockOperation>::Error>
        + Send
        + Sync,
>;

/// A rule being written: its conditions on the input. [`mock!`](crate::mock) makes one; a
/// `then_...` method turns it into a [`MockRule`].
pub struct MockRuleBuilder<O: MockOperation> {
    matchers: Vec<Matcher<O::Input>>,
    label: Option<String>,
    op: PhantomData<fn() -> O>,
}

impl<O: MockOperation> Default for MockRuleBuilder<O> {
    fn default() -> Self {
        MockRuleBuilder {
            matchers: Vec::new(),
            label: None,
            op: PhantomData,
        }
    }
}

impl<O: MockOperation> fmt::Debug for MockRuleBuilder<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockRuleBuilder")
            .field("operation", &O::NAME)
            .field("conditions", &self.matchers.len())
            .finish()
    }
}

impl<O: MockOperation> MockRuleBuilder<O> {
    /// A rule for the operation whose client method is `method` (what
    /// [`mock!`](crate::mock) calls): `MockRuleBuilder::for_method(Client::get_secret_value)`.
    pub fn for_method<C, F>(method: F) -> Self
    where
        F: Fn(&C) -> O,
    {
        let _ = method;
        MockRuleBuilder::default()
    }

    /// Adds a condition on the input; all conditions must hold.
    pub fn match_requests(
        mut self,
        matcher: impl Fn(&O::Input) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.matchers.push(Arc::new(matcher));
        self
    }

    /// Names the rule in messages (unmatched calls, [`MockRule::description`]).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Answers with the output `output` makes (called once per answer).
    pub fn then_output(
        self,
        output: impl Fn() -> O::Output + Send + Sync + 'static,
    ) -> MockRule<O> {
        self.into_rule().then_output(output)
    }

    /// Answers with the service error `error` makes.
    pub fn then_error(self, error: impl Fn() -> O::Error + Send + Sync + 'static) -> MockRule<O> {
        self.into_rule().then_error(error)
    }

    /// Fails the call with the [`SdkError`] `error` makes (a timeout, a dispatch failure, ...).
    pub fn then_sdk_error(
        self,
        error: impl Fn() -> SdkError<O::Error> + Send + Sync + 'static,
    ) -> MockRule<O> {
        self.into_rule().then_sdk_error(error)
    }

    /// Answers with what `respond` computes from the input.
    pub fn then_compute(
        self,
        respond: impl Fn(&O::Input) -> MockResponse<O::Output, O::Error> + Send + Sync + 'static,
    ) -> MockRule<O> {
        self.into_rule().then_compute(respond)
    }

    fn into_rule(self) -> MockRule<O> {
        MockRule {
            matchers: self.matchers,
            responses: Vec::new(),
            limit: Limit::Responses,
            label: self.label,
            calls: Arc::new(Mutex::new(Vec::new())),
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Limit {
    Responses,
    Times(usize),
    Unlimited,
}

/// A typed mock rule: conditions on the input of one operation and the answers to give.
///
/// Clones share the record of calls, so keep one to look at after the code under test ran
/// ([`num_calls`](Self::num_calls), [`requests`](Self::requests)).
pub struct MockRule<O: MockOperation> {
    matchers: Vec<Matcher<O::Input>>,
    responses: Vec<Responder<O>>,
    limit: Limit,
    label: Option<String>,
    /// The input of every call the rule answered.
    calls: Arc<Mutex<Vec<O::Input>>>,
}

impl<O: MockOperation> Clone for MockRule<O> {
    fn clone(&self) -> Self {
        MockRule {
            matchers: self.matchers.clone(),
            responses: self.responses.clone(),
            limit: self.limit,
            label: self.label.clone(),
            calls: Arc::clone(&self.calls),
        }
    }
}

impl<O: MockOperation> fmt::Debug for MockRule<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockRule")
            .field("description", &self.description())
            .field("responses", &self.responses.len())
            .finish()
    }
}

impl<O: MockOperation> MockRule<O> {
    /// Appends an answer: the output `output` makes.
    pub fn then_output(self, output: impl Fn() -> O::Output + Send + Sync + 'static) -> Self {
        self.then_compute(move |_| MockResponse::Output(output()))
    }

    /// Appends an answer: the service error `error` makes.
    pub fn then_error(self, error: impl Fn() -> O::Error + Send + Sync + 'static) -> Self {
        self.then_compute(move |_| MockResponse::Error(error()))
    }

    /// Appends an answer: the [`SdkError`] `error` makes.
    pub fn then_sdk_error(
        self,
        error: impl Fn() -> SdkError<O::Error> + Send + Sync + 'static,
    ) -> Self {
        self.then_compute(move |_| MockResponse::SdkError(error()))
    }

    /// Appends an answer computed from the input.
    pub fn then_compute(
        mut self,
        respond: impl Fn(&O::Input) -> MockResponse<O::Output, O::Error> + Send + Sync + 'static,
    ) -> Self {
        self.responses.push(Arc::new(respond));
        self
    }

    /// Names the rule in messages (unmatched calls, [`description`](Self::description)).
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// The rule answers one call per answer (the default).
    pub fn once(mut self) -> Self {
        self.limit = Limit::Responses;
        self
    }

    /// The rule answers `n` calls; past its last answer the last one repeats.
    pub fn times(mut self, n: usize) -> Self {
        self.limit = Limit::Times(n);
        self
    }

    /// The rule answers any number of calls; past its last answer the last one repeats.
    pub fn repeatedly(mut self) -> Self {
        self.limit = Limit::Unlimited;
        self
    }

    /// How many calls the rule has answered.
    pub fn num_calls(&self) -> usize {
        self.lock_calls().len()
    }

    /// The input of every call the rule answered, in order.
    pub fn requests(&self) -> Vec<O::Input> {
        self.lock_calls().clone()
    }

    /// The input of the last call the rule answered.
    pub fn last_request(&self) -> Option<O::Input> {
        self.lock_calls().last().cloned()
    }

    /// How many calls the rule answers; `None` after [`repeatedly`](Self::repeatedly).
    pub fn limit(&self) -> Option<usize> {
        match self.limit {
            Limit::Responses => Some(self.responses.len().max(1)),
            Limit::Times(n) => Some(n),
            Limit::Unlimited => None,
        }
    }

    /// `true` when the rule answers no more calls.
    pub fn is_exhausted(&self) -> bool {
        self.limit().is_some_and(|n| self.num_calls() >= n)
    }

    /// One line: label, operation, conditions and use.
    pub fn description(&self) -> String {
        let mut s = match &self.label {
            Some(l) => format!("{l:?}: "),
            None => String::new(),
        };
        s.push_str(O::NAME);
        match self.matchers.len() {
            0 => {}
            1 => s.push_str(" where the input matches a condition"),
            n => s.push_str(&format!(" where the input matches {n} conditions")),
        }
        let limit = match self.limit() {
            Some(n) => n.to_string(),
            None => "unlimited".to_string(),
        };
        s.push_str(&format!(" (used {} of {limit})", self.num_calls()));
        s
    }

    fn lock_calls(&self) -> MutexGuard<'_, Vec<O::Input>> {
        // A panicking matcher or response must not make later assertions panic too.
        self.calls.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn matches(&self, input: &O::Input) -> bool {
        self.matchers.iter().all(|m| m(input))
    }

    /// Records the call; the answer to give (`None` for a rule without answers).
    fn take(&self, input: &O::Input) -> Option<Responder<O>> {
        let mut calls = self.lock_calls();
        let index = calls.len();
        calls.push(input.clone());
        drop(calls);
        self.responses
            .get(index)
            .or_else(|| self.responses.last())
            .cloned()
    }
}

/// A [`MockRule`] of any operation, as [`MockRules`] holds it.
pub trait AnyMockRule: Send + Sync {
    /// The [`MockOperation`] type of the rule.
    fn operation(&self) -> TypeId;
    /// The operation name.
    fn operation_name(&self) -> &'static str;
    /// [`MockRule::description`].
    fn description(&self) -> String;
    /// [`MockRule::is_exhausted`].
    fn is_exhausted(&self) -> bool;
    /// The rule itself, to be downcast to its [`MockRule`] type.
    fn as_any(&self) -> &dyn Any;
}

impl<O: MockOperation> AnyMockRule for MockRule<O> {
    fn operation(&self) -> TypeId {
        TypeId::of::<O>()
    }
    fn operation_name(&self) -> &'static str {
        O::NAME
    }
    fn description(&self) -> String {
        MockRule::description(self)
    }
    fn is_exhausted(&self) -> bool {
        MockRule::is_exhausted(self)
    }
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A [`MockRule`] or a reference to one, as [`mock_client!`](crate::mock_client) takes them.
pub trait IntoMockRule {
    /// The rule, sharing its record of calls with `self`.
    fn into_mock_rule(self) -> Arc<dyn AnyMockRule>;
}

impl<O: MockOperation> IntoMockRule for MockRule<O> {
    fn into_mock_rule(self) -> Arc<dyn AnyMockRule> {
        Arc::new(self)
    }
}

impl<O: MockOperation> IntoMockRule for &MockRule<O> {
    fn into_mock_rule(self) -> Arc<dyn AnyMockRule> {
        Arc::new(self.clone())
    }
}

/// The rules a configuration answers calls with ([`ConfigBuilder::mock_rules`]).
pub struct MockRules {
    mode: RuleMode,
    rules: Vec<Arc<dyn AnyMockRule>>,
    /// Serializes picking a rule and recording the call.
    pick: Mutex<()>,
}

impl fmt::Debug for MockRules {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockRules")
            .field("mode", &self.mode)
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl MockRules {
    /// No rules yet, picked as `mode` says.
    pub fn new(mode: RuleMode) -> MockRules {
        MockRules {
            mode,
            rules: Vec::new(),
            pick: Mutex::new(()),
        }
    }

    /// Adds a rule after the others (builder style).
    pub fn with_rule(mut self, rule: impl IntoMockRule) -> MockRules {
        self.rules.push(rule.into_mock_rule());
        self
    }

    /// The answer to one call of `O` with `input`.
    fn answer<O: MockOperation>(&self, input: &O::Input) -> MockResult<O> {
        let guard = self.pick.lock().unwrap_or_else(|e| e.into_inner());
        let picked = match self.mode {
            RuleMode::MatchAny => self.rules.iter().find_map(|r| {
                let rule = typed::<O>(r)?;
                (!rule.is_exhausted() && rule.matches(input)).then_some(rule)
            }),
            RuleMode::Sequential => {
                let Some((index, next)) = self
                    .rules
                    .iter()
                    .enumerate()
                    .find(|(_, r)| !r.is_exhausted())
                else {
                    return Err(unmatched::<O>(input, "every mock rule is used up".into()));
                };
                match typed::<O>(next) {
                    Some(rule) if rule.matches(input) => Some(rule),
                    Some(_) => {
                        return Err(unmatched::<O>(
                            input,
                            format!(
                                "the next rule (RuleMode::Sequential) is #{index} {}, whose conditions reject it",
                                next.description()
                            ),
                        ))
                    }
                    None => {
                        return Err(unmatched::<O>(
                            input,
                            format!(
                                "the next rule (RuleMode::Sequential) is #{index} {}",
                                next.description()
                            ),
                        ))
                    }
                }
            }
        };
        let Some(rule) = picked else {
            return Err(unmatched::<O>(input, self.list()));
        };
        let respond = rule.take(input);
        drop(guard);
        let response = match respond {
            Some(respond) => respond(input),
            None => {
                return Err(unmatched::<O>(
                    input,
                    format!("the rule {} has no answer", rule.description()),
                ))
            }
        };
        match response {
            MockResponse::Output(out) => Ok(out),
            MockResponse::Error(err) => {
                let meta = err.meta().clone();
                Err(SdkError::service(err, meta))
            }
            MockResponse::SdkError(err) => Err(err),
        }
    }

    /// `rules: #0 ...; #1 ...`, or that there are none.
    fn list(&self) -> String {
        if self.rules.is_empty() {
            return "there are no mock rules".to_string();
        }
        let listed: Vec<String> = self
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| format!("#{i} {}", r.description()))
            .collect();
        format!("rules: {}", listed.join("; "))
    }
}

/// The rule as a [`MockRule<O>`], when it is a rule of `O`.
fn typed<O: MockOperation>(rule: &Arc<dyn AnyMockRule>) -> Option<&MockRule<O>> {
    if rule.operation() != TypeId::of::<O>() {
        return None;
    }
    rule.as_any().downcast_ref::<MockRule<O>>()
}

/// The failure of a call no rule answers.
fn unmatched<O: MockOperation>(input: &O::Input, why: String) -> SdkError<O::Error> {
    let input = truncate(&format!("{input:?}"));
    let message = format!("no mock rule matched {} (input: {input}); {why}", O::NAME);
    SdkError::Dispatch(DispatchError::new(TransportError::new(
        TransportErrorKind::Other,
        message,
    )))
}

/// What a call of `O` returns.
pub type MockResult<O> =
    Result<<O as MockOperation>::Output, SdkError<<O as MockOperation>::Error>>;

/// Where a generated operation asks the typed mocks for an answer (its `send` calls this
/// first under the `test-util` feature): [`ControlFlow::Break`] with the answer when the
/// client's configuration has [`MockRules`], else [`ControlFlow::Continue`] with the input.
pub fn answer_from_mocks<O: MockOperation>(
    handle: &ClientHandle,
    input: O::Input,
) -> ControlFlow<MockResult<O>, O::Input> {
    match handle.config().mock_rules() {
        Some(rules) => ControlFlow::Break(rules.answer::<O>(&input)),
        None => ControlFlow::Continue(input),
    }
}

impl ConfigBuilder {
    /// Answers every call of clients built from this configuration with `rules` (typed mock
    /// rules, feature `test-util`) instead of sending it.
    pub fn mock_rules(mut self, rules: MockRules) -> Self {
        self.mock_rules = Some(Arc::new(rules));
        self
    }
}

/// The configuration [`mock_client!`](crate::mock_client) builds: that of
/// [`test_config`](super::test_config) (region, credentials and endpoint for tests, retries
/// off, a [`MockTransport`](super::MockTransport) without rules) answering with `rules`.
pub fn mock_config(rules: MockRules) -> ConfigBuilder {
    super::test_config(&super::MockTransport::new())
        .to_builder()
        .mock_rules(rules)
}

/// Builds a [`Config`] from [`mock_config`] and `tweak` (what `mock_client!`'s optional last
/// argument is given).
pub fn mock_config_with(
    rules: MockRules,
    tweak: impl FnOnce(ConfigBuilder) -> ConfigBuilder,
) -> Config {
    tweak(mock_config(rules)).build()
}

/// A rule for a client operation: `mock!(secretsmanager::Client::get_secret_value)` gives a
/// [`MockRuleBuilder`] for `GetSecretValue`; a misspelt method does not compile. Then add
/// conditions with `match_requests` and an answer with `then_output`, `then_error`,
/// `then_sdk_error` or `then_compute`. See [`test_util::typed`](crate::test_util::typed).
#[macro_export]
macro_rules! mock {
    ($($method:tt)+) => {
        $crate::test_util::MockRuleBuilder::for_method($($method)+)
    };
}

/// A client of the generated crate `$krate` whose calls are answered by typed mock rules:
/// `mock_client!(secretsmanager, [&rule1, &rule2])` ([`RuleMode::Sequential`]),
/// `mock_client!(secretsmanager, RuleMode::MatchAny, [&rule1, &rule2])`, and with a last
/// argument that adjusts the configuration,
/// `mock_client!(secretsmanager, RuleMode::MatchAny, [&rule], |config| config.region("eu-west-1"))`.
/// The configuration starts from [`test_config`](crate::test_util::test_config).
#[macro_export]
macro_rules! mock_client {
    ($krate:ident, [$($rule:expr),* $(,)?]) => {
        $crate::mock_client!($krate, $crate::test_util::RuleMode::Sequential, [$($rule),*])
    };
    ($krate:ident, $mode:expr, [$($rule:expr),* $(,)?]) => {
        $crate::mock_client!($krate, $mode, [$($rule),*], |config| config)
    };
    ($krate:ident, $mode:expr, [$($rule:expr),* $(,)?], $tweak:expr) => {
        $krate::Client::new(&$crate::test_util::mock_config_with(
            $crate::test_util::MockRules::new($mode)$(.with_rule($rule))*,
            $tweak,
        ))
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ErrorMetadata, TimeoutError, TimeoutKind, Unhandled};

    /// A stand-in for a generated operation.
    struct GetThing;

    #[derive(Clone, Debug, PartialEq)]
    struct Input(&'static str);

    impl MockOperation for GetThing {
        const NAME: &'static str = "GetThing";
        type Input = Input;
        type Output = String;
        type Error = Unhandled;
    }

    struct PutThing;

    impl MockOperation for PutThing {
        const NAME: &'static str = "PutThing";
        type Input = Input;
        type Output = ();
        type Error = Unhandled;
    }

    fn rules(mode: RuleMode, rules: Vec<Arc<dyn AnyMockRule>>) -> MockRules {
        let mut r = MockRules::new(mode);
        r.rules = rules;
        r
    }

    #[test]
    fn match_any_picks_the_first_matching_rule() {
        let a = MockRuleBuilder::<GetThing>::default()
            .match_requests(|i| i.0 == "a")
            .then_output(|| "A".to_string());
        let any = MockRuleBuilder::<GetThing>::default()
            .then_output(|| "any".to_string())
            .repeatedly();
        let put = MockRuleBuilder::<PutThing>::default().then_output(|| ());
        let m = rules(
            RuleMode::MatchAny,
            vec![
                put.clone().into_mock_rule(),
                (&a).into_mock_rule(),
                (&any).into_mock_rule(),
            ],
        );
        assert_eq!(m.answer::<GetThing>(&Input("b")).unwrap(), "any");
        assert_eq!(m.answer::<GetThing>(&Input("a")).unwrap(), "A");
        // `a` is used up: the catch-all answers.
        assert_eq!(m.answer::<GetThing>(&Input("a")).unwrap(), "any");
        assert_eq!(a.requests(), vec![Input("a")]);
        assert_eq!(any.num_calls(), 2);
        assert!(a.is_exhausted());
        assert!(!any.is_exhausted());
        m.answer::<PutThing>(&Input("p")).unwrap();
        let err = m.answer::<PutThing>(&Input("q")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("dispatch failure: no mock rule matched PutThing (input: Input(\"q\")); rules: #0 PutThing (used 1 of 1)"),
            "{err}"
        );
    }

    #[test]
    fn sequential_follows_the_order() {
        let first = MockRuleBuilder::<GetThing>::default()
            .then_output(|| "1".to_string())
            .then_output(|| "2".to_string());
        let second = MockRuleBuilder::<PutThing>::default().then_output(|| ());
        let m = rules(
            RuleMode::Sequential,
            vec![(&first).into_mock_rule(), (&second).into_mock_rule()],
        );
        let err = m.answer::<PutThing>(&Input("x")).unwrap_err();
        assert!(
            err.to_string()
                .contains("the next rule (RuleMode::Sequential) is #0 GetThing (used 0 of 2)"),
            "{err}"
        );
        assert_eq!(m.answer::<GetThing>(&Input("x")).unwrap(), "1");
        assert_eq!(m.answer::<GetThing>(&Input("y")).unwrap(), "2");
        m.answer::<PutThing>(&Input("z")).unwrap();
        let err = m.answer::<GetThing>(&Input("w")).unwrap_err();
        assert!(
            err.to_string().contains("every mock rule is used up"),
            "{err}"
        );
    }

    #[test]
    fn errors_and_times() {
        let meta = ErrorMetadata::modeled("Gone", Some("no such thing".into()), 404);
        let m2 = meta.clone();
        let rule = MockRuleBuilder::<GetThing>::default()
            .label("gone")
            .then_error(move || Unhandled::new(m2.clone()))
            .then_sdk_error(|| SdkError::Timeout(TimeoutError::new(TimeoutKind::Operation, None)))
            .times(3);
        assert_eq!(rule.description(), "\"gone\": GetThing (used 0 of 3)");
        let m = rules(RuleMode::MatchAny, vec![(&rule).into_mock_rule()]);
        let err = m.answer::<GetThing>(&Input("a")).unwrap_err();
        assert_eq!(err.code(), Some("Gone"));
        assert_eq!(err.status(), Some(404));
        assert!(m.answer::<GetThing>(&Input("a")).unwrap_err().is_timeout());
        assert!(m.answer::<GetThing>(&Input("a")).unwrap_err().is_timeout());
        assert!(rule.is_exhausted());
        assert_eq!(rule.last_request(), Some(Input("a")));
    }

    #[test]
    fn computed_answers_see_the_input() {
        let rule = MockRuleBuilder::<GetThing>::default()
            .then_compute(|i| MockResponse::Output(format!("echo {}", i.0)))
            .repeatedly();
        let m = rules(RuleMode::MatchAny, vec![rule.into_mock_rule()]);
        assert_eq!(m.answer::<GetThing>(&Input("hi")).unwrap(), "echo hi");
    }
}
