//! TypeRef -> Rust type tokens. Std paths are fully qualified so a schema
//! called `Option` or `Vec` cannot shadow them.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::ir::TypeRef;

/// An identifier from an already-sanitized IR name.
pub(super) fn ident(name: &str) -> Ident {
    Ident::new(name, Span::call_site())
}

/// A path below the crate root (`runtime::error::ODataError`) as tokens.
pub(super) fn crate_path(path: &str) -> TokenStream {
    let segments = path.split("::").filter(|s| !s.is_empty()).map(ident);
    quote! { crate #(:: #segments)* }
}

/// The Rust type of a TypeRef, as seen from inside the generated crate.
pub(super) fn rust_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::String => quote! { ::std::string::String },
        TypeRef::Boolean => quote! { bool },
        TypeRef::Int32 => quote! { i32 },
        TypeRef::Int64 => quote! { i64 },
        TypeRef::Number => quote! { f64 },
        TypeRef::Any => quote! { ::serde_json::Value },
        TypeRef::Named(name) => {
            let name = ident(name);
            quote! { crate::models::#name }
        }
        TypeRef::Replaced(path) => crate_path(path),
        TypeRef::Array(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::vec::Vec<#inner> }
        }
        TypeRef::Map(inner) => {
            let inner = rust_type(inner);
            quote! { ::std::collections::BTreeMap<::std::string::String, #inner> }
        }
        TypeRef::Nullable(inner) => {
            let inner = rust_type(inner);
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

/// Square brackets and angle brackets in API prose would become broken
/// intra-doc links or HTML in rustdoc; backslash-escape them.
fn escape_doc(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if matches!(c, '[' | ']' | '<' | '>') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
