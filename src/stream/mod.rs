//! Running a pipeline over an entity stream. With one thread values are parsed in
//! place and written as they come ([`inline`]); with more, the input is cut into
//! blocks that worker threads parse, transform and serialize, and the output is
//! written in input order ([`parallel`]). Memory stays bounded by the block size and
//! the blocks in flight, whatever the input size; both ways give the same output.

mod blocks;
mod inline;
mod output;
mod parallel;
mod split;
mod work;

use std::io::{BufRead, Write};

use crate::diagnostic::{codes, Diagnostic};
use crate::eval::{DatasetAccess, RunOptions};
use crate::pipeline::Pipeline;
use crate::value::Value;

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

/// Runs `pipeline` over every input, writing to `out`; uses as many worker
/// threads as the current rayon pool has.
/// On failure nothing of a JSON array has been written; NDJSON lines already written stay.
pub fn run(
    pipeline: &Pipeline,
    inputs: Vec<Input>,
    datasets: Option<&(dyn DatasetAccess + Sync)>,
    options: &StreamOptions,
    out: &mut dyn Write,
) -> Result<Summary, Box<Diagnostic>> {
    match rayon::current_num_threads() {
        1 => run_inline(pipeline, inputs, datasets, options, out),
        workers => parallel::run(work::Ctx { pipeline, datasets, options }, inputs, workers, out),
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
    let mut run = Vec::new();
    let result = (|| {
        for input in inputs {
            let mut reader = inline::InlineReader::new(input.reader, &input.name);
            while let Some(record) = reader.next_record() {
                summary.read += 1;
                let result = record.and_then(|p| {
                    let entity = check_entity(&input.name, p.value, p.line, p.index)?;
                    run.clear();
                    transform_into(pipeline, &entity, datasets, &options.run, options.format, &mut run, true)
                        .map_err(|d| located(d, &input.name, p.line, p.index, entity.entity_id()))
                });
                match result {
                    Ok(count) => writer.entities(&run, count).map_err(io_error)?,
                    Err(d) if options.keep_going && !stops_the_run(&d) => summary.skipped.push(*d),
                    Err(d) => return Err(d),
                }
            }
        }
        Ok(())
    })();
    conclude(writer, summary, result)
}

/// Ends a run: completes the output if the run succeeded, or drops whatever was
/// spooled if it failed, so a failed run never leaves half an array on stdout.
fn conclude(
    writer: EntityWriter<'_>,
    mut summary: Summary,
    result: Result<(), Box<Diagnostic>>,
) -> Result<Summary, Box<Diagnostic>> {
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
    Err(not_an_entity(name, value.type_name(), line, index))
}

/// "a" or "an" before a type name ("an integer", "a uri").
pub(super) fn article(type_name: &str) -> &'static str {
    if type_name.starts_with(['a', 'e', 'i', 'o']) {
        "an"
    } else {
        "a"
    }
}

fn not_an_entity(name: &str, type_name: &str, line: usize, index: usize) -> Box<Diagnostic> {
    Box::new(
        Diagnostic::new(
            codes::INPUT_NOT_ENTITY,
            format!("{name}:{line}: entity {index} is {} {type_name}, not an object", article(type_name)),
        )
        .help("each input entity must be a JSON object, e.g. {\"_id\": \"1\"}"),
    )
}

/// Runs one entity through the pipeline, appending its outputs to the run `out`
/// (see [`OutputFormat::push_entity`]); gives how many there were.
fn transform_into(
    pipeline: &Pipeline,
    entity: &Value,
    datasets: Option<&(dyn DatasetAccess + Sync)>,
    options: &RunOptions,
    format: OutputFormat,
    out: &mut Vec<u8>,
    first: bool,
) -> Result<usize, Box<Diagnostic>> {
    let outputs = pipeline.transform(entity, options, datasets.map(|d| d as &dyn DatasetAccess))?;
    for (i, e) in outputs.iter().enumerate() {
        format.push_entity(e, out, first && i == 0);
    }
    Ok(outputs.len())
}

/// Names a failing entity's place in the input in front of its diagnostic.
fn located(mut d: Box<Diagnostic>, name: &str, line: usize, index: usize, id: Option<&str>) -> Box<Diagnostic> {
    let id = id.map(|id| format!(" (_id {id:?})")).unwrap_or_default();
    d.message = format!("{name}:{line}: entity {index}{id}: {}", d.message);
    d
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

#[cfg(test)]
mod tests;
