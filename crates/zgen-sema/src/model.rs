//! The resolved schema: declarations by id, with inherited members merged in
//! and every attribute argument bound and typed.

use crate::expr::Expr;
use serde::{Deserialize, Serialize};
use zgen_diagnostics::Span;
pub use zgen_syntax::ast::ModelKind;

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub struct $name(pub u32);

        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

id_type! {
    /// A model, view, `type` or v2 abstract model.
    ModelId;
    EnumId;
    FunctionId;
    AttributeId;
    ProcedureId;
}

/// A field of a model: the model and the position in its merged field list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct FieldId {
    pub model: ModelId,
    pub index: u32,
}

/// The whole checked schema.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Schema {
    pub datasource: Option<Datasource>,
    pub models: Vec<Model>,
    pub enums: Vec<Enum>,
    /// Built-in functions first, then the user's.
    pub functions: Vec<Function>,
    /// Built-in attributes first, then the user's.
    pub attributes: Vec<AttributeDecl>,
    pub procedures: Vec<Procedure>,
    pub plugins: Vec<Plugin>,
    /// The type of `auth()`.
    pub auth: Option<ModelId>,
}

impl Schema {
    pub fn model(&self, id: ModelId) -> &Model {
        &self.models[id.index()]
    }

    pub fn field(&self, id: FieldId) -> &Field {
        &self.models[id.model.index()].fields[id.index as usize]
    }

    pub fn enum_(&self, id: EnumId) -> &Enum {
        &self.enums[id.index()]
    }

    pub fn function(&self, id: FunctionId) -> &Function {
        &self.functions[id.index()]
    }

    pub fn attribute(&self, id: AttributeId) -> &AttributeDecl {
        &self.attributes[id.index()]
    }

    pub fn model_by_name(&self, name: &str) -> Option<ModelId> {
        self.models
            .iter()
            .position(|m| m.name == name)
            .map(|i| ModelId(i as u32))
    }

    /// Models and views that are stored (not `type`s or abstract models).
    pub fn data_models(&self) -> impl Iterator<Item = (ModelId, &Model)> {
        self.models
            .iter()
            .enumerate()
            .filter(|(_, m)| m.is_data_model())
            .map(|(i, m)| (ModelId(i as u32), m))
    }

    pub fn model_ids(&self) -> impl Iterator<Item = ModelId> {
        (0..self.models.len() as u32).map(ModelId)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Provider {
    Sqlite,
    Postgresql,
    Mysql,
}

impl Provider {
    pub fn parse(s: &str) -> Option<Provider> {
        match s {
            "sqlite" => Some(Provider::Sqlite),
            "postgresql" => Some(Provider::Postgresql),
            "mysql" => Some(Provider::Mysql),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Datasource {
    pub name: String,
    pub provider: Option<Provider>,
    pub span: Span,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Plugin {
    pub name: String,
    pub provider: Option<String>,
    pub span: Span,
}

/// A model, view, `type` or abstract model with its merged members.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub kind: ModelKind,
    pub docs: Vec<String>,
    /// Span of the name.
    pub span: Span,
    /// Direct mixins (`with`, or `extends` of an abstract model).
    pub mixins: Vec<ModelId>,
    /// The delegate base (`extends`).
    pub base: Option<ModelId>,
    /// Own and inherited fields; inherited ones first, in inheritance order.
    pub fields: Vec<Field>,
    /// Own and inherited model-level attributes.
    pub attributes: Vec<AttributeApp>,
    /// Model-level `@@allow` / `@@deny` rules, own and inherited.
    pub rules: Vec<PolicyRule>,
}

impl Model {
    /// Stored in a table: a model or a view.
    pub fn is_data_model(&self) -> bool {
        matches!(self.kind, ModelKind::Model | ModelKind::View)
    }

    pub fn field_by_name(&self, name: &str) -> Option<(u32, &Field)> {
        self.fields
            .iter()
            .enumerate()
            .find(|(_, f)| f.name == name)
            .map(|(i, f)| (i as u32, f))
    }

    pub fn attribute(&self, name: &str) -> Option<&AttributeApp> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn attributes_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a AttributeApp> {
        self.attributes.iter().filter(move |a| a.name == name)
    }

    /// The storage name: `@@map("x")` or the model name.
    pub fn db_name(&self) -> &str {
        self.attribute("@@map")
            .and_then(|a| a.string_arg(0))
            .unwrap_or(&self.name)
    }
}

/// The scalar types of the language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Scalar {
    String,
    Boolean,
    Int,
    BigInt,
    Float,
    Decimal,
    DateTime,
    Json,
    Bytes,
}

impl Scalar {
    pub fn parse(s: &str) -> Option<Scalar> {
        Some(match s {
            "String" => Scalar::String,
            "Boolean" => Scalar::Boolean,
            "Int" => Scalar::Int,
            "BigInt" => Scalar::BigInt,
            "Float" => Scalar::Float,
            "Decimal" => Scalar::Decimal,
            "DateTime" => Scalar::DateTime,
            "Json" => Scalar::Json,
            "Bytes" => Scalar::Bytes,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Scalar::String => "String",
            Scalar::Boolean => "Boolean",
            Scalar::Int => "Int",
            Scalar::BigInt => "BigInt",
            Scalar::Float => "Float",
            Scalar::Decimal => "Decimal",
            Scalar::DateTime => "DateTime",
            Scalar::Json => "Json",
            Scalar::Bytes => "Bytes",
        }
    }
}

/// What a field's declared type names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FieldTypeKind {
    Scalar(Scalar),
    Enum(EnumId),
    /// A model or view: a relation field.
    Model(ModelId),
    /// A `type`: typed JSON (with `@json`) or a mixin-only relation holder.
    TypeDef(ModelId),
    Unsupported(String),
    /// The name did not resolve; a diagnostic was reported.
    Unresolved,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldType {
    pub kind: FieldTypeKind,
    pub list: bool,
    pub optional: bool,
}

/// A field with its resolved type and attributes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    /// Span of the written type.
    pub type_span: Span,
    pub ty: FieldType,
    pub attributes: Vec<AttributeApp>,
    /// The model that declares the field, when it is inherited.
    pub inherited_from: Option<ModelId>,
    /// Relation metadata, for fields typed by a model.
    pub relation: Option<Relation>,
    /// Field-level `@allow` / `@deny` rules.
    pub rules: Vec<PolicyRule>,
}

impl Field {
    pub fn has_attribute(&self, name: &str) -> bool {
        self.attributes.iter().any(|a| a.name == name)
    }

    pub fn attribute(&self, name: &str) -> Option<&AttributeApp> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn is_relation(&self) -> bool {
        matches!(self.ty.kind, FieldTypeKind::Model(_))
    }

    pub fn related_model(&self) -> Option<ModelId> {
        match self.ty.kind {
            FieldTypeKind::Model(m) => Some(m),
            _ => None,
        }
    }

    /// The storage name: `@map("x")` or the field name.
    pub fn db_name(&self) -> &str {
        self.attribute("@map")
            .and_then(|a| a.string_arg(0))
            .unwrap_or(&self.name)
    }

    pub fn is_computed(&self) -> bool {
        self.has_attribute("@computed")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RelationKind {
    OneToOne,
    /// This side is the single end (`author User`) of a one-to-many.
    ManyToOne,
    /// This side is the list end (`posts Post[]`) of a one-to-many.
    OneToMany,
    /// Both sides are lists: an implicit join table.
    ManyToMany,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReferentialAction {
    Cascade,
    Restrict,
    NoAction,
    SetNull,
    SetDefault,
}

impl ReferentialAction {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "Cascade" => Self::Cascade,
            "Restrict" => Self::Restrict,
            "NoAction" => Self::NoAction,
            "SetNull" => Self::SetNull,
            "SetDefault" => Self::SetDefault,
            _ => return None,
        })
    }
}

/// Resolved relation of a relation field.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Relation {
    /// The `@relation("name")`, if given.
    pub name: Option<String>,
    /// Foreign-key fields on this model (`fields:`), empty on the other side.
    pub fields: Vec<FieldId>,
    /// Referenced fields on the related model (`references:`).
    pub references: Vec<FieldId>,
    pub on_delete: Option<ReferentialAction>,
    pub on_update: Option<ReferentialAction>,
    /// The field on the related model that is the other end.
    pub opposite: Option<FieldId>,
    pub kind: Option<RelationKind>,
}

impl Relation {
    /// This side holds the foreign key.
    pub fn is_owner(&self) -> bool {
        !self.fields.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Enum {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub values: Vec<EnumValue>,
    pub attributes: Vec<AttributeApp>,
    pub builtin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnumValue {
    pub name: String,
    pub span: Span,
    pub attributes: Vec<AttributeApp>,
}

impl EnumValue {
    /// The storage value: `@map("x")` or the name.
    pub fn db_name(&self) -> &str {
        self.attributes
            .iter()
            .find(|a| a.name == "@map")
            .and_then(|a| a.string_arg(0))
            .unwrap_or(&self.name)
    }
}

/// A parameter or return type of a function, attribute or procedure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParamType {
    pub kind: ParamTypeKind,
    pub list: bool,
    pub optional: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ParamTypeKind {
    Scalar(Scalar),
    Null,
    Object,
    Any,
    Void,
    Undefined,
    Unsupported,
    /// A field of the model the attribute is on.
    FieldReference,
    /// A field of the related model (`@relation(references:)`).
    TransitiveFieldReference,
    /// The type of the field the attribute is on (`@default`).
    ContextType,
    Enum(EnumId),
    Model(ModelId),
    Unresolved,
}

/// Where a function may be called (`@@@expressionContext`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ExpressionContext {
    DefaultValue,
    AccessPolicy,
    ValidationRule,
    Index,
}

impl ExpressionContext {
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "DefaultValue" => Self::DefaultValue,
            "AccessPolicy" => Self::AccessPolicy,
            "ValidationRule" => Self::ValidationRule,
            "Index" => Self::Index,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::DefaultValue => "DefaultValue",
            Self::AccessPolicy => "AccessPolicy",
            Self::ValidationRule => "ValidationRule",
            Self::Index => "Index",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Function {
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub params: Vec<FunctionParam>,
    pub return_type: ParamType,
    /// Empty: usable only where no context is checked (config values).
    pub contexts: Vec<ExpressionContext>,
    pub builtin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionParam {
    pub name: String,
    pub ty: ParamType,
}

/// A declared attribute (`attribute @x(...)`), built in or the user's.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributeDecl {
    /// With its `@` prefix.
    pub name: String,
    pub docs: Vec<String>,
    pub span: Span,
    pub params: Vec<AttributeParam>,
    /// `@@@targetField` kinds; empty means any field.
    pub target_fields: Vec<String>,
    pub once: bool,
    pub once_in_model: bool,
    pub deprecated: Option<String>,
    pub validation: bool,
    pub builtin: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributeParam {
    pub name: String,
    pub positional: bool,
    pub ty: ParamType,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Procedure {
    pub name: String,
    pub mutation: bool,
    pub span: Span,
    pub params: Vec<FunctionParam>,
    pub return_type: ParamType,
}

/// An attribute application with its arguments bound to parameters.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AttributeApp {
    /// With its `@` prefix.
    pub name: String,
    pub decl: Option<AttributeId>,
    /// Arguments in written order, each bound to a parameter where possible.
    pub args: Vec<BoundArg>,
    pub span: Span,
    /// Span of the name, for "here" labels.
    pub name_span: Span,
    /// The model the attribute was written in, when inherited.
    pub inherited_from: Option<ModelId>,
}

impl AttributeApp {
    /// The argument bound to parameter `index` of the declaration.
    pub fn arg(&self, index: usize) -> Option<&BoundArg> {
        self.args.iter().find(|a| a.param == Some(index))
    }

    /// The argument bound to the parameter named `name`.
    pub fn named_arg(&self, name: &str) -> Option<&BoundArg> {
        self.args
            .iter()
            .find(|a| a.param_name.as_deref() == Some(name))
    }

    /// A string-literal argument at parameter `index`.
    pub fn string_arg(&self, index: usize) -> Option<&str> {
        self.arg(index).and_then(|a| a.value.as_string())
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BoundArg {
    /// The declaration parameter index; `None` when it could not be bound.
    pub param: Option<usize>,
    pub param_name: Option<String>,
    pub value: Expr,
    pub span: Span,
}

/// `@@allow` or `@@deny` (and the field-level forms).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum RuleKind {
    Allow,
    Deny,
}

/// A set of policy operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, Serialize, Deserialize)]
pub struct Operations {
    pub create: bool,
    pub read: bool,
    pub update: bool,
    pub post_update: bool,
    pub delete: bool,
}

/// One operation a rule can govern.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Operation {
    Create,
    Read,
    Update,
    PostUpdate,
    Delete,
}

impl Operation {
    pub const ALL: [Operation; 5] = [
        Operation::Create,
        Operation::Read,
        Operation::Update,
        Operation::PostUpdate,
        Operation::Delete,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Operation::Create => "create",
            Operation::Read => "read",
            Operation::Update => "update",
            Operation::PostUpdate => "post-update",
            Operation::Delete => "delete",
        }
    }
}

impl Operations {
    pub fn contains(self, op: Operation) -> bool {
        match op {
            Operation::Create => self.create,
            Operation::Read => self.read,
            Operation::Update => self.update,
            Operation::PostUpdate => self.post_update,
            Operation::Delete => self.delete,
        }
    }

    pub fn insert(&mut self, op: Operation) {
        match op {
            Operation::Create => self.create = true,
            Operation::Read => self.read = true,
            Operation::Update => self.update = true,
            Operation::PostUpdate => self.post_update = true,
            Operation::Delete => self.delete = true,
        }
    }

    pub fn is_empty(self) -> bool {
        self == Operations::default()
    }
}

/// A policy rule with its parsed operation list and checked condition.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PolicyRule {
    pub kind: RuleKind,
    pub operations: Operations,
    /// The operation string exactly as written (V-P3 and V-P4 look at it).
    pub operations_text: String,
    pub condition: Expr,
    pub span: Span,
    pub inherited_from: Option<ModelId>,
}
