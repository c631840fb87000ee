//! Help documents, one Markdown file per cmdlet, in the layout PlatyPS gives
//! the Microsoft Graph PowerShell modules (front matter, SYNOPSIS, SYNTAX,
//! PARAMETERS with a YAML block each, INPUTS, OUTPUTS, NOTES, RELATED LINKS).
//!
//! Users and tools that know the real module's help find the same sections,
//! keys and parameter facts here. Everything is rendered from the IR, so the
//! text is deterministic: no dates, no maps with random order, LF endings.

use super::File;
use crate::ir::{Api, Cmdlet, CmdletParam, ParamKind, ParamSet};
use crate::render::Provenance;

/// PlatyPS wraps SYNTAX lines so that none is longer than this.
const SYNTAX_WIDTH: usize = 100;

/// The PowerShell common parameters, in the order PowerShell's own help lists them.
const COMMON_PARAMETERS: &[&str] = &[
    "-Debug",
    "-ErrorAction",
    "-ErrorVariable",
    "-InformationAction",
    "-InformationVariable",
    "-OutBuffer",
    "-OutVariable",
    "-PipelineVariable",
    "-ProgressAction",
    "-Verbose",
    "-WarningAction",
    "-WarningVariable",
];

const SWITCH_TYPE: &str = "System.Management.Automation.SwitchParameter";

/// One help document per cmdlet: `docs/<Verb-Noun>.md`.
/// One cmdlet's help document.
pub(super) fn file(api: &Api, c: &Cmdlet, provenance: &Provenance) -> File {
    File { path: format!("docs/{}.md", c.name), contents: document(api, c, provenance) }
}

/// A Markdown document built line by line. Pushing to a `String` cannot fail,
/// which keeps the renderers free of `fmt::Result` plumbing.
#[derive(Default)]
struct Doc {
    text: String,
}

impl Doc {
    fn line(&mut self, line: impl AsRef<str>) {
        self.text.push_str(line.as_ref());
        self.text.push('\n');
    }

    fn blank(&mut self) {
        self.text.push('\n');
    }

    /// A `## ` section heading and the blank line after it.
    fn section(&mut self, title: &str) {
        self.line(format!("## {title}"));
        self.blank();
    }

    /// Free text from the document: trailing spaces go, and runs of blank
    /// lines shrink to one, so that a description cannot break the layout.
    fn paragraphs(&mut self, text: &str) {
        let mut previous_blank = true;
        for line in text.trim().lines() {
            let line = line.trim_end();
            if line.is_empty() {
                if !previous_blank {
                    self.blank();
                }
                previous_blank = true;
            } else {
                self.line(line);
                previous_blank = false;
            }
        }
        if !previous_blank {
            self.blank();
        }
    }
}

fn document(api: &Api, cmdlet: &Cmdlet, provenance: &Provenance) -> String {
    let mut doc = Doc::default();
    front_matter(&mut doc, api, cmdlet, provenance);
    doc.line(format!("# {}", cmdlet.name));
    doc.blank();

    doc.section("SYNOPSIS");
    doc.paragraphs(or_placeholder(&cmdlet.synopsis, "No synopsis is given in the API description."));

    doc.section("SYNTAX");
    syntax(&mut doc, api, cmdlet);

    doc.section("ALIASES");
    if cmdlet.aliases.is_empty() {
        doc.line("This cmdlet has no aliases.");
    } else {
        doc.line("This cmdlet has the following aliases,");
        for alias in &cmdlet.aliases {
            doc.line(format!("  {alias}"));
        }
    }
    doc.blank();

    doc.section("DESCRIPTION");
    doc.paragraphs(or_placeholder(&cmdlet.description, "No description is given in the API description."));

    doc.section("PARAMETERS");
    for param in sorted_params(cmdlet) {
        parameter(&mut doc, cmdlet, param);
    }
    common_parameters(&mut doc, api);

    doc.section("INPUTS");
    for input in &cmdlet.inputs {
        doc.line(format!("### {input}"));
        doc.blank();
        doc.line(input_sentence(cmdlet, input));
        doc.blank();
    }

    doc.section("OUTPUTS");
    for output in &cmdlet.outputs {
        doc.line(format!("### {output}"));
        doc.blank();
        doc.line(output_sentence(cmdlet, output));
        doc.blank();
    }

    doc.section("NOTES");
    notes(&mut doc, api, cmdlet);

    doc.section("RELATED LINKS");
    related_links(&mut doc, cmdlet);

    // Exactly one trailing newline, whatever the last section ended with.
    let mut text = doc.text.trim_end().to_owned();
    text.push('\n');
    text
}

fn or_placeholder<'a>(text: &'a str, fallback: &'a str) -> &'a str {
    if text.trim().is_empty() { fallback } else { text }
}

/// The PowerShell module's name and namespace root, e.g.
/// (`Microsoft.Graph.Beta.Applications`, `Microsoft.Graph.Beta`).
///
/// The namespace comes from the identity's full type name and the module from
/// its short name (`I<Module>Identity`), so the help agrees with the types the
/// IR already names even when the configured module differs from the title.
fn module_name(api: &Api) -> String {
    let identity = &api.identity;
    let root = identity.full_type_name.split_once(".PowerShell.").map_or("Microsoft.Graph.Beta", |(root, _)| root);
    let module = identity
        .type_name
        .strip_prefix('I')
        .and_then(|rest| rest.strip_suffix("Identity"))
        .filter(|m| !m.is_empty())
        .map_or_else(|| api.title.split_whitespace().collect::<String>(), str::to_owned);
    format!("{root}.{module}")
}

fn front_matter(doc: &mut Doc, api: &Api, cmdlet: &Cmdlet, provenance: &Provenance) {
    let module = module_name(api);
    doc.line("---");
    // YAML comments inside the front matter: the file still starts with `---`
    // (which Markdown tools require) and yet names its generator and spec.
    doc.text.push_str(&provenance.hash_header());
    doc.line("document type: cmdlet");
    doc.line(format!("external help file: {}", yaml_scalar(&format!("{module}-Help.xml"))));
    doc.line(format!("HelpUri: {}", yaml_scalar(cmdlet.help_uri.as_deref().unwrap_or(""))));
    doc.line("Locale: en-US");
    doc.line(format!("Module Name: {}", yaml_scalar(&module)));
    // No `ms.date`: a date would change the bytes on every regeneration.
    doc.line("PlatyPS schema version: 2024-05-01");
    doc.line(format!("title: {}", yaml_scalar(&cmdlet.name)));
    doc.line("---");
    doc.blank();
}

// ---------------------------------------------------------------------------
// SYNTAX

fn syntax(doc: &mut Doc, api: &Api, cmdlet: &Cmdlet) {
    for set in &cmdlet.sets {
        if set.default {
            doc.line(format!("### {} (Default)", set.name));
        } else {
            doc.line(format!("### {}", set.name));
        }
        doc.blank();
        doc.line("```");
        doc.line(syntax_block(api, cmdlet, set));
        doc.line("```");
        doc.blank();
    }
}

/// Where a parameter stands in a SYNTAX line. PlatyPS lists what the set
/// itself declares (mandatory first) and then the parameters shared by every
/// set; among those the seed puts -ResponseHeadersVariable first, the rest
/// alphabetically, and the ShouldProcess pair -WhatIf, -Confirm last, as
/// PowerShell appends those two after the cmdlet's own parameters.
fn syntax_rank(api: &Api, set: &ParamSet, param: &CmdletParam, mandatory: bool) -> (u8, usize, String) {
    let name = param.name.to_lowercase();
    // Mandatory before optional; within each, the set's own before the shared.
    let group = |shared: bool| match (mandatory, shared) {
        (true, false) => 0,
        (true, true) => 1,
        (false, false) => 2,
        (false, true) => 3,
    };
    match &param.sets {
        Some(_) => {
            // Set-specific parameters follow the operation: path keys in
            // template order, then query, then header parameters.
            let position = match &param.kind {
                ParamKind::Identity => 0,
                ParamKind::Operation { wire_name, location, .. } => api
                    .operations
                    .get(set.operation)
                    .and_then(|op| op.params.iter().position(|p| &p.wire_name == wire_name && p.location == *location))
                    .map_or(usize::MAX, |i| i + 1),
                // Body parameters come after the keys and query options.
                ParamKind::Body | ParamKind::BodyProperty { .. } | ParamKind::AdditionalProperties => usize::MAX - 2,
                ParamKind::Paging | ParamKind::OutFile | ParamKind::InFile => usize::MAX - 1,
                ParamKind::Common => usize::MAX,
            };
            (group(false), position, name)
        }
        None => {
            let position = match param.name.as_str() {
                "ResponseHeadersVariable" => 0,
                "WhatIf" => 2,
                "Confirm" => 3,
                _ => 1,
            };
            (group(true), position, name)
        }
    }
}

fn syntax_block(api: &Api, cmdlet: &Cmdlet, set: &ParamSet) -> String {
    let mut members: Vec<(&CmdletParam, bool)> = cmdlet
        .params
        .iter()
        .filter(|p| !p.dont_show)
        .filter_map(|p| match &p.sets {
            None => Some((p, false)),
            Some(list) => list.iter().find(|m| m.set == set.name).map(|m| (p, m.mandatory)),
        })
        .collect();
    members.sort_by_cached_key(|(p, mandatory)| syntax_rank(api, set, p, *mandatory));
    let mut tokens: Vec<String> = members.iter().map(|(p, mandatory)| syntax_token(p, *mandatory)).collect();
    tokens.push("[<CommonParameters>]".to_owned());
    wrap(&cmdlet.name, &tokens)
}

fn syntax_token(param: &CmdletParam, mandatory: bool) -> String {
    let inner = if param.ps_type == SWITCH_TYPE {
        format!("-{}", param.name)
    } else {
        format!("-{} <{}>", param.name, short_type(&param.ps_type))
    };
    if mandatory { inner } else { format!("[{inner}]") }
}

/// Joins tokens after `first`, starting a new line (indented by one space)
/// whenever the next token would pass [`SYNTAX_WIDTH`].
fn wrap(first: &str, tokens: &[String]) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut current = first.to_owned();
    for token in tokens {
        if current.chars().count() + 1 + token.chars().count() > SYNTAX_WIDTH {
            lines.push(std::mem::take(&mut current));
            current.push(' ');
            current.push_str(token);
        } else {
            current.push(' ');
            current.push_str(token);
        }
    }
    lines.push(current);
    lines.join("\n")
}

/// The short type name PlatyPS prints in SYNTAX: C# keywords and PowerShell
/// type accelerators in lower case, any other type by its last name segment.
fn short_type(full: &str) -> String {
    let (base, array) = match full.strip_suffix("[]") {
        Some(base) => (base, "[]"),
        None => (full, ""),
    };
    let short = match base {
        "System.String" => "string".to_owned(),
        "System.Boolean" => "bool".to_owned(),
        "System.Int32" => "int".to_owned(),
        "System.Int64" => "long".to_owned(),
        "System.Double" => "double".to_owned(),
        "System.Single" => "float".to_owned(),
        "System.Decimal" => "decimal".to_owned(),
        "System.Byte" => "byte".to_owned(),
        "System.Char" => "char".to_owned(),
        "System.Object" => "Object".to_owned(),
        "System.DateTime" => "datetime".to_owned(),
        "System.Guid" => "guid".to_owned(),
        "System.Uri" => "uri".to_owned(),
        "System.Management.Automation.PSCredential" => "pscredential".to_owned(),
        "System.Management.Automation.PSObject" => "psobject".to_owned(),
        "System.Management.Automation.ScriptBlock" => "scriptblock".to_owned(),
        "System.Collections.Hashtable" => "hashtable".to_owned(),
        other => other.rsplit('.').next().unwrap_or(other).to_owned(),
    };
    format!("{short}{array}")
}

// ---------------------------------------------------------------------------
// PARAMETERS

/// Parameters in the order help documents list them: by name, ignoring case
/// (the IR keeps them so; sorting again keeps this file right on its own).
fn sorted_params(cmdlet: &Cmdlet) -> Vec<&CmdletParam> {
    let mut params: Vec<&CmdletParam> = cmdlet.params.iter().collect();
    params.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
    params
}

fn parameter(doc: &mut Doc, cmdlet: &Cmdlet, param: &CmdletParam) {
    doc.line(format!("### -{}", param.name));
    doc.blank();
    doc.paragraphs(or_placeholder(&param.description, "No description is given in the API description."));
    doc.line("```yaml");
    doc.line(format!("Type: {}", yaml_scalar(&param.ps_type)));
    let default = if param.default_value.trim().is_empty() { "''" } else { param.default_value.as_str() };
    // The IR gives the default already in help notation (`''`, `False`).
    doc.line(format!("DefaultValue: {default}"));
    doc.line("SupportsWildcards: false");
    if param.aliases.is_empty() {
        doc.line("Aliases: []");
    } else {
        doc.line("Aliases:");
        for alias in &param.aliases {
            doc.line(format!("- {}", yaml_scalar(alias)));
        }
    }
    doc.line("ParameterSets:");
    match &param.sets {
        None => set_entry(doc, "(All)", false, param.all_sets_pipeline),
        Some(list) => {
            // In the cmdlet's set order, so the default set comes first.
            let position = |name: &str| cmdlet.sets.iter().position(|s| s.name == name).unwrap_or(usize::MAX);
            let mut list: Vec<_> = list.iter().collect();
            list.sort_by_key(|m| position(&m.set));
            for m in list {
                set_entry(doc, &m.set, m.mandatory, m.from_pipeline);
            }
        }
    }
    doc.line(format!("DontShow: {}", param.dont_show));
    doc.line("AcceptedValues: []");
    doc.line("HelpMessage: ''");
    doc.line("```");
    doc.blank();
}

fn set_entry(doc: &mut Doc, name: &str, required: bool, pipeline: bool) {
    doc.line(format!("- Name: {}", yaml_scalar(name)));
    doc.line("  Position: Named");
    doc.line(format!("  IsRequired: {required}"));
    doc.line(format!("  ValueFromPipeline: {pipeline}"));
    doc.line("  ValueFromPipelineByPropertyName: false");
    doc.line("  ValueFromRemainingArguments: false");
}

/// A YAML scalar: plain when a YAML 1.2 reader cannot take it for anything
/// but that string (type names, set names like `(All)`, URLs), single-quoted
/// otherwise.
fn yaml_scalar(value: &str) -> String {
    let reserved = ["true", "false", "null", "yes", "no", "on", "off", "~"];
    let plain = value.chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '(')
        && value.chars().all(|c| c.is_ascii_alphanumeric() || "._-[]()/:?=&%+".contains(c))
        && !value.contains(": ")
        && !value.ends_with(':')
        && !reserved.contains(&value.to_ascii_lowercase().as_str())
        && value.parse::<f64>().is_err();
    if plain { value.to_owned() } else { format!("'{}'", value.replace('\'', "''")) }
}

fn common_parameters(doc: &mut Doc, api: &Api) {
    doc.line("### CommonParameters");
    doc.blank();
    let (last, rest) = match COMMON_PARAMETERS.split_last() {
        Some((last, rest)) => (*last, rest),
        None => ("", &[][..]),
    };
    let list = format!("{}, and {last}", rest.join(", "));
    wrapped(
        doc,
        &format!(
            "Besides the parameters above, this cmdlet takes the PowerShell common parameters {list}. \
             What each one does is explained in \
             [about_CommonParameters](https://go.microsoft.com/fwlink/?LinkID=113216)."
        ),
    );
    // The generated binary is not PowerShell: say which of them it honours
    // (as runtime/src/cli.rs implements them) rather than promise all.
    wrapped(
        doc,
        &format!(
            "From the `{}` command line, -Verbose and -Debug print the request and the response, \
             -ErrorAction takes Continue, Stop, SilentlyContinue or Ignore, -WarningAction, \
             -InformationAction and -ProgressAction are accepted and change nothing, and the \
             variable parameters and -OutBuffer are refused.",
            api.krate.binary
        ),
    );
}

/// A paragraph broken like the SYNTAX lines, so diffs of it stay readable.
fn wrapped(doc: &mut Doc, text: &str) {
    let words: Vec<String> = text.split_whitespace().map(str::to_owned).collect();
    let (first, others) = words.split_first().map_or(("", &[][..]), |(f, o)| (f.as_str(), o));
    for line in wrap(first, others).lines() {
        doc.line(line.trim_start());
    }
    doc.blank();
}

// ---------------------------------------------------------------------------
// INPUTS, OUTPUTS

/// What pipeline input of type `ty` binds to: the parameters of that type
/// that take pipeline input in some set.
fn input_sentence(cmdlet: &Cmdlet, ty: &str) -> String {
    let targets: Vec<String> = cmdlet
        .params
        .iter()
        .filter(|p| p.ps_type == ty)
        .filter(|p| match &p.sets {
            None => p.all_sets_pipeline,
            Some(list) => list.iter().any(|m| m.from_pipeline),
        })
        .map(|p| format!("-{}", p.name))
        .collect();
    if targets.is_empty() {
        "The cmdlet accepts objects of this type from the pipeline.".to_owned()
    } else {
        format!("Objects of this type sent down the pipeline bind to {}.", targets.join(" or "))
    }
}

fn output_sentence(cmdlet: &Cmdlet, ty: &str) -> String {
    let has_pass_thru = cmdlet.params.iter().any(|p| p.name == "PassThru");
    match ty {
        "System.Boolean" if has_pass_thru => {
            "The API answers without a body, so nothing is written unless -PassThru is given; \
             then the cmdlet writes True once the call succeeds."
                .to_owned()
        }
        "System.IO.Stream" => "The response content, unchanged, as the service sent it.".to_owned(),
        _ => "The response of the service, one object per result.".to_owned(),
    }
}

// ---------------------------------------------------------------------------
// NOTES, RELATED LINKS

fn notes(doc: &mut Doc, api: &Api, cmdlet: &Cmdlet) {
    if !cmdlet.sets.iter().any(|s| s.via_identity) {
        doc.line("This cmdlet has no parameters that take a hash table.");
        doc.blank();
        return;
    }
    doc.line("PARAMETERS THAT TAKE A HASH TABLE");
    doc.blank();
    doc.line("The parameters below take a hash table (or an object) whose keys are the properties listed.");
    doc.line("Properties in brackets are optional; run Get-Help about_Hash_Tables to read about hash tables.");
    doc.blank();
    let identity = &api.identity;
    doc.line(format!("INPUTOBJECT `<{}>`: Identity Parameter", identity.type_name));
    for property in &identity.properties {
        // One line per property: a description cannot be allowed to wrap.
        let description = property.description.split_whitespace().collect::<Vec<_>>().join(" ");
        doc.line(format!("  [{} <String>]: {description}", property.name).trim_end());
    }
    doc.blank();
}

fn related_links(doc: &mut Doc, cmdlet: &Cmdlet) {
    let links = cmdlet.help_uri.iter().chain(cmdlet.related_links.iter());
    let mut seen: Vec<&str> = Vec::new();
    for link in links {
        if !seen.contains(&link.as_str()) {
            seen.push(link);
            doc.line(format!("- []({link})"));
        }
    }
    if seen.is_empty() {
        doc.line("There are no related links.");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::{
        Crate, Identity, Location, Method, Operation, Param, PathTemplate, SetMembership, Success, TypeRef,
    };

    fn op_param(wire: &str, location: Location) -> Param {
        Param {
            wire_name: wire.into(),
            rust_name: wire.into(),
            ps_name: wire.into(),
            location,
            required: location == Location::Path,
            ty: TypeRef::String,
            description: None,
        }
    }

    fn cmdlet_param(name: &str, ps_type: &str, kind: ParamKind, sets: Option<Vec<SetMembership>>) -> CmdletParam {
        CmdletParam {
            name: name.into(),
            rust_name: name.to_lowercase(),
            aliases: Vec::new(),
            ps_type: ps_type.into(),
            binder_type: "String".into(),
            kind,
            description: String::new(),
            default_value: "''".into(),
            sets,
            all_sets_pipeline: false,
            dont_show: false,
        }
    }

    fn in_get(mandatory: bool) -> Option<Vec<SetMembership>> {
        Some(vec![SetMembership { set: "Get".into(), mandatory, from_pipeline: false }])
    }

    fn operation_kind(wire: &str, location: Location) -> ParamKind {
        ParamKind::Operation { wire_name: wire.into(), location, ty: TypeRef::String }
    }

    /// A GET with a path key, a query option and a header, and no identity set.
    fn sample_api() -> Api {
        let operation = Operation {
            id: "thing_get".into(),
            pointer: "/paths/~1things~1{thing-id}/get".into(),
            rust_name: "thing_get".into(),
            method: Method::Get,
            path: PathTemplate { raw: "/things/{thing-id}".into(), parts: Vec::new() },
            summary: None,
            description: None,
            external_docs: None,
            tags: Vec::new(),
            params: vec![
                op_param("thing-id", Location::Path),
                op_param("$top", Location::Query),
                op_param("ConsistencyLevel", Location::Header),
            ],
            body: None,
            success: Success::NoContent,
            next_link: None,
            feature: "things".into(),
            operation_type: None,
        };
        let params = vec![
            cmdlet_param("Break", SWITCH_TYPE, ParamKind::Common, None),
            cmdlet_param(
                "ConsistencyLevel",
                "System.String",
                operation_kind("ConsistencyLevel", Location::Header),
                in_get(false),
            ),
            cmdlet_param("Headers", "System.Collections.IDictionary", ParamKind::Common, None),
            cmdlet_param("ResponseHeadersVariable", "System.String", ParamKind::Common, None),
            cmdlet_param("ThingId", "System.String", operation_kind("thing-id", Location::Path), in_get(true)),
            cmdlet_param("Top", "System.Int32", operation_kind("$top", Location::Query), in_get(false)),
        ];
        let cmdlet = Cmdlet {
            name: "Get-MgBetaThing".into(),
            aliases: vec!["Get-MgBetaOldThing".into()],
            verb: "Get".into(),
            noun: "MgBetaThing".into(),
            rust_name: "GetMgBetaThing".into(),
            module_name: "get_mg_beta_thing".into(),
            synopsis: String::new(),
            description: "First line.\n\n\nSecond line.   ".into(),
            help_uri: None,
            related_links: Vec::new(),
            sets: vec![ParamSet {
                name: "Get".into(),
                variant: "Get".into(),
                operation: 0,
                via_identity: false,
                expanded: false,
                default: true,
            }],
            params,
            should_process: false,
            inputs: vec!["System.Collections.IDictionary".into()],
            outputs: vec!["System.Boolean".into()],
            features: vec!["things".into()],
        };
        Api {
            title: "Things".into(),
            version: "v1".into(),
            description: None,
            base_url: "https://graph.microsoft.com/beta".into(),
            spec_sha256: "0".into(),
            spec_file: "things.yaml".into(),
            operations: vec![operation],
            types: Vec::new(),
            cmdlets: vec![cmdlet],
            identity: Identity {
                type_name: "IThingsIdentity".into(),
                full_type_name: "Microsoft.Graph.Beta.PowerShell.Models.IThingsIdentity".into(),
                properties: Vec::new(),
            },
            krate: Crate {
                name: "things".into(),
                version: "0.1.0".into(),
                binary: "things".into(),
                description: String::new(),
            },
        }
    }

    fn provenance() -> Provenance {
        Provenance { spec_file: "things.yaml".into(), spec_sha256: "0".into(), generator_version: "0".into() }
    }

    #[test]
    fn syntax_puts_the_sets_own_parameters_first_in_operation_order() {
        let api = sample_api();
        let (cmdlet, set) = (&api.cmdlets[0], &api.cmdlets[0].sets[0]);
        assert_eq!(
            syntax_block(&api, cmdlet, set),
            "Get-MgBetaThing -ThingId <string> [-Top <int>] [-ConsistencyLevel <string>]\n \
             [-ResponseHeadersVariable <string>] [-Break] [-Headers <IDictionary>] [<CommonParameters>]"
        );
    }

    #[test]
    fn documents_are_deterministic_and_tidy() {
        let api = sample_api();
        let files = |api: &Api, p: &Provenance| -> Vec<File> { api.cmdlets.iter().map(|c| file(api, c, p)).collect() };
        let first = files(&api, &provenance());
        assert_eq!(first, files(&api, &provenance()));
        let text = &first[0].contents;
        assert_eq!(first[0].path, "docs/Get-MgBetaThing.md");
        assert!(text.starts_with("---\n# @generated"));
        assert!(text.contains("\nModule Name: Microsoft.Graph.Beta.Things\n"));
        assert!(text.contains("\nHelpUri: ''\n"));
        assert!(text.ends_with("There are no related links.\n"));
        // Blank-line runs in a description collapse to one.
        assert!(text.contains("First line.\n\nSecond line.\n\n## PARAMETERS"));
        assert!(text.contains("## ALIASES\n\nThis cmdlet has the following aliases,\n  Get-MgBetaOldThing\n\n## DESCRIPTION"));
        // No identity set: no identity properties under NOTES.
        assert!(!text.contains("INPUTOBJECT"));
    }

    #[test]
    fn short_types_match_platyps() {
        assert_eq!(short_type("System.String"), "string");
        assert_eq!(short_type("System.String[]"), "string[]");
        assert_eq!(short_type("System.Uri"), "uri");
        assert_eq!(short_type("System.Management.Automation.PSCredential"), "pscredential");
        assert_eq!(short_type("System.Collections.IDictionary"), "IDictionary");
        assert_eq!(short_type("Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]"), "SendAsyncStep[]");
        assert_eq!(short_type("NoNamespace"), "NoNamespace");
    }

    #[test]
    fn wrap_keeps_lines_within_width() {
        let tokens: Vec<String> = (0..40).map(|i| format!("[-Parameter{i} <string>]")).collect();
        let text = wrap("Get-Thing", &tokens);
        assert!(text.lines().all(|l| l.chars().count() <= SYNTAX_WIDTH));
        assert!(text.lines().skip(1).all(|l| l.starts_with(' ') && !l.starts_with("  ")));
        assert_eq!(text.split_whitespace().count(), 1 + 40 * 2);
    }

    #[test]
    fn a_token_longer_than_the_width_gets_its_own_line() {
        let long = "x".repeat(150);
        assert_eq!(wrap("A", std::slice::from_ref(&long)), format!("A\n {long}"));
    }

    #[test]
    fn yaml_scalars_quote_only_when_needed() {
        assert_eq!(yaml_scalar("System.String"), "System.String");
        assert_eq!(yaml_scalar("(All)"), "(All)");
        assert_eq!(yaml_scalar("https://example.com/a?b=c"), "https://example.com/a?b=c");
        assert_eq!(yaml_scalar(""), "''");
        assert_eq!(yaml_scalar("true"), "'true'");
        assert_eq!(yaml_scalar("12"), "'12'");
        assert_eq!(yaml_scalar("it's: odd"), "'it''s: odd'");
    }
}
