//! The single-threaded reader: values are parsed straight out of the input
//! buffer, one after another, with no separate splitting pass. Used when a run
//! has one thread, where a splitter thread would be a second core in disguise.

use std::io::Read;

use crate::diagnostic::{codes, source, Diagnostic};
use crate::syntax::Span;
use crate::value::{wire, Value};

/// Bytes read per refill.
const BLOCK: usize = 1 << 20;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Start,
    Sequence,
    Array,
    AfterArray,
}

/// One parsed record: the value, its 1-based line and position in the input.
pub struct Parsed {
    /// The value (not yet checked to be an entity).
    pub value: Value,
    /// The line it starts on.
    pub line: usize,
    /// Its position in the input, from 1.
    pub index: usize,
}

/// Reads values from `reader` in place.
pub struct InlineReader<R> {
    reader: R,
    name: String,
    block: String,
    pos: usize,
    pending: Vec<u8>,
    eof: bool,
    mode: Mode,
    line: usize,
    counted: usize,
    index: usize,
    /// Set after an error nothing can be read past (an unclosed array, bad UTF-8).
    finished: bool,
    /// Bad UTF-8 was met: reported once the text before it has been read.
    broken: Option<Box<Diagnostic>>,
}

impl<R: Read> InlineReader<R> {
    /// A reader over `reader`; `name` labels diagnostics.
    pub fn new(reader: R, name: &str) -> Self {
        InlineReader {
            reader,
            name: name.to_string(),
            block: String::new(),
            pos: 0,
            pending: Vec::new(),
            eof: false,
            mode: Mode::Start,
            line: 1,
            counted: 0,
            index: 0,
            finished: false,
            broken: None,
        }
    }

    /// Reads more input, keeping the unparsed rest. `false` at the end of input.
    /// The buffers are kept from one refill to the next: fresh megabyte blocks cost
    /// page faults and zeroing on every refill.
    fn refill(&mut self) -> Result<bool, Box<Diagnostic>> {
        if self.eof {
            return Ok(false);
        }
        // `pending` holds the incomplete character left by the last refill, if any.
        let start = self.pending.len();
        match self.reader.by_ref().take(BLOCK as u64).read_to_end(&mut self.pending) {
            Ok(n) => self.eof = n < BLOCK,
            Err(e) => return Err(self.error(codes::IO, format!("cannot read the input: {e}"))),
        }
        let filled = self.pending.len();
        // A block may end inside a character: keep the incomplete tail for the next one.
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(_) => filled,
            Err(e) if e.error_len().is_none() && !self.eof => e.valid_up_to(),
            Err(e) => {
                // Read the whole lines before the bad byte, then stop with the error (as the
                // many-thread reader does).
                let valid = self.pending[..e.valid_up_to()].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                let at = self.line
                    + count_lines(&self.block.as_bytes()[self.counted..])
                    + count_lines(&self.pending[..e.valid_up_to()]);
                let message = format!("line {at}: the input is not valid UTF-8");
                self.broken = Some(self.error(codes::INPUT_JSON, message));
                self.eof = true;
                self.pending.truncate(valid);
                valid
            }
        };
        self.line += count_lines(&self.block.as_bytes()[self.counted..self.pos]);
        self.block.drain(..self.pos);
        self.block.push_str(std::str::from_utf8(&self.pending[..valid]).expect("validated above"));
        self.pending.drain(..valid);
        if self.broken.is_some() {
            self.pending.clear();
        }
        self.pos = 0;
        self.counted = 0;
        Ok(filled > start || !self.pending.is_empty())
    }

    fn error(&self, code: &'static str, message: String) -> Box<Diagnostic> {
        Box::new(Diagnostic::new(code, format!("{}: {message}", self.name)))
    }

    /// Moves past whitespace and separators; gives whether a value starts here.
    fn at_value(&mut self) -> Result<bool, Box<Diagnostic>> {
        loop {
            let rest = &self.block.as_bytes()[self.pos..];
            let skip = rest.iter().take_while(|b| b.is_ascii_whitespace()).count();
            self.pos += skip;
            let Some(&b) = self.block.as_bytes().get(self.pos) else {
                if self.refill()? {
                    continue;
                }
                if let Some(d) = self.broken.take() {
                    return Err(d);
                }
                return match self.mode {
                    Mode::Array => {
                        Err(self.error(codes::INPUT_JSON, "the input array is never closed with `]`".into()))
                    }
                    _ => Ok(false),
                };
            };
            match (self.mode, b) {
                (Mode::Start, b'[') => {
                    self.mode = Mode::Array;
                    self.pos += 1;
                }
                (Mode::Start, _) => self.mode = Mode::Sequence,
                (Mode::Array, b']') => {
                    self.mode = Mode::AfterArray;
                    self.pos += 1;
                }
                (Mode::Array, b',') if self.index > 0 => self.pos += 1,
                (Mode::AfterArray, _) => {
                    let line = self.line_at(self.pos);
                    let message = format!("line {line}: unexpected text after the closing `]` of the input array");
                    return Err(self.error(codes::INPUT_JSON, message));
                }
                _ => return Ok(true),
            }
        }
    }

    fn line_at(&mut self, pos: usize) -> usize {
        self.line += count_lines(&self.block.as_bytes()[self.counted..pos]);
        self.counted = pos;
        self.line
    }

    /// The next record; `None` at the end.
    pub fn next_record(&mut self) -> Option<Result<Parsed, Box<Diagnostic>>> {
        if self.finished {
            return None;
        }
        match self.at_value() {
            Ok(true) => {}
            Ok(false) => return None,
            Err(e) => {
                self.finished = true;
                return Some(Err(e));
            }
        }
        loop {
            let text = &self.block[self.pos..];
            match wire::parse_prefix(text) {
                Ok((value, used)) => {
                    let line = self.line_at(self.pos);
                    self.pos += used;
                    self.index += 1;
                    return Some(Ok(Parsed { value, line, index: self.index }));
                }
                Err(e) if e.offset >= text.len() && !self.eof => match self.refill() {
                    Ok(_) => continue,
                    Err(d) => {
                        self.finished = true;
                        return Some(Err(d));
                    }
                },
                Err(e) => {
                    // Carry on (under --keep-going) from the next line.
                    let skip = text.find('\n').map_or(text.len(), |n| n + 1);
                    let shown = text[..skip].trim_end().to_string();
                    self.index += 1;
                    let line = self.line_at(self.pos);
                    self.pos += skip;
                    return Some(Err(bad_record(&self.name, line, self.index, &shown, e)));
                }
            }
        }
    }
}

pub(super) fn count_lines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// The diagnostic for a record that is not JSON, showing its first line.
pub(super) fn bad_record(name: &str, line: usize, index: usize, text: &str, e: wire::WireError) -> Box<Diagnostic> {
    let shown = &text[..text.find('\n').unwrap_or(text.len())];
    let label = format!("{name}:{line}");
    let at = e.offset.min(shown.len());
    Box::new(
        Diagnostic::new(codes::INPUT_JSON, format!("{label}: entity {index} is not valid JSON: {}", e.message))
            .at(Span::new(at, (at + 1).min(shown.len().max(at))), e.message.clone())
            .help("each input entity must be a JSON object")
            .in_source(&source(&label, shown.to_string())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(text: &str, block_reader: bool) -> Vec<Result<(String, usize), String>> {
        let reader: Box<dyn Read> = if block_reader {
            Box::new(std::io::BufReader::with_capacity(3, text.as_bytes()))
        } else {
            Box::new(text.as_bytes())
        };
        let mut r = InlineReader::new(reader, "t");
        let mut out = Vec::new();
        while let Some(rec) = r.next_record() {
            out.push(rec.map(|p| (p.value.to_string(), p.line)).map_err(|d| d.message));
        }
        out
    }

    #[test]
    fn ndjson_arrays_and_pretty_objects() {
        let ok = |v: &[(&str, usize)]| v.iter().map(|(s, l)| Ok((s.to_string(), *l))).collect::<Vec<_>>();
        assert_eq!(read_all("{\"a\":1}\n{\"b\":2}\n", false), ok(&[("{\"a\":1}", 1), ("{\"b\":2}", 2)]));
        assert_eq!(read_all("[\n {\"a\": 1},\n {\"b\": 2}\n]\n", false), ok(&[("{\"a\":1}", 2), ("{\"b\":2}", 3)]));
        assert_eq!(read_all("{\n \"a\": \"æ\"\n}\n{\"b\":2}", false), ok(&[("{\"a\":\"æ\"}", 1), ("{\"b\":2}", 4)]));
        assert!(read_all("", false).is_empty());
        assert!(read_all("[]", false).is_empty());
    }

    #[test]
    fn errors_name_the_line_and_reading_goes_on() {
        let out = read_all("{\"a\":1}\n{oops}\n{\"c\":3}\n", false);
        assert!(out[1].as_ref().unwrap_err().contains("t:2"));
        assert_eq!(out[2], Ok(("{\"c\":3}".to_string(), 3)));
        let out = read_all("[{\"a\":1}", false);
        assert_eq!(out.len(), 2, "an unclosed array is reported once and ends the input");
        assert!(out[1].is_err());
        let out = read_all("[{\"a\":1}] junk", false);
        assert_eq!(out.len(), 2);
        assert!(out[1].as_ref().unwrap_err().contains("after the closing"));
    }

    #[test]
    fn values_larger_than_a_block_are_read_whole() {
        let big = format!("{{\"s\":\"{}\"}}\n{{\"t\":\"æøå\"}}\n", "x".repeat(3 * BLOCK));
        let out = read_all(&big, true);
        assert_eq!(out.len(), 2);
        assert_eq!(out[1], Ok(("{\"t\":\"æøå\"}".to_string(), 2)));
    }
}
