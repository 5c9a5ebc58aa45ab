//! `cargo xtask bench scale` and `cargo xtask bench typecheck` (issue 16): how our generated
//! crates scale with the size of the service.
//!
//! `scale`: for one big service per protocol family, a minimal program on our crate and the same
//! program on the official crate (standalone cargo projects under `bench/scale/`, one per service
//! and side, each with its own lock file, so a program's build holds only its own service crate):
//! cold release build (wall, CPU), rebuild after touching `main.rs` (median of 3) and the stripped
//! release binary. Plus "compile only what you call": the S3 program built against our crate with
//! only the three operations it calls enabled (`bench/scale/ours-s3-min`), against the same
//! program on `aws-sdk-s3`. And the floor under both: a program with no AWS code that builds
//! only the third-party crates every program on our crates builds, on the runtime's versions and
//! features (`bench/scale/floor`), against the same S3 reference, so the report shows how much of
//! the three-operation build no change to our code can remove.
//!
//! `typecheck`: `cargo check` of the largest generated crates (by generated lines over every
//! shared model), ours only.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::proc::{self, Cmd, Usage};
use super::report::{Row, Target, Unit};
use super::{Bench, OURS, REFERENCE};

/// Cold-build and binary-size target for each big service (ratio ours / official).
const SCALE_TARGET: f64 = 0.25;
/// Cold-build target of the program built with only the operations it calls.
const MIN_BUILD_TARGET: f64 = 0.10;
/// Rebuild repetitions (the median is reported).
const REPEAT: usize = 3;
/// How many of the largest generated crates `typecheck` measures.
const TYPECHECK_LARGEST: usize = 3;
/// Time limit of one build.
const BUILD_TIMEOUT: Duration = Duration::from_secs(5400);

/// One standalone program under `bench/scale/`.
#[derive(Clone, Copy, Debug)]
struct Program {
    /// Its directory under `bench/scale/`; also its binary's name after `scale-`.
    dir: &'static str,
    /// The source file `rebuild` touches, relative to the project directory.
    main: &'static str,
}

impl Program {
    const fn new(dir: &'static str) -> Program {
        Program {
            dir,
            main: "src/main.rs",
        }
    }

    fn bin(&self) -> String {
        format!("scale-{}", self.dir)
    }
}

/// A compared pair: a service (or variant) with our program and the reference program.
#[derive(Clone, Copy, Debug)]
struct Pair {
    /// Selection key (`BENCH_SCALE_SERVICES`).
    key: &'static str,
    /// How the rows name it.
    label: &'static str,
    ours: Program,
    reference: Program,
}

/// Every pair, in the order the measurement runs them. `s3-min` reuses the `s3` reference
/// program (the same source as both S3 programs of ours), measured once per run.
const PAIRS: &[Pair] = &[
    Pair {
        key: "dynamodb",
        label: "DynamoDB (awsJson 1.0, GetItem)",
        ours: Program::new("ours-dynamodb"),
        reference: Program::new("reference-dynamodb"),
    },
    Pair {
        key: "s3",
        label: "S3 (restXml, PutObject + GetObject + ListObjectsV2)",
        ours: Program::new("ours-s3"),
        reference: Program::new("reference-s3"),
    },
    Pair {
        key: "iam",
        label: "IAM (awsQuery, GetUser)",
        ours: Program::new("ours-iam"),
        reference: Program::new("reference-iam"),
    },
    Pair {
        key: "connect",
        label: "Connect (restJson1, DescribeInstance)",
        ours: Program::new("ours-connect"),
        reference: Program::new("reference-connect"),
    },
    Pair {
        key: "s3-min",
        label: "S3 program, ours with only its 3 operations enabled",
        ours: Program {
            dir: "ours-s3-min",
            main: "../ours-s3/src/main.rs",
        },
        reference: Program::new("reference-s3"),
    },
    Pair {
        key: "floor",
        label: "Floor: no AWS code, only the dependency stack (tokio, rustls on ring, ML-KEM-768, http), one HTTPS GET",
        ours: Program::new("floor"),
        reference: Program::new("reference-s3"),
    },
];

/// The official crates whose resolved versions the report lists.
const SCALE_REFERENCE_CRATES: &[(&str, &str)] = &[
    ("reference-dynamodb", "aws-sdk-dynamodb"),
    ("reference-s3", "aws-sdk-s3"),
    ("reference-iam", "aws-sdk-iam"),
    ("reference-connect", "aws-sdk-connect"),
];

/// What one program cost: cold build, rebuild, binary.
#[derive(Clone, Copy, Debug)]
struct Figures {
    cold: Usage,
    rebuild_wall: f64,
    rebuild_cpu: f64,
    stripped: f64,
    unstripped: f64,
}

/// The pairs `BENCH_SCALE_SERVICES` (comma-separated keys) selects; all of them when unset.
fn select_pairs(spec: Option<&str>) -> Result<Vec<Pair>, String> {
    let Some(spec) = spec.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(PAIRS.to_vec());
    };
    let mut out = Vec::new();
    for k in spec.split(',').map(str::trim).filter(|k| !k.is_empty()) {
        let p = PAIRS.iter().find(|p| p.key == k).ok_or_else(|| {
            format!(
                "BENCH_SCALE_SERVICES: unknown {k:?} (expected some of {})",
                PAIRS.iter().map(|p| p.key).collect::<Vec<_>>().join(", ")
            )
        })?;
        if !out.iter().any(|x: &Pair| x.key == k) {
            out.push(*p);
        }
    }
    Ok(out)
}

/// A failure reduced to what fits a footnote: the first line, plus the first `error` line of
/// the log tail that follows it (cargo's reason).
fn short_error(e: &str) -> String {
    let mut lines = e.lines();
    let first = lines.next().unwrap_or_default().trim().to_owned();
    match lines
        .map(str::trim)
        .find(|l| l.starts_with("error") && !l.starts_with("error: could not compile"))
    {
        Some(reason) => format!("{first}: {reason}"),
        None => first,
    }
}

/// Number of crates cargo compiled or checked in a build log (`Compiling x`/`Checking x` lines).
fn crates_built(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|l| {
            let l = l.trim_start();
            l.strip_prefix("Checking ")
                .or_else(|| l.strip_prefix("Compiling "))
                .and_then(|r| r.split_whitespace().next())
                .map(str::to_owned)
        })
        .collect()
}

/// The generated crate of the Connect model: `sweep_connect` among the model files.
fn connect_model(models: &Path) -> Result<PathBuf, String> {
    crate::sweep::model_files(models)?
        .into_iter()
        .find(|f| crate::sweep::crate_name_for(f) == "sweep_connect")
        .ok_or_else(|| format!("no connect-*.json model under {}", models.display()))
}

/// Sum of lines over every file of a generated crate.
fn generated_lines(g: &codegen::Generated) -> usize {
    g.files.values().map(|t| t.lines().count()).sum()
}

/// Keeps the `n` largest `(lines, name)` entries, largest first.
fn keep_largest(top: &mut Vec<(usize, String)>, lines: usize, name: &str, n: usize) {
    top.push((lines, name.to_owned()));
    top.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    top.truncate(n);
}

/// The `[name]` table of a TOML file, header included, up to the next table header.
fn toml_table(text: &str, header: &str) -> Option<String> {
    let mut out = String::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            if inside {
                break;
            }
            inside = t == header;
        }
        if inside {
            out.push_str(line);
            out.push('\n');
        }
    }
    inside.then_some(out)
}

/// Copies the tree `from` to `to`, leaving out entries named in `skip` (at any depth).
fn copy_tree(from: &Path, to: &Path, skip: &[&str]) -> Result<(), String> {
    fs::create_dir_all(to).map_err(|e| format!("create {}: {e}", to.display()))?;
    for e in fs::read_dir(from).map_err(|e| format!("read {}: {e}", from.display()))? {
        let e = e.map_err(|e| format!("read {}: {e}", from.display()))?;
        let name = e.file_name();
        if skip.iter().any(|s| name.as_os_str() == *s) {
            continue;
        }
        let (src, dst) = (e.path(), to.join(&name));
        if e.file_type().map_err(|e| e.to_string())?.is_dir() {
            copy_tree(&src, &dst, skip)?;
        } else {
            fs::copy(&src, &dst).map_err(|e| format!("copy {}: {e}", src.display()))?;
        }
    }
    Ok(())
}

impl Bench {
    /// Versions of the official crates resolved in the scale projects' lock files.
    pub(super) fn scale_versions(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        for (dir, krate) in SCALE_REFERENCE_CRATES {
            let lock = self.root.join("bench/scale").join(dir).join("Cargo.lock");
            for (k, ver) in super::report::lock_versions(&lock, &[krate]) {
                v.push((format!("reference (scale): {k}"), ver));
            }
        }
        v
    }

    /// The run's copy of the sources the scale programs build from (see [`Bench::scale_snapshot`]).
    fn scale_src(&self) -> PathBuf {
        self.work.join("scale-src")
    }

    fn scale_dir(&self, p: &Program) -> PathBuf {
        self.scale_src().join("bench/scale").join(p.dir)
    }

    /// Copies what the programs build from (the runtime, the generated crates they use and
    /// `bench/scale`) into the work dir, with a root manifest giving the runtime its inherited
    /// package fields, so edits made in the shared checkout while the run lasts cannot change what
    /// is measured (nor make a rebuild recompile the runtime).
    fn scale_snapshot(&self) -> Result<(), String> {
        let snap = self.scale_src();
        if snap.exists() {
            fs::remove_dir_all(&snap).map_err(|e| format!("empty {}: {e}", snap.display()))?;
        }
        let skip = ["target", "connect"];
        copy_tree(&self.root.join("runtime"), &snap.join("runtime"), &skip)?;
        for c in ["dynamodb", "s3", "iam"] {
            let rel = format!("generated/{c}");
            copy_tree(&self.root.join(&rel), &snap.join(&rel), &skip)?;
        }
        copy_tree(
            &self.root.join("bench/scale"),
            &snap.join("bench/scale"),
            &skip,
        )?;
        let root_toml = fs::read_to_string(self.root.join("Cargo.toml"))
            .map_err(|e| format!("read the root Cargo.toml: {e}"))?;
        let package = toml_table(&root_toml, "[workspace.package]")
            .ok_or("the root Cargo.toml has no [workspace.package]")?;
        fs::write(
            snap.join("Cargo.toml"),
            format!("# Copy for `cargo xtask bench scale`.\n[workspace]\nresolver = \"2\"\nmembers = [\"runtime\"]\nexclude = [\"bench\", \"generated\"]\n\n{package}"),
        )
        .map_err(|e| format!("write {}: {e}", snap.join("Cargo.toml").display()))?;
        eprintln!("bench: sources copied to {}", snap.display());
        Ok(())
    }

    fn scale_target(&self, p: &Program) -> PathBuf {
        self.work.join("scale-target").join(p.dir)
    }

    /// The shared models directory: `SMITHY_MODELS_DIR`, else `../shared/models`.
    fn models_dir(&self) -> PathBuf {
        std::env::var_os("SMITHY_MODELS_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| self.root.join("../shared/models"))
    }

    /// Generates our Connect crate into `bench/scale/ours-connect/connect` (ignored by git).
    fn generate_connect(&self) -> Result<(), String> {
        let model = connect_model(&self.models_dir())?;
        let g = crate::sweep::generate_model(&model, "connect", "../../../../runtime")?;
        let dir = self.scale_src().join("bench/scale/ours-connect/connect");
        codegen::write::write_tree(&dir, &g.files, false)
            .map_err(|e| format!("write {}: {e}", dir.display()))?;
        eprintln!(
            "bench: generated {} ({} lines) into {}",
            model.display(),
            generated_lines(&g),
            dir.display()
        );
        Ok(())
    }

    /// Cold build, rebuild (median of 3) and binary size of one program.
    fn scale_program(&self, p: &Program) -> Result<Figures, String> {
        let dir = self.scale_dir(p);
        if !dir.join("Cargo.toml").is_file() {
            return Err(format!("{} is missing", dir.join("Cargo.toml").display()));
        }
        if p.dir == "ours-connect" {
            self.generate_connect()?;
        }
        let target = self.scale_target(p);
        let bin = p.bin();
        eprintln!("bench: cargo fetch ({})", p.dir);
        proc::run(
            &self.cargo_at(&dir, &target, &["fetch"]),
            &self.log(&format!("scale-fetch-{}.log", p.dir)),
            Duration::from_secs(1800),
            false,
        )?;
        // A project measured for the first time: keep the lock file the fetch wrote.
        let lock = self.root.join("bench/scale").join(p.dir).join("Cargo.lock");
        if !lock.exists() {
            let _ = fs::copy(dir.join("Cargo.lock"), &lock);
        }
        if target.exists() {
            fs::remove_dir_all(&target).map_err(|e| format!("empty {}: {e}", target.display()))?;
        }
        let build = ["build", "--release", "--offline", "--bin", bin.as_str()];
        let cold_log = self.log(&format!("scale-cold-{}.log", p.dir));
        eprintln!(
            "bench: cold release build ({}), log in {}",
            p.dir,
            cold_log.display()
        );
        let cold = proc::run(
            &self.cargo_at(&dir, &target, &build),
            &cold_log,
            BUILD_TIMEOUT,
            false,
        )?;
        eprintln!(
            "bench: {}: cold build {:.1} s wall, {:.1} s CPU",
            p.dir, cold.wall, cold.cpu
        );
        let (mut walls, mut cpus) = (Vec::new(), Vec::new());
        for i in 0..REPEAT {
            super::measure::touch(&dir.join(p.main))?;
            let u = proc::run(
                &self.cargo_at(&dir, &target, &build),
                &self.log(&format!("scale-rebuild-{}-{i}.log", p.dir)),
                BUILD_TIMEOUT,
                false,
            )?;
            walls.push(u.wall);
            cpus.push(u.cpu);
        }
        let exe = target.join("release").join(&bin);
        let copy = self.work.join(format!("{bin}-stripped"));
        fs::copy(&exe, &copy).map_err(|e| format!("copy {}: {e}", exe.display()))?;
        proc::run(
            &Cmd::new("strip").args([copy.display().to_string()]),
            &self.log("scale-strip.log"),
            Duration::from_secs(120),
            false,
        )?;
        let size = |f: &Path| -> Result<f64, String> {
            Ok(fs::metadata(f)
                .map_err(|e| format!("{}: {e}", f.display()))?
                .len() as f64)
        };
        let f = Figures {
            cold,
            rebuild_wall: proc::median(walls),
            rebuild_cpu: proc::median(cpus),
            stripped: size(&copy)?,
            unstripped: size(&exe)?,
        };
        eprintln!(
            "bench: {}: rebuild {:.1} s wall, stripped binary {} bytes",
            p.dir, f.rebuild_wall, f.stripped
        );
        Ok(f)
    }

    /// `scale`: every selected pair; the rows of each pair follow its measurement.
    pub(super) fn scale(&mut self) {
        let pairs = match select_pairs(std::env::var("BENCH_SCALE_SERVICES").ok().as_deref()) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("bench: {e}");
                self.how.push(format!("(scale not measured: {e})"));
                return;
            }
        };
        if let Err(e) = self.scale_snapshot() {
            eprintln!("bench: {e}");
            self.how.push(format!("(scale not measured: {e})"));
            return;
        }
        let mut done: HashMap<&'static str, Result<Figures, String>> = HashMap::new();
        for pair in &pairs {
            let mut res: [Result<Figures, String>; 2] = [
                Err("skipped (--only)".to_owned()),
                Err("skipped (--only)".to_owned()),
            ];
            for (side, p) in [(OURS, &pair.ours), (REFERENCE, &pair.reference)] {
                if self.opts.only.is_some_and(|o| o != side) {
                    continue;
                }
                let r = match done.get(p.dir) {
                    Some(r) => r.clone(),
                    None => {
                        eprintln!("bench: == scale: {} ==", p.dir);
                        let r = self.scale_program(p).map_err(|e| {
                            eprintln!("bench: {} failed: {e}", p.dir);
                            short_error(&e)
                        });
                        done.insert(p.dir, r.clone());
                        r
                    }
                };
                res[side] = r;
            }
            let full_s3 = done
                .get("ours-s3")
                .and_then(|r| r.as_ref().ok())
                .map(|f| f.stripped);
            self.scale_rows(pair, &res, full_s3);
        }
        self.how.push(format!(
            "Scale (issue 16): for each service a minimal program on our generated crate and the same program on the official crate, each a standalone project under `bench/scale/` with its own lock file (so a program's build holds only its own service crate); both build a client from the environment (`Config::loader()` / `aws_config::from_env()`) with the endpoint URL from the first argument and make the calls named in the row. Cold build, rebuild and binary size as above (`cargo fetch`, empty target dir, `cargo build --release --offline --bin <program>` with {} jobs; rebuild = touch `main.rs`, median of {REPEAT}; binary through `strip`). The runtime, `generated/{{dynamodb,s3,iam}}` and `bench/scale` are copied into the work dir at the start of the run and built from there (edits in the checkout during the run cannot leak in); our Connect crate is generated from `connect-2017-08-08.json` into that copy's `bench/scale/ours-connect/connect` by the harness. The 3-operation rows build the S3 program with `default-features = false, features = [\"get_object\", \"put_object\", \"list_objects_v2\"]` on our crate (`bench/scale/ours-s3-min`); its reference is the same S3 program on `aws-sdk-s3` (measured once); its binary target is to be smaller than our all-operations S3 binary. The floor rows build `bench/scale/floor`: no AWS code, only the third-party crates our runtime depends on, at the versions of `ours-s3-min`'s lock file and with the runtime's features, plus tokio's `macros` as in every program; it loads the system's root certificates, makes an ML-KEM-768 round trip and sends one HTTPS GET through tokio-rustls. Its ratio to the S3 reference is the least any program on this stack can reach.",
            std::env::var("CARGO_BUILD_JOBS").unwrap_or_else(|_| std::thread::available_parallelism()
                .map_or(0, |n| n.get())
                .to_string())
        ));
    }

    fn scale_rows(
        &mut self,
        pair: &Pair,
        res: &[Result<Figures, String>; 2],
        full_s3: Option<f64>,
    ) {
        let min = pair.key == "s3-min";
        let floor = pair.key == "floor";
        let build_target = Target::RatioAtMost(if min { MIN_BUILD_TARGET } else { SCALE_TARGET });
        let size_target = if min {
            full_s3.map_or(Target::None, Target::OursBelow)
        } else {
            Target::RatioAtMost(SCALE_TARGET)
        };
        type Pick = fn(&Figures) -> f64;
        let figures: [(&str, Unit, Target, Pick); 6] = [
            (
                "cold release build, wall",
                Unit::Seconds,
                build_target,
                |f| f.cold.wall,
            ),
            (
                "cold release build, CPU",
                Unit::Seconds,
                build_target,
                |f| f.cold.cpu,
            ),
            (
                "rebuild after touching main.rs, wall",
                Unit::Seconds,
                Target::None,
                |f| f.rebuild_wall,
            ),
            (
                "rebuild after touching main.rs, CPU",
                Unit::Seconds,
                Target::None,
                |f| f.rebuild_cpu,
            ),
            ("release binary, stripped", Unit::Bytes, size_target, |f| {
                f.stripped
            }),
            (
                "release binary, not stripped",
                Unit::Bytes,
                Target::None,
                |f| f.unstripped,
            ),
        ];
        for (what, unit, target, pick) in figures {
            // The floor is a yardstick, not a product: its cold build and binary only.
            if floor && !matches!(what, "cold release build, CPU" | "release binary, stripped") {
                continue;
            }
            let target = if floor { Target::None } else { target };
            let cell = |r: &Result<Figures, String>| r.as_ref().map(pick).map_err(Clone::clone);
            self.rows.push(Row {
                figure: format!("{}: {what}", pair.label),
                unit,
                ours: cell(&res[OURS]),
                reference: cell(&res[REFERENCE]),
                target,
            });
        }
    }

    /// `typecheck`: generates every shared model in memory (two threads), keeps the
    /// [`TYPECHECK_LARGEST`] largest by generated lines (or the `BENCH_TYPECHECK_MODELS` list of
    /// `sweep_<name>` crates), writes them into a scratch workspace under the work dir and times
    /// a non-incremental `cargo check` of each, after an untimed check of the smallest model's
    /// crate has checked the runtime and its dependencies.
    pub(super) fn typecheck(&mut self) {
        let res = self.typecheck_ours();
        let crates = match res {
            Ok(c) => c,
            Err(e) => {
                eprintln!("bench: typecheck failed: {e}");
                let e = short_error(&e);
                for what in ["wall", "CPU"] {
                    self.rows.push(Row {
                        figure: format!(
                            "type-check (`cargo check`) of the largest generated crates, {what}"
                        ),
                        unit: Unit::Seconds,
                        ours: Err(e.clone()),
                        reference: Err(e.clone()),
                        target: Target::None,
                    });
                }
                return;
            }
        };
        let na = "not measured: the official crates are not type-checked here (only a full build compares)".to_owned();
        let mut others = Vec::new();
        for (name, lines, res) in &crates {
            let svc = name.trim_start_matches("sweep_");
            let cell = |k: usize| match res {
                Ok((u, _)) => Ok([u.wall, u.cpu][k]),
                Err(e) => Err(short_error(e)),
            };
            for (k, what) in ["wall", "CPU"].into_iter().enumerate() {
                self.rows.push(Row {
                    figure: format!(
                        "type-check (`cargo check`) of generated {svc} ({} lines), {what}",
                        super::report::group(*lines as u64)
                    ),
                    unit: Unit::Seconds,
                    ours: cell(k),
                    reference: Err(na.clone()),
                    target: Target::None,
                });
            }
            if let Ok((_, built)) = res {
                if built.len() != 1 {
                    others.push(format!("{name}: {}", built.join(" ")));
                }
            }
        }
        self.how.push(format!(
            "Type-check: every shared model generated in memory, the {TYPECHECK_LARGEST} crates with the most generated lines (all files) written to a scratch workspace in the work dir with a copy of the runtime taken at the start; an untimed `cargo check` of the smallest model's crate first checks the runtime and its dependencies, then each crate is checked alone with `CARGO_INCREMENTAL=0` (wall and user+sys CPU of the cargo process tree, one run each).{}",
            if others.is_empty() {
                " Each timed check compiled only the generated crate itself.".to_owned()
            } else {
                format!(" Timed checks that also checked other crates: {}.", others.join("; "))
            }
        ));
    }

    /// `(crate, lines, Ok((usage, crates the timed check compiled)))` of each measured crate.
    #[allow(clippy::type_complexity)]
    fn typecheck_ours(
        &mut self,
    ) -> Result<Vec<(String, usize, Result<(Usage, Vec<String>), String>)>, String> {
        if self.opts.only == Some(REFERENCE) {
            return Err("skipped (--only)".into());
        }
        let models = self.models_dir();
        let files = crate::sweep::model_files(&models)?;
        let wanted: Option<Vec<String>> = std::env::var("BENCH_TYPECHECK_MODELS").ok().map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        });
        // The crates use a copy of the runtime inside the scratch workspace (edits in the
        // checkout during the run cannot leak in).
        let runtime = "../runtime".to_owned();
        let smallest = files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "json"))
            .min_by_key(|f| fs::metadata(f).map_or(u64::MAX, |m| m.len()))
            .ok_or("no JSON model to warm up with")?
            .clone();
        let candidates: Vec<&PathBuf> = files
            .iter()
            .filter(|f| {
                wanted
                    .as_ref()
                    .is_none_or(|w| w.contains(&crate::sweep::crate_name_for(f)))
            })
            .collect();
        if let Some(w) = &wanted {
            if candidates.len() != w.len() {
                return Err(format!(
                    "BENCH_TYPECHECK_MODELS={}: not every name is a sweep crate of {}",
                    w.join(","),
                    models.display()
                ));
            }
        }
        let n = wanted.as_ref().map_or(TYPECHECK_LARGEST, Vec::len);
        eprintln!(
            "bench: generating {} models to rank them by generated lines",
            candidates.len()
        );
        // Rank in parallel, keep only (lines, name); regenerate the winners to write them.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let top = std::sync::Mutex::new(Vec::<(usize, String)>::new());
        let failed = std::sync::Mutex::new(Vec::<String>::new());
        std::thread::scope(|s| {
            for _ in 0..std::thread::available_parallelism().map_or(2, usize::from) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(f) = candidates.get(i) else { break };
                    let name = crate::sweep::crate_name_for(f);
                    match crate::sweep::generate_model(f, &name, &runtime) {
                        Ok(g) => keep_largest(
                            &mut top.lock().unwrap_or_else(|e| e.into_inner()),
                            generated_lines(&g),
                            &name,
                            n,
                        ),
                        Err(e) => failed.lock().unwrap_or_else(|e| e.into_inner()).push(e),
                    }
                });
            }
        });
        let failed = failed.into_inner().unwrap_or_else(|e| e.into_inner());
        if !failed.is_empty() {
            return Err(format!(
                "{} model(s) failed to generate; first: {}",
                failed.len(),
                failed[0]
            ));
        }
        let top = top.into_inner().unwrap_or_else(|e| e.into_inner());
        let ws = self.work.join("typecheck");
        if ws.exists() {
            fs::remove_dir_all(&ws).map_err(|e| format!("empty {}: {e}", ws.display()))?;
        }
        copy_tree(&self.root.join("runtime"), &ws.join("runtime"), &["target"])?;
        let root_toml = fs::read_to_string(self.root.join("Cargo.toml"))
            .map_err(|e| format!("read the root Cargo.toml: {e}"))?;
        let package = toml_table(&root_toml, "[workspace.package]")
            .ok_or("the root Cargo.toml has no [workspace.package]")?;
        let warm = crate::sweep::crate_name_for(&smallest);
        let mut members = vec!["runtime".to_owned(), warm.clone()];
        for (path, name) in
            std::iter::once((&smallest, &warm)).chain(top.iter().filter_map(|(_, name)| {
                files
                    .iter()
                    .find(|f| &crate::sweep::crate_name_for(f) == name)
                    .map(|f| (f, name))
            }))
        {
            let g = crate::sweep::generate_model(path, name, &runtime)?;
            let dir = ws.join(name);
            codegen::write::write_tree(&dir, &g.files, false)
                .map_err(|e| format!("write {}: {e}", dir.display()))?;
            if !members.contains(name) {
                members.push(name.clone());
            }
        }
        let quoted: Vec<String> = members.iter().map(|m| format!("\"{m}\"")).collect();
        fs::write(
            ws.join("Cargo.toml"),
            format!(
                "[workspace]\nresolver = \"2\"\nmembers = [{}]\n\n{package}",
                quoted.join(", ")
            ),
        )
        .map_err(|e| e.to_string())?;
        let target = self.work.join("typecheck-target");
        if target.exists() {
            fs::remove_dir_all(&target).map_err(|e| format!("empty {}: {e}", target.display()))?;
        }
        let check = |b: &Bench, name: &str, log: &Path| -> Result<Usage, String> {
            let c = b
                .cargo_at(&ws, &target, &["check", "-p", name])
                .env("CARGO_INCREMENTAL", "0");
            proc::run(&c, log, BUILD_TIMEOUT, false)
        };
        eprintln!("bench: type-check warm-up ({warm}: runtime and dependencies)");
        check(self, &warm, &self.log("typecheck-warmup.log"))?;
        let mut out = Vec::new();
        for (lines, name) in &top {
            let log = self.log(&format!("typecheck-{name}.log"));
            eprintln!("bench: cargo check -p {name} ({lines} generated lines)");
            let r = check(self, name, &log).map(|u| {
                let built = crates_built(&fs::read_to_string(&log).unwrap_or_default());
                eprintln!("bench: {name}: {:.1} s wall, {:.1} s CPU", u.wall, u.cpu);
                (u, built)
            });
            if let Err(e) = &r {
                eprintln!("bench: {name} failed: {e}");
            }
            out.push((name.clone(), *lines, r));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selects_pairs_by_key() {
        assert_eq!(select_pairs(None).unwrap().len(), PAIRS.len());
        assert_eq!(select_pairs(Some(" ")).unwrap().len(), PAIRS.len());
        let p = select_pairs(Some("iam, s3-min,iam")).unwrap();
        assert_eq!(
            p.iter().map(|p| p.key).collect::<Vec<_>>(),
            ["iam", "s3-min"]
        );
        assert!(select_pairs(Some("ec2"))
            .unwrap_err()
            .contains("unknown \"ec2\""));
    }

    #[test]
    fn every_program_is_a_project_with_its_main() {
        let root = super::super::repo_root().unwrap();
        for pair in PAIRS {
            for p in [pair.ours, pair.reference] {
                let dir = root.join("bench/scale").join(p.dir);
                let toml = fs::read_to_string(dir.join("Cargo.toml")).unwrap();
                assert!(
                    toml.contains(&format!("name = \"{}\"", p.bin())),
                    "{}: binary {} not declared",
                    p.dir,
                    p.bin()
                );
                assert!(toml.contains("[workspace]"), "{} is not standalone", p.dir);
                assert!(dir.join(p.main).is_file(), "{}: no {}", p.dir, p.main);
            }
        }
        for (dir, krate) in SCALE_REFERENCE_CRATES {
            let toml =
                fs::read_to_string(root.join("bench/scale").join(dir).join("Cargo.toml")).unwrap();
            assert!(toml.contains(krate), "{dir} does not depend on {krate}");
        }
        let min = fs::read_to_string(root.join("bench/scale/ours-s3-min/Cargo.toml")).unwrap();
        assert!(min.contains("default-features = false"));
        for op in ["get_object", "put_object", "list_objects_v2"] {
            assert!(min.contains(&format!("\"{op}\"")), "{op} not enabled");
        }
    }

    #[test]
    fn the_floor_builds_the_runtimes_dependencies_at_its_versions() {
        let root = super::super::repo_root().unwrap();
        let floor_toml = fs::read_to_string(root.join("bench/scale/floor/Cargo.toml")).unwrap();
        assert!(
            !floor_toml.contains("path ="),
            "the floor must not build any crate of ours"
        );
        let runtime_toml = fs::read_to_string(root.join("runtime/Cargo.toml")).unwrap();
        let deps = toml_table(&runtime_toml, "[dependencies]").unwrap();
        let mut required = 0;
        for line in deps.lines().skip(1) {
            let Some((name, spec)) = line.split_once(" = ") else {
                continue;
            };
            if spec.contains("optional = true") {
                continue;
            }
            required += 1;
            let declared = floor_toml
                .lines()
                .find(|l| l.starts_with(&format!("{name} = ")))
                .unwrap_or_else(|| panic!("the floor does not build the runtime's {name}"));
            // Same version requirement and every feature the runtime turns on.
            let (_, floor_spec) = declared.split_once(" = ").unwrap();
            // The value after `key`: up to `]` for a list (`key` ends with `[`), else up to the
            // next `,` or `}`.
            let field = |s: &str, key: &str| -> Option<String> {
                let at = s.find(key)? + key.len();
                let rest = &s[at..];
                let stop = if key.ends_with('[') {
                    rest.find(']')?
                } else {
                    rest.find([',', '}']).unwrap_or(rest.len())
                };
                Some(rest[..stop].trim().to_owned())
            };
            let version = |s: &str| field(s, "version = ").unwrap_or_else(|| s.trim().to_owned());
            assert_eq!(version(floor_spec), version(spec), "{name}: version");
            // `features = [` (not `default-features = false`, found first otherwise).
            if let Some(features) = field(spec, "features = [") {
                for f in features.split(',') {
                    let f = f.trim();
                    if !f.is_empty() {
                        assert!(floor_spec.contains(f), "{name}: feature {f} missing");
                    }
                }
            }
        }
        assert!(required >= 10, "read only {required} runtime dependencies");
        let lock = |dir: &str| {
            super::super::report::lock_packages(
                &root.join("bench/scale").join(dir).join("Cargo.lock"),
            )
        };
        let (ours, floor) = (lock("ours-s3-min"), lock("floor"));
        let mut shared = 0;
        for (name, version) in &floor {
            if name == "scale-floor" {
                continue;
            }
            let theirs: Vec<&String> = ours
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, v)| v)
                .collect();
            assert!(
                theirs.contains(&version),
                "the floor locks {name} {version}; the three-operation program locks {theirs:?}"
            );
            shared += 1;
        }
        assert!(shared >= 20, "only {shared} packages in the floor's lock");
    }

    #[test]
    fn shortens_errors_to_the_cargo_reason() {
        let e = "`cargo build` failed (exit status: 101); log: /x/y.log\n   Compiling a v1\nerror: failed to select a version\nerror: could not compile `a`";
        assert_eq!(
            short_error(e),
            "`cargo build` failed (exit status: 101); log: /x/y.log: error: failed to select a version"
        );
        assert_eq!(short_error("just one line\nmore"), "just one line");
        assert_eq!(short_error(""), "");
    }

    #[test]
    fn counts_crates_in_a_cargo_log() {
        let log = "    Checking awsrt v0.1.0 (/r)\n   Compiling serde v1.0.0\nwarning: x\n    Finished `dev` profile";
        assert_eq!(crates_built(log), ["awsrt", "serde"]);
        assert!(crates_built("    Finished").is_empty());
    }

    #[test]
    fn reads_one_toml_table() {
        let t = "[workspace]\nmembers = []\n\n[workspace.package]\nversion = \"0.1.0\"\n\n[profile.release]\nlto = true\n";
        assert_eq!(
            toml_table(t, "[workspace.package]").unwrap(),
            "[workspace.package]\nversion = \"0.1.0\"\n\n"
        );
        assert!(toml_table(t, "[dependencies]").is_none());
    }

    #[test]
    fn copies_a_tree_without_skipped_entries() {
        let dir = std::env::temp_dir().join(format!("xtask-scale-copy-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(dir.join("a/src/target")).unwrap();
        fs::create_dir_all(dir.join("a/target")).unwrap();
        fs::write(dir.join("a/Cargo.toml"), "x").unwrap();
        fs::write(dir.join("a/src/lib.rs"), "y").unwrap();
        fs::write(dir.join("a/target/big"), "z").unwrap();
        copy_tree(&dir.join("a"), &dir.join("b"), &["target"]).unwrap();
        assert_eq!(fs::read_to_string(dir.join("b/src/lib.rs")).unwrap(), "y");
        assert_eq!(fs::read_to_string(dir.join("b/Cargo.toml")).unwrap(), "x");
        assert!(!dir.join("b/target").exists());
        assert!(!dir.join("b/src/target").exists());
        assert!(copy_tree(&dir.join("missing"), &dir.join("c"), &[]).is_err());
        let _ = fs::remove_dir_all(dir);
    }

    #[test]
    fn keeps_the_largest() {
        let mut top = Vec::new();
        for (l, n) in [(5, "a"), (9, "b"), (1, "c"), (7, "d"), (9, "a2")] {
            keep_largest(&mut top, l, n, 3);
        }
        assert_eq!(
            top,
            [
                (9, "a2".to_owned()),
                (9, "b".to_owned()),
                (7, "d".to_owned())
            ]
        );
    }

    #[test]
    fn finds_the_connect_model() {
        let dir = std::env::temp_dir().join(format!("xtask-scale-{}", std::process::id()));
        fs::create_dir_all(dir.join("aws-rest-json")).unwrap();
        for f in [
            "connect-contact-lens-2020-08-21.json",
            "connect-2017-08-08.json",
            "connectcases-2022-10-03.json",
        ] {
            fs::write(dir.join("aws-rest-json").join(f), "{}").unwrap();
        }
        assert_eq!(
            connect_model(&dir).unwrap(),
            dir.join("aws-rest-json/connect-2017-08-08.json")
        );
        fs::remove_file(dir.join("aws-rest-json/connect-2017-08-08.json")).unwrap();
        assert!(connect_model(&dir).is_err());
        let _ = fs::remove_dir_all(dir);
    }
}
