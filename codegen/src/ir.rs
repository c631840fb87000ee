//! The intermediate representation: everything the emitters need, already
//! checked and named. No openapiv3 type appears here, and emitters never fail:
//! every check happens while lowering.

use serde::Serialize;

/// A whole API, ready to emit.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    /// Document title (`info.title`).
    pub title: String,
    /// Document version (`info.version`).
    pub version: String,
    /// Document description, if any.
    pub description: Option<String>,
    /// First server URL, without a trailing slash.
    pub base_url: String,
    /// SHA-256 of the spec text.
    pub spec_sha256: String,
    /// The spec file name, for headers.
    pub spec_file: String,
    /// Operations sorted by (path, method).
    pub operations: Vec<Operation>,
    /// Named types sorted by Rust name.
    pub types: Vec<TypeDef>,
    /// Cmdlets sorted by name.
    pub cmdlets: Vec<Cmdlet>,
    /// The module-wide identity type.
    pub identity: Identity,
    /// Crate facts.
    pub krate: Crate,
}

/// Emitted crate facts.
#[derive(Debug, Clone, Serialize)]
pub struct Crate {
    /// Package name.
    pub name: String,
    /// Package version.
    pub version: String,
    /// CLI binary name.
    pub binary: String,
    /// Package description.
    pub description: String,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "UPPERCASE")]
#[allow(missing_docs)]
pub enum Method {
    Get,
    Put,
    Post,
    Delete,
    Options,
    Head,
    Patch,
    Trace,
}

impl Method {
    /// Upper-case wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Post => "POST",
            Method::Delete => "DELETE",
            Method::Options => "OPTIONS",
            Method::Head => "HEAD",
            Method::Patch => "PATCH",
            Method::Trace => "TRACE",
        }
    }

    /// Whether PowerShell wraps the cmdlet in ShouldProcess (-WhatIf/-Confirm).
    pub fn changes_state(self) -> bool {
        matches!(self, Method::Post | Method::Put | Method::Patch | Method::Delete)
    }
}

/// One operation.
#[derive(Debug, Clone, Serialize)]
pub struct Operation {
    /// operationId as written in the document.
    pub id: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// snake_case Rust name, unique in the crate.
    pub rust_name: String,
    /// HTTP method.
    pub method: Method,
    /// The path template.
    pub path: PathTemplate,
    /// `summary`.
    pub summary: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `externalDocs.url`.
    pub external_docs: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// Cargo feature that compiles this operation (from its first tag).
    pub feature: String,
    /// Parameters: path ones in template order, then query, then header.
    pub params: Vec<Param>,
    /// The JSON request body, if any.
    pub body: Option<Body>,
    /// The successful response.
    pub success: Success,
    /// `x-ms-pageable`: the name of the next-link property of a paged list.
    pub next_link: Option<String>,
    /// `x-ms-docs-operation-type`.
    pub operation_type: Option<String>,
}

/// A parsed path template.
#[derive(Debug, Clone, Serialize)]
pub struct PathTemplate {
    /// The template as written.
    pub raw: String,
    /// Literal text and placeholders, in order.
    pub parts: Vec<PathPart>,
}

impl PathTemplate {
    /// The placeholder names, in template order.
    pub fn placeholders(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                PathPart::Param(name) => Some(name.as_str()),
                PathPart::Literal(_) => None,
            })
            .collect()
    }
}

/// Part of a path template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PathPart {
    /// Literal text, sent as written.
    Literal(String),
    /// A `{placeholder}`.
    Param(String),
}

/// Where a parameter goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum Location {
    Path,
    Query,
    Header,
}

/// One operation parameter.
#[derive(Debug, Clone, Serialize)]
pub struct Param {
    /// Name on the wire.
    pub wire_name: String,
    /// snake_case Rust name.
    pub rust_name: String,
    /// PascalCase PowerShell name.
    pub ps_name: String,
    /// Where it goes.
    pub location: Location,
    /// Whether it must be given.
    pub required: bool,
    /// Its type.
    pub ty: TypeRef,
    /// Its description.
    pub description: Option<String>,
}

/// A JSON request body.
#[derive(Debug, Clone, Serialize)]
pub struct Body {
    /// Its type.
    pub ty: TypeRef,
    /// Whether the document requires it.
    pub required: bool,
    /// Description.
    pub description: Option<String>,
    /// Properties a PowerShell `Expanded` parameter set turns into
    /// parameters (empty when the body is not an object).
    pub properties: Vec<Field>,
    /// For a body that is not JSON (an upload), its media type; the body
    /// is then bytes read from `-InFile`.
    pub raw_media_type: Option<String>,
}

/// What a successful call returns.
#[derive(Debug, Clone, Serialize)]
pub enum Success {
    /// No body (`204`, or `2XX` without content).
    NoContent,
    /// A JSON body of this type.
    Json(TypeRef),
    /// A body that is not JSON (`text/plain` counts, `$value` streams), kept as bytes.
    Raw {
        /// The media type the document declares.
        media_type: String,
    },
}

/// A type used somewhere.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum TypeRef {
    /// `String`.
    String,
    /// `bool`.
    Boolean,
    /// `i32`.
    Int32,
    /// `i64`.
    Int64,
    /// `f64`.
    Number,
    /// Any JSON value.
    Any,
    /// A named type, by its Rust name.
    Named(String),
    /// A type the runtime provides (a path below the crate root).
    Replaced(String),
    /// `Vec<T>`.
    Array(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>` (nullable).
    Nullable(Box<TypeRef>),
}

/// A named type.
#[derive(Debug, Clone, Serialize)]
pub struct TypeDef {
    /// The component key it came from.
    pub schema_name: String,
    /// PascalCase Rust name, unique in the crate.
    pub rust_name: String,
    /// Description.
    pub description: Option<String>,
    /// Its shape.
    pub kind: TypeKind,
}

/// The shape of a named type.
#[derive(Debug, Clone, Serialize)]
pub enum TypeKind {
    /// A struct.
    Struct {
        /// Fields in document order.
        fields: Vec<Field>,
        /// Type of extra properties kept in a flattened map, if any.
        additional: Option<TypeRef>,
    },
    /// A string enum that tolerates unknown values.
    Enum {
        /// (wire value, Rust variant name).
        variants: Vec<(String, String)>,
    },
    /// A newtype around another type.
    Alias(TypeRef),
}

/// A struct field.
#[derive(Debug, Clone, Serialize)]
pub struct Field {
    /// JSON name.
    pub wire_name: String,
    /// snake_case Rust name.
    pub rust_name: String,
    /// Its type (already `Option` when not required).
    pub ty: TypeRef,
    /// Whether the document lists it as required.
    pub required: bool,
    /// Description.
    pub description: Option<String>,
}

/// The module-wide identity type (`IApplicationsIdentity`).
#[derive(Debug, Clone, Serialize)]
pub struct Identity {
    /// PowerShell type name, e.g. `IApplicationsIdentity`.
    pub type_name: String,
    /// Full PowerShell type name for help documents.
    pub full_type_name: String,
    /// Properties in ordinal order of their names.
    pub properties: Vec<IdentityProperty>,
}

/// One identity property.
#[derive(Debug, Clone, Serialize)]
pub struct IdentityProperty {
    /// PascalCase name, as PowerShell and JSON pipeline objects spell it.
    pub name: String,
    /// snake_case Rust field name.
    pub rust_name: String,
    /// The path placeholder it comes from.
    pub placeholder: String,
    /// Description.
    pub description: String,
}

/// One cmdlet: one or more operations behind parameter sets.
#[derive(Debug, Clone, Serialize)]
pub struct Cmdlet {
    /// `Verb-Noun`.
    pub name: String,
    /// Other names of the cmdlet (`Verb-Noun`), from configuration: usually
    /// the names it had before a rename, kept for existing scripts.
    pub aliases: Vec<String>,
    /// The verb.
    pub verb: String,
    /// The noun, prefix included.
    pub noun: String,
    /// PascalCase Rust type name (`StartMgBetaApplicationSynchronizationJob`).
    pub rust_name: String,
    /// snake_case module name.
    pub module_name: String,
    /// Synopsis (first sentence or summary).
    pub synopsis: String,
    /// Description.
    pub description: String,
    /// Online help link.
    pub help_uri: Option<String>,
    /// Further links (API reference).
    pub related_links: Vec<String>,
    /// Parameter sets; the default one first.
    pub sets: Vec<ParamSet>,
    /// All parameters, sorted by name (as help documents list them).
    pub params: Vec<CmdletParam>,
    /// Whether -WhatIf/-Confirm are supported.
    pub should_process: bool,
    /// PowerShell type names of pipeline inputs.
    pub inputs: Vec<String>,
    /// PowerShell type names of outputs.
    pub outputs: Vec<String>,
    /// Cargo features all of which the cmdlet needs (one per operation tag).
    pub features: Vec<String>,
}

/// A parameter set: one operation, called with explicit keys or via identity.
#[derive(Debug, Clone, Serialize)]
pub struct ParamSet {
    /// Set name (`Start`, `StartViaIdentity`).
    pub name: String,
    /// PascalCase Rust variant name.
    pub variant: String,
    /// Index into `Api::operations`.
    pub operation: usize,
    /// Whether the keys come from -InputObject.
    pub via_identity: bool,
    /// Whether the body is given property by property (`Expanded`).
    pub expanded: bool,
    /// Whether this is the default set.
    pub default: bool,
}

/// What a cmdlet parameter carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum ParamKind {
    /// An operation parameter (by wire name and location).
    Operation {
        /// Name on the wire.
        wire_name: String,
        /// Location.
        location: Location,
        /// Rust type.
        ty: TypeRef,
    },
    /// -InputObject.
    Identity,
    /// -BodyParameter: the whole request body as one object.
    Body,
    /// One property of the body in an `Expanded` set (by JSON name).
    BodyProperty {
        /// JSON name.
        wire_name: String,
    },
    /// -AdditionalProperties of an `Expanded` set.
    AdditionalProperties,
    /// Paging switches of list cmdlets: -All, -PageSize, -CountVariable.
    Paging,
    /// -OutFile of a cmdlet that returns a byte stream.
    OutFile,
    /// -InFile of a cmdlet that uploads a byte stream.
    InFile,
    /// One of the runtime's common parameters (by PowerShell name).
    Common,
}

/// A cmdlet parameter.
#[derive(Debug, Clone, Serialize)]
pub struct CmdletParam {
    /// PowerShell name.
    pub name: String,
    /// snake_case Rust name.
    pub rust_name: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Full PowerShell type name (`System.String`).
    pub ps_type: String,
    /// Binder type (a `runtime::binder::ParamType` variant name).
    pub binder_type: String,
    /// What it carries.
    pub kind: ParamKind,
    /// Description.
    pub description: String,
    /// Default value text in help (`''`, `False`).
    pub default_value: String,
    /// Membership: `None` means every set (`(All)`).
    pub sets: Option<Vec<SetMembership>>,
    /// For `(All)` parameters: whether they take pipeline input.
    pub all_sets_pipeline: bool,
    /// Whether the help hides it.
    pub dont_show: bool,
}

/// Membership of a parameter in one set.
#[derive(Debug, Clone, Serialize)]
pub struct SetMembership {
    /// Set name.
    pub set: String,
    /// Mandatory in that set.
    pub mandatory: bool,
    /// Takes pipeline input by value in that set.
    pub from_pipeline: bool,
}
