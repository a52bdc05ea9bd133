//! `phonenumber-parse`, `phonenumber-format`.
//!
//! Phone numbers follow libphonenumber's rules (the `phonenumber` crate, a port
//! of it with the same metadata). A parsed number is a URI value holding its
//! RFC 3966 form (`~rtel:+47-22-22-22-22`); `phonenumber-format` reads such URIs.

use phonenumber::country::Id;
use phonenumber::{Mode, PhoneNumber};

use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::{Env, EvalResult};
use crate::value::Value;

/// The text a value is parsed from: strings as they are, integers in decimal.
fn number_text(v: &Value) -> Option<String> {
    match v {
        Value::Str(s) => Some(s.to_string()),
        Value::Int(i) => Some(i.to_string()),
        Value::BigInt(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Parses `text` with an optional default region; only numbers libphonenumber
/// considers *valid* (not merely possible) are kept.
fn parse_number(region: Option<Id>, text: &str) -> Option<PhoneNumber> {
    // Guard the parser against absurd inputs: no phone number is this long.
    if text.len() > 250 {
        return None;
    }
    guarded(|| {
        let number = phonenumber::parse(region, text).ok()?;
        phonenumber::is_valid(&number).then_some(number)
    })
}

/// Runs `f`, turning a panic inside the phone number library into `None`: its
/// parser has panicked on crafted input before, and input is untrusted.
fn guarded<T>(f: impl FnOnce() -> Option<T>) -> Option<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok().flatten()
}

fn rfc3966(number: &PhoneNumber) -> String {
    let text = number.format().mode(Mode::Rfc3966).to_string();
    if text.starts_with("tel:") {
        text
    } else {
        format!("tel:{text}")
    }
}

fn phonenumber_parse(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let region = if args.len() == 2 {
        match args.eval(0, env)? {
            Value::Null => None,
            // An unknown region is like none: only numbers with `+country` parse.
            Value::Str(s) => s.trim().to_ascii_uppercase().parse::<Id>().ok(),
            other => {
                return Err(args.error(format!(
                    "DEFAULT_REGION must be a region code string like \"NO\", not {}",
                    other.type_name()
                )))
            }
        }
    } else {
        None
    };
    let values = args.eval(args.len() - 1, env)?;
    Ok(map_values(&values, |v| {
        let number = parse_number(region, &number_text(v)?)?;
        Some(Value::Uri(rfc3966(&number).into()))
    }))
}

/// The output formats `phonenumber-format` knows.
#[derive(Clone, Copy)]
pub(super) enum Format {
    E164,
    Rfc3966,
    National,
    International,
    NationalE164,
    IsoCode,
    CountryCode,
}

const FORMAT_NAMES: &[(&str, Format)] = &[
    ("e164", Format::E164),
    ("rfc3966", Format::Rfc3966),
    ("national", Format::National),
    ("international", Format::International),
    ("national-e164", Format::NationalE164),
    ("isocode", Format::IsoCode),
    ("country-code", Format::CountryCode),
];

/// The format called `name`; the error lists the known ones.
pub(super) fn format_named(name: &str) -> Result<Format, String> {
    match FORMAT_NAMES.iter().find(|(n, _)| *n == name) {
        Some((_, format)) => Ok(*format),
        None => {
            let known: Vec<_> = FORMAT_NAMES.iter().map(|(n, _)| *n).collect();
            Err(format!("unknown phone number format \"{name}\" (known: {})", known.join(", ")))
        }
    }
}

fn format_number(number: &PhoneNumber, format: Format) -> Option<String> {
    guarded(|| format_unguarded(number, format))
}

fn format_unguarded(number: &PhoneNumber, format: Format) -> Option<String> {
    Some(match format {
        // Sesam's `e164` has no leading `+` (the docs show it twice).
        Format::E164 => {
            let text = number.format().mode(Mode::E164).to_string();
            text.strip_prefix('+').unwrap_or(&text).to_string()
        }
        Format::Rfc3966 => rfc3966(number),
        Format::National => number.format().mode(Mode::National).to_string(),
        Format::International => number.format().mode(Mode::International).to_string(),
        Format::NationalE164 => number.national().to_string(),
        // libphonenumber's region code; "001" for non-geographic numbers (+800 …).
        Format::IsoCode => region_code(number)?,
        Format::CountryCode => number.country().code().to_string(),
    })
}

/// The number's region (ISO 3166 alpha-2, or "001" for non-geographic numbers):
/// the region whose metadata matches the number, else the main region of its
/// country code (the crate finds no match for some valid numbers with a leading 0).
fn region_code(number: &PhoneNumber) -> Option<String> {
    let db = &*phonenumber::metadata::DATABASE;
    if let Some(meta) = number.metadata(db) {
        return Some(meta.id().to_string());
    }
    let regions = db.by_code(&number.code().value())?;
    let main = regions.iter().find(|m| m.is_main_country_for_code()).or_else(|| regions.first())?;
    Some(main.id().to_string())
}

/// A `tel:` URI value as a phone number (plain strings are not phone numbers).
fn tel_uri(v: &Value) -> Option<PhoneNumber> {
    match v {
        Value::Uri(text) if text.len() <= 250 && text.get(..4)?.eq_ignore_ascii_case("tel:") => {
            guarded(|| phonenumber::parse(None, text.as_ref()).ok())
        }
        _ => None,
    }
}

fn phonenumber_format(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let format = match args.eval(0, env)? {
        Value::Str(name) => format_named(&name).map_err(|m| args.error(m))?,
        other => return Err(args.error(format!("FORMAT_STRING must be a string, not {}", other.type_name()))),
    };
    let values = args.eval(1, env)?;
    Ok(map_values(&values, |v| Some(Value::from(format_number(&tel_uri(v)?, format)?))))
}

/// The phone numbers family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "phonenumber-parse",
        family: Family::Phone,
        signature: "DEFAULT_REGION(string{0|1}) VALUES(value-expression{1})",
        summary: "Parses each string or number as a phone number (DEFAULT_REGION for numbers without +country) \
                  into a tel: URI; invalid numbers are dropped.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["phonenumber-parse", "+4722222222"]"#, result: r#""~rtel:+47-22-22-22-22""# },
            Example { expr: r#"["phonenumber-parse", "NO", "22225555"]"#, result: r#""~rtel:+47-22-22-55-55""# },
            Example {
                expr: r#"["phonenumber-parse", "NO", ["list", "22222222", "not a number", null, 22225555]]"#,
                result: r#"["~rtel:+47-22-22-22-22", "~rtel:+47-22-22-55-55"]"#,
            },
            Example { expr: r#"["phonenumber-parse", "22222222"]"#, result: "null" },
        ],
        eval: phonenumber_parse,
    },
    Builtin {
        name: "phonenumber-format",
        family: Family::Phone,
        signature: "FORMAT_STRING(string{1}) VALUES(value-expression{1})",
        summary: "Formats each tel: URI as e164 (no +), national-e164, national, international, rfc3966, \
                  isocode or country-code text.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["phonenumber-format", "e164", "~rtel:+47-22-22-22-22"]"#, result: r#""4722222222""# },
            Example {
                expr: r#"["phonenumber-format", "national-e164", "~rtel:+47-22-22-22-22"]"#,
                result: r#""22222222""#,
            },
            Example {
                expr: r#"["phonenumber-format", "national", "~rtel:+47-22-22-22-22"]"#,
                result: r#""22 22 22 22""#,
            },
            Example {
                expr: r#"["phonenumber-format", "international", "~rtel:+47-22-22-22-22"]"#,
                result: r#""+47 22 22 22 22""#,
            },
            Example {
                expr: r#"["phonenumber-format", "rfc3966", "~rtel:+47-22-22-22-22"]"#,
                result: r#""tel:+47-22-22-22-22""#,
            },
            Example { expr: r#"["phonenumber-format", "isocode", "~rtel:+47-22-22-22-22"]"#, result: r#""NO""# },
            Example { expr: r#"["phonenumber-format", "country-code", "~rtel:+47-22-22-22-22"]"#, result: r#""47""# },
            Example {
                expr: r#"["phonenumber-format", "e164", ["list", "~rtel:+47-22-22-22-22", "+4722225555", 7]]"#,
                result: r#"["4722222222"]"#,
            },
        ],
        eval: phonenumber_format,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_inputs_never_panic() {
        for text in ["", "+", "++47", "tel:", "tel:+", "+999999999999999999999999", "0", "+47", "💥", "tel:+47;ext="]
        {
            let _ = parse_number(None, text);
            let _ = parse_number(Some(Id::NO), text);
            let _ = tel_uri(&Value::Uri(text.into()));
        }
        let long = "9".repeat(10_000);
        assert!(parse_number(None, &long).is_none());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn arbitrary_text_never_panics(
            text in proptest::prop_oneof!["[+0-9 ()\\-.tel:;ext=x#*٣a-z]{0,40}", "\\+?[0-9]{5,15}"]
        ) {
            let all = [Format::E164, Format::Rfc3966, Format::National, Format::International,
                Format::NationalE164, Format::IsoCode, Format::CountryCode];
            for region in [None, Some(Id::NO), Some(Id::US), Some(Id::IT)] {
                if let Some(n) = parse_number(region, &text) {
                    for f in all {
                        proptest::prop_assert!(format_number(&n, f).is_some());
                    }
                    let uri = Value::Uri(rfc3966(&n).into());
                    proptest::prop_assert!(tel_uri(&uri).is_some());
                }
            }
            let _ = tel_uri(&Value::Uri(format!("tel:{text}").into()));
        }
    }

    #[test]
    fn formats_other_regions() {
        let n = parse_number(None, "+14155552671").unwrap();
        assert_eq!(rfc3966(&n), "tel:+1-415-555-2671");
        assert_eq!(format_number(&n, Format::IsoCode).unwrap(), "US");
        assert_eq!(format_number(&n, Format::CountryCode).unwrap(), "1");
        assert_eq!(format_number(&n, Format::E164).unwrap(), "14155552671");
        let n = parse_number(None, "+80012345678").unwrap();
        assert_eq!(format_number(&n, Format::IsoCode).unwrap(), "001");
        assert_eq!(format_number(&n, Format::International).unwrap(), "+800 1234 5678");
        let n = parse_number(Some(Id::IT), "010000").unwrap();
        assert_eq!(format_number(&n, Format::IsoCode).unwrap(), "IT");
        assert_eq!(format_number(&n, Format::NationalE164).unwrap(), "010000");
    }
}
