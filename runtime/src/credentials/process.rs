//! `credential_process`: run a command that prints a credentials JSON document.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{
    json, BoxFuture, Credentials, CredentialsError, CredentialsErrorKind, ProvideCredentials,
};

const NAME: &str = "process";
/// Output beyond this size is an error.
const MAX_OUTPUT: u64 = 1 << 20;

/// Runs `command` through the platform shell (`sh -c`, `cmd /C` on Windows) and parses its
/// standard output: `{"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
/// "Expiration"?}`. The process is killed when it outlives the timeout. Its standard error
/// goes to this process's standard error (tools may prompt there).
#[derive(Debug, Clone)]
pub struct ProcessProvider {
    command: String,
    timeout: Duration,
}

impl ProcessProvider {
    /// Default time limit for the command.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

    /// A provider running `command` with [`ProcessProvider::DEFAULT_TIMEOUT`].
    pub fn new(command: impl Into<String>) -> ProcessProvider {
        ProcessProvider {
            command: command.into(),
            timeout: Self::DEFAULT_TIMEOUT,
        }
    }

    /// Sets the time limit.
    pub fn with_timeout(mut self, timeout: Duration) -> ProcessProvider {
        self.timeout = timeout;
        self
    }

    /// Runs the command now.
    pub async fn run(&self) -> Result<Credentials, CredentialsError> {
        let command = self.command.clone();
        let timeout = self.timeout;
        let output = tokio::task::spawn_blocking(move || run_blocking(&command, timeout))
            .await
            .map_err(|e| {
                CredentialsError::provider_failed(NAME, format!("worker thread failed: {e}"))
            })??;
        json::parse(NAME, &output, &json::PROCESS, true)
    }
}

impl ProvideCredentials for ProcessProvider {
    fn provide_credentials(&self) -> BoxFuture<'_, Result<Credentials, CredentialsError>> {
        Box::pin(self.run())
    }
}

fn shell(command: &str) -> Command {
    if cfg!(windows) {
        let mut c = Command::new("cmd");
        c.arg("/C").arg(command);
        c
    } else {
        let mut c = Command::new("sh");
        c.arg("-c").arg(command);
        c
    }
}

/// Spawns, collects stdout on a helper thread, polls for exit until the deadline.
fn run_blocking(command: &str, timeout: Duration) -> Result<Vec<u8>, CredentialsError> {
    let failed = |msg: String| CredentialsError::provider_failed(NAME, msg);
    let mut child = shell(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| failed(format!("cannot start credential_process: {e}")))?;
    let stdout = child
        .stdout
        .take()
        .ok_or_else(|| failed("no stdout pipe".to_owned()))?;
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let result = stdout.take(MAX_OUTPUT + 1).read_to_end(&mut buf);
        let _ = sender.send(result.map(|_| buf));
    });
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(CredentialsError::new(
                    NAME,
                    CredentialsErrorKind::Timeout,
                    format!("credential_process did not finish within {timeout:?} and was killed"),
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(failed(format!("waiting for credential_process: {e}"))),
        }
    };
    // A background grandchild may keep stdout open after the command exits: wait no longer
    // than the deadline for the end of the output.
    let remaining = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    let output = receiver
        .recv_timeout(remaining)
        .map_err(|_| {
            failed(
                "credential_process output did not end (a background process keeps it open)"
                    .to_owned(),
            )
        })?
        .map_err(|e| failed(format!("reading credential_process output: {e}")))?;
    if !status.success() {
        return Err(failed(format!("credential_process exited with {status}")));
    }
    if output.len() as u64 > MAX_OUTPUT {
        return Err(failed(format!(
            "credential_process printed more than {MAX_OUTPUT} bytes"
        )));
    }
    Ok(output)
}
