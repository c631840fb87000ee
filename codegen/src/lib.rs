//! OpenAPI (Microsoft Graph) -> typed Rust client crate with PowerShell-style
//! cmdlets. The pipeline: [`load`] -> [`lower`] (resolve, check, name) ->
//! [`ir`] -> [`emit`] (quote) -> [`render`] (syn + prettyplease) -> files.
//! This crate never touches the disk; `xtask` does.

pub mod config;
pub mod diff;
pub mod emit;
pub mod error;
pub mod fragment;
pub mod ir;
pub mod load;
pub mod lower;
pub mod naming;
pub mod render;
pub mod surface;
pub mod tree;

pub use config::Config;
pub use emit::File;
pub use error::{Diagnostic, Error};
pub use load::SpecInput;

/// The generator's version, recorded in every generated header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Spec text + configuration -> the IR, or every problem found.
pub fn build_ir(spec: &SpecInput, config: &Config, config_file: &str) -> Result<ir::Api, Error> {
    let loaded = load::load(spec)?;
    lower::lower(&loaded, config, config_file)
}

/// Spec text + configuration -> every file of the generated crate.
pub fn generate(spec: &SpecInput, config: &Config, config_file: &str) -> Result<Vec<File>, Error> {
    let api = build_ir(spec, config, config_file)?;
    let provenance = render::Provenance {
        spec_file: spec.file.clone(),
        spec_sha256: api.spec_sha256.clone(),
        generator_version: VERSION.to_owned(),
    };
    Ok(emit::emit(&api, &provenance))
}
