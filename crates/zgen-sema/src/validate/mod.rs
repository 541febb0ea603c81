//! Pass 5: the validation rules of spec §2 over the resolved schema.

mod attributes;
mod functions;
mod js_regex;
mod models;
mod policy;

use crate::collect::Collected;
use crate::model::{Provider, Schema};
use zgen_diagnostics::Diagnostics;
use zgen_syntax::ast;

pub(crate) fn run(schema: &Schema, collected: &Collected<'_>, diags: &mut Diagnostics) {
    models::run(schema, collected, diags);
    attributes::run(schema, collected, diags);
    policy::run(schema, diags);
    functions::run(schema, diags);
}

/// The datasource provider; read from the syntax when the datasource pass
/// left none, so provider rules do not depend on pass details.
fn provider(schema: &Schema, collected: &Collected<'_>) -> Option<Provider> {
    if let Some(datasource) = &schema.datasource {
        return datasource.provider;
    }
    let block = collected
        .config_asts
        .iter()
        .find(|c| c.kind == ast::ConfigKind::Datasource)?;
    let field = block.fields.iter().find(|f| f.name.name == "provider")?;
    match &field.value.kind {
        ast::ExprKind::String(s) => Provider::parse(s),
        _ => None,
    }
}
