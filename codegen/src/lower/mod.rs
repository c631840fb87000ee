//! Lower: a loaded document plus the configuration -> the IR. All checks
//! happen here; problems are collected, not thrown at the first one.

mod cmdlets;
pub(crate) mod directives;
pub(crate) mod operations;
mod resolve;
mod schemas;

use std::collections::BTreeMap;

use crate::config::Config;
use crate::error::{Error, Pointer, Sink};
use crate::ir::{Api, Crate, Identity, IdentityProperty, Location, TypeDef, TypeKind, TypeRef};
use crate::load::Loaded;
use crate::naming::cmdlet::{parameter_name, NamePrefix};
use crate::naming::ident::{is_keyword, pascal_case, snake_case};

/// Lowers a loaded document. `config_file` names the configuration in errors.
pub fn lower(loaded: &Loaded, config: &Config, config_file: &str) -> Result<Api, Error> {
    let doc = &loaded.doc;
    let mut sink = Sink::new(&loaded.file);
    let mut config_sink = Sink::new(config_file);

    let base_url = match doc.servers.first() {
        Some(server) => server.url.trim_end_matches('/').to_owned(),
        None => {
            sink.push(&Pointer::root().join("servers"), None, "no server URL is declared; the client needs a base URL");
            String::new()
        }
    };

    // Directives first: `remove-path-by-operation` decides which operations
    // exist at all.
    let directives = directives::Directives::compile(config, &mut config_sink);
    let mut schemas = schemas::SchemaLowering::new(doc, &config.replace);
    let removed = |id: &str| directives.removes_operation(id);
    let mut operations = operations::lower_operations(doc, &mut schemas, &config.parameter_names, &removed, &mut sink);
    schemas.lower_components(&mut sink);
    // Expanded parameter sets need the body's properties, known only now
    // that every named type is lowered.
    for op in &mut operations {
        if let Some(body) = &mut op.body {
            let name = match &body.ty {
                TypeRef::Named(name) => Some(name),
                TypeRef::Nullable(inner) => match inner.as_ref() {
                    TypeRef::Named(name) => Some(name),
                    _ => None,
                },
                _ => None,
            };
            if let Some(TypeDef { kind: TypeKind::Struct { fields, .. }, .. }) = name.and_then(|n| schemas.types.get(n)) {
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
        None => pascal_case(&doc.info.title),
    };
    check_config_identifiers(config, &mut config_sink);
    let derived_prefix = NamePrefix::from_server_url(&base_url);
    // The PowerShell namespace of the module's types: the beta SDK's own,
    // or the v1.0 one.
    let ns = config.module.namespace.clone().unwrap_or_else(|| {
        if derived_prefix.subject_prefix.is_empty() {
            "Microsoft.Graph.PowerShell".to_owned()
        } else {
            format!("Microsoft.Graph.{}.PowerShell", derived_prefix.subject_prefix)
        }
    });
    let identity = build_identity(&module, &operations, config, &ns);
    let prefix = match &config.module.prefix {
        Some(p) => NamePrefix { prefix: p.clone(), subject_prefix: String::new() },
        None => derived_prefix,
    };
    let cmdlets = cmdlets::lower_cmdlets(&operations, &schemas.types, &identity, config, &directives, &prefix, &ns, &mut config_sink);

    let api = Api {
        title: doc.info.title.clone(),
        version: doc.info.version.clone(),
        description: doc.info.description.clone(),
        base_url,
        spec_sha256: loaded.sha256.clone(),
        spec_file: loaded.file.clone(),
        operations,
        types: schemas.types.into_values().collect(),
        cmdlets,
        identity,
        krate: Crate {
            name: config.package.name.clone(),
            version: config.package.version.clone(),
            binary: config.package.binary.clone(),
            description: config
                .package
                .description
                .clone()
                .unwrap_or_else(|| format!("Typed client for the {} API.", doc.info.title)),
        },
    };
    let spec_result = sink.finish(());
    let config_result = config_sink.finish(());
    match (spec_result, config_result) {
        (Ok(()), Ok(())) => Ok(api),
        (a, b) => {
            let mut diagnostics = a.err().map(|e| e.diagnostics).unwrap_or_default();
            diagnostics.extend(b.err().map(|e| e.diagnostics).unwrap_or_default());
            Err(Error { diagnostics })
        }
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

/// Configuration values that become identifiers in the generated code.
fn check_config_identifiers(config: &Config, sink: &mut Sink) {
    let krate = config.package.name.replace('-', "_");
    if !is_plain_ident(&krate) {
        sink.push(
            &Pointer::root().join("crate").join("name"),
            None,
            format!("crate name `{}` must be ASCII letters, digits, `-` and `_`, starting with a letter", config.package.name),
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

/// The identity type: one optional string per distinct path placeholder of
/// the module (configured keys plus this document's), sorted in ordinal
/// order of the PowerShell names, as the real module sorts them.
fn build_identity(module: &str, operations: &[crate::ir::Operation], config: &Config, ns: &str) -> Identity {
    let mut by_name: BTreeMap<String, IdentityProperty> = BTreeMap::new();
    let mut add = |placeholder: &str, description: &str| {
        let name = config.parameter_names.get(placeholder).cloned().unwrap_or_else(|| parameter_name(placeholder));
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
