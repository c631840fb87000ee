//! Many module documents -> one workspace: each document lowered on its
//! own (in parallel), their component schemas merged into one models crate
//! per API version, checks across modules, one CLI.
//!
//! Merging rule when two documents define a schema of the same name
//! differently (they are generated from one service description, so this
//! is rare): the definitions are combined, documents taken in the order of
//! their file names. A struct keeps every field of the first definition and
//! gains the fields only later ones have; a field both have with different
//! types keeps the first type. An enum gets the union of the values. Any
//! other difference keeps the first definition. Every such case is reported
//! with both files and pointers ([`crate::ir::Models::conflicts`]).

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Config;
use crate::error::{Diagnostic, Error};
use crate::ir::{Api, ApiVersion, Cli, ModelType, Models, TypeDef, TypeKind, Workspace};
use crate::load::SpecInput;
use crate::lower::{self, Lowered, ModelNames};

/// One module document and the configuration that applies to it.
#[derive(Debug, Clone)]
pub struct ModuleInput {
    /// The document.
    pub spec: SpecInput,
    /// Its configuration (shared and module directives already merged).
    pub config: Config,
    /// How the configuration is named in errors.
    pub config_file: String,
}

/// The CLI over the modules.
#[derive(Debug, Clone)]
pub struct CliOptions {
    /// Package name.
    pub crate_name: String,
    /// Binary name (`mg`).
    pub binary: String,
}

/// Runs `f` over `items` on every core, keeping the order of the items.
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Mutex;
    let threads = std::thread::available_parallelism().map_or(1, usize::from).clamp(1, 8).min(items.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<(usize, R)>> = Mutex::new(Vec::with_capacity(items.len()));
    let work = || loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        let r = f(item);
        results.lock().unwrap_or_else(|p| p.into_inner()).push((i, r));
    };
    if threads <= 1 {
        work();
    } else {
        std::thread::scope(|scope| {
            for _ in 1..threads {
                scope.spawn(work);
            }
            work();
        });
    }
    let mut results = results.into_inner().unwrap_or_else(|p| p.into_inner());
    results.sort_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Loads and lowers every document (each on its own, in parallel, so only
/// the documents being worked on are in memory) and assembles the
/// workspace. All problems of all documents are reported together; nothing
/// is emitted unless every document lowers.
pub fn build(inputs: &[ModuleInput], cli: &CliOptions) -> Result<Workspace, Error> {
    let lowered: Vec<Result<Lowered, Error>> = parallel(inputs, |input| {
        let loaded = crate::load::load(&input.spec)?;
        let names = ModelNames::assign(&lower::component_keys(&loaded), &input.config.replace);
        lower::lower(&loaded, &input.config, &input.config_file, &names)
    });
    let mut diagnostics: Vec<Diagnostic> = Vec::new();
    let mut modules: Vec<Lowered> = Vec::new();
    for result in lowered {
        match result {
            Ok(l) => modules.push(l),
            Err(e) => diagnostics.extend(e.diagnostics),
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error { diagnostics });
    }
    modules.sort_by(|a, b| (&a.api.version, &a.api.title, &a.api.spec_file).cmp(&(&b.api.version, &b.api.title, &b.api.spec_file)));
    check_modules(&modules)?;
    unify_names(&mut modules);
    let models = merge_models(&modules);
    let default_root = modules.first().map_or_else(|| "https://graph.microsoft.com".to_owned(), |m| m.api.version.root.clone());
    let version = modules.first().map_or_else(|| "0.1.0".to_owned(), |m| m.api.krate.version.clone());
    let modules: Vec<Api> = modules.into_iter().map(|l| l.api).collect();
    Ok(Workspace {
        modules,
        models,
        cli: Cli { crate_name: cli.crate_name.clone(), binary: cli.binary.clone(), version, default_root },
    })
}

/// One Rust name per schema across the documents of a version. Names follow
/// from the schema's key, so documents agree except where two keys clash in
/// one document and not in another; the first document (in file order) to
/// name a schema keeps the name, and a module whose name for it differs, or
/// is another schema's, is renamed throughout.
fn unify_names(modules: &mut [Lowered]) {
    /// Per version: schema key -> Rust name, and lower-case Rust name -> key.
    type Names = (BTreeMap<String, String>, BTreeMap<String, String>);
    let mut by_version: BTreeMap<ApiVersion, Names> = BTreeMap::new();
    for m in modules.iter_mut() {
        let (name_of_key, key_of_name) = by_version.entry(m.api.version.clone()).or_default();
        let mut renames: BTreeMap<String, String> = BTreeMap::new();
        for def in &m.models {
            let wanted = match name_of_key.get(&def.schema_name) {
                Some(name) => name.clone(),
                None => {
                    let mut name = def.rust_name.clone();
                    let mut n = 2;
                    while key_of_name.get(&name.to_lowercase()).is_some_and(|k| *k != def.schema_name) {
                        name = format!("{}{n}", def.rust_name);
                        n += 1;
                    }
                    name_of_key.insert(def.schema_name.clone(), name.clone());
                    key_of_name.insert(name.to_lowercase(), def.schema_name.clone());
                    name
                }
            };
            if wanted != def.rust_name {
                renames.insert(def.rust_name.clone(), wanted);
            }
        }
        if !renames.is_empty() {
            rename_types(m, &renames);
        }
    }
}

/// Applies a renaming of models types to everything of one module.
fn rename_types(m: &mut Lowered, renames: &BTreeMap<String, String>) {
    fn ty(t: &mut crate::ir::TypeRef, renames: &BTreeMap<String, String>) {
        use crate::ir::TypeRef;
        match t {
            TypeRef::Named(name) => {
                if let Some(new) = renames.get(name) {
                    *name = new.clone();
                }
            }
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => ty(inner, renames),
            _ => {}
        }
    }
    fn def(d: &mut TypeDef, renames: &BTreeMap<String, String>) {
        match &mut d.kind {
            TypeKind::Struct { fields, additional } => {
                for f in fields {
                    ty(&mut f.ty, renames);
                }
                if let Some(extra) = additional {
                    ty(extra, renames);
                }
            }
            TypeKind::Alias(t) => ty(t, renames),
            TypeKind::Enum { .. } => {}
        }
    }
    for d in &mut m.models {
        if let Some(new) = renames.get(&d.rust_name) {
            d.rust_name = new.clone();
        }
        def(d, renames);
    }
    for d in &mut m.api.types {
        def(d, renames);
    }
    for op in &mut m.api.operations {
        for p in &mut op.params {
            ty(&mut p.ty, renames);
        }
        if let Some(body) = &mut op.body {
            ty(&mut body.ty, renames);
            for f in &mut body.properties {
                ty(&mut f.ty, renames);
            }
        }
        if let crate::ir::Success::Json(t) = &mut op.success {
            ty(t, renames);
        }
    }
    m.reach = std::mem::take(&mut m.reach).into_iter().map(|n| renames.get(&n).cloned().unwrap_or(n)).collect();
}

/// Checks across the modules: crate names, module names within a
/// version, and operations or cmdlets that two modules of one version both
/// define (the shipped configuration removes one, as the real SDK's module
/// directives do).
fn check_modules(modules: &[Lowered]) -> Result<(), Error> {
    let mut diagnostics = Vec::new();
    let mut crates: BTreeMap<&str, &Api> = BTreeMap::new();
    let mut features: BTreeMap<(&ApiVersion, &str), &Api> = BTreeMap::new();
    let mut operations: BTreeMap<(&ApiVersion, &str), &Api> = BTreeMap::new();
    let mut cmdlets: BTreeMap<(&ApiVersion, &str), &Api> = BTreeMap::new();
    for m in modules {
        let api = &m.api;
        let here = |message: String| Diagnostic {
            file: api.spec_file.clone(),
            pointer: String::new(),
            operation_id: None,
            message,
        };
        if let Some(other) = crates.insert(&api.krate.name, api) {
            diagnostics.push(here(format!(
                "the crate name `{}` is also the crate of {}; give one module another name (`crate: name:` in its configuration)",
                api.krate.name, other.spec_file
            )));
        }
        if let Some(other) = features.insert((&api.version, &api.krate.module_feature), api) {
            diagnostics.push(here(format!(
                "module `{}` has the same name as {} in API version {}; module names come from `info.title` and must differ",
                api.title,
                other.spec_file,
                api.version.name()
            )));
        }
        let mut seen_ops = BTreeSet::new();
        for op in &api.operations {
            if !seen_ops.insert(op.id.as_str()) {
                continue; // one document may repeat an operationId (parameter sets)
            }
            if let Some(other) = operations.insert((&api.version, &op.id), api)
                && !std::ptr::eq(other, api) {
                    diagnostics.push(Diagnostic {
                        file: api.spec_file.clone(),
                        pointer: op.pointer.clone(),
                        operation_id: Some(op.id.clone()),
                        message: format!(
                            "operation `{}` is also defined by module `{}` ({}); a cmdlet must belong to one module. \
                             Remove it from one of them in that module's configuration:\n    directive:\n      - remove-path-by-operation: ^{}$",
                            op.id,
                            other.title,
                            other.spec_file,
                            regex_escape(&op.id)
                        ),
                    });
                }
        }
        for c in &api.cmdlets {
            if let Some(other) = cmdlets.insert((&api.version, &c.name), api) {
                diagnostics.push(here(format!(
                    "cmdlet `{}` is also made by module `{}` ({}); rename or remove it in one module's configuration",
                    c.name, other.title, other.spec_file
                )));
            }
        }
    }
    if diagnostics.is_empty() { Ok(()) } else { Err(Error { diagnostics }) }
}

/// A regex matching `text` literally.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One models crate per API version: every component type once, merged
/// across documents, with the modules that reach it.
fn merge_models(modules: &[Lowered]) -> Vec<Models> {
    let mut versions: BTreeMap<&ApiVersion, Vec<&Lowered>> = BTreeMap::new();
    for m in modules {
        versions.entry(&m.api.version).or_default().push(m);
    }
    versions
        .into_iter()
        .map(|(version, modules)| {
            let mut merged: BTreeMap<String, (TypeDef, String)> = BTreeMap::new();
            let mut conflicts = Vec::new();
            for m in &modules {
                for def in &m.models {
                    match merged.get_mut(&def.rust_name) {
                        None => {
                            merged.insert(def.rust_name.clone(), (def.clone(), m.api.spec_file.clone()));
                        }
                        Some((existing, first_file)) if existing.kind != def.kind => {
                            let rule = merge_type(existing, def);
                            conflicts.push(format!(
                                "schema `{}` differs between {}#{} and {}#{}: {rule}",
                                def.schema_name, first_file, existing.pointer, m.api.spec_file, def.pointer
                            ));
                        }
                        Some(_) => {}
                    }
                }
            }
            let defs: BTreeMap<String, TypeDef> = merged.into_iter().map(|(k, (d, _))| (k, d)).collect();
            let mut users: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for m in &modules {
                for name in closure(&m.reach, &defs) {
                    users.entry(name).or_default().insert(m.api.krate.module_feature.clone());
                }
            }
            let types = defs
                .iter()
                .filter_map(|(name, def)| {
                    let features = users.get(name)?;
                    Some(ModelType { def: def.clone(), features: features.iter().cloned().collect() })
                })
                .collect();
            let features: BTreeSet<String> = modules.iter().map(|m| m.api.krate.module_feature.clone()).collect();
            let first = &modules[0].api.krate;
            Models {
                version: version.clone(),
                crate_name: first.models.clone(),
                crate_version: first.version.clone(),
                types,
                features: features.into_iter().collect(),
                conflicts,
            }
        })
        .collect()
}

/// The types reachable from `roots` through `defs`.
fn closure(roots: &BTreeSet<String>, defs: &BTreeMap<String, TypeDef>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<String> = roots.iter().cloned().collect();
    while let Some(name) = stack.pop() {
        let Some(def) = defs.get(&name) else { continue };
        if seen.insert(name) {
            lower::type_refs_of(def, &mut stack);
        }
    }
    seen
}

/// Combines a later definition into the first one; says what was done.
fn merge_type(first: &mut TypeDef, later: &TypeDef) -> String {
    match (&mut first.kind, &later.kind) {
        (TypeKind::Struct { fields, additional }, TypeKind::Struct { fields: more, additional: more_extra }) => {
            let mut added = Vec::new();
            let mut kept = Vec::new();
            for f in more {
                match fields.iter().find(|g| g.wire_name == f.wire_name) {
                    None => {
                        let mut f = f.clone();
                        let taken: BTreeSet<&str> = fields.iter().map(|g| g.rust_name.as_str()).collect();
                        let mut n = 2;
                        let base = f.rust_name.clone();
                        while taken.contains(f.rust_name.as_str()) {
                            f.rust_name = format!("{base}{n}");
                            n += 1;
                        }
                        added.push(f.wire_name.clone());
                        fields.push(f);
                    }
                    Some(g) if g.ty != f.ty => kept.push(f.wire_name.clone()),
                    Some(_) => {}
                }
            }
            if additional.is_none() {
                additional.clone_from(more_extra);
            }
            let mut what = Vec::new();
            if !added.is_empty() {
                what.push(format!("fields only the later has were added ({})", added.join(", ")));
            }
            if !kept.is_empty() {
                what.push(format!("fields typed differently keep the first type ({})", kept.join(", ")));
            }
            if what.is_empty() { "the first definition is kept".to_owned() } else { what.join("; ") }
        }
        (TypeKind::Enum { variants }, TypeKind::Enum { variants: more }) => {
            let mut added = Vec::new();
            for (wire, rust) in more {
                if !variants.iter().any(|(w, _)| w == wire) {
                    let mut name = rust.clone();
                    let mut n = 2;
                    while variants.iter().any(|(_, r)| *r == name) {
                        name = format!("{rust}{n}");
                        n += 1;
                    }
                    added.push(wire.clone());
                    variants.push((wire.clone(), name));
                }
            }
            format!("the values only the later has were added ({})", added.join(", "))
        }
        _ => "the two are of different kinds; the first definition is kept".to_owned(),
    }
}

/// One document with its configuration as a workspace (what `xtask codegen
/// --spec` writes).
pub fn build_one(input: &ModuleInput) -> Result<Workspace, Error> {
    let binary = input.config.package.binary.clone().unwrap_or_else(|| "mg".to_owned());
    let cli = CliOptions { crate_name: format!("{binary}-cli"), binary };
    build(std::slice::from_ref(input), &cli)
}
