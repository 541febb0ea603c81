//! `zgen fmt`: prints a parsed file in the canonical ZModel layout (the
//! style of ZenStack's `zen format`, itself modelled on Prisma's formatter).
//!
//! - 4-space indentation; imports first, one per line; exactly one blank
//!   line between top-level declarations.
//! - Bodies of models, views and types align fields in columns (name, type,
//!   attributes); enums align value attributes; config blocks align `=`.
//!   See [`layout`] for the alignment and blank-line rules.
//! - Expressions print canonically; see [`expr`].
//! - Every `//` and `/* */` comment is kept (see [`writer`]): trailing
//!   comments stay at the end of their line, own-line comments stay on their
//!   own line before what follows them, comments inside expressions stay in
//!   the same gap between tokens. `///` docs print from the tree before their
//!   element.
//! - The output uses `\n` line ends and ends with exactly one newline (an
//!   empty file stays empty). Formatting is idempotent.
//!
//! Comments between top-level items: one blank line always separates a
//! declaration from whatever follows it; a comment keeps an empty line
//! before it (and the next item keeps one after it) only where the source
//! had one, so a comment written directly above a declaration stays
//! attached to it.

mod expr;
mod layout;
mod writer;

use zgen_diagnostics::Span;

use crate::ast::{self, Decl, Param};
use expr::{find_char, List};
use layout::docs;
use writer::{has_blank_line, Writer};

fn start(span: Span) -> usize {
    span.start as usize
}

fn end(span: Span) -> usize {
    span.end as usize
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Nothing,
    Import,
    Decl,
    Comment,
}

enum Top<'a> {
    Import(&'a ast::Import),
    Decl(&'a Decl),
}

impl Top<'_> {
    fn span(&self) -> Span {
        match self {
            Top::Import(i) => i.span,
            Top::Decl(d) => d.span(),
        }
    }
}

/// Formats one parsed file. `source` is the text it was parsed from (used
/// for comments, string literals and layout hints).
pub fn format_file(file: &ast::SchemaFile, source: &str) -> String {
    let mut w = Writer::new(source, &file.comments);
    let mut items: Vec<Top<'_>> = file
        .imports
        .iter()
        .map(Top::Import)
        .chain(file.decls.iter().map(Top::Decl))
        .collect();
    // Imports come first by grammar; keep source order within each group.
    items.sort_by_key(|t| (matches!(t, Top::Decl(_)), start(t.span())));

    let mut prev = Prev::Nothing;
    let mut last_end = 0;
    for (i, item) in items.iter().enumerate() {
        let span = item.span();
        for c in w.take_before(start(span)) {
            separate(&mut w, prev, last_end, start(c.span));
            w.comment(c);
            w.newline();
            prev = Prev::Comment;
            last_end = end(c.span);
        }
        match (prev, item) {
            (Prev::Nothing, _) | (Prev::Import, Top::Import(_)) => w.newline(),
            (Prev::Comment, _) => separate(&mut w, prev, last_end, start(span)),
            _ => w.blank_line(),
        }
        match item {
            Top::Import(imp) => {
                import(&mut w, imp);
                prev = Prev::Import;
            }
            Top::Decl(d) => {
                decl(&mut w, d);
                prev = Prev::Decl;
            }
        }
        w.flush_before(end(span));
        let limit = items.get(i + 1).map_or(usize::MAX, |n| start(n.span()));
        last_end = w.trailing(end(span), limit).max(end(span));
        w.newline();
    }
    for c in w.take_before(usize::MAX) {
        separate(&mut w, prev, last_end, start(c.span));
        w.comment(c);
        w.newline();
        prev = Prev::Comment;
        last_end = end(c.span);
    }
    w.newline();
    let mut out = w.into_string();
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// Line separation before a top-level comment (or an item after a comment).
fn separate(w: &mut Writer<'_>, prev: Prev, last_end: usize, at: usize) {
    match prev {
        Prev::Nothing => w.newline(),
        Prev::Decl => w.blank_line(),
        Prev::Import | Prev::Comment => {
            if has_blank_line(w.src, last_end, at) {
                w.blank_line();
            } else {
                w.newline();
            }
        }
    }
}

fn import(w: &mut Writer<'_>, imp: &ast::Import) {
    w.tok(Some(start(imp.span)), "import");
    w.sp();
    let text = writer::slice(w.src, start(imp.path_span), end(imp.path_span));
    let quoted = text.len() >= 2
        && ((text.starts_with('"') && text.ends_with('"'))
            || (text.starts_with('\'') && text.ends_with('\'')));
    if quoted {
        let text = text.to_string();
        w.tok(Some(start(imp.path_span)), &text);
    } else {
        w.tok(Some(start(imp.path_span)), &format!("{:?}", imp.path));
    }
}

fn decl(w: &mut Writer<'_>, d: &Decl) {
    match d {
        Decl::Config(c) => {
            docs(w, &c.docs);
            w.tok(Some(start(c.span)), c.kind.keyword());
            w.sp();
            w.tok(Some(start(c.name.span)), &c.name.name);
            layout::config_body(w, c);
        }
        Decl::Model(m) => model(w, m),
        Decl::Enum(e) => {
            docs(w, &e.docs);
            w.tok(Some(start(e.span)), "enum");
            w.sp();
            w.tok(Some(start(e.name.span)), &e.name.name);
            layout::enum_body(w, e);
        }
        Decl::Function(f) => function(w, f),
        Decl::Attribute(a) => attribute_decl(w, a),
        Decl::Procedure(p) => procedure(w, p),
    }
}

fn model(w: &mut Writer<'_>, m: &ast::Model) {
    docs(w, &m.docs);
    w.tok(Some(start(m.keyword_span)), m.kind.keyword());
    w.sp();
    w.tok(Some(start(m.name.span)), &m.name.name);
    let mut header_end = end(m.name.span);
    let mut clause = |w: &mut Writer<'_>, keyword: &str, names: &[ast::Ident]| {
        if names.is_empty() {
            return;
        }
        w.sp();
        w.tok(None, keyword);
        for (i, n) in names.iter().enumerate() {
            if i > 0 {
                w.tight(None, ",");
            }
            w.sp();
            w.tok(Some(start(n.span)), &n.name);
            header_end = header_end.max(end(n.span));
        }
    };
    if m.extends_first {
        clause(w, "extends", &m.extends);
        clause(w, "with", &m.mixins);
    } else {
        clause(w, "with", &m.mixins);
        clause(w, "extends", &m.extends);
    }
    layout::model_body(w, m, header_end);
}

/// `(p: T, ...)` of a function or procedure; returns the offset after `)`.
fn params(w: &mut Writer<'_>, name_end: usize, node: Span, params: &[Param]) -> usize {
    let last = params.last().map_or(name_end, |p| end(p.span));
    let close = find_char(w.src, last, b')').filter(|&p| p < end(node));
    let mut spec = List::parens(w, name_end, end(node), close, &[]);
    spec.expanded |= params.iter().any(|p| !p.docs.is_empty());
    expr::list(
        w,
        &spec,
        params,
        |p| p.span,
        |w, p| {
            docs(w, &p.docs);
            w.tok(Some(start(p.name.span)), &p.name.name);
            w.tight(None, ":");
            w.sp();
            expr::type_ref(w, &p.ty);
        },
    );
    close.map_or(last, |c| c + 1)
}

/// Internal attributes after a declaration, each preceded by a space.
fn trailing_attributes(w: &mut Writer<'_>, attrs: &[ast::Attribute]) {
    if !attrs.is_empty() {
        w.sp();
        expr::attributes(w, attrs);
    }
}

fn function(w: &mut Writer<'_>, f: &ast::FunctionDecl) {
    docs(w, &f.docs);
    w.tok(Some(start(f.span)), "function");
    w.sp();
    w.tok(Some(start(f.name.span)), &f.name.name);
    params(w, end(f.name.span), f.span, &f.params);
    w.tight(None, ":");
    w.sp();
    expr::type_ref(w, &f.return_type);
    let open = find_char(w.src, end(f.return_type.span), b'{').filter(|&p| p < end(f.span));
    w.sp();
    w.tok(open, "{");
    let body_end = f
        .body
        .as_ref()
        .map_or(open.map_or(end(f.return_type.span), |o| o + 1), |b| {
            end(b.span)
        });
    let close = find_char(w.src, body_end, b'}').filter(|&p| p < end(f.span));
    let open_end = open.map_or(end(f.return_type.span), |o| o + 1);
    let first = f
        .body
        .as_ref()
        .map_or(close.unwrap_or(usize::MAX), |b| start(b.span));
    w.trailing(open_end, first);
    w.indent += 1;
    for c in w.take_before(first) {
        w.own_line_comment(c);
    }
    if let Some(body) = &f.body {
        w.newline();
        expr::expr(w, body);
        w.flush_before(end(body.span));
        w.trailing(end(body.span), close.unwrap_or(usize::MAX));
    }
    for c in w.take_before(close.unwrap_or(usize::MAX)) {
        w.own_line_comment(c);
    }
    w.indent = w.indent.saturating_sub(1);
    w.newline();
    w.tok(close, "}");
    trailing_attributes(w, &f.attributes);
}

fn procedure(w: &mut Writer<'_>, p: &ast::Procedure) {
    docs(w, &p.docs);
    if p.mutation {
        w.tok(Some(start(p.span)), "mutation");
        w.sp();
        w.tok(None, "procedure");
    } else {
        w.tok(Some(start(p.span)), "procedure");
    }
    w.sp();
    w.tok(Some(start(p.name.span)), &p.name.name);
    params(w, end(p.name.span), p.span, &p.params);
    w.tight(None, ":");
    w.sp();
    expr::type_ref(w, &p.return_type);
    trailing_attributes(w, &p.attributes);
}

fn attribute_decl(w: &mut Writer<'_>, a: &ast::AttributeDecl) {
    docs(w, &a.docs);
    w.tok(Some(start(a.span)), "attribute");
    w.sp();
    w.tok(Some(start(a.name.span)), &a.name.name);
    let name_end = end(a.name.span);
    let last = a.params.last().map_or(name_end, |p| end(p.span));
    let close = find_char(w.src, last, b')').filter(|&p| p < end(a.span));
    let mut skip = Vec::new();
    for p in &a.params {
        expr::attribute_lists(&p.attributes, &mut skip);
    }
    let mut spec = List::parens(w, name_end, end(a.span), close, &skip);
    spec.expanded |= a.params.iter().any(|p| !p.docs.is_empty());
    expr::list(
        w,
        &spec,
        &a.params,
        |p| p.span,
        |w, p| {
            docs(w, &p.docs);
            if p.positional {
                w.tok(Some(start(p.span)), "_");
                w.sp();
            }
            w.tok(Some(start(p.name.span)), &p.name.name);
            w.tight(None, ":");
            w.sp();
            expr::type_ref(w, &p.ty);
            trailing_attributes(w, &p.attributes);
        },
    );
    trailing_attributes(w, &a.attributes);
}

#[cfg(test)]
mod tests {
    use super::format_file;
    use crate::parse;
    use zgen_diagnostics::FileId;

    fn fmt(src: &str) -> String {
        let (file, _) = parse(FileId(0), src);
        format_file(&file, src)
    }

    #[test]
    fn empty_file_stays_empty() {
        assert_eq!(fmt(""), "");
        assert_eq!(fmt("\n\n  \n"), "");
    }

    #[test]
    fn comment_only_file() {
        assert_eq!(fmt("// a\n\n\n/* b */\n"), "// a\n\n/* b */\n");
    }
}
