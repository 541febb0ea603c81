//! Rust source written as text, already in prettyplease's layout.
//!
//! Generation used to build token streams, parse them with syn and print
//! them with prettyplease; over a large schema that pipeline was almost all
//! of the time. The generator now writes the text directly and this writer
//! supplies the few layout decisions prettyplease would make for the shapes
//! the generator emits: four-space indentation, no blank lines between
//! items, and a delimited list (parameters, arguments, attribute lists,
//! array elements) that stays on one line when the whole line fits in 89
//! columns and otherwise puts one element on each line. The tests in
//! `tests/generate.rs` check that prettyplease leaves every generated file
//! unchanged (fixtures, over-long names under every option, and three
//! corpus schemas).

/// prettyplease's line width: a line may be this long and no longer.
const MARGIN: usize = 89;
const INDENT: &str = "    ";

/// A Rust source file being written, line by line.
pub struct Rust {
    out: String,
    depth: usize,
}

impl Rust {
    /// A file that starts with `header` and a blank line.
    pub fn new(header: &str) -> Self {
        let mut out = String::with_capacity(16 * 1024);
        out.push_str(header);
        out.push('\n');
        Rust { out, depth: 0 }
    }

    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str(INDENT);
        }
    }

    fn width(&self) -> usize {
        self.depth * INDENT.len()
    }

    /// One line at the current depth.
    pub fn line(&mut self, parts: &[&str]) {
        self.indent();
        self.push(parts);
        self.out.push('\n');
    }

    /// `head {`, then one level deeper until [`Rust::close`].
    pub fn open(&mut self, head: &[&str]) {
        self.indent();
        self.push(head);
        self.out.push_str(" {\n");
        self.depth += 1;
    }

    pub fn close(&mut self) {
        self.close_with("}");
    }

    /// Closes a block with `end` (`}`, `};`, `})`).
    pub fn close_with(&mut self, end: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(&[end]);
    }

    /// One level deeper without a line: for text written apart and put
    /// into a block later with [`Rust::block`].
    pub fn nest(&mut self) {
        self.depth += 1;
    }

    /// Text written elsewhere, already laid out for this depth.
    pub fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// `head {`, `body` (already indented one level deeper) and `}`; nothing
    /// when `body` is empty, as an empty `impl` says nothing.
    pub fn block(&mut self, head: &[&str], body: &str) {
        if !body.is_empty() {
            self.open(head);
            self.raw(body);
            self.close();
        }
    }

    /// Tokens of a brace-delimited macro call, `head` then the tokens
    /// separated by commas and filled into lines one level deeper (as
    /// prettyplease prints a macro it does not know), then `tail`. A token
    /// may be several words (`id "id" value`), which break apart.
    pub fn fill(&mut self, head: &str, tokens: &[&str], tail: &str) {
        self.line(&[head]);
        self.depth += 1;
        let text = tokens.join(", ");
        self.words(&text.split(' ').collect::<Vec<_>>());
        self.depth -= 1;
        self.line(&[tail]);
    }

    /// Tokens inside a macro body, separated by spaces and filled into
    /// lines at the current depth, as prettyplease prints the tokens of a
    /// `macro_rules!` rule.
    pub fn words(&mut self, words: &[&str]) {
        let start = self.width();
        let mut column = start;
        for (i, word) in words.iter().enumerate() {
            if i == 0 {
                self.indent();
            } else if column + 1 + word.len() <= MARGIN {
                self.out.push(' ');
                column += 1;
            } else {
                self.out.push('\n');
                self.indent();
                column = start;
            }
            self.out.push_str(word);
            column += word.len();
        }
        self.out.push('\n');
    }

    /// Whether `parts` fit on one line at the current depth.
    pub fn fits(&self, parts: &[&str]) -> bool {
        self.width() + parts.iter().map(|p| p.len()).sum::<usize>() <= MARGIN
    }

    /// A `///` comment line; `text` usually starts with a space, and
    /// trailing spaces go as prettyplease drops them.
    pub fn doc(&mut self, text: &str) {
        self.line(&["///", text.trim_end()]);
    }

    /// `head` + items joined by `, ` + `tail` on one line when it fits,
    /// else `head`, one item a line one level deeper (each followed by a
    /// comma, the last one too when `trailing_comma`), and `tail`.
    pub fn list(
        &mut self,
        head: &str,
        items: &[impl AsRef<str>],
        tail: &str,
        trailing_comma: bool,
    ) {
        self.list_in(&[head], items, &[tail], trailing_comma);
    }

    /// [`Rust::list`] with `head` and `tail` given in parts.
    fn list_in(
        &mut self,
        head: &[&str],
        items: &[impl AsRef<str>],
        tail: &[&str],
        trailing_comma: bool,
    ) {
        let parts = |p: &[&str]| p.iter().map(|s| s.len()).sum::<usize>();
        let flat = self.width()
            + parts(head)
            + parts(tail)
            + items.iter().map(|i| i.as_ref().len()).sum::<usize>()
            + 2 * items.len().saturating_sub(1);
        if flat <= MARGIN || items.is_empty() {
            self.indent();
            self.push(head);
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    self.out.push_str(", ");
                }
                self.out.push_str(item.as_ref());
            }
            self.push(tail);
            self.out.push('\n');
            return;
        }
        self.line(head);
        self.depth += 1;
        let last = items.len() - 1;
        for (i, item) in items.iter().enumerate() {
            let comma = if i < last || trailing_comma { "," } else { "" };
            let item = item.as_ref();
            match single_arg_call(item) {
                Some((callee, arg)) if self.width() + item.len() + comma.len() > MARGIN => {
                    self.list_in(&[callee, "("], &[arg], &[")", comma], true);
                }
                _ => self.line(&[item, comma]),
            }
        }
        self.depth -= 1;
        self.line(tail);
    }

    fn push(&mut self, parts: &[&str]) {
        for part in parts {
            self.out.push_str(part);
        }
    }

    /// A struct field `pub name: ty,`. A line too long breaks inside the
    /// type's (single) generic argument list, as prettyplease breaks it.
    pub fn field(&mut self, name: &str, ty: &str) {
        self.typed(&["pub ", name, ": "], ty, ",");
    }

    /// A type alias `pub type name = ty;`, broken as [`Rust::field`].
    pub fn alias(&mut self, name: &str, ty: &str) {
        self.typed(&["pub type ", name, " = "], ty, ";");
    }

    fn typed(&mut self, head: &[&str], ty: &str, end: &str) {
        let head_len: usize = head.iter().map(|p| p.len()).sum();
        let flat = self.width() + head_len + ty.len() + end.len();
        match ty.split_once('<') {
            Some((outer, inner)) if flat > MARGIN && inner.ends_with('>') => {
                let inner = &inner[..inner.len() - 1];
                let open = [head, &[outer, "<"]].concat();
                self.list_in(&open, &[inner], &[">", end], true);
            }
            _ => self.line(&[head, &[ty, end]].concat()),
        }
    }

    /// A match arm `pattern => value,`; a value that does not fit goes
    /// into a block of its own, as prettyplease puts it.
    pub fn arm(&mut self, pattern: &str, value: &str) {
        if self.width() + pattern.len() + value.len() + 5 <= MARGIN {
            self.line(&[pattern, " => ", value, ","]);
        } else {
            self.open(&[pattern, " =>"]);
            self.line(&[value]);
            self.close();
        }
    }

    /// A function whose signature is `head(params) tail {`, broken like
    /// prettyplease breaks a long parameter list.
    pub fn open_fn(&mut self, head: &[&str], params: &[impl AsRef<str>], tail: &str) {
        self.list_in(head, params, &[")", tail, " {"], true);
        self.depth += 1;
    }

    /// A call statement or tail expression `head(args)end`.
    pub fn call(&mut self, head: &str, args: &[impl AsRef<str>], end: &str) {
        self.list_in(&[head, "("], args, &[")", end], true);
    }
}

/// `path(arg)` split into `path` and `arg`, when `item` is a call of a
/// path with one argument (prettyplease breaks such an argument onto a
/// line of its own when the call does not fit).
fn single_arg_call(item: &str) -> Option<(&str, &str)> {
    let (callee, rest) = item.split_once('(')?;
    let arg = rest.strip_suffix(')')?;
    let is_path = callee
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':');
    (is_path && !callee.is_empty() && !arg.contains(',')).then_some((callee, arg))
}

/// A Rust string literal for `s`, escaped as proc-macro2 and so
/// prettyplease print it.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            // The common case first: `escape_debug` is slow per character
            // (and would escape `'`, which proc-macro2 leaves alone).
            ' '..='~' if c != '"' && c != '\\' => out.push(c),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            // `\0` before a digit would read as an octal-looking escape.
            '\0' if chars
                .as_str()
                .starts_with(|n: char| n.is_ascii_digit() && n <= '7') =>
            {
                out.push_str("\\x00");
            }
            '\0' => out.push_str("\\0"),
            c => out.extend(c.escape_debug()),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_like_proc_macro2() {
        for s in [
            "plain",
            "say \"hi\"",
            "back\\slash",
            "line\nbreak\ttab\r",
            "it's",
            "nul\0 and \x007",
            "émoji 🎉 and \u{200b} zero-width",
            "\u{7f}\u{1b}",
        ] {
            assert_eq!(
                string(s),
                proc_macro2::Literal::string(s).to_string(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_list_breaks_only_when_the_line_is_too_long() {
        let mut w = Rust::new("");
        w.list("f(", &["a", "b"], ");", true);
        let long = "x".repeat(50);
        w.list("g(", &[long.clone(), long], ")", false);
        let text = String::from_utf8(w.finish()).unwrap_or_default();
        let x = "x".repeat(50);
        assert_eq!(text, format!("\nf(a, b);\ng(\n    {x},\n    {x}\n)\n"));
    }
}
