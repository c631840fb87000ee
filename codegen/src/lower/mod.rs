//! Lower: a loaded document plus the configuration -> the IR. All checks
//! happen here; problems are collected, not thrown at the first one.

mod cmdlets;
pub(crate) mod directives;
pub(crate) mod operations;
mod resolve;
mod schemas;

use std::collections::{BTreeMap, BTreeSet};

use crate::config::Config;
use crate::error::{Error, Pointer, Sink};
use crate::ir::{Api, ApiVersion, Crate, Identity, IdentityProperty, Location, Success, TypeDef, TypeKind, TypeRef};
use crate::load::Loaded;
use crate::naming::cmdlet::{parameter_name, NamePrefix};
use crate::naming::ident::{is_keyword, pascal_case, snake_case};

pub use schemas::ModelNames;

/// One lowered module document.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The module.
    pub api: Api,
    /// Its component types, for the models crate of its version.
    pub models: Vec<TypeDef>,
    /// The models types its operations and own types name directly, by
    /// Rust name (the models crate follows their fields from there).
    pub reach: BTreeSet<String>,
}

/// The API version of a document: service root and version path of its
/// first server URL. Errors when there is none.
pub(crate) fn version_of(loaded: &Loaded, sink: &mut Sink) -> ApiVersion {
    let Some(server) = loaded.doc.servers.first() else {
        sink.push(&Pointer::root().join("servers"), None, "no server URL is declared; the client needs a service root");
        return ApiVersion { root: String::new(), path: String::new() };
    };
    split_server_url(&server.url)
}

/// `https://graph.microsoft.com/beta/` -> (`https://graph.microsoft.com`, `/beta`).
pub fn split_server_url(url: &str) -> ApiVersion {
    let url = url.trim().split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(slash) => {
            let (root, path) = url.split_at(after_scheme + slash);
            ApiVersion { root: root.to_owned(), path: path.to_owned() }
        }
        None => ApiVersion { root: url.to_owned(), path: String::new() },
    }
}

/// The component keys of a document (what [`ModelNames::assign`] names).
pub fn component_keys(loaded: &Loaded) -> Vec<String> {
    loaded.doc.components.as_ref().map(|c| c.schemas.keys().cloned().collect()).unwrap_or_default()
}

/// Lowers a loaded document. `config_file` names the configuration in
/// errors; `names` gives the Rust names of component schemas (shared by
/// every module of the version).
pub fn lower(loaded: &Loaded, config: &Config, config_file: &str, names: &ModelNames) -> Result<Lowered, Error> {
    let doc = &loaded.doc;
    let mut sink = Sink::new(&loaded.file);
    let mut config_sink = Sink::new(config_file);

    let version = version_of(loaded, &mut sink);
    // Directives first: `remove-path-by-operation` decides which operations
    // exist at all.
    let directives = directives::Directives::compile(config, &mut config_sink);
    let mut schemas = schemas::SchemaLowering::new(doc, &config.replace, names);
    // Components first, so the inline types inside them are named the same
    // way in every document that has them.
    schemas.lower_components(&mut sink);
    schemas.start_operations();
    let removed = |id: &str| directives.removes_operation(id);
    let mut operations = operations::lower_operations(doc, &mut schemas, &config.parameter_names, &removed, &mut sink);
    // Expanded parameter sets need the body's properties, and a paged
    // list's items their type, known only now that every named type is
    // lowered.
    for op in &mut operations {
        if op.next_link.is_some()
            && let Success::Json(ty) = &op.success
        {
            op.item = collection_item(ty, &schemas.types, &schemas.local_types);
        }
        if let Some(body) = &mut op.body {
            let def = match body.ty.strip_nullable() {
                TypeRef::Named(name) => schemas.types.get(name),
                TypeRef::Local(name) => schemas.local_types.get(name),
                _ => None,
            };
            if let Some(TypeDef { kind: TypeKind::Struct { fields, .. }, .. }) = def {
                body.properties = fields.clone();
            }
        }
    }

    // The module name becomes the identity type `I<module>Identity`: a title
    // such as `Identity.SignIns` (or a hostile one) must not reach the
    // emitters as an identifier that cannot be one.
    let module = match &config.module.name {
        Some(name) => {
            if !is_plain_ident(name) {
                config_sink.push(
                    &Pointer::root().join("module").join("name"),
                    None,
                    format!("module name `{name}` must be ASCII letters, digits and `_`, not starting with a digit"),
                );
            }
            name.clone()
        }
        None => {
            let name = pascal_case(&doc.info.title);
            if is_plain_ident(&name) { name } else { format!("M{name}") }
        }
    };
    check_config_identifiers(config, &mut config_sink);
    // The PowerShell namespace of the module's types: the beta SDK's own,
    // or the v1.0 one.
    let ns = config.module.namespace.clone().unwrap_or_else(|| version.namespace().to_owned());
    let identity = build_identity(&module, &operations, config, &ns);
    let prefix = match &config.module.prefix {
        Some(p) => NamePrefix { prefix: p.clone(), subject_prefix: String::new() },
        None => NamePrefix::from_server_url(&format!("{}{}", version.root, version.path)),
    };
    let krate = crate_facts(config, &doc.info.title, &version);
    let mut all_types = schemas.types.clone();
    all_types.extend(schemas.local_types.clone());
    let cmdlets = cmdlets::lower_cmdlets(
        &operations,
        &all_types,
        &identity,
        config,
        &directives,
        &prefix,
        &version,
        krate.help_uri_base.as_deref(),
        &mut config_sink,
    );
    let local_types: Vec<TypeDef> = schemas.local_types.into_values().collect();
    let reach = roots(&operations, &local_types);

    let api = Api {
        title: doc.info.title.clone(),
        version,
        spec_sha256: loaded.sha256.clone(),
        spec_file: loaded.file.clone(),
        operations,
        types: local_types,
        cmdlets,
        identity,
        krate,
    };
    // References anywhere in the document; those lowering already reported
    // (with their operationId) are not repeated.
    for (pointer, message) in &loaded.ref_problems {
        if !sink.has(pointer, message) {
            sink.push_at(pointer, None, message.clone());
        }
    }
    let spec_result = sink.finish(());
    let config_result = config_sink.finish(());
    match (spec_result, config_result) {
        (Ok(()), Ok(())) => Ok(Lowered { api, models: schemas.types.into_values().collect(), reach }),
        (a, b) => {
            let mut diagnostics = a.err().map(|e| e.diagnostics).unwrap_or_default();
            diagnostics.extend(b.err().map(|e| e.diagnostics).unwrap_or_default());
            Err(Error { diagnostics })
        }
    }
}

/// The item type of a collection response: the element type of its
/// `value` array (following aliases of the response type).
fn collection_item(ty: &TypeRef, types: &BTreeMap<String, TypeDef>, local: &BTreeMap<String, TypeDef>) -> Option<TypeRef> {
    let mut current = ty.strip_nullable();
    // A bounded walk: aliases of aliases end, and a cycle cannot hold us.
    for _ in 0..8 {
        let def = match current {
            TypeRef::Named(name) => types.get(name),
            TypeRef::Local(name) => local.get(name),
            _ => None,
        }?;
        match &def.kind {
            TypeKind::Struct { fields, .. } => {
                let value = fields.iter().find(|f| f.wire_name == "value")?;
                return match value.ty.strip_nullable() {
                    TypeRef::Array(item) => Some((**item).clone()),
                    _ => None,
                };
            }
            TypeKind::Alias(target) => current = target.strip_nullable(),
            TypeKind::Enum { .. } => return None,
        }
    }
    None
}

/// The named types the operations (parameters, bodies, responses) and the
/// module's own types mention directly.
fn roots(operations: &[crate::ir::Operation], local: &[TypeDef]) -> BTreeSet<String> {
    let mut start = Vec::new();
    for op in operations {
        for p in &op.params {
            p.ty.named(&mut start);
        }
        if let Some(body) = &op.body {
            body.ty.named(&mut start);
        }
        if let crate::ir::Success::Json(ty) = &op.success {
            ty.named(&mut start);
        }
    }
    for def in local {
        type_refs_of(def, &mut start);
    }
    start.into_iter().collect()
}

/// The named types a type definition mentions.
pub fn type_refs_of(def: &TypeDef, out: &mut Vec<String>) {
    match &def.kind {
        TypeKind::Struct { fields, additional } => {
            for f in fields {
                f.ty.named(out);
            }
            if let Some(extra) = additional {
                extra.named(out);
            }
        }
        TypeKind::Enum { .. } => {}
        TypeKind::Alias(ty) => ty.named(out),
    }
}

/// `Users.Actions` -> `users-actions`: a module's name as a Cargo feature
/// and crate-name part.
pub fn module_kebab(title: &str) -> String {
    operations::feature_name(title)
}

/// The crate facts: configured, or derived from the module and the version
/// (`mg-beta-applications`, `mg-applications` for v1.0).
fn crate_facts(config: &Config, title: &str, version: &ApiVersion) -> Crate {
    let module = module_kebab(title);
    let prefix = if version.is_beta() { "mg-beta" } else { "mg" };
    let graph = version.root.contains("graph.microsoft");
    let help_uri_base = config.module.help_uri_base.clone().or_else(|| {
        graph.then(|| {
            let ns = if version.is_beta() { "microsoft.graph.beta" } else { "microsoft.graph" };
            format!("https://learn.microsoft.com/powershell/module/{ns}.{}", title.to_lowercase())
        })
    });
    let package = &config.package;
    Crate {
        name: package.name.clone().unwrap_or_else(|| format!("{prefix}-{module}")),
        models: package.models.clone().unwrap_or_else(|| format!("{prefix}-models")),
        module_feature: module,
        version: package.version.clone().unwrap_or_else(|| "0.1.0".to_owned()),
        binary: package.binary.clone().unwrap_or_else(|| "mg".to_owned()),
        description: package.description.clone().unwrap_or_else(|| {
            let which = if version.is_beta() { "Microsoft Graph beta" } else { "Microsoft Graph" };
            format!("Typed {which} client for the {title} module, with PowerShell-style cmdlets.")
        }),
        help_uri_base,
    }
}

/// An identifier the emitters can use as is: ASCII, not starting with a
/// digit, not a keyword.
fn is_plain_ident(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name != "_"
        && !is_keyword(name)
}

/// A Cargo package name: ASCII letters, digits, `-` and `_`, starting with
/// a letter.
fn is_package_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        && is_plain_ident(&name.replace('-', "_"))
}

/// Configuration values that become identifiers in the generated code.
fn check_config_identifiers(config: &Config, sink: &mut Sink) {
    for (key, value) in [("name", &config.package.name), ("models", &config.package.models)] {
        if let Some(name) = value.as_ref().filter(|n| !is_package_name(n)) {
            sink.push(
                &Pointer::root().join("crate").join(key),
                None,
                format!("crate name `{name}` must be ASCII letters, digits, `-` and `_`, starting with a letter"),
            );
        }
    }
    if let Some(binary) = config.package.binary.as_ref().filter(|b| !is_package_name(b)) {
        sink.push(
            &Pointer::root().join("crate").join("binary"),
            None,
            format!("binary name `{binary}` must be ASCII letters, digits, `-` and `_`, starting with a letter"),
        );
    }
    for (schema, path) in &config.replace {
        if !path.split("::").all(is_plain_ident) {
            sink.push(
                &Pointer::root().join("replace").join(schema),
                None,
                format!("`{path}` must be a Rust path below the crate root, such as `runtime::error::ODataError`"),
            );
        }
    }
}

/// The PowerShell name of a path placeholder: the configured one, or the
/// rule's. The identity type, the cmdlets' key parameters and `xtask
/// fragment` all name keys through this.
pub fn key_name(placeholder: &str, parameter_names: &BTreeMap<String, String>) -> String {
    parameter_names.get(placeholder).cloned().unwrap_or_else(|| parameter_name(placeholder))
}

/// The identity type: one optional string per distinct path placeholder of
/// the module (configured keys plus this document's), sorted in ordinal
/// order of the PowerShell names, as the real module sorts them.
fn build_identity(module: &str, operations: &[crate::ir::Operation], config: &Config, ns: &str) -> Identity {
    let mut by_name: BTreeMap<String, IdentityProperty> = BTreeMap::new();
    let mut add = |placeholder: &str, description: &str| {
        let name = key_name(placeholder, &config.parameter_names);
        by_name.entry(name.clone()).or_insert_with(|| IdentityProperty {
            rust_name: snake_case(&name),
            name,
            placeholder: placeholder.to_owned(),
            description: description.to_owned(),
        });
    };
    for (placeholder, description) in &config.identity_keys {
        add(placeholder, description);
    }
    for op in operations {
        for p in op.params.iter().filter(|p| p.location == Location::Path) {
            add(&p.wire_name, p.description.as_deref().unwrap_or(""));
        }
    }
    // BTreeMap<String> orders by bytes: ordinal order, as .NET's.
    let type_name = format!("I{module}Identity");
    Identity {
        full_type_name: format!("{ns}.Models.{type_name}"),
        type_name,
        properties: by_name.into_values().collect(),
    }
}
