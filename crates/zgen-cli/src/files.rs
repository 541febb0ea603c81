//! Disk access shared by the commands: which schema files to work on, and
//! reading and writing them with errors a person can act on.

use crate::commands::CliError;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

/// Where a schema is looked for when no FILES are given, in order.
const DEFAULT_SCHEMAS: [&str; 2] = ["schema.zmodel", "zenstack/schema.zmodel"];

/// The files a command works on: the given ones, or the first default
/// schema found in the current directory.
pub fn schema_paths(given: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    if !given.is_empty() {
        return Ok(given.to_vec());
    }
    DEFAULT_SCHEMAS
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
        .map(|p| vec![p])
        .ok_or_else(|| {
            CliError::new(
                "no schema found: pass a file, or create `schema.zmodel` or `zenstack/schema.zmodel`",
            )
        })
}

/// A path as shown to the user and handed to the loader.
pub fn display(path: &Path) -> Result<&str, CliError> {
    path.to_str().ok_or_else(|| {
        CliError::new(format!(
            "`{}` is not a valid UTF-8 path",
            path.to_string_lossy()
        ))
    })
}

/// Reads one schema file.
pub fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|e| match e.kind() {
        ErrorKind::NotFound => {
            CliError::new(format!("schema file `{}` does not exist", path.display()))
        }
        _ => CliError::new(format!("cannot read `{}`: {e}", path.display())),
    })
}

/// Replaces a file's contents.
pub fn write(path: &Path, text: &str) -> Result<(), CliError> {
    std::fs::write(path, text)
        .map_err(|e| CliError::new(format!("cannot write `{}`: {e}", path.display())))
}
