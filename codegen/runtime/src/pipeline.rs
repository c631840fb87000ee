//! The request pipeline: caller steps, then the built-in handlers.
//!
//! A call runs `-HttpPipelinePrepend` steps (in order), then
//! `-HttpPipelineAppend` steps, then the built-ins: auth (Bearer token; on a
//! 401 the provider is asked once more and the request is re-sent once, only
//! with a different token), `client-request-id`, the SDK version
//! header, the retry handler (429/503/504) and finally the transport. Caller
//! steps therefore see the request before auth and the final response after
//! retries, as in the PowerShell modules.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, RETRY_AFTER};

use super::client::TokenProvider;
use super::error::{ApiError, Error, ResponseHeaders, Secret, TransportKind, header_name};

/// The SDK version header value, e.g. `mgbeta-rust/0.1.0`. `CARGO_PKG_VERSION`
/// is read when the crate that contains this file is built, so a generated
/// crate reports its own version.
pub const SDK_VERSION: &str = concat!("mgbeta-rust/", env!("CARGO_PKG_VERSION"));

/// Name of the SDK version header (the one Graph PowerShell sends).
pub const SDK_VERSION_HEADER: &str = "SdkVersion";

/// Name of the per-request correlation header.
pub const CLIENT_REQUEST_ID_HEADER: &str = "client-request-id";

/// Name of the header carrying the retry number on re-sent requests.
pub const RETRY_ATTEMPT_HEADER: &str = "Retry-Attempt";

/// What a step (and the rest of the pipeline) eventually yields.
pub type StepFuture = Pin<Box<dyn Future<Output = Result<reqwest::Response, Error>> + Send>>;

/// A caller step: gets the request and the rest of the pipeline, returns the
/// response. It may change the request, call `next.run` (possibly more than
/// once, as [`Next`] is `Clone`), inspect or replace the response, or answer
/// without calling `next` at all.
pub type Step = Arc<dyn Fn(reqwest::Request, Next) -> StepFuture + Send + Sync>;

/// The end of a chain: what runs after the last step.
type Terminal = Arc<dyn Fn(reqwest::Request) -> StepFuture + Send + Sync>;

/// Wraps an async closure as a [`Step`].
pub fn step<F, Fut>(f: F) -> Step
where
    F: Fn(reqwest::Request, Next) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<reqwest::Response, Error>> + Send + 'static,
{
    Arc::new(move |request, next| Box::pin(f(request, next)))
}

/// The remainder of the pipeline as seen from one step.
#[derive(Clone)]
pub struct Next {
    steps: Arc<[Step]>,
    position: usize,
    terminal: Terminal,
}

impl Next {
    /// A chain of `steps` ending in `terminal`. The client builds this for
    /// every call; it is public so steps can be tested on their own.
    pub fn new<T>(steps: Vec<Step>, terminal: T) -> Next
    where
        T: Fn(reqwest::Request) -> StepFuture + Send + Sync + 'static,
    {
        Next {
            steps: steps.into(),
            position: 0,
            terminal: Arc::new(terminal),
        }
    }

    /// Continues with the remaining steps, then the end of the chain.
    pub fn run(self, request: reqwest::Request) -> StepFuture {
        match self.steps.get(self.position).cloned() {
            Some(current) => {
                let rest = Next {
                    position: self.position + 1,
                    ..self
                };
                current(request, rest)
            }
            None => (self.terminal)(request),
        }
    }

    /// How many caller steps are still ahead.
    pub fn remaining(&self) -> usize {
        self.steps.len().saturating_sub(self.position)
    }
}

impl std::fmt::Debug for Next {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Next")
            .field("remaining_steps", &self.remaining())
            .finish()
    }
}

/// Where `-Debug` writes the HTTP log: called with one formatted block for
/// the request (once, after the last pipeline step, as sent, with the
/// built-in headers) and one for the final response.
pub type HttpLog = Arc<dyn Fn(String) + Send + Sync>;

/// Headers whose values are credentials: their values are never logged.
const SECRET_HEADERS: [&str; 4] = ["authorization", "proxy-authorization", "cookie", "set-cookie"];

/// What stands in for a redacted value.
pub const REDACTED: &str = "<redacted>";

/// Body properties whose values are secrets, compared without case, `_` or
/// `-`: anything ending in `password`, `secret`, `secrettext` or `token`
/// (`secretText`, `clientSecret`, `newPassword`, `access_token`...), and a
/// few exact names (among them an upload session's `uploadUrl`).
fn secret_property(name: &str) -> bool {
    let folded: String = name
        .chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    ["password", "secret", "secrettext", "token"]
        .iter()
        .any(|end| folded.ends_with(end))
        // An upload session's URL is pre-authorised: holding it is enough to write the file.
        || ["key", "privatekey", "assertion", "clientassertion", "credential", "uploadurl"].contains(&folded.as_str())
}

/// Replaces the value of every secret-bearing property, at any depth.
fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (name, item) in map.iter_mut() {
                if secret_property(name) && !item.is_null() {
                    *item = serde_json::Value::String(REDACTED.to_owned());
                } else {
                    redact_json(item);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

/// Largest non-JSON body text the log shows.
const MAX_LOGGED_TEXT: usize = 10 * 1024;

/// A body as the SDK's log formatter shows it: JSON indented (secrets
/// redacted), other text as it is (cut after 10 KiB),
/// binary content by its size.
pub fn log_body(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    if let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(body) {
        redact_json(&mut json);
        return serde_json::to_string_pretty(&json).unwrap_or_default();
    }
    let Ok(text) = std::str::from_utf8(body) else {
        return format!("({} bytes of binary content)", body.len());
    };
    if text.len() <= MAX_LOGGED_TEXT {
        return text.to_owned();
    }
    let mut end = MAX_LOGGED_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\nDATA TRUNCATED DUE TO SIZE", &text[..end])
}

/// Header lines as the SDK's log formatter writes them: name padded to 30
/// columns, values of one name joined by `,`, credentials redacted.
pub fn log_headers<'a>(headers: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> String {
    let mut lines: Vec<(String, String)> = Vec::new();
    for (name, value) in headers {
        let shown = header_name(name).into_owned();
        let value = if SECRET_HEADERS.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            REDACTED.to_owned()
        } else {
            String::from_utf8_lossy(value).into_owned()
        };
        match lines.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(&shown)) {
            Some((_, values)) => {
                values.push(',');
                values.push_str(&value);
            }
            None => lines.push((shown, value)),
        }
    }
    lines.iter().map(|(n, v)| format!("{n:<30}: {v}\n")).collect()
}

/// The request block of the `-Debug` log.
pub fn log_request(request: &reqwest::Request) -> String {
    let headers = log_headers(request.headers().iter().map(|(n, v)| (n.as_str(), v.as_bytes())));
    let body = request.body().and_then(reqwest::Body::as_bytes).map(log_body).unwrap_or_default();
    format!(
        "============================ HTTP REQUEST ============================\n\nHTTP Method:\n{}\n\nAbsolute Uri:\n{}\n\nHeaders:\n{headers}\nBody:\n{body}\n",
        request.method(),
        request.url()
    )
}

/// The response block of the `-Debug` log; the status is written as .NET
/// names it (`NotFound`), as the SDK's formatter does.
pub fn log_response(status: u16, headers: &ResponseHeaders, body: &[u8]) -> String {
    let headers = log_headers(headers.iter().map(|(n, v)| (n, v.as_bytes())));
    format!(
        "============================ HTTP RESPONSE ============================\n\nStatus Code:\n{}\n\nHeaders:\n{headers}\nBody:\n{}\n",
        super::error::status_name(status),
        log_body(body)
    )
}

/// Response extension recording how often the built-ins re-sent the request.
/// It is only attached when the request was re-sent at least once (attaching
/// it costs allocations on every call), so read it as
/// `response.extensions().get::<RetryCount>().map_or(0, |r| r.0)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryCount(pub u32);

/// Everything the built-in handlers need for one call.
pub(crate) struct Builtins {
    pub(crate) http: reqwest::Client,
    pub(crate) token: Arc<dyn TokenProvider>,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_error_body: usize,
    /// Kept as a `Method` (cloning a standard one does not allocate).
    pub(crate) method: reqwest::Method,
    pub(crate) path_template: &'static str,
    /// Credentials of the proxy in use, scrubbed from transport messages.
    pub(crate) scrub: Vec<Secret>,
    /// `-Debug`: where the request is logged, once, as sent.
    pub(crate) log: Option<HttpLog>,
}

/// Sets a header, replacing every value a caller or step put there: the
/// built-in values are not negotiable. Callers pass names built in a
/// `const` block from lowercase literals (`HeaderName::from_static` requires
/// lowercase; HTTP names are case-insensitive), so they are checked at
/// compile time rather than on every request.
fn force_header(request: &mut reqwest::Request, name: HeaderName, value: HeaderValue) {
    request.headers_mut().insert(name, value);
}

fn set_bearer(request: &mut reqwest::Request, token: &Secret) -> Result<(), Error> {
    let mut value = HeaderValue::from_str(&format!("Bearer {}", token.expose())).map_err(|_| {
        // The token itself is not quoted: this message may be logged.
        Error::InvalidArgument(
            "The access token contains characters that are not allowed in an HTTP header.".into(),
        )
    })?;
    // Keeps the value out of hyper's debug output and HTTP/2 header tables.
    value.set_sensitive(true);
    request.headers_mut().insert(AUTHORIZATION, value);
    Ok(())
}

/// Runs the built-in handlers and the transport.
pub(crate) async fn run_builtins(
    b: &Builtins,
    mut request: reqwest::Request,
) -> Result<reqwest::Response, Error> {
    // One id per logical request, kept across retries so the service's logs
    // tie the attempts together.
    let request_id = uuid::Uuid::new_v4().to_string();
    if let Ok(value) = HeaderValue::from_str(&request_id) {
        force_header(
            &mut request,
            const { HeaderName::from_static("client-request-id") },
            value,
        );
    }
    force_header(
        &mut request,
        const { HeaderName::from_static("sdkversion") },
        HeaderValue::from_static(SDK_VERSION),
    );

    // Sign-in requests made for this token go out with this call's client
    // (its proxy, trusted roots and timeouts).
    let mut token = super::auth::with_call_http(&b.http, b.token.token())
        .await?
        .filter(|t| !t.is_empty())
        .ok_or(Error::MissingToken)?;
    set_bearer(&mut request, &token)?;
    if let Some(log) = &b.log {
        log(log_request(&request));
    }

    let max_retries = b.retry.effective_max_retries();
    let mut retries = 0u32;
    let mut throttled = 0u32;
    let mut renewed = false;
    let mut resent_stale = false;
    let idempotent = request.method().is_idempotent();
    loop {
        // A body that cannot be cloned (a stream from a step) cannot be
        // re-sent; such a request simply gets no retries.
        let spare = request.try_clone();
        let mut response = match b.http.execute(request).await {
            Ok(response) => response,
            Err(error) => match spare {
                Some(again) if !resent_stale && idempotent && is_stale_connection(&error) => {
                    // Typically a pooled keep-alive connection that the peer
                    // closed just as we reused it. RFC 9110 (9.2.2) lets a
                    // client repeat an idempotent request automatically in
                    // that case; POST and PATCH are not repeated, since the
                    // service might have acted on them.
                    resent_stale = true;
                    retries += 1;
                    tracing::debug!("connection closed by the peer; re-sending on a new one");
                    request = again;
                    continue;
                }
                _ => return Err(transport_error(error, &b.scrub)),
            },
        };
        let status = response.status().as_u16();

        if status == 401 && !renewed {
            if let Some(mut again) = spare {
                renewed = true;
                // The token just used is never sent again: only a different
                // one is worth a retry. Credentials cache their tokens, so
                // asking again often yields the same one; then the 401 stands.
                let fresh = super::auth::with_call_http(&b.http, b.token.renew_rejected(&token))
                    .await?
                    .filter(|t| !t.is_empty() && *t != token);
                if let Some(fresh) = fresh {
                    drop(response);
                    set_bearer(&mut again, &fresh)?;
                    retries += 1;
                    tracing::debug!(status, "token rejected; retrying once with a renewed token");
                    token = fresh;
                    request = again;
                    continue;
                }
                tracing::debug!(
                    status,
                    "token rejected and no other token available; not retrying"
                );
            }
        } else if RetryPolicy::is_retryable_status(status) && max_retries > 0
            && let Some(mut again) = spare {
                if throttled >= max_retries {
                    let headers = ResponseHeaders::from_header_map(response.headers());
                    // The last body explains the throttling; if it cannot be
                    // read the error is still reported, just without it.
                    let body = read_capped(&mut response, b.max_error_body, &b.scrub)
                        .await
                        .map(|(body, _)| body)
                        .unwrap_or_default();
                    if let Some(log) = &b.log {
                        log(log_response(status, &headers, &body));
                    }
                    let last = ApiError::from_response(
                        status,
                        &headers,
                        &body,
                        b.method.as_str(),
                        b.path_template,
                        retries,
                    );
                    return Err(Error::TooManyRetries {
                        retries: throttled,
                        last: Box::new(last),
                    });
                }
                throttled += 1;
                retries += 1;
                let retry_after = response
                    .headers()
                    .get(RETRY_AFTER)
                    .and_then(|v| v.to_str().ok());
                let wait = b.retry.delay_for(throttled, retry_after, SystemTime::now());
                drop(response);
                tracing::debug!(
                    status,
                    retry = throttled,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                force_header(
                    &mut again,
                    const { HeaderName::from_static("retry-attempt") },
                    HeaderValue::from(throttled),
                );
                request = again;
                continue;
            }
        if retries > 0 {
            response.extensions_mut().insert(RetryCount(retries));
        }
        return Ok(response);
    }
}

/// True for hyper's "connection closed before message completed": the
/// connection died before any response byte arrived, which on a reused
/// keep-alive connection means the peer closed it while idle. hyper's error
/// type is not nameable without depending on hyper, hence the text match;
/// if the wording ever changes we merely lose this one transparent retry.
fn is_stale_connection(error: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if cause
            .to_string()
            .contains("connection closed before message completed")
        {
            return true;
        }
        source = cause.source();
    }
    false
}

/// Reads a body, stopping after `limit` bytes. Returns the bytes and whether
/// more were available, so a hostile or broken server cannot make us
/// buffer without bound.
pub(crate) async fn read_capped(
    response: &mut reqwest::Response,
    limit: usize,
    scrub: &[Secret],
) -> Result<(Vec<u8>, bool), Error> {
    let announced = response
        .content_length()
        .and_then(|n| usize::try_from(n).ok());
    let mut body = Vec::with_capacity(announced.unwrap_or(0).min(limit).min(1 << 20));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(e, scrub))?
    {
        let room = limit - body.len();
        if chunk.len() > room {
            body.extend_from_slice(&chunk[..room]);
            return Ok((body, true));
        }
        body.extend_from_slice(&chunk);
    }
    Ok((body, false))
}

/// Lowercase fragments of rustls error messages (handshake failures,
/// certificate problems, a peer that does not speak TLS).
const TLS_MARKERS: [&str; 7] = [
    "certificate",
    "tls",
    "handshake",
    "corrupt message",
    "peer is incompatible",
    "peer misbehaved",
    "fatal alert",
];

/// Maps a `reqwest` failure to [`Error::Transport`], with the message built
/// from the whole cause chain (the top-level text alone is often just
/// "error sending request") and with the URL and proxy credentials removed.
pub(crate) fn transport_error(error: reqwest::Error, scrub: &[Secret]) -> Error {
    let mut parts: Vec<String> = Vec::new();
    let mut chain: Vec<String> = Vec::new();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    let chain_text = chain.join(": ").to_ascii_lowercase();
    let kind = if error.is_timeout() || chain_text.contains("timed out") {
        TransportKind::Timeout
    } else if TLS_MARKERS.iter().any(|m| chain_text.contains(m)) {
        // reqwest has no TLS classification and rustls types cannot be named
        // without depending on rustls, so its errors are recognised by the
        // wording of their messages.
        TransportKind::Tls
    } else if error.is_connect() {
        TransportKind::Connect
    } else if error.is_body() || error.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    };
    parts.push(error.without_url().to_string());
    for cause in chain {
        if parts.last() != Some(&cause) {
            parts.push(cause);
        }
    }
    let mut message = parts.join(": ");
    for secret in scrub.iter().filter(|s| !s.is_empty()) {
        message = message.replace(secret.expose(), "***");
        let encoded = percent_encoding::utf8_percent_encode(
            secret.expose(),
            percent_encoding::NON_ALPHANUMERIC,
        );
        message = message.replace(&encoded.to_string(), "***");
    }
    Error::Transport { kind, message }
}

// ---------------------------------------------------------------------------
// Retry policy
// ---------------------------------------------------------------------------

/// Retries for throttling and unavailability (429, 503, 504 only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 3; values above 10 act as 10).
    pub max_retries: u32,
    /// Base delay when the response has no usable `Retry-After` (default 3 s);
    /// retry n waits 2^n x delay.
    pub delay: Duration,
    /// Cap for any single wait, including `Retry-After` (default 180 s).
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            delay: Duration::from_secs(3),
            max_wait: Duration::from_secs(180),
        }
    }
}

impl RetryPolicy {
    /// Upper bound for [`RetryPolicy::max_retries`].
    pub const MAX_RETRIES_LIMIT: u32 = 10;

    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// `max_retries` clamped to [`Self::MAX_RETRIES_LIMIT`].
    pub fn effective_max_retries(&self) -> u32 {
        self.max_retries.min(Self::MAX_RETRIES_LIMIT)
    }

    /// Whether a status is retried: 429, 503 and 504.
    pub fn is_retryable_status(status: u16) -> bool {
        matches!(status, 429 | 503 | 504)
    }

    /// The wait before retry number `retry` (1-based): `Retry-After` when it
    /// parses (seconds or HTTP date, relative to `now`), else 2^retry x delay;
    /// never more than `max_wait`.
    pub fn delay_for(&self, retry: u32, retry_after: Option<&str>, now: SystemTime) -> Duration {
        let wanted = retry_after
            .and_then(|v| parse_retry_after(v, now))
            .unwrap_or_else(|| {
                2u32.checked_pow(retry)
                    .and_then(|factor| self.delay.checked_mul(factor))
                    .unwrap_or(Duration::MAX)
            });
        wanted.min(self.max_wait)
    }
}

// ---------------------------------------------------------------------------
// Retry-After
// ---------------------------------------------------------------------------

/// Parses a `Retry-After` value: delta seconds or an HTTP date. A date in
/// the past means "now". `None` for anything else, so the caller falls back
/// to exponential backoff.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate instead of failing.
        return Some(Duration::from_secs(
            value.parse::<u64>().unwrap_or(u64::MAX),
        ));
    }
    let when = parse_http_date(value)?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// Parses the three HTTP date formats of RFC 9110: IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`), RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`)
/// and asctime (`Sun Nov  6 08:49:37 1994`). Written here because the
/// runtime may not add dependencies.
pub fn parse_http_date(value: &str) -> Option<SystemTime> {
    let tokens: Vec<&str> = value
        .split([' ', ',', '-'])
        .filter(|t| !t.is_empty())
        .collect();
    let month_at = tokens
        .iter()
        .position(|t| MONTHS.iter().any(|m| t.eq_ignore_ascii_case(m)))?;
    let month = MONTHS
        .iter()
        .position(|m| tokens[month_at].eq_ignore_ascii_case(m))? as u32
        + 1;
    let time_at = tokens.iter().position(|t| t.contains(':'))?;
    let numbers: Vec<(usize, &str)> = tokens
        .iter()
        .enumerate()
        .filter(|(i, t)| *i != time_at && t.bytes().all(|b| b.is_ascii_digit()))
        .map(|(i, t)| (i, *t))
        .collect();
    // In all three formats the day comes before the year.
    let [(_, day), (_, year)] = numbers.as_slice() else {
        return None;
    };
    let day: u32 = day.parse().ok()?;
    let mut year: i64 = year.parse().ok()?;
    if year < 100 {
        // RFC 850 two-digit years: pick the century that is not more than
        // 50 years in the future (RFC 9110, section 5.6.7).
        year += if year < 70 { 2000 } else { 1900 };
    }
    let mut hms = tokens[time_at].split(':').map(|p| p.parse::<u32>().ok());
    let (hour, minute, second) = (hms.next()??, hms.next()??, hms.next()??);
    if hms.next().is_some()
        || !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        || year < 1970
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let secs = days.checked_mul(86_400)? + i64::from(hour * 3600 + minute * 60 + second);
    Some(UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).ok()?))
}

/// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
/// well-known civil-from-days inverse).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}
