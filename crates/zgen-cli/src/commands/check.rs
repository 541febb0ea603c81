//! `zgen check`: load each entry schema with its imports, analyze it, and
//! report every diagnostic in one of three formats.

use super::{count, CliError, Verdict};
use crate::cli::{CheckArgs, Format};
use crate::files;
use zgen_diagnostics::{
    render_github, render_human, render_json, Diagnostics, FileId, SourceMap, Span,
};

pub fn run(args: &CheckArgs, color: bool) -> Result<Verdict, CliError> {
    let paths = files::schema_paths(&args.files)?;
    // Every entry is read before anything is printed, so a missing file is
    // a usage error with no partial report.
    let mut entries = Vec::with_capacity(paths.len());
    for path in &paths {
        entries.push((files::display(path)?, files::read(path)?));
    }

    let mut report = Report::default();
    for (name, text) in &entries {
        let mut read = |path: &str| -> Result<String, String> {
            if path == *name {
                return Ok(text.clone());
            }
            std::fs::read_to_string(path).map_err(|e| e.to_string())
        };
        let loaded = zgen_syntax::load(name, &mut read);
        let analysis = zgen_sema::analyze(&loaded);
        report.add(&loaded.sources, analysis.diagnostics);
    }
    let Report {
        sources,
        mut diagnostics,
    } = report;
    diagnostics.sort();
    if args.deny_warnings {
        diagnostics.deny_warnings();
    }

    match args.format {
        Format::Human => {
            eprint!("{}", render_human(&diagnostics, &sources, color));
            eprintln!("{}", summary(&diagnostics, sources.len()));
        }
        Format::Json => println!("{}", render_json(&diagnostics, &sources)),
        Format::Github => print!("{}", render_github(&diagnostics, &sources)),
    }
    Ok(if diagnostics.has_errors() {
        Verdict::Failed
    } else {
        Verdict::Clean
    })
}

/// The diagnostics of every entry, with their files in one source map so
/// that one render covers the whole run. A file imported by several entries
/// appears once, and so do its diagnostics (`Diagnostics::sort` drops exact
/// duplicates).
#[derive(Default)]
struct Report {
    sources: SourceMap,
    diagnostics: Diagnostics,
}

impl Report {
    fn add(&mut self, sources: &SourceMap, diagnostics: Diagnostics) {
        let ids: Vec<FileId> = sources
            .iter()
            .map(|(_, f)| {
                self.sources
                    .find(f.name())
                    .unwrap_or_else(|| self.sources.add(f.name(), f.text()))
            })
            .collect();
        // A span outside the entry's source map (none should be) must not
        // land in another entry's file.
        let remap = |span: Span| Span {
            file: ids
                .get(span.file.0 as usize)
                .copied()
                .unwrap_or(FileId(u32::MAX)),
            ..span
        };
        for mut d in diagnostics {
            d.span = remap(d.span);
            for label in &mut d.secondary {
                label.span = remap(label.span);
            }
            self.diagnostics.push(d);
        }
    }
}

/// The last line of human output: `2 errors, 1 warning`, or
/// `no problems found in 3 files`.
fn summary(diagnostics: &Diagnostics, files: usize) -> String {
    let (errors, warnings) = (diagnostics.error_count(), diagnostics.warning_count());
    match (errors, warnings) {
        (0, 0) => format!("no problems found in {}", count(files, "file")),
        (0, w) => count(w, "warning"),
        (e, 0) => count(e, "error"),
        (e, w) => format!("{}, {}", count(e, "error"), count(w, "warning")),
    }
}
