//! `zgen generate`: typed Rust code for one schema, written into a folder.

use super::{CliError, SchemaSource, Verdict};
use crate::cli::{DateTimeCrate, GenerateArgs};
use crate::files;
use zgen_codegen::{DateTimes, Layout, Options};

pub fn run(args: &GenerateArgs, color: bool) -> Result<Verdict, CliError> {
    let given: Vec<_> = args.schema.iter().cloned().collect();
    let paths = files::schema_paths(&given)?;
    let Some(path) = paths.first() else {
        return Err(CliError::new("no schema given"));
    };
    let source = SchemaSource::read(path)?;
    let Some(schema) = source.check(color) else {
        return Ok(Verdict::Failed);
    };
    let options = Options {
        layout: Layout::Modules,
        async_client: !args.no_async,
        http_api: args.http_api,
        datetime: match args.datetime {
            DateTimeCrate::Chrono => DateTimes::Chrono,
            DateTimeCrate::Time => DateTimes::Time,
        },
    };
    let generated = zgen_codegen::generate(schema, &options);
    let dir = &args.out;
    if args.check {
        let stale = zgen_build::stale_files(dir, &generated);
        for file in &stale {
            println!("{}", dir.join(&file.path).display());
        }
        return Ok(if stale.is_empty() {
            Verdict::Clean
        } else {
            Verdict::Failed
        });
    }
    let written = zgen_build::write_files(dir, &generated)
        .map_err(|e| CliError::new(format!("cannot write to `{}`: {e}", dir.display())))?;
    eprintln!(
        "generated {} files into `{}` ({} changed)",
        generated.len(),
        dir.display(),
        written.len()
    );
    Ok(Verdict::Clean)
}
