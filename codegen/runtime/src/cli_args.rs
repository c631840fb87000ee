//! Command-line scanning for the `mgbeta` driver ([`super::cli`]): takes the
//! common parameters and `-InputObject -` out of the arguments before they
//! reach the binder, and reads pipeline objects from standard input.

use std::io::{BufRead, Read};

use super::binder::{BindError, BindErrorId, CmdletMeta, ParamMeta, ParamType, err_already_bound};

/// Largest standard input read as pipeline objects.
const MAX_STDIN_BYTES: u64 = 64 * 1024 * 1024;

/// A PowerShell `ActionPreference`, as -ErrorAction, -WarningAction,
/// -InformationAction and -ProgressAction take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum Action {
    /// Show the record and go on.
    #[default]
    Continue,
    /// Hide the record and go on (`SilentlyContinue`, `Ignore`).
    Silent,
    /// Turn the record into a terminating error.
    Stop,
}

impl Action {
    /// Reads a value the way PowerShell converts to `ActionPreference`:
    /// the enumerator name in any case, or its number.
    fn parse(parameter: &str, value: &str) -> Result<Action, BindError> {
        const NAMES: [&str; 7] = [
            "SilentlyContinue",
            "Stop",
            "Continue",
            "Inquire",
            "Ignore",
            "Suspend",
            "Break",
        ];
        let text = value.trim();
        let index = match text.parse::<usize>() {
            Ok(n) => Some(n),
            Err(_) => NAMES.iter().position(|n| n.eq_ignore_ascii_case(text)),
        };
        match index.and_then(|i| NAMES.get(i)) {
            Some(&"Continue") => Ok(Action::Continue),
            Some(&"SilentlyContinue" | &"Ignore") => Ok(Action::Silent),
            Some(&"Stop") => Ok(Action::Stop),
            Some(other) => Err(BindError::new(
                BindErrorId::InvalidArgument,
                format!(
                    "-{parameter} {other} needs an interactive PowerShell session; from this command line use Continue, SilentlyContinue, Ignore or Stop."
                ),
            )),
            None => Err(BindError::new(
                BindErrorId::InvalidArgument,
                format!(
                    "Cannot bind parameter '{parameter}'. Cannot convert value \"{value}\" to type \"System.Management.Automation.ActionPreference\". Error: \"Unable to match the identifier name {value} to a valid enumerator name. Specify one of the following enumerator names and try again: {}\"",
                    NAMES.join(", ")
                ),
            )),
        }
    }
}

/// The command line with the driver's own parameters taken out.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// What the binder gets.
    pub(super) args: Vec<String>,
    pub(super) verbose: bool,
    pub(super) debug: bool,
    pub(super) error_action: Action,
    pub(super) warning_action: Action,
    pub(super) information_action: Action,
    pub(super) progress_action: Action,
    /// `-InputObject -`: read pipeline objects from standard input.
    pub(super) stdin_input: bool,
    /// `-Batch`: send the pipeline objects' requests in `$batch` calls.
    pub(super) batch: bool,
}

/// What a PowerShell common parameter does on this command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Verbose,
    Debug,
    ErrorAction,
    WarningAction,
    InformationAction,
    ProgressAction,
    /// `-Batch` (ours, not PowerShell's): pipeline input goes in `$batch` calls.
    Batch,
    /// Means something only inside a PowerShell session: refused.
    SessionOnly,
}

/// A common parameter: name, aliases, role.
struct Common {
    name: &'static str,
    aliases: &'static [&'static str],
    role: Role,
}

/// PowerShell's common parameters in the order its binder holds them
/// (which is the order of an AmbiguousParameter message).
const COMMON: &[Common] = &[
    Common { name: "Verbose", aliases: &["vb"], role: Role::Verbose },
    Common { name: "Debug", aliases: &["db"], role: Role::Debug },
    Common { name: "ErrorAction", aliases: &["ea"], role: Role::ErrorAction },
    Common { name: "WarningAction", aliases: &["wa"], role: Role::WarningAction },
    Common { name: "InformationAction", aliases: &["infa"], role: Role::InformationAction },
    Common { name: "ProgressAction", aliases: &["proga"], role: Role::ProgressAction },
    Common { name: "ErrorVariable", aliases: &["ev"], role: Role::SessionOnly },
    Common { name: "WarningVariable", aliases: &["wv"], role: Role::SessionOnly },
    Common { name: "InformationVariable", aliases: &["iv"], role: Role::SessionOnly },
    Common { name: "OutVariable", aliases: &["ov"], role: Role::SessionOnly },
    Common { name: "OutBuffer", aliases: &["ob"], role: Role::SessionOnly },
    Common { name: "PipelineVariable", aliases: &["pv"], role: Role::SessionOnly },
    Common { name: "Batch", aliases: &[], role: Role::Batch },
];

/// PowerShell's ShouldProcess parameters: in the cmdlet's metadata, but
/// bound like common parameters (they never win a prefix tie).
const SHOULD_PROCESS: [&str; 2] = ["WhatIf", "Confirm"];

/// What a parameter name on the command line resolved to.
#[derive(Clone, Copy)]
enum Hit {
    Declared(&'static ParamMeta),
    Common(&'static Common),
}

impl Hit {
    fn name(&self) -> &'static str {
        match self {
            Hit::Declared(p) => p.name,
            Hit::Common(c) => c.name,
        }
    }

    fn same(&self, other: &Hit) -> bool {
        self.name() == other.name()
    }

    /// A parameter the cmdlet itself declares (not common, not ShouldProcess).
    fn declared(&self) -> bool {
        matches!(self, Hit::Declared(p) if !SHOULD_PROCESS.contains(&p.name))
    }
}

/// Compares the start of `name` with `prefix`, ASCII case-insensitively.
fn starts_with_ci(name: &str, prefix: &str) -> bool {
    name.len() >= prefix.len()
        && name.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
}

/// PowerShell's parameter lookup over the cmdlet's parameters and the
/// common ones together: an exact name, then an exact alias; else the
/// unique prefix of a name or alias. When a prefix fits several, the one
/// the cmdlet declares wins if it is the only declared one; otherwise the
/// name is ambiguous and every candidate is listed.
fn resolve(meta: &'static CmdletMeta, typed: &str) -> Result<Option<Hit>, BindError> {
    if typed.is_empty() {
        return Ok(None);
    }
    let params: Vec<&'static ParamMeta> = meta.all_params();
    // The binder's order: declared, common, then ShouldProcess.
    let declared = params.iter().filter(|p| !SHOULD_PROCESS.contains(&p.name));
    let should_process = params.iter().filter(|p| SHOULD_PROCESS.contains(&p.name));
    let all: Vec<(Hit, &'static str, &'static [&'static str])> = declared
        .map(|p| (Hit::Declared(p), p.name, p.aliases))
        .chain(COMMON.iter().map(|c| (Hit::Common(c), c.name, c.aliases)))
        .chain(should_process.map(|p| (Hit::Declared(p), p.name, p.aliases)))
        .collect();
    if let Some((hit, _, _)) = all.iter().find(|(_, n, _)| n.eq_ignore_ascii_case(typed)) {
        return Ok(Some(*hit));
    }
    if let Some((hit, _, _)) = all
        .iter()
        .find(|(_, _, aliases)| aliases.iter().any(|a| a.eq_ignore_ascii_case(typed)))
    {
        return Ok(Some(*hit));
    }
    let mut found: Vec<Hit> = Vec::new();
    let by_name = all.iter().filter(|(_, n, _)| starts_with_ci(n, typed));
    let by_alias = all
        .iter()
        .filter(|(_, _, aliases)| aliases.iter().any(|a| starts_with_ci(a, typed)));
    for (hit, _, _) in by_name.chain(by_alias) {
        if !found.iter().any(|f| f.same(hit)) {
            found.push(*hit);
        }
    }
    if found.len() > 1 {
        let declared: Vec<&Hit> = found.iter().filter(|h| h.declared()).collect();
        if let [only] = declared.as_slice() {
            return Ok(Some(**only));
        }
        let list: String = found.iter().map(|h| format!(" -{}", h.name())).collect();
        return Err(BindError::new(
            BindErrorId::AmbiguousParameter,
            format!(
                "Parameter cannot be processed because the parameter name '{typed}' is ambiguous. Possible matches include:{list}."
            ),
        ));
    }
    Ok(found.first().copied())
}

/// Whether the binder reads `tok` as a parameter name (same rule: a dash
/// not starting a number, and not `--` itself).
fn looks_like_parameter(tok: &str) -> bool {
    let mut chars = tok.chars();
    let dash = chars
        .next()
        .is_some_and(|c| matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2015}'));
    let rest = chars.as_str();
    let number = rest
        .strip_prefix('.')
        .unwrap_or(rest)
        .starts_with(|c: char| c.is_ascii_digit());
    dash && tok != "--" && !rest.is_empty() && !number
}

/// `(name to look up, inline value, value follows a trailing colon)`.
fn split_parameter(tok: &str) -> (String, Option<&str>, bool) {
    if let Some(rest) = tok.strip_prefix("--") {
        let (name, inline) = rest
            .split_once('=')
            .map_or((rest, None), |(n, v)| (n, Some(v)));
        return (name.replace('-', ""), inline, false);
    }
    // One leading dash (of any kind), as the binder strips.
    let rest = &tok[tok.chars().next().map_or(0, char::len_utf8)..];
    match rest.split_once(':') {
        Some((name, "")) => (name.to_owned(), None, true),
        Some((name, value)) => (name.to_owned(), Some(value), false),
        None => (rest.to_owned(), None, false),
    }
}

/// Takes the common parameters and `-InputObject -` out of `args`, pairing
/// tokens the way the binder does so that a value is never mistaken for a
/// parameter name (`-ApplicationId: -Verbose` is an id). Names resolve as
/// PowerShell resolves them, common parameters included, so `-Verb` is
/// -Verbose and `-E` is ambiguous.
pub(super) fn scan(meta: &'static CmdletMeta, args: &[String]) -> Result<Scan, BindError> {
    let mut out = Scan::default();
    let (mut i, mut ended) = (0, false);
    // Parameters taken out here, so a second use is caught as in PowerShell.
    let mut seen: Vec<&'static str> = Vec::new();
    while let Some(tok) = args.get(i) {
        i += 1;
        if ended || !looks_like_parameter(tok) {
            ended |= tok == "--";
            out.args.push(tok.clone());
            continue;
        }
        let (name, inline, colon) = split_parameter(tok);
        // The argument of a parameter that needs one: attached, after a
        // trailing colon (whatever it looks like), or the next plain token.
        let value_of = |i: &mut usize| -> Option<String> {
            if let Some(v) = inline {
                return Some(v.to_owned());
            }
            let next = args
                .get(*i)
                .filter(|n| colon || (!looks_like_parameter(n) && *n != "--"))?;
            *i += 1;
            Some(next.clone())
        };
        let hit = resolve(meta, &name)?;
        let mut once = |canonical: &'static str| {
            if seen.contains(&canonical) {
                return Err(err_already_bound(&name));
            }
            seen.push(canonical);
            Ok(())
        };
        match hit {
            Some(Hit::Common(common)) => {
                once(common.name)?;
                let missing = || {
                    BindError::new(
                        BindErrorId::MissingArgument,
                        format!(
                            "Missing an argument for parameter '{}'. Specify a parameter of type 'System.Management.Automation.ActionPreference' and try again.",
                            common.name
                        ),
                    )
                };
                let action = |i: &mut usize| {
                    let value = value_of(i).ok_or_else(missing)?;
                    Action::parse(common.name, &value)
                };
                match common.role {
                    Role::Verbose | Role::Debug | Role::Batch => {
                        // A switch takes a value only when attached: `-Verbose:$false`.
                        let value = (inline.is_some() || colon)
                            .then(|| value_of(&mut i))
                            .flatten();
                        let value = value
                            .unwrap_or_default()
                            .trim()
                            .trim_start_matches('$')
                            .to_ascii_lowercase();
                        let on = match value.as_str() {
                            "" | "true" | "1" => true,
                            "false" | "0" => false,
                            v => {
                                return Err(BindError::new(
                                    BindErrorId::InvalidArgument,
                                    format!("-{} takes $true or $false, not \"{v}\".", common.name),
                                ));
                            }
                        };
                        match common.role {
                            Role::Verbose => out.verbose = on,
                            Role::Debug => out.debug = on,
                            _ => out.batch = on,
                        }
                    }
                    Role::ErrorAction => out.error_action = action(&mut i)?,
                    Role::WarningAction => out.warning_action = action(&mut i)?,
                    Role::InformationAction => out.information_action = action(&mut i)?,
                    Role::ProgressAction => out.progress_action = action(&mut i)?,
                    Role::SessionOnly => {
                        return Err(BindError::new(
                            BindErrorId::InvalidArgument,
                            format!(
                                "The common parameter '-{}' has no meaning outside PowerShell and is not supported.",
                                common.name
                            ),
                        ));
                    }
                }
            }
            Some(Hit::Declared(param)) => {
                let identity = param.ty == ParamType::Identity;
                let dash = inline == Some("-")
                    || (inline.is_none() && args.get(i).is_some_and(|n| n == "-"));
                if identity && dash {
                    once(param.name)?;
                    if inline.is_none() {
                        i += 1;
                    }
                    out.stdin_input = true;
                    continue;
                }
                if identity {
                    // `-InputObject -` and an inline object together.
                    once(param.name)?;
                }
                out.args.push(tok.clone());
                let takes_value = colon || param.ty != ParamType::Switch;
                if takes_value && inline.is_none() {
                    out.args.extend(value_of(&mut i));
                }
            }
            // Unknown names are left to the binder to word.
            None => out.args.push(tok.clone()),
        }
    }
    Ok(out)
}

/// Reads pipeline objects: JSON values back to back, arrays flattened.
pub(super) fn read_objects(input: &mut dyn BufRead) -> Result<Vec<serde_json::Value>, String> {
    let mut bytes = Vec::new();
    input
        .take(MAX_STDIN_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read standard input: {e}"))?;
    if bytes.len() as u64 > MAX_STDIN_BYTES {
        return Err(format!(
            "standard input is larger than {MAX_STDIN_BYTES} bytes"
        ));
    }
    let text = String::from_utf8(bytes).map_err(|_| "standard input is not UTF-8".to_owned())?;
    let mut objects = Vec::new();
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    for value in serde_json::Deserializer::from_str(text).into_iter() {
        match value.map_err(|e| {
            format!("standard input is not JSON objects (one per line, or a JSON array): {e}")
        })? {
            serde_json::Value::Array(items) => objects.extend(items),
            other => objects.push(other),
        }
    }
    Ok(objects)
}
