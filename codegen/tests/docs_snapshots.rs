//! Model documentation → Markdown on real model text: insta snapshots of chosen paragraphs, and a
//! sweep over every documentation string of every model under the models directory.
//!
//! Models are found through `SMITHY_MODELS_DIR`, falling back to `<workspace>/../shared/models`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use codegen::docs::{first_sentence, html_to_markdown};
use serde_json::Value;

fn models_dir() -> PathBuf {
    let dir = match std::env::var_os("SMITHY_MODELS_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/models"),
    };
    assert!(
        dir.join("secretsmanager.json").is_file(),
        "model directory {} has no secretsmanager.json: set SMITHY_MODELS_DIR to the folder holding \
         the Smithy JSON models (secretsmanager.json and aws/*.json)",
        dir.display()
    );
    dir
}

fn load(file: &str) -> Value {
    let path = models_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read model {}: {e} (set SMITHY_MODELS_DIR)",
            path.display()
        )
    });
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("model {} is not JSON: {e}", path.display()))
}

/// The documentation of a shape (`ns#Name`) or a member (`ns#Name$member`).
fn doc(file: &str, id: &str) -> String {
    let model = load(file);
    let (shape_id, member) = match id.split_once('$') {
        Some((s, m)) => (s, Some(m)),
        None => (id, None),
    };
    let shape = &model["shapes"][shape_id];
    let target = match member {
        Some(m) => &shape["members"][m],
        None => shape,
    };
    match target["traits"]["smithy.api#documentation"].as_str() {
        Some(d) => d.to_string(),
        None => panic!("{file}: {id} has no documentation"),
    }
}

/// One snapshot test per line: `test_name: model file, shape or member id;`.
macro_rules! snapshots {
    ($($name:ident: $file:expr, $id:expr;)*) => {$(
        #[test]
        fn $name() {
            let md = html_to_markdown(&doc($file, $id));
            check_markdown(&md).unwrap_or_else(|e| panic!("{}: {e}\n{md}", $id));
            insta::assert_snapshot!(md);
        }
    )*};
}

const SM: &str = "secretsmanager.json";

snapshots! {
    sm_service: SM, "com.amazonaws.secretsmanager#secretsmanager";
    sm_get_secret_value: SM, "com.amazonaws.secretsmanager#GetSecretValue";
    sm_list_secrets: SM, "com.amazonaws.secretsmanager#ListSecrets";
    sm_put_secret_value: SM, "com.amazonaws.secretsmanager#PutSecretValue";
    sm_rotate_secret: SM, "com.amazonaws.secretsmanager#RotateSecret";
    sm_create_secret: SM, "com.amazonaws.secretsmanager#CreateSecret";
    sm_secret_string_member: SM, "com.amazonaws.secretsmanager#CreateSecretRequest$SecretString";
    sm_filter_values: SM, "com.amazonaws.secretsmanager#Filter$Values";
    sm_client_request_token: SM, "com.amazonaws.secretsmanager#CreateSecretRequest$ClientRequestToken";
    sm_versions_to_stages: SM, "com.amazonaws.secretsmanager#DescribeSecretResponse$VersionIdsToStages";
    sm_update_secret_version_stage: SM, "com.amazonaws.secretsmanager#UpdateSecretVersionStage";
    sm_validate_resource_policy: SM, "com.amazonaws.secretsmanager#ValidateResourcePolicy";
    kms_encrypt: "aws/kms-2014-11-01.json", "com.amazonaws.kms#Encrypt";
    ssm_targets: "aws/ssm-2014-11-06.json", "com.amazonaws.ssm#Target";
    glue_xml_classifier: "aws/glue-2017-03-31.json", "com.amazonaws.glue#CreateXMLClassifierRequest$RowTag";
    dynamodb_query_key_condition: "aws/dynamodb-2012-08-10.json", "com.amazonaws.dynamodb#QueryInput$KeyConditionExpression";
    datapipeline_examples: "aws/data-pipeline-2012-10-29.json", "com.amazonaws.datapipeline#ActivatePipeline";
    forecast_placeholders: "aws/forecast-2018-06-26.json", "com.amazonaws.forecast#CreateForecastExportJob";
    verifiedpermissions_entities_in_code: "aws/verifiedpermissions-2021-12-01.json", "com.amazonaws.verifiedpermissions#IdentitySourceDetails$discoveryUrl";
    transfer_entities: "aws/transfer-2018-11-05.json", "com.amazonaws.transfer#CreateUserRequest$SshPublicKeyBody";
    cognito_definition_list_with_code: "aws/cognito-identity-provider-2016-04-18.json", "com.amazonaws.cognitoidentityprovider#RespondToAuthChallengeRequest$ChallengeResponses";
}

#[test]
fn first_sentence_of_real_docs() {
    let md = html_to_markdown(&doc(SM, "com.amazonaws.secretsmanager#GetSecretValue"));
    let s = first_sentence(&md);
    assert!(
        s.starts_with("Retrieves the contents of the encrypted fields"),
        "{s}"
    );
    assert!(s.ends_with('.') && !s.contains('\n'), "{s}");
}

/// Checks the rules every converted text must satisfy; returns the first violation.
fn check_markdown(md: &str) -> Result<(), String> {
    if md.lines().any(|l| l.ends_with(' ') || l.ends_with('\t')) {
        return Err("trailing whitespace".into());
    }
    let mut in_fence: Option<&str> = None;
    for line in md.lines() {
        let mut trimmed = line.trim_start();
        while let Some(rest) = strip_list_marker(trimmed) {
            trimmed = rest;
        }
        if let Some(fence) = in_fence {
            if trimmed == fence {
                in_fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") {
            let fence_len = trimmed.bytes().take_while(|&b| b == b'`').count();
            if &trimmed[fence_len..] != "text" {
                return Err(format!("code fence without the text tag: {line}"));
            }
            in_fence = Some(&trimmed[..fence_len]);
            continue;
        }
        let outside = strip_code_spans(line);
        if let Some(tag) = raw_tag(&outside) {
            return Err(format!("raw HTML tag {tag:?} in line {line:?}"));
        }
    }
    if in_fence.is_some() {
        return Err("unbalanced code fence".into());
    }
    Ok(())
}

fn strip_list_marker(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    line.strip_prefix("- ")
        .or_else(|| line[digits..].strip_prefix(". ").filter(|_| digits > 0))
}

/// The line with code spans and `<http...>` autolinks removed.
fn strip_code_spans(line: &str) -> String {
    let mut out = String::new();
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\\' => {
                i += 2;
                continue;
            }
            b'`' => {
                let run = b[i..].iter().take_while(|&&c| c == b'`').count();
                let fence = &line[i..i + run];
                match line[i + run..].find(fence) {
                    Some(end) => i += run + end + run,
                    None => i += run,
                }
                continue;
            }
            b'<' if line[i..].starts_with("<http") || line[i..].starts_with("<mailto:") => {
                i += line[i..].find('>').map_or(b.len() - i, |e| e + 1);
                continue;
            }
            _ => {}
        }
        let ch = line[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

fn raw_tag(text: &str) -> Option<&str> {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(1))
        .find(|&i| b[i] == b'<' && (b[i + 1].is_ascii_alphabetic() || b[i + 1] == b'/'))
        .map(|i| &text[i..text.len().min(i + 30)])
}

fn collect_docs(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("smithy.api#documentation", Value::String(s)) => out.push(s.clone()),
                    _ => collect_docs(v, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_docs(v, out)),
        _ => {}
    }
}

#[test]
fn every_documentation_string_of_every_model_converts_cleanly() {
    let dir = models_dir();
    let mut files = vec![dir.join("secretsmanager.json")];
    let aws =
        std::fs::read_dir(dir.join("aws")).unwrap_or_else(|e| panic!("{}/aws: {e}", dir.display()));
    files.extend(
        aws.filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json")),
    );
    files.sort();
    assert!(
        files.len() > 100,
        "expected the ~127 models under {}, found {}",
        dir.display(),
        files.len()
    );
    let mut docs = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        collect_docs(&serde_json::from_str(&text).unwrap(), &mut docs);
    }
    let mut sm_docs = Vec::new();
    collect_docs(&load(SM), &mut sm_docs);
    let start = Instant::now();
    let sm_bytes: usize = sm_docs.iter().map(|d| html_to_markdown(d).len()).sum();
    eprintln!(
        "secretsmanager.json: {} docs ({sm_bytes} bytes of Markdown) in {:?}",
        sm_docs.len(),
        start.elapsed()
    );
    let bytes: usize = docs.iter().map(String::len).sum();
    let start = Instant::now();
    let converted: Vec<String> = docs.iter().map(|d| html_to_markdown(d)).collect();
    let elapsed = start.elapsed();
    let mut failures = Vec::new();
    for (html, md) in docs.iter().zip(&converted) {
        if let Err(e) = check_markdown(md) {
            failures.push(format!("{e}\n--- html:\n{html}\n--- markdown:\n{md}\n"));
        }
        if !html.trim().is_empty()
            && md.trim().is_empty()
            && html.contains(|c: char| c.is_alphanumeric())
        {
            let visible = html
                .split('<')
                .filter_map(|s| s.split_once('>').map(|p| p.1))
                .any(|t| !t.trim().is_empty());
            if visible {
                failures.push(format!("text lost\n--- html:\n{html}\n"));
            }
        }
    }
    eprintln!(
        "converted {} documentation strings ({} bytes of HTML) from {} models in {:?}",
        docs.len(),
        bytes,
        files.len(),
        elapsed
    );
    assert!(
        failures.is_empty(),
        "{} of {} docs failed; first:\n{}",
        failures.len(),
        docs.len(),
        failures[0]
    );
}
