//! The HTTP client the generated operations call.
//!
//! A generated operation builds an [`ApiRequest`] (method, encoded path,
//! query, declared headers, JSON body) and hands it to [`Client::send`]
//! together with the cmdlet's common parameters ([`RequestOptions`]). The
//! client runs the pipeline (`super::pipeline`) and turns any non-2xx status
//! into a typed [`Error::Api`].

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use reqwest::header::{CONTENT_TYPE, HeaderName, HeaderValue};
use tracing::Instrument;

use super::error::{ApiError, Error, ResponseHeaders, Secret, TransportKind};
use super::path::query_string;
pub use super::request::ApiRequest;
use super::request::ApiVersion;
/// Re-exported so callers find it beside the other client settings.
pub use super::pipeline::RetryPolicy;
use super::pipeline::{self, Builtins, HttpLog, Next, RetryCount, Step};

/// Default service root: Microsoft Graph in the global cloud. Each
/// operation adds its version path (`/beta`, `/v1.0`).
pub const DEFAULT_SERVICE_ROOT: &str = "https://graph.microsoft.com";

/// Default `User-Agent`.
pub const DEFAULT_USER_AGENT: &str = pipeline::SDK_VERSION;

/// Default limit for a successful response body (64 MiB).
pub const DEFAULT_MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// Limit for an error body (1 MiB): enough for any real error document, and
/// small enough that a misbehaving endpoint cannot fill memory.
pub const MAX_ERROR_BODY_BYTES: usize = 1024 * 1024;

/// How many per-call proxy clients are kept for reuse.
const PROXY_CACHE_SIZE: usize = 8;

// ---------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------

/// What [`TokenProvider`] methods return.
pub type TokenFuture<'a> = Pin<Box<dyn Future<Output = Result<Option<Secret>, Error>> + Send + 'a>>;

/// Supplies the Bearer token for each request. `Ok(None)` means "no token":
/// the call then fails with [`Error::MissingToken`] and nothing is sent.
pub trait TokenProvider: Send + Sync + 'static {
    /// The token for the next request.
    fn token(&self) -> TokenFuture<'_>;

    /// Called once when the service answered 401 to the previous token; a
    /// caching provider should fetch a new one. Defaults to [`Self::token`].
    fn renew(&self) -> TokenFuture<'_> {
        self.token()
    }

    /// Called once when the service answered 401 to `rejected`. The request
    /// is re-sent only if this returns a different token; the same token
    /// again means the call fails with the 401. Defaults to [`Self::renew`];
    /// a caching provider can answer with a token another request already
    /// renewed instead of fetching once more.
    fn renew_rejected<'a>(&'a self, rejected: &'a Secret) -> TokenFuture<'a> {
        let _ = rejected;
        self.renew()
    }
}

impl<T: TokenProvider + ?Sized> TokenProvider for Arc<T> {
    fn token(&self) -> TokenFuture<'_> {
        (**self).token()
    }
    fn renew(&self) -> TokenFuture<'_> {
        (**self).renew()
    }
    fn renew_rejected<'a>(&'a self, rejected: &'a Secret) -> TokenFuture<'a> {
        (**self).renew_rejected(rejected)
    }
}

/// A fixed token.
#[derive(Debug, Clone)]
pub struct StaticToken(pub Secret);

impl TokenProvider for StaticToken {
    fn token(&self) -> TokenFuture<'_> {
        let token = self.0.clone();
        Box::pin(async move { Ok(Some(token)) })
    }
}

/// Reads the token from an environment variable at every call, so a
/// refreshed value is picked up without rebuilding the client.
#[derive(Debug, Clone)]
pub struct EnvToken {
    /// Variable name, e.g. `MG_ACCESS_TOKEN`.
    pub var: String,
}

impl EnvToken {
    /// Reads `var`.
    pub fn new(var: impl Into<String>) -> Self {
        EnvToken { var: var.into() }
    }
}

impl Default for EnvToken {
    /// Reads `MG_ACCESS_TOKEN`.
    fn default() -> Self {
        EnvToken::new("MG_ACCESS_TOKEN")
    }
}

impl TokenProvider for EnvToken {
    fn token(&self) -> TokenFuture<'_> {
        let result = match std::env::var(&self.var) {
            Ok(value) if !value.trim().is_empty() => Ok(Some(Secret::new(value.trim()))),
            Ok(_) | Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => Err(Error::InvalidArgument(format!(
                "The environment variable {} is not valid Unicode.",
                self.var
            ))),
        };
        Box::pin(async move { result })
    }
}

/// Never has a token (every call fails with [`Error::MissingToken`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct NoToken;

impl TokenProvider for NoToken {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async { Ok(None) })
    }
}

/// A provider backed by an async closure; build with [`token_fn`].
pub struct FnToken<F>(F);

impl<F> std::fmt::Debug for FnToken<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FnToken")
    }
}

/// A provider that calls `f` for every token (and on renewal).
pub fn token_fn<F, Fut>(f: F) -> FnToken<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Secret>, Error>> + Send + 'static,
{
    FnToken(f)
}

impl<F, Fut> TokenProvider for FnToken<F>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Option<Secret>, Error>> + Send + 'static,
{
    fn token(&self) -> TokenFuture<'_> {
        Box::pin((self.0)())
    }
}

// ---------------------------------------------------------------------------
// Proxy
// ---------------------------------------------------------------------------

/// A forward proxy (`-Proxy`, `-ProxyCredential`, `-ProxyUseDefaultCredentials`).
#[derive(Clone, Default, PartialEq)]
pub struct ProxyConfig {
    /// Proxy URI, `http://host:port` (or `https://`). Userinfo in it is
    /// used as the credential when `credential` is not set.
    pub uri: String,
    /// Basic credentials for the proxy.
    pub credential: Option<(String, Secret)>,
    /// Take the credentials from the userinfo of the standard proxy variables
    /// (`HTTPS_PROXY`, `HTTP_PROXY`, `ALL_PROXY`, either case) when no other
    /// credential is given.
    pub use_default_credentials: bool,
}

impl ProxyConfig {
    /// A proxy without credentials.
    pub fn new(uri: impl Into<String>) -> Self {
        ProxyConfig {
            uri: uri.into(),
            ..Self::default()
        }
    }

    /// Adds Basic credentials.
    pub fn with_credential(mut self, user: impl Into<String>, password: impl Into<Secret>) -> Self {
        self.credential = Some((user.into(), password.into()));
        self
    }

    /// Credentials from the standard proxy variables, looked up through
    /// `lookup` (pass `|k| std::env::var(k).ok()` for the real environment).
    pub fn default_credentials_from(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Option<(String, Secret)> {
        const VARS: [&str; 6] = [
            "HTTPS_PROXY",
            "https_proxy",
            "HTTP_PROXY",
            "http_proxy",
            "ALL_PROXY",
            "all_proxy",
        ];
        VARS.iter().filter_map(|var| lookup(var)).find_map(|value| {
            let value = value.trim();
            // Curl and friends accept `user:pw@host:port` without a scheme;
            // parsed as is, `user` would be taken for the scheme.
            let url = if value.contains("://") {
                reqwest::Url::parse(value)
            } else {
                reqwest::Url::parse(&format!("http://{value}"))
            };
            let url = url.ok()?;
            userinfo(&url)
        })
    }

    /// The URI with any password replaced by `***`, for messages.
    pub fn redacted_uri(&self) -> String {
        match reqwest::Url::parse(&self.uri) {
            Ok(mut url) if url.password().is_some() => {
                let _ = url.set_password(Some("***"));
                url.to_string()
            }
            Ok(url) => url.to_string(),
            Err(_) => "<unparsable proxy URI>".to_owned(),
        }
    }

    /// The `reqwest` proxy and the password to scrub from messages.
    fn to_reqwest(&self) -> Result<(reqwest::Proxy, Option<Secret>), Error> {
        let invalid = || {
            Error::InvalidArgument(format!(
                "The proxy URI must be an absolute http:// or https:// URI with a host: {}",
                self.redacted_uri()
            ))
        };
        let mut url = reqwest::Url::parse(self.uri.trim()).map_err(|_| invalid())?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid());
        }
        let from_uri = userinfo(&url);
        // Credentials are passed separately, never inside the URL, so they
        // cannot end up in any URL that is printed.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let credential = self.credential.clone().or(from_uri).or_else(|| {
            self.use_default_credentials
                .then(|| Self::default_credentials_from(|k| std::env::var(k).ok()))
                .flatten()
        });
        let mut proxy = reqwest::Proxy::all(url.as_str()).map_err(|_| invalid())?;
        let mut scrub = None;
        if let Some((user, password)) = credential {
            proxy = proxy.basic_auth(&user, password.expose());
            scrub = Some(password);
        }
        Ok((proxy, scrub))
    }
}

/// Percent-decoded `user:password` from a URL, when it has a user.
fn userinfo(url: &reqwest::Url) -> Option<(String, Secret)> {
    if url.username().is_empty() {
        return None;
    }
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    Some((
        decode(url.username()),
        Secret::new(decode(url.password().unwrap_or(""))),
    ))
}

impl std::fmt::Debug for ProxyConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyConfig")
            .field("uri", &self.redacted_uri())
            .field(
                "credential",
                &self.credential.as_ref().map(|(user, _)| (user, "***")),
            )
            .field("use_default_credentials", &self.use_default_credentials)
            .finish()
    }
}

// ---------------------------------------------------------------------------
// Builder and client
// ---------------------------------------------------------------------------

/// Settings shared by every `reqwest` client the [`Client`] builds.
#[derive(Debug, Clone)]
struct HttpSettings {
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: String,
    system_proxy: bool,
    /// CA certificates trusted on top of the platform's.
    extra_roots: Vec<reqwest::Certificate>,
}

impl HttpSettings {
    fn build(&self, proxy: Option<&ProxyConfig>) -> Result<(reqwest::Client, Vec<Secret>), Error> {
        let mut builder = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.timeout)
            .user_agent(self.user_agent.as_str());
        if !self.extra_roots.is_empty() {
            builder = builder.tls_certs_merge(self.extra_roots.iter().cloned());
        }
        let mut scrub = Vec::new();
        if let Some(proxy) = proxy {
            let (proxy, password) = proxy.to_reqwest()?;
            builder = builder.proxy(proxy);
            scrub.extend(password);
        } else if !self.system_proxy {
            builder = builder.no_proxy();
        }
        let client = builder.build().map_err(|e| {
            Error::InvalidArgument(format!(
                "Could not create the HTTP client: {}",
                e.without_url()
            ))
        })?;
        Ok((client, scrub))
    }
}

/// Configures a [`Client`].
pub struct ClientBuilder {
    base_url: String,
    token: Arc<dyn TokenProvider>,
    retry: RetryPolicy,
    proxy: Option<ProxyConfig>,
    max_body_bytes: usize,
    settings: HttpSettings,
    roots_pem: Vec<Vec<u8>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            base_url: DEFAULT_SERVICE_ROOT.to_owned(),
            token: Arc::new(NoToken),
            retry: RetryPolicy::default(),
            proxy: None,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            settings: HttpSettings {
                connect_timeout: Duration::from_secs(30),
                timeout: Duration::from_secs(100),
                user_agent: DEFAULT_USER_AGENT.to_owned(),
                system_proxy: true,
                extra_roots: Vec::new(),
            },
            roots_pem: Vec::new(),
        }
    }
}

impl ClientBuilder {
    /// Service root: scheme, host and an optional path prefix (default
    /// `https://graph.microsoft.com`); trailing slashes are ignored. Each
    /// operation adds its version path, so one client serves beta and v1.0.
    /// A root that ends in a version path (`http://127.0.0.1:8080/beta`) is
    /// pinned to that version: its operations go below it as they are, and
    /// an operation of another version is refused before anything is sent.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Token source (default: none, so calls fail with [`Error::MissingToken`]).
    pub fn token_provider(mut self, provider: impl TokenProvider) -> Self {
        self.token = Arc::new(provider);
        self
    }

    /// Retry policy for 429/503/504.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Time allowed to open a connection (default 30 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.settings.connect_timeout = timeout;
        self
    }

    /// Time allowed for one attempt, from connecting until the body is
    /// read (default 100 s). Retry waits are not counted.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// Sends every request through this proxy.
    pub fn proxy(mut self, proxy: ProxyConfig) -> Self {
        self.proxy = Some(proxy);
        self
    }

    /// Whether to honour the `HTTP(S)_PROXY`/`NO_PROXY` variables when no
    /// proxy is configured (default true).
    pub fn system_proxy(mut self, enabled: bool) -> Self {
        self.settings.system_proxy = enabled;
        self
    }

    /// `User-Agent` (default `mgbeta-rust/<version>`).
    pub fn user_agent(mut self, agent: impl Into<String>) -> Self {
        self.settings.user_agent = agent.into();
        self
    }

    /// Largest successful body accepted (default 64 MiB); bigger bodies fail
    /// with a `Body` transport error.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Also trusts the CA certificates of a PEM bundle (a corporate
    /// TLS-inspecting proxy's root, say), for Graph and for sign-in requests.
    pub fn root_certificates_pem(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.roots_pem.push(pem.into());
        self
    }

    /// Builds the client.
    pub fn build(mut self) -> Result<Client, Error> {
        let base_url = normalise_base_url(&self.base_url)?;
        for pem in &self.roots_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem)
                .ok()
                .filter(|certs| !certs.is_empty())
                .ok_or_else(|| {
                    Error::InvalidArgument(
                        "The CA bundle holds no readable PEM certificate.".into(),
                    )
                })?;
            self.settings.extra_roots.extend(certs);
        }
        let (http, scrub) = self.settings.build(self.proxy.as_ref())?;
        Ok(Client {
            inner: Arc::new(Inner {
                base_url,
                token: self.token,
                retry: self.retry,
                proxy: self.proxy,
                max_body_bytes: self.max_body_bytes,
                settings: self.settings,
                http,
                scrub,
                proxy_clients: Mutex::new(Vec::new()),
            }),
        })
    }
}

fn normalise_base_url(raw: &str) -> Result<String, Error> {
    let trimmed = raw.trim().trim_end_matches('/');
    let invalid = || {
        Error::InvalidArgument(format!(
            "The base URL must be an absolute http(s) URL: {trimmed}"
        ))
    };
    let url = reqwest::Url::parse(trimmed).map_err(|_| invalid())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(invalid());
    }
    Ok(trimmed.to_owned())
}

struct Inner {
    base_url: String,
    token: Arc<dyn TokenProvider>,
    retry: RetryPolicy,
    proxy: Option<ProxyConfig>,
    max_body_bytes: usize,
    settings: HttpSettings,
    http: reqwest::Client,
    scrub: Vec<Secret>,
    /// Clients for per-call proxies, most recently built last.
    proxy_clients: Mutex<Vec<(ProxyConfig, reqwest::Client, Vec<Secret>)>>,
}

/// The Graph client. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Hand-written so neither the token provider nor reqwest's own
        // Debug (which lists proxies) can print a credential.
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("retry", &self.inner.retry)
            .field("connect_timeout", &self.inner.settings.connect_timeout)
            .field("timeout", &self.inner.settings.timeout)
            .field("proxy", &self.inner.proxy)
            .field("user_agent", &self.inner.settings.user_agent)
            .field("token_provider", &"<redacted>")
            .finish()
    }
}

/// Longest URL sent; `http::Uri` refuses anything from 65,535 bytes up.
const MAX_URL_BYTES: usize = 65_000;

/// Per-call options: the cmdlet's common parameters.
#[derive(Clone, Default)]
pub struct RequestOptions {
    /// `-Headers`: added after the declared headers. `Authorization`,
    /// `client-request-id` and `SdkVersion` are always replaced by the
    /// built-in values.
    pub headers: Vec<(String, String)>,
    /// `-HttpPipelinePrepend` steps, run first.
    pub prepend: Vec<Step>,
    /// `-HttpPipelineAppend` steps, run after the prepend steps.
    pub append: Vec<Step>,
    /// `-Proxy` and friends for this call only.
    pub proxy: Option<ProxyConfig>,
    /// `-Debug`: receives the request as sent (after the last step, with
    /// the built-in headers, credentials redacted) and the final response.
    pub http_log: Option<HttpLog>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values are not printed: callers put credentials there.
        let names: Vec<&str> = self.headers.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("RequestOptions")
            .field("headers", &names)
            .field("prepend", &self.prepend.len())
            .field("append", &self.append.len())
            .field("proxy", &self.proxy)
            .field("http_log", &self.http_log.is_some())
            .finish()
    }
}

/// A successful (2xx) response.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiResponse {
    /// Status code.
    pub status: u16,
    /// All response headers.
    pub headers: ResponseHeaders,
    /// The body.
    pub body: Vec<u8>,
    /// How many times the request was re-sent.
    pub retries: u32,
    /// The service's `Warning` headers, one entry per value, as sent (for
    /// example `199 - "This API is deprecated"`). Each was also logged as a
    /// `tracing` warning event (target `mg_runtime::warning`).
    pub warnings: Vec<String>,
}

impl ApiResponse {
    /// A response with these parts; `warnings` is read from the headers.
    pub fn new(status: u16, headers: ResponseHeaders, body: Vec<u8>, retries: u32) -> ApiResponse {
        let warnings = warnings_of(&headers);
        ApiResponse { status, headers, body, retries, warnings }
    }

    /// Decodes the body as JSON.
    pub fn json<T: serde::de::DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Decode(e.to_string()))
    }
}

/// The values of the `Warning` headers (RFC 9111 section 5.5; Graph sends
/// them for deprecated or degraded APIs), each as sent, in arrival order.
pub fn warnings_of(headers: &ResponseHeaders) -> Vec<String> {
    headers
        .get_all("warning")
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Logs each service warning as a `tracing` warning event.
fn trace_warnings(warnings: &[String], method: &str, path_template: &str) {
    for warning in warnings {
        tracing::warn!(
            target: "mg_runtime::warning",
            method,
            path_template,
            warning = warning.as_str(),
            "the service sent a warning: {warning}"
        );
    }
}

/// What a request to a pre-authorised URL (an upload session's
/// `uploadUrl`) came back with, whatever its status.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) headers: ResponseHeaders,
    pub(crate) body: Vec<u8>,
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client for the default service root using `token_provider`.
    pub fn new(token_provider: impl TokenProvider) -> Result<Client, Error> {
        Client::builder().token_provider(token_provider).build()
    }

    /// The service root, without a trailing slash (it may end in a version
    /// path, see [`ClientBuilder::base_url`]).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> RetryPolicy {
        self.inner.retry
    }

    /// The token the next request would carry, fetched (or taken from the
    /// cache) the way a request does it: sign-in requests go out with this
    /// client's HTTP settings. For `Get-MgContext`.
    pub async fn token(&self) -> Result<Option<Secret>, Error> {
        super::auth::with_call_http(&self.inner.http, self.inner.token.token()).await
    }

    /// Sends `request` through the pipeline. `Ok` only for 2xx; any other
    /// status is [`Error::Api`] (or [`Error::TooManyRetries`]).
    pub async fn send(
        &self,
        request: ApiRequest,
        options: &RequestOptions,
    ) -> Result<ApiResponse, Error> {
        let (request_method, request_path) = (request.op.method.as_str(), request.op.path);
        let span = tracing::info_span!(
            "graph_request",
            method = %request.op.method.as_str(),
            version = request.op.version.name(),
            path_template = request.op.path,
            status = tracing::field::Empty,
            retries = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        // Timing is only for the span: skip the clock reads when no
        // subscriber wants it.
        let started = (!span.is_disabled()).then(Instant::now);
        let result = self
            .send_inner(request, options)
            .instrument(span.clone())
            .await;
        match &result {
            Ok(response) => trace_warnings(&response.warnings, request_method, request_path),
            Err(error) => {
                if let Some(api) = error.api() {
                    trace_warnings(&warnings_of(&api.headers), request_method, request_path);
                }
            }
        }
        let (status, retries) = match &result {
            Ok(response) => (Some(response.status), response.retries),
            Err(Error::TooManyRetries { retries, last }) => (Some(last.status), *retries),
            Err(error) => (error.status(), error.api().map_or(0, |e| e.retries)),
        };
        if let Some(status) = status {
            span.record("status", status);
        }
        span.record("retries", retries);
        if let Some(started) = started {
            span.record("duration_ms", started.elapsed().as_millis() as u64);
        }
        result
    }

    async fn send_inner(
        &self,
        request: ApiRequest,
        options: &RequestOptions,
    ) -> Result<ApiResponse, Error> {
        let inner = &self.inner;
        let (http, scrub) = self.http_for(options.proxy.as_ref())?;
        let http_request = self.build_request(&request, options)?;

        let builtins = Builtins {
            http,
            token: inner.token.clone(),
            retry: inner.retry,
            max_error_body: MAX_ERROR_BODY_BYTES.min(inner.max_body_bytes),
            method: request.op.method.to_reqwest(),
            path_template: request.op.path,
            scrub: scrub.clone(),
            log: options.http_log.clone(),
        };
        let mut response = if options.prepend.is_empty() && options.append.is_empty() {
            // No caller steps (the usual case): the built-ins run directly,
            // without the chain's shared state and boxed futures.
            pipeline::run_builtins(&builtins, http_request).await?
        } else {
            let builtins = Arc::new(builtins);
            let steps: Vec<Step> = options
                .prepend
                .iter()
                .chain(&options.append)
                .cloned()
                .collect();
            let chain = Next::new(steps, move |req| {
                let builtins = builtins.clone();
                Box::pin(async move { pipeline::run_builtins(&builtins, req).await })
            });
            chain.run(http_request).await?
        };

        let status = response.status().as_u16();
        let retries = response.extensions().get::<RetryCount>().map_or(0, |r| r.0);
        let headers = ResponseHeaders::from_header_map(response.headers());
        if (200..300).contains(&status) {
            let (body, truncated) =
                pipeline::read_capped(&mut response, inner.max_body_bytes, &scrub).await?;
            if let Some(log) = &options.http_log {
                log(pipeline::log_response(status, &headers, &body));
            }
            if truncated {
                return Err(Error::Transport {
                    kind: TransportKind::Body,
                    message: format!(
                        "the response body is larger than the limit of {} bytes",
                        inner.max_body_bytes
                    ),
                });
            }
            return Ok(ApiResponse::new(status, headers, body, retries));
        }
        let limit = MAX_ERROR_BODY_BYTES.min(inner.max_body_bytes);
        // An error body that breaks off mid-read still explains more than
        // nothing, so read failures keep what arrived.
        let body = pipeline::read_capped(&mut response, limit, &scrub)
            .await
            .map(|(b, _)| b)
            .unwrap_or_default();
        if let Some(log) = &options.http_log {
            log(pipeline::log_response(status, &headers, &body));
        }
        let method = request.op.method.as_str();
        Err(ApiError::from_response(
            status,
            &headers,
            &body,
            method,
            request.op.path,
            retries,
        )
        .into())
    }

    /// Assembles the `reqwest` request: URL, declared then caller headers,
    /// JSON body. Built-in headers are added later by the pipeline.
    fn build_request(
        &self,
        request: &ApiRequest,
        options: &RequestOptions,
    ) -> Result<reqwest::Request, Error> {
        let url = self.url_for(request)?;
        let mut http_request = reqwest::Request::new(request.op.method.to_reqwest(), url);
        for (name, value) in request.headers.iter().chain(&options.headers) {
            let header_name = HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
                Error::InvalidArgument(format!("Invalid HTTP header name: {name:?}"))
            })?;
            // The value is not quoted: -Headers often carries credentials.
            let header_value = HeaderValue::from_str(value).map_err(|_| {
                Error::InvalidArgument(format!("Invalid value for HTTP header {name:?}."))
            })?;
            http_request.headers_mut().append(header_name, header_value);
        }
        if let Some(body) = &request.body {
            let bytes = serde_json::to_vec(body)
                .map_err(|e| Error::InvalidArgument(format!("Invalid body: {e}")))?;
            if !http_request.headers().contains_key(CONTENT_TYPE) {
                http_request
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            }
            *http_request.body_mut() = Some(bytes.into());
        } else if let Some(bytes) = &request.raw_body {
            if !http_request.headers().contains_key(CONTENT_TYPE) {
                http_request
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
            }
            *http_request.body_mut() = Some(bytes.clone().into());
        }
        Ok(http_request)
    }

    /// The service root and the version path to append for `version`:
    /// empty when the root already ends in that version. Fails when the
    /// root is pinned to another Graph version.
    fn root_parts(&self, version: ApiVersion) -> Result<(&str, &'static str), Error> {
        let root = self.inner.base_url.as_str();
        if root.ends_with(version.path) {
            return Ok((root, ""));
        }
        if let Some(pinned) = ApiVersion::GRAPH.iter().find(|v| root.ends_with(v.path)) {
            return Err(Error::InvalidArgument(format!(
                "The client's service root {root} ends in {}, so it serves only {} operations; this is a {} operation. \
                 Give the client the root without a version (for example https://graph.microsoft.com) to call both. Nothing was sent.",
                pinned.path,
                pinned.name(),
                version.name()
            )));
        }
        Ok((root, version.path))
    }

    /// The root that requests of `version` go below: the service root plus
    /// the version path, or the service root alone when it already ends in
    /// that version. Fails when the root is pinned to another Graph version.
    pub fn version_root(&self, version: ApiVersion) -> Result<String, Error> {
        let (root, suffix) = self.root_parts(version)?;
        Ok(format!("{root}{suffix}"))
    }

    /// The absolute URL of a request: version root, path and query, or its
    /// next link (which must lie below the version root, so the token never
    /// goes anywhere else).
    pub fn url_for(&self, request: &ApiRequest) -> Result<reqwest::Url, Error> {
        let (root, suffix) = self.root_parts(request.op.version)?;
        let url = match &request.next_link {
            Some(next) => {
                let rest = next.strip_prefix(root).and_then(|rest| rest.strip_prefix(suffix));
                if !rest.is_some_and(|rest| rest.is_empty() || rest.starts_with(['/', '?'])) {
                    let root = format!("{root}{suffix}");
                    return Err(Error::InvalidArgument(format!(
                        "The service returned a next link outside {root}; it was not followed, so the token stays with the service."
                    )));
                }
                next.clone()
            }
            None => {
                // Sized for the usual case (no query) so the path does not regrow it.
                let mut url = String::with_capacity(root.len() + suffix.len() + 1 + request.path.len());
                url.push_str(root);
                url.push_str(suffix);
                if !request.path.starts_with('/') {
                    url.push('/');
                }
                url.push_str(&request.path);
                let query = query_string(&request.query);
                if !query.is_empty() {
                    url.push(if request.path.contains('?') { '&' } else { '?' });
                    url.push_str(&query);
                }
                url
            }
        };
        // The HTTP stack cannot carry a URI longer than this; say so plainly
        // (nothing is sent) rather than failing deep inside it.
        if url.len() > MAX_URL_BYTES {
            return Err(Error::InvalidArgument(format!(
                "The request URL for {} would be {} bytes, more than the {MAX_URL_BYTES} an HTTP request can carry; nothing was sent.",
                request.op.path,
                url.len()
            )));
        }
        reqwest::Url::parse(&url)
            .map_err(|e| Error::InvalidArgument(format!("Invalid request URL for {}: {e}", request.op.path)))
    }

    /// The `reqwest` client for a call: the shared one, or one for a
    /// per-call proxy (built once and reused).
    fn http_for(
        &self,
        proxy: Option<&ProxyConfig>,
    ) -> Result<(reqwest::Client, Vec<Secret>), Error> {
        let inner = &self.inner;
        let Some(proxy) = proxy else {
            return Ok((inner.http.clone(), inner.scrub.clone()));
        };
        // A poisoned lock only means another call panicked mid-update; the
        // cache is still a valid list, so keep using it.
        let mut cache = inner
            .proxy_clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some((_, client, scrub)) = cache.iter().find(|(config, _, _)| config == proxy) {
            return Ok((client.clone(), scrub.clone()));
        }
        let (client, scrub) = inner.settings.build(Some(proxy))?;
        if cache.len() >= PROXY_CACHE_SIZE {
            cache.remove(0);
        }
        cache.push((proxy.clone(), client.clone(), scrub.clone()));
        Ok((client, scrub))
    }

    /// Sends a request to a pre-authorised URL outside Graph (an upload
    /// session's `uploadUrl`, which carries its own authorisation): through
    /// this client's HTTP settings and proxy, but with no token, no caller
    /// steps and no retries (the caller resumes by the session's rules). The
    /// URL is never put in an error message, as it is itself a credential.
    pub(crate) async fn send_preauthorized(
        &self,
        method: reqwest::Method,
        url: &reqwest::Url,
        headers: &[(HeaderName, HeaderValue)],
        body: Option<Vec<u8>>,
        proxy: Option<&ProxyConfig>,
    ) -> Result<RawResponse, Error> {
        let (http, scrub) = self.http_for(proxy)?;
        let mut request = reqwest::Request::new(method, url.clone());
        for (name, value) in headers {
            request.headers_mut().insert(name.clone(), value.clone());
        }
        if let Some(body) = body {
            *request.body_mut() = Some(body.into());
        }
        let mut response = http
            .execute(request)
            .await
            .map_err(|e| pipeline::transport_error(e, &scrub))?;
        let status = response.status().as_u16();
        let headers = ResponseHeaders::from_header_map(response.headers());
        let limit = if (200..300).contains(&status) {
            self.inner.max_body_bytes
        } else {
            MAX_ERROR_BODY_BYTES.min(self.inner.max_body_bytes)
        };
        let (body, _) = pipeline::read_capped(&mut response, limit, &scrub).await?;
        Ok(RawResponse { status, headers, body })
    }
}
