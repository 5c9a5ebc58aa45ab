//! HTML side of [`html_to_markdown`](super::html_to_markdown): a forgiving tokenizer (entities
//! decoded, tag-like placeholders kept as text) and a tree builder with HTML's implied end tags.

// ------------------------------------------------------------------------------------------
// Tokenizer
// ------------------------------------------------------------------------------------------

#[derive(Debug)]
pub(super) enum Token {
    Tag(RawTag),
    Text(String),
}

/// Block-level tags; everything else (known inline tags and unknown elements) is inline.
const BLOCK_TAGS: &str =
    "p div ul ol li dl dt dd note important pre blockquote fullname h1 h2 h3 h4 h5 h6 \
    table tr td th request response";

/// Inline tags the converter understands.
const INLINE_TAGS: &str = "a b br code em i kbd samp span strong sub sup tt u var";

/// Tags still treated as markup inside `<code>`/`<pre>`; anything else there is literal text.
const RAW_MARKUP: &str = "a b br code em i span strong u var";

fn listed(list: &str, tag: &str) -> bool {
    list.split_ascii_whitespace().any(|t| t == tag)
}

fn is_block(tag: &str) -> bool {
    listed(BLOCK_TAGS, tag)
}

pub(super) fn is_inline(tag: &str) -> bool {
    !is_block(tag)
}

/// Tags the converter understands; any other `<word ...>` is text unless a matching end tag
/// follows (then it is an unknown element whose tags are dropped). `request` and `response`
/// (raw HTTP messages in old `<examples>`) are blocks, but only when closed, like unknown tags.
fn is_known(tag: &str) -> bool {
    listed(INLINE_TAGS, tag) || (is_block(tag) && !matches!(tag, "request" | "response"))
}

#[derive(Debug)]
pub(super) struct RawTag {
    end: bool,
    name: String,
    href: Option<String>,
    class: Option<String>,
    self_closing: bool,
    len: usize,
}

/// Parses a tag starting at `s[0] == '<'`; `None` when it is not tag syntax.
fn parse_tag(s: &str) -> Option<RawTag> {
    let b = s.as_bytes();
    let mut i = 1;
    let end = b.get(1) == Some(&b'/');
    if end {
        i += 1;
    }
    let start = i;
    if !b.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b'_' | b':')) {
        i += 1;
    }
    let name = s[start..i].to_ascii_lowercase();
    let (mut href, mut class, mut self_closing) = (None, None, false);
    loop {
        match *b.get(i)? {
            b'>' => break,
            b'<' => return None,
            b'/' => {
                self_closing = true;
                i += 1;
            }
            c if c.is_ascii_whitespace() => i += 1,
            _ => {
                self_closing = false;
                let at = i;
                while i < b.len()
                    && !matches!(b[i], b'=' | b'>' | b'<' | b'/')
                    && !b[i].is_ascii_whitespace()
                {
                    i += 1;
                }
                let attr = s[at..i].to_ascii_lowercase();
                while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                if b.get(i) != Some(&b'=') {
                    continue;
                }
                i += 1;
                while b.get(i).is_some_and(u8::is_ascii_whitespace) {
                    i += 1;
                }
                let value = match *b.get(i)? {
                    q @ (b'"' | b'\'') => {
                        let close = s[i + 1..].find(q as char)?;
                        let v = &s[i + 1..i + 1 + close];
                        i += close + 2;
                        v
                    }
                    _ => {
                        let v_start = i;
                        while i < b.len() && b[i] != b'>' && !b[i].is_ascii_whitespace() {
                            i += 1;
                        }
                        &s[v_start..i]
                    }
                };
                let value = decode_entities(value);
                match attr.as_str() {
                    "href" => href = Some(value),
                    "class" => class = Some(value),
                    _ => {}
                }
            }
        }
    }
    Some(RawTag {
        end,
        name,
        href,
        class,
        self_closing,
        len: i + 1,
    })
}

pub(super) fn tokenize(html: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut text = String::new();
    let mut lower: Option<String> = None; // lower-cased copy, made on first look-ahead
    let mut raw: Option<&'static str> = None; // inside <code> or <pre>: the closing tag's name
    let mut unknown_open: Vec<String> = Vec::new();
    let mut pos = 0;
    while let Some(off) = html[pos..].find('<') {
        let lt = pos + off;
        push_decoded(&html[pos..lt], &mut text);
        pos = lt;
        let rest = &html[lt..];
        if rest.starts_with("<!--") {
            pos = rest.find("-->").map_or(html.len(), |e| lt + e + 3);
            continue;
        }
        let Some(tag) = parse_tag(rest) else {
            text.push('<');
            pos += 1;
            continue;
        };
        let mut has_closer = |name: &str| {
            let lower = lower.get_or_insert_with(|| html.to_ascii_lowercase());
            lower[lt + tag.len..].contains(&format!("</{name}>"))
        };
        let markup = if let Some(raw_name) = raw {
            listed(RAW_MARKUP, &tag.name) || (tag.end && tag.name == raw_name)
        } else if is_known(&tag.name) {
            true
        } else if tag.end {
            unknown_open.contains(&tag.name)
        } else if tag.self_closing || has_closer(&tag.name) {
            unknown_open.push(tag.name.clone());
            true
        } else {
            false
        };
        if !markup {
            push_decoded(&rest[..tag.len], &mut text);
            pos += tag.len;
            continue;
        }
        if !text.is_empty() {
            tokens.push(Token::Text(std::mem::take(&mut text)));
        }
        pos += tag.len;
        if tag.end {
            if raw == Some(tag.name.as_str()) {
                raw = None;
            }
            tokens.push(Token::Tag(tag));
        } else {
            if raw.is_none() && !tag.self_closing {
                raw = match tag.name.as_str() {
                    "code" if has_closer("code") => Some("code"),
                    "pre" if has_closer("pre") => Some("pre"),
                    _ => None,
                };
            }
            tokens.push(Token::Tag(tag));
        }
    }
    push_decoded(&html[pos..], &mut text);
    if !text.is_empty() {
        tokens.push(Token::Text(text));
    }
    tokens
}

fn push_decoded(s: &str, out: &mut String) {
    let mut rest = s;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        rest = &rest[amp..];
        let entity = rest[1..]
            .find(';')
            .filter(|&e| e <= 10)
            .and_then(|e| Some((decode_entity(&rest[1..1 + e])?, e + 2)));
        match entity {
            Some((c, len)) => {
                out.push(c);
                rest = &rest[len..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_decoded(s, &mut out);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        return char::from_u32(code).filter(|&c| c != '\0');
    }
    let at = ENTITY_NAMES
        .split_ascii_whitespace()
        .position(|n| n == name)?;
    ENTITY_CHARS.chars().nth(at)
}

/// Named entities decoded (others stay as written); `ENTITY_CHARS` holds their characters in
/// the same order (`&nbsp;` becomes a plain space).
const ENTITY_NAMES: &str =
    "lt gt amp quot apos nbsp ndash mdash hellip lsquo rsquo ldquo rdquo laquo \
    raquo copy reg trade times bull middot deg euro";
const ENTITY_CHARS: &str = "<>&\"' –—…‘’“”«»©®™×•·°€";

// ------------------------------------------------------------------------------------------
// Tree builder
// ------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
pub(super) struct Node {
    /// Lower-case tag name; empty for the root and for text nodes.
    pub(super) tag: String,
    pub(super) href: Option<String>,
    pub(super) class: Option<String>,
    pub(super) text: String,
    pub(super) children: Vec<Node>,
}

pub(super) fn build_tree(tokens: Vec<Token>) -> Node {
    let mut stack = vec![Node::default()];
    fn pop(stack: &mut Vec<Node>) {
        if stack.len() > 1 {
            if let Some(n) = stack.pop() {
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(n);
                }
            }
        }
    }
    // Closes the innermost open `tags` element if it is above the innermost `scope` element.
    fn close_open(stack: &mut Vec<Node>, tags: &[&str], scope: &[&str]) {
        let found = stack.iter().rposition(|n| tags.contains(&n.tag.as_str()));
        let limit = stack.iter().rposition(|n| scope.contains(&n.tag.as_str()));
        if let Some(at) = found.filter(|&at| at > 0 && limit.is_none_or(|l| at > l)) {
            while stack.len() > at {
                pop(stack);
            }
        }
    }
    for token in tokens {
        match token {
            Token::Text(text) => {
                let Some(top) = stack.last_mut() else {
                    continue;
                };
                match top.children.last_mut() {
                    Some(last) if last.tag.is_empty() => last.text.push_str(&text),
                    _ => top.children.push(Node {
                        text,
                        ..Node::default()
                    }),
                }
            }
            Token::Tag(RawTag {
                end: true, name, ..
            }) => {
                if let Some(at) = stack
                    .iter()
                    .rposition(|n| n.tag == name)
                    .filter(|&at| at > 0)
                {
                    while stack.len() > at {
                        pop(&mut stack);
                    }
                }
            }
            Token::Tag(RawTag {
                name,
                href,
                class,
                self_closing,
                ..
            }) => {
                if !is_inline(&name) && name != "br" {
                    // A block start closes an open paragraph and any inline element inside it.
                    while stack.len() > 1
                        && stack
                            .last()
                            .is_some_and(|n| is_inline(&n.tag) || n.tag == "p")
                    {
                        pop(&mut stack);
                    }
                }
                match name.as_str() {
                    "li" => close_open(&mut stack, &["li"], &["ul", "ol"]),
                    "dt" | "dd" => close_open(&mut stack, &["dt", "dd"], &["dl"]),
                    _ => {}
                }
                let node = Node {
                    tag: name,
                    href,
                    class,
                    ..Node::default()
                };
                if self_closing || node.tag == "br" {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(node);
                    }
                } else {
                    stack.push(node);
                }
            }
        }
    }
    while stack.len() > 1 {
        pop(&mut stack);
    }
    stack.pop().unwrap_or_default()
}

pub(super) fn text_content(node: &Node, out: &mut String) {
    if node.tag.is_empty() {
        out.push_str(&node.text);
    } else if node.tag == "br" {
        out.push('\n');
    }
    for c in &node.children {
        text_content(c, out);
    }
}
