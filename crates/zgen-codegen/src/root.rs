//! The root module: enums, typed-JSON structs, the embedded engine, the
//! table statements, and the sync and async clients.

use crate::model::docs;
use crate::names;
use crate::types::{maybe_absent, role, serde_with, Role};
use crate::{Layout, Options};
use proc_macro2::TokenStream;
use quote::quote;
use zgen_sema::{ModelKind, Schema};

pub fn root_file(schema: &Schema, options: &Options, modules: &[(String, String)]) -> TokenStream {
    let mods = modules.iter().map(|(module, file)| {
        let m = names::ident(module);
        match &options.layout {
            Layout::Modules => quote! {
                pub mod #m;
                pub use self::#m::*;
            },
            Layout::OutDir { subdir } => {
                let path = format!("/{subdir}/{file}");
                quote! {
                    pub mod #m {
                        include!(concat!(env!("OUT_DIR"), #path));
                    }
                    pub use self::#m::*;
                }
            }
        }
    });
    let compiled = match &options.layout {
        Layout::Modules => quote!(include_bytes!("schema.bin")),
        Layout::OutDir { subdir } => {
            let path = format!("/{subdir}/schema.bin");
            quote!(include_bytes!(concat!(env!("OUT_DIR"), #path)))
        }
    };
    let enums = enums(schema);
    let types = typed_json(schema, options);
    let tables: Vec<String> = zgen_policy::ddl::create_statements(schema)
        .iter()
        .map(|s| s.to_string())
        .collect();
    let auth = auth_type(schema);
    let accessors = schema.data_models().map(|(_, m)| {
        let acc = names::field(&m.name);
        let ty = names::ty(&m.name, "");
        let doc = format!(" The operations of `{}`.", m.name);
        quote! {
            #[doc = #doc]
            pub fn #acc(&self) -> zc::ModelClient<'_, #ty> {
                zc::ModelClient::new(self.0.engine_client())
            }
        }
    });
    let http_api = options.http_api.then(|| {
        quote! {
            /// ZenStack's RPC API over this schema (`zgen_server::Api`) with
            /// the same compiled rules as the clients: give it the auth
            /// function (or a JWT verifier), then mount its `router()` under
            /// any prefix.
            pub fn api(pool: zc::zgen_server::Pool) -> zc::Result<zc::zgen_server::Api> {
                let engine = zc::zgen_runtime::Engine::from_compiled(COMPILED)
                    .map_err(zc::Error::Decode)?;
                Ok(zc::zgen_server::Api::new(std::sync::Arc::new(engine), pool))
            }
        }
    });
    let async_client = options.async_client.then(|| {
        quote! {
            /// The client for async code: each operation runs on a blocking
            /// thread over one of a few connections.
            #[derive(Clone)]
            pub struct AsyncClient(zc::AsyncPool);

            impl AsyncClient {
                /// Over these connections to one database (at least one).
                pub fn new(conns: Vec<zc::rusqlite::Connection>) -> zc::Result<Self> {
                    Ok(AsyncClient(zc::AsyncPool::new(conns)?))
                }

                /// Runs `f` with a client acting for `auth` (`None`: anonymous).
                pub async fn run<R, F>(&self, auth: Option<#auth>, f: F) -> zc::Result<R>
                where
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
            }
        }
    });
    quote! {
        use ::zgen_client as zc;

        #(#mods)*

        #enums
        #types

        /// The checked schema and its compiled access rules, as
        /// `zgen_runtime::Engine::to_compiled` encodes them.
        pub static COMPILED: &[u8] = #compiled;

        /// The statements that create the schema's tables and indexes.
        pub static CREATE_TABLES: &[&str] = &[#(#tables),*];

        /// The engine, decoded from [`COMPILED`] on first use.
        pub fn engine() -> zc::Result<&'static zc::zgen_runtime::Engine> {
            static ENGINE: std::sync::OnceLock<Result<zc::zgen_runtime::Engine, String>> =
                std::sync::OnceLock::new();
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

        fn auth_json(auth: &#auth) -> zc::serde_json::Value {
            zc::serde_json::to_value(auth).unwrap_or_default()
        }

        /// Runs operations for one auth value over one connection.
        pub struct Client<'c>(zc::Session<'c>);

        impl<'c> Client<'c> {
            /// The same connection, acting for `auth` (`None`: anonymous).
            pub fn with_auth(&self, auth: Option<&#auth>) -> Client<'c> {
                Client(self.0.with_auth(auth.map(auth_json)))
            }

            /// The same connection, acting for an auth value given as JSON.
            pub fn with_auth_json(&self, auth: Option<zc::serde_json::Value>) -> Client<'c> {
                Client(self.0.with_auth(auth))
            }

            /// The untyped session (engine client, connection).
            pub fn as_session(&self) -> &zc::Session<'c> {
                &self.0
            }

            #(#accessors)*
        }

        #async_client
        #http_api
    }
}

/// The type of `auth()`: the `@@auth` model or type, else `User`, else JSON.
fn auth_type(schema: &Schema) -> TokenStream {
    match schema.auth {
        Some(id) => {
            let t = names::ty(&schema.model(id).name, "");
            quote!(#t)
        }
        None => quote!(zc::serde_json::Value),
    }
}

fn enums(schema: &Schema) -> TokenStream {
    let items = schema.enums.iter().filter(|e| !e.builtin).map(|e| {
        let name = names::ty(&e.name, "");
        let doc = docs(&e.docs);
        let variants: Vec<_> = e.values.iter().map(|v| names::ty(&v.name, "")).collect();
        let values: Vec<&str> = e.values.iter().map(|v| v.name.as_str()).collect();
        let stored: Vec<&str> = e.values.iter().map(|v| v.db_name()).collect();
        quote! {
            #doc
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, zc::serde::Serialize, zc::serde::Deserialize)]
            #[serde(crate = "zc::serde")]
            pub enum #name {
                #(#[serde(rename = #values)] #variants,)*
            }

            impl #name {
                /// The value's name in the schema.
                pub fn as_str(self) -> &'static str {
                    match self {
                        #(Self::#variants => #values,)*
                    }
                }

                /// The value as stored (`@map`).
                pub fn stored_as(self) -> &'static str {
                    match self {
                        #(Self::#variants => #stored,)*
                    }
                }
            }

            impl zc::FieldValue for #name {
                fn to_json(&self) -> zc::serde_json::Value {
                    zc::serde_json::Value::String(self.as_str().to_string())
                }
            }
        }
    });
    quote!(#(#items)*)
}

/// `type` declarations: typed-JSON shapes (and auth types).
fn typed_json(schema: &Schema, options: &Options) -> TokenStream {
    let items = schema
        .models
        .iter()
        .filter(|m| m.kind == ModelKind::Type)
        .map(|m| {
            let name = names::ty(&m.name, "");
            let doc = docs(&m.docs);
            let fields = m.fields.iter().filter_map(|f| {
                let Role::Value { ty, .. } = role(schema, f, options.datetime) else {
                    return None;
                };
                let id = names::field(&f.name);
                let n = &f.name;
                let with = serde_with(f);
                Some(if maybe_absent(f) {
                    quote! {
                        #[serde(rename = #n, #with default, skip_serializing_if = "Option::is_none")]
                        pub #id: Option<#ty>,
                    }
                } else {
                    quote! {
                        #[serde(rename = #n, #with)]
                        pub #id: #ty,
                    }
                })
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, zc::serde::Serialize, zc::serde::Deserialize)]
                #[serde(crate = "zc::serde")]
                pub struct #name {
                    #(#fields)*
                }

                impl zc::FieldValue for #name {
                    fn to_json(&self) -> zc::serde_json::Value {
                        zc::serde_json::to_value(self).unwrap_or_default()
                    }
                }
            }
        });
    quote!(#(#items)*)
}
