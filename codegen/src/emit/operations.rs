//! Operations -> one file per API tag (`src/operations/<tag>.rs`, compiled
//! with the tag's Cargo feature): for each operation its `static`
//! description and a function that builds the typed request. Sending is the
//! runtime's (`request.send(&client)`), so an operation adds no async code.
//! A paged list's request is typed `Paged<Collection, Item>` (a delta
//! function's `Delta<..>`, a `createUploadSession`'s `Upload<..>`), which
//! gives it the runtime's item streams, delta links and uploads.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{code, doc_line, doc_lines, docs, ident, rust_type, Scope};
use crate::ir::{Api, Location, Operation, OperationKind, Options, Success, TypeRef};

/// The Cargo feature of each tag with its operations, by module name of
/// the tag's file.
pub(super) fn by_tag(api: &Api) -> BTreeMap<String, Vec<&Operation>> {
    let mut out: BTreeMap<String, Vec<&Operation>> = BTreeMap::new();
    for op in &api.operations {
        out.entry(op.feature.clone()).or_default().push(op);
    }
    out
}

/// The Rust module name of a tag's file (`applications-actions` ->
/// `applications_actions`).
pub(super) fn tag_module(feature: &str) -> String {
    let name = feature.replace('-', "_");
    if crate::naming::ident::is_keyword(&name) || name.starts_with(|c: char| c.is_ascii_digit()) {
        format!("tag_{name}")
    } else {
        name
    }
}

/// `src/operations/mod.rs`: one module per tag, behind its feature.
pub(super) fn module_index(api: &Api) -> TokenStream {
    let items = by_tag(api).into_keys().map(|feature| {
        let m = ident(&tag_module(&feature));
        let doc = format!(" Operations tagged `{feature}`.");
        quote! {
            #[cfg(feature = #feature)]
            #[doc = #doc]
            pub mod #m;
            #[cfg(feature = #feature)]
            pub use #m::*;
        }
    });
    quote! {
        //! Operations: for each, a `static` [`mg_runtime::request::Operation`]
        //! and a function returning the typed request, to send with
        //! `.send(&client)`. One module per API tag, each behind the tag's
        //! Cargo feature.
        #(#items)*
    }
}

/// The runtime types a tag file may use; it imports those it mentions (a
/// tag whose operations take no parameters has no `OpParam`).
const OPERATION_IMPORTS: &[(&str, &str, Option<&str>)] = &[
    ("mg_runtime::request", "BodyKind", None),
    ("mg_runtime::request", "Delta", None),
    ("mg_runtime::request", "Bytes", None),
    ("mg_runtime::request", "Json", None),
    ("mg_runtime::request", "Method", None),
    ("mg_runtime::request", "NoContent", None),
    ("mg_runtime::request", "OpParam", None),
    ("mg_runtime::request", "Paged", None),
    ("mg_runtime::request", "Operation", None),
    ("mg_runtime::request", "Query", None),
    ("mg_runtime::request", "Request", None),
    ("mg_runtime::request", "ResponseKind", None),
    ("mg_runtime::request", "Text", None),
    ("mg_runtime::request", "Upload", None),
];

/// One tag's file.
pub(super) fn tag_file(feature: &str, ops: &[&Operation]) -> TokenStream {
    let items: Vec<TokenStream> = ops.iter().map(|op| operation(op)).collect();
    let body = quote! { #(#items)* };
    let uses = super::types::used_imports(&body, OPERATION_IMPORTS);
    let doc = format!(" Operations tagged `{feature}`.");
    quote! {
        #![doc = #doc]
        #uses

        #body
    }
}

fn summary_docs(op: &Operation) -> TokenStream {
    let fallback = format!("Calls {}.", code(&op.id));
    let main = docs(op.description.as_deref().or(op.summary.as_deref()), &fallback);
    let route = doc_lines(&format!(
        "{} (operationId {}).",
        code(&format!("{} {}", op.method.as_str(), op.path.raw)),
        code(&op.id)
    ));
    let link = op.external_docs.as_ref().map(|u| {
        // An autolink only for an address that can be one; anything else
        // is shown as code.
        let clean = !u.is_empty() && !u.chars().any(|c| c.is_whitespace() || c.is_control() || "<>`\\".contains(c));
        let line = doc_lines(&if clean { format!("See <{u}>.") } else { format!("See {}.", code(u)) });
        quote! { #[doc = ""] #line }
    });
    quote! { #main #[doc = ""] #route #link }
}

/// The static describing an operation.
fn operation_static(op: &Operation) -> TokenStream {
    let name = ident(&op.static_name);
    let doc = doc_line(&format!("{}: the operation behind [`{}`].", code(&format!("{} {}", op.method.as_str(), op.path.raw)), op.rust_name));
    let id = &op.id;
    let method = ident(op.method.variant());
    let path = &op.path.raw;
    let segments = op.path.segments();
    let mut key = 0;
    let params = op.params.iter().map(|p| {
        let wire = &p.wire_name;
        match p.location {
            Location::Path => {
                let identity = &p.ps_name;
                let quoted = op.path.is_quoted(key);
                key += 1;
                if quoted {
                    quote! { OpParam::quoted(#wire, #identity) }
                } else {
                    quote! { OpParam::path(#wire, #identity) }
                }
            }
            Location::Query => quote! { OpParam::query(#wire) },
            Location::Header => quote! { OpParam::header(#wire) },
        }
    });
    let body = match &op.body {
        None => quote! { BodyKind::None },
        Some(b) => match &b.raw_media_type {
            Some(media) => quote! { BodyKind::Raw(#media) },
            None => quote! { BodyKind::Json },
        },
    };
    let response = match (&op.success, &op.next_link) {
        (Success::NoContent, _) => quote! { ResponseKind::NoContent },
        (Success::Json(_), _) if op.kind == OperationKind::UploadSession => quote! { ResponseKind::UploadSession },
        (Success::Json(_), Some(next)) if op.kind == OperationKind::Delta => quote! { ResponseKind::Delta(#next) },
        (Success::Json(_), Some(next)) => quote! { ResponseKind::Paged(#next) },
        (Success::Json(_), None) => quote! { ResponseKind::Json },
        (Success::Raw { media_type }, _) if media_type.starts_with("text/") => quote! { ResponseKind::Text },
        (Success::Raw { .. }, _) => quote! { ResponseKind::Raw },
    };
    quote! {
        #[doc = #doc]
        pub static #name: Operation = Operation {
            id: #id,
            method: Method::#method,
            version: crate::VERSION,
            path: #path,
            segments: &[#(#segments),*],
            params: &[#(#params),*],
            body: #body,
            response: #response,
        };
    }
}

/// The Rust type the typed request decodes with.
pub(super) fn decode_type(op: &Operation) -> TokenStream {
    match &op.success {
        Success::NoContent => quote! { NoContent },
        Success::Json(ty) => {
            let ty = rust_type(ty, Scope::Module);
            // A list's items: the `value` array's element type, or any JSON.
            let item = || rust_type(op.item.as_ref().unwrap_or(&TypeRef::Any), Scope::Module);
            match (op.kind, &op.next_link) {
                (OperationKind::Delta, _) => {
                    let item = item();
                    quote! { Delta<#ty, #item> }
                }
                (OperationKind::UploadSession, _) => quote! { Upload<#ty> },
                (OperationKind::Plain, Some(_)) => {
                    let item = item();
                    quote! { Paged<#ty, #item> }
                }
                (OperationKind::Plain, None) => quote! { Json<#ty> },
            }
        }
        Success::Raw { media_type } if media_type.starts_with("text/") => quote! { Text },
        Success::Raw { .. } => quote! { Bytes },
    }
}

/// The arguments of an operation's function: path keys, body, options.
pub(super) fn arguments(op: &Operation) -> Vec<(proc_macro2::Ident, TokenStream)> {
    let mut out = Vec::new();
    for p in op.params.iter().filter(|p| p.location == Location::Path) {
        out.push((ident(&p.rust_name), quote! { &str }));
    }
    if let Some(body) = &op.body {
        let ty = match body.raw_media_type {
            Some(_) => quote! { [u8] },
            None => rust_type(&body.ty, Scope::Module),
        };
        out.push((ident("body"), quote! { &#ty }));
    }
    match &op.options {
        Options::None => {}
        Options::Standard => out.push((ident("query"), quote! { &Query })),
        Options::Own(name) => {
            let name = ident(name);
            out.push((ident("params"), quote! { &#name }));
        }
    }
    out
}

fn operation(op: &Operation) -> TokenStream {
    let statik = operation_static(op);
    let name = ident(&op.rust_name);
    let static_name = ident(&op.static_name);
    let doc = summary_docs(op);
    let decls = arguments(op).into_iter().map(|(n, t)| quote! { #n: #t });
    let keys = op.params.iter().filter(|p| p.location == Location::Path).map(|p| ident(&p.rust_name));
    let mut chain = Vec::new();
    if let Some(body) = &op.body {
        chain.push(if body.raw_media_type.is_some() { quote! { .bytes(body) } } else { quote! { .body(body) } });
    }
    let mut params_def = None;
    match &op.options {
        Options::None => {}
        Options::Standard => chain.push(quote! { .query(query) }),
        Options::Own(struct_name) => {
            let st = ident(struct_name);
            let mut fields = Vec::new();
            for p in op.params.iter().filter(|p| p.location != Location::Path) {
                let field = ident(&p.rust_name);
                let wire = &p.wire_name;
                let ty = rust_type(p.ty.strip_nullable(), Scope::Module);
                let fallback = format!("The {} {} parameter.", code(wire), if p.location == Location::Query { "query" } else { "header" });
                let fdoc = docs(p.description.as_deref(), &fallback);
                fields.push(quote! { #fdoc pub #field: ::std::option::Option<#ty>, });
                chain.push(quote! { .arg(#wire, &params.#field) });
            }
            let sdoc = doc_line(&format!("Optional query and header parameters of [`{}`].", op.rust_name));
            params_def = Some(quote! {
                #[doc = #sdoc]
                #[derive(Debug, Clone, Default, PartialEq)]
                pub struct #st { #(#fields)* }
            });
        }
    }
    let decode = decode_type(op);
    quote! {
        #statik
        #params_def
        #doc
        #[inline]
        pub fn #name(#(#decls),*) -> Request<#decode> {
            Request::new(&#static_name, &[#(#keys),*]) #(#chain)*
        }
    }
}
