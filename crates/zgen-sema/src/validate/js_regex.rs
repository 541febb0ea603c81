//! A syntax check for JavaScript regular expressions (V-F5).
//!
//! ZenStack compiles `regex()` patterns with `new RegExp(pattern)`: no flags,
//! so the lenient web-compatibility grammar applies (a lone `{` or `]` is a
//! literal, `\1` and `\q` are fine). Only what that grammar rejects is
//! reported; the pattern is never run.

/// Why `pattern` is not a valid JavaScript regex, if it is not.
pub(crate) fn js_regex_error(pattern: &str) -> Option<String> {
    Checker {
        chars: pattern.chars().collect(),
        pos: 0,
        groups: Vec::new(),
        names: Vec::new(),
    }
    .run()
    .err()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    Plain,
    Lookahead,
    Lookbehind,
}

struct Checker {
    chars: Vec<char>,
    pos: usize,
    groups: Vec<Group>,
    names: Vec<String>,
}

type Result<T = ()> = std::result::Result<T, String>;

impl Checker {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.peek(0) == Some(c);
        if hit {
            self.pos += 1;
        }
        hit
    }

    fn run(mut self) -> Result {
        // Whether the previous term may take a quantifier.
        let mut quantifiable = false;
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            quantifiable = match c {
                '\\' => self.escape()?,
                '[' => {
                    self.class()?;
                    true
                }
                '(' => {
                    self.open_group()?;
                    false
                }
                ')' => match self.groups.pop() {
                    None => return Err("unmatched `)`".into()),
                    // Lookbehinds take no quantifier; lookaheads do (Annex B).
                    Some(group) => group != Group::Lookbehind,
                },
                '*' | '+' | '?' => self.quantifier(quantifiable)?,
                '{' => match self.braces()? {
                    Some((min, max)) => {
                        if !quantifiable {
                            return Err("nothing to repeat".into());
                        }
                        if max.is_some_and(|m| m < min) {
                            return Err("numbers out of order in `{}` quantifier".into());
                        }
                        self.eat('?');
                        false
                    }
                    None => true,
                },
                '^' | '$' | '|' => false,
                _ => true,
            };
        }
        if self.groups.is_empty() {
            Ok(())
        } else {
            Err("unterminated group".into())
        }
    }

    fn quantifier(&mut self, quantifiable: bool) -> Result<bool> {
        if !quantifiable {
            return Err("nothing to repeat".into());
        }
        self.eat('?');
        Ok(false)
    }

    /// After `\`; returns whether the escape may be quantified.
    fn escape(&mut self) -> Result<bool> {
        match self.peek(0) {
            None => Err("`\\` at end of pattern".into()),
            Some(c) => {
                self.pos += 1;
                Ok(!matches!(c, 'b' | 'B'))
            }
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` after `{`; `None` (and nothing consumed)
    /// when the brace is a literal.
    fn braces(&mut self) -> Result<Option<(u128, Option<u128>)>> {
        let start = self.pos;
        let min = self.digits();
        let Some(min) = min else { return Ok(None) };
        let max = if self.eat(',') {
            Some(self.digits())
        } else {
            None
        };
        if !self.eat('}') {
            self.pos = start;
            return Ok(None);
        }
        Ok(Some((
            min,
            max.map(|m| m.unwrap_or(u128::MAX)).or(Some(min)),
        )))
    }

    fn digits(&mut self) -> Option<u128> {
        let start = self.pos;
        while self.peek(0).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        let text: String = self.chars.get(start..self.pos)?.iter().collect();
        // Huge counts saturate rather than fail.
        (!text.is_empty()).then(|| text.parse().unwrap_or(u128::MAX))
    }

    /// After `(`.
    fn open_group(&mut self) -> Result {
        if !self.eat('?') {
            self.groups.push(Group::Plain);
            return Ok(());
        }
        let group = match self.peek(0) {
            Some(':') => Group::Plain,
            Some('=' | '!') => Group::Lookahead,
            Some('<') if matches!(self.peek(1), Some('=' | '!')) => {
                self.pos += 1;
                Group::Lookbehind
            }
            Some('<') => {
                self.pos += 1;
                self.group_name()?;
                self.groups.push(Group::Plain);
                return Ok(());
            }
            _ => return Err("invalid group".into()),
        };
        self.pos += 1;
        self.groups.push(group);
        Ok(())
    }

    /// `name>` of a named group.
    fn group_name(&mut self) -> Result {
        let start = self.pos;
        while self
            .peek(0)
            .is_some_and(|c| c == '_' || c == '$' || c.is_alphanumeric())
        {
            self.pos += 1;
        }
        let name: String = self
            .chars
            .get(start..self.pos)
            .unwrap_or_default()
            .iter()
            .collect();
        let starts_well = name.chars().next().is_some_and(|c| !c.is_ascii_digit());
        if !starts_well || !self.eat('>') {
            return Err("invalid capture group name".into());
        }
        if self.names.contains(&name) {
            return Err(format!("duplicate capture group name `{name}`"));
        }
        self.names.push(name);
        Ok(())
    }

    /// After `[`: up to the closing `]`, with ranges in order.
    fn class(&mut self) -> Result {
        self.eat('^');
        loop {
            let Some(c) = self.peek(0) else {
                return Err("unterminated character class".into());
            };
            self.pos += 1;
            if c == ']' {
                return Ok(());
            }
            let low = if c == '\\' {
                self.class_escape()?
            } else {
                Some(c)
            };
            if self.peek(0) == Some('-') && self.peek(1).is_some_and(|n| n != ']') {
                self.pos += 1;
                if let (Some(low), Some(high)) = (low, self.class_atom()?) {
                    if high < low {
                        return Err("range out of order in character class".into());
                    }
                }
            }
        }
    }

    /// One class atom after a `-`.
    fn class_atom(&mut self) -> Result<Option<char>> {
        let Some(c) = self.peek(0) else {
            return Err("unterminated character class".into());
        };
        self.pos += 1;
        if c == '\\' {
            self.class_escape()
        } else {
            Ok(Some(c))
        }
    }

    /// After `\` in a class: the character it denotes, or `None` for a set
    /// such as `\d` (which makes a range literal in web-compatible syntax).
    fn class_escape(&mut self) -> Result<Option<char>> {
        let Some(c) = self.peek(0) else {
            return Err("`\\` at end of pattern".into());
        };
        self.pos += 1;
        Ok(match c {
            'd' | 'D' | 'w' | 'W' | 's' | 'S' => None,
            'n' => Some('\n'),
            'r' => Some('\r'),
            't' => Some('\t'),
            'f' => Some('\u{c}'),
            'v' => Some('\u{b}'),
            'b' => Some('\u{8}'),
            'x' => self.hex(2),
            'u' => self.hex(4),
            other => Some(other),
        })
    }

    /// `count` hex digits after `\x` / `\u`; without them the escape is the
    /// letter itself, which only matters for range order.
    fn hex(&mut self, count: usize) -> Option<char> {
        let digits: String = self.chars.get(self.pos..self.pos + count)?.iter().collect();
        let value = u32::from_str_radix(&digits, 16).ok()?;
        self.pos += count;
        char::from_u32(value)
    }
}

#[cfg(test)]
mod tests {
    use super::js_regex_error;

    #[test]
    fn accepts_valid_and_web_compatible_patterns() {
        for p in [
            "^[a-z]+$",
            "^\\d{3}-\\d{4}$",
            "a{",
            "]",
            "x{2,}",
            "(?<year>\\d{4})-(?:\\d\\d)",
            "(?=a)*",
            "[\\w-]",
            "[a-\\d]",
            "\\1(a)",
            "^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}$",
            "(?<!a)b",
            "",
        ] {
            assert_eq!(js_regex_error(p), None, "{p}");
        }
    }

    #[test]
    fn rejects_invalid_patterns() {
        for p in [
            "[a-", "(a", "a)", "*a", "a**", "[z-a]", "a{3,2}", "(?x)", "\\", "(?<1a>x)", "(?<=a)*",
            "^*",
        ] {
            assert!(js_regex_error(p).is_some(), "{p}");
        }
    }
}
