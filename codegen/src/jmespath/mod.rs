//! JMESPath (<https://jmespath.org/specification.html>) as the waiters of Smithy models use it:
//! a lexer and a Pratt parser giving an [`Ast`], and an interpreter over JSON values
//! ([`interpret::search`]) that tests use to check the code the generator compiles from the
//! same tree ([`crate::ir::waiters`]).
//!
//! The whole grammar is parsed (sub-expressions, index and slice expressions, list and object
//! projections, flatten, filters, multi-select lists and hashes, comparisons, `&&`, `||`, `!`,
//! pipes, functions, expression references, the three kinds of literals); what the generator
//! can compile to typed Rust is a subset, decided by the typing pass.

pub mod interpret;
mod lexer;

#[cfg(test)]
mod tests;

use std::fmt;

use serde_json::Value as Json;

use lexer::Token;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Cmp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            Cmp::Eq => "==",
            Cmp::Ne => "!=",
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
        }
    }
}

/// A parsed expression. Projections carry their left side (what is projected) and their right
/// side (what is evaluated on each element; [`Ast::Identity`] when nothing follows).
#[derive(Debug, Clone, PartialEq)]
pub enum Ast {
    /// `@`, and the implicit current node.
    Identity,
    /// `name` or `"name"`: a member of the current object.
    Field(String),
    /// `left.right` (and `left[0]`: the index applies to the left side's value).
    Subexpr(Box<Ast>, Box<Ast>),
    /// `[n]` on the current node (negative counts from the end).
    Index(i64),
    /// `[start:stop:step]` on the current node.
    Slice(Option<i64>, Option<i64>, Option<i64>),
    /// A JSON literal (`` `...` ``) or a raw string (`'...'`).
    Literal(Json),
    /// `left[]` before the projection it starts: lists in the list are merged into it.
    Flatten(Box<Ast>),
    /// `left[*].right`, `left[].right` (over `Flatten`), `left[1:2].right`: `right` on each
    /// element of the list `left`, nulls dropped.
    Projection(Box<Ast>, Box<Ast>),
    /// `left.*.right`: `right` on each value of the object `left`, nulls dropped.
    ValueProjection(Box<Ast>, Box<Ast>),
    /// `left[?condition].right`.
    FilterProjection {
        /// The list filtered.
        list: Box<Ast>,
        /// Evaluated on each element kept.
        rhs: Box<Ast>,
        /// Keeps the elements for which it is truthy.
        condition: Box<Ast>,
    },
    /// `[a, b]` on the current node.
    MultiSelectList(Vec<Ast>),
    /// `{k: a, l: b}` on the current node.
    MultiSelectHash(Vec<(String, Ast)>),
    /// `left <op> right`.
    Compare(Cmp, Box<Ast>, Box<Ast>),
    /// `left && right`.
    And(Box<Ast>, Box<Ast>),
    /// `left || right`.
    Or(Box<Ast>, Box<Ast>),
    /// `!expr`.
    Not(Box<Ast>),
    /// `left | right`: `right` on the result of `left` (stops projections).
    Pipe(Box<Ast>, Box<Ast>),
    /// `name(args...)`.
    Function(String, Vec<Ast>),
    /// `&expr`.
    ExpRef(Box<Ast>),
}

/// Why an expression does not parse: what was found where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Character offset in the expression.
    pub offset: usize,
    /// What is wrong there.
    pub reason: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at character {}: {}", self.offset, self.reason)
    }
}

impl std::error::Error for ParseError {}

/// Parses a JMESPath expression.
pub fn parse(expr: &str) -> Result<Ast, ParseError> {
    let tokens = lexer::tokenize(expr)?;
    let mut p = Parser { tokens, pos: 0 };
    let ast = p.expression(0)?;
    match p.peek() {
        Token::Eof => Ok(ast),
        t => Err(p.error(format!("unexpected {} after the expression", t.describe()))),
    }
}

/// Binding powers: everything below [`PROJECTION_STOP`] ends a projection's right side.
fn binding_power(t: &Token) -> u8 {
    match t {
        Token::Pipe => 1,
        Token::Or => 2,
        Token::And => 3,
        Token::Cmp(_) => 5,
        Token::Flatten => 9,
        Token::Star => 20,
        Token::Filter => 21,
        Token::Dot => 40,
        Token::Not => 45,
        Token::LBrace => 50,
        Token::LBracket => 55,
        Token::LParen => 60,
        _ => 0,
    }
}

const PROJECTION_STOP: u8 = 10;

struct Parser {
    tokens: Vec<(Token, usize)>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)].0
    }

    fn peek_at(&self, n: usize) -> &Token {
        &self.tokens[(self.pos + n).min(self.tokens.len() - 1)].0
    }

    fn advance(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.tokens.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn error(&self, reason: String) -> ParseError {
        ParseError {
            offset: self.tokens[self.pos.min(self.tokens.len() - 1)].1,
            reason,
        }
    }

    fn expect(&mut self, want: &Token) -> Result<(), ParseError> {
        if self.peek() == want {
            self.advance();
            Ok(())
        } else {
            Err(self.error(format!(
                "expected {}, found {}",
                want.describe(),
                self.peek().describe()
            )))
        }
    }

    fn expression(&mut self, bp: u8) -> Result<Ast, ParseError> {
        let start = self.pos;
        let token = self.advance();
        let mut left = self.nud(token, start)?;
        while bp < binding_power(self.peek()) {
            let token = self.advance();
            left = self.led(token, left)?;
        }
        Ok(left)
    }

    /// A token at the start of an expression.
    fn nud(&mut self, token: Token, start: usize) -> Result<Ast, ParseError> {
        match token {
            Token::Literal(v) => Ok(Ast::Literal(v)),
            Token::RawString(s) => Ok(Ast::Literal(Json::String(s))),
            Token::Ident(s) => Ok(Ast::Field(s)),
            Token::Quoted(s) => {
                if *self.peek() == Token::LParen {
                    return Err(self.error("a quoted identifier cannot name a function".into()));
                }
                Ok(Ast::Field(s))
            }
            Token::At => Ok(Ast::Identity),
            Token::Star => {
                let rhs = if *self.peek() == Token::RBracket {
                    Ast::Identity
                } else {
                    self.projection_rhs(binding_power(&Token::Star))?
                };
                Ok(Ast::ValueProjection(Box::new(Ast::Identity), Box::new(rhs)))
            }
            Token::Filter => self.filter(Ast::Identity),
            Token::Flatten => self.flatten(Ast::Identity),
            Token::LBrace => self.multi_select_hash(),
            Token::LBracket => match self.peek() {
                Token::Number(_) | Token::Colon => {
                    let index = self.index_expression()?;
                    self.project_if_slice(Ast::Identity, index)
                }
                Token::Star if *self.peek_at(1) == Token::RBracket => {
                    self.advance();
                    self.advance();
                    let rhs = self.projection_rhs(binding_power(&Token::Star))?;
                    Ok(Ast::Projection(Box::new(Ast::Identity), Box::new(rhs)))
                }
                _ => self.multi_select_list(),
            },
            Token::Not => Ok(Ast::Not(Box::new(
                self.expression(binding_power(&Token::Not))?,
            ))),
            Token::Ampersand => Ok(Ast::ExpRef(Box::new(self.expression(0)?))),
            Token::LParen => {
                let inner = self.expression(0)?;
                self.expect(&Token::RParen)?;
                Ok(inner)
            }
            other => {
                self.pos = start;
                Err(self.error(format!("unexpected {}", other.describe())))
            }
        }
    }

    /// A token after a complete expression `left`.
    fn led(&mut self, token: Token, left: Ast) -> Result<Ast, ParseError> {
        match token {
            Token::Dot => {
                if *self.peek() == Token::Star {
                    self.advance();
                    let rhs = self.projection_rhs(binding_power(&Token::Dot))?;
                    Ok(Ast::ValueProjection(Box::new(left), Box::new(rhs)))
                } else {
                    let rhs = self.dot_rhs(binding_power(&Token::Dot))?;
                    Ok(Ast::Subexpr(Box::new(left), Box::new(rhs)))
                }
            }
            Token::Pipe => Ok(Ast::Pipe(
                Box::new(left),
                Box::new(self.expression(binding_power(&Token::Pipe))?),
            )),
            Token::Or => Ok(Ast::Or(
                Box::new(left),
                Box::new(self.expression(binding_power(&Token::Or))?),
            )),
            Token::And => Ok(Ast::And(
                Box::new(left),
                Box::new(self.expression(binding_power(&Token::And))?),
            )),
            Token::Cmp(op) => Ok(Ast::Compare(
                op,
                Box::new(left),
                Box::new(self.expression(binding_power(&Token::Cmp(op)))?),
            )),
            Token::LParen => {
                let Ast::Field(name) = left else {
                    return Err(self.error("only a plain name can be called as a function".into()));
                };
                let mut args = Vec::new();
                while *self.peek() != Token::RParen {
                    args.push(self.expression(0)?);
                    if *self.peek() == Token::Comma {
                        self.advance();
                    } else if *self.peek() != Token::RParen {
                        return Err(self.error(format!(
                            "expected `,` or `)`, found {}",
                            self.peek().describe()
                        )));
                    }
                }
                self.expect(&Token::RParen)?;
                Ok(Ast::Function(name, args))
            }
            Token::Filter => self.filter(left),
            Token::Flatten => self.flatten(left),
            Token::LBracket => match self.peek() {
                Token::Number(_) | Token::Colon => {
                    let index = self.index_expression()?;
                    self.project_if_slice(left, index)
                }
                _ => {
                    self.expect(&Token::Star)?;
                    self.expect(&Token::RBracket)?;
                    let rhs = self.projection_rhs(binding_power(&Token::Star))?;
                    Ok(Ast::Projection(Box::new(left), Box::new(rhs)))
                }
            },
            other => Err(self.error(format!("unexpected {}", other.describe()))),
        }
    }

    fn filter(&mut self, left: Ast) -> Result<Ast, ParseError> {
        let condition = self.expression(0)?;
        self.expect(&Token::RBracket)?;
        let rhs = if *self.peek() == Token::Flatten {
            Ast::Identity
        } else {
            self.projection_rhs(binding_power(&Token::Filter))?
        };
        Ok(Ast::FilterProjection {
            list: Box::new(left),
            rhs: Box::new(rhs),
            condition: Box::new(condition),
        })
    }

    fn flatten(&mut self, left: Ast) -> Result<Ast, ParseError> {
        let rhs = self.projection_rhs(binding_power(&Token::Flatten))?;
        Ok(Ast::Projection(
            Box::new(Ast::Flatten(Box::new(left))),
            Box::new(rhs),
        ))
    }

    /// `[n]` or `[a:b:c]`, after the `[`.
    fn index_expression(&mut self) -> Result<Ast, ParseError> {
        if *self.peek() == Token::Colon || *self.peek_at(1) == Token::Colon {
            return self.slice();
        }
        let Token::Number(n) = self.advance() else {
            return Err(self.error("expected an index".into()));
        };
        self.expect(&Token::RBracket)?;
        Ok(Ast::Index(n))
    }

    fn slice(&mut self) -> Result<Ast, ParseError> {
        let mut parts = [None; 3];
        let mut i = 0;
        while *self.peek() != Token::RBracket {
            match self.peek().clone() {
                Token::Colon => {
                    i += 1;
                    if i == 3 {
                        return Err(self.error("a slice has at most three parts".into()));
                    }
                    self.advance();
                }
                Token::Number(n) => {
                    parts[i] = Some(n);
                    self.advance();
                }
                t => return Err(self.error(format!("unexpected {} in a slice", t.describe()))),
            }
        }
        self.expect(&Token::RBracket)?;
        if parts[2] == Some(0) {
            return Err(self.error("a slice step cannot be 0".into()));
        }
        Ok(Ast::Slice(parts[0], parts[1], parts[2]))
    }

    fn project_if_slice(&mut self, left: Ast, index: Ast) -> Result<Ast, ParseError> {
        let is_slice = matches!(index, Ast::Slice(..));
        let expr = match left {
            Ast::Identity => index,
            left => Ast::Subexpr(Box::new(left), Box::new(index)),
        };
        if is_slice {
            let rhs = self.projection_rhs(binding_power(&Token::Star))?;
            Ok(Ast::Projection(Box::new(expr), Box::new(rhs)))
        } else {
            Ok(expr)
        }
    }

    /// What follows a projection: nothing (a token that stops it), `[...]`, `[?...]` or `.rhs`.
    fn projection_rhs(&mut self, bp: u8) -> Result<Ast, ParseError> {
        match self.peek() {
            t if binding_power(t) < PROJECTION_STOP => Ok(Ast::Identity),
            Token::LBracket | Token::Filter => self.expression(bp),
            Token::Dot => {
                self.advance();
                self.dot_rhs(bp)
            }
            t => Err(self.error(format!("unexpected {} after a projection", t.describe()))),
        }
    }

    /// What follows a `.`: a name, `*`, a multi-select list or hash.
    fn dot_rhs(&mut self, bp: u8) -> Result<Ast, ParseError> {
        match self.peek() {
            Token::Ident(_) | Token::Quoted(_) | Token::Star => self.expression(bp),
            Token::LBracket => {
                self.advance();
                self.multi_select_list()
            }
            Token::LBrace => {
                self.advance();
                self.multi_select_hash()
            }
            t => Err(self.error(format!("unexpected {} after `.`", t.describe()))),
        }
    }

    /// `a, b]`, after the `[`.
    fn multi_select_list(&mut self) -> Result<Ast, ParseError> {
        let mut items = Vec::new();
        loop {
            items.push(self.expression(0)?);
            if *self.peek() == Token::RBracket {
                break;
            }
            self.expect(&Token::Comma)?;
        }
        self.expect(&Token::RBracket)?;
        Ok(Ast::MultiSelectList(items))
    }

    /// `k: a, l: b}`, after the `{`.
    fn multi_select_hash(&mut self) -> Result<Ast, ParseError> {
        let mut pairs = Vec::new();
        loop {
            let key = match self.advance() {
                Token::Ident(s) | Token::Quoted(s) => s,
                t => {
                    return Err(self.error(format!(
                        "expected a key in a multi-select hash, found {}",
                        t.describe()
                    )))
                }
            };
            self.expect(&Token::Colon)?;
            pairs.push((key, self.expression(0)?));
            if *self.peek() == Token::RBrace {
                break;
            }
            self.expect(&Token::Comma)?;
        }
        self.expect(&Token::RBrace)?;
        Ok(Ast::MultiSelectHash(pairs))
    }
}
