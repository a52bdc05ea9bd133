//! The `dtl` command line: argument parsing and printing only; the work is in the library.

mod cli;

// Evaluation allocates many small values per entity; mimalloc's thread-local
// free lists make that markedly cheaper than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    cli::main()
}
