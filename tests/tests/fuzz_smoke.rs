//! CI's bounded fuzz pass (issue 5.5): a deterministic mutation fuzzer (fixed seeds, fixed
//! iteration counts, a few seconds) over the same entry points as the cargo-fuzz targets
//! in `fuzz/`: every output deserializer (`secretsmanager::fuzz_entry::output`), error parsing
//! (`awsrt::protocol::parse_error_metadata` + `fuzz_entry::error`), the JSON reader
//! (`awsrt::json::validate_fuzz_input`), restJson1 responses and errors of the generated
//! AppConfig, EKS and MediaStore Data clients (the decoder of `fuzz/fuzz_targets/common/rest.rs`),
//! the CBOR reader (`awsrt::cbor`) and rpcv2Cbor responses and errors of the generated Garden
//! client (`fuzz/fuzz_targets/common/rpcv2.rs`), the XML reader (`awsrt::xml`) and awsQuery /
//! restXml responses and errors of the generated STS, IAM, SNS and S3 clients
//! (`fuzz/fuzz_targets/common/xml.rs`). Inputs start from the committed seed corpora in
//! `fuzz/seeds/<target>/`. A panic anywhere fails the test; the failing input is printed first.
//!
//! Run: `cargo test -p integration-tests --test fuzz_smoke`.

use std::path::PathBuf;

use awsrt::http::HttpResponse;
use integration_tests::Rng;
use secretsmanager::fuzz_entry::{error, output, OPERATIONS};

/// Mutants per target.
const ITERATIONS: usize = 40_000;

/// Tokens worth inserting into JSON (and, from `<` on, XML).
const TOKENS: &[&[u8]] = &[
    b"<",
    b">",
    b"</",
    b"/>",
    b"&amp;",
    b"&#x0;",
    b"&#1114112;",
    b"&bogus;",
    b"<![CDATA[",
    b"]]>",
    b"<!DOCTYPE a [<!ENTITY x \"y\">]>",
    b"<member>",
    b"</member>",
    b"<entry><key>k</key><value>",
    b"<Error><Code>",
    b"xmlns:p=\"u\" p:a=\"1\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b"\\",
    b",",
    b":",
    b"null",
    b"true",
    b"false",
    b"-",
    b"0",
    b"-0.0e-0",
    b"1e999",
    b"-1e-999",
    b"18446744073709551616",
    b"-9223372036854775809",
    b"1.7976931348623157e308",
    b"\"NaN\"",
    b"\"-Infinity\"",
    b"\\u0000",
    b"\\ud800",
    b"\\udc00\\ud800",
    b"\\uZZZZ",
    b"\xf0\x9f\x98\x80",
    b"\xff\xfe",
    b"\xc3",
    b"\"AAECAwQ=\"",
    b"\"====\"",
    b"\"SecretString\":",
    b"\"SecretBinary\":",
    b"\"__type\":",
    b"\"CreatedDate\":",
    b"\"VersionIdsToStages\":{\"a\":",
    b"\"SecretList\":[",
];

fn seeds_dir(target: &str) -> PathBuf {
    integration_tests::workspace_root()
        .join("fuzz")
        .join("seeds")
        .join(target)
}

/// The seed corpus of `target`; fails when it is missing (the seeds are committed).
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = seeds_dir(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("seed corpus {} missing: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    let out: Vec<Vec<u8>> = paths
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display())))
        .collect();
    assert!(
        out.len() >= 3,
        "seed corpus {} has {} files",
        dir.display(),
        out.len()
    );
    out
}

/// One to four random mutations of `input`, sometimes spliced with `other`.
fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        let len = v.len();
        match rng.below(10) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                const BYTES: &[u8] = b"{}[]\",:\\0-e.ntfu\x00\x7f\xff";
                v[i] = BYTES[rng.below(BYTES.len())];
            }
            2 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len + 1);
                v.splice(i..i, t.iter().copied());
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                v.drain(i..i + n);
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let copy = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, copy);
            }
            5 => v.truncate(rng.below(len + 1)),
            6 => {
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                v.truncate(cut);
                v.extend_from_slice(&other[from..]);
            }
            7 => {
                let depth = 1 + rng.below(200);
                let i = rng.below(len + 1);
                let open = if rng.below(2) == 0 { b'[' } else { b'{' };
                v.splice(i..i, std::iter::repeat_n(open, depth));
            }
            8 if len > 0 => {
                // Replace a byte with a random one.
                let i = rng.below(len);
                v[i] = rng.next() as u8;
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                v.extend_from_slice(t);
            }
        }
    }
    v
}

/// Runs `check` over every seed and `ITERATIONS` mutants (mutants of mutants included).
fn fuzz(target: &str, seed: u64, check: impl Fn(&[u8])) -> usize {
    let corpus = seeds(target);
    let mut rng = Rng::new(seed);
    let mut pool: Vec<Vec<u8>> = corpus.clone();
    for input in &corpus {
        check(input);
    }
    for i in 0..ITERATIONS {
        let base = &pool[rng.below(pool.len())];
        let other = &corpus[rng.below(corpus.len())];
        let mutant = mutate(&mut rng, base, other);
        // On a panic, print the input so the failure is reproducible, then fail the test.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&mutant)));
        if let Err(panic) = result {
            eprintln!("{target}: iteration {i} panicked on input {mutant:?}");
            std::panic::resume_unwind(panic);
        }
        if pool.len() < 256 {
            pool.push(mutant);
        } else {
            let slot = rng.below(pool.len());
            pool[slot] = mutant;
        }
    }
    corpus.len() + ITERATIONS
}

#[test]
fn output_deserializers_never_panic() {
    // The seeds are real responses: each parses with its operation's deserializer.
    for seed in seeds("output_deserializers") {
        let (&pick, body) = seed.split_first().expect("non-empty seed");
        let op = OPERATIONS[usize::from(pick) % OPERATIONS.len()];
        assert!(
            output(op, body),
            "seed for {op} does not parse: {}",
            String::from_utf8_lossy(body)
        );
    }
    let runs = fuzz("output_deserializers", 0x5EC2_E75A, |data| {
        if let Some((&pick, body)) = data.split_first() {
            // The selected operation, plus every other one over the same body.
            let _ = output(OPERATIONS[usize::from(pick) % OPERATIONS.len()], body);
            if pick % 4 == 0 {
                for op in OPERATIONS {
                    let _ = output(op, body);
                }
            }
        }
    });
    assert!(runs > ITERATIONS);
}

const STATUSES: &[u16] = &[200, 400, 403, 404, 409, 413, 429, 500, 502, 503, 504];
const KNOWN_CODES: &[&str] = &[
    "ResourceNotFoundException",
    "com.amazonaws.secretsmanager#InvalidRequestException",
    "InvalidParameterException:http://internal.amazon.com/coral/com.amazonaws.secretsmanager/",
    "DecryptionFailure",
    "EncryptionFailure",
    "InternalServiceError",
    "InvalidNextTokenException",
    "LimitExceededException",
    "MalformedPolicyDocumentException",
    "PreconditionNotMetException",
    "PublicPolicyException",
    "ResourceExistsException",
    "ThrottlingException",
];

/// The input layout of `fuzz/fuzz_targets/error_parsing.rs` (keep the two in sync).
fn decode_error_input(data: &[u8]) -> Option<(&'static str, HttpResponse)> {
    let (&op, rest) = data.split_first()?;
    let (&status, rest) = rest.split_first()?;
    let (&header, mut body) = rest.split_first()?;
    let op = OPERATIONS[usize::from(op) % OPERATIONS.len()];
    let status = if status < 0x80 {
        STATUSES[usize::from(status) % STATUSES.len()]
    } else {
        100 + u16::from(status - 0x80) * 4
    };
    let mut header_value: Option<String> = None;
    match usize::from(header) {
        0 => {}
        n if n <= KNOWN_CODES.len() => header_value = Some(KNOWN_CODES[n - 1].to_string()),
        n => {
            let len = ((n - KNOWN_CODES.len() - 1) % 64).min(body.len());
            header_value = Some(String::from_utf8_lossy(&body[..len]).into_owned());
            body = &body[len..];
        }
    }
    let mut resp = HttpResponse::new(status, body.to_vec());
    if let Some(v) = header_value {
        resp = resp.with_header("x-amzn-errortype", &v);
    }
    resp = resp.with_header("x-amzn-requestid", "fuzz-request");
    Some((op, resp))
}

fn check_error(data: &[u8]) {
    if let Some((op, resp)) = decode_error_input(data) {
        let meta = awsrt::protocol::parse_error_metadata(&resp);
        assert_eq!(meta.status, resp.status);
        assert_eq!(meta.request_id.as_deref(), Some("fuzz-request"));
        if let Some(code) = &meta.code {
            assert!(!code.is_empty() && code.trim() == code, "code {code:?}");
            assert!(!code.contains('#') && !code.contains(':'), "code {code:?}");
        }
        let _ = error(op, &resp);
    }
}

#[test]
fn error_parsing_never_panics() {
    for seed in seeds("error_parsing") {
        let (op, resp) = decode_error_input(&seed).expect("seed has the 3-byte prefix");
        assert!(error(op, &resp), "error seed for {op} does not parse");
    }
    // The layout: a known code from the header wins over the body.
    let mut input = vec![8u8, 1, 1];
    input.extend_from_slice(br#"{"__type":"Other","message":"m"}"#);
    let (op, resp) = decode_error_input(&input).expect("decodes");
    assert_eq!(op, "GetSecretValue");
    let meta = awsrt::protocol::parse_error_metadata(&resp);
    assert_eq!(meta.code.as_deref(), Some("ResourceNotFoundException"));
    assert_eq!(meta.status, 400);
    fuzz("error_parsing", 0xE220_2BAD, check_error);
}

#[test]
fn json_reader_never_panics() {
    fuzz("json_reader", 0x0150_4E11, awsrt::json::validate_fuzz_input);
    // Response bodies of the output seeds are JSON too.
    let bodies: Vec<Vec<u8>> = seeds("output_deserializers")
        .into_iter()
        .map(|s| s.get(1..).unwrap_or_default().to_vec())
        .collect();
    let mut rng = Rng::new(0x00B0_D1E5);
    for i in 0..ITERATIONS / 2 {
        let base = &bodies[rng.below(bodies.len())];
        let other = &bodies[rng.below(bodies.len())];
        let mutant = mutate(&mut rng, base, other);
        if std::panic::catch_unwind(|| awsrt::json::validate_fuzz_input(&mutant)).is_err() {
            panic!("json_reader: body mutant {i} panicked on input {mutant:?}");
        }
    }
}

#[path = "../../fuzz/fuzz_targets/common/rest.rs"]
mod rest;

#[test]
fn rest_json_responses_never_panic() {
    // The seeds are real responses: each parses into its operation's output.
    for seed in seeds("rest_json_responses") {
        let input = rest::decode(&seed).expect("a complete seed");
        assert!(
            rest::parse(&input),
            "seed for {} does not parse: {:?}",
            input.operation,
            input.response
        );
    }
    let runs = fuzz("rest_json_responses", 0x002E_5715, |data| {
        if let Some(input) = rest::decode(data) {
            let _ = rest::parse(&input);
        }
    });
    assert!(runs > ITERATIONS);
}

#[test]
fn rest_json_errors_never_panic() {
    let runs = fuzz("rest_json_errors", 0x00E2_2025, |data| {
        if let Some(mut input) = rest::decode(data) {
            if input.response.is_success() {
                input.response.status += 200;
            }
            let meta = awsrt::protocol::rest_json::error_metadata(&input.response);
            assert_eq!(meta.status, input.response.status);
            if let Some(code) = &meta.code {
                assert!(!code.is_empty() && code.trim() == code, "code {code:?}");
                assert!(!code.contains('#') && !code.contains(':'), "code {code:?}");
            }
            let _ = rest::error(&input);
        }
    });
    assert!(runs > ITERATIONS);
}

#[test]
fn cbor_reader_never_panics() {
    let runs = fuzz("cbor_reader", 0x00CB_0E11, |data| {
        let _ = awsrt::cbor::validate_fuzz_input(data);
        let _ = awsrt::cbor::CborReader::new(data).document();
    });
    assert!(runs > ITERATIONS);
}

#[path = "../../fuzz/fuzz_targets/common/rpcv2.rs"]
mod rpcv2;

#[test]
fn rpcv2_cbor_responses_never_panic() {
    // The seeds are real responses: each parses into its operation's output or modeled error.
    for seed in seeds("rpcv2_cbor_responses") {
        let input = rpcv2::decode(&seed).expect("a complete seed");
        let ok = if input.response.is_success() {
            rpcv2::parse(&input)
        } else {
            rpcv2::error(&input)
        };
        assert!(
            ok,
            "seed for {} does not parse: {:?}",
            input.operation, input.response
        );
    }
    let runs = fuzz("rpcv2_cbor_responses", 0x0C0B_0121, |data| {
        if let Some(input) = rpcv2::decode(data) {
            let _ = rpcv2::parse(&input);
            let _ = rpcv2::error(&input);
            let meta = awsrt::protocol::rpc_v2::cbor_error_metadata(&input.response);
            assert_eq!(meta.status, input.response.status);
            if let Some(code) = &meta.code {
                assert!(!code.is_empty() && code.trim() == code, "code {code:?}");
                assert!(!code.contains('#') && !code.contains(':'), "code {code:?}");
            }
        }
    });
    assert!(runs > ITERATIONS);
}

#[test]
fn xml_reader_never_panics() {
    // The seeds are well-formed documents.
    for seed in seeds("xml_reader") {
        assert!(awsrt::xml::XmlDoc::parse(&seed).is_ok(), "{seed:?}");
    }
    let runs = fuzz("xml_reader", 0x0A11_0C0D, awsrt::xml::validate_fuzz_input);
    assert!(runs > ITERATIONS);
}

#[path = "../../fuzz/fuzz_targets/common/xml.rs"]
mod xml;

#[test]
fn xml_responses_never_panic() {
    // The seeds are real responses: each parses into its operation's output.
    for seed in seeds("xml_responses") {
        let input = xml::decode(&seed).expect("a complete seed");
        assert!(
            xml::parse(&input),
            "seed for {} does not parse: {:?}",
            input.operation,
            input.response
        );
    }
    let runs = fuzz("xml_responses", 0x0A11_2025, |data| {
        if let Some(input) = xml::decode(data) {
            let _ = xml::parse(&input);
            let _ = xml::error(&input);
            for meta in [
                awsrt::protocol::aws_query::error_metadata(&input.response),
                awsrt::protocol::aws_query::ec2_error_metadata(&input.response),
                awsrt::protocol::rest_xml::error_metadata(&input.response),
            ] {
                assert_eq!(meta.status, input.response.status);
            }
        }
    });
    assert!(runs > ITERATIONS);
}
