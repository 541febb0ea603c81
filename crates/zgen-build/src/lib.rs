//! `zgen generate` for build scripts.
//!
//! ```text
//! // build.rs
//! fn main() {
//!     if let Err(e) = zgen_build::Config::new().compile("schema.zmodel") {
//!         eprintln!("{e}");
//!         std::process::exit(1);
//!     }
//! }
//! // src/main.rs
//! // mod db { include!(concat!(env!("OUT_DIR"), "/zgen/mod.rs")); }
//! ```
//!
//! The schema and every file it imports are checked; errors are printed
//! readably and fail the build, and cargo is told to run the script again
//! when any of those files changes. The generated files go to
//! `$OUT_DIR/zgen/` (unchanged files are not rewritten, so the crate is not
//! recompiled for nothing).

mod output;

pub use output::{stale_files, write_files};
use std::path::{Path, PathBuf};
pub use zgen_codegen::DateTimes;
use zgen_codegen::{GeneratedFile, Layout, Options};
use zgen_diagnostics::{render_human, Diagnostics};

/// Build-script options; they mirror `zgen generate`'s flags.
#[derive(Debug, Clone)]
pub struct Config {
    out_dir: Option<PathBuf>,
    subdir: String,
    async_client: bool,
    http_api: bool,
    datetime: DateTimes,
    color: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            out_dir: None,
            subdir: "zgen".to_string(),
            async_client: true,
            http_api: false,
            datetime: DateTimes::Chrono,
            color: false,
        }
    }
}

/// Why generation failed: the schema's diagnostics, or an I/O problem.
#[derive(Debug)]
pub struct Error {
    message: String,
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Config {
    pub fn new() -> Self {
        Self::default()
    }

    /// The output folder (`-o`); default `$OUT_DIR/zgen`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// The folder under `$OUT_DIR` (default `zgen`), for a second schema.
    pub fn subdir(mut self, name: impl Into<String>) -> Self {
        self.subdir = name.into();
        self
    }

    /// Generate `api()`, ZenStack's RPC API over HTTP for the schema
    /// (needs `zgen-client`'s `server` feature); off by default.
    pub fn http_api(mut self, yes: bool) -> Self {
        self.http_api = yes;
        self
    }

    /// The Rust type of DateTime fields (default: chrono's
    /// `DateTime<Utc>`; `DateTimes::Time` needs `zgen-client`'s `time`
    /// feature).
    pub fn datetime(mut self, types: DateTimes) -> Self {
        self.datetime = types;
        self
    }

    /// Generate the async client (default: yes).
    pub fn async_client(mut self, yes: bool) -> Self {
        self.async_client = yes;
        self
    }

    /// Color the diagnostics (default: no; cargo shows build-script output
    /// as plain text).
    pub fn color(mut self, yes: bool) -> Self {
        self.color = yes;
        self
    }

    /// Generates code for `schema` into the output folder, with the root
    /// module at `<out>/mod.rs` for `include!`.
    pub fn compile(&self, schema: impl AsRef<Path>) -> Result<(), Error> {
        let (files, schema) = load(schema.as_ref(), self.color);
        for file in files {
            println!("cargo:rerun-if-changed={file}");
        }
        let schema = schema?;
        let (dir, layout) = match &self.out_dir {
            Some(dir) => (dir.clone(), Layout::Modules),
            None => {
                let out = std::env::var_os("OUT_DIR").ok_or_else(|| Error {
                    message:
                        "`OUT_DIR` is not set: call `compile` from a build script or set `out_dir`"
                            .into(),
                })?;
                (
                    PathBuf::from(out).join(&self.subdir),
                    Layout::OutDir {
                        subdir: self.subdir.clone(),
                    },
                )
            }
        };
        let options = Options {
            layout,
            async_client: self.async_client,
            http_api: self.http_api,
            datetime: self.datetime,
        };
        let files = zgen_codegen::generate(schema, &options);
        write_files(&dir, &files).map_err(|e| Error {
            message: format!("cannot write to `{}`: {e}", dir.display()),
        })?;
        Ok(())
    }
}

/// Loads and checks `entry` with its imports: the files it read (the entry
/// and every import, also on failure, for `rerun-if-changed`) and the
/// schema, or its errors rendered as `zgen check` shows them.
pub fn load(entry: &Path, color: bool) -> (Vec<String>, Result<zgen_sema::Schema, Error>) {
    let name = entry.to_string_lossy().to_string();
    let mut read = |path: &str| std::fs::read_to_string(path).map_err(|e| e.to_string());
    let loaded = zgen_syntax::load(&name, &mut read);
    let analysis = zgen_sema::analyze(&loaded);
    let files = loaded
        .sources
        .iter()
        .map(|(_, f)| f.name().to_string())
        .collect();
    if analysis.diagnostics.has_errors() {
        let mut errors: Diagnostics = analysis.diagnostics.errors().cloned().collect();
        errors.sort();
        let n = errors.error_count();
        let noun = if n == 1 { "error" } else { "errors" };
        let message = format!(
            "{}zgen: `{name}` has {n} {noun}",
            render_human(&errors, &loaded.sources, color)
        );
        return (files, Err(Error { message }));
    }
    (files, Ok(analysis.schema))
}

/// Generates into memory: what the CLI and [`Config::compile`] write.
pub fn generate(schema: zgen_sema::Schema, options: &Options) -> Vec<GeneratedFile> {
    zgen_codegen::generate(schema, options)
}
