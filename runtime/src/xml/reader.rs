//! The XML reader: a body tokenized by `xmlparser`, kept as a flat tree of elements that
//! borrows its names (and, where no reference needed resolving, its text) from the body.

use std::borrow::Cow;

use xmlparser::{ElementEnd, Token, Tokenizer};

use super::XmlError;
use crate::types::{base64_decode, DateTime, TimestampFormat};

/// The deepest element nesting a document may have.
pub const MAX_DEPTH: usize = 128;

/// The most elements a document may have.
pub const MAX_ELEMENTS: usize = 4_000_000;

const NONE: u32 = u32::MAX;

#[derive(Debug)]
struct Elem<'a> {
    prefix: &'a str,
    local: &'a str,
    attrs: Vec<(&'a str, &'a str, Cow<'a, str>)>,
    text: Cow<'a, str>,
    first_child: u32,
    last_child: u32,
    next: u32,
}

/// A parsed XML document.
#[derive(Debug)]
pub struct XmlDoc<'a> {
    elems: Vec<Elem<'a>>,
}

fn err(reason: impl Into<String>) -> XmlError {
    XmlError::new(reason)
}

/// Resolves the five predefined entities and character references, and normalizes line ends
/// (`\r\n` and `\r` to `\n`), as an XML processor does for text.
pub(crate) fn unescape(raw: &str) -> Result<Cow<'_, str>, XmlError> {
    if !raw.contains(['&', '\r']) {
        return Ok(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' {
            out.push('\n');
            rest = &rest[i + 1..];
            if rest.starts_with('\n') {
                rest = &rest[1..];
            }
            continue;
        }
        let after = &rest[i + 1..];
        let end = after
            .find(';')
            .filter(|&e| e <= 10)
            .ok_or_else(|| err("unterminated entity reference"))?;
        let name = &after[..end];
        let c = match name {
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
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

fn append<'a>(text: &mut Cow<'a, str>, more: Cow<'a, str>) {
    if text.is_empty() {
        *text = more;
    } else {
        text.to_mut().push_str(&more);
    }
}

impl<'a> XmlDoc<'a> {
    /// Parses a whole document. Refuses a document type declaration, a document without a root
    /// element or with mismatched tags, and one deeper than [`MAX_DEPTH`] or larger than
    /// [`MAX_ELEMENTS`] elements.
    pub fn parse(body: &'a [u8]) -> Result<XmlDoc<'a>, XmlError> {
        let text =
            std::str::from_utf8(body).map_err(|e| err(format!("body is not UTF-8 ({e})")))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut elems: Vec<Elem<'a>> = Vec::new();
        let mut stack: Vec<u32> = Vec::new();
        let mut root_done = false;
        for token in Tokenizer::from(text) {
            let token = token.map_err(|e| err(e.to_string()))?;
            match token {
                Token::Declaration { .. }
                | Token::ProcessingInstruction { .. }
                | Token::Comment { .. } => {}
                Token::DtdStart { .. }
                | Token::EmptyDtd { .. }
                | Token::EntityDeclaration { .. }
                | Token::DtdEnd { .. } => {
                    return Err(err("document type declarations are not accepted"));
                }
                Token::ElementStart { prefix, local, .. } => {
                    if root_done {
                        return Err(err("more than one root element"));
                    }
                    if stack.len() >= MAX_DEPTH {
                        return Err(err(format!("elements nested deeper than {MAX_DEPTH}")));
                    }
                    if elems.len() >= MAX_ELEMENTS {
                        return Err(err(format!("more than {MAX_ELEMENTS} elements")));
                    }
                    let idx = elems.len() as u32;
                    if let Some(&parent) = stack.last() {
                        let p = &mut elems[parent as usize];
                        if p.last_child == NONE {
                            p.first_child = idx;
                        } else {
                            let last = p.last_child as usize;
                            elems[last].next = idx;
                        }
                        elems[parent as usize].last_child = idx;
                    }
                    elems.push(Elem {
                        prefix: prefix.as_str(),
                        local: local.as_str(),
                        attrs: Vec::new(),
                        text: Cow::Borrowed(""),
                        first_child: NONE,
                        last_child: NONE,
                        next: NONE,
                    });
                    stack.push(idx);
                }
                Token::Attribute {
                    prefix,
                    local,
                    value,
                    ..
                } => {
                    let value = unescape(value.as_str())?;
                    if let Some(e) = elems.last_mut() {
                        e.attrs.push((prefix.as_str(), local.as_str(), value));
                    }
                }
                Token::ElementEnd { end, .. } => match end {
                    ElementEnd::Open => {}
                    ElementEnd::Empty => {
                        stack.pop();
                        root_done = stack.is_empty();
                    }
                    ElementEnd::Close(prefix, local) => {
                        let open = stack
                            .pop()
                            .ok_or_else(|| err("closing tag without an opening tag"))?;
                        let e = &elems[open as usize];
                        if e.prefix != prefix.as_str() || e.local != local.as_str() {
                            return Err(err(format!(
                                "<{}> closed by </{}>",
                                e.local,
                                local.as_str()
                            )));
                        }
                        root_done = stack.is_empty();
                    }
                },
                Token::Text { text } => {
                    if let Some(&cur) = stack.last() {
                        let t = unescape(text.as_str())?;
                        append(&mut elems[cur as usize].text, t);
                    } else if !text.as_str().trim().is_empty() {
                        return Err(err("text outside the root element"));
                    }
                }
                Token::Cdata { text, .. } => {
                    if let Some(&cur) = stack.last() {
                        append(&mut elems[cur as usize].text, Cow::Borrowed(text.as_str()));
                    } else {
                        return Err(err("CDATA outside the root element"));
                    }
                }
            }
        }
        if !stack.is_empty() {
            return Err(err("document ends inside an element"));
        }
        if elems.is_empty() {
            return Err(err("no root element"));
        }
        Ok(XmlDoc { elems })
    }

    /// The root element.
    pub fn root(&self) -> Node<'_, 'a> {
        Node { doc: self, i: 0 }
    }
}

/// An element of an [`XmlDoc`].
#[derive(Clone, Copy)]
pub struct Node<'d, 'a> {
    doc: &'d XmlDoc<'a>,
    i: u32,
}

impl std::fmt::Debug for Node<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<{}>", self.name())
    }
}

/// The child elements of a [`Node`], in document order.
#[derive(Clone)]
pub struct Children<'d, 'a> {
    doc: &'d XmlDoc<'a>,
    next: u32,
}

impl<'d, 'a> Iterator for Children<'d, 'a> {
    type Item = Node<'d, 'a>;

    fn next(&mut self) -> Option<Node<'d, 'a>> {
        if self.next == NONE {
            return None;
        }
        let n = Node {
            doc: self.doc,
            i: self.next,
        };
        self.next = self.doc.elems[self.next as usize].next;
        Some(n)
    }
}

impl<'d, 'a> Node<'d, 'a> {
    fn elem(&self) -> &'d Elem<'a> {
        &self.doc.elems[self.i as usize]
    }

    /// The local name (without its namespace prefix).
    pub fn name(&self) -> &'d str {
        self.elem().local
    }

    /// The namespace prefix of the name (empty when there is none).
    pub fn prefix(&self) -> &'d str {
        self.elem().prefix
    }

    /// The element's own text (text and CDATA directly inside it, references resolved).
    pub fn text(&self) -> &'d str {
        &self.elem().text
    }

    /// The value of the attribute with local name `local` (any prefix but `xmlns`).
    pub fn attr(&self, local: &str) -> Option<&'d str> {
        self.elem()
            .attrs
            .iter()
            .find(|(p, l, _)| *l == local && *p != "xmlns")
            .map(|(_, _, v)| &**v)
    }

    /// Every attribute as `(prefix, local name, value)`, namespace declarations included.
    pub fn attributes(&self) -> impl Iterator<Item = (&'d str, &'d str, &'d str)> + 'd {
        self.elem().attrs.iter().map(|(p, l, v)| (*p, *l, &**v))
    }

    /// The child elements.
    pub fn children(&self) -> Children<'d, 'a> {
        Children {
            doc: self.doc,
            next: self.elem().first_child,
        }
    }

    /// The first child element named `local`.
    pub fn child(&self, local: &str) -> Option<Node<'d, 'a>> {
        self.children().find(|c| c.name() == local)
    }

    fn bad(&self, what: &str) -> XmlError {
        let t = self.text();
        let shown: String = t.chars().take(40).collect();
        err(format!(
            "element <{}>: invalid {what} {shown:?}",
            self.name()
        ))
    }

    /// The text as an owned string.
    pub fn string(&self) -> String {
        self.text().to_string()
    }

    /// `true` or `false`.
    pub fn bool(&self) -> Result<bool, XmlError> {
        match self.text().trim() {
            "true" => Ok(true),
            "false" => Ok(false),
            _ => Err(self.bad("boolean")),
        }
    }

    /// An integer that fits `i64`.
    pub fn i64(&self) -> Result<i64, XmlError> {
        self.text().trim().parse().map_err(|_| self.bad("integer"))
    }

    /// An integer that fits `i32`.
    pub fn i32(&self) -> Result<i32, XmlError> {
        self.text().trim().parse().map_err(|_| self.bad("integer"))
    }

    /// An integer that fits `i16`.
    pub fn i16(&self) -> Result<i16, XmlError> {
        self.text().trim().parse().map_err(|_| self.bad("integer"))
    }

    /// An integer that fits `i8`.
    pub fn i8(&self) -> Result<i8, XmlError> {
        self.text().trim().parse().map_err(|_| self.bad("integer"))
    }

    /// A number (`NaN`, `Infinity` and `-Infinity` included).
    pub fn f64(&self) -> Result<f64, XmlError> {
        match self.text().trim() {
            "NaN" => Ok(f64::NAN),
            "Infinity" => Ok(f64::INFINITY),
            "-Infinity" => Ok(f64::NEG_INFINITY),
            t if t.bytes().any(|b| b.is_ascii_digit()) => t.parse().map_err(|_| self.bad("number")),
            _ => Err(self.bad("number")),
        }
    }

    /// [`Node::f64`] as an `f32`.
    pub fn f32(&self) -> Result<f32, XmlError> {
        match self.text().trim() {
            "NaN" => Ok(f32::NAN),
            "Infinity" => Ok(f32::INFINITY),
            "-Infinity" => Ok(f32::NEG_INFINITY),
            t if t.bytes().any(|b| b.is_ascii_digit()) => t.parse().map_err(|_| self.bad("number")),
            _ => Err(self.bad("number")),
        }
    }

    /// The (trimmed) text as any `FromStr` type: a
    /// [`BigInteger`](crate::types::BigInteger) or [`BigDecimal`](crate::types::BigDecimal),
    /// digit for digit.
    pub fn parse<T: std::str::FromStr>(&self) -> Result<T, XmlError> {
        self.text().trim().parse().map_err(|_| self.bad("number"))
    }

    /// Base64 text as bytes.
    pub fn blob(&self) -> Result<Vec<u8>, XmlError> {
        base64_decode(self.text().trim()).map_err(|_| self.bad("base64"))
    }

    /// A timestamp in `format`.
    pub fn timestamp(&self, format: TimestampFormat) -> Result<DateTime, XmlError> {
        DateTime::parse(self.text().trim(), format).map_err(|_| self.bad("timestamp"))
    }
}

/// Parses an attribute value (or any text) of a scalar type the way [`Node`] parses element
/// text; for generated readers of `@xmlAttribute` members.
pub fn parse_text<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, XmlError> {
    text.trim()
        .parse()
        .map_err(|_| err(format!("attribute {name}: invalid value {text:?}")))
}
