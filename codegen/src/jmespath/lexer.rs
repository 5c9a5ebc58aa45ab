//! The JMESPath lexer: characters to tokens, each with its character offset.

use serde_json::Value as Json;

use super::{Cmp, ParseError};

/// One token.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    /// An unquoted identifier.
    Ident(String),
    /// A quoted identifier (`"..."`, JSON string escapes).
    Quoted(String),
    /// A raw string literal (`'...'`).
    RawString(String),
    /// A JSON literal (`` `...` ``).
    Literal(Json),
    /// An integer (indexes and slices).
    Number(i64),
    Dot,
    Star,
    LBracket,
    RBracket,
    /// `[]`
    Flatten,
    /// `[?`
    Filter,
    LBrace,
    RBrace,
    LParen,
    RParen,
    Comma,
    Colon,
    Pipe,
    Or,
    And,
    Ampersand,
    Not,
    Cmp(Cmp),
    At,
    Eof,
}

impl Token {
    /// The token for error messages.
    pub(super) fn describe(&self) -> String {
        match self {
            Token::Ident(s) => format!("identifier `{s}`"),
            Token::Quoted(s) => format!("quoted identifier {s:?}"),
            Token::RawString(s) => format!("raw string '{s}'"),
            Token::Literal(v) => format!("literal `{v}`"),
            Token::Number(n) => format!("number {n}"),
            Token::Eof => "the end of the expression".to_string(),
            t => format!("`{}`", t.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Token::Dot => ".",
            Token::Star => "*",
            Token::LBracket => "[",
            Token::RBracket => "]",
            Token::Flatten => "[]",
            Token::Filter => "[?",
            Token::LBrace => "{",
            Token::RBrace => "}",
            Token::LParen => "(",
            Token::RParen => ")",
            Token::Comma => ",",
            Token::Colon => ":",
            Token::Pipe => "|",
            Token::Or => "||",
            Token::And => "&&",
            Token::Ampersand => "&",
            Token::Not => "!",
            Token::Cmp(c) => c.as_str(),
            Token::At => "@",
            _ => "?",
        }
    }
}

/// Splits `expr` into tokens, ending with [`Token::Eof`].
pub(super) fn tokenize(expr: &str) -> Result<Vec<(Token, usize)>, ParseError> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let err = |offset: usize, reason: &str| ParseError {
        offset,
        reason: reason.to_string(),
    };
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let next = chars.get(i + 1).copied();
        let (token, len) = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            'a'..='z' | 'A'..='Z' | '_' => {
                let mut j = i;
                while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
                    j += 1;
                }
                (Token::Ident(chars[i..j].iter().collect()), j - i)
            }
            '0'..='9' | '-' => {
                let mut j = if c == '-' { i + 1 } else { i };
                let digits = j;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
                if j == digits {
                    return Err(err(i, "`-` must be followed by digits"));
                }
                let text: String = chars[i..j].iter().collect();
                let n = text
                    .parse::<i64>()
                    .map_err(|_| err(i, "number out of range"))?;
                (Token::Number(n), j - i)
            }
            '"' => {
                let (body, j) = delimited(&chars, i, '"')
                    .ok_or_else(|| err(i, "unterminated quoted identifier"))?;
                let s: String = serde_json::from_str(&format!("\"{body}\""))
                    .map_err(|e| err(i, &format!("invalid quoted identifier: {e}")))?;
                (Token::Quoted(s), j - i)
            }
            '\'' => {
                let (body, j) =
                    delimited(&chars, i, '\'').ok_or_else(|| err(i, "unterminated raw string"))?;
                (Token::RawString(body.replace("\\'", "'")), j - i)
            }
            '`' => {
                let (body, j) =
                    delimited(&chars, i, '`').ok_or_else(|| err(i, "unterminated literal"))?;
                let text = body.replace("\\`", "`");
                let v: Json = serde_json::from_str(text.trim())
                    .map_err(|e| err(i, &format!("invalid JSON literal: {e}")))?;
                (Token::Literal(v), j - i)
            }
            '[' => match next {
                Some(']') => (Token::Flatten, 2),
                Some('?') => (Token::Filter, 2),
                _ => (Token::LBracket, 1),
            },
            '|' if next == Some('|') => (Token::Or, 2),
            '|' => (Token::Pipe, 1),
            '&' if next == Some('&') => (Token::And, 2),
            '&' => (Token::Ampersand, 1),
            '!' if next == Some('=') => (Token::Cmp(Cmp::Ne), 2),
            '!' => (Token::Not, 1),
            '=' if next == Some('=') => (Token::Cmp(Cmp::Eq), 2),
            '=' => return Err(err(i, "`=` is not an operator (use `==`)")),
            '<' if next == Some('=') => (Token::Cmp(Cmp::Le), 2),
            '<' => (Token::Cmp(Cmp::Lt), 1),
            '>' if next == Some('=') => (Token::Cmp(Cmp::Ge), 2),
            '>' => (Token::Cmp(Cmp::Gt), 1),
            '.' => (Token::Dot, 1),
            '*' => (Token::Star, 1),
            ']' => (Token::RBracket, 1),
            '{' => (Token::LBrace, 1),
            '}' => (Token::RBrace, 1),
            '(' => (Token::LParen, 1),
            ')' => (Token::RParen, 1),
            ',' => (Token::Comma, 1),
            ':' => (Token::Colon, 1),
            '@' => (Token::At, 1),
            other => return Err(err(i, &format!("unexpected character {other:?}"))),
        };
        out.push((token, start));
        i += len;
    }
    out.push((Token::Eof, chars.len()));
    Ok(out)
}

/// The text between the delimiter at `start` and the next unescaped one (a backslash takes the
/// character after it along), and the index after the closing delimiter.
fn delimited(chars: &[char], start: usize, delim: char) -> Option<(String, usize)> {
    let mut body = String::new();
    let mut j = start + 1;
    while j < chars.len() {
        match chars[j] {
            '\\' if j + 1 < chars.len() => {
                body.push('\\');
                body.push(chars[j + 1]);
                j += 2;
            }
            c if c == delim => return Some((body, j + 1)),
            c => {
                body.push(c);
                j += 1;
            }
        }
    }
    None
}
