//! The API change report: two [`Surface`]s in, a list of changes out, each
//! marked breaking (a script that worked may stop working), additive (new
//! things to use, nothing lost) or docs-only (help text), grouped by cmdlet.
//!
//! `cargo xtask diff` prints it; `cargo xtask codegen` prints it for the
//! change it makes and keeps it in the generated crate as [`REPORT_FILE`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::emit::File;
use crate::render::Provenance;
use crate::surface::{self, CmdletSurface, IdentitySurface, Manifest, Membership, Surface, ALL_SETS};

/// File name of the report kept in the generated crate, next to the manifest.
pub const REPORT_FILE: &str = "api-changes.md";

/// How the group of identity-type changes is named, before the type name.
const IDENTITY_GROUP: &str = "identity ";

/// The group of changes to the typed client's method names.
const CLIENT_GROUP: &str = "typed client";

/// How a change affects existing callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// A call that worked before may fail or behave differently.
    Breaking,
    /// Something new; every call that worked still works.
    Additive,
    /// Help text only.
    DocsOnly,
}

impl Kind {
    /// The label used in reports.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Breaking => "breaking",
            Kind::Additive => "additive",
            Kind::DocsOnly => "docs-only",
        }
    }
}

/// One change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The cmdlet it concerns, or `identity NAME` for the identity type.
    pub cmdlet: String,
    /// Its kind.
    pub kind: Kind,
    /// What changed, with names in backticks.
    pub text: String,
}

/// Every change between two surfaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Where the old surface came from (`spec FILE sha256:..., codegen V`), if known.
    pub old_origin: Option<String>,
    /// Where the new surface came from, if known.
    pub new_origin: Option<String>,
    /// Changes grouped: the identity type first, then cmdlets by name;
    /// breaking ones first in each group.
    pub changes: Vec<Change>,
}

/// Compares two manifests (or surfaces with their provenance).
pub fn diff_manifests(old: &Manifest, new: &Manifest) -> Report {
    Report {
        old_origin: old.provenance.as_ref().map(origin),
        new_origin: new.provenance.as_ref().map(origin),
        ..diff(&old.surface, &new.surface)
    }
}

/// How a provenance reads in a report.
pub fn origin(p: &Provenance) -> String {
    let version = if p.generator_version.is_empty() { String::new() } else { format!(", codegen {}", p.generator_version) };
    format!("{} sha256:{}{version}", p.spec_file, p.spec_sha256)
}

/// Compares two surfaces.
pub fn diff(old: &Surface, new: &Surface) -> Report {
    let mut changes = Vec::new();
    diff_identity(old.identity.as_ref(), new.identity.as_ref(), &mut changes);
    diff_operations(&old.operations, &new.operations, &mut changes);
    for name in keys(&old.cmdlets, &new.cmdlets) {
        let mut out = Changes { cmdlet: name.clone(), list: Vec::new() };
        match (old.cmdlets.get(&name), new.cmdlets.get(&name)) {
            (Some(_), None) => {
                let alias_of = new.cmdlets.iter().find(|(_, c)| c.aliases.contains(&name)).map(|(n, _)| n);
                let text = match alias_of {
                    Some(other) => format!("cmdlet removed; its name is now an alias of `{other}`"),
                    None => "cmdlet removed".into(),
                };
                out.push(Kind::Breaking, text);
            }
            (None, Some(c)) => out.push(Kind::Additive, format!("cmdlet added, with parameter sets {}", set_list(c))),
            (Some(o), Some(n)) => diff_cmdlet(o, n, &mut out),
            (None, None) => {}
        }
        // Breaking changes first; within a kind, the order they were found in.
        out.list.sort_by_key(|c| c.kind);
        changes.extend(out.list);
    }
    Report { old_origin: None, new_origin: None, changes }
}

/// Changes of one group, under construction.
struct Changes {
    cmdlet: String,
    list: Vec<Change>,
}

impl Changes {
    fn push(&mut self, kind: Kind, text: String) {
        self.list.push(Change { cmdlet: self.cmdlet.clone(), kind, text });
    }
}

/// Union of the keys of two maps, sorted.
fn keys<V>(a: &BTreeMap<String, V>, b: &BTreeMap<String, V>) -> BTreeSet<String> {
    a.keys().chain(b.keys()).cloned().collect()
}

fn set_list(c: &CmdletSurface) -> String {
    let names: Vec<String> = c.sets.keys().filter(|s| *s != ALL_SETS).map(|s| format!("`{s}`")).collect();
    if names.is_empty() { "(none)".into() } else { names.join(", ") }
}

fn diff_identity(old: Option<&IdentitySurface>, new: Option<&IdentitySurface>, changes: &mut Vec<Change>) {
    let name = new.or(old).map(|i| i.type_name.clone()).unwrap_or_default();
    let mut out = Changes { cmdlet: format!("{IDENTITY_GROUP}{name}"), list: Vec::new() };
    match (old, new) {
        (None, None) => return,
        (Some(_), None) => out.push(Kind::Breaking, "identity type removed".into()),
        (None, Some(n)) => out.push(Kind::Additive, format!("identity type added, with {} properties", n.properties.len())),
        (Some(o), Some(n)) => {
            if o.type_name != n.type_name || o.full_type_name != n.full_type_name {
                out.push(Kind::Breaking, format!("type renamed from `{}` to `{}`", o.full_type_name, n.full_type_name));
            }
            for prop in keys(&o.properties, &n.properties) {
                match (o.properties.get(&prop), n.properties.get(&prop)) {
                    (Some(_), None) => out.push(Kind::Breaking, format!("property `{prop}` removed")),
                    (None, Some(p)) => out.push(Kind::Additive, format!("property `{prop}` added (fills `{{{}}}`)", p.placeholder)),
                    (Some(a), Some(b)) => {
                        if a.placeholder != b.placeholder {
                            out.push(
                                Kind::Breaking,
                                format!("property `{prop}` now fills `{{{}}}` instead of `{{{}}}`", b.placeholder, a.placeholder),
                            );
                        }
                        docs(&mut out, &format!("help of property `{prop}`"), &a.doc, &b.doc);
                    }
                    (None, None) => {}
                }
            }
        }
    }
    out.list.sort_by_key(|c| c.kind);
    changes.extend(out.list);
}

/// The typed client's methods, matched by HTTP method and path: a new Rust
/// name for the same call is a rename, which breaks Rust callers.
fn diff_operations(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>, changes: &mut Vec<Change>) {
    let mut out = Changes { cmdlet: CLIENT_GROUP.to_owned(), list: Vec::new() };
    for request in keys(old, new) {
        match (old.get(&request), new.get(&request)) {
            (Some(a), None) => out.push(Kind::Breaking, format!("method `{a}` removed ({request})")),
            (None, Some(b)) => out.push(Kind::Additive, format!("method `{b}` added ({request})")),
            (Some(a), Some(b)) if a != b => out.push(Kind::Breaking, format!("method `{a}` renamed to `{b}` ({request})")),
            _ => {}
        }
    }
    out.list.sort_by_key(|c| c.kind);
    changes.extend(out.list);
}

fn diff_cmdlet(old: &CmdletSurface, new: &CmdletSurface, out: &mut Changes) {
    docs(out, "synopsis", &old.synopsis, &new.synopsis);
    docs(out, "description", &old.description, &new.description);
    for alias in old.aliases.difference(&new.aliases) {
        out.push(Kind::Breaking, format!("alias `{alias}` removed"));
    }
    for alias in new.aliases.difference(&old.aliases) {
        out.push(Kind::Additive, format!("alias `{alias}` added"));
    }
    for ty in old.inputs.difference(&new.inputs) {
        out.push(Kind::Breaking, format!("no longer accepts `{ty}` from the pipeline"));
    }
    for ty in new.inputs.difference(&old.inputs) {
        out.push(Kind::Additive, format!("accepts `{ty}` from the pipeline"));
    }
    // Scripts consume the output by type, so any change to it can break them.
    if old.outputs != new.outputs {
        out.push(Kind::Breaking, format!("output changed from {} to {}", type_list(&old.outputs), type_list(&new.outputs)));
    }
    let old_default = default_set(old);
    let new_default = default_set(new);
    if old_default != new_default {
        let show = |s: Option<&str>| s.map_or("(none)".to_owned(), |s| format!("`{s}`"));
        out.push(
            Kind::Breaking,
            format!("default parameter set is now {} (was {})", show(new_default), show(old_default)),
        );
    }
    for set in keys(&old.sets, &new.sets).into_iter().filter(|s| s != ALL_SETS) {
        match (old.sets.get(&set), new.sets.get(&set)) {
            (Some(_), None) => out.push(Kind::Breaking, format!("parameter set `{set}` removed")),
            (None, Some(s)) => {
                let call = s.request.as_ref().map(|r| format!(": {} {}", r.method, r.path)).unwrap_or_default();
                out.push(Kind::Additive, format!("parameter set `{set}` added{call}"));
            }
            (Some(a), Some(b)) => match (&a.request, &b.request) {
                (Some(ra), Some(rb)) if ra.method != rb.method || ra.path != rb.path => {
                    let what = if ra.method != rb.method && ra.path != rb.path {
                        "method and path"
                    } else if ra.method != rb.method {
                        "method"
                    } else {
                        "path"
                    };
                    out.push(
                        Kind::Breaking,
                        format!("parameter set `{set}`: {what} changed from {} {} to {} {}", ra.method, ra.path, rb.method, rb.path),
                    );
                }
                _ => {}
            },
            (None, None) => {}
        }
    }
    for param in keys(&old.params, &new.params) {
        diff_param(old, new, &param, out);
    }
}

fn type_list(types: &BTreeSet<String>) -> String {
    if types.is_empty() { "nothing".into() } else { types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ") }
}

fn default_set(c: &CmdletSurface) -> Option<&str> {
    c.sets.iter().find(|(name, s)| s.default && *name != ALL_SETS).map(|(name, _)| name.as_str())
}

/// A parameter's membership of a real set: its own, or that of [`ALL_SETS`].
fn membership(c: &CmdletSurface, set: &str, param: &str) -> Option<Membership> {
    let own = c.sets.get(set).and_then(|s| s.params.get(param));
    own.or_else(|| c.sets.get(ALL_SETS).and_then(|s| s.params.get(param))).copied()
}

fn diff_param(old: &CmdletSurface, new: &CmdletSurface, name: &str, out: &mut Changes) {
    let dash = format!("`-{name}`");
    // Only sets present on both sides matter here: a new set is reported as
    // added, a removed one as removed, with whatever parameters they had.
    let shared: Vec<&String> = old.sets.keys().filter(|s| *s != ALL_SETS && new.sets.contains_key(*s)).collect();
    match (old.params.get(name), new.params.get(name)) {
        (Some(_), None) => {
            out.push(Kind::Breaking, format!("parameter {dash} removed"));
            return;
        }
        (None, Some(p)) => {
            let required: Vec<String> = shared
                .iter()
                .filter(|s| membership(new, s, name).is_some_and(|m| m.mandatory))
                .map(|s| format!("`{s}`"))
                .collect();
            if required.is_empty() {
                out.push(Kind::Additive, format!("parameter {dash} added ({})", p.ty));
            } else {
                out.push(Kind::Breaking, format!("parameter {dash} added ({}), mandatory in {}", p.ty, required.join(", ")));
            }
            return;
        }
        (Some(a), Some(b)) => {
            if a.ty != b.ty {
                out.push(Kind::Breaking, format!("parameter {dash}: type changed from `{}` to `{}`", a.ty, b.ty));
            }
            for alias in a.aliases.difference(&b.aliases) {
                out.push(Kind::Breaking, format!("parameter {dash}: alias `-{alias}` removed"));
            }
            for alias in b.aliases.difference(&a.aliases) {
                out.push(Kind::Additive, format!("parameter {dash}: alias `-{alias}` added"));
            }
            docs(out, &format!("help of parameter {dash}"), &a.doc, &b.doc);
        }
        (None, None) => return,
    }
    // Per-set facts; the same change in several sets is reported once.
    let mut by_text: BTreeMap<(Kind, &'static str), Vec<String>> = BTreeMap::new();
    for set in shared {
        let facts = match (membership(old, set, name), membership(new, set, name)) {
            (Some(_), None) => vec![(Kind::Breaking, "no longer in")],
            (None, Some(m)) if m.mandatory => vec![(Kind::Breaking, "added as mandatory to")],
            (None, Some(_)) => vec![(Kind::Additive, "added as optional to")],
            (Some(a), Some(b)) => {
                let mut facts = Vec::new();
                if !a.mandatory && b.mandatory {
                    facts.push((Kind::Breaking, "became mandatory in"));
                }
                if a.mandatory && !b.mandatory {
                    facts.push((Kind::Additive, "became optional in"));
                }
                if a.pipeline && !b.pipeline {
                    facts.push((Kind::Breaking, "no longer takes pipeline input in"));
                }
                if !a.pipeline && b.pipeline {
                    facts.push((Kind::Additive, "takes pipeline input in"));
                }
                facts
            }
            (None, None) => Vec::new(),
        };
        for fact in facts {
            by_text.entry(fact).or_default().push(format!("`{set}`"));
        }
    }
    for ((kind, what), sets) in by_text {
        let noun = if sets.len() == 1 { "set" } else { "sets" };
        out.push(kind, format!("parameter {dash} {what} {noun} {}", sets.join(", ")));
    }
}

/// Records a help-text change, showing both texts shortened.
fn docs(out: &mut Changes, what: &str, old: &str, new: &str) {
    if old != new {
        out.push(Kind::DocsOnly, format!("{what} changed: \"{}\" -> \"{}\"", shorten(old), shorten(new)));
    }
}

/// At most 80 characters, cut on a character boundary.
fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX { text.to_owned() } else { format!("{}...", text.chars().take(MAX).collect::<String>()) }
}

impl Report {
    /// Whether any change is breaking: `cargo xtask diff` then exits with 3.
    pub fn is_breaking(&self) -> bool {
        self.changes.iter().any(|c| c.kind == Kind::Breaking)
    }

    fn count(&self, kind: Kind) -> usize {
        self.changes.iter().filter(|c| c.kind == kind).count()
    }

    /// One line: the counts, or that nothing changed.
    pub fn summary(&self) -> String {
        if self.changes.is_empty() {
            return "API surface: no change.".into();
        }
        let groups = self.grouped();
        let cmdlets = groups.iter().filter(|(g, _)| !g.starts_with(IDENTITY_GROUP) && *g != CLIENT_GROUP).count();
        let mut places = Vec::new();
        match cmdlets {
            0 => {}
            1 => places.push("1 cmdlet".to_owned()),
            n => places.push(format!("{n} cmdlets")),
        }
        if groups.iter().any(|(g, _)| *g == CLIENT_GROUP) {
            places.push("the typed client".to_owned());
        }
        if groups.iter().any(|(g, _)| g.starts_with(IDENTITY_GROUP)) {
            places.push("the identity type".to_owned());
        }
        let place = match places.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        };
        let (b, a, d) = (self.count(Kind::Breaking), self.count(Kind::Additive), self.count(Kind::DocsOnly));
        let surface = if b + a == 0 { "no change to cmdlets, parameters or methods; " } else { "" };
        format!("API surface: {surface}{b} breaking, {a} additive, {d} docs-only (in {place}).")
    }

    /// Changes by group, in the order the groups first appear: the identity
    /// type, the typed client, then cmdlets by name.
    fn grouped(&self) -> Vec<(&str, Vec<&Change>)> {
        let mut groups: Vec<(&str, Vec<&Change>)> = Vec::new();
        for c in &self.changes {
            match groups.iter_mut().find(|(g, _)| *g == c.cmdlet) {
                Some((_, list)) => list.push(c),
                None => groups.push((c.cmdlet.as_str(), vec![c])),
            }
        }
        groups
    }

    /// Plain text for a terminal; a single line when nothing changed.
    pub fn to_text(&self) -> String {
        let mut out = format!("{}\n", self.summary());
        if self.changes.is_empty() {
            return out;
        }
        if let (Some(old), Some(new)) = (&self.old_origin, &self.new_origin) {
            let _ = writeln!(out, "  old: {old}\n  new: {new}");
        }
        for (group, changes) in self.grouped() {
            let _ = writeln!(out, "\n{group}");
            for c in changes {
                let _ = writeln!(out, "  {:<9}  {}", c.kind.label(), c.text);
            }
        }
        out
    }

    /// Markdown, for a pull-request comment or the report file.
    pub fn to_markdown(&self) -> String {
        format!("## API changes\n\n{}", self.markdown_body("###"))
    }

    /// The markdown without its title; `heading` marks each group's title.
    fn markdown_body(&self, heading: &str) -> String {
        let mut out = format!("{}\n", self.summary());
        if self.old_origin.is_some() || self.new_origin.is_some() {
            let show = |o: &Option<String>| o.clone().unwrap_or_else(|| "(unknown)".into());
            let _ = write!(out, "\n- old: `{}`\n- new: `{}`\n", show(&self.old_origin), show(&self.new_origin));
        }
        for (group, changes) in self.grouped() {
            let _ = writeln!(out, "\n{heading} `{group}`\n");
            for c in changes {
                let label = if c.kind == Kind::Breaking { "**breaking**" } else { c.kind.label() };
                let _ = writeln!(out, "- {label}: {}", c.text);
            }
        }
        out
    }
}

/// The report file of one generation, and what to tell the user.
#[derive(Debug, Clone)]
pub struct ReportFile {
    /// The file to keep in the generated crate.
    pub file: File,
    /// The report, when the surface manifest changed (and so the file was rebuilt).
    pub report: Option<Report>,
    /// A problem with the previous manifest, when it could not be read.
    pub warning: Option<String>,
}

/// Builds [`REPORT_FILE`] for a generation: the change from the manifest on
/// disk (`existing`, relative paths to bytes) to the one in `files`.
///
/// When the manifest does not change, the report on disk is kept as it is:
/// it describes the last change of the surface, so that regenerating twice,
/// or `--check`, does not replace it with "no change". Returns `None` when
/// `files` has no manifest.
pub fn report_file(files: &[File], existing: &BTreeMap<String, Vec<u8>>) -> Option<ReportFile> {
    report_file_in("", files, existing)
}

/// [`report_file`] for every crate of a workspace that has a manifest (one
/// report per module): `(crate folder, report)`, the folder empty for a
/// manifest at the root.
pub fn report_files(files: &[File], existing: &BTreeMap<String, Vec<u8>>) -> Vec<(String, ReportFile)> {
    let suffix = format!("/{}", surface::MANIFEST_FILE);
    files
        .iter()
        .filter_map(|f| {
            if f.path == surface::MANIFEST_FILE {
                Some(String::new())
            } else {
                f.path.strip_suffix(&suffix).map(str::to_owned)
            }
        })
        .filter_map(|dir| report_file_in(&dir, files, existing).map(|r| (dir, r)))
        .collect()
}

/// The report of the crate in folder `dir` (`""` for the root).
fn report_file_in(dir: &str, files: &[File], existing: &BTreeMap<String, Vec<u8>>) -> Option<ReportFile> {
    let at = |name: &str| if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") };
    let (manifest_path, report_path) = (at(surface::MANIFEST_FILE), at(REPORT_FILE));
    let new_file = files.iter().find(|f| f.path == manifest_path)?;
    let old_bytes = existing.get(&manifest_path);
    let kept = existing.get(&report_path).and_then(|b| String::from_utf8(b.clone()).ok());
    if let (Some(old), Some(kept)) = (old_bytes, kept)
        && old.as_slice() == new_file.contents.as_bytes() {
            return Some(ReportFile { file: File { path: report_path, contents: kept }, report: None, warning: None });
        }
    let mut result = report_body(new_file, old_bytes);
    result.file.path = report_path;
    Some(result)
}

/// Compares a new manifest with the old bytes.
fn report_body(new_file: &File, old_bytes: Option<&Vec<u8>>) -> ReportFile {
    // The new manifest was just rendered from the IR, so it parses; should it
    // not, the report says so instead of failing the generation.
    let new = match surface::parse(surface::MANIFEST_FILE, &new_file.contents) {
        Ok(m) => m,
        Err(e) => {
            let note = format!("codegen bug: the new manifest does not parse: {e}");
            return ReportFile { file: report_text(None, &note), report: None, warning: Some(note) };
        }
    };
    let header = new.provenance.clone();
    let (old, warning) = match old_bytes.map(|b| String::from_utf8_lossy(b).into_owned()) {
        None => (None, None),
        Some(text) => match surface::parse(&format!("previous {}", surface::MANIFEST_FILE), &text) {
            Ok(m) => (Some(m), None),
            Err(e) => (None, Some(format!("{e}; the report compares with an empty surface"))),
        },
    };
    let mut report = match &old {
        Some(old) => diff_manifests(old, &new),
        None => diff_manifests(&Manifest { provenance: None, surface: Surface::default() }, &new),
    };
    if old.is_none() {
        report.old_origin = Some(match &warning {
            Some(w) => format!("(previous manifest unreadable: {w})"),
            None => "(no previous manifest)".into(),
        });
    }
    let file = report_text(header.as_ref(), &report.markdown_body("##"));
    ReportFile { file, report: Some(report), warning }
}

/// The report file's text: the `@generated` header as HTML comments (so the
/// staleness check finds the spec hash), then the body.
fn report_text(provenance: Option<&Provenance>, body: &str) -> File {
    let mut contents = String::new();
    if let Some(p) = provenance {
        for line in p.lines() {
            let _ = writeln!(contents, "<!-- {line} -->");
        }
        contents.push('\n');
    }
    contents.push_str(
        "# Public API changes\n\n\
         What the last regeneration that changed `api-surface.txt` changed in the public API, as\n\
         `cargo xtask diff` reports it. `cargo xtask codegen` rewrites this file only when the\n\
         manifest changes, so it stays in place while the surface does.\n\n",
    );
    contents.push_str(body);
    File { path: REPORT_FILE.into(), contents }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surface(body: &str) -> Surface {
        surface::parse("t.txt", &format!("surface 1\ncmdlet Get-X\n{body}")).expect("valid manifest").surface
    }

    const BASE: &str = "  output X\n  param Id: System.String aliases=I\n  param Verbose: Switch\n  set (All)\n    param Verbose\n  set Get default\n    request GET /x/{id}\n    param Id mandatory\n";

    fn texts(old: &str, new: &str) -> Vec<(Kind, String)> {
        diff(&surface(old), &surface(new)).changes.into_iter().map(|c| (c.kind, c.text)).collect()
    }

    #[test]
    fn moving_a_parameter_out_of_all_sets_into_the_same_sets_is_no_change() {
        let moved = BASE.replace("  set (All)\n    param Verbose\n", "").replace("    param Id mandatory\n", "    param Id mandatory\n    param Verbose\n");
        assert_eq!(texts(BASE, &moved), []);
    }

    #[test]
    fn renamed_rust_methods_and_cmdlet_aliases_are_reported() {
        let old = surface::parse("t.txt", "surface 1\noperation GET /x rust=x_graph_b_pre_id\noperation GET /y rust=y\ncmdlet Get-X\n  alias Get-A\n").expect("valid");
        let new = surface::parse("t.txt", "surface 1\noperation GET /x rust=x_by_id\noperation GET /z rust=z\ncmdlet Get-X\n  alias Get-B\n").expect("valid");
        let report = diff(&old.surface, &new.surface);
        let texts: Vec<(&str, Kind, &str)> = report.changes.iter().map(|c| (c.cmdlet.as_str(), c.kind, c.text.as_str())).collect();
        assert_eq!(
            texts,
            [
                ("typed client", Kind::Breaking, "method `x_graph_b_pre_id` renamed to `x_by_id` (GET /x)"),
                ("typed client", Kind::Breaking, "method `y` removed (GET /y)"),
                ("typed client", Kind::Additive, "method `z` added (GET /z)"),
                ("Get-X", Kind::Breaking, "alias `Get-A` removed"),
                ("Get-X", Kind::Additive, "alias `Get-B` added"),
            ]
        );
        assert_eq!(report.summary(), "API surface: 3 breaking, 2 additive, 0 docs-only (in 1 cmdlet and the typed client).");
        let renamed = surface::parse("t.txt", "surface 1\ncmdlet Get-Y\n  alias Get-X\n").expect("valid");
        let report = diff(&old.surface, &renamed.surface);
        assert!(report.changes.iter().any(|c| c.text == "cmdlet removed; its name is now an alias of `Get-Y`"), "{report:?}");
    }

    #[test]
    fn aliases_outputs_and_the_default_set_are_classified() {
        let new = BASE
            .replace("aliases=I", "aliases=Key")
            .replace("output X", "output Y")
            .replace("  set Get default\n", "  set Get\n")
            .replace("    param Id mandatory\n", "    param Id mandatory\n  set List default\n    request GET /x\n");
        assert_eq!(
            texts(BASE, &new),
            [
                (Kind::Breaking, "output changed from `X` to `Y`".to_owned()),
                (Kind::Breaking, "default parameter set is now `List` (was `Get`)".to_owned()),
                (Kind::Breaking, "parameter `-Id`: alias `-I` removed".to_owned()),
                (Kind::Additive, "parameter set `List` added: GET /x".to_owned()),
                (Kind::Additive, "parameter `-Id`: alias `-Key` added".to_owned()),
            ]
        );
    }
}
