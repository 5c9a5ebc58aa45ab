//! XML for the XML protocols (awsQuery and ec2Query responses, restXml bodies).
//!
//! * [`XmlDoc`] parses a response body with our own byte scanner into a flat tree of
//!   elements ([`Node`]): element and attribute names with their namespace prefix split off,
//!   entity and character references resolved, CDATA sections kept as text, comments and
//!   processing instructions dropped, and a document type declaration refused (nothing is ever
//!   expanded from one). Generated deserializers walk the tree by local name and skip what they do
//!   not know. Size and depth are bounded ([`MAX_DEPTH`], [`MAX_ELEMENTS`]).
//! * [`XmlWriter`] writes request bodies (restXml): elements, attributes, namespace
//!   declarations and escaped text.
//! * [`QueryWriter`] writes the `application/x-www-form-urlencoded` bodies of awsQuery and
//!   ec2Query requests.
//!
//! Nothing here panics on any input; a document that cannot be read is an [`XmlError`].

mod query;
mod reader;
mod scan;
mod writer;

#[cfg(test)]
mod scan_tests;
#[cfg(test)]
mod tests;

use std::fmt;

pub use self::query::QueryWriter;
pub use self::reader::{parse_text, Children, Node, XmlDoc, MAX_DEPTH, MAX_ELEMENTS};
pub use self::writer::{escape_into, XmlWriter};

/// A response body (or a value in it) that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// What went wrong, e.g. `element <Count>: invalid number "x"`.
    pub reason: String,
}

impl XmlError {
    /// An error saying `reason`.
    pub fn new(reason: impl Into<String>) -> XmlError {
        XmlError {
            reason: reason.into(),
        }
    }
}

impl fmt::Display for XmlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid XML: {}", self.reason)
    }
}

impl std::error::Error for XmlError {}

/// Header values read by the HTTP bindings report [`JsonError`](crate::json::JsonError)s; an
/// XML protocol's reader returns them as XML errors.
impl From<crate::json::JsonError> for XmlError {
    fn from(e: crate::json::JsonError) -> XmlError {
        XmlError::new(e.reason)
    }
}

/// Fuzzing entry point: parses arbitrary bytes and walks every element, reading every value
/// every way; must never panic.
pub fn validate_fuzz_input(data: &[u8]) {
    fn walk(n: Node<'_, '_>, depth: usize) {
        let _ = (n.name(), n.prefix(), n.text());
        let _ = (n.bool(), n.i64(), n.f64(), n.blob());
        let _ = n.timestamp(crate::types::TimestampFormat::DateTime);
        let _ = n.attr("a");
        if depth < MAX_DEPTH + 1 {
            for c in n.children() {
                walk(c, depth + 1);
            }
        }
    }
    if let Ok(doc) = XmlDoc::parse(data) {
        walk(doc.root(), 0);
    }
}
