//! Datetimes: UTC, nanosecond precision, years 0001–9999.
//!
//! Stored as whole seconds since the Unix epoch plus nanoseconds, which covers the
//! whole range (an `i64` of nanoseconds would stop at 1677 and 2262).

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::builtins::datetime_civil::{civil_from_days, days_from_civil, days_in_month};

/// A point in time, UTC, with nanosecond precision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DateTime {
    secs: i64,
    nanos: u32,
}

/// Seconds since the epoch of 0001-01-01T00:00:00Z.
const MIN_SECS: i64 = -62_135_596_800;
/// Seconds since the epoch of 9999-12-31T23:59:59Z.
const MAX_SECS: i64 = 253_402_300_799;

/// The earliest datetime: 0001-01-01T00:00:00Z.
pub const DATETIME_MIN: DateTime = DateTime { secs: MIN_SECS, nanos: 0 };
/// The latest datetime: 9999-12-31T23:59:59.999999999Z.
pub const DATETIME_MAX: DateTime = DateTime { secs: MAX_SECS, nanos: 999_999_999 };

impl DateTime {
    /// From seconds and nanoseconds since the epoch; `None` outside 0001–9999.
    pub fn from_parts(secs: i64, nanos: u32) -> Option<DateTime> {
        if nanos >= 1_000_000_000 || !(MIN_SECS..=MAX_SECS).contains(&secs) {
            return None;
        }
        Some(DateTime { secs, nanos })
    }

    /// From nanoseconds since the epoch (DTL's integer ⇄ datetime cast).
    pub fn from_epoch_nanos(ns: i128) -> Option<DateTime> {
        let secs = ns.div_euclid(1_000_000_000);
        let nanos = ns.rem_euclid(1_000_000_000) as u32;
        DateTime::from_parts(i64::try_from(secs).ok()?, nanos)
    }

    /// Nanoseconds since the epoch.
    pub fn epoch_nanos(self) -> i128 {
        self.secs as i128 * 1_000_000_000 + self.nanos as i128
    }

    /// Whole seconds since the epoch.
    pub fn epoch_seconds(self) -> i64 {
        self.secs
    }

    /// The sub-second part in nanoseconds.
    pub fn subsec_nanos(self) -> u32 {
        self.nanos
    }

    /// From a chrono naive datetime taken as UTC.
    pub fn from_naive(dt: NaiveDateTime) -> Option<DateTime> {
        let utc = dt.and_utc();
        DateTime::from_parts(utc.timestamp(), utc.timestamp_subsec_nanos())
    }

    /// As a chrono naive datetime in UTC.
    pub fn to_naive(self) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(self.secs, self.nanos)
            .expect("DateTime is always within chrono's range")
            .naive_utc()
    }

    /// Midnight UTC of a date.
    pub fn from_date(date: NaiveDate) -> Option<DateTime> {
        DateTime::from_naive(date.and_hms_opt(0, 0, 0)?)
    }

    /// Parses the wire payload after `~t`: `YYYY-MM-DDTHH:MM:SS[.fraction]Z`.
    pub fn parse_wire(text: &str) -> Option<DateTime> {
        let b = text.as_bytes();
        if b.len() < 20 || b[10] != b'T' || *b.last()? != b'Z' {
            return None;
        }
        let (year, month, day) = date_fields(b)?;
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        if hour > 23 || minute > 59 || second > 59 {
            return None;
        }
        let rest = &b[19..b.len() - 1];
        let nanos = match rest {
            [] => 0,
            [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
                let value = digits(frac)?;
                value * 10u32.pow(9 - frac.len() as u32)
            }
            _ => return None,
        };
        // Every datetime of every entity is read here: plain day arithmetic, no chrono.
        let days = days_from_civil(i64::from(year), month, day);
        let secs = days * SECS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second);
        DateTime::from_parts(secs, nanos)
    }

    /// The canonical wire payload: fraction without trailing zeros, none when zero.
    pub fn format_wire(self) -> String {
        let mut out = Vec::with_capacity(30);
        self.write_wire(&mut out);
        String::from_utf8(out).expect("digits and ASCII punctuation")
    }

    /// Appends the canonical wire payload to `out`. Writes the digits directly:
    /// formatting machinery was a visible share of writing entities with datetimes.
    pub fn write_wire(self, out: &mut Vec<u8>) {
        let days = self.secs.div_euclid(SECS_PER_DAY);
        let of_day = self.secs.rem_euclid(SECS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        push_digits(out, year as u32, 4);
        out.push(b'-');
        push_digits(out, month, 2);
        out.push(b'-');
        push_digits(out, day, 2);
        out.push(b'T');
        push_digits(out, of_day / 3600, 2);
        out.push(b':');
        push_digits(out, of_day / 60 % 60, 2);
        out.push(b':');
        push_digits(out, of_day % 60, 2);
        if self.nanos != 0 {
            out.push(b'.');
            let mut frac = self.nanos;
            let mut width = 9;
            while frac.is_multiple_of(10) {
                frac /= 10;
                width -= 1;
            }
            push_digits(out, frac, width);
        }
        out.push(b'Z');
    }
}

const SECS_PER_DAY: i64 = 86_400;

/// Appends `n` in decimal, zero-padded to `width` digits (`n` must fit in them).
fn push_digits(out: &mut Vec<u8>, mut n: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    for slot in out[start..].iter_mut().rev() {
        *slot = b'0' + (n % 10) as u8;
        n /= 10;
    }
}

/// The fields of a valid `YYYY-MM-DD` at the start of `b` (years 0001–9999).
fn date_fields(b: &[u8]) -> Option<(u32, u32, u32)> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (year, month, day) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let valid = year >= 1 && (1..=12).contains(&month) && day >= 1 && day <= days_in_month(i64::from(year), month);
    valid.then_some((year, month, day))
}

/// Parses `YYYY-MM-DD` (years 0001–9999).
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let year = digits(&b[0..4])? as i32;
    if year == 0 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, digits(&b[5..7])?, digits(&b[8..10])?)
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: NaiveDate) -> String {
    let mut out = Vec::with_capacity(10);
    write_date(date, &mut out);
    String::from_utf8(out).expect("digits and dashes")
}

/// Appends a date as `YYYY-MM-DD`.
pub fn write_date(date: NaiveDate, out: &mut Vec<u8>) {
    if !(0..=9999).contains(&date.year()) {
        out.extend_from_slice(format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day()).as_bytes());
        return;
    }
    push_digits(out, date.year() as u32, 4);
    out.push(b'-');
    push_digits(out, date.month(), 2);
    out.push(b'-');
    push_digits(out, date.day(), 2);
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut n: u32 = 0;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n * 10 + (c - b'0') as u32;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_round_trip_keeps_canonical_text() {
        for text in [
            "2015-01-02T03:04:05.123456789Z",
            "1973-01-22T23:11:54Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59.999999999Z",
            "2020-02-29T12:00:00.5Z",
        ] {
            let dt = DateTime::parse_wire(text).unwrap();
            assert_eq!(dt.format_wire(), text);
        }
    }

    #[test]
    fn wire_parsing_agrees_with_chrono() {
        for text in [
            "2020-02-29T23:59:59Z",
            "2021-03-01T00:00:00Z",
            "1969-12-31T23:59:59.5Z",
            "1900-02-28T12:34:56Z",
            "2000-02-29T01:02:03Z",
            "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59Z",
        ] {
            let ours = DateTime::parse_wire(text).unwrap();
            let theirs = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.fZ").unwrap();
            assert_eq!(Some(ours), DateTime::from_naive(theirs), "{text}");
            assert_eq!(ours.to_naive(), theirs, "{text}");
        }
        for text in ["2021-02-29T00:00:00Z", "2020-01-01T23:60:00Z", "2020-01-01T23:00:60Z"] {
            assert!(DateTime::parse_wire(text).is_none(), "{text}");
        }
    }

    #[test]
    fn trailing_fraction_zeros_are_dropped() {
        let dt = DateTime::parse_wire("2015-01-02T03:04:05.123450000Z").unwrap();
        assert_eq!(dt.format_wire(), "2015-01-02T03:04:05.12345Z");
        let dt = DateTime::parse_wire("2015-01-02T03:04:05.000Z").unwrap();
        assert_eq!(dt.format_wire(), "2015-01-02T03:04:05Z");
    }

    #[test]
    fn malformed_payloads_are_rejected() {
        for text in [
            "garbage",
            "2015-13-01T00:00:00Z",
            "0000-01-01T00:00:00Z",
            "2015-01-01T00:00:00",
            "2015-01-01T25:00:00Z",
            "2015-01-01T00:00:00.1234567890Z",
        ] {
            assert!(DateTime::parse_wire(text).is_none(), "{text}");
        }
    }

    #[test]
    fn epoch_nanos_cover_the_whole_range() {
        let min = DATETIME_MIN.epoch_nanos();
        assert_eq!(DateTime::from_epoch_nanos(min), Some(DATETIME_MIN));
        assert_eq!(DateTime::from_epoch_nanos(min - 1), None);
        let max = DATETIME_MAX.epoch_nanos();
        assert_eq!(DateTime::from_epoch_nanos(max), Some(DATETIME_MAX));
        assert_eq!(DateTime::from_epoch_nanos(max + 1), None);
        assert_eq!(DateTime::from_epoch_nanos(-1).unwrap().format_wire(), "1969-12-31T23:59:59.999999999Z");
    }
}
