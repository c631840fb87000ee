//! Fragment extraction: a whole module document -> a small self-contained
//! document that holds only some operations, plus the module-wide identity
//! keys that the small document can no longer show.
//!
//! The fragment keeps, from the module document:
//! - the selected operations (operationId matched by anchored regexes), each
//!   under its path item with the item's own keys (path-level `parameters`,
//!   `summary`, ...) but without the methods that were not selected;
//! - every `#/components/...` object those operations reach through `$ref`,
//!   transitively (schemas through `allOf`, `items`, `properties`, ...,
//!   parameters, responses, request bodies, examples, headers, ...);
//! - `openapi`, `info`, `servers`, `security`, `components.securitySchemes`,
//!   the `tags` the operations use, and any other top-level key.
//!
//! The identity keys are every distinct path placeholder of every operation
//! of the module with the description of its path parameter, as the
//! generator's lowering would see them (paths sorted, methods in the IR's
//! order, the first operation that declares the parameter wins), so that a
//! fragment plus its identity keys yields the module's identity type.
//!
//! Pure: text in, texts out. `xtask fragment` does the reading and writing.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use regex::Regex;
use serde_yaml::{Mapping, Value};

use crate::error::{Diagnostic, Error, Pointer};
use crate::load::{SpecInput, parse_yaml, sha256_hex};

/// The methods a path item can hold, in the order the IR sorts them.
const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];


/// What [`extract`] produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// The fragment document, as YAML text with a provenance header.
    pub spec: String,
    /// The module-wide identity keys, as the text of `identity-keys.yaml`.
    pub identity_keys: String,
    /// The selected operations, in document order.
    pub operations: Vec<SelectedOperation>,
    /// The components kept, as `kind/name`, in output order.
    pub components: Vec<String>,
}

/// One operation the patterns selected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SelectedOperation {
    /// The path template.
    pub path: String,
    /// The lower-case method key.
    pub method: String,
    /// The operationId.
    pub operation_id: String,
}

/// Extracts the operations whose operationId matches one of `patterns`
/// (regexes anchored at both ends) from a module document.
///
/// Fails, naming the file and the node, when the text is not an OpenAPI
/// mapping, when a pattern is not a valid regex or matches no operation, or
/// when a reference the selected operations need is external or dangling.
/// `config` is the module's configuration: the identity keys are those of
/// the module as it lowers with it (its directives may remove operations
/// that collide without them).
pub fn extract(input: &SpecInput, patterns: &[String], config: &crate::Config) -> Result<Fragment, Error> {
    let file = input.file.as_str();
    let doc = parse_document(input)?;
    let paths = paths_of(file, &doc)?;
    let mut diagnostics = Vec::new();
    if patterns.is_empty() {
        return Err(Error::single(
            file,
            "/paths",
            "no operation pattern given: name at least one operationId or regex",
        ));
    }
    let compiled: Vec<Regex> = patterns
        .iter()
        .filter_map(|p| match Regex::new(&format!("^(?:{p})$")) {
            Ok(re) => Some(re),
            Err(e) => {
                let reason = e.to_string().lines().last().unwrap_or_default().trim().to_owned();
                diagnostics.push(diagnostic(
                    file,
                    "/paths",
                    format!("`{p}` is not a valid regular expression: {reason}"),
                ));
                None
            }
        })
        .collect();
    if !diagnostics.is_empty() {
        return Err(Error { diagnostics });
    }

    let (out_paths, operations, hits) = select(paths, &compiled);
    for (pattern, count) in patterns.iter().zip(&hits) {
        if *count == 0 {
            diagnostics.push(diagnostic(file, "/paths", no_match_message(pattern, paths)));
        }
    }
    if !diagnostics.is_empty() {
        return Err(Error { diagnostics });
    }

    let components = doc.get("components").and_then(Value::as_mapping);
    let mut refs = VecDeque::new();
    for (path, item) in &out_paths {
        collect_refs(item, &Pointer::root().join("paths").join(key_text(path)), &mut refs);
    }
    let included = closure(file, components, refs, &mut diagnostics);
    if !diagnostics.is_empty() {
        return Err(Error { diagnostics });
    }
    let (out_components, kept) = filter_components(components, &included);
    let used_tags: BTreeSet<&str> = out_paths
        .values()
        .filter_map(Value::as_mapping)
        .flat_map(|item| item.values())
        .filter_map(|op| op.get("tags").and_then(Value::as_sequence))
        .flatten()
        .filter_map(Value::as_str)
        .collect();

    let mut out = Mapping::new();
    for (key, value) in doc.as_mapping().into_iter().flatten() {
        match key.as_str() {
            Some("paths") => {
                out.insert(key.clone(), Value::Mapping(out_paths.clone()));
            }
            Some("components") => {
                if !out_components.is_empty() {
                    out.insert(key.clone(), Value::Mapping(out_components.clone()));
                }
            }
            Some("tags") => {
                let tags: Vec<Value> = value
                    .as_sequence()
                    .into_iter()
                    .flatten()
                    .filter(|t| t.get("name").and_then(Value::as_str).is_some_and(|n| used_tags.contains(n)))
                    .cloned()
                    .collect();
                if !tags.is_empty() {
                    out.insert(key.clone(), Value::Sequence(tags));
                }
            }
            // OpenAPI 3.1 only; the generator reads 3.0.
            Some("webhooks") => {}
            _ => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    let body = serde_yaml::to_string(&Value::Mapping(out))
        .map_err(|e| Error::single(file, "", format!("cannot write the fragment as YAML: {e}")))?;
    let spec = format!("{}{body}", fragment_header(input, patterns, &operations));
    let keys = identity_keys(input, config)?;
    let identity_keys = identity_keys_yaml(file, &keys)?;
    Ok(Fragment { spec, identity_keys, operations, components: kept })
}

/// The module-wide identity keys of a document: every distinct path
/// placeholder of every operation -> the description of its path parameter.
/// The document is lowered with `config` and the keys are read off its
/// identity type, so the fragment's keys are exactly the ones lowering
/// derives for the whole module.
pub fn identity_keys(input: &SpecInput, config: &crate::Config) -> Result<BTreeMap<String, String>, Error> {
    let loaded = crate::load::load(input)?;
    let names = crate::lower::ModelNames::assign(&crate::lower::component_keys(&loaded), &config.replace);
    let lowered = crate::lower::lower(&loaded, config, "", &names)?;
    Ok(lowered.api.identity.properties.into_iter().map(|p| (p.placeholder, p.description)).collect())
}

/// The text of `identity-keys.yaml`: a sorted YAML map placeholder ->
/// description under a header naming the source document.
pub fn identity_keys_yaml(source: &str, keys: &BTreeMap<String, String>) -> Result<String, Error> {
    let body = serde_yaml::to_string(keys)
        .map_err(|e| Error::single(source, "", format!("cannot write the identity keys as YAML: {e}")))?;
    Ok(format!(
        "# Module-wide identity keys of {}:\n\
         # every path placeholder of every operation -> the description of its\n\
         # path parameter. Written by `cargo xtask fragment`; read through\n\
         # `identity-keys-file` in codegen.yaml.\n{body}",
        base_name(source)
    ))
}

fn parse_document(input: &SpecInput) -> Result<Value, Error> {
    let file = input.file.as_str();
    if input.text.trim().is_empty() {
        return Err(Error::single(file, "", "the document is empty"));
    }
    let doc: Value = parse_yaml(file, &input.text)?;
    let Some(map) = doc.as_mapping() else {
        return Err(Error::single(file, "", "the document is not a YAML mapping (an OpenAPI object)"));
    };
    if !map.contains_key("openapi") {
        return Err(Error::single(file, "", "missing the `openapi` version field; is this an OpenAPI document?"));
    }
    Ok(doc)
}

fn paths_of<'d>(file: &str, doc: &'d Value) -> Result<&'d Mapping, Error> {
    match doc.get("paths") {
        Some(Value::Mapping(paths)) => Ok(paths),
        Some(_) => Err(Error::single(file, "/paths", "`paths` must be a map of path templates to path items")),
        None => Err(Error::single(file, "", "the document has no `paths`")),
    }
}

/// The selected path items (only matching methods, plus the item's own
/// keys), the operations, and how many operations each pattern matched.
fn select(paths: &Mapping, patterns: &[Regex]) -> (Mapping, Vec<SelectedOperation>, Vec<usize>) {
    let mut out = Mapping::new();
    let mut operations = Vec::new();
    let mut hits = vec![0; patterns.len()];
    for (path_key, item) in paths {
        let Some(item) = item.as_mapping() else { continue };
        let mut kept = Mapping::new();
        let mut any = false;
        for (key, value) in item {
            let method = key.as_str().filter(|k| METHODS.contains(k));
            let Some(method) = method else {
                kept.insert(key.clone(), value.clone());
                continue;
            };
            let Some(id) = value.get("operationId").and_then(Value::as_str) else { continue };
            let mut matched = false;
            for (re, count) in patterns.iter().zip(hits.iter_mut()) {
                if re.is_match(id) {
                    *count += 1;
                    matched = true;
                }
            }
            if matched {
                kept.insert(key.clone(), value.clone());
                operations.push(SelectedOperation {
                    path: key_text(path_key),
                    method: method.to_owned(),
                    operation_id: id.to_owned(),
                });
                any = true;
            }
        }
        if any {
            out.insert(path_key.clone(), Value::Mapping(kept));
        }
    }
    (out, operations, hits)
}

/// Why a pattern matched nothing, with the operationIds it would match
/// unanchored or ignoring case, when there are any.
fn no_match_message(pattern: &str, paths: &Mapping) -> String {
    let ids: BTreeSet<&str> = paths
        .values()
        .filter_map(Value::as_mapping)
        .flat_map(|item| METHODS.iter().filter_map(|m| item.get(*m)))
        .filter_map(|op| op.get("operationId").and_then(Value::as_str))
        .collect();
    let near: Vec<&str> = [Regex::new(pattern), Regex::new(&format!("(?i)^(?:{pattern})$"))]
        .into_iter()
        .flatten()
        .find_map(|re| {
            let found: Vec<&str> = ids.iter().copied().filter(|id| re.is_match(id)).collect();
            (!found.is_empty()).then_some(found)
        })
        .unwrap_or_default();
    let mut message = format!(
        "no operationId matches `{pattern}` (the pattern must match a whole operationId; {} operations searched)",
        ids.len()
    );
    if !near.is_empty() {
        let shown: Vec<String> = near.iter().take(5).map(|id| format!("`{id}`")).collect();
        let more = if near.len() > 5 { format!(" and {} more", near.len() - 5) } else { String::new() };
        message.push_str(&format!("; did you mean {}{more}?", shown.join(", ")));
    }
    message
}

/// Every `$ref` string below `value`, with the pointer of the node holding it.
fn collect_refs(value: &Value, at: &Pointer, out: &mut VecDeque<(String, Pointer)>) {
    match value {
        Value::Mapping(map) => {
            for (key, child) in map {
                let here = at.join(key_text(key));
                match (key.as_str(), child) {
                    (Some("$ref"), Value::String(reference)) => out.push_back((reference.clone(), here)),
                    _ => collect_refs(child, &here, out),
                }
            }
        }
        Value::Sequence(items) => {
            for (i, child) in items.iter().enumerate() {
                collect_refs(child, &at.join(i), out);
            }
        }
        Value::Tagged(tagged) => collect_refs(&tagged.value, at, out),
        _ => {}
    }
}

/// Follows references breadth-first; returns every (kind, name) reached.
fn closure(
    file: &str,
    components: Option<&Mapping>,
    mut queue: VecDeque<(String, Pointer)>,
    diagnostics: &mut Vec<Diagnostic>,
) -> BTreeSet<(String, String)> {
    let mut included = BTreeSet::new();
    while let Some((reference, at)) = queue.pop_front() {
        let (kind, name) = match component_of(&reference) {
            Ok(target) => target,
            Err(message) => {
                diagnostics.push(diagnostic(file, at.to_string(), message));
                continue;
            }
        };
        if included.contains(&(kind.clone(), name.clone())) {
            continue;
        }
        let Some(target) = components.and_then(|c| c.get(kind.as_str())).and_then(|t| t.get(name.as_str())) else {
            diagnostics.push(diagnostic(
                file,
                at.to_string(),
                format!("`$ref: {reference}` points at nothing: no such component"),
            ));
            continue;
        };
        collect_refs(target, &Pointer::root().join("components").join(&kind).join(&name), &mut queue);
        included.insert((kind, name));
    }
    included
}

/// `#/components/<kind>/<name>[/...]` -> (kind, name), unescaped.
fn component_of(reference: &str) -> Result<(String, String), String> {
    let Some(local) = reference.strip_prefix('#') else {
        return Err(format!(
            "`$ref: {reference}` is not a local reference (#/components/...); external references cannot be extracted"
        ));
    };
    let mut segments = local.split('/').skip(1).map(|s| s.replace("~1", "/").replace("~0", "~"));
    match (segments.next().as_deref(), segments.next(), segments.next()) {
        (Some("components"), Some(kind), Some(name)) if !kind.is_empty() && !name.is_empty() => Ok((kind, name)),
        _ => Err(format!(
            "`$ref: {reference}` does not name a component (#/components/<kind>/<name>); only those can be extracted"
        )),
    }
}

/// The components that were reached, in source order, plus every security
/// scheme and `x-` extension; and the list of `kind/name` kept.
fn filter_components(components: Option<&Mapping>, included: &BTreeSet<(String, String)>) -> (Mapping, Vec<String>) {
    let mut out = Mapping::new();
    let mut kept = Vec::new();
    for (kind_key, table) in components.into_iter().flatten() {
        let kind = key_text(kind_key);
        if kind == "securitySchemes" || kind.starts_with("x-") {
            out.insert(kind_key.clone(), table.clone());
            continue;
        }
        let mut out_table = Mapping::new();
        for (name_key, value) in table.as_mapping().into_iter().flatten() {
            let name = key_text(name_key);
            if included.contains(&(kind.clone(), name.clone())) {
                out_table.insert(name_key.clone(), value.clone());
                kept.push(format!("{kind}/{name}"));
            }
        }
        if !out_table.is_empty() {
            out.insert(kind_key.clone(), Value::Mapping(out_table));
        }
    }
    (out, kept)
}

/// The comment lines that open a fragment: where it came from and how to
/// make it again.
fn fragment_header(input: &SpecInput, patterns: &[String], operations: &[SelectedOperation]) -> String {
    let source = base_name(&input.file);
    let selectors: Vec<String> =
        patterns.iter().map(|p| format!("--operation '{}'", p.replace('\'', r"'\''"))).collect();
    let mut header = format!(
        "# Fragment of {source}\n# (sha256:{}), extracted by\n#   cargo xtask fragment --from {source} {}\n# Operations:\n",
        sha256_hex(&input.text),
        selectors.join(" ")
    );
    for op in operations {
        header.push_str(&format!("#   {} {} ({})\n", op.method.to_uppercase(), op.path, op.operation_id));
    }
    header.push_str("# Regenerate the crate after refreshing: cargo xtask codegen\n");
    header
}

fn base_name(file: &str) -> &str {
    file.rsplit(['/', '\\']).next().unwrap_or(file)
}

/// A mapping key as text (numbers such as response codes included).
fn key_text(key: &Value) -> String {
    match key {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => serde_yaml::to_string(other).map(|s| s.trim_end().to_owned()).unwrap_or_default(),
    }
}

fn diagnostic(file: &str, pointer: impl Into<String>, message: impl Into<String>) -> Diagnostic {
    Diagnostic { file: file.to_owned(), pointer: pointer.into(), operation_id: None, message: message.into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r##"openapi: 3.0.1
info: {title: T, version: v}
servers: [{url: 'https://example.com/beta/'}]
tags: [{name: a}, {name: b}]
paths:
  /things/{thing-id}:
    parameters:
      - $ref: '#/components/parameters/thingId'
    get:
      operationId: thing_Get
      tags: [a]
      responses:
        '200': {$ref: '#/components/responses/thing'}
    delete:
      operationId: thing_Delete
      tags: [b]
      responses: {'204': {description: gone}}
  /others/{other-id}/items(key='{key}'):
    get:
      operationId: other_Get
      parameters:
        - {name: other-id, in: path, required: true, description: The other, schema: {type: string}}
        - {name: key, in: path, required: true, description: Alternate key, schema: {type: string}}
      responses: {'200': {description: ok}}
components:
  schemas:
    unused: {type: string}
    thing:
      allOf:
        - $ref: '#/components/schemas/base'
      properties:
        parts: {type: array, items: {$ref: '#/components/schemas/part'}}
    base: {type: object, additionalProperties: {$ref: '#/components/schemas/extra'}}
    part: {type: object, properties: {owner: {$ref: '#/components/schemas/thing'}}}
    extra: {type: string}
  parameters:
    thingId: {$ref: '#/components/parameters/thingIdInner'}
    thingIdInner: {name: thing-id, in: path, required: true, description: The thing, schema: {type: string}}
  responses:
    thing:
      description: one thing
      content: {application/json: {schema: {$ref: '#/components/schemas/thing'}}}
  securitySchemes:
    oauth: {type: oauth2, flows: {}}
security: [{oauth: []}]
"##;

    fn input(text: &str) -> SpecInput {
        SpecInput { file: "module.yml".into(), text: text.into() }
    }

    #[test]
    fn keeps_selected_methods_and_the_reference_closure() {
        let f = extract(&input(DOC), &["thing_Get".into()], &crate::Config::default()).expect("extracts");
        let ids: Vec<&str> = f.operations.iter().map(|o| o.operation_id.as_str()).collect();
        assert_eq!(ids, ["thing_Get"]);
        assert_eq!(
            f.components,
            [
                "schemas/thing",
                "schemas/base",
                "schemas/part",
                "schemas/extra",
                "parameters/thingId",
                "parameters/thingIdInner",
                "responses/thing"
            ]
        );
        let doc: Value = serde_yaml::from_str(&f.spec).expect("fragment is YAML");
        let item = &doc["paths"]["/things/{thing-id}"];
        assert!(item.get("get").is_some() && item.get("delete").is_none() && item.get("parameters").is_some());
        assert!(doc["paths"].get("/others/{other-id}/items(key='{key}')").is_none());
        assert!(doc["components"]["securitySchemes"].get("oauth").is_some());
        assert_eq!(doc["tags"].as_sequence().map(Vec::len), Some(1));
        assert!(doc.get("security").is_some() && doc.get("servers").is_some() && doc.get("info").is_some());
        assert!(f.spec.starts_with("# Fragment of module.yml\n# (sha256:"), "{}", f.spec);
    }

    #[test]
    fn identity_keys_cover_every_operation_of_the_module() {
        let keys = identity_keys(&input(DOC), &crate::Config::default()).expect("keys");
        let expected: BTreeMap<String, String> =
            [("key", "Alternate key"), ("other-id", "The other"), ("thing-id", "The thing")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        assert_eq!(keys, expected);
        let text = identity_keys_yaml("dir/module.yml", &keys).expect("yaml");
        assert!(text.starts_with("# Module-wide identity keys of module.yml"), "{text}");
        let back: BTreeMap<String, String> = serde_yaml::from_str(&text).expect("parses back");
        assert_eq!(back, expected);
    }

    #[test]
    fn patterns_are_anchored_and_misses_are_errors_with_hints() {
        let err = extract(&input(DOC), &["thing".into(), "thing_(Get|Delete)".into()], &crate::Config::default()).expect_err("`thing` is partial");
        assert_eq!(err.diagnostics.len(), 1, "{err}");
        let text = err.to_string();
        assert!(text.starts_with("error: module.yml#/paths: no operationId matches `thing`"), "{text}");
        assert!(text.contains("did you mean `thing_Delete`, `thing_Get`?"), "{text}");
        let err = extract(&input(DOC), &["THING_GET".into()], &crate::Config::default()).expect_err("case matters");
        assert!(err.to_string().contains("did you mean `thing_Get`?"), "{err}");
    }

    #[test]
    fn bad_regexes_and_no_patterns_are_errors() {
        let err = extract(&input(DOC), &["thing_(Get".into()], &crate::Config::default()).expect_err("invalid");
        assert!(err.to_string().contains("module.yml#/paths: `thing_(Get` is not a valid regular expression"), "{err}");
        let err = extract(&input(DOC), &[], &crate::Config::default()).expect_err("none");
        assert!(err.to_string().contains("no operation pattern given"), "{err}");
    }

    #[test]
    fn dangling_and_external_references_name_the_node() {
        let doc = DOC.replace("'#/components/schemas/extra'", "'#/components/schemas/missing'");
        let err = extract(&input(&doc), &["thing_Get".into()], &crate::Config::default()).expect_err("dangling");
        assert_eq!(
            err.to_string(),
            "error: module.yml#/components/schemas/base/additionalProperties/$ref: \
             `$ref: #/components/schemas/missing` points at nothing: no such component"
        );
        let doc = DOC.replace("'#/components/responses/thing'", "'other.yml#/x'");
        let err = extract(&input(&doc), &["thing_Get".into()], &crate::Config::default()).expect_err("external");
        assert!(err.to_string().contains("module.yml#/paths/~1things~1{thing-id}/get/responses/200/$ref: "), "{err}");
    }

    #[test]
    fn not_an_openapi_document() {
        assert!(extract(&input("- a\n"), &["x".into()], &crate::Config::default()).expect_err("list").to_string().contains("not a YAML mapping"));
        assert!(extract(&input("a: 1\n"), &["x".into()], &crate::Config::default()).expect_err("no version").to_string().contains("`openapi`"));
        assert!(
            extract(&input("openapi: 3.0.1\n"), &["x".into()], &crate::Config::default())
                .expect_err("no paths")
                .to_string()
                .contains("no `paths`")
        );
    }
}
