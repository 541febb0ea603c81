//! Expressions (E-1 … E-10).
//!
//! The grammar gives a flat `operand (binop operand)*` list; precedence is
//! applied here with an operator stack. Operator, member, predicate and `!`
//! chains are built iteratively, and no tree deeper than
//! [`MAX_EXPR_DEPTH`] is ever built: past it the declaration is skipped
//! (see `Lower::decl`), so later recursive passes stay within the stack.

use pest::iterators::Pair;
use zgen_diagnostics::Span;

use super::names::NameUse;
use super::{Lower, Rule};
use crate::ast::{BinaryOp, Expr, ExprKind, Ident, ObjectEntry, Quantifier};

/// Deepest expression tree built.
pub(crate) const MAX_EXPR_DEPTH: u32 = 320;

impl<'a> Lower<'a> {
    pub(super) fn expr(&mut self, p: Pair<'a, Rule>) -> Expr {
        self.expr_d(p).0
    }

    /// Lowers an expression node and returns it with its tree depth.
    pub(super) fn expr_d(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        match p.as_rule() {
            Rule::expr => self.binary_chain(p),
            Rule::operand | Rule::member => self.operand(p),
            _ => self.primary(p),
        }
    }

    /// Records that the current declaration holds too deep an expression.
    fn deep(&mut self, depth: u32, span: Span) -> bool {
        if depth > MAX_EXPR_DEPTH {
            self.too_deep.get_or_insert(span);
            true
        } else {
            false
        }
    }

    /// `operand (binop operand)*`: precedence climbing without recursion
    /// (an operator stack), every level left-associative.
    fn binary_chain(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut it = p.into_inner();
        let Some(first) = it.next() else {
            return (null_at(span), 1);
        };
        let first = self.expr_d(first);
        let Some(op) = it.next() else {
            return first;
        };
        let mut operands = vec![first];
        let mut ops: Vec<(BinaryOp, Span)> = Vec::new();
        let mut next_op = Some(op);
        while let (Some(op), Some(rhs)) = (next_op.take(), it.next()) {
            let op_span = self.span_of(&op);
            let op = binary_op(op.as_str());
            while ops
                .last()
                .is_some_and(|&(top, _)| precedence(top) >= precedence(op))
            {
                if !self.reduce(&mut operands, &mut ops) {
                    return operands.swap_remove(0);
                }
            }
            ops.push((op, op_span));
            let rhs = self.expr_d(rhs);
            operands.push(rhs);
            next_op = it.next();
        }
        while !ops.is_empty() {
            if !self.reduce(&mut operands, &mut ops) {
                break;
            }
        }
        operands.swap_remove(0)
    }

    /// Combines the top operator with its two operands; false when the
    /// result would be too deep (the declaration is dropped then).
    fn reduce(&mut self, operands: &mut Vec<(Expr, u32)>, ops: &mut Vec<(BinaryOp, Span)>) -> bool {
        let (Some((op, op_span)), Some((rhs, rhs_depth)), Some((lhs, lhs_depth))) =
            (ops.pop(), operands.pop(), operands.pop())
        else {
            return false;
        };
        let d = 1 + lhs_depth.max(rhs_depth);
        if self.deep(d, op_span) {
            operands.push((lhs, lhs_depth));
            return false;
        }
        let span = lhs.span.to(rhs.span);
        operands.push((
            Expr {
                kind: ExprKind::Binary {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            },
            d,
        ));
        true
    }

    /// `primary (. name)* (?[ binding, cond ])*`
    fn operand(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut it = p.into_inner();
        let Some(first) = it.next() else {
            return (null_at(span), 1);
        };
        let (mut expr, mut depth) = self.expr_d(first);
        for c in it {
            match c.as_rule() {
                Rule::member_name => {
                    let member = self.ident(&c);
                    self.check_name(&member, NameUse::Reference);
                    if self.deep(depth + 1, member.span) {
                        break;
                    }
                    let span = expr.span.to(member.span);
                    expr = Expr {
                        kind: ExprKind::Member {
                            receiver: Box::new(expr),
                            member,
                        },
                        span,
                    };
                    depth += 1;
                }
                Rule::predicate => {
                    let Some(d) = self.predicate(c, &mut expr, depth) else {
                        break;
                    };
                    depth = d;
                }
                _ => {}
            }
        }
        (expr, depth)
    }

    /// Applies `?[ binding, cond ]` to `expr`; the new depth, or `None` when
    /// too deep.
    fn predicate(&mut self, pred: Pair<'a, Rule>, expr: &mut Expr, depth: u32) -> Option<u32> {
        let end = self.span_of(&pred);
        let mut quantifier = Quantifier::Some;
        let mut binding = None;
        let mut condition = None;
        for c in pred.into_inner() {
            match c.as_rule() {
                Rule::quantifier => {
                    quantifier = match c.as_str() {
                        "!" => Quantifier::Every,
                        "^" => Quantifier::None,
                        _ => Quantifier::Some,
                    }
                }
                Rule::binding => {
                    let name = self.ident(&c);
                    self.check_name(&name, NameUse::Binding);
                    binding = Some(name);
                }
                Rule::expr => condition = Some(self.expr_d(c)),
                _ => {}
            }
        }
        let (condition, cond_depth) = condition.unwrap_or_else(|| (null_at(end), 1));
        let d = 1 + depth.max(cond_depth);
        if self.deep(d, end) {
            return None;
        }
        let span = expr.span.to(end);
        let collection = std::mem::replace(expr, null_at(span));
        *expr = Expr {
            kind: ExprKind::Collection {
                quantifier,
                collection: Box::new(collection),
                binding,
                condition: Box::new(condition),
            },
            span,
        };
        Some(d)
    }

    fn primary(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let leaf = |kind| (Expr { kind, span }, 1);
        match p.as_rule() {
            Rule::this_lit => leaf(ExprKind::This),
            Rule::null_lit => leaf(ExprKind::Null),
            Rule::true_lit => leaf(ExprKind::Bool(true)),
            Rule::false_lit => leaf(ExprKind::Bool(false)),
            Rule::number => leaf(ExprKind::Number(p.as_str().to_string())),
            Rule::string => leaf(ExprKind::String(unescape(p.as_str()))),
            Rule::paren => {
                let inner = p.into_inner().find(|c| c.as_rule() == Rule::expr);
                let (inner, depth) = match inner {
                    Some(e) => self.expr_d(e),
                    None => (null_at(span), 1),
                };
                let kind = ExprKind::Paren(Box::new(inner));
                (Expr { kind, span }, depth + 1)
            }
            Rule::unary => self.unary(p),
            Rule::array => {
                let mut depth = 0;
                let mut items = Vec::new();
                for c in p.into_inner().filter(|c| c.as_rule() == Rule::expr) {
                    let (item, d) = self.expr_d(c);
                    depth = depth.max(d);
                    items.push(item);
                }
                (
                    Expr {
                        kind: ExprKind::Array(items),
                        span,
                    },
                    depth + 1,
                )
            }
            Rule::object => self.object(p),
            Rule::ref_or_call => self.ref_or_call(p),
            _ => leaf(ExprKind::Null),
        }
    }

    /// `!+ member`: the operand is a member access (E-5).
    fn unary(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut nots = Vec::new();
        let mut operand = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::not_op => nots.push(self.span_of(&c)),
                _ => operand = Some(self.expr_d(c)),
            }
        }
        let (mut expr, mut depth) = operand.unwrap_or_else(|| (null_at(span), 1));
        for not in nots.into_iter().rev() {
            if self.deep(depth + 1, not) {
                break;
            }
            let span = not.to(expr.span);
            expr = Expr {
                kind: ExprKind::Not(Box::new(expr)),
                span,
            };
            depth += 1;
        }
        (expr, depth)
    }

    fn object(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut depth = 0;
        let mut entries = Vec::new();
        for entry in p.into_inner().filter(|c| c.as_rule() == Rule::object_entry) {
            let entry_span = self.span_of(&entry);
            let mut key = None;
            let mut quoted = false;
            let mut value = None;
            for c in entry.into_inner() {
                match c.as_rule() {
                    Rule::string => {
                        quoted = true;
                        key = Some(Ident {
                            name: unescape(c.as_str()),
                            span: self.span_of(&c),
                        });
                    }
                    Rule::ident => {
                        let k = self.ident(&c);
                        self.check_name(&k, NameUse::ObjectKey);
                        key = Some(k);
                    }
                    Rule::expr => value = Some(self.expr_d(c)),
                    _ => {}
                }
            }
            let (value, d) = value.unwrap_or_else(|| (null_at(entry_span), 1));
            depth = depth.max(d);
            entries.push(ObjectEntry {
                key: key.unwrap_or_else(|| super::decls::empty_ident(entry_span)),
                quoted,
                value,
                span: entry_span,
            });
        }
        (
            Expr {
                kind: ExprKind::Object(entries),
                span,
            },
            depth + 1,
        )
    }

    /// `name`, `name(args)`: a call unless every argument is named, which
    /// makes it a reference with arguments (`field(sort: Desc)`).
    fn ref_or_call(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut name = None;
        let mut args = None;
        let mut depth = 1;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::ident => name = Some(self.ident(&c)),
                Rule::args => {
                    let (a, d) = self.args_d(c);
                    args = Some(a);
                    depth += d;
                }
                _ => {}
            }
        }
        let name = name.unwrap_or_else(|| super::decls::empty_ident(span));
        self.check_name(&name, NameUse::Reference);
        let kind = match args {
            None => ExprKind::Ref { name, args: vec![] },
            Some(args) if !args.is_empty() && args.iter().all(|a| a.name.is_some()) => {
                ExprKind::Ref { name, args }
            }
            Some(args) => ExprKind::Call { callee: name, args },
        };
        (Expr { kind, span }, depth)
    }
}

fn binary_op(op: &str) -> BinaryOp {
    match op {
        "&&" => BinaryOp::And,
        "||" => BinaryOp::Or,
        "==" => BinaryOp::Eq,
        "!=" => BinaryOp::Ne,
        "<" => BinaryOp::Lt,
        "<=" => BinaryOp::Le,
        ">" => BinaryOp::Gt,
        ">=" => BinaryOp::Ge,
        _ => BinaryOp::In,
    }
}

/// Binding strength; higher binds tighter.
fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::And | BinaryOp::Or => 1,
        BinaryOp::Eq | BinaryOp::Ne => 2,
        BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 3,
        BinaryOp::In => 4,
    }
}

/// A placeholder where the grammar guarantees a node (never reached on a
/// successful parse).
pub(super) fn null_at(span: Span) -> Expr {
    Expr {
        kind: ExprKind::Null,
        span,
    }
}

/// The value of a string literal token (quotes included): escapes resolved
/// the way Langium's `convertString` does.
pub(crate) fn unescape(raw: &str) -> String {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{C}'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('t') => out.push('\t'),
            Some('v') => out.push('\u{B}'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}
