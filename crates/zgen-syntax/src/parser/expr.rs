//! Expressions (E-1 … E-10).
//!
//! The grammar has one rule per precedence level; a level with a single
//! child is passed through without recursion. Operator, member, predicate
//! and `!` chains are built iteratively, and no tree deeper than
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
        let mut p = p;
        loop {
            match p.as_rule() {
                Rule::expr
                | Rule::equality
                | Rule::relational
                | Rule::in_expr
                | Rule::collection
                | Rule::member => {
                    let mut inner = p.clone().into_inner();
                    if let (Some(only), None) = (inner.next(), inner.next()) {
                        p = only;
                        continue;
                    }
                    return match p.as_rule() {
                        Rule::collection => self.collection(p),
                        Rule::member => self.member(p),
                        _ => self.binary_chain(p),
                    };
                }
                _ => return self.primary(p),
            }
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

    /// `operand (op operand)*`, left-associative.
    fn binary_chain(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut it = p.into_inner();
        let Some(first) = it.next() else {
            return (null_at(span), 1);
        };
        let (mut lhs, mut depth) = self.expr_d(first);
        while let (Some(op), Some(rhs)) = (it.next(), it.next()) {
            let op_span = self.span_of(&op);
            let op = match op.as_str() {
                "&&" => BinaryOp::And,
                "||" => BinaryOp::Or,
                "==" => BinaryOp::Eq,
                "!=" => BinaryOp::Ne,
                "<" => BinaryOp::Lt,
                "<=" => BinaryOp::Le,
                ">" => BinaryOp::Gt,
                ">=" => BinaryOp::Ge,
                _ => BinaryOp::In,
            };
            let (rhs, rhs_depth) = self.expr_d(rhs);
            let d = 1 + depth.max(rhs_depth);
            if self.deep(d, op_span) {
                break;
            }
            let span = lhs.span.to(rhs.span);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    op_span,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
            depth = d;
        }
        (lhs, depth)
    }

    /// `member (?[ binding, cond ])*`
    fn collection(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut it = p.into_inner();
        let Some(first) = it.next() else {
            return (null_at(span), 1);
        };
        let (mut expr, mut depth) = self.expr_d(first);
        for pred in it {
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
                break;
            }
            let span = expr.span.to(end);
            expr = Expr {
                kind: ExprKind::Collection {
                    quantifier,
                    collection: Box::new(expr),
                    binding,
                    condition: Box::new(condition),
                },
                span,
            };
            depth = d;
        }
        (expr, depth)
    }

    /// `primary (. name)*`
    fn member(&mut self, p: Pair<'a, Rule>) -> (Expr, u32) {
        let span = self.span_of(&p);
        let mut it = p.into_inner();
        let Some(first) = it.next() else {
            return (null_at(span), 1);
        };
        let (mut expr, mut depth) = self.expr_d(first);
        for c in it.filter(|c| c.as_rule() == Rule::member_name) {
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
        (expr, depth)
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
