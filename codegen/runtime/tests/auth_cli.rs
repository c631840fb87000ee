//! Signing in from the CLI (`cli::run` with a hand-written cmdlet): the
//! fixed order, each way for real against loopback stand-ins (client secret
//! and certificate over https, a fake `az`), national clouds, `SSL_CERT_FILE`,
//! `-Proxy` for sign-in requests, `Get-MgContext`, one clear error when
//! nothing works, and no secret in any output.

mod common;
#[path = "common/signin_cli.rs"]
mod signin_cli;
#[path = "common/tinyproxy.rs"]
mod tinyproxy;
#[path = "common/tls.rs"]
mod tls;

use std::path::{Path, PathBuf};

use common::{Reply, TestServer};
use signin_cli::{CLIENT, PFX_PASSWORD, SECRET, STATIC_TOKEN, TENANT, cli, context_json};
use tinyproxy::Tinyproxy;
use tls::{ClientCert, TestCa, app_token, form, https_url, jwt, script, token_reply};

struct Stage {
    _ca: TestCa,
    _ca_dir: tls::TempDir,
    ca_file: PathBuf,
    authority: TestServer,
    graph: TestServer,
}

impl Stage {
    /// A token endpoint (https, numbered app tokens) and a Graph stand-in.
    async fn new() -> Stage {
        Stage::with_authority(|n, _| token_reply(&app_token(n), 3600)).await
    }

    async fn with_authority(
        respond: impl Fn(usize, &common::Recorded) -> Reply + Send + Sync + 'static,
    ) -> Stage {
        let ca = TestCa::new();
        let authority = TestServer::start_tls(ca.acceptor(), respond).await;
        let graph =
            TestServer::always(Reply::json(200, r#"{"id":"a","displayName":"thing"}"#)).await;
        let (_ca_dir, ca_file) = ca.pem_file();
        Stage {
            _ca_dir,
            ca_file,
            _ca: ca,
            authority,
            graph,
        }
    }

    /// The environment of an app-only run with a client secret.
    fn secret_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("MG_GRAPH_BASE_URL", format!("{}/beta", self.graph.url())),
            ("SSL_CERT_FILE", self.ca_file.display().to_string()),
            ("AZURE_AUTHORITY_HOST", https_url(&self.authority)),
            ("AZURE_TENANT_ID", TENANT.into()),
            ("AZURE_CLIENT_ID", CLIENT.into()),
            ("AZURE_CLIENT_SECRET", SECRET.into()),
        ]
    }

    fn bearers(&self) -> Vec<String> {
        self.graph
            .requests()
            .iter()
            .map(|r| r.header("authorization").unwrap_or_default().to_owned())
            .collect()
    }
}

fn without(env: &[(&'static str, String)], name: &str) -> Vec<(&'static str, String)> {
    env.iter().filter(|(k, _)| *k != name).cloned().collect()
}

// ---------------------------------------------------------------------------
// App-only from the environment

#[tokio::test]
async fn client_secret_signs_in_over_https_and_stays_quiet_under_debug() {
    let stage = Stage::new().await;
    let out = cli(
        &["Get-MgTestThing", "-ThingId", "a", "-Debug", "-Verbose"],
        &stage.secret_env(),
    )
    .await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(
        out.stdout.contains("\"displayName\": \"thing\""),
        "{out:#?}"
    );
    assert!(
        out.stderr
            .contains("DEBUG: ============================ HTTP REQUEST"),
        "{out:#?}"
    );
    assert_eq!(stage.bearers(), [format!("Bearer {}", app_token(0))]);
    let request = &stage.authority.requests()[0];
    assert_eq!(request.path(), format!("/{TENANT}/oauth2/v2.0/token"));
    let body = form(&request.body);
    assert_eq!(body["client_secret"], SECRET);
    assert_eq!(body["scope"], "https://graph.microsoft.com/.default");
}

#[tokio::test]
async fn mg_access_token_wins_over_everything_else() {
    let stage = Stage::new().await;
    let mut env = stage.secret_env();
    env.push(("MG_ACCESS_TOKEN", format!("Bearer {STATIC_TOKEN}")));
    env.push(("MG_IDENTITY", "1".into()));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(stage.bearers(), [format!("Bearer {STATIC_TOKEN}")]);
    assert_eq!(stage.authority.count(), 0, "no sign-in request");

    let context = context_json(&cli(&["Get-MgContext"], &env).await);
    assert_eq!(context["AuthType"], "UserProvidedAccessToken");
    assert_eq!(context["TokenCredentialType"], "UserProvidedAccessToken");

    // Settings of later ways are not even read: a certificate that does not
    // exist cannot get in the way.
    let mut env = without(&env, "AZURE_CLIENT_SECRET");
    env.push((
        "AZURE_CLIENT_CERTIFICATE_PATH",
        "/nonexistent/app.pfx".into(),
    ));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(stage.graph.count(), 2);
}

#[tokio::test]
async fn client_certificate_from_a_protected_pfx() {
    let stage = Stage::new().await;
    let cert = ClientCert::new();
    let dir = tls::temp_dir("cli-pfx");
    let pfx = dir.join("app.pfx");
    std::fs::write(&pfx, cert.pfx(PFX_PASSWORD)).unwrap();
    let mut env = without(&stage.secret_env(), "AZURE_CLIENT_SECRET");
    env.push(("AZURE_CLIENT_CERTIFICATE_PATH", pfx.display().to_string()));
    env.push(("AZURE_CLIENT_CERTIFICATE_PASSWORD", PFX_PASSWORD.into()));

    let out = cli(&["Get-MgTestThing", "-ThingId", "a", "-Debug"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(stage.bearers(), [format!("Bearer {}", app_token(0))]);
    let body = form(&stage.authority.requests()[0].body);
    let (header, claims) = cert.verify(&body["client_assertion"]);
    assert_eq!(header["x5t"], cert.x5t());
    assert_eq!(claims["iss"], CLIENT);

    let context = context_json(&cli(&["Get-MgContext"], &env).await);
    assert_eq!(context["TokenCredentialType"], "ClientCertificate");
    assert_eq!(context["CertificateThumbprint"], cert.thumbprint());
    assert_eq!(context["AuthType"], "AppOnly");

    // A wrong password: a configuration error, before anything is sent.
    let mut wrong = without(&env, "AZURE_CLIENT_CERTIFICATE_PASSWORD");
    wrong.push((
        "AZURE_CLIENT_CERTIFICATE_PASSWORD",
        "not-the-password-0".into(),
    ));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &wrong).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stderr.contains("AZURE_CLIENT_CERTIFICATE_PATH"),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("not-the-password-0"), "{out:#?}");
    assert_eq!(stage.graph.count(), 1);
}

#[tokio::test]
async fn get_mg_context_shows_the_app_only_sign_in() {
    let stage = Stage::new().await;
    let out = cli(&["get-mgcontext"], &stage.secret_env()).await;
    let context = context_json(&out);
    assert_eq!(context["ClientId"], CLIENT);
    assert_eq!(context["TenantId"], TENANT);
    assert_eq!(context["AuthType"], "AppOnly");
    assert_eq!(context["TokenCredentialType"], "ClientSecret");
    assert_eq!(
        context["Scopes"],
        serde_json::json!(["Synchronization.ReadWrite.All"])
    );
    assert_eq!(context["Environment"], "Global");
    assert_eq!(context["AuthorityHost"], https_url(&stage.authority));
    assert_eq!(
        context["GraphEndpoint"],
        format!("{}/beta", stage.graph.url())
    );
    assert_eq!(stage.graph.count(), 0, "Get-MgContext does not call Graph");

    let out = cli(&["Get-MgContext", "-TenantId", "x"], &stage.secret_env()).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("takes no parameters"), "{out:#?}");
}

// ---------------------------------------------------------------------------
// Failures

#[tokio::test]
async fn nothing_configured_lists_every_way_in_order() {
    let stage = Stage::new().await;
    let empty = tls::temp_dir("empty-path");
    let env = [
        ("MG_GRAPH_BASE_URL", format!("{}/beta", stage.graph.url())),
        ("PATH", empty.display().to_string()),
        // App-only ids without a secret or certificate: not configured.
        ("AZURE_CLIENT_ID", CLIENT.to_owned()),
    ];
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 2, "{out:#?}");
    let text = &out.stderr;
    let expected = [
        "Sign-in failed. Tried, in this order:",
        "1. MG_ACCESS_TOKEN: not set",
        "2. environment (AZURE_CLIENT_ID, AZURE_TENANT_ID, AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH): neither AZURE_CLIENT_SECRET nor AZURE_CLIENT_CERTIFICATE_PATH is set",
        "3. managed identity (MG_IDENTITY, MG_IDENTITY_CLIENT_ID): not asked for",
        "4. Azure CLI (az account get-access-token):",
        "5. Azure Developer CLI (azd auth token):",
        "Nothing was sent to Microsoft Graph.",
    ];
    let mut at = 0;
    for part in expected {
        let found = text[at..]
            .find(part)
            .unwrap_or_else(|| panic!("{part:?} in order in {text}"));
        at += found + part.len();
    }
    assert!(text.contains("az not found on PATH"), "{text}");
    assert!(text.contains("azd not found on PATH"), "{text}");
    assert_eq!(stage.graph.count(), 0);
    assert_eq!(stage.authority.count(), 0);

    let out = cli(&["Get-MgContext"], &env).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("Sign-in failed"), "{out:#?}");
}

#[tokio::test]
async fn a_failing_app_credential_ends_the_search() {
    let stage = Stage::with_authority(|_, _| {
        Reply::json(
            401,
            r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided.","error_codes":[7000215]}"#,
        )
    })
    .await;
    // An `az` that would sign in, and leaves a mark if it is ever run.
    let bin = tls::temp_dir("marker-bin");
    let marker = bin.join("az-was-run");
    script(
        &bin,
        "az",
        &format!("touch '{}'\necho '{{}}'", marker.display()),
    );
    let mut env = stage.secret_env();
    env.push(("PATH", format!("{}:/usr/bin:/bin", bin.display())));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stderr.contains("1. MG_ACCESS_TOKEN: not set"),
        "{out:#?}"
    );
    assert!(out.stderr.contains("2. environment"), "{out:#?}");
    assert!(
        out.stderr
            .contains("AADSTS7000215: Invalid client secret provided."),
        "{out:#?}"
    );
    assert!(
        out.stderr
            .contains("the first way that is configured is the only one tried"),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("3. managed identity"), "{out:#?}");
    assert!(!marker.exists(), "the Azure CLI must not be tried");
    assert_eq!(stage.graph.count(), 0);
}

#[tokio::test]
async fn graph_over_https_trusts_ssl_cert_file_too() {
    let stage = Stage::new().await;
    let graph = TestServer::start_tls(stage._ca.acceptor(), |_, _| {
        Reply::json(200, r#"{"id":"a"}"#)
    })
    .await;
    let mut env = without(&stage.secret_env(), "MG_GRAPH_BASE_URL");
    env.push(("MG_GRAPH_BASE_URL", format!("{}/beta", https_url(&graph))));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(graph.count(), 1);

    // A handed-over token needs no sign-in: the Graph call alone shows that
    // only SSL_CERT_FILE makes the test CA trusted.
    let env = [
        ("MG_GRAPH_BASE_URL", format!("{}/beta", https_url(&graph))),
        ("MG_ACCESS_TOKEN", STATIC_TOKEN.to_owned()),
    ];
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stderr.contains("TLS"), "{out:#?}");
    assert_eq!(graph.count(), 1);
}

#[tokio::test]
async fn sign_in_trusts_ssl_cert_file_and_nothing_else() {
    let stage = Stage::new().await;
    let out = cli(
        &["Get-MgTestThing", "-ThingId", "a"],
        &without(&stage.secret_env(), "SSL_CERT_FILE"),
    )
    .await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stderr.to_lowercase().contains("certificate"),
        "{out:#?}"
    );
    assert_eq!(stage.graph.count(), 0);

    let mut env = without(&stage.secret_env(), "SSL_CERT_FILE");
    env.push(("SSL_CERT_FILE", "/nonexistent/ca.pem".into()));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stderr
            .contains("SSL_CERT_FILE: cannot read /nonexistent/ca.pem"),
        "{out:#?}"
    );
    assert_eq!(stage.authority.count(), 0);
}

// ---------------------------------------------------------------------------
// National clouds

#[tokio::test]
async fn mg_environment_picks_the_graph_scope_and_endpoint() {
    let stage = Stage::new().await;
    let mut env = stage.secret_env();
    env.push(("MG_ENVIRONMENT", "china".into()));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    let body = form(&stage.authority.requests()[0].body);
    assert_eq!(
        body["scope"],
        "https://microsoftgraph.chinacloudapi.cn/.default"
    );
    let context = context_json(&cli(&["Get-MgContext"], &env).await);
    assert_eq!(context["Environment"], "China");

    // Without MG_GRAPH_BASE_URL the cloud's Graph is the endpoint; with a
    // handed-over token nothing needs the network to show it.
    let env = [
        ("MG_ENVIRONMENT", "USGovDoD".to_owned()),
        ("MG_ACCESS_TOKEN", STATIC_TOKEN.to_owned()),
    ];
    let context = context_json(&cli(&["Get-MgContext"], &env).await);
    assert_eq!(context["Environment"], "USGovDoD");
    let endpoint = context["GraphEndpoint"].as_str().unwrap();
    assert!(
        endpoint.starts_with("https://dod-graph.microsoft.us"),
        "{endpoint}"
    );

    let out = cli(&["Get-MgContext"], &[("MG_ENVIRONMENT", "Mars".to_owned())]).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("MG_ENVIRONMENT: Unknown environment 'Mars'. Use one of: Global, China, USGov, USGovDoD."), "{out:#?}");
}

// ---------------------------------------------------------------------------
// The Azure CLI

/// A fake `az` that records its arguments and prints a delegated token.
fn fake_az(dir: &Path, token: &str) -> PathBuf {
    let args = dir.join("az-args");
    let expires = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 3600;
    script(
        dir,
        "az",
        &format!(
            "echo \"$@\" >> '{}'\ncat <<'EOF'\n{{\"accessToken\": \"{token}\", \"expiresOn\": \"2030-01-01 00:00:00.000000\", \"expires_on\": {expires}, \"subscription\": \"sub-1\", \"tenant\": \"{TENANT}\", \"tokenType\": \"Bearer\"}}\nEOF",
            args.display()
        ),
    );
    args
}

fn user_token() -> String {
    jwt(serde_json::json!({
        "tid": TENANT, "appid": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "idtyp": "user",
        "scp": "Application.Read.All Synchronization.ReadWrite.All User.Read",
        "upn": "dev@contoso.example",
    }))
}

#[tokio::test]
async fn the_azure_cli_signs_in_delegated_with_the_scopes_asked_for() {
    let stage = Stage::new().await;
    let bin = tls::temp_dir("az-bin");
    let args_file = fake_az(&bin, &user_token());
    let env = [
        ("MG_GRAPH_BASE_URL", format!("{}/beta", stage.graph.url())),
        ("PATH", format!("{}:/usr/bin:/bin", bin.display())),
        ("MG_SCOPES", "Synchronization.ReadWrite.All".to_owned()),
    ];
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(stage.bearers(), [format!("Bearer {}", user_token())]);
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert_eq!(
        args.lines().next().unwrap(),
        "account get-access-token -o json --scope https://graph.microsoft.com/Synchronization.ReadWrite.All"
    );

    let context = context_json(&cli(&["Get-MgContext"], &env).await);
    assert_eq!(context["AuthType"], "Delegated");
    assert_eq!(context["TokenCredentialType"], "AzureCli");
    assert_eq!(context["Account"], "dev@contoso.example");
    assert_eq!(context["TenantId"], TENANT);
    let scopes = context["Scopes"].as_array().unwrap();
    assert!(
        scopes.contains(&serde_json::json!("Synchronization.ReadWrite.All")),
        "{context}"
    );
    assert!(!context.to_string().contains(&user_token()));

    // Several scopes: `.default` is asked for, and the token must hold them.
    let mut several = env.to_vec();
    several.retain(|(k, _)| *k != "MG_SCOPES");
    several.push(("MG_SCOPES", "User.Read, Directory.Read.All".to_owned()));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &several).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stderr.contains("the token lacks Directory.Read.All"),
        "{out:#?}"
    );
    let args = std::fs::read_to_string(&args_file).unwrap();
    assert!(
        args.lines()
            .last()
            .unwrap()
            .ends_with("--scope https://graph.microsoft.com/.default"),
        "{args}"
    );
    assert_eq!(stage.graph.count(), 1);
}

// ---------------------------------------------------------------------------
// -Proxy

#[tokio::test]
async fn sign_in_requests_follow_the_proxy() {
    let Some(proxy) = Tinyproxy::start(None) else {
        return;
    };
    let stage = Stage::new().await;
    let token_host = format!("127.0.0.1:{}", stage.authority.addr.port());

    // Without -Proxy, nothing goes through it.
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &stage.secret_env()).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(!proxy.log().contains(&token_host), "{}", proxy.log());

    // With -Proxy, the sign-in (a CONNECT tunnel for https) and the call do.
    let stage = Stage::new().await;
    let token_host = format!("127.0.0.1:{}", stage.authority.addr.port());
    let out = cli(
        &["Get-MgTestThing", "-ThingId", "a", "-Proxy", &proxy.url()],
        &stage.secret_env(),
    )
    .await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(stage.authority.count(), 1);
    let log = proxy.log();
    assert!(log.contains(&format!("CONNECT {token_host}")), "{log}");
    let via = stage.graph.requests()[0].header("via").map(str::to_owned);
    assert!(via.is_some_and(|v| v.contains(tinyproxy::VIA_NAME)));
}

#[tokio::test]
async fn broken_app_settings_are_configuration_errors() {
    let stage = Stage::new().await;
    let cases = [
        (
            without(&stage.secret_env(), "AZURE_TENANT_ID"),
            "AZURE_CLIENT_SECRET is set but AZURE_TENANT_ID is not",
        ),
        (
            {
                let mut env = without(&stage.secret_env(), "AZURE_AUTHORITY_HOST");
                env.push(("AZURE_AUTHORITY_HOST", "http://127.0.0.1:9".into()));
                env
            },
            "The sign-in authority must be an absolute https:// URL: http://127.0.0.1:9",
        ),
    ];
    for (env, expected) in cases {
        let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(out.stderr.contains(expected), "{out:#?}");
    }
    assert_eq!(stage.authority.count() + stage.graph.count(), 0);
}
