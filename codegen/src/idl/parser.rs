//! Smithy IDL (1.0 and 2.0) text → [`IdlFile`].
//!
//! A scannerless recursive-descent parser that follows the IDL grammar closely, whitespace rules
//! included: `SP` (spaces and tabs), `BR` (a line break, possibly after a comment) and `WS`
//! (anything blank, commas and comments included) are distinct, so statements that the reference
//! loader rejects for a missing line break or a missing space are rejected here too. Every error
//! carries the line and column it was found at.

use super::syntax::{
    ApplyDef, Body, IdlFile, IoRef, MemberDef, Node, Pos, RawId, ShapeDef, TraitApp,
};

/// A syntax error at a position.
#[derive(Debug, Clone, PartialEq)]
pub struct SyntaxError {
    /// Where.
    pub pos: Pos,
    /// Why.
    pub message: String,
}

type PResult<T> = Result<T, SyntaxError>;

/// Deepest nesting of node values accepted (guards the stack against hostile input).
const MAX_DEPTH: usize = 64;

const SIMPLE_TYPES: [&str; 13] = [
    "blob",
    "boolean",
    "document",
    "string",
    "byte",
    "short",
    "integer",
    "long",
    "float",
    "double",
    "bigInteger",
    "bigDecimal",
    "timestamp",
];

const AGGREGATE_TYPES: [&str; 5] = ["list", "set", "map", "structure", "union"];

/// Parses one IDL file.
pub fn parse(text: &str) -> PResult<IdlFile> {
    let mut p = Parser {
        src: text.as_bytes(),
        text,
        i: 0,
        line: 1,
        line_start: 0,
        docs: Vec::new(),
        docs_end: usize::MAX,
        depth: 0,
        version: String::from("1.0"),
    };
    p.file()
}

struct Parser<'a> {
    src: &'a [u8],
    text: &'a str,
    i: usize,
    line: u32,
    line_start: usize,
    /// Doc comment lines met in the current run of whitespace.
    docs: Vec<String>,
    /// Where the last run of whitespace ended (the doc comments belong to what starts there).
    docs_end: usize,
    depth: usize,
    version: String,
}

impl<'a> Parser<'a> {
    // ---- positions and errors -------------------------------------------------------------

    fn pos(&self) -> Pos {
        Pos {
            line: self.line,
            col: (self.i - self.line_start + 1) as u32,
        }
    }

    fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err(SyntaxError {
            pos: self.pos(),
            message: message.into(),
        })
    }

    fn err_at<T>(pos: Pos, message: impl Into<String>) -> PResult<T> {
        Err(SyntaxError {
            pos,
            message: message.into(),
        })
    }

    fn v2(&self) -> bool {
        !self.version.starts_with('1')
    }

    /// A description of what is at the cursor, in the reference loader's token terms.
    fn found(&self) -> String {
        let Some(&c) = self.src.get(self.i) else {
            return "EOF".into();
        };
        let rest = &self.text[self.i..];
        match c {
            b'\n' => "NEWLINE('\\n')".into(),
            b'\r' => "NEWLINE('\\r')".into(),
            b' ' | b'\t' => "SPACE(' ')".into(),
            b',' => "COMMA(',')".into(),
            b'/' if rest.starts_with("//") => {
                let end = rest.find('\n').map_or(rest.len(), |n| n + 1);
                format!("COMMENT({:?})", &rest[..end])
            }
            b'"' if rest.starts_with("\"\"\"") => "TEXT_BLOCK('\"\"\"')".into(),
            b'"' => "STRING('\"')".into(),
            b'{' => "LBRACE('{')".into(),
            b'}' => "RBRACE('}')".into(),
            b'[' => "LBRACKET('[')".into(),
            b']' => "RBRACKET(']')".into(),
            b'(' => "LPAREN('(')".into(),
            b')' => "RPAREN(')')".into(),
            b'@' => "AT('@')".into(),
            b'$' => "DOLLAR('$')".into(),
            b'#' => "POUND('#')".into(),
            b'.' => "DOT('.')".into(),
            b'=' => "EQUAL('=')".into(),
            b':' if rest.starts_with(":=") => "WALRUS(':=')".into(),
            b':' => "COLON(':')".into(),
            b'-' | b'0'..=b'9' => "NUMBER".into(),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let end = rest
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len());
                format!("IDENTIFIER('{}')", &rest[..end])
            }
            _ => {
                let ch = rest.chars().next().unwrap_or('?');
                format!("ERROR('{ch}')")
            }
        }
    }

    fn expected<T>(&self, what: &str) -> PResult<T> {
        self.err(format!("Expected {what} but found {}", self.found()))
    }

    // ---- the cursor ---------------------------------------------------------------------------

    fn peek(&self) -> Option<u8> {
        self.src.get(self.i).copied()
    }

    fn peek_at(&self, n: usize) -> Option<u8> {
        self.src.get(self.i + n).copied()
    }

    fn eof(&self) -> bool {
        self.i >= self.src.len()
    }

    /// Moves past one byte, keeping the line count.
    fn bump(&mut self) {
        if let Some(&c) = self.src.get(self.i) {
            self.i += 1;
            if c == b'\n' {
                self.line += 1;
                self.line_start = self.i;
            }
        }
    }

    fn starts_with(&self, s: &str) -> bool {
        self.src[self.i..].starts_with(s.as_bytes())
    }

    /// True when the identifier `word` is at the cursor and is not the start of a longer one.
    fn at_keyword(&self, word: &str) -> bool {
        self.starts_with(word)
            && !self
                .peek_at(word.len())
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
    }

    fn expect_byte(&mut self, c: u8, name: &str) -> PResult<()> {
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            self.expected(&format!("{name}('{}')", c as char))
        }
    }

    // ---- whitespace ---------------------------------------------------------------------------

    /// `*SP`
    fn sp(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.bump();
        }
    }

    /// `1*SP`
    fn req_sp(&mut self) -> PResult<()> {
        if !matches!(self.peek(), Some(b' ' | b'\t')) {
            return self.expected("SPACE(' ')");
        }
        self.sp();
        Ok(())
    }

    /// `[WS]`: spaces, line breaks, commas and comments; collects doc comments.
    fn ws(&mut self) {
        if self.i != self.docs_end {
            self.docs.clear();
        }
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r' | b',') => self.bump(),
                Some(b'/') if self.peek_at(1) == Some(b'/') => self.comment(),
                _ => break,
            }
        }
        self.docs_end = self.i;
    }

    /// A `//` or `///` comment up to and including its line break.
    fn comment(&mut self) {
        let start = self.i;
        // A `///` after something else on its line is a plain comment, not documentation.
        let own_line = self.src[self.line_start..start]
            .iter()
            .all(|c| matches!(c, b' ' | b'\t' | b','));
        while !matches!(self.peek(), None | Some(b'\n')) {
            self.bump();
        }
        let text = &self.text[start..self.i];
        self.bump();
        if let Some(doc) = text.strip_prefix("///").filter(|_| own_line) {
            let doc = doc.strip_suffix('\r').unwrap_or(doc);
            self.docs
                .push(doc.strip_prefix(' ').unwrap_or(doc).to_owned());
        }
    }

    /// `BR`: optional spaces, then at least one line break or comment (or the end of the file),
    /// then any whitespace.
    fn br(&mut self) -> PResult<()> {
        self.sp();
        match self.peek() {
            None => {}
            Some(b'\n' | b'\r') => {}
            Some(b'/') if self.peek_at(1) == Some(b'/') => {}
            _ => return self.err(format!("Expected a line break, but found {}", self.found())),
        }
        self.ws();
        Ok(())
    }

    /// Doc comments that end right where the cursor is, joined by line breaks.
    fn take_docs(&mut self) -> Option<String> {
        if self.docs_end != self.i || self.docs.is_empty() {
            return None;
        }
        let docs = std::mem::take(&mut self.docs);
        Some(docs.join("\n"))
    }

    // ---- lexical pieces -----------------------------------------------------------------------

    fn identifier(&mut self) -> PResult<String> {
        let start = self.i;
        match self.peek() {
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {}
            _ => return self.expected("IDENTIFIER"),
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_')
        {
            self.bump();
        }
        let id = &self.text[start..self.i];
        if id.bytes().all(|c| c == b'_') {
            return Self::err_at(
                self.pos(),
                format!(
                    "Expected a valid identifier character, but found '{}'",
                    self.found()
                ),
            );
        }
        Ok(id.to_owned())
    }

    /// `Namespace`: identifiers joined by dots.
    fn namespace(&mut self) -> PResult<String> {
        let mut ns = self.identifier()?;
        while self.peek() == Some(b'.') {
            self.bump();
            ns.push('.');
            ns.push_str(&self.identifier()?);
        }
        Ok(ns)
    }

    /// A shape id: `[Namespace "#"] Identifier ["$" Identifier]`.
    fn shape_id(&mut self) -> PResult<RawId> {
        let pos = self.pos();
        let mut text = self.namespace()?;
        if self.peek() == Some(b'#') {
            self.bump();
            text.push('#');
            text.push_str(&self.identifier()?);
        } else if text.contains('.') {
            return self.expected("POUND('#')");
        }
        if self.peek() == Some(b'$') {
            self.bump();
            text.push('$');
            text.push_str(&self.identifier()?);
        }
        Ok(RawId { text, pos })
    }

    fn quoted(&mut self) -> PResult<String> {
        let pos = self.pos();
        if self.starts_with("\"\"\"") {
            return self.text_block();
        }
        self.bump();
        let start = self.i;
        loop {
            match self.peek() {
                None => return self.err("Expected: '\"', but found '[EOF]'"),
                Some(b'"') => break,
                Some(b'\\') => {
                    self.bump();
                    self.bump();
                }
                Some(_) => self.bump(),
            }
        }
        let raw = &self.text[start..self.i];
        self.bump();
        let raw = raw.replace("\r\n", "\n");
        unescape(&raw).map_err(|m| SyntaxError {
            pos,
            message: format!("Error parsing quoted string: {m}"),
        })
    }

    fn text_block(&mut self) -> PResult<String> {
        let pos = self.pos();
        for _ in 0..3 {
            self.bump();
        }
        let start = self.i;
        loop {
            match self.peek() {
                None => return self.err("Expected: '\"', but found '[EOF]'"),
                Some(b'"') if self.starts_with("\"\"\"") => break,
                Some(b'\\') => {
                    self.bump();
                    self.bump();
                }
                Some(_) => self.bump(),
            }
        }
        let raw = self.text[start..self.i].replace("\r\n", "\n");
        for _ in 0..3 {
            self.bump();
        }
        let fail = |m: &str| SyntaxError {
            pos,
            message: format!("Error parsing text block: {m}"),
        };
        if raw.is_empty() {
            return Err(fail("Text block is empty"));
        }
        let Some(body) = raw.strip_prefix('\n') else {
            return Err(fail("Text block must start with a new line"));
        };
        unescape(&dedent(body)).map_err(|m| fail(&m))
    }

    /// Moves past a run of ASCII digits.
    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.i;
        let pos = self.pos();
        let bad = |p: &Self, why: &str| {
            let text = &p.text[start..p.i];
            Self::err_at(pos, format!("Invalid number '{text}': {why}"))
        };
        if self.peek() == Some(b'-') {
            self.bump();
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return bad(self, "'-' must be followed by a digit");
            }
        }
        self.digits();
        if self.peek() == Some(b'.') {
            self.bump();
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return bad(self, "'.' must be followed by a digit");
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.bump();
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.bump();
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return bad(self, "'e', '+', and '-' must be followed by a digit");
            }
            self.digits();
        }
        Ok(Node::Number(self.text[start..self.i].to_owned()))
    }

    // ---- node values --------------------------------------------------------------------------

    fn node(&mut self) -> PResult<Node> {
        const EXPECTED: &str = "one of STRING('\"'), TEXT_BLOCK('\"\"\"'), NUMBER, IDENTIFIER, LBRACE('{'), LBRACKET('[');";
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!("Node values nest deeper than {MAX_DEPTH} levels"));
        }
        let node = match self.peek() {
            Some(b'{') => self.node_object().map(Node::Object),
            Some(b'[') => self.node_array(),
            Some(b'"') => self.quoted().map(Node::Str),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let id = self.shape_id()?;
                Ok(match id.text.as_str() {
                    "true" => Node::Bool(true),
                    "false" => Node::Bool(false),
                    "null" => Node::Null,
                    _ => Node::ShapeId(id),
                })
            }
            _ => self.err(format!("Expected {EXPECTED} but found {}", self.found())),
        };
        self.depth -= 1;
        node
    }

    fn node_array(&mut self) -> PResult<Node> {
        self.bump();
        self.ws();
        let mut items = Vec::new();
        while self.peek() != Some(b']') {
            items.push(self.node()?);
            self.ws();
        }
        self.bump();
        Ok(Node::Array(items))
    }

    /// An object key: quoted text or an identifier.
    fn node_key(&mut self) -> PResult<String> {
        match self.peek() {
            Some(b'"') if !self.starts_with("\"\"\"") => self.quoted(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.identifier(),
            _ => self.expected("one of RBRACE('}'), STRING('\"'), IDENTIFIER;"),
        }
    }

    /// `{ k: v ... }` with positions dropped.
    fn node_object(&mut self) -> PResult<Vec<(String, Node)>> {
        Ok(self
            .node_object_pos()?
            .into_iter()
            .map(|(k, v, _)| (k, v))
            .collect())
    }

    fn node_object_pos(&mut self) -> PResult<Vec<(String, Node, Pos)>> {
        self.bump();
        self.ws();
        let mut kvs: Vec<(String, Node, Pos)> = Vec::new();
        while self.peek() != Some(b'}') {
            let pos = self.pos();
            let key = self.node_key()?;
            self.ws();
            self.colon()?;
            self.ws();
            let value = self.node()?;
            if kvs.iter().any(|(k, _, _)| *k == key) {
                return Self::err_at(pos, format!("Duplicate member of object: `{key}`"));
            }
            kvs.push((key, value, pos));
            self.ws();
        }
        self.bump();
        Ok(kvs)
    }

    /// `:` but not `:=`.
    fn colon(&mut self) -> PResult<()> {
        if self.starts_with(":=") || self.peek() != Some(b':') {
            return self.expected("COLON(':')");
        }
        self.bump();
        Ok(())
    }

    // ---- traits -------------------------------------------------------------------------------

    /// `*(Trait [WS])`
    fn trait_statements(&mut self) -> PResult<Vec<TraitApp>> {
        let mut traits = Vec::new();
        while self.peek() == Some(b'@') {
            traits.push(self.trait_app()?);
            self.ws();
        }
        Ok(traits)
    }

    fn trait_app(&mut self) -> PResult<TraitApp> {
        self.bump();
        let id = self.shape_id()?;
        if self.peek() != Some(b'(') {
            return Ok(TraitApp { id, value: None });
        }
        self.bump();
        self.ws();
        if self.peek() == Some(b')') {
            self.bump();
            return Ok(TraitApp { id, value: None });
        }
        // A structure body (`key: value ...`) or a single node value.
        let structured = {
            let save = (self.i, self.line, self.line_start);
            let is_kv = match self.peek() {
                Some(b'"') if !self.starts_with("\"\"\"") => {
                    self.quoted().is_ok() && {
                        self.ws();
                        self.peek() == Some(b':') && !self.starts_with(":=")
                    }
                }
                Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                    self.identifier().is_ok() && {
                        self.ws();
                        self.peek() == Some(b':') && !self.starts_with(":=")
                    }
                }
                _ => false,
            };
            (self.i, self.line, self.line_start) = save;
            is_kv
        };
        let value = if structured {
            let mut kvs: Vec<(String, Node)> = Vec::new();
            while self.peek() != Some(b')') {
                let pos = self.pos();
                let key = self.node_key()?;
                self.ws();
                self.colon()?;
                self.ws();
                let value = self.node()?;
                if kvs.iter().any(|(k, _)| *k == key) {
                    return Self::err_at(pos, format!("Duplicate member of object: `{key}`"));
                }
                kvs.push((key, value));
                self.ws();
            }
            Node::Object(kvs)
        } else {
            let v = self.node()?;
            self.ws();
            if self.peek() != Some(b')') {
                return self.expected("RPAREN(')')");
            }
            v
        };
        self.bump();
        Ok(TraitApp {
            id,
            value: Some(value),
        })
    }

    // ---- statements ---------------------------------------------------------------------------

    fn file(&mut self) -> PResult<IdlFile> {
        let mut file = IdlFile {
            version: "1.0".into(),
            input_suffix: "Input".into(),
            output_suffix: "Output".into(),
            ..IdlFile::default()
        };
        self.ws();
        let mut seen_controls: Vec<String> = Vec::new();
        while self.peek() == Some(b'$') {
            self.bump();
            let key_pos = self.pos();
            let key = self.node_key_control()?;
            self.sp();
            self.colon()?;
            self.sp();
            let value_pos = self.pos();
            let value = self.node()?;
            if seen_controls.contains(&key) {
                return Self::err_at(value_pos, format!("Duplicate control statement `{key}`"));
            }
            seen_controls.push(key.clone());
            match key.as_str() {
                "version" => {
                    let Node::Str(v) = &value else {
                        return Self::err_at(
                            key_pos,
                            format!(
                                "The $version control statement must have a string value, but found {}",
                                node_text(&value)
                            ),
                        );
                    };
                    if !(v == "1" || v == "2" || v.starts_with("1.") || v.starts_with("2.")) {
                        return Self::err_at(
                            value_pos,
                            format!("Unsupported Smithy version number: {v}"),
                        );
                    }
                    file.version = v.clone();
                    self.version = v.clone();
                }
                "operationInputSuffix" | "operationOutputSuffix" => {
                    let Node::Str(v) = &value else {
                        return Self::err_at(value_pos, format!("${key} must be a string"));
                    };
                    if key == "operationInputSuffix" {
                        file.input_suffix = v.clone();
                    } else {
                        file.output_suffix = v.clone();
                    }
                }
                // Unknown control statements are ignored, as the reference loader does (it warns).
                _ => {}
            }
            self.br()?;
        }
        while self.at_keyword("metadata") {
            for _ in 0.."metadata".len() {
                self.bump();
            }
            self.req_sp()?;
            let pos = self.pos();
            let key = self.node_key()?;
            self.sp();
            self.expect_byte(b'=', "EQUAL")?;
            self.sp();
            let value = self.node()?;
            file.metadata.push((key, value, pos));
            self.br()?;
        }
        if self.eof() {
            return Ok(file);
        }
        if !self.at_keyword("namespace") {
            return self.err(format!(
                "Expected a namespace definition but found {}",
                self.found()
            ));
        }
        for _ in 0.."namespace".len() {
            self.bump();
        }
        self.req_sp()?;
        file.namespace = Some(self.namespace()?);
        self.br()?;
        while self.at_keyword("use") {
            for _ in 0.."use".len() {
                self.bump();
            }
            self.req_sp()?;
            let id = self.shape_id()?;
            if !id.text.contains('#') {
                return Self::err_at(id.pos, "Expected POUND('#') in a use statement");
            }
            if id.text.contains('$') {
                return Self::err_at(id.pos, "Use statements cannot use members");
            }
            file.uses.push((id.text, id.pos));
            self.br()?;
        }
        while !self.eof() {
            self.shape_or_apply(&mut file)?;
            self.br()?;
        }
        Ok(file)
    }

    /// A control statement key: an identifier or quoted text.
    fn node_key_control(&mut self) -> PResult<String> {
        match self.peek() {
            Some(b'"') if !self.starts_with("\"\"\"") => self.quoted(),
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => self.identifier(),
            _ => self.err(format!("Unexpected character: '{}'", self.current_char())),
        }
    }

    fn current_char(&self) -> char {
        self.text[self.i..].chars().next().unwrap_or(' ')
    }

    /// Reads a keyword-like word (a run of identifier characters) without consuming it.
    fn peek_word(&self) -> &'a str {
        let rest = &self.text[self.i..];
        let end = rest
            .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
            .unwrap_or(rest.len());
        &rest[..end]
    }

    fn shape_or_apply(&mut self, file: &mut IdlFile) -> PResult<()> {
        let docs = self.take_docs();
        let traits_pos = self.pos();
        let traits = self.trait_statements()?;
        let pos = self.pos();
        let word = self.peek_word();
        if word.is_empty() {
            return self.expected("IDENTIFIER");
        }
        let word = word.to_owned();
        if word == "apply" {
            if !traits.is_empty() {
                let _ = traits_pos;
                return Self::err_at(pos, "Traits applied to apply statement");
            }
            for _ in 0..5 {
                self.bump();
            }
            self.req_sp()?;
            let target = self.shape_id()?;
            let ws_start = self.i;
            self.ws();
            if self.i == ws_start {
                return self.err(format!(
                    "Expected one or more whitespace characters, but found {}",
                    self.found()
                ));
            }
            let traits = match self.peek() {
                Some(b'@') => vec![self.trait_app()?],
                Some(b'{') => {
                    self.bump();
                    self.ws();
                    let traits = self.trait_statements()?;
                    self.expect_byte(b'}', "RBRACE")?;
                    traits
                }
                _ => return self.expected("one of AT('@'), LBRACE('{');"),
            };
            file.applies.push(ApplyDef { target, traits });
            return Ok(());
        }
        let kind_ok = SIMPLE_TYPES.contains(&word.as_str())
            || AGGREGATE_TYPES.contains(&word.as_str())
            || matches!(
                word.as_str(),
                "enum" | "intEnum" | "service" | "resource" | "operation"
            );
        if !kind_ok {
            return self.err(format!("Unknown shape type: {word}"));
        }
        for _ in 0..word.len() {
            self.bump();
        }
        let v2 = self.v2();
        if !v2 && matches!(word.as_str(), "enum" | "intEnum") {
            return Self::err_at(
                pos,
                format!("{word} shapes cannot be used in Smithy version 1.0"),
            );
        }
        if v2 && word == "set" {
            return Self::err_at(pos, "set shapes cannot be used in Smithy version 2.0");
        }
        self.req_sp()?;
        let name = self.identifier()?;
        let mut shape = ShapeDef {
            kind: word.clone(),
            name,
            docs,
            traits,
            mixins: Vec::new(),
            for_resource: None,
            body: Body::None,
            pos,
        };
        match word.as_str() {
            w if SIMPLE_TYPES.contains(&w) => {
                self.sp();
                self.mixins(&mut shape)?;
            }
            "enum" | "intEnum" => {
                self.sp();
                self.mixins(&mut shape)?;
                self.ws();
                shape.body = Body::Members(self.members(true)?);
            }
            "list" | "set" | "map" | "structure" | "union" => {
                if matches!(self.peek(), Some(b' ' | b'\t')) {
                    let save = (self.i, self.line, self.line_start);
                    self.sp();
                    if self.at_keyword("for") {
                        for _ in 0..3 {
                            self.bump();
                        }
                        self.req_sp()?;
                        shape.for_resource = Some(self.shape_id()?);
                        if !v2 {
                            return Self::err_at(pos, "Structures can only be bound to resources with Smithy version 2 or later. Attempted to bind a structure to a resource with version `1.0`.");
                        }
                    } else {
                        (self.i, self.line, self.line_start) = save;
                    }
                }
                self.sp();
                self.mixins(&mut shape)?;
                self.ws();
                if self.peek() != Some(b'{') {
                    return self.expected("LBRACE('{')");
                }
                shape.body = Body::Members(self.members(false)?);
            }
            "service" | "resource" => {
                self.sp();
                self.mixins(&mut shape)?;
                self.ws();
                if self.peek() != Some(b'{') {
                    return self.expected("LBRACE('{')");
                }
                shape.body = Body::Entity(self.node_object_pos()?);
            }
            _ => {
                self.sp();
                self.mixins(&mut shape)?;
                self.ws();
                shape.body = self.operation_body(&shape.name, file)?;
            }
        }
        file.shapes.push(shape);
        Ok(())
    }

    /// `[with [A B]]` after optional spaces (already skipped).
    fn mixins(&mut self, shape: &mut ShapeDef) -> PResult<()> {
        if !self.at_keyword("with") {
            return Ok(());
        }
        let pos = self.pos();
        if !self.v2() {
            return Self::err_at(pos, "Mixins can only be used with Smithy version 2 or later. Attempted to use mixins with version `1.0`.");
        }
        for _ in 0..4 {
            self.bump();
        }
        self.ws();
        self.expect_byte(b'[', "LBRACKET")?;
        self.ws();
        let mut ids = Vec::new();
        loop {
            ids.push(self.shape_id()?);
            self.ws();
            if self.peek() == Some(b']') {
                break;
            }
        }
        self.bump();
        shape.mixins = ids;
        Ok(())
    }

    /// `{ members }` of an aggregate or enum shape (cursor on `{`).
    fn members(&mut self, is_enum: bool) -> PResult<Vec<MemberDef>> {
        self.expect_byte(b'{', "LBRACE")?;
        self.ws();
        let mut members: Vec<MemberDef> = Vec::new();
        while self.peek() != Some(b'}') {
            if self.eof() {
                return self.expected("RBRACE('}')");
            }
            let docs = self.take_docs();
            let traits = self.trait_statements()?;
            let pos = self.pos();
            let mut member = MemberDef {
                name: String::new(),
                target: None,
                elided: false,
                docs,
                traits,
                value: None,
                pos,
            };
            if is_enum {
                member.name = self.identifier()?;
            } else if self.peek() == Some(b'$') {
                if !self.v2() {
                    return self.err("Members can only elide targets in IDL version 2 or later");
                }
                self.bump();
                member.name = self.identifier()?;
                member.elided = true;
            } else {
                member.name = self.identifier()?;
                self.sp();
                self.colon()?;
                self.sp();
                member.target = Some(self.shape_id()?);
            }
            if members.iter().any(|m| m.name == member.name) {
                return Self::err_at(
                    pos,
                    format!("Found conflicting member name, `{}`", member.name),
                );
            }
            // `= value`
            let save = (self.i, self.line, self.line_start);
            self.sp();
            if self.peek() == Some(b'=') {
                let eq = self.pos();
                if !self.v2() {
                    return Self::err_at(
                        eq,
                        "@default assignment is only supported in IDL version 2 or later",
                    );
                }
                self.bump();
                self.sp();
                member.value = Some(self.node()?);
                self.sp();
                if self.peek() == Some(b',') {
                    self.bump();
                }
                self.br()?;
            } else {
                (self.i, self.line, self.line_start) = save;
                self.ws();
            }
            members.push(member);
        }
        self.bump();
        Ok(members)
    }

    fn operation_body(&mut self, op_name: &str, file: &IdlFile) -> PResult<Body> {
        if self.peek() != Some(b'{') {
            return self.expected("LBRACE('{')");
        }
        self.bump();
        self.ws();
        let mut input = None;
        let mut output = None;
        let mut errors = None;
        while self.peek() != Some(b'}') {
            if self.eof() {
                return self.expected("RBRACE('}')");
            }
            let pos = self.pos();
            let key = self.identifier()?;
            match key.as_str() {
                "input" | "output" => {
                    self.ws();
                    let io = if self.starts_with(":=") {
                        if !self.v2() {
                            return Self::err_at(pos, "Inlined operation inputs and outputs can only be used with Smithy version 2 or later. Attempted to use inlined IO with version `1.0`.");
                        }
                        self.bump();
                        self.bump();
                        self.ws();
                        let docs = self.take_docs();
                        let spos = self.pos();
                        let traits = self.trait_statements()?;
                        let suffix = if key == "input" {
                            &file.input_suffix
                        } else {
                            &file.output_suffix
                        };
                        let mut shape = ShapeDef {
                            kind: "structure".into(),
                            name: format!("{op_name}{suffix}"),
                            docs,
                            traits,
                            mixins: Vec::new(),
                            for_resource: None,
                            body: Body::None,
                            pos: spos,
                        };
                        if self.at_keyword("for") {
                            for _ in 0..3 {
                                self.bump();
                            }
                            self.req_sp()?;
                            shape.for_resource = Some(self.shape_id()?);
                            self.sp();
                        }
                        self.mixins(&mut shape)?;
                        self.ws();
                        if self.peek() != Some(b'{') {
                            return self.expected("LBRACE('{')");
                        }
                        shape.body = Body::Members(self.members(false)?);
                        IoRef::Inline(Box::new(shape))
                    } else {
                        self.colon()?;
                        self.ws();
                        IoRef::Ref(self.shape_id()?)
                    };
                    let slot = if key == "input" {
                        &mut input
                    } else {
                        &mut output
                    };
                    if slot.is_some() {
                        return Self::err_at(
                            pos,
                            format!("Duplicate operation {key} property for `{op_name}`"),
                        );
                    }
                    *slot = Some(io);
                }
                "errors" => {
                    self.ws();
                    self.colon()?;
                    self.ws();
                    self.expect_byte(b'[', "LBRACKET")?;
                    self.ws();
                    let mut ids = Vec::new();
                    while self.peek() != Some(b']') {
                        ids.push(self.shape_id()?);
                        self.ws();
                    }
                    self.bump();
                    if errors.is_some() {
                        return Self::err_at(
                            pos,
                            format!("Duplicate operation errors property for `{op_name}`"),
                        );
                    }
                    errors = Some(ids);
                }
                other => {
                    return Self::err_at(
                        pos,
                        format!("Unknown property {other} for operation `{op_name}`"),
                    )
                }
            }
            self.ws();
        }
        self.bump();
        Ok(Body::Operation {
            input,
            output,
            errors,
        })
    }
}

/// How a node value reads in an error message.
fn node_text(node: &Node) -> String {
    match node {
        Node::Null => "null".into(),
        Node::Bool(b) => b.to_string(),
        Node::Number(n) => n.clone(),
        Node::Str(s) => format!("{s:?}"),
        Node::ShapeId(id) => id.text.clone(),
        Node::Array(_) => "an array".into(),
        Node::Object(_) => "an object".into(),
    }
}

/// Processes the escapes of a quoted string or text block.
fn unescape(raw: &str) -> Result<String, String> {
    if !raw.contains('\\') {
        return Ok(raw.to_owned());
    }
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('"') => out.push('"'),
            Some('\\') => out.push('\\'),
            Some('/') => out.push('/'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('\n') => {}
            Some('u') => {
                let code = hex4(&mut chars)?;
                if (0xD800..0xDC00).contains(&code) {
                    // A high surrogate must be followed by `\uDC00`..`\uDFFF`.
                    let (Some('\\'), Some('u')) = (chars.next(), chars.next()) else {
                        return Err("Invalid unicode surrogate pair in string".into());
                    };
                    let low = hex4(&mut chars)?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err("Invalid unicode surrogate pair in string".into());
                    }
                    let c = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                    out.push(char::from_u32(c).ok_or("Invalid unicode escape in string")?);
                } else {
                    out.push(char::from_u32(code).ok_or("Invalid unicode escape in string")?);
                }
            }
            Some(other) => return Err(format!("Invalid escape found in string: `\\{other}`")),
            None => return Err("Invalid escape found in string: `\\`".into()),
        }
    }
    Ok(out)
}

fn hex4(chars: &mut std::str::Chars<'_>) -> Result<u32, String> {
    let mut code = 0;
    for _ in 0..4 {
        let Some(c) = chars.next() else {
            return Err("Invalid unclosed unicode escape found in string".into());
        };
        let Some(d) = c.to_digit(16) else {
            return Err(format!("Invalid unicode escape character: `{c}`"));
        };
        code = code * 16 + d;
    }
    Ok(code)
}

/// Removes a text block's incidental indentation and trailing spaces (the text after the opening
/// line break, up to the closing delimiter).
fn dedent(body: &str) -> String {
    let lines: Vec<&str> = body.split('\n').collect();
    let last = lines.len() - 1;
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let min = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| *i == last || !l.trim().is_empty())
        .map(|(_, l)| indent(l))
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(body.len());
    for (i, line) in lines.iter().enumerate() {
        let stripped = if line.trim().is_empty() {
            ""
        } else {
            &line[min.min(line.len())..]
        };
        let stripped = stripped.trim_end_matches([' ', '\t']);
        out.push_str(stripped);
        if i != last {
            out.push('\n');
        }
    }
    out
}
