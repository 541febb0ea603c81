//! The typed syntax tree of one `.zmodel` file.
//!
//! Nodes are plain values that carry their [`Span`]. The tree keeps what the
//! formatter needs to print the file back (declaration and member order,
//! doc comments, parentheses); ordinary comments are kept beside the tree in
//! [`SchemaFile::comments`]. Nothing here is resolved: names are strings.
//! The tree is serde-serializable so zgen-sema can embed its built-in
//! declarations already parsed (see its `build.rs`).

use serde::{Deserialize, Serialize};
use zgen_diagnostics::{FileId, Span};

/// A name as written, with its span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A `//` or `/* */` comment, kept for the formatter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Comment {
    /// The comment text including its `//` or `/* */` delimiters.
    pub text: String,
    pub span: Span,
}

/// `///` lines attached to the element that follows them, without the
/// leading `///` (the rest of the line is kept verbatim).
pub type Docs = Vec<String>;

/// One parsed file.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SchemaFile {
    pub file: FileId,
    pub imports: Vec<Import>,
    pub decls: Vec<Decl>,
    /// Every non-doc comment of the file, in source order.
    pub comments: Vec<Comment>,
}

/// `import "path"`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Import {
    /// The path as written (string contents, escapes resolved).
    pub path: String,
    /// Span of the string literal.
    pub path_span: Span,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Decl {
    /// `datasource`, `generator` and `plugin` blocks.
    Config(ConfigBlock),
    /// `model`, `view`, `type` and v2's `abstract model`.
    Model(Model),
    Enum(Enum),
    Function(FunctionDecl),
    Attribute(AttributeDecl),
    Procedure(Procedure),
}

impl Decl {
    pub fn name(&self) -> &Ident {
        match self {
            Decl::Config(d) => &d.name,
            Decl::Model(d) => &d.name,
            Decl::Enum(d) => &d.name,
            Decl::Function(d) => &d.name,
            Decl::Attribute(d) => &d.name,
            Decl::Procedure(d) => &d.name,
        }
    }

    pub fn span(&self) -> Span {
        match self {
            Decl::Config(d) => d.span,
            Decl::Model(d) => d.span,
            Decl::Enum(d) => d.span,
            Decl::Function(d) => d.span,
            Decl::Attribute(d) => d.span,
            Decl::Procedure(d) => d.span,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfigKind {
    Datasource,
    Generator,
    Plugin,
}

impl ConfigKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ConfigKind::Datasource => "datasource",
            ConfigKind::Generator => "generator",
            ConfigKind::Plugin => "plugin",
        }
    }
}

/// `datasource db { provider = 'sqlite' }` and its siblings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigBlock {
    pub docs: Docs,
    pub kind: ConfigKind,
    pub name: Ident,
    pub fields: Vec<ConfigField>,
    pub span: Span,
}

/// `key = value`; the value is a literal, call, array or object expression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConfigField {
    pub docs: Docs,
    pub name: Ident,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ModelKind {
    Model,
    View,
    /// `type`: a mixin, a typed-JSON shape or an auth type.
    Type,
    /// v2's `abstract model`, read as a mixin.
    AbstractModel,
}

impl ModelKind {
    pub fn keyword(self) -> &'static str {
        match self {
            ModelKind::Model => "model",
            ModelKind::View => "view",
            ModelKind::Type => "type",
            ModelKind::AbstractModel => "abstract model",
        }
    }
}

/// `model`, `view`, `type` or `abstract model` with its body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub docs: Docs,
    pub kind: ModelKind,
    /// Span of the keyword(s) (`model`, `abstract model`, ...).
    pub keyword_span: Span,
    pub name: Ident,
    /// Names after `with`, in order.
    pub mixins: Vec<Ident>,
    /// The name after `extends`; v2 allowed several, comma-separated.
    pub extends: Vec<Ident>,
    /// True when `extends` was written before `with` (kept for the formatter).
    pub extends_first: bool,
    pub members: Vec<Member>,
    pub span: Span,
}

impl Model {
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.members.iter().filter_map(|m| match m {
            Member::Field(f) => Some(f),
            Member::Attribute(_) => None,
        })
    }

    /// The `@@` attributes of the body.
    pub fn attributes(&self) -> impl Iterator<Item = &Attribute> {
        self.members.iter().filter_map(|m| match m {
            Member::Attribute(a) => Some(a),
            Member::Field(_) => None,
        })
    }
}

/// A model body entry, in source order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Member {
    Field(Field),
    /// A model-level `@@attribute`.
    Attribute(Attribute),
}

/// `name Type[]? @attr...`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Field {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeRef,
    pub attributes: Vec<Attribute>,
    pub span: Span,
}

/// A written type: `String`, `Post[]`, `Int?`, `Unsupported("x")`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TypeRef {
    pub name: TypeName,
    pub array: bool,
    pub optional: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum TypeName {
    /// A builtin type keyword or a declared name.
    Named(Ident),
    /// `Unsupported(expr)`; the argument must be a string literal (V-D4).
    Unsupported(Box<Expr>),
}

/// `@name(args)`, `@@name(args)` or `@@@name(args)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attribute {
    pub docs: Docs,
    /// The full name with its `@` prefix, e.g. `@@allow` or `@db.VarChar`.
    pub name: Ident,
    /// `None` when written without parentheses (`@id`), `Some(vec![])` for `@id()`.
    pub args: Option<Vec<Arg>>,
    pub span: Span,
}

impl Attribute {
    /// The number of leading `@` (1 field, 2 model, 3 internal).
    pub fn level(&self) -> usize {
        self.name.name.chars().take_while(|c| *c == '@').count()
    }

    pub fn args(&self) -> &[Arg] {
        self.args.as_deref().unwrap_or(&[])
    }
}

/// A positional (`value`) or named (`name: value`) argument.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Arg {
    pub name: Option<Ident>,
    pub value: Expr,
    pub span: Span,
}

/// `enum Name { A B @map("b") @@map("e") }`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Enum {
    pub docs: Docs,
    pub name: Ident,
    pub members: Vec<EnumMember>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum EnumMember {
    Value(EnumValue),
    Attribute(Attribute),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnumValue {
    pub docs: Docs,
    pub name: Ident,
    pub attributes: Vec<Attribute>,
    pub span: Span,
}

/// `function name(p: T, q: U?): R { expr? } @@@attrs`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FunctionDecl {
    pub docs: Docs,
    pub name: Ident,
    pub params: Vec<Param>,
    pub return_type: TypeRef,
    /// The optional expression inside the braces.
    pub body: Option<Expr>,
    pub attributes: Vec<Attribute>,
    pub span: Span,
}

/// A function or procedure parameter `name: Type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Param {
    pub docs: Docs,
    pub name: Ident,
    pub ty: TypeRef,
    pub span: Span,
}

/// `attribute @name(_ p: T, q: U?) @@@meta`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeDecl {
    pub docs: Docs,
    /// The full name with its `@` prefix.
    pub name: Ident,
    pub params: Vec<AttributeParam>,
    pub attributes: Vec<Attribute>,
    pub span: Span,
}

/// `[_] name: Type` in an attribute declaration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttributeParam {
    pub docs: Docs,
    /// Written with a leading `_`: may be passed without its name.
    pub positional: bool,
    pub name: Ident,
    pub ty: TypeRef,
    pub attributes: Vec<Attribute>,
    pub span: Span,
}

/// `[mutation] procedure name(p: T): R`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Procedure {
    pub docs: Docs,
    pub mutation: bool,
    pub name: Ident,
    pub params: Vec<Param>,
    pub return_type: TypeRef,
    pub attributes: Vec<Attribute>,
    pub span: Span,
}

/// An expression with its span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ExprKind {
    /// A string literal; escapes are resolved.
    String(String),
    /// A number literal as written (`-1`, `2.5`).
    Number(String),
    Bool(bool),
    Null,
    This,
    /// A bare name: field, enum value, binding, parameter. Named arguments
    /// appear in index field lists: `@@index([name(sort: Desc)])`.
    Ref {
        name: Ident,
        args: Vec<Arg>,
    },
    /// `f(a, b)`.
    Call {
        callee: Ident,
        args: Vec<Arg>,
    },
    /// `receiver.member`.
    Member {
        receiver: Box<Expr>,
        member: Ident,
    },
    /// `!operand`.
    Not(Box<Expr>),
    Binary {
        op: BinaryOp,
        op_span: Span,
        lhs: Box<Expr>,
        rhs: Box<Expr>,
    },
    /// `collection?[binding, condition]` and the `!` / `^` forms.
    Collection {
        quantifier: Quantifier,
        collection: Box<Expr>,
        binding: Option<Ident>,
        condition: Box<Expr>,
    },
    Array(Vec<Expr>),
    Object(Vec<ObjectEntry>),
    /// `( inner )`: kept so the formatter and lints see the user's grouping.
    Paren(Box<Expr>),
}

impl Expr {
    /// The expression without surrounding parentheses.
    pub fn unparen(&self) -> &Expr {
        match &self.kind {
            ExprKind::Paren(inner) => inner.unparen(),
            _ => self,
        }
    }
}

/// `key: value` in an object literal; the key may be quoted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectEntry {
    pub key: Ident,
    /// True when the key was written as a string literal.
    pub quoted: bool,
    pub value: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BinaryOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
    In,
}

impl BinaryOp {
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::And => "&&",
            BinaryOp::Or => "||",
            BinaryOp::In => "in",
        }
    }

    /// Binding strength per E-3 (higher binds tighter); `&&` and `||`
    /// share the loosest level (E-4).
    pub fn precedence(self) -> u8 {
        match self {
            BinaryOp::In => 4,
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => 3,
            BinaryOp::Eq | BinaryOp::Ne => 2,
            BinaryOp::And | BinaryOp::Or => 1,
        }
    }
}

/// The three collection predicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Quantifier {
    /// `?[ ]`: some element matches.
    Some,
    /// `![ ]`: every element matches.
    Every,
    /// `^[ ]`: no element matches.
    None,
}

impl Quantifier {
    pub fn symbol(self) -> &'static str {
        match self {
            Quantifier::Some => "?",
            Quantifier::Every => "!",
            Quantifier::None => "^",
        }
    }
}
