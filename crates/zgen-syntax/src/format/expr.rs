//! Printing of expressions, argument lists, attributes and types.
//!
//! Expressions print on one line in canonical spacing (`a && b`, `f(x, y)`,
//! `posts?[p, p.published]`, `[a, b]`, `{ k: v }`). Parentheses appear
//! exactly where the user wrote them (`ExprKind::Paren`); string literals and
//! quoted object keys are copied from the source so quote style and escapes
//! survive; numbers print as written.
//!
//! A bracketed list (arguments, parameters, array, object) is *expanded*
//! (one element per line, the closing bracket on its own line) when a `//`
//! comment lies inside it and not inside a list nested in it (the innermost
//! list around a line comment expands), and an array or object literal also
//! when the source had a line break right after its opening bracket (the
//! user's multi-line layout of config arrays and objects is kept). Both
//! conditions hold again on the output, so layout is stable.

use zgen_diagnostics::Span;

use super::writer::{slice, Writer};
use crate::ast::{Arg, Attribute, Expr, ExprKind, ObjectEntry, TypeName, TypeRef};

fn start(span: Span) -> usize {
    span.start as usize
}

fn end(span: Span) -> usize {
    span.end as usize
}

/// The offset of the last byte of `span` when it is `ch` (a closing bracket).
pub(super) fn closing(src: &str, span: Span, ch: u8) -> Option<usize> {
    let last = end(span).checked_sub(1)?;
    (src.as_bytes().get(last) == Some(&ch) && last >= start(span)).then_some(last)
}

/// The first `ch` at or after `from` outside comments and string literals.
pub(super) fn find_char(src: &str, from: usize, ch: u8) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = from;
    while let Some(&b) = bytes.get(i) {
        if b == ch {
            return Some(i);
        }
        match b {
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while bytes.get(i).is_some_and(|&b| b != b'\n') {
                    i += 1;
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i += 2;
                while bytes.get(i).is_some()
                    && !(bytes.get(i) == Some(&b'*') && bytes.get(i + 1) == Some(&b'/'))
                {
                    i += 1;
                }
                i += 2;
            }
            b'"' | b'\'' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    if c == b {
                        break;
                    }
                }
            }
            _ => i += 1,
        }
    }
    None
}

/// How a bracketed list is laid out.
pub(super) struct List {
    pub open: &'static str,
    pub close: &'static str,
    pub open_pos: Option<usize>,
    pub close_pos: Option<usize>,
    /// Spaces inside the brackets on one line: `{ a: 1 }`.
    pub padded: bool,
    pub expanded: bool,
}

impl List {
    /// An argument or parameter list `( ... )` that follows a name ending
    /// at `after` and whose node ends at `node_end` (`)` included when
    /// `close_pos` is known).
    /// `skip`: ranges of lists nested in the elements.
    pub fn parens(
        w: &Writer<'_>,
        after: usize,
        node_end: usize,
        close_pos: Option<usize>,
        skip: &[(usize, usize)],
    ) -> List {
        let open_pos = find_char(w.src, after, b'(').filter(|&p| p < node_end);
        let until = close_pos.map_or(node_end, |p| p + 1);
        List {
            open: "(",
            close: ")",
            open_pos,
            close_pos,
            padded: false,
            expanded: w.has_line_comment_in(after, until, skip),
        }
    }
}

/// Prints a list; `span_of` gives each element's source span.
pub(super) fn list<T>(
    w: &mut Writer<'_>,
    spec: &List,
    items: &[T],
    span_of: impl Fn(&T) -> Span,
    mut item: impl FnMut(&mut Writer<'_>, &T),
) {
    w.tok(spec.open_pos, spec.open);
    if !spec.expanded {
        if items.is_empty() {
            w.tight(spec.close_pos, spec.close);
            return;
        }
        if spec.padded {
            w.sp();
        }
        for (i, it) in items.iter().enumerate() {
            if i > 0 {
                w.tight(None, ",");
                w.sp();
            }
            item(w, it);
        }
        if spec.padded {
            w.sp();
            w.tok(spec.close_pos, spec.close);
        } else {
            w.tight(spec.close_pos, spec.close);
        }
        return;
    }
    w.indent += 1;
    let close_limit = spec.close_pos.unwrap_or(0);
    for (i, it) in items.iter().enumerate() {
        let span = span_of(it);
        for c in w.take_before(start(span)) {
            w.newline();
            w.comment(c);
        }
        w.newline();
        item(w, it);
        w.flush_before(end(span));
        let next = items.get(i + 1).map(|n| start(span_of(n)));
        if next.is_some() {
            w.tight(None, ",");
        }
        w.trailing(end(span), next.unwrap_or(close_limit));
    }
    for c in w.take_before(close_limit) {
        w.newline();
        w.comment(c);
    }
    w.indent = w.indent.saturating_sub(1);
    w.newline();
    w.tight(spec.close_pos, spec.close);
}

pub(super) fn args(w: &mut Writer<'_>, name_end: usize, node: Span, args: &[Arg]) {
    let close_pos = closing(w.src, node, b')');
    let mut skip = Vec::new();
    for a in args {
        nested_lists(&a.value, &mut skip);
    }
    let spec = List::parens(w, name_end, end(node), close_pos, &skip);
    list(w, &spec, args, |a| a.span, arg);
}

/// Source ranges of the bracketed lists in `e`, outermost ones only.
pub(super) fn nested_lists(e: &Expr, out: &mut Vec<(usize, usize)>) {
    match &e.kind {
        ExprKind::Array(_) | ExprKind::Object(_) => out.push((start(e.span), end(e.span))),
        ExprKind::Call { callee, .. } => out.push((end(callee.span), end(e.span))),
        ExprKind::Ref { name, args } if !args.is_empty() => {
            out.push((end(name.span), end(e.span)));
        }
        ExprKind::Member { receiver: x, .. } | ExprKind::Not(x) | ExprKind::Paren(x) => {
            nested_lists(x, out);
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            nested_lists(lhs, out);
            nested_lists(rhs, out);
        }
        ExprKind::Collection {
            collection,
            condition,
            ..
        } => {
            nested_lists(collection, out);
            nested_lists(condition, out);
        }
        _ => {}
    }
}

/// Source ranges of the argument lists of `attrs`.
pub(super) fn attribute_lists(attrs: &[Attribute], out: &mut Vec<(usize, usize)>) {
    for a in attrs.iter().filter(|a| a.args.is_some()) {
        out.push((end(a.name.span), end(a.span)));
    }
}

fn arg(w: &mut Writer<'_>, a: &Arg) {
    if let Some(name) = &a.name {
        w.tok(Some(start(name.span)), &name.name);
        w.tight(None, ":");
        w.sp();
    }
    expr(w, &a.value);
}

/// `@name` or `@name(args)`.
pub(super) fn attribute(w: &mut Writer<'_>, a: &Attribute) {
    w.tok(Some(start(a.name.span)), &a.name.name);
    if let Some(list) = &a.args {
        args(w, end(a.name.span), a.span, list);
    }
}

/// Attributes after a field, enum value, parameter or declaration,
/// separated by single spaces.
pub(super) fn attributes(w: &mut Writer<'_>, attrs: &[Attribute]) {
    for (i, a) in attrs.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        attribute(w, a);
    }
}

/// A string literal as written; re-quoted from its value if the source text
/// is not available.
fn string_literal(src: &str, span: Span, value: &str) -> String {
    let text = slice(src, start(span), end(span));
    let quoted = |q: char| text.len() >= 2 && text.starts_with(q) && text.ends_with(q);
    if quoted('"') || quoted('\'') {
        return text.to_string();
    }
    let mut out = String::from("\"");
    for ch in value.chars() {
        if ch == '"' || ch == '\\' {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

pub(super) fn expr(w: &mut Writer<'_>, e: &Expr) {
    let at = Some(start(e.span));
    match &e.kind {
        ExprKind::String(value) => {
            let text = string_literal(w.src, e.span, value);
            w.tok(at, &text);
        }
        ExprKind::Number(n) => w.tok(at, n),
        ExprKind::Bool(b) => w.tok(at, if *b { "true" } else { "false" }),
        ExprKind::Null => w.tok(at, "null"),
        ExprKind::This => w.tok(at, "this"),
        ExprKind::Ref { name, args: list } => {
            w.tok(Some(start(name.span)), &name.name);
            if !list.is_empty() {
                args(w, end(name.span), e.span, list);
            }
        }
        ExprKind::Call { callee, args: list } => {
            w.tok(Some(start(callee.span)), &callee.name);
            args(w, end(callee.span), e.span, list);
        }
        ExprKind::Member { receiver, member } => {
            expr(w, receiver);
            w.tight(None, ".");
            w.tight(Some(start(member.span)), &member.name);
        }
        ExprKind::Not(operand) => {
            w.tok(at, "!");
            expr(w, operand);
        }
        ExprKind::Binary {
            op,
            op_span,
            lhs,
            rhs,
        } => {
            expr(w, lhs);
            w.sp();
            w.tok(Some(start(*op_span)), op.as_str());
            w.sp();
            expr(w, rhs);
        }
        ExprKind::Collection {
            quantifier,
            collection,
            binding,
            condition,
        } => {
            expr(w, collection);
            w.tight(None, quantifier.symbol());
            w.tight(None, "[");
            if let Some(b) = binding {
                w.tok(Some(start(b.span)), &b.name);
                w.tight(None, ",");
                w.sp();
            }
            expr(w, condition);
            w.tight(closing(w.src, e.span, b']'), "]");
        }
        ExprKind::Array(items) => {
            let mut skip = Vec::new();
            for i in items {
                nested_lists(i, &mut skip);
            }
            let first = items.first().map(|i| i.span);
            let spec = literal_list(w, e.span, first, &skip, "[", "]", false);
            list(w, &spec, items, |i| i.span, expr);
        }
        ExprKind::Object(entries) => {
            let mut skip = Vec::new();
            for i in entries {
                nested_lists(&i.value, &mut skip);
            }
            let first = entries.first().map(|i| i.span);
            let spec = literal_list(w, e.span, first, &skip, "{", "}", true);
            list(w, &spec, entries, |i| i.span, object_entry);
        }
        ExprKind::Paren(inner) => {
            w.tok(at, "(");
            expr(w, inner);
            w.tight(closing(w.src, e.span, b')'), ")");
        }
    }
}

fn literal_list(
    w: &Writer<'_>,
    span: Span,
    first: Option<Span>,
    skip: &[(usize, usize)],
    open: &'static str,
    close: &'static str,
    padded: bool,
) -> List {
    let close_byte = close.as_bytes().first().copied().unwrap_or(b']');
    let close_pos = closing(w.src, span, close_byte);
    let multi_line = first.is_some_and(|f| slice(w.src, start(span), start(f)).contains('\n'));
    List {
        open,
        close,
        open_pos: Some(start(span)),
        close_pos,
        padded,
        expanded: multi_line || w.has_line_comment_in(start(span), end(span), skip),
    }
}

fn object_entry(w: &mut Writer<'_>, entry: &ObjectEntry) {
    let key_span = entry.key.span;
    let key = if entry.quoted {
        string_literal(w.src, key_span, &entry.key.name)
    } else {
        entry.key.name.clone()
    };
    w.tok(Some(start(key_span)), &key);
    w.tight(None, ":");
    w.sp();
    expr(w, &entry.value);
}

/// `Name`, `Name[]`, `Name?`, `Unsupported("...")`.
pub(super) fn type_ref(w: &mut Writer<'_>, ty: &TypeRef) {
    match &ty.name {
        TypeName::Named(name) => w.tok(Some(start(name.span)), &name.name),
        TypeName::Unsupported(arg) => {
            w.tok(Some(start(ty.span)), "Unsupported");
            w.tight(None, "(");
            expr(w, arg);
            w.tight(None, ")");
        }
    }
    if ty.array {
        w.tight(None, "[]");
    }
    if ty.optional {
        w.tight(None, "?");
    }
}

/// The rendering of a type without comments, for column widths.
pub(super) fn type_text(src: &str, ty: &TypeRef) -> String {
    let mut w = Writer::plain(src);
    type_ref(&mut w, ty);
    w.into_string()
}
