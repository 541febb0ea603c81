//! One module per command, plus what they share: exit statuses, the error
//! type for usage and I/O problems, and where diagnostics are printed.

mod check;
mod fmt;

use crate::cli::{Cli, ColorChoice, Command};
use std::io::IsTerminal;
use std::process::ExitCode;

/// A problem that stops a command before it can judge the schema: a file
/// that cannot be read or written, no schema to work on. Exit status 2.
#[derive(Debug)]
pub struct CliError {
    message: String,
}

impl CliError {
    pub fn new(message: impl Into<String>) -> Self {
        CliError {
            message: message.into(),
        }
    }
}

impl std::fmt::Display for CliError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// How a command that ran to the end judged its input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Exit 0.
    Clean,
    /// Exit 1: errors found, or `fmt --check` found unformatted files.
    Failed,
}

/// Runs the parsed command line and turns its outcome into an exit status.
pub fn run(cli: Cli) -> ExitCode {
    let color = use_color(cli.color);
    let outcome = match &cli.command {
        Command::Check(args) => check::run(args, color),
        Command::Fmt(args) => fmt::run(args, color),
    };
    match outcome {
        Ok(Verdict::Clean) => ExitCode::SUCCESS,
        Ok(Verdict::Failed) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Human diagnostics go to stderr, so `auto` asks whether stderr is a
/// terminal; `NO_COLOR` (any non-empty value) turns `auto` off.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    }
}

/// `1 error`, `2 warnings`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
