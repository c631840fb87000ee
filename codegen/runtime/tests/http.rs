//! Requests on the wire: method, path encoding, headers, auth, timeouts,
//! cancellation, body limits and secret hygiene.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use common::{Reply, TestServer, decode};
use mg_runtime::client::{
    ApiRequest, Client, ClientBuilder, EnvToken, NoToken, ProxyConfig, RequestOptions, RetryPolicy,
    StaticToken,
};
use mg_runtime::error::{Error, Secret, TransportKind};
use mg_runtime::path::{query_component, quoted_key, segment};
use reqwest::Method;

const TOKEN: &str = "tok-very-secret-123";
const TEMPLATE: &str = "/applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start";

fn builder(server: &TestServer) -> ClientBuilder {
    Client::builder()
        .base_url(format!("{}/beta/", server.url()))
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
        .retry(RetryPolicy {
            max_retries: 3,
            delay: Duration::from_millis(1),
            max_wait: Duration::from_millis(20),
        })
}

fn start_job(app: &str, job: &str) -> Result<ApiRequest, Error> {
    let path = format!(
        "/applications/{}/synchronization/jobs/{}/microsoft.graph.start",
        segment("ApplicationId", app)?,
        segment("SynchronizationJobId", job)?
    );
    Ok(common::api_request(Method::POST, TEMPLATE, &path))
}

fn is_uuid_v4(text: &str) -> bool {
    uuid::Uuid::parse_str(text).is_ok_and(|u| u.get_version_num() == 4)
}

#[tokio::test]
async fn sends_method_path_and_headers() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).build().unwrap();
    let mut request = start_job("app-1", "job-1").unwrap();
    request.query = vec![
        ("$select".into(), "id,displayName".into()),
        ("$filter".into(), "a eq 'b&c'".into()),
    ];
    request.headers = vec![("ConsistencyLevel".into(), "eventual".into())];
    let response = client
        .send(request, &RequestOptions::default())
        .await
        .unwrap();
    assert_eq!(response.status, 204);
    assert!(response.body.is_empty());
    assert_eq!(response.retries, 0);

    let seen = server.requests();
    assert_eq!(seen.len(), 1);
    let r = &seen[0];
    assert_eq!(r.method, "POST");
    assert_eq!(
        r.target,
        "/beta/applications/app-1/synchronization/jobs/job-1/microsoft.graph.start\
         ?$select=id,displayName&$filter=a%20eq%20%27b%26c%27"
    );
    assert_eq!(
        r.header_all("authorization"),
        vec![format!("Bearer {TOKEN}")]
    );
    assert!(is_uuid_v4(r.header("client-request-id").unwrap()));
    assert_eq!(
        r.header("sdkversion"),
        Some(concat!("mgbeta-rust/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(
        r.header("user-agent"),
        Some(concat!("mgbeta-rust/", env!("CARGO_PKG_VERSION")))
    );
    assert_eq!(r.header("consistencylevel"), Some("eventual"));
    assert_eq!(r.header("retry-attempt"), None);
}

#[tokio::test]
async fn json_body_is_sent_with_content_type() {
    let server = TestServer::always(Reply::json(200, r#"{"id":"x"}"#)).await;
    let client = builder(&server).build().unwrap();
    let mut request = common::api_request(
        Method::PATCH,
        "/applications/{application-id}",
        "/applications/a",
    );
    request.body = Some(serde_json::json!({"displayName": "Ünïcode app"}));
    let response = client
        .send(request, &RequestOptions::default())
        .await
        .unwrap();
    let value: serde_json::Value = response.json().unwrap();
    assert_eq!(value["id"], "x");
    let r = &server.requests()[0];
    assert_eq!(r.method, "PATCH");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let sent: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(sent["displayName"], "Ünïcode app");
}

#[tokio::test]
async fn raw_body_is_sent_as_bytes_with_its_media_type() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).build().unwrap();
    let mut request = common::api_request(Method::PUT, "/applications/{application-id}/logo", "/applications/a/logo");
    let bytes: Vec<u8> = (0..=255u8).collect();
    request.headers.push(("Content-Type".into(), "image/png".into()));
    request.raw_body = Some(bytes.clone());
    client.send(request, &RequestOptions::default()).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.method, "PUT");
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert_eq!(r.body, bytes, "every byte value arrives unchanged");
}

#[tokio::test]
async fn hostile_ids_arrive_as_exactly_one_segment() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).build().unwrap();
    let ids = [
        "a/b",
        "x?y=1",
        "frag#ment",
        "100%",
        "with space",
        "ünï😀",
        "...",
        "a+b&c=d;e",
        "%2e%2e",
        "\\",
    ];
    for id in ids {
        client
            .send(start_job(id, "job").unwrap(), &RequestOptions::default())
            .await
            .unwrap();
    }
    let seen = server.requests();
    assert_eq!(seen.len(), ids.len());
    for (id, r) in ids.iter().zip(&seen) {
        assert!(!r.target.contains('?'), "query leaked into {}", r.target);
        let segments: Vec<&str> = r.path().split('/').collect();
        // "", "beta", "applications", <id>, "synchronization", "jobs", "job", "microsoft.graph.start"
        assert_eq!(segments.len(), 8, "{id:?} -> {}", r.target);
        assert_eq!(decode(segments[3]), *id);
        assert_eq!(segments[7], "microsoft.graph.start");
    }
}

#[test]
fn segment_encoding_table() {
    assert_eq!(segment("Id", "a/b").unwrap(), "a%2Fb");
    assert_eq!(segment("Id", "a?b#c%d e").unwrap(), "a%3Fb%23c%25d%20e");
    assert_eq!(segment("Id", "é").unwrap(), "%C3%A9");
    assert_eq!(segment("Id", "AZaz09-._~").unwrap(), "AZaz09-._~");
    assert_eq!(segment("Id", "'(x)'").unwrap(), "%27%28x%29%27");
    assert_eq!(quoted_key("AppId", "o'neil").unwrap(), "o%27%27neil");
    assert_eq!(query_component("a b+c&d=e#f"), "a%20b%2Bc%26d%3De%23f");
    assert_eq!(
        query_component("startswith(displayName,'x')"),
        "startswith(displayName,%27x%27)"
    );
}

#[tokio::test]
async fn dot_and_empty_ids_are_rejected_before_sending() {
    let server = TestServer::always(Reply::status(204)).await;
    for bad in ["", ".", ".."] {
        let err = start_job("app", bad).unwrap_err();
        match &err {
            Error::InvalidPathParameter { name, reason } => {
                assert_eq!(*name, "SynchronizationJobId");
                assert!(!reason.is_empty());
            }
            other => panic!("unexpected {other:?}"),
        }
        assert!(err.to_string().contains("SynchronizationJobId"), "{err}");
    }
    assert!(quoted_key("AppId", "").is_err());
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn caller_headers_cannot_override_builtins() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).build().unwrap();
    let mut request = start_job("a", "b").unwrap();
    request.headers = vec![("If-Match".into(), "W/\"1\"".into())];
    let options = RequestOptions {
        headers: vec![
            ("Authorization".into(), "Bearer evil".into()),
            ("client-request-id".into(), "fixed-id".into()),
            ("SdkVersion".into(), "evil/1.0".into()),
            ("X-Custom".into(), "yes".into()),
            ("If-Match".into(), "W/\"2\"".into()),
        ],
        ..Default::default()
    };
    client.send(request, &options).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(
        r.header_all("authorization"),
        vec![format!("Bearer {TOKEN}")]
    );
    assert_eq!(r.header_all("client-request-id").len(), 1);
    assert_ne!(r.header("client-request-id"), Some("fixed-id"));
    assert_eq!(
        r.header_all("sdkversion"),
        vec![concat!("mgbeta-rust/", env!("CARGO_PKG_VERSION"))]
    );
    assert_eq!(r.header("x-custom"), Some("yes"));
    // Declared header first, caller's after it.
    assert_eq!(r.header_all("if-match"), vec!["W/\"1\"", "W/\"2\""]);
}

#[tokio::test]
async fn invalid_caller_header_is_an_argument_error_without_the_value() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).build().unwrap();
    let options = RequestOptions {
        headers: vec![("X-Key".into(), "secret\nvalue".into())],
        ..Default::default()
    };
    let err = client
        .send(start_job("a", "b").unwrap(), &options)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert!(!err.to_string().contains("secret"));
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn client_request_id_is_fresh_for_every_request() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).build().unwrap();
    for _ in 0..3 {
        client
            .send(start_job("a", "b").unwrap(), &RequestOptions::default())
            .await
            .unwrap();
    }
    let ids: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("client-request-id").unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| is_uuid_v4(id)));
    assert_ne!(ids[0], ids[1]);
    assert_ne!(ids[1], ids[2]);
    assert_ne!(ids[0], ids[2]);
}

#[tokio::test]
async fn missing_token_sends_nothing() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = builder(&server).token_provider(NoToken).build().unwrap();
    let err = client
        .send(start_job("a", "b").unwrap(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err, Error::MissingToken);
    assert!(err.to_string().contains("not sent"), "{err}");

    let client = builder(&server)
        .token_provider(EnvToken::new("MGBETA_TEST_VARIABLE_THAT_IS_NEVER_SET"))
        .build()
        .unwrap();
    let err = client
        .send(start_job("a", "b").unwrap(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err, Error::MissingToken);
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn base_url_defaults_and_validation() {
    let client = Client::new(NoToken).unwrap();
    assert_eq!(client.base_url(), "https://graph.microsoft.com");
    let client = Client::builder()
        .base_url("https://example.test/v1.0///")
        .build()
        .unwrap();
    assert_eq!(client.base_url(), "https://example.test/v1.0");
    for bad in ["not a url", "ftp://x/y", "https://x/y?q=1"] {
        let err = Client::builder().base_url(bad).build().unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad}: {err:?}");
    }
}

#[tokio::test]
async fn unanswered_request_times_out_quickly() {
    let server = TestServer::always(Reply::Hang).await;
    let client = builder(&server)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = Instant::now();
    let err = client
        .send(start_job("a", "b").unwrap(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    match &err {
        Error::Transport {
            kind: TransportKind::Timeout,
            ..
        } => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert!(!format!("{err:?}").contains(TOKEN));
}

#[tokio::test]
async fn refused_connection_is_a_connect_error() {
    // Bind then drop to get a port that is (almost certainly) closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let client = Client::builder()
        .base_url(format!("http://127.0.0.1:{port}/beta"))
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
        .build()
        .unwrap();
    let err = client
        .send(start_job("a", "b").unwrap(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            }
        ),
        "{err:?}"
    );
}

#[tokio::test]
async fn dropping_the_future_cancels_the_request() {
    let server = TestServer::always(Reply::Hang).await;
    let client = builder(&server).build().unwrap();
    let options = RequestOptions::default();
    let send = client.send(start_job("a", "b").unwrap(), &options);
    tokio::select! {
        _ = send => panic!("the server never answers"),
        _ = tokio::time::sleep(Duration::from_millis(300)) => {}
    }
    // The dropped call must close its connection rather than leave it open.
    let deadline = Instant::now() + Duration::from_secs(5);
    while server.hung_closed.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "connection was not closed after the future was dropped"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn oversized_success_body_is_refused() {
    // With a Content-Length, and chunked (no Content-Length to trust).
    for reply in [Reply::json(200, &"x".repeat(10_000)), Reply::json(200, &"y".repeat(10_000)).chunked()] {
        let server = TestServer::always(reply).await;
        let client = builder(&server).max_body_bytes(1024).build().unwrap();
        let err = client
            .send(start_job("a", "b").unwrap(), &RequestOptions::default())
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Transport { kind: TransportKind::Body, .. }), "{err:?}");
    }
}

#[tokio::test]
async fn secrets_never_appear_in_debug_or_display() {
    let server = TestServer::always(
        Reply::json(
            401,
            r#"{"error":{"code":"InvalidAuthenticationToken","message":"Access token is empty."}}"#,
        )
        .header("Set-Cookie", format!("session={TOKEN}").as_str()),
    )
    .await;
    let proxy = ProxyConfig::new("http://user:uri-pass-456@127.0.0.1:9")
        .with_credential("u", "proxy-pass-789");
    let client = builder(&server).build().unwrap();
    let with_proxy = builder(&server).proxy(proxy.clone()).build().unwrap();
    let err = client
        .send(start_job("a", "b").unwrap(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(401));
    let texts = [
        format!("{client:?}"),
        format!("{with_proxy:?}"),
        format!("{proxy:?}"),
        format!("{err:?}"),
        format!("{err}"),
        format!("{:?}", err.api().unwrap()),
        format!("{:?}", StaticToken(Secret::new(TOKEN))),
        format!(
            "{:?}",
            RequestOptions {
                headers: vec![("X-Api-Key".into(), TOKEN.into())],
                ..Default::default()
            }
        ),
    ];
    for text in &texts {
        for secret in [TOKEN, "uri-pass-456", "proxy-pass-789"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
    }
    assert_eq!(format!("{:?}", Secret::new("x")), "***");
    assert_eq!(Secret::new("x").to_string(), "***");
    assert_eq!(Secret::new("x").expose(), "x");
}

#[tokio::test]
async fn client_is_clone_and_shared_across_tasks() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = Arc::new(builder(&server).build().unwrap());
    let mut tasks = Vec::new();
    for i in 0..8 {
        let client = client.as_ref().clone();
        tasks.push(tokio::spawn(async move {
            client
                .send(
                    start_job(&format!("app{i}"), "j").unwrap(),
                    &RequestOptions::default(),
                )
                .await
        }));
    }
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(server.count(), 8);
}

#[tokio::test]
async fn idempotent_request_is_resent_once_when_the_connection_dies() {
    let server = TestServer::start(|n, _| {
        if n == 0 {
            Reply::Drop
        } else {
            Reply::status(204)
        }
    })
    .await;
    let client = builder(&server).build().unwrap();
    let get = common::api_request(
        Method::GET,
        "/applications/{application-id}",
        "/applications/a",
    );
    let response = client.send(get, &RequestOptions::default()).await.unwrap();
    assert_eq!(response.retries, 1);
    assert_eq!(server.count(), 2);

    // POST might have been acted on: not repeated.
    let server = TestServer::start(|n, _| {
        if n == 0 {
            Reply::Drop
        } else {
            Reply::status(204)
        }
    })
    .await;
    let client = builder(&server).build().unwrap();
    let err = client
        .send(start_job("a", "b").unwrap(), &RequestOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.count(), 1);

    // A connection that keeps dying is reported after the one resend.
    let server = TestServer::always(Reply::Drop).await;
    let client = builder(&server).build().unwrap();
    let get = common::api_request(
        Method::GET,
        "/applications/{application-id}",
        "/applications/a",
    );
    let err = client
        .send(get, &RequestOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn plain_http_answer_to_https_is_a_tls_error() {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            let _ = stream.shutdown().await;
        }
    });
    let client = Client::builder()
        .base_url(format!("https://127.0.0.1:{port}/beta"))
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
        .build()
        .unwrap();
    let err = client
        .send(start_job("a", "b").unwrap(), &RequestOptions::default())
        .await
        .unwrap_err();
    task.abort();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportKind::Tls,
                ..
            }
        ),
        "{err:?}"
    );
}
