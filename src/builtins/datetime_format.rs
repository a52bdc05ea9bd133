//! The strftime/strptime directive engine shared by `datetime-format` and
//! `datetime-parse` (spec C.1.1).
//!
//! Both directions interpret the format string directly (no intermediate
//! representation, nothing allocated per directive): formatting appends to a
//! caller-owned buffer, parsing is a small backtracking matcher that reproduces
//! the regular expressions Python's `strptime` builds for each directive,
//! including its first-match-then-check-the-rest behaviour.

use super::datetime_civil::{days_in_month, Civil};

/// Which function a format string is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `datetime-format` (strftime).
    Format,
    /// `datetime-parse` (strptime): `%z` must be the last token.
    Parse,
}

/// The documented directives.
const DIRECTIVES: &[u8] = b"deHImMpSfyYz%";

/// Checks a format string: only documented directives, no lone `%` at the end,
/// and (for parsing) `%z` only as the last token. The message says what is wrong.
pub fn check(fmt: &str, mode: Mode) -> Result<(), String> {
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' {
            i += 1;
            continue;
        }
        let Some(&d) = b.get(i + 1) else {
            return Err("the format string ends with a lone `%`".into());
        };
        if !DIRECTIVES.contains(&d) {
            let c = fmt[i + 1..].chars().next().unwrap_or('?');
            return Err(format!(
                "`%{c}` is not a supported directive (the directives are %d %e %H %I %m %M %p %S %f %y %Y %z %%)"
            ));
        }
        if d == b'z' && mode == Mode::Parse && i + 2 != b.len() {
            return Err("`%z` must be the last token of a datetime-parse format".into());
        }
        i += 2;
    }
    Ok(())
}

fn push2(out: &mut String, n: u32) {
    out.push((b'0' + (n / 10 % 10) as u8) as char);
    out.push((b'0' + (n % 10) as u8) as char);
}

fn push_padded(out: &mut String, n: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut n = n;
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = i.min(buf.len() - width.min(buf.len()));
    // Digits are ASCII, so this is valid UTF-8.
    out.push_str(std::str::from_utf8(&buf[start..]).unwrap_or_default());
}

/// Appends `fmt` rendered for the wall-clock fields `c`, the sub-second part `nanos`
/// and the zone offset `offset` (seconds east). The format must have passed [`check`].
pub fn format_into(fmt: &str, c: &Civil, nanos: u32, offset: i32, out: &mut String) {
    let b = fmt.as_bytes();
    let mut i = 0;
    let mut lit = 0;
    while i < b.len() {
        if b[i] != b'%' || i + 1 >= b.len() {
            i += 1;
            continue;
        }
        out.push_str(&fmt[lit..i]);
        match b[i + 1] {
            b'd' => push2(out, c.day),
            b'e' => push_padded(out, u64::from(c.day), 1),
            b'H' => push2(out, c.hour),
            b'I' => push2(out, if c.hour.is_multiple_of(12) { 12 } else { c.hour % 12 }),
            b'm' => push2(out, c.month),
            b'M' => push2(out, c.minute),
            b'p' => out.push_str(if c.hour < 12 { "AM" } else { "PM" }),
            b'S' => push2(out, c.second),
            b'f' => push_padded(out, u64::from(nanos / 1000), 6),
            b'y' => push2(out, c.year.rem_euclid(100) as u32),
            b'Y' => {
                if c.year < 0 {
                    out.push('-');
                }
                push_padded(out, c.year.unsigned_abs(), 4)
            }
            b'z' => {
                out.push(if offset < 0 { '-' } else { '+' });
                let a = offset.unsigned_abs();
                push2(out, a / 3600);
                push2(out, a / 60 % 60);
                if !a.is_multiple_of(60) {
                    push2(out, a % 60);
                }
            }
            b'%' => out.push('%'),
            _ => out.push_str(&fmt[i..i + 2]),
        }
        i += 2;
        lit = i;
    }
    out.push_str(&fmt[lit..]);
}

/// What a successful parse read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// The wall-clock fields (defaults: 1900-01-01 00:00:00).
    pub civil: Civil,
    /// Microseconds (`%f`).
    pub micros: u32,
    /// The `%z` offset in seconds east, when the format had one.
    pub offset: Option<i32>,
}

/// Parses `text` with `fmt` (which must have passed [`check`] for [`Mode::Parse`]).
/// `None` when it does not match, leaves text over, or names an invalid date/time.
pub fn parse(fmt: &str, text: &str) -> Option<Parsed> {
    let mut m = Matcher { fmt: fmt.as_bytes(), text, steps: 0, f: Fields::default() };
    let end = m.run(0, 0, 0)?;
    if end != text.len() {
        return None;
    }
    m.f.finish()
}

#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<u32>,
    /// The hour as last set: `(value, from_12_hour_clock)`.
    hour: Option<(u32, bool)>,
    pm: Option<bool>,
    minute: Option<u32>,
    second: Option<u32>,
    micros: Option<u32>,
    offset: Option<i32>,
}

impl Fields {
    fn set(&mut self, d: u8, v: i64) {
        match d {
            b'd' | b'e' => self.day = Some(v as u32),
            b'H' => self.hour = Some((v as u32, false)),
            b'I' => self.hour = Some((v as u32, true)),
            b'm' => self.month = Some(v as u32),
            b'M' => self.minute = Some(v as u32),
            b'p' => self.pm = Some(v != 0),
            b'S' => self.second = Some(v as u32),
            b'f' => self.micros = Some(v as u32),
            b'y' => self.year = Some(if v <= 68 { 2000 + v } else { 1900 + v }),
            b'Y' => self.year = Some(v),
            b'z' => self.offset = Some(v as i32),
            _ => {}
        }
    }

    fn finish(&self) -> Option<Parsed> {
        let year = self.year.unwrap_or(1900);
        let month = self.month.unwrap_or(1);
        let day = self.day.unwrap_or(1);
        let hour = match self.hour {
            None => 0,
            Some((h, false)) => h,
            // Python: 12 AM (or 12 without %p) is hour 0; PM adds 12 except to 12.
            Some((h, true)) => match self.pm {
                Some(true) if h != 12 => h + 12,
                Some(true) => 12,
                _ if h == 12 => 0,
                _ => h,
            },
        };
        let minute = self.minute.unwrap_or(0);
        let second = self.second.unwrap_or(0);
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
        {
            return None;
        }
        Some(Parsed {
            civil: Civil { year, month, day, hour, minute, second },
            micros: self.micros.unwrap_or(0),
            offset: self.offset,
        })
    }
}

/// Most backtracking steps one parse may take (formats are short; this only
/// bounds pathological ones).
const STEP_LIMIT: u32 = 20_000;
/// Deepest nesting of choice points.
const DEPTH_LIMIT: u32 = 400;

struct Matcher<'a> {
    fmt: &'a [u8],
    text: &'a str,
    steps: u32,
    f: Fields,
}

/// Up to six `(length, value)` alternatives, in the order Python's regex tries them.
struct Alts {
    items: [(usize, i64); 6],
    len: usize,
}

impl Alts {
    fn new() -> Alts {
        Alts { items: [(0, 0); 6], len: 0 }
    }
    fn push(&mut self, len: usize, v: i64) {
        if self.len < self.items.len() {
            self.items[self.len] = (len, v);
            self.len += 1;
        }
    }
}

fn digit(t: &[u8], i: usize) -> Option<i64> {
    t.get(i).filter(|c| c.is_ascii_digit()).map(|c| i64::from(c - b'0'))
}

fn digit_in(t: &[u8], i: usize, lo: u8, hi: u8) -> Option<i64> {
    t.get(i).filter(|c| (lo..=hi).contains(c)).map(|c| i64::from(c - b'0'))
}

/// The alternatives of directive `d` at the start of `t`.
fn alternatives(d: u8, t: &[u8]) -> Alts {
    let mut a = Alts::new();
    let two = |x: Option<i64>, y: Option<i64>| x.zip(y).map(|(x, y)| x * 10 + y);
    match d {
        // 3[01] | [12]\d | 0[1-9] | [1-9] | ' '[1-9]
        b'd' | b'e' => {
            if let Some(v) = two(digit_in(t, 0, b'3', b'3'), digit_in(t, 1, b'0', b'1')) {
                a.push(2, v);
            }
            if let Some(v) = two(digit_in(t, 0, b'1', b'2'), digit(t, 1)) {
                a.push(2, v);
            }
            if let Some(v) = two(digit_in(t, 0, b'0', b'0'), digit_in(t, 1, b'1', b'9')) {
                a.push(2, v);
            }
            if let Some(v) = digit_in(t, 0, b'1', b'9') {
                a.push(1, v);
            }
            if t.first() == Some(&b' ') {
                if let Some(v) = digit_in(t, 1, b'1', b'9') {
                    a.push(2, v);
                }
            }
        }
        // 2[0-3] | [0-1]\d | \d
        b'H' => {
            if let Some(v) = two(digit_in(t, 0, b'2', b'2'), digit_in(t, 1, b'0', b'3')) {
                a.push(2, v);
            }
            if let Some(v) = two(digit_in(t, 0, b'0', b'1'), digit(t, 1)) {
                a.push(2, v);
            }
            if let Some(v) = digit(t, 0) {
                a.push(1, v);
            }
        }
        // 1[0-2] | 0[1-9] | [1-9]
        b'I' | b'm' => {
            if let Some(v) = two(digit_in(t, 0, b'1', b'1'), digit_in(t, 1, b'0', b'2')) {
                a.push(2, v);
            }
            if let Some(v) = two(digit_in(t, 0, b'0', b'0'), digit_in(t, 1, b'1', b'9')) {
                a.push(2, v);
            }
            if let Some(v) = digit_in(t, 0, b'1', b'9') {
                a.push(1, v);
            }
        }
        // [0-5]\d | \d
        b'M' => {
            if let Some(v) = two(digit_in(t, 0, b'0', b'5'), digit(t, 1)) {
                a.push(2, v);
            }
            if let Some(v) = digit(t, 0) {
                a.push(1, v);
            }
        }
        // 6[0-1] | [0-5]\d | \d   (60 and 61 match but are rejected as invalid seconds)
        b'S' => {
            if let Some(v) = two(digit_in(t, 0, b'6', b'6'), digit_in(t, 1, b'0', b'1')) {
                a.push(2, v);
            }
            if let Some(v) = two(digit_in(t, 0, b'0', b'5'), digit(t, 1)) {
                a.push(2, v);
            }
            if let Some(v) = digit(t, 0) {
                a.push(1, v);
            }
        }
        // \d\d
        b'y' => {
            if let Some(v) = two(digit(t, 0), digit(t, 1)) {
                a.push(2, v);
            }
        }
        // \d\d\d\d
        b'Y' => {
            if let (Some(hi), Some(lo)) = (two(digit(t, 0), digit(t, 1)), two(digit(t, 2), digit(t, 3))) {
                a.push(4, hi * 100 + lo);
            }
        }
        // [0-9]{1,6}, greedy: right-padded to microseconds
        b'f' => {
            let n = t.iter().take(6).take_while(|c| c.is_ascii_digit()).count();
            for len in (1..=n).rev() {
                let mut v = 0i64;
                for c in &t[..len] {
                    v = v * 10 + i64::from(c - b'0');
                }
                a.push(len, v * 10i64.pow(6 - len as u32));
            }
        }
        // am | pm, any case
        b'p' => {
            if let Some(p) = t.get(..2) {
                if p.eq_ignore_ascii_case(b"am") {
                    a.push(2, 0);
                } else if p.eq_ignore_ascii_case(b"pm") {
                    a.push(2, 1);
                }
            }
        }
        // [+-]HH[:]MM([:]SS)? | Z — the colon, when used, is used throughout
        b'z' => {
            if t.first() == Some(&b'Z') {
                a.push(1, 0);
            } else if let Some(sign) = t.first().and_then(|c| match c {
                b'+' => Some(1i64),
                b'-' => Some(-1),
                _ => None,
            }) {
                if let Some(h) = two(digit(t, 1), digit(t, 2)) {
                    let colon = t.get(3) == Some(&b':');
                    let at = if colon { 4 } else { 3 };
                    if let Some(m) = two(digit_in(t, at, b'0', b'5'), digit(t, at + 1)) {
                        let base = h * 3600 + m * 60;
                        let sec_at = at + 2 + usize::from(colon);
                        let sep_ok = !colon || t.get(at + 2) == Some(&b':');
                        if let (true, Some(s)) = (sep_ok, two(digit_in(t, sec_at, b'0', b'5'), digit(t, sec_at + 1))) {
                            if base + s < 86_400 {
                                a.push(sec_at + 2, sign * (base + s));
                            }
                        }
                        if base < 86_400 {
                            a.push(at + 2, sign * base);
                        }
                    }
                }
            }
        }
        b'%' if t.first() == Some(&b'%') => a.push(1, 0),
        _ => {}
    }
    a
}

fn chars_match_ignoring_case(a: char, b: char) -> bool {
    a == b || (a.is_ascii() && b.is_ascii() && a.eq_ignore_ascii_case(&b)) || a.to_lowercase().eq(b.to_lowercase())
}

impl Matcher<'_> {
    /// Matches the format from byte `fi` against the text from byte `ti`; the end of
    /// the text the first complete match reaches (Python's regex `match` order).
    fn run(&mut self, mut fi: usize, mut ti: usize, depth: u32) -> Option<usize> {
        loop {
            self.steps += 1;
            if self.steps > STEP_LIMIT || depth > DEPTH_LIMIT {
                return None;
            }
            if fi >= self.fmt.len() {
                return Some(ti);
            }
            let rest = &self.text[ti..];
            if self.fmt[fi] == b'%' {
                let d = *self.fmt.get(fi + 1)?;
                let alts = alternatives(d, rest.as_bytes());
                if alts.len == 1 {
                    // No choice to come back to.
                    let (len, v) = alts.items[0];
                    self.f.set(d, v);
                    fi += 2;
                    ti += len;
                    continue;
                }
                for &(len, v) in &alts.items[..alts.len] {
                    self.f.set(d, v);
                    if let Some(end) = self.run(fi + 2, ti + len, depth + 1) {
                        return Some(end);
                    }
                }
                return None;
            }
            // `fmt` came from a `&str` and `fi` is always on a char boundary.
            let fmt = std::str::from_utf8(&self.fmt[fi..]).ok()?;
            let fc = fmt.chars().next()?;
            if fc.is_whitespace() {
                // A run of whitespace in the format is `\s+`: greedy, backtracking.
                let run_len: usize = fmt.chars().take_while(|c| c.is_whitespace()).map(char::len_utf8).sum();
                let ws: usize = rest.chars().take_while(|c| c.is_whitespace()).map(char::len_utf8).sum();
                if ws == 0 {
                    return None;
                }
                let mut end = ws;
                loop {
                    if let Some(found) = self.run(fi + run_len, ti + end, depth + 1) {
                        return Some(found);
                    }
                    // Step back one character.
                    end = rest[..end].char_indices().next_back().map(|(i, _)| i)?;
                    if end == 0 {
                        return None;
                    }
                }
            }
            let tc = rest.chars().next()?;
            if !chars_match_ignoring_case(fc, tc) {
                return None;
            }
            fi += fc.len_utf8();
            ti += tc.len_utf8();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Read = (i64, u32, u32, u32, u32, u32, u32, Option<i32>);

    fn p(fmt: &str, text: &str) -> Option<Read> {
        check(fmt, Mode::Parse).unwrap();
        parse(fmt, text).map(|r| {
            let c = r.civil;
            (c.year, c.month, c.day, c.hour, c.minute, c.second, r.micros, r.offset)
        })
    }

    fn f(fmt: &str, c: Civil, nanos: u32, offset: i32) -> String {
        check(fmt, Mode::Format).unwrap();
        let mut s = String::new();
        format_into(fmt, &c, nanos, offset, &mut s);
        s
    }

    #[test]
    fn checks_directives() {
        assert!(check("%Y-%m-%d %H:%M:%S.%f %p %I %e %y %z %%", Mode::Format).is_ok());
        assert!(check("%a", Mode::Format).is_err());
        assert!(check("%Y%", Mode::Format).is_err());
        assert!(check("%é", Mode::Parse).is_err());
        assert!(check("%z %Y", Mode::Parse).is_err());
        assert!(check("%z %Y", Mode::Format).is_ok());
        assert!(check("%Y%z", Mode::Parse).is_ok());
    }

    #[test]
    fn formats_every_directive() {
        let c = Civil { year: 5, month: 7, day: 8, hour: 0, minute: 4, second: 9 };
        assert_eq!(
            f("%Y|%y|%m|%d|%e|%H|%I|%p|%M|%S|%f|%%|%z", c, 123_456_789, 0),
            "0005|05|07|08|8|00|12|AM|04|09|123456|%|+0000"
        );
        let c = Civil { year: 2015, month: 12, day: 31, hour: 13, minute: 0, second: 0 };
        assert_eq!(f("%I %p %z", c, 0, -(5 * 3600 + 30 * 60)), "01 PM -0530");
        assert_eq!(f("é %Y ø", c, 0, 0), "é 2015 ø");
        assert_eq!(f("%z", c, 0, 3600 + 7), "+010007");
    }

    #[test]
    fn parses_like_python_strptime() {
        assert_eq!(p("%d.%m.%Y", "28.07.2015"), Some((2015, 7, 28, 0, 0, 0, 0, None)));
        assert_eq!(p("%d.%m.%Y", "1.7.2015"), Some((2015, 7, 1, 0, 0, 0, 0, None)));
        assert_eq!(p("%S.%f", "01.12345"), Some((1900, 1, 1, 0, 0, 1, 123_450, None)));
        assert_eq!(p("%S.%f", "01.1234567"), None);
        assert_eq!(p("%m%d", "111"), Some((1900, 11, 1, 0, 0, 0, 0, None)));
        assert_eq!(p("%H%M", "930"), Some((1900, 1, 1, 9, 30, 0, 0, None)));
        assert_eq!(p("%Y-%m-%dT%H:%M:%SZ", "2015-07-28t09:46:00z"), Some((2015, 7, 28, 9, 46, 0, 0, None)));
        assert_eq!(p("%Y %m", "2015 \t 7"), Some((2015, 7, 1, 0, 0, 0, 0, None)));
        assert_eq!(p("%Y %m", "20157"), None);
        assert_eq!(p("%I %p", "12 AM"), Some((1900, 1, 1, 0, 0, 0, 0, None)));
        assert_eq!(p("%I %p", "12 pm"), Some((1900, 1, 1, 12, 0, 0, 0, None)));
        assert_eq!(p("%I %p", "1 Pm"), Some((1900, 1, 1, 13, 0, 0, 0, None)));
        assert_eq!(p("%I", "12"), Some((1900, 1, 1, 0, 0, 0, 0, None)));
        assert_eq!(p("%y", "68"), Some((2068, 1, 1, 0, 0, 0, 0, None)));
        assert_eq!(p("%y", "69"), Some((1969, 1, 1, 0, 0, 0, 0, None)));
        assert_eq!(p("%H:%M%z", "10:00+0200"), Some((1900, 1, 1, 10, 0, 0, 0, Some(7200))));
        assert_eq!(p("%H:%M%z", "10:00-01:30"), Some((1900, 1, 1, 10, 0, 0, 0, Some(-5400))));
        assert_eq!(p("%H:%M%z", "10:00Z"), Some((1900, 1, 1, 10, 0, 0, 0, Some(0))));
        assert_eq!(p("%H:%M%z", "10:00+01:3000"), None);
        assert_eq!(p("%H:%M%z", "10:00+0130:00"), None);
        assert_eq!(p("%H:%M%z", "10:00+2400"), None);
        // Python stops at the first match and then complains about leftover text.
        assert_eq!(p("%d", "123"), None);
    }

    #[test]
    fn rejects_invalid_dates_and_times() {
        assert_eq!(p("%d.%m.%Y", "31.02.2015"), None);
        assert_eq!(p("%d.%m.%Y", "29.02.2015"), None);
        assert!(p("%d.%m.%Y", "29.02.2016").is_some());
        assert_eq!(p("%d.%m", "29.02"), None, "default year 1900 is not a leap year");
        assert_eq!(p("%Y", "0000"), None);
        assert_eq!(p("%S", "60"), None);
        assert_eq!(p("%Y", "10000"), None);
        assert!(p("%Y-%m-%d", "0001-01-01").is_some());
        assert!(p("%Y-%m-%d %H:%M:%S.%f", "9999-12-31 23:59:59.999999").is_some());
    }

    #[test]
    fn pathological_formats_terminate() {
        let fmt = "%d".repeat(2000);
        check(&fmt, Mode::Parse).unwrap();
        assert_eq!(parse(&fmt, &"1".repeat(3999)), None);
        let fmt = " ".repeat(100) + &"%M".repeat(40);
        assert_eq!(parse(&fmt, &(" ".repeat(500) + &"1".repeat(79) + "x")), None);
        assert_eq!(parse("%Y", ""), None);
        assert_eq!(
            parse("", ""),
            Some(Parsed {
                civil: Civil { year: 1900, month: 1, day: 1, hour: 0, minute: 0, second: 0 },
                micros: 0,
                offset: None
            })
        );
    }
}
