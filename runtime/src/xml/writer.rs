//! The XML writer for request bodies.

/// Appends `text` escaped for element text or a double-quoted attribute value: `&`, `<`, `>`,
/// `"`, and the line-end characters (`\r`, `\n` in attributes) that a reader would otherwise
/// normalize.
pub fn escape_into(out: &mut String, text: &str, attribute: bool) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let rep = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if attribute => "&quot;",
            b'\r' => "&#xD;",
            b'\n' if attribute => "&#xA;",
            b'\t' if attribute => "&#x9;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(rep);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

/// Writes an XML document element by element. A start tag stays open for attributes until
/// the element's first content ([`XmlWriter::text`], a child, or [`XmlWriter::end`]).
#[derive(Debug, Default)]
pub struct XmlWriter {
    out: String,
    open: bool,
}

impl XmlWriter {
    /// An empty document (no XML declaration: the protocols do not need one).
    pub fn new() -> XmlWriter {
        XmlWriter::default()
    }

    fn close_start(&mut self) {
        if self.open {
            self.out.push('>');
            self.open = false;
        }
    }

    /// Opens element `name` (attributes may follow).
    pub fn start(&mut self, name: &str) {
        self.close_start();
        self.out.push('<');
        self.out.push_str(name);
        self.open = true;
    }

    /// An attribute of the element just opened.
    pub fn attr(&mut self, name: &str, value: &str) {
        if !self.open {
            return;
        }
        self.out.push(' ');
        self.out.push_str(name);
        self.out.push_str("=\"");
        escape_into(&mut self.out, value, true);
        self.out.push('"');
    }

    /// A namespace declaration on the element just opened: `xmlns="uri"`, or
    /// `xmlns:prefix="uri"`.
    pub fn namespace(&mut self, prefix: Option<&str>, uri: &str) {
        match prefix {
            Some(p) => self.attr(&format!("xmlns:{p}"), uri),
            None => self.attr("xmlns", uri),
        }
    }

    /// Escaped text inside the current element.
    pub fn text(&mut self, text: &str) {
        self.close_start();
        escape_into(&mut self.out, text, false);
    }

    /// Closes element `name`.
    pub fn end(&mut self, name: &str) {
        self.close_start();
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
    }

    /// `<name>text</name>`.
    pub fn element(&mut self, name: &str, text: &str) {
        self.start(name);
        self.text(text);
        self.end(name);
    }

    /// The document's bytes.
    pub fn finish(mut self) -> Vec<u8> {
        self.close_start();
        self.out.into_bytes()
    }
}
