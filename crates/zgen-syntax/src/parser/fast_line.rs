//! A hand-written recogniser for the common model body line.
//!
//! Pest costs ~185 instructions per combinator call and a plain field line
//! makes ~80 of them (see `docs/benchmarks.md`). Most lines of real schemas
//! are `name Type[]? @attr(args)` with simple arguments, so those are read
//! here, directly into the [`Field`] that pest and lowering would build,
//! and blanked out of the text pest sees. Anything else (a comment on the
//! line, a tab or unusual blank inside it, an operator, a member access,
//! any syntax error) is declined and left to pest.
//!
//! The line must also end where pest would end the field: the next code
//! character must start a name, a `@@` attribute or the closing `}` (a
//! line starting with `@`, `[`, `?` or `(` would continue it). When the
//! parse with recognised lines reports an error, or a recognised line did
//! not land inside a model, the file is parsed again without them
//! (`parser::parse_with`), so diagnostics never depend on this module.

use zgen_diagnostics::{FileId, Span};

use super::expr::unescape;
use super::names::NameUse;
use super::Lower;
use crate::ast::{Arg, Attribute, Expr, ExprKind, Field, Ident, Member, TypeName, TypeRef};
use crate::comments::Scan;

/// Words a body line may not start with: pest may read them as the start
/// of a declaration.
const DECL_WORDS: &[&str] = &[
    "model",
    "enum",
    "type",
    "abstract",
    "view",
    "datasource",
    "generator",
    "plugin",
    "function",
    "procedure",
    "mutation",
    "attribute",
    "import",
];

/// Deeper argument lists and arrays are left to pest, whose lowering
/// bounds the depth of expression trees (`expr::MAX_EXPR_DEPTH`).
const MAX_NESTING: usize = 8;

/// Words the grammar reads as something other than a reference.
const VALUE_WORDS: &[&str] = &["this", "null", "in", "Unsupported"];

/// The recognised lines of `text[start..end]` (which starts outside every
/// declaration), in file order: each field and the end of its line.
pub(super) fn find(
    file: FileId,
    text: &str,
    scan: &Scan,
    start: usize,
    end: usize,
) -> Vec<(Field, usize)> {
    let mut out = Vec::new();
    let mut depth = 0i64;
    let mut b = scan.brackets.partition_point(|&(o, _)| o < start);
    let mut in_model = false;
    let words = &scan.line_words;
    let lines = words.partition_point(|&w| w < start)..words.partition_point(|&w| w < end);
    for &at in words.get(lines).unwrap_or_default() {
        while let Some(&(_, byte)) = scan.brackets.get(b).filter(|&&(o, _)| o < at) {
            depth += if matches!(byte, b'(' | b'[' | b'{') {
                1
            } else {
                -1
            };
            b += 1;
        }
        if depth == 0 {
            let word = word_at(text.as_bytes(), at);
            in_model = matches!(word, "model" | "view" | "type" | "abstract");
        } else if depth == 1 && in_model {
            let mut line = Line {
                file,
                text,
                bytes: text.as_bytes(),
                pos: at,
                nesting: 0,
            };
            if let Some(field) = line.field() {
                out.push((field, line.pos));
            }
        }
    }
    out
}

fn word_at(bytes: &[u8], at: usize) -> &str {
    let rest = bytes.get(at..).unwrap_or_default();
    let len = rest
        .iter()
        .position(|&b| !is_ident_char(b))
        .unwrap_or(rest.len());
    std::str::from_utf8(rest.get(..len).unwrap_or_default()).unwrap_or("")
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

struct Line<'t> {
    file: FileId,
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    /// Argument lists and arrays open around `pos`.
    nesting: usize,
}

impl Line<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let hit = self.peek() == Some(b);
        if hit {
            self.pos += 1;
        }
        hit
    }

    /// Skips spaces; whether there were any.
    fn spaces(&mut self) -> bool {
        let start = self.pos;
        while self.peek() == Some(b' ') {
            self.pos += 1;
        }
        self.pos > start
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    fn ident(&mut self) -> Option<Ident> {
        let start = self.pos;
        if !self
            .peek()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_')
        {
            return None;
        }
        while self.peek().is_some_and(is_ident_char) {
            self.pos += 1;
        }
        Some(Ident {
            name: self.text.get(start..self.pos)?.to_string(),
            span: self.span(start),
        })
    }

    /// `name Type[]? @attr...` up to the end of the line, leaving `pos` at
    /// the line break.
    fn field(&mut self) -> Option<Field> {
        let start = self.pos;
        let name = self.ident()?;
        if DECL_WORDS.contains(&name.name.as_str()) || !self.spaces() {
            return None;
        }
        let ty = self.type_ref()?;
        let mut attributes = Vec::new();
        let mut end = self.pos;
        loop {
            let gap = self.spaces();
            match self.peek() {
                Some(b'@') if gap && self.bytes.get(self.pos + 1) != Some(&b'@') => {
                    attributes.push(self.attribute()?);
                    end = self.pos;
                }
                Some(b'\n') => break,
                _ => return None,
            }
        }
        if !self.ends_field() {
            return None;
        }
        Some(Field {
            docs: Vec::new(),
            name,
            ty,
            attributes,
            span: Span::new(self.file, start, end),
        })
    }

    fn type_ref(&mut self) -> Option<TypeRef> {
        let start = self.pos;
        let name = self.ident()?;
        if name.name == "Unsupported" {
            return None;
        }
        let array = self.eat(b'[');
        if array && !self.eat(b']') {
            return None;
        }
        let optional = self.eat(b'?');
        Some(TypeRef {
            name: TypeName::Named(name),
            array,
            optional,
            span: self.span(start),
        })
    }

    /// Whether the next code after the line break starts a new member or
    /// closes the body (and so cannot continue this field).
    fn ends_field(&self) -> bool {
        let mut at = self.pos;
        loop {
            match self.bytes.get(at) {
                Some(b' ' | b'\t' | b'\n') => at += 1,
                Some(b'/') if self.bytes.get(at + 1) == Some(&b'/') => {
                    let rest = self.bytes.get(at..).unwrap_or_default();
                    match rest.iter().position(|&b| b == b'\n' || b == b'\r') {
                        Some(n) if rest.get(n) == Some(&b'\n') => at += n,
                        _ => return false,
                    }
                }
                Some(b'}') => return true,
                Some(b'@') => {
                    return self.bytes.get(at + 1) == Some(&b'@')
                        && self.bytes.get(at + 2) != Some(&b'@')
                }
                Some(&b) => return b.is_ascii_alphabetic() || b == b'_',
                None => return false,
            }
        }
    }

    /// `@name` or `@name(args)`, the name possibly dotted.
    fn attribute(&mut self) -> Option<Attribute> {
        let start = self.pos;
        self.pos += 1;
        self.ident()?;
        while self.eat(b'.') {
            self.ident()?;
        }
        let name = Ident {
            name: self.text.get(start..self.pos)?.to_string(),
            span: self.span(start),
        };
        let args = if self.peek() == Some(b'(') {
            Some(self.args()?)
        } else {
            None
        };
        Some(Attribute {
            docs: Vec::new(),
            name,
            args,
            span: self.span(start),
        })
    }

    /// `( arg, name: arg )`, blanks allowed inside.
    fn args(&mut self) -> Option<Vec<Arg>> {
        self.nested(Self::arg_list)
    }

    /// `read` one level deeper, declined past [`MAX_NESTING`].
    fn nested<T>(&mut self, read: impl FnOnce(&mut Self) -> Option<T>) -> Option<T> {
        if self.nesting >= MAX_NESTING {
            return None;
        }
        self.nesting += 1;
        let out = read(self);
        self.nesting -= 1;
        out
    }

    fn arg_list(&mut self) -> Option<Vec<Arg>> {
        self.eat(b'(');
        self.spaces();
        let mut out = Vec::new();
        if self.eat(b')') {
            return Some(out);
        }
        loop {
            out.push(self.arg()?);
            self.spaces();
            if self.eat(b')') {
                return Some(out);
            }
            if !self.eat(b',') {
                return None;
            }
            self.spaces();
        }
    }

    fn arg(&mut self) -> Option<Arg> {
        let start = self.pos;
        let mut name = None;
        if let Some(ident) = self.ident() {
            self.spaces();
            if self.eat(b':') {
                self.spaces();
                name = Some(ident);
            } else {
                self.pos = start;
            }
        }
        let value = self.value()?;
        Some(Arg {
            name,
            value,
            span: self.span(start),
        })
    }

    /// A string, number, `true`/`false`, name, call or array of those.
    fn value(&mut self) -> Option<Expr> {
        let start = self.pos;
        let kind = match self.peek()? {
            b'"' | b'\'' => self.string()?,
            b'0'..=b'9' => self.number()?,
            b'[' => self.array()?,
            _ => {
                let name = self.ident()?;
                match name.name.as_str() {
                    "true" => ExprKind::Bool(true),
                    "false" => ExprKind::Bool(false),
                    word if VALUE_WORDS.contains(&word) => return None,
                    _ if self.peek() == Some(b'(') => {
                        let args = self.args()?;
                        if !args.is_empty() && args.iter().all(|a| a.name.is_some()) {
                            ExprKind::Ref { name, args }
                        } else {
                            ExprKind::Call { callee: name, args }
                        }
                    }
                    _ => ExprKind::Ref { name, args: vec![] },
                }
            }
        };
        // a member access, predicate or operator is pest's
        if matches!(
            self.peek(),
            Some(b'.' | b'?' | b'!' | b'^' | b'=' | b'<' | b'>' | b'&' | b'|' | b'(')
        ) {
            return None;
        }
        Some(Expr {
            kind,
            span: self.span(start),
        })
    }

    fn string(&mut self) -> Option<ExprKind> {
        let start = self.pos;
        let quote = self.peek()?;
        self.pos += 1;
        loop {
            match self.peek()? {
                b if b == quote => break,
                b'\\' | b'\n' | b'\r' => return None,
                _ => self.pos += 1,
            }
        }
        self.pos += 1;
        Some(ExprKind::String(unescape(self.text.get(start..self.pos)?)))
    }

    fn number(&mut self) -> Option<ExprKind> {
        let start = self.pos;
        let digits = |l: &mut Self| {
            let from = l.pos;
            while l.peek().is_some_and(|b| b.is_ascii_digit()) {
                l.pos += 1;
            }
            l.pos > from
        };
        digits(self);
        if self.eat(b'.') && !digits(self) {
            return None;
        }
        if self.peek().is_some_and(is_ident_char) {
            return None;
        }
        Some(ExprKind::Number(
            self.text.get(start..self.pos)?.to_string(),
        ))
    }

    fn array(&mut self) -> Option<ExprKind> {
        self.nested(Self::array_items)
    }

    fn array_items(&mut self) -> Option<ExprKind> {
        self.eat(b'[');
        self.spaces();
        let mut items = Vec::new();
        if self.eat(b']') {
            return Some(ExprKind::Array(items));
        }
        loop {
            items.push(self.value()?);
            self.spaces();
            if self.eat(b']') {
                return Some(ExprKind::Array(items));
            }
            if !self.eat(b',') {
                return None;
            }
            self.spaces();
        }
    }
}

impl Lower<'_> {
    /// Puts the recognised lines inside `body` (a model's span) among the
    /// members pest lowered, in source order, with their docs and the name
    /// checks lowering makes.
    pub(super) fn adopt_fast_fields(&mut self, body: Span, members: &mut Vec<Member>) {
        // lines before this body belong to no model: pest must decide
        while self.fast.next_if(|f| f.span.start < body.start).is_some() {
            self.fast_lost = true;
        }
        if self.fast.peek().is_none_or(|f| f.span.start >= body.end) {
            return;
        }
        let mut pest = std::mem::take(members).into_iter().peekable();
        while let Some(mut field) = self.fast.next_if(|f| f.span.start < body.end) {
            while let Some(m) = pest.next_if(|m| member_start(m) < field.span.start) {
                members.push(m);
            }
            field.docs = self.take_docs(field.span);
            self.check_name(&field.name, NameUse::Field);
            for attr in &field.attributes {
                self.check_arg_names(attr.args.iter().flatten());
            }
            members.push(Member::Field(field));
        }
        members.extend(pest);
    }

    fn check_arg_names<'e>(&mut self, args: impl Iterator<Item = &'e Arg>) {
        for arg in args {
            if let Some(name) = &arg.name {
                self.check_name(name, NameUse::Argument);
            }
            self.check_value_names(&arg.value);
        }
    }

    fn check_value_names(&mut self, value: &Expr) {
        match &value.kind {
            ExprKind::Ref { name, args } | ExprKind::Call { callee: name, args } => {
                self.check_arg_names(args.iter());
                self.check_name(name, NameUse::Reference);
            }
            ExprKind::Array(items) => {
                for item in items {
                    self.check_value_names(item);
                }
            }
            _ => {}
        }
    }
}

fn member_start(m: &Member) -> u32 {
    match m {
        Member::Field(f) => f.span.start,
        Member::Attribute(a) => a.span.start,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use proptest::prelude::*;
    use zgen_diagnostics::FileId;

    use crate::parser::parse_opts;
    use crate::parser::split::tests::collect;

    /// The recogniser on and off give the same tree (spans, docs and
    /// comments included) and the same diagnostics.
    fn same_with_and_without(text: &str) -> usize {
        let on = parse_opts(FileId(0), text, true, &|_| None);
        let off = parse_opts(FileId(0), text, false, &|_| None);
        assert!(on == off, "with and without fast lines differ on:\n{text}");
        let scan = crate::comments::scan(FileId(0), text);
        super::find(FileId(0), text, &scan, 0, text.len()).len()
    }

    #[test]
    fn a_doc_line_with_trailing_blanks_ends_no_span() {
        // the span of `createdAt Int` stops before the doc line below it,
        // whose trailing blank is trimmed inside the comment (proptest case)
        same_with_and_without("model A {\n  createdAt Int\n  /// doc \n  x Int\n}\n");
    }

    #[test]
    fn fixtures_and_corpus_parse_the_same_with_fast_lines() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        for dir in ["tests", "../zgen-sema/tests/fixtures"] {
            collect(&root.join(dir), &mut files);
        }
        let corpus = root.join("../../../shared/corpus");
        let least = if corpus.is_dir() { 1000 } else { 100 };
        if corpus.is_dir() {
            collect(&corpus, &mut files);
        } else {
            println!("skipping the corpus: ../shared/corpus is absent");
        }
        // the inline cases of the parser's tests
        let cases = std::fs::read_to_string(root.join("tests/parse_cases.rs")).unwrap_or_default();
        files.extend(string_literals(&cases));
        let recognised: usize = files.iter().map(|t| same_with_and_without(t)).sum();
        println!("{recognised} lines recognised");
        assert!(recognised > least, "only {recognised} lines recognised");
    }

    /// Nesting up to the guard's limit is pest's to judge.
    #[test]
    fn deep_arguments_parse_the_same_with_fast_lines() {
        for n in [7, 8, 9, 60, 127, 130] {
            let call = format!("{}1{}", "f(".repeat(n), ")".repeat(n));
            let array = format!("{}1{}", "[".repeat(n), "]".repeat(n));
            for value in [call, array] {
                same_with_and_without(&format!("model A {{\n  id Int @id @default({value})\n}}\n"));
            }
        }
    }

    /// The `"…"` literals of Rust source with `\n`, `\t`, `\r`, `\"` and
    /// `\\` resolved (close enough: any text is a fair input here).
    fn string_literals(src: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut chars = src.chars();
        while let Some(c) = chars.next() {
            if c != '"' {
                continue;
            }
            let mut lit = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '"' => break,
                    '\\' => match chars.next() {
                        Some('n') => lit.push('\n'),
                        Some('t') => lit.push('\t'),
                        Some('r') => lit.push('\r'),
                        Some('\n') => {}
                        Some(other) => lit.push(other),
                        None => {}
                    },
                    _ => lit.push(c),
                }
            }
            if lit.contains('{') {
                out.push(lit);
            }
        }
        out
    }

    // Each piece is mostly drawn from valid forms (so that most schemas
    // parse without errors and the recognised lines are what is compared)
    // and sometimes from forms the recogniser declines or pest rejects.
    const NAMES: (&[&str], &[&str]) = (
        &["id", "userId", "_x", "a1", "createdAt", "trueish"],
        &["model", "type", "true", "in", "this", "Unsupported"],
    );
    const TYPES: (&[&str], &[&str]) = (
        &["String", "Int", "User", "DateTime", "Json"],
        &["Unsupported", "Unsupported(\"x\")", "model"],
    );
    const SUFFIXES: (&[&str], &[&str]) = (&["", "[]", "?"], &["[]?", "[ ]", " ?", "[", "?[]"]);
    const ATTRS: (&[&str], &[&str]) = (
        &[
            "@id",
            "@unique",
            "@db.VarChar(255)",
            "@default(now())",
            "@default(autoincrement())",
            "@default(uuid())",
            "@default(dbgenerated(\"gen_random_uuid()\"))",
            "@default(1.5)",
            "@default(0)",
            "@default(true)",
            "@default('x')",
            "@default([])",
            "@default([A, B])",
            "@map(\"field_name\")",
            "@relation(fields: [userId], references: [id], onDelete: Cascade)",
            "@relation(\"Name\", fields: [a, b], references: [id])",
            "@relation(fields:[a],references:[b])",
            "@relation( fields : [ a ] )",
            "@updatedAt",
            "@omit()",
            "@default(f(a: 1, b: 2))",
        ],
        &[
            "@default(auth().id)",
            "@default(-1)",
            "@default(null)",
            "@default(\"a\\\"b\")",
            "@allow('read', true)",
            "@deny('update', future().x != x)",
            "@default(x == 1)",
            "@@map(\"t\")",
            "@default (1)",
            "@default(1.)",
            "@default(1x)",
            "@default(a.b)",
            "@default([a,])",
            "@@@x",
        ],
    );
    const GAPS: (&[&str], &[&str]) = (
        &[" ", "  "],
        &["\t", "", " // c", " /* c */ ", "\r", " \u{a0}"],
    );
    const ENDS: (&[&str], &[&str]) = (&["", " "], &["\t", " // c", " /* c */", "\r", "("]);
    const NEXT: (&[&str], &[&str]) = (
        &[
            "}",
            "  other Int",
            "  @@id([a])",
            "  // c\n  x Int",
            "  /// doc\n  x Int",
            "  /// doc \n  x Int",
            "",
        ],
        &[
            "  @unique",
            "  []",
            "  ?",
            "  (1)",
            "/* c */ }",
            "  x Int /*",
            "  @@",
        ],
    );
    const MUTATIONS: &[char] = &[
        ' ', '\t', '\n', '(', ')', '[', ']', ',', ':', '"', '@', '.', '/',
    ];

    fn pick(
        pieces: (&'static [&'static str], &'static [&'static str]),
    ) -> BoxedStrategy<&'static str> {
        prop_oneof![8 => prop::sample::select(pieces.0), 1 => prop::sample::select(pieces.1)]
            .boxed()
    }

    fn line() -> impl Strategy<Value = String> {
        (
            (pick(NAMES), pick(GAPS), pick(TYPES), pick(SUFFIXES)),
            prop::collection::vec((pick(GAPS), pick(ATTRS)), 0..4),
            pick(ENDS),
            prop::sample::select(&["", "", "", "  /// a doc\n", "  // a comment\n", "\n"][..]),
        )
            .prop_map(|((name, gap, ty, suffix), attrs, end, before)| {
                let mut s = format!("{before}  {name}{gap}{ty}{suffix}");
                for (gap, attr) in attrs {
                    s.push_str(gap);
                    s.push_str(attr);
                }
                s.push_str(end);
                s
            })
    }

    fn schema() -> impl Strategy<Value = String> {
        (
            prop::sample::select(
                &[
                    "model M",
                    "type T",
                    "view V",
                    "enum E",
                    "abstract model A",
                    "model W with T",
                ][..],
            ),
            prop::collection::vec(line(), 1..6),
            pick(NEXT),
            prop::option::weighted(
                0.3,
                (
                    any::<prop::sample::Index>(),
                    prop::sample::select(MUTATIONS),
                    any::<bool>(),
                ),
            ),
        )
            .prop_map(|(head, lines, next, mutation)| {
                let mut text = format!(
                    "{head} {{\n{}\n{next}\n}}\nmodel Z {{\n  id Int @id\n}}\n",
                    lines.join("\n")
                );
                if let Some((at, c, insert)) = mutation {
                    let at = at.index(text.len());
                    if text.is_char_boundary(at) {
                        if insert {
                            text.insert(at, c);
                        } else if text.is_char_boundary(at + 1) {
                            text.remove(at);
                        }
                    }
                }
                text
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        #[test]
        fn generated_body_lines_parse_the_same_with_fast_lines(text in schema()) {
            same_with_and_without(&text);
        }
    }
}
