//! The one list of cases that do not apply, each with its reason. A listed case gets no test and
//! is reported as "not applicable", never as passed.

/// `(case id, reason)`.
pub const NOT_APPLICABLE: &[(&str, &str)] = &[
    ("RestJsonHttpChecksumRequired", CHECKSUM_REQUIRED),
    ("RestJsonQueryIdempotencyTokenAutoFill", FIXED_TOKEN),
    ("QueryProtocolIdempotencyTokenAutoFill", FIXED_TOKEN_XML),
    ("Ec2ProtocolIdempotencyTokenAutoFill", FIXED_TOKEN_XML),
    ("QueryIdempotencyTokenAutoFill", FIXED_TOKEN_XML),
];

const CHECKSUM_REQUIRED: &str = "@httpChecksumRequired (a Content-MD5 header): the runtime has no \
     MD5 (ring has none) and none of the 215 restJson1 models in SMITHY_MODELS_DIR uses the trait";

const FIXED_TOKEN: &str = "the case expects the idempotency token \
     00000000-0000-4000-8000-000000000000 from a token generator the test harness injects (botocore's \
     ignore list skips the suite); this client fills unset tokens with a random UUID v4";

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
        assert!(reason("SDKAppliedContentEncoding_awsJson1_0").is_none());
    }
}
