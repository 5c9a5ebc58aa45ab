use super::reader::f16_to_f32;
use super::*;
use crate::types::{DateTime, Document};

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// RFC 8949 Appendix A: integers.
#[test]
fn integers_from_the_rfc() {
    for (h, v) in [
        ("00", 0i64),
        ("17", 23),
        ("1818", 24),
        ("1903e8", 1000),
        ("1a000f4240", 1_000_000),
        ("1b000000e8d4a51000", 1_000_000_000_000),
        ("20", -1),
        ("3863", -100),
        ("3903e7", -1000),
        ("3b7fffffffffffffff", i64::MIN),
        ("c249000000000000000001", 1),
    ] {
        let b = hex(h);
        let mut r = CborReader::new(&b);
        assert_eq!(r.i64().unwrap(), v, "{h}");
        r.finish().unwrap();
        if !h.starts_with('c') {
            let mut w = CborWriter::new();
            w.i64(v);
            assert_eq!(w.finish(), b, "{v}");
        }
    }
    for h in [
        "1bffffffffffffffff",
        "3bffffffffffffffff",
        "c249010000000000000000",
    ] {
        assert!(CborReader::new(&hex(h)).i64().is_err(), "{h}");
    }
    assert!(CborReader::new(&hex("190100")).i8().is_err());
    assert_eq!(CborReader::new(&hex("387f")).i8().unwrap(), -128);
}

/// RFC 8949 Appendix A: floats of every width.
#[test]
fn floats_from_the_rfc() {
    for (h, v) in [
        ("f90000", 0.0f64),
        ("f98000", -0.0),
        ("f93c00", 1.0),
        ("fb3ff199999999999a", 1.1),
        ("f93e00", 1.5),
        ("f97bff", 65504.0),
        ("fa47c35000", 100000.0),
        ("fa7f7fffff", 3.4028234663852886e+38),
        ("fb7e37e43c8800759c", 1.0e+300),
        ("f90001", 5.960464477539063e-8),
        ("f90400", 0.00006103515625),
        ("f9c400", -4.0),
        ("fbc010666666666666", -4.1),
        ("f97c00", f64::INFINITY),
        ("fa7f800000", f64::INFINITY),
        ("fbfff0000000000000", f64::NEG_INFINITY),
        ("1864", 100.0),
        ("c48221196ab3", 273.15),
    ] {
        let b = hex(h);
        let mut r = CborReader::new(&b);
        let got = r.f64().unwrap();
        assert!(
            got == v && got.is_sign_negative() == v.is_sign_negative(),
            "{h}: {got}"
        );
        r.finish().unwrap();
    }
    for h in ["f97e00", "f97c01", "fa7fc00000", "fb7ff8000000000000"] {
        assert!(CborReader::new(&hex(h)).f64().unwrap().is_nan(), "{h}");
        assert!(CborReader::new(&hex(h)).f32().unwrap().is_nan(), "{h}");
    }
    assert_eq!(f16_to_f32(0x3555), 0.33325195);
    let mut w = CborWriter::new();
    w.f32(7.625);
    w.f64(1.889);
    assert_eq!(w.finish(), hex("fa40f40000fb3ffe395810624dd3"));
}

#[test]
fn strings_definite_and_indefinite() {
    let b = hex("7f657374726561646d696e67ff");
    assert_eq!(CborReader::new(&b).string().unwrap(), "streaming");
    let b = hex("5f42010243030405ff");
    assert_eq!(CborReader::new(&b).blob().unwrap(), [1, 2, 3, 4, 5]);
    let b = hex("62c3bc");
    assert!(matches!(
        CborReader::new(&b).string().unwrap(),
        std::borrow::Cow::Borrowed("ü")
    ));
    for bad in [
        "62c3",
        "61ff",
        "7f4161ff",
        "7f61",
        "7f7f6161ffff",
        "5f6161ff",
    ] {
        assert!(CborReader::new(&hex(bad)).string().is_err(), "{bad}");
    }
}

#[test]
fn containers_definite_and_indefinite() {
    // {"a": 1, "b": [2, 3]} in both forms, and mixed.
    for h in [
        "a26161016162820203",
        "bf61610161629f0203ffff",
        "a261610161629f0203ff",
        "bf6161016162820203ff",
    ] {
        let b = hex(h);
        let mut r = CborReader::new(&b);
        r.begin_map().unwrap();
        let mut seen = Vec::new();
        while let Some(k) = r.next_key().unwrap() {
            match &*k {
                "a" => seen.push(r.i32().unwrap()),
                "b" => seen.extend(r.list(|r| r.i32()).unwrap()),
                _ => r.skip_value().unwrap(),
            }
        }
        r.finish().unwrap();
        assert_eq!(seen, [1, 2, 3], "{h}");
    }
    let b = hex("9f01f602ff");
    assert_eq!(
        CborReader::new(&b).sparse_list(|r| r.i32()).unwrap(),
        [Some(1), None, Some(2)]
    );
    assert_eq!(CborReader::new(&b).list(|r| r.i32()).unwrap(), [1, 2]);
    let b = hex("a26161f66162f7");
    let m = CborReader::new(&b).sparse_map(|r| r.i32()).unwrap();
    assert_eq!(m.len(), 2);
    assert!(CborReader::new(&b).map(|r| r.i32()).unwrap().is_empty());
}

#[test]
fn writer_counts_map_members() {
    let mut w = CborWriter::new();
    w.begin_map();
    for i in 0..30 {
        w.key(&format!("k{i}"));
        w.begin_map();
        w.key("x");
        w.i64(i);
        w.end_map();
    }
    w.end_map();
    let b = w.finish();
    assert_eq!(&b[..2], [0xb8, 30]);
    let mut r = CborReader::new(&b);
    r.begin_map().unwrap();
    let mut n = 0;
    while let Some(_k) = r.next_key().unwrap() {
        r.begin_map().unwrap();
        assert_eq!(r.next_key().unwrap().as_deref(), Some("x"));
        assert_eq!(r.i64().unwrap(), n);
        assert!(r.next_key().unwrap().is_none());
        n += 1;
    }
    r.finish().unwrap();
    assert_eq!(n, 30);
    let mut w = CborWriter::new();
    w.begin_map();
    w.end_map();
    assert_eq!(w.finish(), [0xa0]);
}

#[test]
fn timestamps_are_tag_1_epoch_seconds() {
    let t = DateTime::from_secs(1398796238);
    let mut w = CborWriter::new();
    w.timestamp(&t);
    let b = w.finish();
    assert_eq!(b, hex("c1fb41d4d7fbf3800000"));
    assert_eq!(CborReader::new(&b).timestamp().unwrap(), t);
    assert_eq!(
        CborReader::new(&hex("c11a514b67b0")).timestamp().unwrap(),
        DateTime::from_secs(1363896240)
    );
    let frac = CborReader::new(&hex("c1fb41d43b4a1c07df3b"))
        .timestamp()
        .unwrap();
    assert_eq!(frac.secs(), 1_357_719_664);
    assert!(CborReader::new(&hex("c1f97c00")).timestamp().is_err());
    for (v, secs, nanos) in [
        (946845296.123, 946845296, 123_000_000),
        (-1.5, -2, 500_000_000),
        (-2.0, -2, 0),
        (0.000000001, 0, 1),
    ] {
        let mut w = CborWriter::new();
        w.f64(v);
        let t = CborReader::new(&w.finish()).timestamp().unwrap();
        assert_eq!((t.secs(), t.subsec_nanos()), (secs, nanos), "{v}");
    }
}

#[test]
fn documents_round_trip() {
    let d = Document::parse(br#"{"a":[1,-2,1.5,"s",true,null],"b":{}}"#).unwrap();
    let mut w = CborWriter::new();
    w.document(&d);
    let b = w.finish();
    assert_eq!(CborReader::new(&b).document().unwrap(), d);
}

#[test]
fn skip_and_hostile_input() {
    for ok in [
        "c074323031332d30332d32315432303a30343a30305a",
        "bf6346756ef563416d7421ff",
        "5f42010243030405ff",
        "d9d9f7a0",
        "f0",
        "f820",
    ] {
        validate_fuzz_input(&hex(ok)).unwrap_or_else(|e| panic!("{ok}: {e}"));
    }
    for bad in [
        "",
        "ff",
        "1c",
        "5f01ff",
        "bf61ff",
        "bf6161ff",
        "9b7fffffffffffffff",
        "1b00",
        "a1",
        "9f",
        "7b7fffffffffffffff",
        "0000",
    ] {
        assert!(validate_fuzz_input(&hex(bad)).is_err(), "{bad}");
    }
    // A tagged null in an indefinite-length array (the cbor_reader fuzz target's first find:
    // document() did not consume the tag and looped, growing the array without bound).
    let d = CborReader::new(&hex("9fc5f6c5c5f7ff")).document().unwrap();
    assert_eq!(d, Document::Array(vec![Document::Null, Document::Null]));
    let oom = hex("8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b07000000000000002c8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b9f8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8b8c2b00c509c5c5c5c5f7");
    assert!(CborReader::new(&oom).document().is_err());
    let deep = vec![0x81u8; 200];
    assert!(validate_fuzz_input(&deep).is_err());
    let mut r = CborReader::new(&deep);
    assert!((0..200).try_for_each(|_| r.begin_array()).is_err());
    let deep_tags = [vec![0xc6u8; 10_000], vec![0x00]].concat();
    validate_fuzz_input(&deep_tags).unwrap();
    assert!(CborReader::new(&hex("9b7fffffffffffffff"))
        .list(|r| r.i32())
        .is_err());
}
