//! The CLI driver in process, with a small registry of cmdlets written
//! here against the runtime's public API (the generated crate has only the
//! two Start cmdlets): a POST per pipeline object and a paged list. What is
//! tested is the driver, `execute` and the client, on a loopback server.

mod common;

use std::sync::{Arc, OnceLock};

use common::{Ran, Reply, TestServer};
use mg_runtime::binder::{CmdletMeta, Common, ParamMeta as P, ParamType as T};
use mg_runtime::cli::Registry;
use mg_runtime::plan::{Bind, Cmdlet, Plan};
use mg_runtime::request::{ApiVersion, BodyKind, Method, OpParam, Operation, ResponseKind};

const TOKEN: &str = "tok-cli-runtime-secret";

/// `POST /things/{thing-id}/do` (no version path: the loopback server is
/// the whole service root).
static DO: Operation = Operation {
    id: "thing_Do",
    method: Method::Post,
    version: ApiVersion::new(""),
    path: "/things/{thing-id}/do",
    segments: &["/things/", "/do"],
    params: &[OpParam::path("thing-id", "ThingId")],
    body: BodyKind::None,
    response: ResponseKind::NoContent,
};

/// `GET /things`, paged.
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

/// The id from -ThingId or -InputObject.
static DO_THING: Cmdlet = Cmdlet {
    meta: CmdletMeta {
        name: "Invoke-MgTestThing",
        default_set: "Do",
        sets: &["Do", "DoViaIdentity"],
        params: &[
            P::new("InputObject", T::Identity, &[1]).mandatory(&[1]).pipeline(&[1]).typed("ITestIdentity"),
            P::new("ThingId", T::String, &[0]).mandatory(&[0]),
        ],
        common: Common::new(true, true, true),
    },
    aliases: &[],
    plans: &[Plan::new(&DO, &[Bind::Key(1, 0)]), Plan::new(&DO, &[Bind::Identity(0)])],
    help: "",
};

static LIST_THINGS: Cmdlet = Cmdlet {
    meta: CmdletMeta {
        name: "Get-MgTestThing",
        default_set: "List",
        sets: &["List"],
        params: &[P::new("All", T::Switch, &[0]), P::new("PageSize", T::Int32, &[0])],
        common: Common::new(false, false, true),
    },
    aliases: &[],
    plans: &[Plan::new(&LIST, &[])],
    help: "",
};

static CMDLETS: [&Cmdlet; 2] = [&DO_THING, &LIST_THINGS];

async fn cli(server: &TestServer, args: &[&str], stdin: &str, stderr_is_terminal: bool) -> Ran {
    common::run_cli(&Registry::new(&[&CMDLETS]), server, TOKEN, args, stdin, false, stderr_is_terminal).await
}

const THREE: &str = "{\"ThingId\":\"t1\"}\n{\"ThingId\":\"t2\"}\n{\"ThingId\":\"t3\"}\n";

/// A transport failure for one pipeline object is a non-terminating error:
/// it is written and the next object is still processed.
#[tokio::test]
async fn a_transport_error_for_one_object_does_not_stop_the_pipeline() {
    let server = TestServer::start(|_, r| {
        if r.path().contains("/t2/") { Reply::Drop } else { Reply::status(204) }
    })
    .await;
    let ran = cli(&server, &["Invoke-MgTestThing", "-PassThru"], THREE, false).await;
    assert_eq!((ran.code, ran.stdout.as_str()), (1, "True\nTrue\n"), "{}", ran.stderr);
    assert!(ran.stderr.starts_with("Invoke-MgTestThing_DoViaIdentity: "), "{}", ran.stderr);
    let paths: Vec<String> = server.requests().iter().map(|r| r.path().to_owned()).collect();
    assert_eq!(paths, ["/things/t1/do", "/things/t2/do", "/things/t3/do"]);

    // SilentlyContinue hides it (the exit status still tells).
    let ran = cli(&server, &["Invoke-MgTestThing", "-PassThru", "-ErrorAction", "SilentlyContinue"], THREE, false).await;
    assert_eq!((ran.code, ran.stdout.as_str(), ran.stderr.as_str()), (1, "True\nTrue\n", ""));
    assert_eq!(server.count(), 6);

    // Stop stops at it.
    let ran = cli(&server, &["Invoke-MgTestThing", "-PassThru", "-ea", "Stop"], THREE, false).await;
    assert_eq!((ran.code, ran.stdout.as_str()), (1, "True\n"), "{}", ran.stderr);
    assert_eq!(server.count(), 8);
}

/// A check before sending (here the identity's missing key) still stops
/// the pipeline, as the module's terminating error does.
#[tokio::test]
async fn a_check_before_sending_stops_the_pipeline() {
    let server = TestServer::always(Reply::status(204)).await;
    let input = "{\"ThingId\":\"t1\"}\n{\"Other\":\"x\"}\n{\"ThingId\":\"t3\"}\n";
    let ran = cli(&server, &["Invoke-MgTestThing", "-PassThru"], input, false).await;
    assert_eq!((ran.code, ran.stdout.as_str()), (1, "True\n"), "{}", ran.stderr);
    assert!(ran.stderr.contains("InputObject has null value for InputObject.ThingId"), "{}", ran.stderr);
    assert_eq!(server.count(), 1);
}

/// Reading every page shows progress on a terminal, as PowerShell's
/// progress stream does; -ProgressAction SilentlyContinue hides it, Stop
/// stops, and nothing is drawn when standard error is not a terminal.
#[tokio::test]
async fn progress_of_all_pages_follows_progress_action() {
    // Next links are absolute, under the base URL, known once bound.
    let base: Arc<OnceLock<String>> = Arc::default();
    let known = base.clone();
    let server = TestServer::start(move |_, r| {
        if r.target.contains("page=2") {
            Reply::json(200, r#"{"value":[3]}"#)
        } else {
            let next = format!("{}/things?page=2", known.get().map_or("", String::as_str));
            Reply::json(200, &format!(r#"{{"value":[1,2],"@odata.nextLink":"{next}"}}"#))
        }
    })
    .await;
    base.set(server.url()).expect("set once");
    let shown = cli(&server, &["Get-MgTestThing", "-All"], "", true).await;
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert_eq!(shown.stdout, "[\n  1,\n  2,\n  3\n]\n");
    assert!(
        shown.stderr.contains("\r\x1b[2KReading every page of GET /things: 2 items from 1 page"),
        "{:?}",
        shown.stderr
    );
    // The line is cleared when the activity completes.
    assert!(shown.stderr.ends_with("\r\x1b[2K"), "{:?}", shown.stderr);

    for args in [
        &["Get-MgTestThing", "-All", "-ProgressAction", "SilentlyContinue"][..],
        &["Get-MgTestThing", "-All", "-proga", "Ignore"],
    ] {
        let hidden = cli(&server, args, "", true).await;
        assert_eq!((hidden.code, hidden.stderr.as_str()), (0, ""), "{args:?}");
        assert_eq!(hidden.stdout, shown.stdout);
    }
    let piped = cli(&server, &["Get-MgTestThing", "-All"], "", false).await;
    assert_eq!((piped.code, piped.stderr.as_str()), (0, ""), "not a terminal");

    let stopped = cli(&server, &["Get-MgTestThing", "-All", "-ProgressAction", "Stop"], "", true).await;
    assert_eq!((stopped.code, stopped.stdout.as_str()), (1, ""), "{}", stopped.stderr);
    assert!(stopped.stderr.contains("preference variable \"ProgressPreference\" or common parameter is set to Stop"), "{}", stopped.stderr);
}
