//! Overhead of the generated client over a hand-written `reqwest` call.
//!
//! `cargo bench -p tests --bench overhead`
//!
//! Every variant sends `POST /beta/applications/{id}/synchronization/jobs/
//! {id}/microsoft.graph.start` with a Bearer token and a fresh
//! `client-request-id` to the same keep-alive server on 127.0.0.1, which
//! answers `204 No Content`, and reads the status. Each round runs every
//! variant for `OVERHEAD_REQUESTS` sequential requests (default 2,000), in an
//! order that rotates from round to round so that drift (CPU frequency, a
//! busy neighbour) hits each variant alike; `OVERHEAD_ROUNDS` rounds (default
//! 25) follow a warm-up. For each variant the report gives the median and
//! the best per-request wall-clock time and calling-thread CPU time, then
//! the generated/hand-written ratios (median of the per-round ratios).
//!
//! The variants:
//! - `generated`: `ops::application_synchronization_job_start(..).send(&client)`.
//! - `hand-written`: the same request written by hand with `reqwest`: the
//!   generated client's settings (timeouts, user agent), the ids encoded the
//!   same way, and the same headers (`SdkVersion` included), so the server
//!   receives the same bytes apart from the request id. This is the baseline
//!   for the 5% target; the benchmark checks the two heads match before it
//!   measures.
//! - `bare reqwest`: `reqwest::Client::new()` (no timeouts) sending only the
//!   Bearer token and `client-request-id`: the least a caller could write,
//!   for context.
//!
//! A plain `harness = false` program rather than criterion: criterion would
//! add a large dev-dependency tree that every `cargo test --workspace` has to
//! build, and the quantity wanted (ratios over interleaved rounds of many
//! requests, wall and CPU time) is a few lines of `std::time`.
//!
//! `OVERHEAD_ONLY=<variant>` runs one variant alone (for `perf record` or
//! `valgrind --tool=callgrind`).

#[path = "../support/loopback.rs"]
mod loopback;

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use mg_beta_applications::operations as ops;
use mg_beta_applications::runtime::client::{Client, DEFAULT_USER_AGENT, StaticToken};
use mg_beta_applications::runtime::error::Secret;
use mg_beta_applications::runtime::pipeline::{SDK_VERSION, SDK_VERSION_HEADER};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

const TOKEN: &str = "benchmark-token-0123456789abcdef0123456789abcdef";
const APP_ID: &str = "8a4b6c9e-1f2d-4e3a-9b8c-7d6e5f4a3b2c";
const JOB_ID: &str =
    "AzureAD2AADProvisioning.1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d.7e8f9a0b-1c2d-3e4f-5a6b-7c8d9e0f1a2b";

/// RFC 3986 unreserved characters stay; everything else is encoded (what
/// any careful hand-written call would do with an id).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&n| n > 0)
        .unwrap_or(default)
}

/// Runs the server on its own thread and runtime, so that serving costs the
/// client's thread nothing and is the same for every variant.
fn start_server() -> (SocketAddr, std::sync::Arc<loopback::Recorder>) {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            tx.send(loopback::start(false).await)
                .expect("report the address");
            // Serve until the benchmark exits.
            std::future::pending::<()>().await;
        });
    });
    rx.recv().expect("server started")
}

/// The hand-written call; `sdk_header` adds the `SdkVersion` header the
/// generated client sends.
async fn hand_written(http: &reqwest::Client, base: &str, sdk_header: bool) -> u16 {
    let url = format!(
        "{base}/applications/{}/synchronization/jobs/{}/microsoft.graph.start",
        utf8_percent_encode(APP_ID, SEGMENT),
        utf8_percent_encode(JOB_ID, SEGMENT),
    );
    let mut request = http
        .post(url)
        .bearer_auth(TOKEN)
        .header("client-request-id", uuid::Uuid::new_v4().to_string());
    if sdk_header {
        request = request.header(SDK_VERSION_HEADER, SDK_VERSION);
    }
    let response = request.send().await.expect("request sent");
    response.status().as_u16()
}

/// Fails unless `a` and `b` are the same request apart from the value of
/// `client-request-id` (and the order of the headers).
fn assert_same_request(a: &loopback::Head, b: &loopback::Head) {
    let normalise = |head: &loopback::Head| {
        let mut headers: Vec<(String, String)> = head
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.clone(),
                    if n == "client-request-id" {
                        "<id>".to_owned()
                    } else {
                        v.clone()
                    },
                )
            })
            .collect();
        headers.sort();
        (head.target.clone(), headers)
    };
    assert_eq!(
        normalise(a),
        normalise(b),
        "generated and hand-written requests differ"
    );
}

/// Time this thread has spent on a CPU, from the scheduler's statistics
/// (Linux). `None` elsewhere.
fn thread_cpu_time() -> Option<Duration> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let nanos: u64 = text.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

/// One measurement: wall-clock time and calling-thread CPU time per request.
#[derive(Debug, Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Option<Duration>,
}

/// Times `n` sequential calls of `call`. Everything on the calling side
/// (the client, reqwest, hyper's connection task) runs on this thread, so
/// its CPU time is the client's cost without the waits for the server or
/// for a CPU that other processes hold.
fn time_per_request<F, Fut>(runtime: &tokio::runtime::Runtime, n: usize, call: F) -> Sample
where
    F: Fn() -> Fut,
    Fut: Future<Output = u16>,
{
    runtime.block_on(async {
        let cpu_before = thread_cpu_time();
        let started = Instant::now();
        for _ in 0..n {
            let status = call().await;
            assert_eq!(status, 204);
        }
        let wall = started.elapsed() / n as u32;
        let cpu = cpu_before
            .zip(thread_cpu_time())
            .map(|(a, b)| b.saturating_sub(a) / n as u32);
        Sample { wall, cpu }
    })
}

fn median(values: &[Duration]) -> Duration {
    let mut sorted = values.to_vec();
    sorted.sort();
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2
    }
}

fn median_f64(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn main() {
    let requests = env_usize("OVERHEAD_REQUESTS", 2_000);
    let rounds = env_usize("OVERHEAD_ROUNDS", 25);
    let (addr, recorder) = start_server();
    let base = format!("http://{addr}/beta");

    // The calling side runs on one thread, as a CLI or a simple service does.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    let (generated, configured, bare) = runtime.block_on(async {
        let generated = Client::builder()
            .base_url(base.as_str())
            .token_provider(StaticToken(Secret::new(TOKEN)))
            .system_proxy(false)
            .build()
            .expect("generated client");
        // The generated client's defaults: 30 s to connect, 100 s per attempt.
        let configured = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(100))
            .user_agent(DEFAULT_USER_AGENT)
            .no_proxy()
            .build()
            .expect("reqwest client");
        let bare = reqwest::Client::builder()
            .no_proxy()
            .build()
            .expect("reqwest client");
        (generated, configured, bare)
    });

    let gen_call = || async {
        ops::application_synchronization_job_start(APP_ID, JOB_ID).send(&generated)
            .await
            .expect("204");
        204
    };
    let hand_call = || hand_written(&configured, &base, true);
    let bare_call = || hand_written(&bare, &base, false);

    const NAMES: [&str; 3] = ["generated", "hand-written", "bare reqwest"];
    let run = |variant: usize, n: usize| match variant {
        0 => time_per_request(&runtime, n, gen_call),
        1 => time_per_request(&runtime, n, hand_call),
        _ => time_per_request(&runtime, n, bare_call),
    };

    // `OVERHEAD_ONLY=generated` (a variant name) runs one variant alone,
    // for profiling it with `perf record`.
    let only = std::env::var("OVERHEAD_ONLY").ok();
    let selected: Vec<usize> = (0..NAMES.len())
        .filter(|&v| only.as_deref().is_none_or(|name| name == NAMES[v]))
        .collect();
    assert!(
        !selected.is_empty(),
        "OVERHEAD_ONLY must be one of {NAMES:?}"
    );

    // Same bytes on the wire: one recorded call of each of the two.
    recorder.set_recording(true);
    run(0, 1);
    run(1, 1);
    recorder.set_recording(false);
    let heads = recorder.take_heads();
    assert_eq!(heads.len(), 2);
    assert_same_request(&heads[0], &heads[1]);
    let names: Vec<&str> = heads[0].headers.iter().map(|(n, _)| n.as_str()).collect();
    println!(
        "request: POST {} with headers {}",
        heads[0].target,
        names.join(", ")
    );

    // Warm-up: open the connections, fill caches, let the CPU clock settle.
    for &variant in &selected {
        run(variant, requests.min(1_000));
    }
    let before = recorder.requests();

    let mut samples: [Vec<Sample>; 3] = Default::default();
    for round in 0..rounds {
        for k in 0..selected.len() {
            let variant = selected[(round + k) % selected.len()];
            samples[variant].push(run(variant, requests));
        }
    }
    let sent = recorder.requests() - before;
    assert_eq!(
        sent,
        rounds * requests * selected.len(),
        "every request reached the server"
    );

    println!(
        "overhead: {rounds} rounds x {requests} sequential requests per variant, POST -> 204 on 127.0.0.1"
    );
    println!("per request, median (best) over the rounds:");
    println!(
        "{:<14} {:>20} {:>20}",
        "variant", "wall µs", "client CPU µs"
    );
    for &v in &selected {
        let wall: Vec<Duration> = samples[v].iter().map(|s| s.wall).collect();
        let cpu: Vec<Duration> = samples[v].iter().filter_map(|s| s.cpu).collect();
        let cell = |values: &[Duration]| match values.iter().min() {
            Some(best) => format!("{:.1} ({:.1})", micros(median(values)), micros(*best)),
            None => "n/a".to_owned(),
        };
        println!("{:<14} {:>20} {:>20}", NAMES[v], cell(&wall), cell(&cpu));
    }
    if selected.len() == NAMES.len() {
        // Per-round ratios pair measurements taken seconds apart, which
        // cancels most drift in the machine's load.
        let ratio = |base: usize, pick: fn(&Sample) -> Option<Duration>| -> String {
            let per_round: Option<Vec<f64>> = samples[0]
                .iter()
                .zip(&samples[base])
                .map(|(g, h)| Some(pick(g)?.as_secs_f64() / pick(h)?.as_secs_f64()))
                .collect();
            per_round.map_or("n/a".to_owned(), |r| format!("{:.3}", median_f64(&r)))
        };
        for base in [1, 2] {
            println!(
                "generated / {:<13} wall {}, client CPU {}",
                NAMES[base],
                ratio(base, |s| Some(s.wall)),
                ratio(base, |s| s.cpu),
            );
        }
        println!("target: generated / hand-written <= 1.050");
    }
    println!("connections opened: {}", recorder.connections());
}
