//! Markdown side of [`html_to_markdown`](super::html_to_markdown): the tree is turned into
//! Markdown blocks and inlines, whitespace is normalized, and the blocks are written out with
//! the escaping rules of [`escape_plain`](super::escape_plain).

use super::html::{is_inline, text_content, Node};

// ------------------------------------------------------------------------------------------
// Markdown model
// ------------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Inline {
    Text(String),
    Code(String),
    Em(Vec<Inline>),
    Strong(Vec<Inline>),
    Link(Vec<Inline>, String),
    Auto(String),
    Break,
}

#[derive(Debug)]
pub(super) enum Block {
    Para(Vec<Inline>),
    List {
        ordered: bool,
        items: Vec<Vec<Block>>,
    },
    Code(String),
}

pub(super) fn blocks_of(children: &[Node], out: &mut Vec<Block>) {
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
pub(super) fn split_urls(text: &str) -> Vec<Inline> {
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
pub(super) fn write_blocks(blocks: &[Block], nested: bool, out: &mut String) {
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

pub(super) fn push_autolink(url: &str, out: &mut String) {
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

/// Escapes plain text (no newlines expected except from [`escape_plain`](super::escape_plain)); `bol` says whether the
/// text starts at the beginning of a line.
pub(super) fn escape_text(text: &str, out: &mut String, mut bol: bool) {
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
