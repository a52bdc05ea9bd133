//! Command-line parsing and dispatch. Exit status: 0 success, 1 a diagnostic,
//! 2 bad command-line usage (clap's own convention).

mod commands;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use dtl::diagnostic::{Diagnostic, Diagnostics};

/// Run, check, format and explore Sesam DTL transforms offline.
#[derive(Parser)]
#[command(name = "dtl", version, about, propagate_version = true, disable_help_subcommand = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Transform entities with a program.
    Run {
        /// A `.dtl` file, or JSON holding DTL rules, a DTL transform or a pipe configuration.
        program: PathBuf,
        /// Input files (a JSON array, one JSON object, or NDJSON); none or `-` reads stdin.
        inputs: Vec<PathBuf>,
        /// A dataset for hops and lookups: NAME=FILE (repeatable).
        #[arg(long = "dataset", value_name = "NAME=FILE")]
        datasets: Vec<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Output::Json)]
        output: Output,
        /// Worker threads (default: all cores).
        #[arg(long)]
        threads: Option<usize>,
        /// Report bad entities and skip them instead of stopping.
        #[arg(long)]
        keep_going: bool,
    },
    /// Evaluate one expression (JSON DTL or .dtl syntax).
    Eval {
        /// The source entity `_S` (JSON).
        #[arg(long)]
        source: Option<String>,
        /// The target entity `_T` (JSON).
        #[arg(long)]
        target: Option<String>,
        /// The expression, e.g. '["+", 1, 2]' or '(upper _S.name)'.
        expr: String,
    },
    /// Compile programs and report their diagnostics.
    Check {
        /// Program files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print a program formatted, or converted between .dtl and JSON.
    Fmt {
        /// The syntax to print (default: the file's own).
        #[arg(long, value_enum)]
        to: Option<To>,
        /// The program file.
        file: PathBuf,
    },
    /// Run or test a Sesam node configuration (pipes/, systems/, expected/) offline.
    Node {
        #[command(subcommand)]
        command: NodeCommand,
    },
    /// Look at the datasets of a node.
    Dataset {
        #[command(subcommand)]
        command: DatasetCommand,
    },
    /// List every function by family.
    Functions,
    /// Describe one function.
    Help {
        /// The function name.
        name: String,
    },
}

#[derive(Subcommand)]
enum NodeCommand {
    /// Run every pipe in dependency order until nothing changes.
    Run {
        /// The node folder.
        dir: PathBuf,
        /// Where datasets are kept between runs (default: DIR/.dtl-data).
        #[arg(long, value_name = "PATH")]
        data_dir: Option<PathBuf>,
        /// Environment variables for `$ENV(...)` (default: DIR/test-env.json).
        #[arg(long, value_name = "FILE")]
        env: Option<PathBuf>,
    },
    /// Run the node from empty and compare pipe output with expected/ (sesam-py rules).
    Test {
        /// The node folder.
        dir: PathBuf,
        /// An empty folder to run in, kept afterwards (default: a temporary folder, removed).
        #[arg(long, value_name = "PATH")]
        data_dir: Option<PathBuf>,
        /// Environment variables for `$ENV(...)` (default: DIR/test-env.json).
        #[arg(long, value_name = "FILE")]
        env: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum DatasetCommand {
    /// Print a dataset as a JSON array: the latest version of each entity (all versions with --history).
    Show {
        /// The node folder.
        dir: PathBuf,
        /// The dataset.
        name: String,
        /// Where datasets are kept (default: DIR/.dtl-data; the node is run first when it holds no store).
        #[arg(long, value_name = "PATH")]
        data_dir: Option<PathBuf>,
        /// Every version, in offset order.
        #[arg(long)]
        history: bool,
    },
    /// List the datasets with their entity and version counts.
    List {
        /// The node folder.
        dir: PathBuf,
        /// Where datasets are kept (default: DIR/.dtl-data; the node is run first when it holds no store).
        #[arg(long, value_name = "PATH")]
        data_dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum Output {
    /// One JSON array, written when the whole run succeeded.
    Json,
    /// One entity per line, written as produced.
    Ndjson,
}

#[derive(Clone, Copy, ValueEnum)]
enum To {
    /// The .dtl text syntax.
    Dtl,
    /// JSON DTL.
    Json,
}

/// Prints diagnostics to stderr with their source snippets.
fn report(diagnostics: impl Into<Diagnostics>) {
    for d in diagnostics.into().0 {
        eprintln!("{:?}", miette::Report::new(d));
    }
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result: Result<(), Diagnostics> = match cli.command {
        Command::Run { program, inputs, datasets, output, threads, keep_going } => {
            commands::run(&program, &inputs, &datasets, matches!(output, Output::Ndjson), threads, keep_going)
        }
        Command::Eval { source, target, expr } => commands::eval(source.as_deref(), target.as_deref(), &expr),
        Command::Check { files } => commands::check(&files),
        Command::Fmt { to, file } => commands::fmt(&file, to.map(|t| matches!(t, To::Dtl))),
        Command::Node { command: NodeCommand::Run { dir, data_dir, env } } => {
            commands::node_run(&dir, data_dir.as_deref(), env.as_deref())
        }
        Command::Node { command: NodeCommand::Test { dir, data_dir, env } } => {
            commands::node_test(&dir, data_dir.as_deref(), env.as_deref())
        }
        Command::Dataset { command: DatasetCommand::Show { dir, name, data_dir, history } } => {
            commands::dataset_show(&dir, &name, data_dir.as_deref(), history)
        }
        Command::Dataset { command: DatasetCommand::List { dir, data_dir } } => {
            commands::dataset_list(&dir, data_dir.as_deref())
        }
        Command::Functions => {
            commands::functions();
            Ok(())
        }
        Command::Help { name } => commands::help(&name).map_err(Diagnostics::from),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `dtl run ... | head`: the reader has all it wanted; stop without a fuss.
        Err(d) if d.0.iter().all(|d| d.label.as_deref() == Some(dtl::stream::BROKEN_PIPE)) => ExitCode::SUCCESS,
        Err(d) => {
            report(d);
            ExitCode::from(1)
        }
    }
}

/// A usage problem found after parsing (a bad NAME=FILE, say).
fn usage(message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(dtl::diagnostic::codes::USAGE, message)
}
