//! Turning one block of input into output bytes: each value is parsed, checked to
//! be an entity, transformed, and its outputs serialized into one buffer. Worker
//! threads run this; the ordered writer only copies the buffers out (and runs it
//! itself for the rare block that has to be re-read across a boundary).

use crate::diagnostic::{codes, source, Diagnostic};
use crate::eval::DatasetAccess;
use crate::pipeline::Pipeline;
use crate::syntax::Span;
use crate::value::{wire, Value};

use super::inline::{bad_record, count_lines};
use super::split::{Record, SplitError};
use super::{located, not_an_entity, stops_the_run, transform_into, StreamOptions};

/// What every block needs to know about the run.
#[derive(Clone, Copy)]
pub(super) struct Ctx<'a> {
    pub pipeline: &'a Pipeline,
    pub datasets: Option<&'a (dyn DatasetAccess + Sync)>,
    pub options: &'a StreamOptions,
}

/// A diagnostic still missing the number of entities read before its block: it gets
/// that number (the block's base) when the writer reaches it.
pub(super) struct PendingError {
    /// `fail!`/`trip!`: stops the run even under `--keep-going`.
    pub stops: bool,
    pub make: Box<dyn FnOnce(usize) -> Box<Diagnostic> + Send>,
}

impl PendingError {
    fn ready(d: Box<Diagnostic>) -> PendingError {
        PendingError { stops: stops_the_run(&d), make: Box::new(move |_| d) }
    }
}

/// Output bytes (up to `end`) holding `count` entities, then possibly an error.
pub(super) struct Segment {
    pub end: usize,
    pub count: usize,
    pub error: Option<PendingError>,
}

/// A value that runs past the end of a block: the writer parses it again with the
/// next block appended.
pub(super) struct Tail {
    /// Where the value starts in the block text.
    pub offset: usize,
    /// The line it starts on.
    pub line: usize,
}

/// What a block produced.
pub(super) struct Outcome {
    /// The serialized output entities, in the run's format.
    pub out: Vec<u8>,
    /// `out` cut at the errors, in order; the last segment has no error.
    pub segments: Vec<Segment>,
    /// Records read (entities and bad records), not counting a tail.
    pub read: usize,
    pub tail: Option<Tail>,
    /// Nothing after this block of the same input can be read (bad UTF-8, read error, split error).
    pub ends_input: bool,
}

/// Builds an [`Outcome`] entity by entity.
struct Builder<'a> {
    ctx: Ctx<'a>,
    outcome: Outcome,
    /// Entities in `out` since the last segment.
    count: usize,
    /// Set once an error stops the run: the rest of the block is not worth doing.
    stopped: bool,
}

impl<'a> Builder<'a> {
    fn new(ctx: Ctx<'a>, mut out: Vec<u8>) -> Self {
        out.clear();
        let outcome = Outcome { out, segments: Vec::new(), read: 0, tail: None, ends_input: false };
        Builder { ctx, outcome, count: 0, stopped: false }
    }

    /// Transforms one entity; a failure is named by `locate` (given the diagnostic).
    fn entity(&mut self, entity: &Value, locate: impl FnOnce(Box<Diagnostic>, Option<String>) -> PendingError) {
        let first = self.count == 0;
        let (pipeline, datasets, options) = (self.ctx.pipeline, self.ctx.datasets, self.ctx.options);
        match transform_into(pipeline, entity, datasets, &options.run, options.format, &mut self.outcome.out, first) {
            Ok(n) => self.count += n,
            Err(d) => self.error(locate(d, entity.entity_id().map(str::to_string))),
        }
    }

    fn error(&mut self, error: PendingError) {
        if error.stops || !self.ctx.options.keep_going {
            self.stopped = true;
        }
        let end = self.outcome.out.len();
        self.outcome.segments.push(Segment { end, count: std::mem::take(&mut self.count), error: Some(error) });
    }

    fn finish(mut self) -> Outcome {
        let end = self.outcome.out.len();
        self.outcome.segments.push(Segment { end, count: self.count, error: None });
        self.outcome
    }
}

/// Counts lines up to a position, moving forward only, so each byte is counted once.
struct Lines {
    line: usize,
    counted: usize,
}

impl Lines {
    fn at(&mut self, text: &[u8], pos: usize) -> usize {
        self.line += count_lines(&text[self.counted..pos]);
        self.counted = pos;
        self.line
    }
}

/// Processes a stretch of a value sequence (NDJSON): `text` starts at a value boundary
/// on line `first_line`; `last` says whether the input ends with it.
pub(super) fn process_text(
    ctx: Ctx<'_>,
    name: &str,
    text: &[u8],
    first_line: usize,
    last: bool,
    out: Vec<u8>,
) -> Outcome {
    let mut b = Builder::new(ctx, out);
    // Parse only whole lines of valid UTF-8; the bad line is reported after them.
    let (valid, bad_utf8) = match std::str::from_utf8(text) {
        Ok(s) => (s, false),
        Err(e) => {
            let line_start = text[..e.valid_up_to()].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
            (std::str::from_utf8(&text[..line_start]).expect("checked above"), true)
        }
    };
    let mut lines = Lines { line: first_line, counted: 0 };
    let mut pos = 0;
    while !b.stopped {
        pos += valid[pos..].bytes().take_while(u8::is_ascii_whitespace).count();
        if pos >= valid.len() {
            break;
        }
        let rest = &valid[pos..];
        match wire::parse_prefix(rest) {
            Ok((value, used)) => {
                b.outcome.read += 1;
                let rel = b.outcome.read;
                if matches!(value, Value::Dict(_)) {
                    let line = &mut lines;
                    b.entity(&value, |d, id| {
                        let line = line.at(text, pos);
                        let name = name.to_string();
                        let stops = stops_the_run(&d);
                        PendingError {
                            stops,
                            make: Box::new(move |base| located(d, &name, line, base + rel, id.as_deref())),
                        }
                    });
                } else {
                    let (line, name, type_name) = (lines.at(text, pos), name.to_string(), value.type_name());
                    let make = Box::new(move |base| not_an_entity(&name, type_name, line, base + rel));
                    b.error(PendingError { stops: false, make });
                }
                pos += used;
            }
            Err(e) if e.offset >= rest.len() && !last && !bad_utf8 => {
                b.outcome.tail = Some(Tail { offset: pos, line: lines.at(text, pos) });
                break;
            }
            Err(e) => {
                // Carry on (under --keep-going) from the next line, as the one-thread reader does.
                b.outcome.read += 1;
                let rel = b.outcome.read;
                let skip = rest.find('\n').map_or(rest.len(), |n| n + 1);
                let shown = rest[..skip].trim_end().to_string();
                let (line, name) = (lines.at(text, pos), name.to_string());
                let make = Box::new(move |base| bad_record(&name, line, base + rel, &shown, e));
                b.error(PendingError { stops: false, make });
                pos += skip;
            }
        }
    }
    if bad_utf8 && !b.stopped {
        b.outcome.read += 1;
        let line = lines.at(text, valid.len());
        let message = format!("{name}: line {line}: the input is not valid UTF-8");
        b.error(PendingError::ready(Box::new(Diagnostic::new(codes::INPUT_JSON, message))));
        b.outcome.ends_input = true;
    }
    b.finish()
}

/// Processes records cut by the structural splitter (the elements of a JSON array).
pub(super) fn process_records(
    ctx: Ctx<'_>,
    name: &str,
    records: &[Result<Record, SplitError>],
    out: Vec<u8>,
) -> Outcome {
    let mut b = Builder::new(ctx, out);
    for record in records {
        if b.stopped {
            break;
        }
        b.outcome.read += 1;
        let record = match record {
            Ok(record) => record,
            Err(e) => {
                b.error(PendingError::ready(split_error(name, e)));
                b.outcome.ends_input = true;
                break;
            }
        };
        match parse_entity(name, record) {
            Ok(entity) => b.entity(&entity, |d, id| {
                PendingError::ready(located(d, name, record.line, record.index, id.as_deref()))
            }),
            Err(d) => b.error(PendingError::ready(d)),
        }
    }
    b.finish()
}

/// A block that stands for a read failure: it ends its input.
pub(super) fn read_failure(ctx: Ctx<'_>, name: &str, message: &str, out: Vec<u8>) -> Outcome {
    let mut b = Builder::new(ctx, out);
    b.outcome.read += 1;
    let d = Diagnostic::new(codes::IO, format!("{name}: cannot read the input: {message}"));
    b.error(PendingError::ready(Box::new(d)));
    b.outcome.ends_input = true;
    b.finish()
}

fn split_error(name: &str, e: &SplitError) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(if e.io { codes::IO } else { codes::INPUT_JSON }, format!("{name}: {e}"))
            .help("the input must be a JSON array of entities, one JSON object, or one JSON object per line"),
    )
}

fn parse_entity(name: &str, record: &Record) -> Result<Value, Box<Diagnostic>> {
    let parsed = wire::parse(&record.bytes);
    if let Ok(v @ Value::Dict(_)) = parsed {
        return Ok(v);
    }
    let text = String::from_utf8_lossy(&record.bytes).into_owned();
    let label = format!("{name}:{}", record.line);
    match parsed {
        Err(e) => {
            let at = e.offset.min(text.len());
            Err(Box::new(
                Diagnostic::new(
                    codes::INPUT_JSON,
                    format!("{label}: entity {} is not valid JSON: {}", record.index, e.message),
                )
                .at(Span::new(at, (at + 1).min(text.len().max(at))), e.message.clone())
                .help("each input entity must be a JSON object")
                .in_source(&source(&label, text)),
            ))
        }
        Ok(v @ Value::Dict(_)) => Ok(v),
        Ok(other) => Err(Box::new(
            Diagnostic::new(
                codes::INPUT_NOT_ENTITY,
                format!(
                    "{label}: entity {} is {} {}, not an object",
                    record.index,
                    super::article(other.type_name()),
                    other.type_name()
                ),
            )
            .at(Span::new(0, text.len()), "not an entity")
            .help("each input entity must be a JSON object, e.g. {\"_id\": \"1\"}")
            .in_source(&source(&label, text)),
        )),
    }
}
