//! Load: spec text -> `openapiv3::OpenAPI`, with errors that point at the node.
//!
//! The text is read three times over: a scan that keeps nothing (it bounds
//! the nodes aliases may expand to and counts operations, so hostile input
//! is refused before it costs memory; serde_yaml's recursion limit of 128
//! bounds nesting), then a YAML value (syntax errors carry a line and
//! column; keys openapiv3 would silently drop are refused), then the typed
//! document through serde_path_to_error, so a shape error names the JSON
//! pointer of the node.

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{Error, Pointer, Sink};

/// A spec document as read from disk: its name (for messages) and its text.
#[derive(Debug, Clone)]
pub struct SpecInput {
    /// The path as the user named it, used in every diagnostic.
    pub file: String,
    /// The whole document text.
    pub text: String,
}

/// A parsed document plus what later stages need to know about its source.
#[derive(Debug)]
pub struct Loaded {
    /// The file name, for diagnostics.
    pub file: String,
    /// The typed document.
    pub doc: openapiv3::OpenAPI,
    /// Hex SHA-256 of the input text, recorded in every generated header.
    pub sha256: String,
    /// `(pointer, message)` of every `$ref` anywhere in the document that is
    /// external or points at nothing, including parts the generator does not
    /// use (lowering reports them with its own diagnostics).
    pub ref_problems: Vec<(String, String)>,
}

/// Largest document we accept. The whole real Graph beta module is about
/// 2 MB; anything fifty times that is hostile or a mistake.
const MAX_DOCUMENT_BYTES: usize = 100 * 1024 * 1024;

/// Parses and checks an OpenAPI 3.0 document.
pub fn load(input: &SpecInput) -> Result<Loaded, Error> {
    let file = input.file.as_str();
    if input.text.len() > MAX_DOCUMENT_BYTES {
        return Err(Error::single(
            file,
            "",
            format!("the document is {} bytes, more than the {MAX_DOCUMENT_BYTES} accepted", input.text.len()),
        ));
    }
    if input.text.trim().is_empty() {
        return Err(Error::single(file, "", "the document is empty"));
    }
    // The counting pass parses the whole text a second time; a document
    // with no anchors or aliases cannot expand, so a moderate one of those
    // is counted after parsing instead.
    let scanned = if input.text.len() > UNSCANNED_BYTES || may_have_anchors(&input.text) {
        scan(file, &input.text)?
    } else {
        Scanned { operations: 0 }
    };
    if scanned.operations > MAX_OPERATIONS {
        return Err(Error::single(
            file,
            "/paths",
            format!(
                "the document has {} operations, more than the {MAX_OPERATIONS} one crate is generated for; split it by module",
                scanned.operations
            ),
        ));
    }
    let value: serde_yaml::Value = serde_yaml::from_str(&input.text).map_err(|e| syntax_error(file, &e))?;
    let operations = count_operations(&value);
    if operations > MAX_OPERATIONS {
        return Err(Error::single(
            file,
            "/paths",
            format!(
                "the document has {operations} operations, more than the {MAX_OPERATIONS} one crate is generated for; split it by module"
            ),
        ));
    }
    check_version(file, &value)?;
    check_keys(file, &value)?;
    // Borrowed, not cloned: the value of a large document is large.
    let doc: openapiv3::OpenAPI = match serde_path_to_error::deserialize(&value) {
        Ok(doc) => doc,
        Err(e) => {
            let coarse = Error::single(file, path_to_pointer(e.path()).to_string(), shorten(&e.inner().to_string()));
            return Err(refine(file, &value).unwrap_or(coarse));
        }
    };
    let ref_problems = check_refs(&value);
    Ok(Loaded { file: file.to_owned(), doc, sha256: sha256_hex(&input.text), ref_problems })
}

/// Documents up to this size without anchors are not counted before
/// they are parsed (their value tree is bounded by their text).
const UNSCANNED_BYTES: usize = 16 * 1024 * 1024;

/// Whether the text may hold a YAML anchor (`&a`) or alias (`*a`): an `&`
/// or `*` where a node can start (line start, after `:`, `-`, `?`, `[`,
/// `{` or `,`). Conservative: prose such as `R&D` or `a * b` does not
/// count, an asterisk opening a line of a block scalar does.
fn may_have_anchors(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.iter().enumerate().any(|(i, &b)| {
        if b != b'&' && b != b'*' {
            return false;
        }
        let before = bytes[..i].iter().rev().find(|c| **c != b' ' && **c != b'\t');
        matches!(before, None | Some(b'\n' | b'\r' | b':' | b'-' | b'?' | b'[' | b'{' | b','))
    })
}

/// Operations under `paths` (keys of path items that are HTTP methods).
fn count_operations(doc: &serde_yaml::Value) -> usize {
    const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
    let Some(paths) = doc.get("paths").and_then(serde_yaml::Value::as_mapping) else { return 0 };
    paths
        .values()
        .filter_map(serde_yaml::Value::as_mapping)
        .map(|item| item.keys().filter(|k| k.as_str().is_some_and(|k| METHODS.contains(&k))).count())
        .sum()
}

/// Keys whose value maps names (chosen by the document's author) to
/// OpenAPI objects: under them a key is a name, never a keyword.
const NAME_MAPS: &[&str] = &[
    "paths",
    "properties",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "securitySchemes",
    "links",
    "callbacks",
    "examples",
    "content",
    "encoding",
    "variables",
];

/// Keys whose value is free-form data (an example, a default, enumerated
/// values, an example's `value`): a `$ref` member there is data, not a
/// reference.
const FREE_FORM: &[&str] = &["example", "default", "enum", "value"];

/// Every `$ref` in the document, wherever it is, must be local and point at
/// a node that exists: a broken reference is a broken document even where
/// the generator would not look (a `default` response, an unused component).
fn check_refs(root: &serde_yaml::Value) -> Vec<(String, String)> {
    let mut walk = RefWalk { root, path: Vec::new(), checked: std::collections::HashMap::new(), problems: Vec::new() };
    walk.node(root, false);
    walk.problems
}

/// The walk behind [`check_refs`]. Recursion is bounded by serde_yaml's
/// nesting limit; the pointer of a node is only built for a problem.
struct RefWalk<'a> {
    root: &'a serde_yaml::Value,
    path: Vec<std::borrow::Cow<'a, str>>,
    /// Most documents refer to the same few hundred components many times.
    checked: std::collections::HashMap<&'a str, Result<(), String>>,
    problems: Vec<(String, String)>,
}

impl<'a> RefWalk<'a> {
    /// `names`: the keys of this mapping are names, not keywords.
    fn node(&mut self, node: &'a serde_yaml::Value, names: bool) {
        match node {
            serde_yaml::Value::Mapping(map) => {
                for (key, value) in map {
                    let key = segment_text(key);
                    if !names {
                        if key == "$ref" {
                            if let Some(reference) = value.as_str() {
                                self.reference(reference);
                            }
                            continue;
                        }
                        if key.starts_with("x-") || FREE_FORM.contains(&key.as_ref()) {
                            continue;
                        }
                    }
                    let child_names = !names && NAME_MAPS.contains(&key.as_ref());
                    self.path.push(key);
                    self.node(value, child_names);
                    self.path.pop();
                }
            }
            serde_yaml::Value::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.path.push(std::borrow::Cow::Owned(i.to_string()));
                    self.node(item, false);
                    self.path.pop();
                }
            }
            serde_yaml::Value::Tagged(tagged) => self.node(&tagged.value, names),
            _ => {}
        }
    }

    fn reference(&mut self, reference: &'a str) {
        let root = self.root;
        let verdict = self.checked.entry(reference).or_insert_with(|| check_ref(root, reference));
        if let Err(message) = verdict {
            let pointer = self.path.iter().fold(Pointer::root(), |p, s| p.join(s)).join("$ref");
            self.problems.push((pointer.to_string(), message.clone()));
        }
    }
}

/// A mapping key as a JSON pointer segment.
fn segment_text(key: &serde_yaml::Value) -> std::borrow::Cow<'_, str> {
    match key {
        serde_yaml::Value::String(s) => std::borrow::Cow::Borrowed(s),
        serde_yaml::Value::Number(n) => std::borrow::Cow::Owned(n.to_string()),
        serde_yaml::Value::Bool(b) => std::borrow::Cow::Owned(b.to_string()),
        other => std::borrow::Cow::Owned(key_text(other)),
    }
}

/// `Ok` when `reference` is a local JSON pointer (`#/...`, percent-encoded
/// as URI fragments are) to a node of the document.
fn check_ref<'a>(root: &'a serde_yaml::Value, reference: &str) -> Result<(), String> {
    let Some(fragment) = reference.strip_prefix('#') else {
        return Err(format!(
            "`$ref: {reference}` is not a local reference (#/components/...); external references are not supported"
        ));
    };
    let missing = || {
        let component = fragment.strip_prefix("/components/").is_some_and(|rest| rest.split('/').count() == 2);
        if component {
            format!("`$ref: {reference}` points at nothing: no such component")
        } else {
            format!("`$ref: {reference}` points at nothing in this document")
        }
    };
    if fragment.is_empty() {
        return Ok(());
    }
    let Some(pointer) = fragment.strip_prefix('/') else {
        return Err(missing());
    };
    let mut node = root;
    for raw in pointer.split('/') {
        let segment = percent_decode(raw).ok_or_else(missing)?.replace("~1", "/").replace("~0", "~");
        let map_child = |map: &'a serde_yaml::Mapping| {
            // A string key by hash; a number or boolean key by its text.
            map.get(segment.as_str()).or_else(|| {
                map.iter().find(|(k, _)| !k.is_string() && segment_text(k) == segment).map(|(_, v)| v)
            })
        };
        node = match node {
            serde_yaml::Value::Mapping(map) => map_child(map).ok_or_else(missing)?,
            serde_yaml::Value::Sequence(items) => {
                segment.parse::<usize>().ok().and_then(|i| items.get(i)).ok_or_else(missing)?
            }
            serde_yaml::Value::Tagged(tagged) => match &tagged.value {
                serde_yaml::Value::Mapping(map) => map_child(map).ok_or_else(missing)?,
                _ => return Err(missing()),
            },
            _ => return Err(missing()),
        };
    }
    Ok(())
}

/// Decodes `%XX` escapes; `None` when an escape is malformed or the result
/// is not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    if !text.contains('%') {
        return Some(text.to_owned());
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Parses YAML (JSON is YAML too) into `T`, mapping syntax errors to the file.
pub(crate) fn parse_yaml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Error> {
    scan(file, text)?;
    serde_yaml::from_str(text).map_err(|e| syntax_error(file, &e))
}

fn syntax_error(file: &str, e: &serde_yaml::Error) -> Error {
    let where_ = e.location().map(|l| format!(" at line {}, column {}", l.line(), l.column()));
    Error::single(file, "", format!("not valid YAML{}: {}", where_.unwrap_or_default(), strip_location(e)))
}

/// What a first, cheap pass over the text found.
struct Scanned {
    /// Operations under `paths` (keys of path items that are HTTP methods).
    operations: usize,
}

/// A first pass that keeps nothing: it counts nodes, so that aliases cannot
/// blow a small text up into gigabytes of values, and operations, so that a
/// document too big to generate is refused before it is built in memory
/// (a YAML value tree takes about forty times the text).
fn scan(file: &str, text: &str) -> Result<Scanned, Error> {
    let budget = node_budget(text);
    let left = std::cell::Cell::new(budget);
    let operations = std::cell::Cell::new(0);
    let scanner = Scanner { left: &left, operations: &operations, role: Role::Root };
    match serde::de::DeserializeSeed::deserialize(scanner, serde_yaml::Deserializer::from_str(text)) {
        Ok(_) => Ok(Scanned { operations: operations.get() }),
        Err(e) if e.to_string().contains(TOO_MANY_NODES) => Err(Error::single(
            file,
            "",
            format!(
                "the document expands to more than {budget} YAML nodes (for {} bytes of text); \
                 anchors and aliases (`&a` ... `*a`) repeat too much",
                text.len()
            ),
        )),
        Err(e) => Err(syntax_error(file, &e)),
    }
}

/// Nodes a document may expand to. Without aliases a node takes at least
/// one byte of text, so only alias repetition can go past the text length;
/// a million extra nodes leave room for honest use of anchors. serde_yaml's
/// own alias limit (a hundred jumps per event) still lets one big anchored
/// node be repeated by many small aliases: 15 kB of such text made 1.3 GB.
fn node_budget(text: &str) -> usize {
    const ALIAS_ALLOWANCE: usize = 1_000_000;
    const MAX_NODES: usize = 20_000_000;
    text.len().saturating_add(ALIAS_ALLOWANCE).min(MAX_NODES)
}

const TOO_MANY_NODES: &str = "too many YAML nodes";

/// Where the scanner is in the document: enough to count operations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The OpenAPI object.
    Root,
    /// The `paths` object.
    Paths,
    /// One path item.
    PathItem,
    /// A mapping key whose text the parent needs.
    Key,
    /// Anything else.
    Other,
}

/// Visits every node without keeping it, failing as soon as the node
/// budget in `left` runs out. Nesting is bounded by serde_yaml's recursion
/// limit (128), so this recursion is too.
#[derive(Clone, Copy)]
struct Scanner<'c> {
    left: &'c std::cell::Cell<usize>,
    operations: &'c std::cell::Cell<usize>,
    role: Role,
}

impl Scanner<'_> {
    fn with(self, role: Role) -> Self {
        Scanner { role, ..self }
    }

    fn take<E: serde::de::Error>(self) -> Result<Option<String>, E> {
        match self.left.get().checked_sub(1) {
            Some(left) => {
                self.left.set(left);
                Ok(None)
            }
            None => Err(E::custom(TOO_MANY_NODES)),
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Scanner<'_> {
    /// The text of a string key, when the role asks for it.
    type Value = Option<String>;
    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Option<String>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Scanner<'_> {
    type Value = Option<String>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML node")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<String>, E> {
        self.take::<E>()?;
        Ok((self.role == Role::Key).then(|| v.to_owned()))
    }
    fn visit_bytes<E: serde::de::Error>(self, _: &[u8]) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<Option<String>, E> {
        self.take()
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Option<String>, D::Error> {
        deserializer.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
        self.take::<A::Error>()?;
        while seq.next_element_seed(self.with(Role::Other))?.is_some() {}
        Ok(None)
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        self.take::<A::Error>()?;
        let key_role = if matches!(self.role, Role::Root | Role::PathItem) { Role::Key } else { Role::Other };
        while let Some(key) = map.next_key_seed(self.with(key_role))? {
            let value_role = match (self.role, key.as_deref()) {
                (Role::Root, Some("paths")) => Role::Paths,
                (Role::Paths, _) => Role::PathItem,
                (Role::PathItem, Some(method)) if METHODS.contains(&method) => {
                    self.operations.set(self.operations.get() + 1);
                    Role::Other
                }
                _ => Role::Other,
            };
            map.next_value_seed(self.with(value_role))?;
        }
        Ok(None)
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Option<String>, A::Error> {
        // A tagged node (`!tag value`): the tag, then the value.
        use serde::de::VariantAccess;
        let (_, variant) = data.variant_seed(self.with(Role::Other))?;
        variant.newtype_variant_seed(self)
    }
}

/// Most operations we generate a crate for. Generation takes about 3 ms and
/// 85 kB per operation, so this bounds a run to a minute or two and a few
/// GB; the largest Graph beta modules stay well below it.
const MAX_OPERATIONS: usize = 25_000;

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// openapiv3 ignores keys it does not know (and drops paths that do not
/// start with `/`), so a misspelt `gett:` or `paramters:` would lose an
/// operation or its parameters without a word. Those are refused here, at
/// the levels where a typo loses the most.
fn check_keys(file: &str, doc: &serde_yaml::Value) -> Result<(), Error> {
    const TOP: &[&str] = &["openapi", "info", "servers", "paths", "components", "security", "tags", "externalDocs"];
    const COMPONENTS: &[&str] =
        &["schemas", "responses", "parameters", "examples", "requestBodies", "headers", "securitySchemes", "links", "callbacks"];
    const PATH_ITEM: &[&str] = &["$ref", "summary", "description", "servers", "parameters"];
    const OPERATION: &[&str] = &[
        "tags", "summary", "description", "externalDocs", "operationId", "parameters", "requestBody", "responses",
        "callbacks", "deprecated", "security", "servers",
    ];
    fn unknown(sink: &mut Sink, map: &serde_yaml::Mapping, pointer: &Pointer, what: &str, known: &[&str], methods: bool) {
        for key in map.keys() {
            let Some(key) = key.as_str() else {
                sink.push(pointer, None, format!("{what} keys must be strings, not `{}`", key_text(key)));
                continue;
            };
            let ok = key.starts_with("x-") || known.contains(&key) || (methods && METHODS.contains(&key));
            if !ok {
                let mut expected: Vec<&str> = if methods { METHODS.to_vec() } else { Vec::new() };
                expected.extend_from_slice(known);
                sink.push(
                    &pointer.join(key),
                    None,
                    format!("unknown key `{key}` in {what}; expected one of {} or an `x-` extension", expected.join(", ")),
                );
            }
        }
    }
    let mut sink = Sink::new(file);
    let root = Pointer::root();
    if let Some(map) = doc.as_mapping() {
        unknown(&mut sink, map, &root, "the OpenAPI object", TOP, false);
    }
    if let Some(map) = doc.get("components").and_then(serde_yaml::Value::as_mapping) {
        unknown(&mut sink, map, &root.join("components"), "components", COMPONENTS, false);
    }
    let paths = doc.get("paths").and_then(serde_yaml::Value::as_mapping);
    for (path, item) in paths.into_iter().flatten() {
        let Some(path) = path.as_str() else {
            sink.push(&root.join("paths"), None, format!("path keys must be strings, not `{}`", key_text(path)));
            continue;
        };
        let item_ptr = root.join("paths").join(path);
        if path.starts_with("x-") {
            continue;
        }
        if !path.starts_with('/') {
            sink.push(&item_ptr, None, format!("path `{path}` must start with `/`"));
            continue;
        }
        let Some(item) = item.as_mapping() else { continue };
        unknown(&mut sink, item, &item_ptr, "a path item", PATH_ITEM, true);
        for (method, op) in item {
            let Some(method) = method.as_str().filter(|m| METHODS.contains(m)) else { continue };
            if let Some(op) = op.as_mapping() {
                unknown(&mut sink, op, &item_ptr.join(method), "an operation", OPERATION, false);
            }
        }
    }
    sink.finish(())
}

/// A non-string mapping key, as the document wrote it.
fn key_text(key: &serde_yaml::Value) -> String {
    serde_yaml::to_string(key).map(|s| s.trim_end().to_owned()).unwrap_or_else(|_| format!("{key:?}"))
}

/// Converts a YAML value into a typed structure, naming the failing node.
pub(crate) fn from_value<T: DeserializeOwned>(file: &str, value: serde_yaml::Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        Error::single(file, pointer.to_string(), shorten(&e.inner().to_string()))
    })
}

/// serde quotes the offending value in full (`invalid type: string "..."`);
/// an 8 MB scalar must not become an 8 MB error message.
fn shorten(message: &str) -> String {
    const MAX: usize = 300;
    if message.len() <= MAX {
        return message.to_owned();
    }
    let mut cut = MAX;
    while !message.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}... ({} bytes in all)", &message[..cut], message.len())
}

/// openapiv3 flattens extensions into most objects, and serde buffers a
/// flattened object before parsing it, which loses the path below it. So
/// when the whole document fails, its parts are parsed one by one, as the
/// types they must be, to find the deepest node that fails.
fn refine(file: &str, doc: &serde_yaml::Value) -> Option<Error> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
    fn fails<T: DeserializeOwned>(value: &serde_yaml::Value) -> Option<(Pointer, String)> {
        serde_path_to_error::deserialize::<_, T>(value)
            .err()
            .map(|e| (path_to_pointer(e.path()), shorten(&e.inner().to_string())))
    }
    fn entries(value: Option<&serde_yaml::Value>) -> Vec<(String, &serde_yaml::Value)> {
        let Some(map) = value.and_then(serde_yaml::Value::as_mapping) else { return Vec::new() };
        map.iter()
            .map(|(k, v)| (k.as_str().map(str::to_owned).unwrap_or_else(|| format!("{k:?}")), v))
            .collect()
    }
    fn concat(base: Pointer, rel: &Pointer) -> Pointer {
        rel.segments().fold(base, |pointer, segment| pointer.join(segment))
    }
    /// The deepest failing node of a schema: children are tried first, so
    /// an error inside `properties` names that property, where openapiv3's
    /// untagged enums would only say that the whole schema "did not match".
    fn schema_failure(value: &serde_yaml::Value) -> Option<(Pointer, String)> {
        use serde_yaml::Value;
        let whole = fails::<ReferenceOr<Schema>>(value)?;
        if let Some(map) = value.as_mapping() {
            let here = Pointer::root();
            if let Some(properties) = map.get("properties").and_then(Value::as_mapping) {
                for (key, property) in properties {
                    let Some(name) = key.as_str() else {
                        let message = format!("property names must be strings, not `{}`", key_text(key));
                        return Some((here.join("properties"), message));
                    };
                    if let Some((rel, message)) = schema_failure(property) {
                        return Some((concat(here.join("properties").join(name), &rel), message));
                    }
                }
            }
            for key in ["items", "additionalProperties", "not"] {
                if let Some(child) = map.get(key).filter(|v| v.is_mapping())
                    && let Some((rel, message)) = schema_failure(child) {
                        return Some((concat(here.join(key), &rel), message));
                    }
            }
            for key in ["allOf", "anyOf", "oneOf"] {
                for (i, child) in map.get(key).and_then(Value::as_sequence).into_iter().flatten().enumerate() {
                    if let Some((rel, message)) = schema_failure(child) {
                        return Some((concat(here.join(key).join(i), &rel), message));
                    }
                }
            }
        }
        Some(whole)
    }
    let found = |base: Pointer, (rel, message): (Pointer, String)| {
        let mut pointer = base;
        for segment in rel.segments() {
            pointer = pointer.join(segment);
        }
        Some(Error::single(file, pointer.to_string(), message))
    };
    let root = Pointer::root();
    for (path, item) in entries(doc.get("paths")) {
        let item_ptr = root.join("paths").join(&path);
        if fails::<ReferenceOr<PathItem>>(item).is_none() {
            continue;
        }
        for (key, op) in entries(Some(item)) {
            let op_ptr = item_ptr.join(&key);
            if key == "parameters" {
                for (i, p) in op.as_sequence().into_iter().flatten().enumerate() {
                    if let Some(e) = fails::<ReferenceOr<Parameter>>(p) {
                        return found(op_ptr.join(i), e);
                    }
                }
                continue;
            }
            let Some(op_error) = fails::<Operation>(op) else { continue };
            for (i, p) in op.get("parameters").and_then(serde_yaml::Value::as_sequence).into_iter().flatten().enumerate() {
                if let Some(e) = fails::<ReferenceOr<Parameter>>(p) {
                    return found(op_ptr.join("parameters").join(i), e);
                }
            }
            if let Some(body) = op.get("requestBody")
                && let Some(e) = fails::<ReferenceOr<RequestBody>>(body) {
                    return found(op_ptr.join("requestBody"), e);
                }
            if op.get("responses").is_some_and(|r| !r.is_mapping()) {
                return found(op_ptr.join("responses"), (Pointer::root(), "expected a map of responses".to_owned()));
            }
            for (code, response) in entries(op.get("responses")) {
                if let Some(e) = fails::<ReferenceOr<Response>>(response) {
                    return found(op_ptr.join("responses").join(code), e);
                }
            }
            return found(op_ptr, op_error);
        }
        return fails::<ReferenceOr<PathItem>>(item).and_then(|e| found(item_ptr, e));
    }
    let components = doc.get("components");
    for (name, schema) in entries(components.and_then(|c| c.get("schemas"))) {
        if let Some(e) = schema_failure(schema) {
            return found(root.join("components").join("schemas").join(name), e);
        }
    }
    for (name, p) in entries(components.and_then(|c| c.get("parameters"))) {
        if let Some(e) = fails::<ReferenceOr<Parameter>>(p) {
            return found(root.join("components").join("parameters").join(name), e);
        }
    }
    for (name, r) in entries(components.and_then(|c| c.get("responses"))) {
        if let Some(e) = fails::<ReferenceOr<Response>>(r) {
            return found(root.join("components").join("responses").join(name), e);
        }
    }
    None
}

fn strip_location(e: &serde_yaml::Error) -> String {
    // serde_yaml appends " at line X column Y"; we already said where.
    let text = e.to_string();
    match text.find(" at line ") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn check_version(file: &str, value: &serde_yaml::Value) -> Result<(), Error> {
    let Some(map) = value.as_mapping() else {
        return Err(Error::single(file, "", "the document is not a YAML mapping (an OpenAPI object)"));
    };
    if map.get("swagger").is_some() {
        return Err(Error::single(
            file,
            "/swagger",
            "this is a Swagger/OpenAPI 2.0 document; convert it to OpenAPI 3.0 first",
        ));
    }
    let version = match map.get("openapi") {
        Some(serde_yaml::Value::String(v)) => v.clone(),
        Some(_) => return Err(Error::single(file, "/openapi", "`openapi` must be a version string such as \"3.0.1\"")),
        None => return Err(Error::single(file, "", "missing the `openapi` version field; is this an OpenAPI document?")),
    };
    if version.starts_with("3.0") {
        Ok(())
    } else if version.starts_with("3.") {
        Err(Error::single(file, "/openapi", format!("OpenAPI {version} is not supported; only 3.0.x documents are")))
    } else {
        Err(Error::single(file, "/openapi", format!("unknown OpenAPI version `{version}`; only 3.0.x documents are supported")))
    }
}

fn path_to_pointer(path: &serde_path_to_error::Path) -> Pointer {
    use serde_path_to_error::Segment;
    let mut pointer = Pointer::root();
    for segment in path.iter() {
        pointer = match segment {
            Segment::Seq { index } => pointer.join(index),
            Segment::Map { key } => pointer.join(key),
            Segment::Enum { variant } => pointer.join(variant),
            Segment::Unknown => pointer,
        };
    }
    pointer
}

/// Lowercase hex SHA-256 of a text.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The document's `info.title`, read cheaply (the top of a block-style
/// YAML document), or through a full parse for other layouts. `None` when
/// there is none.
pub fn title_of(text: &str) -> Option<String> {
    let mut in_info = false;
    for line in text.lines().take(200) {
        if line.starts_with("info:") {
            in_info = true;
            continue;
        }
        if in_info {
            if !line.starts_with(' ') && !line.trim().is_empty() {
                break;
            }
            if let Some(rest) = line.trim_start().strip_prefix("title:") {
                let value: Option<String> = serde_yaml::from_str(rest.trim()).ok();
                if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
                    return Some(v);
                }
            }
        }
    }
    #[derive(serde::Deserialize)]
    struct Doc {
        info: Info,
    }
    #[derive(serde::Deserialize)]
    struct Info {
        title: String,
    }
    serde_yaml::from_str::<Doc>(text).ok().map(|d| d.info.title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str) -> SpecInput {
        SpecInput { file: "spec/x.yaml".into(), text: text.into() }
    }

    fn message(text: &str) -> String {
        load(&input(text)).expect_err("must fail").to_string()
    }

    #[test]
    fn empty_document() {
        assert_eq!(message("  \n"), "error: spec/x.yaml#/: the document is empty");
    }

    #[test]
    fn syntax_error_names_line() {
        let m = message("openapi: 3.0.1\npaths: [\n");
        assert!(m.starts_with("error: spec/x.yaml#/: not valid YAML at line"), "{m}");
    }

    #[test]
    fn swagger_two_is_refused() {
        assert!(message("swagger: '2.0'\n").contains("#/swagger: this is a Swagger/OpenAPI 2.0"));
    }

    #[test]
    fn openapi_three_one_is_refused() {
        assert!(message("openapi: 3.1.0\n").contains("#/openapi: OpenAPI 3.1.0 is not supported"));
    }

    #[test]
    fn shape_error_names_pointer() {
        let m = message(
            "openapi: 3.0.1\ninfo: {title: t, version: v}\npaths:\n  /a:\n    get:\n      responses: 7\n",
        );
        assert!(m.contains("#/paths/~1a/get/responses: "), "{m}");
    }
}
