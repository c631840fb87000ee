//! The runtime crate, vendored into an output folder that must build on its
//! own: the files of `codegen/runtime/src` copied verbatim (comments and
//! all) to `runtime/src/`, and a manifest with concrete dependency versions
//! (the repository's own uses workspace inheritance). A test checks that
//! this manifest lists exactly the runtime's dependencies and features.

use super::File;

/// (file name in the runtime crate, its text).
pub const SOURCES: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../../runtime/src/lib.rs")),
    ("auth.rs", include_str!("../../runtime/src/auth.rs")),
    ("auth/azure.rs", include_str!("../../runtime/src/auth/azure.rs")),
    ("auth/certificate.rs", include_str!("../../runtime/src/auth/certificate.rs")),
    ("auth/sign_in.rs", include_str!("../../runtime/src/auth/sign_in.rs")),
    ("batch.rs", include_str!("../../runtime/src/batch.rs")),
    ("bind.rs", include_str!("../../runtime/src/bind.rs")),
    ("binder.rs", include_str!("../../runtime/src/binder.rs")),
    ("cli.rs", include_str!("../../runtime/src/cli.rs")),
    ("cli_args.rs", include_str!("../../runtime/src/cli_args.rs")),
    ("client.rs", include_str!("../../runtime/src/client.rs")),
    ("cmdlet.rs", include_str!("../../runtime/src/cmdlet.rs")),
    ("error.rs", include_str!("../../runtime/src/error.rs")),
    ("model.rs", include_str!("../../runtime/src/model.rs")),
    ("help.rs", include_str!("../../runtime/src/help.rs")),
    ("paging.rs", include_str!("../../runtime/src/paging.rs")),
    ("path.rs", include_str!("../../runtime/src/path.rs")),
    ("pipeline.rs", include_str!("../../runtime/src/pipeline.rs")),
    ("plan.rs", include_str!("../../runtime/src/plan.rs")),
    ("request.rs", include_str!("../../runtime/src/request.rs")),
    ("upload.rs", include_str!("../../runtime/src/upload.rs")),
];

/// The manifest of the vendored runtime.
pub const MANIFEST: &str = r#"# @generated: the runtime crate of this repository's generator, copied by `cargo xtask codegen`.
# Edit it there (codegen/runtime), not here.

[package]
name = "mg-runtime"
version = "0.1.0"
edition = "2024"
rust-version = "1.88"
description = "Runtime shared by every generated Microsoft Graph crate: client, pipeline, errors, binder, CLI driver."
license = "MIT OR Apache-2.0"
publish = false

[features]
default = []
cli = []
azure-identity = [
    "dep:azure_core",
    "dep:azure_identity",
    "dep:async-trait",
    "dep:aws-lc-rs",
    "dep:rustls-pki-types",
    "dep:p12-keystore",
    "tokio/process",
]

[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["rustls", "json", "http2"] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["rt", "time", "sync", "macros"] }
tracing = "0.1"
uuid = { version = "1", features = ["v4"] }
percent-encoding = "2"
futures-core = "0.3"
azure_core = { version = "1.1", default-features = false, features = ["tokio"], optional = true }
azure_identity = { version = "1.0", default-features = false, features = ["tokio"], optional = true }
async-trait = { version = "0.1", optional = true }
aws-lc-rs = { version = "1", default-features = false, features = ["aws-lc-sys", "alloc"], optional = true }
rustls-pki-types = { version = "1", features = ["std"], optional = true }
p12-keystore = { version = "0.4", optional = true }
"#;

/// The runtime crate's files below the output folder.
pub(super) fn files() -> Vec<File> {
    let mut files: Vec<File> = SOURCES
        .iter()
        .map(|(name, text)| File { path: format!("runtime/src/{name}"), contents: (*text).to_owned() })
        .collect();
    files.push(File { path: "runtime/Cargo.toml".into(), contents: MANIFEST.to_owned() });
    files
}
