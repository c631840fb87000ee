//! The runtime, vendored: the files of `codegen/runtime/src` are copied
//! verbatim (comments and all) into `src/runtime/`, behind the header. The
//! runtime crate compiles and tests them on its own; here they are data.

use super::File;
use crate::render::Provenance;

/// (file name in the runtime crate, its text).
const SOURCES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../../runtime/src/lib.rs")),
    ("bind.rs", include_str!("../../runtime/src/bind.rs")),
    ("binder.rs", include_str!("../../runtime/src/binder.rs")),
    ("cli.rs", include_str!("../../runtime/src/cli.rs")),
    ("cli_args.rs", include_str!("../../runtime/src/cli_args.rs")),
    ("client.rs", include_str!("../../runtime/src/client.rs")),
    ("cmdlet.rs", include_str!("../../runtime/src/cmdlet.rs")),
    ("error.rs", include_str!("../../runtime/src/error.rs")),
    ("help.rs", include_str!("../../runtime/src/help.rs")),
    ("path.rs", include_str!("../../runtime/src/path.rs")),
    ("pipeline.rs", include_str!("../../runtime/src/pipeline.rs")),
];

pub(super) fn files(provenance: &Provenance) -> Vec<File> {
    SOURCES
        .iter()
        .map(|(name, text)| {
            let target = if *name == "lib.rs" { "mod.rs" } else { name };
            let header = format!(
                "// @generated: copied from codegen/runtime/src/{name} by `cargo xtask codegen`. Edit it there.\n// generator: codegen {}\n\n",
                provenance.generator_version
            );
            File { path: format!("src/runtime/{target}"), contents: format!("{header}{text}") }
        })
        .collect()
}
