//! Which words may be used as which names (L-3).
//!
//! The grammar accepts any identifier where a name goes; lowering reports
//! the words the language does not allow there, so one bad name is one
//! precise diagnostic and the element still lands in the tree.

use zgen_diagnostics::{Code, Diagnostic};

use super::Lower;
use crate::ast::Ident;

/// Never a name.
const RESERVED: &[&str] = &[
    "with",
    "extends",
    "this",
    "null",
    "true",
    "false",
    "function",
    "procedure",
    "mutation",
    "generator",
    "Undefined",
    "FieldReference",
    "TransitiveFieldReference",
    "ContextType",
    "_",
];

/// Type keywords: allowed as field, enum value, reference and member names
/// only.
const TYPE_KEYWORDS: &[&str] = &[
    "String",
    "Boolean",
    "Int",
    "BigInt",
    "Float",
    "Decimal",
    "DateTime",
    "Json",
    "Bytes",
    "Null",
    "Object",
    "Any",
    "Void",
    "Unsupported",
];

/// Where a name appears, for the rules and the message.
#[derive(Clone, Copy)]
pub(crate) enum NameUse {
    /// A declaration name, with its keyword (`model`, `enum`, ...).
    Declaration(&'static str),
    Field,
    EnumValue,
    Parameter,
    ConfigField,
    Argument,
    ObjectKey,
    Binding,
    /// A name after `with` or `extends`.
    Mixin,
    /// A reference or member name in an expression.
    Reference,
}

impl NameUse {
    fn allows_type_keywords(self) -> bool {
        matches!(
            self,
            NameUse::Field | NameUse::EnumValue | NameUse::Reference
        )
    }

    fn describe(self) -> String {
        match self {
            NameUse::Declaration(kw) if kw.starts_with(['a', 'e']) => format!("an {kw} name"),
            NameUse::Declaration(kw) => format!("a {kw} name"),
            NameUse::Field => "a field name".into(),
            NameUse::EnumValue => "an enum value".into(),
            NameUse::Parameter => "a parameter name".into(),
            NameUse::ConfigField => "a setting name".into(),
            NameUse::Argument => "an argument name".into(),
            NameUse::ObjectKey => "an object key".into(),
            NameUse::Binding => "a binding name".into(),
            NameUse::Mixin => "a mixin or base model".into(),
            NameUse::Reference => "a name".into(),
        }
    }
}

impl Lower<'_> {
    pub(super) fn check_name(&mut self, name: &Ident, used: NameUse) {
        let word = name.name.as_str();
        let what = if RESERVED.contains(&word) {
            "a reserved word"
        } else if TYPE_KEYWORDS.contains(&word) && !used.allows_type_keywords() {
            "a type name"
        } else {
            return;
        };
        let mut d = Diagnostic::error(
            Code::SYNTAX,
            name.span,
            format!(
                "`{word}` is {what} and cannot be used as {}",
                used.describe()
            ),
        );
        if matches!(used, NameUse::Field | NameUse::Declaration(_)) {
            d = d.with_help(
                "choose another name; `@map(\"...\")`/`@@map(\"...\")` keeps the database name",
            );
        }
        self.error(d);
    }
}
