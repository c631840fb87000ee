//! The generated crate against a real HTTP server on 127.0.0.1: the typed
//! client methods and the typed cmdlets, with their common parameters.

use std::sync::Arc;

use mg_beta_applications::operations as ops;
use mg_beta_applications::cmdlets::StartMgBetaApplicationSynchronizationJob as StartApp;
use mg_beta_applications::runtime::client::{Client, RetryPolicy, StaticToken};
use mg_beta_applications::runtime::cmdlet::{BoxFuture, CommonParameters, Host, NonInteractive, Output};
use mg_beta_applications::runtime::error::{Error, Secret};
use mg_beta_applications::IApplicationsIdentity;
use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "e2e-secret-token";
const START_PATH: &str = "/beta/applications/app-1/synchronization/jobs/job-1/microsoft.graph.start";

fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.uri())
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .retry(RetryPolicy::none())
        .build()
        .expect("client builds")
}

/// Matches the raw (still percent-encoded) request path.
fn raw_path(expected: &'static str) -> impl Fn(&Request) -> bool {
    move |r: &Request| r.url.path() == expected
}

fn graph_404() -> ResponseTemplate {
    ResponseTemplate::new(404).insert_header("request-id", "11111111-2222-3333-4444-555555555555").set_body_raw(
        r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'job-1' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2024-03-12T10:00:00","request-id":"11111111-2222-3333-4444-555555555555","client-request-id":"99999999-8888-7777-6666-555555555555"}}}"#,
        "application/json",
    )
}

#[tokio::test]
async fn client_method_sends_post_with_raw_path_and_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(raw_path(START_PATH))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    ops::application_synchronization_job_start("app-1", "job-1").send(&client(&server)).await.expect("204 is success");
}

#[tokio::test]
async fn ids_are_encoded_as_single_segments() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(raw_path("/beta/servicePrincipals/a%2Fb%3Fc%23d%25e%20f/synchronization/jobs/%C3%A9t%C3%A9/microsoft.graph.start"))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    ops::service_principal_synchronization_job_start("a/b?c#d%e f", "été").send(&client(&server)).await.expect("sent once");
}

#[tokio::test]
async fn dot_segments_are_refused_before_sending() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    for bad in ["..", ".", ""] {
        let err = ops::application_synchronization_job_start(bad, "job-1").send(&client(&server)).await.expect_err("refused");
        assert!(matches!(err, Error::InvalidPathParameter { name: "application-id", .. }), "{err:?}");
    }
}

#[tokio::test]
async fn graph_404_becomes_the_typed_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(graph_404()).mount(&server).await;
    let err = ops::application_synchronization_job_start("app-1", "job-1").send(&client(&server)).await.expect_err("404");
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.code(), Some("Request_ResourceNotFound"));
    assert!(api.message().is_some_and(|m| m.starts_with("Resource 'job-1' does not exist")));
    assert_eq!(api.request_id(), Some("11111111-2222-3333-4444-555555555555"));
    let shown = err.to_string();
    // The Graph SDK's layout: the message alone first; the code is a field
    // and an `ErrorCode:` line.
    assert!(shown.starts_with("Resource 'job-1' does not exist"), "{shown}");
    assert!(shown.contains("\n\nStatus: 404 (NotFound)\nErrorCode: Request_ResourceNotFound\n"), "{shown}");
    assert!(!shown.contains(TOKEN) && !format!("{err:?}").contains(TOKEN));
}

fn start(app: &str, job: &str) -> StartApp {
    StartApp::Start { application_id: app.into(), synchronization_job_id: job.into() }
}

#[tokio::test]
async fn passthru_writes_true_and_nothing_without_it() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(raw_path(START_PATH)).respond_with(ResponseTemplate::new(204)).expect(2).mount(&server).await;
    let c = client(&server);
    let plain = start("app-1", "job-1").invoke(&c, &CommonParameters::default(), &NonInteractive).await.expect("ok");
    assert_eq!(plain.output, Output::None);
    let common = CommonParameters { pass_thru: true, ..Default::default() };
    let passed = start("app-1", "job-1").invoke(&c, &common, &NonInteractive).await.expect("ok");
    assert_eq!(passed.output, Output::Bool(true));
}

#[tokio::test]
async fn whatif_prints_the_target_and_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let common = CommonParameters { what_if: true, ..Default::default() };
    let done = start("app-1", "job-1").invoke(&client(&server), &common, &NonInteractive).await.expect("ok");
    assert_eq!(
        done.what_if.as_deref(),
        Some("What if: Performing the operation \"Start-MgBetaApplicationSynchronizationJob_Start\" on target \"Call remote 'POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start' operation\".")
    );
}

struct Answer(bool);

impl Host for Answer {
    fn confirm<'a>(&'a self, _action: &'a str, _target: &'a str) -> BoxFuture<'a, bool> {
        let yes = self.0;
        Box::pin(async move { yes })
    }
}

#[tokio::test]
async fn declined_confirm_sends_nothing_and_accepted_sends() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;
    let c = client(&server);
    let common = CommonParameters { confirm: true, ..Default::default() };
    let no = start("app-1", "job-1").invoke(&c, &common, &Answer(false)).await.expect("ok");
    assert!(no.declined);
    let yes = start("app-1", "job-1").invoke(&c, &common, &Answer(true)).await.expect("ok");
    assert!(!yes.declined);
}

#[tokio::test]
async fn via_identity_reads_keys_and_rejects_null_or_empty_ones() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(raw_path(START_PATH)).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;
    let c = client(&server);
    let identity = IApplicationsIdentity::from_json(&serde_json::json!({
        "applicationId": "app-1", "SynchronizationJobId": "job-1", "Unrelated": 3
    }))
    .expect("an object");
    StartApp::StartViaIdentity { input_object: identity.clone() }
        .invoke(&c, &CommonParameters::default(), &NonInteractive)
        .await
        .expect("sent");
    let missing = IApplicationsIdentity { synchronization_job_id: None, ..identity.clone() };
    let err = StartApp::StartViaIdentity { input_object: missing }
        .invoke(&c, &CommonParameters::default(), &NonInteractive)
        .await
        .expect_err("null key");
    assert_eq!(err.to_string(), "InputObject has null value for InputObject.SynchronizationJobId");
    let empty = IApplicationsIdentity { application_id: Some(String::new()), ..identity };
    let err = StartApp::StartViaIdentity { input_object: empty }
        .invoke(&c, &CommonParameters::default(), &NonInteractive)
        .await
        .expect_err("empty key");
    assert_eq!(err.to_string(), "InputObject has null value for InputObject.ApplicationId");
}

#[tokio::test]
async fn headers_are_added_and_response_headers_kept_on_success_only() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(raw_path(START_PATH))
        .and(header("x-extra", "yes"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(204).insert_header("request-id", "rid-1"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(graph_404()).mount(&server).await;
    let c = client(&server);
    let common = CommonParameters {
        headers: vec![("X-Extra".into(), "yes".into()), ("Authorization".into(), "Bearer stolen".into())],
        response_headers_variable: Some("rh".into()),
        ..Default::default()
    };
    let done = start("app-1", "job-1").invoke(&c, &common, &NonInteractive).await.expect("ok");
    let (name, headers) = done.response_headers.expect("captured");
    assert_eq!(name, "rh");
    assert_eq!(headers.get("Request-Id"), Some("rid-1"));
    let failed = start("other", "job-1").invoke(&c, &common, &NonInteractive).await;
    assert!(failed.is_err(), "a failed call has no response headers to keep");
}

#[tokio::test]
async fn pipeline_steps_run_prepend_then_append_around_the_built_ins() {
    use mg_beta_applications::runtime::pipeline::step;
    use std::sync::Mutex;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(1).mount(&server).await;
    let log = Arc::new(Mutex::new(Vec::<String>::new()));
    let make = |label: &'static str| {
        let log = log.clone();
        step(move |request: reqwest::Request, next| {
            let log = log.clone();
            async move {
                let auth = request.headers().contains_key("authorization");
                log.lock().expect("log").push(format!("{label} in (auth: {auth})"));
                let response = next.run(request).await?;
                log.lock().expect("log").push(format!("{label} out ({})", response.status().as_u16()));
                Ok(response)
            }
        })
    };
    let common = CommonParameters { prepend: vec![make("prepend")], append: vec![make("append")], ..Default::default() };
    start("app-1", "job-1").invoke(&client(&server), &common, &NonInteractive).await.expect("ok");
    assert_eq!(
        *log.lock().expect("log"),
        ["prepend in (auth: false)", "append in (auth: false)", "append out (204)", "prepend out (204)"]
    );
}

struct NoDebugger;

impl Host for NoDebugger {
    fn confirm<'a>(&'a self, _action: &'a str, _target: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async { true })
    }
}

#[tokio::test]
async fn break_waits_for_a_debugger_and_the_wait_can_be_cancelled() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let common = CommonParameters { debug_break: true, ..Default::default() };
    let c = client(&server);
    // No debugger attaches in a test run: the call must still be waiting,
    // and dropping it (the timeout) must leave nothing sent.
    let waited =
        tokio::time::timeout(std::time::Duration::from_millis(300), start("app-1", "job-1").invoke(&c, &common, &NoDebugger))
            .await;
    assert!(waited.is_err(), "the cmdlet must wait for a debugger");
}

#[path = "../codegen/runtime/tests/common/tinyproxy.rs"]
mod tinyproxy;

#[tokio::test]
async fn proxy_parameters_route_the_cmdlet_through_a_real_forward_proxy() {
    use mg_beta_applications::runtime::client::ProxyConfig;
    let Some(proxy) = tinyproxy::Tinyproxy::start(Some(("alice", "proxy-pass-123"))) else { return };
    let server = MockServer::start().await;
    Mock::given(method("POST")).and(raw_path(START_PATH)).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let c = client(&server);
    let uri = format!("http://127.0.0.1:{}", proxy.port);
    let good = CommonParameters {
        pass_thru: true,
        proxy: Some(ProxyConfig::new(uri.clone()).with_credential("alice", "proxy-pass-123")),
        ..Default::default()
    };
    let done = start("app-1", "job-1").invoke(&c, &good, &NonInteractive).await.expect("through the proxy");
    assert_eq!(done.output, Output::Bool(true));
    let received = server.received_requests().await.unwrap_or_default();
    let via = received.last().and_then(|r| r.headers.get("via")).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(via.contains(tinyproxy::VIA_NAME), "the request must arrive through the proxy, Via: {via:?}");
    let bad = CommonParameters {
        proxy: Some(ProxyConfig::new(uri).with_credential("alice", "wrong-pass-456")),
        ..Default::default()
    };
    let before = server.received_requests().await.map_or(0, |r| r.len());
    let err = start("app-1", "job-1").invoke(&c, &bad, &NonInteractive).await.expect_err("proxy refuses");
    assert!(!err.to_string().contains("wrong-pass-456") && !format!("{err:?}").contains("wrong-pass-456"));
    assert_eq!(server.received_requests().await.map_or(0, |r| r.len()), before, "nothing reaches the server");
}

/// A paged list operation and its cmdlet, written by hand as the generator
/// writes them (no version path: the loopback server is the whole root).
mod things {
    use mg_runtime::binder::{CmdletMeta, Common};
    use mg_runtime::plan::{Cmdlet, Plan};
    use mg_runtime::request::{ApiVersion, BodyKind, Method, Operation, ResponseKind};

    pub static LIST: Operation = Operation {
        id: "thing_ListThing",
        method: Method::Get,
        version: ApiVersion::new(""),
        path: "/things",
        segments: &["/things"],
        params: &[],
        body: BodyKind::None,
        response: ResponseKind::Paged("@odata.nextLink"),
    };

    pub static GET: Cmdlet = Cmdlet {
        meta: CmdletMeta { name: "Get-Things", default_set: "List", sets: &["List"], params: &[], common: Common::new(false, false, true) },
        aliases: &[],
        plans: &[Plan::new(&LIST, &[])],
        help: "",
    };
}

#[tokio::test]
async fn paged_lists_follow_next_links_with_all_and_count_with_count_variable() {
    use mg_runtime::cmdlet::invoke;
    use mg_runtime::request::ApiRequest;
    use wiremock::matchers::{path, query_param};
    let server = MockServer::start().await;
    let next = format!("{}/things?$skiptoken=page2", server.uri());
    Mock::given(method("GET"))
        .and(path("/things"))
        .and(query_param("$skiptoken", "page2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!({"value": [3]})))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/things"))
        .and(query_param("$top", "2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"value": [1, 2], "@odata.count": 3, "@odata.nextLink": next}),
        ))
        .mount(&server)
        .await;
    let c = client(&server);
    let request = || Ok(ApiRequest::new(&things::LIST, "/things"));
    let first_page = CommonParameters { page_size: Some(2), ..Default::default() };
    let done = invoke(&things::GET, 0, request(), &c, &first_page, &NonInteractive).await.expect("ok");
    assert_eq!(done.output, Output::Json(serde_json::json!([1, 2])), "without -All only the first page");
    let all = CommonParameters { all: true, page_size: Some(2), count_variable: Some("n".into()), ..Default::default() };
    let done = invoke(&things::GET, 0, request(), &c, &all, &NonInteractive).await.expect("ok");
    assert_eq!(done.output, Output::Json(serde_json::json!([1, 2, 3])));
    assert_eq!(done.count, Some(("n".to_owned(), 3)));
    let received = server.received_requests().await.unwrap_or_default();
    assert!(received.iter().any(|r| r.url.query().is_some_and(|q| q.contains("%24count=true") || q.contains("$count=true"))));
}

#[tokio::test]
async fn a_next_link_to_another_host_is_not_followed() {
    use mg_runtime::cmdlet::invoke;
    use mg_runtime::request::ApiRequest;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"value": [1], "@odata.nextLink": "http://127.0.0.2:9/steal?token"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let all = CommonParameters { all: true, ..Default::default() };
    let request = Ok(ApiRequest::new(&things::LIST, "/things"));
    let err = invoke(&things::GET, 0, request, &client(&server), &all, &NonInteractive).await.expect_err("refused");
    assert!(err.to_string().contains("next link outside"), "{err}");
}
