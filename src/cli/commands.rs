//! The subcommands.

use std::io::{BufReader, Write};
use std::path::{Path, PathBuf};

use dtl::compile::Program;
use dtl::dataset::MemoryDatasets;
use dtl::diagnostic::{codes, source, Diagnostic, Diagnostics};
use dtl::load::{load_program_file, parse_program, read_source, rules_node, Syntax};
use dtl::stream::{self, Input, OutputFormat, StreamOptions};
use dtl::syntax::{expr_to_dtl_text, parse_dtl_expr, parse_json, to_dtl_text, to_json_text};
use dtl::value::{wire, Value};

use super::{report, usage};

pub fn run(
    program: &Path,
    inputs: &[PathBuf],
    datasets: &[String],
    ndjson: bool,
    threads: Option<usize>,
    keep_going: bool,
) -> Result<(), Diagnostics> {
    let pipeline = load_program_file(program)?;
    let datasets = load_datasets(datasets)?;
    let inputs = open_inputs(inputs)?;
    let options = StreamOptions {
        format: if ndjson { OutputFormat::Ndjson } else { OutputFormat::JsonArray },
        keep_going,
        run: Default::default(),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .map_err(|e| usage(format!("cannot start worker threads: {e}")))?;
    let summary = pool.install(|| {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
        stream::run(&pipeline, inputs, datasets.as_ref().map(|d| d as _), &options, &mut out)
    });
    let summary = summary.map_err(|d| Diagnostics::from(*d))?;
    if !summary.skipped.is_empty() {
        let skipped = summary.skipped.len();
        report(Diagnostics(summary.skipped));
        return Err(Diagnostic::new(
            codes::RUNTIME,
            if skipped == 1 {
                "1 entity was skipped (--keep-going); the rest was written".to_string()
            } else {
                format!("{skipped} entities were skipped (--keep-going); the rest was written")
            },
        )
        .into());
    }
    Ok(())
}

/// Datasets given as NAME=FILE (a FILE is read like an input: array, object or NDJSON).
fn load_datasets(specs: &[String]) -> Result<Option<MemoryDatasets>, Diagnostics> {
    if specs.is_empty() {
        return Ok(None);
    }
    let mut datasets = MemoryDatasets::new();
    for spec in specs {
        let Some((name, file)) = spec.split_once('=') else {
            return Err(usage(format!("--dataset wants NAME=FILE, got `{spec}`")).into());
        };
        datasets.insert(name, read_entities(Path::new(file))?).map_err(|d| Diagnostics::from(*d))?;
    }
    Ok(Some(datasets))
}

/// Every entity of a file (array, object or NDJSON).
fn read_entities(path: &Path) -> Result<Vec<Value>, Diagnostics> {
    let file = std::fs::File::open(path)
        .map_err(|e| Diagnostic::new(codes::IO, format!("cannot read {}: {e}", path.display())))?;
    let mut out = Vec::new();
    for record in stream::Splitter::new(BufReader::new(file)) {
        let record = record.map_err(|e| Diagnostic::new(codes::INPUT_JSON, format!("{}: {e}", path.display())))?;
        match wire::parse(&record.bytes) {
            Ok(v @ Value::Dict(_)) => out.push(v),
            Ok(_) => {
                return Err(Diagnostic::new(
                    codes::INPUT_NOT_ENTITY,
                    format!("{}:{}: not an entity", path.display(), record.line),
                )
                .into())
            }
            Err(e) => {
                return Err(
                    Diagnostic::new(codes::INPUT_JSON, format!("{}:{}: {e}", path.display(), record.line)).into()
                )
            }
        }
    }
    Ok(out)
}

fn open_inputs(paths: &[PathBuf]) -> Result<Vec<Input>, Diagnostics> {
    if paths.is_empty() {
        return Ok(vec![stdin_input()]);
    }
    paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                return Ok(stdin_input());
            }
            let file = std::fs::File::open(p).map_err(|e| {
                Diagnostic::new(codes::IO, format!("cannot read {}: {e}", p.display())).help("check the input path")
            })?;
            Ok(Input { name: p.display().to_string(), reader: Box::new(BufReader::with_capacity(1 << 20, file)) })
        })
        .collect()
}

fn stdin_input() -> Input {
    Input { name: "<stdin>".into(), reader: Box::new(BufReader::with_capacity(1 << 20, std::io::stdin())) }
}

/// Parses an expression given on the command line: JSON DTL if it is JSON, else .dtl.
fn parse_expression(text: &str) -> Result<(dtl::syntax::Node, dtl::diagnostic::Source), Diagnostics> {
    let src = source("<expression>", text);
    if let Ok(node) = parse_json(text) {
        return Ok((node, src));
    }
    let node = parse_dtl_expr(text).map_err(|d| Diagnostics::from(d.in_source(&src)))?;
    Ok((node, src))
}

fn entity_arg(text: Option<&str>, what: &str) -> Result<Value, Diagnostics> {
    match text {
        None => Ok(Value::dict(Default::default())),
        Some(t) => wire::parse(t.as_bytes()).map_err(|e| {
            Diagnostic::new(codes::USAGE, format!("--{what} is not JSON: {}", e.message))
                .at(dtl::syntax::Span::new(e.offset, (e.offset + 1).min(t.len())), "here")
                .in_source(&source(format!("--{what}"), t))
                .into()
        }),
    }
}

pub fn eval(source_json: Option<&str>, target_json: Option<&str>, expr: &str) -> Result<(), Diagnostics> {
    let s = entity_arg(source_json, "source")?;
    let t = entity_arg(target_json, "target")?;
    let (node, src) = parse_expression(expr)?;
    let compiled = Program::compile_expression(&node, &src)?;
    let value = compiled.evaluate(&s, &t).map_err(|d| Diagnostics::from(*d))?;
    println!("{value}");
    Ok(())
}

pub fn check(files: &[PathBuf]) -> Result<(), Diagnostics> {
    let mut all = Vec::new();
    let mut stdout = std::io::stdout();
    for file in files {
        match load_program_file(file) {
            Ok(p) => {
                let _ = writeln!(
                    stdout,
                    "{}: ok ({} transform{})",
                    file.display(),
                    p.stages.len(),
                    if p.stages.len() == 1 { "" } else { "s" }
                );
            }
            Err(d) => all.extend(d.0),
        }
    }
    if all.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(all))
    }
}

pub fn fmt(file: &Path, to_dtl: Option<bool>) -> Result<(), Diagnostics> {
    let src = read_source(file)?;
    let syntax = Syntax::of_path(file);
    let tree = parse_program(&src, syntax)?;
    let to_dtl = to_dtl.unwrap_or(syntax == Syntax::Dtl);
    let text = if to_dtl {
        let Some(rules) = rules_node(&tree) else {
            return Err(Diagnostic::new(codes::PROGRAM_SHAPE, "no DTL rules found in this file")
                .in_source(&src)
                .into());
        };
        to_dtl_text(rules)
    } else {
        to_json_text(&tree)
    };
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(())
}

pub fn functions() {
    let mut family = None;
    println!("transforms:");
    for t in dtl::compile::TRANSFORMS {
        println!("  {:<20} {}", t.name, t.summary);
    }
    for b in dtl::builtins::all() {
        if family != Some(b.family) {
            family = Some(b.family);
            println!("\n{}:", b.family.title());
        }
        println!("  {:<20} {}", b.name, b.summary);
    }
}

pub fn help(name: &str) -> Result<(), Diagnostic> {
    if let Some(b) = dtl::builtins::lookup(name) {
        println!("{} ({})\n\n  {} {}\n\n{}", b.name, b.family.title(), b.name, b.signature, b.summary);
        println!("\narguments: {}", b.arity_text());
        if !b.examples.is_empty() {
            println!("\nexamples:");
            for ex in b.examples {
                let shown = parse_json(ex.expr).map(|n| expr_to_dtl_text(&n)).unwrap_or_default();
                println!("  {}\n    .dtl: {}\n    => {}", ex.expr, shown, ex.result);
            }
        }
        return Ok(());
    }
    if let Some(t) = dtl::compile::TRANSFORMS.iter().find(|t| t.name == name) {
        println!("{} (transform)\n\n  {} {}\n\n{}", t.name, t.name, t.signature, t.summary);
        return Ok(());
    }
    let names = dtl::builtins::names().chain(dtl::compile::TRANSFORMS.iter().map(|t| t.name));
    let d = Diagnostic::new(codes::UNKNOWN_FUNCTION, format!("there is no function called `{name}`"));
    Err(match dtl::compile::suggest(name, names) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("`dtl functions` lists every function"),
    })
}

/// The data folder of a node: `--data-dir`, or `DIR/.dtl-data`.
fn data_folder(dir: &Path, data_dir: Option<&Path>) -> PathBuf {
    data_dir.map_or_else(|| dir.join(".dtl-data"), Path::to_path_buf)
}

/// Loads a node and runs it to a settled state, against the store in `data_dir`.
fn run_loaded_node(
    dir: &Path,
    data_dir: &Path,
    env: Option<&Path>,
) -> Result<
    (dtl::pipe::NodeConfig, Box<dyn dtl::pipe::PipeStore>, dtl::pipe::Outputs, dtl::pipe::NodeReport),
    Diagnostics,
> {
    if !dir.is_dir() {
        return Err(usage(format!("{} is not a folder", dir.display()))
            .help("give the node folder (the one holding pipes/)")
            .into());
    }
    let node = dtl::pipe::load_node(dir, env)?;
    let mut store = dtl::pipe::open_store(Some(data_dir)).map_err(|d| Diagnostics::from(*d))?;
    for pipe in &node.pipes {
        for hop in dtl::pipe::tracking::Plan::of(pipe).untracked() {
            eprintln!("note: {}", hop.note(pipe));
        }
    }
    let mut outputs = dtl::pipe::Outputs::default();
    let report = dtl::pipe::run_node(&node, store.as_mut(), &mut outputs, &mut std::io::stderr())?;
    for (pipe, why) in &report.waiting {
        eprintln!("note: pipe `{pipe}` did not run: {why}");
    }
    Ok((node, store, outputs, report))
}

/// The store of a node for reading: the data folder as it is when it holds a store,
/// else the node is run into it first.
fn stored_node(dir: &Path, data_dir: Option<&Path>) -> Result<Box<dyn dtl::pipe::PipeStore>, Diagnostics> {
    let folder = data_folder(dir, data_dir);
    if folder.join("store.log").is_file() {
        return dtl::pipe::open_store(Some(&folder)).map_err(|d| Diagnostics::from(*d));
    }
    Ok(run_loaded_node(dir, &folder, None)?.1)
}

/// A fresh, empty data folder for `dtl node test`, removed when dropped.
struct TempData(PathBuf);

impl TempData {
    fn new() -> Result<TempData, Diagnostics> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let path = std::env::temp_dir().join(format!("dtl-test-data-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|e| usage(format!("cannot create a temporary data folder {}: {e}", path.display())))?;
        Ok(TempData(path))
    }
}

impl Drop for TempData {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn node_run(dir: &Path, data_dir: Option<&Path>, env: Option<&Path>) -> Result<(), Diagnostics> {
    let (_, _, _, report) = run_loaded_node(dir, &data_folder(dir, data_dir), env)?;
    let width = report.pipes.iter().map(|(p, _)| p.len()).max().unwrap_or(4).max(4);
    println!("{:<width$}  {:>8}  {:>8}  {:>8}  {:>8}", "pipe", "read", "written", "deleted", "tracked");
    for (pipe, r) in &report.pipes {
        println!("{pipe:<width$}  {:>8}  {:>8}  {:>8}  {:>8}", r.read, r.written, r.deletion_tracked, r.tracked);
    }
    println!("settled after {} round{}", report.rounds, if report.rounds == 1 { "" } else { "s" });
    Ok(())
}

pub fn node_test(dir: &Path, data_dir: Option<&Path>, env: Option<&Path>) -> Result<(), Diagnostics> {
    // Tests always start from empty datasets: a fresh temporary folder (removed
    // afterwards), or `--data-dir` when it is empty (kept, for inspection).
    let specs = dtl::pipe::tester::load_specs(dir)?;
    let temp;
    let folder = match data_dir {
        Some(d) => {
            if d.join("store.log").exists() {
                return Err(usage(format!("the data folder {} is not empty", d.display()))
                    .help("`dtl node test` runs from empty datasets: give a new folder or remove this one")
                    .into());
            }
            d
        }
        None => {
            temp = TempData::new()?;
            temp.0.as_path()
        }
    };
    let (node, store, outputs, _) = run_loaded_node(dir, folder, env)?;
    let outcome = dtl::pipe::tester::run_tests(&node, &specs, store.as_ref(), &outputs)?;
    drop(store);
    for pipe in &outcome.passed {
        println!("PASS {pipe}");
    }
    for pipe in &outcome.ignored {
        println!("SKIP {pipe} (ignore: true)");
    }
    for (pipe, diff) in &outcome.failed {
        println!("FAIL {pipe}\n{diff}");
    }
    println!("{} passed, {} failed", outcome.passed.len(), outcome.failed.len());
    if outcome.failed.is_empty() {
        Ok(())
    } else {
        let n = outcome.failed.len();
        Err(Diagnostic::new(
            codes::TEST_FAILED,
            format!("{n} pipe{} did not produce the expected output", if n == 1 { "" } else { "s" }),
        )
        .into())
    }
}

pub fn dataset_show(dir: &Path, name: &str, data_dir: Option<&Path>, history: bool) -> Result<(), Diagnostics> {
    let store = stored_node(dir, data_dir)?;
    let names = store.dataset_names();
    if !names.iter().any(|n| n == name) {
        let d = Diagnostic::new(codes::NO_SUCH_DATASET, format!("the node has no dataset `{name}`"));
        let d = match dtl::compile::suggest(name, names.iter().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help("`dtl dataset list DIR` lists the datasets"),
        };
        return Err(d.into());
    }
    let entities = if history { store.read_since(name, None, usize::MAX) } else { store.latest_all(name) };
    let entities = entities.map_err(|d| Diagnostics::from(*d))?;
    let mut out = std::io::BufWriter::new(std::io::stdout());
    let _ = writeln!(out, "{}", dtl::pipe::tester::pretty(&Value::list(entities)));
    Ok(())
}

pub fn dataset_list(dir: &Path, data_dir: Option<&Path>) -> Result<(), Diagnostics> {
    let store = stored_node(dir, data_dir)?;
    for name in store.dataset_names() {
        let latest = store.latest_all(&name).map_err(|d| Diagnostics::from(*d))?;
        let live = latest.iter().filter(|e| !dtl::dataset::is_deleted(e)).count();
        let versions = store.read_since(&name, None, usize::MAX).map_err(|d| Diagnostics::from(*d))?.len();
        let populated = if store.is_populated(&name) { "" } else { " (not populated)" };
        println!("{name}: {live} entities, {} deleted, {versions} versions{populated}", latest.len() - live);
    }
    Ok(())
}
