//! The per-request tracing span: its fields, and no token in any of them.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{Reply, TestServer};
use mg_runtime::client::{Client, RequestOptions, RetryPolicy, StaticToken};
use mg_runtime::error::Secret;
use reqwest::Method;
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

const TOKEN: &str = "tok-tracing-secret";

/// A span's name and the fields recorded on it, in order.
type SpanRecord = (String, Vec<(String, String)>);

/// Collects span names and every recorded field (spans and events).
#[derive(Default)]
struct Capture {
    spans: Mutex<Vec<SpanRecord>>,
    events: Mutex<Vec<String>>,
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push((field.name().to_owned(), format!("{value:?}")));
    }
}

#[derive(Clone)]
struct Shared(Arc<Capture>);

impl Subscriber for Shared {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.0.spans.lock().unwrap();
        spans.push((attrs.metadata().name().to_owned(), fields));
        Id::from_u64(spans.len() as u64)
    }
    fn record(&self, span: &Id, values: &Record<'_>) {
        let mut spans = self.0.spans.lock().unwrap();
        if let Some((_, fields)) = spans.get_mut(span.into_u64() as usize - 1) {
            values.record(&mut Fields(fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut fields = Vec::new();
        event.record(&mut Fields(&mut fields));
        self.0.events.lock().unwrap().push(format!("{fields:?}"));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[tokio::test]
async fn every_request_gets_a_span_without_the_token() {
    let capture = Arc::new(Capture::default());
    let _guard = tracing::subscriber::set_default(Shared(capture.clone()));

    let server = TestServer::start(|n, _| {
        if n == 0 {
            Reply::status(503)
        } else {
            Reply::status(204)
        }
    })
    .await;
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
    let template = "/applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start";
    let request = common::api_request(
        Method::POST,
        template,
        "/applications/a/synchronization/jobs/b/microsoft.graph.start",
    );
    client
        .send(request, &RequestOptions::default())
        .await
        .unwrap();

    let spans = capture.spans.lock().unwrap();
    let (_, fields) = spans
        .iter()
        .find(|(name, _)| name == "graph_request")
        .expect("graph_request span");
    let get = |key: &str| {
        fields
            .iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    assert_eq!(get("method"), Some("POST"));
    assert_eq!(get("path_template"), Some(format!("{template:?}").as_str()));
    assert_eq!(get("status"), Some("204"));
    assert_eq!(get("retries"), Some("1"));
    assert!(get("duration_ms").is_some());
    let everything = format!("{spans:?} {:?}", capture.events.lock().unwrap());
    assert!(!everything.contains(TOKEN), "{everything}");
}
