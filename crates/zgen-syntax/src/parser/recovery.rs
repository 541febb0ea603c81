//! Diagnostics for what the catch-all rules skipped.
//!
//! A skipped body line or declaration is parsed again with a strict rule
//! (`check_*` in the grammar) only to learn where exactly it goes wrong and
//! what was expected there.

use pest::error::{Error, ErrorVariant, InputLocation};
use pest::iterators::Pair;
use pest::Parser as _;
use zgen_diagnostics::{Code, Diagnostic, Span};

use super::{Lower, Rule, ZModelParser};
use crate::ast::Ident;

#[derive(Clone, Copy)]
pub(super) enum BodyKind {
    Model,
    Enum,
    Config,
}

impl BodyKind {
    fn message(self) -> &'static str {
        match self {
            BodyKind::Model => "this line is not a valid field or attribute",
            BodyKind::Enum => "this line is not a valid enum value or attribute",
            BodyKind::Config => "this line is not a valid `name = value` setting",
        }
    }

    fn check_rule(self) -> Rule {
        match self {
            BodyKind::Model => Rule::check_member,
            BodyKind::Enum => Rule::check_enum_item,
            BodyKind::Config => Rule::check_config_item,
        }
    }
}

/// Where a strict parse stopped and why.
struct Failure {
    /// Offset in the parser input.
    at: usize,
    /// Length of the token found there (0 at the end).
    len: usize,
    message: String,
}

impl<'a> Lower<'a> {
    /// A body line the grammar skipped. `prev` is the member before it; when
    /// that member ends on the same line, the line is checked from its start.
    /// Returns true when the line absorbed `prev`: that member is only the
    /// valid-looking start of a broken line and the caller drops it, so the
    /// checker does not report knock-on errors about it.
    #[must_use]
    pub(super) fn bad_item(
        &mut self,
        p: &Pair<'a, Rule>,
        kind: BodyKind,
        prev: Option<Span>,
    ) -> bool {
        let bad = self.span_of(p);
        let (mut start, end) = (bad.start as usize, bad.end as usize);
        let mut absorbed = false;
        let mut failure =
            self.strict_failure(kind.check_rule(), self.slice(start, end), start, true);
        // Text that cannot even begin a member continues the member before
        // it on the same line (`name String @default(1e3)`): check the
        // whole line then.
        if let Some(prev) = prev {
            let same_line = !self.slice(prev.end as usize, start).contains(['\n', '\r']);
            if same_line && failure.as_ref().is_some_and(|f| f.at == start) {
                start = prev.start as usize;
                absorbed = true;
                failure =
                    self.strict_failure(kind.check_rule(), self.slice(start, end), start, true);
            }
        }
        let line = Span::new(self.file, start, end);
        self.mark_error(line);
        let mut d = Diagnostic::error(Code::SYNTAX, line, kind.message());
        let text = self.slice(start, end);
        if let Some(f) = failure {
            d = d.with_secondary(Span::new(self.file, f.at, f.at + f.len), f.message);
        }
        if let Some(help) = body_help(kind, text) {
            d = d.with_help(help);
        }
        self.error(d);
        absorbed
    }

    /// A top-level region the grammar skipped.
    pub(super) fn bad_decl(&mut self, p: &Pair<'a, Rule>) {
        let region = self.span_of(p);
        self.mark_error(region);
        let (start, end) = (region.start as usize, region.end as usize);
        let text = self.slice(start, end);
        let d = match self.strict_failure(Rule::check_decl, text, start, false) {
            Some(f) => Diagnostic::error(
                Code::SYNTAX,
                Span::new(self.file, f.at, f.at + f.len),
                f.message,
            ),
            None => Diagnostic::error(Code::SYNTAX, region, "this is not a valid declaration"),
        };
        let d = d
            .with_secondary(region, "skipped up to the next declaration")
            .with_help(if text.trim_start().starts_with(char::is_alphabetic) {
                "declarations start with `model`, `enum`, `type`, `view`, `datasource`, `generator`, `plugin`, `function`, `attribute` or `procedure`"
            } else {
                "remove this text"
            });
        self.error(d);
    }

    /// A body whose closing `}` is missing.
    pub(super) fn unclosed(&mut self, keyword: &str, name: &Ident, open: Option<Span>) {
        let at = open.unwrap_or(name.span);
        self.error(
            Diagnostic::error(
                Code::SYNTAX,
                at,
                format!("{keyword} `{}` is missing its closing `}}`", name.name),
            )
            .with_label("this `{` is never closed")
            .with_help("add `}` after its last member"),
        );
    }

    /// A parse failure outside any catch-all (only when a whole file or chunk
    /// fails): reported as "expected …".
    pub(super) fn hard_error(&mut self, err: &Error<Rule>, input: &str, base: usize) {
        let f = failure(err, input, base, false);
        let span = Span::new(self.file, f.at, f.at + f.len);
        self.mark_error(Span::new(self.file, base, base + input.len()));
        let mut d = Diagnostic::error(Code::SYNTAX, span, f.message);
        if matches!(err.variant, ErrorVariant::CustomError { .. }) {
            d = d.with_help(
                "it nests too deeply for the parser's stack; the declaration was skipped",
            );
        }
        self.error(d);
    }

    /// Parses `text` (at `start` in the input) with a strict rule; the
    /// failure, or `None` when it parses after all.
    fn strict_failure(&self, rule: Rule, text: &str, start: usize, line: bool) -> Option<Failure> {
        match ZModelParser::parse(rule, text) {
            Ok(_) => None,
            Err(err) => Some(failure(&err, text, start, line)),
        }
    }
}

fn failure(err: &Error<Rule>, input: &str, base: usize, line: bool) -> Failure {
    let pos = match err.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let (found, len) = found_at(input, pos, line);
    let message = match &err.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            let expected = describe_expected(positives, line);
            let mut m = if expected.is_empty() {
                format!("unexpected {found}")
            } else {
                format!("expected {expected}, found {found}")
            };
            let after_digit = pos > 0
                && input
                    .as_bytes()
                    .get(pos - 1)
                    .is_some_and(u8::is_ascii_digit);
            if after_digit && input.get(pos..).is_some_and(|r| r.starts_with(['e', 'E'])) {
                m.push_str(" (numbers have no exponent syntax)");
            }
            m
        }
        ErrorVariant::CustomError { .. } => "declaration is too complex to parse".to_string(),
    };
    Failure {
        at: base + pos,
        len,
        message,
    }
}

/// The token at `pos` for a message, and its length.
fn found_at(input: &str, pos: usize, line: bool) -> (String, usize) {
    let rest = input.get(pos..).unwrap_or("");
    let Some(first) = rest.chars().next() else {
        let end = if line { "end of line" } else { "end of file" };
        return (end.to_string(), 0);
    };
    let len = if first.is_ascii_alphanumeric() || first == '_' {
        rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
            .unwrap_or(rest.len())
    } else if first == '"' || first == '\'' {
        rest.get(1..)
            .and_then(|r| r.find(first))
            .map_or(first.len_utf8(), |e| e + 2)
    } else {
        first.len_utf8()
    };
    let token = rest.get(..len).unwrap_or("");
    if token.contains('\n') || token.chars().count() > 40 {
        return ("a string".to_string(), len);
    }
    (format!("`{token}`"), len)
}

/// What a rule stands for in "expected …", grouped so that each phrase
/// appears once.
fn describe(rule: Rule, line: bool) -> Option<&'static str> {
    use Rule::*;
    Some(match rule {
        paren | unary | not_op | this_lit | null_lit | true_lit | false_lit | number | array
        | object | ref_or_call | expr | operand | member | kw_this | kw_null | kw_true
        | kw_false => "an expression",
        string => "a string",
        dot | predicate | quantifier | kw_in | binop => "an operator",
        ident | decl_name | field_name | param_name | type_name | mixin_name | arg_name
        | member_name | binding => "a name",
        type_ref | unsupported_type | unsupported_word | kw_unsupported => "a type",
        array_suffix => "`[]`",
        optional_suffix => "`?`",
        field_attr | field_attr_name => "an `@` attribute",
        model_attr | model_attr_name => "an `@@` attribute",
        internal_attr | internal_attr_name => "an `@@@` attribute",
        any_attr_name => "an attribute name",
        field | enum_value | config_field => "a member",
        arg => "an argument",
        object_entry => "`key: value`",
        args | lparen => "`(`",
        rparen => "`)`",
        lbrace => "`{`",
        rbrace => "`}`",
        lbracket => "`[`",
        rbracket => "`]`",
        comma => "`,`",
        colon => "`:`",
        equals => "`=`",
        kw_with | with_clause => "`with`",
        kw_extends | extends_clause => "`extends`",
        positional_marker => "`_`",
        param | attr_param => "a parameter",
        EOI if line => "end of line",
        EOI => "end of file",
        import_stmt | kw_import | config_decl | config_keyword | model_decl | model_keyword
        | enum_decl | function_decl | attribute_decl | procedure_decl | kw_model | kw_view
        | kw_type | kw_abstract | kw_enum | kw_datasource | kw_generator | kw_plugin
        | kw_function | kw_attribute | kw_procedure | kw_mutation | check_decl | schema => {
            "a declaration"
        }
        check_member => "a field or `@@` attribute",
        check_enum_item => "an enum value or `@@` attribute",
        check_config_item => "a `name = value` setting",
        _ => return None,
    })
}

fn describe_expected(positives: &[Rule], line: bool) -> String {
    let mut phrases: Vec<&str> = Vec::new();
    for &r in positives {
        if let Some(p) = describe(r, line) {
            if !phrases.contains(&p) {
                phrases.push(p);
            }
        }
    }
    // a string is one kind of expression
    if phrases.contains(&"an expression") {
        phrases.retain(|p| *p != "a string");
    }
    match phrases.as_slice() {
        [] => String::new(),
        [one] => (*one).to_string(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// Hints for the most common mistakes in a body line.
fn body_help(kind: BodyKind, text: &str) -> Option<&'static str> {
    let first_word_then = text
        .trim_start()
        .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == '_')
        .trim_start();
    match kind {
        BodyKind::Model if first_word_then.starts_with(':') => {
            Some("fields are written `name Type`, without a colon")
        }
        BodyKind::Model
            if text.trim_start().starts_with('@') && !text.trim_start().starts_with("@@") =>
        {
            Some("model attributes start with `@@`; field attributes go on the field's line")
        }
        BodyKind::Enum if first_word_then.starts_with('=') => {
            Some("enum values take no `=`; use `@map(\"...\")` for the database value")
        }
        BodyKind::Config if !text.contains('=') => Some("settings are written `name = value`"),
        _ => None,
    }
}
