//! Calendar arithmetic for the SigV4 timestamps (`20150830T123600Z`) and for the RFC 3339
//! expiration times credential sources return. Shared with `credentials` (crate-private).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 for a proleptic Gregorian date (`month` 1..=12).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a count of days since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// `YYYYMMDDTHHMMSSZ` for `time`, or `None` before 1970 or after 9999.
pub(crate) fn amz_date(time: SystemTime) -> Option<[u8; 16]> {
    let secs = time.duration_since(UNIX_EPOCH).ok()?.as_secs();
    let days = i64::try_from(secs / 86_400).ok()?;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut out = *b"00000000T000000Z";
    write_digits(&mut out[0..4], year as u64);
    write_digits(&mut out[4..6], u64::from(month));
    write_digits(&mut out[6..8], u64::from(day));
    write_digits(&mut out[9..11], rem / 3600);
    write_digits(&mut out[11..13], rem % 3600 / 60);
    write_digits(&mut out[13..15], rem % 60);
    Some(out)
}

fn write_digits(dst: &mut [u8], mut value: u64) {
    for slot in dst.iter_mut().rev() {
        *slot = b'0' + (value % 10) as u8;
        value /= 10;
    }
}

/// Parses an RFC 3339 / ISO 8601 UTC-or-offset timestamp such as `2024-05-01T12:00:00Z`,
/// `2024-05-01T12:00:00.123Z` or `2024-05-01T12:00:00+02:00`.
pub(crate) fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let b = text.trim().as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let s = b.get(range)?;
        if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
            return None;
        }
        s.iter().try_fold(0u32, |acc, d| {
            acc.checked_mul(10)?.checked_add(u32::from(d - b'0'))
        })
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if rest.first() == Some(&b'.') {
        let digits = rest[1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        for (i, d) in rest[1..=digits].iter().enumerate() {
            if i < 9 {
                nanos += u32::from(d - b'0') * 10u32.pow(8 - i as u32);
            }
        }
        rest = &rest[1 + digits..];
    }
    let offset_secs: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let digits = [*h1, *h2, *m1, *m2];
            if !digits.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let h = i64::from((h1 - b'0') * 10 + (h2 - b'0'));
            let m = i64::from((m1 - b'0') * 10 + (m2 - b'0'));
            let total = h * 3600 + m * 60;
            if *sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let secs = days * 86_400 + i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second)
        - offset_secs;
    let secs = u64::try_from(secs).ok()?;
    Some(UNIX_EPOCH + Duration::new(secs, nanos))
}

/// Formats `time` as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds), for messages and tests.
pub(crate) fn format_rfc3339(time: SystemTime) -> String {
    match amz_date(time) {
        Some(d) => {
            let s = |r: std::ops::Range<usize>| String::from_utf8_lossy(&d[r]).into_owned();
            format!(
                "{}-{}-{}T{}:{}:{}Z",
                s(0..4),
                s(4..6),
                s(6..8),
                s(9..11),
                s(11..13),
                s(13..15)
            )
        }
        None => "(out of range)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 16_677, 19_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn amz_date_formats() {
        let t = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        assert_eq!(&amz_date(t).unwrap(), b"20150830T123600Z");
        assert_eq!(format_rfc3339(t), "2015-08-30T12:36:00Z");
    }

    #[test]
    fn rfc3339_parses() {
        let t = UNIX_EPOCH + Duration::from_secs(1_440_938_160);
        assert_eq!(parse_rfc3339("2015-08-30T12:36:00Z"), Some(t));
        assert_eq!(parse_rfc3339("2015-08-30T14:36:00+02:00"), Some(t));
        assert_eq!(
            parse_rfc3339("2015-08-30T12:36:00.5Z"),
            Some(t + Duration::from_millis(500))
        );
        for bad in [
            "",
            "2015-08-30",
            "2015-13-30T12:36:00Z",
            "2015-08-30T12:36:00",
            "2015-08-30T12:36:00Zjunk",
            "2015-08-30T12:36:00.Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
    }
}
