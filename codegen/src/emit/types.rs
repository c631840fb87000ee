//! TypeRef -> Rust type tokens, and doc comments. Std paths are fully
//! qualified so a schema called `Option` or `Vec` cannot shadow them.

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

/// Doc attributes for an optional description, one per line so rustdoc keeps
/// paragraphs; an empty description gets `fallback`.
pub(super) fn docs(text: Option<&str>, fallback: &str) -> TokenStream {
    let text = text.map(str::trim).filter(|t| !t.is_empty()).unwrap_or(fallback);
    let lines = text.lines().map(|l| format!(" {}", escape_doc(l.trim_end())));
    quote! { #(#[doc = #lines])* }
}

/// One doc line of the generator's own words (which may hold rustdoc
/// links); parts taken from the document go through [`escape_doc`].
pub(super) fn doc_line(text: &str) -> String {
    format!(" {}", text.trim_end())
}

/// An unsuffixed integer literal (`3`, not `3u16`).
pub(super) fn lit(n: usize) -> proc_macro2::Literal {
    proc_macro2::Literal::usize_unsuffixed(n)
}

/// Square brackets and angle brackets in API prose would become broken
/// intra-doc links or HTML in rustdoc; backslash-escape them.
pub(super) fn escape_doc(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if matches!(c, '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
