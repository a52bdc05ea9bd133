use super::*;
use crate::builtins::{all, lookup};

/// The slot names `n` arguments to `function` get.
fn names(function: &str, n: usize) -> Option<Vec<&'static str>> {
    let builtin = lookup(function).expect("a builtin");
    let layout = of(builtin).expect("parses").layout(n)?;
    Some(layout.iter().map(|s| s.name.unwrap_or("-")).collect())
}

#[test]
fn every_signature_parses() {
    for b in all() {
        if let Err(e) = Signature::parse(b.signature) {
            panic!("{}: {e}", b.name);
        }
        assert!(of(b).is_some(), "{} is not in the parsed table", b.name);
    }
}

#[test]
fn signatures_agree_with_the_arity() {
    for b in all() {
        let sig = of(b).expect("parses");
        assert_eq!(sig.arity(), (b.min_args, b.max_args), "{}: signature `{}`", b.name, b.signature);
    }
}

/// Within the arity, every count has a reading, except `dict` (0, 1 or an even number).
#[test]
fn every_count_in_the_arity_has_a_layout() {
    for b in all() {
        let sig = of(b).expect("parses");
        for n in 0..12 {
            let in_arity = n >= b.min_args && b.max_args.is_none_or(|m| n <= m);
            let layout = sig.layout(n);
            if let Some(slots) = &layout {
                assert_eq!(slots.len(), n, "{}", b.name);
            }
            let odd_dict = b.name == "dict" && n >= 3 && n % 2 == 1;
            assert_eq!(layout.is_some(), in_arity && !odd_dict, "{} with {n} arguments", b.name);
        }
    }
}

#[test]
fn optional_slots_are_filled_by_count_earlier_first() {
    assert_eq!(names("datetime-format", 2), Some(vec!["FORMATSTRING", "VALUES"]));
    assert_eq!(names("datetime-format", 3), Some(vec!["TIMEZONE_NAME", "FORMATSTRING", "VALUES"]));
    assert_eq!(names("slice", 2), Some(vec!["START", "VALUES"]));
    assert_eq!(names("slice", 3), Some(vec!["START", "END", "VALUES"]));
    assert_eq!(names("slice", 4), Some(vec!["START", "END", "STRIDE", "VALUES"]));
    assert_eq!(names("group-by", 2), Some(vec!["KEY_FUNCTION", "VALUES"]));
    assert_eq!(names("hash128", 2), Some(vec!["ALGORITHM", "VALUES"]));
    assert_eq!(names("substring", 2), Some(vec!["START_INDEX", "VALUES"]));
    assert_eq!(names("range", 2), Some(vec!["START", "STOP"]));
}

#[test]
fn groups_alternatives_and_repeats() {
    assert_eq!(names("replace", 2), Some(vec!["REPLACEMENTS", "VALUES"]));
    assert_eq!(names("replace", 3), Some(vec!["OLD_STRING", "NEW_STRING", "VALUES"]));
    assert_eq!(names("case", 4), Some(vec!["VALUE", "THEN", "VALUE", "THEN"]));
    assert_eq!(names("case", 5), Some(vec!["VALUE", "THEN", "VALUE", "THEN", "ELSE"]));
    assert_eq!(names("case-eq", 4), Some(vec!["VALUE", "VALUE_N", "THEN", "ELSE"]));
    assert_eq!(names("dict", 0), Some(vec![]));
    assert_eq!(names("dict", 1), Some(vec!["ITEMS"]));
    assert_eq!(names("dict", 4), Some(vec!["KEY", "VALUE", "KEY", "VALUE"]));
    assert_eq!(names("dict", 3), None);
    assert_eq!(names("eq", 2), Some(vec!["-", "-"]));
    assert_eq!(names("now", 0), Some(vec![]));
}

#[test]
fn kinds_and_cardinalities_are_read() {
    let sig = Signature::parse("NS(string|dict) ALGORITHM(\"murmur3\") X(integer{0|1}) value-expression{>0}").unwrap();
    let slots = sig.layout(4).unwrap();
    assert_eq!(slots[0].kinds, vec![Kind::String, Kind::Dict]);
    assert_eq!(slots[0].kinds_text(), "string|dict");
    assert_eq!(slots[1].kinds, vec![Kind::Constant("murmur3")]);
    assert_eq!(slots[2].card, Card { min: 0, max: Some(1) });
    assert_eq!(slots[3].name, None);
    assert_eq!(sig.arity(), (3, None));
}

#[test]
fn typos_in_signatures_are_errors() {
    for bad in [
        "VALUES(value-expresion{1})",
        "VALUES(value-expression{1}",
        "VALUES(value-expression{x})",
        "VALUES(value-expression{1)",
        "value-expression",
        "A(string) ) B(string)",
        "A(\"murmur3)",
        "A(string) ; B(string)",
    ] {
        assert!(Signature::parse(bad).is_err(), "`{bad}` parsed");
    }
}
