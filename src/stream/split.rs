//! Splitting an input byte stream into entity records without parsing them, so
//! parsing can happen in parallel. Accepts a JSON array of values, one JSON value,
//! or a sequence of values separated by whitespace (NDJSON).

use std::io::{self, BufRead};

/// One record: the bytes of one top-level value (or array element) and where it started.
#[derive(Debug, Clone)]
pub struct Record {
    /// The value's text.
    pub bytes: Vec<u8>,
    /// The 1-based line it starts on.
    pub line: usize,
    /// The 1-based position of the record in the input.
    pub index: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Not yet known: nothing but whitespace seen.
    Start,
    /// Top-level values one after another.
    Sequence,
    /// Inside a top-level array.
    Array,
    /// After the closing `]` of a top-level array.
    AfterArray,
}

/// A syntax problem found while splitting (an unclosed array, text after it).
#[derive(Debug, Clone)]
pub struct SplitError {
    /// What is wrong.
    pub message: String,
    /// The 1-based line, when the problem is at one.
    pub line: Option<usize>,
    /// Reading failed (an I/O error), rather than the text being wrong.
    pub io: bool,
}

impl SplitError {
    fn at(line: usize, message: &str) -> SplitError {
        SplitError { message: message.into(), line: Some(line), io: false }
    }
}

impl std::fmt::Display for SplitError {
    /// `line N: message`, or the message alone: the wording of the one-thread reader.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// Reads records from a buffered reader.
pub struct Splitter<R> {
    reader: R,
    scanner: Scanner,
    done: bool,
}

/// The scanning state, apart from the reader so both can be borrowed at once.
struct Scanner {
    mode: Mode,
    line: usize,
    index: usize,
    /// The bytes of a record that began in an earlier buffer.
    current: Vec<u8>,
    in_record: bool,
    current_line: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
}

impl<R: BufRead> Splitter<R> {
    /// A splitter over `reader`.
    pub fn new(reader: R) -> Self {
        let scanner = Scanner {
            mode: Mode::Start,
            line: 1,
            index: 0,
            current: Vec::new(),
            in_record: false,
            current_line: 1,
            depth: 0,
            in_string: false,
            escaped: false,
        };
        Splitter { reader, scanner, done: false }
    }

    /// The next record, `Ok(None)` at the end.
    pub fn next_record(&mut self) -> io::Result<Result<Option<Record>, SplitError>> {
        loop {
            if self.done {
                return Ok(Ok(None));
            }
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                let end = self.scanner.finish();
                // An unfinished record comes first; what ends the input on the next call.
                if !matches!(end, Ok(Some(_))) {
                    self.done = true;
                }
                return Ok(end);
            }
            let (consumed, found) = self.scanner.feed(buf);
            self.reader.consume(consumed);
            match found {
                Some(Ok(record)) => return Ok(Ok(Some(record))),
                Some(Err(e)) => {
                    self.done = true;
                    return Ok(Err(e));
                }
                None => {}
            }
        }
    }
}

/// The bytes that matter inside a value (outside strings).
const INSIDE_VALUE: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    let special = *b"\"{}[]\n";
    while i < special.len() {
        table[special[i] as usize] = true;
        i += 1;
    }
    table
};

/// What one byte outside a string does.
enum Step {
    Continue,
    /// The record ends with this byte (included).
    EndAfter,
    /// The record ends before this byte (not included).
    EndBefore,
}

impl Scanner {
    /// Scans `buf` until a record ends (or an error); gives the bytes consumed.
    fn feed(&mut self, buf: &[u8]) -> (usize, Option<Result<Record, SplitError>>) {
        let mut i = 0;
        let mut start = 0;
        while i < buf.len() {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                    i += 1;
                    continue;
                }
                // Strings are most of the text: jump to the next byte that matters.
                let j = crate::value::wire::find_special(buf, i);
                if j >= buf.len() {
                    i = j;
                    break;
                }
                i = j + 1;
                match buf[j] {
                    b'"' => {
                        self.in_string = false;
                        if self.depth == 0 && self.mode == Mode::Sequence {
                            // A bare top-level string is a complete (non-entity) record.
                            return (i, Some(Ok(self.take(&buf[start..i]))));
                        }
                    }
                    b'\\' => self.escaped = true,
                    b'\n' => self.line += 1,
                    _ => {}
                }
                continue;
            }
            if self.in_record && self.depth > 0 {
                // Inside an object or array only quotes, brackets and newlines matter.
                while i < buf.len() && !INSIDE_VALUE[buf[i] as usize] {
                    i += 1;
                }
                if i == buf.len() {
                    break;
                }
            }
            let b = buf[i];
            let was_in_record = self.in_record;
            let step = match self.outside(b) {
                Ok(step) => step,
                Err(e) => return (i + 1, Some(Err(e))),
            };
            if !was_in_record && self.in_record {
                start = i;
            }
            if b == b'\n' {
                self.line += 1;
            }
            match step {
                Step::Continue => i += 1,
                Step::EndAfter => return (i + 1, Some(Ok(self.take(&buf[start..=i])))),
                Step::EndBefore => return (i + 1, Some(Ok(self.take(&buf[start..i])))),
            }
        }
        if self.in_record {
            self.current.extend_from_slice(&buf[start..i]);
        }
        (i, None)
    }

    /// Completes the record in progress with `tail`.
    fn take(&mut self, tail: &[u8]) -> Record {
        self.in_record = false;
        self.index += 1;
        let mut bytes = if self.current.is_empty() {
            tail.to_vec()
        } else {
            let mut bytes = std::mem::take(&mut self.current);
            bytes.extend_from_slice(tail);
            bytes
        };
        // Array elements end at the next `,` or `]`, after any whitespace.
        while bytes.last().is_some_and(u8::is_ascii_whitespace) {
            bytes.pop();
        }
        Record { bytes, line: self.current_line, index: self.index }
    }

    fn begin(&mut self) {
        if !self.in_record {
            self.in_record = true;
            self.current_line = self.line;
        }
    }

    /// One byte outside any string.
    fn outside(&mut self, b: u8) -> Result<Step, SplitError> {
        let ws = matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        match self.mode {
            Mode::Start => {
                if ws {
                    return Ok(Step::Continue);
                }
                if b == b'[' {
                    self.mode = Mode::Array;
                    return Ok(Step::Continue);
                }
                self.mode = Mode::Sequence;
                self.outside(b)
            }
            Mode::AfterArray if ws => Ok(Step::Continue),
            Mode::AfterArray => {
                Err(SplitError::at(self.line, "unexpected text after the closing `]` of the input array"))
            }
            Mode::Sequence => {
                if !self.in_record {
                    if ws {
                        return Ok(Step::Continue);
                    }
                    self.begin();
                } else if ws && self.depth == 0 {
                    // The end of a scalar record.
                    return Ok(Step::EndBefore);
                }
                self.structural(b);
                Ok(if self.depth == 0 && matches!(b, b'}' | b']') { Step::EndAfter } else { Step::Continue })
            }
            Mode::Array => {
                if self.depth == 0 {
                    match b {
                        b',' if !self.in_record => {
                            return Err(SplitError::at(self.line, "missing value before `,` in the input array"))
                        }
                        b',' => return Ok(Step::EndBefore),
                        b']' => {
                            self.mode = Mode::AfterArray;
                            return Ok(if self.in_record { Step::EndBefore } else { Step::Continue });
                        }
                        _ if ws => return Ok(Step::Continue),
                        _ => {}
                    }
                }
                self.begin();
                self.structural(b);
                Ok(Step::Continue)
            }
        }
    }

    fn structural(&mut self, b: u8) {
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }

    fn finish(&mut self) -> Result<Option<Record>, SplitError> {
        if self.in_record {
            // An unfinished record: let the JSON parser say what is wrong with it.
            return Ok(Some(self.take(&[])));
        }
        match self.mode {
            Mode::Array => {
                Err(SplitError { message: "the input array is never closed with `]`".into(), line: None, io: false })
            }
            _ => Ok(None),
        }
    }
}

impl<R: BufRead> Iterator for Splitter<R> {
    type Item = Result<Record, SplitError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self.next_record() {
            Ok(Ok(Some(r))) => Some(Ok(r)),
            Ok(Ok(None)) => None,
            Ok(Err(e)) => Some(Err(e)),
            Err(e) => Some(Err(SplitError { message: format!("cannot read the input: {e}"), line: None, io: true })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(String, usize)> {
        Splitter::new(text.as_bytes())
            .map(|r| r.map(|r| (String::from_utf8(r.bytes).unwrap(), r.line)).map_err(|e| e.message))
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn ndjson_records_with_lines() {
        let out = split("{\"a\":1}\n{\"b\":\"}\"}\n\n{\"c\":[1,{\"d\":2}]}\n");
        assert_eq!(out, [("{\"a\":1}".into(), 1), ("{\"b\":\"}\"}".into(), 2), ("{\"c\":[1,{\"d\":2}]}".into(), 4)]);
    }

    #[test]
    fn arrays_split_into_elements() {
        let out = split("[\n {\"a\": 1},\n {\"b\": [1, 2]}\n]\n");
        assert_eq!(out, [("{\"a\": 1}".into(), 2), ("{\"b\": [1, 2]}".into(), 3)]);
        assert!(split("[]").is_empty());
        assert!(split("").is_empty());
    }

    #[test]
    fn escaped_quotes_do_not_end_strings() {
        let out = split(r#"{"a":"x\"}y"}{"b":2}"#);
        assert_eq!(out.len(), 2);
    }

    #[test]
    fn unclosed_array_is_an_error() {
        let errors: Vec<_> = Splitter::new("[{\"a\":1}".as_bytes()).filter_map(Result::err).collect();
        assert_eq!(errors.len(), 1);
    }

    #[test]
    fn scalars_and_garbage_become_records_for_the_parser_to_reject() {
        let out = split("{\"a\":1}\nnot json\n");
        assert_eq!(out[1].0, "not");
    }

    #[test]
    fn records_survive_small_buffers() {
        let text = "{\"a\":\"long string value\"}\n{\"b\":2}\n";
        let reader = std::io::BufReader::with_capacity(3, text.as_bytes());
        let out: Vec<_> = Splitter::new(reader).map(|r| r.unwrap().bytes).collect();
        assert_eq!(out.len(), 2);
    }
}
