//! The `llm-lens` binary: the app with no arguments, a subcommand otherwise.

use clap::{CommandFactory, FromArgMatches};
use std::process::ExitCode;

fn main() -> ExitCode {
    llm_lens::alloc_tuning::keep_freed_memory();
    // Any panic that slips through prints one line, not a backtrace note.
    llm_lens::panic_guard::install_hook();
    let cli = match parse() {
        Ok(cli) => cli,
        Err(e) => return argument_error(&e),
    };
    match std::panic::catch_unwind(|| llm_lens::cli::run(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(message)) => {
            eprintln!("llm-lens: {message}");
            ExitCode::FAILURE
        }
        // The hook has printed the line already.
        Err(_) => ExitCode::FAILURE,
    }
}

/// The arguments, with negative numbers taken as values everywhere (`--forget-bias -1`,
/// `--wait -1`), so that a wrong one meets its range check instead of being called an
/// unknown option.
fn parse() -> Result<llm_lens::cli::Cli, clap::Error> {
    let command = llm_lens::cli::Cli::command()
        .allow_negative_numbers(true)
        .mut_subcommands(|c| c.allow_negative_numbers(true));
    llm_lens::cli::Cli::from_arg_matches(&command.try_get_matches()?)
}

/// `--help` and `--version` print as clap writes them; a wrong argument is one line
/// (clap's first, cut short) and exit status 1, as the README promises.
fn argument_error(e: &clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
        let _ = e.print();
        return ExitCode::SUCCESS;
    }
    // clap's message runs to the first blank line (a list of missing arguments is
    // indented below it); usage and tips follow.
    let text = e.to_string();
    let message: Vec<&str> = text
        .lines()
        .take_while(|l| !l.trim().is_empty())
        .map(str::trim)
        .collect();
    let joined = message.join(" ");
    let first = joined.strip_prefix("error: ").unwrap_or(&joined);
    // "-5" for a count: say what is wanted, not how parsing failed.
    let first = first.replace(
        "invalid digit found in string",
        "it must be a whole number, 0 or more",
    );
    let first = cut_middle(&first, 120);
    eprintln!("llm-lens: {first} (see llm-lens --help)");
    ExitCode::FAILURE
}

/// `line` with its middle cut when longer than `2 * keep` characters: clap quotes the
/// wrong value in the middle, and the option's name and the reason are at the ends.
fn cut_middle(line: &str, keep: usize) -> String {
    let n = line.chars().count();
    if n <= 2 * keep {
        return line.to_string();
    }
    let head: String = line.chars().take(keep).collect();
    let tail: String = line.chars().skip(n - keep).collect();
    format!("{head}…{tail}")
}
