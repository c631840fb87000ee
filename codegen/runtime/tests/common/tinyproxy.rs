//! Runs Debian's `tinyproxy` (package `tinyproxy`) on a free loopback port
//! with a generated configuration, for tests that need a real forward proxy.
#![allow(dead_code)]

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// The `Via` name our proxies add to forwarded requests.
pub const VIA_NAME: &str = "mgbeta-test-proxy";

pub struct Tinyproxy {
    child: Child,
    dir: PathBuf,
    pub port: u16,
}

/// The tinyproxy binary, if installed.
pub fn binary() -> Option<&'static Path> {
    ["/usr/bin/tinyproxy", "/usr/sbin/tinyproxy"]
        .into_iter()
        .map(Path::new)
        .find(|p| p.exists())
}

impl Tinyproxy {
    /// Starts a proxy (with `BasicAuth user password` when `auth` is given).
    /// `None` (after printing `skipped: tinyproxy not installed`) when the
    /// binary is missing.
    pub fn start(auth: Option<(&str, &str)>) -> Option<Tinyproxy> {
        let Some(binary) = binary() else {
            println!("skipped: tinyproxy not installed");
            return None;
        };
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "mgbeta-tinyproxy-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("create proxy dir");
        // The port is picked by binding and releasing it; another process
        // could grab it in between, so a failed start is retried.
        for _ in 0..5 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut config = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{log}\"\nLogLevel Info\nMaxClients 20\n\
                 Allow 127.0.0.1\nViaProxyName \"{VIA_NAME}\"\n",
                log = dir.join("tinyproxy.log").display()
            );
            if let Some((user, password)) = auth {
                config.push_str(&format!("BasicAuth {user} {password}\n"));
            }
            let conf = dir.join("tinyproxy.conf");
            std::fs::write(&conf, config).expect("write proxy config");
            // -d: stay in the foreground so the child handle is the proxy.
            let mut child = Command::new(binary)
                .arg("-d")
                .arg("-c")
                .arg(&conf)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn tinyproxy");
            let deadline = Instant::now() + Duration::from_secs(5);
            while Instant::now() < deadline {
                if TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Some(Tinyproxy { child, dir, port });
                }
                if let Ok(Some(_)) = child.try_wait() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
        panic!(
            "tinyproxy did not start; log:\n{}",
            std::fs::read_to_string(dir.join("tinyproxy.log")).unwrap_or_default()
        );
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("tinyproxy.log")).unwrap_or_default()
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        // Only the child this helper started, by its handle.
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
