//! The value model: JSON plus Sesam's types, cheap to clone.
//!
//! Containers and strings sit behind `Arc`, so cloning a value — which evaluation
//! does constantly (copying a source property onto a target, binding `_`) — is a
//! reference-count increment, never a deep copy.

mod datetime;
mod number;
mod order;
pub mod wire;

use std::sync::Arc;

use bigdecimal::BigDecimal;
use indexmap::IndexMap;
use num_bigint::BigInt;

pub use datetime::{DateTime, DATETIME_MAX, DATETIME_MIN};
pub use number::{is_decimal_text_capped, python_float_repr, Number};
pub use order::{compare, equal};

/// A shared, immutable string.
pub type Str = Arc<str>;

/// A dict: string keys in insertion order. Keys hash with FxHash: entity keys are
/// short and trusted, and SipHash was a tenth of the cost of reading an entity.
pub type Map = IndexMap<Str, Value, rustc_hash::FxBuildHasher>;

/// An empty dict map with room for `n` entries.
pub fn map_with_capacity(n: usize) -> Map {
    Map::with_capacity_and_hasher(n, Default::default())
}

/// A DTL value.
#[derive(Clone, Debug, Default)]
pub enum Value {
    /// `null`
    #[default]
    Null,
    /// `true` / `false`
    Bool(bool),
    /// An integer that fits in 64 bits.
    Int(i64),
    /// An integer that does not fit in 64 bits (never holds a value that fits).
    BigInt(Arc<BigInt>),
    /// An IEEE double.
    Float(f64),
    /// An exact decimal (`~f` on the wire).
    Decimal(Arc<BigDecimal>),
    /// A string.
    Str(Str),
    /// A list.
    List(Arc<Vec<Value>>),
    /// A dict (an entity when it carries a string `_id`).
    Dict(Arc<Map>),
    /// A datetime in UTC with nanosecond precision (`~t` on the wire).
    DateTime(DateTime),
    /// A date without time (`~tYYYY-MM-DD` on the wire); orders with datetimes as midnight UTC.
    Date(chrono::NaiveDate),
    /// A URI (`~r`).
    Uri(Str),
    /// A namespaced identifier (`~:`), holding the text after the tag: `ns:id` or `id`.
    Ni(Str),
    /// A UUID (`~u`).
    Uuid(u128),
    /// Bytes (`~b`, base64).
    Bytes(Arc<[u8]>),
}

impl Value {
    /// Reads entity JSON (wire format: `~t…`, `~f…` and the other tags are decoded).
    pub fn from_json(text: &str) -> Result<Value, wire::WireError> {
        wire::parse(text.as_bytes())
    }

    /// A string value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Arc::new(items))
    }

    /// A dict value.
    pub fn dict(map: Map) -> Value {
        Value::Dict(Arc::new(map))
    }

    /// An empty list.
    pub fn empty_list() -> Value {
        Value::list(Vec::new())
    }

    /// An integer from any big integer, kept small when it fits.
    pub fn from_bigint(n: BigInt) -> Value {
        use num_traits::ToPrimitive;
        match n.to_i64() {
            Some(i) => Value::Int(i),
            None => Value::BigInt(Arc::new(n)),
        }
    }

    /// A decimal value.
    pub fn decimal(d: BigDecimal) -> Value {
        Value::Decimal(Arc::new(d))
    }

    /// DTL truthiness: only `false`, `null` and the empty list are false.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null | Value::Bool(false) => false,
            Value::List(items) => !items.is_empty(),
            _ => true,
        }
    }

    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The string, if this is a plain string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The dict, if this is one.
    pub fn as_dict(&self) -> Option<&Map> {
        match self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The items, if this is a list.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    /// The `i64`, if this is a small integer.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// Whether this is a number (integer, float or decimal; never a boolean).
    pub fn is_number(&self) -> bool {
        matches!(self, Value::Int(_) | Value::BigInt(_) | Value::Float(_) | Value::Decimal(_))
    }

    /// A property of a dict (`None` for a missing key or a non-dict).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_dict().and_then(|d| d.get(key))
    }

    /// The value as a list: `null` → empty, a list → itself, anything else → one element.
    pub fn to_list(&self) -> Vec<Value> {
        match self {
            Value::Null => Vec::new(),
            Value::List(items) => items.as_ref().clone(),
            other => vec![other.clone()],
        }
    }

    /// Iterates the value as a list without copying: `null` → nothing, a list →
    /// its items, anything else → itself.
    pub fn iter_list(&self) -> std::slice::Iter<'_, Value> {
        match self {
            Value::Null => [].iter(),
            Value::List(items) => items.iter(),
            other => std::slice::from_ref(other).iter(),
        }
    }

    /// The value itself, or the first element of a list (`None` for an empty list).
    pub fn first(&self) -> Option<&Value> {
        match self {
            Value::List(items) => items.first(),
            other => Some(other),
        }
    }

    /// The name of the value's type, as DTL's docs write it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Int(_) | Value::BigInt(_) => "integer",
            Value::Float(_) => "float",
            Value::Decimal(_) => "decimal",
            Value::Str(_) => "string",
            Value::List(_) => "list",
            Value::Dict(_) => "dict",
            Value::DateTime(_) => "datetime",
            Value::Date(_) => "date",
            Value::Uri(_) => "uri",
            Value::Ni(_) => "ni",
            Value::Uuid(_) => "uuid",
            Value::Bytes(_) => "bytes",
        }
    }

    /// The entity `_id`, if this is a dict with a string `_id`.
    pub fn entity_id(&self) -> Option<&str> {
        self.get("_id").and_then(Value::as_str)
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        equal(self, other)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::str(s)
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(Arc::from(s))
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Value {
        Value::Float(f)
    }
}

impl From<Vec<Value>> for Value {
    fn from(items: Vec<Value>) -> Value {
        Value::list(items)
    }
}

impl From<Map> for Value {
    fn from(map: Map) -> Value {
        Value::dict(map)
    }
}

impl std::fmt::Display for Value {
    /// Writes the value as compact wire JSON.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&wire::to_string(self))
    }
}
