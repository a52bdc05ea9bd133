//! Which constant arguments the compiler checks, and how.
//!
//! A constant (a literal, not a path or a call) in one of these slots is checked
//! against the slot's kind from the signature and, where it is cheap and certain,
//! its value. The list holds exactly the slots where the eval function turns a wrong
//! constant into a run-time error whatever the other arguments are (time zones, date
//! parts, format strings, keys, ...), so the compiler only reports earlier, with a span,
//! what would fail anyway. Slots where a wrong value gives `null` or is dropped
//! (the strings, lists and math families: `["join", 1, ...]` is `null`) are not here.

use super::datetime::{zone_named, Unit};
use super::datetime_format::{self, Mode};
use super::dicts::NsConfig;
use super::phone::format_named;
use super::signature::{Kind, Slot};
use super::Builtin;
use crate::value::Value;

/// Checks a constant's value; the message says what is wrong.
type ValueCheck = fn(&Value) -> Result<(), String>;

/// A checked slot of one builtin.
struct Rule {
    function: &'static str,
    slot: &'static str,
    /// `null` is accepted (it means "not given").
    null_ok: bool,
    /// Checks the value once its kind is right; the message says what is wrong.
    value: Option<ValueCheck>,
}

const fn kind(function: &'static str, slot: &'static str) -> Rule {
    Rule { function, slot, null_ok: false, value: None }
}

const fn value(function: &'static str, slot: &'static str, check: ValueCheck) -> Rule {
    Rule { function, slot, null_ok: false, value: Some(check) }
}

const RULES: &[Rule] = &[
    value("datetime-diff", "DATEPART", date_part),
    value("datetime-plus", "DATEPART", date_part),
    value("datetime-format", "TIMEZONE_NAME", time_zone),
    value("datetime-format", "FORMATSTRING", output_format),
    value("datetime-parse", "TIMEZONE_NAME", time_zone),
    value("datetime-parse", "FORMATSTRING", input_format),
    value("datetime-shift", "FROM_TIMEZONE", time_zone),
    value("datetime-shift", "TO_TIMEZONE", time_zone),
    kind("encrypt", "KEY"),
    kind("decrypt", "KEY"),
    kind("encrypt-pgp", "PUBLIC_KEY"),
    kind("decrypt-pgp", "PRIVATE_KEY"),
    kind("decrypt-pgp", "PASSPHRASE"),
    kind("encrypt-pki", "PUBLIC_KEY"),
    kind("decrypt-pki", "PRIVATE_KEY"),
    kind("hash128", "ALGORITHM"),
    kind("ni", "NAMESPACE"),
    Rule { function: "phonenumber-parse", slot: "DEFAULT_REGION", null_ok: true, value: None },
    value("phonenumber-format", "FORMAT_STRING", phone_format),
    kind("url-quote", "SAFE_CHARS"),
    kind("lookup-entity", "DATASET_ID"),
    value("apply-ns", "NAMESPACE_OR_CONFIGDICT", ns_settings),
];

fn text_check(v: &Value, check: impl Fn(&str) -> Result<(), String>) -> Result<(), String> {
    v.as_str().map_or(Ok(()), check)
}

fn date_part(v: &Value) -> Result<(), String> {
    text_check(v, |s| Unit::named(s).map(drop))
}

fn time_zone(v: &Value) -> Result<(), String> {
    text_check(v, |s| zone_named(s).map(drop))
}

fn output_format(v: &Value) -> Result<(), String> {
    text_check(v, |s| datetime_format::check(s, Mode::Format))
}

fn input_format(v: &Value) -> Result<(), String> {
    text_check(v, |s| datetime_format::check(s, Mode::Parse))
}

fn phone_format(v: &Value) -> Result<(), String> {
    text_check(v, |s| format_named(s).map(drop))
}

fn ns_settings(v: &Value) -> Result<(), String> {
    NsConfig::read(v).map(drop)
}

/// What is wrong with a constant argument.
#[derive(Debug, PartialEq, Eq)]
pub enum Problem {
    /// Its JSON kind can never be right (the slot's kinds are in the signature).
    Kind,
    /// Its value is wrong; the message says why.
    Value(String),
}

/// Checks the constant `v` given to `builtin` in `slot`; `Ok` when the slot is not checked.
pub fn check(builtin: &Builtin, slot: &Slot, v: &Value) -> Result<(), Problem> {
    let Some(name) = slot.name else { return Ok(()) };
    let Some(rule) = RULES.iter().find(|r| r.function == builtin.name && r.slot == name) else {
        return Ok(());
    };
    if v.is_null() && rule.null_ok {
        return Ok(());
    }
    if !slot.kinds.iter().any(|k| has_kind(v, *k)) {
        return Err(Problem::Kind);
    }
    match rule.value {
        Some(check) => check(v).map_err(Problem::Value),
        None => Ok(()),
    }
}

/// Whether `v` is of kind `k`; the expression kinds take any value.
fn has_kind(v: &Value, k: Kind) -> bool {
    match k {
        Kind::String => matches!(v, Value::Str(_)),
        Kind::Integer => matches!(v, Value::Int(_) | Value::BigInt(_)),
        Kind::Dict => matches!(v, Value::Dict(_)),
        Kind::Constant(c) => v.as_str() == Some(c),
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{lookup, signature};
    use super::*;

    /// Every rule names a builtin and one of its signature's slots, and the slot has a
    /// kind a constant can fail (so a renamed slot or function cannot silently disable a check).
    #[test]
    fn every_rule_names_a_checkable_slot() {
        for rule in RULES {
            let b = lookup(rule.function).unwrap_or_else(|| panic!("no builtin {}", rule.function));
            let sig = signature::of(b).expect("parses");
            let slot = (0..=b.max_args.unwrap_or(b.min_args + 2))
                .filter_map(|n| sig.layout(n))
                .flatten()
                .find(|s| s.name == Some(rule.slot))
                .unwrap_or_else(|| panic!("{} has no slot {}", rule.function, rule.slot));
            let checkable = slot.kinds.iter().all(|k| matches!(k, Kind::String | Kind::Dict | Kind::Constant(_)));
            assert!(checkable, "{} {} is {}", rule.function, rule.slot, slot.kinds_text());
        }
    }

    fn check_first(function: &str, n: usize, v: Value) -> Result<(), Problem> {
        let b = lookup(function).unwrap();
        let slots = signature::of(b).unwrap().layout(n).unwrap();
        check(b, slots[0], &v)
    }

    #[test]
    fn kinds_values_and_null() {
        assert_eq!(check_first("datetime-format", 3, Value::Int(1)), Err(Problem::Kind));
        assert!(matches!(check_first("datetime-format", 3, Value::from("Europe/Olso")), Err(Problem::Value(_))));
        assert_eq!(check_first("datetime-format", 3, Value::from("Europe/Oslo")), Ok(()));
        assert!(matches!(check_first("datetime-format", 2, Value::from("%Q")), Err(Problem::Value(_))));
        assert_eq!(check_first("hash128", 2, Value::from("md5")), Err(Problem::Kind));
        assert_eq!(check_first("hash128", 2, Value::from("murmur3")), Ok(()));
        assert_eq!(check_first("ni", 2, Value::Null), Err(Problem::Kind));
        assert_eq!(check_first("phonenumber-parse", 2, Value::Null), Ok(()));
        assert_eq!(check_first("phonenumber-parse", 2, Value::Int(47)), Err(Problem::Kind));
        // Not checked: the strings family gives null for a wrong separator.
        assert_eq!(check_first("join", 2, Value::Int(1)), Ok(()));
    }
}
