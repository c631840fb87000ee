//! Cmdlets -> one module each: the cmdlet as data (binder metadata and one
//! binding plan per parameter set, which the runtime binds and builds
//! requests from), and the typed enum Rust users write (one variant per
//! parameter set, typed fields, `request()` and `invoke()`). Every part is
//! a straight map over the IR's plan.

use proc_macro2::TokenStream;
use quote::quote;

use super::types::{code, doc_line, docs, ident, lit, prose, rust_type, Scope};
use crate::ir::{Api, Binding, Cmdlet, CmdletParam, Location, Operation, Options, ParamSet};
use crate::naming::ident::UniqueNames;
use super::types::used_imports;

/// `#[cfg(all(feature = ...))]` for a cmdlet: it needs every operation it calls.
fn cfg(c: &Cmdlet) -> TokenStream {
    match c.features.as_slice() {
        [one] => quote! { #[cfg(feature = #one)] },
        many => quote! { #[cfg(all(#(feature = #many),*))] },
    }
}

/// `src/cmdlets/mod.rs`: the modules and the list the CLI runs.
pub(super) fn registry(api: &Api) -> TokenStream {
    let mods = api.cmdlets.iter().map(|c| {
        let m = ident(&c.module_name);
        let t = ident(&c.rust_name);
        let doc = doc_line(&format!("`{}`.", c.name));
        let gate = cfg(c);
        quote! {
            #gate
            #[doc = #doc]
            pub mod #m;
            #gate
            pub use #m::#t;
        }
    });
    let entries = api.cmdlets.iter().map(|c| {
        let m = ident(&c.module_name);
        let gate = cfg(c);
        quote! { #gate &#m::META }
    });
    quote! {
        //! The cmdlets, one module each, and the list the CLI runs them from.
        //! Each cmdlet compiles only with the Cargo features of its operations' tags.

        #(#mods)*

        /// Every cmdlet compiled into the crate, sorted by name.
        pub static CMDLETS: &[&mg_runtime::plan::Cmdlet] = &[#(#entries),*];
    }
}

/// The index of a set by name.
fn set_index(c: &Cmdlet, name: &str) -> usize {
    c.sets.iter().position(|s| s.name == name).unwrap_or(usize::MAX)
}

/// One parameter of the binder table, on one line.
fn param_meta(c: &Cmdlet, p: &CmdletParam) -> TokenStream {
    let name = &p.name;
    let binder = p.ty.binder();
    let ty = ident(binder.variant());
    let list = |pick: &dyn Fn(&crate::ir::SetMembership) -> bool| -> Vec<proc_macro2::Literal> {
        let mut out: Vec<usize> =
            p.sets.iter().flatten().filter(|m| pick(m)).map(|m| set_index(c, &m.set)).collect();
        out.sort_unstable();
        out.into_iter().map(lit).collect()
    };
    let member = list(&|_| true);
    let mandatory = list(&|m| m.mandatory);
    let pipeline = list(&|m| m.from_pipeline);
    let mut out = quote! { P::new(#name, T::#ty, &[#(#member),*]) };
    if !mandatory.is_empty() {
        out.extend(quote! { .mandatory(&[#(#mandatory),*]) });
    }
    if !pipeline.is_empty() {
        out.extend(quote! { .pipeline(&[#(#pipeline),*]) });
    }
    if !p.aliases.is_empty() {
        let aliases = &p.aliases;
        out.extend(quote! { .alias(&[#(#aliases),*]) });
    }
    let type_name = p.ty.name();
    if type_name != binder.default_name() {
        out.extend(quote! { .typed(#type_name) });
    }
    out
}

fn u16_of(i: usize) -> proc_macro2::Literal {
    lit(i)
}

/// One set's plan.
fn plan(api: &Api, set: &ParamSet) -> TokenStream {
    let Some(op) = api.operations.get(set.operation) else {
        return quote! { compile_error!("codegen bug: a parameter set names no operation") };
    };
    let statik = ident(&op.static_name);
    let binds = set.binds.iter().map(|b| match b {
        Binding::Key { param, key } => {
            let (p, k) = (u16_of(*param), u16_of(*key));
            quote! { Bind::Key(#p, #k) }
        }
        Binding::Identity { param } => {
            let p = u16_of(*param);
            quote! { Bind::Identity(#p) }
        }
        Binding::Arg { param, op_param } => {
            let p = u16_of(*param);
            let wire = op.params.get(*op_param).map_or("", |q| q.wire_name.as_str());
            quote! { Bind::Arg(#p, #wire) }
        }
        Binding::Body { param } => {
            let p = u16_of(*param);
            quote! { Bind::Body(#p) }
        }
        Binding::Prop { param, wire_name } => {
            let p = u16_of(*param);
            quote! { Bind::Prop(#p, #wire_name) }
        }
        Binding::Additional { param } => {
            let p = u16_of(*param);
            quote! { Bind::Additional(#p) }
        }
        Binding::InFile { param } => {
            let p = u16_of(*param);
            quote! { Bind::InFile(#p) }
        }
    });
    quote! { Plan::new(&op::#statik, &[#(#binds),*]) }
}

/// The fields of one set's variant, and the expression of its request.
struct Variant {
    fields: Vec<TokenStream>,
    names: Vec<proc_macro2::Ident>,
    request: TokenStream,
}

fn variant(api: &Api, c: &Cmdlet, set: &ParamSet, op: &Operation) -> Variant {
    let mut unique = UniqueNames::with_reserved(&["input_object", "body", "query", "params", "in_file"]);
    let mut fields = Vec::new();
    let mut names = Vec::new();
    let mut prelude = Vec::new();
    let mut args = Vec::new();
    let mut keys: Vec<(usize, &CmdletParam)> = set
        .binds
        .iter()
        .filter_map(|b| match b {
            Binding::Key { param, key } => c.params.get(*param).map(|p| (*key, p)),
            _ => None,
        })
        .collect();
    keys.sort_by_key(|(k, _)| *k);
    if set.via_identity {
        let identity = ident(&api.identity.type_name);
        fields.push(quote! {
            /// `-InputObject`: the identity whose keys address the resource.
            input_object: crate::identity::#identity,
        });
        names.push(ident("input_object"));
        for p in op.params.iter().filter(|p| p.location == Location::Path) {
            let name = &p.ps_name;
            args.push(quote! { input_object.require(#name)? });
        }
    } else {
        for (_, p) in keys {
            let field = ident(&unique.claim(&p.rust_name));
            let text = prose(&p.description);
            let doc = doc_line(&format!("`-{}`: {text}", p.name));
            fields.push(quote! { #[doc = #doc] #field: ::std::string::String, });
            names.push(field.clone());
            args.push(quote! { #field });
        }
    }
    if let Some(body) = &op.body {
        if body.raw_media_type.is_some() {
            fields.push(quote! {
                /// `-InFile`: the file whose bytes are uploaded.
                in_file: ::std::string::String,
            });
            names.push(ident("in_file"));
            prelude.push(quote! { let body = mg_runtime::cmdlet::read_in_file(in_file)?; });
            args.push(quote! { &body });
        } else {
            let ty = rust_type(&body.ty, Scope::Module);
            let doc = if set.expanded {
                " The request body, given property by property (`-<Property>` and -AdditionalProperties)."
            } else {
                " `-BodyParameter`: the request body."
            };
            fields.push(quote! { #[doc = #doc] body: #ty, });
            names.push(ident("body"));
            args.push(quote! { body });
        }
    }
    match &op.options {
        Options::None => {}
        Options::Standard => {
            fields.push(quote! {
                /// Optional query options and headers.
                query: mg_runtime::request::Query,
            });
            names.push(ident("query"));
            args.push(quote! { query });
        }
        Options::Own(st) => {
            let st = ident(st);
            fields.push(quote! {
                /// Optional query and header parameters.
                params: op::#st,
            });
            names.push(ident("params"));
            args.push(quote! { params });
        }
    }
    let func = ident(&op.rust_name);
    let request = quote! { { #(#prelude)* op::#func(#(#args),*).build() } };
    Variant { fields, names, request }
}

/// One cmdlet's module.
pub(super) fn file(api: &Api, c: &Cmdlet) -> TokenStream {
    let ty = ident(&c.rust_name);
    let name = &c.name;
    let default_set = c.sets.iter().find(|s| s.default).map_or("", |s| s.name.as_str());
    let set_names = c.sets.iter().map(|s| &s.name);
    let metas = c.params.iter().map(|p| param_meta(c, p));
    let plans = c.sets.iter().map(|s| plan(api, s));
    let aliases = &c.aliases;
    let help_path = format!("../../docs/{}.md", c.name);
    let (pass_thru, should_process, beta) = (c.common.pass_thru, c.common.should_process, c.common.beta);
    let mut variants = Vec::new();
    let mut set_arms = Vec::new();
    let mut request_arms = Vec::new();
    for (index, set) in c.sets.iter().enumerate() {
        let Some(op) = api.operations.get(set.operation) else { continue };
        let v = variant(api, c, set, op);
        let var = ident(&set.variant);
        let set_doc = doc_line(&format!(
            "The {} parameter set{}: {}{}.",
            code(&set.name),
            if set.default { " (default)" } else { "" },
            code(&format!("{} {}", op.method.as_str(), op.path.raw)),
            if set.via_identity { ", keys read from -InputObject" } else { "" }
        ));
        let fields = &v.fields;
        variants.push(quote! { #[doc = #set_doc] #var { #(#fields)* }, });
        let index = lit(index);
        set_arms.push(quote! { Self::#var { .. } => #index, });
        let names = &v.names;
        let request = &v.request;
        request_arms.push(quote! { Self::#var { #(#names),* } => #request });
    }
    let type_doc = docs(Some(&c.synopsis), &c.name);
    let heading = doc_line(&format!("`{}`: each variant is one parameter set.", c.name));
    let module_doc = super::types::inner_doc_lines(&format!("`{}`.", c.name));
    let never_matches = variants.is_empty().then(|| quote! { #[allow(clippy::empty_enum)] });
    let body = quote! {
        /// The cmdlet as data: binder metadata, one binding plan per
        /// parameter set, and its help.
        pub static META: Cmdlet = Cmdlet {
            meta: CmdletMeta {
                name: #name,
                default_set: #default_set,
                sets: &[#(#set_names),*],
                params: &[#(#metas),*],
                common: Common::new(#pass_thru, #should_process, #beta),
            },
            aliases: &[#(#aliases),*],
            plans: &[#(#plans),*],
            help: include_str!(#help_path),
        };

        #[doc = #heading]
        #[doc = ""]
        #type_doc
        #[derive(Debug, Clone, PartialEq)]
        #[allow(clippy::large_enum_variant)]
        #never_matches
        pub enum #ty { #(#variants)* }

        impl #ty {
            /// The index of this value's parameter set in [`META`].
            #[inline]
            pub fn set(&self) -> usize {
                match self { #(#set_arms)* }
            }

            /// The request this cmdlet sends, after the identity and path
            /// checks; nothing is sent here.
            #[inline]
            pub fn request(&self) -> ::std::result::Result<ApiRequest, Error> {
                match self { #(#request_arms)* }
            }

            /// Runs the cmdlet: -Break, -WhatIf, -Confirm, the identity and
            /// path checks, then the call.
            #[inline]
            pub fn invoke<'a>(
                &'a self,
                client: &'a Client,
                common: &'a CommonParameters,
                host: &'a dyn Host,
            ) -> BoxFuture<'a, ::std::result::Result<Invocation, Error>> {
                mg_runtime::cmdlet::invoke(&META, self.set(), self.request(), client, common, host)
            }
        }
    };
    let uses = used_imports(&body, CMDLET_IMPORTS);
    quote! {
        #module_doc

        #uses

        #body
    }
}

/// What a cmdlet file may import; it imports those it uses (a cmdlet
/// without parameters has no `P`, `T` or `Bind`).
const CMDLET_IMPORTS: &[(&str, &str, Option<&str>)] = &[
    ("mg_runtime::binder", "CmdletMeta", None),
    ("mg_runtime::binder", "Common", None),
    ("mg_runtime::binder", "ParamMeta", Some("P")),
    ("mg_runtime::binder", "ParamType", Some("T")),
    ("mg_runtime::cmdlet", "BoxFuture", None),
    ("mg_runtime::cmdlet", "CommonParameters", None),
    ("mg_runtime::cmdlet", "Host", None),
    ("mg_runtime::cmdlet", "Invocation", None),
    ("mg_runtime::plan", "Bind", None),
    ("mg_runtime::plan", "Cmdlet", None),
    ("mg_runtime::plan", "Plan", None),
    ("mg_runtime::request", "ApiRequest", None),
    ("mg_runtime", "Client", None),
    ("mg_runtime", "Error", None),
    ("crate", "operations", Some("op")),
];

