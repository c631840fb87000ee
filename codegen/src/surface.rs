//! The public surface of a generated crate as a manifest: a line-oriented,
//! sorted text file (`api-surface.txt`) that is regenerated with the code, so
//! that a spec update reads as a small diff, and that [`crate::diff`] compares.
//!
//! The manifest holds exactly what the change report compares: cmdlets, their
//! parameter sets (with the HTTP method and path each one calls), parameters
//! (type, aliases, and per set whether they are mandatory or take pipeline
//! input), input and output types, the identity type's properties, and the
//! help texts (synopsis, descriptions), whose changes count as docs-only.
//! The typed client's methods are listed too, one `operation` line each
//! (HTTP method, path, Rust method name), so that a rename of a Rust name
//! shows in the change report. Deliberately left out: operationIds and
//! response codes.
//!
//! ```text
//! surface 1
//!
//! identity IApplicationsIdentity Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity
//!   property ApplicationId placeholder=application-id
//!     doc: The unique identifier of application
//!
//! operation POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start rust=application_synchronization_job_start
//!
//! cmdlet Start-MgBetaApplicationSynchronizationJob
//!   synopsis: Starts a synchronization job of an application.
//!   alias Start-MgBetaApplicationSyncJob
//!   input Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity
//!   output System.Boolean
//!   param ApplicationId: System.String aliases=ObjectId
//!     doc: The unique identifier of application
//!   set (All)
//!     param Headers pipeline
//!   set Start default
//!     request POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start
//!     param ApplicationId mandatory
//! ```
//!
//! Grammar: two spaces per level; `#` lines and blank lines are comments.
//! Parameter facts that PowerShell keeps per parameter (type, aliases, help)
//! are written once under the cmdlet; facts it keeps per set (mandatory,
//! pipeline) under each set, so a change shows up on exactly one line.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::ir::{self, Api};
use crate::render::Provenance;

/// File name of the manifest inside the generated crate.
pub const MANIFEST_FILE: &str = "api-surface.txt";

/// The first fact of every manifest: the format and its version.
const FORMAT_LINE: &str = "surface 1";

/// The name PowerShell gives to "every parameter set" in help documents;
/// parameters that belong to all sets are listed under it.
pub const ALL_SETS: &str = "(All)";

/// The public surface of one generated crate.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surface {
    /// The module-wide identity type, if the manifest has one.
    pub identity: Option<IdentitySurface>,
    /// Cmdlets by name.
    pub cmdlets: BTreeMap<String, CmdletSurface>,
    /// The typed client's methods: `METHOD PATH` -> Rust method name.
    pub operations: BTreeMap<String, String>,
}

/// The identity type that `-InputObject` takes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentitySurface {
    /// Short type name (`IApplicationsIdentity`).
    pub type_name: String,
    /// Full PowerShell type name.
    pub full_type_name: String,
    /// Properties by name.
    pub properties: BTreeMap<String, IdentityPropertySurface>,
}

/// One identity property.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IdentityPropertySurface {
    /// The path placeholder the property fills.
    pub placeholder: String,
    /// Help text (whitespace-normalized).
    pub doc: String,
}

/// One cmdlet.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CmdletSurface {
    /// Synopsis (whitespace-normalized).
    pub synopsis: String,
    /// Description (whitespace-normalized).
    pub description: String,
    /// Other names of the cmdlet.
    pub aliases: BTreeSet<String>,
    /// PowerShell type names accepted from the pipeline.
    pub inputs: BTreeSet<String>,
    /// PowerShell type names written to the output.
    pub outputs: BTreeSet<String>,
    /// Parameters by name: the facts that do not depend on the set.
    pub params: BTreeMap<String, ParamSurface>,
    /// Parameter sets by name; [`ALL_SETS`] holds parameters of every set.
    pub sets: BTreeMap<String, SetSurface>,
}

/// The set-independent facts of one parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParamSurface {
    /// Full PowerShell type name (no whitespace).
    pub ty: String,
    /// Aliases.
    pub aliases: BTreeSet<String>,
    /// Help text (whitespace-normalized).
    pub doc: String,
}

/// One parameter set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SetSurface {
    /// Whether it is the default set.
    pub default: bool,
    /// The call it makes; `None` only for [`ALL_SETS`].
    pub request: Option<Request>,
    /// Member parameters by name.
    pub params: BTreeMap<String, Membership>,
}

/// The HTTP call behind a parameter set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    /// Upper-case method.
    pub method: String,
    /// Path template as the document writes it.
    pub path: String,
}

/// How a parameter belongs to one set.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Membership {
    /// Must be given in this set.
    pub mandatory: bool,
    /// Binds from the pipeline (by value) in this set.
    pub pipeline: bool,
}

/// A parsed manifest: the surface plus where it came from.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// The header's provenance (spec file, SHA-256, generator), when present.
    pub provenance: Option<Provenance>,
    /// The surface itself.
    pub surface: Surface,
}

/// A manifest that cannot be read, with the place of the problem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// The file as the caller named it.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Help text on one line: manifests are line-oriented, and a change that only
/// re-wraps a paragraph is not worth a line in the change report.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Type and set names are single tokens in the manifest; PowerShell never
/// puts whitespace in them, and dropping it keeps the format unambiguous.
fn token(text: &str) -> String {
    text.split_whitespace().collect()
}

/// The surface of an API as the emitters present it.
pub fn from_api(api: &Api) -> Surface {
    let identity = IdentitySurface {
        type_name: token(&api.identity.type_name),
        full_type_name: token(&api.identity.full_type_name),
        properties: api
            .identity
            .properties
            .iter()
            .map(|p| {
                (token(&p.name), IdentityPropertySurface { placeholder: token(&p.placeholder), doc: one_line(&p.description) })
            })
            .collect(),
    };
    let cmdlets = api.cmdlets.iter().map(|c| (token(&c.name), cmdlet_surface(api, c))).collect();
    let operations = api
        .operations
        .iter()
        .map(|op| (format!("{} {}", op.method.as_str(), token(&op.path.raw)), token(&op.rust_name)))
        .collect();
    Surface { identity: Some(identity), cmdlets, operations }
}

fn cmdlet_surface(api: &Api, cmdlet: &ir::Cmdlet) -> CmdletSurface {
    let mut sets: BTreeMap<String, SetSurface> = cmdlet
        .sets
        .iter()
        .map(|s| {
            // Lowering guarantees the index; a missing operation still must
            // not panic, and shows up as a set without a request line.
            let request = api
                .operations
                .get(s.operation)
                .map(|op| Request { method: op.method.as_str().to_owned(), path: token(&op.path.raw) });
            (token(&s.name), SetSurface { default: s.default, request, params: BTreeMap::new() })
        })
        .collect();
    let mut params = BTreeMap::new();
    for p in &cmdlet.all_params() {
        let name = token(&p.name);
        params.insert(
            name.clone(),
            ParamSurface {
                ty: token(&p.ty.name()),
                aliases: p.aliases.iter().map(|a| token(a)).collect(),
                doc: one_line(&p.description),
            },
        );
        match &p.sets {
            None => {
                let all = sets.entry(ALL_SETS.to_owned()).or_default();
                all.params.insert(name, Membership { mandatory: false, pipeline: p.all_sets_pipeline });
            }
            Some(memberships) => {
                for m in memberships {
                    let set = sets.entry(token(&m.set)).or_default();
                    set.params.insert(name.clone(), Membership { mandatory: m.mandatory, pipeline: m.from_pipeline });
                }
            }
        }
    }
    CmdletSurface {
        synopsis: one_line(&cmdlet.synopsis),
        description: one_line(&cmdlet.description),
        aliases: cmdlet.aliases.iter().map(|a| token(a)).collect(),
        inputs: cmdlet.inputs.iter().map(|t| token(t)).collect(),
        outputs: cmdlet.outputs.iter().map(|t| token(t)).collect(),
        params,
        sets,
    }
}

/// The manifest file of an API, with the `@generated` header as `#` lines.
pub fn manifest(api: &Api, provenance: &Provenance) -> String {
    render(&from_api(api), Some(provenance))
}

/// Renders a surface in the canonical layout (sorted, two-space indents).
pub fn render(surface: &Surface, provenance: Option<&Provenance>) -> String {
    let mut out = String::new();
    if let Some(p) = provenance {
        out.push_str(&p.hash_header());
        out.push_str("#\n");
    }
    out.push_str(
        "# The public surface of this crate, one fact per line, sorted. A spec update\n\
         # shows up here as a small diff; `cargo xtask diff OLD NEW` explains it.\n\n",
    );
    out.push_str(FORMAT_LINE);
    out.push('\n');
    if let Some(identity) = &surface.identity {
        out.push_str(&format!("\nidentity {} {}\n", identity.type_name, identity.full_type_name));
        for (name, prop) in &identity.properties {
            out.push_str(&format!("  property {name} placeholder={}\n", prop.placeholder));
            doc_line(&mut out, "    doc", &prop.doc);
        }
    }
    if !surface.operations.is_empty() {
        out.push('\n');
    }
    for (request, rust_name) in &surface.operations {
        out.push_str(&format!("operation {request} rust={rust_name}\n"));
    }
    for (name, cmdlet) in &surface.cmdlets {
        out.push_str(&format!("\ncmdlet {name}\n"));
        doc_line(&mut out, "  synopsis", &cmdlet.synopsis);
        doc_line(&mut out, "  description", &cmdlet.description);
        for alias in &cmdlet.aliases {
            out.push_str(&format!("  alias {alias}\n"));
        }
        for input in &cmdlet.inputs {
            out.push_str(&format!("  input {input}\n"));
        }
        for output in &cmdlet.outputs {
            out.push_str(&format!("  output {output}\n"));
        }
        for (pname, param) in &cmdlet.params {
            out.push_str(&format!("  param {pname}: {}", param.ty));
            if !param.aliases.is_empty() {
                out.push_str(&format!(" aliases={}", param.aliases.iter().cloned().collect::<Vec<_>>().join(",")));
            }
            out.push('\n');
            doc_line(&mut out, "    doc", &param.doc);
        }
        for (sname, set) in &cmdlet.sets {
            out.push_str(&format!("  set {sname}{}\n", if set.default { " default" } else { "" }));
            if let Some(r) = &set.request {
                out.push_str(&format!("    request {} {}\n", r.method, r.path));
            }
            for (pname, m) in &set.params {
                out.push_str(&format!(
                    "    param {pname}{}{}\n",
                    if m.mandatory { " mandatory" } else { "" },
                    if m.pipeline { " pipeline" } else { "" }
                ));
            }
        }
    }
    out
}

/// Empty help is left out rather than written as a key with no value.
fn doc_line(out: &mut String, key: &str, text: &str) {
    if !text.is_empty() {
        out.push_str(&format!("{key}: {text}\n"));
    }
}

/// Whether a text is a manifest rather than a spec document: its first fact
/// is the format line.
pub fn looks_like_manifest(text: &str) -> bool {
    text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).is_some_and(|l| l.starts_with("surface "))
}

/// Where the parser is: which block the next indented line belongs to.
enum Context {
    Top,
    Identity,
    IdentityProperty(String),
    Cmdlet(String),
    CmdletParam(String, String),
    Set(String, String),
}

/// Reads a manifest. `file` names it in errors, which carry the line number.
pub fn parse(file: &str, text: &str) -> Result<Manifest, ParseError> {
    let mut surface = Surface::default();
    let mut header = Header::default();
    let mut seen_format = false;
    let mut context = Context::Top;
    for (index, raw) in text.lines().enumerate() {
        let err = |message: String| ParseError { file: file.to_owned(), line: index + 1, message };
        // A checkout with CRLF line endings is still the same manifest.
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            continue;
        }
        if let Some(comment) = trimmed.strip_prefix('#') {
            header.read(comment.trim());
            continue;
        }
        let indent = line.len() - trimmed.len();
        if indent % 2 != 0 || line[..indent].contains('\t') {
            return Err(err("indent with two spaces per level".into()));
        }
        let level = indent / 2;
        if !seen_format {
            if level != 0 || trimmed != FORMAT_LINE {
                return Err(err(format!("expected `{FORMAT_LINE}` as the first line that is not a comment")));
            }
            seen_format = true;
            continue;
        }
        let (keyword, rest) = trimmed.split_once(' ').unwrap_or((trimmed, ""));
        context = match (level, keyword) {
            (0, "identity") => {
                if surface.identity.is_some() {
                    return Err(err("a second `identity` block".into()));
                }
                let [type_name, full_type_name] = words::<2>(rest).ok_or_else(|| err("expected `identity NAME FULL-NAME`".into()))?;
                surface.identity = Some(IdentitySurface { type_name, full_type_name, properties: BTreeMap::new() });
                Context::Identity
            }
            (0, "cmdlet") => {
                let [name] = words::<1>(rest).ok_or_else(|| err("expected `cmdlet NAME`".into()))?;
                if surface.cmdlets.insert(name.clone(), CmdletSurface::default()).is_some() {
                    return Err(err(format!("cmdlet `{name}` appears twice")));
                }
                Context::Cmdlet(name)
            }
            (0, "operation") => {
                let [method, path, rust] = words::<3>(rest).ok_or_else(|| err("expected `operation METHOD PATH rust=NAME`".into()))?;
                let rust = rust.strip_prefix("rust=").ok_or_else(|| err("expected `rust=NAME` after the path".into()))?;
                let key = format!("{method} {path}");
                if surface.operations.insert(key.clone(), rust.to_owned()).is_some() {
                    return Err(err(format!("operation `{key}` appears twice")));
                }
                Context::Top
            }
            (0, _) => return Err(err(format!("unknown entry `{keyword}`: expected `identity`, `operation` or `cmdlet`"))),
            _ => parse_nested(&mut surface, &context, level, keyword, rest).map_err(err)?,
        };
    }
    if !seen_format {
        let message = format!("no `{FORMAT_LINE}` line: not a surface manifest");
        return Err(ParseError { file: file.to_owned(), line: text.lines().count().max(1), message });
    }
    check_sets(file, text, &surface)?;
    Ok(Manifest { provenance: header.provenance(), surface })
}

/// One indented line, inside the block `context` names. Returns the context
/// for the lines that follow.
fn parse_nested(surface: &mut Surface, context: &Context, level: usize, keyword: &str, rest: &str) -> Result<Context, String> {
    // A line belongs to the innermost open block at the level above it.
    let parent = match (context, level) {
        (Context::Identity | Context::IdentityProperty(_), 1) => Context::Identity,
        (Context::IdentityProperty(p), 2) => Context::IdentityProperty(p.clone()),
        (Context::Cmdlet(c) | Context::CmdletParam(c, _) | Context::Set(c, _), 1) => Context::Cmdlet(c.clone()),
        (Context::CmdletParam(c, p), 2) => Context::CmdletParam(c.clone(), p.clone()),
        (Context::Set(c, s), 2) => Context::Set(c.clone(), s.clone()),
        _ => return Err(format!("`{keyword}` is indented {level} levels, deeper than the block it is in allows")),
    };
    match parent {
        Context::Top => Err("unreachable block".into()),
        Context::Identity => {
            let identity = surface.identity.as_mut().ok_or("`property` outside an identity block")?;
            if keyword != "property" {
                return Err(format!("unknown identity entry `{keyword}`: expected `property`"));
            }
            let [name, placeholder] = words::<2>(rest).ok_or("expected `property NAME placeholder=P`")?;
            let placeholder = placeholder.strip_prefix("placeholder=").ok_or("expected `placeholder=P` after the property name")?;
            let prop = IdentityPropertySurface { placeholder: placeholder.to_owned(), doc: String::new() };
            if identity.properties.insert(name.clone(), prop).is_some() {
                return Err(format!("identity property `{name}` appears twice"));
            }
            Ok(Context::IdentityProperty(name))
        }
        Context::IdentityProperty(name) => {
            let prop = surface.identity.as_mut().and_then(|i| i.properties.get_mut(&name)).ok_or("no open property")?;
            prop.doc = doc_value(keyword, rest)?;
            Ok(Context::IdentityProperty(name))
        }
        Context::Cmdlet(cname) => {
            let cmdlet = surface.cmdlets.get_mut(&cname).ok_or("no open cmdlet")?;
            parse_cmdlet_entry(cmdlet, &cname, keyword, rest)
        }
        Context::CmdletParam(cname, pname) => {
            let param = surface.cmdlets.get_mut(&cname).and_then(|c| c.params.get_mut(&pname)).ok_or("no open parameter")?;
            param.doc = doc_value(keyword, rest)?;
            Ok(Context::CmdletParam(cname, pname))
        }
        Context::Set(cname, sname) => {
            let set = surface.cmdlets.get_mut(&cname).and_then(|c| c.sets.get_mut(&sname)).ok_or("no open set")?;
            parse_set_entry(set, keyword, rest)?;
            Ok(Context::Set(cname, sname))
        }
    }
}

fn parse_cmdlet_entry(cmdlet: &mut CmdletSurface, cname: &str, keyword: &str, rest: &str) -> Result<Context, String> {
    let once = |field: &str, value: &str| {
        if value.is_empty() { Ok(()) } else { Err(format!("`{field}` appears twice in cmdlet `{cname}`")) }
    };
    match keyword {
        "synopsis:" => {
            once("synopsis", &cmdlet.synopsis)?;
            cmdlet.synopsis = rest.to_owned();
        }
        "description:" => {
            once("description", &cmdlet.description)?;
            cmdlet.description = rest.to_owned();
        }
        "alias" => {
            let [alias] = words::<1>(rest).ok_or("expected `alias NAME`")?;
            if !cmdlet.aliases.insert(alias.clone()) {
                return Err(format!("alias `{alias}` appears twice"));
            }
        }
        "input" | "output" => {
            let [ty] = words::<1>(rest).ok_or(format!("expected `{keyword} TYPE`"))?;
            let list = if keyword == "input" { &mut cmdlet.inputs } else { &mut cmdlet.outputs };
            if !list.insert(ty.clone()) {
                return Err(format!("{keyword} `{ty}` appears twice"));
            }
        }
        "param" => {
            let mut parts = rest.split(' ');
            let name = parts.next().and_then(|n| n.strip_suffix(':')).filter(|n| !n.is_empty());
            let name = name.ok_or("expected `param NAME: TYPE [aliases=A,B]`")?.to_owned();
            let ty = parts.next().filter(|t| !t.is_empty()).ok_or(format!("parameter `{name}` has no type"))?.to_owned();
            let mut param = ParamSurface { ty, ..ParamSurface::default() };
            for extra in parts {
                let list = extra.strip_prefix("aliases=").ok_or(format!("unknown parameter fact `{extra}`: expected `aliases=A,B`"))?;
                param.aliases = list.split(',').filter(|a| !a.is_empty()).map(str::to_owned).collect();
            }
            if cmdlet.params.insert(name.clone(), param).is_some() {
                return Err(format!("parameter `{name}` appears twice in cmdlet `{cname}`"));
            }
            return Ok(Context::CmdletParam(cname.to_owned(), name));
        }
        "set" => {
            let mut parts = rest.split(' ');
            let name = parts.next().filter(|n| !n.is_empty()).ok_or("expected `set NAME [default]`")?.to_owned();
            let mut set = SetSurface::default();
            for flag in parts {
                match flag {
                    "default" => set.default = true,
                    other => return Err(format!("unknown set flag `{other}`: expected `default`")),
                }
            }
            if cmdlet.sets.insert(name.clone(), set).is_some() {
                return Err(format!("set `{name}` appears twice in cmdlet `{cname}`"));
            }
            return Ok(Context::Set(cname.to_owned(), name));
        }
        other => {
            return Err(format!(
                "unknown cmdlet entry `{other}`: expected synopsis:, description:, alias, input, output, param or set"
            ));
        }
    }
    Ok(Context::Cmdlet(cname.to_owned()))
}

fn parse_set_entry(set: &mut SetSurface, keyword: &str, rest: &str) -> Result<(), String> {
    match keyword {
        "request" => {
            if set.request.is_some() {
                return Err("a second `request` line in one set".into());
            }
            let [method, path] = words::<2>(rest).ok_or("expected `request METHOD PATH`")?;
            set.request = Some(Request { method, path });
        }
        "param" => {
            let mut parts = rest.split(' ');
            let name = parts.next().filter(|n| !n.is_empty()).ok_or("expected `param NAME [mandatory] [pipeline]`")?.to_owned();
            let mut m = Membership::default();
            for flag in parts {
                match flag {
                    "mandatory" => m.mandatory = true,
                    "pipeline" => m.pipeline = true,
                    other => return Err(format!("unknown parameter flag `{other}`: expected `mandatory` or `pipeline`")),
                }
            }
            if set.params.insert(name.clone(), m).is_some() {
                return Err(format!("parameter `{name}` appears twice in one set"));
            }
        }
        other => return Err(format!("unknown set entry `{other}`: expected `request` or `param`")),
    }
    Ok(())
}

fn doc_value(keyword: &str, rest: &str) -> Result<String, String> {
    if keyword == "doc:" { Ok(rest.to_owned()) } else { Err(format!("unknown entry `{keyword}`: expected `doc:`")) }
}

/// Exactly `N` space-separated words, or `None`.
fn words<const N: usize>(text: &str) -> Option<[String; N]> {
    let parts: Vec<String> = text.split(' ').map(str::to_owned).collect();
    if parts.iter().any(String::is_empty) {
        return None;
    }
    parts.try_into().ok()
}

/// Cross-line checks: every set member is a declared parameter, and only
/// [`ALL_SETS`] lacks a request.
fn check_sets(file: &str, text: &str, surface: &Surface) -> Result<(), ParseError> {
    for (cname, cmdlet) in &surface.cmdlets {
        for (sname, set) in &cmdlet.sets {
            let line_of = |needle: &str| find_line(text, &format!("cmdlet {cname}"), needle);
            if sname != ALL_SETS && set.request.is_none() {
                let line = line_of(&format!("set {sname}"));
                let message = format!("set `{sname}` of `{cname}` has no `request` line");
                return Err(ParseError { file: file.into(), line, message });
            }
            if let Some(pname) = set.params.keys().find(|p| !cmdlet.params.contains_key(*p)) {
                let line = line_of(&format!("param {pname}"));
                return Err(ParseError {
                    file: file.into(),
                    line,
                    message: format!(
                        "set `{sname}` of `{cname}` lists `{pname}`, which the cmdlet does not declare with `param {pname}: TYPE`"
                    ),
                });
            }
        }
    }
    Ok(())
}

/// The line number of the first line starting (after indentation) with
/// `needle` below the line `block`, for errors found after reading.
fn find_line(text: &str, block: &str, needle: &str) -> usize {
    let mut in_block = false;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t == block {
            in_block = true;
        } else if in_block && (t == needle || t.starts_with(&format!("{needle} "))) {
            return i + 1;
        }
    }
    1
}

/// The provenance lines of a header, collected while parsing.
#[derive(Default)]
struct Header {
    spec: Option<(String, String)>,
    generator: Option<String>,
}

impl Header {
    fn read(&mut self, comment: &str) {
        if let Some(rest) = comment.strip_prefix("spec: ") {
            if let Some((file, sha)) = rest.rsplit_once(" sha256:") {
                self.spec.get_or_insert((file.to_owned(), sha.to_owned()));
            }
        } else if let Some(rest) = comment.strip_prefix("generator: codegen ") {
            self.generator.get_or_insert(rest.to_owned());
        }
    }

    fn provenance(self) -> Option<Provenance> {
        let (spec_file, spec_sha256) = self.spec?;
        Some(Provenance { spec_file, spec_sha256, generator_version: self.generator.unwrap_or_default() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "surface 1\n\noperation GET /x/{id} rust=x_get\n\ncmdlet Get-X\n  synopsis: Gets x.\n  alias Get-OldX\n  output X\n  param Id: System.String aliases=A,B\n    doc: The id.\n  set Get default\n    request GET /x/{id}\n    param Id mandatory pipeline\n";

    #[test]
    fn canonical_text_round_trips() {
        let parsed = parse("m.txt", SAMPLE).expect("parses");
        let text = render(&parsed.surface, None);
        assert!(text.ends_with(SAMPLE), "{text}");
        assert_eq!(parse("again", &text).expect("parses").surface, parsed.surface);
    }

    #[test]
    fn errors_name_file_and_line() {
        let bad = SAMPLE.replace("mandatory pipeline", "mandatory sometimes");
        let e = parse("m.txt", &bad).expect_err("bad flag");
        assert_eq!((e.file.as_str(), e.line), ("m.txt", 13), "{e}");
        let undeclared = SAMPLE.replace("param Id mandatory", "param Other mandatory");
        assert_eq!(parse("m.txt", &undeclared).expect_err("undeclared").line, 13);
        let no_rust = SAMPLE.replace(" rust=x_get", " x_get");
        assert_eq!(parse("m.txt", &no_rust).expect_err("no rust=").line, 3);
        assert_eq!(parse("m.txt", "openapi: 3.0.1\n").expect_err("spec").line, 1);
        assert!(parse("m.txt", "").is_err());
    }
}
