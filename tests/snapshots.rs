//! Snapshots of the IR and of the emitted items for the committed fragment.
//! Review changes with `cargo insta review`; CI never writes snapshots.

fn file(path: &str) -> String {
    tests::committed_module_files()
        .into_iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("{path} is generated"))
        .contents
}

#[test]
fn ir() {
    let mut api = tests::committed_ir();
    // The hash changes with every spec edit; the staleness test covers it.
    api.spec_sha256 = "<sha256>".into();
    insta::assert_yaml_snapshot!("ir", api);
}

#[test]
fn operations() {
    insta::assert_snapshot!("operations_rs", strip_header(&file("src/operations/applications_actions.rs")));
}

#[test]
fn start_cmdlet() {
    insta::assert_snapshot!(
        "start_cmdlet_rs",
        strip_header(&file("src/cmdlets/start_mg_beta_application_synchronization_job.rs"))
    );
}

#[test]
fn identity() {
    insta::assert_snapshot!("identity_rs", strip_header(&file("src/identity.rs")));
}

/// The header carries the spec hash, which the staleness test checks.
fn strip_header(text: &str) -> String {
    text.lines().skip_while(|l| l.starts_with("// ")).collect::<Vec<_>>().join("\n")
}
