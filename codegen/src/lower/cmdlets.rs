//! Operations -> cmdlets, the way AutoRest.PowerShell derives them: a name
//! per operationId, operations sharing a name merged into one cmdlet, one
//! parameter set per operation plus a ViaIdentity twin, the runtime's common
//! parameters, then the module's directives.

use std::collections::BTreeMap;

use super::directives::{regroup, Directives, Variant};
use crate::config::Config;
use crate::error::Sink;
use crate::ir::{Cmdlet, CmdletParam, Identity, Location, Operation, ParamKind, ParamSet, SetMembership, Success, TypeDef, TypeKind, TypeRef};
use crate::naming::cmdlet::{cmdlet_name, CmdletName, NamePrefix};
use crate::naming::ident::{pascal_case, snake_case};

/// PowerShell's type for a runtime type.
fn ps_type(ty: &TypeRef) -> (&'static str, &'static str) {
    match ty {
        TypeRef::Boolean => ("System.Boolean", "Boolean"),
        TypeRef::Int32 => ("System.Int32", "Int32"),
        TypeRef::Int64 => ("System.Int64", "Int64"),
        TypeRef::Array(inner) if **inner == TypeRef::String => ("System.String[]", "StringArray"),
        TypeRef::Nullable(inner) => ps_type(inner),
        _ => ("System.String", "String"),
    }
}

/// OData query options get the names PowerShell users know.
fn query_name(wire: &str) -> Option<(&'static str, &'static [&'static str])> {
    Some(match wire {
        "$select" => ("Property", &["Select"]),
        "$expand" => ("ExpandProperty", &["Expand"]),
        "$orderby" => ("Sort", &["OrderBy"]),
        "$top" => ("Top", &["Limit"]),
        "$filter" => ("Filter", &[]),
        "$search" => ("Search", &[]),
        "$skip" => ("Skip", &[]),
        "$count" => ("Count", &[]),
        _ => return None,
    })
}

/// Derives every cmdlet, applies directives and checks the result.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lower_cmdlets(
    operations: &[Operation],
    types: &BTreeMap<String, TypeDef>,
    identity: &Identity,
    config: &Config,
    directives: &Directives,
    prefix: &NamePrefix,
    ns: &str,
    config_sink: &mut Sink,
) -> Vec<Cmdlet> {
    // Group operations by cmdlet name; BTreeMap keeps the output sorted.
    let mut groups: BTreeMap<String, (CmdletName, Vec<(usize, String)>)> = BTreeMap::new();
    for (index, op) in operations.iter().enumerate() {
        let name = cmdlet_name(&op.id, &op.method.as_str().to_lowercase(), prefix);
        let action = name.set_action.clone();
        groups.entry(name.full()).or_insert_with(|| (name.clone(), Vec::new())).1.push((index, action));
    }
    // Every parameter set becomes a variant the directives can rename,
    // move to another cmdlet or remove.
    let mut variants = Vec::new();
    for (name, indices) in groups.values() {
        for set in plan_sets(indices, operations) {
            variants.push(Variant::new(name, prefix, set));
        }
    }
    let param_actions = directives.apply_to_variants(&mut variants, operations, prefix, config_sink);
    let grouped = regroup(variants, prefix);
    let help_base = config.module.help_uri_base.as_deref();
    let mut cmdlets: Vec<Cmdlet> = grouped
        .iter()
        .map(|g| {
            let mut cmdlet = build_cmdlet(&g.full, &g.verb, &g.noun, g.sets.clone(), operations, types, identity, help_base, ns);
            cmdlet.aliases = g.aliases.clone();
            cmdlet
        })
        .collect();
    directives.apply_to_params(&param_actions, &grouped, &mut cmdlets, config_sink);
    cmdlets
}

/// The parameter sets of the operations that share one cmdlet name: one
/// per operation, numbered when two operations share an action, plus the
/// Expanded and ViaIdentity forms.
fn plan_sets(indices: &[(usize, String)], operations: &[Operation]) -> Vec<ParamSet> {
    let mut sets: Vec<ParamSet> = Vec::new();
    let mut action_counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, action) in indices {
        *action_counts.entry(action.clone()).or_default() += 1;
    }
    let mut action_seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, action) in indices {
        let (i, action) = (*i, action.clone());
        let Some(op) = operations.get(i) else { continue };
        let base = if action_counts.get(&action).copied().unwrap_or(0) > 1 {
            let n = action_seen.entry(action.clone()).or_default();
            *n += 1;
            format!("{action}{n}")
        } else {
            action.clone()
        };
        let has_keys = op.params.iter().any(|p| p.location == Location::Path);
        let expandable = op.body.as_ref().is_some_and(|b| !b.properties.is_empty());
        let mut add = |name: String, via_identity: bool, expanded: bool| {
            sets.push(ParamSet { variant: pascal_case(&name), name, operation: i, via_identity, expanded, default: false });
        };
        add(base.clone(), false, false);
        if expandable {
            add(format!("{base}Expanded"), false, true);
        }
        if has_keys && action != "List" {
            add(format!("{base}ViaIdentity"), true, false);
            if expandable {
                add(format!("{base}ViaIdentityExpanded"), true, true);
            }
        }
    }
    sets
}

#[allow(clippy::too_many_arguments)]
fn build_cmdlet(
    full: &str,
    verb: &str,
    noun: &str,
    mut sets: Vec<ParamSet>,
    operations: &[Operation],
    types: &BTreeMap<String, TypeDef>,
    identity: &Identity,
    help_base: Option<&str>,
    ns: &str,
) -> Cmdlet {
    // AutoRest's default: the list set, else the expanded form of the first
    // operation, else its plain form.
    let default_index = sets
        .iter()
        .position(|s| s.name == "List")
        .or_else(|| sets.iter().position(|s| !s.via_identity && s.expanded))
        .or_else(|| sets.iter().position(|s| !s.via_identity))
        .unwrap_or(0);
    if let Some(set) = sets.get_mut(default_index) {
        set.default = true;
    }
    // The default set first, the rest in their order.
    sets.sort_by_key(|s| !s.default);

    let mut params: BTreeMap<String, CmdletParam> = BTreeMap::new();
    let mut all_no_content = true;
    let mut should_process = false;
    for set in &sets {
        let op = &operations[set.operation];
        should_process |= op.method.changes_state();
        all_no_content &= matches!(op.success, Success::NoContent);
        let member = |mandatory: bool, from_pipeline: bool| SetMembership { set: set.name.clone(), mandatory, from_pipeline };
        for p in &op.params {
            if set.via_identity && p.location == Location::Path {
                continue;
            }
            // A paged list asks for `$count` through -CountVariable instead.
            if p.location == Location::Query && p.wire_name == "$count" && op.next_link.is_some() {
                continue;
            }
            let (mut ps_type_name, mut binder) = ps_type(&p.ty);
            let (name, aliases) = match (p.location, query_name(&p.wire_name)) {
                (Location::Query, Some((n, a))) => (n.to_owned(), a.iter().map(|s| s.to_string()).collect()),
                _ => (p.ps_name.clone(), Vec::new()),
            };
            // PowerShell users know -Top and -Skip as Int32 whatever the
            // document's integer format.
            if p.location == Location::Query && matches!(p.wire_name.as_str(), "$top" | "$skip") {
                (ps_type_name, binder) = ("System.Int32", "Int32");
            }
            let kind = ParamKind::Operation { wire_name: p.wire_name.clone(), location: p.location, ty: p.ty.clone() };
            let description = p.description.clone().unwrap_or_default();
            let template = param(&name, aliases, ps_type_name, binder, kind, description);
            join(&mut params, template, member(p.required, false));
        }
        if set.via_identity {
            let template = param(
                "InputObject",
                Vec::new(),
                &identity.full_type_name,
                "Identity",
                ParamKind::Identity,
                "Identity Parameter. Build it from the properties listed under NOTES (a hashtable, or a JSON object on the command line or the pipeline); every key the path needs must be present and not empty.".into(),
            );
            join(&mut params, template, member(true, true));
        }
        if let Some(body) = op.body.as_ref().filter(|b| b.raw_media_type.is_some()) {
            let description = body.description.clone().unwrap_or_default();
            let text = format!("Path of the file whose bytes are uploaded. {description}").trim_end().to_owned();
            let template = param("InFile", Vec::new(), "System.String", "String", ParamKind::InFile, text);
            join(&mut params, template, member(true, false));
        } else if let Some(body) = &op.body {
            if set.expanded {
                for field in &body.properties {
                    let name = pascal_case(&field.wire_name);
                    // OData annotations are not parameters, and a property
                    // must not shadow a key or query parameter.
                    if field.wire_name.starts_with('@') || params.get(&name).is_some_and(|p| !matches!(p.kind, ParamKind::BodyProperty { .. })) {
                        continue;
                    }
                    let (ps_type_name, binder) = property_type(&field.ty, types, ns);
                    let kind = ParamKind::BodyProperty { wire_name: field.wire_name.clone() };
                    let description = field.description.clone().unwrap_or_default();
                    let template = param(&name, Vec::new(), &ps_type_name, binder, kind, description);
                    join(&mut params, template, member(field.required, false));
                }
                let template = param(
                    "AdditionalProperties",
                    Vec::new(),
                    "System.Collections.Hashtable",
                    "Identity",
                    ParamKind::AdditionalProperties,
                    "Properties to send that have no parameter of their own (a JSON object).".into(),
                );
                join(&mut params, template, member(false, false));
            } else {
                let (ps_type_name, _) = property_type(&body.ty, types, ns);
                let description = body.description.clone().unwrap_or_else(|| "The request body.".into());
                let template = param("BodyParameter", Vec::new(), &ps_type_name, "Identity", ParamKind::Body, description);
                join(&mut params, template, member(body.required, true));
            }
        }
        if op.next_link.is_some() {
            let paging = [
                ("All", Vec::new(), "System.Management.Automation.SwitchParameter", "Switch", "List every page, following the next links."),
                ("PageSize", Vec::new(), "System.Int32", "Int32", "Items per page requested from the service (at most 999)."),
                ("CountVariable", vec!["CV".to_owned()], "System.String", "String", "Name under which the total count (@odata.count) is kept."),
            ];
            for (name, aliases, ty, binder, text) in paging {
                let template = param(name, aliases, ty, binder, ParamKind::Paging, text.into());
                join(&mut params, template, member(false, false));
            }
        }
        if let Success::Raw { media_type } = &op.success {
            if !media_type.starts_with("text/") {
                let template = param(
                    "OutFile",
                    Vec::new(),
                    "System.String",
                    "String",
                    ParamKind::OutFile,
                    "Path of the file the response body is written to.".into(),
                );
                join(&mut params, template, member(true, false));
            }
        }
    }
    for common in common_params(all_no_content, should_process, ns) {
        params.entry(common.name.clone()).or_insert(common);
    }
    let outputs = sets
        .iter()
        .map(|s| match &operations[s.operation].success {
            Success::NoContent => "System.Boolean".to_owned(),
            Success::Raw { .. } => "System.IO.Stream".to_owned(),
            Success::Json(ty) => output_type(ty, ns),
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut inputs = Vec::new();
    if sets.iter().any(|s| s.via_identity) {
        inputs.push(identity.full_type_name.clone());
    }
    inputs.push("System.Collections.IDictionary".to_owned());

    let first = &operations[sets.first().map_or(0, |s| s.operation)];
    let description = first.description.clone().or_else(|| first.summary.clone()).unwrap_or_default();
    let synopsis = description.clone();
    let mut related_links: Vec<String> = Vec::new();
    for set in &sets {
        if let Some(url) = &operations[set.operation].external_docs {
            if !related_links.contains(url) {
                related_links.push(url.clone());
            }
        }
    }
    let features: Vec<String> = sets
        .iter()
        .map(|s| operations[s.operation].feature.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    Cmdlet {
        features,
        name: full.to_owned(),
        aliases: Vec::new(),
        verb: verb.to_owned(),
        noun: noun.to_owned(),
        rust_name: pascal_case(&format!("{verb}{noun}")),
        module_name: snake_case(&format!("{verb}{noun}")),
        synopsis,
        description,
        help_uri: help_base.map(|b| format!("{}/{}", b.trim_end_matches('/'), full.to_lowercase())),
        related_links,
        sets,
        params: params.into_values().collect(),
        should_process,
        inputs,
        outputs,
    }
}

/// A parameter with no set membership yet.
fn param(name: &str, aliases: Vec<String>, ps_type: &str, binder: &str, kind: ParamKind, description: String) -> CmdletParam {
    CmdletParam {
        name: name.to_owned(),
        rust_name: snake_case(name),
        aliases,
        ps_type: ps_type.to_owned(),
        binder_type: binder.to_owned(),
        kind,
        description,
        default_value: if binder == "Switch" { "False".into() } else { "''".into() },
        sets: Some(Vec::new()),
        all_sets_pipeline: false,
        dont_show: false,
    }
}

/// Adds a set membership, creating the parameter on first sight.
fn join(params: &mut BTreeMap<String, CmdletParam>, template: CmdletParam, membership: SetMembership) {
    let entry = params.entry(template.name.clone()).or_insert(template);
    if let Some(list) = entry.sets.as_mut() {
        if !list.iter().any(|m| m.set == membership.set) {
            list.push(membership);
        }
    }
}

/// PowerShell and binder types of a body property, as AutoRest shows them:
/// booleans become switches, objects the model's interface (`I<Type>`).
fn property_type(ty: &TypeRef, types: &BTreeMap<String, TypeDef>, ns: &str) -> (String, &'static str) {
    match ty {
        TypeRef::Nullable(inner) => property_type(inner, types, ns),
        TypeRef::String => ("System.String".into(), "String"),
        TypeRef::Boolean => ("System.Management.Automation.SwitchParameter".into(), "Switch"),
        TypeRef::Int32 => ("System.Int32".into(), "Int32"),
        TypeRef::Int64 => ("System.Int64".into(), "Int64"),
        TypeRef::Number => ("System.Double".into(), "String"),
        TypeRef::Array(inner) if **inner == TypeRef::String => ("System.String[]".into(), "StringArray"),
        TypeRef::Named(name) => match types.get(name).map(|t| &t.kind) {
            Some(TypeKind::Enum { .. }) => ("System.String".into(), "String"),
            _ => (format!("{ns}.Models.I{name}"), "Identity"),
        },
        TypeRef::Array(inner) => {
            let (inner, _) = property_type(inner, types, ns);
            (format!("{inner}[]"), "Identity")
        }
        _ => ("System.Collections.Hashtable".into(), "Identity"),
    }
}

fn output_type(ty: &TypeRef, ns: &str) -> String {
    match ty {
        TypeRef::Named(n) => format!("{ns}.Models.I{n}"),
        TypeRef::Nullable(inner) => output_type(inner, ns),
        TypeRef::Array(inner) => output_type(inner, ns),
        TypeRef::Boolean => "System.Boolean".into(),
        TypeRef::Int32 => "System.Int32".into(),
        TypeRef::Int64 => "System.Int64".into(),
        TypeRef::String => "System.String".into(),
        _ => "System.Management.Automation.PSObject".into(),
    }
}

/// The runtime's common parameters, as every generated cmdlet has them.
fn common_params(passthru: bool, should_process: bool, ns: &str) -> Vec<CmdletParam> {
    let mut out = Vec::new();
    let mut add = |name: &str, aliases: &[&str], ps_type: &str, binder: &str, default: &str, pipeline: bool, text: &str| {
        out.push(CmdletParam {
            name: name.into(),
            rust_name: snake_case(name),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            ps_type: ps_type.into(),
            binder_type: binder.into(),
            kind: ParamKind::Common,
            description: text.into(),
            default_value: default.into(),
            sets: None,
            all_sets_pipeline: pipeline,
            dont_show: false,
        });
    };
    const SWITCH: &str = "System.Management.Automation.SwitchParameter";
    let steps = format!("{ns}.Runtime.SendAsyncStep[]");
    let steps = steps.as_str();
    add("Break", &[], SWITCH, "Switch", "False", false, "Before doing anything, wait until a debugger attaches to this process (the process id is printed). Unlike the PowerShell module, the wait can be cancelled (Ctrl+C).");
    add("Headers", &[], "System.Collections.IDictionary", "Dictionary", "''", true, "Extra request headers. They are added after the declared header parameters and cannot replace Authorization or client-request-id.");
    add("HttpPipelineAppend", &[], steps, "PipelineSteps", "''", false, "Steps run around the request after the prepended steps and before the built-in handlers.");
    add("HttpPipelinePrepend", &[], steps, "PipelineSteps", "''", false, "Steps run around the request first, before the appended steps and the built-in handlers.");
    if passthru {
        add("PassThru", &[], SWITCH, "Switch", "False", false, "Write True to the output when the call succeeds (the API returns no body).");
    }
    add("Proxy", &[], "System.Uri", "Uri", "''", false, "Send the request through this forward proxy. (In the PowerShell module this parameter has no effect; here it routes the call.)");
    add("ProxyCredential", &[], "System.Management.Automation.PSCredential", "Credential", "''", false, "User name and password for the proxy given with -Proxy.");
    add("ProxyUseDefaultCredentials", &[], SWITCH, "Switch", "False", false, "Authenticate to the proxy with the credentials of the environment's proxy settings.");
    add("ResponseHeadersVariable", &["RHV"], "System.String", "String", "''", false, "Name under which the response headers of a successful call are kept.");
    if should_process {
        add("Confirm", &["cf"], SWITCH, "Switch", "''", false, "Ask for confirmation before sending the request.");
        add("WhatIf", &["wi"], SWITCH, "Switch", "''", false, "Show what the cmdlet would do, and send nothing.");
    }
    out
}
