//! A many-thread run: one thread reads blocks, N workers turn each block into
//! output bytes, and the calling thread writes the blocks' output in input order.
//!
//! Workers never wait for one another: a block finished early waits (bounded by the
//! number of slots) until the blocks before it are written.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Mutex;

use crate::diagnostic::Diagnostic;

use super::blocks::{self, Block, Body, Slot};
use super::work::{self, Ctx, Outcome};
use super::{io_error, EntityWriter, Input, Summary};

/// A processed block.
struct Done {
    block: Block,
    outcome: Outcome,
}

/// Runs the inputs over `workers` threads.
pub(super) fn run(
    ctx: Ctx<'_>,
    inputs: Vec<Input>,
    workers: usize,
    out: &mut dyn Write,
) -> Result<Summary, Box<Diagnostic>> {
    let names: Vec<String> = inputs.iter().map(|i| i.name.clone()).collect();
    let (slot_sender, slot_receiver) = mpsc::channel::<Slot>();
    // Enough blocks in flight to keep every worker busy while the reader or the writer
    // waits for a core (on a loaded machine they are often descheduled for a while).
    for _ in 0..4 * workers + 4 {
        let _ = slot_sender.send(Slot::default());
    }
    let (work_sender, work_receiver) = mpsc::channel::<Block>();
    let work_receiver = Mutex::new(work_receiver);
    let (done_sender, done_receiver) = mpsc::channel::<Done>();
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let stop = &stop;
        scope.spawn(move || blocks::read_inputs(inputs, slot_receiver, work_sender, stop));
        for _ in 0..workers {
            let (done_sender, work_receiver, names) = (done_sender.clone(), &work_receiver, &names);
            scope.spawn(move || worker(ctx, names, work_receiver, done_sender, stop));
        }
        drop(done_sender);
        let result = write_in_order(ctx, &names, done_receiver, slot_sender, out);
        // Whatever happened, the reader and the workers stop at their next block.
        stop.store(true, Ordering::Relaxed);
        result
    })
}

fn worker(ctx: Ctx<'_>, names: &[String], work: &Mutex<Receiver<Block>>, done: Sender<Done>, stop: &AtomicBool) {
    loop {
        let next = work.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).recv();
        let Ok(mut block) = next else { return };
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let out = std::mem::take(&mut block.slot.out);
        let name = &names[block.input];
        let outcome = match &block.body {
            Body::Text { line, last } => work::process_text(ctx, name, &block.slot.text, *line, *last, out),
            Body::Records(records) => work::process_records(ctx, name, records, out),
            Body::ReadFailure(message) => work::read_failure(ctx, name, message, out),
        };
        if done.send(Done { block, outcome }).is_err() {
            return;
        }
    }
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

fn write_in_order(
    ctx: Ctx<'_>,
    names: &[String],
    done: Receiver<Done>,
    slots: Sender<Slot>,
    out: &mut dyn Write,
) -> Result<Summary, Box<Diagnostic>> {
    let mut writer = EntityWriter::new(out, ctx.options.format);
    let mut summary = Summary::default();
    let mut state = InputState { input: usize::MAX, index_base: 0, carry: None, ended: false };
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    let result = (|| {
        for d in done {
            waiting.insert(d.block.seq, d);
            while let Some(d) = waiting.remove(&next) {
                next += 1;
                let slot = write_block(ctx, names, d, &mut state, &mut writer, &mut summary)?;
                // The reader may have stopped already; the slot is then simply dropped.
                let _ = slots.send(slot);
            }
        }
        Ok(())
    })();
    summary.written = writer.count();
    match result {
        Ok(()) => {
            writer.finish().map_err(io_error)?;
            Ok(summary)
        }
        Err(d) => {
            let _ = writer.abandon();
            Err(d)
        }
    }
}

/// Writes one block's output and handles its errors; gives back its slot.
fn write_block(
    ctx: Ctx<'_>,
    names: &[String],
    d: Done,
    state: &mut InputState,
    writer: &mut EntityWriter<'_>,
    summary: &mut Summary,
) -> Result<Slot, Box<Diagnostic>> {
    let Done { block, outcome } = d;
    let mut slot = block.slot;
    if block.input != state.input {
        *state = InputState { input: block.input, index_base: 0, carry: None, ended: false };
    }
    if state.ended {
        return Ok(slot);
    }
    // A value ran past the end of the previous block: the worker's result for this block
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
