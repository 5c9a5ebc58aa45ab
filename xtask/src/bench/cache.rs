//! `cargo xtask bench cache`: `secretsmanager-cache` vs the official `aws_secretsmanager_caching`,
//! each a standalone program (`bench/cache-ours`, `bench/cache-reference`, committed lock files)
//! run against the same canned server in the same run. The programs time themselves (a hit is
//! far below process start-up) and print one `result key=value ...` line; the harness counts the
//! requests the server answered and measures peak RSS from outside.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::proc::{self, Cmd};
use super::report::{group, Target, Unit};
use super::server::Server;
use super::{Bench, OURS};

/// Repetitions of the timed runs; the median is reported.
const REPEAT: usize = 3;
/// Hits timed one by one in the latency run.
const HIT_SAMPLES: u64 = 200_000;
/// Hits per task in the throughput runs.
const GETS_ONE_TASK: u64 = 500_000;
const GETS_PER_TASK_16: u64 = 100_000;
/// Concurrent gets of a cold key.
const COLD_TASKS: u64 = 1000;
/// Secrets held for the memory figure.
const RSS_SECRETS: u64 = 1000;
/// The expiry run: tasks, duration and TTL (ms).
const EXPIRY: (u64, u64, u64) = (16, 2000, 100);
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// One run's output: the `result` line's fields, the requests the server answered
/// (GetSecretValue and DescribeSecret), and peak RSS when asked.
struct Run {
    fields: HashMap<String, f64>,
    requests: u64,
    rss_kib: Option<u64>,
}

impl Run {
    fn get(&self, k: &str) -> Result<f64, String> {
        self.fields
            .get(k)
            .copied()
            .ok_or_else(|| format!("no {k}= in the result line"))
    }
}

impl Bench {
    fn cache_dir(&self, side: usize) -> PathBuf {
        self.root
            .join("bench")
            .join(format!("cache-{}", self.sides[side].name))
    }

    fn cache_target(&self, side: usize) -> PathBuf {
        self.work
            .join(format!("target-cache-{}", self.sides[side].name))
    }

    /// Builds a side's cache program (release) and returns its path.
    fn cache_build(&self, side: usize) -> Result<PathBuf, String> {
        let name = self.sides[side].name;
        let mut c = Cmd::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["build", "--release", "--manifest-path"])
            .args([self
                .cache_dir(side)
                .join("Cargo.toml")
                .display()
                .to_string()])
            .env(
                "CARGO_TARGET_DIR",
                self.cache_target(side).display().to_string(),
            )
            .env("CARGO_TERM_COLOR", "never");
        c.env_remove = vec![
            "RUSTC_WRAPPER".into(),
            "CARGO_BUILD_RUSTC_WRAPPER".into(),
            "CARGO_BUILD_TARGET_DIR".into(),
        ];
        c.nice = self.opts.nice;
        eprintln!("bench: cargo build --release (cache, {name})");
        proc::run(
            &c,
            &self.log(&format!("build-cache-{name}.log")),
            Duration::from_secs(5400),
            false,
        )?;
        let exe = self
            .cache_target(side)
            .join("release")
            .join(format!("bench-cache-{name}"));
        exe.is_file()
            .then_some(exe.clone())
            .ok_or_else(|| format!("{} was not produced", exe.display()))
    }

    /// Runs the program once with `args`.
    fn cache_run(
        &self,
        side: usize,
        exe: &std::path::Path,
        args: &[String],
        rss: bool,
        server: &Server,
    ) -> Result<Run, String> {
        let cmd = self.client_cmd(exe, args, server)?;
        let log = self.log(&format!(
            "run-cache-{}-{}.log",
            self.sides[side].name,
            args.join("-")
        ));
        let requests_now = || {
            server.counts().get.load(Ordering::SeqCst)
                + server.counts().describe.load(Ordering::SeqCst)
        };
        let before = requests_now();
        let errors = server.counts().other.load(Ordering::SeqCst);
        let usage = proc::run(&cmd, &log, RUN_TIMEOUT, rss)?;
        let requests = requests_now() - before;
        if server.counts().other.load(Ordering::SeqCst) != errors {
            return Err(format!("{}: the server answered errors", cmd.display()));
        }
        let text = fs::read_to_string(&log).map_err(|e| format!("read {}: {e}", log.display()))?;
        let line = text
            .lines()
            .find_map(|l| l.strip_prefix("result "))
            .ok_or_else(|| format!("{}: no result line in {}", cmd.display(), log.display()))?;
        let fields = line
            .split_whitespace()
            .filter_map(|kv| kv.split_once('='))
            .filter_map(|(k, v)| Some((k.to_owned(), v.parse().ok()?)))
            .collect();
        Ok(Run {
            fields,
            requests,
            rss_kib: usage.max_rss_kib,
        })
    }

    /// Every figure of one side.
    fn cache_side(&mut self, side: usize, server: &Server) -> Result<[f64; 12], String> {
        let exe = self.cache_build(side)?;
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (mut p50, mut p99, mut mean, mut one, mut sixteen) =
            (vec![], vec![], vec![], vec![], vec![]);
        let mut hit_requests = 0u64;
        for _ in 0..REPEAT {
            let r = self.cache_run(
                side,
                &exe,
                &args(&["hit", &HIT_SAMPLES.to_string()]),
                false,
                server,
            )?;
            p50.push(r.get("p50_ns")?);
            p99.push(r.get("p99_ns")?);
            mean.push(r.get("mean_ns")?);
            hit_requests = hit_requests.max(r.requests);
            let r = self.cache_run(
                side,
                &exe,
                &args(&["throughput", "1", &GETS_ONE_TASK.to_string()]),
                false,
                server,
            )?;
            one.push(r.get("gets_per_sec")?);
            hit_requests = hit_requests.max(r.requests);
            let r = self.cache_run(
                side,
                &exe,
                &args(&["throughput", "16", &GETS_PER_TASK_16.to_string()]),
                false,
                server,
            )?;
            sixteen.push(r.get("gets_per_sec")?);
            hit_requests = hit_requests.max(r.requests);
        }
        let mut cold = Vec::new();
        for _ in 0..REPEAT {
            let r = self.cache_run(
                side,
                &exe,
                &args(&["cold", &COLD_TASKS.to_string()]),
                false,
                server,
            )?;
            if r.get("ok")? as u64 != COLD_TASKS {
                return Err(format!(
                    "cold run: only {} of {COLD_TASKS} gets succeeded",
                    r.get("ok")?
                ));
            }
            cold.push(r.requests as f64);
        }
        let rss = self.cache_run(
            side,
            &exe,
            &args(&["rss", &RSS_SECRETS.to_string()]),
            true,
            server,
        )?;
        let rss_kib = rss.rss_kib.ok_or("peak RSS not available")? as f64;
        let (tasks, millis, ttl) = EXPIRY;
        let expiry = self.cache_run(
            side,
            &exe,
            &args(&[
                "expiry",
                &tasks.to_string(),
                &millis.to_string(),
                &ttl.to_string(),
            ]),
            false,
            server,
        )?;
        Ok([
            proc::median(p50),
            proc::median(p99),
            proc::median(mean),
            proc::median(one),
            proc::median(sixteen),
            hit_requests as f64,
            proc::median(cold),
            rss_kib,
            rss.requests as f64,
            expiry.requests as f64,
            expiry.get("slowest_us")?,
            expiry.get("gets")?,
        ])
    }

    /// The `cache` measurement: both sides, then the rows.
    pub(super) fn cache(&mut self) {
        let Some(server) = self.start_server() else {
            return;
        };
        let res = self.per_side(|b, side| b.cache_side(side, &server));
        let (tasks, millis, ttl) = EXPIRY;
        let rows: [(String, Unit, Target); 12] = [
            (
                "cache: cached-hit latency, p50".into(),
                Unit::Nanos,
                Target::None,
            ),
            (
                "cache: cached-hit latency, p99".into(),
                Unit::Nanos,
                Target::None,
            ),
            (
                "cache: cached-hit latency, mean".into(),
                Unit::Nanos,
                Target::RatioAtMost(0.2),
            ),
            (
                "cache: cached gets per second, 1 task".into(),
                Unit::PerSecond,
                Target::RatioAtLeast(5.0),
            ),
            (
                "cache: cached gets per second, 16 tasks".into(),
                Unit::PerSecond,
                Target::RatioAtLeast(5.0),
            ),
            (
                "cache: requests per hit run (warm-up + hits)".into(),
                Unit::Count,
                Target::RatioAtMost(1.0),
            ),
            (
                format!(
                    "cache: requests for {} concurrent gets of a cold key",
                    group(COLD_TASKS)
                ),
                Unit::Count,
                Target::RatioBelow(1.0),
            ),
            (
                format!("cache: peak RSS with {} cached secrets", group(RSS_SECRETS)),
                Unit::KiB,
                Target::None,
            ),
            (
                format!(
                    "cache: requests to load {} secrets one by one",
                    group(RSS_SECRETS)
                ),
                Unit::Count,
                Target::RatioAtMost(1.0),
            ),
            (
                format!(
                    "cache: requests, {tasks} tasks reading one key for {} ms, TTL {ttl} ms",
                    group(millis)
                ),
                Unit::Count,
                Target::RatioBelow(1.0),
            ),
            (
                "cache: slowest get in that run".into(),
                Unit::Micros,
                Target::None,
            ),
            ("cache: gets in that run".into(), Unit::Count, Target::None),
        ];
        for (k, (figure, unit, target)) in rows.into_iter().enumerate() {
            self.row(&figure, unit, target, &res, k);
        }
        if let Ok(v) = &res[OURS] {
            eprintln!("bench: cache (ours): {v:?}");
        }
        self.how.push(format!(
            "Cache: `bench/cache-ours` (`secretsmanager-cache` on the generated client) and `bench/cache-reference` (`aws_secretsmanager_caching` on `aws-sdk-secretsmanager`), the same program text around each cache, release builds, a multi-thread tokio runtime with 2 workers on both sides, TTL 1 h (no jitter on our side), max 2,048 entries, against the canned server. Latency: {HIT_SAMPLES} hits of one warm key, each timed with `Instant` (p50, p99; includes ~20-40 ns of timer reads) and the mean of an untimed loop of as many; median of {REPEAT} runs. Throughput: 1 task × {GETS_ONE_TASK} hits, 16 tasks × {GETS_PER_TASK_16}, gets per second over the whole run, median of {REPEAT}. Cold: {COLD_TASKS} tasks released together by a barrier each get one key never read before; requests = GetSecretValue and DescribeSecret calls the server answered (the official cache checks an expired entry with DescribeSecret first; ours only when `describe_check` is on, which it is not here) (median of {REPEAT}). Memory: {RSS_SECRETS} different secrets loaded one by one then read again; peak RSS of the whole process. Expiry: {tasks} tasks read one key in a loop for {millis} ms with a {ttl} ms TTL; requests answered by the server and the slowest single get (a caller waiting for the network shows here; ours refreshes ahead at 80 % of the TTL)."
        ));
    }
}
