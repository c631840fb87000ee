//! The SDK configuration: the shipped files in spec/sdk (one shared by all
//! modules, one per module), the collision hints that name the directive to
//! write, and `cargo xtask names`, which lowers a folder of documents with
//! them and reports what two modules share.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The shipped configuration, read as `cargo xtask names` reads it.
fn shipped() -> codegen::config::SdkConfig {
    let dir = tests::root().join("spec/sdk");
    let mut shared = None;
    let mut modules = Vec::new();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir).expect("spec/sdk exists").filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths.into_iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
        let name = format!("spec/sdk/{}", path.file_name().and_then(|n| n.to_str()).expect("utf-8 name"));
        let text = std::fs::read_to_string(&path).expect("readable");
        if name.ends_with("/graph.yaml") {
            shared = Some((name, text));
        } else {
            modules.push((name, text));
        }
    }
    let modules: Vec<(&str, &str)> = modules.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    let shared = shared.expect("spec/sdk/graph.yaml");
    codegen::config::SdkConfig::parse(Some((&shared.0, &shared.1)), &modules).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_shipped_configuration_parses_and_merges_for_every_module() {
    let sdk = shipped();
    let titles: Vec<&str> = sdk.module_titles().collect();
    assert!(titles.len() >= 30, "{titles:?}");
    let shared_only = sdk.config_for("NoSuchModule").expect("shared configuration");
    assert!(!shared_only.directive.is_empty());
    for title in titles {
        let config = sdk.config_for(title).unwrap_or_else(|e| panic!("{title}: {e}"));
        assert!(config.directive.len() > shared_only.directive.len(), "{title} adds no directive");
        // Module directives run first, and keep the file they came from.
        let first = config.directive[0].origin.as_ref().expect("origin");
        assert_eq!(first.file, format!("spec/sdk/{title}.yaml"));
        assert_eq!(config.replace, shared_only.replace, "{title}");
    }
}

#[test]
fn the_shipped_configuration_applies_to_a_real_module() {
    let Some(dir) = tests::graph_specs_dir("the_shipped_configuration_applies_to_a_real_module") else { return };
    let path = dir.join("graph-beta/applications-2024-03-12.yml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = codegen::SpecInput { file: "applications-2024-03-12.yml".into(), text };
    let sdk = shipped();
    let config = sdk.config_for("Applications").expect("merges");
    let api = codegen::build_ir(&spec, &config, &sdk.files_for("Applications")).unwrap_or_else(|e| panic!("{e}"));
    // remove-path-by-operation: the whole-collection $ref delete is gone...
    assert!(api.operations.iter().all(|o| o.id != "application_DeleteOwnerGraphBPreRef"));
    // ...a cmdlet removal by subject...
    assert!(api.cmdlets.iter().all(|c| !c.name.contains("ServicePrincipalFederatedIdentityCredential")));
    // ...a Graph-wide rename, and the old name kept as an alias.
    let by_ref = api.cmdlets.iter().find(|c| c.name == "Remove-MgBetaApplicationOwnerDirectoryObjectByRef");
    if let Some(c) = by_ref {
        assert!(c.aliases.contains(&"Remove-MgBetaApplicationOwnerByRef".to_owned()), "{:?}", c.aliases);
    }
    // No Rust identifier keeps Graph's preposition placeholders.
    let json = serde_json::to_value(&api).expect("serializes");
    let mut leaks = Vec::new();
    collect_placeholder_identifiers(&json, &mut leaks);
    assert!(leaks.is_empty(), "{leaks:?}");
}

/// Every string under a `rust_name`, `module_name` or `variant` key, or in an
/// enum's variant list, that still spells a placeholder.
fn collect_placeholder_identifiers(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, v) in map {
                let is_ident_key = matches!(key.as_str(), "rust_name" | "module_name" | "variant" | "variants");
                if is_ident_key {
                    let mut strings = Vec::new();
                    strings_in(v, &mut strings);
                    out.extend(strings.into_iter().filter(|s| {
                        let lower = s.to_lowercase().replace('_', "");
                        ["graphbpre", "graphopre", "graphwpre", "graphapre", "graphfpre", "graphrpre"].iter().any(|p| lower.contains(p))
                    }));
                }
                collect_placeholder_identifiers(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_placeholder_identifiers(v, out)),
        _ => {}
    }
}

fn strings_in(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(items) => items.iter().for_each(|v| strings_in(v, out)),
        _ => {}
    }
}

#[test]
fn a_collision_message_shows_directives_that_resolve_it() {
    let file = "tests/hostile/parameter-names-collide.yaml";
    let spec = codegen::SpecInput { file: file.into(), text: tests::read(file) };
    let err = codegen::build_ir(&spec, &codegen::Config::default(), "(default)").expect_err("collides").to_string();
    assert!(err.contains("(operationId `things.get`)"), "{err}");
    // Each suggestion is a YAML flow mapping between backticks; pasted into
    // a configuration, it makes the document generate.
    let snippets: Vec<&str> = err.split('`').filter(|s| s.starts_with("directive:") || s.starts_with("parameter-names:")).collect();
    assert_eq!(snippets.len(), 2, "{err}");
    for snippet in snippets {
        let config = codegen::Config::parse("hint.yaml", snippet).unwrap_or_else(|e| panic!("{snippet}: {e}"));
        let api = codegen::build_ir(&spec, &config, "hint.yaml").unwrap_or_else(|e| panic!("{snippet}: {e}"));
        if snippet.starts_with("directive:") {
            assert!(api.operations.is_empty(), "{snippet}");
        } else {
            assert!(api.cmdlets[0].params.iter().any(|p| p.name == "ThingIdQuery"), "{snippet}");
        }
    }
}

/// A one-operation module document of the beta endpoint.
fn module(title: &str, operation_id: &str) -> String {
    format!(
        "openapi: 3.0.1\ninfo: {{title: {title}, version: v1}}\nservers: [{{url: 'https://graph.microsoft.com/beta/'}}]\npaths:\n  /things:\n    get:\n      operationId: {operation_id}\n      responses: {{'204': {{description: done}}}}\n  /{title}:\n    get:\n      operationId: {title}_ListOwn\n      responses: {{'204': {{description: done}}}}\n"
    )
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("sdk-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    fn write(&self, rel: &str, text: &str) -> &Path {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
        std::fs::write(&path, text).expect("writes");
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn xtask_names_lists_cmdlets_and_what_two_modules_share() {
    let xtask = tests::workspace_binary("xtask", "xtask");
    let tmp = TempDir::new("names");
    tmp.write("docs/beta/A.yml", &module("Alpha", "thing_ListThing"));
    tmp.write("docs/beta/B.yml", &module("Beta", "thing_ListThing"));
    tmp.write("config/graph.yaml", "directive: []\n");
    let run = |config: &str| {
        Command::new(&xtask)
            .args(["names", "--sdk"])
            .arg(tmp.0.join("docs"))
            .arg("--config-dir")
            .arg(tmp.0.join(config))
            .output()
            .expect("xtask runs")
    };
    let out = run("config");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for line in ["beta\tAlpha\tGet-MgBetaAlphaOwn\n", "beta\tAlpha\tGet-MgBetaThing\n", "beta\tBeta\tGet-MgBetaThing\n"] {
        assert!(stdout.contains(line), "{line:?} missing from\n{stdout}");
    }
    assert!(stdout.contains("duplicate-operation\tbeta\tthing_ListThing\tAlpha\tBeta\n"), "{stdout}");
    assert!(stdout.contains("duplicate-cmdlet\tbeta\tGet-MgBetaThing\tAlpha\tBeta\n"), "{stdout}");
    // The module file of Beta removes its copy, as the real SDK's module
    // directives do: nothing is shared any more.
    tmp.write("config/Beta.yaml", "directive:\n  - remove-path-by-operation: '^thing_'\n");
    let out = run("config");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("beta\tBeta\tGet-MgBetaBetaOwn\n") && !stdout.contains("beta\tBeta\tGet-MgBetaThing"), "{stdout}");
    assert!(!stdout.contains("duplicate-"), "{stdout}");
    // A bad configuration is named with its file and pointer.
    tmp.write("config/Beta.yaml", "directive:\n  - remove-path-by-operation: '(('\n");
    let out = run("config");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr.contains("Beta.yaml#/directive/0/remove-path-by-operation: invalid regex"), "{stderr}");
}
