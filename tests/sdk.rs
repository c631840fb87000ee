//! The whole SDK (issue 11): `cargo xtask codegen --sdk` over every module
//! document of the 2025-01 archive, and a program that calls three
//! generated module crates through one `Client`.
//!
//! The archive is found through `GRAPH_SPECS_DIR` (unpacked once into the
//! target folder); without it, the tests say they were skipped.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn xtask() -> PathBuf {
    tests::workspace_binary("xtask", "xtask")
}

fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The module crates of one version folder of the output (all but `models`).
fn modules(out: &Path, version: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join(version))
        .unwrap_or_else(|e| panic!("{version}: {e}"))
        .map(|entry| entry.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|name| name != "models")
        .collect();
    names.sort();
    names
}

/// The `.yml` documents of one version folder of the archive.
fn documents(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter(|entry| entry.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "yml")))
        .count()
}

fn package_name(manifest: &str) -> String {
    let value: toml::Table = manifest.parse().expect("generated manifests are TOML");
    value["package"]["name"].as_str().expect("package name").to_owned()
}

#[test]
fn every_document_of_the_archive_generates_one_workspace() {
    let Some(sdk) = tests::graph_sdk_dir("every_document_of_the_archive_generates_one_workspace") else {
        return;
    };
    let out = tests::target_dir().join("sdk-test").join("all");
    let _ = std::fs::remove_dir_all(&out);
    let xtask = xtask();
    let generated = run(Command::new(&xtask).arg("codegen").arg("--sdk").arg(&sdk).arg("--out").arg(&out));
    assert!(generated.status.success(), "generating the whole SDK failed:\n{}", text(&generated));

    // Every document became a module crate: the two that failed before
    // (beta Calendar, v1.0 Users.Functions) included.
    let (beta, v1) = (modules(&out, "beta"), modules(&out, "v1.0"));
    assert_eq!(beta.len(), documents(&sdk.join("beta")), "beta modules: {beta:?}");
    assert_eq!(v1.len(), documents(&sdk.join("v1.0")), "v1.0 modules: {v1:?}");
    assert!(beta.contains(&"calendar".to_owned()) && v1.contains(&"users-functions".to_owned()));

    // One workspace: the runtime once, a models crate per version, every
    // module and the CLI.
    let workspace: toml::Table = read(&out.join("Cargo.toml")).parse().expect("workspace manifest");
    let members: Vec<&str> =
        workspace["workspace"]["members"].as_array().expect("members").iter().filter_map(|m| m.as_str()).collect();
    assert_eq!(members.iter().filter(|m| m.ends_with("runtime")).count(), 1, "{members:?}");
    for member in ["runtime", "beta/models", "v1.0/models", "cli", "beta/applications", "v1.0/users"] {
        assert!(members.contains(&member), "{member} missing from {members:?}");
    }
    assert_eq!(members.len(), 4 + beta.len() + v1.len());
    assert!(!out.join("beta/applications/src/runtime").exists(), "module crates do not carry the runtime");

    // The version comes from each document: paths, crate names, cmdlet
    // names and PowerShell type names.
    let v1_users = read(&out.join("v1.0/users/src/lib.rs"));
    assert!(v1_users.contains("\"/v1.0\"") && !v1_users.contains("\"/beta\""), "{v1_users}");
    assert!(read(&out.join("beta/users/src/lib.rs")).contains("\"/beta\""));
    assert_eq!(package_name(&read(&out.join("v1.0/users/Cargo.toml"))), "mg-users");
    assert_eq!(package_name(&read(&out.join("beta/users/Cargo.toml"))), "mg-beta-users");
    assert_eq!(package_name(&read(&out.join("v1.0/models/Cargo.toml"))), "mg-models");
    assert_eq!(package_name(&read(&out.join("beta/models/Cargo.toml"))), "mg-beta-models");
    let get_user = read(&out.join("v1.0/users/docs/Get-MgUser.md"));
    assert!(get_user.contains("Microsoft.Graph.PowerShell.Models.IUser"), "{get_user}");
    assert!(out.join("beta/users/docs/Get-MgBetaUser.md").is_file());
    for module in &v1 {
        let docs = out.join("v1.0").join(module).join("docs");
        for entry in std::fs::read_dir(&docs).unwrap_or_else(|e| panic!("{}: {e}", docs.display())) {
            let name = entry.expect("entry").file_name().to_string_lossy().into_owned();
            assert!(!name.contains("MgBeta"), "v1.0 cmdlet named like beta: {module}/{name}");
        }
    }

    // One CLI, binary `mg`, a feature per module named <version>-<module>.
    let cli: toml::Table = read(&out.join("cli/Cargo.toml")).parse().expect("CLI manifest");
    let bins = cli["bin"].as_array().expect("[[bin]]");
    assert_eq!(bins.len(), 1);
    assert_eq!(bins[0]["name"].as_str(), Some("mg"));
    let features = cli["features"].as_table().expect("[features]");
    for module in &beta {
        assert!(features.contains_key(&format!("beta-{module}")), "no CLI feature for beta {module}");
    }
    for module in &v1 {
        assert!(features.contains_key(&format!("v1-0-{module}")), "no CLI feature for v1.0 {module}");
    }

    // Regenerating checks clean; edits, deletions and strays are reported
    // without touching the tree.
    let check = || run(Command::new(&xtask).arg("codegen").arg("--check").arg("--sdk").arg(&sdk).arg("--out").arg(&out));
    let clean = check();
    assert!(clean.status.success(), "--check right after generation failed:\n{}", text(&clean));

    let edited = out.join("v1.0/users/src/lib.rs");
    let removed = out.join("beta/calendar/api-surface.txt");
    let stray = out.join("v1.0/schema-extensions/src/stray.rs");
    let removed_text = read(&removed);
    std::fs::write(&edited, format!("{v1_users}// an edit\n")).expect("edit");
    std::fs::remove_file(&removed).expect("remove");
    std::fs::write(&stray, "// not generated\n").expect("stray");
    let stale = check();
    let report = text(&stale);
    assert!(!stale.status.success(), "--check missed edits:\n{report}");
    for name in ["v1.0/users/src/lib.rs", "beta/calendar/api-surface.txt", "v1.0/schema-extensions/src/stray.rs"] {
        assert!(report.contains(name), "--check does not name {name}:\n{report}");
    }
    assert!(read(&edited).ends_with("// an edit\n") && !removed.exists() && stray.exists(), "--check changed the tree");
    std::fs::write(&edited, &v1_users).expect("restore");
    std::fs::write(&removed, removed_text).expect("restore");
    std::fs::remove_file(&stray).expect("restore");
}

/// The program: one `Client`, one token provider counting its calls, an
/// operation from each of three module crates, `?` across them.
const PROGRAM: &str = r#"
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mg_runtime::client::token_fn;
use mg_runtime::error::Secret;
use mg_runtime::request::Query;
use mg_runtime::{Client, Error};

async fn calls(client: &Client) -> Result<(String, String), Error> {
    mg_beta_applications::operations::application_synchronization_job_start("app-1", "job-1")
        .send(client)
        .await?;
    let user = mg_users::operations::user_get_user("user-1", &Query::default()).send(client).await?;
    let query = Query { select: Some(vec!["id".to_owned(), "description".to_owned()]), ..Query::default() };
    let extension =
        mg_schema_extensions::operations::schema_extension_get_schema_extension("ext-1", &query).send(client).await?;
    Ok((user.display_name.unwrap_or_default(), extension.description.unwrap_or_default()))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    let root = std::env::args().nth(1).expect("the service root");
    let tokens = Arc::new(AtomicUsize::new(0));
    let counter = tokens.clone();
    let provider = token_fn(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(Some(Secret::new(format!("token-{n}")))) }
    });
    let client = Client::builder().base_url(root.clone()).token_provider(provider).build()?;
    let (user, extension) = calls(&client).await?;
    println!("user: {user}");
    println!("extension: {extension}");
    println!("tokens: {}", tokens.load(Ordering::SeqCst));

    // A root pinned to /beta keeps beta calls and refuses v1.0 ones.
    let pinned = Client::builder().base_url(format!("{root}/beta")).token_provider(token_fn(|| async {
        Ok(Some(Secret::new("pinned")))
    })).build()?;
    mg_beta_applications::operations::application_synchronization_job_start("app-2", "job-2").send(&pinned).await?;
    match mg_users::operations::user_get_user("user-2", &Query::default()).send(&pinned).await {
        Ok(_) => println!("pinned: v1.0 call went through"),
        Err(error) => println!("pinned: {error}"),
    }
    Ok(())
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_calls_three_real_modules() {
    use wiremock::matchers::{header, method, path, query_param};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let Some(sdk) = tests::graph_sdk_dir("one_client_calls_three_real_modules") else {
        return;
    };
    // Three real documents, two versions, generated as one SDK.
    let work = tests::target_dir().join("sdk-test").join("three");
    let _ = std::fs::remove_dir_all(&work);
    let docs = work.join("docs");
    for (version, file) in [("beta", "Applications.yml"), ("v1.0", "Users.yml"), ("v1.0", "SchemaExtensions.yml")] {
        std::fs::create_dir_all(docs.join(version)).expect("docs folder");
        std::fs::copy(sdk.join(version).join(file), docs.join(version).join(file)).expect("copy document");
    }
    let out = work.join("out");
    let generated = run(Command::new(xtask()).arg("codegen").arg("--sdk").arg(&docs).arg("--out").arg(&out));
    assert!(generated.status.success(), "generating three modules failed:\n{}", text(&generated));

    // A program of our own beside it, using each crate with only the API
    // tag it calls, built offline with this repository's lock file.
    let app = work.join("app");
    std::fs::create_dir_all(app.join("src")).expect("app folder");
    let crate_path = |rel: &str| out.join(rel).display().to_string().replace('\\', "/");
    let manifest = format!(
        r#"[package]
name = "three-modules"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
mg-runtime = {{ path = "{runtime}" }}
mg-beta-applications = {{ path = "{applications}", default-features = false, features = ["applications-actions"] }}
mg-users = {{ path = "{users}", default-features = false, features = ["users-user"] }}
mg-schema-extensions = {{ path = "{extensions}", default-features = false, features = ["schema-extensions-schema-extension"] }}
tokio = {{ version = "1", features = ["rt", "macros"] }}
"#,
        runtime = crate_path("runtime"),
        applications = crate_path("beta/applications"),
        users = crate_path("v1.0/users"),
        extensions = crate_path("v1.0/schema-extensions"),
    );
    std::fs::write(app.join("Cargo.toml"), manifest).expect("manifest");
    std::fs::write(app.join("src/main.rs"), PROGRAM).expect("program");
    std::fs::copy(tests::root().join("Cargo.lock"), app.join("Cargo.lock")).expect("lock file");
    let target = tests::target_dir().join("sdk-test").join("target");
    let built = run(Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(&app)
        .env("CARGO_TARGET_DIR", &target));
    assert!(built.status.success(), "the three-module program does not build:\n{}", text(&built));
    let binary = target.join("debug").join(format!("three-modules{}", std::env::consts::EXE_SUFFIX));

    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/beta/applications/app-1/synchronization/jobs/job-1/microsoft.graph.start"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/users/user-1"))
        .and(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "user-1", "displayName": "Adele"})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1.0/schemaExtensions/ext-1"))
        .and(query_param("$select", "id,description"))
        .and(header("authorization", "Bearer token-3"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(serde_json::json!({"id": "ext-1", "description": "course data"})),
        )
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/beta/applications/app-2/synchronization/jobs/job-2/microsoft.graph.start"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;

    let uri = server.uri();
    let ran = tokio::task::spawn_blocking(move || run(Command::new(&binary).arg(uri))).await.expect("the program runs");
    let said = format!("{}{}", String::from_utf8_lossy(&ran.stdout), String::from_utf8_lossy(&ran.stderr));
    assert!(ran.status.success(), "the program failed:\n{said}");
    assert!(said.contains("user: Adele\n") && said.contains("extension: course data\n"), "{said}");
    assert!(said.contains("tokens: 3\n"), "one token provider serves every module:\n{said}");
    let pinned = said.lines().find(|l| l.starts_with("pinned: ")).unwrap_or_default();
    assert!(pinned.contains("/beta") && pinned.contains("v1.0"), "a v1.0 call through a /beta root: {pinned}");
    server.verify().await;
    // Nothing reached the server besides the four calls above.
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(4));
}
