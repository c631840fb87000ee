//! The `mgbeta` binary run as a user runs it: a real process, with its
//! environment and standard input, against a loopback stand-in for Graph
//! (wiremock). Every run is also checked for leaked secrets.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use wiremock::matchers::{header, method};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "cli-test-token-7f3a9c51";
const PROXY_PASSWORD: &str = "proxy-pass-5e8d21b0";
const APP: &str = "Start-MgBetaApplicationSynchronizationJob";
const SP: &str = "Start-MgBetaServicePrincipalSynchronizationJob";
const START: &str = "/beta/applications/app-1/synchronization/jobs/job-1/microsoft.graph.start";
const WHAT_IF: &str = "What if: Performing the operation \"Start-MgBetaApplicationSynchronizationJob_Start\" on target \"Call remote 'POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start' operation\".";

fn binary() -> &'static Path {
    tests::mgbeta_binary()
}

/// What a run of the binary left behind.
#[derive(Debug)]
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// One invocation: arguments, standard input, environment changes
/// (`None` removes a variable).
struct Run {
    args: Vec<OsString>,
    stdin: Vec<u8>,
    env: Vec<(String, Option<String>)>,
}

impl Run {
    fn new(server: &MockServer, args: &[&str]) -> Run {
        Run { args: args.iter().map(OsString::from).collect(), stdin: Vec::new(), env: Vec::new() }
            .env("MG_GRAPH_BASE_URL", Some(&server.uri()))
            .env("MG_ACCESS_TOKEN", Some(TOKEN))
    }

    fn stdin(mut self, text: &str) -> Run {
        self.stdin = text.as_bytes().to_vec();
        self
    }

    fn env(mut self, name: &str, value: Option<&str>) -> Run {
        self.env.push((name.to_owned(), value.map(str::to_owned)));
        self
    }

    /// Runs the process off the async runtime (the mock server keeps
    /// answering meanwhile) and checks that no secret was printed.
    async fn out(self) -> Out {
        let out = tokio::task::spawn_blocking(move || exec(self)).await.expect("runner thread");
        for secret in [TOKEN, PROXY_PASSWORD] {
            assert!(!out.stdout.contains(secret) && !out.stderr.contains(secret), "secret printed: {out:#?}");
        }
        out
    }
}

fn exec(run: Run) -> Out {
    let mut command = Command::new(binary());
    // A clean environment: no proxy variables or MG_ settings of the host.
    command.args(&run.args).env_clear();
    for (name, value) in &run.env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let input = run.stdin;
    let done = tests::run_piped(command, input, Duration::from_secs(60));
    Out { code: done.status.code().unwrap_or(-1), stdout: done.stdout, stderr: done.stderr }
}

async fn mgbeta(server: &MockServer, args: &[&str]) -> Out {
    Run::new(server, args).out().await
}

/// A server answering every POST with `response`.
async fn server_answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(response).mount(&server).await;
    server
}

async fn requests(server: &MockServer) -> Vec<Request> {
    server.received_requests().await.expect("recording is on")
}

/// The raw (still percent-encoded) paths of the requests received.
async fn paths(server: &MockServer) -> Vec<String> {
    requests(server).await.iter().map(|r| r.url.path().to_owned()).collect()
}

fn graph_404() -> ResponseTemplate {
    ResponseTemplate::new(404).insert_header("request-id", "11111111-2222-3333-4444-555555555555").set_body_raw(
        r#"{"error":{"code":"Request_ResourceNotFound","message":"Resource 'job-1' does not exist or one of its queried reference-property objects are not present.","innerError":{"date":"2024-03-12T10:00:00","request-id":"11111111-2222-3333-4444-555555555555","client-request-id":"99999999-8888-7777-6666-555555555555"}}}"#,
        "application/json",
    )
}

fn app_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![APP, "-ApplicationId", "app-1", "-SynchronizationJobId", "job-1"];
    args.extend_from_slice(extra);
    args
}

// ---------------------------------------------------------------------------
// Success, output and ShouldProcess

#[tokio::test]
async fn success_prints_nothing_and_sends_the_bearer_token() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(204))
        .expect(1)
        .mount(&server)
        .await;
    let out = mgbeta(&server, &app_args(&[])).await;
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, "", ""), "{out:#?}");
    assert_eq!(paths(&server).await, [START]);
}

#[tokio::test]
async fn pass_thru_prints_true_and_false_switch_prints_nothing() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let out = mgbeta(&server, &app_args(&["-PassThru"])).await;
    assert_eq!((out.code, out.stdout.as_str()), (0, "True\n"), "{out:#?}");
    let out = mgbeta(&server, &app_args(&["-PassThru:$false"])).await;
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:#?}");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn what_if_prints_the_line_and_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let out = mgbeta(&server, &app_args(&["-WhatIf"])).await;
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (0, &*format!("{WHAT_IF}\n"), ""));
}

#[tokio::test]
async fn confirm_without_a_terminal_answer_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let out = mgbeta(&server, &app_args(&["-Confirm", "-PassThru"])).await;
    assert_eq!((out.code, out.stdout.as_str()), (0, ""), "{out:#?}");
    assert!(out.stderr.contains("-Confirm got no answer"), "{out:#?}");
}

#[tokio::test]
async fn headers_are_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("a", "b"))
        .and(header("x-two", "2=2"))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;
    for headers in [r#"{"a":"b","x-two":"2=2"}"#, "@{a = 'b'; 'x-two' = '2=2'}"] {
        let out = mgbeta(&server, &app_args(&["-Headers", headers])).await;
        assert_eq!(out.code, 0, "{out:#?}");
    }
}

#[tokio::test]
async fn response_headers_variable_prints_json_on_success_only() {
    let server = server_answering(ResponseTemplate::new(204).insert_header("x-ms-ags-diagnostic", "d1")).await;
    let out = mgbeta(&server, &app_args(&["-RHV", "hv"])).await;
    assert_eq!(out.code, 0, "{out:#?}");
    let line: serde_json::Value = serde_json::from_str(out.stderr.trim()).expect("one JSON line");
    assert_eq!(line["hv"]["x-ms-ags-diagnostic"], serde_json::json!(["d1"]), "{line}");

    let failing = server_answering(graph_404()).await;
    let out = mgbeta(&failing, &app_args(&["-ResponseHeadersVariable", "hv"])).await;
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(!out.stderr.contains("{\"hv\""), "{out:#?}");
}

// ---------------------------------------------------------------------------
// Errors

#[tokio::test]
async fn graph_404_prints_the_reference_layout_and_exits_1() {
    let server = server_answering(graph_404()).await;
    let out = mgbeta(&server, &app_args(&[])).await;
    assert_eq!((out.code, out.stdout.as_str()), (1, ""), "{out:#?}");
    // The Graph SDK's layout: the message alone first, the code below it.
    assert!(
        out.stderr.starts_with("Start-MgBetaApplicationSynchronizationJob_Start: Resource 'job-1' does not exist or one of its queried reference-property objects are not present.\n\nStatus: 404 (NotFound)\n"),
        "{}",
        out.stderr
    );
    assert!(!out.stderr.contains("[Request_ResourceNotFound]"), "{}", out.stderr);
    for expected in [
        "\n\nStatus: 404 (NotFound)\n",
        "ErrorCode: Request_ResourceNotFound\n",
        "Date: 2024-03-12T10:00:00\n",
        "request-id                    : 11111111-2222-3333-4444-555555555555",
    ] {
        assert!(out.stderr.contains(expected), "missing {expected:?} in:\n{}", out.stderr);
    }
}

/// Binding errors: PowerShell's message and id, exit status 2, nothing sent.
#[tokio::test]
async fn binding_errors_exit_2_and_send_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let rows: &[(&[&str], &str, &str)] = &[
        (&["-Foo", "x"], "A parameter cannot be found that matches parameter name 'Foo'.", "NamedParameterNotFound"),
        (
            &["-P"],
            "Parameter cannot be processed because the parameter name 'P' is ambiguous. Possible matches include: -PassThru -Proxy -ProxyCredential -ProxyUseDefaultCredentials -ProgressAction -PipelineVariable.",
            "AmbiguousParameter",
        ),
        (&[], "Cannot process command because of one or more missing mandatory parameters: ApplicationId SynchronizationJobId.", "MissingMandatoryParameter"),
        (&["-ApplicationId", "a"], "missing mandatory parameters: SynchronizationJobId.", "MissingMandatoryParameter"),
        (&["-ApplicationId", "", "-SynchronizationJobId", "j"], "Cannot bind argument to parameter 'ApplicationId' because it is an empty string.", "ParameterArgumentValidationErrorEmptyStringNotAllowed"),
        (&["-ApplicationId"], "Missing an argument for parameter 'ApplicationId'. Specify a parameter of type 'System.String' and try again.", "MissingArgument"),
        (&["-ApplicationId", "a", "stray"], "A positional parameter cannot be found that accepts argument 'stray'.", "PositionalParameterNotFound"),
        (&["-OutVariable", "v"], "'-OutVariable' has no meaning outside PowerShell", "InvalidArgument"),
        (&["-ErrorAction", "Inquire"], "-ErrorAction Inquire needs an interactive PowerShell session; from this command line use Continue, SilentlyContinue, Ignore or Stop.", "InvalidArgument"),
        (&["-ErrorAction", "Later"], "Cannot convert value \"Later\" to type \"System.Management.Automation.ActionPreference\"", "InvalidArgument"),
    ];
    for (args, message, id) in rows {
        let mut all = vec![APP];
        all.extend_from_slice(args);
        let out = mgbeta(&server, &all).await;
        assert_eq!((out.code, out.stdout.as_str()), (2, ""), "{args:?}: {out:#?}");
        assert!(out.stderr.starts_with(&format!("{APP}: ")), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
        assert!(out.stderr.contains(&format!("FullyQualifiedErrorId : {id},{APP}")), "{args:?}: {}", out.stderr);
    }
}

#[tokio::test]
async fn no_token_is_a_clear_error_and_nothing_is_sent() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    for token in [None, Some("  ")] {
        let out = Run::new(&server, &app_args(&[])).env("MG_ACCESS_TOKEN", token).out().await;
        assert_eq!(out.code, 2, "{out:#?}");
        // With no PATH (a clean environment) no developer tool is found either.
        assert!(out.stderr.contains("Sign-in failed. Tried, in this order:\n  1. MG_ACCESS_TOKEN: not set"), "{out:#?}");
        assert!(out.stderr.contains("Nothing was sent to Microsoft Graph."), "{out:#?}");
    }
    // -WhatIf sends nothing, so it works without a token.
    let out = Run::new(&server, &app_args(&["-WhatIf"])).env("MG_ACCESS_TOKEN", None).out().await;
    assert_eq!((out.code, out.stdout.trim_end()), (0, WHAT_IF), "{out:#?}");
}

#[tokio::test]
async fn unknown_cmdlet_is_not_recognized() {
    let server = MockServer::start().await;
    let out = mgbeta(&server, &["Start-MgBetaNothing", "-X"]).await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("The term 'Start-MgBetaNothing' is not recognized as a name of a cmdlet"), "{out:#?}");
    let out = mgbeta(&server, &["help", "Nope"]).await;
    assert_eq!(out.code, 2, "{out:#?}");
}

#[tokio::test]
async fn a_bad_base_url_is_a_usage_error() {
    let server = MockServer::start().await;
    let out = Run::new(&server, &app_args(&[])).env("MG_GRAPH_BASE_URL", Some("not a url")).out().await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("base URL"), "{out:#?}");
}

// ---------------------------------------------------------------------------
// Names and values

#[tokio::test]
async fn aliases_prefixes_kebab_case_and_any_case_bind() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let forms: &[&[&str]] = &[
        &[APP, "-ObjectId", "app-1", "-SynchronizationJobId", "job-1"],
        &[APP, "-ApplicationId", "app-1", "-Sync", "job-1"],
        &[APP, "--application-id", "app-1", "--synchronization-job-id=job-1"],
        &["start-mgbetaapplicationsynchronizationjob", "-applicationid", "app-1", "-SYNCHRONIZATIONJOBID:job-1"],
    ];
    for args in forms {
        let out = mgbeta(&server, args).await;
        assert_eq!(out.code, 0, "{args:?}: {out:#?}");
    }
    assert_eq!(paths(&server).await, vec![START; forms.len()]);
}

#[tokio::test]
async fn ids_are_percent_encoded_as_single_segments() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let out = mgbeta(&server, &[SP, "-ServicePrincipalId", "a/b?c#d%e f", "-SynchronizationJobId", "été-日本"]).await;
    assert_eq!(out.code, 0, "{out:#?}");
    // A value that looks like a parameter, after `-Name:`, is still a value.
    let out = mgbeta(&server, &[APP, "-ApplicationId:", "-Verbose", "-SynchronizationJobId", "..."]).await;
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:#?}");
    assert_eq!(
        paths(&server).await,
        [
            "/beta/servicePrincipals/a%2Fb%3Fc%23d%25e%20f/synchronization/jobs/%C3%A9t%C3%A9-%E6%97%A5%E6%9C%AC/microsoft.graph.start",
            "/beta/applications/-Verbose/synchronization/jobs/.../microsoft.graph.start",
        ]
    );
}

#[tokio::test]
async fn huge_and_invalid_arguments_do_not_panic() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    // Linux refuses a single argument over 128 KiB (MAX_ARG_STRLEN), so a
    // megabyte of arguments comes as eight large ones; every parameter binds
    // once, so five of them go to five parameters.
    let big: Vec<String> = (0..8).map(|n| format!("{n}").repeat(131_000)).collect();
    let header = format!("h{}=v", big[2]);
    let args = [
        APP, "-ApplicationId", &big[0], "-SynchronizationJobId", &big[1], "-Headers", &header,
        "-ResponseHeadersVariable", &big[3], "-ProxyCredential", &big[4], "-WhatIf",
    ];
    let out = mgbeta(&server, &args).await;
    assert_eq!(out.code, 0, "{}", out.stderr.get(..300).unwrap_or_default());
    let positional: Vec<&str> = std::iter::once(APP).chain(big.iter().map(String::as_str)).collect();
    let out = mgbeta(&server, &positional).await;
    assert_eq!(out.code, 2);
    assert!(out.stderr.contains("PositionalParameterNotFound"));
    let out = mgbeta(&server, &big.iter().map(String::as_str).collect::<Vec<_>>()).await;
    assert_eq!(out.code, 2);

    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let mut run = Run::new(&server, &[APP, "-ApplicationId"]);
        run.args.push(OsString::from_vec(vec![b'a', 0xff, b'b']));
        let out = run.out().await;
        assert_eq!(out.code, 2, "{out:#?}");
        assert!(out.stderr.contains("argument 3 is not valid UTF-8"), "{out:#?}");
    }
}

// ---------------------------------------------------------------------------
// Pipeline input

#[tokio::test]
async fn inline_input_object_runs_the_via_identity_set() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let out = mgbeta(&server, &[APP, "-InputObject", r#"{"ApplicationId":"a","SynchronizationJobId":"j"}"#, "-PassThru"]).await;
    assert_eq!((out.code, out.stdout.as_str()), (0, "True\n"), "{out:#?}");
    let out = mgbeta(&server, &[APP, "-InputObject", r#"{"ApplicationId":"a"}"#]).await;
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stderr.contains("InputObject has null value for InputObject.SynchronizationJobId"), "{out:#?}");
    assert_eq!(paths(&server).await, ["/beta/applications/a/synchronization/jobs/j/microsoft.graph.start"]);
}

/// As in PowerShell: the first object is sent, the second stops the
/// pipeline with the ViaIdentity message, the third is never sent.
#[tokio::test]
async fn a_pipeline_stops_at_the_object_without_a_key() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let input = concat!(
        r#"{"ApplicationId":"a1","SynchronizationJobId":"j1"}"#, "\n",
        r#"{"ApplicationId":"a2"}"#, "\n",
        r#"{"ApplicationId":"a3","SynchronizationJobId":"j3"}"#, "\n",
    );
    let out = Run::new(&server, &[APP, "-PassThru"]).stdin(input).out().await;
    assert_eq!((out.code, out.stdout.as_str()), (1, "True\n"), "{out:#?}");
    assert_eq!(
        out.stderr.trim_end(),
        "Start-MgBetaApplicationSynchronizationJob_StartViaIdentity: InputObject has null value for InputObject.SynchronizationJobId"
    );
    assert_eq!(paths(&server).await, ["/beta/applications/a1/synchronization/jobs/j1/microsoft.graph.start"]);

    // The same through an explicit `-InputObject -`.
    let out = Run::new(&server, &[APP, "-InputObject", "-"]).stdin(input).out().await;
    assert_eq!(out.code, 1, "{out:#?}");
    assert_eq!(requests(&server).await.len(), 2);
}

#[tokio::test]
async fn a_json_array_on_stdin_runs_once_per_element() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let input = r#"[{"ApplicationId":"a1","SynchronizationJobId":"j1"},
                    {"applicationid":"a 2","SynchronizationJobId":"j/2"}]"#;
    let out = Run::new(&server, &[APP, "--input-object=-", "-PassThru"]).stdin(input).out().await;
    assert_eq!((out.code, out.stdout.as_str()), (0, "True\nTrue\n"), "{out:#?}");
    assert_eq!(
        paths(&server).await,
        [
            "/beta/applications/a1/synchronization/jobs/j1/microsoft.graph.start",
            "/beta/applications/a%202/synchronization/jobs/j%2F2/microsoft.graph.start",
        ]
    );
}

#[tokio::test]
async fn malformed_or_empty_stdin_sends_nothing() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let good = r#"{"ApplicationId":"a","SynchronizationJobId":"j"}"#;
    for bad in [format!("{good}\n{{\"ApplicationId\":"), format!("{good}\nnot json"), "\u{0}\u{1}".to_owned()] {
        let out = Run::new(&server, &[APP]).stdin(&bad).out().await;
        assert_eq!(out.code, 2, "{bad:?}: {out:#?}");
        assert!(out.stderr.contains("standard input is not JSON"), "{out:#?}");
    }
    // Nothing piped in: the missing parameters are reported, as without a pipe.
    let out = Run::new(&server, &[APP, "-PassThru"]).stdin("").out().await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("MissingMandatoryParameter"), "{out:#?}");
    // A pipeline object no parameter takes.
    let out = Run::new(&server, &[APP]).stdin("\"just text\"").out().await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("InputObjectNotBound"), "{out:#?}");
}

/// A service error is non-terminating: the pipeline goes on, unless
/// -ErrorAction Stop; either way the exit status is 1.
#[tokio::test]
async fn service_errors_continue_the_pipeline_unless_error_action_stop() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(|r: &Request| r.url.path().contains("/j2/"))
        .respond_with(graph_404())
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    let input = (1..=3).map(|n| format!("{{\"ApplicationId\":\"a\",\"SynchronizationJobId\":\"j{n}\"}}\n")).collect::<String>();
    let out = Run::new(&server, &[APP, "-PassThru"]).stdin(&input).out().await;
    assert_eq!((out.code, out.stdout.as_str()), (1, "True\nTrue\n"), "{out:#?}");
    assert!(out.stderr.contains("Status: 404 (NotFound)"), "{out:#?}");
    assert_eq!(requests(&server).await.len(), 3);

    let out = Run::new(&server, &[APP, "-PassThru", "-ErrorAction", "Stop"]).stdin(&input).out().await;
    assert_eq!((out.code, out.stdout.as_str()), (1, "True\n"), "{out:#?}");
    assert_eq!(requests(&server).await.len(), 5);

    let out = Run::new(&server, &[APP, "-ea", "SilentlyContinue"]).stdin(&input).out().await;
    assert_eq!((out.code, out.stderr.as_str()), (1, ""), "{out:#?}");
}

// ---------------------------------------------------------------------------
// Help, listing, logging

#[tokio::test]
async fn mgbeta_alone_lists_both_cmdlets() {
    let server = MockServer::start().await;
    for args in [&[][..], &["help"], &["--help"]] {
        let out = mgbeta(&server, args).await;
        assert_eq!(out.code, 0, "{out:#?}");
        for name in [APP, SP] {
            let line = out.stdout.lines().find(|l| l.trim_start().starts_with(name)).expect("listed");
            // The synopsis follows the name.
            assert!(line.trim_end().len() > name.len() + 2, "{line:?}");
        }
    }
}

#[tokio::test]
async fn help_and_question_mark_print_the_help_as_get_help_does() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    for args in [&["help", APP][..], &[APP, "-?"], &[APP, "-ApplicationId", "x", "--help"], &["HELP", "start-mgbetaapplicationsynchronizationjob"]] {
        let out = mgbeta(&server, args).await;
        assert_eq!(out.code, 0, "{args:?}: {out:#?}");
        // Get-Help's layout: upper-case headings, text indented by four.
        assert!(out.stdout.starts_with(&format!("\nNAME\n    {APP}\n\nSYNOPSIS\n    Starts a synchronization job")), "{args:?}: {}", out.stdout);
        for heading in ["\nSYNTAX\n", "\nDESCRIPTION\n", "\nRELATED LINKS\n", "\nREMARKS\n"] {
            assert!(out.stdout.contains(heading), "{args:?}: {heading:?} in {}", out.stdout);
        }
        // Get-Help's type names, a whole parameter set per syntax entry.
        assert!(out.stdout.contains(&format!("    {APP} -ApplicationId <String> -SynchronizationJobId <String>\n")), "{}", out.stdout);
        assert!(out.stdout.contains("[-Proxy <Uri>] [-ProxyCredential <PSCredential>]"), "{}", out.stdout);
        // No Markdown or front matter.
        for raw in ["## ", "```", "---\n", "PlatyPS", "- []("] {
            assert!(!out.stdout.contains(raw), "{args:?}: {raw:?} in {}", out.stdout);
        }
        assert!(!out.stdout.contains("\nPARAMETERS\n"), "the default view has no parameter list");
    }
}

#[tokio::test]
async fn help_views_full_examples_parameter_and_online() {
    let server = MockServer::start().await;
    let full = mgbeta(&server, &["help", APP, "-Full"]).await;
    assert_eq!(full.code, 0, "{full:#?}");
    for expected in [
        "\nPARAMETERS\n    -ApplicationId <String>\n        The unique identifier of application\n\n        Required?                    true\n        Position?                    named\n        Default value\n        Accept pipeline input?       false\n        Aliases                      ObjectId\n        Accept wildcard characters?  false\n",
        "    -InputObject <IApplicationsIdentity>\n",
        "        Accept pipeline input?       true (ByValue)\n",
        "    <CommonParameters>\n",
        "\nINPUTS\n    Microsoft.Graph.Beta.PowerShell.Models.IApplicationsIdentity\n",
        "\nOUTPUTS\n    System.Boolean\n",
        "\nNOTES\n",
        "  [ApplicationId <String>]: The unique identifier of application\n",
        "\nEXAMPLES\n",
        "Suspend answers No",
    ] {
        assert!(full.stdout.contains(expected), "missing {expected:?} in:\n{}", full.stdout);
    }
    assert!(!full.stdout.contains("\nREMARKS\n"));

    let detailed = mgbeta(&server, &["help", APP, "-Detailed"]).await;
    assert!(detailed.stdout.contains("\nPARAMETERS\n") && !detailed.stdout.contains("Required?"), "{}", detailed.stdout);

    let examples = mgbeta(&server, &["help", APP, "-ex"]).await;
    assert_eq!(examples.code, 0, "{examples:#?}");
    assert!(examples.stdout.contains("\nEXAMPLES\n"), "{}", examples.stdout);
    assert!(examples.stdout.contains(&format!("    mgbeta {APP} -ApplicationId \"$APPLICATION_ID\" -SynchronizationJobId \"$SYNCHRONIZATION_JOB_ID\"\n")), "{}", examples.stdout);
    assert!(examples.stdout.contains(&format!("    echo '{{\"ApplicationId\":\"...\",\"SynchronizationJobId\":\"...\"}}' | mgbeta {APP}\n")), "{}", examples.stdout);
    assert!(!examples.stdout.contains("\nSYNTAX\n"), "{}", examples.stdout);

    let one = mgbeta(&server, &["help", APP, "-Parameter", "*JobId"]).await;
    assert_eq!(one.code, 0, "{one:#?}");
    assert!(one.stdout.starts_with("\n-SynchronizationJobId <String>\n    The unique identifier of synchronizationJob\n\n    Required?"), "{}", one.stdout);
    assert!(!one.stdout.contains("-ApplicationId"), "{}", one.stdout);
    let none = mgbeta(&server, &["help", APP, "-Parameter", "Nope"]).await;
    assert_eq!(none.code, 2, "{none:#?}");
    assert!(none.stderr.contains("No parameter matches criteria Nope."), "{none:#?}");

    let online = mgbeta(&server, &["help", "-Online", APP]).await;
    assert_eq!(
        (online.code, online.stdout.as_str()),
        (0, "https://learn.microsoft.com/powershell/module/microsoft.graph.beta.applications/start-mgbetaapplicationsynchronizationjob\n"),
        "{online:#?}"
    );

    let bad = mgbeta(&server, &["help", APP, "-Full", "-Online"]).await;
    assert_eq!(bad.code, 2, "{bad:#?}");
    let bad = mgbeta(&server, &["help", APP, "-Frobnicate"]).await;
    assert!(bad.code == 2 && bad.stderr.contains("'Frobnicate'"), "{bad:#?}");
}

#[tokio::test]
async fn help_on_a_pattern_lists_the_matching_cmdlets() {
    let server = MockServer::start().await;
    let out = mgbeta(&server, &["help", "*synchronizationJob"]).await;
    assert_eq!(out.code, 0, "{out:#?}");
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[1].starts_with("Name ") && lines[1].contains(" Category  Module ") && lines[1].ends_with(" Synopsis"), "{}", out.stdout);
    assert!(lines[2].starts_with("---- "), "{}", out.stdout);
    for (line, name) in lines[3..].iter().zip([APP, SP]) {
        assert!(line.starts_with(name) && line.contains(" Cmdlet    Microsoft.Graph.Beta.Applications "), "{line}");
    }
    assert_eq!(lines.len(), 5, "{}", out.stdout);
    // One match shows that cmdlet's help; none is an error.
    let one = mgbeta(&server, &["help", "Start-MgBetaServicePrincipal*"]).await;
    assert!(one.stdout.starts_with(&format!("\nNAME\n    {SP}\n")), "{}", one.stdout);
    let none = mgbeta(&server, &["help", "Remove-*"]).await;
    assert_eq!(none.code, 2, "{none:#?}");
    assert!(none.stderr.contains("could not find Remove-*"), "{none:#?}");
}

#[tokio::test]
async fn verbose_writes_the_should_process_line_and_request_lines() {
    let server = server_answering(ResponseTemplate::new(204).insert_header("request-id", "rid-1")).await;
    let url = format!("{}{START}", server.uri());
    // -Verb is an unambiguous prefix of -Verbose, as in PowerShell.
    for switch in ["-Verbose", "-Verb", "-vb"] {
        let out = mgbeta(&server, &app_args(&[switch])).await;
        assert_eq!(out.code, 0, "{out:#?}");
        let target = "Call remote 'POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start' operation";
        assert!(
            out.stderr.starts_with(&format!("VERBOSE: Performing the operation \"{APP}_Start\" on target \"{target}\".\n")),
            "{switch}: {}",
            out.stderr
        );
        assert!(out.stderr.contains(&format!("VERBOSE: HTTP request: POST {url}\n")), "{}", out.stderr);
        assert!(out.stderr.contains("VERBOSE: HTTP response: 204 (NoContent)"), "{}", out.stderr);
        assert!(!out.stderr.contains("DEBUG:"), "{}", out.stderr);
    }
    let out = mgbeta(&server, &app_args(&["-Verbose:$false", "-db:$false"])).await;
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{out:#?}");
}

/// -Debug logs the request as sent (after the pipeline: client-request-id
/// and SdkVersion are there) and the response with its body, the way the
/// Graph SDK's log formatter does; secrets are redacted.
#[tokio::test]
async fn debug_logs_request_and_response_as_the_sdk_formatter_does() {
    let body = r#"{"keyId":"k-1","secretText":"s3cr3t-pa55word-value","nested":{"clientSecret":"another-secret-9"}}"#;
    let server = server_answering(ResponseTemplate::new(200).insert_header("request-id", "rid-1").set_body_raw(body, "application/json")).await;
    let url = format!("{}{START}", server.uri());
    for switch in ["-Debug", "-D"] {
        let out = mgbeta(&server, &app_args(&[switch, "-Headers", r#"{"Authorization":"Bearer nope","x-a":"1"}"#])).await;
        assert_eq!(out.code, 0, "{out:#?}");
        let requests: Vec<&str> = out.stderr.matches("HTTP REQUEST").collect();
        assert_eq!(requests.len(), 1, "logged once: {}", out.stderr);
        for expected in [
            "DEBUG: ============================ HTTP REQUEST ============================\n\nHTTP Method:\nPOST\n\nAbsolute Uri:\n",
            &url,
            "x-a                           : 1\n",
            "client-request-id             : ",
            "SdkVersion                    : mgbeta-rust/",
            "Authorization                 : <redacted>\n",
            "DEBUG: ============================ HTTP RESPONSE ============================\n\nStatus Code:\nOK\n",
            "request-id                    : rid-1\n",
            "\"keyId\": \"k-1\"",
            "\"secretText\": \"<redacted>\"",
            "\"clientSecret\": \"<redacted>\"",
        ] {
            assert!(out.stderr.contains(expected), "missing {expected:?}:\n{}", out.stderr);
        }
        for secret in ["nope", "s3cr3t-pa55word-value", "another-secret-9"] {
            assert!(!out.stderr.contains(secret), "{secret} printed:\n{}", out.stderr);
        }
    }
}

#[tokio::test]
async fn common_parameters_bind_by_unique_prefix_and_ambiguity_lists_every_candidate() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    let rows: &[(&str, &str)] = &[
        ("-E", " Possible matches include: -ErrorAction -ErrorVariable."),
        ("-W", " Possible matches include: -WarningAction -WarningVariable -WhatIf."),
        ("-Info", " Possible matches include: -InformationAction -InformationVariable."),
    ];
    for (name, candidates) in rows {
        let out = mgbeta(&server, &app_args(&[name, "Stop"])).await;
        assert_eq!(out.code, 2, "{out:#?}");
        let message = format!("Parameter cannot be processed because the parameter name '{}' is ambiguous.{candidates}", &name[1..]);
        assert!(out.stderr.contains(&message), "{name}: {}", out.stderr);
        assert!(out.stderr.contains("FullyQualifiedErrorId : AmbiguousParameter,"), "{}", out.stderr);
    }
    // Unique prefixes: -Erro of -ErrorAction, -WarningA of -WarningAction.
    let out = mgbeta(&server, &app_args(&["-ErrorA", "Stop", "-WarningA", "SilentlyContinue", "-Prog", "SilentlyContinue", "-InformationA", "Continue", "-WhatIf"])).await;
    assert_eq!((out.code, out.stdout.trim_end()), (0, WHAT_IF), "{out:#?}");
    // A declared parameter wins a prefix tie with common ones: -In is
    // -InputObject, not -InformationAction or -InformationVariable.
    let out = mgbeta(&server, &[APP, "-In", r#"{"ApplicationId":"a","SynchronizationJobId":"j"}"#, "-WhatIf"]).await;
    assert!(out.code == 0 && out.stdout.contains("StartViaIdentity"), "{out:#?}");
}

#[tokio::test]
async fn warning_information_and_progress_actions_are_accepted() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    // Without -Proxy the proxy credential does nothing, as in the module,
    // and a warning says so; no password is asked for.
    let proxyless = ["-ProxyCredential", "alice"];
    let out = Run::new(&server, &app_args(&proxyless)).env("MG_PROXY_PASSWORD", Some(PROXY_PASSWORD)).out().await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert_eq!(
        out.stderr,
        "WARNING: -ProxyCredential has no effect without -Proxy; the request is sent without a proxy.\n"
    );
    assert_eq!(requests(&server).await.len(), 1, "sent directly");
    let out = mgbeta(&server, &app_args(&["-ProxyUseDefaultCredentials", "-InformationAction", "SilentlyContinue", "-ProgressAction", "SilentlyContinue"])).await;
    assert_eq!(out.code, 0, "{out:#?}");
    assert!(out.stderr.starts_with("WARNING: -ProxyUseDefaultCredentials has no effect without -Proxy"), "{out:#?}");
    for action in ["SilentlyContinue", "Ignore", "silentlycontinue", "0"] {
        let mut args = app_args(&proxyless);
        args.extend(["-WarningAction", action]);
        let out = mgbeta(&server, &args).await;
        assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{action}: {out:#?}");
    }
    assert_eq!(requests(&server).await.len(), 6);
    // Stop makes the warning a terminating error: nothing is sent.
    let mut args = app_args(&proxyless);
    args.extend(["-wa", "Stop"]);
    let out = mgbeta(&server, &args).await;
    assert_eq!(out.code, 1, "{out:#?}");
    assert!(out.stderr.contains("The running command stopped because the preference variable \"WarningPreference\" or common parameter is set to Stop: -ProxyCredential has no effect"), "{out:#?}");
    assert_eq!(requests(&server).await.len(), 6);
}

/// Standard input is pipeline input whenever it is not a terminal: a piped
/// dictionary binds to -Headers when the named arguments complete a set.
#[tokio::test]
async fn a_piped_dictionary_binds_to_headers() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(header("x-piped", "yes"))
        .respond_with(ResponseTemplate::new(204))
        .expect(2)
        .mount(&server)
        .await;
    let out = Run::new(&server, &app_args(&["-PassThru"])).stdin("{\"x-piped\":\"yes\"}\n[{\"x-piped\":\"yes\"}]").out().await;
    assert_eq!((out.code, out.stdout.as_str()), (0, "True\nTrue\n"), "{out:#?}");
    // Empty input (as from </dev/null) runs once with the named arguments.
    let plain = server_answering(ResponseTemplate::new(204)).await;
    let out = Run::new(&plain, &app_args(&["-PassThru"])).stdin("").out().await;
    assert_eq!((out.code, out.stdout.as_str()), (0, "True\n"), "{out:#?}");
    // -Headers given by name: the object binds to nothing (as in PowerShell).
    let out = Run::new(&plain, &app_args(&["-Headers", "a=b"])).stdin("{\"x\":\"1\"}").out().await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("InputObjectNotBound"), "{out:#?}");
}

/// An object that binds to nothing is a non-terminating error: the next
/// objects still run (exit status 1), unless -ErrorAction Stop.
#[tokio::test]
async fn a_pipeline_object_that_binds_to_nothing_does_not_stop_the_pipeline() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    let input = "{\"ApplicationId\":\"a\",\"SynchronizationJobId\":\"j1\"}\n\"just text\"\n{\"ApplicationId\":\"a\",\"SynchronizationJobId\":\"j3\"}\n";
    let out = Run::new(&server, &[APP, "-PassThru"]).stdin(input).out().await;
    assert_eq!((out.code, out.stdout.as_str()), (1, "True\nTrue\n"), "{out:#?}");
    assert!(out.stderr.contains("FullyQualifiedErrorId : InputObjectNotBound,"), "{out:#?}");
    assert_eq!(requests(&server).await.len(), 2);
    let out = Run::new(&server, &[APP, "-PassThru", "-ea", "SilentlyContinue"]).stdin(input).out().await;
    assert_eq!((out.code, out.stdout.as_str(), out.stderr.as_str()), (1, "True\nTrue\n", ""), "{out:#?}");
    let out = Run::new(&server, &[APP, "-PassThru", "-ErrorAction", "Stop"]).stdin(input).out().await;
    assert_eq!((out.code, out.stdout.as_str()), (1, "True\n"), "{out:#?}");
    assert_eq!(requests(&server).await.len(), 5);
}

#[tokio::test]
async fn small_binder_gaps_are_closed() {
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).expect(0).mount(&server).await;
    for (args, id) in [
        (&["-ResponseHeadersVariable", ""][..], "ParameterArgumentValidationErrorEmptyStringNotAllowed"),
        (&["-RHV", "$null"], "ParameterArgumentValidationErrorEmptyStringNotAllowed"),
        (&["-Verbose", "-Verbose"], "ParameterAlreadyBound"),
        (&["-Debug", "-db:$false"], "ParameterAlreadyBound"),
        (&["-ea", "Stop", "-ErrorAction", "Continue"], "ParameterAlreadyBound"),
        (&["-wa", "Stop", "-WarningAction", "Stop"], "ParameterAlreadyBound"),
        (&["-Headers", "a=b", "-Headers", "c=d"], "ParameterAlreadyBound"),
        (&["-PassThru", "-PassThru"], "ParameterAlreadyBound"),
    ] {
        let out = mgbeta(&server, &app_args(args)).await;
        assert_eq!(out.code, 2, "{args:?}: {out:#?}");
        assert!(out.stderr.contains(&format!("FullyQualifiedErrorId : {id},{APP}")), "{args:?}: {}", out.stderr);
    }
    let out = mgbeta(&server, &app_args(&["-RHV", ""])).await;
    assert!(out.stderr.contains("Cannot bind argument to parameter 'ResponseHeadersVariable' because it is an empty string."), "{out:#?}");
    let out = Run::new(&server, &[APP, "-InputObject", "-", "-InputObject", "-"]).stdin("{}").out().await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("ParameterAlreadyBound"), "{out:#?}");
}

// ---------------------------------------------------------------------------
// Proxy

/// The mock server acts as the forward proxy: an http:// request through a
/// proxy is sent to it in absolute form, with Proxy-Authorization.
#[tokio::test]
async fn proxy_credential_takes_the_password_from_the_environment() {
    let proxy = server_answering(ResponseTemplate::new(204)).await;
    let uri = proxy.uri();
    let args = app_args(&["-Proxy", &uri, "-ProxyCredential", "alice"]);
    let out = Run::new(&proxy, &args)
        .env("MG_GRAPH_BASE_URL", Some("http://graph.invalid/beta"))
        .env("MG_PROXY_PASSWORD", Some(PROXY_PASSWORD))
        .out()
        .await;
    assert_eq!(out.code, 0, "{out:#?}");
    let seen = requests(&proxy).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].url.host_str(), Some("graph.invalid"));
    assert_eq!(seen[0].url.path(), START, "a root ending in /beta keeps its version");
    let basic = format!("Basic {}", base64(&format!("alice:{PROXY_PASSWORD}")));
    assert_eq!(seen[0].headers.get("proxy-authorization").and_then(|v| v.to_str().ok()), Some(basic.as_str()));

    // No password anywhere and no terminal: refused before sending.
    let out = Run::new(&proxy, &args).env("MG_GRAPH_BASE_URL", Some("http://graph.invalid/beta")).out().await;
    assert_eq!(out.code, 2, "{out:#?}");
    assert!(out.stderr.contains("MG_PROXY_PASSWORD"), "{out:#?}");
    assert_eq!(requests(&proxy).await.len(), 1);
}

#[tokio::test]
async fn proxy_use_default_credentials_reads_the_proxy_variables() {
    let proxy = server_answering(ResponseTemplate::new(204)).await;
    let with_user = proxy.uri().replace("http://", &format!("http://bob:{PROXY_PASSWORD}@"));
    let out = Run::new(&proxy, &app_args(&["-Proxy", &proxy.uri(), "-ProxyUseDefaultCredentials", "-Debug"]))
        .env("MG_GRAPH_BASE_URL", Some("http://graph.invalid/beta"))
        .env("HTTP_PROXY", Some(&with_user))
        .out()
        .await;
    assert_eq!(out.code, 0, "{out:#?}");
    let seen = requests(&proxy).await;
    let basic = format!("Basic {}", base64(&format!("bob:{PROXY_PASSWORD}")));
    assert_eq!(seen[0].headers.get("proxy-authorization").and_then(|v| v.to_str().ok()), Some(basic.as_str()));
}

/// Standard base64, enough for a Basic credential.
fn base64(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            let c = if i <= chunk.len() { ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' };
            out.push(c);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Terminal questions, in process: `run` with a scripted terminal

/// What an in-process run printed, and the questions it asked.
struct Session {
    code: i32,
    stdout: String,
    stderr: String,
    questions: Vec<(String, bool)>,
}

/// Runs `args` through `cli::run` with `answers` typed at the terminal.
async fn with_terminal(server: &MockServer, args: &[&str], stdin: &str, answers: &[&str]) -> Session {
    use mg_runtime::cli::{Io, Registry, run};
    let (mut stdout, mut stderr, mut questions) = (Vec::new(), Vec::new(), Vec::new());
    let mut answers = answers.iter().map(|a| a.to_string());
    let base = server.uri();
    let env = |name: &str| match name {
        "MG_GRAPH_BASE_URL" => Some(base.clone()),
        "MG_ACCESS_TOKEN" => Some(TOKEN.to_owned()),
        _ => None,
    };
    let mut prompt = |text: &str, secret: bool| {
        questions.push((text.to_owned(), secret));
        answers.next()
    };
    let io = Io {
        program: "mgbeta",
        stdin: Box::new(stdin.as_bytes()),
        stdin_is_terminal: false,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stderr_is_terminal: false,
        env: &env,
        prompt: &mut prompt,
    };
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let registry = Registry::new(&[mg_beta_applications::CMDLETS]);
    let code = run(&registry, &args, io).await;
    let (stdout, stderr) = (String::from_utf8(stdout).expect("UTF-8"), String::from_utf8(stderr).expect("UTF-8"));
    assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN) && !stderr.contains(PROXY_PASSWORD));
    Session { code, stdout, stderr, questions }
}

#[tokio::test]
async fn confirm_asks_like_should_process_and_defaults_to_yes() {
    let server = server_answering(ResponseTemplate::new(204)).await;
    // Enter takes the default, Yes, as in PowerShell.
    let enter = with_terminal(&server, &app_args(&["-Confirm", "-PassThru"]), "", &[""]).await;
    assert_eq!((enter.code, enter.stdout.as_str()), (0, "True\n"), "{}", enter.stderr);
    let (question, secret) = &enter.questions[0];
    assert!(!secret);
    assert_eq!(
        question,
        "\nConfirm\nAre you sure you want to perform this action?\nPerforming the operation \"Start-MgBetaApplicationSynchronizationJob_Start\" on target \"Call remote 'POST /applications/{application-id}/synchronization/jobs/{synchronizationJob-id}/microsoft.graph.start' operation\".\n[Y] Yes  [A] Yes to All  [N] No  [L] No to All  [S] Suspend  [?] Help (default is \"Y\"): "
    );
    assert_eq!(requests(&server).await.len(), 1);

    let no = with_terminal(&server, &app_args(&["-Confirm", "-PassThru"]), "", &["n"]).await;
    assert_eq!((no.code, no.stdout.as_str()), (0, ""));
    assert_eq!(requests(&server).await.len(), 1);

    // An unknown answer asks again; `?` explains the choices first.
    let yes = with_terminal(&server, &app_args(&["-Confirm", "-PassThru"]), "", &["maybe", "?", "yes"]).await;
    assert_eq!((yes.code, yes.stdout.as_str(), yes.questions.len()), (0, "True\n", 3));
    assert!(yes.questions[2].0.starts_with("Y - Continue with only the next step of the operation.\n"), "{:?}", yes.questions[2]);
    assert!(yes.questions[2].0.contains("\nS - Answers No"), "{:?}", yes.questions[2]);
    assert_eq!(requests(&server).await.len(), 2);

    // Suspend has no nested prompt to return to: it answers No.
    let suspend = with_terminal(&server, &app_args(&["-Confirm", "-PassThru"]), "", &["S"]).await;
    assert_eq!((suspend.code, suspend.stdout.as_str()), (0, ""));
    assert!(suspend.stderr.contains("Suspend has no nested prompt"), "{}", suspend.stderr);
    assert_eq!(requests(&server).await.len(), 2);

    // No answer at all (end of input): nothing is sent.
    let eof = with_terminal(&server, &app_args(&["-Confirm", "-PassThru"]), "", &[]).await;
    assert_eq!((eof.code, eof.stdout.as_str()), (0, ""));
    assert!(eof.stderr.contains("-Confirm got no answer"), "{}", eof.stderr);
    assert_eq!(requests(&server).await.len(), 2);

    // "Yes to All" answers for the rest of the pipeline; "No to All" too.
    let input = "{\"ApplicationId\":\"a\",\"SynchronizationJobId\":\"1\"}\n{\"ApplicationId\":\"a\",\"SynchronizationJobId\":\"2\"}";
    let all = with_terminal(&server, &[APP, "-Confirm", "-PassThru"], input, &["A"]).await;
    assert_eq!((all.code, all.stdout.as_str(), all.questions.len()), (0, "True\nTrue\n", 1));
    let none = with_terminal(&server, &[APP, "-cf", "-PassThru"], input, &["l"]).await;
    assert_eq!((none.code, none.stdout.as_str(), none.questions.len()), (0, "", 1));
    assert_eq!(requests(&server).await.len(), 4);
}

#[tokio::test]
async fn the_proxy_password_is_asked_once_without_echo() {
    let proxy = server_answering(ResponseTemplate::new(204)).await;
    let uri = proxy.uri();
    let input = "{\"ApplicationId\":\"a\",\"SynchronizationJobId\":\"1\"}\n{\"ApplicationId\":\"a\",\"SynchronizationJobId\":\"2\"}";
    let run = with_terminal(&proxy, &[APP, "-Proxy", &uri, "-ProxyCredential", "carol", "-Debug"], input, &[PROXY_PASSWORD]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.questions, [("Password for proxy user 'carol': ".to_owned(), true)]);
    let basic = format!("Basic {}", base64(&format!("carol:{PROXY_PASSWORD}")));
    for seen in requests(&proxy).await {
        assert_eq!(seen.headers.get("proxy-authorization").and_then(|v| v.to_str().ok()), Some(basic.as_str()));
    }
    // No answer: refused, nothing sent.
    let refused = with_terminal(&proxy, &app_args(&["-Proxy", &uri, "-ProxyCredential", "carol"]), "", &[]).await;
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert_eq!(requests(&proxy).await.len(), 2);
}
