//! One client, two API versions: the service root holds scheme, host and an
//! optional path prefix; every operation carries its version path. A root
//! that ends in a version serves that version only.

mod common;

use common::{Reply, TestServer};
use mg_runtime::client::{Client, RetryPolicy, StaticToken};
use mg_runtime::error::{Error, Secret};
use mg_runtime::request::{
    ApiVersion, BodyKind, Json, Method, NoContent, OpParam, Operation, Query, Request, ResponseKind,
};

static BETA_START: Operation = Operation {
    id: "application.synchronization.job_start",
    method: Method::Post,
    version: ApiVersion::BETA,
    path: "/applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start",
    segments: &["/applications/", "/synchronization/jobs/", "/microsoft.graph.start"],
    params: &[
        OpParam::path("application-id", "ApplicationId"),
        OpParam::path("synchronizationJob-id", "SynchronizationJobId"),
    ],
    body: BodyKind::None,
    response: ResponseKind::NoContent,
};

static V1_GET_USER: Operation = Operation {
    id: "user_GetUser",
    method: Method::Get,
    version: ApiVersion::V1_0,
    path: "/users/{user-id}",
    segments: &["/users/", ""],
    params: &[
        OpParam::path("user-id", "UserId"),
        OpParam::query("$select"),
        OpParam::query("$expand"),
        OpParam::header("ConsistencyLevel"),
    ],
    body: BodyKind::None,
    response: ResponseKind::Json,
};

static BY_APP_ID: Operation = Operation {
    id: "application_GetApplicationByAppId",
    method: Method::Get,
    version: ApiVersion::BETA,
    path: "/applications(appId='{appId}')",
    segments: &["/applications(appId='", "')"],
    params: &[OpParam::quoted("appId", "AppId")],
    body: BodyKind::None,
    response: ResponseKind::Json,
};

fn client(root: &str) -> Client {
    Client::builder()
        .base_url(root)
        .token_provider(StaticToken(Secret::new("t0ken-for-versions")))
        .system_proxy(false)
        .retry(RetryPolicy::none())
        .build()
        .unwrap()
}

fn start(app: &str, job: &str) -> Request<NoContent> {
    Request::new(&BETA_START, &[app, job])
}

fn get_user(id: &str, query: &Query) -> Request<Json<serde_json::Value>> {
    Request::new(&V1_GET_USER, &[id]).query(query)
}

#[tokio::test]
async fn a_bare_root_serves_both_versions_below_their_version_paths() {
    let server = TestServer::always(Reply::json(200, r#"{"id":"u1"}"#)).await;
    let client = client(&server.url());
    start("app 1", "job/1").send(&client).await.unwrap();
    let query = Query { select: Some(vec!["id".into(), "displayName".into()]), ..Query::default() };
    let user = get_user("u1", &query).send(&client).await.unwrap();
    assert_eq!(user["id"], "u1");
    let seen = server.requests();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].target, "/beta/applications/app%201/synchronization/jobs/job%2F1/microsoft.graph.start");
    assert_eq!(seen[1].target, "/v1.0/users/u1?$select=id,displayName");
}

#[tokio::test]
async fn a_path_prefix_is_kept_in_front_of_the_version() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = client(&format!("{}/graph-gateway/", server.url()));
    start("a", "j").send(&client).await.unwrap();
    assert_eq!(server.requests()[0].path(), "/graph-gateway/beta/applications/a/synchronization/jobs/j/microsoft.graph.start");
}

#[tokio::test]
async fn a_root_ending_in_beta_keeps_working_and_refuses_v1_calls() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = client(&format!("{}/beta", server.url()));
    start("a", "j").send(&client).await.unwrap();
    assert_eq!(server.requests()[0].path(), "/beta/applications/a/synchronization/jobs/j/microsoft.graph.start");
    let err = get_user("u1", &Query::default()).send(&client).await.unwrap_err();
    let Error::InvalidArgument(message) = &err else { panic!("{err:?}") };
    assert!(message.contains("ends in /beta") && message.contains("v1.0 operation"), "{message}");
    assert_eq!(server.requests().len(), 1, "the v1.0 call was not sent");
}

#[tokio::test]
async fn a_root_ending_in_v1_serves_v1_only() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = client(&format!("{}/v1.0/", server.url()));
    get_user("u1", &Query::default()).send(&client).await.unwrap();
    assert_eq!(server.requests()[0].path(), "/v1.0/users/u1");
    let err = start("a", "j").send(&client).await.unwrap_err();
    assert!(err.to_string().contains("serves only v1.0 operations"), "{err}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn bad_keys_and_undeclared_options_are_refused_before_sending() {
    let server = TestServer::always(Reply::status(204)).await;
    let client = client(&server.url());
    for bad in ["", ".", ".."] {
        let err = start(bad, "j").send(&client).await.unwrap_err();
        assert!(matches!(err, Error::InvalidPathParameter { name: "application-id", .. }), "{err:?}");
    }
    // `$filter` is not a parameter of this operation.
    let query = Query { filter: Some("x eq 1".into()), ..Query::default() };
    let err = get_user("u1", &query).build().unwrap_err();
    assert!(err.to_string().contains("user_GetUser has no query or header parameter '$filter'"), "{err}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn quoted_keys_double_their_quotes() {
    let server = TestServer::always(Reply::json(200, "{}")).await;
    let client = client(&server.url());
    Request::<Json<serde_json::Value>>::new(&BY_APP_ID, &["it's"]).send(&client).await.unwrap();
    assert_eq!(server.requests()[0].path(), "/beta/applications(appId='it%27%27s')");
}

#[test]
fn versions_name_themselves() {
    assert_eq!(ApiVersion::BETA.name(), "beta");
    assert_eq!(ApiVersion::V1_0.to_string(), "v1.0");
    let user = get_user("u", &Query { consistency_level: Some("eventual".into()), ..Query::default() }).build().unwrap();
    assert_eq!(user.headers, [("ConsistencyLevel".to_owned(), "eventual".to_owned())]);
    assert_eq!(user.method(), Method::Get);
    assert_eq!(user.path_template(), "/users/{user-id}");
}
