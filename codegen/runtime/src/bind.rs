//! The binding algorithm behind [`bind`]: token pairing, argument
//! conversions and parameter set resolution. The metadata types and errors
//! live in [`super::binder`], which re-exports [`bind`].

use std::collections::BTreeMap;

use super::binder::{
    BOOL_HINT, BindError, BindErrorId, Bound, CmdletMeta, ParamMeta, ParamType, Value,
    err_already_bound, err_ambiguous_set, err_convert, err_empty, err_input_not_bound,
    err_missing_argument, err_not_found, err_null, err_positional, lookup,
};

// ---------------------------------------------------------------------------
// Tokens

/// Length in bytes of a leading dash (`-`, en dash, em dash, horizontal bar).
fn dash_len(s: &str) -> Option<usize> {
    let c = s.chars().next()?;
    matches!(c, '-' | '\u{2013}' | '\u{2014}' | '\u{2015}').then(|| c.len_utf8())
}

/// True if `tok` is written as a parameter: a dash followed by something that
/// does not start a number (`-5`, `-.5` are arguments), and not `--` itself.
fn looks_like_parameter(tok: &str) -> bool {
    if tok == "--" {
        return false;
    }
    let Some(d) = dash_len(tok) else { return false };
    let rest = &tok.as_bytes()[d..];
    match rest {
        [] => false,
        [c, ..] if c.is_ascii_digit() => false,
        [b'.', c, ..] if c.is_ascii_digit() => false,
        _ => true,
    }
}

/// A parameter token taken apart.
struct ParamToken<'a> {
    /// Name to look up (dashes removed for GNU style).
    lookup: String,
    /// Name as typed, for messages.
    typed: &'a str,
    /// Argument attached with `=` or `:`.
    inline: Option<&'a str>,
    /// `-Name:` with nothing after the colon: the next token is the argument.
    colon_pending: bool,
}

/// Splits a token that [`looks_like_parameter`]; `None` if its name is empty
/// (such a token is an ordinary argument).
fn parse_param_token(tok: &str) -> Option<ParamToken<'_>> {
    if let Some(rest) = tok.strip_prefix("--") {
        let (typed, inline) = match rest.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (rest, None),
        };
        let lookup: String = typed.chars().filter(|c| *c != '-').collect();
        if lookup.is_empty() {
            return None;
        }
        return Some(ParamToken {
            lookup,
            typed,
            inline,
            colon_pending: false,
        });
    }
    let rest = &tok[dash_len(tok)?..];
    let (typed, inline, colon_pending) = match rest.split_once(':') {
        Some((n, "")) => (n, None, true),
        Some((n, v)) => (n, Some(v), false),
        None => (rest, None, false),
    };
    if typed.is_empty() {
        return None;
    }
    Some(ParamToken {
        lookup: typed.to_string(),
        typed,
        inline,
        colon_pending,
    })
}

/// One command-line element after pairing parameters with their arguments.
enum Item<'a> {
    /// A known parameter; `value` is `None` only for a bare switch.
    Named {
        param: &'static ParamMeta,
        typed: &'a str,
        value: Option<&'a str>,
    },
    /// A parameter name that matches nothing.
    Unknown { typed: &'a str },
    /// A bare argument.
    Positional(&'a str),
}

/// First phase: pair parameters with arguments (PowerShell's re-parse step).
/// Reports ambiguous names and missing arguments; unknown names are kept.
fn pair_tokens<'a, S: AsRef<str>>(
    params: &[&'static ParamMeta],
    args: &'a [S],
) -> Result<Vec<Item<'a>>, BindError> {
    let mut items = Vec::new();
    let mut end_of_params = false;
    let mut i = 0;
    while i < args.len() {
        let tok = args[i].as_ref();
        i += 1;
        if end_of_params {
            items.push(Item::Positional(tok));
            continue;
        }
        if tok == "--" {
            end_of_params = true;
            continue;
        }
        let parsed = if looks_like_parameter(tok) {
            parse_param_token(tok)
        } else {
            None
        };
        let Some(pt) = parsed else {
            items.push(Item::Positional(tok));
            continue;
        };
        let Some(param) = lookup(params, &pt.lookup, pt.typed)? else {
            items.push(Item::Unknown { typed: pt.typed });
            continue;
        };
        let value = if pt.inline.is_some() {
            pt.inline
        } else if pt.colon_pending {
            // `-Name: value` takes the next token, whatever it looks like.
            let Some(next) = args.get(i) else {
                return Err(err_missing_argument(param));
            };
            i += 1;
            Some(next.as_ref())
        } else if param.ty == ParamType::Switch {
            None
        } else {
            match args.get(i).map(AsRef::as_ref) {
                None => return Err(err_missing_argument(param)),
                Some("--") => {
                    end_of_params = true;
                    let Some(next) = args.get(i + 1) else {
                        return Err(err_missing_argument(param));
                    };
                    i += 2;
                    Some(next.as_ref())
                }
                Some(next) if looks_like_parameter(next) => {
                    return Err(err_missing_argument(param));
                }
                Some(next) => {
                    i += 1;
                    Some(next)
                }
            }
        };
        items.push(Item::Named {
            param,
            typed: pt.typed,
            value,
        });
    }
    Ok(items)
}

// ---------------------------------------------------------------------------
// Conversions

fn is_null_literal(s: &str) -> bool {
    s.eq_ignore_ascii_case("$null")
}

/// PowerShell-like boolean reading: `$true`/`true`, `$false`/`false`, or a
/// whole number (non-zero is true).
fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    let t = t.strip_prefix('$').unwrap_or(t);
    if t.eq_ignore_ascii_case("true") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") {
        Some(false)
    } else {
        t.parse::<i64>().ok().map(|n| n != 0)
    }
}

/// True if `s` is an absolute URI: a scheme (`letter *(letter / digit / + - .)`),
/// a colon, something after it, and no whitespace or control characters.
fn is_absolute_uri(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut sc = scheme.bytes();
    let scheme_ok = matches!(sc.next(), Some(c) if c.is_ascii_alphabetic())
        && sc.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    scheme_ok && !rest.is_empty() && !s.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn parse_int(p: &ParamMeta, s: &str, min: i64, max: i64) -> Result<Value, BindError> {
    let t = s.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err_convert(
            p,
            s,
            "Input string was not in a correct format.",
        ));
    }
    match t.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Value::Json(n.into())),
        _ => {
            let short = if max == i64::from(i32::MAX) {
                "Int32"
            } else {
                "Int64"
            };
            Err(err_convert(
                p,
                s,
                &format!("Value was either too large or too small for an {short}."),
            ))
        }
    }
}

/// Reads a `{...}` argument as a JSON object.
fn parse_json_object(p: &ParamMeta, s: &str) -> Result<Value, BindError> {
    match serde_json::from_str::<serde_json::Value>(s) {
        Ok(v @ serde_json::Value::Object(_)) => Ok(Value::Json(v)),
        Ok(_) => Err(err_convert(p, s, "Expected a JSON object.")),
        Err(e) => Err(err_convert(p, s, &format!("Invalid JSON: {e}."))),
    }
}

/// Reads a PowerShell hashtable literal, `@{Name = 'Value'; "Other" = 2}`,
/// as PowerShell users type one: keys and values quoted (`'...'` with `''`
/// for a quote, `"..."` with `""` or a backtick before a quote) or bare
/// words; entries separated by `;` or line breaks. Values are kept as text.
fn parse_hashtable(s: &str) -> Result<serde_json::Map<String, serde_json::Value>, String> {
    let mut rest = s.trim_start().strip_prefix("@{").unwrap_or(s).chars().peekable();
    let mut map = serde_json::Map::new();
    // A quoted string, its opening quote already seen.
    fn quoted(rest: &mut std::iter::Peekable<std::str::Chars<'_>>, quote: char) -> Result<String, String> {
        let mut text = String::new();
        loop {
            match rest.next() {
                None => return Err(format!("Missing the closing {quote} of a string in the hash literal.")),
                Some('`') if quote == '"' => text.extend(rest.next()),
                Some(c) if c == quote && rest.peek() == Some(&quote) => {
                    rest.next();
                    text.push(quote);
                }
                Some(c) if c == quote => return Ok(text),
                Some(c) => text.push(c),
            }
        }
    }
    // A key or a value: quoted, or a bare word ending at one of `stops`.
    fn word(rest: &mut std::iter::Peekable<std::str::Chars<'_>>, stops: &[char]) -> Result<String, String> {
        while rest.peek().is_some_and(|c| *c == ' ' || *c == '\t') {
            rest.next();
        }
        match rest.peek() {
            Some(&q @ ('\'' | '"')) => {
                rest.next();
                quoted(rest, q)
            }
            _ => {
                let mut text = String::new();
                while let Some(c) = rest.next_if(|c| !stops.contains(c)) {
                    text.push(c);
                }
                Ok(text.trim().to_owned())
            }
        }
    }
    loop {
        while rest.next_if(|c| c.is_whitespace() || *c == ';').is_some() {}
        match rest.peek() {
            None => return Err("Missing the closing '}' of the hash literal.".to_owned()),
            Some('}') => {
                rest.next();
                break;
            }
            Some(_) => {}
        }
        let key = word(&mut rest, &['=', ';', '}', '\n', '\r'])?;
        while rest.next_if(|c| *c == ' ' || *c == '\t').is_some() {}
        if key.is_empty() || rest.next() != Some('=') {
            return Err("Missing '=' operator after key in hash literal.".to_owned());
        }
        let value = word(&mut rest, &[';', '}', '\n', '\r'])?;
        if map.keys().any(|k| k.eq_ignore_ascii_case(&key)) {
            return Err(format!("Duplicate keys '{key}' are not allowed in hash literals."));
        }
        map.insert(key, serde_json::Value::String(value));
    }
    if rest.any(|c| !c.is_whitespace()) {
        return Err("Unexpected text after the closing '}' of the hash literal.".to_owned());
    }
    Ok(map)
}

/// Converts a command-line argument (`None` for a bare switch) to a value.
/// `mandatory`: whether null and empty strings are refused.
fn convert_arg(p: &ParamMeta, arg: Option<&str>, mandatory: bool) -> Result<Value, BindError> {
    let Some(s) = arg else {
        return Ok(Value::Switch(true));
    };
    if is_null_literal(s) {
        if mandatory {
            return Err(err_null(p));
        }
        return Ok(match p.ty {
            ParamType::String => Value::String(String::new()),
            ParamType::Switch => Value::Switch(false),
            _ => Value::Json(serde_json::Value::Null),
        });
    }
    match p.ty {
        ParamType::String => {
            if mandatory && s.is_empty() {
                return Err(err_empty(p));
            }
            Ok(Value::String(s.to_string()))
        }
        ParamType::Switch => parse_bool(s)
            .map(Value::Switch)
            .ok_or_else(|| err_convert(p, s, BOOL_HINT)),
        ParamType::Boolean => parse_bool(s)
            .map(|b| Value::Json(b.into()))
            .ok_or_else(|| err_convert(p, s, BOOL_HINT)),
        ParamType::Uri => {
            if s.is_empty() {
                Err(err_convert(p, s, "Invalid URI: The URI is empty."))
            } else if is_absolute_uri(s) {
                Ok(Value::String(s.to_string()))
            } else {
                Err(err_convert(
                    p,
                    s,
                    "Invalid URI: The format of the URI could not be determined. An absolute URI such as http://host:8080 is expected.",
                ))
            }
        }
        ParamType::Int32 => parse_int(p, s, i64::from(i32::MIN), i64::from(i32::MAX)),
        ParamType::Int64 => parse_int(p, s, i64::MIN, i64::MAX),
        ParamType::Dictionary => {
            if s.trim_start().starts_with('{') {
                return parse_json_object(p, s);
            }
            if s.trim_start().starts_with("@{") {
                return parse_hashtable(s)
                    .map(|map| Value::Json(serde_json::Value::Object(map)))
                    .map_err(|why| err_convert(p, s, &why));
            }
            match s.split_once('=') {
                Some((name, _)) if !name.trim().is_empty() => Ok(Value::List(vec![s.to_string()])),
                _ => Err(err_convert(
                    p,
                    s,
                    "Expected Name=Value, a JSON object such as {\"Name\":\"Value\"}, or @{Name='Value'}.",
                )),
            }
        }
        ParamType::Identity | ParamType::Object => {
            if s.trim_start().starts_with('{') {
                parse_json_object(p, s)
            } else {
                Err(err_convert(
                    p,
                    s,
                    "Expected a JSON object or pipeline input.",
                ))
            }
        }
        ParamType::Double => {
            let t = s.trim();
            match t.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
                Some(n) if !t.is_empty() => Ok(Value::Json(serde_json::Value::Number(n))),
                _ => Err(err_convert(p, s, "Input string was not in a correct format.")),
            }
        }
        ParamType::Credential => {
            if mandatory && s.is_empty() {
                Err(err_empty(p))
            } else {
                Ok(Value::String(s.to_string()))
            }
        }
        ParamType::StringArray | ParamType::PipelineSteps => {
            let items: Vec<String> = s.split(',').map(|i| i.trim().to_string()).collect();
            if mandatory && items.iter().any(String::is_empty) {
                return Err(err_empty(p));
            }
            Ok(Value::List(items))
        }
    }
}

/// Converts a pipeline object for a parameter of type `ty`; `None` if that
/// type does not take such an object. `null` is taken by every type.
fn convert_pipeline(ty: ParamType, v: &serde_json::Value) -> Option<Value> {
    use serde_json::Value as J;
    if v.is_null() {
        return Some(Value::Json(J::Null));
    }
    match (ty, v) {
        (ParamType::String | ParamType::Credential, J::String(s)) => Some(Value::String(s.clone())),
        (ParamType::String, J::Number(n)) => Some(Value::String(n.to_string())),
        (ParamType::String, J::Bool(b)) => {
            Some(Value::String(if *b { "True" } else { "False" }.into()))
        }
        (ParamType::Switch, J::Bool(b)) => Some(Value::Switch(*b)),
        (ParamType::Boolean, J::Bool(_)) => Some(Value::Json(v.clone())),
        (ParamType::Uri, J::String(s)) if is_absolute_uri(s) => Some(Value::String(s.clone())),
        (ParamType::Dictionary | ParamType::Identity | ParamType::Object, J::Object(_)) => {
            Some(Value::Json(v.clone()))
        }
        (ParamType::Double, J::Number(_)) => Some(Value::Json(v.clone())),
        (ParamType::Int32, J::Number(n)) => n
            .as_i64()
            .filter(|n| i32::try_from(*n).is_ok())
            .map(|n| Value::Json(n.into())),
        (ParamType::Int64, J::Number(n)) => n.as_i64().map(|n| Value::Json(n.into())),
        (ParamType::StringArray | ParamType::PipelineSteps, J::String(s)) => {
            Some(Value::List(vec![s.clone()]))
        }
        (ParamType::StringArray | ParamType::PipelineSteps, J::Array(items)) => items
            .iter()
            .map(|i| match i {
                J::String(s) => Some(s.clone()),
                J::Number(n) => Some(n.to_string()),
                J::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect::<Option<Vec<String>>>()
            .map(Value::List),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Parameter sets

/// Keeps in `cands` only the sets `p` belongs to.
fn restrict(cands: &mut [bool], sets: &[&'static str], p: &ParamMeta) {
    for (i, (c, s)) in cands.iter_mut().zip(sets).enumerate() {
        *c = *c && p.sets.membership(i, s).is_some();
    }
}

/// True if `p` is mandatory in a set that is still possible with `p` bound
/// (or, when `p` fits no remaining set, in any of its sets).
fn mandatory_now(p: &ParamMeta, sets: &[&'static str], cands: &[bool]) -> bool {
    let mut member_of_candidate = false;
    for (i, (c, s)) in cands.iter().zip(sets).enumerate() {
        if let (true, Some((mandatory, _))) = (*c, p.sets.membership(i, s)) {
            if mandatory {
                return true;
            }
            member_of_candidate = true;
        }
    }
    !member_of_candidate && sets.iter().enumerate().any(|(i, s)| p.is_mandatory_in(i, s))
}

/// Binds `args` (raw tokens as a shell passes them) and an optional pipeline
/// object to the parameters of `meta`, choosing the parameter set the way
/// PowerShell does. See the module documentation for the accepted syntax.
pub fn bind<S: AsRef<str>>(
    meta: &'static CmdletMeta,
    args: &[S],
    pipeline: Option<serde_json::Value>,
) -> Result<Bound, BindError> {
    let params = meta.all_params();
    let params = params.as_slice();
    let sets = meta.effective_sets();
    let mut cands = vec![true; sets.len()];
    let mut values: BTreeMap<&'static str, Value> = BTreeMap::new();

    // Named binding, in token order.
    let items = pair_tokens(params, args)?;
    let mut first_positional = None;
    for item in &items {
        match item {
            Item::Unknown { typed } => return Err(err_not_found(typed)),
            Item::Positional(arg) => {
                first_positional.get_or_insert(*arg);
            }
            Item::Named {
                param,
                typed,
                value,
            } => {
                // As in PowerShell, every parameter binds once; several
                // values go in one argument (`a,b`, a JSON object, `@{...}`).
                if values.contains_key(param.name) {
                    return Err(err_already_bound(typed));
                }
                restrict(&mut cands, &sets, param);
                let v = convert_arg(param, *value, mandatory_now(param, &sets, &cands))?;
                values.insert(param.name, v);
            }
        }
    }
    if let Some(arg) = first_positional {
        return Err(err_positional(arg));
    }
    if !cands.iter().any(|c| *c) {
        return Err(err_ambiguous_set());
    }

    // Pipeline input by value.
    let mut pipeline_param = None;
    if let Some(input) = pipeline {
        let default_index = sets.iter().position(|s| *s == meta.default_set);
        let mut best: Option<((bool, bool, usize), &'static ParamMeta, Value)> = None;
        for (index, p) in params.iter().enumerate() {
            if values.contains_key(p.name) {
                continue;
            }
            let takes = cands
                .iter()
                .zip(&sets)
                .enumerate()
                .any(|(i, (c, s))| *c && p.is_from_pipeline_in(i, s));
            if !takes {
                continue;
            }
            let Some(v) = convert_pipeline(p.ty, &input) else {
                continue;
            };
            let in_default =
                default_index.is_some_and(|d| cands[d] && p.is_from_pipeline_in(d, sets[d]));
            let rank = (p.sets.is_all(), !in_default, index);
            if best.as_ref().is_none_or(|(r, _, _)| rank < *r) {
                best = Some((rank, p, v));
            }
        }
        let Some((_, p, v)) = best else {
            return Err(err_input_not_bound());
        };
        for (i, (c, s)) in cands.iter_mut().zip(&sets).enumerate() {
            *c = *c && p.is_from_pipeline_in(i, s);
        }
        let mandatory = mandatory_now(p, &sets, &cands);
        match &v {
            Value::Json(serde_json::Value::Null) if mandatory => return Err(err_null(p)),
            Value::String(s) if mandatory && s.is_empty() => return Err(err_empty(p)),
            _ => {}
        }
        values.insert(p.name, v);
        pipeline_param = Some(p.name);
    }

    // Choose the set.
    let candidates: Vec<(usize, &'static str)> = sets
        .iter()
        .zip(&cands)
        .enumerate()
        .filter(|(_, (_, c))| **c)
        .map(|(i, (s, _))| (i, *s))
        .collect();
    let satisfied = |(i, set): (usize, &str)| {
        params
            .iter()
            .all(|p| !p.is_mandatory_in(i, set) || values.contains_key(p.name))
    };
    let default = sets
        .iter()
        .position(|s| *s == meta.default_set)
        .map(|i| (i, meta.default_set));
    let chosen = if candidates.len() == 1 {
        candidates[0]
    } else {
        let complete: Vec<(usize, &'static str)> = candidates
            .iter()
            .copied()
            .filter(|s| satisfied(*s))
            .collect();
        match (complete.len(), default) {
            (1, _) => complete[0],
            (0, Some(d)) if candidates.contains(&d) => d,
            (n, Some(d)) if n > 1 && complete.contains(&d) => d,
            _ => return Err(err_ambiguous_set()),
        }
    };

    let missing: String = params
        .iter()
        .filter(|p| p.is_mandatory_in(chosen.0, chosen.1) && !values.contains_key(p.name))
        .map(|p| format!(" {}", p.name))
        .collect();
    if !missing.is_empty() {
        return Err(BindError::new(
            BindErrorId::MissingMandatoryParameter,
            format!(
                "Cannot process command because of one or more missing mandatory parameters:{missing}."
            ),
        ));
    }

    Ok(Bound {
        set: chosen.1,
        values,
        pipeline: pipeline_param,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes() {
        let rows: &[(&str, bool)] = &[
            ("-Name", true),
            ("--name", true),
            ("\u{2013}Name", true),
            ("-x:1", true),
            ("-", false),
            ("--", false),
            ("-5", false),
            ("-.5", false),
            ("-.x", true),
            ("", false),
            ("x", false),
            ("\u{2013}", false),
        ];
        for (tok, want) in rows {
            assert_eq!(looks_like_parameter(tok), *want, "{tok:?}");
        }
    }

    #[test]
    fn booleans() {
        let rows: &[(&str, Option<bool>)] = &[
            ("$true", Some(true)),
            ("TRUE", Some(true)),
            (" $False ", Some(false)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("-2", Some(true)),
            ("yes", None),
            ("", None),
            ("$", None),
        ];
        for (text, want) in rows {
            assert_eq!(parse_bool(text), *want, "{text:?}");
        }
    }

    #[test]
    fn absolute_uris() {
        let rows: &[(&str, bool)] = &[
            ("http://proxy:8080", true),
            ("socks5h://h", true),
            ("urn:x", true),
            ("x", false),
            ("http:", false),
            ("1http://x", false),
            ("/path", false),
            (":x", false),
            ("http://a b", false),
            ("http://a\u{0}", false),
        ];
        for (text, want) in rows {
            assert_eq!(is_absolute_uri(text), *want, "{text:?}");
        }
    }
}
