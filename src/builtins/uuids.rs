//! `uuid`, `is-uuid`.

use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::{wire, Value};

/// Parses a UUID's text: the canonical 8-4-4-4-12 hex form or 32 bare hex
/// digits, in either case, optionally in braces or after `urn:uuid:`.
/// The version and variant are not checked (a cast, not a validation).
pub(crate) fn parse_uuid_text(s: &str) -> Option<u128> {
    let s = match s.get(..9) {
        Some(prefix) if prefix.eq_ignore_ascii_case("urn:uuid:") => &s[9..],
        _ => s,
    };
    let s = s.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(s);
    match s.len() {
        36 => wire::parse_uuid(s),
        32 if s.bytes().all(|b| b.is_ascii_hexdigit()) => u128::from_str_radix(s, 16).ok(),
        _ => None,
    }
}

/// A new random (version 4, RFC 4122 variant) UUID.
pub(crate) fn random_v4() -> u128 {
    let mut buf = [0u8; 16];
    if getrandom::fill(&mut buf).is_err() {
        buf = fallback_random();
    }
    let n = u128::from_be_bytes(buf);
    // Version nibble (bits 76..80) = 4, variant bits (bits 62..64) = 0b10.
    (n & !(0xf << 76) & !(0b11 << 62)) | (0x4 << 76) | (0b10 << 62)
}

/// Randomness without the OS source (which should never fail on supported
/// systems): std's randomly keyed SipHash over a counter and the clock.
fn fallback_random() -> [u8; 16] {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let mut out = [0u8; 16];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(count);
        h.write_u128(nanos);
        h.write_usize(i);
        chunk.copy_from_slice(&h.finish().to_be_bytes());
    }
    out
}

fn cast(v: &Value) -> Option<Value> {
    match v {
        Value::Str(s) => parse_uuid_text(s).map(Value::Uuid),
        Value::Uuid(_) => Some(v.clone()),
        _ => None,
    }
}

fn uuid(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    if args.is_empty() {
        return Ok(Value::Uuid(random_v4()));
    }
    Ok(map_values(&args.eval(0, env)?, cast))
}

fn is_uuid(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?.first(), Some(Value::Uuid(_)))))
}

/// The UUID family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "uuid",
        family: Family::Uuids,
        signature: "VALUES(value-expression{0|1})",
        summary: "Without arguments a new random (version 4) UUID; otherwise each string cast to a UUID (others are dropped).",
        min_args: 0,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-uuid", ["uuid"]]"#, result: "true" },
            Example {
                expr: r#"["uuid", "abc98f65-ddf5-1234-a8f5-82f6d8e69726"]"#,
                result: r#""~uabc98f65-ddf5-1234-a8f5-82f6d8e69726""#,
            },
            Example {
                expr: r#"["uuid", ["list", "ABC98F65-DDF5-1234-A8F5-82F6D8E601A8", 2, "not-a-uuid"]]"#,
                result: r#"["~uabc98f65-ddf5-1234-a8f5-82f6d8e601a8"]"#,
            },
        ],
        eval: uuid,
    },
    Builtin {
        name: "is-uuid",
        family: Family::Uuids,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a UUID.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-uuid", "~u9f598f65-eea5-4906-a8f5-82f6d8e69726"]"#, result: "true" },
            Example { expr: r#"["is-uuid", "some-string"]"#, result: "false" },
            Example { expr: r#"["is-uuid", ["list", "12345", ["uuid"]]]"#, result: "false" },
        ],
        eval: is_uuid,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const N: u128 = 0xabc98f65_ddf5_1234_a8f5_82f6d8e69726;

    #[test]
    fn spellings() {
        for ok in [
            "abc98f65-ddf5-1234-a8f5-82f6d8e69726",
            "ABC98F65-DDF5-1234-A8F5-82F6D8E69726",
            "{abc98f65-ddf5-1234-a8f5-82f6d8e69726}",
            "urn:uuid:abc98f65-ddf5-1234-a8f5-82f6d8e69726",
            "URN:UUID:abc98f65-ddf5-1234-a8f5-82f6d8e69726",
            "abc98f65ddf51234a8f582f6d8e69726",
        ] {
            assert_eq!(parse_uuid_text(ok), Some(N), "{ok}");
        }
        for bad in [
            "",
            "not-a-uuid",
            "abc98f65-ddf5-1234-a8f5-82f6d8e6972",
            "abc98f65-ddf5-1234-a8f5-82f6d8e697260",
            "abc98f65+ddf5-1234-a8f5-82f6d8e69726",
            "gbc98f65-ddf5-1234-a8f5-82f6d8e69726",
            "+bc98f65ddf51234a8f582f6d8e69726",
            "{abc98f65-ddf5-1234-a8f5-82f6d8e69726",
            "abc98f65-ddf5-1234-a8f5-82f6d8e6972é",
            "urn:uuid:",
            "ééééééééé",
        ] {
            assert_eq!(parse_uuid_text(bad), None, "{bad}");
        }
    }

    #[test]
    fn random_uuids_are_version_4_and_differ() {
        let a = random_v4();
        let b = random_v4();
        assert_ne!(a, b);
        for n in [a, b] {
            let text = wire::format_uuid(n);
            assert_eq!(&text[14..15], "4", "{text}");
            assert!(matches!(&text[19..20], "8" | "9" | "a" | "b"), "{text}");
        }
        let f = fallback_random();
        assert_ne!(f, fallback_random());
    }

    proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(s in ".*") {
            let _ = parse_uuid_text(&s);
        }

        #[test]
        fn parsing_near_uuids_never_panics(s in "(urn:uuid:)?\\{?[0-9a-fA-F\\-é]{30,38}\\}?") {
            if let Some(n) = parse_uuid_text(&s) {
                prop_assert_eq!(parse_uuid_text(&wire::format_uuid(n)), Some(n));
            }
        }

        #[test]
        fn canonical_round_trip(n in any::<u128>()) {
            prop_assert_eq!(parse_uuid_text(&wire::format_uuid(n)), Some(n));
        }
    }
}
