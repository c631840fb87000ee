//! Component schemas -> serde types.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{code, doc_lines, docs, ident, rust_type};
use crate::ir::{Api, TypeDef, TypeKind, TypeRef};

pub(super) fn emit(api: &Api) -> TokenStream {
    let items = api.types.iter().map(emit_type);
    quote! {
        //! Types for the schemas of the document. Schemas that the runtime
        //! models itself (the OData error types) are not repeated here.
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq)]
        #(#items)*
    }
}

fn emit_type(def: &TypeDef) -> TokenStream {
    let name = ident(&def.rust_name);
    let fallback = format!("The {} schema.", code(&def.schema_name));
    let doc = docs(def.description.as_deref(), &fallback);
    match &def.kind {
        TypeKind::Struct { fields, additional } => {
            let fields = fields.iter().map(|f| {
                let fname = ident(&f.rust_name);
                let wire = &f.wire_name;
                let fallback = format!("The {} property.", code(wire));
                let fdoc = docs(f.description.as_deref(), &fallback);
                let ty = field_type(&f.ty);
                let skip = if matches!(f.ty, TypeRef::Nullable(_)) {
                    quote! { #[serde(default, skip_serializing_if = "::std::option::Option::is_none")] }
                } else {
                    quote! {}
                };
                quote! { #fdoc #[serde(rename = #wire)] #skip pub #fname: #ty, }
            });
            let extra = additional.as_ref().map(|ty| {
                let ty = rust_type(ty);
                quote! {
                    /// Properties the schema does not list, kept as they came.
                    #[serde(flatten)]
                    pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #ty>,
                }
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                pub struct #name { #(#fields)* #extra }
            }
        }
        TypeKind::Enum { variants } => {
            let vdecl = variants.iter().map(|(wire, v)| {
                let v = ident(v);
                let d = doc_lines(&code(wire));
                quote! { #d #v, }
            });
            let from = variants.iter().map(|(wire, v)| {
                let v = ident(v);
                quote! { #wire => #name::#v, }
            });
            let to = variants.iter().map(|(wire, v)| {
                let v = ident(v);
                quote! { #name::#v => #wire.to_owned(), }
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
                #[serde(from = "::std::string::String", into = "::std::string::String")]
                pub enum #name {
                    #(#vdecl)*
                    /// A value this version of the document does not list.
                    Unknown(::std::string::String),
                }
                impl ::std::convert::From<::std::string::String> for #name {
                    fn from(value: ::std::string::String) -> Self {
                        match value.as_str() { #(#from)* _ => #name::Unknown(value) }
                    }
                }
                impl ::std::convert::From<#name> for ::std::string::String {
                    fn from(value: #name) -> Self {
                        match value { #(#to)* #name::Unknown(other) => other }
                    }
                }
            }
        }
        TypeKind::Alias(ty) => {
            let ty = rust_type(ty);
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, ::serde::Serialize, ::serde::Deserialize)]
                #[serde(transparent)]
                pub struct #name(pub #ty);
            }
        }
    }
}

/// Named types held directly in a field are boxed: it keeps recursive
/// schemas finite and large ones off the stack.
fn field_type(ty: &TypeRef) -> TokenStream {
    match ty {
        TypeRef::Named(_) => {
            let inner = rust_type(ty);
            quote! { ::std::boxed::Box<#inner> }
        }
        TypeRef::Nullable(inner) if matches!(**inner, TypeRef::Named(_)) => {
            let inner = rust_type(inner);
            quote! { ::std::option::Option<::std::boxed::Box<#inner>> }
        }
        other => rust_type(other),
    }
}
