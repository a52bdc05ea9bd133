//! The reading side of a many-thread run: cuts each input into blocks that
//! workers can process on their own.
//!
//! A value sequence (NDJSON, the common case) is read in large pieces cut after a
//! newline, found with `memchr`: no per-record work happens on this thread. A JSON
//! array goes through the structural [`Splitter`] and is handed out as groups of records.

use std::io::{BufRead, Read};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};

use super::split::{Record, SplitError, Splitter};
use super::Input;

/// Bytes read per block: enough entities to amortise the hand-off, small enough that
/// a few blocks in flight keep memory flat.
pub(super) const BLOCK: usize = 256 * 1024;

/// At most this many array records per block.
const RECORDS_PER_BLOCK: usize = 2048;

/// Reusable buffers; a block can only be read when one is free, which bounds the
/// number of blocks in flight (and so memory) whatever the input size.
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

/// Hands out blocks of every input in order, stopping early when `stop` is set or the
/// other side has gone.
pub(super) fn read_inputs(inputs: Vec<Input>, slots: Receiver<Slot>, work: Sender<Block>, stop: &AtomicBool) {
    let mut sender = BlockSender { slots, work, stop, seq: 0 };
    for (number, input) in inputs.into_iter().enumerate() {
        if read_input(number, input.reader, &mut sender).is_err() {
            return;
        }
    }
}

/// The other side has stopped.
struct Closed;

struct BlockSender<'a> {
    slots: Receiver<Slot>,
    work: Sender<Block>,
    stop: &'a AtomicBool,
    seq: u64,
}

impl BlockSender<'_> {
    /// A free slot (waiting for one), emptied.
    fn slot(&self) -> Result<Slot, Closed> {
        let mut slot = self.slots.recv().map_err(|_| Closed)?;
        if self.stop.load(Ordering::Relaxed) {
            return Err(Closed);
        }
        slot.text.clear();
        // Room for a block and a carried partial line, so reading never regrows the buffer.
        slot.text.reserve(BLOCK + BLOCK / 4);
        Ok(slot)
    }

    fn send(&mut self, input: usize, body: Body, slot: Slot) -> Result<(), Closed> {
        let block = Block { seq: self.seq, input, body, slot };
        self.seq += 1;
        self.work.send(block).map_err(|_| Closed)
    }
}

fn read_input(number: usize, mut reader: Box<dyn BufRead + Send>, sender: &mut BlockSender<'_>) -> Result<(), Closed> {
    let (first, skipped_lines) = match first_byte(&mut reader) {
        Ok(found) => found,
        Err(e) => return sender.send(number, Body::ReadFailure(e.to_string()), sender.slot()?),
    };
    match first {
        None => Ok(()),
        Some(b'[') => read_records(number, reader, skipped_lines, sender),
        Some(_) => read_text(number, reader, 1 + skipped_lines, sender),
    }
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

fn read_text(
    number: usize,
    mut reader: Box<dyn BufRead + Send>,
    mut line: usize,
    sender: &mut BlockSender<'_>,
) -> Result<(), Closed> {
    let mut carry = Vec::new();
    loop {
        let mut slot = sender.slot()?;
        let text = &mut slot.text;
        text.append(&mut carry);
        let mut eof;
        let cut = loop {
            let want = BLOCK.saturating_sub(text.len()).max(BLOCK / 8);
            match reader.by_ref().take(want as u64).read_to_end(text) {
                Ok(n) => eof = n < want,
                Err(e) => {
                    // What was read stays unsent: its last value may be cut short.
                    return sender.send(number, Body::ReadFailure(e.to_string()), slot);
                }
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
        let lines = memchr::memchr_iter(b'\n', text).count();
        sender.send(number, Body::Text { line, last: eof }, slot)?;
        line += lines;
        if eof {
            return Ok(());
        }
    }
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

fn read_records(
    number: usize,
    reader: Box<dyn BufRead + Send>,
    skipped_lines: usize,
    sender: &mut BlockSender<'_>,
) -> Result<(), Closed> {
    let mut records = Vec::with_capacity(RECORDS_PER_BLOCK);
    let mut bytes = 0;
    for record in Splitter::new(reader) {
        let stop = record.is_err();
        let record = match record {
            Ok(mut r) => {
                r.line += skipped_lines;
                bytes += r.bytes.len();
                Ok(r)
            }
            Err(mut e) => {
                e.line += skipped_lines;
                Err(e)
            }
        };
        records.push(record);
        if records.len() == RECORDS_PER_BLOCK || bytes >= BLOCK || stop {
            let full = std::mem::replace(&mut records, Vec::with_capacity(RECORDS_PER_BLOCK));
            sender.send(number, Body::Records(full), sender.slot()?)?;
            bytes = 0;
        }
        if stop {
            return Ok(());
        }
    }
    if !records.is_empty() {
        sender.send(number, Body::Records(records), sender.slot()?)?;
    }
    Ok(())
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
