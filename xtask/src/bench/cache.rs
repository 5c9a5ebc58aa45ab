//! `cargo xtask bench cache`: `secretsmanager-cache` vs the official `aws_secretsmanager_caching`,
//! each a standalone program (`bench/cache-ours`, `bench/cache-reference`, committed lock files)
//! run against the same canned server in the same run. The programs time themselves (a hit is
//! far below process start-up) and print one `result key=value ...` line; the harness counts the
//! requests the server answered and measures peak RSS and CPU time from outside.
//!
//! The timed runs (latency, throughput) alternate between the two sides, repetition by
//! repetition, so that a change in the load of the shared machine falls on both sides alike
//! instead of on whichever side happened to run during it.

use std::collections::HashMap;
use std::fs;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::proc;
use super::report::{group, Target, Unit};
use super::server::Server;
use super::{Bench, OURS};

/// Repetitions of the timed runs (alternating sides); the median is reported.
const REPEAT: usize = 5;
/// Repetitions of the cold runs (counts, not timings).
const REPEAT_COLD: usize = 3;
/// Hits timed one by one in the latency run, and hits of the untimed loop whose mean is reported.
const HIT_SAMPLES: u64 = 200_000;
const HIT_MEAN_LOOP: u64 = 5_000_000;
/// Hits per task in the throughput runs: enough that a run of the faster side lasts a few
/// hundred milliseconds, far above the cost of starting the tasks and of the scheduling noise
/// of a shared machine (at 500,000 a run of ours lasted 20-40 ms, and the figure swung by 2x
/// from run to run).
const GETS_ONE_TASK: u64 = 5_000_000;
const GETS_PER_TASK_16: u64 = 500_000;
/// Concurrent gets of a cold key.
const COLD_TASKS: u64 = 1000;
/// Secrets held for the memory figure.
const RSS_SECRETS: u64 = 1000;
/// The expiry run: tasks, duration and TTL (ms).
const EXPIRY: (u64, u64, u64) = (16, 2000, 100);
const RUN_TIMEOUT: Duration = Duration::from_secs(600);

/// The timed figures of one side, one value per repetition.
#[derive(Default)]
struct Timed {
    p50: Vec<f64>,
    p99: Vec<f64>,
    mean: Vec<f64>,
    one: Vec<f64>,
    sixteen: Vec<f64>,
    /// CPU seconds of each 1-task run, and of a run making one get.
    one_cpu: Vec<f64>,
    start_cpu: Vec<f64>,
    /// Most requests any hit or throughput run caused.
    requests: u64,
}

/// One run's output: the `result` line's fields, the requests the server answered
/// (GetSecretValue and DescribeSecret), and peak RSS when asked.
struct Run {
    fields: HashMap<String, f64>,
    requests: u64,
    rss_kib: Option<u64>,
    /// User + system CPU seconds of the process.
    cpu: f64,
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
        let c = self.cargo_at(
            &self.cache_dir(side),
            &self.cache_target(side),
            &["build", "--release"],
        );
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
            cpu: usage.cpu,
        })
    }

    /// One repetition of the timed runs of one side, added to `t`.
    fn cache_timed(
        &self,
        side: usize,
        exe: &std::path::Path,
        server: &Server,
        t: &mut Timed,
    ) -> Result<(), String> {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let r = self.cache_run(
            side,
            exe,
            &args(&["hit", &HIT_SAMPLES.to_string(), &HIT_MEAN_LOOP.to_string()]),
            false,
            server,
        )?;
        t.p50.push(r.get("p50_ns")?);
        t.p99.push(r.get("p99_ns")?);
        t.mean.push(r.get("mean_ns")?);
        t.requests = t.requests.max(r.requests);
        let r = self.cache_run(
            side,
            exe,
            &args(&["throughput", "1", &GETS_ONE_TASK.to_string()]),
            false,
            server,
        )?;
        t.one.push(r.get("gets_per_sec")?);
        t.one_cpu.push(r.cpu);
        t.requests = t.requests.max(r.requests);
        let r = self.cache_run(
            side,
            exe,
            &args(&["throughput", "16", &GETS_PER_TASK_16.to_string()]),
            false,
            server,
        )?;
        t.sixteen.push(r.get("gets_per_sec")?);
        t.requests = t.requests.max(r.requests);
        // The same program doing one get: what the 1-task run spends besides the gets.
        let r = self.cache_run(side, exe, &args(&["throughput", "1", "1"]), false, server)?;
        t.start_cpu.push(r.cpu);
        Ok(())
    }

    /// Every figure of one side, the timed ones from `t`.
    fn cache_side(
        &mut self,
        side: usize,
        exe: &std::path::Path,
        server: &Server,
        t: &Timed,
    ) -> Result<[f64; 13], String> {
        let args = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut cold = Vec::new();
        for _ in 0..REPEAT_COLD {
            let r = self.cache_run(
                side,
                exe,
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
            exe,
            &args(&["rss", &RSS_SECRETS.to_string()]),
            true,
            server,
        )?;
        let rss_kib = rss.rss_kib.ok_or("peak RSS not available")? as f64;
        let (tasks, millis, ttl) = EXPIRY;
        let expiry = self.cache_run(
            side,
            exe,
            &args(&[
                "expiry",
                &tasks.to_string(),
                &millis.to_string(),
                &ttl.to_string(),
            ]),
            false,
            server,
        )?;
        let cpu_per_get =
            (proc::median(t.one_cpu.clone()) - proc::median(t.start_cpu.clone())).max(0.0) * 1e9
                / (GETS_ONE_TASK - 1) as f64;
        Ok([
            proc::median(t.p50.clone()),
            proc::median(t.p99.clone()),
            proc::median(t.mean.clone()),
            proc::median(t.one.clone()),
            proc::median(t.sixteen.clone()),
            cpu_per_get,
            t.requests as f64,
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
        let selected = |side: usize| self.opts.only.is_none_or(|o| o == side);
        let mut exes: [Result<PathBuf, String>; 2] = [
            Err("skipped (--only)".to_owned()),
            Err("skipped (--only)".to_owned()),
        ];
        for (side, exe) in exes.iter_mut().enumerate() {
            if selected(side) {
                *exe = self.cache_build(side);
            }
        }
        // Timed runs, alternating sides within each repetition.
        let mut timed: [Result<Timed, String>; 2] = [Ok(Timed::default()), Ok(Timed::default())];
        for _ in 0..REPEAT {
            for side in 0..2 {
                let (Ok(exe), Ok(t)) = (&exes[side], &mut timed[side]) else {
                    continue;
                };
                if let Err(e) = self.cache_timed(side, exe, &server, t) {
                    timed[side] = Err(e);
                }
            }
        }
        let res = self.per_side(|b, side| {
            let exe = exes[side].clone()?;
            let t = timed[side].as_ref().map_err(Clone::clone)?;
            b.cache_side(side, &exe, &server, t)
        });
        let (tasks, millis, ttl) = EXPIRY;
        let rows: [(String, Unit, Target); 13] = [
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
                "cache: CPU time per cached get, 1 task".into(),
                Unit::Nanos,
                Target::None,
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
            "Cache: `bench/cache-ours` (`secretsmanager-cache` on the generated client) and `bench/cache-reference` (`aws_secretsmanager_caching` on `aws-sdk-secretsmanager`), the same program text around each cache, release builds, a multi-thread tokio runtime with 2 workers on both sides, TTL 1 h (no jitter on our side), max 2,048 entries, against the canned server. Latency: {HIT_SAMPLES} hits of one warm key, each timed with `Instant` (p50, p99; includes ~20-40 ns of timer reads) and the mean of an untimed loop of {HIT_MEAN_LOOP}; median of {REPEAT} runs. Throughput: 1 task × {GETS_ONE_TASK} hits, 16 tasks × {GETS_PER_TASK_16}, gets per second over the whole run, median of {REPEAT}. The latency and throughput runs alternate between the sides (each repetition runs ours, then the reference), so that changes in the machine's load fall on both. CPU time per get: user + system CPU of the 1-task run minus that of the same program making one get (start-up, configuration, the first request), divided by the gets; medians of {REPEAT}; much less sensitive to other load than gets per second. Cold: {COLD_TASKS} tasks released together by a barrier each get one key never read before; requests = GetSecretValue and DescribeSecret calls the server answered (the official cache checks an expired entry with DescribeSecret first; ours only when `describe_check` is on, which it is not here) (median of {REPEAT_COLD}). Memory: {RSS_SECRETS} different secrets loaded one by one then read again; peak RSS of the whole process. Expiry: {tasks} tasks read one key in a loop for {millis} ms with a {ttl} ms TTL; requests answered by the server and the slowest single get (a caller waiting for the network shows here; ours refreshes ahead at 80 % of the TTL)."
        ));
    }
}
