//! Model documentation (the HTML of `smithy.api#documentation`) → rustdoc Markdown.
//!
//! [`html_to_markdown`] runs three small stages: a forgiving tokenizer (entities decoded, tag-like
//! placeholders such as `<region>` kept as text), a tree builder with HTML's implied end tags
//! (unclosed `<p>`/`<li>`/`<dt>`, stray end tags ignored), and a renderer to Markdown blocks.
//! The output is meant for `#[doc = "..."]` attributes and raises no rustdoc warnings (checked
//! on every documentation string of the 127 AWS models). The mapping:
//!
//! * `<p>` → paragraphs separated by blank lines, whitespace collapsed; `<br>` → hard break (`\`);
//! * `<code>` → a code span, or a ```` ```text ```` fence when it alone fills a paragraph and spans
//!   lines; `<pre>` (and `<request>`/`<response>` of old examples) → a `text` fence, never a doctest;
//!   inside code, only `<i>`/`<b>`/`<a>`-like markup is stripped, other `<...>` is literal text;
//! * `<i>`/`<em>` → `*x*`, `<b>`/`<strong>` → `**x**`, spaces moved outside the delimiters;
//!   emphasis CommonMark could not delimit at that spot is dropped (its text kept);
//! * `<a href="https://...">` → `[text](url)`; relative or empty `href` → the text alone; bare
//!   `http(s)://` URLs in text → `<https://...>` autolinks;
//! * `<ul>`/`<ol>`/`<li>` → `-`/`1.` lists, nested by indentation; `<dl>` → a list whose items start
//!   with the `**term**`; `<note>`, `<important>`, `<div class="note|important|warning|tip">` → a
//!   paragraph starting `**Note:**` (etc.); `<fullname>` → a paragraph; `<h1>`..`<h6>` → bold;
//! * plain text is escaped with [`escape_plain`]'s rules; unknown elements with an end tag are
//!   dropped (their text kept), `<word>` without one is text (`\<region>`).

/// Converts model documentation HTML to Markdown for rustdoc.
///
/// Never panics; malformed HTML still yields its text. The result has no trailing whitespace
/// on any line and no trailing newline.
pub fn html_to_markdown(html: &str) -> String {
    let tokens = tokenize(html);
    let root = build_tree(tokens);
    let mut blocks = Vec::new();
    blocks_of(&root.children, &mut blocks);
    let mut out = String::with_capacity(html.len());
    write_blocks(&blocks, false, &mut out);
    out
}

/// Escapes plain text so that Markdown renders it literally and rustdoc raises no warnings.
///
/// Markdown punctuation (`*`, `` ` ``, `[`, `]`, `<`, `~`, `\`, `_` where it could delimit
/// emphasis, `&` before an entity-like word) is backslash-escaped, block markers at the start of a
/// line (`#`, `>`, `|`, `-`, `+`, `=`, `1.`, `1)`) are escaped, leading and trailing whitespace of each line is
/// removed (so no line becomes an indented code block or a hard break), and bare URLs become
/// `<https://...>` autolinks. Line breaks are kept.
pub fn escape_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        for piece in split_urls(line.trim()) {
            match piece {
                Inline::Text(t) => {
                    let bol = out.is_empty() || out.ends_with('\n');
                    escape_text(&t, &mut out, bol)
                }
                Inline::Auto(u) => push_autolink(&u, &mut out),
                _ => {}
            }
        }
    }
    out
}

/// The first sentence of a Markdown text (as produced by [`html_to_markdown`]), for one-line
/// summaries.
///
/// Takes the first paragraph (skipping code blocks; for a list, its first item), joins its lines
/// and cuts after the first `.`, `!` or `?` that is followed by whitespace and is outside code
/// spans, links and emphasis (abbreviations such as `e.g.` do not end a sentence).
pub fn first_sentence(markdown: &str) -> String {
    let block = markdown
        .split("\n\n")
        .map(str::trim)
        .find(|b| !b.is_empty() && !b.starts_with("```") && !b.starts_with("~~~"))
        .unwrap_or("");
    let mut lines: Vec<&str> = block.lines().map(str::trim).collect();
    if let Some(first) = lines.first() {
        if let Some(rest) = strip_list_marker(first) {
            lines = vec![rest];
        }
    }
    let joined: Vec<&str> = lines
        .iter()
        .map(|l| l.strip_suffix('\\').unwrap_or(l).trim_end())
        .collect();
    let text = joined.join(" ");
    let cut = sentence_end(&text).unwrap_or(text.len());
    text[..cut].trim_end().to_string()
}

fn strip_list_marker(line: &str) -> Option<&str> {
    if let Some(rest) = line.strip_prefix("- ") {
        return Some(rest);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return line[digits..].strip_prefix(". ");
    }
    None
}

/// Byte index just after the end of the first sentence of one line of Markdown.
fn sentence_end(text: &str) -> Option<usize> {
    const ABBREVIATIONS: &[&str] = &["e.g.", "i.e.", "etc.", "vs.", "approx.", "Inc.", "No."];
    let bytes = text.as_bytes();
    let (mut i, mut brackets, mut stars) = (0, 0i32, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 1,
            b'`' => {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                let fence = &text[i..i + run];
                match text[i + run..].find(fence) {
                    Some(end) => i += run + end + run - 1,
                    None => i += run - 1,
                }
            }
            b'<' => i += text[i..].find('>').unwrap_or(0),
            b'[' | b'(' => brackets += 1,
            b']' | b')' => brackets -= 1,
            b'*' => {
                stars += 1;
                i += bytes[i..].iter().take_while(|&&b| b == b'*').count() - 1;
            }
            b'.' | b'!' | b'?' if brackets <= 0 && stars % 2 == 0 => {
                let next_ws = bytes.get(i + 1).is_none_or(|b| b.is_ascii_whitespace());
                let word_start = text[..i].rfind(' ').map_or(0, |p| p + 1);
                let word = &text[word_start..=i];
                let abbreviation =
                    ABBREVIATIONS.contains(&word) || (word.len() == 2 && bytes[i] == b'.');
                if next_ws && !abbreviation {
                    return Some(i + 1);
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

// ------------------------------------------------------------------------------------------
// Tokenizer
// ------------------------------------------------------------------------------------------

#[derive(Debug)]
enum Token {
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

fn is_inline(tag: &str) -> bool {
    !is_block(tag)
}

/// Tags the converter understands; any other `<word ...>` is text unless a matching end tag
/// follows (then it is an unknown element whose tags are dropped). `request` and `response`
/// (raw HTTP messages in old `<examples>`) are blocks, but only when closed, like unknown tags.
fn is_known(tag: &str) -> bool {
    listed(INLINE_TAGS, tag) || (is_block(tag) && !matches!(tag, "request" | "response"))
}

#[derive(Debug)]
struct RawTag {
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

fn tokenize(html: &str) -> Vec<Token> {
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
struct Node {
    /// Lower-case tag name; empty for the root and for text nodes.
    tag: String,
    href: Option<String>,
    class: Option<String>,
    text: String,
    children: Vec<Node>,
}

fn build_tree(tokens: Vec<Token>) -> Node {
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

fn text_content(node: &Node, out: &mut String) {
    if node.tag.is_empty() {
        out.push_str(&node.text);
    } else if node.tag == "br" {
        out.push('\n');
    }
    for c in &node.children {
        text_content(c, out);
    }
}

// ------------------------------------------------------------------------------------------
// Markdown model
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Inline {
    Text(String),
    Code(String),
    Em(Vec<Inline>),
    Strong(Vec<Inline>),
    Link(Vec<Inline>, String),
    Auto(String),
    Break,
}

#[derive(Debug)]
enum Block {
    Para(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
    Code(String),
}

fn blocks_of(children: &[Node], out: &mut Vec<Block>) {
    let mut run: Vec<Inline> = Vec::new();
    for node in children {
        if node.tag.is_empty() || node.tag == "br" || is_inline(&node.tag) {
            inlines_of(node, &mut run);
            continue;
        }
        flush_paragraph(&mut run, out);
        match node.tag.as_str() {
            "ul" | "ol" | "dl" => {
                let items = list_items(node);
                if !items.is_empty() {
                    out.push(Block::List {
                        ordered: node.tag == "ol",
                        items,
                    });
                }
            }
            "li" | "dd" => {
                let mut item = Vec::new();
                blocks_of(&node.children, &mut item);
                if !item.is_empty() {
                    out.push(Block::List {
                        ordered: false,
                        items: vec![item],
                    });
                }
            }
            "dt" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => strong_paragraph(&node.children, out),
            // `pre`, and the raw HTTP messages of old `<examples>` docs.
            "pre" | "request" | "response" => {
                let mut text = String::new();
                text_content(node, &mut text);
                push_code_block(&text, out);
            }
            "note" | "important" => admonition(&node.tag, &node.children, out),
            "div" => match node.class.as_deref().map(str::to_ascii_lowercase) {
                Some(c) if ["note", "important", "warning", "tip"].contains(&c.as_str()) => {
                    admonition(&c, &node.children, out)
                }
                _ => blocks_of(&node.children, out),
            },
            _ => blocks_of(&node.children, out),
        }
    }
    flush_paragraph(&mut run, out);
}

fn admonition(kind: &str, children: &[Node], out: &mut Vec<Block>) {
    let mut inner = Vec::new();
    blocks_of(children, &mut inner);
    if inner.is_empty() {
        return;
    }
    let mut label = kind.to_string();
    label[..1].make_ascii_uppercase();
    let label = Inline::Strong(vec![Inline::Text(format!("{label}:"))]);
    match inner.first_mut() {
        Some(Block::Para(p)) => {
            p.insert(0, label);
            p.insert(1, Inline::Text(" ".into()));
        }
        _ => inner.insert(0, Block::Para(vec![label])),
    }
    out.extend(inner);
}

fn list_items(list: &Node) -> Vec<Vec<Block>> {
    fn add_to_last(items: &mut Vec<Vec<Block>>, nodes: &[Node]) {
        let mut blocks = Vec::new();
        blocks_of(nodes, &mut blocks);
        match items.last_mut() {
            _ if blocks.is_empty() => {}
            Some(last) => last.extend(blocks),
            None => items.push(blocks),
        }
    }
    let mut items: Vec<Vec<Block>> = Vec::new();
    let kids = &list.children;
    let mut stray_from = 0;
    for (k, child) in kids.iter().enumerate() {
        if !matches!(child.tag.as_str(), "li" | "dt" | "dd") {
            continue;
        }
        // Content between items (text directly inside <ul>) joins the previous item.
        add_to_last(&mut items, &kids[stray_from..k]);
        stray_from = k + 1;
        let mut item = Vec::new();
        match child.tag.as_str() {
            "li" => blocks_of(&child.children, &mut item),
            "dt" => strong_paragraph(&child.children, &mut item),
            _ => {
                add_to_last(&mut items, &child.children);
                continue;
            }
        }
        if !item.is_empty() {
            items.push(item);
        }
    }
    add_to_last(&mut items, &kids[stray_from..]);
    items
}

fn strong_paragraph(children: &[Node], out: &mut Vec<Block>) {
    let mut inl = Vec::new();
    for c in children {
        inlines_of(c, &mut inl);
    }
    flush_paragraph(&mut vec![Inline::Strong(inl)], out);
}

fn inlines_of(node: &Node, out: &mut Vec<Inline>) {
    match node.tag.as_str() {
        "" => out.push(Inline::Text(node.text.clone())),
        "br" => out.push(Inline::Break),
        "code" | "tt" | "kbd" | "samp" => {
            // A code element that is exactly one absolute link becomes a link around code.
            let links: Vec<&Node> = node
                .children
                .iter()
                .filter(|c| !c.tag.is_empty() || !c.text.trim().is_empty())
                .collect();
            if let [only] = links.as_slice() {
                if let Some(url) = only
                    .href
                    .as_deref()
                    .filter(|_| only.tag == "a")
                    .and_then(absolute_url)
                {
                    let mut text = String::new();
                    text_content(only, &mut text);
                    out.push(Inline::Link(vec![Inline::Code(text)], url));
                    return;
                }
            }
            let mut text = String::new();
            text_content(node, &mut text);
            out.push(Inline::Code(text));
        }
        _ => {
            let mut inner = Vec::new();
            for c in &node.children {
                inlines_of(c, &mut inner);
            }
            match node.tag.as_str() {
                "i" | "em" | "var" => out.push(Inline::Em(inner)),
                "b" | "strong" => out.push(Inline::Strong(inner)),
                "a" => match node.href.as_deref().and_then(absolute_url) {
                    Some(url) => out.push(Inline::Link(inner, url)),
                    None => out.extend(inner),
                },
                _ => out.extend(inner),
            }
        }
    }
}

/// An `href` usable as a Markdown link destination, or `None` for relative and empty ones.
fn absolute_url(href: &str) -> Option<String> {
    let href = href.trim();
    let lower = href.get(..8).unwrap_or(href).to_ascii_lowercase();
    let scheme = ["http://", "https://", "mailto:"]
        .into_iter()
        .find(|p| lower.starts_with(p))?;
    if href.len() == scheme.len() {
        return None;
    }
    let mut url = String::with_capacity(href.len());
    for c in href.chars() {
        match c {
            ' ' => url.push_str("%20"),
            '<' => url.push_str("%3C"),
            '>' => url.push_str("%3E"),
            '(' => url.push_str("%28"),
            ')' => url.push_str("%29"),
            c if c.is_whitespace() || c.is_control() => {}
            c => url.push(c),
        }
    }
    Some(url)
}

/// Turns the pending inline run into a paragraph (or a code block, for a lone multi-line code
/// element) after whitespace normalization.
fn flush_paragraph(run: &mut Vec<Inline>, out: &mut Vec<Block>) {
    if run.is_empty() {
        return;
    }
    let inl = std::mem::take(run);
    let mut solid = inl
        .iter()
        .filter(|i| !matches!(i, Inline::Text(t) if t.trim().is_empty()));
    if let (Some(Inline::Code(code)), None) = (solid.next(), solid.next()) {
        if code.trim().contains('\n') {
            push_code_block(code, out);
            return;
        }
    }
    let mut inl = normalize(inl);
    while matches!(inl.last(), Some(Inline::Break)) {
        inl.pop();
    }
    while matches!(inl.first(), Some(Inline::Break)) {
        inl.remove(0);
    }
    if !inl.is_empty() {
        out.push(Block::Para(inl));
    }
}

fn push_code_block(raw: &str, out: &mut Vec<Block>) {
    let text = raw.replace("\r\n", "\n").replace('\t', "    ");
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let first = lines.iter().position(|l| !l.is_empty());
    let last = lines.iter().rposition(|l| !l.is_empty());
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    // Text right after the opening tag has lost its indentation: dedent by the other lines.
    let skip = usize::from(first == 0 && last > 0);
    let indent = |l: &&str| l.len() - l.trim_start().len();
    let lines = &lines[first..=last];
    let common = lines
        .iter()
        .skip(skip)
        .filter(|l| !l.is_empty())
        .map(indent)
        .min()
        .unwrap_or(0);
    let body: Vec<&str> = lines
        .iter()
        .enumerate()
        .map(|(k, l)| {
            if k < skip {
                l.trim_start()
            } else {
                l.get(common..).unwrap_or("")
            }
        })
        .collect();
    out.push(Block::Code(body.join("\n")));
}

// ------------------------------------------------------------------------------------------
// Whitespace normalization
// ------------------------------------------------------------------------------------------

fn normalize(inl: Vec<Inline>) -> Vec<Inline> {
    let inl = hoist(inl, false);
    // Merge adjacent texts, collapse spaces across them, trim around breaks and at the ends.
    let mut out: Vec<Inline> = Vec::with_capacity(inl.len());
    for i in inl {
        match (out.last_mut(), i) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => {
                if prev.ends_with(' ') && t.starts_with(' ') {
                    prev.push_str(&t[1..]);
                } else {
                    prev.push_str(&t);
                }
            }
            (_, i) => out.push(i),
        }
    }
    for k in 0..out.len() {
        let before_break = out.get(k + 1).is_none_or(|n| *n == Inline::Break);
        let after_break = k == 0 || out[k - 1] == Inline::Break;
        if let Inline::Text(t) = &mut out[k] {
            if before_break {
                t.truncate(t.trim_end().len());
            }
            if after_break {
                *t = t.trim_start().to_string();
            }
        }
    }
    out.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
    out
}

/// Collapses whitespace inside texts, splits bare URLs out of texts (outside links) and moves
/// leading/trailing spaces of emphasis and links outside their delimiters.
fn hoist(inl: Vec<Inline>, in_link: bool) -> Vec<Inline> {
    let mut out = Vec::with_capacity(inl.len());
    for i in inl {
        match i {
            Inline::Text(t) => {
                let t = collapse_ws(&t);
                if in_link {
                    out.push(Inline::Text(t));
                } else {
                    out.extend(split_urls(&t));
                }
            }
            Inline::Em(c) => wrap(hoist(c, in_link), Inline::Em, &mut out),
            Inline::Strong(c) => wrap(hoist(c, in_link), Inline::Strong, &mut out),
            Inline::Link(c, url) => {
                let inner = hoist(c, true);
                let raw: String = inner
                    .iter()
                    .map(|i| {
                        if let Inline::Text(t) = i {
                            t.as_str()
                        } else {
                            "\u{1}"
                        }
                    })
                    .collect();
                if raw.trim().is_empty() || raw.trim() == url {
                    if raw.starts_with(' ') {
                        out.push(Inline::Text(" ".into()));
                    }
                    out.push(Inline::Auto(url));
                    if raw.len() > 1 && raw.ends_with(' ') {
                        out.push(Inline::Text(" ".into()));
                    }
                } else {
                    wrap(inner, |c| Inline::Link(c, url), &mut out);
                }
            }
            Inline::Code(c) => {
                let c = collapse_ws(&c);
                if !c.trim().is_empty() {
                    out.push(Inline::Code(c.trim().to_string()));
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn wrap(mut inner: Vec<Inline>, make: impl FnOnce(Vec<Inline>) -> Inline, out: &mut Vec<Inline>) {
    let mut lead = false;
    let mut trail = false;
    while let Some(Inline::Text(t)) = inner.first_mut() {
        if t.starts_with(' ') {
            lead = true;
            *t = t.trim_start().to_string();
        }
        if t.is_empty() {
            inner.remove(0);
        } else {
            break;
        }
    }
    while let Some(Inline::Text(t)) = inner.last_mut() {
        if t.ends_with(' ') {
            trail = true;
            t.truncate(t.trim_end().len());
        }
        if t.is_empty() {
            inner.pop();
        } else {
            break;
        }
    }
    if lead {
        out.push(Inline::Text(" ".into()));
    }
    if !inner.is_empty() {
        out.push(make(inner));
    }
    if trail && !(lead && out.last() == Some(&Inline::Text(" ".into()))) {
        out.push(Inline::Text(" ".into()));
    }
}

fn collapse_ws(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = true;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Splits `http(s)://` URLs out of plain text as autolinks.
fn split_urls(text: &str) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        let lower = rest.to_ascii_lowercase();
        let found = [lower.find("https://"), lower.find("http://")]
            .into_iter()
            .flatten()
            .min();
        let Some(start) = found else { break };
        let body = &rest[start..];
        let mut end = body
            .find(|c: char| c.is_whitespace() || "<>\"`\\{}|^".contains(c))
            .unwrap_or(body.len());
        while end > 0 {
            let last = body[..end].chars().next_back().unwrap_or(' ');
            let unbalanced = |open, close| {
                last == close
                    && body[..end].matches(open).count() < body[..end].matches(close).count()
            };
            if ".,;:!?'*_~".contains(last) || unbalanced('(', ')') || unbalanced('[', ']') {
                end -= last.len_utf8();
            } else {
                break;
            }
        }
        let scheme = if body.as_bytes().get(4) == Some(&b's') {
            8
        } else {
            7
        };
        if end <= scheme {
            out.push(Inline::Text(rest[..start + scheme].to_string()));
            rest = &rest[start + scheme..];
            continue;
        }
        if start > 0 {
            out.push(Inline::Text(rest[..start].to_string()));
        }
        out.push(Inline::Auto(body[..end].to_string()));
        rest = &body[end..];
    }
    if !rest.is_empty() {
        out.push(Inline::Text(rest.to_string()));
    }
    out
}

// ------------------------------------------------------------------------------------------
// Markdown writer
// ------------------------------------------------------------------------------------------

/// Writes blocks separated by blank lines; inside a list item (`nested`) a paragraph and the
/// list after it stay on adjacent lines so that the list can stay tight.
fn write_blocks(blocks: &[Block], nested: bool, out: &mut String) {
    for (k, block) in blocks.iter().enumerate() {
        if k > 0 {
            let tight = nested
                && matches!(
                    (&blocks[k - 1], block),
                    (Block::Para(_), Block::List { .. })
                );
            out.push_str(if tight { "\n" } else { "\n\n" });
        }
        match block {
            Block::Para(inl) => {
                let mut r = Renderer { out: String::new() };
                r.inlines(inl, Class::Space);
                out.push_str(&r.out);
            }
            Block::Code(code) => {
                let longest = longest_run(code, '`');
                let fence = "`".repeat(longest.max(2) + 1);
                out.push_str(&fence);
                out.push_str("text\n");
                out.push_str(code);
                out.push('\n');
                out.push_str(&fence);
            }
            Block::List { ordered, items } => {
                let loose = items.iter().any(|item| {
                    item.iter().enumerate().any(|(k, b)| {
                        k > 0 && !matches!((&item[k - 1], b), (Block::Para(_), Block::List { .. }))
                    })
                });
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push_str(if loose { "\n\n" } else { "\n" });
                    }
                    let marker = if *ordered {
                        format!("{}. ", n + 1)
                    } else {
                        "- ".to_string()
                    };
                    let mut body = String::new();
                    write_blocks(item, true, &mut body);
                    for (l, line) in body.split('\n').enumerate() {
                        if l > 0 {
                            out.push('\n');
                            if !line.is_empty() {
                                out.push_str(&" ".repeat(marker.len()));
                            }
                        } else {
                            out.push_str(&marker);
                        }
                        out.push_str(line);
                    }
                }
            }
        }
    }
}

fn longest_run(s: &str, ch: char) -> usize {
    let (mut best, mut cur) = (0, 0);
    for c in s.chars() {
        cur = if c == ch { cur + 1 } else { 0 };
        best = best.max(cur);
    }
    best
}

/// Character classes that decide whether `*`/`**` can open or close emphasis (CommonMark's
/// flanking rules).
#[derive(Clone, Copy, PartialEq)]
enum Class {
    Space,
    Punct,
    Star,
    Word,
}

fn class_of(c: Option<char>) -> Class {
    match c {
        None => Class::Space,
        Some(c) if c.is_whitespace() => Class::Space,
        Some('*') => Class::Star,
        Some(c) if c.is_alphanumeric() => Class::Word,
        Some(_) => Class::Punct,
    }
}

fn first_class(rest: &[Inline], after: Class) -> Class {
    match rest.first() {
        None => after,
        Some(Inline::Text(t)) => t
            .chars()
            .next()
            .map_or_else(|| first_class(&rest[1..], after), |c| class_of(Some(c))),
        Some(Inline::Break) => Class::Space,
        Some(Inline::Em(_) | Inline::Strong(_)) => Class::Star,
        Some(_) => Class::Punct,
    }
}

struct Renderer {
    out: String,
}

impl Renderer {
    fn bol(&self) -> bool {
        self.out.is_empty() || self.out.ends_with('\n')
    }

    fn inlines(&mut self, inl: &[Inline], after: Class) {
        for (k, i) in inl.iter().enumerate() {
            match i {
                Inline::Text(t) => {
                    let bol = self.bol();
                    escape_text(t, &mut self.out, bol);
                }
                Inline::Code(c) => push_code_span(c, &mut self.out),
                Inline::Auto(u) => push_autolink(u, &mut self.out),
                Inline::Break => self.out.push_str("\\\n"),
                Inline::Link(children, url) => {
                    let mut inner = Renderer {
                        out: String::from("["),
                    };
                    inner.inlines(children, Class::Punct);
                    self.out.push_str(&inner.out);
                    self.out.push_str("](");
                    self.out.push_str(url);
                    self.out.push(')');
                }
                Inline::Em(children) | Inline::Strong(children) => {
                    let delim = if matches!(i, Inline::Em(_)) {
                        "*"
                    } else {
                        "**"
                    };
                    let mut inner = Renderer {
                        out: String::from("*"),
                    };
                    inner.inlines(children, Class::Star);
                    let inner = &inner.out[1..];
                    let prev = class_of(self.out.chars().next_back());
                    let prev = if prev == Class::Star && self.out.ends_with("\\*") {
                        Class::Punct
                    } else {
                        prev
                    };
                    let next = first_class(&inl[k + 1..], after);
                    let first = class_of(inner.chars().next());
                    let last = class_of(inner.chars().next_back());
                    let opens = first != Class::Space
                        && first != Class::Star
                        && (first == Class::Word || prev != Class::Word)
                        && prev != Class::Star;
                    let closes = last != Class::Space
                        && last != Class::Star
                        && (last == Class::Word || next != Class::Word)
                        && next != Class::Star;
                    if opens && closes {
                        self.out.push_str(delim);
                        self.out.push_str(inner);
                        self.out.push_str(delim);
                    } else {
                        // Emphasis that Markdown cannot express here: keep the text only.
                        self.inlines(children, next);
                    }
                }
            }
        }
    }
}

fn push_autolink(url: &str, out: &mut String) {
    out.push('<');
    out.push_str(url);
    out.push('>');
}

fn push_code_span(code: &str, out: &mut String) {
    let fence = "`".repeat(longest_run(code, '`') + 1);
    let pad = code.starts_with('`') || code.ends_with('`');
    out.push_str(&fence);
    if pad {
        out.push(' ');
    }
    out.push_str(code);
    if pad {
        out.push(' ');
    }
    out.push_str(&fence);
}

/// Escapes plain text (no newlines expected except from [`escape_plain`]); `bol` says whether the
/// text starts at the beginning of a line.
fn escape_text(text: &str, out: &mut String, mut bol: bool) {
    let chars: Vec<char> = text.chars().collect();
    let prev_out = out.chars().next_back();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if bol {
            if c == ' ' {
                k += 1;
                continue;
            }
            bol = false;
            // Block markers: `# h`, `> q`, `- item`, `+ item`, `---`, `===`, `1. item`, `1) item`.
            let ends_marker = |i: usize| chars.get(i).is_none_or(|n| n.is_whitespace());
            let repeated = chars[k..].iter().take_while(|&&d| d == c).count();
            let marker = match c {
                '>' | '|' => true,
                '#' | '-' | '+' | '=' => ends_marker(k + repeated) || (c != '+' && repeated > 1),
                _ => false,
            };
            if marker {
                out.push('\\');
                out.push(c);
                k += 1;
                continue;
            }
            let digits = chars[k..].iter().take_while(|d| d.is_ascii_digit()).count();
            if digits > 0
                && matches!(chars.get(k + digits), Some('.' | ')'))
                && ends_marker(k + digits + 1)
            {
                out.extend(&chars[k..k + digits]);
                out.push('\\');
                out.push(chars[k + digits]);
                k += digits + 1;
                continue;
            }
        }
        match c {
            '\\' | '`' | '*' | '[' | ']' | '<' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let before = if k == 0 { prev_out } else { Some(chars[k - 1]) };
                let word = |ch: Option<&char>| ch.is_some_and(|c| c.is_alphanumeric());
                if !(word(before.as_ref()) && word(chars.get(k + 1))) {
                    out.push('\\');
                }
                out.push('_');
            }
            '&' => {
                let name_len = chars[k + 1..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || **c == '#')
                    .count();
                if name_len > 0 && chars.get(k + 1 + name_len) == Some(&';') {
                    out.push('\\');
                }
                out.push('&');
            }
            '\n' => {
                out.push('\n');
                bol = true;
            }
            c => out.push(c),
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `(html, expected markdown)` cases and reports every mismatch at once.
    fn check(cases: &[(&str, &str)]) {
        let failed: Vec<String> = cases
            .iter()
            .filter_map(|(html, want)| {
                let got = html_to_markdown(html);
                (got != *want).then(|| format!("html:\n{html}\nwant:\n{want}\ngot:\n{got}\n"))
            })
            .collect();
        assert!(failed.is_empty(), "{}", failed.join("\n"));
    }

    #[test]
    fn paragraphs_breaks_and_whitespace() {
        check(&[
            ("<p>One.</p><p>Two.</p>", "One.\n\nTwo."),
            ("Plain text, no tags.", "Plain text, no tags."),
            (
                "<p>  lots \n of\t  space </p>\n\n   <p>y</p>",
                "lots of space\n\ny",
            ),
            ("<p>a<br>b</p>", "a\\\nb"),
            ("<p>a <br/> b <br> </p>", "a\\\nb"),
            ("<fullname>Svc</fullname><p>Text.</p>", "Svc\n\nText."),
            ("<h2>Title</h2><p>x</p>", "**Title**\n\nx"),
            ("", ""),
        ]);
    }

    #[test]
    fn inline_formatting_is_balanced_and_trimmed() {
        check(&[
            (
                "<p><code>GetSecretValue</code> call</p>",
                "`GetSecretValue` call",
            ),
            (
                "<i>x</i> <em>y</em> <b>z</b> <strong>w</strong>",
                "*x* *y* **z** **w**",
            ),
            ("<p>a<b> bold </b>b</p>", "a **bold** b"),
            ("<p><b>Note: </b>text</p>", "**Note:** text"),
            ("<p><b> </b>x<i></i></p>", "x"),
            // Emphasis that cannot open or close here is dropped, its text kept.
            ("<p>x<b>(y)</b>z</p>", "x(y)z"),
            (
                "<p><b><code>A</code></b>s and <b><code>B</code></b>.</p>",
                "`A`s and **`B`**.",
            ),
            // Adjacent delimiter runs would merge (`**a***b*`): the first emphasis is dropped.
            ("<p><b>a</b><i>b</i></p>", "a*b*"),
            (
                "<p><code>a`b</code> <code>`a</code> <code> </code></p>",
                "``a`b`` `` `a ``",
            ),
            ("<p><code>arn:<i>region</i>:x</code></p>", "`arn:region:x`"),
        ]);
    }

    #[test]
    fn links_and_bare_urls() {
        check(&[
            ("<a href=\"https://x.com/a\">text</a>", "[text](https://x.com/a)"),
            ("<a href=\"/relative/page.html\">text</a> <a>GetSecretValue</a> <a href=\"\">e</a>", "text GetSecretValue e"),
            ("<a href=\"https://x.com/a b(c)\">t</a>", "[t](https://x.com/a%20b%28c%29)"),
            ("<a href=\"https://x.com/p\"></a> <a href=\"https://x.com/p\"> https://x.com/p </a>", "<https://x.com/p> <https://x.com/p>"),
            ("<a href=\"https://x.com\"><code>Foo</code></a>", "[`Foo`](https://x.com)"),
            ("<code><a href=\"https://x.com\">Foo</a></code>", "[`Foo`](https://x.com)"),
            ("<a href=\"mailto:a@b.com\">a@b.com</a>", "[a@b.com](mailto:a@b.com)"),
            ("<a href=\"http://a\">a</a> <a href=\"https://\">b</a>", "[a](http://a) b"),
            ("<a href=\"https://x.com\"> see [1] </a>", "[see \\[1\\]](https://x.com)"),
            ("see https://example.com/a. (http://e.com/b) \"https://e.com/q?a=1\"", "see <https://example.com/a>. (<http://e.com/b>) \"<https://e.com/q?a=1>\""),
            ("<code>https://x.com</code> https:// alone", "`https://x.com` https:// alone"),
        ]);
    }

    #[test]
    fn lists_nested_and_definition_lists() {
        check(&[
            ("<ul><li>a</li><li>b</li></ul>", "- a\n- b"),
            ("<ol><li>a</li><li>b</li></ol>", "1. a\n2. b"),
            (
                "<ul><li><p>a</p><ul><li>b</li></ul></li><li>c</li></ul>",
                "- a\n  - b\n- c",
            ),
            (
                "<ul><li><p>a</p><p>a2</p></li><li>b</li></ul>",
                "- a\n\n  a2\n\n- b",
            ),
            ("<ul><li>a<li>b</ul>", "- a\n- b"),
            ("<p>x:</p><ul><li>a</li></ul><p>y</p>", "x:\n\n- a\n\ny"),
            ("<ul><li></li><li> </li><li>a</li></ul><ul></ul>", "- a"),
            ("<ul>stray<li>a</li>text</ul>", "- stray\n\n- a\n\n  text"),
            ("<ol><li><ol><li>deep</li></ol></li></ol>", "1. 1. deep"),
            (
                "<dl><dt>Term</dt><dd><p>Def</p></dd><dt>T2<dd>D2</dl>",
                "- **Term**\n\n  Def\n\n- **T2**\n\n  D2",
            ),
            ("<li>lonely</li>", "- lonely"),
        ]);
    }

    #[test]
    fn notes_and_admonitions() {
        check(&[
            ("<note><p>Be careful.</p></note>", "**Note:** Be careful."),
            ("<important>x</important>", "**Important:** x"),
            (
                "<div class=\"warning\"><p>w</p></div><div>plain</div>",
                "**Warning:** w\n\nplain",
            ),
            ("<note><ul><li>a</li></ul></note>", "**Note:**\n\n- a"),
            ("<note> </note><p>x</p>", "x"),
        ]);
    }

    #[test]
    fn code_blocks_are_fenced_as_text() {
        check(&[
            (
                "<pre>fn main() {\n    x\n}</pre>",
                "```text\nfn main() {\n    x\n}\n```",
            ),
            (
                "<p><code>{\n      \"a\": 1\n    }</code></p>",
                "```text\n{\n  \"a\": 1\n}\n```",
            ),
            ("<pre>a\n```\nb</pre>", "````text\na\n```\nb\n````"),
            (
                "<ul><li><code>x\ny</code></li></ul>",
                "- ```text\n  x\n  y\n  ```",
            ),
            (
                "<p>Inline <code>a\nb</code> stays inline.</p>",
                "Inline `a b` stays inline.",
            ),
            ("<pre>\n\n</pre>", ""),
        ]);
    }

    #[test]
    fn entities_are_decoded() {
        check(&[
            (
                "&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos; &#39;b&#39; a&#x2F;b&nbsp;c &#8212;",
                "\\<b> & \"q\" 'a' 'b' a/b c —",
            ),
            (
                "AT&T &IAM; &amp;lt; &#0; &#xZZ;",
                "AT&T \\&IAM; \\&lt; \\&#0; \\&#xZZ;",
            ),
            (
                "<code>&lt;tag&gt;</code> <a href=\"https://x.com/?a=1&amp;b=2\">q</a>",
                "`<tag>` [q](https://x.com/?a=1&b=2)",
            ),
        ]);
    }

    #[test]
    fn text_rustdoc_would_misread_is_escaped() {
        check(&[
            ("[foo] [a][b]", "\\[foo\\] \\[a\\]\\[b\\]"),
            (
                "arn:aws:<region>:<account that owns it>:x",
                "arn:aws:\\<region>:\\<account that owns it>:x",
            ),
            ("<p>The <ARN> and <i>it</i></p>", "The \\<ARN> and *it*"),
            (
                "a * b _c_ d`e snake_case_name ~x~ a\\b",
                "a \\* b \\_c\\_ d\\`e snake_case_name \\~x\\~ a\\\\b",
            ),
            (
                "<p># h</p><p>1. x</p><p>2) y</p><p>- z</p><p>+ w</p><p>---</p><p>> q</p><p>==</p>",
                "\\# h\n\n1\\. x\n\n2\\) y\n\n\\- z\n\n\\+ w\n\n\\---\n\n\\> q\n\n\\==",
            ),
            (
                "<p>#tag 2.5 GB -1 +x</p><p>    four spaces</p>",
                "#tag 2.5 GB -1 +x\n\nfour spaces",
            ),
            ("<p>a<br># b</p>", "a\\\n\\# b"),
            ("<ul><li># not heading</li></ul>", "- \\# not heading"),
        ]);
    }

    #[test]
    fn unknown_and_malformed_html_keeps_text() {
        check(&[
            ("<p>x <foo>y</foo> z</p>", "x y z"),
            ("<p>a</p></p>b</li></ul>", "a\n\nb"),
            ("<p>unclosed <b>bold", "unclosed **bold**"),
            ("<ul><li>a", "- a"),
            ("<p>a < b and c > d</p>", "a \\< b and c > d"),
            ("<p>x <!-- comment --> y <!-- open", "x y"),
            ("< <a <a href=\"x <p>q</p>", "\\< \\<a \\<a href=\"x\n\nq"),
            ("<code>unclosed", "`unclosed`"),
            (
                "<p>a <code><p>literal</p> <row a=\"1\"></row></code> b</p>",
                "a `<p>literal</p> <row a=\"1\"></row>` b",
            ),
            ("<p>a <b>b <p>c</b> d</p>", "a **b**\n\nc d"),
            (
                "<examples><request>\nPOST / HTTP/1.1\n</request></examples>",
                "```text\nPOST / HTTP/1.1\n```",
            ),
            ("<p>the <request> body</p>", "the \\<request> body"),
        ]);
    }

    #[test]
    fn output_never_has_trailing_whitespace() {
        let html =
            "<p>a <br> b </p> <ul> <li> <p> c </p> <p> d </p> </li> </ul> <pre> e  \n  f \n</pre>";
        let md = html_to_markdown(html);
        assert!(md.lines().all(|l| l == l.trim_end()), "{md:?}");
        assert!(!md.ends_with('\n'), "{md:?}");
    }

    #[test]
    fn first_sentence_cuts_at_the_first_real_sentence_end() {
        let cases = [
            ("Creates a secret. Then more.", "Creates a secret."),
            ("Use e.g. this one. Next.", "Use e.g. this one."),
            ("Set `a. b` now. Next", "Set `a. b` now."),
            (
                "See [a. b](https://x.y/a.b) here. Next",
                "See [a. b](https://x.y/a.b) here.",
            ),
            ("A **b. c** done. e", "A **b. c** done."),
            ("First para\nline two.\n\nSecond.", "First para line two."),
            ("No period here", "No period here"),
            ("```text\ncode. x\n```\n\nText. More", "Text."),
            ("- Item one. More\n- two", "Item one."),
            ("Version 1.2 is out! Yes", "Version 1.2 is out!"),
            ("a\\\nbe. c", "a be."),
            ("", ""),
        ];
        for (md, want) in cases {
            assert_eq!(first_sentence(md), want, "{md:?}");
        }
    }

    #[test]
    fn escape_plain_escapes_and_keeps_lines() {
        let cases = [
            ("a [b] <c> *d*", "a \\[b\\] \\<c> \\*d\\*"),
            ("# x\n1. y\n    indented  \n", "\\# x\n1\\. y\nindented"),
            ("see https://x.com/a.", "see <https://x.com/a>."),
            ("plain", "plain"),
        ];
        for (text, want) in cases {
            assert_eq!(escape_plain(text), want, "{text:?}");
        }
    }

    #[test]
    fn deeply_nested_or_hostile_input_does_not_panic() {
        let deep = "<ul><li>".repeat(200) + "x";
        assert!(html_to_markdown(&deep).ends_with("- x"));
        for s in [
            "<",
            "&",
            "&#",
            "&#x;",
            "</",
            "<a href='",
            "<a href=\"x",
            "<p/>",
            "</code>",
            "<code></code>",
            "\u{a0}é<b>ü</b>",
        ] {
            let _ = html_to_markdown(s);
        }
    }
}
