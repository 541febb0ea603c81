//! Multi-file loading (G-1, G-16).
//!
//! An import path is relative to the importing file's directory and gets
//! `.zmodel` appended when missing. Paths are normalised lexically
//! (`a/./b/../c` is `a/c`), so cyclic and self imports name a file that is
//! already loaded and load nothing. Files are only ever read through the
//! caller's callback.

use std::collections::{HashMap, HashSet};

use zgen_diagnostics::{Code, Diagnostic, Diagnostics, FileId, SourceMap};

use crate::ast::SchemaFile;
use crate::parser::parse;

/// Every file of a schema, parsed.
#[derive(Debug, Default)]
pub struct LoadedSchema {
    pub sources: SourceMap,
    /// Indexed like `sources`; `files[0]` is the entry.
    pub files: Vec<SchemaFile>,
    pub diagnostics: Diagnostics,
}

impl LoadedSchema {
    fn add(&mut self, name: &str, text: String) -> FileId {
        let id = self.sources.add(name, text.as_str());
        let (file, diags) = parse(id, &text);
        self.files.push(file);
        self.diagnostics.extend(diags);
        id
    }
}

/// Loads `entry` and, transitively, every import. `read` returns the text
/// of a path or an error message. Imported files are read and shown under
/// their normalised paths; the entry under the name given.
pub fn load(entry: &str, read: &mut dyn FnMut(&str) -> Result<String, String>) -> LoadedSchema {
    let mut out = LoadedSchema::default();
    let text = match read(entry) {
        Ok(text) => text,
        Err(message) => {
            let id = out.sources.add(entry, "");
            out.files.push(SchemaFile {
                file: id,
                ..Default::default()
            });
            out.diagnostics.push(
                Diagnostic::error(
                    Code::IMPORT_NOT_FOUND,
                    zgen_diagnostics::Span::new(id, 0, 0),
                    format!("cannot read model file `{entry}`"),
                )
                .with_label(message),
            );
            return out;
        }
    };
    let mut loaded: HashSet<String> = HashSet::new();
    let mut failed: HashMap<String, String> = HashMap::new();
    loaded.insert(normalize(entry));
    let id = out.add(entry, text);
    // depth-first, in import order, without recursion
    let mut stack = vec![(id, normalize(entry))];
    while let Some((id, path)) = stack.pop() {
        let imports: Vec<_> = out
            .files
            .get(id.0 as usize)
            .map(|f| f.imports.clone())
            .unwrap_or_default();
        let mut children = Vec::new();
        for import in imports {
            let target = resolve(&path, &import.path);
            if loaded.contains(&target) {
                continue;
            }
            let result = match failed.get(&target) {
                Some(message) => Err(message.clone()),
                None => read(&target),
            };
            match result {
                Ok(text) => {
                    loaded.insert(target.clone());
                    let child = out.add(&target, text);
                    children.push((child, target));
                }
                Err(message) => {
                    failed.insert(target.clone(), message.clone());
                    out.diagnostics.push(not_found(&import, &target, &message));
                }
            }
        }
        // children are already parsed; visit their imports in order
        stack.extend(children.into_iter().rev());
    }
    out
}

/// Parses in-memory sources `(name, text)` in order; imports resolve among
/// these names only. A name given twice (after normalisation) is loaded once.
pub fn load_sources(sources: &[(&str, &str)]) -> LoadedSchema {
    let mut out = LoadedSchema::default();
    let mut known: HashSet<String> = HashSet::new();
    let mut paths = Vec::new();
    for (name, text) in sources {
        let path = normalize(name);
        if known.insert(path.clone()) {
            out.add(name, (*text).to_string());
            paths.push(path);
        }
    }
    for (i, path) in paths.iter().enumerate() {
        let imports = out
            .files
            .get(i)
            .map(|f| f.imports.clone())
            .unwrap_or_default();
        for import in imports {
            let target = resolve(path, &import.path);
            if !known.contains(&target) {
                out.diagnostics
                    .push(not_found(&import, &target, "not among the given sources"));
            }
        }
    }
    out
}

fn not_found(import: &crate::ast::Import, target: &str, message: &str) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::IMPORT_NOT_FOUND,
        import.path_span,
        format!("cannot find model file `{target}`"),
    );
    if !message.is_empty() {
        d = d.with_label(message.to_string());
    }
    d.with_help("import paths are relative to the importing file; `.zmodel` may be left out")
}

/// The normalised path an import in the file at `from` refers to.
fn resolve(from: &str, import: &str) -> String {
    let mut target = if is_absolute(import) {
        import.to_string()
    } else {
        let dir = match from.rfind(['/', '\\']) {
            Some(i) => from.get(..=i).unwrap_or(""),
            None => "",
        };
        format!("{dir}{import}")
    };
    if !target.ends_with(".zmodel") {
        target.push_str(".zmodel");
    }
    normalize(&target)
}

fn is_absolute(path: &str) -> bool {
    path.starts_with(['/', '\\']) || path.as_bytes().get(1) == Some(&b':')
}

/// Lexical normalisation: `/` separators, no `.` segments, `..` folded into
/// the segment before it where there is one.
pub(crate) fn normalize(path: &str) -> String {
    let absolute = path.starts_with(['/', '\\']);
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split(['/', '\\']) {
        match seg {
            "" | "." => {}
            ".." => match parts.last() {
                Some(&last) if last != ".." => {
                    parts.pop();
                }
                _ if absolute => {}
                _ => parts.push(".."),
            },
            _ => parts.push(seg),
        }
    }
    let joined = parts.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_lexically() {
        assert_eq!(normalize("a/./b/../c.zmodel"), "a/c.zmodel");
        assert_eq!(normalize("./schema.zmodel"), "schema.zmodel");
        assert_eq!(normalize("../x/../../y"), "../../y");
        assert_eq!(normalize("/a/../../b"), "/b");
        assert_eq!(normalize("a\\b"), "a/b");
    }

    #[test]
    fn resolves_relative_to_the_importing_file() {
        assert_eq!(
            resolve("schema.zmodel", "./models/user"),
            "models/user.zmodel"
        );
        assert_eq!(resolve("models/user.zmodel", "../schema"), "schema.zmodel");
        assert_eq!(
            resolve("models/user.zmodel", "post.zmodel"),
            "models/post.zmodel"
        );
        assert_eq!(resolve("/p/schema.zmodel", "/abs/x"), "/abs/x.zmodel");
    }
}
