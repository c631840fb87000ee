//! Emit: IR -> the files of the generated crate. Emitters cannot fail; every
//! check happened while lowering.

mod cargo;
mod cmdlets;
mod docs;
mod identity;
mod models;
mod operations;
mod runtime;
mod types;

use quote::quote;

use crate::ir::Api;
use crate::render::{rust_file, Provenance};

/// One output file: a path relative to the crate root, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path with `/` separators.
    pub path: String,
    /// Contents.
    pub contents: String,
}

/// Every file of the generated crate, sorted by path.
pub fn emit(api: &Api, provenance: &Provenance) -> Vec<File> {
    let mut files = vec![
        File { path: "Cargo.toml".into(), contents: cargo::manifest(api, provenance) },
        File { path: "src/lib.rs".into(), contents: rust_file(provenance, lib_rs(api)) },
        File { path: "src/models.rs".into(), contents: rust_file(provenance, models::emit(api)) },
        File { path: "src/operations.rs".into(), contents: rust_file(provenance, operations::emit(api)) },
        File { path: "src/identity.rs".into(), contents: rust_file(provenance, identity::emit(api)) },
        File { path: "src/bin/main.rs".into(), contents: rust_file(provenance, bin_rs(api)) },
        File { path: crate::surface::MANIFEST_FILE.into(), contents: crate::surface::manifest(api, provenance) },
    ];
    files.extend(runtime::files(provenance));
    files.extend(cmdlets::files(api, provenance));
    files.extend(docs::files(api, provenance));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

fn lib_rs(api: &Api) -> proc_macro2::TokenStream {
    let title = format!(" Typed client for the Microsoft Graph `{}` API ({}).", api.title, api.version);
    let base = format!(" Requests go to `{}` unless the client is built with another base URL.", api.base_url);
    let identity = syn::Ident::new(&api.identity.type_name, proc_macro2::Span::call_site());
    quote! {
        #![doc = #title]
        #![doc = ""]
        #![doc = #base]
        #![doc = " Every operation is a method on [`Client`]; every cmdlet is a type in [`cmdlets`] whose"]
        #![doc = " variants are its parameter sets. The `runtime` module is shared support code."]
        #![warn(missing_docs)]

        pub mod cmdlets;
        pub mod identity;
        pub mod models;
        pub mod operations;
        pub mod runtime;

        pub use identity::#identity;
        pub use runtime::client::{Client, ClientBuilder};
        pub use runtime::error::Error;
    }
}

fn bin_rs(api: &Api) -> proc_macro2::TokenStream {
    let doc = format!(" `{}`: runs the cmdlets of this crate from any shell.", api.krate.binary);
    let krate = syn::Ident::new(&api.krate.name.replace('-', "_"), proc_macro2::Span::call_site());
    quote! {
        #![doc = #doc]

        fn main() -> std::process::ExitCode {
            #krate::runtime::cli::main(#krate::cmdlets::CMDLETS.as_slice())
        }
    }
}
