//! Sesam's entity wire format: JSON in which strings tagged `~t ~f ~b ~r ~u ~:`
//! stand for datetimes, decimals, bytes, URIs, UUIDs and namespaced identifiers.
//!
//! The reader is hand-written rather than going through `serde_json::Value`: it
//! builds [`Value`]s directly (one pass, no intermediate tree), keeps integers of
//! any size exactly, and lets a repeated key replace the earlier one, as Sesam's
//! Python reader does.

use std::sync::Arc;

use base64::Engine as _;
use bigdecimal::BigDecimal;

use super::datetime::parse_date;
use super::number::is_decimal_text;
use super::{DateTime, Map, Str, Value};

mod writer;
pub(crate) use writer::find_special;
pub use writer::{format_decimal, format_float, format_uuid, tagged_text, to_string, write, write_str};

/// Why a text is not valid JSON, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WireError {
    /// Byte offset of the problem.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for WireError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.message, self.offset)
    }
}

impl std::error::Error for WireError {}

/// Nesting deeper than this is rejected rather than risking the stack.
const MAX_DEPTH: usize = 512;

/// Parses one JSON document (surrounding whitespace allowed) into a wire-decoded value.
pub fn parse(text: &[u8]) -> Result<Value, WireError> {
    parse_with(text, true)
}

/// Parses the first JSON value of `text` (after any whitespace) and gives it with
/// the number of bytes it took. Lets a reader parse a stream of values in place.
pub fn parse_prefix(text: &str) -> Result<(Value, usize), WireError> {
    let mut r = Reader { b: text.as_bytes(), i: 0, depth: 0, transit: true, scratch: take_scratch() };
    r.ws();
    let v = r.value();
    put_scratch(std::mem::take(&mut r.scratch));
    Ok((v?, r.i))
}

type Scratch = Vec<Vec<(Str, Value)>>;

thread_local! {
    /// The entry buffers of the last parse on this thread: a stream parses one entity
    /// after another, and growing fresh buffers for each was several allocations apiece.
    static SCRATCH: std::cell::Cell<Scratch> = const { std::cell::Cell::new(Vec::new()) };
}

fn take_scratch() -> Scratch {
    SCRATCH.with(|s| s.take())
}

fn put_scratch(mut scratch: Scratch) {
    // Keep only ordinary sizes: one huge object should not pin its buffer for the thread's life.
    const KEEP: usize = 1024;
    scratch.retain(|level| level.capacity() <= KEEP);
    SCRATCH.with(|s| s.set(scratch));
}

/// Parses one JSON document without decoding `~` tags (strings stay strings).
pub fn parse_plain(text: &[u8]) -> Result<Value, WireError> {
    parse_with(text, false)
}

fn parse_with(text: &[u8], transit: bool) -> Result<Value, WireError> {
    // Validating the whole text once is much cheaper than validating every string.
    if let Err(e) = std::str::from_utf8(text) {
        return Err(WireError { offset: e.valid_up_to(), message: "invalid UTF-8".to_string() });
    }
    let mut r = Reader { b: text, i: 0, depth: 0, transit, scratch: take_scratch() };
    r.ws();
    let v = r.value();
    put_scratch(std::mem::take(&mut r.scratch));
    let v = v?;
    r.ws();
    if r.i != r.b.len() {
        return Err(r.err("unexpected text after the JSON value"));
    }
    Ok(v)
}

/// Decodes a transit-tagged string; strings without a known tag (or with a
/// malformed payload) stay plain strings.
pub fn decode_string(s: &str) -> Value {
    let b = s.as_bytes();
    if b.len() < 2 || b[0] != b'~' {
        return Value::str(s);
    }
    let payload = &s[2..];
    let decoded = match b[1] {
        b't' => decode_datetime(payload),
        b'f' => payload.parse::<BigDecimal>().ok().filter(|_| is_decimal_text(payload)).map(Value::decimal),
        b'r' => Some(Value::Uri(Arc::from(payload))),
        b':' => Some(Value::Ni(Arc::from(payload))),
        b'u' => parse_uuid(payload).map(Value::Uuid),
        b'b' => base64::engine::general_purpose::STANDARD.decode(payload).ok().map(|v| Value::Bytes(Arc::from(v))),
        _ => None,
    };
    decoded.unwrap_or_else(|| Value::str(s))
}

fn decode_datetime(payload: &str) -> Option<Value> {
    if payload.len() == 10 {
        parse_date(payload).map(Value::Date)
    } else {
        DateTime::parse_wire(payload).map(Value::DateTime)
    }
}

/// Parses the canonical 8-4-4-4-12 hex form of a UUID.
pub fn parse_uuid(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut n: u128 = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
            continue;
        }
        n = (n << 4) | (c as char).to_digit(16)? as u128;
    }
    Some(n)
}

/// Shares the allocation of dict keys seen before on this thread: entities of a
/// stream repeat the same few keys, and one `Arc<str>` per key per entity was a
/// large part of the cost of reading them.
fn intern(key: &str) -> Str {
    const MAX_KEY: usize = 64;
    const MAX_KEYS: usize = 8192;
    thread_local! {
        static KEYS: std::cell::RefCell<rustc_hash::FxHashSet<Str>> = Default::default();
    }
    if key.len() > MAX_KEY {
        return Str::from(key);
    }
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        if let Some(k) = keys.get(key) {
            return k.clone();
        }
        let k = Str::from(key);
        if keys.len() < MAX_KEYS {
            keys.insert(k.clone());
        }
        k
    })
}

struct Reader<'a> {
    /// The text, known to be valid UTF-8.
    b: &'a [u8],
    i: usize,
    depth: usize,
    transit: bool,
    /// Entry buffers reused per nesting level, so building a dict allocates its map once.
    scratch: Vec<Vec<(Str, Value)>>,
}

impl<'a> Reader<'a> {
    fn err(&self, message: &str) -> WireError {
        WireError { offset: self.i, message: message.to_string() }
    }

    fn ws(&mut self) {
        while let Some(c) = self.b.get(self.i) {
            if matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                self.i += 1;
            } else {
                break;
            }
        }
    }

    fn value(&mut self) -> Result<Value, WireError> {
        match self.b.get(self.i) {
            None => Err(self.err("unexpected end of input")),
            Some(b'{') => self.object(),
            Some(b'[') => self.array(),
            Some(b'"') => {
                let transit = self.transit;
                let s = self.string()?;
                Ok(if transit { decode_string(&s) } else { Value::str(&s) })
            }
            Some(b't') => self.keyword(b"true", Value::Bool(true)),
            Some(b'f') => self.keyword(b"false", Value::Bool(false)),
            Some(b'n') => self.keyword(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => Err(self.err("expected a JSON value")),
        }
    }

    fn keyword(&mut self, word: &[u8], v: Value) -> Result<Value, WireError> {
        if self.b[self.i..].starts_with(word) {
            self.i += word.len();
            Ok(v)
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    fn enter(&mut self) -> Result<(), WireError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.err("nesting is too deep"));
        }
        self.i += 1;
        self.ws();
        Ok(())
    }

    fn object(&mut self) -> Result<Value, WireError> {
        self.enter()?;
        let level = self.depth;
        if self.scratch.len() < level {
            self.scratch.resize_with(level, Vec::new);
        }
        let mut entries = std::mem::take(&mut self.scratch[level - 1]);
        entries.clear();
        let result = self.object_entries(&mut entries);
        let map = result.map(|()| {
            let mut map = Map::with_capacity_and_hasher(entries.len(), Default::default());
            map.extend(entries.drain(..));
            Value::dict(map)
        });
        entries.clear();
        self.scratch[level - 1] = entries;
        map
    }

    fn object_entries(&mut self, entries: &mut Vec<(Str, Value)>) -> Result<(), WireError> {
        if self.b.get(self.i) == Some(&b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if self.b.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a string key"));
            }
            let key = intern(&self.string()?);
            self.ws();
            if self.b.get(self.i) != Some(&b':') {
                return Err(self.err("expected ':' after the key"));
            }
            self.i += 1;
            self.ws();
            let v = self.value()?;
            entries.push((key, v));
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b'}') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(());
                }
                _ => return Err(self.err("expected ',' or '}' in the object")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, WireError> {
        self.enter()?;
        let mut items = Vec::new();
        if self.b.get(self.i) == Some(&b']') {
            self.i += 1;
            self.depth -= 1;
            return Ok(Value::list(items));
        }
        loop {
            items.push(self.value()?);
            self.ws();
            match self.b.get(self.i) {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b']') => {
                    self.i += 1;
                    self.depth -= 1;
                    return Ok(Value::list(items));
                }
                _ => return Err(self.err("expected ',' or ']' in the list")),
            }
        }
    }

    /// Reads a string literal; borrows the input when it has no escapes.
    fn string(&mut self) -> Result<std::borrow::Cow<'a, str>, WireError> {
        let bytes: &'a [u8] = self.b;
        let start = self.i + 1;
        let mut j = find_special(bytes, start);
        while let Some(&c) = bytes.get(j) {
            match c {
                b'"' => {
                    // SAFETY: the whole text was validated as UTF-8 and `start`/`j` sit next to
                    // ASCII quotes, so they are character boundaries.
                    let s = unsafe { std::str::from_utf8_unchecked(&bytes[start..j]) };
                    self.i = j + 1;
                    return Ok(std::borrow::Cow::Borrowed(s));
                }
                b'\\' => return self.escaped_string(start, j).map(std::borrow::Cow::Owned),
                0..=0x1f => {
                    self.i = j;
                    return Err(self.err("control character in a string"));
                }
                _ => j += 1,
            }
        }
        self.i = j;
        Err(self.err("unterminated string"))
    }

    fn escaped_string(&mut self, start: usize, first_escape: usize) -> Result<String, WireError> {
        let mut buf: Vec<u8> = self.b[start..first_escape].to_vec();
        let mut j = first_escape;
        loop {
            let Some(&c) = self.b.get(j) else {
                self.i = j;
                return Err(self.err("unterminated string"));
            };
            match c {
                b'"' => break,
                b'\\' => {
                    let Some(&e) = self.b.get(j + 1) else {
                        self.i = j;
                        return Err(self.err("unterminated string"));
                    };
                    j += 2;
                    match e {
                        b'"' => buf.push(b'"'),
                        b'\\' => buf.push(b'\\'),
                        b'/' => buf.push(b'/'),
                        b'b' => buf.push(8),
                        b'f' => buf.push(12),
                        b'n' => buf.push(b'\n'),
                        b'r' => buf.push(b'\r'),
                        b't' => buf.push(b'\t'),
                        b'u' => {
                            let ch = self.unicode_escape(&mut j)?;
                            let mut tmp = [0u8; 4];
                            buf.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
                        }
                        _ => {
                            self.i = j - 1;
                            return Err(self.err("invalid escape in a string"));
                        }
                    }
                }
                0..=0x1f => {
                    self.i = j;
                    return Err(self.err("control character in a string"));
                }
                _ => {
                    buf.push(c);
                    j += 1;
                }
            }
        }
        self.i = j + 1;
        // Pieces of valid input and whole encoded characters: still valid UTF-8.
        String::from_utf8(buf).map_err(|_| self.err("invalid UTF-8 in a string"))
    }

    fn hex4(&self, at: usize) -> Option<u32> {
        let h = self.b.get(at..at + 4)?;
        let s = std::str::from_utf8(h).ok()?;
        u32::from_str_radix(s, 16).ok()
    }

    fn unicode_escape(&mut self, j: &mut usize) -> Result<char, WireError> {
        let bad = |r: &mut Self, at: usize| {
            r.i = at;
            r.err("invalid \\u escape")
        };
        let Some(hi) = self.hex4(*j) else {
            return Err(bad(self, *j));
        };
        *j += 4;
        if (0xD800..0xDC00).contains(&hi) {
            if self.b.get(*j..*j + 2) == Some(b"\\u") {
                if let Some(lo) = self.hex4(*j + 2).filter(|lo| (0xDC00..0xE000).contains(lo)) {
                    *j += 6;
                    let code = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    return char::from_u32(code).ok_or_else(|| bad(self, *j));
                }
            }
            // A lone surrogate cannot be held in a Rust string; Python would keep it.
            return Ok('\u{FFFD}');
        }
        Ok(char::from_u32(hi).unwrap_or('\u{FFFD}'))
    }

    fn number(&mut self) -> Result<Value, WireError> {
        let start = self.i;
        let b = self.b;
        let mut j = self.i;
        if b.get(j) == Some(&b'-') {
            j += 1;
        }
        let int_start = j;
        while b.get(j).is_some_and(u8::is_ascii_digit) {
            j += 1;
        }
        if j == int_start {
            self.i = j;
            return Err(self.err("expected digits"));
        }
        if b[int_start] == b'0' && j - int_start > 1 {
            self.i = int_start;
            return Err(self.err("leading zeros are not allowed in JSON numbers"));
        }
        let mut is_float = false;
        if b.get(j) == Some(&b'.') {
            is_float = true;
            j += 1;
            let frac_start = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if j == frac_start {
                self.i = j;
                return Err(self.err("expected digits after '.'"));
            }
        }
        if matches!(b.get(j), Some(b'e' | b'E')) {
            is_float = true;
            j += 1;
            if matches!(b.get(j), Some(b'+' | b'-')) {
                j += 1;
            }
            let exp_start = j;
            while b.get(j).is_some_and(u8::is_ascii_digit) {
                j += 1;
            }
            if j == exp_start {
                self.i = j;
                return Err(self.err("expected digits in the exponent"));
            }
        }
        self.i = j;
        let text = std::str::from_utf8(&b[start..j]).expect("digits are ASCII");
        Ok(number_from_text(text, is_float))
    }
}

/// The value of a JSON number's text: an integer when it has no fraction or
/// exponent (of any size), else a float (a decimal if it overflows a float).
pub fn number_from_text(text: &str, is_float: bool) -> Value {
    if !is_float {
        if let Ok(i) = text.parse::<i64>() {
            return Value::Int(i);
        }
        if let Ok(big) = text.parse::<num_bigint::BigInt>() {
            return Value::from_bigint(big);
        }
    }
    match text.parse::<f64>() {
        Ok(f) if f.is_finite() => Value::Float(f),
        _ => text.parse::<BigDecimal>().map(Value::decimal).unwrap_or(Value::Null),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(text: &str) -> String {
        to_string(&parse(text.as_bytes()).unwrap())
    }

    #[test]
    fn json_round_trips() {
        for text in [
            r#"{"_id":"a","n":1,"f":1.5,"l":[1,2,{"x":null}],"b":true}"#,
            r#"123456789012345678901234567890"#,
            r#"-123456789012345678901234567890"#,
            r#""~f12345678901234567890.1234567890""#,
            r#""~t2015-01-02T03:04:05.123456789Z""#,
            r#""~t2015-12-31""#,
            r#""~rhttp://www.sesam.io/""#,
            r#""~:mynamespace:123""#,
            r#""~u531a379e-31bb-4ce1-8690-158dceb64be6""#,
            r#""~bAAECAwQF""#,
            r#""~xfoo""#,
            r#""~~foo""#,
            r#""~tgarbage""#,
            r#""tab\there \"quoted\" \\ \u0001""#,
            "1.0",
        ] {
            assert_eq!(round_trip(text), text);
        }
    }

    #[test]
    fn tags_decode_to_types() {
        let v = |t: &str| parse(t.as_bytes()).unwrap().type_name();
        assert_eq!(v(r#""~f1.5""#), "decimal");
        assert_eq!(v(r#""~fabc""#), "string");
        assert_eq!(v(r#""~uXYZ""#), "string");
        assert_eq!(v(r#""~b!!!""#), "string");
        assert_eq!(v(r#""~t2015-01-01T00:00:00Z""#), "datetime");
        assert_eq!(v(r#""~t2015-01-01""#), "date");
    }

    #[test]
    fn later_duplicate_keys_win() {
        assert_eq!(round_trip(r#"{"a":1,"b":2,"a":3}"#), r#"{"a":3,"b":2}"#);
    }

    #[test]
    fn escapes_decode() {
        let v = parse(br#""\u00e6\ud83d\ude00\n""#).unwrap();
        assert_eq!(v.as_str(), Some("æ😀\n"));
    }

    #[test]
    fn errors_carry_offsets() {
        for (text, offset) in
            [("{\"a\" 1}", 5), ("[1,]", 3), ("{\"a\":1", 6), ("\"abc", 4), ("01", 0), ("[1] x", 4), ("", 0)]
        {
            let e = parse(text.as_bytes()).unwrap_err();
            assert_eq!(e.offset, offset, "{text}: {e}");
        }
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        assert!(parse(text.as_bytes()).is_err());
    }
}
