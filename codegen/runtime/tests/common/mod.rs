//! A scripted HTTP/1.1 server on 127.0.0.1 that records raw requests.
//!
//! Written by hand (rather than wiremock) because the tests need the raw
//! request target as sent, servers that never answer, and a way to notice
//! that the client closed a connection.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;

/// One request as it arrived.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The request target exactly as sent (path and query, still encoded).
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        chunked: bool,
    },
    /// Keep the connection open and never answer.
    Hang,
    /// Close the connection without answering.
    Drop,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: Vec::new(),
            chunked: false,
        }
    }

    pub fn json(status: u16, body: &str) -> Reply {
        Reply::status(status)
            .header("Content-Type", "application/json")
            .body(body)
    }

    pub fn header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Respond { headers, .. } = &mut self {
            headers.push((name.to_owned(), value.to_owned()));
        }
        self
    }

    pub fn body(mut self, text: impl AsRef<[u8]>) -> Reply {
        if let Reply::Respond { body, .. } = &mut self {
            *body = text.as_ref().to_vec();
        }
        self
    }

    /// Send the body with `Transfer-Encoding: chunked`.
    pub fn chunked(mut self) -> Reply {
        if let Reply::Respond { chunked, .. } = &mut self {
            *chunked = true;
        }
        self
    }
}

type Responder = Arc<dyn Fn(usize, &Recorded) -> Reply + Send + Sync>;

pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    /// Connections whose peer closed them while we were hanging.
    pub hung_closed: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestServer {
    /// Starts a server; `respond(n, request)` gets the 0-based request number.
    pub async fn start(
        respond: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let hung_closed = Arc::new(AtomicUsize::new(0));
        let respond: Responder = Arc::new(respond);
        let task = {
            let requests = requests.clone();
            let hung_closed = hung_closed.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let requests = requests.clone();
                    let hung_closed = hung_closed.clone();
                    let respond = respond.clone();
                    tokio::spawn(serve(stream, requests, hung_closed, respond));
                }
            })
        };
        TestServer {
            addr,
            requests,
            hung_closed,
            task,
        }
    }

    /// Like [`TestServer::start`], over TLS (an https stand-in).
    pub async fn start_tls(
        acceptor: tokio_rustls::TlsAcceptor,
        respond: impl Fn(usize, &Recorded) -> Reply + Send + Sync + 'static,
    ) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let hung_closed = Arc::new(AtomicUsize::new(0));
        let respond: Responder = Arc::new(respond);
        let task = {
            let requests = requests.clone();
            let hung_closed = hung_closed.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let (requests, hung_closed) = (requests.clone(), hung_closed.clone());
                    let (respond, acceptor) = (respond.clone(), acceptor.clone());
                    tokio::spawn(async move {
                        // A client that refuses our certificate just goes away.
                        if let Ok(stream) = acceptor.accept(stream).await {
                            serve(stream, requests, hung_closed, respond).await;
                        }
                    });
                }
            })
        };
        TestServer {
            addr,
            requests,
            hung_closed,
            task,
        }
    }

    /// Always answers with the same reply.
    pub async fn always(reply: Reply) -> TestServer {
        TestServer::start(move |_, _| reply.clone()).await
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().expect("lock").clone()
    }

    pub fn count(&self) -> usize {
        self.requests.lock().expect("lock").len()
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    requests: Arc<Mutex<Vec<Recorded>>>,
    hung_closed: Arc<AtomicUsize>,
    respond: Responder,
) {
    let Some(recorded) = read_request(&mut stream).await else {
        return;
    };
    let index = {
        let mut all = requests.lock().expect("lock");
        all.push(recorded.clone());
        all.len() - 1
    };
    match respond(index, &recorded) {
        Reply::Drop => {}
        Reply::Hang => {
            let mut sink = [0u8; 1024];
            loop {
                match stream.read(&mut sink).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {}
                }
            }
            hung_closed.fetch_add(1, Ordering::SeqCst);
        }
        Reply::Respond {
            status,
            headers,
            body,
            chunked,
        } => {
            let mut head = format!("HTTP/1.1 {status} Test\r\n");
            for (name, value) in &headers {
                head.push_str(&format!("{name}: {value}\r\n"));
            }
            if chunked {
                head.push_str("Transfer-Encoding: chunked\r\n");
            } else {
                head.push_str(&format!("Content-Length: {}\r\n", body.len()));
            }
            head.push_str("Connection: close\r\n\r\n");
            let mut out = head.into_bytes();
            if chunked {
                if !body.is_empty() {
                    out.extend_from_slice(format!("{:x}\r\n", body.len()).as_bytes());
                    out.extend_from_slice(&body);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n\r\n");
            } else {
                out.extend_from_slice(&body);
            }
            let _ = stream.write_all(&out).await;
            let _ = stream.shutdown().await;
        }
    }
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 || buf.len() > 1 << 20 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}

/// Percent-decodes one segment (test-side check that ids round-trip).
pub fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8()
        .expect("utf-8")
        .into_owned()
}

/// A request for an ad-hoc operation (`method` on `template`) with an
/// already encoded `path`. The operation has no version path, so the client
/// sends it to `<base URL><path>`, as the tests' loopback servers expect.
#[allow(dead_code)]
pub fn api_request(method: reqwest::Method, template: &'static str, path: &str) -> mg_runtime::request::ApiRequest {
    use mg_runtime::request::{ApiRequest, ApiVersion, BodyKind, Method, Operation, ResponseKind};
    let method = match method.as_str() {
        "GET" => Method::Get,
        "PUT" => Method::Put,
        "POST" => Method::Post,
        "DELETE" => Method::Delete,
        "PATCH" => Method::Patch,
        "HEAD" => Method::Head,
        "OPTIONS" => Method::Options,
        _ => Method::Trace,
    };
    // Leaked: operations are statics in generated code; tests make a few.
    let op: &'static Operation = Box::leak(Box::new(Operation {
        id: "test_operation",
        method,
        version: ApiVersion::new(""),
        path: template,
        segments: &[],
        params: &[],
        body: BodyKind::Json,
        response: ResponseKind::Json,
    }));
    ApiRequest::new(op, path)
}

/// What one in-process run of the CLI driver gave.
pub struct Ran {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs the CLI driver over `registry` against `server`, signed in with
/// `token` through `MG_ACCESS_TOKEN`; `stdin` is the pipeline input (a
/// terminal when `stdin_is_terminal`). Checks that the token was printed
/// nowhere.
pub async fn run_cli(
    registry: &mg_runtime::cli::Registry,
    server: &TestServer,
    token: &str,
    args: &[&str],
    stdin: &str,
    stdin_is_terminal: bool,
    stderr_is_terminal: bool,
) -> Ran {
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let base = server.url();
    let env = |name: &str| match name {
        "MG_GRAPH_BASE_URL" => Some(base.clone()),
        "MG_ACCESS_TOKEN" => Some(token.to_owned()),
        _ => None,
    };
    let mut prompt = |_: &str, _: bool| None;
    let io = mg_runtime::cli::Io {
        program: "mgtest",
        stdin: Box::new(stdin.as_bytes()),
        stdin_is_terminal,
        stdout: &mut stdout,
        stderr: &mut stderr,
        stderr_is_terminal,
        env: &env,
        prompt: &mut prompt,
    };
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    let code = mg_runtime::cli::run(registry, &args, io).await;
    let ran = Ran { code, stdout: String::from_utf8(stdout).expect("UTF-8"), stderr: String::from_utf8(stderr).expect("UTF-8") };
    assert!(!ran.stdout.contains(token) && !ran.stderr.contains(token), "the token was printed");
    ran
}
