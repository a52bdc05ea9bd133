//! Calendar arithmetic and time zones for the date and time functions.
//!
//! Civil (wall-clock) times are handled as "local seconds": seconds since
//! 1970-01-01T00:00:00 *on the wall clock*, so converting between a zone's
//! wall clock and UTC is one subtraction of the zone's offset. The calendar
//! conversions are the proleptic Gregorian day-count algorithms and work for
//! any year an `i64` of seconds can hold, so nothing here panics on values just
//! outside 0001–9999 (callers range-check the final result).

use std::str::FromStr;

use chrono::{LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::{OffsetComponents, Tz};

const SECS_PER_DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1–12, day 1–31).
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month, day).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
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

/// Whether a year is a Gregorian leap year.
pub fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// The number of days in a month.
pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Broken-down wall-clock fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Civil {
    /// The year (may be outside 1–9999 before range checks).
    pub year: i64,
    /// 1–12.
    pub month: u32,
    /// 1–31.
    pub day: u32,
    /// 0–23.
    pub hour: u32,
    /// 0–59.
    pub minute: u32,
    /// 0–59.
    pub second: u32,
}

impl Civil {
    /// The fields of a local-seconds value.
    pub fn from_secs(secs: i64) -> Civil {
        let days = secs.div_euclid(SECS_PER_DAY);
        let tod = secs.rem_euclid(SECS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil { year, month, day, hour: tod / 3600, minute: tod / 60 % 60, second: tod % 60 }
    }

    /// The local-seconds value of these fields (`None` on arithmetic overflow).
    pub fn to_secs(self) -> Option<i64> {
        if !(-1_000_000..=1_000_000).contains(&self.year) {
            return None;
        }
        let days = days_from_civil(self.year, self.month, self.day);
        Some(days * SECS_PER_DAY + i64::from(self.hour * 3600 + self.minute * 60 + self.second))
    }
}

/// A time zone: UTC (the default, with a fast path) or an IANA zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zone {
    /// UTC.
    Utc,
    /// An IANA zone from the bundled tz database.
    Tz(Tz),
}

/// Local seconds of 2100-01-01T00:00:00: from here on the bundled tables have no
/// transitions, so years are mapped onto an equivalent year of 2072–2099.
const TABLE_END: i64 = 4_102_444_800;

impl Zone {
    /// The zone called `name` (exact IANA spelling, including the backward-compatible
    /// aliases such as `US/Eastern`, `GB` and `Etc/GMT+5`).
    pub fn lookup(name: &str) -> Option<Zone> {
        if name == "UTC" {
            return Some(Zone::Utc);
        }
        Tz::from_str(name).ok().map(Zone::Tz)
    }

    /// The zone's offset from UTC (seconds east) at a UTC instant.
    pub fn offset_at(self, utc_secs: i64) -> i32 {
        match self {
            Zone::Utc => 0,
            Zone::Tz(tz) => {
                let probe = equivalent_secs(utc_secs);
                match naive(probe) {
                    Some(n) => tz.offset_from_utc_datetime(&n).fix().local_minus_utc(),
                    None => 0,
                }
            }
        }
    }

    /// The UTC instant of a wall-clock reading in this zone (pytz `localize(is_dst=False)`):
    /// an ambiguous reading (clocks set back) takes the standard-time offset, or the later
    /// instant when that does not decide; a reading in a gap (clocks set forward) takes the
    /// offset in force before the gap.
    pub fn resolve_local(self, local_secs: i64) -> Option<i64> {
        let tz = match self {
            Zone::Utc => return Some(local_secs),
            Zone::Tz(tz) => tz,
        };
        // A gap is bridged like pytz does: resolve six hours earlier, then add six hours.
        let mut back = 0i64;
        for _ in 0..8 {
            let probe = equivalent_secs(local_secs - back);
            let result = tz.offset_from_local_datetime(&naive(probe)?);
            let offset = match result {
                LocalResult::Single(o) => i64::from(o.fix().local_minus_utc()),
                LocalResult::Ambiguous(a, b) => {
                    let standard = |o: &chrono_tz::TzOffset| o.dst_offset().is_zero();
                    let (oa, ob) = (i64::from(a.fix().local_minus_utc()), i64::from(b.fix().local_minus_utc()));
                    match (standard(&a), standard(&b)) {
                        (true, false) => oa,
                        (false, true) => ob,
                        // Neither or both standard: the later UTC instant (the smaller offset).
                        _ => oa.min(ob),
                    }
                }
                LocalResult::None => {
                    back += 6 * 3600;
                    continue;
                }
            };
            // pytz: (local − back − offset) + back.
            return Some(local_secs - offset);
        }
        None
    }
}

/// Maps seconds at or after 2100 onto the same moment of an equivalent year in
/// 2072–2099 (same leap status, same weekday of 1 January), where the tz tables
/// still hold the zone's rules. Zone rules repeat with the calendar, so the
/// offsets found there are the ones the rules give for the real year.
fn equivalent_secs(secs: i64) -> i64 {
    if secs < TABLE_END {
        return secs;
    }
    let (year, _, _) = civil_from_days(secs.div_euclid(SECS_PER_DAY));
    let start = days_from_civil(year, 1, 1);
    let weekday = (start + 4).rem_euclid(7);
    for candidate in 2072..2100 {
        let cstart = days_from_civil(candidate, 1, 1);
        if is_leap(candidate) == is_leap(year) && (cstart + 4).rem_euclid(7) == weekday {
            return secs + (cstart - start) * SECS_PER_DAY;
        }
    }
    secs
}

fn naive(secs: i64) -> Option<NaiveDateTime> {
    chrono::DateTime::from_timestamp(secs, 0).map(|d| d.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(y: i64, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Civil { year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }.to_secs().unwrap()
    }

    #[test]
    fn calendar_round_trips_over_the_whole_range() {
        for days in (days_from_civil(1, 1, 1)..=days_from_civil(9999, 12, 31)).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(1, 1, 1) * 86_400, -62_135_596_800);
        assert_eq!(days_from_civil(9999, 12, 31) * 86_400 + 86_399, 253_402_300_799);
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
    }

    #[test]
    fn oslo_dst_gap_and_overlap_use_standard_time() {
        let oslo = Zone::lookup("Europe/Oslo").unwrap();
        // 02:30 does not exist on 2015-03-29: the offset before the gap (+01:00) is used.
        assert_eq!(oslo.resolve_local(secs(2015, 3, 29, 2, 30)), Some(secs(2015, 3, 29, 1, 30)));
        // 02:30 happens twice on 2015-10-25: the standard-time reading (+01:00).
        assert_eq!(oslo.resolve_local(secs(2015, 10, 25, 2, 30)), Some(secs(2015, 10, 25, 1, 30)));
        // Either side of the changes.
        assert_eq!(oslo.resolve_local(secs(2015, 3, 29, 1, 59)), Some(secs(2015, 3, 29, 0, 59)));
        assert_eq!(oslo.resolve_local(secs(2015, 3, 29, 3, 0)), Some(secs(2015, 3, 29, 1, 0)));
        assert_eq!(oslo.resolve_local(secs(2015, 10, 25, 1, 59)), Some(secs(2015, 10, 24, 23, 59)));
        assert_eq!(oslo.resolve_local(secs(2015, 10, 25, 3, 0)), Some(secs(2015, 10, 25, 2, 0)));
        assert_eq!(oslo.offset_at(secs(2015, 3, 29, 0, 59)), 3600);
        assert_eq!(oslo.offset_at(secs(2015, 3, 29, 1, 0)), 7200);
        assert_eq!(oslo.offset_at(secs(2015, 10, 25, 0, 59)), 7200);
        assert_eq!(oslo.offset_at(secs(2015, 10, 25, 1, 0)), 3600);
    }

    #[test]
    fn new_york_dst() {
        let ny = Zone::lookup("America/New_York").unwrap();
        // 2015-03-08 02:30 does not exist (EST → EDT): EST (-05:00) is used.
        assert_eq!(ny.resolve_local(secs(2015, 3, 8, 2, 30)), Some(secs(2015, 3, 8, 7, 30)));
        // 2015-11-01 01:30 happens twice: EST (-05:00).
        assert_eq!(ny.resolve_local(secs(2015, 11, 1, 1, 30)), Some(secs(2015, 11, 1, 6, 30)));
    }

    #[test]
    fn dst_continues_after_the_tables_end() {
        let oslo = Zone::lookup("Europe/Oslo").unwrap();
        for year in [2099, 2100, 2150, 2400, 5000, 9999] {
            assert_eq!(oslo.offset_at(secs(year, 7, 1, 12, 0)), 7200, "{year} summer");
            assert_eq!(oslo.offset_at(secs(year, 1, 15, 12, 0)), 3600, "{year} winter");
            assert_eq!(oslo.resolve_local(secs(year, 7, 1, 12, 0)), Some(secs(year, 7, 1, 10, 0)));
        }
        let sydney = Zone::lookup("Australia/Sydney").unwrap();
        assert_eq!(sydney.offset_at(secs(2500, 1, 1, 0, 0)), 11 * 3600);
        assert_eq!(sydney.offset_at(secs(2500, 7, 1, 0, 0)), 10 * 3600);
    }

    #[test]
    fn range_ends_never_panic() {
        let lo = secs(1, 1, 1, 0, 0);
        let hi = secs(9999, 12, 31, 23, 59) + 59;
        for name in ["Pacific/Kiritimati", "Etc/GMT+12", "America/New_York", "Asia/Tokyo", "UTC"] {
            let z = Zone::lookup(name).unwrap();
            for s in [lo - 86_400, lo, hi, hi + 86_400] {
                let _ = z.offset_at(s);
                let _ = z.resolve_local(s);
            }
        }
    }

    #[test]
    fn etc_gmt_signs_are_inverted() {
        let z = Zone::lookup("Etc/GMT+5").unwrap();
        assert_eq!(z.offset_at(0), -5 * 3600);
        assert!(Zone::lookup("Mars/Olympus_Mons").is_none());
        assert!(Zone::lookup("europe/oslo").is_none());
    }
}
