//! The help documents (`generated/docs/*.md`), read structurally: front
//! matter, SYNTAX sets, one YAML block per parameter, INPUTS, OUTPUTS and the
//! identity properties under NOTES. The generated Start document must state
//! the same facts as the real module's help (the seed in `../shared/seed`),
//! whatever the wording.
//!
//! The documents come from an in-memory generation of the committed spec, so
//! these tests do not depend on `generated/` having been refreshed.

use std::collections::BTreeMap;
use std::path::PathBuf;

const APPLICATION_DOC: &str = "Start-MgBetaApplicationSynchronizationJob";
const SERVICE_PRINCIPAL_DOC: &str = "Start-MgBetaServicePrincipalSynchronizationJob";

// ---------------------------------------------------------------------------
// The parser

/// A help document, reduced to the facts the tests compare.
#[derive(Debug)]
struct HelpDoc {
    /// `title` of the front matter.
    title: String,
    /// SYNTAX sets in document order.
    sets: Vec<SyntaxSet>,
    /// PARAMETERS in document order.
    params: Vec<ParamDoc>,
    /// `### ` headings under INPUTS.
    inputs: Vec<String>,
    /// `### ` headings under OUTPUTS.
    outputs: Vec<String>,
    /// The type in the NOTES line ``INPUTOBJECT `<T>`: ...``, if any.
    identity_type: Option<String>,
    /// Names from the NOTES lines `  [Name <String>]: ...`, in order.
    identity_props: Vec<String>,
    /// Whether `### CommonParameters` is there.
    has_common_parameters: bool,
}

#[derive(Debug)]
struct SyntaxSet {
    name: String,
    default: bool,
    /// The text of the fenced block.
    text: String,
}

#[derive(Debug)]
struct ParamDoc {
    name: String,
    /// Top-level keys of the YAML block, in their order.
    keys: Vec<String>,
    yaml: ParamYaml,
}

/// The YAML block of one parameter.
#[derive(Debug)]
struct ParamYaml {
    r#type: String,
    default_value: serde_yaml::Value,
    aliases: Vec<String>,
    parameter_sets: Vec<SetYaml>,
    dont_show: bool,
}

#[derive(Debug)]
struct SetYaml {
    name: String,
    position: String,
    is_required: bool,
    value_from_pipeline: bool,
    value_from_pipeline_by_property_name: bool,
    value_from_remaining_arguments: bool,
}

/// The keys PlatyPS writes in a parameter's block, and in each of its sets.
const PARAM_KEYS: &[&str] = &[
    "Type",
    "DefaultValue",
    "SupportsWildcards",
    "Aliases",
    "ParameterSets",
    "DontShow",
    "AcceptedValues",
    "HelpMessage",
];
const SET_KEYS: &[&str] = &[
    "Name",
    "Position",
    "IsRequired",
    "ValueFromPipeline",
    "ValueFromPipelineByPropertyName",
    "ValueFromRemainingArguments",
];

/// A mapping with exactly `keys` (no more, no fewer), as key -> value.
fn exact_mapping<'a>(
    value: &'a serde_yaml::Value,
    keys: &[&str],
) -> Result<BTreeMap<String, &'a serde_yaml::Value>, String> {
    let mapping = value.as_mapping().ok_or("not a mapping")?;
    let mut out = BTreeMap::new();
    for (k, v) in mapping {
        let k = k.as_str().ok_or("a key is not a string")?;
        if !keys.contains(&k) {
            return Err(format!("unexpected key {k}"));
        }
        out.insert(k.to_owned(), v);
    }
    if let Some(missing) = keys.iter().find(|k| !out.contains_key(**k)) {
        return Err(format!("missing key {missing}"));
    }
    Ok(out)
}

fn string(map: &BTreeMap<String, &serde_yaml::Value>, key: &str) -> Result<String, String> {
    map[key].as_str().map(str::to_owned).ok_or_else(|| format!("{key} is not a string"))
}

fn boolean(map: &BTreeMap<String, &serde_yaml::Value>, key: &str) -> Result<bool, String> {
    map[key].as_bool().ok_or_else(|| format!("{key} is not true or false"))
}

fn strings(map: &BTreeMap<String, &serde_yaml::Value>, key: &str) -> Result<Vec<String>, String> {
    let list = map[key].as_sequence().ok_or_else(|| format!("{key} is not a list"))?;
    list.iter().map(|v| v.as_str().map(str::to_owned).ok_or_else(|| format!("{key}: not a string"))).collect()
}

impl ParamYaml {
    fn parse(block: &str) -> Result<ParamYaml, String> {
        let value: serde_yaml::Value = serde_yaml::from_str(block).map_err(|e| e.to_string())?;
        let map = exact_mapping(&value, PARAM_KEYS)?;
        if boolean(&map, "SupportsWildcards")? {
            return Err("SupportsWildcards is true".into());
        }
        if !strings(&map, "AcceptedValues")?.is_empty() || !string(&map, "HelpMessage")?.is_empty() {
            return Err("AcceptedValues or HelpMessage is not empty".into());
        }
        let sets = map["ParameterSets"].as_sequence().ok_or("ParameterSets is not a list")?;
        let parameter_sets = sets
            .iter()
            .map(|set| {
                let m = exact_mapping(set, SET_KEYS)?;
                Ok(SetYaml {
                    name: string(&m, "Name")?,
                    position: string(&m, "Position")?,
                    is_required: boolean(&m, "IsRequired")?,
                    value_from_pipeline: boolean(&m, "ValueFromPipeline")?,
                    value_from_pipeline_by_property_name: boolean(&m, "ValueFromPipelineByPropertyName")?,
                    value_from_remaining_arguments: boolean(&m, "ValueFromRemainingArguments")?,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(ParamYaml {
            r#type: string(&map, "Type")?,
            default_value: map["DefaultValue"].clone(),
            aliases: strings(&map, "Aliases")?,
            parameter_sets,
            dont_show: boolean(&map, "DontShow")?,
        })
    }
}

/// Lines of a fenced block opened at `lines[start]`, and the index after its end.
fn fenced(lines: &[&str], start: usize) -> Result<(Vec<String>, usize), String> {
    let mut body = Vec::new();
    for (i, line) in lines.iter().enumerate().skip(start + 1) {
        if *line == "```" {
            return Ok((body, i + 1));
        }
        body.push((*line).to_owned());
    }
    Err(format!("line {}: code block never closed", start + 1))
}

/// The index of the next line that opens a fence (```` ```<lang> ````), unless a heading comes first.
fn next_fence(lines: &[&str], from: usize, lang: &str) -> Result<usize, String> {
    for (i, line) in lines.iter().enumerate().skip(from) {
        if line.starts_with("```") {
            return if line.trim_start_matches('`') == lang {
                Ok(i)
            } else {
                Err(format!("line {}: expected ```{lang}, found {line}", i + 1))
            };
        }
        if line.starts_with('#') {
            break;
        }
    }
    Err(format!("line {}: no ```{lang} block before the next heading", from + 1))
}

fn parse(text: &str) -> Result<HelpDoc, String> {
    let lines: Vec<&str> = text.lines().collect();
    if lines.first() != Some(&"---") {
        return Err("the document does not start with ---".into());
    }
    let end = lines.iter().skip(1).position(|l| *l == "---").ok_or("front matter never closed")? + 1;
    let front: BTreeMap<String, serde_yaml::Value> =
        serde_yaml::from_str(&lines[1..end].join("\n")).map_err(|e| format!("front matter: {e}"))?;
    let title = front.get("title").and_then(|v| v.as_str()).ok_or("front matter has no title")?.to_owned();

    let mut doc = HelpDoc {
        title,
        sets: Vec::new(),
        params: Vec::new(),
        inputs: Vec::new(),
        outputs: Vec::new(),
        identity_type: None,
        identity_props: Vec::new(),
        has_common_parameters: false,
    };
    let mut section = String::new();
    let mut i = end + 1;
    while i < lines.len() {
        let line = lines[i];
        if let Some(name) = line.strip_prefix("## ") {
            section = name.to_owned();
        } else if let Some(heading) = line.strip_prefix("### ") {
            match section.as_str() {
                "SYNTAX" => {
                    let (name, default) = match heading.strip_suffix(" (Default)") {
                        Some(name) => (name, true),
                        None => (heading, false),
                    };
                    let (body, next) = fenced(&lines, next_fence(&lines, i + 1, "")?)?;
                    doc.sets.push(SyntaxSet { name: name.to_owned(), default, text: body.join("\n") });
                    i = next;
                    continue;
                }
                "PARAMETERS" if heading == "CommonParameters" => doc.has_common_parameters = true,
                "PARAMETERS" => {
                    let name = heading.strip_prefix('-').ok_or_else(|| format!("line {}: not a parameter", i + 1))?;
                    let (body, next) = fenced(&lines, next_fence(&lines, i + 1, "yaml")?)?;
                    let block = body.join("\n");
                    let yaml = ParamYaml::parse(&block).map_err(|e| format!("parameter -{name}: {e}"))?;
                    let keys = body
                        .iter()
                        .filter(|l| !l.starts_with([' ', '-']))
                        .filter_map(|l| l.split_once(':').map(|(k, _)| k.to_owned()))
                        .collect();
                    doc.params.push(ParamDoc { name: name.to_owned(), keys, yaml });
                    i = next;
                    continue;
                }
                "INPUTS" => doc.inputs.push(heading.to_owned()),
                "OUTPUTS" => doc.outputs.push(heading.to_owned()),
                _ => {}
            }
        } else if section == "NOTES" {
            if let Some(rest) = line.strip_prefix("INPUTOBJECT `<") {
                let ty = rest.split_once(">`").ok_or_else(|| format!("line {}: bad INPUTOBJECT line", i + 1))?.0;
                doc.identity_type = Some(ty.to_owned());
            } else if let Some(rest) = line.strip_prefix("  [") {
                let (name, ty) = rest
                    .split_once(']')
                    .and_then(|(inside, _)| inside.split_once(' '))
                    .ok_or_else(|| format!("line {}: bad identity property line", i + 1))?;
                if ty != "<String>" {
                    return Err(format!("line {}: identity property {name} is {ty}, not <String>", i + 1));
                }
                doc.identity_props.push(name.to_owned());
            }
        }
        i += 1;
    }
    Ok(doc)
}

impl HelpDoc {
    fn param(&self, name: &str) -> &ParamDoc {
        self.params.iter().find(|p| p.name == name).unwrap_or_else(|| panic!("{}: no parameter -{name}", self.title))
    }

    fn param_names(&self) -> Vec<&str> {
        self.params.iter().map(|p| p.name.as_str()).collect()
    }

    fn set_names(&self) -> Vec<(&str, bool)> {
        self.sets.iter().map(|s| (s.name.as_str(), s.default)).collect()
    }

    fn syntax(&self, set: &str) -> &str {
        self.sets.iter().find(|s| s.name == set).map_or_else(|| panic!("{}: no set {set}", self.title), |s| &s.text)
    }

    /// What the binder sees of one set: (parameter, type, required, from pipeline),
    /// counting `(All)` entries as members of every set.
    fn set_view(&self, set: &str) -> Vec<(String, String, bool, bool)> {
        let mut view = Vec::new();
        for p in &self.params {
            for s in p.yaml.parameter_sets.iter().filter(|s| s.name == set || s.name == "(All)") {
                view.push((p.name.clone(), p.yaml.r#type.clone(), s.is_required, s.value_from_pipeline));
            }
        }
        view
    }
}

// ---------------------------------------------------------------------------
// Inputs

/// The generated documents by cmdlet name.
fn generated_docs() -> BTreeMap<String, String> {
    tests::committed_module_files()
        .into_iter()
        .filter_map(|f| {
            let name = f.path.strip_prefix("docs/")?.strip_suffix(".md")?.to_owned();
            Some((name, f.contents))
        })
        .collect()
}

fn generated(name: &str) -> HelpDoc {
    let docs = generated_docs();
    let text = docs.get(name).unwrap_or_else(|| panic!("no docs/{name}.md among the generated files"));
    parse(text).unwrap_or_else(|e| panic!("docs/{name}.md: {e}"))
}

fn seed_path() -> PathBuf {
    tests::root().join("../shared/seed").join(format!("{APPLICATION_DOC}.md"))
}

// ---------------------------------------------------------------------------
// Tests

#[test]
fn the_parser_reads_the_seed() {
    let Ok(text) = std::fs::read_to_string(seed_path()) else {
        eprintln!("skipped: ../shared/seed not found");
        return;
    };
    let seed = parse(&text).unwrap_or_else(|e| panic!("seed: {e}"));
    assert_eq!(seed.title, APPLICATION_DOC);
    assert_eq!(seed.set_names(), [("Start", true), ("StartViaIdentity", false)]);
    assert_eq!(seed.params.len(), 14);
    assert_eq!(seed.identity_props.len(), 35);
    assert!(seed.has_common_parameters);
}

#[test]
fn start_document_states_what_the_seed_states() {
    let Ok(text) = std::fs::read_to_string(seed_path()) else {
        eprintln!("skipped: ../shared/seed not found");
        return;
    };
    let seed = parse(&text).unwrap_or_else(|e| panic!("seed: {e}"));
    let ours = generated(APPLICATION_DOC);

    assert_eq!(ours.title, seed.title, "title");
    assert_eq!(ours.set_names(), seed.set_names(), "parameter sets (name, default)");
    assert_eq!(ours.param_names(), seed.param_names(), "parameters, in document order");
    for expected in &seed.params {
        let got = ours.param(&expected.name);
        let name = &expected.name;
        assert_eq!(got.yaml.r#type, expected.yaml.r#type, "-{name}: Type");
        assert_eq!(got.yaml.aliases, expected.yaml.aliases, "-{name}: Aliases");
        assert_eq!(got.yaml.default_value, expected.yaml.default_value, "-{name}: DefaultValue");
        assert_eq!(got.yaml.dont_show, expected.yaml.dont_show, "-{name}: DontShow");
        assert_eq!(got.keys, expected.keys, "-{name}: keys of the YAML block");
        let sets = |p: &ParamDoc| -> Vec<(String, String, bool, bool, bool, bool)> {
            p.yaml
                .parameter_sets
                .iter()
                .map(|s| {
                    (
                        s.name.clone(),
                        s.position.clone(),
                        s.is_required,
                        s.value_from_pipeline,
                        s.value_from_pipeline_by_property_name,
                        s.value_from_remaining_arguments,
                    )
                })
                .collect()
        };
        assert_eq!(sets(got), sets(expected), "-{name}: ParameterSets");
    }
    for set in &seed.sets {
        assert_eq!(ours.syntax(&set.name), set.text, "SYNTAX of {}", set.name);
    }
    assert_eq!(ours.inputs, seed.inputs, "INPUTS");
    assert_eq!(ours.outputs, seed.outputs, "OUTPUTS");
    assert_eq!(ours.identity_type, seed.identity_type, "NOTES: INPUTOBJECT type");
    assert_eq!(ours.identity_props, seed.identity_props, "NOTES: identity properties, in order");
    assert!(ours.has_common_parameters, "### CommonParameters");
}

#[test]
fn every_document_is_well_formed_and_agrees_with_the_ir() {
    let docs = generated_docs();
    let ir = tests::committed_ir();
    assert_eq!(docs.len(), ir.cmdlets.len(), "one document per cmdlet");
    for cmdlet in &ir.cmdlets {
        let name = &cmdlet.name;
        let text = docs.get(name).unwrap_or_else(|| panic!("no docs/{name}.md"));
        assert!(text.starts_with("---\n"), "{name}: must start with ---");
        assert!(text.contains("# @generated by `cargo xtask codegen`"), "{name}: no @generated line");
        assert!(text.contains(&format!("sha256:{}", ir.spec_sha256)), "{name}: no spec sha256");
        assert!(!text.contains('\r'), "{name}: CR in line endings");
        assert!(text.ends_with('\n') && !text.ends_with("\n\n"), "{name}: must end with one newline");
        assert!(!text.contains("{{"), "{name}: a PlatyPS placeholder was left");
        assert!(!text.contains("ms.date"), "{name}: dates make the output non-deterministic");

        let doc = parse(text).unwrap_or_else(|e| panic!("docs/{name}.md: {e}"));
        assert_eq!(&doc.title, name);
        let ir_sets: Vec<(&str, bool)> = cmdlet.sets.iter().map(|s| (s.name.as_str(), s.default)).collect();
        assert_eq!(doc.set_names(), ir_sets, "{name}: sets");
        assert_eq!(doc.sets.iter().filter(|s| s.default).count(), 1, "{name}: one default set");
        for set in &doc.sets {
            assert!(set.text.starts_with(&format!("{name} ")), "{name}: SYNTAX of {} names the cmdlet", set.name);
            assert!(set.text.ends_with("[<CommonParameters>]"), "{name}: SYNTAX of {}", set.name);
            assert!(set.text.lines().all(|l| l.chars().count() <= 100), "{name}: SYNTAX line too long");
        }
        let all = cmdlet.all_params();
        let mut ir_params: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
        ir_params.sort_by_key(|n| n.to_lowercase());
        assert_eq!(doc.param_names(), ir_params, "{name}: parameters");
        for p in &doc.params {
            assert_eq!(p.keys, PARAM_KEYS, "{name}: keys of the YAML block of -{}", p.name);
            for s in &p.yaml.parameter_sets {
                assert!(
                    s.name == "(All)" || ir_sets.iter().any(|(n, _)| *n == s.name),
                    "{name}: -{} names an unknown set {}",
                    p.name,
                    s.name
                );
            }
        }
        assert_eq!(doc.outputs, cmdlet.outputs, "{name}: OUTPUTS");
        assert_eq!(doc.inputs, cmdlet.inputs, "{name}: INPUTS");
        if cmdlet.sets.iter().any(|s| s.via_identity) {
            let props: Vec<&str> = ir.identity.properties.iter().map(|p| p.name.as_str()).collect();
            assert_eq!(doc.identity_props, props, "{name}: NOTES");
            assert_eq!(doc.identity_type.as_deref(), Some(ir.identity.type_name.as_str()));
        }
    }
}

#[test]
fn service_principal_document_mirrors_the_application_one() {
    let app = generated(APPLICATION_DOC);
    let sp = generated(SERVICE_PRINCIPAL_DOC);
    assert_eq!(sp.set_names(), app.set_names());

    // Via identity, the two cmdlets take exactly the same parameters.
    assert_eq!(sp.set_view("StartViaIdentity"), app.set_view("StartViaIdentity"));
    assert_eq!(
        sp.syntax("StartViaIdentity"),
        app.syntax("StartViaIdentity").replacen(APPLICATION_DOC, SERVICE_PRINCIPAL_DOC, 1)
    );
    // With explicit keys, -ServicePrincipalId stands where -ApplicationId does.
    let renamed: Vec<_> = sp
        .set_view("Start")
        .into_iter()
        .map(|(n, t, r, p)| (if n == "ServicePrincipalId" { "ApplicationId".to_owned() } else { n }, t, r, p))
        .collect();
    let mut expected = app.set_view("Start");
    expected.sort();
    let mut renamed_sorted = renamed;
    renamed_sorted.sort();
    assert_eq!(renamed_sorted, expected);
    assert!(sp.params.iter().all(|p| p.name != "ApplicationId"));
    assert_eq!(sp.identity_props, app.identity_props);
    assert_eq!(sp.outputs, app.outputs);
    assert_eq!(sp.inputs, app.inputs);
}
