//! Every naming rule of the generator lives here: Rust identifiers, cmdlet
//! names derived from operationIds, parameter names from path placeholders.

pub mod cmdlet;
pub mod ident;
mod singular;
