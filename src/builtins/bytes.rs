//! `bytes`, `base64-decode`, `base64-encode`, `is-bytes`.

use std::sync::Arc;

use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use base64::Engine as _;

use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

/// Standard alphabet, `=` padding required on input and written on output.
/// Non-zero trailing bits in the last symbol are tolerated (as Python's
/// `base64.b64decode` does); everything else that is not canonical base64 fails.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new()
        .with_encode_padding(true)
        .with_decode_padding_mode(DecodePaddingMode::RequireCanonical)
        .with_decode_allow_trailing_bits(true),
);

/// Decodes strict standard base64 (padding required); `None` when the text is not base64.
pub(crate) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    BASE64.decode(text).ok()
}

/// Encodes bytes as standard base64 with padding.
pub(crate) fn encode_base64(data: &[u8]) -> String {
    BASE64.encode(data)
}

fn to_bytes(v: &Value) -> Option<Value> {
    match v {
        Value::Str(s) => Some(Value::Bytes(Arc::from(s.as_bytes()))),
        Value::Bytes(_) => Some(v.clone()),
        _ => None,
    }
}

fn bytes(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, to_bytes))
}

fn base64_decode(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_str().and_then(decode_base64).map(|b| Value::Bytes(Arc::from(b)))))
}

fn base64_encode(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| match v {
        Value::Bytes(b) => Some(Value::from(encode_base64(b))),
        _ => None,
    }))
}

fn is_bytes(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?.first(), Some(Value::Bytes(_)))))
}

/// The bytes family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "bytes",
        family: Family::Bytes,
        signature: "VALUES(value-expression{1})",
        summary: "Each string as its UTF-8 bytes (bytes pass through); other values are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["bytes", "abc"]"#, result: r#""~bYWJj""# },
            Example { expr: r#"["bytes", ["list", "abc", 1, null, "def"]]"#, result: r#"["~bYWJj", "~bZGVm"]"# },
        ],
        eval: bytes,
    },
    Builtin {
        name: "base64-decode",
        family: Family::Bytes,
        signature: "VALUES(value-expression{1})",
        summary: "Decodes each base64 string (standard alphabet, padded) to bytes; non-strings and invalid base64 are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["base64-decode", "YWJj"]"#, result: r#""~bYWJj""# },
            Example {
                expr: r#"["base64-decode", ["list", 1, "YWJj", 2, "ZGVm", "YWJ", 3]]"#,
                result: r#"["~bYWJj", "~bZGVm"]"#,
            },
        ],
        eval: base64_decode,
    },
    Builtin {
        name: "base64-encode",
        family: Family::Bytes,
        signature: "VALUES(value-expression{1})",
        summary: "Encodes each bytes value as standard base64 text with padding; other values are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["base64-encode", ["bytes", "abc"]]"#, result: r#""YWJj""# },
            Example {
                expr: r#"["base64-encode", ["list", 1, ["bytes", "abc"], 2, ["bytes", "def"], 3]]"#,
                result: r#"["YWJj", "ZGVm"]"#,
            },
            Example { expr: r#"["base64-encode", "abc"]"#, result: "null" },
        ],
        eval: base64_encode,
    },
    Builtin {
        name: "is-bytes",
        family: Family::Bytes,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a bytes value.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-bytes", "~bYWJj"]"#, result: "true" },
            Example { expr: r#"["is-bytes", ["list", "12345", "~bYWJj"]]"#, result: "false" },
            Example { expr: r#"["is-bytes", "some-string"]"#, result: "false" },
        ],
        eval: is_bytes,
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn strict_base64() {
        assert_eq!(decode_base64("YWJj").as_deref(), Some(&b"abc"[..]));
        assert_eq!(decode_base64("").as_deref(), Some(&b""[..]));
        assert_eq!(decode_base64("+/8=").as_deref(), Some(&[0xfb, 0xff][..]));
        assert_eq!(decode_base64("w6U=").as_deref(), Some("å".as_bytes()));
        // Missing padding, URL-safe alphabet, whitespace, stray characters: rejected.
        for bad in ["YWJ", "YW", "Y", "w6U", "-_8=", "YW Jj", "YWJj\n", "YWJj=", "====", "é", "%%%%"] {
            assert_eq!(decode_base64(bad), None, "{bad:?}");
        }
        // Non-zero trailing bits are tolerated, like Python.
        assert_eq!(decode_base64("YWK=").as_deref(), Some(&b"ab"[..]));
    }

    #[test]
    fn round_trip() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"\x00\x01\x02\x03\x04\x05", b"\xff\xfe"] {
            assert_eq!(decode_base64(&encode_base64(data)).as_deref(), Some(data));
        }
    }

    proptest! {
        #[test]
        fn decoding_arbitrary_text_never_panics(s in ".*") {
            let _ = decode_base64(&s);
        }

        #[test]
        fn decoding_base64_like_text_never_panics(s in "[A-Za-z0-9+/=_-]{0,24}") {
            if let Some(bytes) = decode_base64(&s) {
                // Whatever decodes re-encodes to a decodable text with the same bytes.
                prop_assert_eq!(decode_base64(&encode_base64(&bytes)), Some(bytes));
            }
        }

        #[test]
        fn encode_then_decode(data in proptest::collection::vec(any::<u8>(), 0..64)) {
            prop_assert_eq!(decode_base64(&encode_base64(&data)), Some(data));
        }
    }
}
