//! Attaching `///` doc comments (L-2).
//!
//! A run of `///` lines, with only whitespace and ordinary comments between
//! them, documents the element whose first token follows the run. Lowering
//! asks for the docs of every documentable element by its start offset; a
//! run nobody asked for is dangling.

use std::collections::HashMap;

use zgen_diagnostics::{Code, Diagnostic, Span};

use crate::ast::Docs;
use crate::comments::DocLine;

struct Run {
    start: usize,
    end: usize,
    anchor: usize,
    lines: Vec<String>,
    used: bool,
}

pub(crate) struct DocIndex {
    runs: Vec<Run>,
    by_anchor: HashMap<usize, usize>,
}

impl DocIndex {
    pub(crate) fn new<'a>(lines: impl IntoIterator<Item = &'a DocLine>) -> Self {
        let mut runs: Vec<Run> = Vec::new();
        for line in lines {
            let text = line.text.trim_end_matches('\r').to_string();
            match runs.last_mut() {
                Some(run) if run.anchor == line.anchor => {
                    run.end = line.end;
                    run.lines.push(text);
                }
                _ => runs.push(Run {
                    start: line.start,
                    end: line.end,
                    anchor: line.anchor,
                    lines: vec![text],
                    used: false,
                }),
            }
        }
        let by_anchor = runs
            .iter()
            .enumerate()
            .map(|(i, r)| (r.anchor, i))
            .collect();
        DocIndex { runs, by_anchor }
    }

    /// The docs of the element starting at `offset` (empty when none).
    pub(crate) fn take(&mut self, offset: usize) -> Docs {
        let Some(run) = self
            .by_anchor
            .get(&offset)
            .and_then(|&i| self.runs.get_mut(i))
        else {
            return Vec::new();
        };
        if run.used {
            return Vec::new();
        }
        run.used = true;
        run.lines.clone()
    }

    /// `(start, end, anchor)` of every run no element took.
    pub(crate) fn unused(&self) -> impl Iterator<Item = (usize, usize, usize)> + '_ {
        self.runs
            .iter()
            .filter(|r| !r.used)
            .map(|r| (r.start, r.end, r.anchor))
    }
}

pub(crate) fn dangling(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::DANGLING_DOC_COMMENT,
        span,
        "doc comment does not document anything",
    )
    .with_label("no declaration, field, enum value, parameter or `@@` attribute follows")
    .with_help("move it before the element it describes, or use `//` for an ordinary comment")
}
