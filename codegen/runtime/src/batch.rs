//! JSON batching (`POST /$batch`): many requests built by generated code,
//! from any module crate, sent in as few round trips as Graph allows, each
//! answered with its own typed result or error.
//!
//! ```ignore
//! let mut batch = Batch::new();
//! let user = batch.add(users::user_get_user("id-1", &Query::default()));
//! let app = batch.add(applications::application_get_application("id-2", &Query::default()));
//! let update = batch.add_after(users::user_update_user("id-1", &patch), &[user.id()]);
//! let mut results = batch.send(&client).await;
//! let user: User = results.take(&user)?;
//! ```
//!
//! How requests are grouped:
//! - a `$batch` holds at most [`MAX_BATCH`] (20) requests, so a larger
//!   batch goes as several `$batch` calls, one after another;
//! - requests of different API versions never share one (a `$batch` is
//!   sent to `/beta/$batch` or `/v1.0/$batch`, and serves that version);
//! - requests joined by `dependsOn` (directly or through others) always go
//!   in the same `$batch`, so Graph runs them in order; such a group may not
//!   exceed 20 requests, nor mix versions (those requests are refused, with
//!   their reason, and nothing of the group is sent).
//!
//! Answers: a 2xx is that request's response (decoded by its own type); any
//! other status is its [`Error::Api`], a 424 (a request it depends on
//! failed) included. A request answered 429, 503 or 504 is sent again in a
//! new `$batch`, after the largest `Retry-After` among them (or the
//! client's retry delay), up to the client's retry count; the requests that
//! depend on it (answered 424 because of it) go along with it. After the
//! last retry the request's error is [`Error::TooManyRetries`].

use std::collections::BTreeMap;
use std::marker::PhantomData;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime};

use super::client::{ApiResponse, Client, RequestOptions};
use super::error::{ApiError, Error, ResponseHeaders};
use super::path::query_string;
use super::pipeline::RetryPolicy;
use super::request::{ApiRequest, ApiVersion, BodyKind, Decode, Method, Operation, Request, ResponseKind};

/// Most requests one `$batch` holds.
pub const MAX_BATCH: usize = 20;

/// Identifies one request of a [`Batch`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BatchId(usize);

impl BatchId {
    /// The position of the request in its batch (0-based).
    pub fn index(self) -> usize {
        self.0
    }
}

/// A request added to a [`Batch`]: its id, and the type its response is
/// decoded with ([`BatchResults::take`]).
#[derive(Debug)]
pub struct BatchItem<D> {
    id: BatchId,
    _decode: PhantomData<fn() -> D>,
}

impl<D> Clone for BatchItem<D> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<D> Copy for BatchItem<D> {}

impl<D> BatchItem<D> {
    /// Its id, to name it in [`Batch::add_after`].
    pub fn id(&self) -> BatchId {
        self.id
    }
}

#[derive(Debug)]
struct Entry {
    request: Result<ApiRequest, Error>,
    depends_on: Vec<usize>,
}

/// Requests to send together; see the module documentation.
#[derive(Debug, Default)]
pub struct Batch {
    entries: Vec<Entry>,
}

/// What each request of a batch came to, by [`BatchId`].
#[derive(Debug)]
pub struct BatchResults {
    results: Vec<Option<Result<ApiResponse, Error>>>,
}

impl BatchResults {
    /// The decoded response of `item`, or its error. Each result can be
    /// taken once.
    pub fn take<D: Decode>(&mut self, item: &BatchItem<D>) -> Result<D::Output, Error> {
        D::decode(self.take_response(item.id)?)
    }

    /// The raw response of a request, or its error.
    pub fn take_response(&mut self, id: BatchId) -> Result<ApiResponse, Error> {
        self.results.get_mut(id.0).and_then(Option::take).unwrap_or_else(|| {
            Err(Error::InvalidArgument(format!("Batch request {} has no result (taken already, or not of this batch).", id.0)))
        })
    }

    /// Every result, in the order the requests were added.
    pub fn into_vec(self) -> Vec<Result<ApiResponse, Error>> {
        self.results
            .into_iter()
            .map(|r| r.unwrap_or_else(|| Err(Error::InvalidArgument("the result was taken already".to_owned()))))
            .collect()
    }

    /// How many requests the batch had.
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether the batch was empty.
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }
}

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// How many requests it holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds a typed request (from any module crate's operation function).
    pub fn add<D: Decode>(&mut self, request: Request<D>) -> BatchItem<D> {
        self.add_after(request, &[])
    }

    /// Adds a typed request that Graph runs only after the requests
    /// `depends_on` succeeded (added earlier to this batch); if one of them
    /// fails, this one is answered 424.
    pub fn add_after<D: Decode>(&mut self, request: Request<D>, depends_on: &[BatchId]) -> BatchItem<D> {
        let id = self.add_request(request.build(), depends_on);
        BatchItem { id, _decode: PhantomData }
    }

    /// Adds a request as built ([`Request::build`], or a cmdlet's plan).
    pub fn add_request(&mut self, request: Result<ApiRequest, Error>, depends_on: &[BatchId]) -> BatchId {
        let index = self.entries.len();
        let mut deps: Vec<usize> = depends_on.iter().map(|d| d.0).collect();
        deps.sort_unstable();
        deps.dedup();
        let request = match deps.iter().find(|d| **d >= index) {
            Some(bad) => request.and(Err(Error::InvalidArgument(format!(
                "Batch request {index} depends on request {bad}, which is not added before it."
            )))),
            None => request,
        };
        self.entries.push(Entry { request, depends_on: deps });
        BatchId(index)
    }

    /// Sends every request (see the module documentation for how they are
    /// grouped and retried) and returns each one's result.
    pub async fn send(self, client: &Client) -> BatchResults {
        self.send_with(client, &RequestOptions::default()).await
    }

    /// [`Batch::send`] with options for the `$batch` calls themselves
    /// (proxy, pipeline steps, `-Debug` log; `headers` go on each `$batch`
    /// call, not on the requests inside it).
    pub async fn send_with(self, client: &Client, options: &RequestOptions) -> BatchResults {
        let n = self.entries.len();
        let mut results: Vec<Option<Result<ApiResponse, Error>>> = (0..n).map(|_| None).collect();
        let plan = plan(&self.entries, &mut results);
        let mut requests: Vec<Option<ApiRequest>> =
            self.entries.iter().map(|e| e.request.as_ref().ok().cloned()).collect();
        let deps: Vec<Vec<usize>> = self.entries.into_iter().map(|e| e.depends_on).collect();
        for group in plan {
            let version = group.version;
            let members: Vec<(usize, ApiRequest)> =
                group.members.iter().filter_map(|i| requests[*i].take().map(|r| (*i, r))).collect();
            run_group(client, options, version, members, &deps, &mut results).await;
        }
        BatchResults { results }
    }
}

/// One `$batch` call to make.
#[derive(Debug)]
struct Group {
    version: ApiVersion,
    members: Vec<usize>,
}

/// Groups the requests: dependency components whole, per version, at most
/// [`MAX_BATCH`] per group, first fit in the order they were added.
/// Requests that cannot be sent get their error in `results` here.
fn plan(entries: &[Entry], results: &mut [Option<Result<ApiResponse, Error>>]) -> Vec<Group> {
    let n = entries.len();
    // Union-find over dependsOn edges.
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for (i, entry) in entries.iter().enumerate() {
        for &d in entry.depends_on.iter().filter(|d| **d < n) {
            let (a, b) = (root(&mut parent, i), root(&mut parent, d));
            if a != b {
                parent[a.max(b)] = a.min(b);
            }
        }
    }
    let mut components: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..n {
        let r = root(&mut parent, i);
        components.entry(r).or_default().push(i);
    }
    let mut groups: Vec<Group> = Vec::new();
    for members in components.into_values() {
        // A request that could not be built, and everything joined to it.
        if let Some(bad) = members.iter().find(|i| entries[**i].request.is_err()) {
            for &i in &members {
                results[i] = Some(match &entries[i].request {
                    Err(e) => Err(e.clone()),
                    Ok(_) => Err(Error::InvalidArgument(format!(
                        "Batch request {i} was not sent: it is joined by dependsOn to request {bad}, which could not be built."
                    ))),
                });
            }
            continue;
        }
        let version_of = |i: usize| entries[i].request.as_ref().map(|r| r.op.version).ok();
        let version = version_of(members[0]).unwrap_or(ApiVersion::new(""));
        let refusal = if members.iter().any(|i| version_of(*i) != Some(version)) {
            Some(format!(
                "Batch requests {} depend on each other but belong to different API versions; one $batch serves one version, so none of them was sent.",
                list(&members)
            ))
        } else if members.len() > MAX_BATCH {
            Some(format!(
                "Batch requests {} depend on each other: {} requests, more than the {MAX_BATCH} one $batch holds, so none of them was sent.",
                list(&members),
                members.len()
            ))
        } else {
            None
        };
        if let Some(message) = refusal {
            for &i in &members {
                results[i] = Some(Err(Error::InvalidArgument(message.clone())));
            }
            continue;
        }
        match groups.iter_mut().find(|g| g.version == version && g.members.len() + members.len() <= MAX_BATCH) {
            Some(group) => group.members.extend(members),
            None => groups.push(Group { version, members }),
        }
    }
    for group in &mut groups {
        group.members.sort_unstable();
    }
    groups
}

fn list(members: &[usize]) -> String {
    members.iter().map(usize::to_string).collect::<Vec<_>>().join(", ")
}

/// Sends one group, re-sending what is throttled, until every member has a
/// result.
async fn run_group(
    client: &Client,
    options: &RequestOptions,
    version: ApiVersion,
    members: Vec<(usize, ApiRequest)>,
    deps: &[Vec<usize>],
    results: &mut [Option<Result<ApiResponse, Error>>],
) {
    let policy = client.retry_policy();
    let max_retries = policy.effective_max_retries();
    let mut pending = members;
    let mut attempt = 0u32;
    while !pending.is_empty() {
        let in_batch: Vec<usize> = pending.iter().map(|(i, _)| *i).collect();
        let body = match batch_body(client, &pending, deps, &in_batch, attempt) {
            Ok(body) => body,
            Err(e) => {
                for (i, _) in &pending {
                    results[*i] = Some(Err(e.clone()));
                }
                return;
            }
        };
        let mut call = ApiRequest::new(batch_operation(version), "/$batch");
        call.body = Some(body);
        let answers = match client.send(call, options).await.and_then(|r| parse_answers(&r)) {
            Ok(answers) => answers,
            Err(e) => {
                for (i, _) in &pending {
                    results[*i] = Some(Err(e.clone()));
                }
                return;
            }
        };
        // Throttled requests, then those answered 424 that depend on one
        // of them: they go again together.
        let throttled = |i: usize| answers.get(&i).is_some_and(|a| RetryPolicy::is_retryable_status(a.status));
        let mut again: Vec<usize> = in_batch.iter().copied().filter(|i| throttled(*i)).collect();
        let mut grew = true;
        while grew {
            grew = false;
            for &i in &in_batch {
                let failed_dependency = answers.get(&i).is_some_and(|a| a.status == 424);
                if failed_dependency && !again.contains(&i) && deps[i].iter().any(|d| again.contains(d)) {
                    again.push(i);
                    grew = true;
                }
            }
        }
        let retrying = !again.is_empty() && attempt < max_retries;
        let mut wait = Duration::ZERO;
        let mut next = Vec::new();
        for (i, request) in pending {
            let answer = answers.get(&i);
            if retrying && again.contains(&i) {
                if let Some(a) = answer.filter(|a| RetryPolicy::is_retryable_status(a.status)) {
                    wait = wait.max(policy.delay_for(attempt + 1, a.headers.get("retry-after"), SystemTime::now()));
                }
                next.push((i, request));
                continue;
            }
            results[i] = Some(match answer {
                None => Err(Error::Decode(format!("the $batch response has no answer for request {i}"))),
                Some(a) => a.result(&request, attempt, !retrying && again.contains(&i) && attempt > 0),
            });
        }
        pending = next;
        if !pending.is_empty() {
            attempt += 1;
            tracing::debug!(requests = pending.len(), retry = attempt, wait_ms = wait.as_millis() as u64, "re-sending throttled batch requests");
            tokio::time::sleep(wait).await;
        }
    }
}

/// The `requests` document of one `$batch` call. Ids are the batch
/// positions; `dependsOn` names only requests of this same call (those of
/// an earlier call already succeeded).
fn batch_body(
    client: &Client,
    pending: &[(usize, ApiRequest)],
    deps: &[Vec<usize>],
    in_batch: &[usize],
    attempt: u32,
) -> Result<serde_json::Value, Error> {
    let mut requests = Vec::with_capacity(pending.len());
    for (i, request) in pending {
        let mut item = serde_json::Map::new();
        item.insert("id".into(), i.to_string().into());
        item.insert("method".into(), request.op.method.as_str().into());
        item.insert("url".into(), relative_url(client, request)?.into());
        let mut headers = serde_json::Map::new();
        for (name, value) in &request.headers {
            match headers.get_mut(name) {
                Some(serde_json::Value::String(existing)) => {
                    existing.push_str(", ");
                    existing.push_str(value);
                }
                _ => {
                    headers.insert(name.clone(), value.clone().into());
                }
            }
        }
        if attempt > 0 {
            headers.insert("Retry-Attempt".into(), attempt.to_string().into());
        }
        if let Some(body) = &request.body {
            if !headers.keys().any(|k| k.eq_ignore_ascii_case("content-type")) {
                headers.insert("Content-Type".into(), "application/json".into());
            }
            item.insert("body".into(), body.clone());
        } else if let Some(bytes) = &request.raw_body {
            if !headers.keys().any(|k| k.eq_ignore_ascii_case("content-type")) {
                headers.insert("Content-Type".into(), "application/octet-stream".into());
            }
            // Graph takes a body that is not JSON base64-encoded.
            item.insert("body".into(), base64_encode(bytes).into());
        }
        if !headers.is_empty() {
            item.insert("headers".into(), headers.into());
        }
        let depends: Vec<serde_json::Value> =
            deps[*i].iter().filter(|d| in_batch.contains(d)).map(|d| d.to_string().into()).collect();
        if !depends.is_empty() {
            item.insert("dependsOn".into(), depends.into());
        }
        requests.push(serde_json::Value::Object(item));
    }
    Ok(serde_json::json!({ "requests": requests }))
}

/// A request's URL relative to its version root, as `$batch` takes it.
fn relative_url(client: &Client, request: &ApiRequest) -> Result<String, Error> {
    if let Some(next) = &request.next_link {
        // Checked to lie below the version root (the token stays there).
        client.url_for(request)?;
        let root = client.version_root(request.op.version)?;
        let rest = next.strip_prefix(root.as_str()).unwrap_or("");
        return Ok(if rest.starts_with('/') { rest.to_owned() } else { format!("/{rest}") });
    }
    let mut url = String::with_capacity(request.path.len() + 1);
    if !request.path.starts_with('/') {
        url.push('/');
    }
    url.push_str(&request.path);
    let query = query_string(&request.query);
    if !query.is_empty() {
        url.push(if request.path.contains('?') { '&' } else { '?' });
        url.push_str(&query);
    }
    Ok(url)
}

/// One answer of a `$batch` response.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: ResponseHeaders,
    body: Vec<u8>,
}

impl Answer {
    /// The request's result: its response, its API error, or (after the
    /// last allowed retry of a throttled request) too many retries.
    fn result(&self, request: &ApiRequest, retries: u32, exhausted: bool) -> Result<ApiResponse, Error> {
        if (200..300).contains(&self.status) {
            return Ok(ApiResponse::new(self.status, self.headers.clone(), self.body.clone(), retries));
        }
        let error = ApiError::from_response(self.status, &self.headers, &self.body, request.op.method.as_str(), request.op.path, retries);
        if exhausted && RetryPolicy::is_retryable_status(self.status) {
            return Err(Error::TooManyRetries { retries, last: Box::new(error) });
        }
        Err(error.into())
    }
}

/// Reads the `responses` of a `$batch` response, by request position.
fn parse_answers(response: &ApiResponse) -> Result<BTreeMap<usize, Answer>, Error> {
    let document: serde_json::Value = response.json()?;
    let responses = document
        .get("responses")
        .and_then(serde_json::Value::as_array)
        .ok_or_else(|| Error::Decode("the $batch response has no responses array".to_owned()))?;
    let mut out = BTreeMap::new();
    for answer in responses {
        let Some(id) = answer.get("id").and_then(|v| v.as_str().map(str::to_owned).or_else(|| v.as_u64().map(|n| n.to_string())))
        else {
            continue;
        };
        let Ok(index) = id.parse::<usize>() else { continue };
        let status = answer.get("status").and_then(serde_json::Value::as_u64).and_then(|s| u16::try_from(s).ok()).unwrap_or(0);
        let mut headers = ResponseHeaders::new();
        if let Some(map) = answer.get("headers").and_then(serde_json::Value::as_object) {
            for (name, value) in map {
                let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                headers.push(name.clone(), value);
            }
        }
        let content_type = headers.get("content-type").unwrap_or("").to_ascii_lowercase();
        let body = match answer.get("body") {
            None | Some(serde_json::Value::Null) => Vec::new(),
            // Graph sends a body that is not JSON base64-encoded.
            Some(serde_json::Value::String(text)) if !content_type.is_empty() && !content_type.contains("json") => {
                if content_type.starts_with("text/") {
                    text.clone().into_bytes()
                } else {
                    base64_decode(text).unwrap_or_else(|| text.clone().into_bytes())
                }
            }
            Some(value) => serde_json::to_vec(value).map_err(|e| Error::Decode(e.to_string()))?,
        };
        out.insert(index, Answer { status, headers, body });
    }
    Ok(out)
}

/// The `$batch` operation of a version: a static for beta and v1.0, made
/// once (and kept) for any other version.
fn batch_operation(version: ApiVersion) -> &'static Operation {
    const fn of(version: ApiVersion) -> Operation {
        Operation {
            id: "$batch",
            method: Method::Post,
            version,
            path: "/$batch",
            segments: &["/$batch"],
            params: &[],
            body: BodyKind::Json,
            response: ResponseKind::Json,
        }
    }
    static BETA: Operation = of(ApiVersion::BETA);
    static V1_0: Operation = of(ApiVersion::V1_0);
    static OTHERS: OnceLock<Mutex<Vec<&'static Operation>>> = OnceLock::new();
    if version == ApiVersion::BETA {
        return &BETA;
    }
    if version == ApiVersion::V1_0 {
        return &V1_0;
    }
    let mut others = OTHERS.get_or_init(Mutex::default).lock().unwrap_or_else(|p| p.into_inner());
    if let Some(op) = others.iter().find(|op| op.version == version) {
        return op;
    }
    // One small static per distinct version in the process.
    let op: &'static Operation = Box::leak(Box::new(of(version)));
    others.push(op);
    op
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (k, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if k <= chunk.len() {
                out.push(BASE64[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard base64 (padding optional); `None` for anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.trim_end_matches('=').bytes().collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in digits {
        let v = BASE64.iter().position(|b| *b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar"] {
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(base64_decode(&encoded).as_deref(), Some(text.as_bytes()));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("not base64!"), None);
    }
}
