//! Top level: imports, declaration dispatch, config blocks, functions,
//! attribute declarations and procedures.

use pest::iterators::Pair;
use pest::Parser as _;
use zgen_diagnostics::{Code, Diagnostic, Span};

use super::expr::unescape;
use super::names::NameUse;
use super::recovery::BodyKind;
use super::{guard, Lower, Rule, ZModelParser};
use crate::ast::{
    AttributeDecl, AttributeParam, ConfigBlock, ConfigField, ConfigKind, Decl, FunctionDecl, Ident,
    Import, Param, Procedure, SchemaFile, TypeName, TypeRef,
};
use crate::comments::Scan;

impl<'a> Lower<'a> {
    pub(super) fn schema(&mut self, pair: Pair<'a, Rule>, out: &mut SchemaFile) {
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::import_stmt => {
                    let import = self.import(p);
                    if let Some(first) = self.first_decl {
                        self.error(
                            Diagnostic::error(
                                Code::IMPORT_ORDER,
                                import.span,
                                "imports must come before declarations",
                            )
                            .with_secondary(first, "first declaration")
                            .with_help("move this `import` to the top of the file"),
                        );
                    }
                    out.imports.push(import);
                }
                Rule::bad_decl => self.bad_decl(&p),
                Rule::EOI => {}
                _ => {
                    if let Some(decl) = self.decl(p) {
                        self.first_decl.get_or_insert(decl.span());
                        out.decls.push(decl);
                    }
                }
            }
        }
    }

    /// Lowers one declaration; `None` when it had to be skipped.
    fn decl(&mut self, p: Pair<'a, Rule>) -> Option<Decl> {
        self.too_deep = None;
        let span = self.span_of(&p);
        let decl = match p.as_rule() {
            Rule::config_decl => Decl::Config(self.config(p)),
            Rule::model_decl => Decl::Model(self.model(p)),
            Rule::enum_decl => Decl::Enum(self.enum_decl(p)),
            Rule::function_decl => Decl::Function(self.function(p)),
            Rule::attribute_decl => Decl::Attribute(self.attribute_decl(p)),
            Rule::procedure_decl => Decl::Procedure(self.procedure(p)),
            _ => return None,
        };
        if let Some(at) = self.too_deep.take() {
            self.error(guard::too_deep_tree(at));
            self.mark_error(span);
            return None;
        }
        Some(decl)
    }

    fn import(&mut self, p: Pair<'a, Rule>) -> Import {
        let span = self.span_of(&p);
        let (path, path_span) = p
            .into_inner()
            .find(|c| c.as_rule() == Rule::string)
            .map(|s| (unescape(s.as_str()), self.span_of(&s)))
            .unwrap_or_default();
        Import {
            path,
            path_span,
            span,
        }
    }

    /// The `decl_name` child as an identifier, checked for `keyword`.
    pub(super) fn decl_name(&mut self, p: &Pair<'a, Rule>, keyword: &'static str) -> Ident {
        let name = self.ident(p);
        self.check_name(&name, NameUse::Declaration(keyword));
        name
    }

    fn config(&mut self, p: Pair<'a, Rule>) -> ConfigBlock {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut kind = ConfigKind::Datasource;
        let mut name = empty_ident(span);
        let mut fields = Vec::new();
        let mut open = None;
        let mut prev: Option<Span> = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::config_keyword => {
                    kind = match c.as_str() {
                        "generator" => ConfigKind::Generator,
                        "plugin" => ConfigKind::Plugin,
                        _ => ConfigKind::Datasource,
                    }
                }
                Rule::decl_name => name = self.decl_name(&c, kind.keyword()),
                Rule::lbrace => open = Some(self.span_of(&c)),
                Rule::config_field => {
                    let field = self.config_field(c);
                    prev = Some(field.span);
                    fields.push(field);
                }
                Rule::bad_config => {
                    // a setting cut off mid-value keeps what parsed of it
                    let _ = self.bad_item(&c, BodyKind::Config, prev);
                }
                Rule::unclosed => self.unclosed(kind.keyword(), &name, open),
                _ => {}
            }
        }
        ConfigBlock {
            docs,
            kind,
            name,
            fields,
            span,
        }
    }

    fn config_field(&mut self, p: Pair<'a, Rule>) -> ConfigField {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut name = empty_ident(span);
        let mut value = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::field_name => {
                    name = self.ident(&c);
                    self.check_name(&name, NameUse::ConfigField);
                }
                Rule::expr => value = Some(self.expr(c)),
                _ => {}
            }
        }
        ConfigField {
            docs,
            name,
            value: value.unwrap_or_else(|| super::expr::null_at(span)),
            span,
        }
    }

    fn function(&mut self, p: Pair<'a, Rule>) -> FunctionDecl {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut name = empty_ident(span);
        let mut params = Vec::new();
        let mut return_type = None;
        let mut body = None;
        let mut attributes = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::decl_name => name = self.decl_name(&c, "function"),
                Rule::param => params.push(self.param(c)),
                Rule::type_ref => return_type = Some(self.type_ref(c)),
                Rule::expr => body = Some(self.expr(c)),
                Rule::internal_attr => attributes.push(self.attribute(c, false)),
                _ => {}
            }
        }
        FunctionDecl {
            docs,
            name,
            params,
            return_type: return_type.unwrap_or_else(|| void_type(span)),
            body,
            attributes,
            span,
        }
    }

    fn param(&mut self, p: Pair<'a, Rule>) -> Param {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut name = empty_ident(span);
        let mut ty = None;
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::param_name => {
                    name = self.ident(&c);
                    self.check_name(&name, NameUse::Parameter);
                }
                Rule::type_ref => ty = Some(self.type_ref(c)),
                _ => {}
            }
        }
        Param {
            docs,
            name,
            ty: ty.unwrap_or_else(|| void_type(span)),
            span,
        }
    }

    fn attribute_decl(&mut self, p: Pair<'a, Rule>) -> AttributeDecl {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut name = empty_ident(span);
        let mut params = Vec::new();
        let mut attributes = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::any_attr_name => name = self.ident(&c),
                Rule::attr_param => params.push(self.attr_param(c)),
                Rule::internal_attr => attributes.push(self.attribute(c, false)),
                _ => {}
            }
        }
        AttributeDecl {
            docs,
            name,
            params,
            attributes,
            span,
        }
    }

    fn attr_param(&mut self, p: Pair<'a, Rule>) -> AttributeParam {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut positional = false;
        let mut name = empty_ident(span);
        let mut ty = None;
        let mut attributes = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::positional_marker => positional = true,
                Rule::param_name => {
                    name = self.ident(&c);
                    self.check_name(&name, NameUse::Parameter);
                }
                Rule::type_ref => ty = Some(self.type_ref(c)),
                Rule::internal_attr => attributes.push(self.attribute(c, false)),
                _ => {}
            }
        }
        AttributeParam {
            docs,
            positional,
            name,
            ty: ty.unwrap_or_else(|| void_type(span)),
            attributes,
            span,
        }
    }

    fn procedure(&mut self, p: Pair<'a, Rule>) -> Procedure {
        let span = self.span_of(&p);
        let docs = self.take_docs(span);
        let mut mutation = false;
        let mut name = empty_ident(span);
        let mut params = Vec::new();
        let mut return_type = None;
        let mut attributes = Vec::new();
        for c in p.into_inner() {
            match c.as_rule() {
                Rule::kw_mutation => mutation = true,
                Rule::decl_name => name = self.decl_name(&c, "procedure"),
                Rule::param => params.push(self.param(c)),
                Rule::type_ref => return_type = Some(self.type_ref(c)),
                Rule::internal_attr => attributes.push(self.attribute(c, false)),
                _ => {}
            }
        }
        Procedure {
            docs,
            mutation,
            name,
            params,
            return_type: return_type.unwrap_or_else(|| void_type(span)),
            attributes,
            span,
        }
    }

    /// Fallback when the whole file fails to parse (which the catch-all
    /// rules make rare: in practice only pest's own stack guard): each
    /// declaration-sized chunk is parsed on its own.
    pub(super) fn parse_in_chunks(
        &mut self,
        scan: &Scan,
        whole: pest::error::Error<Rule>,
        out: &mut SchemaFile,
    ) {
        let text = self.text;
        let mut bounds = guard::decl_starts(text, scan);
        if bounds.first() != Some(&0) {
            bounds.insert(0, 0);
        }
        bounds.push(text.len());
        let mut any_failed = false;
        for w in bounds.windows(2) {
            let (start, end) = match w {
                [s, e] => (*s, *e),
                _ => continue,
            };
            let Some(chunk) = text.get(start..end) else {
                continue;
            };
            self.base = start;
            match ZModelParser::parse(Rule::schema, chunk) {
                Ok(pairs) => {
                    for pair in pairs {
                        self.schema(pair, out);
                    }
                }
                Err(err) => {
                    any_failed = true;
                    self.hard_error(&err, chunk, start);
                }
            }
        }
        self.base = 0;
        if !any_failed {
            // the chunks parsed although the whole did not: still say so
            self.hard_error(&whole, text, 0);
        }
    }
}

pub(super) fn empty_ident(at: Span) -> Ident {
    Ident {
        name: String::new(),
        span: Span::new(at.file, at.start as usize, at.start as usize),
    }
}

fn void_type(at: Span) -> TypeRef {
    let span = Span::new(at.file, at.end as usize, at.end as usize);
    TypeRef {
        name: TypeName::Named(Ident {
            name: "Void".into(),
            span,
        }),
        array: false,
        optional: false,
        span,
    }
}
