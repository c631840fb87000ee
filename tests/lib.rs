//! Shared helpers for the workspace tests: where things are, and running
//! the generator on the committed spec exactly as `cargo xtask codegen` does.
//!
//! The README is included below so that its Rust example is compiled as a
//! doctest: the front door cannot drift from the generated crate.
#![doc = include_str!("../README.md")]

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Reads a workspace file as text, failing the test with the path on error.
pub fn read(rel: &str) -> String {
    let path = root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The committed configuration and spec, as `cargo xtask codegen` reads them.
pub fn committed_inputs() -> (codegen::SpecInput, codegen::Config) {
    let config_name = "spec/codegen.yaml";
    let mut config = codegen::Config::parse(config_name, &read(config_name)).expect("committed config parses");
    // Identity keys kept in their own file (as `cargo xtask fragment` writes
    // them) are merged in exactly as xtask does.
    if let Some(keys_file) = config.identity_keys_file.clone() {
        let keys_name = format!("spec/{keys_file}");
        config.merge_identity_keys(&keys_name, &read(&keys_name)).unwrap_or_else(|e| panic!("{e}"));
    }
    let input = config.input.clone().expect("config names its input");
    let spec_name = format!("spec/{input}");
    (codegen::SpecInput { text: read(&spec_name), file: spec_name }, config)
}

/// The IR of the committed spec.
pub fn committed_ir() -> codegen::ir::Api {
    let (spec, config) = committed_inputs();
    codegen::build_ir(&spec, &config, "spec/codegen.yaml").unwrap_or_else(|e| panic!("{e}"))
}

/// Every file generated from the committed spec.
pub fn committed_files() -> Vec<codegen::File> {
    let (spec, config) = committed_inputs();
    codegen::generate(&spec, &config, "spec/codegen.yaml").unwrap_or_else(|e| panic!("{e}"))
}

/// The folder of the real Graph module documents, from `GRAPH_SPECS_DIR`
/// (`.ci/run` sets it). `None`, after saying so, when it is not set.
pub fn graph_specs_dir(test: &str) -> Option<PathBuf> {
    match std::env::var_os("GRAPH_SPECS_DIR") {
        Some(dir) if Path::new(&dir).is_dir() => Some(PathBuf::from(dir)),
        _ => {
            eprintln!("skipped {test}: GRAPH_SPECS_DIR is not set to the folder of the real Graph documents");
            None
        }
    }
}
