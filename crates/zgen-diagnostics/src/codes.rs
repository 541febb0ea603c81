//! The catalogue of diagnostic codes.
//!
//! Codes are stable: tests, CI filters and docs refer to them. Add new codes
//! at the end of their group; never renumber. `docs/diagnostics.md` lists them
//! with the spec statement each one implements.

/// A stable diagnostic code such as `Z0402`, with a short kebab-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Code {
    pub id: &'static str,
    pub name: &'static str,
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id)
    }
}

macro_rules! codes {
    ($($(#[$doc:meta])* $konst:ident = $id:literal, $name:literal;)*) => {
        impl Code {
            $($(#[$doc])* pub const $konst: Code = Code { id: $id, name: $name };)*

            /// Every code, in catalogue order.
            pub const ALL: &'static [Code] = &[$(Code::$konst),*];
        }
    };
}

codes! {
    // ---- syntax and files (Z00xx)
    /// Text that does not parse. Unlike ZenStack (V-0), checking goes on
    /// around it, so one run reports every independent mistake.
    SYNTAX = "Z0001", "syntax-error";
    /// A `///` comment with nothing to document after it (L-2).
    DANGLING_DOC_COMMENT = "Z0002", "dangling-doc-comment";
    /// An `import` after the first declaration (G-1).
    IMPORT_ORDER = "Z0003", "import-after-declaration";
    /// An imported file that cannot be found or read (V-S6).
    IMPORT_NOT_FOUND = "Z0004", "import-not-found";

    // ---- names (Z01xx)
    /// A field or parameter type that names nothing.
    UNRESOLVED_TYPE = "Z0101", "unresolved-type";
    /// An attribute that is not declared.
    UNRESOLVED_ATTRIBUTE = "Z0102", "unresolved-attribute";
    /// A function that is not declared (V-F1).
    UNRESOLVED_FUNCTION = "Z0103", "unresolved-function";
    /// A name or member in an expression that resolves to nothing (V-E9).
    UNRESOLVED_REFERENCE = "Z0104", "unresolved-reference";
    /// Two top-level declarations with one name (V-S6).
    DUPLICATE_DECLARATION = "Z0105", "duplicate-declaration";
    /// Two fields or members with one name, inherited ones included (V-D6).
    DUPLICATE_FIELD = "Z0106", "duplicate-field";
    /// `auth()` with no `@@auth` declaration and no `User` (V-F12, A-1).
    AUTH_UNRESOLVED = "Z0107", "auth-unresolved";
    /// A name that the language reserves.
    RESERVED_NAME = "Z0108", "reserved-name";

    // ---- schema and datasource (Z02xx)
    /// More than one datasource (V-S1).
    MULTIPLE_DATASOURCES = "Z0201", "multiple-datasources";
    /// No datasource after merging imports (V-S1).
    MISSING_DATASOURCE = "Z0202", "missing-datasource";
    /// A missing, non-literal or unsupported `provider` (V-S2).
    DATASOURCE_PROVIDER = "Z0203", "datasource-provider";
    /// A bad datasource field value: `url`, `schemas`, `defaultSchema` (V-S3).
    DATASOURCE_FIELD = "Z0204", "datasource-field";
    /// More than one `@@auth` (V-S4, A-2).
    MULTIPLE_AUTH = "Z0205", "multiple-auth";
    /// A scalar list on a provider without lists (V-S5).
    LIST_NOT_SUPPORTED = "Z0206", "list-not-supported";
    /// A `generator` block, which zgen ignores (V-S7).
    GENERATOR_UNUSED = "Z0207", "generator-unused";
    /// A plugin zgen does not know; its attributes are still accepted.
    UNKNOWN_PLUGIN = "Z0208", "unknown-plugin";

    // ---- models and fields (Z03xx)
    /// A model without `@id`, `@@id`, `@unique` or `@@unique` (V-D1).
    MISSING_UNIQUE_CRITERIA = "Z0301", "missing-unique-criteria";
    /// `@id` twice, or `@id` together with `@@id` (V-D2).
    DUPLICATE_ID = "Z0302", "duplicate-id";
    /// An `@id` field that is optional, a list, or not a scalar or enum (V-D3).
    INVALID_ID_FIELD = "Z0303", "invalid-id-field";
    /// `T[]?`, or `Unsupported(...)` without a string literal (V-D4).
    INVALID_FIELD_TYPE = "Z0304", "invalid-field-type";
    /// A field typed by a `type` without `@json`, or a JSON type with relations (V-D5).
    JSON_TYPE_FIELD = "Z0305", "json-type-field";
    /// `extends` of a non-delegate model, or cyclic inheritance (V-D7, G-10).
    INVALID_EXTENDS = "Z0306", "invalid-extends";
    /// Mixins that include themselves (V-D7).
    CYCLIC_MIXIN = "Z0307", "cyclic-mixin";
    /// A misused `@@delegateMap` (V-D8).
    DELEGATE_MAP = "Z0308", "delegate-map";
    /// An attribute applied more often than it may be (V-D9).
    ATTRIBUTE_ONCE = "Z0309", "attribute-once";
    /// A `with` that names something other than a `type` (G-6).
    INVALID_MIXIN = "Z0310", "invalid-mixin";

    // ---- relations (Z04xx)
    /// Bad `fields`/`references` in `@relation` (V-R1).
    RELATION_FIELDS = "Z0401", "relation-fields";
    /// A self-relation without a name (V-R2).
    SELF_RELATION_NAME = "Z0402", "self-relation-name";
    /// A relation without an opposite field (V-R3).
    MISSING_OPPOSITE_RELATION = "Z0403", "missing-opposite-relation";
    /// Several fields that could be the opposite side (V-R3).
    AMBIGUOUS_RELATION = "Z0404", "ambiguous-relation";
    /// `fields`/`references` on the wrong side, both sides or neither (V-R4).
    RELATION_OWNER = "Z0405", "relation-owner";
    /// The side without the foreign key is neither a list nor optional (V-R5).
    RELATION_NOT_OPTIONAL = "Z0406", "relation-not-optional";
    /// A one-to-one foreign key that is not unique (V-R6).
    ONE_TO_ONE_NOT_UNIQUE = "Z0407", "one-to-one-not-unique";

    // ---- attribute application (Z05xx)
    /// An attribute on a field type or declaration it does not apply to (V-A1).
    ATTRIBUTE_TARGET = "Z0501", "attribute-target";
    /// Too many, unknown, repeated or missing arguments (V-A2).
    ATTRIBUTE_ARGUMENTS = "Z0502", "attribute-arguments";
    /// An argument of the wrong type (V-A2).
    ARGUMENT_TYPE = "Z0503", "argument-type";
    /// An attribute declared `@@@deprecated` (V-A3).
    DEPRECATED_ATTRIBUTE = "Z0504", "deprecated-attribute";
    /// Bad field references in `@@id`, `@@unique`, `@@index` (V-A4).
    FIELD_REFERENCES = "Z0505", "field-references";
    /// An attribute the datasource's provider does not support (V-A5).
    PROVIDER_FEATURE = "Z0506", "provider-feature";
    /// A relation field in a `@@validate` condition (V-A6).
    VALIDATE_RELATION = "Z0507", "validate-relation";

    // ---- access policies (Z06xx)
    /// A bad operation list in `@@allow`/`@@deny`/`@allow`/`@deny` (V-P1).
    POLICY_OPERATION = "Z0601", "policy-operation";
    /// A condition that is not Boolean (V-P2).
    POLICY_CONDITION = "Z0602", "policy-condition";
    /// A non-owned relation in a `create` rule (V-P3).
    CREATE_NON_OWNED_RELATION = "Z0603", "create-non-owned-relation";
    /// `before()` outside a `post-update` rule (V-P4).
    BEFORE_CONTEXT = "Z0604", "before-context";
    /// A field-level policy on a relation or computed field (V-P5).
    FIELD_POLICY_TARGET = "Z0605", "field-policy-target";
    /// A relation reached through `before()` (V-P6).
    BEFORE_RELATION = "Z0606", "before-relation";

    // ---- expressions (Z07xx)
    /// A collection binding used without a member access (V-E1).
    BARE_BINDING = "Z0701", "bare-binding";
    /// Bad operands of `in` (V-E2).
    IN_OPERANDS = "Z0702", "in-operands";
    /// Bad operands of `<`, `<=`, `>`, `>=` (V-E3).
    ORDERING_OPERANDS = "Z0703", "ordering-operands";
    /// Bad operands of `&&`, `||` (V-E4).
    LOGICAL_OPERANDS = "Z0704", "logical-operands";
    /// Operands of `==`/`!=` that cannot be compared (V-E5, V-E6, V-E7; enums
    /// are exempt, V-E5a).
    INCOMPATIBLE_OPERANDS = "Z0705", "incompatible-operands";
    /// A comparison of two model values that zgen cannot express (V-E6).
    MODEL_COMPARISON = "Z0706", "model-comparison";
    /// A non-Boolean operand of `!` (V-E8).
    NOT_OPERAND = "Z0707", "not-operand";
    /// A collection predicate over something that is not a list of models (V-E10).
    COLLECTION_PREDICATE_TARGET = "Z0708", "collection-predicate-target";

    // ---- function calls (Z08xx)
    /// Missing or mistyped function arguments (V-F1).
    FUNCTION_ARGUMENTS = "Z0801", "function-arguments";
    /// A function used where it is not allowed (V-F2).
    FUNCTION_CONTEXT = "Z0802", "function-context";
    /// A bad casing argument of `currentModel`/`currentOperation` (V-F3).
    CASING_ARGUMENT = "Z0803", "casing-argument";
    /// A bad argument of an id generator: format, version, length (V-F4).
    ID_GENERATOR_ARGUMENT = "Z0804", "id-generator-argument";
    /// A bad argument of `length()` or `regex()` (V-F5).
    VALIDATION_FUNCTION_ARGUMENT = "Z0805", "validation-function-argument";
    /// A bad argument of `check()` (V-F6).
    CHECK_ARGUMENT = "Z0806", "check-argument";
    /// `check()` calls that loop back to their model (V-F6).
    CHECK_CYCLE = "Z0807", "check-cycle";

    // ---- security lints, warnings (Z09xx)
    /// `&&` and `||` mixed without parentheses (E-4).
    MIXED_LOGICAL_OPERATORS = "Z0901", "mixed-logical-operators";
    /// An `auth()` member compared with a nullable column without a guard (P-24).
    ANONYMOUS_AUTH_MATCH = "Z0902", "anonymous-auth-match";
    /// A deny rule that can be null and so fails open (P-15).
    DENY_FAILS_OPEN = "Z0903", "deny-fails-open";
    /// A model no operation is allowed on while others have rules (P-13).
    NO_ALLOW_RULES = "Z0904", "no-allow-rules";

    // ---- v1/v2 syntax, accepted with a warning (Z10xx)
    /// `abstract model` and `extends` of one (G-10).
    ABSTRACT_MODEL = "Z1001", "abstract-model";
    /// `@password` (removed in v3).
    PASSWORD_ATTRIBUTE = "Z1002", "password-attribute";
    /// `future()` in update rules (F-1).
    FUTURE_FUNCTION = "Z1003", "future-function";
    /// A third `override` argument on `@allow` (P-165).
    OVERRIDE_ARGUMENT = "Z1004", "override-argument";
    /// A v2 plugin provider such as `@core/access-policy`.
    LEGACY_PLUGIN = "Z1005", "legacy-plugin";
}

impl Code {
    /// Looks a code up by id (`Z0402`) or name (`self-relation-name`).
    pub fn find(key: &str) -> Option<Code> {
        Code::ALL
            .iter()
            .copied()
            .find(|c| c.id == key || c.name == key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_unique() {
        let mut ids: Vec<_> = Code::ALL.iter().map(|c| c.id).collect();
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.name).collect();
        ids.sort_unstable();
        names.sort_unstable();
        ids.dedup();
        names.dedup();
        assert_eq!(ids.len(), Code::ALL.len());
        assert_eq!(names.len(), Code::ALL.len());
    }
}

#[cfg(test)]
mod docs_tests {
    use super::Code;

    /// `docs/diagnostics.md` lists every code with its name.
    #[test]
    fn every_code_is_documented() {
        let docs = include_str!("../../../docs/diagnostics.md");
        for code in Code::ALL {
            let row = format!("| `{}` | `{}` |", code.id, code.name);
            assert!(docs.contains(&row), "docs/diagnostics.md lacks {row}");
        }
    }
}
