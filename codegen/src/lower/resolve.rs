//! `$ref` resolution for parameters, responses and request bodies. Schema
//! references are not followed here: named schemas become named types, so a
//! reference to one is just its name (which is what makes cycles harmless).

use openapiv3::{Components, OpenAPI, Parameter, ReferenceOr, Response, Schema};

use crate::error::Pointer;

/// Why a reference could not be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum RefError {
    /// Not of the form `#/components/<kind>/<name>`.
    External(String),
    /// Points at the wrong kind of component.
    WrongKind { reference: String, expected: &'static str },
    /// No such component.
    Missing(String),
    /// A chain of references that loops or never ends.
    Cycle(String),
}

impl std::fmt::Display for RefError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RefError::External(r) => write!(
                f,
                "`$ref: {r}` is not a local reference (#/components/...); external references are not supported"
            ),
            RefError::WrongKind { reference, expected } => {
                write!(f, "`$ref: {reference}` must point into #/components/{expected}")
            }
            RefError::Missing(r) => write!(f, "`$ref: {r}` points at nothing: no such component"),
            RefError::Cycle(r) => write!(f, "`$ref: {r}` is part of a reference cycle"),
        }
    }
}

/// A component kind that can be referenced.
pub(crate) trait Component: Sized {
    const KIND: &'static str;
    fn table(components: &Components) -> &indexmap::IndexMap<String, ReferenceOr<Self>>;
}

impl Component for Parameter {
    const KIND: &'static str = "parameters";
    fn table(c: &Components) -> &indexmap::IndexMap<String, ReferenceOr<Self>> {
        &c.parameters
    }
}

impl Component for Response {
    const KIND: &'static str = "responses";
    fn table(c: &Components) -> &indexmap::IndexMap<String, ReferenceOr<Self>> {
        &c.responses
    }
}

impl Component for openapiv3::RequestBody {
    const KIND: &'static str = "requestBodies";
    fn table(c: &Components) -> &indexmap::IndexMap<String, ReferenceOr<Self>> {
        &c.request_bodies
    }
}

/// The name a local reference gives to a component of kind `kind`.
pub(crate) fn component_name<'r>(reference: &'r str, kind: &'static str) -> Result<&'r str, RefError> {
    let Some(rest) = reference.strip_prefix("#/") else {
        return Err(RefError::External(reference.to_owned()));
    };
    let Some(name) = rest.strip_prefix("components/").and_then(|r| r.strip_prefix(kind)).and_then(|r| r.strip_prefix('/'))
    else {
        return Err(RefError::WrongKind { reference: reference.to_owned(), expected: kind });
    };
    if name.contains('/') {
        return Err(RefError::WrongKind { reference: reference.to_owned(), expected: kind });
    }
    Ok(name)
}

/// Follows a reference chain to the item, returning it with the pointer of
/// the node that finally holds it.
pub(crate) fn resolve<'a, T: Component>(
    doc: &'a OpenAPI,
    item: &'a ReferenceOr<T>,
    here: &Pointer,
) -> Result<(&'a T, Pointer), RefError> {
    let mut current = item;
    let mut pointer = here.clone();
    // A chain longer than the table is a cycle.
    let limit = doc.components.as_ref().map_or(0, |c| T::table(c).len()) + 1;
    for _ in 0..=limit {
        match current {
            ReferenceOr::Item(value) => return Ok((value, pointer)),
            ReferenceOr::Reference { reference } => {
                let name = component_name(reference, T::KIND)?;
                let Some(next) = doc.components.as_ref().and_then(|c| T::table(c).get(name)) else {
                    return Err(RefError::Missing(reference.clone()));
                };
                pointer = Pointer::root().join("components").join(T::KIND).join(name);
                current = next;
            }
        }
    }
    // Only a reference chain can get here: an item returns on the first pass.
    let start = match item {
        ReferenceOr::Reference { reference } => reference.clone(),
        ReferenceOr::Item(_) => String::new(),
    };
    Err(RefError::Cycle(start))
}

/// Checks that a schema reference names an existing component schema.
pub(crate) fn schema_target<'a>(doc: &'a OpenAPI, reference: &str) -> Result<(&'a str, &'a ReferenceOr<Schema>), RefError> {
    let name = component_name(reference, "schemas")?;
    doc.components
        .as_ref()
        .and_then(|c| c.schemas.get_key_value(name))
        .map(|(k, v)| (k.as_str(), v))
        .ok_or_else(|| RefError::Missing(reference.to_owned()))
}
