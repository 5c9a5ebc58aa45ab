use super::*;

const DT: TimestampFormat = TimestampFormat::DateTime;
const HTTP: TimestampFormat = TimestampFormat::HttpDate;
const EPOCH: TimestampFormat = TimestampFormat::EpochSeconds;

#[test]
fn known_instant_all_formats() {
    let t = DateTime::from_secs(1_398_796_238);
    assert_eq!(t.fmt(DT), "2014-04-29T18:30:38Z");
    assert_eq!(t.fmt(HTTP), "Tue, 29 Apr 2014 18:30:38 GMT");
    assert_eq!(t.fmt(EPOCH), "1398796238");
    assert_eq!(t.to_string(), "2014-04-29T18:30:38Z");
    let ms = DateTime::from_millis(1_398_796_238_123);
    assert_eq!(ms.fmt(DT), "2014-04-29T18:30:38.123Z");
    assert_eq!(ms.fmt(EPOCH), "1398796238.123");
    assert_eq!(ms.fmt(HTTP), "Tue, 29 Apr 2014 18:30:38 GMT");
    assert_eq!(DateTime::from_millis(1_500).fmt(EPOCH), "1.5");
    assert_eq!(
        DateTime::from_secs_and_nanos(5, 1).fmt(DT),
        "1970-01-01T00:00:05.000000001Z"
    );
    assert_eq!(DateTime::from_secs_and_nanos(5, 1).fmt(EPOCH), "5");
}

#[test]
fn epoch_and_boundaries() {
    assert_eq!(DateTime::from_secs(0).fmt(DT), "1970-01-01T00:00:00Z");
    assert_eq!(
        DateTime::from_secs(0).fmt(HTTP),
        "Thu, 01 Jan 1970 00:00:00 GMT"
    );
    assert_eq!(
        DateTime::parse("0001-01-01T00:00:00Z", DT).unwrap().secs(),
        -62_135_596_800
    );
    assert_eq!(
        DateTime::parse("9999-12-31T23:59:59Z", DT).unwrap().secs(),
        253_402_300_799
    );
    assert_eq!(
        DateTime::from_secs(-62_135_596_800).fmt(HTTP),
        "Mon, 01 Jan 0001 00:00:00 GMT"
    );
    assert_eq!(
        DateTime::parse("2000-02-29T00:00:00Z", DT).unwrap().secs(),
        951_782_400
    );
    assert!(DateTime::parse("1900-02-29T00:00:00Z", DT).is_err());
    assert!(DateTime::parse("2001-02-29T00:00:00Z", DT).is_err());
    assert!(DateTime::parse("0000-01-01T00:00:00Z", DT).is_err());
}

#[test]
fn negative_times() {
    let t = DateTime::from_millis(-1_500);
    assert_eq!((t.secs(), t.subsec_nanos()), (-2, 500_000_000));
    assert_eq!(t.fmt(EPOCH), "-1.5");
    assert_eq!(t.fmt(DT), "1969-12-31T23:59:58.5Z");
    assert_eq!(DateTime::from_millis(-500).fmt(EPOCH), "-0.5");
    assert_eq!(DateTime::parse("-1.5", EPOCH).unwrap(), t);
    assert_eq!(
        DateTime::parse("-0.5", EPOCH).unwrap(),
        DateTime::from_millis(-500)
    );
    assert_eq!(t.as_secs_f64(), -1.5);
    assert_eq!(DateTime::from_secs_f64(-1.5), t);
}

#[test]
fn rfc3339_parsing() {
    let base = DateTime::from_secs(1_398_796_238);
    for s in [
        "2014-04-29T18:30:38Z",
        "2014-04-29t18:30:38z",
        "2014-04-29T20:30:38+02:00",
        "2014-04-29T13:00:38-05:30",
        "2014-04-29T18:30:38.000Z",
    ] {
        assert_eq!(DateTime::parse(s, DT).unwrap(), base, "{s}");
    }
    let frac = DateTime::parse("2014-04-29T18:30:38.123456789999Z", DT).unwrap();
    assert_eq!(
        (frac.secs(), frac.subsec_nanos()),
        (1_398_796_238, 123_456_789)
    );
    assert_eq!(
        DateTime::parse("2014-04-29T18:30:38.1Z", DT)
            .unwrap()
            .subsec_nanos(),
        100_000_000
    );
    for bad in [
        "",
        "2014-04-29",
        "2014-04-29T18:30:38",
        "2014-04-29 18:30:38Z",
        "2014-13-29T18:30:38Z",
        "2014-04-31T18:30:38Z",
        "2014-04-29T24:00:00Z",
        "2014-04-29T18:60:00Z",
        "2014-04-29T18:30:60Z",
        "2014-04-29T18:30:38.Z",
        "2014-04-29T18:30:38Zx",
        "2014-04-29T18:30:38+2:00",
        "2014-04-29T18:30:38+24:00",
        "+014-04-29T18:30:38Z",
        "2014-04-29T18:30:3٨Z",
    ] {
        assert!(DateTime::parse(bad, DT).is_err(), "{bad}");
    }
    let e = DateTime::parse("2014-04-31T18:30:38Z", DT).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid date-time timestamp: day out of range"
    );
    assert_eq!(e.reason(), "day out of range");
}

#[test]
fn http_date_parsing() {
    let t = DateTime::parse("Tue, 29 Apr 2014 18:30:38 GMT", HTTP).unwrap();
    assert_eq!(t, DateTime::from_secs(1_398_796_238));
    let f = DateTime::parse("Tue, 29 Apr 2014 18:30:38.25 GMT", HTTP).unwrap();
    assert_eq!(f.subsec_nanos(), 250_000_000);
    for bad in [
        "Tue, 29 Apr 2014 18:30:38",
        "Tue, 29 Apr 2014 18:30:38 UTC",
        "Xyz, 29 Apr 2014 18:30:38 GMT",
        "Tue, 29 Foo 2014 18:30:38 GMT",
        "Tue, 31 Apr 2014 18:30:38 GMT",
        "Tuesday, 29-Apr-14 18:30:38 GMT",
        "Tue, 29 Apr 2014 18:30:38 GMT ",
    ] {
        assert!(DateTime::parse(bad, HTTP).is_err(), "{bad}");
    }
}

#[test]
fn epoch_string_parsing() {
    assert_eq!(
        DateTime::parse("1398796238.123", EPOCH).unwrap(),
        DateTime::from_millis(1_398_796_238_123)
    );
    assert_eq!(DateTime::parse("0", EPOCH).unwrap(), DateTime::from_secs(0));
    for bad in ["", "-", "1.", "1e3", "1.5x", " 1", "99999999999999999999"] {
        assert!(DateTime::parse(bad, EPOCH).is_err(), "{bad}");
    }
}

#[test]
fn civil_roundtrip_over_range() {
    // Every day from 0001-01-01 to 9999-12-31, stepping by a prime to keep it fast.
    let first = days_from_civil(1, 1, 1);
    let last = days_from_civil(9999, 12, 31);
    let mut day = first;
    while day <= last {
        let (y, m, d) = civil_from_days(day);
        assert!((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m));
        assert_eq!(days_from_civil(y, m, d), day);
        day += 7;
    }
    // Consecutive days around a leap day.
    assert_eq!(
        civil_from_days(days_from_civil(2024, 2, 29) + 1),
        (2024, 3, 1)
    );
    assert_eq!(
        civil_from_days(days_from_civil(2023, 12, 31) + 1),
        (2024, 1, 1)
    );
}

#[test]
fn format_parse_roundtrip() {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..2000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let secs = (x % 253_402_300_800) as i64 - 62_135_596_800 / 2;
        let nanos = (x >> 40) as u32 % 1000 * 1_000_000;
        let t = DateTime::from_secs_and_nanos(secs, nanos);
        assert_eq!(DateTime::parse(&t.fmt(DT), DT).unwrap(), t);
        assert_eq!(DateTime::parse(&t.fmt(EPOCH), EPOCH).unwrap(), t);
        assert_eq!(
            DateTime::parse(&t.fmt(HTTP), HTTP).unwrap(),
            DateTime::from_secs(secs)
        );
    }
}

#[test]
fn constructors_and_conversions() {
    assert_eq!(
        DateTime::from_secs_and_nanos(1, 2_500_000_000),
        DateTime::from_millis(3_500)
    );
    assert_eq!(DateTime::from_secs_f64(1.25), DateTime::from_millis(1_250));
    assert_eq!(DateTime::from_secs_f64(f64::NAN), DateTime::from_secs(0));
    assert_eq!(DateTime::from_secs_f64(f64::INFINITY).secs(), i64::MAX);
    assert_eq!(DateTime::from_secs_f64(f64::NEG_INFINITY).secs(), i64::MIN);
    assert_eq!(DateTime::from_secs_f64(0.9999999999).subsec_nanos(), 0);
    assert_eq!(DateTime::from_secs_f64(0.9999999999).secs(), 1);
    assert!(DateTime::from_millis(1) < DateTime::from_millis(2));
    assert!(DateTime::from_millis(-1) < DateTime::from_millis(0));

    let st = UNIX_EPOCH + Duration::new(1_398_796_238, 123_000_000);
    let t = DateTime::from(st);
    assert_eq!(t, DateTime::from_millis(1_398_796_238_123));
    assert_eq!(SystemTime::try_from(t).unwrap(), st);
    let before = UNIX_EPOCH - Duration::from_millis(1_500);
    assert_eq!(DateTime::from(before), DateTime::from_millis(-1_500));
    assert_eq!(
        SystemTime::try_from(DateTime::from_millis(-1_500)).unwrap(),
        before
    );
    let now = DateTime::now();
    assert!(now.secs() > 1_600_000_000);
}

#[test]
fn extreme_values_do_not_panic() {
    for t in [
        DateTime::from_secs(i64::MAX),
        DateTime::from_secs(i64::MIN),
        DateTime::from_secs_and_nanos(i64::MAX, u32::MAX),
        DateTime::from_secs_and_nanos(i64::MIN, 999_999_999),
    ] {
        for f in [DT, HTTP, EPOCH] {
            assert!(!t.fmt(f).is_empty());
        }
    }
    assert_eq!(
        DateTime::from_secs(i64::MIN).fmt(EPOCH),
        "-9223372036854775808"
    );
    assert_eq!(
        DateTime::from_secs(253_402_300_800).fmt(DT),
        "10000-01-01T00:00:00Z"
    );
}
