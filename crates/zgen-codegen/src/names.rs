//! Rust names for schema names: snake_case fields and modules, CamelCase
//! types and variants, raw identifiers for keywords.

/// `createdAt` → `created_at`, `HTTPStatus` → `http_status`.
pub fn snake(name: &str) -> String {
    // No `Vec<char>` and no case tables for ASCII: generation calls this
    // thousands of times.
    let mut out = String::with_capacity(name.len() + 4);
    let mut prev: Option<char> = None;
    for (i, c) in name.char_indices() {
        if c.is_uppercase() {
            let next = name[i + c.len_utf8()..].chars().next();
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                _ => false,
            };
            if boundary && !out.ends_with('_') {
                out.push('_');
            }
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        } else {
            out.push(c);
        }
        prev = Some(c);
    }
    out
}

/// `user_role` / `USER_ROLE` → `UserRole`; already-camel names are kept.
pub fn camel(name: &str) -> String {
    let all_upper = !name.chars().any(char::is_lowercase);
    let mut out = String::with_capacity(name.len());
    for part in name.split('_').filter(|p| !p.is_empty()) {
        let mut chars = part.chars();
        if let Some(first) = chars.next() {
            out.extend(first.to_uppercase());
            if all_upper {
                out.extend(chars.flat_map(char::to_lowercase));
            } else {
                out.extend(chars);
            }
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

const KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "dyn", "else", "enum", "extern", "false",
    "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
    "return", "static", "struct", "trait", "true", "type", "unsafe", "use", "where", "while",
    "abstract", "become", "box", "do", "final", "gen", "macro", "override", "priv", "try",
    "typeof", "unsized", "virtual", "yield",
];

/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["self", "Self", "super", "crate", "_"];

/// An identifier for `name`: raw (`r#type`) for keywords, with a trailing
/// underscore for the few words that cannot be raw.
pub fn ident(name: &str) -> String {
    if NOT_RAW.contains(&name) {
        format!("{name}_")
    } else if KEYWORDS.contains(&name) {
        format!("r#{name}")
    } else {
        name.to_string()
    }
}

/// A field or method name.
pub fn field(name: &str) -> String {
    ident(&snake(name))
}

/// A type or variant name with a suffix (`Post` + `Where`).
pub fn ty(name: &str, suffix: &str) -> String {
    ident(&format!("{}{suffix}", camel(name)))
}

/// A method name built from a field name (`author` + `_with`).
pub fn method(name: &str, suffix: &str) -> String {
    ident(&format!("{}{suffix}", snake(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case() {
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(snake("HTTPStatus"), "http_status");
        assert_eq!(snake("userId2"), "user_id2");
        assert_eq!(snake("id"), "id");
        assert_eq!(snake("already_snake"), "already_snake");
    }

    #[test]
    fn camel_case() {
        assert_eq!(camel("ADMIN"), "Admin");
        assert_eq!(camel("user_role"), "UserRole");
        assert_eq!(camel("SpaceUser"), "SpaceUser");
        assert_eq!(camel("9lives"), "V9lives");
    }

    #[test]
    fn keywords_become_raw() {
        assert_eq!(field("type"), "r#type");
        assert_eq!(field("self"), "self_");
        assert_eq!(field("name"), "name");
    }
}
