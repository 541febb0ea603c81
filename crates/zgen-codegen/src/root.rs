//! The root module: enums, typed-JSON structs, the embedded engine, the
//! table statements, and the sync and async clients.

use crate::model::{docs, record_kind, serde_struct, Member};
use crate::names;
use crate::types::{maybe_absent, role, serde_with, visible, Role};
use crate::writer::{string, Rust};
use crate::{Layout, Options};
use std::collections::BTreeSet;
use zgen_sema::{ModelKind, Schema};

pub fn root_file(
    schema: &Schema,
    options: &Options,
    modules: &[(String, String)],
    auth_keys: Option<&BTreeSet<String>>,
) -> Vec<u8> {
    let mut w = Rust::new(crate::HEADER);
    w.line(&["use ::zgen_client as zc;"]);
    for (module, file) in modules {
        let m = names::ident(module);
        match &options.layout {
            Layout::Modules => w.line(&["pub mod ", &m, ";"]),
            Layout::OutDir { subdir } => {
                w.open(&["pub mod ", &m]);
                include(&mut w, "include!(", Some(subdir), file);
                w.close();
            }
        }
        // Every model module has a `__fields!` and a `__ty` (for
        // `zgen_client::select!`); they are reached through the module.
        w.line(&["#[allow(ambiguous_glob_reexports)]"]);
        w.line(&["pub use self::", &m, "::*;"]);
    }
    enums(&mut w, schema);
    typed_json(&mut w, schema, options);
    w.doc(" The checked schema and its compiled access rules, as");
    w.doc(" `zgen_runtime::Engine::to_compiled` encodes them.");
    let subdir = match &options.layout {
        Layout::Modules => None,
        Layout::OutDir { subdir } => Some(subdir.as_str()),
    };
    include(
        &mut w,
        "pub static COMPILED: &[u8] = include_bytes!(",
        subdir,
        "schema.bin",
    );
    w.doc(" The statements that create the schema's tables and indexes.");
    let tables: Vec<String> = zgen_policy::ddl::create_statements(schema)
        .iter()
        .map(|s| string(&s.to_string()))
        .collect();
    w.list(
        "pub static CREATE_TABLES: &[&str] = &[",
        &tables,
        "];",
        true,
    );
    w.raw(ENGINE);
    auth_json(&mut w, schema, options, auth_keys);
    let auth = auth_type(schema);
    w.doc(" Runs operations for one auth value over one connection.");
    w.line(&["pub struct Client<'c>(zc::Session<'c>);"]);
    w.open(&["impl<'c> Client<'c>"]);
    w.doc(" The same connection, acting for `auth` (`None`: anonymous).");
    let with_auth = [format!("&self, auth: Option<&{auth}>")];
    w.open_fn(&["pub fn with_auth("], &with_auth, " -> Client<'c>");
    w.line(&["Client(self.0.with_auth(auth.map(auth_json)))"]);
    w.close();
    w.raw(CLIENT);
    for (_, m) in schema.data_models() {
        w.doc(&format!(" The operations of `{}`.", m.name));
        let ty = names::ty(&m.name, "");
        let acc = names::field(&m.name);
        let ret = format!(" -> zc::ModelClient<'_, {ty}>");
        w.line(&["#[inline]"]);
        w.open_fn(&["pub fn ", &acc, "("], &["&self"], &ret);
        w.line(&["zc::ModelClient::new(self.0.engine_client())"]);
        w.close();
    }
    w.close();
    if options.async_client {
        w.raw(ASYNC_CLIENT);
        let params = [
            "&self".to_string(),
            format!("auth: Option<{auth}>"),
            "f: F".to_string(),
        ];
        w.nest();
        w.doc(" Runs `f` with a client acting for `auth` (`None`: anonymous).");
        w.list(
            "pub async fn run<R, F>(",
            &params,
            ") -> zc::Result<R>",
            true,
        );
        w.raw(ASYNC_RUN);
        w.close();
    }
    if options.http_api {
        w.raw(HTTP_API);
    }
    w.finish()
}

/// `head` (`include!(` or alike) of `file`, or with a `subdir` of
/// `concat!(env!("OUT_DIR"), "/<subdir>/<file>")`, then `);`. A macro's
/// input that does not fit is filled into lines, as prettyplease does.
fn include(w: &mut Rust, head: &str, subdir: Option<&str>, file: &str) {
    match subdir {
        None => w.list(head, &[string(file)], ");", false),
        Some(subdir) => {
            let env = "concat!(env!(\"OUT_DIR\")";
            let path = format!("{})", string(&format!("/{subdir}/{file}")));
            let flat = format!("{env}, {path}");
            if w.fits(&[head, &flat, ");"]) {
                w.line(&[head, &flat, ");"]);
            } else {
                w.fill(head, &[env, &path], ");");
            }
        }
    }
}

const ENGINE: &str = r#"/// The engine, decoded from [`COMPILED`] on first use.
pub fn engine() -> zc::Result<&'static zc::zgen_runtime::Engine> {
    static ENGINE: std::sync::OnceLock<Result<zc::zgen_runtime::Engine, String>> = std::sync::OnceLock::new();
    ENGINE
        .get_or_init(|| zc::zgen_runtime::Engine::from_compiled(COMPILED))
        .as_ref()
        .map_err(|e| zc::Error::Decode(e.clone()))
}
/// Creates the schema's tables in an empty database.
pub fn create_tables(conn: &zc::rusqlite::Connection) -> zc::rusqlite::Result<()> {
    for statement in CREATE_TABLES {
        conn.execute_batch(statement)?;
    }
    Ok(())
}
/// An anonymous client on `conn`; [`Client::with_auth`] acts for a user.
pub fn client(conn: &zc::rusqlite::Connection) -> zc::Result<Client<'_>> {
    Ok(Client(zc::Session::new(engine()?, conn, None)))
}
"#;

const CLIENT: &str = r#"    /// The same connection, acting for an auth value given as JSON.
    pub fn with_auth_json(&self, auth: Option<zc::serde_json::Value>) -> Client<'c> {
        Client(self.0.with_auth(auth))
    }
    /// The untyped session (engine client, connection).
    pub fn as_session(&self) -> &zc::Session<'c> {
        &self.0
    }
"#;

const ASYNC_CLIENT: &str = r#"/// The client for async code: each operation runs on a blocking
/// thread over one of a few connections.
#[derive(Clone)]
pub struct AsyncClient(zc::AsyncPool);
impl AsyncClient {
    /// Over these connections to one database (at least one).
    pub fn new(conns: Vec<zc::rusqlite::Connection>) -> zc::Result<Self> {
        Ok(AsyncClient(zc::AsyncPool::new(conns)?))
    }
"#;

/// The rest of `AsyncClient::run` after its parameters: the `where`
/// clause (prettyplease puts it at the signature's depth) and the body.
const ASYNC_RUN: &str = r#"    where
        F: FnOnce(&Client<'_>) -> zc::Result<R> + Send + 'static,
        R: Send + 'static,
    {
        let auth = auth.as_ref().map(auth_json);
        self.0
            .run(move |conn| {
                let client = Client(zc::Session::new(engine()?, conn, auth));
                f(&client)
            })
            .await
    }
"#;

const HTTP_API: &str = r#"/// ZenStack's RPC API over this schema (`zgen_server::Api`) with
/// the same compiled rules as the clients: give it the auth
/// function (or a JWT verifier), then mount its `router()` under
/// any prefix.
pub fn api(pool: zc::zgen_server::Pool) -> zc::Result<zc::zgen_server::Api> {
    let engine = zc::zgen_runtime::Engine::from_compiled(COMPILED)
        .map_err(zc::Error::Decode)?;
    Ok(zc::zgen_server::Api::new(std::sync::Arc::new(engine), pool))
}
"#;

/// `auth_json`, the auth value as the engine receives it. Of a model, it
/// holds only the members the rules and defaults read (`auth_keys`, all
/// when `None`; see `zgen_policy::auth_keys`): the engine hashes and
/// compares the value on every request, and nothing reads the others.
fn auth_json(w: &mut Rust, schema: &Schema, options: &Options, keys: Option<&BTreeSet<String>>) {
    let model = schema.auth.map(|id| schema.model(id));
    let members: Vec<Member<'_>> = match model {
        Some(model) if model.is_data_model() => visible(schema, model)
            .filter(|f| keys.is_none_or(|keys| keys.contains(&f.name)))
            .map(|f| Member::new(schema, f, options.datetime))
            .collect(),
        _ => Vec::new(),
    };
    let object = format!("zc::record::Object::with_capacity({})", members.len());
    let (param, body) = match model {
        None => ("auth", "auth.clone()".to_string()),
        Some(model) if !model.is_data_model() => (
            "auth",
            "zc::serde_json::to_value(auth).unwrap_or_default()".to_string(),
        ),
        Some(_) if members.is_empty() => ("_", format!("{object}.end()")),
        Some(_) => ("auth", format!("let mut o = {object};")),
    };
    w.doc(" The auth value as the engine receives it: of a model, only the");
    w.doc(" members that rules and defaults read.");
    let params = [format!("{param}: &{}", auth_type(schema))];
    w.open_fn(&["fn auth_json("], &params, " -> zc::serde_json::Value");
    w.line(&[&body]);
    for m in &members {
        let value = format!("&auth.{}", m.ident);
        w.call(&format!("o.{}", record_kind(m)), &[&m.key, &value], ";");
    }
    if !members.is_empty() {
        w.line(&["o.end()"]);
    }
    w.close();
}

/// The type of `auth()`: the `@@auth` model or type, else `User`, else JSON.
fn auth_type(schema: &Schema) -> String {
    match schema.auth {
        Some(id) => names::ty(&schema.model(id).name, ""),
        None => "zc::serde_json::Value".to_string(),
    }
}

fn enums(w: &mut Rust, schema: &Schema) {
    for e in schema.enums.iter().filter(|e| !e.builtin) {
        let name = names::ty(&e.name, "");
        let variants: Vec<String> = e.values.iter().map(|v| names::ty(&v.name, "")).collect();
        docs(w, &e.docs);
        let derives = [
            "Debug",
            "Clone",
            "Copy",
            "PartialEq",
            "Eq",
            "Hash",
            "zc::serde::Serialize",
            "zc::serde::Deserialize",
        ]
        .map(str::to_string);
        w.list("#[derive(", &derives, ")]", false);
        w.line(&["#[serde(crate = \"zc::serde\")]"]);
        w.open(&["pub enum ", &name]);
        for (v, variant) in e.values.iter().zip(&variants) {
            w.line(&["#[serde(rename = ", &string(&v.name), ")]"]);
            w.line(&[variant, ","]);
        }
        w.close();
        w.open(&["impl ", &name]);
        let matches = [
            (" The value's name in the schema.", "as_str", false),
            (" The value as stored (`@map`).", "stored_as", true),
        ];
        for (doc, method, stored) in matches {
            w.doc(doc);
            w.open(&["pub fn ", method, "(self) -> &'static str"]);
            w.open(&["match self"]);
            for (v, variant) in e.values.iter().zip(&variants) {
                let value = if stored { v.db_name() } else { &v.name };
                w.arm(&format!("Self::{variant}"), &string(value));
            }
            w.close();
            w.close();
        }
        w.close();
        field_value(
            w,
            &name,
            "zc::serde_json::Value::String(self.as_str().to_string())",
        );
    }
}

/// `type` declarations: typed-JSON shapes (and auth types).
fn typed_json(w: &mut Rust, schema: &Schema, options: &Options) {
    for m in schema.models.iter().filter(|m| m.kind == ModelKind::Type) {
        let name = names::ty(&m.name, "");
        docs(w, &m.docs);
        serde_struct(w);
        let fields: Vec<_> = m
            .fields
            .iter()
            .filter_map(|f| match role(schema, f, options.datetime) {
                Role::Value { ty, .. } => Some((f, ty)),
                Role::Relation { .. } => None,
            })
            .collect();
        if fields.is_empty() {
            w.line(&["pub struct ", &name, " {}"]);
        } else {
            w.open(&["pub struct ", &name]);
            for (f, ty) in fields {
                let id = names::field(&f.name);
                let mut attrs = vec![format!("rename = {}", string(&f.name))];
                attrs.extend(serde_with(f));
                if maybe_absent(f) {
                    attrs.push("default".to_string());
                    attrs.push("skip_serializing_if = \"Option::is_none\"".to_string());
                    w.list("#[serde(", &attrs, ")]", false);
                    w.field(&id, &format!("Option<{ty}>"));
                } else {
                    w.list("#[serde(", &attrs, ")]", false);
                    w.field(&id, &ty);
                }
            }
            w.close();
        }
        field_value(
            w,
            &name,
            "zc::serde_json::to_value(self).unwrap_or_default()",
        );
    }
}

/// `impl zc::FieldValue for name` whose `to_json` is `body`.
fn field_value(w: &mut Rust, name: &str, body: &str) {
    w.open(&["impl zc::FieldValue for ", name]);
    w.open(&["fn to_json(&self) -> zc::serde_json::Value"]);
    w.line(&[body]);
    w.close();
    w.close();
}
