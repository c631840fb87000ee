//! The ways of signing in, tried in a fixed order, with the inputs
//! `Connect-MgGraph` users know:
//!
//! 1. `MG_ACCESS_TOKEN`: a token handed over as is.
//! 2. App-only from the environment, as `Connect-MgGraph -EnvironmentVariable`
//!    reads it: `AZURE_CLIENT_ID`, `AZURE_TENANT_ID`, then `AZURE_CLIENT_SECRET`,
//!    or `AZURE_CLIENT_CERTIFICATE_PATH` (PEM or PFX) with an optional
//!    `AZURE_CLIENT_CERTIFICATE_PASSWORD`.
//! 3. Managed identity, only when asked for with `MG_IDENTITY` (like
//!    `-Identity`); `MG_IDENTITY_CLIENT_ID` picks a user-assigned identity
//!    (like `-ClientId`). Nothing probes the metadata endpoint otherwise.
//! 4. The Azure CLI (`az login`), delegated, with `MG_SCOPES`.
//! 5. The Azure Developer CLI (`azd auth login`), delegated, with `MG_SCOPES`.
//!
//! The first of 1–3 that is configured is the one used: if it fails, the run
//! fails, and later ways are not tried (an app's failing secret never turns
//! into a sign-in as the developer). When none of them is configured, the
//! developer tools are tried in turn and the first that answers is kept.
//! When nothing works, one error lists every way, in order, with the reason.
//!
//! `MG_ENVIRONMENT` (`Global`, `China`, `USGov`, `USGovDoD`) picks the
//! national cloud; `AZURE_AUTHORITY_HOST` overrides its sign-in authority.

use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use azure_identity::{
    AzureCliCredential, AzureCliCredentialOptions, AzureDeveloperCliCredential,
    AzureDeveloperCliCredentialOptions, ClientAssertionCredential,
    ClientAssertionCredentialOptions, ClientSecretCredential, ClientSecretCredentialOptions,
    Executor, ManagedIdentityCredential, ManagedIdentityCredentialOptions, UserAssignedId,
};

use super::super::client::Client;
use super::super::error::{Error, Secret};
use super::azure::{CredentialSource, HttpTransport, sign_in_error};
use super::certificate::{CertificateAssertion, ClientCertificate};
use super::{
    AuthContext, CachedToken, Cloud, CredentialKind, FetchFuture, FetchedToken, TokenClaims,
    TokenSource,
};

/// The reason given for ways after the one that is configured.
const SKIPPED: &str = "not tried: an earlier way is configured";

/// How long `az` or `azd` may take to print a token.
const TOOL_TIMEOUT: Duration = Duration::from_secs(60);

/// A managed identity (`Connect-MgGraph -Identity [-ClientId]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManagedIdentity {
    /// The resource's system-assigned identity.
    SystemAssigned,
    /// A user-assigned identity, by its client id.
    ClientId(String),
}

/// A run's sign-in settings. [`SignInSettings::from_env`] reads them from
/// the environment variables listed in the module documentation.
#[derive(Clone, Default)]
pub struct SignInSettings {
    /// The national cloud (`MG_ENVIRONMENT`).
    pub cloud: Cloud,
    /// Sign-in authority replacing the cloud's (`AZURE_AUTHORITY_HOST`).
    pub authority_host: Option<String>,
    /// A token to use as is (`MG_ACCESS_TOKEN`).
    pub access_token: Option<Secret>,
    /// `AZURE_TENANT_ID`; also the tenant asked of the developer tools.
    pub tenant_id: Option<String>,
    /// `AZURE_CLIENT_ID`.
    pub client_id: Option<String>,
    /// `AZURE_CLIENT_SECRET`.
    pub client_secret: Option<Secret>,
    /// `AZURE_CLIENT_CERTIFICATE_PATH`.
    pub certificate_path: Option<PathBuf>,
    /// `AZURE_CLIENT_CERTIFICATE_PASSWORD`.
    pub certificate_password: Option<Secret>,
    /// `AZURE_CLIENT_SEND_CERTIFICATE_CHAIN`.
    pub send_certificate_chain: bool,
    /// `MG_IDENTITY`, `MG_IDENTITY_CLIENT_ID`.
    pub managed_identity: Option<ManagedIdentity>,
    /// Delegated scopes for the developer tools (`MG_SCOPES`, comma or
    /// space separated, as `-Scopes` takes them); empty means every
    /// permission already consented (`/.default`).
    pub scopes: Vec<String>,
    /// `PATH` used to find `az` and `azd`.
    pub tool_path: Option<OsString>,
    /// Whether the App Service style endpoint (`IDENTITY_ENDPOINT`) is set,
    /// for the context only: `azure_identity` reads it from the process.
    pub identity_endpoint: bool,
}

impl std::fmt::Debug for SignInSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignInSettings")
            .field("cloud", &self.cloud)
            .field("authority_host", &self.authority_host)
            .field("access_token", &self.access_token.as_ref().map(|_| "***"))
            .field("tenant_id", &self.tenant_id)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret.as_ref().map(|_| "***"))
            .field("certificate_path", &self.certificate_path)
            .field("managed_identity", &self.managed_identity)
            .field("scopes", &self.scopes)
            .finish_non_exhaustive()
    }
}

impl SignInSettings {
    /// Reads the settings through `lookup` (pass `|k| std::env::var(k).ok()`
    /// for the process environment). Blank values count as unset.
    pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Result<SignInSettings, Error> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let cloud = match get("MG_ENVIRONMENT") {
            Some(name) => Cloud::parse(&name)
                .map_err(|e| Error::InvalidArgument(format!("MG_ENVIRONMENT: {e}")))?,
            None => Cloud::Global,
        };
        let access_token = get("MG_ACCESS_TOKEN").map(|token| {
            // A value pasted with its scheme still works.
            let token = match token.get(..7) {
                Some(scheme) if scheme.eq_ignore_ascii_case("bearer ") => token[7..].trim_start(),
                _ => token.as_str(),
            };
            Secret::new(token)
        });
        let switch = |name: &str| {
            get(name).is_some_and(|v| {
                !matches!(
                    v.to_ascii_lowercase().as_str(),
                    "0" | "false" | "no" | "off"
                )
            })
        };
        let managed_identity = match get("MG_IDENTITY_CLIENT_ID") {
            Some(id) => Some(ManagedIdentity::ClientId(id)),
            None if switch("MG_IDENTITY") => Some(ManagedIdentity::SystemAssigned),
            None => None,
        };
        let scopes = get("MG_SCOPES")
            .map(|s| {
                s.split([',', ' '])
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        Ok(SignInSettings {
            cloud,
            authority_host: get("AZURE_AUTHORITY_HOST"),
            access_token,
            tenant_id: get("AZURE_TENANT_ID"),
            client_id: get("AZURE_CLIENT_ID"),
            client_secret: get("AZURE_CLIENT_SECRET").map(Secret::new),
            certificate_path: get("AZURE_CLIENT_CERTIFICATE_PATH").map(PathBuf::from),
            certificate_password: lookup("AZURE_CLIENT_CERTIFICATE_PASSWORD")
                .filter(|p| !p.is_empty())
                .map(Secret::new),
            send_certificate_chain: switch("AZURE_CLIENT_SEND_CERTIFICATE_CHAIN"),
            managed_identity,
            scopes,
            tool_path: lookup("PATH").map(OsString::from),
            identity_endpoint: get("IDENTITY_ENDPOINT").is_some(),
        })
    }

    /// Every secret in the settings, for scrubbing output.
    pub fn secrets(&self) -> Vec<Secret> {
        [
            &self.access_token,
            &self.client_secret,
            &self.certificate_password,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
    }

    /// The sign-in authority in effect.
    pub fn authority(&self) -> &str {
        self.authority_host
            .as_deref()
            .unwrap_or(self.cloud.authority_host())
            .trim_end_matches('/')
    }
}

// ---------------------------------------------------------------------------
// The ways, in order
// ---------------------------------------------------------------------------

enum Way {
    /// Set aside, with the reason.
    NotConfigured(String),
    /// A token handed over.
    Token(Secret),
    /// A credential; `exclusive` ends the search whether it works or not.
    Credential {
        source: CredentialSource,
        exclusive: bool,
        /// Delegated scopes the token must carry (checked when readable).
        required_scopes: Vec<String>,
    },
}

struct Step {
    label: &'static str,
    way: Way,
    /// Facts for the context.
    context: AuthContext,
}

/// The sign-in chain: a [`TokenSource`] over the ways, in the fixed order.
/// Wrap it in [`CachedToken`] (or use [`provider`]) to get a token provider.
pub struct SignIn {
    steps: Vec<Step>,
    /// The way that answered, kept for the rest of the run.
    chosen: Mutex<Option<usize>>,
    secrets: Vec<Secret>,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let labels: Vec<&str> = self.steps.iter().map(|s| s.label).collect();
        f.debug_struct("SignIn").field("order", &labels).finish()
    }
}

/// The sign-in chain for `settings`, cached: the token provider the CLI uses.
pub fn provider(
    settings: &SignInSettings,
    transport: HttpTransport,
) -> Result<CachedToken<SignIn>, Error> {
    Ok(CachedToken::new(SignIn::new(settings, transport)?))
}

impl SignIn {
    /// Builds the credentials the settings configure. Settings that cannot
    /// work (an unreadable certificate, an invalid tenant id, a secret
    /// without a client id) fail here, before anything is sent.
    pub fn new(settings: &SignInSettings, transport: HttpTransport) -> Result<SignIn, Error> {
        let cloud = settings.cloud;
        let authority = settings.authority().to_owned();
        let options = || transport.client_options(cloud, Some(&authority));
        let with_authority = |mut context: AuthContext| {
            context.authority_host = Some(authority.clone());
            context
        };
        let mut steps = Vec::new();

        // 1. MG_ACCESS_TOKEN
        steps.push(Step {
            label: "MG_ACCESS_TOKEN",
            way: match &settings.access_token {
                Some(token) => Way::Token(token.clone()),
                None => Way::NotConfigured("not set".into()),
            },
            context: AuthContext::new(
                CredentialKind::UserProvidedAccessToken,
                cloud,
                "MG_ACCESS_TOKEN",
            ),
        });

        // Once a way is configured, the later ones are not even built: their
        // settings cannot get in the way of the one that is used.
        let mut decided = settings.access_token.is_some();

        // 2. App-only from the environment.
        let material = settings.client_secret.is_some() || settings.certificate_path.is_some();
        let missing: Vec<&str> = [
            ("AZURE_CLIENT_ID", settings.client_id.is_none()),
            ("AZURE_TENANT_ID", settings.tenant_id.is_none()),
        ]
        .into_iter()
        .filter_map(|(name, missing)| missing.then_some(name))
        .collect();
        let (way, mut context) = match (&settings.client_id, &settings.tenant_id) {
            _ if decided => (
                Way::NotConfigured(SKIPPED.into()),
                AuthContext::new(CredentialKind::ClientSecret, cloud, ""),
            ),
            _ if !material => (
                Way::NotConfigured(
                    "neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH is set".into(),
                ),
                AuthContext::new(CredentialKind::ClientSecret, cloud, ""),
            ),
            (Some(client_id), Some(tenant_id)) => {
                app_only(settings, client_id, tenant_id, &authority, options()?)?
            }
            _ => {
                // Credential material without the ids is a mistake, not a
                // reason to sign in some other way.
                let set = if settings.client_secret.is_some() {
                    "AZURE_CLIENT_SECRET"
                } else {
                    "AZURE_CLIENT_CERTIFICATE_PATH"
                };
                return Err(Error::InvalidArgument(format!(
                    "{set} is set but {} is not; set both AZURE_CLIENT_ID and AZURE_TENANT_ID for app-only sign-in.",
                    missing.join(" and ")
                )));
            }
        };
        decided |= material;
        context.client_id.clone_from(&settings.client_id);
        context.tenant_id.clone_from(&settings.tenant_id);
        steps.push(Step {
            label: "environment (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH)",
            way,
            context: with_authority(context),
        });

        // 3. Managed identity, only when asked for.
        let mi_source = if settings.identity_endpoint {
            "managed identity (IDENTITY_ENDPOINT)"
        } else {
            "managed identity (instance metadata service)"
        };
        let mut context = AuthContext::new(CredentialKind::ManagedIdentity, cloud, mi_source);
        let way = match &settings.managed_identity {
            _ if decided => Way::NotConfigured(SKIPPED.into()),
            None => Way::NotConfigured(
                "not asked for (set MG_IDENTITY=1, or MG_IDENTITY_CLIENT_ID for a user-assigned identity; it is never probed otherwise)".into(),
            ),
            Some(identity) => {
                decided = true;
                let user_assigned_id = match identity {
                    ManagedIdentity::SystemAssigned => None,
                    ManagedIdentity::ClientId(id) => {
                        context.managed_identity_id = Some(id.clone());
                        Some(UserAssignedId::ClientId(id.clone()))
                    }
                };
                let credential = ManagedIdentityCredential::new(Some(ManagedIdentityCredentialOptions {
                    user_assigned_id,
                    client_options: options()?,
                }))
                .map_err(|e| Error::InvalidArgument(sign_in_error("Managed identity", &e)))?;
                Way::Credential {
                    source: CredentialSource::new(
                        credential,
                        vec![cloud.default_scope()],
                        "managed identity",
                    ),
                    exclusive: true,
                    required_scopes: Vec::new(),
                }
            }
        };
        steps.push(Step {
            label: "managed identity (MG_IDENTITY, MG_IDENTITY_CLIENT_ID)",
            way,
            context,
        });

        // 4, 5. The developer tools, delegated.
        let executor: Arc<dyn Executor> = Arc::new(ToolExecutor {
            path: settings.tool_path.clone(),
        });
        let qualified: Vec<String> = settings
            .scopes
            .iter()
            .map(|s| cloud.qualify_scope(s))
            .collect();
        // `azure_identity` passes one scope to `az`; several are checked
        // against the token instead (it carries every consented scope).
        let (az_scopes, az_required) = match qualified.as_slice() {
            [] => (vec![cloud.default_scope()], Vec::new()),
            [one] => (vec![one.clone()], Vec::new()),
            _ => (vec![cloud.default_scope()], settings.scopes.clone()),
        };
        let tool = |built: azure_core::Result<
            Arc<dyn azure_core::credentials::TokenCredential>,
        >,
                    scopes: Vec<String>,
                    required_scopes: Vec<String>,
                    name: &str| {
            if decided {
                return Way::NotConfigured(SKIPPED.into());
            }
            match built {
                Ok(credential) => Way::Credential {
                    source: CredentialSource::new(credential, scopes, name),
                    exclusive: false,
                    required_scopes,
                },
                Err(e) => Way::NotConfigured(format!("cannot be used: {}", sign_in_error("", &e))),
            }
        };
        let az = AzureCliCredential::new(Some(AzureCliCredentialOptions {
            tenant_id: settings.tenant_id.clone(),
            executor: Some(executor.clone()),
            ..Default::default()
        }))
        .map(|c| c as Arc<dyn azure_core::credentials::TokenCredential>);
        let mut context = AuthContext::new(
            CredentialKind::AzureCli,
            cloud,
            "Azure CLI (az account get-access-token)",
        );
        context.scopes.clone_from(&settings.scopes);
        steps.push(Step {
            label: "Azure CLI (az account get-access-token)",
            way: tool(az, az_scopes, az_required, "Azure CLI"),
            context,
        });
        let azd = AzureDeveloperCliCredential::new(Some(AzureDeveloperCliCredentialOptions {
            tenant_id: settings.tenant_id.clone(),
            executor: Some(executor),
        }))
        .map(|c| c as Arc<dyn azure_core::credentials::TokenCredential>);
        let mut context = AuthContext::new(
            CredentialKind::AzureDeveloperCli,
            cloud,
            "Azure Developer CLI (azd auth token)",
        );
        context.scopes.clone_from(&settings.scopes);
        let azd_scopes = if qualified.is_empty() {
            vec![cloud.default_scope()]
        } else {
            qualified
        };
        steps.push(Step {
            label: "Azure Developer CLI (azd auth token)",
            way: tool(azd, azd_scopes, Vec::new(), "Azure Developer CLI"),
            context,
        });

        let mut secrets = settings.secrets();
        secrets.retain(|s| !s.is_empty());
        Ok(SignIn {
            steps,
            chosen: Mutex::new(None),
            secrets,
        })
    }

    /// The labels of the ways, in the order they are tried.
    pub fn order(&self) -> Vec<&'static str> {
        self.steps.iter().map(|s| s.label).collect()
    }

    /// The context (`Get-MgContext`): signs in through `client` (so its
    /// proxy and trusted roots apply) and reports the way that answered,
    /// completed with what the token says about itself.
    pub async fn context(&self, client: &Client) -> Result<AuthContext, Error> {
        let token = client.token().await?.ok_or(Error::MissingToken)?;
        let index = self
            .chosen
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .ok_or(Error::MissingToken)?;
        Ok(self.steps[index].context.clone().with_token(&token))
    }

    fn scrub(&self, mut text: String) -> String {
        for secret in &self.secrets {
            text = text.replace(secret.expose(), "***");
        }
        text
    }

    async fn run(&self) -> Result<FetchedToken, Error> {
        let chosen = *self.chosen.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(index) = chosen {
            let step = &self.steps[index];
            return self.attempt(step).await.map_err(|reason| {
                Error::SignIn(self.scrub(format!("Sign-in failed: {}: {reason}", step.label)))
            });
        }
        let mut tried = Vec::new();
        for (index, step) in self.steps.iter().enumerate() {
            let exclusive = match &step.way {
                Way::NotConfigured(reason) => {
                    tried.push(format!("{}: {reason}", step.label));
                    continue;
                }
                Way::Token(_) => true,
                Way::Credential { exclusive, .. } => *exclusive,
            };
            match self.attempt(step).await {
                Ok(token) => {
                    *self.chosen.lock().unwrap_or_else(|p| p.into_inner()) = Some(index);
                    return Ok(token);
                }
                Err(reason) => {
                    tried.push(format!("{}: {reason}", step.label));
                    if exclusive {
                        tried.push(
                            "(the first way that is configured is the only one tried)".into(),
                        );
                        break;
                    }
                }
            }
        }
        let mut message = String::from("Sign-in failed. Tried, in this order:");
        for (n, line) in tried.iter().enumerate() {
            if line.starts_with('(') {
                message.push_str(&format!("\n   {line}"));
            } else {
                message.push_str(&format!("\n  {}. {line}", n + 1));
            }
        }
        message
            .push_str("\nNothing was sent to Microsoft Graph. See \"Signing in\" in the README.");
        Err(Error::SignIn(self.scrub(message)))
    }

    /// One way; the error is the reason, for the listing.
    async fn attempt(&self, step: &Step) -> Result<FetchedToken, String> {
        match &step.way {
            Way::NotConfigured(reason) => Err(reason.clone()),
            Way::Token(token) => Ok(FetchedToken {
                token: token.clone(),
                // The expiry of a handed-over token is not ours to judge:
                // the service says 401 when it has lapsed.
                expires_on: std::time::SystemTime::now() + Duration::from_secs(365 * 24 * 3600),
            }),
            Way::Credential {
                source,
                required_scopes,
                ..
            } => {
                let token = source.get_raw().await.map_err(|e| sign_in_error("", &e))?;
                if let Some(claims) = TokenClaims::decode(&token.token) {
                    let missing: Vec<&String> = required_scopes
                        .iter()
                        .filter(|want| {
                            !claims
                                .scopes
                                .iter()
                                .any(|have| have.eq_ignore_ascii_case(want))
                        })
                        .collect();
                    if !missing.is_empty() {
                        let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
                        return Err(format!(
                            "the token lacks {}; consent with `az login --scope <graph>/<scope>` for each (the Azure CLI asks for one scope at a time)",
                            names.join(", ")
                        ));
                    }
                }
                Ok(token)
            }
        }
    }
}

impl TokenSource for SignIn {
    fn fetch(&self) -> FetchFuture<'_> {
        Box::pin(self.run())
    }
}

/// The app-only way from the environment: client secret, else certificate.
fn app_only(
    settings: &SignInSettings,
    client_id: &str,
    tenant_id: &str,
    authority: &str,
    options: azure_core::http::ClientOptions,
) -> Result<(Way, AuthContext), Error> {
    let cloud = settings.cloud;
    let scopes = vec![cloud.default_scope()];
    if let Some(secret) = &settings.client_secret {
        let credential = ClientSecretCredential::new(
            tenant_id,
            client_id.to_owned(),
            azure_core::credentials::Secret::new(secret.expose().to_owned()),
            Some(ClientSecretCredentialOptions {
                client_options: options,
            }),
        )
        .map_err(|e| {
            Error::InvalidArgument(sign_in_error("AZURE_TENANT_ID / AZURE_CLIENT_ID", &e))
        })?;
        let context = AuthContext::new(
            CredentialKind::ClientSecret,
            cloud,
            "environment (AZURE_CLIENT_SECRET)",
        );
        return Ok((
            Way::Credential {
                source: CredentialSource::new(credential, scopes, "client secret"),
                exclusive: true,
                required_scopes: Vec::new(),
            },
            context,
        ));
    }
    let path = settings
        .certificate_path
        .as_deref()
        .ok_or_else(|| Error::InvalidArgument("AZURE_CLIENT_CERTIFICATE_PATH is not set".into()))?;
    let certificate = ClientCertificate::from_file(path, settings.certificate_password.as_ref())
        .map_err(|e| Error::InvalidArgument(format!("AZURE_CLIENT_CERTIFICATE_PATH: {e}")))?
        .send_chain(settings.send_certificate_chain);
    let thumbprint = certificate.thumbprint();
    let assertion =
        CertificateAssertion::new(Arc::new(certificate), client_id, authority, tenant_id);
    let credential = ClientAssertionCredential::new(
        tenant_id.to_owned(),
        client_id.to_owned(),
        assertion,
        Some(ClientAssertionCredentialOptions {
            client_options: options,
        }),
    )
    .map_err(|e| Error::InvalidArgument(sign_in_error("AZURE_TENANT_ID / AZURE_CLIENT_ID", &e)))?;
    let mut context = AuthContext::new(
        CredentialKind::ClientCertificate,
        cloud,
        "environment (AZURE_CLIENT_CERTIFICATE_PATH)",
    );
    context.certificate_thumbprint = Some(thumbprint);
    Ok((
        Way::Credential {
            source: CredentialSource::new(credential, scopes, "client certificate"),
            exclusive: true,
            required_scopes: Vec::new(),
        },
        context,
    ))
}

/// Runs `az` / `azd` for `azure_identity`, finding them on the configured
/// `PATH` only, with no standard input (they must never wait for an answer) and
/// a time limit.
#[derive(Debug)]
struct ToolExecutor {
    path: Option<OsString>,
}

#[async_trait::async_trait]
impl Executor for ToolExecutor {
    async fn run(
        &self,
        program: &std::ffi::OsStr,
        args: &[&std::ffi::OsStr],
    ) -> std::io::Result<std::process::Output> {
        let mut command = tokio::process::Command::new(program);
        command
            .args(args)
            .stdin(std::process::Stdio::null())
            .kill_on_drop(true);
        // Only the configured PATH is searched: without one, no tool is
        // found (a shell would otherwise fall back to its built-in path).
        command.env("PATH", self.path.clone().unwrap_or_default());
        match tokio::time::timeout(TOOL_TIMEOUT, command.output()).await {
            Ok(output) => output,
            Err(_) => Err(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                format!("no answer within {} s", TOOL_TIMEOUT.as_secs()),
            )),
        }
    }
}
