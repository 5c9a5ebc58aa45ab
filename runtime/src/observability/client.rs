//! The call instruments of one client, and what the pipeline and the protocols' response
//! functions record with them.

use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::conventions::{self as conv, attr};
use super::{Attribute, AttributeValue, Counter, Histogram, MeterProvider};
use crate::client::{Reply, ServiceInfo};
use crate::error::{Never, SdkError};

/// The instruments of one client, created once when the client is built with a provider.
#[derive(Debug)]
pub(crate) struct ClientMetrics {
    service: Arc<str>,
    call_duration: Arc<dyn Histogram>,
    attempts: Arc<dyn Counter>,
    errors: Arc<dyn Counter>,
    attempt_duration: Arc<dyn Histogram>,
    resolve_endpoint: Arc<dyn Histogram>,
    serialization: Arc<dyn Histogram>,
    deserialization: Arc<dyn Histogram>,
    resolve_identity: Arc<dyn Histogram>,
    signing: Arc<dyn Histogram>,
}

impl ClientMetrics {
    /// The instruments of `service`'s clients, in the meter of the generated crate's name.
    pub(crate) fn new(
        provider: &dyn MeterProvider,
        service: &'static ServiceInfo,
        rpc_service: Arc<str>,
    ) -> ClientMetrics {
        let scope = if service.crate_name.is_empty() {
            conv::HTTP_SCOPE
        } else {
            service.crate_name
        };
        let meter = provider.meter(scope);
        ClientMetrics {
            service: rpc_service,
            call_duration: meter.histogram(&conv::CALL_DURATION),
            attempts: meter.counter(&conv::CALL_ATTEMPTS),
            errors: meter.counter(&conv::CALL_ERRORS),
            attempt_duration: meter.histogram(&conv::ATTEMPT_DURATION),
            resolve_endpoint: meter.histogram(&conv::RESOLVE_ENDPOINT_DURATION),
            serialization: meter.histogram(&conv::SERIALIZATION_DURATION),
            deserialization: meter.histogram(&conv::DESERIALIZATION_DURATION),
            resolve_identity: meter.histogram(&conv::RESOLVE_IDENTITY_DURATION),
            signing: meter.histogram(&conv::SIGNING_DURATION),
        }
    }

    /// What one call of `method` records with.
    pub(crate) fn call<'a>(self: &'a Arc<Self>, method: &'static str) -> CallMetrics<'a> {
        CallMetrics {
            metrics: self,
            method,
        }
    }
}

/// The instruments and attributes of one call.
#[derive(Clone, Copy, Debug)]
pub(crate) struct CallMetrics<'a> {
    metrics: &'a Arc<ClientMetrics>,
    method: &'static str,
}

impl CallMetrics<'_> {
    fn attrs(&self) -> [Attribute<'_>; 2] {
        [
            (
                attr::RPC_SERVICE,
                AttributeValue::Str(&self.metrics.service),
            ),
            (attr::RPC_METHOD, AttributeValue::Str(self.method)),
        ]
    }

    fn with_scheme(&self, scheme: &'static str) -> [Attribute<'_>; 3] {
        let [s, m] = self.attrs();
        [s, m, (attr::AUTH_SCHEME_ID, AttributeValue::Str(scheme))]
    }

    pub(crate) fn call_duration(&self, d: Duration) {
        self.metrics
            .call_duration
            .record(d.as_secs_f64(), &self.attrs());
    }

    pub(crate) fn attempt(&self) {
        self.metrics.attempts.add(1, &self.attrs());
    }

    pub(crate) fn attempt_duration(&self, d: Duration) {
        self.metrics
            .attempt_duration
            .record(d.as_secs_f64(), &self.attrs());
    }

    pub(crate) fn resolve_endpoint(&self, d: Duration) {
        self.metrics
            .resolve_endpoint
            .record(d.as_secs_f64(), &self.attrs());
    }

    pub(crate) fn serialization(&self, d: Duration) {
        self.metrics
            .serialization
            .record(d.as_secs_f64(), &self.attrs());
    }

    pub(crate) fn resolve_identity(&self, d: Duration, scheme: &'static str) {
        self.metrics
            .resolve_identity
            .record(d.as_secs_f64(), &self.with_scheme(scheme));
    }

    pub(crate) fn signing(&self, d: Duration, scheme: &'static str) {
        self.metrics
            .signing
            .record(d.as_secs_f64(), &self.with_scheme(scheme));
    }

    pub(crate) fn error(&self, exception_type: &str) {
        let [s, m] = self.attrs();
        self.metrics.errors.add(
            1,
            &[
                s,
                m,
                (attr::EXCEPTION_TYPE, AttributeValue::Str(exception_type)),
            ],
        );
    }

    /// Leaves the call's instruments for the protocol's response function, which runs on this
    /// thread right after the call returns `reply` (see [`deserializing`]).
    pub(crate) fn hand_over(&self, reply: &Reply) {
        let pending = Pending {
            metrics: Arc::clone(self.metrics),
            method: self.method,
            key: ReplyKey::of(reply),
        };
        PENDING.with(|p| *p.borrow_mut() = Some(pending));
    }
}

/// The rpc.service of `service`: its sdkId without spaces (`SecretsManager`, `DynamoDB`), as
/// the AWS SDKs name services in traces, else the service shape's name.
pub(crate) fn rpc_service(service: &ServiceInfo) -> Arc<str> {
    let sdk_id = service.sdk_id.trim();
    if sdk_id.is_empty() {
        Arc::from(service.shape_name)
    } else {
        Arc::from(sdk_id.split_whitespace().collect::<String>())
    }
}

/// The `exception.type` / `error.type` of a call's result: the service's error code for an
/// error response (`UnknownError` without one), else the runtime's error type. `None` for a
/// success.
pub(crate) fn error_type<'a, T>(
    result: &'a Result<T, SdkError<Never>>,
    reply: Option<&'a Reply>,
) -> Option<&'a str> {
    match result {
        Ok(_) => reply
            .and_then(|r| r.error.as_ref())
            .map(|m| m.code.as_deref().unwrap_or("UnknownError")),
        Err(SdkError::Construction(_)) => Some("BuildError"),
        Err(SdkError::Timeout(_)) => Some("TimeoutError"),
        Err(SdkError::Dispatch(_)) => Some("DispatchError"),
        Err(SdkError::Response(_)) => Some("ResponseError"),
        Err(SdkError::Service(_)) => Some("ServiceError"),
    }
}

/// The host and port of an endpoint URL (`https://host:port/path`), without allocating.
pub(crate) fn host_port(url: &str) -> (&str, Option<u16>) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = authority.strip_prefix('[') {
        return match v6.split_once(']') {
            Some((host, tail)) => (host, tail.strip_prefix(':').and_then(|p| p.parse().ok())),
            None => (v6, None),
        };
    }
    match authority.rsplit_once(':') {
        Some((host, port)) => (host, port.parse().ok()),
        None => (authority, None),
    }
}

/// Identifies a reply across the move from the pipeline to the response function: the address
/// and length of its body (shared bytes, not moved) and its status.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct ReplyKey {
    body: usize,
    len: usize,
    status: u16,
}

impl ReplyKey {
    fn of(reply: &Reply) -> ReplyKey {
        ReplyKey {
            body: reply.response.body.as_ptr() as usize,
            len: reply.response.body.len(),
            status: reply.response.status,
        }
    }
}

struct Pending {
    metrics: Arc<ClientMetrics>,
    method: &'static str,
    key: ReplyKey,
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

/// Times the reading of `reply` into an output or error: created by each protocol's response
/// function before it reads, records `smithy.client.call.deserialization_duration` when
/// dropped. Records nothing unless the call that produced `reply` (on this thread, just
/// before) has metrics.
pub(crate) struct DeserializeTimer {
    started: Option<(Pending, Instant)>,
}

/// Starts timing the deserialization of `reply` (see [`DeserializeTimer`]).
pub(crate) fn deserializing(reply: &Reply) -> DeserializeTimer {
    if !super::any_provider() {
        return DeserializeTimer { started: None };
    }
    let pending = PENDING.with(|p| p.borrow_mut().take());
    let started = pending
        .filter(|p| p.key == ReplyKey::of(reply))
        .map(|p| (p, Instant::now()));
    DeserializeTimer { started }
}

impl Drop for DeserializeTimer {
    fn drop(&mut self) {
        if let Some((p, started)) = self.started.take() {
            let call = p.metrics.call(p.method);
            call.metrics
                .deserialization
                .record(started.elapsed().as_secs_f64(), &call.attrs());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_port_of_endpoints() {
        assert_eq!(
            host_port("https://secretsmanager.us-east-1.amazonaws.com"),
            ("secretsmanager.us-east-1.amazonaws.com", None)
        );
        assert_eq!(
            host_port("http://127.0.0.1:5000/"),
            ("127.0.0.1", Some(5000))
        );
        assert_eq!(host_port("http://[::1]:8080/x?y"), ("::1", Some(8080)));
        assert_eq!(
            host_port("https://u:p@h.example:443"),
            ("h.example", Some(443))
        );
        assert_eq!(
            host_port("bucket.s3.amazonaws.com/key"),
            ("bucket.s3.amazonaws.com", None)
        );
    }

    #[test]
    fn serialization_is_timed_only_with_a_provider() {
        use crate::client::{ClientHandle, OperationInfo};
        use crate::observability::testing::RecordingMeterProvider;
        static SERVICE: ServiceInfo = ServiceInfo {
            sdk_id: "Secrets Manager",
            signing_name: "secretsmanager",
            shape_name: "secretsmanager",
            protocol: &crate::protocol::aws_json::AWS_JSON_1_1,
            crate_name: "secretsmanager",
            crate_version: "0",
            endpoint_rules: "",
        };
        static OP: OperationInfo = OperationInfo {
            name: "GetSecretValue",
            retryable_errors: &[],
            throttling_errors: &[],
            sensitive_input: false,
            sensitive_output: false,
        };
        let recorder = RecordingMeterProvider::new();
        let config = crate::config::Config::builder()
            .meter_provider(Arc::new(recorder.clone()))
            .build();
        let handle = ClientHandle::new(&config, &SERVICE);
        assert_eq!(handle.serialize(&OP, || 7), 7);
        let m = recorder.measurements("smithy.client.call.serialization_duration");
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].scope, "secretsmanager");
        assert_eq!(m[0].spec.unit, "s");
        assert_eq!(m[0].attribute("rpc.service"), Some("SecretsManager"));
        assert_eq!(m[0].attribute("rpc.method"), Some("GetSecretValue"));

        let plain = ClientHandle::new(&crate::config::Config::builder().build(), &SERVICE);
        assert_eq!(plain.serialize(&OP, || 8), 8);
        assert_eq!(
            recorder.all().len(),
            1,
            "a client without a provider records nothing"
        );
    }

    #[test]
    fn rpc_service_names() {
        let info = |sdk_id, shape_name| ServiceInfo {
            sdk_id,
            signing_name: "",
            shape_name,
            protocol: &crate::protocol::aws_json::AWS_JSON_1_1,
            crate_name: "x",
            crate_version: "0",
            endpoint_rules: "",
        };
        let sm = Box::leak(Box::new(info("Secrets Manager", "secretsmanager")));
        assert_eq!(&*rpc_service(sm), "SecretsManager");
        let ddb = Box::leak(Box::new(info("DynamoDB", "DynamoDB_20120810")));
        assert_eq!(&*rpc_service(ddb), "DynamoDB");
        let garden = Box::leak(Box::new(info("", "Garden")));
        assert_eq!(&*rpc_service(garden), "Garden");
    }
}
