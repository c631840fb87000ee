//! Component schemas -> the models crate of an API version: every schema
//! once, as a serde type, behind the Cargo features of the modules that use
//! it. Files group the types by the first letter of their name, so a type
//! stays in its file from one regeneration to the next.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{code, doc_line, docs, ident, rust_type, Scope};
use crate::ir::{ModelType, Models, TypeDef, TypeKind, TypeRef};

/// The file (module name) a type goes to: the first letter of its name.
pub(super) fn file_of(rust_name: &str) -> String {
    match rust_name.chars().next() {
        Some(c) if c.is_ascii_alphabetic() => {
            let lower = c.to_ascii_lowercase().to_string();
            // `r#as` would be needed for a few letters used as keywords; none
            // of the one-letter names is a keyword, but keep it safe.
            if crate::naming::ident::is_keyword(&lower) { format!("{lower}_") } else { lower }
        }
        _ => "other".to_owned(),
    }
}

/// Types by file.
pub(super) fn by_file(models: &Models) -> BTreeMap<String, Vec<&ModelType>> {
    let mut out: BTreeMap<String, Vec<&ModelType>> = BTreeMap::new();
    for t in &models.types {
        out.entry(file_of(&t.def.rust_name)).or_default().push(t);
    }
    out
}

/// `src/lib.rs` of the models crate.
pub(super) fn lib(models: &Models) -> TokenStream {
    let title = doc_line(&format!(
        "The types of the Microsoft Graph {} API: every component schema of its module documents once.",
        models.version.name()
    ));
    let files = by_file(models).into_keys().map(|f| {
        let m = ident(&f);
        quote! { mod #m; pub use #m::*; }
    });
    quote! {
        #![doc = #title]
        #![doc = ""]
        #![doc = " Each module crate turns on this crate's Cargo feature of the same name, which compiles"]
        #![doc = " exactly the types that module's operations reach."]
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq, unused_imports)]

        #(#files)*
    }
}

/// One file of the models crate.
pub(super) fn file(models: &Models, types: &[&ModelType]) -> TokenStream {
    let uses = model_imports();
    let all = models.features.len();
    let items = types.iter().map(|t| {
        let gate = if t.features.len() == all && all > 0 {
            quote! {}
        } else {
            let features = &t.features;
            quote! { #[cfg(any(#(feature = #features),*))] }
        };
        let item = emit_type(&t.def, Scope::Models);
        // The gate goes on every item the type brings.
        let item: syn::File = match syn::parse2(item) {
            Ok(file) => file,
            Err(e) => {
                let message = format!("codegen bug: {e}");
                return quote! { compile_error!(#message); };
            }
        };
        let items = item.items.into_iter();
        quote! { #(#gate #items)* }
    });
    quote! {
        #uses
        #(#items)*
    }
}

/// The `use` line every file of model types starts with.
pub(super) fn model_imports() -> TokenStream {
    // PascalCase names are the schemas' own (a schema may be called
    // `Json`), so the runtime's are reached through the `json` module.
    quote! {
        use mg_runtime::model::{self as json, object, put, put_rest, rest, string, take};
    }
}

/// A type's item (also used for a module's own inline types): the type, its
/// [`Json`](mg_runtime::model::Json) impl (one line per field, no serde
/// derive), and serde impls through it.
pub(super) fn emit_type(def: &TypeDef, scope: Scope) -> TokenStream {
    let name = ident(&def.rust_name);
    let fallback = format!("The {} schema.", code(&def.schema_name));
    let doc = docs(def.description.as_deref(), &fallback);
    let body = match &def.kind {
        TypeKind::Struct { fields, additional } => {
            let decls = fields.iter().map(|f| {
                let fname = ident(&f.rust_name);
                let fallback = format!("The {} property.", code(&f.wire_name));
                let fdoc = docs(f.description.as_deref(), &fallback);
                let ty = field_type(&f.ty, scope);
                quote! { #fdoc pub #fname: #ty, }
            });
            let reads = fields.iter().map(|f| {
                let fname = ident(&f.rust_name);
                let wire = &f.wire_name;
                quote! { #fname: take(&mut m, #wire)?, }
            });
            let writes = fields.iter().map(|f| {
                let fname = ident(&f.rust_name);
                let wire = &f.wire_name;
                quote! { put(&mut m, #wire, &self.#fname); }
            });
            let (extra_decl, extra_read, extra_write) = match additional {
                Some(ty) => {
                    let ty = rust_type(ty, scope);
                    (
                        quote! {
                            /// Properties the schema does not list, kept as they came.
                            pub additional_properties: ::std::collections::BTreeMap<::std::string::String, #ty>,
                        },
                        quote! { additional_properties: rest(m)?, },
                        quote! { put_rest(&mut m, &self.additional_properties); },
                    )
                }
                None => (quote! {}, quote! {}, quote! {}),
            };
            let read = match (fields.is_empty(), additional.is_none()) {
                (true, true) => quote! { object(value)?; },
                (true, false) => quote! { let m = object(value)?; },
                (false, _) => quote! { let mut m = object(value)?; },
            };
            quote! {
                #doc
                #[derive(Debug, Clone, Default, PartialEq)]
                pub struct #name { #(#decls)* #extra_decl }
                impl json::Json for #name {
                    #[inline]
                    fn from_json(value: json::JsonValue) -> ::std::result::Result<Self, json::JsonError> {
                        #read
                        ::std::result::Result::Ok(Self { #(#reads)* #extra_read })
                    }
                    #[inline]
                    fn to_json(&self) -> json::JsonValue {
                        let mut m = json::JsonMap::new();
                        #(#writes)*
                        #extra_write
                        json::JsonValue::Object(m)
                    }
                }
            }
        }
        TypeKind::Enum { variants } => {
            let vdecl = variants.iter().map(|(wire, v)| {
                let v = ident(v);
                let d = doc_line(&code(wire));
                quote! { #[doc = #d] #v, }
            });
            let from = variants.iter().map(|(wire, v)| {
                let v = ident(v);
                quote! { #wire => #name::#v, }
            });
            let to = variants.iter().map(|(wire, v)| {
                let v = ident(v);
                quote! { #name::#v => #wire, }
            });
            quote! {
                #doc
                #[derive(Debug, Clone, PartialEq, Eq, Hash)]
                pub enum #name {
                    #(#vdecl)*
                    /// A value this version of the document does not list.
                    Unknown(::std::string::String),
                }
                impl #name {
                    /// The value as the service spells it.
                    #[inline]
                    pub fn as_str(&self) -> &str {
                        match self { #(#to)* #name::Unknown(other) => other }
                    }
                }
                impl ::std::default::Default for #name {
                    #[inline]
                    fn default() -> Self {
                        #name::Unknown(::std::string::String::new())
                    }
                }
                impl ::std::convert::From<::std::string::String> for #name {
                    #[inline]
                    fn from(value: ::std::string::String) -> Self {
                        match value.as_str() { #(#from)* _ => #name::Unknown(value) }
                    }
                }
                impl json::Json for #name {
                    #[inline]
                    fn from_json(value: json::JsonValue) -> ::std::result::Result<Self, json::JsonError> {
                        string(value).map(Self::from)
                    }
                    #[inline]
                    fn to_json(&self) -> json::JsonValue {
                        json::JsonValue::String(self.as_str().to_owned())
                    }
                }
            }
        }
        TypeKind::Alias(ty) => {
            let ty = rust_type(ty, scope);
            quote! {
                #doc
                #[derive(Debug, Clone, Default, PartialEq)]
                pub struct #name(pub #ty);
                impl json::Json for #name {
                    #[inline]
                    fn from_json(value: json::JsonValue) -> ::std::result::Result<Self, json::JsonError> {
                        json::Json::from_json(value).map(Self)
                    }
                    #[inline]
                    fn to_json(&self) -> json::JsonValue {
                        json::Json::to_json(&self.0)
                    }
                }
            }
        }
    };
    quote! {
        #body
        mg_runtime::json_serde!(#name);
    }
}

/// Named types held directly in a field are boxed: it keeps recursive
/// schemas finite and large ones off the stack.
fn field_type(ty: &TypeRef, scope: Scope) -> TokenStream {
    match ty {
        TypeRef::Named(_) | TypeRef::Local(_) => {
            let inner = rust_type(ty, scope);
            quote! { ::std::boxed::Box<#inner> }
        }
        TypeRef::Nullable(inner) if matches!(**inner, TypeRef::Named(_) | TypeRef::Local(_)) => {
            let inner = rust_type(inner, scope);
            quote! { ::std::option::Option<::std::boxed::Box<#inner>> }
        }
        other => rust_type(other, scope),
    }
}

