//! The reading side of a many-thread run: cuts each input into blocks that
//! workers can process on their own. Workers take blocks themselves (under a lock),
//! so no thread of its own has to be scheduled for reading.
//!
//! A value sequence (NDJSON, the common case) is read in large pieces cut after a
//! newline, found with `memchr`: no per-record work happens on this thread. A JSON
//! array goes through the structural [`Splitter`] and is handed out as groups of records.

use std::io::{BufRead, Read};

use super::split::{Record, SplitError, Splitter};
use super::Input;

/// Bytes read per block: enough entities to amortise the hand-off, small enough that
/// a few blocks in flight keep memory flat.
pub(super) const BLOCK: usize = 256 * 1024;

/// At most this many array records per block.
const RECORDS_PER_BLOCK: usize = 2048;

/// Reusable buffers, passed from block to block.
#[derive(Default)]
pub(super) struct Slot {
    /// Input text of a `Body::Text` block.
    pub text: Vec<u8>,
    /// Output bytes, filled by the worker.
    pub out: Vec<u8>,
}

/// What a block holds.
pub(super) enum Body {
    /// Part of a value sequence, in the slot's text: it starts at a value boundary on
    /// `line`, and ends after a newline (or at the end of the input when `last`).
    Text { line: usize, last: bool },
    /// Elements of a JSON array, one record each.
    Records(Vec<Result<Record, SplitError>>),
    /// The input could not be read on.
    ReadFailure(String),
}

/// One unit of work, numbered in input order.
pub(super) struct Block {
    pub seq: u64,
    /// The position of its input in the run's inputs.
    pub input: usize,
    pub body: Body,
    pub slot: Slot,
}

/// Cuts the inputs, one after another, into numbered blocks.
pub(super) struct BlockSource {
    inputs: std::iter::Enumerate<std::vec::IntoIter<Input>>,
    current: Option<(usize, Reading)>,
    /// The number of the next block.
    pub seq: u64,
}

/// How the current input is being read.
enum Reading {
    /// A value sequence, read in pieces; `carry` is the partial line after the last cut.
    Text { reader: Box<dyn BufRead + Send>, line: usize, carry: Vec<u8> },
    /// A JSON array, through the structural splitter; its lines start after `skipped_lines`.
    Records { splitter: Box<Splitter<Box<dyn BufRead + Send>>>, skipped_lines: usize },
}

impl BlockSource {
    pub(super) fn new(inputs: Vec<Input>) -> Self {
        BlockSource { inputs: inputs.into_iter().enumerate(), current: None, seq: 0 }
    }

    /// The next block, using `slot`'s buffers; `None` when every input is read.
    pub(super) fn next_block(&mut self, mut slot: Slot) -> Option<Block> {
        slot.text.clear();
        loop {
            let Some((number, reading)) = &mut self.current else {
                let (number, input) = self.inputs.next()?;
                match open(input.reader) {
                    Ok(Some(reading)) => self.current = Some((number, reading)),
                    Ok(None) => {}
                    Err(e) => return Some(self.block(number, Body::ReadFailure(e.to_string()), slot)),
                }
                continue;
            };
            let number = *number;
            let (body, more) = match reading {
                Reading::Text { reader, line, carry } => read_text(reader, line, carry, &mut slot.text),
                Reading::Records { splitter, skipped_lines } => match read_records(splitter, *skipped_lines) {
                    Some((records, more)) => (Body::Records(records), more),
                    None => (Body::Records(Vec::new()), false),
                },
            };
            if !more {
                self.current = None;
            }
            if matches!(&body, Body::Records(records) if records.is_empty()) {
                continue;
            }
            return Some(self.block(number, body, slot));
        }
    }

    fn block(&mut self, input: usize, body: Body, slot: Slot) -> Block {
        let block = Block { seq: self.seq, input, body, slot };
        self.seq += 1;
        block
    }
}

/// Starts reading an input: as a value sequence, or as an array when it starts with `[`.
fn open(mut reader: Box<dyn BufRead + Send>) -> std::io::Result<Option<Reading>> {
    let (first, skipped_lines) = first_byte(&mut reader)?;
    Ok(match first {
        None => None,
        Some(b'[') => Some(Reading::Records { splitter: Box::new(Splitter::new(reader)), skipped_lines }),
        Some(_) => Some(Reading::Text { reader, line: 1 + skipped_lines, carry: Vec::new() }),
    })
}

/// Skips leading whitespace: gives the first other byte (not consumed) and the newlines skipped.
fn first_byte(reader: &mut dyn BufRead) -> std::io::Result<(Option<u8>, usize)> {
    let mut lines = 0;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((None, lines));
        }
        let ws = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        lines += memchr::memchr_iter(b'\n', &buf[..ws]).count();
        let found = buf.get(ws).copied();
        reader.consume(ws);
        if found.is_some() {
            return Ok((found, lines));
        }
    }
}

/// Reads the next piece of a value sequence into `text`, cut after a newline; gives the
/// block's body and whether the input goes on.
fn read_text(
    reader: &mut Box<dyn BufRead + Send>,
    line: &mut usize,
    carry: &mut Vec<u8>,
    text: &mut Vec<u8>,
) -> (Body, bool) {
    // Room for a block and a carried partial line, so reading never regrows the buffer.
    text.reserve(BLOCK + BLOCK / 4);
    text.append(carry);
    let mut eof;
    let cut = loop {
        let want = BLOCK.saturating_sub(text.len()).max(BLOCK / 8);
        match reader.by_ref().take(want as u64).read_to_end(text) {
            Ok(n) => eof = n < want,
            // What was read is dropped: its last value may be cut short.
            Err(e) => return (Body::ReadFailure(e.to_string()), false),
        }
        if eof {
            break text.len();
        }
        if text.len() >= BLOCK {
            if let Some(cut) = cut_point(text) {
                break cut;
            }
        }
    };
    carry.extend_from_slice(&text[cut..]);
    text.truncate(cut);
    let body = Body::Text { line: *line, last: eof };
    *line += memchr::memchr_iter(b'\n', text).count();
    (body, !eof)
}

/// Where to end a block: just after a newline, best one between `}` and `{`. In valid
/// JSON that can only be between two top-level values, whereas a plain newline may sit
/// inside a pretty-printed value (the writer then re-reads across the cut, which is
/// correct but single-threaded).
fn cut_point(text: &[u8]) -> Option<usize> {
    const LOOK_BACK: usize = 4096;
    let is_space = |b: &&u8| matches!(**b, b' ' | b'\t' | b'\r' | b'\n');
    let mut last = None;
    for newline in memchr::memrchr_iter(b'\n', text).take(LOOK_BACK) {
        last.get_or_insert(newline + 1);
        let before = text[..newline].iter().rev().find(|b| !is_space(b));
        let after = text[newline + 1..].iter().find(|b| !is_space(b));
        if before == Some(&b'}') && after == Some(&b'{') {
            return Some(newline + 1);
        }
    }
    last
}

/// The next group of array elements, and whether more may follow; `None` at the end.
#[allow(clippy::type_complexity)]
fn read_records(
    splitter: &mut Splitter<Box<dyn BufRead + Send>>,
    skipped_lines: usize,
) -> Option<(Vec<Result<Record, SplitError>>, bool)> {
    let mut records = Vec::with_capacity(RECORDS_PER_BLOCK);
    let mut bytes = 0;
    for record in splitter.by_ref() {
        let stop = record.is_err();
        records.push(match record {
            Ok(mut r) => {
                r.line += skipped_lines;
                bytes += r.bytes.len();
                Ok(r)
            }
            Err(mut e) => {
                if let Some(line) = &mut e.line {
                    *line += skipped_lines;
                }
                Err(e)
            }
        });
        if stop {
            return Some((records, false));
        }
        if records.len() == RECORDS_PER_BLOCK || bytes >= BLOCK {
            return Some((records, true));
        }
    }
    (!records.is_empty()).then_some((records, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_cut_between_entities() {
        let text = b"{\"a\":{\"b\":1}\n}\n{\"c\":2}\n{\"d\"";
        assert_eq!(cut_point(text), Some(23));
        assert_eq!(cut_point(b"{\"a\":1}\n{\"b\":\n2}"), Some(8));
        // A newline inside a value is used only when nothing better exists.
        assert_eq!(cut_point(b"{\"a\":\n1}"), Some(6));
        assert_eq!(cut_point(b"no newline"), None);
    }
}
