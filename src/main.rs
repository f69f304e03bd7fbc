//! The `accueil` binary: parse the command line, run, map to an exit code.
//! Everything real lives in the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    accueil::cli::run(accueil::cli::Cli::parse())
}
