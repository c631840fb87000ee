//! The client against a hostile server: garbage status lines, broken and
//! endless headers, bodies of hundreds of megabytes, bodies that never end,
//! slow drips, deeply nested and random JSON. Every call must come back
//! (well within its timeout) with a typed error or a response, never a
//! panic, and must not read more than the configured body cap.
//!
//! The server is a raw `TcpListener` on 127.0.0.1 that reads the request
//! head and then writes exactly the bytes a test scripts.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use mg_runtime::client::{ApiRequest, Client, ClientBuilder, RequestOptions, RetryPolicy, StaticToken};
use mg_runtime::error::{Error, ErrorBody, Secret, TransportKind};
use mg_runtime::pipeline::{parse_http_date, parse_retry_after};
use reqwest::Method;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[path = "common/mod.rs"]
mod common;
use common::api_request;

const TOKEN: &str = "hostile-token-0c4f9e";

/// What the server does after reading a request head.
#[derive(Clone)]
enum Script {
    /// Write these bytes, then close.
    Write(Vec<u8>),
    /// Write `head`, then `chunk` again and again until the client goes away.
    Endless { head: Vec<u8>, chunk: Vec<u8> },
    /// Write `head`, then one byte of `drip` every `every`, forever.
    Drip { head: Vec<u8>, drip: Vec<u8>, every: Duration },
}

struct Server {
    url: String,
    /// Bytes the server managed to write, over all connections.
    written: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(script: Script) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind loopback");
    let url = format!("http://{}/beta", listener.local_addr().expect("address"));
    let written = Arc::new(AtomicUsize::new(0));
    let counter = written.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(answer(stream, script.clone(), counter.clone()));
        }
    });
    Server { url, written, task }
}

async fn answer(mut stream: TcpStream, script: Script, written: Arc<AtomicUsize>) {
    if read_head(&mut stream).await.is_none() {
        return;
    }
    let mut write = async |bytes: &[u8]| -> bool {
        let ok = stream.write_all(bytes).await.is_ok();
        if ok {
            written.fetch_add(bytes.len(), Ordering::Relaxed);
        }
        ok
    };
    match script {
        Script::Write(bytes) => {
            write(&bytes).await;
        }
        Script::Endless { head, chunk } => {
            if write(&head).await {
                while write(&chunk).await {}
            }
        }
        Script::Drip { head, drip, every } => {
            if write(&head).await {
                for byte in drip.iter().cycle() {
                    if !write(std::slice::from_ref(byte)).await {
                        break;
                    }
                    tokio::time::sleep(every).await;
                }
            }
        }
    }
    let _ = stream.shutdown().await;
}

/// Reads up to the end of the request head (and any body the client sends
/// with a Content-Length, which ours never exceed a few bytes of).
async fn read_head(stream: &mut TcpStream) -> Option<()> {
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = stream.read(&mut buf).await.ok()?;
        if n == 0 || seen.len() > 1 << 20 {
            return None;
        }
        seen.extend_from_slice(&buf[..n]);
    }
    Some(())
}

fn builder(server: &Server) -> ClientBuilder {
    Client::builder()
        .base_url(server.url.clone())
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(3))
        .retry(RetryPolicy { max_retries: 0, delay: Duration::from_millis(1), max_wait: Duration::from_millis(10) })
}

/// POST, so nothing is re-sent on a dropped connection.
fn request() -> ApiRequest {
    api_request(Method::POST, "/things/{thing-id}/microsoft.graph.start", "/things/t/microsoft.graph.start")
}

/// Sends one request; fails the test if the call outlives `limit` (the
/// client's own timeouts must fire first) or leaks the token.
async fn send(client: &Client, limit: Duration) -> Result<mg_runtime::client::ApiResponse, Error> {
    let started = Instant::now();
    let result = tokio::time::timeout(limit, client.send(request(), &RequestOptions::default()))
        .await
        .unwrap_or_else(|_| panic!("the call did not come back within {limit:?}"));
    assert!(started.elapsed() <= limit);
    if let Err(e) = &result {
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains(TOKEN), "the token leaked: {shown}");
    }
    result
}

fn transport_kind(result: &Result<mg_runtime::client::ApiResponse, Error>) -> Option<TransportKind> {
    match result {
        Err(Error::Transport { kind, .. }) => Some(*kind),
        _ => None,
    }
}

#[tokio::test]
async fn garbage_status_lines_are_transport_errors() {
    let cases: &[&[u8]] = &[
        b"",
        b"\r\n\r\n",
        b"NOT HTTP AT ALL\r\n\r\n",
        b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 2000 Too Big\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 -1 Negative\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/9.9 200 OK\r\nContent-Length: 0\r\n\r\n",
        b"HTTP/1.1 200\0OK\r\nContent-Length: 0\r\n\r\n",
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
        b"\xff\xfe\xfd\x00\x00garbage",
        b"HTTP/1.1 200 OK\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
    ];
    for bytes in cases {
        let server = serve(Script::Write(bytes.to_vec())).await;
        let client = builder(&server).build().expect("client");
        let result = send(&client, Duration::from_secs(10)).await;
        assert!(
            matches!(result, Err(Error::Transport { .. })),
            "{:?}: expected a transport error, got {result:?}",
            String::from_utf8_lossy(bytes)
        );
    }
}

#[tokio::test]
async fn odd_but_parsable_statuses_are_api_errors() {
    for status in [0u16, 99, 100, 101, 199, 299, 304, 600, 999] {
        let head = format!("HTTP/1.1 {status} Odd\r\nContent-Length: 2\r\n\r\n{{}}");
        let server = serve(Script::Write(head.into_bytes())).await;
        let client = builder(&server).build().expect("client");
        let result = send(&client, Duration::from_secs(10)).await;
        match &result {
            Ok(response) => assert!((200..300).contains(&response.status), "{status}: {response:?}"),
            Err(Error::Api(api)) => {
                assert_eq!(api.status, status);
                let _ = api.to_string();
            }
            Err(Error::Transport { .. }) => {} // hyper refuses some (0, 1xx as a final answer)
            Err(other) => panic!("{status}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn broken_headers_are_transport_errors() {
    let long_value = "v".repeat(1 << 20);
    let many: String = (0..10_000).map(|i| format!("X-H{i}: v\r\n")).collect();
    let cases: Vec<Vec<u8>> = vec![
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nBad Name: v\r\nContent-Length: 0\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nhello".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello".to_vec(),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n".to_vec(),
        format!("HTTP/1.1 200 OK\r\nX-Long: {long_value}\r\nContent-Length: 0\r\n\r\n").into_bytes(),
        format!("HTTP/1.1 200 OK\r\n{many}Content-Length: 0\r\n\r\n").into_bytes(),
    ];
    for bytes in cases {
        let server = serve(Script::Write(bytes.clone())).await;
        let client = builder(&server).build().expect("client");
        let result = send(&client, Duration::from_secs(10)).await;
        let shown: String = String::from_utf8_lossy(&bytes).chars().take(80).collect();
        assert!(matches!(result, Err(Error::Transport { .. })), "{shown:?}: expected a transport error, got {result:?}");
    }
}

#[tokio::test]
async fn odd_header_bytes_are_kept_without_panicking() {
    let bytes = b"HTTP/1.1 404 Not Found\r\nX-Latin1: caf\xe9\r\nrequest-id: \xff\xfe\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    let server = serve(Script::Write(bytes.to_vec())).await;
    let client = builder(&server).build().expect("client");
    match send(&client, Duration::from_secs(10)).await {
        Err(Error::Api(api)) => {
            assert_eq!(api.status, 404);
            assert!(api.headers.get("x-latin1").is_some_and(|v| v.starts_with("caf")));
            let _ = format!("{api} {api:?}");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn never_ending_headers_stop_at_the_header_limit() {
    let server = serve(Script::Endless {
        head: b"HTTP/1.1 200 OK\r\n".to_vec(),
        chunk: b"X-More: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n".to_vec(),
    })
    .await;
    let client = builder(&server).build().expect("client");
    let result = send(&client, Duration::from_secs(10)).await;
    assert!(matches!(result, Err(Error::Transport { .. })), "{result:?}");
    // hyper gives up after its header buffer (about 400 kB), not at the timeout.
    assert!(server.written.load(Ordering::Relaxed) < 64 << 20);
}

/// A success body that never ends: the client reads up to its cap and
/// stops, however much the server offers.
#[tokio::test]
async fn endless_success_body_stops_at_the_cap() {
    for chunked in [false, true] {
        let head = if chunked {
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()
        } else {
            // Announces 500 MB; the cap must not trust it for the allocation either.
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 524288000\r\n\r\n".to_vec()
        };
        let chunk = if chunked { format!("{:x}\r\n{}\r\n", 64 * 1024, "a".repeat(64 * 1024)).into_bytes() } else { vec![b'a'; 64 * 1024] };
        let server = serve(Script::Endless { head, chunk }).await;
        let client = builder(&server).max_body_bytes(1 << 20).build().expect("client");
        let result = send(&client, Duration::from_secs(10)).await;
        assert_eq!(transport_kind(&result), Some(TransportKind::Body), "chunked={chunked}: {result:?}");
        let message = result.expect_err("capped").to_string();
        assert!(message.contains("1048576"), "the error names the limit: {message}");
    }
}

/// The default cap (64 MB) against a 300 MB body: refused after the cap,
/// quickly, without buffering the rest.
#[tokio::test]
async fn hundreds_of_megabytes_hit_the_default_cap() {
    let head = b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 314572800\r\n\r\n".to_vec();
    let server = serve(Script::Endless { head, chunk: vec![0u8; 256 * 1024] }).await;
    let client = builder(&server).timeout(Duration::from_secs(20)).build().expect("client");
    let result = send(&client, Duration::from_secs(30)).await;
    assert_eq!(transport_kind(&result), Some(TransportKind::Body), "{result:?}");
    // The server could write at most the cap plus what sits in socket buffers.
    let written = server.written.load(Ordering::Relaxed);
    assert!(written < 300 << 20, "{written} bytes were pulled from the server");
}

/// An error body that never ends: the error is reported with the first
/// megabyte at most, and Display prints only its head.
#[tokio::test]
async fn endless_error_body_is_cut_and_reported() {
    let head = b"HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    let chunk = format!("{:x}\r\n{}\r\n", 8192, "e".repeat(8192)).into_bytes();
    let server = serve(Script::Endless { head, chunk }).await;
    let client = builder(&server).build().expect("client");
    match send(&client, Duration::from_secs(10)).await {
        Err(Error::Api(api)) => {
            assert_eq!(api.status, 500);
            match &api.body {
                ErrorBody::Raw(text) => assert!(text.len() <= 1 << 20, "{} bytes kept", text.len()),
                other => panic!("expected a raw body, got {other:?}"),
            }
            assert!(api.to_string().len() < 16 * 1024, "Display is bounded");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// One byte every 100 ms: the request timeout covers the body as well as
/// the head, so the drip cannot hold the call open.
#[tokio::test]
async fn slow_drip_responses_time_out() {
    let every = Duration::from_millis(100);
    let cases = [
        ("status line", Script::Drip { head: Vec::new(), drip: b"HTTP/1.1 200 OK\r\nX-A: b\r\n".to_vec(), every }),
        ("headers", Script::Drip { head: b"HTTP/1.1 200 OK\r\n".to_vec(), drip: b"X-Slow: a\r\n".to_vec(), every }),
        (
            "body",
            Script::Drip {
                head: b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n".to_vec(),
                drip: b"[1,".to_vec(),
                every,
            },
        ),
        (
            "error body",
            Script::Drip {
                head: b"HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec(),
                drip: b"1\r\nx\r\n".to_vec(),
                every,
            },
        ),
    ];
    for (what, script) in cases {
        let server = serve(script).await;
        let client = builder(&server).timeout(Duration::from_millis(800)).build().expect("client");
        let started = Instant::now();
        let result = send(&client, Duration::from_secs(10)).await;
        assert!(started.elapsed() < Duration::from_secs(5), "{what}: took {:?}", started.elapsed());
        match (what, &result) {
            // A dripping error body is cut at the timeout; the status is kept.
            ("error body", Err(Error::Api(api))) => assert_eq!(api.status, 503),
            (_, Err(Error::Transport { kind: TransportKind::Timeout | TransportKind::Body, .. })) => {}
            _ => panic!("{what}: expected a timeout, got {result:?}"),
        }
    }
}

#[tokio::test]
async fn hostile_json_bodies_are_decode_errors() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let bodies: Vec<String> = vec![
        deep.clone(),
        format!("{{\"a\":{}1{}}}", "{\"a\":".repeat(50_000), "}".repeat(50_000)),
        "{\"value\": [1, 2,".to_owned(),
        "\u{feff}{}".to_owned(),
        "1e999999".to_owned(),
        "\"\\ud800\"".to_owned(),
        "not json at all".to_owned(),
    ];
    for body in bodies {
        let head = format!("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
        let server = serve(Script::Write([head.into_bytes(), body.clone().into_bytes()].concat())).await;
        let client = builder(&server).build().expect("client");
        let response = send(&client, Duration::from_secs(10)).await.expect("a 200 answer");
        // Decoding into anything must fail cleanly (serde_json's depth limit), not overflow the stack.
        let decoded = response.json::<serde_json::Value>();
        if let Err(e) = &decoded {
            assert!(matches!(e, Error::Decode(_)), "{e:?}");
        }
    }

    // The same shapes as error bodies: classified as raw text, displayed in part.
    for body in [deep, "{\"error\": {\"code\": ".to_owned() + &"[".repeat(10_000)] {
        let head = format!("HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n", body.len());
        let server = serve(Script::Write([head.into_bytes(), body.into_bytes()].concat())).await;
        let client = builder(&server).build().expect("client");
        match send(&client, Duration::from_secs(10)).await {
            Err(Error::Api(api)) => {
                assert!(matches!(api.body, ErrorBody::Raw(_)), "{:?}", api.body);
                assert!(api.to_string().len() < 16 * 1024);
            }
            other => panic!("expected an API error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn hostile_retry_after_values_are_capped() {
    for value in ["99999999999999999999999999", "-5", "1e9", "Fri, 31 Dec 9999 23:59:59 GMT", "garbage", ""] {
        let head = format!("HTTP/1.1 503 Service Unavailable\r\nRetry-After: {value}\r\nContent-Length: 0\r\n\r\n");
        let server = serve(Script::Write(head.into_bytes())).await;
        let client = builder(&server)
            .retry(RetryPolicy { max_retries: 2, delay: Duration::from_millis(1), max_wait: Duration::from_millis(50) })
            .build()
            .expect("client");
        let started = Instant::now();
        let result = send(&client, Duration::from_secs(10)).await;
        assert!(started.elapsed() < Duration::from_secs(5), "{value:?}: waited {:?}", started.elapsed());
        assert!(matches!(result, Err(Error::TooManyRetries { retries: 2, .. })), "{value:?}: {result:?}");
    }
}

/// The hand-written date and delay parsers on junk: never a panic.
#[test]
fn retry_after_parser_survives_junk() {
    let now = std::time::SystemTime::now();
    let mut junk: Vec<String> = [
        "", " ", ",", "-", ":", "::", "Sun", "Nov", "Sun, 06 Nov", "Sun, 06 Nov 1994", "Sun, 06 Nov 1994 08:49",
        "Sun, 99 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 99999999999999999999 08:49:37 GMT", "Sun, 06 Nov -1 08:49:37 GMT",
        "Sun, 06 Nov 1994 99:99:99 GMT", "Sun, 06 Nov 1994 08:49:37:12:13 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994", "Nov Nov Nov 1:2:3", "18446744073709551616", "0", "١٢٣", "Sun, 06 Növ 1994 08:49:37 GMT",
        "Sun, 06 Nov 0 00:00:00 GMT", "Sun, 31 Feb 2023 08:49:37 GMT", "Sun, 06 Nov 1994 -8:-9:-7 GMT",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // And some pseudo-random strings over the characters dates use.
    let alphabet: Vec<char> = "0123456789 ,-:GMTSunNovDec\t+".chars().collect();
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    for _ in 0..2_000 {
        let len = (next(&mut state) % 40) as usize;
        junk.push((0..len).map(|_| alphabet[(next(&mut state) % alphabet.len() as u64) as usize]).collect());
    }
    for value in &junk {
        let _ = parse_http_date(value);
        let _ = parse_retry_after(value, now);
        let _ = RetryPolicy::default().delay_for(7, Some(value), now);
    }
}

fn next(state: &mut u64) -> u64 {
    // xorshift64*: a fixed, repeatable stream.
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

/// Random status lines, headers and bodies built from pieces servers get
/// wrong: every call ends in a response or a typed error.
#[tokio::test]
async fn random_responses_never_panic() {
    let statuses = ["200 OK", "204 No Content", "404 Not Found", "500 Oops", "503 Busy", "302 Found", "418 Teapot", "abc", "", "2000 X", "200"];
    let versions = ["HTTP/1.1", "HTTP/1.0", "HTTP/2", "http/1.1", "HTTP/1.1 ", ""];
    let headers = [
        "Content-Type: application/json",
        "Content-Type: text/html; charset=utf-32",
        "Content-Length: 0",
        "Content-Length: 3",
        "Content-Length: 18446744073709551616",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: identity",
        "Retry-After: 0",
        "Retry-After: 99999999999",
        "Location: //evil/",
        "Location: http://[::1",
        "request-id: \u{0}",
        "Connection: close",
        "Content-Encoding: gzip",
        ": no name",
        "X-\u{7f}: del",
        "X-Dup: 1",
        "X-Dup: 2",
    ];
    let bodies: [&[u8]; 8] = [
        b"",
        b"{}",
        b"{\"error\":{\"code\":\"x\",\"message\":\"y\"}}",
        b"{\"error\":{\"code\":1,\"message\":[\"y\"],\"innerError\":{\"date\":{}}}}",
        b"0\r\n\r\n",
        b"5\r\nhello\r\n0\r\n\r\n",
        b"\xff\xfe\x00\x01",
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    ];
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut pick = |n: usize| (next(&mut state) % n as u64) as usize;
    for _ in 0..150 {
        let mut response = format!("{} {}\r\n", versions[pick(versions.len())], statuses[pick(statuses.len())]).into_bytes();
        for _ in 0..pick(5) {
            response.extend_from_slice(headers[pick(headers.len())].as_bytes());
            response.extend_from_slice(b"\r\n");
        }
        if pick(4) != 0 {
            response.extend_from_slice(b"\r\n");
        }
        response.extend_from_slice(bodies[pick(bodies.len())]);
        if pick(8) == 0 {
            // A few raw random bytes as well.
            response.extend((0..pick(64)).map(|_| pick(256) as u8));
        }
        let server = serve(Script::Write(response.clone())).await;
        let client = builder(&server).timeout(Duration::from_millis(1500)).build().expect("client");
        let result = send(&client, Duration::from_secs(10)).await;
        if let Err(e) = &result {
            // Every error renders, in both forms.
            let _ = format!("{e} {e:?}");
        }
        if let Ok(ok) = &result {
            assert!((200..300).contains(&ok.status), "{:?}: {ok:?}", String::from_utf8_lossy(&response));
        }
    }
}
