//! The scanner behind [`XmlDoc::parse`](super::XmlDoc::parse): one pass over the body's bytes
//! that checks well-formedness and builds the flat element tree directly, with no token
//! stream in between.
//!
//! What it reads is what AWS responses contain: an XML declaration, elements with attributes
//! (either quote style), text with the five predefined entities and character references,
//! CDATA sections, comments and processing instructions. A document type declaration is
//! refused. The body is checked as UTF-8 once, up front; after that the scanner works on bytes
//! and slices the text only at ASCII delimiters (`<`, `>`, `&`, `;`, quotes, `=`, `:`,
//! whitespace) or after whole characters, so no input can make it slice inside a character.
//! Text and attribute values that need no reference resolved (nor line end normalized) are
//! borrowed from the body.

use std::borrow::Cow;

use super::reader::{Attr, Elem, NONE};
use super::{XmlError, MAX_DEPTH, MAX_ELEMENTS};

/// Byte classes, one table lookup per byte on the hot loops.
const NAME: u8 = 1; // an ASCII name character other than `:` (`[A-Za-z0-9._-]`)
const NAME_START: u8 = 2; // an ASCII name start character (`[A-Za-z_]`)
const STOP: u8 = 4; // ends a plain run of text: `<` `&` `>` `\r`, a control byte, 0xEF
const SPACE: u8 = 8; // XML white space: space, tab, LF, CR
const BAD: u8 = 16; // a control byte XML does not allow (all below 0x20 but tab, LF, CR)

const fn classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if b.is_ascii_alphabetic() || b == b'_' {
            c |= NAME | NAME_START;
        }
        if b.is_ascii_digit() || b == b'.' || b == b'-' {
            c |= NAME;
        }
        if b == b' ' || b == b'\t' || b == b'\n' || b == b'\r' {
            c |= SPACE;
        }
        if b < 0x20 && b != b'\t' && b != b'\n' && b != b'\r' {
            c |= BAD | STOP;
        }
        // 0xEF starts U+FFFE and U+FFFF, which XML does not allow.
        if b == b'<' || b == b'&' || b == b'>' || b == b'\r' || b == 0xEF {
            c |= STOP;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = classes();

#[inline(always)]
fn class(b: u8) -> u8 {
    CLASS[b as usize]
}

fn err(reason: impl Into<String>) -> XmlError {
    XmlError::new(reason)
}

/// `true` for a character XML allows in names after the first (non-ASCII only; the
/// ranges are the XML 1.0 `NameChar` production).
fn is_name_char(c: char) -> bool {
    matches!(c as u32,
        0xB7 | 0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x37D | 0x37F..=0x1FFF | 0x200C..=0x200D
        | 0x203F..=0x2040 | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// `true` for a character XML allows to start a name (the XML 1.0 `NameStartChar`
/// production).
fn is_name_start(c: char) -> bool {
    if c.is_ascii() {
        return class(c as u8) & NAME_START != 0;
    }
    matches!(c as u32,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D | 0x37F..=0x1FFF
        | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// Checks that `b` (a run of raw content: a comment, CDATA, a processing instruction) has
/// only characters XML allows.
fn check_chars(b: &[u8]) -> Result<(), XmlError> {
    for (i, &c) in b.iter().enumerate() {
        if class(c) & BAD != 0 {
            return Err(err(format!("character U+{c:04X} is not allowed in XML")));
        }
        if c == 0xEF && b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) {
            return Err(err("character U+FFFE or U+FFFF is not allowed in XML"));
        }
    }
    Ok(())
}

/// How many bytes at the start of `b`, in whole blocks of eight, have no [`STOP`] byte: the
/// text loops skip them before looking at bytes one by one.
#[inline(always)]
fn skip_plain(b: &[u8]) -> usize {
    let mut rest = b;
    while let Some((chunk, tail)) = rest.split_first_chunk::<8>() {
        if chunk.iter().fold(0, |m, &c| m | class(c)) & STOP != 0 {
            break;
        }
        rest = tail;
    }
    b.len() - rest.len()
}

/// The first occurrence of `needle` (2 or 3 bytes) in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i] == first && hay[i..].starts_with(needle) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Resolves the five predefined entities and character references, and normalizes line ends
/// (`\r\n` and `\r` to `\n`), as an XML processor does for text.
pub(crate) fn unescape(raw: &str) -> Result<Cow<'_, str>, XmlError> {
    match raw.bytes().position(|c| c == b'&' || c == b'\r') {
        None => Ok(Cow::Borrowed(raw)),
        Some(first) => unescape_from(raw, first).map(Cow::Owned),
    }
}

/// [`unescape`] when `raw` has nothing to resolve before byte `first` (an `&` or `\r`).
fn unescape_from(raw: &str, first: usize) -> Result<String, XmlError> {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    // `done` and `i` are always at ASCII bytes (`&`, `\r`, `;` and the byte after them, or
    // the end), so every slice below is at a character boundary.
    let mut done = 0;
    let mut i = first;
    loop {
        out.push_str(slice(raw, done, i)?);
        let Some(&c) = b.get(i) else {
            return Ok(out);
        };
        if c == b'\r' {
            out.push('\n');
            i += 1;
            if b.get(i) == Some(&b'\n') {
                i += 1;
            }
        } else {
            let rest = b.get(i + 1..).unwrap_or_default();
            let (ch, len) = match rest {
                [b'q', b'u', b'o', b't', b';', ..] => ('"', 5),
                [b'a', b'm', b'p', b';', ..] => ('&', 4),
                [b'l', b't', b';', ..] => ('<', 3),
                [b'g', b't', b';', ..] => ('>', 3),
                [b'a', b'p', b'o', b's', b';', ..] => ('\'', 5),
                _ => {
                    let end = rest
                        .iter()
                        .take(11)
                        .position(|&c| c == b';')
                        .ok_or_else(|| err("unterminated entity reference"))?;
                    (reference(slice(raw, i + 1, i + 1 + end)?)?, end + 1)
                }
            };
            out.push(ch);
            i += 1 + len;
        }
        done = i;
        i += skip_plain(b.get(i..).unwrap_or_default());
        while i < b.len() && b[i] != b'&' && b[i] != b'\r' {
            i += 1;
        }
    }
}

/// The character an entity or character reference (`name` is what is between `&` and `;`)
/// stands for.
fn reference(name: &str) -> Result<char, XmlError> {
    Ok(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let code = if let Some(hex) = name.strip_prefix("#x") {
                u32::from_str_radix(hex, 16).ok()
            } else if let Some(dec) = name.strip_prefix('#') {
                dec.parse::<u32>().ok()
            } else {
                return Err(err(format!("unknown entity &{name};")));
            };
            code.and_then(char::from_u32)
                .filter(|&c| c != '\0')
                .ok_or_else(|| err(format!("invalid character reference &{name};")))?
        }
    })
}

/// `s[a..b]`, an error instead of a panic should the bounds ever be wrong.
#[inline(always)]
fn slice(s: &str, a: usize, b: usize) -> Result<&str, XmlError> {
    s.get(a..b)
        .ok_or_else(|| err("internal error: slice outside a character boundary"))
}

fn append<'a>(text: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if text.is_empty() {
        *text = more;
    } else {
        text.to_mut().push_str(&more);
    }
}

/// An open element: its index and where its (qualified) name is in the body.
#[derive(Clone, Copy)]
struct Open {
    elem: u32,
    last_child: u32,
    name_start: u32,
    name_len: u32,
}

struct Scanner<'a> {
    s: &'a str,
    b: &'a [u8],
    pos: usize,
    elems: Vec<Elem<'a>>,
    attrs: Vec<Attr<'a>>,
    stack: Vec<Open>,
}

/// Parses `body` into its elements and attributes (see the module documentation).
pub(super) fn parse(body: &[u8]) -> Result<(Vec<Elem<'_>>, Vec<Attr<'_>>), XmlError> {
    let s = std::str::from_utf8(body).map_err(|e| err(format!("body is not UTF-8 ({e})")))?;
    let s = s.strip_prefix('\u{feff}').unwrap_or(s);
    let b = s.as_bytes();
    // Every element but an empty one (`<a/>`) has two `<`, and takes at least 7 bytes; sizing
    // the tree from that saves growing it element by element.
    let lt: usize = b
        .chunks(255)
        .map(|c| c.iter().fold(0u8, |n, &c| n + u8::from(c == b'<')) as usize)
        .sum();
    let estimate = (lt / 2).min(b.len() / 7).min(MAX_ELEMENTS) + 1;
    let mut sc = Scanner {
        s,
        b,
        pos: 0,
        elems: Vec::with_capacity(estimate),
        attrs: Vec::new(),
        stack: Vec::with_capacity(16),
    };
    sc.document()?;
    Ok((sc.elems, sc.attrs))
}

impl<'a> Scanner<'a> {
    #[inline(always)]
    fn peek(&self, at: usize) -> Option<u8> {
        self.b.get(at).copied()
    }

    #[inline(always)]
    fn skip_space(&mut self) -> bool {
        let start = self.pos;
        while let Some(c) = self.peek(self.pos) {
            if class(c) & SPACE == 0 {
                break;
            }
            self.pos += 1;
        }
        self.pos > start
    }

    fn rest(&self) -> &'a [u8] {
        self.b.get(self.pos..).unwrap_or_default()
    }

    fn starts_with(&self, p: &[u8]) -> bool {
        self.rest().starts_with(p)
    }

    fn document(&mut self) -> Result<(), XmlError> {
        if self.starts_with(b"<?xml ") {
            self.declaration()?;
        }
        // Before the root element: comments, processing instructions, white space.
        loop {
            self.skip_space();
            match self.peek(self.pos) {
                None => return Err(err("no root element")),
                Some(b'<') => {}
                Some(_) => return Err(err("text outside the root element")),
            }
            match self.peek(self.pos + 1) {
                Some(b'!') => {
                    if self.starts_with(b"<!--") {
                        self.comment()?;
                    } else if self.starts_with(b"<!DOCTYPE") {
                        return Err(err("document type declarations are not accepted"));
                    } else {
                        return Err(err("unexpected markup before the root element"));
                    }
                }
                Some(b'?') => self.pi()?,
                Some(b'/') => return Err(err("closing tag without an opening tag")),
                _ => break,
            }
        }
        self.content()?;
        // After it: the same, and nothing else.
        loop {
            self.skip_space();
            match self.peek(self.pos) {
                None => return Ok(()),
                Some(b'<') => match self.peek(self.pos + 1) {
                    Some(b'!') if self.starts_with(b"<!--") => self.comment()?,
                    Some(b'?') => self.pi()?,
                    Some(b'!' | b'/') | None => {
                        return Err(err("unexpected markup after the root element"))
                    }
                    Some(_) => return Err(err("more than one root element")),
                },
                Some(_) => return Err(err("text outside the root element")),
            }
        }
    }

    /// `<?xml version="1.x" encoding="..." standalone="..."?>` at the very start, checked and
    /// skipped (the body is UTF-8 whatever it says).
    fn declaration(&mut self) -> Result<(), XmlError> {
        let bad = || err("malformed XML declaration");
        self.pos += 5;
        let mut spaced = self.skip_space();
        let mut seen_encoding = false;
        let mut first = true;
        loop {
            if self.starts_with(b"?>") {
                if first {
                    return Err(bad());
                }
                self.pos += 2;
                return Ok(());
            }
            if !spaced {
                return Err(bad());
            }
            let key: &[u8] = if first {
                b"version"
            } else if !seen_encoding && self.starts_with(b"encoding") {
                seen_encoding = true;
                b"encoding"
            } else {
                seen_encoding = true;
                b"standalone"
            };
            if !self.starts_with(key) {
                return Err(bad());
            }
            self.pos += key.len();
            self.skip_space();
            if self.peek(self.pos) != Some(b'=') {
                return Err(bad());
            }
            self.pos += 1;
            self.skip_space();
            let quote = match self.peek(self.pos) {
                Some(q @ (b'"' | b'\'')) => q,
                _ => return Err(bad()),
            };
            self.pos += 1;
            let rest = self.rest();
            let end = rest.iter().position(|&c| c == quote).ok_or_else(bad)?;
            let value = &rest[..end];
            let ok = match key {
                b"version" => value.starts_with(b"1.") && value[2..].iter().all(u8::is_ascii_digit),
                b"encoding" => value
                    .iter()
                    .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_')),
                _ => value == b"yes" || value == b"no",
            };
            if !ok {
                return Err(bad());
            }
            self.pos += end + 1;
            first = false;
            spaced = self.skip_space();
            if key == b"standalone" && !self.starts_with(b"?>") {
                return Err(bad());
            }
        }
    }

    /// `<!-- ... -->` (no `--` inside).
    fn comment(&mut self) -> Result<(), XmlError> {
        let start = self.pos + 4;
        let rest = self.b.get(start..).unwrap_or_default();
        let end = find(rest, b"--").ok_or_else(|| err("unterminated comment"))?;
        if rest.get(end + 2) != Some(&b'>') {
            return Err(err("`--` inside a comment"));
        }
        check_chars(&rest[..end])?;
        self.pos = start + end + 3;
        Ok(())
    }

    /// `<?target ...?>`; an XML declaration anywhere but at the start is refused.
    fn pi(&mut self) -> Result<(), XmlError> {
        if self.starts_with(b"<?xml ") {
            return Err(err("XML declaration not at the start of the document"));
        }
        self.pos += 2;
        self.name_part()?;
        let rest = self.rest();
        let end = find(rest, b"?>").ok_or_else(|| err("unterminated processing instruction"))?;
        check_chars(&rest[..end])?;
        self.pos += end + 2;
        Ok(())
    }

    /// A name without splitting it at `:` (a processing instruction's target).
    fn name_part(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        while let Some(c) = self.peek(self.pos) {
            if class(c) & NAME != 0 || c == b':' {
                self.pos += 1;
            } else if c >= 0x80 {
                let ch = slice(self.s, self.pos, self.s.len())?
                    .chars()
                    .next()
                    .unwrap_or('\0');
                if !is_name_char(ch) {
                    break;
                }
                self.pos += ch.len_utf8();
            } else {
                break;
            }
        }
        let name = slice(self.s, start, self.pos)?;
        if !name
            .chars()
            .next()
            .is_some_and(|c| c == ':' || is_name_start(c))
        {
            return Err(err("invalid name"));
        }
        Ok(())
    }

    /// A qualified name at the current position, split at its `:` into prefix and local name.
    #[inline]
    fn qname(&mut self) -> Result<(&'a str, &'a str), XmlError> {
        let b = self.b;
        let start = self.pos;
        let mut i = start;
        while i < b.len() && class(b[i]) & NAME != 0 {
            i += 1;
        }
        match b.get(i) {
            Some(&c) if c == b':' || c >= 0x80 => return self.qname_general(),
            _ => {}
        }
        // An ASCII name without a prefix, the usual case.
        if b.get(start).is_none_or(|&c| class(c) & NAME_START == 0) {
            return Err(err("invalid name"));
        }
        self.pos = i;
        Ok(("", slice(self.s, start, i)?))
    }

    /// [`Scanner::qname`] for a name with a prefix or non-ASCII characters.
    fn qname_general(&mut self) -> Result<(&'a str, &'a str), XmlError> {
        let start = self.pos;
        let mut colon = usize::MAX;
        while let Some(c) = self.peek(self.pos) {
            if class(c) & NAME != 0 {
                self.pos += 1;
            } else if c == b':' {
                if colon != usize::MAX {
                    return Err(err("name with more than one `:`"));
                }
                colon = self.pos;
                self.pos += 1;
            } else if c >= 0x80 {
                // `pos` is after whole characters only: this starts one.
                let ch = slice(self.s, self.pos, self.s.len())?
                    .chars()
                    .next()
                    .unwrap_or('\0');
                if !is_name_char(ch) {
                    break;
                }
                self.pos += ch.len_utf8();
            } else {
                break;
            }
        }
        let (prefix, local) = if colon == usize::MAX {
            ("", slice(self.s, start, self.pos)?)
        } else {
            (
                slice(self.s, start, colon)?,
                slice(self.s, colon + 1, self.pos)?,
            )
        };
        let starts_ok = |n: &str| n.chars().next().is_some_and(is_name_start);
        if !starts_ok(local) || (!prefix.is_empty() && !starts_ok(prefix)) {
            return Err(err("invalid name"));
        }
        Ok((prefix, local))
    }

    /// The root element and everything up to its closing tag.
    fn content(&mut self) -> Result<(), XmlError> {
        self.start_tag()?;
        while !self.stack.is_empty() {
            match self.peek(self.pos) {
                None => return Err(err("document ends inside an element")),
                Some(b'<') => match self.peek(self.pos + 1) {
                    Some(b'/') => self.end_tag()?,
                    Some(b'!') => {
                        if self.starts_with(b"<!--") {
                            self.comment()?;
                        } else if self.starts_with(b"<![CDATA[") {
                            self.cdata()?;
                        } else if self.starts_with(b"<!DOCTYPE") {
                            return Err(err("document type declarations are not accepted"));
                        } else {
                            return Err(err("unexpected markup `<!`"));
                        }
                    }
                    Some(b'?') => self.pi()?,
                    _ => self.start_tag()?,
                },
                Some(_) => self.text()?,
            }
        }
        Ok(())
    }

    /// A run of character data, up to the next `<`.
    #[inline]
    fn text(&mut self) -> Result<(), XmlError> {
        let start = self.pos;
        let b = self.b;
        let mut i = start;
        let mut escaped = usize::MAX;
        loop {
            i += skip_plain(b.get(i..).unwrap_or_default());
            while i < b.len() && class(b[i]) & STOP == 0 {
                i += 1;
            }
            let Some(&c) = b.get(i) else { break };
            match c {
                b'<' => break,
                b'&' | b'\r' => escaped = escaped.min(i - start),
                b'>' => {
                    if i >= start + 2 && b[i - 2] == b']' && b[i - 1] == b']' {
                        return Err(err("`]]>` in text"));
                    }
                }
                _ => check_chars(b.get(i..i + 3).unwrap_or(&b[i..]))?,
            }
            i += 1;
        }
        self.pos = i;
        let raw = slice(self.s, start, i)?;
        let text = if escaped == usize::MAX {
            Cow::Borrowed(raw)
        } else {
            Cow::Owned(unescape_from(raw, escaped)?)
        };
        let top = self.stack.last().map(|o| o.elem as usize);
        if let Some(e) = top.and_then(|t| self.elems.get_mut(t)) {
            append(&mut e.text, text);
        }
        Ok(())
    }

    /// `<![CDATA[ ... ]]>`, kept verbatim as text.
    fn cdata(&mut self) -> Result<(), XmlError> {
        let start = self.pos + 9;
        let rest = self.b.get(start..).unwrap_or_default();
        let end = find(rest, b"]]>").ok_or_else(|| err("unterminated CDATA section"))?;
        check_chars(&rest[..end])?;
        let text = slice(self.s, start, start + end)?;
        self.pos = start + end + 3;
        let top = self.stack.last().map(|o| o.elem as usize);
        if let Some(e) = top.and_then(|t| self.elems.get_mut(t)) {
            append(&mut e.text, Cow::Borrowed(text));
        }
        Ok(())
    }

    /// `<name attr="value" ...>` or `<name .../>`; the current byte is the `<`.
    fn start_tag(&mut self) -> Result<(), XmlError> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(err(format!("elements nested deeper than {MAX_DEPTH}")));
        }
        if self.elems.len() >= MAX_ELEMENTS {
            return Err(err(format!("more than {MAX_ELEMENTS} elements")));
        }
        self.pos += 1;
        let name_start = self.pos;
        let (prefix, local) = self.qname()?;
        let name_len = self.pos - name_start;
        let idx = self.elems.len() as u32;
        if let Some(parent) = self.stack.last_mut() {
            let prev = parent.last_child;
            parent.last_child = idx;
            let parent = parent.elem;
            let link = if prev == NONE {
                self.elems
                    .get_mut(parent as usize)
                    .map(|p| &mut p.first_child)
            } else {
                self.elems.get_mut(prev as usize).map(|p| &mut p.next)
            };
            if let Some(link) = link {
                *link = idx;
            }
        }
        let attr_start = self.attrs.len() as u32;
        let empty = loop {
            let spaced = self.skip_space();
            match self.peek(self.pos) {
                Some(b'>') => {
                    self.pos += 1;
                    break false;
                }
                Some(b'/') => {
                    if self.peek(self.pos + 1) != Some(b'>') {
                        return Err(err(format!("<{local}>: `/` not followed by `>`")));
                    }
                    self.pos += 2;
                    break true;
                }
                None => return Err(err("document ends inside a tag")),
                Some(_) if !spaced => {
                    return Err(err(format!(
                        "<{local}>: attributes must be separated by space"
                    )))
                }
                Some(_) => self.attribute()?,
            }
        };
        self.elems.push(Elem {
            prefix,
            local,
            text: Cow::Borrowed(""),
            attr_start,
            attr_end: self.attrs.len() as u32,
            first_child: NONE,
            next: NONE,
        });
        if !empty {
            self.stack.push(Open {
                elem: idx,
                last_child: NONE,
                name_start: name_start as u32,
                name_len: name_len as u32,
            });
        }
        Ok(())
    }

    /// `name="value"` or `name='value'`.
    fn attribute(&mut self) -> Result<(), XmlError> {
        let (prefix, local) = self.qname()?;
        self.skip_space();
        if self.peek(self.pos) != Some(b'=') {
            return Err(err(format!("attribute {local} without `=`")));
        }
        self.pos += 1;
        self.skip_space();
        let quote = match self.peek(self.pos) {
            Some(q @ (b'"' | b'\'')) => q,
            _ => return Err(err(format!("attribute {local}: value not quoted"))),
        };
        self.pos += 1;
        let start = self.pos;
        let b = self.b;
        let mut i = start;
        let mut escaped = false;
        loop {
            while i < b.len() && b[i] != quote && class(b[i]) & STOP == 0 {
                i += 1;
            }
            match b.get(i) {
                None => return Err(err(format!("attribute {local}: unterminated value"))),
                Some(&c) if c == quote => break,
                Some(b'<') => return Err(err(format!("attribute {local}: `<` in the value"))),
                Some(b'&' | b'\r') => escaped = true,
                Some(b'>') => {}
                Some(_) => check_chars(b.get(i..i + 3).unwrap_or(&b[i..]))?,
            }
            i += 1;
        }
        self.pos = i + 1;
        let raw = slice(self.s, start, i)?;
        let value = if escaped {
            unescape(raw)?
        } else {
            Cow::Borrowed(raw)
        };
        self.attrs.push((prefix, local, value));
        Ok(())
    }

    /// `</name>` closing the innermost open element; the current byte is the `<`.
    fn end_tag(&mut self) -> Result<(), XmlError> {
        self.pos += 2;
        let Some(open) = self.stack.pop() else {
            return Err(err("closing tag without an opening tag"));
        };
        let (ns, nl) = (open.name_start as usize, open.name_len as usize);
        let expected = self.b.get(ns..ns + nl).unwrap_or_default();
        let rest = self.rest();
        let fast = rest.starts_with(expected)
            && rest
                .get(nl)
                .is_some_and(|&c| c == b'>' || class(c) & SPACE != 0);
        if fast {
            self.pos += nl;
        } else {
            // The same name written differently (`<:a>` and `</a>`), or a mismatch.
            let (prefix, local) = self.qname()?;
            let e = self.elems.get(open.elem as usize);
            if e.is_none_or(|e| e.prefix != prefix || e.local != local) {
                let opened = e.map(|e| e.local).unwrap_or_default();
                return Err(err(format!("<{opened}> closed by </{local}>")));
            }
        }
        self.skip_space();
        if self.peek(self.pos) != Some(b'>') {
            return Err(err("closing tag not ended by `>`"));
        }
        self.pos += 1;
        Ok(())
    }
}
