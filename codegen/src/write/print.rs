//! Rust source text straight from a token stream, without building a syntax tree.
//!
//! The emitters build every file with `quote!`, so the tokens are already valid Rust: this
//! printer only has to lay them out. It used to be `syn::parse2` + `prettyplease`, which spent
//! most of the generator's time building and dropping a syntax tree only to print it again. The
//! layout follows rustfmt's habits where the tokens alone decide them:
//! - one item, statement, field, variant or match arm per line, four spaces per brace level;
//! - `#[doc = "..."]` as `///` lines (`//!` for inner docs), other attributes on their own line;
//! - a parenthesised or bracketed list that would run past 100 columns is written one element
//!   per line with a trailing comma (never for a macro call, whose grammar may not allow one);
//! - spaces by token class: none inside paths, generics, calls and around `.`; one around
//!   binary operators; none after unary `&`, `*`, `-`, `!`.
//!
//! Spacing is only cosmetic: whatever the layout, the text lexes back to the same tokens
//! (tested on every generated file of the fixture models, see `tests`). Invisible groups
//! (`Delimiter::None`) are written without delimiters.

use std::collections::HashSet;
use std::fmt::Write as _;

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Columns a line may take before a list on it is broken over several lines.
const WIDTH: usize = 100;

/// Operators of more than one character, as the lexer joins them.
const OPERATORS: &[&str] = &[
    "::", "->", "=>", "==", "!=", "<=", ">=", "&&", "||", "..", "...", "..=", "+=", "-=", "*=",
    "/=", "%=", "^=", "&=", "|=", "<<", ">>", "<<=", ">>=",
];

/// Formats `tokens` as Rust source, ending with a newline.
pub fn print(tokens: TokenStream) -> String {
    let mut flat = Flat::default();
    flat.push_stream(tokens);
    let mut p = Printer {
        toks: &flat.toks,
        text: &flat.text,
        out: String::with_capacity(flat.text.len() * 5 / 4 + 64),
        indent: 0,
        col: 0,
        line_start: true,
        trial: None,
        vertical: HashSet::new(),
        depth: 0,
        in_attr: 0,
        in_macro: 0,
    };
    // Only a trial can fail, and every trial is settled by the sequence that started it.
    let _ = p.seq(0, flat.toks.len(), Mode::Block);
    p.newline();
    p.out
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ident,
    Lifetime,
    Literal,
    Punct,
    Open(Delimiter),
    Close,
}

#[derive(Clone, Copy, Debug)]
struct Tok {
    kind: Kind,
    start: u32,
    end: u32,
    /// For `Open`: the index of the matching `Close`.
    close: u32,
}

/// A token stream flattened into one vector, with every token's text in one string.
#[derive(Default)]
struct Flat {
    toks: Vec<Tok>,
    text: String,
}

impl Flat {
    fn push(&mut self, kind: Kind, start: usize) {
        self.toks.push(Tok {
            kind,
            start: start as u32,
            end: self.text.len() as u32,
            close: 0,
        });
    }

    fn push_stream(&mut self, tokens: TokenStream) {
        let mut iter = tokens.into_iter().peekable();
        while let Some(tt) = iter.next() {
            let start = self.text.len();
            match tt {
                TokenTree::Group(g) => {
                    let delim = g.delimiter();
                    let inner = g.stream();
                    // Dropping the group first leaves `inner` the only owner of its tokens, so
                    // iterating it moves them instead of copying.
                    drop(g);
                    if delim == Delimiter::None {
                        self.push_stream(inner);
                        continue;
                    }
                    let open = self.toks.len();
                    self.text.push_str(match delim {
                        Delimiter::Parenthesis => "(",
                        Delimiter::Bracket => "[",
                        _ => "{",
                    });
                    self.push(Kind::Open(delim), start);
                    self.push_stream(inner);
                    let at = self.text.len();
                    self.text.push_str(match delim {
                        Delimiter::Parenthesis => ")",
                        Delimiter::Bracket => "]",
                        _ => "}",
                    });
                    self.push(Kind::Close, at);
                    self.toks[open].close = (self.toks.len() - 1) as u32;
                }
                TokenTree::Ident(i) => {
                    let _ = write!(self.text, "{i}");
                    self.push(Kind::Ident, start);
                }
                TokenTree::Literal(l) => {
                    let _ = write!(self.text, "{l}");
                    self.push(Kind::Literal, start);
                }
                TokenTree::Punct(p) => {
                    self.text.push(p.as_char());
                    if p.as_char() == '\'' {
                        if let Some(TokenTree::Ident(i)) = iter.peek() {
                            let _ = write!(self.text, "{i}");
                            iter.next();
                            self.push(Kind::Lifetime, start);
                            continue;
                        }
                    }
                    let mut joint = p.spacing() == Spacing::Joint;
                    while joint {
                        let Some(TokenTree::Punct(q)) = iter.peek() else {
                            break;
                        };
                        self.text.push(q.as_char());
                        if !OPERATORS.contains(&&self.text[start..]) {
                            self.text.pop();
                            break;
                        }
                        joint = q.spacing() == Spacing::Joint;
                        iter.next();
                    }
                    self.push(Kind::Punct, start);
                }
            }
        }
    }
}

/// How a sequence of tokens is laid out.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Inside braces (or the file): a line per statement, item, field or arm.
    Block,
    /// A list written one element per line, with a trailing comma added when `comma`.
    Vertical { comma: bool },
    /// On the current line.
    Inline,
}

/// What the previous token on the line was, for spacing and for telling unary from binary.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    /// Start of a line or of a group: nothing to space from.
    Start,
    /// Ends an operand: a name, literal, `)`, `]`, a closing `>` of generics, postfix `?`.
    Operand,
    /// A keyword that is not an operand (`fn`, `let`, `return`, `as`, ...).
    Keyword,
    /// A binary operator, `,`, `;`, `:`; a space follows.
    Binary,
    /// No space follows: unary operators, `.`, `::`, `#`, an opening `<` or closure `|`.
    Prefix,
    /// A macro's `!`.
    Bang,
    /// The closing `|` of closure parameters (or `||`): a space follows.
    ClosureEnd,
    /// A block's closing `}`.
    BlockEnd,
}

/// Per-sequence state: generics depth, closure parameters, `where` clauses.
#[derive(Clone, Copy, Debug)]
struct SeqState {
    role: Role,
    /// The keyword or name before the previous token, for `fn name<T>` and friends.
    before: Option<usize>,
    prev: Option<usize>,
    generics: u32,
    closure_params: bool,
    in_where: bool,
    /// The last token written in this sequence was a `,` at its top level.
    ended_with_comma: bool,
    /// A `,` was written at this sequence's top level.
    commas: bool,
    /// A block's top level has a `name: value` (a field) and no `;` so far.
    field: bool,
    /// A `;` was written at this block's top level.
    semis: bool,
    /// The current element starts with `..` (a struct literal's base, which takes no comma).
    rest: bool,
    /// The first token of the sequence.
    start: usize,
    /// A method chain of the current statement is written one call per line, one level in.
    chain: bool,
}

/// A line laid out on trust: if it runs past [`WIDTH`], it is undone back to the list that
/// started it, and that list is written one element per line.
#[derive(Clone, Copy)]
struct Trial {
    depth: u32,
    /// Started at a method chain's first break point (else at a list).
    chain: bool,
    at: usize,
    out_len: usize,
    col: usize,
    line_start: bool,
    indent: usize,
    state: SeqState,
}

/// The line ran past [`WIDTH`] during a trial.
struct TooLong;

struct Printer<'a> {
    toks: &'a [Tok],
    text: &'a str,
    out: String,
    indent: usize,
    col: usize,
    line_start: bool,
    trial: Option<Trial>,
    /// Lists (by index of their opening token) a trial found too long.
    vertical: HashSet<usize>,
    depth: u32,
    /// Attributes being written (nested through `cfg_attr`).
    in_attr: u32,
    /// Macro bodies in braces being written: their commas are the macro's business.
    in_macro: u32,
}

fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "as" | "async"
            | "await"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "self"
            | "Self"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "yield"
    )
}

/// Keywords that end an operand or begin a path (`self.x`, `Self::new`, `crate::a`, `true`).
fn is_operand_keyword(s: &str) -> bool {
    matches!(s, "self" | "Self" | "super" | "crate" | "true" | "false")
}

impl<'a> Printer<'a> {
    fn txt(&self, i: usize) -> &'a str {
        let t = self.toks[i];
        &self.text[t.start as usize..t.end as usize]
    }

    fn is_punct(&self, i: usize, s: &str) -> bool {
        i < self.toks.len() && self.toks[i].kind == Kind::Punct && self.txt(i) == s
    }

    fn is_ident(&self, i: usize, s: &str) -> bool {
        i < self.toks.len() && self.toks[i].kind == Kind::Ident && self.txt(i) == s
    }

    fn newline(&mut self) {
        if !self.line_start {
            self.out.push('\n');
            self.line_start = true;
            self.col = 0;
        }
    }

    /// Writes `s`, after the indentation at a line start or after a space when `space`.
    fn put(&mut self, s: &str, space: bool) -> Result<(), TooLong> {
        if self.line_start {
            for _ in 0..self.indent {
                self.out.push_str("    ");
            }
            self.col = self.indent * 4;
            self.line_start = false;
        } else if space {
            self.out.push(' ');
            self.col += 1;
        }
        self.out.push_str(s);
        self.col += s.len();
        if self.col > WIDTH && self.trial.is_some() {
            return Err(TooLong);
        }
        Ok(())
    }

    /// A line ends here: a trial that got this far fits.
    fn line_ends(&mut self) {
        self.trial = None;
    }

    /// Lays out `toks[start..end]` in `mode`.
    fn seq(&mut self, start: usize, end: usize, mode: Mode) -> Result<(), TooLong> {
        self.depth += 1;
        let depth = self.depth;
        let mut st = SeqState {
            role: Role::Start,
            before: None,
            prev: None,
            generics: 0,
            closure_params: false,
            in_where: false,
            ended_with_comma: false,
            commas: false,
            field: false,
            semis: false,
            rest: false,
            start,
            chain: false,
        };
        let mut i = start;
        let result = loop {
            if i >= end {
                break Ok(());
            }
            match self.token(i, end, mode, &mut st) {
                Ok(next) => i = next,
                Err(TooLong) => match self.trial {
                    Some(t) if t.depth == depth => {
                        self.trial = None;
                        self.out.truncate(t.out_len);
                        self.col = t.col;
                        self.line_start = t.line_start;
                        self.indent = t.indent;
                        st = t.state;
                        i = t.at;
                        if t.chain {
                            // Every `.method(...)` of the chain from here on a line of its own.
                            st.chain = true;
                            self.indent += 1;
                        } else {
                            self.vertical.insert(t.at);
                        }
                    }
                    _ => break Err(TooLong),
                },
            }
        };
        if matches!(self.trial, Some(t) if t.depth == depth) {
            self.trial = None;
        }
        self.end_chain(&mut st);
        self.depth -= 1;
        if result.is_ok() && !st.ended_with_comma && st.prev.is_some() {
            // A trailing comma on a list broken over lines, and on a block of fields, variants
            // or arms (one with a top-level comma), as rustfmt writes them.
            let comma = match mode {
                Mode::Vertical { comma } => comma,
                Mode::Block => {
                    (st.commas || (st.field && !st.semis))
                        && !st.rest
                        && self.in_macro == 0
                        && st.prev.is_some_and(|p| !matches!(self.txt(p), ";" | "}"))
                }
                Mode::Inline => false,
            };
            if comma {
                self.put(",", false)?;
            }
        }
        result
    }

    /// Writes the token (or group, or attribute) at `i`; returns the index after it.
    fn token(
        &mut self,
        i: usize,
        end: usize,
        mode: Mode,
        st: &mut SeqState,
    ) -> Result<usize, TooLong> {
        let tok = self.toks[i];
        let lines = mode != Mode::Inline;
        match tok.kind {
            Kind::Open(Delimiter::Brace) => return self.brace(i, end, mode, st),
            Kind::Open(_) => return self.list(i, st),
            Kind::Punct if self.txt(i) == "#" => {
                let inner = usize::from(self.is_punct(i + 1, "!"));
                if matches!(self.toks.get(i + 1 + inner), Some(t) if t.kind == Kind::Open(Delimiter::Bracket))
                {
                    return self.attribute(i, inner == 1, lines, st);
                }
            }
            _ => {}
        }
        let text = self.txt(i);
        if tok.kind == Kind::Ident && text == "where" && mode == Mode::Block && st.generics == 0 {
            // `where` on a line of its own, one predicate per line below it, and the body's `{`
            // at the start of the next line.
            self.line_ends();
            self.newline();
            self.put(text, false)?;
            self.newline();
            self.indent += 1;
            st.in_where = true;
            st.role = Role::Start;
            st.ended_with_comma = true;
            st.before = st.prev;
            st.prev = Some(i);
            return Ok(i + 1);
        }
        if mode == Mode::Inline
            && i + 1 == end
            && text == ","
            && (st.commas || self.in_attr > 0)
            && st.generics == 0
            && !st.closure_params
            && !self.macro_args(st.start)
        {
            // A trailing comma on a list kept on one line (rustfmt's habit); a one-element
            // tuple keeps its comma, and a macro's arguments are left as they are.
            return Ok(i + 1);
        }
        if text == "." && mode != Mode::Inline && st.generics == 0 && self.chain_point(i, st) {
            if st.chain {
                self.line_ends();
                self.newline();
            } else if self.trial.is_none_or(|t| t.depth == self.depth && !t.chain) {
                self.trial = Some(Trial {
                    depth: self.depth,
                    chain: true,
                    at: i,
                    out_len: self.out.len(),
                    col: self.col,
                    line_start: self.line_start,
                    indent: self.indent,
                    state: *st,
                });
            }
        }
        let (space, role) = self.spacing(i, text, tok.kind, st);
        self.put(text, space)?;
        if st.ended_with_comma || st.prev.is_none() {
            st.rest = matches!(text, ".." | "..=");
        }
        st.ended_with_comma = false;
        st.before = st.prev;
        st.prev = Some(i);
        st.role = role;
        if tok.kind == Kind::Punct {
            match text {
                // A match arm: the block is a list of arms, which ends with a comma.
                "=>" if mode == Mode::Block && st.generics == 0 => st.commas = true,
                ":" if mode == Mode::Block
                    && st.generics == 0
                    && !st.in_where
                    && !st.closure_params =>
                {
                    st.field = true
                }
                "," if st.generics == 0 && !st.closure_params => {
                    st.ended_with_comma = true;
                    let breaks = match mode {
                        Mode::Block => {
                            // Predicates of a `where` clause are not the block's elements.
                            st.commas |= !st.in_where;
                            true
                        }
                        Mode::Vertical { .. } => true,
                        Mode::Inline => {
                            st.commas = true;
                            false
                        }
                    };
                    if breaks {
                        self.end_chain(st);
                        self.line_ends();
                        self.newline();
                        st.role = Role::Start;
                    }
                }
                ";" if mode == Mode::Block && st.generics == 0 => {
                    st.semis = true;
                    self.end_where(st);
                    self.end_chain(st);
                    self.line_ends();
                    self.newline();
                    st.role = Role::Start;
                }
                _ => {}
            }
        }
        Ok(i + 1)
    }

    /// Whether the `.` at `i` may start a line of a method chain: it follows a call (`)`, or
    /// `)?`) and is followed by a name.
    fn chain_point(&self, i: usize, st: &SeqState) -> bool {
        let Some(p) = st.prev else { return false };
        let after_call = match self.txt(p) {
            ")" => true,
            "?" => p > 0 && self.txt(p - 1) == ")",
            _ => false,
        };
        after_call && matches!(self.toks.get(i + 1), Some(t) if t.kind == Kind::Ident)
    }

    /// Ends a method chain written one call per line: back to the statement's indentation.
    fn end_chain(&mut self, st: &mut SeqState) {
        if st.chain {
            st.chain = false;
            self.indent -= 1;
        }
    }

    /// Whether the sequence starting at `start` is the arguments of a macro call.
    fn macro_args(&self, start: usize) -> bool {
        start >= 2
            && matches!(self.toks[start - 1].kind, Kind::Open(_))
            && self.is_punct(start - 2, "!")
    }

    /// Leaves a `where` clause: back to the item's indentation.
    fn end_where(&mut self, st: &mut SeqState) {
        if st.in_where {
            st.in_where = false;
            self.indent -= 1;
        }
    }

    /// The space before token `i` and the role it takes; updates generics and closure state.
    fn spacing(&self, i: usize, text: &str, kind: Kind, st: &mut SeqState) -> (bool, Role) {
        let prev = st.role;
        let after_operand = prev == Role::Operand;
        // No space after these, whatever follows.
        let tight_after = matches!(prev, Role::Start | Role::Prefix);
        let prev_text = st.prev.map(|p| self.txt(p)).unwrap_or("");
        match kind {
            Kind::Ident => {
                let operand = !is_keyword(text)
                    || is_operand_keyword(text)
                    || (text == "await" && prev_text == ".");
                let role = if operand {
                    Role::Operand
                } else {
                    Role::Keyword
                };
                (!tight_after, role)
            }
            Kind::Punct => self.punct_spacing(i, text, st, after_operand, tight_after, prev_text),
            // Literals and lifetimes (groups are laid out by `brace` and `list`, never here).
            _ => (!tight_after, Role::Operand),
        }
    }

    fn punct_spacing(
        &self,
        i: usize,
        text: &str,
        st: &mut SeqState,
        after_operand: bool,
        tight_after: bool,
        prev_text: &str,
    ) -> (bool, Role) {
        let space = !tight_after;
        match text {
            "," | ";" => (false, Role::Binary),
            ":" => (false, Role::Binary),
            "." => (false, Role::Prefix),
            ".." | "..=" | "..." => (false, Role::Prefix),
            "?" if after_operand => (false, Role::Operand),
            "::" => {
                let tight = tight_after || after_operand;
                (!tight, Role::Prefix)
            }
            "!" if after_operand
                && st.prev.is_some_and(|p| self.toks[p].kind == Kind::Ident)
                && matches!(self.toks.get(i + 1), Some(t) if matches!(t.kind, Kind::Open(_) | Kind::Ident)) =>
            {
                (false, Role::Bang)
            }
            "|" | "||" if st.closure_params && text == "|" => {
                st.closure_params = false;
                (false, Role::ClosureEnd)
            }
            "|" | "||" if !after_operand => {
                if text == "|" {
                    st.closure_params = true;
                    (space, Role::Prefix)
                } else {
                    (space, Role::ClosureEnd)
                }
            }
            "<" | "<<" if self.opens_generics(st, after_operand, prev_text) => {
                st.generics += text.len() as u32;
                let tight = tight_after
                    || after_operand
                    || matches!(prev_text, "impl" | "for" | "fn" | "::");
                (!tight, Role::Prefix)
            }
            ">" | ">>" if st.generics > 0 => {
                st.generics = st.generics.saturating_sub(text.len() as u32);
                (false, Role::Operand)
            }
            "&" | "&&" | "*" | "-" | "!" | "?" if !after_operand => (space, Role::Prefix),
            "#" | "$" => (space, Role::Prefix),
            _ => (true, Role::Binary),
        }
    }

    /// Whether `<` here opens generics (or a qualified path) rather than comparing.
    fn opens_generics(&self, st: &SeqState, after_operand: bool, prev_text: &str) -> bool {
        if !after_operand {
            // `::<`, `impl<`, `for<'a>`, `<X as Y>::z` after `=`, `(`, `,` ...
            return true;
        }
        let Some(p) = st.prev else { return true };
        if self.toks[p].kind != Kind::Ident {
            return false;
        }
        if prev_text.starts_with(|c: char| c.is_ascii_uppercase()) {
            return true;
        }
        st.before.is_some_and(|b| {
            matches!(
                self.txt(b),
                "fn" | "struct" | "enum" | "type" | "trait" | "union" | "impl"
            )
        })
    }

    /// `#[...]` or `#![...]` at `i`; doc attributes become `///` / `//!` lines where lines are
    /// allowed.
    fn attribute(
        &mut self,
        i: usize,
        inner: bool,
        lines: bool,
        st: &mut SeqState,
    ) -> Result<usize, TooLong> {
        let open = i + 1 + usize::from(inner);
        let close = self.toks[open].close as usize;
        if lines {
            self.line_ends();
            self.newline();
            if let Some(doc) = self.doc_text(open, close) {
                let marker = if inner { "//!" } else { "///" };
                let doc = doc.trim_end();
                self.put(marker, false)?;
                self.out.push_str(doc);
                self.newline();
                st.role = Role::Start;
                return Ok(close + 1);
            }
        }
        let space = !matches!(st.role, Role::Start | Role::Prefix);
        self.put(if inner { "#!" } else { "#" }, space)?;
        self.put("[", false)?;
        self.in_attr += 1;
        let inner = self.seq(open + 1, close, Mode::Inline);
        self.in_attr -= 1;
        inner?;
        self.put("]", false)?;
        if lines {
            self.line_ends();
            self.newline();
            st.role = Role::Start;
        } else {
            st.role = Role::Binary;
        }
        st.prev = Some(close);
        Ok(close + 1)
    }

    /// The text of `doc = "..."` between `open` and `close`, when it can be a `///` comment: one
    /// line, a plain string literal, not starting with `/` (which would make `////`, a plain
    /// comment).
    fn doc_text(&self, open: usize, close: usize) -> Option<String> {
        if close != open + 4
            || !self.is_ident(open + 1, "doc")
            || !self.is_punct(open + 2, "=")
            || self.toks[open + 3].kind != Kind::Literal
        {
            return None;
        }
        let text = unescape(self.txt(open + 3))?;
        if text.contains(['\n', '\r']) || text.starts_with('/') {
            return None;
        }
        Some(text)
    }

    /// A brace group at `i`: a block over several lines, `{}` when empty, inline in a `use`
    /// tree.
    fn brace(
        &mut self,
        i: usize,
        end: usize,
        mode: Mode,
        st: &mut SeqState,
    ) -> Result<usize, TooLong> {
        let close = self.toks[i].close as usize;
        self.end_chain(st);
        if st.in_where {
            if !st.ended_with_comma {
                self.put(",", false)?;
            }
            self.end_where(st);
            self.newline();
            st.role = Role::Start;
        }
        let space = !matches!(st.role, Role::Start | Role::Prefix);
        let in_use_tree = st.prev.is_some_and(|p| self.txt(p) == "::");
        st.ended_with_comma = false;
        st.before = st.prev;
        st.prev = Some(close);
        if close == i + 1 {
            self.put("{}", space && !in_use_tree)?;
        } else if in_use_tree {
            self.put("{", false)?;
            self.seq(i + 1, close, Mode::Inline)?;
            self.put("}", false)?;
            st.role = Role::Operand;
            return Ok(close + 1);
        } else {
            self.put("{", space)?;
            self.line_ends();
            self.newline();
            let body_of_macro = u32::from(st.role == Role::Bang);
            self.indent += 1;
            self.in_macro += body_of_macro;
            let inner = self.seq(i + 1, close, Mode::Block);
            self.in_macro -= body_of_macro;
            self.indent -= 1;
            inner?;
            self.newline();
            self.put("}", false)?;
        }
        st.role = Role::BlockEnd;
        let next = close + 1;
        let continues = next >= end
            || matches!(
                self.txt(next),
                "." | "?" | "," | ";" | ")" | "]" | "else" | "as"
            )
            || self.toks[next].kind == Kind::Close;
        if mode == Mode::Block && !continues {
            self.newline();
            st.role = Role::Start;
        }
        Ok(close + 1)
    }

    /// A parenthesised or bracketed list at `i`: on the line if it fits, else one element per
    /// line.
    fn list(&mut self, i: usize, st: &mut SeqState) -> Result<usize, TooLong> {
        let tok = self.toks[i];
        let close = tok.close as usize;
        let bracket = tok.kind == Kind::Open(Delimiter::Bracket);
        let tight = match st.role {
            Role::Start | Role::Prefix | Role::Operand | Role::Bang => true,
            Role::Keyword => {
                !bracket && st.prev.is_some_and(|p| matches!(self.txt(p), "pub" | "fn"))
            }
            _ => false,
        };
        let open_text = if bracket { "[" } else { "(" };
        let (commas, attrs) = self.list_shape(i + 1, close);
        // A trailing comma when broken over lines: for lists of several elements, and for the
        // one argument of a call or parameter of a function. Never for a macro's or an
        // attribute's arguments (whatever defines them reads them) nor a parenthesised
        // expression (the comma would make it a tuple).
        let comma = st.role != Role::Bang
            && self.in_attr == 0
            && (commas || (!bracket && st.role == Role::Operand));
        let vertical = attrs || self.vertical.contains(&i);
        // A list starts a trial unless an enclosing one is on trial; a later list of the same
        // sequence takes over, the earlier one having fitted.
        // A lone closure argument stays on the line (`ok_or_else(|| ...)`): its body breaks.
        let closure = !commas && (self.is_punct(i + 1, "|") || self.is_punct(i + 1, "||"));
        // Nothing to gain from breaking one token (`pub(crate)`, `Some(x)`) over lines.
        let single = close == i + 2;
        if !vertical
            && !closure
            && !single
            && close > i + 1
            && self.trial.is_none_or(|t| t.depth == self.depth && !t.chain)
        {
            self.trial = Some(Trial {
                depth: self.depth,
                chain: false,
                at: i,
                out_len: self.out.len(),
                col: self.col,
                line_start: self.line_start,
                indent: self.indent,
                state: *st,
            });
        }
        self.put(open_text, !tight)?;
        if vertical {
            self.line_ends();
            self.newline();
            self.indent += 1;
            let inner = self.seq(i + 1, close, Mode::Vertical { comma });
            self.indent -= 1;
            inner?;
            self.newline();
        } else {
            self.seq(i + 1, close, Mode::Inline)?;
        }
        self.put(if bracket { "]" } else { ")" }, false)?;
        st.ended_with_comma = false;
        st.before = st.prev;
        st.prev = Some(close);
        st.role = Role::Operand;
        Ok(close + 1)
    }

    /// Whether the list between `start` and `end` has a top-level comma (outside generics and
    /// closure parameters), and whether it has a top-level attribute.
    fn list_shape(&self, start: usize, end: usize) -> (bool, bool) {
        let mut commas = false;
        let mut generics = 0u32;
        let mut closure = false;
        let mut i = start;
        while i < end {
            let t = self.toks[i];
            // Whether the token before `i` ends an operand (then `|` is "or", `<` may compare).
            let operand = i > start
                && match self.toks[i - 1].kind {
                    Kind::Ident => {
                        let p = self.txt(i - 1);
                        !is_keyword(p) || is_operand_keyword(p)
                    }
                    Kind::Literal | Kind::Close | Kind::Lifetime => true,
                    _ => false,
                };
            match t.kind {
                Kind::Open(_) => {
                    i = t.close as usize + 1;
                    continue;
                }
                Kind::Punct => match self.txt(i) {
                    "#" => return (commas, true),
                    "," if generics == 0 && !closure => commas = true,
                    "<" if i > start && self.toks[i - 1].kind == Kind::Ident => generics += 1,
                    ">" => generics = generics.saturating_sub(1),
                    ">>" => generics = generics.saturating_sub(2),
                    "|" if closure => closure = false,
                    "|" if !operand => closure = true,
                    _ => {}
                },
                _ => {}
            }
            i += 1;
        }
        (commas, false)
    }
}

/// The value of a string literal (plain or raw, not byte) from its source text, or `None` for
/// any other literal.
fn unescape(lit: &str) -> Option<String> {
    if let Some(raw) = lit.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let body = raw[hashes..].strip_prefix('"')?;
        let body = body.strip_suffix(&raw[..hashes])?.strip_suffix('"')?;
        return Some(body.to_owned());
    }
    let body = lit.strip_prefix('"')?.strip_suffix('"')?;
    if !body.contains('\\') {
        return Some(body.to_owned());
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
            }
            'u' => {
                if chars.next()? != '{' {
                    return None;
                }
                let hex: String = chars.by_ref().take_while(|&c| c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
#[path = "print_tests.rs"]
mod tests;
