//! The `llm-lens` binary: the app with no arguments, a subcommand otherwise.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    llm_lens::alloc_tuning::keep_freed_memory();
    let cli = llm_lens::cli::Cli::parse();
    match llm_lens::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("llm-lens: {message}");
            ExitCode::FAILURE
        }
    }
}
