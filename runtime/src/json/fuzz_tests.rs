//! Randomized robustness test: ~100k mutated inputs derived from valid JSON must never panic,
//! and whatever parses must round-trip through `Document::to_json`.

use super::validate_fuzz_input;
use crate::types::Document;

const SAMPLES: &[&str] = &[
    r#"{"Name":"secret","SecretString":"a\"b\\c\u00e9\ud83d\ude00","VersionStages":["AWSCURRENT"],"CreatedDate":1398796238.123}"#,
    r#"[0,-0,1.5,-2.5e-3,1E+10,123456789012345678901,-9223372036854775808,18446744073709551615]"#,
    r#"{"a":{"b":{"c":[null,true,false,{"d":[]}]}},"e":"2014-04-29T18:30:38.123Z","f":"Tue, 29 Apr 2014 18:30:38 GMT"}"#,
    r#"{"blob":"aGVsbG8gd29ybGQ=","nan":"NaN","inf":"-Infinity","t":"\t\n\r\b\f\/"}"#,
    r#"  [ "x" , { "" : "" } , [ [ [ ] ] ] ]  "#,
    "\"caf\u{e9} \u{1F600} \\u0000\"",
    "1e308",
    "-0.000001",
    "{\"__type\":\"com.amazon#ResourceNotFoundException\",\"message\":\"nope\"}",
];

/// Interesting fragments to splice in.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\\",
    b"\\u",
    b"\\ud800",
    b"\\udc00",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"-",
    b"e",
    b"E+",
    b".",
    b"0",
    b"9",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"\xf0\x9f\x98",
    b" ",
    b"\x00",
    b"1e999",
    b"[[[[[[[[",
    b"NaN",
];

/// A small deterministic random source (also used by the reader tests).
pub(super) struct XorShift(pub(super) u64);

impl XorShift {
    pub(super) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    pub(super) fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Applies one to four random edits (flips, insertions, deletions, splices of JSON tokens).
pub(super) fn mutate(rng: &mut XorShift, data: &mut Vec<u8>) {
    let rounds = 1 + rng.below(4);
    for _ in 0..rounds {
        let len = data.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                data[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                data[i] = rng.next() as u8;
            }
            2 => {
                let i = rng.below(len + 1);
                data.insert(i, rng.next() as u8);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = 1 + rng.below((len - i).min(8));
                data.drain(i..i + n);
            }
            4 => {
                let i = rng.below(len + 1);
                data.truncate(i);
            }
            5 if len > 0 => {
                let a = rng.below(len);
                let b = a + rng.below(len - a);
                let copy = data[a..b].to_vec();
                let at = rng.below(len + 1);
                data.splice(at..at, copy);
            }
            _ => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let at = rng.below(len + 1);
                data.splice(at..at, t.iter().copied());
            }
        }
    }
}

#[test]
fn samples_are_valid_and_roundtrip() {
    for s in SAMPLES {
        let d = Document::parse(s.as_bytes()).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert_eq!(Document::parse(d.to_json().as_bytes()).unwrap(), d);
        validate_fuzz_input(s.as_bytes());
    }
}

#[test]
fn mutated_inputs_never_panic() {
    let mut parsed = 0usize;
    let mut rejected = 0usize;
    for seed in 1..=4u64 {
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0xD1B5_4A32_D192_ED03));
        for _ in 0..25_000 {
            let mut data = SAMPLES[rng.below(SAMPLES.len())].as_bytes().to_vec();
            mutate(&mut rng, &mut data);
            // Panics (inside the reader or on a failed round trip) fail this test.
            validate_fuzz_input(&data);
            if Document::parse(&data).is_ok() {
                parsed += 1;
            } else {
                rejected += 1;
            }
        }
    }
    assert_eq!(parsed + rejected, 100_000);
    // The mutator must produce both outcomes or the test proves little.
    assert!(
        parsed > 1_000 && rejected > 10_000,
        "parsed {parsed}, rejected {rejected}"
    );
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = XorShift(42);
    for _ in 0..5_000 {
        let len = rng.below(64);
        let data: Vec<u8> = (0..len)
            .map(|_| b"{}[]\",:0123456789.-eE tfnlrusa\\"[rng.below(31)])
            .collect();
        validate_fuzz_input(&data);
    }
}
