//! One file per model: the model struct, its argument builders and its
//! `Model` implementation.

use crate::names;
use crate::types::{maybe_absent, queryable, role, serde_with, visible, writable, DateTimes, Role};
use proc_macro2::TokenStream;
use quote::quote;
use zgen_sema::{Field, Model, ModelId, Schema};

pub fn model_file(schema: &Schema, id: ModelId, dt: DateTimes) -> TokenStream {
    let model = schema.model(id);
    let fields: Vec<&Field> = visible(schema, model).collect();
    let name = names::ty(&model.name, "");
    let model_name = &model.name;
    let t = |suffix: &str| names::ty(&model.name, suffix);
    let (where_, unique, order, select, include, omit, create, update) = (
        t("Where"),
        t("WhereUnique"),
        t("OrderBy"),
        t("Select"),
        t("Include"),
        t("Omit"),
        t("Create"),
        t("Update"),
    );
    let record = record(schema, model, &fields, dt);
    let builders = [
        (&where_, " `where`: which rows."),
        (&unique, " A unique key: one row."),
        (&order, " One `orderBy` key."),
        (&select, " `select`: the fields to return."),
        (&include, " `include`: the relations to load."),
        (
            &omit,
            " `omit`: fields to leave out (or, with `false`, to add back).",
        ),
        (&create, " The `data` of a create."),
        (&update, " The `data` of an update."),
    ]
    .iter()
    .map(|(ty, doc)| builder_struct(ty, doc))
    .collect::<Vec<_>>();
    let stored: Vec<&Field> = fields.iter().copied().filter(|f| queryable(f)).collect();
    let where_methods = where_methods(schema, &stored, &where_, dt);
    let unique_methods = unique_methods(schema, model, id, dt);
    let order_methods = order_methods(schema, &stored, dt);
    let (select_methods, include_methods, omit_methods) = shape_methods(schema, &stored, dt);
    let data_methods = data_methods(schema, &fields, dt);
    quote! {
        use super::*;

        #record

        impl zc::Model for #name {
            const NAME: &'static str = #model_name;
            type Where = #where_;
            type WhereUnique = #unique;
            type OrderBy = #order;
            type Select = #select;
            type Include = #include;
            type Omit = #omit;
            type Create = #create;
            type Update = #update;
        }

        #(#builders)*

        impl #where_ {
            #where_methods
        }

        impl #unique {
            #unique_methods
        }

        impl #order {
            #order_methods
        }

        impl #select {
            #select_methods
        }

        impl #include {
            #include_methods
        }

        impl #omit {
            #omit_methods
        }

        impl #create {
            #data_methods
        }

        impl #update {
            #data_methods
        }
    }
}

/// The model struct, as results deserialize into it.
fn record(schema: &Schema, model: &Model, fields: &[&Field], dt: DateTimes) -> TokenStream {
    let name = names::ty(&model.name, "");
    let doc = docs(&model.docs);
    let mut has_many = false;
    let members = fields.iter().map(|f| {
        let id = names::field(&f.name);
        let rename = rename(f);
        let with = serde_with(f);
        let doc = docs(&f.docs);
        match role(schema, f, dt) {
            Role::Relation { model, many } => {
                has_many |= many;
                let other = names::ty(&model, "");
                let ty = if many {
                    quote!(Vec<#other>)
                } else {
                    quote!(Box<#other>)
                };
                quote! {
                    #doc
                    #[serde(#rename default, skip_serializing_if = "Option::is_none")]
                    pub #id: Option<#ty>,
                }
            }
            Role::Value { ty, .. } if maybe_absent(f) => quote! {
                #doc
                #[serde(#rename #with default)]
                pub #id: Option<#ty>,
            },
            Role::Value { ty, .. } => {
                let attr = if rename.is_empty() && with.is_empty() {
                    quote!()
                } else {
                    quote!(#[serde(#rename #with)])
                };
                quote! {
                    #doc
                    #attr
                    pub #id: #ty,
                }
            }
        }
    });
    let members: Vec<TokenStream> = members.collect();
    let count = has_many.then(|| {
        quote! {
            /// Related-row counts, when `_count` is included.
            #[serde(rename = "_count", default, skip_serializing_if = "Option::is_none")]
            pub relation_counts: Option<zc::serde_json::Value>,
        }
    });
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, zc::serde::Serialize, zc::serde::Deserialize)]
        #[serde(crate = "zc::serde")]
        pub struct #name {
            #(#members)*
            #count
        }
    }
}

/// `rename = "createdAt",` when the Rust name differs.
fn rename(f: &Field) -> TokenStream {
    let rust = names::field(&f.name).to_string();
    if rust.trim_start_matches("r#") == f.name {
        quote!()
    } else {
        let n = &f.name;
        quote!(rename = #n,)
    }
}

pub fn docs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| {
        let l = format!(" {}", l.trim_start_matches('/').trim());
        quote!(#[doc = #l])
    });
    quote!(#(#lines)*)
}

fn builder_struct(ty: &proc_macro2::Ident, doc: &str) -> TokenStream {
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct #ty(zc::Map);

        impl zc::Args for #ty {
            fn into_map(self) -> zc::Map {
                self.0
            }
            fn from_map(map: zc::Map) -> Self {
                Self(map)
            }
        }
    }
}

/// Names the builders use for their own methods; a field that would clash
/// gets a `_field` suffix.
const RESERVED: &[&str] = &[
    "new",
    "and",
    "or",
    "not",
    "into_json",
    "set",
    "into_map",
    "from_map",
];

fn setter(f: &Field, suffix: &str) -> proc_macro2::Ident {
    let base = names::snake(&f.name);
    if suffix.is_empty() && RESERVED.contains(&base.as_str()) {
        names::method(&f.name, "_field")
    } else {
        names::method(&f.name, suffix)
    }
}

fn where_methods(
    schema: &Schema,
    fields: &[&Field],
    where_: &proc_macro2::Ident,
    dt: DateTimes,
) -> TokenStream {
    let methods = fields.iter().filter_map(|f| {
        let key = &f.name;
        let m = setter(f, "");
        match role(schema, f, dt) {
            Role::Value {
                ty,
                comparable: true,
            } => Some(quote! {
                pub fn #m(self, filter: impl Into<zc::Filter<#ty>>) -> Self {
                    zc::Args::set(self, #key, filter.into().into_json())
                }
            }),
            Role::Relation { model, many } => {
                let other = names::ty(&model, "");
                let filter = if many {
                    quote!(zc::ListFilter<#other>)
                } else {
                    quote!(zc::ToOneFilter<#other>)
                };
                Some(quote! {
                    pub fn #m(self, filter: #filter) -> Self {
                        zc::Args::set(self, #key, filter.into_json())
                    }
                })
            }
            Role::Value { .. } => None,
        }
    });
    quote! {
        pub fn new() -> Self {
            Self::default()
        }
        #(#methods)*
        /// Every one of `filters` holds.
        pub fn and(self, filters: impl IntoIterator<Item = #where_>) -> Self {
            let all = filters.into_iter().map(zc::Args::into_json).collect();
            zc::Args::set(self, "AND", all)
        }
        /// At least one of `filters` holds.
        pub fn or(self, filters: impl IntoIterator<Item = #where_>) -> Self {
            let any = filters.into_iter().map(zc::Args::into_json).collect();
            zc::Args::set(self, "OR", any)
        }
        /// `filter` does not hold.
        pub fn not(self, filter: #where_) -> Self {
            zc::Args::set(self, "NOT", zc::Args::into_json(filter))
        }
    }
}

/// Constructors, one per unique key: `@id`/`@unique` fields and
/// `@@id`/`@@unique` field lists.
fn unique_methods(schema: &Schema, model: &Model, id: ModelId, dt: DateTimes) -> TokenStream {
    let mut out = Vec::new();
    let single = model
        .fields
        .iter()
        .filter(|f| f.has_attribute("@id") || f.has_attribute("@unique"));
    for f in single {
        if let Role::Value { ty, .. } = role(schema, f, dt) {
            let m = setter(f, "");
            let key = &f.name;
            out.push(quote! {
                pub fn #m(value: impl Into<#ty>) -> Self {
                    zc::Args::set(Self::default(), #key, zc::FieldValue::to_json(&value.into()))
                }
            });
        }
    }
    let compound = model
        .attributes
        .iter()
        .filter(|a| a.name == "@@id" || a.name == "@@unique");
    // `@@id` and `@@unique` on the same fields are one key.
    let mut seen = std::collections::BTreeSet::new();
    for attr in compound {
        let Some(list) = attr.arg(0) else { continue };
        let zgen_sema::expr::ExprKind::Array(items) = &list.value.kind else {
            continue;
        };
        let parts: Vec<&Field> = items
            .iter()
            .filter_map(|e| e.as_field())
            .filter(|f| f.model == id)
            .map(|f| schema.field(f))
            .collect();
        if parts.len() != items.len() || parts.is_empty() {
            continue;
        }
        let key = attr
            .named_arg("name")
            .and_then(|a| a.value.as_string())
            .map(str::to_string)
            .unwrap_or_else(|| {
                parts
                    .iter()
                    .map(|f| f.name.as_str())
                    .collect::<Vec<_>>()
                    .join("_")
            });
        if !seen.insert(key.clone()) {
            continue;
        }
        let m = names::field(&key);
        let mut params = Vec::new();
        let mut inserts = Vec::new();
        for f in &parts {
            let Role::Value { ty, .. } = role(schema, f, dt) else {
                continue;
            };
            let p = names::field(&f.name);
            let k = &f.name;
            params.push(quote!(#p: impl Into<#ty>));
            inserts.push(quote!(map.insert(#k.to_string(), zc::FieldValue::to_json(&#p.into()));));
        }
        out.push(quote! {
            pub fn #m(#(#params),*) -> Self {
                let mut map = zc::Map::new();
                #(#inserts)*
                zc::Args::set(Self::default(), #key, zc::serde_json::Value::Object(map))
            }
        });
    }
    quote!(#(#out)*)
}

fn order_methods(schema: &Schema, fields: &[&Field], dt: DateTimes) -> TokenStream {
    let methods = fields.iter().map(|f| {
        let key = &f.name;
        match role(schema, f, dt) {
            Role::Value {
                comparable: true, ..
            } => {
                let m = setter(f, "");
                quote! {
                    pub fn #m(self, sort: zc::Sort) -> Self {
                        zc::Args::set(self, #key, sort.into_json())
                    }
                }
            }
            Role::Relation { model, many: false } => {
                let m = setter(f, "");
                let other = names::ty(&model, "OrderBy");
                quote! {
                    pub fn #m(self, order: #other) -> Self {
                        zc::Args::set(self, #key, zc::Args::into_json(order))
                    }
                }
            }
            Role::Relation { many: true, .. } => {
                let m = setter(f, "_count");
                quote! {
                    /// By the number of related rows.
                    pub fn #m(self, sort: zc::Sort) -> Self {
                        let mut count = zc::Map::new();
                        count.insert("_count".to_string(), sort.into_json());
                        zc::Args::set(self, #key, zc::serde_json::Value::Object(count))
                    }
                }
            }
            Role::Value { .. } => quote!(),
        }
    });
    quote! {
        pub fn new() -> Self {
            Self::default()
        }
        #(#methods)*
    }
}

/// Methods of `select`, `include` and `omit`.
fn shape_methods(
    schema: &Schema,
    fields: &[&Field],
    dt: DateTimes,
) -> (TokenStream, TokenStream, TokenStream) {
    let mut select = Vec::new();
    let mut include = Vec::new();
    let mut omit = Vec::new();
    let mut has_many = false;
    for f in fields {
        let key = &f.name;
        let m = setter(f, "");
        match role(schema, f, dt) {
            Role::Relation { model, many } => {
                has_many |= many;
                let other = names::ty(&model, "");
                let with = setter(f, "_with");
                let both = quote! {
                    pub fn #m(self) -> Self {
                        zc::Args::set(self, #key, zc::serde_json::Value::Bool(true))
                    }
                    pub fn #with(self, args: zc::Nested<#other>) -> Self {
                        zc::Args::set(self, #key, args.into_json())
                    }
                };
                select.push(both.clone());
                include.push(both);
            }
            Role::Value { .. } => {
                select.push(quote! {
                    pub fn #m(self) -> Self {
                        zc::Args::set(self, #key, zc::serde_json::Value::Bool(true))
                    }
                });
                omit.push(quote! {
                    pub fn #m(self, omit: bool) -> Self {
                        zc::Args::set(self, #key, zc::serde_json::Value::Bool(omit))
                    }
                });
            }
        }
    }
    if has_many {
        let count = quote! {
            /// `_count` of every to-many relation.
            pub fn relation_counts(self) -> Self {
                zc::Args::set(self, "_count", zc::serde_json::Value::Bool(true))
            }
        };
        select.push(count.clone());
        include.push(count);
    }
    let new = quote! {
        pub fn new() -> Self {
            Self::default()
        }
    };
    (
        quote!(#new #(#select)*),
        quote!(#new #(#include)*),
        quote!(#new #(#omit)*),
    )
}

/// Setters of create and update data: values, number operators (through
/// `Assign`), and nested writes on relations.
fn data_methods(schema: &Schema, fields: &[&Field], dt: DateTimes) -> TokenStream {
    let methods = fields.iter().filter(|f| writable(f)).map(|f| {
        let key = &f.name;
        let m = setter(f, "");
        match role(schema, f, dt) {
            Role::Value { ty, .. } => quote! {
                pub fn #m(self, value: impl zc::Assign<#ty>) -> Self {
                    zc::Args::set(self, #key, zc::Assign::into_json(value))
                }
            },
            Role::Relation { model, .. } => {
                let other = names::ty(&model, "");
                quote! {
                    pub fn #m(self, write: zc::Write<#other>) -> Self {
                        zc::Args::set(self, #key, write.into_json())
                    }
                }
            }
        }
    });
    quote! {
        pub fn new() -> Self {
            Self::default()
        }
        #(#methods)*
    }
}
