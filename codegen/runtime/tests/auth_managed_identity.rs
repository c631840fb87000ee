//! Managed identity through the App Service style endpoint
//! (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`), pointed at loopback.
//!
//! `azure_identity` reads those two variables from the process environment,
//! so this file holds a single test (its own process): it sets them before
//! anything else runs. The instance metadata address is never involved:
//! with `IDENTITY_ENDPOINT` set the SDK uses it, and without `MG_IDENTITY`
//! nothing tries managed identity at all.

mod common;
#[path = "common/signin_cli.rs"]
mod signin_cli;
#[path = "common/tls.rs"]
mod tls;

use common::{Reply, TestServer};
use signin_cli::{IDENTITY_HEADER_VALUE, cli, context_json};
use tls::app_token;

#[tokio::test]
async fn managed_identity_only_when_asked_for() {
    let unix_now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let endpoint = TestServer::start(move |n, request| {
        if request.target.contains("client_id=mi-unknown") {
            return Reply::json(400, r#"{"error":"invalid_request"}"#);
        }
        Reply::json(
            200,
            &serde_json::json!({
                "access_token": app_token(n),
                "expires_on": (unix_now + 3600).to_string(),
                "resource": "https://graph.microsoft.com",
                "token_type": "Bearer",
            })
            .to_string(),
        )
    })
    .await;
    let graph = TestServer::always(Reply::json(200, r#"{"id":"a"}"#)).await;
    let endpoint_url = format!("{}/msi/token", endpoint.url());
    // SAFETY: the only test of this process, and nothing else has started
    // a thread that reads the environment yet.
    unsafe {
        std::env::set_var("IDENTITY_ENDPOINT", &endpoint_url);
        std::env::set_var("IDENTITY_HEADER", IDENTITY_HEADER_VALUE);
    }
    let empty = tls::temp_dir("mi-path");
    let base = [
        ("MG_GRAPH_BASE_URL", format!("{}/beta", graph.url())),
        ("IDENTITY_ENDPOINT", endpoint_url.clone()),
        ("IDENTITY_HEADER", IDENTITY_HEADER_VALUE.to_owned()),
        ("PATH", empty.display().to_string()),
    ];

    // Not asked for: the endpoint is there, yet nothing probes it.
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &base).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(
        out.stderr
            .contains("3. managed identity (MG_IDENTITY, MG_IDENTITY_CLIENT_ID): not asked for"),
        "{out:#?}"
    );
    assert_eq!(endpoint.count(), 0);

    // System-assigned.
    let mut env = base.to_vec();
    env.push(("MG_IDENTITY", "1".to_owned()));
    let out = cli(&["Get-MgTestThing", "-ThingId", "a", "-Debug"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(
        graph.requests()[0].header("authorization"),
        Some(format!("Bearer {}", app_token(0)).as_str())
    );
    let request = &endpoint.requests()[0];
    assert_eq!(request.method, "GET");
    assert_eq!(request.path(), "/msi/token");
    assert!(
        request.target.contains("api-version=2019-08-01"),
        "{}",
        request.target
    );
    assert!(
        request
            .target
            .contains("resource=https%3A%2F%2Fgraph.microsoft.com"),
        "{}",
        request.target
    );
    assert!(!request.target.contains("client_id"), "{}", request.target);
    assert_eq!(
        request.header("x-identity-header"),
        Some(IDENTITY_HEADER_VALUE)
    );
    let context = context_json(&cli(&["Get-MgContext"], &env).await);
    assert_eq!(context["TokenCredentialType"], "ManagedIdentity");
    assert_eq!(context["AuthType"], "AppOnly");
    assert_eq!(context["Source"], "managed identity (IDENTITY_ENDPOINT)");
    assert_eq!(context["ManagedIdentityId"], serde_json::Value::Null);

    // User-assigned, by client id.
    let mut env = base.to_vec();
    env.push(("MG_IDENTITY_CLIENT_ID", "mi-client-3333".to_owned()));
    let before = endpoint.count();
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 0, "{out:#?}");
    let request = &endpoint.requests()[before];
    assert!(
        request.target.contains("client_id=mi-client-3333"),
        "{}",
        request.target
    );
    let context = context_json(&cli(&["Get-MgContext"], &env).await);
    assert_eq!(context["ManagedIdentityId"], "mi-client-3333");

    // An identity the endpoint refuses: the error says so, and stops there.
    let mut env = base.to_vec();
    env.push(("MG_IDENTITY", "true".to_owned()));
    env.push(("MG_IDENTITY_CLIENT_ID", "mi-unknown-0000".to_owned()));
    let before = endpoint.count();
    let out = cli(&["Get-MgTestThing", "-ThingId", "a"], &env).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("3. managed identity"), "{out:#?}");
    assert!(
        out.stderr
            .contains("ManagedIdentityCredential authentication failed"),
        "{out:#?}"
    );
    assert!(!out.stderr.contains("4. Azure CLI"), "{out:#?}");
    assert_eq!(endpoint.count(), before + 1);
    assert_eq!(graph.count(), 2);
}
