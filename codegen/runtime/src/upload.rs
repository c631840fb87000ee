//! Uploading a file through a Graph upload session (`createUploadSession`:
//! drive items, Outlook and To Do attachments, print documents).
//!
//! The session's `uploadUrl` is pre-authorised and usually on another host,
//! so its requests carry no `Authorization` header (the Graph token never
//! goes there), and the URL itself, a credential, appears in no message.
//! It must be `https` (plain `http` only to a loopback address).
//!
//! The file is read one chunk at a time (memory holds one chunk). Each
//! chunk is a `PUT` with `Content-Range: bytes start-end/total`; every
//! chunk but the last is a multiple of 320 KiB, as the service requires.
//! The service answers `202` with `nextExpectedRanges` while it wants more,
//! and `200`/`201` (the new item, or an empty body and a `Location`) at the
//! end. When a chunk fails (a transport error, 5xx, 429, 416), the session's
//! state is asked for (`GET uploadUrl`) and the upload resumes from the
//! first byte the service still expects, within the same call, up to the
//! client's retry count in a row, waiting as its retry policy says
//! (`Retry-After` first).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use reqwest::header::{CONTENT_LENGTH, CONTENT_RANGE, CONTENT_TYPE, HeaderValue};

use super::client::{Client, RawResponse, RequestOptions};
use super::error::{ApiError, Error, ResponseHeaders};
use super::request::ApiRequest;

/// The unit of chunk sizes: 320 KiB.
pub const CHUNK_UNIT: usize = 320 * 1024;

/// The default chunk: 16 units (5 MiB).
pub const DEFAULT_CHUNK_SIZE: usize = 16 * CHUNK_UNIT;

/// The largest chunk the service takes: 192 units (60 MiB).
pub const MAX_CHUNK_SIZE: usize = 192 * CHUNK_UNIT;

/// How far an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes the service has (the start of its next expected range).
    pub uploaded: u64,
    /// The file's size.
    pub total: u64,
    /// Chunks sent so far (re-sent ones included).
    pub chunks: u32,
}

impl UploadProgress {
    /// Percent done.
    pub fn percent(&self) -> u8 {
        if self.total == 0 {
            return 100;
        }
        u8::try_from(self.uploaded.min(self.total) * 100 / self.total).unwrap_or(100)
    }
}

/// Called after every chunk.
pub type ProgressFn = Arc<dyn Fn(&UploadProgress) + Send + Sync>;

/// How to upload.
#[derive(Clone)]
pub struct UploadOptions {
    /// Bytes per chunk: a multiple of 320 KiB, at most 60 MiB (default 5 MiB).
    pub chunk_size: usize,
    /// Called after every chunk.
    pub progress: Option<ProgressFn>,
    /// Options of the `createUploadSession` call and, for the chunks, its
    /// proxy (headers and pipeline steps are Graph's, not the session's).
    pub request: RequestOptions,
}

impl Default for UploadOptions {
    fn default() -> Self {
        UploadOptions { chunk_size: DEFAULT_CHUNK_SIZE, progress: None, request: RequestOptions::default() }
    }
}

impl std::fmt::Debug for UploadOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UploadOptions")
            .field("chunk_size", &self.chunk_size)
            .field("progress", &self.progress.is_some())
            .field("request", &self.request)
            .finish()
    }
}

/// A finished upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Uploaded {
    /// Status of the last chunk's response (`200` or `201`).
    pub status: u16,
    /// Its headers (an attachment's `Location`).
    pub headers: ResponseHeaders,
    /// Its JSON body: the created item (a `driveItem`), if the service sent one.
    pub body: Option<serde_json::Value>,
    /// The file's size.
    pub size: u64,
    /// Chunks sent (re-sent ones included).
    pub chunks: u32,
    /// How often the upload resumed after a failed chunk.
    pub resumed: u32,
}

/// Checks a chunk size.
pub fn check_chunk_size(size: usize) -> Result<(), Error> {
    if size == 0 || !size.is_multiple_of(CHUNK_UNIT) || size > MAX_CHUNK_SIZE {
        return Err(Error::InvalidArgument(format!(
            "The upload chunk size must be a multiple of 327,680 bytes (320 KiB) up to {MAX_CHUNK_SIZE} bytes, not {size}."
        )));
    }
    Ok(())
}

/// An opened file to upload.
pub struct UploadFile {
    file: std::fs::File,
    size: u64,
    name: String,
}

impl UploadFile {
    /// Opens `path`; fails (nothing sent) when it cannot be read or is empty
    /// (an upload session needs at least one byte).
    pub fn open(path: &Path) -> Result<UploadFile, Error> {
        let shown = path.display();
        let cannot = |e: std::io::Error| Error::InvalidArgument(format!("cannot read the file to upload {shown}: {e}"));
        let file = std::fs::File::open(path).map_err(cannot)?;
        let meta = file.metadata().map_err(cannot)?;
        if !meta.is_file() {
            return Err(Error::InvalidArgument(format!("{shown} is not a file; nothing was uploaded.")));
        }
        if meta.len() == 0 {
            return Err(Error::InvalidArgument(format!(
                "{shown} is empty; an upload session takes at least one byte. Nothing was sent."
            )));
        }
        let name = path.file_name().map_or_else(|| shown.to_string(), |n| n.to_string_lossy().into_owned());
        Ok(UploadFile { file, size: meta.len(), name })
    }

    /// The size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The file name (for progress).
    pub fn name(&self) -> &str {
        &self.name
    }

    fn read_at(&mut self, start: u64, len: usize) -> Result<Vec<u8>, Error> {
        let mut buffer = vec![0; len];
        self.file
            .seek(SeekFrom::Start(start))
            .and_then(|_| self.file.read_exact(&mut buffer))
            .map_err(|e| Error::InvalidArgument(format!("cannot read {} at byte {start}: {e}", self.name)))?;
        Ok(buffer)
    }
}

/// Creates the upload session (`create`, a `createUploadSession` request)
/// and uploads the file at `path` through it. `progress` is called after
/// every chunk; an error from it stops the upload.
pub async fn upload_file(
    client: &Client,
    create: ApiRequest,
    path: &Path,
    chunk_size: usize,
    options: &RequestOptions,
    progress: &mut (dyn FnMut(&UploadProgress) -> Result<(), Error> + Send),
) -> Result<Uploaded, Error> {
    check_chunk_size(chunk_size)?;
    let file = UploadFile::open(path)?;
    upload(client, create, file, chunk_size, options, progress).await
}

/// [`upload_file`] with the file already open.
pub async fn upload(
    client: &Client,
    create: ApiRequest,
    mut file: UploadFile,
    chunk_size: usize,
    options: &RequestOptions,
    progress: &mut (dyn FnMut(&UploadProgress) -> Result<(), Error> + Send),
) -> Result<Uploaded, Error> {
    check_chunk_size(chunk_size)?;
    let session = client.send(create, options).await?;
    let session: serde_json::Value = session.json()?;
    let url = upload_url(&session)?;
    let total = file.size;
    let policy = client.retry_policy();
    let max_failures = policy.effective_max_retries();
    let mut state = UploadProgress { uploaded: 0, total, chunks: 0 };
    let mut failures = 0u32;
    let mut resumed = 0u32;
    // Answers that asked for no new byte, in a row: a service that never
    // moves on must not keep us here.
    let mut stalled = 0u32;
    loop {
        let start = state.uploaded;
        let len = usize::try_from((total - start).min(chunk_size as u64)).unwrap_or(chunk_size);
        let bytes = file.read_at(start, len)?;
        let end = start + len as u64 - 1;
        let headers = [
            (CONTENT_RANGE, header_value(&format!("bytes {start}-{end}/{total}"))?),
            (CONTENT_LENGTH, HeaderValue::from(len)),
            (CONTENT_TYPE, HeaderValue::from_static("application/octet-stream")),
        ];
        state.chunks += 1;
        let sent = client
            .send_preauthorized(reqwest::Method::PUT, &url, &headers, Some(bytes), options.proxy.as_ref())
            .await;
        let retry_after = match sent {
            Ok(RawResponse { status: status @ (200 | 201), headers, body }) => {
                state.uploaded = total;
                progress(&state)?;
                let body = serde_json::from_slice(&body).ok();
                return Ok(Uploaded { status, headers, body, size: total, chunks: state.chunks, resumed });
            }
            Ok(RawResponse { status: 202, body, headers }) => match next_expected(&body, total) {
                Some(next) if next > start => {
                    state.uploaded = next;
                    failures = 0;
                    stalled = 0;
                    progress(&state)?;
                    continue;
                }
                Some(_) | None => {
                    stalled += 1;
                    if stalled > max_failures {
                        return Err(session_error(202, &headers, &body, "the upload session accepted a chunk but expects no later byte"));
                    }
                    None
                }
            },
            Ok(RawResponse { status, headers, body }) if resumable(status) => {
                if failures >= max_failures {
                    return Err(session_error(status, &headers, &body, "a chunk kept failing"));
                }
                headers.get("retry-after").map(str::to_owned)
            }
            Ok(RawResponse { status, headers, body }) => {
                return Err(session_error(status, &headers, &body, "the upload session refused a chunk"));
            }
            Err(e @ Error::Transport { .. }) => {
                if failures >= max_failures {
                    return Err(e);
                }
                None
            }
            Err(e) => return Err(e),
        };
        failures += 1;
        resumed += 1;
        let wait = policy.delay_for(failures, retry_after.as_deref(), SystemTime::now());
        tracing::debug!(failures, wait_ms = wait.as_millis() as u64, "upload chunk failed; asking the session where to resume");
        tokio::time::sleep(wait).await;
        // Where does the session stand? Resume from its first expected byte.
        match client.send_preauthorized(reqwest::Method::GET, &url, &[], None, options.proxy.as_ref()).await {
            Ok(RawResponse { status: 200, body, .. }) => {
                if let Some(next) = next_expected(&body, total) {
                    state.uploaded = next;
                }
            }
            Ok(RawResponse { status, headers, body }) if !resumable(status) => {
                return Err(session_error(status, &headers, &body, "the upload session could not be resumed"));
            }
            // A failed status query: send the same chunk again.
            Ok(_) | Err(Error::Transport { .. }) => {}
            Err(e) => return Err(e),
        }
    }
}

/// Statuses after which the session's state is asked for and the upload
/// resumes: throttling, server errors, and a range the service did not
/// expect.
fn resumable(status: u16) -> bool {
    matches!(status, 416 | 429 | 500 | 502 | 503 | 504)
}

fn header_value(text: &str) -> Result<HeaderValue, Error> {
    HeaderValue::from_str(text).map_err(|_| Error::InvalidArgument(format!("invalid header value {text:?}")))
}

/// The first byte of the first of the session's `nextExpectedRanges`
/// (`"26-"`, `"26-99"`), when it lies inside the file.
fn next_expected(body: &[u8], total: u64) -> Option<u64> {
    let session: serde_json::Value = serde_json::from_slice(body).ok()?;
    let first = session.get("nextExpectedRanges")?.as_array()?.first()?.as_str()?;
    let start: u64 = first.split('-').next()?.trim().parse().ok()?;
    (start < total).then_some(start)
}

/// The session's `uploadUrl`, checked: absolute, `https` (or `http` to a
/// loopback address). The URL is not quoted in errors.
fn upload_url(session: &serde_json::Value) -> Result<reqwest::Url, Error> {
    let text = session
        .get("uploadUrl")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| Error::Decode("the upload session has no uploadUrl".to_owned()))?;
    let url = reqwest::Url::parse(text)
        .map_err(|_| Error::Decode("the upload session's uploadUrl is not an absolute URL".to_owned()))?;
    let host = url.host_str().unwrap_or("");
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback => Ok(url),
        _ => Err(Error::Decode(
            "the upload session's uploadUrl is not an https URL; nothing was uploaded to it".to_owned(),
        )),
    }
}

/// An error of the upload session, as an API error on the session's
/// (unnamed) URL.
fn session_error(status: u16, headers: &ResponseHeaders, body: &[u8], what: &str) -> Error {
    tracing::debug!(status, "{what}");
    ApiError::from_response(status, headers, body, "PUT", "{uploadUrl}", 0).into()
}
