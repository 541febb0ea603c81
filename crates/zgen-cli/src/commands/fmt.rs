//! `zgen fmt`: rewrite each named file in the canonical layout. Every file
//! is parsed on its own; imports are neither followed nor formatted.

use super::{count, CliError, Verdict};
use crate::cli::FmtArgs;
use crate::files;
use zgen_diagnostics::{render_human, Diagnostics, SourceMap};

pub fn run(args: &FmtArgs, color: bool) -> Result<Verdict, CliError> {
    let paths = files::schema_paths(&args.files)?;
    // Read everything first: a missing file stops the run before any write.
    let mut inputs = Vec::with_capacity(paths.len());
    for path in &paths {
        inputs.push((path, files::display(path)?, files::read(path)?));
    }

    let (mut changed, mut unchanged, mut broken) = (0, 0, 0);
    for (path, name, text) in &inputs {
        let mut sources = SourceMap::new();
        let file = sources.add(*name, text.as_str());
        let (ast, diagnostics) = zgen_syntax::parse(file, text);
        if diagnostics.has_errors() {
            let errors: Diagnostics = diagnostics.errors().cloned().collect();
            eprint!("{}", render_human(&errors, &sources, color));
            broken += 1;
            continue;
        }
        let formatted = zgen_syntax::format_file(&ast, text);
        if formatted == *text {
            unchanged += 1;
            continue;
        }
        if args.check {
            println!("{name}");
        } else {
            files::write(path, &formatted)?;
        }
        changed += 1;
    }

    eprintln!("{}", summary(args.check, changed, unchanged, broken));
    Ok(if broken > 0 || (args.check && changed > 0) {
        Verdict::Failed
    } else {
        Verdict::Clean
    })
}

/// `1 file reformatted, 2 files left unchanged`, and with `--check`
/// `1 file would be reformatted, 2 files already formatted`.
fn summary(check: bool, changed: usize, unchanged: usize, broken: usize) -> String {
    let mut parts = Vec::new();
    if changed > 0 {
        let verb = if check {
            "would be reformatted"
        } else {
            "reformatted"
        };
        parts.push(format!("{} {verb}", count(changed, "file")));
    }
    if unchanged > 0 || parts.is_empty() && broken == 0 {
        let state = if check {
            "already formatted"
        } else {
            "left unchanged"
        };
        parts.push(format!("{} {state}", count(unchanged, "file")));
    }
    if broken > 0 {
        parts.push(format!(
            "{} not formatted (syntax errors)",
            count(broken, "file")
        ));
    }
    parts.join(", ")
}
