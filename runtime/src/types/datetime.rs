//! [`DateTime`] (an instant with nanosecond precision) and its three wire formats.

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_SEC: u32 = 1_000_000_000;
/// 2^63, exactly representable: `i64` covers `[-2^63, 2^63)`.
const TWO_POW_63: f64 = i64::MAX as f64;
const DAY_NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTH_NAMES: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// How a timestamp is represented on the wire (Smithy `@timestampFormat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimestampFormat {
    /// Seconds since the Unix epoch, as a number (`1398796238` or `1398796238.123`).
    EpochSeconds,
    /// RFC 3339 (`2014-04-29T18:30:38.123Z`).
    DateTime,
    /// IMF-fixdate (`Tue, 29 Apr 2014 18:30:38 GMT`).
    HttpDate,
}

impl TimestampFormat {
    fn name(self) -> &'static str {
        match self {
            TimestampFormat::EpochSeconds => "epoch-seconds",
            TimestampFormat::DateTime => "date-time",
            TimestampFormat::HttpDate => "http-date",
        }
    }
}

/// An instant: whole seconds since 1970-01-01T00:00:00Z plus nanoseconds (always
/// `< 1_000_000_000`, so the derived ordering is chronological). `Display` is RFC 3339.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// A timestamp string that does not match its format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeParseError {
    format: TimestampFormat,
    reason: &'static str,
}

impl DateTimeParseError {
    /// What was wrong with the input.
    pub fn reason(&self) -> &str {
        self.reason
    }
}

impl fmt::Display for DateTimeParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} timestamp: {}",
            self.format.name(),
            self.reason
        )
    }
}

impl std::error::Error for DateTimeParseError {}

/// A [`DateTime`] that `SystemTime` cannot represent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DateTimeRangeError;

impl fmt::Display for DateTimeRangeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("timestamp out of range for SystemTime")
    }
}

impl std::error::Error for DateTimeRangeError {}

impl DateTime {
    /// Whole seconds since the epoch.
    pub fn from_secs(secs: i64) -> DateTime {
        DateTime { secs, nanos: 0 }
    }

    /// Milliseconds since the epoch (may be negative).
    pub fn from_millis(millis: i64) -> DateTime {
        DateTime {
            secs: millis.div_euclid(1000),
            nanos: millis.rem_euclid(1000) as u32 * 1_000_000,
        }
    }

    /// Seconds plus nanoseconds; nanoseconds beyond one second carry into the seconds.
    pub fn from_secs_and_nanos(secs: i64, nanos: u32) -> DateTime {
        DateTime {
            secs: secs.saturating_add(i64::from(nanos / NANOS_PER_SEC)),
            nanos: nanos % NANOS_PER_SEC,
        }
    }

    /// Fractional seconds since the epoch, rounded to the nearest nanosecond. Saturates at the
    /// representable range; NaN maps to the epoch.
    pub fn from_secs_f64(value: f64) -> DateTime {
        if value.is_nan() {
            return DateTime::default();
        }
        let floor = value.floor();
        if floor >= TWO_POW_63 {
            return DateTime {
                secs: i64::MAX,
                nanos: NANOS_PER_SEC - 1,
            };
        }
        if floor < -TWO_POW_63 {
            return DateTime {
                secs: i64::MIN,
                nanos: 0,
            };
        }
        let nanos = ((value - floor) * 1e9).round() as u32;
        DateTime::from_secs_and_nanos(floor as i64, nanos)
    }

    /// The current time.
    pub fn now() -> DateTime {
        DateTime::from(SystemTime::now())
    }

    /// Whole seconds since the epoch (rounded down).
    pub fn secs(&self) -> i64 {
        self.secs
    }

    /// Nanoseconds past [`secs`](DateTime::secs), in `0..1_000_000_000`.
    pub fn subsec_nanos(&self) -> u32 {
        self.nanos
    }

    /// Fractional seconds since the epoch.
    pub fn as_secs_f64(&self) -> f64 {
        self.secs as f64 + f64::from(self.nanos) / 1e9
    }

    /// Formats in `format`. Strings formats are meant for years 0001..=9999; other years are
    /// written with as many digits as needed (and a sign if negative).
    pub fn fmt(&self, format: TimestampFormat) -> String {
        let buf = self.format_buf(format);
        buf.as_str().to_owned()
    }

    /// Appends the formatted timestamp (unquoted) to `out`.
    pub(crate) fn write_to(&self, format: TimestampFormat, out: &mut Vec<u8>) {
        out.extend_from_slice(self.format_buf(format).bytes());
    }

    fn format_buf(&self, format: TimestampFormat) -> StackBuf {
        let mut b = StackBuf::default();
        match format {
            TimestampFormat::EpochSeconds => {
                // Truncate toward zero to milliseconds.
                let total_nanos = i128::from(self.secs) * 1_000_000_000 + i128::from(self.nanos);
                let millis = total_nanos / 1_000_000;
                if millis < 0 {
                    b.push(b'-');
                }
                let abs = millis.unsigned_abs();
                b.int((abs / 1000) as u64, 1);
                let frac = (abs % 1000) as u32;
                if frac != 0 {
                    b.push(b'.');
                    b.frac(frac, 3);
                }
            }
            TimestampFormat::DateTime => {
                let (days, sod) = (self.secs.div_euclid(86_400), self.secs.rem_euclid(86_400));
                let (y, m, d) = civil_from_days(days);
                b.year(y);
                b.push(b'-');
                b.int(m.into(), 2);
                b.push(b'-');
                b.int(d.into(), 2);
                b.push(b'T');
                b.hms(sod);
                if self.nanos != 0 {
                    b.push(b'.');
                    b.frac(self.nanos, 9);
                }
                b.push(b'Z');
            }
            TimestampFormat::HttpDate => {
                let (days, sod) = (self.secs.div_euclid(86_400), self.secs.rem_euclid(86_400));
                let (y, m, d) = civil_from_days(days);
                b.extend(DAY_NAMES[(days + 4).rem_euclid(7) as usize].as_bytes());
                b.extend(b", ");
                b.int(d.into(), 2);
                b.push(b' ');
                b.extend(MONTH_NAMES[(m - 1) as usize % 12].as_bytes());
                b.push(b' ');
                b.year(y);
                b.push(b' ');
                b.hms(sod);
                b.extend(b" GMT");
            }
        }
        b
    }

    /// Parses `input` in `format`. `DateTime` accepts fractional seconds (digits past the
    /// ninth are ignored) and `Z` or `±HH:MM` offsets; `HttpDate` expects IMF-fixdate;
    /// `EpochSeconds` a decimal number such as `-12.5`.
    pub fn parse(input: &str, format: TimestampFormat) -> Result<DateTime, DateTimeParseError> {
        let r = match format {
            TimestampFormat::EpochSeconds => parse_epoch(input.as_bytes()),
            TimestampFormat::DateTime => parse_rfc3339(input.as_bytes()),
            TimestampFormat::HttpDate => parse_http_date(input.as_bytes()),
        };
        r.map_err(|reason| DateTimeParseError { format, reason })
    }
}

impl fmt::Display for DateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.format_buf(TimestampFormat::DateTime).as_str())
    }
}

impl From<SystemTime> for DateTime {
    fn from(t: SystemTime) -> DateTime {
        match t.duration_since(UNIX_EPOCH) {
            Ok(d) => match i64::try_from(d.as_secs()) {
                Ok(secs) => DateTime {
                    secs,
                    nanos: d.subsec_nanos(),
                },
                Err(_) => DateTime {
                    secs: i64::MAX,
                    nanos: NANOS_PER_SEC - 1,
                },
            },
            Err(e) => {
                let d = e.duration();
                let Ok(secs) = i64::try_from(d.as_secs()) else {
                    return DateTime {
                        secs: i64::MIN,
                        nanos: 0,
                    };
                };
                match d.subsec_nanos() {
                    0 => DateTime {
                        secs: -secs,
                        nanos: 0,
                    },
                    n => DateTime {
                        secs: -secs - 1,
                        nanos: NANOS_PER_SEC - n,
                    },
                }
            }
        }
    }
}

impl TryFrom<DateTime> for SystemTime {
    type Error = DateTimeRangeError;

    fn try_from(t: DateTime) -> Result<SystemTime, DateTimeRangeError> {
        let r = if t.secs >= 0 {
            UNIX_EPOCH.checked_add(Duration::new(t.secs.unsigned_abs(), t.nanos))
        } else {
            UNIX_EPOCH
                .checked_sub(Duration::from_secs(t.secs.unsigned_abs()))
                .and_then(|s| s.checked_add(Duration::from_nanos(t.nanos.into())))
        };
        r.ok_or(DateTimeRangeError)
    }
}

/// Days since 1970-01-01 of the proleptic Gregorian date `y-m-d` (`m` in 1..=12).
pub(crate) fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    // Count years from March so that the leap day is the last day of the "year".
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let month_from_march = i64::from((m + 9) % 12);
    let day_of_year = (153 * month_from_march + 2) / 5 + i64::from(d) - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// Inverse of [`days_from_civil`].
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let d = (day_of_year - (153 * month_from_march + 2) / 5 + 1) as u32;
    let m = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    } as u32;
    let y = year_of_era + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Parses a fixed-width run of ASCII digits.
fn num(b: &[u8], range: std::ops::Range<usize>) -> Result<u32, &'static str> {
    let digits = b.get(range).ok_or("too short")?;
    digits.iter().try_fold(0u32, |acc, &c| {
        if c.is_ascii_digit() {
            Ok(acc * 10 + u32::from(c - b'0'))
        } else {
            Err("expected a digit")
        }
    })
}

fn expect(b: &[u8], at: usize, want: &[u8], reason: &'static str) -> Result<(), &'static str> {
    if b.get(at..at + want.len()) == Some(want) {
        Ok(())
    } else {
        Err(reason)
    }
}

/// Reads up to nine fraction digits starting at `i`; returns (nanos, index after the digits).
fn fraction(b: &[u8], mut i: usize) -> Result<(u32, usize), &'static str> {
    let start = i;
    let mut nanos = 0u32;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if i - start < 9 {
            nanos += u32::from(c - b'0') * 10u32.pow(8 - (i - start) as u32);
        }
        i += 1;
    }
    if i == start {
        return Err("expected digits after '.'");
    }
    Ok((nanos, i))
}

fn to_instant(y: i64, m: u32, d: u32, sod: i64, nanos: u32) -> Result<DateTime, &'static str> {
    if !(1..=9999).contains(&y) {
        return Err("year out of range");
    }
    if !(1..=12).contains(&m) {
        return Err("month out of range");
    }
    if d == 0 || d > days_in_month(y, m) {
        return Err("day out of range");
    }
    Ok(DateTime {
        secs: days_from_civil(y, m, d) * 86_400 + sod,
        nanos,
    })
}

fn time_of_day(h: u32, mi: u32, s: u32) -> Result<i64, &'static str> {
    if h > 23 || mi > 59 || s > 59 {
        return Err("time out of range");
    }
    Ok(i64::from(h * 3600 + mi * 60 + s))
}

fn parse_rfc3339(b: &[u8]) -> Result<DateTime, &'static str> {
    let y = num(b, 0..4)?;
    expect(b, 4, b"-", "expected '-'")?;
    let m = num(b, 5..7)?;
    expect(b, 7, b"-", "expected '-'")?;
    let d = num(b, 8..10)?;
    if !matches!(b.get(10), Some(b'T' | b't')) {
        return Err("expected 'T' between date and time");
    }
    let h = num(b, 11..13)?;
    expect(b, 13, b":", "expected ':'")?;
    let mi = num(b, 14..16)?;
    expect(b, 16, b":", "expected ':'")?;
    let s = num(b, 17..19)?;
    let (nanos, mut i) = if b.get(19) == Some(&b'.') {
        fraction(b, 20)?
    } else {
        (0, 19)
    };
    let offset = match b.get(i) {
        Some(b'Z' | b'z') => {
            i += 1;
            0
        }
        Some(&sign @ (b'+' | b'-')) => {
            let oh = num(b, i + 1..i + 3)?;
            expect(b, i + 3, b":", "expected ':' in offset")?;
            let om = num(b, i + 4..i + 6)?;
            if oh > 23 || om > 59 {
                return Err("offset out of range");
            }
            i += 6;
            let o = i64::from(oh * 3600 + om * 60);
            if sign == b'-' {
                -o
            } else {
                o
            }
        }
        _ => return Err("expected 'Z' or an offset"),
    };
    if i != b.len() {
        return Err("unexpected characters after the timestamp");
    }
    let sod = time_of_day(h, mi, s)?;
    let t = to_instant(y.into(), m, d, sod, nanos)?;
    Ok(DateTime {
        secs: t.secs - offset,
        nanos,
    })
}

fn parse_http_date(b: &[u8]) -> Result<DateTime, &'static str> {
    // Tue, 29 Apr 2014 18:30:38 GMT
    let day_name = b.get(0..3).ok_or("too short")?;
    if !DAY_NAMES.iter().any(|n| n.as_bytes() == day_name) {
        return Err("invalid day name");
    }
    expect(b, 3, b", ", "expected ', '")?;
    let d = num(b, 5..7)?;
    expect(b, 7, b" ", "expected ' '")?;
    let month = b.get(8..11).ok_or("too short")?;
    let m = MONTH_NAMES
        .iter()
        .position(|n| n.as_bytes() == month)
        .ok_or("invalid month name")? as u32
        + 1;
    expect(b, 11, b" ", "expected ' '")?;
    let y = num(b, 12..16)?;
    expect(b, 16, b" ", "expected ' '")?;
    let h = num(b, 17..19)?;
    expect(b, 19, b":", "expected ':'")?;
    let mi = num(b, 20..22)?;
    expect(b, 22, b":", "expected ':'")?;
    let s = num(b, 23..25)?;
    let (nanos, i) = if b.get(25) == Some(&b'.') {
        fraction(b, 26)?
    } else {
        (0, 25)
    };
    if b.get(i..) != Some(b" GMT") {
        return Err("expected ' GMT' at the end");
    }
    to_instant(y.into(), m, d, time_of_day(h, mi, s)?, nanos)
}

fn parse_epoch(b: &[u8]) -> Result<DateTime, &'static str> {
    let neg = b.first() == Some(&b'-');
    let mut i = usize::from(neg);
    let start = i;
    let mut secs: i64 = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        secs = secs
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(c - b'0')))
            .ok_or("out of range")?;
        i += 1;
    }
    if i == start {
        return Err("expected digits");
    }
    let (nanos, i) = if b.get(i) == Some(&b'.') {
        fraction(b, i + 1)?
    } else {
        (0, i)
    };
    if i != b.len() {
        return Err("unexpected characters after the number");
    }
    Ok(match (neg, nanos) {
        (false, n) => DateTime { secs, nanos: n },
        (true, 0) => DateTime {
            secs: -secs,
            nanos: 0,
        },
        (true, n) => DateTime {
            secs: -secs - 1,
            nanos: NANOS_PER_SEC - n,
        },
    })
}

/// A fixed-size ASCII buffer so formatting never allocates.
struct StackBuf {
    buf: [u8; 64],
    len: usize,
}

impl Default for StackBuf {
    fn default() -> StackBuf {
        StackBuf {
            buf: [0; 64],
            len: 0,
        }
    }
}

impl StackBuf {
    fn push(&mut self, c: u8) {
        if let Some(slot) = self.buf.get_mut(self.len) {
            *slot = c;
            self.len += 1;
        }
    }

    fn extend(&mut self, s: &[u8]) {
        for &c in s {
            self.push(c);
        }
    }

    /// Writes `v` zero-padded to at least `width` digits.
    fn int(&mut self, v: u64, width: usize) {
        let mut tmp = [0u8; 20];
        let digits = crate::json::format_u64(v, &mut tmp);
        for _ in digits.len()..width {
            self.push(b'0');
        }
        self.extend(digits);
    }

    fn year(&mut self, y: i64) {
        if y < 0 {
            self.push(b'-');
        }
        self.int(y.unsigned_abs(), 4);
    }

    fn hms(&mut self, sod: i64) {
        self.int((sod / 3600) as u64, 2);
        self.push(b':');
        self.int((sod / 60 % 60) as u64, 2);
        self.push(b':');
        self.int((sod % 60) as u64, 2);
    }

    /// Writes a `digits`-digit fraction without trailing zeros (`frac` must be non-zero).
    fn frac(&mut self, mut frac: u32, mut digits: usize) {
        while digits > 1 {
            let (q, r) = (frac / 10, frac % 10);
            if r != 0 {
                break;
            }
            frac = q;
            digits -= 1;
        }
        self.int(frac.into(), digits);
    }

    fn bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn as_str(&self) -> &str {
        // Only ASCII is ever pushed.
        std::str::from_utf8(self.bytes()).unwrap_or("")
    }
}

#[cfg(test)]
#[path = "datetime_tests.rs"]
mod tests;
