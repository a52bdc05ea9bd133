//! Builtin signatures, read from the docs' notation into argument slots.
//!
//! A signature such as `TIMEZONE_NAME(string{0|1}) FORMATSTRING(string{1}) VALUES(value-expression{1})`
//! says which argument is which. The compiler uses it to find the slot of each actual
//! argument (optional slots are filled by argument count, earlier ones first, as the
//! eval functions do) and so to check constant arguments at compile time.
//!
//! The notation, as the docs write it:
//! - a slot is `NAME(kind{card})`, `NAME(kind)` (one), `kind{card}` (unnamed) or a bare
//!   `NAME` / `NAME{card}` (any value);
//! - kinds are the words of the docs' vocabulary, `a|b` for either, or a quoted constant;
//! - cardinalities are `{N}`, `{0|1}`, `{>=N}`, `{>N}`;
//! - `( ... )` groups, optionally repeated by `+` or a cardinality; `or` separates
//!   alternatives; `,` between items is optional.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::Builtin;

/// What an argument slot holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `value-expression`: any value.
    ValueExpression,
    /// `default-value-expression`: evaluated for each failing element.
    DefaultValueExpression,
    /// `function-expression`: evaluated per element with `_` bound.
    FunctionExpression,
    /// `boolean-expression`: any value, taken by truthiness.
    BooleanExpression,
    /// `integer-expression`.
    IntegerExpression,
    /// `numeric-expression`.
    NumericExpression,
    /// `character-expression`: a one-character string.
    CharacterExpression,
    /// `string`: meant to be a literal string.
    String,
    /// `integer`: meant to be a literal integer.
    Integer,
    /// `dict`.
    Dict,
    /// `value`: data, not evaluated (`literal`).
    Value,
    /// A quoted constant, e.g. `"murmur3"`.
    Constant(&'static str),
}

impl Kind {
    fn named(word: &str) -> Option<Kind> {
        Some(match word {
            "value-expression" => Kind::ValueExpression,
            "default-value-expression" => Kind::DefaultValueExpression,
            "function-expression" => Kind::FunctionExpression,
            "boolean-expression" => Kind::BooleanExpression,
            "integer-expression" => Kind::IntegerExpression,
            "numeric-expression" => Kind::NumericExpression,
            "character-expression" => Kind::CharacterExpression,
            "string" => Kind::String,
            "integer" => Kind::Integer,
            "dict" => Kind::Dict,
            "value" => Kind::Value,
            _ => return None,
        })
    }

    /// How the docs write it.
    pub fn text(self) -> String {
        match self {
            Kind::ValueExpression => "value-expression".into(),
            Kind::DefaultValueExpression => "default-value-expression".into(),
            Kind::FunctionExpression => "function-expression".into(),
            Kind::BooleanExpression => "boolean-expression".into(),
            Kind::IntegerExpression => "integer-expression".into(),
            Kind::NumericExpression => "numeric-expression".into(),
            Kind::CharacterExpression => "character-expression".into(),
            Kind::String => "string".into(),
            Kind::Integer => "integer".into(),
            Kind::Dict => "dict".into(),
            Kind::Value => "value".into(),
            Kind::Constant(c) => format!("\"{c}\""),
        }
    }
}

/// How many arguments an item takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Card {
    /// At least this many.
    pub min: usize,
    /// At most this many (`None`: no limit).
    pub max: Option<usize>,
}

impl Card {
    const ONE: Card = Card { min: 1, max: Some(1) };
}

/// One argument slot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    /// The docs' name (`TIMEZONE_NAME`), if the signature gives one.
    pub name: Option<&'static str>,
    /// The accepted kinds; empty means any value.
    pub kinds: Vec<Kind>,
    /// How many arguments it takes.
    pub card: Card,
}

impl Slot {
    /// The kinds as the docs write them (`string|dict`).
    pub fn kinds_text(&self) -> String {
        if self.kinds.is_empty() {
            return "value-expression".into();
        }
        self.kinds.iter().map(|k| k.text()).collect::<Vec<_>>().join("|")
    }
}

/// An item of a sequence: a slot or a (repeated) group of alternatives.
#[derive(Clone, Debug)]
enum Item {
    Slot(Slot),
    Group { alternatives: Vec<Vec<Item>>, card: Card },
}

/// A parsed signature: alternative sequences of items.
#[derive(Clone, Debug)]
pub struct Signature {
    alternatives: Vec<Vec<Item>>,
}

impl Signature {
    /// Reads the docs' notation; the error says where it went wrong.
    pub fn parse(text: &'static str) -> Result<Signature, String> {
        let tokens = tokenize(text)?;
        let mut parser = Parser { tokens, at: 0 };
        let alternatives = parser.alternatives()?;
        if parser.at < parser.tokens.len() {
            return Err(format!("unexpected {:?} in signature `{text}`", parser.tokens[parser.at]));
        }
        Ok(Signature { alternatives })
    }

    /// The slot of each of `n` arguments, or `None` when no reading of the signature takes `n`.
    /// Optional and repeated items take as many arguments as they can, earlier ones first
    /// (so two arguments to `A{0|1} B{0|1} C` are A and C).
    pub fn layout(&self, n: usize) -> Option<Vec<&Slot>> {
        let mut out = Vec::with_capacity(n);
        match_alternatives(&self.alternatives, n, &mut out, &mut |rest, _| rest == 0).then_some(out)
    }

    /// The fewest and most arguments any reading takes (`None`: no limit).
    pub fn arity(&self) -> (usize, Option<usize>) {
        alternatives_arity(&self.alternatives)
    }
}

/// The parsed signature of `builtin` (parsed once, on first use); `None` if it does not parse.
pub fn of(builtin: &Builtin) -> Option<&'static Signature> {
    static PARSED: OnceLock<HashMap<&'static str, Signature>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        super::all().into_iter().filter_map(|b| Some((b.name, Signature::parse(b.signature).ok()?))).collect()
    });
    parsed.get(builtin.name)
}

/// The continuation of a match: called with the arguments still unassigned.
type Then<'s, 'k> = dyn FnMut(usize, &mut Vec<&'s Slot>) -> bool + 'k;

fn match_alternatives<'s>(alts: &'s [Vec<Item>], n: usize, out: &mut Vec<&'s Slot>, then: &mut Then<'s, '_>) -> bool {
    alts.iter().any(|seq| match_sequence(seq, n, out, then))
}

fn match_sequence<'s>(items: &'s [Item], n: usize, out: &mut Vec<&'s Slot>, then: &mut Then<'s, '_>) -> bool {
    let Some((first, rest)) = items.split_first() else {
        return then(n, out);
    };
    match_item(first, n, out, &mut |left, out| match_sequence(rest, left, out, then))
}

fn match_item<'s>(item: &'s Item, n: usize, out: &mut Vec<&'s Slot>, then: &mut Then<'s, '_>) -> bool {
    match item {
        Item::Slot(slot) => {
            let most = slot.card.max.map_or(n, |m| m.min(n));
            let mark = out.len();
            for count in (slot.card.min..=most).rev() {
                out.extend(std::iter::repeat_n(slot, count));
                if then(n - count, out) {
                    return true;
                }
                out.truncate(mark);
            }
            false
        }
        Item::Group { alternatives, card } => match_repeats(alternatives, *card, 0, n, out, then),
    }
}

/// Matches `done` and then more repetitions of a group, most first.
fn match_repeats<'s>(
    alts: &'s [Vec<Item>],
    card: Card,
    done: usize,
    n: usize,
    out: &mut Vec<&'s Slot>,
    then: &mut Then<'s, '_>,
) -> bool {
    let mark = out.len();
    if card.max.is_none_or(|m| done < m) {
        // Another repetition must use an argument, or the repetition would never end.
        let more = match_alternatives(alts, n, out, &mut |left, out| {
            left < n && match_repeats(alts, card, done + 1, left, out, then)
        });
        if more {
            return true;
        }
        out.truncate(mark);
    }
    done >= card.min && then(n, out)
}

fn alternatives_arity(alts: &[Vec<Item>]) -> (usize, Option<usize>) {
    let each = alts.iter().map(|seq| sequence_arity(seq));
    each.fold((usize::MAX, Some(0)), |(lo, hi), (a, b)| {
        (
            lo.min(a),
            match (hi, b) {
                (Some(x), Some(y)) => Some(x.max(y)),
                _ => None,
            },
        )
    })
}

fn sequence_arity(items: &[Item]) -> (usize, Option<usize>) {
    items.iter().fold((0, Some(0)), |(lo, hi), item| {
        let (a, b) = match item {
            Item::Slot(slot) => (slot.card.min, slot.card.max),
            Item::Group { alternatives, card } => {
                let (a, b) = alternatives_arity(alternatives);
                let most = match (card.max, b) {
                    (_, Some(0)) => Some(0),
                    (Some(m), Some(b)) => Some(m * b),
                    _ => None,
                };
                (a * card.min, most)
            }
        };
        (lo + a, hi.zip(b).map(|(x, y)| x + y))
    })
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Token {
    Open,
    Close,
    Bar,
    Comma,
    Plus,
    Or,
    Word(&'static str),
    Quoted(&'static str),
    Card(Card),
}

fn tokenize(text: &'static str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let (token, len) = match c {
            ' ' => (None, 1),
            '(' => (Some(Token::Open), 1),
            ')' => (Some(Token::Close), 1),
            '|' => (Some(Token::Bar), 1),
            ',' => (Some(Token::Comma), 1),
            '+' => (Some(Token::Plus), 1),
            '"' => {
                let end = rest[1..].find('"').ok_or_else(|| format!("unclosed quote in signature `{text}`"))?;
                (Some(Token::Quoted(&rest[1..=end])), end + 2)
            }
            '{' => {
                let end = rest.find('}').ok_or_else(|| format!("unclosed `{{` in signature `{text}`"))?;
                (Some(Token::Card(card(&rest[1..end]).ok_or_else(|| bad_card(&rest[..=end], text))?)), end + 1)
            }
            c if c.is_ascii_alphanumeric() || c == '_' => {
                let len =
                    rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(rest.len());
                let word = &rest[..len];
                (Some(if word == "or" { Token::Or } else { Token::Word(word) }), len)
            }
            other => return Err(format!("unexpected `{other}` in signature `{text}`")),
        };
        tokens.extend(token);
        rest = &rest[len..];
    }
    Ok(tokens)
}

fn bad_card(card: &str, text: &str) -> String {
    format!("bad cardinality `{card}` in signature `{text}`")
}

/// `0|1`, `N`, `>=N` or `>N`.
fn card(text: &str) -> Option<Card> {
    if text == "0|1" {
        return Some(Card { min: 0, max: Some(1) });
    }
    if let Some(n) = text.strip_prefix(">=") {
        return Some(Card { min: n.parse().ok()?, max: None });
    }
    if let Some(n) = text.strip_prefix('>') {
        return Some(Card { min: n.parse::<usize>().ok()? + 1, max: None });
    }
    let n = text.parse().ok()?;
    Some(Card { min: n, max: Some(n) })
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.at).cloned();
        self.at += 1;
        t
    }

    fn eat(&mut self, token: &Token) -> bool {
        let matched = self.peek() == Some(token);
        if matched {
            self.at += 1;
        }
        matched
    }

    fn alternatives(&mut self) -> Result<Vec<Vec<Item>>, String> {
        let mut alts = vec![self.sequence()?];
        while self.eat(&Token::Or) {
            alts.push(self.sequence()?);
        }
        Ok(alts)
    }

    fn sequence(&mut self) -> Result<Vec<Item>, String> {
        let mut items = vec![self.item()?];
        loop {
            self.eat(&Token::Comma);
            match self.peek() {
                Some(Token::Open | Token::Word(_)) => items.push(self.item()?),
                _ => return Ok(items),
            }
        }
    }

    fn item(&mut self) -> Result<Item, String> {
        match self.next() {
            Some(Token::Open) => {
                let alternatives = self.alternatives()?;
                self.expect_close()?;
                let card =
                    if self.eat(&Token::Plus) { Card { min: 1, max: None } } else { self.card().unwrap_or(Card::ONE) };
                Ok(Item::Group { alternatives, card })
            }
            Some(Token::Word(word)) if is_name(word) => {
                let (kinds, card) = if self.eat(&Token::Open) {
                    let kinds = self.kinds()?;
                    let card = self.card().unwrap_or(Card::ONE);
                    self.expect_close()?;
                    (kinds, card)
                } else {
                    (Vec::new(), self.card().unwrap_or(Card::ONE))
                };
                Ok(Item::Slot(Slot { name: Some(word), kinds, card }))
            }
            Some(Token::Word(_)) => {
                self.at -= 1;
                let kinds = self.kinds()?;
                let card = self.card().ok_or("an unnamed slot needs a cardinality")?;
                Ok(Item::Slot(Slot { name: None, kinds, card }))
            }
            other => Err(format!("expected a slot, found {other:?}")),
        }
    }

    fn kinds(&mut self) -> Result<Vec<Kind>, String> {
        let mut kinds = Vec::new();
        loop {
            kinds.push(match self.next() {
                Some(Token::Word(w)) => Kind::named(w).ok_or_else(|| format!("unknown argument kind `{w}`"))?,
                Some(Token::Quoted(c)) => Kind::Constant(c),
                other => return Err(format!("expected an argument kind, found {other:?}")),
            });
            if !self.eat(&Token::Bar) {
                return Ok(kinds);
            }
        }
    }

    fn card(&mut self) -> Option<Card> {
        match self.peek() {
            Some(Token::Card(c)) => {
                let c = *c;
                self.at += 1;
                Some(c)
            }
            _ => None,
        }
    }

    fn expect_close(&mut self) -> Result<(), String> {
        if self.eat(&Token::Close) {
            Ok(())
        } else {
            Err(format!("expected `)`, found {:?}", self.peek()))
        }
    }
}

/// Slot names are upper case (`VALUES1`, `FALLBACK-VALUE`); kinds are lower case.
fn is_name(word: &str) -> bool {
    word.starts_with(|c: char| c.is_ascii_uppercase())
}

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
