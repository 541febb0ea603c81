//! Pass 1: declarations into the schema, names into one namespace.
//!
//! Built-in declarations (the stdlib) are collected first and may be
//! redeclared by the user; two user declarations with one name are an error
//! (V-S6). Signatures of functions, attributes and procedures are resolved
//! here too, since they only need names.

use crate::model::{
    AttributeDecl, AttributeParam, Enum, EnumValue, ExpressionContext, Function, FunctionParam,
    Model, ParamType, ParamTypeKind, Procedure, Scalar, Schema,
};
use std::collections::HashMap;
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};
use zgen_syntax::ast::{self, Decl};

/// A top-level name and what it denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeclRef {
    Model(u32),
    Enum(u32),
    Function(u32),
    Attribute(u32),
    Procedure(u32),
    Config,
}

/// Declarations in the namespace plus the syntax they came from, for the
/// later passes.
#[derive(Default)]
pub(crate) struct Collected<'a> {
    pub names: HashMap<String, (DeclRef, Span, bool)>,
    pub model_asts: Vec<&'a ast::Model>,
    pub enum_asts: Vec<&'a ast::Enum>,
    pub function_asts: Vec<&'a ast::FunctionDecl>,
    pub attribute_asts: Vec<&'a ast::AttributeDecl>,
    pub procedure_asts: Vec<&'a ast::Procedure>,
    pub config_asts: Vec<&'a ast::ConfigBlock>,
}

impl<'a> Collected<'a> {
    /// Registers every declaration of `files`; `builtin` marks the stdlib.
    pub fn declare(
        &mut self,
        schema: &mut Schema,
        files: &'a [ast::SchemaFile],
        builtin: bool,
        diags: &mut Diagnostics,
    ) {
        for decl in files.iter().flat_map(|f| f.decls.iter()) {
            let name = decl.name();
            let r = match decl {
                Decl::Config(c) => {
                    self.config_asts.push(c);
                    // Config blocks live in their own namespace apart from
                    // clashes with each other.
                    DeclRef::Config
                }
                Decl::Model(m) => {
                    self.model_asts.push(m);
                    schema.models.push(Model {
                        name: m.name.name.clone(),
                        kind: m.kind,
                        docs: m.docs.clone(),
                        span: m.name.span,
                        mixins: Vec::new(),
                        base: None,
                        fields: Vec::new(),
                        attributes: Vec::new(),
                        rules: Vec::new(),
                    });
                    DeclRef::Model(schema.models.len() as u32 - 1)
                }
                Decl::Enum(e) => {
                    self.enum_asts.push(e);
                    report_duplicate_values(e, diags);
                    schema.enums.push(Enum {
                        name: e.name.name.clone(),
                        docs: e.docs.clone(),
                        span: e.name.span,
                        values: e
                            .members
                            .iter()
                            .filter_map(|m| match m {
                                ast::EnumMember::Value(v) => Some(EnumValue {
                                    name: v.name.name.clone(),
                                    span: v.name.span,
                                    attributes: Vec::new(),
                                }),
                                ast::EnumMember::Attribute(_) => None,
                            })
                            .collect(),
                        attributes: Vec::new(),
                        builtin,
                    });
                    DeclRef::Enum(schema.enums.len() as u32 - 1)
                }
                Decl::Function(f) => {
                    self.function_asts.push(f);
                    schema.functions.push(Function {
                        name: f.name.name.clone(),
                        docs: f.docs.clone(),
                        span: f.name.span,
                        params: Vec::new(),
                        return_type: unresolved_param(),
                        contexts: Vec::new(),
                        builtin,
                    });
                    DeclRef::Function(schema.functions.len() as u32 - 1)
                }
                Decl::Attribute(a) => {
                    self.attribute_asts.push(a);
                    schema.attributes.push(AttributeDecl {
                        name: a.name.name.clone(),
                        docs: a.docs.clone(),
                        span: a.name.span,
                        params: Vec::new(),
                        target_fields: Vec::new(),
                        once: false,
                        once_in_model: false,
                        deprecated: None,
                        validation: false,
                        builtin,
                    });
                    DeclRef::Attribute(schema.attributes.len() as u32 - 1)
                }
                Decl::Procedure(p) => {
                    self.procedure_asts.push(p);
                    schema.procedures.push(Procedure {
                        name: p.name.name.clone(),
                        mutation: p.mutation,
                        span: p.name.span,
                        params: Vec::new(),
                        return_type: unresolved_param(),
                    });
                    DeclRef::Procedure(schema.procedures.len() as u32 - 1)
                }
            };
            self.register(name, r, builtin, decl, diags);
        }
    }

    fn register(
        &mut self,
        name: &ast::Ident,
        r: DeclRef,
        builtin: bool,
        decl: &Decl,
        diags: &mut Diagnostics,
    ) {
        // Attributes live apart from other names (`@id` vs `id`), and config
        // blocks only clash with config blocks.
        let key = match (r, decl) {
            (DeclRef::Config, Decl::Config(c)) => format!("{} {}", c.kind.keyword(), name.name),
            _ => name.name.clone(),
        };
        match self.names.get(&key) {
            Some((_, first, false)) if !builtin => {
                diags.push(
                    Diagnostic::error(
                        Code::DUPLICATE_DECLARATION,
                        name.span,
                        format!("duplicated declaration name `{}`", name.name),
                    )
                    .with_secondary(*first, "first declared here")
                    .with_help("rename one of the declarations"),
                );
            }
            _ => {
                self.names.insert(key, (r, name.span, builtin));
            }
        }
    }

    pub fn lookup(&self, name: &str) -> Option<DeclRef> {
        self.names.get(name).map(|(r, _, _)| *r)
    }

    /// Resolves the signatures of functions, attributes and procedures.
    pub fn signatures(&self, schema: &mut Schema, diags: &mut Diagnostics) {
        for (i, f) in self.function_asts.iter().enumerate() {
            let params = f
                .params
                .iter()
                .map(|p| FunctionParam {
                    name: p.name.name.clone(),
                    ty: self.param_type(&p.ty, diags),
                })
                .collect();
            let return_type = self.param_type(&f.return_type, diags);
            let contexts = meta_values(&f.attributes, "@@@expressionContext")
                .filter_map(|v| ExpressionContext::parse(&v))
                .collect();
            if let Some(function) = schema.functions.get_mut(i) {
                function.params = params;
                function.return_type = return_type;
                function.contexts = contexts;
            }
        }
        for (i, a) in self.attribute_asts.iter().enumerate() {
            let params = a
                .params
                .iter()
                .map(|p| AttributeParam {
                    name: p.name.name.clone(),
                    positional: p.positional,
                    ty: self.param_type(&p.ty, diags),
                })
                .collect();
            if let Some(decl) = schema.attributes.get_mut(i) {
                decl.params = params;
                decl.target_fields = meta_values(&a.attributes, "@@@targetField").collect();
                decl.once = has_meta(&a.attributes, "@@@once");
                decl.once_in_model = has_meta(&a.attributes, "@@@onceInModel");
                decl.validation = has_meta(&a.attributes, "@@@validation");
                decl.deprecated = a
                    .attributes
                    .iter()
                    .find(|m| m.name.name == "@@@deprecated")
                    .map(|m| match m.args().first().map(|arg| &arg.value.kind) {
                        Some(ast::ExprKind::String(s)) => s.clone(),
                        _ => String::new(),
                    });
            }
        }
        for (i, p) in self.procedure_asts.iter().enumerate() {
            let params = p
                .params
                .iter()
                .map(|param| FunctionParam {
                    name: param.name.name.clone(),
                    ty: self.param_type(&param.ty, diags),
                })
                .collect();
            let return_type = self.param_type(&p.return_type, diags);
            if let Some(procedure) = schema.procedures.get_mut(i) {
                procedure.params = params;
                procedure.return_type = return_type;
            }
        }
    }

    /// A parameter or return type; unknown names are reported.
    pub fn param_type(&self, t: &ast::TypeRef, diags: &mut Diagnostics) -> ParamType {
        let kind = match &t.name {
            ast::TypeName::Unsupported(_) => ParamTypeKind::Unsupported,
            ast::TypeName::Named(n) => match n.name.as_str() {
                "Null" => ParamTypeKind::Null,
                "Object" => ParamTypeKind::Object,
                "Any" => ParamTypeKind::Any,
                "Void" => ParamTypeKind::Void,
                "Undefined" => ParamTypeKind::Undefined,
                "FieldReference" => ParamTypeKind::FieldReference,
                "TransitiveFieldReference" => ParamTypeKind::TransitiveFieldReference,
                "ContextType" => ParamTypeKind::ContextType,
                other => match (Scalar::parse(other), self.lookup(other)) {
                    (Some(s), _) => ParamTypeKind::Scalar(s),
                    (None, Some(DeclRef::Enum(e))) => ParamTypeKind::Enum(crate::model::EnumId(e)),
                    (None, Some(DeclRef::Model(m))) => {
                        ParamTypeKind::Model(crate::model::ModelId(m))
                    }
                    _ => {
                        diags.push(Diagnostic::error(
                            Code::UNRESOLVED_TYPE,
                            n.span,
                            format!("unknown type `{other}`"),
                        ));
                        ParamTypeKind::Unresolved
                    }
                },
            },
        };
        ParamType {
            kind,
            list: t.array,
            optional: t.optional,
        }
    }
}

fn unresolved_param() -> ParamType {
    ParamType {
        kind: ParamTypeKind::Unresolved,
        list: false,
        optional: false,
    }
}

fn has_meta(attrs: &[ast::Attribute], name: &str) -> bool {
    attrs.iter().any(|a| a.name.name == name)
}

/// The names listed in a meta-attribute: `@@@targetField([StringField, IntField])`.
fn meta_values<'b>(
    attrs: &'b [ast::Attribute],
    name: &'b str,
) -> impl Iterator<Item = String> + 'b {
    attrs
        .iter()
        .filter(move |a| a.name.name == name)
        .flat_map(|a| a.args().iter())
        .flat_map(|arg| match &arg.value.kind {
            ast::ExprKind::Array(items) => items.iter().collect::<Vec<_>>(),
            _ => vec![&arg.value],
        })
        .filter_map(|e| match &e.kind {
            ast::ExprKind::Ref { name, .. } => Some(name.name.clone()),
            _ => None,
        })
}

/// An enum value declared twice (V-D6 applied to enum members).
fn report_duplicate_values(e: &ast::Enum, diags: &mut Diagnostics) {
    let mut seen: HashMap<&str, Span> = HashMap::new();
    for m in &e.members {
        let ast::EnumMember::Value(v) = m else {
            continue;
        };
        match seen.get(v.name.name.as_str()) {
            Some(first) => diags.push(
                Diagnostic::error(
                    Code::DUPLICATE_FIELD,
                    v.name.span,
                    format!("duplicated declaration name `{}`", v.name.name),
                )
                .with_secondary(*first, "first declared here")
                .with_help("remove or rename one of the values"),
            ),
            None => {
                seen.insert(&v.name.name, v.name.span);
            }
        }
    }
}
