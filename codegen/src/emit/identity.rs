//! The module-wide identity type (`IApplicationsIdentity`): one optional
//! string per path key of the module, named as PowerShell names them.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{code, doc_lines, ident, prose};
use crate::ir::Api;

pub(super) fn emit(api: &Api) -> TokenStream {
    let id = &api.identity;
    let name = ident(&id.type_name);
    let fields = id.properties.iter().map(|p| {
        let field = ident(&p.rust_name);
        let wire = &p.name;
        let doc = doc_lines(&format!("{}: {}.", code(&p.name), prose(p.description.trim_end_matches('.'))));
        quote! {
            #doc
            #[serde(rename = #wire, default, skip_serializing_if = "::std::option::Option::is_none")]
            pub #field: ::std::option::Option<::std::string::String>,
        }
    });
    let names = id.properties.iter().map(|p| &p.name);
    let getters = id.properties.iter().map(|p| {
        let field = ident(&p.rust_name);
        let wire = &p.name;
        quote! { #wire => self.#field.as_deref(), }
    });
    let setters = id.properties.iter().map(|p| {
        let field = ident(&p.rust_name);
        let wire = &p.name;
        quote! { #wire => self.#field = value, }
    });
    // A module whose paths have no keys (a module of only `/users/delta()`,
    // say) has an empty identity: its accessors then match nothing, written
    // so that neither rustc nor clippy has anything to say.
    let (get_body, set_body) = if id.properties.is_empty() {
        (quote! { let _ = name; ::std::option::Option::None }, quote! { let _ = (name, value); })
    } else if let [only] = id.properties.as_slice() {
        // One property: an `if` (clippy's `single_match` would ask for it).
        let field = ident(&only.rust_name);
        let wire = &only.name;
        (
            quote! { match name { #(#getters)* _ => ::std::option::Option::None } },
            quote! { if name == #wire { self.#field = value; } },
        )
    } else {
        (
            quote! { match name { #(#getters)* _ => ::std::option::Option::None } },
            quote! { match name { #(#setters)* _ => {} } },
        )
    };
    let type_doc = doc_lines(&format!(
        "Identity of any {} resource: the keys of its path. PowerShell's `-InputObject` takes it,\nas a hashtable or a JSON object whose property names match case-insensitively.",
        code(&api.title)
    ));
    quote! {
        //! The identity type used by the `ViaIdentity` parameter sets.

        use mg_runtime::Error;

        #type_doc
        #[derive(Debug, Clone, Default, PartialEq, Eq, ::serde::Serialize, ::serde::Deserialize)]
        pub struct #name { #(#fields)* }

        impl #name {
            /// Property names, in the order the help documents list them.
            pub const PROPERTIES: &'static [&'static str] = &[#(#names),*];

            /// The value of a property by its PowerShell name (exact case).
            pub fn get(&self, name: &str) -> ::std::option::Option<&str> {
                #get_body
            }

            fn set(&mut self, name: &str, value: ::std::option::Option<::std::string::String>) {
                #set_body
            }

            /// Reads a JSON object the way PowerShell binds a hashtable: names
            /// match case-insensitively, unknown properties are ignored, and
            /// numbers or booleans are taken as their text.
            pub fn from_json(value: &::serde_json::Value) -> ::std::result::Result<Self, Error> {
                let ::serde_json::Value::Object(map) = value else {
                    return ::std::result::Result::Err(Error::InvalidArgument(
                        "InputObject must be a JSON object whose properties are identity keys".to_owned(),
                    ));
                };
                let mut identity = Self::default();
                for (key, value) in map {
                    let Some(name) = Self::PROPERTIES.iter().find(|n| n.eq_ignore_ascii_case(key)) else { continue };
                    let text = match value {
                        ::serde_json::Value::Null => ::std::option::Option::None,
                        ::serde_json::Value::String(s) => ::std::option::Option::Some(s.clone()),
                        other => ::std::option::Option::Some(other.to_string()),
                    };
                    identity.set(name, text);
                }
                ::std::result::Result::Ok(identity)
            }

            /// The value of a key the call needs. PowerShell only rejects a
            /// missing (null) value; an empty one is rejected too, since it
            /// would address a different resource.
            pub fn require(&self, name: &str) -> ::std::result::Result<&str, Error> {
                match self.get(name) {
                    ::std::option::Option::Some(value) if !value.is_empty() => ::std::result::Result::Ok(value),
                    _ => ::std::result::Result::Err(Error::NullIdentityProperty { name: name.to_owned() }),
                }
            }
        }
    }
}
