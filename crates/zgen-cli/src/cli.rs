//! Command-line definitions (clap derive). Flags, exit codes and output
//! formats are a public interface: change them only deliberately.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

const EXIT_CODES: &str = "\
Exit codes:
  0  no errors
  1  errors found (with --deny-warnings, warnings count as errors), or
     database changes refused
  2  usage error, or a file or database could not be read or written";

/// Turns ZenStack `.zmodel` schemas into data access with the access rules
/// compiled in.
#[derive(Debug, Parser)]
#[command(name = "zgen", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// When to color human-readable diagnostics: `auto` colors when stderr
    /// is a terminal and `NO_COLOR` is not set.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check schemas: syntax, names, types, relations and security lints.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Rewrite schemas in the canonical layout.
    #[command(after_help = FMT_HELP)]
    Fmt(FmtArgs),
    /// Print the SQL that creates the schema's tables and indexes.
    #[command(after_help = SQL_HELP)]
    Sql(SqlArgs),
    /// Manage a database from the schema.
    Db(DbArgs),
    /// Run one ORM operation through the policy engine and print the result.
    #[command(after_help = QUERY_HELP)]
    Query(QueryArgs),
    /// Serve ZenStack's RPC API over HTTP, with the schema's access rules.
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Generate typed Rust code with the schema's rules compiled in.
    #[command(after_help = GENERATE_HELP)]
    Generate(GenerateArgs),
}

const SERVE_HELP: &str = "\
Compiles FILE and serves ZenStack's RPC protocol (`/{model}/{operation}`,
as `@zenstackhq/server` serves it) under --prefix, plus `GET /health`.

Authentication: `Authorization: Bearer <JWT>`; the verified payload (or its
--auth-claim) is `auth()`. HS256 secrets come from the environment variable
ZGEN_JWT_SECRET (or --jwt-secret-env NAME) or from --jwt-secret-file;
RS256/ES256 use --jwt-public-key with --jwt-alg. Without any key, every
request is anonymous and requests with a token are refused (401). Expired,
not-yet-valid, badly signed or otherwise refused tokens get 401; tokens
must carry `exp`.

Logs (one line per request: method, path, status, latency; never headers
or query arguments) go to stderr. SIGTERM or SIGINT stops accepting
connections and finishes the requests in flight.

Exit codes:
  0  stopped by a signal
  1  the schema has errors, or --push refused or failed
  2  usage error, a bad URL or key, or the database or address cannot be used";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The entry schema [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// The database: `sqlite:PATH` or `file:PATH`.
    #[arg(long, value_name = "URL")]
    pub db: String,

    /// The address to listen on (port 0: any free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: String,

    /// The path the API is served under.
    #[arg(long, value_name = "PATH", default_value = "/api/model")]
    pub prefix: String,

    /// Create missing tables and columns first (as `zgen db push`, never
    /// losing data).
    #[arg(long)]
    pub push: bool,

    /// The environment variable holding the HS256 secret [default: ZGEN_JWT_SECRET]
    #[arg(long, value_name = "NAME")]
    pub jwt_secret_env: Option<String>,

    /// A file holding the HS256 secret.
    #[arg(long, value_name = "FILE", conflicts_with = "jwt_secret_env")]
    pub jwt_secret_file: Option<PathBuf>,

    /// A PEM public key for RS256 or ES256 tokens.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["jwt_secret_env", "jwt_secret_file"])]
    pub jwt_public_key: Option<PathBuf>,

    /// The one signature algorithm accepted.
    #[arg(long, value_enum, default_value_t = JwtAlg::Hs256)]
    pub jwt_alg: JwtAlg,

    /// Accept only tokens with this issuer (`iss`).
    #[arg(long, value_name = "ISS")]
    pub jwt_issuer: Option<String>,

    /// Accept only tokens for this audience (`aud`).
    #[arg(long, value_name = "AUD")]
    pub jwt_audience: Option<String>,

    /// Take `auth()` from this claim of the token (dots reach nested
    /// objects) instead of the whole payload.
    #[arg(long, value_name = "NAME")]
    pub auth_claim: Option<String>,

    /// The largest request body accepted, in bytes (413 beyond).
    #[arg(long, value_name = "BYTES", default_value_t = 1_048_576)]
    pub body_limit: usize,

    /// Seconds a request may take before it is answered 503 and its query
    /// interrupted.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub timeout: u64,

    /// The number of database connections.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub pool_size: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum JwtAlg {
    #[value(name = "HS256")]
    Hs256,
    #[value(name = "RS256")]
    Rs256,
    #[value(name = "ES256")]
    Es256,
}

const GENERATE_HELP: &str = "\
Writes typed Rust modules for SCHEMA into DIR: `mod.rs` (enums, typed JSON,
the sync `Client` and the `AsyncClient`), one file per model (its struct and
argument builders), and `schema.bin` (the checked schema and its compiled
rules, embedded by `mod.rs`). The code needs the `zgen-client` crate. Files
whose contents are unchanged are not rewritten. With --check nothing is
written: the path of each stale or missing file is printed.

Exit codes:
  0  code generated (with --check: up to date)
  1  the schema has errors (with --check: generated code is stale)
  2  usage error, or a file could not be read or written";

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// The entry schema [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "SCHEMA")]
    pub schema: Option<PathBuf>,

    /// The output folder.
    #[arg(short = 'o', long = "out", value_name = "DIR", default_value = "zgen")]
    pub out: PathBuf,

    /// Write nothing; exit 1 when the files in DIR are not what would be
    /// generated.
    #[arg(long)]
    pub check: bool,

    /// Leave out the async client (which needs `zgen-client`'s `tokio`
    /// feature).
    #[arg(long)]
    pub no_async: bool,

    /// Also generate `api()`, ZenStack's RPC API over HTTP for the schema
    /// (needs `zgen-client`'s `server` feature).
    #[arg(long)]
    pub http_api: bool,

    /// The Rust type of DateTime fields: `chrono::DateTime<Utc>` or
    /// `time::OffsetDateTime` (needs `zgen-client`'s `time` feature).
    #[arg(long, value_enum, default_value = "chrono")]
    pub datetime: DateTimeCrate,
}

/// `--datetime`: the crate DateTime fields come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DateTimeCrate {
    Chrono,
    Time,
}

const QUERY_HELP: &str = "\
Runs MODEL.OPERATION (`findMany`, `create`, …) with ARGS, ZenStack's JSON
arguments, on the database as the user AUTH (a JSON object; anonymous without
--auth). Every access rule of the schema applies. The result is printed as
JSON on stdout.

Example:
  zgen query --url sqlite:dev.db --auth '{\"id\":1}' Post findMany '{\"take\":10}'

Exit codes:
  0  done
  1  the schema has errors, or the operation failed (rejected by a rule, not
     found, invalid input, database error); the reason is on stderr
  2  usage error, or a file or the database cannot be opened";

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// The database: `sqlite:PATH` or `file:PATH`.
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// The signed-in user as a JSON object; anonymous when absent.
    #[arg(long, value_name = "JSON")]
    pub auth: Option<String>,

    /// The entry schema [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(long, value_name = "FILE")]
    pub schema: Option<PathBuf>,

    /// The model, e.g. `Post`.
    pub model: String,

    /// The operation, e.g. `findMany`.
    pub operation: String,

    /// The arguments as JSON [default: {}]
    #[arg(value_name = "ARGS")]
    pub args: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create or update the database's tables to match the schema.
    #[command(after_help = DB_PUSH_HELP)]
    Push(DbPushArgs),
}

const CHECK_HELP: &str = "\
Each FILE is an entry schema; the files it imports are checked with it.
Without FILES, `./schema.zmodel` is checked, else `./zenstack/schema.zmodel`.

Output: human diagnostics and the summary line go to stderr; `json` and
`github` output go to stdout (one JSON document for all FILES).

Exit codes:
  0  no errors
  1  errors found (with --deny-warnings, warnings count as errors)
  2  usage error, or a schema file could not be read";

const FMT_HELP: &str = "\
Each FILE is formatted on its own; files it imports are left alone. Files
with syntax errors are not touched: their diagnostics go to stderr. Without
FILES, `./schema.zmodel` is formatted, else `./zenstack/schema.zmodel`.

With --check, the files that would change are listed on stdout, one path per
line, and nothing is written.

Exit codes:
  0  all files formatted (with --check: all files already formatted)
  1  a file has syntax errors (with --check: or would be reformatted)
  2  usage error, or a file could not be read or written";

const SQL_HELP: &str = "\
Prints, on stdout, the CREATE TABLE and CREATE INDEX statements of each FILE
(with the files it imports), named as Prisma and ZenStack name tables,
columns, indexes and join tables. Without FILES, `./schema.zmodel` is used,
else `./zenstack/schema.zmodel`. A schema with errors prints its errors on
stderr and no SQL.

Exit codes:
  0  statements printed
  1  the schema has errors
  2  usage error, or a schema file could not be read";

const DB_PUSH_HELP: &str = "\
Creates the missing tables, columns and indexes of FILE in the database at
URL (`sqlite:PATH` or `file:PATH`; the file is created if missing), all in
one transaction. Changes that would lose data (dropping a table or column
that holds data, changing the type of a column that holds data, making a
column required while rows have no value, adding a required column without
a default to a table with rows) are listed and nothing is changed, unless
--accept-data-loss is given: then the affected tables are rebuilt, keeping
the data of the columns they still have. A schema with errors prints them
and leaves the database alone. Tables named `sqlite_*` and
`_prisma_migrations` are never touched.

Exit codes:
  0  the database matches the schema
  1  the schema has errors, or changes were refused or failed (nothing was
     changed)
  2  usage error, a bad URL, or a file or the database could not be read";

#[derive(Debug, Args)]
pub struct SqlArgs {
    /// Entry schema files [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// The SQL dialect to write.
    #[arg(long, value_enum, default_value_t = SqlDialect::Sqlite)]
    pub dialect: SqlDialect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Sqlite,
}

#[derive(Debug, Args)]
pub struct DbArgs {
    #[command(subcommand)]
    pub command: DbCommand,
}

#[derive(Debug, Args)]
pub struct DbPushArgs {
    /// The database: `sqlite:PATH` or `file:PATH`.
    #[arg(long, value_name = "URL")]
    pub url: String,

    /// Apply changes that lose data instead of refusing them.
    #[arg(long)]
    pub accept_data_loss: bool,

    /// The entry schema [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Entry schema files [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Output format: `human` (stderr), `json` or `github` (stdout).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Treat warnings as errors.
    #[arg(long)]
    pub deny_warnings: bool,
}

#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Schema files to format [default: schema.zmodel, then zenstack/schema.zmodel]
    #[arg(value_name = "FILES")]
    pub files: Vec<PathBuf>,

    /// Write nothing; list the files that would change and exit 1 if any.
    #[arg(long)]
    pub check: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// miette reports with the underlined source, on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow annotations on stdout.
    Github,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}
