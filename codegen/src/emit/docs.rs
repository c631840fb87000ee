//! Help documents, one Markdown file per cmdlet, in the layout PlatyPS gives
//! the Microsoft Graph PowerShell modules (front matter, SYNOPSIS, SYNTAX,
//! PARAMETERS with a YAML block each, INPUTS, OUTPUTS, NOTES, RELATED LINKS).
//!
//! Users and tools that know the real module's help find the same sections,
//! keys and parameter facts here. Everything is rendered from the IR, so the
//! text is deterministic: no dates, no maps with random order, LF endings.

use super::File;
use crate::ir::{Api, Binding, Cmdlet, CmdletParam, Location, ParamKind, ParamSet};
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

/// One cmdlet's help document: `<crate>/docs/<Verb-Noun>.md`.
pub(super) fn file(api: &Api, c: &Cmdlet, provenance: &Provenance, dir: &str) -> File {
    File { path: format!("{dir}/docs/{}.md", c.name), contents: document(api, c, provenance) }
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

    /// Free text from the document: trailing spaces go, runs of blank lines
    /// shrink to one, and a line that would open a heading or a code block
    /// has its first character escaped, so that a description cannot break
    /// the layout.
    fn paragraphs(&mut self, text: &str) {
        let mut previous_blank = true;
        for line in text.trim().lines() {
            let line = line.trim_end();
            let escaped;
            let start = line.trim_start();
            let line = if start.starts_with('#') || start.starts_with("```") || start.starts_with("~~~") {
                let indent = line.len() - line.trim_start().len();
                escaped = format!("{}\\{}", &line[..indent], &line[indent..]);
                escaped.as_str()
            } else {
                line
            };
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
    syntax(&mut doc, cmdlet);

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

    doc.section("EXAMPLES");
    examples(&mut doc, api, cmdlet);

    doc.section("PARAMETERS");
    let all = cmdlet.all_params();
    for param in sorted_params(&all) {
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
    let fallback = api.version.namespace().trim_end_matches(".PowerShell");
    let root = identity.full_type_name.split_once(".PowerShell.").map_or(fallback, |(root, _)| root);
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

fn syntax(doc: &mut Doc, cmdlet: &Cmdlet) {
    for set in &cmdlet.sets {
        if set.default {
            doc.line(format!("### {} (Default)", set.name));
        } else {
            doc.line(format!("### {}", set.name));
        }
        doc.blank();
        doc.line("```");
        doc.line(syntax_block(cmdlet, set));
        doc.line("```");
        doc.blank();
    }
}

/// Where a parameter stands in a SYNTAX line. PlatyPS lists what the set
/// itself declares (mandatory first) and then the parameters shared by every
/// set; among those the seed puts -ResponseHeadersVariable first, the rest
/// alphabetically, and the ShouldProcess pair -WhatIf, -Confirm last, as
/// PowerShell appends those two after the cmdlet's own parameters.
fn syntax_rank(set: &ParamSet, param: &CmdletParam, mandatory: bool) -> (u8, usize, String) {
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
                ParamKind::Key | ParamKind::Arg => set
                    .binds
                    .iter()
                    .find_map(|b| match b {
                        Binding::Key { param: p, key } if *p == param.id => Some(key + 1),
                        Binding::Arg { param: p, op_param } if *p == param.id => Some(op_param + 1),
                        _ => None,
                    })
                    .unwrap_or(usize::MAX),
                // Body parameters come after the keys and query options.
                ParamKind::Body | ParamKind::BodyProperty | ParamKind::AdditionalProperties => usize::MAX - 2,
                ParamKind::Paging | ParamKind::Upload | ParamKind::OutFile | ParamKind::InFile => usize::MAX - 1,
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

fn syntax_block(cmdlet: &Cmdlet, set: &ParamSet) -> String {
    let all = cmdlet.all_params();
    let mut members: Vec<(&CmdletParam, bool)> = all
        .iter()
        .filter(|p| !p.dont_show)
        .filter_map(|p| match &p.sets {
            None => Some((p, false)),
            Some(list) => list.iter().find(|m| m.set == set.name).map(|m| (p, m.mandatory)),
        })
        .collect();
    members.sort_by_cached_key(|(p, mandatory)| syntax_rank(set, p, *mandatory));
    let mut tokens: Vec<String> = members.iter().map(|(p, mandatory)| syntax_token(p, *mandatory)).collect();
    tokens.push("[<CommonParameters>]".to_owned());
    wrap(&cmdlet.name, &tokens)
}

fn syntax_token(param: &CmdletParam, mandatory: bool) -> String {
    let inner = if param.ty.is_switch() {
        format!("-{}", param.name)
    } else {
        format!("-{} <{}>", param.name, short_type(&param.ty.name()))
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
fn sorted_params(all: &[CmdletParam]) -> Vec<&CmdletParam> {
    let mut params: Vec<&CmdletParam> = all.iter().collect();
    params.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
    params
}

fn parameter(doc: &mut Doc, cmdlet: &Cmdlet, param: &CmdletParam) {
    doc.line(format!("### -{}", param.name));
    doc.blank();
    doc.paragraphs(or_placeholder(&param.description, "No description is given in the API description."));
    doc.line("```yaml");
    doc.line(format!("Type: {}", yaml_scalar(&param.ty.name())));
    let default = param.default_value();
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
    // (as runtime/src/cli.rs implements them) rather than promise all, and
    // where it differs from the module on purpose.
    let bin = &api.krate.binary;
    wrapped(
        doc,
        &format!(
            "From the `{bin}` command line: -Verbose writes the \"Performing the operation\" line and \
             each request and response line; -Debug writes each HTTP request as sent and its \
             response, as the Graph SDK's log formatter does, with Authorization and secret-bearing \
             body properties (such as secretText, password and clientSecret) redacted; -ErrorAction, \
             -WarningAction, -InformationAction and -ProgressAction take Continue, SilentlyContinue, \
             Ignore or Stop (Inquire, Suspend and Break need a PowerShell session); the variable \
             parameters and -OutBuffer are refused. An error for one pipeline object is written and \
             the next object is processed, unless -ErrorAction is Stop; the exit status is 1 if \
             any object failed."
        ),
    );
    wrapped(
        doc,
        &format!(
            "Where `{bin}` differs from the PowerShell module: standard input, when it is not a \
             terminal, is pipeline input (JSON objects, one after another or in an array); run with \
             `</dev/null` to give none. -Confirm asks PowerShell's question (Enter answers Yes), but \
             with no terminal the answer is No, and Suspend answers No as there is no nested prompt \
             to suspend to. -ProxyCredential or -ProxyUseDefaultCredentials without -Proxy do nothing, \
             as in the module, and say so in a warning. While -All reads pages, progress is shown on \
             a terminal. `{bin} help <Cmdlet> -Online` prints the address of the online help instead \
             of opening a browser."
        ),
    );
}

// ---------------------------------------------------------------------------
// EXAMPLES

/// One example per parameter set: the command line that runs it from the
/// generated binary, with the set's mandatory parameters.
fn examples(doc: &mut Doc, api: &Api, cmdlet: &Cmdlet) {
    let bin = &api.krate.binary;
    for (n, set) in cmdlet.sets.iter().enumerate() {
        doc.line(format!("### Example {}: {}", n + 1, set.name));
        doc.blank();
        let mandatory: Vec<&CmdletParam> = cmdlet
            .params
            .iter()
            .filter(|p| p.sets.as_ref().is_some_and(|list| list.iter().any(|m| m.set == set.name && m.mandatory)))
            .filter(|p| p.kind != ParamKind::Identity)
            .collect();
        let args: String = mandatory
            .iter()
            .map(|p| {
                let value = if p.ty.is_switch() { String::new() } else { format!(" \"${}\"", shell_variable(&p.name)) };
                format!(" -{}{value}", p.name)
            })
            .collect();
        let line = format!("{bin} {}{args}", cmdlet.name);
        let keys: Vec<&str> = match api.operations.get(set.operation) {
            Some(op) if set.via_identity => {
                op.params.iter().filter(|p| p.location == Location::Path).map(|p| p.ps_name.as_str()).collect()
            }
            _ => Vec::new(),
        };
        doc.line("```sh");
        if set.via_identity {
            let object: Vec<String> = keys.iter().map(|k| format!("\"{k}\":\"...\"")).collect();
            doc.line(format!("echo '{{{}}}' | {line}", object.join(",")));
        } else {
            doc.line(&line);
        }
        doc.line("```");
        doc.blank();
        if set.via_identity {
            doc.line(format!(
                "Runs the {} parameter set for each identity object read from standard input.",
                set.name
            ));
        } else {
            doc.line(format!("Runs the {} parameter set.", set.name));
        }
        doc.blank();
    }
}

/// `ApplicationId` -> `APPLICATION_ID`.
fn shell_variable(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 && !out.ends_with('_') {
            let previous = name.chars().nth(i - 1).unwrap_or('_');
            if previous.is_ascii_lowercase() || previous.is_ascii_digit() {
                out.push('_');
            }
        }
        out.push(c.to_ascii_uppercase());
    }
    out
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
        .all_params()
        .iter()
        .filter(|p| p.ty.name() == ty)
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
    let has_pass_thru = cmdlet.common.pass_thru;
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

    /// A GET with a path key, a query option and a header, lowered from a
    /// small document; its identity set is dropped.
    fn sample_api() -> Api {
        let text = r#"
openapi: 3.0.1
info: {title: Things, version: v1}
servers: [{url: 'https://graph.microsoft.com/beta/'}]
paths:
  /things/{thing-id}:
    get:
      operationId: thing_GetThing
      description: "First line.\n\n\nSecond line.   "
      parameters:
        - {name: thing-id, in: path, required: true, schema: {type: string}}
        - {name: $top, in: query, schema: {type: integer}}
        - {name: ConsistencyLevel, in: header, schema: {type: string}}
      responses:
        '204': {description: ok}
"#;
        let spec = crate::SpecInput { file: "things.yaml".into(), text: text.into() };
        let mut api = crate::build_ir(&spec, &crate::Config::default(), "config").unwrap_or_else(|e| panic!("{e}"));
        for c in &mut api.cmdlets {
            c.aliases = vec!["Get-MgBetaOldThing".into()];
            c.sets.retain(|s| !s.via_identity);
            c.help_uri = None;
            c.related_links.clear();
        }
        api
    }

    fn provenance() -> Provenance {
        Provenance { spec_file: "things.yaml".into(), spec_sha256: "0".into(), generator_version: "0".into() }
    }

    #[test]
    fn syntax_puts_the_sets_own_parameters_first_in_operation_order() {
        let api = sample_api();
        let (cmdlet, set) = (&api.cmdlets[0], &api.cmdlets[0].sets[0]);
        let text = syntax_block(cmdlet, set);
        assert!(text.starts_with("Get-MgBetaThing -ThingId <string> [-Top <int>] [-ConsistencyLevel <string>]\n"), "{text}");
        assert!(text.contains(" [-ResponseHeadersVariable <string>] [-Break]"), "{text}");
        assert!(text.ends_with("[<CommonParameters>]"), "{text}");
    }

    #[test]
    fn documents_are_deterministic_and_tidy() {
        let api = sample_api();
        let files = |api: &Api, p: &Provenance| -> Vec<File> { api.cmdlets.iter().map(|c| file(api, c, p, "beta/things")).collect() };
        let first = files(&api, &provenance());
        assert_eq!(first, files(&api, &provenance()));
        let text = &first[0].contents;
        assert_eq!(first[0].path, "beta/things/docs/Get-MgBetaThing.md");
        assert!(text.starts_with("---\n# @generated"));
        assert!(text.contains("\nModule Name: Microsoft.Graph.Beta.Things\n"));
        assert!(text.contains("\nHelpUri: ''\n"));
        assert!(text.ends_with("There are no related links.\n"));
        // Blank-line runs in a description collapse to one.
        assert!(text.contains("First line.\n\nSecond line.\n\n## EXAMPLES"));
        assert!(text.contains("## ALIASES\n\nThis cmdlet has the following aliases,\n  Get-MgBetaOldThing\n\n## DESCRIPTION"));
        assert!(text.contains("### Example 1: Get\n\n```sh\nmg Get-MgBetaThing -ThingId \"$THING_ID\"\n```\n"));
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
