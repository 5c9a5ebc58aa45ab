//! The JSON credential documents of `credential_process`, ECS and IMDS.

use std::time::SystemTime;

use super::{Credentials, CredentialsError};
use crate::types::Document;

/// Field names of one document format.
pub(crate) struct Fields {
    pub(crate) token: &'static str,
}

/// `credential_process`: `SessionToken`; requires `"Version": 1`.
pub(crate) const PROCESS: Fields = Fields {
    token: "SessionToken",
};
/// ECS and IMDS: `Token`.
pub(crate) const CONTAINER: Fields = Fields { token: "Token" };

/// Parses a credentials document. Error messages name fields, never values.
pub(crate) fn parse(
    provider: &'static str,
    body: &[u8],
    fields: &Fields,
    require_version: bool,
) -> Result<Credentials, CredentialsError> {
    let failed = |msg: String| CredentialsError::provider_failed(provider, msg);
    let doc = Document::parse(body).map_err(|_| failed("response is not valid JSON".to_owned()))?;
    if doc.as_object().is_none() {
        return Err(failed("response is not a JSON object".to_owned()));
    }
    if require_version {
        let version = doc
            .get("Version")
            .and_then(Document::as_number)
            .and_then(|n| n.to_i64());
        if version != Some(1) {
            return Err(failed("output must contain \"Version\": 1".to_owned()));
        }
    }
    if let Some(code) = doc.get("Code").and_then(Document::as_str) {
        if code != "Success" {
            return Err(failed(format!(
                "response Code is {code:?}, not \"Success\""
            )));
        }
    }
    let string = |name: &str| -> Result<Option<String>, CredentialsError> {
        match doc.get(name) {
            None => Ok(None),
            Some(d) if d.is_null() => Ok(None),
            Some(d) => match d.as_str() {
                Some(s) => Ok(Some(s.to_owned())),
                None => Err(failed(format!("field {name} is not a string"))),
            },
        }
    };
    let access_key =
        string("AccessKeyId")?.ok_or_else(|| failed("missing AccessKeyId".to_owned()))?;
    let secret =
        string("SecretAccessKey")?.ok_or_else(|| failed("missing SecretAccessKey".to_owned()))?;
    let token = string(fields.token)?;
    let expiry: Option<SystemTime> = match string("Expiration")? {
        Some(text) => Some(
            crate::sigv4::time::parse_rfc3339(&text)
                .ok_or_else(|| failed("Expiration is not an RFC 3339 timestamp".to_owned()))?,
        ),
        None => None,
    };
    Ok(Credentials::new(
        access_key, secret, token, expiry, provider,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn process_document() {
        let body = br#"{"Version": 1, "AccessKeyId": "AK", "SecretAccessKey": "SK", "SessionToken": "T", "Expiration": "2015-08-30T12:36:00Z"}"#;
        let creds = parse("process", body, &PROCESS, true).unwrap();
        assert_eq!(
            (
                creds.access_key_id(),
                creds.secret_access_key(),
                creds.session_token()
            ),
            ("AK", "SK", Some("T"))
        );
        assert_eq!(
            creds.expiry(),
            Some(UNIX_EPOCH + Duration::from_secs(1_440_938_160))
        );
    }

    #[test]
    fn bad_documents_explain_without_values() {
        let cases: [(&[u8], bool, &str); 6] = [
            (b"not json SECRET", true, "not valid JSON"),
            (b"[1]", false, "not a JSON object"),
            (
                br#"{"Version": 2, "AccessKeyId": "A", "SecretAccessKey": "SECRET"}"#,
                true,
                "Version",
            ),
            (br#"{"AccessKeyId": "A"}"#, false, "missing SecretAccessKey"),
            (
                br#"{"Code": "Failure", "AccessKeyId": "A", "SecretAccessKey": "SECRET"}"#,
                false,
                "Code",
            ),
            (
                br#"{"AccessKeyId": "A", "SecretAccessKey": "SECRET", "Expiration": "soon"}"#,
                false,
                "Expiration",
            ),
        ];
        for (body, version, needle) in cases {
            let err = parse("t", body, &CONTAINER, version).unwrap_err();
            assert!(err.message().contains(needle), "{err}");
            assert!(!err.to_string().contains("SECRET"), "{err}");
        }
    }
}
