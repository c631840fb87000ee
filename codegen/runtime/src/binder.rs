//! PowerShell-style parameter binding for generated cmdlets.
//!
//! A generated cmdlet describes its surface with a `static` [`CmdletMeta`]
//! (parameters, aliases, parameter sets). [`bind`] takes the raw argument
//! tokens a shell passed, plus at most one pipeline object, and produces a
//! [`Bound`]: the chosen parameter set and the value of every bound parameter.
//! It follows the rules users know from PowerShell's binder and reproduces its
//! messages and error ids (see [`BindErrorId`]).
//!
//! What is accepted on the command line:
//! - `-Name value`, `-Name:value`, and `-Name: value` (a trailing colon takes
//!   the next token whatever it looks like). The leading dash may also be an
//!   en dash, em dash or horizontal bar, as in PowerShell.
//! - GNU style `--kebab-name value` and `--kebab-name=value`; dashes inside
//!   the name are ignored, so `--application-id` is `-ApplicationId`.
//! - Names and aliases are ASCII case-insensitive; a unique prefix of a name
//!   or alias is enough; an exact name or alias wins over prefixes.
//! - A lone `--` ends the parameters: every later token is an argument (if a
//!   parameter is still waiting for its value, it takes the next one).
//! - The literal argument `$null` (any case) stands for PowerShell's null.
//!
//! Binding happens in PowerShell's order, so the first error reported is the
//! one PowerShell would report: parameter lookup and missing arguments while
//! reading tokens, then named binding (unknown names, duplicates, conversions,
//! null and empty checks) in token order, then leftover positional arguments,
//! then parameter set resolution, pipeline input and mandatory parameters.

use std::collections::BTreeMap;
use std::fmt;

pub use super::bind::bind;

/// PowerShell type of a parameter; decides how its argument is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamType {
    /// `System.String`: any text.
    String,
    /// `System.Management.Automation.SwitchParameter`: present or not; never
    /// consumes the next token; `-X:$false` turns it off explicitly.
    Switch,
    /// `System.Uri`: an absolute URI (it must have a scheme).
    Uri,
    /// `System.Collections.IDictionary`: one `Name=Value`, an inline JSON
    /// object, or a PowerShell hashtable literal `@{Name='Value'; ...}`.
    Dictionary,
    /// The module's identity type (`IApplicationsIdentity`): an inline JSON
    /// object or a pipeline object. Its displayed type comes from
    /// [`ParamMeta::type_name`].
    Identity,
    /// Any other complex object (a request body, a model-typed property,
    /// `-AdditionalProperties`): an inline JSON object or a pipeline object.
    Object,
    /// `System.Management.Automation.PSCredential`: the user name as text
    /// (the password is never taken from the command line).
    Credential,
    /// `SendAsyncStep[]`: names of pipeline steps (a comma list).
    PipelineSteps,
    /// `System.Int32`.
    Int32,
    /// `System.Int64`.
    Int64,
    /// `System.Double`: a decimal number.
    Double,
    /// `System.Boolean`: `$true`/`$false`, `true`/`false`, or a number.
    Boolean,
    /// `System.String[]`: a comma-separated list.
    StringArray,
}

impl ParamType {
    /// Full .NET type name PowerShell shows for this type in messages.
    ///
    /// [`ParamType::Identity`] and [`ParamType::Object`] have no fixed name;
    /// they answer `System.Object`, and generated metadata overrides it
    /// through [`ParamMeta::type_name`].
    pub const fn type_name(&self) -> &'static str {
        match self {
            ParamType::String => "System.String",
            ParamType::Switch => "System.Management.Automation.SwitchParameter",
            ParamType::Uri => "System.Uri",
            ParamType::Dictionary => "System.Collections.IDictionary",
            ParamType::Identity | ParamType::Object => "System.Object",
            ParamType::Credential => "System.Management.Automation.PSCredential",
            ParamType::PipelineSteps => "Microsoft.Graph.Beta.PowerShell.Runtime.SendAsyncStep[]",
            ParamType::Int32 => "System.Int32",
            ParamType::Int64 => "System.Int64",
            ParamType::Double => "System.Double",
            ParamType::Boolean => "System.Boolean",
            ParamType::StringArray => "System.String[]",
        }
    }

    /// True for types that take several values in one argument
    /// ([`Value::List`] or an object): dictionaries, string arrays, pipeline
    /// steps. Like every parameter they bind once (ParameterAlreadyBound).
    pub const fn is_multi_valued(&self) -> bool {
        matches!(
            self,
            ParamType::Dictionary | ParamType::StringArray | ParamType::PipelineSteps
        )
    }
}

/// Membership of a parameter in one parameter set, by the set's name
/// (convenient in hand-written metadata).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SetMembership {
    /// Name of the parameter set, as listed in [`CmdletMeta::sets`].
    pub set: &'static str,
    /// The parameter must be bound when this set is chosen.
    pub mandatory: bool,
    /// The parameter takes pipeline input by value in this set.
    pub from_pipeline: bool,
}

/// Which parameter sets a parameter belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sets {
    /// Every set of the cmdlet (PowerShell's `(All)`), with the same flags in each.
    All {
        /// Mandatory in every set.
        mandatory: bool,
        /// Takes pipeline input by value in every set.
        from_pipeline: bool,
    },
    /// Only the listed sets, by name.
    Some(&'static [SetMembership]),
    /// Only the listed sets, by their index in [`CmdletMeta::sets`] (what
    /// the generator emits: short, and checked against the set list by a
    /// test of every generated table).
    In {
        /// Sets the parameter belongs to.
        member: &'static [u16],
        /// Sets in which it is mandatory.
        mandatory: &'static [u16],
        /// Sets in which it takes pipeline input by value.
        pipeline: &'static [u16],
    },
}

impl Sets {
    /// Flags `(mandatory, from_pipeline)` of the parameter in the set with
    /// this index and name, or `None` if it is not a member of that set.
    pub fn membership(&self, index: usize, set: &str) -> Option<(bool, bool)> {
        match self {
            Sets::All {
                mandatory,
                from_pipeline,
            } => Some((*mandatory, *from_pipeline)),
            Sets::Some(list) => list
                .iter()
                .find(|m| m.set == set)
                .map(|m| (m.mandatory, m.from_pipeline)),
            Sets::In {
                member,
                mandatory,
                pipeline,
            } => {
                let has = |list: &[u16]| list.iter().any(|&i| usize::from(i) == index);
                has(member).then(|| (has(mandatory), has(pipeline)))
            }
        }
    }

    /// True for [`Sets::All`].
    pub const fn is_all(&self) -> bool {
        matches!(self, Sets::All { .. })
    }
}

/// Description of one cmdlet parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParamMeta {
    /// Canonical name without the dash (`ApplicationId`).
    pub name: &'static str,
    /// Aliases without the dash (`ObjectId`).
    pub aliases: &'static [&'static str],
    /// How the argument is read.
    pub ty: ParamType,
    /// Full PowerShell type shown in messages and help
    /// (`Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity`).
    /// Empty means [`ParamType::type_name`].
    pub type_name: &'static str,
    /// Parameter sets the parameter belongs to.
    pub sets: Sets,
}

impl ParamMeta {
    /// A parameter of the sets with these indices, optional and not taking
    /// pipeline input; refine with the other constructors. This is what
    /// generated tables are written with, one parameter per line.
    pub const fn new(name: &'static str, ty: ParamType, member: &'static [u16]) -> ParamMeta {
        ParamMeta {
            name,
            aliases: &[],
            ty,
            type_name: "",
            sets: Sets::In {
                member,
                mandatory: &[],
                pipeline: &[],
            },
        }
    }

    /// The sets (indices) in which the parameter is mandatory.
    pub const fn mandatory(mut self, sets: &'static [u16]) -> ParamMeta {
        if let Sets::In { member, pipeline, .. } = self.sets {
            self.sets = Sets::In {
                member,
                mandatory: sets,
                pipeline,
            };
        }
        self
    }

    /// The sets (indices) in which the parameter takes pipeline input.
    pub const fn pipeline(mut self, sets: &'static [u16]) -> ParamMeta {
        if let Sets::In { member, mandatory, .. } = self.sets {
            self.sets = Sets::In {
                member,
                mandatory,
                pipeline: sets,
            };
        }
        self
    }

    /// Aliases.
    pub const fn alias(mut self, aliases: &'static [&'static str]) -> ParamMeta {
        self.aliases = aliases;
        self
    }

    /// The PowerShell type shown in messages and help.
    pub const fn typed(mut self, type_name: &'static str) -> ParamMeta {
        self.type_name = type_name;
        self
    }

    /// Type name shown in messages: [`ParamMeta::type_name`] unless empty,
    /// else the name of [`ParamMeta::ty`].
    pub const fn display_type(&self) -> &'static str {
        if self.type_name.is_empty() {
            self.ty.type_name()
        } else {
            self.type_name
        }
    }

    /// True if the parameter must be bound when the set with this index and
    /// name is chosen.
    pub fn is_mandatory_in(&self, index: usize, set: &str) -> bool {
        matches!(self.sets.membership(index, set), Some((true, _)))
    }

    /// True if the parameter takes pipeline input by value in the set with
    /// this index and name.
    pub fn is_from_pipeline_in(&self, index: usize, set: &str) -> bool {
        matches!(self.sets.membership(index, set), Some((_, true)))
    }
}

/// Which of the runtime's common parameters a cmdlet has (they are defined
/// once, in [`COMMON_PARAMS`], not repeated in every cmdlet's table).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Common {
    /// Whether the common parameters are there at all (hand-written
    /// metadata lists its own).
    pub enabled: bool,
    /// `-PassThru` (cmdlets whose calls return no body).
    pub pass_thru: bool,
    /// `-WhatIf` and `-Confirm` (cmdlets that change something).
    pub should_process: bool,
    /// The PowerShell namespace is the beta one (for `SendAsyncStep[]`).
    pub beta: bool,
}

impl Common {
    /// No common parameters.
    pub const NONE: Common = Common {
        enabled: false,
        pass_thru: false,
        should_process: false,
        beta: false,
    };

    /// The common parameters of a cmdlet.
    pub const fn new(pass_thru: bool, should_process: bool, beta: bool) -> Common {
        Common {
            enabled: true,
            pass_thru,
            should_process,
            beta,
        }
    }
}

const fn common(name: &'static str, aliases: &'static [&'static str], ty: ParamType, type_name: &'static str, pipeline: bool) -> ParamMeta {
    ParamMeta {
        name,
        aliases,
        ty,
        type_name,
        sets: Sets::All {
            mandatory: false,
            from_pipeline: pipeline,
        },
    }
}

/// The common parameters every generated cmdlet has (as AutoRest generates
/// them), in name order; [`Common`] says which a cmdlet uses. The help
/// documents describe the same list (the generator's copy is checked
/// against this one by a test).
pub static COMMON_PARAMS: [ParamMeta; 11] = [
    common("Break", &[], ParamType::Switch, "", false),
    common("Confirm", &["cf"], ParamType::Switch, "", false),
    common("Headers", &[], ParamType::Dictionary, "", true),
    common("HttpPipelineAppend", &[], ParamType::PipelineSteps, "", false),
    common("HttpPipelinePrepend", &[], ParamType::PipelineSteps, "", false),
    common("PassThru", &[], ParamType::Switch, "", false),
    common("Proxy", &[], ParamType::Uri, "", false),
    common("ProxyCredential", &[], ParamType::Credential, "", false),
    common("ProxyUseDefaultCredentials", &[], ParamType::Switch, "", false),
    common("ResponseHeadersVariable", &["RHV"], ParamType::String, "", false),
    common("WhatIf", &["wi"], ParamType::Switch, "", false),
];

/// The v1.0 spelling of the pipeline-step parameters' type.
static COMMON_STEPS_V1: [ParamMeta; 2] = [
    common("HttpPipelineAppend", &[], ParamType::PipelineSteps, "Microsoft.Graph.PowerShell.Runtime.SendAsyncStep[]", false),
    common("HttpPipelinePrepend", &[], ParamType::PipelineSteps, "Microsoft.Graph.PowerShell.Runtime.SendAsyncStep[]", false),
];

/// Description of a cmdlet: its name, parameter sets and parameters.
///
/// Meant to be emitted by the generator as part of a `static` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CmdletMeta {
    /// Cmdlet name (`Start-MgBetaApplicationSynchronizationJob`).
    pub name: &'static str,
    /// Set chosen when the arguments do not decide.
    pub default_set: &'static str,
    /// All parameter sets, in declared order.
    pub sets: &'static [&'static str],
    /// The cmdlet's own parameters, in declared order (the order used in
    /// messages).
    pub params: &'static [ParamMeta],
    /// Which of the runtime's common parameters it also has.
    pub common: Common,
}

impl CmdletMeta {
    /// Every parameter: the cmdlet's own and its common ones. With common
    /// parameters, the list is in case-insensitive name order (as help
    /// documents list parameters); without, in declared order.
    pub fn all_params(&self) -> Vec<&'static ParamMeta> {
        let own: &'static [ParamMeta] = self.params;
        let mut all: Vec<&'static ParamMeta> = own.iter().collect();
        if !self.common.enabled {
            return all;
        }
        let c = self.common;
        for p in &COMMON_PARAMS {
            let wanted = match p.name {
                "PassThru" => c.pass_thru,
                "WhatIf" | "Confirm" => c.should_process,
                _ => true,
            };
            // A cmdlet's own parameter of the same name wins.
            if !wanted || all.iter().any(|q| q.name.eq_ignore_ascii_case(p.name)) {
                continue;
            }
            let p = match (c.beta, p.name) {
                (false, "HttpPipelineAppend") => &COMMON_STEPS_V1[0],
                (false, "HttpPipelinePrepend") => &COMMON_STEPS_V1[1],
                _ => p,
            };
            all.push(p);
        }
        all.sort_by_key(|p| p.name.to_ascii_lowercase());
        all
    }

    /// The parameter whose canonical name is `name` (ASCII case-insensitive).
    pub fn param(&self, name: &str) -> Option<&'static ParamMeta> {
        self.all_params()
            .into_iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Resolves a parameter name as typed (without dashes) the way the binder
    /// does: exact name, then exact alias, then a unique prefix of names and
    /// aliases. `Ok(None)` when nothing matches; an error when the prefix is
    /// ambiguous.
    pub fn find_param(&self, typed: &str) -> Result<Option<&'static ParamMeta>, BindError> {
        lookup(&self.all_params(), typed, typed)
    }

    /// The index of a set by name.
    pub fn set_index(&self, name: &str) -> Option<usize> {
        self.effective_sets().iter().position(|s| *s == name)
    }

    /// Parameter sets in effect: [`CmdletMeta::sets`], or the default set
    /// alone when the list is empty.
    pub(super) fn effective_sets(&self) -> Vec<&'static str> {
        if self.sets.is_empty() {
            vec![self.default_set]
        } else {
            self.sets.to_vec()
        }
    }
}

/// A bound parameter value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Text (String, Uri, or the user name of a Credential).
    String(String),
    /// A switch: `true` when present, `false` for `-X:$false`.
    Switch(bool),
    /// Several values: a Dictionary given as `Name=Value`, or a
    /// StringArray / PipelineSteps (a comma list).
    List(Vec<String>),
    /// JSON: a pipeline object, an inline JSON argument (Identity,
    /// Dictionary), an Int32/Int64 number, a Boolean, or `null` for `$null`
    /// on an optional parameter.
    Json(serde_json::Value),
}

impl Value {
    /// The text of a [`Value::String`].
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The items of a [`Value::List`].
    pub fn as_list(&self) -> Option<&[String]> {
        match self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The JSON of a [`Value::Json`].
    pub fn as_json(&self) -> Option<&serde_json::Value> {
        match self {
            Value::Json(j) => Some(j),
            _ => None,
        }
    }

    /// The value as JSON: strings, booleans, arrays of strings, or the JSON itself.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::Switch(b) => serde_json::Value::Bool(*b),
            Value::List(l) => {
                serde_json::Value::Array(l.iter().cloned().map(serde_json::Value::String).collect())
            }
            Value::Json(j) => j.clone(),
        }
    }

    /// Reads a dictionary value as `(name, value)` pairs in order: `Name=Value`
    /// items of a [`Value::List`] (split at the first `=`), or the members of a
    /// JSON object (strings as-is, arrays give one pair per element, other
    /// JSON as its text, `null` members skipped). `None` for other shapes;
    /// JSON `null` gives no pairs.
    pub fn dictionary_pairs(&self) -> Option<Vec<(String, String)>> {
        match self {
            Value::List(items) => Some(
                items
                    .iter()
                    .map(|i| match i.split_once('=') {
                        Some((k, v)) => (k.trim().to_string(), v.to_string()),
                        None => (i.trim().to_string(), String::new()),
                    })
                    .collect(),
            ),
            Value::Json(serde_json::Value::Null) => Some(Vec::new()),
            Value::Json(serde_json::Value::Object(map)) => {
                let mut out = Vec::new();
                for (k, v) in map {
                    match v {
                        serde_json::Value::Null => {}
                        serde_json::Value::Array(items) => {
                            for item in items {
                                out.push((k.clone(), json_scalar_text(item)));
                            }
                        }
                        other => out.push((k.clone(), json_scalar_text(other))),
                    }
                }
                Some(out)
            }
            _ => None,
        }
    }
}

/// Text of a JSON value for a dictionary entry: strings unquoted, others as JSON.
fn json_scalar_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Result of a successful [`bind`]: the chosen parameter set and the values.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bound {
    /// The chosen parameter set.
    pub set: &'static str,
    /// Values keyed by canonical parameter name.
    pub(super) values: BTreeMap<&'static str, Value>,
    /// The parameter that received the pipeline object, if any.
    pub(super) pipeline: Option<&'static str>,
}

impl Bound {
    /// An empty binding for `set` (for callers that build arguments in code).
    pub fn new(set: &'static str) -> Bound {
        Bound {
            set,
            values: BTreeMap::new(),
            pipeline: None,
        }
    }

    /// Binds `name` to `value`, returning the previous value.
    pub fn insert(&mut self, name: &'static str, value: Value) -> Option<Value> {
        self.values.insert(name, value)
    }

    /// Canonical key for `name`: exact first, then ASCII case-insensitive.
    fn key(&self, name: &str) -> Option<&'static str> {
        if let Some((k, _)) = self.values.get_key_value(name) {
            return Some(*k);
        }
        self.values
            .keys()
            .find(|k| k.eq_ignore_ascii_case(name))
            .copied()
    }

    /// Value of parameter `name` (canonical name; case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.key(name).and_then(|k| self.values.get(k))
    }

    /// Text of a [`Value::String`] parameter.
    pub fn string(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }

    /// True if switch `name` is bound and on (`-X` or `-X:$true`).
    pub fn switch(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Value::Switch(true)))
    }

    /// Items of a [`Value::List`] parameter.
    pub fn list(&self, name: &str) -> Option<&[String]> {
        self.get(name).and_then(Value::as_list)
    }

    /// JSON of a [`Value::Json`] parameter.
    pub fn json(&self, name: &str) -> Option<&serde_json::Value> {
        self.get(name).and_then(Value::as_json)
    }

    /// Number of an Int32/Int64 parameter.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.json(name).and_then(serde_json::Value::as_i64)
    }

    /// Value of a Boolean parameter.
    pub fn boolean(&self, name: &str) -> Option<bool> {
        self.json(name).and_then(serde_json::Value::as_bool)
    }

    /// Removes and returns the value of `name`; it is no longer bound after.
    pub fn take(&mut self, name: &str) -> Option<Value> {
        let key = self.key(name)?;
        if self.pipeline == Some(key) {
            self.pipeline = None;
        }
        self.values.remove(key)
    }

    /// True if `name` is bound (like `$PSBoundParameters.ContainsKey`).
    pub fn is_bound(&self, name: &str) -> bool {
        self.key(name).is_some()
    }

    /// True if `name` received its value from the pipeline.
    pub fn from_pipeline(&self, name: &str) -> bool {
        self.pipeline.is_some_and(|p| p.eq_ignore_ascii_case(name))
    }

    /// The parameter that received the pipeline object, if any.
    pub fn pipeline_parameter(&self) -> Option<&'static str> {
        self.pipeline
    }

    /// Canonical names of the bound parameters (ordinal order).
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.values.keys().copied()
    }

    /// Number of bound parameters.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// True if no parameter is bound.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// Error id of a [`BindError`], named after PowerShell's error ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BindErrorId {
    /// No parameter matches the name.
    NamedParameterNotFound,
    /// The name is a prefix of several parameters.
    AmbiguousParameter,
    /// A non-switch parameter has no argument.
    MissingArgument,
    /// Empty string for a mandatory parameter.
    ParameterArgumentValidationErrorEmptyStringNotAllowed,
    /// `$null` for a mandatory parameter.
    ParameterArgumentValidationErrorNullNotAllowed,
    /// Mandatory parameters of the chosen set are not bound.
    MissingMandatoryParameter,
    /// No parameter set, or several, fit the parameters given.
    AmbiguousParameterSet,
    /// A bare argument that no parameter takes by position.
    PositionalParameterNotFound,
    /// No parameter takes the pipeline object.
    InputObjectNotBound,
    /// The same parameter was given twice.
    ParameterAlreadyBound,
    /// The argument cannot be converted to the parameter's type.
    InvalidArgument,
}

impl BindErrorId {
    /// The id as text (`"NamedParameterNotFound"`).
    pub const fn as_str(&self) -> &'static str {
        match self {
            BindErrorId::NamedParameterNotFound => "NamedParameterNotFound",
            BindErrorId::AmbiguousParameter => "AmbiguousParameter",
            BindErrorId::MissingArgument => "MissingArgument",
            BindErrorId::ParameterArgumentValidationErrorEmptyStringNotAllowed => {
                "ParameterArgumentValidationErrorEmptyStringNotAllowed"
            }
            BindErrorId::ParameterArgumentValidationErrorNullNotAllowed => {
                "ParameterArgumentValidationErrorNullNotAllowed"
            }
            BindErrorId::MissingMandatoryParameter => "MissingMandatoryParameter",
            BindErrorId::AmbiguousParameterSet => "AmbiguousParameterSet",
            BindErrorId::PositionalParameterNotFound => "PositionalParameterNotFound",
            BindErrorId::InputObjectNotBound => "InputObjectNotBound",
            BindErrorId::ParameterAlreadyBound => "ParameterAlreadyBound",
            BindErrorId::InvalidArgument => "InvalidArgument",
        }
    }
}

impl fmt::Display for BindErrorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A binding failure: PowerShell's error id and message. Displays as the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindError {
    /// What went wrong.
    pub id: BindErrorId,
    /// The user-facing message, worded as PowerShell words it.
    pub message: String,
}

impl BindError {
    pub(super) fn new(id: BindErrorId, message: String) -> BindError {
        BindError { id, message }
    }

    /// PowerShell's error category for binding errors (always `InvalidArgument`).
    pub const fn category(&self) -> &'static str {
        "InvalidArgument"
    }
}

impl fmt::Display for BindError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BindError {}

// ---------------------------------------------------------------------------
// Messages

pub(super) fn err_not_found(typed: &str) -> BindError {
    BindError::new(
        BindErrorId::NamedParameterNotFound,
        format!("A parameter cannot be found that matches parameter name '{typed}'."),
    )
}

pub(super) fn err_missing_argument(p: &ParamMeta) -> BindError {
    BindError::new(
        BindErrorId::MissingArgument,
        format!(
            "Missing an argument for parameter '{}'. Specify a parameter of type '{}' and try again.",
            p.name,
            p.display_type()
        ),
    )
}

pub(super) fn err_empty(p: &ParamMeta) -> BindError {
    BindError::new(
        BindErrorId::ParameterArgumentValidationErrorEmptyStringNotAllowed,
        format!(
            "Cannot bind argument to parameter '{}' because it is an empty string.",
            p.name
        ),
    )
}

pub(super) fn err_null(p: &ParamMeta) -> BindError {
    BindError::new(
        BindErrorId::ParameterArgumentValidationErrorNullNotAllowed,
        format!(
            "Cannot bind argument to parameter '{}' because it is null.",
            p.name
        ),
    )
}

pub(super) fn err_already_bound(typed: &str) -> BindError {
    BindError::new(
        BindErrorId::ParameterAlreadyBound,
        format!(
            "Cannot bind parameter because parameter '{typed}' is specified more than once. \
             To provide multiple values to parameters that can accept multiple values, use the \
             array syntax. For example, \"-parameter value1,value2,value3\"."
        ),
    )
}

pub(super) fn err_positional(arg: &str) -> BindError {
    BindError::new(
        BindErrorId::PositionalParameterNotFound,
        format!("A positional parameter cannot be found that accepts argument '{arg}'."),
    )
}

pub(super) fn err_ambiguous_set() -> BindError {
    BindError::new(
        BindErrorId::AmbiguousParameterSet,
        "Parameter set cannot be resolved using the specified named parameters. One or more \
         parameters issued cannot be used together or an insufficient number of parameters \
         were provided."
            .to_string(),
    )
}

pub(super) fn err_input_not_bound() -> BindError {
    BindError::new(
        BindErrorId::InputObjectNotBound,
        "The input object cannot be bound to any parameters for the command either because the \
         command does not take pipeline input or the input and its properties do not match any \
         of the parameters that take pipeline input."
            .to_string(),
    )
}

pub(super) fn err_convert(p: &ParamMeta, value: &str, why: &str) -> BindError {
    BindError::new(
        BindErrorId::InvalidArgument,
        format!(
            "Cannot bind parameter '{}'. Cannot convert value \"{}\" to type \"{}\". Error: \"{}\"",
            p.name,
            value,
            p.display_type(),
            why
        ),
    )
}

pub(super) const BOOL_HINT: &str =
    "Boolean parameters accept only Boolean values and numbers, such as $True, $False, 1 or 0.";

// ---------------------------------------------------------------------------
// Name lookup

/// Compares the start of `name` with `prefix`, ASCII case-insensitively.
fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// PowerShell's lookup: an exact name, then an exact alias, wins; otherwise
/// prefix matches of names (declared order) followed by parameters matched
/// only through an alias. `shown` is the name quoted in the ambiguity message.
pub(super) fn lookup(
    params: &[&'static ParamMeta],
    name: &str,
    shown: &str,
) -> Result<Option<&'static ParamMeta>, BindError> {
    if name.is_empty() {
        return Ok(None);
    }
    if let Some(p) = params.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
        return Ok(Some(*p));
    }
    if let Some(p) = params
        .iter()
        .find(|p| p.aliases.iter().any(|a| a.eq_ignore_ascii_case(name)))
    {
        return Ok(Some(*p));
    }
    let mut found: Vec<&'static ParamMeta> = params
        .iter()
        .copied()
        .filter(|p| starts_with_ci(p.name, name))
        .collect();
    for &p in params {
        if p.aliases.iter().any(|a| starts_with_ci(a, name))
            && !found.iter().any(|f| std::ptr::eq(*f, p))
        {
            found.push(p);
        }
    }
    match found.len() {
        0 => Ok(None),
        1 => Ok(Some(found[0])),
        _ => {
            let list: String = found.iter().map(|p| format!(" -{}", p.name)).collect();
            Err(BindError::new(
                BindErrorId::AmbiguousParameter,
                format!(
                    "Parameter cannot be processed because the parameter name '{shown}' is ambiguous. \
                     Possible matches include:{list}."
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_compare_bytes_safely() {
        assert!(starts_with_ci("ApplicationId", "app"));
        assert!(!starts_with_ci("App", "Application"));
        // A prefix ending inside a multi-byte character must not panic.
        assert!(!starts_with_ci("\u{e9}t\u{e9}", "\u{c9}"));
        assert!(starts_with_ci("\u{e9}t\u{e9}", "\u{e9}"));
    }
}
