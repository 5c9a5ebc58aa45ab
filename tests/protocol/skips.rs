//! The one list of cases that do not apply, each with its reason. A listed case gets no test and
//! is reported as "not applicable", never as passed.

/// `(case id, reason)`.
pub const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("SDKAppliedContentEncoding_awsJson1_1", REQUEST_COMPRESSION),
    (
        "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_1",
        REQUEST_COMPRESSION,
    ),
    ("SDKAppliedContentEncoding_awsJson1_0", REQUEST_COMPRESSION),
    (
        "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsJson1_0",
        REQUEST_COMPRESSION,
    ),
    (
        "SDKAppliedContentEncoding_restJson1",
        REQUEST_COMPRESSION_REST,
    ),
    (
        "SDKAppendedGzipAfterProvidedEncoding_restJson1",
        REQUEST_COMPRESSION_REST,
    ),
    ("RestJsonHttpChecksumRequired", CHECKSUM_REQUIRED),
    ("RestJsonQueryIdempotencyTokenAutoFill", FIXED_TOKEN),
    (
        "SDKAppliedContentEncoding_awsQuery",
        REQUEST_COMPRESSION_XML,
    ),
    (
        "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_awsQuery",
        REQUEST_COMPRESSION_XML,
    ),
    (
        "SDKAppliedContentEncoding_ec2Query",
        REQUEST_COMPRESSION_XML,
    ),
    (
        "SDKAppendsGzipAndIgnoresHttpProvidedEncoding_ec2Query",
        REQUEST_COMPRESSION_XML,
    ),
    ("SDKAppliedContentEncoding_restXml", REQUEST_COMPRESSION_XML),
    (
        "SDKAppendedGzipAfterProvidedEncoding_restXml",
        REQUEST_COMPRESSION_XML,
    ),
    ("QueryProtocolIdempotencyTokenAutoFill", FIXED_TOKEN_XML),
    ("Ec2ProtocolIdempotencyTokenAutoFill", FIXED_TOKEN_XML),
    ("QueryIdempotencyTokenAutoFill", FIXED_TOKEN_XML),
];

const REQUEST_COMPRESSION: &str = "@requestCompression (gzip request bodies): no awsJson model \
     the generator targets uses the trait (0 of the models in SMITHY_MODELS_DIR), so the client \
     has no compression; botocore's ignore list skips this suite as well";

const REQUEST_COMPRESSION_REST: &str = "@requestCompression (gzip request bodies): none of the \
     215 restJson1 models in SMITHY_MODELS_DIR uses the trait, so the client has no compression; \
     botocore's ignore list skips this suite as well";

const CHECKSUM_REQUIRED: &str = "@httpChecksumRequired (a Content-MD5 header): the runtime has no \
     MD5 (ring has none) and none of the 215 restJson1 models in SMITHY_MODELS_DIR uses the trait";

const FIXED_TOKEN: &str = "the case expects the idempotency token \
     00000000-0000-4000-8000-000000000000 from a token generator the test harness injects (botocore's \
     ignore list skips the suite); this client fills unset tokens with a random UUID v4";

const REQUEST_COMPRESSION_XML: &str = "@requestCompression (gzip request bodies, \
     `Content-Encoding: gzip`): the client does not compress request bodies yet (the same cases \
     are skipped in the official Smithy suites, tests/protocol_smithy/skips.rs); in \
     SMITHY_MODELS_DIR only CloudWatch PutMetricData (awsQuery) uses the trait, no ec2Query or \
     restXml model does";

const FIXED_TOKEN_XML: &str = "the case expects the idempotency token \
     00000000-0000-4000-8000-000000000000 from a token generator the test harness injects; this \
     client fills unset tokens with a random UUID v4 and has no such hook (that a set token is \
     sent is checked by the suite's *IsSet case, which passes)";

/// Why `case_id` does not apply, if it is listed.
pub fn reason(case_id: &str) -> Option<&'static str> {
    NOT_APPLICABLE
        .iter()
        .find(|(id, _)| *id == case_id)
        .map(|(_, why)| *why)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_listed_case_exists_in_the_data() {
        let dir = crate::protocol::data::testdata_dir().unwrap_or_else(|e| panic!("{e}"));
        let mut ids = Vec::new();
        for (direction, file) in crate::protocol::FILES {
            for suite in crate::protocol::data::load(&dir, direction, file).unwrap() {
                ids.extend(suite.cases.into_iter().map(|c| c.id));
            }
        }
        for (id, _) in NOT_APPLICABLE {
            assert!(
                ids.iter().any(|i| i == id),
                "listed case {id} is not in the data"
            );
        }
        assert_eq!(reason("AwsJson11Enums"), None);
        assert!(reason("SDKAppliedContentEncoding_awsJson1_0").is_some());
    }
}
