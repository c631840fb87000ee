//! The generator on the real Microsoft Graph beta Applications documents
//! (found through GRAPH_SPECS_DIR; skipped, saying so, without it).

use std::collections::BTreeSet;

fn generate(name: &str, config: &codegen::Config) -> Option<(codegen::ir::Api, Vec<codegen::File>)> {
    let dir = tests::graph_specs_dir(name)?;
    let path = dir.join("graph-beta").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = codegen::SpecInput { file: name.to_owned(), text };
    let api = codegen::build_ir(&spec, config, "config").unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::generate(&spec, config, "config", &codegen::RuntimeSource::Vendored).unwrap_or_else(|e| panic!("{e}"));
    Some((api, files))
}

/// Only the naming overrides of the committed configuration: the identity
/// must come from the document itself, not from the configured key list.
fn naming_only_config() -> codegen::Config {
    let (_, committed) = tests::committed_inputs();
    codegen::Config { parameter_names: committed.parameter_names, ..Default::default() }
}

fn check_whole_module(name: &str, min_cmdlets: usize) {
    let Some((api, files)) = generate(name, &naming_only_config()) else { return };
    assert!(api.cmdlets.len() >= min_cmdlets, "{name}: only {} cmdlets", api.cmdlets.len());
    for file in files.iter().filter(|f| f.path.ends_with(".rs")) {
        if let Err(e) = syn::parse_file(&file.contents) {
            panic!("{name}: {} does not parse: {e}", file.path);
        }
        assert!(!file.contents.contains("compile_error!"), "{name}: {} has a codegen bug marker", file.path);
    }
    let names: BTreeSet<&str> = api.cmdlets.iter().map(|c| c.name.as_str()).collect();
    for expected in ["Start-MgBetaApplicationSynchronizationJob", "Start-MgBetaServicePrincipalSynchronizationJob"] {
        assert!(names.contains(expected), "{name}: {expected} missing");
    }
    // Every cmdlet has a help document and a registry entry.
    for c in &api.cmdlets {
        assert!(files.iter().any(|f| f.path == format!("beta/applications/docs/{}.md", c.name)), "{name}: no help for {}", c.name);
    }
}

#[test]
fn the_2024_module_generates_and_every_file_parses() {
    check_whole_module("applications-2024-03-12.yml", 300);
}

#[test]
fn the_2020_module_generates_and_every_file_parses() {
    check_whole_module("applications-2020-09-22.yml", 200);
}

/// The seed's identity properties, read from its NOTES section.
fn seed_identity() -> Option<Vec<String>> {
    let path = tests::root().join("../shared/seed/Start-MgBetaApplicationSynchronizationJob.md");
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|l| l.trim().strip_prefix('['))
            .filter_map(|l| l.split_once(" <String>]").map(|(name, _)| name.to_owned()))
            .collect(),
    )
}

#[test]
fn identity_derived_from_the_2024_module_follows_the_seed() {
    let Some((api, _)) = generate("applications-2024-03-12.yml", &naming_only_config()) else { return };
    let Some(seed) = seed_identity() else {
        eprintln!("skipped: ../shared/seed not found");
        return;
    };
    let derived: Vec<&str> = api.identity.properties.iter().map(|p| p.name.as_str()).collect();
    // The seed is from 2025: the 2024 document has every key but those added since.
    for name in &derived {
        assert!(seed.iter().any(|s| s == name), "derived {name} is not in the seed's identity");
    }
    let seed_order: Vec<&str> = seed.iter().map(String::as_str).filter(|s| derived.contains(s)).collect();
    assert_eq!(derived, seed_order, "same relative (ordinal) order as the seed");
    for key in ["AppId", "UniqueName", "Name", "OAuth2PermissionGrantId", "OnPremisesAgentGroupId1", "SynchronizationJobId"] {
        assert!(derived.contains(&key), "{key} must be derived from the module's paths");
    }
    assert!(derived.len() >= 30, "{} keys", derived.len());
}

#[test]
fn start_cmdlets_keep_their_surface_between_2020_and_2024() {
    let config = naming_only_config();
    let (Some((old, _)), Some((new, _))) =
        (generate("applications-2020-09-22.yml", &config), generate("applications-2024-03-12.yml", &config))
    else {
        return;
    };
    for name in ["Start-MgBetaApplicationSynchronizationJob", "Start-MgBetaServicePrincipalSynchronizationJob"] {
        let find = |api: &codegen::ir::Api| api.cmdlets.iter().find(|c| c.name == name).cloned().expect("present");
        let (a, b) = (find(&old), find(&new));
        let sets = |c: &codegen::ir::Cmdlet| c.sets.iter().map(|s| (s.name.clone(), s.default)).collect::<Vec<_>>();
        assert_eq!(sets(&a), sets(&b), "{name}: parameter sets");
        let params = |c: &codegen::ir::Cmdlet| {
            c.params.iter().map(|p| (p.name.clone(), p.ty.name(), p.aliases.clone())).collect::<Vec<_>>()
        };
        assert_eq!(params(&a), params(&b), "{name}: parameters");
        assert_eq!(a.outputs, b.outputs, "{name}: outputs");
    }
}
