//! The `accueil` binary: parse the command line, run, map to an exit code.
//! Everything real lives in the library.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc rather than the system's allocator: a chat turn allocates many
/// small strings (the reply is built from the content's), and glibc's
/// malloc took a sixth of a turn.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    accueil::cli::run(accueil::cli::Cli::parse())
}
