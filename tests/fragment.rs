//! `cargo xtask fragment`'s extraction (codegen::fragment) on the real 2024
//! Applications module: the fragment of the two start operations generates
//! the same cmdlets as the whole module, and its identity keys give the same
//! identity type. Skipped, saying so, without GRAPH_SPECS_DIR.

use codegen::ir::{Api, Cmdlet};
use codegen::{Config, SpecInput};

const MODULE: &str = "applications-2024-03-12.yml";
const START: [&str; 2] = [r"application\.synchronization\.job_start", r"servicePrincipal\.synchronization\.job_start"];
const CMDLETS: [&str; 2] =
    ["Start-MgBetaApplicationSynchronizationJob", "Start-MgBetaServicePrincipalSynchronizationJob"];

fn module(test: &str) -> Option<SpecInput> {
    let path = tests::graph_specs_dir(test)?.join("graph-beta").join(MODULE);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(SpecInput { file: MODULE.to_owned(), text })
}

/// The committed configuration without any identity keys, so that the
/// identity comes only from the document (whole module) or from the
/// extracted identity-keys.yaml (fragment).
fn keyless_config() -> Config {
    let (_, committed) = tests::committed_inputs();
    Config { input: None, identity_keys: Default::default(), identity_keys_file: None, ..committed }
}

fn patterns(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A cmdlet as JSON, with each parameter set's operation index (which
/// depends on the document's other operations) replaced by its operationId.
fn comparable(api: &Api, name: &str) -> serde_json::Value {
    let cmdlet: &Cmdlet = api.cmdlets.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} is generated"));
    let mut value = serde_json::to_value(cmdlet).expect("serialisable");
    for (set, json) in cmdlet.sets.iter().zip(value["sets"].as_array_mut().into_iter().flatten()) {
        json["operation"] = serde_json::Value::String(api.operations[set.operation].id.clone());
    }
    value
}

#[test]
fn the_start_fragment_generates_the_whole_modules_cmdlets_and_identity() {
    let Some(whole) = module("the_start_fragment_generates_the_whole_modules_cmdlets_and_identity") else { return };
    let fragment = codegen::fragment::extract(&whole, &patterns(&START), &codegen::Config::default()).unwrap_or_else(|e| panic!("{e}"));
    let ids: Vec<&str> = fragment.operations.iter().map(|o| o.operation_id.as_str()).collect();
    assert_eq!(ids, ["application.synchronization.job_start", "servicePrincipal.synchronization.job_start"]);
    assert!(fragment.components.iter().any(|c| c == "responses/error"), "{:?}", fragment.components);
    assert!(
        fragment.components.iter().all(|c| !c.starts_with("schemas/microsoft.graph.application")),
        "only what is referenced"
    );
    assert!(fragment.spec.len() < whole.text.len() / 50, "{} bytes is not a fragment", fragment.spec.len());
    assert_eq!(codegen::fragment::extract(&whole, &patterns(&START), &codegen::Config::default()).ok().as_ref(), Some(&fragment), "deterministic");

    let mut config = keyless_config();
    config.merge_identity_keys("identity-keys.yaml", &fragment.identity_keys).unwrap_or_else(|e| panic!("{e}"));
    let spec = SpecInput { file: "applications.synchronization-start.yaml".into(), text: fragment.spec.clone() };
    let small = codegen::build_ir(&spec, &config, "codegen.yaml").unwrap_or_else(|e| panic!("{e}"));
    let files = codegen::generate(&spec, &config, "codegen.yaml", &codegen::RuntimeSource::Vendored).unwrap_or_else(|e| panic!("{e}"));
    for file in files.iter().filter(|f| f.path.ends_with(".rs")) {
        if let Err(e) = syn::parse_file(&file.contents) {
            panic!("{} does not parse: {e}", file.path);
        }
    }
    assert_eq!(small.operations.len(), 2);
    let names: Vec<&str> = small.cmdlets.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, CMDLETS);

    let big = codegen::build_ir(&whole, &keyless_config(), "codegen.yaml").unwrap_or_else(|e| panic!("{e}"));
    for name in CMDLETS {
        assert_eq!(comparable(&small, name), comparable(&big, name), "{name}: names, sets and parameters");
    }
    let identity = |api: &Api| serde_json::to_value(&api.identity).expect("serialisable");
    assert_eq!(identity(&small), identity(&big), "identity via identity-keys.yaml = identity of the whole module");
    assert!(big.identity.properties.len() >= 30);
}

#[test]
fn patterns_that_are_invalid_or_match_nothing_are_clear_errors() {
    let Some(whole) = module("patterns_that_are_invalid_or_match_nothing_are_clear_errors") else { return };
    let err = codegen::fragment::extract(&whole, &patterns(&[r"application\.synchronization\.job_sta"]), &codegen::Config::default())
        .expect_err("partial");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "error: {MODULE}#/paths: no operationId matches `application\\.synchronization\\.job_sta`"
        )),
        "{text}"
    );
    assert!(text.contains("did you mean `application.synchronization.job_start`"), "{text}");
    let err = codegen::fragment::extract(&whole, &patterns(&["job_start(", "nothing_like_this"]), &codegen::Config::default()).expect_err("bad");
    assert_eq!(err.diagnostics.len(), 1, "a bad regex stops before matching: {err}");
    assert!(err.to_string().contains("`job_start(` is not a valid regular expression"), "{err}");
    let err =
        codegen::fragment::extract(&whole, &patterns(&[START[0], "nothing_like_this", "nor.this"]), &codegen::Config::default()).expect_err("none");
    assert_eq!(err.diagnostics.len(), 2, "every pattern that matches nothing is named: {err}");
    assert!(err.diagnostics.iter().all(|d| d.file == MODULE && d.pointer == "/paths"), "{err}");
}

/// Without the real documents: re-extracting every operation of the
/// committed fragment gives a document that generates the same cmdlets, and
/// its identity keys are a subset of the committed configuration's.
#[test]
fn the_committed_fragment_survives_re_extraction() {
    let (spec, config) = tests::committed_inputs();
    let fragment = codegen::fragment::extract(&spec, &patterns(&[".*"]), &codegen::Config::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(fragment.operations.len(), 2);
    let again = SpecInput { file: spec.file.clone(), text: fragment.spec.clone() };
    let before = codegen::build_ir(&spec, &config, "spec/codegen.yaml").unwrap_or_else(|e| panic!("{e}"));
    let after = codegen::build_ir(&again, &config, "spec/codegen.yaml").unwrap_or_else(|e| panic!("{e}"));
    for name in CMDLETS {
        assert_eq!(comparable(&before, name), comparable(&after, name), "{name}");
    }
    let keys = codegen::fragment::identity_keys(&spec, &codegen::Config::default()).unwrap_or_else(|e| panic!("{e}"));
    for placeholder in keys.keys() {
        assert!(config.identity_keys.contains_key(placeholder), "{placeholder} is configured");
    }
}
