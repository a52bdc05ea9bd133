//! Running a pipeline over an entity stream: records are split off the input,
//! parsed, transformed and serialized in parallel chunks (rayon), and written in
//! input order. Memory stays bounded by the chunk size, whatever the input size.

mod inline;
mod output;
mod split;

use std::io::{BufRead, Write};
use std::sync::mpsc;

use rayon::prelude::*;

use crate::diagnostic::{codes, source, Diagnostic};
use crate::eval::{DatasetAccess, RunOptions};
use crate::pipeline::Pipeline;
use crate::syntax::Span;
use crate::value::{wire, Value};

pub use output::{EntityWriter, OutputFormat};
pub use split::{Record, SplitError, Splitter};

/// How a stream run behaves.
#[derive(Clone, Debug, Default)]
pub struct StreamOptions {
    /// Output format.
    pub format: OutputFormat,
    /// Report bad entities and skip them instead of stopping.
    pub keep_going: bool,
    /// Evaluation options.
    pub run: RunOptions,
}

/// One input: a name for messages and a reader.
pub struct Input {
    /// The file name (or `<stdin>`).
    pub name: String,
    /// The bytes.
    pub reader: Box<dyn BufRead + Send>,
}

/// What a successful (or kept-going) run did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Source entities read.
    pub read: usize,
    /// Entities written.
    pub written: usize,
    /// Diagnostics of entities skipped under `keep_going`.
    pub skipped: Vec<Diagnostic>,
}

/// Records per parallel chunk: large enough to amortise scheduling, small enough to keep memory flat.
const CHUNK: usize = 4096;

type Chunk = Vec<(String, Result<Record, SplitError>)>;

/// Runs `pipeline` over every input, writing to `out`.
/// On failure nothing of a JSON array has been written; NDJSON lines already written stay.
pub fn run(
    pipeline: &Pipeline,
    inputs: Vec<Input>,
    datasets: Option<&(dyn DatasetAccess + Sync)>,
    options: &StreamOptions,
    out: &mut dyn Write,
) -> Result<Summary, Box<Diagnostic>> {
    if rayon::current_num_threads() == 1 {
        return run_inline(pipeline, inputs, datasets, options, out);
    }
    let (sender, receiver) = mpsc::sync_channel::<Chunk>(2);
    // Reading and splitting runs beside the transforming, one chunk ahead.
    let reader = std::thread::spawn(move || {
        for input in inputs {
            let mut chunk = Chunk::with_capacity(CHUNK);
            for record in Splitter::new(input.reader) {
                let stop = record.is_err();
                chunk.push((input.name.clone(), record));
                if (chunk.len() == CHUNK || stop)
                    && sender.send(std::mem::replace(&mut chunk, Chunk::with_capacity(CHUNK))).is_err()
                {
                    return;
                }
                if stop {
                    break;
                }
            }
            if !chunk.is_empty() && sender.send(chunk).is_err() {
                return;
            }
        }
    });
    let mut writer = EntityWriter::new(out, options.format);
    let mut summary = Summary::default();
    let result = (|| {
        for chunk in receiver {
            summary.read += chunk.len();
            let results: Vec<Result<Vec<Vec<u8>>, Box<Diagnostic>>> = chunk
                .into_par_iter()
                .map(|(name, record)| process(pipeline, &name, record, datasets, &options.run))
                .collect();
            for result in results {
                match result {
                    Ok(lines) => {
                        for line in &lines {
                            writer.entity(line).map_err(io_error)?;
                        }
                    }
                    Err(d) if options.keep_going && !stops_the_run(&d) => summary.skipped.push(*d),
                    Err(d) => return Err(d),
                }
            }
        }
        Ok(())
    })();
    // Dropping the receiver (done above) unblocks the reader if we stopped early.
    let _ = reader.join();
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

/// One thread: parse, transform and write each entity in turn, reading values in place.
fn run_inline(
    pipeline: &Pipeline,
    inputs: Vec<Input>,
    datasets: Option<&(dyn DatasetAccess + Sync)>,
    options: &StreamOptions,
    out: &mut dyn Write,
) -> Result<Summary, Box<Diagnostic>> {
    let mut writer = EntityWriter::new(out, options.format);
    let mut summary = Summary::default();
    let mut lines = Vec::new();
    let result = (|| {
        for input in inputs {
            let mut reader = inline::InlineReader::new(input.reader, &input.name);
            while let Some(record) = reader.next_record() {
                summary.read += 1;
                let result = record.and_then(|p| {
                    let entity = check_entity(&input.name, p.value, p.line, p.index)?;
                    lines.clear();
                    transform_entity(pipeline, &input.name, entity, p.line, p.index, datasets, &options.run, &mut lines)
                });
                match result {
                    Ok(()) => {
                        for line in &lines {
                            writer.entity(line).map_err(io_error)?;
                        }
                    }
                    Err(d) if options.keep_going && !stops_the_run(&d) => summary.skipped.push(*d),
                    Err(d) => return Err(d),
                }
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

/// A parsed record must be an entity (a JSON object).
fn check_entity(name: &str, value: Value, line: usize, index: usize) -> Result<Value, Box<Diagnostic>> {
    if matches!(value, Value::Dict(_)) {
        return Ok(value);
    }
    Err(Box::new(
        Diagnostic::new(
            codes::INPUT_NOT_ENTITY,
            format!("{name}:{line}: entity {index} is a {}, not an object", value.type_name()),
        )
        .help("each input entity must be a JSON object, e.g. {\"_id\": \"1\"}"),
    ))
}

/// Runs one entity through the pipeline, appending each output's wire JSON to `lines`.
#[allow(clippy::too_many_arguments)]
fn transform_entity(
    pipeline: &Pipeline,
    name: &str,
    entity: Value,
    line: usize,
    index: usize,
    datasets: Option<&(dyn DatasetAccess + Sync)>,
    options: &RunOptions,
    lines: &mut Vec<Vec<u8>>,
) -> Result<(), Box<Diagnostic>> {
    let id = entity.entity_id().map(|id| format!(" (_id {id:?})")).unwrap_or_default();
    let outputs = pipeline.transform(entity, options, datasets.map(|d| d as &dyn DatasetAccess)).map_err(|mut d| {
        d.message = format!("{name}:{line}: entity {index}{id}: {}", d.message);
        d
    })?;
    for e in &outputs {
        let mut bytes = Vec::with_capacity(256);
        wire::write(e, &mut bytes);
        lines.push(bytes);
    }
    Ok(())
}

/// `fail!` and `trip!` stop a run even under `--keep-going`: they are the program's own decision.
fn stops_the_run(d: &Diagnostic) -> bool {
    d.code == codes::FAIL || d.code == codes::TRIP
}

fn io_error(e: std::io::Error) -> Box<Diagnostic> {
    let mut d = Diagnostic::new(codes::IO, format!("cannot write the output: {e}"));
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        // The reader went away (`dtl run ... | head`): the CLI stops quietly.
        d.label = Some(BROKEN_PIPE.to_string());
    }
    Box::new(d)
}

/// The label of the diagnostic for output whose reader has gone away.
pub const BROKEN_PIPE: &str = "broken pipe";

/// Parses, transforms and serializes one record: the wire JSON of each output entity.
fn process(
    pipeline: &Pipeline,
    name: &str,
    record: Result<Record, SplitError>,
    datasets: Option<&(dyn DatasetAccess + Sync)>,
    options: &RunOptions,
) -> Result<Vec<Vec<u8>>, Box<Diagnostic>> {
    let record = record.map_err(|e| {
        Box::new(
            Diagnostic::new(codes::INPUT_JSON, format!("{name}:{}: {}", e.line, e.message))
                .help("the input must be a JSON array of entities, one JSON object, or one JSON object per line"),
        )
    })?;
    let entity = parse_entity(name, &record)?;
    let mut lines = Vec::new();
    transform_entity(pipeline, name, entity, record.line, record.index, datasets, options, &mut lines)?;
    Ok(lines)
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
                format!("{label}: entity {} is a {}, not an object", record.index, other.type_name()),
            )
            .at(Span::new(0, text.len()), "not an entity")
            .help("each input entity must be a JSON object, e.g. {\"_id\": \"1\"}")
            .in_source(&source(&label, text)),
        )),
    }
}
