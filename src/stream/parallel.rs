//! A many-thread run. Every thread is a worker: it takes the next block from the
//! input (under a lock), turns it into output bytes, and files the result. The
//! calling thread is a worker too, and also the only writer: between its own blocks
//! it writes the filed results in input order.
//!
//! There is no reader or writer thread to hand work to: on a busy machine such a
//! thread waits for a core while the workers wait for it.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Condvar, Mutex, MutexGuard};

use crate::diagnostic::Diagnostic;

use super::blocks::{Block, BlockSource, Body, Slot};
use super::work::{self, Ctx, Outcome};
use super::{conclude, io_error, EntityWriter, Input, Summary};

/// A processed block.
struct Done {
    block: Block,
    outcome: Outcome,
}

/// What the threads share.
struct State {
    source: BlockSource,
    /// No block is left to take.
    exhausted: bool,
    /// Processed blocks not yet written, by number.
    filed: BTreeMap<u64, Done>,
    /// Blocks written so far (so the number of the next one to write).
    written: u64,
    /// Buffers of written blocks, for the next ones.
    free: Vec<Slot>,
    /// The writer has stopped (an error): take no more blocks.
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    /// Signalled whenever a block is filed or written, or the run stops.
    changed: Condvar,
    /// At most this many blocks taken but not written: bounds memory whatever the input size.
    in_flight: u64,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn wait<'a>(&self, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        self.changed.wait(guard).unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The next block if one may be taken now: `Err(())` when there is none to wait for.
    fn take(&self, state: &mut State) -> Result<Option<Block>, ()> {
        if state.stop || state.exhausted {
            return Err(());
        }
        if state.source.seq - state.written >= self.in_flight {
            return Ok(None);
        }
        let slot = state.free.pop().unwrap_or_default();
        match state.source.next_block(slot) {
            Some(block) => Ok(Some(block)),
            None => {
                state.exhausted = true;
                self.changed.notify_all();
                Err(())
            }
        }
    }

    fn file(&self, done: Done) {
        self.lock().filed.insert(done.block.seq, done);
        self.changed.notify_all();
    }
}

/// Runs the inputs with `workers` threads (the calling one included).
pub(super) fn run(
    ctx: Ctx<'_>,
    inputs: Vec<Input>,
    workers: usize,
    out: &mut dyn Write,
) -> Result<Summary, Box<Diagnostic>> {
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let state = State {
        source: BlockSource::new(inputs),
        exhausted: false,
        filed: BTreeMap::new(),
        written: 0,
        free: Vec::new(),
        stop: false,
    };
    // Enough blocks in flight that workers keep going while the writer is busy with its own block.
    let in_flight = 4 * workers as u64 + 4;
    let shared = Shared { state: Mutex::new(state), changed: Condvar::new(), in_flight };
    std::thread::scope(|scope| {
        for _ in 1..workers {
            let (shared, names) = (&shared, &names);
            scope.spawn(move || worker(ctx, names, shared));
        }
        let result = write_in_order(ctx, &names, &shared, out);
        // Whatever happened, the other workers stop at their next block.
        shared.lock().stop = true;
        shared.changed.notify_all();
        result
    })
}

fn process(ctx: Ctx<'_>, names: &[String], mut block: Block) -> Done {
    let out = std::mem::take(&mut block.slot.out);
    let name = &names[block.input];
    let outcome = match &block.body {
        Body::Text { line, last } => work::process_text(ctx, name, &block.slot.text, *line, *last, out),
        Body::Records(records) => work::process_records(ctx, name, records, out),
        Body::ReadFailure(message) => work::read_failure(ctx, name, message, out),
    };
    Done { block, outcome }
}

fn worker(ctx: Ctx<'_>, names: &[String], shared: &Shared) {
    loop {
        let mut state = shared.lock();
        let block = loop {
            match shared.take(&mut state) {
                Ok(Some(block)) => break block,
                Ok(None) => state = shared.wait(state),
                Err(()) => return,
            }
        };
        drop(state);
        shared.file(process(ctx, names, block));
    }
}

/// The calling thread: writes filed blocks in order, and processes blocks itself
/// while the next one to write is not ready.
fn write_in_order(
    ctx: Ctx<'_>,
    names: &[String],
    shared: &Shared,
    out: &mut dyn Write,
) -> Result<Summary, Box<Diagnostic>> {
    let mut writer = EntityWriter::new(out, ctx.options.format);
    let mut summary = Summary::default();
    let mut input = InputState { input: usize::MAX, index_base: 0, carry: None, ended: false };
    let result = (|| {
        let mut state = shared.lock();
        loop {
            let next = state.written;
            if let Some(done) = state.filed.remove(&next) {
                drop(state);
                let slot = write_block(ctx, names, done, &mut input, &mut writer, &mut summary)?;
                state = shared.lock();
                state.written += 1;
                state.free.push(slot);
                shared.changed.notify_all();
                continue;
            }
            match shared.take(&mut state) {
                Ok(Some(block)) => {
                    drop(state);
                    shared.file(process(ctx, names, block));
                    state = shared.lock();
                }
                // Wait for the block a worker is still on.
                Ok(None) => state = shared.wait(state),
                Err(()) if state.written == state.source.seq => return Ok(()),
                Err(()) => state = shared.wait(state),
            }
        }
    })();
    conclude(writer, summary, result)
}

/// A value cut by a block boundary, waiting for the next block of its input.
struct Carry {
    text: Vec<u8>,
    line: usize,
}

/// Where the writer is in the current input.
struct InputState {
    input: usize,
    /// Records of this input before the current block.
    index_base: usize,
    carry: Option<Carry>,
    /// The input cannot be read past an error: its remaining blocks are dropped.
    ended: bool,
}

/// Writes one block's output and handles its errors; gives back its slot.
fn write_block(
    ctx: Ctx<'_>,
    names: &[String],
    done: Done,
    state: &mut InputState,
    writer: &mut EntityWriter<'_>,
    summary: &mut Summary,
) -> Result<Slot, Box<Diagnostic>> {
    let Done { block, outcome } = done;
    let mut slot = block.slot;
    if block.input != state.input {
        *state = InputState { input: block.input, index_base: 0, carry: None, ended: false };
    }
    if state.ended {
        return Ok(slot);
    }
    // A value ran past the end of the previous block: the result for this block
    // started mid-value, so parse again from the value's start, here.
    let (outcome, text) = match (state.carry.take(), &block.body) {
        (Some(carry), Body::Text { last, .. }) => {
            let mut text = carry.text;
            text.extend_from_slice(&slot.text);
            (work::process_text(ctx, &names[block.input], &text, carry.line, *last, Vec::new()), Some(text))
        }
        _ => (outcome, None),
    };
    summary.read += outcome.read;
    let mut start = 0;
    for segment in outcome.segments {
        writer.entities(&outcome.out[start..segment.end], segment.count).map_err(io_error)?;
        start = segment.end;
        if let Some(error) = segment.error {
            let diagnostic = (error.make)(state.index_base);
            if ctx.options.keep_going && !error.stops {
                summary.skipped.push(*diagnostic);
            } else {
                return Err(diagnostic);
            }
        }
    }
    state.index_base += outcome.read;
    if let Some(tail) = outcome.tail {
        let text = text.as_deref().unwrap_or(&slot.text);
        state.carry = Some(Carry { text: text[tail.offset..].to_vec(), line: tail.line });
    }
    state.ended = outcome.ends_input;
    slot.out = outcome.out;
    Ok(slot)
}
