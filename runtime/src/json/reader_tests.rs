use super::*;

fn r(s: &str) -> JsonReader<'_> {
    JsonReader::new(s.as_bytes())
}

#[test]
fn object_walk_with_borrowed_strings() {
    let src = r#" { "Name" : "plain", "Esc": "a\"b", "N": 5, "Skip": {"x": [1, {"y": null}]}, "Arr": [1,2] } "#;
    let mut rd = r(src);
    rd.begin_object().unwrap();
    let mut seen = Vec::new();
    while let Some(k) = rd.next_key().unwrap() {
        assert!(matches!(k, Cow::Borrowed(_)));
        match &*k {
            "Name" => assert!(matches!(rd.string().unwrap(), Cow::Borrowed("plain"))),
            "Esc" => assert!(matches!(rd.string().unwrap(), Cow::Owned(ref s) if s == "a\"b")),
            "N" => assert_eq!(rd.i32().unwrap(), 5),
            "Arr" => {
                rd.begin_array().unwrap();
                let mut v = Vec::new();
                while rd.next_element().unwrap() {
                    v.push(rd.i64().unwrap());
                }
                assert_eq!(v, [1, 2]);
            }
            _ => rd.skip_value().unwrap(),
        }
        seen.push(k.into_owned());
    }
    rd.finish().unwrap();
    assert_eq!(seen, ["Name", "Esc", "N", "Skip", "Arr"]);
}

#[test]
fn take_null_and_peek() {
    let mut rd = r("[null, 1, nul]");
    rd.begin_array().unwrap();
    assert!(rd.next_element().unwrap());
    assert_eq!(rd.peek_kind().unwrap(), ValueKind::Null);
    assert!(rd.take_null().unwrap());
    assert!(rd.next_element().unwrap());
    assert!(!rd.take_null().unwrap());
    assert_eq!(rd.i8().unwrap(), 1);
    assert!(rd.next_element().unwrap());
    assert!(rd.take_null().is_err());
}

#[test]
fn escapes_and_unicode() {
    let s = |src: &str| r(src).string_owned();
    assert_eq!(s(r#""\"\\\/\b\f\n\r\t""#).unwrap(), "\"\\/\u{8}\u{c}\n\r\t");
    assert_eq!(s(r#""\u00e9\u0041""#).unwrap(), "éA");
    assert_eq!(s(r#""\ud83d\ude00x""#).unwrap(), "😀x");
    assert_eq!(s("\"é😀\"").unwrap(), "é😀");
    for bad in [
        r#""\ud83d""#,
        r#""\ud83dx""#,
        r#""\ude00""#,
        r#""\ud83d\u0041""#,
        r#""\u12""#,
        r#""\u12g4""#,
        r#""\x""#,
        "\"a\nb\"",
        "\"abc",
    ] {
        assert!(s(bad).is_err(), "{bad}");
    }
    let bad_utf8 = b"\"ab\xff\"";
    let e = JsonReader::new(bad_utf8).string().unwrap_err();
    assert_eq!(e.offset, 3);
    assert!(JsonReader::new(b"\"\\n\xc3\"").string().is_err());
    assert!(
        JsonReader::new(b"\"\xed\xa0\x80\"").string().is_err(),
        "encoded surrogate"
    );
}

#[test]
fn integers_range_checked() {
    assert_eq!(r("127").i8().unwrap(), 127);
    assert!(r("128").i8().is_err());
    assert_eq!(r("-128").i8().unwrap(), -128);
    assert!(r("-129").i8().is_err());
    assert_eq!(r("-32768").i16().unwrap(), i16::MIN);
    assert!(r("32768").i16().is_err());
    assert_eq!(r("2147483647").i32().unwrap(), i32::MAX);
    assert!(r("2147483648").i32().is_err());
    assert_eq!(r("-9223372036854775808").i64().unwrap(), i64::MIN);
    assert!(r("9223372036854775808").i64().is_err());
    assert!(r("99999999999999999999999999999999999999999999")
        .i64()
        .is_err());
    assert_eq!(r("1e2").i32().unwrap(), 100);
    assert_eq!(r("1.50e1").i32().unwrap(), 15);
    assert_eq!(r("-0.0").i32().unwrap(), 0);
    assert_eq!(r("0e999999999999999999").i64().unwrap(), 0);
    assert_eq!(r("1000e-3").i64().unwrap(), 1);
    assert!(r("1.5").i32().is_err());
    assert!(r("1e-1").i32().is_err());
    assert!(r("1e999999999999").i64().is_err());
    assert!(r("\"1\"").i32().is_err());
    let e = r("  1.5").i64().unwrap_err();
    assert_eq!(e.offset, 2);
}

#[test]
fn number_grammar() {
    for bad in [
        "01", "-", "1.", ".5", "1e", "1e+", "+1", "--1", "0x10", "1.e3", "-a",
    ] {
        let mut rd = r(bad);
        let ok = rd.f64().is_ok() && rd.finish().is_ok();
        assert!(!ok, "{bad}");
    }
    for good in [
        "0",
        "-0",
        "0.5",
        "-1.5e-3",
        "1E+2",
        "123456789012345678901234567890",
    ] {
        let mut rd = r(good);
        assert!(rd.f64().is_ok() && rd.finish().is_ok(), "{good}");
    }
}

#[test]
fn floats_and_specials() {
    assert_eq!(r("1.5").f64().unwrap(), 1.5);
    assert_eq!(r("-2").f32().unwrap(), -2.0);
    assert!(r("\"NaN\"").f64().unwrap().is_nan());
    assert_eq!(r("\"Infinity\"").f64().unwrap(), f64::INFINITY);
    assert_eq!(r("\"-Infinity\"").f32().unwrap(), f32::NEG_INFINITY);
    assert!(r("\"nan\"").f64().is_err());
    assert!(r("1e400").f64().is_err());
    assert!(r("1e39").f32().is_err());
    assert_eq!(r("0.1").f32().unwrap(), 0.1f32);
    assert_eq!(r("1e-400").f64().unwrap(), 0.0);
}

#[test]
fn blobs_and_timestamps() {
    assert_eq!(r("\"aGVsbG8=\"").blob().unwrap(), b"hello");
    assert!(r("\"aGVsbG8\"").blob().is_err());
    let ts = |s: &str, f| r(s).timestamp(f);
    let want = DateTime::from_millis(1_398_796_238_123);
    assert_eq!(
        ts("1398796238.123", TimestampFormat::EpochSeconds).unwrap(),
        want
    );
    assert_eq!(
        ts("1.398796238123e9", TimestampFormat::EpochSeconds).unwrap(),
        want
    );
    assert_eq!(
        ts("1398796238", TimestampFormat::EpochSeconds).unwrap(),
        DateTime::from_secs(1_398_796_238)
    );
    assert_eq!(
        ts("-1.5", TimestampFormat::EpochSeconds).unwrap(),
        DateTime::from_millis(-1_500)
    );
    assert_eq!(
        ts("\"2014-04-29T18:30:38.123Z\"", TimestampFormat::DateTime).unwrap(),
        want
    );
    assert_eq!(
        ts(
            "\"Tue, 29 Apr 2014 18:30:38 GMT\"",
            TimestampFormat::HttpDate
        )
        .unwrap(),
        DateTime::from_secs(1_398_796_238)
    );
    assert!(ts("\"1398796238\"", TimestampFormat::EpochSeconds).is_err());
    assert!(ts("1398796238", TimestampFormat::DateTime).is_err());
    assert!(ts("1e30", TimestampFormat::EpochSeconds).is_err());
    let e = ts("  \"2014-13-01T00:00:00Z\"", TimestampFormat::DateTime).unwrap_err();
    assert_eq!(e.offset, 2);
    assert!(e.reason.contains("month out of range"), "{e}");
}

#[test]
fn structure_errors() {
    let walk = |s: &str| {
        let mut rd = r(s);
        rd.skip_value().and_then(|_| rd.finish())
    };
    for bad in [
        "",
        " ",
        "[",
        "[1",
        "[1,",
        "[1,]",
        "[,1]",
        "[1 2]",
        "{",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{,}",
        "{1:2}",
        "{\"a\":1]",
        "[1}",
        "]",
        "}",
        "tru",
        "nulll",
        "[] []",
        "\"a\" x",
    ] {
        assert!(walk(bad).is_err(), "{bad:?}");
    }
    for good in [
        "[]",
        "{}",
        " [ ] ",
        "[[],{}]",
        "{\"a\":{\"b\":[]}}",
        "\"s\"",
        "true",
        "null",
        "-1.5e3",
    ] {
        assert!(walk(good).is_ok(), "{good:?}");
    }
    let e = r("{\"a\" 1}").skip_value().unwrap_err();
    assert_eq!(e.to_string(), "invalid JSON at byte 5: expected ':'");
    let mut rd = r("[1]");
    rd.begin_array().unwrap();
    assert!(rd.next_key().is_err(), "next_key inside an array");
    assert!(r("{}").finish().is_err(), "finish before reading the value");
    let mut rd = r("{}");
    rd.begin_object().unwrap();
    assert!(rd.finish().is_err(), "unclosed object");
}

#[test]
fn depth_limit() {
    let deep = "[".repeat(100_000);
    let e = JsonReader::new(deep.as_bytes()).skip_value().unwrap_err();
    assert_eq!(e.reason, "nesting too deep");
    assert_eq!(e.offset, 129);
    let ok = format!("{}{}", "[".repeat(128), "]".repeat(128));
    assert!(JsonReader::new(ok.as_bytes()).skip_value().is_ok());
    assert!(crate::types::Document::parse(ok.as_bytes()).is_ok());
    let too_deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
    assert!(crate::types::Document::parse(too_deep.as_bytes()).is_err());
    let objs = "{\"a\":".repeat(100_000);
    assert!(crate::types::Document::parse(objs.as_bytes()).is_err());
    let mut shallow = JsonReader::with_max_depth(b"[[1]]", 1);
    assert!(shallow.skip_value().is_err());
}

#[test]
fn document_from_reader() {
    let mut rd = r(r#"{"k": [true, 2, "x"]}"#);
    rd.begin_object().unwrap();
    assert_eq!(rd.next_key().unwrap().as_deref(), Some("k"));
    let d = rd.document().unwrap();
    assert_eq!(d.as_array().map(|a| a.len()), Some(3));
    assert_eq!(rd.next_key().unwrap(), None);
    rd.finish().unwrap();
    assert_eq!(rd.offset(), 21);
}

#[test]
fn lists_and_maps_dense_and_sparse() {
    let mut rd = r(r#"[1, null, 3]"#);
    assert_eq!(rd.list(|r| r.i32()).unwrap(), [1, 3]);
    rd.finish().unwrap();
    let mut rd = r(r#"[1, null, 3]"#);
    assert_eq!(
        rd.sparse_list(|r| r.i32()).unwrap(),
        [Some(1), None, Some(3)]
    );
    let mut rd = r(r#"{"a": ["x"], "b": null, "c": []}"#);
    let m = rd.map(|r| r.list(|r| r.string_owned())).unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m["a"], ["x"]);
    assert!(m["c"].is_empty());
    let mut rd = r(r#"{"a": 1, "b": null}"#);
    let m = rd.sparse_map(|r| r.i64()).unwrap();
    assert_eq!((m["a"], m["b"]), (Some(1), None));
    // Wrong shapes are errors, not panics.
    assert!(r(r#"{"a": 1}"#).list(|r| r.i32()).is_err());
    assert!(r(r#"[1]"#).map(|r| r.i32()).is_err());
    assert!(r(r#"["x"]"#).list(|r| r.i32()).is_err());
}

#[test]
fn find_special_matches_a_byte_by_byte_scan() {
    let naive = |input: &[u8], mut i: usize| {
        while i < input.len() && !matches!(input[i], b'"' | b'\\' | 0..=0x1f) {
            i += 1;
        }
        i
    };
    // Every special byte at every offset of words around it, after every kind of neighbour
    // (including bytes just above the classes and multi-byte UTF-8), from every start.
    let fillers: [&[u8]; 4] = [
        b"abcdefghijklmnopq",
        b"!#$%&'()*+,-./[]",
        "é€😀ü".as_bytes(),
        b"\x7f\x80\xff ]]^_",
    ];
    for filler in fillers {
        for special in [b'"', b'\\', 0x00, 0x1f, b'\n'] {
            for pos in 0..filler.len() {
                let mut input = filler.to_vec();
                input[pos] = special;
                for start in 0..=input.len() {
                    assert_eq!(
                        find_special(&input, start),
                        naive(&input, start),
                        "{input:?} from {start}"
                    );
                }
            }
        }
        for start in 0..=filler.len() {
            assert_eq!(find_special(filler, start), naive(filler, start));
        }
    }
    // Strings read through the fast path.
    let long = format!("\"{}\\n{}\"", "x".repeat(21), "y".repeat(13));
    assert_eq!(
        r(&long).string().unwrap(),
        format!("{}\n{}", "x".repeat(21), "y".repeat(13))
    );
    assert!(r("\"0123456789\u{1}abc\"").string().is_err());
    assert!(r("\"0123456789abcdefgh").string().is_err());
}

#[test]
fn decimal_fast_path_agrees_with_the_general_one() {
    let mut tokens: Vec<String> = [
        "0",
        "-0",
        "7",
        "-7",
        "30",
        "0.5",
        "-0.5",
        "1.125",
        "-1.999999999999",
        "0.000000001",
        "0.0000000001",
        "1e0",
        "1E9",
        "1.523477145713E9",
        "1.5e-3",
        "-2.5E+2",
        "123e-12",
        "9999999999999999999",
        "10000000000000000000",
        "18446744073709551616",
        "1e19",
        "1e20",
        "1e-19",
        "1e-20",
        "0e9999",
        "5e10000",
        "1.0000000000000000001",
        "1234567890.1234567891",
        "1700003600.125",
        "1700003600.75",
        "1e0004",
        "1e00004",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for int in ["0", "1", "42", "1700000000", "999999999999999999"] {
        for frac in [
            "",
            ".0",
            ".1",
            ".000000001",
            ".123456789",
            ".1234567891",
            ".5",
        ] {
            for exp in ["", "e0", "e3", "E-3", "e+9", "e-9", "e-12", "e18", "e-18"] {
                for sign in ["", "-"] {
                    tokens.push(format!("{sign}{int}{frac}{exp}"));
                }
            }
        }
    }
    for t in &tokens {
        let general = decimal_general(t.as_bytes());
        let got = decimal(t.as_bytes());
        assert_eq!(
            (got.neg, got.int, got.nanos, got.frac_nonzero),
            (
                general.neg,
                general.int,
                general.nanos,
                general.frac_nonzero
            ),
            "{t}"
        );
    }
    // The fast path really takes the common shapes.
    for t in ["1700003600.125", "1.523477145713E9", "30", "-1.5"] {
        assert!(
            scan_decimal(t.as_bytes(), 0).is_some_and(|(_, end)| end == t.len()),
            "{t}"
        );
    }
    assert!(scan_decimal(b"12345678901234567890", 0).is_none());
    assert!(scan_decimal(b"1.e5", 0).is_none());
    assert!(scan_decimal(b"1e+", 0).is_none());
    assert!(scan_decimal(b"-x", 0).is_none());
    assert_eq!(scan_decimal(b"01", 0).map(|(_, end)| end), Some(1));
    assert_eq!(
        scan_decimal(b"[1.5e3, 2]", 1).map(|(d, end)| (d.int, end)),
        Some((Some(1500), 6))
    );
}

#[test]
fn lists_of_every_length_around_the_stack_buffer() {
    for n in [0usize, 1, 2, 15, 16, 17, 31, 32, 33, 100] {
        let items: Vec<String> = (0..n).map(|i| format!("\"s{i}\"")).collect();
        let src = format!("[{}]", items.join(","));
        let mut rd = r(&src);
        let got = rd.list(|r| r.string_owned()).unwrap();
        rd.finish().unwrap();
        let want: Vec<String> = (0..n).map(|i| format!("s{i}")).collect();
        assert_eq!(got, want);
        if n <= 16 {
            assert_eq!(got.capacity(), n, "exact capacity for {n} elements");
        }
        // With nulls in between (skipped) and large elements (not buffered).
        let src = if n == 0 {
            "[null]".to_owned()
        } else {
            format!("[null,{}]", items.join(",null,"))
        };
        assert_eq!(r(&src).list(|r| r.string_owned()).unwrap(), want);
        let src = format!(
            "[{}]",
            (0..n).map(|i| i.to_string()).collect::<Vec<_>>().join(",")
        );
        let big = r(&src).list(|r| r.i64().map(|v| [v; 16])).unwrap();
        assert_eq!(big.len(), n);
        assert!(big.iter().enumerate().all(|(i, v)| v[15] == i as i64));
    }
    // An error inside or after the buffered elements is still an error.
    assert!(r(r#"["a", 1]"#).list(|r| r.string_owned()).is_err());
    let src = format!("[{}, 1]", vec!["\"a\""; 20].join(","));
    assert!(r(&src).list(|r| r.string_owned()).is_err());
    assert!(r(r#"["a", "b""#).list(|r| r.string_owned()).is_err());
}

#[test]
fn utf8_is_checked_once_for_valid_input_and_per_string_otherwise() {
    // Valid input: strings around multi-byte characters and escapes are sliced correctly.
    let mut rd = r(r#"{"é": "a€b", "k": "x\u00e9\"😀y", "😀": ["ü"]}"#);
    rd.begin_object().unwrap();
    assert_eq!(rd.next_key().unwrap().unwrap(), "é");
    assert_eq!(rd.string().unwrap(), "a€b");
    assert_eq!(rd.next_key().unwrap().unwrap(), "k");
    assert_eq!(rd.string().unwrap(), "xé\"😀y");
    assert_eq!(rd.next_key().unwrap().unwrap(), "😀");
    assert_eq!(rd.list(|r| r.string_owned()).unwrap(), ["ü"]);
    assert_eq!(rd.next_key().unwrap(), None);
    rd.finish().unwrap();
    // Invalid UTF-8 elsewhere in the input: good strings still read, the bad one is an error
    // at its first bad byte, with or without escapes.
    let mut input = br#"["ok", "a\nb", "x"#.to_vec();
    input.extend_from_slice(b"\xff\"]");
    let mut rd = JsonReader::new(&input);
    rd.begin_array().unwrap();
    assert!(rd.next_element().unwrap());
    assert_eq!(rd.string().unwrap(), "ok");
    assert!(rd.next_element().unwrap());
    assert_eq!(rd.string().unwrap(), "a\nb");
    assert!(rd.next_element().unwrap());
    let e = rd.string().unwrap_err();
    assert_eq!(e.offset, input.len() - 3);
    assert!(e.reason.contains("UTF-8"), "{e}");
    let e = JsonReader::new(b"\"a\\n\xc3\"").string().unwrap_err();
    assert_eq!(e.offset, 4);
}
