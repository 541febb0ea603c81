//! The `zgen` command line. Argument definitions live in [`cli`], one module
//! per command in [`commands`]; this file only wires them together.

mod cli;
mod commands;
mod files;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    commands::run(cli::Cli::parse())
}
