//! Path safety of the generated client, checked on the wire: any id, however
//! odd, reaches a real HTTP server on 127.0.0.1 as exactly one path segment
//! that percent-decodes back to the id byte for byte; `""`, `.` and `..` are
//! refused before anything is sent.

#[path = "support/loopback.rs"]
mod loopback;

use std::net::SocketAddr;
use std::sync::Arc;

use mg_beta_applications::operations as ops;
use mg_beta_applications::runtime::client::{Client, RetryPolicy, StaticToken};
use mg_beta_applications::runtime::error::{Error, Secret};
use percent_encoding::percent_decode_str;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestRunner};

/// The base URL has a path of its own, like the real service root, so the
/// test also covers joining the base and the operation path.
const BASE_PATH: &str = "/beta";

/// Characters that mean something in a URL or to a URL normaliser, plus a
/// few that are awkward in other ways (controls, bidi, BOM, astral plane).
#[rustfmt::skip]
const AWKWARD: &[char] = &[
    '/', '\\', '?', '#', '%', '.', ' ', '+', '&', '=', ';', ':', '@', '!', '$', '\'', '(', ')', '*',
    ',', '[', ']', '"', '<', '>', '^', '`', '{', '|', '}', '~', '-', '_', '\0', '\t', '\n', '\r',
    '\u{7f}', '\u{85}', '\u{a0}', 'é', 'ß', '\u{200b}', '\u{202e}', '\u{2215}', '\u{ff0f}', '\u{feff}',
    '\u{fffd}', '😀', '\u{10ffff}', '2', 'e', 'E', 'a',
];

struct Harness {
    runtime: tokio::runtime::Runtime,
    client: Client,
    recorder: Arc<loopback::Recorder>,
}

fn harness() -> Harness {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let (addr, recorder): (SocketAddr, _) = runtime.block_on(loopback::start(true));
    let client = Client::builder()
        .base_url(format!("http://{addr}{BASE_PATH}"))
        .token_provider(StaticToken(Secret::new("property-test-token")))
        .retry(RetryPolicy::none())
        .system_proxy(false)
        .build()
        .expect("client builds");
    Harness {
        runtime,
        client,
        recorder,
    }
}

/// Which operation a case calls.
#[derive(Debug, Clone, Copy)]
enum Op {
    Application,
    ServicePrincipal,
}

impl Op {
    fn collection(self) -> &'static str {
        match self {
            Op::Application => "applications",
            Op::ServicePrincipal => "servicePrincipals",
        }
    }

    fn first_param(self) -> &'static str {
        match self {
            Op::Application => "application-id",
            Op::ServicePrincipal => "servicePrincipal-id",
        }
    }

    async fn call(self, client: &Client, first: &str, job: &str) -> Result<(), Error> {
        match self {
            Op::Application => {
                ops::application_synchronization_job_start(first, job).send(client)
                    .await
            }
            Op::ServicePrincipal => {
                ops::service_principal_synchronization_job_start(first, job).send(client)
                    .await
            }
        }
    }
}

/// Arbitrary ids: fully arbitrary `char`s (controls and unassigned code
/// points included), arbitrary printable text, and strings built from
/// URL-significant characters, which hit the interesting cases far more
/// often. Only `.` and `..` are filtered out; they have their own test.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<char>(), 1..24).prop_map(String::from_iter),
        "\\PC{1,24}",
        prop::collection::vec(prop::sample::select(AWKWARD), 1..12).prop_map(String::from_iter),
    ]
    .prop_filter("dot segments have their own test", |s| {
        !matches!(s.as_str(), "" | "." | "..")
    })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![Just(Op::Application), Just(Op::ServicePrincipal)]
}

/// True when `segment` holds only RFC 3986 unreserved characters and
/// `%XX` escapes, i.e. nothing a URL parser or normaliser would touch.
fn is_canonical_segment(segment: &str) -> bool {
    let bytes = segment.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = |b: u8| b.is_ascii_digit() || (b'A'..=b'F').contains(&b);
                if i + 2 >= bytes.len() || !(hex(bytes[i + 1]) && hex(bytes[i + 2])) {
                    return false;
                }
                i += 3;
            }
            b if b.is_ascii_alphanumeric() || b"-._~".contains(&b) => i += 1,
            _ => return false,
        }
    }
    true
}

/// Checks one recorded target against the ids that were sent.
fn check_target(target: &str, op: Op, first: &str, job: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !target.contains('?') && !target.contains('#'),
        "query or fragment in {target:?}"
    );
    let segments: Vec<&str> = target.split('/').collect();
    // "", "beta", collection, id, "synchronization", "jobs", id, "microsoft.graph.start"
    prop_assert_eq!(segments.len(), 8, "segments of {:?}", target);
    prop_assert_eq!(
        [
            segments[0],
            segments[1],
            segments[2],
            segments[4],
            segments[5],
            segments[7]
        ],
        [
            "",
            &BASE_PATH[1..],
            op.collection(),
            "synchronization",
            "jobs",
            "microsoft.graph.start"
        ],
        "fixed segments of {:?}",
        target
    );
    for (segment, sent) in [(segments[3], first), (segments[6], job)] {
        prop_assert!(
            is_canonical_segment(segment),
            "segment {segment:?} is not canonical"
        );
        let decoded: Vec<u8> = percent_decode_str(segment).collect();
        prop_assert_eq!(
            decoded.as_slice(),
            sent.as_bytes(),
            "segment {:?} of {:?}",
            segment,
            target
        );
    }
    Ok(())
}

#[test]
fn arbitrary_ids_arrive_as_exactly_one_segment_each() {
    let h = harness();
    let config = Config {
        cases: 256,
        // Same cases on every run and machine; no files written on failure
        // (a failing case is printed, shrunk, in the panic message).
        rng_seed: RngSeed::Fixed(0x6d67_6265_7461),
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let result = runner.run(&(op(), id(), id()), |(op, first, job)| {
        let sent = h.runtime.block_on(op.call(&h.client, &first, &job));
        prop_assert!(sent.is_ok(), "call failed: {:?}", sent);
        let targets = h.recorder.take_targets();
        prop_assert_eq!(targets.len(), 1, "requests recorded: {:?}", targets);
        check_target(&targets[0], op, &first, &job)
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // Every case went over the same kept-alive connection or a few: the
    // server saw one request per case and nothing else.
    assert_eq!(h.recorder.requests(), 256);
}

#[test]
fn empty_and_dot_ids_are_refused_before_anything_is_sent() {
    let h = harness();
    for op in [Op::Application, Op::ServicePrincipal] {
        for bad in ["", ".", ".."] {
            for (first, job, name) in [
                (bad, "job-1", op.first_param()),
                ("id-1", bad, "synchronizationJob-id"),
            ] {
                let err = h
                    .runtime
                    .block_on(op.call(&h.client, first, job))
                    .expect_err("refused");
                assert!(
                    matches!(&err, Error::InvalidPathParameter { name: n, .. } if *n == name),
                    "{op:?}({first:?}, {job:?}): {err:?}"
                );
            }
        }
    }
    assert_eq!(h.recorder.connections(), 0, "no connection may be opened");
    assert_eq!(h.recorder.requests(), 0, "no request may be sent");

    // The server was there all along: a good call reaches it.
    h.runtime
        .block_on(Op::Application.call(&h.client, "id-1", "job-1"))
        .expect("a valid call succeeds");
    assert_eq!(
        h.recorder.take_targets(),
        ["/beta/applications/id-1/synchronization/jobs/job-1/microsoft.graph.start"]
    );
}

#[test]
fn canonical_segment_check_rejects_what_it_should() {
    for ok in ["", "a-b._~", "%2F", "%C3%A9x"] {
        assert!(is_canonical_segment(ok), "{ok:?}");
    }
    for bad in ["a/b", "%", "%2", "%2f", "%G0", "é", "a b", "a?b"] {
        assert!(!is_canonical_segment(bad), "{bad:?}");
    }
}
