//! The lexical pre-scan that runs before the grammar.
//!
//! One left-to-right pass, aware of string literals, that
//! - collects `//` and `/* */` comments for [`SchemaFile::comments`](crate::ast::SchemaFile::comments),
//! - collects `///` doc lines with the offset of the token they precede,
//! - records the brackets outside strings and comments (for the nesting guard)
//!   and where code lines begin (for finding declaration starts),
//! - reports unterminated strings and block comments and blanks them out so
//!   the grammar never meets them.

use zgen_diagnostics::{Code, Diagnostic, FileId, Span};

use crate::ast::Comment;

/// One `///` line.
#[derive(Debug, Clone)]
pub(crate) struct DocLine {
    pub start: usize,
    pub end: usize,
    /// The text after `///`, without the line break.
    pub text: String,
    /// Offset of the first token after this line that is neither whitespace
    /// nor a comment (the text length at the end of the file).
    pub anchor: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub comments: Vec<Comment>,
    pub docs: Vec<DocLine>,
    /// Brackets outside strings and comments: offset and byte.
    pub brackets: Vec<(usize, u8)>,
    /// Offsets of code lines whose first token starts with a letter.
    pub line_words: Vec<usize>,
    /// Byte ranges to blank out before parsing.
    pub masks: Vec<(usize, usize)>,
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn scan(file: FileId, text: &str) -> Scan {
    Scanner {
        file,
        text,
        bytes: text.as_bytes(),
        dead: Vec::new(),
        out: Scan::default(),
        pending_docs: 0,
    }
    .run()
}

struct Scanner<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    /// Per offset, bit 0 (`"`) / bit 1 (`'`): a string scan that is inside a
    /// literal at this offset runs off the end of the file. Keeps the scan
    /// linear on inputs full of unterminated quotes.
    dead: Vec<u8>,
    out: Scan,
    /// Doc lines at the end of `out.docs` still waiting for their anchor.
    pending_docs: usize,
}

impl Scanner<'_> {
    fn run(mut self) -> Scan {
        let len = self.bytes.len();
        let mut i = 0;
        let mut line_start = true;
        while let Some(&b) = self.bytes.get(i) {
            match b {
                b'\n' => {
                    line_start = true;
                    i += 1;
                }
                b' ' | b'\t' | b'\r' | 0x0B | 0x0C => i += 1,
                b'/' if self.bytes.get(i + 1) == Some(&b'/') => i = self.line_comment(i),
                b'/' if self.bytes.get(i + 1) == Some(&b'*') => i = self.block_comment(i),
                0x80.. if self.text.get(i..).is_some_and(is_unicode_space) => i += char_len(b),
                _ => {
                    self.anchor_docs(i);
                    if line_start && b.is_ascii_alphabetic() {
                        self.out.line_words.push(i);
                    }
                    line_start = false;
                    match b {
                        b'"' | b'\'' => i = self.string(i, b),
                        b'(' | b'[' | b'{' | b')' | b']' | b'}' => {
                            self.out.brackets.push((i, b));
                            i += 1;
                        }
                        // the rest of a word holds nothing to record
                        _ if b.is_ascii_alphanumeric() || b == b'_' => {
                            i += 1;
                            while self
                                .bytes
                                .get(i)
                                .is_some_and(|&c| c.is_ascii_alphanumeric() || c == b'_')
                            {
                                i += 1;
                            }
                        }
                        _ => i += char_len(b),
                    }
                }
            }
        }
        self.anchor_docs(len);
        self.out
    }

    fn anchor_docs(&mut self, at: usize) {
        let n = self.out.docs.len();
        for d in self.out.docs.iter_mut().skip(n - self.pending_docs) {
            d.anchor = at;
        }
        self.pending_docs = 0;
    }

    fn line_end(&self, from: usize) -> usize {
        self.bytes
            .iter()
            .skip(from)
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(self.bytes.len(), |p| from + p)
    }

    fn slice(&self, start: usize, end: usize) -> &str {
        self.text.get(start..end).unwrap_or("")
    }

    fn line_comment(&mut self, start: usize) -> usize {
        let end = self.line_end(start);
        let text = self.slice(start, end).to_string();
        if let Some(doc) = text.strip_prefix("///") {
            self.out.docs.push(DocLine {
                start,
                end,
                text: doc.to_string(),
                anchor: self.bytes.len(),
            });
            self.pending_docs += 1;
        } else {
            self.out.comments.push(Comment {
                text,
                span: Span::new(self.file, start, end),
            });
        }
        end
    }

    fn block_comment(&mut self, start: usize) -> usize {
        let body = self.bytes.get(start + 2..).unwrap_or(&[]);
        match body.windows(2).position(|w| w == b"*/") {
            Some(p) => {
                let end = start + 2 + p + 2;
                self.out.comments.push(Comment {
                    text: self.slice(start, end).to_string(),
                    span: Span::new(self.file, start, end),
                });
                end
            }
            None => {
                let len = self.bytes.len();
                self.out.diagnostics.push(
                    Diagnostic::error(
                        Code::SYNTAX,
                        Span::new(self.file, start, start + 2),
                        "unterminated block comment",
                    )
                    .with_help("close the comment with `*/`"),
                );
                self.out.masks.push((start, len));
                len
            }
        }
    }

    /// Skips a string literal starting at the quote `start`; an unterminated
    /// one is reported and blanked out to the end of its line.
    fn string(&mut self, start: usize, quote: u8) -> usize {
        let bit = if quote == b'"' { 1 } else { 2 };
        let mut j = start + 1;
        let terminated = loop {
            if self.dead.get(j).is_some_and(|d| d & bit != 0) {
                break false;
            }
            match self.bytes.get(j) {
                None => break false,
                Some(&b'\\') => {
                    if j + 1 >= self.bytes.len() {
                        break false;
                    }
                    j += 2;
                }
                Some(&b) if b == quote => break true,
                Some(_) => j += 1,
            }
        };
        if terminated {
            return j + 1;
        }
        self.mark_dead(start + 1, bit);
        let end = self.line_end(start);
        self.out.diagnostics.push(
            Diagnostic::error(
                Code::SYNTAX,
                Span::new(self.file, start, end),
                "unterminated string literal",
            )
            .with_help(format!("close the string with `{}`", quote as char)),
        );
        self.out.masks.push((start, end));
        end
    }

    /// Marks every offset a string scan from `from` visits (outside escapes)
    /// as leading to the end of the file.
    fn mark_dead(&mut self, from: usize, bit: u8) {
        if self.dead.is_empty() {
            self.dead = vec![0; self.bytes.len() + 1];
        }
        let mut j = from;
        while let Some(slot) = self.dead.get_mut(j) {
            if *slot & bit != 0 {
                break;
            }
            *slot |= bit;
            j += if self.bytes.get(j) == Some(&b'\\') {
                2
            } else {
                1
            };
        }
    }
}

/// Unicode whitespace that the grammar accepts between tokens.
fn is_unicode_space(rest: &str) -> bool {
    matches!(
        rest.chars().next(),
        Some('\u{A0}' | '\u{FEFF}' | '\u{2028}' | '\u{2029}')
    )
}

/// Length of the UTF-8 character whose first byte is `b` (1 for anything
/// that is not a valid first byte, which keeps the scan moving).
fn char_len(b: u8) -> usize {
    match b {
        0xF0..=0xF7 => 4,
        0xE0..=0xEF => 3,
        0xC0..=0xDF => 2,
        _ => 1,
    }
}

/// Replaces the masked ranges with spaces, keeping line breaks and the
/// length of the text, so every offset stays valid.
pub(crate) fn apply_masks(text: &str, masks: &[(usize, usize)]) -> String {
    let mut bytes = text.as_bytes().to_vec();
    for &(start, end) in masks {
        for b in bytes.iter_mut().take(end).skip(start) {
            if *b != b'\n' && *b != b'\r' {
                *b = b' ';
            }
        }
    }
    // Masks cover whole characters or whole lines, and spaces are ASCII, so
    // this cannot fail; fall back to a lossy copy rather than panic.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Removes what the scan found inside masked ranges.
pub(crate) fn drop_masked(scan: &mut Scan, masks: &[(usize, usize)]) {
    let inside = |at: usize| masks.iter().any(|&(s, e)| s <= at && at < e);
    scan.comments.retain(|c| !inside(c.span.start as usize));
    scan.docs.retain(|d| !inside(d.start));
    scan.line_words.retain(|&w| !inside(w));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_skip_strings_and_docs() {
        let s = scan(
            FileId(0),
            "/// doc\nmodel A { // c1\n x String @default(\"// no\") /* c2 */ }\n",
        );
        let texts: Vec<_> = s.comments.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["// c1", "/* c2 */"]);
        assert_eq!(s.docs.len(), 1);
        assert_eq!(s.docs[0].text, " doc");
        assert_eq!(s.docs[0].anchor, 8);
    }

    #[test]
    fn unterminated_literals_are_masked() {
        let text = "a \"b\nc /* d";
        let s = scan(FileId(0), text);
        assert_eq!(s.diagnostics.len(), 2);
        assert_eq!(s.masks, [(2, 4), (7, 11)]);
        assert_eq!(apply_masks(text, &s.masks), "a   \nc     ");
    }

    #[test]
    fn many_unterminated_quotes_stay_linear() {
        // each quote escapes every later one: without the memo this is quadratic
        let text = "\\\"\n".repeat(50_000);
        let s = scan(FileId(0), &text);
        assert_eq!(s.diagnostics.len(), 50_000);
    }
}
