//! Command-line definitions (clap derive). Flags, exit codes and output
//! formats are a public interface: change them only deliberately.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  no errors
  1  errors found (with --deny-warnings, warnings count as errors)
  2  usage error, or a file could not be read or written";

/// Turns ZenStack `.zmodel` schemas into data access with the access rules
/// compiled in.
#[derive(Debug, Parser)]
#[command(name = "zgen", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to color human-readable diagnostics: `auto` colors when stderr
    /// is a terminal and `NO_COLOR` is not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check schemas: syntax, names, types, relations and security lints.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Rewrite schemas in the canonical layout.
    #[command(after_help = FMT_HELP)]
    Fmt(FmtArgs),
}

const CHECK_HELP: &str = "\
Each FILE is an entry schema; the files it imports are checked with it.
Without FILES, `./schema.zmodel` is checked, else `./zenstack/schema.zmodel`.

Output: human diagnostics and the summary line go to stderr; `json` and
`github` output go to stdout (one JSON document for all FILES).

Exit codes:
  0  no errors
  1  errors found (with --deny-warnings, warnings count as errors)
  2  usage error, or a schema file could not be read";

const FMT_HELP: &str = "\
Each FILE is formatted on its own; files it imports are left alone. Files
with syntax errors are not touched: their diagnostics go to stderr. Without
FILES, `./schema.zmodel` is formatted, else `./zenstack/schema.zmodel`.

With --check, the files that would change are listed on stdout, one path per
line, and nothing is written.

Exit codes:
  0  all files formatted (with --check: all files already formatted)
  1  a file has syntax errors (with --check: or would be reformatted)
  2  usage error, or a file could not be read or written";

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Entry schema files [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Output format: `human` (stderr), `json` or `github` (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Schema files to format [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Write nothing; list the files that would change and exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette reports with the underlined source, on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow annotations on stdout.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
