//! Operations -> cmdlets, the way AutoRest.PowerShell derives them: a name
//! per operationId, operations sharing a name merged into one cmdlet, one
//! parameter set per operation plus a ViaIdentity twin, the runtime's common
//! parameters, then the module's directives.

use std::collections::BTreeMap;

use regex::Regex;

use crate::config::{Config, Directive};
use crate::error::{Pointer, Sink};
use crate::ir::{Cmdlet, CmdletParam, Identity, Location, Operation, ParamKind, ParamSet, SetMembership, Success, TypeRef};
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
pub(crate) fn lower_cmdlets(
    operations: &[Operation],
    identity: &Identity,
    config: &Config,
    prefix: &NamePrefix,
    config_sink: &mut Sink,
) -> Vec<Cmdlet> {
    let directives = compile_directives(&config.directive, config_sink);
    // Group operations by cmdlet name; BTreeMap keeps the output sorted.
    let mut groups: BTreeMap<String, (CmdletName, Vec<(usize, String)>)> = BTreeMap::new();
    for (index, op) in operations.iter().enumerate() {
        let mut name = cmdlet_name(&op.id, &op.method.as_str().to_lowercase(), prefix);
        let action = name.set_action.clone();
        if apply_name_directives(&directives, &op.id, prefix, &mut name) {
            continue;
        }
        groups.entry(name.full()).or_insert_with(|| (name.clone(), Vec::new())).1.push((index, action));
    }
    let help_base = config.module.help_uri_base.as_deref();
    let mut cmdlets = Vec::new();
    for (full, (name, indices)) in groups {
        let mut cmdlet = build_cmdlet(&full, &name, &indices, operations, identity, help_base);
        apply_param_directives(&directives, &mut cmdlet);
        cmdlets.push(cmdlet);
    }
    cmdlets
}

fn build_cmdlet(
    full: &str,
    name: &CmdletName,
    indices: &[(usize, String)],
    operations: &[Operation],
    identity: &Identity,
    help_base: Option<&str>,
) -> Cmdlet {
    // One set per operation, numbered when two operations share an action.
    let mut sets: Vec<ParamSet> = Vec::new();
    let mut action_counts: BTreeMap<String, usize> = BTreeMap::new();
    for (_, action) in indices {
        *action_counts.entry(action.clone()).or_default() += 1;
    }
    let mut action_seen: BTreeMap<String, usize> = BTreeMap::new();
    for (i, action) in indices {
        let (i, action) = (*i, action.clone());
        let op = &operations[i];
        let base = if action_counts.get(&action).copied().unwrap_or(0) > 1 {
            let n = action_seen.entry(action.clone()).or_default();
            *n += 1;
            format!("{action}{n}")
        } else {
            action.clone()
        };
        sets.push(ParamSet { name: base.clone(), variant: pascal_case(&base), operation: i, via_identity: false, default: false });
        let has_keys = op.params.iter().any(|p| p.location == Location::Path);
        if has_keys && action != "List" {
            let via = format!("{base}ViaIdentity");
            sets.push(ParamSet { variant: pascal_case(&via), name: via, operation: i, via_identity: true, default: false });
        }
    }
    let default_index = sets
        .iter()
        .position(|s| s.name == "List")
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
        for p in &op.params {
            if set.via_identity && p.location == Location::Path {
                continue;
            }
            let (name, aliases, ps_type_name, binder) = match (p.location, query_name(&p.wire_name)) {
                (Location::Query, Some((n, a))) => {
                    let (t, b) = ps_type(&p.ty);
                    (n.to_owned(), a.iter().map(|s| s.to_string()).collect(), t, b)
                }
                _ => {
                    let (t, b) = ps_type(&p.ty);
                    (p.ps_name.clone(), Vec::new(), t, b)
                }
            };
            let entry = params.entry(name.clone()).or_insert_with(|| CmdletParam {
                rust_name: snake_case(&name),
                name: name.clone(),
                aliases,
                ps_type: ps_type_name.to_owned(),
                binder_type: binder.to_owned(),
                kind: ParamKind::Operation { wire_name: p.wire_name.clone(), location: p.location, ty: p.ty.clone() },
                description: p.description.clone().unwrap_or_default(),
                default_value: "''".into(),
                sets: Some(Vec::new()),
                all_sets_pipeline: false,
                dont_show: false,
            });
            if let Some(list) = entry.sets.as_mut() {
                list.push(SetMembership { set: set.name.clone(), mandatory: p.required, from_pipeline: false });
            }
        }
        if set.via_identity {
            let entry = params.entry("InputObject".into()).or_insert_with(|| CmdletParam {
                name: "InputObject".into(),
                rust_name: "input_object".into(),
                aliases: Vec::new(),
                ps_type: identity.full_type_name.clone(),
                binder_type: "Identity".into(),
                kind: ParamKind::Identity,
                description: "Identity Parameter. Build it from the properties listed under NOTES (a hashtable, or a JSON object on the command line or the pipeline).".into(),
                default_value: "''".into(),
                sets: Some(Vec::new()),
                all_sets_pipeline: false,
                dont_show: false,
            });
            if let Some(list) = entry.sets.as_mut() {
                list.push(SetMembership { set: set.name.clone(), mandatory: true, from_pipeline: true });
            }
        }
    }
    for common in common_params(all_no_content, should_process) {
        params.insert(common.name.clone(), common);
    }
    let outputs = sets
        .iter()
        .map(|s| match &operations[s.operation].success {
            Success::NoContent => "System.Boolean".to_owned(),
            Success::Raw { .. } => "System.IO.Stream".to_owned(),
            Success::Json(ty) => output_type(ty),
        })
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut inputs = Vec::new();
    if sets.iter().any(|s| s.via_identity) {
        inputs.push(identity.full_type_name.clone());
    }
    inputs.push("System.Collections.IDictionary".to_owned());

    let first = &operations[sets.first().map_or(indices[0].0, |s| s.operation)];
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
    Cmdlet {
        name: full.to_owned(),
        verb: name.verb.clone(),
        noun: name.noun.clone(),
        rust_name: pascal_case(&format!("{}{}", name.verb, name.noun)),
        module_name: snake_case(&format!("{}{}", name.verb, name.noun)),
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

fn output_type(ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(n) => format!("Microsoft.Graph.Beta.PowerShell.Models.I{n}"),
        TypeRef::Nullable(inner) => output_type(inner),
        TypeRef::Array(inner) => output_type(inner),
        TypeRef::Boolean => "System.Boolean".into(),
        TypeRef::Int32 => "System.Int32".into(),
        TypeRef::Int64 => "System.Int64".into(),
        TypeRef::String => "System.String".into(),
        _ => "System.Management.Automation.PSObject".into(),
    }
}

/// The runtime's common parameters, as every generated cmdlet has them.
fn common_params(passthru: bool, should_process: bool) -> Vec<CmdletParam> {
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
    const STEPS: &str = "Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]";
    add("Break", &[], SWITCH, "Switch", "False", false, "Before doing anything, wait until a debugger attaches to this process (the process id is printed).");
    add("Headers", &[], "System.Collections.IDictionary", "Dictionary", "''", true, "Extra request headers. They are added after the declared header parameters and cannot replace Authorization or client-request-id.");
    add("HttpPipelineAppend", &[], STEPS, "PipelineSteps", "''", false, "Steps run around the request after the prepended steps and before the built-in handlers.");
    add("HttpPipelinePrepend", &[], STEPS, "PipelineSteps", "''", false, "Steps run around the request first, before the appended steps and the built-in handlers.");
    if passthru {
        add("PassThru", &[], SWITCH, "Switch", "False", false, "Write True to the output when the call succeeds (the API returns no body).");
    }
    add("Proxy", &[], "System.Uri", "Uri", "''", false, "Send the request through this forward proxy.");
    add("ProxyCredential", &[], "System.Management.Automation.PSCredential", "Credential", "''", false, "User name and password for the proxy given with -Proxy.");
    add("ProxyUseDefaultCredentials", &[], SWITCH, "Switch", "False", false, "Authenticate to the proxy with the credentials of the environment's proxy settings.");
    add("ResponseHeadersVariable", &["RHV"], "System.String", "String", "''", false, "Name under which the response headers of a successful call are kept.");
    if should_process {
        add("Confirm", &["cf"], SWITCH, "Switch", "''", false, "Ask for confirmation before sending the request.");
        add("WhatIf", &["wi"], SWITCH, "Switch", "''", false, "Show what the cmdlet would do, and send nothing.");
    }
    out
}

struct CompiledDirective<'a> {
    source: &'a Directive,
    cmdlet: Option<Regex>,
    operation_id: Option<Regex>,
}

fn compile_directives<'a>(directives: &'a [Directive], sink: &mut Sink) -> Vec<CompiledDirective<'a>> {
    let mut out = Vec::new();
    for (index, d) in directives.iter().enumerate() {
        let here = Pointer::root().join("directive").join(index).join("where");
        let compile = |pattern: &Option<String>, key: &str, sink: &mut Sink| -> Result<Option<Regex>, ()> {
            match pattern {
                None => Ok(None),
                Some(p) => Regex::new(p).map(Some).map_err(|e| sink.push(&here.join(key), None, format!("invalid regex: {e}"))),
            }
        };
        let (Ok(cmdlet), Ok(operation_id)) =
            (compile(&d.selector.cmdlet, "cmdlet", sink), compile(&d.selector.operation_id, "operation-id", sink))
        else {
            continue;
        };
        out.push(CompiledDirective { source: d, cmdlet, operation_id });
    }
    out
}

/// Renames or removes by operation; returns true when the operation is removed.
fn apply_name_directives(
    directives: &[CompiledDirective<'_>],
    operation_id: &str,
    prefix: &NamePrefix,
    name: &mut CmdletName,
) -> bool {
    for d in directives {
        if d.source.selector.parameter_name.is_some() || d.source.selector.parameter_set.is_some() {
            continue;
        }
        let op_matches = d.operation_id.as_ref().is_none_or(|r| r.is_match(operation_id));
        let cmdlet_matches = d.cmdlet.as_ref().is_none_or(|r| r.is_match(&name.full()));
        if !(op_matches && cmdlet_matches) || (d.operation_id.is_none() && d.cmdlet.is_none()) {
            continue;
        }
        if d.source.remove {
            return true;
        }
        if let Some(set) = &d.source.set {
            if let Some(verb) = &set.verb {
                name.verb = verb.clone();
            }
            if let Some(subject) = &set.subject {
                name.noun = format!("{}{}{subject}", prefix.prefix, prefix.subject_prefix);
            }
        }
    }
    false
}

fn apply_param_directives(directives: &[CompiledDirective<'_>], cmdlet: &mut Cmdlet) {
    for d in directives {
        let Some(param_name) = &d.source.selector.parameter_name else { continue };
        if d.cmdlet.as_ref().is_some_and(|r| !r.is_match(&cmdlet.name)) {
            continue;
        }
        let Some(param) = cmdlet.params.iter_mut().find(|p| p.name.eq_ignore_ascii_case(param_name)) else { continue };
        if let Some(set) = &d.source.set {
            for alias in &set.alias {
                if !param.aliases.iter().any(|a| a.eq_ignore_ascii_case(alias)) {
                    param.aliases.push(alias.clone());
                }
            }
            if let Some(new_name) = &set.parameter_name {
                param.name = new_name.clone();
                param.rust_name = snake_case(new_name);
            }
        }
    }
    cmdlet.params.sort_by_key(|p| p.name.to_lowercase());
}
