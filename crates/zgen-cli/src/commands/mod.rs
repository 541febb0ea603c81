//! One module per command, plus what they share: exit statuses, the error
//! type for usage and I/O problems, and where diagnostics are printed.

mod check;
mod db;
mod fmt;
mod generate;
mod query;
mod serve;
mod sql;

use crate::cli::{Cli, ColorChoice, Command, DbCommand};
use crate::files;
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use zgen_diagnostics::{render_human, Diagnostics};

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
        Command::Sql(args) => sql::run(args, color),
        Command::Db(args) => match &args.command {
            DbCommand::Push(args) => db::push(args, color),
        },
        Command::Query(args) => query::run(args, color),
        Command::Serve(args) => serve::run(args, color),
        Command::Generate(args) => generate::run(args, color),
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

/// An entry schema read from disk, not yet checked.
pub struct SchemaSource {
    /// The path as shown to the user and handed to the loader.
    pub name: String,
    pub text: String,
}

impl SchemaSource {
    pub fn read(path: &Path) -> Result<SchemaSource, CliError> {
        Ok(SchemaSource {
            name: files::display(path)?.to_string(),
            text: files::read(path)?,
        })
    }

    /// Loads the schema with its imports and checks it. With errors, they
    /// are printed on stderr as `zgen check` prints them (warnings are
    /// `check`'s business) and there is no schema.
    pub fn check(&self, color: bool) -> Option<zgen_sema::Schema> {
        let mut read = |path: &str| -> Result<String, String> {
            if path == self.name {
                return Ok(self.text.clone());
            }
            std::fs::read_to_string(path).map_err(|e| e.to_string())
        };
        let loaded = zgen_syntax::load(&self.name, &mut read);
        let analysis = zgen_sema::analyze(&loaded);
        if !analysis.diagnostics.has_errors() {
            return Some(analysis.schema);
        }
        let mut errors: Diagnostics = analysis.diagnostics.errors().cloned().collect();
        errors.sort();
        eprint!("{}", render_human(&errors, &loaded.sources, color));
        eprintln!("{}", count(errors.error_count(), "error"));
        None
    }
}
