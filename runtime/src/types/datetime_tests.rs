use super::*;

#[test]
fn known_instant_all_formats() {
    let t = DateTime::from_secs(1_398_796_238);
    assert_eq!(t.fmt(TimestampFormat::DateTime), "2014-04-29T18:30:38Z");
    assert_eq!(t.fmt(TimestampFormat::HttpDate), "Tue, 29 Apr 2014 18:30:38 GMT");
    assert_eq!(t.fmt(TimestampFormat::EpochSeconds), "1398796238");
    assert_eq!(t.to_string(), "2014-04-29T18:30:38Z");
}
