//! Date and time functions (spec C.1): `datetime`, `datetime-diff`,
//! `datetime-format`, `datetime-parse`, `datetime-plus`, `datetime-shift`,
//! `is-datetime`, `now`.
//!
//! Datetimes are UTC instants with nanosecond precision in 0001–9999. A `Date`
//! value (`~tYYYY-MM-DD`) is taken as midnight UTC wherever a datetime is expected.
//! Results outside the range are dropped like unconvertible values.
//!
//! `string{1}` arguments (DATEPART, FORMATSTRING, time-zone names) are meant to be
//! literals: a constant that is wrong (unknown zone, unsupported directive, unknown
//! unit, not a string) is an error; a computed one that is wrong gives `null`.

use std::time::{SystemTime, UNIX_EPOCH};

use num_bigint::BigInt;
use num_traits::ToPrimitive;

use super::datetime_civil::{days_in_month, Civil, Zone};
use super::datetime_format::{self, Mode};
use super::support::{map_values, map_values_or_default};
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{DateTime, Value};

/// A datetime operand: a datetime as it is, a date as midnight UTC.
fn as_datetime(v: &Value) -> Option<DateTime> {
    match v {
        Value::DateTime(d) => Some(*d),
        Value::Date(d) => DateTime::from_date(*d),
        _ => None,
    }
}

/// Reads the `string{1}` argument `i` through `read`. A constant that is not a string or
/// that `read` rejects is an error; a computed value that is not a string or that `read`
/// rejects gives `Ok(None)` (the caller returns `null`).
fn setting<T>(
    args: &Args<'_>,
    i: usize,
    env: &Env<'_>,
    what: &str,
    read: impl Fn(&str) -> Result<T, String>,
) -> EvalResult<Option<T>> {
    if let Some(c) = args.constant(i) {
        let Value::Str(s) = c else {
            return Err(args.error(format!("{what} must be a string, not {}", c.type_name())));
        };
        return read(s).map(Some).map_err(|m| args.error(m));
    }
    let v = args.eval(i, env)?;
    Ok(v.as_str().and_then(|s| read(s).ok()))
}

pub(super) fn zone_named(name: &str) -> Result<Zone, String> {
    Zone::lookup(name).ok_or_else(|| {
        let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        match crate::compile::suggest(name, names) {
            Some(near) => format!("unknown time zone `{name}` (did you mean `{near}`?)"),
            None => {
                format!("unknown time zone `{name}` (time zone names are IANA names such as `Europe/Oslo` or `UTC`)")
            }
        }
    })
}

/// A format string argument, borrowed when it is a constant.
enum FormatArg<'a> {
    Constant(&'a str),
    Computed(Value),
}

impl FormatArg<'_> {
    fn as_str(&self) -> &str {
        match self {
            FormatArg::Constant(s) => s,
            FormatArg::Computed(v) => v.as_str().unwrap_or_default(),
        }
    }
}

fn format_arg<'a>(args: &Args<'a>, i: usize, env: &Env<'_>, mode: Mode) -> EvalResult<Option<FormatArg<'a>>> {
    if let Some(c) = args.constant(i) {
        let Value::Str(s) = c else {
            return Err(args.error(format!("the format must be a string, not {}", c.type_name())));
        };
        datetime_format::check(s, mode).map_err(|m| args.error(m))?;
        return Ok(Some(FormatArg::Constant(s)));
    }
    let v = args.eval(i, env)?;
    Ok(match v.as_str() {
        Some(s) if datetime_format::check(s, mode).is_ok() => Some(FormatArg::Computed(v)),
        _ => None,
    })
}

/// The optional leading time-zone argument: `(zone, index of the next argument)`;
/// `None` when a computed zone name is not usable.
fn optional_zone(args: &Args<'_>, env: &Env<'_>, full: usize) -> EvalResult<Option<(Zone, usize)>> {
    if args.len() < full {
        return Ok(Some((Zone::Utc, 0)));
    }
    Ok(setting(args, 0, env, "the time zone", zone_named)?.map(|z| (z, 1)))
}

/// The DATEPART units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Unit {
    Year,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl Unit {
    pub(super) fn named(name: &str) -> Result<Unit, String> {
        Ok(match name {
            "year" => Unit::Year,
            "month" => Unit::Month,
            "week" => Unit::Week,
            "day" => Unit::Day,
            "hour" => Unit::Hour,
            "minute" => Unit::Minute,
            "second" => Unit::Second,
            "millisecond" => Unit::Millisecond,
            "microsecond" => Unit::Microsecond,
            "nanosecond" => Unit::Nanosecond,
            _ => {
                return Err(format!(
                    "unknown date part `{name}` (the parts are year, month, week, day, hour, minute, second, millisecond, microsecond, nanosecond)"
                ))
            }
        })
    }

    /// The unit's length in nanoseconds; `None` for the calendar units.
    fn nanos(self) -> Option<i128> {
        const S: i128 = 1_000_000_000;
        Some(match self {
            Unit::Year | Unit::Month => return None,
            Unit::Week => 7 * 86_400 * S,
            Unit::Day => 86_400 * S,
            Unit::Hour => 3600 * S,
            Unit::Minute => 60 * S,
            Unit::Second => S,
            Unit::Millisecond => 1_000_000,
            Unit::Microsecond => 1_000,
            Unit::Nanosecond => 1,
        })
    }
}

/// `c` moved by `months` calendar months, the day clamped to the month's length.
fn add_months(c: Civil, months: i64) -> Option<Civil> {
    let total = c.year.checked_mul(12)?.checked_add(i64::from(c.month) - 1)?.checked_add(months)?;
    let year = total.div_euclid(12);
    let month = total.rem_euclid(12) as u32 + 1;
    Some(Civil { year, month, day: c.day.min(days_in_month(year, month)), ..c })
}

/// `dt` plus `n` units; `None` outside 0001–9999.
fn plus(dt: DateTime, unit: Unit, n: i64) -> Option<DateTime> {
    match unit.nanos() {
        Some(len) => DateTime::from_epoch_nanos(dt.epoch_nanos().checked_add(i128::from(n).checked_mul(len)?)?),
        None => {
            let months = if unit == Unit::Year { n.checked_mul(12)? } else { n };
            let moved = add_months(Civil::from_secs(dt.epoch_seconds()), months)?;
            DateTime::from_parts(moved.to_secs()?, dt.subsec_nanos())
        }
    }
}

/// Whole calendar months from `end` to `start` (dateutil `relativedelta(start, end)`):
/// the largest count, toward zero, that adding to `end` does not overshoot `start`.
fn month_diff(start: DateTime, end: DateTime) -> i64 {
    let (cs, ce) = (Civil::from_secs(start.epoch_seconds()), Civil::from_secs(end.epoch_seconds()));
    let mut months = (cs.year - ce.year) * 12 + i64::from(cs.month) - i64::from(ce.month);
    let key = (start.epoch_seconds(), start.subsec_nanos());
    let moved = |months: i64| add_months(ce, months).and_then(Civil::to_secs).map(|s| (s, end.subsec_nanos()));
    let step = if start < end { 1 } else { -1 };
    // The first estimate is at most one month off.
    for _ in 0..3 {
        match moved(months) {
            Some(m) if (step > 0 && key > m) || (step < 0 && key < m) => months += step,
            _ => break,
        }
    }
    months
}

fn int_value(n: i128) -> Value {
    match i64::try_from(n) {
        Ok(i) => Value::Int(i),
        Err(_) => Value::from_bigint(BigInt::from(n)),
    }
}

fn to_datetime(v: &Value) -> Option<Value> {
    let dt = match v {
        Value::DateTime(d) => *d,
        Value::Date(d) => DateTime::from_date(*d)?,
        Value::Int(i) => DateTime::from_epoch_nanos(i128::from(*i))?,
        Value::BigInt(b) => DateTime::from_epoch_nanos(b.to_i128()?)?,
        Value::Str(s) => DateTime::parse_wire(s)?,
        _ => return None,
    };
    Some(Value::DateTime(dt))
}

fn datetime(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let (default, values) = if args.len() == 2 { (Some(0), 1) } else { (None, 0) };
    let mut values = args.eval(values, env)?;
    // Only non-null values are converted: nulls in a list are dropped, never replaced by the default.
    if let (Some(_), Value::List(items)) = (default, &values) {
        if items.iter().any(Value::is_null) {
            values = Value::list(items.iter().filter(|v| !v.is_null()).cloned().collect());
        }
    }
    map_values_or_default(args, env, default, &values, to_datetime)
}

fn datetime_diff(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Some(unit) = setting(args, 0, env, "the date part", Unit::named)? else {
        return Ok(Value::Null);
    };
    let start = args.eval(1, env)?;
    let end = args.eval(2, env)?;
    let (Some(start), Some(end)) = (start.first().and_then(as_datetime), end.first().and_then(as_datetime)) else {
        return Ok(Value::Null);
    };
    Ok(match unit.nanos() {
        Some(len) => int_value((start.epoch_nanos() - end.epoch_nanos()) / len),
        None => {
            let months = month_diff(start, end);
            Value::Int(if unit == Unit::Year { months / 12 } else { months })
        }
    })
}

fn datetime_format(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Some((zone, next)) = optional_zone(args, env, 3)? else {
        return Ok(Value::Null);
    };
    let Some(fmt) = format_arg(args, next, env, Mode::Format)? else {
        return Ok(Value::Null);
    };
    let values = args.eval(next + 1, env)?;
    let fmt = fmt.as_str();
    let mut buf = String::with_capacity(fmt.len() + 24);
    Ok(map_values(&values, |v| {
        let dt = as_datetime(v)?;
        let offset = zone.offset_at(dt.epoch_seconds());
        let local = Civil::from_secs(dt.epoch_seconds() + i64::from(offset));
        if !(1..=9999).contains(&local.year) {
            return None;
        }
        buf.clear();
        datetime_format::format_into(fmt, &local, dt.subsec_nanos(), offset, &mut buf);
        Some(Value::str(&buf))
    }))
}

fn datetime_parse(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Some((zone, next)) = optional_zone(args, env, 3)? else {
        return Ok(Value::Null);
    };
    let Some(fmt) = format_arg(args, next, env, Mode::Parse)? else {
        return Ok(Value::Null);
    };
    let values = args.eval(next + 1, env)?;
    let fmt = fmt.as_str();
    Ok(map_values(&values, |v| {
        let parsed = datetime_format::parse(fmt, v.as_str()?)?;
        let local = parsed.civil.to_secs()?;
        let utc = match parsed.offset {
            Some(offset) => local - i64::from(offset),
            None => zone.resolve_local(local)?,
        };
        DateTime::from_parts(utc, parsed.micros * 1000).map(Value::DateTime)
    }))
}

fn datetime_plus(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let Some(unit) = setting(args, 0, env, "the date part", Unit::named)? else {
        return Ok(Value::Null);
    };
    let amount = args.eval(1, env)?;
    let n = match amount.first() {
        Some(Value::Int(n)) => Some(*n),
        // Too large for any datetime: every result would be out of range.
        Some(Value::BigInt(_)) => None,
        _ => return Ok(Value::Null),
    };
    let values = args.eval(2, env)?;
    Ok(map_values(&values, |v| plus(as_datetime(v)?, unit, n?).map(Value::DateTime)))
}

fn datetime_shift(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let from = setting(args, 0, env, "the time zone", zone_named)?;
    let to = setting(args, 1, env, "the time zone", zone_named)?;
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(Value::Null);
    };
    let values = args.eval(2, env)?;
    Ok(map_values(&values, |v| {
        let dt = as_datetime(v)?;
        let utc = from.resolve_local(dt.epoch_seconds())?;
        let local = utc.checked_add(i64::from(to.offset_at(utc)))?;
        DateTime::from_parts(local, dt.subsec_nanos()).map(Value::DateTime)
    }))
}

fn is_datetime(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let v = args.eval(0, env)?;
    Ok(Value::Bool(matches!(v.first(), Some(Value::DateTime(_) | Value::Date(_)))))
}

fn now(_args: &Args<'_>, _env: &Env<'_>) -> EvalResult<Value> {
    let dt = match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok().and_then(|s| DateTime::from_parts(s, d.subsec_nanos())),
        Err(e) => i128::try_from(e.duration().as_nanos()).ok().and_then(|ns| DateTime::from_epoch_nanos(-ns)),
    };
    Ok(dt.map(Value::DateTime).unwrap_or(Value::Null))
}

/// The date and time family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "datetime",
        family: Family::DateTime,
        signature: "FUNCTION(default-value-expression{0|1}) VALUES(value-expression{1})",
        summary: "Casts to datetime: datetimes as they are, integers as nanoseconds since the epoch, strings in the wire form `YYYY-MM-DDTHH:MM:SS[.f]Z`; others dropped or replaced by the default expression.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["datetime", "2015-07-28T09:46:00.12345Z"]"#, result: r#""~t2015-07-28T09:46:00.12345Z""# },
            Example { expr: r#"["datetime", 1438076760123450000]"#, result: r#""~t2015-07-28T09:46:00.12345Z""# },
            Example { expr: r#"["datetime", ["list", 0, "hello", -1000000000]]"#, result: r#"["~t1970-01-01T00:00:00Z", "~t1969-12-31T23:59:59Z"]"# },
            Example { expr: r#"["datetime", ["datetime", 0], "hello"]"#, result: r#""~t1970-01-01T00:00:00Z""# },
        ],
        eval: datetime,
    },
    Builtin {
        name: "datetime-diff",
        family: Family::DateTime,
        signature: "DATEPART(string{1}) STARTDATE(value-expression{1}) ENDDATE(value-expression{1})",
        summary: "STARTDATE minus ENDDATE in whole DATEPART units (year, month, week, day, hour, minute, second, millisecond, microsecond, nanosecond), truncated toward zero; months and years are calendar differences.",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["datetime-diff", "day", "~t2015-07-28T00:00:00Z", "~t2015-07-29T00:00:00Z"]"#, result: "-1" },
            Example { expr: r#"["datetime-diff", "month", "~t2015-03-02T00:00:00Z", "~t2016-07-29T00:00:00Z"]"#, result: "-16" },
            Example { expr: r#"["datetime-diff", "year", "~t2015-03-02T00:00:00Z", "~t2016-07-29T00:00:00Z"]"#, result: "-1" },
        ],
        eval: datetime_diff,
    },
    Builtin {
        name: "datetime-format",
        family: Family::DateTime,
        signature: "TIMEZONE_NAME(string{0|1}) FORMATSTRING(string{1}) VALUES(value-expression{1})",
        summary: "Renders each datetime as wall-clock text in the time zone (default UTC) with the directives %d %e %H %I %m %M %p %S %f %y %Y %z %%; non-datetimes are dropped.",
        min_args: 2,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["datetime-format", "%Y-%m-%d %H:%M:%S", "~t2018-08-18T12:39:01Z"]"#, result: r#""2018-08-18 12:39:01""# },
            Example { expr: r#"["datetime-format", "Europe/Oslo", "%Y-%m-%d %H:%M:%S %z", "~t2018-08-18T12:39:01Z"]"#, result: r#""2018-08-18 14:39:01 +0200""# },
        ],
        eval: datetime_format,
    },
    Builtin {
        name: "datetime-parse",
        family: Family::DateTime,
        signature: "TIMEZONE_NAME(string{0|1}) FORMATSTRING(string{1}) VALUES(value-expression{1})",
        summary: "Reads each string with the format as wall-clock time in the time zone (default UTC; a %z offset, last in the format, wins); strings that do not match are dropped.",
        min_args: 2,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["datetime-parse", "%Y-%m-%dT%H:%M:%S%z", "2015-07-28T09:46:00+0200"]"#, result: r#""~t2015-07-28T07:46:00Z""# },
            Example { expr: r#"["datetime-parse", "%d.%m.%Y", ["list", "28.07.2015", "garbage"]]"#, result: r#"["~t2015-07-28T00:00:00Z"]"# },
            Example { expr: r#"["datetime-parse", "Europe/Oslo", "%Y-%m-%dT%H:%M:%S", "2018-08-18T12:39:01"]"#, result: r#""~t2018-08-18T10:39:01Z""# },
        ],
        eval: datetime_parse,
    },
    Builtin {
        name: "datetime-plus",
        family: Family::DateTime,
        signature: "DATEPART(string{1}) VALUE(integer{1}) VALUES(value-expression{1})",
        summary: "Adds VALUE (may be negative) DATEPART units to each datetime; months and years are calendar steps clamped to the month's last day.",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["datetime-plus", "hour", -1, "~t2016-03-01T00:00:00Z"]"#, result: r#""~t2016-02-29T23:00:00Z""# },
            Example { expr: r#"["datetime-plus", "month", 1, "~t2015-01-31T00:00:00Z"]"#, result: r#""~t2015-02-28T00:00:00Z""# },
        ],
        eval: datetime_plus,
    },
    Builtin {
        name: "datetime-shift",
        family: Family::DateTime,
        signature: "FROM_TIMEZONE(string{1}) TO_TIMEZONE(string{1}) VALUES(value-expression{1})",
        summary: "Reads each datetime's wall-clock fields as a time in FROM_TIMEZONE and gives that instant's wall-clock reading in TO_TIMEZONE (stored as UTC).",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["datetime-shift", "Europe/Oslo", "UTC", "~t2015-07-28T09:46:00Z"]"#, result: r#""~t2015-07-28T07:46:00Z""# },
            Example { expr: r#"["datetime-shift", "UTC", "Europe/Oslo", "~t2015-07-28T09:46:00Z"]"#, result: r#""~t2015-07-28T11:46:00Z""# },
        ],
        eval: datetime_shift,
    },
    Builtin {
        name: "is-datetime",
        family: Family::DateTime,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a datetime.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-datetime", ["list", "~t2015-07-28T09:46:00Z", "x"]]"#, result: "true" },
            Example { expr: r#"["is-datetime", "2015-07-28T09:46:00.12345Z"]"#, result: "false" },
        ],
        eval: is_datetime,
    },
    Builtin {
        name: "now",
        family: Family::DateTime,
        signature: "NONE(value-expression{0})",
        summary: "The current time (UTC), read from the clock at each call.",
        min_args: 0,
        max_args: Some(0),
        form: Form::Plain,
        examples: &[Example { expr: r#"["is-datetime", ["now"]]"#, result: "true" }],
        eval: now,
    },
];

#[cfg(test)]
mod tests {
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::{equal, wire, Value};

    /// Evaluates a JSON DTL expression: `Ok(wire JSON text)` or `Err(message)`.
    fn eval(expr: &str) -> Result<Value, String> {
        let json: serde_json::Value = serde_json::from_str(expr).expect("test JSON");
        let src = source("test", expr);
        let compiled = Program::compile_expression(&Node::from_json(&json), &src).map_err(|e| e.to_string())?;
        compiled.evaluate(&Value::dict(Default::default()), &Value::dict(Default::default())).map_err(|e| e.to_string())
    }

    fn check(expr: &str, expected: &str) {
        let got = eval(expr).unwrap_or_else(|e| panic!("{expr} failed: {e}"));
        let want = wire::parse(expected.as_bytes()).expect("expected wire JSON");
        assert!(equal(&got, &want), "{expr}\n  gave {got}\n  want {expected}");
    }

    fn fails(expr: &str) {
        assert!(eval(expr).is_err(), "{expr} should fail");
    }

    #[test]
    fn range_ends() {
        let min = r#""~t0001-01-01T00:00:00Z""#;
        let max = r#""~t9999-12-31T23:59:59.999999999Z""#;
        check(&format!(r#"["datetime-plus", "nanosecond", -1, {min}]"#), "null");
        check(&format!(r#"["datetime-plus", "nanosecond", 1, {max}]"#), "null");
        check(&format!(r#"["datetime-plus", "nanosecond", -1, {max}]"#), r#""~t9999-12-31T23:59:59.999999998Z""#);
        check(&format!(r#"["datetime-plus", "year", 9998, {min}]"#), r#""~t9999-01-01T00:00:00Z""#);
        check(&format!(r#"["datetime-plus", "year", 9999, {min}]"#), "null");
        check(&format!(r#"["datetime-plus", "month", -1, {min}]"#), "null");
        check(&format!(r#"["datetime-plus", "day", 9223372036854775807, {min}]"#), "null");
        check(&format!(r#"["datetime-plus", "year", -9223372036854775808, {max}]"#), "null");
        check(&format!(r#"["datetime-plus", "day", ["datetime-diff", "nanosecond", {max}, {min}], {min}]"#), "null");
        check(&format!(r#"["datetime-diff", "nanosecond", {max}, {min}]"#), "315537897599999999999");
        check(&format!(r#"["datetime-diff", "year", {max}, {min}]"#), "9998");
        check(&format!(r#"["datetime-diff", "month", {min}, {max}]"#), "-119987");
        check(&format!(r#"["datetime-format", "%Y-%m-%d %H:%M:%S.%f", {max}]"#), r#""9999-12-31 23:59:59.999999""#);
        check(&format!(r#"["datetime-format", "%Y-%m-%d %H:%M:%S", {min}]"#), r#""0001-01-01 00:00:00""#);
        // The wall clock would leave 0001–9999.
        check(&format!(r#"["datetime-format", "Asia/Tokyo", "%Y", {max}]"#), "null");
        check(&format!(r#"["datetime-format", "America/New_York", "%Y", {min}]"#), "null");
        check(&format!(r#"["datetime-shift", "UTC", "Asia/Tokyo", {max}]"#), "null");
        check(&format!(r#"["datetime-shift", "Asia/Tokyo", "UTC", {min}]"#), "null");
        check(
            r#"["datetime-parse", "%Y-%m-%d %H:%M:%S.%f", "9999-12-31 23:59:59.999999"]"#,
            r#""~t9999-12-31T23:59:59.999999Z""#,
        );
        check(r#"["datetime-parse", "Asia/Tokyo", "%Y-%m-%d", "0001-01-01"]"#, "null");
        check(r#"["datetime-parse", "%Y-%m-%d%z", "9999-12-31-0100"]"#, r#""~t9999-12-31T01:00:00Z""#);
        check(r#"["datetime-parse", "%Y-%m-%d%z", "0001-01-01+0100"]"#, "null");
        // Integers beyond i64 (made with datetime-diff: JSON test literals would turn into floats).
        let epoch = r#""~t1970-01-01T00:00:00Z""#;
        check(&format!(r#"["datetime", ["datetime-diff", "nanosecond", {min}, {epoch}]]"#), min);
        check(&format!(r#"["datetime", ["datetime-diff", "nanosecond", {max}, {epoch}]]"#), max);
        check(&format!(r#"["datetime", ["list", ["datetime-diff", "nanosecond", {max}, {min}], -1e30, 1.0]]"#), "[]");
    }

    #[test]
    fn across_dst_changes() {
        // Oslo, spring forward 2015-03-29 02:00 → 03:00 and fall back 03:00 → 02:00 on 2015-10-25.
        check(r#"["datetime-format", "Europe/Oslo", "%H:%M %z", "~t2015-03-29T00:59:59Z"]"#, r#""01:59 +0100""#);
        check(r#"["datetime-format", "Europe/Oslo", "%H:%M %z", "~t2015-03-29T01:00:00Z"]"#, r#""03:00 +0200""#);
        check(r#"["datetime-format", "Europe/Oslo", "%H:%M %z", "~t2015-10-25T00:30:00Z"]"#, r#""02:30 +0200""#);
        check(r#"["datetime-format", "Europe/Oslo", "%H:%M %z", "~t2015-10-25T01:30:00Z"]"#, r#""02:30 +0100""#);
        // A reading in the gap takes the offset before it; an ambiguous one the standard time.
        check(
            r#"["datetime-parse", "Europe/Oslo", "%Y-%m-%d %H:%M", "2015-03-29 02:30"]"#,
            r#""~t2015-03-29T01:30:00Z""#,
        );
        check(
            r#"["datetime-parse", "Europe/Oslo", "%Y-%m-%d %H:%M", "2015-10-25 02:30"]"#,
            r#""~t2015-10-25T01:30:00Z""#,
        );
        check(
            r#"["datetime-parse", "America/New_York", "%Y-%m-%d %H:%M", "2015-11-01 01:30"]"#,
            r#""~t2015-11-01T06:30:00Z""#,
        );
        // Southern hemisphere, and DST after the tz tables end (2099).
        check(r#"["datetime-format", "Australia/Sydney", "%H:%M", "~t2015-01-15T00:00:00Z"]"#, r#""11:00""#);
        check(r#"["datetime-format", "Australia/Sydney", "%H:%M", "~t2015-07-15T00:00:00Z"]"#, r#""10:00""#);
        check(r#"["datetime-format", "Europe/Oslo", "%H:%M", "~t2345-07-15T00:00:00Z"]"#, r#""02:00""#);
        check(r#"["datetime-format", "Europe/Oslo", "%H:%M", "~t2345-12-15T00:00:00Z"]"#, r#""01:00""#);
        // datetime-plus works in UTC: a day is always 24 hours.
        check(r#"["datetime-plus", "day", 1, "~t2015-03-28T12:00:00Z"]"#, r#""~t2015-03-29T12:00:00Z""#);
    }

    #[test]
    fn calendar_units() {
        check(r#"["datetime-diff", "month", "~t2015-02-28T00:00:00Z", "~t2015-01-31T00:00:00Z"]"#, "1");
        check(r#"["datetime-diff", "month", "~t2015-01-31T00:00:00Z", "~t2015-02-28T00:00:00Z"]"#, "0");
        check(r#"["datetime-diff", "month", "~t2015-03-01T00:00:00Z", "~t2015-02-01T00:00:00.000000001Z"]"#, "0");
        check(r#"["datetime-diff", "year", "~t2017-02-28T00:00:00Z", "~t2016-02-29T00:00:00Z"]"#, "1");
        check(r#"["datetime-diff", "day", "~t2015-01-01T12:00:00Z", "~t2015-01-03T00:00:00Z"]"#, "-1");
        check(r#"["datetime-diff", "week", "~t2015-07-09T00:00:00Z", "~t2015-07-01T00:00:00Z"]"#, "1");
        check(r#"["datetime-plus", "month", -13, "~t2016-03-31T10:00:00.5Z"]"#, r#""~t2015-02-28T10:00:00.5Z""#);
        check(r#"["datetime-plus", "year", 4, "~t2016-02-29T00:00:00Z"]"#, r#""~t2020-02-29T00:00:00Z""#);
        check(r#"["datetime-plus", "day", 1, "~t2015-12-31"]"#, r#""~t2016-01-01T00:00:00Z""#);
    }

    #[test]
    fn bad_input_is_dropped_or_null() {
        for values in [r#"null"#, r#"1.5"#, r#""x""#, r#"true"#, r#"{"a": 1}"#, r#"["list"]"#, r#""~rhttp://x""#] {
            for f in [
                r#"["datetime-format", "%Y", VALUES]"#,
                r#"["datetime-parse", "%Y", VALUES]"#,
                r#"["datetime-plus", "day", 1, VALUES]"#,
                r#"["datetime-shift", "UTC", "Europe/Oslo", VALUES]"#,
                r#"["datetime-diff", "day", VALUES, VALUES]"#,
                r#"["datetime", VALUES]"#,
                r#"["is-datetime", VALUES]"#,
            ] {
                let expr = f.replace("VALUES", values);
                eval(&expr).unwrap_or_else(|e| panic!("{expr}: {e}"));
            }
        }
        check(
            r#"["datetime", ["list", 1.5, "2015-07-28", "2015-07-28T09:46:00", null, 0]]"#,
            r#"["~t1970-01-01T00:00:00Z"]"#,
        );
        check(r#"["datetime-plus", "day", "1", "~t2015-07-28T00:00:00Z"]"#, "null");
        check(r#"["datetime", 0, ["list", null, "x", 1000000000]]"#, r#"[0, "~t1970-01-01T00:00:01Z"]"#);
        check(r#"["datetime", 0, null]"#, "null");
        check(r#"["datetime", ["string", "_."], ["list", 1.5]]"#, r#"["1.5"]"#);
        check(r#"["datetime-diff", "day", "~t2015-07-28T00:00:00Z", null]"#, "null");
        // Computed settings that are not usable give null.
        check(r#"["datetime-format", ["concat", "Mars/", "Olympus"], "%Y", "~t2015-07-28T00:00:00Z"]"#, "null");
        check(r#"["datetime-format", ["concat", "%", "Q"], "~t2015-07-28T00:00:00Z"]"#, "null");
        check(r#"["datetime-plus", ["concat", "fort", "night"], 1, "~t2015-07-28T00:00:00Z"]"#, "null");
        check(r#"["datetime-format", ["concat", "Europe/", "Oslo"], "%H", "~t2015-07-28T00:00:00Z"]"#, r#""02""#);
    }

    #[test]
    fn constant_settings_are_checked() {
        fails(r#"["datetime-shift", "Mars/Olympus_Mons", "UTC", "~t2015-07-28T09:46:00Z"]"#);
        fails(r#"["datetime-format", "Nowhere", "%Y", null]"#);
        fails(r#"["datetime-format", "%a", "~t2015-07-28T09:46:00Z"]"#);
        fails(r#"["datetime-parse", "%z %Y", "+0100 2015"]"#);
        fails(r#"["datetime-parse", 5, "2015"]"#);
        fails(r#"["datetime-plus", "fortnight", 1, "~t2015-07-28T09:46:00Z"]"#);
        fails(r#"["datetime-diff", "days", "~t2015-07-28T09:46:00Z", "~t2015-07-28T09:46:00Z"]"#);
    }
}
