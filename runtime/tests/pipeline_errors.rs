//! awsJson error metadata parsing: code sources and their precedence, prefix/suffix stripping,
//! message key casing, request id headers, and robustness against arbitrary bodies.

use awsrt::http::HttpResponse;
use awsrt::protocol::parse_error_metadata;

struct Case {
    header: Option<&'static str>,
    body: &'static str,
    code: Option<&'static str>,
    message: Option<&'static str>,
}

const CASES: &[Case] = &[
    // The header wins over the body.
    Case { header: Some("FooError"), body: r#"{"__type":"BarError","code":"BazError"}"#, code: Some("FooError"), message: None },
    Case { header: Some("aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"), body: "", code: Some("FooError"), message: None },
    // Then __type, then code.
    Case { header: None, body: r#"{"code":"BazError","__type":"BarError"}"#, code: Some("BarError"), message: None },
    Case { header: None, body: r#"{"code":"BazError"}"#, code: Some("BazError"), message: None },
    Case { header: None, body: r#"{"__type":"aws.protocoltests.restjson#FooError"}"#, code: Some("FooError"), message: None },
    Case { header: None, body: r#"{"__type":"com.amazonaws.secretsmanager#ResourceNotFoundException","Message":"Secrets Manager can't find the specified secret."}"#, code: Some("ResourceNotFoundException"), message: Some("Secrets Manager can't find the specified secret.") },
    Case { header: None, body: r#"{"__type":"FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"}"#, code: Some("FooError"), message: None },
    Case { header: None, body: r#"{"__type":"aws.protocoltests.restjson#FooError:http://internal.amazon.com/coral/com.amazon.coral.validate/"}"#, code: Some("FooError"), message: None },
    // Message keys in any case, and errorMessage.
    Case { header: None, body: r#"{"__type":"A","message":"lower"}"#, code: Some("A"), message: Some("lower") },
    Case { header: None, body: r#"{"__type":"A","MESSAGE":"upper"}"#, code: Some("A"), message: Some("upper") },
    Case { header: None, body: r#"{"__type":"A","errorMessage":"err"}"#, code: Some("A"), message: Some("err") },
    Case { header: None, body: r#"{"__type":"A","message":null,"Message":"second"}"#, code: Some("A"), message: Some("second") },
    // Nested members do not count; unrelated members are skipped.
    Case { header: None, body: r#"{"Error":{"__type":"Inner","message":"inner"},"x":[1,{"code":"y"}]}"#, code: None, message: None },
    // Nothing to go on: no guessing from the status.
    Case { header: None, body: "", code: None, message: None },
    Case { header: None, body: "{}", code: None, message: None },
    Case { header: None, body: "<html>Bad Gateway</html>", code: None, message: None },
    Case { header: None, body: r#"{"__type":"Trunc"#, code: None, message: None },
    Case { header: Some("HeaderWins"), body: "not json", code: Some("HeaderWins"), message: None },
    Case { header: Some(""), body: r#"{"__type":"BodyCode"}"#, code: Some("BodyCode"), message: None },
];

#[test]
fn error_metadata_table() {
    for (i, c) in CASES.iter().enumerate() {
        let mut resp = HttpResponse::new(400, c.body);
        if let Some(h) = c.header {
            resp = resp.with_header("X-Amzn-Errortype", h);
        }
        let meta = parse_error_metadata(&resp);
        assert_eq!(meta.code.as_deref(), c.code, "case {i}: {}", c.body);
        assert_eq!(meta.message.as_deref(), c.message, "case {i}: {}", c.body);
        assert_eq!(meta.status, 400);
    }
}

#[test]
fn request_id_headers() {
    let r = HttpResponse::new(500, "").with_header("x-amzn-RequestId", "amzn-id");
    assert_eq!(
        parse_error_metadata(&r).request_id.as_deref(),
        Some("amzn-id")
    );
    let r = HttpResponse::new(500, "").with_header("x-amz-request-id", "amz-id");
    assert_eq!(
        parse_error_metadata(&r).request_id.as_deref(),
        Some("amz-id")
    );
    let r = HttpResponse::new(500, "")
        .with_header("x-amz-request-id", "second")
        .with_header("X-Amzn-RequestId", "first");
    assert_eq!(
        parse_error_metadata(&r).request_id.as_deref(),
        Some("first")
    );
    assert_eq!(
        parse_error_metadata(&HttpResponse::new(500, "")).request_id,
        None
    );
}

#[test]
fn arbitrary_bodies_never_panic() {
    // Deterministic pseudo-random bytes biased towards JSON punctuation.
    let alphabet = br#"{}[]":,\ u0123456789abcdefnulltrue__typecodemessage#"#;
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for len in 0..400usize {
        let mut body = Vec::with_capacity(len);
        for _ in 0..len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let b = if x % 5 == 1 {
                (x >> 8) as u8
            } else {
                alphabet[(x % alphabet.len() as u64) as usize]
            };
            body.push(b);
        }
        let meta = parse_error_metadata(&HttpResponse::new(418, body));
        assert_eq!(meta.status, 418);
        if let Some(code) = &meta.code {
            assert!(!code.contains('#') && !code.contains(':'), "{code}");
        }
    }
    // Deep nesting is rejected, not a stack overflow.
    let deep = format!("{{\"a\":{}{}}}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(
        parse_error_metadata(&HttpResponse::new(400, deep)).code,
        None
    );
}
