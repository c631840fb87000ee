//! Signing in from Rust: Azure SDK credentials as the token source, over
//! https on loopback with a CA made at test time; token caching and refresh,
//! the 401 rule, shared fetches, the certificate flow, the context.

mod common;
#[path = "common/tls.rs"]
mod tls;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use azure_identity::{ClientSecretCredential, ClientSecretCredentialOptions};
use common::{Reply, TestServer};
use mg_runtime::auth::azure::{self, HttpTransport};
use mg_runtime::auth::sign_in::{self, SignInSettings};
use mg_runtime::auth::{
    AuthType, CachedToken, Cloud, CredentialKind, FetchFuture, FetchedToken, TokenSource,
};
use mg_runtime::client::{
    ApiRequest, Client, RequestOptions, RetryPolicy, StaticToken, TokenProvider,
};
use mg_runtime::error::{Error, Secret};
use reqwest::Method;
use tls::{ClientCert, TestCa, app_token, form, https_url, token_reply};

const TENANT: &str = "tenant-1111";
const CLIENT: &str = "client-2222";
const SECRET: &str = "client-secret-value-4242";

/// A token endpoint that numbers its tokens and gives them `lifetime` seconds.
async fn token_endpoint(ca: &TestCa, lifetime: u64) -> TestServer {
    TestServer::start_tls(ca.acceptor(), move |n, _| {
        token_reply(&app_token(n), lifetime)
    })
    .await
}

fn secret_credential(authority: &str) -> Arc<dyn azure_core::credentials::TokenCredential> {
    let options = HttpTransport::new()
        .client_options(Cloud::Global, Some(authority))
        .unwrap();
    ClientSecretCredential::new(
        TENANT,
        CLIENT.into(),
        SECRET.to_owned().into(),
        Some(ClientSecretCredentialOptions {
            client_options: options,
        }),
    )
    .unwrap()
}

fn client(graph: &TestServer, ca: &TestCa, provider: impl TokenProvider) -> Client {
    Client::builder()
        .base_url(format!("{}/beta", graph.url()))
        .root_certificates_pem(ca.pem.as_bytes())
        .token_provider(provider)
        .system_proxy(false)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn get() -> ApiRequest {
    common::api_request(Method::GET, "/applications/{application-id}", "/applications/a")
}

fn bearers(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r| {
            r.header("authorization")
                .unwrap_or_default()
                .trim_start_matches("Bearer ")
                .to_owned()
        })
        .collect()
}

#[tokio::test]
async fn client_secret_over_https_is_fetched_once_and_cached() {
    let ca = TestCa::new();
    let authority = token_endpoint(&ca, 3600).await;
    let graph = TestServer::always(Reply::json(200, r#"{"id":"a"}"#)).await;
    let provider = azure::provider(
        secret_credential(&https_url(&authority)),
        vec![Cloud::Global.default_scope()],
    );
    let client = client(&graph, &ca, provider);
    for _ in 0..3 {
        client
            .send(get(), &RequestOptions::default())
            .await
            .unwrap();
    }
    assert_eq!(authority.count(), 1, "one sign-in for three calls");
    assert_eq!(bearers(&graph), vec![app_token(0); 3]);

    let request = &authority.requests()[0];
    assert_eq!(request.method, "POST");
    assert_eq!(request.path(), format!("/{TENANT}/oauth2/v2.0/token"));
    let body = form(&request.body);
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["client_id"], CLIENT);
    assert_eq!(body["client_secret"], SECRET);
    assert_eq!(body["scope"], "https://graph.microsoft.com/.default");
}

#[tokio::test]
async fn short_lived_tokens_are_refreshed_before_they_expire() {
    let ca = TestCa::new();
    // Two minutes is inside the five-minute refresh margin: every call needs
    // a new token, and the credential's own cache agrees.
    let authority = token_endpoint(&ca, 120).await;
    let graph = TestServer::always(Reply::status(204)).await;
    let provider = azure::provider(
        secret_credential(&https_url(&authority)),
        vec![Cloud::Global.default_scope()],
    );
    let client = client(&graph, &ca, provider);
    client
        .send(get(), &RequestOptions::default())
        .await
        .unwrap();
    client
        .send(get(), &RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(authority.count(), 2);
    assert_eq!(bearers(&graph), vec![app_token(0), app_token(1)]);
}

#[tokio::test]
async fn a_401_is_retried_once_with_a_different_token() {
    let ca = TestCa::new();
    let authority = token_endpoint(&ca, 120).await;
    let graph = TestServer::start(|n, _| {
        if n == 0 {
            Reply::json(
                401,
                r#"{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}"#,
            )
        } else {
            Reply::status(204)
        }
    })
    .await;
    let provider = azure::provider(
        secret_credential(&https_url(&authority)),
        vec![Cloud::Global.default_scope()],
    );
    let client = client(&graph, &ca, provider);
    let response = client
        .send(get(), &RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(response.retries, 1);
    assert_eq!(bearers(&graph), vec![app_token(0), app_token(1)]);
    assert_eq!(authority.count(), 2);
}

#[tokio::test]
async fn a_401_with_the_same_token_again_fails_without_resending() {
    let ca = TestCa::new();
    // Long-lived: the credential answers the renewal from its own cache
    // with the very token that was rejected.
    let authority = token_endpoint(&ca, 3600).await;
    let graph = TestServer::always(Reply::json(
        401,
        r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure."}}"#,
    ))
    .await;
    let provider = azure::provider(
        secret_credential(&https_url(&authority)),
        vec![Cloud::Global.default_scope()],
    );
    let client = client(&graph, &ca, provider);
    let err = client
        .send(get(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert!(
        err.to_string().contains("Access token validation failure"),
        "{err}"
    );
    assert_eq!(graph.count(), 1, "the rejected token is never sent again");
    assert_eq!(authority.count(), 1);
}

#[tokio::test]
async fn a_static_token_is_not_resent_after_a_401() {
    let ca = TestCa::new();
    let graph = TestServer::always(Reply::status(401)).await;
    let client = client(&graph, &ca, StaticToken(Secret::new("static-token-1")));
    let err = client
        .send(get(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(graph.count(), 1);
}

/// A source that counts fetches and holds each one until the gate opens.
struct Gated {
    fetches: AtomicUsize,
    gate: tokio::sync::Semaphore,
}

impl TokenSource for Gated {
    fn fetch(&self) -> FetchFuture<'_> {
        Box::pin(async move {
            let n = self.fetches.fetch_add(1, Ordering::SeqCst);
            let _permit = self.gate.acquire().await.expect("gate");
            Ok(FetchedToken {
                token: Secret::new(format!("gated-{n}")),
                expires_on: SystemTime::now() + Duration::from_secs(3600),
            })
        })
    }
}

#[tokio::test(flavor = "current_thread")]
async fn concurrent_requests_share_one_token_fetch() {
    let ca = TestCa::new();
    let graph = TestServer::always(Reply::status(204)).await;
    let provider = Arc::new(CachedToken::new(Gated {
        fetches: AtomicUsize::new(0),
        gate: tokio::sync::Semaphore::new(0),
    }));
    let client = client(&graph, &ca, provider.clone());
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(get(), &RequestOptions::default()).await })
        })
        .collect();
    // Let every task run up to the point where it waits for a token: the
    // first inside the fetch, the others on the cache.
    while provider.source().fetches.load(Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    for _ in 0..100 {
        tokio::task::yield_now().await;
    }
    assert_eq!(provider.source().fetches.load(Ordering::SeqCst), 1);
    provider.source().gate.add_permits(100);
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(provider.source().fetches.load(Ordering::SeqCst), 1);
    assert_eq!(bearers(&graph), vec!["gated-0".to_owned(); 8]);
}

#[tokio::test]
async fn concurrent_requests_sign_in_once_for_real() {
    let ca = TestCa::new();
    let authority = token_endpoint(&ca, 3600).await;
    let graph = TestServer::always(Reply::status(204)).await;
    let provider = azure::provider(
        secret_credential(&https_url(&authority)),
        vec![Cloud::Global.default_scope()],
    );
    let client = client(&graph, &ca, provider);
    let options = RequestOptions::default();
    let calls = (0..6).map(|_| client.send(get(), &options));
    for result in futures::future::join_all(calls).await {
        result.unwrap();
    }
    assert_eq!(authority.count(), 1);
    assert_eq!(graph.count(), 6);
}

fn settings(authority: &TestServer) -> SignInSettings {
    SignInSettings {
        authority_host: Some(https_url(authority)),
        tenant_id: Some(TENANT.into()),
        client_id: Some(CLIENT.into()),
        ..SignInSettings::default()
    }
}

/// Checks the token endpoint got a valid certificate assertion.
fn assert_assertion(authority: &TestServer, cert: &ClientCert) {
    let request = &authority.requests()[0];
    let body = form(&request.body);
    assert_eq!(body["grant_type"], "client_credentials");
    assert_eq!(body["client_id"], CLIENT);
    assert_eq!(body["scope"], "https://graph.microsoft.com/.default");
    assert_eq!(
        body["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert!(!body.contains_key("client_secret"));
    let (header, claims) = cert.verify(&body["client_assertion"]);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["x5t"], cert.x5t());
    assert!(header["x5t#S256"].is_string());
    assert_eq!(
        claims["aud"],
        format!("{}/{TENANT}/oauth2/v2.0/token", https_url(authority))
    );
    assert_eq!(claims["iss"], CLIENT);
    assert_eq!(claims["sub"], CLIENT);
    assert!(claims["exp"].as_u64().unwrap() > claims["nbf"].as_u64().unwrap());
    assert!(claims["jti"].as_str().is_some_and(|j| !j.is_empty()));
}

#[tokio::test]
async fn client_certificate_from_pem_and_from_a_protected_pfx() {
    let ca = TestCa::new();
    let cert = ClientCert::new();
    let dir = tls::temp_dir("cert");
    let pem = dir.join("app.pem");
    std::fs::write(&pem, cert.pem_bundle()).unwrap();
    let pfx = dir.join("app.pfx");
    std::fs::write(&pfx, cert.pfx("pfx-pass-777")).unwrap();

    for (path, password) in [(pem, None), (pfx, Some("pfx-pass-777"))] {
        let authority = token_endpoint(&ca, 3600).await;
        let graph = TestServer::always(Reply::status(204)).await;
        let settings = SignInSettings {
            certificate_path: Some(path.clone()),
            certificate_password: password.map(Secret::new),
            ..settings(&authority)
        };
        let provider = Arc::new(sign_in::provider(&settings, HttpTransport::new()).unwrap());
        let client = client(&graph, &ca, provider.clone());
        client
            .send(get(), &RequestOptions::default())
            .await
            .unwrap();
        assert_eq!(bearers(&graph), vec![app_token(0)], "{}", path.display());
        assert_assertion(&authority, &cert);

        let context = provider.source().context(&client).await.unwrap();
        assert_eq!(
            context.token_credential_type,
            CredentialKind::ClientCertificate
        );
        assert_eq!(context.auth_type, AuthType::AppOnly);
        assert_eq!(context.certificate_thumbprint, Some(cert.thumbprint()));
        assert_eq!(authority.count(), 1, "the context reuses the cached token");
    }
}

#[tokio::test]
async fn certificate_problems_are_reported_before_anything_is_sent() {
    let cert = ClientCert::new();
    let dir = tls::temp_dir("badcert");
    let pfx = dir.join("app.pfx");
    std::fs::write(&pfx, cert.pfx("right-pass-123")).unwrap();
    let only_cert = dir.join("cert-only.pem");
    std::fs::write(&only_cert, &cert.cert_pem).unwrap();
    let cases = [
        (pfx, Some("wrong-pass-456"), "PKCS#12"),
        (only_cert, None, "no private key"),
        (dir.join("missing.pem"), None, "Cannot read"),
    ];
    for (path, password, expected) in cases {
        let settings = SignInSettings {
            certificate_path: Some(path),
            certificate_password: password.map(Secret::new),
            tenant_id: Some(TENANT.into()),
            client_id: Some(CLIENT.into()),
            ..SignInSettings::default()
        };
        let err = sign_in::provider(&settings, HttpTransport::new()).unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
        assert!(text.contains("AZURE_CLIENT_CERTIFICATE_PATH"), "{text}");
        assert!(text.contains(expected), "{text}");
        assert!(
            !text.contains("wrong-pass-456") && !text.contains("right-pass-123"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_untrusted_authority_fails_with_a_clear_error() {
    let ca = TestCa::new();
    let other_ca = TestCa::new();
    let authority = token_endpoint(&ca, 3600).await;
    let graph = TestServer::always(Reply::status(204)).await;
    let provider = sign_in::provider(
        &SignInSettings {
            client_secret: Some(Secret::new(SECRET)),
            ..settings(&authority)
        },
        HttpTransport::new(),
    )
    .unwrap();
    // The client trusts another CA only.
    let client = client(&graph, &other_ca, provider);
    let err = client
        .send(get(), &RequestOptions::default())
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(matches!(err, Error::SignIn(_)), "{err:?}");
    assert!(text.contains("Sign-in failed"), "{text}");
    assert!(text.to_lowercase().contains("certificate"), "{text}");
    assert!(!text.contains(SECRET), "{text}");
    assert_eq!(graph.count(), 0);
}

#[tokio::test]
async fn the_context_comes_from_the_settings_and_the_token() {
    let ca = TestCa::new();
    let authority = token_endpoint(&ca, 3600).await;
    let graph = TestServer::always(Reply::status(204)).await;
    let provider = Arc::new(
        sign_in::provider(
            &SignInSettings {
                client_secret: Some(Secret::new(SECRET)),
                ..settings(&authority)
            },
            HttpTransport::new(),
        )
        .unwrap(),
    );
    let client = client(&graph, &ca, provider.clone());
    let context = provider.source().context(&client).await.unwrap();
    assert_eq!(context.client_id.as_deref(), Some(CLIENT));
    assert_eq!(context.tenant_id.as_deref(), Some(TENANT));
    assert_eq!(context.auth_type, AuthType::AppOnly);
    assert_eq!(context.token_credential_type, CredentialKind::ClientSecret);
    assert_eq!(context.scopes, ["Synchronization.ReadWrite.All"]);
    assert_eq!(context.environment, "Global");
    assert_eq!(context.authority_host, Some(https_url(&authority)));
    let json = serde_json::to_value(&context).unwrap();
    assert_eq!(json["AuthType"], "AppOnly");
    assert_eq!(json["TokenCredentialType"], "ClientSecret");
    assert!(!json.to_string().contains(SECRET));
    assert!(!format!("{context:?} {provider:?}").contains(SECRET));
}
