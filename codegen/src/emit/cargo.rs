//! The generated crate's manifest: crates.io dependencies only, so the crate
//! builds wherever it is copied.

use crate::ir::Api;
use crate::render::Provenance;

/// Text for a TOML basic string: quotes, backslashes and control
/// characters escaped, so a hostile title cannot break the manifest.
fn toml_escape(text: &str) -> String {
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

fn features(api: &Api) -> String {
    let all: std::collections::BTreeSet<&str> = api.operations.iter().map(|o| o.feature.as_str()).collect();
    let quoted: Vec<String> = all.iter().map(|f| format!("\"{f}\"")).collect();
    let mut out = format!("default = [\"full\", \"azure-identity\"]\nfull = [{}]\n", quoted.join(", "));
    out.push_str(AZURE_IDENTITY_FEATURE);
    for f in all {
        out.push_str(&format!("{f} = []\n"));
    }
    out
}

/// Sign-in through the Azure SDK's identity crates (the runtime's `auth`
/// module). On by default so that the CLI can sign in; a library user who
/// brings tokens may turn it off.
const AZURE_IDENTITY_FEATURE: &str = r#"# Sign-in with azure_identity credentials (client secret, certificate,
# managed identity, Azure CLI); the CLI needs it, a library may go without.
azure-identity = [
    "dep:azure_core",
    "dep:azure_identity",
    "dep:async-trait",
    "dep:aws-lc-rs",
    "dep:rustls-pki-types",
    "dep:p12-keystore",
    "tokio/process",
]
"#;

pub(super) fn manifest(api: &Api, provenance: &Provenance) -> String {
    let k = &api.krate;
    format!(
        r#"{header}
[package]
name = "{name}"
version = "{version}"
edition = "2024"
rust-version = "1.85"
description = "{description}"
license = "MIT OR Apache-2.0"
publish = false

[lib]
path = "src/lib.rs"

[[bin]]
name = "{binary}"
path = "src/bin/main.rs"

[dependencies]
futures = "0.3"
percent-encoding = "2"
reqwest = {{ version = "0.13", default-features = false, features = ["rustls", "json", "http2"] }}
serde = {{ version = "1", features = ["derive"] }}
serde_json = "1"
tokio = {{ version = "1", features = ["rt-multi-thread", "macros", "time", "sync", "io-util", "io-std", "net", "signal"] }}
tracing = "0.1"
uuid = {{ version = "1", features = ["v4"] }}
# Sign-in (feature `azure-identity`).
async-trait = {{ version = "0.1", optional = true }}
aws-lc-rs = {{ version = "1", default-features = false, features = ["aws-lc-sys", "alloc"], optional = true }}
azure_core = {{ version = "1.1", default-features = false, features = ["tokio"], optional = true }}
azure_identity = {{ version = "1.0", default-features = false, features = ["tokio"], optional = true }}
p12-keystore = {{ version = "0.4", optional = true }}
rustls-pki-types = {{ version = "1", features = ["std"], optional = true }}

# One feature per API tag, so a consumer compiles only what it uses
# (`default-features = false, features = ["..."]`).
[features]
{features}"#,
        features = features(api),
        header = provenance.hash_header(),
        name = toml_escape(&k.name),
        version = toml_escape(&k.version),
        description = toml_escape(&k.description),
        binary = toml_escape(&k.binary),
    )
}
