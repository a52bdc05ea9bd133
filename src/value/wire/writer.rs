//! The writer half of the wire format: compact JSON with transit types tagged.

use base64::Engine as _;
use bigdecimal::BigDecimal;

use crate::value::datetime::{format_date, write_date};
use crate::value::Value;

/// Formats a UUID as lower-case 8-4-4-4-12 hex.
pub fn format_uuid(n: u128) -> String {
    let h = format!("{n:032x}");
    format!("{}-{}-{}-{}-{}", &h[0..8], &h[8..12], &h[12..16], &h[16..20], &h[20..32])
}

/// A decimal in plain notation (never an exponent), keeping its scale.
pub fn format_decimal(d: &BigDecimal) -> String {
    d.to_plain_string()
}

/// Formats a float the way the wire shows it: shortest round-trip text, `1.0` for integral values.
pub fn format_float(f: f64) -> String {
    if f.is_finite() {
        ryu::Buffer::new().format_finite(f).to_string()
    } else {
        "null".to_string()
    }
}

/// The wire text of a value (compact JSON).
pub fn to_string(v: &Value) -> String {
    let mut out = Vec::with_capacity(64);
    write(v, &mut out);
    String::from_utf8(out).expect("the writer only produces UTF-8")
}

/// Appends the compact wire JSON of `v` to `out`.
pub fn write(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Int(i) => out.extend_from_slice(itoa::Buffer::new().format(*i).as_bytes()),
        Value::BigInt(b) => out.extend_from_slice(b.to_string().as_bytes()),
        Value::Float(f) => {
            if f.is_finite() {
                out.extend_from_slice(ryu::Buffer::new().format_finite(*f).as_bytes())
            } else {
                out.extend_from_slice(b"null")
            }
        }
        Value::Str(s) => write_str(s, out),
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(item, out);
            }
            out.push(b']');
        }
        Value::Dict(map) => {
            out.push(b'{');
            for (i, (k, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_str(k, out);
                out.push(b':');
                write(item, out);
            }
            out.push(b'}');
        }
        // The common tagged values are written straight into `out`, without a String between.
        Value::DateTime(dt) => {
            out.extend_from_slice(b"\"~t");
            dt.write_wire(out);
            out.push(b'"');
        }
        Value::Date(d) => {
            out.extend_from_slice(b"\"~t");
            write_date(*d, out);
            out.push(b'"');
        }
        tagged => write_str(&tagged_text(tagged).expect("all other variants are tagged"), out),
    }
}

/// The tagged wire string of a transit type (`None` for JSON-native values).
pub fn tagged_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Decimal(d) => format!("~f{}", format_decimal(d)),
        Value::DateTime(dt) => format!("~t{}", dt.format_wire()),
        Value::Date(d) => format!("~t{}", format_date(*d)),
        Value::Uri(u) => format!("~r{u}"),
        Value::Ni(n) => format!("~:{n}"),
        Value::Uuid(u) => format!("~u{}", format_uuid(*u)),
        Value::Bytes(b) => format!("~b{}", base64::engine::general_purpose::STANDARD.encode(b)),
        _ => return None,
    })
}

/// Bytes that cannot appear raw inside a JSON string.
const NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = true;
        i += 1;
    }
    table[b'"' as usize] = true;
    table[b'\\' as usize] = true;
    table
};

/// The position of the first byte at or after `from` that needs escaping in a JSON
/// string (a quote, a backslash or a control character), or `bytes.len()`.
/// Looks at eight bytes at a time: strings are most of an entity's text.
pub(crate) fn find_special(bytes: &[u8], mut from: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    while from + 8 <= bytes.len() {
        let word = u64::from_le_bytes(bytes[from..from + 8].try_into().expect("eight bytes"));
        let quote = has_zero(word ^ (ONES * b'"' as u64));
        let backslash = has_zero(word ^ (ONES * b'\\' as u64));
        // Bytes below 0x20: subtracting 0x20 borrows into the high bit (only exact for ASCII bytes,
        // so any hit is confirmed byte by byte below).
        let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
        if quote | backslash | control != 0 {
            break;
        }
        from += 8;
    }
    while from < bytes.len() && !NEEDS_ESCAPE[bytes[from] as usize] {
        from += 1;
    }
    from
}

/// Appends `s` as a JSON string literal.
pub fn write_str(s: &str, out: &mut Vec<u8>) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = find_special(bytes, 0);
    while i < bytes.len() {
        let c = bytes[i];
        let escape: &[u8] = match c {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            _ => b"",
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape.is_empty() {
            out.extend_from_slice(format!("\\u{c:04x}").as_bytes());
        } else {
            out.extend_from_slice(escape);
        }
        start = i + 1;
        i = find_special(bytes, start);
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}
