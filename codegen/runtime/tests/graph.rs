//! Paging streams, typed `$batch`, delta links, upload sessions and service
//! warnings, in the typed client and through the CLI driver, against
//! loopback servers, with operations and cmdlets written by hand the way
//! the generator writes them. (tests/graph_client.rs in the workspace runs
//! the same features on operations generated from the real documents.)

mod common;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use common::{Ran, Recorded, Reply, TestServer};
use mg_runtime::batch::Batch;
use mg_runtime::binder::{CmdletMeta, Common, ParamMeta as P, ParamType as T};
use mg_runtime::cli::Registry;
use mg_runtime::client::{Client, RequestOptions, RetryPolicy, StaticToken};
use mg_runtime::error::{Error, Secret};
use mg_runtime::paging::DeltaLink;
use mg_runtime::plan::{Bind, Cmdlet, Plan};
use mg_runtime::request::{
    ApiVersion, BodyKind, Delta, Json, Method, NoContent, OpParam, Operation, Paged, Request, ResponseKind, Upload,
};
use mg_runtime::upload::{CHUNK_UNIT, UploadOptions};
use serde_json::{Value, json};

const TOKEN: &str = "tok-graph-features-secret";

// ---------------------------------------------------------------------------
// Operations and cmdlets, as generated code writes them.

/// `GET /things`, paged (no version path: the server is the whole root).
static LIST: Operation = Operation {
    id: "thing_ListThing",
    method: Method::Get,
    version: ApiVersion::new(""),
    path: "/things",
    segments: &["/things"],
    params: &[],
    body: BodyKind::None,
    response: ResponseKind::Paged("@odata.nextLink"),
};

/// `GET /things/delta()`.
static DELTA: Operation = Operation {
    id: "thing_delta",
    method: Method::Get,
    version: ApiVersion::new(""),
    path: "/things/delta()",
    segments: &["/things/delta()"],
    params: &[],
    body: BodyKind::None,
    response: ResponseKind::Delta("@odata.nextLink"),
};

/// `POST /things/{thing-id}/createUploadSession`.
static UPLOAD: Operation = Operation {
    id: "thing_createUploadSession",
    method: Method::Post,
    version: ApiVersion::new(""),
    path: "/things/{thing-id}/createUploadSession",
    segments: &["/things/", "/createUploadSession"],
    params: &[OpParam::path("thing-id", "ThingId")],
    body: BodyKind::Json,
    response: ResponseKind::UploadSession,
};

/// `GET /things/{thing-id}` of v1.0.
static GET_V1: Operation = Operation {
    id: "thing_GetThing",
    method: Method::Get,
    version: ApiVersion::V1_0,
    path: "/things/{thing-id}",
    segments: &["/things/", ""],
    params: &[OpParam::path("thing-id", "ThingId")],
    body: BodyKind::None,
    response: ResponseKind::Json,
};

/// `PATCH /things/{thing-id}` of v1.0.
static PATCH_V1: Operation = Operation {
    id: "thing_UpdateThing",
    method: Method::Patch,
    version: ApiVersion::V1_0,
    path: "/things/{thing-id}",
    segments: &["/things/", ""],
    params: &[OpParam::path("thing-id", "ThingId")],
    body: BodyKind::Json,
    response: ResponseKind::NoContent,
};

/// `GET /widgets/{widget-id}` of beta.
static GET_BETA: Operation = Operation {
    id: "widget_GetWidget",
    method: Method::Get,
    version: ApiVersion::BETA,
    path: "/widgets/{widget-id}",
    segments: &["/widgets/", ""],
    params: &[OpParam::path("widget-id", "WidgetId")],
    body: BodyKind::None,
    response: ResponseKind::Json,
};

fn get_thing(id: &str) -> Request<Json<Value>> {
    Request::new(&GET_V1, &[id])
}

fn patch_thing(id: &str) -> Request<NoContent> {
    Request::new(&PATCH_V1, &[id]).body(&json!({"displayName": id}))
}

fn get_widget(id: &str) -> Request<Json<Value>> {
    Request::new(&GET_BETA, &[id])
}

static GET_THING: Cmdlet = Cmdlet {
    meta: CmdletMeta {
        name: "Get-MgThing",
        default_set: "Get",
        sets: &["Get", "GetViaIdentity", "List"],
        params: &[
            P::new("All", T::Switch, &[2]),
            P::new("InputObject", T::Identity, &[1]).mandatory(&[1]).pipeline(&[1]).typed("ITestIdentity"),
            P::new("PageSize", T::Int32, &[2]),
            P::new("ThingId", T::String, &[0]).mandatory(&[0]),
        ],
        common: Common::new(false, false, true),
    },
    aliases: &[],
    plans: &[Plan::new(&GET_V1, &[Bind::Key(3, 0)]), Plan::new(&GET_V1, &[Bind::Identity(1)]), Plan::new(&LIST, &[])],
    help: "",
};

static GET_THING_DELTA: Cmdlet = Cmdlet {
    meta: CmdletMeta {
        name: "Get-MgThingDelta",
        default_set: "Delta",
        sets: &["Delta"],
        params: &[
            P::new("All", T::Switch, &[0]),
            P::new("DeltaLink", T::String, &[0]),
            P::new("DeltaLinkVariable", T::String, &[0]).alias(&["DLV"]),
            P::new("PageSize", T::Int32, &[0]),
        ],
        common: Common::new(false, false, true),
    },
    aliases: &[],
    plans: &[Plan::new(&DELTA, &[])],
    help: "",
};

static NEW_UPLOAD_SESSION: Cmdlet = Cmdlet {
    meta: CmdletMeta {
        name: "New-MgThingUploadSession",
        default_set: "Create",
        sets: &["Create"],
        params: &[
            P::new("BodyParameter", T::Object, &[0]),
            P::new("ThingId", T::String, &[0]).mandatory(&[0]),
            P::new("UploadFile", T::String, &[0]),
        ],
        common: Common::new(false, true, true),
    },
    aliases: &[],
    plans: &[Plan::new(&UPLOAD, &[Bind::Key(1, 0), Bind::Body(0)])],
    help: "",
};

static CMDLETS: [&Cmdlet; 3] = [&GET_THING, &GET_THING_DELTA, &NEW_UPLOAD_SESSION];

fn client(server: &TestServer) -> Client {
    Client::builder()
        .base_url(server.url())
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
        .retry(RetryPolicy { max_retries: 3, delay: Duration::from_millis(1), max_wait: Duration::from_millis(50) })
        .build()
        .expect("client")
}

async fn cli(server: &TestServer, args: &[&str], stdin: &str, stderr_is_terminal: bool) -> Ran {
    common::run_cli(&Registry::new(&[&CMDLETS]), server, TOKEN, args, stdin, stdin.is_empty(), stderr_is_terminal).await
}

fn query(r: &Recorded) -> &str {
    r.target.split_once('?').map_or("", |(_, q)| q)
}

fn decoded_query(r: &Recorded) -> String {
    common::decode(query(r))
}

// ---------------------------------------------------------------------------
// Paging

/// A server of `pages` pages of two numbers each, linked by absolute next
/// links below its own root.
async fn numbered_pages(pages: usize) -> TestServer {
    let base: Arc<OnceLock<String>> = Arc::default();
    let known = base.clone();
    let server = TestServer::start(move |_, r| {
        let page: usize = decoded_query(r).split('&').find_map(|kv| kv.strip_prefix("page=")).and_then(|p| p.parse().ok()).unwrap_or(0);
        let mut body = json!({"value": [page * 2, page * 2 + 1]});
        if page + 1 < pages {
            body["@odata.nextLink"] = json!(format!("{}/things?page={}", known.get().map_or("", String::as_str), page + 1));
        }
        Reply::json(200, &body.to_string())
    })
    .await;
    base.set(server.url()).expect("once");
    server
}

#[tokio::test]
async fn items_stream_page_by_page_and_ask_for_a_page_only_when_needed() {
    let server = numbered_pages(4).await;
    let client = client(&server);
    let mut items = Request::<Paged<Value, i64>>::new(&LIST, &[]).page_size(2).items(&client);
    assert_eq!(server.count(), 0, "nothing is sent before the first item is asked for");
    assert_eq!(items.next().await.expect("an item").expect("ok"), 0);
    assert_eq!(items.next().await.expect("an item").expect("ok"), 1);
    assert_eq!(server.count(), 1, "the second page waits until the first is used up");
    assert_eq!(items.next().await.expect("an item").expect("ok"), 2);
    assert_eq!(server.count(), 2);
    let mut rest = vec![];
    while let Some(item) = items.next().await {
        rest.push(item.expect("ok"));
    }
    assert_eq!(rest, [3, 4, 5, 6, 7]);
    assert_eq!((server.count(), items.pages_read()), (4, 4));
    let first = &server.requests()[0];
    assert_eq!(decoded_query(first), "$top=2");
    assert_eq!(first.header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    // Also a futures Stream.
    let all: Vec<i64> = futures::StreamExt::collect::<Vec<_>>(Request::<Paged<Value, i64>>::new(&LIST, &[]).items(&client))
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .expect("ok");
    assert_eq!(all, (0..8).collect::<Vec<_>>());
    // A page size Graph does not take is refused before sending.
    let err = Request::<Paged<Value, i64>>::new(&LIST, &[]).page_size(1000).items(&client).to_vec().await.expect_err("refused");
    assert!(err.to_string().contains("between 1 and 999"), "{err}");
    assert_eq!(server.count(), 8);
}

#[tokio::test]
async fn a_next_link_to_another_origin_ends_the_stream_after_its_page() {
    let thief = TestServer::always(Reply::json(200, r#"{"value":[99]}"#)).await;
    let elsewhere = format!("{}/things?page=1", thief.url());
    let server = TestServer::always(Reply::json(200, &json!({"value": [1, 2], "@odata.nextLink": elsewhere}).to_string())).await;
    let mut items = Request::<Paged<Value, i64>>::new(&LIST, &[]).items(&client(&server));
    assert_eq!(items.next().await.expect("item").expect("ok"), 1);
    assert_eq!(items.next().await.expect("item").expect("ok"), 2);
    let err = items.next().await.expect("the error").expect_err("refused");
    assert!(err.to_string().contains("next link outside"), "{err}");
    assert!(items.next().await.is_none());
    assert_eq!((server.count(), thief.count()), (1, 0), "the token never went to the other origin");
}

#[tokio::test]
async fn delta_rounds_return_a_link_that_resumes_them() {
    let base: Arc<OnceLock<String>> = Arc::default();
    let known = base.clone();
    let server = TestServer::start(move |_, r| {
        let root = known.get().cloned().unwrap_or_default();
        let q = decoded_query(r);
        let body = if q.contains("$deltatoken=t1") {
            json!({"value": [9], "@odata.deltaLink": format!("{root}/things/delta()?$deltatoken=t2")})
        } else if q.contains("$skiptoken=p2") {
            json!({"value": [3], "@odata.deltaLink": format!("{root}/things/delta()?$deltatoken=t1")})
        } else {
            json!({"value": [1, 2], "@odata.nextLink": format!("{root}/things/delta()?$skiptoken=p2")})
        };
        Reply::json(200, &body.to_string())
    })
    .await;
    base.set(server.url()).expect("once");
    let client_of = client;
    let client = client(&server);
    let delta = || Request::<Delta<Value, i64>>::new(&DELTA, &[]);
    let round = delta().page_size(5).delta(&client).await.expect("first round");
    assert_eq!(round.items, [1, 2, 3]);
    assert_eq!(round.delta_link.operation, "thing_delta");
    assert_eq!(round.delta_link.as_str(), format!("{}/things/delta()?$deltatoken=t1", server.url()));
    let first = &server.requests()[0];
    assert_eq!(first.header("prefer"), Some("odata.maxpagesize=5"), "delta functions take no $top");
    assert_eq!(query(first), "");

    // Stored and read back, it resumes the changes.
    let stored = serde_json::to_string(&round.delta_link).expect("serialises");
    let link: DeltaLink = serde_json::from_str(&stored).expect("deserialises");
    let mut items = delta().resume(&link).items(&client);
    assert_eq!(items.next().await.expect("item").expect("ok"), 9);
    assert!(items.next().await.is_none());
    assert_eq!(items.delta_link().expect("link").link, format!("{}/things/delta()?$deltatoken=t2", server.url()));
    assert!(decoded_query(&server.requests()[2]).contains("$deltatoken=t1"));

    // A link of another operation, or to another origin, is refused unsent.
    let other = DeltaLink { operation: "user_delta".into(), link: link.link.clone() };
    let err = delta().resume(&other).delta(&client).await.expect_err("refused");
    assert!(err.to_string().contains("returned by user_delta"), "{err}");
    let away = DeltaLink { operation: "thing_delta".into(), link: "http://127.0.0.2:9/things/delta()?$deltatoken=x".into() };
    let err = delta().resume(&away).delta(&client).await.expect_err("refused");
    assert!(err.to_string().contains("outside"), "{err}");
    // A round whose last page has no delta link says so.
    let plain = TestServer::always(Reply::json(200, r#"{"value":[1]}"#)).await;
    let err = delta().delta(&client_of(&plain)).await.expect_err("no link");
    assert!(err.to_string().contains("@odata.deltaLink"), "{err}");
    assert_eq!(server.count(), 3);
}

// ---------------------------------------------------------------------------
// $batch

/// One `$batch` call as the server saw it.
#[derive(Debug, Clone)]
struct BatchCall {
    path: String,
    requests: Vec<Value>,
}

/// A `$batch` endpoint: answers each request with `answer(call number,
/// request)`, except that a request whose dependency was answered with
/// anything but 2xx in the same call gets 424, as Graph does.
async fn batch_server(answer: impl Fn(usize, &Value) -> (u16, Value) + Send + Sync + 'static) -> (TestServer, Arc<Mutex<Vec<BatchCall>>>) {
    let calls: Arc<Mutex<Vec<BatchCall>>> = Arc::default();
    let seen = calls.clone();
    let server = TestServer::start(move |_, r| {
        if r.method != "POST" || !r.path().ends_with("/$batch") {
            return Reply::status(404);
        }
        let document: Value = serde_json::from_slice(&r.body).expect("a JSON batch");
        let requests = document["requests"].as_array().cloned().unwrap_or_default();
        let call = {
            let mut calls = seen.lock().unwrap();
            calls.push(BatchCall { path: r.path().to_owned(), requests: requests.clone() });
            calls.len() - 1
        };
        let mut statuses: Vec<(String, u16)> = Vec::new();
        let mut responses = Vec::new();
        for request in &requests {
            let id = request["id"].as_str().unwrap_or("").to_owned();
            let failed_dependency = request["dependsOn"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .any(|d| statuses.iter().any(|(i, s)| i == d && !(200..300).contains(s)));
            let (status, body) = if failed_dependency {
                (424, json!({"error": {"code": "FailedDependency", "message": "A dependency failed."}}))
            } else {
                answer(call, request)
            };
            let mut headers = json!({"Content-Type": "application/json"});
            if status == 429 {
                headers["Retry-After"] = json!("0");
            }
            statuses.push((id.clone(), status));
            let mut response = json!({"id": id, "status": status, "headers": headers});
            if !body.is_null() {
                response["body"] = body;
            }
            responses.push(response);
        }
        // Graph answers in any order.
        responses.reverse();
        Reply::json(200, &json!({"responses": responses}).to_string())
    })
    .await;
    (server, calls)
}

fn thing_answer(_: usize, request: &Value) -> (u16, Value) {
    let url = request["url"].as_str().unwrap_or("");
    let id = url.rsplit('/').next().unwrap_or("");
    match request["method"].as_str() {
        Some("GET") if id == "missing" => (404, json!({"error": {"code": "Request_ResourceNotFound", "message": format!("{id} does not exist.")}})),
        Some("GET") => (200, json!({"id": id})),
        Some("PATCH") => (204, Value::Null),
        _ => (405, Value::Null),
    }
}

#[tokio::test]
async fn a_batch_goes_in_calls_of_twenty_one_version_each_dependencies_together() {
    let (server, calls) = batch_server(thing_answer).await;
    let client = client(&server);
    let mut batch = Batch::new();
    let mut things = Vec::new();
    for i in 0..23 {
        things.push(batch.add(get_thing(&format!("t{i}"))));
    }
    let widget = batch.add(get_widget("w1"));
    let read = batch.add(get_thing("chained"));
    let update = batch.add_after(patch_thing("chained"), &[read.id()]);
    let missing = batch.add(get_thing("missing"));
    let after_missing = batch.add_after(patch_thing("missing"), &[missing.id()]);
    assert_eq!(batch.len(), 28);
    let mut results = batch.send(&client).await;
    for (i, thing) in things.iter().enumerate() {
        assert_eq!(results.take(thing).expect("ok")["id"], json!(format!("t{i}")));
    }
    assert_eq!(results.take(&widget).expect("ok")["id"], "w1");
    assert_eq!(results.take(&read).expect("ok")["id"], "chained");
    results.take(&update).expect("PATCH answered 204");
    assert_eq!(results.take(&missing).expect_err("404").status(), Some(404));
    let err = results.take(&after_missing).expect_err("failed dependency");
    assert_eq!(err.status(), Some(424));
    assert!(results.take(&widget).is_err(), "a result is taken once");

    let calls = calls.lock().unwrap().clone();
    // 27 v1.0 requests in 20 + 7, the beta one alone.
    let sizes: Vec<(String, usize)> = calls.iter().map(|c| (c.path.clone(), c.requests.len())).collect();
    assert_eq!(sizes, [("/v1.0/$batch".to_owned(), 20), ("/v1.0/$batch".to_owned(), 7), ("/beta/$batch".to_owned(), 1)]);
    for call in &calls {
        for request in &call.requests {
            let url = request["url"].as_str().unwrap();
            assert_eq!(url.starts_with("/widgets/"), call.path == "/beta/$batch", "{url} in {}", call.path);
            // Every dependency is in the same call.
            for dep in request["dependsOn"].as_array().into_iter().flatten() {
                assert!(call.requests.iter().any(|r| &r["id"] == dep), "{dep} not with {request}");
            }
        }
    }
    let patch = calls.iter().flat_map(|c| &c.requests).find(|r| r["url"] == "/things/chained" && r["method"] == "PATCH").unwrap();
    assert_eq!(patch["body"], json!({"displayName": "chained"}));
    assert_eq!(patch["headers"]["Content-Type"], "application/json");
    assert_eq!(patch["dependsOn"], json!([read.id().index().to_string()]));
    // The $batch calls carry the token; the requests inside carry none.
    assert!(server.requests().iter().all(|r| r.header("authorization") == Some(format!("Bearer {TOKEN}").as_str())));
    assert!(!calls.iter().flat_map(|c| &c.requests).any(|r| r.to_string().contains(TOKEN)));
}

#[tokio::test]
async fn throttled_batch_requests_are_retried_with_what_depends_on_them() {
    // `slow` is throttled on its first call; `busy` is throttled on every call.
    let (server, calls) = batch_server(|call, request| {
        let url = request["url"].as_str().unwrap_or("");
        match (url, call) {
            ("/things/slow", 0) if request["method"] == "GET" => (429, json!({"error": {"code": "TooManyRequests", "message": "Slow down."}})),
            ("/things/busy", _) => (503, json!({"error": {"code": "ServiceUnavailable", "message": "Busy."}})),
            _ => thing_answer(call, request),
        }
    })
    .await;
    let client = client(&server);
    let mut batch = Batch::new();
    let fine = batch.add(get_thing("fine"));
    let slow = batch.add(get_thing("slow"));
    let after_slow = batch.add_after(patch_thing("slow"), &[slow.id()]);
    let busy = batch.add(get_thing("busy"));
    let mut results = batch.send(&client).await;
    assert_eq!(results.take(&fine).expect("ok")["id"], "fine");
    let slow_response = results.take_response(slow.id()).expect("answered on the retry");
    assert_eq!(slow_response.retries, 1);
    results.take(&after_slow).expect("re-sent with its dependency, and answered");
    match results.take(&busy).expect_err("503 every time") {
        Error::TooManyRetries { retries, last } => assert_eq!((retries, last.status), (3, 503)),
        other => panic!("expected too many retries, got {other}"),
    }
    let calls = calls.lock().unwrap().clone();
    let urls = |c: &BatchCall| -> Vec<String> {
        c.requests.iter().map(|r| format!("{} {}", r["method"].as_str().unwrap(), r["url"].as_str().unwrap())).collect()
    };
    assert_eq!(calls.len(), 4, "{calls:?}");
    assert_eq!(urls(&calls[1]), ["GET /things/slow", "PATCH /things/slow", "GET /things/busy"]);
    assert_eq!(calls[1].requests[1]["dependsOn"], json!([slow.id().index().to_string()]), "the dependency is kept");
    assert_eq!(calls[1].requests[0]["headers"]["Retry-Attempt"], "1");
    assert_eq!(urls(&calls[3]), ["GET /things/busy"]);
}

#[tokio::test]
async fn batches_that_cannot_be_sent_are_refused_with_their_reason() {
    let (server, calls) = batch_server(thing_answer).await;
    let client = client(&server);
    let mut batch = Batch::new();
    // A chain of 21.
    let mut previous = batch.add(get_thing("c0")).id();
    for i in 1..21 {
        previous = batch.add_after(get_thing(&format!("c{i}")), &[previous]).id();
    }
    // A dependency across versions.
    let v1 = batch.add(get_thing("x"));
    let beta = batch.add_after(get_widget("y"), &[v1.id()]);
    // A request that cannot be built, and one that depends on it.
    let empty = batch.add(get_thing(""));
    let after_empty = batch.add_after(patch_thing("z"), &[empty.id()]);
    let fine = batch.add(get_thing("fine"));
    let mut results = batch.send(&client).await;
    let err = results.take_response(previous).expect_err("too long").to_string();
    assert!(err.contains("more than the 20 one $batch holds"), "{err}");
    let err = results.take(&beta).expect_err("two versions").to_string();
    assert!(err.contains("different API versions"), "{err}");
    assert!(results.take(&v1).is_err());
    assert!(matches!(results.take(&empty), Err(Error::InvalidPathParameter { .. })));
    assert!(results.take(&after_empty).expect_err("joined").to_string().contains("could not be built"));
    assert_eq!(results.take(&fine).expect("ok")["id"], "fine");
    let calls = calls.lock().unwrap().clone();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].requests.len(), 1, "only the request that could go went");
}

// ---------------------------------------------------------------------------
// Upload sessions

/// The upload host (another origin than Graph): takes chunks, fails the
/// second PUT once after keeping only part of it, reports its state on GET.
struct UploadHost {
    server: TestServer,
    received: Arc<Mutex<Vec<u8>>>,
}

async fn upload_host(total: usize, final_body: Option<Value>) -> UploadHost {
    let received: Arc<Mutex<Vec<u8>>> = Arc::default();
    let store = received.clone();
    let puts = Arc::new(Mutex::new(0usize));
    let server = TestServer::start(move |_, r| {
        let mut data = store.lock().unwrap();
        if r.method == "GET" {
            return Reply::json(200, &json!({"nextExpectedRanges": [format!("{}-", data.len())]}).to_string());
        }
        let range = r.header("content-range").unwrap_or("").to_owned();
        let (start, rest) = range.trim_start_matches("bytes ").split_once('-').unwrap();
        let start: usize = start.parse().unwrap();
        let end: usize = rest.split('/').next().unwrap().parse().unwrap();
        assert_eq!(end + 1 - start, r.body.len(), "Content-Range matches the body");
        assert_eq!(start, data.len(), "chunks come in order, from where the session stands");
        let mut n = puts.lock().unwrap();
        *n += 1;
        if *n == 2 {
            // Half of the chunk arrived, then the server failed.
            data.extend_from_slice(&r.body[..r.body.len() / 2]);
            return Reply::status(500).header("Retry-After", "0");
        }
        data.extend_from_slice(&r.body);
        if data.len() < total {
            return Reply::json(202, &json!({"nextExpectedRanges": [format!("{}-{}", data.len(), total - 1)]}).to_string());
        }
        match &final_body {
            Some(body) => Reply::json(201, &body.to_string()),
            None => Reply::status(201).header("Location", "https://graph.example/attachments/a1"),
        }
    })
    .await;
    UploadHost { server, received }
}

fn file_of(len: usize) -> (tempfile_path::TempPath, Vec<u8>) {
    let bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    let path = tempfile_path::TempPath::new("upload.bin");
    std::fs::write(path.path(), &bytes).expect("write");
    (path, bytes)
}

/// A file in the temp folder, removed when dropped.
mod tempfile_path {
    pub struct TempPath(std::path::PathBuf);
    impl TempPath {
        pub fn new(name: &str) -> TempPath {
            static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = N.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let dir = std::env::temp_dir().join(format!("mg-runtime-graph-{}-{n}", std::process::id()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            TempPath(dir.join(name))
        }
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for TempPath {
        fn drop(&mut self) {
            if let Some(dir) = self.0.parent() {
                let _ = std::fs::remove_dir_all(dir);
            }
        }
    }
}

/// A Graph stand-in whose createUploadSession points at `host`.
async fn graph_with_session(host: &TestServer) -> TestServer {
    let url = format!("{}/up/session-1?tempauth=pre-authorised", host.url());
    TestServer::always(Reply::json(200, &json!({"uploadUrl": url, "nextExpectedRanges": ["0-"]}).to_string())).await
}

#[tokio::test]
async fn an_upload_resumes_from_the_sessions_next_expected_range_without_the_token() {
    let total = 3 * CHUNK_UNIT + 1000;
    let host = upload_host(total, Some(json!({"id": "item-1", "name": "upload.bin", "size": total}))).await;
    let graph = graph_with_session(&host.server).await;
    let (file, bytes) = file_of(total);
    let seen: Arc<Mutex<Vec<u64>>> = Arc::default();
    let record = seen.clone();
    let options = UploadOptions {
        chunk_size: CHUNK_UNIT,
        progress: Some(Arc::new(move |p: &mg_runtime::upload::UploadProgress| record.lock().unwrap().push(p.uploaded))),
        ..UploadOptions::default()
    };
    let request = Request::<Upload<Value>>::new(&UPLOAD, &["t1"]).body(&json!({"item": {"name": "upload.bin"}}));
    let done = request.upload_file(&client(&graph), file.path(), &options).await.expect("uploaded");
    assert_eq!((done.status, done.size, done.resumed), (201, total as u64, 1));
    assert_eq!(done.body.expect("the item")["id"], "item-1");
    assert_eq!(*host.received.lock().unwrap(), bytes, "the file arrived whole, in order");
    // The session was created with the token; no chunk (nor the status
    // query) carried it, nor any Authorization at all.
    assert_eq!(graph.requests()[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let host_requests = host.server.requests();
    assert!(host_requests.iter().all(|r| r.header("authorization").is_none()), "{host_requests:?}");
    assert!(host_requests.iter().all(|r| !format!("{r:?}").contains(TOKEN)));
    let methods: Vec<&str> = host_requests.iter().map(|r| r.method.as_str()).collect();
    assert_eq!(methods, ["PUT", "PUT", "GET", "PUT", "PUT"], "the failed chunk resumed from its middle");
    // Every chunk but the last is a multiple of 320 KiB.
    let puts: Vec<usize> = host_requests.iter().filter(|r| r.method == "PUT").map(|r| r.body.len()).collect();
    assert!(puts[..puts.len() - 1].iter().all(|n| n % CHUNK_UNIT == 0), "{puts:?}");
    let progress = seen.lock().unwrap().clone();
    assert_eq!(progress.last(), Some(&(total as u64)));
    assert!(progress.windows(2).all(|w| w[0] <= w[1]), "{progress:?}");
}

#[tokio::test]
async fn uploads_check_the_url_the_chunk_size_and_the_file_before_sending() {
    let graph = TestServer::always(Reply::json(200, r#"{"uploadUrl":"http://203.0.113.9/up?tempauth=x"}"#)).await;
    let (file, _) = file_of(10);
    let request = || Request::<Upload<Value>>::new(&UPLOAD, &["t1"]).body(&json!({}));
    let err = request().upload_file(&client(&graph), file.path(), &UploadOptions::default()).await.expect_err("plain http elsewhere");
    assert!(err.to_string().contains("not an https URL"), "{err}");
    assert!(!err.to_string().contains("203.0.113.9"), "the URL is a credential: {err}");
    let odd = UploadOptions { chunk_size: CHUNK_UNIT + 1, ..UploadOptions::default() };
    let err = request().upload_file(&client(&graph), file.path(), &odd).await.expect_err("odd chunk");
    assert!(err.to_string().contains("multiple of 327,680"), "{err}");
    let empty = tempfile_path::TempPath::new("empty.bin");
    std::fs::write(empty.path(), b"").expect("write");
    let err = request().upload_file(&client(&graph), empty.path(), &UploadOptions::default()).await.expect_err("empty");
    assert!(err.to_string().contains("is empty"), "{err}");
    let err = request().upload_file(&client(&graph), "/no/such/file", &UploadOptions::default()).await.expect_err("missing");
    assert!(err.to_string().contains("cannot read"), "{err}");
    assert_eq!(graph.count(), 1, "only the first call created a session");
}

// ---------------------------------------------------------------------------
// Service warnings

#[tokio::test]
async fn warning_headers_reach_the_response_and_a_tracing_event() {
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id, Record};
    use tracing::{Event, Metadata, Subscriber};
    #[derive(Clone, Default)]
    struct Events(Arc<Mutex<Vec<(String, String)>>>);
    struct Message<'a>(&'a mut String);
    impl Visit for Message<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            if field.name() == "warning" {
                *self.0 = format!("{value:?}");
            }
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            if field.name() == "warning" {
                *self.0 = value.to_owned();
            }
        }
    }
    impl Subscriber for Events {
        fn enabled(&self, _: &Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &Attributes<'_>) -> Id {
            Id::from_u64(1)
        }
        fn record(&self, _: &Id, _: &Record<'_>) {}
        fn record_follows_from(&self, _: &Id, _: &Id) {}
        fn event(&self, event: &Event<'_>) {
            let mut warning = String::new();
            event.record(&mut Message(&mut warning));
            if !warning.is_empty() {
                self.0.lock().unwrap().push((event.metadata().target().to_owned(), warning));
            }
        }
        fn enter(&self, _: &Id) {}
        fn exit(&self, _: &Id) {}
    }
    let events = Events::default();
    let _guard = tracing::subscriber::set_default(events.clone());
    let server = TestServer::always(
        Reply::json(200, r#"{"id":"t1"}"#).header("Warning", "199 - \"This API is deprecated\"").header("Warning", "299 - \"Degraded\""),
    )
    .await;
    let response = get_thing("t1").send_full(&client(&server), &RequestOptions::default()).await.expect("ok");
    assert_eq!(response.value["id"], "t1");
    assert_eq!(response.warnings, ["199 - \"This API is deprecated\"", "299 - \"Degraded\""]);
    let seen = events.0.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            ("mg_runtime::warning".to_owned(), "199 - \"This API is deprecated\"".to_owned()),
            ("mg_runtime::warning".to_owned(), "299 - \"Degraded\"".to_owned()),
        ]
    );
}

// ---------------------------------------------------------------------------
// The CLI

#[tokio::test]
async fn cli_batch_sends_pipeline_objects_in_batches_and_writes_each_result() {
    let (server, calls) = batch_server(thing_answer).await;
    let input: String = (0..23).map(|i| format!("{{\"ThingId\":\"p{i}\"}}\n")).chain(["{\"ThingId\":\"missing\"}\n".to_owned()]).collect();
    let ran = cli(&server, &["Get-MgThing", "-Batch"], &input, false).await;
    assert_eq!(ran.code, 1, "the missing one failed: {}", ran.stderr);
    let outputs: Vec<Value> = serde_json::Deserializer::from_str(&ran.stdout).into_iter().map(|v| v.expect("JSON")).collect();
    let ids: Vec<&str> = outputs.iter().map(|o| o["id"].as_str().unwrap()).collect();
    let expected: Vec<String> = (0..23).map(|i| format!("p{i}")).collect();
    assert_eq!(ids, expected, "in input order");
    assert!(ran.stderr.starts_with("Get-MgThing_GetViaIdentity: missing does not exist."), "{}", ran.stderr);
    let calls = calls.lock().unwrap().clone();
    let sizes: Vec<usize> = calls.iter().map(|c| c.requests.len()).collect();
    assert_eq!(sizes, [20, 4]);
    assert_eq!(server.count(), 2, "nothing but the two $batch calls");

    // -All reads pages, which a $batch cannot: refused, nothing sent.
    let ran = cli(&server, &["Get-MgThing", "-All", "-Batch"], "", false).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("-All cannot be used with -Batch"), "{}", ran.stderr);
    assert_eq!(server.count(), 2);
}

#[tokio::test]
async fn cli_lists_stream_their_items_and_delta_links_go_out_and_back() {
    let base: Arc<OnceLock<String>> = Arc::default();
    let known = base.clone();
    let server = TestServer::start(move |_, r| {
        let root = known.get().cloned().unwrap_or_default();
        let q = decoded_query(r);
        let body = if q.contains("$deltatoken=t1") {
            json!({"value": [{"id": "changed"}], "@odata.deltaLink": format!("{root}/things/delta()?$deltatoken=t2")})
        } else if q.contains("$skiptoken=p2") {
            json!({"value": [{"id": "c"}], "@odata.deltaLink": format!("{root}/things/delta()?$deltatoken=t1")})
        } else {
            json!({"value": [{"id": "a"}, {"id": "b"}], "@odata.nextLink": format!("{root}/things/delta()?$skiptoken=p2")})
        };
        Reply::json(200, &body.to_string())
    })
    .await;
    base.set(server.url()).expect("once");
    let ran = cli(&server, &["Get-MgThingDelta", "-All", "-DeltaLinkVariable", "dl"], "", false).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "[\n  {\n    \"id\": \"a\"\n  },\n  {\n    \"id\": \"b\"\n  },\n  {\n    \"id\": \"c\"\n  }\n]\n");
    let link = format!("{}/things/delta()?$deltatoken=t1", server.url());
    assert_eq!(ran.stderr.trim(), json!({"dl": link}).to_string());
    // Fed back, it returns the changes since.
    let ran = cli(&server, &["Get-MgThingDelta", "-All", "-DeltaLink", &link, "-DLV", "next"], "", false).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stdout, "[\n  {\n    \"id\": \"changed\"\n  }\n]\n");
    assert!(ran.stderr.contains("$deltatoken=t2"), "{}", ran.stderr);
    assert_eq!(server.count(), 3);
    // Without -All the delta link is not reached: a warning says so.
    let ran = cli(&server, &["Get-MgThingDelta", "-DeltaLinkVariable", "dl"], "", false).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stderr.contains("WARNING: -DeltaLinkVariable dl: the service has more pages"), "{}", ran.stderr);
    // A link to another origin is refused before anything is sent.
    let ran = cli(&server, &["Get-MgThingDelta", "-DeltaLink", "http://127.0.0.2:9/things/delta()?$deltatoken=t1"], "", false).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.contains("-DeltaLink must be a link the service returned"), "{}", ran.stderr);
    assert_eq!(server.count(), 4);
}

#[tokio::test]
async fn cli_uploads_show_progress_on_a_terminal_unless_silenced() {
    let total = 16 * CHUNK_UNIT * 2 + 5;
    let (file, bytes) = file_of(total);
    let path = file.path().to_str().expect("UTF-8 path").to_owned();
    for (args, shows) in [(vec![], true), (vec!["-ProgressAction", "SilentlyContinue"], false)] {
        let host = upload_host(total, None).await;
        let graph = graph_with_session(&host.server).await;
        let mut all = vec!["New-MgThingUploadSession", "-ThingId", "t1", "-BodyParameter", "{\"AttachmentItem\":{\"name\":\"a.bin\"}}", "-UploadFile", &path, "-ResponseHeadersVariable", "h"];
        all.extend(args);
        let ran = cli(&graph, &all, "", true).await;
        assert_eq!((ran.code, ran.stdout.as_str()), (0, ""), "{}", ran.stderr);
        assert_eq!(*host.received.lock().unwrap(), bytes);
        assert!(host.server.requests().iter().all(|r| r.header("authorization").is_none()));
        assert!(ran.stderr.contains("\"Location\":[\"https://graph.example/attachments/a1\"]") || ran.stderr.contains("https://graph.example/attachments/a1"), "{}", ran.stderr);
        assert_eq!(ran.stderr.contains("Uploading upload.bin: "), shows, "{:?}", ran.stderr);
        assert!(!ran.stderr.contains("tempauth"), "the upload URL is never shown: {}", ran.stderr);
    }
    // -UploadFile with a file that is not there sends nothing.
    let host = upload_host(total, None).await;
    let graph = graph_with_session(&host.server).await;
    let ran = cli(&graph, &["New-MgThingUploadSession", "-ThingId", "t1", "-UploadFile", "/no/such/file"], "", false).await;
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert_eq!(graph.count(), 0);
}

#[tokio::test]
async fn cli_writes_service_warnings_as_warning_lines() {
    let server = TestServer::always(Reply::json(200, r#"{"id":"t1"}"#).header("Warning", "199 - \"This API is deprecated\"")).await;
    let ran = cli(&server, &["Get-MgThing", "-ThingId", "t1"], "", false).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stderr, "WARNING: 199 - \"This API is deprecated\"\n");
    let ran = cli(&server, &["Get-MgThing", "-ThingId", "t1", "-WarningAction", "SilentlyContinue"], "", false).await;
    assert_eq!((ran.code, ran.stderr.as_str()), (0, ""));
    let ran = cli(&server, &["Get-MgThing", "-ThingId", "t1", "-WarningAction", "Stop"], "", false).await;
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("\"WarningPreference\" or common parameter is set to Stop"), "{}", ran.stderr);
    // With -Batch, each answer's warnings come with its output.
    let batch = TestServer::always(Reply::json(
        200,
        &json!({"responses": [{"id": "0", "status": 200, "headers": {"Content-Type": "application/json", "Warning": "199 - \"Old\""}, "body": {"id": "t1"}}]})
            .to_string(),
    ))
    .await;
    let ran = cli(&batch, &["Get-MgThing", "-Batch"], "{\"ThingId\":\"t1\"}", false).await;
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert_eq!(ran.stderr, "WARNING: 199 - \"Old\"\n");
    assert_eq!(ran.stdout, "{\n  \"id\": \"t1\"\n}\n");
}
