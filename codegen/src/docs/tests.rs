//! Tests of the HTML → Markdown conversion, through the public API only.

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
        (
            "<a href=\"https://x.com/a\">text</a>",
            "[text](https://x.com/a)",
        ),
        (
            "<a href=\"/relative/page.html\">text</a> <a>GetSecretValue</a> <a href=\"\">e</a>",
            "text GetSecretValue e",
        ),
        (
            "<a href=\"https://x.com/a b(c)\">t</a>",
            "[t](https://x.com/a%20b%28c%29)",
        ),
        (
            "<a href=\"https://x.com/p\"></a> <a href=\"https://x.com/p\"> https://x.com/p </a>",
            "<https://x.com/p> <https://x.com/p>",
        ),
        (
            "<a href=\"https://x.com\"><code>Foo</code></a>",
            "[`Foo`](https://x.com)",
        ),
        (
            "<code><a href=\"https://x.com\">Foo</a></code>",
            "[`Foo`](https://x.com)",
        ),
        (
            "<a href=\"mailto:a@b.com\">a@b.com</a>",
            "[a@b.com](mailto:a@b.com)",
        ),
        (
            "<a href=\"http://a\">a</a> <a href=\"https://\">b</a>",
            "[a](http://a) b",
        ),
        (
            "<a href=\"https://x.com\"> see [1] </a>",
            "[see \\[1\\]](https://x.com)",
        ),
        (
            "see https://example.com/a. (http://e.com/b) \"https://e.com/q?a=1\"",
            "see <https://example.com/a>. (<http://e.com/b>) \"<https://e.com/q?a=1>\"",
        ),
        (
            "<code>https://x.com</code> https:// alone",
            "`https://x.com` https:// alone",
        ),
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
