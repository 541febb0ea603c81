//! `zgen query`: one operation through the policy engine, from the shell.

use super::db::database_path;
use super::{CliError, SchemaSource, Verdict};
use crate::cli::QueryArgs;
use crate::files;
use serde_json::Value as Json;

pub fn run(args: &QueryArgs, color: bool) -> Result<Verdict, CliError> {
    let json = |what: &str, text: &str| -> Result<Json, CliError> {
        serde_json::from_str(text)
            .map_err(|e| CliError::new(format!("{what} is not valid JSON: {e}")))
    };
    let auth = args
        .auth
        .as_deref()
        .map(|a| json("--auth", a))
        .transpose()?;
    if auth.as_ref().is_some_and(|a| !a.is_object()) {
        return Err(CliError::new("--auth must be a JSON object"));
    }
    let op_args = json("ARGS", args.args.as_deref().unwrap_or("{}"))?;
    let path = database_path(&args.url)?;
    let schema_path = files::schema_paths(args.schema.as_slice())?;
    let Some(schema_path) = schema_path.first() else {
        return Err(CliError::new("no schema file"));
    };
    let Some(schema) = SchemaSource::read(schema_path)?.check(color) else {
        return Ok(Verdict::Failed);
    };
    // The database must exist: a typo in the path should not create one.
    if !std::path::Path::new(path).exists() {
        return Err(CliError::new(format!(
            "database `{path}` does not exist; create it with `zgen db push`"
        )));
    }
    let conn = rusqlite::Connection::open(path)
        .map_err(|e| CliError::new(format!("cannot use database `{path}`: {e}")))?;
    let engine = zgen_runtime::Engine::new(schema);
    match engine
        .client(&conn, auth)
        .run(&args.model, &args.operation, &op_args)
    {
        Ok(result) => {
            let text =
                serde_json::to_string_pretty(&result).map_err(|e| CliError::new(e.to_string()))?;
            println!("{text}");
            Ok(Verdict::Clean)
        }
        Err(e) => {
            eprintln!("error: {e}");
            Ok(Verdict::Failed)
        }
    }
}
