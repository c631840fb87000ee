//! The generated crate's manifest: crates.io dependencies only, so the crate
//! builds wherever it is copied.

use crate::ir::Api;
use crate::render::Provenance;

fn features(api: &Api) -> String {
    let all: std::collections::BTreeSet<&str> = api.operations.iter().map(|o| o.feature.as_str()).collect();
    let quoted: Vec<String> = all.iter().map(|f| format!("\"{f}\"")).collect();
    let mut out = format!("default = [\"full\"]\nfull = [{}]\n", quoted.join(", "));
    for f in all {
        out.push_str(&format!("{f} = []\n"));
    }
    out
}

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

# One feature per API tag, so a consumer compiles only what it uses
# (`default-features = false, features = ["..."]`).
[features]
{features}"#,
        features = features(api),
        header = provenance.hash_header(),
        name = k.name,
        version = k.version,
        description = k.description.replace('\\', "\\\\").replace('"', "\\\""),
        binary = k.binary,
    )
}
