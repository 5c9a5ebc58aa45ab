//! The serde representation of the generated types (feature `serde`), read by an independent
//! reader: a Secrets Manager and a DynamoDB value written with `serde_json`, then read by a
//! short Python script (`tests/scripts/serde_reader.py`) with Python's own `json`, `base64`
//! and `datetime` modules; what it finds must be what was written. Also: secrets are refused
//! outside `with_secrets`, naming the member.

use std::io::Write;
use std::process::{Command, Stdio};

use awsrt::types::{Blob, DateTime, SensitiveBlob, SensitiveString};
use dynamodb::types::{AttributeValue, ConsumedCapacity};

fn secret_value() -> secretsmanager::operation::get_secret_value::GetSecretValueOutput {
    secretsmanager::operation::get_secret_value::GetSecretValueOutput::builder()
        .name("prod/db ✓")
        .secret_string(SensitiveString::from("p@ss \"word\" ✓"))
        .secret_binary(SensitiveBlob::from(vec![0u8, 1, 254, 255]))
        .created_date(DateTime::from_secs_and_nanos(1_700_000_000, 250_000_000))
        .version_stages("AWSCURRENT")
        .version_stages("AWSPENDING")
        .build()
}

fn item() -> dynamodb::operation::get_item::GetItemOutput {
    let nested: std::collections::HashMap<String, AttributeValue> = [
        ("inner".to_string(), AttributeValue::N("-12.5e3".into())),
        (
            "list".to_string(),
            AttributeValue::L(vec![
                AttributeValue::Bool(true),
                AttributeValue::Null(true),
                AttributeValue::Ss(vec!["a".into(), "b".into()]),
            ]),
        ),
    ]
    .into_iter()
    .collect();
    dynamodb::operation::get_item::GetItemOutput::builder()
        .item("pk", AttributeValue::S("user#1 ✓".into()))
        .item(
            "blob",
            AttributeValue::B(Blob::new(vec![222u8, 173, 190, 239])),
        )
        .item("nested", AttributeValue::M(nested))
        .consumed_capacity(
            ConsumedCapacity::builder()
                .table_name("users")
                .capacity_units(0.5)
                .build(),
        )
        .build()
}

#[test]
fn python_reads_what_serde_writes() {
    let sm = awsrt::serde::with_secrets(|| serde_json::to_value(secret_value())).unwrap();
    let ddb = serde_json::to_value(item()).unwrap();
    let input = serde_json::json!({ "secretsmanager": sm, "dynamodb": ddb }).to_string();

    let script = integration_tests::workspace_root().join("tests/scripts/serde_reader.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed by this test");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the Python reader failed:\n{}\ninput: {input}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = "\
Name = prod/db ✓
SecretString = p@ss \"word\" ✓
SecretBinary = 0001feff
CreatedDate = 2023-11-14T22:13:20.250000+00:00
VersionStages = AWSCURRENT,AWSPENDING
blob B = deadbeef
nested.inner N = -12.5e3
nested.list[0] BOOL = True
nested.list[1] NULL = True
nested.list[2] SS = a,b
pk S = user#1 ✓
ConsumedCapacity = users 0.5
";
    assert_eq!(stdout, expected);

    // And back: the JSON reads into equal values.
    let back: secretsmanager::operation::get_secret_value::GetSecretValueOutput =
        serde_json::from_value(sm).unwrap();
    assert!(back == secret_value());
    let back: dynamodb::operation::get_item::GetItemOutput = serde_json::from_value(ddb).unwrap();
    assert!(back == item());
}

#[test]
fn secrets_are_refused_by_name_and_never_dropped() {
    let err = serde_json::to_string(&secret_value())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("GetSecretValueOutput.SecretString")
            || err.contains("GetSecretValueOutput.SecretBinary"),
        "{err}"
    );
    assert!(!err.contains("p@ss"), "{err}");
    // A value without its secret members serializes anywhere.
    let public = secretsmanager::operation::get_secret_value::GetSecretValueOutput::builder()
        .name("n")
        .build();
    let json = serde_json::to_string(&public).unwrap();
    assert!(json.contains("\"Name\":\"n\""), "{json}");
    assert!(json.contains("\"ARN\":null"), "{json}");
    assert!(
        !json.contains("SecretString"),
        "absent secrets are left out: {json}"
    );
    // Outside with_secrets the flag is off again, even after a panic inside it.
    let _ = std::panic::catch_unwind(|| awsrt::serde::with_secrets(|| panic!("inside")));
    assert!(!awsrt::serde::secrets_allowed());
}
