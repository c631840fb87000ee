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

/// A unit of emitting work: it builds its own token streams (they cannot
/// cross threads) and returns finished text.
type Job<'a> = Box<dyn Fn() -> Vec<File> + Sync + 'a>;

/// Every file of the generated crate, sorted by path. Files are rendered on
/// every available core: parsing and printing dominate generation time.
pub fn emit(api: &Api, provenance: &Provenance) -> Vec<File> {
    let p = provenance;
    let one = |path: &'static str, make: fn(&Api, &Provenance) -> String| -> Job<'_> {
        Box::new(move || vec![File { path: path.into(), contents: make(api, p) }])
    };
    // Largest first, so the big single files do not end up last.
    let mut jobs: Vec<Job<'_>> = vec![
        one("src/models.rs", |a, p| rust_file(p, models::emit(a))),
        one("src/operations.rs", |a, p| rust_file(p, operations::emit(a))),
        one("src/identity.rs", |a, p| rust_file(p, identity::emit(a))),
        one("src/lib.rs", |a, p| rust_file(p, lib_rs(a))),
        one("src/bin/main.rs", |a, p| rust_file(p, bin_rs(a))),
        one("Cargo.toml", cargo::manifest),
        one(crate::surface::MANIFEST_FILE, crate::surface::manifest),
        Box::new(move || runtime::files(p)),
        Box::new(move || cmdlets::shared_files(api, p)),
    ];
    for cmdlet in &api.cmdlets {
        jobs.push(Box::new(move || vec![cmdlets::file(api, cmdlet, p), docs::file(api, cmdlet, p)]));
    }
    let mut files = run_jobs(&jobs);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Runs jobs on scoped threads that take the next job as they finish one;
/// the result does not depend on the order, since the caller sorts it.
fn run_jobs(jobs: &[Job<'_>]) -> Vec<File> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8).min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
            out.extend(job());
        }
        out
    };
    if threads <= 1 {
        return work();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        let mut files = work();
        for handle in handles {
            // A panicking emitter is a generator bug; keep it visible.
            match handle.join() {
                Ok(more) => files.extend(more),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        files
    })
}

fn lib_rs(api: &Api) -> proc_macro2::TokenStream {
    let title = types::inner_doc_lines(&format!(
        "Typed client for the Microsoft Graph {} API ({}).",
        types::code(&api.title),
        types::prose(&api.version)
    ));
    let base = types::inner_doc_lines(&format!(
        "Requests go to {} unless the client is built with another base URL.",
        types::code(&api.base_url)
    ));
    let identity = syn::Ident::new(&api.identity.type_name, proc_macro2::Span::call_site());
    quote! {
        #title
        #![doc = ""]
        #base
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
    let doc = types::inner_doc_lines(&format!("{}: runs the cmdlets of this crate from any shell.", types::code(&api.krate.binary)));
    let krate = syn::Ident::new(&api.krate.name.replace('-', "_"), proc_macro2::Span::call_site());
    quote! {
        #doc

        fn main() -> std::process::ExitCode {
            #krate::runtime::cli::main(#krate::cmdlets::CMDLETS.as_slice())
        }
    }
}
