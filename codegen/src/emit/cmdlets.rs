//! Cmdlets -> one module each: binder metadata, the typed parameter sets (an
//! enum, so invalid combinations cannot be written), request building with
//! the identity checks, and the entry the CLI registry lists.

use proc_macro2::TokenStream;
use quote::quote;

use super::operations::params_struct;
use super::types::{code, doc_lines, docs, ident, inner_doc_lines, prose, rust_type};
use super::File;
use crate::ir::{Api, Cmdlet, CmdletParam, Location, Operation, ParamKind, ParamSet, Success};
use crate::render::{rust_file, Provenance};

/// One cmdlet's module.
pub(super) fn file(api: &Api, c: &Cmdlet, provenance: &Provenance) -> File {
    File { path: format!("src/cmdlets/{}.rs", c.module_name), contents: rust_file(provenance, cmdlet(api, c)) }
}

/// The registry and the shared common-parameter metadata.
pub(super) fn shared_files(api: &Api, provenance: &Provenance) -> Vec<File> {
    vec![
        File { path: "src/cmdlets/mod.rs".into(), contents: rust_file(provenance, registry(api)) },
        File { path: "src/cmdlets/common.rs".into(), contents: rust_file(provenance, common_module(api)) },
    ]
}

/// `#[cfg(all(feature = ...))]` for a cmdlet: it needs every operation it calls.
fn cfg(c: &Cmdlet) -> TokenStream {
    match c.features.as_slice() {
        [one] => quote! { #[cfg(feature = #one)] },
        many => quote! { #[cfg(all(#(feature = #many),*))] },
    }
}

fn registry(api: &Api) -> TokenStream {
    let mods = api.cmdlets.iter().map(|c| {
        let m = ident(&c.module_name);
        let t = ident(&c.rust_name);
        let doc = doc_lines(&format!("{}.", code(&c.name)));
        let gate = cfg(c);
        quote! {
            #gate
            #doc
            pub mod #m;
            #gate
            pub use #m::#t;
        }
    });
    let entries = api.cmdlets.iter().map(|c| {
        let m = ident(&c.module_name);
        let gate = cfg(c);
        quote! { #gate list.push(CmdletEntry { meta: &#m::META, help: #m::HELP, run: #m::run }); }
    });
    quote! {
        //! The cmdlets, one module each, and the registry the CLI runs them from.
        //! Each cmdlet compiles only with the Cargo features of its operations' tags.

        use crate::runtime::cmdlet::CmdletEntry;

        pub mod common;

        #(#mods)*

        /// Every cmdlet compiled into the crate, sorted by name.
        #[allow(clippy::vec_init_then_push)] // one push per entry, each with its own cfg
        pub static CMDLETS: ::std::sync::LazyLock<::std::vec::Vec<CmdletEntry>> = ::std::sync::LazyLock::new(|| {
            #[allow(unused_mut)]
            let mut list = ::std::vec::Vec::new();
            #(#entries)*
            list
        });
    }
}

/// The constant in `cmdlets/common.rs` holding a common parameter's metadata.
fn common_const(p: &CmdletParam) -> proc_macro2::Ident {
    ident(&crate::naming::ident::snake_case(&p.name).to_uppercase())
}

/// Common parameters are the same in every cmdlet: their metadata is
/// written once and referenced, which keeps a whole module's crate small.
fn common_module(api: &Api) -> TokenStream {
    let mut seen = std::collections::BTreeMap::new();
    for p in api.cmdlets.iter().flat_map(|c| &c.params).filter(|p| p.kind == ParamKind::Common) {
        seen.entry(p.name.clone()).or_insert(p);
    }
    let items = seen.values().map(|p| {
        let name = common_const(p);
        let meta = param_meta_literal(p);
        let doc = doc_lines(&format!("{}: {}", code(&format!("-{}", p.name)), prose(&p.description)));
        quote! { #doc pub const #name: ParamMeta = #meta; }
    });
    quote! {
        //! Binder metadata of the common parameters, shared by every cmdlet.

        use crate::runtime::binder::{ParamMeta, ParamType, Sets};

        #(#items)*
    }
}

fn param_meta(p: &CmdletParam) -> TokenStream {
    if p.kind == ParamKind::Common {
        let name = common_const(p);
        return quote! { super::common::#name };
    }
    param_meta_literal(p)
}

fn param_meta_literal(p: &CmdletParam) -> TokenStream {
    let name = &p.name;
    let aliases = &p.aliases;
    let ty = ident(&p.binder_type);
    let type_name = &p.ps_type;
    let sets = match &p.sets {
        None => {
            let pipeline = p.all_sets_pipeline;
            quote! { Sets::All { mandatory: false, from_pipeline: #pipeline } }
        }
        Some(list) => {
            let items = list.iter().map(|m| {
                let (set, mandatory, pipeline) = (&m.set, m.mandatory, m.from_pipeline);
                quote! { SetMembership { set: #set, mandatory: #mandatory, from_pipeline: #pipeline } }
            });
            quote! { Sets::Some(&[#(#items),*]) }
        }
    };
    quote! {
        ParamMeta { name: #name, aliases: &[#(#aliases),*], ty: ParamType::#ty, type_name: #type_name, sets: #sets }
    }
}

/// Parameters of an operation that a set binds, in declaration order.
fn set_params<'a>(cmdlet: &'a Cmdlet, set: &ParamSet, op: &Operation) -> Vec<&'a CmdletParam> {
    cmdlet
        .params
        .iter()
        .filter(|p| matches!(p.kind, ParamKind::Operation { .. }))
        .filter(|p| p.sets.as_ref().is_some_and(|l| l.iter().any(|m| m.set == set.name)))
        .filter(|p| match &p.kind {
            ParamKind::Operation { wire_name, .. } => op.params.iter().any(|q| &q.wire_name == wire_name),
            _ => false,
        })
        .collect()
}

fn cmdlet(api: &Api, c: &Cmdlet) -> TokenStream {
    let ty = ident(&c.rust_name);
    let name = &c.name;
    let default_set = c.sets.iter().find(|s| s.default).map_or("", |s| s.name.as_str());
    let set_names = c.sets.iter().map(|s| &s.name);
    let metas = c.params.iter().map(param_meta);
    let help_path = format!("../../docs/{}.md", c.name);
    let identity = ident(&api.identity.type_name);
    let should_process = c.should_process;
    // Import only what the metadata uses: unused imports would warn.
    let own = c.params.iter().filter(|p| p.kind != ParamKind::Common);
    let mut names = vec![quote! { Bound }, quote! { CmdletMeta }];
    if own.clone().next().is_some() {
        names.extend([quote! { ParamMeta }, quote! { ParamType }, quote! { Sets }]);
    }
    if own.clone().any(|p| p.sets.is_some()) {
        names.push(quote! { SetMembership });
    }
    let binder_use = quote! { use crate::runtime::binder::{#(#names),*}; };

    let mut variants = Vec::new();
    let mut set_arms = Vec::new();
    let mut request_arms = Vec::new();
    let mut bind_arms = Vec::new();
    for set in &c.sets {
        let Some(op) = api.operations.get(set.operation) else { continue };
        let variant = ident(&set.variant);
        let set_name = &set.name;
        let kind = match (&op.success, &op.next_link) {
            (Success::NoContent, _) => quote! { ResponseKind::NoContent },
            (Success::Json(_), Some(next)) => quote! { ResponseKind::Paged(#next) },
            (Success::Json(_), None) => quote! { ResponseKind::Json },
            (Success::Raw { media_type }, _) if media_type.starts_with("text/") => quote! { ResponseKind::Text },
            (Success::Raw { .. }, _) => quote! { ResponseKind::Raw },
        };
        let builder = ident(&op.rust_name);
        let mut fields = Vec::new();
        let mut field_names = Vec::new();
        let mut binds = Vec::new();
        let mut key_lets = Vec::new();
        let mut args = Vec::new();
        if set.via_identity {
            fields.push(quote! {
                /// `-InputObject`: the identity whose keys address the resource.
                input_object: crate::identity::#identity,
            });
            field_names.push(ident("input_object"));
            binds.push(quote! {
                input_object: {
                    let value = bound.take("InputObject").map(|v| v.to_json()).unwrap_or(::serde_json::Value::Null);
                    crate::identity::#identity::from_json(&value)?
                },
            });
            for p in op.params.iter().filter(|p| p.location == Location::Path) {
                let local = ident(&p.rust_name);
                let ps = &p.ps_name;
                key_lets.push(quote! { let #local = input_object.require(#ps)?; });
                args.push(quote! { #local });
            }
        } else {
            for p in op.params.iter().filter(|p| p.location == Location::Path) {
                // Operations merged into one cmdlet may spell a key differently
                // on the wire (`{thing-id}`, `{thingId}`): fall back to the
                // PowerShell name the parameter was merged under.
                let in_set = |cp: &&CmdletParam| cp.sets.as_ref().is_some_and(|l| l.iter().any(|m| m.set == set.name));
                let is_path = |cp: &&CmdletParam| matches!(&cp.kind, ParamKind::Operation { location: Location::Path, .. });
                let by_wire = c.params.iter().filter(in_set).filter(is_path).find(|cp| {
                    matches!(&cp.kind, ParamKind::Operation { wire_name, .. } if wire_name == &p.wire_name)
                });
                let by_name = || c.params.iter().filter(in_set).filter(is_path).find(|cp| cp.name.eq_ignore_ascii_case(&p.ps_name));
                let Some(cp) = by_wire.or_else(by_name) else { continue };
                let field = ident(&cp.rust_name);
                let ps = &cp.name;
                let doc = doc_lines(&format!("{}: {}", code(&format!("-{}", cp.name)), prose(&cp.description)));
                fields.push(quote! { #doc #field: ::std::string::String, });
                field_names.push(field.clone());
                binds.push(quote! { #field: crate::runtime::cmdlet::take_string(bound, #ps).unwrap_or_default(), });
                args.push(quote! { #field });
            }
        }
        if op.body.as_ref().is_some_and(|b| b.raw_media_type.is_some()) {
            fields.push(quote! {
                /// `-InFile`: the file whose bytes are uploaded.
                in_file: ::std::string::String,
            });
            field_names.push(ident("in_file"));
            binds.push(quote! { in_file: crate::runtime::cmdlet::take_string(bound, "InFile").unwrap_or_default(), });
            key_lets.push(quote! {
                let body = ::std::fs::read(in_file)
                    .map_err(|e| Error::InvalidArgument(::std::format!("cannot read -InFile {in_file}: {e}")))?;
            });
            args.push(quote! { &body });
        } else if let Some(body) = &op.body {
            let ty = rust_type(&body.ty);
            let doc = if set.expanded {
                " The request body, given property by property (`-<Property>` and -AdditionalProperties)."
            } else {
                " `-BodyParameter`: the request body."
            };
            fields.push(quote! { #[doc = #doc] body: #ty, });
            field_names.push(ident("body"));
            if set.expanded {
                let takes = c.params.iter().filter_map(|p| match &p.kind {
                    ParamKind::BodyProperty { wire_name }
                        if p.sets.as_ref().is_some_and(|l| l.iter().any(|m| m.set == set.name)) =>
                    {
                        let ps = &p.name;
                        let numeric = p.ps_type == "System.Double";
                        Some(quote! { crate::runtime::cmdlet::take_property(bound, #ps, #wire_name, #numeric, &mut map); })
                    }
                    _ => None,
                });
                binds.push(quote! {
                    body: {
                        let mut map = ::serde_json::Map::new();
                        #(#takes)*
                        crate::runtime::cmdlet::take_additional(bound, &mut map)?;
                        crate::runtime::cmdlet::body_from(::serde_json::Value::Object(map))?
                    },
                });
            } else {
                binds.push(quote! { body: crate::runtime::cmdlet::take_body(bound, "BodyParameter")?, });
            }
            args.push(quote! { body });
        }
        if let Some(st) = params_struct(op) {
            fields.push(quote! {
                /// Optional query and header parameters.
                params: crate::operations::#st,
            });
            field_names.push(ident("params"));
            let mut takes = Vec::new();
            for p in set_params(c, set, op) {
                let ParamKind::Operation { wire_name, location, .. } = &p.kind else { continue };
                if *location == Location::Path {
                    continue;
                }
                let Some(op_param) = op.params.iter().find(|q| &q.wire_name == wire_name) else { continue };
                let field = ident(&op_param.rust_name);
                let ps = &p.name;
                takes.push(quote! { params.#field = crate::runtime::cmdlet::take_json(bound, #ps)?; });
            }
            binds.push(quote! {
                params: {
                    let mut params = crate::operations::#st::default();
                    #(#takes)*
                    params
                },
            });
            args.push(quote! { params });
        }
        let set_doc = doc_lines(&format!(
            "The {} parameter set{}: {}{}.",
            code(&set.name),
            if set.default { " (default)" } else { "" },
            code(&format!("{} {}", op.method.as_str(), op.path.raw)),
            if set.via_identity { ", keys read from -InputObject" } else { "" }
        ));
        variants.push(quote! { #set_doc #variant { #(#fields)* }, });
        set_arms.push(quote! { Self::#variant { .. } => #set_name, });
        request_arms.push(quote! {
            Self::#variant { #(#field_names),* } => {
                #(#key_lets)*
                ::std::result::Result::Ok((crate::operations::#builder(#(#args),*)?, #kind))
            }
        });
        bind_arms.push(quote! { #set_name => ::std::result::Result::Ok(Self::#variant { #(#binds)* }), });
    }

    let type_doc = docs(Some(&c.synopsis), &code(&c.name));
    let heading = doc_lines(&format!("{}: each variant is one parameter set.", code(&c.name)));
    let module_doc = inner_doc_lines(&format!("{}.", code(&c.name)));
    quote! {
        #module_doc

        use std::sync::Arc;

        #binder_use
        use crate::runtime::client::{ApiRequest, Client};
        use crate::runtime::cmdlet::{execute, CommonParameters, Host, Invocation, ResponseKind, RunFuture};
        use crate::runtime::error::Error;

        /// Binder metadata: parameter sets, parameters, aliases and types.
        pub static META: CmdletMeta = CmdletMeta {
            name: #name,
            default_set: #default_set,
            sets: &[#(#set_names),*],
            params: &[#(#metas),*],
        };

        /// The help document, as `Get-Help` would show it.
        pub const HELP: &str = include_str!(#help_path);

        #heading
        #[doc = ""]
        #type_doc
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        pub enum #ty { #(#variants)* }

        impl #ty {
            /// The cmdlet name.
            pub const NAME: &'static str = #name;
            /// Whether the cmdlet supports -WhatIf and -Confirm.
            pub const SHOULD_PROCESS: bool = #should_process;

            /// The parameter set this value stands for.
            pub fn parameter_set(&self) -> &'static str {
                match self { #(#set_arms)* }
            }

            /// The request this cmdlet sends, after the identity checks;
            /// nothing is sent here.
            pub fn request(&self) -> ::std::result::Result<(ApiRequest, ResponseKind), Error> {
                match self { #(#request_arms)* }
            }

            /// Runs the cmdlet: -Break, the identity and path checks, -WhatIf,
            /// -Confirm, then the call.
            pub async fn invoke(&self, client: &Client, common: &CommonParameters, host: &dyn Host) -> ::std::result::Result<Invocation, Error> {
                if common.debug_break {
                    host.wait_for_debugger().await?;
                }
                let (request, kind) = self.request()?;
                let operation = ::std::format!("{}_{}", Self::NAME, self.parameter_set());
                execute(client, common, host, &operation, Self::SHOULD_PROCESS, request, kind).await
            }

            /// Builds the typed cmdlet from a binding of [`META`].
            pub fn from_bound(bound: &mut Bound) -> ::std::result::Result<Self, Error> {
                match bound.set {
                    #(#bind_arms)*
                    other => ::std::result::Result::Err(Error::Binding {
                        id: "AmbiguousParameterSet",
                        message: ::std::format!("Parameter set '{other}' is not a parameter set of {}.", Self::NAME),
                    }),
                }
            }
        }

        /// Registry entry point: binding -> typed cmdlet -> invocation.
        pub(crate) fn run(client: Client, mut bound: Bound, common: CommonParameters, host: Arc<dyn Host>) -> RunFuture {
            ::std::boxed::Box::pin(async move {
                let cmdlet = #ty::from_bound(&mut bound)?;
                cmdlet.invoke(&client, &common, &*host).await
            })
        }
    }
}
