//! `zgen sql`: print the statements that create each schema's tables.

use super::{CliError, SchemaSource, Verdict};
use crate::cli::{SqlArgs, SqlDialect};
use crate::files;
use zgen_policy::ddl;
use zgen_policy::sql::{Dialect, Sqlite};

pub fn run(args: &SqlArgs, color: bool) -> Result<Verdict, CliError> {
    let paths = files::schema_paths(&args.files)?;
    // Everything is read first: a missing file is a usage error with no
    // partial output.
    let sources = paths
        .iter()
        .map(|p| SchemaSource::read(p))
        .collect::<Result<Vec<_>, _>>()?;
    let dialect: &dyn Dialect = match args.dialect {
        SqlDialect::Sqlite => &Sqlite,
    };

    let mut scripts = Vec::with_capacity(sources.len());
    let mut failed = false;
    for source in &sources {
        match source.check(color) {
            Some(schema) => {
                scripts.push((&source.name, ddl::create_statements_with(&schema, dialect)))
            }
            None => failed = true,
        }
    }
    // SQL of a schema with errors could be wrong: print none at all.
    if failed {
        return Ok(Verdict::Failed);
    }
    let mut out = String::new();
    for (name, statements) in scripts {
        if sources.len() > 1 {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("-- {name}\n\n"));
        }
        out.push_str(&script(&statements));
    }
    print!("{out}");
    Ok(Verdict::Clean)
}

/// Statements ending in `;`, separated by blank lines.
pub fn script(statements: &[String]) -> String {
    statements
        .iter()
        .map(|s| format!("{s};\n"))
        .collect::<Vec<_>>()
        .join("\n")
}
