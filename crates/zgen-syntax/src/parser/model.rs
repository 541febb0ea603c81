//! Models, views, types, enums and what their bodies hold: fields, field
//! types, attributes and arguments.

use pest::iterators::Pair;
use zgen_diagnostics::{Code, Diagnostic, Span};

use super::decls::empty_ident;
use super::names::NameUse;
use super::recovery::BodyKind;
use super::{Lower, Rule};
use crate::ast::{
    Arg, Attribute, Enum, EnumMember, EnumValue, Field, Ident, Member, Model, ModelKind, TypeName,
    TypeRef,
};

impl<'a> Lower<'a> {
    pub(super) fn model(&mut self, p: Pair<'a, Rule>) -> Model {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut kind = ModelKind::Model;
        let mut keyword_span = span;
        let mut name = empty_ident(span);
        let mut mixins = Vec::new();
        let mut extends = Vec::new();
        let mut extends_first = false;
        let mut with_span = None;
        let mut extends_span = None;
        let mut members = Vec::new();
        let mut open = None;
        let mut prev: Option<Span> = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::model_keyword => {
                    keyword_span = self.span_of(&c);
                    kind = if c.as_str().starts_with("abstract") {
                        ModelKind::AbstractModel
                    } else {
                        match c.as_str() {
                            "view" => ModelKind::View,
                            "type" => ModelKind::Type,
                            _ => ModelKind::Model,
                        }
                    };
                }
                Rule::decl_name => name = self.decl_name(&c, kind.keyword()),
                Rule::with_clause => {
                    with_span = Some(self.span_of(&c));
                    extends_first = extends_span.is_some();
                    mixins = self.name_list(c);
                }
                Rule::extends_clause => {
                    extends_span = Some(self.span_of(&c));
                    extends = self.name_list(c);
                }
                Rule::lbrace => open = Some(self.span_of(&c)),
                Rule::field => {
                    let field = self.field(c);
                    prev = Some(field.span);
                    members.push(Member::Field(field));
                }
                Rule::model_attr => {
                    let attr = self.attribute(c, true);
                    prev = Some(attr.span);
                    members.push(Member::Attribute(attr));
                }
                Rule::bad_member => {
                    let absorbed = self.bad_item(&c, BodyKind::Model, prev);
                    if absorbed {
                        drop_broken_tail(&mut members);
                    }
                }
                Rule::unclosed => self.unclosed(kind.keyword(), &name, open),
                _ => {}
            }
        }
        self.adopt_fast_fields(span, &mut members);
        // G-7, G-8: the grammar has no `with`/`extends` on views and no
        // `extends` on types
        let misplaced = match kind {
            ModelKind::View => [("with", with_span), ("extends", extends_span)],
            ModelKind::Type => [("extends", extends_span), ("", None)],
            _ => [("", None), ("", None)],
        };
        for (clause, at) in misplaced {
            if let Some(at) = at {
                self.error(Diagnostic::error(
                    Code::SYNTAX,
                    at,
                    format!("a `{}` cannot use `{clause}`", kind.keyword()),
                ));
            }
        }
        Model {
            docs,
            kind,
            keyword_span,
            name,
            mixins,
            extends,
            extends_first,
            members,
            span,
        }
    }

    /// The `mixin_name` children of a `with` or `extends` clause.
    fn name_list(&mut self, p: Pair<'a, Rule>) -> Vec<Ident> {
        p.into_inner()
            .filter(|c| c.as_rule() == Rule::mixin_name)
            .map(|c| {
                let name = self.ident(&c);
                self.check_name(&name, NameUse::Mixin);
                name
            })
            .collect()
    }

    fn field(&mut self, p: Pair<'a, Rule>) -> Field {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut name = empty_ident(span);
        let mut ty = None;
        let mut attributes = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::field_name => {
                    name = self.ident(&c);
                    self.check_name(&name, NameUse::Field);
                }
                Rule::type_ref => ty = Some(self.type_ref(c)),
                Rule::field_attr => attributes.push(self.attribute(c, false)),
                _ => {}
            }
        }
        Field {
            docs,
            ty: ty.unwrap_or_else(|| named_type(name.clone())),
            name,
            attributes,
            span,
        }
    }

    pub(super) fn type_ref(&mut self, p: Pair<'a, Rule>) -> TypeRef {
        let span = self.span_of(&p);
        let mut name = None;
        let mut array = false;
        let mut optional = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::type_name => name = Some(TypeName::Named(self.ident(&c))),
                Rule::unsupported_type => {
                    let arg = c
                        .into_inner()
                        .find(|e| e.as_rule() == Rule::expr)
                        .map(|e| self.expr(e))
                        .unwrap_or_else(|| super::expr::null_at(span));
                    name = Some(TypeName::Unsupported(Box::new(arg)));
                }
                Rule::array_suffix => array = true,
                Rule::optional_suffix => optional = true,
                _ => {}
            }
        }
        TypeRef {
            name: name.unwrap_or_else(|| TypeName::Named(empty_ident(span))),
            array,
            optional,
            span,
        }
    }

    /// A field, model or internal attribute; `documented` for the `@@`
    /// attributes of a body, which may carry doc comments.
    pub(super) fn attribute(&mut self, p: Pair<'a, Rule>, documented: bool) -> Attribute {
        let span = self.span_of(&p);
        let docs = if documented {
            self.take_docs(span)
        } else {
            Vec::new()
        };
        let mut name = empty_ident(span);
        let mut args = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::field_attr_name | Rule::model_attr_name | Rule::internal_attr_name => {
                    name = self.ident(&c);
                }
                Rule::args => args = Some(self.args(c)),
                _ => {}
            }
        }
        Attribute {
            docs,
            name,
            args,
            span,
        }
    }

    /// The arguments of an `args` node: `(a, name: b)`.
    pub(super) fn args(&mut self, p: Pair<'a, Rule>) -> Vec<Arg> {
        self.args_d(p).0
    }

    /// The arguments and the depth of the deepest argument expression.
    pub(super) fn args_d(&mut self, p: Pair<'a, Rule>) -> (Vec<Arg>, u32) {
        let mut depth = 0;
        let mut out = Vec::new();
        for arg in p.into_inner().filter(|c| c.as_rule() == Rule::arg) {
            let span = self.span_of(&arg);
            let mut name = None;
            let mut value = None;
            for c in arg.into_inner() {
                match c.as_rule() {
                    Rule::arg_name => {
                        let n = self.ident(&c);
                        self.check_name(&n, NameUse::Argument);
                        name = Some(n);
                    }
                    Rule::expr => {
                        let (v, d) = self.expr_d(c);
                        depth = depth.max(d);
                        value = Some(v);
                    }
                    _ => {}
                }
            }
            out.push(Arg {
                name,
                value: value.unwrap_or_else(|| super::expr::null_at(span)),
                span,
            });
        }
        (out, depth)
    }

    pub(super) fn enum_decl(&mut self, p: Pair<'a, Rule>) -> Enum {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut name = empty_ident(span);
        let mut members = Vec::new();
        let mut open = None;
        let mut prev: Option<Span> = None;
        let mut bad_items = false;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::decl_name => name = self.decl_name(&c, "enum"),
                Rule::lbrace => open = Some(self.span_of(&c)),
                Rule::enum_value => {
                    let value = self.enum_value(c);
                    prev = Some(value.span);
                    members.push(EnumMember::Value(value));
                }
                Rule::model_attr => {
                    let attr = self.attribute(c, true);
                    prev = Some(attr.span);
                    members.push(EnumMember::Attribute(attr));
                }
                Rule::bad_enum_item => {
                    bad_items = true;
                    if self.bad_item(&c, BodyKind::Enum, prev) {
                        drop_broken_enum_tail(&mut members);
                    }
                }
                Rule::unclosed => self.unclosed("enum", &name, open),
                _ => {}
            }
        }
        // G-9: `enum E {}` is a parse error
        if members.is_empty() && !bad_items {
            self.error(
                Diagnostic::error(
                    Code::SYNTAX,
                    name.span,
                    format!("enum `{}` has no values", name.name),
                )
                .with_help("an enum needs at least one value"),
            );
        }
        Enum {
            docs,
            name,
            members,
            span,
        }
    }

    fn enum_value(&mut self, p: Pair<'a, Rule>) -> EnumValue {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut name = empty_ident(span);
        let mut attributes = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::field_name => {
                    name = self.ident(&c);
                    self.check_name(&name, NameUse::EnumValue);
                }
                Rule::field_attr => attributes.push(self.attribute(c, false)),
                _ => {}
            }
        }
        EnumValue {
            docs,
            name,
            attributes,
            span,
        }
    }
}

fn named_type(at: Ident) -> TypeRef {
    let span = Span::new(at.span.file, at.span.end as usize, at.span.end as usize);
    TypeRef {
        name: TypeName::Named(empty_ident(span)),
        array: false,
        optional: false,
        span,
    }
}

/// The member before a broken line parsed only up to where the line broke.
/// An attribute whose argument list broke (`@default(1e3)`) parsed as one
/// without arguments; it is dropped rather than checked, so the line gets
/// one error, not a second about missing arguments. The rest of the member
/// stays, so references to it do not cascade into more errors.
fn drop_broken_tail(members: &mut Vec<Member>) {
    match members.last_mut() {
        Some(Member::Field(field)) => pop_argless(&mut field.attributes),
        Some(Member::Attribute(attr)) if attr.args.is_none() => {
            members.pop();
        }
        _ => {}
    }
}

/// `drop_broken_tail` for enum bodies.
fn drop_broken_enum_tail(members: &mut Vec<EnumMember>) {
    match members.last_mut() {
        Some(EnumMember::Value(value)) => pop_argless(&mut value.attributes),
        Some(EnumMember::Attribute(attr)) if attr.args.is_none() => {
            members.pop();
        }
        _ => {}
    }
}

fn pop_argless(attributes: &mut Vec<Attribute>) {
    if attributes.last().is_some_and(|a| a.args.is_none()) {
        attributes.pop();
    }
}
