//! Starts and stops a local [moto](https://github.com/getmoto/moto) server (`moto[server]==5.2.5`),
//! the stand-in for AWS Secrets Manager in the end-to-end tests.
//!
//! The server runs as `moto_server -H 127.0.0.1 -p 0`; the port it picked is read from its
//! stderr. The binary comes from `MOTO_SERVER_BIN`, else `<workspace>/target/moto-venv/bin/moto_server`
//! (`cargo xtask test` installs it there). A missing binary is an error naming both ways to get
//! it; tests turn that into a failure, never a skip.
//!
//! A [`MotoServer`] kills its process when dropped. Because a server shared by every test of a
//! binary lives in a `static` (whose destructor never runs), each server also gets a watchdog: a
//! `sh` process that blocks reading a pipe from this process and kills moto when the pipe closes,
//! which the kernel does when the test process exits for any reason (normal exit, panic, signal).

use std::collections::VecDeque;
use std::fmt;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Environment variable naming the `moto_server` executable.
pub const MOTO_SERVER_BIN_VAR: &str = "MOTO_SERVER_BIN";

/// The moto version the tests are written against.
pub const MOTO_VERSION: &str = "5.2.5";

/// Region the default configuration uses.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Dummy access key id moto accepts (it does not check signatures).
pub const DUMMY_ACCESS_KEY_ID: &str = "AKIDMOTOTESTKEY00001";

/// Dummy secret access key.
pub const DUMMY_SECRET_ACCESS_KEY: &str = "moto/dummy/secret/access/key/0000000000";

/// How long to wait for moto to print its port and then answer.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);

/// Lines of moto's stderr kept for error messages.
const LOG_LINES_KEPT: usize = 200;

/// Why a moto server could not be started or used.
#[derive(Debug)]
pub struct MotoError {
    message: String,
}

impl MotoError {
    fn new(message: impl Into<String>) -> MotoError {
        MotoError {
            message: message.into(),
        }
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for MotoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for MotoError {}

/// How to install moto, for error messages.
fn install_hint() -> String {
    format!(
        "`cargo xtask test` installs it, or run from the workspace root: \
         `python3 -m venv target/moto-venv && target/moto-venv/bin/pip install 'moto[server]=={MOTO_VERSION}'` \
         (or set {MOTO_SERVER_BIN_VAR} to a moto_server executable)"
    )
}

/// The `moto_server` executable: `$MOTO_SERVER_BIN`, else the workspace's `target/moto-venv`.
pub fn moto_server_bin() -> Result<PathBuf, MotoError> {
    if let Some(bin) = std::env::var_os(MOTO_SERVER_BIN_VAR).filter(|v| !v.is_empty()) {
        let bin = PathBuf::from(bin);
        if bin.is_file() {
            return Ok(bin);
        }
        return Err(MotoError::new(format!(
            "{MOTO_SERVER_BIN_VAR}={} does not name a file; {}",
            bin.display(),
            install_hint()
        )));
    }
    let bin = crate::workspace_root()
        .join("target")
        .join("moto-venv")
        .join("bin")
        .join("moto_server");
    if bin.is_file() {
        Ok(bin)
    } else {
        Err(MotoError::new(format!(
            "moto server not found at {} and {MOTO_SERVER_BIN_VAR} is unset; {}",
            bin.display(),
            install_hint()
        )))
    }
}

/// A running moto server on 127.0.0.1. Stopped (killed and reaped) on drop.
pub struct MotoServer {
    child: Child,
    watchdog: Option<(Child, ChildStdin)>,
    port: u16,
    log: Arc<Mutex<VecDeque<String>>>,
}

impl fmt::Debug for MotoServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MotoServer")
            .field("pid", &self.child.id())
            .field("port", &self.port)
            .finish()
    }
}

/// Extracts the port from a werkzeug start-up line such as ` * Running on http://127.0.0.1:41234`.
fn parse_port(line: &str) -> Option<u16> {
    let rest = &line[line.find("Running on http://")? + "Running on http://".len()..];
    let after_host = &rest[rest.rfind(':')? + 1..];
    let digits: String = after_host
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    digits.parse().ok().filter(|p| *p != 0)
}

/// Sends a body-less HTTP/1.1 request to 127.0.0.1:`port` and returns (status, body).
fn simple_request(port: u16, method: &str, path: &str) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidData, "no HTTP status line")
        })?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Ok((status, body))
}

impl MotoServer {
    /// Starts a new server, waits until it answers and resets its state.
    pub fn start() -> Result<MotoServer, MotoError> {
        let bin = moto_server_bin()?;
        let mut child = Command::new(&bin)
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| {
                MotoError::new(format!(
                    "cannot run {}: {e}; {}",
                    bin.display(),
                    install_hint()
                ))
            })?;
        let log: Arc<Mutex<VecDeque<String>>> = Arc::default();

        // moto logs every request to stderr: drain it for the server's whole life so it never
        // blocks on a full pipe, keep the tail for error messages, and report the port.
        let (port_tx, port_rx) = mpsc::channel::<u16>();
        if let Some(stderr) = child.stderr.take() {
            let log = Arc::clone(&log);
            std::thread::spawn(move || {
                let mut port_tx = Some(port_tx);
                for line in BufReader::new(stderr).lines() {
                    let Ok(line) = line else { break };
                    if let Some(port) = parse_port(&line) {
                        if let Some(tx) = port_tx.take() {
                            let _ = tx.send(port);
                        }
                    }
                    if let Ok(mut log) = log.lock() {
                        if log.len() == LOG_LINES_KEPT {
                            log.pop_front();
                        }
                        log.push_back(line);
                    }
                }
            });
        }

        let watchdog = spawn_watchdog(child.id());
        let mut server = MotoServer {
            child,
            watchdog,
            port: 0,
            log,
        };
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        server.port = match port_rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(port) => port,
            Err(_) => {
                let status = server.child.try_wait().ok().flatten();
                return Err(MotoError::new(format!(
                    "moto_server ({}) did not report its port (exit status: {status:?}); its output:\n{}",
                    bin.display(),
                    server.recent_log().join("\n")
                )));
            }
        };
        // It prints the port once listening; still, retry the first request until it answers.
        loop {
            match server.reset() {
                Ok(()) => return Ok(server),
                Err(e) if Instant::now() >= deadline => {
                    return Err(MotoError::new(format!(
                        "moto_server on port {} never answered: {e}; its output:\n{}",
                        server.port,
                        server.recent_log().join("\n")
                    )))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }

    /// The server shared by every test of this test binary, started on first use and stopped
    /// when the test process exits. Tests sharing it must use unique secret names
    /// ([`unique_name`]); it is reset once, at start.
    pub fn shared() -> Result<&'static MotoServer, MotoError> {
        static SHARED: OnceLock<Result<MotoServer, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| MotoServer::start().map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| MotoError::new(e.clone()))
    }

    /// The port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The last lines moto wrote to stderr (its request log).
    pub fn recent_log(&self) -> Vec<String> {
        self.log
            .lock()
            .map(|l| l.iter().cloned().collect())
            .unwrap_or_default()
    }

    /// Clears every resource in every region (`POST /moto-api/reset`).
    pub fn reset(&self) -> Result<(), MotoError> {
        match simple_request(self.port, "POST", "/moto-api/reset") {
            Ok((200, _)) => Ok(()),
            Ok((status, body)) => Err(MotoError::new(format!(
                "POST /moto-api/reset answered {status}: {body}"
            ))),
            Err(e) => Err(MotoError::new(format!("POST /moto-api/reset failed: {e}"))),
        }
    }

    /// A configuration for this server: explicit endpoint, region `us-east-1`, static dummy
    /// credentials.
    pub fn config(&self) -> secretsmanager::Config {
        self.config_in(DEFAULT_REGION)
    }

    /// Like [`MotoServer::config`] in another region (moto keeps one backend per region, chosen
    /// from the signature's credential scope).
    pub fn config_in(&self, region: &str) -> secretsmanager::Config {
        secretsmanager::Config::builder()
            .region(region)
            .credentials(DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY, None)
            .endpoint_url(self.endpoint_url())
            .build()
    }

    /// A client for this server in `us-east-1`.
    pub fn client(&self) -> secretsmanager::Client {
        secretsmanager::Client::new(&self.config())
    }

    /// Whether the server process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Kills and reaps the server (and its watchdog). Idempotent.
    pub fn stop(&mut self) {
        // The watchdog goes first so it can never signal a recycled pid.
        if let Some((mut dog, stdin)) = self.watchdog.take() {
            let _ = dog.kill();
            drop(stdin);
            let _ = dog.wait();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Starts `sh -c 'read _; kill <pid>'` with a pipe as stdin. We keep the write end; when this
/// process exits the pipe closes, `read` returns and moto is killed. `None` if `sh` is missing
/// (then only `Drop` stops the server).
fn spawn_watchdog(pid: u32) -> Option<(Child, ChildStdin)> {
    let mut dog = Command::new("sh")
        .arg("-c")
        .arg(format!("read _unused; kill -9 {pid} 2>/dev/null"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let stdin = dog.stdin.take()?;
    Some((dog, stdin))
}

/// A name unique within this process and across runs: `<prefix>-<pid>-<time>-<counter>`, for
/// secrets on a shared server.
pub fn unique_name(prefix: &str) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_micros() % 1_000_000_000)
        .unwrap_or(0);
    format!("{prefix}-{}-{micros}-{n}", std::process::id())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn port_is_read_from_the_werkzeug_banner() {
        assert_eq!(
            parse_port(" * Running on http://127.0.0.1:41234"),
            Some(41234)
        );
        assert_eq!(
            parse_port("\u{1b}[33m * Running on http://127.0.0.1:5000\u{1b}[0m"),
            Some(5000)
        );
        assert_eq!(parse_port("Press CTRL+C to quit"), None);
        assert_eq!(parse_port(" * Running on http://127.0.0.1:0"), None);
    }

    #[test]
    fn unique_names_differ() {
        let a = unique_name("x");
        let b = unique_name("x");
        assert_ne!(a, b);
        assert!(a.starts_with("x-"));
    }
}
