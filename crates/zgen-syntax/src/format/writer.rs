//! The output buffer of the formatter and the comment bookkeeping.
//!
//! Everything is printed in source order through one [`Writer`]. Each token
//! that has a known source position is written with [`Writer::tok`], which
//! first prints every not-yet-printed comment that starts before it, so no
//! comment can be lost and each one lands in the same gap between tokens as
//! in the source. Layout code additionally takes comments out early to put
//! them on their own lines ([`Writer::take_before`]) or at the end of the line
//! they trail ([`Writer::trailing`]).
//!
//! Spacing is lazy: [`Writer::sp`] asks for a space before the next token,
//! indentation is written when a line gets its first text (so no line ever
//! ends in whitespace), and the line break after a `//` comment is deferred
//! until something follows it.

use crate::ast::Comment;

/// One indentation level (ZenStack's formatter default).
pub(super) const INDENT: &str = "    ";

pub(super) struct Writer<'a> {
    pub src: &'a str,
    /// All comments, sorted by start offset.
    comments: Vec<&'a Comment>,
    used: Vec<bool>,
    /// Index of the first comment not printed yet.
    cursor: usize,
    out: String,
    /// Indentation level of the lines that start from now on.
    pub indent: usize,
    /// Indentation level of the current line.
    line_level: usize,
    /// Nothing has been written on the current line yet.
    at_line_start: bool,
    /// A space is due before the next token.
    space: bool,
    /// A `//` comment ended the line; the break (to this level) is written
    /// when more text follows.
    pending_break: Option<usize>,
}

/// Where a source offset range lies, for reading the source text.
pub(super) fn slice(src: &str, start: usize, end: usize) -> &str {
    src.get(start..end).unwrap_or("")
}

/// True when a line of `src[start..end]` other than its first and last is
/// blank, i.e. the gap holds an empty line.
pub(super) fn has_blank_line(src: &str, start: usize, end: usize) -> bool {
    if start >= end {
        return false;
    }
    let gap = slice(src, start, end);
    let parts: Vec<&str> = gap.split('\n').collect();
    let n = parts.len();
    n >= 3
        && parts
            .iter()
            .take(n - 1)
            .skip(1)
            .any(|p| p.trim().is_empty())
}

/// A comment as printed: `\n` line ends and no whitespace at the end of
/// any of its lines.
pub(super) fn comment_text(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    lines.join("\n")
}

fn is_line_comment(c: &Comment) -> bool {
    c.text.starts_with("//")
}

impl<'a> Writer<'a> {
    pub fn new(src: &'a str, comments: &'a [Comment]) -> Self {
        let mut sorted: Vec<&Comment> = comments.iter().collect();
        sorted.sort_by_key(|c| (c.span.start, c.span.end));
        let used = vec![false; sorted.len()];
        Writer {
            src,
            comments: sorted,
            used,
            cursor: 0,
            out: String::new(),
            indent: 0,
            line_level: 0,
            at_line_start: true,
            space: false,
            pending_break: None,
        }
    }

    /// A writer without comments, for measuring or plain rendering.
    pub fn plain(src: &'a str) -> Self {
        Writer::new(src, &[])
    }

    pub fn into_string(self) -> String {
        self.out
    }

    // ------------------------------------------------------------ comments

    fn advance_cursor(&mut self) {
        while self.used.get(self.cursor).copied().unwrap_or(false) {
            self.cursor += 1;
        }
    }

    /// Takes (marks printed) every remaining comment that starts before
    /// `limit`, in source order. The caller must print them.
    pub fn take_before(&mut self, limit: usize) -> Vec<&'a Comment> {
        let mut taken = Vec::new();
        let mut i = self.cursor;
        while let Some(c) = self.comments.get(i) {
            if c.span.start as usize >= limit {
                break;
            }
            if let Some(u) = self.used.get_mut(i) {
                if !*u {
                    *u = true;
                    taken.push(*c);
                }
            }
            i += 1;
        }
        self.advance_cursor();
        taken
    }

    /// True when a `//` comment starts inside `start..end` but not inside
    /// one of the `skip` ranges.
    pub fn has_line_comment_in(&self, start: usize, end: usize, skip: &[(usize, usize)]) -> bool {
        let from = self
            .comments
            .partition_point(|c| (c.span.start as usize) < start);
        self.comments
            .iter()
            .skip(from)
            .take_while(|c| (c.span.start as usize) < end)
            .any(|c| {
                let at = c.span.start as usize;
                is_line_comment(c) && !skip.iter().any(|&(s, e)| s <= at && at < e)
            })
    }

    /// Prints every remaining comment that starts before `pos`.
    pub fn flush_before(&mut self, pos: usize) {
        for c in self.take_before(pos) {
            self.comment(c);
        }
    }

    /// Prints the comments that follow `end` on the same source line (and
    /// start before `limit`) at the end of the current output line. Returns
    /// the source offset after the last one printed (or `end`).
    pub fn trailing(&mut self, end: usize, limit: usize) -> usize {
        let mut prev = end;
        loop {
            self.advance_cursor();
            let Some(c) = self.comments.get(self.cursor).copied() else {
                break;
            };
            let start = c.span.start as usize;
            if start >= limit || start < prev {
                break;
            }
            if slice(self.src, prev, start).contains('\n') {
                break;
            }
            if let Some(u) = self.used.get_mut(self.cursor) {
                *u = true;
            }
            self.comment(c);
            prev = c.span.end as usize;
        }
        prev
    }

    /// Prints a comment where the output currently is: a block comment
    /// inline, a line comment followed by a (deferred) line break.
    pub fn comment(&mut self, c: &Comment) {
        let text = comment_text(&c.text);
        let text = text.as_str();
        if is_line_comment(c) {
            let own_line = self.at_line_start || self.pending_break.is_some();
            self.space = true;
            self.start_text(true);
            self.out.push_str(text);
            let level = if own_line {
                self.line_level
            } else {
                self.indent + 1
            };
            self.pending_break = Some(level);
        } else {
            if !self.out.ends_with(['(', '[']) {
                self.space = true;
            }
            self.start_text(true);
            self.out.push_str(text);
            self.space = true;
        }
    }

    /// Prints a comment on a line of its own at the current indentation.
    pub fn own_line_comment(&mut self, c: &Comment) {
        self.newline();
        self.comment(c);
        self.newline();
    }

    // ------------------------------------------------------------ text

    fn start_text(&mut self, space_ok: bool) {
        if let Some(level) = self.pending_break.take() {
            self.out.push('\n');
            self.at_line_start = true;
            self.line_level = level;
        }
        if self.at_line_start {
            for _ in 0..self.line_level {
                self.out.push_str(INDENT);
            }
            self.at_line_start = false;
        } else if self.space && space_ok {
            self.out.push(' ');
        }
        self.space = false;
    }

    /// Writes a token, after the comments that precede its source position.
    pub fn tok(&mut self, pos: Option<usize>, text: &str) {
        if let Some(p) = pos {
            self.flush_before(p);
        }
        self.start_text(true);
        self.out.push_str(text);
    }

    /// Writes a token that never takes a space before it (`,`, `)`, `]`).
    pub fn tight(&mut self, pos: Option<usize>, text: &str) {
        if let Some(p) = pos {
            self.flush_before(p);
        }
        self.space = false;
        self.start_text(false);
        self.out.push_str(text);
    }

    /// Asks for a space before the next token.
    pub fn sp(&mut self) {
        self.space = true;
    }

    /// Writes `n` spaces now (column padding).
    pub fn pad(&mut self, n: usize) {
        self.start_text(false);
        for _ in 0..n {
            self.out.push(' ');
        }
    }

    /// Ends the current line; the next text starts a line at `indent`.
    pub fn newline(&mut self) {
        if self.pending_break.take().is_some() || !self.at_line_start {
            self.out.push('\n');
        }
        self.at_line_start = true;
        self.line_level = self.indent;
        self.space = false;
    }

    /// Ends the current line and leaves one empty line (never two, never at
    /// the start of the output).
    pub fn blank_line(&mut self) {
        self.newline();
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
    }

    /// The number of characters a rendering takes, for column alignment.
    pub fn width(text: &str) -> usize {
        text.chars().count()
    }
}
