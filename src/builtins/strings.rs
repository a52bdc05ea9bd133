//! String functions.

use super::json::json_text;
use super::support::map_values;
use super::{Args, Builtin, Example, Family, Form};
use crate::eval::pattern;
use crate::eval::{Env, EvalResult};
use crate::value::{python_float_repr, wire, Value};

/// The text `string` gives a value: strings as they are, numbers in decimal,
/// special types as their bare text, lists and dicts as JSON.
pub fn to_text(v: &Value) -> Option<String> {
    Some(match v {
        Value::Null => return None,
        Value::Str(s) => s.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::BigInt(b) => b.to_string(),
        Value::Float(f) => python_float_repr(*f),
        Value::Decimal(d) => wire::format_decimal(d),
        Value::Uri(s) | Value::Ni(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        Value::List(_) | Value::Dict(_) => json_text(v, false),
        other => wire::tagged_text(other).map(|t| t[2..].to_string()).unwrap_or_default(),
    })
}

fn string(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| to_text(v).map(Value::from)))
}

fn concat(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let mut out = String::new();
    for i in 0..args.len() {
        for v in args.eval(i, env)?.iter_list() {
            if let Value::Str(s) = v {
                out.push_str(s);
            }
        }
    }
    Ok(Value::from(out))
}

fn upper(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_str().map(|s| Value::from(s.to_uppercase()))))
}

fn lower(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_str().map(|s| Value::from(s.to_lowercase()))))
}

/// The widest `ljust`/`rjust` result (in characters); a wider WIDTH gives `null`
/// instead of exhausting memory.
const MAX_WIDTH: i64 = 1 << 24;

/// Python's `str.isspace`: Unicode White_Space plus the separators U+001C–U+001F.
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// An integer argument, clamped to `i64` (big integers saturate); `None` for non-integers.
fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        Value::BigInt(b) => Some(if b.sign() == num_bigint::Sign::Minus { i64::MIN } else { i64::MAX }),
        _ => None,
    }
}

/// An optional argument that must be a string when given: `Ok(None)` for `null`
/// (or an empty list), `Err(())` for any other non-string. A list gives its first element.
fn opt_str(v: &Value) -> Result<Option<&str>, ()> {
    match v.first() {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Str(s)) => Ok(Some(s)),
        Some(_) => Err(()),
    }
}

/// An optional slice index: `Ok(None)` for `null`, `Err(())` for a non-integer.
fn opt_index(v: &Value) -> Result<Option<i64>, ()> {
    match v.first() {
        None | Some(Value::Null) => Ok(None),
        Some(other) => int_of(other).map(Some).ok_or(()),
    }
}

/// Python's `s[start:end]` on characters (Unicode scalar values).
fn char_slice(s: &str, start: Option<i64>, end: Option<i64>) -> &str {
    let n = s.chars().count() as i64;
    let norm = |i: i64| if i < 0 { (i.saturating_add(n)).max(0) } else { i.min(n) };
    let from = start.map_or(0, norm);
    let to = end.map_or(n, norm);
    if from >= to {
        return "";
    }
    let byte = |ci: i64| s.char_indices().nth(ci as usize).map_or(s.len(), |(b, _)| b);
    &s[byte(from)..byte(to)]
}

fn is_string(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(Value::Bool(matches!(args.eval(0, env)?.first(), Some(Value::Str(_)))))
}

fn join(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let separator = args.eval(0, env)?;
    let values = args.eval(1, env)?;
    let Some(Value::Str(sep)) = separator.first() else { return Ok(Value::Null) };
    let parts: Vec<&str> = values.iter_list().filter_map(Value::as_str).collect();
    Ok(Value::from(parts.join(sep)))
}

fn length(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    Ok(map_values(&args.eval(0, env)?, |v| v.as_str().map(|s| Value::Int(s.chars().count() as i64))))
}

fn justify(args: &Args<'_>, env: &Env<'_>, left: bool) -> EvalResult<Value> {
    let (width, fill, values) = (args.eval(0, env)?, args.eval(1, env)?, args.eval(2, env)?);
    let Some(width) = width.first().and_then(int_of) else { return Ok(Value::Null) };
    if width > MAX_WIDTH {
        return Ok(Value::Null);
    }
    let fill = match fill.first() {
        Some(Value::Str(f)) => {
            let mut chars = f.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => c,
                _ => return Ok(Value::Null),
            }
        }
        _ => return Ok(Value::Null),
    };
    Ok(map_values(&values, |v| {
        let s = v.as_str()?;
        let pad = (width - s.chars().count() as i64).max(0) as usize;
        let padding: String = std::iter::repeat_n(fill, pad).collect();
        Some(Value::from(if left { format!("{s}{padding}") } else { format!("{padding}{s}") }))
    }))
}

fn ljust(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    justify(args, env, true)
}

fn rjust(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    justify(args, env, false)
}

#[derive(Clone, Copy)]
enum Ends {
    Left,
    Right,
    Both,
}

fn strip_ends(args: &Args<'_>, env: &Env<'_>, ends: Ends) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let set: Option<Vec<char>> = if args.len() == 2 {
        match opt_str(&args.eval(0, env)?) {
            Ok(set) => set.map(|s| s.chars().collect()),
            Err(()) => return Ok(Value::Null),
        }
    } else {
        None
    };
    let strip = |c: char| match &set {
        Some(set) => set.contains(&c),
        None => is_py_space(c),
    };
    Ok(map_values(&values, |v| {
        let s = v.as_str()?;
        Some(Value::from(match ends {
            Ends::Left => s.trim_start_matches(strip),
            Ends::Right => s.trim_end_matches(strip),
            Ends::Both => s.trim_matches(strip),
        }))
    }))
}

fn lstrip(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    strip_ends(args, env, Ends::Left)
}

fn rstrip(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    strip_ends(args, env, Ends::Right)
}

fn strip(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    strip_ends(args, env, Ends::Both)
}

fn matches(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let (pat, values) = (args.eval(0, env)?, args.eval(1, env)?);
    let Some(Value::Str(pat)) = pat.first() else { return Ok(Value::Bool(false)) };
    let mut values = values.iter_list().peekable();
    let all = values.peek().is_some() && values.all(|v| v.as_str().is_some_and(|s| pattern::matches(pat, s)));
    Ok(Value::Bool(all))
}

fn replace(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let pairs: Vec<(String, String)> = if args.len() == 3 {
        let (old, new) = (args.eval(0, env)?, args.eval(1, env)?);
        match (old.first(), new.first()) {
            (Some(Value::Str(o)), Some(Value::Str(n))) => vec![(o.to_string(), n.to_string())],
            _ => return Ok(Value::Null),
        }
    } else {
        let Some(Value::Dict(map)) = args.eval(0, env)?.first().cloned() else { return Ok(Value::Null) };
        map.iter().filter_map(|(k, v)| Some((k.to_string(), v.as_str()?.to_string()))).collect()
    };
    Ok(map_values(&values, |v| {
        let mut s = v.as_str()?.to_string();
        for (old, new) in &pairs {
            s = s.replace(old.as_str(), new);
        }
        Some(Value::from(s))
    }))
}

fn split(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let separator = if args.len() == 2 {
        match opt_str(&args.eval(0, env)?) {
            Ok(sep) => sep.map(str::to_string),
            Err(()) => return Ok(Value::Null),
        }
    } else {
        None
    };
    let mut out = Vec::new();
    for s in values.iter_list().filter_map(Value::as_str) {
        match separator.as_deref() {
            None => out.extend(s.split(is_py_space).filter(|p| !p.is_empty()).map(Value::from)),
            Some("") => out.extend(s.chars().map(|c| Value::from(c.to_string()))),
            Some(sep) => out.extend(s.split(sep).map(Value::from)),
        }
    }
    Ok(Value::list(out))
}

fn substring(args: &Args<'_>, env: &Env<'_>) -> EvalResult<Value> {
    let values = args.eval(args.len() - 1, env)?;
    let Ok(start) = opt_index(&args.eval(0, env)?) else { return Ok(Value::Null) };
    let end = if args.len() == 3 {
        let Ok(end) = opt_index(&args.eval(1, env)?) else { return Ok(Value::Null) };
        end
    } else {
        None
    };
    Ok(map_values(&values, |v| v.as_str().map(|s| Value::from(char_slice(s, start, end)))))
}

/// The strings family.
pub const BUILTINS: &[Builtin] = &[
    Builtin {
        name: "concat",
        family: Family::Strings,
        signature: "VALUES(value-expression{>=1})",
        summary: "Joins the strings among the arguments (lists are flattened one level; non-strings are ignored).",
        min_args: 1,
        max_args: None,
        form: Form::Plain,
        examples: &[Example { expr: r#"["concat", "a", ["list", "b", "c"], "d", 123]"#, result: r#""abcd""# }],
        eval: concat,
    },
    Builtin {
        name: "upper",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "Each string in upper case; non-strings are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["upper", ["list", "a", 1, "b"]]"#, result: r#"["A", "B"]"# }],
        eval: upper,
    },
    Builtin {
        name: "lower",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "Each string in lower case; non-strings are dropped.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["lower", "John"]"#, result: r#""john""# }],
        eval: lower,
    },
    Builtin {
        name: "string",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "Each value as text: numbers in decimal, special types as bare text, lists and dicts as JSON.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["string", 1]"#, result: r#""1""# },
            Example {
                expr: r#"["string", ["list", {"b": 2, "a": 1}, 124.4]]"#,
                result: r#"["{\"a\": 1, \"b\": 2}", "124.4"]"#,
            },
        ],
        eval: string,
    },
    Builtin {
        name: "is-string",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "Whether the value (or a list's first element) is a string.",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["is-string", ["list", "foo:bar", 12345]]"#, result: "true" },
            Example { expr: r#"["is-string", ["list", 1, "foo:bar"]]"#, result: "false" },
        ],
        eval: is_string,
    },
    Builtin {
        name: "join",
        family: Family::Strings,
        signature: "SEPARATOR(string{1}) VALUES(value-expression{1})",
        summary: "Joins the strings among the values with SEPARATOR; non-strings are ignored.",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[Example { expr: r#"["join", "-", ["list", "a", "b", 123, "c"]]"#, result: r#""a-b-c""# }],
        eval: join,
    },
    Builtin {
        name: "length",
        family: Family::Strings,
        signature: "VALUES(value-expression{1})",
        summary: "The number of characters of each string (not the list length: use `count`).",
        min_args: 1,
        max_args: Some(1),
        form: Form::Plain,
        examples: &[Example { expr: r#"["length", ["list", "", "a", "bb", "ccc", 7]]"#, result: "[0, 1, 2, 3]" }],
        eval: length,
    },
    Builtin {
        name: "ljust",
        family: Family::Strings,
        signature: "WIDTH(integer-expression{1}) FILL_CHARACTER(character-expression{1}) VALUES(value-expression{1})",
        summary: "Pads each string on the right with FILL_CHARACTER to WIDTH characters; bad WIDTH or FILL gives null.",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["ljust", 10, "0", "123"]"#, result: r#""1230000000""# },
            Example {
                expr: r#"["ljust", 5, " ", ["list", "abc", "def", "ghijklm"]]"#,
                result: r#"["abc  ", "def  ", "ghijklm"]"#,
            },
        ],
        eval: ljust,
    },
    Builtin {
        name: "rjust",
        family: Family::Strings,
        signature: "WIDTH(integer-expression{1}) FILL_CHARACTER(character-expression{1}) VALUES(value-expression{1})",
        summary: "Pads each string on the left with FILL_CHARACTER to WIDTH characters; bad WIDTH or FILL gives null.",
        min_args: 3,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["rjust", 10, "0", "123"]"#, result: r#""0000000123""# },
            Example { expr: r#"["rjust", 5, "ab", "x"]"#, result: "null" },
        ],
        eval: rjust,
    },
    Builtin {
        name: "lstrip",
        family: Family::Strings,
        signature: "CHARACTERS(string{0|1}) VALUES(value-expression{1})",
        summary: "Removes leading characters in the set CHARACTERS (default: whitespace) from each string.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["lstrip", "  abc "]"#, result: r#""abc ""# },
            Example { expr: r#"["lstrip", "xy", ["list", "123xyx", "xy456yx"]]"#, result: r#"["123xyx", "456yx"]"# },
        ],
        eval: lstrip,
    },
    Builtin {
        name: "rstrip",
        family: Family::Strings,
        signature: "CHARACTERS(string{0|1}) VALUES(value-expression{1})",
        summary: "Removes trailing characters in the set CHARACTERS (default: whitespace) from each string.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["rstrip", "  abc "]"#, result: r#""  abc""# },
            Example { expr: r#"["rstrip", "xy", ["list", "123xyx", "xy456yx"]]"#, result: r#"["123", "xy456"]"# },
        ],
        eval: rstrip,
    },
    Builtin {
        name: "strip",
        family: Family::Strings,
        signature: "CHARACTERS(string{0|1}) VALUES(value-expression{1})",
        summary: "Removes leading and trailing characters in the set CHARACTERS (default: whitespace).",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["strip", ["list", " ab ", "cd ", "ef"]]"#, result: r#"["ab", "cd", "ef"]"# },
            Example { expr: r#"["strip", "xy", ["list", "123xyx", "xy456yx"]]"#, result: r#"["123", "456"]"# },
        ],
        eval: strip,
    },
    Builtin {
        name: "matches",
        family: Family::Strings,
        signature: "PATTERN(string{1}) VALUES(value-expression{1})",
        summary:
            "Whether there are values and every one is a string matching PATTERN (`*` any run, `?` one character).",
        min_args: 2,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["matches", "a*p*a", ["list", "alpha", "alpaca"]]"#, result: "true" },
            Example { expr: r#"["matches", "*", null]"#, result: "false" },
        ],
        eval: matches,
    },
    Builtin {
        name: "replace",
        family: Family::Strings,
        signature:
            "(REPLACEMENTS(dict{1}) or (OLD_STRING(string{1}) NEW_STRING(string{1}))) VALUES(value-expression{1})",
        summary:
            "Replaces every OLD_STRING with NEW_STRING (or each dict key with its value, in order) in each string.",
        min_args: 2,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example {
                expr: r#"["replace", "http://", "https://", "http://www.sesam.io/"]"#,
                result: r#""https://www.sesam.io/""#,
            },
            Example { expr: r#"["replace", ["dict", "a", "A", "b", "B"], "abc"]"#, result: r#""ABc""# },
        ],
        eval: replace,
    },
    Builtin {
        name: "split",
        family: Family::Strings,
        signature: "SEPARATOR(string{0|1}) VALUES(value-expression{1})",
        summary: "Splits each string on SEPARATOR (\"\": into characters; none: on whitespace) into one flat list.",
        min_args: 1,
        max_args: Some(2),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["split", "-", ["list", "a-b", "c-d", "e"]]"#, result: r#"["a", "b", "c", "d", "e"]"# },
            Example { expr: r#"["split", "", "abc"]"#, result: r#"["a", "b", "c"]"# },
            Example { expr: r#"["split", " a  b "]"#, result: r#"["a", "b"]"# },
        ],
        eval: split,
    },
    Builtin {
        name: "substring",
        family: Family::Strings,
        signature: "START_INDEX(integer{1}) END_INDEX(integer{0|1}) VALUES(value-expression{1})",
        summary: "The characters from START to END (exclusive) of each string, like Python's `s[START:END]`.",
        min_args: 2,
        max_args: Some(3),
        form: Form::Plain,
        examples: &[
            Example { expr: r#"["substring", 2, 4, "abcdef"]"#, result: r#""cd""# },
            Example { expr: r#"["substring", -3, -1, "abcdef"]"#, result: r#""de""# },
            Example { expr: r#"["substring", 2, ["list", "abcdef", "xyz", 1]]"#, result: r#"["cdef", "z"]"# },
        ],
        eval: substring,
    },
];

#[cfg(test)]
mod tests {
    use crate::compile::Program;
    use crate::diagnostic::source;
    use crate::syntax::Node;
    use crate::value::{equal, wire, Value};

    fn eval(expr: &str) -> Value {
        let json: serde_json::Value = serde_json::from_str(expr).unwrap();
        let program = Program::compile_expression(&Node::from_json(&json), &source("test", expr)).unwrap();
        program.evaluate(&Value::dict(Default::default()), &Value::dict(Default::default())).unwrap()
    }

    fn check(expr: &str, expected: &str) {
        let got = eval(expr);
        let want = wire::parse(expected.as_bytes()).unwrap();
        assert!(equal(&got, &want), "{expr}: got {got}, expected {expected}");
    }

    #[test]
    fn characters_are_unicode_scalar_values() {
        check(r#"["length", "æøå😀"]"#, "4");
        check(r#"["substring", 1, 3, "æøå😀"]"#, r#""øå""#);
        check(r#"["substring", -1, "æøå😀"]"#, r#""😀""#);
        check(r#"["rjust", 3, "ø", "å"]"#, r#""øøå""#);
        check(r#"["split", "", "æ😀"]"#, r#"["æ", "😀"]"#);
        check(r#"["matches", "?ø?", "æøå"]"#, "true");
        check(r#"["strip", "😀", "😀a😀"]"#, r#""a""#);
    }

    #[test]
    fn substring_slices_like_python() {
        check(r#"["substring", 4, 2, "abcdef"]"#, r#""""#);
        check(r#"["substring", -100, 100, "abcdef"]"#, r#""abcdef""#);
        check(r#"["substring", 100, "abcdef"]"#, r#""""#);
        check(r#"["substring", 1, null, "abcdef"]"#, r#""bcdef""#);
        // Big integers saturate (a big literal in JSON text test input reads as a float).
        let big = |s: &str| Value::from_bigint(s.parse().unwrap());
        assert_eq!(super::int_of(&big("99999999999999999999999")), Some(i64::MAX));
        assert_eq!(super::int_of(&big("-99999999999999999999999")), Some(i64::MIN));
        assert_eq!(super::char_slice("abc", Some(i64::MAX), None), "");
        assert_eq!(super::char_slice("abc", Some(i64::MIN), Some(2)), "ab");
        assert_eq!(super::char_slice("abc", Some(-1), Some(i64::MIN)), "");
        check(r#"["substring", 1.5, "abc"]"#, "null");
        check(r#"["substring", "1", 2, "abc"]"#, "null");
        check(r#"["substring", 1, 123]"#, "null");
        check(r#"["substring", 1, null]"#, "null");
    }

    #[test]
    fn justify_rejects_bad_arguments() {
        check(r#"["ljust", 2.5, "0", "x"]"#, "null");
        check(r#"["ljust", true, "0", "x"]"#, "null");
        check(r#"["ljust", 3, "", "x"]"#, "null");
        check(r#"["ljust", 3, 1, "x"]"#, "null");
        check(r#"["ljust", -3, "0", "x"]"#, r#""x""#);
        check(r#"["ljust", 9223372036854775807, "0", "x"]"#, "null");
        check(r#"["ljust", 3, "0", ["list", "x", 1, null]]"#, r#"["x00"]"#);
        check(r#"["ljust", 3, "0", null]"#, "null");
    }

    #[test]
    fn strip_sets_and_whitespace() {
        check(r#"["strip", "\u00a0\u2003\t a \n\u001f"]"#, r#""a""#);
        check(r#"["strip", "", " a "]"#, r#"" a ""#);
        check(r#"["strip", null, " a "]"#, r#""a""#);
        check(r#"["strip", 1, " a "]"#, "null");
        check(r#"["lstrip", "ab", "abba"]"#, r#""""#);
        check(r#"["rstrip", ["list", 1, 2]]"#, "[]");
    }

    #[test]
    fn split_forms() {
        check(r#"["split", "-", "a--b-"]"#, r#"["a", "", "b", ""]"#);
        check(r#"["split", "-", ""]"#, r#"[""]"#);
        check(r#"["split", "", ""]"#, "[]");
        check(r#"["split", "\t a\u00a0b  c\n"]"#, r#"["a", "b", "c"]"#);
        check(r#"["split", "-", "abc"]"#, r#"["abc"]"#);
        check(r#"["split", "-", null]"#, "[]");
        check(r#"["split", "-", 12]"#, "[]");
        check(r#"["split", 1, "a"]"#, "null");
        check(r#"["split", "ab", "xabyabz"]"#, r#"["x", "y", "z"]"#);
    }

    #[test]
    fn replace_forms() {
        check(r#"["replace", "", "-", "abc"]"#, r#""-a-b-c-""#);
        check(r#"["replace", {"a": "b", "b": "c"}, "ab"]"#, r#""cc""#);
        check(r#"["replace", {"a": 1, "b": "B"}, "ab"]"#, r#""aB""#);
        check(r#"["replace", "a", 1, "abc"]"#, "null");
        check(r#"["replace", "x", "abc"]"#, "null");
        check(r#"["replace", "aa", "b", "aaa"]"#, r#""ba""#);
        check(r#"["replace", "a", "b", ["list", "a", 1, "ca"]]"#, r#"["b", "cb"]"#);
    }

    #[test]
    fn matches_join_is_string_edges() {
        check(r#"["matches", "a[b]", "a[b]"]"#, "true");
        check(r#"["matches", "A*", "abc"]"#, "false");
        check(r#"["matches", 1, "abc"]"#, "false");
        check(r#"["matches", ["list", "a*", "x"], "abc"]"#, "true");
        check(r#"["matches", "*", "~rhttp://x/"]"#, "false");
        check(r#"["join", "-", ["list"]]"#, r#""""#);
        check(r#"["join", "-", null]"#, r#""""#);
        check(r#"["join", 1, "a"]"#, "null");
        check(r#"["is-string", ["list"]]"#, "false");
        check(r#"["is-string", null]"#, "false");
        check(r#"["is-string", "~rhttp://x/"]"#, "false");
        check(r#"["length", ["list", "ab", 12, ["list", "x"]]]"#, "[2]");
        check(r#"["length", 12]"#, "null");
    }
}
