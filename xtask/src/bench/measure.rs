//! The measurements themselves, one method per `cargo xtask bench <name>`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use super::proc::{self, Cmd};
use super::report::{Target, Unit};
use super::server::{Server, REQUEST_ID};
use super::{Bench, OURS, REFERENCE};

/// Calls per callgrind run of the serde probe (compared with a 1-call run).
const SERDE_CALLGRIND_CALLS: u64 = 51;
/// Calls per wall-clock run of the serde probe.
const SERDE_WALL_CALLS: u64 = 500;
/// Repetitions of short timed runs; the median is reported.
pub(super) const REPEAT: usize = 3;
/// Time limit for one run of a benchmark program.
pub(super) const RUN_TIMEOUT: Duration = Duration::from_secs(1200);

/// Which server counter a run is expected to move.
#[derive(Clone, Copy)]
enum Op {
    Get,
    List,
    Create,
}

impl Op {
    fn arg(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::List => "list",
            Op::Create => "create",
        }
    }

    fn counter(self, s: &Server) -> &AtomicU64 {
        match self {
            Op::Get => &s.counts().get,
            Op::List => &s.counts().list,
            Op::Create => &s.counts().create,
        }
    }
}

/// How a benchmark program is run.
#[derive(Clone, Copy)]
enum Mode {
    /// Plain; wall time (and peak RSS when asked).
    Plain { rss: bool },
    /// Under callgrind; instruction count.
    Callgrind,
}

impl Bench {
    /// The environment every benchmark program runs with: static credentials, a region, the
    /// canned server as endpoint, no profile files and no IMDS.
    pub(super) fn client_cmd(
        &self,
        exe: &Path,
        args: &[String],
        server: &Server,
    ) -> Result<Cmd, String> {
        self.client_cmd_at(exe, args, &server.url())
    }

    /// [`Bench::client_cmd`] with the endpoint given as a URL (another canned server).
    pub(super) fn client_cmd_at(
        &self,
        exe: &Path,
        args: &[String],
        endpoint: &str,
    ) -> Result<Cmd, String> {
        let aws = self.work.join("aws");
        fs::create_dir_all(&aws).map_err(|e| format!("create {}: {e}", aws.display()))?;
        for f in ["config", "credentials"] {
            fs::write(aws.join(f), "")
                .map_err(|e| format!("write {}: {e}", aws.join(f).display()))?;
        }
        let mut c = Cmd::new(exe.display().to_string())
            .args(args.iter().cloned())
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLEBENCHMARK")
            .env(
                "AWS_SECRET_ACCESS_KEY",
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            )
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_CONFIG_FILE", aws.join("config").display().to_string())
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                aws.join("credentials").display().to_string(),
            );
        c.clear_aws_env = true;
        c.nice = self.opts.nice;
        Ok(c)
    }

    /// Runs a side's program (`bin`, with `op` first for the serde probe) making `n` calls and
    /// checks the server answered exactly `n` requests of that operation.
    fn run_client(
        &self,
        side: usize,
        bin: &str,
        op: Option<Op>,
        n: u64,
        mode: Mode,
        server: &Server,
    ) -> Result<(f64, Option<u64>), String> {
        let exe = self.sides[side].exe(bin);
        let mut args = Vec::new();
        if let Some(op) = op {
            args.push(op.arg().to_owned());
        }
        args.push(n.to_string());
        let cmd = self.client_cmd(&exe, &args, server)?;
        let name = self.sides[side].name;
        let tag = format!("{name}-{bin}-{}-{n}", op.map_or("get", Op::arg));
        let counter = op.unwrap_or(Op::Get).counter(server);
        let before = counter.load(Ordering::SeqCst);
        let errors_before = server.counts().other.load(Ordering::SeqCst);
        let result = match mode {
            Mode::Plain { rss } => {
                let u = proc::run(&cmd, &self.log(&format!("run-{tag}.log")), RUN_TIMEOUT, rss)?;
                (u.wall, u.max_rss_kib)
            }
            Mode::Callgrind => {
                let out = self
                    .work
                    .join("callgrind")
                    .join(format!("callgrind.out.{tag}"));
                fs::create_dir_all(self.work.join("callgrind")).map_err(|e| e.to_string())?;
                let ir = proc::callgrind(
                    &cmd,
                    &out,
                    &self.log(&format!("callgrind-{tag}.log")),
                    RUN_TIMEOUT,
                )?;
                (ir as f64, None)
            }
        };
        let seen = counter.load(Ordering::SeqCst) - before;
        let errors = server.counts().other.load(Ordering::SeqCst) - errors_before;
        if seen != n || errors != 0 {
            return Err(format!("{name} {bin}: expected {n} requests, the server answered {seen} (and {errors} errors)"));
        }
        Ok(result)
    }

    /// a. Cold release build (wall and CPU) from an empty target dir, crates already downloaded.
    pub(super) fn build(&mut self) {
        let res = self.per_side(|b, side| {
            b.fetch(side)?;
            let s = &b.sides[side];
            if s.target.exists() {
                fs::remove_dir_all(&s.target)
                    .map_err(|e| format!("empty {}: {e}", s.target.display()))?;
            }
            eprintln!(
                "bench: cold release build ({}), log in {}",
                s.name,
                b.log(&format!("cold-{}.log", s.name)).display()
            );
            let cmd = b.cargo(side, &["build", "--release", "--offline", "--bin", s.bin]);
            let u = proc::run(
                &cmd,
                &b.log(&format!("cold-{}.log", s.name)),
                Duration::from_secs(5400),
                false,
            )?;
            b.built.insert((side, b.sides[side].bin.to_owned()));
            eprintln!(
                "bench: {}: cold build {:.1} s wall, {:.1} s CPU",
                b.sides[side].name, u.wall, u.cpu
            );
            Ok([u.wall, u.cpu])
        });
        self.row(
            "cold release build, wall",
            Unit::Seconds,
            Target::RatioAtMost(0.33),
            &res,
            0,
        );
        self.row(
            "cold release build, CPU (user+sys)",
            Unit::Seconds,
            Target::RatioAtMost(0.33),
            &res,
            1,
        );
        self.how.push(format!(
            "Cold build: `cargo fetch`, then the target dir is emptied and `cargo build --release --offline --bin <program>` runs with {} parallel jobs (cargo's default). CPU = user+sys of all waited-for child processes (`/proc/self/stat` cutime+cstime). Wall time depends on the machine's load; CPU time much less.",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        ));
    }

    /// b. Incremental rebuild after touching the program's `main.rs` (median of 3).
    pub(super) fn rebuild(&mut self) {
        let res = self.per_side(|b, side| {
            b.ensure_built(side, b.sides[side].bin)?;
            let (mut walls, mut cpus) = (Vec::new(), Vec::new());
            for i in 0..REPEAT {
                let main = b.sides[side].dir.join("src/main.rs");
                touch(&main)?;
                let cmd = b.cargo(
                    side,
                    &[
                        "build",
                        "--release",
                        "--offline",
                        "--bin",
                        b.sides[side].bin,
                    ],
                );
                let u = proc::run(
                    &cmd,
                    &b.log(&format!("rebuild-{}-{i}.log", b.sides[side].name)),
                    Duration::from_secs(3600),
                    false,
                )?;
                walls.push(u.wall);
                cpus.push(u.cpu);
            }
            Ok([proc::median(walls), proc::median(cpus)])
        });
        self.row(
            "incremental rebuild after touching main.rs, wall",
            Unit::Seconds,
            Target::None,
            &res,
            0,
        );
        self.row(
            "incremental rebuild after touching main.rs, CPU",
            Unit::Seconds,
            Target::None,
            &res,
            1,
        );
        self.how.push(format!("Rebuild: mtime of `src/main.rs` set to now, then the same release build; median of {REPEAT}."));
    }

    /// c. Stripped release binary size.
    pub(super) fn size(&mut self) {
        let res = self.per_side(|b, side| {
            let exe = b.ensure_built(side, b.sides[side].bin)?;
            let copy = b.work.join(format!("{}-stripped", b.sides[side].bin));
            fs::copy(&exe, &copy).map_err(|e| format!("copy {}: {e}", exe.display()))?;
            proc::run(
                &Cmd::new("strip").args([copy.display().to_string()]),
                &b.log("strip.log"),
                Duration::from_secs(120),
                false,
            )?;
            let stripped = fs::metadata(&copy).map_err(|e| e.to_string())?.len() as f64;
            let unstripped = fs::metadata(&exe).map_err(|e| e.to_string())?.len() as f64;
            Ok([stripped, unstripped])
        });
        self.row(
            "release binary, stripped",
            Unit::Bytes,
            Target::RatioAtMost(0.33),
            &res,
            0,
        );
        self.row(
            "release binary, not stripped",
            Unit::Bytes,
            Target::None,
            &res,
            1,
        );
        self.how.push("Binary size: the release binary of the minimal program (default release profile of each project), copied and run through `strip`.".into());
    }

    /// d. Instructions per GetSecretValue call (callgrind, N calls minus 1 call).
    pub(super) fn cpu(&mut self) {
        let n = self.opts.callgrind_calls;
        let Some(server) = self.start_server() else {
            return;
        };
        let res = self.per_side(|b, side| {
            let bin = b.sides[side].bin;
            b.ensure_built(side, bin)?;
            let (one, _) = b.run_client(side, bin, None, 1, Mode::Callgrind, &server)?;
            let (many, _) = b.run_client(side, bin, None, n, Mode::Callgrind, &server)?;
            Ok([(many - one) / (n - 1) as f64])
        });
        self.row(
            "CPU per GetSecretValue call (instructions)",
            Unit::Instructions,
            Target::RatioAtMost(0.15),
            &res,
            0,
        );
        self.how.push(format!(
            "CPU per call: `valgrind --tool=callgrind` total instructions of a {n}-call run minus a 1-call run, divided by {}; client process only (the canned server runs inside xtask), one kept-alive connection, current-thread tokio runtime on both sides. Instruction counts do not depend on the machine's load.",
            n - 1
        ));
    }

    /// d. Wall time over N sequential calls (median of 3), and per call.
    pub(super) fn wall(&mut self) {
        let n = self.opts.calls;
        let Some(server) = self.start_server() else {
            return;
        };
        let res = self.per_side(|b, side| {
            let bin = b.sides[side].bin;
            b.ensure_built(side, bin)?;
            let (mut ones, mut manys) = (Vec::new(), Vec::new());
            for _ in 0..REPEAT {
                ones.push(
                    b.run_client(side, bin, None, 1, Mode::Plain { rss: false }, &server)?
                        .0,
                );
                manys.push(
                    b.run_client(side, bin, None, n, Mode::Plain { rss: false }, &server)?
                        .0,
                );
            }
            let (one, many) = (proc::median(ones), proc::median(manys));
            Ok([many, (many - one) / (n - 1) as f64 * 1e6])
        });
        self.row(
            &format!(
                "wall time, {} sequential GetSecretValue calls (whole process)",
                report_count(n)
            ),
            Unit::Seconds,
            Target::None,
            &res,
            0,
        );
        self.row("wall time per call", Unit::Micros, Target::None, &res, 1);
        self.how.push(format!(
            "Wall: the program run with N = {n} and with N = 1 against the canned server on 127.0.0.1, median of {REPEAT} each; per call = (T(N) − T(1)) / (N − 1). Depends on the machine's load."
        ));
    }

    /// f. Peak RSS of the program during N calls.
    pub(super) fn memory(&mut self) {
        let n = self.opts.calls;
        let Some(server) = self.start_server() else {
            return;
        };
        let res = self.per_side(|b, side| {
            let bin = b.sides[side].bin;
            b.ensure_built(side, bin)?;
            let (_, rss) = b.run_client(side, bin, None, n, Mode::Plain { rss: true }, &server)?;
            rss.map(|k| [k as f64])
                .ok_or_else(|| "peak RSS not available".to_owned())
        });
        self.row(
            &format!("peak RSS during {} calls", report_count(n)),
            Unit::KiB,
            Target::None,
            &res,
            0,
        );
        self.how.push(if proc::have_gnu_time() {
            "Peak RSS: GNU time's `%M` (maximum resident set size) of the whole run.".into()
        } else {
            "Peak RSS: `VmHWM` of /proc/<pid>/status sampled every 2 ms until exit (GNU time not installed).".into()
        });
    }

    /// e. (De)serialization: ListSecrets (large response) and CreateSecret (large request), per
    /// call, minus the GetSecretValue per-call cost, in instructions and in wall time.
    pub(super) fn serde(&mut self) {
        let Some(server) = self.start_server() else {
            return;
        };
        let res = self.per_side(|b, side| {
            b.ensure_built(side, "serde")?;
            let per_call_ir = |b: &Bench, op: Op| -> Result<f64, String> {
                let (one, _) =
                    b.run_client(side, "serde", Some(op), 1, Mode::Callgrind, &server)?;
                let (many, _) = b.run_client(
                    side,
                    "serde",
                    Some(op),
                    SERDE_CALLGRIND_CALLS,
                    Mode::Callgrind,
                    &server,
                )?;
                Ok((many - one) / (SERDE_CALLGRIND_CALLS - 1) as f64)
            };
            // Whole-process wall time of `calls` calls, median of REPEAT runs.
            let wall = |b: &Bench, op: Op, calls: u64| -> Result<f64, String> {
                let mut v = Vec::new();
                for _ in 0..REPEAT {
                    v.push(
                        b.run_client(
                            side,
                            "serde",
                            Some(op),
                            calls,
                            Mode::Plain { rss: false },
                            &server,
                        )?
                        .0,
                    );
                }
                Ok(proc::median(v))
            };
            // N calls minus 1 call, so process start-up (which differs a lot between the two
            // sides) cancels out.
            let per_call_wall = |b: &Bench, op: Op| -> Result<f64, String> {
                let many = wall(b, op, SERDE_WALL_CALLS)?;
                let one = wall(b, op, 1)?;
                Ok((many - one) / (SERDE_WALL_CALLS - 1) as f64 * 1e6)
            };
            let (get, list, create) = (
                per_call_ir(b, Op::Get)?,
                per_call_ir(b, Op::List)?,
                per_call_ir(b, Op::Create)?,
            );
            let (wget, wlist, wcreate) = (
                per_call_wall(b, Op::Get)?,
                per_call_wall(b, Op::List)?,
                per_call_wall(b, Op::Create)?,
            );
            Ok([list - get, create - get, wlist - wget, wcreate - wget])
        });
        self.row(
            "deserialize large ListSecrets response (instructions per call)",
            Unit::Instructions,
            Target::RatioAtMost(0.5),
            &res,
            0,
        );
        self.row(
            "serialize large CreateSecret request (instructions per call)",
            Unit::Instructions,
            Target::None,
            &res,
            1,
        );
        self.row(
            "deserialize large ListSecrets response (wall per call)",
            Unit::Micros,
            Target::None,
            &res,
            2,
        );
        self.row(
            "serialize large CreateSecret request (wall per call)",
            Unit::Micros,
            Target::None,
            &res,
            3,
        );
        self.how.push(format!(
            "(De)serialization: each side's `src/bin/serde.rs` calls one operation N times through the client's public API against the canned server. ListSecrets answers with a {} KiB page of 100 entries (every member set, 10 tags, 3-version stage maps); CreateSecret sends 50 tags, 10 replica regions and a 4 KiB secret string. Figure = per-call cost of that operation minus the per-call cost of GetSecretValue in the same binary, so it also includes moving the larger body through HTTP and, for CreateSecret, hashing it for SigV4. Instructions: callgrind, {} calls minus 1 call; wall: median of {REPEAT} whole-process runs of {} calls minus the median of {REPEAT} runs of 1 call, divided by the difference in calls.",
            super::server::list_secrets_body().len() / 1024,
            SERDE_CALLGRIND_CALLS,
            SERDE_WALL_CALLS
        ));
    }

    /// g. Code generation time, Secrets Manager and all models (ours only).
    pub(super) fn codegen(&mut self) {
        let na = || {
            Err("not measured: the reference crate is generated by smithy-rs (Gradle/JVM), not run here".to_owned())
        };
        let ours = |b: &mut Bench| -> Result<[f64; 4], String> {
            let xtask = b.xtask_exe()?;
            let args = |var: &str, default: &str| -> Vec<String> {
                std::env::var(var)
                    .unwrap_or_else(|_| default.to_owned())
                    .split_whitespace()
                    .map(str::to_owned)
                    .collect()
            };
            let with_data = |c: Cmd| -> Cmd {
                let mut c = c;
                for (var, sub) in [
                    ("SMITHY_MODELS_DIR", "models"),
                    ("SMITHY_TESTDATA_DIR", "testdata"),
                ] {
                    if std::env::var_os(var).is_none() {
                        c = c.env(
                            var,
                            b.root.join("../shared").join(sub).display().to_string(),
                        );
                    }
                }
                c.cwd = Some(b.root.clone());
                c
            };
            let sm = with_data(
                Cmd::new(xtask.display().to_string())
                    .args(args("BENCH_CODEGEN_ARGS", "codegen --only secretsmanager")),
            );
            let (mut walls, mut cpus) = (Vec::new(), Vec::new());
            for i in 0..5 {
                let u = proc::run(
                    &sm,
                    &b.log(&format!("codegen-sm-{i}.log")),
                    Duration::from_secs(600),
                    false,
                )?;
                walls.push(u.wall);
                cpus.push(u.cpu);
            }
            let sweep = with_data(
                Cmd::new(xtask.display().to_string())
                    .args(args("BENCH_SWEEP_ARGS", "sweep --no-compile")),
            );
            let (mut all_walls, mut all_cpus) = (Vec::new(), Vec::new());
            for i in 0..3 {
                let all = proc::run(
                    &sweep,
                    &b.log(&format!("codegen-sweep-{i}.log")),
                    Duration::from_secs(3600),
                    false,
                )?;
                all_walls.push(all.wall);
                all_cpus.push(all.cpu);
            }
            Ok([
                proc::median(walls),
                proc::median(cpus),
                proc::median(all_walls),
                proc::median(all_cpus),
            ])
        };
        let res = if self.opts.only == Some(REFERENCE) {
            [Err("skipped (--only)".to_owned()), na()]
        } else {
            [ours(self), na()]
        };
        if let Err(e) = &res[OURS] {
            eprintln!("bench: codegen failed: {e}");
        }
        self.row(
            "code generation, Secrets Manager (wall)",
            Unit::Seconds,
            Target::OursBelow(0.2),
            &res,
            0,
        );
        self.row(
            "code generation, Secrets Manager (CPU)",
            Unit::Seconds,
            Target::None,
            &res,
            1,
        );
        self.row(
            "code generation, all models (wall)",
            Unit::Seconds,
            Target::OursBelow(20.0),
            &res,
            2,
        );
        self.row(
            "code generation, all models (CPU)",
            Unit::Seconds,
            Target::None,
            &res,
            3,
        );
        self.how.push(
            format!(
                "Codegen: the xtask binary running this benchmark ({} profile; `cargo xtask` builds the dev profile, in which the workspace optimises `codegen` and `xtask` at opt-level 3), run directly so cargo is not in the timing: `xtask codegen --only secretsmanager` (median of 5; `BENCH_CODEGEN_ARGS` overrides the arguments) and `xtask sweep --no-compile` (median of 3; `BENCH_SWEEP_ARGS`); whole process, including reading the models and writing files.",
                if std::env::current_exe().is_ok_and(|p| p.components().any(|c| c.as_os_str() == "release")) { "release" } else { "dev" }
            ),
        );
    }

    /// g. Lines of generated code: ours vs the reference crate's `src`.
    pub(super) fn loc(&mut self) {
        let res = self.per_side(|b, side| {
            let dir = if side == OURS {
                b.root.join("generated/secretsmanager/src")
            } else {
                b.reference_src()?
            };
            let (all, code) = count_lines(&dir)?;
            Ok([all as f64, code as f64])
        });
        self.row(
            "generated code for Secrets Manager, lines",
            Unit::Lines,
            Target::None,
            &res,
            0,
        );
        self.row(
            "generated code for Secrets Manager, lines without blanks/comments",
            Unit::Lines,
            Target::None,
            &res,
            1,
        );
        self.how.push("Lines: every `.rs` file under `generated/secretsmanager/src` vs under the resolved `aws-sdk-secretsmanager` crate's `src` in cargo's registry; the second row drops blank lines and lines starting with `//` (doc comments included).".into());
    }

    /// The canned server, or a row-less failure message.
    pub(super) fn start_server(&mut self) -> Option<Server> {
        match Server::start() {
            Ok(s) => {
                eprintln!(
                    "bench: canned server on {} (request id {REQUEST_ID})",
                    s.url()
                );
                Some(s)
            }
            Err(e) => {
                eprintln!("bench: cannot start the canned server: {e}");
                self.how
                    .push(format!("(canned server failed to start: {e})"));
                None
            }
        }
    }

    /// A copy of the xtask binary running this benchmark (what `cargo xtask codegen` runs), taken
    /// through `/proc/self/exe` so a concurrent rebuild of the shared target dir cannot pull it away.
    fn xtask_exe(&self) -> Result<PathBuf, String> {
        let copy = self.work.join("xtask-for-codegen");
        fs::copy("/proc/self/exe", &copy)
            .map_err(|e| format!("copy the running xtask binary to {}: {e}", copy.display()))?;
        Ok(copy)
    }

    /// `src` of the `aws-sdk-secretsmanager` version resolved in the reference lock file.
    fn reference_src(&mut self) -> Result<PathBuf, String> {
        let lock = self.sides[REFERENCE].dir.join("Cargo.lock");
        if !lock.is_file() {
            self.fetch(REFERENCE)?;
        }
        let versions = super::report::lock_versions(&lock, &["aws-sdk-secretsmanager"]);
        let version = versions.first().map(|(_, v)| v.clone()).unwrap_or_default();
        let home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
            .ok_or("neither CARGO_HOME nor HOME is set")?;
        let find = |home: &Path| -> Option<PathBuf> {
            fs::read_dir(home.join("registry/src"))
                .ok()?
                .flatten()
                .map(|e| {
                    e.path()
                        .join(format!("aws-sdk-secretsmanager-{version}/src"))
                })
                .find(|p| p.is_dir())
        };
        if let Some(p) = find(&home) {
            return Ok(p);
        }
        self.fetch(REFERENCE)?;
        find(&home).ok_or_else(|| {
            format!(
                "aws-sdk-secretsmanager-{version} not found under {}/registry/src",
                home.display()
            )
        })
    }
}

/// 2000 → "2,000".
fn report_count(n: u64) -> String {
    super::report::group(n)
}

/// Sets a file's modification time to now.
pub(super) fn touch(path: &Path) -> Result<(), String> {
    let f = fs::OpenOptions::new()
        .append(true)
        .open(path)
        .map_err(|e| format!("open {}: {e}", path.display()))?;
    f.set_modified(SystemTime::now())
        .map_err(|e| format!("touch {}: {e}", path.display()))
}

/// (all lines, lines that are neither blank nor `//` comments) of every `.rs` file under `dir`.
fn count_lines(dir: &Path) -> Result<(u64, u64), String> {
    if !dir.is_dir() {
        return Err(format!("{} does not exist", dir.display()));
    }
    let (mut all, mut code) = (0, 0);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)
            .map_err(|e| format!("read {}: {e}", d.display()))?
            .flatten()
        {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text =
                    fs::read_to_string(&p).map_err(|e| format!("read {}: {e}", p.display()))?;
                for l in text.lines() {
                    all += 1;
                    let t = l.trim_start();
                    if !t.is_empty() && !t.starts_with("//") {
                        code += 1;
                    }
                }
            }
        }
    }
    Ok((all, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_recursively() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-loc-{}", std::process::id()));
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("a.rs"), "//! doc\n\nfn a() {}\n").unwrap();
        fs::write(dir.join("sub/b.rs"), "    // c\nstruct B;\n").unwrap();
        fs::write(dir.join("sub/c.txt"), "ignored\n").unwrap();
        assert_eq!(count_lines(&dir).unwrap(), (5, 2));
        assert!(count_lines(&dir.join("missing")).is_err());
        let _ = fs::remove_dir_all(dir);
    }
}
