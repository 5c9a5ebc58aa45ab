//! [`CborWriter`]: definite-length CBOR into a `Vec<u8>`.

use crate::types::{DateTime, Document, Number};

/// Writes one CBOR item. Every container gets a definite length: arrays take theirs up front
/// ([`begin_array`](CborWriter::begin_array)); a map is opened with
/// [`begin_map`](CborWriter::begin_map), counts the [`key`](CborWriter::key)s written into it,
/// and [`end_map`](CborWriter::end_map) writes the count into its head (so members left out,
/// such as unset options, need no counting beforehand).
#[derive(Debug, Default)]
pub struct CborWriter {
    buf: Vec<u8>,
    /// Open maps, innermost last: the offset of the head and the keys written so far.
    open: Vec<(usize, u64)>,
}

impl CborWriter {
    /// An empty writer.
    pub fn new() -> CborWriter {
        CborWriter::default()
    }

    /// An empty writer with room for `n` bytes.
    pub fn with_capacity(n: usize) -> CborWriter {
        CborWriter {
            buf: Vec::with_capacity(n),
            open: Vec::new(),
        }
    }

    /// The bytes written; every map must be closed.
    pub fn finish(self) -> Vec<u8> {
        debug_assert!(self.open.is_empty(), "a CBOR map was left open");
        self.buf
    }

    fn head(&mut self, major: u8, arg: u64) {
        let m = major << 5;
        if arg < 24 {
            self.buf.push(m | arg as u8);
        } else if arg <= 0xff {
            self.buf.extend_from_slice(&[m | 24, arg as u8]);
        } else if arg <= 0xffff {
            self.buf.push(m | 25);
            self.buf.extend_from_slice(&(arg as u16).to_be_bytes());
        } else if arg <= 0xffff_ffff {
            self.buf.push(m | 26);
            self.buf.extend_from_slice(&(arg as u32).to_be_bytes());
        } else {
            self.buf.push(m | 27);
            self.buf.extend_from_slice(&arg.to_be_bytes());
        }
    }

    /// Opens a map whose length [`end_map`](CborWriter::end_map) fills in.
    pub fn begin_map(&mut self) {
        self.open.push((self.buf.len(), 0));
        self.buf.push(0xa0);
    }

    /// Writes a key of the innermost open map (a value must follow).
    pub fn key(&mut self, key: &str) {
        if let Some(top) = self.open.last_mut() {
            top.1 += 1;
        }
        self.string(key);
    }

    /// Closes the innermost map, writing its length into its head.
    pub fn end_map(&mut self) {
        let Some((at, count)) = self.open.pop() else {
            debug_assert!(false, "end_map without begin_map");
            return;
        };
        if count < 24 {
            self.buf[at] = 0xa0 | count as u8;
            return;
        }
        let mut head = CborWriter::new();
        head.head(5, count);
        self.buf.splice(at..at + 1, head.buf);
    }

    /// Opens an array of `len` items (write exactly that many).
    pub fn begin_array(&mut self, len: usize) {
        self.head(4, len as u64);
    }

    /// A text string.
    pub fn string(&mut self, s: &str) {
        self.head(3, s.len() as u64);
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// A byte string.
    pub fn blob(&mut self, b: &[u8]) {
        self.head(2, b.len() as u64);
        self.buf.extend_from_slice(b);
    }

    /// `true` or `false`.
    pub fn bool(&mut self, v: bool) {
        self.buf.push(if v { 0xf5 } else { 0xf4 });
    }

    /// `null`.
    pub fn null(&mut self) {
        self.buf.push(0xf6);
    }

    /// An integer, in its shortest encoding.
    pub fn i64(&mut self, v: i64) {
        if v >= 0 {
            self.head(0, v as u64);
        } else {
            self.head(1, !(v as u64));
        }
    }

    /// An unsigned integer.
    pub fn u64(&mut self, v: u64) {
        self.head(0, v);
    }

    /// An arbitrary-precision integer: a plain integer when it fits 64 bits, else a bignum
    /// (tag 2, or tag 3 for a negative one).
    pub fn big_integer(&mut self, v: &crate::types::BigInteger) {
        self.integer_text(v.as_str());
    }

    /// An arbitrary-precision decimal: a decimal fraction (tag 4, `[exponent, mantissa]`),
    /// the mantissa a bignum when it does not fit 64 bits.
    pub fn big_decimal(&mut self, v: &crate::types::BigDecimal) {
        let (exponent, mantissa) = crate::types::decimal_fraction(v.as_str());
        self.head(6, 4);
        self.head(4, 2);
        self.i64(exponent);
        self.integer_text(&mantissa);
    }

    /// The integer of the decimal text `[+-]?[0-9]+`.
    fn integer_text(&mut self, text: &str) {
        let (negative, n) = crate::types::cbor_integer(text);
        let major = u8::from(negative);
        if n.len() <= 8 {
            let arg = n.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
            self.head(major, arg);
        } else {
            self.head(6, 2 + u64::from(major));
            self.blob(&n);
        }
    }

    /// A single-precision float.
    pub fn f32(&mut self, v: f32) {
        self.buf.push(0xfa);
        self.buf.extend_from_slice(&v.to_bits().to_be_bytes());
    }

    /// A double-precision float.
    pub fn f64(&mut self, v: f64) {
        self.buf.push(0xfb);
        self.buf.extend_from_slice(&v.to_bits().to_be_bytes());
    }

    /// A timestamp: tag 1 (epoch-based date/time) over a double of seconds since the epoch.
    pub fn timestamp(&mut self, v: &DateTime) {
        self.buf.push(0xc1);
        self.f64(v.as_secs_f64());
    }

    /// A document: JSON's data model in CBOR (objects as maps with text keys).
    pub fn document(&mut self, d: &Document) {
        match d {
            Document::Null => self.null(),
            Document::Bool(b) => self.bool(*b),
            Document::Number(Number::PosInt(n)) => self.u64(*n),
            Document::Number(Number::NegInt(n)) => self.i64(*n),
            Document::Number(Number::Float(f)) => self.f64(*f),
            Document::String(s) => self.string(s),
            Document::Array(items) => {
                self.begin_array(items.len());
                for i in items {
                    self.document(i);
                }
            }
            Document::Object(map) => {
                self.begin_map();
                for (k, v) in map {
                    self.key(k);
                    self.document(v);
                }
                self.end_map();
            }
        }
    }
}
