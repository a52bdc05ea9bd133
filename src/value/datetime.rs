//! Datetimes: UTC, nanosecond precision, years 0001–9999.
//!
//! Stored as whole seconds since the Unix epoch plus nanoseconds, which covers the
//! whole range (an `i64` of nanoseconds would stop at 1677 and 2262).

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

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
        let date = parse_date(&text[..10])?;
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let hour = digits(&b[11..13])?;
        let minute = digits(&b[14..16])?;
        let second = digits(&b[17..19])?;
        let rest = &b[19..b.len() - 1];
        let nanos = match rest {
            [] => 0,
            [b'.', frac @ ..] if (1..=9).contains(&frac.len()) => {
                let value = digits(frac)?;
                value * 10u32.pow(9 - frac.len() as u32)
            }
            _ => return None,
        };
        let time = chrono::NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
        DateTime::from_naive(date.and_time(time))
    }

    /// The canonical wire payload: fraction without trailing zeros, none when zero.
    pub fn format_wire(self) -> String {
        let dt = self.to_naive();
        let mut out = format!(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
            dt.year(),
            dt.month(),
            dt.day(),
            dt.hour(),
            dt.minute(),
            dt.second()
        );
        if self.nanos != 0 {
            let frac = format!("{:09}", self.nanos);
            out.push('.');
            out.push_str(frac.trim_end_matches('0'));
        }
        out.push('Z');
        out
    }
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
    format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day())
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
