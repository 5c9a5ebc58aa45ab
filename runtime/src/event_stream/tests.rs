use std::collections::VecDeque;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use ring::digest;

use super::sign::string_to_sign;
use super::smithy_vectors::{Expected, VECTORS};
use super::*;
use crate::types::{base64_decode, ByteStreamError, ChunkSource, DateTime};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_hex(data: &[u8]) -> String {
    hex(digest::digest(&digest::SHA256, data).as_ref())
}

/// Every header type, with edge values.
fn all_types_message() -> Message {
    let mut uuid = [0u8; 16];
    for (i, b) in uuid.iter_mut().enumerate() {
        *b = (i as u8).wrapping_mul(17);
    }
    Message::new(&b"payload \x00\xff bytes"[..])
        .with_header("t", HeaderValue::Bool(true))
        .with_header("f", HeaderValue::Bool(false))
        .with_header("byte", HeaderValue::Byte(-128))
        .with_header("short", HeaderValue::Int16(-2))
        .with_header("int", HeaderValue::Int32(i32::MAX))
        .with_header("long", HeaderValue::Int64(i64::MIN))
        .with_header(
            "bytes",
            HeaderValue::ByteArray(Bytes::from_static(b"\x00\x01\xfe")),
        )
        .with_header("empty-bytes", HeaderValue::ByteArray(Bytes::new()))
        .with_header("string", HeaderValue::String("héllo ✓".into()))
        .with_header("empty-string", HeaderValue::String(String::new()))
        .with_header(
            "ts",
            HeaderValue::Timestamp(DateTime::from_millis(-1_234_567)),
        )
        .with_header(
            "ts-max",
            HeaderValue::Timestamp(DateTime::from_millis(i64::MAX)),
        )
        .with_header(
            "ts-min",
            HeaderValue::Timestamp(DateTime::from_millis(i64::MIN)),
        )
        .with_header("uuid", HeaderValue::Uuid(uuid))
        .with_header("", HeaderValue::Int32(0))
        .with_header("string", HeaderValue::String("second".into()))
}

fn decode_one(bytes: &[u8]) -> Result<Option<Message>, FrameError> {
    let mut d = MessageDecoder::new();
    d.push(bytes);
    let m = d.next_message()?;
    if m.is_some() {
        d.finish()?;
    }
    Ok(m)
}

fn decode_all(chunks: &[&[u8]]) -> Result<Vec<Message>, FrameError> {
    let mut d = MessageDecoder::new();
    let mut out = Vec::new();
    for c in chunks {
        d.push(c);
        while let Some(m) = d.next_message()? {
            out.push(m);
        }
    }
    d.finish()?;
    Ok(out)
}

fn expected_value(e: &Expected) -> HeaderValue {
    match e {
        Expected::Bool(v) => HeaderValue::Bool(*v),
        Expected::Byte(v) => HeaderValue::Byte(*v),
        Expected::Short(v) => HeaderValue::Int16(*v),
        Expected::Int(v) => HeaderValue::Int32(*v),
        Expected::Long(v) => HeaderValue::Int64(*v),
        Expected::Blob(b64) => HeaderValue::ByteArray(base64_decode(b64).unwrap().into()),
        Expected::Str(s) => HeaderValue::String((*s).to_owned()),
        Expected::Millis(ms) => HeaderValue::Timestamp(DateTime::from_millis(*ms)),
    }
}

fn vector_frames() -> Vec<Vec<u8>> {
    VECTORS
        .iter()
        .map(|v| base64_decode(v.frame).unwrap())
        .collect()
}

#[test]
fn every_header_type_round_trips() {
    let msg = all_types_message();
    let bytes = msg.encode().unwrap();
    let back = decode_one(&bytes).unwrap().unwrap();
    assert_eq!(back, msg);
    assert_eq!(back.encode().unwrap(), bytes);
    // Type ids on the wire, in header order.
    let mut ids = Vec::new();
    let mut at = 12;
    let headers_end = 12 + u32::from_be_bytes(bytes[4..8].try_into().unwrap()) as usize;
    while at < headers_end {
        at += 1 + usize::from(bytes[at]);
        let ty = bytes[at];
        ids.push(ty);
        at += 1 + match ty {
            0 | 1 => 0,
            2 => 1,
            3 => 2,
            4 => 4,
            5 | 8 => 8,
            6 | 7 => 2 + usize::from(u16::from_be_bytes([bytes[at + 1], bytes[at + 2]])),
            9 => 16,
            t => panic!("unexpected type {t}"),
        };
    }
    assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6, 6, 7, 7, 8, 8, 8, 9, 4, 7]);
    assert_eq!(back.string_header("string"), Some("héllo ✓"));
    assert_eq!(back.header("byte"), Some(&HeaderValue::Byte(-128)));
    assert_eq!(back.string_header("byte"), None);
    assert_eq!(back.header("missing"), None);
    // Sub-millisecond parts are dropped on the wire.
    let fine = Message::new(Bytes::new()).with_header(
        "ts",
        HeaderValue::Timestamp(DateTime::from_secs_and_nanos(-5, 123_456_789)),
    );
    let back = decode_one(&fine.encode().unwrap()).unwrap().unwrap();
    assert_eq!(
        back.header("ts"),
        Some(&HeaderValue::Timestamp(DateTime::from_millis(-4_877)))
    );
}

#[test]
fn empty_message_is_the_known_sixteen_bytes() {
    // Lengths 16 and 0, then the prelude and message CRCs (as Python's zlib.crc32 gives them).
    let bytes = Message::default().encode().unwrap();
    assert_eq!(
        hex(&bytes),
        "0000001000000000 05c248eb 7d98c8ff".replace(' ', "")
    );
    assert_eq!(decode_one(&bytes).unwrap(), Some(Message::default()));
}

#[test]
fn smithy_protocol_test_frames_decode_and_reencode_byte_identically() {
    assert!(VECTORS.len() >= 6);
    for v in VECTORS {
        let bytes = base64_decode(v.frame).unwrap();
        let msg = decode_one(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", v.id))
            .unwrap_or_else(|| panic!("{}: incomplete", v.id));
        let expected = Message {
            headers: v
                .headers
                .iter()
                .map(|(n, e)| Header::new(*n, expected_value(e)))
                .collect(),
            payload: Bytes::from_static(v.payload.as_bytes()),
        };
        assert_eq!(msg, expected, "{}", v.id);
        assert_eq!(expected.encode().unwrap(), bytes, "{}: re-encoding", v.id);
    }
}

#[test]
fn byte_at_a_time_and_random_splits_give_the_same_messages() {
    let mut stream = Vec::new();
    let mut expected = Vec::new();
    for f in vector_frames() {
        expected.push(decode_one(&f).unwrap().unwrap());
        stream.extend_from_slice(&f);
    }
    for m in [all_types_message(), Message::default()] {
        m.encode_into(&mut stream).unwrap();
        expected.push(m);
    }
    assert_eq!(decode_all(&[&stream]).unwrap(), expected);
    let bytes: Vec<&[u8]> = stream.chunks(1).collect();
    assert_eq!(decode_all(&bytes).unwrap(), expected);
    let mut rng = Rng(0x5eed);
    for round in 0..200 {
        let mut chunks = Vec::new();
        let mut at = 0;
        while at < stream.len() {
            let n = (rng.below(if round % 2 == 0 { 8 } else { 300 })).min(stream.len() - at);
            chunks.push(&stream[at..at + n]); // empty chunks too
            at += n;
        }
        assert_eq!(decode_all(&chunks).unwrap(), expected, "round {round}");
    }
}

fn frame_with_fixed_crcs(mut bytes: Vec<u8>) -> Vec<u8> {
    fix_crcs(&mut bytes);
    bytes
}

fn kind_of(bytes: &[u8]) -> FrameErrorKind {
    let mut d = MessageDecoder::new();
    d.push(bytes);
    let err = match d.next_message() {
        Err(e) => {
            // The error sticks, and later input is ignored.
            d.push(&Message::default().encode().unwrap());
            assert_eq!(d.next_message().unwrap_err(), e);
            assert_eq!(d.finish().unwrap_err(), e);
            e
        }
        Ok(Some(m)) => panic!("decoded {m:?}"),
        Ok(None) => d
            .finish()
            .expect_err("an incomplete frame is not an error at the end"),
    };
    assert!(!err.to_string().is_empty());
    err.kind()
}

#[test]
fn corrupt_frames_give_the_right_error_kind() {
    let good = all_types_message().encode().unwrap().to_vec();
    let total = good.len();

    let mut bad = good.clone();
    bad[9] ^= 0x01;
    assert_eq!(kind_of(&bad), FrameErrorKind::PreludeChecksum);
    let mut bad = good.clone();
    bad[2] ^= 0x40; // a length changed, the prelude CRC no longer fits
    assert_eq!(kind_of(&bad), FrameErrorKind::PreludeChecksum);

    let mut bad = good.clone();
    bad[total - 6] ^= 0x80; // payload byte
    assert_eq!(kind_of(&bad), FrameErrorKind::MessageChecksum);
    let mut bad = good.clone();
    bad[total - 1] ^= 0x01;
    assert_eq!(kind_of(&bad), FrameErrorKind::MessageChecksum);

    for cut in [1, 11, 12, 13, total - 1] {
        assert_eq!(
            kind_of(&good[..cut]),
            FrameErrorKind::Truncated,
            "cut at {cut}"
        );
    }

    let prelude = |total: u32, headers: u32| {
        let mut v = total.to_be_bytes().to_vec();
        v.extend_from_slice(&headers.to_be_bytes());
        v.extend_from_slice(&[0; 4]);
        frame_with_fixed_crcs(v)
    };
    assert_eq!(
        kind_of(&prelude(MAX_MESSAGE_LEN as u32 + 1, 0)),
        FrameErrorKind::TooLarge
    );
    assert_eq!(kind_of(&prelude(u32::MAX, 0)), FrameErrorKind::TooLarge);
    assert_eq!(
        kind_of(&prelude(1 << 20, MAX_HEADERS_LEN as u32 + 1)),
        FrameErrorKind::TooLarge
    );
    assert_eq!(kind_of(&prelude(15, 0)), FrameErrorKind::InvalidLength);
    assert_eq!(kind_of(&prelude(0, 0)), FrameErrorKind::InvalidLength);
    assert_eq!(kind_of(&prelude(20, 5)), FrameErrorKind::InvalidLength);
    // A 16 MiB length with a good prelude is only waited for (and the wait is bounded).
    let mut d = MessageDecoder::new();
    d.push(&prelude(MAX_MESSAGE_LEN as u32, 0));
    assert_eq!(d.next_message(), Ok(None));
    assert_eq!(d.finish().unwrap_err().kind(), FrameErrorKind::Truncated);

    // Header problems, CRCs made to fit.
    let one_header = |header: &[u8]| {
        let mut v = ((16 + header.len()) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(&(header.len() as u32).to_be_bytes());
        v.extend_from_slice(&[0; 4]);
        v.extend_from_slice(header);
        v.extend_from_slice(&[0; 4]);
        frame_with_fixed_crcs(v)
    };
    assert!(decode_one(&one_header(b"\x01a\x02\x07")).unwrap().is_some());
    for ty in [10u8, 11, 0x7f, 0xff] {
        assert_eq!(
            kind_of(&one_header(&[1, b'a', ty])),
            FrameErrorKind::InvalidHeader,
            "type {ty}"
        );
    }
    for header in [
        &b"\x05ab"[..],               // name past the section
        b"\x01a",                     // no type
        b"\x01a\x04\x00\x00",         // int cut short
        b"\x01a\x07\x00\x05abc",      // string past the section
        b"\x01a\x06\x00",             // byte-array length cut short
        b"\x01a\x09\x00\x01\x02",     // uuid cut short
        b"\x01\xff\x00",              // name not UTF-8
        b"\x01a\x07\x00\x02\xc3\x28", // string not UTF-8
    ] {
        assert_eq!(
            kind_of(&one_header(header)),
            FrameErrorKind::InvalidHeader,
            "{header:?}"
        );
    }
}

#[test]
fn encoding_refuses_what_cannot_be_written() {
    let mut out = b"keep".to_vec();
    let cases = [
        (
            Message::new(Bytes::new()).with_header("n".repeat(256), HeaderValue::Bool(true)),
            FrameErrorKind::InvalidHeader,
        ),
        (
            Message::new(Bytes::new()).with_header("s", HeaderValue::String("x".repeat(65_536))),
            FrameErrorKind::TooLarge,
        ),
        (
            Message::new(Bytes::new())
                .with_header("b", HeaderValue::ByteArray(vec![0; 65_536].into())),
            FrameErrorKind::TooLarge,
        ),
        (
            (0..3).fold(Message::new(Bytes::new()), |m, i| {
                m.with_header(
                    format!("h{i}"),
                    HeaderValue::ByteArray(vec![0; 50_000].into()),
                )
            }),
            FrameErrorKind::TooLarge,
        ),
        (
            Message::new(vec![0; MAX_MESSAGE_LEN - 15]),
            FrameErrorKind::TooLarge,
        ),
        (
            Message::new(Bytes::new())
                .with_header("ts", HeaderValue::Timestamp(DateTime::from_secs(i64::MAX))),
            FrameErrorKind::InvalidHeader,
        ),
    ];
    for (msg, kind) in cases {
        assert_eq!(msg.encode_into(&mut out).unwrap_err().kind(), kind);
        assert_eq!(out, b"keep");
    }
    // The limits themselves are fine.
    let max = Message::new(vec![0; MAX_MESSAGE_LEN - 16]);
    let bytes = max.encode().unwrap();
    assert_eq!(bytes.len(), MAX_MESSAGE_LEN);
    assert_eq!(decode_one(&bytes).unwrap(), Some(max));
    let s = Message::new(Bytes::new())
        .with_header("n".repeat(255), HeaderValue::String("x".repeat(65_535)));
    assert_eq!(decode_one(&s.encode().unwrap()).unwrap(), Some(s));
}

struct Chunks(VecDeque<Result<Bytes, ByteStreamError>>);

impl ChunkSource for Chunks {
    fn poll_chunk(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, ByteStreamError>>> {
        Poll::Ready(self.0.pop_front())
    }
}

fn body(chunks: Vec<Result<Bytes, ByteStreamError>>) -> ByteStream {
    ByteStream::from_source(Chunks(chunks.into()), None)
}

#[tokio::test]
async fn message_stream_reads_a_body() {
    let a = all_types_message();
    let b =
        Message::new(&b"second"[..]).with_header(":event-type", HeaderValue::String("B".into()));
    let mut bytes = a.encode().unwrap().to_vec();
    b.encode_into(&mut bytes).unwrap();
    let cut = [3, 40, bytes.len() - 2];
    let chunks = vec![
        Ok(Bytes::copy_from_slice(&bytes[..cut[0]])),
        Ok(Bytes::copy_from_slice(&bytes[cut[0]..cut[1]])),
        Ok(Bytes::new()),
        Ok(Bytes::copy_from_slice(&bytes[cut[1]..cut[2]])),
        Ok(Bytes::copy_from_slice(&bytes[cut[2]..])),
    ];
    let mut s = MessageStream::new(body(chunks));
    assert_eq!(s.next_message().await, Ok(Some(a.clone())));
    assert_eq!(s.next_message().await, Ok(Some(b)));
    assert_eq!(s.next_message().await, Ok(None));
    assert_eq!(s.next_message().await, Ok(None));

    let whole = MessageStream::new(ByteStream::new(bytes.clone()))
        .next_message()
        .await;
    assert_eq!(whole, Ok(Some(a.clone())));

    let mut s = MessageStream::new(ByteStream::new(bytes[..bytes.len() - 1].to_vec()));
    assert_eq!(s.next_message().await, Ok(Some(a.clone())));
    let err = s.next_message().await.unwrap_err();
    assert_eq!(err.kind(), FrameErrorKind::Truncated);
    assert_eq!(s.next_message().await.unwrap_err(), err);

    let mut s = MessageStream::new(body(vec![
        Ok(Bytes::copy_from_slice(&bytes[..50])),
        Err(ByteStreamError::new("connection reset", None)),
    ]));
    let err = s.next_message().await.unwrap_err();
    assert_eq!(err.kind(), FrameErrorKind::Io);
    assert!(err.to_string().contains("connection reset"), "{err}");
    assert_eq!(s.next_message().await.unwrap_err(), err);

    let mut corrupt = bytes.clone();
    corrupt[20] ^= 1;
    let mut s = MessageStream::new(ByteStream::new(corrupt));
    assert_eq!(
        s.next_message().await.unwrap_err().kind(),
        FrameErrorKind::MessageChecksum
    );
}

/// The inputs of the event-signing vector of the AWS SDKs' tests (smithy-rs
/// `aws-sigv4/src/event_stream.rs`, aws-sdk-swift `SigV4EventSigningTests`, smithy-kotlin
/// `DefaultSignatureCalculatorTest`).
fn sdk_vector() -> (MessageSigner, Message, std::time::SystemTime) {
    let signer = MessageSigner::new(
        "fake access key",
        "fake secret key",
        None,
        "us-east-1",
        "testservice",
        &sha256_hex(b"last message sts"),
    );
    let msg = Message::new(&b"test payload"[..])
        .with_header("some-header", HeaderValue::String("value".into()));
    (signer, msg, UNIX_EPOCH + Duration::new(123_456_789, 1234))
}

#[test]
fn event_string_to_sign_matches_the_sdk_vector() {
    let (signer, msg, _) = sdk_vector();
    let date = Header::new(
        ":date",
        HeaderValue::Timestamp(DateTime::from_secs(123_456_789)),
    );
    let mut date_bytes = Vec::new();
    date.write(&mut date_bytes);
    let sts = string_to_sign(
        b"19731129T213309Z",
        "us-east-1",
        "testservice",
        signer.prior_signature(),
        &date_bytes,
        &msg.encode().unwrap(),
    );
    assert_eq!(
        sts,
        "AWS4-HMAC-SHA256-PAYLOAD\n\
         19731129T213309Z\n\
         19731129/us-east-1/testservice/aws4_request\n\
         be1f8c7d79ef8e1abc5254a2c70e4da3bfaf4f07328f527444e1fc6ea67273e2\n\
         0c0e3b3bf66b59b976181bd7d401927bbd624107303c713fd1e5f3d3c8dd1b1e\n\
         f2eba0f2e95967ee9fbc6db5e678d2fd599229c0d04b11e4fc8e0f2a02a806c6"
    );
}

#[test]
fn signature_matches_the_sdk_vector() {
    let (mut signer, msg, time) = sdk_vector();
    let signed = signer.sign(&msg, time).unwrap();
    // aws-sdk-swift's expected value for these inputs.
    let expected = "1ea04a4f6becd85ae3e38e379ffaf4bb95042603f209512476cc6416868b31ee";
    assert_eq!(signer.prior_signature(), expected);
    assert_eq!(signed.headers.len(), 2);
    assert_eq!(signed.headers[0].name, ":date");
    assert_eq!(
        signed.headers[0].value,
        HeaderValue::Timestamp(DateTime::from_secs(123_456_789)),
        "sub-seconds truncated"
    );
    assert_eq!(signed.headers[1].name, ":chunk-signature");
    match &signed.headers[1].value {
        HeaderValue::ByteArray(b) => assert_eq!(hex(b), expected),
        other => panic!("{other:?}"),
    }
    assert_eq!(signed.payload, msg.encode().unwrap());
    // The signed message itself round-trips.
    assert_eq!(decode_one(&signed.encode().unwrap()).unwrap(), Some(signed));
}

/// Computed independently with Python's hmac/hashlib/zlib from the same inputs (the frames
/// built by hand with struct.pack, the signing key derived step by step):
/// (signature, sha256 of the whole signed frame, its length).
const CHAIN: [(&str, &str, usize); 3] = [
    (
        "3c46d725a00641851cba9bb3f680bc63bd5100fc438054e2443fac1e85d42fcb",
        "ee098fd094ac54f0d327f15d9f4d373030fdd1f10d101106360ad41a96dbdc53",
        200,
    ),
    (
        "20ae8bde9a2e00d25dbc4f3792b87091e8776f80524d97ac157b4cb7b062924e",
        "1a538d4b7b0f2008bf5f4a082245ea209f33945b651b0bfa0bb16f420860315f",
        443,
    ),
    (
        "98734bbb388b19bd6d273808882c132cd5056ac39917ce9285c8f51c7af621df",
        "3dc93c436da5ab487497c52f28f42adfe98e96e42101493ce55e2f6575bf345f",
        83,
    ),
];

fn audio(payload: impl Into<Bytes>) -> Message {
    Message::new(payload)
        .with_header(":message-type", HeaderValue::String("event".into()))
        .with_header(":event-type", HeaderValue::String("AudioEvent".into()))
        .with_header(
            ":content-type",
            HeaderValue::String("application/octet-stream".into()),
        )
}

fn chain(seed: &str) -> Vec<Message> {
    let mut signer = MessageSigner::new(
        "AKIDEXAMPLE",
        "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        Some("session-token"),
        "us-west-2",
        "transcribe",
        seed,
    );
    // 2023-11-14T23:59:58.9Z, 23:59:59.999Z, then 2023-11-15T00:00:00.2Z: the end frame is
    // signed with the next day's key and scope.
    let t = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
    let payload2: Vec<u8> = (0..=255).collect();
    vec![
        signer
            .sign(&audio(&b"audio chunk 1"[..]), t(1_700_006_398_900))
            .unwrap(),
        signer.sign(&audio(payload2), t(1_700_006_399_999)).unwrap(),
        signer.sign_end(t(1_700_006_400_200)),
    ]
}

fn signature_of(m: &Message) -> String {
    match m.header(":chunk-signature") {
        Some(HeaderValue::ByteArray(b)) => hex(b),
        other => panic!("{other:?}"),
    }
}

#[test]
fn signatures_chain_two_messages_and_the_end_frame() {
    let seed = "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31";
    let signed = chain(seed);
    for (i, (m, (sig, frame_sha, len))) in signed.iter().zip(CHAIN).enumerate() {
        assert_eq!(signature_of(m), sig, "message {i}");
        let bytes = m.encode().unwrap();
        assert_eq!(
            (sha256_hex(&bytes), bytes.len()),
            (frame_sha.to_owned(), len),
            "message {i}"
        );
    }
    assert!(signed[2].payload.is_empty());

    // Each signature is over the one before: recompute every string to sign from the
    // previous signature and check the HMAC.
    let mut prior = seed.to_owned();
    for m in &signed {
        let HeaderValue::Timestamp(t) = m.header(":date").unwrap() else {
            panic!()
        };
        let secs = t.secs() as u64;
        let amz = crate::sigv4::time::amz_date(UNIX_EPOCH + Duration::from_secs(secs)).unwrap();
        let mut date_bytes = Vec::new();
        m.headers[0].write(&mut date_bytes);
        let sts = string_to_sign(
            &amz,
            "us-west-2",
            "transcribe",
            &prior,
            &date_bytes,
            &m.payload,
        );
        let key = crate::sigv4::key::derive(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            &amz[..8],
            "us-west-2",
            "transcribe",
        );
        let sig = hex(ring::hmac::sign(&key, sts.as_bytes()).as_ref());
        assert_eq!(sig, signature_of(m));
        prior = sig;
    }

    // Another seed changes every signature down the chain, not just the first.
    let other = chain("0000000000000000000000000000000000000000000000000000000000000000");
    for (a, b) in signed.iter().zip(&other) {
        assert_ne!(signature_of(a), signature_of(b));
        assert_eq!(a.payload, b.payload);
    }
}

#[test]
fn signer_refuses_bad_times_and_sizes_without_breaking_the_chain() {
    let (mut signer, msg, time) = sdk_vector();
    let before = signer.prior_signature().to_owned();
    let err = signer
        .sign(&msg, UNIX_EPOCH - Duration::from_secs(1))
        .unwrap_err();
    assert_eq!(err.kind(), FrameErrorKind::InvalidTime);
    let far = UNIX_EPOCH + Duration::from_secs(253_402_300_800);
    assert_eq!(
        signer.sign(&msg, far).unwrap_err().kind(),
        FrameErrorKind::InvalidTime
    );
    // Fits alone, not once wrapped.
    let big = Message::new(vec![0; MAX_MESSAGE_LEN - 16 - 40]);
    assert!(big.encode().is_ok());
    assert_eq!(
        signer.sign(&big, time).unwrap_err().kind(),
        FrameErrorKind::TooLarge
    );
    let bad = Message::new(Bytes::new()).with_header("n".repeat(300), HeaderValue::Bool(true));
    assert_eq!(
        signer.sign(&bad, time).unwrap_err().kind(),
        FrameErrorKind::InvalidHeader
    );
    assert_eq!(signer.prior_signature(), before);
    // The end frame clamps instead of failing.
    let end = signer.sign_end(UNIX_EPOCH - Duration::from_secs(10));
    assert_eq!(
        end.header(":date"),
        Some(&HeaderValue::Timestamp(DateTime::from_secs(0)))
    );
    let end = signer.sign_end(far);
    assert_eq!(
        end.header(":date"),
        Some(&HeaderValue::Timestamp(DateTime::from_secs(
            253_402_300_799
        )))
    );
    assert_ne!(signer.prior_signature(), before);
}

#[test]
fn signer_debug_redacts_secrets() {
    let signer = MessageSigner::new(
        "AKIDEXAMPLE",
        "SECRETSECRET",
        Some("TOKENTOKEN"),
        "us-east-1",
        "transcribe",
        "abcd",
    );
    let dbg = format!("{signer:?}");
    assert!(!dbg.contains("SECRETSECRET"), "{dbg}");
    assert!(!dbg.contains("TOKENTOKEN"), "{dbg}");
    assert!(
        dbg.contains("AKIDEXAMPLE") && dbg.contains("redacted"),
        "{dbg}"
    );
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Byte strings worth inserting: lengths at and around the limits, type ids, CRC-sized runs.
const TOKENS: &[&[u8]] = &[
    b"\x00\x00\x00\x10",
    b"\x00\x00\x00\x0f",
    b"\x01\x00\x00\x00",
    b"\x01\x00\x00\x01",
    b"\x00\x02\x00\x00",
    b"\x00\x02\x00\x01",
    b"\xff\xff\xff\xff",
    b"\x00\x00\x00\x00",
    b"\x00",
    b"\x06\xff\xff",
    b"\x07\x00\x00",
    b"\x08",
    b"\x09",
    b"\x0a",
    b"\xc3\x28",
    b"\xff",
];

fn mutate(rng: &mut Rng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(3) {
        let len = v.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                v[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                v[i] = rng.next() as u8;
            }
            2 if len > 0 => {
                // Overwrite with a token (lengths and type ids keep their place).
                let t = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len);
                let n = t.len().min(len - i);
                v[i..i + n].copy_from_slice(&t[..n]);
            }
            3 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len + 1);
                v.splice(i..i, t.iter().copied());
            }
            4 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(16));
                v.drain(i..i + n);
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(32));
                let copy = v[i..i + n].to_vec();
                let at = rng.below(len + 1);
                v.splice(at..at, copy);
            }
            6 => v.truncate(rng.below(len + 1)),
            7 => {
                let cut = rng.below(len + 1);
                v.truncate(cut);
                v.extend_from_slice(&other[rng.below(other.len() + 1)..]);
            }
            _ => {}
        }
    }
    v
}

/// CI's bounded pass of the `event_stream_frames` fuzz target: 20,000 mutants of valid
/// frames, half with their CRCs rewritten so the header parser sees them, each decoded
/// whole and in chunks (`validate_fuzz_input`'s checks). A panic fails the test after
/// printing the input.
#[test]
fn mutation_fuzz_of_the_decoder() {
    let mut seeds = vector_frames();
    seeds.push(all_types_message().encode().unwrap().to_vec());
    seeds.push(Message::default().encode().unwrap().to_vec());
    let (mut signer, msg, time) = sdk_vector();
    seeds.push(signer.sign(&msg, time).unwrap().encode().unwrap().to_vec());
    let two = [seeds[0].clone(), seeds[9].clone()].concat();
    seeds.push(two);
    // The cargo-fuzz target's seeds (byte 0 steers, the rest are valid frames).
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fuzz/seeds/event_stream_frames"
    );
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read the fuzz seeds in {dir}: {e}"))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 5, "fuzz seeds missing in {dir}");
    for file in files {
        let data = std::fs::read(&file).unwrap();
        let (n, end) = check_fuzz_input(&data);
        assert!(
            n > 0 && end.is_none(),
            "{}: {n} messages, {end:?}",
            file.display()
        );
        seeds.push(data[1..].to_vec());
    }

    let mut rng = Rng(0x0e5e_a5ee_d000_0001);
    let mut messages = 0;
    let mut kinds = std::collections::BTreeMap::new();
    for i in 0..20_000 {
        let a = &seeds[rng.below(seeds.len())];
        let b = &seeds[rng.below(seeds.len())];
        let fix = if i % 2 == 0 { 0x80 } else { 0 };
        let mut input = vec![fix | (rng.next() as u8 & 0x7f)];
        input.extend(mutate(&mut rng, a, b));
        let run = std::panic::catch_unwind(|| check_fuzz_input(&input));
        match run {
            Ok((n, kind)) => {
                messages += n;
                *kinds.entry(format!("{kind:?}")).or_insert(0) += 1;
            }
            Err(panic) => {
                eprintln!("fuzz input {i} failed: {}", hex(&input));
                std::panic::resume_unwind(panic);
            }
        }
    }
    eprintln!("{messages} messages decoded; outcomes {kinds:?}");
    for kind in [
        "None",
        "Some(Truncated)",
        "Some(PreludeChecksum)",
        "Some(MessageChecksum)",
        "Some(TooLarge)",
        "Some(InvalidHeader)",
        "Some(InvalidLength)",
    ] {
        assert!(
            kinds.get(kind).copied().unwrap_or(0) > 20,
            "{kind} rare: {kinds:?}"
        );
    }
    assert!(messages > 2_000, "{messages}");
}
