//! A minimal HTTP/1.1 server on 127.0.0.1 that answers every request with
//! `204 No Content` on a keep-alive connection and, while recording is on,
//! keeps each request head exactly as it arrived (target still
//! percent-encoded).
//!
//! Shared by `path_property.rs` (which needs the raw target) and
//! `benches/overhead.rs` (which needs a server that costs as little as
//! possible and the same for every client). Hand-written rather than hyper
//! or wiremock so that nothing between the socket and the test rewrites the
//! target, and so the benchmark measures the clients, not a mock framework.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const NO_CONTENT: &[u8] = b"HTTP/1.1 204 No Content\r\n\r\n";
const BAD_REQUEST: &[u8] =
    b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n";

/// One request head: the request target and the header lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    /// The request target as sent (path and query, still encoded).
    pub target: String,
    /// `(name, value)` in the order sent, names lowercased.
    pub headers: Vec<(String, String)>,
}

/// What the server saw.
#[derive(Debug, Default)]
pub struct Recorder {
    /// Whether to keep request heads (the benchmark turns it off while it
    /// measures).
    recording: AtomicBool,
    /// Request heads, in arrival order.
    heads: Mutex<Vec<Head>>,
    /// Connections accepted.
    connections: AtomicUsize,
    /// Requests answered.
    requests: AtomicUsize,
}

impl Recorder {
    /// Turns recording on or off.
    pub fn set_recording(&self, on: bool) {
        self.recording.store(on, Ordering::SeqCst);
    }

    /// Takes the heads recorded so far.
    pub fn take_heads(&self) -> Vec<Head> {
        std::mem::take(&mut *self.heads.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Takes the targets recorded so far.
    pub fn take_targets(&self) -> Vec<String> {
        self.take_heads().into_iter().map(|h| h.target).collect()
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Requests answered so far.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// Binds 127.0.0.1 on a free port and serves on the current tokio runtime
/// until the runtime shuts down. Returns the address and the recorder.
pub async fn start(recording: bool) -> (SocketAddr, Arc<Recorder>) {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let recorder = Arc::new(Recorder::default());
    recorder.set_recording(recording);
    let shared = recorder.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            shared.connections.fetch_add(1, Ordering::SeqCst);
            let _ = stream.set_nodelay(true);
            tokio::spawn(connection(stream, shared.clone()));
        }
    });
    (addr, recorder)
}

/// Serves one connection: requests one after another until the peer closes.
async fn connection(mut stream: TcpStream, recorder: Arc<Recorder>) {
    let mut buf: Vec<u8> = Vec::with_capacity(8192);
    let mut chunk = [0u8; 8192];
    loop {
        // Read until the end of the head.
        let head_end = loop {
            if let Some(at) = find(&buf, b"\r\n\r\n") {
                break at + 4;
            }
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        let keep = recorder.recording.load(Ordering::Relaxed);
        let Some((head, body_len)) = parse_head(&buf[..head_end], keep) else {
            let _ = stream.write_all(BAD_REQUEST).await;
            return;
        };
        // Skip the body (none is expected, but a client may send one).
        while buf.len() < head_end + body_len {
            match stream.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + body_len);
        if let Some(head) = head {
            recorder
                .heads
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(head);
        }
        recorder.requests.fetch_add(1, Ordering::SeqCst);
        if stream.write_all(NO_CONTENT).await.is_err() {
            return;
        }
    }
}

/// The body length and, when `keep` is set, the parsed head. `None` for a
/// head this server does not handle (malformed, or a chunked body). Nothing
/// is allocated when `keep` is off, so the benchmark's server stays cheap.
fn parse_head(raw: &[u8], keep: bool) -> Option<(Option<Head>, usize)> {
    let text = std::str::from_utf8(raw).ok()?;
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let (_method, target, _version) = (
        request_line.next()?,
        request_line.next()?,
        request_line.next()?,
    );
    let mut head = keep.then(|| Head {
        target: target.to_owned(),
        headers: Vec::new(),
    });
    let mut body_len = 0;
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            body_len = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return None;
        }
        if let Some(head) = head.as_mut() {
            head.headers
                .push((name.to_ascii_lowercase(), value.to_owned()));
        }
    }
    Some((head, body_len))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
