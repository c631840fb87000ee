//! The program tests/graph_client.rs builds against crates generated from
//! the real Graph documents. With a scenario name as first argument it uses
//! the typed client; otherwise it is the CLI (`mg_runtime::cli::main` over
//! the generated cmdlets, as the generated `mg` binary is), and with
//! `PROBE_REPORT_MEMORY` set it writes its peak memory (`VmHWM`) to
//! standard error at the end. Every endpoint comes from `MG_GRAPH_BASE_URL`
//! (a loopback server of the test); the token from `MG_ACCESS_TOKEN`.

use std::process::ExitCode;

use mg_runtime::batch::Batch;
use mg_runtime::client::{Client, EnvToken, RequestOptions, RetryPolicy};
use mg_runtime::model::Json;
use mg_runtime::paging::DeltaLink;
use mg_runtime::request::{Decode, Query};
use mg_runtime::upload::{CHUNK_UNIT, UploadOptions};
use serde_json::json;

fn registry() -> mg_runtime::cli::Registry {
    mg_runtime::cli::Registry::new(&[users::CMDLETS, users_functions::CMDLETS, users_actions::CMDLETS, files::CMDLETS, applications::CMDLETS])
}

fn client() -> Client {
    let root = std::env::var("MG_GRAPH_BASE_URL").expect("MG_GRAPH_BASE_URL");
    Client::builder()
        .base_url(root)
        .token_provider(EnvToken::default())
        .system_proxy(false)
        .retry(RetryPolicy { delay: std::time::Duration::from_millis(10), ..RetryPolicy::default() })
        .build()
        .expect("client")
}

/// A request body from JSON, typed by the parameter it is passed to.
fn body<T: Json>(value: serde_json::Value) -> T {
    T::from_json(value).expect("a valid body")
}

fn peak_memory() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| status.lines().find(|l| l.starts_with("VmHWM:")).map(str::to_owned))
        .unwrap_or_else(|| "VmHWM: unknown".to_owned())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let scenario = args.first().map(String::as_str).unwrap_or("");
    let result = match scenario {
        "typed-pages" => runtime.block_on(typed_pages()),
        "typed-batch" => runtime.block_on(typed_batch()),
        "typed-delta" => runtime.block_on(typed_delta()),
        "typed-upload" => runtime.block_on(typed_upload(&args[1])),
        "typed-warning" => runtime.block_on(typed_warning()),
        "cli-terminal" => return ExitCode::from(runtime.block_on(cli_on_a_terminal(&args[1..])) as u8),
        _ => {
            drop(runtime);
            let code = mg_runtime::cli::main(&registry());
            if std::env::var_os("PROBE_REPORT_MEMORY").is_some() {
                eprintln!("{}", peak_memory());
            }
            return code;
        }
    };
    eprintln!("{}", peak_memory());
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

/// Every user of every page, one at a time.
async fn typed_pages() -> Result<(), mg_runtime::Error> {
    let client = client();
    let mut items = users::operations::user_list_user(&Query::default()).page_size(999).items(&client);
    let (mut count, mut first, mut last) = (0u64, None, String::new());
    while let Some(user) = items.next().await {
        let user: users::models::User = user?;
        let id = user.id.unwrap_or_default();
        first.get_or_insert_with(|| id.clone());
        last = id;
        count += 1;
    }
    println!("items={count} pages={} first={} last={last}", items.pages_read(), first.unwrap_or_default());
    Ok(())
}

/// Requests of two module crates and both API versions in one batch.
async fn typed_batch() -> Result<(), mg_runtime::Error> {
    let client = client();
    let mut batch = Batch::new();
    let users: Vec<_> = (0..22).map(|i| batch.add(users::operations::user_get_user(&format!("u{i}"), &Query::default()))).collect();
    let apps: Vec<_> = ["a1", "a2"].iter().map(|a| batch.add(applications::operations::application_get_application(a, &Query::default()))).collect();
    let slow = batch.add(users::operations::user_get_user("slow", &Query::default()));
    let rename = body(json!({"displayName": "Renamed"}));
    let update_slow = batch.add_after(users::operations::user_update_user("slow", &rename), &[slow.id()]);
    let missing = batch.add(users::operations::user_get_user("missing", &Query::default()));
    let update_missing = batch.add_after(users::operations::user_update_user("missing", &rename), &[missing.id()]);
    let mut results = batch.send(&client).await;
    for (i, user) in users.iter().enumerate() {
        let user: users::models::User = results.take(user)?;
        println!("user u{i}: {}", user.display_name.unwrap_or_default());
    }
    for (app, id) in apps.iter().zip(["a1", "a2"]) {
        let app: applications::models::Application = results.take(app)?;
        println!("application {id}: {}", app.display_name.unwrap_or_default());
    }
    let response = results.take_response(slow.id())?;
    let retries = response.retries;
    let user = mg_runtime::request::Json::<users::models::User>::decode(response)?;
    println!("user slow: {} (retries {retries})", user.display_name.unwrap_or_default());
    // Graph answers a PATCH with 204 and no body (the document declares the
    // user), so the raw response is read here.
    let updated = results.take_response(update_slow.id())?;
    println!("update slow: done ({})", updated.status);
    let outcome = |r: Result<u16, mg_runtime::Error>| match r {
        Ok(status) => format!("done ({status})"),
        Err(e) => format!("error {}", e.status().unwrap_or(0)),
    };
    println!("user missing: {}", outcome(results.take(&missing).map(|_| 200)));
    let update_missing = results.take_response(update_missing.id()).map(|r| r.status);
    println!("update missing: {}", outcome(update_missing));
    Ok(())
}

/// A delta round, its link stored as JSON and read back, the next round.
async fn typed_delta() -> Result<(), mg_runtime::Error> {
    let client = client();
    let ids = |users: &[users_functions::models::User]| users.iter().map(|u| u.id.clone().unwrap_or_default()).collect::<Vec<_>>().join(" ");
    let round = users_functions::operations::user_delta(&Query::default()).page_size(2).delta(&client).await?;
    println!("round 1: {}", ids(&round.items));
    let stored = serde_json::to_string(&round.delta_link).expect("serialises");
    println!("stored: {stored}");
    let link: DeltaLink = serde_json::from_str(&stored).expect("reads back");
    let round = users_functions::operations::user_delta(&Query::default()).resume(&link).delta(&client).await?;
    println!("round 2: {}", ids(&round.items));
    println!("next: {}", round.delta_link.as_str());
    let foreign = DeltaLink { operation: "drive.item_delta".into(), link: link.link.clone() };
    match users_functions::operations::user_delta(&Query::default()).resume(&foreign).delta(&client).await {
        Ok(_) => println!("foreign token accepted"),
        Err(e) => println!("foreign token refused: {e}"),
    }
    Ok(())
}

/// A drive item uploaded through its upload session, one 320 KiB chunk at a time.
async fn typed_upload(path: &str) -> Result<(), mg_runtime::Error> {
    let client = client();
    let request = files::operations::drive_item_create_upload_session("d1", "i1", &body(json!({"item": {"name": "report.bin"}})));
    let options = UploadOptions { chunk_size: CHUNK_UNIT, ..UploadOptions::default() };
    let done = request.upload_file(&client, path, &options).await?;
    let item = done.body.as_ref().and_then(|b| b["id"].as_str()).unwrap_or("");
    println!("status={} item={item} resumed={}", done.status, done.resumed);
    Ok(())
}

/// A response with the service's warnings.
async fn typed_warning() -> Result<(), mg_runtime::Error> {
    let client = client();
    let response = users::operations::user_get_user("u1", &Query::default()).send_full(&client, &RequestOptions::default()).await?;
    println!("{}; warnings: {:?}", response.value.display_name.unwrap_or_default(), response.warnings);
    Ok(())
}

/// The CLI with standard error taken for a terminal (progress is drawn).
async fn cli_on_a_terminal(args: &[String]) -> i32 {
    let (mut stdout, mut stderr) = (std::io::stdout(), std::io::stderr());
    let env = |name: &str| std::env::var(name).ok();
    let mut prompt = |_: &str, _: bool| None;
    let io = mg_runtime::cli::Io {
        program: "mg",
        stdin: Box::new(std::io::empty()),
        stdin_is_terminal: true,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stderr_is_terminal: true,
        env: &env,
        prompt: &mut prompt,
    };
    mg_runtime::cli::run(&registry(), args, io).await
}
