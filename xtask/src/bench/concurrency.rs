//! `cargo xtask bench concurrency`: GetSecretValue throughput from 1, 16 and 256 concurrent
//! tasks on one client, the generated client (`bench/concurrency-ours`) vs the official
//! `aws-sdk-secretsmanager` (`bench/concurrency-reference`), each a standalone program with a
//! committed lock file, run against the same canned server in the same invocation.
//!
//! Both programs run a multi-thread tokio runtime with 2 workers and make a fixed number of
//! calls spread over the tasks, timing themselves after one warm-up call. Both sides get the
//! same connection bound: ours through `ConfigBuilder::max_connections_per_host`; the official
//! client has no such setting (hyper-util's pool bounds only idle connections), so its program
//! bounds the calls in flight with a semaphore of as many permits, which is what a user of it
//! would do. The server counts the connections open at once, and the row of peaks shows how
//! close each side kept to the bound; ours above the bound fails the measurement.
//!
//! Runs alternate between the sides (each repetition runs every task count on ours, then on the
//! reference), as the `cache` measurement does, so that a change in the load of the shared
//! machine falls on both.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use super::proc;
use super::report::{group, Target, Unit};
use super::server::Server;
use super::{Bench, OURS, REFERENCE};

/// Calls per run, spread evenly over the tasks.
const TOTAL_CALLS: u64 = 20_000;
/// Repetitions (alternating sides); the median is reported.
const REPEAT: usize = 3;
/// The connection bound of both sides.
const BOUND: u64 = 8;
/// The runs: concurrent tasks and connection bound (0: none on either side).
const RUNS: &[(u64, u64)] = &[(1, BOUND), (16, BOUND), (256, BOUND), (256, 0)];
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// Per run of [`RUNS`]: the calls per second of each repetition and the highest peak of
/// connections, or why the side could not be measured.
type Results = Vec<Result<(Vec<f64>, u64), String>>;

/// What one run reports.
struct Run {
    calls_per_sec: f64,
    /// Most connections the server saw open at once during the run.
    peak: u64,
}

impl Bench {
    fn conc_dir(&self, side: usize) -> PathBuf {
        self.root
            .join("bench")
            .join(format!("concurrency-{}", self.sides[side].name))
    }

    fn conc_target(&self, side: usize) -> PathBuf {
        self.work
            .join(format!("target-concurrency-{}", self.sides[side].name))
    }

    /// Builds a side's program (release) and returns its path.
    fn conc_build(&self, side: usize) -> Result<PathBuf, String> {
        let name = self.sides[side].name;
        let manifest = self.conc_dir(side).join("Cargo.toml");
        if !manifest.is_file() {
            return Err(format!("{} is missing", manifest.display()));
        }
        let c = self.cargo_at(
            &self.conc_dir(side),
            &self.conc_target(side),
            &["build", "--release"],
        );
        eprintln!("bench: cargo build --release (concurrency, {name})");
        proc::run(
            &c,
            &self.log(&format!("build-concurrency-{name}.log")),
            Duration::from_secs(5400),
            false,
        )?;
        let exe = self
            .conc_target(side)
            .join("release")
            .join(format!("bench-concurrency-{name}"));
        exe.is_file()
            .then_some(exe.clone())
            .ok_or_else(|| format!("{} was not produced", exe.display()))
    }

    /// One run of `exe` with `tasks` tasks and connection bound `bound`.
    fn conc_run(
        &self,
        side: usize,
        exe: &Path,
        tasks: u64,
        bound: u64,
        server: &Server,
    ) -> Result<Run, String> {
        let counts = server.counts();
        // The previous program's connections end when it exits; wait for the server to see it.
        let settle = Instant::now();
        while counts.open.load(Ordering::SeqCst) > 0 && settle.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(10));
        }
        counts.reset_peak();
        let args = [tasks, TOTAL_CALLS, bound].map(|n| n.to_string());
        let cmd = self.client_cmd(exe, &args, server)?;
        let log = self.log(&format!(
            "run-concurrency-{}-{tasks}-{bound}.log",
            self.sides[side].name
        ));
        let gets = counts.get.load(Ordering::SeqCst);
        let errors = counts.other.load(Ordering::SeqCst);
        proc::run(&cmd, &log, RUN_TIMEOUT, false)?;
        let peak = counts.peak_open.load(Ordering::SeqCst);
        if counts.other.load(Ordering::SeqCst) != errors {
            return Err(format!("{}: the server answered errors", cmd.display()));
        }
        let answered = counts.get.load(Ordering::SeqCst) - gets;
        if answered != TOTAL_CALLS + 1 {
            return Err(format!(
                "{}: the server answered {answered} GetSecretValue calls, expected {}",
                cmd.display(),
                TOTAL_CALLS + 1
            ));
        }
        let text = fs::read_to_string(&log).map_err(|e| format!("read {}: {e}", log.display()))?;
        let calls_per_sec = text
            .lines()
            .find_map(|l| l.strip_prefix("result "))
            .and_then(|l| {
                l.split_whitespace()
                    .filter_map(|kv| kv.split_once('='))
                    .find(|(k, _)| *k == "calls_per_sec")
                    .and_then(|(_, v)| v.parse::<f64>().ok())
            })
            .ok_or_else(|| format!("{}: no calls_per_sec= in {}", cmd.display(), log.display()))?;
        if side == OURS && bound > 0 && peak > bound {
            return Err(format!(
                "{tasks} tasks: the server saw {peak} connections open at once, above the bound of {bound}"
            ));
        }
        eprintln!(
            "bench: concurrency {} tasks={tasks} bound={bound}: {calls_per_sec:.0} calls/s, peak {peak} connections",
            self.sides[side].name
        );
        Ok(Run {
            calls_per_sec,
            peak,
        })
    }

    /// The `concurrency` measurement: both sides, then the rows.
    pub(super) fn concurrency(&mut self) {
        let Some(server) = self.start_server() else {
            return;
        };
        let selected = |side: usize| self.opts.only.is_none_or(|o| o == side);
        let mut exes: [Result<PathBuf, String>; 2] = [
            Err("skipped (--only)".to_owned()),
            Err("skipped (--only)".to_owned()),
        ];
        for (side, exe) in exes.iter_mut().enumerate() {
            if selected(side) {
                *exe = self.conc_build(side);
                if let Err(e) = exe {
                    eprintln!(
                        "bench: concurrency ({}) build failed: {e}",
                        self.sides[side].name
                    );
                }
            }
        }
        // results[side][run] = (calls per second of each repetition, highest peak)
        let mut results: [Results; 2] = [
            RUNS.iter().map(|_| Ok((Vec::new(), 0))).collect(),
            RUNS.iter().map(|_| Ok((Vec::new(), 0))).collect(),
        ];
        for _ in 0..REPEAT {
            for side in [OURS, REFERENCE] {
                let Ok(exe) = &exes[side] else {
                    continue;
                };
                for (k, &(tasks, bound)) in RUNS.iter().enumerate() {
                    let Ok((rates, peak)) = &mut results[side][k] else {
                        continue;
                    };
                    match self.conc_run(side, exe, tasks, bound, &server) {
                        Ok(r) => {
                            rates.push(r.calls_per_sec);
                            *peak = (*peak).max(r.peak);
                        }
                        Err(e) => {
                            eprintln!("bench: concurrency ({}): {e}", self.sides[side].name);
                            results[side][k] = Err(e);
                        }
                    }
                }
            }
        }
        let figures = |side: usize| -> Result<Vec<f64>, String> {
            exes[side].as_ref().map_err(Clone::clone)?;
            let mut v = Vec::new();
            for r in &results[side] {
                let (rates, _) = r.as_ref().map_err(Clone::clone)?;
                v.push(proc::median(rates.clone()));
            }
            for r in &results[side] {
                let (_, peak) = r.as_ref().map_err(Clone::clone)?;
                v.push(*peak as f64);
            }
            Ok(v)
        };
        let res: [Result<[f64; 8], String>; 2] = [OURS, REFERENCE].map(|side| {
            figures(side).map(|v| {
                let mut a = [0.0; 8];
                a.copy_from_slice(&v);
                a
            })
        });
        let label = |tasks: u64, bound: u64| {
            let t = if tasks == 1 { "task" } else { "tasks" };
            if bound == 0 {
                format!("{tasks} {t}, no connection bound")
            } else {
                format!("{tasks} {t}, ≤ {bound} connections")
            }
        };
        let mut k = 0;
        for &(tasks, bound) in RUNS {
            let figure = format!(
                "concurrency: GetSecretValue calls per second, {}",
                label(tasks, bound)
            );
            self.row(&figure, Unit::PerSecond, Target::None, &res, k);
            k += 1;
        }
        for &(tasks, bound) in RUNS {
            let figure = format!(
                "concurrency: most connections open at once (server), {}",
                label(tasks, bound)
            );
            self.row(&figure, Unit::Count, Target::None, &res, k);
            k += 1;
        }
        self.how.push(format!(
            "Concurrency: `bench/concurrency-ours` (the generated client) and `bench/concurrency-reference` (`aws-sdk-secretsmanager`), release builds, one client shared by all tasks, a multi-thread tokio runtime with 2 workers on both sides, against the canned server (one server thread per connection). Each run makes one untimed warm-up call, then {} GetSecretValue calls spread evenly over 1, 16 or 256 tasks; calls per second over the timed part, median of {REPEAT} runs; the runs alternate between the sides (each repetition runs every task count on ours, then on the reference). The bound: ours sets `max_connections_per_host({BOUND})` on the configuration (the pool opens at most {BOUND} connections to the endpoint; callers beyond wait in arrival order for a connection to come back); the official client has no setting that bounds open connections (its hyper-util pool bounds only idle ones), so the reference program bounds the calls in flight with a `tokio::sync::Semaphore` of {BOUND} permits instead. The last run drops the bound on both sides (ours `usize::MAX`, the reference without the semaphore). Most connections open at once: counted by the server (accepted minus ended, highest over the {REPEAT} runs, warm-up included); ours above the bound fails the measurement. The server checks that it answered every call.",
            group(TOTAL_CALLS)
        ));
    }
}
