//! The pipeline: retries (429/503/504), 401 renewal, caller steps.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use common::{Reply, TestServer};
use mg_runtime::client::{
    ApiRequest, Client, ClientBuilder, RequestOptions, RetryPolicy, StaticToken, TokenFuture,
    TokenProvider, token_fn,
};
use mg_runtime::error::{Error, Secret};
use mg_runtime::pipeline::{Next, StepFuture, parse_http_date, parse_retry_after, step};
use reqwest::Method;

const TOKEN: &str = "tok-pipeline-secret";
const THROTTLED: &str = r#"{"error":{"code":"TooManyRequests","message":"Too many requests.","innerError":{"date":"2024-03-12T10:00:00","request-id":"r-1"}}}"#;

fn builder(server: &TestServer, retry: RetryPolicy) -> ClientBuilder {
    Client::builder()
        .base_url(format!("{}/beta", server.url()))
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
        .retry(retry)
}

fn fast(max_retries: u32) -> RetryPolicy {
    RetryPolicy {
        max_retries,
        delay: Duration::from_millis(1),
        max_wait: Duration::from_millis(20),
    }
}

fn request() -> ApiRequest {
    common::api_request(
        Method::POST,
        "/applications/{application-id}/microsoft.graph.start",
        "/applications/a/microsoft.graph.start",
    )
}

async fn send(client: &Client) -> Result<mg_runtime::client::ApiResponse, Error> {
    client.send(request(), &RequestOptions::default()).await
}

fn attempts(server: &TestServer) -> Vec<Option<String>> {
    server
        .requests()
        .iter()
        .map(|r| r.header("retry-attempt").map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn retry_after_zero_and_past_dates_are_honoured() {
    // A 60 s base delay: if Retry-After were ignored, this test would hang.
    let server = TestServer::start(|n, _| match n {
        0 => Reply::json(429, THROTTLED).header("Retry-After", "0"),
        1 => Reply::status(503).header("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"),
        2 => Reply::status(504).header("Retry-After", "Sunday, 06-Nov-94 08:49:37 GMT"),
        _ => Reply::status(204),
    })
    .await;
    let policy = RetryPolicy {
        max_retries: 3,
        delay: Duration::from_secs(60),
        max_wait: Duration::from_secs(60),
    };
    let client = builder(&server, policy).build().unwrap();
    let response = tokio::time::timeout(Duration::from_secs(10), send(&client))
        .await
        .expect("no long waits")
        .unwrap();
    assert_eq!(response.status, 204);
    assert_eq!(response.retries, 3);
    assert_eq!(
        attempts(&server),
        vec![None, Some("1".into()), Some("2".into()), Some("3".into())]
    );
    // One logical request: the correlation id stays the same across attempts.
    let ids: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("client-request-id").unwrap().to_owned())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}")))
    );
}

#[tokio::test]
async fn retry_after_seconds_are_waited() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::status(429).header("Retry-After", "1"),
        _ => Reply::status(204),
    })
    .await;
    let policy = RetryPolicy {
        max_retries: 3,
        delay: Duration::from_millis(1),
        max_wait: Duration::from_secs(5),
    };
    let client = builder(&server, policy).build().unwrap();
    let started = Instant::now();
    send(&client).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn waits_are_capped_by_max_wait() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::status(429).header("Retry-After", "3600"),
        _ => Reply::status(204),
    })
    .await;
    let client = builder(&server, fast(3)).build().unwrap();
    let started = Instant::now();
    send(&client).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn exponential_backoff_without_retry_after() {
    let server = TestServer::start(|n, _| {
        if n < 2 {
            Reply::status(504)
        } else {
            Reply::status(200)
        }
    })
    .await;
    let client = builder(&server, fast(3)).build().unwrap();
    let response = send(&client).await.unwrap();
    assert_eq!(response.retries, 2);
    assert_eq!(
        attempts(&server),
        vec![None, Some("1".into()), Some("2".into())]
    );
}

#[test]
fn delay_computation() {
    let policy = RetryPolicy::default();
    assert_eq!(policy.max_retries, 3);
    let now = UNIX_EPOCH + Duration::from_secs(784_111_777); // Sun, 06 Nov 1994 08:49:37 GMT
    assert_eq!(policy.delay_for(1, None, now), Duration::from_secs(6));
    assert_eq!(policy.delay_for(2, None, now), Duration::from_secs(12));
    assert_eq!(
        policy.delay_for(3, Some("garbage"), now),
        Duration::from_secs(24)
    );
    assert_eq!(policy.delay_for(7, None, now), Duration::from_secs(180));
    assert_eq!(
        policy.delay_for(40, None, now),
        Duration::from_secs(180),
        "no overflow"
    );
    assert_eq!(
        policy.delay_for(1, Some(" 17 "), now),
        Duration::from_secs(17)
    );
    assert_eq!(
        policy.delay_for(1, Some("99999999999999999999999"), now),
        Duration::from_secs(180)
    );
    assert_eq!(
        policy.delay_for(1, Some("Sun, 06 Nov 1994 08:51:37 GMT"), now),
        Duration::from_secs(120)
    );
    assert_eq!(
        policy.delay_for(1, Some("Sunday, 06-Nov-94 08:50:37 GMT"), now),
        Duration::from_secs(60)
    );
    assert_eq!(
        policy.delay_for(1, Some("Sun Nov  6 08:49:47 1994"), now),
        Duration::from_secs(10)
    );
    assert_eq!(
        policy.delay_for(1, Some("Sat, 05 Nov 1994 08:49:37 GMT"), now),
        Duration::ZERO
    );
    assert_eq!(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), Some(now));
    assert_eq!(
        parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"),
        Some(UNIX_EPOCH + Duration::from_secs(951_782_400))
    );
    for bad in [
        "",
        "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "06 Nov 1994",
        "1:2:3:4 Nov 1 1994",
    ] {
        assert_eq!(parse_http_date(bad), None, "{bad}");
    }
    assert_eq!(parse_retry_after("-5", SystemTime::now()), None);
    assert_eq!(
        RetryPolicy {
            max_retries: 99,
            ..policy
        }
        .effective_max_retries(),
        10
    );
}

#[tokio::test]
async fn gives_up_after_max_retries() {
    let server = TestServer::always(Reply::json(429, THROTTLED).header("Retry-After", "0")).await;
    let client = builder(&server, fast(2)).build().unwrap();
    let err = send(&client).await.unwrap_err();
    assert_eq!(server.count(), 3);
    let Error::TooManyRetries { retries, last } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*retries, 2);
    assert_eq!(last.status, 429);
    assert_eq!(last.code(), Some("TooManyRequests"));
    assert_eq!(last.retries, 2);
    assert!(err.to_string().starts_with(
        "Too many retries performed. More than 2 retries encountered while sending the request.\n\nToo many requests.\n\nStatus: 429 (TooManyRequests)\nErrorCode: TooManyRequests\n"
    ));
}

#[tokio::test]
async fn max_retries_is_clamped_to_ten() {
    let server = TestServer::always(Reply::status(503)).await;
    let policy = RetryPolicy {
        max_retries: 50,
        delay: Duration::ZERO,
        max_wait: Duration::ZERO,
    };
    let client = builder(&server, policy).build().unwrap();
    let err = send(&client).await.unwrap_err();
    assert!(
        matches!(err, Error::TooManyRetries { retries: 10, .. }),
        "{err:?}"
    );
    assert_eq!(server.count(), 11);
}

#[tokio::test]
async fn zero_retries_returns_the_throttling_error_itself() {
    let server = TestServer::always(Reply::json(429, THROTTLED)).await;
    let client = builder(&server, RetryPolicy::none()).build().unwrap();
    let err = send(&client).await.unwrap_err();
    assert!(
        matches!(&err, Error::Api(api) if api.status == 429),
        "{err:?}"
    );
    assert_eq!(server.count(), 1);
}

#[tokio::test]
async fn other_statuses_are_not_retried() {
    for status in [400, 403, 404, 409, 500, 502] {
        let server = TestServer::always(Reply::status(status)).await;
        let client = builder(&server, fast(3)).build().unwrap();
        let err = send(&client).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.count(), 1, "status {status}");
    }
}

#[tokio::test]
async fn unauthorized_is_retried_once_with_a_fresh_token() {
    let server = TestServer::start(|_, r| {
        if r.header("authorization") == Some("Bearer tok-1") {
            Reply::status(401)
        } else {
            Reply::status(204)
        }
    })
    .await;
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider = token_fn(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(Some(Secret::new(format!("tok-{n}")))) }
    });
    let client = builder(&server, fast(3))
        .token_provider(provider)
        .build()
        .unwrap();
    let response = send(&client).await.unwrap();
    assert_eq!(response.retries, 1);
    let auth: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.header("authorization").unwrap().to_owned())
        .collect();
    assert_eq!(auth, vec!["Bearer tok-1", "Bearer tok-2"]);

    // A static token is the same token again on renewal: the 401 stands
    // and the rejected token is not sent a second time.
    let server = TestServer::always(Reply::status(401)).await;
    let client = builder(&server, fast(3)).build().unwrap();
    let err = send(&client).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(server.count(), 1);

    // Still 401 with a fresh token: reported, not retried again.
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = calls.clone();
    let provider = token_fn(move || {
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move { Ok(Some(Secret::new(format!("tok-{n}")))) }
    });
    let client = builder(&server, fast(3))
        .token_provider(provider)
        .build()
        .unwrap();
    let err = send(&client).await.unwrap_err();
    assert_eq!(err.status(), Some(401));
    assert_eq!(server.count(), 3);
}

/// A caching provider: `token` returns the cached value, `renew` a new one.
struct Caching(Mutex<String>);

impl TokenProvider for Caching {
    fn token(&self) -> TokenFuture<'_> {
        let current = self.0.lock().unwrap().clone();
        Box::pin(async move { Ok(Some(Secret::new(current))) })
    }
    fn renew(&self) -> TokenFuture<'_> {
        *self.0.lock().unwrap() = "renewed".into();
        self.token()
    }
}

#[tokio::test]
async fn renew_is_used_after_401() {
    let server = TestServer::start(|_, r| {
        if r.header("authorization") == Some("Bearer renewed") {
            Reply::status(204)
        } else {
            Reply::status(401)
        }
    })
    .await;
    let client = builder(&server, fast(3))
        .token_provider(Caching(Mutex::new("stale".into())))
        .build()
        .unwrap();
    send(&client).await.unwrap();
    send(&client).await.unwrap();
    assert_eq!(
        server.count(),
        3,
        "second call uses the renewed token directly"
    );
}

#[tokio::test]
async fn steps_run_in_order_before_auth_and_after_retries() {
    let server = TestServer::start(|n, _| {
        if n < 2 {
            Reply::status(503)
        } else {
            Reply::status(200)
        }
    })
    .await;
    let client = builder(&server, fast(3)).build().unwrap();
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let recorder = |name: &'static str| {
        let log = log.clone();
        step(move |mut req: reqwest::Request, next: Next| {
            let log = log.clone();
            async move {
                let auth = req.headers().contains_key("authorization");
                let id = req.headers().contains_key("client-request-id");
                let seen: Vec<String> = req
                    .headers()
                    .get_all("x-step")
                    .iter()
                    .map(|v| v.to_str().unwrap().to_owned())
                    .collect();
                log.lock()
                    .unwrap()
                    .push(format!("{name} in auth={auth} id={id} seen={seen:?}"));
                req.headers_mut().append("x-step", name.parse().unwrap());
                let response = next.run(req).await?;
                log.lock()
                    .unwrap()
                    .push(format!("{name} out {}", response.status().as_u16()));
                Ok(response)
            }
        })
    };
    let options = RequestOptions {
        prepend: vec![recorder("p1"), recorder("p2")],
        append: vec![recorder("a1")],
        ..Default::default()
    };
    let response = client.send(request(), &options).await.unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(
        *log.lock().unwrap(),
        vec![
            "p1 in auth=false id=false seen=[]",
            "p2 in auth=false id=false seen=[\"p1\"]",
            "a1 in auth=false id=false seen=[\"p1\", \"p2\"]",
            "a1 out 200",
            "p2 out 200",
            "p1 out 200",
        ]
    );
    assert_eq!(server.count(), 3);
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.header_all("x-step") == vec!["p1", "p2", "a1"])
    );
}

#[tokio::test]
async fn a_step_can_answer_without_calling_next() {
    let server = TestServer::always(Reply::status(500)).await;
    let client = builder(&server, fast(3)).build().unwrap();
    let short_circuit = step(|_req: reqwest::Request, _next: Next| async {
        let response = http::Response::builder()
            .status(200)
            .header("x-from", "step")
            .body(r#"{"value":[]}"#.to_owned())
            .map_err(|e| Error::InvalidArgument(e.to_string()))?;
        Ok(reqwest::Response::from(response))
    });
    let options = RequestOptions {
        append: vec![short_circuit],
        ..Default::default()
    };
    let response = client.send(request(), &options).await.unwrap();
    assert_eq!(response.headers.get("x-from"), Some("step"));
    assert_eq!(response.body, br#"{"value":[]}"#);
    assert_eq!(server.count(), 0);
}

#[tokio::test]
async fn steps_see_the_give_up_error() {
    let server = TestServer::always(Reply::status(429)).await;
    let client = builder(&server, fast(1)).build().unwrap();
    let seen = Arc::new(Mutex::new(None));
    let watcher = {
        let seen = seen.clone();
        step(move |req: reqwest::Request, next: Next| {
            let seen = seen.clone();
            async move {
                let result = next.run(req).await;
                *seen.lock().unwrap() = Some(matches!(
                    result,
                    Err(Error::TooManyRetries { retries: 1, .. })
                ));
                result
            }
        })
    };
    let options = RequestOptions {
        prepend: vec![watcher],
        ..Default::default()
    };
    client.send(request(), &options).await.unwrap_err();
    assert_eq!(*seen.lock().unwrap(), Some(true));
}

#[tokio::test]
async fn next_chains_can_be_built_and_tested_alone() {
    let terminal = |req: reqwest::Request| -> StepFuture {
        Box::pin(async move {
            let tag = req
                .headers()
                .get("x-tag")
                .map(|v| v.to_str().unwrap_or("").to_owned())
                .unwrap_or_default();
            Ok(reqwest::Response::from(http::Response::new(tag)))
        })
    };
    let tagger = step(|mut req: reqwest::Request, next: Next| async move {
        req.headers_mut().insert("x-tag", "tagged".parse().unwrap());
        next.run(req).await
    });
    let chain = Next::new(vec![tagger], terminal);
    assert_eq!(chain.remaining(), 1);
    let req = reqwest::Request::new(Method::GET, "http://127.0.0.1/".parse().unwrap());
    let response = chain.run(req).await.unwrap();
    assert_eq!(response.text().await.unwrap(), "tagged");
}

/// -Debug's log: the request once (not per retry), as sent after the last
/// caller step with the built-in headers, and the final response, both with
/// credentials and secret-bearing body properties redacted.
#[tokio::test]
async fn the_debug_log_shows_the_request_once_as_sent_and_the_final_response() {
    let server = TestServer::start(|n, _| match n {
        0 => Reply::json(503, THROTTLED).header("Retry-After", "0"),
        _ => Reply::json(200, r#"{"id":"x","passwordCredential":{"secretText":"pw-123456","keyId":"k"}}"#)
            .header("request-id", "r-2"),
    })
    .await;
    let client = builder(&server, fast(3)).build().unwrap();
    let log: Arc<Mutex<Vec<String>>> = Arc::default();
    let sink = log.clone();
    let tag = step(|mut req: reqwest::Request, next: Next| async move {
        req.headers_mut().insert("x-step", reqwest::header::HeaderValue::from_static("1"));
        next.run(req).await
    });
    let options = RequestOptions {
        append: vec![tag],
        http_log: Some(Arc::new(move |block: String| sink.lock().unwrap().push(block))),
        ..Default::default()
    };
    let mut req = request();
    req.body = Some(serde_json::json!({"displayName": "d", "password": "hunter2-secret", "access_token": "at-987654"}));
    let response = client.send(req, &options).await.unwrap();
    assert_eq!((response.status, server.count()), (200, 2));
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2, "{log:#?}");
    let (sent, received) = (&log[0], &log[1]);
    assert!(sent.starts_with("============================ HTTP REQUEST ============================\n\nHTTP Method:\nPOST\n\nAbsolute Uri:\nhttp://"), "{sent}");
    for expected in [
        "x-step                        : 1\n",
        "client-request-id             : ",
        "SdkVersion                    : mgbeta-rust/",
        "Authorization                 : <redacted>\n",
        "\"displayName\": \"d\"",
        "\"password\": \"<redacted>\"",
        "\"access_token\": \"<redacted>\"",
    ] {
        assert!(sent.contains(expected), "missing {expected:?} in\n{sent}");
    }
    assert!(received.starts_with("============================ HTTP RESPONSE ============================\n\nStatus Code:\nOK\n\nHeaders:\n"), "{received}");
    for expected in ["request-id                    : r-2\n", "\"id\": \"x\"", "\"secretText\": \"<redacted>\"", "\"keyId\": \"k\""] {
        assert!(received.contains(expected), "missing {expected:?} in\n{received}");
    }
    for secret in [TOKEN, "hunter2-secret", "at-987654", "pw-123456"] {
        assert!(!sent.contains(secret) && !received.contains(secret), "{secret} logged");
    }
}

#[test]
fn the_debug_log_shows_text_and_binary_bodies_plainly() {
    use mg_runtime::pipeline::log_body;
    assert_eq!(log_body(b""), "");
    assert_eq!(log_body(b"plain text"), "plain text");
    assert_eq!(log_body(&[0xff, 0x00, 0x10]), "(3 bytes of binary content)");
    let long = "x".repeat(20_000);
    assert!(log_body(long.as_bytes()).ends_with("\nDATA TRUNCATED DUE TO SIZE"));
    assert_eq!(log_body(br#"[{"clientSecret":null,"key":"abc"}]"#), "[\n  {\n    \"clientSecret\": null,\n    \"key\": \"<redacted>\"\n  }\n]");
}
