//! Tests of the XML scanner (`scan.rs`): what it accepts and builds, what it refuses, and a
//! mutation loop checking it against the `xmlparser` tokenizer (a dev-dependency only; the
//! reader the runtime used before this scanner, kept here as the oracle).

use super::*;

/// The tree as one string: `prefix:local[attributes](text){children}`.
fn dump(doc: &XmlDoc<'_>) -> String {
    fn walk(n: Node<'_, '_>, out: &mut String) {
        out.push_str(&format!("{}:{}[", n.prefix(), n.name()));
        for (p, l, v) in n.attributes() {
            out.push_str(&format!("{p}:{l}={v:?};"));
        }
        out.push_str(&format!("]({:?}){{", n.text()));
        for c in n.children() {
            walk(c, out);
        }
        out.push('}');
    }
    let mut out = String::new();
    walk(doc.root(), &mut out);
    out
}

/// The reader as it was before the scanner, on `xmlparser`'s tokens, dumping the same way.
fn oracle(body: &[u8]) -> Result<String, String> {
    use xmlparser::{ElementEnd, Token, Tokenizer};
    struct E {
        prefix: String,
        local: String,
        attrs: Vec<(String, String, String)>,
        text: String,
        children: Vec<usize>,
    }
    fn walk(es: &[E], i: usize, out: &mut String) {
        let e = &es[i];
        out.push_str(&format!("{}:{}[", e.prefix, e.local));
        for (p, l, v) in &e.attrs {
            out.push_str(&format!("{p}:{l}={v:?};"));
        }
        out.push_str(&format!("]({:?}){{", e.text));
        for &c in &e.children {
            walk(es, c, out);
        }
        out.push('}');
    }
    let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut es: Vec<E> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut root_done = false;
    for token in Tokenizer::from(text) {
        match token.map_err(|e| e.to_string())? {
            Token::Declaration { .. }
            | Token::ProcessingInstruction { .. }
            | Token::Comment { .. } => {}
            Token::DtdStart { .. }
            | Token::EmptyDtd { .. }
            | Token::EntityDeclaration { .. }
            | Token::DtdEnd { .. } => return Err("dtd".into()),
            Token::ElementStart { prefix, local, .. } => {
                if root_done {
                    return Err("two roots".into());
                }
                if stack.len() >= MAX_DEPTH {
                    return Err("deep".into());
                }
                let idx = es.len();
                if let Some(&p) = stack.last() {
                    es[p].children.push(idx);
                }
                es.push(E {
                    prefix: prefix.to_string(),
                    local: local.to_string(),
                    attrs: vec![],
                    text: String::new(),
                    children: vec![],
                });
                stack.push(idx);
            }
            Token::Attribute {
                prefix,
                local,
                value,
                ..
            } => {
                let v = scan::unescape(value.as_str()).map_err(|e| e.reason)?;
                if let Some(e) = es.last_mut() {
                    e.attrs
                        .push((prefix.to_string(), local.to_string(), v.into_owned()));
                }
            }
            Token::ElementEnd { end, .. } => match end {
                ElementEnd::Open => {}
                ElementEnd::Empty => {
                    stack.pop();
                    root_done = stack.is_empty();
                }
                ElementEnd::Close(prefix, local) => {
                    let open = stack.pop().ok_or("close without open")?;
                    if es[open].prefix != prefix.as_str() || es[open].local != local.as_str() {
                        return Err("mismatch".into());
                    }
                    root_done = stack.is_empty();
                }
            },
            Token::Text { text } => {
                if let Some(&cur) = stack.last() {
                    let t = scan::unescape(text.as_str()).map_err(|e| e.reason)?;
                    es[cur].text.push_str(&t);
                } else if !text.as_str().trim().is_empty() {
                    return Err("text outside".into());
                }
            }
            Token::Cdata { text, .. } => match stack.last() {
                Some(&cur) => es[cur].text.push_str(text.as_str()),
                None => return Err("cdata outside".into()),
            },
        }
    }
    if !stack.is_empty() {
        return Err("unclosed".into());
    }
    if es.is_empty() {
        return Err("no root".into());
    }
    let mut out = String::new();
    walk(&es, 0, &mut out);
    Ok(out)
}

fn ours(body: &[u8]) -> Result<String, String> {
    XmlDoc::parse(body).map(|d| dump(&d)).map_err(|e| e.reason)
}

const SAMPLES: &[&str] = &[
    r#"<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>bucket</Name><Prefix></Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>logs/a b/é.json</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents><Contents><Key>x&amp;y</Key><Size>0</Size></Contents></ListBucketResult>"#,
    r#"<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::123456789012:user/Alice</Arn>
    <UserId>AIDACKCEVSQ6C2EXAMPLE</UserId>
    <Account>123456789012</Account>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>01234567-89ab-cdef-0123-456789abcdef</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
"#,
    "<?xml version='1.0'?>\r\n<!-- c -->\r\n<?pi some data?>\n<a:Root xmlns:a=\"http://a\" x='1' a:y = \"2&lt;3\" z=\"a&#x20;b&#65;\">\r\n  <b>t\r\nu</b><c><![CDATA[<raw> & ]] stuff]]></c><d/><e  /><f></f >\n<!-- inner --><?inner?>text&apos;<g:h>&#233;</g:h></a:Root>\n<!-- after -->\n",
    "<r><Errors><Error><Code>InvalidParameterValue</Code><Message>Value (a&gt;b) for parameter x is invalid.</Message></Error></Errors><RequestID>ab-cd</RequestID></r>",
];

#[test]
fn builds_the_same_tree_as_before_on_the_samples() {
    for s in SAMPLES {
        let o = oracle(s.as_bytes()).expect("oracle reads the sample");
        assert_eq!(ours(s.as_bytes()), Ok(o), "{s}");
    }
}

#[test]
fn entities_cdata_comments_attributes_namespaces() {
    let body = br#"<?xml version="1.0"?><p:R xmlns:p="urn:p" a='single "q"' b="double 'q'" p:c="&amp;&lt;&gt;&quot;&apos;&#x41;&#66;"><!-- skip --><T>1&#10;2</T><C>a<![CDATA[<&>]]>b<!--x-->c</C></p:R>"#;
    let doc = XmlDoc::parse(body).unwrap();
    let r = doc.root();
    assert_eq!((r.prefix(), r.name()), ("p", "R"));
    assert_eq!(r.attr("a"), Some("single \"q\""));
    assert_eq!(r.attr("b"), Some("double 'q'"));
    assert_eq!(r.attr("c"), Some("&<>\"'AB"));
    assert_eq!(r.attr("p"), None, "xmlns:p is a declaration");
    let all: Vec<_> = r.attributes().collect();
    assert_eq!(all[0], ("xmlns", "p", "urn:p"));
    assert_eq!(all.len(), 4);
    assert_eq!(r.child("T").unwrap().text(), "1\n2");
    assert_eq!(r.child("C").unwrap().text(), "a<&>bc");
    assert_eq!(r.children().count(), 2);
    assert_eq!(r.child("T").unwrap().attributes().count(), 0);
}

#[test]
fn text_without_references_is_borrowed() {
    let body = b"<a><b>plain text</b><c>x&amp;y</c></a>";
    let doc = XmlDoc::parse(body).unwrap();
    let t = doc.root().child("b").unwrap().text();
    let range = body.as_ptr_range();
    assert!(range.contains(&t.as_ptr()), "text is a slice of the body");
    let c = doc.root().child("c").unwrap().text();
    assert_eq!(c, "x&y");
}

#[test]
fn malformed_documents_are_errors() {
    let cases: &[&[u8]] = &[
        b"<a>",
        b"<a></a",
        b"<a></b>",
        b"<a><b></a></b>",
        b"</a>",
        b"<a/><b/>",
        b"<a/>text",
        b"<a x=1/>",
        b"<a x='1\"/>",
        b"<a x='1'y='2'/>",
        b"<a x='<'/>",
        b"<a x/>",
        b"<a><!-- a -- b --></a>",
        b"<a><!-- a --->",
        b"<a><![CDATA[x]]</a>",
        b"<a>]]></a>",
        b"<a>&amp</a>",
        b"<a>&#xD800;</a>",
        b"<a>\x01</a>",
        b"<a>\xEF\xBF\xBF</a>",
        b"<a:b:c/>",
        b"<1a/>",
        b"<a:/>",
        b"< a/>",
        b"<a/ >",
        b"<!DOCTYPE a><a/>",
        b"<a><!DOCTYPE a></a>",
        b"<a><!ELEMENT a></a>",
        b" <?xml version='1.0'?><a/>",
        b"<a/><?xml version='1.0'?>",
        b"<?xml?><a/>x",
        b"<a><?pi</a>",
        b"<a></a\x01>",
    ];
    for body in cases {
        let r = XmlDoc::parse(body);
        assert!(r.is_err(), "{:?} accepted", String::from_utf8_lossy(body));
        assert!(
            oracle(body).is_err(),
            "the old reader accepted {:?}",
            String::from_utf8_lossy(body)
        );
    }
}

#[test]
fn limits_hold() {
    let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
    let e = XmlDoc::parse(deep.as_bytes()).unwrap_err();
    assert!(e.reason.contains("deeper"), "{e}");
    let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
    assert!(XmlDoc::parse(ok.as_bytes()).is_ok());
    let ok_empty = "<a>".repeat(MAX_DEPTH - 1) + "<b/>" + &"</a>".repeat(MAX_DEPTH - 1);
    assert!(XmlDoc::parse(ok_empty.as_bytes()).is_ok());
}

#[test]
fn many_siblings_and_empty_elements() {
    let body = format!("<r>{}</r>", "<e/>".repeat(10_000));
    let doc = XmlDoc::parse(body.as_bytes()).unwrap();
    assert_eq!(doc.root().children().count(), 10_000);
    let body = format!("<r>{}</r>", "<e>x</e>\n".repeat(1000));
    let doc = XmlDoc::parse(body.as_bytes()).unwrap();
    assert_eq!(doc.root().text(), "\n".repeat(1000));
    assert!(doc.root().children().all(|c| c.text() == "x"));
}

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: &[&[u8]] = &[
    b"<",
    b">",
    b"/",
    b"</",
    b"/>",
    b"&",
    b"&amp;",
    b"&#x41;",
    b"&#0;",
    b"&lt",
    b";",
    b"]]>",
    b"]]",
    b"<!--",
    b"-->",
    b"--",
    b"<![CDATA[",
    b"<?",
    b"?>",
    b"<?xml ",
    b"<!DOCTYPE a>",
    b"\"",
    b"'",
    b"=",
    b":",
    b" ",
    b"\r",
    b"\r\n",
    b"\t",
    b"\xC3\xA9",
    b"\xEF\xBF\xBE",
    b"\xEF\xBC\x81",
    b"\x01",
    b"\x00",
    b"\xC3",
    b"\xE2\x80\xBF",
    b"\xC2\xB7",
    b"x",
    b"1",
    b"<a>",
    b"</a>",
    b"<a/>",
    b" x='1'",
    b"p:",
    b"\xEF\xBB\xBF",
];

fn mutate(rng: &mut Rng, doc: &mut Vec<u8>) {
    for _ in 0..1 + rng.below(3) {
        let at = rng.below(doc.len() + 1);
        match rng.below(5) {
            0 if !doc.is_empty() => {
                let n = 1 + rng.below(8);
                let end = (at + n).min(doc.len());
                doc.drain(at.min(end)..end);
            }
            1 | 2 => {
                let p = PIECES[rng.below(PIECES.len())];
                doc.splice(at..at, p.iter().copied());
            }
            3 if !doc.is_empty() => {
                let i = rng.below(doc.len());
                doc[i] = doc[rng.below(doc.len())];
            }
            _ => {
                let from = rng.below(doc.len() + 1);
                let to = (from + rng.below(24)).min(doc.len());
                let copy = doc[from..to].to_vec();
                doc.splice(at..at, copy);
            }
        }
    }
}

/// Mutated samples: the scanner never panics, and accepts exactly what the old reader
/// accepted, building the same tree.
#[test]
fn mutations_match_the_old_reader() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut accepted = 0;
    for round in 0..40_000 {
        let mut doc = SAMPLES[round % SAMPLES.len()].as_bytes().to_vec();
        mutate(&mut rng, &mut doc);
        let new = ours(&doc);
        let old = oracle(&doc);
        match (&new, &old) {
            (Ok(n), Ok(o)) => {
                accepted += 1;
                assert_eq!(n, o, "{:?}", String::from_utf8_lossy(&doc));
            }
            (Err(_), Err(_)) => {}
            _ => panic!(
                "ours {new:?}, before {old:?}, on {:?}",
                String::from_utf8_lossy(&doc)
            ),
        }
        validate_fuzz_input(&doc);
    }
    assert!(
        accepted > 1000,
        "only {accepted} mutated documents were well-formed"
    );
}
