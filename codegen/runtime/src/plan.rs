//! Cmdlets as data: for each cmdlet, static tables say which parameter sets
//! it has, which operation each set calls, and where every parameter goes
//! in the request. The code here does the binding and the request building
//! once, for every cmdlet of every module.
//!
//! A generated cmdlet is a `static` [`Cmdlet`]: the binder's metadata
//! ([`CmdletMeta`]), its help text, and one [`Plan`] per parameter set:
//!
//! ```ignore
//! pub static META: Cmdlet = Cmdlet {
//!     meta: CmdletMeta { name: "Get-MgBetaApplication", default_set: "List",
//!         sets: &["List", "Get", "GetViaIdentity"],
//!         params: &[P::new("ApplicationId", T::String, &[1]).mandatory(&[1]), /* ... */],
//!         common: Common::new(false, false, true) },
//!     aliases: &[],
//!     plans: &[
//!         Plan::new(&op::APPLICATION_LIST_APPLICATION, &[Bind::Arg(3, "$filter"), /* ... */]),
//!         Plan::new(&op::APPLICATION_GET_APPLICATION, &[Bind::Key(0, 0)]),
//!         Plan::new(&op::APPLICATION_GET_APPLICATION, &[Bind::Identity(5)]),
//!     ],
//!     help: include_str!("../docs/Get-MgBetaApplication.md"),
//! };
//! ```
//!
//! Parameter numbers index [`CmdletMeta::params`]; key numbers index the
//! operation's path keys. A test of the workspace checks every generated
//! table against these rules.

use super::binder::{BindError, BindErrorId, Bound, CmdletMeta, ParamType, bind};
use super::error::Error;
use super::request::{ApiRequest, BodyKind, Operation};

/// Where one parameter's value goes when a set's request is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bind {
    /// Parameter -> the path key with this number.
    Key(u16, u16),
    /// `-InputObject` -> every path key, read from the identity property the
    /// operation names for it.
    Identity(u16),
    /// Parameter -> the query or header parameter with this wire name.
    Arg(u16, &'static str),
    /// `-BodyParameter` -> the whole JSON body.
    Body(u16),
    /// Parameter -> one property of the JSON body (an `Expanded` set), by
    /// its JSON name.
    Prop(u16, &'static str),
    /// `-AdditionalProperties` -> more properties of the JSON body; the
    /// property parameters win.
    Additional(u16),
    /// `-InFile` -> a body of bytes read from that file.
    InFile(u16),
}

/// How one parameter set builds its request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// The operation the set calls.
    pub op: &'static Operation,
    /// Where the parameters go.
    pub binds: &'static [Bind],
}

impl Plan {
    /// A plan.
    pub const fn new(op: &'static Operation, binds: &'static [Bind]) -> Plan {
        Plan { op, binds }
    }

    /// Whether the keys come from `-InputObject`.
    pub fn via_identity(&self) -> bool {
        self.binds.iter().any(|b| matches!(b, Bind::Identity(_)))
    }
}

/// A cmdlet: binder metadata, one plan per parameter set, help.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cmdlet {
    /// The binder's view: name, sets, parameters.
    pub meta: CmdletMeta,
    /// Other names the cmdlet answers to (from the module's configuration).
    pub aliases: &'static [&'static str],
    /// One plan per parameter set, in the order of `meta.sets`.
    pub plans: &'static [Plan],
    /// The help document (Markdown, in the layout of the PowerShell help).
    pub help: &'static str,
}

impl Cmdlet {
    /// The cmdlet name.
    pub fn name(&self) -> &'static str {
        self.meta.name
    }

    /// Whether the cmdlet supports -WhatIf and -Confirm.
    pub fn should_process(&self) -> bool {
        self.meta.common.should_process
    }

    /// The plan of the set with this index.
    pub fn plan(&self, set: usize) -> Result<&'static Plan, Error> {
        let plans: &'static [Plan] = self.plans;
        plans.get(set).ok_or_else(|| Error::Binding {
            id: BindErrorId::AmbiguousParameterSet.as_str(),
            message: format!("{} has no parameter set number {set}.", self.meta.name),
        })
    }

    /// `<cmdlet>_<set>`, as PowerShell names the operation in What-if and
    /// -Confirm messages.
    pub fn operation_name(&self, set: usize) -> String {
        let name = self.meta.effective_sets().get(set).copied().unwrap_or("");
        format!("{}_{name}", self.meta.name)
    }

    /// Binds command-line arguments and a pipeline object; see
    /// [`crate::binder::bind`]. A bad `-InputObject` is explained with the
    /// identity properties the cmdlet's paths need.
    pub fn bind<S: AsRef<str>>(&'static self, args: &[S], pipeline: Option<serde_json::Value>) -> Result<Bound, BindError> {
        bind(&self.meta, args, pipeline).map_err(|mut e| {
            let identity = self.meta.params.iter().find(|p| p.ty == ParamType::Identity);
            if let (BindErrorId::InvalidArgument, Some(p)) = (e.id, identity)
                && e.message.starts_with(&format!("Cannot bind parameter '{}'.", p.name)) {
                    e.message = format!("{} {}", e.message.trim_end_matches('"').trim_end_matches('.'), self.identity_hint());
                }
            e
        })
    }

    /// `Give a JSON object such as {"ApplicationId":"...","SynchronizationJobId":"..."}`:
    /// the keys of the first set that reads them from `-InputObject`.
    pub fn identity_hint(&self) -> String {
        let plans: &'static [Plan] = self.plans;
        plans.iter().find(|p| p.via_identity()).map_or_else(String::new, |p| identity_hint_of(p.op))
    }

    /// The request of the bound set, built by the set's plan. Parameters
    /// the plan uses are taken out of `bound`; common parameters stay.
    pub fn request(&'static self, bound: &mut Bound) -> Result<(usize, ApiRequest), Error> {
        let set = self.meta.set_index(bound.set).ok_or_else(|| Error::Binding {
            id: BindErrorId::AmbiguousParameterSet.as_str(),
            message: format!("Parameter set '{}' is not a parameter set of {}.", bound.set, self.meta.name),
        })?;
        let plan = self.plan(set)?;
        Ok((set, build(&self.meta, plan, bound)?))
    }
}

/// The name of parameter `index` of `meta`.
fn param_name(meta: &CmdletMeta, index: u16) -> Result<&'static str, Error> {
    let params: &'static [crate::binder::ParamMeta] = meta.params;
    params.get(usize::from(index)).map(|p| p.name).ok_or_else(|| {
        Error::InvalidArgument(format!("{}: the binding plan names parameter {index}, which does not exist.", meta.name))
    })
}

/// Text of a bound value used as a path key (`None`: not bound).
fn key_text(value: serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s),
        other => Some(other.to_string()),
    }
}

/// Builds the request of one set from a binding.
pub fn build(meta: &CmdletMeta, plan: &'static Plan, bound: &mut Bound) -> Result<ApiRequest, Error> {
    let op = plan.op;
    let key_count = op.keys().count();
    let mut keys: Vec<Option<String>> = vec![None; key_count];
    let mut args: Vec<(&'static str, serde_json::Value)> = Vec::new();
    let mut body: Option<serde_json::Value> = None;
    let mut props = serde_json::Map::new();
    let mut additional: Option<serde_json::Value> = None;
    let mut in_file: Option<String> = None;
    for bind in plan.binds {
        match *bind {
            Bind::Key(p, k) => {
                let value = bound.take(param_name(meta, p)?).map(|v| v.to_json()).and_then(key_text);
                if let Some(slot) = keys.get_mut(usize::from(k)) {
                    *slot = value;
                }
            }
            Bind::Identity(p) => {
                let name = param_name(meta, p)?;
                let value = bound.take(name).map(|v| v.to_json()).unwrap_or(serde_json::Value::Null);
                let serde_json::Value::Object(object) = value else {
                    return Err(Error::InvalidArgument(format!(
                        "InputObject must be a JSON object whose properties are identity keys. {}",
                        identity_hint_of(op)
                    )));
                };
                for (slot, key) in keys.iter_mut().zip(op.keys()) {
                    let found = object.iter().find(|(k, _)| k.eq_ignore_ascii_case(key.identity)).map(|(_, v)| v.clone());
                    match found.and_then(key_text) {
                        Some(text) if !text.is_empty() => *slot = Some(text),
                        // PowerShell only checks for null; an empty key would
                        // address another resource, so it is refused too.
                        _ => return Err(Error::NullIdentityProperty { name: key.identity.to_owned() }),
                    }
                }
            }
            Bind::Arg(p, wire) => {
                if let Some(value) = bound.take(param_name(meta, p)?) {
                    args.push((wire, value.to_json()));
                }
            }
            Bind::Body(p) => body = bound.take(param_name(meta, p)?).map(|v| v.to_json()),
            Bind::Prop(p, wire) => {
                if let Some(value) = bound.take(param_name(meta, p)?) {
                    props.insert(wire.to_owned(), value.to_json());
                }
            }
            Bind::Additional(p) => additional = bound.take(param_name(meta, p)?).map(|v| v.to_json()),
            Bind::InFile(p) => {
                in_file = bound.take(param_name(meta, p)?).map(|v| v.to_json()).and_then(key_text);
            }
        }
    }
    let keys: Vec<String> = keys.into_iter().map(Option::unwrap_or_default).collect();
    let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
    let mut request = ApiRequest::new(op, op.path_with(&key_refs)?);
    for (wire, value) in &args {
        request.set_arg(wire, value)?;
    }
    let expanded = plan.binds.iter().any(|b| matches!(b, Bind::Prop(..) | Bind::Additional(_)));
    if expanded {
        match additional {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::Object(extra)) => {
                for (key, value) in extra {
                    props.entry(key).or_insert(value);
                }
            }
            Some(_) => return Err(Error::InvalidArgument("-AdditionalProperties takes a JSON object".to_owned())),
        }
        body = Some(serde_json::Value::Object(props));
    }
    request.body = body.filter(|b| !b.is_null());
    if let Some(path) = in_file {
        let bytes = super::cmdlet::read_in_file(&path)?;
        if let BodyKind::Raw(media_type) = op.body {
            request.headers.push(("Content-Type".to_owned(), media_type.to_owned()));
        }
        request.raw_body = Some(bytes);
    }
    Ok(request)
}

fn identity_hint_of(op: &'static Operation) -> String {
    let keys: Vec<String> = op.keys().map(|k| format!("\"{}\":\"...\"", k.identity)).collect();
    format!("Give a JSON object of identity properties, such as {{{}}}.", keys.join(","))
}
