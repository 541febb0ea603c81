//! Pass 2: mixins, delegate bases and the merged field list of every model
//! (I-1, I-2, V-D6, V-D7, G-10), with field types resolved.

use crate::collect::{Collected, DeclRef};
use crate::model::{
    EnumId, Field, FieldType, FieldTypeKind, ModelId, ModelKind, Relation, Scalar, Schema,
};
use zgen_diagnostics::{Code, Diagnostic, Diagnostics};
use zgen_syntax::ast;

/// Where a merged member comes from: its syntax and the declaring model
/// when inherited.
pub(crate) struct Origin<'a, T> {
    pub node: &'a T,
    pub inherited_from: Option<ModelId>,
}

// Written by hand: a derive would demand `T: Clone`.
impl<T> Clone for Origin<'_, T> {
    fn clone(&self) -> Self {
        Origin {
            node: self.node,
            inherited_from: self.inherited_from,
        }
    }
}

/// The syntax behind each model's merged fields and model attributes,
/// aligned with `Model::fields` and in application order.
pub(crate) struct Members<'a> {
    pub fields: Vec<Vec<Origin<'a, ast::Field>>>,
    pub attributes: Vec<Vec<Origin<'a, ast::Attribute>>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Visit {
    New,
    Active,
    Done,
}

/// Model attributes a sub-model does not take from its delegate base (I-2).
const NOT_INHERITED_FROM_BASE: &[&str] = &["@@map", "@@unique", "@@index", "@@delegate", "@@id"];

pub(crate) fn resolve<'a>(
    schema: &mut Schema,
    collected: &Collected<'a>,
    diags: &mut Diagnostics,
) -> Members<'a> {
    link_parents(schema, collected, diags);
    let count = schema.models.len();
    let mut members = Members {
        fields: (0..count).map(|_| Vec::new()).collect(),
        attributes: (0..count).map(|_| Vec::new()).collect(),
    };
    let mut state = vec![Visit::New; count];
    for id in 0..count {
        merge(
            ModelId(id as u32),
            schema,
            collected,
            &mut members,
            &mut state,
            diags,
        );
    }
    for (model_index, origins) in members.fields.iter().enumerate() {
        let fields = origins
            .iter()
            .map(|o| make_field(o, collected, schema, diags))
            .collect();
        if let Some(model) = schema.models.get_mut(model_index) {
            model.fields = fields;
        }
    }
    members
}

/// Resolves `with` and `extends` names into mixins and delegate bases.
fn link_parents(schema: &mut Schema, collected: &Collected<'_>, diags: &mut Diagnostics) {
    for (index, m) in collected.model_asts.iter().enumerate() {
        let mut mixins = Vec::new();
        let mut base = None;
        for name in &m.mixins {
            match collected.lookup(&name.name) {
                Some(DeclRef::Model(p)) if is_mixin_kind(collected, p) => mixins.push(ModelId(p)),
                Some(_) => diags.push(
                    Diagnostic::error(
                        Code::INVALID_MIXIN,
                        name.span,
                        format!("`{}` is not a type and cannot be mixed in", name.name),
                    )
                    .with_help("only `type` declarations can follow `with`"),
                ),
                None => diags.push(Diagnostic::error(
                    Code::UNRESOLVED_TYPE,
                    name.span,
                    format!("unknown type `{}`", name.name),
                )),
            }
        }
        for name in &m.extends {
            match collected.lookup(&name.name) {
                Some(DeclRef::Model(p)) if is_abstract(collected, p) => {
                    diags.push(
                        Diagnostic::warning(
                            Code::ABSTRACT_MODEL,
                            name.span,
                            format!("extending abstract model `{}` is v2 syntax", name.name),
                        )
                        .with_help(format!(
                            "declare `{}` as a `type` and write `with {}`",
                            name.name, name.name
                        )),
                    );
                    mixins.push(ModelId(p));
                }
                Some(DeclRef::Model(p)) if is_delegate(collected, p) && base.is_none() => {
                    base = Some(ModelId(p))
                }
                Some(DeclRef::Model(_)) => diags.push(
                    Diagnostic::error(
                        Code::INVALID_EXTENDS,
                        name.span,
                        format!(
                            "model `{}` cannot be extended because it's not a delegate model",
                            name.name
                        ),
                    )
                    .with_help(format!(
                        "add `@@delegate(...)` to `{}`, or mix a `type` in with `with`",
                        name.name
                    )),
                ),
                _ => diags.push(Diagnostic::error(
                    Code::UNRESOLVED_TYPE,
                    name.span,
                    format!("unknown model `{}`", name.name),
                )),
            }
        }
        if m.kind == ModelKind::AbstractModel {
            diags.push(
                Diagnostic::warning(
                    Code::ABSTRACT_MODEL,
                    m.keyword_span,
                    "`abstract model` is v2 syntax",
                )
                .with_help(format!(
                    "declare `type {}` and mix it in with `with {}`",
                    m.name.name, m.name.name
                )),
            );
        }
        if let Some(model) = schema.models.get_mut(index) {
            model.mixins = mixins;
            model.base = base;
        }
    }
}

fn kind_of(collected: &Collected<'_>, id: u32) -> Option<ModelKind> {
    collected.model_asts.get(id as usize).map(|m| m.kind)
}

fn is_mixin_kind(collected: &Collected<'_>, id: u32) -> bool {
    matches!(
        kind_of(collected, id),
        Some(ModelKind::Type | ModelKind::AbstractModel)
    )
}

fn is_abstract(collected: &Collected<'_>, id: u32) -> bool {
    kind_of(collected, id) == Some(ModelKind::AbstractModel)
}

fn is_delegate(collected: &Collected<'_>, id: u32) -> bool {
    collected
        .model_asts
        .get(id as usize)
        .is_some_and(|m| m.attributes().any(|a| a.name.name == "@@delegate"))
}

/// Depth-first merge of a model's parents into its member lists.
fn merge<'a>(
    id: ModelId,
    schema: &mut Schema,
    collected: &Collected<'a>,
    members: &mut Members<'a>,
    state: &mut [Visit],
    diags: &mut Diagnostics,
) {
    match state.get(id.index()) {
        Some(Visit::New) => {}
        _ => return,
    }
    state[id.index()] = Visit::Active;
    let Some(ast_model) = collected.model_asts.get(id.index()).copied() else {
        return;
    };
    let base = schema.model(id).base;
    let mixins = schema.model(id).mixins.clone();
    let mut fields: Vec<Origin<'a, ast::Field>> = Vec::new();
    let mut attributes: Vec<Origin<'a, ast::Attribute>> = Vec::new();
    let parents = base
        .into_iter()
        .map(|b| (b, true))
        .chain(mixins.into_iter().map(|m| (m, false)));
    for (parent, is_base) in parents {
        if state.get(parent.index()) == Some(&Visit::Active) {
            let (code, what) = if is_base {
                (Code::INVALID_EXTENDS, "cyclic inheritance")
            } else {
                (Code::CYCLIC_MIXIN, "cyclic mixin")
            };
            let parent_name = schema.model(parent).name.clone();
            diags.push(
                Diagnostic::error(code, schema.model(id).span, format!("{what} detected"))
                    .with_label(format!(
                        "`{}` includes `{parent_name}`, which includes it back",
                        ast_model.name.name
                    )),
            );
            if is_base {
                schema.models[id.index()].base = None;
            } else {
                schema.models[id.index()].mixins.retain(|m| *m != parent);
            }
            continue;
        }
        merge(parent, schema, collected, members, state, diags);
        let declaring = |inherited: Option<ModelId>| Some(inherited.unwrap_or(parent));
        fields.extend(members.fields[parent.index()].iter().map(|o| Origin {
            node: o.node,
            inherited_from: declaring(o.inherited_from),
        }));
        attributes.extend(
            members.attributes[parent.index()]
                .iter()
                .filter(|o| {
                    !is_base || !NOT_INHERITED_FROM_BASE.contains(&o.node.name.name.as_str())
                })
                .map(|o| Origin {
                    node: o.node,
                    inherited_from: declaring(o.inherited_from),
                }),
        );
    }
    fields.extend(ast_model.fields().map(|node| Origin {
        node,
        inherited_from: None,
    }));
    attributes.extend(ast_model.attributes().map(|node| Origin {
        node,
        inherited_from: None,
    }));
    if report_duplicate_fields(&fields, ast_model, diags) {
        dedup_by_name(&mut fields);
    }
    members.fields[id.index()] = fields;
    members.attributes[id.index()] = attributes;
    state[id.index()] = Visit::Done;
}

/// Whether there was a duplicate.
fn report_duplicate_fields(
    fields: &[Origin<'_, ast::Field>],
    model: &ast::Model,
    diags: &mut Diagnostics,
) -> bool {
    let mut found = false;
    // first field of each name (a scan per field was quadratic)
    let mut firsts: std::collections::HashMap<&str, &ast::Field> =
        std::collections::HashMap::with_capacity(fields.len());
    for f in fields {
        let first = match firsts.entry(f.node.name.name.as_str()) {
            std::collections::hash_map::Entry::Occupied(e) => *e.get(),
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(f.node);
                continue;
            }
        };
        found = true;
        // Report at the model's own declaration when the clash is inherited.
        let span = if f.inherited_from.is_none() {
            f.node.name.span
        } else {
            model.name.span
        };
        diags.push(
            Diagnostic::error(
                Code::DUPLICATE_FIELD,
                span,
                format!("duplicated declaration name `{}`", f.node.name.name),
            )
            .with_secondary(first.name.span, "also declared here"),
        );
    }
    found
}

/// Keeps the first field of each name, so lookups stay unambiguous.
fn dedup_by_name(fields: &mut Vec<Origin<'_, ast::Field>>) {
    let mut seen = std::collections::HashSet::with_capacity(fields.len());
    fields.retain(|o| seen.insert(o.node.name.name.as_str()));
}

fn make_field(
    o: &Origin<'_, ast::Field>,
    collected: &Collected<'_>,
    schema: &Schema,
    diags: &mut Diagnostics,
) -> Field {
    let f = o.node;
    // Types of inherited fields were reported at their declaration.
    let mut sink = Diagnostics::new();
    let report = if o.inherited_from.is_none() {
        &mut *diags
    } else {
        &mut sink
    };
    let kind = field_type_kind(&f.ty, collected, schema, report);
    Field {
        name: f.name.name.clone(),
        docs: f.docs.clone(),
        span: f.name.span,
        type_span: f.ty.span,
        ty: FieldType {
            kind,
            list: f.ty.array,
            optional: f.ty.optional,
        },
        attributes: Vec::new(),
        inherited_from: o.inherited_from,
        relation: None::<Relation>,
        rules: Vec::new(),
    }
}

fn field_type_kind(
    t: &ast::TypeRef,
    collected: &Collected<'_>,
    schema: &Schema,
    diags: &mut Diagnostics,
) -> FieldTypeKind {
    match &t.name {
        ast::TypeName::Unsupported(arg) => match &arg.kind {
            ast::ExprKind::String(s) => FieldTypeKind::Unsupported(s.clone()),
            _ => {
                diags.push(Diagnostic::error(
                    Code::INVALID_FIELD_TYPE,
                    arg.span,
                    "the argument of `Unsupported` must be a string literal",
                ));
                FieldTypeKind::Unsupported(String::new())
            }
        },
        ast::TypeName::Named(n) => {
            if let Some(s) = Scalar::parse(&n.name) {
                return FieldTypeKind::Scalar(s);
            }
            match collected.lookup(&n.name) {
                Some(DeclRef::Enum(e)) => FieldTypeKind::Enum(EnumId(e)),
                Some(DeclRef::Model(m)) => match schema.models.get(m as usize).map(|x| x.kind) {
                    Some(ModelKind::Model | ModelKind::View) => FieldTypeKind::Model(ModelId(m)),
                    _ => FieldTypeKind::TypeDef(ModelId(m)),
                },
                _ => {
                    diags.push(
                        Diagnostic::error(
                            Code::UNRESOLVED_TYPE,
                            n.span,
                            format!("unknown type `{}`", n.name),
                        )
                        .with_help("use a scalar type, or the name of a model, type or enum"),
                    );
                    FieldTypeKind::Unresolved
                }
            }
        }
    }
}
