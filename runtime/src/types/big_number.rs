//! [`BigInteger`] and [`BigDecimal`]: Smithy's arbitrary-precision numbers, kept as validated
//! decimal text (as the official Rust SDK's `aws_smithy_types` does), so no value is rounded on
//! its way between the wire and the user. Arithmetic is the user's business (parse the text with
//! the big-number crate of their choice); the codecs only move the digits, and convert them to
//! and from CBOR's binary bignums and decimal fractions.

use std::fmt;
use std::str::FromStr;

/// Why a text is not a big number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BigNumberError {
    text: String,
    what: &'static str,
}

impl fmt::Display for BigNumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} is not {}", self.text, self.what)
    }
}

impl std::error::Error for BigNumberError {}

/// The longest text accepted (a bound on the work any codec does with one value).
const MAX_LEN: usize = 4096;

/// An arbitrary-precision integer (a Smithy `bigInteger`): decimal text `[+-]?[0-9]+`.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct BigInteger(String);

/// An arbitrary-precision decimal number (a Smithy `bigDecimal`): decimal text with an
/// optional fraction and exponent (`-12.5`, `1e-30`, `0.100000000000000000000001`); no NaN or
/// infinities.
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct BigDecimal(String);

/// Length of the digit run of `b` from `i`.
fn digits(b: &[u8], i: usize) -> usize {
    b[i.min(b.len())..]
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .count()
}

fn sign(b: &[u8]) -> usize {
    usize::from(matches!(b.first(), Some(b'+' | b'-')))
}

fn is_integer(s: &str) -> bool {
    let b = s.as_bytes();
    let i = sign(b);
    s.len() <= MAX_LEN && i < b.len() && digits(b, i) == b.len() - i
}

fn is_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    if s.len() > MAX_LEN {
        return false;
    }
    let mut i = sign(b);
    let int = digits(b, i);
    i += int;
    let mut frac = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac = digits(b, i);
        i += frac;
    }
    if int + frac == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += sign(&b[i..]);
        let exp = digits(b, i);
        // The exponent fits an i64 with room to spare (it is adjusted by the digit count).
        if exp == 0 || exp > 15 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

impl BigInteger {
    /// The decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value as an `i64`, when it fits.
    pub fn to_i64(&self) -> Option<i64> {
        self.0.parse().ok()
    }
}

impl BigDecimal {
    /// The decimal text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The nearest `f64` (lossy; infinite when out of range).
    pub fn to_f64(&self) -> f64 {
        self.0.parse().unwrap_or(f64::NAN)
    }
}

impl FromStr for BigInteger {
    type Err = BigNumberError;
    fn from_str(s: &str) -> Result<Self, BigNumberError> {
        if is_integer(s) {
            Ok(BigInteger(s.to_owned()))
        } else {
            Err(BigNumberError {
                text: s.chars().take(64).collect(),
                what: "an integer",
            })
        }
    }
}

impl FromStr for BigDecimal {
    type Err = BigNumberError;
    fn from_str(s: &str) -> Result<Self, BigNumberError> {
        if is_decimal(s) {
            Ok(BigDecimal(s.to_owned()))
        } else {
            Err(BigNumberError {
                text: s.chars().take(64).collect(),
                what: "a decimal number",
            })
        }
    }
}

impl Default for BigInteger {
    fn default() -> Self {
        BigInteger("0".to_owned())
    }
}

impl Default for BigDecimal {
    fn default() -> Self {
        BigDecimal("0".to_owned())
    }
}

impl fmt::Display for BigInteger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for BigDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! from_ints {
    ($($t:ty),*) => {$(
        impl From<$t> for BigInteger {
            fn from(v: $t) -> Self {
                BigInteger(v.to_string())
            }
        }
        impl From<$t> for BigDecimal {
            fn from(v: $t) -> Self {
                BigDecimal(v.to_string())
            }
        }
    )*};
}
from_ints!(i8, i16, i32, i64, i128, u8, u16, u32, u64, u128);

impl From<BigInteger> for BigDecimal {
    fn from(v: BigInteger) -> Self {
        BigDecimal(v.0)
    }
}

impl TryFrom<f64> for BigDecimal {
    type Error = BigNumberError;
    /// The shortest text that reads back as `v`; NaN and infinities are refused.
    fn try_from(v: f64) -> Result<Self, BigNumberError> {
        format!("{v:?}").parse()
    }
}

// --- Conversions for CBOR: magnitudes as big-endian bytes. ---

/// Little-endian base-2^32 limbs of a decimal digit string.
fn limbs_of(digits: &[u8]) -> Vec<u32> {
    let mut limbs: Vec<u32> = Vec::new();
    for &d in digits {
        let mut carry = u64::from(d - b'0');
        for l in &mut limbs {
            let v = u64::from(*l) * 10 + carry;
            *l = v as u32;
            carry = v >> 32;
        }
        if carry != 0 {
            limbs.push(carry as u32);
        }
    }
    limbs
}

/// Decimal text of a big-endian magnitude.
fn decimal_of(be: &[u8]) -> String {
    // Base 10^9 limbs, little-endian.
    let mut parts: Vec<u32> = Vec::new();
    for &b in be {
        let mut carry = u64::from(b);
        for p in &mut parts {
            let v = u64::from(*p) * 256 + carry;
            *p = (v % 1_000_000_000) as u32;
            carry = v / 1_000_000_000;
        }
        while carry != 0 {
            parts.push((carry % 1_000_000_000) as u32);
            carry /= 1_000_000_000;
        }
    }
    let mut out = match parts.last() {
        Some(top) => top.to_string(),
        None => return "0".to_owned(),
    };
    for p in parts.iter().rev().skip(1) {
        out.push_str(&format!("{p:09}"));
    }
    out
}

fn be_bytes(limbs: &[u32]) -> Vec<u8> {
    let mut out: Vec<u8> = limbs.iter().rev().flat_map(|l| l.to_be_bytes()).collect();
    let first = out.iter().position(|&b| b != 0).unwrap_or(out.len());
    out.drain(..first);
    out
}

fn sub_one(limbs: &mut [u32]) {
    for l in limbs {
        let (v, borrow) = l.overflowing_sub(1);
        *l = v;
        if !borrow {
            break;
        }
    }
}

fn add_one(be: &mut Vec<u8>) {
    for b in be.iter_mut().rev() {
        let (v, carry) = b.overflowing_add(1);
        *b = v;
        if !carry {
            return;
        }
    }
    be.insert(0, 1);
}

/// An integer as CBOR encodes it: `(negative, n)` for the value `n` (non-negative) or `-1 - n`
/// (negative), `n` as big-endian bytes without leading zeros. `digits` is `[+-]?[0-9]+`.
pub(crate) fn cbor_integer(text: &str) -> (bool, Vec<u8>) {
    let b = text.as_bytes();
    let neg = b.first() == Some(&b'-');
    let mut limbs = limbs_of(&b[sign(b)..]);
    let zero = limbs.iter().all(|&l| l == 0);
    if neg && !zero {
        sub_one(&mut limbs);
        (true, be_bytes(&limbs))
    } else {
        (false, be_bytes(&limbs))
    }
}

/// The decimal text of a CBOR integer `(negative, n)` (see [`cbor_integer`]).
pub(crate) fn integer_text(negative: bool, n: &[u8]) -> String {
    if negative {
        let mut m = n.to_vec();
        add_one(&mut m);
        format!("-{}", decimal_of(&m))
    } else {
        decimal_of(n)
    }
}

/// A decimal as a CBOR decimal fraction: `(exponent, mantissa text)` with
/// `value = mantissa * 10^exponent`.
pub(crate) fn decimal_fraction(text: &str) -> (i64, String) {
    let (num, exp) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], text[i + 1..].parse::<i64>().unwrap_or(0)),
        None => (text, 0),
    };
    let (int, frac) = num.split_once('.').unwrap_or((num, ""));
    let mut mantissa = String::with_capacity(num.len());
    mantissa.push_str(int);
    mantissa.push_str(frac);
    if mantissa.len() == sign(mantissa.as_bytes()) {
        // `.5` has no integer digits, `5.` no fraction digits: at least one is there.
        mantissa.push('0');
    }
    (exp - frac.len() as i64, mantissa)
}

/// The decimal text of `mantissa * 10^exponent`: plain digits with a point when that is short,
/// else with an exponent.
pub(crate) fn fraction_text(exponent: i64, mantissa: &str) -> String {
    let (neg, digits) = match mantissa.strip_prefix('-') {
        Some(d) => ("-", d),
        None => ("", mantissa),
    };
    match exponent {
        0 => mantissa.to_owned(),
        e if e < 0 && e >= -(MAX_LEN as i64) / 2 => {
            let point = e.unsigned_abs() as usize;
            if digits.len() > point {
                let (i, f) = digits.split_at(digits.len() - point);
                format!("{neg}{i}.{f}")
            } else {
                format!("{neg}0.{}{digits}", "0".repeat(point - digits.len()))
            }
        }
        e => format!("{mantissa}e{e}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation() {
        for ok in [
            "0",
            "-1",
            "+7",
            "9223372036854775808",
            "-9223372036854775809",
        ] {
            assert_eq!(ok.parse::<BigInteger>().unwrap().as_str(), ok);
        }
        for bad in ["", "-", "1.0", "1e3", " 1", "0x10", "NaN"] {
            assert!(bad.parse::<BigInteger>().is_err(), "{bad}");
        }
        for ok in [
            "0",
            "1.5",
            "-0.100000000000000000000001",
            "1e-30",
            "2E+5",
            ".5",
            "5.",
            "100000000000000000000001.0",
        ] {
            assert_eq!(ok.parse::<BigDecimal>().unwrap().to_string(), ok);
        }
        for bad in [
            "",
            ".",
            "-",
            "1e",
            "1e+",
            "NaN",
            "Infinity",
            "1.2.3",
            "1e1234567890123456",
            "--1",
        ] {
            assert!(bad.parse::<BigDecimal>().is_err(), "{bad}");
        }
        let e = "x".parse::<BigInteger>().unwrap_err();
        assert_eq!(e.to_string(), "\"x\" is not an integer");
        assert_eq!(BigInteger::from(-5i64).as_str(), "-5");
        assert_eq!(BigDecimal::from(u64::MAX).as_str(), "18446744073709551615");
        assert_eq!(BigDecimal::try_from(0.1).unwrap().as_str(), "0.1");
        assert!(BigDecimal::try_from(f64::NAN).is_err());
        assert_eq!(BigInteger::default().to_i64(), Some(0));
    }

    #[test]
    fn cbor_integers() {
        assert_eq!(cbor_integer("0"), (false, vec![]));
        assert_eq!(cbor_integer("-0"), (false, vec![]));
        assert_eq!(cbor_integer("-1"), (true, vec![]));
        assert_eq!(cbor_integer("256"), (false, vec![1, 0]));
        assert_eq!(cbor_integer("-257"), (true, vec![1, 0]));
        assert_eq!(
            cbor_integer("18446744073709551616"),
            (false, vec![1, 0, 0, 0, 0, 0, 0, 0, 0])
        );
        for t in [
            "0",
            "1",
            "-1",
            "255",
            "-256",
            "9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890123456789",
        ] {
            let (neg, n) = cbor_integer(t);
            assert_eq!(integer_text(neg, &n), t);
        }
        assert_eq!(integer_text(false, &[0, 0, 5]), "5");
    }

    #[test]
    fn decimal_fractions() {
        assert_eq!(decimal_fraction("1.5"), (-1, "15".to_owned()));
        assert_eq!(decimal_fraction("-0.25e3"), (1, "-025".to_owned()));
        assert_eq!(decimal_fraction(".5"), (-1, "5".to_owned()));
        assert_eq!(decimal_fraction("5."), (0, "5".to_owned()));
        assert_eq!(decimal_fraction("42"), (0, "42".to_owned()));
        assert_eq!(fraction_text(-1, "15"), "1.5");
        assert_eq!(
            fraction_text(-24, "100000000000000000000001"),
            "0.100000000000000000000001"
        );
        assert_eq!(fraction_text(-3, "-5"), "-0.005");
        assert_eq!(fraction_text(2, "7"), "7e2");
        assert_eq!(fraction_text(0, "-7"), "-7");
        assert_eq!(fraction_text(i64::MIN, "7"), format!("7e{}", i64::MIN));
    }

    #[test]
    fn json_keeps_every_digit() {
        use crate::json::{JsonReader, JsonWriter};
        let doc = br#"[9223372036854775808, "-9223372036854775809", 0.100000000000000000000001, "1.5", 1e-30]"#;
        let mut r = JsonReader::new(doc);
        r.begin_array().unwrap();
        assert!(r.next_element().unwrap());
        assert_eq!(r.big_integer().unwrap().as_str(), "9223372036854775808");
        assert!(r.next_element().unwrap());
        assert_eq!(r.big_integer().unwrap().as_str(), "-9223372036854775809");
        assert!(r.next_element().unwrap());
        assert_eq!(
            r.big_decimal().unwrap().as_str(),
            "0.100000000000000000000001"
        );
        assert!(r.next_element().unwrap());
        assert_eq!(r.big_decimal().unwrap().as_str(), "1.5");
        assert!(r.next_element().unwrap());
        assert_eq!(r.big_decimal().unwrap().as_str(), "1e-30");
        assert!(!r.next_element().unwrap());
        assert!(JsonReader::new(b"1.5").big_integer().is_err());
        assert!(JsonReader::new(b"\"abc\"").big_decimal().is_err());

        let mut w = JsonWriter::new();
        w.begin_array();
        for t in ["+7", "-007.50", ".5", "5.", "1E+3"] {
            w.big_number(t.parse::<BigDecimal>().unwrap().as_str());
        }
        w.end_array();
        assert_eq!(w.finish(), b"[7,-7.50,0.5,5,1E+3]");
        let mut w = JsonWriter::new().with_big_numbers_as_strings();
        w.big_number("9223372036854775808");
        assert_eq!(w.finish(), b"\"9223372036854775808\"");
    }

    #[test]
    fn cbor_round_trips() {
        use crate::cbor::{CborReader, CborWriter};
        for t in [
            "0",
            "-1",
            "23",
            "-24",
            "18446744073709551615",
            "-18446744073709551616",
            "18446744073709551616",
            "-18446744073709551617",
            "-9223372036854775809",
        ] {
            let mut w = CborWriter::new();
            w.big_integer(&t.parse().unwrap());
            let bytes = w.finish();
            assert_eq!(
                CborReader::new(&bytes).big_integer().unwrap().as_str(),
                t,
                "{bytes:x?}"
            );
        }
        let mut w = CborWriter::new();
        w.big_integer(&"18446744073709551616".parse().unwrap());
        assert_eq!(w.finish(), [0xc2, 0x49, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
        let mut w = CborWriter::new();
        w.big_decimal(&"273.15".parse().unwrap());
        // RFC 8949's example of a decimal fraction.
        assert_eq!(w.finish(), [0xc4, 0x82, 0x21, 0x19, 0x6a, 0xb3]);
        for t in [
            "1.5",
            "-0.100000000000000000000001",
            "100000000000000000000001.0",
            "0.5",
        ] {
            let mut w = CborWriter::new();
            w.big_decimal(&t.parse().unwrap());
            let bytes = w.finish();
            assert_eq!(CborReader::new(&bytes).big_decimal().unwrap().as_str(), t);
        }
        // Plain integers and floats read as decimals too.
        assert_eq!(
            CborReader::new(&[0x18, 0x2a])
                .big_decimal()
                .unwrap()
                .as_str(),
            "42"
        );
        assert_eq!(
            CborReader::new(&[0xf9, 0x3e, 0x00])
                .big_decimal()
                .unwrap()
                .as_str(),
            "1.5"
        );
        assert!(CborReader::new(&[0xf9, 0x7e, 0x00]).big_decimal().is_err());
        assert!(CborReader::new(&[0xc4, 0x81, 0x01]).big_decimal().is_err());
        assert!(CborReader::new(&[0x61, 0x31]).big_integer().is_err());
        let mut long = vec![0xc2, 0x59, 0x04, 0x01];
        long.extend(std::iter::repeat_n(0xff, 1025));
        assert!(CborReader::new(&long).big_integer().is_err());
    }
}
