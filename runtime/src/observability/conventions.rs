//! The names, units and attributes the runtime records under, and where each comes from.
//!
//! Instruments: Smithy's client observability conventions, as the official SDKs built on Smithy
//! record them (the metrics table of the AWS SDK for Kotlin's developer guide, "Observability →
//! Metrics", and the `HttpClientMetrics` / `OperationMetrics` of smithy-kotlin; the AWS SDKs for
//! Go, Java 2.x (smithy-java) and .NET (as `client.*`) use the same names and units). Span
//! attributes: OpenTelemetry's semantic conventions for AWS SDK client spans
//! (`rpc.system = "aws-api"`, span name `Service.Operation`, `aws.request_id`) and for RPC and
//! HTTP clients (`server.address`, `http.response.status_code`, `error.type`,
//! `http.request.resend_count`), plus `cloud.region` of the cloud resource conventions.
//!
//! | instrument | kind | unit | attributes | measured here |
//! |---|---|---|---|---|
//! | `smithy.client.call.duration` | histogram | `s` | `rpc.service`, `rpc.method` | the whole call in the pipeline: endpoint, identity, signing, every attempt and backoff (not the generated code's serialization and deserialization) |
//! | `smithy.client.call.attempts` | counter | `{attempt}` | `rpc.service`, `rpc.method` | +1 per attempt sent (a throttled attempt is one) |
//! | `smithy.client.call.errors` | counter | `{error}` | `rpc.service`, `rpc.method`, `exception.type` | +1 per call that fails; `exception.type` is the service's error code, or the runtime's error type (`TimeoutError`, `DispatchError`, `BuildError`, `ResponseError`) |
//! | `smithy.client.call.attempt_duration` | histogram | `s` | `rpc.service`, `rpc.method` | one attempt's exchange: connection (pooled or new), request, response |
//! | `smithy.client.call.resolve_endpoint_duration` | histogram | `s` | `rpc.service`, `rpc.method` | endpoint resolution (rules engine, or the cached endpoint) |
//! | `smithy.client.call.serialization_duration` | histogram | `s` | `rpc.service`, `rpc.method` | around the request serializer, when generated code calls it through `ClientHandle::serialize` (the generator does not emit that call yet, so nothing is recorded today) |
//! | `smithy.client.call.deserialization_duration` | histogram | `s` | `rpc.service`, `rpc.method` | reading the reply into the output or error (the protocol's response function) |
//! | `smithy.client.call.auth.resolve_identity_duration` | histogram | `s` | `rpc.service`, `rpc.method`, `auth.scheme_id` | getting credentials or the bearer token, per attempt |
//! | `smithy.client.call.auth.signing_duration` | histogram | `s` | `rpc.service`, `rpc.method`, `auth.scheme_id` | SigV4 signing, per attempt |
//! | `smithy.client.http.connections.acquire_duration` | histogram | `s` | | taking a pooled connection or opening one (TCP, proxy, TLS) |
//! | `smithy.client.http.connections.usage` | observable up-down counter | `{connection}` | `state` = `idle` / `acquired` | the pool's open connections |
//! | `smithy.client.http.connections.uptime` | histogram | `s` | | how long a connection was open, recorded when it closes |
//! | `smithy.client.http.bytes_sent` | counter | `By` | `server.address` | request body bytes |
//! | `smithy.client.http.bytes_received` | counter | `By` | `server.address` | response body bytes |
//!
//! Not recorded, because the transport has nothing to report: `smithy.client.http.connections.limit`
//! and `smithy.client.http.requests.{limit,usage,queued_duration}` (the pool has no connection
//! limit and no request queue).

use super::{InstrumentKind, InstrumentSpec};

const fn spec(
    name: &'static str,
    unit: &'static str,
    description: &'static str,
    kind: InstrumentKind,
) -> InstrumentSpec {
    InstrumentSpec {
        name,
        unit,
        description,
        kind,
    }
}

use InstrumentKind::{Counter, Histogram, ObservableUpDownCounter};

/// Overall call duration, including retries.
pub static CALL_DURATION: InstrumentSpec = spec(
    "smithy.client.call.duration",
    "s",
    "Overall call duration (including retries)",
    Histogram,
);
/// Attempts of a call.
pub static CALL_ATTEMPTS: InstrumentSpec = spec(
    "smithy.client.call.attempts",
    "{attempt}",
    "The number of attempts for an individual operation",
    Counter,
);
/// Failed calls.
pub static CALL_ERRORS: InstrumentSpec = spec(
    "smithy.client.call.errors",
    "{error}",
    "The number of errors for an operation",
    Counter,
);
/// One attempt.
pub static ATTEMPT_DURATION: InstrumentSpec = spec(
    "smithy.client.call.attempt_duration",
    "s",
    "The time it takes to connect to the service, send the request, and get back the response",
    Histogram,
);
/// Endpoint resolution.
pub static RESOLVE_ENDPOINT_DURATION: InstrumentSpec = spec(
    "smithy.client.call.resolve_endpoint_duration",
    "s",
    "The time it takes to resolve an endpoint (endpoint resolver, not DNS) for the request",
    Histogram,
);
/// Request serialization.
pub static SERIALIZATION_DURATION: InstrumentSpec = spec(
    "smithy.client.call.serialization_duration",
    "s",
    "The time it takes to serialize a message body",
    Histogram,
);
/// Response deserialization.
pub static DESERIALIZATION_DURATION: InstrumentSpec = spec(
    "smithy.client.call.deserialization_duration",
    "s",
    "The time it takes to deserialize a message body",
    Histogram,
);
/// Identity (credentials, token) resolution.
pub static RESOLVE_IDENTITY_DURATION: InstrumentSpec = spec(
    "smithy.client.call.auth.resolve_identity_duration",
    "s",
    "The time it takes to acquire an identity (AWS credentials, bearer token) from an identity provider",
    Histogram,
);
/// Request signing.
pub static SIGNING_DURATION: InstrumentSpec = spec(
    "smithy.client.call.auth.signing_duration",
    "s",
    "The time it takes to sign a request",
    Histogram,
);
/// Taking a connection from the pool, or opening one.
pub static CONNECTION_ACQUIRE_DURATION: InstrumentSpec = spec(
    "smithy.client.http.connections.acquire_duration",
    "s",
    "The time it takes a request to acquire a connection",
    Histogram,
);
/// Open connections by state.
pub static CONNECTION_USAGE: InstrumentSpec = spec(
    "smithy.client.http.connections.usage",
    "{connection}",
    "Current state of connections (idle, acquired)",
    ObservableUpDownCounter,
);
/// Lifetime of a connection.
pub static CONNECTION_UPTIME: InstrumentSpec = spec(
    "smithy.client.http.connections.uptime",
    "s",
    "The amount of time a connection has been open",
    Histogram,
);
/// Bytes sent.
pub static BYTES_SENT: InstrumentSpec = spec(
    "smithy.client.http.bytes_sent",
    "By",
    "The total number of bytes sent by the HTTP client",
    Counter,
);
/// Bytes received.
pub static BYTES_RECEIVED: InstrumentSpec = spec(
    "smithy.client.http.bytes_received",
    "By",
    "The total number of bytes received by the HTTP client",
    Counter,
);

/// Every instrument the runtime creates (with a provider installed), in the order of the table
/// above.
pub static ALL: [&InstrumentSpec; 14] = [
    &CALL_DURATION,
    &CALL_ATTEMPTS,
    &CALL_ERRORS,
    &ATTEMPT_DURATION,
    &RESOLVE_ENDPOINT_DURATION,
    &SERIALIZATION_DURATION,
    &DESERIALIZATION_DURATION,
    &RESOLVE_IDENTITY_DURATION,
    &SIGNING_DURATION,
    &CONNECTION_ACQUIRE_DURATION,
    &CONNECTION_USAGE,
    &CONNECTION_UPTIME,
    &BYTES_SENT,
    &BYTES_RECEIVED,
];

/// The instrumentation scope of the HTTP instruments.
pub const HTTP_SCOPE: &str = "awsrt";

/// Attribute names.
pub mod attr {
    /// The service: its sdkId without spaces (`SecretsManager`, `DynamoDB`), else the service
    /// shape's name.
    pub const RPC_SERVICE: &str = "rpc.service";
    /// The operation (`GetSecretValue`).
    pub const RPC_METHOD: &str = "rpc.method";
    /// `aws-api` for an AWS service.
    pub const RPC_SYSTEM: &str = "rpc.system";
    /// The error of a failed call (metrics).
    pub const EXCEPTION_TYPE: &str = "exception.type";
    /// The error of a failed call or attempt (spans).
    pub const ERROR_TYPE: &str = "error.type";
    /// The auth scheme's shape id: `aws.auth#sigv4`, `smithy.api#httpBearerAuth`.
    pub const AUTH_SCHEME_ID: &str = "auth.scheme_id";
    /// The endpoint's host.
    pub const SERVER_ADDRESS: &str = "server.address";
    /// Connection state: `idle` or `acquired`.
    pub const STATE: &str = "state";
}

/// The `tracing` span fields of a call (span `operation`) and of an attempt (span `attempt`).
/// `tracing-opentelemetry` turns `otel.name` into the span name, `otel.kind` into its kind and
/// `otel.status_code` into its status, and every other field into an attribute.
pub mod span {
    /// `Service.Operation`, e.g. `SecretsManager.GetSecretValue`.
    pub const OTEL_NAME: &str = "otel.name";
    /// `client` on the call span.
    pub const OTEL_KIND: &str = "otel.kind";
    /// `error` on a failed call.
    pub const OTEL_STATUS_CODE: &str = "otel.status_code";
    /// The AWS request id of the (last) response.
    pub const AWS_REQUEST_ID: &str = "aws.request_id";
    /// The configuration's region.
    pub const CLOUD_REGION: &str = "cloud.region";
    /// The endpoint's port.
    pub const SERVER_PORT: &str = "server.port";
    /// The HTTP status of the (last) response.
    pub const HTTP_STATUS: &str = "http.response.status_code";
    /// On an attempt after the first: how many times the request was sent before.
    pub const RESEND_COUNT: &str = "http.request.resend_count";
}
