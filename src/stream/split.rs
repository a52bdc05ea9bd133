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
    /// The 1-based line.
    pub line: usize,
}

/// Reads records from a buffered reader.
pub struct Splitter<R> {
    reader: R,
    mode: Mode,
    line: usize,
    index: usize,
    current: Vec<u8>,
    current_line: usize,
    depth: usize,
    in_string: bool,
    escaped: bool,
    done: bool,
}

impl<R: BufRead> Splitter<R> {
    /// A splitter over `reader`.
    pub fn new(reader: R) -> Self {
        Splitter {
            reader,
            mode: Mode::Start,
            line: 1,
            index: 0,
            current: Vec::new(),
            current_line: 1,
            depth: 0,
            in_string: false,
            escaped: false,
            done: false,
        }
    }

    /// The next record, `Ok(None)` at the end.
    pub fn next_record(&mut self) -> io::Result<Result<Option<Record>, SplitError>> {
        loop {
            if self.done {
                return Ok(Ok(None));
            }
            let buf = self.reader.fill_buf()?;
            if buf.is_empty() {
                self.done = true;
                return Ok(self.finish());
            }
            let buf = buf.to_vec();
            let mut consumed = 0;
            let mut found = None;
            for (i, &b) in buf.iter().enumerate() {
                consumed = i + 1;
                match self.byte(b) {
                    Ok(Some(record)) => {
                        found = Some(record);
                        break;
                    }
                    Ok(None) => {}
                    Err(e) => {
                        self.reader.consume(consumed);
                        self.done = true;
                        return Ok(Err(e));
                    }
                }
            }
            self.reader.consume(consumed);
            if let Some(record) = found {
                return Ok(Ok(Some(record)));
            }
        }
    }

    fn emit(&mut self) -> Record {
        self.index += 1;
        Record { bytes: std::mem::take(&mut self.current), line: self.current_line, index: self.index }
    }

    /// Feeds one byte; gives a record when one ends here.
    fn byte(&mut self, b: u8) -> Result<Option<Record>, SplitError> {
        let newline = b == b'\n';
        let result = self.byte_inner(b);
        if newline {
            self.line += 1;
        }
        result
    }

    fn byte_inner(&mut self, b: u8) -> Result<Option<Record>, SplitError> {
        let in_record = !self.current.is_empty();
        if self.in_string {
            self.current.push(b);
            if self.escaped {
                self.escaped = false;
            } else if b == b'\\' {
                self.escaped = true;
            } else if b == b'"' {
                self.in_string = false;
                if self.depth == 0 && self.mode == Mode::Sequence {
                    // A bare top-level string is a complete (non-entity) record.
                    return Ok(Some(self.emit()));
                }
            }
            return Ok(None);
        }
        let ws = matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        match self.mode {
            Mode::Start => {
                if ws {
                    return Ok(None);
                }
                if b == b'[' {
                    self.mode = Mode::Array;
                    return Ok(None);
                }
                self.mode = Mode::Sequence;
                self.byte_inner(b)
            }
            Mode::AfterArray => {
                if ws {
                    Ok(None)
                } else {
                    Err(SplitError {
                        message: "unexpected text after the closing `]` of the input array".into(),
                        line: self.line,
                    })
                }
            }
            Mode::Sequence => {
                if !in_record {
                    if ws {
                        return Ok(None);
                    }
                    self.current_line = self.line;
                }
                if ws && self.depth == 0 {
                    // The end of a scalar record.
                    return Ok(Some(self.emit()));
                }
                self.structural(b);
                if self.depth == 0 && matches!(b, b'}' | b']') {
                    return Ok(Some(self.emit()));
                }
                Ok(None)
            }
            Mode::Array => {
                if self.depth == 0 {
                    match b {
                        b',' => {
                            if !in_record {
                                return Err(SplitError {
                                    message: "missing value before `,` in the input array".into(),
                                    line: self.line,
                                });
                            }
                            return Ok(Some(self.emit()));
                        }
                        b']' => {
                            self.mode = Mode::AfterArray;
                            return Ok(in_record.then(|| self.emit()));
                        }
                        _ if ws => {
                            return Ok(None);
                        }
                        _ => {}
                    }
                }
                if !in_record {
                    self.current_line = self.line;
                }
                self.structural(b);
                Ok(None)
            }
        }
    }

    fn structural(&mut self, b: u8) {
        self.current.push(b);
        match b {
            b'"' => self.in_string = true,
            b'{' | b'[' => self.depth += 1,
            b'}' | b']' => self.depth = self.depth.saturating_sub(1),
            _ => {}
        }
    }

    fn finish(&mut self) -> Result<Option<Record>, SplitError> {
        match self.mode {
            Mode::Array => {
                Err(SplitError { message: "the input array is never closed with `]`".into(), line: self.line })
            }
            _ if self.current.iter().all(u8::is_ascii_whitespace) => Ok(None),
            // An unfinished record: let the JSON parser say what is wrong with it.
            _ => Ok(Some(self.emit())),
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
            Err(e) => Some(Err(SplitError { message: format!("cannot read the input: {e}"), line: self.line })),
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
