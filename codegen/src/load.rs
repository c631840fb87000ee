//! Load: spec text -> `openapiv3::OpenAPI`, with errors that point at the node.
//!
//! The text is parsed twice over: first into a YAML value (syntax errors carry
//! a line and column, alias bombs and runaway nesting are refused by
//! serde_yaml's own limits), then into the typed document through
//! serde_path_to_error, so a shape error names the JSON pointer of the node.

use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};

use crate::error::{Error, Pointer};

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
    let value: serde_yaml::Value = parse_yaml(file, &input.text)?;
    check_version(file, &value)?;
    let doc: openapiv3::OpenAPI = match from_value(file, value.clone()) {
        Ok(doc) => doc,
        Err(coarse) => return Err(refine(file, &value).unwrap_or(coarse)),
    };
    Ok(Loaded { file: file.to_owned(), doc, sha256: sha256_hex(&input.text) })
}

/// Parses YAML (JSON is YAML too) into `T`, mapping syntax errors to the file.
pub(crate) fn parse_yaml<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Error> {
    serde_yaml::from_str(text).map_err(|e| {
        let where_ = e.location().map(|l| format!(" at line {}, column {}", l.line(), l.column()));
        Error::single(file, "", format!("not valid YAML{}: {}", where_.unwrap_or_default(), strip_location(&e)))
    })
}

/// Converts a YAML value into a typed structure, naming the failing node.
pub(crate) fn from_value<T: DeserializeOwned>(file: &str, value: serde_yaml::Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let pointer = path_to_pointer(e.path());
        Error::single(file, pointer.to_string(), e.inner().to_string())
    })
}

/// openapiv3 flattens extensions into most objects, and serde buffers a
/// flattened object before parsing it, which loses the path below it. So
/// when the whole document fails, its parts are parsed one by one, as the
/// types they must be, to find the deepest node that fails.
fn refine(file: &str, doc: &serde_yaml::Value) -> Option<Error> {
    use openapiv3::{Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema};
    fn fails<T: DeserializeOwned>(value: &serde_yaml::Value) -> Option<(Pointer, String)> {
        serde_path_to_error::deserialize::<_, T>(value.clone())
            .err()
            .map(|e| (path_to_pointer(e.path()), e.inner().to_string()))
    }
    fn entries(value: Option<&serde_yaml::Value>) -> Vec<(String, &serde_yaml::Value)> {
        let Some(map) = value.and_then(serde_yaml::Value::as_mapping) else { return Vec::new() };
        map.iter()
            .map(|(k, v)| (k.as_str().map(str::to_owned).unwrap_or_else(|| format!("{k:?}")), v))
            .collect()
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
            if let Some(body) = op.get("requestBody") {
                if let Some(e) = fails::<ReferenceOr<RequestBody>>(body) {
                    return found(op_ptr.join("requestBody"), e);
                }
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
        if let Some(e) = fails::<ReferenceOr<Schema>>(schema) {
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
