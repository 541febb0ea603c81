//! Block bodies: model/view/type fields, enum values and config entries.
//!
//! Column alignment: a body is **one alignment block**. Every field of a
//! model body shares the widths of the name and type columns, whatever blank
//! lines, comments or `@@attributes` sit between fields (this is what
//! `zen format` does: widths come from all fields of the model). The
//! attribute column starts one space after the widest type; a field without
//! attributes gets no padding after its type. Enum values align their
//! attributes after the widest value name, config entries align `=` after
//! the widest key. `@@attributes` are not part of the columns.
//!
//! Member order is kept. One blank line between members (or comments) is
//! kept where the source had at least one; none is added. A comment on the
//! same source line as the end of a member stays at the end of that member's
//! line (one space after it); other comments stay on their own lines before
//! the member that follows them, or before the closing brace. Comments
//! written between a field's name and the end of its type (or a config key
//! and its value) cannot sit inside the columns: they move to their own line
//! just before the member.

use zgen_diagnostics::Span;

use super::expr::{self, closing, find_char};
use super::writer::{has_blank_line, Writer};
use crate::ast::{ConfigBlock, Docs, Enum, EnumMember, Field, Member, Model};

/// Where a body item is in the source.
pub(super) struct Slot {
    pub start: usize,
    /// Comments starting before this offset are printed before the item.
    pub hoist: usize,
    pub end: usize,
}

pub(super) fn docs(w: &mut Writer<'_>, docs: &Docs) {
    for d in docs {
        w.tok(None, &format!("///{}", d.trim_end_matches('\r')));
        w.newline();
    }
}

/// Prints `{`, the items and `}`. `open` is the offset of `{` (if found)
/// and `close` that of `}`; `print` prints one item (without line breaks
/// around it).
pub(super) fn body<T>(
    w: &mut Writer<'_>,
    open: Option<usize>,
    close: Option<usize>,
    items: &[T],
    slot: impl Fn(&T) -> Slot,
    mut print: impl FnMut(&mut Writer<'_>, &T),
) {
    w.sp();
    w.tok(open, "{");
    let slots: Vec<Slot> = items.iter().map(&slot).collect();
    let close_at = close.unwrap_or(usize::MAX);
    let open_end = open.map_or(0, |o| o + 1);
    let first_limit = slots.first().map_or(close_at, |s| s.start);
    let mut last_end = w.trailing(open_end, first_limit);
    let mut first = true;
    w.indent += 1;
    for (i, item) in items.iter().enumerate() {
        let Some(s) = slots.get(i) else { break };
        for c in w.take_before(s.hoist) {
            separate(w, first, last_end, c.span.start as usize);
            w.comment(c);
            w.newline();
            last_end = last_end.max(c.span.end as usize);
            first = false;
        }
        separate(w, first, last_end, s.start);
        print(w, item);
        w.flush_before(s.end);
        let limit = slots.get(i + 1).map_or(close_at, |n| n.start);
        last_end = w.trailing(s.end, limit).max(s.end);
        w.newline();
        first = false;
    }
    for c in w.take_before(close_at) {
        separate(w, first, last_end, c.span.start as usize);
        w.comment(c);
        w.newline();
        last_end = c.span.end as usize;
        first = false;
    }
    w.indent = w.indent.saturating_sub(1);
    w.newline();
    w.tok(close, "}");
}

/// Starts a new body line, with an empty line before it when the source had
/// one (never before the first line of a body).
fn separate(w: &mut Writer<'_>, first: bool, last_end: usize, start: usize) {
    if !first && has_blank_line(w.src, last_end, start) {
        w.blank_line();
    } else {
        w.newline();
    }
}

fn start(span: Span) -> usize {
    span.start as usize
}

fn end(span: Span) -> usize {
    span.end as usize
}

/// The offset of a block's `{`, searched after `after`.
pub(super) fn open_brace(w: &Writer<'_>, after: usize, node: Span) -> Option<usize> {
    find_char(w.src, after, b'{').filter(|&p| p < end(node))
}

pub(super) fn model_body(w: &mut Writer<'_>, m: &Model, header_end: usize) {
    let name_w = m
        .fields()
        .map(|f| Writer::width(&f.name.name))
        .max()
        .unwrap_or(0);
    let type_w = m
        .fields()
        .map(|f| Writer::width(&expr::type_text(w.src, &f.ty)))
        .max()
        .unwrap_or(0);
    let open = open_brace(w, header_end, m.span);
    let close = closing(w.src, m.span, b'}');
    body(
        w,
        open,
        close,
        &m.members,
        |member| match member {
            Member::Field(f) => Slot {
                start: start(f.span),
                hoist: end(f.ty.span).max(start(f.span)),
                end: end(f.span),
            },
            Member::Attribute(a) => Slot {
                start: start(a.span),
                hoist: end(a.name.span),
                end: end(a.span),
            },
        },
        |w, member| match member {
            Member::Field(f) => field(w, f, name_w, type_w),
            Member::Attribute(a) => {
                docs(w, &a.docs);
                expr::attribute(w, a);
            }
        },
    );
}

fn field(w: &mut Writer<'_>, f: &Field, name_w: usize, type_w: usize) {
    docs(w, &f.docs);
    w.tok(Some(start(f.name.span)), &f.name.name);
    w.pad(name_w.saturating_sub(Writer::width(&f.name.name)) + 1);
    let ty = expr::type_text(w.src, &f.ty);
    expr::type_ref(w, &f.ty);
    if !f.attributes.is_empty() {
        w.pad(type_w.saturating_sub(Writer::width(&ty)) + 1);
        expr::attributes(w, &f.attributes);
    }
}

pub(super) fn enum_body(w: &mut Writer<'_>, e: &Enum) {
    let name_w = e
        .members
        .iter()
        .filter_map(|m| match m {
            EnumMember::Value(v) => Some(Writer::width(&v.name.name)),
            EnumMember::Attribute(_) => None,
        })
        .max()
        .unwrap_or(0);
    let open = open_brace(w, end(e.name.span), e.span);
    let close = closing(w.src, e.span, b'}');
    body(
        w,
        open,
        close,
        &e.members,
        |member| match member {
            EnumMember::Value(v) => Slot {
                start: start(v.span),
                hoist: end(v.name.span),
                end: end(v.span),
            },
            EnumMember::Attribute(a) => Slot {
                start: start(a.span),
                hoist: end(a.name.span),
                end: end(a.span),
            },
        },
        |w, member| match member {
            EnumMember::Value(v) => {
                docs(w, &v.docs);
                w.tok(Some(start(v.name.span)), &v.name.name);
                if !v.attributes.is_empty() {
                    w.pad(name_w.saturating_sub(Writer::width(&v.name.name)) + 1);
                    expr::attributes(w, &v.attributes);
                }
            }
            EnumMember::Attribute(a) => {
                docs(w, &a.docs);
                expr::attribute(w, a);
            }
        },
    );
}

pub(super) fn config_body(w: &mut Writer<'_>, c: &ConfigBlock) {
    let key_w = c
        .fields
        .iter()
        .map(|f| Writer::width(&f.name.name))
        .max()
        .unwrap_or(0);
    let open = open_brace(w, end(c.name.span), c.span);
    let close = closing(w.src, c.span, b'}');
    body(
        w,
        open,
        close,
        &c.fields,
        |f| Slot {
            start: start(f.span),
            hoist: start(f.value.span).max(start(f.span)),
            end: end(f.span),
        },
        |w, f| {
            docs(w, &f.docs);
            w.tok(Some(start(f.name.span)), &f.name.name);
            w.pad(key_w.saturating_sub(Writer::width(&f.name.name)) + 1);
            w.tok(None, "=");
            w.sp();
            expr::expr(w, &f.value);
        },
    );
}
