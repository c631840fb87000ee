//! Errors, the Graph `ODataError` body, response headers and secrets.
//!
//! Everything here is plain data: nothing in this module talks to the
//! network. The client (`super::client`) and the built-in pipeline
//! (`super::pipeline`) build these values; the cmdlet layer prints them.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::de::Deserializer;
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How much of a non-JSON error body `Display` prints. Whole HTML error
/// pages from gateways are useless on a terminal; the head is enough to
/// recognise them, and the full text stays available in [`ErrorBody::Raw`].
pub const RAW_BODY_DISPLAY_LIMIT: usize = 4 * 1024;

/// Header names whose values are credentials. They are dropped from error
/// values because errors end up in logs and bug reports.
const SENSITIVE_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "set-cookie"];

// ---------------------------------------------------------------------------
// Secret
// ---------------------------------------------------------------------------

/// A credential (access token, proxy password) that never prints itself.
///
/// `Debug` and `Display` both write `***`; the only way to read the value is
/// the deliberately named [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    /// Wraps a credential.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The credential itself. Call only where the value must be sent.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when the credential is the empty string.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret(value.to_owned())
    }
}

// ---------------------------------------------------------------------------
// ODataError
// ---------------------------------------------------------------------------

/// The body Graph sends with a non-2xx status: `{"error": {...}}`.
///
/// Parsing is lenient on purpose. Real responses disagree with the published
/// schema (`innerError` holds strings, not objects; fields are sometimes
/// missing or null), and a client that refuses such a body hides the one
/// message that explains the failure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ODataError {
    /// The main error.
    pub error: MainError,
}

impl ODataError {
    /// Parses a body as an `ODataError`; `None` unless it is a JSON object
    /// whose `error` member is an object.
    pub fn from_slice(body: &[u8]) -> Option<ODataError> {
        let value: Value = serde_json::from_slice(body).ok()?;
        if !value.get("error").is_some_and(Value::is_object) {
            return None;
        }
        serde_json::from_value(value).ok()
    }
}

/// The `error` member of an [`ODataError`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MainError {
    /// Service error code, e.g. `Request_ResourceNotFound`.
    #[serde(default, deserialize_with = "lenient_string")]
    pub code: String,
    /// Human-readable message.
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: String,
    /// The target of the error, when the service names one.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_string"
    )]
    pub target: Option<String>,
    /// Further errors (often per-property validation failures).
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "lenient_details"
    )]
    pub details: Vec<ErrorDetails>,
    /// Diagnostics: `date`, `request-id`, `client-request-id` and more.
    #[serde(
        rename = "innerError",
        alias = "innererror",
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_inner"
    )]
    pub inner_error: Option<InnerError>,
    /// Members this type does not know, kept so nothing the service said is lost.
    #[serde(flatten)]
    pub additional: BTreeMap<String, Value>,
}

/// One entry of [`MainError::details`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetails {
    /// Error code.
    #[serde(default, deserialize_with = "lenient_string")]
    pub code: String,
    /// Message.
    #[serde(default, deserialize_with = "lenient_string")]
    pub message: String,
    /// Target, when given.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_string"
    )]
    pub target: Option<String>,
    /// Members this type does not know.
    #[serde(flatten)]
    pub additional: BTreeMap<String, Value>,
}

/// The `innerError` object, kept as free-form JSON because its shape varies
/// between services (strings in practice, objects in the published schema).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct InnerError(pub BTreeMap<String, Value>);

impl InnerError {
    /// A member, when it is a string.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// The service's timestamp (`date`).
    pub fn date(&self) -> Option<&str> {
        self.get_str("date")
    }

    /// The service's request id (`request-id`), the value support asks for.
    pub fn request_id(&self) -> Option<&str> {
        self.get_str("request-id")
    }

    /// The `client-request-id` this client sent, echoed back.
    pub fn client_request_id(&self) -> Option<&str> {
        self.get_str("client-request-id")
    }
}

/// Any JSON value as text: null becomes empty, strings stay as they are and
/// anything else is written as JSON. The old OData `{"lang","value"}` message
/// object yields its `value`.
fn value_to_text(value: Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s,
        Value::Object(map) => match map.get("value") {
            Some(Value::String(s)) => s.clone(),
            _ => Value::Object(map).to_string(),
        },
        other => other.to_string(),
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(value_to_text(Value::deserialize(d)?))
}

fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        other => Some(value_to_text(other)),
    })
}

fn lenient_details<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<ErrorDetails>, D::Error> {
    let Value::Array(items) = Value::deserialize(d)? else {
        return Ok(Vec::new());
    };
    // An entry that is not an object is skipped rather than failing the
    // whole body: the main code and message matter more than one detail.
    Ok(items
        .into_iter()
        .filter(Value::is_object)
        .filter_map(|item| serde_json::from_value(item).ok())
        .collect())
}

fn lenient_inner<'de, D: Deserializer<'de>>(d: D) -> Result<Option<InnerError>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Null => None,
        Value::Object(map) => Some(InnerError(map.into_iter().collect())),
        other => Some(InnerError(BTreeMap::from([("value".to_owned(), other)]))),
    })
}

// ---------------------------------------------------------------------------
// ResponseHeaders
// ---------------------------------------------------------------------------

/// Response headers in arrival order, looked up case-insensitively, with
/// repeated names kept (what `-ResponseHeadersVariable` stores).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseHeaders {
    entries: Vec<(String, String)>,
}

impl ResponseHeaders {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Copies a `reqwest` header map. Values that are not UTF-8 are decoded
    /// lossily: a header is never dropped for its bytes.
    pub fn from_header_map(map: &reqwest::header::HeaderMap) -> Self {
        let entries = map
            .iter()
            .map(|(name, value)| {
                (
                    name.as_str().to_owned(),
                    String::from_utf8_lossy(value.as_bytes()).into_owned(),
                )
            })
            .collect();
        ResponseHeaders { entries }
    }

    /// Appends one value.
    pub fn push(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// The first value of `name` (any case).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name` (any case), in arrival order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// All `(name, value)` pairs in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Number of `(name, value)` pairs.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when there are no headers.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// A copy without `Authorization`, `Proxy-Authorization` and `Set-Cookie`.
    pub fn without_sensitive(&self) -> Self {
        let entries = self
            .entries
            .iter()
            .filter(|(n, _)| !SENSITIVE_HEADERS.iter().any(|s| n.eq_ignore_ascii_case(s)))
            .cloned()
            .collect();
        ResponseHeaders { entries }
    }

    /// Distinct names (first spelling seen) with all their values.
    pub fn grouped(&self) -> Vec<(&str, Vec<&str>)> {
        let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
        for (name, value) in &self.entries {
            match groups
                .iter_mut()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
            {
                Some((_, values)) => values.push(value),
                None => groups.push((name, vec![value])),
            }
        }
        groups
    }
}

/// Serialised as a JSON object `name -> [values]`, one member per distinct
/// name, in arrival order.
impl Serialize for ResponseHeaders {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let groups = self.grouped();
        let mut map = serializer.serialize_map(Some(groups.len()))?;
        for (name, values) in groups {
            map.serialize_entry(name, &values)?;
        }
        map.end()
    }
}

// ---------------------------------------------------------------------------
// ApiError
// ---------------------------------------------------------------------------

/// What a non-2xx response carried.
#[derive(Debug, Clone, PartialEq)]
pub enum ErrorBody {
    /// A Graph error object.
    OData(ODataError),
    /// Any other body, kept whole (up to the client's read limit); `Display`
    /// prints at most [`RAW_BODY_DISPLAY_LIMIT`] bytes of it.
    Raw(String),
    /// No body (or only whitespace).
    Empty,
}

impl ErrorBody {
    /// Classifies a body: OData JSON, other text, or nothing.
    pub fn parse(body: &[u8]) -> ErrorBody {
        if body.iter().all(u8::is_ascii_whitespace) {
            return ErrorBody::Empty;
        }
        match ODataError::from_slice(body) {
            Some(odata) => ErrorBody::OData(odata),
            None => ErrorBody::Raw(String::from_utf8_lossy(body).into_owned()),
        }
    }

    /// The Graph error, when the body was one.
    pub fn odata(&self) -> Option<&ODataError> {
        match self {
            ErrorBody::OData(odata) => Some(odata),
            _ => None,
        }
    }
}

/// A response with a status outside 2xx.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// The parsed body.
    pub body: ErrorBody,
    /// Response headers, without credentials.
    pub headers: ResponseHeaders,
    /// How many times the request was re-sent before this response.
    pub retries: u32,
    /// HTTP method of the request.
    pub method: String,
    /// Path template of the operation (placeholders left literal).
    pub path_template: String,
}

impl ApiError {
    /// Builds an error from a response's parts; credentials are removed
    /// from the headers here so no caller can forget to.
    pub fn from_response(
        status: u16,
        headers: &ResponseHeaders,
        body: &[u8],
        method: &str,
        path_template: &str,
        retries: u32,
    ) -> ApiError {
        ApiError {
            status,
            body: ErrorBody::parse(body),
            headers: headers.without_sensitive(),
            retries,
            method: method.to_owned(),
            path_template: path_template.to_owned(),
        }
    }

    fn main_error(&self) -> Option<&MainError> {
        self.body.odata().map(|o| &o.error)
    }

    /// The service error code, when the body had a non-empty one.
    pub fn code(&self) -> Option<&str> {
        self.main_error()
            .map(|e| e.code.as_str())
            .filter(|c| !c.is_empty())
    }

    /// The service message, when the body had a non-empty one.
    pub fn message(&self) -> Option<&str> {
        self.main_error()
            .map(|e| e.message.as_str())
            .filter(|m| !m.is_empty())
    }

    /// `innerError.request-id`, else the `request-id` response header.
    pub fn request_id(&self) -> Option<&str> {
        self.main_error()
            .and_then(|e| e.inner_error.as_ref())
            .and_then(InnerError::request_id)
            .or_else(|| self.headers.get("request-id"))
    }

    /// `innerError.date`, else the `Date` response header.
    pub fn date(&self) -> Option<&str> {
        self.inner_date().or_else(|| self.headers.get("date"))
    }

    fn inner_date(&self) -> Option<&str> {
        self.main_error()
            .and_then(|e| e.inner_error.as_ref())
            .and_then(InnerError::date)
    }

    /// The status name as .NET spells it (`NotFound`), or the number.
    pub fn status_name(&self) -> Cow<'static, str> {
        status_name(self.status)
    }
}

/// The .NET `HttpStatusCode` name of a status (`404` -> `NotFound`), which is
/// what PowerShell users see; for codes .NET does not name, the PascalCased
/// IANA reason phrase, else the number itself.
pub fn status_name(status: u16) -> Cow<'static, str> {
    let known = match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        402 => "PaymentRequired",
        403 => "Forbidden",
        404 => "NotFound",
        405 => "MethodNotAllowed",
        406 => "NotAcceptable",
        407 => "ProxyAuthenticationRequired",
        408 => "RequestTimeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "LengthRequired",
        412 => "PreconditionFailed",
        413 => "RequestEntityTooLarge",
        414 => "RequestUriTooLong",
        415 => "UnsupportedMediaType",
        416 => "RequestedRangeNotSatisfiable",
        417 => "ExpectationFailed",
        421 => "MisdirectedRequest",
        422 => "UnprocessableEntity",
        423 => "Locked",
        424 => "FailedDependency",
        426 => "UpgradeRequired",
        428 => "PreconditionRequired",
        429 => "TooManyRequests",
        431 => "RequestHeaderFieldsTooLarge",
        451 => "UnavailableForLegalReasons",
        500 => "InternalServerError",
        501 => "NotImplemented",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        505 => "HttpVersionNotSupported",
        507 => "InsufficientStorage",
        508 => "LoopDetected",
        510 => "NotExtended",
        511 => "NetworkAuthenticationRequired",
        _ => "",
    };
    if !known.is_empty() {
        return Cow::Borrowed(known);
    }
    let reason = reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(reason) => Cow::Owned(
            reason
                .replace('\'', "")
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(capitalise)
                .collect(),
        ),
        None => Cow::Owned(status.to_string()),
    }
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Standard header names in their registered spelling. The HTTP stack
/// keeps names in lower case; .NET, and so the PowerShell module, shows the
/// standard ones in this spelling and every other name as it arrived, which
/// is what [`header_name`] restores.
const HEADER_SPELLING: [&str; 33] = [
    "Accept",
    "Accept-Encoding",
    "Age",
    "Allow",
    "Authorization",
    "Cache-Control",
    "Connection",
    "Content-Disposition",
    "Content-Encoding",
    "Content-Length",
    "Content-Location",
    "Content-Range",
    "Content-Type",
    "Date",
    "ETag",
    "Expires",
    "Keep-Alive",
    "Last-Modified",
    "Link",
    "Location",
    "Pragma",
    "Proxy-Authorization",
    "Retry-After",
    "Retry-Attempt",
    "SdkVersion",
    "Server",
    "Set-Cookie",
    "Strict-Transport-Security",
    "Transfer-Encoding",
    "User-Agent",
    "Vary",
    "Via",
    "WWW-Authenticate",
];

/// A header name as PowerShell users see it: standard names in their
/// registered spelling (`Content-Type`), others unchanged (`request-id`).
pub fn header_name(name: &str) -> Cow<'_, str> {
    match HEADER_SPELLING.iter().find(|s| s.eq_ignore_ascii_case(name)) {
        Some(spelled) => Cow::Borrowed(spelled),
        None => Cow::Borrowed(name),
    }
}

/// Makes server-supplied text safe to print on a terminal: control
/// characters other than newline and tab are shown escaped, so a hostile
/// body cannot move the cursor or rewrite earlier output.
fn printable(text: &str) -> Cow<'_, str> {
    if !text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The head of `text`, cut at a character boundary at most `limit` bytes in.
fn head(text: &str, limit: usize) -> &str {
    if text.len() <= limit {
        return text;
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The Graph SDK's layout: the service's message alone on the first line
/// (the code follows as `ErrorCode:`; [`ApiError::code`] has it too), a
/// blank line, `Status:`/`ErrorCode:`/`Date:` lines, a blank line, then
/// `Headers:`, one line per response header field in the order the server
/// sent them (names padded to 30 columns), credentials left out.
impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.status_name();
        let generic = |f: &mut fmt::Formatter<'_>| {
            let kind = match self.status {
                400..=499 => "a Request Error",
                500..=599 => "a Server Error",
                _ => "an unexpected status",
            };
            write!(f, "The server responded with {kind}, Status: {name}")
        };
        match &self.body {
            // A body without a message still names its code.
            ErrorBody::OData(_) => match (self.message(), self.code()) {
                (Some(message), _) => f.write_str(&printable(message))?,
                (None, Some(code)) => f.write_str(&printable(code))?,
                (None, None) => generic(f)?,
            },
            ErrorBody::Raw(raw) => {
                let shown = head(raw, RAW_BODY_DISPLAY_LIMIT);
                f.write_str(&printable(shown))?;
                if shown.len() < raw.len() {
                    write!(
                        f,
                        "\n... (body truncated: showing {} of {} bytes)",
                        shown.len(),
                        raw.len()
                    )?;
                }
            }
            ErrorBody::Empty => generic(f)?,
        }
        write!(f, "\n\nStatus: {} ({})", self.status, name)?;
        if self.body.odata().is_some() {
            write!(f, "\nErrorCode: {}", printable(self.code().unwrap_or_default()))?;
        }
        if let Some(date) = self.inner_date() {
            write!(f, "\nDate: {}", printable(date))?;
        }
        // The request id is what support asks for; when only the body
        // carries it, say it here since the headers below will not.
        if self.headers.get("request-id").is_none()
            && let Some(id) = self.request_id() {
                write!(f, "\nRequestId: {}", printable(id))?;
            }
        f.write_str("\n\nHeaders:")?;
        for (header, value) in self.headers.iter() {
            if SENSITIVE_HEADERS
                .iter()
                .any(|s| header.eq_ignore_ascii_case(s))
            {
                continue;
            }
            let header = header_name(header);
            write!(f, "\n{:<30}: {}", printable(&header), printable(value))?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------
// Error
// ---------------------------------------------------------------------------

/// What went wrong below the HTTP status: no response was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// The connection could not be made (refused, DNS, proxy tunnel).
    Connect,
    /// The configured connect or request timeout elapsed.
    Timeout,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The response body could not be read (or exceeded the size limit).
    Body,
    /// Anything else.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "Could not connect to the server",
            TransportKind::Timeout => "The request timed out",
            TransportKind::Tls => "TLS error",
            TransportKind::Body => "Could not read the response body",
            TransportKind::Other => "HTTP transport error",
        })
    }
}

/// Every failure of a runtime call.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// No usable response (connection, timeout, TLS, body).
    Transport {
        /// Category.
        kind: TransportKind,
        /// Details from the HTTP stack (never contains credentials).
        message: String,
    },
    /// The service answered with a status outside 2xx.
    Api(Box<ApiError>),
    /// 429/503/504 kept coming after every allowed retry.
    TooManyRetries {
        /// Retries performed (the policy's maximum).
        retries: u32,
        /// The last response.
        last: Box<ApiError>,
    },
    /// A path value that cannot be sent as a segment; nothing was sent.
    InvalidPathParameter {
        /// The parameter.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// `-InputObject` lacks a property the path needs; nothing was sent.
    NullIdentityProperty {
        /// PascalCase property name, e.g. `ApplicationId`.
        name: String,
    },
    /// The token provider had no token; nothing was sent.
    MissingToken,
    /// Signing in failed; the message says what was tried and why each way
    /// failed (never a secret). Nothing was sent to Graph.
    SignIn(String),
    /// A caller-supplied value is unusable (header, URL, proxy).
    InvalidArgument(String),
    /// A warning or progress record met a `Stop` preference
    /// (`-WarningAction Stop`, `-ProgressAction Stop`): PowerShell stops the
    /// command there.
    Stopped {
        /// The preference variable, e.g. `WarningPreference`.
        preference: &'static str,
        /// The record's text.
        message: String,
    },
    /// A parameter-binding failure, with PowerShell's error id.
    Binding {
        /// Error id, e.g. `NamedParameterNotFound`.
        id: &'static str,
        /// Message.
        message: String,
    },
    /// The call was cancelled before it finished.
    Cancelled,
    /// A 2xx body could not be decoded into the expected type.
    Decode(String),
}

impl Error {
    /// The API error behind this error, including the last one of
    /// [`Error::TooManyRetries`].
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            Error::TooManyRetries { last, .. } => Some(last),
            _ => None,
        }
    }

    /// The HTTP status, when a response was received.
    pub fn status(&self) -> Option<u16> {
        self.api().map(|e| e.status)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Transport { kind, message } => write!(f, "{kind}: {}", printable(message)),
            Error::Api(e) => e.fmt(f),
            Error::TooManyRetries { retries, last } => write!(
                f,
                "Too many retries performed. More than {retries} retries encountered while sending the request.\n\n{last}"
            ),
            Error::InvalidPathParameter { name, reason } => {
                write!(f, "Invalid value for path parameter '{name}': {reason}. The request was not sent.")
            }
            Error::NullIdentityProperty { name } => write!(f, "InputObject has null value for InputObject.{name}"),
            Error::MissingToken => f.write_str(
                "No access token is configured (the token provider returned none), so the request was not sent.",
            ),
            Error::SignIn(message) => f.write_str(&printable(message)),
            Error::InvalidArgument(message) => f.write_str(message),
            Error::Binding { message, .. } => f.write_str(message),
            Error::Stopped { preference, message } => write!(
                f,
                "The running command stopped because the preference variable \"{preference}\" or common parameter is set to Stop: {}",
                printable(message)
            ),
            Error::Cancelled => f.write_str("The operation was cancelled."),
            Error::Decode(message) => write!(f, "Could not decode the response: {message}"),
        }
    }
}

impl std::error::Error for Error {}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}
