//! Cross-type ordering and equality.
//!
//! Ranks, lowest first (entity data model): null, boolean, numbers (integer, float
//! and decimal together, by value), date/datetime, UUID, NI, URI, string, dict,
//! list ("tuple"), bytes. Different ranks order by rank; equal ranks by value.

use std::cmp::Ordering;

use super::{DateTime, Number, Value};

fn rank(v: &Value) -> u8 {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Decimal(_) => 2,
        Value::DateTime(_) | Value::Date(_) => 3,
        Value::Uuid(_) => 4,
        Value::Ni(_) => 5,
        Value::Uri(_) => 6,
        Value::Str(_) => 7,
        Value::Dict(_) => 8,
        Value::List(_) => 9,
        Value::Bytes(_) => 10,
    }
}

/// The instant a date or datetime stands for, with dates before datetimes at the same instant.
fn instant(v: &Value) -> (Option<DateTime>, u8) {
    match v {
        Value::DateTime(dt) => (Some(*dt), 1),
        Value::Date(d) => (DateTime::from_date(*d), 0),
        _ => (None, 0),
    }
}

/// The total order DTL's `sorted`, `min` and `max` use.
pub fn compare(a: &Value, b: &Value) -> Ordering {
    let (ra, rb) = (rank(a), rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) | (Value::Uri(x), Value::Uri(y)) | (Value::Ni(x), Value::Ni(y)) => x.cmp(y),
        (Value::Uuid(x), Value::Uuid(y)) => x.cmp(y),
        (Value::Bytes(x), Value::Bytes(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                let o = compare(p, q);
                if o != Ordering::Equal {
                    return o;
                }
            }
            x.len().cmp(&y.len())
        }
        (Value::Dict(x), Value::Dict(y)) => {
            let mut xs: Vec<_> = x.iter().collect();
            let mut ys: Vec<_> = y.iter().collect();
            xs.sort_by(|p, q| p.0.cmp(q.0));
            ys.sort_by(|p, q| p.0.cmp(q.0));
            for ((kx, vx), (ky, vy)) in xs.iter().zip(ys.iter()) {
                let o = kx.cmp(ky).then_with(|| compare(vx, vy));
                if o != Ordering::Equal {
                    return o;
                }
            }
            xs.len().cmp(&ys.len())
        }
        _ if ra == 2 => Number::of(a).unwrap().compare(Number::of(b).unwrap()),
        _ if ra == 3 => instant(a).cmp(&instant(b)),
        _ => Ordering::Equal,
    }
}

/// Structural equality: numbers by value across types, dicts regardless of key
/// order, lists element-wise; a string never equals a URI or NI with the same text.
pub fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Str(x), Value::Str(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y,
        (Value::List(x), Value::List(y)) => {
            std::sync::Arc::ptr_eq(x, y) || (x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| equal(p, q)))
        }
        (Value::Dict(x), Value::Dict(y)) => {
            std::sync::Arc::ptr_eq(x, y)
                || (x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w))))
        }
        (Value::Float(x), Value::Float(y)) => x == y,
        _ => rank(a) == rank(b) && compare(a, b) == Ordering::Equal && !matches!(a, Value::Float(f) if f.is_nan()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(json: &str) -> Value {
        crate::value::wire::parse(json.as_bytes()).unwrap()
    }

    #[test]
    fn mixed_types_sort_by_rank_then_value() {
        let mut items = vec![v("1.5"), v("\"b\""), v("1"), v("\"a\""), v("2")];
        items.sort_by(compare);
        assert_eq!(items, vec![v("1"), v("1.5"), v("2"), v("\"a\""), v("\"b\"")]);
        let mut ranks = vec![
            v("\"~bAAE=\""),
            v("[1]"),
            v("{}"),
            v("\"s\""),
            v("\"~rhttp://x\""),
            v("\"~:a:b\""),
            v("\"~u531a379e-31bb-4ce1-8690-158dceb64be6\""),
            v("\"~t2015-01-01T00:00:00Z\""),
            v("3"),
            v("true"),
            v("null"),
        ];
        ranks.sort_by(compare);
        let names: Vec<_> = ranks.iter().map(Value::type_name).collect();
        assert_eq!(
            names,
            ["null", "boolean", "integer", "datetime", "uuid", "ni", "uri", "string", "dict", "list", "bytes"]
        );
    }

    #[test]
    fn dicts_compare_by_sorted_pairs() {
        assert_eq!(compare(&v(r#"{"x":1}"#), &v(r#"{"x":2}"#)), Ordering::Less);
        assert_eq!(compare(&v(r#"{"x":2}"#), &v(r#"{"x":"abc"}"#)), Ordering::Less);
        assert!(equal(&v(r#"{"a":1,"b":2}"#), &v(r#"{"b":2,"a":1}"#)));
    }

    #[test]
    fn equality_is_numeric_across_types_but_not_across_strings_and_uris() {
        assert!(equal(&v("1"), &v("1.0")));
        assert!(equal(&v("1"), &v("\"~f1.0\"")));
        assert!(!equal(&v("\"http://x\""), &v("\"~rhttp://x\"")));
        assert!(!equal(&v("true"), &v("1")));
    }
}
