//! The API surface manifest and the change report: the manifest round-trips,
//! spec edits are classified (breaking, additive, docs-only), the report
//! file follows the manifest on disk, and the real 2020 -> 2024 history of
//! the start cmdlets is reported as unchanged in surface.

use std::collections::BTreeMap;

use codegen::diff::{self, Kind, Report};
use codegen::surface::{self, Surface};

const CONFIG: &str = "spec/codegen.yaml";

/// The surface of the committed spec after `edit` is applied to its text.
fn surface_after(edit: impl Fn(String) -> String) -> Surface {
    let (mut spec, config) = tests::committed_inputs();
    spec.text = edit(spec.text);
    let api = codegen::build_ir(&spec, &config, CONFIG).unwrap_or_else(|e| panic!("edited spec is still valid: {e}"));
    surface::from_api(&api)
}

/// Replaces exactly one occurrence, so a test fails loudly when the fragment
/// no longer has the text it edits.
fn once(text: &str, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "fragment text `{from}`");
    text.replacen(from, to, 1)
}

fn committed_surface() -> Surface {
    surface::from_api(&tests::committed_ir())
}

fn kinds(report: &Report) -> Vec<(Kind, &str)> {
    report.changes.iter().map(|c| (c.kind, c.text.as_str())).collect()
}

const APP: &str = "Start-MgBetaApplicationSynchronizationJob";
const SP: &str = "Start-MgBetaServicePrincipalSynchronizationJob";

/// An optional header parameter added to the application operation, for the
/// tests that need a parameter that is not mandatory to begin with.
fn with_header_param(text: String, required: bool) -> String {
    let anchor = "          x-ms-docs-key-type: synchronizationJob\n      responses:";
    let param = format!(
        "          x-ms-docs-key-type: synchronizationJob\n        - name: ConsistencyLevel\n          in: header\n          \
         description: Indicates the requested consistency level.\n          required: {required}\n          schema:\n            \
         type: string\n      responses:"
    );
    // Both operations share the anchor; only the first (applications) gets it.
    text.replacen(anchor, &param, 1)
}

#[test]
fn the_committed_manifest_round_trips_and_matches_the_ir() {
    let files = tests::committed_module_files();
    let file = files.iter().find(|f| f.path == surface::MANIFEST_FILE).expect("the manifest is generated");
    let parsed = surface::parse(&file.path, &file.contents).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.surface, committed_surface());
    let provenance = parsed.provenance.clone().expect("the header is read back");
    assert_eq!(surface::render(&parsed.surface, Some(&provenance)), file.contents);
    // Sorted and line-oriented: no trailing spaces, no tabs, cmdlets in order.
    assert!(file.contents.lines().all(|l| !l.ends_with(' ') && !l.contains('\t')));
    let cmdlets: Vec<&str> = file.contents.lines().filter_map(|l| l.strip_prefix("cmdlet ")).collect();
    assert_eq!(cmdlets, [APP, SP]);
    assert!(file.contents.contains(
        "  set Start default\n    request POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start\n    param ApplicationId mandatory\n"
    ));
    assert!(file.contents.contains("  param ApplicationId: System.String aliases=ObjectId\n"));
}

#[test]
fn no_change_is_one_line() {
    let report = diff::diff(&committed_surface(), &committed_surface());
    assert!(report.changes.is_empty() && !report.is_breaking());
    assert_eq!(report.to_text(), "API surface: no change.\n");
}

#[test]
fn removing_an_operation_is_breaking() {
    let new = surface_after(|t| {
        let start = t.find("  '/servicePrincipals/").expect("second path");
        let end = t.find("components:").expect("components");
        format!("{}{}", &t[..start], &t[end..])
    });
    let report = diff::diff(&committed_surface(), &new);
    assert!(report.is_breaking());
    // The typed client's method goes too (reported first, then cmdlets).
    assert_eq!(
        kinds(&report),
        [
            (
                Kind::Breaking,
                "method `service_principal_synchronization_job_start` removed (POST /servicePrincipals/{servicePrincipal-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start)"
            ),
            (Kind::Breaking, "cmdlet removed")
        ]
    );
    assert_eq!(report.changes[0].cmdlet, "typed client");
    assert_eq!(report.changes[1].cmdlet, SP);
}

#[test]
fn making_a_parameter_mandatory_is_breaking_and_the_reverse_additive() {
    let optional = surface_after(|t| with_header_param(t, false));
    let mandatory = surface_after(|t| with_header_param(t, true));
    let report = diff::diff(&optional, &mandatory);
    assert!(report.is_breaking(), "{}", report.to_text());
    assert!(
        kinds(&report)
            .contains(&(Kind::Breaking, "parameter `-ConsistencyLevel` became mandatory in sets `Start`, `StartViaIdentity`")),
        "{}",
        report.to_text()
    );
    assert!(report.changes.iter().all(|c| c.cmdlet == APP));
    let back = diff::diff(&mandatory, &optional);
    assert!(!back.is_breaking(), "{}", back.to_text());
    assert!(kinds(&back).iter().any(|(k, t)| *k == Kind::Additive && t.contains("became optional")));
}

#[test]
fn adding_an_optional_parameter_is_additive() {
    let report = diff::diff(&committed_surface(), &surface_after(|t| with_header_param(t, false)));
    assert!(!report.is_breaking(), "{}", report.to_text());
    assert!(kinds(&report).contains(&(Kind::Additive, "parameter `-ConsistencyLevel` added (System.String)")));
}

#[test]
fn renaming_a_path_parameter_is_breaking() {
    let new = surface_after(|t| {
        let t = t.replace("{servicePrincipal-id}", "{servicePrincipalKey}");
        once(&t, "- name: servicePrincipal-id", "- name: servicePrincipalKey")
    });
    let report = diff::diff(&committed_surface(), &new);
    let text = report.to_text();
    assert!(report.is_breaking(), "{text}");
    // The identity type gains the new key; the old one stays (module-wide
    // keys). The typed client's method now calls another path.
    assert!(
        report.changes.iter().all(|c| [SP, "identity IApplicationsIdentity", "typed client"].contains(&c.cmdlet.as_str())),
        "{text}"
    );
    let changes = kinds(&report);
    assert!(changes.contains(&(Kind::Additive, "property `ServicePrincipalKey` added (fills `{servicePrincipalKey}`)")), "{text}");
    assert!(changes.contains(&(Kind::Breaking, "parameter `-ServicePrincipalId` removed")), "{text}");
    assert!(
        changes.contains(&(Kind::Breaking, "parameter `-ServicePrincipalKey` added (System.String), mandatory in `Start`")),
        "{text}"
    );
    assert!(changes.iter().any(|(k, t)| *k == Kind::Breaking && t.starts_with("parameter set `Start`: path changed")), "{text}");
}

#[test]
fn renaming_only_the_placeholder_is_still_breaking() {
    // The PowerShell name stays (a naming override), but the path, and the
    // identity property -InputObject must carry, change.
    let (mut spec, mut config) = tests::committed_inputs();
    spec.text = spec.text.replace("{servicePrincipal-id}", "{sp-id}");
    spec.text = once(&spec.text, "- name: servicePrincipal-id", "- name: sp-id");
    config.parameter_names.insert("sp-id".into(), "ServicePrincipalId".into());
    let api = codegen::build_ir(&spec, &config, CONFIG).unwrap_or_else(|e| panic!("{e}"));
    let report = diff::diff(&committed_surface(), &surface::from_api(&api));
    assert!(report.is_breaking(), "{}", report.to_text());
    let sp: Vec<_> = report.changes.iter().filter(|c| c.cmdlet == SP).collect();
    assert!(!sp.is_empty() && sp.iter().all(|c| c.kind == Kind::Breaking && c.text.contains("path changed")), "{}", report.to_text());
}

#[test]
fn a_description_change_is_docs_only() {
    let new = surface_after(|t| once(&t, "Starts a synchronization job of an application.", "Starts a sync job of an application."));
    let report = diff::diff(&committed_surface(), &new);
    assert!(!report.is_breaking());
    assert!(!report.changes.is_empty() && report.changes.iter().all(|c| c.kind == Kind::DocsOnly && c.cmdlet == APP));
    assert!(report.summary().starts_with("API surface: no change to cmdlets, parameters or methods; 0 breaking, 0 additive, 2 docs-only"));
}

#[test]
fn markdown_groups_changes_by_cmdlet() {
    let new = surface_after(|t| {
        let t = with_header_param(t, true);
        once(&t, "Starts a synchronization job of a service principal.", "Starts a job.")
    });
    let md = diff::diff(&committed_surface(), &new).to_markdown();
    assert!(md.starts_with("## API changes\n"), "{md}");
    let app = md.find(&format!("### `{APP}`")).expect("application group");
    let sp = md.find(&format!("### `{SP}`")).expect("service principal group");
    assert!(app < sp);
    assert!(md[app..sp].contains("- **breaking**: parameter `-ConsistencyLevel` added (System.String), mandatory in `Start`"), "{md}");
    assert!(md[sp..].contains("- docs-only: synopsis changed"), "{md}");
}

/// The generated files of an edited spec, as `cargo xtask codegen` makes them.
fn files_after(edit: impl Fn(String) -> String) -> Vec<codegen::File> {
    let (mut spec, config) = tests::committed_inputs();
    spec.text = edit(spec.text);
    let source = codegen::RuntimeSource::Path("../codegen/runtime".to_owned());
    tests::module_files(codegen::generate(&spec, &config, CONFIG, &source).unwrap_or_else(|e| panic!("{e}")))
}

fn on_disk(files: &[codegen::File]) -> BTreeMap<String, Vec<u8>> {
    files.iter().map(|f| (f.path.clone(), f.contents.clone().into_bytes())).collect()
}

#[test]
fn the_report_file_follows_the_manifest_on_disk() {
    let before = tests::committed_module_files();
    let mut disk = on_disk(&before);

    // First generation: everything is new.
    let first = diff::report_file(&before, &BTreeMap::new()).expect("a manifest is generated");
    assert!(first.file.contents.contains("(no previous manifest)"));
    assert!(first.report.as_ref().is_some_and(|r| !r.is_breaking() && r.changes.iter().all(|c| c.kind == Kind::Additive)));
    disk.insert(diff::REPORT_FILE.into(), first.file.contents.clone().into_bytes());

    // Same manifest: the report on disk is kept, byte for byte.
    let again = diff::report_file(&before, &disk).expect("report");
    assert!(again.report.is_none());
    assert_eq!(again.file, first.file);

    // A spec change: the report describes it, with the new spec's header.
    let after = files_after(|t| with_header_param(t, true));
    let changed = diff::report_file(&after, &disk).expect("report");
    let report = changed.report.expect("rebuilt");
    assert!(report.is_breaking());
    let (spec, _) = tests::committed_inputs();
    assert!(report.old_origin.as_deref().is_some_and(|o| o.contains(&codegen::load::sha256_hex(&spec.text))));
    assert!(changed.file.contents.starts_with("<!-- @generated by `cargo xtask codegen`"));
    assert!(changed.file.contents.contains("- **breaking**: parameter `-ConsistencyLevel`"));
    assert_eq!(diff::report_file(&after, &disk).map(|r| r.file), Some(changed.file), "deterministic");

    // An unreadable previous manifest: a warning naming file and line, and a
    // report against an empty surface rather than a failed generation.
    disk.insert(surface::MANIFEST_FILE.into(), b"surface 1\ncmdlet\n".to_vec());
    let broken = diff::report_file(&after, &disk).expect("report");
    assert!(broken.warning.as_deref().is_some_and(|w| w.starts_with("previous api-surface.txt:2: ")), "{:?}", broken.warning);
}

#[test]
fn malformed_manifests_give_file_and_line_and_never_panic() {
    let text = tests::committed_module_files().into_iter().find(|f| f.path == surface::MANIFEST_FILE).expect("manifest").contents;
    let cases = [
        ("cmdlet X\n", 1, "expected `surface 1`"),
        ("surface 1\n   cmdlet X\n", 2, "two spaces"),
        ("surface 1\ncmdlet X\n  param A System.String\n", 3, "expected `param NAME: TYPE"),
        ("surface 1\ncmdlet X\n  set S\n    request GET\n", 4, "expected `request METHOD PATH`"),
        ("surface 1\ncmdlet X\n  set S\n", 3, "has no `request` line"),
        ("surface 1\ncmdlet X\ncmdlet X\n", 3, "appears twice"),
        ("surface 1\ncmdlet X\n      param A\n", 3, "deeper than"),
        ("surface 1\nwidget X\n", 2, "unknown entry `widget`"),
    ];
    for (input, line, message) in cases {
        let e = surface::parse("m.txt", input).expect_err(input);
        assert_eq!(e.line, line, "{input:?}: {e}");
        assert!(e.to_string().starts_with(&format!("m.txt:{line}: ")) && e.message.contains(message), "{input:?}: {e}");
    }
    // Every single-line deletion or truncation of a real manifest parses or
    // fails cleanly.
    let lines: Vec<&str> = text.lines().collect();
    for i in 0..lines.len() {
        let mut dropped = lines.clone();
        dropped.remove(i);
        let _ = surface::parse("m.txt", &dropped.join("\n"));
        let mut cut = lines.clone();
        let half: String = cut[i].chars().take(cut[i].chars().count() / 2).collect();
        cut[i] = &half;
        let _ = surface::parse("m.txt", &cut.join("\n"));
    }
}

/// Only the start cmdlets: the identity type is module-wide and differs
/// between the two documents, and the rest of the module really changed.
#[test]
fn start_cmdlets_are_unchanged_in_surface_from_2020_to_2024() {
    let Some(dir) = tests::graph_specs_dir("start_cmdlets_are_unchanged_in_surface_from_2020_to_2024") else {
        return;
    };
    let surface_of = |name: &str| {
        let path = dir.join("graph-beta").join(name);
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let spec = codegen::SpecInput { file: name.to_owned(), text };
        let api = codegen::build_ir(&spec, &codegen::Config::default(), "(default configuration)").unwrap_or_else(|e| panic!("{e}"));
        let mut s = surface::from_api(&api);
        s.identity = None;
        s.cmdlets.retain(|name, _| name == APP || name == SP);
        s.operations.retain(|request, _| request.contains("/synchronization/jobs/") && request.ends_with("start"));
        s
    };
    let old = surface_of("applications-2020-09-22.yml");
    let mut new = surface_of("applications-2024-03-12.yml");
    // The typed client's names follow the operationIds, which were renamed
    // (applications.synchronization.jobs_start -> application.synchronization.job_start):
    // for Rust callers that is a breaking rename, and the report says so.
    let renames = diff::diff(&old, &new);
    let renamed: Vec<&str> = renames.changes.iter().filter(|c| c.cmdlet == "typed client").map(|c| c.text.as_str()).collect();
    assert!(
        renamed.iter().any(|t| t.starts_with("method `applications_synchronization_jobs_start` renamed to `application_synchronization_job_start`")),
        "{renamed:?}"
    );
    // The cmdlets, which PowerShell users see, did not change.
    new.operations = old.operations.clone();
    assert_eq!(old.cmdlets.keys().collect::<Vec<_>>(), [APP, SP], "both documents have both start cmdlets");
    let report = diff::diff(&old, &new);
    let text = report.to_text();
    assert!(
        report.changes.iter().all(|c| c.kind == Kind::DocsOnly),
        "operationId renamed and 204 -> 2XX must not change the surface:\n{text}"
    );
    // The help texts did change (2020 had none but the summary), and say so.
    assert!(report.changes.iter().any(|c| c.cmdlet == APP && c.text.starts_with("synopsis changed")), "{text}");
    assert!(text.starts_with("API surface: no change to cmdlets, parameters or methods;"), "{text}");
    // Ignoring help, the two manifests are the same text.
    let strip = |mut s: Surface| {
        for c in s.cmdlets.values_mut() {
            c.synopsis.clear();
            c.description.clear();
            c.params.values_mut().for_each(|p| p.doc.clear());
        }
        surface::render(&s, None)
    };
    assert_eq!(strip(old), strip(new));
}

/// Odd but valid documents (keywords, Unicode, hostile help text) still give
/// a manifest that reads back as the same surface: names and help never
/// break the line format.
#[test]
fn manifests_of_odd_documents_round_trip() {
    let dir = tests::root().join("tests/hostile");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("skipped manifests_of_odd_documents_round_trip: no tests/hostile/");
        return;
    };
    let mut checked = 0;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        let spec = codegen::SpecInput { file: name.clone(), text };
        // Refused documents are the hostile tests' business; only the IR of
        // accepted ones is rendered here.
        let Ok(api) = codegen::build_ir(&spec, &codegen::Config::default(), "(default configuration)") else { continue };
        let surface = surface::from_api(&api);
        let text = surface::render(&surface, None);
        let parsed = surface::parse(&name, &text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(parsed.surface, surface, "{name}");
        assert_eq!(surface::render(&parsed.surface, None), text, "{name}");
        checked += 1;
    }
    assert!(checked > 0, "at least one valid document in tests/hostile/");
}
