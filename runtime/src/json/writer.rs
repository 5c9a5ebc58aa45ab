//! [`JsonWriter`]: a streaming JSON serializer into a `Vec<u8>`.

use crate::types::{base64_encode_into, DateTime, Document, Number, TimestampFormat};

/// Writes compact JSON into a byte buffer.
///
/// Commas and colons are inserted automatically; the caller only says what comes next
/// (`key`, a value, `begin_*`/`end_*`). The writer does not check that calls are balanced —
/// that is the caller's contract (generated code always is). No method allocates beyond
/// growing the output buffer.
///
/// Once a secret has been written ([`sensitive_string`](Self::sensitive_string),
/// [`sensitive_blob`](Self::sensitive_blob)), the buffer never grows by reallocation: each
/// write first makes room itself and zeroes the buffer it leaves, so no partial copy of the
/// secret is freed unwiped. Writers that never see a secret pay one untaken branch per write.
#[derive(Clone, Debug, Default)]
pub struct JsonWriter {
    buf: Vec<u8>,
    /// True when the next key or value must be preceded by a comma: `begin_*` and `key` clear
    /// it, values and `end_*` set it.
    comma: bool,
    /// A secret has been written: growth goes through [`JsonWriter::regrow`].
    wipe: bool,
    /// [`big_number`](Self::big_number) writes a string (rpcv2Json), not a number.
    big_numbers_as_strings: bool,
}

/// For each byte: 0 = copy as is, 1 = `\u00XX`, otherwise the character to put after `\`.
static ESCAPE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = 1;
        i += 1;
    }
    t[b'"' as usize] = b'"';
    t[b'\\' as usize] = b'\\';
    t
};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

impl JsonWriter {
    /// Creates an empty writer, with room for a small request body (most are): growing an
    /// empty buffer to one takes two reallocations.
    pub fn new() -> JsonWriter {
        JsonWriter::with_capacity(128)
    }

    /// Creates a writer whose buffer starts with `capacity` bytes reserved.
    pub fn with_capacity(capacity: usize) -> JsonWriter {
        JsonWriter {
            buf: Vec::with_capacity(capacity),
            comma: false,
            wipe: false,
            big_numbers_as_strings: false,
        }
    }

    /// This writer writes [`big_number`](Self::big_number)s as JSON strings (rpcv2Json's
    /// rule), not as JSON numbers (awsJson's and restJson1's).
    pub fn with_big_numbers_as_strings(mut self) -> JsonWriter {
        self.big_numbers_as_strings = true;
        self
    }

    /// Writes the text of a [`BigInteger`](crate::types::BigInteger) or
    /// [`BigDecimal`](crate::types::BigDecimal) as it is, digit for digit: a JSON number (in
    /// JSON's grammar: no `+`, no leading zeros, digits around the point), or a string for a
    /// writer [`with_big_numbers_as_strings`](Self::with_big_numbers_as_strings).
    pub fn big_number(&mut self, text: &str) {
        if self.big_numbers_as_strings {
            return self.string(text);
        }
        let text = text.strip_prefix('+').unwrap_or(text);
        let (neg, rest) = match text.strip_prefix('-') {
            Some(r) => ("-", r),
            None => ("", text),
        };
        let split = rest.find(['e', 'E']).unwrap_or(rest.len());
        let (num, exp) = rest.split_at(split);
        let (int, frac) = num.split_once('.').unwrap_or((num, ""));
        let int = int.trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        self.room(text.len() + 3);
        self.sep();
        self.buf.extend_from_slice(neg.as_bytes());
        self.buf.extend_from_slice(int.as_bytes());
        if !frac.is_empty() {
            self.buf.push(b'.');
            self.buf.extend_from_slice(frac.as_bytes());
        }
        self.buf.extend_from_slice(exp.as_bytes());
        self.comma = true;
    }

    /// Makes room for `n` more bytes (and a comma) without a reallocation that would leave the
    /// old buffer unwiped, once a secret has been written.
    #[inline]
    fn room(&mut self, n: usize) {
        if self.wipe && self.buf.capacity() - self.buf.len() < n + 1 {
            self.regrow(n + 1);
        }
    }

    /// Moves the contents to a buffer with room for `n` more bytes and zeroes the old one.
    #[cold]
    fn regrow(&mut self, n: usize) {
        let want = (self.buf.len() + n).max(self.buf.capacity() * 2).max(64);
        let mut grown = Vec::with_capacity(want);
        grown.extend_from_slice(&self.buf);
        let mut old = std::mem::replace(&mut self.buf, grown);
        zeroize::Zeroize::zeroize(&mut old);
    }

    /// Writes a secret string value (a `@sensitive` member): as [`string`](Self::string), and
    /// from now on the buffer is wiped whenever it moves.
    pub fn sensitive_string(&mut self, value: &str) {
        self.wipe = true;
        self.string(value);
    }

    /// Writes secret bytes as a base64 string (a `@sensitive` blob member): as
    /// [`blob`](Self::blob), and from now on the buffer is wiped whenever it moves.
    pub fn sensitive_blob(&mut self, value: &[u8]) {
        self.wipe = true;
        self.blob(value);
    }

    /// Returns the JSON written so far.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }

    #[inline]
    fn sep(&mut self) {
        if self.comma {
            self.buf.push(b',');
        }
    }

    /// Writes `{`.
    pub fn begin_object(&mut self) {
        self.room(1);
        self.sep();
        self.buf.push(b'{');
        self.comma = false;
    }

    /// Writes `}`.
    pub fn end_object(&mut self) {
        self.room(1);
        self.buf.push(b'}');
        self.comma = true;
    }

    /// Writes `[`.
    pub fn begin_array(&mut self) {
        self.room(1);
        self.sep();
        self.buf.push(b'[');
        self.comma = false;
    }

    /// Writes `]`.
    pub fn end_array(&mut self) {
        self.room(1);
        self.buf.push(b']');
        self.comma = true;
    }

    /// Writes an object key and its `:`; the next call must write the value.
    pub fn key(&mut self, key: &str) {
        if self.wipe {
            // Comma, the key, colon.
            self.room(escaped_len(key.as_bytes()) + 1);
        }
        self.sep();
        self.escaped(key);
        self.buf.push(b':');
        self.comma = false;
    }

    /// Writes a string value.
    pub fn string(&mut self, value: &str) {
        if self.wipe {
            self.room(escaped_len(value.as_bytes()));
        }
        self.sep();
        self.escaped(value);
        self.comma = true;
    }

    fn escaped(&mut self, s: &str) {
        let bytes = s.as_bytes();
        self.buf.reserve(bytes.len() + 2);
        self.buf.push(b'"');
        let mut run = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let e = ESCAPE[b as usize];
            if e == 0 {
                continue;
            }
            self.buf.extend_from_slice(&bytes[run..i]);
            if e == 1 {
                self.buf.extend_from_slice(b"\\u00");
                self.buf.push(HEX[usize::from(b >> 4)]);
                self.buf.push(HEX[usize::from(b & 0xF)]);
            } else {
                self.buf.push(b'\\');
                self.buf.push(e);
            }
            run = i + 1;
        }
        self.buf.extend_from_slice(&bytes[run..]);
        self.buf.push(b'"');
    }

    fn raw_value(&mut self, text: &[u8]) {
        self.room(text.len());
        self.sep();
        self.buf.extend_from_slice(text);
        self.comma = true;
    }

    /// Writes `true` or `false`.
    pub fn bool(&mut self, value: bool) {
        self.raw_value(if value { b"true" } else { b"false" });
    }

    /// Writes `null`.
    pub fn null(&mut self) {
        self.raw_value(b"null");
    }

    /// Writes an integer.
    pub fn i64(&mut self, value: i64) {
        let mut tmp = [0u8; 20];
        let digits = format_u64(value.unsigned_abs(), &mut tmp);
        self.room(digits.len() + 1);
        self.sep();
        if value < 0 {
            self.buf.push(b'-');
        }
        self.buf.extend_from_slice(digits);
        self.comma = true;
    }

    /// Writes an unsigned integer.
    pub fn u64(&mut self, value: u64) {
        let mut tmp = [0u8; 20];
        let digits = format_u64(value, &mut tmp);
        self.raw_value(digits);
    }

    /// Writes a float in shortest round-trip form; NaN and infinities become the strings
    /// `"NaN"`, `"Infinity"` and `"-Infinity"`.
    pub fn f64(&mut self, value: f64) {
        if let Some(s) = non_finite(value.is_nan(), value.is_infinite(), value < 0.0) {
            return self.string(s);
        }
        // The shortest round-trip form of an f64 is at most 24 characters.
        self.room(32);
        self.sep();
        // `Debug` prints the shortest representation that round-trips, always with a `.` or
        // an exponent (e.g. `1.0`, `0.1`, `1e300`), which is valid JSON.
        let _ = std::io::Write::write_fmt(&mut self.buf, format_args!("{value:?}"));
        self.comma = true;
    }

    /// Writes an `f32` in its own shortest round-trip form (so `0.1f32` is written `0.1`).
    pub fn f32(&mut self, value: f32) {
        if let Some(s) = non_finite(value.is_nan(), value.is_infinite(), value < 0.0) {
            return self.string(s);
        }
        self.room(32);
        self.sep();
        let _ = std::io::Write::write_fmt(&mut self.buf, format_args!("{value:?}"));
        self.comma = true;
    }

    /// Writes bytes as a base64 string.
    pub fn blob(&mut self, value: &[u8]) {
        self.room(value.len().div_ceil(3) * 4 + 2);
        self.sep();
        self.buf.push(b'"');
        base64_encode_into(value, &mut self.buf);
        self.buf.push(b'"');
        self.comma = true;
    }

    /// Writes a timestamp: a number for `EpochSeconds`, a string otherwise.
    pub fn timestamp(&mut self, value: &DateTime, format: TimestampFormat) {
        // An http-date or a date-time with nanoseconds is under 40 bytes, quotes included.
        self.room(48);
        self.sep();
        let quoted = format != TimestampFormat::EpochSeconds;
        if quoted {
            self.buf.push(b'"');
        }
        value.write_to(format, &mut self.buf);
        if quoted {
            self.buf.push(b'"');
        }
        self.comma = true;
    }

    /// Writes a [`Document`].
    pub fn document(&mut self, value: &Document) {
        match value {
            Document::Null => self.null(),
            Document::Bool(b) => self.bool(*b),
            Document::Number(Number::PosInt(v)) => self.u64(*v),
            Document::Number(Number::NegInt(v)) => self.i64(*v),
            Document::Number(Number::Float(v)) => self.f64(*v),
            Document::String(s) => self.string(s),
            Document::Array(items) => {
                self.begin_array();
                for item in items {
                    self.document(item);
                }
                self.end_array();
            }
            Document::Object(map) => {
                self.begin_object();
                for (k, v) in map {
                    self.key(k);
                    self.document(v);
                }
                self.end_object();
            }
        }
    }
}

/// The length of `bytes` as a JSON string, quotes included.
fn escaped_len(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .map(|&b| match ESCAPE[usize::from(b)] {
            0 => 1,
            1 => 6,
            _ => 2,
        })
        .sum::<usize>()
        + 2
}

fn non_finite(nan: bool, inf: bool, neg: bool) -> Option<&'static str> {
    match (nan, inf, neg) {
        (true, _, _) => Some("NaN"),
        (false, true, false) => Some("Infinity"),
        (false, true, true) => Some("-Infinity"),
        _ => None,
    }
}

/// Formats `v` in decimal into the end of `tmp`, returning the digits.
pub(crate) fn format_u64(mut v: u64, tmp: &mut [u8; 20]) -> &[u8] {
    let mut i = tmp.len();
    loop {
        i -= 1;
        tmp[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    &tmp[i..]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(w: JsonWriter) -> String {
        String::from_utf8(w.finish()).unwrap()
    }

    #[test]
    fn nested_commas() {
        let mut w = JsonWriter::new();
        w.begin_object();
        w.key("a");
        w.begin_array();
        w.i64(1);
        w.i64(-2);
        w.begin_object();
        w.end_object();
        w.begin_array();
        w.end_array();
        w.null();
        w.end_array();
        w.key("b");
        w.bool(true);
        w.key("c");
        w.u64(u64::MAX);
        w.end_object();
        assert_eq!(
            text(w),
            r#"{"a":[1,-2,{},[],null],"b":true,"c":18446744073709551615}"#
        );
    }

    #[test]
    fn escaping() {
        let mut w = JsonWriter::with_capacity(8);
        w.string("q\"b\\n\n\u{1}\u{1f}é😀/\u{7f}");
        assert_eq!(text(w), "\"q\\\"b\\\\n\\u000A\\u0001\\u001Fé😀/\u{7f}\"");
    }

    #[test]
    fn floats() {
        let cases: &[(f64, &str)] = &[
            (1.0, "1.0"),
            (0.1, "0.1"),
            (-2.5, "-2.5"),
            (1e300, "1e300"),
            (1e-7, "1e-7"),
            (123456.789, "123456.789"),
            (f64::NAN, "\"NaN\""),
            (f64::INFINITY, "\"Infinity\""),
            (f64::NEG_INFINITY, "\"-Infinity\""),
        ];
        for &(v, want) in cases {
            let mut w = JsonWriter::new();
            w.f64(v);
            assert_eq!(text(w), want);
        }
        let mut w = JsonWriter::new();
        w.begin_array();
        w.f32(0.1);
        w.f32(f32::NAN);
        w.f64(i64::MIN as f64);
        w.i64(i64::MIN);
        w.end_array();
        assert_eq!(
            text(w),
            r#"[0.1,"NaN",-9.223372036854776e18,-9223372036854775808]"#
        );
    }

    #[test]
    fn blob_and_timestamps() {
        let t = DateTime::from_millis(1_398_796_238_123);
        let mut w = JsonWriter::new();
        w.begin_array();
        w.blob(b"hello");
        w.timestamp(&t, TimestampFormat::EpochSeconds);
        w.timestamp(
            &DateTime::from_secs(1_398_796_238),
            TimestampFormat::EpochSeconds,
        );
        w.timestamp(&t, TimestampFormat::DateTime);
        w.timestamp(&t, TimestampFormat::HttpDate);
        w.end_array();
        assert_eq!(
            text(w),
            r#"["aGVsbG8=",1398796238.123,1398796238,"2014-04-29T18:30:38.123Z","Tue, 29 Apr 2014 18:30:38 GMT"]"#
        );
    }
}
