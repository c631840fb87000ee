//! Operations -> request builders (pure functions, easy to test and to reuse
//! from the cmdlets) and one async method per operation on `Client`.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{code, doc_lines, docs, ident, rust_type};
use crate::ir::{Api, Location, Operation, PathPart, Success, TypeRef};
use crate::naming::ident::pascal_case;

pub(super) fn emit(api: &Api) -> TokenStream {
    let builders = api.operations.iter().map(builder);
    let methods = api.operations.iter().map(client_method);
    quote! {
        //! Request builders, one per operation, and the matching methods on
        //! [`Client`]. A builder checks and encodes its arguments and returns
        //! the request without sending it.

        #![allow(unused_imports)] // with no feature enabled nothing uses them

        use crate::runtime::client::{ApiRequest, Client, RequestOptions};
        use crate::runtime::error::Error;

        #(#builders)*

        impl Client {
            #(#methods)*
        }
    }
}

/// `#[cfg(feature = "...")]` for an operation's items.
pub(super) fn cfg(op: &Operation) -> TokenStream {
    let feature = &op.feature;
    quote! { #[cfg(feature = #feature)] }
}

/// The name of an operation's optional-parameters struct, if it has one.
pub(super) fn params_struct(op: &Operation) -> Option<proc_macro2::Ident> {
    op.params
        .iter()
        .any(|p| p.location != Location::Path)
        .then(|| ident(&format!("{}Params", pascal_case(&op.rust_name))))
}

/// Argument list shared by the builder and the client method.
pub(super) fn arguments(op: &Operation) -> (Vec<TokenStream>, Vec<proc_macro2::Ident>) {
    let mut decls = Vec::new();
    let mut names = Vec::new();
    for p in op.params.iter().filter(|p| p.location == Location::Path) {
        let name = ident(&p.rust_name);
        decls.push(quote! { #name: &str });
        names.push(name);
    }
    if let Some(body) = &op.body {
        let ty = match body.raw_media_type {
            Some(_) => quote! { [u8] },
            None => rust_type(&body.ty),
        };
        decls.push(quote! { body: &#ty });
        names.push(ident("body"));
    }
    if let Some(st) = params_struct(op) {
        decls.push(quote! { params: &#st });
        names.push(ident("params"));
    }
    (decls, names)
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

fn builder(op: &Operation) -> TokenStream {
    let name = ident(&op.rust_name);
    let doc = summary_docs(op);
    let (decls, _) = arguments(op);
    let method = ident(op.method.as_str());
    let template = &op.path.raw;
    let mut path_steps = Vec::new();
    let mut quoted = false;
    for part in &op.path.parts {
        match part {
            PathPart::Literal(text) => {
                // `(appId='{appId}')`: a key inside OData quotes.
                quoted = text.ends_with('\'');
                path_steps.push(quote! { path.push_str(#text); })
            }
            PathPart::Param(placeholder) => {
                let Some(p) = op.params.iter().find(|p| p.location == Location::Path && &p.wire_name == placeholder) else {
                    continue; // lowering guarantees every placeholder is declared
                };
                let arg = ident(&p.rust_name);
                let wire = &p.wire_name;
                let encode = if quoted { quote! { quoted_key } } else { quote! { segment } };
                path_steps.push(quote! { path.push_str(&crate::runtime::path::#encode(#wire, #arg)?); });
            }
        }
    }
    let mut query = Vec::new();
    let mut headers = Vec::new();
    let mut fields = Vec::new();
    for p in op.params.iter().filter(|p| p.location != Location::Path) {
        let field = ident(&p.rust_name);
        let wire = &p.wire_name;
        let ty = rust_type(&p.ty);
        let fallback = format!("The {} {} parameter.", code(wire), if p.location == Location::Query { "query" } else { "header" });
        let fdoc = docs(p.description.as_deref(), &fallback);
        fields.push(quote! { #fdoc pub #field: ::std::option::Option<#ty>, });
        let text = to_text(&p.ty, quote! { value });
        let push = quote! { if let ::std::option::Option::Some(value) = &params.#field { list.push((#wire.to_owned(), #text)); } };
        match p.location {
            Location::Query => query.push(push),
            _ => headers.push(push),
        }
    }
    let gate = cfg(op);
    let params_def = params_struct(op).map(|st| {
        let doc = format!(" Optional query and header parameters of [`{}`].", op.rust_name);
        quote! {
            #gate
            #[doc = #doc]
            #[derive(Debug, Clone, Default, PartialEq)]
            pub struct #st { #(#fields)* }
        }
    });
    let (body_expr, raw_body_expr) = match &op.body {
        Some(body) if body.raw_media_type.is_some() => {
            (quote! { ::std::option::Option::None }, quote! { ::std::option::Option::Some(body.to_vec()) })
        }
        Some(_) => (
            quote! {
                ::std::option::Option::Some(::serde_json::to_value(body).map_err(|e| Error::InvalidArgument(e.to_string()))?)
            },
            quote! { ::std::option::Option::None },
        ),
        None => (quote! { ::std::option::Option::None }, quote! { ::std::option::Option::None }),
    };
    if let Some(media) = op.body.as_ref().and_then(|b| b.raw_media_type.as_ref()) {
        headers.push(quote! { list.push(("Content-Type".to_owned(), #media.to_owned())); });
    }
    let query_expr = list_expr(&query);
    let header_expr = list_expr(&headers);
    quote! {
        #params_def

        #gate
        #doc
        pub fn #name(#(#decls),*) -> ::std::result::Result<ApiRequest, Error> {
            let mut path = ::std::string::String::new();
            #(#path_steps)*
            ::std::result::Result::Ok(ApiRequest {
                method: ::reqwest::Method::#method,
                path_template: #template,
                path,
                query: #query_expr,
                headers: #header_expr,
                body: #body_expr,
                raw_body: #raw_body_expr,
            })
        }
    }
}

fn list_expr(pushes: &[TokenStream]) -> TokenStream {
    if pushes.is_empty() {
        quote! { ::std::vec::Vec::new() }
    } else {
        quote! { { let mut list = ::std::vec::Vec::new(); #(#pushes)* list } }
    }
}

/// How a parameter value becomes query or header text.
fn to_text(ty: &TypeRef, value: TokenStream) -> TokenStream {
    match ty {
        TypeRef::String => quote! { #value.clone() },
        TypeRef::Boolean | TypeRef::Int32 | TypeRef::Int64 | TypeRef::Number => quote! { #value.to_string() },
        TypeRef::Array(inner) if **inner == TypeRef::String => quote! { #value.join(",") },
        TypeRef::Nullable(inner) => to_text(inner, value),
        _ => quote! { ::serde_json::to_string(#value).unwrap_or_default() },
    }
}

/// The Rust type a successful call returns.
pub(super) fn success_type(op: &Operation) -> TokenStream {
    match &op.success {
        Success::NoContent => quote! { () },
        Success::Json(ty) => rust_type(ty),
        Success::Raw { .. } => quote! { ::std::vec::Vec<u8> },
    }
}

fn client_method(op: &Operation) -> TokenStream {
    let name = ident(&op.rust_name);
    let with = ident(&format!("{}_with", op.rust_name));
    let doc = summary_docs(op);
    let (decls, names) = arguments(op);
    let out = success_type(op);
    let decode = match &op.success {
        Success::NoContent => quote! { let _ = response; ::std::result::Result::Ok(()) },
        Success::Json(_) => quote! {
            ::serde_json::from_slice(&response.body).map_err(|e| Error::Decode(e.to_string()))
        },
        Success::Raw { .. } => quote! { ::std::result::Result::Ok(response.body.to_vec()) },
    };
    let with_doc = format!(" [`Client::{}`] with per-call options (headers, pipeline steps, proxy).", op.rust_name);
    let gate = cfg(op);
    quote! {
        #gate
        #doc
        pub async fn #name(&self, #(#decls),*) -> ::std::result::Result<#out, Error> {
            self.#with(#(#names,)* &RequestOptions::default()).await
        }

        #gate
        #[doc = #with_doc]
        pub async fn #with(&self, #(#decls,)* options: &RequestOptions) -> ::std::result::Result<#out, Error> {
            let request = #name(#(#names),*)?;
            let response = self.send(request, options).await?;
            #decode
        }
    }
}
