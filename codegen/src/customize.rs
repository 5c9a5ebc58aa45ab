//! Service customizations: behaviour the official SDKs give a service that no Smithy trait in
//! its model expresses. Keyed by the service's `sdkId`, applied to the IR once after it is built
//! ([`apply`]); the generic generator never names a service. Each entry says what it changes
//! and why.

use crate::auth::Auth;
use crate::ir::{PathSegment, Service};

/// Applies the customizations of `svc`'s service, if it has any.
pub fn apply(svc: &mut Service) {
    match svc.sdk_id.as_deref() {
        Some("S3") => s3(svc),
        Some("S3 Control") => s3_control(svc),
        Some("STS") => sts(svc),
        _ => {}
    }
}

/// S3: CopyObject, CompleteMultipartUpload and UploadPartCopy can fail after S3 has answered
/// 200 (the error is found while the response streams); the body is then an `<Error>`
/// document, which the client reads as the operation's error.
const S3_ERRORS_IN_200: &[&str] = &["CopyObject", "CompleteMultipartUpload", "UploadPartCopy"];

/// S3: HeadObject and HeadBucket answer a missing object or bucket with a bare 404 (a HEAD
/// response has no body), which the official SDKs read as the modeled `NotFound` error (the
/// model gives it no `@httpError`).
const S3_NOT_FOUND_BY_STATUS: &[&str] = &["HeadObject", "HeadBucket"];

/// S3: the endpoint rules place the bucket (the `Bucket` context parameter) in the host
/// (virtual-hosted style) or in the endpoint's path (path style), so the `/{Bucket}` segment
/// the model's URIs start with is dropped from the request path, as every official SDK does.
fn s3(svc: &mut Service) {
    for op in &mut svc.operations {
        if S3_ERRORS_IN_200.contains(&op.name.as_str()) {
            op.error_in_success = true;
        }
        if S3_NOT_FOUND_BY_STATUS.contains(&op.name.as_str())
            && op.errors.iter().any(|e| e == "NotFound")
        {
            op.status_errors.push((404, "NotFound".to_string()));
        }
        let path = &mut op.http.uri.path;
        if matches!(path.first(), Some(PathSegment::Label { member, greedy: false }) if member == "Bucket")
        {
            path.remove(0);
            if path.is_empty() {
                path.push(PathSegment::Literal(String::new()));
            }
        }
    }
}

/// S3 Control: the endpoint rules put the account id in the host themselves (the
/// `AccountId` context parameter), so the model's `{AccountId}.` host prefix is not applied a
/// second time.
fn s3_control(svc: &mut Service) {
    for op in &mut svc.operations {
        op.host_prefix = None;
    }
}

/// STS: AssumeRoleWithWebIdentity and AssumeRoleWithSAML are authenticated by the token or
/// assertion they carry, and callers of them have no AWS credentials yet (that is why they
/// call them); the official SDKs send them unsigned although the model gives them the
/// service's SigV4.
const STS_UNSIGNED: &[&str] = &["AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"];

fn sts(svc: &mut Service) {
    for op in &mut svc.operations {
        if STS_UNSIGNED.contains(&op.name.as_str()) {
            op.auth = Auth::None;
        }
    }
}
