//! [`CborReader`]: a borrowing, depth-limited pull parser.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::CborError;
use crate::types::{base64_encode, DateTime, Document, Number};

type CResult<T> = Result<T, CborError>;

/// Default maximum nesting depth of arrays and maps.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// The `break` stop code ending an indefinite-length item.
const BREAK: u8 = 0xff;

/// The kind of the next value (after any tags), as reported by [`CborReader::peek_kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// An unsigned or negative integer.
    Integer,
    /// A byte string.
    Bytes,
    /// A text string.
    Text,
    /// An array.
    Array,
    /// A map.
    Map,
    /// `true` or `false`.
    Bool,
    /// `null` or `undefined`.
    Null,
    /// A half, single or double float.
    Float,
    /// Another simple value, or the break code.
    Other,
}

/// An open array or map: pairs (maps) or items (arrays) left, `None` when indefinite.
#[derive(Clone, Copy, Debug)]
struct Frame {
    map: bool,
    remaining: Option<u64>,
}

/// A pull parser over one complete CBOR item.
///
/// Values are read with the typed methods; containers are walked with [`begin_map`] +
/// [`next_key`] and [`begin_array`] + [`next_element`], which handle definite and indefinite
/// lengths alike. Text keys and strings are borrowed from the input when they are of definite
/// length. Nesting deeper than the limit ([`DEFAULT_MAX_DEPTH`] unless set with
/// [`with_max_depth`]) is an error. No input makes any method panic.
///
/// [`begin_map`]: CborReader::begin_map
/// [`next_key`]: CborReader::next_key
/// [`begin_array`]: CborReader::begin_array
/// [`next_element`]: CborReader::next_element
/// [`with_max_depth`]: CborReader::with_max_depth
#[derive(Clone, Debug)]
pub struct CborReader<'a> {
    input: &'a [u8],
    pos: usize,
    stack: Vec<Frame>,
    max_depth: usize,
}

/// The head of a data item: major type, additional information, argument (`None` for an
/// indefinite length).
struct Head {
    major: u8,
    info: u8,
    arg: Option<u64>,
}

/// The longest bignum read (about 2,400 decimal digits): bounds the work of converting it.
const MAX_BIGNUM_BYTES: usize = 1024;

impl<'a> CborReader<'a> {
    /// Creates a reader over `input` with the default depth limit.
    pub fn new(input: &'a [u8]) -> CborReader<'a> {
        CborReader::with_max_depth(input, DEFAULT_MAX_DEPTH)
    }

    /// Creates a reader with a custom nesting limit.
    pub fn with_max_depth(input: &'a [u8], max_depth: usize) -> CborReader<'a> {
        CborReader {
            input,
            pos: 0,
            stack: Vec::new(),
            max_depth,
        }
    }

    /// Current byte offset into the input.
    pub fn offset(&self) -> usize {
        self.pos
    }

    fn err<T>(&self, reason: impl Into<String>) -> CResult<T> {
        Err(CborError::new(self.pos, reason))
    }

    #[inline]
    fn peek_byte(&self) -> CResult<u8> {
        match self.input.get(self.pos) {
            Some(&b) => Ok(b),
            None => self.err("unexpected end of input"),
        }
    }

    #[inline]
    fn take(&mut self, n: u64) -> CResult<&'a [u8]> {
        let left = (self.input.len() - self.pos) as u64;
        if n > left {
            return self.err(format!("length {n} runs past the end of the input"));
        }
        let start = self.pos;
        self.pos += n as usize;
        Ok(&self.input[start..self.pos])
    }

    /// Reads a head at the current position.
    #[inline]
    fn head(&mut self) -> CResult<Head> {
        let b = self.peek_byte()?;
        let (major, info) = (b >> 5, b & 0x1f);
        let start = self.pos;
        self.pos += 1;
        let arg = match info {
            0..=23 => Some(u64::from(info)),
            24..=27 => {
                let n = 1u64 << (info - 24);
                let bytes = self.take(n)?;
                Some(bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b)))
            }
            31 if matches!(major, 2..=5) => None,
            31 if major == 7 => {
                self.pos = start;
                return self.err("unexpected break");
            }
            _ => {
                self.pos = start;
                return self.err(format!("reserved additional information {info}"));
            }
        };
        Ok(Head { major, info, arg })
    }

    /// Skips tags, returning the last one skipped.
    #[inline]
    fn skip_tags(&mut self) -> CResult<Option<u64>> {
        if self.input.get(self.pos).is_some_and(|b| b >> 5 != 6) {
            return Ok(None);
        }
        let mut last = None;
        while self.peek_byte()? >> 5 == 6 {
            last = self.head()?.arg;
        }
        Ok(last)
    }

    /// Reports the kind of the next value (looking through tags) without consuming it.
    pub fn peek_kind(&mut self) -> CResult<Kind> {
        let save = self.pos;
        let kind = self.skip_tags().and_then(|_| {
            let b = self.peek_byte()?;
            Ok(match (b >> 5, b & 0x1f) {
                (0 | 1, _) => Kind::Integer,
                (2, _) => Kind::Bytes,
                (3, _) => Kind::Text,
                (4, _) => Kind::Array,
                (5, _) => Kind::Map,
                (7, 20 | 21) => Kind::Bool,
                (7, 22 | 23) => Kind::Null,
                (7, 25..=27) => Kind::Float,
                _ => Kind::Other,
            })
        });
        self.pos = save;
        kind
    }

    /// Reads a value that may be `null` (or `undefined`): `None` for those, else
    /// `Some(read(self))`.
    pub fn optional<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> CResult<T>,
    ) -> CResult<Option<T>> {
        if self.take_null()? {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    /// If the next value is `null` or `undefined`, consumes it and returns true; otherwise
    /// consumes nothing.
    #[inline]
    pub fn take_null(&mut self) -> CResult<bool> {
        if matches!(self.peek_byte()?, 0xf6 | 0xf7) {
            self.pos += 1;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn begin(&mut self, map: bool) -> CResult<Option<u64>> {
        self.skip_tags()?;
        let start = self.pos;
        let h = self.head()?;
        let want = if map { 5 } else { 4 };
        if h.major != want {
            self.pos = start;
            return self.err(if map {
                "expected a map"
            } else {
                "expected an array"
            });
        }
        if self.stack.len() >= self.max_depth {
            self.pos = start;
            return self.err("nesting too deep");
        }
        self.stack.push(Frame {
            map,
            remaining: h.arg,
        });
        Ok(h.arg)
    }

    /// Enters a map; walk it with [`next_key`](CborReader::next_key).
    pub fn begin_map(&mut self) -> CResult<()> {
        self.begin(true).map(drop)
    }

    /// Enters an array; walk it with [`next_element`](CborReader::next_element).
    pub fn begin_array(&mut self) -> CResult<()> {
        self.begin(false).map(drop)
    }

    /// Whether the innermost container has another entry; leaves it when it has none.
    #[inline]
    fn next_entry(&mut self, map: bool) -> CResult<bool> {
        let Some(top) = self.stack.last_mut() else {
            return self.err("not inside a map or an array");
        };
        if top.map != map {
            return self.err(if map {
                "not inside a map"
            } else {
                "not inside an array"
            });
        }
        match top.remaining {
            Some(0) => {
                self.stack.pop();
                Ok(false)
            }
            Some(n) => {
                top.remaining = Some(n - 1);
                Ok(true)
            }
            None => {
                if self.peek_byte()? == BREAK {
                    self.pos += 1;
                    self.stack.pop();
                    Ok(false)
                } else {
                    Ok(true)
                }
            }
        }
    }

    /// The next key of the current map (a text string), or `None` at its end (the map is then
    /// left). Read or skip exactly one value after each key.
    pub fn next_key(&mut self) -> CResult<Option<Cow<'a, str>>> {
        if !self.next_entry(true)? {
            return Ok(None);
        }
        if self.peek_byte()? >> 5 != 3 && self.peek_kind()? != Kind::Text {
            return self.err("a map key is not a text string");
        }
        self.string().map(Some)
    }

    /// Whether the current array has another element; `false` at its end (the array is then
    /// left).
    #[inline]
    pub fn next_element(&mut self) -> CResult<bool> {
        self.next_entry(false)
    }

    /// Reads a text or byte string (`major` 3 or 2), definite or indefinite.
    fn chunks(&mut self, major: u8, what: &str) -> CResult<Cow<'a, [u8]>> {
        self.skip_tags()?;
        let start = self.pos;
        let h = self.head()?;
        if h.major != major {
            self.pos = start;
            return self.err(format!("expected {what}"));
        }
        match h.arg {
            Some(len) => self.take(len).map(Cow::Borrowed),
            None => {
                let mut out = Vec::new();
                loop {
                    if self.peek_byte()? == BREAK {
                        self.pos += 1;
                        return Ok(Cow::Owned(out));
                    }
                    let at = self.pos;
                    let c = self.head()?;
                    let Some(len) = c.arg.filter(|_| c.major == major) else {
                        self.pos = at;
                        return self.err(format!(
                            "a chunk of an indefinite-length {what} is not a definite {what}"
                        ));
                    };
                    let bytes = self.take(len)?;
                    if major == 3 && std::str::from_utf8(bytes).is_err() {
                        self.pos = at;
                        return self.err("invalid UTF-8 in a text string chunk");
                    }
                    out.extend_from_slice(bytes);
                }
            }
        }
    }

    /// Reads a text string, borrowed when it has a definite length.
    pub fn string(&mut self) -> CResult<Cow<'a, str>> {
        let start = self.pos;
        if let Some(&b) = self.input.get(start) {
            let len = match b {
                0x60..=0x77 => Some((1, usize::from(b - 0x60))),
                0x78 => self.input.get(start + 1).map(|&n| (2, usize::from(n))),
                _ => None,
            };
            if let Some((head, len)) = len {
                let body = start + head;
                if let Some(bytes) = self.input.get(body..body + len) {
                    self.pos = body + len;
                    return match std::str::from_utf8(bytes) {
                        Ok(s) => Ok(Cow::Borrowed(s)),
                        Err(_) => Err(CborError::new(start, "invalid UTF-8 in a text string")),
                    };
                }
            }
        }
        match self.chunks(3, "a text string")? {
            Cow::Borrowed(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(Cow::Borrowed(s)),
                Err(_) => Err(CborError::new(start, "invalid UTF-8 in a text string")),
            },
            Cow::Owned(v) => String::from_utf8(v)
                .map(Cow::Owned)
                .map_err(|_| CborError::new(start, "invalid UTF-8 in a text string")),
        }
    }

    /// Reads a text string into a `String`.
    #[inline]
    pub fn string_owned(&mut self) -> CResult<String> {
        self.string().map(Cow::into_owned)
    }

    /// Reads a byte string.
    pub fn blob(&mut self) -> CResult<Vec<u8>> {
        self.chunks(2, "a byte string").map(Cow::into_owned)
    }

    /// Reads `true` or `false`.
    #[inline]
    pub fn bool(&mut self) -> CResult<bool> {
        self.skip_tags()?;
        match self.peek_byte()? {
            0xf4 => {
                self.pos += 1;
                Ok(false)
            }
            0xf5 => {
                self.pos += 1;
                Ok(true)
            }
            _ => self.err("expected a boolean"),
        }
    }

    /// Reads an integer (major types 0 and 1, or a bignum, tags 2 and 3).
    fn integer(&mut self) -> CResult<i128> {
        let start = self.pos;
        let tag = self.skip_tags()?;
        if matches!(tag, Some(2 | 3)) && self.peek_byte()? >> 5 == 2 {
            let bytes = self.chunks(2, "a byte string")?;
            let digits: &[u8] = &bytes;
            let first = digits.iter().position(|&b| b != 0).unwrap_or(digits.len());
            let digits = &digits[first..];
            if digits.len() > 8 {
                return Err(CborError::new(start, "integer out of range"));
            }
            let n = digits.iter().fold(0u64, |a, &b| (a << 8) | u64::from(b));
            return Ok(if tag == Some(2) {
                i128::from(n)
            } else {
                -1 - i128::from(n)
            });
        }
        let at = self.pos;
        let h = self.head()?;
        match (h.major, h.arg) {
            (0, Some(n)) => Ok(i128::from(n)),
            (1, Some(n)) => Ok(-1 - i128::from(n)),
            _ => {
                self.pos = at;
                self.err("expected an integer")
            }
        }
    }

    #[inline]
    fn int_in<T: TryFrom<i128>>(&mut self, what: &str) -> CResult<T> {
        let start = self.pos;
        let v = self.integer()?;
        T::try_from(v)
            .map_err(|_| CborError::new(start, format!("integer {v} out of range for {what}")))
    }

    /// Reads an `i8`.
    pub fn i8(&mut self) -> CResult<i8> {
        self.int_in("i8")
    }

    /// Reads an `i16`.
    pub fn i16(&mut self) -> CResult<i16> {
        self.int_in("i16")
    }

    /// Reads an `i32`.
    #[inline]
    pub fn i32(&mut self) -> CResult<i32> {
        self.int_in("i32")
    }

    /// Reads an `i64` (a bignum that fits too).
    #[inline]
    pub fn i64(&mut self) -> CResult<i64> {
        self.int_in("i64")
    }

    /// Reads a number as an `f64`: a half, single or double float, an integer, or a decimal
    /// fraction (tag 4).
    pub fn f64(&mut self) -> CResult<f64> {
        let start = self.pos;
        let save = self.pos;
        let tag = self.skip_tags()?;
        if tag == Some(4) && self.peek_byte()? >> 5 == 4 {
            return self.decimal_fraction(start);
        }
        self.pos = save;
        match self.peek_kind()? {
            Kind::Integer => Ok(self.integer()? as f64),
            Kind::Float => {
                self.skip_tags()?;
                let h = self.head()?;
                let bits = h.arg.unwrap_or(0);
                Ok(match h.info {
                    25 => f64::from(f16_to_f32(bits as u16)),
                    26 => f64::from(f32::from_bits(bits as u32)),
                    _ => f64::from_bits(bits),
                })
            }
            _ => self.err("expected a number"),
        }
    }

    /// `[exponent, mantissa]` after tag 4: `mantissa * 10^exponent`.
    fn decimal_fraction(&mut self, start: usize) -> CResult<f64> {
        self.begin_array()?;
        let mut parts = [0i128; 2];
        for part in &mut parts {
            if !self.next_element()? {
                return Err(CborError::new(
                    start,
                    "a decimal fraction needs two integers",
                ));
            }
            *part = self.integer()?;
        }
        if self.next_element()? {
            return Err(CborError::new(start, "a decimal fraction has two integers"));
        }
        format!("{}e{}", parts[1], parts[0])
            .parse::<f64>()
            .map_err(|_| CborError::new(start, "decimal fraction out of range"))
    }

    /// An integer of any size (major types 0 and 1, bignums), as `(negative, n)` for `n` or
    /// `-1 - n`, `n` big-endian.
    fn integer_parts(&mut self) -> CResult<(bool, Cow<'a, [u8]>)> {
        let tag = self.skip_tags()?;
        let at = self.pos;
        if matches!(tag, Some(2 | 3)) && self.peek_byte()? >> 5 == 2 {
            let n = self.chunks(2, "a byte string")?;
            if n.len() > MAX_BIGNUM_BYTES {
                return Err(CborError::new(at, "bignum too long"));
            }
            return Ok((tag == Some(3), n));
        }
        let h = self.head()?;
        match (h.major, h.arg) {
            (0 | 1, Some(n)) => Ok((h.major == 1, Cow::Owned(n.to_be_bytes().to_vec()))),
            _ => {
                self.pos = at;
                self.err("expected an integer")
            }
        }
    }

    /// Reads a [`BigInteger`](crate::types::BigInteger): an integer or a bignum (tags 2, 3)
    /// of any size.
    pub fn big_integer(&mut self) -> CResult<crate::types::BigInteger> {
        let start = self.pos;
        let (negative, n) = self.integer_parts()?;
        crate::types::integer_text(negative, &n)
            .parse()
            .map_err(|_| CborError::new(start, "integer too long"))
    }

    /// Reads a [`BigDecimal`](crate::types::BigDecimal): a decimal fraction (tag 4) with an
    /// integer or bignum mantissa, an integer of any size, or a float (finite).
    pub fn big_decimal(&mut self) -> CResult<crate::types::BigDecimal> {
        let start = self.pos;
        let save = self.pos;
        let tag = self.skip_tags()?;
        if tag == Some(4) && self.peek_byte()? >> 5 == 4 {
            self.begin_array()?;
            let mut exponent = None;
            let mut mantissa = None;
            while self.next_element()? {
                if exponent.is_none() {
                    exponent = Some(self.int_in::<i64>("an exponent")?);
                } else if mantissa.is_none() {
                    let (negative, n) = self.integer_parts()?;
                    mantissa = Some(crate::types::integer_text(negative, &n));
                } else {
                    return Err(CborError::new(start, "a decimal fraction has two integers"));
                }
            }
            let (Some(e), Some(m)) = (exponent, mantissa) else {
                return Err(CborError::new(
                    start,
                    "a decimal fraction needs two integers",
                ));
            };
            return crate::types::fraction_text(e, &m)
                .parse()
                .map_err(|_| CborError::new(start, "decimal fraction too long"));
        }
        self.pos = save;
        match self.peek_kind()? {
            Kind::Integer => self.big_integer().map(Into::into),
            Kind::Float => {
                let v = self.f64()?;
                crate::types::BigDecimal::try_from(v)
                    .map_err(|_| CborError::new(start, "a big decimal is not a finite number"))
            }
            _ => self.err("expected a number"),
        }
    }

    /// Reads a number as an `f32` (a double is rounded to the nearest `f32`).
    pub fn f32(&mut self) -> CResult<f32> {
        if self.peek_kind()? == Kind::Float {
            self.skip_tags()?;
            let h = self.head()?;
            let bits = h.arg.unwrap_or(0);
            return Ok(match h.info {
                25 => f16_to_f32(bits as u16),
                26 => f32::from_bits(bits as u32),
                _ => f64::from_bits(bits) as f32,
            });
        }
        self.f64().map(|v| v as f32)
    }

    /// Reads a timestamp: epoch seconds as an integer or a float, usually after tag 1.
    pub fn timestamp(&mut self) -> CResult<DateTime> {
        let start = self.pos;
        self.skip_tags()?;
        match self.peek_kind()? {
            Kind::Integer => {
                let v = self.integer()?;
                i64::try_from(v)
                    .map(DateTime::from_secs)
                    .map_err(|_| CborError::new(start, "timestamp out of range"))
            }
            Kind::Float => {
                let v = self.f64()?;
                secs_f64_decimal(v).ok_or_else(|| {
                    CborError::new(start, "a timestamp is not a finite number in range")
                })
            }
            _ => self.err("expected a timestamp (epoch seconds)"),
        }
    }

    /// Reads an array into a `Vec`, each element with `item`; `null` elements are skipped.
    pub fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> CResult<T>) -> CResult<Vec<T>> {
        let len = self.begin(false)?;
        let mut items = Vec::with_capacity(self.capacity(len));
        while self.next_element()? {
            if !self.take_null()? {
                items.push(item(self)?);
            }
        }
        Ok(items)
    }

    /// Reads an array into a `Vec`, keeping `null` elements as `None` (`@sparse` lists).
    pub fn sparse_list<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> CResult<T>,
    ) -> CResult<Vec<Option<T>>> {
        let len = self.begin(false)?;
        let mut items = Vec::with_capacity(self.capacity(len));
        while self.next_element()? {
            items.push(self.optional(&mut item)?);
        }
        Ok(items)
    }

    /// Reads a map into a `HashMap`, each value with `item`; entries whose value is `null` are
    /// skipped.
    pub fn map<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> CResult<T>,
    ) -> CResult<HashMap<String, T>> {
        let len = self.begin(true)?;
        let mut map = HashMap::with_capacity(self.capacity(len));
        while let Some(key) = self.next_key()? {
            let key = key.into_owned();
            if !self.take_null()? {
                map.insert(key, item(self)?);
            }
        }
        Ok(map)
    }

    /// Reads a map, keeping `null` values as `None` (`@sparse` maps).
    pub fn sparse_map<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> CResult<T>,
    ) -> CResult<HashMap<String, Option<T>>> {
        let len = self.begin(true)?;
        let mut map = HashMap::with_capacity(self.capacity(len));
        while let Some(key) = self.next_key()? {
            let key = key.into_owned();
            let value = self.optional(&mut item)?;
            map.insert(key, value);
        }
        Ok(map)
    }

    /// A capacity for a container of `len` entries: never more than the bytes left (each entry
    /// takes at least one), so a hostile length cannot make a large allocation.
    fn capacity(&self, len: Option<u64>) -> usize {
        let left = self.input.len() - self.pos;
        len.map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX).min(left))
    }

    /// Reads any value as a [`Document`]: byte strings become base64 strings, tags are skipped,
    /// map keys must be text.
    pub fn document(&mut self) -> CResult<Document> {
        if self.stack.len() >= self.max_depth {
            return self.err("nesting too deep");
        }
        // Tags carry nothing a document keeps; skipped here so that every arm consumes what it
        // reads (a tagged `null` read as null without consuming its tag looped forever inside an
        // indefinite-length array: found by the cbor_reader fuzz target).
        self.skip_tags()?;
        Ok(match self.peek_kind()? {
            Kind::Null => {
                self.take_null()?;
                Document::Null
            }
            Kind::Bool => Document::Bool(self.bool()?),
            Kind::Text => Document::String(self.string_owned()?),
            Kind::Bytes => Document::String(base64_encode(&self.blob()?)),
            Kind::Integer => match self.integer()? {
                v if v >= 0 => Document::Number(Number::PosInt(v as u64)),
                v => match i64::try_from(v) {
                    Ok(v) => Document::Number(Number::NegInt(v)),
                    Err(_) => Document::Number(Number::Float(v as f64)),
                },
            },
            Kind::Float => Document::Number(Number::Float(self.f64()?)),
            Kind::Array => {
                self.begin_array()?;
                let mut items = Vec::new();
                while self.next_element()? {
                    items.push(self.document()?);
                }
                Document::Array(items)
            }
            Kind::Map => {
                self.begin_map()?;
                let mut map = BTreeMap::new();
                while let Some(k) = self.next_key()? {
                    let k = k.into_owned();
                    let v = self.document()?;
                    map.insert(k, v);
                }
                Document::Object(map)
            }
            Kind::Other => return self.err("unexpected simple value"),
        })
    }

    /// Skips one value of any kind (tags, nested containers, indefinite lengths).
    pub fn skip_value(&mut self) -> CResult<()> {
        self.skip_at(self.stack.len())
    }

    fn skip_at(&mut self, depth: usize) -> CResult<()> {
        if depth >= self.max_depth {
            return self.err("nesting too deep");
        }
        self.skip_tags()?;
        let h = self.head()?;
        match (h.major, h.arg) {
            (2 | 3, Some(len)) => {
                self.take(len)?;
            }
            (2 | 3, None) => loop {
                if self.peek_byte()? == BREAK {
                    self.pos += 1;
                    break;
                }
                let at = self.pos;
                let c = self.head()?;
                match c.arg {
                    Some(len) if c.major == h.major => {
                        self.take(len)?;
                    }
                    _ => {
                        self.pos = at;
                        return self
                            .err("a chunk of an indefinite-length string has the wrong type");
                    }
                }
            },
            (4 | 5, Some(n)) => {
                let items = if h.major == 5 {
                    n.checked_mul(2)
                } else {
                    Some(n)
                };
                let Some(items) = items else {
                    return self.err("map too long");
                };
                for _ in 0..items {
                    self.skip_at(depth + 1)?;
                }
            }
            (4 | 5, None) => {
                let mut count = 0u64;
                loop {
                    if self.peek_byte()? == BREAK {
                        self.pos += 1;
                        break;
                    }
                    self.skip_at(depth + 1)?;
                    count += 1;
                }
                if h.major == 5 && count % 2 == 1 {
                    return self.err("an indefinite-length map ends after a key");
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Checks that nothing follows the value read.
    pub fn finish(&self) -> CResult<()> {
        if self.pos == self.input.len() {
            Ok(())
        } else {
            self.err("trailing bytes after the value")
        }
    }
}

/// Seconds as a double, read as the coarsest of milliseconds, microseconds and nanoseconds that
/// gives the same double (what the sender most likely wrote): `946845296.123` is 123 ms, where
/// the double's exact value is 123.000026 ms. `None` when not finite or out of range.
fn secs_f64_decimal(v: f64) -> Option<DateTime> {
    if !v.is_finite() || v.abs() >= 9.2e18 {
        return None;
    }
    let floor = v.floor();
    let frac = v - floor;
    let mut nanos = (frac * 1e9).round();
    for scale in [1e3, 1e6] {
        let n = (frac * scale).round();
        if floor + n / scale == v {
            nanos = n * (1e9 / scale);
            break;
        }
    }
    Some(DateTime::from_secs_and_nanos(floor as i64, nanos as u32))
}

/// An IEEE 754 half-precision float, widened exactly.
pub(crate) fn f16_to_f32(h: u16) -> f32 {
    let sign = h >> 15;
    let exp = u32::from((h >> 10) & 0x1f);
    let frac = u32::from(h & 0x3ff);
    let v = match exp {
        0 => frac as f32 * (1.0 / 16_777_216.0),
        31 if frac == 0 => f32::INFINITY,
        31 => f32::NAN,
        _ => f32::from_bits(((exp + 112) << 23) | (frac << 13)),
    };
    if sign == 1 {
        -v
    } else {
        v
    }
}
