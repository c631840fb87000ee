// @generated: copied from codegen/runtime/src/path.rs by `cargo xtask codegen`. Edit it there.
// generator: codegen 0.1.0

//! Percent-encoding of path segments and query strings.
//!
//! Path values are data, never structure: each one becomes exactly one
//! segment, whatever characters it holds. The dot segments `.` and `..` are
//! refused because URL normalisation (in clients, proxies and the service)
//! removes them and the request would reach a different resource.

use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};

use super::error::Error;

/// Everything except RFC 3986 unreserved characters (`A-Z a-z 0-9 - . _ ~`).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Characters that change the meaning of a query component. OData
/// punctuation (`$ ( ) , : / ?`) is left readable, as Graph documents it;
/// `+` is encoded because many servers read it as a space, and `'` because
/// URL parsers (WHATWG) encode it in query strings of http(s) URLs anyway,
/// so encoding it here keeps what we build identical to what is sent.
const QUERY: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'\'')
    .add(b'%')
    .add(b'&')
    .add(b'+')
    .add(b'<')
    .add(b'=')
    .add(b'>')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Encodes `value` as one path segment: every byte outside the unreserved
/// set is percent-encoded (so `/ ? # %`, spaces and non-ASCII are).
///
/// `name` is the parameter the value came from; it is only used in the
/// error. Fails with [`Error::InvalidPathParameter`] for `""`, `.` and `..`.
pub fn segment(name: &'static str, value: &str) -> Result<String, Error> {
    let reason = match value {
        "" => "the value is empty",
        "." | ".." => {
            "'.' and '..' are removed by URL normalisation, so the request would reach another resource"
        }
        _ => return Ok(utf8_percent_encode(value, SEGMENT).to_string()),
    };
    Err(Error::InvalidPathParameter {
        name,
        reason: reason.to_owned(),
    })
}

/// Encodes `value` for an OData key literal inside quotes, as in
/// `/applications(appId='{appId}')`: a quote is doubled (the OData escape),
/// then everything outside the unreserved set is percent-encoded. Returns
/// the text that goes between the quotes. Fails for an empty value.
pub fn quoted_key(name: &'static str, value: &str) -> Result<String, Error> {
    if value.is_empty() {
        return Err(Error::InvalidPathParameter {
            name,
            reason: "the value is empty".to_owned(),
        });
    }
    Ok(utf8_percent_encode(&value.replace('\'', "''"), SEGMENT).to_string())
}

/// Encodes one query name or value.
pub fn query_component(value: &str) -> String {
    utf8_percent_encode(value, QUERY).to_string()
}

/// Builds `name=value&name=value` (without the leading `?`).
pub fn query_string(pairs: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in pairs {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(&query_component(name));
        out.push('=');
        out.push_str(&query_component(value));
    }
    out
}
