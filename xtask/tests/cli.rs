//! `cargo xtask` run as a process, the way CI and reviewers run it: the
//! change report and its exit status, the report kept in the generated crate,
//! `--check`'s two reasons, and all-or-nothing writes when a write fails.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask")).args(args).output().expect("xtask runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A fresh scratch folder holding a copy of the committed spec.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xtask-cli-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch");
    fs::copy(root().join("spec/applications.synchronization-start.yaml"), dir.join("spec.yaml")).expect("copy spec");
    dir
}

fn path(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

fn edit_spec(dir: &Path, from: &str, to: &str) {
    let file = dir.join("spec.yaml");
    let text = fs::read_to_string(&file).expect("spec");
    assert_eq!(text.matches(from).count(), 1, "{from}");
    fs::write(&file, text.replacen(from, to, 1)).expect("write spec");
}

/// Gives the application operation an optional `ConsistencyLevel` header
/// parameter; flipping its `required: false` is then a one-word breaking edit.
fn add_optional_header(dir: &Path) {
    let anchor = "          x-ms-docs-key-type: synchronizationJob\n      responses:";
    let param = "          x-ms-docs-key-type: synchronizationJob\n        - name: ConsistencyLevel\n          in: header\n          \
                 required: false\n          schema:\n            type: string\n      responses:";
    let text = fs::read_to_string(dir.join("spec.yaml")).expect("spec");
    fs::write(dir.join("spec.yaml"), text.replacen(anchor, param, 1)).expect("write");
}

fn make_header_mandatory(dir: &Path) {
    edit_spec(dir, "          required: false", "          required: true");
}

fn codegen(dir: &Path, extra: &[&str]) -> Output {
    let config = root().join("spec/codegen.yaml");
    let spec = dir.join("spec.yaml");
    let out = dir.join("out");
    let mut args = vec!["codegen", "--spec", path(&spec), "--config", path(&config), "--out", path(&out)];
    args.extend_from_slice(extra);
    xtask(&args)
}

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).expect("list") {
            let p = entry.expect("entry").path();
            if p.is_dir() {
                out.insert(p.clone(), b"<dir>".to_vec());
                stack.push(p);
            } else {
                out.insert(p.clone(), fs::read(&p).expect("read"));
            }
        }
    }
    out
}

#[test]
fn diff_exits_3_on_a_breaking_change_and_0_otherwise() {
    let dir = scratch("diff");
    let committed = root().join("spec/applications.synchronization-start.yaml");
    add_optional_header(&dir);
    let edited = dir.join("spec.yaml");

    let optional = dir.join("optional.yaml");
    fs::copy(&edited, &optional).expect("copy");
    make_header_mandatory(&dir);

    let breaking = xtask(&["diff", path(&optional), path(&edited)]);
    assert_eq!(breaking.status.code(), Some(3), "{}{}", stdout(&breaking), stderr(&breaking));
    assert!(stdout(&breaking).contains("breaking   parameter `-ConsistencyLevel` became mandatory in sets `Start`, `StartViaIdentity`"), "{}", stdout(&breaking));

    let additive = xtask(&["diff", path(&committed), path(&optional), "--format", "markdown"]);
    assert_eq!(additive.status.code(), Some(0), "{}", stderr(&additive));
    assert!(stdout(&additive).starts_with("## API changes\n"), "{}", stdout(&additive));
    assert!(stdout(&additive).contains("- additive: parameter `-ConsistencyLevel` added (System.String)"), "{}", stdout(&additive));

    let same = xtask(&["diff", path(&committed), path(&committed)]);
    assert_eq!((same.status.code(), stdout(&same).as_str()), (Some(0), "API surface: no change.\n"));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn diff_reads_manifests_and_folders_and_reports_bad_input() {
    let dir = scratch("manifests");
    let generated = root().join("generated");
    let manifest = generated.join("beta/applications/api-surface.txt");
    if manifest.exists() {
        let same = xtask(&["diff", path(&generated.join("beta/applications")), path(&manifest)]);
        assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    }
    let bad = dir.join("bad.txt");
    fs::write(&bad, "# a manifest\nsurface 1\ncmdlet A\n  set S loud\n").expect("write");
    let out = xtask(&["diff", path(&bad), path(&bad)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.txt:4: unknown set flag `loud`"), "{}", stderr(&out));
    assert_eq!(xtask(&["diff", path(&bad)]).status.code(), Some(2));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn codegen_prints_and_keeps_the_report_and_check_names_the_reason() {
    let dir = scratch("codegen");
    add_optional_header(&dir);
    let first = codegen(&dir, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let report = dir.join("out/beta/applications/api-changes.md");
    assert!(fs::read_to_string(&report).expect("report").contains("(no previous manifest)"));

    let again = codegen(&dir, &[]);
    assert!(stdout(&again).contains("API surface: no change"), "{}", stdout(&again));
    assert!(codegen(&dir, &["--check"]).status.success(), "a second run changes nothing, report included");

    // A hand edit and a spec change are told apart.
    let operations = dir.join("out/beta/applications/src/operations/applications_actions.rs");
    let original = fs::read_to_string(&operations).expect("operations");
    fs::write(&operations, format!("{original}\n// tweak\n")).expect("edit");
    let edited = codegen(&dir, &["--check"]);
    assert!(!edited.status.success());
    assert!(stderr(&edited).contains("src/operations/applications_actions.rs: differs from what the generator writes"), "{}", stderr(&edited));
    fs::write(&operations, original).expect("restore");

    make_header_mandatory(&dir);
    let stale = codegen(&dir, &["--check"]);
    assert!(stderr(&stale).contains("api-surface.txt: spec changed since generation: run `cargo xtask codegen`"), "{}", stderr(&stale));

    // Regenerating reports the breaking change, and keeps it in the crate.
    let regen = codegen(&dir, &[]);
    assert!(regen.status.success(), "{}", stderr(&regen));
    assert!(stdout(&regen).contains("breaking   parameter `-ConsistencyLevel` became mandatory in sets `Start`, `StartViaIdentity`"), "{}", stdout(&regen));
    let kept = fs::read_to_string(&report).expect("report");
    assert!(kept.contains("- **breaking**: parameter `-ConsistencyLevel` became mandatory in sets `Start`, `StartViaIdentity`"), "{kept}");
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn a_write_failing_midway_leaves_the_output_byte_for_byte_as_it_was() {
    let dir = scratch("atomic");
    assert!(codegen(&dir, &[]).status.success());
    // The report is the last file of the plan: a non-empty folder in its
    // place makes that final rename fail after every other file was written.
    let report = dir.join("out/beta/applications/api-changes.md");
    fs::remove_file(&report).expect("remove report");
    fs::create_dir_all(report.join("blocker")).expect("blocker");
    fs::write(report.join("blocker/keep"), "x").expect("blocker file");
    add_optional_header(&dir);
    let before = tree(&dir.join("out"));

    let out = codegen(&dir, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stderr(&out).contains("was left as it was"), "{}", stderr(&out));
    assert_eq!(tree(&dir.join("out")), before, "no file changed, none added, no temp file left");
    let _ = fs::remove_dir_all(&dir);
}
