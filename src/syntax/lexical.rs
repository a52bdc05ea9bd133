//! Lexical rules shared by the parsers and the printers: what a symbol is, how it
//! is escaped, what looks like a path or a number, and JSON string escapes.
//!
//! The parser and the printer must agree exactly on these, or printing would not be
//! lossless; keeping them in one place is how they stay in step (and in step with
//! `grammar/dtl.pest`).

use crate::diagnostic::Diagnostic;
use crate::syntax::Span;

/// The deepest nesting of lists and dicts the parsers accept. Deeper input would
/// risk the stack; real DTL stays far below this.
pub(crate) const MAX_DEPTH: usize = 256;

/// The contexts DTL reads a path in.
const PATH_ROOTS: [&str; 6] = ["_S", "_T", "_P", "_R", "_B", "_"];

/// Whether DTL would read `s` as a property path: the part before the first `.` is
/// one of `_S _T _P _R _B _`, and there is a `.`.
pub fn looks_like_path(s: &str) -> bool {
    match s.split_once('.') {
        Some((root, _)) => PATH_ROOTS.contains(&root),
        None => false,
    }
}

/// Whether `c` ends a symbol (whitespace, brackets, `"` and `;`).
pub(crate) fn is_delimiter(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '"' | ';')
}

/// If a single-quoted segment starts at byte `i` of `s` (which holds `'`), the
/// offset just past its closing quote. `''` inside is one quote; a segment never
/// spans a newline. Mirrors `quoted_segment` in `grammar/dtl.pest`.
pub(crate) fn quoted_segment_end(s: &str, i: usize) -> Option<usize> {
    let b = s.as_bytes();
    debug_assert_eq!(b.get(i), Some(&b'\''));
    let mut j = i + 1;
    loop {
        match b.get(j) {
            None | Some(b'\n') => return None,
            Some(b'\'') if b.get(j + 1) == Some(&b'\'') => j += 2,
            Some(b'\'') => return Some(j + 1),
            // UTF-8 continuation bytes never equal `'` or `\n`, so stepping by byte is safe.
            Some(_) => j += 1,
        }
    }
}

/// The pieces a symbol's source text is made of.
enum Piece<'a> {
    /// A quoted segment, kept verbatim (quotes included).
    Segment(&'a str),
    /// A backslash-escaped character (the character itself).
    Escaped(char),
    /// An ordinary character.
    Plain(char),
}

/// Splits the symbol starting at byte `start` of `text` into pieces, stopping at the
/// first delimiter. Returns the pieces and the end offset. Mirrors `symbol` in the grammar.
fn symbol_pieces(text: &str, start: usize) -> (Vec<Piece<'_>>, usize) {
    let mut pieces = Vec::new();
    let mut i = start;
    while let Some(c) = text[i..].chars().next() {
        if c == '\'' {
            if let Some(end) = quoted_segment_end(text, i) {
                pieces.push(Piece::Segment(&text[i..end]));
                i = end;
                continue;
            }
        }
        if c == '\\' {
            if let Some(next) = text[i + 1..].chars().next() {
                pieces.push(Piece::Escaped(next));
                i += 1 + next.len_utf8();
                continue;
            }
        }
        if is_delimiter(c) {
            break;
        }
        pieces.push(Piece::Plain(c));
        i += c.len_utf8();
    }
    (pieces, i)
}

/// The end offset of the symbol starting at byte `start` of `text`.
pub(crate) fn symbol_end(text: &str, start: usize) -> usize {
    symbol_pieces(text, start).1
}

/// The string a symbol's source text stands for: escapes removed, quoted segments kept.
pub(crate) fn unescape_symbol(raw: &str) -> String {
    let (pieces, _) = symbol_pieces(raw, 0);
    let mut out = String::with_capacity(raw.len());
    for piece in pieces {
        match piece {
            Piece::Segment(s) => out.push_str(s),
            Piece::Escaped(c) | Piece::Plain(c) => out.push(c),
        }
    }
    out
}

/// Source text for a symbol that reads back as exactly `s`: delimiters, backslashes
/// and quotes that would not form a segment are escaped with `\`. The caller makes
/// sure `s` is not empty and would not read as a number or keyword.
pub(crate) fn escape_symbol(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while let Some(c) = s[i..].chars().next() {
        if c == '\'' {
            if let Some(end) = quoted_segment_end(s, i) {
                out.push_str(&s[i..end]);
                i = end;
                continue;
            }
            out.push('\\');
        } else if c == '\\' || is_delimiter(c) {
            out.push('\\');
        }
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// Whether `s` is a JSON number (`-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?`).
pub(crate) fn is_json_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - from
    };
    match b.get(i) {
        Some(b'0') => i += 1,
        Some(c) if c.is_ascii_digit() => {
            digits(&mut i);
        }
        _ => return false,
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Whether a bare symbol `s` could be mistaken for a number by a reader (a sign or
/// a dot followed by a digit, or a digit first). Such strings print quoted.
pub(crate) fn is_number_like(s: &str) -> bool {
    let t = s.strip_prefix(['-', '+']).unwrap_or(s);
    let t = t.strip_prefix('.').unwrap_or(t);
    t.starts_with(|c: char| c.is_ascii_digit())
}

/// `true`, `false` or `null`.
pub(crate) fn is_keyword(s: &str) -> bool {
    matches!(s, "true" | "false" | "null")
}

/// Whether `s` can print as a bare symbol with no escapes and read back as the same string.
pub(crate) fn is_plain_symbol(s: &str) -> bool {
    !s.is_empty() && !is_keyword(s) && !is_number_like(s) && escape_symbol(s) == s
}

/// `alias.field`: an identifier, a dot, and more (how hops specs name columns).
pub(crate) fn is_alias_field(s: &str) -> bool {
    match s.split_once('.') {
        Some((alias, rest)) => {
            !rest.is_empty()
                && alias.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
                && alias.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        }
        None => false,
    }
}

/// A string as a JSON string literal.
pub(crate) fn quote_json(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    write_json_str(s, false, &mut out);
    out
}

/// Appends `s` as a JSON string literal. Control characters (and U+2028/U+2029,
/// which JavaScript takes as line ends) are always `\u`-escaped; with `ascii_only`,
/// everything outside printable ASCII is (as UTF-16 units, so astral characters
/// become surrogate pairs).
pub(crate) fn write_json_str(s: &str, ascii_only: bool, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            c if ascii_only || (c as u32) < 0x20 || c == '\u{7f}' || c == '\u{2028}' || c == '\u{2029}' => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// What went wrong in a string body, and where (absolute offsets).
pub(crate) struct EscapeError {
    pub span: Span,
    pub message: String,
    pub label: String,
    pub help: String,
}

impl EscapeError {
    /// As a diagnostic with `code`.
    pub fn into_diagnostic(self, code: &'static str) -> Diagnostic {
        Diagnostic::new(code, self.message).at(self.span, self.label).help(self.help)
    }
}

/// Unescapes the body of a JSON-style string literal that starts at byte `base` of
/// the source. `allow_control` lets raw control characters (newlines, tabs) through,
/// as `.dtl` strings do and JSON strings do not.
pub(crate) fn unescape_string(body: &str, base: usize, allow_control: bool) -> Result<String, EscapeError> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            if !allow_control && (c as u32) < 0x20 {
                return Err(EscapeError {
                    span: Span::new(base + i, base + i + 1),
                    message: "control character in a string".into(),
                    label: "this character must be escaped".into(),
                    help: format!("write it as \\u{:04x} (or \\n, \\t, \\r)", c as u32),
                });
            }
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            return Err(EscapeError {
                span: Span::new(base + i, base + i + 1),
                message: "unfinished escape in a string".into(),
                label: "nothing follows this backslash".into(),
                help: "write \\\\ for a backslash".into(),
            });
        };
        let simple = match e {
            '"' => Some('"'),
            '\\' => Some('\\'),
            '/' => Some('/'),
            'b' => Some('\u{8}'),
            'f' => Some('\u{c}'),
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            _ => None,
        };
        if let Some(s) = simple {
            out.push(s);
            continue;
        }
        if e != 'u' {
            return Err(EscapeError {
                span: Span::new(base + i, base + i + 1 + e.len_utf8()),
                message: format!("invalid escape `\\{e}` in a string"),
                label: "not a valid escape".into(),
                help: "valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX; write \\\\ for a backslash"
                    .into(),
            });
        }
        let first = read_hex4(body, i, base)?;
        let mut end = i + 6;
        let code = if (0xD800..0xDC00).contains(&first) {
            let low = if body[end..].starts_with("\\u") { Some(read_hex4(body, end, base)?) } else { None };
            match low {
                Some(low) if (0xDC00..0xE000).contains(&low) => {
                    end += 6;
                    0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
                }
                _ => return Err(lone_surrogate(base + i, base + end)),
            }
        } else if (0xDC00..0xE000).contains(&first) {
            return Err(lone_surrogate(base + i, base + end));
        } else {
            first
        };
        // Surrogates were handled above, so this is a valid scalar value.
        out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
        while chars.peek().is_some_and(|&(j, _)| j < end) {
            chars.next();
        }
    }
    Ok(out)
}

fn lone_surrogate(start: usize, end: usize) -> EscapeError {
    EscapeError {
        span: Span::new(start, end),
        message: "unpaired surrogate in a \\u escape".into(),
        label: "this half of a surrogate pair has no partner".into(),
        help: "characters above U+FFFF are written as a pair \\uD8xx\\uDCxx".into(),
    }
}

/// Reads the four hex digits of the `\u` escape at byte `i` of `body`.
fn read_hex4(body: &str, i: usize, base: usize) -> Result<u32, EscapeError> {
    let hex = body.get(i + 2..i + 6).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()));
    match hex {
        Some(h) => Ok(u32::from_str_radix(h, 16).unwrap_or(0xFFFD)),
        None => {
            let end = body[i..].char_indices().nth(6).map_or(body.len(), |(j, _)| i + j);
            Err(EscapeError {
                span: Span::new(base + i, base + end),
                message: "invalid \\u escape in a string".into(),
                label: "expected four hex digits after \\u".into(),
                help: "write a character as \\uXXXX, e.g. \\u00e9".into(),
            })
        }
    }
}

/// 1-based line and column of byte `offset` in `text`, for messages.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The span of the character at `offset` (empty at the end of the text).
pub(crate) fn char_span(text: &str, offset: usize) -> Span {
    let len = text.get(offset..).and_then(|t| t.chars().next()).map_or(0, char::len_utf8);
    Span::new(offset, offset + len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        for p in ["_S.", "_S.name", "_.amount", "_T.a.b", "_B.x", "_R.x", "_P.x"] {
            assert!(looks_like_path(p), "{p}");
        }
        for p in ["_S", "customer", "a.b", "_X.a", "", ".", "__.a"] {
            assert!(!looks_like_path(p), "{p}");
        }
    }

    #[test]
    fn numbers() {
        for n in ["0", "-0", "1", "12", "1.50", "1e3", "1E+3", "-2.5e-10", "123456789012345678901234567890"] {
            assert!(is_json_number(n), "{n}");
        }
        for n in ["", "-", "01", "1.", ".5", "1e", "+1", "1.5.2", "12ab", "0x1"] {
            assert!(!is_json_number(n), "{n}");
        }
        assert!(is_number_like("007") && is_number_like("-.5") && is_number_like("+1"));
        assert!(!is_number_like("-") && !is_number_like("a1"));
    }

    #[test]
    fn symbols_escape_and_unescape() {
        for s in ["_S.first name", "a\\b", "x'y", "_S.foo.'john.doe''s'.bar", "(a)", "'''", "a;b\"c", "é ü", "''\n'"]
        {
            let escaped = escape_symbol(s);
            assert_eq!(symbol_end(&escaped, 0), escaped.len(), "{escaped}");
            assert_eq!(unescape_symbol(&escaped), s, "{escaped}");
        }
        assert_eq!(escape_symbol("_S.first name"), "_S.first\\ name");
        assert_eq!(escape_symbol("_S.foo.'john doe'.bar"), "_S.foo.'john doe'.bar");
        assert!(is_plain_symbol("sorted-descending") && is_plain_symbol("fail!"));
        assert!(!is_plain_symbol("true") && !is_plain_symbol("1") && !is_plain_symbol("a b") && !is_plain_symbol(""));
    }

    #[test]
    fn string_escapes() {
        assert_eq!(
            unescape_string(r#"a\"b\\c\/\n\u00e9\ud83d\ude00"#, 0, false).ok().as_deref(),
            Some("a\"b\\c/\né😀")
        );
        let e = unescape_string(r"ab\q", 10, false).err().map(|e| e.span);
        assert_eq!(e, Some(Span::new(12, 14)));
        assert!(unescape_string(r"\ud83d", 0, false).is_err());
        assert!(unescape_string(r"\u12", 0, false).is_err());
        assert!(unescape_string("a\nb", 0, false).is_err());
        assert!(unescape_string("a\nb", 0, true).is_ok());
        assert_eq!(quote_json("a\"\\\n\u{1}"), "\"a\\\"\\\\\\n\\u0001\"");
        assert_eq!(quote_json("é\u{7f}\u{2028}😀"), "\"é\\u007f\\u2028😀\"");
        let mut ascii = String::new();
        write_json_str("é\u{7f}😀~", true, &mut ascii);
        assert_eq!(ascii, "\"\\u00e9\\u007f\\ud83d\\ude00~\"");
    }
}
