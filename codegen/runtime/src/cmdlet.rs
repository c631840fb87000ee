//! What every generated cmdlet shares: the common parameters, the host that
//! answers -Confirm and waits for a debugger, ShouldProcess (-WhatIf), and
//! turning a response into the cmdlet's output.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use super::binder::{BindErrorId, Bound, Value};
use super::client::{ApiResponse, Client, ProxyConfig, RequestOptions, warnings_of};
use super::error::{Error, ResponseHeaders, Secret};
use super::pipeline::{HttpLog, Step};
use super::plan::Cmdlet;
use super::paging::Pages;
use super::request::{ApiRequest, MAX_PAGE_SIZE, Operation, set_page_size};
pub use super::request::ResponseKind;
use super::upload;

/// A boxed future, as trait objects need.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The parameters every cmdlet has besides its own (PowerShell's
/// `-Headers`, `-PassThru`, `-WhatIf`... as AutoRest generates them).
#[derive(Clone, Default)]
pub struct CommonParameters {
    /// `-Headers`: added to the request; cannot replace Authorization or
    /// client-request-id.
    pub headers: Vec<(String, String)>,
    /// `-ResponseHeadersVariable`: where to keep the response headers of a
    /// successful call.
    pub response_headers_variable: Option<String>,
    /// `-PassThru`: output `true` for a call that returns no body.
    pub pass_thru: bool,
    /// `-WhatIf`: describe the call, send nothing.
    pub what_if: bool,
    /// `-Confirm`: ask the host before sending.
    pub confirm: bool,
    /// `-Proxy`, `-ProxyCredential`, `-ProxyUseDefaultCredentials`.
    pub proxy: Option<ProxyConfig>,
    /// `-HttpPipelinePrepend`: steps run first.
    pub prepend: Vec<Step>,
    /// `-HttpPipelineAppend`: steps run after the prepended ones.
    pub append: Vec<Step>,
    /// `-Break`: wait for a debugger before doing anything.
    pub debug_break: bool,
    /// `-All` of a paged list: follow every next link.
    pub all: bool,
    /// `-PageSize` of a paged list: items per page (`$top` of each request).
    pub page_size: Option<i32>,
    /// `-CountVariable` of a paged list: where to keep `@odata.count`.
    pub count_variable: Option<String>,
    /// `-OutFile` of a download: where the bytes go.
    pub out_file: Option<String>,
    /// `-DeltaLink` of a delta function: start from this stored
    /// `@odata.deltaLink` instead of the path (it must lie below the
    /// client's service root).
    pub delta_link: Option<String>,
    /// `-DeltaLinkVariable` of a delta function: where the
    /// `@odata.deltaLink` of the last page is kept.
    pub delta_link_variable: Option<String>,
    /// `-UploadFile` of a `createUploadSession` cmdlet: the file uploaded
    /// through the new session, in chunks of [`CommonParameters::upload_chunk_size`].
    pub upload_file: Option<String>,
    /// Chunk size of `-UploadFile` (default 5 MiB; a multiple of 320 KiB).
    pub upload_chunk_size: Option<usize>,
    /// `-Debug`: where the HTTP request and response are logged.
    pub http_log: Option<HttpLog>,
    /// Warnings found while reading the parameters (such as a
    /// -ProxyCredential without -Proxy); [`invoke`] writes them to the
    /// host before anything else.
    pub warnings: Vec<String>,
}

impl std::fmt::Debug for CommonParameters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CommonParameters")
            .field("headers", &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("response_headers_variable", &self.response_headers_variable)
            .field("pass_thru", &self.pass_thru)
            .field("what_if", &self.what_if)
            .field("confirm", &self.confirm)
            .field("proxy", &self.proxy)
            .field("prepend", &self.prepend.len())
            .field("append", &self.append.len())
            .field("debug_break", &self.debug_break)
            .field("all", &self.all)
            .field("page_size", &self.page_size)
            .field("count_variable", &self.count_variable)
            .field("out_file", &self.out_file)
            .field("delta_link", &self.delta_link.is_some())
            .field("delta_link_variable", &self.delta_link_variable)
            .field("upload_file", &self.upload_file)
            .field("upload_chunk_size", &self.upload_chunk_size)
            .field("http_log", &self.http_log.is_some())
            .field("warnings", &self.warnings)
            .finish()
    }
}

impl CommonParameters {
    /// Takes the common parameters out of a binding. `proxy_password` is
    /// asked for the password of `-ProxyCredential <user>`: passwords never
    /// travel on a command line.
    pub fn from_bound(
        bound: &mut Bound,
        proxy_password: &dyn Fn(&str) -> Result<Secret, Error>,
    ) -> Result<CommonParameters, Error> {
        let mut common = CommonParameters::default();
        if let Some(value) = bound.take("Headers") {
            let pairs = value.dictionary_pairs().ok_or_else(|| {
                Error::InvalidArgument("-Headers takes Name=Value pairs or a JSON object".to_owned())
            })?;
            common.headers = pairs;
        }
        common.response_headers_variable = take_variable_name(bound, "ResponseHeadersVariable")?;
        common.pass_thru = take_switch(bound, "PassThru");
        common.what_if = take_switch(bound, "WhatIf");
        common.confirm = take_switch(bound, "Confirm");
        common.debug_break = take_switch(bound, "Break");
        common.all = take_switch(bound, "All");
        common.page_size = take_json(bound, "PageSize")?;
        common.count_variable = take_variable_name(bound, "CountVariable")?;
        common.out_file = take_string(bound, "OutFile");
        common.delta_link = take_string(bound, "DeltaLink").filter(|l| !l.trim().is_empty());
        common.delta_link_variable = take_variable_name(bound, "DeltaLinkVariable")?;
        common.upload_file = take_string(bound, "UploadFile");
        for name in ["HttpPipelinePrepend", "HttpPipelineAppend"] {
            if bound.take(name).is_some() {
                return Err(Error::Binding {
                    id: BindErrorId::InvalidArgument.as_str(),
                    message: format!("-{name} takes pipeline steps written in Rust; use CommonParameters::{} from code.", if name.ends_with("Prepend") { "prepend" } else { "append" }),
                });
            }
        }
        let proxy = take_string(bound, "Proxy");
        let user = take_string(bound, "ProxyCredential");
        let use_default = take_switch(bound, "ProxyUseDefaultCredentials");
        common.proxy = match (proxy, user) {
            (Some(uri), user) => {
                let credential = match user {
                    Some(user) => Some((user.clone(), proxy_password(&user)?)),
                    None => None,
                };
                Some(ProxyConfig { uri, credential, use_default_credentials: use_default })
            }
            // As in the PowerShell module, the proxy credentials alone do
            // nothing; unlike it, we say so.
            (None, user) => {
                let given: Vec<&str> = [user.is_some().then_some("-ProxyCredential"), use_default.then_some("-ProxyUseDefaultCredentials")]
                    .into_iter()
                    .flatten()
                    .collect();
                if !given.is_empty() {
                    common.warnings.push(format!(
                        "{} has no effect without -Proxy; the request is sent without a proxy.",
                        given.join(" and ")
                    ));
                }
                None
            }
        };
        Ok(common)
    }

    /// The per-call options of the client.
    pub fn request_options(&self) -> RequestOptions {
        RequestOptions {
            headers: self.headers.clone(),
            prepend: self.prepend.clone(),
            append: self.append.clone(),
            proxy: self.proxy.clone(),
            http_log: self.http_log.clone(),
        }
    }
}

/// Takes a variable name (-ResponseHeadersVariable, -CountVariable): an
/// empty one is refused, as PowerShell cannot set a variable without a name.
fn take_variable_name(bound: &mut Bound, name: &str) -> Result<Option<String>, Error> {
    let given = bound.is_bound(name);
    match take_string(bound, name) {
        Some(text) if !text.is_empty() => Ok(Some(text)),
        _ if !given => Ok(None),
        _ => Err(Error::Binding {
            id: BindErrorId::ParameterArgumentValidationErrorEmptyStringNotAllowed.as_str(),
            message: format!("Cannot bind argument to parameter '{name}' because it is an empty string."),
        }),
    }
}

/// Takes a string parameter out of a binding.
pub fn take_string(bound: &mut Bound, name: &str) -> Option<String> {
    match bound.take(name)? {
        Value::String(s) => Some(s),
        Value::Json(serde_json::Value::String(s)) => Some(s),
        Value::Json(serde_json::Value::Null) => None,
        other => Some(other.to_json().to_string()),
    }
}

/// Takes a switch out of a binding (`false` when absent).
pub fn take_switch(bound: &mut Bound, name: &str) -> bool {
    matches!(bound.take(name), Some(Value::Switch(true)) | Some(Value::Json(serde_json::Value::Bool(true))))
}

/// Takes a parameter and converts it with serde (numbers, booleans, lists).
pub fn take_json<T: serde::de::DeserializeOwned>(bound: &mut Bound, name: &str) -> Result<Option<T>, Error> {
    let Some(value) = bound.take(name) else { return Ok(None) };
    let json = value.to_json();
    if json.is_null() {
        return Ok(None);
    }
    // A number or boolean given on a command line arrives as text.
    let parsed = serde_json::from_value(json.clone()).or_else(|first| match &json {
        serde_json::Value::String(s) => serde_json::from_str(s).map_err(|_| first),
        _ => Err(first),
    });
    parsed.map(Some).map_err(|e| Error::Binding {
        id: BindErrorId::InvalidArgument.as_str(),
        message: format!("Cannot bind parameter '{name}'. {e}"),
    })
}

/// Takes `-BodyParameter` (a JSON object) and converts it to the body type.
pub fn take_body<T: serde::de::DeserializeOwned>(bound: &mut Bound, name: &str) -> Result<T, Error> {
    let json = bound.take(name).map(|v| v.to_json()).unwrap_or(serde_json::Value::Null);
    serde_json::from_value(json).map_err(|e| Error::Binding {
        id: BindErrorId::InvalidArgument.as_str(),
        message: format!("Cannot bind parameter '{name}'. The value is not a valid request body: {e}"),
    })
}

/// Moves one `Expanded` property parameter into the body object under its
/// JSON name. `numeric` properties typed as text on a command line become
/// JSON numbers.
pub fn take_property(
    bound: &mut Bound,
    name: &str,
    wire_name: &str,
    numeric: bool,
    body: &mut serde_json::Map<String, serde_json::Value>,
) {
    let Some(value) = bound.take(name) else { return };
    let json = match value.to_json() {
        serde_json::Value::String(text) if numeric => {
            serde_json::from_str::<serde_json::Number>(&text).map_or(serde_json::Value::String(text), serde_json::Value::Number)
        }
        other => other,
    };
    body.insert(wire_name.to_owned(), json);
}

/// Merges `-AdditionalProperties` (a JSON object or `Name=Value` pairs) into
/// the body; explicit property parameters win.
pub fn take_additional(bound: &mut Bound, body: &mut serde_json::Map<String, serde_json::Value>) -> Result<(), Error> {
    let Some(value) = bound.take("AdditionalProperties") else { return Ok(()) };
    let extra = match value.to_json() {
        serde_json::Value::Object(map) => map,
        serde_json::Value::Null => return Ok(()),
        _ => match value.dictionary_pairs() {
            Some(pairs) => pairs.into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect(),
            None => return Err(Error::InvalidArgument("-AdditionalProperties takes a JSON object".to_owned())),
        },
    };
    for (key, value) in extra {
        body.entry(key).or_insert(value);
    }
    Ok(())
}

/// Converts an assembled `Expanded` body to the body type.
pub fn body_from<T: serde::de::DeserializeOwned>(json: serde_json::Value) -> Result<T, Error> {
    serde_json::from_value(json).map_err(|e| Error::Binding {
        id: BindErrorId::InvalidArgument.as_str(),
        message: format!("The parameters do not make a valid request body: {e}"),
    })
}

/// The bytes of an `-InFile`, or an error naming the file.
pub fn read_in_file(path: &str) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| Error::InvalidArgument(format!("cannot read -InFile {path}: {e}")))
}

/// One progress record, as PowerShell's `Write-Progress` writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// What is going on (`Reading every page of GET /applications`).
    pub activity: String,
    /// How far it is (`250 items from 3 pages`).
    pub status: String,
    /// Percent done, when known.
    pub percent: Option<u8>,
    /// The activity is over: the host removes its display.
    pub completed: bool,
}

/// How a cmdlet talks to its user: -Confirm prompts, -Break, and the
/// warning, verbose and progress streams.
pub trait Host: Send + Sync {
    /// Asks whether to perform `action` on `target`; `false` means nothing
    /// is sent.
    fn confirm<'a>(&'a self, action: &'a str, target: &'a str) -> BoxFuture<'a, bool>;

    /// A warning (`WARNING: ...`). `Err` stops the cmdlet, as
    /// `-WarningAction Stop` does. By default it goes to `tracing`.
    fn warning(&self, message: &str) -> Result<(), Error> {
        tracing::warn!("{message}");
        Ok(())
    }

    /// A verbose message (`VERBOSE: ...`), shown only with -Verbose. By
    /// default it goes to `tracing`.
    fn verbose(&self, message: &str) {
        tracing::debug!("{message}");
    }

    /// Progress of a long operation. `Err` stops the cmdlet, as
    /// `-ProgressAction Stop` does. By default nothing is shown.
    fn progress(&self, record: &Progress) -> Result<(), Error> {
        let _ = record;
        Ok(())
    }

    /// Whether the host writes output objects as they come
    /// ([`Host::write_object`]): then a list's items are handed over one by
    /// one while its pages are read, and are not collected. By default the
    /// items are collected into [`Invocation::output`].
    fn streams_output(&self) -> bool {
        false
    }

    /// One output object, written at once (only called when
    /// [`Host::streams_output`]). `Err` stops the cmdlet.
    fn write_object(&self, object: serde_json::Value) -> Result<(), Error> {
        let _ = object;
        Ok(())
    }

    /// Waits until a debugger is attached to this process. Dropping the
    /// future cancels the wait.
    fn wait_for_debugger(&self) -> BoxFuture<'_, Result<(), Error>> {
        Box::pin(wait_for_tracer(Duration::from_millis(100)))
    }
}

/// A host with nobody to ask: -Confirm is declined (nothing is sent), as a
/// non-interactive PowerShell session would have to.
#[derive(Debug, Clone, Copy, Default)]
pub struct NonInteractive;

impl Host for NonInteractive {
    fn confirm<'a>(&'a self, _action: &'a str, _target: &'a str) -> BoxFuture<'a, bool> {
        Box::pin(async { false })
    }
}

/// Prints the process id and polls until a tracer (debugger) is attached.
/// On Linux the kernel reports it as `TracerPid` in `/proc/self/status`;
/// elsewhere there is nothing to poll, so the wait lasts until cancelled.
pub async fn wait_for_tracer(poll: Duration) -> Result<(), Error> {
    eprintln!("Waiting for debugger to attach to process {}", std::process::id());
    loop {
        if tracer_attached() {
            return Ok(());
        }
        tokio::time::sleep(poll).await;
    }
}

fn tracer_attached() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("TracerPid:"))
                .map(|pid| pid.trim() != "0")
        })
        .unwrap_or(false)
}

/// A cmdlet's output.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Nothing was written.
    None,
    /// `True` (a -PassThru of a call without body).
    Bool(bool),
    /// A JSON object or collection.
    Json(serde_json::Value),
    /// A byte stream.
    Bytes(Vec<u8>),
    /// This many objects went to the host one by one
    /// ([`Host::write_object`]) as they came.
    Streamed(u64),
}

/// The result of running a cmdlet once.
#[derive(Debug, Clone, PartialEq)]
pub struct Invocation {
    /// What the cmdlet wrote to its output.
    pub output: Output,
    /// The What-if line, when -WhatIf stopped the call.
    pub what_if: Option<String>,
    /// Whether -Confirm was declined (nothing was sent).
    pub declined: bool,
    /// `(variable name, headers)` for -ResponseHeadersVariable, success only.
    pub response_headers: Option<(String, ResponseHeaders)>,
    /// `(variable name, @odata.count)` for -CountVariable.
    pub count: Option<(String, i64)>,
    /// `(variable name, @odata.deltaLink)` for -DeltaLinkVariable.
    pub delta_link: Option<(String, String)>,
}

impl Invocation {
    fn nothing() -> Invocation {
        Invocation::of(Output::None)
    }

    fn of(output: Output) -> Invocation {
        Invocation { output, what_if: None, declined: false, response_headers: None, count: None, delta_link: None }
    }
}

/// What [`prepare`] decided.
#[derive(Debug)]
pub enum Prepared {
    /// Nothing is to be sent (-WhatIf, or -Confirm declined).
    Done(Invocation),
    /// Send this request.
    Send(ApiRequest),
}

/// The ShouldProcess target text, placeholders left as written.
pub fn target_text(op: &Operation) -> String {
    format!("Call remote '{} {}' operation", op.method.as_str(), op.path)
}

/// The What-if line PowerShell prints for an operation (`<cmdlet>_<set>`).
pub fn what_if_text(operation: &str, op: &Operation) -> String {
    format!("What if: Performing the operation \"{operation}\" on target \"{}\".", target_text(op))
}

/// Runs one parameter set of a cmdlet, the way every generated cmdlet runs:
/// -Break, warnings, then -WhatIf and -Confirm (before the identity and path
/// checks, as in PowerShell, so `-WhatIf` with an incomplete -InputObject
/// still says what would happen), then the request's own error if building
/// it failed, then the call, its output and response headers
/// ([`prepare`], then [`execute`]).
///
/// `request` is the set's request as built by the typed cmdlet or by the
/// set's plan from a binding.
pub fn invoke<'a>(
    cmdlet: &'static Cmdlet,
    set: usize,
    request: Result<ApiRequest, Error>,
    client: &'a Client,
    common: &'a CommonParameters,
    host: &'a dyn Host,
) -> BoxFuture<'a, Result<Invocation, Error>> {
    Box::pin(async move {
        match prepare(cmdlet, set, request, common, host).await? {
            Prepared::Done(done) => Ok(done),
            Prepared::Send(request) => execute(request, client, common, host).await,
        }
    })
}

/// Everything before the call: -Break, the parameters' warnings, -WhatIf,
/// -Confirm (or the verbose ShouldProcess line), then the request's own
/// error if building it failed.
pub fn prepare<'a>(
    cmdlet: &'static Cmdlet,
    set: usize,
    request: Result<ApiRequest, Error>,
    common: &'a CommonParameters,
    host: &'a dyn Host,
) -> BoxFuture<'a, Result<Prepared, Error>> {
    Box::pin(async move {
        if common.debug_break {
            host.wait_for_debugger().await?;
        }
        for warning in &common.warnings {
            host.warning(warning)?;
        }
        let op = cmdlet.plan(set)?.op;
        let operation = cmdlet.operation_name(set);
        let should_process = cmdlet.should_process();
        if should_process && common.what_if {
            let mut done = Invocation::nothing();
            done.what_if = Some(what_if_text(&operation, op));
            return Ok(Prepared::Done(done));
        }
        if should_process && common.confirm {
            if !host.confirm(&operation, &target_text(op)).await {
                let mut done = Invocation::nothing();
                done.declined = true;
                return Ok(Prepared::Done(done));
            }
        } else if should_process {
            // What ShouldProcess writes when it does not ask.
            host.verbose(&format!("Performing the operation \"{operation}\" on target \"{}\".", target_text(op)));
        }
        Ok(Prepared::Send(request?))
    })
}

/// The call itself: a list's pages (-All, -PageSize, -CountVariable, and for
/// a delta function -DeltaLink and -DeltaLinkVariable), an upload through a
/// new upload session (-UploadFile), or one request; the service's
/// `Warning` headers go to the host's warning stream.
pub fn execute<'a>(
    request: ApiRequest,
    client: &'a Client,
    common: &'a CommonParameters,
    host: &'a dyn Host,
) -> BoxFuture<'a, Result<Invocation, Error>> {
    Box::pin(async move {
        let kind = request.op.response;
        if common.delta_link.is_some() && !matches!(kind, ResponseKind::Delta(_)) {
            return Err(Error::InvalidArgument(format!("-DeltaLink applies only to delta functions, and {} is not one.", request.op.id)));
        }
        if common.upload_file.is_some() && kind != ResponseKind::UploadSession {
            return Err(Error::InvalidArgument(format!("-UploadFile applies only to createUploadSession actions, and {} is not one.", request.op.id)));
        }
        let result = match kind {
            ResponseKind::Paged(_) | ResponseKind::Delta(_) => paged(client, common, host, request).await,
            ResponseKind::UploadSession if common.upload_file.is_some() => upload(client, common, host, request).await,
            _ => match client.send(request, &common.request_options()).await {
                Ok(response) => output(response, common, kind, host),
                Err(e) => Err(e),
            },
        };
        if let Err(e) = &result
            && let Some(api) = e.api()
        {
            // What the service warned about explains its error too.
            for warning in warnings_of(&api.headers) {
                host.warning(&warning)?;
            }
        }
        result
    })
}

/// Writes the service's warnings to the host.
fn warn_all(host: &dyn Host, warnings: &[String]) -> Result<(), Error> {
    for warning in warnings {
        host.warning(warning)?;
    }
    Ok(())
}

/// A list's pages, read one at a time through [`Pages`] (the typed
/// client's paging): the first page, then with -All every next link. Each
/// page's items go to the host as they come when it streams output (memory
/// holds one page), else they are collected. Next links must stay under the
/// client's service root, so the token never goes anywhere else.
async fn paged(
    client: &Client,
    common: &CommonParameters,
    host: &dyn Host,
    mut request: ApiRequest,
) -> Result<Invocation, Error> {
    let activity = format!("Reading every page of {} {}", request.op.method.as_str(), request.op.path);
    let delta = matches!(request.op.response, ResponseKind::Delta(_));
    if let Some(size) = common.page_size {
        let size = u32::try_from(size).ok().filter(|s| (1..=MAX_PAGE_SIZE).contains(s)).ok_or_else(|| {
            Error::InvalidArgument(format!("-PageSize must be between 1 and {MAX_PAGE_SIZE}, not {size}"))
        })?;
        if delta || !request.query.iter().any(|(k, _)| k == "$top") {
            set_page_size(&mut request, size)?;
        }
    }
    // -CountVariable needs the service to count.
    if common.count_variable.is_some() && !request.query.iter().any(|(k, _)| k == "$count") {
        request.query.push(("$count".to_owned(), "true".to_owned()));
    }
    if let Some(link) = &common.delta_link {
        request.next_link = Some(link.clone());
        // Checked before anything is sent: the token stays with the service.
        client.url_for(&request).map_err(|_| {
            Error::InvalidArgument(format!(
                "-DeltaLink must be a link the service returned, below {}; nothing was sent.",
                client.version_root(request.op.version).unwrap_or_else(|_| client.base_url().to_owned())
            ))
        })?;
    }
    let streams = host.streams_output();
    let mut pages = Pages::new(client, Ok(request), common.request_options()).follow(common.all);
    let mut collected = Vec::new();
    let mut written = 0u64;
    let mut last_headers = None;
    let mut last_next = None;
    while let Some(page) = pages.next().await {
        let page = page?;
        warn_all(host, &page.warnings)?;
        written += page.items.len() as u64;
        last_next.clone_from(&page.next_link);
        // Progress first: a -ProgressAction Stop stops before the page is written.
        if common.all {
            let n = pages.pages_read();
            let s = if n == 1 { "" } else { "s" };
            let status = format!("{written} items from {n} page{s}");
            let completed = last_next.is_none();
            host.progress(&Progress { activity: activity.clone(), status, percent: None, completed })?;
        }
        if streams {
            for item in page.items {
                host.write_object(item)?;
            }
        } else {
            collected.extend(page.items);
        }
        last_headers = Some(page.headers);
    }
    let output = if streams { Output::Streamed(written) } else { Output::Json(serde_json::Value::Array(collected)) };
    let mut done = Invocation::of(output);
    done.response_headers = common.response_headers_variable.clone().zip(last_headers);
    done.count = common.count_variable.clone().zip(pages.count());
    if let Some(name) = &common.delta_link_variable {
        match pages.delta_link() {
            Some(link) => done.delta_link = Some((name.clone(), link.link)),
            None if last_next.is_some() => host.warning(&format!(
                "-DeltaLinkVariable {name}: the service has more pages; the delta link comes with the last one, so read them all with -All."
            ))?,
            None => host.warning(&format!("-DeltaLinkVariable {name}: the last page has no @odata.deltaLink."))?,
        }
    }
    Ok(done)
}

/// `-UploadFile`: creates the upload session, then uploads the file through
/// it in chunks, showing progress when it takes more than one chunk. The
/// output is what the service answered the last chunk with (the new item),
/// if anything.
async fn upload(
    client: &Client,
    common: &CommonParameters,
    host: &dyn Host,
    request: ApiRequest,
) -> Result<Invocation, Error> {
    let path = common.upload_file.clone().unwrap_or_default();
    let chunk = common.upload_chunk_size.unwrap_or(upload::DEFAULT_CHUNK_SIZE);
    upload::check_chunk_size(chunk)?;
    // Opened before the session is created: a missing file sends nothing.
    let file = upload::UploadFile::open(std::path::Path::new(&path))?;
    let activity = format!("Uploading {}", file.name());
    let show = file.size() > chunk as u64;
    let mut report = |p: &upload::UploadProgress| {
        if !show {
            return Ok(());
        }
        let status = format!("{} of {} bytes", p.uploaded, p.total);
        host.progress(&Progress { activity: activity.clone(), status, percent: Some(p.percent()), completed: p.uploaded >= p.total })
    };
    let done = upload::upload(client, request, file, chunk, &common.request_options(), &mut report).await?;
    let output = match done.body {
        Some(body) => Output::Json(body),
        None => Output::None,
    };
    let mut invocation = Invocation::of(output);
    invocation.response_headers = common.response_headers_variable.clone().map(|name| (name, done.headers));
    Ok(invocation)
}

/// A response turned into the cmdlet's output (for a call that is not a
/// list): the service's warnings first, then the body as the response kind
/// says, and -ResponseHeadersVariable.
pub fn output(response: ApiResponse, common: &CommonParameters, kind: ResponseKind, host: &dyn Host) -> Result<Invocation, Error> {
    warn_all(host, &response.warnings)?;
    finish(response, common, kind)
}

fn finish(response: ApiResponse, common: &CommonParameters, kind: ResponseKind) -> Result<Invocation, Error> {
    let output = match kind {
        ResponseKind::NoContent if common.pass_thru => Output::Bool(true),
        ResponseKind::NoContent => Output::None,
        ResponseKind::Json if response.body.is_empty() => Output::None,
        ResponseKind::Json => {
            Output::Json(serde_json::from_slice(&response.body).map_err(|e| Error::Decode(e.to_string()))?)
        }
        ResponseKind::Raw => match &common.out_file {
            Some(path) => {
                std::fs::write(path, &response.body)
                    .map_err(|e| Error::InvalidArgument(format!("cannot write -OutFile {path}: {e}")))?;
                Output::None
            }
            None => Output::Bytes(response.body.to_vec()),
        },
        ResponseKind::Text => {
            let text = String::from_utf8_lossy(&response.body).trim().to_owned();
            match text.parse::<i64>() {
                Ok(n) => Output::Json(serde_json::Value::from(n)),
                Err(_) => Output::Json(serde_json::Value::String(text)),
            }
        }
        // Lists are handled by `paged`; a stray use decodes like JSON, as
        // does an upload session without -UploadFile.
        ResponseKind::Paged(_) | ResponseKind::Delta(_) | ResponseKind::UploadSession if response.body.is_empty() => Output::None,
        ResponseKind::Paged(_) | ResponseKind::Delta(_) | ResponseKind::UploadSession => {
            Output::Json(serde_json::from_slice(&response.body).map_err(|e| Error::Decode(e.to_string()))?)
        }
    };
    let mut done = Invocation::of(output);
    done.response_headers = common.response_headers_variable.clone().map(|name| (name, response.headers));
    Ok(done)
}

