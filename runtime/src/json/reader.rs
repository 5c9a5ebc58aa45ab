//! [`JsonReader`]: a borrowing, depth-limited pull parser.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use super::JsonError;
use crate::types::{base64_decode, DateTime, Document, Number, TimestampFormat};

type JResult<T> = Result<T, JsonError>;

/// Default maximum nesting depth of arrays and objects.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// How many elements [`JsonReader::list`] holds on the stack before it allocates.
const LIST_BUFFER: usize = 16;
/// The largest element (in bytes) [`JsonReader::list`] buffers that way: the buffer stays
/// around a kilobyte of stack per nested list.
const LIST_BUFFER_ITEM_SIZE: usize = 64;

/// The kind of the next value, as reported by [`JsonReader::peek_kind`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// a number
    Number,
    /// a string
    String,
    /// an array
    Array,
    /// an object
    Object,
}

/// A pull parser over a complete JSON text.
///
/// Values are read with the typed methods; containers are walked with [`begin_object`] +
/// [`next_key`] and [`begin_array`] + [`next_element`], which also check the commas and the
/// closing brackets. Strings are borrowed from the input when they contain no escapes.
/// Nesting deeper than the limit ([`DEFAULT_MAX_DEPTH`] unless set with [`with_max_depth`]) is
/// an error. No input makes any method panic.
///
/// [`begin_object`]: JsonReader::begin_object
/// [`next_key`]: JsonReader::next_key
/// [`begin_array`]: JsonReader::begin_array
/// [`next_element`]: JsonReader::next_element
/// [`with_max_depth`]: JsonReader::with_max_depth
#[derive(Clone, Debug)]
pub struct JsonReader<'a> {
    input: &'a [u8],
    /// `input` as text when all of it is valid UTF-8 (checked once, up front): string runs are
    /// then sliced from it without validating each one again. `None` when some part is not
    /// UTF-8; each string is then checked on its own, so errors point at the bad string.
    text: Option<&'a str>,
    pos: usize,
    /// Open containers, innermost last: `true` for an object, `false` for an array.
    stack: Nesting,
    /// True right after `begin_*`: the next member needs no comma.
    first: bool,
    max_depth: usize,
}

/// The open containers of a [`JsonReader`]: the first 64 levels as bits (no allocation for
/// any document the services send), deeper ones in a `Vec`, and the innermost one kept apart,
/// as every key read checks it.
#[derive(Clone, Debug, Default)]
struct Nesting {
    /// Bit `i`: level `i` (from the outside) is an object.
    bits: u64,
    depth: usize,
    deeper: Vec<bool>,
    /// The innermost container: `Some(true)` for an object, `None` at the top level.
    top: Option<bool>,
}

/// Equal when the same containers are open (bits above the depth are left over, not state):
/// the tests compare readers' states.
#[cfg(test)]
impl PartialEq for Nesting {
    fn eq(&self, other: &Nesting) -> bool {
        let mask = match self.depth {
            d @ 0..=63 => (1u64 << d) - 1,
            _ => u64::MAX,
        };
        self.depth == other.depth
            && self.bits & mask == other.bits & mask
            && self.deeper == other.deeper
    }
}

impl Nesting {
    #[inline]
    fn len(&self) -> usize {
        self.depth
    }

    #[inline]
    fn is_empty(&self) -> bool {
        self.depth == 0
    }

    #[inline]
    fn push(&mut self, object: bool) {
        if self.depth < 64 {
            let bit = 1u64 << self.depth;
            if object {
                self.bits |= bit;
            } else {
                self.bits &= !bit;
            }
        } else {
            self.deeper.push(object);
        }
        self.depth += 1;
        self.top = Some(object);
    }

    #[inline]
    fn pop(&mut self) {
        if self.depth > 64 {
            self.deeper.pop();
        }
        self.depth = self.depth.saturating_sub(1);
        self.top = match self.depth {
            0 => None,
            d @ 1..=64 => Some(self.bits >> (d - 1) & 1 == 1),
            d => self.deeper.get(d - 65).copied(),
        };
    }

    /// The innermost container: `Some(true)` for an object.
    #[inline]
    fn last(&self) -> Option<bool> {
        self.top
    }
}

/// A scanned number token: its bytes and whether it has a fraction or exponent.
struct NumTok<'a> {
    start: usize,
    text: &'a [u8],
    integer: bool,
}

/// Exact decomposition of a decimal number: `|value| = int + nanos / 1e9 + rest`.
struct Decimal {
    neg: bool,
    /// Integer part; `None` if it overflows `u128`.
    int: Option<u128>,
    /// First nine fractional digits.
    nanos: u32,
    /// Any non-zero fractional digit at all.
    frac_nonzero: bool,
}

impl<'a> JsonReader<'a> {
    /// Creates a reader over `input` with the default depth limit.
    pub fn new(input: &'a [u8]) -> JsonReader<'a> {
        JsonReader::with_max_depth(input, DEFAULT_MAX_DEPTH)
    }

    /// Creates a reader with a custom nesting limit.
    pub fn with_max_depth(input: &'a [u8], max_depth: usize) -> JsonReader<'a> {
        JsonReader {
            input,
            text: std::str::from_utf8(input).ok(),
            pos: 0,
            stack: Nesting::default(),
            first: false,
            max_depth,
        }
    }

    /// Current byte offset into the input.
    pub fn offset(&self) -> usize {
        self.pos
    }

    #[cold]
    #[inline(never)]
    fn err<T>(&self, reason: impl Into<String>) -> JResult<T> {
        Err(JsonError::new(self.pos, reason))
    }

    /// `input[start..end]` as text; both ends must be at ASCII bytes or the ends of the input
    /// (always true for a run between quotes and backslashes).
    #[inline]
    fn slice(&self, start: usize, end: usize) -> JResult<&'a str> {
        match self.text.and_then(|t| t.get(start..end)) {
            Some(s) => Ok(s),
            None => utf8(self.input, start, end),
        }
    }

    #[inline]
    fn skip_ws(&mut self) {
        while let Some(&b) = self.input.get(self.pos) {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                self.pos += 1;
            } else {
                break;
            }
        }
    }

    /// Skips whitespace and returns the next byte without consuming it.
    #[inline]
    fn peek_byte(&mut self) -> JResult<u8> {
        // Fast path: no whitespace (the common case in machine-written JSON).
        if let Some(&b) = self.input.get(self.pos) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Ok(b);
            }
        }
        self.skip_ws();
        match self.input.get(self.pos) {
            Some(&b) => Ok(b),
            None => self.err("unexpected end of input"),
        }
    }

    #[inline]
    fn expect_byte(&mut self, want: u8) -> JResult<()> {
        if self.peek_byte()? == want {
            self.pos += 1;
            Ok(())
        } else {
            self.expected(want)
        }
    }

    #[cold]
    #[inline(never)]
    fn expected<T>(&self, want: u8) -> JResult<T> {
        self.err(format!("expected '{}'", want as char))
    }

    fn expect_literal(&mut self, lit: &[u8]) -> JResult<()> {
        if self.input.get(self.pos..self.pos + lit.len()) == Some(lit) {
            self.pos += lit.len();
            Ok(())
        } else {
            self.err("invalid literal")
        }
    }

    /// Reports the kind of the next value without consuming it.
    pub fn peek_kind(&mut self) -> JResult<ValueKind> {
        Ok(match self.peek_byte()? {
            b'n' => ValueKind::Null,
            b't' | b'f' => ValueKind::Bool,
            b'"' => ValueKind::String,
            b'[' => ValueKind::Array,
            b'{' => ValueKind::Object,
            b'-' | b'0'..=b'9' => ValueKind::Number,
            _ => return self.err("expected a value"),
        })
    }

    /// Reads a value that may be `null`: `None` for `null`, else `Some(read(self))`.
    #[inline]
    pub fn optional<T>(
        &mut self,
        read: impl FnOnce(&mut Self) -> JResult<T>,
    ) -> JResult<Option<T>> {
        if self.take_null()? {
            Ok(None)
        } else {
            read(self).map(Some)
        }
    }

    /// Reads an array into a `Vec`, each element with `item`; `null` elements are skipped.
    ///
    /// Short arrays of small elements get a `Vec` of exactly their length in one allocation:
    /// the first 16 elements are held on the stack until the end of the array, or until the
    /// buffer fills (then the `Vec` starts with room for 32).
    pub fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> JResult<T>) -> JResult<Vec<T>> {
        self.begin_array()?;
        let mut items = if std::mem::size_of::<T>() <= LIST_BUFFER_ITEM_SIZE {
            let mut buf: [Option<T>; LIST_BUFFER] = Default::default();
            let mut n = 0;
            loop {
                if !self.next_element()? {
                    let mut items = Vec::with_capacity(n);
                    items.extend(buf[..n].iter_mut().filter_map(Option::take));
                    return Ok(items);
                }
                if self.take_null()? {
                    continue;
                }
                let v = item(self)?;
                if n == LIST_BUFFER {
                    let mut items = Vec::with_capacity(2 * LIST_BUFFER);
                    items.extend(buf.iter_mut().filter_map(Option::take));
                    items.push(v);
                    break items;
                }
                buf[n] = Some(v);
                n += 1;
            }
        } else {
            Vec::new()
        };
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
        mut item: impl FnMut(&mut Self) -> JResult<T>,
    ) -> JResult<Vec<Option<T>>> {
        let mut items = Vec::new();
        self.begin_array()?;
        while self.next_element()? {
            items.push(self.optional(&mut item)?);
        }
        Ok(items)
    }

    /// Reads an object into a map, each value with `item`; members whose value is `null` are
    /// skipped.
    pub fn map<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> JResult<T>,
    ) -> JResult<HashMap<String, T>> {
        let mut map = HashMap::new();
        self.begin_object()?;
        while let Some(key) = self.next_key()? {
            let key = key.into_owned();
            if !self.take_null()? {
                map.insert(key, item(self)?);
            }
        }
        Ok(map)
    }

    /// Reads an object into a map, keeping `null` values as `None` (`@sparse` maps).
    pub fn sparse_map<T>(
        &mut self,
        mut item: impl FnMut(&mut Self) -> JResult<T>,
    ) -> JResult<HashMap<String, Option<T>>> {
        let mut map = HashMap::new();
        self.begin_object()?;
        while let Some(key) = self.next_key()? {
            let key = key.into_owned();
            let value = self.optional(&mut item)?;
            map.insert(key, value);
        }
        Ok(map)
    }

    /// If the next value is `null`, consumes it and returns true; otherwise consumes nothing.
    #[inline]
    pub fn take_null(&mut self) -> JResult<bool> {
        if self.peek_byte()? == b'n' {
            self.expect_literal(b"null")?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    /// Consumes `open` (after whitespace) and enters the container: an object when `object`.
    #[inline(always)]
    fn begin(&mut self, open: u8, object: bool) -> JResult<()> {
        let pos = skip_ws_from(self.input, self.pos);
        if self.input.get(pos) != Some(&open) {
            self.pos = pos;
            return match self.input.get(pos) {
                Some(_) => self.expected(open),
                None => self.err("unexpected end of input"),
            };
        }
        self.pos = pos + 1;
        if self.stack.len() >= self.max_depth {
            return self.err("nesting too deep");
        }
        self.stack.push(object);
        self.first = true;
        Ok(())
    }

    /// Consumes `{`.
    #[inline]
    pub fn begin_object(&mut self) -> JResult<()> {
        self.begin(b'{', true)
    }

    /// Consumes `[`.
    #[inline]
    pub fn begin_array(&mut self) -> JResult<()> {
        self.begin(b'[', false)
    }

    /// Reads the next key of the current object (and its `:`), or returns `None` after
    /// consuming the closing `}`.
    ///
    /// Keys without escapes are borrowed from the input. This is the loop head of every
    /// generated structure reader, so the separator, the key and the `:` are read in one pass
    /// over local copies of the position, each byte looked at once.
    #[inline]
    pub fn next_key(&mut self) -> JResult<Option<Cow<'a, str>>> {
        let Some(quote) = self.key_quote()? else {
            return Ok(None);
        };
        let key = self.quoted(quote, false)?;
        self.key_colon()?;
        Ok(Some(key))
    }

    /// [`next_key`](Self::next_key) for matching against known member names: the key as bytes.
    ///
    /// Checks and unescapes exactly as `next_key` does (the bytes are always UTF-8, escapes
    /// decoded), but a key without escapes in all-UTF-8 input is returned without slicing it
    /// as text, which generated readers, which only compare keys, do not need.
    ///
    /// ```
    /// use awsrt::json::JsonReader;
    /// let mut r = JsonReader::new(br#"{"Name":"x","\u0041":1}"#);
    /// r.begin_object().unwrap();
    /// assert_eq!(r.next_key_raw().unwrap().as_deref(), Some(&b"Name"[..]));
    /// r.skip_value().unwrap();
    /// assert_eq!(r.next_key_raw().unwrap().as_deref(), Some(&b"A"[..]));
    /// r.skip_value().unwrap();
    /// assert_eq!(r.next_key_raw().unwrap(), None);
    /// ```
    #[inline]
    pub fn next_key_raw(&mut self) -> JResult<Option<Cow<'a, [u8]>>> {
        let Some(quote) = self.key_quote()? else {
            return Ok(None);
        };
        let input = self.input;
        let start = quote + 1;
        let end = find_special(input, start);
        let key = match input.get(start..end) {
            Some(key) if self.text.is_some() && input.get(end) == Some(&b'"') => {
                self.pos = end + 1;
                Cow::Borrowed(key)
            }
            _ => {
                self.pos = start;
                match self.string_slow(start, end)? {
                    Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                    Cow::Owned(s) => Cow::Owned(s.into_bytes()),
                }
            }
        };
        self.key_colon()?;
        Ok(Some(key))
    }

    /// The separator before the next key of the current object: the position of the key's
    /// opening quote, or `None` after consuming the closing `}`.
    #[inline(always)]
    fn key_quote(&mut self) -> JResult<Option<usize>> {
        if self.stack.last() != Some(true) {
            return self.err("not inside an object");
        }
        let input = self.input;
        let mut pos = skip_ws_from(input, self.pos);
        match input.get(pos) {
            Some(b'}') => {
                self.pos = pos + 1;
                self.stack.pop();
                self.first = false;
                return Ok(None);
            }
            Some(_) if self.first => self.first = false,
            Some(b',') => {
                pos = skip_ws_from(input, pos + 1);
                if input.get(pos) == Some(&b'}') {
                    self.pos = pos;
                    return self.err("trailing comma");
                }
            }
            _ => return self.separator_error(pos, b'}'),
        }
        if input.get(pos) == Some(&b'"') {
            return Ok(Some(pos));
        }
        self.pos = pos;
        match input.get(pos) {
            Some(_) => self.err("expected a string key"),
            None => self.err("unexpected end of input"),
        }
    }

    /// The `:` after a key.
    #[inline(always)]
    fn key_colon(&mut self) -> JResult<()> {
        if self.input.get(self.pos) == Some(&b':') {
            self.pos += 1;
            Ok(())
        } else {
            self.expect_byte(b':')
        }
    }

    /// Moves to the next element of the current array: true if there is one, false after
    /// consuming the closing `]`.
    #[inline(always)]
    pub fn next_element(&mut self) -> JResult<bool> {
        if self.stack.last() != Some(false) {
            return self.err("not inside an array");
        }
        let input = self.input;
        let pos = skip_ws_from(input, self.pos);
        match input.get(pos) {
            Some(b']') => {
                self.pos = pos + 1;
                self.stack.pop();
                self.first = false;
                Ok(false)
            }
            Some(_) if self.first => {
                self.first = false;
                self.pos = pos;
                Ok(true)
            }
            Some(b',') => {
                self.pos = skip_ws_from(input, pos + 1);
                match input.get(self.pos) {
                    Some(b']') => self.err("trailing comma"),
                    Some(_) => Ok(true),
                    None => self.err("unexpected end of input"),
                }
            }
            _ => self.separator_error(pos, b']'),
        }
    }

    /// The error for a byte at `pos` (after whitespace) that is neither `,` nor `close`.
    #[cold]
    #[inline(never)]
    fn separator_error<T>(&mut self, pos: usize, close: u8) -> JResult<T> {
        self.pos = pos;
        if pos >= self.input.len() {
            return self.err("unexpected end of input");
        }
        self.err(format!("expected ',' or '{}'", close as char))
    }

    /// Reads a string, borrowed from the input when it contains no escapes.
    #[inline]
    pub fn string(&mut self) -> JResult<Cow<'a, str>> {
        let pos = self.string_start()?;
        self.quoted(pos, true)
    }

    /// The position of the opening quote of the next value (after whitespace), or the error
    /// `expected '"'` there.
    #[inline(always)]
    fn string_start(&mut self) -> JResult<usize> {
        let pos = skip_ws_from(self.input, self.pos);
        if self.input.get(pos) == Some(&b'"') {
            return Ok(pos);
        }
        self.pos = pos;
        match self.input.get(pos) {
            Some(_) => self.expected(b'"'),
            None => self.err("unexpected end of input"),
        }
    }

    /// The string whose opening quote is at `quote` (checked by the caller): borrowed from the
    /// input when it has no escapes. Leaves the position after the closing quote.
    ///
    /// `wide` scans sixteen bytes per step (for values, often long), else eight (for keys,
    /// mostly short: the wider step costs more to set up than it saves on them).
    #[inline(always)]
    fn quoted(&mut self, quote: usize, wide: bool) -> JResult<Cow<'a, str>> {
        let start = quote + 1;
        let end = if wide {
            find_special_wide(self.input, start)
        } else {
            find_special(self.input, start)
        };
        if self.input.get(end) == Some(&b'"') {
            if let Some(s) = self.text.and_then(|t| t.get(start..end)) {
                self.pos = end + 1;
                return Ok(Cow::Borrowed(s));
            }
        }
        self.pos = start;
        self.string_slow(start, end)
    }

    /// The rest of [`quoted`](Self::quoted) after its first run (`input[start..i]`) ended at
    /// something other than a closing quote in all-UTF-8 input.
    #[inline(never)]
    fn string_slow(&mut self, start: usize, mut i: usize) -> JResult<Cow<'a, str>> {
        let input = self.input;
        match input.get(i) {
            None => {
                self.pos = i;
                return self.err("unterminated string");
            }
            Some(b'"') => {
                // No escapes, in input that is not all UTF-8: this run is checked on its own.
                let s = utf8(input, start, i)?;
                self.pos = i + 1;
                return Ok(Cow::Borrowed(s));
            }
            Some(b'\\') => {}
            Some(_) => {
                self.pos = i;
                return self.err("control character in string");
            }
        }
        // At least one escape. Room for a short string's whole text (a JSON document as a
        // secret, say, escapes from its second byte): every regrowth copies and wipes.
        let mut out = String::with_capacity((i - start + 16).max(64));
        let mut run = start;
        loop {
            match input.get(i) {
                None => {
                    self.pos = i;
                    return self.err("unterminated string");
                }
                Some(b'"') => {
                    push_wiping(&mut out, self.slice(run, i)?);
                    self.pos = i + 1;
                    return Ok(Cow::Owned(out));
                }
                Some(b'\\') => {
                    push_wiping(&mut out, self.slice(run, i)?);
                    self.pos = i;
                    i = self.escape(&mut out)?;
                    run = i;
                }
                Some(&b) if b < 0x20 => {
                    self.pos = i;
                    return self.err("control character in string");
                }
                Some(_) => i = find_special(input, i),
            }
        }
    }

    /// Decodes the escape at `self.pos` (a backslash) into `out`; returns the offset after it.
    fn escape(&mut self, out: &mut String) -> JResult<usize> {
        let at = self.pos;
        let c = match self.input.get(at + 1) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hi = self.hex4(at + 2)?;
                let (code, end) = if (0xD800..0xDC00).contains(&hi) {
                    if self.input.get(at + 6..at + 8) != Some(b"\\u") {
                        return self.err("unpaired surrogate in \\u escape");
                    }
                    let lo = self.hex4(at + 8)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return self.err("unpaired surrogate in \\u escape");
                    }
                    (0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00), at + 12)
                } else {
                    (hi, at + 6)
                };
                match char::from_u32(code) {
                    Some(c) => {
                        push_wiping(out, c.encode_utf8(&mut [0; 4]));
                        return Ok(end);
                    }
                    None => return self.err("unpaired surrogate in \\u escape"),
                }
            }
            _ => return self.err("invalid escape"),
        };
        push_wiping(out, c.encode_utf8(&mut [0; 4]));
        Ok(at + 2)
    }

    fn hex4(&mut self, at: usize) -> JResult<u32> {
        let Some(digits) = self.input.get(at..at + 4) else {
            self.pos = at;
            return self.err("truncated \\u escape");
        };
        let mut v = 0u32;
        for (k, &d) in digits.iter().enumerate() {
            let n = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => {
                    self.pos = at + k;
                    return self.err("invalid hex digit in \\u escape");
                }
            };
            v = v * 16 + u32::from(n);
        }
        Ok(v)
    }

    /// Reads a string into an owned `String`.
    #[inline]
    pub fn string_owned(&mut self) -> JResult<String> {
        let pos = self.string_start()?;
        Ok(self.quoted(pos, true)?.into_owned())
    }

    /// Reads a string that may be `null` into an owned `String`: `None` for `null`.
    ///
    /// The same as `optional(|r| r.string_owned())`, in one call: generated readers use it for
    /// every optional string member.
    pub fn optional_string(&mut self) -> JResult<Option<String>> {
        let pos = skip_ws_from(self.input, self.pos);
        match self.input.get(pos) {
            Some(b'"') => Ok(Some(self.quoted(pos, true)?.into_owned())),
            Some(b'n') => {
                self.pos = pos;
                self.expect_literal(b"null").map(|()| None)
            }
            Some(_) => {
                self.pos = pos;
                self.expected(b'"')
            }
            None => {
                self.pos = pos;
                self.err("unexpected end of input")
            }
        }
    }

    /// Reads `true` or `false`.
    #[inline]
    pub fn bool(&mut self) -> JResult<bool> {
        match self.peek_byte()? {
            b't' => self.expect_literal(b"true").map(|_| true),
            b'f' => self.expect_literal(b"false").map(|_| false),
            _ => self.err("expected a boolean"),
        }
    }

    /// Scans a number token per RFC 8259.
    fn number_token(&mut self) -> JResult<NumTok<'a>> {
        self.skip_ws();
        let input = self.input;
        let start = self.pos;
        let digit = |i: usize| input.get(i).is_some_and(u8::is_ascii_digit);
        let mut i = start;
        if input.get(i) == Some(&b'-') {
            i += 1;
        }
        match input.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while digit(i) {
                    i += 1;
                }
            }
            _ => {
                self.pos = i;
                return self.err(if i == start {
                    "expected a number"
                } else {
                    "expected a digit"
                });
            }
        }
        let mut integer = true;
        if input.get(i) == Some(&b'.') {
            i += 1;
            if !digit(i) {
                self.pos = i;
                return self.err("expected a digit after '.'");
            }
            while digit(i) {
                i += 1;
            }
            integer = false;
        }
        if matches!(input.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(input.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digit(i) {
                self.pos = i;
                return self.err("expected a digit in exponent");
            }
            while digit(i) {
                i += 1;
            }
            integer = false;
        }
        self.pos = i;
        Ok(NumTok {
            start,
            text: &input[start..i],
            integer,
        })
    }

    /// Reads a number as a [`Decimal`]: in one pass when [`scan_decimal`] can, else through
    /// [`number_token`](Self::number_token). Returns it with its offset.
    #[inline]
    fn decimal_number(&mut self) -> JResult<(Decimal, usize)> {
        self.skip_ws();
        let start = self.pos;
        if let Some((d, end)) = scan_decimal(self.input, start) {
            self.pos = end;
            return Ok((d, start));
        }
        let tok = self.number_token()?;
        Ok((decimal(tok.text), tok.start))
    }

    /// Reads an integral number (fractions/exponents allowed only if the value is integral)
    /// within `[min, max]`.
    fn integer(&mut self, min: i64, max: i64) -> JResult<i64> {
        let (d, start) = self.decimal_number()?;
        if d.frac_nonzero {
            return Err(JsonError::new(
                start,
                "expected an integer, found a fraction",
            ));
        }
        let v = d
            .int
            .and_then(|m| i128::try_from(m).ok())
            .map(|m| if d.neg { -m } else { m })
            .filter(|&v| v >= i128::from(min) && v <= i128::from(max));
        match v {
            Some(v) => Ok(v as i64),
            None => Err(JsonError::new(start, "integer out of range")),
        }
    }

    /// Reads an `i8`.
    pub fn i8(&mut self) -> JResult<i8> {
        self.integer(i8::MIN.into(), i8::MAX.into())
            .map(|v| v as i8)
    }

    /// Reads an `i16`.
    pub fn i16(&mut self) -> JResult<i16> {
        self.integer(i16::MIN.into(), i16::MAX.into())
            .map(|v| v as i16)
    }

    /// Reads an `i32`.
    pub fn i32(&mut self) -> JResult<i32> {
        self.integer(i32::MIN.into(), i32::MAX.into())
            .map(|v| v as i32)
    }

    /// Reads an `i64`.
    pub fn i64(&mut self) -> JResult<i64> {
        self.integer(i64::MIN, i64::MAX)
    }

    /// The text of a number, or of a string holding one (rpcv2Json writes big numbers as
    /// strings), read without going through a float.
    fn number_text(&mut self) -> JResult<(usize, Cow<'a, str>)> {
        if self.peek_byte()? == b'"' {
            let start = self.pos;
            return Ok((start, self.string()?));
        }
        let tok = self.number_token()?;
        // The token is ASCII, checked by `number_token`.
        let text = std::str::from_utf8(tok.text).unwrap_or("");
        Ok((tok.start, Cow::Borrowed(text)))
    }

    /// Reads a [`BigInteger`](crate::types::BigInteger): an integer number of any size, or a
    /// string holding one; no precision is lost.
    pub fn big_integer(&mut self) -> JResult<crate::types::BigInteger> {
        let (start, text) = self.number_text()?;
        text.parse()
            .map_err(|e: crate::types::BigNumberError| JsonError::new(start, e.to_string()))
    }

    /// Reads a [`BigDecimal`](crate::types::BigDecimal): a number of any size and precision,
    /// or a string holding one; no precision is lost.
    pub fn big_decimal(&mut self) -> JResult<crate::types::BigDecimal> {
        let (start, text) = self.number_text()?;
        text.parse()
            .map_err(|e: crate::types::BigNumberError| JsonError::new(start, e.to_string()))
    }

    /// Reads a number (or `"NaN"`, `"Infinity"`, `"-Infinity"`) as text.
    fn float_text(&mut self) -> JResult<(usize, Cow<'a, str>, bool)> {
        if self.peek_byte()? == b'"' {
            let start = self.pos;
            let s = self.string()?;
            return match &*s {
                "NaN" | "Infinity" | "-Infinity" => Ok((start, s, true)),
                _ => Err(JsonError::new(
                    start,
                    "expected a number or NaN/Infinity/-Infinity",
                )),
            };
        }
        let tok = self.number_token()?;
        // The token is ASCII, checked by `number_token`.
        let text = std::str::from_utf8(tok.text).unwrap_or("");
        Ok((tok.start, Cow::Borrowed(text), false))
    }

    /// Reads an `f64`: a number, or one of the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    pub fn f64(&mut self) -> JResult<f64> {
        let (start, text, special) = self.float_text()?;
        match text.parse::<f64>() {
            Ok(v) if special || v.is_finite() => Ok(v),
            _ => Err(JsonError::new(start, "number out of range")),
        }
    }

    /// Reads an `f32`: a number, or one of the strings `"NaN"`, `"Infinity"`, `"-Infinity"`.
    pub fn f32(&mut self) -> JResult<f32> {
        let (start, text, special) = self.float_text()?;
        match text.parse::<f32>() {
            Ok(v) if special || v.is_finite() => Ok(v),
            _ => Err(JsonError::new(start, "number out of range")),
        }
    }

    /// Reads a base64 string.
    pub fn blob(&mut self) -> JResult<Vec<u8>> {
        self.skip_ws();
        let start = self.pos;
        let s = self.string()?;
        let decoded =
            base64_decode(&s).map_err(|e| JsonError::new(start, format!("invalid base64: {e}")));
        if let Cow::Owned(mut unescaped) = s {
            // A blob may be a secret: the unescaped text is not left behind.
            zeroize::Zeroize::zeroize(&mut unescaped);
        }
        decoded
    }

    /// Reads a timestamp: a number of seconds for `EpochSeconds` (fractions kept), a string
    /// otherwise.
    pub fn timestamp(&mut self, format: TimestampFormat) -> JResult<DateTime> {
        self.skip_ws();
        let start = self.pos;
        if format == TimestampFormat::EpochSeconds {
            let (d, _) = self.decimal_number()?;
            let secs = d.int.and_then(|v| i64::try_from(v).ok());
            let Some(secs) = secs else {
                return Err(JsonError::new(start, "timestamp out of range"));
            };
            let (secs, nanos) = match (d.neg, d.nanos) {
                (false, n) => (secs, n),
                (true, 0) => (-secs, 0),
                (true, n) => (-secs - 1, 1_000_000_000 - n),
            };
            return Ok(DateTime::from_secs_and_nanos(secs, nanos));
        }
        let s = self.string()?;
        DateTime::parse(&s, format)
            .map_err(|e| JsonError::new(start, format!("invalid timestamp: {e}")))
    }

    /// Reads any value as a [`Document`].
    pub fn document(&mut self) -> JResult<Document> {
        Ok(match self.peek_kind()? {
            ValueKind::Null => {
                self.expect_literal(b"null")?;
                Document::Null
            }
            ValueKind::Bool => Document::Bool(self.bool()?),
            ValueKind::String => Document::String(self.string_owned()?),
            ValueKind::Number => Document::Number(self.number()?),
            ValueKind::Array => {
                self.begin_array()?;
                let mut items = Vec::new();
                while self.next_element()? {
                    items.push(self.document()?);
                }
                Document::Array(items)
            }
            ValueKind::Object => {
                self.begin_object()?;
                let mut map = BTreeMap::new();
                while let Some(k) = self.next_key()? {
                    let k = k.into_owned();
                    let v = self.document()?;
                    map.insert(k, v);
                }
                Document::Object(map)
            }
        })
    }

    /// Reads a number as a [`Number`].
    pub fn number(&mut self) -> JResult<Number> {
        let tok = self.number_token()?;
        if tok.integer {
            let d = decimal(tok.text);
            if let Some(m) = d.int {
                if !d.neg {
                    if let Ok(v) = u64::try_from(m) {
                        return Ok(Number::PosInt(v));
                    }
                } else if m == 0 {
                    return Ok(Number::PosInt(0));
                } else if m <= 1 << 63 {
                    // -2^63 ..= -1 always fits.
                    return Ok(Number::NegInt((-(m as i128)) as i64));
                }
            }
        }
        let text = std::str::from_utf8(tok.text).unwrap_or("");
        match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Number::Float(v)),
            _ => Err(JsonError::new(tok.start, "number out of range")),
        }
    }

    /// Skips the next value, whatever it is (validating it).
    pub fn skip_value(&mut self) -> JResult<()> {
        match self.peek_kind()? {
            ValueKind::Null => self.expect_literal(b"null"),
            ValueKind::Bool => self.bool().map(drop),
            ValueKind::String => self.string().map(drop),
            ValueKind::Number => self.number_token().map(drop),
            ValueKind::Array => {
                self.begin_array()?;
                while self.next_element()? {
                    self.skip_value()?;
                }
                Ok(())
            }
            ValueKind::Object => {
                self.begin_object()?;
                while self.next_key()?.is_some() {
                    self.skip_value()?;
                }
                Ok(())
            }
        }
    }

    /// Checks that only whitespace remains and that every container was closed.
    pub fn finish(&mut self) -> JResult<()> {
        if !self.stack.is_empty() {
            return self.err("unclosed array or object");
        }
        self.skip_ws();
        if self.pos < self.input.len() {
            return self.err("trailing characters after the value");
        }
        Ok(())
    }
}

/// The first position at or after `pos` that is not JSON whitespace (or `input.len()`).
#[inline(always)]
fn skip_ws_from(input: &[u8], mut pos: usize) -> usize {
    while let Some(&b) = input.get(pos) {
        if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
            break;
        }
        pos += 1;
    }
    pos
}

/// Appends `s` to the unescaped string being built; when that needs a bigger buffer, moves to
/// one and zeroes the old, so a string that may be a secret leaves no partial copy behind
/// (only strings with escapes are built; the others are borrowed from the input).
#[inline]
fn push_wiping(out: &mut String, s: &str) {
    if out.capacity() - out.len() < s.len() {
        let mut grown = String::with_capacity((out.len() + s.len()).max(out.capacity() * 2));
        grown.push_str(out);
        let mut old = std::mem::replace(out, grown);
        zeroize::Zeroize::zeroize(&mut old);
    }
    out.push_str(s);
}

/// The index of the first byte at or after `i` that ends a plain run inside a string: `"`, `\\` or
/// a control character (< 0x20), or `input.len()`. Eight bytes at a time (see
/// [`special_flags`]), then one. (One word per step: most strings and keys are short, and
/// wider steps cost more to set up than they save.)
#[inline]
fn find_special(input: &[u8], mut i: usize) -> usize {
    while let Some(w) = input.get(i..i + 8) {
        let flags = special_flags(word(w));
        if flags != 0 {
            return i + (flags.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = input.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// [`find_special`], sixteen bytes per step: two words whose flags are tested together.
#[inline]
fn find_special_wide(input: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = input.get(i..i + 16) {
        let (lo, hi) = chunk.split_at(8);
        let (lo, hi) = (special_flags(word(lo)), special_flags(word(hi)));
        if lo | hi != 0 {
            return if lo != 0 {
                i + (lo.trailing_zeros() / 8) as usize
            } else {
                i + 8 + (hi.trailing_zeros() / 8) as usize
            };
        }
        i += 16;
    }
    find_special(input, i)
}

/// Eight bytes as a little-endian word (`bytes` has exactly eight).
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(bytes);
    u64::from_le_bytes(w)
}

/// The high bit of each byte of `w` that is `"`, `\\` or below 0x20, plus possibly some bytes
/// above the first such byte: for each class, the lowest flagged byte of a word is exact (only
/// bytes above a true match can be flagged falsely), so the lowest flag over the three classes
/// is the first special byte.
#[inline(always)]
fn special_flags(w: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // `!w & HIGH` is shared: `"` and `\\` are ASCII, so xoring with them keeps the high bits.
    (w.wrapping_sub(ONES * 0x20)
        | (w ^ (ONES * u64::from(b'"'))).wrapping_sub(ONES)
        | (w ^ (ONES * u64::from(b'\\'))).wrapping_sub(ONES))
        & !w
        & HIGH
}

/// Validates `input[start..end]` as UTF-8.
fn utf8(input: &[u8], start: usize, end: usize) -> JResult<&str> {
    std::str::from_utf8(&input[start..end])
        .map_err(|e| JsonError::new(start + e.valid_up_to(), "invalid UTF-8 in string"))
}

/// Exact integer/fraction split of a validated number token (see [`Decimal`]).
#[inline]
fn decimal(tok: &[u8]) -> Decimal {
    match scan_decimal(tok, 0) {
        Some((d, end)) if end == tok.len() => d,
        _ => decimal_general(tok),
    }
}

/// Scans a number at `input[start..]` and splits it as [`decimal`] does, in one pass: for a
/// number whose digits (integer and fraction together) number at most 19, so they fit a `u64`,
/// and whose exponent has at most four digits. Returns the split and the offset after the
/// number; `None` for any other number and for anything that is not a number (the caller then
/// takes the general path, which also reports errors).
#[inline]
fn scan_decimal(input: &[u8], start: usize) -> Option<(Decimal, usize)> {
    let mut i = start;
    let neg = input.get(i) == Some(&b'-');
    if neg {
        i += 1;
    }
    // All mantissa digits as one integer `m`, of which the last `frac_digits` are fractional.
    let mut m: u64 = 0;
    let mut digits = 0u32;
    match input.get(i) {
        Some(b'0') => {
            i += 1;
            digits = 1;
        }
        Some(b'1'..=b'9') => digit_run(input, &mut i, &mut m, &mut digits)?,
        _ => return None,
    }
    let mut frac_digits = 0i64;
    if input.get(i) == Some(&b'.') {
        i += 1;
        let first = i;
        digit_run(input, &mut i, &mut m, &mut digits)?;
        if i == first {
            return None;
        }
        frac_digits = (i - first) as i64;
    }
    let mut exp: i64 = 0;
    if matches!(input.get(i), Some(b'e' | b'E')) {
        i += 1;
        let eneg = match input.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let first = i;
        while let Some(&b) = input.get(i) {
            if !b.is_ascii_digit() {
                break;
            }
            if i - first == 4 {
                return None;
            }
            exp = exp * 10 + i64::from(b - b'0');
            i += 1;
        }
        if i == first {
            return None;
        }
        if eneg {
            exp = -exp;
        }
    }
    Some((split_scaled(neg, m, exp - frac_digits)?, i))
}

/// Appends the run of ASCII digits at `input[*i..]` to `m` (`digits` counts the digits in it),
/// eight at a time while they fit; `None` when the run would make more than 19 digits.
#[inline(always)]
fn digit_run(input: &[u8], i: &mut usize, m: &mut u64, digits: &mut u32) -> Option<()> {
    // 10^8 * m + (eight digits) stays below 10^19 < 2^64 while `digits + 8 <= 19`.
    while *digits <= 11 {
        let Some(v) = input.get(*i..*i + 8).and_then(|w| eight_digits(word(w))) else {
            break;
        };
        *m = *m * 100_000_000 + v;
        *digits += 8;
        *i += 8;
    }
    while let Some(&b) = input.get(*i) {
        if !b.is_ascii_digit() {
            break;
        }
        if *digits == 19 {
            return None;
        }
        *m = *m * 10 + u64::from(b - b'0');
        *digits += 1;
        *i += 1;
    }
    Some(())
}

/// The value of eight ASCII digits read as a little-endian word (the first digit in the lowest
/// byte), or `None` if any byte is not a digit.
#[inline(always)]
fn eight_digits(w: u64) -> Option<u64> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    // Each byte must be 0x30..=0x39: its high nibble is 3, and adding 6 keeps it 3.
    let high = 0xF0F0_F0F0_F0F0_F0F0;
    if w & high != ZEROS || w.wrapping_add(0x0606_0606_0606_0606) & high != ZEROS {
        return None;
    }
    // Pairs, then quads, then all eight: each step is `10^k * first + second`.
    let v = w - ZEROS;
    let v = (v * 10 + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v * 100 + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    Some((v * 10_000 + (v >> 32)) & 0xFFFF_FFFF)
}

/// The [`Decimal`] of `±m * 10^shift` for `m < 10^19`; `None` if `|shift|` is too large for the
/// quick arithmetic.
#[inline]
fn split_scaled(neg: bool, m: u64, shift: i64) -> Option<Decimal> {
    const POW10: [u64; 20] = {
        let mut t = [1u64; 20];
        let mut k = 1;
        while k < 20 {
            t[k] = t[k - 1] * 10;
            k += 1;
        }
        t
    };
    let (int, nanos, frac_nonzero) = if m == 0 {
        (0u128, 0u32, false)
    } else if shift >= 0 {
        // m < 10^19, so m * 10^19 < 10^38 fits a u128.
        let p = *POW10.get(usize::try_from(shift).ok()?)?;
        (u128::from(m) * u128::from(p), 0, false)
    } else {
        let k = usize::try_from(-shift).ok()?;
        let p = *POW10.get(k)?;
        let (int, rest) = (m / p, m % p);
        // `rest` < 10^k: its first nine digits after the point.
        let nanos = if k <= 9 {
            rest * POW10[9 - k]
        } else {
            rest / POW10[k - 9]
        };
        (u128::from(int), nanos as u32, rest != 0)
    };
    Some(Decimal {
        neg,
        int: Some(int),
        nanos,
        frac_nonzero,
    })
}

/// [`decimal`] of any validated number token.
fn decimal_general(tok: &[u8]) -> Decimal {
    let neg = tok.first() == Some(&b'-');
    let body = if neg { &tok[1..] } else { tok };
    let mant_end = body
        .iter()
        .position(|&b| b == b'e' || b == b'E')
        .unwrap_or(body.len());
    let (mant, exp_part) = body.split_at(mant_end);
    let mut exp: i64 = 0;
    if let Some(e) = exp_part.get(1..) {
        let (eneg, edigits) = match e.first() {
            Some(b'-') => (true, &e[1..]),
            Some(b'+') => (false, &e[1..]),
            _ => (false, e),
        };
        for &d in edigits {
            // Saturate: beyond a million digits of shift the result is decided anyway.
            exp = (exp * 10 + i64::from(d - b'0')).min(1_000_000);
        }
        if eneg {
            exp = -exp;
        }
    }
    const SCALE: [u32; 9] = [
        100_000_000,
        10_000_000,
        1_000_000,
        100_000,
        10_000,
        1_000,
        100,
        10,
        1,
    ];
    let int_len = mant.iter().position(|&b| b == b'.').unwrap_or(mant.len());
    let point = int_len as i64 + exp;
    let mut int: Option<u128> = Some(0);
    let mut nanos = 0u32;
    let mut frac_nonzero = false;
    let mut count = 0i64;
    for &b in mant {
        if !b.is_ascii_digit() {
            continue;
        }
        let d = b - b'0';
        let i = count;
        count += 1;
        if i < point {
            int = int
                .and_then(|v| v.checked_mul(10))
                .and_then(|v| v.checked_add(u128::from(d)));
        } else {
            let fi = i - point;
            if let Some(&scale) = usize::try_from(fi).ok().and_then(|fi| SCALE.get(fi)) {
                nanos += u32::from(d) * scale;
            }
            frac_nonzero |= d != 0;
        }
    }
    let mut extra = point - count;
    while extra > 0 && int.is_some_and(|v| v != 0) {
        int = int.and_then(|v| v.checked_mul(10));
        extra -= 1;
    }
    Decimal {
        neg,
        int,
        nanos,
        frac_nonzero,
    }
}

/// Walks one value with the typed methods, trying several interpretations of each scalar.
/// Used by [`validate_fuzz_input`](super::validate_fuzz_input); results are irrelevant, only
/// the absence of panics matters.
pub(super) fn walk_typed(r: &mut JsonReader<'_>) -> JResult<()> {
    match r.peek_kind()? {
        ValueKind::Object => {
            r.begin_object()?;
            loop {
                let _ = r.clone().next_key_raw();
                if r.next_key()?.is_none() {
                    return Ok(());
                }
                walk_typed(r)?;
            }
        }
        ValueKind::Array => {
            r.begin_array()?;
            while r.next_element()? {
                walk_typed(r)?;
            }
            Ok(())
        }
        _ => {
            let _ = r.clone().i8();
            let _ = r.clone().i32();
            let _ = r.clone().f32();
            let _ = r.clone().f64();
            let _ = r.clone().blob();
            let _ = r.clone().take_null();
            let _ = r.clone().optional_string();
            for f in [
                TimestampFormat::EpochSeconds,
                TimestampFormat::DateTime,
                TimestampFormat::HttpDate,
            ] {
                let _ = r.clone().timestamp(f);
            }
            let mut c = r.clone();
            if c.i64().is_ok() {
                *r = c;
                Ok(())
            } else {
                r.skip_value()
            }
        }
    }
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;
