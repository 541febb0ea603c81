//! The nesting guard: input nested deeper than [`MAX_NESTING`] brackets is
//! reported and its declaration is blanked out before the grammar runs, so
//! neither pest nor lowering (nor any later recursive pass) can overflow the
//! stack on it. Long flat chains (`a.b.c…`, `a || b || …`, `!!!…`) parse
//! iteratively and are bounded during lowering instead (see `expr.rs`).

use pest::Parser as _;
use zgen_diagnostics::{Code, Diagnostic, Span};

use super::{Rule, ZModelParser};
use crate::comments::Scan;

/// Deepest bracket nesting accepted.
pub(crate) const MAX_NESTING: usize = 128;

const DECL_WORDS: &[&str] = &[
    "abstract",
    "attribute",
    "datasource",
    "enum",
    "function",
    "generator",
    "import",
    "model",
    "mutation",
    "plugin",
    "procedure",
    "type",
    "view",
];

/// Does a declaration start at `offset` (the first word of a code line)?
pub(crate) fn is_decl_start(text: &str, offset: usize) -> bool {
    let Some(rest) = text.get(offset..) else {
        return false;
    };
    let word_len = rest
        .bytes()
        .position(|b| !(b.is_ascii_alphanumeric() || b == b'_'))
        .unwrap_or(rest.len());
    DECL_WORDS.contains(&rest.get(..word_len).unwrap_or(""))
        && ZModelParser::parse(Rule::decl_start, rest).is_ok()
}

/// Offsets of the code lines that start a declaration.
pub(crate) fn decl_starts(text: &str, scan: &Scan) -> Vec<usize> {
    scan.line_words
        .iter()
        .copied()
        .filter(|&w| is_decl_start(text, w))
        .collect()
}

/// Regions to blank out, each with the offset of the bracket that went too
/// deep. Depth restarts at every declaration.
pub(crate) fn deep_regions(text: &str, scan: &Scan) -> Vec<((usize, usize), usize)> {
    // cheap check first: most files never get near the limit
    let mut depth = 0usize;
    let mut max = 0usize;
    for &(_, b) in &scan.brackets {
        if matches!(b, b'(' | b'[' | b'{') {
            depth += 1;
            max = max.max(depth);
        } else {
            depth = depth.saturating_sub(1);
        }
    }
    if max <= MAX_NESTING {
        return Vec::new();
    }

    let starts = decl_starts(text, scan);
    let mut regions = Vec::new();
    let mut next_start = starts.iter().peekable();
    let mut skip_until = 0usize;
    depth = 0;
    for &(at, b) in &scan.brackets {
        if at < skip_until {
            continue;
        }
        while next_start.next_if(|&&s| s <= at).is_some() {
            depth = 0;
        }
        if !matches!(b, b'(' | b'[' | b'{') {
            depth = depth.saturating_sub(1);
            continue;
        }
        depth += 1;
        if depth > MAX_NESTING {
            let start = starts
                .iter()
                .rev()
                .find(|&&s| s <= at)
                .copied()
                .unwrap_or(0);
            let end = starts
                .iter()
                .find(|&&s| s > at)
                .copied()
                .unwrap_or(text.len());
            regions.push(((start, end), at));
            skip_until = end;
            depth = 0;
        }
    }
    regions
}

pub(crate) fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(Code::SYNTAX, span, "expression nested too deeply").with_help(format!(
        "zgen accepts at most {MAX_NESTING} nested brackets; the declaration was skipped"
    ))
}

/// An expression tree deeper than `expr::MAX_EXPR_DEPTH` (a long operator
/// or member chain rather than brackets).
pub(crate) fn too_deep_tree(span: Span) -> Diagnostic {
    Diagnostic::error(Code::SYNTAX, span, "expression nested too deeply").with_help(format!(
        "zgen accepts expressions at most {} levels deep; the declaration was skipped",
        super::expr::MAX_EXPR_DEPTH
    ))
}
