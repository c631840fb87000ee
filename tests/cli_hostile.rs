//! The `mgbeta` binary under hostile arguments, standard input and
//! environment: invalid UTF-8, arguments of hundreds of kilobytes, unknown
//! and malformed switches, malformed JSON on standard input. Each must end in
//! a clear error with exit status 2, no panic, and no request sent (a
//! wiremock server stands in for Graph and counts what arrives).

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "hostile-cli-token-41d2e8";
const APP: &str = "Start-MgBetaApplicationSynchronizationJob";

fn binary() -> &'static Path {
    tests::mgbeta_binary()
}

#[derive(Debug)]
struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs the binary with a clean environment plus `env`, feeding `stdin`.
fn exec(args: &[OsString], stdin: Vec<u8>, env: &[(&str, &str)]) -> Out {
    let mut command = Command::new(binary());
    command.args(args).env_clear();
    for (name, value) in env {
        command.env(name, value);
    }
    let done = tests::run_piped(command, stdin, Duration::from_secs(30));
    Out { code: done.status.code(), stdout: done.stdout, stderr: done.stderr }
}

/// A stand-in for Graph that answers anything, so that a request sent by
/// mistake would succeed and be counted.
async fn graph() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(204)).mount(&server).await;
    server
}

async fn run(server: &MockServer, args: Vec<OsString>, stdin: Vec<u8>) -> Out {
    let uri = server.uri();
    tokio::task::spawn_blocking(move || exec(&args, stdin, &[("MG_GRAPH_BASE_URL", &uri), ("MG_ACCESS_TOKEN", TOKEN)]))
        .await
        .expect("runner thread")
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// The shape every refusal here must have.
fn assert_refused(what: &str, out: &Out) {
    let head: String = out.stderr.chars().take(600).collect();
    assert_eq!(out.code, Some(2), "{what}: exit status; stderr: {head}");
    assert!(!out.stderr.trim().is_empty(), "{what}: no message");
    assert!(!out.stderr.contains("panicked") && !out.stderr.contains("RUST_BACKTRACE"), "{what}: {head}");
    assert!(!out.stderr.contains(TOKEN) && !out.stdout.contains(TOKEN), "{what}: the token was printed");
}

async fn assert_nothing_sent(server: &MockServer, what: &str) {
    let received = server.received_requests().await.expect("recording is on");
    assert!(received.is_empty(), "{what}: {} request(s) reached the server", received.len());
}

#[tokio::test]
async fn unknown_and_malformed_switches_exit_2() {
    let server = graph().await;
    let cases: &[(&[&str], &str)] = &[
        (&["-Bogus", "x"], "NamedParameterNotFound"),
        (&["--bogus"], "NamedParameterNotFound"),
        (&["--application-id"], "MissingArgument"),
        (&["-ApplicationId"], "MissingArgument"),
        (&["-ApplicationId:"], "MissingArgument"),
        (&["-ApplicationId", "a", "-ApplicationId", "b", "-SynchronizationJobId", "j"], "ParameterAlreadyBound"),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-"], "PositionalParameterNotFound"),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "extra"], "PositionalParameterNotFound"),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-Verbose:maybe"], "-Verbose takes $true or $false"),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-WhatIf:maybe"], "Cannot convert value \"maybe\""),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-ErrorAction", "Explode"], "Cannot convert value \"Explode\" to type \"System.Management.Automation.ActionPreference\""),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-OutVariable", "x"], "has no meaning outside PowerShell"),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-Headers", "no-equals-sign"], ""),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-Headers", "bad name=v"], ""),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-Proxy", "not a uri"], ""),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-Proxy", "ftp://proxy:21"], ""),
        (&["-ApplicationId", "a", "-SynchronizationJobId", "j", "-HttpPipelinePrepend", "{"], ""),
        (&["-InputObject", "{not json", "-PassThru"], ""),
        (&["-InputObject", "[1,", "-PassThru"], ""),
    ];
    for (args, expected) in cases {
        let mut all = vec![APP];
        all.extend_from_slice(args);
        let out = run(&server, os(&all), Vec::new()).await;
        let what = format!("{args:?}");
        assert_refused(&what, &out);
        assert!(out.stderr.contains(expected), "{what}: expected `{expected}` in:\n{}", out.stderr);
    }
    for args in [&["--"][..], &["-"], &["—"], &["-?x"], &["Start-MgBeta*"], &["--version", "extra"]] {
        let out = run(&server, os(args), Vec::new()).await;
        assert!(matches!(out.code, Some(0 | 2)), "{args:?}: {out:?}");
        assert!(!out.stderr.contains("panicked"), "{args:?}: {out:?}");
    }
    // Ids the runtime refuses after binding (status 1, as a cmdlet error),
    // still before anything is sent.
    for id in ["..", ".", ""] {
        let out = run(&server, os(&[APP, "-ApplicationId", id, "-SynchronizationJobId", "j"]), Vec::new()).await;
        assert!(matches!(out.code, Some(1 | 2)), "{id:?}: {out:?}");
        assert!(out.stderr.contains("not sent") || out.stderr.contains("ParameterArgumentValidationError"), "{id:?}: {out:?}");
    }
    assert_nothing_sent(&server, "switches").await;
}

#[cfg(unix)]
#[tokio::test]
async fn invalid_utf8_anywhere_on_the_command_line_exits_2() {
    use std::os::unix::ffi::OsStringExt;
    let server = graph().await;
    let bad = |bytes: &[u8]| OsString::from_vec(bytes.to_vec());
    let cases: Vec<Vec<OsString>> = vec![
        vec![bad(b"Start-MgBeta\xffJob")],
        vec![OsString::from(APP), bad(b"-Appl\xffcationId"), "a".into()],
        vec![OsString::from(APP), "-ApplicationId".into(), bad(b"\xc0\x80"), "-SynchronizationJobId".into(), "j".into()],
        vec![OsString::from(APP), "-ApplicationId".into(), "a".into(), "-SynchronizationJobId".into(), bad(b"\xed\xa0\x80")],
        vec![OsString::from(APP), "-ApplicationId".into(), "a".into(), "-SynchronizationJobId".into(), "j".into(), "-Headers".into(), bad(b"x=\xfe")],
        vec![OsString::from(APP), "--".into(), bad(b"\xff")],
        vec![OsString::from("help"), bad(b"\xff\xfe")],
    ];
    for args in cases {
        let what = format!("{args:?}");
        let out = run(&server, args, Vec::new()).await;
        assert_refused(&what, &out);
        assert!(out.stderr.contains("is not valid UTF-8"), "{what}: {}", out.stderr);
    }
    assert_nothing_sent(&server, "invalid UTF-8").await;
}

/// Linux takes at most 128 KiB per argument (MAX_ARG_STRLEN): a megabyte
/// of command line is eight arguments just under that.
#[tokio::test]
async fn a_megabyte_of_arguments_exits_2() {
    let server = graph().await;
    let big: Vec<String> = (0..8).map(|n| char::from(b'a' + n).to_string().repeat(130_000)).collect();
    let name = format!("-{}", big[0]);
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        ("a huge cmdlet name", vec![big[0].as_str()], "is not recognized"),
        ("a huge parameter name", vec![APP, name.as_str(), "x"], "NamedParameterNotFound"),
        ("eight huge positionals", std::iter::once(APP).chain(big.iter().map(String::as_str)).collect(), "PositionalParameterNotFound"),
        ("eight huge help topics", std::iter::once("help").chain(big.iter().map(String::as_str)).collect(), "usage"),
    ];
    for (what, args, expected) in cases {
        let out = run(&server, os(&args), Vec::new()).await;
        assert_refused(what, &out);
        assert!(out.stderr.contains(expected), "{what}: expected `{expected}` in {} bytes of stderr", out.stderr.len());
        assert!(out.stderr.len() < 4 << 20, "{what}: {} bytes of stderr", out.stderr.len());
    }
    assert_nothing_sent(&server, "huge arguments").await;
}

/// An id too long for any URL: refused before sending. The http crate's
/// URI limit (64 KiB) is what stops it today, reported as a transport
/// error with status 1; a usage error (status 2) is what this asks for.
#[tokio::test]
async fn an_id_too_long_for_a_url_is_a_usage_error() {
    let server = graph().await;
    let id = "a".repeat(130_000);
    let out = run(&server, os(&[APP, "-ApplicationId", &id, "-SynchronizationJobId", "j"]), Vec::new()).await;
    assert_refused("a 130 kB id", &out);
    assert_nothing_sent(&server, "a 130 kB id").await;
}

/// Whatever an id too long for a URL gives today, nothing is sent and
/// nothing panics.
#[tokio::test]
async fn an_id_too_long_for_a_url_sends_nothing() {
    let server = graph().await;
    let id = "a".repeat(130_000);
    let out = run(&server, os(&[APP, "-ApplicationId", &id, "-SynchronizationJobId", "j"]), Vec::new()).await;
    assert!(matches!(out.code, Some(1 | 2)), "{:?}", out.code);
    assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
    assert_nothing_sent(&server, "a 130 kB id").await;
}

#[tokio::test]
async fn malformed_json_on_standard_input_exits_2() {
    let server = graph().await;
    let good = br#"{"ApplicationId":"a","SynchronizationJobId":"j"}"#.to_vec();
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("an open brace", b"{".to_vec(), "standard input is not JSON"),
        ("a cut object", br#"{"ApplicationId":"#.to_vec(), "standard input is not JSON"),
        ("a cut array", b"[1, 2".to_vec(), "standard input is not JSON"),
        ("an unterminated string", b"\"abc".to_vec(), "standard input is not JSON"),
        ("a bad escape", br#"{"ApplicationId":"\q"}"#.to_vec(), "standard input is not JSON"),
        ("a lone surrogate", br#"{"ApplicationId":"\ud800","SynchronizationJobId":"j"}"#.to_vec(), "standard input is not JSON"),
        ("an out-of-range number", b"1e999".to_vec(), "standard input is not JSON"),
        ("NUL bytes", b"\0\0\0".to_vec(), "standard input is not JSON"),
        ("a good object then garbage", [good.clone(), b"\n}{".to_vec()].concat(), "standard input is not JSON"),
        ("Latin-1 bytes", b"{\"ApplicationId\":\"caf\xe9\"}".to_vec(), "standard input is not UTF-8"),
        ("UTF-16", [&[0xff_u8, 0xfe][..], &"{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()].concat(), "standard input is not UTF-8"),
        ("100,000 nested arrays", "[".repeat(100_000).into_bytes(), "recursion limit"),
        ("100,000 nested objects", "{\"a\":".repeat(100_000).into_bytes(), "recursion limit"),
        ("more than 64 MiB", vec![b' '; (64 << 20) + 1], "larger than 67108864 bytes"),
    ];
    // Thousands of good objects and one bad one at the end: nothing is sent,
    // because all input is read and parsed before the first request.
    let mut many = good.repeat(10_000);
    many.extend_from_slice(b"{\"oops\"");
    cases.push(("10,000 good objects and a cut one", many, "standard input is not JSON"));
    for (what, stdin, expected) in cases {
        for args in [vec![APP], vec![APP, "-InputObject", "-"]] {
            let out = run(&server, os(&args), stdin.clone()).await;
            assert_refused(what, &out);
            assert!(out.stderr.contains(expected), "{what}: expected `{expected}` in:\n{}", out.stderr);
            assert!(out.stderr.contains("Nothing was sent"), "{what}: {}", out.stderr);
        }
    }
    assert_nothing_sent(&server, "malformed standard input").await;
}

/// Well-formed JSON that no parameter can take is a binding error.
#[tokio::test]
async fn json_that_binds_nothing_exits_2() {
    let server = graph().await;
    let cases: &[(&str, &str)] = &[
        ("null", "ParameterArgumentValidationErrorNullNotAllowed"),
        ("[]", "MissingMandatoryParameter"),
        ("\"text\"", "InputObjectNotBound"),
        ("42", "InputObjectNotBound"),
    ];
    for (stdin, expected) in cases {
        let out = run(&server, os(&[APP]), stdin.as_bytes().to_vec()).await;
        assert_refused(stdin, &out);
        assert!(out.stderr.contains(expected), "{stdin}: expected `{expected}` in:\n{}", out.stderr);
    }
    assert_nothing_sent(&server, "unbindable JSON").await;
}

#[tokio::test]
async fn hostile_environment_exits_2_without_printing_the_token() {
    let server = graph().await;
    let uri = server.uri();
    let args = os(&[APP, "-ApplicationId", "a", "-SynchronizationJobId", "j"]);
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, &'a str);
    let cases: Vec<Case> = vec![
        ("a token with a newline", vec![("MG_GRAPH_BASE_URL", uri.clone()), ("MG_ACCESS_TOKEN", format!("{TOKEN}\nX-Evil: 1"))], "not allowed in an HTTP header"),
        ("a token with a control character", vec![("MG_GRAPH_BASE_URL", uri.clone()), ("MG_ACCESS_TOKEN", format!("{TOKEN}\u{7}"))], "not allowed in an HTTP header"),
        ("no token", vec![("MG_GRAPH_BASE_URL", uri.clone())], "MG_ACCESS_TOKEN"),
        ("a base URL that does not parse", vec![("MG_GRAPH_BASE_URL", "http://[::1".to_owned()), ("MG_ACCESS_TOKEN", TOKEN.to_owned())], "base URL"),
        ("an ftp base URL", vec![("MG_GRAPH_BASE_URL", "ftp://example.com/".to_owned()), ("MG_ACCESS_TOKEN", TOKEN.to_owned())], "base URL"),
        ("a relative base URL", vec![("MG_GRAPH_BASE_URL", "/beta".to_owned()), ("MG_ACCESS_TOKEN", TOKEN.to_owned())], "base URL"),
    ];
    for (what, env, expected) in cases {
        let args = args.clone();
        let out = tokio::task::spawn_blocking(move || {
            let env: Vec<(&str, &str)> = env.iter().map(|(n, v)| (*n, v.as_str())).collect();
            exec(&args, Vec::new(), &env)
        })
        .await
        .expect("runner");
        assert_refused(what, &out);
        assert!(out.stderr.contains(expected), "{what}: expected `{expected}` in:\n{}", out.stderr);
    }
    assert_nothing_sent(&server, "hostile environment").await;
}
