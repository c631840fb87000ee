//! `-Proxy`, `-ProxyCredential`: requests really go through a forward
//! proxy (tinyproxy). Skipped with a message when tinyproxy is missing.

mod common;

#[path = "common/tinyproxy.rs"]
mod tinyproxy;

use common::{Reply, TestServer};
use mg_runtime::client::{
    ApiRequest, Client, ClientBuilder, ProxyConfig, RequestOptions, StaticToken,
};
use mg_runtime::error::{Error, Secret};
use reqwest::Method;
use tinyproxy::{Tinyproxy, VIA_NAME};

const TOKEN: &str = "tok-proxy-secret";
const WRONG: &str = "wrong-proxy-password-31337";

fn builder(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .base_url(format!("{}/beta", server.url()))
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
}

fn request() -> ApiRequest {
    common::api_request(
        Method::GET,
        "/applications/{application-id}",
        "/applications/a",
    )
}

fn via(server: &TestServer, index: usize) -> Option<String> {
    server
        .requests()
        .get(index)
        .and_then(|r| r.header("via").map(str::to_owned))
}

#[tokio::test]
async fn client_proxy_routes_every_request() {
    let Some(proxy) = Tinyproxy::start(None) else {
        return;
    };
    let server = TestServer::always(Reply::json(200, r#"{"id":"a"}"#)).await;

    let direct = builder(&server).build().unwrap();
    direct
        .send(request(), &RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(
        via(&server, 0),
        None,
        "direct call must not touch the proxy"
    );

    let proxied = builder(&server)
        .proxy(ProxyConfig::new(proxy.url()))
        .build()
        .unwrap();
    let response = proxied
        .send(request(), &RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    let via = via(&server, 1).expect("request went through the proxy");
    assert!(via.contains(VIA_NAME), "{via}");
    assert!(
        proxy
            .log()
            .contains(&format!("127.0.0.1:{}", server.addr.port())),
        "{}",
        proxy.log()
    );
    // Our headers survive the hop.
    assert_eq!(
        server.requests()[1].header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn per_call_proxy_applies_to_that_call_only() {
    let Some(proxy) = Tinyproxy::start(None) else {
        return;
    };
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).build().unwrap();
    let options = RequestOptions {
        proxy: Some(ProxyConfig::new(proxy.url())),
        ..Default::default()
    };
    client.send(request(), &options).await.unwrap();
    client
        .send(request(), &RequestOptions::default())
        .await
        .unwrap();
    client.send(request(), &options).await.unwrap(); // reuses the cached proxy client
    assert!(via(&server, 0).is_some_and(|v| v.contains(VIA_NAME)));
    assert_eq!(via(&server, 1), None);
    assert!(via(&server, 2).is_some_and(|v| v.contains(VIA_NAME)));
}

#[tokio::test]
async fn basic_auth_credentials_are_sent_to_the_proxy() {
    let Some(proxy) = Tinyproxy::start(Some(("mguser", "right-pass"))) else {
        return;
    };
    let server = TestServer::always(Reply::status(204)).await;

    let explicit = ProxyConfig::new(proxy.url()).with_credential("mguser", "right-pass");
    builder(&server)
        .proxy(explicit)
        .build()
        .unwrap()
        .send(request(), &RequestOptions::default())
        .await
        .unwrap();

    // Userinfo in the URI works too (percent-decoded).
    let in_uri = ProxyConfig::new(format!(
        "http://mguser:right%2Dpass@127.0.0.1:{}",
        proxy.port
    ));
    builder(&server)
        .proxy(in_uri)
        .build()
        .unwrap()
        .send(request(), &RequestOptions::default())
        .await
        .unwrap();

    assert_eq!(server.count(), 2);
    for r in server.requests() {
        assert!(r.header("via").is_some_and(|v| v.contains(VIA_NAME)));
    }
}

#[tokio::test]
async fn wrong_proxy_password_is_a_407_that_does_not_leak_it() {
    let Some(proxy) = Tinyproxy::start(Some(("mguser", "right-pass"))) else {
        return;
    };
    let server = TestServer::always(Reply::status(204)).await;
    let config = ProxyConfig::new(proxy.url()).with_credential("mguser", WRONG);
    let client = builder(&server).proxy(config.clone()).build().unwrap();
    let err = client
        .send(request(), &RequestOptions::default())
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("expected the proxy's refusal, got {err:?}")
    };
    // tinyproxy 1.11 answers a wrong password with 401 + WWW-Authenticate
    // (and a missing one with 407, below); either way it is the proxy's
    // refusal, surfaced as an API error naming its realm.
    assert!(matches!(api.status, 401 | 407), "{err}");
    assert!(err.to_string().contains("realm=\"Tinyproxy\""), "{err}");
    assert_eq!(server.count(), 0, "the target must not be reached");

    // No credentials at all: same 407.
    let anonymous = builder(&server)
        .proxy(ProxyConfig::new(proxy.url()))
        .build()
        .unwrap();
    let err2 = anonymous
        .send(request(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err2.status(), Some(407));
    assert!(
        err2.to_string()
            .contains("Status: 407 (ProxyAuthenticationRequired)"),
        "{err2}"
    );

    // An https target goes through CONNECT; the refusal is a transport error.
    let tls_client = Client::builder()
        .base_url(format!("https://127.0.0.1:{}/beta", server.addr.port()))
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .proxy(config.clone())
        .build()
        .unwrap();
    let err3 = tls_client
        .send(request(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err3, Error::Transport { .. }), "{err3:?}");

    for text in [
        format!("{err}"),
        format!("{err:?}"),
        format!("{err3}"),
        format!("{err3:?}"),
        format!("{client:?}"),
        format!("{config:?}"),
    ] {
        assert!(!text.contains(WRONG), "password leaked: {text}");
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
    assert_eq!(server.count(), 0);
}

#[test]
fn invalid_proxy_uri_is_rejected_without_echoing_the_password() {
    for bad in [
        "not a uri",
        "socks5://u:pw-999@127.0.0.1:1080",
        "http://u:pw-999@/",
    ] {
        let err = Client::builder()
            .proxy(ProxyConfig::new(bad))
            .build()
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad}: {err:?}");
        assert!(!err.to_string().contains("pw-999"), "{err}");
    }
}

#[test]
fn default_credentials_come_from_proxy_variables() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    };
    let found = ProxyConfig::default_credentials_from(env(&[(
        "https_proxy",
        "http://alice:s%40cret@proxy:3128",
    )]));
    let (user, password) = found.unwrap();
    assert_eq!(user, "alice");
    assert_eq!(password.expose(), "s@cret");

    // HTTPS_PROXY wins over ALL_PROXY; a scheme-less value is accepted.
    let found = ProxyConfig::default_credentials_from(env(&[
        ("ALL_PROXY", "http://carol:c@proxy:1"),
        ("HTTPS_PROXY", "bob:b@proxy:2"),
    ]));
    assert_eq!(found.unwrap().0, "bob");

    // A variable without userinfo is skipped in favour of one with it.
    let found = ProxyConfig::default_credentials_from(env(&[
        ("HTTP_PROXY", "http://proxy:3128"),
        ("all_proxy", "http://dave:d@proxy:1"),
    ]));
    assert_eq!(found.unwrap().0, "dave");

    assert!(ProxyConfig::default_credentials_from(env(&[])).is_none());
}
