//! The content hash of an entity (change tracking) and the CRC32 of log records.

use crate::value::{wire, Value};

/// Appends a canonical, typed serialization of `v`: dict keys sorted, every value
/// prefixed by a type tag so that different types are different values
/// (`1`, `1.0` and `~f1` hash differently), decimals normalized (`~f1.0` = `~f1.00`).
fn canonical(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Null => out.push(b'z'),
        Value::Bool(b) => out.extend_from_slice(if *b { b"T" } else { b"F" }),
        Value::Int(_) | Value::BigInt(_) => {
            out.push(b'i');
            wire::write(v, out);
        }
        Value::Float(f) => {
            out.push(b'f');
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Value::Decimal(d) => {
            out.push(b'd');
            out.extend_from_slice(wire::format_decimal(&d.normalized()).as_bytes());
            out.push(0);
        }
        Value::Str(s) => {
            out.push(b's');
            string(s, out);
        }
        Value::List(items) => {
            out.push(b'[');
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for item in items.iter() {
                canonical(item, out);
            }
        }
        Value::Dict(map) => {
            out.push(b'{');
            out.extend_from_slice(&(map.len() as u64).to_le_bytes());
            let mut keys: Vec<_> = map.iter().collect();
            keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
            for (k, item) in keys {
                string(k, out);
                canonical(item, out);
            }
        }
        tagged => {
            out.push(b't');
            string(&wire::tagged_text(tagged).unwrap_or_default(), out);
        }
    }
}

fn string(s: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(&(s.len() as u64).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
}

/// The change-tracking hash of a stored entity: over every root key that does not
/// start with `_`, plus `_id` and `_deleted` (normalized to a boolean by the caller).
/// `scratch` is reused between calls.
pub fn content_hash(entity: &Value, scratch: &mut Vec<u8>) -> u128 {
    scratch.clear();
    if let Value::Dict(map) = entity {
        let mut keys: Vec<_> =
            map.iter().filter(|(k, _)| !k.starts_with('_') || &***k == "_id" || &***k == "_deleted").collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(b.0));
        scratch.push(b'{');
        for (k, item) in keys {
            string(k, scratch);
            canonical(item, scratch);
        }
    } else {
        canonical(entity, scratch);
    }
    murmur3::murmur3_x64_128(&mut std::io::Cursor::new(&scratch[..]), 0).unwrap_or(0)
}

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

/// Slicing-by-4 tables for CRC-32 (IEEE).
const fn crc_tables() -> [[u32; 256]; 4] {
    let t0 = crc_table();
    let mut t = [t0; 4];
    let mut i = 0;
    while i < 256 {
        let mut k = 1;
        while k < 4 {
            let prev = t[k - 1][i];
            t[k][i] = (prev >> 8) ^ t0[(prev & 0xFF) as usize];
            k += 1;
        }
        i += 1;
    }
    t
}

static CRC: [[u32; 256]; 4] = crc_tables();

/// CRC-32 (IEEE 802.3, as zlib computes it) of `data`.
pub fn crc32(data: &[u8]) -> u32 {
    let mut c = !0u32;
    let mut chunks = data.chunks_exact(4);
    for w in &mut chunks {
        c ^= u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        c = CRC[3][(c & 0xFF) as usize]
            ^ CRC[2][((c >> 8) & 0xFF) as usize]
            ^ CRC[1][((c >> 16) & 0xFF) as usize]
            ^ CRC[0][(c >> 24) as usize];
    }
    for &b in chunks.remainder() {
        c = CRC[0][((c ^ b as u32) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        wire::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(crc32(b"The quick brown fox jumps over the lazy dog"), 0x414F_A339);
    }

    #[test]
    fn the_hash_ignores_key_order_and_reserved_keys_but_not_types() {
        let mut s = Vec::new();
        let a = content_hash(&v(r#"{"_id":"a","x":1,"y":[1,"b"],"_ts":5}"#), &mut s);
        let b = content_hash(&v(r#"{"y":[1,"b"],"_id":"a","x":1,"_updated":7}"#), &mut s);
        assert_eq!(a, b);
        assert_ne!(a, content_hash(&v(r#"{"_id":"a","x":1.0,"y":[1,"b"]}"#), &mut s));
        assert_ne!(a, content_hash(&v(r#"{"_id":"a","x":1,"y":[1,"b"],"_deleted":true}"#), &mut s));
        assert_ne!(a, content_hash(&v(r#"{"_id":"a","x":1,"y":[1,"b"],"$x":1}"#), &mut s));
        assert_eq!(
            content_hash(&v(r#"{"_id":"a","d":"~f1.0"}"#), &mut s),
            content_hash(&v(r#"{"_id":"a","d":"~f1.00"}"#), &mut s)
        );
        assert_ne!(
            content_hash(&v(r#"{"_id":"a","d":"~:x"}"#), &mut s),
            content_hash(&v(r#"{"_id":"a","d":"x"}"#), &mut s)
        );
    }
}
