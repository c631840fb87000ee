//! The manifests: module crates, models crates, the CLI, and (when the
//! runtime is vendored) the workspace. Dependencies are crates.io crates and
//! path dependencies inside the output (or on this repository's runtime).

use std::collections::BTreeSet;

use super::{cli_feature, module_dir, version_dir, RuntimeSource};
use crate::ir::{Api, Models, Workspace};
use crate::render::Provenance;

/// Text for a TOML basic string: quotes, backslashes and control
/// characters escaped, so a hostile title cannot break the manifest.
pub(super) fn toml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The path from a crate folder `depth` levels below the output folder to
/// the runtime crate.
fn runtime_path(source: &RuntimeSource, depth: usize) -> String {
    let up = "../".repeat(depth);
    match source {
        // An absolute path is the same from every crate folder.
        RuntimeSource::Path(path) if path.starts_with('/') => toml_escape(path.trim_end_matches('/')),
        RuntimeSource::Path(from_root) => format!("{up}{}", from_root.trim_end_matches('/')),
        RuntimeSource::Vendored => format!("{up}runtime"),
    }
}

fn package(header: &str, name: &str, version: &str, description: &str) -> String {
    format!(
        r#"{header}
[package]
name = "{name}"
version = "{version}"
edition = "2024"
rust-version = "1.88"
description = "{description}"
license = "MIT OR Apache-2.0"
publish = false
"#,
        name = toml_escape(name),
        version = toml_escape(version),
        description = toml_escape(description),
    )
}

/// A module crate: runtime, its version's models (with the module's
/// feature), serde; one feature per API tag.
pub(super) fn module_manifest(api: &Api, source: &RuntimeSource, provenance: &Provenance) -> String {
    let k = &api.krate;
    let tags: BTreeSet<&str> = api.operations.iter().map(|o| o.feature.as_str()).collect();
    let quoted: Vec<String> = tags.iter().map(|f| format!("\"{f}\"")).collect();
    let mut features = format!("default = [\"full\"]\nfull = [{}]\n", quoted.join(", "));
    for f in &tags {
        features.push_str(&format!("{f} = []\n"));
    }
    format!(
        r#"{package}
[dependencies]
mg-runtime = {{ path = "{runtime}" }}
{models} = {{ path = "../models", default-features = false, features = ["{feature}"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"

# One feature per API tag, so a consumer compiles only what it uses
# (`default-features = false, features = ["..."]`).
[features]
{features}"#,
        package = package(&provenance.hash_header(), &k.name, &k.version, &k.description),
        runtime = runtime_path(source, 2),
        models = k.models,
        feature = k.module_feature,
    )
}

/// A models crate: one feature per module.
pub(super) fn models_manifest(models: &Models, source: &RuntimeSource, provenance: &Provenance) -> String {
    let description = format!(
        "The Microsoft Graph {} types shared by the generated module crates, one Cargo feature per module.",
        models.version.name()
    );
    let runtime = format!("mg-runtime = {{ path = \"{}\" }}\n", runtime_path(source, 2));
    let quoted: Vec<String> = models.features.iter().map(|f| format!("\"{f}\"")).collect();
    let mut features = format!("full = [{}]\n", quoted.join(", "));
    for f in &models.features {
        features.push_str(&format!("{f} = []\n"));
    }
    format!(
        r#"{package}
[dependencies]
{runtime}
# One feature per module: each compiles the types that module's operations
# reach, and nothing else.
[features]
{features}"#,
        package = package(&provenance.hash_header(), &models.crate_name, &models.crate_version, &description),
    )
}

/// The CLI: one feature per module (`beta-applications`, `v1-0-users`), all
/// on by default.
pub(super) fn cli_manifest(ws: &Workspace, source: &RuntimeSource, provenance: &Provenance) -> String {
    let cli = &ws.cli;
    let description = "Runs the cmdlets of the generated Microsoft Graph modules from any shell.";
    let mut deps = String::new();
    let mut features = String::new();
    let mut all = Vec::new();
    for api in &ws.modules {
        let feature = cli_feature(api);
        deps.push_str(&format!("{} = {{ path = \"../{}\", optional = true }}\n", api.krate.name, module_dir(api)));
        features.push_str(&format!("{feature} = [\"dep:{}\"]\n", api.krate.name));
        all.push(format!("\"{feature}\""));
    }
    format!(
        r#"{package}
[[bin]]
name = "{binary}"
path = "src/main.rs"

[dependencies]
mg-runtime = {{ path = "{runtime}", features = ["cli", "azure-identity"] }}
{deps}
# One feature per module, so a user builds only what they use
# (`--no-default-features --features beta-applications`).
[features]
default = [{all}]
{features}"#,
        package = package(&provenance.hash_header(), &cli.crate_name, &cli.version, description),
        binary = toml_escape(&cli.binary),
        runtime = runtime_path(source, 1),
        all = all.join(", "),
    )
}

/// The workspace of an output folder that carries its own runtime.
pub(super) fn workspace_manifest(ws: &Workspace) -> String {
    let mut members = vec!["\"runtime\"".to_owned()];
    for models in &ws.models {
        members.push(format!("\"{}/models\"", version_dir(&models.version)));
    }
    for api in &ws.modules {
        members.push(format!("\"{}\"", module_dir(api)));
    }
    members.push("\"cli\"".to_owned());
    format!(
        "# @generated by `cargo xtask codegen`. Do not edit.\n\
         # generator: codegen {}\n\n\
         [workspace]\n\
         resolver = \"3\"\n\
         members = [\n    {},\n]\n",
        crate::VERSION,
        members.join(",\n    ")
    )
}
