//! The intermediate representation: everything the emitters need, already
//! checked and named. No openapiv3 type appears here, and emitters never fail:
//! every check happens while lowering.
//!
//! One [`Api`] is one module document (operations, cmdlets, the identity
//! type, the module's own inline types); its component schemas live in the
//! [`Models`] of its API version, shared by every module of that version.

use serde::Serialize;

/// One module, ready to emit.
#[derive(Debug, Clone, Serialize)]
pub struct Api {
    /// Document title (`info.title`), the module's name (`Users.Actions`).
    pub title: String,
    /// The API version the document's server URL names.
    pub version: ApiVersion,
    /// The spec file name, for headers.
    pub spec_file: String,
    /// SHA-256 of the spec text.
    pub spec_sha256: String,
    /// Operations sorted by (path, method).
    pub operations: Vec<Operation>,
    /// Types that only this module's operations use (inline request and
    /// response schemas), sorted by Rust name. Component schemas are in
    /// [`Models`].
    pub types: Vec<TypeDef>,
    /// Cmdlets sorted by name.
    pub cmdlets: Vec<Cmdlet>,
    /// The module-wide identity type.
    pub identity: Identity,
    /// Crate facts.
    pub krate: Crate,
}

/// The API version and service root of a document, from its server URL.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct ApiVersion {
    /// The service root: scheme and host (`https://graph.microsoft.com`).
    pub root: String,
    /// The version path (`/beta`, `/v1.0`; empty without one).
    pub path: String,
}

impl ApiVersion {
    /// Whether this is Microsoft Graph beta (cmdlets `Verb-MgBetaNoun`,
    /// `Microsoft.Graph.Beta.PowerShell.*` types).
    pub fn is_beta(&self) -> bool {
        self.path.eq_ignore_ascii_case("/beta")
    }

    /// `beta`, `v1.0`.
    pub fn name(&self) -> &str {
        self.path.trim_start_matches('/')
    }

    /// `beta`, `v1-0`: the version as a Cargo feature or crate-name part.
    pub fn kebab(&self) -> String {
        let name: String = self
            .name()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
            .collect();
        let name = name.trim_matches('-').to_owned();
        if name.is_empty() { "api".to_owned() } else { name }
    }

    /// The PowerShell namespace of the version's types
    /// (`Microsoft.Graph.Beta.PowerShell`, `Microsoft.Graph.PowerShell`).
    pub fn namespace(&self) -> &'static str {
        if self.is_beta() { "Microsoft.Graph.Beta.PowerShell" } else { "Microsoft.Graph.PowerShell" }
    }
}

/// Emitted crate facts.
#[derive(Debug, Clone, Serialize)]
pub struct Crate {
    /// Package name of the module crate.
    pub name: String,
    /// Package name of the models crate it uses.
    pub models: String,
    /// The Cargo feature of the models crate that compiles this module's
    /// types (also the module's name in the CLI's features).
    pub module_feature: String,
    /// Package version.
    pub version: String,
    /// CLI binary name.
    pub binary: String,
    /// Package description.
    pub description: String,
    /// Base of the online help links.
    pub help_uri_base: Option<String>,
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

    /// The runtime's variant name (`Post`).
    pub fn variant(self) -> &'static str {
        match self {
            Method::Get => "Get",
            Method::Put => "Put",
            Method::Post => "Post",
            Method::Delete => "Delete",
            Method::Options => "Options",
            Method::Head => "Head",
            Method::Patch => "Patch",
            Method::Trace => "Trace",
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
    /// SCREAMING_CASE name of the operation's static.
    pub static_name: String,
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
    /// Cargo feature that compiles this operation (from its first tag).
    pub feature: String,
    /// Parameters: path ones in template order, then query, then header.
    pub params: Vec<Param>,
    /// What the optional (query and header) parameters are passed as.
    pub options: Options,
    /// The request body, if any.
    pub body: Option<Body>,
    /// The successful response.
    pub success: Success,
    /// `x-ms-pageable`: the name of the next-link property of a paged list
    /// (a delta function always has one, `@odata.nextLink` by default).
    pub next_link: Option<String>,
    /// What the operation is beyond its request and response.
    pub kind: OperationKind,
    /// For a paged list: the type of the items of the `value` array of its
    /// response, when the response schema has one.
    pub item: Option<TypeRef>,
}

/// Operations the client does more with than send one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum OperationKind {
    /// Any other operation.
    Plain,
    /// A delta function (`GET .../delta()`, `.../microsoft.graph.delta(...)`):
    /// its last page carries `@odata.deltaLink`.
    Delta,
    /// A `createUploadSession` action: its `uploadSession` takes a file in
    /// chunks.
    UploadSession,
}

/// How a typed call takes an operation's query and header parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Options {
    /// None.
    None,
    /// The runtime's `Query` (only standard OData options and
    /// `ConsistencyLevel`, with their usual types).
    Standard,
    /// A struct of its own, with this name.
    Own(String),
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

    /// The literal text around the placeholders: one more entry than
    /// placeholders (empty strings where two placeholders touch or the path
    /// starts or ends with one).
    pub fn segments(&self) -> Vec<&str> {
        let mut out = vec![""];
        for part in &self.parts {
            match part {
                PathPart::Literal(text) => {
                    if let Some(last) = out.last_mut() {
                        *last = text.as_str();
                    }
                }
                PathPart::Param(_) => out.push(""),
            }
        }
        out
    }

    /// Whether the placeholder with this index sits inside OData quotes
    /// (`(appId='{appId}')`).
    pub fn is_quoted(&self, index: usize) -> bool {
        self.segments().get(index).is_some_and(|s| s.ends_with('\''))
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

/// A request body.
#[derive(Debug, Clone, Serialize)]
pub struct Body {
    /// Its type (JSON bodies).
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
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
    /// A type of the version's models crate, by its Rust name.
    Named(String),
    /// A type of the module crate itself (an inline request or response
    /// schema), by its Rust name.
    Local(String),
    /// A type the runtime provides (a path below the runtime crate's root).
    Replaced(String),
    /// `Vec<T>`.
    Array(Box<TypeRef>),
    /// `BTreeMap<String, T>`.
    Map(Box<TypeRef>),
    /// `Option<T>` (nullable).
    Nullable(Box<TypeRef>),
}

impl TypeRef {
    /// The type without `Option`.
    pub fn strip_nullable(&self) -> &TypeRef {
        match self {
            TypeRef::Nullable(inner) => inner.strip_nullable(),
            other => other,
        }
    }

    /// The named (models or local) types this type mentions.
    pub fn named(&self, out: &mut Vec<String>) {
        match self {
            TypeRef::Named(name) | TypeRef::Local(name) => out.push(name.clone()),
            TypeRef::Array(inner) | TypeRef::Map(inner) | TypeRef::Nullable(inner) => inner.named(out),
            _ => {}
        }
    }
}

/// A named type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeDef {
    /// The component key (or inline schema) it came from.
    pub schema_name: String,
    /// Where it was defined, as a JSON pointer.
    pub pointer: String,
    /// PascalCase Rust name, unique in its crate.
    pub rust_name: String,
    /// Description.
    pub description: Option<String>,
    /// Its shape.
    pub kind: TypeKind,
}

/// The shape of a named type.
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// Everything one generation writes: module crates, the models crate of
/// each API version they use, and one CLI over all of them.
#[derive(Debug, Clone, Serialize)]
pub struct Workspace {
    /// Modules, sorted by (version, title).
    pub modules: Vec<Api>,
    /// One per API version, sorted by version.
    pub models: Vec<Models>,
    /// The CLI crate.
    pub cli: Cli,
}

/// The CLI crate over every module.
#[derive(Debug, Clone, Serialize)]
pub struct Cli {
    /// Package name.
    pub crate_name: String,
    /// Binary name.
    pub binary: String,
    /// Package version.
    pub version: String,
    /// The default service root (from the documents' server URLs).
    pub default_root: String,
}

/// The component schemas of one API version, shared by its modules.
#[derive(Debug, Clone, Serialize)]
pub struct Models {
    /// The version.
    pub version: ApiVersion,
    /// Package name.
    pub crate_name: String,
    /// Package version.
    pub crate_version: String,
    /// Every type, sorted by Rust name.
    pub types: Vec<ModelType>,
    /// Every module feature (the module's `Crate::module_feature`), sorted.
    pub features: Vec<String>,
    /// Definitions that differed between documents, and how they were merged.
    pub conflicts: Vec<String>,
}

/// A type of a models crate and the modules that need it.
#[derive(Debug, Clone, Serialize)]
pub struct ModelType {
    /// The type.
    pub def: TypeDef,
    /// The module features that compile it (the modules whose operations
    /// reach it), sorted.
    pub features: Vec<String>,
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
    /// The cmdlet's own parameters, sorted by name. The common parameters
    /// are not repeated here: [`Cmdlet::common`] says which it has.
    pub params: Vec<CmdletParam>,
    /// Which common parameters it has.
    pub common: CommonFlags,
    /// PowerShell types of pipeline inputs.
    pub inputs: Vec<String>,
    /// PowerShell types of outputs.
    pub outputs: Vec<String>,
    /// Cargo features all of which the cmdlet needs (one per operation tag).
    pub features: Vec<String>,
}

/// Which of the common parameters (one table, [`COMMON_PARAMS`]) a cmdlet
/// has besides those every cmdlet has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CommonFlags {
    /// `-PassThru`: every operation returns no body.
    pub pass_thru: bool,
    /// `-WhatIf`, `-Confirm`: an operation changes something.
    pub should_process: bool,
    /// The beta namespace for the pipeline-step type.
    pub beta: bool,
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
    /// Where each parameter of the set goes in the request.
    pub binds: Vec<Binding>,
}

/// One step of a set's binding plan: which cmdlet parameter (an index into
/// [`Cmdlet::params`]) goes where in the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Binding {
    /// The parameter is the path key with this index.
    Key {
        /// Parameter index.
        param: usize,
        /// Key index (template order).
        key: usize,
    },
    /// `-InputObject` gives every path key.
    Identity {
        /// Parameter index.
        param: usize,
    },
    /// The parameter is this query or header parameter.
    Arg {
        /// Parameter index.
        param: usize,
        /// Index into the operation's parameters.
        op_param: usize,
    },
    /// `-BodyParameter` is the body.
    Body {
        /// Parameter index.
        param: usize,
    },
    /// The parameter is this property of the body (`Expanded` sets).
    Prop {
        /// Parameter index.
        param: usize,
        /// JSON name.
        wire_name: String,
    },
    /// `-AdditionalProperties` adds to the body.
    Additional {
        /// Parameter index.
        param: usize,
    },
    /// `-InFile`: the bytes of this file are the body.
    InFile {
        /// Parameter index.
        param: usize,
    },
}

/// What a cmdlet parameter carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ParamKind {
    /// A path key.
    Key,
    /// A query or header parameter.
    Arg,
    /// -InputObject.
    Identity,
    /// -BodyParameter: the whole request body as one object.
    Body,
    /// One property of the body in an `Expanded` set.
    BodyProperty,
    /// -AdditionalProperties of an `Expanded` set.
    AdditionalProperties,
    /// Paging switches of list cmdlets: -All, -PageSize, -CountVariable
    /// (and -DeltaLink, -DeltaLinkVariable of delta functions).
    Paging,
    /// `-UploadFile` of a `createUploadSession` cmdlet.
    Upload,
    /// -OutFile of a cmdlet that returns a byte stream.
    OutFile,
    /// -InFile of a cmdlet that uploads a byte stream.
    InFile,
    /// One of the common parameters ([`COMMON_PARAMS`]).
    Common,
}

/// PowerShell's own common parameters and their aliases (the CLI binds
/// them as PowerShell does; `mg_runtime::cli_args` holds the same list). No
/// cmdlet parameter may take one of these names.
pub const POWERSHELL_COMMON: [(&str, &str); 12] = [
    ("Verbose", "vb"),
    ("Debug", "db"),
    ("ErrorAction", "ea"),
    ("WarningAction", "wa"),
    ("InformationAction", "infa"),
    ("ProgressAction", "proga"),
    ("ErrorVariable", "ev"),
    ("WarningVariable", "wv"),
    ("InformationVariable", "iv"),
    ("OutVariable", "ov"),
    ("OutBuffer", "ob"),
    ("PipelineVariable", "pv"),
];

/// Whether a cmdlet's own parameter may not be called `name`: a common
/// parameter (PowerShell's or [`COMMON_PARAMS`]) or an alias of one.
pub fn is_reserved_param_name(name: &str) -> bool {
    POWERSHELL_COMMON.iter().any(|(n, a)| n.eq_ignore_ascii_case(name) || a.eq_ignore_ascii_case(name))
        || COMMON_PARAMS
            .iter()
            .any(|c| c.name.eq_ignore_ascii_case(name) || c.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
}

/// The PowerShell type of a cmdlet parameter: the one table from IR types
/// to what PowerShell shows ([`PsType::name`]) and how the binder reads an
/// argument ([`PsType::binder`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum PsType {
    /// `System.String`.
    String,
    /// `System.Management.Automation.SwitchParameter`.
    Switch,
    /// `System.Boolean`.
    Boolean,
    /// `System.Int32`.
    Int32,
    /// `System.Int64`.
    Int64,
    /// `System.Double`.
    Double,
    /// `System.String[]`.
    StringArray,
    /// `System.Uri`.
    Uri,
    /// `System.Collections.IDictionary`.
    Dictionary,
    /// `System.Collections.Hashtable` (a free-form object).
    Hashtable,
    /// `System.Management.Automation.PSCredential`.
    Credential,
    /// `<namespace>.Runtime.SendAsyncStep[]`.
    PipelineSteps {
        /// `Microsoft.Graph.Beta.PowerShell`.
        namespace: String,
    },
    /// The module's identity type (full name).
    Identity(String),
    /// A model interface (`<namespace>.Models.IMicrosoftGraphUser`,
    /// `...[]` for arrays).
    Model(String),
}

/// How the runtime's binder reads an argument (its `ParamType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[allow(missing_docs)]
pub enum BinderType {
    String,
    Switch,
    Uri,
    Dictionary,
    Identity,
    Object,
    Credential,
    PipelineSteps,
    Int32,
    Int64,
    Double,
    Boolean,
    StringArray,
}

impl BinderType {
    /// The runtime's `ParamType` variant name.
    pub fn variant(self) -> &'static str {
        match self {
            BinderType::String => "String",
            BinderType::Switch => "Switch",
            BinderType::Uri => "Uri",
            BinderType::Dictionary => "Dictionary",
            BinderType::Identity => "Identity",
            BinderType::Object => "Object",
            BinderType::Credential => "Credential",
            BinderType::PipelineSteps => "PipelineSteps",
            BinderType::Int32 => "Int32",
            BinderType::Int64 => "Int64",
            BinderType::Double => "Double",
            BinderType::Boolean => "Boolean",
            BinderType::StringArray => "StringArray",
        }
    }

    /// The type name the runtime shows for this binder type when the table
    /// gives none.
    pub fn default_name(self) -> &'static str {
        match self {
            BinderType::String => "System.String",
            BinderType::Switch => "System.Management.Automation.SwitchParameter",
            BinderType::Uri => "System.Uri",
            BinderType::Dictionary => "System.Collections.IDictionary",
            BinderType::Identity | BinderType::Object => "System.Object",
            BinderType::Credential => "System.Management.Automation.PSCredential",
            BinderType::PipelineSteps => "Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]",
            BinderType::Int32 => "System.Int32",
            BinderType::Int64 => "System.Int64",
            BinderType::Double => "System.Double",
            BinderType::Boolean => "System.Boolean",
            BinderType::StringArray => "System.String[]",
        }
    }
}

impl PsType {
    /// The full PowerShell type name.
    pub fn name(&self) -> String {
        match self {
            PsType::String => "System.String".into(),
            PsType::Switch => "System.Management.Automation.SwitchParameter".into(),
            PsType::Boolean => "System.Boolean".into(),
            PsType::Int32 => "System.Int32".into(),
            PsType::Int64 => "System.Int64".into(),
            PsType::Double => "System.Double".into(),
            PsType::StringArray => "System.String[]".into(),
            PsType::Uri => "System.Uri".into(),
            PsType::Dictionary => "System.Collections.IDictionary".into(),
            PsType::Hashtable => "System.Collections.Hashtable".into(),
            PsType::Credential => "System.Management.Automation.PSCredential".into(),
            PsType::PipelineSteps { namespace } => format!("{namespace}.Runtime.SendAsyncStep[]"),
            PsType::Identity(name) | PsType::Model(name) => name.clone(),
        }
    }

    /// How the binder reads it.
    pub fn binder(&self) -> BinderType {
        match self {
            PsType::String => BinderType::String,
            PsType::Switch => BinderType::Switch,
            PsType::Boolean => BinderType::Boolean,
            PsType::Int32 => BinderType::Int32,
            PsType::Int64 => BinderType::Int64,
            PsType::Double => BinderType::Double,
            PsType::StringArray => BinderType::StringArray,
            PsType::Uri => BinderType::Uri,
            PsType::Dictionary => BinderType::Dictionary,
            PsType::Hashtable | PsType::Model(_) => BinderType::Object,
            PsType::Credential => BinderType::Credential,
            PsType::PipelineSteps { .. } => BinderType::PipelineSteps,
            PsType::Identity(_) => BinderType::Identity,
        }
    }

    /// Whether it is a switch (no argument; default `False` in help).
    pub fn is_switch(&self) -> bool {
        matches!(self, PsType::Switch)
    }
}

/// A cmdlet parameter.
#[derive(Debug, Clone, Serialize)]
pub struct CmdletParam {
    /// Creation number while lowering: binding plans refer to it until the
    /// parameters are final, then to the parameter's index.
    #[serde(skip)]
    pub id: usize,
    /// PowerShell name.
    pub name: String,
    /// snake_case Rust name.
    pub rust_name: String,
    /// Aliases.
    pub aliases: Vec<String>,
    /// Its PowerShell type.
    pub ty: PsType,
    /// What it carries.
    pub kind: ParamKind,
    /// Description.
    pub description: String,
    /// Membership: `None` means every set (`(All)`): the common parameters.
    pub sets: Option<Vec<SetMembership>>,
    /// For `(All)` parameters: whether they take pipeline input.
    pub all_sets_pipeline: bool,
    /// Whether the help hides it.
    pub dont_show: bool,
}

impl CmdletParam {
    /// The default value text in help (`''`, `False`).
    pub fn default_value(&self) -> &'static str {
        if self.kind == ParamKind::Common {
            return COMMON_PARAMS.iter().find(|c| c.name == self.name).map_or("''", |c| c.help_default);
        }
        if self.ty.is_switch() { "False" } else { "''" }
    }
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

/// One common parameter: defined here once for help documents and the API
/// surface; the runtime's binder has the same list (a test compares them).
#[derive(Debug, Clone, Copy)]
pub struct CommonParam {
    /// Name.
    pub name: &'static str,
    /// Aliases.
    pub aliases: &'static [&'static str],
    /// Which cmdlets have it.
    pub when: CommonWhen,
    /// Takes pipeline input in every set.
    pub pipeline: bool,
    /// Help text.
    pub description: &'static str,
    /// The default value the help shows (`False`, or `''` for the
    /// ShouldProcess switches, as PlatyPS writes them).
    pub help_default: &'static str,
}

/// Which cmdlets have a common parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommonWhen {
    /// Every cmdlet.
    Always,
    /// Cmdlets whose calls return no body.
    PassThru,
    /// Cmdlets that change something.
    ShouldProcess,
}

/// The common parameters, in name order.
pub const COMMON_PARAMS: [CommonParam; 11] = [
    CommonParam {
        name: "Break",
        aliases: &[],
        when: CommonWhen::Always,
        pipeline: false,
        description: "Before doing anything, wait until a debugger attaches to this process (the process id is printed). Unlike the PowerShell module, the wait can be cancelled (Ctrl+C).",
        help_default: "False",
    },
    CommonParam {
        name: "Confirm",
        aliases: &["cf"],
        when: CommonWhen::ShouldProcess,
        pipeline: false,
        description: "Ask for confirmation before sending the request.",
        help_default: "''",
    },
    CommonParam {
        name: "Headers",
        aliases: &[],
        when: CommonWhen::Always,
        pipeline: true,
        description: "Extra request headers. They are added after the declared header parameters and cannot replace Authorization or client-request-id.",
        help_default: "''",
    },
    CommonParam {
        name: "HttpPipelineAppend",
        aliases: &[],
        when: CommonWhen::Always,
        pipeline: false,
        description: "Steps run around the request after the prepended steps and before the built-in handlers.",
        help_default: "''",
    },
    CommonParam {
        name: "HttpPipelinePrepend",
        aliases: &[],
        when: CommonWhen::Always,
        pipeline: false,
        description: "Steps run around the request first, before the appended steps and the built-in handlers.",
        help_default: "''",
    },
    CommonParam {
        name: "PassThru",
        aliases: &[],
        when: CommonWhen::PassThru,
        pipeline: false,
        description: "Write True to the output when the call succeeds (the API returns no body).",
        help_default: "False",
    },
    CommonParam {
        name: "Proxy",
        aliases: &[],
        when: CommonWhen::Always,
        pipeline: false,
        description: "Send the request through this forward proxy. (In the PowerShell module this parameter has no effect; here it routes the call.)",
        help_default: "''",
    },
    CommonParam {
        name: "ProxyCredential",
        aliases: &[],
        when: CommonWhen::Always,
        pipeline: false,
        description: "User name and password for the proxy given with -Proxy.",
        help_default: "''",
    },
    CommonParam {
        name: "ProxyUseDefaultCredentials",
        aliases: &[],
        when: CommonWhen::Always,
        pipeline: false,
        description: "Authenticate to the proxy with the credentials of the environment's proxy settings.",
        help_default: "False",
    },
    CommonParam {
        name: "ResponseHeadersVariable",
        aliases: &["RHV"],
        when: CommonWhen::Always,
        pipeline: false,
        description: "Name under which the response headers of a successful call are kept.",
        help_default: "''",
    },
    CommonParam {
        name: "WhatIf",
        aliases: &["wi"],
        when: CommonWhen::ShouldProcess,
        pipeline: false,
        description: "Show what the cmdlet would do, and send nothing.",
        help_default: "''",
    },
];

impl CommonParam {
    /// The parameter's PowerShell type.
    pub fn ty(&self, beta: bool) -> PsType {
        match self.name {
            "Headers" => PsType::Dictionary,
            "HttpPipelineAppend" | "HttpPipelinePrepend" => PsType::PipelineSteps {
                namespace: if beta { "Microsoft.Graph.Beta.PowerShell" } else { "Microsoft.Graph.PowerShell" }.to_owned(),
            },
            "Proxy" => PsType::Uri,
            "ProxyCredential" => PsType::Credential,
            "ResponseHeadersVariable" => PsType::String,
            _ => PsType::Switch,
        }
    }
}

impl Cmdlet {
    /// The cmdlet's own parameters and its common ones, in the order help
    /// documents list them (case-insensitive name order).
    pub fn all_params(&self) -> Vec<CmdletParam> {
        let mut all = self.params.clone();
        for c in &COMMON_PARAMS {
            let wanted = match c.when {
                CommonWhen::Always => true,
                CommonWhen::PassThru => self.common.pass_thru,
                CommonWhen::ShouldProcess => self.common.should_process,
            };
            if !wanted || all.iter().any(|p| p.name.eq_ignore_ascii_case(c.name)) {
                continue;
            }
            all.push(CmdletParam {
                id: usize::MAX,
                name: c.name.to_owned(),
                rust_name: crate::naming::ident::snake_case(c.name),
                aliases: c.aliases.iter().map(|a| (*a).to_owned()).collect(),
                ty: c.ty(self.common.beta),
                kind: ParamKind::Common,
                description: c.description.to_owned(),
                sets: None,
                all_sets_pipeline: c.pipeline,
                dont_show: false,
            });
        }
        all.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then_with(|| a.name.cmp(&b.name)));
        all
    }
}
