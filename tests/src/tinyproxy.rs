//! A real HTTP proxy for the proxy tests: Debian's `tinyproxy`, started on 127.0.0.1 with its
//! own config and log file in a temporary folder, and killed when the handle drops.
//!
//! tinyproxy cannot listen on port 0, so [`Tinyproxy::start`] asks the system for a free port
//! (binds 127.0.0.1:0 and lets it go), starts tinyproxy there in the foreground, and tries a new
//! port if it exits (someone took the port in between). Its log, at level `Info` (which includes
//! `Connect`), has one `Request (file descriptor N): <request line>` line per request it received,
//! e.g. `CONNECT 127.0.0.1:4443 HTTP/1.1` for a tunnel or `POST http://127.0.0.1:8080/ HTTP/1.1`
//! for a forwarded request, and `opensock: opening connection to HOST:PORT` once it has
//! accepted a request and connects onwards.
//!
//! When `tinyproxy` is not installed the tests fail, saying what to install; they never skip.
//! `TINYPROXY_BIN` names another executable.

use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::tls_server::TempDir;

/// A running tinyproxy. Killed and reaped on drop.
pub struct Tinyproxy {
    child: Child,
    port: u16,
    log: PathBuf,
    _dir: TempDir,
}

/// The tinyproxy executable: `$TINYPROXY_BIN`, else `tinyproxy` on `PATH`. Panics, saying what
/// to install, when there is none.
pub fn tinyproxy_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("TINYPROXY_BIN").filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        assert!(
            bin.is_file(),
            "TINYPROXY_BIN={} is not a file",
            bin.display()
        );
        return bin;
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|d| d.join("tinyproxy"))
        .find(|p| p.is_file())
        .unwrap_or_else(|| {
            panic!(
                "tinyproxy not found on PATH: the proxy tests need a real proxy server; install \
                 it (Debian/Ubuntu: `apt-get install -y tinyproxy`; .ci/run does this) or set \
                 TINYPROXY_BIN"
            )
        })
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    l.local_addr().expect("local addr").port()
}

impl Tinyproxy {
    /// Starts tinyproxy on 127.0.0.1; with `basic_auth`, it answers 407 to requests without
    /// those credentials.
    pub fn start(basic_auth: Option<(&str, &str)>) -> Tinyproxy {
        let bin = tinyproxy_bin();
        let mut last = String::new();
        for _ in 0..5 {
            let dir = TempDir::new("tinyproxy");
            let port = free_port();
            let log = dir.path().join("tinyproxy.log");
            let mut conf = format!(
                "Port {port}\nListen 127.0.0.1\nTimeout 30\nLogFile \"{}\"\nLogLevel Info\n\
                 PidFile \"{}\"\nMaxClients 50\nAllow 127.0.0.1\n",
                log.display(),
                dir.path().join("tinyproxy.pid").display()
            );
            if let Some((user, pass)) = basic_auth {
                conf.push_str(&format!("BasicAuth {user} {pass}\n"));
            }
            let conf_path = dir.path().join("tinyproxy.conf");
            std::fs::write(&conf_path, conf).expect("write tinyproxy.conf");
            let stderr_path = dir.path().join("stderr.txt");
            let stderr = std::fs::File::create(&stderr_path).expect("create stderr.txt");
            let mut child = Command::new(&bin)
                .arg("-d")
                .arg("-c")
                .arg(&conf_path)
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
            let start = Instant::now();
            loop {
                if let Ok(Some(status)) = child.try_wait() {
                    let err = std::fs::read_to_string(&stderr_path).unwrap_or_default();
                    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
                    last = format!("tinyproxy exited ({status}) on port {port}: {err}{log_text}");
                    break;
                }
                let listening = std::fs::read_to_string(&log)
                    .is_ok_and(|l| l.contains("Accepting connections"));
                if listening && TcpStream::connect(("127.0.0.1", port)).is_ok() {
                    return Tinyproxy {
                        child,
                        port,
                        log,
                        _dir: dir,
                    };
                }
                if start.elapsed() > Duration::from_secs(20) {
                    let _ = child.kill();
                    let _ = child.wait();
                    last = format!("tinyproxy did not start listening on port {port}");
                    break;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        panic!("cannot start tinyproxy: {last}");
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `http://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The whole log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// The request lines tinyproxy logged (`CONNECT 127.0.0.1:4443 HTTP/1.1`, ...), in order.
    pub fn requests(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter_map(|l| l.split_once("): ").filter(|_| l.contains(" Request (")))
            .map(|(_, r)| r.trim().to_string())
            .collect()
    }

    /// Waits up to 10 s for a logged line containing `needle`; returns whether one appeared.
    pub fn wait_for_log(&self, needle: &str) -> bool {
        let start = Instant::now();
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if start.elapsed() > Duration::from_secs(10) {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
