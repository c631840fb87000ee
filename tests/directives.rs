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

/// A small module with the shapes the AutoRest-style directives act on:
/// three operations that share a cmdlet name (`Get-MgBetaThing`: AutoRest
/// cuts `GetThingByName` at the preposition, which is why Graph's documents
/// write `GraphBPre`), a list with OData options, a delete, a nested list.
const THINGS: &str = r#"openapi: 3.0.1
info: {title: Things, version: v1}
servers: [{url: "https://graph.microsoft.com/beta/"}]
paths:
  /byname/{name}:
    get:
      operationId: thing_GetThingByName
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: done}}
  /things:
    get:
      operationId: thing_ListThing
      parameters: [{name: $select, in: query, schema: {type: string}}]
      responses: {"204": {description: done}}
  /things(name='{name}'):
    get:
      operationId: thing_GetThingGraphBPreName
      parameters: [{name: name, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: done}}
  /things/microsoft.graph.getAll():
    get:
      operationId: thing_getAllThing
      responses: {"204": {description: done}}
  /things/{thing-id}:
    get:
      operationId: thing_GetThing
      parameters:
        - {name: thing-id, in: path, required: true, schema: {type: string}}
        - {name: $select, in: query, schema: {type: string}}
      responses: {"204": {description: done}}
    delete:
      operationId: thing_DeleteThing
      parameters: [{name: thing-id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: done}}
  /things/{thing-id}/parts:
    get:
      operationId: thing_ListPart
      parameters: [{name: thing-id, in: path, required: true, schema: {type: string}}]
      responses: {"204": {description: done}}
"#;

fn things(config_yaml: &str) -> Result<codegen::ir::Api, codegen::Error> {
    let config = codegen::Config::parse("things.yaml", config_yaml)?;
    let spec = codegen::SpecInput { file: "things.yml".into(), text: THINGS.into() };
    codegen::build_ir(&spec, &config, "things.yaml")
}

fn set_names(cmdlet: &codegen::ir::Cmdlet) -> Vec<&str> {
    let mut names: Vec<&str> = cmdlet.sets.iter().map(|s| s.name.as_str()).collect();
    names.sort();
    names
}

#[test]
fn without_directives_the_things_module_names_as_autorest_does() {
    let api = things("").expect("valid");
    assert_eq!(
        names(&api),
        ["Get-MgBetaThing", "Get-MgBetaThingByName", "Get-MgBetaThingPart", "Remove-MgBetaThing"]
    );
    let sets = ["Get1", "Get1ViaIdentity", "Get2", "Get3", "Get3ViaIdentity", "List"];
    assert_eq!(set_names(cmdlet(&api, "Get-MgBetaThing")), sets);
}

#[test]
fn a_variant_moves_to_a_cmdlet_of_its_own_and_set_names_are_renumbered() {
    let api = things(
        "directive:\n  - where: {verb: Get, subject: '^(Thing)$', path: 'getAll'}\n    set: {subject: All$1}\n",
    )
    .expect("valid");
    // The moved set keeps its name; the cmdlet it left keeps the others.
    assert_eq!(set_names(cmdlet(&api, "Get-MgBetaAllThing")), ["Get2"]);
    assert_eq!(set_names(cmdlet(&api, "Get-MgBetaThing")), ["Get1", "Get1ViaIdentity", "Get3", "Get3ViaIdentity", "List"]);
    // Two variants that end up in one cmdlet under one set name are numbered
    // as AutoRest numbers them.
    let api = things("directive:\n  - where: {subject: '^ThingPart$'}\n    set: {subject: Thing}\n").expect("valid");
    let merged = cmdlet(&api, "Get-MgBetaThing");
    assert_eq!(set_names(merged), ["Get1", "Get1ViaIdentity", "Get2", "Get3", "Get3ViaIdentity", "List", "List1"]);
    let moved = merged.sets.iter().find(|s| s.name == "List1").expect("renumbered");
    assert_eq!(api.operations[moved.operation].id, "thing_ListPart");
}

#[test]
fn cmdlet_aliases_expand_the_current_names_and_subject_groups() {
    let api = things(
        "directive:\n  - where: {subject: '^(ThingPart)$'}\n    set: {subject: Piece, alias: ['${verb}-Mg${subject-prefix}$1', '${verb}-MgBetaPieceOfThing']}\n  - where: {subject: '^ThingByName$'}\n    set: {alias: '${verb}-Mg${subject-prefix}${subject}'}\n",
    )
    .expect("valid");
    assert_eq!(cmdlet(&api, "Get-MgBetaPiece").aliases, ["Get-MgBetaThingPart", "Get-MgBetaPieceOfThing"]);
    // An alias equal to the cmdlet's own name is dropped.
    assert!(cmdlet(&api, "Get-MgBetaThingByName").aliases.is_empty());
    let manifest = codegen::surface::render(&codegen::surface::from_api(&api), None);
    assert!(manifest.contains("\ncmdlet Get-MgBetaPiece\n  alias Get-MgBetaPieceOfThing\n  alias Get-MgBetaThingPart\n"), "{manifest}");
}

#[test]
fn removal_acts_on_cmdlets_variants_and_paths() {
    let api = things(
        "directive:\n  - where: {verb: Remove}\n    remove: true\n  - where: {subject: '^Thing$', variant: 'ViaIdentity$'}\n    remove: true\n",
    )
    .expect("valid");
    assert!(!names(&api).contains(&"Remove-MgBetaThing"));
    assert_eq!(set_names(cmdlet(&api, "Get-MgBetaThing")), ["Get1", "Get2", "Get3", "List"]);
    assert!(cmdlet(&api, "Get-MgBetaThing").params.iter().all(|p| p.name != "InputObject"));
    // The delete operation itself stays in the typed client...
    assert!(api.operations.iter().any(|o| o.id == "thing_DeleteThing"));
    // ...unless the path is removed, which drops it before anything else.
    let api = things("directive:\n  - remove-path-by-operation: '^thing_DeleteThing$'\n").expect("valid");
    assert!(!names(&api).contains(&"Remove-MgBetaThing"));
    assert!(api.operations.iter().all(|o| o.id != "thing_DeleteThing"));
}

#[test]
fn a_parameter_rename_in_some_sets_gives_those_sets_a_parameter_of_their_own() {
    let api = things(
        "directive:\n  - where: {verb: Get, subject: '^Thing$', variant: '^List$', parameter-name: Property}\n    set: {parameter-name: Field, alias: Fields}\n",
    )
    .expect("valid");
    let get = cmdlet(&api, "Get-MgBetaThing");
    let field = get.params.iter().find(|p| p.name == "Field").expect("renamed in List");
    let sets: Vec<&str> = field.sets.iter().flatten().map(|m| m.set.as_str()).collect();
    assert_eq!(sets, ["List"]);
    assert!(field.aliases.contains(&"Fields".to_owned()) && field.aliases.contains(&"Select".to_owned()));
    let property = get.params.iter().find(|p| p.name == "Property").expect("kept in Get");
    assert!(property.sets.iter().flatten().all(|m| m.set != "List"));
}

#[test]
fn directive_mistakes_name_the_file_and_pointer() {
    let cases = [
        ("directive:\n  - where: {verb: Get}\n    remove: true\n  - where: {subject: '(('}\n    remove: true\n", "things.yaml#/directive/1/where/subject: invalid regex"),
        ("directive:\n  - where: {verb: Get}\n", "things.yaml#/directive/0: the directive selects but does nothing"),
        ("directive:\n  - where: {verb: Get}\n    set: {verb: Find}\n    remove: true\n", "things.yaml#/directive/0/remove: `remove` and `set` do not go together"),
        ("directive:\n  - remove-path-by-operation: x\n    remove: true\n", "things.yaml#/directive/0: `remove-path-by-operation` stands alone"),
        ("directive:\n  - where: {verb: Get, parameter-name: Top}\n    set: {subject: X}\n", "things.yaml#/directive/0/set/subject: a directive on parameters"),
        ("directive:\n  - where: {verb: Get}\n    set: {parameter-name: X}\n", "things.yaml#/directive/0/set/parameter-name: this acts on parameters"),
        ("directive:\n  - where: {verb: Get}\n    set: {subject: 'Not a name'}\n", "things.yaml#/directive/0/set/subject: renames `Get-MgBetaThing` to the subject `Not a name`"),
        ("directive:\n  - where: {verb: Get}\n    set: {alias: 'Get Me'}\n", "things.yaml#/directive/0/set/alias: alias `Get Me`"),
    ];
    for (yaml, expected) in cases {
        let err = things(yaml).expect_err(yaml);
        assert!(err.to_string().contains(expected), "{yaml}\n{err}");
    }
}

#[test]
fn graph_placeholders_never_reach_rust_names_and_collisions_are_numbered_in_path_order() {
    let api = things("").expect("valid");
    let rust = |id: &str| api.operations.iter().find(|o| o.id == id).map(|o| o.rust_name.as_str()).expect(id);
    assert_eq!(rust("thing_GetThingByName"), "thing_get_thing_by_name");
    assert_eq!(rust("thing_GetThingGraphBPreName"), "thing_get_thing_by_name2");
    let manifest = codegen::surface::render(&codegen::surface::from_api(&api), None);
    assert!(manifest.contains("operation GET /things(name='{name}') rust=thing_get_thing_by_name2\n"), "{manifest}");
    assert!(!manifest.to_lowercase().contains("graph_b_pre"), "{manifest}");
}

#[test]
fn parameters_never_take_a_common_parameters_name() {
    // A directive (or an API property) naming a parameter like a common
    // parameter would hide it: the parameter is renamed after what it
    // carries, and its help says why.
    for (reserved, expected) in [("Headers", "KeyHeaders"), ("debug", "Keydebug"), ("ea", "Keyea"), ("WhatIf", "KeyWhatIf")] {
        let api = generate_with(&format!(
            "directive:\n  - where: {{cmdlet: '^Start-MgBetaApplication', parameter-name: SynchronizationJobId}}\n    set: {{parameter-name: {reserved}}}\n"
        ))
        .expect("valid");
        let app = cmdlet(&api, "Start-MgBetaApplicationSynchronizationJob");
        let names: Vec<&str> = app.params.iter().map(|p| p.name.as_str()).collect();
        let renamed = app.params.iter().find(|p| p.name == expected).unwrap_or_else(|| panic!("{expected} in {names:?}"));
        assert!(renamed.description.contains("is a common parameter"), "{}", renamed.description);
        assert!(!names.iter().any(|n| n.eq_ignore_ascii_case(reserved)), "{reserved} still declared: {names:?}");
        let common: Vec<String> = app.all_params().into_iter().map(|p| p.name).collect();
        if reserved == "Headers" || reserved == "WhatIf" {
            assert!(common.iter().any(|n| n == reserved), "the common -{reserved} is kept: {common:?}");
        }
    }
}
