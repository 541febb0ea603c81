//! Datasource, generator and plugin blocks (V-S1..V-S3, V-S7), unknown
//! plugins and v2 plugin providers.
//!
//! Runs before members are resolved, so it reads model and enum attributes
//! from the syntax.

use crate::collect::Collected;
use crate::model::{Datasource, Plugin, Provider, Schema};
use crate::resolve::{Resolver, Scope};
use crate::stdlib::STDLIB_FILE;
use zgen_diagnostics::{Code, Diagnostic, Diagnostics, FileId, Span};
use zgen_syntax::ast::{self, ConfigBlock, ConfigKind};

const PROVIDERS: &str = "\"sqlite\", \"postgresql\", \"mysql\"";

/// Fills `Schema::datasource` and `Schema::plugins` and checks the blocks.
pub(crate) fn resolve(schema: &mut Schema, collected: &Collected<'_>, diags: &mut Diagnostics) {
    let blocks: Vec<&ConfigBlock> = collected
        .config_asts
        .iter()
        .copied()
        .filter(|c| c.span.file != STDLIB_FILE)
        .collect();
    for block in &blocks {
        check_duplicate_fields(block, diags);
    }
    check_calls(schema, &blocks, diags);
    resolve_datasources(schema, collected, &blocks, diags);
    for block in blocks.iter().filter(|c| c.kind == ConfigKind::Generator) {
        diags.push(
            Diagnostic::warning(
                Code::GENERATOR_UNUSED,
                block.name.span,
                "\"generator\" is not used by ZenStack",
            )
            .with_help("ZenStack v3 needs no Prisma client; remove the block"),
        );
    }
    for block in blocks.iter().filter(|c| c.kind == ConfigKind::Plugin) {
        schema.plugins.push(plugin(block, diags));
    }
}

/// Function calls in settings (`url = env("DATABASE_URL")`) are checked like
/// calls anywhere else: known function, right arguments. Other values are
/// plugin-specific and left to the plugin.
fn check_calls(schema: &Schema, blocks: &[&ConfigBlock], diags: &mut Diagnostics) {
    let mut resolver = Resolver::new(schema, diags);
    for field in blocks.iter().flat_map(|b| &b.fields) {
        if matches!(field.value.kind, ast::ExprKind::Call { .. }) {
            resolver.expr(&field.value, &mut Scope::default());
        }
    }
}

/// A field written twice in one block.
fn check_duplicate_fields(block: &ConfigBlock, diags: &mut Diagnostics) {
    let mut seen: Vec<&ast::ConfigField> = Vec::new();
    for field in &block.fields {
        match seen.iter().find(|f| f.name.name == field.name.name) {
            Some(first) => diags.push(
                Diagnostic::error(
                    Code::DUPLICATE_FIELD,
                    field.name.span,
                    format!("duplicated declaration name `{}`", field.name.name),
                )
                .with_secondary(first.name.span, "first set here"),
            ),
            None => seen.push(field),
        }
    }
}

fn field<'a>(block: &'a ConfigBlock, name: &str) -> Option<&'a ast::ConfigField> {
    block.fields.iter().find(|f| f.name.name == name)
}

fn string_value(e: &ast::Expr) -> Option<&str> {
    match &e.unparen().kind {
        ast::ExprKind::String(s) => Some(s),
        _ => None,
    }
}

// ---- datasource

fn resolve_datasources(
    schema: &mut Schema,
    collected: &Collected<'_>,
    blocks: &[&ConfigBlock],
    diags: &mut Diagnostics,
) {
    let datasources: Vec<&ConfigBlock> = blocks
        .iter()
        .copied()
        .filter(|c| c.kind == ConfigKind::Datasource)
        .collect();
    let Some(first) = datasources.first() else {
        // One datasource for the merged schema: reported at the entry file.
        diags.push(
            Diagnostic::error(
                Code::MISSING_DATASOURCE,
                Span::new(FileId(0), 0, 0),
                "schema must have a datasource declaration",
            )
            .with_help(
                "add `datasource db { provider = \"sqlite\" }` (or \"postgresql\", \"mysql\")",
            ),
        );
        return;
    };
    for extra in datasources.iter().skip(1) {
        diags.push(
            Diagnostic::error(
                Code::MULTIPLE_DATASOURCES,
                extra.name.span,
                "multiple datasource declarations are not allowed",
            )
            .with_secondary(first.name.span, "first datasource")
            .with_help("a schema, imports included, has exactly one datasource"),
        );
    }
    let mut resolved = Vec::new();
    for block in &datasources {
        let provider = check_provider(block, diags);
        check_url(block, diags);
        check_schemas(block, provider, collected, diags);
        resolved.push(Datasource {
            name: block.name.name.clone(),
            provider,
            span: block.name.span,
        });
    }
    schema.datasource = resolved.into_iter().next();
}

/// V-S2; the provider when it is a supported string literal.
fn check_provider(block: &ConfigBlock, diags: &mut Diagnostics) -> Option<Provider> {
    let Some(field) = field(block, "provider") else {
        diags.push(
            Diagnostic::error(
                Code::DATASOURCE_PROVIDER,
                block.name.span,
                "datasource must include a \"provider\" field",
            )
            .with_help(format!(
                "add `provider = \"postgresql\"`; supported: {PROVIDERS}"
            )),
        );
        return None;
    };
    let Some(value) = string_value(&field.value).filter(|s| !s.is_empty()) else {
        diags.push(
            Diagnostic::error(
                Code::DATASOURCE_PROVIDER,
                field.value.span,
                "provider must be set to a string literal",
            )
            .with_help(format!("supported providers: {PROVIDERS}")),
        );
        return None;
    };
    let provider = Provider::parse(value);
    if provider.is_none() {
        diags.push(
            Diagnostic::error(
                Code::DATASOURCE_PROVIDER,
                field.value.span,
                format!("provider \"{value}\" is not supported"),
            )
            .with_help(format!("choose from {PROVIDERS}")),
        );
    }
    provider
}

/// V-S3: `url` is a string literal or `env(...)`.
fn check_url(block: &ConfigBlock, diags: &mut Diagnostics) {
    let Some(field) = field(block, "url") else {
        return;
    };
    let value = field.value.unparen();
    let is_env = matches!(&value.kind, ast::ExprKind::Call { callee, .. } if callee.name == "env");
    if is_env || string_value(value).is_some_and(|s| !s.is_empty()) {
        return;
    }
    diags.push(
        Diagnostic::error(
            Code::DATASOURCE_FIELD,
            field.value.span,
            "url must be a string literal or an env() call",
        )
        .with_help("for example `url = env(\"DATABASE_URL\")`"),
    );
}

/// V-S3: `defaultSchema` and `schemas` (PostgreSQL only).
fn check_schemas(
    block: &ConfigBlock,
    provider: Option<Provider>,
    collected: &Collected<'_>,
    diags: &mut Diagnostics,
) {
    let default_field = field(block, "defaultSchema");
    let schemas_field = field(block, "schemas");
    // Only a known other provider makes these unsupported; a bad provider
    // is reported already.
    let unsupported = provider.is_some_and(|p| p != Provider::Postgresql);
    for f in [default_field, schemas_field].into_iter().flatten() {
        if unsupported {
            diags.push(
                Diagnostic::error(
                    Code::DATASOURCE_FIELD,
                    f.name.span,
                    format!(
                        "\"{}\" is only supported for \"postgresql\" provider",
                        f.name.name
                    ),
                )
                .with_help("remove it, or switch the provider to \"postgresql\""),
            );
        }
    }
    let default = default_field.and_then(|f| {
        let value = string_value(&f.value).filter(|s| !s.is_empty());
        if value.is_none() {
            diags.push(Diagnostic::error(
                Code::DATASOURCE_FIELD,
                f.value.span,
                "\"defaultSchema\" must be a string literal",
            ));
        }
        value.map(|v| (v, f.value.span))
    });
    let Some(schemas_field) = schemas_field else {
        return;
    };
    let Some(names) = string_array(&schemas_field.value) else {
        diags.push(
            Diagnostic::error(
                Code::DATASOURCE_FIELD,
                schemas_field.value.span,
                "\"schemas\" must be an array of string literals",
            )
            .with_help("for example `schemas = [\"public\", \"auth\"]`"),
        );
        return;
    };
    match default {
        Some((name, span)) if !names.contains(&name) => diags.push(
            Diagnostic::error(
                Code::DATASOURCE_FIELD,
                span,
                format!("\"{name}\" must be included in the \"schemas\" array"),
            )
            .with_secondary(schemas_field.value.span, "schemas listed here"),
        ),
        Some(_) => {}
        None if !names.contains(&"public") && has_implicit_public(block.span.file, collected) => diags.push(
            Diagnostic::error(
                Code::DATASOURCE_FIELD,
                schemas_field.value.span,
                "\"public\" must be included in the \"schemas\" array",
            )
            .with_help("some models or enums have no `@@schema` and so live in \"public\"; list it, or set `defaultSchema`"),
        ),
        None => {}
    }
}

fn string_array(e: &ast::Expr) -> Option<Vec<&str>> {
    match &e.unparen().kind {
        ast::ExprKind::Array(items) => items.iter().map(string_value).collect(),
        _ => None,
    }
}

/// Some model, view or enum of the datasource's file has no `@@schema`, so
/// it lives in `public` (ZenStack looks at that file only).
fn has_implicit_public(file: FileId, collected: &Collected<'_>) -> bool {
    let models = collected
        .model_asts
        .iter()
        .filter(|m| {
            m.span.file == file && matches!(m.kind, ast::ModelKind::Model | ast::ModelKind::View)
        })
        .any(|m| !m.attributes().any(|a| a.name.name == "@@schema"));
    let enums = collected
        .enum_asts
        .iter()
        .filter(|e| e.span.file == file)
        .any(|e| {
            !e.members
                .iter()
                .any(|m| matches!(m, ast::EnumMember::Attribute(a) if a.name.name == "@@schema"))
        });
    models || enums
}

// ---- plugins

/// v2 plugin providers and what replaces them in v3.
const LEGACY_PLUGINS: &[(&str, &str)] = &[
    ("@core/access-policy", "policies are built into zgen, remove the block"),
    ("@core/enhancer", "v3 has no enhancer: policies are built into zgen, remove the block"),
    ("@core/model-meta", "`@core/typescript` writes the schema metadata in v3, remove the block"),
    ("@core/zod", "use `createSchemaFactory` from `@zenstackhq/zod` at runtime, remove the block"),
    ("@core/openapi", "use the OpenAPI generation of `@zenstackhq/server`'s REST handler, remove the block"),
    ("@zenstackhq/openapi", "use the OpenAPI generation of `@zenstackhq/server`'s REST handler, remove the block"),
    ("@zenstackhq/swr", "v3 has no SWR hooks: use `@zenstackhq/tanstack-query`, remove the block"),
    (
        "@zenstackhq/tanstack-query",
        "v3's `@zenstackhq/tanstack-query` needs no code generation: call `useClientQueries(schema)`, remove the block",
    ),
];

/// v2 plugins v3 dropped without a replacement; reported as unknown.
const REMOVED_PLUGINS: &[&str] = &["@zenstackhq/trpc"];

fn plugin(block: &ConfigBlock, diags: &mut Diagnostics) -> Plugin {
    let provider_field = field(block, "provider");
    let provider = provider_field
        .and_then(|f| string_value(&f.value))
        .filter(|s| !s.is_empty());
    match (provider_field, provider) {
        (None, _) => diags.push(
            Diagnostic::error(
                Code::UNKNOWN_PLUGIN,
                block.name.span,
                "plugin must include a \"provider\" field",
            )
            .with_help("for example `provider = \"@core/typescript\"`"),
        ),
        (Some(f), None) => diags.push(Diagnostic::error(
            Code::UNKNOWN_PLUGIN,
            f.value.span,
            "plugin provider must be set to a non-empty string literal",
        )),
        (Some(f), Some(p)) => check_plugin_provider(block, p, f.value.span, diags),
    }
    Plugin {
        name: block.name.name.clone(),
        provider: provider.map(str::to_string),
        span: block.name.span,
    }
}

/// Kept in step with `first_unknown_plugin` in `lib.rs`: a plugin zgen does
/// not know makes unknown attributes warnings.
fn is_known_provider(provider: &str) -> bool {
    crate::KNOWN_PLUGINS.contains(&provider) || provider.ends_with("plugins/policy/plugin.zmodel")
}

fn check_plugin_provider(block: &ConfigBlock, provider: &str, span: Span, diags: &mut Diagnostics) {
    if is_known_provider(provider) {
        return;
    }
    if let Some((_, replacement)) = LEGACY_PLUGINS.iter().find(|(p, _)| *p == provider) {
        diags.push(
            Diagnostic::warning(
                Code::LEGACY_PLUGIN,
                span,
                format!("`{provider}` is a v2 plugin"),
            )
            .with_help(*replacement),
        );
        return;
    }
    let help = if REMOVED_PLUGINS.contains(&provider) {
        format!("`{provider}` is a v2 plugin with no v3 version; zgen does not load it and accepts its attributes with a warning")
    } else {
        format!("zgen does not load `{provider}`; attributes it may declare are accepted with a warning")
    };
    diags.push(
        Diagnostic::warning(Code::UNKNOWN_PLUGIN, block.name.span, "unknown plugin")
            .with_label(format!("provider `{provider}`"))
            .with_help(help),
    );
}
