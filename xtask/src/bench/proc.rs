//! Running child processes for the benchmarks: wall time, CPU time (user + sys of waited-for
//! children, from `/proc/self/stat`), peak RSS (GNU time's `%M`, else sampling `VmHWM`), a
//! timeout that kills the child's process group, and callgrind instruction counts.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// A command to run, kept as plain data so it can be wrapped (`nice`, `/usr/bin/time`).
#[derive(Clone, Debug)]
pub struct Cmd {
    /// The program.
    pub prog: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Variables to set.
    pub env: Vec<(String, String)>,
    /// Remove every inherited variable that starts with `AWS_` first.
    pub clear_aws_env: bool,
    /// Variables to remove.
    pub env_remove: Vec<String>,
    /// Working directory.
    pub cwd: Option<PathBuf>,
    /// Run under `nice -n <n>`.
    pub nice: Option<i32>,
}

impl Cmd {
    /// A command with no arguments.
    pub fn new(prog: impl Into<String>) -> Cmd {
        Cmd {
            prog: prog.into(),
            args: Vec::new(),
            env: Vec::new(),
            clear_aws_env: false,
            env_remove: Vec::new(),
            cwd: None,
            nice: None,
        }
    }

    /// Appends arguments.
    pub fn args<I: IntoIterator<Item = S>, S: Into<String>>(mut self, args: I) -> Cmd {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets a variable.
    pub fn env(mut self, k: &str, v: impl Into<String>) -> Cmd {
        self.env.push((k.to_owned(), v.into()));
        self
    }

    /// Human-readable form for logs and errors.
    pub fn display(&self) -> String {
        let mut s = self.prog.clone();
        for a in &self.args {
            s.push(' ');
            s.push_str(a);
        }
        s
    }

    fn to_command(&self, rss_file: Option<&Path>) -> Command {
        let mut argv: Vec<String> = Vec::new();
        if let Some(n) = self.nice {
            argv.extend(["nice".to_owned(), "-n".to_owned(), n.to_string()]);
        }
        if let Some(f) = rss_file {
            argv.extend([
                GNU_TIME.to_owned(),
                "-f".to_owned(),
                "%M".to_owned(),
                "-o".to_owned(),
            ]);
            argv.push(f.display().to_string());
        }
        argv.push(self.prog.clone());
        argv.extend(self.args.iter().cloned());
        let mut c = Command::new(&argv[0]);
        c.args(&argv[1..]);
        if self.clear_aws_env {
            for (k, _) in std::env::vars_os() {
                if k.to_string_lossy().starts_with("AWS_") {
                    c.env_remove(k);
                }
            }
        }
        for k in &self.env_remove {
            c.env_remove(k);
        }
        for (k, v) in &self.env {
            c.env(k, v);
        }
        if let Some(d) = &self.cwd {
            c.current_dir(d);
        }
        c
    }
}

/// GNU time, used for peak RSS when present.
const GNU_TIME: &str = "/usr/bin/time";

/// Whether GNU time is available.
pub fn have_gnu_time() -> bool {
    Path::new(GNU_TIME).is_file()
}

/// What one run of a child cost.
#[derive(Clone, Copy, Debug)]
pub struct Usage {
    /// Wall-clock seconds from spawn to exit.
    pub wall: f64,
    /// User + system CPU seconds of the child and its waited-for descendants.
    pub cpu: f64,
    /// Peak resident set size in KiB, when asked for.
    pub max_rss_kib: Option<u64>,
}

/// Runs `cmd` with stdout and stderr going to `log`; fails with the log's tail when the child
/// exits unsuccessfully or outlives `timeout` (then its process group is killed).
pub fn run(cmd: &Cmd, log: &Path, timeout: Duration, want_rss: bool) -> Result<Usage, String> {
    if let Some(dir) = log.parent() {
        fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    let out = fs::File::create(log).map_err(|e| format!("create {}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let rss_file = (want_rss && have_gnu_time()).then(|| log.with_extension("rss"));
    let mut command = cmd.to_command(rss_file.as_deref());
    command.stdin(Stdio::null()).stdout(out).stderr(err);
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let (cpu0, t0) = (children_cpu()?, Instant::now());
    let mut child = command
        .spawn()
        .map_err(|e| format!("spawn `{}`: {e}", cmd.display()))?;
    let pid = child.id();
    let sample = want_rss && rss_file.is_none();
    let (tx, rx) = mpsc::channel::<()>();
    let watchdog = thread::spawn(move || watch(pid, timeout, sample, &rx));
    let status = child
        .wait()
        .map_err(|e| format!("wait `{}`: {e}", cmd.display()));
    let wall = t0.elapsed().as_secs_f64();
    let _ = tx.send(());
    let (timed_out, sampled_hwm) = watchdog.join().unwrap_or((false, None));
    let status = status?;
    let cpu = children_cpu()? - cpu0;
    if timed_out {
        return Err(format!(
            "`{}` timed out after {}s; log: {}",
            cmd.display(),
            timeout.as_secs(),
            log.display()
        ));
    }
    if !status.success() {
        return Err(format!(
            "`{}` failed ({status}); log: {}\n{}",
            cmd.display(),
            log.display(),
            tail(log, 15)
        ));
    }
    let max_rss_kib = match &rss_file {
        Some(f) => fs::read_to_string(f)
            .ok()
            .and_then(|s| s.lines().last().and_then(|l| l.trim().parse().ok())),
        None => sampled_hwm,
    };
    Ok(Usage {
        wall,
        cpu,
        max_rss_kib,
    })
}

/// Waits for the "done" message; kills the process group on timeout; samples `VmHWM` every few
/// milliseconds when `sample` (GNU time missing).
fn watch(
    pid: u32,
    timeout: Duration,
    sample: bool,
    rx: &mpsc::Receiver<()>,
) -> (bool, Option<u64>) {
    let start = Instant::now();
    let mut hwm = None;
    loop {
        if sample {
            if let Some(v) = read_hwm(pid) {
                hwm = Some(hwm.map_or(v, |h: u64| h.max(v)));
            }
        }
        let left = timeout.saturating_sub(start.elapsed());
        if left.is_zero() {
            // Kill the whole group we created (the child is its leader).
            let _ = Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .status();
            return (true, hwm);
        }
        let step = if sample {
            left.min(Duration::from_millis(2))
        } else {
            left
        };
        match rx.recv_timeout(step) {
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            _ => return (false, hwm),
        }
    }
}

fn read_hwm(pid: u32) -> Option<u64> {
    let s = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// User + system seconds of this process's waited-for children (`cutime` + `cstime`).
pub fn children_cpu() -> Result<f64, String> {
    let stat =
        fs::read_to_string("/proc/self/stat").map_err(|e| format!("read /proc/self/stat: {e}"))?;
    let rest = stat
        .rsplit_once(')')
        .map(|(_, r)| r)
        .ok_or("unexpected /proc/self/stat")?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // After the command name, field 3 (state) is index 0; cutime is field 16, cstime 17.
    let get = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<u64>().ok())
            .ok_or("unexpected /proc/self/stat")
    };
    let ticks = get(13)? + get(14)?;
    Ok(ticks as f64 / clock_ticks() as f64)
}

/// `getconf CLK_TCK`, 100 when unknown.
fn clock_ticks() -> u64 {
    static TICKS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .and_then(|s| s.trim().parse().ok())
            .filter(|&t| t > 0)
            .unwrap_or(100)
    })
}

/// The last `n` lines of a file.
pub fn tail(path: &Path, n: usize) -> String {
    let s = fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs `cmd` under callgrind and returns the total instruction count.
pub fn callgrind(cmd: &Cmd, out_file: &Path, log: &Path, timeout: Duration) -> Result<u64, String> {
    let _ = fs::remove_file(out_file);
    let mut wrapped = cmd.clone();
    wrapped.prog = "valgrind".into();
    wrapped.args = vec![
        "--tool=callgrind".into(),
        format!("--callgrind-out-file={}", out_file.display()),
        cmd.prog.clone(),
    ];
    wrapped.args.extend(cmd.args.iter().cloned());
    run(&wrapped, log, timeout, false)?;
    let text =
        fs::read_to_string(out_file).map_err(|e| format!("read {}: {e}", out_file.display()))?;
    parse_callgrind_total(&text)
        .ok_or_else(|| format!("no `summary:`/`totals:` line in {}", out_file.display()))
}

/// The `summary:` (or `totals:`) event count of a callgrind output file.
pub fn parse_callgrind_total(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| {
            l.strip_prefix("summary:")
                .or_else(|| l.strip_prefix("totals:"))
        })
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
}

/// The median of a non-empty list (0 for an empty one).
pub fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let m = v.len() / 2;
    if v.len() % 2 == 1 {
        v[m]
    } else {
        (v[m - 1] + v[m]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_callgrind_summary() {
        let text =
            "version: 1\ncmd: x\nevents: Ir\nsummary: 123456\nfl=(1) a\n0 5\ntotals: 123456\n";
        assert_eq!(parse_callgrind_total(text), Some(123456));
        assert_eq!(parse_callgrind_total("events: Ir\n"), None);
    }

    #[test]
    fn median_of_odd_and_even() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn run_reports_usage_and_failure() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-proc-{}", std::process::id()));
        let log = dir.join("ok.log");
        let u = run(
            &Cmd::new("sh").args(["-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done"]),
            &log,
            Duration::from_secs(60),
            true,
        )
        .unwrap();
        assert!(u.wall > 0.0);
        assert!(u.cpu >= 0.0);
        assert!(u.max_rss_kib.unwrap_or(0) > 0);
        let e = run(
            &Cmd::new("sh").args(["-c", "echo boom >&2; exit 3"]),
            &dir.join("bad.log"),
            Duration::from_secs(60),
            false,
        )
        .unwrap_err();
        assert!(e.contains("boom"), "{e}");
        let e = run(
            &Cmd::new("sleep").args(["5"]),
            &dir.join("slow.log"),
            Duration::from_millis(200),
            false,
        )
        .unwrap_err();
        assert!(e.contains("timed out"), "{e}");
        let _ = fs::remove_dir_all(dir);
    }
}
