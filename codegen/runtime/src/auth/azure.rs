//! Any `azure_core` [`TokenCredential`] as the client's token source, and
//! the HTTP transport the Azure SDK credentials send their requests with.
//!
//! The README's "Signing in" section shows both in use. `azure_core` and
//! `azure_identity` are re-exported here, so a program can build any of their
//! credentials with exactly the versions the runtime was built with.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub use azure_core;
pub use azure_identity;

use azure_core::credentials::TokenCredential;
use azure_core::http::headers::{HeaderName, HeaderValue, Headers};
use azure_core::http::{
    AsyncRawResponse, Body, ClientOptions, ExponentialRetryOptions, HttpClient, Request,
    RetryOptions, Transport,
};

use super::super::error::{Error, Secret, TransportKind};
use super::super::pipeline::transport_error;
use super::{CachedToken, Cloud, FetchFuture, FetchedToken, TokenSource, call_http};

/// Largest sign-in response read (token answers are a few kilobytes).
const MAX_RESPONSE_BYTES: usize = 1024 * 1024;

// ---------------------------------------------------------------------------
// Transport
// ---------------------------------------------------------------------------

/// The transport for Azure SDK credentials: our own `reqwest` stack rather
/// than `azure_core`'s, so sign-in requests get the same proxy, trusted
/// roots and timeouts as the Graph calls.
///
/// During a Graph call the credential's requests use that call's client
/// (including a per-call `-Proxy`); outside a call they use the fallback
/// client given here.
#[derive(Clone)]
pub struct HttpTransport {
    fallback: reqwest::Client,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // reqwest's own Debug would list proxies, which may hold credentials.
        f.write_str("HttpTransport")
    }
}

impl Default for HttpTransport {
    fn default() -> Self {
        HttpTransport::new()
    }
}

impl HttpTransport {
    /// A transport whose fallback is a default `reqwest` client.
    pub fn new() -> HttpTransport {
        HttpTransport::with_client(reqwest::Client::new())
    }

    /// A transport that uses `fallback` outside Graph calls.
    pub fn with_client(fallback: reqwest::Client) -> HttpTransport {
        HttpTransport { fallback }
    }

    /// `azure_core` client options for a credential: this transport, a short
    /// retry policy, and the authority of `cloud` (or `authority_host`,
    /// which must be an absolute https URL, e.g. from `AZURE_AUTHORITY_HOST`).
    pub fn client_options(
        &self,
        cloud: Cloud,
        authority_host: Option<&str>,
    ) -> Result<ClientOptions, Error> {
        let host = authority_host
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .unwrap_or(cloud.authority_host());
        let parsed = reqwest::Url::parse(host).ok().filter(|u| u.has_host());
        if parsed.is_none_or(|u| u.scheme() != "https") {
            return Err(Error::InvalidArgument(format!(
                "The sign-in authority must be an absolute https:// URL: {host}"
            )));
        }
        let mut custom = azure_core::cloud::CustomConfiguration::default();
        custom.authority_host = host.trim_end_matches('/').to_owned();
        Ok(ClientOptions {
            transport: Some(Transport::new(Arc::new(self.clone()))),
            // A few quick retries for a flaky network, not the SDK's minute
            // of them: a command-line run should fail fast and say why.
            retry: RetryOptions::exponential(ExponentialRetryOptions {
                initial_delay: azure_core::time::Duration::milliseconds(200),
                max_retries: 2,
                max_total_elapsed: azure_core::time::Duration::seconds(10),
                max_delay: azure_core::time::Duration::seconds(2),
            }),
            cloud: Some(Arc::new(custom.into())),
            ..ClientOptions::default()
        })
    }
}

#[async_trait::async_trait]
impl HttpClient for HttpTransport {
    async fn execute_request(&self, request: &Request) -> azure_core::Result<AsyncRawResponse> {
        use azure_core::error::ErrorKind;
        let client = call_http().unwrap_or_else(|| self.fallback.clone());
        let url = reqwest::Url::parse(request.url().as_str()).map_err(|_| {
            azure_core::Error::with_message(ErrorKind::Other, "invalid sign-in URL")
        })?;
        let method = reqwest::Method::from_bytes(request.method().as_ref().as_bytes())
            .map_err(|_| azure_core::Error::with_message(ErrorKind::Other, "invalid method"))?;
        let mut outgoing = reqwest::Request::new(method, url);
        for (name, value) in request.headers().iter() {
            let name = reqwest::header::HeaderName::from_bytes(name.as_str().as_bytes());
            let value = reqwest::header::HeaderValue::from_str(value.as_str());
            if let (Ok(name), Ok(mut value)) = (name, value) {
                // Managed identity sends its secret in a header.
                value.set_sensitive(true);
                outgoing.headers_mut().append(name, value);
            }
        }
        match request.body() {
            Body::Bytes(bytes) if !bytes.is_empty() => {
                *outgoing.body_mut() = Some(bytes.to_vec().into());
            }
            Body::Bytes(_) => {}
            #[allow(unreachable_patterns)]
            _ => {
                return Err(azure_core::Error::with_message(
                    ErrorKind::Other,
                    "streamed request bodies are not supported by this transport",
                ));
            }
        }
        let to_azure = |error: reqwest::Error| {
            let (kind, message) = match transport_error(error, &[]) {
                Error::Transport { kind, message } => (kind, message),
                other => (TransportKind::Other, other.to_string()),
            };
            // TLS failures are not worth repeating; the rest may be passing.
            let azure_kind = match kind {
                TransportKind::Connect => ErrorKind::Connection,
                TransportKind::Timeout | TransportKind::Body => ErrorKind::Io,
                TransportKind::Tls | TransportKind::Other => ErrorKind::Other,
            };
            azure_core::Error::with_message(azure_kind, format!("{kind}: {message}"))
        };
        let mut response = client.execute(outgoing).await.map_err(to_azure)?;
        let status = response.status().as_u16();
        let mut headers = Headers::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                headers.insert(
                    HeaderName::from(name.as_str().to_owned()),
                    HeaderValue::from(value.to_owned()),
                );
            }
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(to_azure)? {
            if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                return Err(azure_core::Error::with_message(
                    ErrorKind::Io,
                    format!("the sign-in response is larger than {MAX_RESPONSE_BYTES} bytes"),
                ));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(AsyncRawResponse::from_bytes(status.into(), headers, body))
    }
}

// ---------------------------------------------------------------------------
// TokenCredential as a token source
// ---------------------------------------------------------------------------

/// An `azure_core` credential asked for fixed scopes.
pub struct CredentialSource {
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
    name: String,
}

impl std::fmt::Debug for CredentialSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CredentialSource")
            .field("name", &self.name)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl CredentialSource {
    /// `credential` asked for `scopes` (for Graph, `Cloud::default_scope`
    /// for app-only sign-in); `name` labels its errors.
    pub fn new(
        credential: Arc<dyn TokenCredential>,
        scopes: Vec<String>,
        name: impl Into<String>,
    ) -> CredentialSource {
        CredentialSource {
            credential,
            scopes,
            name: name.into(),
        }
    }

    /// Asks the credential once; errors are [`Error::SignIn`].
    pub async fn get(&self) -> Result<FetchedToken, Error> {
        self.get_raw()
            .await
            .map_err(|e| Error::SignIn(sign_in_error(&self.name, &e)))
    }

    /// Asks the credential once, keeping its error.
    pub(crate) async fn get_raw(&self) -> azure_core::Result<FetchedToken> {
        let scopes: Vec<&str> = self.scopes.iter().map(String::as_str).collect();
        let token = self.credential.get_token(&scopes, None).await?;
        Ok(FetchedToken {
            token: Secret::new(token.token.secret()),
            expires_on: system_time(token.expires_on.unix_timestamp()),
        })
    }
}

impl TokenSource for CredentialSource {
    fn fetch(&self) -> FetchFuture<'_> {
        Box::pin(self.get())
    }
}

/// A cached provider over `credential` asked for `scopes`.
pub fn provider(
    credential: Arc<dyn TokenCredential>,
    scopes: Vec<String>,
) -> CachedToken<CredentialSource> {
    CachedToken::new(CredentialSource::new(credential, scopes, "Sign-in"))
}

fn system_time(unix: i64) -> SystemTime {
    match u64::try_from(unix) {
        Ok(secs) => UNIX_EPOCH + Duration::from_secs(secs),
        Err(_) => UNIX_EPOCH,
    }
}

/// `label: message` for a credential error, its causes, then the SDK's
/// troubleshooting link, on one line. Credential errors never carry the
/// secret (the SDK does not put request bodies in them); callers scrub anyway.
pub fn sign_in_error(label: &str, error: &azure_core::Error) -> String {
    // The retry policy's wrapper says nothing the cause does not.
    const NOISE: &str = "non-transport error occurred which will not be retried";
    let top = error.to_string().replace(NOISE, "");
    let (mut parts, mut links) = (Vec::new(), Vec::new());
    for line in top.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.starts_with("To troubleshoot") {
            links.push(line.to_owned());
        } else {
            parts.push(line.to_owned());
        }
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let text = cause.to_string().replace(NOISE, "");
        let text = text.trim();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(text)) {
            parts.push(text.to_owned());
        }
        source = cause.source();
    }
    let mut text = String::new();
    for part in parts.iter().chain(&links) {
        let part = part.trim();
        if !text.is_empty() {
            if !text.ends_with(['.', ':', '!', '?']) {
                text.push('.');
            }
            text.push(' ');
        }
        text.push_str(part);
    }
    if label.is_empty() {
        text
    } else {
        format!("{label}: {text}")
    }
}
