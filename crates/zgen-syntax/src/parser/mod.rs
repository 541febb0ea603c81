//! Parsing one file: lexical pre-scan, nesting guard, the pest grammar
//! (`grammar/zmodel.pest`) and lowering of the pest tree to [`ast`].
//!
//! Parsing never fails: every problem becomes a diagnostic and the tree
//! holds whatever could be recovered.

mod decls;
mod docs;
mod expr;
mod fast_line;
mod guard;
mod model;
mod names;
mod recovery;
mod split;

use pest::iterators::Pair;
use pest::Parser as _;
use pest_derive::Parser;
use zgen_diagnostics::{Diagnostic, Diagnostics, FileId, Span};

use crate::ast;
use crate::comments;
use docs::DocIndex;

/// The path is relative to this crate's manifest directory.
#[derive(Parser)]
#[grammar = "../../grammar/zmodel.pest"]
pub(crate) struct ZModelParser;

/// Parses one file. Spans are byte offsets into `text`.
pub fn parse(file: FileId, text: &str) -> (ast::SchemaFile, Diagnostics) {
    parse_with(file, text, &split::parse_halves)
}

/// [`parse`] with the strategy for parsing in parts (`None`: one piece).
fn parse_with(
    file: FileId,
    text: &str,
    in_parts: &dyn Fn(&Prepared<'_>) -> Option<Part>,
) -> (ast::SchemaFile, Diagnostics) {
    parse_opts(file, text, true, in_parts)
}

/// [`parse_with`], with or without the recogniser of common body lines
/// (`fast_line`).
fn parse_opts(
    file: FileId,
    text: &str,
    fast_lines: bool,
    in_parts: &dyn Fn(&Prepared<'_>) -> Option<Part>,
) -> (ast::SchemaFile, Diagnostics) {
    let mut diags = Diagnostics::new();
    let mut scan = comments::scan(file, text);
    for d in std::mem::take(&mut scan.diagnostics) {
        diags.push(d);
    }
    let mut masks = std::mem::take(&mut scan.masks);
    for (region, at) in guard::deep_regions(text, &scan) {
        diags.push(guard::too_deep(Span::new(file, at, at + 1)));
        masks.push(region);
    }
    comments::drop_masked(&mut scan, &masks);
    let input = if masks.is_empty() {
        text.to_string()
    } else {
        comments::apply_masks(text, &masks)
    };
    let mut comment_ends: Vec<(usize, usize)> = scan
        .comments
        .iter()
        .map(|c| (c.span.end as usize, c.span.start as usize))
        .chain(scan.docs.iter().map(|d| (d.end, d.start)))
        .collect();
    comment_ends.sort_unstable();
    let prepared = Prepared {
        file,
        text: &input,
        comment_ends: &comment_ends,
        docs: &scan.docs,
        masks: &masks,
        scan: &scan,
        fast_lines: fast_lines && masks.is_empty(),
    };
    let part = in_parts(&prepared).unwrap_or_else(|| prepared.whole());
    diags.extend(part.diags);
    diags.sort();
    let out = ast::SchemaFile {
        file,
        imports: part.imports,
        decls: part.decls,
        comments: std::mem::take(&mut scan.comments),
    };
    (out, diags)
}

/// One file made ready for the grammar: what lowering reads but never
/// changes, shared by the parts of a file parsed on separate threads.
struct Prepared<'a> {
    file: FileId,
    /// The file text with masked ranges blanked.
    text: &'a str,
    /// `(end, start)` of each comment, sorted, for trimming spans.
    comment_ends: &'a [(usize, usize)],
    /// The `///` lines, in file order.
    docs: &'a [comments::DocLine],
    /// Ranges blanked out and already reported.
    masks: &'a [(usize, usize)],
    scan: &'a comments::Scan,
    /// Whether common body lines are read by `fast_line` rather than pest.
    fast_lines: bool,
}

/// The lowered top-level elements of a file or of one part of it.
struct Part {
    imports: Vec<ast::Import>,
    decls: Vec<ast::Decl>,
    diags: Diagnostics,
}

impl<'a> Prepared<'a> {
    /// The whole file in one parse, falling back to one parse per
    /// declaration when pest fails on it.
    fn whole(&self) -> Part {
        self.lower(0, self.text.len(), true)
            .unwrap_or_else(|| Part {
                imports: Vec::new(),
                decls: Vec::new(),
                diags: Diagnostics::new(),
            })
    }

    /// Parses and lowers `text[start..end]`, which begins at a declaration
    /// (or the file start) and ends at one (or the file end). When pest
    /// fails: `None`, or with `recover` one parse per declaration.
    ///
    /// Common body lines are read by `fast_line` and blanked out of what
    /// pest sees; when that parse reports an error (or a line read so did
    /// not land in a model) the range is parsed again by pest alone, so
    /// that pest says what is wrong.
    fn lower(&self, start: usize, end: usize, recover: bool) -> Option<Part> {
        if self.fast_lines {
            let fast = fast_line::find(self.file, self.text, self.scan, start, end);
            if !fast.is_empty() {
                let mut blanked = self.text.as_bytes().to_vec();
                for (field, line_end) in &fast {
                    if let Some(line) = blanked.get_mut(field.span.start as usize..*line_end) {
                        line.fill(b' ');
                    }
                }
                // only ASCII lines are blanked, so the text stays UTF-8
                let blanked = String::from_utf8(blanked).unwrap_or_default();
                let fields = fast.into_iter().map(|(f, _)| f).collect();
                let part = self.lower_text(&blanked, fields, start, end, recover);
                if part.as_ref().is_some_and(|p| !p.diags.has_errors()) {
                    return part;
                }
            }
        }
        self.lower_text(self.text, Vec::new(), start, end, recover)
    }

    /// [`Prepared::lower`] of `text` (the file text, possibly with the
    /// `fast` lines blanked); `None` also when a `fast` line was lost.
    fn lower_text(
        &self,
        text: &str,
        fast: Vec<ast::Field>,
        start: usize,
        end: usize,
        recover: bool,
    ) -> Option<Part> {
        let chunk = text.get(start..end)?;
        // a doc run belongs to the element at its anchor (the file end for
        // trailing runs)
        let docs = self
            .docs
            .iter()
            .filter(|d| d.anchor >= start && (d.anchor < end || end == text.len()));
        let mut cx = Lower {
            file: self.file,
            text,
            comment_ends: self.comment_ends,
            base: start,
            diags: Diagnostics::new(),
            docs: DocIndex::new(docs),
            error_regions: self.masks.to_vec(),
            too_deep: None,
            first_decl: None,
            fast: fast.into_iter().peekable(),
            fast_lost: false,
        };
        let mut out = ast::SchemaFile {
            file: self.file,
            ..Default::default()
        };
        match ZModelParser::parse(Rule::schema, chunk) {
            Ok(pairs) => {
                for pair in pairs {
                    cx.schema(pair, &mut out);
                }
            }
            Err(err) if recover => cx.parse_in_chunks(self.scan, err, &mut out),
            Err(_) => return None,
        }
        cx.report_dangling_docs();
        if cx.fast_lost || cx.fast.peek().is_some() {
            return None;
        }
        Some(Part {
            imports: out.imports,
            decls: out.decls,
            diags: cx.diags,
        })
    }
}

/// Lowering state for one file.
pub(crate) struct Lower<'a> {
    file: FileId,
    /// The parser input: the file text with masked ranges blanked.
    text: &'a str,
    /// `(end, start)` of each comment, sorted, for trimming spans.
    comment_ends: &'a [(usize, usize)],
    /// Offset of the text pest is parsing within `text` (non-zero when a
    /// file is parsed in parts).
    base: usize,
    diags: Diagnostics,
    docs: DocIndex,
    /// Ranges already reported as errors: no further diagnostics about
    /// doc comments there.
    error_regions: Vec<(usize, usize)>,
    /// Set when an expression of the current declaration is nested too deeply.
    too_deep: Option<Span>,
    /// The first declaration of the file, for `import` order.
    first_decl: Option<Span>,
    /// Body lines read by `fast_line` and not yet placed into a model.
    fast: std::iter::Peekable<std::vec::IntoIter<ast::Field>>,
    /// Set when a line read by `fast_line` did not land in a model.
    fast_lost: bool,
}

impl<'a> Lower<'a> {
    /// The file span of a pest span. A rule that ends with an optional or
    /// repeated part that matched nothing also holds the whitespace and
    /// comments pest skipped before trying it; those are trimmed off.
    fn span(&self, s: pest::Span<'_>) -> Span {
        let start = self.base + s.start();
        let mut end = self.base + s.end();
        // Most spans end on a visible ASCII character that cannot end a
        // comment: nothing to trim (the loop below costs ~100 instructions
        // per span, and lowering takes tens of thousands of spans).
        let last = self.text.as_bytes().get(end.wrapping_sub(1));
        if end > start
            && end != self.text.len()
            && last.is_some_and(|&b| b.is_ascii_graphic() && b != b'/')
        {
            return Span::new(self.file, start, end);
        }
        loop {
            let before = end;
            let trimmed = self
                .slice(start, end)
                .trim_end_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
            end = start + trimmed.len();
            // a comment ends before a line break (trimmed), at the end of
            // the text, or with `*/`
            let may_follow_comment = end != before
                || end == self.text.len()
                || self.text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'/');
            if !may_follow_comment {
                break;
            }
            // the comment that ends at `end`, or (when blanks closing a
            // line comment were trimmed) the one `end` falls inside
            let first_after = self.comment_ends.partition_point(|&(e, _)| e < end);
            let comment_start = self.comment_ends.get(first_after).map(|&(_, s)| s);
            match comment_start {
                Some(c) if c >= start && c < end => end = c,
                _ => break,
            }
        }
        Span::new(self.file, start, end)
    }

    fn span_of(&self, p: &Pair<'_, Rule>) -> Span {
        self.span(p.as_span())
    }

    fn ident(&self, p: &Pair<'_, Rule>) -> ast::Ident {
        ast::Ident {
            name: p.as_str().to_string(),
            span: self.span_of(p),
        }
    }

    fn error(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn take_docs(&mut self, span: Span) -> ast::Docs {
        self.docs.take(span.start as usize)
    }

    fn mark_error(&mut self, span: Span) {
        self.error_regions
            .push((span.start as usize, span.end as usize));
    }

    /// Text of the whole parser input between two file offsets.
    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.text.get(start..end).unwrap_or("")
    }

    fn report_dangling_docs(&mut self) {
        let regions = std::mem::take(&mut self.error_regions);
        for (start, end, anchor) in self.docs.unused() {
            if regions.iter().any(|&(s, e)| s <= anchor && anchor < e) {
                continue;
            }
            self.diags
                .push(docs::dangling(Span::new(self.file, start, end)));
        }
        self.error_regions = regions;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// When pest itself gives up (its stack guard, on a small stack), the
    /// file is parsed declaration by declaration and the rest survives.
    #[test]
    fn a_declaration_pest_gives_up_on_does_not_hide_the_others() {
        let deep = format!("{}a{}", "(".repeat(120), ")".repeat(120));
        let src = format!(
            "model A {{\n  id Int @id\n}}\nmodel B {{\n  @@allow('all', {deep})\n}}\nmodel C {{\n  id Int @id\n  x: Int\n}}\n"
        );
        let run = move || {
            let (file, diags) = parse(FileId(0), &src);
            let names: Vec<String> = file.decls.iter().map(|d| d.name().name.clone()).collect();
            let spans: Vec<(String, String)> = diags
                .iter()
                .map(|d| {
                    (
                        d.message.clone(),
                        src.get(d.span.range()).unwrap_or("").to_string(),
                    )
                })
                .collect();
            (names, spans)
        };
        for stack in [160 << 10, 4 << 20] {
            let (names, diags) = std::thread::Builder::new()
                .stack_size(stack)
                .spawn(run.clone())
                .map(|t| t.join())
                .ok()
                .and_then(Result::ok)
                .unwrap_or_default();
            assert!(
                names.contains(&"A".to_string()) && names.contains(&"C".to_string()),
                "{names:?}"
            );
            let last = diags.last().cloned().unwrap_or_default();
            assert_eq!(last.1, "x: Int", "{diags:?}");
            if names.len() == 2 {
                assert_eq!(diags[0].0, "declaration is too complex to parse");
            }
        }
    }
}
