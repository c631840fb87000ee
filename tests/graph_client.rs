//! The Graph-aware typed client (issue 14) end to end, on operations
//! generated from the real Microsoft Graph documents: paging streams,
//! typed `$batch`, resumable delta queries, upload sessions and service
//! warnings, through the typed client and through the CLI driver, against
//! loopback servers only.
//!
//! At test time the 2025-01 documents are unpacked from
//! `$GRAPH_SPECS_DIR/graph-sdk-2025-01.tar.xz` into a temporary folder, the
//! operations below are cut out of them (`codegen::fragment::extract`) and
//! generated as one workspace (both API versions, five module crates) that
//! depends on this repository's runtime. A small program written against
//! the generated crates (`tests/graph_client/probe.rs`) is built there with
//! the workspace's `Cargo.lock` and target folder, and run as a child
//! process per scenario: as the typed client, or as the CLI (it runs
//! `mg_runtime::cli::main` over the generated cmdlets, as the generated
//! `mg` binary does). Without `GRAPH_SPECS_DIR` every test says it was
//! skipped.
//!
//! Memory is measured as the child's own peak resident set (`VmHWM`), read
//! by the child at its end; nothing here measures time.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const TOKEN: &str = "tok-graph-client-secret";

/// The operations cut out of the real documents: (version folder, module
/// document, operationId patterns).
const OPERATIONS: &[(&str, &str, &[&str])] = &[
    ("v1.0", "Users", &["user_ListUser", "user_GetUser", "user_UpdateUser"]),
    ("v1.0", "Users.Functions", &["user_delta"]),
    ("v1.0", "Users.Actions", &[r"user\.message\.attachment_createUploadSession"]),
    ("v1.0", "Files", &[r"drive\.item_createUploadSession"]),
    ("beta", "Applications", &["application_GetApplication"]),
];

/// The dependency name each module crate gets in the probe (by document).
const ALIASES: &[(&str, &str)] = &[
    ("v1.0/Users", "users"),
    ("v1.0/Users.Functions", "users_functions"),
    ("v1.0/Users.Actions", "users_actions"),
    ("v1.0/Files", "files"),
    ("beta/Applications", "applications"),
];

// ---------------------------------------------------------------------------
// Generating and building the probe

/// The probe binary, generated and built once per test run; `None` (after
/// saying so) without the real documents.
fn probe(test: &str) -> Option<&'static Path> {
    static PROBE: OnceLock<Option<PathBuf>> = OnceLock::new();
    let dir = tests::graph_specs_dir(test)?;
    let built = PROBE.get_or_init(|| {
        let archive = dir.join("graph-sdk-2025-01.tar.xz");
        if !archive.is_file() {
            return None;
        }
        Some(build_probe(&archive))
    });
    if built.is_none() {
        eprintln!("skipped {test}: {} has no graph-sdk-2025-01.tar.xz", dir.display());
    }
    built.as_deref()
}

/// A file name below the system's temp folder, unique to this run.
fn scratch(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("mg-graph-client-{}-{name}", std::process::id()))
}

fn build_probe(archive: &Path) -> PathBuf {
    let work = scratch("work");
    std::fs::create_dir_all(&work).expect("scratch folder");
    // Unpack only the documents needed.
    let members: Vec<String> = OPERATIONS.iter().map(|(v, m, _)| format!("graph-sdk-2025-01/{v}/{m}.yml")).collect();
    let unpacked = Command::new("tar")
        .arg("-xJf")
        .arg(archive)
        .arg("-C")
        .arg(&work)
        .args(&members)
        .output()
        .expect("tar runs");
    assert!(unpacked.status.success(), "tar -xJf failed: {}", String::from_utf8_lossy(&unpacked.stderr));

    let sdk = sdk_config();
    let mut inputs = Vec::new();
    for (version, module, patterns) in OPERATIONS {
        let path = work.join("graph-sdk-2025-01").join(version).join(format!("{module}.yml"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let file = format!("{version}/{module}.yml");
        let patterns: Vec<String> = patterns.iter().map(|p| (*p).to_owned()).collect();
        let config = sdk.config_for(module).unwrap_or_else(|e| panic!("{e}"));
        let fragment = codegen::fragment::extract(&codegen::SpecInput { file: file.clone(), text }, &patterns, &config)
            .unwrap_or_else(|e| panic!("{e}"));
        inputs.push(codegen::ModuleInput {
            spec: codegen::SpecInput { file, text: fragment.spec },
            config,
            config_file: sdk.files_for(module),
        });
        std::fs::remove_file(&path).expect("remove the unpacked document");
    }
    let cli = codegen::CliOptions { crate_name: "mg-cli".into(), binary: "mg".into() };
    let ws = codegen::sdk::build(&inputs, &cli).unwrap_or_else(|e| panic!("{e}"));
    let runtime = tests::root().join("codegen").join("runtime");
    let files = codegen::emit::emit(&ws, &codegen::RuntimeSource::Path(runtime.display().to_string()));
    let out = work.join("ws");
    for file in files.iter().filter(|f| !f.path.starts_with("cli/")) {
        let path = out.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, &file.contents).expect("write");
    }

    // The probe crate, depending on each module crate under a short name.
    let mut deps = format!(
        "mg-runtime = {{ path = {:?}, features = [\"cli\", \"azure-identity\"] }}\n",
        runtime.display().to_string()
    );
    let mut members = vec!["\"probe\"".to_owned()];
    for models in &ws.models {
        members.push(format!("\"{}/models\"", codegen::emit::version_dir(&models.version)));
    }
    for api in &ws.modules {
        let key = format!("{}/{}", api.version.name(), api.title);
        let alias = ALIASES.iter().find(|(k, _)| *k == key).map(|(_, a)| *a).unwrap_or_else(|| panic!("no alias for {key}"));
        let dir = codegen::emit::module_dir(api);
        deps.push_str(&format!("{alias} = {{ package = \"{}\", path = \"../{dir}\" }}\n", api.krate.name));
        members.push(format!("\"{dir}\""));
    }
    let probe_dir = out.join("probe");
    std::fs::create_dir_all(probe_dir.join("src")).expect("mkdir");
    std::fs::write(
        probe_dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"graph-client-probe\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\n{deps}serde_json = \"1\"\ntokio = {{ version = \"1\", features = [\"rt-multi-thread\", \"macros\", \"time\", \"sync\", \"io-util\", \"io-std\", \"net\", \"signal\"] }}\n"
        ),
    )
    .expect("write");
    std::fs::write(probe_dir.join("src/main.rs"), include_str!("graph_client/probe.rs")).expect("write");
    // The workspace's own profile settings, so shared dependencies are
    // built the same way and reused from its target folder.
    let root_manifest = tests::read("Cargo.toml");
    let profiles = root_manifest.find("[profile.").map_or("", |at| &root_manifest[at..]);
    std::fs::write(
        out.join("Cargo.toml"),
        format!("[workspace]\nresolver = \"3\"\nmembers = [{}]\n\n{profiles}", members.join(", ")),
    )
    .expect("write");
    std::fs::copy(tests::root().join("Cargo.lock"), out.join("Cargo.lock")).expect("lock file");

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(|dir| tests::root().join(dir))
        .unwrap_or_else(|| tests::root().join("target"));
    let built = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet", "-p", "graph-client-probe"])
        .current_dir(&out)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo runs");
    // Kept for a look when the build fails; the binary needs nothing of it.
    assert!(built.status.success(), "building the probe in {} failed:\n{}", out.display(), String::from_utf8_lossy(&built.stderr));
    std::fs::remove_dir_all(&work).expect("remove the scratch folder");
    target.join("debug").join(format!("graph-client-probe{}", std::env::consts::EXE_SUFFIX))
}

/// The shipped SDK configuration (`spec/sdk/`), as `cargo xtask` reads it.
fn sdk_config() -> codegen::config::SdkConfig {
    let dir = tests::root().join("spec").join("sdk");
    let mut shared = None;
    let mut modules = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir).expect("spec/sdk").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    for path in entries {
        let name = format!("spec/sdk/{}", path.file_name().expect("name").to_string_lossy());
        let text = std::fs::read_to_string(&path).expect("read");
        if name.ends_with(codegen::config::SdkConfig::SHARED_FILE) {
            shared = Some((name, text));
        } else if name.ends_with(".yaml") {
            modules.push((name, text));
        }
    }
    let modules: Vec<(&str, &str)> = modules.iter().map(|(n, t)| (n.as_str(), t.as_str())).collect();
    codegen::config::SdkConfig::parse(shared.as_ref().map(|(n, t)| (n.as_str(), t.as_str())), &modules).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the probe with these arguments against `root`; standard input is
/// empty unless given.
fn run(probe: &Path, root: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = command(probe, root, args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("probe runs");
    let input = stdin.unwrap_or("").to_owned();
    let mut pipe = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("probe finishes");
    writer.join().expect("stdin written");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(!text.contains(TOKEN), "the token was printed: {text}");
    out
}

fn command(probe: &Path, root: &str, args: &[&str]) -> Command {
    let mut command = Command::new(probe);
    command
        .args(args)
        .env_clear()
        .env("MG_GRAPH_BASE_URL", root)
        .env("MG_ACCESS_TOKEN", TOKEN)
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        // Loopback only, whatever the machine's proxy settings.
        .env("NO_PROXY", "*");
    command
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `VmHWM: <n> kB` as the probe reports it, in bytes.
fn peak_memory(stderr: &str) -> u64 {
    let line = stderr.lines().find_map(|l| l.strip_prefix("VmHWM:")).unwrap_or_else(|| panic!("no VmHWM in {stderr}"));
    let kb: u64 = line.trim().trim_end_matches("kB").trim().parse().expect("a number");
    kb * 1024
}

// ---------------------------------------------------------------------------
// A loopback HTTP/1.1 server (keep-alive, Content-Length bodies)

/// One request as it arrived.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    fn query(&self) -> String {
        let raw = self.target.split_once('?').map_or("", |(_, q)| q);
        percent_encoding::percent_decode_str(raw).decode_utf8_lossy().into_owned()
    }
}

/// A reply: status, headers, body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn json(status: u16, body: &Value) -> Answer {
        Answer { status, headers: vec![("Content-Type".into(), "application/json".into())], body: body.to_string().into_bytes() }
    }

    fn empty(status: u16) -> Answer {
        Answer { status, headers: Vec::new(), body: Vec::new() }
    }

    fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.into(), value.into()));
        self
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Answer + Send + Sync>;

/// A server on 127.0.0.1 on its own runtime thread. Requests are kept
/// only when `record` is set (the 5,000-page test serves too much).
struct Server {
    addr: SocketAddr,
    seen: Arc<Mutex<Vec<Seen>>>,
    bytes_out: Arc<AtomicU64>,
    _runtime: tokio::runtime::Runtime,
}

impl Server {
    fn start(record: bool, handler: impl Fn(&Seen) -> Answer + Send + Sync + 'static) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).expect("bind loopback");
        let addr = listener.local_addr().expect("addr");
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let bytes_out: Arc<AtomicU64> = Arc::default();
        let handler: Handler = Arc::new(handler);
        let (kept, counted) = (seen.clone(), bytes_out.clone());
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (handler, kept, counted) = (handler.clone(), kept.clone(), counted.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, handler, kept, counted, record).await;
                });
            }
        });
        Server { addr, seen, bytes_out, _runtime: runtime }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("lock").clone()
    }
}

async fn serve(
    mut stream: tokio::net::TcpStream,
    handler: Handler,
    kept: Arc<Mutex<Vec<Seen>>>,
    bytes_out: Arc<AtomicU64>,
    record: bool,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let head_end = loop {
            if let Some(at) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break at;
            }
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buffer[..head_end]).into_owned();
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or("").split(' ');
        let method = first.next().unwrap_or("").to_owned();
        let target = first.next().unwrap_or("").to_owned();
        let headers: Vec<(String, String)> =
            lines.filter_map(|l| l.split_once(':')).map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned())).collect();
        let length: usize = headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        buffer.drain(..head_end + 4);
        while buffer.len() < length {
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buffer.extend_from_slice(&chunk[..n]);
        }
        let body: Vec<u8> = buffer.drain(..length).collect();
        let request = Seen { method, target, headers, body };
        let answer = handler(&request);
        if record {
            kept.lock().expect("lock").push(request);
        }
        let mut out = format!("HTTP/1.1 {} Test\r\n", answer.status);
        for (name, value) in &answer.headers {
            out.push_str(&format!("{name}: {value}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n\r\n", answer.body.len()));
        let mut bytes = out.into_bytes();
        bytes.extend_from_slice(&answer.body);
        bytes_out.fetch_add(bytes.len() as u64, Ordering::Relaxed);
        stream.write_all(&bytes).await?;
    }
}

// ---------------------------------------------------------------------------
// Paging

/// Pages of users: `PAGES` pages of `PER_PAGE` users, each user carrying
/// `FILLER` bytes of text, so that the whole list is well over 100 MB.
const PAGES: usize = 5_000;
const PER_PAGE: usize = 20;
const FILLER: usize = 1_100;

/// One page as text (built directly: serialising 100 MB through
/// `serde_json::Value` would make the server the slow part).
fn user_page(root: &str, page: usize) -> String {
    static FILLER_TEXT: OnceLock<String> = OnceLock::new();
    let filler = FILLER_TEXT.get_or_init(|| "x".repeat(FILLER));
    let mut body = String::with_capacity(PER_PAGE * (FILLER + 80) + 200);
    body.push_str(&format!("{{\"@odata.context\":\"{root}/v1.0/$metadata#users\",\"value\":["));
    for i in 0..PER_PAGE {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!("{{\"id\":\"u-{page}-{i}\",\"displayName\":\"User {page}/{i}\",\"aboutMe\":\"{filler}\"}}"));
    }
    body.push(']');
    if page + 1 < PAGES {
        body.push_str(&format!(",\"@odata.nextLink\":\"{root}/v1.0/users?$top=999&$skiptoken=p{}\"", page + 1));
    }
    body.push('}');
    body
}

fn paging_server() -> (Server, Arc<AtomicUsize>) {
    let root: Arc<OnceLock<String>> = Arc::default();
    let known = root.clone();
    let requests: Arc<AtomicUsize> = Arc::default();
    let counted = requests.clone();
    let server = Server::start(false, move |r| {
        counted.fetch_add(1, Ordering::Relaxed);
        if r.header("authorization") != Some(&format!("Bearer {TOKEN}")) || r.path() != "/v1.0/users" {
            return Answer::json(401, &json!({"error": {"code": "InvalidAuthenticationToken", "message": "no"}}));
        }
        let page = r.query().split('&').find_map(|kv| kv.strip_prefix("$skiptoken=p")).and_then(|p| p.parse().ok()).unwrap_or(0);
        let body = user_page(known.get().map_or("", String::as_str), page);
        Answer { status: 200, headers: vec![("Content-Type".into(), "application/json".into())], body: body.into_bytes() }
    });
    root.set(server.url()).expect("once");
    (server, requests)
}

/// Peak memory of a run that reads every page: 100 MB at most.
const MEMORY_LIMIT: u64 = 100 * 1024 * 1024;

#[test]
fn paging_5000_pages_streams_in_bounded_memory_typed_and_from_the_cli() {
    let Some(probe) = probe("paging_5000_pages_streams_in_bounded_memory_typed_and_from_the_cli") else { return };

    // The typed client: Request::items over user_list_user.
    let (server, requests) = paging_server();
    let out = run(probe, &server.url(), &["typed-pages"], None);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(text(&out.stdout).trim(), format!("items={} pages={PAGES} first=u-0-0 last=u-{}-{}", PAGES * PER_PAGE, PAGES - 1, PER_PAGE - 1));
    assert_eq!(requests.load(Ordering::Relaxed), PAGES);
    let served = server.bytes_out.load(Ordering::Relaxed);
    assert!(served > MEMORY_LIMIT, "the list ({served} bytes) must not fit in the limit, or the test proves nothing");
    let peak = peak_memory(&stderr);
    eprintln!("typed paging: {served} bytes served, peak memory {peak} bytes");
    assert!(peak <= MEMORY_LIMIT, "typed paging peaked at {peak} bytes");

    // The CLI: Get-MgUser -All writes each item as it comes.
    let (server, requests) = paging_server();
    let mut child = command(probe, &server.url(), &["Get-MgUser", "-All", "-PageSize", "999"])
        .env("PROBE_REPORT_MEMORY", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("probe runs");
    let mut stderr_pipe = child.stderr.take().expect("stderr");
    let stderr_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });
    // Count the items without keeping the output.
    let mut ids = 0usize;
    let (mut first, mut last) = (None, String::new());
    let (mut opened, mut closed) = (false, false);
    for line in BufReader::new(child.stdout.take().expect("stdout")).lines() {
        let line = line.expect("UTF-8 output");
        if let Some(id) = line.strip_prefix("    \"id\": \"").map(|l| l.trim_end_matches(',').trim_end_matches('"')) {
            ids += 1;
            first.get_or_insert_with(|| id.to_owned());
            last = id.to_owned();
        }
        opened |= line == "[";
        closed |= line == "]";
    }
    let status = child.wait().expect("probe finishes");
    let stderr = stderr_reader.join().expect("stderr read");
    assert!(status.success(), "{stderr}");
    assert!(opened && closed, "one JSON array");
    assert_eq!((ids, first.as_deref(), last.as_str()), (PAGES * PER_PAGE, Some("u-0-0"), format!("u-{}-{}", PAGES - 1, PER_PAGE - 1).as_str()));
    assert_eq!(requests.load(Ordering::Relaxed), PAGES);
    let peak = peak_memory(&stderr);
    eprintln!("Get-MgUser -All: {} bytes served, peak memory {peak} bytes", server.bytes_out.load(Ordering::Relaxed));
    assert!(peak <= MEMORY_LIMIT, "Get-MgUser -All peaked at {peak} bytes");
}

#[test]
fn a_next_link_to_another_origin_is_refused() {
    let Some(probe) = probe("a_next_link_to_another_origin_is_refused") else { return };
    let thief = Server::start(true, |_| Answer::json(200, &json!({"value": []})));
    let elsewhere = format!("{}/v1.0/users?$skiptoken=stolen", thief.url());
    let server = Server::start(true, move |_| {
        Answer::json(200, &json!({"value": [{"id": "u1"}], "@odata.nextLink": elsewhere}))
    });
    let out = run(probe, &server.url(), &["typed-pages"], None);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("next link outside"), "{}", text(&out.stderr));
    let out = run(probe, &server.url(), &["Get-MgUser", "-All"], None);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("next link outside"), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "[\n  {\n    \"id\": \"u1\"\n  }\n]\n", "the first page's item came out before the refusal");
    assert_eq!((server.seen().len(), thief.seen().len()), (2, 0), "nothing went to the other origin");
}

// ---------------------------------------------------------------------------
// $batch

/// A Graph `$batch` endpoint for users (v1.0) and applications (beta):
/// `slow` is throttled once, `missing` does not exist, a request whose
/// dependency failed in the same call gets 424. Warnings come on `warned`.
fn batch_server() -> Server {
    let throttled: Arc<Mutex<Vec<String>>> = Arc::default();
    Server::start(true, move |r| {
        if r.method != "POST" || !r.path().ends_with("/$batch") {
            return Answer::empty(404);
        }
        let version = r.path().trim_end_matches("/$batch").trim_start_matches('/').to_owned();
        let document: Value = serde_json::from_slice(&r.body).expect("a JSON batch");
        let mut statuses: BTreeMap<String, u16> = BTreeMap::new();
        let mut responses = Vec::new();
        for request in document["requests"].as_array().into_iter().flatten() {
            let id = request["id"].as_str().unwrap_or("").to_owned();
            let url = request["url"].as_str().unwrap_or("");
            let key = url.split('?').next().unwrap_or("").rsplit('/').next().unwrap_or("").to_owned();
            let failed = request["dependsOn"].as_array().into_iter().flatten().filter_map(Value::as_str).any(|d| statuses.get(d).is_some_and(|s| !(200..300).contains(s)));
            let mut headers = json!({"Content-Type": "application/json"});
            let (status, body) = if failed {
                (424, json!({"error": {"code": "FailedDependency", "message": "A dependency failed."}}))
            } else if key == "missing" {
                (404, json!({"error": {"code": "Request_ResourceNotFound", "message": "Resource 'missing' does not exist."}}))
            } else if key == "slow" && request["method"] == "GET" && !throttled.lock().unwrap().contains(&version) {
                throttled.lock().unwrap().push(version.clone());
                headers["Retry-After"] = json!("0");
                (429, json!({"error": {"code": "TooManyRequests", "message": "Slow down."}}))
            } else if request["method"] == "PATCH" {
                (204, Value::Null)
            } else if url.starts_with("/applications/") && version == "beta" {
                (200, json!({"id": key, "displayName": format!("App {key}")}))
            } else if url.starts_with("/users/") && version == "v1.0" {
                if key == "warned" {
                    headers["Warning"] = json!("199 - \"This user API is deprecated\"");
                }
                (200, json!({"id": key, "displayName": format!("User {key}")}))
            } else {
                (400, json!({"error": {"code": "BadRequest", "message": format!("{url} is not a {version} resource")}}))
            };
            statuses.insert(id.clone(), status);
            let mut response = json!({"id": id, "status": status, "headers": headers});
            if !body.is_null() {
                response["body"] = body;
            }
            responses.push(response);
        }
        responses.reverse();
        Answer::json(200, &json!({"responses": responses}))
    })
}

fn batch_calls(server: &Server) -> Vec<(String, Vec<Value>)> {
    server
        .seen()
        .iter()
        .map(|r| {
            let document: Value = serde_json::from_slice(&r.body).expect("JSON");
            (r.path().to_owned(), document["requests"].as_array().cloned().unwrap_or_default())
        })
        .collect()
}

#[test]
fn typed_batch_splits_by_twenty_and_version_keeps_dependencies_and_retries() {
    let Some(probe) = probe("typed_batch_splits_by_twenty_and_version_keeps_dependencies_and_retries") else { return };
    let server = batch_server();
    let out = run(probe, &server.url(), &["typed-batch"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    let mut expected: Vec<String> = (0..22).map(|i| format!("user u{i}: User u{i}")).collect();
    expected.extend([
        "application a1: App a1".to_owned(),
        "application a2: App a2".to_owned(),
        "user slow: User slow (retries 1)".to_owned(),
        "update slow: done (204)".to_owned(),
        "user missing: error 404".to_owned(),
        "update missing: error 424".to_owned(),
    ]);
    assert_eq!(lines, expected);
    let calls = batch_calls(&server);
    let shape: Vec<(String, usize)> = calls.iter().map(|(p, r)| (p.clone(), r.len())).collect();
    // 26 v1.0 requests (20 + 6), the throttled one again with what depends
    // on it, then the two beta ones.
    assert_eq!(
        shape,
        [("/v1.0/$batch".to_owned(), 20), ("/v1.0/$batch".to_owned(), 6), ("/v1.0/$batch".to_owned(), 2), ("/beta/$batch".to_owned(), 2)]
    );
    for (path, requests) in &calls {
        for request in requests {
            assert_eq!(request["url"].as_str().unwrap().starts_with("/applications/"), path == "/beta/$batch", "{request}");
            for dep in request["dependsOn"].as_array().into_iter().flatten() {
                assert!(requests.iter().any(|r| &r["id"] == dep), "{dep} is not in the call of {request}");
            }
        }
    }
    let retried = &calls[2].1;
    assert_eq!((retried[0]["method"].as_str(), retried[0]["url"].as_str()), (Some("GET"), Some("/users/slow")));
    assert_eq!((retried[1]["method"].as_str(), retried[1]["url"].as_str()), (Some("PATCH"), Some("/users/slow")));
    assert_eq!(retried[1]["dependsOn"], json!([retried[0]["id"]]));
    assert_eq!(retried[1]["body"]["displayName"], "Renamed");
    assert!(server.seen().iter().all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
}

#[test]
fn cli_batch_sends_pipeline_input_as_batches() {
    let Some(probe) = probe("cli_batch_sends_pipeline_input_as_batches") else { return };
    let server = batch_server();
    let mut input: String = (0..24).map(|i| format!("{{\"UserId\":\"c{i}\"}}\n")).collect();
    input.push_str("{\"UserId\":\"missing\"}\n{\"UserId\":\"warned\"}\n");
    let out = run(probe, &server.url(), &["Get-MgUser", "-Batch", "-Property", "id,displayName"], Some(&input));
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "one object failed: {stderr}");
    let objects: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout).into_iter().map(|v| v.expect("JSON")).collect();
    let ids: Vec<&str> = objects.iter().map(|o| o["id"].as_str().expect("id")).collect();
    let mut expected: Vec<String> = (0..24).map(|i| format!("c{i}")).collect();
    expected.push("warned".into());
    assert_eq!(ids, expected, "each object's own result, in input order");
    assert!(stderr.contains("Resource 'missing' does not exist."), "{stderr}");
    assert!(stderr.contains("WARNING: 199 - \"This user API is deprecated\""), "{stderr}");
    let calls = batch_calls(&server);
    let sizes: Vec<usize> = calls.iter().map(|(_, r)| r.len()).collect();
    assert_eq!(sizes, [20, 6]);
    let first = &calls[0].1[0];
    assert_eq!(first["url"], "/users/c0?$select=id,displayName");
    assert_eq!(server.seen().len(), 2, "only $batch calls");
}

// ---------------------------------------------------------------------------
// Delta

fn delta_server() -> Server {
    let root: Arc<OnceLock<String>> = Arc::default();
    let known = root.clone();
    let server = Server::start(true, move |r| {
        let root = known.get().cloned().unwrap_or_default();
        let base = format!("{root}/v1.0/users/microsoft.graph.delta()");
        if r.path() != "/v1.0/users/microsoft.graph.delta()" {
            return Answer::empty(404);
        }
        let q = r.query();
        let body = if q.contains("$deltatoken=round2") {
            json!({"value": [{"id": "u9", "displayName": "Changed"}], "@odata.deltaLink": format!("{base}?$deltatoken=round3")})
        } else if q.contains("$skiptoken=page2") {
            json!({"value": [{"id": "u3"}], "@odata.deltaLink": format!("{base}?$deltatoken=round2")})
        } else {
            json!({"value": [{"id": "u1"}, {"id": "u2"}], "@odata.nextLink": format!("{base}?$skiptoken=page2")})
        };
        Answer::json(200, &body)
    });
    root.set(server.url()).expect("once");
    server
}

#[test]
fn delta_rounds_resume_from_a_stored_link_typed_and_from_the_cli() {
    let Some(probe) = probe("delta_rounds_resume_from_a_stored_link_typed_and_from_the_cli") else { return };
    let server = delta_server();
    let base = format!("{}/v1.0/users/microsoft.graph.delta()", server.url());
    let out = run(probe, &server.url(), &["typed-delta"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<String> = text(&out.stdout).lines().map(str::to_owned).collect();
    assert_eq!(lines[0], "round 1: u1 u2 u3");
    let stored: Value = serde_json::from_str(lines[1].strip_prefix("stored: ").expect("stored line")).expect("JSON token");
    assert_eq!(stored, json!({"operation": "user_delta", "link": format!("{base}?$deltatoken=round2")}));
    assert_eq!(lines[2], "round 2: u9");
    assert_eq!(lines[3], format!("next: {base}?$deltatoken=round3"));
    assert!(lines[4].starts_with("foreign token refused: This delta link was returned by"), "{}", lines[4]);
    assert_eq!(server.seen()[0].header("prefer"), Some("odata.maxpagesize=2"));

    // The CLI: -DeltaLinkVariable gives the link out, -DeltaLink takes it back.
    let out = run(probe, &server.url(), &["Get-MgUserDelta", "-All", "-DeltaLinkVariable", "usersDelta"], None);
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let ids: Vec<String> = serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("JSON").iter().map(|u| u["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["u1", "u2", "u3"]);
    let variable: Value = serde_json::from_str(stderr.trim()).expect("one JSON line");
    let link = variable["usersDelta"].as_str().expect("the link").to_owned();
    assert_eq!(link, format!("{base}?$deltatoken=round2"));
    let out = run(probe, &server.url(), &["Get-MgUserDelta", "-All", "-DeltaLink", &link, "-DeltaLinkVariable", "usersDelta"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let changed: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(changed, [json!({"id": "u9", "displayName": "Changed"})]);
    assert!(text(&out.stderr).contains("round3"), "{}", text(&out.stderr));
    // A link elsewhere is refused before anything is sent.
    let before = server.seen().len();
    let out = run(probe, &server.url(), &["Get-MgUserDelta", "-DeltaLink", "http://127.0.0.2:9/v1.0/users/microsoft.graph.delta()?$deltatoken=x"], None);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(server.seen().len(), before);
}

// ---------------------------------------------------------------------------
// Upload sessions

/// Graph (createUploadSession answers) and the upload host, another origin.
struct Uploads {
    graph: Server,
    host: Server,
    received: Arc<Mutex<Vec<u8>>>,
}

/// The upload host keeps the bytes; the second chunk fails once after half
/// of it arrived (the session then expects the rest from its middle).
fn upload_servers(total: usize, final_answer: fn() -> Answer) -> Uploads {
    let received: Arc<Mutex<Vec<u8>>> = Arc::default();
    let store = received.clone();
    let puts = Arc::new(AtomicUsize::new(0));
    let host = Server::start(true, move |r| {
        let mut data = store.lock().unwrap();
        if r.method == "GET" {
            return Answer::json(200, &json!({"nextExpectedRanges": [format!("{}-", data.len())]}));
        }
        let range = r.header("content-range").unwrap_or("").trim_start_matches("bytes ").to_owned();
        let start: usize = range.split('-').next().and_then(|s| s.parse().ok()).unwrap_or(usize::MAX);
        if start != data.len() {
            return Answer::json(416, &json!({"error": {"code": "InvalidRange", "message": "unexpected range"}}));
        }
        if puts.fetch_add(1, Ordering::SeqCst) == 1 {
            data.extend_from_slice(&r.body[..r.body.len() / 2]);
            return Answer::json(500, &json!({"error": {"code": "generalException", "message": "oops"}})).header("Retry-After", "0");
        }
        data.extend_from_slice(&r.body);
        if data.len() < total {
            return Answer::json(202, &json!({"nextExpectedRanges": [format!("{}-{}", data.len(), total - 1)]}));
        }
        final_answer()
    });
    let upload_url = format!("{}/up/abc?tempauth=pre-authorised-value", host.url());
    let graph = Server::start(true, move |r| {
        if r.method == "POST" && r.path().ends_with("/microsoft.graph.createUploadSession") {
            Answer::json(200, &json!({"uploadUrl": upload_url, "expirationDateTime": "2025-01-28T00:00:00Z", "nextExpectedRanges": ["0-"]}))
        } else {
            Answer::empty(404)
        }
    });
    Uploads { graph, host, received }
}

fn bytes_of(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 253) as u8).collect()
}

fn check_no_token_went_to_the_upload_host(uploads: &Uploads) {
    let graph = uploads.graph.seen();
    assert_eq!(graph.len(), 1);
    assert_eq!(graph[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let host = uploads.host.seen();
    assert!(host.len() >= 4, "{host:?}");
    for request in &host {
        assert_eq!(request.header("authorization"), None, "{} {} carried a token", request.method, request.target);
        assert!(!format!("{request:?}").contains(TOKEN));
    }
    let methods: Vec<&str> = host.iter().map(|r| r.method.as_str()).collect();
    assert!(methods.windows(2).any(|w| w == ["PUT", "GET"]), "the failed chunk was followed by a status query: {methods:?}");
}

#[test]
fn typed_upload_of_a_drive_item_resumes_a_failed_chunk_without_the_token() {
    let Some(probe) = probe("typed_upload_of_a_drive_item_resumes_a_failed_chunk_without_the_token") else { return };
    let total = 4 * 327_680 + 12_345;
    let uploads = upload_servers(total, || Answer::json(201, &json!({"id": "item-1", "name": "report.bin"})));
    let file = scratch("typed-upload.bin");
    let bytes = bytes_of(total);
    std::fs::write(&file, &bytes).expect("write");
    let out = run(probe, &uploads.graph.url(), &["typed-upload", file.to_str().expect("UTF-8")], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "status=201 item=item-1 resumed=1");
    assert_eq!(*uploads.received.lock().unwrap(), bytes);
    let graph = &uploads.graph.seen()[0];
    assert_eq!(graph.path(), "/v1.0/drives/d1/items/i1/microsoft.graph.createUploadSession");
    assert_eq!(serde_json::from_slice::<Value>(&graph.body).expect("JSON")["item"]["name"], "report.bin");
    check_no_token_went_to_the_upload_host(&uploads);
    let chunks: Vec<usize> = uploads.host.seen().iter().filter(|r| r.method == "PUT").map(|r| r.body.len()).collect();
    assert!(chunks[..chunks.len() - 1].iter().all(|n| n % 327_680 == 0), "{chunks:?}");
    std::fs::remove_file(&file).expect("remove");
}

#[test]
fn cli_upload_of_a_mail_attachment_shows_progress_unless_silenced() {
    let Some(probe) = probe("cli_upload_of_a_mail_attachment_shows_progress_unless_silenced") else { return };
    // Three chunks of the default 5 MiB.
    let total = 2 * 5 * 1024 * 1024 + 4_321;
    let dir = scratch("attachment");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("attachment.pdf");
    let bytes = bytes_of(total);
    std::fs::write(&file, &bytes).expect("write");
    let path = file.to_str().expect("UTF-8").to_owned();
    let body = json!({"AttachmentItem": {"attachmentType": "file", "name": "attachment.pdf", "size": total}}).to_string();
    for (extra, shown) in [(None, true), (Some(["-ProgressAction", "SilentlyContinue"]), false)] {
        let uploads = upload_servers(total, || Answer::empty(201).header("Location", "https://graph.microsoft.com/v1.0/users/u1/messages/m1/attachments/att-1"));
        let mut args = vec![
            "cli-terminal",
            "New-MgUserMessageAttachmentUploadSession",
            "-UserId",
            "u1",
            "-MessageId",
            "m1",
            "-BodyParameter",
            &body,
            "-UploadFile",
            &path,
            "-ResponseHeadersVariable",
            "headers",
        ];
        args.extend(extra.into_iter().flatten());
        let out = run(probe, &uploads.graph.url(), &args, None);
        let stderr = text(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(*uploads.received.lock().unwrap(), bytes);
        assert_eq!(uploads.graph.seen()[0].path(), "/v1.0/users/u1/messages/m1/attachments/microsoft.graph.createUploadSession");
        check_no_token_went_to_the_upload_host(&uploads);
        assert!(stderr.contains("/attachments/att-1"), "the Location of the new attachment: {stderr}");
        assert_eq!(stderr.contains("\r\x1b[2KUploading attachment.pdf: "), shown, "{stderr:?}");
        assert!(!stderr.contains("pre-authorised-value"), "the upload URL is a credential: {stderr}");
    }
    std::fs::remove_dir_all(&dir).expect("remove");
}

// ---------------------------------------------------------------------------
// Service warnings

#[test]
fn service_warnings_reach_the_typed_client_and_the_cli() {
    let Some(probe) = probe("service_warnings_reach_the_typed_client_and_the_cli") else { return };
    let server = Server::start(true, |r| {
        if r.path() == "/v1.0/users/u1" {
            Answer::json(200, &json!({"id": "u1", "displayName": "User One"})).header("Warning", "199 - \"This API is deprecated\"")
        } else {
            Answer::empty(404)
        }
    });
    let out = run(probe, &server.url(), &["typed-warning"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).trim(), "User One; warnings: [\"199 - \\\"This API is deprecated\\\"\"]");
    let out = run(probe, &server.url(), &["Get-MgUser", "-UserId", "u1"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "WARNING: 199 - \"This API is deprecated\"\n");
    let out = run(probe, &server.url(), &["Get-MgUser", "-UserId", "u1", "-WarningAction", "SilentlyContinue"], None);
    assert!(out.status.success());
    assert_eq!(text(&out.stderr), "");
}
