// @generated: copied from codegen/runtime/src/cli_args.rs by `cargo xtask codegen`. Edit it there.
// generator: codegen 0.1.0

//! Command-line scanning for the `mgbeta` driver ([`super::cli`]): takes the
//! common parameters and `-InputObject -` out of the arguments before they
//! reach the binder, and reads pipeline objects from standard input.

use std::io::{BufRead, Read};

use super::binder::{CmdletMeta, ParamType};

/// Largest standard input read as pipeline objects.
const MAX_STDIN_BYTES: u64 = 64 * 1024 * 1024;

/// PowerShell's `$ErrorActionPreference` values this driver honours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum ErrorAction {
    #[default]
    Continue,
    Stop,
    Silent,
}

/// The command line with the driver's own parameters taken out.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// What the binder gets.
    pub(super) args: Vec<String>,
    pub(super) verbose: bool,
    pub(super) debug: bool,
    pub(super) error_action: ErrorAction,
    /// `-InputObject -`: read pipeline objects from standard input.
    pub(super) stdin_input: bool,
}

/// PowerShell common parameters (and aliases) other than -Verbose, -Debug
/// and -ErrorAction. They only mean something inside a PowerShell session,
/// so they are refused rather than silently ignored.
const UNSUPPORTED: &str = "ErrorVariable ev WarningVariable wv InformationVariable iv OutVariable ov \
    OutBuffer ob PipelineVariable pv WarningAction wa InformationAction infa ProgressAction proga";

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
/// parameter name (`-ApplicationId: -Verbose` is an id).
pub(super) fn scan(meta: &'static CmdletMeta, args: &[String]) -> Result<Scan, String> {
    let mut out = Scan::default();
    let (mut i, mut ended) = (0, false);
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
        let is = |names: &str| {
            names
                .split_whitespace()
                .any(|n| n.eq_ignore_ascii_case(&name))
        };
        if is("Verbose vb Debug db") {
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
                v => return Err(format!("-{name} takes $true or $false, not \"{v}\".")),
            };
            let flag = if is("Verbose vb") {
                &mut out.verbose
            } else {
                &mut out.debug
            };
            *flag = on;
            continue;
        }
        if is("ErrorAction ea") {
            let value = value_of(&mut i).unwrap_or_default();
            out.error_action = match value.trim().to_ascii_lowercase().as_str() {
                "continue" => ErrorAction::Continue,
                "stop" => ErrorAction::Stop,
                "silentlycontinue" | "ignore" => ErrorAction::Silent,
                _ => {
                    return Err(format!(
                        "-ErrorAction takes Continue, Stop, SilentlyContinue or Ignore, not \"{value}\"."
                    ));
                }
            };
            continue;
        }
        if is(UNSUPPORTED) {
            return Err(format!(
                "The common parameter '-{name}' has no meaning outside PowerShell and is not supported."
            ));
        }
        let param = meta.find_param(&name).ok().flatten();
        let identity = param.is_some_and(|p| p.ty == ParamType::Identity);
        if identity && inline == Some("-") {
            out.stdin_input = true;
            continue;
        }
        if identity && inline.is_none() && args.get(i).is_some_and(|n| n == "-") {
            (out.stdin_input, i) = (true, i + 1);
            continue;
        }
        out.args.push(tok.clone());
        // Unknown and ambiguous names are left to the binder to word.
        let takes_value = param.is_some_and(|p| colon || p.ty != ParamType::Switch);
        if takes_value && inline.is_none() {
            out.args.extend(value_of(&mut i));
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
