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

mod html;
mod markdown;
#[cfg(test)]
mod tests;

use html::{build_tree, tokenize};
use markdown::{blocks_of, escape_text, push_autolink, split_urls, write_blocks, Inline};

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
