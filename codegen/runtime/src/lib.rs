//! The runtime shared by every generated Microsoft Graph crate: one
//! [`client::Client`] (connection pool, token provider, retry policy,
//! pipeline) serves the operations of every module and both API versions;
//! operations and cmdlets are static tables ([`request::Operation`],
//! [`plan::Cmdlet`]) that the code here builds requests from, binds
//! arguments for and runs.
//!
//! Generated crates depend on this crate (a path dependency in this
//! repository, a member of the emitted workspace elsewhere); nothing of it
//! is copied into them.
#![warn(missing_docs)]

pub mod auth;
pub mod batch;
pub mod bind;
pub mod binder;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod cli_args;
pub mod client;
pub mod cmdlet;
pub mod error;
pub mod model;
pub mod help;
pub mod paging;
pub mod path;
pub mod pipeline;
pub mod plan;
pub mod request;
pub mod upload;

pub use client::{Client, ClientBuilder};

// Generated model code reaches serde through the runtime, so its impls do
// not depend on the version a models crate happens to list.
#[doc(hidden)]
pub use serde;
#[doc(hidden)]
pub use serde_json;
pub use error::Error;
