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
pub mod sdk;
pub mod surface;
pub mod tree;

pub use config::Config;
pub use emit::{File, RuntimeSource};
pub use error::{Diagnostic, Error};
pub use load::SpecInput;
pub use sdk::{CliOptions, ModuleInput};

/// The generator's version, recorded in every generated header.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// Spec text + configuration -> the IR of that one module, or every
/// problem found.
pub fn build_ir(spec: &SpecInput, config: &Config, config_file: &str) -> Result<ir::Api, Error> {
    let input = ModuleInput { spec: spec.clone(), config: config.clone(), config_file: config_file.to_owned() };
    let mut ws = sdk::build_one(&input)?;
    ws.modules.pop().ok_or_else(|| Error::single(&spec.file, "", "the document produced no module"))
}

/// Spec text + configuration -> the workspace IR of that one module (the
/// module, the models of its version, the CLI).
pub fn build_workspace(spec: &SpecInput, config: &Config, config_file: &str) -> Result<ir::Workspace, Error> {
    let input = ModuleInput { spec: spec.clone(), config: config.clone(), config_file: config_file.to_owned() };
    sdk::build_one(&input)
}

/// Spec text + configuration -> every file of the generated workspace: the
/// module crate, the models crate of its version and the CLI.
pub fn generate(spec: &SpecInput, config: &Config, config_file: &str, source: &RuntimeSource) -> Result<Vec<File>, Error> {
    let input = ModuleInput { spec: spec.clone(), config: config.clone(), config_file: config_file.to_owned() };
    let ws = sdk::build_one(&input)?;
    Ok(emit::emit(&ws, source))
}

/// Many module documents -> every file of one workspace
/// (`cargo xtask codegen --sdk`). [`sdk::build`] and [`emit::emit_each`]
/// do the same in two steps, without holding every file at once.
pub fn generate_sdk(inputs: &[ModuleInput], cli: &CliOptions, source: &RuntimeSource) -> Result<Vec<File>, Error> {
    let ws = sdk::build(inputs, cli)?;
    Ok(emit::emit(&ws, source))
}
