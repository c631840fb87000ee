//! Operations -> cmdlets, the way AutoRest.PowerShell derives them: a name
//! per operationId, operations sharing a name merged into one cmdlet, one
//! parameter set per operation plus a ViaIdentity twin, then the module's
//! directives (which may rename, move or remove each set). Each set gets a
//! typed binding plan: which parameter goes where in the request
//! ([`Binding`]); the emitters only write it down.

use std::collections::{BTreeMap, BTreeSet};

use super::directives::{regroup, Directives, Variant};
use crate::config::Config;
use crate::error::Sink;
use crate::ir::{
    ApiVersion, Binding, Cmdlet, CmdletParam, CommonFlags, Identity, Location, Operation, OperationKind, ParamKind, ParamSet,
    PsType, SetMembership, Success, TypeDef, TypeKind, TypeRef,
};
use crate::naming::cmdlet::{cmdlet_name, CmdletName, NamePrefix};
use crate::naming::ident::{pascal_case, snake_case, UniqueNames};

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

/// The parameters of delta functions (besides the paging ones), defined once.
const DELTA: [(&str, &[&str], PagingType, &str); 2] = [
    (
        "DeltaLink",
        &[],
        PagingType::String,
        "Start from this @odata.deltaLink of an earlier round (as -DeltaLinkVariable gave it) to get what changed since.",
    ),
    (
        "DeltaLinkVariable",
        &["DLV"],
        PagingType::String,
        "Name under which the @odata.deltaLink of the last page is kept, to pass to -DeltaLink next time (read every page with -All).",
    ),
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
    directives: &Directives,
    prefix: &NamePrefix,
    version: &ApiVersion,
    help_base: Option<&str>,
    config_sink: &mut Sink,
) -> Vec<Cmdlet> {
    let _ = config;
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
    let ns = version.namespace();
    let mut cmdlets: Vec<Cmdlet> = grouped
        .iter()
        .map(|g| {
            let mut cmdlet =
                build_cmdlet(&g.full, &g.verb, &g.noun, g.sets.clone(), operations, types, identity, help_base, ns, version.is_beta());
            cmdlet.aliases = g.aliases.clone();
            cmdlet
        })
        .collect();
    directives.apply_to_params(&param_actions, &grouped, &mut cmdlets, config_sink);
    for cmdlet in &mut cmdlets {
        rename_reserved(cmdlet);
        finish_plans(cmdlet);
    }
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
            sets.push(ParamSet { variant: pascal_case(&name), name, operation: i, via_identity, expanded, default: false, binds: Vec::new() });
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
    verb: &str,
    noun: &str,
    mut sets: Vec<ParamSet>,
    operations: &[Operation],
    types: &BTreeMap<String, TypeDef>,
    identity: &Identity,
    help_base: Option<&str>,
    ns: &str,
    beta: bool,
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

    let mut params = Params::default();
    let added = added_names(&sets, operations);
    // Own parameters renamed because a parameter the cmdlet adds, or an
    // OData option, has their name: original (lower case) -> new name, so
    // every set renames one the same way.
    let mut moved: BTreeMap<String, String> = BTreeMap::new();
    let mut all_no_content = true;
    let mut should_process = false;
    for set in &mut sets {
        let op = &operations[set.operation];
        // The names this operation's OData options take (and their aliases).
        let odata: BTreeSet<String> = op
            .params
            .iter()
            .filter(|p| p.location == Location::Query)
            .filter_map(|p| query_name(&p.wire_name))
            .flat_map(|(n, a)| std::iter::once(n).chain(a.iter().copied()))
            .map(str::to_lowercase)
            .collect();
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
            let mut description = p.description.clone().unwrap_or_default();
            let is_odata = p.location == Location::Query && query_name(&p.wire_name).is_some();
            let name = if !is_odata && (added.contains(&name.to_lowercase()) || odata.contains(&name.to_lowercase())) {
                let prefix = match p.location {
                    Location::Path => "Key",
                    Location::Header => "Header",
                    _ => "Query",
                };
                let new = moved_name(&mut moved, &name, prefix, &params, &added);
                description = moved_note(&description, &new, &name);
                new
            } else {
                name
            };
            // PowerShell users know -Top and -Skip as Int32 whatever the
            // document's integer format.
            if p.location == Location::Query && matches!(p.wire_name.as_str(), "$top" | "$skip") {
                ty = PsType::Int32;
            }
            let kind = if p.location == Location::Path { ParamKind::Key } else { ParamKind::Arg };
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
                    let mut description = field.description.clone().unwrap_or_default();
                    // A property named like a parameter the cmdlet adds
                    // (-InputObject, -All...) is renamed rather than lost.
                    let name = if added.contains(&name.to_lowercase()) {
                        let new = moved_name(&mut moved, &name, "Body", &params, &added);
                        description = moved_note(&description, &new, &name);
                        new
                    } else {
                        name
                    };
                    // OData annotations are not parameters, and a property
                    // must not shadow a key or query parameter.
                    if field.wire_name.starts_with('@') || params.get(&name).is_some_and(|p| p.kind != ParamKind::BodyProperty) {
                        continue;
                    }
                    let ty = property_type(&field.ty, types, ns);
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
        if op.kind == OperationKind::Delta {
            for (name, aliases, ty, text) in DELTA {
                let aliases = aliases.iter().map(|a| (*a).to_owned()).collect();
                params.join(param(name, aliases, ty.ps(), ParamKind::Paging, text.into()), member(false, false));
            }
        }
        if op.kind == OperationKind::UploadSession {
            let text = "Path of a file to upload through the new upload session, in chunks (a multiple of 320 KiB; 5 MiB by default), \
                        without the Graph token: the session's URL is pre-authorised. A chunk that fails is sent again from where \
                        the session stands. The output is the item the service created, if it returns one."
                .to_owned();
            params.join(param("UploadFile", Vec::new(), PsType::String, ParamKind::Upload, text), member(false, false));
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

    let first = sets.first().and_then(|s| operations.get(s.operation));
    let description =
        first.and_then(|f| f.description.clone().or_else(|| f.summary.clone())).unwrap_or_default();
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
        verb: verb.to_owned(),
        noun: noun.to_owned(),
        aliases: Vec::new(),
        rust_name: pascal_case(&format!("{verb}{noun}")),
        module_name: snake_case(&format!("{verb}{noun}")),
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

/// The (lower-case) names of the parameters a cmdlet adds to what its
/// operations declare: -InputObject, -BodyParameter, -AdditionalProperties,
/// -InFile, -OutFile, the paging and delta parameters, -UploadFile. An
/// operation's own parameter with one of these names is renamed.
fn added_names(sets: &[ParamSet], operations: &[Operation]) -> BTreeSet<String> {
    let mut names: Vec<&str> = Vec::new();
    for set in sets {
        let op = &operations[set.operation];
        if set.via_identity {
            names.push("InputObject");
        }
        match &op.body {
            Some(body) if body.raw_media_type.is_some() => names.push("InFile"),
            Some(_) if set.expanded => names.push("AdditionalProperties"),
            Some(_) => names.push("BodyParameter"),
            None => {}
        }
        if op.next_link.is_some() {
            names.extend(PAGING.iter().map(|p| p.0));
        }
        if op.kind == OperationKind::Delta {
            names.extend(DELTA.iter().map(|p| p.0));
        }
        if op.kind == OperationKind::UploadSession {
            names.push("UploadFile");
        }
        if matches!(&op.success, Success::Raw { media_type } if !media_type.starts_with("text/")) {
            names.push("OutFile");
        }
    }
    names.into_iter().map(str::to_lowercase).collect()
}

/// The new name of an own parameter that gave way: `prefix` + its name,
/// numbered when that is taken too; the same for every set of the cmdlet.
fn moved_name(moved: &mut BTreeMap<String, String>, name: &str, prefix: &str, params: &Params, added: &BTreeSet<String>) -> String {
    let key = format!("{prefix}:{}", name.to_lowercase());
    if let Some(new) = moved.get(&key) {
        return new.clone();
    }
    let taken: Vec<&str> =
        added.iter().map(String::as_str).chain(params.list.iter().map(|p| p.name.as_str())).chain(moved.values().map(String::as_str)).collect();
    let candidate = UniqueNames::with_reserved(&taken).claim(&format!("{prefix}{name}"));
    moved.insert(key, candidate.clone());
    candidate
}

fn moved_note(description: &str, new: &str, old: &str) -> String {
    let note = format!("(Named {new} because the cmdlet has a parameter -{old} of its own.)");
    if description.trim().is_empty() { note } else { format!("{} {note}", description.trim_end()) }
}

/// A parameter of the API named like a common parameter (a body property
/// `headers`, a query option `debug`) would hide that common parameter, and
/// PowerShell refuses such a cmdlet. Where no directive renamed it, it is
/// renamed here after what it carries (`BodyHeaders`, `QueryDebug`), and
/// its help says why.
fn rename_reserved(cmdlet: &mut Cmdlet) {
    let names: Vec<String> = cmdlet.params.iter().map(|p| p.name.clone()).collect();
    let mut unique = UniqueNames::with_reserved(&names.iter().map(String::as_str).collect::<Vec<_>>());
    let mut renamed: BTreeMap<String, String> = BTreeMap::new();
    for p in &mut cmdlet.params {
        if !crate::ir::is_reserved_param_name(&p.name) {
            continue;
        }
        let new = match renamed.get(&p.name.to_lowercase()) {
            // A parameter split by a directive keeps one new name.
            Some(new) => new.clone(),
            None => {
                let prefix = match p.kind {
                    ParamKind::BodyProperty | ParamKind::Body | ParamKind::AdditionalProperties => "Body",
                    ParamKind::Key | ParamKind::Identity => "Key",
                    _ => "Query",
                };
                let candidate = unique.claim(&format!("{prefix}{}", p.name));
                renamed.insert(p.name.to_lowercase(), candidate.clone());
                candidate
            }
        };
        let note = format!("(Named {new} because -{} is a common parameter.)", p.name);
        p.description = if p.description.trim().is_empty() { note } else { format!("{} {note}", p.description.trim_end()) };
        p.rust_name = snake_case(&new);
        p.aliases.retain(|a| !crate::ir::is_reserved_param_name(a));
        p.name = new;
    }
}

/// Once directives are applied: parameters sorted by name, bindings
/// renumbered from creation numbers to indices, bindings of parameters that
/// are gone dropped.
fn finish_plans(cmdlet: &mut Cmdlet) {
    cmdlet.params.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
    // A directive may have split a parameter (renamed in some of its sets):
    // both halves keep the creation number, so a set's binding goes to the
    // one that is a member of that set.
    let mut index: BTreeMap<(usize, String), usize> = BTreeMap::new();
    for (i, p) in cmdlet.params.iter().enumerate() {
        for m in p.sets.iter().flatten() {
            index.insert((p.id, m.set.clone()), i);
        }
    }
    for (i, p) in cmdlet.params.iter_mut().enumerate() {
        p.id = i;
    }
    for set in &mut cmdlet.sets {
        let name = set.name.clone();
        let index: BTreeMap<usize, usize> =
            index.iter().filter(|((_, s), _)| *s == name).map(|((id, _), i)| (*id, *i)).collect();
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

