//! Signing in: the national clouds, a token cache that refreshes before
//! expiry and renews once after a 401, and the sign-in context that
//! `Get-MgContext` shows.
//!
//! With the Cargo feature `azure-identity`, the submodules add credentials
//! from the Azure SDK's identity crates (`azure`), a pure-Rust client
//! certificate (`certificate`) and the fixed order in which the CLI tries
//! the ways of signing in (`sign_in`).
//!
//! Everything in this file is plain Rust over the runtime's own types, so it
//! also compiles without the feature.

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

use serde::Serialize;

use super::client::{TokenFuture, TokenProvider};
use super::error::{Error, Secret};

#[cfg(feature = "azure-identity")]
pub mod azure;
#[cfg(feature = "azure-identity")]
pub mod certificate;
#[cfg(feature = "azure-identity")]
pub mod sign_in;

// ---------------------------------------------------------------------------
// National clouds
// ---------------------------------------------------------------------------

/// A Microsoft Graph national cloud, named as `Get-MgEnvironment` lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Cloud {
    /// The global service.
    #[default]
    Global,
    /// Microsoft Graph China, operated by 21Vianet.
    China,
    /// US Government L4.
    USGov,
    /// US Government L5 (DoD).
    USGovDoD,
}

impl Cloud {
    /// Every cloud, in `Get-MgEnvironment` order.
    pub const ALL: [Cloud; 4] = [Cloud::Global, Cloud::China, Cloud::USGov, Cloud::USGovDoD];

    /// The name `Connect-MgGraph -Environment` takes.
    pub fn name(self) -> &'static str {
        match self {
            Cloud::Global => "Global",
            Cloud::China => "China",
            Cloud::USGov => "USGov",
            Cloud::USGovDoD => "USGovDoD",
        }
    }

    /// The Graph service root, without a version (`https://graph.microsoft.com`).
    pub fn graph_root(self) -> &'static str {
        match self {
            Cloud::Global => "https://graph.microsoft.com",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
            Cloud::USGov => "https://graph.microsoft.us",
            Cloud::USGovDoD => "https://dod-graph.microsoft.us",
        }
    }

    /// The Microsoft Entra sign-in authority of the cloud.
    pub fn authority_host(self) -> &'static str {
        match self {
            Cloud::Global => "https://login.microsoftonline.com",
            Cloud::China => "https://login.chinacloudapi.cn",
            Cloud::USGov | Cloud::USGovDoD => "https://login.microsoftonline.us",
        }
    }

    /// The scope that asks for every permission granted to the app:
    /// `<graph root>/.default`.
    pub fn default_scope(self) -> String {
        format!("{}/.default", self.graph_root())
    }

    /// A scope as `Connect-MgGraph -Scopes` takes it (`User.Read`), made
    /// absolute for this cloud's Graph (`https://graph.microsoft.com/User.Read`).
    /// Scopes that already name a resource, and the OpenID scopes, are kept.
    pub fn qualify_scope(self, scope: &str) -> String {
        let scope = scope.trim();
        const OPENID: [&str; 4] = ["openid", "profile", "email", "offline_access"];
        if scope.contains("://") || OPENID.iter().any(|s| s.eq_ignore_ascii_case(scope)) {
            scope.to_owned()
        } else {
            format!("{}/{}", self.graph_root(), scope.trim_start_matches('/'))
        }
    }

    /// Parses a cloud name (ASCII case-insensitive); the error lists the names.
    pub fn parse(name: &str) -> Result<Cloud, Error> {
        let name = name.trim();
        Cloud::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                let names: Vec<&str> = Cloud::ALL.iter().map(|c| c.name()).collect();
                Error::InvalidArgument(format!(
                    "Unknown environment '{name}'. Use one of: {}.",
                    names.join(", ")
                ))
            })
    }
}

impl std::fmt::Display for Cloud {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Cloud {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Cloud::parse(s)
    }
}

// ---------------------------------------------------------------------------
// The HTTP client of the call in progress
// ---------------------------------------------------------------------------

tokio::task_local! {
    /// The `reqwest` client of the Graph call that is asking for a token.
    static CALL_HTTP: reqwest::Client;
}

/// Runs `f` (a token fetch) with `http` as the client that sign-in requests
/// made inside it should use: the one of the Graph call that needs the token,
/// so that call's proxy (`-Proxy`), trusted roots and timeouts apply to the
/// sign-in requests too.
pub(crate) async fn with_call_http<F: Future>(http: &reqwest::Client, f: F) -> F::Output {
    CALL_HTTP.scope(http.clone(), f).await
}

/// The client set by [`with_call_http`] for the current task, if any.
#[cfg_attr(not(feature = "azure-identity"), allow(dead_code))]
pub(crate) fn call_http() -> Option<reqwest::Client> {
    CALL_HTTP.try_with(reqwest::Client::clone).ok()
}

// ---------------------------------------------------------------------------
// The token cache
// ---------------------------------------------------------------------------

/// A token and when it stops being valid.
#[derive(Clone, PartialEq, Eq)]
pub struct FetchedToken {
    /// The access token.
    pub token: Secret,
    /// Its expiry.
    pub expires_on: SystemTime,
}

impl std::fmt::Debug for FetchedToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FetchedToken")
            .field("token", &self.token)
            .field("expires_on", &self.expires_on)
            .finish()
    }
}

/// What [`TokenSource::fetch`] returns.
pub type FetchFuture<'a> = Pin<Box<dyn Future<Output = Result<FetchedToken, Error>> + Send + 'a>>;

/// Something that can get a new token (a credential); [`CachedToken`] turns
/// it into a [`TokenProvider`].
pub trait TokenSource: Send + Sync + 'static {
    /// Gets a token (the source may answer from its own cache).
    fn fetch(&self) -> FetchFuture<'_>;
}

/// Tokens are refreshed this long before they expire (the margin the
/// Azure SDKs use), so a request never leaves with a token about to lapse.
pub const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// A [`TokenProvider`] over a [`TokenSource`]:
///
/// - the token is cached and fetched again once it is within
///   [`REFRESH_MARGIN`] of its expiry;
/// - concurrent requests that find no usable token wait for one fetch and
///   share its result;
/// - after a 401 ([`TokenProvider::renew_rejected`]) it asks the source
///   again, unless another request already replaced the rejected token. The
///   pipeline re-sends only if the answer differs from the rejected token.
pub struct CachedToken<S> {
    source: S,
    margin: Duration,
    cached: tokio::sync::Mutex<Option<FetchedToken>>,
}

impl<S> std::fmt::Debug for CachedToken<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedToken")
            .field("margin", &self.margin)
            .finish_non_exhaustive()
    }
}

impl<S: TokenSource> CachedToken<S> {
    /// Caches tokens from `source`.
    pub fn new(source: S) -> Self {
        CachedToken {
            source,
            margin: REFRESH_MARGIN,
            cached: tokio::sync::Mutex::new(None),
        }
    }

    /// Changes how long before expiry a token is refreshed.
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.margin = margin;
        self
    }

    /// The source.
    pub fn source(&self) -> &S {
        &self.source
    }

    fn usable(&self, token: &FetchedToken) -> bool {
        SystemTime::now()
            .checked_add(self.margin)
            .is_some_and(|limit| token.expires_on > limit)
    }

    /// The cached token, fetched first when there is none or it is about to
    /// expire. The lock is held during the fetch: that is what makes
    /// concurrent callers share it.
    pub async fn current(&self) -> Result<Secret, Error> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached.as_ref().filter(|t| self.usable(t)) {
            return Ok(token.token.clone());
        }
        let fresh = self.source.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }

    /// A token to replace `rejected`: the cached one if another caller has
    /// already replaced it, else whatever the source answers now (which may
    /// be `rejected` again when the source caches it).
    pub async fn replace(&self, rejected: &Secret) -> Result<Secret, Error> {
        let mut cached = self.cached.lock().await;
        if let Some(token) = cached
            .as_ref()
            .filter(|t| t.token != *rejected && self.usable(t))
        {
            return Ok(token.token.clone());
        }
        let fresh = self.source.fetch().await?;
        let token = fresh.token.clone();
        *cached = Some(fresh);
        Ok(token)
    }
}

impl<S: TokenSource> TokenProvider for CachedToken<S> {
    fn token(&self) -> TokenFuture<'_> {
        Box::pin(async move { self.current().await.map(Some) })
    }

    fn renew(&self) -> TokenFuture<'_> {
        Box::pin(async move {
            let mut cached = self.cached.lock().await;
            let fresh = self.source.fetch().await?;
            let token = fresh.token.clone();
            *cached = Some(fresh);
            Ok(Some(token))
        })
    }

    fn renew_rejected<'a>(&'a self, rejected: &'a Secret) -> TokenFuture<'a> {
        Box::pin(async move { self.replace(rejected).await.map(Some) })
    }
}

// ---------------------------------------------------------------------------
// What a token says about itself
// ---------------------------------------------------------------------------

/// The claims of a Microsoft Entra access token that describe the sign-in.
/// None of them is a secret; the token itself is, and is never kept here.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TokenClaims {
    /// `tid`.
    pub tenant_id: Option<String>,
    /// `appid` (v1 tokens) or `azp` (v2).
    pub app_id: Option<String>,
    /// `scp`, split: the delegated permissions.
    pub scopes: Vec<String>,
    /// `roles`: the application permissions.
    pub roles: Vec<String>,
    /// `upn`, `preferred_username` or `unique_name`: the signed-in user.
    pub account: Option<String>,
    /// `idtyp` (`app` or `user`), when the token carries it.
    pub identity_type: Option<String>,
    /// `aud`.
    pub audience: Option<String>,
}

impl TokenClaims {
    /// Reads the claims of a JWT access token; `None` when the token is not
    /// a readable JWT (an opaque test token, say). The signature is not
    /// checked: the claims only describe, they grant nothing here.
    pub fn decode(token: &Secret) -> Option<TokenClaims> {
        let payload = token.expose().split('.').nth(1)?;
        let bytes = base64url_decode(payload)?;
        let value: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
        let object = value.as_object()?;
        let text = |key: &str| object.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        let list = |key: &str| -> Vec<String> {
            match object.get(key) {
                Some(serde_json::Value::String(s)) => {
                    s.split_whitespace().map(str::to_owned).collect()
                }
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_owned))
                    .collect(),
                _ => Vec::new(),
            }
        };
        Some(TokenClaims {
            tenant_id: text("tid"),
            app_id: text("appid").or_else(|| text("azp")),
            scopes: list("scp"),
            roles: list("roles"),
            account: text("upn")
                .or_else(|| text("preferred_username"))
                .or_else(|| text("unique_name")),
            identity_type: text("idtyp"),
            audience: text("aud"),
        })
    }

    /// Whether the token was issued to an application rather than a user.
    pub fn is_app_only(&self) -> bool {
        match self.identity_type.as_deref() {
            Some(kind) => kind.eq_ignore_ascii_case("app"),
            None => self.scopes.is_empty() && self.account.is_none(),
        }
    }
}

/// Decodes unpadded (or padded) base64url; `None` on anything else.
fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for byte in text.trim_end_matches('=').bytes() {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------
// The context (Get-MgContext)
// ---------------------------------------------------------------------------

/// How the run is authorised, as `Get-MgContext` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AuthType {
    /// A user signed in; the app acts on their behalf.
    Delegated,
    /// The app acts as itself (client secret, certificate, managed identity).
    AppOnly,
    /// A token was handed over as is (`MG_ACCESS_TOKEN`).
    UserProvidedAccessToken,
}

/// Which credential supplies the tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CredentialKind {
    /// A token handed over as is (`MG_ACCESS_TOKEN`).
    UserProvidedAccessToken,
    /// An app registration's client secret.
    ClientSecret,
    /// An app registration's certificate.
    ClientCertificate,
    /// The managed identity of the Azure resource the program runs on.
    ManagedIdentity,
    /// The account signed in to the Azure CLI (`az login`).
    AzureCli,
    /// The account signed in to the Azure Developer CLI (`azd auth login`).
    AzureDeveloperCli,
    /// A token provider supplied by the program.
    Custom,
}

/// What a run uses to sign in; never holds a secret.
///
/// Field names follow `Get-MgContext` where it has the field.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthContext {
    /// The application (client) id.
    pub client_id: Option<String>,
    /// The directory (tenant) id.
    pub tenant_id: Option<String>,
    /// Granted permissions: the token's delegated scopes, or its application
    /// roles for app-only sign-in.
    pub scopes: Vec<String>,
    /// Delegated, app-only or a provided token.
    pub auth_type: AuthType,
    /// The credential that supplies the tokens.
    pub token_credential_type: CredentialKind,
    /// The signed-in user, for delegated sign-in.
    pub account: Option<String>,
    /// SHA-1 thumbprint of the client certificate (hex, as Windows shows it).
    pub certificate_thumbprint: Option<String>,
    /// Client id of a user-assigned managed identity.
    pub managed_identity_id: Option<String>,
    /// The national cloud (`Global`, `China`, `USGov`, `USGovDoD`).
    pub environment: String,
    /// The Graph service root requests go to.
    pub graph_endpoint: String,
    /// The sign-in authority, when the credential talks to one.
    pub authority_host: Option<String>,
    /// Where the settings came from (environment variables, tool).
    pub source: String,
}

impl AuthContext {
    /// A context for `kind` with nothing known yet but the cloud.
    pub fn new(kind: CredentialKind, cloud: Cloud, source: impl Into<String>) -> AuthContext {
        let auth_type = match kind {
            CredentialKind::UserProvidedAccessToken => AuthType::UserProvidedAccessToken,
            CredentialKind::AzureCli | CredentialKind::AzureDeveloperCli => AuthType::Delegated,
            CredentialKind::ClientSecret
            | CredentialKind::ClientCertificate
            | CredentialKind::ManagedIdentity => AuthType::AppOnly,
            // Decided by the token's claims (see `with_claims`).
            CredentialKind::Custom => AuthType::Delegated,
        };
        AuthContext {
            client_id: None,
            tenant_id: None,
            scopes: Vec::new(),
            auth_type,
            token_credential_type: kind,
            account: None,
            certificate_thumbprint: None,
            managed_identity_id: None,
            environment: cloud.name().to_owned(),
            graph_endpoint: cloud.graph_root().to_owned(),
            authority_host: None,
            source: source.into(),
        }
    }

    /// The context of a token handed over as is.
    pub fn for_access_token(
        token: &Secret,
        cloud: Cloud,
        source: impl Into<String>,
    ) -> AuthContext {
        AuthContext::new(CredentialKind::UserProvidedAccessToken, cloud, source).with_token(token)
    }

    /// Fills what the token's claims tell (tenant, app, scopes or roles,
    /// account); settings already known are kept.
    pub fn with_token(self, token: &Secret) -> AuthContext {
        match TokenClaims::decode(token) {
            Some(claims) => self.with_claims(&claims),
            None => self,
        }
    }

    /// See [`AuthContext::with_token`].
    pub fn with_claims(mut self, claims: &TokenClaims) -> AuthContext {
        if self.tenant_id.is_none() {
            self.tenant_id.clone_from(&claims.tenant_id);
        }
        if self.client_id.is_none() {
            self.client_id.clone_from(&claims.app_id);
        }
        if self.account.is_none() {
            self.account.clone_from(&claims.account);
        }
        let app_only = claims.is_app_only();
        self.scopes = if app_only {
            claims.roles.clone()
        } else {
            claims.scopes.clone()
        };
        if self.token_credential_type == CredentialKind::Custom {
            self.auth_type = if app_only {
                AuthType::AppOnly
            } else {
                AuthType::Delegated
            };
        }
        self
    }

    /// Sets the Graph service root (when it is not the cloud's own).
    pub fn graph_endpoint(mut self, endpoint: impl Into<String>) -> AuthContext {
        self.graph_endpoint = endpoint.into();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_round_trips_known_values() {
        assert_eq!(base64url_decode("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64url_decode("eyJhIjoxfQ==").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert!(base64url_decode("a.b").is_none());
    }

    #[test]
    fn claims_of_an_app_token() {
        // {"tid":"t","appid":"a","roles":["R.All"],"idtyp":"app"}
        let token = Secret::new(
            "x.eyJ0aWQiOiJ0IiwiYXBwaWQiOiJhIiwicm9sZXMiOlsiUi5BbGwiXSwiaWR0eXAiOiJhcHAifQ.y",
        );
        let claims = TokenClaims::decode(&token).unwrap();
        assert_eq!(claims.tenant_id.as_deref(), Some("t"));
        assert_eq!(claims.app_id.as_deref(), Some("a"));
        assert_eq!(claims.roles, ["R.All"]);
        assert!(claims.is_app_only());
        assert!(TokenClaims::decode(&Secret::new("opaque")).is_none());
    }

    #[test]
    fn scopes_are_qualified_for_the_cloud() {
        assert_eq!(
            Cloud::China.qualify_scope("User.Read"),
            "https://microsoftgraph.chinacloudapi.cn/User.Read"
        );
        assert_eq!(Cloud::Global.qualify_scope("openid"), "openid");
        assert_eq!(
            Cloud::Global.qualify_scope("https://graph.microsoft.us/.default"),
            "https://graph.microsoft.us/.default"
        );
        assert_eq!(Cloud::parse("usgovdod").unwrap(), Cloud::USGovDoD);
        let err = Cloud::parse("Mars").unwrap_err().to_string();
        assert!(err.contains("Global, China, USGov, USGovDoD"), "{err}");
    }
}
