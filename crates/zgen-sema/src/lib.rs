//! The checked ZModel schema: name resolution, typing, validation and
//! security lints.
//!
//! Architecture invariant: analysis never fails. [`analyze`] always returns a
//! [`Schema`] holding whatever could be resolved, plus diagnostics. The passes
//! run in a fixed order, each reading what the previous ones resolved:
//!
//! 1. `collect`: declarations and names (built-ins first);
//! 2. `members`: mixins, delegate bases, merged fields, field types;
//! 3. `attributes`: attribute arguments bound and typed; policy rules;
//! 4. `relations`: relation pairing and foreign keys;
//! 5. `validate`: the V-* rules of the spec;
//! 6. `lints`: security lints (warnings).

mod attributes;
mod collect;
mod config;
pub mod expr;
mod lints;
mod members;
pub mod model;
mod relations;
mod resolve;
mod rules;
pub mod stdlib;
mod validate;

pub use model::*;
pub use rules::parse_operations;

use attributes::{Binder, Target};
use collect::Collected;
use zgen_diagnostics::{Code, Diagnostic, Diagnostics};
use zgen_syntax::{ast, LoadedSchema};

/// The result of checking a loaded schema.
#[derive(Debug)]
pub struct Analysis {
    pub schema: Schema,
    /// Loader, parser and semantic diagnostics, sorted by position.
    pub diagnostics: Diagnostics,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.has_errors()
    }
}

/// Checks a loaded schema.
pub fn analyze(loaded: &LoadedSchema) -> Analysis {
    let mut diags = loaded.diagnostics.clone();
    let mut schema = Schema::default();
    let mut collected = Collected::default();
    // Built-ins are trusted: their own diagnostics would point nowhere.
    let mut builtin_diags = Diagnostics::new();
    collected.declare(&mut schema, stdlib::files(), true, &mut builtin_diags);
    collected.declare(&mut schema, &loaded.files, false, &mut diags);
    collected.signatures(&mut schema, &mut diags);
    config::resolve(&mut schema, &collected, &mut diags);
    schema.auth = find_auth(&collected, &mut diags);

    let members = members::resolve(&mut schema, &collected, &mut diags);
    bind_attributes(&mut schema, &collected, &members, &mut diags);
    relations::resolve(&mut schema, &collected, &mut diags);
    validate::run(&schema, &collected, &mut diags);
    lints::run(&schema, &collected, &loaded.sources, &mut diags);

    diags.sort();
    Analysis {
        schema,
        diagnostics: diags,
    }
}

/// The auth type: the one declaration with `@@auth`, else `User`.
fn find_auth(collected: &Collected<'_>, diags: &mut Diagnostics) -> Option<ModelId> {
    let marked: Vec<(usize, &ast::Attribute)> = collected
        .model_asts
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            m.attributes()
                .find(|a| a.name.name == "@@auth")
                .map(|a| (i, a))
        })
        .collect();
    for (_, extra) in marked.iter().skip(1) {
        diags.push(
            Diagnostic::error(
                Code::MULTIPLE_AUTH,
                extra.span,
                "multiple `@@auth` declarations are not allowed",
            )
            .with_help("keep `@@auth` on the one model or type that describes the signed-in user"),
        );
    }
    if let Some((i, _)) = marked.first() {
        return Some(ModelId(*i as u32));
    }
    collected
        .model_asts
        .iter()
        .position(|m| m.name.name == "User" && m.kind != ast::ModelKind::View)
        .map(|i| ModelId(i as u32))
}

/// Pass 3: binds every attribute and extracts the policy rules.
fn bind_attributes(
    schema: &mut Schema,
    collected: &Collected<'_>,
    members: &members::Members<'_>,
    diags: &mut Diagnostics,
) {
    let unknown_plugin = first_unknown_plugin(collected);
    let mut model_apps = Vec::with_capacity(schema.models.len());
    let mut field_apps = Vec::with_capacity(schema.models.len());
    let mut enum_apps = Vec::with_capacity(schema.enums.len());
    {
        let mut binder = Binder::new(schema, diags, unknown_plugin);
        for (index, origins) in members.fields.iter().enumerate() {
            let model = ModelId(index as u32);
            let per_field: Vec<Vec<AttributeApp>> = origins
                .iter()
                .enumerate()
                .map(|(fi, o)| {
                    let target = Target::Field {
                        model,
                        index: fi as u32,
                    };
                    o.node
                        .attributes
                        .iter()
                        .map(|a| binder.bind(a, target, o.inherited_from))
                        .collect()
                })
                .collect();
            field_apps.push(per_field);
            let apps: Vec<AttributeApp> = members.attributes[index]
                .iter()
                .map(|o| binder.bind(o.node, Target::Model(model), o.inherited_from))
                .collect();
            model_apps.push(apps);
        }
        for e in &collected.enum_asts {
            let mut own = Vec::new();
            let mut values = Vec::new();
            for member in &e.members {
                match member {
                    ast::EnumMember::Attribute(a) => own.push(binder.bind(a, Target::Enum, None)),
                    ast::EnumMember::Value(v) => values.push(
                        v.attributes
                            .iter()
                            .map(|a| binder.bind(a, Target::Enum, None))
                            .collect::<Vec<_>>(),
                    ),
                }
            }
            enum_apps.push((own, values));
        }
    }
    for ((model, apps), fields) in schema.models.iter_mut().zip(model_apps).zip(field_apps) {
        model.rules = apps.iter().filter_map(rules::rule_of).collect();
        model.attributes = apps;
        for (field, apps) in model.fields.iter_mut().zip(fields) {
            field.rules = apps.iter().filter_map(rules::rule_of).collect();
            field.attributes = apps;
        }
    }
    for (e, (own, values)) in schema.enums.iter_mut().zip(enum_apps) {
        e.attributes = own;
        for (value, apps) in e.values.iter_mut().zip(values) {
            value.attributes = apps;
        }
    }
}

/// Plugin providers zgen knows: the policy plugin is built in.
const KNOWN_PLUGINS: &[&str] = &[
    "@zenstackhq/plugin-policy",
    "@core/typescript",
    "@core/prisma",
];

fn first_unknown_plugin(collected: &Collected<'_>) -> Option<String> {
    collected
        .config_asts
        .iter()
        .filter(|c| c.kind == ast::ConfigKind::Plugin)
        .find(|c| {
            let provider = c
                .fields
                .iter()
                .find(|f| f.name.name == "provider")
                .and_then(|f| match &f.value.kind {
                    ast::ExprKind::String(s) => Some(s.as_str()),
                    _ => None,
                });
            !provider.is_some_and(|p| {
                KNOWN_PLUGINS.contains(&p) || p.ends_with("plugins/policy/plugin.zmodel")
            })
        })
        .map(|c| c.name.name.clone())
}
