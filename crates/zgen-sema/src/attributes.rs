//! Pass 3: attribute applications bound to their declarations (V-A1, V-A2),
//! with every argument resolved and typed in the right scope.

use crate::expr::{Expr, ExprKind, Ty, TyKind};
use crate::model::{
    AttributeApp, AttributeId, BoundArg, ExpressionContext, FieldTypeKind, ModelId, ParamType,
    ParamTypeKind, Schema,
};
use crate::resolve::{arg_assignable, field_ty, is_iso_datetime, Resolver, Scope};
use std::collections::HashMap;
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, Span};
use zgen_syntax::ast;

/// What an attribute is applied to.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target {
    /// A field (`index` into the model's merged fields).
    Field { model: ModelId, index: u32 },
    /// A model-level `@@` attribute.
    Model(ModelId),
    /// An enum or enum value: no fields in scope.
    Enum,
}

impl Target {
    fn model(self) -> Option<ModelId> {
        match self {
            Target::Field { model, .. } | Target::Model(model) => Some(model),
            Target::Enum => None,
        }
    }
}

/// The function context an attribute's expressions are checked in (V-F2).
pub(crate) fn context_of(
    name: &str,
    decl: Option<&crate::model::AttributeDecl>,
) -> Option<ExpressionContext> {
    match name {
        "@default" => Some(ExpressionContext::DefaultValue),
        "@@allow" | "@@deny" | "@allow" | "@deny" => Some(ExpressionContext::AccessPolicy),
        "@@index" => Some(ExpressionContext::Index),
        _ if decl.is_some_and(|d| d.validation) || name == "@@validate" => {
            Some(ExpressionContext::ValidationRule)
        }
        _ => None,
    }
}

pub(crate) struct Binder<'s> {
    schema: &'s Schema,
    diags: &'s mut Diagnostics,
    /// Set when the schema declares a plugin zgen does not know: unknown
    /// attributes may be that plugin's, so they are only a warning.
    unknown_plugin: Option<String>,
    /// Attribute declarations by name (one lookup per application, of which
    /// a large schema has thousands).
    by_name: HashMap<&'s str, AttributeId>,
}

impl<'s> Binder<'s> {
    pub fn new(
        schema: &'s Schema,
        diags: &'s mut Diagnostics,
        unknown_plugin: Option<String>,
    ) -> Self {
        // User declarations come after built-ins and win over them.
        let by_name = schema
            .attributes
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.as_str(), AttributeId(i as u32)))
            .collect();
        Binder {
            schema,
            diags,
            unknown_plugin,
            by_name,
        }
    }

    fn attribute_id(&self, name: &str) -> Option<AttributeId> {
        self.by_name.get(name).copied()
    }

    pub fn bind(
        &mut self,
        attr: &ast::Attribute,
        target: Target,
        inherited_from: Option<ModelId>,
    ) -> AttributeApp {
        let decl_id = self.attribute_id(&attr.name.name);
        let schema = self.schema;
        let decl = decl_id.map(|id| schema.attribute(id));
        if decl.is_none() {
            self.report_unknown(&attr.name);
        }
        // `Scope` has private fields, so no struct-update syntax; enum
        // attributes have no model and no expression context.
        let context = context_of(&attr.name.name, decl);
        let mut scope = target
            .model()
            .map_or_else(Scope::default, |m| Scope::model(m, context));
        let params: &[crate::model::AttributeParam] = decl.map_or(&[], |d| &d.params);
        let binding = match decl {
            Some(_) => bind_params(params, attr.args(), self.diags, &attr.name),
            None => vec![None; attr.args().len()],
        };
        let mut args = Vec::new();
        for (arg, param_index) in attr.args().iter().zip(binding) {
            let param = param_index.and_then(|i| params.get(i));
            let value = self.resolve_arg(arg, param, target, &mut scope);
            // A policy condition's type has its own code (V-P2, validate/policy.rs).
            let policy_condition = param_index == Some(1)
                && matches!(
                    attr.name.name.as_str(),
                    "@@allow" | "@@deny" | "@allow" | "@deny"
                );
            if let Some(param) = param.filter(|_| !policy_condition) {
                self.check_arg(&value, &param.ty, target, &attr.name.name);
            }
            args.push(BoundArg {
                param: param_index,
                param_name: param.map(|p| p.name.clone()),
                value,
                span: arg.span,
            });
        }
        if let (Some(decl), Target::Field { model, index }) = (decl, target) {
            self.check_target(decl, model, index, attr);
        }
        AttributeApp {
            name: attr.name.name.clone(),
            decl: decl_id,
            args,
            span: attr.span,
            name_span: attr.name.span,
            inherited_from,
        }
    }

    fn report_unknown(&mut self, name: &ast::Ident) {
        let message = format!("unknown attribute `{}`", name.name);
        let d = match &self.unknown_plugin {
            Some(plugin) => Diagnostic::warning(Code::UNRESOLVED_ATTRIBUTE, name.span, message)
                .with_help(format!(
                "it may be declared by plugin `{plugin}`, which zgen does not load; it is ignored"
            )),
            None => Diagnostic::error(Code::UNRESOLVED_ATTRIBUTE, name.span, message)
                .with_help("declare it with `attribute`, or check the spelling"),
        };
        self.diags.push(d);
    }

    fn resolve_arg(
        &mut self,
        arg: &ast::Arg,
        param: Option<&crate::model::AttributeParam>,
        target: Target,
        scope: &mut Scope,
    ) -> Expr {
        let mut local = scope.clone();
        match param.map(|p| &p.ty.kind) {
            Some(ParamTypeKind::Enum(e)) => local.preferred_enum = Some(*e),
            Some(ParamTypeKind::ContextType) => {
                if let Some(FieldTypeKind::Enum(e)) = self.field_kind(target) {
                    local.preferred_enum = Some(e);
                }
            }
            Some(ParamTypeKind::TransitiveFieldReference) => {
                // `references:` name fields of the related model.
                if let Some(FieldTypeKind::Model(m)) = self.field_kind(target) {
                    local.this = Some(m);
                }
            }
            _ => {}
        }
        let mut resolver = Resolver::new(self.schema, self.diags);
        resolver.expr(&arg.value, &mut local)
    }

    fn field_kind(&self, target: Target) -> Option<FieldTypeKind> {
        match target {
            Target::Field { model, index } => self
                .schema
                .models
                .get(model.index())
                .and_then(|m| m.fields.get(index as usize))
                .map(|f| f.ty.kind.clone()),
            _ => None,
        }
    }

    fn context_ty(&self, target: Target) -> Option<Ty> {
        match target {
            Target::Field { model, index } => self
                .schema
                .models
                .get(model.index())
                .and_then(|m| m.fields.get(index as usize))
                .map(|f| field_ty(&f.ty)),
            _ => None,
        }
    }

    /// Argument against parameter type (V-A2's type messages).
    fn check_arg(&mut self, value: &Expr, ty: &ParamType, target: Target, attr: &str) {
        if value.ty.is_unresolved() {
            return;
        }
        let bad =
            |message: &str| Diagnostic::error(Code::ARGUMENT_TYPE, value.span, message.to_string());
        match &ty.kind {
            ParamTypeKind::FieldReference | ParamTypeKind::TransitiveFieldReference => {
                let is_ref = |e: &Expr| e.as_field().is_some();
                if ty.list {
                    match &value.kind {
                        ExprKind::Array(items) if items.iter().all(is_ref) => {}
                        _ => self
                            .diags
                            .push(bad("expected an array of field references")),
                    }
                } else if !is_ref(value) {
                    self.diags.push(bad("expected a field reference"));
                }
            }
            ParamTypeKind::ContextType => {
                let Some(want) = self.context_ty(target) else {
                    return;
                };
                if let Some(message) = default_mismatch(want, value) {
                    self.diags.push(
                        bad(&message).with_help(format!("`{attr}` must match the field's type")),
                    );
                }
            }
            _ => {
                if ty.list && !value.ty.list && !value.ty.is_any() {
                    self.diags.push(bad("expected array"));
                } else if !ty.list && value.ty.list && !value.ty.is_any() {
                    self.diags.push(bad("expected non-array"));
                } else if !arg_assignable(ty, value) {
                    self.diags.push(bad("invalid argument type"));
                }
            }
        }
    }

    /// `@@@targetField` restrictions (V-A1).
    fn check_target(
        &mut self,
        decl: &crate::model::AttributeDecl,
        model: ModelId,
        index: u32,
        attr: &ast::Attribute,
    ) {
        if decl.target_fields.is_empty() {
            return;
        }
        let Some(field) = self
            .schema
            .models
            .get(model.index())
            .and_then(|m| m.fields.get(index as usize))
        else {
            return;
        };
        // The target names are the kind followed by `Field` (`StringField`).
        let kind = match &field.ty.kind {
            FieldTypeKind::Scalar(s) => s.name(),
            FieldTypeKind::Enum(_) => "Enum",
            FieldTypeKind::Model(_) => "Model",
            FieldTypeKind::TypeDef(_) => "TypeDef",
            FieldTypeKind::Unsupported(_) => "Unsupported",
            FieldTypeKind::Unresolved => return,
        };
        let allowed = decl
            .target_fields
            .iter()
            .any(|t| t.strip_suffix("Field") == Some(kind) || (field.ty.list && t == "ListField"));
        if !allowed {
            self.diags.push(
                Diagnostic::error(
                    Code::ATTRIBUTE_TARGET,
                    attr.name.span,
                    format!(
                        "attribute `{}` cannot be used on this type of field",
                        attr.name.name
                    ),
                )
                .with_help(format!("it applies to: {}", decl.target_fields.join(", "))),
            );
        }
    }
}

/// Why a `@default` value does not fit a field of type `want`, if it doesn't.
fn default_mismatch(want: Ty, value: &Expr) -> Option<String> {
    if want.is_unresolved() || value.ty.is_any() {
        return None;
    }
    // A Json default is a string holding JSON (for `Json[]`, an array of them).
    if want.kind == TyKind::Scalar(crate::model::Scalar::Json) {
        let is_json = |e: &Expr| {
            e.as_string()
                .is_some_and(|s| serde_json::from_str::<serde_json::Value>(s).is_ok())
        };
        let ok = match &value.kind {
            ExprKind::Array(items) if want.list => items.iter().all(is_json),
            _ => is_json(value),
        };
        return (!ok).then(|| "expected a JSON string literal".to_string());
    }
    if value.ty.kind == TyKind::Null {
        return None;
    }
    if want.list != value.ty.list {
        return Some(if want.list {
            "expected array".into()
        } else {
            "expected non-array".into()
        });
    }
    if want.kind == TyKind::Scalar(crate::model::Scalar::DateTime) && is_iso_datetime(value) {
        return None;
    }
    if matches!(want.kind, TyKind::Enum(_))
        && matches!(value.ty.kind, TyKind::Enum(_))
        && want.kind != value.ty.kind
    {
        return Some("invalid argument type".into());
    }
    let fits = crate::expr::assignable(want.checker_kind(), value.ty.checker_kind());
    (!fits).then(|| "invalid argument type".to_string())
}

/// Binds written arguments to parameters (V-A2). Returns, per argument, the
/// index of its parameter.
fn bind_params(
    params: &[crate::model::AttributeParam],
    args: &[ast::Arg],
    diags: &mut Diagnostics,
    attr: &ast::Ident,
) -> Vec<Option<usize>> {
    let mut provided = vec![false; params.len()];
    let mut next_positional = 0;
    let mut binding = Vec::with_capacity(args.len());
    for arg in args {
        let index = match &arg.name {
            Some(name) => match params.iter().position(|p| p.name == name.name) {
                Some(i) => Some(i),
                None => {
                    diags.push(Diagnostic::error(
                        Code::ATTRIBUTE_ARGUMENTS,
                        name.span,
                        format!(
                            "attribute `{}` doesn't have a parameter named `{}`",
                            attr.name, name.name
                        ),
                    ));
                    None
                }
            },
            None => {
                let slot = params.get(next_positional).filter(|p| p.positional);
                next_positional += 1;
                match slot {
                    Some(_) => Some(next_positional - 1),
                    None => {
                        diags.push(unexpected_unnamed(arg.span, attr, params));
                        None
                    }
                }
            }
        };
        if let Some(i) = index {
            if provided.get(i).copied().unwrap_or(false) {
                let name = params.get(i).map(|p| p.name.as_str()).unwrap_or_default();
                diags.push(Diagnostic::error(
                    Code::ATTRIBUTE_ARGUMENTS,
                    arg.span,
                    format!("parameter `{name}` is already provided"),
                ));
                binding.push(None);
                continue;
            }
            if let Some(p) = provided.get_mut(i) {
                *p = true;
            }
        }
        binding.push(index);
    }
    let missing: Vec<&str> = params
        .iter()
        .zip(&provided)
        .filter(|(p, given)| !**given && !p.ty.optional)
        .map(|(p, _)| p.name.as_str())
        .collect();
    if !missing.is_empty() {
        diags.push(Diagnostic::error(
            Code::ATTRIBUTE_ARGUMENTS,
            attr.span,
            format!("required parameter(s) not provided: {}", missing.join(", ")),
        ));
    }
    binding
}

fn unexpected_unnamed(
    span: Span,
    attr: &ast::Ident,
    params: &[crate::model::AttributeParam],
) -> Diagnostic {
    if attr.name == "@allow" || attr.name == "@deny" {
        // v2's `override` flag: accepted and ignored, with a warning (P-165).
        return Diagnostic::warning(
            Code::OVERRIDE_ARGUMENT,
            span,
            "the `override` argument is v2 syntax and is ignored",
        )
        .with_help("v3 has no field-level override; combine the conditions into one rule instead");
    }
    let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
    Diagnostic::error(
        Code::ATTRIBUTE_ARGUMENTS,
        span,
        "unexpected unnamed argument",
    )
    .with_help(format!("`{}` takes: {}", attr.name, names.join(", ")))
}
