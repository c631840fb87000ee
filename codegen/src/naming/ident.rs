//! Rust identifiers from arbitrary document names: casing, keywords, names
//! that start with a digit or hold no letters at all, and collisions.

use std::collections::BTreeSet;

/// Splits a name into words at separators, case changes and digit runs
/// (`synchronizationJob-id` -> synchronization, Job, id; `OAuth2Permission`
/// -> O, Auth2, Permission is avoided by keeping acronym runs together).
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = current.chars().last().as_ref() {
            let next = chars.get(i + 1).copied();
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase() && c.is_uppercase() && next.is_some_and(char::is_lowercase))
                || (prev.is_numeric() && c.is_uppercase());
            if boundary {
                out.push(std::mem::take(&mut current));
            }
        }
        current.push(c);
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// `snake_case`, made a valid, non-keyword Rust identifier.
pub fn snake_case(name: &str) -> String {
    let joined = words(name).iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("_");
    sanitize(joined, "field")
}

/// `PascalCase`, made a valid, non-keyword Rust identifier.
pub fn pascal_case(name: &str) -> String {
    let joined: String = words(name).iter().map(|w| capitalize(w)).collect();
    sanitize(joined, "Type")
}

/// Upper-cases the first character, keeping the rest.
pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Keeps only characters Rust accepts in identifiers, prefixes names that
/// start with a digit, and escapes keywords (`type` -> `r#type` is avoided:
/// raw identifiers read badly in a diff, so we append an underscore).
fn sanitize(mut ident: String, fallback: &str) -> String {
    ident.retain(|c| c == '_' || c.is_ascii_alphanumeric());
    let ident = ident.trim_matches('_').to_owned();
    if ident.is_empty() {
        return fallback.to_owned();
    }
    let mut ident = ident;
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, if fallback.starts_with(char::is_uppercase) { 'T' } else { '_' });
    }
    if is_keyword(&ident) {
        ident.push('_');
    }
    ident
}

/// Rust keywords (strict and reserved, 2024 edition) plus names that would
/// shadow what generated code refers to unqualified.
pub fn is_keyword(ident: &str) -> bool {
    const KEYWORDS: &[&str] = &[
        "Self", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do",
        "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop",
        "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "static",
        "struct", "super", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use",
        "virtual", "where", "while", "yield",
    ];
    KEYWORDS.contains(&ident)
}

/// Hands out names that are unique within one scope, suffixing `2`, `3`...
/// on collision. Callers must offer names in a deterministic order.
#[derive(Debug, Default)]
pub struct UniqueNames {
    taken: BTreeSet<String>,
}

impl UniqueNames {
    /// A scope in which `reserved` names are already taken.
    pub fn with_reserved(reserved: &[&str]) -> UniqueNames {
        UniqueNames { taken: reserved.iter().map(|s| s.to_lowercase()).collect() }
    }

    /// Whether `name` is still free (case-insensitively).
    pub fn is_free(&self, name: &str) -> bool {
        !self.taken.contains(&name.to_lowercase())
    }

    /// Returns `name`, or `name2`, `name3`... whichever is free
    /// (compared case-insensitively, so `Foo` and `FOO` do not both appear).
    pub fn claim(&mut self, name: &str) -> String {
        let mut candidate = name.to_owned();
        let mut n = 2u64;
        while self.taken.contains(&candidate.to_lowercase()) {
            candidate = format!("{name}{n}");
            n += 1;
        }
        self.taken.insert(candidate.to_lowercase());
        candidate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake() {
        assert_eq!(snake_case("application.synchronization.job_start"), "application_synchronization_job_start");
        assert_eq!(snake_case("synchronizationJob-id"), "synchronization_job_id");
        assert_eq!(snake_case("innerError"), "inner_error");
        assert_eq!(snake_case("@odata.nextLink"), "odata_next_link");
        assert_eq!(snake_case("type"), "type_");
        assert_eq!(snake_case("2fa"), "_2fa");
        assert_eq!(snake_case("ÿ-é"), "field");
        assert_eq!(snake_case(""), "field");
    }

    #[test]
    fn pascal() {
        assert_eq!(pascal_case("microsoft.graph.ODataErrors.MainError"), "MicrosoftGraphODataErrorsMainError");
        assert_eq!(pascal_case("self"), "Self_");
        assert_eq!(pascal_case("123"), "T123");
        assert_eq!(pascal_case("HTTPServer"), "HTTPServer");
    }

    #[test]
    fn unique() {
        let mut names = UniqueNames::with_reserved(&["client"]);
        assert_eq!(names.claim("client"), "client2");
        assert_eq!(names.claim("a"), "a");
        assert_eq!(names.claim("A"), "A2");
    }
}
