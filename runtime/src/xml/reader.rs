//! The XML reader: a body read by the scanner in `scan.rs`, kept as a flat tree of elements
//! that borrows its names (and, where no reference needed resolving, its text) from the body.

use std::borrow::Cow;

use super::XmlError;
use crate::types::{base64_decode, DateTime, TimestampFormat};

/// The deepest element nesting a document may have.
pub const MAX_DEPTH: usize = 128;

/// The most elements a document may have.
pub const MAX_ELEMENTS: usize = 4_000_000;

/// No element (the end of a list of siblings).
pub(super) const NONE: u32 = u32::MAX;

/// An attribute: prefix, local name, value (references resolved).
pub(super) type Attr<'a> = (&'a str, &'a str, Cow<'a, str>);

/// An element of the flat tree; its attributes are `attrs[attr_start..attr_end]` of the
/// document.
#[derive(Debug)]
pub(super) struct Elem<'a> {
    pub(super) prefix: &'a str,
    pub(super) local: &'a str,
    pub(super) text: Cow<'a, str>,
    pub(super) attr_start: u32,
    pub(super) attr_end: u32,
    pub(super) first_child: u32,
    pub(super) next: u32,
}

/// A parsed XML document.
#[derive(Debug)]
pub struct XmlDoc<'a> {
    elems: Vec<Elem<'a>>,
    attrs: Vec<Attr<'a>>,
}

fn err(reason: impl Into<String>) -> XmlError {
    XmlError::new(reason)
}

impl<'a> XmlDoc<'a> {
    /// Parses a whole document. Refuses a document type declaration, a document without a root
    /// element or with mismatched tags, and one deeper than [`MAX_DEPTH`] or larger than
    /// [`MAX_ELEMENTS`] elements.
    pub fn parse(body: &'a [u8]) -> Result<XmlDoc<'a>, XmlError> {
        let (elems, attrs) = super::scan::parse(body)?;
        if elems.is_empty() {
            return Err(err("no root element"));
        }
        Ok(XmlDoc { elems, attrs })
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

    fn attrs(&self) -> &'d [Attr<'a>] {
        let e = self.elem();
        self.doc
            .attrs
            .get(e.attr_start as usize..e.attr_end as usize)
            .unwrap_or_default()
    }

    /// The value of the attribute with local name `local` (any prefix but `xmlns`).
    pub fn attr(&self, local: &str) -> Option<&'d str> {
        self.attrs()
            .iter()
            .find(|(p, l, _)| *l == local && *p != "xmlns")
            .map(|(_, _, v)| &**v)
    }

    /// Every attribute as `(prefix, local name, value)`, namespace declarations included.
    pub fn attributes(&self) -> impl Iterator<Item = (&'d str, &'d str, &'d str)> + 'd {
        self.attrs().iter().map(|(p, l, v)| (*p, *l, &**v))
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
