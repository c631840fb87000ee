//! The module configuration's AutoRest-style directives and naming options,
//! applied to the committed fragment.

fn generate_with(extra_yaml: &str) -> Result<codegen::ir::Api, codegen::Error> {
    let (spec, mut config) = tests::committed_inputs();
    let extra = codegen::Config::parse("extra.yaml", extra_yaml).expect("test config parses");
    config.directive = extra.directive;
    if extra.module.prefix.is_some() {
        config.module.prefix = extra.module.prefix;
    }
    codegen::build_ir(&spec, &config, "extra.yaml")
}

fn names(api: &codegen::ir::Api) -> Vec<&str> {
    api.cmdlets.iter().map(|c| c.name.as_str()).collect()
}

fn cmdlet<'a>(api: &'a codegen::ir::Api, name: &str) -> &'a codegen::ir::Cmdlet {
    api.cmdlets.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{name} missing from {:?}", names(api)))
}

#[test]
fn the_committed_alias_directive_gives_object_id_to_application_id() {
    let api = tests::committed_ir();
    let app = cmdlet(&api, "Start-MgBetaApplicationSynchronizationJob");
    let id = app.params.iter().find(|p| p.name == "ApplicationId").expect("ApplicationId");
    assert_eq!(id.aliases, ["ObjectId"]);
    let sp = cmdlet(&api, "Start-MgBetaServicePrincipalSynchronizationJob");
    assert!(sp.params.iter().all(|p| p.aliases.iter().all(|a| a != "ObjectId")), "only application cmdlets get it");
}

#[test]
fn operations_can_be_removed_by_operation_id() {
    let api = generate_with("directive:\n  - where: {operation-id: '^servicePrincipal\\.'}\n    remove: true\n").expect("valid");
    assert_eq!(names(&api), ["Start-MgBetaApplicationSynchronizationJob"]);
}

#[test]
fn cmdlets_can_be_renamed() {
    let api = generate_with(
        "directive:\n  - where: {cmdlet: 'ServicePrincipal'}\n    set: {verb: Invoke, subject: ServicePrincipalSyncJobStart}\n",
    )
    .expect("valid");
    assert!(names(&api).contains(&"Invoke-MgBetaServicePrincipalSyncJobStart"), "{:?}", names(&api));
}

#[test]
fn parameters_can_be_renamed_aliased_and_made_optional() {
    let api = generate_with(
        "directive:\n  - where: {cmdlet: '^Start-MgBetaApplication', parameter-name: SynchronizationJobId}\n    set: {parameter-name: JobId, alias: [Job], mandatory: false}\n",
    )
    .expect("valid");
    let app = cmdlet(&api, "Start-MgBetaApplicationSynchronizationJob");
    let job = app.params.iter().find(|p| p.name == "JobId").expect("renamed");
    assert_eq!(job.aliases, ["Job"]);
    assert!(job.sets.as_ref().expect("set-specific").iter().all(|m| !m.mandatory));
}

#[test]
fn parameter_sets_can_be_removed() {
    let api = generate_with(
        "directive:\n  - where: {cmdlet: 'Application', parameter-set: StartViaIdentity}\n    remove: true\n",
    )
    .expect("valid");
    let app = cmdlet(&api, "Start-MgBetaApplicationSynchronizationJob");
    assert_eq!(app.sets.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(), ["Start"]);
    assert!(app.params.iter().all(|p| p.name != "InputObject"));
}

#[test]
fn the_noun_prefix_can_be_overridden() {
    let api = generate_with("module:\n  prefix: MgTest\n").expect("valid");
    assert!(names(&api).contains(&"Start-MgTestApplicationSynchronizationJob"), "{:?}", names(&api));
}

#[test]
fn a_v1_server_url_drops_the_beta_prefix() {
    let (mut spec, config) = tests::committed_inputs();
    spec.text = spec.text.replace("https://graph.microsoft.com/beta/", "https://graph.microsoft.com/v1.0/");
    let api = codegen::build_ir(&spec, &config, "spec/codegen.yaml").expect("valid");
    assert!(names(&api).contains(&"Start-MgServicePrincipalSynchronizationJob"), "{:?}", names(&api));
    assert_eq!(api.identity.full_type_name, "Microsoft.Graph.PowerShell.Models.IApplicationsIdentity");
}

#[test]
fn a_bad_directive_regex_names_the_configuration_and_pointer() {
    let err = generate_with("directive:\n  - where: {cmdlet: '(unclosed'}\n    remove: true\n").expect_err("bad regex");
    assert!(err.to_string().contains("extra.yaml#/directive/0/where/cmdlet: invalid regex"), "{err}");
}
