//! Non-2xx responses: the typed Graph error, raw and empty bodies, the
//! PowerShell-style layout, and the lenient `ODataError` parser.

mod common;

use std::time::Duration;

use common::{Reply, TestServer};
use mg_runtime::client::{Client, RequestOptions, RetryPolicy, StaticToken};
use mg_runtime::error::{
    ApiError, Error, ErrorBody, ODataError, RAW_BODY_DISPLAY_LIMIT, ResponseHeaders, Secret,
    status_name,
};
use reqwest::Method;

const TOKEN: &str = "tok-errors-secret";
const GRAPH_404: &str = r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'app-1' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2024-03-12T10:00:00","request-id":"4f1a7c2e-0000-4000-8000-000000000001","client-request-id":"9b2d3c4e-0000-4000-8000-000000000002"}}}"#;

async fn call(reply: Reply) -> (Error, TestServer) {
    let server = TestServer::always(reply).await;
    let client = Client::builder()
        .base_url(format!("{}/beta", server.url()))
        .token_provider(StaticToken(Secret::new(TOKEN)))
        .system_proxy(false)
        .retry(RetryPolicy {
            max_retries: 3,
            delay: Duration::from_millis(1),
            max_wait: Duration::from_millis(5),
        })
        .build()
        .unwrap();
    let request = common::api_request(
        Method::POST,
        "/applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start",
        "/applications/app-1/synchronization/jobs/job-1/microsoft.graph.start",
    );
    let err = client
        .send(request, &RequestOptions::default())
        .await
        .unwrap_err();
    (err, server)
}

#[tokio::test]
async fn graph_404_becomes_a_typed_error() {
    let reply = Reply::json(404, GRAPH_404)
        .header("Vary", "Accept-Encoding")
        .header("request-id", "4f1a7c2e-0000-4000-8000-000000000001")
        .header("Set-Cookie", "fpc=abc; path=/")
        .header("Date", "Tue, 12 Mar 2024 10:00:00 GMT")
        .chunked();
    let (err, server) = call(reply).await;
    assert_eq!(server.count(), 1, "404 is not retried");
    let Error::Api(api) = &err else {
        panic!("expected Api, got {err:?}")
    };
    assert_eq!(api.status, 404);
    assert_eq!(api.code(), Some("Request_ResourceNotFound"));
    assert!(
        api.message()
            .unwrap()
            .starts_with("Resource 'app-1' does not exist")
    );
    assert_eq!(
        api.request_id(),
        Some("4f1a7c2e-0000-4000-8000-000000000001")
    );
    assert_eq!(api.date(), Some("2024-03-12T10:00:00"));
    assert_eq!(api.method, "POST");
    assert!(api.path_template.contains("{application-id}"));
    assert_eq!(api.retries, 0);
    let inner = api
        .body
        .odata()
        .unwrap()
        .error
        .inner_error
        .as_ref()
        .unwrap();
    assert_eq!(
        inner.client_request_id(),
        Some("9b2d3c4e-0000-4000-8000-000000000002")
    );
    assert!(
        api.headers.get("set-cookie").is_none(),
        "credentials are dropped"
    );
    assert_eq!(api.headers.get("TRANSFER-ENCODING"), Some("chunked"));

    // The Graph SDK's layout: the message alone, then the status and the
    // code; every header field in arrival order, standard names in their
    // usual spelling, the cookie left out.
    let expected = "\
Resource 'app-1' does not exist or one of its queried reference-property objects are not present.

Status: 404 (NotFound)
ErrorCode: Request_ResourceNotFound
Date: 2024-03-12T10:00:00

Headers:
Content-Type                  : application/json
Vary                          : Accept-Encoding
request-id                    : 4f1a7c2e-0000-4000-8000-000000000001
Date                          : Tue, 12 Mar 2024 10:00:00 GMT
Transfer-Encoding             : chunked
Connection                    : close";
    assert_eq!(err.to_string(), expected);
    assert!(!format!("{err:?}").contains(TOKEN));
}

#[test]
fn repeated_headers_keep_their_own_lines_and_a_message_less_body_shows_its_code() {
    let mut headers = ResponseHeaders::new();
    headers.push("x-ms-ags-diagnostic", "a");
    headers.push("request-id", "r-1");
    headers.push("X-MS-AGS-DIAGNOSTIC", "b, c");
    let body = br#"{"error":{"code":"Authorization_RequestDenied","message":""}}"#;
    let api = ApiError::from_response(403, &headers, body, "GET", "/x", 0);
    assert_eq!(api.code(), Some("Authorization_RequestDenied"));
    assert_eq!(
        api.to_string(),
        "Authorization_RequestDenied\n\nStatus: 403 (Forbidden)\nErrorCode: Authorization_RequestDenied\n\nHeaders:\nx-ms-ags-diagnostic           : a\nrequest-id                    : r-1\nX-MS-AGS-DIAGNOSTIC           : b, c"
    );
    let neither = ApiError::from_response(500, &headers, br#"{"error":{}}"#, "GET", "/x", 0);
    assert!(neither.to_string().starts_with("The server responded with a Server Error, Status: InternalServerError\n\nStatus: 500 (InternalServerError)\nErrorCode: \n"));
}

#[tokio::test]
async fn html_502_is_kept_raw() {
    let html = "<html><body><h1>502 Bad Gateway</h1></body></html>";
    let (err, server) = call(
        Reply::status(502)
            .header("Content-Type", "text/html")
            .body(html),
    )
    .await;
    assert_eq!(server.count(), 1, "502 is not retried");
    let api = err.api().unwrap();
    assert_eq!(api.body, ErrorBody::Raw(html.to_owned()));
    assert_eq!(api.code(), None);
    let text = err.to_string();
    assert!(text.starts_with(html), "{text}");
    assert!(text.contains("\n\nStatus: 502 (BadGateway)\n"), "{text}");
    assert!(!text.contains("ErrorCode:"));
}

#[tokio::test]
async fn empty_bodies_get_the_powershell_sentence() {
    let (err, _) = call(Reply::status(404)).await;
    assert_eq!(err.api().unwrap().body, ErrorBody::Empty);
    assert!(err.to_string().starts_with(
        "The server responded with a Request Error, Status: NotFound\n\nStatus: 404 (NotFound)"
    ));

    let (err, server) = call(Reply::status(500).body("  \r\n")).await;
    assert_eq!(server.count(), 1, "500 is not retried");
    assert!(
        err.to_string()
            .starts_with("The server responded with a Server Error, Status: InternalServerError")
    );
}

#[tokio::test]
async fn truncated_or_foreign_json_stays_raw() {
    let truncated = r#"{"error":{"code":"Request_BadRequest","mess"#;
    let (err, _) = call(Reply::json(400, truncated)).await;
    assert_eq!(
        err.api().unwrap().body,
        ErrorBody::Raw(truncated.to_owned())
    );

    // OAuth-style errors have a string `error`: not an ODataError.
    let oauth = r#"{"error":"invalid_grant","error_description":"expired"}"#;
    let (err, _) = call(Reply::json(400, oauth)).await;
    assert_eq!(err.api().unwrap().body, ErrorBody::Raw(oauth.to_owned()));
}

#[tokio::test]
async fn huge_raw_body_is_truncated_for_display() {
    let body = "é".repeat(50_000); // 100 000 bytes, 2-byte characters
    let (err, _) = call(Reply::status(400).body(&body)).await;
    let api = err.api().unwrap();
    assert_eq!(api.body, ErrorBody::Raw(body.clone()));
    let text = err.to_string();
    assert!(
        text.len() < RAW_BODY_DISPLAY_LIMIT + 1024,
        "{} bytes",
        text.len()
    );
    assert!(
        text.contains("(body truncated: showing 4096 of 100000 bytes)"),
        "{}",
        &text[4000..4200]
    );
}

#[test]
fn terminal_control_characters_are_escaped() {
    let headers = ResponseHeaders::new();
    let api = ApiError::from_response(400, &headers, b"evil\x1b[2Jtext\r\nnext", "GET", "/x", 0);
    let text = api.to_string();
    assert!(!text.contains('\x1b') && !text.contains('\r'), "{text:?}");
    assert!(
        text.starts_with("evil\\u{1b}[2Jtext\\u{d}\nnext"),
        "{text:?}"
    );
}

#[test]
fn odata_parsing_is_lenient() {
    // Published-schema shape: innerError members are objects.
    let schema =
        br#"{"error":{"code":"x","message":"m","innerError":{"date":{"v":1},"request-id":{}}}}"#;
    let parsed = ODataError::from_slice(schema).unwrap();
    let inner = parsed.error.inner_error.unwrap();
    assert_eq!(inner.date(), None);
    assert!(inner.0.contains_key("request-id"));

    // Nulls, missing fields, odd types, lowercase innererror, extra members.
    let odd = br#"{"error":{"code":null,"message":{"lang":"en","value":"old style"},"target":7,
        "details":[{"code":"d1","message":"first"},"junk",{"target":"t"}],"innererror":{"date":"2024"},
        "extra":true},"@odata.context":"x"}"#;
    let parsed = ODataError::from_slice(odd).unwrap();
    assert_eq!(parsed.error.code, "");
    assert_eq!(parsed.error.message, "old style");
    assert_eq!(parsed.error.target.as_deref(), Some("7"));
    assert_eq!(parsed.error.details.len(), 2);
    assert_eq!(parsed.error.details[0].code, "d1");
    assert_eq!(parsed.error.details[1].target.as_deref(), Some("t"));
    assert_eq!(parsed.error.inner_error.unwrap().date(), Some("2024"));
    assert_eq!(
        parsed.error.additional.get("extra"),
        Some(&serde_json::Value::Bool(true))
    );

    let minimal = ODataError::from_slice(br#"{"error":{}}"#).unwrap();
    assert_eq!(minimal.error.code, "");
    assert!(ODataError::from_slice(br#"{"error":null}"#).is_none());
    assert!(ODataError::from_slice(b"[1,2]").is_none());
    assert!(ODataError::from_slice(b"").is_none());

    // Round trip keeps the Graph member name.
    let real = ODataError::from_slice(GRAPH_404.as_bytes()).unwrap();
    let json = serde_json::to_value(&real).unwrap();
    assert_eq!(
        json["error"]["innerError"]["request-id"],
        "4f1a7c2e-0000-4000-8000-000000000001"
    );
}

#[test]
fn status_names_follow_dotnet() {
    assert_eq!(status_name(404), "NotFound");
    assert_eq!(status_name(429), "TooManyRequests");
    assert_eq!(status_name(503), "ServiceUnavailable");
    assert_eq!(status_name(413), "RequestEntityTooLarge");
    assert_eq!(status_name(418), "ImATeapot");
    assert_eq!(status_name(299), "299");
}

#[test]
fn response_headers_are_case_insensitive_and_multi_valued() {
    let mut headers = ResponseHeaders::new();
    headers.push("Set-Cookie", "a=1");
    headers.push("request-id", "r1");
    headers.push("set-cookie", "b=2");
    headers.push("Authorization", "Bearer x");
    headers.push("Warning", "199 one");
    headers.push("WARNING", "199 two");
    assert_eq!(headers.get("REQUEST-ID"), Some("r1"));
    assert_eq!(
        headers.get_all("warning").collect::<Vec<_>>(),
        vec!["199 one", "199 two"]
    );
    assert_eq!(headers.iter().count(), 6);
    let json = serde_json::to_string(&headers).unwrap();
    assert_eq!(
        json,
        r#"{"Set-Cookie":["a=1","b=2"],"request-id":["r1"],"Authorization":["Bearer x"],"Warning":["199 one","199 two"]}"#
    );
    let safe = headers.without_sensitive();
    assert_eq!(safe.len(), 3);
    assert!(safe.get("authorization").is_none() && safe.get("set-cookie").is_none());
}

#[test]
fn other_error_messages() {
    let e = Error::NullIdentityProperty {
        name: "ApplicationId".into(),
    };
    assert_eq!(
        e.to_string(),
        "InputObject has null value for InputObject.ApplicationId"
    );
    let last = ApiError::from_response(429, &ResponseHeaders::new(), b"", "POST", "/x", 3);
    let e = Error::TooManyRetries {
        retries: 3,
        last: Box::new(last),
    };
    assert!(e.to_string().starts_with(
        "Too many retries performed. More than 3 retries encountered while sending the request.\n\n\
         The server responded with a Request Error, Status: TooManyRequests"
    ));
    assert_eq!(e.status(), Some(429));
    let e = Error::Binding {
        id: "NamedParameterNotFound",
        message: "A parameter cannot be found.".into(),
    };
    assert_eq!(e.to_string(), "A parameter cannot be found.");
}
