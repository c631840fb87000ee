//! `-ProxyUseDefaultCredentials` against the real process environment.
//! Kept alone in its own test binary because it sets environment variables,
//! which is only sound while no other thread reads them.

mod common;

#[path = "common/tinyproxy.rs"]
mod tinyproxy;

use common::{Reply, TestServer};
use mg_runtime::client::{Client, ProxyConfig, RequestOptions, StaticToken};
use mg_runtime::error::Secret;
use reqwest::Method;
use tinyproxy::{Tinyproxy, VIA_NAME};

#[test]
fn default_credentials_are_read_from_https_proxy() {
    let Some(proxy) = Tinyproxy::start(Some(("envuser", "env-pass"))) else {
        return;
    };
    // SAFETY: this binary has a single test and no other thread exists yet
    // (the runtime is created below), so nothing reads the environment
    // concurrently.
    unsafe {
        std::env::set_var(
            "HTTPS_PROXY",
            format!("http://envuser:env-pass@127.0.0.1:{}", proxy.port),
        )
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let server = TestServer::always(Reply::status(204)).await;
        let config = ProxyConfig {
            uri: proxy.url(),
            credential: None,
            use_default_credentials: true,
        };
        let client = Client::builder()
            .base_url(format!("{}/beta", server.url()))
            .token_provider(StaticToken(Secret::new("t")))
            .proxy(config)
            .build()
            .unwrap();
        let request = common::api_request(
            Method::GET,
            "/applications/{application-id}",
            "/applications/a",
        );
        client
            .send(request, &RequestOptions::default())
            .await
            .unwrap();
        assert!(
            server.requests()[0]
                .header("via")
                .is_some_and(|v| v.contains(VIA_NAME))
        );

        // Without the switch the same proxy refuses the call.
        let client = Client::builder()
            .base_url(format!("{}/beta", server.url()))
            .token_provider(StaticToken(Secret::new("t")))
            .proxy(ProxyConfig::new(proxy.url()))
            .build()
            .unwrap();
        let request = common::api_request(
            Method::GET,
            "/applications/{application-id}",
            "/applications/a",
        );
        let err = client
            .send(request, &RequestOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(407));
        assert_eq!(server.count(), 1);
    });
}
