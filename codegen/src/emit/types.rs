//! TypeRef -> Rust type tokens, and doc comments. Std paths are fully
//! qualified so a schema called `Option` or `Vec` cannot shadow them.

use std::borrow::Cow;

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::TypeRef;

/// An identifier from an already-sanitized IR name.
pub(super) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// Which crate the tokens are written for: named types are reached from
/// there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scope {
    /// A module crate: models through `crate::models`, its own types through
    /// `crate::types`.
    Module,
    /// The models crate itself.
    Models,
}

/// A runtime path from the configuration (`runtime::error::ODataError`) as
/// tokens naming it in the runtime crate.
pub(super) fn runtime_path(path: &str) -> TokenStream {
    let path = path.strip_prefix("runtime::").unwrap_or(path);
    let segments = path.split("::").filter(|s| !s.is_empty()).map(ident);
    quote! { ::mg_runtime #(:: #segments)* }
}

/// The Rust type of a TypeRef.
pub(super) fn rust_type(ty: &TypeRef, scope: Scope) -> TokenStream {
    match ty {
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::Boolean => quote! { bool },
        TypeRef::Int32 => quote! { i32 },
        TypeRef::Int64 => quote! { i64 },
        TypeRef::Number => quote! { f64 },
        TypeRef::Any => quote! { ::mg_runtime::serde_json::Value },
        TypeRef::Named(name) => {
            let name = ident(name);
            match scope {
                Scope::Module => quote! { crate::models::#name },
                Scope::Models => quote! { crate::#name },
            }
        }
        TypeRef::Local(name) => {
            let name = ident(name);
            quote! { crate::types::#name }
        }
        TypeRef::Replaced(path) => runtime_path(path),
        TypeRef::Array(inner) => {
            let inner = rust_type(inner, scope);
            quote! { ::std::vec::Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner, scope);
            quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
        }
        TypeRef::Nullable(inner) => {
            let inner = rust_type(inner, scope);
            quote! { ::std::option::Option<#inner> }
        }
    }
}

/// Doc attributes for an optional description from the document (prose,
/// Markdown made harmless by [`prose_line`]), one per line so rustdoc keeps
/// paragraphs; an empty description gets `fallback`, our own text (which may
/// quote names from the document through [`code`]).
pub(super) fn docs(text: Option<&str>, fallback: &str) -> TokenStream {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        Some(text) => {
            let lines: Vec<String> = doc_split(text).map(|l| format!(" {}", prose_line(l))).collect();
            doc_attrs(&lines)
        }
        None => doc_lines(fallback),
    }
}

/// Doc attributes for text the generator composed (each line already in
/// Markdown, names from the document quoted with [`code`]), one attribute
/// per line, with [`rustc_safe`] applied.
pub(super) fn doc_lines(text: &str) -> TokenStream {
    let lines: Vec<String> = doc_split(text).map(|l| if l.starts_with(' ') { l.to_owned() } else { format!(" {l}") }).collect();
    doc_attrs(&lines)
}

/// [`doc_lines`] as inner attributes (`#![doc = ...]`), for module docs.
pub(super) fn inner_doc_lines(text: &str) -> TokenStream {
    let lines = doc_split(text).map(|l| rustc_safe(&format!(" {}", l.trim_start())).trim_end().to_owned()).collect::<Vec<_>>();
    quote! { #(#![doc = #lines])* }
}

fn doc_attrs(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| rustc_safe(l.trim_end()).into_owned());
    quote! { #(#[doc = #lines])* }
}

/// One doc line of the generator's own words (which may hold rustdoc
/// links); names from the document go in through [`code`], prose through
/// [`prose`].
pub(super) fn doc_line(text: &str) -> String {
    format!(" {}", rustc_safe(text.trim_end()))
}

/// An unsuffixed integer literal (`3`, not `3u16`).
pub(super) fn lit(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

/// Splits text at every kind of line break (`\r\n`, `\r`, `\n`, vertical
/// tab, form feed, NEL, U+2028, U+2029): a doc comment is one line each.
pub(super) fn doc_split(text: &str) -> impl Iterator<Item = &str> {
    text.split("\r\n").flat_map(|part| part.split(['\n', '\r', '\u{0b}', '\u{0c}', '\u{85}', '\u{2028}', '\u{2029}']))
}

/// The text-direction codepoints rustc refuses in comments and literals
/// (`text_direction_codepoint_in_comment`, deny by default), and the
/// invisible direction marks next to them.
fn direction_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}')
}

/// One line of doc text as rustc takes it in a `///` comment: control
/// characters (a bare carriage return is an error there), text-direction
/// codepoints (a denied lint) and a byte-order mark are written as visible
/// `\u{...}` escapes, so nothing is dropped and nothing is hidden.
pub(super) fn rustc_safe(line: &str) -> Cow<'_, str> {
    let bad = |c: char| (c.is_control() && c != '\t') || direction_control(c) || c == '\u{feff}';
    if !line.chars().any(bad) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if bad(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A name from the document (a path, an operationId, a wire name) as an
/// inline code span: the fence is longer than any run of backticks in it,
/// so the name cannot end the span early.
pub(super) fn code(name: &str) -> String {
    let longest = name.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest + 1);
    // Inside a code span backslashes are literal; keep the name as it is
    // and let `rustc_safe` deal with what rustc refuses.
    let name: String = doc_split(name).collect::<Vec<_>>().join(" ");
    if longest > 0 || name.starts_with(' ') || name.ends_with(' ') {
        format!("{fence} {name} {fence}")
    } else {
        format!("{fence}{name}{fence}")
    }
}

/// Prose from the document on one line (line breaks become spaces), made
/// harmless like every [`docs`] line.
pub(super) fn prose(text: &str) -> String {
    let joined: Vec<&str> = doc_split(text.trim()).map(str::trim).filter(|l| !l.is_empty()).collect();
    prose_line(&joined.join(" "))
}

/// One line of API prose as rustdoc will read it, neutralised: indentation
/// goes (no indented code blocks, which rustdoc would compile as doctests);
/// a line that would open a fenced code block starts with an escaped fence
/// character; backslashes, square brackets, angle brackets and ampersands
/// are escaped (no broken intra-doc links, no HTML, no character references
/// that could smuggle a control character back in); bare URLs become
/// autolinks (no `rustdoc::bare_urls` warning).
pub(super) fn prose_line(line: &str) -> String {
    let line = line.trim();
    let mut out = String::with_capacity(line.len() + 8);
    if line.starts_with("```") || line.starts_with("~~~") {
        out.push('\\');
    }
    let mut rest = line;
    while !rest.is_empty() {
        let next_url = ["https://", "http://"].iter().filter_map(|scheme| find_ci(rest, scheme)).min();
        let (text, url) = match next_url {
            Some(start) => {
                let tail = &rest[start..];
                let end = tail
                    .find(|c: char| c.is_whitespace() || c.is_control() || "<>\"'`\\[]{}|^".contains(c) || direction_control(c))
                    .unwrap_or(tail.len());
                let mut url = &tail[..end];
                loop {
                    let trimmed = url.trim_end_matches(['.', ',', ';', ':', '!', '?', '*', '_']);
                    let trimmed = if trimmed.ends_with(')') && !trimmed.contains('(') { &trimmed[..trimmed.len() - 1] } else { trimmed };
                    if trimmed.len() == url.len() {
                        break;
                    }
                    url = trimmed;
                }
                (&rest[..start], Some(url))
            }
            None => (rest, None),
        };
        for c in text.chars() {
            if matches!(c, '\\' | '[' | ']' | '<' | '>' | '&') {
                out.push('\\');
            }
            out.push(c);
        }
        rest = &rest[text.len()..];
        match url {
            // A scheme with nothing after it is just text.
            Some(url) if url.len() > "https://".len() - 1 && !url.ends_with("//") => {
                out.push('<');
                out.push_str(url);
                out.push('>');
                rest = &rest[url.len()..];
            }
            Some(url) => {
                out.push_str(url);
                rest = &rest[url.len()..];
            }
            None => {}
        }
    }
    out
}

/// Byte offset of `needle` (ASCII) in `haystack`, ignoring ASCII case.
fn find_ci(haystack: &str, needle: &str) -> Option<usize> {
    haystack
        .char_indices()
        .map(|(i, _)| i)
        .find(|&i| haystack.as_bytes().get(i..i + needle.len()).is_some_and(|b| b.eq_ignore_ascii_case(needle.as_bytes())))
}


/// `use` items for the names of `imports` that `body` mentions, grouped by
/// module path in the order given: a generated file imports exactly what it
/// uses, so no combination of parameters and operations leaves an unused
/// import. Each entry is (module path, name, alias); the alias, when there
/// is one, is the name looked for.
pub(super) fn used_imports(body: &TokenStream, imports: &[(&str, &str, Option<&str>)]) -> TokenStream {
    // A name counts where it starts a path or stands alone: in
    // `crate::models::Query` only `crate` is looked up in scope.
    fn collect(tokens: &TokenStream, out: &mut std::collections::BTreeSet<String>) {
        let mut colons = 0;
        for tree in tokens.clone() {
            match tree {
                proc_macro2::TokenTree::Punct(p) if p.as_char() == ':' => {
                    colons += 1;
                    continue;
                }
                proc_macro2::TokenTree::Ident(i) if colons != 2 => {
                    out.insert(i.to_string());
                }
                proc_macro2::TokenTree::Group(g) => collect(&g.stream(), out),
                _ => {}
            }
            colons = 0;
        }
    }
    let mut mentioned = std::collections::BTreeSet::new();
    collect(body, &mut mentioned);
    let mut paths: Vec<&str> = Vec::new();
    for (path, _, _) in imports {
        if !paths.contains(path) {
            paths.push(path);
        }
    }
    let items = paths.into_iter().filter_map(|path| {
        let names: Vec<TokenStream> = imports
            .iter()
            .filter(|(p, name, alias)| *p == path && mentioned.contains(alias.unwrap_or(name)))
            .map(|(_, name, alias)| {
                let name = ident(name);
                match alias {
                    Some(alias) => {
                        let alias = ident(alias);
                        quote! { #name as #alias }
                    }
                    None => quote! { #name },
                }
            })
            .collect();
        if names.is_empty() {
            return None;
        }
        let segments = path.split("::").map(ident);
        Some(if names.len() == 1 {
            let name = &names[0];
            quote! { use #(#segments)::* :: #name; }
        } else {
            quote! { use #(#segments)::* :: {#(#names),*}; }
        })
    });
    quote! { #(#items)* }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn imports_only_names_the_body_looks_up() {
        let imports: &[(&str, &str, Option<&str>)] = &[
            ("rt::request", "Query", None),
            ("rt::request", "OpParam", None),
            ("rt::binder", "ParamMeta", Some("P")),
            ("rt::binder", "ParamType", Some("T")),
            ("crate", "operations", Some("op")),
        ];
        // `crate::models::OpParam` is qualified: it does not use the import.
        let body = quote! { fn f(q: &Query) -> crate::models::OpParam { op::g(P::new(), [T::String]) } };
        let uses = used_imports(&body, imports).to_string();
        assert_eq!(
            uses,
            quote! {
                use rt::request::Query;
                use rt::binder::{ParamMeta as P, ParamType as T};
                use crate::operations as op;
            }
            .to_string()
        );
        assert!(used_imports(&quote! { fn f() {} }, imports).is_empty());
    }

    #[test]
    fn prose_cannot_open_code_blocks_links_or_html() {
        assert_eq!(prose_line("```rust"), "\\```rust");
        assert_eq!(prose_line("   ~~~"), "\\~~~");
        assert_eq!(prose_line("    indented code"), "indented code");
        assert_eq!(prose_line("[Foo] <b>x</b> a\\b &#x202E;"), "\\[Foo\\] \\<b\\>x\\</b\\> a\\\\b \\&#x202E;");
        assert_eq!(prose_line("see https://example.com/a_(b)."), "see <https://example.com/a_(b)>.");
        assert_eq!(prose_line("(HTTPS://x.y/z)"), "(<HTTPS://x.y/z>)");
        assert_eq!(prose_line("https:// alone"), "https:// alone");
        assert_eq!(prose_line("at https://a.b/<c>"), "at <https://a.b/>\\<c\\>");
    }

    #[test]
    fn rustc_never_sees_control_or_direction_characters() {
        assert_eq!(rustc_safe("a\u{202e}b\u{0}c\u{1b}d\te\u{feff}"), "a\\u{202e}b\\u{0}c\\u{1b}d\te\\u{feff}");
        let lines: Vec<&str> = doc_split("a\r\nb\rc\u{2028}d\u{85}e").collect();
        assert_eq!(lines, ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn names_stay_inside_their_code_span() {
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("``"), "``` `` ```");
        assert_eq!(code("x\ny"), "`x y`");
    }
}
