// @generated: copied from codegen/runtime/src/lib.rs by `cargo xtask codegen`. Edit it there.
// generator: codegen 0.1.0

//! Runtime support for generated Microsoft Graph clients.
//!
//! This crate is never published. `codegen` copies every module below into
//! the generated crate as `src/runtime/`, so modules refer to each other with
//! `super::` paths and use only dependencies the generated crate also has.
#![warn(missing_docs)]

pub mod bind;
pub mod binder;
pub mod cli;
pub mod cli_args;
pub mod client;
pub mod cmdlet;
pub mod error;
pub mod help;
pub mod path;
pub mod pipeline;
