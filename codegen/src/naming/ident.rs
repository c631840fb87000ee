//! Rust identifiers from arbitrary document names: casing, keywords, names
//! that start with a digit or hold no letters at all, and collisions.

use std::borrow::Cow;
use std::collections::BTreeSet;

/// The placeholders Microsoft's Graph documents put inside operationIds (and
/// the names derived from them) for the prepositions AutoRest would split a
/// name at, and the word each stands for.
pub const PREPOSITION_PLACEHOLDERS: &[(&str, &str)] = &[
    ("GraphBPre", "By"),
    ("GraphWPre", "With"),
    ("GraphAPre", "At"),
    ("GraphFPre", "For"),
    ("GraphOPre", "Of"),
    ("GraphRPre", "Or"),
];

/// Replaces every preposition placeholder that `keep` accepts by its word.
/// `keep` sees the character before the placeholder and the one after it.
/// A placeholder followed by a lower-case letter is part of a longer word
/// (`GraphBPrefix`) and is never replaced.
pub fn replace_placeholders(text: &str, keep: impl Fn(Option<char>, Option<char>) -> bool) -> String {
    let mut text = text.to_owned();
    for (placeholder, word) in PREPOSITION_PLACEHOLDERS {
        if !text.contains(placeholder) {
            continue;
        }
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        for (at, _) in text.match_indices(placeholder) {
            out.push_str(text.get(copied..at).unwrap_or_default());
            let before = text.get(..at).and_then(|t| t.chars().next_back());
            let after = text.get(at + placeholder.len()..).and_then(|t| t.chars().next());
            let replace = !after.is_some_and(|c| c.is_ascii_lowercase()) && keep(before, after);
            out.push_str(if replace { word } else { placeholder });
            copied = at + placeholder.len();
        }
        out.push_str(text.get(copied..).unwrap_or_default());
        text = out;
    }
    text
}

/// A document name as Rust identifiers see it: Graph's preposition
/// placeholders read as the words they stand for, so
/// `application_GetApplicationGraphBPreAppId` gives
/// `application_get_application_by_app_id`, never `..._graph_b_pre_...`.
/// Every identifier (methods, request builders, types, fields, enum
/// variants) goes through [`words`], and so through this.
pub fn without_placeholders(name: &str) -> Cow<'_, str> {
    if name.contains("Pre") && PREPOSITION_PLACEHOLDERS.iter().any(|(p, _)| name.contains(p)) {
        Cow::Owned(replace_placeholders(name, |_, _| true))
    } else {
        Cow::Borrowed(name)
    }
}

/// Splits a name into words at separators, case changes and digit runs
/// (`synchronizationJob-id` -> synchronization, Job, id; `OAuth2Permission`
/// -> O, Auth2, Permission is avoided by keeping acronym runs together).
pub fn words(name: &str) -> Vec<String> {
    let name = without_placeholders(name);
    let name = name.as_ref();
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
    // Dropping non-ASCII letters can leave a lower-case start (`Ünïcödé` ->
    // `ncd`), so capitalize what survives.
    capitalize(&sanitize(joined, "Type"))
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
        // A keyword escaped with `_` is numbered without it: `Self_2` is not
        // UpperCamelCase to rustc, `Self2` is (and is no keyword).
        let stem = if name.starts_with(|c: char| c.is_ascii_uppercase()) { name.trim_end_matches('_') } else { name };
        let mut n = 2u64;
        while self.taken.contains(&candidate.to_lowercase()) {
            candidate = format!("{stem}{n}");
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
        assert_eq!(pascal_case("Ünïcödé"), "Ncd");
        let mut names = UniqueNames::default();
        assert_eq!([names.claim("Self_"), names.claim("Self_"), names.claim("type_"), names.claim("type_")], ["Self_", "Self2", "type_", "type_2"]);
    }

    #[test]
    fn preposition_placeholders_never_reach_an_identifier() {
        assert_eq!(snake_case("application_GetApplicationGraphBPreAppId"), "application_get_application_by_app_id");
        assert_eq!(snake_case("application_GetCreatedOnBehalfGraphOPre"), "application_get_created_on_behalf_of");
        assert_eq!(snake_case("onPremisesPublishingProfile.connector_ListMemberGraphOPreGraphBPreRef"), "on_premises_publishing_profile_connector_list_member_of_by_ref");
        assert_eq!(pascal_case("deviceManagement_scopedGraphFPreResource_request_body"), "DeviceManagementScopedForResourceRequestBody");
        assert_eq!(snake_case("x_doGraphWPreStyleGraphAPreTimeGraphRPreNot"), "x_do_with_style_at_time_or_not");
        // Part of a longer word: left alone.
        assert_eq!(snake_case("GraphBPrefix"), "graph_b_prefix");
        // Only placeholders are touched.
        assert_eq!(snake_case("graph_pre_value"), "graph_pre_value");
    }

    #[test]
    fn unique() {
        let mut names = UniqueNames::with_reserved(&["client"]);
        assert_eq!(names.claim("client"), "client2");
        assert_eq!(names.claim("a"), "a");
        assert_eq!(names.claim("A"), "A2");
    }
}
