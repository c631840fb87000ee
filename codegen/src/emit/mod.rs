//! Emit: IR -> the files of the generated workspace. Emitters cannot fail;
//! every check happened while lowering.
//!
//! The layout, below the output folder:
//!
//! ```text
//! Cargo.toml            the workspace (when the runtime is vendored)
//! runtime/              the runtime crate, once (when vendored)
//! <version>/models/     one models crate per API version (beta, v1.0)
//! <version>/<module>/   one crate per module document
//! cli/                  one CLI over every module
//! ```

mod cargo;
mod cmdlets;
mod docs;
mod identity;
mod models;
mod operations;
mod runtime;
mod types;

use quote::quote;

pub use runtime::{MANIFEST as RUNTIME_MANIFEST, SOURCES as RUNTIME_SOURCES};

use crate::ir::{Api, ApiVersion, Workspace};
use crate::render::{rust_file, Provenance};
use types::{code, doc_line, ident, Scope};

/// One output file: a path relative to the output folder, and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    /// Relative path with `/` separators.
    pub path: String,
    /// Contents.
    pub contents: String,
}

/// How the generated crates reach the runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeSource {
    /// A path dependency on the runtime crate where it already is: the path
    /// from the output folder to it (`../codegen/runtime` for this
    /// repository's `generated/`), or an absolute path. No workspace
    /// manifest is written: the crates are members of the surrounding
    /// workspace.
    Path(String),
    /// One copy of the runtime crate at `runtime/`, and a workspace
    /// manifest: the folder builds wherever it is moved, with crates.io
    /// dependencies only.
    Vendored,
}

/// The folder of an API version (`beta`, `v1.0`).
pub fn version_dir(version: &ApiVersion) -> String {
    let name = version.name();
    let safe = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        && !name.starts_with('.');
    if safe { name.to_owned() } else { version.kebab() }
}

/// The folder of a module crate (`beta/applications`).
pub fn module_dir(api: &Api) -> String {
    format!("{}/{}", version_dir(&api.version), api.krate.module_feature)
}

/// The CLI feature of a module (`beta-applications`, `v1-0-users`).
pub fn cli_feature(api: &Api) -> String {
    format!("{}-{}", api.version.kebab(), api.krate.module_feature)
}

/// A unit of emitting work: it builds its own token streams (they cannot
/// cross threads) and returns finished text.
type Job<'a> = Box<dyn Fn() -> Vec<File> + Sync + 'a>;

/// Provenance of the files shared by several documents: the models crates
/// and the CLI.
pub fn shared_provenance(modules: &[&Api]) -> Provenance {
    if let [one] = modules {
        return module_provenance(one);
    }
    let lines: String = modules.iter().map(|m| format!("{} {}\n", m.spec_file, m.spec_sha256)).collect();
    Provenance {
        spec_file: format!("{} documents", modules.len()),
        spec_sha256: crate::load::sha256_hex(&lines),
        generator_version: crate::VERSION.to_owned(),
    }
}

/// Provenance of one module's files.
pub fn module_provenance(api: &Api) -> Provenance {
    Provenance {
        spec_file: api.spec_file.clone(),
        spec_sha256: api.spec_sha256.clone(),
        generator_version: crate::VERSION.to_owned(),
    }
}

/// Every file of the workspace, sorted by path. Files are rendered on every
/// available core: parsing and printing dominate generation time.
pub fn emit(ws: &Workspace, source: &RuntimeSource) -> Vec<File> {
    let files = std::sync::Mutex::new(Vec::new());
    emit_each(ws, source, &|file| files.lock().unwrap_or_else(|p| p.into_inner()).push(file));
    let mut files = files.into_inner().unwrap_or_else(|p| p.into_inner());
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}

/// Every file of the workspace, each handed to `sink` as soon as it is
/// rendered (from several threads, in no particular order), so that a
/// caller need not hold the whole tree in memory.
pub fn emit_each(ws: &Workspace, source: &RuntimeSource, sink: &(dyn Fn(File) + Sync)) {
    let mut jobs: Vec<Job<'_>> = Vec::new();
    let all: Vec<&Api> = ws.modules.iter().collect();
    let everything = shared_provenance(&all);
    // Largest first, so the big files do not end up last.
    for models in &ws.models {
        let modules: Vec<&Api> = ws.modules.iter().filter(|m| m.version == models.version).collect();
        let provenance = shared_provenance(&modules);
        let dir = format!("{}/models", version_dir(&models.version));
        for (file, types) in models::by_file(models) {
            let (dir, provenance) = (dir.clone(), provenance.clone());
            jobs.push(Box::new(move || {
                vec![File { path: format!("{dir}/src/{file}.rs"), contents: rust_file(&provenance, models::file(models, &types)) }]
            }));
        }
        jobs.push(Box::new(move || {
            vec![
                File { path: format!("{dir}/src/lib.rs"), contents: rust_file(&provenance, models::lib(models)) },
                File { path: format!("{dir}/Cargo.toml"), contents: cargo::models_manifest(models, source, &provenance) },
            ]
        }));
    }
    for api in &ws.modules {
        module_jobs(api, source, &mut jobs);
    }
    jobs.push(Box::new(move || {
        vec![
            File { path: "cli/Cargo.toml".into(), contents: cargo::cli_manifest(ws, source, &everything) },
            File { path: "cli/src/main.rs".into(), contents: rust_file(&everything, cli_main(ws)) },
        ]
    }));
    if *source == RuntimeSource::Vendored {
        jobs.push(Box::new(move || {
            let mut files = runtime::files();
            files.push(File { path: "Cargo.toml".into(), contents: cargo::workspace_manifest(ws) });
            files
        }));
    }
    run_jobs(&jobs, sink);
}

fn module_jobs<'a>(api: &'a Api, source: &'a RuntimeSource, jobs: &mut Vec<Job<'a>>) {
    let dir = module_dir(api);
    let provenance = module_provenance(api);
    {
        let (dir, p) = (dir.clone(), provenance.clone());
        jobs.push(Box::new(move || {
            let mut files = vec![
                File { path: format!("{dir}/Cargo.toml"), contents: cargo::module_manifest(api, source, &p) },
                File { path: format!("{dir}/src/lib.rs"), contents: rust_file(&p, module_lib(api)) },
                File { path: format!("{dir}/src/identity.rs"), contents: rust_file(&p, identity::emit(api)) },
                File { path: format!("{dir}/src/operations/mod.rs"), contents: rust_file(&p, operations::module_index(api)) },
                File { path: format!("{dir}/src/cmdlets/mod.rs"), contents: rust_file(&p, cmdlets::registry(api)) },
                File { path: format!("{dir}/{}", crate::surface::MANIFEST_FILE), contents: crate::surface::manifest(api, &p) },
            ];
            if !api.types.is_empty() {
                files.push(File { path: format!("{dir}/src/types.rs"), contents: rust_file(&p, module_types(api)) });
            }
            files
        }));
    }
    for (feature, ops) in operations::by_tag(api) {
        let (dir, p) = (dir.clone(), provenance.clone());
        jobs.push(Box::new(move || {
            let module = operations::tag_module(&feature);
            vec![File {
                path: format!("{dir}/src/operations/{module}.rs"),
                contents: rust_file(&p, operations::tag_file(&feature, &ops)),
            }]
        }));
    }
    for cmdlet in &api.cmdlets {
        let (dir, p) = (dir.clone(), provenance.clone());
        jobs.push(Box::new(move || {
            vec![
                File {
                    path: format!("{dir}/src/cmdlets/{}.rs", cmdlet.module_name),
                    contents: rust_file(&p, cmdlets::file(api, cmdlet)),
                },
                docs::file(api, cmdlet, &p, &dir),
            ]
        }));
    }
}

/// Runs jobs on scoped threads that take the next job as they finish one,
/// handing each file to `sink`.
fn run_jobs(jobs: &[Job<'_>], sink: &(dyn Fn(File) + Sync)) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8).min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let work = || {
        while let Some(job) = jobs.get(next.fetch_add(1, Ordering::Relaxed)) {
            for file in job() {
                sink(file);
            }
        }
    };
    if threads <= 1 {
        return work();
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = (1..threads).map(|_| scope.spawn(work)).collect();
        work();
        for handle in handles {
            // A panicking emitter is a generator bug; keep it visible.
            if let Err(panic) = handle.join() {
                std::panic::resume_unwind(panic);
            }
        }
    })
}

fn module_lib(api: &Api) -> proc_macro2::TokenStream {
    let which = if api.version.is_beta() { "beta" } else { api.version.name() };
    let title = types::inner_doc_lines(&format!("Typed client for the Microsoft Graph {which} {} module.", code(&api.title)));
    let identity = ident(&api.identity.type_name);
    let models = ident(&api.krate.models.replace('-', "_"));
    let path = &api.version.path;
    let root = &api.version.root;
    let version_doc = doc_line(&format!("The API version of every operation here: {} below the service root.", code(path)));
    let root_doc = doc_line(&format!("The service root the document names ({}).", code(root)));
    let types = (!api.types.is_empty()).then(|| {
        quote! {
            pub mod types;
        }
    });
    quote! {
        #title
        #![doc = ""]
        #![doc = " Every operation is a function in [`operations`] that returns a typed request; send it with"]
        #![doc = " `.send(&client)` through the one [`Client`] of the program, which serves every module"]
        #![doc = " crate. Every cmdlet is a type in [`cmdlets`] whose variants are its parameter sets."]
        #![warn(missing_docs)]

        pub mod cmdlets;
        pub mod identity;
        pub mod operations;
        #types

        pub use identity::#identity;
        pub use mg_runtime as runtime;
        pub use mg_runtime::{Client, ClientBuilder, Error};
        /// The types of this module's API version.
        pub use #models as models;

        #[doc = #version_doc]
        pub const VERSION: mg_runtime::request::ApiVersion = mg_runtime::request::ApiVersion::new(#path);

        #[doc = #root_doc]
        pub const SERVICE_ROOT: &str = #root;

        pub use cmdlets::CMDLETS;
    }
}

/// `src/types.rs`: the module's own inline types.
fn module_types(api: &Api) -> proc_macro2::TokenStream {
    let items = api.types.iter().map(|t| models::emit_type(t, Scope::Module));
    let uses = models::model_imports();
    quote! {
        //! Types of this module's inline request and response schemas.
        #![allow(clippy::large_enum_variant, clippy::derive_partial_eq_without_eq, unused_imports)]
        #uses
        #(#items)*
    }
}

fn cli_main(ws: &Workspace) -> proc_macro2::TokenStream {
    let doc = types::inner_doc_lines(&format!("{}: runs every cmdlet of the generated modules from any shell.", code(&ws.cli.binary)));
    let modules = ws.modules.iter().map(|api| {
        let feature = cli_feature(api);
        let krate = ident(&api.krate.name.replace('-', "_"));
        quote! {
            #[cfg(feature = #feature)]
            #krate::CMDLETS
        }
    });
    let root = &ws.cli.default_root;
    quote! {
        #doc

        fn main() -> ::std::process::ExitCode {
            let registry = mg_runtime::cli::Registry::new(&[#(#modules),*]).with_root(#root);
            mg_runtime::cli::main(&registry)
        }
    }
}

