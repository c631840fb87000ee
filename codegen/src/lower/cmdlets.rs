//! Operations -> cmdlets, the way AutoRest.PowerShell derives them: a name
//! per operationId, operations sharing a name merged into one cmdlet, one
//! parameter set per operation plus a ViaIdentity twin, then the module's
//! directives. Each set gets a typed binding plan: which parameter goes
//! where in the request ([`Binding`]); the emitters only write it down.

use std::collections::{BTreeMap, BTreeSet};

use regex::Regex;

use crate::config::{Config, Directive};
use crate::error::{Pointer, Sink};
use crate::ir::{
    ApiVersion, Binding, Cmdlet, CmdletParam, CommonFlags, Identity, Location, Operation, ParamKind, ParamSet, PsType,
    SetMembership, Success, TypeDef, TypeKind, TypeRef,
};
use crate::naming::cmdlet::{cmdlet_name, CmdletName, NamePrefix};
use crate::naming::ident::{pascal_case, snake_case};

/// The PowerShell type of a query or header parameter.
fn option_type(ty: &TypeRef) -> PsType {
    match ty.strip_nullable() {
        TypeRef::Boolean => PsType::Boolean,
        TypeRef::Int32 => PsType::Int32,
        TypeRef::Int64 => PsType::Int64,
        TypeRef::Number => PsType::Double,
        TypeRef::Array(inner) if **inner == TypeRef::String => PsType::StringArray,
        _ => PsType::String,
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

/// The paging parameters of list cmdlets, defined once.
const PAGING: [(&str, &[&str], PagingType, &str); 3] = [
    ("All", &[], PagingType::Switch, "List every page, following the next links."),
    ("PageSize", &[], PagingType::Int32, "Items per page requested from the service (at most 999)."),
    ("CountVariable", &["CV"], PagingType::String, "Name under which the total count (@odata.count) is kept."),
];

#[derive(Clone, Copy)]
enum PagingType {
    Switch,
    Int32,
    String,
}

impl PagingType {
    fn ps(self) -> PsType {
        match self {
            PagingType::Switch => PsType::Switch,
            PagingType::Int32 => PsType::Int32,
            PagingType::String => PsType::String,
        }
    }
}

/// Derives every cmdlet, applies directives and checks the result.
#[allow(clippy::too_many_arguments)]
pub(crate) fn lower_cmdlets(
    operations: &[Operation],
    types: &BTreeMap<String, TypeDef>,
    identity: &Identity,
    config: &Config,
    prefix: &NamePrefix,
    version: &ApiVersion,
    help_base: Option<&str>,
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
    let ns = version.namespace();
    let mut cmdlets = Vec::new();
    for (full, (name, indices)) in groups {
        let mut cmdlet = build_cmdlet(&full, &name, &indices, operations, types, identity, help_base, ns, version.is_beta());
        apply_param_directives(&directives, operations, &mut cmdlet);
        finish_plans(&mut cmdlet);
        cmdlets.push(cmdlet);
    }
    cmdlets
}

/// Parameters under construction, with the bindings that refer to them by
/// creation number until they are final.
#[derive(Default)]
struct Params {
    list: Vec<CmdletParam>,
}

impl Params {
    /// The parameter named like `template` (created on first sight), joined
    /// to a set; returns its creation number.
    fn join(&mut self, template: CmdletParam, membership: SetMembership) -> usize {
        let id = match self.list.iter().position(|p| p.name == template.name) {
            Some(i) => i,
            None => {
                let id = self.list.len();
                self.list.push(CmdletParam { id, ..template });
                id
            }
        };
        if let Some(list) = self.list[id].sets.as_mut()
            && !list.iter().any(|m| m.set == membership.set) {
                list.push(membership);
            }
        id
    }

    fn get(&self, name: &str) -> Option<&CmdletParam> {
        self.list.iter().find(|p| p.name == name)
    }
}

/// A parameter with no set membership yet.
fn param(name: &str, aliases: Vec<String>, ty: PsType, kind: ParamKind, description: String) -> CmdletParam {
    CmdletParam {
        id: 0,
        name: name.to_owned(),
        rust_name: snake_case(name),
        aliases,
        ty,
        kind,
        description,
        sets: Some(Vec::new()),
        all_sets_pipeline: false,
        dont_show: false,
    }
}

#[allow(clippy::too_many_arguments)]
fn build_cmdlet(
    full: &str,
    name: &CmdletName,
    indices: &[(usize, String)],
    operations: &[Operation],
    types: &BTreeMap<String, TypeDef>,
    identity: &Identity,
    help_base: Option<&str>,
    ns: &str,
    beta: bool,
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
        let has_keys = op.params.iter().any(|p| p.location == Location::Path);
        let expandable = op.body.as_ref().is_some_and(|b| !b.properties.is_empty());
        let mut add = |name: String, via_identity: bool, expanded: bool| {
            sets.push(ParamSet {
                variant: pascal_case(&name),
                name,
                operation: i,
                via_identity,
                expanded,
                default: false,
                binds: Vec::new(),
            });
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

    let mut params = Params::default();
    let mut all_no_content = true;
    let mut should_process = false;
    for set in &mut sets {
        let op = &operations[set.operation];
        should_process |= op.method.changes_state();
        all_no_content &= matches!(op.success, Success::NoContent);
        let member = |mandatory: bool, from_pipeline: bool| SetMembership { set: set.name.clone(), mandatory, from_pipeline };
        let mut binds = Vec::new();
        let mut key = 0;
        for (op_param, p) in op.params.iter().enumerate() {
            if p.location == Location::Path {
                key += 1;
                if set.via_identity {
                    continue;
                }
            }
            // A paged list asks for `$count` through -CountVariable instead.
            if p.location == Location::Query && p.wire_name == "$count" && op.next_link.is_some() {
                continue;
            }
            let mut ty = option_type(&p.ty);
            let (name, aliases) = match (p.location, query_name(&p.wire_name)) {
                (Location::Query, Some((n, a))) => (n.to_owned(), a.iter().map(|s| s.to_string()).collect()),
                _ => (p.ps_name.clone(), Vec::new()),
            };
            // PowerShell users know -Top and -Skip as Int32 whatever the
            // document's integer format.
            if p.location == Location::Query && matches!(p.wire_name.as_str(), "$top" | "$skip") {
                ty = PsType::Int32;
            }
            let kind = if p.location == Location::Path { ParamKind::Key } else { ParamKind::Arg };
            let description = p.description.clone().unwrap_or_default();
            let id = params.join(param(&name, aliases, ty, kind, description), member(p.required, false));
            binds.push(match kind {
                ParamKind::Key => Binding::Key { param: id, key: key - 1 },
                _ => Binding::Arg { param: id, op_param },
            });
        }
        if set.via_identity {
            let template = param(
                "InputObject",
                Vec::new(),
                PsType::Identity(identity.full_type_name.clone()),
                ParamKind::Identity,
                "Identity Parameter. Build it from the properties listed under NOTES (a hashtable, or a JSON object on the command line or the pipeline); every key the path needs must be present and not empty.".into(),
            );
            let id = params.join(template, member(true, true));
            binds.push(Binding::Identity { param: id });
        }
        if let Some(body) = op.body.as_ref().filter(|b| b.raw_media_type.is_some()) {
            let description = body.description.clone().unwrap_or_default();
            let text = format!("Path of the file whose bytes are uploaded. {description}").trim_end().to_owned();
            let id = params.join(param("InFile", Vec::new(), PsType::String, ParamKind::InFile, text), member(true, false));
            binds.push(Binding::InFile { param: id });
        } else if let Some(body) = &op.body {
            if set.expanded {
                for field in &body.properties {
                    let name = pascal_case(&field.wire_name);
                    // OData annotations are not parameters, and a property
                    // must not shadow a key or query parameter.
                    if field.wire_name.starts_with('@') || params.get(&name).is_some_and(|p| p.kind != ParamKind::BodyProperty) {
                        continue;
                    }
                    let ty = property_type(&field.ty, types, ns);
                    let description = field.description.clone().unwrap_or_default();
                    let id = params.join(param(&name, Vec::new(), ty, ParamKind::BodyProperty, description), member(field.required, false));
                    binds.push(Binding::Prop { param: id, wire_name: field.wire_name.clone() });
                }
                let template = param(
                    "AdditionalProperties",
                    Vec::new(),
                    PsType::Hashtable,
                    ParamKind::AdditionalProperties,
                    "Properties to send that have no parameter of their own (a JSON object).".into(),
                );
                let id = params.join(template, member(false, false));
                binds.push(Binding::Additional { param: id });
            } else {
                let ty = property_type(&body.ty, types, ns);
                let description = body.description.clone().unwrap_or_else(|| "The request body.".into());
                let id = params.join(param("BodyParameter", Vec::new(), ty, ParamKind::Body, description), member(body.required, true));
                binds.push(Binding::Body { param: id });
            }
        }
        if op.next_link.is_some() {
            for (name, aliases, ty, text) in PAGING {
                let aliases = aliases.iter().map(|a| (*a).to_owned()).collect();
                params.join(param(name, aliases, ty.ps(), ParamKind::Paging, text.into()), member(false, false));
            }
        }
        if let Success::Raw { media_type } = &op.success
            && !media_type.starts_with("text/") {
                let text = "Path of the file the response body is written to.".to_owned();
                params.join(param("OutFile", Vec::new(), PsType::String, ParamKind::OutFile, text), member(true, false));
            }
        set.binds = binds;
    }
    let outputs = sets
        .iter()
        .map(|s| match &operations[s.operation].success {
            Success::NoContent => "System.Boolean".to_owned(),
            Success::Raw { .. } => "System.IO.Stream".to_owned(),
            Success::Json(ty) => output_type(ty, ns),
        })
        .collect::<BTreeSet<_>>()
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
        if let Some(url) = &operations[set.operation].external_docs
            && !related_links.contains(url) {
                related_links.push(url.clone());
            }
    }
    let features: Vec<String> =
        sets.iter().map(|s| operations[s.operation].feature.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    Cmdlet {
        features,
        name: full.to_owned(),
        verb: name.verb.clone(),
        noun: name.noun.clone(),
        aliases: Vec::new(),
        rust_name: pascal_case(&format!("{}{}", name.verb, name.noun)),
        module_name: snake_case(&format!("{}{}", name.verb, name.noun)),
        synopsis,
        description,
        help_uri: help_base.map(|b| format!("{}/{}", b.trim_end_matches('/'), full.to_lowercase())),
        related_links,
        sets,
        params: params.list,
        common: CommonFlags { pass_thru: all_no_content, should_process, beta },
        inputs,
        outputs,
    }
}

/// Once directives are applied: parameters sorted by name, bindings
/// renumbered from creation numbers to indices, bindings of parameters that
/// are gone dropped.
fn finish_plans(cmdlet: &mut Cmdlet) {
    cmdlet.params.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
    let index: BTreeMap<usize, usize> = cmdlet.params.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    for (i, p) in cmdlet.params.iter_mut().enumerate() {
        p.id = i;
    }
    for set in &mut cmdlet.sets {
        let binds = std::mem::take(&mut set.binds);
        set.binds = binds
            .into_iter()
            .filter_map(|mut b| {
                let param = match &mut b {
                    Binding::Key { param, .. }
                    | Binding::Identity { param }
                    | Binding::Arg { param, .. }
                    | Binding::Body { param }
                    | Binding::Prop { param, .. }
                    | Binding::Additional { param }
                    | Binding::InFile { param } => param,
                };
                *param = *index.get(param)?;
                Some(b)
            })
            .collect();
    }
}

/// The PowerShell type of a body property, as AutoRest shows them:
/// booleans become switches, objects the model's interface (`I<Type>`).
fn property_type(ty: &TypeRef, types: &BTreeMap<String, TypeDef>, ns: &str) -> PsType {
    match ty {
        TypeRef::Nullable(inner) => property_type(inner, types, ns),
        TypeRef::String => PsType::String,
        TypeRef::Boolean => PsType::Switch,
        TypeRef::Int32 => PsType::Int32,
        TypeRef::Int64 => PsType::Int64,
        TypeRef::Number => PsType::Double,
        TypeRef::Array(inner) if **inner == TypeRef::String => PsType::StringArray,
        TypeRef::Named(name) | TypeRef::Local(name) => match types.get(name).map(|t| &t.kind) {
            Some(TypeKind::Enum { .. }) => PsType::String,
            _ => PsType::Model(format!("{ns}.Models.I{name}")),
        },
        TypeRef::Array(inner) => PsType::Model(format!("{}[]", property_type(inner, types, ns).name())),
        _ => PsType::Hashtable,
    }
}

/// Drops parameter sets (and parameters left in no set); the default moves
/// to the first remaining set when it was removed.
fn remove_sets(cmdlet: &mut Cmdlet, names: &[String]) {
    if names.len() >= cmdlet.sets.len() {
        return; // a cmdlet keeps at least one set; remove the cmdlet instead
    }
    cmdlet.sets.retain(|s| !names.contains(&s.name));
    if !cmdlet.sets.iter().any(|s| s.default)
        && let Some(first) = cmdlet.sets.first_mut() {
            first.default = true;
        }
    for p in &mut cmdlet.params {
        if let Some(list) = p.sets.as_mut() {
            list.retain(|m| !names.contains(&m.set));
        }
    }
    cmdlet.params.retain(|p| p.sets.as_ref().is_none_or(|l| !l.is_empty()));
}


fn output_type(ty: &TypeRef, ns: &str) -> String {
    match ty {
        TypeRef::Named(n) | TypeRef::Local(n) => format!("{ns}.Models.I{n}"),
        TypeRef::Nullable(inner) => output_type(inner, ns),
        TypeRef::Array(inner) => output_type(inner, ns),
        TypeRef::Boolean => "System.Boolean".into(),
        TypeRef::Int32 => "System.Int32".into(),
        TypeRef::Int64 => "System.Int64".into(),
        TypeRef::String => "System.String".into(),
        _ => "System.Management.Automation.PSObject".into(),
    }
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

fn apply_param_directives(directives: &[CompiledDirective<'_>], operations: &[Operation], cmdlet: &mut Cmdlet) {
    for d in directives {
        if d.cmdlet.as_ref().is_some_and(|r| !r.is_match(&cmdlet.name)) {
            continue;
        }
        // Sets of this cmdlet whose operation the directive selects.
        let selected: Vec<String> = cmdlet
            .sets
            .iter()
            .filter(|s| d.operation_id.as_ref().is_none_or(|r| operations.get(s.operation).is_some_and(|o| r.is_match(&o.id))))
            .filter(|s| d.source.selector.parameter_set.as_ref().is_none_or(|n| &s.name == n))
            .map(|s| s.name.clone())
            .collect();
        match (&d.source.selector.parameter_name, &d.source.selector.parameter_set) {
            (None, Some(_)) if d.source.remove => remove_sets(cmdlet, &selected),
            (Some(param_name), _) => {
                let Some(param) = cmdlet.params.iter_mut().find(|p| p.name.eq_ignore_ascii_case(param_name)) else {
                    continue;
                };
                if d.source.remove {
                    // AutoRest hides such a parameter; it stays bindable.
                    param.dont_show = true;
                }
                let Some(set) = &d.source.set else { continue };
                for alias in &set.alias {
                    if !param.aliases.iter().any(|a| a.eq_ignore_ascii_case(alias)) {
                        param.aliases.push(alias.clone());
                    }
                }
                if let Some(new_name) = &set.parameter_name {
                    param.name = new_name.clone();
                    param.rust_name = snake_case(new_name);
                }
                if let (Some(mandatory), Some(list)) = (set.mandatory, param.sets.as_mut()) {
                    for m in list.iter_mut().filter(|m| selected.contains(&m.set)) {
                        m.mandatory = mandatory;
                    }
                }
            }
            _ => {}
        }
    }
    cmdlet.params.sort_by_key(|p| p.name.to_lowercase());
}
