//! Schemas -> named types. Every component schema gets its Rust name before
//! any is converted (typify's approach), so forward and cyclic references
//! resolve to a name; inline objects get names suggested by their parent.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, IntegerFormat, OpenAPI, ReferenceOr, Schema, SchemaKind, StringType, Type,
    VariantOrUnknownOrEmpty,
};

use super::resolve::schema_target;
use crate::error::{Pointer, Sink};
use crate::ir::{Field, TypeDef, TypeKind, TypeRef};
use crate::naming::ident::{pascal_case, snake_case, UniqueNames};

/// Deepest inline nesting we follow; deeper documents are hostile.
const MAX_DEPTH: usize = 64;

/// The `type` values of an OpenAPI 3.0 schema.
const KNOWN_TYPES: &[&str] = &["string", "number", "integer", "boolean", "array", "object"];

/// Names that generated code uses unqualified; no schema may take them.
const RESERVED_TYPE_NAMES: &[&str] = &["Client", "Error", "Option", "Result", "String", "Vec", "Box", "Query", "Request"];

/// Rust names for component schemas. The rule depends on the key alone, so
/// a schema gets the same name in every module document that has it
/// (`crate::sdk` renames the rare clash between documents). Keys are
/// component keys (`microsoft.graph.application`); replaced keys get no
/// name.
#[derive(Debug, Clone, Default)]
pub struct ModelNames {
    names: BTreeMap<String, String>,
}

impl ModelNames {
    /// Names for these component keys: a key in the base namespace is its
    /// last segment in PascalCase (`microsoft.graph.application` ->
    /// `Application`); below it, the namespace joins the name
    /// (`microsoft.graph.security.alert` -> `SecurityAlert`), so adding a
    /// schema never renames another. Two keys that still come out the same
    /// are numbered in key order.
    pub fn assign<'k>(keys: impl IntoIterator<Item = &'k String>, replace: &BTreeMap<String, String>) -> ModelNames {
        let mut keys: Vec<&String> = keys.into_iter().filter(|k| !replace.contains_key(*k)).collect();
        keys.sort_by_key(|k| (namespace_depth(k), (*k).clone()));
        keys.dedup();
        let mut unique = UniqueNames::with_reserved(RESERVED_TYPE_NAMES);
        let mut names = BTreeMap::new();
        for key in keys {
            let wanted = if namespace_depth(key) == 0 { type_name_for(key) } else { qualified_type_name(key) };
            names.insert(key.clone(), unique.claim(&wanted));
        }
        ModelNames { names }
    }

    /// The Rust name of a component key.
    pub fn get(&self, key: &str) -> Option<&String> {
        self.names.get(key)
    }

    /// Every assigned name.
    pub fn values(&self) -> impl Iterator<Item = &String> {
        self.names.values()
    }
}

/// Converts schemas to types, collecting errors in the sink.
pub(crate) struct SchemaLowering<'a> {
    doc: &'a OpenAPI,
    replace: &'a BTreeMap<String, String>,
    /// Component key -> Rust name.
    names: &'a ModelNames,
    unique: UniqueNames,
    /// Finished component types (and the inline types inside them) by Rust
    /// name: they go to the models crate.
    pub(crate) types: BTreeMap<String, TypeDef>,
    /// Inline types of operations (request and response schemas) by Rust
    /// name: they stay in the module's crate.
    pub(crate) local_types: BTreeMap<String, TypeDef>,
    /// Whether inline schemas met now belong to an operation.
    local: bool,
    /// Component schemas already converted or in progress.
    done: BTreeSet<String>,
}

impl<'a> SchemaLowering<'a> {
    pub(crate) fn new(doc: &'a OpenAPI, replace: &'a BTreeMap<String, String>, names: &'a ModelNames) -> SchemaLowering<'a> {
        let mut unique = UniqueNames::with_reserved(RESERVED_TYPE_NAMES);
        for name in names.values() {
            unique.claim(name);
        }
        SchemaLowering {
            doc,
            replace,
            names,
            unique,
            types: BTreeMap::new(),
            local_types: BTreeMap::new(),
            local: false,
            done: BTreeSet::new(),
        }
    }

    /// From now on, inline schemas belong to operations (module-local types).
    pub(crate) fn start_operations(&mut self) {
        self.local = true;
    }

    /// Converts every component schema (replaced ones are skipped).
    pub(crate) fn lower_components(&mut self, sink: &mut Sink) {
        let Some(components) = &self.doc.components else { return };
        let mut keys: Vec<&String> = components.schemas.keys().collect();
        keys.sort();
        for key in keys {
            self.lower_component(key, sink);
        }
        self.check_alias_cycles(sink);
    }

    /// A schema that is only a reference, array, map or nullable becomes a
    /// type alias, and rustc rejects an alias that reaches itself (even
    /// through `Vec` or `Option`). Such a loop says nothing a client could
    /// use (`a: {$ref: a}`), so it is an error here, not a crate that fails
    /// to build. A struct anywhere on the way breaks the loop and is fine.
    fn check_alias_cycles(&self, sink: &mut Sink) {
        fn named<'t>(ty: &'t TypeRef, out: &mut Vec<&'t str>) {
            match ty {
                TypeRef::Named(name) => out.push(name),
                TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => named(inner, out),
                _ => {}
            }
        }
        let targets = |name: &str| -> Vec<&str> {
            let mut out = Vec::new();
            if let Some(TypeKind::Alias(ty)) = self.types.get(name).map(|t| &t.kind) {
                named(ty, &mut out);
            }
            out
        };
        for (start, def) in &self.types {
            if !matches!(def.kind, TypeKind::Alias(_)) {
                continue;
            }
            // Breadth-first from `start`, remembering how each alias was reached.
            let mut came_from: BTreeMap<&str, &str> = BTreeMap::new();
            let mut queue = std::collections::VecDeque::from([start.as_str()]);
            let mut closing = None;
            while let Some(current) = queue.pop_front() {
                for next in targets(current) {
                    if next == start {
                        closing = Some(current);
                        break;
                    }
                    if !came_from.contains_key(next) {
                        came_from.insert(next, current);
                        queue.push_back(next);
                    }
                }
                if closing.is_some() {
                    break;
                }
            }
            let Some(mut last) = closing else { continue };
            let mut chain = vec![last];
            while let Some(prev) = came_from.get(last).copied() {
                chain.push(prev);
                last = prev;
            }
            chain.reverse();
            let schema_of = |rust: &str| self.types.get(rust).map_or(rust.to_owned(), |t| t.schema_name.clone());
            // `chain` runs from `start` to the alias that leads back to it.
            let mut loop_text: Vec<String> = chain.iter().map(|n| format!("`{}`", schema_of(n))).collect();
            loop_text.push(format!("`{}`", def.schema_name));
            let pointer = Pointer::root().join("components").join("schemas").join(&def.schema_name);
            sink.push(
                &pointer,
                None,
                format!(
                    "schema `{}` is defined only in terms of itself ({}) through references, arrays, maps or anyOf; \
                     this is a reference cycle with no object in it to hold the data",
                    def.schema_name,
                    loop_text.join(" -> ")
                ),
            );
        }
    }

    fn lower_component(&mut self, key: &str, sink: &mut Sink) {
        if self.replace.contains_key(key) || !self.done.insert(key.to_owned()) {
            return;
        }
        let Some(schema) = self.doc.components.as_ref().and_then(|c| c.schemas.get(key)) else { return };
        let Some(rust_name) = self.names.get(key).cloned() else { return };
        let pointer = Pointer::root().join("components").join("schemas").join(key);
        let schema = match schema {
            ReferenceOr::Item(s) => s,
            ReferenceOr::Reference { reference } => {
                // A component that is only a reference becomes an alias.
                let target = self.reference(reference, &pointer, sink);
                self.insert(key, &pointer, &rust_name, None, TypeKind::Alias(target));
                return;
            }
        };
        let kind = self.named_kind(schema, &rust_name, &pointer, sink, 0);
        self.insert(key, &pointer, &rust_name, schema.schema_data.description.clone(), kind);
    }

    fn insert(&mut self, schema_name: &str, pointer: &Pointer, rust_name: &str, description: Option<String>, kind: TypeKind) {
        let def = TypeDef {
            schema_name: schema_name.to_owned(),
            pointer: pointer.to_string(),
            rust_name: rust_name.to_owned(),
            description,
            kind,
        };
        let map = if self.local { &mut self.local_types } else { &mut self.types };
        map.insert(rust_name.to_owned(), def);
    }

    /// The shape of a schema that gets a name of its own.
    fn named_kind(&mut self, schema: &Schema, name: &str, pointer: &Pointer, sink: &mut Sink, depth: usize) -> TypeKind {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if !s.enumeration.is_empty() => enum_kind(s),
            SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } => {
                let mut fields = Vec::new();
                let mut additional = None;
                let mut seen = BTreeSet::new();
                self.collect_fields(schema, name, pointer, sink, depth, &mut fields, &mut additional, &mut seen);
                TypeKind::Struct { fields, additional }
            }
            _ => TypeKind::Alias(self.type_of(schema, name, pointer, sink, depth)),
        }
    }

    /// Fields of an object, following allOf (inheritance is flattened).
    #[allow(clippy::too_many_arguments)]
    fn collect_fields(
        &mut self,
        schema: &Schema,
        owner: &str,
        pointer: &Pointer,
        sink: &mut Sink,
        depth: usize,
        fields: &mut Vec<Field>,
        additional: &mut Option<TypeRef>,
        seen: &mut BTreeSet<String>,
    ) {
        if depth > MAX_DEPTH {
            sink.push(pointer, None, format!("schemas nest more than {MAX_DEPTH} levels deep"));
            return;
        }
        match &schema.schema_kind {
            SchemaKind::AllOf { all_of } => {
                for (i, part) in all_of.iter().enumerate() {
                    let here = pointer.join("allOf").join(i);
                    match part {
                        ReferenceOr::Item(s) => {
                            self.collect_fields(s, owner, &here, sink, depth + 1, fields, additional, seen)
                        }
                        ReferenceOr::Reference { reference } => match schema_target(self.doc, reference) {
                            Ok((key, target)) => {
                                if !seen.insert(key.to_owned()) {
                                    sink.push(&here, None, format!("`$ref: {reference}` makes an allOf cycle"));
                                    continue;
                                }
                                if let ReferenceOr::Item(s) = target {
                                    let target_ptr = Pointer::root().join("components").join("schemas").join(key);
                                    self.collect_fields(s, owner, &target_ptr, sink, depth + 1, fields, additional, seen);
                                } else {
                                    sink.push(&here, None, format!("`$ref: {reference}` in allOf must name an object schema"));
                                }
                            }
                            Err(e) => sink.push(&here.join("$ref"), None, e.to_string()),
                        },
                    }
                }
            }
            SchemaKind::Type(Type::Object(object)) => {
                // A set, not a scan of `fields`: objects with 100,000
                // properties must not take quadratic time.
                let mut known: BTreeSet<String> = fields.iter().map(|f| f.wire_name.clone()).collect();
                for (wire, prop) in &object.properties {
                    if !known.insert(wire.clone()) {
                        continue; // a derived type restating a base property
                    }
                    let here = pointer.join("properties").join(wire);
                    let suggested = format!("{owner}{}", pascal_case(wire));
                    let ty = match prop {
                        ReferenceOr::Reference { reference } => self.reference(reference, &here, sink),
                        ReferenceOr::Item(s) => self.type_of(s, &suggested, &here, sink, depth + 1),
                    };
                    let required = object.required.contains(wire);
                    let ty = if required || matches!(ty, TypeRef::Nullable(_)) { ty } else { TypeRef::Nullable(Box::new(ty)) };
                    let description = match prop {
                        ReferenceOr::Item(s) => s.schema_data.description.clone(),
                        ReferenceOr::Reference { .. } => None,
                    };
                    fields.push(Field { wire_name: wire.clone(), rust_name: String::new(), ty, required, description });
                }
                if let Some(extra) = &object.additional_properties {
                    *additional = Some(match extra {
                        AdditionalProperties::Any(_) => TypeRef::Any,
                        AdditionalProperties::Schema(s) => match s.as_ref() {
                            ReferenceOr::Reference { reference } => {
                                self.reference(reference, &pointer.join("additionalProperties"), sink)
                            }
                            ReferenceOr::Item(s) => {
                                self.type_of(s, &format!("{owner}Value"), &pointer.join("additionalProperties"), sink, depth + 1)
                            }
                        },
                    });
                }
            }
            _ => {}
        }
        // Rust names are assigned once all fields are known, so that two wire
        // names colliding after case conversion get distinct suffixes.
        let mut unique = UniqueNames::with_reserved(&["additional_properties"]);
        for field in fields.iter_mut() {
            field.rust_name = unique.claim(&snake_case(&field.wire_name));
        }
    }

    /// The type of a schema used in place (field, item, parameter).
    pub(crate) fn type_of(&mut self, schema: &Schema, suggested: &str, pointer: &Pointer, sink: &mut Sink, depth: usize) -> TypeRef {
        if depth > MAX_DEPTH {
            sink.push(pointer, None, format!("schemas nest more than {MAX_DEPTH} levels deep"));
            return TypeRef::Any;
        }
        let base = match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(openapiv3::StringFormat::Binary) => TypeRef::Any,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Boolean,
            SchemaKind::Type(Type::Integer(i)) => match i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::Int32,
                _ => TypeRef::Int64,
            },
            SchemaKind::Type(Type::Number(_)) => TypeRef::Number,
            SchemaKind::Type(Type::Array(a)) => {
                let item = match &a.items {
                    Some(ReferenceOr::Reference { reference }) => self.reference(reference, &pointer.join("items"), sink),
                    Some(ReferenceOr::Item(s)) => self.type_of(s, &format!("{suggested}Item"), &pointer.join("items"), sink, depth + 1),
                    None => TypeRef::Any,
                };
                TypeRef::Array(Box::new(item))
            }
            SchemaKind::Type(Type::Object(o)) if o.properties.is_empty() => match &o.additional_properties {
                Some(AdditionalProperties::Schema(s)) => match s.as_ref() {
                    ReferenceOr::Reference { reference } => {
                        TypeRef::Map(Box::new(self.reference(reference, &pointer.join("additionalProperties"), sink)))
                    }
                    ReferenceOr::Item(s) => TypeRef::Map(Box::new(self.type_of(
                        s,
                        &format!("{suggested}Value"),
                        &pointer.join("additionalProperties"),
                        sink,
                        depth + 1,
                    ))),
                },
                _ => TypeRef::Any,
            },
            // `allOf: [$ref]` is how documents attach a description (or
            // `nullable`) to a reference: it is the referenced type, not a new
            // one (and a new one per use would recurse without end on a
            // self-referencing property).
            SchemaKind::AllOf { all_of } if matches!(all_of.as_slice(), [ReferenceOr::Reference { .. }]) => match all_of.as_slice() {
                [ReferenceOr::Reference { reference }] => self.reference(reference, &pointer.join("allOf").join(0), sink),
                _ => TypeRef::Any,
            },
            SchemaKind::Type(Type::Object(_)) | SchemaKind::AllOf { .. } => {
                let name = self.unique.claim(&pascal_case(suggested));
                let local = self.local;
                // Claimed before its fields are converted, so a field that
                // refers back (through a component) finds the name taken.
                // One level per schema: `collect_fields` counts the properties.
                let kind = self.named_kind(schema, &name, pointer, sink, depth);
                self.insert(suggested, pointer, &name, schema.schema_data.description.clone(), kind);
                if local { TypeRef::Local(name) } else { TypeRef::Named(name) }
            }
            SchemaKind::AnyOf { any_of } | SchemaKind::OneOf { one_of: any_of } => {
                // Graph writes nullable references as anyOf [ref, {nullable object}].
                let refs: Vec<&String> = any_of
                    .iter()
                    .filter_map(|s| match s {
                        ReferenceOr::Reference { reference } => Some(reference),
                        ReferenceOr::Item(_) => None,
                    })
                    .collect();
                match refs.as_slice() {
                    [only] => TypeRef::Nullable(Box::new(self.reference(only, pointer, sink))),
                    _ => TypeRef::Any,
                }
            }
            SchemaKind::Any(any) => {
                // openapiv3 keeps a misspelt `type` here instead of failing.
                if let Some(typ) = any.typ.as_deref().filter(|t| !KNOWN_TYPES.contains(t)) {
                    sink.push(
                        &pointer.join("type"),
                        None,
                        format!("unknown schema type `{typ}`; expected one of {}", KNOWN_TYPES.join(", ")),
                    );
                }
                TypeRef::Any
            }
            SchemaKind::Not { .. } => TypeRef::Any,
        };
        if schema.schema_data.nullable && !matches!(base, TypeRef::Nullable(_)) {
            TypeRef::Nullable(Box::new(base))
        } else {
            base
        }
    }

    /// The type a `$ref` to a component schema stands for.
    pub(crate) fn reference(&mut self, reference: &str, pointer: &Pointer, sink: &mut Sink) -> TypeRef {
        match schema_target(self.doc, reference) {
            Ok((key, _)) => {
                if let Some(path) = self.replace.get(key) {
                    return TypeRef::Replaced(path.clone());
                }
                match self.names.get(key) {
                    Some(name) => TypeRef::Named(name.clone()),
                    None => TypeRef::Any,
                }
            }
            Err(e) => {
                sink.push(&pointer.join("$ref"), None, e.to_string());
                TypeRef::Any
            }
        }
    }
}

fn enum_kind(s: &StringType) -> TypeKind {
    let mut unique = UniqueNames::with_reserved(&["Unknown"]);
    let variants = s
        .enumeration
        .iter()
        .flatten()
        .map(|value| (value.clone(), unique.claim(&pascal_case(value))))
        .collect();
    TypeKind::Enum { variants }
}

/// `microsoft.graph.ODataErrors.MainError` -> `MainError`: the namespace adds
/// nothing inside one crate; collisions get numbered by `UniqueNames`.
fn type_name_for(key: &str) -> String {
    let last = key.rsplit('.').next().unwrap_or(key);
    pascal_case(last)
}

/// `microsoft.graph.security.alert` -> `SecurityAlert`: the namespace below
/// `microsoft.graph` and the name.
fn qualified_type_name(key: &str) -> String {
    let rest = key.strip_prefix("microsoft.graph.").unwrap_or(key);
    pascal_case(&rest.replace('.', " "))
}

/// How many namespace segments a key has below `microsoft.graph`.
fn namespace_depth(key: &str) -> usize {
    key.strip_prefix("microsoft.graph.").unwrap_or(key).matches('.').count()
}
