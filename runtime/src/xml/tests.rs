use super::*;
use crate::types::TimestampFormat;

#[test]
fn reads_names_text_attributes_and_children() {
    let body = br#"<?xml version="1.0" encoding="UTF-8"?>
<!-- a comment -->
<a:Root xmlns:a="http://a" xmlns="http://d" id="x &amp; y">
  <Name>caf&#233; &lt;b&gt;</Name>
  <Data><![CDATA[<raw> & stuff]]></Data>
  <List><member>1</member><member>2</member></List>
  <Empty/>
  <Unknown><Deep><Deeper>z</Deeper></Deep></Unknown>
</a:Root>"#;
    let doc = XmlDoc::parse(body).unwrap();
    let root = doc.root();
    assert_eq!(root.name(), "Root");
    assert_eq!(root.prefix(), "a");
    assert_eq!(root.attr("id"), Some("x & y"));
    assert_eq!(
        root.attr("a"),
        None,
        "xmlns declarations are not attributes"
    );
    let names: Vec<&str> = root.children().map(|c| c.name()).collect();
    assert_eq!(names, ["Name", "Data", "List", "Empty", "Unknown"]);
    assert_eq!(root.child("Name").unwrap().text(), "café <b>");
    assert_eq!(root.child("Data").unwrap().text(), "<raw> & stuff");
    let items: Vec<i32> = root
        .child("List")
        .unwrap()
        .children()
        .map(|c| c.i32().unwrap())
        .collect();
    assert_eq!(items, [1, 2]);
    assert_eq!(root.child("Empty").unwrap().text(), "");
}

#[test]
fn scalars() {
    let doc = XmlDoc::parse(b"<r><t> true </t><n>-12</n><f>NaN</f><i>-Infinity</i><b>aGk=</b><d>2014-04-29T18:30:38Z</d><x>1.5e3</x></r>").unwrap();
    let r = doc.root();
    let c = |n: &str| r.child(n).unwrap();
    assert!(c("t").bool().unwrap());
    assert_eq!(c("n").i64().unwrap(), -12);
    assert!(c("f").f64().unwrap().is_nan());
    assert_eq!(c("i").f32().unwrap(), f32::NEG_INFINITY);
    assert_eq!(c("b").blob().unwrap(), b"hi");
    assert_eq!(
        c("d").timestamp(TimestampFormat::DateTime).unwrap().secs(),
        1398796238
    );
    assert_eq!(c("x").f64().unwrap(), 1500.0);
    assert!(c("n").bool().is_err());
    assert!(c("t").i32().is_err());
    let e = c("b").i8().unwrap_err().to_string();
    assert!(e.contains("<b>"), "{e}");
}

#[test]
fn line_ends_are_normalized_but_references_are_not() {
    let doc = XmlDoc::parse(b"<r>a\r\nb\rc&#xD;</r>").unwrap();
    assert_eq!(doc.root().text(), "a\nb\nc\r");
}

#[test]
fn refuses_what_it_must() {
    let deep = "<a>".repeat(MAX_DEPTH + 1) + &"</a>".repeat(MAX_DEPTH + 1);
    let cases: Vec<&[u8]> = vec![
        b"",
        b"   ",
        b"<a>",
        b"<a></b>",
        b"<a/><b/>",
        b"<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>",
        b"<a>&unknown;</a>",
        b"<a>&#0;</a>",
        b"<a>&#xFFFFFFFF;</a>",
        b"\xff\xfe<a/>",
        b"text<a/>",
        deep.as_bytes(),
    ];
    for body in cases {
        assert!(
            XmlDoc::parse(body).is_err(),
            "{:?}",
            String::from_utf8_lossy(body)
        );
    }
    let ok = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
    assert!(XmlDoc::parse(ok.as_bytes()).is_ok());
}

#[test]
fn writer_escapes_and_round_trips() {
    let mut w = XmlWriter::new();
    w.start("Root");
    w.namespace(None, "http://d");
    w.namespace(Some("p"), "http://p");
    w.attr("p:attr", "a\"b<c>\n");
    w.element("Name", "x & <y>\r");
    w.start("Empty");
    w.end("Empty");
    w.end("Root");
    let body = w.finish();
    assert_eq!(
        String::from_utf8(body.clone()).unwrap(),
        r#"<Root xmlns="http://d" xmlns:p="http://p" p:attr="a&quot;b&lt;c&gt;&#xA;"><Name>x &amp; &lt;y&gt;&#xD;</Name><Empty></Empty></Root>"#
    );
    let doc = XmlDoc::parse(&body).unwrap();
    assert_eq!(doc.root().attr("attr"), Some("a\"b<c>\n"));
    assert_eq!(doc.root().child("Name").unwrap().text(), "x & <y>\r");
}

#[test]
fn query_writer_encodes() {
    let mut w = QueryWriter::new("Op", "2020-01-01");
    w.pair("A.member.1", "x y&z=é");
    assert_eq!(
        String::from_utf8(w.finish()).unwrap(),
        "Action=Op&Version=2020-01-01&A.member.1=x%20y%26z%3D%C3%A9"
    );
}

#[test]
fn fuzz_entry_point_does_not_panic() {
    for body in [
        &b"<a><b>1</b><c x='y'>NaN</c></a>"[..],
        b"<a>",
        b"\x00",
        b"<a><![CDATA[",
    ] {
        validate_fuzz_input(body);
    }
}
