//! `call_json`: the tests' shorthand for calling an operation with an awsJson request built from
//! the service and operation descriptions (`awsrt::protocol::aws_json::request_for`).

use std::future::Future;

use awsrt::client::{CallOptions, ClientHandle, OperationInfo, Reply};
use awsrt::error::{Never, SdkError};
use awsrt::protocol::aws_json::request_for;

#[allow(dead_code)]
pub trait JsonCall {
    /// `call(op, <awsJson request with body>)`.
    fn call_json(
        &self,
        op: &'static OperationInfo,
        body: impl Into<Vec<u8>>,
    ) -> impl Future<Output = Result<Reply, SdkError<Never>>>;

    /// The same with call options.
    fn call_json_with(
        &self,
        op: &'static OperationInfo,
        body: impl Into<Vec<u8>>,
        options: CallOptions,
    ) -> impl Future<Output = Result<Reply, SdkError<Never>>>;
}

impl JsonCall for ClientHandle {
    fn call_json(
        &self,
        op: &'static OperationInfo,
        body: impl Into<Vec<u8>>,
    ) -> impl Future<Output = Result<Reply, SdkError<Never>>> {
        self.call(op, request_for(self.service(), op, body))
    }

    fn call_json_with(
        &self,
        op: &'static OperationInfo,
        body: impl Into<Vec<u8>>,
        options: CallOptions,
    ) -> impl Future<Output = Result<Reply, SdkError<Never>>> {
        self.call_with(op, request_for(self.service(), op, body), options)
    }
}
