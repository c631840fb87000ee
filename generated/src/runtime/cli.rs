// @generated: copied from codegen/runtime/src/cli.rs by `cargo xtask codegen`. Edit it there.
// generator: codegen 0.1.0

//! cli
